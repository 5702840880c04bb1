/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sniff_netns, UDP: alice's sniffer's copies of her port's datagrams
 * are the wire's; bob's traffic and bob's sniffers stay out of hers, and
 * hers out of his; the client's port unreachable is her port's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sniff_netns.h"

/* ---- sockets ---- */

/* A UDP socket of owner bound to node:port, or NULL. */
static struct pk_sock *
udp_open(struct pk_node *n, int owner, int domain, uint16_t port)
{
	struct pk_sock *s = pk_sock_open(n, owner, domain, PK_SOCK_UDP, 0);
	struct sockaddr_storage a;
	socklen_t len = sw_sa(domain, sw_node_ip(domain), port, &a);

	if (s == NULL)
		return NULL;
	if (pk_sock_set_timeout(s, WAIT_US) != 0 ||
	    pk_sock_bind(s, (struct sockaddr *)&a, len) != 0) {
		pk_sock_close(s);
		return NULL;
	}
	return s;
}

/* Datagram i (1 to 1351 bytes) to the echo on port, and its answer. */
static int
udp_echo(struct pk_sock *s, int domain, uint16_t port, int i)
{
	struct sockaddr_storage to;
	socklen_t len = sw_client(domain, port, &to);
	size_t n = 1 + (size_t)i * 90;
	char out[1400], in[1500];

	memset(out, 'a' + i, n);
	NE_CHECK_EQ(pk_sock_sendto(s, out, n, 0, (struct sockaddr *)&to, len),
		    n);
	NE_CHECK_EQ(pk_sock_recv(s, in, sizeof(in), 0), n);
	NE_CHECK(memcmp(in, out, n) == 0);
	return 0;
}

/* ---- UDP: the copies are what went by ---- */

static int
udp_body(void *arg)
{
	struct sn_case *c = arg;
	int d = c->domain, rc, i;
	struct pk_sock_stats st;
	struct pk_sock *sn, *u;

	sn = sniff_open(c->n, alice, d, IPPROTO_UDP, ALICE_PORT,
			PK_SOCK_F_SNIFF_IN, &rc);
	NE_CHECK(sn != NULL);
	NE_CHECK_EQ(rc, 0);
	u = udp_open(c->n, alice, d, ALICE_PORT);
	NE_CHECK(u != NULL);
	for (i = 0; i < ROUNDS; i++)
		NE_CHECK_EQ(udp_echo(u, d, ALICE_ECHO, i), 0);
	NE_CHECK_EQ(copies_read(sn, &c->cp, 2 * ROUNDS), 0);
	NE_CHECK_EQ(pk_sock_stats_get(sn, &st), 0);
	NE_CHECK_EQ(st.rx_pkts, 2 * ROUNDS);
	NE_CHECK_EQ(st.rx_dropped, 0);
	NE_CHECK_EQ(st.tx_pkts, 0);
	/* the socket got every answer whole: nothing the sniffer took */
	NE_CHECK_EQ(pk_sock_stats_get(u, &st), 0);
	NE_CHECK_EQ(st.rx_pkts, ROUNDS);
	NE_CHECK_EQ(pk_sock_close(u), 0);
	NE_CHECK_EQ(pk_sock_close(sn), 0);
	return 0;
}

void
test_udp_copies_are_the_wire(void **state)
{
	struct sw_fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };
	struct wc_capture *cap = sw_capture(f, SNIFF_FILTER);

	sw_app46(udp_body, &c4, &c6);
	expect_wire46(cap, IPPROTO_UDP, ALICE_PORT, &c4, &c6);
	cases_fini(&c4, &c6);
}

/* ---- owners: bob's traffic, bob's sniffers ---- */

static int
step_wait(struct sn_case *c, int step)
{
	uint64_t end = ne_now_us() + 4 * WAIT_US;

	while (__atomic_load_n(&c->step, __ATOMIC_ACQUIRE) < step) {
		NE_CHECK(ne_now_us() < end);
		usleep(1000);
	}
	return 0;
}

