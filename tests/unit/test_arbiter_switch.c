/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The arbiter and its scheduler's policy, and what that scheduler drops.
 * Covered:
 *  - packets a queue manager (fq_codel) drops inside the arbiter's
 *    scheduler are the client's dropped (reason in dropped_aqm), not held:
 *    after the stop, held is 0 and admitted == sent + dropped (the arbiter
 *    used to count them as held in the scheduler forever);
 *  - the same for drops past a queue manager's limit (dropped_full), on
 *    a switch to fq_codel with a small limit;
 *  - a launched arbiter (worker lcore) with 4 client threads pushing
 *    numbered packets: 12 switches through wfq -> fq_codel -> drr ->
 *    fq_pie (pk_arbiter_policy_set(), the last through pk_ctl by the
 *    arbiter's name) while they push: every packet sent once, in order
 *    per client, nothing dropped or held at the end; a refused switch
 *    (unknown policy, bad parameter) changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_flows.h"

#define CLIENTS 4
#define PER_CLIENT 8000
#define MS 1000000ULL

static struct rte_mempool *pool;
static uint64_t now_ns;

static uint64_t
fake_clock(void *arg)
{
	return *(uint64_t *)arg;
}

/* Push n frames of len bytes into client c's mailbox, numbered from first. */
static void
push_client(struct pk_arbiter *a, uint32_t c, unsigned int n, uint16_t len,
	    uint32_t first)
{
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m = pk_test_udp4(pool, len, 64, c * FLOWS_SEQ + first + i);
		assert_int_equal(pk_stage_push(pk_arbiter_client(a, c), &m, 1),
				 1);
	}
}

/* An arbiter of nc clients on the fake clock, shaped, into f's sink. */
static struct pk_arbiter *
arb_new(const char *policy, uint32_t nc, struct flows *f,
	struct pk_stage **sink)
{
	struct pk_arbiter_conf c = {
		.nb_clients = nc, .policy = policy, .rate_bps = 1000000,
		.clock = fake_clock, .clock_arg = &now_ns,
		.clock_hz = 1000000000, .lcore_id = PK_ARBITER_LCORE_NONE,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_arbiter *a;

