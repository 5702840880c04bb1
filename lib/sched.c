/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched core: the compound stage around a policy. It owns the queue
 * records (head slot, internal FIFO), the classifier push, the pull loop
 * (policy dequeue, head refill, policy update) and the link shaper. Policies
 * (drivers/sched/pktsched_*.c) see only struct pk_sched_q; the "pktsched"
 * stage kind (key=value arguments) is drivers/sched/pktsched.c.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_sched.h>
#include <pathkit/pk_sched_policy.h>
#include <pathkit/pk_stage_worker.h>

/* queue record flags */
#define SCHED_Q_ATTACHED (1u << 0)
#define SCHED_Q_STAGE PK_SCHED_Q_STAGE /* pulls from q->stage */
#define SCHED_Q_POLLED (1u << 2)    /* on the idle poll list */

/* push: mbufs prefetched this far ahead of the one classified */
#define SCHED_PREFETCH 8
/* internal FIFOs are allocated for this many queue ids at a time */
#define SCHED_SLAB_QUEUES 64
/* clock limit: keep rate * 8 * hz products exact in 128 bits */
#define SCHED_MAX_HZ (1ULL << 40)

struct pk_sched {
	struct pk_stage stage;       /* must be first */
	/* fast path */
	const struct pk_sched_policy *pol;
	void *sp;                    /* policy private area */
	uint8_t *qbase;              /* queue records, 1 << qshift apart */
	uint32_t qshift;
	uint32_t max_queues;
	uint32_t qmask;              /* internal FIFO size - 1 */
	uint32_t mtu;
	uint32_t nb_idle;            /* stage queues on the poll list */
	uint32_t *idle;              /* their ids */
	uint32_t poll_cursor;
	pk_sched_classify_t classify;
	void *classify_arg;
	/* shaper, in bit x tick units so that nothing is rounded */
	__int128 tokens;
	__int128 tokens_max;
	uint64_t hz8;                /* 8 * clock hz: one byte's cost */
	uint64_t rate_bps;
	uint64_t last;
	uint32_t overhead;
	uint32_t burst;
	pk_sched_clock_t clock;
	void *clock_arg;
	uint64_t hz;
	/* slow path */
	uint32_t nb_queues;
	uint32_t nb_stage_queues;
	uint32_t next_id;            /* ids below were used at least once */
	uint32_t nb_free;
	uint32_t *free_ids;          /* detached ids, reused first */
	uint64_t **slabs;            /* internal FIFO slots per 64 ids */
	int socket_id;
	char policy[PK_SCHED_POLICY_NAMESIZE];
};

static TAILQ_HEAD(, pk_sched_policy) sched_policies =
	TAILQ_HEAD_INITIALIZER(sched_policies);

static const struct pk_stage_ops sched_ops;

void
pk_sched_policy_register(struct pk_sched_policy *p)
{
	TAILQ_INSERT_TAIL(&sched_policies, p, next);
}

