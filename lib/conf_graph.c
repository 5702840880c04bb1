/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The graph's checks, before anything runs: how packets cross each edge
 * (pushed, pulled, a demux's key, a scheduler's input), whether a thread
 * moves them there, and the shapes that cannot work. An edge's mode follows
 * from its ends' caps where they say it (a thread pushes downstream and
 * pulls upstream); through processing stages, which go either way, it
 * follows from the threads: walking down from each thread marks pushes,
 * walking up marks pulls. An edge that no thread reaches moves nothing.
 * Stages of a kind that declares no caps are left to the build.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_pvt.h"

struct graph {
	struct pk_conf *c;
	int *out, *in;           /* first edge out of / into each stage */
	int *next_out, *next_in; /* next edge of the same stage */
	int *stack;
	uint8_t *seen;
};

#define G_EACH_OUT(g, s, e) for (e = (g)->out[s]; e >= 0; e = (g)->next_out[e])
#define G_EACH_IN(g, s, e) for (e = (g)->in[s]; e >= 0; e = (g)->next_in[e])

static struct conf_stage *
g_st(const struct graph *g, int s)
{
	return &g->c->stages.v[s];
}

static bool
g_cap(const struct graph *g, int s, uint32_t cap)
{
	return (g_st(g, s)->caps & cap) != 0;
}

static const char *
g_name(const struct graph *g, int s)
{
	return g_st(g, s)->name;
}

static const char *
g_kind(const struct graph *g, int s)
{
	return g_st(g, s)->kind;
}

static int
g_nopush(struct graph *g, const struct conf_edge *e)
{
	int a = e->a.st, b = e->b.st;

	return conf_err(g->c, &e->pos, "found %s -> %s: %s (%s) cannot be "
			"pushed into, expected a stage that takes pushes (a "
			"queue, a processing stage, a port_tx)", g_name(g, a),
			g_name(g, b), g_name(g, b), g_kind(g, b));
}

static int
g_nopull(struct graph *g, const struct conf_edge *e, const char *expected)
{
	int a = e->a.st, b = e->b.st;

	return conf_err(g->c, &e->pos, "found %s -> %s: %s (%s) cannot be "
			"pulled, expected %s", g_name(g, a), g_name(g, b),
			g_name(g, a), g_kind(g, a), expected);
}

/* The mode the ends alone decide, or an error for an edge that cannot be. */
static int
g_static_mode(struct graph *g, struct conf_edge *e)
{
	int a = e->a.st, b = e->b.st;
	enum conf_role ra = g_st(g, a)->role, rb = g_st(g, b)->role;

	if (ra == ROLE_UNKNOWN || rb == ROLE_UNKNOWN)
		return 0;
	if (ra == ROLE_DEMUX) {
		e->mode = MODE_KEY;
		return g_cap(g, b, PK_STAGE_CAP_PUSH) ? 0 : g_nopush(g, e);
	}
	if (rb == ROLE_SCHED && ra != ROLE_THREAD) {
		/* through a processing stage, a thread may push instead */
		e->mode = ra == ROLE_PROC ? MODE_UNDECIDED : MODE_ATTACH;
		return g_cap(g, a, PK_STAGE_CAP_PULL) ? 0 :
			g_nopull(g, e, "a queue for the scheduler to pull");
	}
	if (ra == ROLE_THREAD) {
		e->mode = MODE_PUSH;
		return g_cap(g, b, PK_STAGE_CAP_PUSH) ? 0 : g_nopush(g, e);
	}
	if (rb == ROLE_THREAD) {
		e->mode = MODE_PULL;
		return g_cap(g, a, PK_STAGE_CAP_PULL) ? 0 :
			g_nopull(g, e, "a source (a queue, a port_rx, a "
				 "pktsched)");
	}
	if ((g_cap(g, a, PK_STAGE_CAP_FWD_PUSH) &&
	     g_cap(g, b, PK_STAGE_CAP_PUSH)) ||
	    (g_cap(g, b, PK_STAGE_CAP_FWD_PULL) &&
	     g_cap(g, a, PK_STAGE_CAP_PULL)))
		return 0; /* a processing stage: the threads' walks decide */
	if (g_cap(g, a, PK_STAGE_CAP_FWD_PUSH) &&
	    !g_cap(g, b, PK_STAGE_CAP_FWD_PULL))
		return g_nopush(g, e);
	if (g_cap(g, b, PK_STAGE_CAP_FWD_PULL) &&
	    !g_cap(g, a, PK_STAGE_CAP_FWD_PUSH))
		return g_nopull(g, e, "a source (a queue, a port_rx, a "
				"pktsched)");
	return conf_err(g->c, &e->pos, "found %s -> %s: %s (%s) does not push "
			"and %s (%s) does not pull, expected a thread between "
			"them", g_name(g, a), g_name(g, b), g_name(g, a),
			g_kind(g, a), g_name(g, b), g_kind(g, b));
}

