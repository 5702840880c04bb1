/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sniffers (PK_SOCK_SNIFF) on the wire: a SILK node (uplink net_af_packet
 * on the node namespace's veth end, TAP exception path, 10.89.0.1/24 and
 * fd89::1/64), socat echoes in the client namespace, and a libpcap capture
 * on the client's eth0 (wire_capture.h) that sees what really went by.
 * IPv4 and IPv6, from application threads at once:
 * - alice's sniffer (incoming too) on her UDP port, while her UDP socket
 *   talks to an echo: its copies are the frames the capture saw for the
 *   port, without their Ethernet header, byte for byte, in order each way;
 *   the outgoing ones carry valid checksums, as the wire does;
 * - her TCP sniffer on the port of her TCP socket (a kernel socket through
 *   the TAP) talking to a TCP echo: the handshake, the data and the FIN
 *   both ways, the capture's frames again;
 * - bob, on his own port at the same time, sends and receives: alice's
 *   sniffer sees none of it; he cannot sniff her reserved port (-EACCES);
 *   his sniffer on a free port that she then binds sees none of her
 *   packets (dropped as policy, in its rx_dropped), also when he reads
 *   them after she has gone and he holds the port himself;
 * - the client's port unreachable about her UDP port shows in her
 *   sniffer's incoming copies (an error counts as its quoted port's).
 * After every test the node lost no copy, no demux key is left and, the
 * node gone, the pool is full. Needs root, ip, ss and socat: exits 77
 * otherwise. The namespaces and the servers go on every exit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "netns_env.h"
#include "pk_test.h"
#include "wire_capture.h"

#define NODE_IP "10.89.0.1"
#define NODE_IP6 "fd89::1"
#define CLIENT_IP "10.89.0.2"
#define CLIENT_IP6 "fd89::2"
#define CLIENT_MAC "02:00:00:89:00:02"
#define TCP_ECHO 7001
/* one UDP echo per peer: socat's children read the socket they share for
 * a while, and answer the peer they were forked for */
#define ALICE_ECHO 7101       /* alice's ALICE_PORT */
#define BOB_ECHO 7102         /* bob's BOB_PORT */
#define FREE_ECHO 7103        /* whoever holds FREE_PORT */
#define CLOSED_PORT 7999      /* nothing listens there */
#define RESV_LO 7050          /* alice's, UDP and TCP */
#define RESV_HI 7059
#define ALICE_PORT 7050       /* her UDP socket's */
#define TCP_PORT 7051         /* her TCP socket's */
#define PROBE_PORT 7052       /* her UDP socket whose error comes back */
#define BOB_LO 7300           /* bob's, UDP and TCP */
#define BOB_HI 7309
#define BOB_PORT 7300
#define FREE_PORT 7400        /* reserved for nobody */
#define ROUNDS 16             /* datagrams each way per socket */
#define MAX_COPIES 512
#define WAIT_US 2000000u      /* longest wait of a call that works */
#define QUIET_US 300000u      /* no copy for this long: nothing more comes */
#define CAPTURE_US 3000000u   /* longest wait for a frame in the capture */

enum { WAY_NONE, WAY_OUT, WAY_IN };

static struct rte_mempool *pool;
static uint16_t uplink;
static unsigned int worker;
static int alice, bob;

struct fixture {
	struct pk_node *n;
	unsigned int flows;
	struct wc_capture *cap; /* freed by teardown, whatever happened */
};

/* What a sniffer read: whole IP datagrams, in order. */
struct copies {
	unsigned int n;
	uint8_t *b[MAX_COPIES];
	uint32_t len[MAX_COPIES];
};

/* What one family's application threads work on. */
struct sn_case {
	struct pk_node *n;
	int domain;
	int step;         /* bob and alice's rendezvous (test_owner_scoped) */
	struct copies cp; /* alice's sniffer's */
};

