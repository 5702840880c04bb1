/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture at an edge of a running graph (pk_capture.h): a proc_capture
 * stage is put between two stages by storing it in the pointer the edge
 * is: the pusher's next (a thread or processing stage pushing into the
 * next), or the puller's prev (a thread or processing stage pulling from
 * a queue or port); and taken out by storing the old pointer back. Stages
 * read that pointer on each burst (a thread once per run), so the edge
 * changes between two bursts: nothing is lost or reordered.
 *
 * A burst may still hold the capture's pointer after "off" (the thread's
 * run that loaded it, or a stage preempted between the load and the
 * call), and nothing here can see when every pusher has let go of it: so
 * the capture is never freed while the graph runs. pk_capture_close()
 * stops its copies at once (it waits for a burst inside, as proc_tee's
 * sink swap does) and frees its pool, ring and file; the stage itself
 * stays, passing on what still reaches it, until pk_capture_edge_cleanup().
 *
 * The stage is found by name on the live list and its pointer changed
 * under that list's lock (pk_stage_live_apply()), so a stage being
 * destroyed is never written to; the edges' own lock serialises the
 * callers (the control thread, the telemetry thread). A demux's outputs
 * and a scheduler's inputs are switched the same way, in their tables
 * (capture_fan.c). Telemetry:
 * /pathkit/capture[,on,FROM[,TO],FILE | ,off,FROM[,TO] | ,FROM | ,CAPTURE].
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_telemetry.h>

#include <pathkit/pk_capture.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>

#include "capture_pvt.h"
#include "pk_internal.h"
#include "telemetry_pvt.h"

struct capture_edge {
	TAILQ_ENTRY(capture_edge) link;
	char from[PK_STAGE_NAMESIZE];
	char to[PK_STAGE_NAMESIZE];
	char sw_name[PK_STAGE_NAMESIZE]; /* the stage whose pointer moved */
	struct edge_find f;       /* sw, old, how, mt: compared, followed
				     only when listed; no name pointers */
	struct pk_stage *cap;
	bool on;                  /* false: switched off, kept till cleanup */
};

static pthread_mutex_t edge_lock = PTHREAD_MUTEX_INITIALIZER;
static TAILQ_HEAD(capture_edge_head_, capture_edge) edges =
	TAILQ_HEAD_INITIALIZER(edges);

void
capture_edge_place(const struct pk_stage *s, struct edge_find *f)
{
	struct pk_path *p = pk_path_from_stage((struct pk_stage *)(uintptr_t)s);
	const char *o;

	if (p == NULL && s->parent != NULL)
		p = pk_path_from_stage(s->parent);
	if (p == NULL)
		return;
	snprintf(f->path, sizeof(f->path), "%s", pk_path_stage(p)->name);
	o = pk_owner_name(pk_path_owner(p));
	snprintf(f->owner, sizeof(f->owner), "%s", o ? o : "-");
}

/* s = FROM: does it push into a stage (TO, if named)? */
static int
edge_find_push(const struct pk_stage *s, void *arg)
{
	struct edge_find *f = arg;
	struct pk_stage *next = s->next;

	if (!(s->caps & PK_STAGE_CAP_FWD_PUSH) || next == NULL ||
	    next == pk_stage_unwired() || !(next->caps & PK_STAGE_CAP_PUSH) ||
	    (f->to != NULL && strcmp(next->name, f->to) != 0))
		return -EINVAL;
	f->sw = (struct pk_stage *)(uintptr_t)s;
	f->old = next;
	f->how = EDGE_NEXT;
	snprintf(f->to_name, sizeof(f->to_name), "%s", next->name);
	capture_edge_place(s, f);
	return 0;
}

