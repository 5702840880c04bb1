/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A path swap's switch (pk_conf_swap_path_string(); the build and the
 * check of what may differ are in conf_swap.c). The threads to stop are
 * those that may be inside a stage the switch changes: the path's own, and
 * for each outside stage whose links, keys or scheduler inputs change, the
 * threads that push into it or pull from it, found by walking the graph's
 * edges back to a thread (ctx_mark()). Everything else runs on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_sched.h>

#include "conf_reload_pvt.h"
#include "runner_pvt.h"

#define in_p conf_in_path
#define end_obj conf_end_obj

/* Mark the threads that may run inside stage x of g (seen: visited). */
static void
ctx_mark(const struct pk_conf *g, int x, bool *mark, bool *seen)
{
	const struct conf_edge *e;
	unsigned int i;

	if (seen[x])
		return;
	seen[x] = true;
	if (g->stages.v[x].role == ROLE_THREAD) {
		mark[x] = true;
		return;
	}
	for (i = 0; i < g->edges.n; i++) {
		e = &g->edges.v[i];
		if (e->b.st == x &&
		    (e->mode == MODE_PUSH || e->mode == MODE_KEY))
			ctx_mark(g, e->a.st, mark, seen); /* who pushes in */
		if (e->a.st == x && (e->mode == MODE_PULL ||
				     e->mode == MODE_ATTACH))
			ctx_mark(g, e->b.st, mark, seen); /* who pulls out */
	}
}

/* Does linking e change its end outside path p (a.next or b.prev)? */
static bool
edge_changes_outside(const struct pk_conf *g, const struct conf_edge *e,
		     int p)
{
	const struct pk_stage *a = end_obj(g, e->a), *b = end_obj(g, e->b);

	if (e->mode == MODE_KEY || e->mode == MODE_ATTACH)
		return true; /* the demux's keys, the scheduler's inputs */
	if (!in_p(g, e->a.st, p)) /* a outside: its next */
		return (a->caps & PK_STAGE_CAP_FWD_PUSH) &&
		       (b->caps & PK_STAGE_CAP_PUSH);
	return (b->caps & PK_STAGE_CAP_FWD_PULL) && /* b outside: its prev */
	       (a->caps & PK_STAGE_CAP_PULL);
}

/* The threads of g to stop for a swap of path p: mark[stage index]. */
static int
swap_threads(const struct pk_conf *g, int p, bool *mark)
{
	bool *seen = calloc(g->stages.n + 1, sizeof(*seen));
	const struct conf_edge *e;
	unsigned int i;

	if (seen == NULL)
		return -ENOMEM;
	for (i = 0; i < g->stages.n; i++)
		mark[i] = in_p(g, (int)i, p) &&
			  g->stages.v[i].role == ROLE_THREAD;
	for (i = 0; i < g->edges.n; i++) {
		e = &g->edges.v[i];
		if (in_p(g, e->a.st, p) == in_p(g, e->b.st, p) ||
		    !edge_changes_outside(g, e, p))
			continue;
		memset(seen, 0, g->stages.n * sizeof(*seen));
		ctx_mark(g, in_p(g, e->a.st, p) ? e->b.st : e->a.st, mark,
			 seen);
	}
	for (i = 0; i < g->keys.n; i++)
		if (conf_key_in_path(g, &g->keys.v[i], p)) {
			memset(seen, 0, g->stages.n * sizeof(*seen));
			ctx_mark(g, g->keys.v[i].d, mark, seen);
		}
	free(seen);
	return 0;
}

static void
threads_stop(const struct pk_conf *g, const bool *mark)
{
	struct pk_thread *t;
	unsigned int i;

	for (i = 0; i < g->stages.n; i++) {
		t = pk_thread_from_stage(g->stages.v[i].s);
		if (mark[i] && t != NULL && t->runner != NULL)
			pk_runner_remove_post(t->runner, t);
	}
	for (i = 0; i < g->stages.n; i++)
		if (mark[i])
			pk_thread_stop(pk_thread_from_stage(g->stages.v[i].s));
}

/* Start g's marked threads but those of path skip. */
static int
threads_start(struct pk_conf *g, const bool *mark, int skip)
{
	unsigned int i;
	int rc;

	for (i = 0; i < g->stages.n; i++) {
		if (!mark[i] || in_p(g, (int)i, skip))
			continue;
		rc = pk_thread_start(pk_thread_from_stage(g->stages.v[i].s));
		if (rc != 0 && rc != -EALREADY)
			return conf_err(g, &g->stages.v[i].pos, "cannot start "
					"%s: %s", g->stages.v[i].name,
					rte_strerror(-rc)), rc;
	}
	return 0;
}

/* Unhook path p of g from the outside stages: its keys (moves detach). */
static void
swap_unhook(struct pk_conf *g, int p)
{
	const struct conf_key *k;
	unsigned int i;

	for (i = 0; i < g->keys.n; i++) {
		k = &g->keys.v[i];
		if (conf_key_in_path(g, k, p) && !in_p(g, k->d, p))
			pk_demux_flow_del(g->stages.v[k->d].s, &k->key);
	}
}

