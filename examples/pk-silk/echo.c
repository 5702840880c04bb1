/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-silk's echo services: each one an application thread (a pthread
 * registered with the EAL, so it has an lcore id and mempool caches) that
 * answers through the socket API only, on an IPv4 socket and, when the node
 * has an IPv6 address, an IPv6 one, both bound to the port's wildcard
 * address. A UDP echo sends every datagram back to its sender; a TCP echo
 * accepts connections and sends every byte back. Either watches all its
 * sockets with pk_sock_poll() and then reads without waiting. The threads
 * wait at most ECHO_WAIT_US at a time, to see the quit flag.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "silk.h"

#define ECHO_WAIT_US 100000
#define ECHO_BUF 65536
/* Datagrams one UDP socket answers before the others get a look. */
#define ECHO_UDP_ROUND 32

/* e's sockets into fds[0..ret), waiting for events. */
static unsigned int
echo_poll_set(const struct echo *e, struct pk_sock_pollfd *fds, short events)
{
	unsigned int n = 0, i;

	for (i = 0; i < ECHO_FAMILIES; i++)
		if (e->sock[i] != NULL)
			fds[n++] = (struct pk_sock_pollfd){ e->sock[i], events,
							    0 };
	return n;
}

/* Answer what s holds now, up to ECHO_UDP_ROUND datagrams. */
static void
echo_udp_drain(struct echo *e, struct pk_sock *s)
{
	static __thread char buf[ECHO_BUF];
	struct sockaddr_storage from;
	unsigned int i;
	socklen_t len;
	ssize_t n;

	for (i = 0; i < ECHO_UDP_ROUND; i++) {
		len = sizeof(from);
		n = pk_sock_recvfrom(s, buf, sizeof(buf), PK_MSG_DONTWAIT,
				     (struct sockaddr *)&from, &len);
		if (n < 0)
			return; /* -EAGAIN: nothing more (or it was malformed) */
		n = pk_sock_sendto(s, buf, (size_t)n, 0,
				   (struct sockaddr *)&from, len);
		if (n < 0)
			e->errors++;
	}
}

static void
echo_udp(struct echo *e)
{
	struct pk_sock_pollfd fds[ECHO_FAMILIES];
	unsigned int nfd = echo_poll_set(e, fds, POLLIN), i;

	while (!*e->quit) {
		if (pk_sock_poll(fds, nfd, ECHO_WAIT_US) <= 0)
			continue; /* timed out: look at quit */
		for (i = 0; i < nfd; i++)
			if (fds[i].revents & POLLIN)
				echo_udp_drain(e, fds[i].sock);
	}
}

/* Send all of buf on a stream; -errno on failure. */
static int
echo_send_all(struct pk_sock *s, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = pk_sock_send(s, buf, len, 0);

		if (n < 0)
			return (int)n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Connections are fds[first..*nfd): echo what they hold, drop closed ones. */
static void
echo_tcp_serve(struct echo *e, struct pk_sock_pollfd *fds, unsigned int first,
	       unsigned int *nfd)
{
	static __thread char buf[ECHO_BUF];
	unsigned int i;

	for (i = first; i < *nfd; i++) {
		ssize_t n;

		if (fds[i].revents == 0)
			continue;
		n = pk_sock_recv(fds[i].sock, buf, sizeof(buf),
				 PK_MSG_DONTWAIT);
		if (n == -EAGAIN)
			continue;
		if (n > 0 && echo_send_all(fds[i].sock, buf, (size_t)n) == 0)
			continue;
		if (n < 0)
			e->errors++;
		pk_sock_close(fds[i].sock); /* closed by the peer, or broken */
		fds[i] = fds[--*nfd];
		i--;
	}
}

/* A connection waiting on listener l joins the set, if there is room. */
static void
echo_tcp_accept(struct pk_sock *l, struct pk_sock_pollfd *fds,
		unsigned int *nfd, unsigned int max)
{
	struct pk_sock *c;

	if (pk_sock_accept(l, NULL, NULL, &c) != 0)
		return;
	if (*nfd == max) {
		pk_sock_close(c); /* too many */
		return;
	}
	pk_sock_set_timeout(c, ECHO_WAIT_US);
	fds[(*nfd)++] = (struct pk_sock_pollfd){ c, POLLIN, 0 };
}

static void
echo_tcp(struct echo *e)
{
	struct pk_sock_pollfd fds[ECHO_FAMILIES + ECHO_MAX_CONN];
	unsigned int nl = echo_poll_set(e, fds, POLLIN), nfd = nl, i;

	while (!*e->quit) {
		if (pk_sock_poll(fds, nfd, ECHO_WAIT_US) <= 0)
			continue;
		for (i = 0; i < nl; i++)
			if (fds[i].revents & POLLIN)
				echo_tcp_accept(fds[i].sock, fds, &nfd,
						RTE_DIM(fds));
		echo_tcp_serve(e, fds, nl, &nfd);
	}
	for (i = nl; i < nfd; i++)
		pk_sock_close(fds[i].sock);
}

static void *
echo_main(void *arg)
{
	struct echo *e = arg;

	if (rte_thread_register() != 0) {
		fprintf(stderr, "pk-silk: echo %s:%u: cannot register with "
			"the EAL\n", e->owner_name, e->port);
		e->errors++;
		return NULL;
	}
	if (e->type == PK_SOCK_UDP)
		echo_udp(e);
	else
		echo_tcp(e);
	rte_thread_unregister();
	return NULL;
}

/* One socket of e on the wildcard address of family af. */
static int
echo_open_af(struct echo *e, struct pk_node *n, uint32_t owner, int af,
	     struct pk_sock **out)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(e->port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(e->port) };
	struct pk_sock *s;
	int rc;

	s = pk_sock_open(n, owner, af, e->type, 0);
	if (s == NULL)
		return -rte_errno;
	pk_sock_set_timeout(s, ECHO_WAIT_US);
	if (af == AF_INET6)
		rc = pk_sock_bind(s, (struct sockaddr *)&a6, sizeof(a6));
	else
		rc = pk_sock_bind(s, (struct sockaddr *)&a4, sizeof(a4));
	if (rc == 0 && e->type == PK_SOCK_TCP)
		rc = pk_sock_listen(s, 64);
	if (rc != 0) {
		pk_sock_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* Close e's sockets. */
static void
echo_close(struct echo *e)
{
	unsigned int i;

	for (i = 0; i < ECHO_FAMILIES; i++) {
		pk_sock_close(e->sock[i]);
		e->sock[i] = NULL;
	}
}

int
echo_open(struct echo *e, struct pk_node *n, bool v6)
{
	int owner = pk_owner_get(e->owner_name), rc;

	if (owner < 0)
		return owner;
	rc = echo_open_af(e, n, (uint32_t)owner, AF_INET, &e->sock[0]);
	if (rc == 0 && v6)
		rc = echo_open_af(e, n, (uint32_t)owner, AF_INET6,
				  &e->sock[1]);
	if (rc != 0)
		echo_close(e);
	return rc;
}

int
echo_start(struct echo *e)
{
	int rc = -pthread_create(&e->thread, NULL, echo_main, e);

	e->started = rc == 0;
	return rc;
}

void
echo_stop(struct echo *e)
{
	if (e->started)
		pthread_join(e->thread, NULL);
	e->started = false;
	echo_close(e);
}