/* s = TO: does it pull from FROM? */
static int
edge_find_pull(const struct pk_stage *s, void *arg)
{
	struct edge_find *f = arg;
	struct pk_stage *prev = s->prev;

	if (!(s->caps & PK_STAGE_CAP_FWD_PULL) || prev == NULL ||
	    prev == pk_stage_unwired() || !(prev->caps & PK_STAGE_CAP_PULL) ||
	    strcmp(prev->name, f->from) != 0)
		return -EINVAL;
	f->sw = (struct pk_stage *)(uintptr_t)s;
	f->old = prev;
	f->how = EDGE_PREV;
	snprintf(f->to_name, sizeof(f->to_name), "%s", s->name);
	capture_edge_place(prev, f);
	if (f->path[0] == '\0')
		capture_edge_place(s, f);
	return 0;
}

/* Move sw's next (or prev) from old to new, if it is still live and so. */
struct edge_swap {
	struct pk_stage *sw, *old, *new;
	bool pull;
};

static int
edge_swap_fn(const struct pk_stage *s, void *arg)
{
	struct edge_swap *w = arg;

	if (s != w->sw || (w->pull ? s->prev : s->next) != w->old)
		return -EAGAIN;
	if (w->pull)
		pk_stage_set_prev(w->sw, w->new);
	else
		pk_stage_set_next(w->sw, w->new);
	return 0;
}

/* Put cap on edge f (on), or take it off. */
static int
edge_switch(const struct edge_find *f, const char *sw_name,
	    struct pk_stage *cap, bool on)
{
	struct edge_swap w = { f->sw, on ? f->old : cap, on ? cap : f->old,
			       f->how == EDGE_PREV };

	if (f->how == EDGE_DEMUX || f->how == EDGE_SCHED)
		return capture_fan_swap(f, sw_name, cap, on);
	return pk_stage_live_apply(sw_name, edge_swap_fn, &w);
}

/* The capture on from -> to (to NULL: on any edge leaving from). */
static struct capture_edge *
edge_lookup(const char *from, const char *to)
{
	struct capture_edge *e;

	TAILQ_FOREACH(e, &edges, link)
		if (e->on && strcmp(e->from, from) == 0 &&
		    (to == NULL || strcmp(e->to, to) == 0))
			return e;
	return NULL;
}

