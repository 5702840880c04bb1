/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CTL_PVT_H
#define PK_CTL_PVT_H

/*
 * What the runtime-change files share (ctl.c: the mutex, threads,
 * schedulers, port maps; ctl_key.c: demux keys; ctl_show.c: the prompt's
 * listings; ctl_telemetry.c: the telemetry commands). Not installed.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include <pathkit/pk_ctl.h>
#include <pathkit/pk_parse.h>

/* Write one line of reason into err (may be NULL). @return rc. */
int ctl_err(int rc, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A name as the configuration language writes one: a letter or _, then
 * letters, digits, _ . - ; 1..PK_STAGE_NAMESIZE-1 bytes. Else -EINVAL
 * with "found '<quoted>', expected <what>" in err.
 */
int ctl_name_check(const char *name, const char *what, char *err,
		   size_t errlen);

/*
 * A number of kind in [min, max] (pk_parse_num()), or -EINVAL with
 * pk_parse_explain()'s line, naming what, in err.
 */
int ctl_number(const char *s, enum pk_parse_kind kind, uint64_t min,
	       uint64_t max, const char *what, uint64_t *v, char *err,
	       size_t errlen);

/*
 * Split params (telemetry's one string) at commas into exactly n >= 1
 * fields, in buf (size bytes, params shorter). form names them ("A,B").
 * @return 0 with f[0..n) set, or -EINVAL with the reason in err.
 */
int ctl_fields(const char *params, char *buf, size_t size, char **f,
	       unsigned int n, const char *form, char *err, size_t errlen);

struct pk_portmap;

/*
 * Reserve (pk_portmap_reserve_str()) or release a spec in pm, the map
 * held by its list's lock (pm_live_apply()); shared with
 * portmap_telemetry.c. @return 0 or -errno, the reason in err.
 */
int ctl_portmap_change(struct pk_portmap *pm, const char *spec, bool reserve,
		       char *err, size_t errlen);

#endif /* PK_CTL_PVT_H */
