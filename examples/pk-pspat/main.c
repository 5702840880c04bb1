/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-pspat: a PSPAT arbiter between N clients and one TX port. Clients are
 * lcore threads when there is a worker lcore for each (besides the
 * arbiter's and the dispatcher's), otherwise continuation threads on a
 * runner that the main lcore runs (so any number of clients fits on few
 * cores); each either receives from its own port
 * (--source=ports: client i receives on port i, the arbiter transmits on
 * port N) or generates UDP frames (--source=gen: the arbiter transmits on
 * port 0), and pushes into its mailbox. The arbiter runs on the first
 * worker lcore; in dispatcher mode the dispatcher takes the second worker
 * lcore, or runs on the main lcore when there is none. Prints per-client
 * rates and Jain's fairness index (of rate/weight) every period and at exit,
 * and at exit that the counters balance: per client admitted == sent +
 * dropped + held (held: what the arbiter still has; 0 after its stop) and
 * its mailbox stage (pspat.mb<i>) in == out + held; exit 1 if not.
 * Telemetry: /pathkit/arbiter,pspat and /pathkit/arbiter_client,pspat,I
 * (with held); /pathkit/stage,pspat.mbI is client I's mailbox, while
 * /pathkit/stage,clientI is its thread, which counts what it pulls from
 * its port (--source=ports) but nothing with --source=gen: then its run
 * is pk-pspat's generator, pushing straight into the mailbox.
 * --weights are the policy's parameter: weights (wfq, wf2q), quanta in
 * frames of 1514 bytes (drr), priorities, 0 the highest (prio); rr and fifo
 * take 0 or nothing; fq_codel and fq_pie (queue managers, their defaults:
 * 5 ms / 15 ms target) schedule flows, 1024 queues unless --flow-queues
 * says otherwise; what they drop is the client's dropped, and the exit
 * line "arbiter drops" gives their reasons (aqm: the queue manager's
 * verdict; full: past its limit). The policy can be switched while it
 * runs, backlog kept: /pathkit/sched_policy,pspat,POLICY[,KEY=VALUE ...]
 * (pk_ctl.h; pk-pspat has no prompt). --flow-queues=F schedules flows instead of clients:
 * F queues of equal parameter, a packet goes to the one its flow key
 * (pk_flow_parse(), 5-tuple) hashes to, non-IP frames to queue 0; rates
 * are still counted per client. --policy=owners:OUTER,flows:INNER (say
 * owners:wfq,flows:fq_codel) makes each client an owner: OUTER weighs the
 * clients by --weights (OUTER's range; drr's in frames), and each client's
 * flows, hashed into its own --flow-queues queues (64 unless said), share
 * its part by INNER (pk_sched.h, Hierarchy; what fq_codel drops inside a
 * client is counted as held, as for a flat fq_codel). --mailbox=pspat gives the clients PSPAT
 * mailboxes instead of rte_ring SP/SC (faster for one-packet pushes; these
 * clients push bursts). SIGINT stops it: clients first, then the
 * arbiter, which sends what it still holds. Options are read before the EAL
 * starts (EAL arguments end at "--"); a bad one: a message naming it and
 * what it takes, the usage, exit 2. Numbers are strict (pk_parse.h): rates
 * in bit/s with k, M, G, T (10^3..10^12), durations in s, ms or us.
 *
 *   pk-pspat <EAL args> -- --clients=N --source=ports|gen --weights=W1,..,WN
 *     --rate=R --policy=wfq|wf2q|drr|prio|rr|fifo|fq_codel|fq_pie|
 *                       owners:OUTER,flows:INNER
 *     --dispatch=arbiter|dispatcher
 *     [--pkt-size=B] [--duration=S] [--stats-period=S] [--flow-queues=F]
 *     [--mailbox=ring|pspat]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_pspat.h"

struct rte_mempool *pool;

static int
setup_port(uint16_t p)
{
	struct pk_port_conf pc = { .mp = pool, .promiscuous = true };
	int rc = pk_port_setup(p, &pc);

	if (rc != 0 && rc != -ETIMEDOUT)
		fprintf(stderr, "pk-pspat: port %u: %s\n", p, strerror(-rc));
	return rc == -ETIMEDOUT ? 0 : rc;
}

/* Run until the duration or SIGINT; returns the seconds it ran. */
static double
main_loop(struct pk_arbiter *a, struct pk_runner *r, bool dispatch_here,
	  bool clients_here)
{
	struct pk_arbiter_client_stats st;
	uint32_t i;
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), now, last;
	uint64_t period = pk_example_ns_to_tsc(opt.period, hz);
	uint64_t end = opt.duration == 0 ? UINT64_MAX :
		       start + pk_example_ns_to_tsc(opt.duration, hz);

	last = start;
	while (!pk_example_quit) {
		if (clients_here)
			pk_runner_run(r, 64);
		if (dispatch_here)
			pk_arbiter_dispatch(a);
		else if (!clients_here)
			rte_delay_us_sleep(1000); /* statistics only */
		now = rte_rdtsc();
		if (now - last >= period) {
			print_stats(a, (double)(now - last) / hz, "stats",
				    false);
			last = now;
		}
		if (now >= end)
			break;
	}
	for (i = 0; i < opt.nb; i++) {
		pk_arbiter_client_stats_get(a, i, &st);
		clients[i].run_bytes = st.bytes;
	}
	return (double)(rte_rdtsc() - start) / hz;
}

