/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PKTSCHED_FQ_H
#define PKTSCHED_FQ_H

/*
 * The flow structure fq_codel and fq_pie share (RFC 8290 section 4): each
 * queue is a flow (the scheduler hashes flows to queues), served by DRR
 * from two lists, new flows first: a flow that comes back with packets
 * after it left the lists joins the new list, so a sparse flow's packets
 * go before the bulk flows' turns. A flow whose quantum is spent goes to
 * the end of the old list; a flow found empty at the front of the new list
 * moves to the old one (if that is not empty) rather than leave, so that a
 * flow cannot stay "new" by sending one packet per round. The policy keeps
 * each flow's backlog (packets, bytes), their totals against the limits,
 * and every flow in an array for the victim scan.
 *
 * Each driver puts struct fq_flow first in its per-queue area and its own
 * AQM state after it, and struct fq_sched first in its per-scheduler area.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_sched_policy.h>

#define FQ_QUANTUM 1514              /* one Ethernet frame, as Linux */
#define FQ_MAX_QUANTUM (1u << 24)
#define FQ_LIMIT 10240               /* packets, as Linux */
#define FQ_LIMIT_BYTES (32u << 20)   /* bytes, as Linux's memory_limit */
#define FQ_BATCH 64                  /* most drops per overflow, as Linux */

enum fq_list_id { FQ_NONE = 0, FQ_NEW, FQ_OLD };

struct fq_flow {
	struct pk_sched_aqm_q aqm;   /* first: the core's head_ts */
	struct pk_sched_q *next;     /* on the new or the old list */
	int32_t deficit;             /* bytes it may still send this turn */
	uint32_t bytes;              /* backlog, the head included */
	uint32_t pkts;
	uint32_t idx;                /* in fq_sched.flows */
	uint8_t list;                /* enum fq_list_id */
};

struct fq_list {
	struct pk_sched_q *head;
	struct pk_sched_q *tail;
};

struct fq_sched {
	struct fq_list lists[3];     /* by enum fq_list_id; [FQ_NONE] unused */
	uint64_t pkts;               /* held in all flows */
	uint64_t bytes;
	uint32_t limit;
	uint32_t limit_bytes;
	uint32_t batch;
	uint32_t mtu;
	bool ecn;
	uint32_t nb_flows;
	struct pk_sched_q **flows;   /* every attached queue */
};

static inline struct fq_flow *
fq_flow_of(struct pk_sched_q *q)
{
	return pk_sched_q_priv(q);
}

static inline void
fq_list_append(struct fq_sched *fs, enum fq_list_id id, struct pk_sched_q *q)
{
	struct fq_list *l = &fs->lists[id];

	fq_flow_of(q)->next = NULL;
	fq_flow_of(q)->list = id;
	if (l->head == NULL)
		l->head = q;
	else
		fq_flow_of(l->tail)->next = q;
	l->tail = q;
}

static inline void
fq_list_pop(struct fq_sched *fs, enum fq_list_id id)
{
	struct fq_list *l = &fs->lists[id];
	struct pk_sched_q *q = l->head;

	l->head = fq_flow_of(q)->next;
	if (l->head == NULL)
		l->tail = NULL;
	fq_flow_of(q)->list = FQ_NONE;
}

/* Take q off whichever list it is on: control path, walks the list. */
static inline void
fq_list_remove(struct fq_sched *fs, struct pk_sched_q *q)
{
	struct fq_list *l = &fs->lists[fq_flow_of(q)->list];
	struct pk_sched_q *p = NULL, *c = l->head;

	if (fq_flow_of(q)->list == FQ_NONE)
		return;
	while (c != NULL && c != q) {
		p = c;
		c = fq_flow_of(c)->next;
	}
	if (c == NULL)
		return;
	if (p == NULL)
		l->head = fq_flow_of(q)->next;
	else
		fq_flow_of(p)->next = fq_flow_of(q)->next;
	if (l->tail == q)
		l->tail = p;
	fq_flow_of(q)->list = FQ_NONE;
}

/* The application's parameters over the defaults. */
static inline int
fq_init(struct fq_sched *fs, const struct pk_sched_policy_conf *c)
{
	const struct pk_sched_aqm_conf *a = c->aqm;

	fs->limit = a->limit != 0 ? a->limit : FQ_LIMIT;
	fs->limit_bytes = a->limit_bytes != 0 ? a->limit_bytes : FQ_LIMIT_BYTES;
	fs->batch = a->batch != 0 ? a->batch : FQ_BATCH;
	fs->ecn = a->ecn != PK_SCHED_ECN_OFF;
	fs->mtu = c->mtu;
	fs->flows = rte_zmalloc_socket("fq_flows", sizeof(*fs->flows) *
				       c->max_queues, 0, c->socket_id);
	return fs->flows != NULL ? 0 : -ENOMEM;
}

static inline void
fq_fini(struct fq_sched *fs)
{
	rte_free(fs->flows);
}

