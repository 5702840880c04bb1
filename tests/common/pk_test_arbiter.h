/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TEST_ARBITER_H
#define PK_TEST_ARBITER_H

/*
 * A test arbiter ("ta"), shared by test_arbiter (unit) and
 * test_arbiter_lcores (integration). Client c pushes UDP frames numbered
 * c << 24 | seq; the output is a ring the test drains with ta_consume(),
 * which checks that each client's sequence numbers come out once and in
 * increasing order (per flow, with a classifier); ta_balance() checks
 * that the counters add up while the arbiter holds packets, and
 * ta_finish() stops the arbiter and checks that they add up with nothing
 * held (admitted = sent + dropped), sent and bytes as the output saw them. Each test describes its arbiter
 * in a struct ta_conf of its own: nothing carries over from one test to
 * the next.
 *
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h>, <cmocka.h>.
 */

#include <stdint.h>

#include <rte_mempool.h>

#include <pathkit/pathkit.h>

#define TA_HZ 1000000000ULL /* the fake clock counts nanoseconds */
#define TA_MAXC 4           /* clients */
#define TA_MAXF 4           /* flows per client the order check tracks */
#define TA_FRAME 1000       /* bytes of a frame ta_feed() makes */
#define TA_OVERHEAD 24      /* link bytes per frame */

/* How a test builds its arbiter (zero: direct output, default mailbox). */
struct ta_conf {
	uint32_t nb;                 /* clients */
	const uint32_t *w;           /* their weights (NULL: the policy's) */
	uint64_t rate;               /* link, bit/s (0: unlimited) */
	enum pk_arbiter_dispatch d;
	uint32_t out_size;           /* the output ring */
	uint32_t mb_size;            /* each mailbox */
	enum pk_arbiter_mailbox mb;  /* mailbox kind */
	/* per-flow queues: the flow of client c's packet seq (NULL: none) */
	uint32_t (*flow)(uint32_t c, uint32_t seq);
	uint32_t nq;                 /* its queues */
	uint32_t qsize;              /* scheduler queue size (0: default) */
	const char *policy;          /* NULL: wfq */
	/* a two-level policy's classes: w are then the classes' weights */
	uint32_t classes;
	/* the frame length of client c's packet seq (NULL: TA_FRAME) */
	uint16_t (*len)(uint32_t c, uint32_t seq);
};

/* What the test knows of each client: next seq to push, next expected. */
struct ta {
	struct pk_arbiter *a;
	struct pk_stage *out;
	struct rte_mempool *mp;   /* frames come from here */
	uint32_t nb;
	uint32_t (*flow)(uint32_t c, uint32_t seq); /* as in ta_conf */
	uint16_t (*len)(uint32_t c, uint32_t seq);  /* as in ta_conf */
	uint64_t now_ns;          /* the fake clock the arbiter runs on */
	uint64_t mistagged;       /* classifier saw a wrong client tag */
	uint32_t next_in[TA_MAXC];
	/* lowest seq the output may show next, per client and flow */
	uint32_t next_out[TA_MAXC][TA_MAXF];
	uint64_t seen[TA_MAXC];   /* packets seen at the output */
	uint64_t bytes[TA_MAXC];  /* bytes seen at the output */
	uint64_t fbytes[TA_MAXF]; /* bytes seen per flow (classifier) */
	uint32_t disorder;        /* duplicates or reordering seen */
};

/*
 * Build t: an output ring and an arbiter "ta" as tc says, run by the
 * caller (no lcores) on t->now_ns, tx_retries 50, dispatcher ring 64.
 * Asserts on failure.
 */
void ta_create(struct ta *t, struct rte_mempool *mp, const struct ta_conf *tc);

/* Client c pushes up to n (<= 64) fresh frames; returns what it took. */
uint16_t ta_feed(struct ta *t, uint32_t c, uint16_t n);

/* Take everything from the output and check each client's order. */
void ta_consume(struct ta *t);

/*
 * With the arbiter quiescent (between pk_arbiter_run() calls, or stopped),
 * assert that its counters balance: per client admitted = sent + dropped +
 * held and its mailbox stage in = out + held, the same summed over the
 * clients with held split in parts, the scheduler stage's held equal to
 * its part, and the pool's packets in use all held or at the output. The
 * arbiter's statistics are left in as.
 */
void ta_balance(struct ta *t, struct pk_arbiter_stats *as);

/* Stop, flush, check the balance with nothing held, free everything. */
void ta_finish(struct ta *t);

#endif /* PK_TEST_ARBITER_H */
