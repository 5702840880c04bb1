/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fairness of wfq (QFQ) and wf2q (WF2Q+) against an ideal GPS fluid model
 * computed here from the same arrivals: weights 1:2:4, packet sizes 64..1518,
 * over every window; queues joining, leaving, idling and coming back, and
 * weights changing mid-run. Time is the link's: bytes sent so far.
 * wfq's one-call update_dequeue against update then dequeue:
 * test_sched_wfq_diff.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_sched_policy.h>

#include "pk_test.h"

/* no libm: the build links none for tests */
static inline double
dmin(double a, double b)
{
	return a < b ? a : b;
}

static inline double
dmax(double a, double b)
{
	return a > b ? a : b;
}

static inline double
dabs(double a)
{
	return a < 0 ? -a : a;
}

#define NB_FLOWS 4
#define DEPTH 4          /* packets kept queued while a flow is backlogged */
#define QSIZE 4096       /* room for an unfair scheduler's backlog */
#define LMAX 1518.0      /* largest packet, bytes */
#define MB 1000000.0

static struct rte_mempool *pool;

struct flow {
	/* script */
	uint32_t weight;         /* 0: not attached at start */
	double on, off;          /* backlogged while on <= link time < off */
	double gap_from, gap_to; /* ... except while in this gap */
	double attach_at, detach_at; /* attach / detach at these times */
	double reweight_at;      /* change weight to new_weight then */
	uint32_t new_weight;
	/* state */
	int qid;
	uint32_t rng, pushed, served_pkts;
	double served;           /* bytes, packet system */
	double gps_backlog, gps_served; /* bytes, fluid system */
	double gps_weight;
	double lag_min, lag_max; /* of gps_served - served */
	double bwfi, bwfi_over;  /* worst window each way, while backlogged */
	double wlag_min, wlag_max;
};

struct run {
	struct pk_stage *s;
	struct flow f[NB_FLOWS];
	double now;              /* link time: bytes sent */
};

static uint32_t
flow_of(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	return pk_test_seq(m) >> 24;
}

static uint16_t
next_size(struct flow *f)
{
	f->rng = f->rng * 1103515245u + 12345u;
	return 64 + (f->rng >> 8) % (1518 - 64 + 1);
}

/* Give x bytes of link time to the fluid system: weighted water filling. */
static void
gps_advance(struct run *r, double x)
{
	double wsum, t, give;
	unsigned int k;

	while (x > 1e-9) {
		wsum = 0;
		t = x;
		for (k = 0; k < NB_FLOWS; k++)
			if (r->f[k].gps_backlog > 1e-9)
				wsum += r->f[k].gps_weight;
		if (wsum == 0)
			return;
		for (k = 0; k < NB_FLOWS; k++)
			if (r->f[k].gps_backlog > 1e-9)
				t = dmin(t, r->f[k].gps_backlog * wsum /
						    r->f[k].gps_weight);
		for (k = 0; k < NB_FLOWS; k++) {
			if (r->f[k].gps_backlog <= 1e-9)
				continue;
			give = t * r->f[k].gps_weight / wsum;
			r->f[k].gps_backlog -= give;
			r->f[k].gps_served += give;
		}
		x -= t;
	}
}

static void
flow_attach(struct run *r, unsigned int k, uint32_t w)
{
	struct pk_sched_queue_conf qc = { .stage = NULL, .param = w };

	r->f[k].qid = pk_sched_queue_attach(r->s, &qc);
	assert_int_equal(r->f[k].qid, (int)k); /* classifier: id = flow */
	r->f[k].gps_weight = w;
}

/* Script events due at the current link time. */
static void
run_events(struct run *r)
{
	struct flow *f;
	unsigned int k;

	for (k = 0; k < NB_FLOWS; k++) {
		f = &r->f[k];
		if (f->qid < 0 && f->attach_at > 0 && r->now >= f->attach_at &&
		    r->now < f->detach_at)
			flow_attach(r, k, f->new_weight);
		if (f->qid >= 0 && r->now >= f->detach_at) {
			assert_int_equal(pk_sched_queue_detach(r->s, f->qid,
							       NULL), 0);
			f->qid = -1;
			f->gps_backlog = 0; /* its packets are gone in both */
			f->served_pkts = f->pushed;
			f->attach_at = 0; /* for good */
		}
		if (f->qid >= 0 && f->reweight_at > 0 &&
		    r->now >= f->reweight_at) {
			assert_int_equal(pk_sched_queue_set_param(r->s, f->qid,
							f->new_weight), 0);
			f->gps_weight = f->new_weight;
			f->reweight_at = 0;
		}
	}
}