/* Set an edge's mode as a walk from thread t found it; a clash is an error. */
static int
g_mark(struct graph *g, int ei, enum conf_mode m, int t)
{
	struct conf_edge *e = &g->c->edges.v[ei];

	if (e->mode == MODE_UNDECIDED)
		e->mode = m;
	else if (e->mode != m && !(e->mode == MODE_ATTACH && m == MODE_PULL))
		return conf_err(g->c, &e->pos, "found %s -> %s %s by %s and "
				"%s by another thread, expected a queue "
				"between a thread that pushes and one that "
				"pulls", conf_end_name(g->c, e->a),
				conf_end_name(g->c, e->b),
				m == MODE_PUSH ? "pushed" : "pulled",
				g_name(g, t), m == MODE_PUSH ? "pulled" :
				"pushed");
	return 0;
}

/*
 * From thread t down (pushes) or up (pulls), through processing stages
 * (and a demux's targets, a scheduler's inputs), marking the edges.
 */
static int
g_walk(struct graph *g, int t, bool down)
{
	int s, e, top = 0, rc = 0;
	enum conf_role r;

	memset(g->seen, 0, g->c->stages.n);
	g->stack[top++] = t;
	g->seen[t] = 1;
	while (top > 0) {
		s = g->stack[--top];
		r = g_st(g, s)->role;
		if (s != t && r != ROLE_PROC && !(down && r == ROLE_DEMUX) &&
		    !(!down && r == ROLE_SCHED))
			continue;
		if (s != t && r == ROLE_PROC &&
		    (down ? g->out[s] : g->in[s]) < 0)
			rc = conf_err(g->c, &g_st(g, s)->pos, "found %s %s by "
				      "%s with nothing %s, expected a stage "
				      "linked %s it", g_name(g, s), down ?
				      "pushed into" : "pulled", g_name(g, t),
				      down ? "to push into" : "to pull from",
				      down ? "after" : "before");
		if (down) {
			G_EACH_OUT(g, s, e) {
				if (r != ROLE_DEMUX &&
				    g_mark(g, e, MODE_PUSH, t) != 0)
					return -EINVAL;
				if (!g->seen[g->c->edges.v[e].b.st]) {
					g->seen[g->c->edges.v[e].b.st] = 1;
					g->stack[top++] = g->c->edges.v[e].b.st;
				}
			}
		} else {
			G_EACH_IN(g, s, e) {
				/* a scheduler's own pushers fill it */
				if (r == ROLE_SCHED &&
				    g->c->edges.v[e].mode == MODE_PUSH)
					continue;
				if (g_mark(g, e, r == ROLE_SCHED ? MODE_ATTACH :
					   MODE_PULL, t) != 0)
					return -EINVAL;
				if (!g->seen[g->c->edges.v[e].a.st]) {
					g->seen[g->c->edges.v[e].a.st] = 1;
					g->stack[top++] = g->c->edges.v[e].a.st;
				}
			}
		}
	}
	return rc;
}

