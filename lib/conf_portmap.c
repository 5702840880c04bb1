/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port maps in the configuration language (pk_portmap.h):
 *
 *   portmap NAME [(demux=D, ephemeral=LO-HI)]
 *   reserve NAME OWNER:udp|tcp:LO[-HI][@ADDR]
 *
 * A map is built after the owners (a reservation names one: declared, or
 * unknown) and before the stages; its reservations in the file's order.
 * With demux=D the map guards D's keys (portmap_guard.c): each passive key
 * binds its port for the owner of its target's path, so a key on a port
 * reserved for another owner is refused, here and when added at run time
 * (pk_ctl_key_add()), and a reservation over a bound port is refused. The
 * map is the configuration's: destroyed with it. A reload keeps none yet:
 * a configuration with a map is not reloaded, nor is one reloaded into a
 * text with a map (the new map would need the running one's name, and the
 * running map would guard the new demux of its demux's name).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_string_fns.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_portmap.h>

#include "conf_lex.h"
#include "conf_pvt.h"
#include "portmap_pvt.h"

struct conf_pmap {
	char name[PM_NAMESIZE];
	struct conf_pos pos;
	struct conf_args args;
	int demux;              /* the stage it guards, or -1 */
	uint16_t eph_lo, eph_hi;
	struct pk_portmap *pm;  /* built */
};

struct conf_resv {
	char *map;
	char *spec;
	struct conf_pos pos, spos;
	int m;                  /* checked: the map's index */
};

struct conf_pmaps {
	CONF_VEC(struct conf_pmap) maps;
	CONF_VEC(struct conf_resv) resv;
};

static struct conf_pmaps *
pmaps(struct pk_conf *c)
{
	if (c->pmaps == NULL)
		c->pmaps = calloc(1, sizeof(*c->pmaps));
	return c->pmaps;
}

/* "portmap NAME [(args)]", l at the keyword. */
int
conf_parse_portmap(struct conf_lex *l)
{
	struct pk_conf *c = l->c;
	struct conf_pmaps *v = pmaps(c);
	struct conf_pmap *m;
	char where[64];
	unsigned int i;

	if (v == NULL || (m = CONF_ADD(c, v->maps)) == NULL)
		return -ENOMEM;
	m->demux = -1;
	conf_lex_next(l);
	m->pos = l->pos;
	if (conf_parse_name(l, m->name, "a port map name") != 0)
		return -EINVAL;
	for (i = 0; i + 1 < v->maps.n; i++)
		if (strcmp(v->maps.v[i].name, m->name) == 0)
			return conf_err(c, &m->pos, "port map %s declared "
					"twice (first at %s)", m->name,
					conf_where(c, &v->maps.v[i].pos,
						   where, sizeof(where)));
	if (l->t == TK_LPAREN)
		return conf_parse_args(l, &m->args, TK_RPAREN);
	return 0;
}

/* "reserve MAP SPEC", l at the keyword. */
int
conf_parse_reserve(struct conf_lex *l)
{
	struct pk_conf *c = l->c;
	struct conf_pmaps *v = pmaps(c);
	struct conf_resv *r;

	if (v == NULL || (r = CONF_ADD(c, v->resv)) == NULL)
		return -ENOMEM;
	r->m = -1;
	if (conf_parse_value(l, "a port map name", false) != 0)
		return -EINVAL;
	r->pos = l->pos;
	r->map = conf_strdup(c, l->text);
	if (r->map == NULL)
		return -ENOMEM;
	if (conf_parse_value(l, "a reservation OWNER:udp|tcp:LO[-HI][@ADDR]",
			     false) != 0)
		return -EINVAL;
	r->spos = l->pos;
	r->spec = conf_strdup(c, l->text);
	if (r->spec == NULL)
		return -ENOMEM;
	conf_lex_next(l);
	return 0;
}

static int
check_map(struct pk_conf *c, struct conf_pmap *m)
{
	static const char *const keys[] = { "demux", "ephemeral", NULL };
	const char *d = conf_arg(&m->args, "demux");
	const char *e = conf_arg(&m->args, "ephemeral");
	const struct conf_name *n;
	char q[4 * PK_PARSE_QUOTE_MAX + 4], eb[32], *dash;
	uint64_t lo = PK_PORTMAP_EPHEMERAL_LO, hi = PK_PORTMAP_EPHEMERAL_HI;
	unsigned int i;

	if (conf_args_only(c, &m->args, "a port map", keys) != 0)
		return -EINVAL;
	if (d != NULL) {
		n = conf_name_find(c, d);
		if (n == NULL || n->type != NAME_STAGE ||
		    c->stages.v[n->idx].role != ROLE_DEMUX)
			return conf_err(c, conf_arg_pos(&m->args, "demux",
					&m->pos), "found '%s', expected a "
					"demux_flow stage", conf_quote(d, q,
					sizeof(q)));
		m->demux = n->idx;
		for (i = 0; c->pmaps->maps.v + i != m; i++)
			if (c->pmaps->maps.v[i].demux == m->demux)
				return conf_err(c, &m->pos, "found %s guarded "
						"by port map %s already, "
						"expected one map a demux", d,
						c->pmaps->maps.v[i].name);
	}
	if (e != NULL) {
		strlcpy(eb, e, sizeof(eb));
		dash = strchr(eb, '-');
		if (dash != NULL)
			*dash++ = '\0';
		if (dash == NULL ||
		    pk_parse_num(PK_PARSE_INT, dash, 1, 65535, &hi) != 0 ||
		    pk_parse_num(PK_PARSE_INT, eb, 1, hi, &lo) != 0)
			return conf_err(c, conf_arg_pos(&m->args, "ephemeral",
					&m->pos), "found '%s', expected "
					"ephemeral=LO-HI, ports 1..65535, LO "
					"<= HI", conf_quote(e, q, sizeof(q)));
	}
	m->eph_lo = (uint16_t)lo;
	m->eph_hi = (uint16_t)hi;
	return 0;
}

static int
check_resv(struct pk_conf *c, struct conf_resv *r)
{
	struct conf_pmaps *v = c->pmaps;
	char q[4 * PK_PARSE_QUOTE_MAX + 4], why[256];
	struct pm_spec s;
	unsigned int i;

	for (i = 0; i < v->maps.n; i++)
		if (strcmp(v->maps.v[i].name, r->map) == 0)
			r->m = (int)i;
	if (r->m < 0)
		return conf_err(c, &r->pos, "found %s, expected a port map "
				"(declare it: portmap %s)", conf_quote(r->map, q, sizeof(q)),
				conf_quote(r->map, q, sizeof(q)));
	if (pm_spec_parse(r->spec, &s, why, sizeof(why)) != 0)
		return conf_err(c, &r->spos, "%s", why);
	if (strcmp(s.owner, PK_OWNER_UNKNOWN_NAME) == 0)
		return 0;
	for (i = 0; i < c->owners.n; i++)
		if (strcmp(c->owners.v[i].name, s.owner) == 0)
			return 0;
	return conf_err(c, &r->spos, "found owner %s, expected a declared "
			"owner (owner %s) or unknown",
			s.owner, s.owner);
}

int
conf_portmap_check(struct pk_conf *c)
{
	unsigned int i;

	if (c->pmaps == NULL)
		return 0;
	for (i = 0; i < c->pmaps->maps.n && !conf_enough(c); i++)
		check_map(c, &c->pmaps->maps.v[i]);
	for (i = 0; i < c->pmaps->resv.n && !conf_enough(c); i++)
		check_resv(c, &c->pmaps->resv.v[i]);
	return c->nerr != 0 ? -EINVAL : 0;
}

int
conf_portmap_build(struct pk_conf *c)
{
	struct conf_pmap *m;
	struct conf_resv *r;
	char why[256];
	unsigned int i;
	int rc;

	/* the running one's map would guard this one's demux of its name */
	if (c->from != NULL && c->from->pmaps != NULL &&
	    c->from->pmaps->maps.n > 0)
		return conf_err(c, NULL, "the running configuration has port "
				"map %s: a configuration with port maps is not "
				"reloaded (restart it)",
				c->from->pmaps->maps.v[0].name), -ENOTSUP;
	for (i = 0; c->pmaps != NULL && i < c->pmaps->maps.n; i++) {
		m = &c->pmaps->maps.v[i];
		if (c->from != NULL)
			return conf_err(c, &m->pos, "port map %s: a "
					"configuration with port maps is not "
					"reloaded (restart it)", m->name),
			       -ENOTSUP;
		m->pm = pk_portmap_create(m->name);
		if (m->pm == NULL)
			return conf_err(c, &m->pos, "cannot create port map "
					"%s: %s", m->name,
					rte_errno == EEXIST ? "the name is "
					"taken" : strerror(rte_errno)),
			       -rte_errno;
		pk_portmap_ephemeral_set(m->pm, m->eph_lo, m->eph_hi);
		if (m->demux >= 0)
			pm_guard_set(m->pm, c->stages.v[m->demux].name);
	}
	for (i = 0; c->pmaps != NULL && i < c->pmaps->resv.n; i++) {
		r = &c->pmaps->resv.v[i];
		rc = pk_portmap_reserve_str(c->pmaps->maps.v[r->m].pm,
					    r->spec, why, sizeof(why));
		if (rc != 0)
			return conf_err(c, &r->spos, "cannot reserve in %s: %s",
					r->map, why), rc;
	}
	return 0;
}

int
conf_portmap_key(struct pk_conf *c, const struct conf_key *k, bool bind,
		 char *why, size_t size)
{
	int p = k->t.path >= 0 ? k->t.path : c->stages.v[k->t.st].path;
	int o = p >= 0 ? c->paths.v[p].owner : -1;
	uint32_t owner = o >= 0 ? (uint32_t)c->owners.v[o].id :
			 PK_OWNER_UNKNOWN;

	if (c->pmaps == NULL || c->pmaps->maps.n == 0)
		return 0;
	if (!bind) {
		pm_key_unbind(k->demux, &k->key);
		return 0;
	}
	return pm_key_bind(k->demux, &k->key, owner, why, size);
}

void
conf_portmap_teardown(struct pk_conf *c)
{
	unsigned int i;

	for (i = 0; c->pmaps != NULL && i < c->pmaps->maps.n; i++) {
		pk_portmap_destroy(c->pmaps->maps.v[i].pm);
		c->pmaps->maps.v[i].pm = NULL;
	}
}

void
conf_portmap_free(struct pk_conf *c)
{
	unsigned int i, j;

	if (c->pmaps == NULL)
		return;
	for (i = 0; i < c->pmaps->maps.n; i++) {
		for (j = 0; j < c->pmaps->maps.v[i].args.n; j++) {
			free(c->pmaps->maps.v[i].args.v[j].key);
			free(c->pmaps->maps.v[i].args.v[j].val);
		}
		free(c->pmaps->maps.v[i].args.v);
	}
	for (i = 0; i < c->pmaps->resv.n; i++) {
		free(c->pmaps->resv.v[i].map);
		free(c->pmaps->resv.v[i].spec);
	}
	free(c->pmaps->maps.v);
	free(c->pmaps->resv.v);
	free(c->pmaps);
	c->pmaps = NULL;
}
