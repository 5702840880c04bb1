/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of what runs: paths, threads, runners and schedulers, through
 * DPDK's real telemetry socket (as dpdk-telemetry.py uses it).
 *  - /pathkit/paths and /pathkit/path,NAME: owner, members in order, and
 *    counters that balance (in = out + drops + held), exactly; an owner's
 *    "paths" sums in /pathkit/owner,NAME; a stage that is not a path, an
 *    unknown or destroyed one answered null;
 *  - /pathkit/threads and /pathkit/thread,NAME for each kind: where it runs
 *    (an lcore, a runner and its lcore, -1 for an entry thread), shares,
 *    runs and packets; a thread whose runner was destroyed names none;
 *  - /pathkit/runners and /pathkit/runner,NAME: attached and scheduled
 *    threads, decisions, the pick (ring: one thread, shares alike);
 *  - /pathkit/scheds and /pathkit/sched,NAME: policy, rate, each queue's
 *    stage, weight and backlog (their sum what is queued, exactly); a
 *    detached queue gone; more queues than a reply lists;
 *  - every command listed by "/".
 * Hostile parameters and replies during churn:
 * test_objects_telemetry_churn.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "objects_tel_fixture.h"

/*
 * Every command is listed: DPDK refuses a registration silently (a help
 * text of 128 bytes or more, say), and then answers its command null.
 */
static void
test_commands_listed(void **state)
{
	static const char *const cmds[] = {
		"/pathkit/paths", "/pathkit/path", "/pathkit/threads",
		"/pathkit/thread", "/pathkit/runners", "/pathkit/runner",
		"/pathkit/scheds", "/pathkit/sched", "/pathkit/stages",
		"/pathkit/stage", "/pathkit/owners", "/pathkit/owner",
	};
	char quoted[64];
	unsigned int i;

	(void)state;
	tel("/");
	for (i = 0; i < RTE_DIM(cmds); i++) {
		snprintf(quoted, sizeof(quoted), "\"%s\"", cmds[i]);
		has(quoted);
	}
}

/*
 * A path noop -> ring(16, 15 slots), tail drop: 20 pushed, 5 dropped
 * full, 4 pulled, 11 held. Its owner sees the same sums.
 */
static void
test_path(void **state)
{
	struct pk_path_conf pc = { .name = "tp", .tail = PK_PATH_TAIL_DROP,
				   .socket_id = SOCKET_ID_ANY };
	struct rte_mbuf *m[20];
	struct pk_stage *s[2];
	struct pk_path *p;
	char want[512];
	int owner;

	(void)state;
	owner = pk_owner_create("telown");
	assert_true(owner > 0);
	pc.owner = (uint32_t)owner;
	s[0] = pk_stage_create("proc_noop", "tpnoop", NULL, SOCKET_ID_ANY);
	s[1] = pk_queue_ring_create("tpq", 16, 0, 0, SOCKET_ID_ANY);
	assert_non_null(s[0]);
	assert_non_null(s[1]);
	p = pk_path_create(&pc, s, 2);
	assert_non_null(p);
	pk_test_burst(pool, m, 20, 0);
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 20), 20);
	assert_int_equal(pk_stage_pull(pk_path_stage(p), m, 4), 4);
	rte_pktmbuf_free_bulk(m, 4);

	tel("/pathkit/paths");
	has("\"tp\"");
	assert_null(strstr(reply, "\"tpq\""));   /* a member, not a path */
	snprintf(want, sizeof(want), "{\"/pathkit/path\":{\"name\":\"tp\","
		 "\"owner\":\"telown\",\"owner_id\":%d,\"acct\":\"none\","
		 "\"stages\":2,\"members\":[\"tpnoop\",\"tpq\"],\"dropped\":5,"
		 "\"in_pkts\":20,\"in_bytes\":0,\"out_pkts\":4,\"out_bytes\":0,"
		 "\"held\":11,\"drop_full\":5,\"refused_full\":0,", owner);
	tel("/pathkit/path,tp");
	assert_int_equal(strncmp(reply, want, strlen(want)), 0);
	tel("/pathkit/owner,telown");
	has("\"paths\":{\"paths\":1,\"in_pkts\":20,\"out_pkts\":4,"
	    "\"dropped\":5,\"held\":11}");
	null_reply("/pathkit/path,tpq");
	null_reply("/pathkit/path,nosuch");

	pk_path_destroy(p); /* frees the 11 it holds */
	assert_null(strstr(tel("/pathkit/paths"), "\"tp\""));
	null_reply("/pathkit/path,tp");
	tel("/pathkit/owner,telown");
	has("\"paths\":{\"paths\":0,\"in_pkts\":0,");
	assert_int_equal(pk_owner_destroy((uint32_t)owner), 0);
}

/*
 * q0 -> tcont (continuation of runner trun, shares 3) -> q1, run here by
 * pk_runner_run(); q2 -> tentry -> q3, run by pk_thread_entry_run();
 * tlcore on lcore 1, never started.
 */
