/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TELEMETRY_PVT_H
#define PK_TELEMETRY_PVT_H

/*
 * What the telemetry files (lib/ *_telemetry.c) share; not installed.
 *
 * Live objects: stages, paths, threads and schedulers are all stages, on
 * stage.c's live list; runners are on runner.c's registry. A reply is made
 * while the list's lock is held, so nothing on it is freed meanwhile (every
 * destroy takes an object off its list first), and what is on it is built
 * (paths and rings are listed once built: PK_STAGE_F_UNLISTED; the other
 * kinds read nothing their create sets after pk_stage_alloc()). Pointers an object holds to
 * objects on another list (a thread's runner, a scheduler's stage queues)
 * are copied under the first lock and only dereferenced once found again
 * on their own list, under its lock: never two locks at once.
 *
 * Parameters come from whoever can reach the socket: a name matches byte
 * for byte, and one as long as PK_STAGE_NAMESIZE or longer names nothing.
 */

#include <stdbool.h>
#include <stddef.h>

#include <rte_telemetry.h>

#include <pathkit/pk_stage.h>

struct pk_runner;

/* -EINVAL unless params is a name a stage or runner could have. */
int pk_tel_name_check(const char *params);

/*
 * Add a stage's statistics to dict d: in_pkts, in_bytes, out_pkts,
 * out_bytes, held, then drop_<reason> and refused_<reason> for each reason
 * ('-' made '_': "drop_no_match").
 */
void pk_tel_stage_counters(struct rte_tel_data *d,
			   const struct pk_stage_stats *st);

/*
 * Call fn on the first live stage named name for which is(s) holds (is
 * NULL: any), under the live list's lock.
 * @return what fn returned, or -ENOENT.
 */
int pk_tel_live_apply(const char *name, bool (*is)(const struct pk_stage *s),
		      int (*fn)(const struct pk_stage *s, void *arg),
		      void *arg);

/*
 * /pathkit/<list>: an array of the names of the live stages for which
 * is(s) holds (the first RTE_TEL_MAX_ARRAY_ENTRIES).
 */
int pk_tel_live_names(struct rte_tel_data *d,
		      bool (*is)(const struct pk_stage *s));

/*
 * Copy the name and lcore of runner r (runner_telemetry.c), if r is still
 * a live runner: a pointer read from a thread, compared, never followed
 * unless listed.
 * @return 0, or -ENOENT (r is not, or no longer, a runner).
 */
int pk_tel_runner_name(const struct pk_runner *r, char *name, size_t size,
		       unsigned int *lcore);

#endif /* PK_TELEMETRY_PVT_H */
