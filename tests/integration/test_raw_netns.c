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
 * and the servers go on every exit. The tests are in raw_netns_send.c and
 * raw_netns_ports.c; the node is silk_wire_env.h's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_common.h>

#include "raw_netns.h"

/* ---- datagrams, sockets ---- */

/*
 * A datagram of domain src:sport -> dst:dport in b: UDP carrying payload,
 * or a TCP SYN (sequence TCP_SEQ) carrying it; TTL 0, IPv4 header
 * checksum wrong, transport checksum csum. Its length.
 */
size_t
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
struct pk_sock *
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
int
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
const struct wc_frame *
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
void
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
void
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
