/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_port: port-to-port forwarding on one lcore, net_null0 <-> net_null1.
 *
 * The forwarding lcore (the first worker: run with -l 0,1) pulls a burst of
 * up to 32 from each port's RX and pushes it into the other port's TX,
 * freeing what TX refuses, as dpdk-testpmd --forward-mode=io does. The main
 * lcore sleeps and reads the ports' TX counters over steady windows; Mpps
 * are summed over both directions, median of the windows.
 *
 * Modes (--mode=):
 *   raw         rte_eth_rx_burst() -> rte_eth_tx_burst(): the DPDK baseline.
 *   pk          port_rx stage -> port_tx stage, kinds by name with their
 *               default arguments (packets counted, not bytes).
 *   pk_bytes    the same with bytes=1: what byte counting costs.
 *   path        port_rx stage -> path [port_tx], tail policy "drop".
 *   all         (default) 3 rounds of every mode, alternating; one line per
 *               mode but raw, against raw, in Mpps (ratio = value / raw):
 *               port.null_io.stages, port.null_io.stages_bytes,
 *               port.null_io.path.
 * With any other mode it forwards for --seconds=S (default 5) after a
 * one-second warm-up and prints "port.null_io.<mode> mpps=<median> min=..
 * max=..": tests/perf/bench_port_null_io.sh compares that with dpdk-testpmd
 * (the port.null_io line).
 *
 * Other options: --mbufs=N (pool size, default 8192, as testpmd's
 * --total-num-mbufs; cache 250 as testpmd's default --mbcache). --packed:
 * lay the mbufs out back to back, as they are with hugepages (see
 * pt_pool_create()); the default is the layout testpmd gets here.
 * net_null0/1 are probed here unless the EAL arguments already made them;
 * net_null's defaults (64-byte packets, no copy) are what testpmd gets too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"

#define PT_BURST 32
#define PT_MBUF_CACHE 250     /* testpmd's default --mbcache */
#define PT_ROUNDS 3
#define PT_MAX_WINDOWS 64

enum pt_mode {
	PT_RAW,
	PT_PK,
	PT_PK_BYTES,
	PT_PATH,
	PT_NB_MODES,
	PT_ALL = PT_NB_MODES,
};

static const char *const pt_mode_names[] = {
	"raw", "pk", "pk_bytes", "path", "all",
};

/* The line each mode but raw prints in --mode=all. */
static const char *const pt_mode_ids[PT_NB_MODES] = {
	[PT_PK] = "port.null_io.stages",
	[PT_PK_BYTES] = "port.null_io.stages_bytes",
	[PT_PATH] = "port.null_io.path",
};

struct pt_ctx {
	enum pt_mode mode;
	uint16_t port[2];
	/* mode m: rx[m][i] receives on port[i], out[m][i] sends on the other */
	struct pk_stage *rx[PT_NB_MODES][2];
	struct pk_stage *out[PT_NB_MODES][2];
	unsigned int stop;        /* set by main, read by the forwarder */
};

/* The raw loop, as testpmd's io mode (without its per-stream counters). */
static void
pt_fwd_raw(struct pt_ctx *c)
{
	struct rte_mbuf *pkts[PT_BURST];
	uint16_t n, k, i;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED))
		for (i = 0; i < 2; i++) {
			n = rte_eth_rx_burst(c->port[i], 0, pkts, PT_BURST);
			if (n == 0)
				continue;
			k = rte_eth_tx_burst(c->port[i ^ 1], 0, pkts, n);
			if (unlikely(k < n))
				rte_pktmbuf_free_bulk(&pkts[k], n - k);
		}
}

/* The same through stages: pull RX, push into a TX stage or a path. */
static void
pt_fwd_stages(struct pt_ctx *c)
{
	struct pk_stage **rx = c->rx[c->mode], **out = c->out[c->mode];
	struct rte_mbuf *pkts[PT_BURST];
	uint16_t n, k, i;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED))
		for (i = 0; i < 2; i++) {
			n = pk_stage_pull(rx[i], pkts, PT_BURST);
			if (n == 0)
				continue;
			k = pk_stage_push(out[i], pkts, n);
			if (unlikely(k < n)) /* refused ones are still ours */
				rte_pktmbuf_free_bulk(&pkts[k], n - k);
		}
}

static int
pt_fwd_main(void *arg)
{
	struct pt_ctx *c = arg;

	if (c->mode == PT_RAW)
		pt_fwd_raw(c);
	else
		pt_fwd_stages(c);
	return 0;
}

static uint64_t
pt_tx_total(const struct pt_ctx *c)
{
	struct rte_eth_stats st;
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (rte_eth_stats_get(c->port[i], &st) == 0)
			sum += st.opackets;
	return sum;
}

