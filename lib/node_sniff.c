/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sniffers' copies (pk_sock.h, PK_SOCK_SNIFF), made by the node's thread in
 * its round: of what leaves (the kernel's frames and the sockets') just
 * before the uplink sends it, and of what arrives before the demux sees it.
 *
 * A sniffer is a demux target under a key of its own: the passive wildcard
 * key of (protocol, local port) marked PK_FLOW_F_SNIFF_OUT or _IN, which
 * no packet's parse ever gives. A frame's port is its local one: the
 * destination port of an incoming frame, the source port of an outgoing
 * one (pk_flow_parse() calls the destination "local"); an ICMP error
 * counts as the port of the packet it quotes. Before that lookup a bit per
 * (family, protocol, port) says whether the port has a sniffer at all, so
 * the other ports' frames cost a parse and a bit test. The demux's RCU
 * keeps a sniffer alive while a round copies for it (the round's thread is
 * the demux's reader), as it keeps every socket.
 *
 * Copies are deep (rte_pktmbuf_copy() from the node's pool): nothing a
 * later stage or the sniffer's reader does shows on the other side. The
 * sniffer's path takes every copy (its full queue drops and counts them,
 * PK_PATH_TAIL_DROP); a copy the pool cannot give is counted in the node's
 * sniff_lost and never retried.
 *
 * Whose a packet is must be asked when it goes by: the reader's check
 * (sock_raw.c) sees the port as it is when the copy is read, and another
 * owner may have come and gone by then. So a copy of a packet that a path
 * of another owner than the sniffer's (a socket, a kernel port) takes or
 * sent, found by the packet's own key as the egress shim finds it, is
 * marked foreign (node_sniff_foreign()), and the reader drops it as policy.
 * A packet no path claims (the port free or between sockets) is left to
 * the reader's check.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_flow.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_stage_worker.h>

#include "node_pvt.h"

#define SNIFF_BURST 32

/* The mark of a copy of another owner's packet; 0 until the first
 * sniffer's bind registers it. */
static uint64_t sniff_foreign_flag;

int
node_sniff_init(void)
{
	static const struct rte_mbuf_dynflag desc = {
		.name = "pk_sniff_foreign",
	};
	int bit = rte_mbuf_dynflag_register(&desc); /* the same bit again */

	if (bit < 0)
		return -rte_errno;
	__atomic_store_n(&sniff_foreign_flag, UINT64_C(1) << bit,
			 __ATOMIC_RELEASE);
	return 0;
}

uint64_t
node_sniff_foreign(void)
{
	return __atomic_load_n(&sniff_foreign_flag, __ATOMIC_ACQUIRE);
}

static inline uint32_t
sniff_bit(unsigned int v6, unsigned int tcp, uint16_t port)
{
	return (v6 << 17) | (tcp << 16) | port;
}

void
node_sniff_mark(struct pk_node *n, int family, uint8_t proto, uint16_t port,
		enum node_sniff_dir dir, bool on)
{
	uint32_t bit = sniff_bit(family == AF_INET6, proto == IPPROTO_TCP, port);
	uint64_t mask = UINT64_C(1) << (bit % 64);

	/* one sniffer per (family, protocol, port) and direction: the bit
	 * stays while either direction's sniffer is there */
	if (on) {
		__atomic_fetch_or(&n->sniff_map[bit / 64], mask,
				  __ATOMIC_RELAXED);
		__atomic_fetch_add(&n->nb_sniff[dir], 1, __ATOMIC_RELEASE);
		return;
	}
	__atomic_fetch_sub(&n->nb_sniff[dir], 1, __ATOMIC_RELEASE);
	if (dir == NODE_SNIFF_OUT) /* a sniffer always has its out key */
		__atomic_fetch_and(&n->sniff_map[bit / 64], ~mask,
				   __ATOMIC_RELAXED);
}

/* The owner of the path demux target t is, or is inside; false if none. */
static bool
sniff_owner(struct pk_stage *t, uint32_t *owner)
{
	struct pk_path *p = pk_path_from_stage(t);

	if (p == NULL && t->parent != NULL)
		p = pk_path_from_stage(t->parent);
	if (p != NULL)
		*owner = pk_path_owner(p);
	return p != NULL;
}

/*
 * Whether the packet of key k (parsed, going dir) is a path's of another
 * owner than sniffer t's: its key turned round if it leaves, an ICMP
 * error's unmarked (the port's consumer, not its error socket).
 */
static bool
sniff_foreign_pkt(struct pk_node *n, struct pk_stage *t,
		  const struct pk_flow_key *k, enum node_sniff_dir dir)
{
	struct pk_flow_key key = *k;
	uint32_t mine, theirs;
	struct pk_stage *o;

	if (dir == NODE_SNIFF_OUT) {
		memcpy(key.laddr, k->raddr, sizeof(key.laddr));
		memcpy(key.raddr, k->laddr, sizeof(key.raddr));
		key.lport = k->rport;
		key.rport = k->lport;
	}
	key.pad = 0;
	o = pk_demux_flow_resolve(n->demux, &key);
	return o != NULL && sniff_owner(o, &theirs) && sniff_owner(t, &mine) &&
	       theirs != mine;
}

/*
 * The sniffer of m going dir, or NULL: m's local port (see the top), its
 * bit, then the sniffer's key. *foreign: whether m is another owner's.
 */
static struct pk_stage *
sniff_target(struct pk_node *n, const struct rte_mbuf *m,
	     enum node_sniff_dir dir, bool *foreign)
{
	struct pk_flow_key k, key;
	struct pk_stage *t;
	rte_be16_t port;
	uint32_t bit;

	if (pk_flow_parse(m, &k) != PK_FLOW_OK ||
	    (k.proto != IPPROTO_UDP && k.proto != IPPROTO_TCP))
		return NULL;
	port = dir == NODE_SNIFF_OUT ? k.rport : k.lport;
	bit = sniff_bit(k.family == PK_FLOW_IPV6, k.proto == IPPROTO_TCP,
			rte_be_to_cpu_16(port));
	if (!(__atomic_load_n(&n->sniff_map[bit / 64], __ATOMIC_RELAXED) &
	      (UINT64_C(1) << (bit % 64))))
		return NULL;
	memset(&key, 0, sizeof(key));
	key.family = k.family;
	key.proto = k.proto;
	key.lport = port;
	key.pad = dir == NODE_SNIFF_OUT ? PK_FLOW_F_SNIFF_OUT :
					  PK_FLOW_F_SNIFF_IN;
	t = pk_demux_flow_resolve(n->demux, &key);
	*foreign = t != NULL && sniff_foreign_pkt(n, t, &k, dir);
	return t;
}

/* Hand copies[0..nc) to sniffer t; what it refuses is lost. */
static void
sniff_give(struct pk_node *n, struct pk_stage *t, struct rte_mbuf **copies,
	   uint16_t nc)
{
	uint16_t took = pk_stage_push(t, copies, nc);

	pk_counter_add(&n->st.sniffed, took);
	if (unlikely(took < nc)) {
		rte_pktmbuf_free_bulk(&copies[took], nc - took);
		pk_counter_add(&n->st.sniff_lost, nc - took);
	}
}

void
node_sniff_copy(struct pk_node *n, struct rte_mbuf **pkts, uint16_t nb,
		enum node_sniff_dir dir)
{
	struct rte_mbuf *copies[SNIFF_BURST];
	struct pk_stage *cur = NULL, *t;
	uint16_t i, nc = 0;
	uint64_t lost = 0;
	bool foreign;

	for (i = 0; i < nb; i++) {
		t = sniff_target(n, pkts[i], dir, &foreign);
		if (t == NULL)
			continue;
		if (nc != 0 && (t != cur || nc == SNIFF_BURST)) {
			sniff_give(n, cur, copies, nc);
			nc = 0;
		}
		cur = t;
		copies[nc] = rte_pktmbuf_copy(pkts[i], n->mp, 0, UINT32_MAX);
		if (unlikely(copies[nc] == NULL)) {
			lost++;
			continue;
		}
		if (unlikely(foreign)) /* counted when its reader drops it */
			copies[nc]->ol_flags |= node_sniff_foreign();
		nc++;
	}
	if (nc != 0)
		sniff_give(n, cur, copies, nc);
	if (lost != 0)
		pk_counter_add(&n->st.sniff_lost, lost);
}
