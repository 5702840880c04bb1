/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSPAT arbiter: client mailboxes -> one arbiter loop -> PktSched at the
 * emulated link rate -> output (TX stage, or a ring to a dispatcher).
 * This file: configuration and lifecycle (create, start, stop, destroy),
 * the clients' mailboxes and the list of live arbiters that telemetry
 * reads (arbiter_telemetry.c). The round is in arbiter_round.c, the output
 * and the dispatcher in arbiter_output.c, what they share in arbiter_pvt.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_queue_worker.h>
#include <pathkit/pk_sched.h>

#include "arbiter_pvt.h"
#include "pk_internal.h"
#include "registry_pvt.h"

#define ARB_DEFAULT_QSIZE 256
#define ARB_DEFAULT_RING 1024

int pk_arbiter_client_dynfield = -1;

/* Every arbiter from create until destroy; telemetry reads it. */
static struct pk_registry live_arbiters =
	PK_REGISTRY_INITIALIZER(live_arbiters);

static int
arb_conf_check(const char *name, struct pk_arbiter_conf *c)
{
	if (c->mailbox_size == 0)
		c->mailbox_size = PK_MAILBOX_DEFAULT_SIZE;
	if (c->qsize == 0)
		c->qsize = ARB_DEFAULT_QSIZE;
	if (c->ring_size == 0)
		c->ring_size = ARB_DEFAULT_RING;
	if (c->burst == 0)
		c->burst = PK_ARBITER_DEFAULT_BURST;
	if (c->tx_retries == 0)
		c->tx_retries = PK_ARBITER_DEFAULT_TX_RETRIES;
	if (c->overhead == 0)
		c->overhead = PK_SCHED_DEFAULT_OVERHEAD;
	if (c->policy == NULL)
		c->policy = "wfq";
	if (c->nb_clients == 0 || c->nb_clients > PK_ARBITER_MAX_CLIENTS ||
	    c->out == NULL || c->burst > ARB_MAX_BURST ||
	    c->qsize < 2 || c->dispatch > PK_ARBITER_DISPATCH_THREAD ||
	    c->mailbox > PK_ARBITER_MB_RING ||
	    (c->clock != NULL && c->clock_hz == 0)) {
		PK_LOG(ERR, "%s: bad arbiter configuration (clients 1..%u, an "
		       "output stage, burst 1..%u)", name, PK_ARBITER_MAX_CLIENTS,
		       ARB_MAX_BURST);
		return -EINVAL;
	}
	if ((c->classify != NULL) != (c->nb_queues != 0) ||
	    c->nb_queues > PK_SCHED_MAX_QUEUES) {
		PK_LOG(ERR, "%s: a classifier takes nb_queues 1..%u, and "
		       "nb_queues a classifier", name, PK_SCHED_MAX_QUEUES);
		return -EINVAL;
	}
	return 0;
}

/* Where the client id of a packet goes: see arb_mbuf_client_get(). */
static int
arb_client_field(struct pk_arbiter *a)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "pk_arbiter_client",
		.size = sizeof(uint32_t),
		.align = __alignof__(uint32_t),
	};
	int off;

	if (a->classify == NULL) {
		a->client_off = ARB_MBUF_QUEUE_OFF;
		return 0;
	}
	off = rte_mbuf_dynfield_register(&desc); /* same offset every time */
	if (off < 0)
		return -rte_errno;
	pk_arbiter_client_dynfield = off;
	a->client_off = off;
	return 0;
}

/* A client's mailbox, by kind name: lib/ builds no driver's stage itself. */
static struct pk_stage *
arb_mailbox(const struct pk_arbiter *a, const char *name, uint32_t size,
	    enum pk_arbiter_mailbox kind)
{
	char args[32];

	snprintf(args, sizeof(args), "size=%" PRIu32, size);
	/* the default is rte_ring SP/SC: it measured faster (bench_arbiter) */
	return pk_stage_create(kind == PK_ARBITER_MB_PSPAT ? "mailbox" :
			       "queue_ring", name, args, a->conf.socket_id);
}

static int
arb_build_sched(struct pk_arbiter *a)
{
	const struct pk_arbiter_conf *c = &a->conf;
	struct pk_sched_conf sc = {
		.policy = c->policy, .max_queues = a->nq,
		.qsize = c->qsize, .rate_bps = c->rate_bps,
		.overhead = c->overhead, .socket_id = c->socket_id,
		.nb_classes = c->nb_classes, .class_params = c->class_params,
	};
	struct pk_sched_queue_conf qc = { .stage = NULL };
	char sname[PK_STAGE_NAMESIZE];
	uint32_t i;
	int rc;

	snprintf(sname, sizeof(sname), "%.20s.sched", a->name);
	a->sched = pk_sched_create(sname, &sc);
	if (a->sched == NULL)
		return -rte_errno;
	/*
	 * With a classifier the queue id is the arbiter's tag (its
	 * classifier's word): not a policy's own classifier (fq_codel's flow
	 * hash, a two-level policy's class field), which would read the tag
	 * as something else.
	 */
	if (c->classify != NULL)
		pk_sched_set_classifier(a->sched, NULL, NULL);
	for (i = 0; i < a->nq; i++) { /* ids are 0..nq-1, in order */
		qc.param = c->params != NULL ? c->params[i] :
					      PK_SCHED_PARAM_DEFAULT;
		rc = pk_sched_queue_attach(a->sched, &qc);
		if (rc < 0)
			return rc;
	}
	/* what a queue manager drops inside is counted per client */
	pk_sched_set_drop_hook(a->sched, pk_arbiter_sched_dropped, a);
	/* an internal queue keeps one packet in its head slot too */
	a->qroom = c->qsize;
	if (c->clock != NULL)
		return pk_sched_set_clock(a->sched, c->clock, c->clock_arg,
					  c->clock_hz);
	return 0;
}

