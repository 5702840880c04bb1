/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Droppers (pk_dropper.h): setting one on a queue, its destroy, reading
 * its state, and the "red"/"pie" arguments of queue kinds. The decisions
 * are in dropper_red.c and dropper_pie.c, the text in dropper_parse.c.
 *
 * Setting a dropper copies the queue's ops into it with push replaced and
 * points the queue's ops and push there (dropper_pvt.h): the queue's kind
 * knows nothing of it, and a queue without one runs exactly as before.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_queue.h>

#include "dropper_pvt.h"

static void dropper_destroy(struct pk_stage *s);

void __rte_noinline
pk_dropper_drop(const struct pk_stage *s, struct rte_mbuf *m, uint64_t *bytes)
{
	if (unlikely(s->flags & PK_STAGE_F_BYTES))
		*bytes += m->pkt_len;
	rte_pktmbuf_free(m);
}

/* Does s carry a dropper (set now or once)? Its destroy says so. */
static bool
dropper_carried(const struct pk_stage *s)
{
	return s->ops->destroy == dropper_destroy;
}

static void
dropper_destroy(struct pk_stage *s)
{
	struct pk_dropper *d = pk_dropper_of(s);
	const struct pk_stage_ops *orig = d->orig;

	s->ops = orig; /* the kind's destroy sees its own stage again */
	rte_free(d);
	if (orig->destroy != NULL)
		orig->destroy(s);
	else
		pk_stage_free(s);
}

/* Check c and set up its kind's state in d (d not in use). */
static int
dropper_init(struct pk_dropper *d, const struct pk_dropper_conf *c)
{
	int rc;

	d->clock = c->clock;
	d->clock_arg = c->clock_arg;
	switch (c->kind) {
	case PK_DROPPER_RED:
		rc = pk_dropper_red_init(d, &c->red, c->seed);
		d->ops.push = pk_dropper_red_push;
		break;
	case PK_DROPPER_PIE:
		rc = pk_dropper_pie_init(d, &c->pie);
		d->ops.push = pk_dropper_pie_push;
		break;
	default:
		PK_LOG(ERR, "unknown dropper kind %d", (int)c->kind);
		rc = -EINVAL;
	}
	d->conf = *c;
	return rc;
}

/* Remove s's dropper: its own push again; d stays until destroy. */
static void
dropper_remove(struct pk_stage *s)
{
	struct pk_dropper *d = pk_dropper_of(s);

	d->ops.push = d->push;
	d->conf.kind = PK_DROPPER_NONE;
	s->push = d->push;
}

int
pk_queue_set_dropper(struct pk_stage *q, const struct pk_dropper_conf *c)
{
	struct pk_dropper *d, tmp;
	int rc;

	if (q == NULL)
		return -EINVAL;
	if (c == NULL || c->kind == PK_DROPPER_NONE) {
		if (dropper_carried(q))
			dropper_remove(q);
		return 0;
	}
	if (!(q->caps & PK_STAGE_CAP_PUSH) || !(q->caps & PK_STAGE_CAP_PULL) ||
	    q->ops->len == NULL) {
		PK_LOG(ERR, "%s: a %s cannot carry a dropper (it needs push, "
		       "pull and a length)", q->name, q->ops->kind);
		return -ENOTSUP;
	}
	if (dropper_carried(q)) {
		/* check the new one apart: on error the old one stays */
		d = pk_dropper_of(q);
		tmp = *d;
		rc = dropper_init(&tmp, c);
		if (rc != 0)
			return rc;
		*d = tmp;
		q->push = d->ops.push;
		return 0;
	}
	d = rte_zmalloc_socket(q->name, sizeof(*d), RTE_CACHE_LINE_SIZE,
			       SOCKET_ID_ANY);
	if (d == NULL)
		return -ENOMEM;
	d->ops = *q->ops;
	d->ops.destroy = dropper_destroy;
	d->orig = q->ops;
	d->push = q->push;
	d->len = q->ops->len;
	d->mt = (q->caps & PK_STAGE_CAP_MT_PUSH) != 0;
	rte_spinlock_init(&d->lock);
	rc = dropper_init(d, c);
	if (rc != 0) {
		rte_free(d);
		return rc;
	}
	/* telemetry may read q's ops from its thread: the copy first */
	__atomic_store_n(&q->ops, &d->ops, __ATOMIC_RELEASE);
	q->push = d->ops.push;
	return 0;
}

int
pk_dropper_info_get(const struct pk_stage *q, struct pk_dropper_info *info)
{
	const struct pk_dropper *d;

	if (q == NULL || info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	if (!dropper_carried(q))
		return 0;
	d = pk_dropper_of(q);
	info->kind = d->conf.kind;
	if (info->kind == PK_DROPPER_RED)
		pk_dropper_red_info(d, info);
	else if (info->kind == PK_DROPPER_PIE)
		pk_dropper_pie_info(d, info);
	return 0;
}

/* The value of key, or NULL; -EINVAL in *rc if given twice. */
static const char *
dropper_arg(const struct rte_kvargs *kv, const char *key, int *rc)
{
	unsigned int i, n = 0;
	const char *v = NULL;

	for (i = 0; kv != NULL && i < kv->count; i++) {
		if (strcmp(kv->pairs[i].key, key) != 0)
			continue;
		v = kv->pairs[i].value != NULL ? kv->pairs[i].value : "";
		n++;
	}
	if (n > 1)
		*rc = -EINVAL;
	return v;
}

int
pk_dropper_args(const struct rte_kvargs *kv, const char *name,
		unsigned int capacity, struct pk_dropper_conf *c)
{
	char err[PK_DROPPER_ERR_MAX];
	const char *red, *pie;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	red = dropper_arg(kv, "red", &rc);
	pie = dropper_arg(kv, "pie", &rc);
	if (rc != 0) {
		PK_LOG(ERR, "%s: red or pie given twice", name);
		return -EINVAL;
	}
	if (red != NULL && pie != NULL) {
		PK_LOG(ERR, "%s: red and pie both given: a queue carries one "
		       "dropper", name);
		return -EINVAL;
	}
	if (red == NULL && pie == NULL)
		return 0;
	rc = pk_dropper_parse(red != NULL ? "red" : "pie",
			      red != NULL ? red : pie, capacity, c, err,
			      sizeof(err));
	if (rc != 0)
		PK_LOG(ERR, "%s: %s", name, err);
	return rc;
}

struct pk_stage *
pk_dropper_attach(struct pk_stage *s, const struct pk_dropper_conf *c)
{
	int rc;

	if (s == NULL || c->kind == PK_DROPPER_NONE)
		return s;
	rc = pk_queue_set_dropper(s, c);
	if (rc != 0) {
		pk_stage_destroy(s);
		rte_errno = -rc;
		return NULL;
	}
	return s;
}
