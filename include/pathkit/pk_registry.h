/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_REGISTRY_H
#define PK_REGISTRY_H

/**
 * @file
 * The link that registered things (stage kinds, scheduling policies) and the
 * library's named objects (runners, live stages, live arbiters) embed.
 * Its fields belong to the library: registration sets them, nobody else
 * reads or writes them. Registries are read by control code only.
 */

#include <stdbool.h>
#include <sys/queue.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A registry link (fields private to the library). */
struct pk_registry_node {
	TAILQ_ENTRY(pk_registry_node) next; /**< list link */
	const char *name;                   /**< the registered name */
	bool listed;                        /**< on a registry now */
};

#ifdef __cplusplus
}
#endif

#endif /* PK_REGISTRY_H */
