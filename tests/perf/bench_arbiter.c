/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_arbiter: the PSPAT arbiter against plain SPSC rings, same run.
 * Needs -l 0,1: the worker lcore runs the arbiter (or the raw relay), the
 * main lcore is every client and the sink (it recycles mbuf pointers from
 * the output back into the mailboxes; packets are 64-byte frames).
 *
 * arbiter.mailbox.xfer: Mpps of a two-lcore SPSC transfer (main pushes
 *   bursts of 32, worker pulls bursts of 32 and frees nothing, pointers go
 *   back over a second queue of the same kind) through "mailbox" stages.
 *   Baseline: the same through raw rte_ring SP/SC. Decides the default.
 * arbiter.mailbox.xfer1: the same with the producer pushing one packet at
 *   a time (a client that sends packet by packet, as PSPAT's do).
 * arbiter.c1.direct, .c2.direct, .c4.direct: arbiter throughput (Mpps the
 *   output took) with 1, 2, 4 clients, wfq, unlimited rate, the arbiter
 *   transmitting into an SPSC queue that main drains. Baseline: a raw relay
 *   (worker: rte_ring SC dequeue -> rte_ring SP enqueue) of the same
 *   packets between the same lcores.
 * arbiter.c1.dispatcher, ...: the same in dispatcher mode; with 2 cores the
 *   dispatcher passes run on the main lcore (pk_arbiter_dispatch()).
 * arbiter.c4.direct.pspatmb: c4.direct with PSPAT mailboxes (the default
 *   is rte_ring SP/SC, which arbiter.mailbox.xfer measured faster).
 * arbiter.latency.p50, .p99: microseconds from a client's push to the sink
 *   at 50% load of an emulated 1 Gbit/s link (64-byte frames, one every
 *   1.41 us, two clients; slots missed while descheduled are skipped, not
 *   sent late in a burst). Baseline: the same pacing through the raw relay.
 * arbiter.decisions: scheduling decisions per second of the arbiter alone,
 *   in the main lcore (pk_arbiter_run()): 64 clients' mailboxes pre-filled,
 *   wfq, unlimited rate. Value in M/s; baseline PSPAT's published 28 M/s.
 * arbiter.decisions.flows1k: the same through a classifier into 1024 flow
 *   queues (each packet's queue is its RSS hash modulo 1024, as a NIC would
 *   have set it; random here): the cost of per-flow queues.
 * arbiter.vs_sched: TSC cycles per decision of arbiter.decisions against
 *   those of one push+pull pair of the bare scheduler the arbiter uses (wfq,
 *   64 internal queues of 256, each kept about 240 deep, as the arbiter's
 *   are; pull 32, push them back), the same number of pairs as decisions,
 *   in 11 rounds of one run of each, which goes first swapped every round;
 *   medians, and on stderr each side's spread and the rounds' own ratios.
 *   ratio = scheduler / arbiter: the share of a decision that is the
 *   scheduler's own work.
 * Rounds are interleaved (arbiter, then raw), medians of BA_ROUNDS.
 *
 * Files: this one (shared helpers, main), bench_arbiter_xfer.c (mailbox
 * transfer, throughput), bench_arbiter_latency.c, bench_arbiter_decisions.c
 * (decisions, vs_sched); bench_arbiter.h says what they share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "bench_arbiter.h"
#include "bench_common.h"

struct rte_mempool *ba_pool;
unsigned int ba_worker;
struct rte_mbuf *ba_free[1 << 16];
unsigned int ba_nfree;

uint64_t
ba_ms(unsigned int ms)
{
	return rte_get_tsc_hz() * ms / 1000;
}

void
ba_take_all(unsigned int n)
{
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(ba_pool, ba_free, n) != 0)
		rte_exit(EXIT_FAILURE, "no mbufs\n");
	for (i = 0; i < n; i++)
		rte_pktmbuf_append(ba_free[i], 64);
	ba_nfree = n;
}

void
ba_give_back(void)
{
	rte_pktmbuf_free_bulk(ba_free, ba_nfree);
	ba_nfree = 0;
}

/*
 * The pointers pushed are the top n of the free stack; what was taken
 * leaves it, what was refused slides down to stay on it.
 */
void
ba_took(unsigned int n, unsigned int k)
{
	unsigned int base = ba_nfree - n;

	memmove(&ba_free[base], &ba_free[base + k],
		(n - k) * sizeof(ba_free[0]));
	ba_nfree -= k;
}

