/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP datagrams bigger than the uplink's MTU, cut into IP fragments as a
 * kernel does, on rte_ip_frag: IPv4 without DF and with an identification
 * of its own, IPv6 with a fragment header whose identification we set
 * (rte_ipv6_fragment_packet() leaves it 0, and a receiver would mix up
 * datagrams). The UDP checksum covers the whole datagram: the caller has
 * pk_udp_encap() compute it in software, as no NIC completes one over
 * fragments. Each IPv4 fragment's header checksum is computed here, or left
 * to the uplink when it offers IPV4_CKSUM.
 *
 * A fragment is a direct mbuf from the node's pool with the headers, then
 * indirect mbufs pointing into the datagram's segments: those come from the
 * node's fragment pool, made on the first fragmented send (so nodes that
 * never fragment pay nothing) and freed with the node. Such chains leave as
 * they are only on an uplink configured with MULTI_SEGS and without
 * MBUF_FAST_FREE (which wants direct, one-segment mbufs of one pool); for
 * any other, each fragment is copied into one mbuf of the node's pool, as
 * a PMD's simple TX path would otherwise send the first segment only.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_random.h>

#include <pathkit/pk_log.h>

#include "cksum_pvt.h"
#include "sock_pvt.h"

/* Indirect mbufs in a node's fragment pool: a 1500-byte fragment spans
 * one or two segments, so this covers a full egress queue of fragments. */
#define FRAG_POOL_SIZE 4095
#define FRAG_POOL_CACHE 64

/* Makes fragment pools one at a time. */
static pthread_mutex_t frag_lock = PTHREAD_MUTEX_INITIALIZER;
/* The next datagram's identification, for every node and socket. */
static uint32_t frag_id;

uint16_t
sock_frag_mtu(const struct pk_node *n)
{
	uint16_t mtu;

	if (rte_eth_dev_get_mtu(n->uplink, &mtu) != 0 || mtu == 0)
		return RTE_ETHER_MTU;
	return mtu;
}

/* The node's pool of indirect mbufs, made on first use; NULL if it can't. */
static struct rte_mempool *
frag_pool(struct pk_node *n)
{
	struct rte_mempool *mp = __atomic_load_n(&n->frag_pool,
						 __ATOMIC_ACQUIRE);
	char name[RTE_MEMPOOL_NAMESIZE];

	if (likely(mp != NULL))
		return mp;
	pthread_mutex_lock(&frag_lock);
	mp = n->frag_pool;
	if (mp == NULL) {
		snprintf(name, sizeof(name), "pk_frag_%s", n->name);
		mp = rte_pktmbuf_pool_create(name, FRAG_POOL_SIZE,
					     FRAG_POOL_CACHE, 0, 0,
					     n->mp->socket_id);
		if (mp == NULL)
			PK_LOG(ERR, "node %s: fragment pool: %s", n->name,
			       rte_strerror(rte_errno));
		else
			__atomic_store_n(&n->frag_pool, mp, __ATOMIC_RELEASE);
		if (frag_id == 0) /* as a kernel: not from 0 at every start */
			__atomic_store_n(&frag_id, (uint32_t)rte_rand() | 1,
					 __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&frag_lock);
	return mp;
}

/* Ethernet header in front, identification, IPv4 header checksum. */
static void
frag_finish(const struct pk_node *n, struct rte_mbuf *f, const void *l2,
	    uint16_t l2_len, bool v4, uint32_t id)
{
	/* a direct mbuf of the node's pool: the headroom is there */
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(f, l2_len);

	memcpy(p, l2, l2_len);
	f->l2_len = l2_len;
	if (v4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + l2_len);

		f->l3_len = rte_ipv4_hdr_len(ip);
		if (n->tx_offload & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
			f->ol_flags |= RTE_MBUF_F_TX_IPV4 |
				       RTE_MBUF_F_TX_IP_CKSUM;
		else
			ip->hdr_checksum =
				pk_cksum_ipv4_hdr(ip, rte_ipv4_hdr_len(ip));
	} else {
		struct rte_ipv6_fragment_ext *fh =
			(struct rte_ipv6_fragment_ext *)
			(p + l2_len + sizeof(struct rte_ipv6_hdr));

		fh->id = rte_cpu_to_be_32(id);
		f->l3_len = sizeof(struct rte_ipv6_hdr) + sizeof(*fh);
	}
}

/* Whether the uplink takes a fragment as a chain (see the top). */
static bool
frag_chains_ok(const struct pk_node *n)
{
	return (n->tx_offload & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) &&
	       !(n->tx_offload & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE);
}

/* Each fragment into one mbuf of the node's pool (headers, flags and
 * lengths kept); 0, or -ENOBUFS with all of them freed. */
static int
frag_flatten(struct pk_node *n, struct rte_mbuf **f, unsigned int k)
{
	struct rte_mbuf *c;
	unsigned int i;

	for (i = 0; i < k; i++) {
		c = rte_pktmbuf_copy(f[i], n->mp, 0, UINT32_MAX);
		if (c == NULL) {
			rte_pktmbuf_free_bulk(f, k);
			return -ENOBUFS;
		}
		rte_pktmbuf_free(f[i]);
		f[i] = c;
	}
	return 0;
}

int
sock_frag_split(struct pk_node *n, struct rte_mbuf *m, uint16_t mtu,
		struct rte_mbuf **out, uint16_t max)
{
	uint8_t l2[RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr)];
	struct rte_mempool *ind = frag_pool(n);
	uint16_t l2_len = m->l2_len;
	uint32_t id;
	uint8_t *ip;
	bool v4;
	int k, i;

	if (ind == NULL)
		return -ENOBUFS;
	if (l2_len > sizeof(l2) || l2_len + 1 > m->data_len)
		return -EINVAL;
	memcpy(l2, rte_pktmbuf_mtod(m, void *), l2_len);
	ip = (uint8_t *)rte_pktmbuf_adj(m, l2_len); /* IP first, as asked */
	v4 = (ip[0] >> 4) == 4;
	id = __atomic_fetch_add(&frag_id, 1, __ATOMIC_RELAXED);
	if (v4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->fragment_offset = 0; /* no DF: it may be cut */
		h->packet_id = rte_cpu_to_be_16((uint16_t)id);
		k = rte_ipv4_fragment_packet(m, out, max, mtu, n->mp, ind);
	} else {
		k = rte_ipv6_fragment_packet(m, out, max, mtu, n->mp, ind);
	}
	rte_pktmbuf_prepend(m, l2_len); /* the frame again, as it came */
	if (k < 0) /* -EINVAL: more than max fragments, or an MTU too small */
		return k == -ENOMEM ? -ENOBUFS : -EMSGSIZE;
	for (i = 0; i < k; i++)
		frag_finish(n, out[i], l2, l2_len, v4, id);
	if (!frag_chains_ok(n) && frag_flatten(n, out, (unsigned int)k) != 0)
		return -ENOBUFS;
	return k;
}
