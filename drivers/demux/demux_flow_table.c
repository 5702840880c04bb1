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
	int32_t pos;   /* its position in the hash, also its entry index */
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
		d->nb_retired--;
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

void
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
	uint32_t id = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
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
	d->entries = hp.entries;
	d->h = rte_hash_create(&hp);
	d->hits_near = ((size_t)d->entries + 1) * sizeof(*d->own.lo) <=
		       DEMUX_HITS_NEAR_BYTES;
	d->qsbr = rte_zmalloc_socket("pk_demux", qsz, RTE_CACHE_LINE_SIZE,
				     socket_id);
	if (d->h == NULL || d->qsbr == NULL ||
	    rte_rcu_qsbr_init(d->qsbr, RTE_MAX_LCORE) != 0 ||
	    demux_flow_slots_init(d, socket_id) != 0 ||
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
	return d->gdq != NULL ? 0 : -ENOMEM;
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
}

/* Hand a deleted key r to the grace periods (gdq, then dq); a full queue:
 * wait for them, then retry. */
static void
demux_flow_retire(struct demux_flow *d, struct demux_retired *r)
{
	d->nb_retired++;
	if (rte_rcu_qsbr_dq_enqueue(d->gdq, r) != 0) {
		demux_flow_sync_reclaim(d);
		rte_rcu_qsbr_dq_enqueue(d->gdq, r);
	}
}

int
pk_demux_flow_add(struct pk_stage *s, const struct pk_flow_key *key,
		  struct pk_stage *target)
{
	struct demux_flow *d = demux_flow_check(s);
	struct demux_retired r;
	uint32_t need_caps;
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
	/* every position held by a deleted key in its grace period */
	if (d->count + d->nb_retired >= d->entries)
		demux_flow_sync_reclaim(d);
	slot = demux_flow_slot_get(d, target);
	if (slot < 0)
		return slot;
	/*
	 * The key's entry index is its hash position, known once it is in:
	 * add it counting into the spare (entry d->entries, never read),
	 * then give it its own. Packets that find it in between go to its
	 * target and count into the spare: the add has not returned, so
	 * they are not the key's yet. Published with release ordering:
	 * readers see targets[slot] set.
	 */
	rc = rte_hash_add_key_data(d->h, key, demux_data(d->entries, slot));
	if (rc != 0) {
		demux_flow_slot_put(d, slot);
		return rc;
	}
	pos = rte_hash_lookup(d->h, key);
	/* no reader counts into pos: its last key's grace period is over
	 * (its position was freed only then) */
	demux_flow_hits_reset(d, (uint32_t)pos);
	/* an update of the key's data: one release store in rte_hash
	 * (search_and_update(), DPDK 22.11), no new slot taken */
	rc = rte_hash_add_key_data(d->h, key, demux_data(pos, slot));
	if (rc != 0) {
		/* cannot happen (the key is there); off again, with grace */
		r.pos = rte_hash_del_key(d->h, key);
		r.slot = slot;
		demux_flow_retire(d, &r);
		return rc;
	}
	demux_flow_slot_link(d, slot, pos);
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
	r.pos = rte_hash_del_key(d->h, key); /* == its entry index */
	r.slot = demux_data_slot(data);
	demux_flow_slot_unlink(d, r.slot, (uint32_t)r.pos);
	d->count--;
	__atomic_fetch_sub(&d->nb_kind[demux_flow_key_kind(key)], 1,
			   __ATOMIC_RELAXED);
	/* a reader may still hold the entry: its position is reused after
	 * the grace periods (gdq, then dq) */
	demux_flow_retire(d, &r);
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
		if (rte_hash_get_key_with_position(d->h, (int32_t)idx,
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

/* The target of a key's data just looked up: targets[] loaded after the
 * lookup (whose acquire load of the data orders it), so it has the slot. */
static struct pk_stage *
demux_flow_target_of(struct demux_flow *d, const void *data)
{
	struct pk_stage **targets = __atomic_load_n(&d->targets,
						    __ATOMIC_RELAXED);

	return __atomic_load_n(&targets[demux_data_slot(data)],
			       __ATOMIC_RELAXED);
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
		return demux_flow_target_of(d, data);
	pk_flow_key_passive(&k);
	if (rte_hash_lookup_data(d->h, &k, &data) >= 0)
		return demux_flow_target_of(d, data);
	pk_flow_key_wildcard(&k);
	if (rte_hash_lookup_data(d->h, &k, &data) >= 0)
		return demux_flow_target_of(d, data);
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
