/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * queue_local: a small FIFO in a plain array, for one thread that both pushes
 * and pulls (run to completion: a socket's recv runs its path, whose tail
 * collects here, then takes from here). No atomics, no ring.
 * push: appends up to the free room, refuses the rest ("full"; the caller
 *   keeps them). pull: takes from the front. destroy: frees what it holds.
 * threads: one thread at a time does everything; len/stats from any thread.
 * args: size=<1..512, 32> bytes=<0|1> red=... or pie=... (a dropper, as
 *   queue_ring's: pk_dropper.h)
 * stats: in, out, full; red or pie
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_stage_driver.h>

#define QUEUE_LOCAL_DEFAULT 32
#define QUEUE_LOCAL_MAX 512

struct queue_local {
	struct pk_stage stage;
	uint32_t head;   /* next to pull */
	uint32_t count;  /* held: relaxed stores, any thread reads */
	uint32_t size;
	struct rte_mbuf *slot[];
};

static inline struct queue_local *
queue_local_of(struct pk_stage *s)
{
	return (struct queue_local *)s;
}

/* Compact to the front before an append: the array never wraps. */
static inline void
queue_local_compact(struct queue_local *q)
{
	if (q->head == 0)
		return;
	if (q->count > 0)
		memmove(q->slot, q->slot + q->head,
			q->count * sizeof(q->slot[0]));
	q->head = 0;
}

static uint16_t
queue_local_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct queue_local *q = queue_local_of(s);
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	uint32_t room;
	uint16_t k;

	queue_local_compact(q);
	room = q->size - q->count;
	k = n < room ? n : (uint16_t)room;
	memcpy(q->slot + q->count, pkts, k * sizeof(pkts[0]));
	__atomic_store_n(&q->count, q->count + k, __ATOMIC_RELAXED);
	pk_stage_count_push(s, pkts, n, k, bytes);
	return k;
}

static uint16_t
queue_local_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct queue_local *q = queue_local_of(s);
	uint16_t k = q->count < max ? (uint16_t)q->count : max;

	memcpy(pkts, q->slot + q->head, k * sizeof(pkts[0]));
	q->head += k;
	__atomic_store_n(&q->count, q->count - k, __ATOMIC_RELAXED);
	if (q->count == 0)
		q->head = 0;
	pk_stage_count(s, &s->out, pkts, k);
	return k;
}

static unsigned int
queue_local_len(const struct pk_stage *s)
{
	return __atomic_load_n(&((const struct queue_local *)s)->count,
			       __ATOMIC_RELAXED);
}

static void
queue_local_destroy(struct pk_stage *s)
{
	struct queue_local *q = queue_local_of(s);

	if (q->count > 0)
		rte_pktmbuf_free_bulk(q->slot + q->head, q->count);
	pk_stage_free(s);
}

static const struct pk_stage_ops queue_local_ops = {
	.kind = "queue_local",
	.push = queue_local_push,
	.pull = queue_local_pull,
	.destroy = queue_local_destroy,
	.len = queue_local_len,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
};

struct pk_stage *
pk_queue_local_create(const char *name, unsigned int size, uint32_t sflags,
		      int socket_id)
{
	struct pk_stage *s;

	if (size < 1 || size > QUEUE_LOCAL_MAX) {
		PK_LOG(ERR, "%s: queue_local size %u must be in 1..%u",
		       name != NULL ? name : "(null)", size, QUEUE_LOCAL_MAX);
		rte_errno = EINVAL;
		return NULL;
	}
	s = pk_stage_alloc(sizeof(struct queue_local) +
				   size * sizeof(struct rte_mbuf *),
			   &queue_local_ops, name, sflags, socket_id);
	if (s == NULL)
		return NULL;
	queue_local_of(s)->size = size;
	return s;
}

static struct pk_stage *
queue_local_create_kv(const char *name, const struct rte_kvargs *kv,
		      int socket_id)
{
	uint64_t size = QUEUE_LOCAL_DEFAULT;
	struct pk_dropper_conf dc;
	uint32_t sflags = 0;

	if (pk_stage_arg_u64(kv, "size", 1, QUEUE_LOCAL_MAX, &size) != 0 ||
	    pk_stage_args_flags(kv, &sflags) != 0 ||
	    pk_dropper_args(kv, name, size, &dc) != 0) {
		PK_LOG(ERR, "%s: bad queue_local arguments", name);
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_dropper_attach(pk_queue_local_create(name, size, sflags,
						       socket_id), &dc);
}

static const char *const queue_local_args[] = { "size", PK_DROPPER_ARGS,
						NULL };
static struct pk_stage_kind queue_local_kind = {
	.name = "queue_local",
	.help = "single-thread packet FIFO in an array (run to completion)",
	.args = queue_local_args,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
	.create = queue_local_create_kv,
};
PK_STAGE_KIND_REGISTER(queue_local_kind);
