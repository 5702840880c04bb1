/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture on the edges of a fan, while another lcore moves numbered
 * packets (even seqs one flow or queue, odd the other):
 *  - a demux's output d -> qa (its key's target), switched on and off 12
 *    times, the other output d -> qb captured at the same time on every
 *    third: each file holds only its output's seqs, each one once, in
 *    order, with no gap when nothing was lost (every packet that crossed
 *    while on), every record commented "path=- owner=- stage=d->qa"; the
 *    queues get every packet once, in order;
 *  - a scheduler's input qa -> s (pktsched rr pulling qa and qb), the
 *    same;
 *  - refusals: a demux's output not named, not an output, no such stage,
 *    captured twice; off twice;
 *  - an mt demux's output: a capture for concurrent pushes, closed once
 *    the demux's readers let go of it;
 *  - the demux's tap itself: keys added for a tapped target go to the
 *    tap, remove_target() takes the keys and the tap away.
 * Pools full at the end; files removed. The file reader, the wait and the
 * set-up: capture_fixture.h.
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
#include <rte_udp.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "capture_fixture.h"

#define SWITCHES 12
#define BURST 8

struct mover {
	struct pk_stage *in;        /* the demux; or NULL: push qa and qb */
	struct pk_stage *qa, *qb;   /* pulled, or pushed into */
	struct pk_stage *sched;     /* pulled, if in is NULL */
	uint64_t moved;             /* atomic */
	uint32_t stop;              /* atomic */
	uint32_t bad;               /* refused, out of order or lost */
};

/* Even seqs to UDP port 9 (flow a), odd ones to port 10 (flow b). */
static void
mover_burst(struct rte_mbuf **m, uint32_t first)
{
	struct rte_udp_hdr *u;
	uint16_t i;

	pk_test_burst(pool, m, BURST, first);
	for (i = 0; i < BURST; i++) {
		u = rte_pktmbuf_mtod_offset(m[i], struct rte_udp_hdr *, 34);
		u->dst_port = rte_cpu_to_be_16((first + i) % 2 ? 10 : 9);
	}
}

/* Check a pulled run: even or odd seqs each in order after *next. */
static void
mover_check(struct mover *p, struct rte_mbuf **m, uint16_t k, uint32_t *next)
{
	uint16_t i;
	uint32_t s;

	for (i = 0; i < k; i++) {
		s = pk_test_seq(m[i]);
		if (s != next[s % 2])
			p->bad++;
		next[s % 2] = s + 2;
	}
	rte_pktmbuf_free_bulk(m, k);
}

static int
mover_main(void *arg)
{
	struct mover *p = arg;
	struct rte_mbuf *m[BURST];
	uint32_t next[2] = { 0, 1 }, seq = 0;
	uint16_t k, ka, kb, i;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		mover_burst(m, seq);
		if (p->in != NULL) {
			k = pk_stage_push(p->in, m, BURST);
		} else { /* half to each input of the scheduler */
			struct rte_mbuf *a[BURST], *b[BURST];

			for (i = ka = kb = 0; i < BURST; i++) {
				if ((seq + i) % 2)
					b[kb++] = m[i];
				else
					a[ka++] = m[i];
			}
			k = pk_stage_push(p->qa, a, ka);
			k += pk_stage_push(p->qb, b, kb);
		}
		if (k != BURST) {
			p->bad++;
			break;
		}
		seq += BURST;
		__atomic_fetch_add(&p->moved, k, __ATOMIC_RELEASE);
		if (p->in != NULL) {
			while ((k = pk_stage_pull(p->qa, m, BURST)) != 0)
				mover_check(p, m, k, next);
			while ((k = pk_stage_pull(p->qb, m, BURST)) != 0)
				mover_check(p, m, k, next);
		} else {
			while ((k = pk_stage_pull(p->sched, m, BURST)) != 0)
				mover_check(p, m, k, next);
		}
		rte_delay_us_block(20); /* a pace a writer keeps up with */
	}
	if (next[0] + next[1] != 2 * seq - 1 + 2) /* all came out */
		p->bad++;
	return 0;
}

