/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw and ICMP-error sockets on the wire: a SILK node (uplink
 * net_af_packet on the node namespace's veth end, TAP exception path,
 * 10.89.0.1/24 and fd89::1/64), socat UDP echoes in the client namespace,
 * and a libpcap capture on the client's eth0 (wire_capture.h) that sees
 * what really left. IPv4 and IPv6, from application threads at once:
 * - a raw UDP send with a forged IP source leaves with the node's address,
 *   a TTL for its 0 and valid IP and UDP checksums; the client's kernel
 *   takes it (the echo answers) and the raw socket gets the answer whole;
 * - a raw send from another port, or of another protocol (TCP on a UDP
 *   port), is -EPERM, counted by verdict and dropped on the owner's
 *   raw_udp row, and never reaches the wire (a good send after them is the
 *   marker that the capture has caught up); one bigger than the MTU is
 *   -EMSGSIZE, one of the MTU leaves and is echoed;
 * - a raw TCP SYN with a zeroed checksum leaves with a valid one: the
 *   client's kernel answers it with a reset, which the raw socket reads;
 * - a UDP socket's datagram to a closed port of the client brings back the
 *   client kernel's port unreachable, which the port's ICMP-error socket
 *   reads whole (IP header first, quoting the datagram) and the UDP socket
 *   never sees, charged to raw_icmp;
 * - another owner cannot bind a raw socket or an ICMP-error socket to a
 *   port reserved for, or bound by, the first one.
 * After every test no demux key is left and, the node gone, the pool is
 * full. Needs root, ip, ss and socat: exits 77 otherwise. The namespaces
 * and the servers go on every exit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "silk_wire_env.h"

#define FORGED_IP "1.2.3.4"
#define FORGED_IP6 "2001:db8::99"
#define UDP_ECHO 7101
#define RESV_LO 7050          /* alice's, UDP and TCP */
#define RESV_HI 7059
#define RAW_PORT 7050         /* raw sockets: every echo answers here */
#define PROBE_PORT 7051       /* the UDP socket whose errors come back */
#define WRONG_PORT 7052       /* alice's too, but not the socket's */
#define BOUND_PORT 7200       /* bound by alice, reserved for nobody */
#define TCP_SEQ 0x12345678u
#define UPLINK_MTU 1500       /* the veth's, so the node's uplink's */

/* What one application thread works on. */
struct rw_case {
	struct pk_node *n;
	int domain;
};

/*
 * A datagram of domain src:sport -> dst:dport in b: UDP carrying payload,
 * or a TCP SYN (sequence TCP_SEQ) carrying it; TTL 0, IPv4 header
 * checksum wrong, transport checksum csum. Its length.
 */
static size_t
dgram(uint8_t *b, int domain, const char *src, uint16_t sport,
      const char *dst, uint16_t dport, uint8_t proto, const char *payload,
      uint16_t csum)
{
	size_t l3 = domain == AF_INET6 ? 40 : 20;
	size_t l4 = proto == IPPROTO_TCP ? 20 : 8, pl = strlen(payload);
	size_t len = l3 + l4 + pl;
	uint8_t *t = b + l3;

	memset(b, 0, l3 + l4);
	if (domain == AF_INET6) {
		b[0] = 0x60;
		b[4] = (uint8_t)((l4 + pl) >> 8);
		b[5] = (uint8_t)(l4 + pl);
		b[6] = proto; /* hop limit 0 at 7 */
		inet_pton(AF_INET6, src, b + 8);
		inet_pton(AF_INET6, dst, b + 24);
	} else {
		b[0] = 0x45;
		b[2] = (uint8_t)(len >> 8);
		b[3] = (uint8_t)len;
		b[9] = proto; /* TTL 0 at 8 */
		b[10] = 0xbe; /* a wrong header checksum */
		b[11] = 0xef;
		inet_pton(AF_INET, src, b + 12);
		inet_pton(AF_INET, dst, b + 16);
	}
	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	if (proto == IPPROTO_UDP) {
		t[4] = (uint8_t)((l4 + pl) >> 8);
		t[5] = (uint8_t)(l4 + pl);
		memcpy(t + 6, &csum, 2);
	} else {
		t[4] = TCP_SEQ >> 24;
		t[5] = (uint8_t)(TCP_SEQ >> 16);
		t[6] = (uint8_t)(TCP_SEQ >> 8);
		t[7] = (uint8_t)TCP_SEQ;
		t[12] = 5 << 4; /* data offset */
		t[13] = 0x02;   /* SYN */
		t[14] = 0xff;   /* window */
		memcpy(t + 16, &csum, 2);
	}
	memcpy(t + l4, payload, pl);
	return len;
}

/* A raw or ICMP-error socket of owner, bound to node:port of proto. */
static struct pk_sock *
raw_open(struct pk_node *n, int owner, int domain, enum pk_sock_type type,
	 uint8_t proto, uint16_t port, int *rc)
{
	struct pk_sock *s = pk_sock_open(n, owner, domain, type, 0);
	struct sockaddr_storage a;
	socklen_t len = sw_sa(domain, sw_node_ip(domain), port, &a);

	*rc = -ENOMEM;
	if (s == NULL)
		return NULL;
	pk_sock_set_timeout(s, WAIT_US);
	*rc = pk_sock_bind_raw(s, proto, (struct sockaddr *)&a, len);
	return s;
}

