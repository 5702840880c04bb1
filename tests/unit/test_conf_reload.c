/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live reload (pk_conf_reload_string(), issue 18). Covered: steady
 * numbered traffic in 8 flows through a running configuration (a port, a
 * runner's threads, a demux with keys, two queues into a wfq scheduler, a
 * port) reloaded 100 times with two texts that differ in a queue's size and
 * a weight: no packet lost, none duplicated, order per flow kept, the
 * runner never stopped, the new weight in force, pools full at the end;
 * texts that do not parse, check or build, or that change a port or move a
 * runner, change nothing and say why, while traffic flows; the packets a
 * stopped configuration holds move into the queues of the same name, head
 * slots first, and those whose queue is gone are freed, counted and named;
 * a new text whose threads will not start hands the packets back and the
 * old threads run again; an lcore thread is replaced on its lcore.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_live.h"

#define RELOADS 100

static struct rte_mempool *pool;
static uint16_t in_port, out_port;
static char err[4096];

static const char live_text[] =
	"port net_ring0\nport net_ring1\nrunner r0 (lcore=1)\n"
	"rx :: port_rx(port=net_ring0) -> t0 :: thread_continuation("
	"runner=r0) -> d :: demux_flow(capacity=16)\n"
	"d[a] -> qa :: queue_ring(size=%u)\n"
	"d[b] -> qb :: queue_ring(size=256)\n"
	"qa -> s :: pktsched(policy=wfq, rate=%s)[weight=%u]\n"
	"qb -> s[weight=1]\n"
	"s -> t1 :: thread_continuation(runner=r0) -> "
	"tx :: port_tx(port=net_ring1)\n"
	"key d[a] udp 10.0.0.2:9\nkey d[b] udp 10.0.0.2:10\n";

static struct pk_conf *
load(const char *text)
{
	struct pk_conf_params p = { .mp = pool, .socket_id = SOCKET_ID_ANY };
	struct pk_conf *c = pk_conf_load_string(text, "live.conf", &p);

	if (c == NULL)
		fail_msg("not built: %s", rte_strerror(rte_errno));
	return c;
}

/* Reload c with text; err holds what it said. */
static int
reload(struct pk_conf *c, const char *text, struct pk_conf_reload_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	assert_non_null(f);
	rc = pk_conf_reload_string(c, text, "new.conf", f, st);
	fclose(f);
	snprintf(err, sizeof(err), "%s", buf);
	free(buf);
	return rc;
}

