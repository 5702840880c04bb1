/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sockets: what every protocol shares. Open checks the owner and builds the
 * protocol's path; bind asks the node's port map and installs the demux key;
 * close takes the keys out, waits for the node's thread to let go, releases
 * the port and destroys the path (freeing what it holds). The control steps
 * run under one lock: the demux and the port map are changed by one thread
 * at a time. The data calls are sock_calls.c's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_portmap.h>

#include "sock_pvt.h"

/* Control steps of every socket of every node: demux and port map changes
 * (kernel ports take it too: node_kport.c). */
pthread_mutex_t sock_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t sock_seq;

static const struct sock_proto *
sock_proto_of(enum pk_sock_type type)
{
	switch (type) {
	case PK_SOCK_UDP:
		return &sock_udp_proto;
	case PK_SOCK_TCP:
		return &sock_tcp_proto;
	case PK_SOCK_RAW:
		return &sock_raw_proto;
	case PK_SOCK_ICMPERR:
		return &sock_icmperr_proto;
	case PK_SOCK_SNIFF:
		return &sock_sniff_proto;
	}
	return NULL;
}

void
sock_stage_name(const struct pk_sock *s, const char *part, char *buf,
		size_t len)
{
	snprintf(buf, len, "sk%u.%s", s->id, part);
}

static struct pk_sock *
sock_alloc(struct pk_node *n, uint32_t owner, int domain,
	   enum pk_sock_type type, uint32_t flags)
{
	struct pk_sock *s = rte_zmalloc("pk_sock", sizeof(*s), 0);

	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->node = n;
	s->proto = sock_proto_of(type);
	s->owner = owner;
	s->id = __atomic_fetch_add(&sock_seq, 1, __ATOMIC_RELAXED);
	s->domain = domain;
	s->type = type;
	s->ipproto = type == PK_SOCK_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	s->row = s->proto->row;
	s->flags = flags;
	s->timeout_us = UINT32_MAX;
	s->last_lcore = LCORE_ID_ANY;
	s->kfd = -1;
	return s;
}

struct pk_sock *
pk_sock_open(struct pk_node *n, uint32_t owner, int domain,
	     enum pk_sock_type type, uint32_t flags)
{
	struct sockaddr_storage self;
	struct pk_sock *s;
	int rc;

