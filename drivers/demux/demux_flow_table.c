/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow_table.c: the key table of demux_flow (card in demux_flow.c) and
 * the pk_demux_flow_*() calls that change and read it.
 * The table: an rte_hash from key to (entry index, target slot), a hit
 * counter per entry, and an RCU variable with its defer queue; the targets
 * by slot are demux_flow_slots.c's, the hit counters (by entry)
 * demux_flow_hits.c's.
 * Readers (pushers) take no lock, so a deleted key's entry and target slot
 * are reused only after a grace period; this file is where that is decided.
 * Two kinds of readers may hold a key's data: the library's (runner lcores,
 * thread_lcore loops, entry runs, application loops: pk_rcu.h's one
 * process-wide variable, which is how pk-run's threads are covered without
 * knowing which demux they reach) and the demux's own, registered by id
 * with pk_demux_flow_reader_register(). A deleted key waits for the first
 * in one defer queue (gdq), whose reclaim hands it to a second (dq) that
 * waits for the second: both rte_rcu_qsbr_dq, so that a delete never
 * blocks, and a key is reused once both grace periods, each started no
 * earlier than the delete, are over.
 * Control thread, except the reader calls at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_rcu.h>
#include <pathkit/pk_stage_driver.h>

#include "demux_flow_pvt.h"

#define DEMUX_DQ_MAX 4096 /* deleted keys awaiting grace, at most */

/* What a deleted key leaves for reclamation, in the RCU defer queue. */
struct demux_retired {
	int32_t pos;   /* key slot in the hash */
	uint32_t idx;  /* entry index (hit counter) */
	uint32_t slot; /* target slot */
};

/* d if s is a demux_flow, else NULL: every public call checks first. */
static struct demux_flow *
demux_flow_check(struct pk_stage *s)
{
	if (s == NULL ||
	    (s->ops != &demux_flow_st_ops && s->ops != &demux_flow_mt_ops))
		return NULL;
	return demux_of(s);
}

static enum demux_kind
demux_flow_key_kind(const struct pk_flow_key *k)
{
	static const uint8_t zero[16];

	if (k->rport != 0 || memcmp(k->raddr, zero, sizeof(zero)) != 0)
		return DEMUX_ACTIVE;
	return memcmp(k->laddr, zero, sizeof(zero)) != 0 ? DEMUX_PASSIVE :
							   DEMUX_WILD;
}

/* RCU defer queue callback: the grace period is over, reuse the slots. */
static void
demux_flow_reclaim_fn(void *p, void *e, unsigned int n)
{
	struct demux_flow *d = p;
	struct demux_retired *r = e;
	unsigned int i;

	for (i = 0; i < n; i++) {
		rte_hash_free_key_with_position(d->h, r[i].pos);
		d->free_idx[d->nb_free++] = r[i].idx;
		demux_flow_slot_put(d, r[i].slot);
	}
}

/* Wait for the demux's own readers, then reclaim what dq holds. */
static void
demux_flow_sync_own(struct demux_flow *d)
{
	rte_rcu_qsbr_synchronize(d->qsbr, RTE_QSBR_THRID_INVALID);
	rte_rcu_qsbr_dq_reclaim(d->dq, UINT32_MAX, NULL, NULL, NULL);
}

/*
 * gdq's callback: the library's readers are past these deleted keys; now
 * the demux's own readers' grace period (dq), started no earlier.
 */
static void
demux_flow_retire_fn(void *p, void *e, unsigned int n)
{
	struct demux_flow *d = p;
	struct demux_retired *r = e;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rte_rcu_qsbr_dq_enqueue(d->dq, &r[i]) != 0) {
			demux_flow_sync_own(d); /* full: wait, then retry */
			rte_rcu_qsbr_dq_enqueue(d->dq, &r[i]);
		}
}

/* Wait for every reader of both kinds, then reclaim all deleted keys. */
static void
demux_flow_sync_reclaim(struct demux_flow *d)
{
	pk_rcu_synchronize();
	rte_rcu_qsbr_dq_reclaim(d->gdq, UINT32_MAX, NULL, NULL, NULL);
	demux_flow_sync_own(d);
}

