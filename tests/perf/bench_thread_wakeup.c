/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_thread: thread.wakeup.p50, .p99 (see the card of bench_thread.c):
 * a sleeping thread_lcore woken by a push against a raw futex wait/wake.
 */
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <pathkit/pathkit.h>

#include "bench_thread.h"

static volatile uint64_t tb_push_tsc;
static volatile uint64_t tb_seen_tsc;
static volatile unsigned int tb_seen;

static int
tb_wake_run(struct pk_thread *t, void *arg)
{
	struct rte_mbuf *m[4];
	uint16_t n;

	RTE_SET_USED(arg);
	n = pk_stage_pull(pk_thread_stage(t)->prev, m, 4);
	if (n == 0)
		return 0;
	tb_seen_tsc = rte_rdtsc();
	rte_pktmbuf_free_bulk(m, n);
	__atomic_fetch_add(&tb_seen, n, __ATOMIC_RELEASE);
	return n;
}

static uint64_t
tb_sleeps(struct pk_thread *t)
{
	struct pk_thread_stats st;

	pk_thread_stats_get(t, &st);
	return st.sleeps;
}

static double
tb_us(uint64_t cycles)
{
	return (double)cycles * 1e6 / (double)rte_get_tsc_hz();
}

static void
tb_percentiles(double *v, unsigned int n, double *p50, double *p99)
{
	tb_median(v, n); /* sorts */
	*p50 = v[n / 2];
	*p99 = v[(n * 99) / 100];
}

static void
tb_wakeup_pk(double *lat)
{
	struct pk_thread_conf tc = { .name = "tbw", .fn = tb_wake_run };
	struct pk_stage *q;
	struct pk_thread *t;
	struct rte_mbuf *m;
	unsigned int i;
	uint64_t s;

	q = pk_queue_ring_create("tbwq", 64, 0, 0, SOCKET_ID_ANY);
	t = pk_thread_lcore_create(&tc, tb_worker);
	if (q == NULL || t == NULL ||
	    pk_stage_link(q, pk_thread_stage(t)) != 0 || pk_thread_start(t))
		rte_exit(EXIT_FAILURE, "wakeup setup\n");
	tb_seen = 0;
	for (i = 0; i < TB_WAKEUPS; i++) {
		s = tb_sleeps(t);
		while (tb_sleeps(t) == s)
			rte_pause();
		usleep(200); /* past the sleep count: inside the futex */
		m = rte_pktmbuf_alloc(tb_pool);
		tb_push_tsc = rte_rdtsc();
		if (m == NULL || !pk_stage_push_one(q, m))
			rte_exit(EXIT_FAILURE, "wakeup push\n");
		while (__atomic_load_n(&tb_seen, __ATOMIC_ACQUIRE) <= i)
			rte_pause();
		lat[i] = tb_us(tb_seen_tsc - tb_push_tsc);
	}
	pk_thread_destroy(t);
	pk_stage_destroy(q);
}

static uint32_t tb_futex_word;
static volatile int tb_futex_stop;

static int
tb_futex_waiter(void *arg)
{
	uint32_t seen = 0;

	RTE_SET_USED(arg);
	while (!tb_futex_stop) {
		__atomic_store_n(&tb_seen, seen, __ATOMIC_RELEASE);
		syscall(SYS_futex, &tb_futex_word, FUTEX_WAIT_PRIVATE, seen,
			NULL, NULL, 0);
		tb_seen_tsc = rte_rdtsc();
		seen = __atomic_load_n(&tb_futex_word, __ATOMIC_ACQUIRE);
	}
	return 0;
}

static void
tb_wakeup_raw(double *lat)
{
	unsigned int i;

	tb_futex_word = 0;
	tb_futex_stop = 0;
	tb_seen = UINT_MAX;
	rte_eal_remote_launch(tb_futex_waiter, NULL, tb_worker);
	for (i = 0; i < TB_WAKEUPS; i++) {
		while (__atomic_load_n(&tb_seen, __ATOMIC_ACQUIRE) != i)
			rte_pause();
		usleep(200);
		tb_push_tsc = rte_rdtsc();
		__atomic_store_n(&tb_futex_word, i + 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, &tb_futex_word, FUTEX_WAKE_PRIVATE, INT_MAX,
			NULL, NULL, 0);
		while (__atomic_load_n(&tb_seen, __ATOMIC_ACQUIRE) != i + 1)
			rte_pause();
		lat[i] = tb_us(tb_seen_tsc - tb_push_tsc);
	}
	tb_futex_stop = 1;
	__atomic_store_n(&tb_futex_word, UINT32_MAX, __ATOMIC_RELEASE);
	syscall(SYS_futex, &tb_futex_word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL,
		NULL, 0);
	rte_eal_wait_lcore(tb_worker);
}

void
tb_wakeup(void)
{
	static double pk[TB_WAKEUPS], raw[TB_WAKEUPS];
	double pk50, pk99, raw50, raw99;

	if (!tb_wanted("thread.wakeup.p50") &&
	    !tb_wanted("thread.wakeup.p99"))
		return;
	tb_wakeup_raw(raw);
	tb_wakeup_pk(pk);
	tb_percentiles(pk, TB_WAKEUPS, &pk50, &pk99);
	tb_percentiles(raw, TB_WAKEUPS, &raw50, &raw99);
	if (tb_wanted("thread.wakeup.p50"))
		tb_report("thread.wakeup.p50", pk50, "us", raw50, true);
	if (tb_wanted("thread.wakeup.p99"))
		tb_report("thread.wakeup.p99", pk99, "us", raw99, true);
}
