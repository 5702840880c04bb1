/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which run a thread takes (pk_thread_run_choose(), at its start): the
 * fused run (thread_run.c) when its wiring allows, compiled for the plan's
 * shape where one fits (ring to ring, port to port, through 0-2 processing
 * stages), else the default run. The plan (struct pk_thread_fused) is what
 * the fused run reads instead of the stages' pointers.
 */
#include <string.h>

#include <pathkit/pk_port.h>
#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_queue_worker.h>
#include <pathkit/pk_thread_driver.h>

#include "thread_pvt.h"

static bool
thread_fn_is_fused(pk_thread_fn fn)
{
	uint32_t i;

	for (i = 0; i < PK_THREAD_FUSED_SHAPES; i++)
		if (fn == pk_thread_run_fused_rings[i] ||
		    fn == pk_thread_run_fused_ports[i])
			return true;
	return fn == pk_thread_run_fused;
}

/* Can t's runs be fused? If so, f is the plan. */
static bool
thread_fuse_plan(const struct pk_thread *t, struct pk_thread_fused *f)
{
	struct pk_stage *s = t->stage.next;
	pk_proc_fn fn;
	void *arg;

	memset(f, 0, sizeof(*f));
	/* byte counts would need each packet's length read at each step */
	if (t->stage.flags & PK_STAGE_F_BYTES)
		return false;
	f->src = t->stage.prev;
	if (pk_queue_ring_is_sc(f->src) &&
	    !(f->src->flags & PK_STAGE_F_BYTES))
		f->src_ring = pk_queue_ring_of(f->src);
	else
		f->src_port = pk_port_queue_of(f->src, true, &f->src_port_id,
					       &f->src_queue_id);
	while (f->nb_procs < PK_THREAD_FUSE_MAX_PROCS &&
	       !(s->flags & PK_STAGE_F_BYTES) &&
	       pk_proc_fn_get(s, &fn, &arg) == 0) {
		f->procs[f->nb_procs].fn = fn;
		f->procs[f->nb_procs].arg = arg;
		f->procs[f->nb_procs].s = s;
		if (s->flags & PK_STAGE_F_COUNT_OUT)
			f->out_mask |= 1u << f->nb_procs;
		f->nb_procs++;
		s = s->next;
	}
	f->sink = s;
	f->sink_push = s->push;
	if (pk_queue_ring_is_sp(s) && !(s->flags & PK_STAGE_F_BYTES))
		f->sink_ring = pk_queue_ring_of(s);
	else
		f->sink_port = pk_port_queue_of(s, false, &f->sink_port_id,
						&f->sink_queue_id);
	return f->src_ring != NULL || f->src_port || f->nb_procs != 0 ||
	       f->sink_ring != NULL || f->sink_port;
}

void
pk_thread_run_choose(struct pk_thread *t)
{
	struct pk_thread_fused f;

	if (t->fn != pk_thread_run_default && !thread_fn_is_fused(t->fn))
		return; /* the application's own start function */
	if (thread_fuse_plan(t, &f)) {
		t->fused = f;
		if (f.nb_procs >= PK_THREAD_FUSED_SHAPES)
			t->fn = pk_thread_run_fused;
		else if (f.src_ring != NULL && f.sink_ring != NULL)
			t->fn = pk_thread_run_fused_rings[f.nb_procs];
		else if (f.src_port && f.sink_port)
			t->fn = pk_thread_run_fused_ports[f.nb_procs];
		else
			t->fn = pk_thread_run_fused;
	} else {
		memset(&t->fused, 0, sizeof(t->fused));
		t->fn = pk_thread_run_default;
	}
}

bool
pk_thread_is_fused(const struct pk_thread *t)
{
	return t != NULL && thread_fn_is_fused(t->fn);
}