static void
test_threads_and_runner(void **state)
{
	struct pk_stage *q[4], *tcont, *tentry, *tlcore;
	struct rte_mbuf *m[16];
	struct pk_runner *r;
	unsigned int i;
	char name[8];

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "tq%u", i);
		q[i] = pk_test_ring(name, 64);
	}
	r = pk_runner_create("trun", 5, SOCKET_ID_ANY); /* never launched */
	assert_non_null(r);
	tcont = pk_stage_create("thread_continuation", "tcont",
				"runner=trun,shares=3", SOCKET_ID_ANY);
	tentry = pk_stage_create("thread_entry", "tentry", NULL, SOCKET_ID_ANY);
	tlcore = pk_stage_create("thread_lcore", "tlcore", "lcore=1",
				 SOCKET_ID_ANY);
	assert_non_null(tcont);
	assert_non_null(tentry);
	assert_non_null(tlcore);
	assert_int_equal(pk_stage_link(q[0], tcont), 0);
	assert_int_equal(pk_stage_link(tcont, q[1]), 0);
	assert_int_equal(pk_stage_link(q[2], tentry), 0);
	assert_int_equal(pk_stage_link(tentry, q[3]), 0);
	assert_int_equal(pk_thread_start(pk_thread_from_stage(tcont)), 0);
	assert_int_equal(pk_thread_start(pk_thread_from_stage(tentry)), 0);
	pk_test_burst(pool, m, 16, 0);
	assert_int_equal(pk_stage_push(q[0], m, 16), 16);
	pk_test_burst(pool, m, 7, 0);
	assert_int_equal(pk_stage_push(q[2], m, 7), 7);
	assert_true(pk_runner_run(r, 4) > 0);
	assert_int_equal(pk_thread_entry_run(pk_thread_from_stage(tentry)), 7);

	tel("/pathkit/threads");
	has("\"tcont\"");
	has("\"tentry\"");
	has("\"tlcore\"");
	assert_null(strstr(reply, "\"tq0\""));
	tel("/pathkit/thread,tcont");
	has("{\"/pathkit/thread\":{\"name\":\"tcont\","
	    "\"kind\":\"thread_continuation\",\"state\":\"running\","
	    "\"lcore\":5,\"runner\":\"trun\",\"path\":\"\",\"shares\":3,"
	    "\"burst\":32,\"budget\":256,");
	has("\"pkts\":16,");
	has("\"in_pkts\":16,\"in_bytes\":0,\"out_pkts\":16,");
	tel("/pathkit/thread,tentry");
	has("\"kind\":\"thread_entry\",\"state\":\"running\",\"lcore\":-1,"
	    "\"runner\":\"\",");
	has("\"runs\":1,\"idle_runs\":0,\"pkts\":7,");
	tel("/pathkit/thread,tlcore");
	has("\"kind\":\"thread_lcore\",\"state\":\"stopped\",\"lcore\":1,"
	    "\"runner\":\"\",");
	has("\"runs\":0,");
	null_reply("/pathkit/thread,tq0");
	null_reply("/pathkit/thread,trun");

	assert_non_null(strstr(tel("/pathkit/runners"), "\"trun\""));
	tel("/pathkit/runner,trun");
	has("{\"/pathkit/runner\":{\"name\":\"trun\",\"lcore\":5,"
	    "\"state\":\"stopped\",\"attached\":1,\"threads\":1,");
	assert_null(strstr(reply, "\"decisions\":0,"));
	has("\"pick\":\"ring\",\"pick_switches\":0");
	null_reply("/pathkit/runner,tcont");

	/* its runner gone, a thread names none (nor reads the freed one) */
	pk_runner_destroy(r);
	assert_null(strstr(tel("/pathkit/runners"), "\"trun\""));
	null_reply("/pathkit/runner,trun");
	tel("/pathkit/thread,tcont");
	has("\"state\":\"stopped\",\"lcore\":-1,\"runner\":\"\",");

	pk_stage_destroy(tcont);
	pk_stage_destroy(tentry);
	pk_stage_destroy(tlcore);
	null_reply("/pathkit/thread,tcont");
	assert_int_equal(drain(q[1]), 16);
	assert_int_equal(drain(q[3]), 7);
	for (i = 0; i < 4; i++)
		pk_stage_destroy(q[i]);
}

/* Sum the "backlog" values of a /pathkit/sched reply. */
static unsigned int
backlog_sum(void)
{
	const char *p = reply;
	unsigned int sum = 0;

	while ((p = strstr(p, "\"backlog\":")) != NULL) {
		p += strlen("\"backlog\":");
		sum += (unsigned int)strtoul(p, NULL, 10);
	}
	return sum;
}

/*
 * wfq over two rings (weights 1 and 3) and an internal FIFO: 5, 7 and 4
 * queued, 6 pulled: backlogs add up to 10, whatever the order.
 */
