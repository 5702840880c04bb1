/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hier: a two-level policy made of two registered ones, "owners:OUTER,
 * flows:INNER" (design: doc/architecture.md, "Two-level scheduling").
 * The queues are split into nb_classes classes of per = max_queues /
 * nb_classes (queue q is in class q / per); each class has its own INNER
 * instance over its queues and a pseudo-queue record that OUTER schedules
 * with the class's parameter. Built per scheduler (the sizes are the
 * parts'): a queue's area is INNER's (first, as INNER expects), then its
 * class. A class record's head and len are those of INNER's pick (its
 * dequeue, asked after every change in the class), so OUTER charges a
 * class by the bytes it sends; OUTER stamps the pick's length at the time
 * (an arrival that changes the pick before the class is served is charged
 * at the stamped length, once). Records carry PK_SCHED_Q_STAGE: no FIFO
 * for pk_sched_q_prefetch(). Queue managers: flags, arrive, judge,
 * dropped, victim are INNER's, per class; so is the memory bound (the
 * class over it names the victim among its own flows). A class emptied by
 * drops leaves OUTER uncharged (deactivate). OUTER is no queue manager.
 * cost: OUTER's and INNER's per packet, plus one INNER dequeue per send
 *   and per queue that turns backlogged.
 * memory: INNER's queue area + 4 bytes per queue; per class, a record of
 *   32 + OUTER's area and INNER's state (what its init allocates too).
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_log.h>

#include <rte_hash_crc.h>

#include "sched_pvt.h"

struct hier_class {
	struct pk_sched_q *pick;     /* INNER's next queue; NULL: idle */
	void *isp;                   /* INNER's state */
};

struct hier {
	const struct pk_sched_policy *outer;
	const struct pk_sched_policy *inner;
	void *osp;                   /* OUTER's state */
	uint8_t *crec;               /* class records, 1 << cshift apart */
	uint32_t cshift;
	uint32_t coff;               /* class index in a queue's area */
	struct hier_class *cls;
	uint8_t *imem;               /* INNER states, isize apart */
	size_t isize;
	const uint8_t *qbase;        /* the core's queue records */
	uint32_t qshift;
	uint32_t nb_classes;
	uint32_t per;                /* queues per class */
	uint32_t over;               /* the class that last passed its bound */
	uint32_t ninit;              /* INNER states set up (fini frees them) */
	bool outer_init;
	/* OUTER's update_dequeue, or NULL */
	struct pk_sched_q *(*outer_ud)(void *sp, struct pk_sched_q *q,
				       uint32_t len);
};

/* The per-scheduler ops table: the composite's policy. */
struct hier_policy {
	struct pk_sched_policy ops;  /* first */
	const struct pk_sched_policy *outer;
	const struct pk_sched_policy *inner;
	char name[PK_SCHED_POLICY_NAMESIZE];
};

static inline struct pk_sched_q *
hier_crec(const struct hier *h, uint32_t c)
{
	return (struct pk_sched_q *)(h->crec + ((size_t)c << h->cshift));
}

static inline uint32_t
hier_cidx(const struct hier *h, const struct pk_sched_q *cq)
{
	return (uint32_t)(((const uint8_t *)cq - h->crec) >> h->cshift);
}

static inline uint32_t
hier_class_of(const struct hier *h, struct pk_sched_q *q)
{
	return *(const uint32_t *)((uint8_t *)pk_sched_q_priv(q) + h->coff);
}

/*
 * After a change in class c other than a send: ask INNER for its pick and
 * show it to OUTER (the class joins, leaves uncharged, or shows its new
 * head in place).
 */
