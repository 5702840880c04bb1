/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_scale's scale.fwd variants (the K loop: bench_scale.c).
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
 */
#include <stdio.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#include "bench_scale.h"

#define BS_RUN_BURSTS 64     /* pk-fwd's budget per run, in bursts */

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

void
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