int
demux_flow_table_init(struct demux_flow *d, uint32_t capacity, bool mt,
		      int socket_id)
{
	static uint32_t seq;
	uint32_t id = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED), i;
	char hname[RTE_HASH_NAMESIZE], qname[32];
	struct rte_hash_parameters hp = {
		.name = hname,
		.entries = RTE_MAX(capacity, 8u), /* rte_hash's minimum */
		.key_len = sizeof(struct pk_flow_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_rcu_qsbr_dq_parameters dp = {
		.name = qname,
		.size = RTE_MIN(capacity, (uint32_t)DEMUX_DQ_MAX),
		.esize = sizeof(struct demux_retired),
		.trigger_reclaim_limit = RTE_MIN(capacity, 32u),
		.max_reclaim_size = 64,
		.free_fn = demux_flow_reclaim_fn,
		.p = d,
	};
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);

	snprintf(hname, sizeof(hname), "pkdmx_%u", id);
	snprintf(qname, sizeof(qname), "pkdmx_%u", id);
	d->capacity = capacity;
	d->h = rte_hash_create(&hp);
	d->hits_near = ((size_t)capacity + 1) * sizeof(*d->own.lo) <=
		       DEMUX_HITS_NEAR_BYTES;
	d->free_idx = rte_malloc_socket("pk_demux", sizeof(uint32_t) *
					capacity, 0, socket_id);
	d->qsbr = rte_zmalloc_socket("pk_demux", qsz, RTE_CACHE_LINE_SIZE,
				     socket_id);
	if (d->h == NULL || d->free_idx == NULL || d->qsbr == NULL ||
	    rte_rcu_qsbr_init(d->qsbr, RTE_MAX_LCORE) != 0 ||
	    demux_flow_slots_init(d, capacity, socket_id) != 0 ||
	    demux_flow_lanes_init(d, mt, socket_id) != 0)
		return -ENOMEM;
	dp.v = d->qsbr;
	d->dq = rte_rcu_qsbr_dq_create(&dp);
	if (d->dq == NULL)
		return -ENOMEM;
	snprintf(qname, sizeof(qname), "pkdmxg_%u", id);
	dp.v = pk_rcu_qsbr();
	dp.free_fn = demux_flow_retire_fn;
	d->gdq = dp.v != NULL ? rte_rcu_qsbr_dq_create(&dp) : NULL;
	if (d->gdq == NULL)
		return -ENOMEM;
	for (i = 0; i < capacity; i++) /* pop order: 0 first */
		d->free_idx[i] = capacity - 1 - i;
	d->nb_free = capacity;
	return 0;
}

void
demux_flow_table_free(struct demux_flow *d)
{
	unsigned int i;

	if (d->dq != NULL) {
		/* no reader runs now (see pk_stage.h): drop stale registrations */
		for (i = 0; i < RTE_MAX_LCORE; i++) {
			rte_rcu_qsbr_thread_offline(d->qsbr, i);
			rte_rcu_qsbr_thread_unregister(d->qsbr, i);
		}
		if (d->gdq != NULL) {
			demux_flow_sync_reclaim(d);
			rte_rcu_qsbr_dq_delete(d->gdq);
		}
		demux_flow_sync_own(d);
		rte_rcu_qsbr_dq_delete(d->dq);
	}
	rte_hash_free(d->h);
	rte_free(d->qsbr);
	demux_flow_slots_free(d);
	demux_flow_lanes_free(d);
	rte_free(d->free_idx);
}

int
pk_demux_flow_add(struct pk_stage *s, const struct pk_flow_key *key,
		  struct pk_stage *target)
{
	struct demux_flow *d = demux_flow_check(s);
	uint32_t need_caps, idx;
	int32_t pos;
	int rc, slot;

	if (d == NULL || key == NULL || target == NULL ||
	    (key->pad != 0 && key->pad != PK_FLOW_F_ICMP_ERR &&
	     key->pad != PK_FLOW_F_SNIFF_OUT && key->pad != PK_FLOW_F_SNIFF_IN) ||
	    (key->family != PK_FLOW_IPV4 && key->family != PK_FLOW_IPV6))
		return -EINVAL;
	need_caps = s->caps & (PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH);
	if ((target->caps & need_caps) != need_caps) {
		PK_LOG(ERR, "%s: target %s cannot take %s pushes", s->name,
		       target->name,
		       (need_caps & PK_STAGE_CAP_MT_PUSH) ? "concurrent" : "");
		return -EINVAL;
	}
	/* add_key_data would silently retarget an existing key */
	if (rte_hash_lookup(d->h, key) >= 0)
		return -EEXIST;
	if (d->count == d->capacity)
		return -ENOSPC;
	if (d->nb_free == 0) /* deleted keys still in their grace period */
		demux_flow_sync_reclaim(d);
	slot = demux_flow_slot_get(d, target);
	if (slot < 0)
		return slot;
	idx = d->free_idx[--d->nb_free];
	demux_flow_hits_reset(d, idx);
	/* published with release ordering: readers see targets[slot] set */
	rc = rte_hash_add_key_data(d->h, key, demux_data(idx, slot));
	if (rc != 0) {
		d->nb_free++;
		demux_flow_slot_put(d, slot);
		return rc;
	}
	/* its position, for remove_target() to find the key again */
	pos = rte_hash_lookup(d->h, key);
	demux_flow_slot_link(d, slot, idx, pos);
	d->count++;
	__atomic_fetch_add(&d->nb_kind[demux_flow_key_kind(key)], 1,
			   __ATOMIC_RELAXED);
	return 0;
}

