/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_scale: the multi-lcore variants, on whatever lcores the EAL was
 * given (-l 0,1 here, -l 0-16 on a bigger machine: the same binary). K runs
 * from 1 to the lcores a variant can use; each line's baseline is K times
 * its own K = 1 figure from the same run, so ratio = scaling efficiency
 * (1.0: linear). The main lcore sleeps and reads counters, except where a
 * variant has no other lcore for a role (see scale.arbiter). Each variant
 * says on stderr how many lcores and CPUs it had.
 *
 * scale.fwd.kK: pk-fwd io with RSS, the streams pk-fwd --rxq=K --txq=K
 *   --nb-cores=K builds: net_null0 and net_null1 with K RX and K TX queues
 *   each, a stream per RX queue, each a path [port_rx queue q ->
 *   thread_continuation -> port_tx queue q of the other port] on its
 *   lcore's pk_runner. Worker k runs the two streams of queue k (pk-fwd
 *   deals them round robin instead; either way each queue and path has
 *   one lcore). Mpps summed over both ports' TX counters.
 * scale.fwd.raw.kK: the same with each worker running the raw loop
 *   (rte_eth_rx_burst -> rte_eth_tx_burst on its queues): what the device
 *   and the mempool give, to tell their scaling from PathKit's.
 * scale.demux.kK: K workers push into one demux_flow with mt=1 (1024 keys
 *   to 16 sink targets that take everything and do nothing), each a
 *   registered reader reporting a quiescent state after each burst, each
 *   with its own 4096 packets (64-byte UDP) uniform over all 1024 flows:
 *   every key is hit from every lcore. Mpps summed over the workers.
 * scale.demux.raw.kK: the same packets, pk_flow_parse() and
 *   rte_hash_lookup_bulk_data() on a bare rte_hash (the demux's
 *   parameters), runs handed to their sinks, a quiescent state per burst.
 * scale.arbiter.cN.kK: one arbiter lcore (the first worker, wfq, unlimited
 *   rate, direct output into a sink that frees, as a TX port's completion
 *   does) fed by N clients (1, 4, 16, 64) multiplexed over K client lcores
 *   (client c on lcore c mod K); each client lcore allocates bursts of 32
 *   and pushes them round robin into its clients' mailboxes, keeping what a
 *   full mailbox refused for the next. Mpps the output took. Client lcores
 *   are the other workers; with none (-l 0,1), the main lcore is the only
 *   client lcore (and measures in its loop), as in bench_arbiter.
 *
 * Oversubscribed lcores (--lcores='(0-4)@(0,1)' or 0@0,1@1,2@1,...) run:
 * the code paths work, but lcores that share a CPU take turns in OS time
 * slices, so their sum cannot exceed the CPUs' and the lines measure the
 * OS scheduler, not scaling; stderr says so (doc/performance.md, "Scaling
 * to N cores").
 *
 * K: 1, 2, 4, ... and the largest (--every-k: every K from 1).
 * Options after "--": --filter=RE, --ms=M (window, 300), --rounds=R (3).
 * Each figure: per round, a warm-up of M/2 ms and 3 windows of M ms, the
 * median window; the line gives the median over rounds, which alternate
 * K = 1..max (and raw with PathKit).
 */
#define _GNU_SOURCE /* rte_lcore_cpuset(), CPU_COUNT() */
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_stage_driver.h>

#include "bench_common.h"

#define BS_BURST 32
#define BS_WINDOWS 3
#define BS_MAX_ROUNDS 15
#define BS_FLOWS 1024
#define BS_TARGETS 16
#define BS_DEMUX_PKTS 4096   /* per pushing lcore */
#define BS_RUN_BURSTS 64     /* pk-fwd's budget per run, in bursts */
#define BS_MAX_CLIENTS 64

static unsigned int bs_workers[RTE_MAX_LCORE], bs_nb_workers;
static unsigned int bs_ms = 300, bs_rounds = 3;
static bool bs_every_k;  /* --every-k: 1..max, not powers of two and max */
static volatile int bs_stop;

/* Progress of each lcore: written by it alone, per burst; read by main. */
struct bs_count {
	uint64_t pkts;
} __rte_cache_aligned;
static struct bs_count bs_cnt[RTE_MAX_LCORE];

/* Add to the calling lcore's own counter (one writer: a plain sum). */
static inline void
bs_cnt_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

/* A variant at K lcores: start, what it moved so far, stop. */
struct bs_variant {
	const char *name;
	int (*start)(void *ctx, unsigned int k);
	uint64_t (*count)(void *ctx);
	void (*stop)(void *ctx, unsigned int k);
	/* the main lcore's time while it runs: sleep, or work (arbiter) */
	void (*wait)(void *ctx, unsigned int ms);
	void *ctx;
};

static void
bs_sleep(void *ctx, unsigned int ms)
{
	RTE_SET_USED(ctx);
	rte_delay_us_sleep(ms * 1000);
}

static uint64_t
bs_cnt_sum(void)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++)
		sum += __atomic_load_n(&bs_cnt[i].pkts, __ATOMIC_RELAXED);
	return sum;
}

