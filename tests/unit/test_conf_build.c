/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configurations built and run (pk_conf.h) on net_ring0 (a loopback: what
 * its TX sends, its RX receives; set up by the configuration) and
 * net_null0 (a sink; set up by the test, as an application would): a demux
 * to a path with its owner, traffic through it, every counter, destroy,
 * every pool full, and the same text built again; a build that fails late
 * (a stage, a key) leaves no owner, runner or packet behind and builds once
 * fixed; lcores and ports that are not there; a wiring that start refuses,
 * reported at its place; a runner's continuation threads forwarding;
 * scheduler inputs with their weights; lookups.
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
#include <rte_udp.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static struct rte_mempool *pool;
static uint16_t ring_port, null_port;
static char out[8192];

static struct pk_conf *
load(const char *text, struct rte_mempool *mp)
{
	struct pk_conf_params p = { .mp = mp, .socket_id = SOCKET_ID_ANY };
	struct pk_conf *c;
	char *buf = NULL;
	size_t len = 0;

	p.err = open_memstream(&buf, &len);
	assert_non_null(p.err);
	c = pk_conf_load_string(text, "t.conf", &p);
	fclose(p.err);
	snprintf(out, sizeof(out), "%s", buf);
	free(buf);
	return c;
}

/* text does not build; its error is msg (its reason: what the kind says). */
static void
not_built(const char *text, struct rte_mempool *mp, const char *msg)
{
	rte_errno = 0;
	if (load(text, mp) != NULL)
		fail_msg("built: %s", text);
	assert_int_not_equal(rte_errno, 0);
	if (strncmp(out, msg, strlen(msg)) != 0)
		fail_msg("want: %s\ngot:  %s", msg, out);
}

static struct pk_stage_stats
stats(struct pk_conf *c, const char *name)
{
	struct pk_stage_stats st;

	assert_int_equal(pk_stage_stats_get(pk_conf_stage(c, name), &st), 0);
	return st;
}

/* n frames on the loopback, the last bad of them to UDP port 10. */
static void
send_ring(unsigned int n, unsigned int bad)
{
	struct rte_mbuf *m[64];
	struct rte_udp_hdr *udp;
	unsigned int i;

	pk_test_burst(pool, m, n, 0);
	for (i = n - bad; i < n; i++) {
		udp = rte_pktmbuf_mtod_offset(m[i], struct rte_udp_hdr *, 34);
		udp->dst_port = rte_cpu_to_be_16(10);
	}
	assert_int_equal(rte_eth_tx_burst(ring_port, 0, m, n), n);
}

static const char node_conf[] =
	"owner alice\n"
	"port net_ring0\n"
	"rx :: port_rx(port=net_ring0) -> in :: thread_entry -> "
	"d :: demux_flow(capacity=8)\n"
	"path p1 (owner=alice, bytes=1) {\n"
	"\tq1 :: queue_ring(size=64) -> t1 :: thread_entry ->\n"
	"\t\tttl :: proc_ttl -> tx :: port_tx(port=net_null0)\n"
	"}\n"
	"key d udp 10.0.0.2:9 -> p1\n";

static void
test_build_run_destroy_again(void **state)
{
	struct pk_stage_stats st;
	struct pk_conf *c;
	char *buf = NULL;
	size_t len = 0;
	unsigned int round;
	int alice;
	FILE *f;

	(void)state;
	for (round = 0; round < 2; round++) {
		c = load(node_conf, pool);
		if (c == NULL)
			fail_msg("%s", out);
		alice = pk_conf_owner(c, "alice");
		assert_true(alice > 0);
		assert_int_equal(pk_owner_lookup("alice"), alice);
		assert_int_equal(pk_path_owner(pk_conf_path(c, "p1")),
				 (uint32_t)alice);
		assert_int_equal(pk_conf_start(c), 0);
		assert_int_equal(pk_conf_start(c), -EALREADY);
		send_ring(13, 3);
		assert_int_equal(pk_thread_entry_run(pk_conf_thread(c, "in")),
				 13);
		assert_int_equal(pk_thread_entry_run(pk_conf_thread(c, "t1")),
				 10);
		st = stats(c, "p1");
		assert_int_equal(st.in_pkts, 10);
		assert_int_equal(st.out_pkts, 10);
		assert_int_equal(st.in_bytes, 10 * 64);
		st = stats(c, "d");
		assert_int_equal(st.in_pkts, 10);
		assert_int_equal(st.refused[PK_DROP_NO_MATCH], 3);
		/* what no key claims comes back to the thread, which frees it */
		st = stats(c, "in");
		assert_int_equal(st.in_pkts, 13);
		assert_int_equal(st.drops[PK_DROP_FULL], 3);
		assert_int_equal(stats(c, "tx").in_pkts, 10);
		assert_int_equal(pk_conf_stop(c), 0);
		f = open_memstream(&buf, &len);
		assert_int_equal(pk_conf_stats_print(c, f), 0);
		fclose(f);
		assert_non_null(strstr(buf, "owner alice paths=1 in=10 out=10 "
				       "dropped=0\n"));
		assert_non_null(strstr(buf, "thread t1 runs=1 idle_runs=0 "
				       "pkts=10 "));
		free(buf);
		buf = NULL;
		pk_conf_destroy(c);
		pk_test_assert_pools_full();
		/* the owner it created is gone, and its name free again */
		assert_int_equal(pk_owner_lookup("alice"), -ENOENT);
	}
}

