/* SPDX-License-Identifier: BSD-3-Clause */
/* proc_udp: good IPv4/IPv6 datagrams (options, extension headers, VLAN and
 * QinQ tags) pass stripped and pk_udp_peer() reads their addresses; each
 * malformation and each kind of fragment is dropped and counted once, in
 * every mbuf form of pk_test_exact.h; survivors keep their order; padding is
 * trimmed, over segments too; checksums over chained mbufs; the NIC's
 * checksum flags and csum=0. Checksums here come from udp_frames.h, not
 * from DPDK. pk_udp_encap() is tested in test_udp_encap.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_exact.h"
#include "udp_frames.h"

static void
test_good_datagrams_stripped(void **state)
{
	struct frame_spec f[] = {
		spec4(0), spec4(1), spec4(2), spec4(0),
		spec6(0, NULL, 0), spec6(2, ext3, 3), spec6(1, ext9, 8),
		spec6(0, NULL, 0),
	};
	struct rig r = rig_open(NULL);
	uint8_t b[FRAME_MAX];
	struct uf_off o;
	size_t i, len;

	(void)state;
	f[3].ip_opts = 12;
	f[6].payload = 300; /* the split form cuts behind the headers */
	f[7].frag_hdr = true; /* offset 0, no MF: an atomic fragment */
	for (i = 0; i < RTE_DIM(f); i++) {
		len = uf_write(b, &f[i]);
		if (i == 0) { /* DF is not a fragment */
			o = uf_offsets(b);
			b[o.l3 + 6] |= 0x40;
			uf_set_ip_csum(b, &o);
		}
		run_forms(&r, b, len, 0, &f[i], 0);
	}
	expect_drops(&r, 0, 0);
	rig_close(&r);
}

/* Each a good frame with one thing wrong. */
enum bad {
	BAD_SHORT, BAD_NOT_IP, BAD_V4_VERSION, BAD_IHL, BAD_TOT_BIG,
	BAD_TOT_SMALL, BAD_IP_CSUM, BAD_V4_NOT_UDP, BAD_ULEN_SMALL,
	BAD_ULEN_BIG, BAD_UDP_CSUM4, BAD_NIC_IP, BAD_NIC_L4, BAD_V6_VERSION,
	BAD_V6_PLEN_BIG, BAD_V6_NOT_UDP, BAD_V6_AH, BAD_V6_EXT_LONG,
	BAD_V6_EXT_CHAIN, BAD_V6_ZERO_CSUM, BAD_UDP_CSUM6, BAD_HDR_SPLIT,
	BAD_MAX
};

static size_t
bad_frame(enum bad k, uint8_t *b, uint64_t *ol)
{
	struct frame_spec f = k < BAD_V6_VERSION ? spec4(0) :
						   spec6(0, ext3, 3);
	struct uf_off o;
	size_t len;

	*ol = 0;
	if (k == BAD_V4_NOT_UDP || k == BAD_V6_NOT_UDP)
		f.proto = IPPROTO_TCP;
	if (k == BAD_V6_AH)
		f.ext_n = 0, f.proto = IPPROTO_AH;
	if (k == BAD_V6_EXT_CHAIN)
		f.ext = ext9, f.ext_n = 9;
	if (k == BAD_HDR_SPLIT)
		f.payload = 0; /* the split form cuts the IP header */
	len = uf_write(b, &f);
	o = uf_offsets(b);
	switch (k) {
	case BAD_SHORT: return 30;
	case BAD_NOT_IP: frame_put16(b + 12, RTE_ETHER_TYPE_ARP); break;
	case BAD_V4_VERSION: b[o.l3] = 0x55; break;
	case BAD_IHL: b[o.l3] = 0x44; break;
	case BAD_TOT_BIG: frame_put16(b + o.l3 + 2, len - o.l3 + 1); break;
	case BAD_TOT_SMALL: frame_put16(b + o.l3 + 2, 27); break;
	case BAD_IP_CSUM: b[o.l3 + 8]--; return len; /* TTL: no fix */
	case BAD_ULEN_SMALL: frame_put16(b + o.l4 + 4, 7); break;
	case BAD_ULEN_BIG: frame_put16(b + o.l4 + 4, len - o.l4 + 1); break;
	case BAD_UDP_CSUM4: case BAD_UDP_CSUM6: b[len - 1] ^= 1; break;
	case BAD_NIC_IP: *ol = RTE_MBUF_F_RX_IP_CKSUM_BAD; break;
	case BAD_NIC_L4: *ol = RTE_MBUF_F_RX_L4_CKSUM_BAD; break;
	case BAD_V6_VERSION: b[o.l3] = 0x40; break;
	case BAD_V6_PLEN_BIG: frame_put16(b + o.l3 + 4, len - o.l3 - 39); break;
	case BAD_V6_EXT_LONG: b[o.l3 + 41] = 200; break; /* hop-by-hop len */
	case BAD_V6_ZERO_CSUM: frame_put16(b + o.l4 + 6, 0); break;
	default: break;
	}
	uf_set_ip_csum(b, &o); /* only the one thing wrong */
	return len;
}