const struct pk_sched_policy *
pk_sched_policy_find(const char *name)
{
	struct pk_sched_policy *p;

	if (name == NULL)
		return NULL;
	TAILQ_FOREACH(p, &sched_policies, next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static inline struct pk_sched *
sched_of(struct pk_stage *s)
{
	return (struct pk_sched *)s;
}

static inline struct pk_sched_q *
sched_q(const struct pk_sched *sc, uint32_t qid)
{
	return (struct pk_sched_q *)(sc->qbase + ((size_t)qid << sc->qshift));
}

static inline uint32_t
sched_q_id(const struct pk_sched *sc, const struct pk_sched_q *q)
{
	return (uint32_t)(((const uint8_t *)q - sc->qbase) >> sc->qshift);
}

/* The attached queue qid, or NULL. */
static inline struct pk_sched_q *
sched_q_find(const struct pk_sched *sc, uint32_t qid)
{
	struct pk_sched_q *q;

	if (unlikely(qid >= sc->next_id))
		return NULL;
	q = sched_q(sc, qid);
	return likely(q->flags & SCHED_Q_ATTACHED) ? q : NULL;
}

static inline void
sched_q_set_head(const struct pk_sched *sc, struct pk_sched_q *q,
		 struct rte_mbuf *m)
{
	q->head = m;
	/* policies size their timestamps for mtu; 0 would read as idle */
	q->len = RTE_MAX(RTE_MIN(m->pkt_len, sc->mtu), 1u);
}

static void
sched_idle_add(struct pk_sched *sc, struct pk_sched_q *q)
{
	q->idle_pos = sc->nb_idle;
	sc->idle[sc->nb_idle++] = sched_q_id(sc, q);
	q->flags |= SCHED_Q_POLLED;
}

static void
sched_idle_remove(struct pk_sched *sc, struct pk_sched_q *q)
{
	uint32_t last = sc->idle[--sc->nb_idle];

	sc->idle[q->idle_pos] = last;
	sched_q(sc, last)->idle_pos = q->idle_pos;
	q->flags &= ~SCHED_Q_POLLED;
}

/* Fill an idle stage queue's head slot from its stage (the lookahead). */
static inline bool
sched_q_pull_head(struct pk_sched *sc, struct pk_sched_q *q)
{
	struct rte_mbuf *m;

	if (pk_stage_pull(q->stage, &m, 1) == 0)
		return false;
	sched_q_set_head(sc, q, m);
	return true;
}

/*
 * Stage queues are pushed by others: look at a window of the idle ones, so
 * that a pull costs at most PK_SCHED_POLL_BUDGET peeks however many idle.
 */
static void
sched_poll_idle(struct pk_sched *sc)
{
	unsigned int k = RTE_MIN(sc->nb_idle, (uint32_t)PK_SCHED_POLL_BUDGET);
	struct pk_sched_q *q;

	while (k-- > 0) {
		if (sc->poll_cursor >= sc->nb_idle)
			sc->poll_cursor = 0;
		q = sched_q(sc, sc->idle[sc->poll_cursor]);
		if (sched_q_pull_head(sc, q)) {
			sched_idle_remove(sc, q); /* the last moved in here */
			sc->pol->enqueue(sc->sp, q);
		} else {
			sc->poll_cursor++;
		}
	}
}

/*
 * Internal FIFO entries carry the length with the pointer (user-space
 * pointers fit in 48 bits): the pull never touches the mbuf, whose line is
 * long cold when its turn comes among thousands of queues. A pointer that
 * does not fit is stored alone, length 0: read from the mbuf then.
 */
static inline uint64_t
sched_fifo_entry(const struct pk_sched *sc, struct rte_mbuf *m)
{
	uint64_t p = (uintptr_t)m;

	if (unlikely(p >> 48 != 0))
		return p;
	return p | (uint64_t)RTE_MAX(RTE_MIN(m->pkt_len, sc->mtu), 1u) << 48;
}

static inline void
sched_q_fifo_pop(const struct pk_sched *sc, struct pk_sched_q *q)
{
	uint64_t e = q->fifo[q->fhead];

	q->fhead = (q->fhead + 1) & sc->qmask;

	if (unlikely(e >> 48 == 0)) {
		sched_q_set_head(sc, q, (struct rte_mbuf *)(uintptr_t)e);
		return;
	}
	q->head = (struct rte_mbuf *)(uintptr_t)(e & ((1ULL << 48) - 1));
	q->len = (uint32_t)(e >> 48);
}

/* After the head of q was taken: put the queue's next packet in the slot. */
static inline void
sched_q_refill(struct pk_sched *sc, struct pk_sched_q *q)
{
	if (q->flags & SCHED_Q_STAGE) {
		if (!sched_q_pull_head(sc, q)) {
			q->head = NULL;
			q->len = 0;
			sched_idle_add(sc, q);
		}
	} else if (q->fhead != q->ftail) {
		sched_q_fifo_pop(sc, q);
	} else {
		q->head = NULL;
		q->len = 0;
	}
}

/* The next packet by policy, or NULL. */
static inline struct rte_mbuf *
sched_next(struct pk_sched *sc)
{
	struct pk_sched_q *q = sc->pol->dequeue(sc->sp);
	struct rte_mbuf *m;
	uint32_t len;

	if (q == NULL)
		return NULL;
	m = q->head;
	len = q->len;
	sched_q_refill(sc, q);
	sc->pol->update(sc->sp, q, len);
	return m;
}

static uint16_t
sched_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct pk_sched *sc = sched_of(s);
	struct rte_mbuf *m;
	uint16_t n = 0;

	if (sc->nb_idle != 0)
		sched_poll_idle(sc);
	while (n < max && (m = sched_next(sc)) != NULL)
		pkts[n++] = m;
	pk_stage_count(s, &s->out, pkts, n);
	return n;
}

/* Credit the bucket with the link time since the last pull. */
static inline void
sched_tokens_refill(struct pk_sched *sc)
{
	uint64_t now = sc->clock(sc->clock_arg);

	sc->tokens += (__int128)(now - sc->last) * sc->rate_bps;
	sc->last = now;
	if (sc->tokens > sc->tokens_max)
		sc->tokens = sc->tokens_max;
}

/*
 * A frame may start while the bucket is not in debt, as a link starts the
 * next frame once the last one is out: the long-run rate is exactly R. The
 * policy is asked only for a frame that will go, so its order is kept.
 */
static uint16_t
sched_pull_shaped(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct pk_sched *sc = sched_of(s);
	struct rte_mbuf *m;
	uint16_t n = 0;

	if (sc->nb_idle != 0)
		sched_poll_idle(sc);
	sched_tokens_refill(sc);
	while (n < max && sc->tokens >= 0 && (m = sched_next(sc)) != NULL) {
		sc->tokens -= (__int128)(m->pkt_len + sc->overhead) * sc->hz8;
		pkts[n++] = m;
	}
	pk_stage_count(s, &s->out, pkts, n);
	return n;
}

static uint32_t
sched_classify_mbuf(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	return m->hash.sched.queue_id;
}

/* Store m in q. @return false if q is full (m is still the caller's). */
static inline bool
sched_q_store(struct pk_sched *sc, struct pk_sched_q *q, struct rte_mbuf *m)
{
	if (q->flags & SCHED_Q_STAGE) {
		if (!pk_stage_push_one(q->stage, m))
			return false;
		/* we are its puller: take the head now rather than poll */
		if (q->head == NULL && sched_q_pull_head(sc, q)) {
			sched_idle_remove(sc, q);
			sc->pol->enqueue(sc->sp, q);
		}
		return true;
	}
	if (q->head == NULL) {
		sched_q_set_head(sc, q, m);
		sc->pol->enqueue(sc->sp, q);
		return true;
	}
	/* one slot stays free: with the head slot, qsize packets in all */
	if (((q->ftail + 1) & sc->qmask) == q->fhead)
		return false;
	q->fifo[q->ftail] = sched_fifo_entry(sc, m);
	q->ftail = (q->ftail + 1) & sc->qmask;
	return true;
}

static uint16_t
sched_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_sched *sc = sched_of(s);
	uint16_t i, nr = 0, nomatch = 0;
	uint64_t bytes = 0;
	struct pk_sched_q *q;
	struct rte_mbuf *m;

	/* the classifier reads each mbuf, cold among many queues: ask ahead */
	for (i = 0; i < RTE_MIN(n, (uint16_t)SCHED_PREFETCH); i++)
		rte_prefetch0(pkts[i]);
	for (i = 0; i < n; i++) {
		m = pkts[i];
		if (i + SCHED_PREFETCH < n)
			rte_prefetch0(pkts[i + SCHED_PREFETCH]);
		q = sched_q_find(sc, sc->classify(m, sc->classify_arg));
		if (unlikely(q == NULL)) {
			nomatch++;
			pkts[nr++] = m; /* refused ones gather at the front */
			continue;
		}
		bytes += m->pkt_len; /* before it is stored: a stage may pass it on */
		if (unlikely(!sched_q_store(sc, q, m))) {
			bytes -= m->pkt_len;
			pkts[nr++] = m;
		}
	}
	pk_counter_add(&s->in.pkts, n - nr);
	if (s->flags & PK_STAGE_F_BYTES)
		pk_counter_add(&s->in.bytes, bytes);
	if (unlikely(nr != 0)) {
		pk_stage_count_drop(&s->in, PK_DROP_NO_MATCH, nomatch);
		pk_stage_count_drop(&s->in, PK_DROP_FULL, nr - nomatch);
		memmove(&pkts[n - nr], pkts, nr * sizeof(*pkts));
	}
	return n - nr;
}

