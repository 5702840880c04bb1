/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of port maps: portmap.c keeps the list of live maps (taken off
 * before a map is freed); this file reads a map under the list's lock and
 * the map's mutex, to answer
 *   /pathkit/portmaps                     the names of the live maps
 *   /pathkit/portmap,<name>               its ephemeral range, its
 *                                         reservations as specs
 *                                         ("alice:udp:5000-5099@10.0.0.1"),
 *                                         its bindings ("udp:5000@10.0.0.1
 *                                         alice"), each list capped at
 *                                         PM_TEL_LIST entries, with counts
 *   /pathkit/portmap_reserve,<name>,<spec>   reserve (pk_portmap_reserve_str)
 *   /pathkit/portmap_release,<name>,<spec>   release that reservation
 * A change answers {"ok": 1} or {"ok": 0, "errno": <n>, "error": "<why>"}.
 * Whoever can reach the socket (root, as for the rest of DPDK's telemetry)
 * can change reservations: that is what the commands are for. Parameters
 * come from them: a map name matches byte for byte, a spec is read as
 * pk_portmap_reserve_str() reads one; a missing map or a parameter of the
 * wrong shape answers null (-EINVAL, -ENOENT).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include <pathkit/pk_owner.h>

#include "ctl_pvt.h"
#include "portmap_pvt.h"

/* Most reservations or bindings one answer lists (16 KiB per reply). */
#define PM_TEL_LIST 64

static int
tel_portmap_name(struct pk_portmap *pm, void *arg)
{
	/* non-zero when full: the first RTE_TEL_MAX_ARRAY_ENTRIES */
	return rte_tel_data_add_array_string(arg, pm->name);
}

static int
tel_portmaps(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params != NULL)
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pm_live_foreach(tel_portmap_name, d);
	return 0;
}

static const char *
tel_owner_name(uint32_t id)
{
	const char *n = pk_owner_name(id);

	return n != NULL ? n : "?";
}

struct tel_binds {
	struct rte_tel_data *list;
	unsigned int n;
};

static int
tel_bind_str(const struct pm_bind *b, void *arg)
{
	struct tel_binds *t = arg;
	char s[RTE_TEL_MAX_STRING_LEN], a[INET6_ADDRSTRLEN + 1] = "";

	if (b->addr.family != AF_UNSPEC) {
		a[0] = '@';
		inet_ntop(b->addr.family, b->addr.bytes, a + 1, sizeof(a) - 1);
	}
	snprintf(s, sizeof(s), "%s:%u%s %s", b->proto == 1 ? "udp" : "tcp",
		 b->port, a, tel_owner_name(b->owner));
	rte_tel_data_add_array_string(t->list, s);
	return ++t->n == PM_TEL_LIST; /* the first PM_TEL_LIST in table order */
}

/* Both lists under the map's mutex: one consistent picture. */
static int
tel_portmap_dict(struct pk_portmap *pm, void *arg)
{
	struct rte_tel_data *d = arg, *resv, *bind;
	struct tel_binds tb;
	struct sockaddr_storage ss;
	char s[RTE_TEL_MAX_STRING_LEN];
	const struct pm_resv *r;
	unsigned int i;

	resv = rte_tel_data_alloc();
	bind = rte_tel_data_alloc();
	if (resv == NULL || bind == NULL) {
		rte_tel_data_free(resv);
		rte_tel_data_free(bind);
		return -ENOMEM;
	}
	rte_tel_data_start_array(resv, RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(bind, RTE_TEL_STRING_VAL);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", pm->name);
	pthread_mutex_lock(&pm->lock);
	rte_tel_data_add_dict_u64(d, "ephemeral_lo", pm->eph_lo);
	rte_tel_data_add_dict_u64(d, "ephemeral_hi", pm->eph_hi);
	rte_tel_data_add_dict_u64(d, "nb_reservations", pm->nb_resv);
	rte_tel_data_add_dict_u64(d, "nb_bound", pm->nb_bind);
	rte_tel_data_add_dict_string(d, "demux", pm->guard); /* "": none */
	for (i = 0; i < pm->nb_resv && i < PM_TEL_LIST; i++) {
		r = &pm->resv[i];
		pm_addr_to(&r->addr, &ss);
		pm_spec_format(s, sizeof(s), tel_owner_name(r->owner),
			       r->proto, r->lo, r->hi,
			       (const struct sockaddr *)&ss);
		rte_tel_data_add_array_string(resv, s);
	}
	tb.list = bind;
	tb.n = 0;
	pm_bind_foreach(pm, tel_bind_str, &tb);
	pthread_mutex_unlock(&pm->lock);
	rte_tel_data_add_dict_container(d, "reservations", resv, 0);
	rte_tel_data_add_dict_container(d, "bound", bind, 0);
	return 0;
}

/* /pathkit/portmap,<name> */
static int
tel_portmap(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0' ||
	    strnlen(params, PM_NAMESIZE) == PM_NAMESIZE)
		return -EINVAL;
	return pm_live_apply(params, tel_portmap_dict, d);
}

/* A change: the map's name and a spec, as "<name>,<spec>". */
struct tel_change {
	const char *spec;
	bool reserve;
	struct rte_tel_data *d;
};

static int
tel_change_apply(struct pk_portmap *pm, void *arg)
{
	struct tel_change *c = arg;
	char err[256] = "";
	int rc;

	rc = ctl_portmap_change(pm, c->spec, c->reserve, err, sizeof(err));
	rte_tel_data_start_dict(c->d);
	rte_tel_data_add_dict_int(c->d, "ok", rc == 0);
	if (rc != 0) {
		rte_tel_data_add_dict_int(c->d, "errno", -rc);
		rte_tel_data_add_dict_string(c->d, "error", err);
	}
	return 0;
}

static int
tel_change(const char *params, bool reserve, struct rte_tel_data *d)
{
	struct tel_change c = { .reserve = reserve, .d = d };
	char name[PM_NAMESIZE];
	const char *comma;

	if (params == NULL)
		return -EINVAL;
	comma = strchr(params, ',');
	if (comma == NULL || comma == params ||
	    (size_t)(comma - params) >= sizeof(name))
		return -EINVAL;
	memcpy(name, params, comma - params);
	name[comma - params] = '\0';
	c.spec = comma + 1;
	return pm_live_apply(name, tel_change_apply, &c);
}

static int
tel_portmap_reserve(const char *cmd, const char *params,
		    struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_change(params, true, d);
}

static int
tel_portmap_release(const char *cmd, const char *params,
		    struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_change(params, false, d);
}

RTE_INIT(pk_portmap_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/portmaps", tel_portmaps,
		"Returns the names of PathKit's port maps. Takes no parameters");
	rte_telemetry_register_cmd("/pathkit/portmap", tel_portmap,
		"Returns a PathKit port map's reservations and bound ports. "
		"Parameters: the map's name");
	rte_telemetry_register_cmd("/pathkit/portmap_reserve",
		tel_portmap_reserve,
		"Reserves ports in a PathKit port map. Parameters: the map's "
		"name,OWNER:udp|tcp:LO[-HI][@ADDR]");
	rte_telemetry_register_cmd("/pathkit/portmap_release",
		tel_portmap_release,
		"Releases a reservation of a PathKit port map. Parameters: the "
		"map's name,OWNER:udp|tcp:LO[-HI][@ADDR]");
}