static void
hier_refresh(struct hier *h, uint32_t c)
{
	struct hier_class *k = &h->cls[c];
	struct pk_sched_q *cq = hier_crec(h, c);
	struct pk_sched_q *p = h->inner->dequeue(k->isp);

	k->pick = p;
	if (p == NULL) {
		if (cq->head != NULL) {
			h->outer->deactivate(h->osp, cq);
			cq->head = NULL;
			cq->len = 0;
		}
		return;
	}
	if (cq->head == NULL) {
		cq->head = p->head;
		cq->len = p->len;
		h->outer->enqueue(h->osp, cq);
		return;
	}
	cq->head = p->head;
	cq->len = p->len;
}

static void
hier_enqueue(void *sp, struct pk_sched_q *q)
{
	struct hier *h = sp;
	uint32_t c = hier_class_of(h, q);

	h->inner->enqueue(h->cls[c].isp, q);
	hier_refresh(h, c);
}

static struct pk_sched_q *
hier_dequeue(void *sp)
{
	struct hier *h = sp;
	struct pk_sched_q *cq = h->outer->dequeue(h->osp);

	return cq != NULL ? h->cls[hier_cidx(h, cq)].pick : NULL;
}

/* q's head (len bytes) went: INNER, its next pick, OUTER. @return class */
static inline struct pk_sched_q *
hier_sent(struct hier *h, struct pk_sched_q *q, uint32_t len)
{
	uint32_t c = hier_class_of(h, q);
	struct hier_class *k = &h->cls[c];
	struct pk_sched_q *cq = hier_crec(h, c), *p;

	h->inner->update(k->isp, q, len);
	p = h->inner->dequeue(k->isp);
	k->pick = p;
	cq->head = p != NULL ? p->head : NULL;
	cq->len = p != NULL ? p->len : 0;
	return cq;
}

static void
hier_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	struct hier *h = sp;

	h->outer->update(h->osp, hier_sent(h, q, len), len);
}

static struct pk_sched_q *
hier_update_dequeue(void *sp, struct pk_sched_q *q, uint32_t len)
{
	struct hier *h = sp;
	struct pk_sched_q *cq = hier_sent(h, q, len);

	if (h->outer_ud != NULL) {
		cq = h->outer_ud(h->osp, cq, len);
	} else {
		h->outer->update(h->osp, cq, len);
		cq = h->outer->dequeue(h->osp);
	}
	return cq != NULL ? h->cls[hier_cidx(h, cq)].pick : NULL;
}

static void
hier_deactivate(void *sp, struct pk_sched_q *q)
{
	struct hier *h = sp;
	uint32_t c = hier_class_of(h, q);

	h->inner->deactivate(h->cls[c].isp, q);
	hier_refresh(h, c);
}

static int
hier_queue_add(void *sp, struct pk_sched_q *q)
{
	struct hier *h = sp;
	uint32_t id = (uint32_t)(((uint8_t *)q - h->qbase) >> h->qshift);
	uint32_t c = id / h->per;

	if (c >= h->nb_classes)
		return -ENOSPC;
	*(uint32_t *)((uint8_t *)pk_sched_q_priv(q) + h->coff) = c;
	return h->inner->queue_add != NULL ?
	       h->inner->queue_add(h->cls[c].isp, q) : 0;
}

static void
hier_queue_remove(void *sp, struct pk_sched_q *q)
{
	struct hier *h = sp;

	if (h->inner->queue_remove != NULL)
		h->inner->queue_remove(h->cls[hier_class_of(h, q)].isp, q);
}

static int
hier_param_set(void *sp, struct pk_sched_q *q, uint32_t param)
{
	struct hier *h = sp;

	return h->inner->param_set != NULL ?
	       h->inner->param_set(h->cls[hier_class_of(h, q)].isp, q,
				   param) : 0;
}

static bool
hier_arrive(void *sp, struct pk_sched_q *q, uint32_t len)
{
	struct hier *h = sp;
	uint32_t c = hier_class_of(h, q);
	bool over = h->inner->arrive(h->cls[c].isp, q, len);

	if (unlikely(over))
		h->over = c;
	return over;
}

