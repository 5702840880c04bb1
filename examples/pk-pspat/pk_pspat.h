/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PSPAT_H
#define PK_PSPAT_H

/*
 * pk-pspat (main.c says what it does): what its files share. Private to the
 * example. options.c reads the options into opt, clients.c builds the
 * client threads (a generating client's frames, the flow classifiers),
 * stats.c prints rates, fairness and the exit balance, main.c sets up and
 * runs. Threads: opt is written before the EAL starts and only read after;
 * clients[] is written by the main lcore before the threads start, then
 * each client's burst only by its own thread; counters are read with
 * pk_arbiter_client_stats_get() while it runs.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <pathkit/pathkit.h>

#include "pk_example.h"

#define MAX_CLIENTS 64
#define MAX_FLOW_QUEUES 65536
#define AQM_FLOW_QUEUES 1024 /* --flow-queues for fq_codel, fq_pie */
#define HIER_FLOW_QUEUES 64  /* --flow-queues per client, two levels */
#define NB_MBUFS 16383
#define GEN_BURST 32
#define DRR_FRAME 1514                       /* drr: weights in frames */
#define MAX_RATE 10000000000000ull           /* the shaper's, 10 Tbit/s */
#define NS 1000000000ull
#define MAX_DURATION (10000000 * NS)         /* 10^7 s, 115 days */
#define MIN_PERIOD (NS / 1000)               /* 1 ms */
#define MAX_PERIOD (86400 * NS)              /* a day */

struct client {
	struct pk_thread *t;
	struct pk_stage *rx;         /* --source=ports */
	struct pk_stage *mb;         /* its mailbox */
	uint32_t weight;
	uint64_t last_bytes;
	uint64_t run_bytes;          /* sent when the run ended */
	struct rte_mbuf *held[GEN_BURST]; /* refused frames, pushed again */
	uint16_t nheld;
};

/* What the options say (options.c). */
struct pspat_opt {
	uint32_t nb;
	bool gen;
	uint32_t weights[MAX_CLIENTS];
	bool weights_set;
	uint64_t rate;
	const char *policy;
	bool dispatcher;
	uint16_t pkt_size;
	uint64_t duration;           /* ns, 0: until SIGINT */
	uint64_t period;             /* ns */
	uint32_t flow_queues;
	bool pspat_mailbox;
	bool hier;                   /* owners:OUTER,flows:INNER */
	char outer[PK_SCHED_POLICY_PARTSIZE]; /* its OUTER, or the policy */
};

extern struct pspat_opt opt;
extern const struct pk_example_app pspat_app;
extern struct client clients[MAX_CLIENTS];
extern struct rte_mempool *pool;

/* --flow-queues: a packet's queue; two levels: its client's (clients.c). */
uint32_t classify_flow(const struct rte_mbuf *m, void *arg);
uint32_t classify_owner_flow(const struct rte_mbuf *m, void *arg);
/* Worker lcores for the clients, or 0 (clients.c). */
uint32_t client_lcores(const struct pk_arbiter_conf *ac, unsigned int *lc);
/* The client threads, started (clients.c). */
int build_clients(struct pk_arbiter *a, struct pk_runner *r,
		  const unsigned int *lc, uint32_t nlc);
/* Rates and fairness; at exit the balance (stats.c). */
void print_stats(struct pk_arbiter *a, double secs, const char *when,
		 bool at_exit);
bool print_balance(struct pk_arbiter *a);

#endif /* PK_PSPAT_H */