static const char *
node_ip(int domain)
{
	return domain == AF_INET6 ? NODE_IP6 : NODE_IP;
}

/* ip:port of domain into ss; its length. */
static socklen_t
sa(int domain, const char *ip, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)domain;
	if (domain == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &a->sin6_addr);
		return sizeof(*a);
	}
	((struct sockaddr_in *)ss)->sin_port = htons(port);
	inet_pton(AF_INET, ip, &((struct sockaddr_in *)ss)->sin_addr);
	return sizeof(struct sockaddr_in);
}

static socklen_t
client(int domain, uint16_t port, struct sockaddr_storage *ss)
{
	return sa(domain, domain == AF_INET6 ? CLIENT_IP6 : CLIENT_IP, port,
		  ss);
}

/* Whether address field a of parsed p (src or dst) is ip. */
static bool
addr_is(const struct wc_pkt *p, bool src, const char *ip)
{
	uint8_t want[16];

	if (p->family == AF_INET6)
		return inet_pton(AF_INET6, ip, want) == 1 &&
		       memcmp(src ? &p->src6 : &p->dst6, want, 16) == 0;
	return inet_pton(AF_INET, ip, want) == 1 &&
	       memcmp(src ? &p->src4 : &p->dst4, want, 4) == 0;
}

/* ---- sockets ---- */

/* A sniffer of owner on node:port of proto (flags: PK_SOCK_F_SNIFF_IN);
 * its bind's result in *rc. */
static struct pk_sock *
sniff_open(struct pk_node *n, int owner, int domain, uint8_t proto,
	   uint16_t port, uint32_t flags, int *rc)
{
	struct pk_sock *s = pk_sock_open(n, owner, domain, PK_SOCK_SNIFF,
					 flags);
	struct sockaddr_storage a;
	socklen_t len = sa(domain, node_ip(domain), port, &a);

	*rc = -ENOMEM;
	if (s == NULL)
		return NULL;
	pk_sock_set_timeout(s, QUIET_US);
	*rc = pk_sock_bind_raw(s, proto, (struct sockaddr *)&a, len);
	return s;
}

/* A UDP socket of owner bound to node:port, or NULL. */
static struct pk_sock *
udp_open(struct pk_node *n, int owner, int domain, uint16_t port)
{
	struct pk_sock *s = pk_sock_open(n, owner, domain, PK_SOCK_UDP, 0);
	struct sockaddr_storage a;
	socklen_t len = sa(domain, node_ip(domain), port, &a);

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
	socklen_t len = client(domain, port, &to);
	size_t n = 1 + (size_t)i * 90;
	char out[1400], in[1500];

	memset(out, 'a' + i, n);
	NE_CHECK_EQ(pk_sock_sendto(s, out, n, 0, (struct sockaddr *)&to, len),
		    n);
	NE_CHECK_EQ(pk_sock_recv(s, in, sizeof(in), 0), n);
	NE_CHECK(memcmp(in, out, n) == 0);
	return 0;
}

/* ---- copies ---- */

static void
copies_free(struct copies *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		free(c->b[i]);
	c->n = 0;
}

/*
 * Read sniffer s until it holds want copies, or nothing came for QUIET_US
 * (want 0: until that quiet only). Returns 0 or ne_fail()'s -1.
 */
static int
copies_read(struct pk_sock *s, struct copies *c, unsigned int want)
{
	static __thread uint8_t buf[65536];
	ssize_t r;

	while (want == 0 || c->n < want) {
		r = pk_sock_recv(s, buf, sizeof(buf), 0); /* waits QUIET_US */
		if (r == -EAGAIN)
			break;
		NE_CHECK(r > 0);
		NE_CHECK(c->n < MAX_COPIES);
		c->b[c->n] = malloc((size_t)r);
		NE_CHECK(c->b[c->n] != NULL);
		memcpy(c->b[c->n], buf, (size_t)r);
		c->len[c->n++] = (uint32_t)r;
	}
	NE_CHECK(want == 0 || c->n == want);
	/* and then nothing more */
	NE_CHECK_EQ(pk_sock_recv(s, buf, sizeof(buf), PK_MSG_DONTWAIT),
		    -EAGAIN);
	return 0;
}

