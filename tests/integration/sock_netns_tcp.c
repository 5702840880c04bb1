/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sock_netns, TCP: connect (blocking; non-blocking with -EINPROGRESS
 * and a poll for POLLOUT), 1 MB through the echo and back on IPv4 and IPv6
 * sockets at once, a receive timeout, a refused connect and what follows
 * it, ephemeral ports (never another owner's, never one the kernel still
 * holds for the same peer), a wildcard bind given back at close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <pathkit/pathkit.h>

#include "netns_env.h"
#include "pk_test.h"
#include "sock_netns.h"

#define ECHO_WINDOW (32 * 1024)

struct tcp_case {
	struct pk_node *n;
	int domain;
	int nonblock;
};

/* Connect s to the echo on port; non-blocking: -EINPROGRESS, then poll. */
int
tcp_connect(struct pk_sock *s, int domain, uint16_t port, int nonblock)
{
	struct pk_sock_pollfd pfd = { s, POLLOUT, 0 };
	struct sockaddr_storage to;
	socklen_t len = client(domain, port, &to);
	int rc;

	if (!nonblock) {
		NE_CHECK_EQ(pk_sock_connect(s, (struct sockaddr *)&to, len), 0);
		return 0;
	}
	/* the answer may be back before the connect looks */
	rc = pk_sock_connect(s, (struct sockaddr *)&to, len);
	if (rc == 0)
		return 0;
	NE_CHECK_EQ(rc, -EINPROGRESS);
	NE_CHECK_EQ(pk_sock_connect(s, (struct sockaddr *)&to, len), -EALREADY);
	NE_CHECK_EQ(pk_sock_poll(&pfd, 1, WAIT_US), 1);
	NE_CHECK_EQ(pfd.revents, POLLOUT);
	return 0;
}

/* Lock-step: send a chunk (blocking), read its echo back (blocking). */
static int
tcp_stream_blocking(struct pk_sock *s, const uint8_t *out, uint8_t *in)
{
	size_t sent = 0, got = 0;
	ssize_t r;

	while (sent < STREAM) {
		r = pk_sock_send(s, out + sent, RTE_MIN(CHUNK, STREAM - sent),
				 0);
		NE_CHECK(r > 0);
		sent += (size_t)r;
		while (got < sent) {
			r = pk_sock_recv(s, in + got, STREAM - got, 0);
			NE_CHECK(r > 0);
			got += (size_t)r;
		}
	}
	return 0;
}

/*
 * Both ways at once, never waiting but in pk_sock_poll(). At most
 * ECHO_WINDOW bytes in flight: the echo is one socat process moving both
 * ways through one pipe with blocking writes; with a full pipe it would
 * wait for itself.
 */
static int
tcp_stream_nonblocking(struct pk_sock *s, const uint8_t *out, uint8_t *in)
{
	uint64_t end = ne_now_us() + 6 * WAIT_US;
	size_t sent = 0, got = 0;
	ssize_t r;

	while (got < STREAM) {
		struct pk_sock_pollfd pfd = { s, POLLIN, 0 };
		int moved = 0;

		NE_CHECK(ne_now_us() < end);
		if (sent < STREAM && sent - got < ECHO_WINDOW) {
			r = pk_sock_send(s, out + sent,
					 RTE_MIN(CHUNK, STREAM - sent), 0);
			NE_CHECK(r > 0 || r == -EAGAIN);
			if (r > 0) {
				sent += (size_t)r;
				moved = 1;
			}
			pfd.events |= POLLOUT;
		}
		r = pk_sock_recv(s, in + got, STREAM - got, 0);
		NE_CHECK(r > 0 || r == -EAGAIN); /* 0: the echo closed */
		if (r > 0) {
			got += (size_t)r;
			moved = 1;
		}
		if (!moved)
			NE_CHECK(pk_sock_poll(&pfd, 1, WAIT_US) >= 0);
	}
	return 0;
}

