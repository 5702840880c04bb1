/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow: Demux stage on rte_hash (lock-free read-write concurrency).
 * push: parses each packet's flow key (pk_flow.h), looks the keys up in bulk
 *   (active, then passive, then wildcard: a pass runs only for packets still
 *   unmatched and only if keys of its kind exist), groups packets by target
 *   and pushes each group as one burst. Refused and (with no miss stage)
 *   unmatched packets come back at the tail in order; malformed ones are freed.
 * destroy: frees the hash and the per-key state; targets and the miss stage
 *   are not the demux's.
 * threads: one pusher, or several with mt=1 (each a registered RCU reader,
 *   see pk_demux.h); one control thread, which may add/delete meanwhile.
 * args: capacity=<1..2^30, 1024> mt=<0|1> bytes=<0|1>
 * stats: in, out, full, no-match, fragment, malformed
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_stage_driver.h>

#define DEMUX_CHUNK RTE_HASH_LOOKUP_BULK_MAX /* 64: fits the hit mask */
#define DEMUX_DQ_MAX 4096 /* deleted keys awaiting grace, at most */
#define DEMUX_CAPACITY_MAX (1u << 30)
/*
 * A key's data in the hash is (entry index << 12 | target slot): the target
 * comes from a small, cache-resident table and the per-key state is one hit
 * counter, so a lookup touches no per-key memory beyond the hash's own.
 */
#define DEMUX_SLOT_BITS 12
#define DEMUX_TARGETS_MAX (1u << DEMUX_SLOT_BITS)
static_assert(DEMUX_TARGETS_MAX == PK_DEMUX_MAX_TARGETS, "slot bits");
#define DEMUX_SLOT_MASK (DEMUX_TARGETS_MAX - 1)
#define DEMUX_SLOT_MISS DEMUX_TARGETS_MAX /* targets[] entry: miss stage */
#define DEMUX_SLOT_BACK (DEMUX_SLOT_MISS + 1) /* back to the caller */
#define DEMUX_SLOT_DROP (DEMUX_SLOT_MISS + 2) /* freed as malformed */
#define DEMUX_MAP 128 /* per-chunk slot -> group map, power of two */

/* What a deleted key leaves for reclamation, in the RCU defer queue. */
struct demux_retired {
	int32_t pos;   /* key slot in the hash */
	uint32_t idx;  /* entry index (hit counter) */
	uint32_t slot; /* target slot */
};

enum demux_kind { DEMUX_ACTIVE, DEMUX_PASSIVE, DEMUX_WILD, DEMUX_KINDS };

struct demux_flow {
	struct pk_stage stage;
	/* fast path */
	struct rte_hash *h;
	struct pk_stage **targets; /* by slot; [DEMUX_SLOT_MISS] = miss */
	uint64_t *hits;            /* by entry index */
	uint16_t miss_slot;        /* DEMUX_SLOT_MISS, or _BACK if no miss */
	uint32_t nb_kind[DEMUX_KINDS]; /* keys of each kind, read relaxed */
	/* slow path: control thread only */
	uint32_t *slot_refs; /* keys (installed or in grace) per slot */
	uint32_t slot_hw;    /* slots ever used */
	uint32_t *free_idx;  /* stack of free entry indexes */
	uint32_t nb_free;
	uint32_t capacity;
	uint32_t count;
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq;
};

/* Counts of one burst, added to the stage's counters once. */
struct demux_tally {
	uint64_t out;
	uint64_t out_bytes;
	uint64_t drops[PK_DROP_MAX];
};

static inline struct demux_flow *
demux_of(struct pk_stage *s)
{
	return (struct demux_flow *)s;
}

static inline void
demux_flow_cnt(uint64_t *c, uint64_t v, bool mt)
{
	if (v == 0)
		return;
	if (mt)
		pk_counter_add_mt(c, v);
	else
		pk_counter_add(c, v);
}

/* One lookup pass over the still-unmatched idx[0..m); returns those left. */
static __rte_always_inline unsigned int
demux_flow_pass(struct demux_flow *d, struct pk_flow_key *keys, uint8_t *idx,
		unsigned int m, uint16_t *slot, uint32_t *hidx, unsigned int *nhp)
{
	const void *kp[DEMUX_CHUNK];
	void *data[DEMUX_CHUNK];
	unsigned int j, left = 0, nh = *nhp;
	uint64_t hit = 0, v;

	for (j = 0; j < m; j++)
		kp[j] = &keys[idx[j]];
	rte_hash_lookup_bulk_data(d->h, kp, m, &hit, data);
	for (j = 0; j < m; j++) {
		if (hit & (1ULL << j)) {
			v = (uintptr_t)data[j];
			slot[idx[j]] = v & DEMUX_SLOT_MASK;
			hidx[nh++] = v >> DEMUX_SLOT_BITS;
			rte_prefetch0_write(&d->hits[v >> DEMUX_SLOT_BITS]);
		} else {
			idx[left++] = idx[j];
		}
	}
	*nhp = nh;
	return left;
}

