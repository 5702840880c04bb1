/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_raw_netns, what raw sockets send: a forged source leaves as the
 * node's and the client's kernel takes it; a send from another port or of
 * another protocol is refused and never on the wire, one over the MTU too;
 * a TCP SYN with a zeroed checksum leaves with a valid one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "pk_test.h"
#include "raw_netns.h"

/* ---- a forged source leaves as the node's; the kernel takes it ---- */

static int
forged_body(void *arg)
{
	const struct rw_case *c = arg;
	int d = c->domain, rc;
	uint8_t b[128], fr[256];
	struct pk_sock *s;
	struct wc_pkt p;
	size_t len;

	s = raw_open(c->n, alice, d, PK_SOCK_RAW, IPPROTO_UDP, RAW_PORT, &rc);
	NE_CHECK(s != NULL);
	NE_CHECK_EQ(rc, 0);
	len = dgram(b, d, d == AF_INET6 ? FORGED_IP6 : FORGED_IP, RAW_PORT,
		    sw_client_ip(d), UDP_ECHO, IPPROTO_UDP, "forged", 0xbeef);
	NE_CHECK_EQ(pk_sock_send(s, b, len, 0), len);
	/* the client's kernel found it good: the echo answers the node */
	NE_CHECK_EQ(recv_frame(s, d, fr, sizeof(fr), &p), 14 + len);
	NE_CHECK_EQ(p.family, d);
	NE_CHECK(sw_addr_is(&p, true, sw_client_ip(d)));
	NE_CHECK(sw_addr_is(&p, false, sw_node_ip(d)));
	NE_CHECK_EQ(p.sport, UDP_ECHO);
	NE_CHECK_EQ(p.dport, RAW_PORT);
	NE_CHECK(p.l4_csum_ok);
	NE_CHECK(memcmp(fr + p.data, "forged", 6) == 0);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	return 0;
}

void
test_raw_forged_source(void **state)
{
	struct sw_fixture *f = *state;
	struct pk_acct a0 = pk_test_owner_row(alice, PK_ACCT_RAW_UDP), a1;
	struct want w = { AF_INET, IPPROTO_UDP, RAW_PORT, UDP_ECHO, "forged" };
	struct wc_capture *cap = sw_capture(f, "ether dst " CLIENT_MAC);

	app46(f, forged_body);
	expect_csum_sensitive(expect_frame(cap, &w, true));
	w.family = AF_INET6;
	expect_csum_sensitive(expect_frame(cap, &w, true));
	assert_int_equal(wc_stop(cap), 0);
	a1 = pk_test_owner_row(alice, PK_ACCT_RAW_UDP);
	assert_int_equal(a1.pkts[PK_ACCT_SENT] - a0.pkts[PK_ACCT_SENT], 2);
	assert_int_equal(a1.pkts[PK_ACCT_RECEIVED] - a0.pkts[PK_ACCT_RECEIVED],
			 2);
}

/* ---- wrong port, wrong protocol: refused, never on the wire ---- */

static int
refused_body(void *arg)
{
	const struct rw_case *c = arg;
	int d = c->domain, rc;
	size_t hdrs = (d == AF_INET6 ? 40 : 20) + 8, len;
	uint8_t b[UPLINK_MTU + 64], fr[UPLINK_MTU + 64];
	char big[UPLINK_MTU + 1];
	struct pk_sock_stats st;
	struct pk_sock *s;
	struct wc_pkt p;

	s = raw_open(c->n, alice, d, PK_SOCK_RAW, IPPROTO_UDP, RAW_PORT, &rc);
	NE_CHECK(s != NULL);
	NE_CHECK_EQ(rc, 0);
	/* from another port of alice's own */
	len = dgram(b, d, sw_node_ip(d), WRONG_PORT, sw_client_ip(d), UDP_ECHO,
		    IPPROTO_UDP, "refused", 0);
	NE_CHECK_EQ(pk_sock_send(s, b, len, 0), -EPERM);
	/* TCP on a UDP port (alice holds it in TCP too) */
	len = dgram(b, d, sw_node_ip(d), RAW_PORT, sw_client_ip(d), UDP_ECHO,
		    IPPROTO_TCP, "refused", 0);
	NE_CHECK_EQ(pk_sock_send(s, b, len, 0), -EPERM);
	/* one byte over the MTU (the uplink would lose it), then the MTU,
	 * which the client's kernel takes whole */
	memset(big, 'm', sizeof(big));
	big[UPLINK_MTU + 1 - hdrs] = '\0';
	len = dgram(b, d, sw_node_ip(d), RAW_PORT, sw_client_ip(d), UDP_ECHO,
		    IPPROTO_UDP, big, 0);
	NE_CHECK_EQ(pk_sock_send(s, b, len, 0), -EMSGSIZE);
	big[UPLINK_MTU - hdrs] = '\0';
	len = dgram(b, d, sw_node_ip(d), RAW_PORT, sw_client_ip(d), UDP_ECHO,
		    IPPROTO_UDP, big, 0);
	NE_CHECK_EQ(len, UPLINK_MTU);
	NE_CHECK_EQ(pk_sock_send(s, b, len, 0), len);
	NE_CHECK_EQ(recv_frame(s, d, fr, sizeof(fr), &p), 14 + len);
	NE_CHECK(p.l4_csum_ok);
	/* the marker: a good one after them */
	len = dgram(b, d, sw_node_ip(d), RAW_PORT, sw_client_ip(d), UDP_ECHO,
		    IPPROTO_UDP, "marker", 0);
	NE_CHECK_EQ(pk_sock_send(s, b, len, 0), len);
	NE_CHECK_EQ(recv_frame(s, d, fr, sizeof(fr), &p), 14 + len);
	NE_CHECK(memcmp(fr + p.data, "marker", 6) == 0);
	NE_CHECK_EQ(pk_sock_raw_refused(s, PK_RAW_SPORT), 1);
	NE_CHECK_EQ(pk_sock_raw_refused(s, PK_RAW_PROTO), 1);
	NE_CHECK_EQ(pk_sock_stats_get(s, &st), 0);
	NE_CHECK_EQ(st.tx_pkts, 2);
	NE_CHECK_EQ(st.tx_dropped, 3);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	return 0;
}