static unsigned int
sched_q_len(const struct pk_sched *sc, const struct pk_sched_q *q)
{
	unsigned int len = q->head != NULL ? 1 : 0;

	if (q->flags & SCHED_Q_STAGE)
		return len + pk_stage_len(q->stage);
	return len + ((q->ftail - q->fhead) & sc->qmask);
}

static unsigned int
sched_len(const struct pk_stage *s)
{
	const struct pk_sched *sc = (const struct pk_sched *)s;
	unsigned int id, len = 0;
	struct pk_sched_q *q;

	for (id = 0; id < sc->next_id; id++) {
		q = sched_q(sc, id);
		if (q->flags & SCHED_Q_ATTACHED)
			len += sched_q_len(sc, q);
	}
	return len;
}

/* Free an internal queue's packets; count them on the puller's side. */
static void
sched_q_purge(struct pk_sched *sc, struct pk_sched_q *q)
{
	uint64_t k = 0;

	if (q->head != NULL) {
		rte_pktmbuf_free(q->head);
		k++;
	}
	while (q->fhead != q->ftail) {
		sched_q_fifo_pop(sc, q);
		rte_pktmbuf_free(q->head);
		k++;
	}
	q->head = NULL;
	q->len = 0;
	pk_stage_count_drop(&sc->stage.out, PK_DROP_POLICY, k);
}

