/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime changes (pk_ctl.h) on objects that run, each seen in counters:
 *  - a queue's weight changed while its scheduler's thread is started
 *    shifts the split (1:1, then 1:3), and the thread runs on after;
 *  - a scheduler's rate: with the link's clock frozen a shaped run
 *    releases one frame, an unshaped one its budget;
 *  - an owner's rate finds the scheduler serving the owner alone;
 *  - a scheduler under another is changed with the parent's puller
 *    stopped, the split shifts; an arbiter's scheduler is refused (-EBUSY);
 *  - a thread's shares shift its runner's split (1:1, then 1:3);
 *  - an added key's packets reach their target (a queue, a path's head),
 *    an active key wins over a passive one, a deleted key's go back;
 *  - a reservation refuses another owner's bind; released, it takes it;
 *  - every refusal: the errno, nothing changed, and the reason in words;
 *  - the same through DPDK's telemetry socket: {"ok": 1} or {"ok": 0,
 *    "errno": N, "error": "..."}, and every command registered (a help of
 *    128 bytes or more would have been refused silently).
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

#define SEQ_Q2 1000 /* q2's packets are numbered from here */

static int tel_sock = -1;

/* A scheduler s of two queues q1, q2 pulled by thread out into sink. */
struct sfix {
	struct rte_mempool *mp;
	struct pk_stage *q1, *q2, *s, *sink;
	struct pk_runner *r;
	struct pk_thread *t;
	uint64_t now; /* the link's fake clock */
};

static void
fill(struct sfix *f, struct pk_stage *q, uint16_t n, uint32_t first)
{
	struct rte_mbuf *m[512];

	pk_test_burst(f->mp, m, n, first);
	assert_int_equal(pk_stage_push(q, m, n), n);
}

static int
setup_sched(void **state)
{
	struct sfix *f = calloc(1, sizeof(*f));
	struct pk_sched_conf sc = { .policy = "wf2q" }; /* exact */
	struct pk_thread_conf tc = { .name = "out", .burst = 10,
				     .budget = 100 };

	f->mp = pk_test_pool("ctl_pool", 4095);
	f->q1 = pk_test_ring("q1", 1024);
	f->q2 = pk_test_ring("q2", 1024);
	f->sink = pk_test_ring("sink", 1024);
	f->s = pk_sched_create("s", &sc);
	assert_non_null(f->s);
	assert_int_equal(pk_sched_queue_attach(f->s,
		&(struct pk_sched_queue_conf){ f->q1, 1 }), 0);
	assert_int_equal(pk_sched_queue_attach(f->s,
		&(struct pk_sched_queue_conf){ f->q2, 1 }), 1);
	f->r = pk_runner_create("r", rte_get_main_lcore(), SOCKET_ID_ANY);
	assert_non_null(f->r);
	f->t = pk_thread_continuation_create(&tc, f->r);
	assert_non_null(f->t);
	assert_int_equal(pk_stage_link(f->s, pk_thread_stage(f->t)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(f->t), f->sink), 0);
	fill(f, f->q1, 400, 0);
	fill(f, f->q2, 400, SEQ_Q2);
	assert_int_equal(pk_thread_start(f->t), 0);
	*state = f;
	return 0;
}

static int
teardown_sched(void **state)
{
	struct sfix *f = *state;

	pk_thread_destroy(f->t);
	pk_runner_destroy(f->r);
	pk_stage_destroy(f->s); /* frees what its head slots hold */
	pk_stage_destroy(f->q1);
	pk_stage_destroy(f->q2);
	pk_stage_destroy(f->sink);
	pk_test_assert_pools_full();
	rte_mempool_free(f->mp); /* made again by the next test's setup */
	free(f);
	return 0;
}

/* One run of out; @return what reached sink, *from2 of it from q2. */
static unsigned int
run_once(struct sfix *f, unsigned int *from2)
{
	struct rte_mbuf *m[512];
	unsigned int n, i;

	assert_int_equal(pk_runner_run(f->r, 1), 1);
	n = pk_stage_pull(f->sink, m, RTE_DIM(m));
	for (i = 0, *from2 = 0; i < n; i++)
		*from2 += pk_test_seq(m[i]) >= SEQ_Q2;
	rte_pktmbuf_free_bulk(m, n);
	return n;
}

static void
test_weight_shifts_split(void **state)
{
	struct sfix *f = *state;
	char err[PK_CTL_ERR_MAX];
	unsigned int n, b;
	uint32_t w;

	run_once(f, &b); /* both queues backlogged from here on */
	n = run_once(f, &b);
	assert_int_equal(n, 100);
	assert_in_range(b, 49, 51);                     /* 1:1 */
	assert_int_equal(pk_ctl_sched_param("s", "q2", "3", err, sizeof(err)),
			 0);
	assert_int_equal(pk_sched_queue_info(f->s, 1, &w, NULL), 0);
	assert_int_equal(w, 3);
	assert_int_equal(pk_thread_state(f->t), PK_THREAD_RUNNING);
	n = run_once(f, &b);
	assert_int_equal(n, 100);
	assert_in_range(b, 73, 77);                     /* 1:3 */
	/* by id too, and back to the policy's default */
	assert_int_equal(pk_ctl_sched_param("s", "1", "default", err,
					    sizeof(err)), 0);
	n = run_once(f, &b);
	assert_in_range(b, 48, 52);
}