/* Resolve slot[i] for every packet of a chunk; malformed ones are freed. */
static __rte_always_inline void
demux_flow_resolve_chunk(struct demux_flow *d, struct rte_mbuf **pkts,
			 uint16_t n, uint16_t *slot, uint32_t *hidx,
			 unsigned int *nh, struct demux_tally *t)
{
	struct pk_flow_key keys[DEMUX_CHUNK];
	uint8_t idx[DEMUX_CHUNK];
	unsigned int i, m = 0;

	for (i = 0; i < n; i++) {
		slot[i] = d->miss_slot;
		switch (pk_flow_parse(pkts[i], &keys[i])) {
		case PK_FLOW_OK:
			idx[m++] = i;
			break;
		case PK_FLOW_MALFORMED:
			rte_pktmbuf_free(pkts[i]);
			t->drops[PK_DROP_MALFORMED]++;
			slot[i] = DEMUX_SLOT_DROP;
			break;
		case PK_FLOW_FRAGMENT:
			t->drops[PK_DROP_FRAGMENT]++;
			break;
		case PK_FLOW_NOT_IP:
			t->drops[PK_DROP_NO_MATCH]++;
			break;
		}
	}
	if (m > 0)
		m = demux_flow_pass(d, keys, idx, m, slot, hidx, nh);
	if (m > 0 && __atomic_load_n(&d->nb_kind[DEMUX_PASSIVE],
				     __ATOMIC_RELAXED) > 0) {
		for (i = 0; i < m; i++)
			pk_flow_key_passive(&keys[idx[i]]);
		m = demux_flow_pass(d, keys, idx, m, slot, hidx, nh);
	}
	if (m > 0 && __atomic_load_n(&d->nb_kind[DEMUX_WILD],
				     __ATOMIC_RELAXED) > 0) {
		for (i = 0; i < m; i++)
			pk_flow_key_wildcard(&keys[idx[i]]);
		m = demux_flow_pass(d, keys, idx, m, slot, hidx, nh);
	}
	t->drops[PK_DROP_NO_MATCH] += m;
}

/* Push one group; mark what its target refused. */
static __rte_always_inline void
demux_flow_emit(struct demux_flow *d, struct pk_stage *target,
		struct rte_mbuf **grp, const uint8_t *orig, unsigned int len,
		uint8_t *refused, struct demux_tally *t)
{
	uint64_t bytes = 0;
	unsigned int k, taken;

	if (unlikely(d->stage.flags & PK_STAGE_F_BYTES))
		bytes = pk_burst_bytes(grp, len);
	taken = pk_stage_push(target, grp, len);
	if (unlikely(taken != len)) {
		if (bytes != 0)
			bytes -= pk_burst_bytes(&grp[taken], len - taken);
		for (k = taken; k < len; k++)
			refused[orig[k]] = 1;
		t->drops[PK_DROP_FULL] += len - taken;
	}
	t->out += taken;
	t->out_bytes += bytes;
}

/* Group number of slot s in this chunk (open addressing; new if unseen). */
static __rte_always_inline unsigned int
demux_flow_group_of(uint16_t *mkey, uint8_t *mval, uint16_t s,
		    unsigned int *ng)
{
	unsigned int h = s & (DEMUX_MAP - 1);

	while (mkey[h] != s && mkey[h] != UINT16_MAX)
		h = (h + 1) & (DEMUX_MAP - 1);
	if (mkey[h] == UINT16_MAX) {
		mkey[h] = s;
		mval[h] = (*ng)++;
	}
	return mval[h];
}

/* Group a resolved chunk by target (first-seen order) and push each group. */
static __rte_always_inline void
demux_flow_group(struct demux_flow *d, struct rte_mbuf **pkts, uint16_t n,
		 const uint16_t *slot, uint8_t *refused,
		 struct demux_tally *t)
{
	uint16_t mkey[DEMUX_MAP], gslot[DEMUX_CHUNK];
	uint8_t mval[DEMUX_MAP], gof[DEMUX_CHUNK], orig[DEMUX_CHUNK];
	uint8_t glen[DEMUX_CHUNK], gstart[DEMUX_CHUNK];
	struct rte_mbuf *grp[DEMUX_CHUNK];
	unsigned int i, g, ng = 0, pos;

