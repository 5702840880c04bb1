/* SPDX-License-Identifier: BSD-3-Clause */
/* pk_udp_encap(): headers, checksums computed in software (one segment or
 * a chain cut at an odd offset) or left to the port with the flags, lengths
 * and pseudo-header sum DPDK expects; round trips through proc_udp (after
 * doing what the NIC would do) give back payload and addresses, IPv4 and
 * IPv6, tagged or not; the largest payloads pass and one byte more is
 * -EMSGSIZE; -ENOSPC, -EINVAL leave the mbuf as it was; a reply built on a
 * received datagram loses its mark. Checksums from udp_frames.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include <rte_ethdev.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_exact.h"
#include "udp_frames.h"

#define PAYLOAD 333

static const struct rte_ether_addr mac_a = { { 2, 0, 0, 0, 0, 0xa } };
static const struct rte_ether_addr mac_b = { { 2, 0, 0, 0, 0, 0xb } };

/* A send from local to remote; family 4 or 6. */
static struct pk_udp_tx
tx_spec(int family, uint16_t vlan, uint64_t offload)
{
	struct pk_udp_tx tx = { .src_mac = mac_a, .dst_mac = mac_b,
				.vlan = vlan, .ip_id = 0x1234,
				.offload = offload };
	struct sockaddr_in *l4 = (void *)&tx.local, *r4 = (void *)&tx.remote;
	struct sockaddr_in6 *l6 = (void *)&tx.local, *r6 = (void *)&tx.remote;

	if (family == 4) {
		l4->sin_family = r4->sin_family = AF_INET;
		l4->sin_addr.s_addr = htonl(A_LOCAL);
		r4->sin_addr.s_addr = htonl(A_REMOTE);
		l4->sin_port = htons(53);
		r4->sin_port = htons(5000);
	} else {
		l6->sin6_family = r6->sin6_family = AF_INET6;
		memcpy(&l6->sin6_addr, v6_local, 16);
		memcpy(&r6->sin6_addr, v6_remote, 16);
		l6->sin6_port = htons(443);
		r6->sin6_port = htons(4000);
	}
	return tx;
}

/* PAYLOAD bytes, in one pool mbuf or cut at 101 into a chain. */
static struct rte_mbuf *
payload(bool chained, uint8_t *data)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *t;
	int i;

	for (i = 0; i < PAYLOAD; i++)
		data[i] = (uint8_t)(i * 13 + 5);
	assert_non_null(m);
	if (!chained) {
		memcpy(rte_pktmbuf_append(m, PAYLOAD), data, PAYLOAD);
		return m;
	}
	memcpy(rte_pktmbuf_append(m, 101), data, 101);
	t = pk_test_exact_mbuf(pool, data + 101, PAYLOAD - 101);
	assert_non_null(t);
	assert_int_equal(rte_pktmbuf_chain(m, t), 0);
	return m;
}

/* The frame's headers as the spec says; checksums as offloaded or not. */
static void
check_headers(const struct rte_mbuf *m, const uint8_t *b,
	      const struct pk_udp_tx *tx, bool v4)
{
	struct uf_off o = uf_offsets(b);
	uint16_t ulen = PAYLOAD + 8;
	uint64_t want = 0;

	assert_memory_equal(b, &mac_b, 6);
	assert_memory_equal(b + 6, &mac_a, 6);
	if (tx->vlan != 0)
		assert_int_equal(uf_get16(b + 14), tx->vlan);
	assert_int_equal(m->l2_len, o.l3);
	assert_int_equal(m->l3_len, o.l4 - o.l3);
	assert_int_equal(m->l4_len, 8);
	assert_int_equal(uf_get16(b + o.l4 + 4), ulen);
	if (v4) {
		assert_int_equal(b[o.l3], 0x45);
		assert_int_equal(uf_get16(b + o.l3 + 2), 20 + ulen);
		assert_int_equal(uf_get16(b + o.l3 + 4), 0x1234);
		assert_int_equal(uf_get16(b + o.l3 + 6), 0x4000); /* DF */
		assert_int_equal(b[o.l3 + 8], PK_UDP_TTL_DEFAULT);
		if (tx->offload & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
			want |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
			assert_int_equal(uf_get16(b + o.l3 + 10), 0);
		} else {
			assert_int_equal(uf_fold(uf_sum(b + o.l3, 20, 0)),
					 0xffff);
		}
	} else {
		assert_int_equal(b[o.l3] >> 4, 6);
		assert_int_equal(uf_get16(b + o.l3 + 4), ulen);
		assert_int_equal(b[o.l3 + 7], PK_UDP_TTL_DEFAULT);
	}
	if (tx->offload & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		const void *ip = rte_pktmbuf_mtod_offset(m, void *, o.l3);
		uint16_t dpdk = v4 ? rte_ipv4_phdr_cksum(ip, m->ol_flags) :
				     rte_ipv6_phdr_cksum(ip, m->ol_flags);

		want |= RTE_MBUF_F_TX_UDP_CKSUM |
			(v4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
		/* the pseudo-header sum, as DPDK and as we compute it */
		assert_memory_equal(b + o.l4 + 6, &dpdk, 2);
		assert_int_equal(uf_get16(b + o.l4 + 6), uf_phdr(b, &o, ulen));
	} else {
		assert_int_equal(uf_get16(b + o.l4 + 6), uf_udp_csum(b, &o));
	}
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, want);
}