static void
test_weight_refusals(void **state)
{
	static const struct {
		const char *sched, *queue, *value;
		int rc;
		const char *why;
	} bad[] = {
		{ "nosuch", "q1", "2", -ENOENT, "no scheduler named nosuch" },
		{ "q1", "q1", "2", -ENOENT, "no scheduler named q1" },
		{ "s", "q9", "2", -ENOENT, "s has no queue q9" },
		{ "s", "7", "2", -ENOENT, "s has no queue 7" },
		{ "s", "q\x1b[2J", "2", -ENOENT, "s has no queue q\\x1b[2J" },
		{ "s", "q1", "0", -EINVAL, "0 is not a wf2q parameter in 1.." },
		{ "s", "q1", "x", -EINVAL, "parameter: 'x' is not" },
		{ "s", "q1", "", -EINVAL, "parameter: '' is not" },
		{ "s", "", "2", -EINVAL, "expected a queue's id" },
		{ "bad name", "q1", "2", -EINVAL, "found 'bad name', expected" },
		{ "s", "q1", NULL, -EINVAL, "parameter" },
	};
	struct sfix *f = *state;
	char err[PK_CTL_ERR_MAX];
	unsigned int i, b;
	uint32_t w;

	run_once(f, &b);
	for (i = 0; i < RTE_DIM(bad); i++) {
		err[0] = '\0';
		assert_int_equal(pk_ctl_sched_param(bad[i].sched, bad[i].queue,
			bad[i].value, err, sizeof(err)), bad[i].rc);
		printf("refused: %s\n", err);
		assert_non_null(strstr(err, bad[i].why));
	}
	assert_int_equal(pk_sched_queue_info(f->s, 0, &w, NULL), 0);
	assert_int_equal(w, 1);
	assert_int_equal(pk_thread_state(f->t), PK_THREAD_RUNNING);
	assert_int_equal(run_once(f, &b), 100);
	assert_in_range(b, 49, 51);
}

static uint64_t
fake_clock(void *arg)
{
	return *(uint64_t *)arg;
}