static int
tcp_echo_body(void *arg)
{
	const struct tcp_case *c = arg;
	uint8_t *out = malloc(STREAM), *in = malloc(STREAM);
	struct sockaddr_storage local, remote;
	struct pk_sock_stats st;
	struct pk_sock *s;
	uint64_t t0;
	size_t i;
	int rc;

	NE_CHECK(out != NULL && in != NULL);
	for (i = 0; i < STREAM; i++)
		out[i] = (uint8_t)(i * 7 + (i >> 10) + c->domain);
	s = pk_sock_open(c->n, alice, c->domain, PK_SOCK_TCP,
			 c->nonblock ? PK_SOCK_F_NONBLOCK : 0);
	NE_CHECK(s != NULL);
	NE_CHECK_EQ(pk_sock_set_timeout(s, WAIT_US), 0);
	rc = tcp_connect(s, c->domain, TCP_ECHO, c->nonblock);
	if (rc == 0) {
		NE_CHECK_EQ(pk_sock_name(s, &local, &remote), 0);
		NE_CHECK(port_of(&local) >= PK_PORTMAP_EPHEMERAL_LO &&
			 port_of(&local) <= PK_PORTMAP_EPHEMERAL_HI);
		NE_CHECK_EQ(port_of(&remote), TCP_ECHO);
		rc = c->nonblock ? tcp_stream_nonblocking(s, out, in) :
				   tcp_stream_blocking(s, out, in);
	}
	if (rc == 0 && memcmp(out, in, STREAM) != 0)
		rc = ne_fail(__LINE__, "the stream came back changed");
	free(out);
	free(in);
	if (rc != 0) {
		pk_sock_close(s);
		return rc;
	}
	NE_CHECK_EQ(pk_sock_stats_get(s, &st), 0);
	NE_CHECK_EQ(st.tx_bytes, STREAM);
	NE_CHECK_EQ(st.rx_bytes, STREAM);
	NE_CHECK(st.rx_processed > 0); /* segments reinjected */
	/* nothing more comes: a receive with a timeout gives up */
	NE_CHECK_EQ(pk_sock_set_timeout(s, 200000), 0);
	t0 = ne_now_us();
	NE_CHECK_EQ(pk_sock_recv(s, &i, sizeof(i), 0), -EAGAIN);
	NE_CHECK(c->nonblock || ne_now_us() - t0 >= 190000);
	NE_CHECK(ne_now_us() - t0 < 3000000);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	return 0;
}

void
test_tcp_echo(void **state)
{
	struct fixture *f = *state;
	struct tcp_case c4 = { f->n, AF_INET, 0 }, c6 = { f->n, AF_INET6, 0 };
	struct pk_acct a0, a1;

	a0 = pk_test_owner_row(alice, PK_ACCT_TCP);
	app2(tcp_echo_body, &c4, &c6);
	c4.nonblock = c6.nonblock = 1;
	app2(tcp_echo_body, &c4, &c6);
	a1 = pk_test_owner_row(alice, PK_ACCT_TCP);
	/* four streams each way, with their headers */
	assert_true(a1.bytes[PK_ACCT_SENT] - a0.bytes[PK_ACCT_SENT] >
		    4 * STREAM);
	assert_true(a1.bytes[PK_ACCT_RECEIVED] - a0.bytes[PK_ACCT_RECEIVED] >
		    4 * STREAM);
	assert_true(a1.pkts[PK_ACCT_SENT] - a0.pkts[PK_ACCT_SENT] >
		    4 * STREAM / 1500);
}