/* Forward in mode on lcore; Mpps of each window into mpps[]. */
static int
pt_measure(struct pt_ctx *c, enum pt_mode mode, unsigned int lcore,
	   unsigned int warm_ms, unsigned int window_ms, double *mpps,
	   unsigned int windows)
{
	uint64_t p0, p1, t0, t1;
	unsigned int w;

	c->mode = mode;
	__atomic_store_n(&c->stop, 0, __ATOMIC_RELAXED);
	if (rte_eal_remote_launch(pt_fwd_main, c, lcore) != 0)
		return -1;
	/* sleep, do not spin: the main lcore must not steal a core */
	rte_delay_us_sleep(warm_ms * 1000);
	for (w = 0; w < windows; w++) {
		p0 = pt_tx_total(c);
		t0 = rte_rdtsc();
		rte_delay_us_sleep(window_ms * 1000);
		p1 = pt_tx_total(c);
		t1 = rte_rdtsc();
		mpps[w] = (double)(p1 - p0) * rte_get_tsc_hz() /
			  (double)(t1 - t0) / 1e6;
	}
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
	return rte_eal_wait_lcore(lcore);
}

static void
pt_spread(const char *what, double *v, unsigned int n, double *med)
{
	*med = bench_median(v, n); /* sorts v */
	fprintf(stderr, "%s Mpps: min %.3f median %.3f max %.3f (%u)\n", what,
		v[0], *med, v[n - 1], n);
}

/* --mode=all: rounds alternate the modes; medians of the round medians. */
static int
pt_run_all(struct pt_ctx *c, unsigned int lcore)
{
	double per[PT_NB_MODES][PT_ROUNDS], win[3], med[PT_NB_MODES];
	unsigned int r, m;
	char what[64];

	for (m = PT_PK; m < PT_NB_MODES && !bench_wanted(pt_mode_ids[m]); m++)
		;
	if (m == PT_NB_MODES)
		return 0;
	for (r = 0; r < PT_ROUNDS; r++)
		for (m = 0; m < PT_NB_MODES; m++) {
			if (pt_measure(c, m, lcore, 200, 300, win, 3) != 0)
				return -1;
			per[m][r] = bench_median(win, 3);
		}
	for (m = 0; m < PT_NB_MODES; m++) {
		snprintf(what, sizeof(what), "port.null_io %s",
			 pt_mode_names[m]);
		pt_spread(what, per[m], PT_ROUNDS, &med[m]);
	}
	for (m = PT_PK; m < PT_NB_MODES; m++)
		if (bench_wanted(pt_mode_ids[m]))
			bench_report(pt_mode_ids[m], med[m], "Mpps",
				     med[PT_RAW], false);
	return 0;
}

/* One mode for --seconds: for the comparison with testpmd. */
static int
pt_run_one(struct pt_ctx *c, unsigned int lcore, unsigned int seconds)
{
	double win[PT_MAX_WINDOWS], med;
	char what[64];

	if (pt_measure(c, c->mode, lcore, 1000, 1000, win, seconds) != 0)
		return -1;
	snprintf(what, sizeof(what), "port.null_io.%s", pt_mode_names[c->mode]);
	pt_spread(what, win, seconds, &med);
	printf("%s mpps=%.3f min=%.3f max=%.3f\n", what, med, win[0],
	       win[seconds - 1]);
	return 0;
}

/* Probe net_null<i> unless the EAL arguments already did. */
static int
pt_port_get(unsigned int i, uint16_t *port_id)
{
	char name[16];

	snprintf(name, sizeof(name), "net_null%u", i);
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	if (rte_dev_probe(name) != 0) {
		fprintf(stderr, "bench_port: cannot probe %s\n", name);
		return -1;
	}
	return rte_eth_dev_get_port_by_name(name, port_id);
}

static struct pk_stage *
pt_stage(const char *kind, const char *name, uint16_t port, bool bytes)
{
	char args[48];

	snprintf(args, sizeof(args), "port=%u,bytes=%d", port, bytes);
	return pk_stage_create(kind, name, args, SOCKET_ID_ANY);
}

/* Stages of mode m for direction i: rx on port[i], tx on port[i ^ 1]. */
static int
pt_setup_mode(struct pt_ctx *c, enum pt_mode m, unsigned int i)
{
	struct pk_path_conf pc = { .tail = PK_PATH_TAIL_DROP,
				   .socket_id = SOCKET_ID_ANY };
	char name[PK_STAGE_NAMESIZE];
	bool bytes = m == PT_PK_BYTES; /* the kinds' default is bytes=0 */
	struct pk_path *p;

	snprintf(name, sizeof(name), "%s.rx%u", pt_mode_names[m], i);
	c->rx[m][i] = pt_stage("port_rx", name, c->port[i], bytes);
	snprintf(name, sizeof(name), "%s.tx%u", pt_mode_names[m], i ^ 1);
	c->out[m][i] = pt_stage("port_tx", name, c->port[i ^ 1], bytes);
	if (c->rx[m][i] == NULL || c->out[m][i] == NULL)
		return -1;
	if (m != PT_PATH)
		return 0;
	snprintf(name, sizeof(name), "fwd%u", i);
	pc.name = name;
	p = pk_path_create(&pc, &c->out[m][i], 1);
	if (p == NULL)
		return -1;
	c->out[m][i] = pk_path_stage(p); /* the path owns the tx stage now */
	return 0;
}

