/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Switching a scheduler's policy while it holds packets (pk_sched_policy_set(),
 * pk_ctl_sched_policy()). Covered:
 *  - on the test's thread, a backlog of numbered packets over 16 flows goes
 *    through wfq -> fq_codel -> drr -> fq_pie -> wfq twice, some pulled
 *    between switches: every packet out once, in order per flow, in = out;
 *  - parameters: kept where the new policy accepts them, else its default,
 *    or the caller's (params[]); the policy's default classifier follows
 *    the policy, an application's stays;
 *  - to a queue manager, a backlog over its limit is cut as an arrival
 *    would be ("full"), counted: in = out + drops;
 *  - refusals change nothing: unknown policy (-ENOENT), a parameter out of
 *    range (-EINVAL), a queue manager over stage queues (-EINVAL), weights
 *    over qfq's sum (-ENOSPC), with the reason in words from pk_ctl;
 *  - on a running thread (a runner on a worker lcore: a generator thread
 *    pushing 64 flows into the scheduler, a thread pulling it shaped into a
 *    checking sink), 12 switches through pk_ctl_sched_policy() while
 *    packets flow: 0 lost, 0 duplicated, order per flow kept, no drop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_sched_policy.h>

#include "pk_test.h"
#include "pk_test_flows.h"

static struct rte_mempool *pool;
static uint64_t frozen = 1; /* the fake clock: no packet waits, none dropped */

static uint64_t
fake_clock(void *arg)
{
	return *(uint64_t *)arg;
}

static const char *const cycle[] = { "fq_codel", "drr", "fq_pie", "wfq" };

/*
 * A scheduler of nq internal queues (room for one more), flows classified
 * by seq (own_classifier) or by the policy's default, on the fake clock.
 */
