/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SOCK_UDP_FIXTURE_H
#define PK_SOCK_UDP_FIXTURE_H

/*
 * What the UDP socket tests on a net_ring uplink share (test_sock.c,
 * test_sock_frag.c), beside sock_fixture.h: the IPv6 peer, the sockets'
 * queue size, an IPv6 address, one frame pushed in, an owner's
 * accounting. Include after sock_fixture.h.
 */

#include <arpa/inet.h>

#include <pathkit/pathkit.h>

#define PEER6_IP "fd00::2"
#define QSIZE 64

static inline struct sockaddr_in6
sin6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

static inline void
ingress1(struct rte_mbuf *m)
{
	fix_ingress(&m, 1);
}

static inline struct pk_owner_stats
acct(int owner)
{
	struct pk_owner_stats st;

	assert_int_equal(pk_owner_stats_get(owner, &st), 0);
	return st;
}

#endif /* PK_SOCK_UDP_FIXTURE_H */
