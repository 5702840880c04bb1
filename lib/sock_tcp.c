/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sockets: a kernel TCP socket on the node's TAP side, wrapped in a path
 * as SILK wrapped Linux's (ProcLinuxReinject):
 *   demux -> in (queue_ring) -> entry thread -> reinject (TAP port_tx, queue 1)
 * listen and connect (sock_tcp_conn.c) install the keys that steal the
 * socket's segments into its path; every call (recv, send, accept, connect,
 * poll) first runs the path in the caller's thread, reinjecting what waits
 * into the kernel, then does its work on the kernel socket without
 * blocking. A segment reaches
 * the kernel socket only through that reinjection (TAP writes are handled
 * before the write returns), so a caller waiting for data or for send room
 * sleeps on its input queue; a slice of SOCK_TCP_SLICE_US bounds the sleep for
 * what the kernel's timers do by themselves (retransmits, resets).
 * What the kernel sends leaves through the TAP and the egress shim, which
 * charges it to the owner whose key the flow matches.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include <pathkit/pk_path.h>
#include <pathkit/pk_port.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_stage_worker.h>
#include <pathkit/pk_thread.h>

#include "sock_tcp_pvt.h"

/* TAP TX queue the sockets reinject on (queue 0 is the node's). */
#define TCP_REINJECT_QUEUE 1

static int
tcp_init(struct pk_sock *s)
{
	struct pk_path_conf conf = {
		.owner = s->owner,
		.tail = PK_PATH_TAIL_DROP,
		.flags = PK_STAGE_F_BYTES,
		.socket_id = SOCKET_ID_ANY,
		.acct = PK_ACCT_TCP,
	};
	struct pk_thread_conf tc = {
		.burst = 32, .budget = 256, .flags = PK_THREAD_F_NONBLOCK,
		.socket_id = SOCKET_ID_ANY,
	};
	char name[PK_STAGE_NAMESIZE], tname[PK_STAGE_NAMESIZE];
	struct pk_stage *st[3];
	unsigned int i;
	int rc = -ENOMEM;

	if (s->node->tap == UINT16_MAX)
		return -EAFNOSUPPORT; /* no kernel side to wrap */
	if (s->kfd < 0)
		s->kfd = socket(s->domain, SOCK_STREAM | SOCK_NONBLOCK |
					   SOCK_CLOEXEC, 0);
	if (s->kfd < 0)
		return -errno;
	sock_stage_name(s, "in", name, sizeof(name));
	st[0] = s->inq = pk_queue_ring_create(name, s->node->socket_queue, 0,
					      0, SOCKET_ID_ANY);
	sock_stage_name(s, "thr", tname, sizeof(tname));
	tc.name = tname;
	s->thr = pk_thread_entry_create(&tc);
	st[1] = s->thr != NULL ? pk_thread_stage(s->thr) : NULL;
	sock_stage_name(s, "tap", name, sizeof(name));
	st[2] = pk_port_tx_create(name, s->node->tap, TCP_REINJECT_QUEUE, 0);
	for (i = 0; i < 3; i++)
		if (st[i] == NULL)
			goto fail;
	sock_stage_name(s, "path", name, sizeof(name));
	conf.name = name;
	s->path = pk_path_create(&conf, st, 3);
	if (s->path == NULL) {
		rc = -rte_errno;
		goto fail;
	}
	s->target = pk_path_stage(s->path);
	rc = pk_thread_start(s->thr);
	if (rc == 0)
		return 0;
	pk_path_destroy(s->path);
	s->path = NULL;
	close(s->kfd);
	s->kfd = -1;
	return rc;
fail:
	for (i = 0; i < 3; i++)
		pk_stage_destroy(st[i]);
	close(s->kfd);
	s->kfd = -1;
	return rc;
}

static void
tcp_fini(struct pk_sock *s)
{
	pk_thread_stop(s->thr);
	pk_path_destroy(s->path); /* frees what waits in it, counted */
	if (s->kfd >= 0)
		close(s->kfd);
	s->kfd = -1;
}

