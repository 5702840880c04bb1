/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP sockets: SILK's PathLinuxNetStack in user space.
 *   lazy:  demux -> in (queue_ring) -> entry thread -> proc_udp -> out (queue_local)
 *   eager: demux -> proc_udp -> out (queue_ring)
 * Lazy: recv runs the entry thread in the caller's thread only when out is
 * empty, one burst of at most SOCK_BURST datagrams, which out always holds:
 * the protocol work of a datagram is done by, and charged to, the reader.
 * Eager: the node's thread runs proc_udp when the datagram arrives. Either
 * way the path is charged to the owner's udp row (received: what entered
 * it; dropped: a full input, malformed datagrams).
 * Sends are in sock_udp_tx.c.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <pathkit/pk_path.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_stage_worker.h>
#include <pathkit/pk_thread.h>
#include <pathkit/pk_udp.h>

#include "sock_pvt.h"

static bool
udp_lazy(const struct pk_sock *s)
{
	return !(s->flags & PK_SOCK_F_EAGER);
}

static struct pk_stage *
udp_stage(struct pk_sock *s, const char *part, const char *kind,
	  const char *args)
{
	char name[PK_STAGE_NAMESIZE];

	sock_stage_name(s, part, name, sizeof(name));
	return pk_stage_create(kind, name, args, SOCKET_ID_ANY);
}

int
sock_lazy_path(struct pk_sock *s, struct pk_stage *work,
	       enum pk_acct_row acct)
{
	struct pk_path_conf conf = {
		.owner = s->owner,
		.tail = PK_PATH_TAIL_DROP,
		.flags = PK_STAGE_F_BYTES,
		.socket_id = SOCKET_ID_ANY,
		.acct = acct,
	};
	struct pk_thread_conf tc = {
		.burst = SOCK_BURST, .budget = SOCK_BURST,
		.flags = PK_THREAD_F_NONBLOCK, .socket_id = SOCKET_ID_ANY,
	};
	struct pk_stage *st[4] = { NULL };
	char name[PK_STAGE_NAMESIZE], qname[PK_STAGE_NAMESIZE];
	unsigned int n = 0, i;
	int rc = -ENOMEM;

	sock_stage_name(s, "path", name, sizeof(name));
	conf.name = name;
	tc.name = qname;
	sock_stage_name(s, "in", qname, sizeof(qname));
	st[n++] = s->inq = pk_queue_ring_create(qname, s->node->socket_queue,
						0, 0, SOCKET_ID_ANY);
	sock_stage_name(s, "thr", qname, sizeof(qname));
	s->thr = pk_thread_entry_create(&tc);
	st[n++] = s->thr != NULL ? pk_thread_stage(s->thr) : NULL;
	st[n++] = work;
	sock_stage_name(s, "out", qname, sizeof(qname));
	st[n++] = s->outq = pk_queue_local_create(qname, SOCK_BURST, 0,
						 SOCKET_ID_ANY);
	for (i = 0; i < n; i++)
		if (st[i] == NULL)
			goto fail;
	s->path = pk_path_create(&conf, st, n);
	if (s->path == NULL) {
		rc = -rte_errno;
		goto fail;
	}
	s->target = pk_path_stage(s->path);
	rc = pk_thread_start(s->thr);
	if (rc != 0) {
		pk_path_destroy(s->path);
		goto undo;
	}
	return 0;
fail:
	for (i = 0; i < n; i++)
		pk_stage_destroy(st[i]);
undo:
	s->path = NULL;
	s->target = s->inq = s->outq = NULL;
	s->thr = NULL;
	return rc;
}

static int
udp_init(struct pk_sock *s)
{
	struct pk_path_conf conf = {
		.owner = s->owner,
		.tail = PK_PATH_TAIL_DROP,
		.flags = PK_STAGE_F_BYTES,
		.socket_id = SOCKET_ID_ANY,
		.acct = PK_ACCT_UDP,
	};
	struct pk_stage *st[2] = { NULL };
	char name[PK_STAGE_NAMESIZE], qname[PK_STAGE_NAMESIZE];
	unsigned int n = 0, i;

	if (udp_lazy(s))
		return sock_lazy_path(s, udp_stage(s, "udp", "proc_udp", NULL),
				      PK_ACCT_UDP);
	sock_stage_name(s, "path", name, sizeof(name));
	conf.name = name;
	st[n++] = udp_stage(s, "udp", "proc_udp", NULL);
	sock_stage_name(s, "out", qname, sizeof(qname));
	st[n++] = s->outq = pk_queue_ring_create(qname, s->node->socket_queue,
						 0, 0, SOCKET_ID_ANY);
	for (i = 0; i < n; i++)
		if (st[i] == NULL)
			goto fail;
	s->path = pk_path_create(&conf, st, n);
	if (s->path == NULL)
		goto fail;
	s->target = pk_path_stage(s->path);
	return 0;
fail:
	for (i = 0; i < n; i++)
		pk_stage_destroy(st[i]);
	return s->path == NULL && rte_errno != 0 ? -rte_errno : -ENOMEM;
}

