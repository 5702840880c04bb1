/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSPAT arbiter with threads running in parallel: the arbiter (and the
 * dispatcher) launched on worker lcores with the main lcore as client and
 * sink, and a registered non-EAL thread as a client while the main lcore
 * runs the arbiter. The checks are those of test_arbiter (conservation per
 * client, each client's sequence numbers once and in order: the test
 * arbiter of pk_test_arbiter.h), plus what starting the loops changes:
 * held read from another thread while they run, and drained to 0 by
 * them once the clients pause, the counters then balancing exactly.
 * EAL: 3 lcores on 2 CPUs (--lcores=0@0,1@1,2@1): the dispatcher shares
 * the arbiter's CPU.
 */
#define _GNU_SOURCE /* pthread_attr_setaffinity_np(), rte_lcore_cpuset() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_arbiter.h"

static struct rte_mempool *pool;

struct ta_thread {
	struct ta *t;
	uint32_t c;
	uint32_t n;     /* packets to get into the mailbox */
	int rc;         /* -rte_errno if rte_thread_register() failed */
};

/* A non-EAL pthread, registered with the EAL, as client c. */
static void *
ta_thread_client(void *arg)
{
	struct ta_thread *th = arg;
	struct rte_mbuf *m[32];
	uint32_t *next = &th->t->next_in[th->c];
	uint16_t k, i, n;

	if (rte_thread_register() != 0) {
		__atomic_store_n(&th->rc, -rte_errno, __ATOMIC_RELEASE);
		return NULL;
	}
	while (*next < th->n) {
		n = RTE_MIN(32u, th->n - *next);
		for (i = 0; i < n; i++)
			m[i] = pk_test_udp4(pool, 64, 64,
					    th->c << 24 | (*next + i));
		k = pk_stage_push(pk_arbiter_client(th->t->a, th->c), m, n);
		rte_pktmbuf_free_bulk(&m[k], n - k); /* ours: made again */
		__atomic_store_n(next, *next + k, __ATOMIC_RELEASE);
	}
	rte_thread_unregister();
	return NULL;
}

/*
 * "A client is any EAL lcore or registered thread": a registered pthread
 * pushes 20000 packets as client 1 while the main lcore is client 0, runs
 * the arbiter and takes the output. The pthread runs on the idle worker
 * lcores' CPU: created by the main lcore it would inherit its CPU, and two
 * threads that share a CPU and both use the pool's MP/MC ring can spin
 * for whole time slices on each other's half-done operations (DPDK's
 * warning about rings and preemptible threads); that took minutes.
 */
static void
test_registered_thread_client(void **state)
{
	const struct ta_conf tc = { .nb = 2, .out_size = 4096, .mb_size = 128 };
	struct ta_thread th = { .c = 1, .n = 20000 };
	rte_cpuset_t cpus = rte_lcore_cpuset(rte_get_next_lcore(-1, 1, 0));
	pthread_attr_t attr;
	pthread_t tid;
	struct ta t;

	(void)state;
	ta_create(&t, pool, &tc);
	th.t = &t;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setaffinity_np(&attr, sizeof(cpus),
						     &cpus), 0);
	assert_int_equal(pthread_create(&tid, &attr, ta_thread_client, &th), 0);
	pthread_attr_destroy(&attr);
	while (__atomic_load_n(&t.next_in[1], __ATOMIC_ACQUIRE) < th.n ||
	       pk_stage_len(pk_arbiter_client(t.a, 1)) != 0) {
		if (t.next_in[0] < 20000)
			ta_feed(&t, 0, 32);
		pk_arbiter_run(t.a, 1);
		ta_consume(&t);
		if (__atomic_load_n(&th.rc, __ATOMIC_ACQUIRE) != 0)
			break; /* not registered: it pushes nothing */
	}
	pthread_join(tid, NULL);
	assert_int_equal(th.rc, 0);
	ta_finish(&t);
	assert_int_equal(t.seen[1], th.n);
}

/*
 * The arbiter on a worker lcore, the main lcore as client and sink; with
 * dispatcher, a second worker lcore transmits (on 2 cores the EAL maps
 * lcores 1 and 2 to the same CPU: slow, but the hand-over is the same).
 */