/* Mpps of v at k lcores: warm-up, then the median of BS_WINDOWS windows. */
static double
bs_measure(const struct bs_variant *v, unsigned int k)
{
	double win[BS_WINDOWS];
	uint64_t p0, p1, t0, t1;
	unsigned int w;

	bs_stop = 0;
	if (v->start(v->ctx, k) != 0)
		rte_exit(EXIT_FAILURE, "%s: cannot start %u lcores\n", v->name,
			 k);
	v->wait(v->ctx, bs_ms / 2);
	for (w = 0; w < BS_WINDOWS; w++) {
		p0 = v->count(v->ctx);
		t0 = rte_rdtsc();
		v->wait(v->ctx, bs_ms);
		p1 = v->count(v->ctx);
		t1 = rte_rdtsc();
		win[w] = (double)(p1 - p0) * rte_get_tsc_hz() /
			 (double)(t1 - t0) / 1e6;
	}
	bs_stop = 1;
	v->stop(v->ctx, k);
	return bench_median(win, BS_WINDOWS);
}

/* CPUs the n given lcores run on, each counted once. */
static unsigned int
bs_cpus(const unsigned int *lcores, unsigned int n)
{
	rte_cpuset_t all, one;
	unsigned int i;

	CPU_ZERO(&all);
	for (i = 0; i < n; i++) {
		one = rte_lcore_cpuset(lcores[i]);
		CPU_OR(&all, &all, &one);
	}
	return CPU_COUNT(&all);
}

/* Say what a variant runs on: busy[0..nbusy) at its largest K. */
static void
bs_say_lcores(const char *what, unsigned int kmax, const unsigned int *busy,
	      unsigned int nbusy)
{
	unsigned int cpus = bs_cpus(busy, nbusy);

	fprintf(stderr, "%s: K = 1..%u; at K = %u, %u busy lcore(s) on %u "
		"CPU(s)%s\n", what, kmax, kmax, nbusy, cpus,
		cpus < nbusy ? ": OVERSUBSCRIBED, the lines measure time "
			       "slicing, not scaling" : "");
}

/* The K after k up to kmax: 1, 2, 4, ..., kmax (or every one). */
static unsigned int
bs_next_k(unsigned int k, unsigned int kmax)
{
	if (bs_every_k || k == kmax)
		return k + 1;
	return RTE_MIN(2 * k, kmax);
}

/* Is any of "<id>.k1" .. "<id>.k<kmax>" wanted? */
static bool
bs_wanted(const char *id, unsigned int kmax)
{
	char name[64];
	unsigned int k;

	for (k = 1; k <= kmax; k = bs_next_k(k, kmax)) {
		snprintf(name, sizeof(name), "%s.k%u", id, k);
		if (bench_wanted(name))
			return true;
	}
	return false;
}

/*
 * Run the variants pk (and raw, if not NULL) for k = 1..kmax, rounds
 * alternating; print "<id>.k<K>" lines against K x the k = 1 figure.
 */