static uint32_t
weight_of(struct pk_conf *c, uint32_t qid)
{
	unsigned int len;
	uint32_t param;

	assert_int_equal(pk_sched_queue_info(pk_conf_stage(c, "s"), qid,
					     &param, &len), 0);
	return param;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_reload_100_times_under_traffic(void **state)
{
	struct live_traffic lt = {
		.mp = pool, .in_port = in_port, .out_port = out_port,
		.window = 128,
	};
	struct pk_conf_reload_stats st, sum;
	struct pk_runner_stats rs0, rs1;
	uint64_t pause[RELOADS], med;
	char text[2][1024];
	struct pk_conf *c;
	unsigned int i;

	(void)state;
	/* shaped to some 140k packets/s: the queues hold packets at a switch */
	snprintf(text[0], sizeof(text[0]), live_text, 256u, "100000000", 1u);
	snprintf(text[1], sizeof(text[1]), live_text, 512u, "100000000", 4u);
	c = load(text[0]);
	assert_int_equal(pk_conf_start(c), 0);
	assert_int_equal(live_start(&lt), 0);
	assert_int_equal(pk_runner_stats_get(pk_conf_runner(c, "r0"), &rs0),
			 0);
	for (i = 1; i <= RELOADS; i++) {
		rte_delay_us_sleep(2000);
		if (reload(c, text[i % 2], &st) != 0)
			fail_msg("reload %u: %s", i, err);
		assert_int_equal(st.reloads, 1);
		assert_int_equal(st.dropped_gone + st.dropped_full, 0);
		pause[i - 1] = st.pause_ns;
		assert_int_equal(weight_of(c, 0), i % 2 ? 4 : 1);
	}
	rte_delay_us_sleep(2000);
	live_stop(&lt);
	/* the same runner ran all along: its decisions went on counting */
	assert_int_equal(pk_runner_stats_get(pk_conf_runner(c, "r0"), &rs1),
			 0);
	assert_true(rs1.decisions > rs0.decisions);
	assert_int_equal(pk_conf_reload_stats_get(c, &sum), 0);
	qsort(pause, RELOADS, sizeof(pause[0]), cmp_u64);
	med = pause[RELOADS / 2];
	printf("# %u reloads: %" PRIu64 " packets sent, %" PRIu64 " moved, "
	       "pause median %" PRIu64 " us, longest %" PRIu64 " us; longest "
	       "wait %" PRIu64 " us\n", RELOADS, lt.sent, sum.moved,
	       med / 1000, sum.max_pause_ns / 1000,
	       lt.max_wait * 1000000 / rte_get_tsc_hz());
	assert_true(sum.moved > 0);
	assert_int_equal(sum.reloads, RELOADS);
	assert_int_equal(sum.failed, 0);
	assert_true(lt.sent > RELOADS * 8);
	assert_int_equal(lt.dup, 0);
	assert_int_equal(lt.gaps, 0);
	assert_int_equal(lt.recv, lt.sent); /* 0 lost */
	pk_conf_destroy(c);
}

static void
test_refused_reload_changes_nothing(void **state)
{
	struct live_traffic lt = {
		.mp = pool, .in_port = in_port, .out_port = out_port,
		.window = 64,
	};
	struct pk_conf_reload_stats st;
	struct pk_stage *s;
	struct pk_conf *c;
	char text[1024], bad[1200];

	(void)state;
	snprintf(text, sizeof(text), live_text, 256u, "0", 2u);
	c = load(text);
	assert_int_equal(pk_conf_start(c), 0);
	assert_int_equal(live_start(&lt), 0);
	s = pk_conf_stage(c, "s");
	/* does not parse */
	assert_int_equal(reload(c, "qa :: queue_rung\n", &st), -EINVAL);
	assert_non_null(strstr(err, "new.conf:1:7: "));
	assert_non_null(strstr(err, "reload: kept the running configuration"));
	assert_int_equal(st.failed, 1);
	/* does not build: a queue's size */
	snprintf(bad, sizeof(bad), live_text, 1000u, "0", 2u);
	assert_int_equal(reload(c, bad, &st), -EINVAL);
	assert_non_null(strstr(err, "cannot create qa (queue_ring)"));
	/* a port with other queues; a runner on another lcore */
	snprintf(bad, sizeof(bad), "port net_ring0\nport net_ring1 (rxd=512)"
		 "%s", strstr(text, "\nrunner"));
	assert_int_equal(reload(c, bad, &st), -EINVAL);
	assert_non_null(strstr(err, "found port net_ring1 with other queues"));
	snprintf(bad, sizeof(bad), "%s", text);
	strstr(bad, "lcore=1")[6] = '2';
	assert_int_not_equal(reload(c, bad, &st), 0);
	assert_true(strstr(err, "found runner r0 on lcore 2") != NULL ||
		    strstr(err, "found lcore 2") != NULL);
	/* builds, but a thread will not start (two pushers into a
	 * single-producer queue): the packets go back, the old one runs on */
	snprintf(bad, sizeof(bad), "%sx1 :: queue_ring -> xa :: thread_entry "
		 "-> xo :: queue_ring\n"
		 "x2 :: queue_ring -> xb :: thread_entry -> xo\n", text);
	assert_int_equal(reload(c, bad, &st), -EINVAL);
	assert_non_null(strstr(err, "cannot start xb: xo takes one pusher"));
	assert_int_equal(st.reloads, 0);
	/* the same objects run on */
	assert_ptr_equal(pk_conf_stage(c, "s"), s);
	/* its inputs attached again (ids may be swapped): weights 2 and 1 */
	assert_int_equal(pk_sched_nb_queues(s), 2);
	assert_int_equal(weight_of(c, 0) * weight_of(c, 1), 2);
	rte_delay_us_sleep(2000);
	live_stop(&lt);
	assert_int_equal(lt.recv, lt.sent);
	assert_int_equal(lt.gaps + lt.dup, 0);
	assert_int_equal(pk_conf_reload_stats_get(c, &st), 0);
	assert_int_equal(st.failed, 5);
	assert_int_equal(st.reloads, 0);
	pk_conf_destroy(c);
}

/* An lcore thread and a runner's: the lcore thread stops and a new one
 * starts on the same lcore, under traffic. */
static void
test_reload_lcore_thread(void **state)
{
	struct live_traffic lt = {
		.mp = pool, .in_port = in_port, .out_port = out_port,
		.window = 64,
	};
	struct pk_conf_reload_stats st;
	char text[2][1024], *t1;
	struct pk_conf *c;
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		snprintf(text[i], sizeof(text[i]), live_text, 256u << i, "0",
			 1u + i);
		t1 = strstr(text[i], "t1 :: thread_continuation(runner=r0)");
		assert_non_null(t1);
		memcpy(t1, "t1 :: thread_lcore(lcore=2,burst=32)",
		       strlen("t1 :: thread_continuation(runner=r0)"));
	}
	c = load(text[0]);
	assert_int_equal(pk_conf_start(c), 0);
	assert_int_equal(live_start(&lt), 0);
	for (i = 1; i <= 20; i++) {
		rte_delay_us_sleep(2000);
		if (reload(c, text[i % 2], &st) != 0)
			fail_msg("reload %u: %s", i, err);
		assert_int_equal(pk_thread_state(pk_conf_thread(c, "t1")),
				 PK_THREAD_RUNNING);
	}
	rte_delay_us_sleep(2000);
	live_stop(&lt);
	if (lt.recv != lt.sent)
		pk_conf_stats_print(c, stderr);
	assert_int_equal(lt.gaps + lt.dup, 0);
	assert_int_equal(lt.recv, lt.sent);
	pk_conf_destroy(c);
}

