/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sockets: the data calls. Each checks its arguments (and an address
 * against the socket's domain), then goes straight to the protocol
 * (sock_udp.c, sock_tcp.c); a call the protocol lacks is -EOPNOTSUPP.
 */
#include <errno.h>

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