static int
arb_build(struct pk_arbiter *a)
{
	const struct pk_arbiter_conf *c = &a->conf;
	char sname[PK_STAGE_NAMESIZE];
	uint32_t i;
	int rc;

	a->classify = c->classify;
	a->classify_arg = c->classify_arg;
	a->nq = c->classify != NULL ? c->nb_queues : c->nb_clients;
	rc = arb_client_field(a);
	if (rc != 0)
		return rc;
	a->mb = rte_zmalloc_socket(a->name, c->nb_clients * sizeof(*a->mb), 0,
				   c->socket_id);
	/* and ARB_MB_PREFETCH more: the drain looks ahead */
	a->poll = rte_zmalloc_socket(a->name, (c->nb_clients + ARB_MB_PREFETCH) *
				     sizeof(*a->poll), RTE_CACHE_LINE_SIZE,
				     c->socket_id);
	a->room = rte_zmalloc_socket(a->name, RTE_ALIGN_CEIL(c->nb_clients, 64) /
				     8, RTE_CACHE_LINE_SIZE, c->socket_id);
	a->cl = rte_zmalloc_socket(a->name, c->nb_clients * sizeof(*a->cl), 0,
				   c->socket_id);
	a->cnt = rte_zmalloc_socket(a->name, c->nb_clients * sizeof(*a->cnt),
				    RTE_CACHE_LINE_SIZE, c->socket_id);
	if (a->mb == NULL || a->poll == NULL || a->room == NULL ||
	    a->cl == NULL || a->cnt == NULL)
		return -ENOMEM;
	for (i = 0; i < c->nb_clients; i++) /* every queue empty: room */
		a->room[i / 64] |= RTE_BIT64(i % 64);
	/* not a ring (yet): never looks empty; the drain looks ahead unchecked */
	for (i = 0; i < c->nb_clients + ARB_MB_PREFETCH; i++) {
		a->poll[i].tail = &a->no_ring;
		a->poll[i].cons = 1;
	}
	for (i = 0; i < c->nb_clients; i++) {
		snprintf(sname, sizeof(sname), "%.16s.mb%u", a->name, i);
		a->mb[i] = arb_mailbox(a, sname, c->mailbox_size, c->mailbox);
		if (a->mb[i] == NULL)
			return -rte_errno;
		a->nb = i + 1;
		/* a queue_ring's ring is its ctx (pk_queue_worker.h) */
		if (pk_queue_ring_is_sp(a->mb[i])) {
			const struct rte_ring *r = a->mb[i]->ctx;

			a->poll[i].tail = &r->prod.tail;
			a->poll[i].cons = 0;
		}
		if (a->classify == NULL)
			continue;
		a->cl[i].wait = rte_malloc_socket(a->name, c->burst *
						  sizeof(*a->cl[i].wait), 0,
						  c->socket_id);
		if (a->cl[i].wait == NULL)
			return -ENOMEM;
	}
	if (a->classify != NULL) {
		a->waiters = rte_malloc_socket(a->name, c->nb_clients *
					       sizeof(*a->waiters), 0,
					       c->socket_id);
		a->served = rte_malloc_socket(a->name, c->nb_clients *
					      sizeof(*a->served), 0,
					      c->socket_id);
		if (a->waiters == NULL || a->served == NULL)
			return -ENOMEM;
	}
	if (c->dispatch == PK_ARBITER_DISPATCH_THREAD) {
		snprintf(sname, sizeof(sname), "%.20s.disp", a->name);
		a->ring = arb_mailbox(a, sname, c->ring_size, c->mailbox);
		if (a->ring == NULL)
			return -rte_errno;
	}
	rc = arb_build_sched(a);
	if (rc != 0)
		return rc;
	a->out = c->out;
	a->burst = c->burst;
	/* per-client queues: the scheduler tells each released one's client */
	a->atx.noted = a->classify == NULL;
	a->built = true;
	return 0;
}