/* What a NIC does with the offload flags: fill the checksums in. */
static void
nic_checksums(struct rte_mbuf *m, uint8_t *b)
{
	struct uf_off o = uf_offsets(b);
	uint8_t *h = rte_pktmbuf_mtod(m, uint8_t *);

	uf_set_ip_csum(b, &o);
	uf_set_udp_csum(b, &o);
	memcpy(h + o.l3, b + o.l3, o.l4 + 8 - o.l3); /* headers: segment 1 */
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
}

static void
expect_addr(const struct sockaddr_storage *got,
	    const struct sockaddr_storage *want)
{
	size_t n = want->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
						sizeof(struct sockaddr_in6);

	assert_memory_equal(got, want, n);
}

static void
test_round_trip(void **state)
{
	static const uint64_t offloads[] = {
		0, RTE_ETH_TX_OFFLOAD_UDP_CKSUM, RTE_ETH_TX_OFFLOAD_IPV4_CKSUM,
		RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM,
	};
	uint8_t data[PAYLOAD], b[FRAME_MAX], got[PAYLOAD];
	struct rig r = rig_open(NULL);
	struct sockaddr_storage rem, loc;
	struct rte_mbuf *m, *out[256];
	struct pk_udp_tx tx;
	unsigned int i;
	const void *p;

	(void)state;
	for (i = 0; i < 2 * 2 * 2 * RTE_DIM(offloads); i++) {
		bool v4 = i & 1, chained = i & 2;

		tx = tx_spec(v4 ? 4 : 6, i & 4 ? 0x2064 : 0, offloads[i / 8]);
		m = payload(chained, data);
		assert_int_equal(pk_udp_encap(m, &tx), 0);
		assert_int_equal(m->nb_segs, chained ? 2 : 1);
		p = rte_pktmbuf_read(m, 0, m->pkt_len, b);
		assert_non_null(p);
		if (p != b) /* one segment: read gave a pointer, no copy */
			memcpy(b, p, m->pkt_len);
		check_headers(m, b, &tx, v4);
		nic_checksums(m, b);
		assert_int_equal(rig_run(&r, &m, 1, out), 1);
		assert_int_equal(out[0]->pkt_len, PAYLOAD);
		assert_int_equal(pk_udp_copyout(out[0], got, sizeof(got)),
				 PAYLOAD);
		assert_memory_equal(got, data, PAYLOAD);
		/* sent to ourselves: its source is our local */
		assert_int_equal(pk_udp_peer(out[0], &rem, &loc), 0);
		expect_addr(&rem, &tx.local);
		expect_addr(&loc, &tx.remote);
		rte_pktmbuf_free(out[0]);
	}
	expect_drops(&r, 0, 0);
	rig_close(&r);
}

/* An error leaves the mbuf as it was. */
static void
expect_unchanged(const struct rte_mbuf *m, uint32_t len, uint16_t off)
{
	assert_int_equal(m->pkt_len, len);
	assert_int_equal(m->data_off, off);
}