/* Stopped, so the packets stay where they are put. */
static void
test_held_packets_move_or_are_counted(void **state)
{
	static const char a[] =
		"q1 :: queue_ring(size=64) -> s :: pktsched(policy=rr)\n"
		"q2 :: queue_ring(size=64) -> s\n"
		"s -> t :: thread_entry -> out :: queue_ring(size=64)\n"
		"gone :: queue_ring -> t2 :: thread_entry -> "
		"out2 :: queue_ring\n";
	static const char b[] =
		"q1 :: queue_ring(size=64) -> s :: pktsched(policy=drr)\n"
		"q2 :: queue_ring(size=4) -> s\n"
		"s -> t :: thread_entry -> out :: queue_ring(size=64)\n";
	struct pk_conf_reload_stats st;
	struct rte_mbuf *m[32];
	struct pk_conf *c;
	unsigned int i;

	(void)state;
	c = load(a);
	assert_int_equal(pk_conf_start(c), 0);
	pk_test_burst(pool, m, 32, 0);
	assert_int_equal(pk_stage_push(pk_conf_stage(c, "q1"), m, 10), 10);
	assert_int_equal(pk_stage_push(pk_conf_stage(c, "q2"), m + 10, 10),
			 10);
	assert_int_equal(pk_stage_push(pk_conf_stage(c, "gone"), m + 20, 3),
			 3);
	assert_int_equal(pk_stage_push(pk_conf_stage(c, "out"), m + 23, 9), 9);
	/* one pull: the scheduler holds the other queue's head */
	assert_int_equal(pk_stage_pull(pk_conf_stage(c, "s"), m, 1), 1);
	rte_pktmbuf_free(m[0]);
	assert_int_equal(reload(c, b, &st), 0);
	assert_non_null(strstr(err, "reload: gone is gone: 3 packets dropped"));
	assert_non_null(strstr(err, "reload: q2 is full: 7 packets dropped"));
	assert_int_equal(st.dropped_gone, 3);
	assert_int_equal(st.dropped_full, 7); /* a ring of 4 holds 3 */
	assert_int_equal(st.moved, 9 + 3 + 9);
	/* q1 kept its order: seq 1..9, its head first */
	for (i = 1; i < 10; i++) {
		assert_int_equal(pk_stage_pull(pk_conf_stage(c, "q1"), m, 1),
				 1);
		assert_int_equal(pk_test_seq(m[0]), i);
		rte_pktmbuf_free(m[0]);
	}
	assert_int_equal(pk_stage_len(pk_conf_stage(c, "out")), 9);
	assert_null(pk_conf_stage(c, "gone"));
	/* the new generation runs */
	assert_int_equal(pk_thread_entry_run(pk_conf_thread(c, "t")), 3);
	pk_conf_destroy(c);
}

static int
setup_ports(void **state)
{
	(void)state;
	assert_int_equal(pk_port_lookup("net_ring0", &in_port), 0);
	assert_int_equal(pk_port_lookup("net_ring1", &out_port), 0);
	return 0; /* the configurations set them up */
}

static int
close_ports(void **state)
{
	(void)state;
	rte_eth_dev_close(in_port);
	rte_eth_dev_close(out_port);
	return 0;
}

int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", "net_ring1", NULL };
	static const char *const extra[] = { "--lcores", "0,1,2@1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_reload_100_times_under_traffic,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_refused_reload_changes_nothing,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_held_packets_move_or_are_counted,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_reload_lcore_thread,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_conf_reload", vdevs, extra);
	pool = pk_test_pool("test_conf_reload", 2047);
	rc = cmocka_run_group_tests(tests, setup_ports, close_ports);
	pk_test_eal_cleanup();
	return rc;
}