static void
sched_free(struct pk_sched *sc)
{
	uint32_t id, i;

	if (sc->qbase != NULL)
		for (id = 0; id < sc->next_id; id++) {
			struct pk_sched_q *q = sched_q(sc, id);

			if (!(q->flags & SCHED_Q_ATTACHED))
				continue;
			if (q->flags & SCHED_Q_STAGE)
				rte_pktmbuf_free(q->head);
			else
				sched_q_purge(sc, q);
		}
	if (sc->sp != NULL && sc->pol->fini != NULL)
		sc->pol->fini(sc->sp);
	if (sc->slabs != NULL)
		for (i = 0; i < sc->max_queues / SCHED_SLAB_QUEUES + 1; i++)
			rte_free(sc->slabs[i]);
	rte_free(sc->slabs);
	rte_free(sc->idle);
	rte_free(sc->free_ids);
	rte_free(sc->qbase);
	rte_free(sc->sp);
	pk_stage_free(&sc->stage);
}

static void
sched_destroy(struct pk_stage *s)
{
	sched_free(sched_of(s));
}

static const struct pk_stage_ops sched_ops = {
	.kind = "pktsched",
	.push = sched_push,
	.pull = sched_pull,
	.destroy = sched_destroy,
	.len = sched_len,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
};

bool
pk_sched_is_sched(const struct pk_stage *s)
{
	return s != NULL && s->ops == &sched_ops;
}

static int
sched_conf_check(const char *name, const struct pk_sched_conf *c,
		 const struct pk_sched_policy **pol)
{
	const char *pname = c->policy != NULL ? c->policy : "wfq";

	*pol = pk_sched_policy_find(pname);
	if (*pol == NULL) {
		PK_LOG(ERR, "%s: unknown scheduling policy '%s'", name, pname);
		return -ENOENT;
	}
	if (c->max_queues > PK_SCHED_MAX_QUEUES ||
	    (c->qsize != 0 && (!rte_is_power_of_2(c->qsize) ||
			       c->qsize > PK_SCHED_MAX_QSIZE)) ||
	    c->mtu > UINT16_MAX || (c->mtu != 0 && c->mtu < 64)) {
		PK_LOG(ERR, "%s: queues <= %u, qsize a power of two <= %u, "
		       "mtu 64..65535", name, PK_SCHED_MAX_QUEUES,
		       PK_SCHED_MAX_QSIZE);
		return -EINVAL;
	}
	return 0;
}

static void *
sched_zalloc(const struct pk_sched *sc, size_t size)
{
	return rte_zmalloc_socket(sc->stage.name, size, RTE_CACHE_LINE_SIZE,
				  sc->socket_id);
}