static void
test_each_malformation_counted_once(void **state)
{
	struct rig r = rig_open(NULL);
	uint8_t b[FRAME_MAX];
	size_t len;
	uint64_t ol;
	int k;

	(void)state;
	for (k = 0; k < BAD_MAX; k++) {
		len = bad_frame(k, b, &ol);
		if (k == BAD_HDR_SPLIT) { /* only the split form is bad */
			struct rte_mbuf *m = pk_test_form_mbuf(
				pool, PK_TEST_FORM_SPLIT, b, len);
			struct rte_mbuf *out[1];

			assert_non_null(m);
			assert_int_equal(rig_run(&r, &m, 1, out), 0);
			continue;
		}
		run_forms(&r, b, len, ol, NULL, PK_DROP_MALFORMED);
	}
	expect_drops(&r, (BAD_MAX - 1) * PK_TEST_FORM_MAX + 1, 0);
	rig_close(&r);
}

static void
test_fragments_counted_once(void **state)
{
	struct frame_spec f[] = { spec4(0), spec4(1), spec6(0, NULL, 0),
				  spec6(0, ext3, 2) };
	struct rig r = rig_open(NULL);
	uint8_t b[FRAME_MAX];
	size_t i, len;

	(void)state;
	f[0].mf = true;                    /* first fragment */
	f[1].frag_off = 3;                 /* a later one */
	f[2].frag_hdr = true, f[2].mf = true;
	f[3].frag_hdr = true, f[3].frag_off = 9;
	for (i = 0; i < RTE_DIM(f); i++) {
		len = uf_write(b, &f[i]);
		run_forms(&r, b, len, 0, NULL, PK_DROP_FRAGMENT);
	}
	expect_drops(&r, 0, RTE_DIM(f) * PK_TEST_FORM_MAX);
	rig_close(&r);
}

/* Good, bad and fragments in one burst: survivors go on in order. */
static void
test_burst_keeps_order(void **state)
{
	struct rte_mbuf *m[12], *out[256];
	struct rig r = rig_open(NULL);
	struct frame_spec f = spec4(0);
	uint8_t b[FRAME_MAX];
	uint16_t i, k;
	uint64_t ol;

	(void)state;
	for (i = 0; i < 12; i++) {
		f.sport = 1000 + i;
		f.mf = i % 4 == 3;
		m[i] = i % 4 == 1 ? frame_mbuf(pool, b, bad_frame(i, b, &ol)) :
				    frame_mbuf(pool, b, uf_write(b, &f));
		assert_non_null(m[i]);
	}
	k = rig_run(&r, m, 12, out);
	assert_int_equal(k, 6);
	for (i = 0; i < k; i++) {
		f.sport = 1000 + 2 * i; /* the 0th, 2nd, 4th, ... */
		f.mf = false;
		expect_peer(out[i], &f);
	}
	rte_pktmbuf_free_bulk(out, k);
	expect_drops(&r, 3, 3);
	rig_close(&r);
}