int
pk_capture_edge_on(const char *from, const char *to,
		   const struct pk_capture_conf *conf)
{
	struct edge_find f = { .from = from, .to = to };
	char name[PK_STAGE_NAMESIZE], edge[2 * PK_STAGE_NAMESIZE + 2];
	char edge_name[2 * PK_STAGE_NAMESIZE + 8];
	struct pk_capture_conf c;
	struct capture_edge *e;
	int rc;

	if (from == NULL || conf == NULL ||
	    strnlen(from, PK_STAGE_NAMESIZE) == PK_STAGE_NAMESIZE ||
	    (to != NULL && strnlen(to, PK_STAGE_NAMESIZE) == PK_STAGE_NAMESIZE) ||
	    (conf->flags & (PK_CAPTURE_F_POLLED | PK_CAPTURE_F_MT)))
		return -EINVAL;
	pthread_mutex_lock(&edge_lock);
	rc = edge_lookup(from, to) != NULL ? -EBUSY :
	     pk_stage_live_apply(from, edge_find_push, &f);
	if (rc == -EINVAL && to != NULL) /* an edge TO pulls over? */
		rc = pk_stage_live_apply(to, edge_find_pull, &f);
	if (rc == -EINVAL && to != NULL) { /* a demux's or scheduler's? */
		memset(&f, 0, sizeof(f));
		f.from = from;
		f.to = to;
		rc = capture_fan_find(&f);
	}
	if (rc == 0 && edge_lookup(from, f.to_name) != NULL)
		rc = -EBUSY;
	if (rc != 0) {
		PK_LOG(ERR, "capture: %s%s%s: %s", from, to ? " -> " : "",
		       to ? to : "", rc == -EBUSY ? "captured already" :
		       rc == -ENOENT ? "no such stage" :
		       "no edge a stage pushes or pulls packets over (a "
		       "demux's output or a scheduler's input: name both ends)");
		goto out;
	}
	c = *conf;
	snprintf(edge, sizeof(edge), "%s->%s", from, f.to_name);
	c.edge = conf->edge ? conf->edge : edge;
	c.path = conf->path ? conf->path : f.path[0] ? f.path : "-";
	c.owner = conf->owner ? conf->owner : f.owner[0] ? f.owner : "-";
	if (f.mt)
		c.flags |= PK_CAPTURE_F_MT; /* an mt demux's outputs */
	/* one capture per output of a demux; cut to fit */
	snprintf(edge_name, sizeof(edge_name), "cap.%s%s%s", from,
		 f.how == EDGE_DEMUX ? "." : "",
		 f.how == EDGE_DEMUX ? f.to_name : "");
	snprintf(name, sizeof(name), "%.*s", PK_STAGE_NAMESIZE - 1, edge_name);
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	e->cap = pk_capture_create(name, &c, SOCKET_ID_ANY);
	if (e->cap == NULL) {
		rc = -rte_errno;
		free(e);
		goto out;
	}
	if (f.how == EDGE_PREV || f.how == EDGE_SCHED)
		pk_stage_set_prev(e->cap, f.old);
	else
		pk_stage_set_next(e->cap, f.old);
	snprintf(e->sw_name, sizeof(e->sw_name), "%s",
		 f.how == EDGE_PREV || f.how == EDGE_SCHED ? f.to_name : from);
	rc = edge_switch(&f, e->sw_name, e->cap, true);
	if (rc != 0) { /* changed or gone since we looked; or TO is no
			* output of the demux FROM (its table says so only
			* now) */
		PK_LOG(ERR, "capture: %s -> %s: %s", from, f.to_name,
		       rc == -EINVAL ? "no such output or input" :
		       strerror(-rc));
		pk_stage_destroy(e->cap);
		free(e);
		if (conf->max_bytes == 0 && conf->max_seconds == 0)
			unlink(conf->file); /* it never held a record */
		goto out;
	}
	snprintf(e->from, sizeof(e->from), "%s", from);
	snprintf(e->to, sizeof(e->to), "%s", f.to_name);
	e->f = f;
	e->f.from = e->f.to = NULL; /* the caller's */
	e->on = true;
	TAILQ_INSERT_TAIL(&edges, e, link);
	PK_LOG(INFO, "capture: %s -> %s on, to %s", from, f.to_name,
	       conf->file);
out:
	pthread_mutex_unlock(&edge_lock);
	return rc;
}

/* Put sw's pointer back and close the capture (edge_lock held). */
static void
edge_off(struct capture_edge *e)
{
	edge_switch(&e->f, e->sw_name, e->cap, false); /* gone: nothing */
	pk_capture_close(e->cap);
	e->on = false;
}

int
pk_capture_edge_off_to(const char *from, const char *to,
		       struct pk_capture_stats *st)
{
	struct capture_edge *e;
	int rc = -ENOENT;

	if (from == NULL)
		return -ENOENT;
	pthread_mutex_lock(&edge_lock);
	e = edge_lookup(from, to);
	if (e != NULL) {
		edge_off(e);
		if (st != NULL)
			pk_capture_stats_get(e->cap, st);
		rc = 0;
	}
	pthread_mutex_unlock(&edge_lock);
	return rc;
}

int
pk_capture_edge_off(const char *from, struct pk_capture_stats *st)
{
	return pk_capture_edge_off_to(from, NULL, st);
}

void
pk_capture_edge_cleanup(void)
{
	struct capture_edge *e;

	pthread_mutex_lock(&edge_lock);
	while ((e = TAILQ_FIRST(&edges)) != NULL) {
		if (e->on)
			edge_off(e);
		TAILQ_REMOVE(&edges, e, link);
		pk_stage_destroy(e->cap);
		free(e);
	}
	pthread_mutex_unlock(&edge_lock);
}

/* ---- telemetry ---- */

