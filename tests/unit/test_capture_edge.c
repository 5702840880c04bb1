/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture switched on and off 40 times on the edge src -> out while
 * another lcore pushes numbered bursts through src (a proc_noop) and pulls
 * them from out, each time at a random point of its loop: out gets every
 * packet once, in order (the pusher checks each seq); each capture's file
 * holds a run of seqs in order, as many as it wrote, and each capture's
 * copies were written or counted lost; the counters come back through the
 * off call; the edge is found by name, a second "on" is refused, a stage
 * that pushes nowhere or a wrong "to" is refused. The same on an edge a
 * stage pulls over (q -> pn, a proc_noop pulled through). After cleanup,
 * pools are full; files removed. The file reader, the wait and the set-up:
 * capture_fixture.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "capture_fixture.h"

#define SWITCHES 40
#define BURST 8

struct pusher {
	struct pk_stage *src, *out; /* push into src, pull from out */
	uint64_t pushed;   /* atomic */
	uint32_t stop;     /* atomic */
	uint32_t bad;      /* a seq out of order, or lost */
};

static int
pusher_main(void *arg)
{
	struct pusher *p = arg;
	struct rte_mbuf *m[BURST];
	uint32_t next = 0;
	uint16_t k, i;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		pk_test_burst(pool, m, BURST, (uint32_t)p->pushed);
		k = pk_stage_push(p->src, m, BURST);
		rte_pktmbuf_free_bulk(&m[k], BURST - k);
		__atomic_fetch_add(&p->pushed, k, __ATOMIC_RELEASE);
		if (k != BURST)
			p->bad++;
		while ((k = pk_stage_pull(p->out, m, BURST)) != 0) {
			for (i = 0; i < k; i++)
				if (pk_test_seq(m[i]) != next++)
					p->bad++;
			rte_pktmbuf_free_bulk(m, k);
		}
		rte_delay_us_block(20); /* a pace a writer keeps up with */
	}
	return 0;
}

static void
test_edge_switched_while_pushing(void **state)
{
	static uint32_t seq[1 << 16];
	struct pusher p = { .stop = 0 };
	struct pk_capture_conf conf = { 0 };
	struct pk_capture_stats cs;
	uint64_t captured = 0, lost = 0;
	unsigned int worker, i, j, n;
	char file[128];

	(void)state;
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		skip();
	}
	p.src = pk_stage_create("proc_noop", "src", NULL, SOCKET_ID_ANY);
	p.out = pk_test_ring("out", 1024);
	assert_int_equal(pk_stage_link(p.src, p.out), 0);
	conf.file = file;
	snprintf(file, sizeof(file), "%s/x.pcapng", dir);
	assert_int_equal(pk_capture_edge_on("out", NULL, &conf), -EINVAL);
	assert_int_equal(pk_capture_edge_on("src", "nope", &conf), -ENOENT);
	assert_int_equal(pk_capture_edge_on("src", "src", &conf), -EINVAL);
	assert_int_equal(pk_capture_edge_on("nosuch", NULL, &conf), -ENOENT);
	assert_int_equal(rte_eal_remote_launch(pusher_main, &p, worker), 0);
	for (i = 0; i < SWITCHES; i++) {
		snprintf(file, sizeof(file), "%s/e%u.pcapng", dir, i);
		wait_count(&p.pushed, 32);
		rte_delay_us_block(i % 16); /* land anywhere in its loop */
		assert_int_equal(pk_capture_edge_on("src", i % 2 ? "out" : NULL,
						    &conf), 0);
		assert_int_equal(pk_capture_edge_on("src", NULL, &conf),
				 -EBUSY);
		wait_count(&p.pushed, 64);
		rte_delay_us_block(i % 13);
		assert_int_equal(pk_capture_edge_off("src", &cs), 0);
		assert_int_equal(pk_capture_edge_off("src", NULL), -ENOENT);
		/* closed: all it took is written or lost */
		assert_int_equal(cs.captured, cs.written);
		n = file_seqs(file, NULL, seq, RTE_DIM(seq));
		assert_int_equal(n, cs.written);
		for (j = 1; j < n; j++)
			assert_true(seq[j] > seq[j - 1]);
		captured += cs.captured;
		lost += cs.capture_lost;
		unlink(file);
	}
	wait_count(&p.pushed, 32); /* and on without a capture */
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(worker);
	assert_int_equal(p.bad, 0);
	assert_true(captured > 0);
	print_message("%" PRIu64 " pushed, %" PRIu64 " captured, %" PRIu64
		      " lost\n", p.pushed, captured, lost);
	pk_capture_edge_cleanup();
	pk_test_drain_free(p.out, 0);
	pk_stage_destroy(p.src);
	pk_stage_destroy(p.out);
}

/* The same on an edge a stage pulls over: q -> pn, pn pulled through. */
static void
test_pull_edge_switched_while_pulling(void **state)
{
	static uint32_t seq[1 << 16];
	struct pusher p = { .stop = 0 };
	struct pk_capture_conf conf = { 0 };
	struct pk_capture_stats cs;
	unsigned int worker, i, j, n;
	uint64_t captured = 0;
	char file[128];

	(void)state;
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		skip();
	}
	p.src = pk_test_ring("q", 1024);
	p.out = pk_stage_create("proc_noop", "pn", NULL, SOCKET_ID_ANY);
	assert_int_equal(pk_stage_link(p.src, p.out), 0); /* pn pulls q */
	conf.file = file;
	snprintf(file, sizeof(file), "%s/x.pcapng", dir);
	assert_int_equal(pk_capture_edge_on("q", NULL, &conf), -EINVAL);
	assert_int_equal(pk_capture_edge_on("q", "q", &conf), -EINVAL);
	assert_int_equal(rte_eal_remote_launch(pusher_main, &p, worker), 0);
	for (i = 0; i < SWITCHES / 2; i++) {
		snprintf(file, sizeof(file), "%s/p%u.pcapng", dir, i);
		wait_count(&p.pushed, 32);
		rte_delay_us_block(i % 16);
		assert_int_equal(pk_capture_edge_on("q", "pn", &conf), 0);
		wait_count(&p.pushed, 64);
		assert_int_equal(pk_capture_edge_off("q", &cs), 0);
		assert_int_equal(cs.captured, cs.written);
		n = file_seqs(file, NULL, seq, RTE_DIM(seq));
		assert_int_equal(n, cs.written);
		for (j = 1; j < n; j++)
			assert_true(seq[j] > seq[j - 1]);
		captured += cs.captured;
		unlink(file);
	}
	wait_count(&p.pushed, 32);
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(worker);
	assert_int_equal(p.bad, 0);
	assert_true(captured > 0);
	pk_capture_edge_cleanup();
	pk_test_drain_free(p.src, 0);
	pk_stage_destroy(p.src);
	pk_stage_destroy(p.out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_edge_switched_while_pushing,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_pull_edge_switched_while_pulling,
					  pk_test_teardown_pools_full),
	};
	int rc;

	if (capture_fixture_init("test_capture_edge", "pk_capedge", 1024) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	capture_fixture_fini();
	return rc;
}
