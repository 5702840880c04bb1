/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSPAT arbiter. Deterministic parts run the arbiter loop in the test's own
 * thread (pk_arbiter_run()) on the scheduler's fake clock: weights 1:2:4 at
 * an emulated 1 Gbit/s (shares within 2%), one client idle, a full mailbox,
 * stop with packets in every stage, an output that refuses for a while
 * (retried) and then for too long (dropped, counted), a dispatcher slower
 * than the arbiter, a registered non-EAL thread as a client, and a client
 * that overwrites (and under ASan poisons) its array right after each push.
 * Two tests launch the arbiter (and the dispatcher) on worker lcores with
 * the main lcore as the client. Per-flow queues through a classifier: flow
 * weights across clients, a full flow queue holding back only its client,
 * packets classified to no queue. Every test checks conservation per
 * client: admitted = sent + dropped, and the output carries each client's
 * sequence numbers once, in increasing order (per flow, with a classifier).
 */
#define _GNU_SOURCE /* pthread_attr_setaffinity_np(), rte_lcore_cpuset() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define TA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TA_ASAN 1
#endif
#endif
#ifdef TA_ASAN
#include <sanitizer/asan_interface.h>
#define TA_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define TA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define TA_POISON(p, n) ((void)(p), (void)(n))
#define TA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define HZ 1000000000ULL   /* the fake clock counts nanoseconds */
#define MAXC 4
#define MAXF 4             /* flows per client the order check tracks */
#define FRAME 1000
#define OVERHEAD 24

static struct rte_mempool *pool;
static uint64_t now_ns;
static enum pk_arbiter_mailbox ta_mb; /* mailbox kind of the next create */
/* Per-flow queues of the next create: flow of client c's packet seq. */
static uint32_t (*ta_flow)(uint32_t c, uint32_t seq);
static uint32_t ta_nq;     /* its queues */
static uint32_t ta_qsize;  /* queue size (0: default) */
static uint64_t ta_mistagged; /* classifier saw a wrong client tag */

/* What the test knows of each client: next seq to push, next expected. */
struct ta {
	struct pk_arbiter *a;
	struct pk_stage *out;
	uint32_t nb;
	uint32_t next_in[MAXC];
	/* lowest seq the output may show next, per client and flow */
	uint32_t next_out[MAXC][MAXF];
	uint64_t seen[MAXC];      /* packets seen at the output */
	uint64_t bytes[MAXC];     /* bytes seen at the output */
	uint64_t fbytes[MAXF];    /* bytes seen per flow (classifier) */
	uint32_t disorder;        /* duplicates or reordering seen */
};

/* The classifier: ta_flow() of the client tag and the packet's seq. */
static uint32_t
ta_classify(const struct rte_mbuf *m, void *arg)
{
	uint32_t seq = pk_test_seq(m), c = pk_arbiter_mbuf_client(m);

	(void)arg;
	if (c != seq >> 24)
		ta_mistagged++;
	return ta_flow(c, seq & 0xffffff);
}

static uint64_t
fake_clock(void *arg)
{
	(void)arg;
	return now_ns;
}

static void
ta_create(struct ta *t, uint32_t nb, const uint32_t *w, uint64_t rate,
	  enum pk_arbiter_dispatch d, uint32_t out_size, uint32_t mb_size)
{
	struct pk_arbiter_conf c = {
		.nb_clients = nb, .params = w, .rate_bps = rate,
		.overhead = OVERHEAD, .dispatch = d, .mailbox_size = mb_size,
		.mailbox = ta_mb,
		.ring_size = 64, .tx_retries = 50, .qsize = ta_qsize,
		.classify = ta_flow != NULL ? ta_classify : NULL,
		.nb_queues = ta_flow != NULL ? ta_nq : 0,
		.lcore_id = PK_ARBITER_LCORE_NONE,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.clock = fake_clock, .clock_hz = HZ, .socket_id = SOCKET_ID_ANY,
	};

