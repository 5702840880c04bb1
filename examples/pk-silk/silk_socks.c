/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lifecycle pk-silk's services share (echo.c, raw.c, sniff.c): their
 * sockets, one of each kind per address family, IPv4 and, when the node has
 * it, IPv6, opened and bound on the port's wildcard address before the node
 * starts; one application thread that polls them and serves the readable
 * ones; at the end the thread joined, and each socket's counts read before
 * it closes (a closed socket's are gone).
 */
#include <poll.h>
#include <string.h>

#include "silk.h"

/* The wildcard address of family af, port, into ss: its length. */
static socklen_t
silk_socks_any(int af, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)af;
	if (af == AF_INET6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		a6->sin6_port = htons(port);
		a6->sin6_addr = in6addr_any;
		return sizeof(*a6);
	}
	((struct sockaddr_in *)ss)->sin_port = htons(port); /* INADDR_ANY: 0 */
	return sizeof(struct sockaddr_in);
}

/* One socket of kind k, family af, on port: in *out, 0; or -errno. */
static int
silk_socks_open_one(struct pk_node *n, uint32_t owner, int af, uint16_t port,
		    const struct silk_sock_kind *k, struct pk_sock **out)
{
	struct sockaddr_storage a;
	socklen_t len = silk_socks_any(af, port, &a);
	struct pk_sock *s;
	int rc;

	s = pk_sock_open(n, owner, af, k->type, k->flags);
	if (s == NULL)
		return -rte_errno;
	if (k->wait_us != 0)
		pk_sock_set_timeout(s, k->wait_us);
	if (k->proto != 0)
		rc = pk_sock_bind_raw(s, k->proto, (struct sockaddr *)&a, len);
	else
		rc = pk_sock_bind(s, (struct sockaddr *)&a, len);
	if (rc == 0 && k->backlog > 0)
		rc = pk_sock_listen(s, k->backlog);
	if (rc != 0) {
		pk_sock_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int
silk_socks_open(struct silk_socks *ss, struct pk_node *n,
		const char *owner_name, uint16_t port,
		const struct silk_sock_kind *kinds, unsigned int nb_kinds,
		bool v6, unsigned int *failed)
{
	int owner = pk_owner_get(owner_name), rc = 0;
	unsigned int i;

	ss->nb_kinds = nb_kinds;
	*failed = SILK_SOCKS;
	if (owner < 0)
		return owner;
	for (i = 0; i < (v6 ? 2 : 1) * nb_kinds && rc == 0; i++) {
		rc = silk_socks_open_one(n, (uint32_t)owner,
					 silk_socks_af(ss, i), port,
					 &kinds[i % nb_kinds], &ss->sock[i]);
		if (rc != 0)
			*failed = i;
	}
	if (rc != 0)
		silk_socks_stop(ss, NULL, NULL);
	return rc;
}

int
silk_socks_af(const struct silk_socks *ss, unsigned int i)
{
	return i / ss->nb_kinds == 0 ? AF_INET : AF_INET6;
}

unsigned int
silk_socks_pollfds(const struct silk_socks *ss, struct pk_sock_pollfd *fds)
{
	unsigned int n = 0;

	while (n < ECHO_FAMILIES * ss->nb_kinds && ss->sock[n] != NULL) {
		fds[n] = (struct pk_sock_pollfd){ ss->sock[n], POLLIN, 0 };
		n++;
	}
	return n;
}

int
silk_socks_poll(struct pk_sock_pollfd *fds, unsigned int nfd,
		uint32_t wait_us, silk_socks_ready_t ready, void *arg)
{
	int rc = pk_sock_poll(fds, nfd, wait_us);
	unsigned int k;

	if (rc > 0) /* else timed out: the caller looks at its quit flag */
		for (k = 0; k < nfd; k++)
			if (fds[k].revents & POLLIN)
				ready(arg, fds[k].sock, k);
	return rc;
}

int
silk_socks_start(struct silk_socks *ss, void *(*fn)(void *), void *arg)
{
	int rc = -pthread_create(&ss->thread, NULL, fn, arg);

	ss->started = rc == 0;
	return rc;
}

void
silk_socks_stop(struct silk_socks *ss, silk_socks_count_t count, void *arg)
{
	unsigned int i;

	if (ss->started)
		pthread_join(ss->thread, NULL);
	ss->started = false;
	for (i = 0; i < SILK_SOCKS; i++) {
		if (ss->sock[i] != NULL && count != NULL)
			count(arg, ss->sock[i]);
		pk_sock_close(ss->sock[i]);
		ss->sock[i] = NULL;
	}
}
