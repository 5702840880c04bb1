/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw and ICMP-error sockets (SILK's safe raw sockets; PlanetLab's per-port
 * ICMP-error sockets): bind and receive. Sends are sock_raw_tx.c's.
 *   demux -> in (queue_ring) -> entry thread -> raw_strip -> out (queue_local)
 * the lazy path of UDP sockets (sock_lazy_path()), with the Ethernet header
 * stripped instead of the UDP work: a reader gets the IP datagram whole.
 * The path is built at bind, when the protocol and so the accounting row
 * are known: raw_udp or raw_tcp for a raw socket, raw_icmp for an
 * ICMP-error one.
 *
 * A raw socket binds its port in the port map like a UDP or TCP socket (so
 * it is the port's one consumer) and installs the same passive key. An
 * ICMP-error socket takes no port: it installs the passive key marked
 * PK_FLOW_F_ICMP_ERR (pk_flow.h) under which the demux finds the errors
 * quoting the port's packets. Its owner check at bind cannot follow the
 * port afterwards (the owner's consumer may close, another owner bind), so
 * raw_strip asks the port map again for every error, in the reader's
 * thread: errors are rare, and another owner's never reach the reader.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <pathkit/pk_path.h>
#include <pathkit/pk_portmap.h>
#include <pathkit/pk_proc.h>
#include <pathkit/pk_stage_worker.h>
#include <pathkit/pk_thread.h>
#include <pathkit/pk_udp.h>

#include "sock_pvt.h"

static struct sock_raw *
raw_of(const struct pk_sock *s)
{
	return s->proto_priv;
}

int
sock_raw_init(struct pk_sock *s)
{
	if (s->flags & PK_SOCK_F_EAGER) /* the lazy path only */
		return -EINVAL;
	s->proto_priv = rte_zmalloc("pk_sock_raw", sizeof(struct sock_raw), 0);
	return s->proto_priv != NULL ? 0 : -ENOMEM;
}

void
sock_raw_fini(struct pk_sock *s)
{
	if (s->thr != NULL)
		pk_thread_stop(s->thr);
	pk_path_destroy(s->path); /* frees what its queues hold, counted */
	rte_free(s->proto_priv);
}

bool
sock_raw_port_foreign(const struct pk_sock *s, bool free_too)
{
	uint32_t bound = s->owner, resv = s->owner;
	uint16_t port = rte_be_to_cpu_16(s->domain == AF_INET6 ?
		((const struct sockaddr_in6 *)&s->local)->sin6_port :
		((const struct sockaddr_in *)&s->local)->sin_port);
	int r = pk_portmap_query(s->node->pm, s->ipproto,
				 (const struct sockaddr *)&s->local, port,
				 &bound, &resv);

	return r < 0 || (free_too && r == 0) ||
	       ((r & 1) && bound != s->owner) || ((r & 2) && resv != s->owner);
}

/*
 * The path's work: strip the link-layer header (its length stays in
 * l2_len, for the reader to learn the sender's MAC from the headroom).
 * Frames that are not IP of the socket's family are malformed; an
 * ICMP-error socket's errors are dropped as "policy" while another owner
 * holds the port, a sniffer's copies unless its owner does (asked once per
 * burst), and those the node marked another owner's (node_sniff.c).
 */
static uint16_t
raw_strip(struct pk_stage *st, struct pk_stage_counters *c,
	  struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	const struct pk_sock *s = arg;
	rte_be16_t want = s->domain == AF_INET6 ?
		RTE_BE16(RTE_ETHER_TYPE_IPV6) : RTE_BE16(RTE_ETHER_TYPE_IPV4);
	bool foreign = s->type != PK_SOCK_RAW &&
		       sock_raw_port_foreign(s, s->type == PK_SOCK_SNIFF);
	/* a sniffer's copy the node found another owner's when it went by */
	uint64_t alien = s->type == PK_SOCK_SNIFF ? node_sniff_foreign() : 0;
	uint16_t i, kept = 0;
	rte_be16_t type;
	int off;

	RTE_SET_USED(st);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (foreign || (m->ol_flags & alien) != 0) {
			pk_stage_drop(c, PK_DROP_POLICY, m);
			continue;
		}
		off = pk_flow_l3_offset(m, &type);
		if (off < 0 || type != want || off >= m->data_len) {
			pk_stage_drop(c, PK_DROP_MALFORMED, m);
			continue;
		}
		m->l2_len = (uint64_t)off;
		rte_pktmbuf_adj(m, (uint16_t)off);
		pkts[kept++] = m;
	}
	return kept;
}

/* The IP source of datagram m (IP header first, in its first segment). */
static int
raw_source(const struct pk_sock *s, const struct rte_mbuf *m,
	   struct sockaddr_storage *from)
{
	memset(from, 0, sizeof(*from));
	from->ss_family = (sa_family_t)s->domain;
	if (s->domain == AF_INET6) {
		const struct rte_ipv6_hdr *ip;

		if (m->data_len < sizeof(*ip))
			return -EINVAL;
		ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
		memcpy(&((struct sockaddr_in6 *)from)->sin6_addr, ip->src_addr,
		       16);
	} else {
		const struct rte_ipv4_hdr *ip;

		if (m->data_len < sizeof(*ip))
			return -EINVAL;
		ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
		((struct sockaddr_in *)from)->sin_addr.s_addr = ip->src_addr;
	}
	return 0;
}

static int
raw_wait(struct pk_sock *s, int flags)
{
	if (s->path == NULL) /* unbound: nothing will ever come */
		return -EINVAL;
	return sock_lazy_wait(s, sock_wait_us(s, flags));
}

ssize_t
sock_raw_recvfrom(struct pk_sock *s, void *buf, size_t len, int flags,
	     struct sockaddr *addr, socklen_t *alen)
{
	struct sockaddr_storage from;
	struct rte_mbuf *m;
	int rc = raw_wait(s, flags), copied;

	if (rc != 0)
		return rc;
	if (pk_stage_pull(s->outq, &m, 1) != 1)
		return -EAGAIN;
	sock_count_rx(s, &m, 1);
	if (addr != NULL && raw_source(s, m, &from) == 0) {
		socklen_t l = sock_addr_len(s->domain);

		if (s->type == PK_SOCK_RAW)
			sock_learn_peer(s, m, &from, m->l2_len);
		memcpy(addr, &from, RTE_MIN(*alen, l));
		*alen = l;
	}
	copied = pk_udp_copyout(m, buf, len); /* any mbuf's data */
	rte_pktmbuf_free(m);
	return copied;
}

int
sock_raw_recv_burst(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t max,
	       int flags)
{
	struct sockaddr_storage from;
	int rc = raw_wait(s, flags);
	uint16_t k;

	if (rc != 0)
		return rc;
	k = pk_stage_pull(s->outq, pkts, max);
	sock_count_rx(s, pkts, k);
	if (k == 0)
		return -EAGAIN;
	if (s->type == PK_SOCK_RAW && raw_source(s, pkts[k - 1], &from) == 0)
		sock_learn_peer(s, pkts[k - 1], &from, pkts[k - 1]->l2_len);
	return k;
}

short
sock_raw_ready(struct pk_sock *s, short events)
{
	short out = s->type == PK_SOCK_RAW ? (short)(events & POLLOUT) : 0;

	if (s->path == NULL)
		return out;
	return (short)((sock_lazy_ready(s, events) & ~POLLOUT) | out);
}

struct pk_stage *
sock_raw_wait_queue(struct pk_sock *s)
{
	return s->path != NULL ? sock_lazy_wait_queue(s) : NULL;
}

int
sock_raw_path(struct pk_sock *s, enum pk_acct_row row)
{
	char name[PK_STAGE_NAMESIZE];

	sock_stage_name(s, "strip", name, sizeof(name));
	return sock_lazy_path(s, pk_proc_create(name, raw_strip, s, 0,
						SOCKET_ID_ANY), row);
}

void
sock_raw_path_drop(struct pk_sock *s)
{
	pk_thread_stop(s->thr);
	pk_path_destroy(s->path);
	s->path = NULL;
	s->thr = NULL;
	s->target = s->inq = s->outq = NULL;
}

/* The ICMP-error socket's bind: owner check, then the marked key. */
static int
raw_bind_icmperr(struct pk_sock *s, const struct sockaddr_storage *a)
{
	uint16_t port = rte_be_to_cpu_16(s->domain == AF_INET6 ?
		((const struct sockaddr_in6 *)a)->sin6_port :
		((const struct sockaddr_in *)a)->sin_port);
	struct pk_flow_key key;
	int rc;

	if (port == 0)
		return -EINVAL;
	s->local = *a;
	if (sock_raw_port_foreign(s, false))
		return -EACCES;
	rc = sock_raw_path(s, PK_ACCT_RAW_ICMP);
	if (rc != 0)
		return rc;
	sock_key_of(s, (const struct sockaddr *)a, NULL, &key);
	key.pad = PK_FLOW_F_ICMP_ERR;
	rc = sock_key_add(s, &key);
	if (rc != 0) {
		sock_raw_path_drop(s);
		return rc;
	}
	s->bound = true;
	return 0;
}

/*
 * The replies to the raw socket's echo requests, whose identifier is its
 * port: the passive ICMP key of the port number. A raw socket of the other
 * protocol may hold it already: then that one gets them.
 */
static void
raw_echo_key(struct pk_sock *s)
{
	struct pk_flow_key key;

	sock_key_of(s, (const struct sockaddr *)&s->local, NULL, &key);
	key.proto = s->domain == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	(void)sock_key_add(s, &key); /* -EADDRINUSE: the other one's */
}

/* The raw socket's bind: the path, then the port as a UDP/TCP bind. */
static int
raw_bind_raw(struct pk_sock *s, const struct sockaddr_storage *a)
{
	enum pk_acct_row row = pk_acct_row_of(s->ipproto, 1);
	struct sock_raw *r = raw_of(s);
	int rc = sock_raw_path(s, row);

	if (rc != 0)
		return rc;
	rc = sock_bind_port(s, a);
	if (rc != 0) {
		sock_raw_path_drop(s);
		return rc;
	}
	r->pol.family = s->domain;
	r->pol.proto = s->ipproto;
	r->pol.port = rte_be_to_cpu_16(s->domain == AF_INET6 ?
		((const struct sockaddr_in6 *)&s->local)->sin6_port :
		((const struct sockaddr_in *)&s->local)->sin_port);
	r->pol.addr4 = s->node->addr4;
	r->pol.addr6 = s->node->addr6;
	raw_echo_key(s);
	s->row = row;
	pk_owner_count_socket(s->owner, row, 1);
	return 0;
}

int
pk_sock_bind_raw(struct pk_sock *s, uint8_t proto, const struct sockaddr *addr,
		 socklen_t len)
{
	struct sockaddr_storage a;
	int rc;

	if (s == NULL)
		return -EINVAL;
	if (s->type != PK_SOCK_RAW && s->type != PK_SOCK_ICMPERR &&
	    s->type != PK_SOCK_SNIFF)
		return -EOPNOTSUPP;
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	rc = sock_addr_check(s, addr, len);
	if (rc == 0)
		rc = sock_bind_addr(s, addr, &a);
	if (rc != 0)
		return rc;
	s->ipproto = proto;
	if (s->type == PK_SOCK_SNIFF)
		return sock_sniff_bind(s, &a);
	return s->type == PK_SOCK_RAW ? raw_bind_raw(s, &a) :
					raw_bind_icmperr(s, &a);
}

uint64_t
pk_sock_raw_refused(const struct pk_sock *s, enum pk_raw_verdict v)
{
	if (s == NULL || s->type != PK_SOCK_RAW || v <= PK_RAW_OK ||
	    v >= PK_RAW_VERDICT_MAX)
		return 0;
	return __atomic_load_n(&raw_of(s)->refused[v], __ATOMIC_RELAXED);
}

const struct sock_proto sock_raw_proto = {
	.row = PK_ACCT_NONE, /* raw_udp or raw_tcp: known at bind */
	.init = sock_raw_init,
	.sendto = sock_raw_sendto,
	.send_burst = sock_raw_send_burst,
	.recvfrom = sock_raw_recvfrom,
	.recv_burst = sock_raw_recv_burst,
	.ready = sock_raw_ready,
	.wait_queue = sock_raw_wait_queue,
	.fini = sock_raw_fini,
};

const struct sock_proto sock_icmperr_proto = {
	.row = PK_ACCT_RAW_ICMP,
	.port_shared = true,
	.init = sock_raw_init,
	.recvfrom = sock_raw_recvfrom,
	.recv_burst = sock_raw_recv_burst,
	.ready = sock_raw_ready,
	.wait_queue = sock_raw_wait_queue,
	.fini = sock_raw_fini,
};
