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

#define DB_BURST 32
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
/* demux.update (bench_demux_update.c). */
void db_update_bench(void);

/*
 * The raw part, what a user would write without the demux: the same parse,
 * one bulk lookup whose data is the target, then each packet handed to its
 * target, a run of consecutive packets with the same target in one call
 * (every packet of the set matches a key). Returns the packets handed over.
 */
static inline unsigned int
db_raw_burst(struct rte_hash *h, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_flow_key keys[DB_BURST];
	const void *kp[DB_BURST];
	void *data[DB_BURST];
	struct pk_stage *t;
	uint64_t hit = 0;
	unsigned int j, k, taken = 0;

	for (j = 0; j < n; j++) {
		pk_flow_parse(pkts[j], &keys[j]);
		kp[j] = &keys[j];
	}
	rte_hash_lookup_bulk_data(h, kp, n, &hit, data);
	if (unlikely(hit != UINT64_MAX >> (64 - n)))
		return 0; /* not in this benchmark: the demux would count it */
	for (j = 0; j < n; j = k) {
		t = data[j];
		for (k = j + 1; k < n && data[k] == t; k++)
			;
		taken += pk_stage_push(t, &pkts[j], k - j);
	}
	return taken;
}

#endif /* PK_BENCH_DEMUX_H */
