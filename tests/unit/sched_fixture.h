/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SCHED_FIXTURE_H
#define PK_SCHED_FIXTURE_H

/*
 * What the tests of schedulers on the fake clock share (test_sched_aqm.c,
 * test_sched_hier.c): the pool, the clock (fake_now, in ns, set by the
 * test as its link sends), a scheduler made with all its queues attached
 * on that clock, the frames' push time stamped at TS_OFF (after
 * pk_test_udp4's seq) and read back as a sojourn, and the conservation
 * check. Include after pk_test.h.
 */

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#define TS_OFF 46                /* push time, after pk_test_udp4's seq */

static struct rte_mempool *pool;
static uint64_t fake_now;

static inline uint64_t
fake_clock(void *arg)
{
	return *(uint64_t *)arg;
}

/* A scheduler of kind by c, its c->max_queues queues attached (default
 * parameter), on the fake clock from 1 ns. */
static inline struct pk_stage *
sched_fake_new(const char *kind, const struct pk_sched_conf *c)
{
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct pk_stage *s;
	uint32_t i;

	s = pk_sched_create(kind, c);
	assert_non_null(s);
	for (i = 0; i < c->max_queues; i++)
		assert_int_equal(pk_sched_queue_attach(s, &qc), (int)i);
	fake_now = 1;
	assert_int_equal(pk_sched_set_clock(s, fake_clock, &fake_now,
					    1000000000), 0);
	return s;
}

/* in = out + drops + held: nothing lost, nothing counted twice. @return
 * held. */
static inline uint64_t
assert_conserved(const struct pk_stage *s)
{
	struct pk_stage_stats st;
	uint64_t drops = 0;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	for (r = 0; r < PK_DROP_MAX; r++)
		drops += st.drops[r];
	assert_int_equal(st.in_pkts, st.out_pkts + drops + st.held);
	return st.held;
}

static inline uint64_t
drops_of(const struct pk_stage *s, enum pk_drop_reason r)
{
	struct pk_stage_stats st;

	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	return st.drops[r];
}

/* Stamp m with the fake time of its push. */
static inline void
stamp_now(struct rte_mbuf *m)
{
	memcpy(rte_pktmbuf_mtod_offset(m, char *, TS_OFF), &fake_now,
	       sizeof(fake_now));
}

/* How long m waited, by its stamp and the fake time. */
static inline uint64_t
sojourn_of(const struct rte_mbuf *m)
{
	uint64_t ts;

	memcpy(&ts, rte_pktmbuf_mtod_offset(m, const char *, TS_OFF),
	       sizeof(ts));
	return fake_now - ts;
}

#endif /* PK_SCHED_FIXTURE_H */