static void
bs_run(const char *id, const struct bs_variant *pk, const char *raw_id,
       const struct bs_variant *raw, unsigned int kmax)
{
	static double v[2][RTE_MAX_LCORE + 1][BS_MAX_ROUNDS];
	const struct bs_variant *var[2] = { pk, raw };
	const char *ids[2] = { id, raw_id };
	double med[2][RTE_MAX_LCORE + 1];
	unsigned int r, k, s;
	char name[64];

	for (r = 0; r < bs_rounds; r++)
		for (k = 1; k <= kmax; k = bs_next_k(k, kmax))
			for (s = 0; s < 2; s++)
				if (var[s] != NULL)
					v[s][k][r] = bs_measure(var[s], k);
	for (s = 0; s < 2; s++) {
		if (var[s] == NULL)
			continue;
		for (k = 1; k <= kmax; k = bs_next_k(k, kmax)) {
			med[s][k] = bench_median(v[s][k], bs_rounds);
			fprintf(stderr, "%s.k%u Mpps: min %.3f median %.3f "
				"max %.3f (%u rounds)\n", ids[s], k,
				v[s][k][0], med[s][k],
				v[s][k][bs_rounds - 1], bs_rounds);
		}
		for (k = 1; k <= kmax; k = bs_next_k(k, kmax)) {
			snprintf(name, sizeof(name), "%s.k%u", ids[s], k);
			if (bench_wanted(name))
				bench_report(name, med[s][k], "Mpps",
					     k * med[s][1], false);
		}
	}
}

static unsigned int
bs_worker_index(void)
{
	unsigned int lc = rte_lcore_id(), q;

	for (q = 0; q < bs_nb_workers && bs_workers[q] != lc; q++)
		;
	return q;
}

static int
bs_launch(lcore_function_t *fn, void *ctx, unsigned int k)
{
	unsigned int j;

	for (j = 0; j < k; j++)
		if (rte_eal_remote_launch(fn, ctx, bs_workers[j]) != 0)
			return -1;
	return 0;
}

/* Say if a pool did not get all its mbufs back: a leak in what ran. */
static void
bs_pool_free(struct rte_mempool *mp)
{
	if (mp != NULL && !rte_mempool_full(mp))
		fprintf(stderr, "bench_scale: %s: %u mbufs not returned\n",
			mp->name, mp->size - rte_mempool_avail_count(mp));
	rte_mempool_free(mp);
}

/* ---- scale.fwd: pk-fwd io with RSS ---- */

struct bs_fwd {
	uint16_t port[2];
	unsigned int kmax;
	struct rte_mempool *mp;
	struct pk_runner *runner[RTE_MAX_LCORE];
	struct pk_path *path[RTE_MAX_LCORE][2]; /* worker k, from port i */
	struct pk_thread *thread[RTE_MAX_LCORE][2];
};

static int
bs_fwd_raw_main(void *arg)
{
	const struct bs_fwd *f = arg;
	struct rte_mbuf *pkts[BS_BURST];
	unsigned int q = bs_worker_index();
	uint16_t n, k, i;

	while (!bs_stop)
		for (i = 0; i < 2; i++) {
			n = rte_eth_rx_burst(f->port[i], q, pkts, BS_BURST);
			if (n == 0)
				continue;
			k = rte_eth_tx_burst(f->port[i ^ 1], q, pkts, n);
			if (unlikely(k < n))
				rte_pktmbuf_free_bulk(&pkts[k], n - k);
		}
	return 0;
}

static int
bs_fwd_raw_start(void *ctx, unsigned int k)
{
	return bs_launch(bs_fwd_raw_main, ctx, k);
}

static void
bs_wait_workers(void *ctx, unsigned int k)
{
	unsigned int j;

	RTE_SET_USED(ctx);
	for (j = 0; j < k; j++)
		rte_eal_wait_lcore(bs_workers[j]);
}

static int
bs_fwd_start(void *ctx, unsigned int k)
{
	struct bs_fwd *f = ctx;
	unsigned int j;

	for (j = 0; j < k; j++)
		if (pk_runner_start(f->runner[j]) != 0)
			return -1;
	return 0;
}

static void
bs_fwd_stop(void *ctx, unsigned int k)
{
	struct bs_fwd *f = ctx;
	unsigned int j;

	for (j = 0; j < k; j++)
		pk_runner_stop(f->runner[j]);
}

static uint64_t
bs_fwd_count(void *ctx)
{
	const struct bs_fwd *f = ctx;
	struct rte_eth_stats st;
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (rte_eth_stats_get(f->port[i], &st) == 0)
			sum += st.opackets;
	return sum;
}

static int
bs_port_get(unsigned int i, uint16_t *port_id)
{
	char name[16];

	snprintf(name, sizeof(name), "net_null%u", i);
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	if (rte_dev_probe(name) != 0)
		return -1;
	return rte_eth_dev_get_port_by_name(name, port_id);
}

