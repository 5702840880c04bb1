/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_raw_netns, the port's own: the client's port unreachable about a
 * UDP socket's datagram reaches the port's ICMP-error socket, never the
 * UDP socket; another owner binds no raw or ICMP-error socket to a port
 * reserved for, or bound by, the first one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "pk_test.h"
#include "raw_netns.h"

/* ---- the client's port unreachable reaches the ICMP-error socket ---- */

static int
unreach_body(void *arg)
{
	const struct rw_case *c = arg;
	int d = c->domain, rc;
	uint32_t q = d == AF_INET6 ? 48 : 28; /* the quote, in the error */
	uint32_t ql4 = q + (d == AF_INET6 ? 40 : 20);
	struct sockaddr_storage a, to;
	struct pk_sock_stats st;
	struct pk_sock *u, *e;
	uint8_t fr[512];
	struct wc_pkt p;
	const uint8_t *ip;
	socklen_t len;

	u = pk_sock_open(c->n, alice, d, PK_SOCK_UDP, 0);
	NE_CHECK(u != NULL);
	len = sw_sa(d, sw_node_ip(d), PROBE_PORT, &a);
	NE_CHECK_EQ(pk_sock_bind(u, (struct sockaddr *)&a, len), 0);
	e = raw_open(c->n, alice, d, PK_SOCK_ICMPERR, IPPROTO_UDP, PROBE_PORT,
		     &rc);
	NE_CHECK(e != NULL);
	NE_CHECK_EQ(rc, 0);
	NE_CHECK_EQ(pk_sock_set_timeout(u, WAIT_US), 0);
	len = sw_client(d, CLOSED_PORT, &to);
	NE_CHECK_EQ(pk_sock_sendto(u, "probe", 5, 0, (struct sockaddr *)&to,
				   len), 5);
	rc = recv_frame(e, d, fr, sizeof(fr), &p);
	NE_CHECK(rc > 0);
	ip = fr + 14;
	NE_CHECK(sw_addr_is(&p, true, sw_client_ip(d)));
	NE_CHECK(sw_addr_is(&p, false, sw_node_ip(d)));
	NE_CHECK(p.l4_csum_ok);
	if (d == AF_INET6) {
		NE_CHECK_EQ(p.proto, IPPROTO_ICMPV6);
		NE_CHECK_EQ(p.sport, 1); /* destination unreachable */
		NE_CHECK_EQ(p.dport, 4); /* port */
		NE_CHECK(memcmp(ip + q + 8, ip + 24, 16) == 0); /* ours */
		NE_CHECK_EQ(ip[q + 6], IPPROTO_UDP);
	} else {
		NE_CHECK(p.ip_csum_ok);
		NE_CHECK_EQ(p.proto, IPPROTO_ICMP);
		NE_CHECK_EQ(p.sport, 3);
		NE_CHECK_EQ(p.dport, 3);
		NE_CHECK(memcmp(ip + q + 12, ip + 16, 4) == 0);
		NE_CHECK_EQ(ip[q + 9], IPPROTO_UDP);
	}
	/* the whole datagram quoted: its ports and payload */
	NE_CHECK((uint32_t)rc - 14 >= ql4 + 8 + 5);
	NE_CHECK_EQ(ip[ql4] << 8 | ip[ql4 + 1], PROBE_PORT);
	NE_CHECK_EQ(ip[ql4 + 2] << 8 | ip[ql4 + 3], CLOSED_PORT);
	NE_CHECK(memcmp(ip + ql4 + 8, "probe", 5) == 0);
	/* never the UDP socket's */
	NE_CHECK_EQ(pk_sock_recv(u, fr, sizeof(fr), PK_MSG_DONTWAIT), -EAGAIN);
	NE_CHECK_EQ(pk_sock_stats_get(u, &st), 0);
	NE_CHECK_EQ(st.rx_pkts + st.rx_dropped, 0);
	NE_CHECK_EQ(pk_sock_close(e), 0);
	NE_CHECK_EQ(pk_sock_close(u), 0);
	return 0;
}

void
test_icmp_unreachable_to_error_socket(void **state)
{
	struct sw_fixture *f = *state;
	struct pk_acct a0 = pk_test_owner_row(alice, PK_ACCT_RAW_ICMP), a1;
	struct want w = { AF_INET, IPPROTO_UDP, PROBE_PORT, CLOSED_PORT,
			  "probe" };
	struct wc_capture *cap = sw_capture(f, "ether host " CLIENT_MAC);

	app46(f, unreach_body);
	/* the probes, and the client kernel's errors, on the wire */
	expect_frame(cap, &w, true);
	w.family = AF_INET6;
	expect_frame(cap, &w, true);
	w = (struct want){ AF_INET, IPPROTO_ICMP, 3, 3, NULL };
	expect_frame(cap, &w, false);
	w = (struct want){ AF_INET6, IPPROTO_ICMPV6, 1, 4, NULL };
	expect_frame(cap, &w, false);
	assert_int_equal(wc_stop(cap), 0);
	a1 = pk_test_owner_row(alice, PK_ACCT_RAW_ICMP);
	assert_int_equal(a1.pkts[PK_ACCT_RECEIVED] - a0.pkts[PK_ACCT_RECEIVED],
			 2);
}

/* ---- another owner's ports ---- */

static int
foreign_body(void *arg)
{
	const struct rw_case *c = arg;
	int d = c->domain, rc;
	struct sockaddr_storage a;
	struct pk_sock *u, *s;
	socklen_t len;

	/* alice's reserved port: neither raw protocol, nor her errors */
	s = raw_open(c->n, bob, d, PK_SOCK_RAW, IPPROTO_UDP, RAW_PORT, &rc);
	NE_CHECK_EQ(rc, -EACCES);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	s = raw_open(c->n, bob, d, PK_SOCK_RAW, IPPROTO_TCP, RAW_PORT, &rc);
	NE_CHECK_EQ(rc, -EACCES);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	s = raw_open(c->n, bob, d, PK_SOCK_ICMPERR, IPPROTO_UDP, RAW_PORT,
		     &rc);
	NE_CHECK_EQ(rc, -EACCES);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	/* a port alice bound, reserved for nobody */
	u = pk_sock_open(c->n, alice, d, PK_SOCK_UDP, 0);
	NE_CHECK(u != NULL);
	len = sw_sa(d, sw_node_ip(d), BOUND_PORT, &a);
	NE_CHECK_EQ(pk_sock_bind(u, (struct sockaddr *)&a, len), 0);
	s = raw_open(c->n, bob, d, PK_SOCK_ICMPERR, IPPROTO_UDP, BOUND_PORT,
		     &rc);
	NE_CHECK_EQ(rc, -EACCES);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	s = raw_open(c->n, bob, d, PK_SOCK_RAW, IPPROTO_UDP, BOUND_PORT, &rc);
	NE_CHECK_EQ(rc, -EADDRINUSE);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	/* the refusals left nothing behind: alice still may */
	s = raw_open(c->n, alice, d, PK_SOCK_ICMPERR, IPPROTO_UDP, BOUND_PORT,
		     &rc);
	NE_CHECK_EQ(rc, 0);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	s = raw_open(c->n, alice, d, PK_SOCK_RAW, IPPROTO_UDP, RAW_PORT, &rc);
	NE_CHECK_EQ(rc, 0);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	NE_CHECK_EQ(pk_sock_close(u), 0);
	return 0;
}

void
test_foreign_owner_refused(void **state)
{
	struct sw_fixture *f = *state;

	app46(f, foreign_body);
}
