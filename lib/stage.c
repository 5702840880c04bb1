/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage core: the kind registry, create-by-name with rte_kvargs, allocation,
 * the list of live stages that telemetry reads, linking and the argument
 * helpers kinds share (statistics: stage_stats.c). Nothing here is on the
 * fast path.
 *
 * A live stage's list link is kept out of struct pk_stage: pk_stage_alloc()
 * puts a one-line header before the stage (as rte_mempool puts one before
 * each object), so the public struct carries only what the fast path and
 * the statistics read.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_stage_driver.h>

#include "pk_internal.h"
#include "registry_pvt.h"

RTE_LOG_REGISTER(pk_logtype, lib.pathkit, INFO);

static struct pk_registry stage_kinds = PK_REGISTRY_INITIALIZER(stage_kinds);
static struct pk_registry live_stages = PK_REGISTRY_INITIALIZER(live_stages);

/*
 * What pk_stage_alloc() puts before each stage: its live-list link, and who
 * among the started threads pushes into it and pulls from it (thread.c's
 * wiring check, one lookup per thread start however many threads run).
 */
struct stage_hdr {
	struct pk_registry_node live;
	struct pk_stage_use use[PK_STAGE_USE_SIDES];
} __rte_cache_aligned;

static_assert(sizeof(struct stage_hdr) == RTE_CACHE_LINE_SIZE,
	      "a stage stays cache aligned behind its header");
/* the layout the comments of struct pk_stage promise */
static_assert(offsetof(struct pk_stage, hot_fn) + sizeof(void (*)(void)) <=
	      RTE_CACHE_LINE_SIZE, "fast-path fields on the first line");
static_assert(offsetof(struct pk_stage, in) % RTE_CACHE_LINE_SIZE == 0 &&
	      offsetof(struct pk_stage, out) % RTE_CACHE_LINE_SIZE == 0 &&
	      offsetof(struct pk_stage, out) >= offsetof(struct pk_stage, in) +
	      RTE_CACHE_LINE_SIZE, "each side's counters on lines of their own");

static struct stage_hdr *
stage_hdr(const struct pk_stage *s)
{
	return (struct stage_hdr *)(uintptr_t)s - 1;
}

struct pk_stage_use *
pk_stage_use(const struct pk_stage *s, enum pk_stage_use_side side)
{
	return &stage_hdr(s)->use[side];
}

static struct pk_stage *
stage_of_live(struct pk_registry_node *n)
{
	return (struct pk_stage *)(container_of(n, struct stage_hdr, live) + 1);
}

/* Unwired ends: push refuses everything, pull gives nothing. */
static uint16_t
stage_refuse_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(s);
	RTE_SET_USED(pkts);
	RTE_SET_USED(n);
	return 0;
}

static uint16_t
stage_empty_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	RTE_SET_USED(s);
	RTE_SET_USED(pkts);
	RTE_SET_USED(max);
	return 0;
}

static const struct pk_stage_ops unwired_ops = {
	.kind = "unwired",
	.push = stage_refuse_push,
	.pull = stage_empty_pull,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
};

/* The stage every unconnected next/prev points to: no NULL checks per burst. */
static struct pk_stage unwired = {
	.push = stage_refuse_push,
	.pull = stage_empty_pull,
	.next = &unwired,
	.prev = &unwired,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
	.ops = &unwired_ops,
	.name = "unwired",
};

struct pk_stage *
pk_stage_unwired(void)
{
	return &unwired;
}

void
pk_stage_kind_register(struct pk_stage_kind *kind)
{
	if (pk_registry_add(&stage_kinds, &kind->reg, kind->name, true) != 0)
		PK_LOG(ERR, "stage kind %s registered twice: the second is "
		       "ignored", kind->name);
}

const struct pk_stage_kind *
pk_stage_kind_find(const char *name)
{
	struct pk_registry_node *n = pk_registry_find(&stage_kinds, name);

	return n != NULL ? container_of(n, struct pk_stage_kind, reg) : NULL;
}

/* Adapts a registry walk to the caller's function on kinds or stages. */
struct stage_walk {
	union {
		int (*kind_fn)(const struct pk_stage_kind *k, void *arg);
		int (*stage_fn)(const struct pk_stage *s, void *arg);
	};
	void *arg;
};

static int
stage_walk_kind(struct pk_registry_node *n, void *arg)
{
	struct stage_walk *w = arg;

	return w->kind_fn(container_of(n, struct pk_stage_kind, reg), w->arg);
}

