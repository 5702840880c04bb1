/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime changes (pk_ctl.h): the mutex, what every change shares (the
 * reason, names, numbers), threads' shares and port map reservations.
 * Demux keys are in ctl_key.c, schedulers in ctl_sched.c (owners' rates
 * in ctl_owner.c), the prompt's listings in ctl_show.c, the telemetry
 * commands in ctl_telemetry.c.
 *
 * Every object is used only inside a walk of its live list, under the
 * list's lock, and found again by pointer in each walk (never two lists'
 * locks at once): what is destroyed meanwhile is not found, never touched.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_thread_driver.h>

#include "ctl_pvt.h"
#include "pk_internal.h"
#include "portmap_pvt.h"

static pthread_mutex_t ctl_mutex = PTHREAD_MUTEX_INITIALIZER;

void
pk_ctl_lock(void)
{
	pthread_mutex_lock(&ctl_mutex);
}

void
pk_ctl_unlock(void)
{
	pthread_mutex_unlock(&ctl_mutex);
}

int
ctl_err(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int
ctl_name_check(const char *name, const char *what, char *err, size_t errlen)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4];
	const char *p;
	bool ok = name != NULL &&
		  (name[0] == '_' || (unsigned int)((name[0] | 0x20) - 'a') < 26u) &&
		  strnlen(name, PK_STAGE_NAMESIZE) < PK_STAGE_NAMESIZE;

	for (p = name; ok && *p != '\0'; p++)
		ok = (unsigned int)((*p | 0x20) - 'a') < 26u || (*p >= '0' && *p <= '9') ||
		     *p == '_' || *p == '.' || *p == '-';
	if (ok)
		return 0;
	pk_parse_quote(q, sizeof(q), name);
	return ctl_err(-EINVAL, err, errlen, "found '%s', expected %s (a "
		       "letter or _, then letters, digits, _ . -; at most %d)",
		       q, what, PK_STAGE_NAMESIZE - 1);
}

int
ctl_number(const char *s, enum pk_parse_kind kind, uint64_t min, uint64_t max,
	   const char *what, uint64_t *v, char *err, size_t errlen)
{
	char line[PK_CTL_ERR_MAX];

	if (pk_parse_num(kind, s, min, max, v) == 0)
		return 0;
	pk_parse_explain(line, sizeof(line), what, s, kind, min, max, 0);
	return ctl_err(-EINVAL, err, errlen, "%s", line);
}

int
ctl_fields(const char *params, char *buf, size_t size, char **f,
	   unsigned int n, const char *form, char *err, size_t errlen)
{
	unsigned int i = 0;
	char *p;

	if (params == NULL || strnlen(params, size) == size)
		return ctl_err(-EINVAL, err, errlen, "expected parameters %s%s",
			       form, params == NULL ? "" : " (shorter)");
	strlcpy(buf, params, size);
	for (p = buf; i < n; i++) {
		f[i] = p;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	if (i != n - 1 || p != NULL)
		return ctl_err(-EINVAL, err, errlen, "found %s fields, expected "
			       "%s", p != NULL ? "more" : "fewer", form);
	return 0;
}

/* --- threads' shares */

struct shares_op {
	const char *name;
	uint32_t shares;
	int rc;
};

static int
shares_walk(const struct pk_stage *cs, void *arg)
{
	struct pk_stage *s = (struct pk_stage *)(uintptr_t)cs;
	struct shares_op *o = arg;
	struct pk_thread *t = pk_thread_from_stage(s);

	if (t == NULL || strcmp(s->name, o->name) != 0)
		return 0;
	o->rc = pk_thread_shares_set(t, o->shares); /* atomic stores */
	return 1;
}

int
pk_ctl_thread_shares(const char *thread, const char *shares, char *err,
		     size_t errlen)
{
	struct shares_op o = { .name = thread };
	uint64_t v;
	int rc;

	rc = ctl_name_check(thread, "a thread's name", err, errlen);
	if (rc == 0)
		rc = ctl_number(shares, PK_PARSE_INT, 1, PK_THREAD_MAX_SHARES,
				"shares", &v, err, errlen);
	if (rc != 0)
		return rc;
	o.shares = (uint32_t)v;
	pk_ctl_lock();
	rc = pk_stage_live_foreach(shares_walk, &o);
	pk_ctl_unlock();
	if (rc == 0)
		return ctl_err(-ENOENT, err, errlen, "no thread named %s",
			       thread);
	return o.rc;
}


/* --- port maps: the map's own mutex; its list's lock keeps it alive */

int
ctl_portmap_change(struct pk_portmap *pm, const char *spec, bool reserve,
		   char *err, size_t errlen)
{
	struct pm_spec s;
	int rc, id;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (reserve)
		rc = pk_portmap_reserve_str(pm, spec, err, errlen);
	else {
		rc = pm_spec_parse(spec, &s, err, errlen);
		id = rc == 0 ? pk_owner_lookup(s.owner) : rc;
		if (rc == 0 && id < 0)
			ctl_err(id, err, errlen, "no owner %s", s.owner);
		rc = id < 0 ? id :
		     pk_portmap_release(pm, (uint32_t)id, s.proto, s.lo, s.hi,
					(const struct sockaddr *)&s.addr);
		if (rc == -ENOENT && (err == NULL || err[0] == '\0'))
			ctl_err(rc, err, errlen, "no such reservation in %s",
				pm->name);
	}
	if (rc != 0 && err != NULL && errlen > 0 && err[0] == '\0')
		ctl_err(rc, err, errlen, "%s: %s", pm->name, strerror(-rc));
	return rc;
}

struct pm_op {
	const char *spec;
	bool reserve;
	char *err;
	size_t errlen;
};

static int
ctl_pm_apply(struct pk_portmap *pm, void *arg)
{
	struct pm_op *o = arg;

	return ctl_portmap_change(pm, o->spec, o->reserve, o->err, o->errlen);
}

static int
ctl_pm(const char *map, const char *spec, bool reserve, char *err,
       size_t errlen)
{
	struct pm_op o = { spec, reserve, err, errlen };
	int rc;

	rc = ctl_name_check(map, "a port map's name", err, errlen);
	if (rc != 0)
		return rc;
	if (spec == NULL)
		return ctl_err(-EINVAL, err, errlen, "found no spec, expected "
			       "OWNER:udp|tcp:LO[-HI][@ADDR]");
	pk_ctl_lock();
	rc = pm_live_apply(map, ctl_pm_apply, &o);
	pk_ctl_unlock();
	if (rc == -ENOENT && err != NULL && errlen > 0 && err[0] == '\0')
		ctl_err(rc, err, errlen, "no port map named %s", map);
	return rc;
}

int
pk_ctl_reserve(const char *map, const char *spec, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return ctl_pm(map, spec, true, err, errlen);
}

int
pk_ctl_release(const char *map, const char *spec, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return ctl_pm(map, spec, false, err, errlen);
}
