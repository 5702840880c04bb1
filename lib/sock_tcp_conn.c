/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sockets: the connection's life (the path is sock_tcp.c's). listen and
 * connect bind the kernel socket to the node's address and the port the
 * map gave, and install the key that steals the flow's segments into the
 * path; accept gives each connection a socket, a path and a key of its own.
 *
 * A connect is under way from the kernel's connect() until the kernel's
 * TCP state says how it ended (TCP_INFO: read, never consumed, unlike
 * SO_ERROR, which only a failed connect reads). Every call meanwhile asks
 * first: connect again, as on a BSD socket (0 once connected, -EALREADY
 * while under way, else why it failed), send and recv (which wait for it
 * within their own budget, or say -EAGAIN), poll (which notes success
 * only, leaving a failure for the others to report). A connect that
 * failed, or a blocking one that timed out, is undone: its key goes, the
 * kernel socket is disconnected (keeping its port), and the socket may
 * connect again.
 */
#define _GNU_SOURCE /* accept4() */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <rte_errno.h>

#include "sock_tcp_pvt.h"

/* Ports a connect tries at most (tcp_connect_pick()). */
#define TCP_PICK_TRIES 8

static uint16_t
tcp_port_of(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 ?
		       ((const struct sockaddr_in6 *)a)->sin6_port :
		       ((const struct sockaddr_in *)a)->sin_port;
}

/* What the kernel socket binds (s->local for listen, the node's address
 * with s's port for connect), once: a listen, or a connect that failed
 * before, has bound it already. */
static int
tcp_kernel_bind(struct pk_sock *s, const struct sockaddr_storage *local)
{
	struct sockaddr_storage a;
	socklen_t l = sizeof(a);
	int one = 1;

	if (getsockname(s->kfd, (struct sockaddr *)&a, &l) == 0 &&
	    tcp_port_of(&a) != 0)
		return 0;
	setsockopt(s->kfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->domain == AF_INET6)
		setsockopt(s->kfd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			   sizeof(one));
	if (bind(s->kfd, (const struct sockaddr *)local,
		 sock_addr_len(s->domain)) != 0)
		return -errno;
	return 0;
}

int
sock_tcp_listen(struct pk_sock *s, int backlog)
{
	struct pk_flow_key key;
	int rc;

	if (!s->bound || s->connected || sock_tcp_connecting(s))
		return -EINVAL;
	if (s->nb_keys == 0) { /* else listening already: a new backlog */
		rc = tcp_kernel_bind(s, &s->local);
		if (rc != 0)
			return rc;
		sock_key_of(s, (const struct sockaddr *)&s->local, NULL, &key);
		rc = sock_key_add(s, &key);
		if (rc != 0)
			return rc;
	}
	if (listen(s->kfd, backlog) != 0)
		return -errno;
	return 0;
}

struct tcp_accept_arg {
	struct sockaddr_storage peer;
	socklen_t len;
	int fd;
};

static long
tcp_accept_op(struct pk_sock *s, void *arg)
{
	struct tcp_accept_arg *a = arg;

	a->len = sizeof(a->peer);
	a->fd = accept4(s->kfd, (struct sockaddr *)&a->peer, &a->len,
			SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (a->fd >= 0)
		return 0;
	return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

int
sock_tcp_accept(struct pk_sock *s, struct sockaddr *peer, socklen_t *len,
		struct pk_sock **acc)
{
	struct tcp_accept_arg a;
	struct pk_flow_key key;
	struct pk_sock *c;
	socklen_t l = sizeof(struct sockaddr_storage);
	long rc;

	rc = sock_tcp_retry(s, sock_wait_us(s, 0), tcp_accept_op, &a);
	if (rc != 0)
		return (int)rc;
	c = sock_open_like(s); /* a path of its own, charged to the owner */
	if (c == NULL) {
		close(a.fd);
		return rte_errno == EMFILE ? -EMFILE : -ENOMEM;
	}
	close(c->kfd);
	c->kfd = a.fd;
	if (getsockname(a.fd, (struct sockaddr *)&c->local, &l) != 0) {
		pk_sock_close(c);
		return -errno;
	}
	c->remote = a.peer;
	c->connected = true;
	/* its segments: its own path from now on (the listener's until now,
	 * which the kernel demultiplexes the same way) */
	sock_key_of(c, (const struct sockaddr *)&c->local,
		    (const struct sockaddr *)&c->remote, &key);
	rc = sock_key_add(c, &key);
	if (rc != 0) {
		pk_sock_close(c);
		return (int)rc;
	}
	if (peer != NULL) {
		memcpy(peer, &a.peer, RTE_MIN(*len, a.len));
		*len = a.len;
	}
	*acc = c;
	return 0;
}

/* The kernel socket's TCP state (TCP_SYN_SENT, ...), or -errno. */
static int
tcp_state(const struct pk_sock *s)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	if (getsockopt(s->kfd, IPPROTO_TCP, TCP_INFO, &ti, &l) != 0)
		return -errno;
	return ti.tcpi_state;
}

/* How the kernel's connect stands: 0 done, -EAGAIN under way, or why it
 * failed (read, and so cleared, from SO_ERROR). */
static long
tcp_connected_op(struct pk_sock *s, void *arg)
{
	int st = tcp_state(s), err = 0;
	socklen_t l = sizeof(err);

	RTE_SET_USED(arg);
	if (st < 0)
		return st;
	if (st == TCP_SYN_SENT || st == TCP_SYN_RECV)
		return -EAGAIN;
	if (st != TCP_CLOSE)
		return 0; /* established (and maybe closing since) */
	if (getsockopt(s->kfd, SOL_SOCKET, SO_ERROR, &err, &l) != 0)
		return -errno;
	return err != 0 ? -err : -ECONNABORTED;
}

/* Forget a connect: its key, the kernel's attempt, the peer. */
static void
tcp_connect_undo(struct pk_sock *s)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };

	sock_keys_del(s);
	/* keeps its port; fails only when there is nothing to end */
	connect(s->kfd, &sa, sizeof(sa));
	memset(&s->remote, 0, sizeof(s->remote));
}

