/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sock_netns, UDP: connect, send and recv, sendto and recvfrom through
 * the echoes on IPv4 and IPv6 sockets at once, charged to the owner's udp
 * row; a send to a host of the prefix that is not there gives -EAGAIN at
 * once (non-blocking) or after the timeout, never hangs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <pathkit/pathkit.h>

#include "netns_env.h"
#include "pk_test.h"
#include "sock_netns.h"

struct udp_case {
	struct pk_node *n;
	int domain;
};

static int
udp_echo_body(void *arg)
{
	const struct udp_case *c = arg;
	struct sockaddr_storage to, from, local;
	socklen_t len = client(c->domain, UDP_ECHO, &to), flen;
	char out[1400], in[1500];
	struct pk_sock_stats st;
	struct pk_sock *s;
	int i;

	/* connected: send and recv */
	s = pk_sock_open(c->n, alice, c->domain, PK_SOCK_UDP, 0);
	NE_CHECK(s != NULL);
	NE_CHECK_EQ(pk_sock_set_timeout(s, 2000000), 0);
	NE_CHECK_EQ(pk_sock_connect(s, (struct sockaddr *)&to, len), 0);
	NE_CHECK_EQ(pk_sock_name(s, &local, NULL), 0);
	NE_CHECK(port_of(&local) >= PK_PORTMAP_EPHEMERAL_LO);
	for (i = 0; i < 20; i++) {
		size_t n = 1 + (size_t)i * 70;

		memset(out, 'a' + i, n);
		NE_CHECK_EQ(pk_sock_send(s, out, n, 0), n);
		NE_CHECK_EQ(pk_sock_recv(s, in, sizeof(in), 0), n);
		NE_CHECK(memcmp(in, out, n) == 0);
	}
	NE_CHECK_EQ(pk_sock_stats_get(s, &st), 0);
	NE_CHECK_EQ(st.tx_pkts, 20);
	NE_CHECK_EQ(st.rx_pkts, 20);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	/* unconnected: sendto and recvfrom, which says who answered (another
	 * echo: the last one's children read its socket for a while, and
	 * answer the peer they serve) */
	len = client(c->domain, UDP_ECHO_2, &to);
	s = pk_sock_open(c->n, alice, c->domain, PK_SOCK_UDP, 0);
	NE_CHECK(s != NULL);
	NE_CHECK_EQ(pk_sock_set_timeout(s, 2000000), 0);
	NE_CHECK_EQ(pk_sock_sendto(s, "hello", 5, 0, (struct sockaddr *)&to,
				   len), 5);
	flen = sizeof(from);
	NE_CHECK_EQ(pk_sock_recvfrom(s, in, sizeof(in), 0,
				     (struct sockaddr *)&from, &flen), 5);
	NE_CHECK_EQ(flen, len);
	NE_CHECK(memcmp(&from, &to, len) == 0);
	NE_CHECK_EQ(pk_sock_recv(s, in, sizeof(in), PK_MSG_DONTWAIT),
		    -EAGAIN);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	return 0;
}

void
test_udp_echo(void **state)
{
	struct fixture *f = *state;
	struct udp_case c4 = { f->n, AF_INET }, c6 = { f->n, AF_INET6 };
	struct pk_acct a0, a1;

	a0 = pk_test_owner_row(alice, PK_ACCT_UDP);
	app2(udp_echo_body, &c4, &c6);
	a1 = pk_test_owner_row(alice, PK_ACCT_UDP);
	assert_int_equal(a1.pkts[PK_ACCT_SENT] - a0.pkts[PK_ACCT_SENT], 42);
	assert_int_equal(a1.pkts[PK_ACCT_RECEIVED] - a0.pkts[PK_ACCT_RECEIVED],
			 42);
}

/* A send to a host of the prefix that is not there: never hangs. */
static int
udp_absent_body(void *arg)
{
	const struct udp_case *c = arg;
	struct sockaddr_storage to;
	socklen_t len = peer(c->domain, c->domain == AF_INET6 ? ABSENT_IP6 :
			     ABSENT_IP, 9, &to);
	struct pk_sock *s;
	uint64_t t0;

	s = pk_sock_open(c->n, alice, c->domain, PK_SOCK_UDP,
			 PK_SOCK_F_NONBLOCK);
	NE_CHECK(s != NULL);
	t0 = ne_now_us();
	NE_CHECK_EQ(pk_sock_sendto(s, "x", 1, 0, (struct sockaddr *)&to, len),
		    -EAGAIN);
	NE_CHECK(ne_now_us() - t0 < 100000);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	s = pk_sock_open(c->n, alice, c->domain, PK_SOCK_UDP, 0);
	NE_CHECK(s != NULL);
	NE_CHECK_EQ(pk_sock_set_timeout(s, 300000), 0);
	t0 = ne_now_us();
	NE_CHECK_EQ(pk_sock_sendto(s, "x", 1, 0, (struct sockaddr *)&to, len),
		    -EAGAIN);
	NE_CHECK(ne_now_us() - t0 >= 290000 && ne_now_us() - t0 < 3000000);
	NE_CHECK_EQ(pk_sock_connect(s, (struct sockaddr *)&to, len), 0);
	t0 = ne_now_us();
	NE_CHECK_EQ(pk_sock_send(s, "x", 1, PK_MSG_DONTWAIT), -EAGAIN);
	NE_CHECK(ne_now_us() - t0 < 100000);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	return 0;
}

void
test_udp_absent_host(void **state)
{
	struct fixture *f = *state;
	struct udp_case c4 = { f->n, AF_INET }, c6 = { f->n, AF_INET6 };

	app2(udp_absent_body, &c4, &c6);
}