static int
pt_setup(struct pt_ctx *c, struct rte_mempool *mp)
{
	struct pk_port_conf conf = { .mp = mp };
	unsigned int i, m;

	for (i = 0; i < 2; i++)
		if (pt_port_get(i, &c->port[i]) != 0 ||
		    pk_port_setup(c->port[i], &conf) != 0)
			return -1;
	for (m = PT_PK; m < PT_NB_MODES; m++)
		for (i = 0; i < 2; i++)
			if (pt_setup_mode(c, m, i) != 0)
				return -1;
	return 0;
}

static void
pt_teardown(struct pt_ctx *c)
{
	unsigned int i, m;

	for (m = PT_PK; m < PT_NB_MODES; m++)
		for (i = 0; i < 2; i++) {
			pk_stage_destroy(c->rx[m][i]);
			/* a path goes with its tx stage */
			pk_stage_destroy(c->out[m][i]);
		}
	for (i = 0; i < 2; i++)
		if (rte_eth_dev_is_valid_port(c->port[i]))
			pk_port_close(c->port[i]);
}

/*
 * Without hugepages DPDK keeps each object inside one 4 KB page, so with
 * 2 KB buffers every mbuf starts at the same page offset: all mbuf headers
 * share one L1 set, and a walk over a burst's headers misses. --packed
 * lays them out back to back, as with hugepages (net_null does no DMA, so
 * the pool need not be IOVA-contiguous).
 */
static struct rte_mempool *
pt_pool_create(unsigned int n, bool packed)
{
	return bench_pool_create("pt_pool", n, PT_MBUF_CACHE, rte_socket_id(),
				 packed);
}

/* Take our options; leave the rest for bench_parse_args(). */
static int
pt_parse_args(int *argc, char **argv, struct pt_ctx *c, unsigned int *seconds,
	      unsigned int *mbufs, bool *packed)
{
	int i, j = 1;
	unsigned int m;

	for (i = 1; i < *argc; i++) {
		if (strncmp(argv[i], "--mode=", 7) == 0) {
			for (m = 0; m <= PT_ALL; m++)
				if (strcmp(argv[i] + 7, pt_mode_names[m]) == 0)
					break;
			if (m > PT_ALL)
				return -1;
			c->mode = m;
		} else if (strncmp(argv[i], "--seconds=", 10) == 0) {
			*seconds = strtoul(argv[i] + 10, NULL, 10);
			if (*seconds < 1 || *seconds > PT_MAX_WINDOWS)
				return -1;
		} else if (strncmp(argv[i], "--mbufs=", 8) == 0) {
			*mbufs = strtoul(argv[i] + 8, NULL, 10);
			if (*mbufs < 1024)
				return -1;
		} else if (strcmp(argv[i], "--packed") == 0) {
			*packed = true;
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
	struct pt_ctx c = {
		.mode = PT_ALL, .port = { UINT16_MAX, UINT16_MAX },
	};
	unsigned int seconds = 5, mbufs = 8192, lcore;
	bool packed = false;
	struct rte_mempool *mp;
	int ret, rc = 1;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "bench_port: EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (pt_parse_args(&argc, argv, &c, &seconds, &mbufs, &packed) != 0 ||
	    bench_parse_args(argc, argv) != 0) {
		fprintf(stderr, "usage: bench_port <EAL args> -- [--filter=RE]"
			" [--mode=all|raw|pk|pk_bytes|path] [--seconds=1..%d]"
			" [--mbufs=N>=1024] [--packed]\n", PT_MAX_WINDOWS);
		return 1;
	}
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "bench_port: needs a worker lcore (-l 0,1)\n");
		return 1;
	}
	mp = pt_pool_create(mbufs, packed);
	if (mp != NULL && pt_setup(&c, mp) == 0)
		rc = c.mode == PT_ALL ? pt_run_all(&c, lcore) :
					pt_run_one(&c, lcore, seconds);
	else
		fprintf(stderr, "bench_port: setup failed: %s\n",
			rte_strerror(rte_errno));
	pt_teardown(&c);
	if (mp != NULL && !rte_mempool_full(mp))
		fprintf(stderr, "bench_port: %u mbufs not returned\n",
			mp->size - rte_mempool_avail_count(mp));
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
