/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-fwd forwarding modes: what each mode puts between a stream's thread and
 * its TX queue, and the start functions of the modes that generate traffic.
 *   io       rx -> thread -> tx
 *   io+flows rx -> thread -> demux_flow --key i--> path[proc_noop] -> batch
 *                                       \--miss--------------------> batch
 *            (the thread sends the batch to tx after each burst)
 *   mac      rx -> thread -> proc_ether(src=tx port, dst=peer) -> tx
 *   macswap  rx -> thread -> proc_macswap -> tx
 *   rxonly   rx -> thread -> fwd_sink (frees, counted "policy")
 *   txonly   thread(generates UDP frames) -> tx
 *   flowgen  rx -> thread(frees what it pulls, generates flows) -> tx
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <pathkit/pk_stage_driver.h>

#include "pk_fwd.h"

/*
 * Bursts per run of a stream's thread: enough to make the runner's decision
 * (two TSC reads, a heap sift) cheap per packet, few enough that the other
 * streams of the lcore wait little (64 bursts of 32 are ~30 us at 60 Mpps).
 */
#define FWD_RUN_BURSTS 64

uint32_t
fwd_flow_dst(uint32_t i)
{
	return RTE_IPV4(10, 253, 0, 0) + i;
}

/* rxonly: every packet is consumed here, by policy. */
static uint16_t
fwd_sink_burst(struct pk_stage *s, struct pk_stage_counters *c,
	       struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	RTE_SET_USED(s);
	RTE_SET_USED(arg);
	rte_pktmbuf_free_bulk(pkts, n);
	pk_stage_count_drop(c, PK_DROP_POLICY, n);
	return 0;
}

/* The Ethernet + IPv4 + UDP header of generated frames (testpmd's txonly). */
static void
fwd_gen_template(struct fwd_stream *fs)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)fs->tmpl;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t len = fwd_conf.txpkts;

	rte_eth_macaddr_get(fs->tx_port, &eh->src_addr);
	eh->dst_addr = fwd_conf.peer[fs->tx_port];
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eh));
	ip->src_addr = rte_cpu_to_be_32(FWD_FLOW_SRC);
	ip->dst_addr = rte_cpu_to_be_32(fwd_flow_dst(0));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(FWD_FLOW_PORT);
	udp->dst_port = rte_cpu_to_be_16(FWD_FLOW_PORT);
	udp->dgram_len = rte_cpu_to_be_16(len - sizeof(*eh) - sizeof(*ip));
	fs->tmpl_len = sizeof(*eh) + sizeof(*ip) + sizeof(*udp);
	fs->pkt_len = len;
}

/* Fill a generated frame; flowgen walks the destination over its flows. */
static inline void
fwd_gen_fill(struct fwd_stream *fs, struct rte_mbuf *m, bool flows)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip;

	memcpy(d, fs->tmpl, fs->tmpl_len);
	memset(d + fs->tmpl_len, 0, fs->pkt_len - fs->tmpl_len);
	m->data_len = fs->pkt_len;
	m->pkt_len = fs->pkt_len;
	if (flows) {
		ip = (struct rte_ipv4_hdr *)(d + sizeof(struct rte_ether_hdr));
		ip->dst_addr = rte_cpu_to_be_32(fwd_flow_dst(fs->next_flow));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (++fs->next_flow == fs->nb_flows)
			fs->next_flow = 0;
	}
}

/* txonly and flowgen: one run sends one burst of generated frames. */
static int
fwd_gen_run(struct pk_thread *t, void *arg)
{
	struct rte_mbuf *pkts[FWD_MAX_BURST];
	struct pk_stage *s = pk_thread_stage(t);
	struct fwd_stream *fs = arg;
	bool flowgen = fwd_conf.mode == FWD_FLOWGEN;
	uint16_t n, k, i;

	if (flowgen) { /* testpmd's flowgen receives and discards */
		n = pk_stage_pull(s->prev, pkts, fwd_conf.burst);
		if (n != 0) {
			rte_pktmbuf_free_bulk(pkts, n);
			pk_stage_count_drop(&s->in, PK_DROP_POLICY, n);
		}
	}
	n = fwd_conf.burst;
	if (rte_pktmbuf_alloc_bulk(fs->mp, pkts, n) != 0)
		return 0; /* pool empty for now: the NIC will give some back */
	for (i = 0; i < n; i++)
		fwd_gen_fill(fs, pkts[i], flowgen);
	pk_counter_add(&s->in.pkts, n);
	k = pk_stage_push(s->next, pkts, n);
	pk_counter_add(&s->out.pkts, k);
	if (k != n) {
		rte_pktmbuf_free_bulk(&pkts[k], n - k);
		pk_stage_count_drop(&s->out, PK_DROP_FULL, n - k);
	}
	return n;
}

