/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of what runs, under attack, through DPDK's real telemetry
 * socket: hostile parameters to /pathkit/path, thread, runner and sched
 * answered null whatever lives; replies asked for while another thread
 * creates and destroys the very objects named (run under ASan, a reply
 * that read freed memory fails). What the replies say:
 * test_objects_telemetry.c.
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

#define PA "/pathkit/path"
#define TH "/pathkit/thread"
#define RU "/pathkit/runner"
#define SC "/pathkit/sched"
#define LONG31 "thost_0123456789abcdefghijklmno" /* PK_STAGE_NAMESIZE - 1 */

/* Answered null whatever lives (objects named thost* and LONG31 do). */
static const char *const hostile[] = {
	PA, PA ",", PA ",,thost", PA ",thost,", PA ",thost ", PA ", thost",
	PA ",THOST", PA ",thos", PA ",thostx", PA ",thost\x01", PA ",thost\xff",
	PA "," LONG31 "x", PA "," LONG31 LONG31, PA ",%s%n", PA "s,thost",
	PA ",thost.q",
	TH, TH ",", TH ",thost.t,", TH ",thost.t ", TH ",thost", TH ",thost.q",
	TH "," LONG31 "x", TH "s,thost.t", TH ",thost.t\n",
	RU, RU ",", RU ",thost.r,", RU ",thost.rr", RU ",thost", RU ",*",
	RU "," LONG31 "x", RU "s,thost.r",
	SC, SC ",", SC ",thost.s,", SC ",thost.s ", SC ",thost", SC ",thost.q",
	SC "," LONG31 "x", SC "s,thost.s", SC ",thost.s,0",
};

static void
test_hostile(void **state)
{
	struct pk_path_conf pc = { .name = "thost", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *q, *sc, *lq, *t;
	struct pk_path *p, *lp;
	struct pk_runner *r;
	unsigned int i;

	(void)state;
	q = pk_test_ring("thost.q", 64);
	lq = pk_test_ring("thost.lq", 64);
	p = pk_path_create(&pc, &q, 1);
	assert_non_null(p);
	r = pk_runner_create("thost.r", 1, SOCKET_ID_ANY);
	assert_non_null(r);
	t = pk_stage_create("thread_entry", "thost.t", NULL, SOCKET_ID_ANY);
	assert_non_null(t);
	sc = pk_stage_create("pktsched", "thost.s", "nq=1", SOCKET_ID_ANY);
	assert_non_null(sc);
	pc.name = LONG31;
	lp = pk_path_create(&pc, &lq, 1);
	assert_non_null(lp);
	for (i = 0; i < RTE_DIM(hostile); i++)
		null_reply(hostile[i]);
	/* and the good names, for contrast */
	assert_non_null(strstr(tel(PA ",thost"), "\"name\":\"thost\""));
	assert_non_null(strstr(tel(PA "," LONG31), "\"name\":\"" LONG31));
	assert_non_null(strstr(tel(TH ",thost.t"), "\"name\":\"thost.t\""));
	assert_non_null(strstr(tel(RU ",thost.r"), "\"name\":\"thost.r\""));
	assert_non_null(strstr(tel(SC ",thost.s"), "\"name\":\"thost.s\""));
	pk_stage_destroy(sc);
	pk_stage_destroy(t);
	pk_runner_destroy(r);
	pk_path_destroy(p);
	pk_path_destroy(lp);
}

/* ---- replies while the objects they name come and go ---- */

static volatile int churn_stop;

/* The control thread: builds and destroys a path with a continuation
 * thread of a runner, and a scheduler over the path, again and again. */
static void *
churn(void *arg)
{
	struct pk_path_conf pc = { .name = "tchurn", .owner = 0,
				   .socket_id = SOCKET_ID_ANY };
	struct pk_sched_queue_conf qc = { .param = 2 };
	unsigned int *rounds = arg;

	while (!churn_stop) {
		struct pk_runner *r = pk_runner_create("tchurn.r", 3,
						       SOCKET_ID_ANY);
		struct pk_stage *s[2], *sc;
		struct pk_path *p;

		if (r == NULL)
			break;
		s[0] = pk_stage_create("thread_continuation", "tchurn.t",
				       "runner=tchurn.r", SOCKET_ID_ANY);
		s[1] = pk_stage_create("queue_ring", "tchurn.q", NULL,
				       SOCKET_ID_ANY);
		p = s[0] != NULL && s[1] != NULL ? pk_path_create(&pc, s, 2) :
						   NULL;
		sc = pk_stage_create("pktsched", "tchurn.s", "nq=2",
				     SOCKET_ID_ANY);
		if (p == NULL || sc == NULL)
			break;
		qc.stage = pk_path_stage(p);
		pk_sched_queue_attach(sc, &qc);
		/* the runner first: threads keep a pointer to it */
		pk_runner_destroy(r);
		pk_stage_destroy(sc);
		pk_path_destroy(p);
		(*rounds)++;
	}
	return NULL;
}

/* Send cmd, read the reply, quietly; assert only that one came. */
static void
tel_quiet(const char *cmd)
{
	ssize_t n;

	assert_int_equal(write(sock, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	n = read(sock, reply, sizeof(reply) - 1);
	assert_true(n > 0);
	reply[n] = '\0';
}

static void
test_replies_while_churning(void **state)
{
	static const char *const cmds[] = {
		"/pathkit/paths", PA ",tchurn", "/pathkit/threads",
		TH ",tchurn.t", "/pathkit/runners", RU ",tchurn.r",
		"/pathkit/scheds", SC ",tchurn.s", "/pathkit/owner,unknown",
		"/pathkit/stage,tchurn.q",
	};
	unsigned int i, rounds = 0, found = 0;
	pthread_t th;

	(void)state;
	churn_stop = 0;
	assert_int_equal(pthread_create(&th, NULL, churn, &rounds), 0);
	for (i = 0; i < 3000; i++) {
		tel_quiet(cmds[i % RTE_DIM(cmds)]);
		found += strstr(reply, "\"name\":\"tchurn") != NULL;
	}
	churn_stop = 1;
	pthread_join(th, NULL);
	print_message("%u rounds of create and destroy, %u replies of 3000 "
		      "found the object\n", rounds, found);
	assert_true(rounds > 0);
	assert_null(strstr(tel("/pathkit/paths"), "tchurn"));
	assert_null(pk_runner_find("tchurn.r"));
}

int
main(void)
{
	static const char *const eal[] = { "--telemetry", "--lcores=0,1@0",
					   NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_hostile,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_replies_while_churning,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_objects_telemetry_churn", NULL, eal);
	pool = pk_test_pool("test_objtel_churn", 1024);
	sock = pk_test_tel_connect();
	if (sock < 0) {
		fprintf(stderr, "test_objects_telemetry_churn: no telemetry "
			"socket in %s\n", rte_eal_get_runtime_dir());
		pk_test_eal_cleanup();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	close(sock);
	pk_test_eal_cleanup();
	return rc;
}