static void
udp_fini(struct pk_sock *s)
{
	if (s->thr != NULL)
		pk_thread_stop(s->thr);
	pk_path_destroy(s->path); /* frees what its queues hold, counted */
}

/* Datagrams ready in out, running the lazy path once if it is empty. */
static unsigned int
sock_lazy_fill(struct pk_sock *s)
{
	unsigned int k = pk_stage_len(s->outq);

	if (k > 0 || !udp_lazy(s))
		return k;
	if (pk_thread_entry_run(s->thr) > 0)
		__atomic_store_n(&s->last_lcore, rte_lcore_id(),
				 __ATOMIC_RELAXED);
	return pk_stage_len(s->outq);
}

static uint64_t
udp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * Wait until a datagram is ready: 0, or -EAGAIN when wait_us passes. The
 * reader sleeps on the queue where datagrams arrive (lazy: in; eager: out).
 */
int
sock_lazy_wait(struct pk_sock *s, uint32_t wait_us)
{
	uint64_t end = 0, now;
	struct pk_stage *q = udp_lazy(s) ? s->inq : s->outq;

	if (sock_lazy_fill(s) > 0)
		return 0;
	if (wait_us == 0)
		return -EAGAIN;
	if (wait_us != UINT32_MAX)
		end = udp_now_us() + wait_us;
	for (;;) {
		uint32_t slice = 1000000;

		if (end != 0) {
			now = udp_now_us();
			if (now >= end)
				return -EAGAIN;
			if (end - now < slice)
				slice = end - now;
		}
		pk_queue_wait(q, NULL, slice);
		if (sock_lazy_fill(s) > 0)
			return 0;
	}
}

static ssize_t
udp_recvfrom(struct pk_sock *s, void *buf, size_t len, int flags,
	     struct sockaddr *addr, socklen_t *alen)
{
	struct sockaddr_storage from;
	struct rte_mbuf *m;
	int rc = sock_lazy_wait(s, sock_wait_us(s, flags));
	int copied;

	if (rc != 0)
		return rc;
	if (pk_stage_pull(s->outq, &m, 1) != 1)
		return -EAGAIN;
	sock_count_rx(s, &m, 1);
	/* only a caller who asks who sent it can answer: learn the sender's
	 * next hop then (a plain recv pays for no address) */
	if (addr != NULL && pk_udp_peer(m, &from, NULL) == 0) {
		socklen_t l = sock_addr_len(s->domain);

		sock_learn_peer(s, m, &from,
				m->l2_len + m->l3_len + m->l4_len);
		memcpy(addr, &from, RTE_MIN(*alen, l));
		*alen = l;
	}
	copied = pk_udp_copyout(m, buf, len);
	rte_pktmbuf_free(m);
	return copied;
}

static int
udp_recv_burst(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t max,
	       int flags)
{
	int rc = sock_lazy_wait(s, sock_wait_us(s, flags));
	struct sockaddr_storage from;
	uint16_t k;

	if (rc != 0)
		return rc;
	k = pk_stage_pull(s->outq, pkts, max);
	sock_count_rx(s, pkts, k);
	if (k == 0)
		return -EAGAIN;
	/* the last sender's next hop, for a reply (one look per burst) */
	if (pk_udp_peer(pkts[k - 1], &from, NULL) == 0)
		sock_learn_peer(s, pkts[k - 1], &from,
				pkts[k - 1]->l2_len + pkts[k - 1]->l3_len +
				pkts[k - 1]->l4_len);
	return k;
}

static int
udp_connect(struct pk_sock *s, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage self;
	struct pk_flow_key key;
	int rc;

	RTE_SET_USED(len);
	rc = sock_self(s, &self);
	if (rc != 0)
		return rc;
	/* from now on only the peer's datagrams: an active key only */
	sock_key_of(s, (const struct sockaddr *)&self, addr, &key);
	sock_keys_del(s);
	rc = sock_key_add(s, &key);
	if (rc != 0)
		return rc;
	memset(&s->remote, 0, sizeof(s->remote));
	memcpy(&s->remote, addr, sock_addr_len(s->domain));
	s->connected = true;
	return 0;
}

short
sock_lazy_ready(struct pk_sock *s, short events)
{
	short r = events & POLLOUT;

	if ((events & POLLIN) &&
	    (pk_stage_len(s->outq) > 0 ||
	     (udp_lazy(s) && pk_stage_len(s->inq) > 0)))
		r |= POLLIN;
	return r;
}

struct pk_stage *
sock_lazy_wait_queue(struct pk_sock *s)
{
	return udp_lazy(s) ? s->inq : s->outq;
}

const struct sock_proto sock_udp_proto = {
	.row = PK_ACCT_UDP,
	.init = udp_init,
	.connect = udp_connect,
	.sendto = sock_udp_sendto,
	.recvfrom = udp_recvfrom,
	.recv_burst = udp_recv_burst,
	.send_burst = sock_udp_send_burst,
	.ready = sock_lazy_ready,
	.wait_queue = sock_lazy_wait_queue,
	.fini = udp_fini,
};
