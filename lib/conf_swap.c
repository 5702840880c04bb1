/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A path swap (pk_conf_swap_path_string()): a reload (conf_reload.c) on a
 * smaller graph. The new text may differ from the running one only inside
 * one path's body and in the keys that lead to it; the path's edges to the
 * rest name the same stages as before. Only that path is built anew: every
 * other stage and path is taken over as it runs (conf_swap_adopt_*(), the
 * build's hooks). The switch stops the path's threads and those that run an
 * outside stage the switch changes (a demux whose keys lead into the path,
 * a scheduler one of its queues feeds, a stage that pushes into it or pulls
 * from it), moves the path's held packets by name, points those stages at
 * the new path, and starts the threads again. Every other thread runs on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_sched.h>

#include "conf_pvt.h"
#include "runner_pvt.h"

/* Is stage st of g in g's path p (the path being swapped)? */
static bool
in_p(const struct pk_conf *g, int st, int p)
{
	return p >= 0 && g->stages.v[st].path == p;
}

static struct pk_stage *
end_obj(const struct pk_conf *g, struct conf_end e)
{
	return e.path >= 0 ? pk_path_stage(g->paths.v[e.path].p) :
			     g->stages.v[e.st].s;
}

static bool
swapping(const struct pk_conf *c)
{
	return c->from != NULL && c->swap_path >= 0;
}

int
conf_swap_adopt_stage(struct pk_conf *c, struct conf_stage *st)
{
	const struct conf_name *n;

	if (!swapping(c) || st->path == c->swap_path)
		return 0;
	n = conf_name_find(c->from, st->name); /* swap_check: it is there */
	st->s = c->from->stages.v[n->idx].s;
	st->adopted = true;
	return 1;
}

int
conf_swap_adopt_path(struct pk_conf *c, struct conf_path *p)
{
	const struct conf_name *n;

	if (!swapping(c) || p == &c->paths.v[c->swap_path])
		return 0;
	n = conf_name_find(c->from, p->name);
	p->p = c->from->paths.v[n->idx].p;
	p->adopted = true;
	return 1;
}

/* The qid of from's edge between the same two stages (both taken over). */
static int
old_qid(const struct pk_conf *c, const struct conf_edge *e)
{
	const struct pk_conf *f = c->from;
	const char *a = c->stages.v[e->a.st].name, *b = c->stages.v[e->b.st].name;
	unsigned int i;

	for (i = 0; i < f->edges.n; i++)
		if (f->edges.v[i].mode == MODE_ATTACH &&
		    strcmp(f->stages.v[f->edges.v[i].a.st].name, a) == 0 &&
		    strcmp(f->stages.v[f->edges.v[i].b.st].name, b) == 0)
			return f->edges.v[i].qid;
	return -1;
}

bool
conf_swap_skip_edge(struct pk_conf *c, struct conf_edge *e)
{
	bool a, b;

	if (!swapping(c))
		return false;
	a = c->stages.v[e->a.st].adopted;
	b = c->stages.v[e->b.st].adopted;
	if (!a && !b)
		return false; /* inside the new path: built now */
	/* both outside: it exists; one: the switch makes it */
	e->qid = a && b ? old_qid(c, e) : -1;
	return true;
}

bool
conf_swap_skip_key(const struct pk_conf *c, const struct conf_key *k)
{
	return swapping(c) && c->stages.v[k->d].adopted;
}

/* ---- what may differ, and what the switch touches ---- */

static bool
args_same(const struct conf_args *x, const struct conf_args *y)
{
	unsigned int i;

	if (x->n != y->n)
		return false;
	for (i = 0; i < x->n; i++)
		if (strcmp(x->v[i].key, y->v[i].key) != 0 ||
		    strcmp(x->v[i].val, y->v[i].val) != 0)
			return false;
	return true;
}

static const char *
path_name(const struct pk_conf *g, int p)
{
	return p >= 0 ? g->paths.v[p].name : "";
}

/* e's ends by name, the side in the path marked (an edge's identity). */
static void
edge_id(const struct pk_conf *g, const struct conf_edge *e, int p, char *buf,
	size_t size)
{
	snprintf(buf, size, "%s%s>%s%s/%d/%s/%d/%u",
		 in_p(g, e->a.st, p) ? "*" : "", conf_end_name(g, e->a),
		 in_p(g, e->b.st, p) ? "*" : "", conf_end_name(g, e->b),
		 e->mode, e->out != NULL ? e->out : "", e->has_param,
		 in_p(g, e->a.st, p) || in_p(g, e->b.st, p) ? 0 : e->param);
}

static bool
edge_in(const struct pk_conf *g, int p, const char *id)
{
	char buf[160];
	unsigned int i;

	for (i = 0; i < g->edges.n; i++) {
		if (in_p(g, g->edges.v[i].a.st, p) &&
		    in_p(g, g->edges.v[i].b.st, p))
			continue;
		edge_id(g, &g->edges.v[i], p, buf, sizeof(buf));
		if (strcmp(buf, id) == 0)
			return true;
	}
	return false;
}

static unsigned int
outside_edges(const struct pk_conf *g, int p)
{
	unsigned int i, n = 0;

	for (i = 0; i < g->edges.n; i++)
		n += !(in_p(g, g->edges.v[i].a.st, p) &&
		       in_p(g, g->edges.v[i].b.st, p));
	return n;
}

/* Does key k of g lead into path p? */
static bool
key_in_p(const struct pk_conf *g, const struct conf_key *k, int p)
{
	return k->t.path == p || in_p(g, k->t.st, p);
}

static bool
key_in(const struct pk_conf *g, int p, const struct conf_key *k)
{
	unsigned int i;

	for (i = 0; i < g->keys.n; i++)
		if (!key_in_p(g, &g->keys.v[i], p) &&
		    strcmp(g->keys.v[i].demux, k->demux) == 0 &&
		    strcmp(g->keys.v[i].text, k->text) == 0 &&
		    strcmp(conf_end_name(g, g->keys.v[i].t),
			   conf_end_name(g, k->t)) == 0)
			return true;
	return false;
}

static int
swap_refuse(struct pk_conf *nc, const struct conf_pos *pos, const char *what,
	    const char *name)
{
	return conf_err(nc, pos, "found %s %s changed outside path %s, "
			"expected only the path's body and its keys to "
			"change: reload the whole configuration", what, name,
			nc->paths.v[nc->swap_path].name);
}

/* Everything but path p (po in run, pn in nc) the same? */
static int
swap_check(const struct pk_conf *run, struct pk_conf *nc, int po, int pn)
{
	const struct conf_name *n;
	const struct conf_stage *a, *b;
	unsigned int i, outside = 0, keys = 0;
	char id[160];

	for (i = 0; i < nc->stages.n; i++) {
		b = &nc->stages.v[i];
		if (b->path == pn)
			continue;
		outside++;
		n = conf_name_find(run, b->name);
		a = n != NULL && n->type == NAME_STAGE ?
		    &run->stages.v[n->idx] : NULL;
		if (a == NULL || a->path == po || strcmp(a->kind, b->kind) ||
		    !args_same(&a->args, &b->args) ||
		    strcmp(path_name(run, a->path), path_name(nc, b->path)))
			return swap_refuse(nc, &b->pos, "stage", b->name);
	}
	for (i = 0; i < run->stages.n; i++)
		outside -= run->stages.v[i].path != po;
	if (outside != 0 || run->paths.n != nc->paths.n ||
	    run->runners.n != nc->runners.n || run->ports.n != nc->ports.n)
		return swap_refuse(nc, NULL, "the", "objects");
	for (i = 0; i < nc->paths.n; i++) {
		n = conf_name_find(run, nc->paths.v[i].name);
		if ((int)i != pn && (n == NULL || n->type != NAME_PATH ||
		    !args_same(&run->paths.v[n->idx].args,
			       &nc->paths.v[i].args)))
			return swap_refuse(nc, &nc->paths.v[i].pos, "path",
					   nc->paths.v[i].name);
	}
	for (i = 0; i < nc->edges.n; i++) {
		const struct conf_edge *e = &nc->edges.v[i];

		if (in_p(nc, e->a.st, pn) && in_p(nc, e->b.st, pn))
			continue;
		if (e->mode == MODE_ATTACH && in_p(nc, e->b.st, pn))
			return conf_err(nc, &e->pos, "found %s's scheduler "
					"pulling %s outside it, expected a "
					"path whose scheduler's queues are "
					"its own: reload the whole "
					"configuration", nc->paths.v[pn].name,
					conf_end_name(nc, e->a));
		edge_id(nc, e, pn, id, sizeof(id));
		if (!edge_in(run, po, id))
			return swap_refuse(nc, &e->pos, "edge to",
					   conf_end_name(nc, e->b));
	}
	if (outside_edges(run, po) != outside_edges(nc, pn))
		return swap_refuse(nc, NULL, "the", "edges");
	for (i = 0; i < nc->keys.n; i++) {
		if (key_in_p(nc, &nc->keys.v[i], pn))
			continue;
		keys++;
		if (!key_in(run, po, &nc->keys.v[i]))
			return swap_refuse(nc, &nc->keys.v[i].pos, "key",
					   nc->keys.v[i].text);
	}
	for (i = 0; i < run->keys.n; i++)
		keys -= !key_in_p(run, &run->keys.v[i], po);
	return keys == 0 ? 0 : swap_refuse(nc, NULL, "the", "keys");
}

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
		if (e->b.st == x && (e->mode == MODE_PUSH || e->mode == MODE_KEY))
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
		if (key_in_p(g, &g->keys.v[i], p)) {
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
		if (key_in_p(g, k, p) && !in_p(g, k->d, p))
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
		if (key_in_p(g, k, p) && !in_p(g, k->d, p))
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

/* Built, and what it runs on is the running one's? */
static int
swap_build(struct pk_conf *run, struct pk_conf *nc, int po, int pn)
{
	unsigned int i;
	int rc;

	nc->from = run;
	nc->swap_path = pn;
	rc = swap_check(run, nc, po, pn);
	if (rc == 0)
		rc = pk_conf_build(nc);
	for (i = 0; rc == 0 && i < nc->runners.n; i++)
		if (!nc->runners.v[i].adopted)
			rc = swap_refuse(nc, &nc->runners.v[i].pos, "runner",
					 nc->runners.v[i].name);
	for (i = 0; rc == 0 && i < nc->ports.n; i++)
		if (!nc->ports.v[i].adopted)
			rc = swap_refuse(nc, &nc->ports.v[i].pos, "port",
					 nc->ports.v[i].spec);
	return rc;
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
	rc = swap_build(run, nc, o->idx, n->idx);
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
	if (rc == 0)
		swap_hand_over(run, nc);
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