	memset(mkey, 0xff, sizeof(mkey));
	for (i = 0; i < n; i++) {
		refused[i] = slot[i] == DEMUX_SLOT_BACK;
		if (slot[i] >= DEMUX_SLOT_BACK)
			continue;
		pos = ng;
		g = demux_flow_group_of(mkey, mval, slot[i], &ng);
		if (ng != pos) { /* a new group */
			gslot[g] = slot[i];
			glen[g] = 0;
		}
		gof[i] = g;
		glen[g]++;
	}
	for (pos = 0, g = 0; g < ng; g++) {
		gstart[g] = pos;
		pos += glen[g];
		glen[g] = 0;
	}
	for (i = 0; i < n; i++) {
		if (slot[i] >= DEMUX_SLOT_BACK)
			continue;
		g = gof[i];
		grp[gstart[g] + glen[g]] = pkts[i];
		orig[gstart[g] + glen[g]++] = i;
	}
	for (g = 0; g < ng; g++)
		demux_flow_emit(d, d->targets[gslot[g]], &grp[gstart[g]],
				&orig[gstart[g]], glen[g], refused, t);
}

static __rte_always_inline uint16_t
demux_flow_push_common(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n,
		       bool mt)
{
	struct demux_flow *d = demux_of(s);
	uint16_t slot[DEMUX_CHUNK];
	uint32_t hidx[DEMUX_CHUNK];
	uint8_t refused[DEMUX_CHUNK];
	struct demux_tally t = { 0 };
	uint16_t start, len, i, nref = 0;
	unsigned int r, nh;

	if (unlikely(s->flags & PK_STAGE_F_BYTES))
		demux_flow_cnt(&s->in.bytes, pk_burst_bytes(pkts, n), mt);
	for (start = 0; start < n; start += len) {
		len = RTE_MIN(n - start, DEMUX_CHUNK);
		nh = 0;
		demux_flow_resolve_chunk(d, &pkts[start], len, slot, hidx,
					 &nh, &t);
		demux_flow_group(d, &pkts[start], len, slot, refused, &t);
		/* hit counters last: their prefetches had the pushes' time */
		for (i = 0; i < nh; i++)
			demux_flow_cnt(&d->hits[hidx[i]], 1, mt);
		/* keep what came back at the front for now: nref <= start + i */
		for (i = 0; i < len; i++)
			if (refused[i])
				pkts[nref++] = pkts[start + i];
	}
	if (nref != 0 && nref != n)
		memmove(&pkts[n - nref], pkts, nref * sizeof(*pkts));
	demux_flow_cnt(&s->in.pkts, n, mt);
	demux_flow_cnt(&s->out.pkts, t.out, mt);
	demux_flow_cnt(&s->out.bytes, t.out_bytes, mt);
	for (r = 0; r < PK_DROP_MAX; r++)
		demux_flow_cnt(&s->in.drops[r], t.drops[r], mt);
	return n - nref;
}

static uint16_t
demux_flow_push_st(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return demux_flow_push_common(s, pkts, n, false);
}

static uint16_t
demux_flow_push_mt(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return demux_flow_push_common(s, pkts, n, true);
}

/* ---- control ---- */

static void demux_flow_destroy(struct pk_stage *s);

static const struct pk_stage_ops demux_flow_st_ops = {
	.kind = "demux_flow", .push = demux_flow_push_st,
	.destroy = demux_flow_destroy, .caps = PK_STAGE_CAP_PUSH,
};
static const struct pk_stage_ops demux_flow_mt_ops = {
	.kind = "demux_flow", .push = demux_flow_push_mt,
	.destroy = demux_flow_destroy,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH,
};

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

/* Slot of target: the one it has, or a free one. Control thread. */
static int
demux_flow_slot_get(struct demux_flow *d, struct pk_stage *target)
{
	int s, free_slot = -1;

	for (s = 0; s < (int)d->slot_hw; s++) {
		if (d->targets[s] == target) {
			d->slot_refs[s]++;
			return s;
		}
		if (d->targets[s] == NULL && free_slot < 0)
			free_slot = s;
	}
	if (free_slot < 0) {
		if (d->slot_hw == DEMUX_TARGETS_MAX)
			return -ENOSPC;
		free_slot = d->slot_hw++;
	}
	/* readers reach it only through a key added after this */
	d->targets[free_slot] = target;
	d->slot_refs[free_slot] = 1;
	return free_slot;
}