/* Copy i of c behind an Ethernet header of its family, taken apart. */
static void
copy_parse(const struct copies *c, unsigned int i, int family, uint8_t *fr,
	   size_t size, struct wc_pkt *p)
{
	assert_true(c->len[i] + 14 <= size);
	memset(fr, 0, 14);
	fr[12] = family == AF_INET6 ? 0x86 : 0x08;
	fr[13] = family == AF_INET6 ? 0xdd : 0x00;
	memcpy(fr + 14, c->b[i], c->len[i]);
	assert_int_equal(wc_parse(fr, c->len[i] + 14, p), 0);
}

/* ---- the wire ---- */

/* Whether parsed p is an ICMP or ICMPv6 error. */
static bool
icmp_error(const struct wc_pkt *p)
{
	if (p->l4 == 0)
		return false;
	if (p->proto == IPPROTO_ICMP)
		return p->sport == 3 || p->sport == 4 || p->sport == 5 ||
		       p->sport == 11 || p->sport == 12;
	return p->proto == IPPROTO_ICMPV6 && p->sport >= 1 && p->sport <= 4;
}

/*
 * Which way frame f (parsed p) goes if it is a packet of port (proto) of
 * the node's address of family: out from the port, in to it, an ICMP error
 * about a packet of the port (the way of the error), or none.
 */
static int
port_way(const uint8_t *f, uint32_t flen, const struct wc_pkt *p,
	 int family, uint8_t proto, uint16_t port)
{
	bool from = addr_is(p, true, node_ip(family));
	bool to = addr_is(p, false, node_ip(family));
	uint32_t q, ql4, qp;

	if (p->family != family || p->l4 == 0)
		return WAY_NONE;
	if (p->proto == proto) {
		if (from && p->sport == port)
			return WAY_OUT;
		return to && p->dport == port ? WAY_IN : WAY_NONE;
	}
	if (!icmp_error(p))
		return WAY_NONE;
	q = p->l4 + 8; /* the quoted datagram (no IPv6 extensions) */
	if (family == AF_INET6) {
		ql4 = q + 40;
		qp = q + 6 < flen ? f[q + 6] : 0;
	} else {
		ql4 = q < flen ? q + (uint32_t)(f[q] & 0xf) * 4 : flen;
		qp = q + 9 < flen ? f[q + 9] : 0;
	}
	if (qp != proto || ql4 + 4 > flen)
		return WAY_NONE;
	/* an error about the port's packet: its source if the node sent it,
	 * its destination if the node answers it */
	if (to && (f[ql4] << 8 | f[ql4 + 1]) == port)
		return WAY_IN;
	if (from && (f[ql4 + 2] << 8 | f[ql4 + 3]) == port)
		return WAY_OUT;
	return WAY_NONE;
}

/* Frames of the capture of port going way, up to max: their indexes. */
static unsigned int
wire_frames(struct wc_capture *cap, int family, uint8_t proto, uint16_t port,
	    int way, unsigned int *idx, unsigned int max)
{
	const struct wc_frame *f;
	unsigned int i, k = 0;
	struct wc_pkt p;

	for (i = 0; (f = wc_frame(cap, i)) != NULL; i++) {
		if (wc_parse(f->data, f->caplen, &p) != 0 ||
		    port_way(f->data, f->caplen, &p, family, proto, port) !=
			    way)
			continue;
		if (k < max)
			idx[k] = i;
		k++;
	}
	return k;
}

