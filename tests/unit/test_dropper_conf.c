/* SPDX-License-Identifier: BSD-3-Clause */
/* Droppers (pk_dropper.h) carried and configured: queue_local and mailbox
 * carry one too, and an MP queue_ring pushed from two lcores; setting,
 * changing, removing and bad configurations; the red= and pie= arguments,
 * and through the configuration language; pk_dropper_parse()'s defaults
 * and refusals. How they decide: test_dropper.c.
 * Every test checks conservation where packets flow and that the pools are
 * full at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_random.h>
#include <rte_red.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_queue_worker.h>

#include "pk_test.h"
#include "dropper_fixture.h"

/* queue_local and mailbox carry droppers through the same setter; an MP
 * queue_ring too (its pushers lock). */
static void
test_other_queue_kinds(void **state)
{
	struct pk_dropper_conf c = red_conf(2, 4, 10, 1);
	struct pk_stage *s[3];
	struct tally t[3] = { { 0 } };
	unsigned int i;
	int j;

	(void)state;
	s[0] = pk_queue_local_create("ql", 64, 0, SOCKET_ID_ANY);
	s[1] = pk_mailbox_create("mb", 64, 0, SOCKET_ID_ANY);
	s[2] = pk_queue_ring_create("qmp", 64, PK_QUEUE_F_MP, 0,
				    SOCKET_ID_ANY);
	for (i = 0; i < RTE_DIM(s); i++) {
		assert_non_null(s[i]);
		assert_int_equal(pk_queue_set_dropper(s[i], &c), 0);
		for (j = 0; j < 20; j++)
			push_burst(s[i], 8, &t[i]);
		assert_true(pk_stage_len(s[i]) < 12);
		assert_true(drops(s[i], PK_DROP_RED) > 100);
		assert_conserved(s[i], &t[i], PK_DROP_RED);
		pk_stage_destroy(s[i]);
	}
}

#define MT_BURSTS 20000

/* The worker's pushes into an MP queue with RED: 8 at a time, refused ones
 * freed (counted by the queue as refused). */
static int
mt_red_pusher(void *arg)
{
	struct pk_stage *q = arg;
	struct rte_mbuf *m[8];
	unsigned int b;
	uint16_t k;

	for (b = 0; b < MT_BURSTS; b++) {
		while (rte_pktmbuf_alloc_bulk(pool, m, 8) != 0)
			;
		k = pk_stage_push(q, m, 8);
		if (k < 8)
			rte_pktmbuf_free_bulk(&m[k], 8 - k);
	}
	return 0;
}

/* Two lcores push into an MP queue_ring carrying RED (its pushers take
 * the dropper's lock) while the main one also drains: every packet is
 * pulled, dropped "red" or refused, none twice, none lost. */
static void
test_red_mp_two_lcores(void **state)
{
	struct pk_dropper_conf c = red_conf(16, 48, 4, 3);
	struct tally t = { 0 };
	struct pk_stage_stats st;
	unsigned int worker, b;
	struct pk_stage *s;

	(void)state;
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		skip();
	}
	s = pk_queue_ring_create("red_mp", 64, PK_QUEUE_F_MP, 0,
				 SOCKET_ID_ANY);
	assert_non_null(s);
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	assert_int_equal(rte_eal_remote_launch(mt_red_pusher, s, worker), 0);
	for (b = 0; b < MT_BURSTS; b++) {
		push_burst(s, 8, &t);
		pull_free(s, 7, &t);
	}
	rte_eal_wait_lcore(worker);
	t.pushed += MT_BURSTS * 8; /* the worker's */
	pk_stage_stats_get(s, &st);
	print_message("red mp: in %" PRIu64 " out %" PRIu64 " red %" PRIu64
		      " full %" PRIu64 "\n", st.in_pkts, st.out_pkts,
		      st.drops[PK_DROP_RED], st.refused[PK_DROP_FULL]);
	assert_true(st.drops[PK_DROP_RED] > 0);
	assert_conserved(s, &t, PK_DROP_RED);
	pk_stage_destroy(s);
}

/* Setting, changing and removing; the errors. */
static void
test_set_change_remove(void **state)
{
	struct pk_dropper_conf c = red_conf(8, 16, 10, 9), bad;
	struct pk_dropper_info info;
	struct pk_stage *s, *p;
	struct tally t = { 0 };

	(void)state;
	s = pk_queue_ring_create("set", 64, 0, 0, SOCKET_ID_ANY);
	p = pk_stage_create("proc_noop", "noop", NULL, SOCKET_ID_ANY);
	assert_non_null(s);
	assert_non_null(p);
	assert_int_equal(pk_queue_set_dropper(NULL, &c), -EINVAL);
	assert_int_equal(pk_queue_set_dropper(p, &c), -ENOTSUP);
	bad = c;
	bad.red.min_th = 16; /* not below max_th */
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	bad = c;
	bad.red.max_th = 1024;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	bad = c;
	bad.red.wq_log2 = 13;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	bad = c;
	bad.red.maxp_inv = 0;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	bad = (struct pk_dropper_conf){ .kind = PK_DROPPER_PIE };
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL); /* zeros */
	bad.kind = 9;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	assert_true(pk_queue_ring_is_sp(s)); /* all refused: untouched */
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_NONE);

	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	assert_string_equal(pk_stage_kind_name(s), "queue_ring");
	assert_true(pk_queue_can_wait(s));
	bad = c;
	bad.red.max_th = 0;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_RED); /* the old one stays */
	c.kind = PK_DROPPER_PIE;
	c.pie = (struct pk_dropper_pie){ 15, 15, 150, 63 };
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_PIE);
	assert_int_equal(pk_queue_set_dropper(s, NULL), 0);
	assert_true(pk_queue_ring_is_sp(s)); /* its own push again */
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_NONE);
	assert_int_equal(push_burst(s, 63, &t), 63);
	assert_int_equal(push_burst(s, 1, &t), 0); /* full, refused */
	assert_conserved(s, &t, PK_DROP_MAX);
	assert_int_equal(pk_queue_set_dropper(s, &c), 0); /* again */
	pk_stage_destroy(s);
	pk_stage_destroy(p);
}

