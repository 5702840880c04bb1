/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node's round (pk_node_run): the ingress shim, then the egress shim.
 *
 * Ingress: one uplink RX burst into [reassembly ->] the root demux. What the
 * demux delivered is read off its counters (single writer: this thread):
 * its out is what sockets and the exception stage took, the exception
 * stage's in what went to the kernel, so stolen = demux out - exception in.
 * What the demux gives back (a target refused it, or no exception stage) is
 * looked up again to say whose it was: a socket's is "full" and dropped on
 * that owner, the rest "exception" and dropped on unknown/misc. Malformed
 * frames (and fragments reassembly gave up on) are dropped on unknown/misc;
 * what reached the kernel is received by unknown/misc.
 *
 * Egress: the kernel's frames (every TAP RX queue) are charged as sent to
 * the owner of the socket whose key their flow, turned round, matches (its
 * path's owner, row by protocol), else to unknown/misc, once per run of
 * one (owner, row); then transmitted. The egress queue's frames were
 * charged by the sockets that sent them. Both leave on uplink TX queue 0,
 * retried NODE_TX_TRIES times within the round, then freed as tx_dropped.
 *
 * RCU: the round's thread is reader NODE_READER of the root demux, online
 * only during a round: between rounds (and while the thread that runs
 * rounds closes a socket itself) a writer's synchronize does not wait for it.
 */
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_stage_worker.h>

#include "node_pvt.h"

#define NODE_BURST 32
#define NODE_TX_TRIES 4
#define NODE_EGRESS_BURSTS 8 /* egress queue bursts at most per round */

/* One run of charges to the same (owner, row, column). */
struct node_bill {
	uint32_t owner;
	enum pk_acct_row row;
	enum pk_acct_col col;
	uint64_t pkts;
	uint64_t bytes;
};

static void
node_bill_flush(struct node_bill *b)
{
	if (b->pkts != 0)
		pk_owner_charge(b->owner, b->row, b->col, b->pkts, b->bytes);
	b->pkts = 0;
	b->bytes = 0;
}

static inline void
node_bill_add(struct node_bill *b, uint32_t owner, enum pk_acct_row row,
	      uint32_t len)
{
	if (b->pkts != 0 && (owner != b->owner || row != b->row))
		node_bill_flush(b);
	b->owner = owner;
	b->row = row;
	b->pkts++;
	b->bytes += len;
}

/*
 * Whose packet m is: the owner of the path its socket key leads to (for an
 * outgoing packet, the parsed key turned round), row by protocol. Returns
 * true if a key matched (even one whose target is not a path); the owner
 * is unknown and the row misc when nothing tells.
 */
static bool
node_owner_of(struct pk_node *n, const struct rte_mbuf *m, bool outgoing,
	      uint32_t *owner, enum pk_acct_row *row)
{
	struct pk_flow_key k, key;
	struct pk_stage *t;
	struct pk_path *p;

	*owner = PK_OWNER_UNKNOWN;
	*row = PK_ACCT_MISC;
	if (pk_flow_parse(m, &k) != PK_FLOW_OK)
		return false;
	key = k;
	if (outgoing) {
		memcpy(key.laddr, k.raddr, sizeof(key.laddr));
		memcpy(key.raddr, k.laddr, sizeof(key.raddr));
		key.lport = k.rport;
		key.rport = k.lport;
	}
	t = pk_demux_flow_resolve(n->demux, &key);
	if (t == NULL)
		return false;
	p = pk_path_from_stage(t);
	if (p == NULL && t->parent != NULL) /* a stage inside a socket path */
		p = pk_path_from_stage(t->parent);
	if (p != NULL) {
		*owner = pk_path_owner(p);
		*row = pk_acct_row_of(k.proto, 0);
	}
	return true;
}

static void
node_tx(struct pk_node *n, struct rte_mbuf **pkts, uint16_t nb)
{
	uint16_t sent = 0, tries;

	for (tries = 0; tries < NODE_TX_TRIES && sent < nb; tries++)
		sent += rte_eth_tx_burst(n->uplink, 0, &pkts[sent], nb - sent);
	pk_counter_add(&n->st.tx, sent);
	if (unlikely(sent < nb)) {
		rte_pktmbuf_free_bulk(&pkts[sent], nb - sent);
		pk_counter_add(&n->st.tx_dropped, nb - sent);
	}
}

/* Copies of what leaves, for the sniffers, when the node has any. */
static inline void
node_sniff_out(struct pk_node *n, struct rte_mbuf **pkts, uint16_t nb)
{
	if (unlikely(__atomic_load_n(&n->nb_sniff[NODE_SNIFF_OUT],
				     __ATOMIC_RELAXED) != 0))
		node_sniff_copy(n, pkts, nb, NODE_SNIFF_OUT);
}

/* What the demux gave back: a socket's refusal ("full") or a miss. */
static void
node_ingress_back(struct pk_node *n, struct rte_mbuf **pkts, uint16_t k)
{
	struct node_bill b = { .col = PK_ACCT_DROPPED };
	enum pk_acct_row row;
	uint64_t full = 0;
	uint32_t owner;
	uint16_t i;

	for (i = 0; i < k; i++) {
		full += node_owner_of(n, pkts[i], false, &owner, &row);
		node_bill_add(&b, owner, row, pkts[i]->pkt_len);
	}
	node_bill_flush(&b);
	rte_pktmbuf_free_bulk(pkts, k);
	pk_counter_add(&n->st.full, full);
	pk_counter_add(&n->st.exception, k - full);
}

/* Read what the demux, the exception stage and reassembly did this round. */
static void
node_ingress_tally(struct pk_node *n)
{
	const struct pk_stage *d = n->demux, *x = n->exc, *r = n->reasm;
	uint64_t out = d->out.pkts, exc = 0, exc_b = 0, mal, reasm = 0;
	uint64_t in_b = d->in.bytes, out_b = d->out.bytes, mal_b;

	if (x != NULL) {
		exc = x->in.pkts;
		exc_b = x->in.bytes;
	}
	if (r != NULL)
		reasm = r->in.drops[PK_DROP_MALFORMED] +
			r->in.drops[PK_DROP_FRAGMENT];
	mal = d->in.drops[PK_DROP_MALFORMED];
	/* the demux's in counts what it took, malformed included; out, what
	 * it handed on: in bytes - out bytes are the malformed ones' */
	mal_b = (in_b - n->seen_demux_in_bytes) -
		(out_b - n->seen_demux_out_bytes);
	pk_counter_add(&n->st.stolen,
		       (out - n->seen_demux_out) - (exc - n->seen_exc_pkts));
	pk_counter_add(&n->st.exception, exc - n->seen_exc_pkts);
	pk_counter_add(&n->st.malformed,
		       (mal - n->seen_malformed) + (reasm - n->seen_reasm));
	if (exc != n->seen_exc_pkts)
		pk_owner_charge(PK_OWNER_UNKNOWN, PK_ACCT_MISC,
				PK_ACCT_RECEIVED, exc - n->seen_exc_pkts,
				exc_b - n->seen_exc_bytes);
	if (mal != n->seen_malformed || reasm != n->seen_reasm)
		pk_owner_charge(PK_OWNER_UNKNOWN, PK_ACCT_MISC,
				PK_ACCT_DROPPED,
				(mal - n->seen_malformed) +
				(reasm - n->seen_reasm), mal_b);
	n->seen_demux_out = out;
	n->seen_demux_in_bytes = in_b;
	n->seen_demux_out_bytes = out_b;
	n->seen_malformed = mal;
	n->seen_exc_pkts = exc;
	n->seen_exc_bytes = exc_b;
	n->seen_reasm = reasm;
}

static uint16_t
node_ingress(struct pk_node *n)
{
	struct rte_mbuf *pkts[NODE_BURST];
	uint16_t nb, taken;

	nb = rte_eth_rx_burst(n->uplink, 0, pkts, NODE_BURST);
	if (nb == 0)
		return 0;
	pk_counter_add(&n->st.rx, nb);
	if (unlikely(__atomic_load_n(&n->nb_sniff[NODE_SNIFF_IN],
				     __ATOMIC_RELAXED) != 0))
		node_sniff_copy(n, pkts, nb, NODE_SNIFF_IN);
	taken = pk_stage_push(n->reasm != NULL ? n->reasm : n->demux, pkts,
			      nb);
	if (taken != nb)
		node_ingress_back(n, &pkts[taken], nb - taken);
	node_ingress_tally(n);
	return nb;
}

/* The kernel's frames: charged to their socket's owner, then sent. */
static uint16_t
node_tap_egress(struct pk_node *n)
{
	struct rte_mbuf *pkts[NODE_BURST];
	struct node_bill b = { .col = PK_ACCT_SENT };
	enum pk_acct_row row;
	uint16_t q, i, nb, moved = 0;
	uint32_t owner;

	if (n->tap == UINT16_MAX)
		return 0;
	for (q = 0; q < NODE_TAP_QUEUES; q++) {
		nb = rte_eth_rx_burst(n->tap, q, pkts, NODE_BURST);
		if (nb == 0)
			continue;
		for (i = 0; i < nb; i++) {
			node_owner_of(n, pkts[i], true, &owner, &row);
			node_bill_add(&b, owner, row, pkts[i]->pkt_len);
		}
		node_bill_flush(&b);
		pk_counter_add(&n->st.tap_rx, nb);
		node_sniff_out(n, pkts, nb);
		node_tx(n, pkts, nb);
		moved += nb;
	}
	return moved;
}

/* What sockets sent (charged by them already). */
static uint16_t
node_egress_drain(struct pk_node *n)
{
	struct rte_mbuf *pkts[NODE_BURST];
	uint16_t nb, moved = 0;
	unsigned int i;

	for (i = 0; i < NODE_EGRESS_BURSTS; i++) {
		nb = pk_stage_pull(n->egress, pkts, NODE_BURST);
		if (nb == 0)
			break;
		pk_counter_add(&n->st.egress, nb);
		node_sniff_out(n, pkts, nb);
		node_tx(n, pkts, nb);
		moved += nb;
		if (nb < NODE_BURST)
			break;
	}
	return moved;
}

int
pk_node_run(struct pk_node *n)
{
	struct rte_rcu_qsbr *q;
	int moved;

	if (n == NULL || n->demux == NULL)
		return -EINVAL;
	if (n->lcore != RTE_MAX_LCORE && rte_lcore_id() != n->lcore)
		return -EBUSY; /* its lcore runs the rounds */
	q = pk_demux_flow_qsbr(n->demux);
	if (!n->reader) {
		if (pk_demux_flow_reader_register(n->demux, NODE_READER) != 0)
			return -EINVAL;
		n->reader = 1;
	} else {
		rte_rcu_qsbr_thread_online(q, NODE_READER);
	}
	moved = node_ingress(n);
	moved += node_tap_egress(n);
	moved += node_egress_drain(n);
	rte_rcu_qsbr_thread_offline(q, NODE_READER);
	return moved;
}

uint16_t
node_egress_push(struct pk_node *n, struct rte_mbuf **pkts, uint16_t k)
{
	return pk_stage_push(n->egress, pkts, k);
}