/* The copies of c going way: their indexes; checks each is port's. */
static unsigned int
copies_way(const struct copies *c, int family, uint8_t proto, uint16_t port,
	   int way, unsigned int *idx)
{
	static uint8_t fr[65536 + 14];
	unsigned int i, k = 0;
	struct wc_pkt p;
	int w;

	for (i = 0; i < c->n; i++) {
		copy_parse(c, i, family, fr, sizeof(fr), &p);
		w = port_way(fr, c->len[i] + 14, &p, family, proto, port);
		if (w == WAY_NONE)
			fail_msg("copy %u of %u: not a packet of port %u", i,
				 c->n, port);
		/* what left was checked by the wire: so were the copies */
		assert_true(p.ip_csum_ok);
		assert_true(p.l4_csum_ok);
		if (w == way)
			idx[k++] = i;
	}
	return k;
}

/* Wait until the capture holds as many frames of port as c has copies,
 * each way. */
static void
wire_wait(struct wc_capture *cap, int family, uint8_t proto, uint16_t port,
	  const struct copies *c)
{
	static unsigned int ci[MAX_COPIES];
	uint64_t end = ne_now_us() + CAPTURE_US;
	unsigned int out = copies_way(c, family, proto, port, WAY_OUT, ci);
	unsigned int in = copies_way(c, family, proto, port, WAY_IN, ci);

	while (wire_frames(cap, family, proto, port, WAY_OUT, NULL, 0) < out ||
	       wire_frames(cap, family, proto, port, WAY_IN, NULL, 0) < in) {
		if (ne_now_us() > end)
			fail_msg("family %d port %u: %u out and %u in copied, "
				 "%u and %u on the wire%s", family, port, out,
				 in, wire_frames(cap, family, proto, port,
						 WAY_OUT, NULL, 0),
				 wire_frames(cap, family, proto, port, WAY_IN,
					     NULL, 0),
				 wc_stop(cap) != 0 ? " (the capture lost "
						     "some)" : "");
		usleep(10000);
	}
}

/*
 * The copies of c are the capture's frames of port, without their
 * Ethernet header, byte for byte, in order each way: none missing, none
 * more. The capture has stopped.
 */
static void
expect_wire(struct wc_capture *cap, int family, uint8_t proto, uint16_t port,
	    const struct copies *c)
{
	static unsigned int ci[MAX_COPIES], wi[MAX_COPIES];
	const struct wc_frame *f;
	unsigned int nc, nw, i;
	int way;

	for (way = WAY_OUT; way <= WAY_IN; way++) {
		nc = copies_way(c, family, proto, port, way, ci);
		nw = wire_frames(cap, family, proto, port, way, wi,
				 MAX_COPIES);
		if (nc != nw)
			fail_msg("family %d port %u way %d: %u copies, %u "
				 "frames on the wire", family, port, way, nc,
				 nw);
		for (i = 0; i < nc; i++) {
			f = wc_frame(cap, wi[i]);
			assert_int_equal(f->caplen, f->len);
			if (c->len[ci[i]] + 14 != f->len ||
			    memcmp(c->b[ci[i]], f->data + 14, f->len - 14) != 0)
				fail_msg("family %d port %u way %d: copy %u "
					 "(%u bytes) is not frame %u (%u)",
					 family, port, way, ci[i],
					 c->len[ci[i]], wi[i], f->len);
		}
	}
}

/* Start the test's capture on the client's eth0: everything. */
static struct wc_capture *
capture(struct fixture *f)
{
	f->cap = wc_start(ne_ns_client, "eth0", "ether host " CLIENT_MAC);
	assert_non_null(f->cap);
	return f->cap;
}

/* Wait for both families' copies on the wire, stop, compare. */
static void
expect_wire46(struct wc_capture *cap, uint8_t proto, uint16_t port,
	      const struct sn_case *c4, const struct sn_case *c6)
{
	wire_wait(cap, AF_INET, proto, port, &c4->cp);
	wire_wait(cap, AF_INET6, proto, port, &c6->cp);
	assert_int_equal(wc_stop(cap), 0); /* the kernel lost no frame */
	expect_wire(cap, AF_INET, proto, port, &c4->cp);
	expect_wire(cap, AF_INET6, proto, port, &c6->cp);
}