static inline int
fq_queue_add(struct fq_sched *fs, struct pk_sched_q *q)
{
	fq_flow_of(q)->idx = fs->nb_flows;
	fs->flows[fs->nb_flows++] = q;
	return 0;
}

/* q leaves: off its list, its backlog (the core frees it) off the totals. */
static inline void
fq_queue_remove(struct fq_sched *fs, struct pk_sched_q *q)
{
	struct fq_flow *f = fq_flow_of(q);
	struct pk_sched_q *last = fs->flows[--fs->nb_flows];

	fq_list_remove(fs, q);
	fs->pkts -= f->pkts;
	fs->bytes -= f->bytes;
	f->pkts = f->bytes = 0;
	fs->flows[f->idx] = last;
	fq_flow_of(last)->idx = f->idx;
}

/* q got a head: a flow on no list joins the new ones with a quantum. */
static inline void
fq_enqueue(struct fq_sched *fs, struct pk_sched_q *q)
{
	if (fq_flow_of(q)->list != FQ_NONE)
		return;
	fq_flow_of(q)->deficit = (int32_t)q->param;
	fq_list_append(fs, FQ_NEW, q);
}

static inline bool
fq_over(const struct fq_sched *fs)
{
	return fs->pkts > fs->limit || fs->bytes > fs->limit_bytes;
}

static inline bool
fq_arrive(struct fq_sched *fs, struct pk_sched_q *q, uint32_t len)
{
	fq_flow_of(q)->pkts++;
	fq_flow_of(q)->bytes += len;
	fs->pkts++;
	fs->bytes += len;
	return fq_over(fs);
}

/* q's head of len bytes left (sent or dropped). */
static inline bool
fq_left(struct fq_sched *fs, struct pk_sched_q *q, uint32_t len)
{
	fq_flow_of(q)->pkts--;
	fq_flow_of(q)->bytes -= len;
	fs->pkts--;
	fs->bytes -= len;
	return fq_over(fs);
}

/* Sent: charged to q's turn; q stays at the front until it is spent. */
static inline void
fq_update(struct fq_sched *fs, struct pk_sched_q *q, uint32_t len)
{
	fq_flow_of(q)->deficit -= (int32_t)len;
	fq_left(fs, q, len);
}

/*
 * Over a limit: the flow of most bytes loses up to half its packets (at
 * most batch), as Linux's fq_codel_drop(); one scan per batch.
 */
static inline uint32_t
fq_victim(struct fq_sched *fs, struct pk_sched_q **qp)
{
	struct pk_sched_q *v = NULL;
	uint32_t i, most = 0, k;

	for (i = 0; i < fs->nb_flows; i++)
		if (fq_flow_of(fs->flows[i])->bytes > most) {
			most = fq_flow_of(fs->flows[i])->bytes;
			v = fs->flows[i];
		}
	*qp = v;
	if (v == NULL)
		return 0;
	k = RTE_MAX(fq_flow_of(v)->pkts / 2, 1u);
	return RTE_MIN(k, fs->batch);
}

/*
 * The flow whose head goes next (RFC 8290 section 4.2), or NULL; a flow
 * found empty is handed to emptied (the driver resets its AQM state).
 */
static __rte_always_inline struct pk_sched_q *
fq_dequeue(struct fq_sched *fs, void (*emptied)(struct pk_sched_q *q))
{
	enum fq_list_id id;
	struct pk_sched_q *q;

	for (;;) {
		id = fs->lists[FQ_NEW].head != NULL ? FQ_NEW : FQ_OLD;
		q = fs->lists[id].head;
		if (q == NULL)
			return NULL;
		if (fq_flow_of(q)->deficit <= 0) {
			fq_flow_of(q)->deficit += (int32_t)q->param;
			fq_list_pop(fs, id);
			fq_list_append(fs, FQ_OLD, q);
			continue;
		}
		if (q->head != NULL)
			return q;
		fq_list_pop(fs, id);
		if (id == FQ_NEW && fs->lists[FQ_OLD].head != NULL)
			fq_list_append(fs, FQ_OLD, q);
		emptied(q);
	}
}

/*
 * The classifier when the application gives none: the NIC's RSS hash if it
 * gave one (free), else CRC32-C of the 5-tuple (pk_flow_parse()): one
 * parse per packet, cheaper than a flow table; non-IP frames go to queue 0
 * (a non-first fragment, ports unknown, may go elsewhere than its first).
 * Scaled onto 0..nq-1 by a multiply, not a division.
 */
static inline uint32_t
fq_classify(const struct rte_mbuf *m, void *arg)
{
	uint32_t nq = (uint32_t)(uintptr_t)arg, h = 0;
	struct pk_flow_key key;
	enum pk_flow_result r;

	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) {
		h = m->hash.rss;
	} else {
		r = pk_flow_parse(m, &key);
		if (r == PK_FLOW_OK || r == PK_FLOW_FRAGMENT)
			h = rte_hash_crc(&key, sizeof(key), 0x5eed);
	}
	return (uint32_t)(((uint64_t)h * nq) >> 32);
}

#endif /* PKTSCHED_FQ_H */
