/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime changes (pk_ctl.h) on schedulers that run, each seen in counters:
 *  - a queue's weight changed while its scheduler's thread is started
 *    shifts the split (1:1, then 1:3), and the thread runs on after;
 *  - a scheduler's rate: with the link's clock frozen a shaped run
 *    releases one frame, an unshaped one its budget;
 *  - an owner's rate finds the scheduler serving the owner alone;
 *  - a scheduler under another is changed with the parent's puller
 *    stopped, the split shifts; an arbiter's scheduler is refused (-EBUSY);
 *  - every refusal: the errno, nothing changed, and the reason in words.
 * Shares, keys, reservations and telemetry: test_ctl_keys.c.
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

int
main(void)
{
#define S(f) cmocka_unit_test_setup_teardown(f, setup_sched, teardown_sched)
#define P(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)
	const struct CMUnitTest tests[] = {
		S(test_weight_shifts_split),
		S(test_weight_refusals),
		S(test_rate),
		S(test_owner_rate),
		P(test_sched_tree_and_arbiter),
	};
#undef S
#undef P
	int rc;

	pk_test_eal_init("test_ctl", NULL, NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