	if (n == NULL || sock_proto_of(type) == NULL ||
	    (domain != AF_INET && domain != AF_INET6) ||
	    (flags & ~(uint32_t)(PK_SOCK_F_NONBLOCK | PK_SOCK_F_EAGER |
				 PK_SOCK_F_SNIFF_IN)) ||
	    ((flags & PK_SOCK_F_SNIFF_IN) && type != PK_SOCK_SNIFF) ||
	    pk_owner_name(owner) == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (node_local_addr(n, domain, &self) != 0) {
		rte_errno = EAFNOSUPPORT;
		return NULL;
	}
	s = sock_alloc(n, owner, domain, type, flags);
	if (s == NULL)
		return NULL;
	rc = s->proto->init(s);
	if (rc != 0) {
		rte_free(s);
		rte_errno = -rc;
		return NULL;
	}
	if (s->row != PK_ACCT_NONE)
		pk_owner_count_socket(owner, s->row, 1);
	return s;
}

struct pk_sock *
sock_open_like(const struct pk_sock *s)
{
	return pk_sock_open(s->node, s->owner, s->domain, s->type,
			    s->flags & PK_SOCK_F_NONBLOCK);
}

int
sock_addr_check(const struct pk_sock *s, const struct sockaddr *a,
		socklen_t len)
{
	if (s == NULL || a == NULL)
		return -EINVAL;
	if (len < sizeof(sa_family_t) || a->sa_family != s->domain)
		return -EAFNOSUPPORT;
	if (len < sock_addr_len(s->domain))
		return -EINVAL;
	return 0;
}

/* Port (host order) of a sockaddr_in/in6. */
static uint16_t
sock_port_of(const struct sockaddr *a)
{
	return rte_be_to_cpu_16(a->sa_family == AF_INET6 ?
		((const struct sockaddr_in6 *)a)->sin6_port :
		((const struct sockaddr_in *)a)->sin_port);
}

static void
sock_port_set(struct sockaddr_storage *a, uint16_t port)
{
	if (a->ss_family == AF_INET6)
		((struct sockaddr_in6 *)a)->sin6_port = rte_cpu_to_be_16(port);
	else
		((struct sockaddr_in *)a)->sin_port = rte_cpu_to_be_16(port);
}

void
sock_key_of(const struct pk_sock *s, const struct sockaddr *local,
	    const struct sockaddr *remote, struct pk_flow_key *key)
{
	uint8_t proto = s->ipproto;

	if (s->domain == AF_INET6) {
		const struct sockaddr_in6 *l = (const void *)local;
		const struct sockaddr_in6 *r = (const void *)remote;

		pk_flow_key_ipv6(key, proto, l->sin6_addr.s6_addr, l->sin6_port,
				 r != NULL ? r->sin6_addr.s6_addr : NULL,
				 r != NULL ? r->sin6_port : 0);
	} else {
		const struct sockaddr_in *l = (const void *)local;
		const struct sockaddr_in *r = (const void *)remote;

		pk_flow_key_ipv4(key, proto, l->sin_addr.s_addr, l->sin_port,
				 r != NULL ? r->sin_addr.s_addr : 0,
				 r != NULL ? r->sin_port : 0);
	}
}

int
sock_key_add(struct pk_sock *s, const struct pk_flow_key *key)
{
	int rc;

	if (s->nb_keys == SOCK_MAX_KEYS)
		return -ENOSPC;
	pthread_mutex_lock(&sock_lock);
	rc = pk_demux_flow_add(s->node->demux, key, s->target);
	pthread_mutex_unlock(&sock_lock);
	if (rc == -EEXIST)
		return -EADDRINUSE;
	if (rc == 0)
		s->keys[s->nb_keys++] = *key;
	return rc;
}

void
sock_keys_del(struct pk_sock *s)
{
	unsigned int i;

	if (s->nb_keys == 0)
		return;
	pthread_mutex_lock(&sock_lock);
	for (i = 0; i < s->nb_keys; i++)
		pk_demux_flow_del(s->node->demux, &s->keys[i]);
	/* the node's thread may still push into s->target until its next
	 * quiescent state: only then may the path go */
	pk_demux_flow_synchronize(s->node->demux);
	pthread_mutex_unlock(&sock_lock);
	s->nb_keys = 0;
}

/* Bind in the port map, then install the passive key. */
int
sock_bind_port(struct pk_sock *s, const struct sockaddr_storage *addr)
{
	struct sockaddr_storage local = *addr;
	uint8_t proto = s->ipproto;
	uint16_t port = sock_port_of((const struct sockaddr *)addr);
	struct pk_flow_key key;
	int rc;

	rc = pk_portmap_bind(s->node->pm, s->owner, proto,
			     (const struct sockaddr *)addr, &port);
	if (rc != 0)
		return rc;
	sock_port_set(&local, port);
	s->local = local;
	s->bound = true;
	/* a TCP socket's keys come with listen and connect (sock_tcp.c) */
	if (s->type == PK_SOCK_TCP)
		return 0;
	sock_key_of(s, (const struct sockaddr *)&local, NULL, &key);
	rc = sock_key_add(s, &key);
	if (rc != 0) {
		pk_portmap_unbind(s->node->pm, proto,
				  (const struct sockaddr *)&local, port);
		s->bound = false;
	}
	return rc == -ENOSPC ? -ENOSPC : rc;
}

int
pk_sock_bind(struct pk_sock *s, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage a;
	int rc = sock_addr_check(s, addr, len);

	if (rc == 0 && (s->type == PK_SOCK_RAW ||
			s->type == PK_SOCK_ICMPERR || s->type == PK_SOCK_SNIFF))
		return -EOPNOTSUPP; /* they name a protocol: pk_sock_bind_raw */
	if (rc == 0)
		rc = sock_bind_addr(s, addr, &a);
	return rc != 0 ? rc : sock_bind_port(s, &a);
}

int
sock_bind_addr(const struct pk_sock *s, const struct sockaddr *addr,
	       struct sockaddr_storage *a)
{
	if (s->bound)
		return -EINVAL;
	if (!node_addr_is_local(s->node, addr))
		return -EADDRNOTAVAIL;
	memset(a, 0, sizeof(*a));
	memcpy(a, addr, sock_addr_len(s->domain));
	return 0;
}

int
sock_autobind(struct pk_sock *s)
{
	struct sockaddr_storage a;
	int rc;

	if (s->bound)
		return 0;
	rc = node_local_addr(s->node, s->domain, &a);
	if (rc != 0)
		return rc;
	return sock_bind_port(s, &a);
}

int
sock_self(struct pk_sock *s, struct sockaddr_storage *self)
{
	int rc = sock_autobind(s);

	if (rc == 0)
		rc = node_local_addr(s->node, s->domain, self);
	if (rc == 0)
		sock_port_set(self, sock_port_of((struct sockaddr *)&s->local));
	return rc;
}

uint32_t
sock_wait_us(const struct pk_sock *s, int flags)
{
	if ((s->flags & PK_SOCK_F_NONBLOCK) || (flags & PK_MSG_DONTWAIT))
		return 0;
	return s->timeout_us;
}

int
sock_next_hop(struct pk_sock *s, const struct sockaddr *dst,
	      struct rte_ether_addr *mac, uint32_t wait_us)
{
	int rc;

