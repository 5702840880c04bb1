/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Captures on the edges of a fan (capture_edge.c does the rest): a
 * demux's outputs and a scheduler's inputs. Neither is a next or prev
 * pointer: a demux pushes to its keys' targets through a table of
 * targets, a scheduler pulls each input through its queue record. So the
 * capture goes in there, with the same single pointer store: the demux's
 * slot of that target holds the capture (its next the target), or the
 * scheduler's queue pulls the capture (its prev the input). When no
 * capture is on, nothing is in the way: no test per packet or per burst.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_sched.h>

#include "capture_pvt.h"
#include "pk_internal.h"

static bool
fan_is_demux(const struct pk_stage *s)
{
	return strcmp(pk_stage_kind_name(s), "demux_flow") == 0;
}

/* FROM: a demux (the edge's switch), or the input a scheduler pulls. */
static int
fan_from(const struct pk_stage *s, void *arg)
{
	struct edge_find *f = arg;

	if (fan_is_demux(s)) {
		f->how = EDGE_DEMUX;
		f->sw = (struct pk_stage *)(uintptr_t)s;
		f->mt = (s->caps & PK_STAGE_CAP_MT_PUSH) != 0;
		capture_edge_place(s, f);
	} else {
		f->how = EDGE_SCHED; /* if TO is a scheduler */
		f->old = (struct pk_stage *)(uintptr_t)s;
		capture_edge_place(s, f);
	}
	return 0;
}

/* TO: the demux's output, or the scheduler. */
static int
fan_to(const struct pk_stage *s, void *arg)
{
	struct edge_find *f = arg;

	if (f->how == EDGE_DEMUX) {
		f->old = (struct pk_stage *)(uintptr_t)s;
	} else if (pk_sched_is_sched(s)) {
		f->sw = (struct pk_stage *)(uintptr_t)s;
	} else {
		return -EINVAL;
	}
	snprintf(f->to_name, sizeof(f->to_name), "%s", s->name);
	if (f->path[0] == '\0')
		capture_edge_place(s, f);
	return 0;
}

int
capture_fan_find(struct edge_find *f)
{
	int rc;

	if (f->to == NULL)
		return -EINVAL; /* a fan's edge is named by both ends */
	rc = pk_stage_live_apply(f->from, fan_from, f);
	if (rc == 0)
		rc = pk_stage_live_apply(f->to, fan_to, f);
	if (rc == 0 && f->sw == f->old)
		rc = -EINVAL;
	return rc;
}

struct fan_swap {
	const struct edge_find *f;
	struct pk_stage *cap;
	bool on;
};

static int
fan_swap_fn(const struct pk_stage *s, void *arg)
{
	struct fan_swap *w = arg;
	const struct edge_find *f = w->f;
	int rc;

	if (s != f->sw)
		return -EAGAIN;
	if (f->how == EDGE_DEMUX) {
		rc = pk_demux_flow_tap(f->sw, f->old, w->on ? w->cap : NULL);
		/* several pushers: none holds the capture once this returns
		 * (each registered reader passed a quiescent state) */
		if (rc == 0 && !w->on && f->mt)
			pk_demux_flow_synchronize(f->sw);
	} else {
		rc = w->on ? pk_sched_queue_swap_stage(f->sw, f->old, w->cap) :
			     pk_sched_queue_swap_stage(f->sw, w->cap, f->old);
		rc = rc < 0 ? rc : 0;
	}
	return rc == -ENOENT ? -EINVAL : rc;
}

int
capture_fan_swap(const struct edge_find *f, const char *sw_name,
		 struct pk_stage *cap, bool on)
{
	struct fan_swap w = { f, cap, on };

	return pk_stage_live_apply(sw_name, fan_swap_fn, &w);
}
