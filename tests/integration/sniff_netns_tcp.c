/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sniff_netns, TCP: alice's sniffer on the port of her TCP socket (a
 * kernel socket through the TAP) sees the handshake, the data and the FIN
 * both ways, as the wire does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include <rte_common.h>

#include "sniff_netns.h"

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
	len = sw_sa(d, sw_node_ip(d), TCP_PORT, &a);
	NE_CHECK_EQ(pk_sock_bind(t, (struct sockaddr *)&a, len), 0);
	len = sw_client(d, TCP_ECHO, &to);
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

void
test_tcp_copies_are_the_wire(void **state)
{
	struct sw_fixture *f = *state;
	struct sn_case c4 = { .n = f->n, .domain = AF_INET };
	struct sn_case c6 = { .n = f->n, .domain = AF_INET6 };
	struct wc_capture *cap = sw_capture(f, SNIFF_FILTER);

	sw_app46(tcp_body, &c4, &c6);
	expect_tcp_story(&c4);
	expect_tcp_story(&c6);
	expect_wire46(cap, IPPROTO_TCP, TCP_PORT, &c4, &c6);
	cases_fini(&c4, &c6);
}

