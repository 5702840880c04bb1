/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw sends (sock_raw.c binds and receives). The caller's datagram is
 * copied into an mbuf of the node's pool (chained when big) or, in a burst,
 * taken as the caller's mbuf, checked and
 * rewritten by pk_raw_check() with the socket's policy (its family, bound
 * protocol and port, the node's addresses), given an Ethernet header for
 * the next hop to its destination, and pushed to the node's egress queue.
 *
 * A datagram bigger than the uplink's MTU is -EMSGSIZE, as a kernel raw
 * socket says (a raw socket sends whole datagrams, never fragments): the
 * uplink would lose it after it was counted sent.
 *
 * Every check runs on the copy, never on the caller's bytes, so what is
 * checked is what leaves. A refusal frees the copy and is counted three
 * ways: by verdict on the socket (pk_sock_raw_refused()), tx_dropped on the
 * socket, and dropped on the owner's row of the bound protocol (the
 * datagram's own may be what is wrong with it). A sent datagram is charged
 * to the row of what it carries (raw_udp, raw_tcp or raw_icmp), as a frame.
 * A burst is checked datagram by datagram up to the first that cannot
 * leave, then pushed to the egress queue at once and charged once per run
 * of a row; a refusal is counted when it is the call's answer (the burst
 * starts with it), so a caller that sends the rest again counts it once.
 */
#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sock_pvt.h"

/* The destination of checked datagram m, as a sockaddr of s's domain. */
static void
raw_dest(const struct pk_sock *s, const struct rte_mbuf *m,
	 struct sockaddr_storage *dst)
{
	uint8_t hdr[sizeof(struct rte_ipv6_hdr)];
	const uint8_t *ip;

	memset(dst, 0, sock_addr_len(s->domain));
	dst->ss_family = (sa_family_t)s->domain;
	if (s->domain == AF_INET6) {
		ip = rte_pktmbuf_read(m, 0, sizeof(struct rte_ipv6_hdr), hdr);
		memcpy(&((struct sockaddr_in6 *)dst)->sin6_addr,
		       ((const struct rte_ipv6_hdr *)ip)->dst_addr, 16);
	} else {
		ip = rte_pktmbuf_read(m, 0, sizeof(struct rte_ipv4_hdr), hdr);
		((struct sockaddr_in *)dst)->sin_addr.s_addr =
			((const struct rte_ipv4_hdr *)ip)->dst_addr;
	}
}

/* Whether a sendto address names dst (the port is not looked at). */
static bool
raw_addr_matches(const struct pk_sock *s, const struct sockaddr *a,
		 const struct sockaddr_storage *dst)
{
	if (s->domain == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)dst)->sin6_addr,
			      16) == 0;
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)dst)->sin_addr.s_addr;
}

/* The row a checked datagram is charged to, by its packet type. */
static enum pk_acct_row
raw_row_of(const struct rte_mbuf *m)
{
	switch (m->packet_type & RTE_PTYPE_L4_MASK) {
	case RTE_PTYPE_L4_TCP:
		return PK_ACCT_RAW_TCP;
	case RTE_PTYPE_L4_UDP:
		return PK_ACCT_RAW_UDP;
	default:
		return PK_ACCT_RAW_ICMP;
	}
}

/* A refused send of len bytes: counted, m freed, rc returned. */
static ssize_t
raw_refuse(struct pk_sock *s, struct rte_mbuf *m, size_t len, int rc)
{
	rte_pktmbuf_free(m);
	sock_stat_add(&s->st.tx_dropped, 1);
	pk_owner_charge(s->owner, s->row, PK_ACCT_DROPPED, 1, len);
	return rc;
}

/* Put the Ethernet header in front of checked datagram m, to dst. */
static int
raw_l2(struct pk_sock *s, struct rte_mbuf *m,
       const struct sockaddr_storage *dst, int flags)
{
	struct rte_ether_addr mac;
	struct rte_ether_hdr *eh;
	int rc;

	rc = sock_next_hop(s, (const struct sockaddr *)dst, &mac,
			   sock_wait_us(s, flags));
	if (rc != 0)
		return rc;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (eh == NULL)
		return -ENOBUFS;
	rte_ether_addr_copy(&mac, &eh->dst_addr);
	rte_ether_addr_copy(&s->node->mac, &eh->src_addr);
	eh->ether_type = s->domain == AF_INET6 ?
				 RTE_BE16(RTE_ETHER_TYPE_IPV6) :
				 RTE_BE16(RTE_ETHER_TYPE_IPV4);
	m->l2_len = sizeof(*eh);
	m->packet_type |= RTE_PTYPE_L2_ETHER;
	return 0;
}

/*
 * Check and address datagram m (IP header first) for the wire: the uplink's
 * MTU, pk_raw_check() (rewrites it), the sendto address, the Ethernet
 * header.
 * 0, or the error; a refusal is counted by verdict only when count is set.
 */
static int
raw_prepare(struct pk_sock *s, struct rte_mbuf *m, const struct sockaddr *a,
	    int flags, uint16_t mtu, bool count)
{
	struct sock_raw *r = s->proto_priv;
	struct sockaddr_storage dst;
	enum pk_raw_verdict why;
	int rc;

	if (m->pkt_len > mtu)
		return -EMSGSIZE;
	rc = pk_raw_check(m, &r->pol, &why);
	if (rc != 0) {
		if (count && why < PK_RAW_VERDICT_MAX)
			sock_stat_add(&r->refused[why], 1);
		return rc;
	}
	raw_dest(s, m, &dst);
	if (a != NULL && !raw_addr_matches(s, a, &dst))
		return -EINVAL;
	return raw_l2(s, m, &dst, flags);
}