/*
 * fwd_batch: where the per-flow paths of a demux stream end. push keeps the
 * packets (up to one burst: the most a thread pushes into the demux at
 * once); the stream's thread then sends them to TX in one burst, so that
 * 1K flows cost one TX call per burst rather than one per packet.
 */
struct fwd_batch {
	struct pk_stage stage;
	uint16_t n;
	struct rte_mbuf *pkts[FWD_MAX_BURST];
};

static __rte_noinline uint16_t
fwd_batch_push_burst(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct fwd_batch *b = (struct fwd_batch *)s;
	uint16_t k = RTE_MIN(n, (uint16_t)(FWD_MAX_BURST - b->n));

	memcpy(&b->pkts[b->n], pkts, k * sizeof(*pkts));
	b->n += k;
	pk_counter_add(&s->in.pkts, k);
	if (unlikely(k != n))
		pk_stage_count_drop(&s->in, PK_DROP_FULL, n - k);
	return k;
}

/* A per-flow path's lone packet, most often: a store, no call. */
static uint16_t
fwd_batch_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct fwd_batch *b = (struct fwd_batch *)s;

	if (likely(n == 1 && b->n < FWD_MAX_BURST)) {
		b->pkts[b->n++] = pkts[0];
		pk_counter_add(&s->in.pkts, 1);
		return 1;
	}
	return fwd_batch_push_burst(s, pkts, n);
}

static void
fwd_batch_destroy(struct pk_stage *s)
{
	struct fwd_batch *b = (struct fwd_batch *)s;

	rte_pktmbuf_free_bulk(b->pkts, b->n);
	pk_stage_free(s);
}

static const struct pk_stage_ops fwd_batch_ops = {
	.kind = "fwd_batch",
	.push = fwd_batch_push,
	.destroy = fwd_batch_destroy,
	.caps = PK_STAGE_CAP_PUSH,
};

/* Send what the per-flow paths left in the batch; free what TX refused. */
static inline void
fwd_batch_flush(struct fwd_stream *fs)
{
	struct fwd_batch *b = (struct fwd_batch *)fs->batch;
	uint16_t k;

	if (b->n == 0)
		return;
	k = pk_stage_push(fs->tx, b->pkts, b->n);
	pk_counter_add(&b->stage.out.pkts, k);
	if (unlikely(k != b->n))
		rte_pktmbuf_free_bulk(&b->pkts[k], b->n - k); /* TX counted */
	b->n = 0;
}

/* io with a demux: the default run, then the batch to TX after each burst. */
static int
fwd_demux_run(struct pk_thread *t, void *arg)
{
	struct rte_mbuf *pkts[FWD_MAX_BURST];
	struct pk_stage *s = pk_thread_stage(t);
	struct fwd_stream *fs = arg;
	uint64_t total = 0, refused = 0;
	uint16_t n, k;

	do {
		n = pk_stage_pull(s->prev, pkts, fwd_conf.burst);
		if (n == 0)
			break;
		k = pk_stage_push(s->next, pkts, n);
		if (unlikely(k != n)) {
			rte_pktmbuf_free_bulk(&pkts[k], n - k);
			refused += n - k;
		}
		fwd_batch_flush(fs);
		total += n;
	} while (total < FWD_RUN_BURSTS * fwd_conf.burst && n == fwd_conf.burst);
	if (total != 0) {
		pk_counter_add(&s->in.pkts, total);
		pk_counter_add(&s->out.pkts, total - refused);
		if (refused != 0)
			pk_stage_count_drop(&s->out, PK_DROP_FULL, refused);
	}
	return (int)total;
}

