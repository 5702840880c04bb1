/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owners and their accounts (pk_owner.h). The table is static: PK_OWNER_MAX
 * slots, slot 0 "unknown" from the start, so charging works before the EAL
 * and needs no allocation. Names and the used flags change under one mutex
 * (create, destroy, lookup); the counters do not need it: each owner's rows
 * sit on cache lines of their own (a row is eight counters, 64 bytes) and
 * charges are relaxed atomic adds, so owners charged from different lcores
 * never share a line. Accounted paths are not in the table: their counters
 * are read from the live stage list when an account is read, and folded in
 * here when the path is destroyed (path.c). Telemetry: owner_telemetry.c.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_stage.h>

#include "pk_internal.h"

static_assert(sizeof(struct pk_acct) == RTE_CACHE_LINE_SIZE,
	      "an account row fills one cache line");

/* One owner's rows, each a cache line: charges of two owners never share. */
struct owner_acct {
	struct pk_acct row[PK_ACCT_ROWS];
} __rte_cache_aligned;

static pthread_mutex_t owner_lock = PTHREAD_MUTEX_INITIALIZER;
/* used[] and name[] change under owner_lock; used[] is read without it */
static bool owner_used[PK_OWNER_MAX] = { [PK_OWNER_UNKNOWN] = true };
static char owner_names[PK_OWNER_MAX][PK_OWNER_NAMESIZE] = {
	[PK_OWNER_UNKNOWN] = PK_OWNER_UNKNOWN_NAME,
};
static struct owner_acct owner_acct[PK_OWNER_MAX];

static const char *const row_names[PK_ACCT_ROWS] = {
	[PK_ACCT_NONE] = "none",
	[PK_ACCT_TCP] = "tcp",
	[PK_ACCT_UDP] = "udp",
	[PK_ACCT_RAW_TCP] = "raw_tcp",
	[PK_ACCT_RAW_UDP] = "raw_udp",
	[PK_ACCT_RAW_ICMP] = "raw_icmp",
	[PK_ACCT_MISC] = "misc",
};

static const char *const col_names[PK_ACCT_COLS] = {
	[PK_ACCT_SENT] = "sent",
	[PK_ACCT_RECEIVED] = "received",
	[PK_ACCT_DROPPED] = "dropped",
};

static bool
owner_exists(uint32_t id)
{
	return id < PK_OWNER_MAX && __atomic_load_n(&owner_used[id],
						    __ATOMIC_ACQUIRE);
}

/* Who an id charges: itself, or "unknown" if it names no owner. */
static uint32_t
owner_charged(uint32_t id)
{
	return owner_exists(id) ? id : PK_OWNER_UNKNOWN;
}

/* Under owner_lock. */
static int
owner_find(const char *name)
{
	uint32_t id;

	for (id = 0; id < PK_OWNER_MAX; id++)
		if (owner_used[id] &&
		    strncmp(owner_names[id], name, PK_OWNER_NAMESIZE) == 0)
			return (int)id;
	return -ENOENT;
}

/* Under owner_lock. */
static int
owner_add(const char *name)
{
	uint32_t id;

	if (owner_find(name) >= 0)
		return -EEXIST;
	for (id = 1; id < PK_OWNER_MAX; id++)
		if (!owner_used[id])
			break;
	if (id == PK_OWNER_MAX)
		return -ENOSPC;
	strlcpy(owner_names[id], name, PK_OWNER_NAMESIZE);
	memset(&owner_acct[id], 0, sizeof(owner_acct[id]));
	/* the name and the zeroed rows are in place before the flag */
	__atomic_store_n(&owner_used[id], true, __ATOMIC_RELEASE);
	return (int)id;
}

int
pk_owner_create(const char *name)
{
	int rc;

	if (!pk_owner_name_ok(name))
		return -EINVAL;
	pthread_mutex_lock(&owner_lock);
	rc = owner_add(name);
	pthread_mutex_unlock(&owner_lock);
	return rc;
}

int
pk_owner_lookup(const char *name)
{
	int rc;

	if (name == NULL)
		return -EINVAL;
	pthread_mutex_lock(&owner_lock);
	rc = owner_find(name);
	pthread_mutex_unlock(&owner_lock);
	return rc;
}

int
pk_owner_get(const char *name)
{
	int rc;

	if (!pk_owner_name_ok(name))
		return -EINVAL;
	/* find and create under one hold: two callers get the same owner */
	pthread_mutex_lock(&owner_lock);
	rc = owner_find(name);
	if (rc == -ENOENT)
		rc = owner_add(name);
	pthread_mutex_unlock(&owner_lock);
	return rc;
}

const char *
pk_owner_name(uint32_t id)
{
	/* the name of a live owner does not change until it is destroyed */
	return owner_exists(id) ? owner_names[id] : NULL;
}

int
pk_owner_destroy(uint32_t id)
{
	int rc = 0;

	if (id == PK_OWNER_UNKNOWN)
		return -EINVAL;
	pthread_mutex_lock(&owner_lock);
	if (!owner_exists(id))
		rc = -ENOENT;
	else
		__atomic_store_n(&owner_used[id], false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&owner_lock);
	return rc;
}

/* Row and column checked by the callers: a bad one would write elsewhere. */
static struct pk_acct *
owner_row(uint32_t id, uint32_t row)
{
	if (row <= PK_ACCT_NONE || row >= PK_ACCT_ROWS)
		row = PK_ACCT_MISC;
	return &owner_acct[owner_charged(id)].row[row];
}