	memset(t, 0, sizeof(*t));
	now_ns = 0;
	ta_mistagged = 0;
	t->nb = nb;
	t->out = pk_queue_ring_create("ta_out", out_size, 0, 0, SOCKET_ID_ANY);
	assert_non_null(t->out);
	c.out = t->out;
	t->a = pk_arbiter_create("ta", &c);
	assert_non_null(t->a);
}

/* Client c pushes up to n fresh frames; its seq advances by what was taken. */
static uint16_t
ta_feed(struct ta *t, uint32_t c, uint16_t n)
{
	struct rte_mbuf *m[64];
	uint16_t k, i;

	for (i = 0; i < n; i++)
		m[i] = pk_test_udp4(pool, FRAME, 64, c << 24 | (t->next_in[c] + i));
	k = pk_stage_push(pk_arbiter_client(t->a, c), m, n);
	rte_pktmbuf_free_bulk(&m[k], n - k); /* ours again: drop them */
	t->next_in[c] += k;
	return k;
}

/* Take everything from the output and check each client's order. */
static void
ta_consume(struct ta *t)
{
	struct rte_mbuf *m[64];
	uint32_t seq, c, f;
	uint16_t k, i;

	while ((k = pk_stage_pull(t->out, m, 64)) > 0) {
		for (i = 0; i < k; i++) {
			seq = pk_test_seq(m[i]);
			c = seq >> 24;
			seq &= 0xffffff;
			assert_true(c < t->nb);
			f = ta_flow != NULL ? ta_flow(c, seq) : 0;
			assert_true(f < MAXF);
			if (seq < t->next_out[c][f])
				t->disorder++;
			t->next_out[c][f] = seq + 1;
			t->seen[c]++;
			t->bytes[c] += m[i]->pkt_len;
			t->fbytes[f] += m[i]->pkt_len;
		}
		rte_pktmbuf_free_bulk(m, k);
	}
}

/* Stop, flush, check conservation per client, free everything. */
static void
ta_finish(struct ta *t)
{
	struct pk_arbiter_client_stats st;
	uint32_t c;

	assert_int_equal(pk_arbiter_stop(t->a), 0);
	ta_consume(t);
	assert_int_equal(t->disorder, 0);
	assert_int_equal(ta_mistagged, 0);
	for (c = 0; c < t->nb; c++) {
		assert_int_equal(pk_arbiter_client_stats_get(t->a, c, &st), 0);
		assert_int_equal(st.admitted, t->next_in[c]);
		assert_int_equal(st.admitted, st.sent + st.dropped);
		assert_int_equal(st.sent, t->seen[c]);
		assert_int_equal(st.bytes, t->bytes[c]);
	}
	pk_arbiter_destroy(t->a);
	pk_stage_destroy(t->out);
	ta_flow = NULL;
	ta_qsize = 0;
}

/*
 * All clients in `active` backlogged for `ns` of fake time at 1 Gbit/s,
 * 20 us per round; returns the bytes each got after a 50 ms warm-up.
 */
static void
ta_backlogged(struct ta *t, uint32_t active, uint64_t ns, uint64_t *got)
{
	uint64_t base[MAXC] = { 0 };
	uint32_t c;

	for (now_ns = 0; now_ns <= ns; now_ns += 20000) {
		for (c = 0; c < t->nb; c++)
			if (active & (1u << c))
				ta_feed(t, c, 32);
		pk_arbiter_run(t->a, 1);
		ta_consume(t);
		if (now_ns == 50000000)
			memcpy(base, t->bytes, sizeof(base));
	}
	for (c = 0; c < t->nb; c++)
		got[c] = t->bytes[c] - base[c];
}