	if (s->peer_ok &&
	    memcmp(&s->peer, dst, sock_addr_len(s->domain)) == 0) {
		*mac = s->peer_mac;
		return 0;
	}
	rc = node_neigh_resolve(s->node, dst, mac, wait_us);
	if (rc == 0) {
		memset(&s->peer, 0, sizeof(s->peer));
		memcpy(&s->peer, dst, sock_addr_len(s->domain));
		s->peer_mac = *mac;
		s->peer_ok = true;
	}
	return rc;
}

void
sock_port_release(struct pk_sock *s, const struct sockaddr_storage *local)
{
	uint8_t proto = s->ipproto;

	pthread_mutex_lock(&sock_lock);
	pk_portmap_unbind(s->node->pm, proto, (const struct sockaddr *)local,
			  sock_port_of((const struct sockaddr *)local));
	pthread_mutex_unlock(&sock_lock);
}

int
pk_sock_close(struct pk_sock *s)
{
	if (s == NULL)
		return 0;
	sock_keys_del(s);
	if (s->bound && !s->proto->port_shared)
		sock_port_release(s, &s->local);
	s->proto->fini(s);
	if (s->row != PK_ACCT_NONE)
		pk_owner_count_socket(s->owner, s->row, 0);
	rte_free(s);
	return 0;
}

void
sock_learn_peer(struct pk_sock *s, const struct rte_mbuf *m,
		const struct sockaddr_storage *from, uint32_t before)
{
	const struct rte_ether_hdr *eh;
	socklen_t alen = sock_addr_len(s->domain);

	if (s->peer_ok && memcmp(&s->peer, from, alen) == 0)
		return;
	eh = rte_pktmbuf_mtod_offset(m, const struct rte_ether_hdr *,
				     -(int)before);
	memset(&s->peer, 0, sizeof(s->peer));
	memcpy(&s->peer, from, alen);
	rte_ether_addr_copy(&eh->src_addr, &s->peer_mac);
	s->peer_ok = true;
}

void
sock_count_rx(struct pk_sock *s, struct rte_mbuf *const *pkts, uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	sock_stat_add(&s->st.rx_pkts, n);
	sock_stat_add(&s->st.rx_bytes, bytes);
}

struct rte_mbuf *
sock_copyin(struct pk_sock *s, const void *buf, size_t len)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(s->node->mp), *m = head;
	const uint8_t *p = buf;

	while (m != NULL) {
		uint16_t room = rte_pktmbuf_tailroom(m);
		uint16_t k = len < room ? (uint16_t)len : room;
		/* through head: its pkt_len counts every segment */
		char *d = rte_pktmbuf_append(head, k);

		if (k > 0)
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