/*
 * Backlogged flows get packets until DEPTH are queued and the fluid system
 * holds two maximum-size packets of theirs too: both systems see the same
 * arrivals and stay backlogged, so an unfair scheduler cannot hide behind
 * a GPS fed at its own pace.
 */
static void
run_arrivals(struct run *r)
{
	struct rte_mbuf *m;
	struct flow *f;
	unsigned int k;
	uint16_t len;

	for (k = 0; k < NB_FLOWS; k++) {
		f = &r->f[k];
		if (f->qid < 0 || r->now < f->on || r->now >= f->off ||
		    (r->now >= f->gap_from && r->now < f->gap_to))
			continue;
		while ((f->pushed - f->served_pkts < DEPTH ||
			f->gps_backlog < 2 * LMAX) &&
		       f->pushed - f->served_pkts < QSIZE) {
			len = next_size(f);
			m = pk_test_udp4(pool, len, 64, (k << 24) | f->pushed);
			assert_int_equal(pk_stage_push(r->s, &m, 1), 1);
			f->pushed++;
			f->gps_backlog += len;
		}
	}
}

/* Track each flow's lag behind GPS, and its worst windows while backlogged. */
static void
run_measure(struct run *r)
{
	struct flow *f;
	unsigned int k;
	double lag;

	for (k = 0; k < NB_FLOWS; k++) {
		f = &r->f[k];
		if (f->qid < 0)
			continue;
		lag = f->gps_served - f->served;
		f->lag_min = dmin(f->lag_min, lag);
		f->lag_max = dmax(f->lag_max, lag);
		if (f->pushed == f->served_pkts) { /* windows end at idle */
			f->wlag_min = f->wlag_max = lag;
			continue;
		}
		f->bwfi = dmax(f->bwfi, lag - f->wlag_min);
		f->bwfi_over = dmax(f->bwfi_over, f->wlag_max - lag);
		f->wlag_min = dmin(f->wlag_min, lag);
		f->wlag_max = dmax(f->wlag_max, lag);
	}
}

/* Run the script until the link has sent `until` bytes. */
static void
run_script(struct run *r, const char *policy, double until)
{
	struct pk_sched_conf c = {
		.policy = policy, .max_queues = NB_FLOWS, .qsize = QSIZE,
		.classify = flow_of, .socket_id = SOCKET_ID_ANY,
	};
	struct rte_mbuf *m;
	struct flow *f;
	unsigned int k;

	r->s = pk_sched_create("fair", &c);
	assert_non_null(r->s);
	r->now = 0;
	for (k = 0; k < NB_FLOWS; k++) {
		f = &r->f[k];
		f->qid = -1;
		f->rng = 12345 + k;
		f->lag_min = f->lag_max = f->wlag_min = f->wlag_max = 0;
		if (f->detach_at == 0)
			f->detach_at = 1e300;
		if (f->off == 0)
			f->off = 1e300;
		if (f->weight != 0)
			flow_attach(r, k, f->weight);
	}
	while (r->now < until) {
		run_events(r);
		run_arrivals(r);
		m = pk_stage_pull_one(r->s);
		assert_non_null(m); /* work-conserving: someone is backlogged */
		f = &r->f[pk_test_seq(m) >> 24];
		assert_int_equal(pk_test_seq(m) & 0xffffff, f->served_pkts);
		f->served_pkts++;
		f->served += m->pkt_len;
		r->now += m->pkt_len;
		gps_advance(r, m->pkt_len);
		rte_pktmbuf_free(m);
		run_measure(r);
	}
	pk_stage_destroy(r->s);
}

static void
report(const struct run *r, const char *policy, const char *what)
{
	unsigned int k;

	for (k = 0; k < NB_FLOWS; k++)
		if (r->f[k].served_pkts > 0)
			print_message("%s %s flow %u: lag vs GPS %.0f..%.0f B, "
				      "worst window under %.0f B over %.0f B\n",
				      policy, what, k, r->f[k].lag_min,
				      r->f[k].lag_max, r->f[k].bwfi,
				      r->f[k].bwfi_over);
}

