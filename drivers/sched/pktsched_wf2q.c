/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wf2q: exact WF2Q+ (Bennett-Zhang) on binary heaps: the reference QFQ is
 * tested against, and the tightest lag. Each backlogged queue has a virtual
 * start S and finish F = S + len/weight. A queue is eligible when S <= V;
 * pull serves the eligible queue with the smallest F, and V advances by
 * len / (sum of weights of the queues GPS would still be serving). When none
 * is eligible V jumps to the smallest S. A queue that empties keeps counting
 * in the weight sum until V reaches its F (GPS would still be sending it):
 * on return it starts at max(F, V), so idling earns no credit.
 * heaps: ne (not yet eligible, by S), sch (eligible, by F), idle (by F).
 * param: weight 1..65536, default 1.  cost: O(log N) per packet.
 * memory: 24 bytes per queue plus 3 heaps of 8 bytes per queue.
 */
#include <errno.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include <pathkit/pk_sched_policy.h>

#define WF2Q_MAX_WEIGHT (1u << 16)
#define WF2Q_FRAC 32 /* fixed point of virtual time: len << 32 / weight */

enum wf2q_heap_id { WF2Q_NONE, WF2Q_NE, WF2Q_SCH, WF2Q_IDLE, WF2Q_NB_HEAPS };

struct wf2q_q {
	uint64_t S;
	uint64_t F;
	uint32_t heap;   /* enum wf2q_heap_id */
	uint32_t pos;    /* index in that heap */
};

struct wf2q_heap {
	struct pk_sched_q **a;
	uint32_t n;
};

struct wf2q {
	uint64_t V;
	uint64_t wsum;   /* weights of queues GPS still serves */
	struct wf2q_heap h[WF2Q_NB_HEAPS];
};

