/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sniff_netns, the copies against the wire: what a sniffer read, kept
 * whole (copies_read), sorted by the way it went for its port (port_way:
 * an ICMP error counts as its quoted port's), and compared, each way and
 * in order, with the capture's frames of the port (expect_wire46).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sniff_netns.h"

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
int
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
void
copy_parse(const struct copies *c, unsigned int i, int family, uint8_t *fr,
	   size_t size, struct wc_pkt *p)
{
	assert_true(c->len[i] + 14 <= size);
	sw_eth_hdr(fr, family);
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
int
port_way(const uint8_t *f, uint32_t flen, const struct wc_pkt *p,
	 int family, uint8_t proto, uint16_t port)
{
	bool from = sw_addr_is(p, true, sw_node_ip(family));
	bool to = sw_addr_is(p, false, sw_node_ip(family));
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

/* Wait for both families' copies on the wire, stop, compare. */
void
expect_wire46(struct wc_capture *cap, uint8_t proto, uint16_t port,
	      const struct sn_case *c4, const struct sn_case *c6)
{
	wire_wait(cap, AF_INET, proto, port, &c4->cp);
	wire_wait(cap, AF_INET6, proto, port, &c6->cp);
	assert_int_equal(wc_stop(cap), 0); /* the kernel lost no frame */
	expect_wire(cap, AF_INET, proto, port, &c4->cp);
	expect_wire(cap, AF_INET6, proto, port, &c6->cp);
}

/* ---- cases ---- */

void
cases_fini(struct sn_case *c4, struct sn_case *c6)
{
	copies_free(&c4->cp);
	copies_free(&c6->cp);
}