/*
 * Weights 1:2:4, all backlogged, 20 MB of mixed sizes. Each flow's worst
 * under-service over any window (its B-WFI) must stay within the published
 * bound: QFQ 3 sigma_k + 2 phi_k L (sigma_k = L = 1518 here); WF2Q+ one L
 * (plus one packet of sampling at departures). Against GPS the cumulative
 * lag stays within the same bounds.
 */
static void
check_weights_124(const char *policy)
{
	static const uint32_t w[3] = { 1, 2, 4 };
	struct run r;
	double phi, bound;
	unsigned int k;

	memset(&r, 0, sizeof(r));
	for (k = 0; k < 3; k++)
		r.f[k].weight = w[k];
	run_script(&r, policy, 20 * MB);
	report(&r, policy, "1:2:4");
	for (k = 0; k < 3; k++) {
		phi = w[k] / 7.0;
		bound = strcmp(policy, "wfq") == 0 ? 3 * LMAX + 2 * phi * LMAX :
						     2 * LMAX;
		assert_true(r.f[k].bwfi <= bound);
		assert_true(r.f[k].bwfi_over <= bound);
		assert_true(dabs(r.f[k].lag_min) <= bound);
		assert_true(dabs(r.f[k].lag_max) <= bound);
		/* and the long-run shares are the weights' */
		assert_true(dabs(r.f[k].served / r.now - phi) < 0.001);
	}
}

static void
test_wfq_weights_124(void **state)
{
	(void)state;
	check_weights_124("wfq");
}

static void
test_wf2q_weights_124(void **state)
{
	(void)state;
	check_weights_124("wf2q");
}

/*
 * Flows come and go: f0 (w1) throughout; f1 (w2) backlogged 2..6 MB; f2
 * (w4) backlogged but idle 3..5 MB, then back: it must not burst with
 * hoarded credit, as GPS gives it nothing for the idle time; f3 attached at
 * 4 MB (w3) and detached at 7 MB; f0's weight becomes 3 at 5 MB. Against
 * GPS with the same arrivals and changes, every flow stays within a few
 * maximum-size packets at all times (QFQ 3 L + 2 L, WF2Q+ 2 L); a flow that
 * came back with hoarded credit would run ahead of GPS (lag_min).
 */
static void
check_join_leave(const char *policy)
{
	/* the weights test's bounds, taken at the largest share */
	double bound = strcmp(policy, "wfq") == 0 ? 5 * LMAX : 2 * LMAX;
	struct run r;
	unsigned int k;

	memset(&r, 0, sizeof(r));
	r.f[0].weight = 1;
	r.f[0].reweight_at = 5 * MB;
	r.f[0].new_weight = 3;
	r.f[1].weight = 2;
	r.f[1].on = 2 * MB;
	r.f[1].off = 6 * MB;
	r.f[2].weight = 4;
	r.f[2].gap_from = 3 * MB;
	r.f[2].gap_to = 5 * MB;
	r.f[3].attach_at = 4 * MB;
	r.f[3].detach_at = 7 * MB;
	r.f[3].new_weight = 3;
	run_script(&r, policy, 9 * MB);
	report(&r, policy, "join/leave");
	for (k = 0; k < NB_FLOWS; k++) {
		assert_true(r.f[k].served_pkts > 100);
		assert_true(r.f[k].lag_max <= bound);
		assert_true(r.f[k].lag_min >= -bound);
	}
}

static void
test_wfq_join_leave(void **state)
{
	(void)state;
	check_join_leave("wfq");
}

static void
test_wf2q_join_leave(void **state)
{
	(void)state;
	check_join_leave("wf2q");
}

/* The harness can tell: round robin ignores weights and fails the shares. */
static void
test_rr_is_not_weighted(void **state)
{
	struct run r;
	unsigned int k;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (k = 0; k < 3; k++)
		r.f[k].weight = 1u << k;
	run_script(&r, "rr", 2 * MB);
	assert_true(r.f[0].served / r.now > 1 / 7.0 + 0.05);
	assert_true(r.f[0].lag_min < -10 * LMAX); /* far ahead of GPS */
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_wfq_weights_124,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_wf2q_weights_124,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_wfq_join_leave,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_wf2q_join_leave,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_rr_is_not_weighted,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_sched_fairness", NULL, NULL);
	pool = pk_test_pool("test_sched_fair", NB_FLOWS * QSIZE + 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