static enum pk_sched_verdict
hier_judge(void *sp, struct pk_sched_q *q, uint64_t now)
{
	struct hier *h = sp;

	return h->inner->judge(h->cls[hier_class_of(h, q)].isp, q, now);
}

static bool
hier_dropped(void *sp, struct pk_sched_q *q, uint32_t len)
{
	struct hier *h = sp;
	uint32_t c = hier_class_of(h, q);
	bool over = h->inner->dropped(h->cls[c].isp, q, len);

	hier_refresh(h, c);
	if (over)
		h->over = c;
	return over;
}

static uint32_t
hier_victim(void *sp, struct pk_sched_q **q)
{
	struct hier *h = sp;

	*q = NULL;
	if (h->over >= h->nb_classes)
		return 0;
	return h->inner->victim(h->cls[h->over].isp, q);
}

/*
 * The classifier when the application gives none: the class from
 * m->hash.sched.queue_id (as rte_sched's), the flow by CRC32-C of its
 * 5-tuple onto the class's queues (non-IP: the first). A class out of
 * range: an id with no queue ("no-match").
 */
static uint32_t
hier_classify(const struct rte_mbuf *m, void *arg)
{
	const struct hier *h = arg;
	uint32_t c = m->hash.sched.queue_id, hash = 0;
	struct pk_flow_key key;
	enum pk_flow_result r;

	if (unlikely(c >= h->nb_classes))
		return UINT32_MAX;
	r = pk_flow_parse(m, &key);
	if (r == PK_FLOW_OK || r == PK_FLOW_FRAGMENT)
		hash = rte_hash_crc(&key, sizeof(key), 0x5eed);
	return c * h->per + (uint32_t)(((uint64_t)hash * h->per) >> 32);
}

static void
hier_fini(void *sp)
{
	struct hier *h = sp;
	uint32_t c;

	for (c = 0; c < h->ninit; c++)
		if (h->inner->fini != NULL)
			h->inner->fini(h->cls[c].isp);
	if (h->outer_init && h->outer->fini != NULL)
		h->outer->fini(h->osp);
	rte_free(h->cls);
	rte_free(h->imem);
	rte_free(h->crec);
	rte_free(h->osp);
}

