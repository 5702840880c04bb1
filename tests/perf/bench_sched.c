/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_sched: PktSched policies against DPDK's rte_sched, in the same run.
 *
 * sched.<policy>.q16|q1k|q32k (wfq, wf2q, drr): one lcore keeps N queues
 *   backlogged with 64-byte packets (internal FIFOs of 16) and loops: pull a
 *   burst of 32 from the scheduler, push the same packets back (the default
 *   classifier reads m->hash.sched.queue_id, as rte_sched does). Value:
 *   Mpps of enqueue+dequeue pairs. Baseline: rte_sched with the same number
 *   of backlogged queues, the same packets and loop (rte_sched_port_dequeue
 *   then rte_sched_port_enqueue, burst 32). rte_sched serves its 12 strict-
 *   priority classes first, which would leave most queues idle, so all
 *   load goes to the best-effort class: N/4 pipes of 4 WRR queues, all
 *   served (port, subport and pipe rates far above what one core does).
 *   Rounds alternate the two in short chunks (the machine is shared) and the
 *   line gives medians; ratio = pk / rte_sched.
 * sched.wfq.pair_ns.q32k: the same wfq run as ns per enqueue+dequeue pair
 *   (target < 55), baseline rte_sched's.
 * sched.wfq.mem.q32k: bytes per queue (rte_malloc heap growth from create to
 *   all 32K queues attached / configured, packets excluded) against rte_sched
 *   configured for the same 32K queues (2048 pipes of 16, queue size 16);
 *   unit B/queue, ratio = rte_sched / pk.
 * sched.fq_codel.flows1k, sched.fq_pie.flows1k: the q1k loop over 1024
 *   flows, each packet carrying the RSS hash (as a NIC gives it) that the
 *   queue managers' classifier maps to its flow's queue, the clock the TSC
 *   (stamped per push burst; a round of all flows takes well under the
 *   5 ms target, so nothing is dropped). Value Mpps of pairs; baseline drr
 *   over the same 1024 queues in the same run (packets tagged with the
 *   queue id), alternating chunks; ratio = value / drr.
 * sched.hier.owners4_flows1k: the q1k loop over a two-level scheduler,
 *   owners:wfq,flows:fq_codel, 4 owners (weights 1:2:3:4) of 256 flow
 *   queues each, packets tagged with their queue id. Value Mpps of pairs;
 *   baseline flat fq_codel over the same 1024 queues, tagged alike, in the
 *   same run (alternating chunks); ratio = value / flat.
 * sched.fq_codel.sojourn: a 100 Mbit/s link emulated on the fake clock
 *   (one 1500-byte frame out per 120 us) behind 64 bulk flows that keep 60
 *   frames each queued and a sparse flow of one 200-byte frame per 10 ms,
 *   for 20 s. Value the sparse flow's p99 sojourn (ms; p50 on stderr);
 *   baseline the same with fifo, all flows in one queue; ratio =
 *   fifo / fq_codel.
 * The flat policies, the load and main() are here; the queue managers, the
 * two levels and the sojourn run in bench_sched_fq.c (bench_sched.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_sched.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"
#include "bench_sched.h"

static const char *const sb_policies[] = { "wfq", "wf2q", "drr" };
static const char *const sb_fq[] = { "fq_codel", "fq_pie" };
static const struct {
	const char *tag;
	uint32_t nq;
} sb_sizes[] = { { "q16", 16 }, { "q1k", 1024 }, { "q32k", 32768 } };

volatile uint16_t sb_burst = SB_BURST;

/* Packets per queue: enough that a burst never empties a queue for long. */
static uint32_t
sb_depth(uint32_t nq)
{
	return RTE_MAX(2u, RTE_MIN((uint32_t)SB_QSIZE - 2, 2 * SB_BURST / nq + 2));
}

/* ---- rte_sched ---- */

static struct rte_sched_port *
sb_rte_sched(uint32_t n_pipes, uint32_t qsize)
{
	static struct rte_sched_subport_profile_params sp_prof;
	static struct rte_sched_pipe_params pipe_prof;
	static struct rte_sched_port_params pp;
	struct rte_sched_subport_params sub;
	struct rte_sched_port *port;
	uint32_t i;

	sp_prof.tb_rate = SB_RATE;
	sp_prof.tb_size = 1000000;
	pipe_prof.tb_rate = SB_RATE;
	pipe_prof.tb_size = 1000000;
	for (i = 0; i < RTE_SCHED_TRAFFIC_CLASSES_PER_PIPE; i++) {
		sp_prof.tc_rate[i] = SB_RATE;
		pipe_prof.tc_rate[i] = SB_RATE;
	}
	sp_prof.tc_period = 10;
	pipe_prof.tc_period = 10;
	pipe_prof.tc_ov_weight = 1;
	for (i = 0; i < RTE_SCHED_BE_QUEUES_PER_PIPE; i++)
		pipe_prof.wrr_weights[i] = 1;
	pp = (struct rte_sched_port_params){
		.name = "bench_sched", .socket = (int)rte_socket_id(),
		.rate = SB_RATE, .mtu = 1522, .frame_overhead = 24,
		.n_subports_per_port = 1, .subport_profiles = &sp_prof,
		.n_subport_profiles = 1, .n_max_subport_profiles = 1,
		.n_pipes_per_subport = n_pipes,
	};
	memset(&sub, 0, sizeof(sub));
	sub.n_pipes_per_subport_enabled = n_pipes;
	for (i = 0; i < RTE_SCHED_TRAFFIC_CLASSES_PER_PIPE; i++)
		sub.qsize[i] = qsize;
	sub.pipe_profiles = &pipe_prof;
	sub.n_pipe_profiles = 1;
	sub.n_max_pipe_profiles = 1;
	port = rte_sched_port_config(&pp);
	if (port == NULL || rte_sched_subport_config(port, 0, &sub, 0) != 0)
		goto fail;
	for (i = 0; i < n_pipes; i++)
		if (rte_sched_pipe_config(port, 0, i, 0) != 0)
			goto fail;
	return port;
fail:
	fprintf(stderr, "bench_sched: rte_sched of %u pipes: failed\n",
		n_pipes);
	rte_sched_port_free(port);
	return NULL;
}

static void
sb_rte_sched_drain(struct rte_sched_port *port)
{
	struct rte_mbuf *m[SB_BURST];
	int k, idle = 0;

	while (idle < 1000) {
		k = rte_sched_port_dequeue(port, m, SB_BURST);
		idle = k > 0 ? 0 : idle + 1;
		if (k > 0)
			rte_pktmbuf_free_bulk(m, k);
	}
}

static __rte_noinline uint64_t
sb_rte_chunk(struct rte_sched_port *port, struct rte_mbuf **m, uint64_t pkts,
	     uint64_t *done)
{
	uint64_t n = 0, start = rte_rdtsc_precise();
	uint16_t b = sb_burst;
	int k;

	while (n < pkts) {
		k = rte_sched_port_dequeue(port, m, b);
		n += k;
		if (k > 0 && rte_sched_port_enqueue(port, m, k) != k)
			abort(); /* a drop would change the load */
	}
	*done += n;
	return rte_rdtsc_precise() - start;
}

/* ---- PathKit ---- */

struct pk_stage *
sb_pk_sched(const char *policy, uint32_t nq)
{
	struct pk_sched_conf c = {
		.policy = policy, .max_queues = nq, .qsize = SB_QSIZE,
		.socket_id = (int)rte_socket_id(),
	};
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct pk_stage *s = pk_sched_create(policy, &c);
	uint32_t i;

	for (i = 0; s != NULL && i < nq; i++)
		if (pk_sched_queue_attach(s, &qc) != (int)i) {
			pk_stage_destroy(s);
			return NULL;
		}
	return s;
}

__rte_noinline uint64_t
sb_pk_chunk(struct pk_stage *s, struct rte_mbuf **m, uint64_t pkts,
	    uint64_t *done)
{
	uint64_t n = 0, start = rte_rdtsc_precise();
	uint16_t b = sb_burst, k;

	while (n < pkts) {
		k = pk_stage_pull(s, m, b);
		n += k;
		if (k > 0 && pk_stage_push(s, m, k) != k)
			abort();
	}
	*done += n;
	return rte_rdtsc_precise() - start;
}

/* ---- the load ---- */

/* Give m the RSS hash that the queue managers' classifier maps to q. */
void
sb_rss(struct rte_mbuf *m, uint32_t q, uint32_t nq)
{
	m->hash.rss = (uint32_t)((((uint64_t)q << 32) + nq - 1) / nq);
	m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
}

/* depth packets of 64 bytes per queue, tagged for both schedulers */
int
sb_fill(struct rte_mempool *mp, struct rte_sched_port *port,
	struct pk_stage *s, uint32_t nq, bool rss)
{
	uint32_t d = sb_depth(nq), q, i;
	struct rte_mbuf *m;

	for (i = 0; i < d; i++)
		for (q = 0; q < nq; q++) {
			m = rte_pktmbuf_alloc(mp);
			if (m == NULL || rte_pktmbuf_append(m, 64) == NULL)
				return -ENOMEM;
			if (port != NULL) {
				/* best effort: pipe q/4, WRR queue q%4 */
				rte_sched_port_pkt_write(port, m, 0, q / 4,
					RTE_SCHED_TRAFFIC_CLASS_BE, q % 4,
					RTE_COLOR_GREEN);
				if (rte_sched_port_enqueue(port, &m, 1) != 1)
					return -ENOSPC;
			} else {
				m->hash.sched.queue_id = q;
				if (rss) /* where fq's classifier maps q */
					sb_rss(m, q, nq);
				if (!pk_stage_push_one(s, m))
					return -ENOSPC;
			}
		}
	return 0;
}

/* Mpps of both, medians over rounds of alternating chunks. */
static int
sb_run(struct rte_mempool *mp, const char *policy, uint32_t nq, double *pk,
       double *raw)
{
	struct rte_sched_port *port = sb_rte_sched(nq / 4, SB_QSIZE);
	struct pk_stage *s = sb_pk_sched(policy, nq);
	double v_pk[SB_ROUNDS], v_raw[SB_ROUNDS], hz = rte_get_tsc_hz();
	struct rte_mbuf *m[SB_BURST];
	uint64_t c_pk, c_raw, n_pk, n_raw;
	unsigned int r, c;
	int rc = -ENOMEM;

	if (port == NULL || s == NULL || sb_fill(mp, port, NULL, nq, false) ||
	    sb_fill(mp, NULL, s, nq, false) != 0)
		goto out;
	sb_pk_chunk(s, m, SB_CHUNK_PKTS, &n_pk); /* warm up */
	sb_rte_chunk(port, m, SB_CHUNK_PKTS, &n_raw);
	for (r = 0; r < SB_ROUNDS; r++) {
		c_pk = c_raw = n_pk = n_raw = 0;
		for (c = 0; c < 8; c++) {
			c_raw += sb_rte_chunk(port, m, SB_CHUNK_PKTS / 8, &n_raw);
			c_pk += sb_pk_chunk(s, m, SB_CHUNK_PKTS / 8, &n_pk);
		}
		v_pk[r] = n_pk * hz / c_pk / 1e6;
		v_raw[r] = n_raw * hz / c_raw / 1e6;
	}
	*pk = bench_median(v_pk, SB_ROUNDS);
	*raw = bench_median(v_raw, SB_ROUNDS);
	fprintf(stderr, "bench_sched: %s %u queues: pk %.2f..%.2f Mpps, "
		"rte_sched %.2f..%.2f Mpps\n", policy, nq, v_pk[0],
		v_pk[SB_ROUNDS - 1], v_raw[0], v_raw[SB_ROUNDS - 1]);
	rc = 0;
out:
	if (port != NULL) {
		sb_rte_sched_drain(port);
		rte_sched_port_free(port);
	}
	pk_stage_destroy(s);
	return rc;
}

static void
sb_mem(void)
{
	const uint32_t nq = 32768;
	struct rte_sched_port *port;
	size_t before, pk, raw;
	struct pk_stage *s;

	before = pk_test_heap_used();
	s = sb_pk_sched("wfq", nq);
	pk = pk_test_heap_used() - before;
	pk_stage_destroy(s);
	before = pk_test_heap_used();
	port = sb_rte_sched(nq / RTE_SCHED_QUEUES_PER_PIPE, SB_QSIZE);
	raw = pk_test_heap_used() - before;
	rte_sched_port_free(port);
	if (s == NULL || port == NULL)
		return;
	bench_report("sched.wfq.mem.q32k", (double)pk / nq, "B/queue",
		     (double)raw / nq, true);
}

int
main(int argc, char **argv)
{
	double pk, raw;
	struct rte_mempool *mp;
	char id[64];
	unsigned int p, z;
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "bench_sched: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (bench_parse_args(argc - n, argv + n) != 0)
		return 1;
	/* both schedulers' packets at 32K queues, small buffers */
	mp = rte_pktmbuf_pool_create("bench_sched", 2 * 32768 * 2 + 2048, 256,
				     0, RTE_PKTMBUF_HEADROOM + 128,
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "bench_sched: mempool: %s (try -m 1024)\n",
			rte_strerror(rte_errno));
		return 1;
	}
	for (z = 0; z < RTE_DIM(sb_sizes); z++)
		for (p = 0; p < RTE_DIM(sb_policies); p++) {
			snprintf(id, sizeof(id), "sched.%s.%s", sb_policies[p],
				 sb_sizes[z].tag);
			if (!bench_wanted(id) &&
			    !(p == 0 && z == 2 &&
			      bench_wanted("sched.wfq.pair_ns.q32k")))
				continue;
			if (sb_run(mp, sb_policies[p], sb_sizes[z].nq, &pk,
				   &raw) != 0) {
				fprintf(stderr, "bench_sched: %s failed\n", id);
				continue;
			}
			if (bench_wanted(id))
				bench_report(id, pk, "Mpps", raw, false);
			if (p == 0 && z == 2 &&
			    bench_wanted("sched.wfq.pair_ns.q32k"))
				bench_report("sched.wfq.pair_ns.q32k",
					     1000.0 / pk, "ns", 1000.0 / raw,
					     true);
		}
	if (bench_wanted("sched.wfq.mem.q32k"))
		sb_mem();
	for (p = 0; p < RTE_DIM(sb_fq); p++) {
		snprintf(id, sizeof(id), "sched.%s.flows1k", sb_fq[p]);
		if (!bench_wanted(id))
			continue;
		if (sb_run_fq(mp, sb_fq[p], 1024, &pk, &raw) == 0)
			bench_report(id, pk, "Mpps", raw, false);
		else
			fprintf(stderr, "bench_sched: %s failed\n", id);
	}
	if (bench_wanted("sched.hier.owners4_flows1k")) {
		if (sb_run_hier(mp, &pk, &raw) == 0)
			bench_report("sched.hier.owners4_flows1k", pk, "Mpps",
				     raw, false);
		else
			fprintf(stderr, "bench_sched: sched.hier.owners4_flows1k"
				" failed\n");
	}
	if (bench_wanted("sched.fq_codel.sojourn"))
		sj_report();
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