static int
sched_alloc_parts(struct pk_sched *sc)
{
	struct pk_sched_policy_conf pc = {
		.max_queues = sc->max_queues,
		.mtu = sc->mtu,
		.socket_id = sc->socket_id,
	};
	uint32_t nq = sc->max_queues;

	sc->qshift = rte_log2_u64(sizeof(struct pk_sched_q) +
				  sc->pol->queue_size);
	sc->qbase = sched_zalloc(sc, (size_t)nq << sc->qshift);
	sc->idle = sched_zalloc(sc, sizeof(*sc->idle) * nq);
	sc->free_ids = sched_zalloc(sc, sizeof(*sc->free_ids) * nq);
	sc->slabs = sched_zalloc(sc, sizeof(*sc->slabs) *
				 (nq / SCHED_SLAB_QUEUES + 1));
	sc->sp = sched_zalloc(sc, RTE_MAX(sc->pol->sched_size, (size_t)1));
	if (sc->qbase == NULL || sc->idle == NULL || sc->free_ids == NULL ||
	    sc->slabs == NULL || sc->sp == NULL)
		return -ENOMEM;
	return sc->pol->init(sc->sp, &pc);
}

static uint64_t
sched_tsc(void *arg)
{
	RTE_SET_USED(arg);
	return rte_rdtsc();
}

struct pk_stage *
pk_sched_create(const char *name, const struct pk_sched_conf *conf)
{
	const struct pk_sched_policy *pol;
	struct pk_sched_conf c = { 0 };
	struct pk_stage *s;
	struct pk_sched *sc;
	int rc;

	if (conf != NULL)
		c = *conf;
	rc = sched_conf_check(name != NULL ? name : "(null)", &c, &pol);
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	s = pk_stage_alloc(sizeof(*sc), &sched_ops, name, c.sflags,
			   c.socket_id);
	if (s == NULL)
		return NULL;
	sc = sched_of(s);
	sc->pol = pol;
	snprintf(sc->policy, sizeof(sc->policy), "%s", pol->name);
	sc->socket_id = c.socket_id;
	sc->max_queues = c.max_queues ? c.max_queues : PK_SCHED_DEFAULT_QUEUES;
	sc->qmask = (c.qsize ? c.qsize : PK_SCHED_DEFAULT_QSIZE) - 1;
	sc->mtu = c.mtu ? c.mtu : PK_SCHED_DEFAULT_MTU;
	sc->classify = c.classify ? c.classify : sched_classify_mbuf;
	sc->classify_arg = c.classify_arg;
	sc->clock = sched_tsc;
	sc->hz = rte_get_tsc_hz();
	rc = sched_alloc_parts(sc);
	if (rc == 0)
		rc = pk_sched_set_shaper(s, c.rate_bps, c.overhead ? c.overhead :
					 PK_SCHED_DEFAULT_OVERHEAD, c.burst);
	if (rc != 0) {
		PK_LOG(ERR, "%s: cannot set up a %s scheduler of %u queues: %s",
		       name, pol->name, sc->max_queues, strerror(-rc));
		sched_free(sc);
		rte_errno = -rc;
		return NULL;
	}
	return s;
}

static struct pk_sched *
sched_check(const struct pk_stage *s)
{
	return pk_sched_is_sched(s) ? (struct pk_sched *)(uintptr_t)s : NULL;
}

static bool
sched_param_ok(const struct pk_sched *sc, uint32_t param)
{
	return param >= sc->pol->param_min && param <= sc->pol->param_max;
}

/* An internal FIFO's slots: from the slab of its 64 ids. */
static int
sched_q_fifo(struct pk_sched *sc, struct pk_sched_q *q)
{
	uint32_t id = sched_q_id(sc, q), qsize = sc->qmask + 1;
	uint32_t slab = id / SCHED_SLAB_QUEUES;

	if (sc->slabs[slab] == NULL) {
		sc->slabs[slab] = sched_zalloc(sc, (size_t)SCHED_SLAB_QUEUES *
					       qsize * sizeof(uint64_t));
		if (sc->slabs[slab] == NULL)
			return -ENOMEM;
	}
	q->fifo = sc->slabs[slab] + (size_t)(id % SCHED_SLAB_QUEUES) * qsize;
	q->fhead = 0;
	q->ftail = 0;
	return 0;
}

