/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_INTERNAL_H
#define PK_INTERNAL_H

/* Library-internal helpers shared between lib/ files; not installed. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_stage_driver.h>

/* Set s's downstream (through ops->set_next for compound stages). */
void pk_stage_set_next(struct pk_stage *s, struct pk_stage *next);

/* Set s's upstream (through ops->set_prev for compound stages). */
void pk_stage_set_prev(struct pk_stage *s, struct pk_stage *prev);

/* Which end of a stage a started thread uses. */
enum pk_stage_use_side {
	PK_STAGE_USE_PUSH = 0,
	PK_STAGE_USE_PULL,
	PK_STAGE_USE_SIDES,
};

/* Started threads using one end of a stage: how many, and their domain. */
struct pk_stage_use {
	const void *domain; /* of the threads counted (all share it) */
	uint64_t count;
};

/*
 * The record of who uses s's side, kept next to s (thread.c, under its
 * lock). s must come from pk_stage_alloc() (not the unwired stage).
 */
struct pk_stage_use *pk_stage_use(const struct pk_stage *s,
				  enum pk_stage_use_side side);

/* The stage unconnected ends point to: refuses pushes, pulls nothing. */
struct pk_stage *pk_stage_unwired(void);

/*
 * Call fn on each live stage (from creation until destroy), under the
 * list's lock, until fn returns non-zero. For telemetry.
 * @return 0, or the first non-zero value fn returned.
 */
int pk_stage_live_foreach(int (*fn)(const struct pk_stage *s, void *arg),
			  void *arg);

/*
 * Call fn on the first live stage named name, under the list's lock.
 * @return what fn returned, or -ENOENT.
 */
int pk_stage_live_apply(const char *name,
			int (*fn)(const struct pk_stage *s, void *arg),
			void *arg);

struct pk_arbiter;

/*
 * Call fn on each live arbiter (from creation until destroy), under the
 * list's lock, until fn returns non-zero. For telemetry.
 * @return 0, or the first non-zero value fn returned.
 */
int pk_arbiter_live_foreach(int (*fn)(const struct pk_arbiter *a, void *arg),
			    void *arg);

/*
 * Call fn on the first live arbiter named name, under the list's lock.
 * @return what fn returned, or -ENOENT.
 */
int pk_arbiter_live_apply(const char *name,
			  int (*fn)(const struct pk_arbiter *a, void *arg),
			  void *arg);

struct pk_sched_switch_conf;

/*
 * pk_arbiter_policy_set() with the reason of a refusal in err (ctl).
 * @return 0 or -errno.
 */
int pk_arbiter_policy_switch(struct pk_arbiter *a,
			     const struct pk_sched_switch_conf *c, char *err,
			     size_t errlen);

struct pk_stage_stats;

/*
 * Is name a valid owner name: 1..PK_OWNER_NAMESIZE-1 characters of
 * [A-Za-z0-9_.-]? Inline so the port map's spec parser, which the fuzzer
 * builds alone, checks names as pk_owner_create() does.
 */
static inline bool
pk_owner_name_ok(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0')
		return false;
	for (i = 0; name[i] != '\0'; i++) {
		char c = name[i];

		if (i + 1 >= PK_OWNER_NAMESIZE ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

/*
 * Add a destroyed path's final counters to its owner's row: in as
 * received, every drop as dropped (packets; bytes of what came in). An id
 * with no owner goes to "unknown", as pk_owner_charge() does. Any thread.
 */
void pk_owner_fold_path(uint32_t id, uint32_t row,
			const struct pk_stage_stats *st);

#endif /* PK_INTERNAL_H */
