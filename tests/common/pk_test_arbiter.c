/* SPDX-License-Identifier: BSD-3-Clause */
/* The test arbiter of pk_test_arbiter.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "pk_test.h"
#include "pk_test_arbiter.h"

/* The classifier: t->flow() of the client tag and the packet's seq. */
static uint32_t
ta_classify(const struct rte_mbuf *m, void *arg)
{
	struct ta *t = arg;
	uint32_t seq = pk_test_seq(m), c = pk_arbiter_mbuf_client(m);

	if (c != seq >> 24)
		t->mistagged++;
	return t->flow(c, seq & 0xffffff);
}

static uint64_t
ta_fake_clock(void *arg)
{
	return ((const struct ta *)arg)->now_ns;
}

void
ta_create(struct ta *t, struct rte_mempool *mp, const struct ta_conf *tc)
{
	struct pk_arbiter_conf c = {
		.nb_clients = tc->nb, .rate_bps = tc->rate,
		.params = tc->classes != 0 ? NULL : tc->w,
		.policy = tc->policy, .nb_classes = tc->classes,
		.class_params = tc->classes != 0 ? tc->w : NULL,
		.overhead = TA_OVERHEAD, .dispatch = tc->d,
		.mailbox_size = tc->mb_size, .mailbox = tc->mb,
		.ring_size = 64, .tx_retries = 50, .qsize = tc->qsize,
		.classify = tc->flow != NULL ? ta_classify : NULL,
		.classify_arg = t, .nb_queues = tc->flow != NULL ? tc->nq : 0,
		.lcore_id = PK_ARBITER_LCORE_NONE,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.clock = ta_fake_clock, .clock_arg = t, .clock_hz = TA_HZ,
		.socket_id = SOCKET_ID_ANY,
	};

	assert_true(tc->nb <= TA_MAXC);
	memset(t, 0, sizeof(*t));
	t->mp = mp;
	t->nb = tc->nb;
	t->flow = tc->flow;
	t->len = tc->len;
	t->out = pk_queue_ring_create("ta_out", tc->out_size, 0, 0,
				      SOCKET_ID_ANY);
	assert_non_null(t->out);
	c.out = t->out;
	t->a = pk_arbiter_create("ta", &c);
	assert_non_null(t->a);
}

uint16_t
ta_feed(struct ta *t, uint32_t c, uint16_t n)
{
	struct rte_mbuf *m[64];
	uint16_t k, i;

	for (i = 0; i < n; i++)
		m[i] = pk_test_udp4(t->mp, t->len != NULL ?
				    t->len(c, t->next_in[c] + i) : TA_FRAME,
				    64, c << 24 | (t->next_in[c] + i));
	k = pk_stage_push(pk_arbiter_client(t->a, c), m, n);
	rte_pktmbuf_free_bulk(&m[k], n - k); /* ours again: drop them */
	t->next_in[c] += k;
	return k;
}

void
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
			f = t->flow != NULL ? t->flow(c, seq) : 0;
			assert_true(f < TA_MAXF);
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

/* A stage's own identity: in == out + drops + held. */
static void
ta_stage_balance(const struct pk_stage *s, struct pk_stage_stats *ss)
{
	uint64_t drops = 0;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(s, ss), 0);
	for (r = 0; r < PK_DROP_MAX; r++)
		drops += ss->drops[r];
	assert_int_equal(ss->in_pkts, ss->out_pkts + drops + ss->held);
}

void
ta_balance(struct ta *t, struct pk_arbiter_stats *as)
{
	struct pk_arbiter_client_stats st;
	uint64_t adm = 0, sent = 0, dropped = 0, held = 0;
	struct pk_stage_stats ms;
	uint32_t c;

	for (c = 0; c < t->nb; c++) {
		assert_int_equal(pk_arbiter_client_stats_get(t->a, c, &st), 0);
		assert_int_equal(st.admitted, t->next_in[c]);
		assert_int_equal(st.admitted, st.sent + st.dropped + st.held);
		/* its mailbox is a queue: in = admitted, out = drained */
		ta_stage_balance(pk_arbiter_client(t->a, c), &ms);
		assert_int_equal(ms.in_pkts, st.admitted);
		assert_int_equal(ms.refused[PK_DROP_FULL], st.rejected);
		assert_true(ms.held <= st.held);
		adm += st.admitted;
		sent += st.sent;
		dropped += st.dropped;
		held += st.held;
	}
	assert_int_equal(pk_arbiter_stats_get(t->a, as), 0);
	assert_int_equal(as->held, held);
	assert_int_equal(adm, sent + dropped + as->held);
	assert_int_equal(as->held, as->held_mailboxes + as->held_sched +
				   as->held_wait + as->held_output);
	/* the scheduler's part is what the scheduler says it holds */
	ta_stage_balance(pk_arbiter_sched(t->a), &ms);
	assert_int_equal(as->held_sched, ms.held);
	/* and every packet not back in the pool is held or at the output */
	assert_int_equal(rte_mempool_in_use_count(t->mp),
			 as->held + pk_stage_len(t->out));
}

void
ta_finish(struct ta *t)
{
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	uint32_t c;

	assert_int_equal(pk_arbiter_stop(t->a), 0);
	ta_balance(t, &as);
	assert_int_equal(as.held, 0); /* stop holds nothing back */
	ta_consume(t);
	assert_int_equal(t->disorder, 0);
	assert_int_equal(t->mistagged, 0);
	for (c = 0; c < t->nb; c++) {
		assert_int_equal(pk_arbiter_client_stats_get(t->a, c, &st), 0);
		assert_int_equal(st.admitted, st.sent + st.dropped);
		assert_int_equal(st.sent, t->seen[c]);
		assert_int_equal(st.bytes, t->bytes[c]);
	}
	pk_arbiter_destroy(t->a);
	pk_stage_destroy(t->out);
}