void
ba_push_free_n(struct pk_stage *s, unsigned int burst)
{
	unsigned int n = RTE_MIN(ba_nfree, burst);

	ba_took(n, pk_stage_push(s, &ba_free[ba_nfree - n], n));
}

/* ---- raw relay: worker moves ring a -> ring b ---- */

int
ba_relay_main(void *arg)
{
	struct ba_relay *r = arg;
	void *m[BA_BURST];
	unsigned int k, s;

	while (!r->quit) {
		k = rte_ring_sc_dequeue_burst(r->a, m, BA_BURST, NULL);
		if (k == 0) {
			rte_pause();
			continue;
		}
		for (s = 0; s < k;)
			s += rte_ring_sp_enqueue_burst(r->b, m + s, k - s, NULL);
	}
	return 0;
}

/* ---- an arbiter for the throughput and latency rounds ---- */

struct pk_arbiter *
ba_arbiter(uint32_t nb, enum pk_arbiter_dispatch d,
	   enum pk_arbiter_mailbox mb, struct pk_stage *out, uint64_t rate,
	   uint32_t lcore)
{
	struct pk_arbiter_conf c = {
		.nb_clients = nb, .mailbox = mb, .rate_bps = rate,
		.dispatch = d, .out = out, .lcore_id = lcore,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_arbiter *a = pk_arbiter_create("ba", &c);

	if (a == NULL)
		rte_exit(EXIT_FAILURE, "arbiter: %s\n", rte_strerror(rte_errno));
	return a;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *id;
		unsigned int burst;
	} xfers[] = {
		{ "arbiter.mailbox.xfer", BA_BURST },
		{ "arbiter.mailbox.xfer1", 1 },
	};
	static const struct {
		const char *id;
		uint32_t nb;
		enum pk_arbiter_dispatch d;
		enum pk_arbiter_mailbox mb;
	} tputs[] = {
		{ "arbiter.c1.direct", 1, PK_ARBITER_DISPATCH_DIRECT,
		  PK_ARBITER_MB_DEFAULT },
		{ "arbiter.c2.direct", 2, PK_ARBITER_DISPATCH_DIRECT,
		  PK_ARBITER_MB_DEFAULT },
		{ "arbiter.c4.direct", 4, PK_ARBITER_DISPATCH_DIRECT,
		  PK_ARBITER_MB_DEFAULT },
		{ "arbiter.c4.direct.pspatmb", 4, PK_ARBITER_DISPATCH_DIRECT,
		  PK_ARBITER_MB_PSPAT },
		{ "arbiter.c1.dispatcher", 1, PK_ARBITER_DISPATCH_THREAD,
		  PK_ARBITER_MB_DEFAULT },
		{ "arbiter.c2.dispatcher", 2, PK_ARBITER_DISPATCH_THREAD,
		  PK_ARBITER_MB_DEFAULT },
		{ "arbiter.c4.dispatcher", 4, PK_ARBITER_DISPATCH_THREAD,
		  PK_ARBITER_MB_DEFAULT },
	};
	unsigned int i;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL: %s\n", rte_strerror(rte_errno));
	if (bench_parse_args(argc - ret, argv + ret) != 0)
		return 1;
	ba_worker = rte_get_next_lcore(-1, 1, 0);
	if (ba_worker >= RTE_MAX_LCORE)
		rte_exit(EXIT_FAILURE, "bench_arbiter needs -l 0,1\n");
	ba_pool = rte_pktmbuf_pool_create("ba_pool", 65535, 256, 0,
					  RTE_PKTMBUF_HEADROOM + 256,
					  rte_socket_id());
	if (ba_pool == NULL)
		rte_exit(EXIT_FAILURE, "pool: %s\n", rte_strerror(rte_errno));
	for (i = 0; i < RTE_DIM(xfers); i++)
		if (bench_wanted(xfers[i].id))
			ba_mailbox_xfer(xfers[i].id, xfers[i].burst);
	for (i = 0; i < RTE_DIM(tputs); i++)
		if (bench_wanted(tputs[i].id))
			ba_throughput(tputs[i].id, tputs[i].nb, tputs[i].d,
				      tputs[i].mb);
	if (bench_wanted("arbiter.latency"))
		ba_latency();
	if (bench_wanted("arbiter.decisions"))
		ba_decisions("arbiter.decisions", false);
	if (bench_wanted("arbiter.decisions.flows1k"))
		ba_decisions("arbiter.decisions.flows1k", true);
	if (bench_wanted("arbiter.vs_sched"))
		ba_vs_sched();
	rte_mempool_free(ba_pool);
	rte_eal_cleanup();
	return 0;
}
