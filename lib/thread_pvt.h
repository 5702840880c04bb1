/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_THREAD_PVT_H
#define PK_THREAD_PVT_H

/* Between lib/thread.c and lib/thread_run.c; not installed. */

#include <pathkit/pk_thread_driver.h>

/*
 * Pick t's run for the start to come (control thread, t stopped): the
 * fused run if t has the default start function and its wiring allows it
 * (struct pk_thread_fused), else the default run; a custom start function
 * stays.
 */
void pk_thread_run_choose(struct pk_thread *t);

#endif /* PK_THREAD_PVT_H */