static void
test_rate(void **state)
{
	struct sfix *f = *state;
	char err[PK_CTL_ERR_MAX];
	unsigned int b;

	assert_int_equal(pk_sched_set_clock(f->s, fake_clock, &f->now,
					    1000000000), 0);
	assert_int_equal(pk_ctl_sched_rate("s", "8k", err, sizeof(err)), 0);
	assert_int_equal(run_once(f, &b), 1); /* then in debt: time stands */
	assert_int_equal(run_once(f, &b), 0);
	f->now += 1000000000; /* a second: 1000 bytes of 8 kbit/s */
	assert_in_range(run_once(f, &b), 1, 12);
	assert_int_equal(pk_ctl_sched_rate("s", "0", err, sizeof(err)), 0);
	assert_int_equal(run_once(f, &b), 100);
	assert_int_equal(pk_ctl_sched_rate("s", "fast", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "rate: 'fast' is not"));
	assert_int_equal(pk_ctl_sched_rate("s", "20T", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pk_ctl_sched_rate("t", "1M", err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(run_once(f, &b), 100); /* unshaped still */
}

static void
test_owner_rate(void **state)
{
	struct sfix *f = *state;
	struct pk_path_conf pc = { .name = "pa", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *qa = pk_test_ring("qa", 64), *sa;
	struct pk_sched_conf sc = { .policy = "fifo" };
	char err[PK_CTL_ERR_MAX], *text = NULL;
	struct pk_path *pa;
	size_t len = 0;
	FILE *m;
	int alice = pk_owner_create("alice"), bob = pk_owner_create("bob");

	assert_true(alice > 0 && bob > 0);
	pc.owner = (uint32_t)alice;
	pa = pk_path_create(&pc, &qa, 1);
	assert_non_null(pa);
	sa = pk_sched_create("sa", &sc);
	assert_non_null(sa);
	assert_int_equal(pk_sched_queue_attach(sa,
		&(struct pk_sched_queue_conf){ pk_path_stage(pa),
					       PK_SCHED_PARAM_DEFAULT }), 0);
	assert_int_equal(pk_ctl_owner_rate("alice", "1M", err, sizeof(err)),
			 0);
	m = open_memstream(&text, &len);
	assert_int_equal(pk_ctl_show_sched("sa", m, err, sizeof(err)), 0);
	fclose(m);
	printf("%s", text);
	assert_non_null(strstr(text, "sched sa policy=fifo rate_bps=1000000 "));
	assert_non_null(strstr(text, "q0 stage=pa param="));
	free(text);
	/* s serves no owner: bob has no scheduler of his own */
	assert_int_equal(pk_ctl_owner_rate("bob", "1M", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no scheduler serves bob alone"));
	assert_int_equal(pk_ctl_owner_rate("carol", "1M", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no owner named carol"));
	assert_int_equal(pk_ctl_owner_rate("alice", "-1", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pk_ctl_owner_rate("\x1b", "1M", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no owner named \\x1b"));
	assert_int_equal(pk_ctl_owner_rate(NULL, "1M", err, sizeof(err)),
			 -EINVAL);
	pk_stage_destroy(sa);
	pk_path_destroy(pa);
	pk_owner_destroy((uint32_t)alice);
	pk_owner_destroy((uint32_t)bob);
	(void)f;
}

/* A scheduler under another: the parent's puller is what runs it. */
static void
test_sched_tree_and_arbiter(void **state)
{
	struct pk_sched_conf wc = { .policy = "wf2q" }, fc = { .policy = "fifo" };
	struct pk_thread_conf tc = { .name = "pt", .burst = 10, .budget = 100 };
	struct pk_arbiter_conf ac = { .nb_clients = 2,
				      .lcore_id = PK_ARBITER_LCORE_NONE,
				      .dispatcher_lcore = PK_ARBITER_LCORE_NONE,
				      .socket_id = SOCKET_ID_ANY };
	struct sfix f = { .mp = pk_test_pool("ctl_tree", 2047) };
	struct pk_stage *parent, *aout;
	struct pk_arbiter *a;
	char err[PK_CTL_ERR_MAX], sname[PK_STAGE_NAMESIZE];
	unsigned int b;

	(void)state;
	f.q1 = pk_test_ring("cq1", 1024);
	f.q2 = pk_test_ring("cq2", 1024);
	f.sink = pk_test_ring("tsink", 1024);
	f.s = pk_sched_create("child", &wc);
	parent = pk_sched_create("parent", &fc);
	assert_non_null(f.s);
	assert_non_null(parent);
	assert_int_equal(pk_sched_queue_attach(f.s,
		&(struct pk_sched_queue_conf){ f.q1, 1 }), 0);
	assert_int_equal(pk_sched_queue_attach(f.s,
		&(struct pk_sched_queue_conf){ f.q2, 1 }), 1);
	assert_int_equal(pk_sched_queue_attach(parent,
		&(struct pk_sched_queue_conf){ f.s, PK_SCHED_PARAM_DEFAULT }),
		0);
	f.r = pk_runner_create("r3", rte_get_main_lcore(), SOCKET_ID_ANY);
	f.t = pk_thread_continuation_create(&tc, f.r);
	assert_non_null(f.t);
	assert_int_equal(pk_stage_link(parent, pk_thread_stage(f.t)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(f.t), f.sink), 0);
	fill(&f, f.q1, 400, 0);
	fill(&f, f.q2, 400, SEQ_Q2);
	assert_int_equal(pk_thread_start(f.t), 0);
	run_once(&f, &b);
	assert_int_equal(pk_ctl_sched_param("child", "cq2", "3", err,
					    sizeof(err)), 0);
	assert_int_equal(pk_thread_state(f.t), PK_THREAD_RUNNING);
	run_once(&f, &b); /* the parent's FIFO may hold a few of before */
	assert_int_equal(run_once(&f, &b), 100);
	assert_in_range(b, 72, 78);
	/* an arbiter's scheduler is its thread's alone */
	aout = pk_test_ring("aout", 64);
	ac.out = aout;
	a = pk_arbiter_create("arb", &ac);
	assert_non_null(a);
	snprintf(sname, sizeof(sname), "%s", pk_stage_name(pk_arbiter_sched(a)));
	assert_int_equal(pk_ctl_sched_rate(sname, "1M", err, sizeof(err)),
			 -EBUSY);
	assert_non_null(strstr(err, "is run by an arbiter"));
	assert_int_equal(pk_ctl_sched_param(sname, "0", "2", err, sizeof(err)),
			 -EBUSY);
	pk_arbiter_destroy(a);
	pk_stage_destroy(aout);
	pk_thread_destroy(f.t);
	pk_runner_destroy(f.r);
	pk_stage_destroy(parent);
	pk_stage_destroy(f.s);
	pk_stage_destroy(f.q1);
	pk_stage_destroy(f.q2);
	pk_stage_destroy(f.sink);
	pk_test_assert_pools_full();
	rte_mempool_free(f.mp);
}

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
#define S(f) cmocka_unit_test_setup_teardown(f, setup_sched, teardown_sched)
#define P(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)
	const struct CMUnitTest tests[] = {
		S(test_weight_shifts_split),
		S(test_weight_refusals),
		S(test_rate),
		S(test_owner_rate),
		P(test_sched_tree_and_arbiter),
		P(test_shares_shift_split),
		P(test_keys),
		P(test_reservations),
		P(test_telemetry),
	};
#undef S
#undef P
	int rc;

	pk_test_eal_init("test_ctl", NULL, eal);
	tel_sock = pk_test_tel_connect();
	if (tel_sock < 0) {
		fprintf(stderr, "test_ctl: no telemetry socket\n");
		pk_test_eal_cleanup();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	close(tel_sock);
	pk_test_eal_cleanup();
	return rc;
}