/* After the walks: what no thread reached. */
static int
g_undecided(struct graph *g, struct conf_edge *e)
{
	if (e->has_param && e->mode == MODE_PUSH)
		return conf_err(g->c, &e->pos, "found %s[...] pushed into by "
				"a thread, expected a queue before it: only "
				"what a scheduler pulls has a parameter",
				conf_end_name(g->c, e->b));
	if (e->mode != MODE_UNDECIDED ||
	    g_st(g, e->a.st)->role == ROLE_UNKNOWN ||
	    g_st(g, e->b.st)->role == ROLE_UNKNOWN)
		return 0;
	if (g_st(g, e->b.st)->role == ROLE_SCHED) {
		e->mode = MODE_ATTACH;
		return 0;
	}
	return conf_err(g->c, &e->pos, "found %s -> %s with no thread moving "
			"packets over it, expected a thread before it (pushing) "
			"or after it (pulling)", conf_end_name(g->c, e->a),
			conf_end_name(g->c, e->b));
}

/* A scheduler's input inside a path's braces: the path would link it as
 * a plain link, which a scheduler refuses (its inputs are attached). */
static int
g_attach_inside(struct graph *g, const struct conf_edge *e)
{
	const struct conf_stage *b = &g->c->stages.v[e->b.st];

	if (!e->internal || g_st(g, e->b.st)->role != ROLE_SCHED)
		return 0;
	return conf_err(g->c, &e->pos, "found %s -> %s inside the braces of "
			"path %s, expected the scheduler's inputs outside "
			"them (a path links its stages plainly; a scheduler's "
			"inputs are attached)", conf_end_name(g->c, e->a),
			b->name, g->c->paths.v[b->path].name);
}

/* One next per stage but a demux; one prev per stage that pulls. */
static int
g_fan(struct graph *g, int s)
{
	const struct conf_edge *e, *first = NULL;
	char where[64];
	int ei;

	G_EACH_OUT(g, s, ei) {
		e = &g->c->edges.v[ei];
		if (e->mode != MODE_PUSH)
			continue;
		if (first != NULL)
			return conf_err(g->c, &e->pos, "found %s -> %s besides "
					"%s -> %s (at %s), expected one next: "
					"only a demux has several (merge in a "
					"queue_ring mp=1, copy with proc_tee)",
					conf_end_name(g->c, e->a),
					conf_end_name(g->c, e->b),
					conf_end_name(g->c, first->a),
					conf_end_name(g->c, first->b),
					conf_where(g->c, &first->pos, where,
						   sizeof(where)));
		first = e;
	}
	first = NULL;
	G_EACH_IN(g, s, ei) {
		e = &g->c->edges.v[ei];
		if (e->mode != MODE_PULL)
			continue;
		if (first != NULL)
			return conf_err(g->c, &e->pos, "found %s -> %s besides "
					"%s -> %s (at %s), expected one stage "
					"for %s to pull from (put a pktsched in "
					"front)", conf_end_name(g->c, e->a),
					g_name(g, s),
					conf_end_name(g->c, first->a),
					g_name(g, s), conf_where(g->c,
					&first->pos, where, sizeof(where)),
					g_name(g, s));
		first = e;
	}
	return 0;
}

static int
g_ends(struct graph *g, int s)
{
	const struct conf_stage *st = g_st(g, s);

	if (g->out[s] < 0 && g->in[s] < 0 && !st->drop_sink)
		return conf_err(g->c, &st->pos, "found %s linked to nothing, "
				"expected it in a chain (a -> %s or %s -> b)",
				st->name, st->name, st->name);
	if (st->role == ROLE_THREAD && g->in[s] < 0)
		return conf_err(g->c, &st->pos, "found thread %s with nothing "
				"to pull, expected a source linked into it (q -> "
				"%s)", st->name, st->name);
	if (st->role == ROLE_THREAD && g->out[s] < 0)
		return conf_err(g->c, &st->pos, "found thread %s pushing "
				"nowhere, expected it linked to a sink (%s -> "
				"q)", st->name, st->name);
	if (st->role == ROLE_SCHED && g->in[s] < 0)
		return conf_err(g->c, &st->pos, "found pktsched %s with no "
				"input, expected queues linked into it (q -> "
				"%s[...])", st->name, st->name);
	return 0;
}

