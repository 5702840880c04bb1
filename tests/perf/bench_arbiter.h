/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_BENCH_ARBITER_H
#define PK_BENCH_ARBITER_H

/*
 * What bench_arbiter's files share (one executable; the card of
 * bench_arbiter.c says what each id measures): the mbuf pool, the worker
 * lcore, the main lcore's stack of free mbuf pointers and its helpers, the
 * raw relay, and an arbiter's creation. bench_arbiter.c defines all of it
 * and main(); bench_arbiter_xfer.c (mailbox transfer, throughput),
 * bench_arbiter_latency.c and bench_arbiter_decisions.c (decisions,
 * vs_sched) each define the entry points main() calls.
 *
 * main() asks bench_wanted() before it calls an entry point: the other
 * files include bench_common.h for bench_report() and bench_median() only,
 * since its --filter state is static, one copy per file, and only
 * bench_arbiter.c's is parsed.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <pathkit/pathkit.h>

#define BA_ROUNDS 5
#define BA_MS 300
#define BA_INFLIGHT 2048
#define BA_BURST 32u
#define BA_DEC_CLIENTS 64

/* Set by main() before any entry point runs. */
extern struct rte_mempool *ba_pool;
extern unsigned int ba_worker;
/* The main lcore's free mbuf pointers: a stack, ba_nfree of them. */
extern struct rte_mbuf *ba_free[1 << 16];
extern unsigned int ba_nfree;

/* TSC cycles in ms milliseconds. */
uint64_t ba_ms(unsigned int ms);
/* Allocate n mbufs of 64 bytes onto the free stack (exits if it cannot). */
void ba_take_all(unsigned int n);
/* Free every mbuf on the free stack. */
void ba_give_back(void);
/* n were pushed from the top of the stack and k taken: drop those k. */
void ba_took(unsigned int n, unsigned int k);
/* Push up to burst pointers from the free stack into s. */
void ba_push_free_n(struct pk_stage *s, unsigned int burst);

/* Raw relay: the worker moves ring a -> ring b until quit. */
struct ba_relay {
	struct rte_ring *a, *b;
	volatile int quit;
};
int ba_relay_main(void *arg);

/* An arbiter on lcore (or none); exits if it cannot be created. */
struct pk_arbiter *ba_arbiter(uint32_t nb, enum pk_arbiter_dispatch d,
			      enum pk_arbiter_mailbox mb, struct pk_stage *out,
			      uint64_t rate, uint32_t lcore);

/* bench_arbiter_xfer.c */
void ba_mailbox_xfer(const char *id, unsigned int burst);
void ba_throughput(const char *id, uint32_t nb, enum pk_arbiter_dispatch d,
		   enum pk_arbiter_mailbox mb);
/* bench_arbiter_latency.c: arbiter.latency.p50 and .p99 */
void ba_latency(void);
/* bench_arbiter_decisions.c */
void ba_decisions(const char *id, bool flows);
void ba_vs_sched(void);

#endif /* PK_BENCH_ARBITER_H */