int
sock_tcp_connect_wait(struct pk_sock *s, uint32_t wait_us)
{
	long rc;

	if (s->connected)
		return 0;
	if (!sock_tcp_connecting(s))
		return -ENOTCONN;
	rc = sock_tcp_retry(s, wait_us, tcp_connected_op, NULL);
	if (rc == 0)
		s->connected = true;
	else if (rc != -EAGAIN)
		tcp_connect_undo(s);
	return (int)rc;
}

void
sock_tcp_connect_seen(struct pk_sock *s)
{
	int st;

	if (!sock_tcp_connecting(s))
		return;
	st = tcp_state(s);
	if (st > 0 && st != TCP_SYN_SENT && st != TCP_SYN_RECV &&
	    st != TCP_CLOSE)
		s->connected = true;
}

/*
 * Start the kernel's connect to addr from s's port (bound now if s is
 * unbound), its key installed first: the answer to the SYN must find the
 * path. 0, or the error (nothing left under way).
 */
static int
tcp_connect_start(struct pk_sock *s, const struct sockaddr *addr)
{
	struct sockaddr_storage self;
	struct pk_flow_key key;
	int rc;

	/* from the node's address (s may be bound to a wildcard, which
	 * s->local keeps: that is what the map bound), s's port */
	rc = sock_self(s, &self);
	if (rc != 0)
		return rc;
	rc = tcp_kernel_bind(s, &self);
	if (rc != 0)
		return rc;
	sock_key_of(s, (const struct sockaddr *)&self, addr, &key);
	rc = sock_key_add(s, &key);
	if (rc != 0)
		return rc;
	memset(&s->remote, 0, sizeof(s->remote));
	memcpy(&s->remote, addr, sock_addr_len(s->domain));
	if (connect(s->kfd, addr, sock_addr_len(s->domain)) != 0 &&
	    errno != EINPROGRESS) {
		rc = -errno;
		tcp_connect_undo(s);
	}
	return rc;
}

/* A new kernel socket for another port (the old one keeps its bind). */
static int
tcp_kernel_renew(struct pk_sock *s)
{
	int fd = socket(s->domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);

	if (fd < 0)
		return -errno;
	close(s->kfd);
	s->kfd = fd;
	return 0;
}

/*
 * Start a connect from the port s is bound to, or from one the map picks.
 * The map cannot know which of its free ports the kernel still holds: for
 * a connection to the same peer (closing: FIN_WAIT, TIME_WAIT; the kernel's
 * connect says -EADDRNOTAVAIL), or for a socket of its own (the default
 * ephemeral range is the kernel's too; its bind says -EADDRINUSE). Then,
 * as the kernel's own pick would, another port is tried (the refused ones
 * stay bound meanwhile, so the map gives each once).
 */
static int
tcp_connect_pick(struct pk_sock *s, const struct sockaddr *addr)
{
	struct sockaddr_storage held[TCP_PICK_TRIES];
	unsigned int nb_held = 0, i;
	bool pick = !s->bound;
	int rc;

	for (;;) {
		rc = tcp_connect_start(s, addr);
		if ((rc != -EADDRNOTAVAIL && rc != -EADDRINUSE) || !pick ||
		    !s->bound || nb_held == TCP_PICK_TRIES)
			break;
		held[nb_held++] = s->local;
		s->bound = false;
		rc = tcp_kernel_renew(s);
		if (rc != 0)
			break;
	}
	for (i = 0; i < nb_held; i++)
		sock_port_release(s, &held[i]);
	return rc;
}

int
sock_tcp_connect(struct pk_sock *s, const struct sockaddr *addr,
		 socklen_t len)
{
	uint32_t wait_us = sock_wait_us(s, 0);
	int rc;

	RTE_SET_USED(len);
	if (s->connected)
		return -EISCONN;
	if (sock_tcp_connecting(s)) { /* asked again: how it went */
		rc = sock_tcp_connect_wait(s, wait_us);
		return rc == -EAGAIN ? -EALREADY : rc;
	}
	if (s->nb_keys > 0)
		return -EISCONN; /* listening */
	rc = tcp_connect_pick(s, addr);
	if (rc != 0)
		return rc;
	rc = sock_tcp_connect_wait(s, wait_us);
	if (rc != -EAGAIN)
		return rc;
	if (wait_us == 0)
		return -EINPROGRESS;
	tcp_connect_undo(s); /* given up */
	return -ETIMEDOUT;
}