/* A file's seqs: all of one parity, in order, none missing unless lost. */
static void
check_file(const char *file, const char *note, uint32_t parity,
	   const struct pk_capture_stats *cs)
{
	static uint32_t seq[1 << 16];
	unsigned int n, j;

	assert_int_equal(cs->captured, cs->written);
	n = file_seqs(file, note, seq, RTE_DIM(seq));
	assert_int_equal(n, cs->written);
	for (j = 0; j < n; j++) {
		assert_int_equal(seq[j] % 2, parity);
		if (j > 0 && cs->capture_lost == 0)
			assert_int_equal(seq[j], seq[j - 1] + 2);
		else if (j > 0)
			assert_true(seq[j] > seq[j - 1]);
	}
	unlink(file);
}

static void
flow_key(struct pk_flow_key *k, uint16_t port)
{
	struct rte_mbuf *m;

	m = pk_test_udp4(pool, 64, 64, 0);
	rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 34)->dst_port =
		rte_cpu_to_be_16(port);
	assert_int_equal(pk_flow_parse(m, k), PK_FLOW_OK);
	rte_pktmbuf_free(m);
}

static unsigned int
worker_or_skip(void)
{
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);

	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		skip();
	}
	return worker;
}

static void
test_demux_output_switched_while_pushing(void **state)
{
	struct pk_capture_conf conf = { 0 }, conf_b = { 0 };
	struct pk_capture_stats cs;
	struct mover p = { .stop = 0 };
	struct pk_flow_key ka, kb;
	char file[128], file_b[128];
	uint64_t captured = 0, lost = 0;
	struct pk_stage *qc;
	unsigned int worker, i;

	(void)state;
	worker = worker_or_skip();
	p.in = pk_stage_create("demux_flow", "d", "capacity=16",
			       SOCKET_ID_ANY);
	p.qa = pk_test_ring("qa", 1024);
	p.qb = pk_test_ring("qb", 1024);
	qc = pk_test_ring("qc", 64);
	flow_key(&ka, 9);
	flow_key(&kb, 10);
	assert_int_equal(pk_demux_flow_add(p.in, &ka, p.qa), 0);
	assert_int_equal(pk_demux_flow_add(p.in, &kb, p.qb), 0);
	conf.file = file;
	conf_b.file = file_b;
	snprintf(file, sizeof(file), "%s/x.pcapng", dir);
	assert_int_equal(pk_capture_edge_on("d", NULL, &conf), -EINVAL);
	assert_int_equal(pk_capture_edge_on("d", "qc", &conf), -EINVAL);
	assert_int_equal(pk_capture_edge_on("d", "nosuch", &conf), -ENOENT);
	assert_int_equal(pk_capture_edge_on("qa", "d", &conf), -EINVAL);
	assert_int_equal(rte_eal_remote_launch(mover_main, &p, worker), 0);
	for (i = 0; i < SWITCHES; i++) {
		snprintf(file, sizeof(file), "%s/a%u.pcapng", dir, i);
		snprintf(file_b, sizeof(file_b), "%s/b%u.pcapng", dir, i);
		wait_count(&p.moved, 32);
		rte_delay_us_block(i % 16); /* land anywhere in its loop */
		assert_int_equal(pk_capture_edge_on("d", "qa", &conf), 0);
		assert_int_equal(pk_capture_edge_on("d", "qa", &conf), -EBUSY);
		if (i % 3 == 0)
			assert_int_equal(pk_capture_edge_on("d", "qb", &conf_b),
					 0);
		wait_count(&p.moved, 64);
		rte_delay_us_block(i % 13);
		assert_int_equal(pk_capture_edge_off_to("d", "qa", &cs), 0);
		assert_int_equal(pk_capture_edge_off_to("d", "qa", NULL),
				 -ENOENT);
		check_file(file, "path=- owner=- stage=d->qa", 0, &cs);
		captured += cs.captured;
		lost += cs.capture_lost;
		if (i % 3 == 0) {
			assert_int_equal(pk_capture_edge_off("d", &cs), 0);
			check_file(file_b, "path=- owner=- stage=d->qb", 1, &cs);
		}
	}
	wait_count(&p.moved, 32); /* and on without a capture */
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(worker);
	assert_int_equal(p.bad, 0);
	assert_true(captured > 0);
	print_message("%" PRIu64 " moved, %" PRIu64 " captured on d->qa, %"
		      PRIu64 " lost\n", p.moved, captured, lost);
	pk_capture_edge_cleanup();
	pk_stage_destroy(p.in);
	pk_stage_destroy(p.qa);
	pk_stage_destroy(p.qb);
	pk_stage_destroy(qc);
}

