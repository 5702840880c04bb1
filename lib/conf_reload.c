/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reloading a running configuration (pk_conf_reload_string()): the new
 * generation is parsed, checked and built beside the running one, taking
 * over what cannot exist twice (runners by name, since threads find them by
 * name and an lcore runs one; ports, since an ethdev is set up once), then
 * switched in from the control thread:
 *
 *   stop the old threads -> move their queues' packets -> start the new ones
 *
 * A runner keeps running throughout: stopping a continuation thread posts a
 * removal the runner applies between two runs and acknowledges
 * (pk_runner_remove()), and starting one posts an insertion. Once every old
 * thread has acknowledged, none of the graph's own threads runs in the old
 * graph, and the packets it holds are moved. The pause is the time between
 * the first stop and the last start; packets arriving meanwhile wait in the
 * ports' RX queues, so none is lost and order per flow holds (what was
 * queued in the old graph goes first). See doc/architecture.md, "Live
 * reload".
 *
 * Why stop, and not switch by RCU alone (publish the new graph with one
 * pointer swap per entry point, let readers move over at their own pace,
 * free the old one after a grace period): order per flow. After the swap a
 * reader's next burst enters the new graph while packets of the same flows
 * still sit in the old graph's queues and scheduler (or are in flight in an
 * old thread's run); they can only be moved into the new queues after the
 * old graph's consumers stopped, and by then newer packets are ahead of
 * them. A flow would be reordered at every reload, under load. Stopping the
 * old consumers first, moving their backlog, then starting the new ones,
 * with the RX queues holding what arrives meanwhile, keeps the old backlog
 * first.
 *
 * The grace period is a real one all the same: before the old generation
 * is freed, pk_rcu_synchronize() waits for every one of the library's RCU
 * readers (pk_rcu.h: runner lcores, thread_lcore loops, entry runs,
 * application loops), not only the graph's own threads. That covers
 * contexts the stop does not: a runner that also runs other
 * configurations' threads, an application thread running an entry thread
 * or pushing into a stage of the old graph it found before the switch, a
 * demux elsewhere whose key led here. Telemetry readers walk the live
 * lists under their lock, which a destroy takes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include <pathkit/pk_rcu.h>

#include "conf_reload_pvt.h"
#include "runner_pvt.h"

int
conf_adopt_port(struct pk_conf *c, struct conf_port *p)
{
	const struct conf_port *o;
	unsigned int i;

	for (i = 0; c->from != NULL && i < c->from->ports.n; i++) {
		o = &c->from->ports.v[i];
		if (o->id != p->id || !(o->started || o->adopted))
			continue;
		if (o->rxq != p->rxq || o->txq != p->txq || o->rxd != p->rxd ||
		    o->txd != p->txd || o->promisc != p->promisc)
			return conf_err(c, &p->pos, "found port %s with other "
					"queues, descriptors or promisc than "
					"the running configuration's, expected "
					"the same: a reload keeps ports up as "
					"they are", p->spec);
		p->adopted = true;
		return 1;
	}
	return 0;
}

int
conf_adopt_runner(struct pk_conf *c, struct conf_runner *r)
{
	const struct conf_runner *o;
	unsigned int i;

	for (i = 0; c->from != NULL && i < c->from->runners.n; i++) {
		o = &c->from->runners.v[i];
		if (strcmp(o->name, r->name) != 0 || o->r == NULL)
			continue;
		if (o->lcore != r->lcore)
			return conf_err(c, conf_arg_pos(&r->args, "lcore",
							&r->pos),
					"found runner %s on lcore %d, expected "
					"lcore %d where it runs: a reload "
					"keeps runners where they are",
					r->name, r->lcore, o->lcore);
		r->r = o->r;
		r->adopted = true;
		return 1;
	}
	return 0;
}

/* Does generation g run runner r (its own or taken over)? */
static bool
gen_has_runner(const struct pk_conf *g, const struct pk_runner *r)
{
	unsigned int i;

	for (i = 0; i < g->runners.n; i++)
		if (g->runners.v[i].r == r)
			return true;
	return false;
}

/* Stop g's threads, then its runners that next does not run. */
static void
gen_stop(struct pk_conf *g, const struct pk_conf *next)
{
	struct pk_thread *t;
	unsigned int i;

	/* every runner takes its threads off at once: one wait per runner */
	for (i = 0; i < g->stages.n; i++) {
		t = pk_thread_from_stage(g->stages.v[i].s);
		if (t != NULL && t->runner != NULL)
			pk_runner_remove_post(t->runner, t);
	}
	for (i = 0; i < g->stages.n; i++)
		pk_thread_stop(pk_thread_from_stage(g->stages.v[i].s));
	for (i = 0; i < g->runners.n; i++)
		if (!gen_has_runner(next, g->runners.v[i].r))
			pk_runner_stop(g->runners.v[i].r);
	g->started = false;
}

/* Start g's threads, then its runners not running yet; undo on failure. */
static int
gen_start(struct pk_conf *g, const struct pk_conf *prev)
{
	int rc = conf_start_all(g, true);

	g->started = true;
	if (rc != 0)
		gen_stop(g, prev);
	return rc;
}