/* Each class's record, with its parameter, joins OUTER. */
static int
hier_classes(struct hier *h, const struct pk_sched_policy_conf *pc)
{
	const struct pk_sched_policy *o = h->outer;
	struct pk_sched_q *cq;
	uint32_t c, param;
	int rc;

	for (c = 0; c < h->nb_classes; c++) {
		cq = hier_crec(h, c);
		param = pc->class_params != NULL ? pc->class_params[c] :
						   o->param_default;
		if (param < o->param_min || param > o->param_max) {
			PK_LOG(ERR, "%s: class %u: parameter %u not in %u..%u",
			       o->name, c, param, o->param_min, o->param_max);
			return -EINVAL;
		}
		cq->param = param;
		cq->flags = PK_SCHED_Q_STAGE; /* no FIFO to prefetch */
		if (o->queue_add != NULL &&
		    (rc = o->queue_add(h->osp, cq)) != 0) {
			PK_LOG(ERR, "%s: class %u of parameter %u refused: %s",
			       o->name, c, param, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int
hier_init(void *sp, const struct pk_sched_policy_conf *pc)
{
	const struct hier_policy *hp =
		container_of(pc->pol, const struct hier_policy, ops);
	struct pk_sched_policy_conf opc = *pc, ipc = *pc;
	struct hier *h = sp;
	uint32_t c;
	int rc;

	h->outer = hp->outer;
	h->inner = hp->inner;
	h->outer_ud = hp->outer->update_dequeue;
	h->nb_classes = RTE_MAX(pc->nb_classes, 1u);
	h->per = pc->max_queues / h->nb_classes;
	h->over = UINT32_MAX;
	h->qbase = pc->qbase;
	h->qshift = pc->qshift;
	h->coff = RTE_ALIGN_CEIL(hp->inner->queue_size, sizeof(uint32_t));
	h->cshift = rte_log2_u64(sizeof(struct pk_sched_q) +
				 hp->outer->queue_size);
	h->isize = RTE_ALIGN_CEIL(RTE_MAX(hp->inner->sched_size, (size_t)1),
				  RTE_CACHE_LINE_SIZE);
	h->crec = rte_zmalloc_socket("hier", (size_t)h->nb_classes <<
				     h->cshift, RTE_CACHE_LINE_SIZE,
				     pc->socket_id);
	h->osp = rte_zmalloc_socket("hier", RTE_MAX(hp->outer->sched_size,
						    (size_t)1),
				    RTE_CACHE_LINE_SIZE, pc->socket_id);
	h->imem = rte_zmalloc_socket("hier", h->isize * h->nb_classes,
				     RTE_CACHE_LINE_SIZE, pc->socket_id);
	h->cls = rte_zmalloc_socket("hier", sizeof(*h->cls) * h->nb_classes,
				    RTE_CACHE_LINE_SIZE, pc->socket_id);
	if (h->crec == NULL || h->osp == NULL || h->imem == NULL ||
	    h->cls == NULL)
		return -ENOMEM;
	opc.max_queues = h->nb_classes;
	opc.pol = hp->outer;
	rc = hp->outer->init(h->osp, &opc);
	if (rc != 0)
		return rc;
	h->outer_init = true;
	ipc.max_queues = h->per;
	ipc.pol = hp->inner;
	for (c = 0; c < h->nb_classes; c++) {
		h->cls[c].isp = h->imem + h->isize * c;
		rc = hp->inner->init(h->cls[c].isp, &ipc);
		if (rc != 0)
			return rc;
		h->ninit = c + 1;
	}
	return hier_classes(h, pc);
}

const struct pk_sched_policy *
pk_sched_hier_new(const struct pk_sched_policy *outer,
		  const struct pk_sched_policy *inner, int socket_id)
{
	struct hier_policy *hp = rte_zmalloc_socket("hier", sizeof(*hp), 0,
						    socket_id);
	struct pk_sched_policy *p;
	bool aqm = (inner->flags & PK_SCHED_POL_AQM) != 0;

	if (hp == NULL)
		return NULL;
	hp->outer = outer;
	hp->inner = inner;
	snprintf(hp->name, sizeof(hp->name), "owners:%s,flows:%s", outer->name,
		 inner->name);
	p = &hp->ops;
	p->name = hp->name;
	p->help = "two levels: classes by the outer policy, each class's "
		  "queues by its own inner one";
	p->sched_size = sizeof(struct hier);
	p->queue_size = RTE_ALIGN_CEIL(inner->queue_size, sizeof(uint32_t)) +
			sizeof(uint32_t);
	p->param_min = inner->param_min;
	p->param_max = inner->param_max;
	p->param_default = inner->param_default;
	p->init = hier_init;
	p->fini = hier_fini;
	p->queue_add = hier_queue_add;
	p->queue_remove = hier_queue_remove;
	p->param_set = hier_param_set;
	p->enqueue = hier_enqueue;
	p->dequeue = hier_dequeue;
	p->update = hier_update;
	p->update_dequeue = hier_update_dequeue;
	p->deactivate = hier_deactivate;
	p->flags = inner->flags;
	p->classify = hier_classify;
	if (aqm) {
		p->arrive = hier_arrive;
		p->judge = hier_judge;
		p->dropped = hier_dropped;
		p->victim = hier_victim;
	}
	return p;
}

void
pk_sched_hier_free(const struct pk_sched_policy *p)
{
	rte_free((void *)(uintptr_t)p);
}

bool
pk_sched_is_hier(const struct pk_sched_policy *p)
{
	return p != NULL && p->init == hier_init;
}