/* ---- fixture ---- */

static int
setup(void **state)
{
	struct pk_node_conf c = {
		.name = "sf0", .uplink = uplink, .mp = pool,
		.socket_id = SOCKET_ID_ANY,
	};
	struct fixture *f = calloc(1, sizeof(*f));
	struct pk_portmap *pm;
	uint8_t proto[2] = { IPPROTO_UDP, IPPROTO_TCP };
	unsigned int i;

	assert_non_null(f);
	inet_pton(AF_INET, NODE_IP, &c.addr4);
	inet_pton(AF_INET6, NODE_IP6, &c.addr6);
	f->n = pk_node_create(&c);
	assert_non_null(f->n);
	assert_int_not_equal(pk_node_tap_port(f->n), UINT16_MAX);
	pm = pk_node_portmap(f->n);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pk_portmap_reserve(pm, alice, proto[i],
						    RESV_LO, RESV_HI, NULL), 0);
		assert_int_equal(pk_portmap_reserve(pm, bob, proto[i], BOB_LO,
						    BOB_HI, NULL), 0);
	}
	f->flows = pk_demux_flow_count(pk_node_demux(f->n));
	assert_int_equal(pk_node_start(f->n, worker), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	unsigned int flows = pk_demux_flow_count(pk_node_demux(f->n));
	unsigned int flows0 = f->flows;
	struct pk_node_stats st;

	wc_free(f->cap);
	pk_node_stop(f->n);
	pk_node_stats_print(stdout, f->n);
	assert_int_equal(pk_node_stats_get(f->n, &st), 0);
	pk_node_destroy(f->n);
	free(f);
	assert_int_equal(st.sniff_lost, 0); /* every copy was made */
	assert_int_equal(flows, flows0); /* every socket closed: keys gone */
	pk_test_assert_pools_full(); /* no copy, no datagram leaked */
	return 0;
}

/* Run fn for IPv4 and IPv6 at once, in application threads. */
static void
app46(ne_body_t fn, struct sn_case *c4, struct sn_case *c6)
{
	const ne_body_t fns[2] = { fn, fn };
	void *const args[2] = { c4, c6 };

	assert_int_equal(ne_app_run(2, fns, args), 0);
}

static void
cases_fini(struct sn_case *c4, struct sn_case *c6)
{
	copies_free(&c4->cp);
	copies_free(&c6->cp);
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

static void
test_udp_copies_are_the_wire(void **state)
{
	struct fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };
	struct wc_capture *cap = capture(f);

	app46(udp_body, &c4, &c6);
	expect_wire46(cap, IPPROTO_UDP, ALICE_PORT, &c4, &c6);
	cases_fini(&c4, &c6);
}

/* ---- TCP: handshake, data, FIN both ways ---- */

/* TCP flags of copy i of c (a segment of family). */
static uint8_t
tcp_flags(const struct copies *c, unsigned int i, int family)
{
	uint32_t l4 = family == AF_INET6 ? 40 : (uint32_t)(c->b[i][0] & 0xf) * 4;

	return c->len[i] > l4 + 13 ? c->b[i][l4 + 13] : 0;
}