/* The red= and pie= arguments of queue_ring and queue_local, and their
 * refusals. */
static void
test_queue_arguments(void **state)
{
	static const char *const bad[] = {
		"red=32:96", "red=96:32:10", "red=32:32:10", "red=32:300:10", "red=32:96:0",
		"red=32:96:10:13", "red=32:96:10:9:0", "red=32:96:10:9:1:1",
		"red=a:b:c", "red=32::10", "red=32:96:10:", "red=-1:96:10",
		"red", "pie=0", "pie=15:0", "pie=15:15:150:300", "pie=",
		"pie=15:15:15:15:15", "red=32:96:10,pie=15",
		"red=1:2:3,red=1:2:3", "pie=15:15:65535",
	};
	struct pk_dropper_info info;
	struct pk_stage *s;
	unsigned int i;

	(void)state;
	s = pk_stage_create("queue_ring", "qa",
			    "size=256,red=32:96:10", SOCKET_ID_ANY);
	assert_non_null(s);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_RED);
	pk_stage_destroy(s);
	s = pk_stage_create("queue_ring", "qp", "size=256,pie=20:10",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_PIE);
	pk_stage_destroy(s);
	s = pk_stage_create("queue_local", "ql", "size=64,red=4:8:10",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_RED);
	pk_stage_destroy(s);
	assert_null(pk_stage_create("queue_local", "ql", "size=64,pie=15:15:"
				    "150:65", SOCKET_ID_ANY)); /* > 64 */
	for (i = 0; i < RTE_DIM(bad); i++) {
		char args[64];

		snprintf(args, sizeof(args), "size=256,%s", bad[i]);
		s = pk_stage_create("queue_ring", "qb", args, SOCKET_ID_ANY);
		if (s != NULL)
			fail_msg("accepted %s", args);
		assert_int_equal(rte_errno, EINVAL);
	}
}

/* The language passes the arguments through: a configuration's queues get
 * their droppers; a bad one fails the build. */
static void
test_conf_language(void **state)
{
	static const char good[] =
		"a :: queue_ring(size=256, red=32:96:10:9) -> t :: thread_entry"
		" -> b :: queue_ring(size=256, pie=15:15:150)\n";
	struct pk_dropper_info info;
	struct pk_conf *c;

	(void)state;
	c = pk_conf_load_string(good, "t.conf", NULL);
	assert_non_null(c);
	pk_dropper_info_get(pk_conf_stage(c, "a"), &info);
	assert_int_equal(info.kind, PK_DROPPER_RED);
	pk_dropper_info_get(pk_conf_stage(c, "b"), &info);
	assert_int_equal(info.kind, PK_DROPPER_PIE);
	pk_conf_destroy(c);
	assert_null(pk_conf_load_string("a :: queue_ring(size=64, red=32:96:"
					"10) -> t :: thread_entry -> b :: "
					"queue_ring\n", "t.conf", NULL));
}

/* pk_dropper_parse(): the defaults, and what a refusal says. */
static void
test_parse_defaults_and_errors(void **state)
{
	struct pk_dropper_conf c, keep;
	char err[PK_DROPPER_ERR_MAX];

	(void)state;
	assert_int_equal(pk_dropper_parse("red", "1:2:3", 255, &c, err,
					  sizeof(err)), 0);
	assert_int_equal(c.kind, PK_DROPPER_RED);
	assert_int_equal(c.red.wq_log2, PK_DROPPER_RED_WQ_LOG2);
	assert_int_equal(c.red.pkt_ns, PK_DROPPER_RED_PKT_NS);
	assert_int_equal(pk_dropper_parse("pie", "20", 255, &c, err,
					  sizeof(err)), 0);
	assert_int_equal(c.pie.qdelay_ms, 20);
	assert_int_equal(c.pie.interval_ms, PK_DROPPER_PIE_INTERVAL_MS);
	assert_int_equal(c.pie.burst_ms, PK_DROPPER_PIE_BURST_MS);
	assert_int_equal(c.pie.tailq_th, 255);

	keep = c;
	assert_int_equal(pk_dropper_parse("red", "5:3:1", 255, &c, err,
					  sizeof(err)), -EINVAL);
	assert_string_equal(err, "red: min_th 5 not below max_th 3");
	assert_memory_equal(&c, &keep, sizeof(c)); /* untouched */
	assert_int_equal(pk_dropper_parse("red", "1:2:x", 255, &c, err,
					  sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "red maxp_inv"));
	assert_int_equal(pk_dropper_parse("red", "1:2", 255, &c, err,
					  sizeof(err)), -EINVAL);
	assert_string_equal(err, "red: '1:2' is not "
			    "min_th:max_th:maxp_inv[:wq_log2[:pkt_ns]]");
	assert_int_equal(pk_dropper_parse("pie", "1:1:1:300", 255, &c, err,
					  sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "capacity 255"));
	assert_int_equal(pk_dropper_parse("codel", "1", 255, &c, NULL, 0),
			 -EINVAL);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_other_queue_kinds,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_red_mp_two_lcores,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_set_change_remove,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_queue_arguments,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_conf_language,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_parse_defaults_and_errors,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_dropper_conf", NULL, eal);
	pool = pk_test_pool("test_dropper_conf", 4096);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
