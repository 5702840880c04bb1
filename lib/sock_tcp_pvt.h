/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SOCK_TCP_PVT_H
#define PK_SOCK_TCP_PVT_H

/*
 * Between the TCP socket's two files; not installed.
 *   sock_tcp.c       the path, reinjection, waiting, send, recv, poll
 *   sock_tcp_conn.c  listen, accept, connect: the connection's life
 */

#include "sock_pvt.h"

/*
 * Repeat op (a non-blocking kernel call returning >= 0 or -errno) while it
 * says -EAGAIN, until wait_us passes (0: one try; UINT32_MAX: forever),
 * reinjecting what waits in s's path before each try and sleeping on its
 * input queue between. What op returned, or -EAGAIN.
 */
long sock_tcp_retry(struct pk_sock *s, uint32_t wait_us,
		    long (*op)(struct pk_sock *s, void *arg), void *arg);

/* Whether s has a connect under way: its peer is set, it is not
 * connected yet. */
static inline bool
sock_tcp_connecting(const struct pk_sock *s)
{
	return !s->connected && s->remote.ss_family != AF_UNSPEC;
}

/*
 * Wait up to wait_us for s's connect to finish: 0 (s is connected now),
 * -EAGAIN (still under way), -ENOTCONN (no connect), or why it failed
 * (then it is undone: s's key is gone and s may connect again).
 */
int sock_tcp_connect_wait(struct pk_sock *s, uint32_t wait_us);

/* Mark s connected if its connect has succeeded (poll saw it); a failure
 * is left for the next connect, send or recv to report and undo. */
void sock_tcp_connect_seen(struct pk_sock *s);

int sock_tcp_connect(struct pk_sock *s, const struct sockaddr *a,
		     socklen_t len);
int sock_tcp_listen(struct pk_sock *s, int backlog);
int sock_tcp_accept(struct pk_sock *s, struct sockaddr *peer,
		    socklen_t *len, struct pk_sock **acc);

#endif /* PK_SOCK_TCP_PVT_H */