/* Whether error rc of raw_prepare() refuses the datagram (counted
 * dropped), rather than saying it cannot leave yet. */
static bool
raw_refusal(int rc)
{
	return rc == -EPERM || rc == -EINVAL || rc == -EMSGSIZE;
}

ssize_t
sock_raw_sendto(struct pk_sock *s, const void *buf, size_t len, int flags,
		const struct sockaddr *addr, socklen_t alen)
{
	enum pk_acct_row row;
	struct rte_mbuf *m;
	uint16_t mtu;
	uint32_t frame;
	int rc;

	RTE_SET_USED(alen); /* checked by pk_sock_sendto() */
	if (!s->bound)
		return -EINVAL;
	mtu = sock_frag_mtu(s->node);
	if (len > mtu)
		return raw_refuse(s, NULL, len, -EMSGSIZE);
	m = sock_copyin(s, buf, len);
	if (m == NULL)
		return raw_refuse(s, NULL, len, -ENOBUFS);
	rc = raw_prepare(s, m, addr, flags, mtu, true);
	if (rc != 0) {
		if (raw_refusal(rc))
			return raw_refuse(s, m, len, rc);
		rte_pktmbuf_free(m); /* the next hop is unknown, or no room */
		return rc;
	}
	row = raw_row_of(m);
	frame = m->pkt_len; /* read before the push: the node may free it */
	if (node_egress_push(s->node, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		sock_stat_add(&s->st.tx_dropped, 1);
		pk_owner_charge(s->owner, row, PK_ACCT_DROPPED, 1, frame);
		return -ENOBUFS;
	}
	pk_owner_charge(s->owner, row, PK_ACCT_SENT, 1, frame);
	sock_stat_add(&s->st.tx_pkts, 1);
	sock_stat_add(&s->st.tx_bytes, len);
	return (ssize_t)len;
}

/* Charge pkts[0..n) (frames of frame[i] bytes) to the owner as col, one
 * call per run of a row. Returns their IP bytes. */
static uint64_t
raw_charge(struct pk_sock *s, struct rte_mbuf *const *pkts, uint16_t n,
	   enum pk_acct_col col, const uint32_t *frame)
{
	enum pk_acct_row row = PK_ACCT_NONE, r;
	uint64_t pk = 0, bytes = 0, ip = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		r = raw_row_of(pkts[i]);
		if (pk != 0 && r != row) {
			pk_owner_charge(s->owner, row, col, pk, bytes);
			pk = bytes = 0;
		}
		row = r;
		pk++;
		bytes += frame[i];
		ip += frame[i] - sizeof(struct rte_ether_hdr);
	}
	if (pk != 0)
		pk_owner_charge(s->owner, row, col, pk, bytes);
	return ip;
}

/*
 * Offer checked frames pkts[0..n) to the egress queue: what it took is
 * sent, the rest dropped (as a full queue drops UDP datagrams) and given
 * back to the caller as the datagrams they were (Ethernet header off).
 * Returns how many it took.
 */
static uint16_t
raw_push(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t n,
	 const uint32_t *frame)
{
	uint16_t k = n > 0 ? node_egress_push(s->node, pkts, n) : 0, i;

	/* frame[] was read before the push: the node may free what it took */
	sock_stat_add(&s->st.tx_bytes,
		      raw_charge(s, pkts, k, PK_ACCT_SENT, frame));
	sock_stat_add(&s->st.tx_pkts, k);
	if (k == n)
		return k;
	raw_charge(s, pkts + k, n - k, PK_ACCT_DROPPED, frame + k);
	sock_stat_add(&s->st.tx_dropped, n - k);
	for (i = k; i < n; i++) {
		rte_pktmbuf_adj(pkts[i], pkts[i]->l2_len);
		pkts[i]->l2_len = 0;
	}
	return k;
}

int
sock_raw_send_burst(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t n,
		    const struct sockaddr *addr, socklen_t alen)
{
	uint32_t frame[SOCK_BURST];
	uint16_t done = 0, i, k, chunk, mtu;
	int rc = 0;

	RTE_SET_USED(alen);
	if (!s->bound || addr != NULL) /* each datagram names its own */
		return -EINVAL;
	mtu = sock_frag_mtu(s->node);
	while (done < n) {
		chunk = RTE_MIN(n - done, SOCK_BURST);
		for (i = 0; i < chunk; i++) {
			/* a refusal counts when it is the answer: pkts[0] */
			rc = raw_prepare(s, pkts[done + i], NULL,
					 PK_MSG_DONTWAIT, mtu, done + i == 0);
			if (rc != 0)
				break;
			frame[i] = pkts[done + i]->pkt_len;
		}
		k = raw_push(s, pkts + done, i, frame);
		done += k;
		if (k < i) /* the queue is full: fewer taken, no error */
			return done;
		if (rc != 0)
			break;
	}
	if (done > 0 || rc == 0)
		return done;
	if (raw_refusal(rc))
		return (int)raw_refuse(s, NULL, pkts[0]->pkt_len, rc);
	return rc;
}
