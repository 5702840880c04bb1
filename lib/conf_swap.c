/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A path swap (pk_conf_swap_path_string()): a reload (conf_reload.c) on a
 * smaller graph. The new text may differ from the running one only inside
 * one path's body and in the keys that lead to it; the path's edges to the
 * rest name the same stages as before. Only that path is built anew: every
 * other stage and path is taken over as it runs (conf_swap_adopt_*(), the
 * build's hooks). The switch (conf_swap_run.c) stops the path's threads
 * and those that run an outside stage the switch changes (a demux whose
 * keys lead into the path, a scheduler one of its queues feeds, a stage
 * that pushes into it or pulls from it), moves the path's held packets by
 * name, points those stages at the new path, and starts the threads again.
 * Every other thread runs on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "conf_reload_pvt.h"

#define in_p conf_in_path

bool
conf_in_path(const struct pk_conf *g, int st, int p)
{
	return p >= 0 && g->stages.v[st].path == p;
}

struct pk_stage *
conf_end_obj(const struct pk_conf *g, struct conf_end e)
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
	const char *a = c->stages.v[e->a.st].name;
	const char *b = c->stages.v[e->b.st].name;
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

bool
conf_key_in_path(const struct pk_conf *g, const struct conf_key *k, int p)
{
	return k->t.path == p || in_p(g, k->t.st, p);
}

static bool
key_in(const struct pk_conf *g, int p, const struct conf_key *k)
{
	unsigned int i;

	for (i = 0; i < g->keys.n; i++)
		if (!conf_key_in_path(g, &g->keys.v[i], p) &&
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
		if (conf_key_in_path(nc, &nc->keys.v[i], pn))
			continue;
		keys++;
		if (!key_in(run, po, &nc->keys.v[i]))
			return swap_refuse(nc, &nc->keys.v[i].pos, "key",
					   nc->keys.v[i].text);
	}
	for (i = 0; i < run->keys.n; i++)
		keys -= !conf_key_in_path(run, &run->keys.v[i], po);
	return keys == 0 ? 0 : swap_refuse(nc, NULL, "the", "keys");
}

int
conf_swap_build(struct pk_conf *run, struct pk_conf *nc, int po, int pn)
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
