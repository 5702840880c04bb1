/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The language's drops statements: "drops A [, B ...] -> SINK" sends what
 * A drops (every reason, both sides; a path's: its stages' too) to SINK
 * with a drop note, instead of freeing it (pk_stage_set_drop_sink()).
 * Parsed here, checked once the chains are (a source is a stage or path,
 * named once; the sink takes pushes, is outside paths or a path's name,
 * and no drop comes back to the stage that dropped it, over edges and
 * other drops), set once everything is linked. A drop is not an edge: a
 * stage in the middle of a path may drop into a sink outside it.
 *
 * Reload and path swap: sinks set by the text are the new text's; sinks
 * set from C on the old generation's objects follow their names into the
 * new one, and a sink anywhere (a stage outside both, or one the new
 * generation takes over) that is an old object the new one does not keep
 * becomes the new object of that name: with none, the reload is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pk_path.h>

#include "conf_lex.h"
#include "conf_reload_pvt.h"
#include "pk_internal.h"

int
conf_parse_drops(struct conf_lex *l)
{
	struct pk_conf *c = l->c;
	unsigned int first = c->drops.n, i;
	struct conf_occ sink = { .name = "" };
	struct conf_drop *d;
	int rc = 0;

	conf_lex_next(l);
	for (;;) {
		d = CONF_ADD(c, c->drops);
		if (d == NULL)
			return -ENOMEM;
		d->from.pos = l->pos;
		if (conf_parse_name(l, d->from.name, "a stage or path whose "
				    "drops go to a sink") != 0)
			return -EINVAL;
		if (l->t != TK_COMMA)
			break;
		conf_lex_next(l);
	}
	if (l->t != TK_ARROW)
		rc = conf_expected(l, "'->' and the stage the drops go to");
	if (rc == 0) {
		conf_lex_next(l);
		conf_skip_nl(l);
		sink.pos = l->pos;
		rc = conf_parse_name(l, sink.name, "the stage the drops go to");
	}
	if (rc == 0 && l->t == TK_DCOLON)
		rc = conf_parse_decl(l, sink.name, &sink.pos);
	for (i = first; i < c->drops.n; i++)
		c->drops.v[i].sink = sink;
	return rc;
}

/* Does drop d's source cover stage st (st, or a member of its path)? */
static bool
drop_covers(const struct pk_conf *c, const struct conf_drop *d, int st)
{
	return d->f.path >= 0 ? c->stages.v[st].path == d->f.path :
				d->f.st == st;
}

/* Can a drop of d come back to d's source, over edges and drops? */
static bool
drop_loops(const struct pk_conf *c, const struct conf_drop *d, int *stack,
	   uint8_t *seen)
{
	unsigned int i;
	int top = 0, s;

	memset(seen, 0, c->stages.n);
	stack[top++] = d->s.st;
	seen[d->s.st] = 1;
	while (top > 0) {
		s = stack[--top];
		if (drop_covers(c, d, s))
			return true;
		for (i = 0; i < c->edges.n; i++)
			if (c->edges.v[i].a.st == s &&
			    !seen[c->edges.v[i].b.st]) {
				seen[c->edges.v[i].b.st] = 1;
				stack[top++] = c->edges.v[i].b.st;
			}
		for (i = 0; i < c->drops.n; i++)
			if (drop_covers(c, &c->drops.v[i], s) &&
			    !seen[c->drops.v[i].s.st]) {
				seen[c->drops.v[i].s.st] = 1;
				stack[top++] = c->drops.v[i].s.st;
			}
	}
	return false;
}