/* Depth-first, iterative: a grey stage met again closes a cycle. */
static int
g_cycles(struct graph *g)
{
	unsigned int n = g->c->stages.n, i;
	int *edge = malloc(n * sizeof(int)), s, e, top, k;
	char loop[256];
	size_t len;

	if (edge == NULL)
		return conf_err(g->c, NULL, "out of memory");
	memset(g->seen, 0, n); /* 0 white, 1 grey (on the stack), 2 black */
	for (i = 0; i < n; i++) {
		if (g->seen[i] != 0)
			continue;
		top = 0;
		g->stack[top] = (int)i;
		edge[top++] = g->out[i];
		g->seen[i] = 1;
		while (top > 0) {
			e = edge[top - 1];
			if (e < 0) {
				g->seen[g->stack[--top]] = 2;
				continue;
			}
			edge[top - 1] = g->next_out[e];
			s = g->c->edges.v[e].b.st;
			if (g->seen[s] == 0) {
				g->seen[s] = 1;
				g->stack[top] = s;
				edge[top++] = g->out[s];
			} else if (g->seen[s] == 1) {
				for (k = top - 1; g->stack[k] != s; k--)
					;
				for (len = 0; k < top && len < 200; k++)
					len += snprintf(loop + len,
							sizeof(loop) - len,
							"%s -> ",
							g_name(g, g->stack[k]));
				free(edge);
				return conf_err(g->c, &g->c->edges.v[e].pos,
						"found a cycle %s%s, expected a "
						"graph without loops", loop,
						g_name(g, s));
			}
		}
	}
	free(edge);
	return 0;
}

int
conf_check_graph(struct pk_conf *c)
{
	unsigned int n = c->stages.n, m = c->edges.n, i;
	struct graph g = { .c = c };
	int rc = 0;

	g.out = malloc((2 * n + 2 * m + n + 1) * sizeof(int) + n + 1);
	if (g.out == NULL)
		return conf_err(c, NULL, "out of memory");
	g.in = g.out + n;
	g.next_out = g.in + n;
	g.next_in = g.next_out + m;
	g.stack = g.next_in + m;
	g.seen = (uint8_t *)(g.stack + n + 1);
	for (i = 0; i < n; i++)
		g.out[i] = g.in[i] = -1;
	for (i = m; i-- > 0;) {
		g.next_out[i] = g.out[c->edges.v[i].a.st];
		g.out[c->edges.v[i].a.st] = (int)i;
		g.next_in[i] = g.in[c->edges.v[i].b.st];
		g.in[c->edges.v[i].b.st] = (int)i;
	}
	for (i = 0; i < m && !conf_enough(c); i++)
		if (g_static_mode(&g, &c->edges.v[i]) != 0)
			rc = -EINVAL;
	for (i = 0; rc == 0 && i < n; i++)
		if (c->stages.v[i].role == ROLE_THREAD &&
		    (g_walk(&g, (int)i, true) != 0 ||
		     g_walk(&g, (int)i, false) != 0))
			rc = -EINVAL;
	for (i = 0; rc == 0 && i < m && !conf_enough(c); i++)
		if (g_undecided(&g, &c->edges.v[i]) != 0 ||
		    g_attach_inside(&g, &c->edges.v[i]) != 0)
			rc = -EINVAL;
	for (i = 0; rc == 0 && i < n && !conf_enough(c); i++)
		if (g_ends(&g, (int)i) != 0 || g_fan(&g, (int)i) != 0)
			rc = -EINVAL;
	if (rc == 0)
		rc = g_cycles(&g);
	free(g.out);
	if (conf_check_lcores(c) != 0)
		rc = -EINVAL;
	return rc;
}