static void
test_sched_input_switched_while_pulling(void **state)
{
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct pk_capture_conf conf = { 0 };
	struct pk_capture_stats cs;
	struct mover p = { .stop = 0 };
	uint64_t captured = 0;
	unsigned int worker, i;
	char file[128];

	(void)state;
	worker = worker_or_skip();
	p.qa = pk_test_ring("qa", 1024);
	p.qb = pk_test_ring("qb", 1024);
	p.sched = pk_stage_create("pktsched", "s", "policy=rr", SOCKET_ID_ANY);
	assert_non_null(p.sched);
	qc.stage = p.qa;
	assert_true(pk_sched_queue_attach(p.sched, &qc) >= 0);
	qc.stage = p.qb;
	assert_true(pk_sched_queue_attach(p.sched, &qc) >= 0);
	conf.file = file;
	snprintf(file, sizeof(file), "%s/x.pcapng", dir);
	assert_int_equal(pk_capture_edge_on("s", "qa", &conf), -EINVAL);
	assert_int_equal(pk_capture_edge_on("qa", NULL, &conf), -EINVAL);
	assert_int_equal(rte_eal_remote_launch(mover_main, &p, worker), 0);
	for (i = 0; i < SWITCHES; i++) {
		snprintf(file, sizeof(file), "%s/s%u.pcapng", dir, i);
		wait_count(&p.moved, 32);
		rte_delay_us_block(i % 16);
		assert_int_equal(pk_capture_edge_on("qa", "s", &conf), 0);
		assert_int_equal(pk_capture_edge_on("qa", "s", &conf), -EBUSY);
		wait_count(&p.moved, 64);
		rte_delay_us_block(i % 13);
		assert_int_equal(pk_capture_edge_off("qa", &cs), 0);
		check_file(file, "path=- owner=- stage=qa->s", 0, &cs);
		captured += cs.captured;
	}
	wait_count(&p.moved, 32);
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(worker);
	assert_int_equal(p.bad, 0);
	assert_true(captured > 0);
	assert_int_equal(pk_sched_nb_queues(p.sched), 2);
	pk_capture_edge_cleanup();
	pk_stage_destroy(p.sched);
	pk_stage_destroy(p.qa);
	pk_stage_destroy(p.qb);
}

/* An mt demux's output: the capture takes concurrent pushes, and off
 * waits for the demux's readers before closing it (none registered here:
 * this thread is the control thread, which a reader must not be). */