static void
assert_share(uint64_t got, uint64_t total, double share)
{
	double s = (double)got / (double)total;

	print_message("share %.4f (expected %.4f)\n", s, share);
	if (s < share * 0.98 || s > share * 1.02)
		fail_msg("share %.4f, expected %.4f +- 2%%", s, share);
}

static void
test_weights_1_2_4_at_1g(void **state)
{
	static const uint32_t w[3] = { 1, 2, 4 };
	uint64_t got[MAXC], total;
	double link_bits;
	struct ta t;

	(void)state;
	ta_create(&t, 3, w, 1000000000ULL, PK_ARBITER_DISPATCH_DIRECT, 4096,
		  512);
	ta_backlogged(&t, 0x7, 1050000000ULL, got);
	total = got[0] + got[1] + got[2];
	assert_share(got[0], total, 1.0 / 7);
	assert_share(got[1], total, 2.0 / 7);
	assert_share(got[2], total, 4.0 / 7);
	/* and the link ran at its rate: 1 s of 1 Gbit/s, overhead included */
	link_bits = (double)total * 8 * (FRAME + OVERHEAD) / FRAME;
	assert_true(link_bits > 0.99e9 && link_bits < 1.01e9);
	ta_finish(&t);
}

static void
test_idle_client_shared_by_weight(void **state)
{
	static const uint32_t w[3] = { 1, 2, 4 };
	uint64_t got[MAXC], total;
	struct ta t;

	(void)state;
	ta_create(&t, 3, w, 1000000000ULL, PK_ARBITER_DISPATCH_DIRECT, 4096,
		  512);
	ta_backlogged(&t, 0x6, 550000000ULL, got); /* client 0 idle */
	assert_int_equal(got[0], 0);
	total = got[1] + got[2];
	assert_share(got[1], total, 1.0 / 3);
	assert_share(got[2], total, 2.0 / 3);
	ta_finish(&t);
}

static void
test_full_mailbox(void **state)
{
	struct pk_arbiter_client_stats st;
	struct ta t;

	(void)state;
	ta_mb = PK_ARBITER_MB_PSPAT;
	ta_create(&t, 1, NULL, 0, PK_ARBITER_DISPATCH_DIRECT, 4096, 16);
	ta_mb = PK_ARBITER_MB_DEFAULT;
	/* 16 slots hold 8: the client keeps (here frees) the other 12 */
	assert_int_equal(ta_feed(&t, 0, 20), 8);
	assert_int_equal(ta_feed(&t, 0, 5), 0);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_int_equal(st.admitted, 8);
	assert_int_equal(st.rejected, 17);
	assert_int_equal(pk_arbiter_run(t.a, 1), 8);
	assert_int_equal(ta_feed(&t, 0, 5), 5); /* room again */
	pk_arbiter_run(t.a, 1);
	ta_consume(&t);
	assert_int_equal(t.seen[0], 13);
	ta_finish(&t);
}

/*
 * Packets in mailboxes, scheduler queues, the arbiter's held output, the
 * dispatcher ring and the dispatcher's held output; the output (64 slots)
 * takes only part, so stop must send some and drop the rest, counted.
 */
static void
test_stop_with_packets_everywhere(void **state)
{
	static const uint32_t w[4] = { 1, 1, 2, 3 };
	struct pk_arbiter_client_stats st;
	uint64_t dropped = 0;
	struct ta t;
	uint32_t c;
	int r;

	(void)state;
	ta_create(&t, 4, w, 1000000000ULL, PK_ARBITER_DISPATCH_THREAD, 64, 64);
	for (r = 0; r < 40; r++) {
		for (c = 0; c < 4; c++)
			ta_feed(&t, c, 16);
		now_ns += 100000;
		pk_arbiter_run(t.a, 1);
		if (r % 4 == 0)
			pk_arbiter_dispatch(t.a);
	}
	for (c = 0; c < 4; c++) { /* mailboxes hold packets too */
		assert_int_not_equal(pk_stage_len(pk_arbiter_client(t.a, c)), 0);
		ta_feed(&t, c, 8);
	}
	assert_int_not_equal(pk_stage_len(pk_arbiter_sched(t.a)), 0);
	assert_int_equal(pk_arbiter_stop(t.a), 0);
	for (c = 0; c < 4; c++) {
		pk_arbiter_client_stats_get(t.a, c, &st);
		dropped += st.dropped;
		assert_int_equal(pk_stage_len(pk_arbiter_client(t.a, c)), 0);
	}
	assert_true(dropped > 0); /* the output was stuck */
	assert_int_equal(pk_stage_len(pk_arbiter_sched(t.a)), 0);
	ta_finish(&t);
}