/* After the switch: what nc took over is nc's to free now, not old's. */
static void
gen_hand_over(struct pk_conf *old, struct pk_conf *nc)
{
	unsigned int i, j;

	for (i = 0; i < nc->runners.n; i++) {
		if (!nc->runners.v[i].adopted)
			continue;
		for (j = 0; j < old->runners.n; j++)
			if (old->runners.v[j].r == nc->runners.v[i].r) {
				old->runners.v[j].r = NULL;
				old->runners.v[j].adopted = false;
			}
		nc->runners.v[i].adopted = false;
	}
	for (i = 0; i < nc->ports.n; i++) {
		if (!nc->ports.v[i].adopted)
			continue;
		for (j = 0; j < old->ports.n; j++)
			if (old->ports.v[j].id == nc->ports.v[i].id) {
				old->ports.v[j].started = false;
				old->ports.v[j].adopted = false;
			}
		nc->ports.v[i].adopted = false;
		nc->ports.v[i].started = true;
	}
	for (i = 0; i < nc->owners.n; i++)
		for (j = 0; j < old->owners.n; j++)
			if (old->owners.v[j].created &&
			    old->owners.v[j].id == nc->owners.v[i].id) {
				old->owners.v[j].created = false;
				nc->owners.v[i].created = true;
			}
}

static void
stats_add(struct pk_conf_reload_stats *sum,
	  const struct pk_conf_reload_stats *one)
{
	sum->reloads += one->reloads;
	sum->failed += one->failed;
	sum->moved += one->moved;
	sum->dropped_gone += one->dropped_gone;
	sum->dropped_full += one->dropped_full;
	if (one->reloads != 0)
		sum->pause_ns = one->pause_ns;
	sum->max_pause_ns = RTE_MAX(sum->max_pause_ns, one->pause_ns);
}

/* Stop run, move its packets into nc, start nc; or all back. */
static int
gen_switch(struct pk_conf *run, struct pk_conf *nc,
	   struct pk_conf_reload_stats *st)
{
	struct pk_conf_reload_stats back = { 0 };
	bool was_started = run->started;
	uint64_t t0 = rte_rdtsc();
	int rc = 0;

	if (was_started)
		gen_stop(run, nc);
	conf_move_packets(run, nc, st, -1);
	if (was_started)
		rc = gen_start(nc, run);
	st->pause_ns = (rte_rdtsc() - t0) * 1000000000ull / rte_get_tsc_hz();
	if (rc == 0)
		return 0;
	/* the new generation's threads would not start: the old one again */
	conf_move_packets(nc, run, &back, -1);
	conf_attach_again(run);
	if (gen_start(run, nc) != 0)
		fprintf(run->err, "reload: the running configuration did not "
			"start again either\n");
	st->moved = 0;
	st->dropped_gone += back.dropped_gone;
	st->dropped_full += back.dropped_full;
	return rc;
}

int
conf_generation_replace(struct pk_conf *run, struct pk_conf *nc, int rc,
			FILE *err, struct pk_conf_reload_stats *one,
			struct pk_conf_reload_stats *out)
{
	struct pk_conf_reload_stats st = *one;
	struct pk_conf old;

	if (rc != 0) {
		/* its threads may have run (a start undone): a grace first */
		pk_rcu_synchronize();
		pk_conf_destroy(nc); /* what it took over stays run's */
		goto refused;
	}
	gen_hand_over(run, nc);
	st.reloads = 1;
	/* c stays the caller's handle: it holds the new generation now */
	old = *run;
	*run = *nc;
	*nc = old;
	run->par = old.par;
	run->err = old.err;
	run->reloads = old.reloads;
	stats_add(&run->reloads, &st);
	/* no reader of any kind holds the old generation after this */
	pk_rcu_synchronize();
	pk_conf_destroy(nc); /* the old generation, stopped */
	if (out != NULL)
		*out = st;
	return 0;
refused:
	fprintf(err != NULL ? err : run->err, "reload: kept the running "
		"configuration (%s)\n", rte_strerror(-rc));
	st.failed = 1;
	stats_add(&run->reloads, &st);
	if (out != NULL)
		*out = st;
	return rc;
}

/* Build nc beside run and switch it in; nc is freed either way. */
static int
conf_reload(struct pk_conf *run, struct pk_conf *nc, FILE *err,
	    struct pk_conf_reload_stats *out)
{
	struct pk_conf_reload_stats st = { 0 };
	int rc = -(rte_errno != 0 ? rte_errno : EINVAL);

	if (nc != NULL) {
		nc->from = run;
		rc = pk_conf_build(nc);
		if (rc == 0) /* drop sinks into run: nc's, or refused */
			rc = conf_drops_carry(run, nc, false);
		if (rc == 0)
			rc = gen_switch(run, nc, &st);
		if (rc == 0)
			conf_drops_carry(run, nc, true);
		nc->from = NULL;
	}
	return conf_generation_replace(run, nc, rc, err, &st, out);
}

static int
reload_params(struct pk_conf *c, FILE *err, struct pk_conf_params *par)
{
	if (c == NULL || !c->built)
		return -EINVAL;
	*par = c->par;
	if (err != NULL)
		par->err = err;
	rte_errno = 0;
	return 0;
}

int
pk_conf_reload_string(struct pk_conf *c, const char *text, const char *name,
		      FILE *err, struct pk_conf_reload_stats *st)
{
	struct pk_conf_params par;
	int rc = reload_params(c, err, &par);

	if (rc != 0)
		return rc;
	if (name == NULL)
		name = "<reload>";
	return conf_reload(c, text == NULL ? NULL :
			   pk_conf_parse_string(text, name, &par), err, st);
}

int
pk_conf_reload_file(struct pk_conf *c, const char *path, FILE *err,
		    struct pk_conf_reload_stats *st)
{
	struct pk_conf_params par;
	int rc = reload_params(c, err, &par);

	if (rc != 0)
		return rc;
	return conf_reload(c, path == NULL ? NULL :
			   pk_conf_parse_file(path, &par), err, st);
}

int
pk_conf_reload_stats_get(const struct pk_conf *c,
			 struct pk_conf_reload_stats *st)
{
	if (c == NULL || st == NULL)
		return -EINVAL;
	*st = c->reloads;
	return 0;
}