static void
test_failed_build_leaves_nothing(void **state)
{
	static const char text[] =
		"owner bob\nport net_ring0\nrunner r0 (lcore=1)\n"
		"rx :: port_rx(port=net_ring0) -> t :: thread_continuation("
		"runner=r0) -> q :: queue_ring(size=%s)\n"
		"q -> t2 :: thread_entry -> tx :: port_tx(port=net_null0)\n";
	static const char keys[] =
		"owner carol\nq0 :: queue_ring -> t0 :: thread_entry -> "
		"d :: demux_flow(capacity=%u)\n"
		"path pa (owner=carol) { qa :: queue_ring -> ta :: thread_entry "
		"-> na :: queue_ring }\n"
		"key d udp 10.0.0.2:9 -> pa\nkey d udp 10.0.0.2:10 -> pa\n";
	struct pk_conf *c;
	char buf[512];

	(void)state;
	snprintf(buf, sizeof(buf), text, "1000");
	not_built(buf, pool, "t.conf:4:73: cannot create q (queue_ring): "
		  "queue size 1000 must be a power of two in 2..2147483647 "
		  "(flags 0x0)\n");
	assert_int_equal(pk_owner_lookup("bob"), -ENOENT);
	assert_null(pk_runner_find("r0"));
	pk_test_assert_pools_full();
	snprintf(buf, sizeof(buf), text, "1024");
	c = load(buf, pool);
	if (c == NULL)
		fail_msg("%s", out);
	assert_non_null(pk_conf_runner(c, "r0"));
	pk_conf_destroy(c);
	/* the last step fails: a key over the demux's capacity */
	snprintf(buf, sizeof(buf), keys, 1);
	not_built(buf, pool, "t.conf:5:1: cannot install key udp4 "
		  "10.0.0.2:10 on d: ");
	assert_int_equal(pk_owner_lookup("carol"), -ENOENT);
	snprintf(buf, sizeof(buf), keys, 2);
	c = load(buf, pool);
	if (c == NULL)
		fail_msg("%s", out);
	assert_int_equal(pk_demux_flow_count(pk_conf_stage(c, "d")), 2);
	pk_conf_destroy(c);
}

static void
test_what_is_not_there(void **state)
{
	(void)state;
	not_built("q1 :: queue_ring -> t :: thread_lcore(lcore=5) -> "
		  "q2 :: queue_ring", pool, "t.conf:1:45: found lcore 5, "
		  "expected a worker lcore of this process (1)\n");
	not_built("runner r0 (lcore=0)\nq1 :: queue_ring -> t :: "
		  "thread_continuation(runner=r0) -> q2 :: queue_ring", pool,
		  "t.conf:1:18: found lcore 0, expected a worker lcore of this "
		  "process (1)\n");
	not_built("port net_nothing\nq1 :: queue_ring -> t :: thread_entry -> "
		  "q2 :: queue_ring", pool, "t.conf:1:6: found port "
		  "net_nothing, expected one of this process's 2 ethdev ports "
		  "(an id or a device name)\n");
	not_built("port net_ring0\nq1 :: queue_ring -> t :: thread_entry -> "
		  "q2 :: queue_ring", NULL, "t.conf:1:6: found port net_ring0, "
		  "expected a mempool in the parameters to set it up\n");
	not_built("rx :: port_rx(port=net_ring0, queue=3) -> t :: thread_entry "
		  "-> q2 :: queue_ring", pool, "t.conf:1:1: cannot create rx "
		  "(port_rx): port 0 has 1 rx queues, no queue 3\n");
}

