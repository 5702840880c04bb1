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
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>

#include "pk_example.h"

#define MAX_CLIENTS 64
#define MAX_FLOW_QUEUES 65536
#define AQM_FLOW_QUEUES 1024 /* --flow-queues for fq_codel, fq_pie */
#define HIER_FLOW_QUEUES 64  /* --flow-queues per client, two levels */
#define NB_MBUFS 16383
#define GEN_BURST 32
#define DRR_FRAME 1514                       /* drr: weights in frames */
#define MAX_RATE 10000000000000ull           /* the shaper's, 10 Tbit/s */
#define NS 1000000000ull
#define MAX_DURATION (10000000 * NS)         /* 10^7 s, 115 days */
#define MIN_PERIOD (NS / 1000)               /* 1 ms */
#define MAX_PERIOD (86400 * NS)              /* a day */

struct client {
	struct pk_thread *t;
	struct pk_stage *rx;         /* --source=ports */
	struct pk_stage *mb;         /* its mailbox */
	uint32_t weight;
	uint64_t last_bytes;
	uint64_t run_bytes;          /* sent when the run ended */
	struct rte_mbuf *held[GEN_BURST]; /* refused frames, pushed again */
	uint16_t nheld;
};

static struct {
	uint32_t nb;
	bool gen;
	uint32_t weights[MAX_CLIENTS];
	bool weights_set;
	uint64_t rate;
	const char *policy;
	bool dispatcher;
	uint16_t pkt_size;
	uint64_t duration;           /* ns, 0: until SIGINT */
	uint64_t period;             /* ns */
	uint32_t flow_queues;
	bool pspat_mailbox;
	bool hier;                   /* owners:OUTER,flows:INNER */
	char outer[PK_SCHED_POLICY_PARTSIZE]; /* its OUTER, or the policy */
} opt = { .policy = "wfq", .pkt_size = 64, .period = NS };

static const char *weights_arg; /* --weights, read once the policy is known */
static struct client clients[MAX_CLIENTS];
static struct rte_mempool *pool;

static void
usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s <EAL args> -- --clients=1..64 "
		"--source=ports|gen\n"
		"  --weights=W1,...,WN (one per client; range: the policy's)\n"
		"  --rate=R (bit/s, k M G T, up to 10T; 0: unlimited)\n"
		"  --policy=wfq|wf2q|drr|prio|rr|fifo|fq_codel|fq_pie or "
		"owners:OUTER,flows:INNER\n"
		"    (two levels: clients weighed by OUTER with --weights, each "
		"client's flows\n     hashed into its own --flow-queues (64) "
		"queues, shared by INNER)\n"
		"  --dispatch=arbiter|dispatcher\n  [--pkt-size=60..1514] [--duration=S (0: until "
		"SIGINT)]\n  [--stats-period=S (1ms..1 day)] "
		"[--flow-queues=1..65536] [--mailbox=ring|pspat]\n", prog);
}

/*
 * --weights, once the policy is known: one per client, each in the
 * policy's range (drr's in frames of DRR_FRAME bytes).
 */
static int
parse_weights(const char *s)
{
	const struct pk_sched_policy *pol = pk_sched_policy_find(opt.outer);
	uint64_t w[MAX_CLIENTS], min, max;
	char msg[256];
	int n, i;

	if (pol == NULL) {
		fprintf(stderr, "pk-pspat: --policy: %s is not built in\n",
			opt.policy);
		return -1;
	}
	min = pol->param_min;
	max = pol->param_max;

	if (strcmp(opt.outer, "drr") == 0) {
		min = 1;
		max /= DRR_FRAME;
	}
	n = pk_parse_u64_list(s, min, max, w, MAX_CLIENTS);
	if (n < 0) {
		pk_parse_explain(msg, sizeof(msg), "--weights", s,
				 PK_PARSE_LIST, min, max, MAX_CLIENTS);
		fprintf(stderr, "pk-pspat: %s (policy %s)\n", msg,
			opt.policy);
		return -1;
	}
	if ((uint32_t)n != opt.nb) {
		fprintf(stderr, "pk-pspat: --weights: %d weights for %u "
			"clients: need one per client\n", n, opt.nb);
		return -1;
	}
	for (i = 0; i < n; i++)
		opt.weights[i] = (uint32_t)w[i];
	opt.weights_set = true;
	return 0;
}