static int
tcp_body(void *arg)
{
	static const size_t chunk[] = { 1, 1000, 5000, 20000 };
	struct sn_case *c = arg;
	int d = c->domain, rc;
	struct sockaddr_storage a, to;
	uint8_t out[20000], in[20000];
	struct pk_sock *sn, *t;
	size_t k, got;
	socklen_t len;
	ssize_t r;

	sn = sniff_open(c->n, alice, d, IPPROTO_TCP, TCP_PORT,
			PK_SOCK_F_SNIFF_IN, &rc);
	NE_CHECK(sn != NULL);
	NE_CHECK_EQ(rc, 0);
	t = pk_sock_open(c->n, alice, d, PK_SOCK_TCP, 0);
	NE_CHECK(t != NULL);
	NE_CHECK_EQ(pk_sock_set_timeout(t, WAIT_US), 0);
	len = sa(d, node_ip(d), TCP_PORT, &a);
	NE_CHECK_EQ(pk_sock_bind(t, (struct sockaddr *)&a, len), 0);
	len = client(d, TCP_ECHO, &to);
	NE_CHECK_EQ(pk_sock_connect(t, (struct sockaddr *)&to, len), 0);
	for (k = 0; k < RTE_DIM(chunk); k++) {
		memset(out, 'A' + (int)k, chunk[k]);
		NE_CHECK_EQ(pk_sock_send(t, out, chunk[k], 0), chunk[k]);
		for (got = 0; got < chunk[k]; got += (size_t)r) {
			r = pk_sock_recv(t, in + got, chunk[k] - got, 0);
			NE_CHECK(r > 0);
		}
		NE_CHECK(memcmp(in, out, chunk[k]) == 0);
	}
	/* the kernel sends its FIN, the echo answers with its own, the
	 * kernel (the keys gone) acknowledges it: the sniffer, on a port
	 * still alice's, sees it all */
	NE_CHECK_EQ(pk_sock_close(t), 0);
	NE_CHECK_EQ(copies_read(sn, &c->cp, 0), 0);
	NE_CHECK_EQ(pk_sock_close(sn), 0);
	return 0;
}

/* The sequence number of TCP segment fr (parsed p). */
static uint32_t
tcp_seq(const uint8_t *fr, const struct wc_pkt *p)
{
	const uint8_t *t = fr + p->l4;

	return (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 |
	       (uint32_t)t[6] << 8 | t[7];
}

/*
 * What the TCP copies hold: a handshake, every byte of data and a FIN,
 * both ways (data by sequence: the kernels may retransmit, and the wire
 * saw the same).
 */
static void
expect_tcp_story(const struct sn_case *c)
{
	static uint8_t fr[65536 + 14];
	unsigned int i, syn = 0, synack = 0, fin[3] = { 0 };
	uint32_t isn[3] = { 0 }, end[3] = { 0 }, e;
	struct wc_pkt p;
	int way;

	for (i = 0; i < c->cp.n; i++) {
		uint8_t fl = tcp_flags(&c->cp, i, c->domain);

		copy_parse(&c->cp, i, c->domain, fr, sizeof(fr), &p);
		way = port_way(fr, c->cp.len[i] + 14, &p, c->domain,
			       IPPROTO_TCP, TCP_PORT);
		assert_int_not_equal(way, WAY_NONE);
		if (fl & 0x02) { /* SYN: the sequence starts after it */
			syn += way == WAY_OUT && fl == 0x02;
			synack += way == WAY_IN && fl == 0x12;
			isn[way] = tcp_seq(fr, &p) + 1;
		}
		e = tcp_seq(fr, &p) - isn[way] + p.data_len;
		if (p.data_len > 0 && e > end[way])
			end[way] = e;
		fin[way] += (fl & 0x01) != 0;
	}
	assert_int_equal(syn, 1);
	assert_int_equal(synack, 1);
	assert_int_equal(end[WAY_OUT], 26001);
	assert_int_equal(end[WAY_IN], 26001);
	assert_true(fin[WAY_OUT] >= 1);
	assert_true(fin[WAY_IN] >= 1);
	assert_int_equal(tcp_flags(&c->cp, 0, c->domain), 0x02);
	assert_int_equal(tcp_flags(&c->cp, c->cp.n - 1, c->domain), 0x10);
}

static void
test_tcp_copies_are_the_wire(void **state)
{
	struct fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };
	struct wc_capture *cap = capture(f);

	app46(tcp_body, &c4, &c6);
	expect_tcp_story(&c4);
	expect_tcp_story(&c6);
	expect_wire46(cap, IPPROTO_TCP, TCP_PORT, &c4, &c6);
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

static void
test_owner_scoped(void **state)
{
	struct fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };
	const ne_body_t fns[4] = { alice_body, bob_body, alice_body,
				   bob_body };
	void *const args[4] = { &c4, &c4, &c6, &c6 };
	struct wc_capture *cap = capture(f);

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

static void
test_foreign_copies_stay_foreign(void **state)
{
	struct fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };

	app46(handover_body, &c4, &c6);
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
	len = client(d, CLOSED_PORT, &to);
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

static void
test_icmp_error_is_the_ports(void **state)
{
	struct fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };
	struct wc_capture *cap = capture(f);

	app46(unreach_body, &c4, &c6);
	expect_wire46(cap, IPPROTO_UDP, PROBE_PORT, &c4, &c6);
	cases_fini(&c4, &c6);
}

