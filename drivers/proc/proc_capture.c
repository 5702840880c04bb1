/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_capture: passes every packet on unchanged and writes a copy of each
 * to a pcapng file (pk_capture.h); with no next, a sink (a drop sink) that
 * frees what it took once copied.
 * push: copy (rte_pcapng_copy into the capture's pool), push to next, put
 *   the copies of what next took on the writer's ring. pull: from prev,
 *   then copies. A copy the pool cannot give or the ring refuses is freed
 *   and counted lost, never waited for; the writer (lib/capture.c) writes.
 * threads: one pusher or puller (mt=1: several pushers, push only);
 *   pk_capture_close() meanwhile (not mt): it waits as pk_tee_set_sink().
 * args: file=<path> max_bytes= max_seconds= snaplen=<64..9600, 2048>
 *   ring=<pow2, 4096> path= owner= edge= drops=<0|1> mt=<0|1> polled=<0|1>
 *   bytes=<0|1>
 * stats: in, out (a sink counts what it freed as out), refused full;
 *   captured, lost_nomem, lost_full, written (pk_capture_stats_get())
 * files: this one (the kind, create, close, counters) and
 *   proc_capture_push.c (the fast path).
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_pause.h>

#include <pathkit/pk_log.h>

#include "proc_capture_pvt.h"

static bool proc_capture_membarrier_ok;

static void
proc_capture_set_next(struct pk_stage *s, struct pk_stage *next)
{
	struct proc_capture *c = (struct proc_capture *)s;

	/* the unwired end refuses everything: as a sink we free instead */
	c->sink = next == NULL || strcmp(next->ops->kind, "unwired") == 0;
	s->next = next;
}

static void proc_capture_destroy(struct pk_stage *s);

#define PROC_CAPTURE_CAPS (PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL |             \
			   PK_STAGE_CAP_FWD_PUSH | PK_STAGE_CAP_FWD_PULL)
static const struct pk_stage_ops proc_capture_ops = {
	.kind = "proc_capture", .push = proc_capture_push,
	.pull = proc_capture_pull, .destroy = proc_capture_destroy,
	.set_next = proc_capture_set_next, .caps = PROC_CAPTURE_CAPS,
};
static const struct pk_stage_ops proc_capture_mt_ops = {
	.kind = "proc_capture", .push = proc_capture_push_mt,
	.destroy = proc_capture_destroy, .set_next = proc_capture_set_next,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_FWD_PUSH |
		PK_STAGE_CAP_MT_PUSH,
};

static struct proc_capture *
proc_capture_check(const struct pk_stage *s)
{
	if (s == NULL || (s->ops != &proc_capture_ops &&
			  s->ops != &proc_capture_mt_ops))
		return NULL;
	return (struct proc_capture *)(uintptr_t)s;
}

/* The closer's half of the hand-over: see proc_capture_enter()
 * (proc_capture_push.c). */
static void
proc_capture_wait(struct proc_capture *c)
{
	unsigned int spins = 0;
	uint64_t b;

	if (!c->fence)
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	b = __atomic_load_n(&c->busy, __ATOMIC_SEQ_CST);
	if ((b & 1) == 0)
		return;
	while (__atomic_load_n(&c->busy, __ATOMIC_ACQUIRE) == b)
		if (++spins % 1024 == 0)
			sched_yield(); /* the pusher may share our CPU */
		else
			rte_pause();
}

int
pk_capture_close(struct pk_stage *cap)
{
	struct proc_capture *c = proc_capture_check(cap);
	struct pk_capture_tap *tap;

	if (c == NULL)
		return -EINVAL;
	tap = __atomic_exchange_n(&c->tap, NULL, __ATOMIC_SEQ_CST);
	if (tap == NULL)
		return -ENOENT;
	if (!c->mt)
		proc_capture_wait(c);
	pk_capture_writer_close(tap);
	return 0;
}

static void
proc_capture_destroy(struct pk_stage *s)
{
	pk_capture_close(s);
	pk_stage_free(s);
}

int
pk_capture_poll(struct pk_stage *cap, unsigned int max)
{
	struct proc_capture *c = proc_capture_check(cap);
	struct pk_capture_tap *tap;

	if (c == NULL)
		return -EINVAL;
	tap = __atomic_load_n(&c->tap, __ATOMIC_ACQUIRE);
	if (tap == NULL)
		return -ENOENT;
	if (!pk_capture_writer_polled(tap))
		return -EINVAL;
	return (int)pk_capture_writer_poll(tap, max);
}

int
pk_capture_stats_get(const struct pk_stage *cap, struct pk_capture_stats *st)
{
	struct proc_capture *c = proc_capture_check(cap);

	if (c == NULL || st == NULL)
		return -EINVAL;
	/* in the stage, not the writer: readable after close too */
	st->written = pk_counter_load(&c->wst.written);
	st->write_errors = pk_counter_load(&c->wst.write_errors);
	st->files = pk_counter_load(&c->wst.files);
	st->bytes = pk_counter_load(&c->wst.bytes);
	st->captured = pk_counter_load(&c->captured);
	st->lost_nomem = pk_counter_load(&c->lost_nomem);
	st->lost_full = pk_counter_load(&c->lost_full);
	st->capture_lost = st->lost_nomem + st->lost_full;
	return 0;
}