/* Flow = the parity of the seq: every client sends into both queues. */
static uint32_t
flow_by_parity(uint32_t c, uint32_t seq)
{
	(void)c;
	return seq & 1;
}

/*
 * The output (63 slots) refuses for fewer rounds in a row than tx_retries
 * (50): the held packets are retried and sent, none lost. Then it refuses
 * for longer: the held burst is dropped and counted, the rest goes on.
 */
static void
test_output_stuck(void **state)
{
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	struct ta t;
	int r;

	(void)state;
	ta_create(&t, 1, NULL, 0, PK_ARBITER_DISPATCH_DIRECT, 64, 256);
	for (r = 0; r < 40; r++) { /* full after 2 rounds, 38 refusals */
		ta_feed(&t, 0, 32);
		pk_arbiter_run(t.a, 1);
	}
	ta_consume(&t); /* the 63 the output took */
	pk_arbiter_run(t.a, 2); /* the 1 held, then a new burst of 32 */
	ta_consume(&t);
	assert_int_equal(pk_arbiter_stats_get(t.a, &as), 0);
	assert_true(as.tx_retries >= 38);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(t.seen[0], 63 + 1 + 32);
	for (r = 0; r < 60; r++) /* now stuck past tx_retries */
		pk_arbiter_run(t.a, 1);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_in_range(st.dropped, 1, 32); /* what was held, no more */
	ta_finish(&t); /* the rest still goes out, in order */
}

/* A dispatcher pass per 8 arbiter rounds: back-pressure, nothing lost. */
static void
slow_dispatcher(const uint32_t *w)
{
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	struct ta t;
	uint32_t c;
	int r;

	ta_create(&t, 2, w, 0, PK_ARBITER_DISPATCH_THREAD, 4096, 128);
	for (r = 0; r < 4000; r++) {
		for (c = 0; c < 2; c++)
			ta_feed(&t, c, 32);
		pk_arbiter_run(t.a, 1);
		if (r % 8 == 0) /* one pass per 8 arbiter rounds */
			pk_arbiter_dispatch(t.a);
		ta_consume(&t);
	}
	pk_arbiter_stats_get(t.a, &as);
	assert_true(as.tx_retries > 0); /* the ring was full, the arbiter waited */
	for (c = 0; c < 2; c++) {
		pk_arbiter_client_stats_get(t.a, c, &st);
		assert_true(st.rejected > 0); /* back-pressure reached clients */
		assert_int_equal(st.dropped, 0); /* nothing lost on the way */
	}
	ta_finish(&t);
}

static void
test_slow_dispatcher(void **state)
{
	static const uint32_t w[2] = { 1, 3 };

	(void)state;
	slow_dispatcher(w);
	ta_flow = flow_by_parity; /* the dispatcher reads the dynamic field */
	ta_nq = 2;
	slow_dispatcher(w);
}

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
	struct ta_thread th = { .c = 1, .n = 20000 };
	rte_cpuset_t cpus = rte_lcore_cpuset(rte_get_next_lcore(-1, 1, 0));
	pthread_attr_t attr;
	pthread_t tid;
	struct ta t;

	(void)state;
	ta_create(&t, 2, NULL, 0, PK_ARBITER_DISPATCH_DIRECT, 4096, 128);
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