/*
 * Receive one IP datagram on s into fr + 14, behind an Ethernet header
 * (type of the socket's domain) so that wc_parse() takes it apart.
 * Returns the frame's length or the recv's error.
 */
static int
recv_frame(struct pk_sock *s, int domain, uint8_t *fr, size_t size,
	   struct wc_pkt *p)
{
	ssize_t r = pk_sock_recv(s, fr + 14, size - 14, 0);

	if (r < 0)
		return (int)r;
	sw_eth_hdr(fr, domain);
	if (wc_parse(fr, (uint32_t)r + 14, p) != 0)
		memset(p, 0, sizeof(*p));
	return (int)r + 14;
}

/* ---- what the capture must hold ---- */

/* A frame of the node's: family, protocol, ports (ICMP: type, code). */
struct want {
	int family;
	uint8_t proto;
	uint16_t sport, dport;
	const char *payload; /* the whole payload, or NULL: any */
};

static bool
want_match(const struct wc_frame *f, const struct wc_pkt *p, void *arg)
{
	const struct want *w = arg;

	return p != NULL && p->family == w->family && p->proto == w->proto &&
	       p->l4 != 0 && p->sport == w->sport && p->dport == w->dport &&
	       (w->payload == NULL ||
		(p->data_len == strlen(w->payload) &&
		 memcmp(f->data + p->data, w->payload, p->data_len) == 0));
}

/*
 * Wait for w in the capture; check that it left from the node's address
 * with a TTL (hop limit) and valid checksums when from_node, else from the
 * client's with valid checksums. Returns the frame.
 */
static const struct wc_frame *
expect_frame(struct wc_capture *cap, const struct want *w, bool from_node)
{
	int i = wc_wait(cap, 0, want_match, (void *)(uintptr_t)w, CAPTURE_US);
	const struct wc_frame *f;
	struct wc_pkt p;

	if (i < 0)
		fail_msg("no frame of family %d proto %u %u -> %u on the wire",
			 w->family, w->proto, w->sport, w->dport);
	f = wc_frame(cap, (unsigned int)i);
	assert_int_equal(wc_parse(f->data, f->caplen, &p), 0);
	assert_true(sw_addr_is(&p, true, from_node ? sw_node_ip(w->family) :
						     sw_client_ip(w->family)));
	assert_true(sw_addr_is(&p, false,
			       from_node ? sw_client_ip(w->family) :
					   sw_node_ip(w->family)));
	assert_true(p.ip_csum_ok);
	assert_true(p.l4_csum_ok);
	if (from_node) /* written over the caller's 0 */
		assert_int_equal(f->data[p.l3 + (w->family == AF_INET6 ? 7 :
							       8)],
				 PK_RAW_TTL_DEFAULT);
	return f;
}

/* The checks above would see a wrong checksum: one bit flipped in a
 * copy of frame f, in its transport payload, then in its IPv4 TTL. */
static void
expect_csum_sensitive(const struct wc_frame *f)
{
	uint8_t b[2048];
	struct wc_pkt p;

	assert_true(f->caplen <= sizeof(b));
	memcpy(b, f->data, f->caplen);
	assert_int_equal(wc_parse(b, f->caplen, &p), 0);
	assert_true(p.data_len > 0);
	b[p.data] ^= 1;
	assert_int_equal(wc_parse(b, f->caplen, &p), 0);
	assert_false(p.l4_csum_ok);
	assert_true(p.ip_csum_ok);
	b[p.data] ^= 1;
	if (p.family == AF_INET) {
		b[p.l3 + 8] ^= 1;
		assert_int_equal(wc_parse(b, f->caplen, &p), 0);
		assert_false(p.ip_csum_ok);
		assert_true(p.l4_csum_ok); /* the TTL is in no pseudo-header */
	}
}

/* Run the body in two application threads at once, IPv4 and IPv6. */
static void
app46(struct sw_fixture *f, ne_body_t fn)
{
	struct rw_case c4 = { f->n, AF_INET }, c6 = { f->n, AF_INET6 };

	sw_app46(fn, &c4, &c6);
}

/* ---- fixture ---- */

static int
setup(void **state)
{
	const struct sw_resv resv[] = {
		{ alice, IPPROTO_UDP, RESV_LO, RESV_HI },
		{ alice, IPPROTO_TCP, RESV_LO, RESV_HI },
	};

	*state = sw_node_up("rn0", resv, RTE_DIM(resv));
	return 0;
}

static int
teardown(void **state)
{
	sw_node_down(*state, false);
	return 0;
}

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

static void
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

static void
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

static void
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

static void
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

static void
test_foreign_owner_refused(void **state)
{
	struct sw_fixture *f = *state;

	app46(f, foreign_body);
}

/* ---- the servers, main ---- */

int
main(void)
{
	static const struct sw_server srv[] = {
		{ "exec socat UDP4-RECVFROM:7101,fork PIPE", 'u', UDP_ECHO },
		{ "exec socat UDP6-RECVFROM:7101,fork,ipv6only=1 PIPE", 'u',
		  UDP_ECHO },
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_raw_forged_source, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_refused_never_on_wire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_tcp_checksum, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_icmp_unreachable_to_error_socket, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner_refused,
						setup, teardown),
	};
	int rc;

	sw_start("test_raw_netns", "pkrw", srv, RTE_DIM(srv));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	sw_stop();
	return rc;
}