struct pk_stage *
pk_capture_create(const char *name, const struct pk_capture_conf *conf,
		  int socket_id)
{
	bool mt = conf != NULL && (conf->flags & PK_CAPTURE_F_MT);
	struct proc_capture *c;
	struct pk_stage *s;

	if (name == NULL || conf == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (!__atomic_load_n(&proc_capture_membarrier_ok, __ATOMIC_RELAXED))
		__atomic_store_n(&proc_capture_membarrier_ok,
				 syscall(SYS_membarrier,
				 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0,
				 0) == 0, __ATOMIC_RELAXED);
	s = pk_stage_alloc(sizeof(*c), mt ? &proc_capture_mt_ops :
			   &proc_capture_ops, name, PK_STAGE_F_UNLISTED,
			   socket_id);
	if (s == NULL)
		return NULL;
	c = (struct proc_capture *)s;
	c->mt = mt;
	c->fence = !proc_capture_membarrier_ok;
	proc_capture_set_next(s, s->next);
	c->tap = pk_capture_writer_open(s, conf, &c->wst, socket_id);
	if (c->tap == NULL) {
		int err = rte_errno;

		pk_stage_free(s);
		rte_errno = err;
		return NULL;
	}
	pk_stage_publish(s); /* telemetry may read its counters from now */
	return s;
}

static struct pk_stage *
proc_capture_create(const char *name, const struct rte_kvargs *kv,
		    int socket_id)
{
	uint64_t max_bytes = 0, max_seconds = 0, snaplen = PK_CAPTURE_SNAPLEN;
	uint64_t ring = PK_CAPTURE_RING, drops = 0, mt = 0, polled = 0;
	struct pk_capture_conf conf = { 0 };
	uint32_t sflags = 0;
	struct pk_stage *s;

	if (rte_kvargs_count(kv, "file") != 1 ||
	    rte_kvargs_count(kv, "path") > 1 ||
	    rte_kvargs_count(kv, "owner") > 1 ||
	    rte_kvargs_count(kv, "edge") > 1 ||
	    pk_stage_arg_u64(kv, "max_bytes", 0, UINT64_MAX, &max_bytes) != 0 ||
	    pk_stage_arg_u64(kv, "max_seconds", 0, 10000000,
			     &max_seconds) != 0 ||
	    pk_stage_arg_u64(kv, "snaplen", PK_CAPTURE_SNAPLEN_MIN,
			     PK_CAPTURE_SNAPLEN_MAX, &snaplen) != 0 ||
	    pk_stage_arg_u64(kv, "ring", 64, 1u << 24, &ring) != 0 ||
	    !rte_is_power_of_2((uint32_t)ring) ||
	    pk_stage_arg_u64(kv, "drops", 0, 1, &drops) != 0 ||
	    pk_stage_arg_u64(kv, "mt", 0, 1, &mt) != 0 ||
	    pk_stage_arg_u64(kv, "polled", 0, 1, &polled) != 0 ||
	    pk_stage_args_flags(kv, &sflags) != 0) {
		PK_LOG(ERR, "%s: proc_capture takes file=PATH (once), "
		       "max_bytes=, max_seconds=, snaplen=, ring=<power of 2>, "
		       "path=, owner=, edge=, drops=0|1, mt=0|1, polled=0|1",
		       name);
		rte_errno = EINVAL;
		return NULL;
	}
	conf.file = rte_kvargs_get(kv, "file");
	conf.path = rte_kvargs_get(kv, "path");
	conf.owner = rte_kvargs_get(kv, "owner");
	conf.edge = rte_kvargs_get(kv, "edge");
	conf.max_bytes = max_bytes;
	conf.max_seconds = max_seconds;
	conf.snaplen = (uint32_t)snaplen;
	conf.ring = (uint32_t)ring;
	conf.flags = (drops ? PK_CAPTURE_F_DROPS : 0) |
		     (mt ? PK_CAPTURE_F_MT : 0) |
		     (polled ? PK_CAPTURE_F_POLLED : 0);
	s = pk_capture_create(name, &conf, socket_id);
	if (s != NULL)
		s->flags |= sflags;
	return s;
}

static const char *const proc_capture_args[] = {
	"file", "max_bytes", "max_seconds", "snaplen", "ring", "path", "owner",
	"edge", "drops", "mt", "polled", NULL,
};
static struct pk_stage_kind proc_capture_kind = {
	.name = "proc_capture",
	.help = "passes packets on, writes a copy of each to a pcapng file",
	.args = proc_capture_args,
	.caps = PROC_CAPTURE_CAPS,
	.create = proc_capture_create,
};
PK_STAGE_KIND_REGISTER(proc_capture_kind);