static void
test_sizes_and_errors(void **state)
{
	static const uint32_t max[2] = { PK_UDP_MAX_PAYLOAD4,
					 PK_UDP_MAX_PAYLOAD6 };
	struct pk_udp_tx tx = tx_spec(4, 0, 0);
	struct rig r = rig_open(NULL);
	struct rte_mbuf *m, *t, *out[256];
	uint8_t *big = calloc(1, 65536);
	uint8_t got[16];
	int fam;

	(void)state;
	assert_non_null(big);
	big[0] = 0x42;
	for (fam = 0; fam < 2; fam++) {
		tx = tx_spec(fam == 0 ? 4 : 6, 1, 0);
		/* one byte too many: an exact mbuf, no headroom either */
		m = pk_test_exact_mbuf(pool, big, max[fam] + 1);
		assert_int_equal(pk_udp_encap(m, &tx), -EMSGSIZE);
		expect_unchanged(m, max[fam] + 1, 0);
		rte_pktmbuf_trim(m, 1);
		assert_int_equal(pk_udp_encap(m, &tx), -ENOSPC);
		expect_unchanged(m, max[fam], 0);
		/* the largest, behind a head with headroom: a round trip */
		t = rte_pktmbuf_alloc(pool);
		assert_non_null(t);
		assert_int_equal(rte_pktmbuf_chain(t, m), 0);
		assert_int_equal(pk_udp_encap(t, &tx), 0);
		assert_int_equal(rig_run(&r, &t, 1, out), 1);
		assert_int_equal(out[0]->pkt_len, max[fam]);
		assert_int_equal(pk_udp_copyout(out[0], got, 1), 1);
		assert_int_equal(got[0], 0x42);
		rte_pktmbuf_free(out[0]);
	}
	free(big);
	m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	assert_non_null(rte_pktmbuf_prepend(m, rte_pktmbuf_headroom(m) - 61));
	tx = tx_spec(6, 1, 0); /* 14 + 4 + 40 + 8 = 66 > 61 */
	assert_int_equal(pk_udp_encap(m, &tx), -ENOSPC);
	expect_unchanged(m, m->pkt_len, 61);
	assert_int_equal(pk_udp_encap(NULL, &tx), -EINVAL);
	assert_int_equal(pk_udp_encap(m, NULL), -EINVAL);
	tx.remote.ss_family = AF_INET;
	assert_int_equal(pk_udp_encap(m, &tx), -EINVAL);
	tx.local.ss_family = tx.remote.ss_family = AF_UNIX;
	assert_int_equal(pk_udp_encap(m, &tx), -EINVAL);
	rte_pktmbuf_free(m);
	expect_drops(&r, 0, 0);
	rig_close(&r);
}

/* A reply built in a received datagram's mbuf: the old headroom is reused,
 * the mark and stale TX flags go. */
static void
test_reply_in_received_mbuf(void **state)
{
	struct frame_spec f = spec4(1);
	struct sockaddr_storage rem, loc;
	struct pk_udp_tx tx = { .src_mac = mac_a, .dst_mac = mac_b };
	struct rig r = rig_open(NULL);
	struct rte_mbuf *m, *out[256];
	uint8_t b[FRAME_MAX];

	(void)state;
	m = frame_mbuf(pool, b, uf_write(b, &f));
	assert_non_null(m);
	assert_int_equal(rig_run(&r, &m, 1, out), 1);
	m = out[0];
	assert_int_equal(pk_udp_peer(m, &rem, &loc), 0);
	tx.local = loc;
	tx.remote = rem;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	assert_int_equal(pk_udp_encap(m, &tx), 0);
	assert_int_equal(pk_udp_peer(m, &rem, &loc), -EINVAL);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
	assert_int_equal(rig_run(&r, &m, 1, out), 1);
	f.sport = 53, f.dport = 5000; /* turned round */
	f.src4 = A_LOCAL, f.dst4 = A_REMOTE;
	expect_peer(out[0], &f);
	rte_pktmbuf_free(out[0]);
	expect_drops(&r, 0, 0);
	rig_close(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_round_trip,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_sizes_and_errors,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_reply_in_received_mbuf,
					  pk_test_teardown_exact),
	};
	int rc;

	pk_test_eal_init("test_udp_encap", NULL, NULL);
	pool = pk_test_pool("test_udp_encap", 512);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