static struct pk_stage *
fwd_thread_create(struct fwd_stream *fs, unsigned int idx)
{
	struct pk_thread_conf tc = { .burst = fwd_conf.burst,
				     .budget = FWD_RUN_BURSTS * fwd_conf.burst,
				     .socket_id = SOCKET_ID_ANY };
	char name[PK_STAGE_NAMESIZE];

	snprintf(name, sizeof(name), "thread%u", idx);
	tc.name = name;
	if (fwd_conf.mode == FWD_TXONLY || fwd_conf.mode == FWD_FLOWGEN) {
		tc.fn = fwd_gen_run;
		tc.arg = fs;
	} else if (fs->batch != NULL) {
		tc.fn = fwd_demux_run;
		tc.arg = fs;
	}
	fs->thread = pk_thread_continuation_create(&tc, fs->runner);
	return pk_thread_stage(fs->thread);
}

/* The mode's processing stage, if it has one; *none says it has none. */
static struct pk_stage *
fwd_proc_create(struct fwd_stream *fs, unsigned int idx, bool *none)
{
	char name[PK_STAGE_NAMESIZE];
	struct rte_ether_addr src;

	*none = false;
	switch (fwd_conf.mode) {
	case FWD_MAC:
		snprintf(name, sizeof(name), "mac%u", idx);
		rte_eth_macaddr_get(fs->tx_port, &src);
		return pk_proc_ether_create(name, &src,
					    &fwd_conf.peer[fs->tx_port], 0,
					    SOCKET_ID_ANY);
	case FWD_MACSWAP:
		snprintf(name, sizeof(name), "macswap%u", idx);
		return pk_stage_create("proc_macswap", name, NULL,
				       SOCKET_ID_ANY);
	case FWD_RXONLY:
		snprintf(name, sizeof(name), "rxonly%u", idx);
		return pk_proc_create(name, fwd_sink_burst, NULL, 0,
				      SOCKET_ID_ANY);
	default:
		*none = true;
		return NULL;
	}
}

/* io with --flows: a demux whose keys lead to per-flow paths into tx. */
static struct pk_stage *
fwd_demux_create(struct fwd_stream *fs, unsigned int idx)
{
	struct pk_demux_conf dc = { .capacity = fwd_conf.flows,
				    .socket_id = SOCKET_ID_ANY,
				    .miss = fs->batch };
	struct pk_path_conf pc = { .tail = PK_PATH_TAIL_RETURN,
				   .socket_id = SOCKET_ID_ANY };
	char name[PK_STAGE_NAMESIZE], pname[PK_STAGE_NAMESIZE];
	struct pk_flow_key key;
	struct pk_stage *d, *noop;
	uint32_t i;

	snprintf(name, sizeof(name), "demux%u", idx);
	dc.name = name;
	d = pk_demux_flow_create(&dc);
	fs->flow_paths = calloc(fwd_conf.flows, sizeof(*fs->flow_paths));
	if (d == NULL || fs->flow_paths == NULL)
		goto fail;
	for (i = 0; i < fwd_conf.flows; i++, fs->nb_flows++) {
		snprintf(name, sizeof(name), "noop%u.%u", idx, i);
		snprintf(pname, sizeof(pname), "flow%u.%u", idx, i);
		pc.name = pname;
		pc.owner = i;
		noop = pk_stage_create("proc_noop", name, NULL, SOCKET_ID_ANY);
		if (noop == NULL)
			goto fail;
		fs->flow_paths[i] = pk_path_create(&pc, &noop, 1);
		if (fs->flow_paths[i] == NULL) {
			pk_stage_destroy(noop);
			goto fail;
		}
		pk_stage_link(pk_path_stage(fs->flow_paths[i]), fs->batch);
		/* local = the packet's destination, as a socket sees it */
		pk_flow_key_ipv4(&key, IPPROTO_UDP,
				 rte_cpu_to_be_32(fwd_flow_dst(i)),
				 rte_cpu_to_be_16(FWD_FLOW_PORT),
				 rte_cpu_to_be_32(FWD_FLOW_SRC),
				 rte_cpu_to_be_16(FWD_FLOW_PORT));
		if (pk_demux_flow_add(d, &key,
				      pk_path_stage(fs->flow_paths[i])) != 0)
			goto fail;
	}
	return d;
fail:
	pk_stage_destroy(d);
	return NULL;
}