/* Run the path: reinject every waiting segment into the kernel. */
static void
tcp_reinject(struct pk_sock *s)
{
	rte_spinlock_t *l = &s->node->reinject_lock;

	while (pk_stage_len(s->inq) > 0) {
		int n;

		rte_spinlock_lock(l);
		n = pk_thread_entry_run(s->thr);
		rte_spinlock_unlock(l);
		if (n <= 0)
			break;
		__atomic_store_n(&s->last_lcore, rte_lcore_id(),
				 __ATOMIC_RELAXED);
	}
}

static uint64_t
tcp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* sock_tcp_pvt.h */
long
sock_tcp_retry(struct pk_sock *s, uint32_t wait_us,
	       long (*op)(struct pk_sock *s, void *arg), void *arg)
{
	uint64_t end = wait_us == UINT32_MAX ? UINT64_MAX :
					       tcp_now_us() + wait_us;
	long rc;

	for (;;) {
		uint64_t now;
		uint32_t slice = SOCK_TCP_SLICE_US;

		tcp_reinject(s);
		rc = op(s, arg);
		if (rc != -EAGAIN)
			return rc;
		now = tcp_now_us();
		if (wait_us == 0 || now >= end)
			return -EAGAIN;
		if (end - now < slice)
			slice = end - now;
		pk_queue_wait(s->inq, NULL, slice);
	}
}

struct tcp_io_arg {
	void *buf;
	size_t len;
};

static long
tcp_send_op(struct pk_sock *s, void *arg)
{
	struct tcp_io_arg *a = arg;
	ssize_t r = send(s->kfd, a->buf, a->len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (r >= 0)
		return r;
	return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

static long
tcp_recv_op(struct pk_sock *s, void *arg)
{
	struct tcp_io_arg *a = arg;
	ssize_t r = recv(s->kfd, a->buf, a->len, MSG_DONTWAIT);

	if (r >= 0)
		return r;
	return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

static ssize_t
tcp_sendto(struct pk_sock *s, const void *buf, size_t len, int flags,
	   const struct sockaddr *addr, socklen_t alen)
{
	struct tcp_io_arg a = { (void *)(uintptr_t)buf, len };
	long rc;

	RTE_SET_USED(alen);
	if (addr != NULL)
		return -EISCONN;
	if (!s->connected) {
		rc = sock_tcp_connect_wait(s, sock_wait_us(s, flags));
		if (rc != 0)
			return rc;
	}
	rc = sock_tcp_retry(s, sock_wait_us(s, flags), tcp_send_op, &a);
	if (rc > 0) {
		s->st.tx_pkts++;
		s->st.tx_bytes += (uint64_t)rc;
	}
	return rc;
}

static ssize_t
tcp_recvfrom(struct pk_sock *s, void *buf, size_t len, int flags,
	     struct sockaddr *addr, socklen_t *alen)
{
	struct tcp_io_arg a = { buf, len };
	long rc;

	if (!s->connected) {
		rc = sock_tcp_connect_wait(s, sock_wait_us(s, flags));
		if (rc != 0)
			return rc;
	}
	rc = sock_tcp_retry(s, sock_wait_us(s, flags), tcp_recv_op, &a);
	if (rc > 0) {
		s->st.rx_pkts++;
		s->st.rx_bytes += (uint64_t)rc;
	}
	if (rc >= 0 && addr != NULL) {
		socklen_t l = sock_addr_len(s->domain);

		memcpy(addr, &s->remote, RTE_MIN(*alen, l));
		*alen = l;
	}
	return rc;
}

static short
tcp_ready(struct pk_sock *s, short events)
{
	struct pollfd p = { .fd = s->kfd, .events = events };

	tcp_reinject(s);
	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & POLLOUT)
		sock_tcp_connect_seen(s); /* as poll(2) users expect */
	return p.revents;
}

static struct pk_stage *
tcp_wait_queue(struct pk_sock *s)
{
	return s->inq;
}

const struct sock_proto sock_tcp_proto = {
	.row = PK_ACCT_TCP,
	.init = tcp_init,
	.connect = sock_tcp_connect,
	.listen = sock_tcp_listen,
	.accept = sock_tcp_accept,
	.sendto = tcp_sendto,
	.recvfrom = tcp_recvfrom,
	.ready = tcp_ready,
	.wait_queue = tcp_wait_queue,
	.fini = tcp_fini,
};