/* Worker k's stream from port i: as pk-fwd's fwd_stream_build() for io. */
static int
bs_fwd_stream(struct bs_fwd *f, unsigned int k, unsigned int i)
{
	struct pk_thread_conf tc = { .burst = BS_BURST,
				     .budget = BS_RUN_BURSTS * BS_BURST,
				     .socket_id = SOCKET_ID_ANY };
	struct pk_path_conf pc = { .owner = 2 * k + i,
				   .tail = PK_PATH_TAIL_RETURN,
				   .socket_id = SOCKET_ID_ANY };
	char name[PK_STAGE_NAMESIZE], tname[PK_STAGE_NAMESIZE];
	struct pk_stage *st[3];
	unsigned int j;

	snprintf(name, sizeof(name), "rx%u.%u", f->port[i], k);
	st[0] = pk_port_rx_create(name, f->port[i], k, 0);
	snprintf(tname, sizeof(tname), "thread%u.%u", k, i);
	tc.name = tname;
	f->thread[k][i] = pk_thread_continuation_create(&tc, f->runner[k]);
	st[1] = f->thread[k][i] != NULL ? pk_thread_stage(f->thread[k][i]) :
					  NULL;
	snprintf(name, sizeof(name), "tx%u.%u", f->port[i ^ 1], k);
	st[2] = pk_port_tx_create(name, f->port[i ^ 1], k, 0);
	snprintf(name, sizeof(name), "stream%u.%u", k, i);
	pc.name = name;
	if (st[0] != NULL && st[1] != NULL && st[2] != NULL)
		f->path[k][i] = pk_path_create(&pc, st, 3);
	if (f->path[k][i] == NULL) {
		for (j = 0; j < 3; j++)
			pk_stage_destroy(st[j]);
		f->thread[k][i] = NULL;
		return -1;
	}
	return pk_thread_start(f->thread[k][i]);
}

static int
bs_fwd_setup(struct bs_fwd *f)
{
	struct pk_port_conf pc = { .nb_rxq = f->kmax, .nb_txq = f->kmax,
				   .rss = f->kmax > 1 };
	char name[32];
	unsigned int i, k;

	/* net_null's RX allocates and its TX frees: caches, bursts, slack */
	f->mp = rte_pktmbuf_pool_create("bs_fwd", 8191 + f->kmax * 1024, 250,
					0, RTE_MBUF_DEFAULT_BUF_SIZE,
					rte_socket_id());
	if (f->mp == NULL)
		return -1;
	pc.mp = f->mp;
	for (i = 0; i < 2; i++)
		if (bs_port_get(i, &f->port[i]) != 0 ||
		    pk_port_setup(f->port[i], &pc) != 0)
			return -1;
	for (k = 0; k < f->kmax; k++) {
		snprintf(name, sizeof(name), "bs_lc%u", bs_workers[k]);
		f->runner[k] = pk_runner_create(name, bs_workers[k],
						SOCKET_ID_ANY);
		if (f->runner[k] == NULL)
			return -1;
		for (i = 0; i < 2; i++)
			if (bs_fwd_stream(f, k, i) != 0)
				return -1;
	}
	return 0;
}

static void
bs_fwd_teardown(struct bs_fwd *f)
{
	unsigned int i, k;

	for (k = 0; k < f->kmax; k++) {
		pk_runner_stop(f->runner[k]);
		for (i = 0; i < 2; i++) {
			pk_thread_stop(f->thread[k][i]);
			pk_path_destroy(f->path[k][i]);
		}
		pk_runner_destroy(f->runner[k]);
	}
	for (i = 0; i < 2; i++)
		if (rte_eth_dev_is_valid_port(f->port[i]))
			pk_port_close(f->port[i]);
	bs_pool_free(f->mp);
}

static void
bs_fwd(void)
{
	static struct bs_fwd f = { .port = { UINT16_MAX, UINT16_MAX } };
	struct bs_variant pk = { "scale.fwd", bs_fwd_start, bs_fwd_count,
				 bs_fwd_stop, bs_sleep, &f };
	struct bs_variant raw = { "scale.fwd.raw", bs_fwd_raw_start,
				  bs_fwd_count, bs_wait_workers, bs_sleep,
				  &f };

	bool want_pk = bs_wanted("scale.fwd", bs_nb_workers);
	bool want_raw = bs_wanted("scale.fwd.raw", bs_nb_workers);

	if (!want_pk && !want_raw)
		return;
	f.kmax = bs_nb_workers;
	if (bs_fwd_setup(&f) != 0) {
		fprintf(stderr, "scale.fwd: setup failed: %s\n",
			rte_strerror(rte_errno));
		bs_fwd_teardown(&f);
		return;
	}
	bs_say_lcores("scale.fwd", f.kmax, bs_workers, f.kmax);
	bs_run("scale.fwd", want_pk ? &pk : NULL, "scale.fwd.raw",
	       want_raw ? &raw : NULL, f.kmax);
	bs_fwd_teardown(&f);
}