/* A chain of exact segments cut at the given offsets (ascending). */
static struct rte_mbuf *
chain(const uint8_t *b, size_t len, const size_t *cuts, int n)
{
	struct rte_mbuf *head = NULL, *s;
	size_t at = 0, end;
	int i;

	for (i = 0; i <= n; i++, at = end) {
		end = i < n ? cuts[i] : len;
		s = pk_test_exact_mbuf(pool, b + at, end - at);
		assert_non_null(s);
		if (head == NULL)
			head = s;
		else
			assert_int_equal(rte_pktmbuf_chain(head, s), 0);
	}
	return head;
}

static void
test_padding_trimmed(void **state)
{
	struct frame_spec f = spec4(0);
	struct rig r = rig_open(NULL);
	struct rte_mbuf *m, *out[256];
	uint8_t b[FRAME_MAX];
	struct uf_off o;
	size_t len, cuts[2];

	(void)state;
	f.payload = 4; /* 46 bytes: padded to 60 on the wire */
	len = uf_write(b, &f);
	memset(b + len, 0, 60 - len);
	/* not split in half: the headers must be in the first segment */
	run_forms_n(&r, b, 60, 0, &f, 0, PK_TEST_FORM_SPLIT);
	/* padding alone in the last two segments: both freed */
	cuts[0] = len;
	cuts[1] = len + 3;
	m = chain(b, 60, cuts, 2);
	assert_int_equal(rig_run(&r, &m, 1, out), 1);
	assert_int_equal(out[0]->nb_segs, 1);
	expect_stripped(out[0], b, &f);
	rte_pktmbuf_free(out[0]);
	/* a UDP length under the IP payload: trimmed to it, and the checksum
	 * is over the UDP length (the IP payload's would be wrong) */
	f.payload = 100;
	len = uf_write(b, &f);
	o = uf_offsets(b);
	frame_put16(b + o.l4 + 4, 8 + 90);
	uf_set_udp_csum(b, &o);
	run_forms(&r, b, len, 0, &f, 0);
	expect_drops(&r, 0, 0);
	rig_close(&r);
}

static void
test_chained_checksum(void **state)
{
	struct frame_spec f[] = { spec4(1), spec6(0, ext3, 3) };
	static const size_t cuts[] = { 111, 112, 501, 1001 };
	struct rig r = rig_open(NULL);
	struct rte_mbuf *m, *out[256];
	uint8_t b[FRAME_MAX];
	size_t i, len;

	(void)state;
	for (i = 0; i < RTE_DIM(f); i++) {
		f[i].payload = 1201; /* odd cuts: words span segments */
		len = uf_write(b, &f[i]);
		m = chain(b, len, cuts, RTE_DIM(cuts));
		assert_int_equal(rig_run(&r, &m, 1, out), 1);
		expect_stripped(out[0], b, &f[i]);
		rte_pktmbuf_free(out[0]);
		b[1100] ^= 0x10; /* in the last segment */
		m = chain(b, len, cuts, RTE_DIM(cuts));
		assert_int_equal(rig_run(&r, &m, 1, out), 0);
	}
	expect_drops(&r, 2, 0);
	rig_close(&r);
}