int
pk_stage_kind_foreach(int (*fn)(const struct pk_stage_kind *k, void *arg),
		      void *arg)
{
	struct stage_walk w = { .kind_fn = fn, .arg = arg };

	return pk_registry_foreach(&stage_kinds, stage_walk_kind, &w);
}

static int
stage_walk_live(struct pk_registry_node *n, void *arg)
{
	struct stage_walk *w = arg;

	return w->stage_fn(stage_of_live(n), w->arg);
}

int
pk_stage_live_foreach(int (*fn)(const struct pk_stage *s, void *arg),
		      void *arg)
{
	struct stage_walk w = { .stage_fn = fn, .arg = arg };

	return pk_registry_foreach(&live_stages, stage_walk_live, &w);
}

int
pk_stage_live_apply(const char *name,
		    int (*fn)(const struct pk_stage *s, void *arg), void *arg)
{
	struct stage_walk w = { .stage_fn = fn, .arg = arg };

	return pk_registry_apply(&live_stages, name, stage_walk_live, &w);
}

const char *
pk_stage_kind_name(const struct pk_stage *s)
{
	return s->ops->kind;
}

static bool
stage_name_valid(const char *name)
{
	size_t len;

	if (name == NULL)
		return false;
	len = strnlen(name, PK_STAGE_NAMESIZE);
	return len > 0 && len < PK_STAGE_NAMESIZE;
}