static const struct option pspat_opts[] = {
	{ "clients", required_argument, NULL, 'c' },
	{ "source", required_argument, NULL, 's' },
	{ "weights", required_argument, NULL, 'w' },
	{ "rate", required_argument, NULL, 'r' },
	{ "policy", required_argument, NULL, 'p' },
	{ "dispatch", required_argument, NULL, 'd' },
	{ "pkt-size", required_argument, NULL, 'b' },
	{ "duration", required_argument, NULL, 't' },
	{ "stats-period", required_argument, NULL, 'P' },
	{ "flow-queues", required_argument, NULL, 'f' },
	{ "mailbox", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
pspat_opt(int c, const char *name)
{
	static const char *const sources[] = { "ports", "gen", NULL };
	const struct pk_sched_policy *outer, *inner;
	char err[128];
	static const char *const dispatch[] = { "arbiter", "dispatcher", NULL };
	static const char *const mailboxes[] = { "ring", "pspat", NULL };
	unsigned int w = 0;
	uint64_t v = 0;
	int rc = 0;

	switch (c) {
	case 'c':
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 1,
				       MAX_CLIENTS, &v);
		opt.nb = (uint32_t)v;
		break;
	case 's':
		rc = pk_example_word(name, optarg, sources, &w);
		opt.gen = w == 1;
		break;
	case 'w':
		weights_arg = optarg;
		break;
	case 'r':
		rc = pk_example_number(name, optarg, PK_PARSE_RATE, 0, MAX_RATE,
				       &opt.rate);
		break;
	case 'p':
		/* a policy name, or two levels: the registry is filled by now */
		rc = pk_sched_policy_lookup(optarg, &outer, &inner, err,
					    sizeof(err));
		if (rc != 0) {
			/* the reason starts "policy: ": the option says it */
			fprintf(stderr, "pk-pspat: %s: %s\n", name,
				strncmp(err, "policy: ", 8) == 0 ? err + 8 :
				err);
			return -1;
		}
		opt.policy = optarg;
		opt.hier = inner != NULL;
		snprintf(opt.outer, sizeof(opt.outer), "%s", outer->name);
		break;
	case 'd':
		rc = pk_example_word(name, optarg, dispatch, &w);
		opt.dispatcher = w == 1;
		break;
	case 'b':
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 60, 1514,
				       &v);
		opt.pkt_size = (uint16_t)v;
		break;
	case 't':
		rc = pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
				       MAX_DURATION, &opt.duration);
		break;
	case 'P':
		rc = pk_example_number(name, optarg, PK_PARSE_DURATION,
				       MIN_PERIOD, MAX_PERIOD, &opt.period);
		break;
	case 'f':
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 1,
				       MAX_FLOW_QUEUES, &v);
		opt.flow_queues = (uint32_t)v;
		break;
	case 'm':
		rc = pk_example_word(name, optarg, mailboxes, &w);
		opt.pspat_mailbox = w == 1;
		break;
	default:
		return -1;
	}
	return rc;
}

/* What depends on several options: --clients, --weights. */
static int
pspat_check(void)
{
	const struct pk_sched_policy *pol;
	uint32_t i;

	if (opt.nb == 0) {
		fprintf(stderr, "pk-pspat: --clients is missing\n");
		return -1;
	}
	if (opt.outer[0] == '\0') /* no --policy: wfq */
		snprintf(opt.outer, sizeof(opt.outer), "%s", opt.policy);
	pol = pk_sched_policy_find(opt.outer);
	/*
	 * A queue manager's queues are flows, hashed: and with per-client
	 * queues the arbiter counts each client's backlog itself, which the
	 * manager's drops would leave wrong.
	 */
	if (pol != NULL && (pol->flags & PK_SCHED_POL_AQM) &&
	    opt.flow_queues == 0)
		opt.flow_queues = AQM_FLOW_QUEUES;
	/* two levels: the clients are weighed, their flows per client */
	if (opt.hier && opt.flow_queues == 0)
		opt.flow_queues = HIER_FLOW_QUEUES;
	if (opt.hier && (uint64_t)opt.flow_queues * opt.nb >
	    PK_SCHED_MAX_QUEUES) {
		fprintf(stderr, "pk-pspat: --flow-queues: %u per client for %u "
			"clients pass %u queues\n", opt.flow_queues, opt.nb,
			PK_SCHED_MAX_QUEUES);
		return -1;
	}
	if (weights_arg != NULL && opt.flow_queues != 0 && !opt.hier) {
		fprintf(stderr, "pk-pspat: --weights: flow queues all weigh "
			"the same\n");
		return -1;
	}
	if (weights_arg != NULL && parse_weights(weights_arg) != 0)
		return -1;
	for (i = 0; !opt.weights_set && i < opt.nb; i++)
		opt.weights[i] = 1;
	return 0;
}