int
pk_demux_flow_del(struct pk_stage *s, const struct pk_flow_key *key)
{
	struct demux_flow *d = demux_flow_check(s);
	struct demux_retired r;
	void *data;

	if (d == NULL || key == NULL)
		return -EINVAL;
	if (rte_hash_lookup_data(d->h, key, &data) < 0)
		return -ENOENT;
	r.pos = rte_hash_del_key(d->h, key);
	r.idx = demux_data_idx(data);
	r.slot = demux_data_slot(data);
	demux_flow_slot_unlink(d, r.slot, r.idx);
	d->count--;
	__atomic_fetch_sub(&d->nb_kind[demux_flow_key_kind(key)], 1,
			   __ATOMIC_RELAXED);
	/* a reader may still hold the entry: it is reused after the grace
	 * periods (gdq, then dq); a full queue: wait for them, then retry */
	if (rte_rcu_qsbr_dq_enqueue(d->gdq, &r) != 0) {
		demux_flow_sync_reclaim(d);
		rte_rcu_qsbr_dq_enqueue(d->gdq, &r);
	}
	return 0;
}

int
pk_demux_flow_remove_target(struct pk_stage *s, struct pk_stage *target)
{
	struct demux_flow *d = demux_flow_check(s);
	struct pk_flow_key k;
	uint32_t slot, idx;
	void *key;
	int n = 0;

	if (d == NULL || target == NULL)
		return -EINVAL;
	/* the slot's list holds its installed keys: a del takes one off */
	slot = demux_flow_slot_find(d, target);
	while (slot != DEMUX_SLOT_MISS &&
	       (idx = d->sl.head[slot]) != DEMUX_NONE) {
		if (rte_hash_get_key_with_position(d->h, d->sl.pos[idx],
						   &key) != 0) {
			/* cannot happen: a listed key is installed */
			PK_LOG(ERR, "%s: key of entry %u lost", s->name, idx);
			demux_flow_slot_unlink(d, slot, idx);
			continue;
		}
		memcpy(&k, key, sizeof(k)); /* del may free its hash copy */
		pk_demux_flow_del(s, &k);
		n++;
	}
	/* after the grace no pusher holds target: the caller may free it */
	demux_flow_sync_reclaim(d);
	return n;
}

struct pk_stage *
pk_demux_flow_resolve(struct pk_stage *s, const struct pk_flow_key *key)
{
	struct demux_flow *d = demux_flow_check(s);
	struct pk_flow_key k;
	void *data;

	if (d == NULL || key == NULL)
		return NULL;
	/* the push path's order: active, passive, wildcard */
	k = *key;
	if (rte_hash_lookup_data(d->h, &k, &data) >= 0)
		return d->targets[demux_data_slot(data)];
	pk_flow_key_passive(&k);
	if (rte_hash_lookup_data(d->h, &k, &data) >= 0)
		return d->targets[demux_data_slot(data)];
	pk_flow_key_wildcard(&k);
	if (rte_hash_lookup_data(d->h, &k, &data) >= 0)
		return d->targets[demux_data_slot(data)];
	return NULL;
}

int
pk_demux_flow_hits(struct pk_stage *s, const struct pk_flow_key *key,
		   uint64_t *hits)
{
	struct demux_flow *d = demux_flow_check(s);
	void *data;

	if (d == NULL || key == NULL || hits == NULL)
		return -EINVAL;
	if (rte_hash_lookup_data(d->h, key, &data) < 0)
		return -ENOENT;
	*hits = demux_flow_hits_sum(d, demux_data_idx(data));
	return 0;
}

unsigned int
pk_demux_flow_count(struct pk_stage *s)
{
	struct demux_flow *d = demux_flow_check(s);

	return d != NULL ? d->count : 0;
}

int
pk_demux_flow_synchronize(struct pk_stage *s)
{
	struct demux_flow *d = demux_flow_check(s);

	if (d == NULL)
		return -EINVAL;
	demux_flow_sync_reclaim(d);
	return 0;
}

/* ---- readers: any pushing thread, see pk_demux.h ---- */


int
pk_demux_flow_reader_register(struct pk_stage *s, unsigned int thread_id)
{
	struct demux_flow *d = demux_flow_check(s);
	int rc;

	if (d == NULL || thread_id >= RTE_MAX_LCORE)
		return -EINVAL;
	rc = demux_flow_lane_make(d);
	if (rc != 0)
		return rc;
	if (rte_rcu_qsbr_thread_register(d->qsbr, thread_id) != 0)
		return -EINVAL;
	rte_rcu_qsbr_thread_online(d->qsbr, thread_id);
	return 0;
}

int
pk_demux_flow_reader_unregister(struct pk_stage *s, unsigned int thread_id)
{
	struct demux_flow *d = demux_flow_check(s);

	if (d == NULL || thread_id >= RTE_MAX_LCORE)
		return -EINVAL;
	rte_rcu_qsbr_thread_offline(d->qsbr, thread_id);
	return rte_rcu_qsbr_thread_unregister(d->qsbr, thread_id) == 0 ?
		       0 : -EINVAL;
}

void
pk_demux_flow_quiescent(struct pk_stage *s, unsigned int thread_id)
{
	/* no check: called after every burst, as cheap as the store itself */
	rte_rcu_qsbr_quiescent(demux_of(s)->qsbr, thread_id);
}

struct rte_rcu_qsbr *
pk_demux_flow_qsbr(struct pk_stage *s)
{
	struct demux_flow *d = demux_flow_check(s);

	return d != NULL ? d->qsbr : NULL;
}
