/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_FWD_H
#define PK_FWD_H

/*
 * pk-fwd: a testpmd-like forwarder made of paths. Private to the example.
 *
 * A stream is one RX queue of one port forwarded to one TX queue of its peer
 * port (0<->1, 2<->3, ...; an odd last port to itself). Each stream is a path
 *   port_rx -> thread_continuation -> [mode's processing] -> port_tx
 * and each forwarding lcore runs one pk_runner that schedules the threads of
 * its streams. With --flows=N (io mode), the path ends in a demux of N flow
 * keys whose targets are per-flow paths that push into a batch the thread
 * sends to the port_tx after each burst.
 *
 * Nobody pushes into a stream's path: its head is the RX port, which the
 * stream's own thread pulls. So the path has no tail policy to apply (it is
 * built with the default, "return", to say so); what the chain after the
 * thread refuses comes back to the thread, which frees it and counts it as
 * its "full" drops. The path is there for ownership and accounting: it owns
 * every stage of the stream (destroying it destroys them), and it is charged
 * to its owner (the stream's index) for what the RX port gave it ("in") and
 * what the TX port took from it ("out").
 *
 * Ownership: main.c builds and destroys everything on the main lcore;
 * streams' stages belong to their paths, the per-flow paths and the TX
 * stage of a demux stream belong to the stream (destroyed after its path).
 * Threads: the control state below is written by the main lcore before the
 * runners start and only read afterwards; counters are read with
 * pk_stage_stats_get() / rte_eth_stats_get() while forwarding runs.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include <pathkit/pathkit.h>

#include "pk_example.h"

#define FWD_MAX_BURST 512
#define FWD_MAX_QUEUES 64
#define FWD_MAX_FLOWS 65536 /* flowgen; io: one demux target each */
#define FWD_NS 1000000000ull
#define FWD_MAX_SECONDS 10000000ull /* --duration, --stats-period: 115 days */

/** Forwarding modes, named as testpmd names them. */
enum fwd_mode {
	FWD_IO,
	FWD_MAC,
	FWD_MACSWAP,
	FWD_RXONLY,
	FWD_TXONLY,
	FWD_FLOWGEN,
	FWD_MODE_MAX,
};

/** Options (testpmd's names and meanings, plus --duration and --flows). */
struct fwd_conf {
	enum fwd_mode mode;
	uint16_t burst;          /* --burst, 32 */
	unsigned int nb_cores;   /* --nb-cores, 0: every worker lcore */
	uint16_t nb_rxq;         /* --rxq, 1 */
	uint16_t nb_txq;         /* --txq, 1 */
	uint16_t nb_rxd;         /* --rxd, 0: pk_port_setup's default */
	uint16_t nb_txd;         /* --txd */
	uint32_t nb_mbufs;       /* --total-num-mbufs, 0: computed */
	uint64_t stats_period;   /* --stats-period, ns, 0: none */
	uint64_t duration;       /* --duration, ns, 0: until SIGINT/SIGTERM */
	uint16_t txpkts;         /* --txpkts, 64 */
	uint64_t portmask;       /* --portmask, 0: every port */
	bool no_flush_rx;        /* --no-flush-rx */
	bool interactive;        /* -i: a prompt (pk_prompt.h) */
	uint32_t flows;          /* --flows: demux keys (io), flowgen flows */
	struct rte_ether_addr peer[RTE_MAX_ETHPORTS]; /* --eth-peer */
};

/** One stream: RX queue of a port -> TX queue of its peer. */
struct fwd_stream {
	uint16_t rx_port, rx_queue;
	uint16_t tx_port, tx_queue;
	unsigned int lcore;        /* forwarding lcore that runs it */
	struct pk_runner *runner;  /* the runner of that lcore */
	struct pk_stage *rx;       /* the RX stage (in the path), or NULL */
	struct pk_thread *thread;  /* in the path */
	struct pk_path *path;      /* rx -> thread -> processing -> tx */
	struct pk_stage *tx;       /* the TX stage (in the path, or shared) */
	bool tx_shared;            /* demux: tx is not in the path */
	struct pk_stage *batch;    /* demux: where per-flow paths end */
	struct pk_path **flow_paths; /* demux: one per flow key */
	uint32_t nb_flows;
	/* txonly / flowgen: packet generation, the thread's context only */
	struct rte_mempool *mp;
	uint8_t tmpl[128];         /* Ethernet + IPv4 + UDP template */
	uint16_t tmpl_len;
	uint16_t pkt_len;
	uint32_t next_flow;
};

extern struct fwd_conf fwd_conf;

/* options.c */
/** The options, for pk_example_options(): they fill fwd_conf. */
extern const struct pk_example_app fwd_app;
/** @return the mode's name. */
const char *fwd_mode_name(enum fwd_mode m);

/* modes.c */
/**
 * Build a stream's path for the configured mode.
 * @return 0, or a negative errno (logged).
 */
int fwd_stream_build(struct fwd_stream *fs, struct rte_mempool *mp,
		     unsigned int idx);
/** Destroy a stream's path and what the stream owns. Accepts a half-built. */
void fwd_stream_destroy(struct fwd_stream *fs);
/** The IPv4 addresses flowgen and the demux use for flow i, host order. */
uint32_t fwd_flow_dst(uint32_t i);
/** Source address of generated flows, host order. */
#define FWD_FLOW_SRC RTE_IPV4(10, 254, 0, 0)
/** UDP port of generated flows. */
#define FWD_FLOW_PORT 9

/* stats.c */
/** Remember the ports' counters at the start (testpmd's fwd stats base). */
void fwd_stats_start(const uint16_t *ports, uint16_t nb_ports);
/** Print testpmd's periodic "NIC statistics" blocks. */
void fwd_stats_periodic(const uint16_t *ports, uint16_t nb_ports);
/** Print testpmd's forward statistics and the per-stage counters. */
void fwd_stats_final(const uint16_t *ports, uint16_t nb_ports,
		     struct fwd_stream *streams, unsigned int nb_streams);

#endif /* PK_FWD_H */