/* ---- the namespaces, the servers, the EAL ---- */

static int
start_servers(void)
{
	static const struct {
		const char *cmd;
		char proto;
		uint16_t port;
	} srv[] = {
		{ "exec socat TCP4-LISTEN:7001,fork,reuseaddr PIPE", 't',
		  TCP_ECHO },
		{ "exec socat TCP6-LISTEN:7001,fork,reuseaddr,ipv6only=1 PIPE",
		  't', TCP_ECHO },
		{ "exec socat UDP4-RECVFROM:7101,fork PIPE", 'u', ALICE_ECHO },
		{ "exec socat UDP6-RECVFROM:7101,fork,ipv6only=1 PIPE", 'u',
		  ALICE_ECHO },
		{ "exec socat UDP4-RECVFROM:7102,fork PIPE", 'u', BOB_ECHO },
		{ "exec socat UDP6-RECVFROM:7102,fork,ipv6only=1 PIPE", 'u',
		  BOB_ECHO },
		{ "exec socat UDP4-RECVFROM:7103,fork PIPE", 'u', FREE_ECHO },
		{ "exec socat UDP6-RECVFROM:7103,fork,ipv6only=1 PIPE", 'u',
		  FREE_ECHO },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(srv); i++)
		if (ne_server(srv[i].cmd, srv[i].proto, srv[i].port) != 0) {
			fprintf(stderr, "test_sniff_netns: cannot start '%s'\n",
				srv[i].cmd);
			return -1;
		}
	/* every port unreachable answered, none held back by the limits */
	return ne_sh("ip netns exec %s sysctl -qw net.ipv4.icmp_ratelimit=0 "
		     "net.ipv6.icmp.ratelimit=0", ne_ns_client);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_udp_copies_are_the_wire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_copies_are_the_wire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_scoped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_foreign_copies_stay_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_error_is_the_ports,
						setup, teardown),
	};
	static const char *const addrs[] = { CLIENT_IP "/24",
					     CLIENT_IP6 "/64", NULL };
	int rc;

	ne_require("test_sniff_netns", "ip ss socat");
	if (ne_setup("pksn", CLIENT_MAC, addrs) != 0 ||
	    ne_enter(ne_ns_client) != 0 || start_servers() != 0 ||
	    ne_enter(ne_ns_node) != 0) {
		fprintf(stderr, "test_sniff_netns: cannot set the namespaces "
			"up\n");
		return 1;
	}
	worker = ne_eal_start("test_sniff_netns", 8192, &pool, &uplink);
	alice = pk_owner_get("alice");
	bob = pk_owner_get("bob");
	if (alice <= 0 || bob <= 0) {
		fprintf(stderr, "test_sniff_netns: no owners alice and bob\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_port_close(uplink);
	pk_test_eal_cleanup();
	return rc;
}