static int
tcp_refused_body(void *arg)
{
	const struct tcp_case *c = arg;
	struct pk_sock_pollfd pfd;
	struct sockaddr_storage to;
	socklen_t len = client(c->domain, CLOSED_PORT, &to);
	struct pk_sock *s;
	char b = 0;
	int rc;

	s = pk_sock_open(c->n, alice, c->domain, PK_SOCK_TCP, 0);
	NE_CHECK(s != NULL);
	NE_CHECK_EQ(pk_sock_set_timeout(s, WAIT_US), 0);
	NE_CHECK_EQ(pk_sock_recv(s, &b, 1, 0), -ENOTCONN);
	NE_CHECK_EQ(pk_sock_connect(s, (struct sockaddr *)&to, len),
		    -ECONNREFUSED);
	NE_CHECK_EQ(pk_sock_send(s, &b, 1, 0), -ENOTCONN);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	/* non-blocking: the poll says it is over, connect says how */
	s = pk_sock_open(c->n, alice, c->domain, PK_SOCK_TCP,
			 PK_SOCK_F_NONBLOCK);
	NE_CHECK(s != NULL);
	rc = pk_sock_connect(s, (struct sockaddr *)&to, len);
	if (rc == -EINPROGRESS) {
		pfd = (struct pk_sock_pollfd){ s, POLLOUT, 0 };
		NE_CHECK_EQ(pk_sock_poll(&pfd, 1, WAIT_US), 1);
		NE_CHECK(pfd.revents & (POLLERR | POLLHUP));
		rc = pk_sock_connect(s, (struct sockaddr *)&to, len);
	}
	NE_CHECK_EQ(rc, -ECONNREFUSED);
	/* undone: it may try again, and a send says it is not connected */
	NE_CHECK_EQ(pk_sock_send(s, &b, 1, 0), -ENOTCONN);
	rc = pk_sock_connect(s, (struct sockaddr *)&to, len);
	NE_CHECK(rc == -EINPROGRESS || rc == -ECONNREFUSED);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	return 0;
}

void
test_tcp_refused(void **state)
{
	struct fixture *f = *state;
	struct tcp_case c4 = { f->n, AF_INET, 0 }, c6 = { f->n, AF_INET6, 0 };

	app2(tcp_refused_body, &c4, &c6);
}

/* Connect to the echo, check the port, a round trip, close (TIME_WAIT). */
static int
eph_connect(struct pk_node *n, int domain, struct pk_sock **sp, int *port)
{
	struct sockaddr_storage to, local;
	socklen_t len = client(domain, TCP_ECHO, &to);
	struct pk_sock *s = pk_sock_open(n, alice, domain, PK_SOCK_TCP, 0);
	char buf[8];
	int rc;

	NE_CHECK(s != NULL);
	NE_CHECK_EQ(pk_sock_set_timeout(s, WAIT_US), 0);
	*sp = s;
	rc = pk_sock_connect(s, (struct sockaddr *)&to, len);
	if (rc != 0)
		return rc;
	NE_CHECK_EQ(pk_sock_name(s, &local, NULL), 0);
	*port = port_of(&local);
	NE_CHECK(*port > EPH_BOB_HI && *port <= EPH_HI);
	NE_CHECK_EQ(pk_sock_send(s, "ping", 4, 0), 4);
	NE_CHECK_EQ(pk_sock_recv(s, buf, sizeof(buf), 0), 4);
	NE_CHECK(memcmp(buf, "ping", 4) == 0);
	return 0;
}

/* A kernel socket of the node's namespace, which the map does not know,
 * connected from NODE_IP6:port to the echo: the kernel holds that port for
 * that peer. Its descriptor, or -1. */
