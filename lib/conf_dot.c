/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a configuration shows: its graph in Graphviz's dot language (built
 * or not: it reads only the checked records), its objects' statistics once
 * built, and the registered kinds with their arguments (pk-run
 * --list-kinds, and what the language reference is checked against).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_runner.h>
#include <pathkit/pk_stage_driver.h>
#include <pathkit/pk_thread.h>

#include "conf_pvt.h"

#define DOT_KEYS_SHOWN 6 /* keys written on one edge, the rest counted */

/* Text inside a dot "string": quotes and backslashes escaped. */
static void
dot_str(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void
dot_node(const struct pk_conf *c, FILE *f, const struct conf_stage *st,
	 const char *indent)
{
	bool first = true;
	unsigned int i;

	fprintf(f, "%s\"%s\" [%slabel=\"%s\\n%s", indent, st->name,
		st->role == ROLE_THREAD ? "shape=ellipse, " : "", st->name,
		st->kind);
	if (st->runner >= 0)
		fprintf(f, "\\non %s (lcore %d)", c->runners.v[st->runner].name,
			c->runners.v[st->runner].lcore);
	for (i = 0; i < st->args.n; i++) {
		if (strcmp(st->args.v[i].key, "runner") == 0)
			continue;
		fprintf(f, "%s%s=", first ? "\\n" : " ", st->args.v[i].key);
		dot_str(f, st->args.v[i].val);
		first = false;
	}
	fprintf(f, "\"];\n");
}

/* The keys of edge e, one a line. */
static void
dot_keys(const struct pk_conf *c, FILE *f, const struct conf_edge *e)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->keys.n; i++) {
		const struct conf_key *k = &c->keys.v[i];

		if (k->d != e->a.st || k->t.st != e->b.st ||
		    k->t.path != e->b.path)
			continue;
		if (n++ < DOT_KEYS_SHOWN)
			fprintf(f, "%s%s", n == 1 ? "" : "\\n", k->text);
	}
	if (n > DOT_KEYS_SHOWN)
		fprintf(f, "\\n+%u more", n - DOT_KEYS_SHOWN);
	if (n == 0 && e->out != NULL)
		fprintf(f, "[%s]: no key", e->out);
}

static void
dot_edge(const struct pk_conf *c, FILE *f, const struct conf_edge *e)
{
	fprintf(f, "\t\"%s\" -> \"%s\"", c->stages.v[e->a.st].name,
		c->stages.v[e->b.st].name);
	switch (e->mode) {
	case MODE_PULL:
		fprintf(f, " [style=dashed]");
		break;
	case MODE_ATTACH:
		fprintf(f, " [style=dashed, label=\"");
		if (e->has_param)
			fprintf(f, "%s=%u", conf_policy_param(
				c->stages.v[e->b.st].policy), e->param);
		fprintf(f, "\"]");
		break;
	case MODE_KEY:
		fprintf(f, " [label=\"");
		dot_keys(c, f, e);
		fprintf(f, "\"]");
		break;
	default:
		break;
	}
	fprintf(f, ";\n");
}

int
pk_conf_dot(const struct pk_conf *c, FILE *f)
{
	const struct conf_path *p;
	unsigned int i, j;

	if (c == NULL || f == NULL)
		return -EINVAL;
	fprintf(f, "digraph \"");
	dot_str(f, c->files.v[0].name);
	fprintf(f, "\" {\n\trankdir=LR;\n\tnode [shape=box];\n");
	for (i = 0; i < c->paths.n; i++) {
		p = &c->paths.v[i];
		fprintf(f, "\tsubgraph \"cluster_%s\" {\n\t\tlabel=\"path %s\\n"
			"owner %s\";\n\t\tstyle=rounded;\n", p->name, p->name,
			p->owner >= 0 ? c->owners.v[p->owner].name :
					PK_OWNER_UNKNOWN_NAME);
		for (j = 0; j < p->n; j++)
			dot_node(c, f, &c->stages.v[p->member[j]], "\t\t");
		fprintf(f, "\t}\n");
	}
	for (i = 0; i < c->stages.n; i++)
		if (c->stages.v[i].path < 0)
			dot_node(c, f, &c->stages.v[i], "\t");
	for (i = 0; i < c->edges.n; i++)
		dot_edge(c, f, &c->edges.v[i]);
	for (i = 0; i < c->drops.n; i++) /* drops: not edges, dotted red */
		fprintf(f, "\t\"%s\" -> \"%s\" [style=dotted, color=red, "
			"label=\"drops\"];\n",
			c->stages.v[c->drops.v[i].f.st].name,
			c->stages.v[c->drops.v[i].s.st].name);
	fprintf(f, "}\n");
	return ferror(f) ? -EIO : 0;
}

