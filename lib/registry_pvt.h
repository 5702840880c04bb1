/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_REGISTRY_PVT_H
#define PK_REGISTRY_PVT_H

/*
 * A registry: an intrusive, named list under a mutex. One helper for the
 * library's name registries (stage kinds, scheduling policies, runners) and
 * its lists of live objects (stages, arbiters) that telemetry reads. Only
 * control functions and the telemetry thread take the mutex: nothing on a
 * fast path touches a registry. Not installed.
 */

#include <pthread.h>
#include <stdbool.h>
#include <sys/queue.h>

#include <pathkit/pk_registry.h>

struct pk_registry {
	pthread_mutex_t lock;
	TAILQ_HEAD(, pk_registry_node) list;
};

#define PK_REGISTRY_INITIALIZER(r)                                             \
	{ PTHREAD_MUTEX_INITIALIZER, TAILQ_HEAD_INITIALIZER((r).list) }

/*
 * Append n, named name (kept as a pointer), to r. With unique, a name
 * already on r is refused.
 * @return 0, or -EEXIST (unique and the name is taken), -EALREADY (n listed).
 */
int pk_registry_add(struct pk_registry *r, struct pk_registry_node *n,
		    const char *name, bool unique);

/* Take n off r; does nothing if it is not listed. */
void pk_registry_del(struct pk_registry *r, struct pk_registry_node *n);

/*
 * The first node named name, or NULL. For registries whose objects live
 * as long as their callers use them (kinds, policies, or objects the
 * caller's control thread alone destroys).
 */
struct pk_registry_node *pk_registry_find(struct pk_registry *r,
					  const char *name);

/*
 * Call fn on each node in order, under the registry's lock (so no node is
 * removed meanwhile), until fn returns non-zero.
 * @return 0, or the first non-zero value fn returned.
 */
int pk_registry_foreach(struct pk_registry *r,
			int (*fn)(struct pk_registry_node *n, void *arg),
			void *arg);

/*
 * Call fn on the first node named name, under the lock.
 * @return what fn returned, or -ENOENT if no node has that name.
 */
int pk_registry_apply(struct pk_registry *r, const char *name,
		      int (*fn)(struct pk_registry_node *n, void *arg),
		      void *arg);

#endif /* PK_REGISTRY_PVT_H */