/* ---- scale.demux: one mt demux, K pushing lcores ---- */

struct bs_demux {
	struct pk_stage *d;
	struct rte_hash *h;          /* the raw side's bare table */
	struct rte_rcu_qsbr *qsbr;   /* and its RCU variable */
	struct pk_stage *sinks[BS_TARGETS];
	struct rte_mempool *mp;
	struct rte_mbuf **pkts[RTE_MAX_LCORE]; /* by worker index */
};

/* A target that takes every packet and does nothing: they stay ours. */
static uint16_t
bs_sink_keep(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(s);
	RTE_SET_USED(pkts);
	return n;
}

static const struct pk_stage_ops bs_keep_ops = {
	.kind = "bench_keep", .push = bs_sink_keep,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH,
};

static void
bs_flow_key(uint32_t f, struct pk_flow_key *k)
{
	pk_flow_key_ipv4(k, IPPROTO_UDP, RTE_BE32(RTE_IPV4(10, 0, 0, 2)),
			 RTE_BE16(9),
			 rte_cpu_to_be_32(RTE_IPV4(10, 128, 0, 0) + f),
			 rte_cpu_to_be_16(1024 + f));
}

/* Packet m as flow f: 64 bytes, Ethernet/IPv4/UDP (bench_demux's). */
static void
bs_make_udp4(struct rte_mbuf *m, uint32_t f)
{
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	rte_pktmbuf_reset(m);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 64);
	memset(eh, 0, 64);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = RTE_BE16(50);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 128, 0, 0) + f);
	ip->dst_addr = RTE_BE32(RTE_IPV4(10, 0, 0, 2));
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(1024 + f);
	udp->dst_port = RTE_BE16(9);
	udp->dgram_len = RTE_BE16(30);
}

/* The raw part a user would write: parse, bulk lookup, runs to targets. */
static inline unsigned int
bs_raw_burst(struct rte_hash *h, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_flow_key keys[BS_BURST];
	const void *kp[BS_BURST];
	void *data[BS_BURST];
	struct pk_stage *t;
	uint64_t hit = 0;
	unsigned int j, k, taken = 0;

	for (j = 0; j < n; j++) {
		pk_flow_parse(pkts[j], &keys[j]);
		kp[j] = &keys[j];
	}
	rte_hash_lookup_bulk_data(h, kp, n, &hit, data);
	if (unlikely(hit != UINT64_MAX >> (64 - n)))
		return 0; /* not in this benchmark */
	for (j = 0; j < n; j = k) {
		t = data[j];
		for (k = j + 1; k < n && data[k] == t; k++)
			;
		taken += pk_stage_push(t, &pkts[j], k - j);
	}
	return taken;
}

static int
bs_demux_main(void *arg)
{
	struct bs_demux *x = arg;
	unsigned int lc = rte_lcore_id(), i;
	struct rte_mbuf **pkts = x->pkts[bs_worker_index()];
	uint64_t *cnt = &bs_cnt[lc].pkts;

	if (pk_demux_flow_reader_register(x->d, lc) != 0) {
		fprintf(stderr, "scale.demux: lcore %u cannot register\n", lc);
		return -1;
	}
	while (!bs_stop)
		for (i = 0; i < BS_DEMUX_PKTS; i += BS_BURST) {
			bs_cnt_add(cnt, pk_stage_push(x->d, &pkts[i],
						      BS_BURST));
			pk_demux_flow_quiescent(x->d, lc);
		}
	pk_demux_flow_reader_unregister(x->d, lc);
	return 0;
}

