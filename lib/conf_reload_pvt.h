/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CONF_RELOAD_PVT_H
#define PK_CONF_RELOAD_PVT_H

/*
 * What the reload and the path swap share (conf_reload.c, conf_move.c,
 * conf_swap.c, conf_swap_run.c), apart from the rest of the language's
 * private header. Not installed.
 */
#include "conf_pvt.h"

/* ---- conf_reload.c: a reload's build beside the running generation ---- */

/*
 * While c->from runs: take over its port p stands for, if it has it up.
 * @return 1 (taken over: not set up again), 0 (not its: set it up), or
 *   -EINVAL (reported: it is up with other queues or descriptors).
 */
int conf_adopt_port(struct pk_conf *c, struct conf_port *p);

/*
 * While c->from runs: take over its runner of r's name.
 * @return 1 (taken over), 0 (none of that name), -EINVAL (reported: it
 *   runs on another lcore).
 */
int conf_adopt_runner(struct pk_conf *c, struct conf_runner *r);

/*
 * The end of a reload or swap: rc 0, nc (built, switched in) takes run's
 * place (what it took over handed to it, the old generation destroyed);
 * otherwise nc is destroyed (NULL accepted) and "kept the running
 * configuration" said on err. one: this call's figures (summed into run's;
 * copied to out if not NULL). @return rc.
 */
int conf_generation_replace(struct pk_conf *run, struct pk_conf *nc, int rc,
			    FILE *err, struct pk_conf_reload_stats *one,
			    struct pk_conf_reload_stats *out);

/* ---- conf_move.c: the packets the old generation holds ---- */

/*
 * Move what the stopped generation from holds in its queues and
 * schedulers into to's stages of the same names, in order per queue (a
 * scheduler's head slots first); what has nowhere to go is freed and
 * counted in st. Both generations' threads are stopped. only_path >= 0:
 * only that path's stages, and the scheduler inputs its queues are.
 */
void conf_move_packets(struct pk_conf *from, struct pk_conf *to,
		       struct pk_conf_reload_stats *st, int only_path);

/* Attach again the scheduler inputs conf_move_packets() detached from c. */
void conf_attach_again(struct pk_conf *c);

/* ---- conf_swap.c: a path swap's build, the rest taken over;
 * conf_swap_run.c: its switch ---- */

/* Take over from's stage or path of that name: 1 (taken), or 0. */
int conf_swap_adopt_stage(struct pk_conf *c, struct conf_stage *st);
int conf_swap_adopt_path(struct pk_conf *c, struct conf_path *p);

/* Not built here: the edge or key exists, or the switch makes it. */
bool conf_swap_skip_edge(struct pk_conf *c, struct conf_edge *e);
bool conf_swap_skip_key(const struct pk_conf *c, const struct conf_key *k);

/* Is stage st of g in g's path p? Does key k lead into it? */
bool conf_in_path(const struct pk_conf *g, int st, int p);
bool conf_key_in_path(const struct pk_conf *g, const struct conf_key *k,
		      int p);

/* The built object an edge end stands for (a path's, or a stage). */
struct pk_stage *conf_end_obj(const struct pk_conf *g, struct conf_end e);

/*
 * Check that nc differs from run only in path pn (po in run), then build
 * it beside run, taking the rest over. @return 0 or -errno (reported).
 */
int conf_swap_build(struct pk_conf *run, struct pk_conf *nc, int po, int pn);

#endif /* PK_CONF_RELOAD_PVT_H */