/* Hook path p of g to the outside: links, scheduler inputs, keys. */
static int
swap_hook(struct pk_conf *g, int p)
{
	const struct conf_key *k;
	struct conf_edge *e;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < g->edges.n && rc == 0; i++) {
		e = &g->edges.v[i];
		if (in_p(g, e->a.st, p) == in_p(g, e->b.st, p) ||
		    e->mode == MODE_KEY || e->mode == MODE_ATTACH)
			continue;
		rc = pk_stage_link(end_obj(g, e->a), end_obj(g, e->b));
	}
	conf_attach_again(g);
	for (i = 0; i < g->keys.n && rc == 0; i++) {
		k = &g->keys.v[i];
		if (conf_key_in_path(g, k, p) && !in_p(g, k->d, p))
			rc = pk_demux_flow_add(g->stages.v[k->d].s, &k->key,
					       end_obj(g, k->t));
	}
	return rc;
}

/* From path po of from to path pn of to, the marked threads stopped. */
static int
swap_dir(struct pk_conf *from, int po, struct pk_conf *to, int pn,
	 const bool *mfrom, const bool *mto, struct pk_conf_reload_stats *st)
{
	bool running = from->started;
	int rc;

	if (running) {
		threads_stop(from, mfrom);
		threads_stop(to, mto); /* the same outside ones, by object */
	}
	swap_unhook(from, po);
	conf_move_packets(from, to, st, po);
	rc = swap_hook(to, pn);
	from->started = false;
	to->started = running;
	if (rc == 0 && running)
		rc = threads_start(to, mto, -1);
	if (rc == 0 && running)
		rc = threads_start(from, mfrom, po); /* outside ones */
	return rc;
}

/* After the switch: the stages and paths nc took over are nc's now. */
static void
swap_hand_over(struct pk_conf *run, struct pk_conf *nc)
{
	const struct conf_name *n;
	unsigned int i;

	for (i = 0; i < nc->stages.n; i++) {
		if (!nc->stages.v[i].adopted)
			continue;
		n = conf_name_find(run, nc->stages.v[i].name);
		nc->stages.v[i].owned = run->stages.v[n->idx].owned;
		nc->stages.v[i].adopted = false;
		run->stages.v[n->idx].s = NULL;
		run->stages.v[n->idx].owned = false;
	}
	for (i = 0; i < nc->paths.n; i++) {
		if (!nc->paths.v[i].adopted)
			continue;
		n = conf_name_find(run, nc->paths.v[i].name);
		run->paths.v[n->idx].p = NULL;
		nc->paths.v[i].adopted = false;
	}
}

static int
swap_path(struct pk_conf *run, struct pk_conf *nc, const char *path,
	  struct pk_conf_reload_stats *st)
{
	const struct conf_name *o = conf_name_find(run, path);
	const struct conf_name *n = conf_name_find(nc, path);
	struct pk_conf_reload_stats back = { 0 };
	bool *mo = NULL, *mn = NULL;
	uint64_t t0;
	int rc;

	if (o == NULL || n == NULL || o->type != NAME_PATH ||
	    n->type != NAME_PATH)
		return conf_err(nc, NULL, "found no path %s in %s, expected "
				"the path to swap in both configurations",
				path, o == NULL ? "the running configuration" :
				"the new text");
	rc = conf_swap_build(run, nc, o->idx, n->idx);
	if (rc == 0) /* drop sinks into the old path: the new one's */
		rc = conf_drops_carry(run, nc, false);
	mo = calloc(run->stages.n + 1, sizeof(*mo));
	mn = calloc(nc->stages.n + 1, sizeof(*mn));
	if (rc == 0 && (mo == NULL || mn == NULL))
		rc = -ENOMEM;
	if (rc == 0)
		rc = swap_threads(run, o->idx, mo) ?:
		     swap_threads(nc, n->idx, mn);
	if (rc == 0) {
		t0 = rte_rdtsc();
		rc = swap_dir(run, o->idx, nc, n->idx, mo, mn, st);
		st->pause_ns = (rte_rdtsc() - t0) * 1000000000ull /
			       rte_get_tsc_hz();
		if (rc != 0) { /* the old path again */
			nc->started = run->started = true;
			swap_dir(nc, n->idx, run, o->idx, mn, mo, &back);
			st->moved = 0;
		}
	}
	if (rc == 0) {
		conf_drops_carry(run, nc, true);
		swap_hand_over(run, nc);
	}
	free(mo);
	free(mn);
	nc->from = NULL;
	nc->swap_path = -1;
	return rc;
}

int
pk_conf_swap_path_string(struct pk_conf *c, const char *path,
			 const char *text, const char *name, FILE *err,
			 struct pk_conf_reload_stats *st)
{
	struct pk_conf_reload_stats one = { 0 };
	struct pk_conf_params par;
	struct pk_conf *nc;
	int rc;

	if (c == NULL || !c->built || path == NULL || text == NULL)
		return -EINVAL;
	par = c->par;
	if (err != NULL)
		par.err = err;
	rte_errno = 0;
	nc = pk_conf_parse_string(text, name != NULL ? name : "<swap>", &par);
	if (nc == NULL)
		rc = -(rte_errno != 0 ? rte_errno : EINVAL);
	else
		rc = swap_path(c, nc, path, &one);
	return conf_generation_replace(c, nc, rc, err, &one, st);
}
