/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_RUN_H
#define PK_RUN_H

/*
 * pk-run's parts: main.c (options, build, wait, reload) and prompt.c (the
 * -i prompt: testpmd's commands on the configuration, reload, capture).
 * The main thread only.
 */
#include <stddef.h>

#include <pathkit/pk_conf.h>

#include "pk_prompt.h"

/* The configuration the prompt works on (set before the prompt runs). */
extern struct pk_conf *run_c;

/* The prompt's commands and what its start, stop and statistics do. */
extern const struct pk_prompt_app run_prompt_app;

/*
 * Reload c from file; say how it went on stderr, and in why (size bytes)
 * when it failed. @return 0 or a negative errno (nothing changed).
 */
int run_reload(struct pk_conf *c, const char *file, char *why, size_t size,
	       struct pk_conf_reload_stats *st);

#endif /* PK_RUN_H */