static int
sched_stage_attached(const struct pk_sched *sc, const struct pk_stage *st)
{
	uint32_t id;

	for (id = 0; id < sc->next_id; id++) {
		const struct pk_sched_q *q = sched_q(sc, id);

		if ((q->flags & SCHED_Q_STAGE) && q->stage == st)
			return -EEXIST;
	}
	return 0;
}

static int
sched_attach_check(const struct pk_sched *sc,
		   const struct pk_sched_queue_conf *qc, uint32_t param)
{
	const struct pk_stage *st = qc->stage;

	if (!sched_param_ok(sc, param)) {
		PK_LOG(ERR, "%s: %s queue parameter %u not in %u..%u",
		       sc->stage.name, sc->policy, param, sc->pol->param_min,
		       sc->pol->param_max);
		return -EINVAL;
	}
	if (st != NULL && (st == &sc->stage || !(st->caps & PK_STAGE_CAP_PULL))) {
		PK_LOG(ERR, "%s: cannot pull from %s", sc->stage.name, st->name);
		return -EINVAL;
	}
	if (sc->nb_free == 0 && sc->next_id == sc->max_queues) {
		PK_LOG(ERR, "%s: all %u queues in use", sc->stage.name,
		       sc->max_queues);
		return -ENOSPC;
	}
	return st != NULL ? sched_stage_attached(sc, st) : 0;
}

int
pk_sched_queue_attach(struct pk_stage *s, const struct pk_sched_queue_conf *qc)
{
	struct pk_sched *sc = sched_check(s);
	struct pk_sched_q *q;
	uint32_t param, id;
	int rc;

	if (sc == NULL || qc == NULL)
		return -EINVAL;
	param = qc->param == PK_SCHED_PARAM_DEFAULT ?
		sc->pol->param_default : qc->param;
	rc = sched_attach_check(sc, qc, param);
	if (rc != 0)
		return rc;
	id = sc->nb_free > 0 ? sc->free_ids[sc->nb_free - 1] : sc->next_id;
	q = sched_q(sc, id);
	memset(q, 0, (size_t)1 << sc->qshift);
	q->param = param;
	if (qc->stage != NULL) {
		q->stage = qc->stage;
		q->flags = SCHED_Q_STAGE;
	} else if ((rc = sched_q_fifo(sc, q)) != 0) {
		return rc;
	}
	if (sc->pol->queue_add != NULL &&
	    (rc = sc->pol->queue_add(sc->sp, q)) != 0) {
		PK_LOG(ERR, "%s: %s refuses a queue of parameter %u: %s",
		       s->name, sc->policy, param, strerror(-rc));
		return rc;
	}
	q->flags |= SCHED_Q_ATTACHED;
	if (sc->nb_free > 0)
		sc->nb_free--;
	else
		sc->next_id++;
	sc->nb_queues++;
	if (qc->stage != NULL) {
		sc->nb_stage_queues++;
		sched_idle_add(sc, q); /* polled from the next pull */
	}
	return (int)id;
}

int
pk_sched_queue_detach(struct pk_stage *s, uint32_t qid, struct rte_mbuf **head)
{
	struct pk_sched *sc = sched_check(s);
	struct pk_sched_q *q;

	if (head != NULL)
		*head = NULL;
	if (sc == NULL)
		return -EINVAL;
	q = sched_q_find(sc, qid);
	if (q == NULL)
		return -ENOENT;
	if (q->head != NULL)
		sc->pol->deactivate(sc->sp, q);
	if (sc->pol->queue_remove != NULL)
		sc->pol->queue_remove(sc->sp, q);
	if (!(q->flags & SCHED_Q_STAGE)) {
		sched_q_purge(sc, q);
	} else {
		if (q->flags & SCHED_Q_POLLED)
			sched_idle_remove(sc, q);
		if (head != NULL)
			*head = q->head;
		else if (q->head != NULL)
			pk_stage_drop(&s->out, PK_DROP_POLICY, q->head);
		sc->nb_stage_queues--;
	}
	q->flags = 0;
	q->head = NULL;
	sc->free_ids[sc->nb_free++] = qid;
	sc->nb_queues--;
	return 0;
}