static void
step_set(struct sn_case *c, int step)
{
	__atomic_store_n(&c->step, step, __ATOMIC_RELEASE);
}

/* Read sniffer s until it has dropped want copies as policy, giving none:
 * 0 or -1. */
static int
expect_policy_drops(struct pk_sock *s, uint64_t want)
{
	uint64_t end = ne_now_us() + WAIT_US;
	struct pk_sock_stats st;
	uint8_t b[2048];

	do {
		NE_CHECK_EQ(pk_sock_recv(s, b, sizeof(b), PK_MSG_DONTWAIT),
			    -EAGAIN);
		NE_CHECK_EQ(pk_sock_stats_get(s, &st), 0);
		NE_CHECK(ne_now_us() < end);
	} while (st.rx_dropped < want);
	NE_CHECK_EQ(st.rx_dropped, want);
	NE_CHECK_EQ(st.rx_pkts, 0);
	return 0;
}

/* Alice: her sniffer and socket on her port; a socket on the free port
 * bob sniffs, once he does. */
static int
alice_body(void *arg)
{
	struct sn_case *c = arg;
	int d = c->domain, rc, i;
	struct pk_sock *sn, *u, *w;

	sn = sniff_open(c->n, alice, d, IPPROTO_UDP, ALICE_PORT,
			PK_SOCK_F_SNIFF_IN, &rc);
	NE_CHECK(sn != NULL);
	NE_CHECK_EQ(rc, 0);
	u = udp_open(c->n, alice, d, ALICE_PORT);
	NE_CHECK(u != NULL);
	NE_CHECK_EQ(step_wait(c, 1), 0);
	w = udp_open(c->n, alice, d, FREE_PORT); /* his sniffer holds none */
	NE_CHECK(w != NULL);
	for (i = 0; i < ROUNDS; i++) {
		NE_CHECK_EQ(udp_echo(u, d, ALICE_ECHO, i), 0);
		NE_CHECK_EQ(udp_echo(w, d, FREE_ECHO, i), 0);
	}
	step_set(c, 2);
	NE_CHECK_EQ(step_wait(c, 3), 0);
	NE_CHECK_EQ(pk_sock_close(w), 0);
	NE_CHECK_EQ(copies_read(sn, &c->cp, 2 * ROUNDS), 0);
	NE_CHECK_EQ(pk_sock_close(u), 0);
	NE_CHECK_EQ(pk_sock_close(sn), 0);
	return 0;
}

/* Bob: no sniffer on her port; one on the free port she binds, which
 * gets nothing of hers; his own port's traffic meanwhile. */
static int
bob_body(void *arg)
{
	struct sn_case *c = arg;
	int d = c->domain, rc, i;
	struct pk_sock *sn, *b;

	sn = sniff_open(c->n, bob, d, IPPROTO_UDP, ALICE_PORT,
			PK_SOCK_F_SNIFF_IN, &rc);
	NE_CHECK_EQ(rc, -EACCES);
	NE_CHECK_EQ(pk_sock_close(sn), 0);
	sn = sniff_open(c->n, bob, d, IPPROTO_TCP, TCP_PORT, 0, &rc);
	NE_CHECK_EQ(rc, -EACCES);
	NE_CHECK_EQ(pk_sock_close(sn), 0);
	sn = sniff_open(c->n, bob, d, IPPROTO_UDP, FREE_PORT,
			PK_SOCK_F_SNIFF_IN, &rc);
	NE_CHECK(sn != NULL);
	NE_CHECK_EQ(rc, 0);
	step_set(c, 1);
	b = udp_open(c->n, bob, d, BOB_PORT);
	NE_CHECK(b != NULL);
	for (i = 0; i < ROUNDS; i++)
		NE_CHECK_EQ(udp_echo(b, d, BOB_ECHO, i), 0);
	/* she has sent and heard ROUNDS on his port while she holds it */
	NE_CHECK_EQ(step_wait(c, 2), 0);
	NE_CHECK_EQ(expect_policy_drops(sn, 2 * ROUNDS), 0);
	step_set(c, 3);
	NE_CHECK_EQ(pk_sock_close(b), 0);
	NE_CHECK_EQ(pk_sock_close(sn), 0);
	return 0;
}