int
main(int argc, char **argv)
{
	struct pk_arbiter_conf ac = { .socket_id = SOCKET_ID_ANY };
	unsigned int w1, w2;
	struct pk_arbiter *a = NULL;
	struct pk_stage *tx = NULL;
	struct pk_runner *r = NULL;
	uint32_t quanta[MAX_CLIENTS], nlc;
	bool balanced;
	double secs;
	int rc;
	unsigned int lc[MAX_CLIENTS];
	uint16_t p, txp, nb_ports;

	pk_example_options(&pspat_app, argc, argv); /* a bad one: exit 2 */
	pk_example_eal_init(argc, argv);
	w1 = rte_get_next_lcore(-1, 1, 0);
	w2 = w1 < RTE_MAX_LCORE ? rte_get_next_lcore(w1, 1, 0) : RTE_MAX_LCORE;
	if (w1 >= RTE_MAX_LCORE)
		rte_exit(EXIT_FAILURE, "pk-pspat needs a worker lcore (-l 0,1)\n");
	txp = opt.gen ? 0 : (uint16_t)opt.nb;
	nb_ports = rte_eth_dev_count_avail();
	if (nb_ports < txp + 1u)
		rte_exit(EXIT_FAILURE, "pk-pspat: needs %u ports, has %u\n",
			 txp + 1u, nb_ports);
	pool = rte_pktmbuf_pool_create("pspat_pool", NB_MBUFS, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL)
		rte_exit(EXIT_FAILURE, "pool: %s\n", rte_strerror(rte_errno));
	for (p = 0; p <= txp; p++)
		if (setup_port(p) != 0)
			rte_exit(EXIT_FAILURE, "port setup failed\n");
	pk_example_catch_signals();

	tx = pk_port_tx_create("tx", txp, 0, 0);
	ac.nb_clients = opt.nb;
	ac.policy = opt.policy;
	/* drr's parameter is a quantum: a weight of frames of 1514 bytes */
	for (p = 0; strcmp(opt.outer, "drr") == 0 && p < opt.nb; p++)
		quanta[p] = opt.weights[p] * 1514;
	ac.params = strcmp(opt.outer, "drr") == 0 ? quanta : opt.weights;
	if (opt.hier) { /* clients weighed, their flows' queues by default */
		ac.nb_classes = opt.nb;
		ac.class_params = ac.params;
		ac.params = NULL;
		ac.classify = classify_owner_flow;
		ac.nb_queues = opt.flow_queues * opt.nb;
	} else if (opt.flow_queues != 0) { /* the policy's default each */
		ac.params = NULL;
		ac.classify = classify_flow;
		ac.nb_queues = opt.flow_queues;
	}
	ac.mailbox = opt.pspat_mailbox ? PK_ARBITER_MB_PSPAT :
					 PK_ARBITER_MB_RING;
	ac.rate_bps = opt.rate;
	ac.out = tx;
	ac.lcore_id = w1;
	ac.dispatch = opt.dispatcher ? PK_ARBITER_DISPATCH_THREAD :
				       PK_ARBITER_DISPATCH_DIRECT;
	ac.dispatcher_lcore = opt.dispatcher && w2 < RTE_MAX_LCORE ? w2 :
							   PK_ARBITER_LCORE_NONE;
	a = tx != NULL ? pk_arbiter_create("pspat", &ac) : NULL;
	r = pk_runner_create("clients", rte_lcore_id(), SOCKET_ID_ANY);
	nlc = client_lcores(&ac, lc);
	if (a == NULL || r == NULL || build_clients(a, r, lc, nlc) != 0)
		rte_exit(EXIT_FAILURE, "pk-pspat: setup: %s\n",
			 rte_strerror(rte_errno));
	printf("pk-pspat: %u clients (%s, %s, %s mailboxes), %u %s queues, "
	       "policy %s, rate %" PRIu64 " bit/s, arbiter on lcore %u, %s\n",
	       opt.nb,
	       opt.gen ? "gen" : "ports",
	       nlc != 0 ? "lcores" : "continuations on the main lcore",
	       opt.pspat_mailbox ? "pspat" : "ring",
	       opt.flow_queues != 0 ? opt.flow_queues : opt.nb,
	       opt.hier ? "flow per client" : opt.flow_queues != 0 ? "flow" :
	       "client", opt.policy, opt.rate,
	       w1, opt.dispatcher ? "dispatcher" : "direct");
	/* a policy switch from telemetry (pk_ctl.h) is not made meanwhile */
	pk_ctl_lock();
	rc = pk_arbiter_start(a);
	pk_ctl_unlock();
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "pk-pspat: cannot start the arbiter\n");
	secs = main_loop(a, r, opt.dispatcher && w2 >= RTE_MAX_LCORE, nlc == 0);

	for (p = 0; p < opt.nb; p++) /* clients first: nothing more pushed */
		pk_thread_stop(clients[p].t);
	pk_ctl_lock();
	pk_arbiter_stop(a); /* sends what it holds */
	pk_ctl_unlock();
	print_stats(a, secs, "exit", true);
	balanced = print_balance(a);
	pk_runner_destroy(r);
	for (p = 0; p < opt.nb; p++) {
		rte_pktmbuf_free_bulk(clients[p].held, clients[p].nheld);
		pk_thread_destroy(clients[p].t);
		pk_stage_destroy(clients[p].rx);
	}
	pk_ctl_lock();
	pk_arbiter_destroy(a); /* stops and flushes into tx */
	pk_ctl_unlock();
	pk_stage_destroy(tx);
	for (p = 0; p <= txp; p++)
		pk_port_close(p);
	rte_mempool_free(pool);
	pk_example_eal_cleanup();
	return balanced ? 0 : EXIT_FAILURE;
}