static const struct pk_example_app pspat_app = {
	.name = "pk-pspat", .opts = pspat_opts, .short_opts = "h",
	.opt = pspat_opt, .check = pspat_check, .usage = usage,
};

/* A UDP frame of pkt_size bytes from client c. */
static struct rte_mbuf *
gen_frame(uint32_t c)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, opt.pkt_size);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eh, 0, sizeof(*eh) + sizeof(*ip) + sizeof(*udp));
	eh->src_addr.addr_bytes[0] = 0x02;
	eh->src_addr.addr_bytes[5] = (uint8_t)c;
	eh->dst_addr.addr_bytes[0] = 0x02;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(opt.pkt_size - sizeof(*eh));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 1, c & 0xff));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 2, 1));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(1024 + c);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(opt.pkt_size - sizeof(*eh) -
					  sizeof(*ip));
	return m;
}

/* --flow-queues: the queue of a packet's flow; non-IP frames go to 0. */
static uint32_t
classify_flow(const struct rte_mbuf *m, void *arg)
{
	struct pk_flow_key key;
	enum pk_flow_result r = pk_flow_parse(m, &key);

	(void)arg;
	if (r != PK_FLOW_OK && r != PK_FLOW_FRAGMENT)
		return 0;
	return rte_hash_crc(&key, sizeof(key), 0) % opt.flow_queues;
}

/*
 * Two levels: the client's own queues, client * F .. client * F + F - 1,
 * the flow hashed onto them as classify_flow() does.
 */
static uint32_t
classify_owner_flow(const struct rte_mbuf *m, void *arg)
{
	return pk_arbiter_mbuf_client(m) * opt.flow_queues +
	       classify_flow(m, arg);
}

/*
 * A generating client's run: top its burst up and push it into its mailbox;
 * what the mailbox refuses is still ours, unchanged: keep it for next run.
 */
static int
gen_run(struct pk_thread *t, void *arg)
{
	struct client *cl = arg;
	struct rte_mbuf *m;
	uint16_t k;

	(void)t;
	while (cl->nheld < GEN_BURST &&
	       (m = gen_frame((uint32_t)(cl - clients))) != NULL)
		cl->held[cl->nheld++] = m;
	k = pk_stage_push(cl->mb, cl->held, cl->nheld);
	memmove(cl->held, &cl->held[k], (cl->nheld - k) * sizeof(m));
	cl->nheld -= k;
	return k;
}

static int
setup_port(uint16_t p)
{
	struct pk_port_conf pc = { .mp = pool, .promiscuous = true };
	int rc = pk_port_setup(p, &pc);

	if (rc != 0 && rc != -ETIMEDOUT)
		fprintf(stderr, "pk-pspat: port %u: %s\n", p, strerror(-rc));
	return rc == -ETIMEDOUT ? 0 : rc;
}

/*
 * Worker lcores left for clients (not the arbiter's, nor the dispatcher's):
 * fills lc and returns how many, or 0 if there are fewer than clients.
 */
static uint32_t
client_lcores(const struct pk_arbiter_conf *ac, unsigned int *lc)
{
	unsigned int l;
	uint32_t n = 0;

	RTE_LCORE_FOREACH_WORKER(l)
		if (l != ac->lcore_id && l != ac->dispatcher_lcore &&
		    n < opt.nb)
			lc[n++] = l;
	return n == opt.nb ? n : 0;
}

/* Client threads: on their own lcores if lc has one each, else on r. */
static int
build_clients(struct pk_arbiter *a, struct pk_runner *r,
	      const unsigned int *lc, uint32_t nlc)
{
	struct pk_thread_conf tc = { .socket_id = SOCKET_ID_ANY };
	char name[PK_STAGE_NAMESIZE];
	uint32_t i;

	for (i = 0; i < opt.nb; i++) {
		struct client *cl = &clients[i];

		cl->weight = opt.weights[i];
		cl->mb = pk_arbiter_client(a, i);
		snprintf(name, sizeof(name), "client%u", i);
		tc.name = name;
		tc.fn = opt.gen ? gen_run : NULL;
		tc.arg = cl;
		tc.flags = PK_THREAD_F_NONBLOCK; /* ports cannot wake it */
		cl->t = nlc != 0 ? pk_thread_lcore_create(&tc, lc[i]) :
				   pk_thread_continuation_create(&tc, r);
		if (cl->t == NULL)
			return -1;
		if (!opt.gen) {
			snprintf(name, sizeof(name), "rx%u", i);
			cl->rx = pk_port_rx_create(name, i, 0, 0);
			if (cl->rx == NULL ||
			    pk_stage_link(cl->rx, pk_thread_stage(cl->t)) != 0)
				return -1;
		}
		if (pk_stage_link(pk_thread_stage(cl->t), cl->mb) != 0 ||
		    pk_thread_start(cl->t) != 0)
			return -1;
	}
	return 0;
}

