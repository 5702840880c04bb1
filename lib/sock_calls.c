/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sockets: the data calls. Each checks its arguments (and an address
 * against the socket's domain), then goes straight to the protocol
 * (sock_udp.c, sock_tcp.c); a call the protocol lacks is -EOPNOTSUPP.
 * Then what any thread may ask of a socket: names, timeout, counters.
 */
#include <errno.h>

#include <rte_lcore.h>

#include <pathkit/pk_path.h>

#include "sock_pvt.h"

int
pk_sock_connect(struct pk_sock *s, const struct sockaddr *addr, socklen_t len)
{
	int rc = sock_addr_check(s, addr, len);

	if (rc != 0)
		return rc;
	return s->proto->connect != NULL ? s->proto->connect(s, addr, len) :
					   -EOPNOTSUPP;
}

int
pk_sock_listen(struct pk_sock *s, int backlog)
{
	if (s == NULL)
		return -EINVAL;
	return s->proto->listen != NULL ? s->proto->listen(s, backlog) :
					  -EOPNOTSUPP;
}

int
pk_sock_accept(struct pk_sock *s, struct sockaddr *peer, socklen_t *len,
	       struct pk_sock **acc)
{
	if (s == NULL || acc == NULL || (peer != NULL && len == NULL))
		return -EINVAL;
	return s->proto->accept != NULL ? s->proto->accept(s, peer, len, acc) :
					  -EOPNOTSUPP;
}

ssize_t
pk_sock_sendto(struct pk_sock *s, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t addrlen)
{
	if (s == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	if (s->proto->sendto == NULL)
		return -EOPNOTSUPP;
	if (addr != NULL) {
		int rc = sock_addr_check(s, addr, addrlen);

		if (rc != 0)
			return rc;
	}
	return s->proto->sendto(s, buf, len, flags, addr, addrlen);
}

ssize_t
pk_sock_send(struct pk_sock *s, const void *buf, size_t len, int flags)
{
	return pk_sock_sendto(s, buf, len, flags, NULL, 0);
}

ssize_t
pk_sock_recvfrom(struct pk_sock *s, void *buf, size_t len, int flags,
		 struct sockaddr *addr, socklen_t *addrlen)
{
	if (s == NULL || (buf == NULL && len > 0) ||
	    (addr != NULL && addrlen == NULL))
		return -EINVAL;
	if (s->proto->recvfrom == NULL)
		return -EOPNOTSUPP;
	return s->proto->recvfrom(s, buf, len, flags, addr, addrlen);
}

ssize_t
pk_sock_recv(struct pk_sock *s, void *buf, size_t len, int flags)
{
	return pk_sock_recvfrom(s, buf, len, flags, NULL, NULL);
}

int
pk_sock_recv_burst(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t max,
		   int flags)
{
	if (s == NULL || pkts == NULL || max == 0)
		return -EINVAL;
	return s->proto->recv_burst != NULL ?
		       s->proto->recv_burst(s, pkts, max, flags) : -EOPNOTSUPP;
}

int
pk_sock_send_burst(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t n,
		   const struct sockaddr *addr, socklen_t addrlen)
{
	if (s == NULL || (pkts == NULL && n > 0))
		return -EINVAL;
	if (addr != NULL) {
		int rc = sock_addr_check(s, addr, addrlen);

		if (rc != 0)
			return rc;
	}
	return s->proto->send_burst != NULL ?
		       s->proto->send_burst(s, pkts, n, addr, addrlen) :
		       -EOPNOTSUPP;
}

int
pk_sock_set_timeout(struct pk_sock *s, uint32_t timeout_us)
{
	if (s == NULL)
		return -EINVAL;
	s->timeout_us = timeout_us;
	return 0;
}

int
pk_sock_name(const struct pk_sock *s, struct sockaddr_storage *local,
	     struct sockaddr_storage *remote)
{
	if (s == NULL || (local == NULL && remote == NULL))
		return -EINVAL;
	if (local != NULL) {
		if (!s->bound)
			return -EINVAL;
		*local = s->local;
	}
	if (remote != NULL) {
		if (!s->connected)
			return -ENOTCONN;
		*remote = s->remote;
	}
	return 0;
}

/* The stage of s's path that does the protocol work: proc_udp, or the
 * TCP reinjection (the path's last stage either way). */
static struct pk_stage *
sock_work_stage(const struct pk_sock *s)
{
	unsigned int n = pk_path_nb_stages(s->path);
	struct pk_stage *st = pk_path_stage_at(s->path, n - 1);

	if (s->type != PK_SOCK_TCP) /* the work comes before the out queue */
		st = pk_path_stage_at(s->path, n - 2);
	return st;
}

int
pk_sock_stats_get(const struct pk_sock *s, struct pk_sock_stats *st)
{
	if (s == NULL || st == NULL)
		return -EINVAL;
	st->rx_pkts = __atomic_load_n(&s->st.rx_pkts, __ATOMIC_RELAXED);
	st->rx_bytes = __atomic_load_n(&s->st.rx_bytes, __ATOMIC_RELAXED);
	st->tx_pkts = __atomic_load_n(&s->st.tx_pkts, __ATOMIC_RELAXED);
	st->tx_bytes = __atomic_load_n(&s->st.tx_bytes, __ATOMIC_RELAXED);
	st->tx_dropped = __atomic_load_n(&s->st.tx_dropped, __ATOMIC_RELAXED);
	st->rx_dropped = 0;
	st->rx_processed = 0;
	if (s->path != NULL) {
		struct pk_stage_stats ps;
		unsigned int r;

		if (pk_stage_stats_get(pk_path_stage(s->path), &ps) == 0)
			for (r = 0; r < PK_DROP_MAX; r++)
				st->rx_dropped += ps.drops[r];
		/* what it worked on: taken, or handed back by what follows */
		if (pk_stage_stats_get(sock_work_stage(s), &ps) == 0) {
			st->rx_processed = ps.in_pkts;
			for (r = 0; r < PK_DROP_MAX; r++)
				st->rx_processed += ps.refused[r];
		}
	}
	return 0;
}

unsigned int
pk_sock_last_lcore(const struct pk_sock *s)
{
	return s == NULL ? LCORE_ID_ANY :
			   __atomic_load_n(&s->last_lcore, __ATOMIC_RELAXED);
}