static void
test_mt_demux_output(void **state)
{
	struct pk_capture_conf conf = { 0 };
	struct pk_capture_stats cs;
	struct pk_stage *d, *qa;
	struct rte_mbuf *m[BURST];
	struct pk_flow_key ka;
	char file[128];

	(void)state;
	d = pk_stage_create("demux_flow", "dm", "mt=1", SOCKET_ID_ANY);
	qa = pk_stage_create("queue_ring", "qm", "mp=1", SOCKET_ID_ANY);
	assert_non_null(d);
	assert_non_null(qa);
	flow_key(&ka, 9);
	assert_int_equal(pk_demux_flow_add(d, &ka, qa), 0);
	snprintf(file, sizeof(file), "%s/mt.pcapng", dir);
	conf.file = file;
	assert_int_equal(pk_capture_edge_on("dm", "qm", &conf), 0);
	mover_burst(m, 0); /* 4 to qm, 4 back: no key for port 10 */
	assert_int_equal(pk_stage_push(d, m, BURST), BURST / 2);
	rte_pktmbuf_free_bulk(&m[BURST / 2], BURST / 2);
	assert_int_equal(pk_capture_edge_off_to("dm", "qm", &cs), 0);
	check_file(file, "path=- owner=- stage=dm->qm", 0, &cs);
	assert_int_equal(cs.written, BURST / 2);
	pk_test_drain_free(qa, BURST / 2);
	pk_capture_edge_cleanup();
	pk_stage_destroy(d);
	pk_stage_destroy(qa);
}

/* pk_demux_flow_tap() alone: what keys and remove_target() do with it. */
static void
test_demux_tap_follows_keys(void **state)
{
	struct pk_stage *d, *qa, *tap, *qb;
	struct pk_flow_key ka, kc;

	(void)state;
	d = pk_stage_create("demux_flow", "d", "capacity=4", SOCKET_ID_ANY);
	qa = pk_test_ring("qa", 64);
	qb = pk_test_ring("qb", 64);
	tap = pk_stage_create("proc_noop", "tap", NULL, SOCKET_ID_ANY);
	assert_int_equal(pk_stage_link(tap, qa), 0);
	flow_key(&ka, 9);
	flow_key(&kc, 11);
	assert_int_equal(pk_demux_flow_tap(d, qa, tap), -ENOENT);
	assert_int_equal(pk_demux_flow_add(d, &ka, qa), 0);
	assert_int_equal(pk_demux_flow_tap(d, qa, NULL), -ENOENT);
	assert_int_equal(pk_demux_flow_tap(d, qa, d), -EINVAL);
	assert_int_equal(pk_demux_flow_tap(d, qa, tap), 0);
	assert_int_equal(pk_demux_flow_tap(d, qa, tap), -EBUSY);
	assert_ptr_equal(pk_demux_flow_resolve(d, &ka), tap);
	/* a key added for qa now joins the tap, a new target does not */
	assert_int_equal(pk_demux_flow_add(d, &kc, qa), 0);
	assert_ptr_equal(pk_demux_flow_resolve(d, &kc), tap);
	assert_int_equal(pk_demux_flow_del(d, &kc), 0);
	assert_int_equal(pk_demux_flow_add(d, &kc, qb), 0);
	assert_ptr_equal(pk_demux_flow_resolve(d, &kc), qb);
	/* off, on again, then qa's keys removed: the tap goes with them */
	assert_int_equal(pk_demux_flow_tap(d, qa, NULL), 0);
	assert_ptr_equal(pk_demux_flow_resolve(d, &ka), qa);
	assert_int_equal(pk_demux_flow_tap(d, qa, tap), 0);
	assert_int_equal(pk_demux_flow_remove_target(d, qa), 1);
	assert_int_equal(pk_demux_flow_tap(d, qa, NULL), -ENOENT);
	assert_int_equal(pk_demux_flow_add(d, &ka, qa), 0);
	assert_ptr_equal(pk_demux_flow_resolve(d, &ka), qa);
	assert_ptr_equal(pk_demux_flow_resolve(d, &kc), qb);
	pk_stage_destroy(d);
	pk_stage_destroy(tap);
	pk_stage_destroy(qa);
	pk_stage_destroy(qb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_demux_tap_follows_keys,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_mt_demux_output,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_demux_output_switched_while_pushing,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sched_input_switched_while_pulling,
					  pk_test_teardown_pools_full),
	};
	int rc;

	if (capture_fixture_init("test_capture_fan", "pk_capfan", 2048) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	capture_fixture_fini();
	return rc;
}
