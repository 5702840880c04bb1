/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_THREAD_PVT_H
#define PK_THREAD_PVT_H

/* Between lib/thread.c, thread_run.c and thread_plan.c; not installed. */

#include <pathkit/pk_thread_driver.h>

/*
 * Pick t's run for the start to come (control thread, t stopped): the
 * fused run if t has the default start function and its wiring allows it
 * (struct pk_thread_fused), else the default run; a custom start function
 * stays.
 */
void pk_thread_run_choose(struct pk_thread *t);

/* The fused run of any plan (thread_run.c), t->fused its plan. */
int pk_thread_run_fused(struct pk_thread *t, void *arg);

/* Shapes compiled apart: [n] runs a plan of n processing stages. */
#define PK_THREAD_FUSED_SHAPES 3
/* ring to ring (the source's ring dequeued, the sink's enqueued) */
extern const pk_thread_fn pk_thread_run_fused_rings[PK_THREAD_FUSED_SHAPES];
/* port to port (a port_rx's RX queue, a port_tx's TX queue) */
extern const pk_thread_fn pk_thread_run_fused_ports[PK_THREAD_FUSED_SHAPES];

#endif /* PK_THREAD_PVT_H */
