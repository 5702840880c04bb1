/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registry: a named intrusive list under a mutex (see pk_registry.h). The
 * walk is linear: registries hold kinds, policies and live objects counted
 * in the thousands at most, and are read by control code only.
 */
#include <errno.h>
#include <string.h>

#include "registry_pvt.h"

static struct pk_registry_node *
registry_lookup(struct pk_registry *r, const char *name)
{
	struct pk_registry_node *n;

	if (name == NULL)
		return NULL;
	TAILQ_FOREACH(n, &r->list, next)
		if (strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

int
pk_registry_add(struct pk_registry *r, struct pk_registry_node *n,
		const char *name, bool unique)
{
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	if (n->listed)
		rc = -EALREADY;
	else if (unique && registry_lookup(r, name) != NULL)
		rc = -EEXIST;
	if (rc == 0) {
		n->name = name;
		n->listed = true;
		TAILQ_INSERT_TAIL(&r->list, n, next);
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

void
pk_registry_del(struct pk_registry *r, struct pk_registry_node *n)
{
	pthread_mutex_lock(&r->lock);
	if (n->listed) {
		TAILQ_REMOVE(&r->list, n, next);
		n->listed = false;
	}
	pthread_mutex_unlock(&r->lock);
}

struct pk_registry_node *
pk_registry_find(struct pk_registry *r, const char *name)
{
	struct pk_registry_node *n;

	pthread_mutex_lock(&r->lock);
	n = registry_lookup(r, name);
	pthread_mutex_unlock(&r->lock);
	return n;
}

int
pk_registry_foreach(struct pk_registry *r,
		    int (*fn)(struct pk_registry_node *n, void *arg), void *arg)
{
	struct pk_registry_node *n;
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	TAILQ_FOREACH(n, &r->list, next) {
		rc = fn(n, arg);
		if (rc != 0)
			break;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int
pk_registry_apply(struct pk_registry *r, const char *name,
		  int (*fn)(struct pk_registry_node *n, void *arg), void *arg)
{
	struct pk_registry_node *n;
	int rc = -ENOENT;

	pthread_mutex_lock(&r->lock);
	n = registry_lookup(r, name);
	if (n != NULL)
		rc = fn(n, arg);
	pthread_mutex_unlock(&r->lock);
	return rc;
}