void
test_owner_scoped(void **state)
{
	struct sw_fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };
	const ne_body_t fns[4] = { alice_body, bob_body, alice_body,
				   bob_body };
	void *const args[4] = { &c4, &c4, &c6, &c6 };
	struct wc_capture *cap = sw_capture(f, SNIFF_FILTER);

	assert_int_equal(ne_app_run(4, fns, args), 0);
	/* hers only, every one of them */
	expect_wire46(cap, IPPROTO_UDP, ALICE_PORT, &c4, &c6);
	cases_fini(&c4, &c6);
}

/* Bob sniffs the free port, alice holds it and talks, then goes; bob
 * binds it: her copies, taken while she held it, are still not his. */
static int
handover_body(void *arg)
{
	struct sn_case *c = arg;
	int d = c->domain, rc, i;
	struct pk_sock *sn, *w, *b;

	sn = sniff_open(c->n, bob, d, IPPROTO_UDP, FREE_PORT,
			PK_SOCK_F_SNIFF_IN, &rc);
	NE_CHECK(sn != NULL);
	NE_CHECK_EQ(rc, 0);
	w = udp_open(c->n, alice, d, FREE_PORT);
	NE_CHECK(w != NULL);
	for (i = 0; i < ROUNDS; i++)
		NE_CHECK_EQ(udp_echo(w, d, FREE_ECHO, i), 0);
	NE_CHECK_EQ(pk_sock_close(w), 0);
	b = udp_open(c->n, bob, d, FREE_PORT);
	NE_CHECK(b != NULL);
	NE_CHECK_EQ(expect_policy_drops(sn, 2 * ROUNDS), 0);
	NE_CHECK_EQ(pk_sock_close(b), 0);
	NE_CHECK_EQ(pk_sock_close(sn), 0);
	return 0;
}

void
test_foreign_copies_stay_foreign(void **state)
{
	struct sw_fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };

	sw_app46(handover_body, &c4, &c6);
}

/* ---- an ICMP error about the port is the port's ---- */

static int
unreach_body(void *arg)
{
	struct sn_case *c = arg;
	int d = c->domain, rc;
	struct sockaddr_storage to;
	struct pk_sock *sn, *u;
	uint8_t b[64];
	socklen_t len;

	sn = sniff_open(c->n, alice, d, IPPROTO_UDP, PROBE_PORT,
			PK_SOCK_F_SNIFF_IN, &rc);
	NE_CHECK(sn != NULL);
	NE_CHECK_EQ(rc, 0);
	u = udp_open(c->n, alice, d, PROBE_PORT);
	NE_CHECK(u != NULL);
	len = sw_client(d, CLOSED_PORT, &to);
	NE_CHECK_EQ(pk_sock_sendto(u, "probe", 5, 0, (struct sockaddr *)&to,
				   len), 5);
	/* the probe out, the client kernel's port unreachable in */
	NE_CHECK_EQ(copies_read(sn, &c->cp, 2), 0);
	NE_CHECK_EQ(c->cp.b[1][d == AF_INET6 ? 6 : 9],
		    d == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	/* no ICMP-error socket: the error is not the UDP socket's */
	NE_CHECK_EQ(pk_sock_recv(u, b, sizeof(b), PK_MSG_DONTWAIT), -EAGAIN);
	NE_CHECK_EQ(pk_sock_close(u), 0);
	NE_CHECK_EQ(pk_sock_close(sn), 0);
	return 0;
}

void
test_icmp_error_is_the_ports(void **state)
{
	struct sw_fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };
	struct wc_capture *cap = sw_capture(f, SNIFF_FILTER);

	sw_app46(unreach_body, &c4, &c6);
	expect_wire46(cap, IPPROTO_UDP, PROBE_PORT, &c4, &c6);
	cases_fini(&c4, &c6);
}