struct pk_arbiter *
pk_arbiter_create(const char *name, const struct pk_arbiter_conf *conf)
{
	struct pk_arbiter *a;
	int rc;

	if (name == NULL || name[0] == '\0' || conf == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	a = rte_zmalloc_socket(name, sizeof(*a), RTE_CACHE_LINE_SIZE,
			       conf->socket_id);
	if (a == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	strlcpy(a->name, name, sizeof(a->name));
	a->conf = *conf;
	rc = arb_conf_check(name, &a->conf);
	if (rc == 0)
		rc = arb_build(a);
	if (rc != 0) {
		PK_LOG(ERR, "%s: cannot create the arbiter: %s", name,
		       rte_strerror(-rc));
		pk_arbiter_destroy(a);
		rte_errno = -rc;
		return NULL;
	}
	/* names need not be unique: telemetry shows the first of a name */
	pk_registry_add(&live_arbiters, &a->live, a->name, false);
	return a;
}

void
pk_arbiter_destroy(struct pk_arbiter *a)
{
	uint32_t c;

	if (a == NULL)
		return;
	/* off the list first: telemetry reads it no more */
	pk_registry_del(&live_arbiters, &a->live);
	if (a->built)
		pk_arbiter_stop(a); /* flush to the output */
	for (c = 0; a->mb != NULL && c < a->nb; c++)
		pk_stage_destroy(a->mb[c]);
	pk_stage_destroy(a->ring);
	pk_stage_destroy(a->sched);
	for (c = 0; a->cl != NULL && c < a->nb; c++)
		rte_free(a->cl[c].wait);
	rte_free(a->mb);
	rte_free(a->poll);
	rte_free(a->room);
	rte_free(a->cl);
	rte_free(a->waiters);
	rte_free(a->served);
	rte_free(a->cnt);
	rte_free(a);
}

/*
 * An lcore the EAL can launch a function on: a worker lcore. Checked here
 * because rte_eal_remote_launch() indexes its lcore table unchecked.
 */
static bool
arb_worker_lcore(uint32_t id)
{
	return rte_lcore_is_enabled(id) && id != rte_get_main_lcore();
}

int
pk_arbiter_start(struct pk_arbiter *a)
{
	int rc;

	if (a == NULL || !arb_worker_lcore(a->conf.lcore_id) ||
	    (arb_has_dispatcher_lcore(a) &&
	     !arb_worker_lcore(a->conf.dispatcher_lcore)))
		return -EINVAL;
	if (a->launched)
		return -EALREADY;
	__atomic_store_n(&a->quit, 0, __ATOMIC_RELEASE);
	if (arb_has_dispatcher_lcore(a)) {
		rc = rte_eal_remote_launch(pk_arbiter_dispatcher_main, a,
					   a->conf.dispatcher_lcore);
		if (rc != 0) {
			PK_LOG(ERR, "%s: dispatcher lcore %u: %d", a->name,
			       a->conf.dispatcher_lcore, rc);
			return rc;
		}
	}
	rc = rte_eal_remote_launch(pk_arbiter_main, a, a->conf.lcore_id);
	if (rc != 0) {
		PK_LOG(ERR, "%s: arbiter lcore %u: %d", a->name,
		       a->conf.lcore_id, rc);
		if (arb_has_dispatcher_lcore(a)) {
			__atomic_store_n(&a->quit, 1, __ATOMIC_RELEASE);
			rte_eal_wait_lcore(a->conf.dispatcher_lcore);
		}
		return rc;
	}
	a->launched = true;
	return 0;
}

int
pk_arbiter_stop(struct pk_arbiter *a)
{
	if (a == NULL)
		return -EINVAL;
	if (a->launched) {
		__atomic_store_n(&a->quit, 1, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(a->conf.lcore_id);
		if (arb_has_dispatcher_lcore(a))
			rte_eal_wait_lcore(a->conf.dispatcher_lcore);
		a->launched = false;
	}
	pk_arbiter_flush(a);
	return 0;
}

struct pk_stage *
pk_arbiter_client(struct pk_arbiter *a, uint32_t i)
{
	return a != NULL && i < a->nb ? a->mb[i] : NULL;
}

struct pk_stage *
pk_arbiter_sched(struct pk_arbiter *a)
{
	return a != NULL ? a->sched : NULL;
}

const char *
pk_arbiter_name(const struct pk_arbiter *a)
{
	return a != NULL ? a->name : NULL;
}

uint32_t
pk_arbiter_nb_clients(const struct pk_arbiter *a)
{
	return a != NULL ? a->nb : 0;
}

/* Adapts a registry walk to the caller's function on arbiters. */
struct arb_walk {
	int (*fn)(const struct pk_arbiter *a, void *arg);
	void *arg;
};

static int
arb_walk_live(struct pk_registry_node *n, void *arg)
{
	struct arb_walk *w = arg;

	return w->fn(container_of(n, struct pk_arbiter, live), w->arg);
}

int
pk_arbiter_live_foreach(int (*fn)(const struct pk_arbiter *a, void *arg),
			void *arg)
{
	struct arb_walk w = { .fn = fn, .arg = arg };

	return pk_registry_foreach(&live_arbiters, arb_walk_live, &w);
}

int
pk_arbiter_live_apply(const char *name,
		      int (*fn)(const struct pk_arbiter *a, void *arg),
		      void *arg)
{
	struct arb_walk w = { .fn = fn, .arg = arg };

	return pk_registry_apply(&live_arbiters, name, arb_walk_live, &w);
}