static int
bs_demux_raw_main(void *arg)
{
	struct bs_demux *x = arg;
	unsigned int lc = rte_lcore_id(), i;
	struct rte_mbuf **pkts = x->pkts[bs_worker_index()];
	uint64_t *cnt = &bs_cnt[lc].pkts;

	rte_rcu_qsbr_thread_register(x->qsbr, lc);
	rte_rcu_qsbr_thread_online(x->qsbr, lc);
	while (!bs_stop)
		for (i = 0; i < BS_DEMUX_PKTS; i += BS_BURST) {
			bs_cnt_add(cnt, bs_raw_burst(x->h, &pkts[i],
						     BS_BURST));
			rte_rcu_qsbr_quiescent(x->qsbr, lc);
		}
	rte_rcu_qsbr_thread_offline(x->qsbr, lc);
	rte_rcu_qsbr_thread_unregister(x->qsbr, lc);
	return 0;
}

static int
bs_demux_start(void *ctx, unsigned int k)
{
	return bs_launch(bs_demux_main, ctx, k);
}

static int
bs_demux_raw_start(void *ctx, unsigned int k)
{
	return bs_launch(bs_demux_raw_main, ctx, k);
}

static uint64_t
bs_count_lcores(void *ctx)
{
	RTE_SET_USED(ctx);
	return bs_cnt_sum();
}

static int
bs_demux_setup(struct bs_demux *x)
{
	struct pk_demux_conf dc = { .name = "bs_demux", .capacity = BS_FLOWS,
				    .socket_id = SOCKET_ID_ANY,
				    .flags = PK_DEMUX_F_MT };
	struct rte_hash_parameters hp = {
		.name = "bs_bare", .entries = BS_FLOWS,
		.key_len = sizeof(struct pk_flow_key),
		.hash_func = rte_hash_crc, .socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct pk_flow_key key;
	char name[PK_STAGE_NAMESIZE];
	unsigned int i, k;

	for (i = 0; i < BS_TARGETS; i++) {
		snprintf(name, sizeof(name), "bs_keep%u", i);
		x->sinks[i] = pk_stage_alloc(sizeof(struct pk_stage),
					     &bs_keep_ops, name, 0,
					     SOCKET_ID_ANY);
		if (x->sinks[i] == NULL)
			return -1;
	}
	x->d = pk_demux_flow_create(&dc);
	x->h = rte_hash_create(&hp);
	x->qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE),
			      RTE_CACHE_LINE_SIZE);
	if (x->d == NULL || x->h == NULL || x->qsbr == NULL ||
	    rte_rcu_qsbr_init(x->qsbr, RTE_MAX_LCORE) != 0)
		return -1;
	for (i = 0; i < BS_FLOWS; i++) {
		bs_flow_key(i, &key);
		if (pk_demux_flow_add(x->d, &key, x->sinks[i % BS_TARGETS]) ||
		    rte_hash_add_key_data(x->h, &key,
					  x->sinks[i % BS_TARGETS]) != 0)
			return -1;
	}
	x->mp = rte_pktmbuf_pool_create("bs_demux", bs_nb_workers *
					BS_DEMUX_PKTS + 1023, 256, 0, 256,
					rte_socket_id());
	if (x->mp == NULL)
		return -1;
	for (k = 0; k < bs_nb_workers; k++) {
		x->pkts[k] = rte_malloc(NULL, BS_DEMUX_PKTS * sizeof(void *),
					RTE_CACHE_LINE_SIZE);
		if (x->pkts[k] == NULL ||
		    rte_pktmbuf_alloc_bulk(x->mp, x->pkts[k],
					   BS_DEMUX_PKTS) != 0) {
			rte_free(x->pkts[k]);
			x->pkts[k] = NULL;
			return -1;
		}
		for (i = 0; i < BS_DEMUX_PKTS; i++)
			bs_make_udp4(x->pkts[k][i], rte_rand() % BS_FLOWS);
	}
	return 0;
}

static void
bs_demux_teardown(struct bs_demux *x)
{
	unsigned int i;

	for (i = 0; i < bs_nb_workers; i++)
		if (x->pkts[i] != NULL) {
			rte_pktmbuf_free_bulk(x->pkts[i], BS_DEMUX_PKTS);
			rte_free(x->pkts[i]);
		}
	pk_stage_destroy(x->d);
	rte_hash_free(x->h);
	rte_free(x->qsbr);
	for (i = 0; i < BS_TARGETS; i++)
		pk_stage_destroy(x->sinks[i]);
	bs_pool_free(x->mp);
}