static struct pk_stage *
sched_new(const char *policy, uint32_t nq, bool own_classifier)
{
	struct pk_sched_conf c = {
		.policy = policy, .max_queues = nq + 1, .qsize = 256,
		.classify = own_classifier ? flows_of : NULL,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct pk_stage *s = pk_sched_create("sw", &c);
	uint32_t i;

	assert_non_null(s);
	for (i = 0; i < nq; i++)
		assert_int_equal(pk_sched_queue_attach(s, &qc), (int)i);
	assert_int_equal(pk_sched_set_clock(s, fake_clock, &frozen,
					    1000000000), 0);
	return s;
}

/* Push n packets of each of nf flows, numbered from next[f]. */
static void
push_flows(struct pk_stage *s, uint32_t nf, uint32_t n, uint32_t *next)
{
	struct rte_mbuf *m;
	uint32_t i, f;

	for (i = 0; i < n; i++)
		for (f = 0; f < nf; f++) {
			m = pk_test_udp4(pool, 100, 64, f * FLOWS_SEQ +
					 next[f]++);
			assert_int_equal(pk_stage_push(s, &m, 1), 1);
		}
}

/* Pull up to max and check each flow's order; @return packets pulled. */
static unsigned int
pull_check(struct pk_stage *s, unsigned int max, uint32_t *next)
{
	struct rte_mbuf *m[32];
	unsigned int got = 0;
	uint16_t k, i;
	uint32_t seq;

	while (got < max && (k = pk_stage_pull(s, m, RTE_MIN(32u, max - got)))
	       != 0) {
		for (i = 0; i < k; i++) {
			seq = pk_test_seq(m[i]);
			assert_int_equal(seq % FLOWS_SEQ, next[seq / FLOWS_SEQ]);
			next[seq / FLOWS_SEQ]++;
		}
		rte_pktmbuf_free_bulk(m, k);
		got += k;
	}
	return got;
}

static void
assert_balance(const struct pk_stage *s, uint64_t drops_expected)
{
	struct pk_stage_stats st;
	uint64_t drops = 0;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	for (r = 0; r < PK_DROP_MAX; r++)
		drops += st.drops[r];
	assert_int_equal(drops, drops_expected);
	assert_int_equal(st.in_pkts, st.out_pkts + drops + st.held);
}

static void
test_backlog_moves_in_order(void **state)
{
	struct pk_sched_switch_conf c = { .policy = NULL };
	uint32_t gen[16] = { 0 }, rx[16] = { 0 };
	struct pk_stage *s = sched_new("wfq", 16, true);
	unsigned int k, out = 0;

	(void)state;
	push_flows(s, 16, 20, gen);
	for (k = 0; k < 8; k++) {
		c.policy = cycle[k % 4];
		assert_int_equal(pk_sched_policy_set(s, &c), 0);
		assert_string_equal(pk_sched_policy_name(s), c.policy);
		assert_int_equal(pk_stage_len(s), 16 * 20 + k * 16 * 4 - out);
		out += pull_check(s, 16 * 3, rx);     /* some leave */
		push_flows(s, 16, 4, gen);            /* some come */
	}
	out += pull_check(s, UINT32_MAX, rx);
	assert_int_equal(out, 16 * 20 + 8 * 16 * 4);
	assert_balance(s, 0);
	pk_stage_destroy(s);
}

static void
test_params_kept_or_defaulted(void **state)
{
	uint32_t params[2] = { 7, PK_SCHED_PARAM_DEFAULT }, p;
	struct pk_sched_switch_conf c = { .policy = "prio" };
	struct pk_stage *s = sched_new("drr", 3, false);

	(void)state;
	assert_int_equal(pk_sched_queue_set_param(s, 0, 3), 0);
	assert_int_equal(pk_sched_queue_set_param(s, 1, 5000), 0);
	assert_int_equal(pk_sched_policy_set(s, &c), 0);
	assert_int_equal(pk_sched_queue_info(s, 0, &p, NULL), 0);
	assert_int_equal(p, 3);                   /* a priority too */
	assert_int_equal(pk_sched_queue_info(s, 1, &p, NULL), 0);
	assert_int_equal(p, 0);                   /* not one: prio's default */
	c.policy = "wfq";
	c.params = params;
	c.nb_params = 2;
	assert_int_equal(pk_sched_policy_set(s, &c), 0);
	assert_int_equal(pk_sched_queue_info(s, 0, &p, NULL), 0);
	assert_int_equal(p, 7);
	assert_int_equal(pk_sched_queue_info(s, 1, &p, NULL), 0);
	assert_int_equal(p, 1);                   /* wfq's default */
	pk_stage_destroy(s);
}

/* fq_codel's own flow hash goes with it; drr has none: it stays. */
static void
test_default_classifier_follows(void **state)
{
	struct pk_sched_switch_conf c = { .policy = "drr" };
	uint32_t gen[4] = { 0 }, id;
	struct pk_stage *s = sched_new("fq_codel", 4, false);
	unsigned int len, full = 0, got = 0;
	struct rte_mbuf *m[64];
	uint16_t k;

	(void)state;
	push_flows(s, 4, 8, gen); /* one 5-tuple: one queue */
	assert_int_equal(pk_sched_policy_set(s, &c), 0);
	push_flows(s, 4, 8, gen); /* hashed as before: the same queue */
	for (id = 0; id < 4; id++) {
		assert_int_equal(pk_sched_queue_info(s, id, NULL, &len), 0);
		full += len == 64;
	}
	assert_int_equal(full, 1);
	while ((k = pk_stage_pull(s, m, 64)) != 0) {
		got += k;
		rte_pktmbuf_free_bulk(m, k);
	}
	assert_int_equal(got, 64);
	assert_balance(s, 0);
	pk_stage_destroy(s);
}

/* A backlog over a queue manager's limit arrives as packets would. */
static void
test_to_aqm_over_limit_counted(void **state)
{
	struct pk_sched_aqm_conf a = { .limit = 40 };
	struct pk_sched_switch_conf c = { .policy = "fq_codel", .aqm = &a };
	uint32_t gen[4] = { 0 }, rx[4], seq;
	struct pk_stage *s = sched_new("wfq", 4, true);
	struct pk_stage_stats st;
	struct rte_mbuf *m[80];
	unsigned int left;
	uint16_t k, i;

	(void)state;
	push_flows(s, 4, 20, gen);
	assert_int_equal(pk_sched_policy_set(s, &c), 0);
	left = pk_stage_len(s);
	assert_true(left <= 40 && left > 0);
	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	assert_int_equal(st.drops[PK_DROP_FULL], 80 - left);
	/* the rest in order per flow (drops cut heads): the first sets it */
	memset(rx, 0xff, sizeof(rx));
	k = pk_stage_pull(s, m, 80);
	assert_int_equal(k, left);
	for (i = 0; i < k; i++) {
		seq = pk_test_seq(m[i]);
		if (rx[seq / FLOWS_SEQ] != UINT32_MAX)
			assert_int_equal(seq % FLOWS_SEQ, rx[seq / FLOWS_SEQ]);
		rx[seq / FLOWS_SEQ] = seq % FLOWS_SEQ + 1;
	}
	rte_pktmbuf_free_bulk(m, k);
	assert_balance(s, 80 - left);
	pk_stage_destroy(s);
}

/* Nothing changed: same policy, parameters, backlog. */
static void
assert_unchanged(struct pk_stage *s, const char *policy, unsigned int len)
{
	uint32_t p;

	assert_string_equal(pk_sched_policy_name(s), policy);
	assert_int_equal(pk_stage_len(s), len);
	assert_int_equal(pk_sched_queue_info(s, 1, &p, NULL), 0);
	assert_int_equal(p, 2);
}

static void
test_refused_changes_nothing(void **state)
{
	uint32_t big[64], bad[2] = { 1, 0 }, gen[64] = { 0 }, rx[64] = { 0 };
	struct pk_sched_switch_conf c = { .policy = "nosuch" };
	struct pk_stage *s = sched_new("wfq", 64, true), *ring;
	char err[PK_CTL_ERR_MAX];
	unsigned int i;

	(void)state;
	assert_int_equal(pk_sched_queue_set_param(s, 1, 2), 0);
	push_flows(s, 64, 3, gen);
	assert_int_equal(pk_sched_policy_set(s, &c), -ENOENT);
	assert_unchanged(s, "wfq", 192);
	c.policy = "drr";
	c.params = bad; /* a quantum of 0 */
	c.nb_params = 2;
	assert_int_equal(pk_sched_policy_set(s, &c), -EINVAL);
	assert_unchanged(s, "wfq", 192);
	for (i = 0; i < 64; i++)
		big[i] = 1u << 16; /* each in range, their sum not */
	c.policy = "wfq";
	c.params = big;
	c.nb_params = 64;
	assert_int_equal(pk_sched_policy_set(s, &c), -ENOSPC);
	assert_unchanged(s, "wfq", 192);
	assert_int_equal(pk_ctl_sched_policy("sw", "fq_codel", "limit=0", err,
					     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "limit"));
	assert_int_equal(pk_ctl_sched_policy("sw", "fq_cod", NULL, err,
					     sizeof(err)), -ENOENT);
	assert_int_equal(pk_ctl_sched_policy("sw", "fq_codel", "quantum=3",
					     err, sizeof(err)), -EINVAL);
	assert_unchanged(s, "wfq", 192);
	/* a queue manager takes internal queues only */
	ring = pk_test_ring("sw_ring", 64);
	assert_int_equal(pk_sched_queue_attach(s,
		&(struct pk_sched_queue_conf){ ring, 1 }), 64);
	assert_int_equal(pk_ctl_sched_policy("sw", "fq_pie", NULL, err,
					     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "internal queues only"));
	assert_unchanged(s, "wfq", 192);
	assert_int_equal(pk_sched_queue_detach(s, 64, NULL), 0);
	pk_stage_destroy(ring);
	assert_int_equal(pk_ctl_sched_policy("sw", "drr", "param=default",
					     err, sizeof(err)), 0);
	assert_int_equal(pull_check(s, UINT32_MAX, rx), 192);
	pk_stage_destroy(s);
}

static void
test_switch_while_running(void **state)
{
	struct pk_thread_conf tg = { .name = "sw_gen", .burst = 32 };
	struct pk_thread_conf to = { .name = "sw_out", .burst = 32 };
	struct flows *f = calloc(1, sizeof(*f));
	struct pk_stage *s, *gen, *sink;
	struct pk_thread *t1, *t2;
	char err[PK_CTL_ERR_MAX];
	unsigned int k, backlogged = 0;
	struct pk_stage_stats st;
	struct pk_runner *r;

	(void)state;
	f->mp = pool;
	f->nb_flows = 64;
	f->total = 64 * 1000;
	f->in_flight = 2048;
	f->frame = 64;
	s = sched_new("wfq", 64, true);
	/* shaped on the TSC, so that a backlog stands at each switch */
	assert_int_equal(pk_sched_set_clock(s, NULL, NULL, 0), 0);
	assert_int_equal(pk_sched_set_shaper(s, 200000000, 24, 0), 0);
	gen = flows_stage(f, "sw_src", true);
	sink = flows_stage(f, "sw_sink", false);
	r = pk_runner_create("sw_r", rte_get_next_lcore(-1, 1, 0),
			     SOCKET_ID_ANY);
	assert_non_null(r);
	t1 = pk_thread_continuation_create(&tg, r);
	t2 = pk_thread_continuation_create(&to, r);
	assert_int_equal(pk_stage_link(gen, pk_thread_stage(t1)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t1), s), 0);
	assert_int_equal(pk_stage_link(s, pk_thread_stage(t2)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t2), sink), 0);
	assert_int_equal(pk_thread_start(t1), 0);
	assert_int_equal(pk_thread_start(t2), 0);
	assert_int_equal(pk_runner_start(r), 0);
	for (k = 0; k < 12; k++) {
		flows_wait_received(f, (k + 1) * f->total / 14);
		assert_int_equal(pk_stage_stats_get(s, &st), 0);
		backlogged += st.held != 0;
		/* a queue manager that never drops here: all must arrive */
		assert_int_equal(pk_ctl_sched_policy("sw", cycle[k % 4],
			"param=default target=10s interval=10s", err,
			sizeof(err)), 0);
	}
	flows_wait_received(f, f->total);
	assert_int_equal(pk_runner_stop(r), 0);
	assert_int_equal(f->out_of_order, 0);
	assert_int_equal(f->generated, f->total);
	assert_int_equal(f->received, f->total);
	assert_true(backlogged > 0); /* the switches moved packets */
	assert_string_equal(pk_sched_policy_name(s), "wfq");
	assert_balance(s, 0);
	pk_thread_destroy(t1);
	pk_thread_destroy(t2);
	pk_runner_destroy(r);
	pk_stage_destroy(s);
	pk_stage_destroy(gen);
	pk_stage_destroy(sink);
	free(f);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backlog_moves_in_order),
		cmocka_unit_test(test_params_kept_or_defaulted),
		cmocka_unit_test(test_default_classifier_follows),
		cmocka_unit_test(test_to_aqm_over_limit_counted),
		cmocka_unit_test(test_refused_changes_nothing),
		cmocka_unit_test(test_switch_while_running),
	};
	int rc;

	pk_test_require_cores("test_sched_switch", 2);
	pk_test_eal_init("test_sched_switch", NULL, eal);
	pool = pk_test_pool("sw_pool", 8191);
	rc = cmocka_run_group_tests(tests, NULL, pk_test_teardown_pools_full);
	pk_test_eal_cleanup();
	return rc;
}