static void
test_nic_flags_and_csum_off(void **state)
{
	struct frame_spec f4 = spec4(0), f6 = spec6(0, NULL, 0);
	struct rig r = rig_open(NULL);
	uint8_t b[FRAME_MAX];
	struct uf_off o;
	size_t len;

	(void)state;
	len = uf_write(b, &f4);
	o = uf_offsets(b);
	b[o.l3 + 10] ^= 1; /* both checksums wrong, the NIC says good */
	b[o.l4 + 6] ^= 1;
	run_forms(&r, b, len, RTE_MBUF_F_RX_IP_CKSUM_GOOD |
			      RTE_MBUF_F_RX_L4_CKSUM_GOOD, &f4, 0);
	run_forms(&r, b, len, RTE_MBUF_F_RX_IP_CKSUM_NONE |
			      RTE_MBUF_F_RX_L4_CKSUM_NONE, &f4, 0);
	frame_put16(b + o.l4 + 6, 0); /* IPv4: no checksum, even if "bad" */
	run_forms(&r, b, len, RTE_MBUF_F_RX_IP_CKSUM_GOOD |
			      RTE_MBUF_F_RX_L4_CKSUM_BAD, &f4, 0);
	expect_drops(&r, 0, 0);
	rig_close(&r);

	r = rig_open("csum=0");
	len = uf_write(b, &f4);
	b[o.l3 + 10] ^= 1;
	b[o.l4 + 6] ^= 1;
	run_forms(&r, b, len, RTE_MBUF_F_RX_L4_CKSUM_BAD, &f4, 0);
	len = uf_write(b, &f6);
	o = uf_offsets(b);
	frame_put16(b + o.l4 + 6, 0); /* still not allowed over IPv6 */
	run_forms(&r, b, len, 0, NULL, PK_DROP_MALFORMED);
	expect_drops(&r, PK_TEST_FORM_MAX, 0);
	rig_close(&r);
	rte_errno = 0;
	assert_null(pk_stage_create("proc_udp", "u", "csum=2", SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
}

/* What the next stage refuses goes back stripped; pushed again, it passes
 * as it is, not taken for a frame a second time. */
static void
test_refused_then_pushed_again(void **state)
{
	struct rte_mbuf *m[6], *out[256];
	struct frame_spec f = spec4(0);
	struct rig r = rig_open(NULL);
	uint8_t b[FRAME_MAX];
	uint16_t i;

	(void)state;
	pk_stage_unlink(r.u); /* a queue that holds only 3 */
	pk_stage_destroy(r.q);
	r.q = pk_queue_ring_create("udp_small", 4, 0, 0, SOCKET_ID_ANY);
	assert_non_null(r.q);
	assert_int_equal(pk_stage_link(r.u, r.q), 0);
	for (i = 0; i < 6; i++) {
		f.sport = 1000 + i;
		m[i] = frame_mbuf(pool, b, uf_write(b, &f));
		assert_non_null(m[i]);
	}
	assert_int_equal(pk_stage_push(r.u, m, 6), 3);
	assert_int_equal(pk_stage_pull(r.q, out, 256), 3);
	assert_int_equal(pk_stage_push(r.u, &m[3], 3), 3);
	assert_int_equal(pk_stage_pull(r.q, &out[3], 256), 3);
	for (i = 0; i < 6; i++) {
		f.sport = 1000 + i;
		expect_stripped(out[i], b, &f);
	}
	rte_pktmbuf_free_bulk(out, 6);
	rig_close(&r);
}

static void
test_peer_and_copyout_refuse(void **state)
{
	struct frame_spec f = spec4(0);
	struct sockaddr_storage ss;
	struct rte_mbuf *m;
	uint8_t b[FRAME_MAX], buf[8];

	(void)state;
	assert_int_equal(pk_udp_init(), 0); /* again: no harm */
	m = frame_mbuf(pool, b, uf_write(b, &f)); /* not through proc_udp */
	m->l2_len = 14, m->l3_len = 20, m->l4_len = 8;
	assert_int_equal(pk_udp_peer(m, &ss, &ss), -EINVAL);
	assert_int_equal(pk_udp_peer(NULL, &ss, &ss), -EINVAL);
	assert_int_equal(pk_udp_input(m, 0), PK_UDP_OK);
	assert_int_equal(pk_udp_peer(m, NULL, NULL), 0);
	/* recv(2)'s truncation; the rest is in pkt_len */
	assert_int_equal(pk_udp_copyout(m, buf, sizeof(buf)), sizeof(buf));
	assert_memory_equal(buf, b + 14 + 20 + 8, sizeof(buf));
	assert_int_equal(pk_udp_copyout(m, NULL, 0), 0);
	assert_int_equal(pk_udp_copyout(m, NULL, 1), -EINVAL);
	assert_int_equal(pk_udp_copyout(NULL, buf, 1), -EINVAL);
	rte_pktmbuf_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_good_datagrams_stripped,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_each_malformation_counted_once,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_fragments_counted_once,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_burst_keeps_order,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_padding_trimmed,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_chained_checksum,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_nic_flags_and_csum_off,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_refused_then_pushed_again,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_peer_and_copyout_refuse,
					  pk_test_teardown_exact),
	};
	int rc;

	pk_test_eal_init("test_udp", NULL, NULL);
	pool = pk_test_pool("test_udp", 512);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