/*
 * Rates since the last call, or at exit over the whole run (run_bytes, what
 * was sent before the stop); counts as they are now: at exit they include
 * what the arbiter sent, unshaped, when it stopped.
 */
static void
print_stats(struct pk_arbiter *a, double secs, const char *when, bool at_exit)
{
	struct pk_arbiter_client_stats st;
	double x, sum = 0, sq = 0, mbps;
	struct pk_arbiter_stats as;
	uint32_t i;

	for (i = 0; i < opt.nb; i++) {
		pk_arbiter_client_stats_get(a, i, &st);
		mbps = (at_exit ? clients[i].run_bytes :
				  st.bytes - clients[i].last_bytes) * 8 /
		       secs / 1e6;
		clients[i].last_bytes = st.bytes;
		printf("%s client %u weight %u: %.2f Mbit/s sent %" PRIu64
		       " rejected %" PRIu64 " dropped %" PRIu64 " held %" PRIu64
		       "\n", when, i, clients[i].weight, mbps, st.sent,
		       st.rejected, st.dropped, st.held);
		x = mbps / RTE_MAX(clients[i].weight, 1u);
		sum += x;
		sq += x * x;
	}
	printf("%s jain %.4f\n", when, sq > 0 ? sum * sum / (opt.nb * sq) : 0);
	pk_arbiter_stats_get(a, &as);
	printf("%s arbiter rounds %" PRIu64 " empty %" PRIu64 " pkts/round "
	       "%.2f cycles/round %.1f\n", when, as.rounds, as.empty_rounds,
	       as.rounds ? (double)as.drained / as.rounds : 0,
	       as.rounds ? (double)as.loop_cycles / as.rounds : 0);
	fflush(stdout);
}

/*
 * At exit, the arbiter stopped (nothing moves): each client's admitted ==
 * sent + dropped + held, its mailbox stage's in == out + held, and the
 * same summed for the arbiter. Prints each and returns whether all hold.
 */
static bool
print_balance(struct pk_arbiter *a)
{
	struct pk_arbiter_client_stats st;
	uint64_t adm = 0, out = 0;
	struct pk_arbiter_stats as;
	struct pk_stage_stats ms;
	struct pk_stage *mb;
	bool ok = true, c_ok;
	uint32_t i;

	for (i = 0; i < opt.nb; i++) {
		pk_arbiter_client_stats_get(a, i, &st);
		mb = pk_arbiter_client(a, i);
		pk_stage_stats_get(mb, &ms);
		c_ok = st.admitted == st.sent + st.dropped + st.held &&
		       ms.in_pkts == ms.out_pkts + ms.held;
		printf("exit client %u balance: admitted %" PRIu64 " = sent %"
		       PRIu64 " + dropped %" PRIu64 " + held %" PRIu64
		       " (mailbox %s: in %" PRIu64 " out %" PRIu64 " held %"
		       PRIu64 "): %s\n", i, st.admitted, st.sent, st.dropped,
		       st.held, pk_stage_name(mb), ms.in_pkts, ms.out_pkts,
		       ms.held, c_ok ? "holds" : "DOES NOT HOLD");
		ok &= c_ok;
		adm += st.admitted;
		out += st.sent + st.dropped;
	}
	pk_arbiter_stats_get(a, &as);
	c_ok = adm == out + as.held;
	printf("exit arbiter balance: admitted %" PRIu64 " = sent + dropped %"
	       PRIu64 " + held %" PRIu64 ": %s\n", adm, out, as.held,
	       c_ok ? "holds" : "DOES NOT HOLD");
	printf("exit arbiter drops in the scheduler: aqm %" PRIu64 " full %"
	       PRIu64 " (policy %s)\n", as.dropped_aqm, as.dropped_full,
	       pk_sched_policy_name(pk_arbiter_sched(a)));
	fflush(stdout);
	return ok && c_ok;
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
