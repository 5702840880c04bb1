/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-silk's echo services: each one an application thread (a pthread
 * registered with the EAL, so it has an lcore id and mempool caches) that
 * answers through the socket API only. A UDP echo sends every datagram
 * back to its sender; a TCP echo accepts connections and sends every byte
 * back, watching the listener and its connections with pk_sock_poll().
 * The threads wait at most ECHO_WAIT_US at a time, to see the quit flag.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "silk.h"

#define ECHO_WAIT_US 100000
#define ECHO_BUF 65536

static void
echo_udp(struct echo *e)
{
	static __thread char buf[ECHO_BUF];
	struct sockaddr_storage from;
	socklen_t len;
	ssize_t n;

	while (!*e->quit) {
		len = sizeof(from);
		n = pk_sock_recvfrom(e->sock, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &len);
		if (n < 0)
			continue; /* -EAGAIN: the wait ended; look at quit */
		n = pk_sock_sendto(e->sock, buf, (size_t)n, 0,
				   (struct sockaddr *)&from, len);
		if (n < 0)
			e->errors++;
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

/* One poll slot: the listener in 0, connections after it. */
static void
echo_tcp_serve(struct echo *e, struct pk_sock_pollfd *fds, unsigned int *nfd)
{
	static __thread char buf[ECHO_BUF];
	unsigned int i;

	for (i = 1; i < *nfd; i++) {
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

static void
echo_tcp(struct echo *e)
{
	struct pk_sock_pollfd fds[ECHO_MAX_CONN + 1];
	unsigned int nfd = 1, i;

	fds[0] = (struct pk_sock_pollfd){ e->sock, POLLIN, 0 };
	while (!*e->quit) {
		if (pk_sock_poll(fds, nfd, ECHO_WAIT_US) <= 0)
			continue;
		if (fds[0].revents & POLLIN) {
			struct pk_sock *c;

			if (pk_sock_accept(e->sock, NULL, NULL, &c) == 0) {
				if (nfd <= ECHO_MAX_CONN) {
					pk_sock_set_timeout(c, ECHO_WAIT_US);
					fds[nfd++] = (struct pk_sock_pollfd){
						c, POLLIN, 0 };
				} else {
					pk_sock_close(c); /* too many */
				}
			}
		}
		echo_tcp_serve(e, fds, &nfd);
	}
	for (i = 1; i < nfd; i++)
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
echo_open(struct echo *e, struct pk_node *n)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(e->port) };
	int owner = pk_owner_get(e->owner_name), rc;

	if (owner < 0)
		return owner;
	e->sock = pk_sock_open(n, (uint32_t)owner, AF_INET, e->type, 0);
	if (e->sock == NULL)
		return -rte_errno;
	pk_sock_set_timeout(e->sock, ECHO_WAIT_US);
	rc = pk_sock_bind(e->sock, (struct sockaddr *)&a, sizeof(a));
	if (rc == 0 && e->type == PK_SOCK_TCP)
		rc = pk_sock_listen(e->sock, 64);
	if (rc != 0) {
		pk_sock_close(e->sock);
		e->sock = NULL;
	}
	return rc;
}

int
echo_start(struct echo *e)
{
	return -pthread_create(&e->thread, NULL, echo_main, e);
}

void
echo_stop(struct echo *e)
{
	if (e->sock == NULL)
		return;
	pthread_join(e->thread, NULL);
	pk_sock_close(e->sock);
	e->sock = NULL;
}