static void
bs_demux(void)
{
	static struct bs_demux x;
	struct bs_variant pk = { "scale.demux", bs_demux_start,
				 bs_count_lcores, bs_wait_workers, bs_sleep,
				 &x };
	struct bs_variant raw = { "scale.demux.raw", bs_demux_raw_start,
				  bs_count_lcores, bs_wait_workers, bs_sleep,
				  &x };
	bool want_pk = bs_wanted("scale.demux", bs_nb_workers);
	bool want_raw = bs_wanted("scale.demux.raw", bs_nb_workers);

	if (!want_pk && !want_raw)
		return;
	if (bs_demux_setup(&x) != 0) {
		fprintf(stderr, "scale.demux: setup failed: %s\n",
			rte_strerror(rte_errno));
	} else {
		bs_say_lcores("scale.demux", bs_nb_workers, bs_workers,
			      bs_nb_workers);
		bs_run("scale.demux", want_pk ? &pk : NULL, "scale.demux.raw",
		       want_raw ? &raw : NULL, bs_nb_workers);
	}
	bs_demux_teardown(&x);
}

/* ---- scale.arbiter: N clients on K client lcores, one arbiter lcore ---- */

/* A client lcore's burst in hand: what a full mailbox refused stays. */
struct bs_held {
	struct rte_mbuf *m[BS_BURST];
	unsigned int n;
	unsigned int next;       /* the next client it pushes to */
} __rte_cache_aligned;

struct bs_arb {
	struct pk_arbiter *a;
	struct pk_stage *out;    /* frees and counts: a TX port's stand-in */
	struct rte_mempool *mp;
	unsigned int nclients;
	unsigned int kc;         /* client lcores of this run */
	/* client lcore j: bs_workers[j + 1], or the main lcore if none */
	bool main_client;
	struct bs_held held[RTE_MAX_LCORE];
};

/* The output: the arbiter's thread is its only pusher. */
static uint16_t
bs_sink_free(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
	pk_counter_add(&s->in.pkts, n);
	return n;
}

static const struct pk_stage_ops bs_free_ops = {
	.kind = "bench_free", .push = bs_sink_free, .caps = PK_STAGE_CAP_PUSH,
};

/* Client lcore j: fill the burst, push it to the next of its clients. */
static void
bs_arb_clients(struct bs_arb *x, unsigned int j, uint64_t deadline)
{
	struct bs_held *h = &x->held[j];
	unsigned int c = h->next, i, k, need;

	while (!bs_stop && (deadline == 0 || rte_rdtsc() < deadline)) {
		need = BS_BURST - h->n;
		if (need != 0 &&
		    rte_pktmbuf_alloc_bulk(x->mp, &h->m[h->n], need) == 0) {
			for (i = h->n; i < BS_BURST; i++) {
				h->m[i]->data_len = 64;
				h->m[i]->pkt_len = 64;
			}
			h->n = BS_BURST;
		}
		k = pk_stage_push(pk_arbiter_client(x->a, c), h->m, h->n);
		if (k != 0 && k < h->n)
			memmove(h->m, &h->m[k], (h->n - k) * sizeof(h->m[0]));
		h->n -= k;
		c += x->kc;
		if (c >= x->nclients)
			c = j;
	}
	h->next = c;
}

static int
bs_arb_client_main(void *arg)
{
	struct bs_arb *x = arg;

	bs_arb_clients(x, bs_worker_index() - 1, 0);
	return 0;
}