/* The kind's keys plus the common ones, as rte_kvargs wants them. */
static const char **
stage_valid_keys(const struct pk_stage_kind *k)
{
	static const char *const common[] = { "bytes", NULL };
	const char **keys;
	unsigned int n = 0, i, j;

	while (k->args != NULL && k->args[n] != NULL)
		n++;
	keys = calloc(n + RTE_DIM(common), sizeof(*keys));
	if (keys == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		keys[i] = k->args[i];
	for (j = 0; common[j] != NULL; j++)
		keys[i++] = common[j];
	keys[i] = NULL;
	return keys;
}

struct pk_stage *
pk_stage_create(const char *kind, const char *name, const char *args,
		int socket_id)
{
	const struct pk_stage_kind *k;
	struct rte_kvargs *kv;
	struct pk_stage *s;
	const char **keys;

	k = pk_stage_kind_find(kind);
	if (k == NULL) {
		PK_LOG(ERR, "%s: unknown stage kind '%s'",
		       name != NULL ? name : "?", kind != NULL ? kind : "(null)");
		rte_errno = ENOENT;
		return NULL;
	}
	if (!stage_name_valid(name)) {
		PK_LOG(ERR, "%s: stage name must be 1..%d characters", k->name,
		       PK_STAGE_NAMESIZE - 1);
		rte_errno = EINVAL;
		return NULL;
	}
	keys = stage_valid_keys(k);
	if (keys == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	kv = rte_kvargs_parse(args != NULL ? args : "", keys);
	free(keys);
	if (kv == NULL) {
		PK_LOG(ERR, "%s: bad arguments '%s' for kind %s", name,
		       args, k->name);
		rte_errno = EINVAL;
		return NULL;
	}
	s = k->create(name, kv, socket_id);
	rte_kvargs_free(kv);
	return s;
}

struct pk_stage *
pk_stage_alloc(size_t size, const struct pk_stage_ops *ops, const char *name,
	       uint32_t flags, int socket_id)
{
	struct stage_hdr *h;
	struct pk_stage *s;

	if (ops == NULL || size < sizeof(*s) || !stage_name_valid(name)) {
		PK_LOG(ERR, "%s: bad stage allocation (name must be 1..%d characters)",
		       name != NULL ? name : "(null)", PK_STAGE_NAMESIZE - 1);
		rte_errno = EINVAL;
		return NULL;
	}
	h = rte_zmalloc_socket(name, sizeof(*h) + size, RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (h == NULL) {
		PK_LOG(ERR, "%s: no memory for a %s stage of %zu bytes", name,
		       ops->kind, size);
		rte_errno = ENOMEM;
		return NULL;
	}
	s = (struct pk_stage *)(h + 1);
	s->ops = ops;
	s->push = ops->push != NULL ? ops->push : stage_refuse_push;
	s->pull = ops->pull != NULL ? ops->pull : stage_empty_pull;
	s->next = &unwired;
	s->prev = &unwired;
	s->caps = ops->caps;
	s->flags = flags & ~PK_STAGE_F_UNLISTED;
	strlcpy(s->name, name, sizeof(s->name));
	if (!(flags & PK_STAGE_F_UNLISTED)) /* else: pk_stage_publish() */
		pk_registry_add(&live_stages, &h->live, s->name, false);
	return s;
}

void
pk_stage_publish(struct pk_stage *s)
{
	pk_registry_add(&live_stages, &stage_hdr(s)->live, s->name, false);
}

void
pk_stage_free(struct pk_stage *s)
{
	if (s == NULL)
		return;
	pk_registry_del(&live_stages, &stage_hdr(s)->live);
	rte_free(stage_hdr(s));
}

void
pk_stage_destroy(struct pk_stage *s)
{
	if (s == NULL || s == &unwired)
		return;
	if (s->parent != NULL) {
		PK_LOG(ERR, "%s: belongs to %s; destroy that instead", s->name,
		       s->parent->name);
		return;
	}
	/* off the telemetry list first: a path's statistics read its members */
	pk_registry_del(&live_stages, &stage_hdr(s)->live);
	if (s->ops->destroy != NULL)
		s->ops->destroy(s);
	else
		pk_stage_free(s);
}

void
pk_stage_set_next(struct pk_stage *s, struct pk_stage *next)
{
	if (s->ops->set_next != NULL)
		s->ops->set_next(s, next);
	else
		s->next = next;
}

void
pk_stage_set_prev(struct pk_stage *s, struct pk_stage *prev)
{
	if (s->ops->set_prev != NULL)
		s->ops->set_prev(s, prev);
	else
		s->prev = prev;
}

int
pk_stage_link(struct pk_stage *a, struct pk_stage *b)
{
	bool push_ok, pull_ok;

	if (a == NULL || b == NULL || a == b)
		return -EINVAL;
	push_ok = (a->caps & PK_STAGE_CAP_FWD_PUSH) &&
		  (b->caps & PK_STAGE_CAP_PUSH);
	pull_ok = (b->caps & PK_STAGE_CAP_FWD_PULL) &&
		  (a->caps & PK_STAGE_CAP_PULL);
	if (!push_ok && !pull_ok) {
		PK_LOG(ERR, "%s (%s) -> %s (%s): neither pushes into the other "
		       "nor pulls from it; put a thread between them",
		       a->name, a->ops->kind, b->name, b->ops->kind);
		return -EINVAL;
	}
	if (push_ok)
		pk_stage_set_next(a, b);
	if (pull_ok)
		pk_stage_set_prev(b, a);
	return 0;
}

void
pk_stage_unlink(struct pk_stage *s)
{
	if (s == NULL || s == &unwired)
		return;
	pk_stage_set_next(s, &unwired);
	pk_stage_set_prev(s, &unwired);
}

unsigned int
pk_stage_len(const struct pk_stage *s)
{
	if (s == NULL || s->ops->len == NULL)
		return 0;
	return s->ops->len(s);
}

/* Decimal, or hex after "0x": pk_parse.h's strict grammar either way. */
static int
arg_u64_parse(const char *val, uint64_t min, uint64_t max, uint64_t *out)
{
	if (val != NULL && val[0] == '0' && (val[1] == 'x' || val[1] == 'X'))
		return pk_parse_x64(val, min, max, out);
	return pk_parse_u64(val, min, max, out);
}

int
pk_stage_arg_u64(const struct rte_kvargs *kv, const char *key, uint64_t min,
		 uint64_t max, uint64_t *v)
{
	const char *val;
	char why[256];

	if (kv == NULL || rte_kvargs_count(kv, key) == 0)
		return 0;
	if (rte_kvargs_count(kv, key) > 1) {
		PK_LOG(ERR, "argument %s given twice", key);
		return -EINVAL;
	}
	val = rte_kvargs_get(kv, key); /* NULL: the key without '=' */
	if (arg_u64_parse(val, min, max, v) != 0) {
		pk_parse_explain(why, sizeof(why), key, val, PK_PARSE_INT, min,
				 max, 0);
		PK_LOG(ERR, "argument %s (decimal, or hex after 0x)", why);
		return -EINVAL;
	}
	return 0;
}

int
pk_stage_args_flags(const struct rte_kvargs *kv, uint32_t *flags)
{
	uint64_t bytes = (*flags & PK_STAGE_F_BYTES) ? 1 : 0;
	int rc;

	rc = pk_stage_arg_u64(kv, "bytes", 0, 1, &bytes);
	if (rc != 0)
		return rc;
	*flags = bytes ? (*flags | PK_STAGE_F_BYTES) :
			 (*flags & ~(uint32_t)PK_STAGE_F_BYTES);
	return 0;
}