/* wrap-safe: virtual times live within 2^63 of each other */
static inline bool
wf2q_lt(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

static inline struct wf2q_q *
wf2q_q_of(struct pk_sched_q *q)
{
	return pk_sched_q_priv(q);
}

static inline uint64_t
wf2q_key(struct pk_sched_q *q)
{
	struct wf2q_q *w = wf2q_q_of(q);

	return w->heap == WF2Q_NE ? w->S : w->F;
}

static inline void
wf2q_heap_set(struct wf2q_heap *h, uint32_t i, struct pk_sched_q *q)
{
	h->a[i] = q;
	wf2q_q_of(q)->pos = i;
}

static void
wf2q_sift_up(struct wf2q_heap *h, uint32_t i)
{
	struct pk_sched_q *q = h->a[i];
	uint64_t k = wf2q_key(q);

	while (i > 0 && wf2q_lt(k, wf2q_key(h->a[(i - 1) / 2]))) {
		wf2q_heap_set(h, i, h->a[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	wf2q_heap_set(h, i, q);
}

static void
wf2q_sift_down(struct wf2q_heap *h, uint32_t i)
{
	struct pk_sched_q *q = h->a[i];
	uint64_t k = wf2q_key(q);
	uint32_t c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n &&
		    wf2q_lt(wf2q_key(h->a[c + 1]), wf2q_key(h->a[c])))
			c++;
		if (!wf2q_lt(wf2q_key(h->a[c]), k))
			break;
		wf2q_heap_set(h, i, h->a[c]);
		i = c;
	}
	wf2q_heap_set(h, i, q);
}

static void
wf2q_heap_insert(struct wf2q *w, enum wf2q_heap_id id, struct pk_sched_q *q)
{
	struct wf2q_heap *h = &w->h[id];

	wf2q_q_of(q)->heap = id;
	wf2q_heap_set(h, h->n++, q);
	wf2q_sift_up(h, h->n - 1);
}

static void
wf2q_heap_remove(struct wf2q *w, struct pk_sched_q *q)
{
	struct wf2q_q *wq = wf2q_q_of(q);
	struct wf2q_heap *h = &w->h[wq->heap];
	uint32_t i = wq->pos;

	wq->heap = WF2Q_NONE;
	if (i == --h->n)
		return;
	q = h->a[h->n]; /* the last fills the hole, then finds its place */
	wf2q_heap_set(h, i, q);
	wf2q_sift_down(h, i);
	wf2q_sift_up(h, wf2q_q_of(q)->pos);
}

static inline uint64_t
wf2q_span(uint32_t len, uint32_t weight)
{
	return ((uint64_t)len << WF2Q_FRAC) / weight;
}

/* Stamp q's head (S already set) and put it where it belongs. */
static void
wf2q_schedule(struct wf2q *w, struct pk_sched_q *q)
{
	struct wf2q_q *wq = wf2q_q_of(q);

	wq->F = wq->S + wf2q_span(q->len, q->param);
	wf2q_heap_insert(w, wf2q_lt(w->V, wq->S) ? WF2Q_NE : WF2Q_SCH, q);
}

static int
wf2q_init(void *sp, const struct pk_sched_policy_conf *c)
{
	struct wf2q *w = sp;
	unsigned int i;

	for (i = WF2Q_NE; i < WF2Q_NB_HEAPS; i++) {
		w->h[i].a = rte_zmalloc_socket("pk_wf2q", sizeof(*w->h[i].a) *
					       c->max_queues, 0, c->socket_id);
		if (w->h[i].a == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
wf2q_fini(void *sp)
{
	struct wf2q *w = sp;
	unsigned int i;

	for (i = 0; i < WF2Q_NB_HEAPS; i++)
		rte_free(w->h[i].a);
}

static void
wf2q_enqueue(void *sp, struct pk_sched_q *q)
{
	struct wf2q *w = sp;
	struct wf2q_q *wq = wf2q_q_of(q);

	if (wq->heap == WF2Q_IDLE) { /* GPS still serves it: keep its F */
		wf2q_heap_remove(w, q);
		wq->S = wf2q_lt(wq->F, w->V) ? w->V : wq->F;
	} else {
		w->wsum += q->param;
		wq->S = w->V;
	}
	wf2q_schedule(w, q);
}

static struct pk_sched_q *
wf2q_dequeue(void *sp)
{
	struct wf2q *w = sp;
	struct wf2q_heap *ne = &w->h[WF2Q_NE], *sch = &w->h[WF2Q_SCH];
	struct pk_sched_q *q;

	for (;;) {
		while (ne->n > 0 && !wf2q_lt(w->V, wf2q_q_of(ne->a[0])->S)) {
			q = ne->a[0];
			wf2q_heap_remove(w, q);
			wf2q_heap_insert(w, WF2Q_SCH, q);
		}
		if (sch->n > 0)
			return sch->a[0];
		if (ne->n == 0)
			return NULL;
		w->V = wf2q_q_of(ne->a[0])->S; /* nobody eligible: jump */
	}
}

/* Queues GPS has finished serving leave the weight sum. */
static void
wf2q_expire_idle(struct wf2q *w)
{
	struct wf2q_heap *idle = &w->h[WF2Q_IDLE];
	struct pk_sched_q *q;

	while (idle->n > 0 && !wf2q_lt(w->V, wf2q_q_of(idle->a[0])->F)) {
		q = idle->a[0];
		wf2q_heap_remove(w, q);
		w->wsum -= q->param;
	}
}

static void
wf2q_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	struct wf2q *w = sp;
	struct wf2q_q *wq = wf2q_q_of(q);

	wf2q_heap_remove(w, q);
	w->V += ((uint64_t)len << WF2Q_FRAC) / w->wsum;
	if (q->head != NULL) {
		wq->S = wq->F;
		wf2q_schedule(w, q);
	} else {
		wf2q_heap_insert(w, WF2Q_IDLE, q);
	}
	wf2q_expire_idle(w);
}

static void
wf2q_deactivate(void *sp, struct pk_sched_q *q)
{
	struct wf2q *w = sp;
	struct wf2q_q *wq = wf2q_q_of(q);

	wf2q_heap_remove(w, q);
	wq->F = wq->S; /* its head was not served */
	wf2q_heap_insert(w, WF2Q_IDLE, q);
}

static void
wf2q_queue_remove(void *sp, struct pk_sched_q *q)
{
	struct wf2q *w = sp;

	if (wf2q_q_of(q)->heap == WF2Q_IDLE) {
		wf2q_heap_remove(w, q);
		w->wsum -= q->param;
	}
}

static int
wf2q_param_set(void *sp, struct pk_sched_q *q, uint32_t param)
{
	struct wf2q *w = sp;

	if (wf2q_q_of(q)->heap == WF2Q_IDLE)
		w->wsum += (uint64_t)param - q->param;
	return 0;
}

static struct pk_sched_policy wf2q_policy = {
	.name = "wf2q",
	.help = "exact WF2Q+ on heaps, weight per queue, O(log N)",
	.sched_size = sizeof(struct wf2q),
	.queue_size = sizeof(struct wf2q_q),
	.param_min = 1,
	.param_max = WF2Q_MAX_WEIGHT,
	.param_default = 1,
	.init = wf2q_init,
	.fini = wf2q_fini,
	.queue_remove = wf2q_queue_remove,
	.param_set = wf2q_param_set,
	.enqueue = wf2q_enqueue,
	.dequeue = wf2q_dequeue,
	.update = wf2q_update,
	.deactivate = wf2q_deactivate,
};
PK_SCHED_POLICY_REGISTER(wf2q_policy);