/* Two threads into one single-producer queue: start says where. */
static void
test_start_refused(void **state)
{
	static const char text[] =
		"q1 :: queue_ring -> a :: thread_entry -> o :: queue_ring%s\n"
		"q2 :: queue_ring -> b :: thread_entry -> o\n";
	struct pk_conf_params p = { .socket_id = SOCKET_ID_ANY };
	struct pk_conf *c;
	char buf[256], *err = NULL;
	size_t len = 0;

	(void)state;
	snprintf(buf, sizeof(buf), text, "");
	p.err = open_memstream(&err, &len);
	c = pk_conf_load_string(buf, "t.conf", &p);
	assert_non_null(c);
	assert_int_equal(pk_conf_start(c), -EINVAL);
	fclose(p.err);
	assert_string_equal(err, "t.conf:2:21: cannot start b: o takes one "
			    "pusher and another thread already pushes into "
			    "it\n");
	free(err);
	assert_int_equal(pk_thread_state(pk_conf_thread(c, "a")),
			 PK_THREAD_STOPPED);
	pk_conf_destroy(c);
	snprintf(buf, sizeof(buf), text, "(mp=1)");
	c = load(buf, pool);
	assert_non_null(c);
	assert_int_equal(pk_conf_start(c), 0);
	pk_conf_destroy(c); /* stops first */
}

static void
test_runner_forwards(void **state)
{
	static const char text[] =
		"define LC = 1\nport net_ring0\nrunner r0 (lcore=$LC)\n"
		"rx :: port_rx(port=net_ring0) -> t :: thread_continuation("
		"runner=r0, shares=3) -> tx :: port_tx(port=net_null0)\n";
	uint64_t end;
	struct pk_conf *c;

	(void)state;
	c = load(text, pool);
	if (c == NULL)
		fail_msg("%s", out);
	assert_non_null(pk_conf_runner(c, "r0"));
	assert_null(pk_conf_runner(c, "t"));
	assert_null(pk_conf_path(c, "t"));
	assert_null(pk_conf_stage(c, "nothere"));
	assert_int_equal(pk_conf_owner(c, "nobody"), -ENOENT);
	assert_int_equal(pk_thread_shares_get(pk_conf_thread(c, "t")), 3);
	assert_int_equal(pk_conf_start(c), 0);
	send_ring(32, 0);
	end = rte_get_tsc_cycles() + 5 * rte_get_tsc_hz();
	while (stats(c, "tx").in_pkts < 32 && rte_get_tsc_cycles() < end)
		rte_delay_ms(1);
	assert_int_equal(stats(c, "tx").in_pkts, 32);
	assert_int_equal(pk_conf_stop(c), 0);
	assert_int_equal(pk_conf_stop(c), 0);
	pk_conf_destroy(c);
	pk_conf_destroy(NULL);
}

/* Inputs attached with their weights; a path as an input. */
static void
test_sched_inputs(void **state)
{
	static const char text[] =
		"path c1 { q1 :: queue_ring }\n"
		"c1 -> s :: pktsched(policy=wfq)[weight=1] -> o :: thread_entry "
		"-> sink :: queue_ring(size=64)\n"
		"q2 :: queue_ring -> s[weight=3]\nq3 :: queue_ring -> s\n";
	struct rte_mbuf *m[8];
	unsigned int len;
	uint32_t param;
	struct pk_stage *s;
	struct pk_conf *c;

	(void)state;
	c = load(text, pool);
	if (c == NULL)
		fail_msg("%s", out);
	s = pk_conf_stage(c, "s");
	assert_int_equal(pk_sched_nb_queues(s), 3);
	assert_int_equal(pk_sched_queue_info(s, 0, &param, &len), 0);
	assert_int_equal(param, 1);
	assert_int_equal(pk_sched_queue_info(s, 1, &param, &len), 0);
	assert_int_equal(param, 3);
	assert_int_equal(pk_conf_start(c), 0);
	pk_test_burst(pool, m, 8, 0);
	assert_int_equal(pk_stage_push(pk_conf_stage(c, "c1"), m, 4), 4);
	assert_int_equal(pk_stage_push(pk_conf_stage(c, "q2"), m + 4, 4), 4);
	assert_int_equal(pk_thread_entry_run(pk_conf_thread(c, "o")), 8);
	assert_int_equal(stats(c, "c1").out_pkts, 4);
	assert_int_equal(stats(c, "sink").in_pkts, 8);
	pk_conf_destroy(c); /* the sink's packets go with it */
}

static int
setup_ports(void **state)
{
	struct pk_port_conf pc = { .mp = pool };

	(void)state;
	assert_int_equal(pk_port_lookup("net_ring0", &ring_port), 0);
	assert_int_equal(pk_port_lookup("net_null0", &null_port), 0);
	return pk_port_setup(null_port, &pc); /* the conf sets the ring up */
}

static int
close_ports(void **state)
{
	(void)state;
	pk_port_close(null_port);
	rte_eth_dev_close(ring_port);
	return 0;
}

int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", "net_null0", NULL };
	static const char *const extra[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_build_run_destroy_again,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_failed_build_leaves_nothing,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_what_is_not_there,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_start_refused,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_runner_forwards,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sched_inputs,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_conf_build", vdevs, extra);
	pool = pk_test_pool("test_conf_build", 2047);
	rc = cmocka_run_group_tests(tests, setup_ports, close_ports);
	pk_test_eal_cleanup();
	return rc;
}