	f->mp = pool;
	f->nb_flows = nc;
	*sink = flows_stage(f, "arb_sink", false);
	assert_non_null(*sink);
	c.out = *sink;
	a = pk_arbiter_create("arb", &c);
	assert_non_null(a);
	return a;
}

/* After the stop: nothing held, admitted == sent + dropped. */
static void
assert_stopped_balance(struct pk_arbiter *a, uint64_t dropped)
{
	struct pk_arbiter_client_stats cs;
	struct pk_arbiter_stats st;
	uint64_t adm = 0, out = 0, drop = 0;
	uint32_t i;

	for (i = 0; i < pk_arbiter_nb_clients(a); i++) {
		assert_int_equal(pk_arbiter_client_stats_get(a, i, &cs), 0);
		assert_int_equal(cs.held, 0);
		assert_int_equal(cs.admitted, cs.sent + cs.dropped);
		adm += cs.admitted;
		out += cs.sent;
		drop += cs.dropped;
	}
	assert_int_equal(pk_arbiter_stats_get(a, &st), 0);
	assert_int_equal(st.held, 0);
	assert_int_equal(st.held_sched, 0);
	assert_int_equal(drop, dropped);
	assert_int_equal(adm, out + drop);
}

static void
test_aqm_drops_are_dropped_not_held(void **state)
{
	struct flows *f = calloc(1, sizeof(*f));
	struct pk_stage_stats ss;
	struct pk_arbiter_stats st;
	struct pk_stage *sink;
	struct pk_arbiter *a;
	unsigned int i;

	(void)state;
	now_ns = 1;
	a = arb_new("fq_codel", 1, f, &sink);
	push_client(a, 0, 200, 1000, 0);
	/* a standing queue at 1 Mbit/s: CoDel drops from it after 100 ms */
	for (i = 0; i < 100; i++) {
		pk_arbiter_run(a, 8);
		now_ns += 10 * MS;
	}
	assert_int_equal(pk_arbiter_stop(a), 0);
	assert_int_equal(pk_stage_stats_get(pk_arbiter_sched(a), &ss), 0);
	assert_true(ss.drops[PK_DROP_AQM] > 0);
	assert_int_equal(pk_arbiter_stats_get(a, &st), 0);
	assert_int_equal(st.dropped_aqm, ss.drops[PK_DROP_AQM]);
	assert_int_equal(st.dropped_full, 0);
	assert_stopped_balance(a, ss.drops[PK_DROP_AQM]);
	assert_int_equal(f->received + ss.drops[PK_DROP_AQM], 200);
	pk_arbiter_destroy(a);
	pk_stage_destroy(sink);
	free(f);
}

static void
test_switch_to_small_limit_counts_full(void **state)
{
	struct pk_sched_aqm_conf aq = { .limit = 50 };
	struct pk_sched_switch_conf c = { .policy = "fq_codel", .aqm = &aq };
	struct flows *f = calloc(1, sizeof(*f));
	struct pk_arbiter_stats st;
	struct pk_stage *sink;
	struct pk_arbiter *a;

	(void)state;
	now_ns = 1;
	a = arb_new("wfq", 2, f, &sink);
	push_client(a, 0, 100, 200, 0);
	push_client(a, 1, 100, 200, 0);
	pk_arbiter_run(a, 8); /* drained; the link lets few go */
	assert_int_equal(pk_arbiter_policy_set(a, &c), 0);
	assert_string_equal(pk_sched_policy_name(pk_arbiter_sched(a)),
			    "fq_codel");
	assert_int_equal(pk_arbiter_stats_get(a, &st), 0);
	assert_true(st.dropped_full > 0);
	assert_true(st.held_sched <= 50);
	assert_int_equal(pk_arbiter_stop(a), 0);
	assert_int_equal(pk_arbiter_stats_get(a, &st), 0);
	assert_stopped_balance(a, st.dropped_full + st.dropped_aqm);
	assert_int_equal(f->received + st.dropped_full + st.dropped_aqm, 200);
	pk_arbiter_destroy(a);
	pk_stage_destroy(sink);
	free(f);
}

struct client {
	struct pk_stage *mb;
	uint32_t id;
};

/* A client thread: its numbered packets, bursts of 16, refused ones again. */
static void *
client_main(void *arg)
{
	struct client *c = arg;
	struct rte_mbuf *m[16];
	uint32_t next = 0;
	uint16_t n = 0, k;

	while (next < PER_CLIENT || n != 0) {
		/* never let pk_test_udp4() assert off the main thread */
		if (rte_mempool_avail_count(pool) < 256) {
			sched_yield();
			continue;
		}
		while (n < 16 && next < PER_CLIENT)
			m[n++] = pk_test_udp4(pool, 64, 64, c->id * FLOWS_SEQ +
					      next++);
		k = pk_stage_push(c->mb, m, n);
		memmove(m, &m[k], (n - k) * sizeof(*m));
		n -= k;
		if (n == 16)
			sched_yield(); /* mailbox full: the arbiter is behind */
	}
	return NULL;
}

static void
test_switch_while_clients_push(void **state)
{
	static const char *const cycle[] = { "fq_codel", "drr", "fq_pie",
					     "wfq" };
	struct pk_sched_aqm_conf aq = { .target_ns = 10000 * MS,
					.interval_ns = 10000 * MS };
	struct pk_sched_switch_conf c = { .aqm = &aq };
	uint32_t params[CLIENTS], i, k, bad[CLIENTS] = { 0 };
	struct flows *f = calloc(1, sizeof(*f));
	struct client cl[CLIENTS];
	pthread_t th[CLIENTS];
	char err[PK_CTL_ERR_MAX];
	struct pk_stage *sink;
	struct pk_arbiter *a;
	struct pk_arbiter_conf ac = {
		.nb_clients = CLIENTS, .policy = "wfq", .rate_bps = 200000000,
		.lcore_id = rte_get_next_lcore(-1, 1, 0),
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};

	(void)state;
	f->mp = pool;
	f->nb_flows = CLIENTS;
	sink = flows_stage(f, "arbc_sink", false);
	assert_non_null(sink);
	ac.out = sink;
	a = pk_arbiter_create("arbc", &ac);
	assert_non_null(a);
	for (i = 0; i < CLIENTS; i++)
		params[i] = PK_SCHED_PARAM_DEFAULT;
	c.params = params;
	c.nb_params = CLIENTS;
	assert_int_equal(pk_arbiter_start(a), 0);
	for (i = 0; i < CLIENTS; i++) {
		cl[i].mb = pk_arbiter_client(a, i);
		cl[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, client_main,
						&cl[i]), 0);
	}
	for (k = 0; k < 12; k++) {
		flows_wait_received(f, (k + 1) * CLIENTS * PER_CLIENT / 14);
		c.policy = cycle[k % 4];
		if (k == 11) /* by name, as telemetry and the prompt do */
			assert_int_equal(pk_ctl_sched_policy("arbc", "wfq",
				"param=default", err, sizeof(err)), 0);
		else
			assert_int_equal(pk_arbiter_policy_set(a, &c), 0);
		assert_string_equal(pk_sched_policy_name(pk_arbiter_sched(a)),
				    c.policy);
	}
	/* refused: nothing changes, the traffic goes on */
	c.policy = "nosuch";
	assert_int_equal(pk_arbiter_policy_set(a, &c), -ENOENT);
	c.policy = "prio";
	bad[1] = 99;
	c.params = bad;
	assert_int_equal(pk_arbiter_policy_set(a, &c), -EINVAL);
	assert_string_equal(pk_sched_policy_name(pk_arbiter_sched(a)), "wfq");
	for (i = 0; i < CLIENTS; i++)
		pthread_join(th[i], NULL);
	flows_wait_received(f, CLIENTS * PER_CLIENT);
	assert_int_equal(pk_arbiter_stop(a), 0);
	assert_int_equal(f->out_of_order, 0);
	assert_int_equal(f->received, CLIENTS * PER_CLIENT);
	assert_stopped_balance(a, 0);
	pk_arbiter_destroy(a);
	pk_stage_destroy(sink);
	free(f);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aqm_drops_are_dropped_not_held),
		cmocka_unit_test(test_switch_to_small_limit_counts_full),
		cmocka_unit_test(test_switch_while_clients_push),
	};
	int rc;

	pk_test_require_cores("test_arbiter_switch", 2);
	pk_test_eal_init("test_arbiter_switch", NULL, eal);
	pool = pk_test_pool("arbsw_pool", 8191);
	rc = cmocka_run_group_tests(tests, NULL, pk_test_teardown_pools_full);
	pk_test_eal_cleanup();
	return rc;
}
