/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime changes (pk_ctl.h) beyond schedulers, each seen in counters:
 *  - a thread's shares shift its runner's split (1:1, then 1:3);
 *  - an added key's packets reach their target (a queue, a path's head),
 *    an active key wins over a passive one, a deleted key's go back;
 *  - a reservation refuses another owner's bind; released, it takes it;
 *  - every refusal: the errno, nothing changed, and the reason in words;
 *  - the same through DPDK's telemetry socket: {"ok": 1} or {"ok": 0,
 *    "errno": N, "error": "..."}, and every command registered (a help of
 *    128 bytes or more would have been refused silently).
 * Schedulers' weights and rates: test_ctl.c.
 * Runners run in the test's own context (pk_runner_run()): no lcore.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static int tel_sock = -1;

/* --- shares: two threads doing constant work on one runner */

static int
busy_run(struct pk_thread *t, void *arg)
{
	(void)t;
	(void)arg;
	return 8; /* eight "packets" a run, always work left */
}

static uint64_t
tick_clock(void *arg)
{
	return *(uint64_t *)arg += 1000;
}

static uint64_t
runs_of(struct pk_thread *t)
{
	struct pk_thread_stats st;

	assert_int_equal(pk_thread_stats_get(t, &st), 0);
	return st.runs;
}