void
test_raw_refused_never_on_wire(void **state)
{
	struct sw_fixture *f = *state;
	struct pk_acct a0 = pk_test_owner_row(alice, PK_ACCT_RAW_UDP), a1;
	struct pk_acct t0 = pk_test_owner_row(alice, PK_ACCT_RAW_TCP), t1;
	struct want w = { AF_INET, IPPROTO_UDP, RAW_PORT, UDP_ECHO, "marker" };
	struct wc_capture *cap = sw_capture(f, "ether dst " CLIENT_MAC);
	unsigned int i, ip = 0, big = 0;
	const struct wc_frame *fr;
	struct wc_pkt p;

	app46(f, refused_body);
	expect_frame(cap, &w, true);
	w.family = AF_INET6;
	expect_frame(cap, &w, true);
	assert_int_equal(wc_stop(cap), 0); /* nothing lost: all there */
	for (i = 0; (fr = wc_frame(cap, i)) != NULL; i++) {
		if (wc_parse(fr->data, fr->caplen, &p) != 0)
			continue;
		ip++;
		big += fr->len == 14 + UPLINK_MTU && p.l4_csum_ok;
		assert_int_not_equal(p.proto, IPPROTO_TCP);
		if (p.proto == IPPROTO_UDP)
			assert_int_equal(p.sport, RAW_PORT);
		assert_false(p.data_len >= 7 &&
			     memcmp(fr->data + p.data, "refused", 7) == 0);
	}
	assert_true(ip >= 4);
	assert_int_equal(big, 2); /* the MTU, in each family */
	a1 = pk_test_owner_row(alice, PK_ACCT_RAW_UDP);
	t1 = pk_test_owner_row(alice, PK_ACCT_RAW_TCP);
	/* dropped on the bound protocol's row, the TCP one too */
	assert_int_equal(a1.pkts[PK_ACCT_DROPPED] - a0.pkts[PK_ACCT_DROPPED],
			 6);
	assert_int_equal(a1.pkts[PK_ACCT_SENT] - a0.pkts[PK_ACCT_SENT], 4);
	assert_int_equal(t1.pkts[PK_ACCT_SENT] - t0.pkts[PK_ACCT_SENT], 0);
	assert_int_equal(t1.pkts[PK_ACCT_DROPPED] - t0.pkts[PK_ACCT_DROPPED],
			 0);
}

/* ---- a TCP SYN with a zeroed checksum leaves with a valid one ---- */

static int
tcp_body(void *arg)
{
	const struct rw_case *c = arg;
	int d = c->domain, rc;
	uint8_t b[128], fr[256];
	struct pk_sock *s;
	struct wc_pkt p;
	uint32_t ack;
	size_t len;

	s = raw_open(c->n, alice, d, PK_SOCK_RAW, IPPROTO_TCP, RAW_PORT, &rc);
	NE_CHECK(s != NULL);
	NE_CHECK_EQ(rc, 0);
	len = dgram(b, d, d == AF_INET6 ? FORGED_IP6 : FORGED_IP, RAW_PORT,
		    sw_client_ip(d), CLOSED_PORT, IPPROTO_TCP, "", 0);
	NE_CHECK_EQ(pk_sock_send(s, b, len, 0), len);
	/* the client's kernel checked it, found no listener: a reset */
	NE_CHECK(recv_frame(s, d, fr, sizeof(fr), &p) > 0);
	NE_CHECK_EQ(p.proto, IPPROTO_TCP);
	NE_CHECK(sw_addr_is(&p, true, sw_client_ip(d)));
	NE_CHECK_EQ(p.sport, CLOSED_PORT);
	NE_CHECK_EQ(p.dport, RAW_PORT);
	NE_CHECK(p.l4_csum_ok);
	NE_CHECK_EQ(fr[p.l4 + 13], 0x14); /* RST, ACK */
	ack = (uint32_t)fr[p.l4 + 8] << 24 | (uint32_t)fr[p.l4 + 9] << 16 |
	      (uint32_t)fr[p.l4 + 10] << 8 | fr[p.l4 + 11];
	NE_CHECK_EQ(ack, TCP_SEQ + 1);
	NE_CHECK_EQ(pk_sock_close(s), 0);
	return 0;
}

void
test_raw_tcp_checksum(void **state)
{
	struct sw_fixture *f = *state;
	struct pk_acct a0 = pk_test_owner_row(alice, PK_ACCT_RAW_TCP), a1;
	struct want w = { AF_INET, IPPROTO_TCP, RAW_PORT, CLOSED_PORT, "" };
	struct wc_capture *cap = sw_capture(f, "tcp");

	app46(f, tcp_body);
	expect_frame(cap, &w, true);
	w.family = AF_INET6;
	expect_frame(cap, &w, true);
	assert_int_equal(wc_stop(cap), 0);
	a1 = pk_test_owner_row(alice, PK_ACCT_RAW_TCP);
	assert_int_equal(a1.pkts[PK_ACCT_SENT] - a0.pkts[PK_ACCT_SENT], 2);
	assert_int_equal(a1.pkts[PK_ACCT_RECEIVED] - a0.pkts[PK_ACCT_RECEIVED],
			 2);
}
