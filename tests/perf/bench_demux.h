/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_demux.h: what bench_demux.c (the card, the packet set, the flows
 * and parse benches, main) and bench_demux_update.c (demux.update) share.
 */
#ifndef PK_BENCH_DEMUX_H
#define PK_BENCH_DEMUX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#include "bench_demux_raw.h"

#define DB_BURST BENCH_RAW_BURST
#define DB_PKTS 65536
#define DB_TARGETS 16

/* The packet set (rewritten by db_fill()) and the sink targets. */
extern struct rte_mbuf *db_pkts[DB_PKTS];
extern struct pk_stage *db_sinks[DB_TARGETS];

/* Flow f's key: UDP, 10.0.0.2 port 9 and a peer address and port from f. */
void db_flow_key(uint32_t f, struct pk_flow_key *k);
/* Rewrite db_pkts as flows of nflows, uniform or Zipf(1). */
void db_fill(uint32_t nflows, bool zipf);
/* A bare rte_hash of capacity holding flows 0..nflows-1 -> db_sinks[]. */
struct rte_hash *db_bare_hash(uint32_t capacity, uint32_t nflows);
/* A demux of capacity holding the same keys (flags: PK_DEMUX_F_*). */
struct pk_stage *db_demux(uint32_t capacity, uint32_t nflows, uint32_t flags);
/* demux.update (bench_demux_update.c); main() asks bench_wanted(), whose
 * filter is a static of bench_demux.c's copy of bench_common.h. */
void db_update_bench(void);

#endif /* PK_BENCH_DEMUX_H */