/* d's source and sink, resolved and checked. */
static int
drop_resolve(struct pk_conf *c, struct conf_drop *d, unsigned int idx)
{
	struct conf_stage *st;
	struct conf_path *p;
	char where[64];
	unsigned int i;
	int s, path;

	if (conf_chain_resolve(c, &d->from, &s, &path) != 0)
		return -EINVAL;
	d->f = (struct conf_end){ s, path };
	if (path >= 0)
		d->f.st = c->paths.v[path].n > 0 ? c->paths.v[path].member[0] : -1;
	for (i = 0; i < idx; i++)
		if (strcmp(c->drops.v[i].from.name, d->from.name) == 0)
			return conf_err(c, &d->from.pos, "found the drops of %s "
					"sent twice, expected one sink (the "
					"first at %s)", d->from.name,
					conf_where(c, &c->drops.v[i].from.pos,
						   where, sizeof(where)));
	if (conf_chain_resolve(c, &d->sink, &s, &path) != 0)
		return -EINVAL;
	if (path >= 0) {
		p = &c->paths.v[path];
		if (p->n == 0)
			return -EINVAL; /* reported with the path */
		s = p->member[0];
	} else if (c->stages.v[s].path >= 0) {
		p = &c->paths.v[c->stages.v[s].path];
		if (p->member[0] != s)
			return conf_err(c, &d->sink.pos, "found %s in the "
					"middle of path %s, expected a stage "
					"outside paths, or a path's name (its "
					"head takes the drops)", d->sink.name,
					p->name);
		path = c->stages.v[s].path;
	}
	d->s = (struct conf_end){ s, path };
	st = &c->stages.v[s];
	if (st->caps != 0 && !(st->caps & PK_STAGE_CAP_PUSH))
		return conf_err(c, &d->sink.pos, "found %s (%s), which cannot "
				"be pushed, expected a stage that takes drops "
				"(proc_capture, a queue, port_tx)",
				d->sink.name, st->kind);
	if (d->f.st < 0 || drop_covers(c, d, s))
		return conf_err(c, &d->sink.pos, "found the drops of %s sent "
				"into %s, expected a sink apart from what "
				"drops", d->from.name, d->sink.name);
	st->drop_sink = true; /* linked to something: to its sources */
	return 0;
}

int
conf_check_drops(struct pk_conf *c)
{
	unsigned int i;
	uint8_t *seen;
	int *stack, rc = 0;

	for (i = 0; i < c->drops.n && !conf_enough(c); i++)
		if (drop_resolve(c, &c->drops.v[i], i) != 0)
			rc = -EINVAL;
	if (rc != 0 || c->drops.n == 0)
		return rc;
	/* each stage pushed once at most: edges and drops bound the stack */
	stack = malloc((c->stages.n + 1) * sizeof(*stack));
	seen = malloc(c->stages.n + 1);
	if (stack == NULL || seen == NULL)
		rc = conf_err(c, NULL, "out of memory");
	for (i = 0; rc == 0 && i < c->drops.n; i++)
		if (drop_loops(c, &c->drops.v[i], stack, seen))
			rc = conf_err(c, &c->drops.v[i].sink.pos, "found a "
				      "cycle: what %s drops comes back to it "
				      "through %s, expected drops that leave",
				      c->drops.v[i].from.name,
				      c->drops.v[i].sink.name);
	free(stack);
	free(seen);
	return rc;
}

static bool
end_adopted(const struct pk_conf *c, struct conf_end e)
{
	return e.path >= 0 ? c->paths.v[e.path].adopted :
			     c->stages.v[e.st].adopted;
}

int
conf_build_drops(struct pk_conf *c)
{
	struct conf_logcap lc;
	struct conf_drop *d;
	unsigned int i;
	char why[256];
	int rc;

	for (i = 0; i < c->drops.n; i++) {
		d = &c->drops.v[i];
		if (end_adopted(c, d->f)) {
			if (end_adopted(c, d->s) &&
			    conf_end_obj(c, d->f)->in.drop_sink ==
			    conf_end_obj(c, d->s))
				continue; /* a path swap: set, and kept */
			if (end_adopted(c, d->s))
				return conf_err(c, &d->from.pos, "found drops "
						"of %s outside the path swapped "
						"that the running configuration "
						"does not send to %s, expected "
						"those as they run: reload the "
						"whole configuration",
						d->from.name, d->sink.name);
			/* its threads run on: no switch while they do */
			return conf_err(c, &d->sink.pos, "found the drops of %s "
					"(outside the path swapped) sent into "
					"%s, expected a sink outside that path: "
					"reload the whole configuration",
					d->from.name, d->sink.name);
		}
		conf_cap_begin(&lc);
		rc = pk_stage_set_drop_sink(conf_end_obj(c, d->f),
					    conf_end_obj(c, d->s));
		conf_cap_end(&lc, rc, d->from.name, why, sizeof(why));
		if (rc != 0)
			return conf_err(c, &d->from.pos, "cannot send the drops "
					"of %s to %s: %s", d->from.name,
					d->sink.name, why), rc;
	}
	return 0;
}

/* ---- reload and swap ---- */

/* The name of g's built object o (a stage's or a path's), or NULL. */
static const char *
gen_obj_name(const struct pk_conf *g, const struct pk_stage *o)
{
	unsigned int i;

	for (i = 0; i < g->stages.n; i++)
		if (g->stages.v[i].s == o)
			return g->stages.v[i].name;
	for (i = 0; i < g->paths.n; i++)
		if (g->paths.v[i].p != NULL && pk_path_stage(g->paths.v[i].p) == o)
			return g->paths.v[i].name;
	return NULL;
}

