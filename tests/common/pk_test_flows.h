/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TEST_FLOWS_H
#define PK_TEST_FLOWS_H

/*
 * Numbered traffic over many flows, for tests that change a scheduler
 * while packets move (test_sched_switch, test_arbiter_switch): a generator
 * stage whose pull makes the next packets of each flow in turn (seq =
 * flow * FLOWS_SEQ + n), never more than a bound in flight, and a sink
 * stage whose push checks that each flow's packets come in order, none
 * missing, none twice, and frees them. They count in fields another thread
 * reads (relaxed); what they find wrong is counted, not asserted (they run
 * on worker threads): the test asserts on the counts.
 */

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_mbuf.h>

#include <pathkit/pk_stage_driver.h>

#include "pk_test.h"

#define FLOWS_MAX 256
#define FLOWS_SEQ 1000000u /* seq / FLOWS_SEQ is the flow */

struct flows {
	struct rte_mempool *mp;
	uint32_t nb_flows;
	uint64_t total;            /* packets to make */
	uint64_t in_flight;        /* most made and not yet received */
	uint16_t frame;            /* bytes */
	/* generator's */
	uint32_t rr;
	uint32_t next_gen[FLOWS_MAX];
	uint64_t generated;
	/* sink's */
	uint32_t next_rx[FLOWS_MAX];
	uint64_t received;
	uint64_t out_of_order;     /* a gap, a repeat or a reorder */
};

struct flows_stage {
	struct pk_stage stage;
	struct flows *f;
};

static inline uint32_t
flows_of(const struct rte_mbuf *m, void *arg)
{
	(void)arg;
	return pk_test_seq(m) / FLOWS_SEQ;
}

static uint16_t
flows_gen_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct flows *f = ((struct flows_stage *)s)->f;
	uint64_t rx = __atomic_load_n(&f->received, __ATOMIC_ACQUIRE);
	uint64_t room = f->in_flight - (f->generated - rx);
	uint16_t n = 0;
	uint32_t fl;

	if (room > f->total - f->generated)
		room = f->total - f->generated;
	while (n < max && n < room) {
		fl = f->rr++ % f->nb_flows;
		pkts[n++] = pk_test_udp4(f->mp, f->frame, 64, fl * FLOWS_SEQ +
					 f->next_gen[fl]++);
	}
	__atomic_store_n(&f->generated, f->generated + n, __ATOMIC_RELEASE);
	return n;
}

static uint16_t
flows_sink_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct flows *f = ((struct flows_stage *)s)->f;
	uint32_t seq, fl;
	uint16_t i;

	for (i = 0; i < n; i++) {
		seq = pk_test_seq(pkts[i]);
		fl = seq / FLOWS_SEQ;
		if (fl >= f->nb_flows || seq % FLOWS_SEQ != f->next_rx[fl])
			f->out_of_order++;
		else
			f->next_rx[fl]++;
		rte_pktmbuf_free(pkts[i]);
	}
	__atomic_store_n(&f->received, f->received + n, __ATOMIC_RELEASE);
	return n;
}

static void
flows_stage_destroy(struct pk_stage *s)
{
	pk_stage_free(s);
}

static const struct pk_stage_ops flows_gen_ops = {
	.kind = "test_gen", .pull = flows_gen_pull,
	.destroy = flows_stage_destroy, .caps = PK_STAGE_CAP_PULL,
};

static const struct pk_stage_ops flows_sink_ops = {
	.kind = "test_sink", .push = flows_sink_push,
	.destroy = flows_stage_destroy, .caps = PK_STAGE_CAP_PUSH,
};

/* The generator (gen true) or the sink of f, named name. */
static inline struct pk_stage *
flows_stage(struct flows *f, const char *name, bool gen)
{
	struct pk_stage *s = pk_stage_alloc(sizeof(struct flows_stage),
					    gen ? &flows_gen_ops :
						  &flows_sink_ops,
					    name, 0, SOCKET_ID_ANY);

	if (s != NULL)
		((struct flows_stage *)s)->f = f;
	return s;
}

static inline uint64_t
flows_received(const struct flows *f)
{
	return __atomic_load_n(&f->received, __ATOMIC_ACQUIRE);
}

/* Sleep in steps of 1 ms until the sink has received n in all. */
static inline void
flows_wait_received(const struct flows *f, uint64_t n)
{
	while (flows_received(f) < n)
		usleep(1000);
}

#endif /* PK_TEST_FLOWS_H */
