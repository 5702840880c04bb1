/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP sends (sock_udp.c builds the socket and receives). A payload goes
 * into an mbuf (chained when big), pk_udp_encap() puts the headers in
 * front, the frame goes into the node's egress queue, charged to the owner
 * as sent. pk_sock_send_burst() does the same with the caller's mbufs.
 *
 * A datagram bigger than the uplink's MTU leaves in IP fragments
 * (sock_frag.c), all or none: a partial datagram is useless to its
 * receiver, so when the egress queue has no room for all of them none is
 * pushed and the datagram is refused as a whole frame would be. The owner
 * is charged per frame: fragments are packets, their frames the bytes. The
 * socket counts datagrams and payload bytes.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <pathkit/pk_stage.h>
#include <pathkit/pk_udp.h>

#include "sock_pvt.h"

static_assert(SOCK_FRAG_MAX >= SOCK_BURST, "udp_push() takes both");

/* Where a send goes: addr, else the connected peer. */
static int
udp_dest(const struct pk_sock *s, const struct sockaddr *addr,
	 struct sockaddr_storage *dst)
{
	if (addr == NULL) {
		if (!s->connected)
			return -EDESTADDRREQ;
		*dst = s->remote;
		return 0;
	}
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, addr, sock_addr_len(s->domain));
	return 0;
}

/* Fill in the headers' description for a send to dst. */
static int
udp_tx_conf(struct pk_sock *s, const struct sockaddr_storage *dst,
	    int flags, struct pk_udp_tx *tx)
{
	struct sockaddr_storage self;
	int rc;

	/* a wildcard bind sends from the node's address */
	rc = sock_self(s, &self);
	if (rc != 0)
		return rc;
	memset(tx, 0, sizeof(*tx));
	rc = sock_next_hop(s, (const struct sockaddr *)dst, &tx->dst_mac,
			   sock_wait_us(s, flags));
	if (rc != 0)
		return rc;
	rte_ether_addr_copy(&s->node->mac, &tx->src_mac);
	tx->local = self;
	tx->remote = *dst;
	tx->offload = s->node->tx_offload;
	return 0;
}

/*
 * Offer pkts[0..take) (frames) to the egress queue; charge the owner what
 * it took as sent and the rest of pkts[0..n) as dropped (the caller keeps
 * them). Lengths are read before the push: the node's thread may send and
 * free a frame as soon as it is in.
 */
static uint16_t
udp_push(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t take,
	 uint16_t n)
{
	uint32_t len[SOCK_FRAG_MAX];
	uint64_t sent = 0, refused = 0;
	uint16_t k = 0, i;

	for (i = 0; i < n; i++)
		len[i] = pkts[i]->pkt_len;
	if (take > 0)
		k = node_egress_push(s->node, pkts, take);
	for (i = 0; i < n; i++)
		*(i < k ? &sent : &refused) += len[i];
	if (k > 0)
		pk_owner_charge(s->owner, PK_ACCT_UDP, PK_ACCT_SENT, k, sent);
	if (k < n)
		pk_owner_charge(s->owner, PK_ACCT_UDP, PK_ACCT_DROPPED, n - k,
				refused);
	return k;
}

/* Whole datagrams (frames) of payload[i] bytes each: what the queue took. */
static uint16_t
udp_xmit(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t n,
	 const uint32_t *payload)
{
	uint64_t bytes = 0;
	uint16_t k = udp_push(s, pkts, n, n), i;

	for (i = 0; i < k; i++)
		bytes += payload[i];
	sock_stat_add(&s->st.tx_pkts, k);
	sock_stat_add(&s->st.tx_bytes, bytes);
	sock_stat_add(&s->st.tx_dropped, n - k);
	return k;
}

/* Whether a datagram of len payload bytes is bigger than the MTU. */
static bool
udp_too_big(const struct pk_sock *s, uint32_t len, uint16_t mtu)
{
	uint32_t l3 = s->domain == AF_INET6 ? sizeof(struct rte_ipv6_hdr) :
					      sizeof(struct rte_ipv4_hdr);

	return l3 + sizeof(struct rte_udp_hdr) + len > mtu;
}

/*
 * Send payload m as fragments, all or none. 0: taken (m is gone; sent, or
 * dropped when another sender took the room meanwhile); -ENOBUFS: refused
 * (queue full, no mbuf), or -errno: m is the caller's payload again.
 */