int
fwd_stream_build(struct fwd_stream *fs, struct rte_mempool *mp,
		 unsigned int idx)
{
	/* nobody pushes into it (pk_fwd.h): no tail policy to choose */
	struct pk_path_conf pc = { .owner = idx, .tail = PK_PATH_TAIL_RETURN,
				   .socket_id = SOCKET_ID_ANY };
	struct pk_stage *st[4];
	char name[PK_STAGE_NAMESIZE];
	unsigned int n = 0, i;
	bool no_proc, demux = fwd_conf.mode == FWD_IO && fwd_conf.flows != 0;

	fs->mp = mp;
	fs->nb_flows = 0;
	if (demux) {
		snprintf(name, sizeof(name), "batch%u", idx);
		fs->batch = pk_stage_alloc(sizeof(struct fwd_batch),
					   &fwd_batch_ops, name, 0,
					   SOCKET_ID_ANY);
		if (fs->batch == NULL)
			return -ENOMEM;
	}
	if (fwd_conf.mode != FWD_TXONLY) {
		snprintf(name, sizeof(name), "rx%u.%u", fs->rx_port,
			 fs->rx_queue);
		fs->rx = pk_port_rx_create(name, fs->rx_port, fs->rx_queue, 0);
		st[n++] = fs->rx;
	}
	st[n++] = fwd_thread_create(fs, idx);
	if (fwd_conf.mode != FWD_RXONLY) {
		snprintf(name, sizeof(name), "tx%u.%u", fs->tx_port,
			 fs->tx_queue);
		fs->tx = pk_port_tx_create(name, fs->tx_port, fs->tx_queue, 0);
	}
	if (demux) {
		fs->tx_shared = true;
		st[n++] = fs->tx != NULL ? fwd_demux_create(fs, idx) : NULL;
	} else {
		st[n] = fwd_proc_create(fs, idx, &no_proc);
		if (!no_proc)
			n++;
		if (fwd_conf.mode != FWD_RXONLY)
			st[n++] = fs->tx;
	}
	if (fwd_conf.mode == FWD_TXONLY || fwd_conf.mode == FWD_FLOWGEN) {
		fs->nb_flows = fwd_conf.flows != 0 ? fwd_conf.flows : 1024;
		fwd_gen_template(fs);
	}
	for (i = 0; i < n; i++)
		if (st[i] == NULL)
			goto fail;
	snprintf(name, sizeof(name), "stream%u", idx);
	pc.name = name;
	fs->path = pk_path_create(&pc, st, n);
	if (fs->path == NULL)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "stream %u (port %u queue %u -> port %u queue %u): "
		"cannot build its path: %s\n", idx, fs->rx_port, fs->rx_queue,
		fs->tx_port, fs->tx_queue, rte_strerror(rte_errno));
	for (i = 0; i < n; i++)
		if (st[i] != fs->tx)
			pk_stage_destroy(st[i]);
	fs->thread = NULL;
	fs->rx = NULL;
	fs->tx_shared = true; /* in no path: fwd_stream_destroy() frees it */
	fwd_stream_destroy(fs);
	return -EINVAL;
}

void
fwd_stream_destroy(struct fwd_stream *fs)
{
	uint32_t i;

	pk_thread_stop(fs->thread);
	pk_path_destroy(fs->path); /* a demux does not own its targets */
	fs->path = NULL;
	fs->thread = NULL;
	fs->rx = NULL;
	for (i = 0; i < fs->nb_flows && fs->flow_paths != NULL; i++)
		pk_path_destroy(fs->flow_paths[i]);
	free(fs->flow_paths);
	fs->flow_paths = NULL;
	fs->nb_flows = 0;
	if (fs->tx_shared) /* otherwise the path destroyed it */
		pk_stage_destroy(fs->tx);
	fs->tx = NULL;
	pk_stage_destroy(fs->batch);
	fs->batch = NULL;
}