void
pk_owner_charge(uint32_t id, enum pk_acct_row row, enum pk_acct_col col,
		uint64_t pkts, uint64_t bytes)
{
	struct pk_acct *a;

	if ((unsigned int)col >= PK_ACCT_COLS)
		return;
	a = owner_row(id, row);
	if (pkts != 0)
		__atomic_fetch_add(&a->pkts[col], pkts, __ATOMIC_RELAXED);
	if (bytes != 0)
		__atomic_fetch_add(&a->bytes[col], bytes, __ATOMIC_RELAXED);
}

void
pk_owner_count_socket(uint32_t id, enum pk_acct_row row, int opened)
{
	struct pk_acct *a = owner_row(id, row);

	__atomic_fetch_add(opened ? &a->opened : &a->closed, 1,
			   __ATOMIC_RELAXED);
}

/* What a path's counters add to its row: in received, drops dropped. */
static void
owner_add_path(struct pk_acct *a, const struct pk_stage_stats *st,
	       bool atomic)
{
	uint64_t dropped = 0;
	unsigned int r;

	for (r = 0; r < PK_DROP_MAX; r++)
		dropped += st->drops[r];
	if (!atomic) {
		a->pkts[PK_ACCT_RECEIVED] += st->in_pkts;
		a->bytes[PK_ACCT_RECEIVED] += st->in_bytes;
		a->pkts[PK_ACCT_DROPPED] += dropped;
		return;
	}
	__atomic_fetch_add(&a->pkts[PK_ACCT_RECEIVED], st->in_pkts,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&a->bytes[PK_ACCT_RECEIVED], st->in_bytes,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&a->pkts[PK_ACCT_DROPPED], dropped,
			   __ATOMIC_RELAXED);
}

void
pk_owner_fold_path(uint32_t id, uint32_t row, const struct pk_stage_stats *st)
{
	if (row == PK_ACCT_NONE || st == NULL)
		return;
	owner_add_path(owner_row(id, row), st, true);
}

struct owner_walk {
	uint32_t id;
	struct pk_owner_stats *st;
};

/* A live accounted path charged to the owner read: add its counters. */
static int
owner_walk_path(const struct pk_stage *s, void *arg)
{
	struct owner_walk *w = arg;
	struct pk_path *p = pk_path_from_stage((struct pk_stage *)(uintptr_t)s);
	struct pk_stage_stats ps;
	uint32_t row;

	if (p == NULL)
		return 0;
	row = pk_path_acct(p);
	if (row == PK_ACCT_NONE || row >= PK_ACCT_ROWS ||
	    owner_charged(pk_path_owner(p)) != w->id ||
	    pk_stage_stats_get(s, &ps) != 0)
		return 0;
	owner_add_path(&w->st->row[row], &ps, false);
	return 0;
}

int
pk_owner_stats_get(uint32_t id, struct pk_owner_stats *st)
{
	struct owner_walk w = { .id = id, .st = st };
	const struct pk_acct *a;
	unsigned int r, c;

	if (st == NULL)
		return -EINVAL;
	if (!owner_exists(id))
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	for (r = PK_ACCT_NONE + 1; r < PK_ACCT_ROWS; r++) {
		a = &owner_acct[id].row[r];
		for (c = 0; c < PK_ACCT_COLS; c++) {
			st->row[r].pkts[c] = __atomic_load_n(&a->pkts[c],
							     __ATOMIC_RELAXED);
			st->row[r].bytes[c] = __atomic_load_n(&a->bytes[c],
							      __ATOMIC_RELAXED);
		}
		st->row[r].opened = __atomic_load_n(&a->opened,
						    __ATOMIC_RELAXED);
		st->row[r].closed = __atomic_load_n(&a->closed,
						    __ATOMIC_RELAXED);
	}
	/* a path is on the live list until its destroy folds it in above */
	pk_stage_live_foreach(owner_walk_path, &w);
	return 0;
}

int
pk_owner_foreach(int (*fn)(uint32_t id, const char *name, void *arg),
		 void *arg)
{
	struct owner_copy {
		bool used[PK_OWNER_MAX];
		char names[PK_OWNER_MAX][PK_OWNER_NAMESIZE];
	} *c;
	uint32_t id;
	int rc = 0;

	if (fn == NULL)
		return -EINVAL;
	/* fn runs on a copy, without owner_lock: it may create, destroy or
	 * look up owners (8 KiB: on the heap, not a telemetry thread's stack) */
	c = malloc(sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&owner_lock);
	memcpy(c->used, owner_used, sizeof(c->used));
	memcpy(c->names, owner_names, sizeof(c->names));
	pthread_mutex_unlock(&owner_lock);
	for (id = 0; id < PK_OWNER_MAX && rc == 0; id++)
		if (c->used[id])
			rc = fn(id, c->names[id], arg);
	free(c);
	return rc;
}

const char *
pk_acct_row_name(enum pk_acct_row row)
{
	return (unsigned int)row < PK_ACCT_ROWS ? row_names[row] : NULL;
}

const char *
pk_acct_col_name(enum pk_acct_col col)
{
	return (unsigned int)col < PK_ACCT_COLS ? col_names[col] : NULL;
}

enum pk_acct_row
pk_acct_row_of(uint8_t ipproto, int raw)
{
	switch (ipproto) {
	case IPPROTO_TCP:
		return raw ? PK_ACCT_RAW_TCP : PK_ACCT_TCP;
	case IPPROTO_UDP:
		return raw ? PK_ACCT_RAW_UDP : PK_ACCT_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return raw ? PK_ACCT_RAW_ICMP : PK_ACCT_MISC;
	default:
		return PK_ACCT_MISC;
	}
}
