/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP sends (sock_udp.c builds the socket and receives). A payload goes
 * into an mbuf (chained when big), pk_udp_encap() puts the headers in
 * front, the frame goes into the node's egress queue, charged to the owner
 * as sent. pk_sock_send_burst() does the same with the caller's mbufs.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include <pathkit/pk_udp.h>

#include "sock_pvt.h"

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

	rc = sock_autobind(s);
	if (rc != 0)
		return rc;
	memset(tx, 0, sizeof(*tx));
	rc = sock_next_hop(s, (const struct sockaddr *)dst, &tx->dst_mac,
			   sock_wait_us(s, flags));
	if (rc != 0)
		return rc;
	rte_ether_addr_copy(&s->node->mac, &tx->src_mac);
	/* a wildcard bind sends from the node's address */
	rc = node_local_addr(s->node, s->domain, &self);
	if (rc != 0)
		return rc;
	if (s->domain == AF_INET6) {
		((struct sockaddr_in6 *)&self)->sin6_port =
			((struct sockaddr_in6 *)&s->local)->sin6_port;
	} else {
		((struct sockaddr_in *)&self)->sin_port =
			((struct sockaddr_in *)&s->local)->sin_port;
	}
	tx->local = self;
	tx->remote = *dst;
	tx->offload = s->node->tx_offload;
	return 0;
}

/* Hand encapsulated frames to the egress queue; charge what it took. */
static uint16_t
udp_xmit(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t n,
	 const uint32_t *hdr_len)
{
	uint64_t bytes = 0, payload = 0;
	uint16_t k, i;

	k = node_egress_push(s->node, pkts, n);
	for (i = 0; i < k; i++) {
		bytes += pkts[i]->pkt_len;
		payload += pkts[i]->pkt_len - hdr_len[i];
	}
	if (k > 0)
		pk_owner_charge(s->owner, PK_ACCT_UDP, PK_ACCT_SENT, k, bytes);
	__atomic_store_n(&s->st.tx_pkts, s->st.tx_pkts + k, __ATOMIC_RELAXED);
	__atomic_store_n(&s->st.tx_bytes, s->st.tx_bytes + payload,
			 __ATOMIC_RELAXED);
	if (k < n) {
		bytes = 0;
		for (i = k; i < n; i++)
			bytes += pkts[i]->pkt_len;
		pk_owner_charge(s->owner, PK_ACCT_UDP, PK_ACCT_DROPPED, n - k,
				bytes);
		__atomic_store_n(&s->st.tx_dropped, s->st.tx_dropped + (n - k),
				 __ATOMIC_RELAXED);
	}
	return k;
}

/* A payload copied into an mbuf chain from the node's pool, or NULL. */
static struct rte_mbuf *
udp_payload(struct pk_sock *s, const void *buf, size_t len)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(s->node->mp), *m = head;
	const uint8_t *p = buf;

	while (m != NULL) {
		uint16_t room = rte_pktmbuf_tailroom(m);
		uint16_t k = len < room ? (uint16_t)len : room;
		/* through head: its pkt_len counts every segment */
		char *d = rte_pktmbuf_append(head, k);

		memcpy(d, p, k);
		p += k;
		len -= k;
		if (len == 0)
			return head;
		m = rte_pktmbuf_alloc(s->node->mp);
		if (m == NULL || rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			break;
		}
	}
	rte_pktmbuf_free(head);
	return NULL;
}

ssize_t
sock_udp_sendto(struct pk_sock *s, const void *buf, size_t len, int flags,
	   const struct sockaddr *addr, socklen_t alen)
{
	size_t max = s->domain == AF_INET6 ? 65527 : PK_SOCK_UDP_MAX;
	struct sockaddr_storage dst;
	struct pk_udp_tx tx;
	struct rte_mbuf *m;
	uint32_t hdr;
	int rc;

	RTE_SET_USED(alen);
	if (len > max)
		return -EMSGSIZE;
	rc = udp_dest(s, addr, &dst);
	if (rc == 0)
		rc = udp_tx_conf(s, &dst, flags, &tx);
	if (rc != 0)
		return rc;
	m = udp_payload(s, buf, len);
	if (m == NULL)
		return -ENOBUFS;
	rc = pk_udp_encap(m, &tx);
	if (rc != 0) {
		rte_pktmbuf_free(m);
		return rc;
	}
	hdr = m->pkt_len - len;
	if (udp_xmit(s, &m, 1, &hdr) != 1) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return (ssize_t)len;
}

int
sock_udp_send_burst(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t n,
	       const struct sockaddr *addr, socklen_t alen)
{
	uint32_t hdr[SOCK_BURST];
	struct sockaddr_storage dst;
	struct pk_udp_tx tx;
	uint16_t done = 0, i, k, chunk;
	int rc;

	RTE_SET_USED(alen);
	rc = udp_dest(s, addr, &dst);
	if (rc == 0)
		rc = udp_tx_conf(s, &dst, 0, &tx);
	if (rc != 0)
		return rc;
	while (done < n) {
		chunk = RTE_MIN(n - done, SOCK_BURST);
		for (i = 0; i < chunk; i++) {
			struct rte_mbuf *m = pkts[done + i];
			uint32_t before = m->pkt_len;

			rc = pk_udp_encap(m, &tx);
			if (rc != 0)
				break;
			hdr[i] = m->pkt_len - before;
		}
		k = udp_xmit(s, pkts + done, i, hdr);
		/* refused frames go back to the caller as payloads again */
		for (; k < i; i--)
			rte_pktmbuf_adj(pkts[done + i - 1], hdr[i - 1]);
		done += k;
		if (k < chunk || rc != 0)
			break;
	}
	return done > 0 || rc == 0 ? done : rc;
}