static void
test_shares_shift_split(void **state)
{
	struct pk_thread_conf c1 = { .name = "t1", .fn = busy_run,
				     .budget = 8 };
	struct pk_thread_conf c2 = c1;
	struct pk_runner *r = pk_runner_create("r2", rte_get_main_lcore(),
					       SOCKET_ID_ANY);
	char err[PK_CTL_ERR_MAX];
	struct pk_thread *t1, *t2;
	uint64_t clk = 0, a, b;

	(void)state;
	c2.name = "t2";
	assert_non_null(r);
	assert_int_equal(pk_runner_clock_set(r, tick_clock, &clk), 0);
	t1 = pk_thread_continuation_create(&c1, r);
	t2 = pk_thread_continuation_create(&c2, r);
	assert_int_equal(pk_thread_start(t1), 0);
	assert_int_equal(pk_thread_start(t2), 0);
	pk_runner_run(r, 2000);
	a = runs_of(t1);
	b = runs_of(t2);
	assert_true(b * 10 >= a * 8 && b * 10 <= a * 12);  /* 1:1 */
	assert_int_equal(pk_ctl_thread_shares("t2", "3", err, sizeof(err)), 0);
	assert_int_equal(pk_thread_shares_get(t2), 3);
	pk_runner_run(r, 4000);
	a = runs_of(t1) - a;
	b = runs_of(t2) - b;
	printf("after shares 1:3, runs %" PRIu64 ":%" PRIu64 "\n", a, b);
	assert_true(b * 10 >= a * 25 && b * 10 <= a * 35); /* 1:3 */
	/* refusals change nothing */
	assert_int_equal(pk_ctl_thread_shares("t2", "0", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "shares: '0' is not an integer in 1..65536"));
	assert_int_equal(pk_ctl_thread_shares("t2", "65537", err,
					      sizeof(err)), -EINVAL);
	assert_int_equal(pk_ctl_thread_shares("t3", "2", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no thread named t3"));
	assert_int_equal(pk_ctl_thread_shares(NULL, "2", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pk_thread_shares_get(t2), 3);
	pk_thread_destroy(t1);
	pk_thread_destroy(t2);
	pk_runner_destroy(r);
}

/* --- demux keys: the test frame is 10.0.0.1:1024 -> 10.0.0.2:9 */

static int
push_one(struct rte_mempool *mp, struct pk_stage *d)
{
	struct rte_mbuf *m = pk_test_udp4(mp, 64, 64, 7);
	int k = pk_stage_push(d, &m, 1);

	if (k == 0)
		rte_pktmbuf_free(m); /* refused: ours */
	return k;
}

static void
test_keys(void **state)
{
	static const struct { const char *text; int rc; const char *why; }
	bad[] = {
		{ "d udp 10.0.0.2:9 -> qa", -EEXIST, "d has the key udp4 "
		  "10.0.0.2:9 already" },
		{ "nd udp 10.0.0.2:9 -> qa", -ENOENT, "no demux_flow stage "
		  "named nd" },
		{ "qa udp 10.0.0.2:9 -> qa", -ENOENT, "no demux_flow stage" },
		{ "d udp 10.0.0.3:9 -> nosuch", -ENOENT, "no stage or path "
		  "named nosuch" },
		{ "d udp 10.0.0.3:9 -> t", -EINVAL, "t (thread_entry) takes no "
		  "pushes" },
		{ "d udp 10.0.0.3:9", -EINVAL, "found no target" },
		{ "d sctp 10.0.0.3:9 -> qa", -EINVAL, "found 'sctp', expected "
		  "a protocol" },
		{ "d udp 10.0.0.3 -> qa", -EINVAL, "found '10.0.0.3', expected "
		  "a local address" },
		{ "d udp 10.0.0.3:99999 -> qa", -EINVAL, "a port in 0..65535" },
		{ "d udp fd00::1:53 -> qa", -EINVAL, "in brackets" },
		{ "d udp *:9 -> qa", -EINVAL, "a wildcard with no family" },
		{ "d udp6 10.0.0.3:9 -> qa", -EINVAL, "found an IPv4 address, "
		  "expected IPv6" },
		{ "d udp4 *:9 <- 10.0.0.1:1 -> qa", -EINVAL, "a wildcard local "
		  "address with a remote end" },
		{ "d udp 10.0.0.3:9 <- [fd00::1]:1 -> qa", -EINVAL, "IPv4 and "
		  "IPv6 ends" },
		{ "d udp 10.0.0.3:9 -> qa extra", -EINVAL, "found 'extra', "
		  "expected the end" },
		{ "d udp 10.0.0.3:9 <-", -EINVAL, "nothing after '<-'" },
		{ "d udp", -EINVAL, "found 2 words" },
		{ "", -EINVAL, "found 0 words" },
		{ "d\x01 udp 10.0.0.3:9 -> qa", -EINVAL, "found 'd\\x01'" },
		{ NULL, -EINVAL, "no key given" },
	};
	struct rte_mempool *mp = pk_test_pool("ctl_keys", 255);
	struct pk_demux_conf dc = { .name = "d", .capacity = 4,
				    .socket_id = SOCKET_ID_ANY };
	struct pk_path_conf pc = { .name = "pq", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *d = pk_demux_flow_create(&dc);
	struct pk_stage *qa = pk_test_ring("qa", 64), *qb = pk_test_ring("qb", 64);
	struct pk_stage *qp = pk_test_ring("qp", 64);
	struct pk_thread *t = pk_thread_entry_create(
		&(struct pk_thread_conf){ .name = "t" });
	struct pk_path *pq = pk_path_create(&pc, &qp, 1);
	char err[PK_CTL_ERR_MAX];
	unsigned int i;

	(void)state;
	assert_non_null(d);
	assert_non_null(pq);
	assert_non_null(t);
	assert_int_equal(push_one(mp, d), 0);           /* no key: back */
	assert_int_equal(pk_ctl_key_add("d udp 10.0.0.2:9 -> qa", err,
					sizeof(err)), 0);
	assert_int_equal(push_one(mp, d), 1);
	assert_int_equal(pk_stage_len(qa), 1);
	/* an active key wins; deleted, the passive one takes them again */
	assert_int_equal(pk_ctl_key_add("d  udp4 10.0.0.2:9 <- 10.0.0.1:1024 "
					"->\tqb", err, sizeof(err)), 0);
	assert_int_equal(push_one(mp, d), 1);
	assert_int_equal(pk_stage_len(qb), 1);
	assert_int_equal(pk_ctl_key_del("d udp 10.0.0.2:9 <- 10.0.0.1:1024 "
					"-> qa", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "d has no key udp4 10.0.0.2:9 <- "
			       "10.0.0.1:1024 to qa"));
	assert_int_equal(pk_ctl_key_del("d udp 10.0.0.2:9 <- 10.0.0.1:1024",
					err, sizeof(err)), 0);
	assert_int_equal(push_one(mp, d), 1);
	assert_int_equal(pk_stage_len(qa), 2);
	/* a wildcard to a path reaches its head */
	assert_int_equal(pk_ctl_key_del("d udp 10.0.0.2:9 -> qa", err,
					sizeof(err)), 0);
	assert_int_equal(pk_ctl_key_add("d udp4 *:9 -> pq", err, sizeof(err)),
			 0);
	assert_int_equal(push_one(mp, d), 1);
	assert_int_equal(pk_stage_len(qp), 1);
	assert_int_equal(pk_demux_flow_count(d), 1);
	assert_int_equal(pk_ctl_key_add("d udp 10.0.0.2:9 -> qa", err,
					sizeof(err)), 0);
	for (i = 0; i < RTE_DIM(bad); i++) {
		err[0] = '\0';
		assert_int_equal(pk_ctl_key_add(bad[i].text, err, sizeof(err)),
				 bad[i].rc);
		printf("refused: %s\n", err);
		assert_non_null(strstr(err, bad[i].why));
	}
	assert_int_equal(pk_ctl_key_del("d udp 10.0.0.9:9", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "d has no key udp4 10.0.0.9:9"));
	assert_int_equal(pk_demux_flow_count(d), 2);     /* nothing changed */
	pk_stage_destroy(d);
	pk_thread_destroy(t);
	pk_path_destroy(pq);
	pk_test_drain_free(qa, 2);
	pk_test_drain_free(qb, 1);
	pk_stage_destroy(qa);
	pk_stage_destroy(qb);
	pk_test_assert_pools_full();
	rte_mempool_free(mp);
}

static void
test_reservations(void **state)
{
	struct pk_portmap *pm = pk_portmap_create("pm");
	char err[PK_CTL_ERR_MAX];
	uint16_t port = 5003;
	int bob;

	(void)state;
	assert_non_null(pm);
	assert_int_equal(pk_ctl_reserve("pm", "alice:udp:5000-5009", err,
					sizeof(err)), 0);
	bob = pk_owner_lookup("bob");
	bob = bob > 0 ? bob : pk_owner_create("bob");
	assert_true(bob > 0);
	assert_int_equal(pk_portmap_bind(pm, (uint32_t)bob, IPPROTO_UDP, NULL,
					 &port), -EACCES);
	assert_int_equal(pk_ctl_reserve("pm", "bob:udp:5005", err,
					sizeof(err)), -EEXIST);
	assert_int_equal(pk_ctl_release("pm", "alice:udp:5000-5008", err,
					sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no such reservation in pm"));
	assert_int_equal(pk_ctl_release("pm", "alice:udp:5000-5009", err,
					sizeof(err)), 0);
	assert_int_equal(pk_portmap_bind(pm, (uint32_t)bob, IPPROTO_UDP, NULL,
					 &port), 0);
	assert_int_equal(port, 5003);
	assert_int_equal(pk_ctl_release("pm", "carol:udp:1", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no owner carol"));
	assert_int_equal(pk_ctl_reserve("nopm", "alice:udp:1", err,
					sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no port map named nopm"));
	assert_int_equal(pk_ctl_reserve("pm", "alice:udp:0", err,
					sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'0' is not an integer in 1..65535"));
	assert_int_equal(pk_ctl_reserve("pm", NULL, err, sizeof(err)),
			 -EINVAL);
	pk_portmap_destroy(pm);
	pk_owner_destroy((uint32_t)bob);
	pk_owner_destroy((uint32_t)pk_owner_lookup("alice"));
}

static char tel_reply[16384];

static const char *
tel(const char *cmd)
{
	return pk_test_tel(tel_sock, cmd, tel_reply, sizeof(tel_reply));
}

static void
test_telemetry(void **state)
{
	static const char *const cmds[] = {
		"/pathkit/key_add", "/pathkit/key_del", "/pathkit/sched_weight",
		"/pathkit/sched_rate", "/pathkit/owner_rate",
		"/pathkit/thread_shares",
	};
	struct pk_thread *t = pk_thread_entry_create(
		&(struct pk_thread_conf){ .name = "tt" });
	unsigned int i;

	(void)state;
	tel("/");
	for (i = 0; i < RTE_DIM(cmds); i++) /* registered: help < 128 bytes */
		assert_non_null(strstr(tel_reply, cmds[i]));
	assert_non_null(strstr(tel("/pathkit/thread_shares,tt,7"),
			       "{\"/pathkit/thread_shares\":{\"ok\":1}}"));
	assert_int_equal(pk_thread_shares_get(t), 7);
	assert_non_null(strstr(tel("/pathkit/thread_shares,tt,0"),
			       "{\"ok\":0,\"errno\":22,\"error\":\"shares: "
			       "'0' is not an integer in 1..65536\"}"));
	assert_non_null(strstr(tel("/pathkit/thread_shares,t9,2"),
			       "\"errno\":2,\"error\":\"no thread named t9\""));
	assert_non_null(strstr(tel("/pathkit/thread_shares"),
			       "\"error\":\"expected parameters THREAD,SHARES"));
	assert_non_null(strstr(tel("/pathkit/sched_weight,s,q1"),
			       "found fewer fields, expected SCHED,QUEUE,VALUE"));
	assert_non_null(strstr(tel("/pathkit/sched_rate,s,1M,2"),
			       "found more fields, expected SCHED,RATE"));
	assert_non_null(strstr(tel("/pathkit/owner_rate,nobody,1M"),
			       "no owner named nobody"));
	assert_non_null(strstr(tel("/pathkit/key_add,d udp 10.0.0.2:9"),
			       "found no target"));
	assert_non_null(strstr(tel("/pathkit/key_del,nod udp 10.0.0.2:9"),
			       "no demux_flow stage named nod"));
	assert_int_equal(pk_thread_shares_get(t), 7);
	pk_thread_destroy(t);
}

int
main(void)
{
	static const char *const eal[] = { "--telemetry", NULL };
#define P(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)
	const struct CMUnitTest tests[] = {
		P(test_shares_shift_split),
		P(test_keys),
		P(test_reservations),
		P(test_telemetry),
	};
#undef P
	int rc;

	pk_test_eal_init("test_ctl_keys", NULL, eal);
	tel_sock = pk_test_tel_connect();
	if (tel_sock < 0) {
		fprintf(stderr, "test_ctl_keys: no telemetry socket\n");
		pk_test_eal_cleanup();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	close(tel_sock);
	pk_test_eal_cleanup();
	return rc;
}