/* g's built object called name, or NULL. */
static struct pk_stage *
gen_obj(const struct pk_conf *g, const char *name)
{
	const struct conf_name *n = conf_name_find(g, name);

	if (n != NULL && n->type == NAME_STAGE)
		return g->stages.v[n->idx].s;
	if (n != NULL && n->type == NAME_PATH && g->paths.v[n->idx].p != NULL)
		return pk_path_stage(g->paths.v[n->idx].p);
	return NULL;
}

/* Did a drops statement of g set o's sink? */
static bool
gen_text_sets(const struct pk_conf *g, const struct pk_stage *o)
{
	unsigned int i;

	for (i = 0; i < g->drops.n; i++)
		if (conf_end_obj(g, g->drops.v[i].f) == o ||
		    (g->drops.v[i].f.path >= 0 &&
		     o->parent == conf_end_obj(g, g->drops.v[i].f)))
			return true;
	return false;
}

struct carry {
	const struct pk_conf *run;
	struct pk_conf *nc;
	struct {
		struct pk_stage *s, *to;
	} *v;
	unsigned int n, cap;
	int rc;
};

/* Where sink goes in nc: itself (not run's, or kept), nc's of its name, or
 * NULL with an error reported. */
static struct pk_stage *
carry_to(struct carry *k, const struct pk_stage *s, struct pk_stage *sink)
{
	const char *name = gen_obj_name(k->run, sink);
	struct pk_stage *to;

	if (name == NULL)
		return sink;
	to = gen_obj(k->nc, name);
	if (to == NULL)
		k->rc = conf_err(k->nc, NULL, "found the drops of %s going to "
				 "%s, which the new configuration does not "
				 "have, expected a stage %s to take them (or "
				 "pk_stage_set_drop_sink(%s, NULL) first)",
				 s->name, name, name, s->name);
	return to;
}

/* A live stage whose sink may have to move: outside both generations, or
 * one nc took over. Listed to move once the list's lock is let go. */
static int
carry_live(const struct pk_stage *s, void *arg)
{
	struct carry *k = arg;
	struct pk_stage *sink = s->in.drop_sink, *to;
	const char *name;

	if (sink == NULL)
		return 0;
	name = gen_obj_name(k->run, s);
	if (name != NULL && gen_obj(k->nc, name) != s)
		return 0; /* run's own: freed with it */
	to = carry_to(k, s, sink);
	if (to == NULL || to == sink)
		return 0;
	if (k->n == k->cap) {
		void *v = realloc(k->v, (2 * k->cap + 8) * sizeof(*k->v));

		if (v == NULL) {
			k->rc = conf_err(k->nc, NULL, "out of memory");
			return -ENOMEM;
		}
		k->v = v;
		k->cap = 2 * k->cap + 8;
	}
	k->v[k->n].s = (struct pk_stage *)(uintptr_t)s;
	k->v[k->n++].to = to;
	return 0;
}

/* Run's object o (called name) set from C: nc's of that name gets it. */
static void
carry_own(struct carry *k, struct pk_stage *o, const char *name)
{
	struct pk_stage *ns, *to;

	if (o == NULL || o->in.drop_sink == NULL || gen_text_sets(k->run, o))
		return;
	ns = gen_obj(k->nc, name);
	if (ns == NULL || ns == o || ns->in.drop_sink != NULL)
		return; /* gone, taken over, or the new text's */
	to = carry_to(k, o, o->in.drop_sink);
	if (to != NULL && pk_stage_set_drop_sink(ns, to) != 0)
		k->rc = conf_err(k->nc, NULL, "cannot send the drops of %s "
				 "to %s", name, to->name);
}

int
conf_drops_carry(const struct pk_conf *run, struct pk_conf *nc, bool after)
{
	struct carry k = { .run = run, .nc = nc };
	unsigned int i;

	if (!after) {
		for (i = 0; i < run->stages.n; i++)
			carry_own(&k, run->stages.v[i].s,
				  run->stages.v[i].name);
		for (i = 0; i < run->paths.n; i++)
			if (run->paths.v[i].p != NULL)
				carry_own(&k,
					  pk_path_stage(run->paths.v[i].p),
					  run->paths.v[i].name);
	}
	pk_stage_live_foreach(carry_live, &k);
	for (i = 0; after && k.rc == 0 && i < k.n; i++)
		pk_stage_set_drop_sink(k.v[i].s, k.v[i].to);
	free(k.v);
	return k.rc;
}
