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

#include <pathkit/pk_sched.h>
#include <pathkit/pk_stage.h>

#include <pathkit/pk_ctl.h>
#include <pathkit/pk_parse.h>

/* Write one line of reason into err (may be NULL). @return rc. Also the
 * policy switch's (sched_switch_prep.c). */
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

/* --- schedulers (ctl_sched.c), shared with ctl_owner.c */

#define CTL_TARGETS 16  /* a scheduler and those above it */

struct pk_sched;
struct pk_thread;

struct ctl_thr {
	struct pk_thread *t;
	struct pk_stage *src, *sink; /* of a running thread */
	uint32_t sink_owner;         /* its sink's path's owner, or -1 */
	bool running, stopped;
};

struct ctl_sc {
	struct pk_stage *s;                 /* the scheduler changed */
	struct pk_stage *tg[CTL_TARGETS];   /* it and those above it */
	unsigned int nt;
	struct ctl_thr *thr;                /* live threads */
	unsigned int nthr, cap;
	int rc;                             /* -ENOMEM while collecting */
	bool applied;                       /* fn ran */
	int (*fn)(struct pk_sched *sc, void *arg);
	void *arg;
	/* owner rate: the schedulers serving one owner alone */
	uint32_t owner;
	unsigned int nown;
	char first[PK_STAGE_NAMESIZE];      /* the first of them */
};

/* The owner of s's path (s a path, or a member of one), or UINT32_MAX. */
uint32_t ctl_path_owner(const struct pk_stage *s);

/* Live-list walk: append each live thread to c->thr (c->rc: -ENOMEM). */
int ctl_collect(const struct pk_stage *s, void *arg);

/*
 * Make c->fn's change on scheduler c->s with the threads that run it (or
 * a scheduler above it) stopped, then start them again. ctl lock held,
 * c->thr collected. @return what fn returned, or -EBUSY, -ENOENT.
 */
int ctl_sched_change(struct ctl_sc *c, char *err, size_t errlen);

/*
 * Find the scheduler called sched, collect the threads, and make fn's
 * change with those that run it stopped (ctl_sched_change()). Takes the
 * ctl lock. @return what fn returned, or -EINVAL, -ENOENT, -EBUSY.
 */
int ctl_sched_run(const char *sched, int (*fn)(struct pk_sched *, void *),
		  void *arg, char *err, size_t errlen);

/* What pk_ctl_sched_policy()'s arguments change (ctl_policy.c). */
struct ctl_pol_args {
	/* the fields of the keys given (bit i of mask: key i of the table) */
	struct pk_sched_aqm_conf aqm;
	uint32_t mask;
	bool has_param;
	uint32_t param;   /* every queue's, or PK_SCHED_PARAM_DEFAULT */
};

/*
 * Read pk_ctl_sched_policy()'s arguments: KEY=VALUE words apart by spaces
 * (NULL: none). No EAL needed. @return 0, or -EINVAL with the reason.
 */
int ctl_pol_args_parse(const char *args, struct ctl_pol_args *pa, char *err,
		       size_t errlen);

/* A ctl_sc fn: set the rate at *(uint64_t *)arg, overhead and bucket kept. */
int ctl_rate_set(struct pk_sched *sc, void *arg);

#endif /* PK_CTL_PVT_H */