static void
test_sched(void **state)
{
	struct pk_sched_conf c = { .policy = "wfq",
				   .socket_id = SOCKET_ID_ANY };
	struct pk_sched_queue_conf qc = { .param = 1 };
	struct rte_mbuf *m[8], *head;
	struct pk_stage *s, *ring[2];
	unsigned int i;
	int qid[3];

	(void)state;
	s = pk_sched_create("tsch", &c);
	assert_non_null(s);
	ring[0] = pk_test_ring("tsq0", 64);
	ring[1] = pk_test_ring("tsq1", 64);
	qc.stage = ring[0];
	qid[0] = pk_sched_queue_attach(s, &qc);
	qc.stage = ring[1];
	qc.param = 3;
	qid[1] = pk_sched_queue_attach(s, &qc);
	qc.stage = NULL;
	qc.param = PK_SCHED_PARAM_DEFAULT;
	qid[2] = pk_sched_queue_attach(s, &qc);
	for (i = 0; i < 3; i++)
		assert_true(qid[i] >= 0);
	pk_test_burst(pool, m, 5, 0);
	assert_int_equal(pk_stage_push(ring[0], m, 5), 5);
	pk_test_burst(pool, m, 7, 0);
	assert_int_equal(pk_stage_push(ring[1], m, 7), 7);
	pk_test_burst(pool, m, 4, 0);
	for (i = 0; i < 4; i++)
		m[i]->hash.sched.queue_id = (uint32_t)qid[2];
	assert_int_equal(pk_stage_push(s, m, 4), 4);
	assert_int_equal(pk_stage_pull(s, m, 6), 6);
	rte_pktmbuf_free_bulk(m, 6);

	assert_non_null(strstr(tel("/pathkit/scheds"), "\"tsch\""));
	assert_null(strstr(reply, "\"tsq0\""));
	tel("/pathkit/sched,tsch");
	has("{\"/pathkit/sched\":{\"name\":\"tsch\",\"policy\":\"wfq\","
	    "\"param\":\"weight\",\"rate_bps\":0,\"overhead\":24,");
	has("\"queues\":3,\"ecn_marked\":0,\"listed\":3,");
	has("\"out_pkts\":6,");
	has("\"q0\":{\"id\":0,\"stage\":\"tsq0\",\"weight\":1,\"backlog\":");
	has("\"q1\":{\"id\":1,\"stage\":\"tsq1\",\"weight\":3,\"backlog\":");
	has("\"q2\":{\"id\":2,\"stage\":\"\",\"weight\":1,\"backlog\":");
	assert_int_equal(backlog_sum(), 10);
	null_reply("/pathkit/sched,tsq0");
	null_reply("/pathkit/sched,nosuch");

	/* a detached queue leaves the reply; the rest stays exact */
	head = NULL;
	assert_int_equal(pk_sched_queue_detach(s, (uint32_t)qid[1], &head), 0);
	if (head != NULL)
		rte_pktmbuf_free(head);
	i = drain(ring[1]) + (head != NULL);
	tel("/pathkit/sched,tsch");
	has("\"queues\":2,\"ecn_marked\":0,\"listed\":2,");
	assert_null(strstr(reply, "tsq1"));
	assert_int_equal(backlog_sum() + i, 10);
	pk_stage_destroy(ring[1]);

	pk_stage_destroy(s); /* frees its FIFO's and head slots' packets */
	assert_null(strstr(tel("/pathkit/scheds"), "\"tsch\""));
	null_reply("/pathkit/sched,tsch");
	drain(ring[0]);
	pk_stage_destroy(ring[0]);
}

/* 100 internal queues: the first 64 described, all counted, one reply. */
static void
test_sched_many_queues(void **state)
{
	struct pk_stage *s;

	(void)state;
	s = pk_stage_create("pktsched", "tschmany",
			    "policy=drr,nq=100,rate=1000000",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	tel("/pathkit/sched,tschmany");
	has("\"policy\":\"drr\",\"param\":\"quantum\","
	    "\"rate_bps\":1000000,");
	has("\"queues\":100,\"ecn_marked\":0,\"listed\":64,");
	has("\"q63\":{\"id\":63,");
	assert_null(strstr(reply, "\"q64\""));
	assert_string_equal(reply + strlen(reply) - 2, "}}");
	pk_stage_destroy(s);
}


int
main(void)
{
	static const char *const eal[] = { "--telemetry", "--lcores=0,1@0",
					   NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands_listed),
		cmocka_unit_test_teardown(test_path,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_threads_and_runner,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sched,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sched_many_queues,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_objects_telemetry", NULL, eal);
	pool = pk_test_pool("test_objects_telemetry", 1024);
	sock = pk_test_tel_connect();
	if (sock < 0) {
		fprintf(stderr, "test_objects_telemetry: no telemetry socket "
			"in %s\n", rte_eal_get_runtime_dir());
		pk_test_eal_cleanup();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	close(sock);
	pk_test_eal_cleanup();
	return rc;
}