static int
kernel_hold(uint16_t port)
{
	struct sockaddr_storage me, to;
	socklen_t len = peer(AF_INET6, NODE_IP6, port, &me);
	int one = 1, fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK |
				 SOCK_CLOEXEC, 0);
	struct pollfd p = { fd, POLLOUT, 0 };

	client(AF_INET6, TCP_ECHO, &to);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&me, len) != 0 ||
	    (connect(fd, (struct sockaddr *)&to, len) != 0 &&
	     errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	while (poll(&p, 1, 5000) < 0 && errno == EINTR) /* net_tap's SIGIO */
		;
	if (p.revents != POLLOUT) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Close it with a reset: the kernel lets go of the port at once. */
static void
kernel_release(int fd)
{
	struct linger l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static int
tcp_ephemeral_body(void *arg)
{
	struct pk_node *n = arg;
	struct pk_sock *s[EPH_HI - EPH_BOB_HI + 1];
	struct sockaddr_storage a;
	socklen_t len;
	int port[RTE_DIM(s)], i, j, k;

	/* every free port once, each in use while the next is picked */
	for (i = 0; i < (int)RTE_DIM(s) - 1; i++) {
		NE_CHECK_EQ(eph_connect(n, AF_INET, &s[i], &port[i]), 0);
		for (j = 0; j < i; j++)
			NE_CHECK(port[j] != port[i]);
	}
	NE_CHECK_EQ(eph_connect(n, AF_INET, &s[i], &port[i]),
		    -EADDRNOTAVAIL);
	NE_CHECK_EQ(pk_sock_close(s[i]), 0);
	/* bob's ports are bob's, even for a bind that names them */
	s[i] = pk_sock_open(n, alice, AF_INET, PK_SOCK_TCP, 0);
	NE_CHECK(s[i] != NULL);
	len = peer(AF_INET, NODE_IP, EPH_LO + 1, &a);
	NE_CHECK_EQ(pk_sock_bind(s[i], (struct sockaddr *)&a, len), -EACCES);
	NE_CHECK_EQ(pk_sock_close(s[i]), 0);
	for (i = 0; i < (int)RTE_DIM(s) - 1; i++)
		NE_CHECK_EQ(pk_sock_close(s[i]), 0);
	/* a port the kernel holds for the peer (here a socket the map does
	 * not know; a closing connection does the same) is traded for another
	 * (IPv6: the connections just closed may hold the IPv4 ones) */
	k = kernel_hold(EPH_HI - 1);
	NE_CHECK(k >= 0);
	for (i = 0; i < 2; i++) {
		NE_CHECK_EQ(eph_connect(n, AF_INET6, &s[i], &port[i]), 0);
		NE_CHECK(port[i] != EPH_HI - 1);
	}
	NE_CHECK(port[0] != port[1]);
	NE_CHECK_EQ(eph_connect(n, AF_INET6, &s[2], &port[2]),
		    -EADDRNOTAVAIL);
	NE_CHECK_EQ(pk_sock_close(s[2]), 0);
	kernel_release(k);
	NE_CHECK_EQ(eph_connect(n, AF_INET6, &s[2], &port[2]), 0);
	NE_CHECK_EQ(port[2], EPH_HI - 1);
	for (i = 0; i < 3; i++)
		NE_CHECK_EQ(pk_sock_close(s[i]), 0);
	/* bound to the wildcard, then connected: close gives that port back */
	for (i = 0; i < 2; i++) {
		struct sockaddr_storage to;
		socklen_t tlen = client(AF_INET, TCP_ECHO, &to);

		s[0] = pk_sock_open(n, alice, AF_INET, PK_SOCK_TCP, 0);
		NE_CHECK(s[0] != NULL);
		len = peer(AF_INET, "0.0.0.0", WILD_PORT + i, &a);
		NE_CHECK_EQ(pk_sock_bind(s[0], (struct sockaddr *)&a, len), 0);
		NE_CHECK_EQ(pk_sock_set_timeout(s[0], WAIT_US), 0);
		NE_CHECK_EQ(pk_sock_connect(s[0], (struct sockaddr *)&to,
					    tlen), 0);
		NE_CHECK_EQ(pk_sock_close(s[0]), 0);
		s[0] = pk_sock_open(n, alice, AF_INET, PK_SOCK_TCP, 0);
		NE_CHECK(s[0] != NULL);
		NE_CHECK_EQ(pk_sock_bind(s[0], (struct sockaddr *)&a, len), 0);
		NE_CHECK_EQ(pk_sock_close(s[0]), 0);
	}
	return 0;
}

void
test_tcp_ephemeral_ports(void **state)
{
	struct fixture *f = *state;
	struct pk_portmap *pm = pk_node_portmap(f->n);
	int bob = pk_owner_get("bob");

	assert_true(bob > 0);
	assert_int_equal(pk_portmap_ephemeral_set(pm, EPH_LO, EPH_HI), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, IPPROTO_TCP, EPH_LO,
					    EPH_BOB_HI, NULL), 0);
	app(tcp_ephemeral_body, f->n);
	assert_int_equal(pk_portmap_release(pm, bob, IPPROTO_TCP, EPH_LO,
					    EPH_BOB_HI, NULL), 0);
}