static void
stats_thread(const struct pk_conf *c, FILE *f, const struct conf_stage *st)
{
	struct pk_thread *t = pk_thread_from_stage(st->s);
	struct pk_thread_stats ts;

	if (t == NULL || pk_thread_stats_get(t, &ts) != 0)
		return;
	fprintf(f, "thread %s runs=%" PRIu64 " idle_runs=%" PRIu64 " pkts=%"
		PRIu64 " busy_cycles=%" PRIu64 " idle_cycles=%" PRIu64
		" shares=%u%s%s\n", st->name, ts.runs, ts.idle_runs, ts.pkts,
		ts.busy_cycles, ts.idle_cycles, pk_thread_shares_get(t),
		st->runner >= 0 ? " runner=" : "",
		st->runner >= 0 ? c->runners.v[st->runner].name : "");
}

/* An owner's line: the sums of its paths' counters. */
static void
stats_owner(const struct pk_conf *c, FILE *f, int owner, const char *name)
{
	uint64_t in = 0, out = 0, dropped = 0;
	struct pk_stage_stats st;
	unsigned int i, r, n = 0;

	for (i = 0; i < c->paths.n; i++) {
		if (c->paths.v[i].owner != owner ||
		    pk_stage_stats_get(pk_path_stage(c->paths.v[i].p),
				       &st) != 0)
			continue;
		n++;
		in += st.in_pkts;
		out += st.out_pkts;
		for (r = 0; r < PK_DROP_MAX; r++)
			dropped += st.drops[r];
	}
	if (n > 0 || owner >= 0)
		fprintf(f, "owner %s paths=%u in=%" PRIu64 " out=%" PRIu64
			" dropped=%" PRIu64 "\n", name, n, in, out, dropped);
}

int
pk_conf_stats_print(const struct pk_conf *c, FILE *f)
{
	struct pk_runner_stats rs;
	unsigned int i;

	if (c == NULL || f == NULL || !c->built)
		return -EINVAL;
	for (i = 0; i < c->stages.n; i++)
		if (c->stages.v[i].path < 0)
			pk_stage_stats_print(f, c->stages.v[i].s);
	for (i = 0; i < c->paths.n; i++)
		pk_path_stats_print(f, c->paths.v[i].p);
	for (i = 0; i < c->stages.n; i++)
		stats_thread(c, f, &c->stages.v[i]);
	for (i = 0; i < c->runners.n; i++)
		if (pk_runner_stats_get(c->runners.v[i].r, &rs) == 0)
			fprintf(f, "runner %s lcore=%d threads=%u decisions=%"
				PRIu64 " busy_cycles=%" PRIu64 " idle_cycles=%"
				PRIu64 "\n", c->runners.v[i].name,
				c->runners.v[i].lcore, c->runners.v[i].threads,
				rs.decisions, rs.busy_cycles, rs.idle_cycles);
	for (i = 0; i < c->owners.n; i++)
		stats_owner(c, f, (int)i, c->owners.v[i].name);
	stats_owner(c, f, -1, PK_OWNER_UNKNOWN_NAME);
	if (c->reloads.reloads + c->reloads.failed != 0)
		fprintf(f, "reloads done=%" PRIu64 " refused=%" PRIu64
			" moved=%" PRIu64 " dropped=%" PRIu64 " last_pause_us=%"
			PRIu64 " max_pause_us=%" PRIu64 "\n",
			c->reloads.reloads, c->reloads.failed,
			c->reloads.moved, c->reloads.dropped_gone +
			c->reloads.dropped_full, c->reloads.pause_ns / 1000,
			c->reloads.max_pause_ns / 1000);
	return ferror(f) ? -EIO : 0;
}

static int
kinds_line(const struct pk_stage_kind *k, void *arg)
{
	FILE *f = arg;
	unsigned int i;

	fprintf(f, "%s(", k->name);
	for (i = 0; k->args != NULL && k->args[i] != NULL; i++)
		fprintf(f, "%s, ", k->args[i]);
	fprintf(f, "%s): %s\n", PK_STAGE_COMMON_ARGS,
		k->help != NULL ? k->help : "");
	return 0;
}

int
pk_conf_kinds_print(FILE *f)
{
	if (f == NULL)
		return -EINVAL;
	pk_stage_kind_foreach(kinds_line, f);
	return ferror(f) ? -EIO : 0;
}
