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

/* Answer what s holds now, up to ECHO_UDP_ROUND datagrams. */
static void
echo_udp_drain(void *arg, struct pk_sock *s, unsigned int k __rte_unused)
{
	struct echo *e = arg;
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
	unsigned int nfd = silk_socks_pollfds(&e->socks, fds);

	while (!*e->quit)
		silk_socks_poll(fds, nfd, ECHO_WAIT_US, echo_udp_drain, e);
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
	unsigned int nl = silk_socks_pollfds(&e->socks, fds), nfd = nl, i;

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

int
echo_open(struct echo *e, struct pk_node *n, bool v6)
{
	const struct silk_sock_kind k = {
		.type = e->type, .wait_us = ECHO_WAIT_US,
		.backlog = e->type == PK_SOCK_TCP ? 64 : 0,
	};
	unsigned int failed;

	return silk_socks_open(&e->socks, n, e->owner_name, e->port, &k, 1, v6,
			       &failed);
}

int
echo_start(struct echo *e)
{
	return silk_socks_start(&e->socks, echo_main, e);
}

void
echo_stop(struct echo *e)
{
	silk_socks_stop(&e->socks, NULL, NULL);
}