static void
tel_capture_counters(struct rte_tel_data *d, const struct pk_stage *cap)
{
	struct pk_capture_stats st;

	pk_capture_stats_get(cap, &st);
	rte_tel_data_add_dict_u64(d, "captured", st.captured);
	rte_tel_data_add_dict_u64(d, "capture_lost", st.capture_lost);
	rte_tel_data_add_dict_u64(d, "lost_nomem", st.lost_nomem);
	rte_tel_data_add_dict_u64(d, "lost_full", st.lost_full);
	rte_tel_data_add_dict_u64(d, "written", st.written);
	rte_tel_data_add_dict_u64(d, "write_errors", st.write_errors);
	rte_tel_data_add_dict_u64(d, "files", st.files);
}

static void
tel_capture_stats(struct rte_tel_data *d, const struct capture_edge *e)
{
	rte_tel_data_add_dict_string(d, "from", e->from);
	rte_tel_data_add_dict_string(d, "to", e->to);
	rte_tel_data_add_dict_string(d, "stage", e->cap->name);
	rte_tel_data_add_dict_string(d, "state", e->on ? "on" : "off");
	tel_capture_counters(d, e->cap);
}

/* A capture stage of a configuration, by its name (under the list lock). */
static int
tel_capture_stage(const struct pk_stage *s, void *arg)
{
	struct pk_capture_stats st;

	if (pk_capture_stats_get(s, &st) != 0)
		return -EINVAL; /* not a capture */
	rte_tel_data_add_dict_string(arg, "stage", s->name);
	tel_capture_counters(arg, s);
	return 0;
}

/* /pathkit/capture[,on,FROM[,TO],FILE | ,off,FROM | ,FROM | ,CAPTURE] */
static int
tel_capture(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct pk_capture_conf conf = { 0 };
	struct capture_edge *e;
	struct capture_cmd c;
	char buf[1024];
	int rc = 0;

	RTE_SET_USED(cmd);
	if (capture_cmd_parse(params, buf, sizeof(buf), &c) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	if (c.op == CAPTURE_CMD_LIST) {
		pthread_mutex_lock(&edge_lock);
		TAILQ_FOREACH(e, &edges, link) {
			char key[2 * PK_STAGE_NAMESIZE + 2];

			if (!e->on)
				continue;
			/* a demux's outputs: one capture each ("FROM/TO":
			 * telemetry's names take only _ and / besides
			 * letters and digits) */
			snprintf(key, sizeof(key), "%s%s%s", e->from,
				 e->f.how == EDGE_DEMUX ? "/" : "",
				 e->f.how == EDGE_DEMUX ? e->to : "");
			rte_tel_data_add_dict_string(d, key, e->cap->name);
		}
		pthread_mutex_unlock(&edge_lock);
		return 0;
	}
	if (c.op == CAPTURE_CMD_ON) {
		conf.file = c.file;
		rc = pk_capture_edge_on(c.from, c.to, &conf);
	} else if (c.op == CAPTURE_CMD_OFF) {
		rc = pk_capture_edge_off_to(c.from, c.to, NULL);
	}
	if (rc != 0) {
		rte_tel_data_add_dict_string(d, "error", strerror(-rc));
		return 0;
	}
	/* the edge's last capture (on or off), or a capture stage's name */
	pthread_mutex_lock(&edge_lock);
	TAILQ_FOREACH_REVERSE(e, &edges, capture_edge_head_, link)
		if (strcmp(e->from, c.from) == 0 &&
		    (c.to == NULL || strcmp(e->to, c.to) == 0))
			break;
	if (e != NULL)
		tel_capture_stats(d, e);
	pthread_mutex_unlock(&edge_lock);
	if (e == NULL && (c.op != CAPTURE_CMD_SHOW ||
			  pk_tel_name_check(c.from) != 0 ||
			  pk_stage_live_apply(c.from, tel_capture_stage, d) != 0))
		rte_tel_data_add_dict_string(d, "error", strerror(ENOENT));
	return 0;
}

RTE_INIT(pk_capture_telemetry)
{
	/* help: under 64 bytes, or 22.11 refuses the command */
	rte_telemetry_register_cmd("/pathkit/capture", tel_capture,
		"Edge captures. Params: on,FROM[,TO],FILE|off,FROM[,TO]");
}