static void
demux_flow_slot_put(struct demux_flow *d, uint32_t s)
{
	if (--d->slot_refs[s] == 0)
		d->targets[s] = NULL;
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

static void
demux_flow_sync_reclaim(struct demux_flow *d)
{
	rte_rcu_qsbr_synchronize(d->qsbr, RTE_QSBR_THRID_INVALID);
	rte_rcu_qsbr_dq_reclaim(d->dq, UINT32_MAX, NULL, NULL, NULL);
}

int
pk_demux_flow_add(struct pk_stage *s, const struct pk_flow_key *key,
		  struct pk_stage *target)
{
	struct demux_flow *d = demux_flow_check(s);
	uint32_t need_caps, idx;
	int rc, slot;

	if (d == NULL || key == NULL || target == NULL || key->pad != 0 ||
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
	d->hits[idx] = 0;
	/* published with release ordering: readers see targets[slot] set */
	rc = rte_hash_add_key_data(d->h, key, (void *)(uintptr_t)
				   ((uint64_t)idx << DEMUX_SLOT_BITS | slot));
	if (rc != 0) {
		d->nb_free++;
		demux_flow_slot_put(d, slot);
		return rc;
	}
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
	r.idx = (uintptr_t)data >> DEMUX_SLOT_BITS;
	r.slot = (uintptr_t)data & DEMUX_SLOT_MASK;
	d->count--;
	__atomic_fetch_sub(&d->nb_kind[demux_flow_key_kind(key)], 1,
			   __ATOMIC_RELAXED);
	if (rte_rcu_qsbr_dq_enqueue(d->dq, &r) != 0) {
		demux_flow_sync_reclaim(d); /* queue full: wait, then retry */
		rte_rcu_qsbr_dq_enqueue(d->dq, &r);
	}
	return 0;
}

int
pk_demux_flow_remove_target(struct pk_stage *s, struct pk_stage *target)
{
	struct demux_flow *d = demux_flow_check(s);
	struct pk_flow_key *doomed;
	const void *key;
	uint32_t next = 0;
	void *data;
	int n = 0, i;

	if (d == NULL || target == NULL)
		return -EINVAL;
	/* collect first: deleting while iterating would skip keys */
	doomed = malloc(sizeof(*doomed) * (d->count + 1));
	if (doomed == NULL)
		return -ENOMEM;
	while (rte_hash_iterate(d->h, &key, &data, &next) >= 0)
		if (d->targets[(uintptr_t)data & DEMUX_SLOT_MASK] == target)
			memcpy(&doomed[n++], key, sizeof(*doomed));
	for (i = 0; i < n; i++)
		pk_demux_flow_del(s, &doomed[i]);
	free(doomed);
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
	k = *key;
	if (rte_hash_lookup_data(d->h, &k, &data) >= 0)
		return d->targets[(uintptr_t)data & DEMUX_SLOT_MASK];
	pk_flow_key_passive(&k);
	if (rte_hash_lookup_data(d->h, &k, &data) >= 0)
		return d->targets[(uintptr_t)data & DEMUX_SLOT_MASK];
	pk_flow_key_wildcard(&k);
	if (rte_hash_lookup_data(d->h, &k, &data) >= 0)
		return d->targets[(uintptr_t)data & DEMUX_SLOT_MASK];
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
	*hits = __atomic_load_n(&d->hits[(uintptr_t)data >> DEMUX_SLOT_BITS],
				__ATOMIC_RELAXED);
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

int
pk_demux_flow_reader_register(struct pk_stage *s, unsigned int thread_id)
{
	struct demux_flow *d = demux_flow_check(s);

	if (d == NULL || thread_id >= RTE_MAX_LCORE ||
	    rte_rcu_qsbr_thread_register(d->qsbr, thread_id) != 0)
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
	rte_rcu_qsbr_quiescent(demux_of(s)->qsbr, thread_id);
}

struct rte_rcu_qsbr *
pk_demux_flow_qsbr(struct pk_stage *s)
{
	struct demux_flow *d = demux_flow_check(s);

	return d != NULL ? d->qsbr : NULL;
}

static void
demux_flow_destroy(struct pk_stage *s)
{
	struct demux_flow *d = demux_of(s);
	unsigned int i;

	if (d->dq != NULL) {
		/* no reader runs now (see pk_stage.h): drop stale registrations */
		for (i = 0; i < RTE_MAX_LCORE; i++) {
			rte_rcu_qsbr_thread_offline(d->qsbr, i);
			rte_rcu_qsbr_thread_unregister(d->qsbr, i);
		}
		demux_flow_sync_reclaim(d);
		rte_rcu_qsbr_dq_delete(d->dq);
	}
	rte_hash_free(d->h);
	rte_free(d->qsbr);
	rte_free(d->targets);
	rte_free(d->slot_refs);
	rte_free(d->hits);
	rte_free(d->free_idx);
	pk_stage_free(s);
}

static int
demux_flow_init(struct demux_flow *d, uint32_t capacity, int socket_id)
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
	d->hits = rte_malloc_socket("pk_demux", sizeof(*d->hits) * capacity,
				    RTE_CACHE_LINE_SIZE, socket_id);
	d->targets = rte_zmalloc_socket("pk_demux", sizeof(*d->targets) *
					(DEMUX_TARGETS_MAX + 1),
					RTE_CACHE_LINE_SIZE, socket_id);
	d->slot_refs = rte_zmalloc_socket("pk_demux", sizeof(uint32_t) *
					  DEMUX_TARGETS_MAX, 0, socket_id);
	d->free_idx = rte_malloc_socket("pk_demux", sizeof(uint32_t) *
					capacity, 0, socket_id);
	d->qsbr = rte_zmalloc_socket("pk_demux", qsz, RTE_CACHE_LINE_SIZE,
				     socket_id);
	if (d->h == NULL || d->hits == NULL || d->targets == NULL ||
	    d->slot_refs == NULL || d->free_idx == NULL ||
	    d->qsbr == NULL || rte_rcu_qsbr_init(d->qsbr, RTE_MAX_LCORE) != 0)
		return -ENOMEM;
	dp.v = d->qsbr;
	d->dq = rte_rcu_qsbr_dq_create(&dp);
	if (d->dq == NULL)
		return -ENOMEM;
	for (i = 0; i < capacity; i++) /* pop order: 0 first */
		d->free_idx[i] = capacity - 1 - i;
	d->nb_free = capacity;
	return 0;
}

struct pk_stage *
pk_demux_flow_create(const struct pk_demux_conf *conf)
{
	const struct pk_stage_ops *ops;
	struct pk_stage *s;
	uint32_t need;
	int rc;

	if (conf == NULL || conf->capacity == 0 ||
	    conf->capacity > DEMUX_CAPACITY_MAX ||
	    (conf->flags & ~(uint32_t)PK_DEMUX_F_MT) != 0) {
		PK_LOG(ERR, "%s: bad demux configuration",
		       conf != NULL && conf->name != NULL ? conf->name : "?");
		rte_errno = EINVAL;
		return NULL;
	}
	ops = (conf->flags & PK_DEMUX_F_MT) ? &demux_flow_mt_ops :
					      &demux_flow_st_ops;
	need = ops->caps & (PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH);
	if (conf->miss != NULL && (conf->miss->caps & need) != need) {
		PK_LOG(ERR, "%s: miss stage %s cannot take these pushes",
		       conf->name, conf->miss->name);
		rte_errno = EINVAL;
		return NULL;
	}
	s = pk_stage_alloc(sizeof(struct demux_flow), ops, conf->name,
			   conf->sflags, conf->socket_id);
	if (s == NULL)
		return NULL;
	rc = demux_flow_init(demux_of(s), conf->capacity, conf->socket_id);
	if (rc == 0) {
		demux_of(s)->targets[DEMUX_SLOT_MISS] = conf->miss;
		demux_of(s)->miss_slot = conf->miss != NULL ? DEMUX_SLOT_MISS :
							      DEMUX_SLOT_BACK;
	}
	if (rc != 0) {
		PK_LOG(ERR, "%s: no memory for a demux of %u keys", conf->name,
		       conf->capacity);
		demux_flow_destroy(s);
		rte_errno = -rc;
		return NULL;
	}
	return s;
}

static struct pk_stage *
demux_flow_create_kv(const char *name, const struct rte_kvargs *kv,
		     int socket_id)
{
	uint64_t capacity = PK_DEMUX_DEFAULT_CAPACITY, mt = 0;
	struct pk_demux_conf conf = { .name = name, .socket_id = socket_id };

	if (pk_stage_arg_u64(kv, "capacity", 1, DEMUX_CAPACITY_MAX,
			     &capacity) != 0 ||
	    pk_stage_arg_u64(kv, "mt", 0, 1, &mt) != 0 ||
	    pk_stage_args_flags(kv, &conf.sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	conf.capacity = capacity;
	conf.flags = mt ? PK_DEMUX_F_MT : 0;
	return pk_demux_flow_create(&conf);
}

static const char *const demux_flow_args[] = { "capacity", "mt", NULL };
static struct pk_stage_kind demux_flow_kind = {
	.name = "demux_flow",
	.help = "flow demux on rte_hash: active, passive, wildcard keys",
	.args = demux_flow_args,
	.create = demux_flow_create_kv,
};
PK_STAGE_KIND_REGISTER(demux_flow_kind);
