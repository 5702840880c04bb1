/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From chains to edges: the names a chain mentions, the stages each path's
 * body makes its members (one chain, head first), and an edge for each
 * "a -> b" with its ends: a member's own for an edge inside a path's body;
 * for an edge outside, a path reached by its name or at its head or tail
 * (pk_path_create() links the inside, pk_stage_link() the outside, on the
 * path's own stage so that the path counts what crosses it). Brackets
 * become a demux's output names and a scheduler's input parameters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pk_parse.h>
#include <pathkit/pk_sched_policy.h>

#include "conf_pvt.h"

/* An occurrence's name: a stage (*st) or a path (*path), or an error. */
int
conf_chain_resolve(struct pk_conf *c, const struct conf_occ *o, int *st, int *path)
{
	const struct conf_name *n = conf_name_find(c, o->name);
	const char **cands, *near = NULL;
	unsigned int i, k = 0;

	*st = *path = -1;
	if (n != NULL && n->type == NAME_STAGE) {
		*st = n->idx;
		return 0;
	}
	if (n != NULL && n->type == NAME_PATH) {
		*path = n->idx;
		return 0;
	}
	if (n != NULL)
		return conf_err(c, &o->pos, "found runner %s, expected a stage "
				"or path", o->name);
	cands = malloc((c->stages.n + c->paths.n + 1) * sizeof(*cands));
	if (cands != NULL) {
		for (i = 0; i < c->stages.n; i++)
			cands[k++] = c->stages.v[i].name;
		for (i = 0; i < c->paths.n; i++)
			cands[k++] = c->paths.v[i].name;
		near = conf_nearest(o->name, cands, k);
	}
	free(cands);
	return conf_err(c, &o->pos, "found %s, expected a stage or path "
			"(declared as %s :: KIND)%s%s%s", o->name, o->name,
			near != NULL ? ": did you mean " : "",
			near != NULL ? near : "", near != NULL ? "?" : "");
}

/* Every stage a path's body mentions belongs to that path. */
static int
chain_members(struct pk_conf *c, const struct conf_chain *ch)
{
	struct conf_stage *s;
	unsigned int i;
	char where[64];
	int st, path;

	for (i = 0; i < ch->n; i++) {
		if (conf_chain_resolve(c, &ch->v[i], &st, &path) != 0)
			return -EINVAL;
		if (path >= 0)
			return conf_err(c, &ch->v[i].pos, "found path %s in "
					"path %s, expected a stage (paths do "
					"not nest)", ch->v[i].name,
					c->paths.v[ch->path].name);
		s = &c->stages.v[st];
		if (s->path >= 0 && s->path != ch->path)
			return conf_err(c, &ch->v[i].pos, "found %s in path %s, "
					"expected it in one path: it is in %s "
					"(at %s)", s->name,
					c->paths.v[ch->path].name,
					c->paths.v[s->path].name,
					conf_where(c, &c->paths.v[s->path].pos,
						   where, sizeof(where)));
		s->path = ch->path;
	}
	return 0;
}

/* Order a path's members from its body's links: head first, one chain. */
static int
chain_order(struct pk_conf *c, int pi, int *nxt, int *prv)
{
	struct conf_path *p = &c->paths.v[pi];
	unsigned int i, n = 0;
	int head = -1, s;

	for (i = 0; i < c->stages.n; i++) {
		if (c->stages.v[i].path != pi)
			continue;
		n++;
		if (prv[i] >= 0)
			continue;
		if (head >= 0)
			return conf_err(c, &c->stages.v[i].pos, "found %s apart "
					"from %s in path %s, expected one chain "
					"(a -> b -> c)", c->stages.v[i].name,
					c->stages.v[head].name, p->name);
		head = (int)i;
	}
	if (n == 0)
		return conf_err(c, &p->pos, "found path %s with no stage, "
				"expected { a -> b ... }", p->name);
	if (n > PK_PATH_MAX_STAGES)
		return conf_err(c, &p->pos, "found %u stages in path %s, "
				"expected at most %d", n, p->name,
				PK_PATH_MAX_STAGES);
	if (head < 0)
		return conf_err(c, &p->pos, "found a cycle in path %s, "
				"expected a chain with a head", p->name);
	p->member = calloc(n, sizeof(*p->member));
	if (p->member == NULL)
		return conf_err(c, NULL, "out of memory");
	for (s = head; s >= 0 && p->n < n; s = nxt[s])
		p->member[p->n++] = s;
	if (p->n != n || s >= 0)
		return conf_err(c, &p->pos, "found a cycle in path %s, "
				"expected one chain", p->name);
	return 0;
}

/* Note the body link a -> b of a path; a stage has one next in it. */
static int
chain_link(struct pk_conf *c, const struct conf_occ *oa,
	   const struct conf_occ *ob, int *nxt, int *prv)
{
	int a, b, pa;

	conf_chain_resolve(c, oa, &a, &pa);
	conf_chain_resolve(c, ob, &b, &pa);
	if ((nxt[a] >= 0 && nxt[a] != b) || (prv[b] >= 0 && prv[b] != a))
		return conf_err(c, &ob->pos, "found %s -> %s besides %s -> %s "
				"in path %s, expected one chain", oa->name,
				ob->name, nxt[a] >= 0 ? oa->name :
				c->stages.v[prv[b]].name, nxt[a] >= 0 ?
				c->stages.v[nxt[a]].name : ob->name,
				c->paths.v[c->stages.v[a].path].name);
	nxt[a] = b;
	prv[b] = a;
	return 0;
}

/* An outside edge's end at occurrence o: out of it (tail) or into it. */
static int
chain_end(struct pk_conf *c, const struct conf_occ *o, bool out,
	  struct conf_end *e)
{
	const struct conf_path *p;
	int want;

	if (conf_chain_resolve(c, o, &e->st, &e->path) != 0)
		return -EINVAL;
	if (e->path >= 0) {
		p = &c->paths.v[e->path];
		e->st = p->member[out ? p->n - 1 : 0];
		return 0;
	}
	if (c->stages.v[e->st].path < 0)
		return 0;
	p = &c->paths.v[c->stages.v[e->st].path];
	want = p->member[out ? p->n - 1 : 0];
	if (want != e->st)
		return conf_err(c, &o->pos, "found %s, which is inside path %s, "
				"expected %s or its %s %s (a path is linked at "
				"its ends)", o->name, p->name, p->name,
				out ? "tail" : "head", c->stages.v[want].name);
	e->path = c->stages.v[e->st].path;
	return 0;
}

/* A scheduler's input parameter, from the bracket after it. */
static int
chain_param(struct pk_conf *c, const struct conf_stage *s,
	    const struct conf_br *br, struct conf_edge *e)
{
	const struct pk_sched_policy *pol = NULL, *inner = NULL;
	const char *name, *keys[2];
	char what[64];

	/* two levels: an input is a queue of a class, its parameter INNER's */
	if (pk_sched_policy_lookup(s->policy, &pol, &inner, NULL, 0) != 0)
		pol = NULL;
	else if (inner != NULL)
		pol = inner;
	name = conf_policy_param(pol != NULL ? pol->name : s->policy);
	keys[0] = name;
	keys[1] = NULL;
	uint64_t v;

	if (br->out != NULL)
		return conf_err(c, &br->pos, "found [%s] after pktsched %s, "
				"expected [%s=N]", br->out, s->name,
				name != NULL ? name : "nothing: its policy "
				"takes no parameter, so no");
	snprintf(what, sizeof(what), "an input of %s (policy %s)", s->name,
		 s->policy);
	if (conf_args_only(c, &br->args, what, keys) != 0)
		return -EINVAL;
	if (name == NULL || pol == NULL || conf_arg(&br->args, name) == NULL)
		return 0;
	if (conf_arg_u64(c, &br->args, name, pol->param_min, pol->param_max,
			 0, &v) != 0)
		return -EINVAL;
	e->has_param = true;
	e->param = (uint32_t)v;
	return 0;
}

/* A bracket's meaning at occurrence i of ch, on the edges at its sides. */
static int
chain_bracket(struct pk_conf *c, const struct conf_chain *ch, unsigned int i,
	      struct conf_edge *before, struct conf_edge *after)
{
	const struct conf_br *br = ch->v[i].br;
	const struct conf_stage *s;
	int st, path;

	conf_chain_resolve(c, &ch->v[i], &st, &path);
	s = st >= 0 ? &c->stages.v[st] : NULL;
	if (s != NULL && s->role == ROLE_DEMUX && after != NULL) {
		if (br == NULL)
			return 0;
		if (br->out == NULL)
			return conf_err(c, &br->pos, "found [KEY=VALUE] after "
					"demux %s, expected [OUTPUT]", s->name);
		after->out = br->out;
		return 0;
	}
	if (s != NULL && s->role == ROLE_SCHED && before != NULL)
		return br != NULL ? chain_param(c, s, br, before) : 0;
	if (br == NULL)
		return 0;
	return conf_err(c, &br->pos, "found '[' after %s, expected '->' or an "
			"end of line: only a demux_flow has named outputs (on "
			"the left of ->) and a pktsched weighted inputs (on the "
			"right)", ch->v[i].name);
}

/* The internal edge a -> b if a path's body says it twice, else NULL. */
static struct conf_edge *
chain_internal(struct pk_conf *c, const struct conf_chain *ch,
	       struct conf_end a, struct conf_end b)
{
	unsigned int i;

	for (i = 0; ch->path >= 0 && i < c->edges.n; i++)
		if (c->edges.v[i].internal && c->edges.v[i].a.st == a.st &&
		    c->edges.v[i].b.st == b.st)
			return &c->edges.v[i];
	return NULL;
}

/* The edges of a chain. */
static int
chain_edges(struct pk_conf *c, const struct conf_chain *ch)
{
	struct conf_edge *e, *prev = NULL;
	struct conf_end a, b;
	unsigned int i;

	for (i = 0; i + 1 < ch->n; i++) {
		if (ch->path >= 0) {
			conf_chain_resolve(c, &ch->v[i], &a.st, &a.path);
			conf_chain_resolve(c, &ch->v[i + 1], &b.st, &b.path);
		} else if (chain_end(c, &ch->v[i], true, &a) != 0 ||
			   chain_end(c, &ch->v[i + 1], false, &b) != 0) {
			return -EINVAL;
		}
		e = chain_internal(c, ch, a, b);
		if (e == NULL)
			e = conf_edge_add(c, a, b, &ch->v[i + 1].pos);
		if (e == NULL)
			return -ENOMEM;
		e->internal = ch->path >= 0;
		if (c->stages.v[a.st].role == ROLE_DEMUX)
			e->out = ch->v[i + 1].name; /* unless bracketed */
		if (chain_bracket(c, ch, i, prev, e) != 0)
			return -EINVAL;
		prev = e;
	}
	return chain_bracket(c, ch, ch->n - 1, prev, NULL);
}

/* Two outputs of a demux with one name, or two edges a -> b. */
static int
chain_dups(struct pk_conf *c)
{
	const struct conf_edge *e, *f;
	unsigned int i, j;
	char where[64];

	for (i = 0; i < c->edges.n; i++)
		for (j = 0, e = &c->edges.v[i]; j < i; j++) {
			f = &c->edges.v[j];
			if (f->a.st != e->a.st)
				continue;
			if (f->b.st == e->b.st && f->b.path == e->b.path)
				return conf_err(c, &e->pos, "found %s -> %s "
						"twice, expected it once "
						"(first at %s)",
						conf_end_name(c, e->a),
						conf_end_name(c, e->b),
						conf_where(c, &f->pos, where,
							   sizeof(where)));
			if (e->out != NULL && f->out != NULL &&
			    strcmp(e->out, f->out) == 0)
				return conf_err(c, &e->pos, "found output %s of "
						"%s twice, expected each output "
						"named once (first at %s)", e->out,
						conf_end_name(c, e->a),
						conf_where(c, &f->pos, where,
							   sizeof(where)));
		}
	return 0;
}

int
conf_check_chains(struct pk_conf *c)
{
	int *nxt = malloc(2 * (c->stages.n + 1) * sizeof(int)), *prv;
	const struct conf_chain *ch;
	unsigned int i, j;
	int rc = 0;

	if (nxt == NULL)
		return conf_err(c, NULL, "out of memory");
	prv = nxt + c->stages.n + 1;
	for (i = 0; i < c->stages.n; i++)
		nxt[i] = prv[i] = -1;
	for (i = 0; i < c->chains.n; i++)
		if (c->chains.v[i].path >= 0 &&
		    chain_members(c, &c->chains.v[i]) != 0)
			rc = -EINVAL;
	for (i = 0; rc == 0 && i < c->chains.n; i++) {
		ch = &c->chains.v[i];
		for (j = 0; ch->path >= 0 && j + 1 < ch->n && rc == 0; j++)
			rc = chain_link(c, &ch->v[j], &ch->v[j + 1], nxt, prv);
	}
	for (i = 0; rc == 0 && i < c->paths.n; i++)
		rc = chain_order(c, (int)i, nxt, prv);
	free(nxt);
	if (rc != 0)
		return rc; /* edges need every path's ends */
	for (i = 0; i < c->chains.n && !conf_enough(c); i++)
		if (chain_edges(c, &c->chains.v[i]) != 0)
			rc = -EINVAL;
	return rc == 0 ? chain_dups(c) : rc;
}
