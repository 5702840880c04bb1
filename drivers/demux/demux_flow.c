/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow: Demux stage on rte_hash (lock-free read-write concurrency).
 * push: parses each packet's flow key (pk_flow.h), looks the keys up in bulk
 *   (active, then passive, then wildcard: a pass runs only for packets still
 *   unmatched and only if keys of its kind exist), groups packets by target
 *   and pushes each group as one burst; a lone packet for a queue_ring
 *   without mp=1 is enqueued inline (pk_queue_worker.h). Hit counters: one
 *   16-bit add per packet, folded into a high half every 2^15 hits of a
 *   key (demux_flow_hits.c); with mt=1, into the pushing lcore's own
 *   counters once it registered as a reader. Refused and (with no miss
 *   stage) unmatched packets come back at the tail in order; malformed ones
 *   are freed.
 * destroy: frees the hash and the per-key state; targets and the miss stage
 *   are not the demux's.
 * memory: the rte_hash, plus 18 bytes a key (a 16-bit and a 64-bit hit
 *   counter, its place in its target's key list: per hash entry, indexed
 *   by the key's position) and a table of targets sized by the targets in
 *   use (64 slots, doubled on demand: demux_flow_slots.c).
 * threads: one pusher, or several with mt=1 (each a registered RCU reader,
 *   see pk_demux.h); one control thread, which may add/delete meanwhile.
 * args: capacity=<1..2^30, 1024> mt=<0|1> bytes=<0|1>
 * stats: in, out, full, no-match, fragment, malformed
 */
#include <errno.h>

#include <rte_errno.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_stage_driver.h>

#include "demux_flow_pvt.h"

/*
 * The kind's life: create, destroy, registration. The fast path is in
 * demux_flow_push.c, the key table and its RCU reclaim in demux_flow_table.c.
 */

#define DEMUX_CAPACITY_MAX (1u << 30)
/* one target per key at the largest capacity: the slots never run out */
static_assert(PK_DEMUX_MAX_TARGETS == DEMUX_CAPACITY_MAX, "a slot per key");

static void demux_flow_destroy(struct pk_stage *s);

/* Chosen at create: mt=1 counts with atomics and asks targets for
 * concurrent pushes. */
const struct pk_stage_ops demux_flow_st_ops = {
	.kind = "demux_flow", .push = demux_flow_push_st,
	.destroy = demux_flow_destroy, .caps = PK_STAGE_CAP_PUSH,
};
const struct pk_stage_ops demux_flow_mt_ops = {
	.kind = "demux_flow", .push = demux_flow_push_mt,
	.destroy = demux_flow_destroy,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH,
};

/* Also undoes a create that failed half way (the stage starts zeroed). */
static void
demux_flow_destroy(struct pk_stage *s)
{
	demux_flow_table_free(demux_of(s));
	pk_stage_free(s);
}

struct pk_stage *
pk_demux_flow_create(const struct pk_demux_conf *conf)
{
	const struct pk_stage_ops *ops;
	struct demux_flow *d;
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
	d = demux_of(s);
	rc = demux_flow_table_init(d, conf->capacity,
				   (conf->flags & PK_DEMUX_F_MT) != 0,
				   conf->socket_id);
	if (rc != 0) {
		PK_LOG(ERR, "%s: no memory for a demux of %u keys", conf->name,
		       conf->capacity);
		demux_flow_destroy(s);
		rte_errno = -rc;
		return NULL;
	}
	/* the miss stage is a target like the others, in the slot past them;
	 * without one, unmatched packets go back to the caller */
	d->targets[DEMUX_SLOT_MISS] = conf->miss;
	d->miss_slot = conf->miss != NULL ? DEMUX_SLOT_MISS : DEMUX_SLOT_BACK;
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
	.caps = PK_STAGE_CAP_PUSH,
	.create = demux_flow_create_kv,
};
PK_STAGE_KIND_REGISTER(demux_flow_kind);