static void
arbiter_on_lcores(enum pk_arbiter_dispatch d)
{
	static const uint32_t w[2] = { 1, 2 };
	struct pk_arbiter_conf c = {
		.nb_clients = 2, .params = w, .rate_bps = 200000000ULL,
		.mailbox_size = 256, .tx_retries = 1000, .dispatch = d,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	uint64_t start, end, seen_running, held_max = 0, held_left;
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	bool balanced = true;
	struct ta t;
	uint32_t i;
	int busy;

	c.lcore_id = rte_get_next_lcore(-1, 1, 0);
	if (d == PK_ARBITER_DISPATCH_THREAD)
		c.dispatcher_lcore = rte_get_next_lcore(c.lcore_id, 1, 0);
	if (c.lcore_id >= RTE_MAX_LCORE || c.dispatcher_lcore == RTE_MAX_LCORE) {
		print_message("needs 3 lcores; skipped\n");
		skip();
	}
	memset(&t, 0, sizeof(t));
	t.mp = pool;
	t.nb = 2;
	t.out = pk_queue_ring_create("ta_out", 4096, 0, 0, SOCKET_ID_ANY);
	assert_non_null(t.out);
	c.out = t.out;
	t.a = pk_arbiter_create("tal", &c);
	assert_non_null(t.a);
	assert_int_equal(pk_arbiter_start(t.a), 0);
	assert_int_equal(pk_arbiter_start(t.a), -EALREADY);
	assert_int_equal(pk_arbiter_run(t.a, 1), -EBUSY);
	/* 200 ms, and on a busy machine on until 2000 went out (20 s at most):
	 * what is asserted below is that the loops ran, not how fast */
	start = rte_get_tsc_cycles();
	end = start + rte_get_tsc_hz() / 5;
	while (rte_get_tsc_cycles() < end ||
	       (t.seen[0] + t.seen[1] < 2000 &&
		rte_get_tsc_cycles() < start + 20 * rte_get_tsc_hz())) {
		ta_feed(&t, 0, 32);
		ta_feed(&t, 1, 32);
		ta_consume(&t);
		pk_arbiter_stats_get(t.a, &as); /* read while the loops run */
		held_max = RTE_MAX(held_max, as.held);
	}
	/* the clients pause: the running loops send what they hold */
	end = rte_get_tsc_cycles() + rte_get_tsc_hz() * 5;
	do {
		ta_consume(&t);
		pk_arbiter_stats_get(t.a, &as);
	} while (as.held != 0 && rte_get_tsc_cycles() < end);
	held_left = as.held;
	for (i = 0; i < 2; i++) { /* nothing moves now: exact */
		pk_arbiter_client_stats_get(t.a, i, &st);
		balanced &= st.admitted == st.sent + st.dropped + st.held;
	}
	ta_feed(&t, 0, 32); /* stop with packets in the mailboxes */
	/* check after the stop: a failed assertion must not leave lcores on */
	busy = pk_arbiter_dispatch(t.a);
	seen_running = t.seen[0] + t.seen[1]; /* not the flush at stop */
	ta_finish(&t); /* stops first, then checks conservation */
	assert_int_equal(busy, d == PK_ARBITER_DISPATCH_THREAD ? -EBUSY : -EINVAL);
	print_message("%" PRIu64 " packets out while running, up to %" PRIu64
		      " held\n", seen_running, held_max);
	assert_true(held_max > 0);
	assert_int_equal(held_left, 0);
	assert_true(balanced);
	assert_true(seen_running > 100); /* a dispatcher that never ran: 0 */
	/* weights 1:2 (time slices of two lcores on one CPU blur it) */
	if (d == PK_ARBITER_DISPATCH_DIRECT)
		assert_true(t.seen[0] > 0 && t.seen[1] > t.seen[0]);
}

static void
test_arbiter_on_lcore(void **state)
{
	(void)state;
	arbiter_on_lcores(PK_ARBITER_DISPATCH_DIRECT);
}

static void
test_dispatcher_on_lcore(void **state)
{
	(void)state;
	arbiter_on_lcores(PK_ARBITER_DISPATCH_THREAD);
}

int
main(void)
{
	/* 3 lcores on 2 CPUs: the dispatcher shares the arbiter's CPU */
	static const char *const eal[] = { "--lcores=0@0,1@1,2@1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_registered_thread_client,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_arbiter_on_lcore,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_dispatcher_on_lcore,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_require_cores("test_arbiter_lcores", 2);
	pk_test_eal_init("test_arbiter_lcores", NULL, eal);
	pool = pk_test_pool("test_arbiter_lcores", 8192);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
