/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_OWNER_H
#define PK_OWNER_H

/**
 * @file
 * Owners and their accounts (SILK's per-slice accounting). An owner is a
 * small integer with a name; every packet a node receives or sends is
 * charged to one, the "unknown" owner (id 0, always there) when nobody
 * claims it. An owner's account has PlanetLab's rows (tcp, udp, raw_tcp,
 * raw_udp, raw_icmp, misc) and columns (sent, received, dropped, in packets
 * and bytes; sockets opened and closed).
 *
 * Where the numbers come from:
 * - pk_owner_charge(): whoever moves packets on an owner's behalf (the egress
 *   shim for sent, a socket for what it delivered) adds them, once per burst.
 * - Paths whose conf names an accounting row (pk_path_conf.acct): their
 *   counters are the owner's received ("in", packets, and bytes if the path
 *   counts them) and dropped (every drop, packets only) in that row, read
 *   live by pk_owner_stats_get(), and added to the owner's totals when the
 *   path is destroyed. Such a path costs nothing extra on the fast path. A
 *   path whose owner does not exist counts for "unknown".
 * - pk_owner_count_socket(): the socket layer, on open and close.
 *
 * Threads: create, destroy and lookup take a lock and may run on any thread.
 * pk_owner_charge() and pk_owner_count_socket() are safe from any thread at
 * once (relaxed atomic adds on the owner's own cache lines).
 * pk_owner_stats_get() is safe from any thread; with paths being created or
 * destroyed at the same time it runs on the control thread (it walks the live
 * paths). Statistics are on DPDK's telemetry socket too: /pathkit/owners
 * (every owner's totals), /pathkit/owner,NAME (one owner by row, and
 * "paths": the sums of its live paths' counters, accounted or not).
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The owner charged when nobody claims a packet; always exists. */
#define PK_OWNER_UNKNOWN 0u
/** Its name. */
#define PK_OWNER_UNKNOWN_NAME "unknown"
/** Most owners at once, "unknown" included. */
#define PK_OWNER_MAX 256
/** Longest owner name, NUL included. */
#define PK_OWNER_NAMESIZE 32

/**
 * Accounting rows, PlanetLab's. PK_ACCT_NONE (0) in a path's conf means the
 * path is charged to no row (a forwarding path, say).
 */
enum pk_acct_row {
	PK_ACCT_NONE = 0,
	PK_ACCT_TCP,      /**< TCP through sockets */
	PK_ACCT_UDP,      /**< UDP through sockets */
	PK_ACCT_RAW_TCP,  /**< TCP through raw sockets */
	PK_ACCT_RAW_UDP,  /**< UDP through raw sockets */
	PK_ACCT_RAW_ICMP, /**< ICMP through raw sockets */
	PK_ACCT_MISC,     /**< everything else (ARP, other protocols, ...) */
	PK_ACCT_ROWS,
};

/** Accounting columns that count packets and bytes. */
enum pk_acct_col {
	PK_ACCT_SENT = 0,
	PK_ACCT_RECEIVED,
	PK_ACCT_DROPPED,
	PK_ACCT_COLS,
};

/** One row of an account. */
struct pk_acct {
	uint64_t pkts[PK_ACCT_COLS];  /**< by enum pk_acct_col */
	uint64_t bytes[PK_ACCT_COLS]; /**< by enum pk_acct_col */
	uint64_t opened;              /**< sockets opened */
	uint64_t closed;              /**< sockets closed */
};

/** An owner's account. */
struct pk_owner_stats {
	struct pk_acct row[PK_ACCT_ROWS]; /**< by enum pk_acct_row; row 0
					       (PK_ACCT_NONE) unused, zero */
};

/**
 * Create an owner.
 * @param name 1..PK_OWNER_NAMESIZE-1 characters of [A-Za-z0-9_.-]
 * @return its id (> 0), or -EINVAL (bad name), -EEXIST (name taken),
 *   -ENOSPC (PK_OWNER_MAX owners).
 */
int pk_owner_create(const char *name);

/**
 * Find an owner by name ("unknown" finds id 0).
 * @return its id (>= 0), -EINVAL (NULL name) or -ENOENT.
 */
int pk_owner_lookup(const char *name);

/**
 * Find an owner by name, creating it if there is none.
 * @return its id, or the errors of pk_owner_create().
 */
int pk_owner_get(const char *name);

/**
 * @return the owner's name, or NULL if there is no owner with that id. The
 *   string stays valid until the owner is destroyed.
 */
const char *pk_owner_name(uint32_t id);

/**
 * Destroy an owner: its id and name may be reused; its account is gone.
 * The caller makes sure nothing charges it any more (close its sockets,
 * release its reservations first).
 * @return 0, -EINVAL (id 0) or -ENOENT.
 */
int pk_owner_destroy(uint32_t id);

/**
 * Charge packets to an owner. Any thread; call once per burst. An id with
 * no owner is charged to "unknown".
 * @param id the owner
 * @param row enum pk_acct_row (not PK_ACCT_NONE: a row out of range is
 *   charged to PK_ACCT_MISC)
 * @param col enum pk_acct_col (out of range: nothing is charged)
 * @param pkts packets
 * @param bytes their bytes
 */
void pk_owner_charge(uint32_t id, enum pk_acct_row row, enum pk_acct_col col,
		     uint64_t pkts, uint64_t bytes);

/**
 * Count a socket opened (opened != 0) or closed by an owner. Any thread.
 * An id with no owner counts for "unknown".
 * @param id the owner
 * @param row its row (PK_ACCT_TCP, PK_ACCT_UDP, PK_ACCT_RAW_*; out of
 *   range: PK_ACCT_MISC)
 * @param opened non-zero for an open, zero for a close
 */
void pk_owner_count_socket(uint32_t id, enum pk_acct_row row, int opened);

/**
 * Read an owner's account: its charges plus its live accounted paths
 * (those of owners that do not exist count for "unknown"). A path being
 * destroyed at that moment may be missed, never counted twice.
 * @param id the owner
 * @param st filled in
 * @return 0, -EINVAL (NULL st) or -ENOENT.
 */
int pk_owner_stats_get(uint32_t id, struct pk_owner_stats *st);

/**
 * Call fn for every owner, in id order, until it returns non-zero. fn runs
 * on a copy of the table taken at the start, without its lock: it may
 * create, destroy and look up owners.
 * @param fn called with each owner's id and name (valid during the call)
 * @param arg passed to fn
 * @return what the last call returned, or 0; -EINVAL (NULL fn), -ENOMEM.
 */
int pk_owner_foreach(int (*fn)(uint32_t id, const char *name, void *arg),
		     void *arg);

/** @return the row's name ("tcp", "udp", ...), or NULL out of range. */
const char *pk_acct_row_name(enum pk_acct_row row);

/** @return the column's name ("sent", "received", "dropped"), or NULL. */
const char *pk_acct_col_name(enum pk_acct_col col);

/**
 * The row of a packet by IP protocol, for a socket (raw = 0) or a raw
 * socket (raw != 0): TCP, UDP, ICMP/ICMPv6 (raw only) or misc.
 */
enum pk_acct_row pk_acct_row_of(uint8_t ipproto, int raw);

#ifdef __cplusplus
}
#endif

#endif /* PK_OWNER_H */