static int
bs_arb_start(void *ctx, unsigned int k)
{
	struct bs_arb *x = ctx;
	struct pk_arbiter_conf c = {
		.nb_clients = x->nclients, .out = x->out,
		.lcore_id = bs_workers[0],
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	unsigned int j;

	x->kc = k;
	for (j = 0; j < k; j++) {
		x->held[j].n = 0;
		x->held[j].next = j;
	}
	x->a = pk_arbiter_create("bs_arb", &c);
	if (x->a == NULL || pk_arbiter_start(x->a) != 0)
		return -1;
	for (j = 0; j < k && !x->main_client; j++)
		if (rte_eal_remote_launch(bs_arb_client_main, x,
					  bs_workers[j + 1]) != 0)
			return -1;
	return 0;
}

static uint64_t
bs_arb_count(void *ctx)
{
	const struct bs_arb *x = ctx;

	return __atomic_load_n(&x->out->in.pkts, __ATOMIC_RELAXED);
}

static void
bs_arb_wait(void *ctx, unsigned int ms)
{
	struct bs_arb *x = ctx;

	if (x->main_client)
		bs_arb_clients(x, 0, rte_rdtsc() +
				     rte_get_tsc_hz() * ms / 1000);
	else
		rte_delay_us_sleep(ms * 1000);
}

static void
bs_arb_stop(void *ctx, unsigned int k)
{
	struct bs_arb *x = ctx;
	unsigned int j;

	for (j = 0; j < k && !x->main_client; j++)
		rte_eal_wait_lcore(bs_workers[j + 1]);
	pk_arbiter_stop(x->a); /* sends what it holds into out */
	pk_arbiter_destroy(x->a);
	x->a = NULL;
	for (j = 0; j < k; j++) {
		rte_pktmbuf_free_bulk(x->held[j].m, x->held[j].n);
		x->held[j].n = 0;
	}
}

static void
bs_arbiter(void)
{
	static const unsigned int clients[] = { 1, 4, 16, BS_MAX_CLIENTS };
	static struct bs_arb x;
	struct bs_variant pk = { NULL, bs_arb_start, bs_arb_count,
				 bs_arb_stop, bs_arb_wait, &x };
	unsigned int i, kc, kmax, busy[2] = { bs_workers[0] };
	char id[32];

	x.main_client = bs_nb_workers == 1;
	kc = x.main_client ? 1 : bs_nb_workers - 1;
	x.mp = rte_pktmbuf_pool_create("bs_arb", BS_MAX_CLIENTS * 768 +
				       (rte_lcore_count() + 1) * 512 + 4095,
				       256, 0, RTE_PKTMBUF_HEADROOM + 128,
				       rte_socket_id());
	x.out = pk_stage_alloc(sizeof(struct pk_stage), &bs_free_ops,
			       "bs_arb_out", 0, SOCKET_ID_ANY);
	if (x.mp == NULL || x.out == NULL) {
		fprintf(stderr, "scale.arbiter: setup failed\n");
		goto out;
	}
	for (i = 0; i < RTE_DIM(clients); i++) {
		snprintf(id, sizeof(id), "scale.arbiter.c%u", clients[i]);
		kmax = RTE_MIN(kc, clients[i]);
		if (!bs_wanted(id, kmax))
			continue;
		x.nclients = clients[i];
		pk.name = id;
		fprintf(stderr, "%s: the arbiter on lcore %u, the clients "
			"on %s\n", id, bs_workers[0], x.main_client ?
			"the main lcore (no other)" : "the other workers");
		if (x.main_client)
			busy[1] = rte_get_main_lcore();
		bs_say_lcores(id, kmax, x.main_client ? busy : bs_workers,
			      kmax + 1);
		bs_run(id, &pk, NULL, NULL, kmax);
	}
out:
	pk_stage_destroy(x.out);
	bs_pool_free(x.mp);
}

/* Take our options; leave the rest for bench_parse_args(). */
static int
bs_parse_args(int *argc, char **argv)
{
	int i, j = 1;

	for (i = 1; i < *argc; i++) {
		if (strncmp(argv[i], "--ms=", 5) == 0) {
			bs_ms = strtoul(argv[i] + 5, NULL, 10);
			if (bs_ms < 10 || bs_ms > 60000)
				return -1;
		} else if (strcmp(argv[i], "--every-k") == 0) {
			bs_every_k = true;
		} else if (strncmp(argv[i], "--rounds=", 9) == 0) {
			bs_rounds = strtoul(argv[i] + 9, NULL, 10);
			if (bs_rounds < 1 || bs_rounds > BS_MAX_ROUNDS)
				return -1;
		} else {
			argv[j++] = argv[i];
		}
	}
	*argc = j;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int lc;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	if (bs_parse_args(&argc, argv) != 0 ||
	    bench_parse_args(argc, argv) != 0) {
		fprintf(stderr, "usage: bench_scale <EAL args> -- "
			"[--filter=RE] [--ms=10..60000] [--rounds=1..%u] "
			"[--every-k]\n",
			BS_MAX_ROUNDS);
		return 1;
	}
	RTE_LCORE_FOREACH_WORKER(lc)
		bs_workers[bs_nb_workers++] = lc;
	if (bs_nb_workers == 0) {
		fprintf(stderr, "bench_scale: needs a worker lcore (-l 0,1)\n");
		rte_eal_cleanup();
		return 77;
	}
	bs_fwd();
	bs_demux();
	bs_arbiter();
	rte_eal_cleanup();
	return 0;
}