static int
udp_xmit_frags(struct pk_sock *s, struct rte_mbuf *m,
	       const struct pk_udp_tx *tx, uint16_t mtu)
{
	struct pk_node *n = s->node;
	struct rte_mbuf *f[SOCK_FRAG_MAX];
	uint32_t payload = m->pkt_len;
	struct pk_udp_tx t = *tx;
	uint16_t k = 0;
	int nf, rc;

	t.offload &= ~RTE_ETH_TX_OFFLOAD_UDP_CKSUM; /* over the datagram */
	rc = pk_udp_encap(m, &t);
	if (rc != 0)
		return rc;
	nf = sock_frag_split(n, m, mtu, f, RTE_DIM(f));
	if (nf < 0) {
		rte_pktmbuf_adj(m, (uint16_t)(m->pkt_len - payload));
		return nf;
	}
	/* room for all of them? (other senders may take some meanwhile) */
	if (pk_stage_len(n->egress) + (uint32_t)nf <= n->egress_cap)
		k = udp_push(s, f, (uint16_t)nf, (uint16_t)nf);
	else
		udp_push(s, f, 0, (uint16_t)nf); /* charged dropped */
	rte_pktmbuf_free_bulk(&f[k], (unsigned int)nf - k);
	if (k == 0) { /* none left: m's data is its own again */
		rte_pktmbuf_adj(m, (uint16_t)(m->pkt_len - payload));
		sock_stat_add(&s->st.tx_dropped, 1);
		return -ENOBUFS;
	}
	rte_pktmbuf_free(m); /* the fragments hold what they need of it */
	if (k < nf) {
		sock_stat_add(&s->st.tx_dropped, 1);
	} else {
		sock_stat_add(&s->st.tx_pkts, 1);
		sock_stat_add(&s->st.tx_bytes, payload);
	}
	return 0;
}

ssize_t
sock_udp_sendto(struct pk_sock *s, const void *buf, size_t len, int flags,
		const struct sockaddr *addr, socklen_t alen)
{
	size_t max = s->domain == AF_INET6 ? 65527 : PK_SOCK_UDP_MAX;
	struct sockaddr_storage dst;
	uint32_t payload = (uint32_t)len;
	struct pk_udp_tx tx;
	struct rte_mbuf *m;
	uint16_t mtu;
	int rc;

	RTE_SET_USED(alen);
	if (len > max)
		return -EMSGSIZE;
	rc = udp_dest(s, addr, &dst);
	if (rc == 0)
		rc = udp_tx_conf(s, &dst, flags, &tx);
	if (rc != 0)
		return rc;
	m = sock_copyin(s, buf, len);
	if (m == NULL)
		return -ENOBUFS;
	mtu = sock_frag_mtu(s->node);
	if (udp_too_big(s, payload, mtu)) {
		rc = udp_xmit_frags(s, m, &tx, mtu); /* 0: m is gone */
	} else {
		rc = pk_udp_encap(m, &tx);
		if (rc == 0 && udp_xmit(s, &m, 1, &payload) != 1)
			rc = -ENOBUFS;
	}
	if (rc != 0) {
		rte_pktmbuf_free(m);
		return rc;
	}
	return (ssize_t)len;
}

int
sock_udp_send_burst(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t n,
		    const struct sockaddr *addr, socklen_t alen)
{
	uint32_t payload[SOCK_BURST];
	struct sockaddr_storage dst;
	struct pk_udp_tx tx;
	uint16_t done = 0, i, j, k, chunk, mtu;
	int rc;

	RTE_SET_USED(alen);
	rc = udp_dest(s, addr, &dst);
	if (rc == 0)
		rc = udp_tx_conf(s, &dst, 0, &tx);
	if (rc != 0)
		return rc;
	mtu = sock_frag_mtu(s->node);
	while (done < n) {
		chunk = RTE_MIN(n - done, SOCK_BURST);
		/* whole datagrams, up to an error or one that needs cutting */
		for (i = 0; i < chunk; i++) {
			struct rte_mbuf *m = pkts[done + i];

			payload[i] = m->pkt_len;
			if (udp_too_big(s, payload[i], mtu))
				break;
			rc = pk_udp_encap(m, &tx);
			if (rc != 0)
				break;
		}
		k = udp_xmit(s, pkts + done, i, payload);
		/* refused frames go back to the caller as payloads again */
		for (j = k; j < i; j++)
			rte_pktmbuf_adj(pkts[done + j],
					(uint16_t)(pkts[done + j]->pkt_len -
						   payload[j]));
		done += k;
		if (k < i || rc != 0)
			break;
		if (i < chunk) { /* pkts[done] goes in fragments */
			rc = udp_xmit_frags(s, pkts[done], &tx, mtu);
			if (rc != 0)
				break;
			done++;
		}
	}
	if (rc == -ENOBUFS) /* refused, as a full queue refuses a frame */
		rc = 0;
	return done > 0 || rc == 0 ? done : rc;
}
