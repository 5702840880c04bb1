/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building a checked configuration into objects, and tearing them down:
 * owners, ports, runners, stages, paths, links, scheduler inputs, keys, in
 * that order (each step needs the ones before); teardown in the reverse,
 * and safe on a build that stopped half way, so that a failed build leaves
 * nothing behind. A kind or library call that refuses says why in a log
 * line: while it runs, the log goes to a memory stream, and the reason is
 * reported with the place in the configuration that asked for it (the
 * line is kept only when the call succeeds: conf_log.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_port.h>
#include <pathkit/pk_sched.h>

#include "conf_reload_pvt.h"

static struct pk_stage *
conf_obj(const struct pk_conf *c, struct conf_end e)
{
	return e.path >= 0 ? pk_path_stage(c->paths.v[e.path].p) :
			     c->stages.v[e.st].s;
}

/* Is lcore a worker lcore of this process? */
static int
conf_worker(struct pk_conf *c, int lcore, const struct conf_pos *pos)
{
	char list[256];
	unsigned int lc;
	size_t len = 0;

	if (lcore >= 0 && rte_lcore_is_enabled((unsigned int)lcore) &&
	    (unsigned int)lcore != rte_get_main_lcore())
		return 0;
	list[0] = '\0';
	RTE_LCORE_FOREACH_WORKER(lc)
		if (len < sizeof(list))
			len += snprintf(list + len, sizeof(list) - len, "%s%u",
					len == 0 ? "" : ",", lc);
	return conf_err(c, pos, "found lcore %d, expected a worker lcore of "
			"this process (%s)", lcore,
			len == 0 ? "it has none: give EAL -l with two or more" :
				   list);
}

static int
build_owners(struct pk_conf *c)
{
	struct conf_owner *o;
	unsigned int i;

	for (i = 0; i < c->owners.n; i++) {
		o = &c->owners.v[i];
		o->id = pk_owner_lookup(o->name);
		if (o->id >= 0)
			continue;
		o->id = pk_owner_create(o->name);
		if (o->id < 0) {
			conf_err(c, &o->pos, "cannot create owner %s: %s",
				 o->name, rte_strerror(-o->id));
			return o->id;
		}
		o->created = true;
	}
	return 0;
}

static int
build_ports(struct pk_conf *c)
{
	struct pk_port_conf pc = { .mp = c->par.mp };
	struct conf_logcap lc;
	struct conf_port *p;
	char why[256];
	unsigned int i;
	int rc;

	for (i = 0; i < c->ports.n; i++) {
		p = &c->ports.v[i];
		if (pk_port_lookup(p->spec, &p->id) != 0)
			return conf_err(c, &p->pos, "found port %s, expected "
					"one of this process's %u ethdev ports "
					"(an id or a device name)", p->spec,
					rte_eth_dev_count_avail()), -ENODEV;
		if (c->par.mp == NULL)
			return conf_err(c, &p->pos, "found port %s, expected a "
					"mempool in the parameters to set it up",
					p->spec);
		rc = conf_adopt_port(c, p);
		if (rc < 0)
			return rc;
		if (rc > 0)
			continue; /* up already, and stays so */
		pc.nb_rxq = p->rxq;
		pc.nb_txq = p->txq;
		pc.nb_rxd = p->rxd;
		pc.nb_txd = p->txd;
		pc.promiscuous = p->promisc;
		conf_cap_begin(&lc);
		rc = pk_port_setup(p->id, &pc);
		conf_cap_end(&lc, rc, p->spec, why, sizeof(why));
		if (rc != 0) {
			conf_err(c, &p->pos, "cannot set port %s up: %s",
				 p->spec, why);
			return rc;
		}
		p->started = true;
	}
	return 0;
}

static int
build_runners(struct pk_conf *c)
{
	struct conf_runner *r;
	unsigned int i;
	int rc;

	for (i = 0; i < c->runners.n; i++) {
		r = &c->runners.v[i];
		rc = conf_adopt_runner(c, r);
		if (rc < 0)
			return rc;
		if (rc > 0)
			continue; /* running already: the new threads join it */
		if (conf_worker(c, r->lcore, conf_arg_pos(&r->args, "lcore",
							  &r->pos)) != 0)
			return -EINVAL;
		r->r = pk_runner_create(r->name, (unsigned int)r->lcore,
					c->par.socket_id);
		if (r->r == NULL) {
			rc = -rte_errno;
			conf_err(c, &r->pos, "cannot create runner %s: %s",
				 r->name, rc == -EEXIST ? "a runner has that "
				 "name already" : rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* "key=value,key=value" of a stage's arguments. */
static int
build_args(struct pk_conf *c, const struct conf_stage *st, char **out)
{
	size_t len = 1, off = 0;
	unsigned int i;
	char *s;

	for (i = 0; i < st->args.n; i++)
		len += strlen(st->args.v[i].key) + strlen(st->args.v[i].val) + 2;
	s = malloc(len);
	if (s == NULL)
		return conf_err(c, NULL, "out of memory"), -ENOMEM;
	s[0] = '\0';
	for (i = 0; i < st->args.n; i++)
		off += snprintf(s + off, len - off, "%s%s=%s", i == 0 ? "" : ",",
				st->args.v[i].key, st->args.v[i].val);
	*out = s;
	return 0;
}

static int
build_stages(struct pk_conf *c)
{
	struct conf_logcap lc;
	struct conf_stage *st;
	char why[256], *args;
	unsigned int i;
	int rc;

	for (i = 0; i < c->stages.n; i++) {
		st = &c->stages.v[i];
		if (conf_swap_adopt_stage(c, st))
			continue; /* the running one's: a path swap */
		if (st->lcore >= 0 && st->runner < 0 &&
		    conf_worker(c, st->lcore, conf_arg_pos(&st->args, "lcore",
							   &st->pos)) != 0)
			return -EINVAL;
		rc = build_args(c, st, &args);
		if (rc != 0)
			return rc;
		conf_cap_begin(&lc);
		st->s = pk_stage_create(st->kind, st->name, args,
					c->par.socket_id);
		rc = st->s == NULL ? -(rte_errno != 0 ? rte_errno : EINVAL) : 0;
		conf_cap_end(&lc, rc, st->name, why, sizeof(why));
		free(args);
		if (rc != 0) {
			conf_err(c, &st->pos, "cannot create %s (%s): %s",
				 st->name, st->kind, why);
			return rc;
		}
		st->owned = true;
	}
	return 0;
}

static int
build_paths(struct pk_conf *c)
{
	struct pk_stage *member[PK_PATH_MAX_STAGES];
	struct pk_path_conf pc = { .socket_id = c->par.socket_id };
	struct conf_logcap lc;
	struct conf_path *p;
	unsigned int i, j;
	char why[256];

	for (i = 0; i < c->paths.n; i++) {
		p = &c->paths.v[i];
		if (conf_swap_adopt_path(c, p))
			continue;
		pc.name = p->name;
		pc.owner = p->owner >= 0 ? (uint32_t)c->owners.v[p->owner].id :
					   PK_OWNER_UNKNOWN;
		pc.tail = (enum pk_path_tail)p->tail;
		pc.acct = p->acct;
		pc.flags = p->flags;
		for (j = 0; j < p->n; j++)
			member[j] = c->stages.v[p->member[j]].s;
		conf_cap_begin(&lc);
		p->p = pk_path_create(&pc, member, p->n);
		conf_cap_end(&lc, p->p == NULL ? rte_errno : 0, p->name, why,
			     sizeof(why));
		if (p->p == NULL) {
			conf_err(c, &p->pos, "cannot create path %s: %s",
				 p->name, why);
			return -EINVAL;
		}
		for (j = 0; j < p->n; j++)
			c->stages.v[p->member[j]].owned = false;
	}
	return 0;
}

/* Links, scheduler inputs and keys: what the edges say. */
static int
build_edges(struct pk_conf *c)
{
	struct pk_sched_queue_conf qc;
	struct conf_logcap lc;
	struct conf_edge *e;
	struct conf_key *k;
	unsigned int i;
	char why[256];
	int rc;

	for (i = 0; i < c->edges.n; i++) {
		e = &c->edges.v[i];
		if (e->internal || e->mode == MODE_KEY ||
		    conf_swap_skip_edge(c, e))
			continue;
		conf_cap_begin(&lc);
		if (e->mode == MODE_ATTACH) {
			qc.stage = conf_obj(c, e->a);
			qc.param = e->has_param ? e->param :
				   PK_SCHED_PARAM_DEFAULT;
			rc = pk_sched_queue_attach(conf_obj(c, e->b), &qc);
			e->qid = rc;
			rc = rc < 0 ? rc : 0;
		} else {
			rc = pk_stage_link(conf_obj(c, e->a), conf_obj(c, e->b));
		}
		conf_cap_end(&lc, rc, conf_end_name(c, e->a), why, sizeof(why));
		if (rc != 0)
			return conf_err(c, &e->pos, "cannot link %s -> %s: %s",
					conf_end_name(c, e->a),
					conf_end_name(c, e->b), why), rc;
	}
	for (i = 0; i < c->keys.n; i++) {
		k = &c->keys.v[i];
		if (conf_swap_skip_key(c, k))
			continue;
		rc = conf_portmap_key(c, k, true, why, sizeof(why));
		if (rc != 0)
			return conf_err(c, &k->pos, "key %s on %s: %s",
					k->text, k->demux, why), rc;
		conf_cap_begin(&lc);
		rc = pk_demux_flow_add(c->stages.v[k->d].s, &k->key,
				       conf_obj(c, k->t));
		conf_cap_end(&lc, rc, k->demux, why, sizeof(why));
		if (rc != 0)
			conf_portmap_key(c, k, false, NULL, 0);
		if (rc != 0)
			return conf_err(c, &k->pos, "cannot install key %s on "
					"%s: %s", k->text, k->demux, why), rc;
	}
	return 0;
}

/* Whatever was built, in reverse; safe half way. */
void
conf_teardown(struct pk_conf *c)
{
	struct conf_stage *st;
	unsigned int i;

	pk_conf_stop(c);
	/* schedulers first: they hold their stage queues' heads */
	for (i = 0; i < c->stages.n; i++) {
		st = &c->stages.v[i];
		if (st->owned && st->role == ROLE_SCHED) {
			pk_stage_destroy(st->s);
			st->s = NULL;
		}
	}
	for (i = 0; i < c->paths.n; i++) {
		if (!c->paths.v[i].adopted) /* else the running one's */
			pk_path_destroy(c->paths.v[i].p);
		c->paths.v[i].p = NULL;
		c->paths.v[i].adopted = false;
	}
	for (i = 0; i < c->stages.n; i++) {
		st = &c->stages.v[i];
		if (st->owned)
			pk_stage_destroy(st->s);
		st->s = NULL;
		st->owned = false;
		st->adopted = false;
	}
	conf_portmap_teardown(c); /* its demux is gone */
	for (i = 0; i < c->runners.n; i++) {
		if (!c->runners.v[i].adopted) /* else the running one's */
			pk_runner_destroy(c->runners.v[i].r);
		c->runners.v[i].r = NULL;
		c->runners.v[i].adopted = false;
	}
	for (i = 0; i < c->ports.n; i++) {
		if (c->ports.v[i].started) /* else not up, or another's */
			rte_eth_dev_stop(c->ports.v[i].id);
		c->ports.v[i].started = false;
		c->ports.v[i].adopted = false;
	}
	for (i = 0; i < c->owners.n; i++) {
		if (c->owners.v[i].created)
			pk_owner_destroy((uint32_t)c->owners.v[i].id);
		c->owners.v[i].created = false;
		c->owners.v[i].id = -1;
	}
	c->built = false;
}

int
pk_conf_build(struct pk_conf *c)
{
	int rc;

	if (c == NULL)
		return -EINVAL;
	if (c->built)
		return -EALREADY;
	c->built = true; /* for pk_conf_stop() in a teardown */
	rc = build_owners(c);
	if (rc == 0)
		rc = conf_portmap_build(c);
	if (rc == 0)
		rc = build_ports(c);
	if (rc == 0)
		rc = build_runners(c);
	if (rc == 0)
		rc = build_stages(c);
	if (rc == 0)
		rc = build_paths(c);
	if (rc == 0)
		rc = build_edges(c);
	if (rc == 0)
		rc = conf_build_drops(c);
	if (rc != 0)
		conf_teardown(c);
	return rc;
}