/* The client reuses its array at once: slots overwritten, then poisoned. */
static void
client_overwrites_array(enum pk_arbiter_mailbox kind)
{
	struct rte_mbuf **arr;
	struct ta t;
	uint16_t k, i;
	int r;

	arr = malloc(32 * sizeof(*arr));
	assert_non_null(arr);
	ta_mb = kind;
	ta_create(&t, 2, NULL, 0, PK_ARBITER_DISPATCH_DIRECT, 4096, 128);
	ta_mb = PK_ARBITER_MB_DEFAULT;
	for (r = 0; r < 500; r++) {
		TA_UNPOISON(arr, 32 * sizeof(*arr));
		for (i = 0; i < 32; i++)
			arr[i] = pk_test_udp4(pool, 64, 64,
					      (uint32_t)(r & 1) << 24 |
						      (t.next_in[r & 1] + i));
		k = pk_stage_push(pk_arbiter_client(t.a, r & 1), arr, 32);
		t.next_in[r & 1] += k;
		rte_pktmbuf_free_bulk(&arr[k], 32 - k);
		memset(arr, 0xa5, 32 * sizeof(*arr)); /* garbage pointers */
		TA_POISON(arr, 32 * sizeof(*arr));    /* ASan: no reads */
		pk_arbiter_run(t.a, 2);
		ta_consume(&t);
	}
	TA_UNPOISON(arr, 32 * sizeof(*arr));
	free(arr);
	assert_true(t.seen[0] + t.seen[1] > 0);
	ta_finish(&t);
}