int
pk_sched_queue_set_param(struct pk_stage *s, uint32_t qid, uint32_t param)
{
	struct pk_sched *sc = sched_check(s);
	struct pk_sched_q *q;
	int rc = 0;

	if (sc != NULL && param == PK_SCHED_PARAM_DEFAULT)
		param = sc->pol->param_default;
	if (sc == NULL || !sched_param_ok(sc, param))
		return -EINVAL;
	q = sched_q_find(sc, qid);
	if (q == NULL)
		return -ENOENT;
	/* the policy sees the change on an idle queue, then it rejoins */
	if (q->head != NULL)
		sc->pol->deactivate(sc->sp, q);
	if (sc->pol->param_set != NULL)
		rc = sc->pol->param_set(sc->sp, q, param);
	if (rc == 0)
		q->param = param;
	if (q->head != NULL)
		sc->pol->enqueue(sc->sp, q);
	return rc;
}

int
pk_sched_queue_info(const struct pk_stage *s, uint32_t qid, uint32_t *param,
		    unsigned int *len)
{
	const struct pk_sched *sc = sched_check(s);
	const struct pk_sched_q *q;

	if (sc == NULL)
		return -EINVAL;
	q = sched_q_find(sc, qid);
	if (q == NULL)
		return -ENOENT;
	if (param != NULL)
		*param = q->param;
	if (len != NULL)
		*len = sched_q_len(sc, q);
	return 0;
}

unsigned int
pk_sched_nb_queues(const struct pk_stage *s)
{
	const struct pk_sched *sc = sched_check(s);

	return sc != NULL ? sc->nb_queues : 0;
}

int
pk_sched_set_classifier(struct pk_stage *s, pk_sched_classify_t fn, void *arg)
{
	struct pk_sched *sc = sched_check(s);

	if (sc == NULL)
		return -EINVAL;
	sc->classify = fn != NULL ? fn : sched_classify_mbuf;
	sc->classify_arg = arg;
	return 0;
}

/* Rebuild the bucket after a change of rate, burst or clock: empty. */
static void
sched_shaper_reset(struct pk_sched *sc)
{
	uint64_t burst = sc->burst;

	if (burst == 0) /* 100 us of the link, and at least two frames */
		burst = RTE_MAX(sc->rate_bps / 80000,
				2ULL * (sc->mtu + sc->overhead));
	sc->hz8 = 8 * sc->hz;
	sc->tokens_max = (__int128)burst * sc->hz8;
	sc->tokens = 0;
	sc->last = sc->clock(sc->clock_arg);
	sc->stage.pull = sc->rate_bps != 0 ? sched_pull_shaped : sched_pull;
}

int
pk_sched_set_shaper(struct pk_stage *s, uint64_t rate_bps, uint32_t overhead,
		    uint32_t burst)
{
	struct pk_sched *sc = sched_check(s);

	if (sc == NULL || rate_bps > PK_SCHED_MAX_RATE)
		return -EINVAL;
	sc->rate_bps = rate_bps;
	sc->overhead = overhead;
	sc->burst = burst;
	sched_shaper_reset(sc);
	return 0;
}

int
pk_sched_set_clock(struct pk_stage *s, pk_sched_clock_t fn, void *arg,
		   uint64_t hz)
{
	struct pk_sched *sc = sched_check(s);

	if (sc == NULL || (fn != NULL && (hz == 0 || hz > SCHED_MAX_HZ)))
		return -EINVAL;
	sc->clock = fn != NULL ? fn : sched_tsc;
	sc->clock_arg = fn != NULL ? arg : NULL;
	sc->hz = fn != NULL ? hz : rte_get_tsc_hz();
	sched_shaper_reset(sc);
	return 0;
}

const char *
pk_sched_policy_name(const struct pk_stage *s)
{
	const struct pk_sched *sc = sched_check(s);

	return sc != NULL ? sc->policy : NULL;
}