static void
test_client_overwrites_array(void **state)
{
	(void)state;
	client_overwrites_array(PK_ARBITER_MB_RING);
	client_overwrites_array(PK_ARBITER_MB_PSPAT);
	ta_flow = flow_by_parity; /* and through a classifier */
	ta_nq = 2;
	client_overwrites_array(PK_ARBITER_MB_DEFAULT);
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
	uint64_t end, seen_running;
	struct ta t;
	int busy;

	c.lcore_id = rte_get_next_lcore(-1, 1, 0);
	if (d == PK_ARBITER_DISPATCH_THREAD)
		c.dispatcher_lcore = rte_get_next_lcore(c.lcore_id, 1, 0);
	if (c.lcore_id >= RTE_MAX_LCORE || c.dispatcher_lcore == RTE_MAX_LCORE) {
		print_message("needs 3 lcores; skipped\n");
		skip();
	}
	memset(&t, 0, sizeof(t));
	t.nb = 2;
	t.out = pk_queue_ring_create("ta_out", 4096, 0, 0, SOCKET_ID_ANY);
	assert_non_null(t.out);
	c.out = t.out;
	t.a = pk_arbiter_create("tal", &c);
	assert_non_null(t.a);
	assert_int_equal(pk_arbiter_start(t.a), 0);
	assert_int_equal(pk_arbiter_start(t.a), -EALREADY);
	assert_int_equal(pk_arbiter_run(t.a, 1), -EBUSY);
	end = rte_get_tsc_cycles() + rte_get_tsc_hz() / 5;
	while (rte_get_tsc_cycles() < end) {
		ta_feed(&t, 0, 32);
		ta_feed(&t, 1, 32);
		ta_consume(&t);
	}
	ta_feed(&t, 0, 32); /* stop with packets in the mailboxes */
	/* check after the stop: a failed assertion must not leave lcores on */
	busy = pk_arbiter_dispatch(t.a);
	seen_running = t.seen[0] + t.seen[1]; /* not the flush at stop */
	ta_finish(&t); /* stops first, then checks conservation */
	assert_int_equal(busy, d == PK_ARBITER_DISPATCH_THREAD ? -EBUSY : -EINVAL);
	print_message("%" PRIu64 " packets out while running\n", seen_running);
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

/* Client 1 sends flows 1 and 2 in turn; clients 0 and 2 share flow 0. */
static uint32_t
flow_shared(uint32_t c, uint32_t seq)
{
	return c == 1 ? 1 + (seq & 1) : 0;
}

/*
 * Per-flow queues, weights 1:2:2: the flows get 1/5, 2/5, 2/5 of the link
 * whichever clients send them, so client 1 (two flows) gets 4/5.
 */
static void
test_flow_queues_share_by_flow(void **state)
{
	static const uint32_t w[3] = { 1, 2, 2 };
	uint64_t got[MAXC], total;
	struct ta t;

	(void)state;
	ta_flow = flow_shared;
	ta_nq = 3;
	ta_create(&t, 3, w, 1000000000ULL, PK_ARBITER_DISPATCH_DIRECT, 4096,
		  512);
	ta_backlogged(&t, 0x7, 550000000ULL, got);
	total = got[0] + got[1] + got[2];
	assert_share(t.fbytes[0], t.fbytes[0] + t.fbytes[1] + t.fbytes[2],
		     1.0 / 5);
	assert_share(t.fbytes[1], t.fbytes[0] + t.fbytes[1] + t.fbytes[2],
		     2.0 / 5);
	assert_share(got[1], total, 4.0 / 5);
	/* flow 0 serves both its clients, neither always last */
	assert_share(got[0], got[0] + got[2], 0.5);
	ta_finish(&t);
}

/* Each client into its own flow queue (client 0 into 0, client 1 into 1). */
static uint32_t
flow_of_client(uint32_t c, uint32_t seq)
{
	(void)seq;
	return c;
}

/*
 * A flow queue of 16 fills while the link is stalled (the fake clock
 * stands still): its client's packets wait with the arbiter, its mailbox
 * fills and its pushes come back short, while the other client's packets
 * still reach their queue. When the clock moves everything goes out, in
 * order, nothing dropped.
 */
static void
test_flow_queue_full(void **state)
{
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	struct ta t;
	int r;

	(void)state;
	ta_flow = flow_of_client;
	ta_nq = 2;
	ta_qsize = 16;
	ta_create(&t, 2, NULL, 1000000000ULL, PK_ARBITER_DISPATCH_DIRECT, 4096,
		  64);
	for (r = 0; r < 8; r++) {
		ta_feed(&t, 0, 32);
		pk_arbiter_run(t.a, 1);
	}
	assert_int_equal(pk_arbiter_stats_get(t.a, &as), 0);
	assert_true(as.queue_full > 0);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_true(st.rejected > 0); /* back-pressure reached client 0 */
	assert_int_equal(ta_feed(&t, 1, 8), 8);
	pk_arbiter_run(t.a, 1);
	/* client 1 was not held behind client 0's waiting packets */
	assert_int_equal(pk_stage_len(pk_arbiter_client(t.a, 1)), 0);
	for (r = 0; r < 400; r++) {
		now_ns += 20000;
		ta_feed(&t, 0, 32);
		pk_arbiter_run(t.a, 1);
		ta_consume(&t);
	}
	assert_int_equal(t.seen[1], 8);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_int_equal(st.dropped, 0);
	ta_finish(&t); /* stops with packets waiting: they go out too */
}

/* Every fourth packet of a client maps to queue 7, which does not exist. */
static uint32_t
flow_some_missing(uint32_t c, uint32_t seq)
{
	(void)c;
	return seq % 4 == 3 ? 7 : seq & 1;
}

static void
test_flow_no_queue_dropped(void **state)
{
	struct pk_arbiter_client_stats st;
	struct ta t;
	int r;

	(void)state;
	ta_flow = flow_some_missing;
	ta_nq = 2;
	ta_create(&t, 1, NULL, 0, PK_ARBITER_DISPATCH_DIRECT, 4096, 128);
	for (r = 0; r < 25; r++) {
		assert_int_equal(ta_feed(&t, 0, 4), 4);
		pk_arbiter_run(t.a, 1);
		ta_consume(&t);
	}
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_int_equal(st.dropped, 25);
	assert_int_equal(t.seen[0], 75);
	ta_finish(&t);
}

/*
 * PK_ARBITER_MAX_CLIENTS clients, with either mailbox: more rings than the
 * EAL has memzones (2560 in Debian's DPDK), so mailboxes must not use them.
 */
static void
test_max_clients(void **state)
{
	static const enum pk_arbiter_mailbox kinds[] = {
		PK_ARBITER_MB_RING, PK_ARBITER_MB_PSPAT,
	};
	struct pk_arbiter_conf c = {
		.nb_clients = PK_ARBITER_MAX_CLIENTS, .mailbox_size = 16,
		.qsize = 4, .lcore_id = PK_ARBITER_LCORE_NONE,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_mbuf *m[2];
	struct pk_arbiter *a;
	unsigned int i;

	(void)state;
	c.out = pk_queue_ring_create("max_out", 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(c.out);
	for (i = 0; i < RTE_DIM(kinds); i++) {
		c.mailbox = kinds[i];
		a = pk_arbiter_create("max", &c);
		assert_non_null(a);
		pk_test_burst(pool, m, 2, 0);
		assert_int_equal(pk_stage_push(pk_arbiter_client(a, 0), m, 1), 1);
		assert_int_equal(pk_stage_push(pk_arbiter_client(a,
				 PK_ARBITER_MAX_CLIENTS - 1), &m[1], 1), 1);
		assert_int_equal(pk_arbiter_run(a, 1), 2);
		pk_arbiter_destroy(a);
		assert_int_equal(pk_stage_pull(c.out, m, 2), 2);
		rte_pktmbuf_free_bulk(m, 2);
	}
	pk_stage_destroy(c.out);
}

static uint32_t
flow_zero(const struct rte_mbuf *m, void *arg)
{
	(void)m;
	(void)arg;
	return 0;
}

static void
test_bad_conf(void **state)
{
	struct pk_arbiter_conf c = { .nb_clients = 1 };

	(void)state;
	assert_null(pk_arbiter_create("bad", &c)); /* no output */
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pk_arbiter_create("bad", NULL));
	c.out = pk_queue_ring_create("bad_out", 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(c.out);
	c.classify = flow_zero; /* a classifier without queues */
	assert_null(pk_arbiter_create("bad", &c));
	assert_int_equal(rte_errno, EINVAL);
	c.classify = NULL; /* queues without a classifier */
	c.nb_queues = 4;
	assert_null(pk_arbiter_create("bad", &c));
	assert_int_equal(rte_errno, EINVAL);
	c.classify = flow_zero;
	c.nb_queues = PK_SCHED_MAX_QUEUES + 1;
	assert_null(pk_arbiter_create("bad", &c));
	assert_int_equal(rte_errno, EINVAL);
	pk_stage_destroy(c.out);
	assert_int_equal(pk_arbiter_start(NULL), -EINVAL);
	assert_null(pk_arbiter_client(NULL, 0));
	pk_arbiter_destroy(NULL);
}

int
main(void)
{
	/* 3 lcores on 2 CPUs: the dispatcher shares the arbiter's CPU */
	static const char *const eal[] = { "--lcores=0@0,1@1,2@1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_weights_1_2_4_at_1g,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_idle_client_shared_by_weight,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_full_mailbox,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_stop_with_packets_everywhere,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_output_stuck,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_slow_dispatcher,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_registered_thread_client,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_client_overwrites_array,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_arbiter_on_lcore,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_dispatcher_on_lcore,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_flow_queues_share_by_flow,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_flow_queue_full,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_flow_no_queue_dropped,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_max_clients,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bad_conf,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_arbiter", NULL, eal);
	pool = pk_test_pool("test_arbiter", 8192);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
