/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_live: what a live reload (pk_conf_reload_string(), issue 18) costs
 * the packets going through. A configuration (net_ring0 -> a runner's
 * thread -> a demux with two keys -> two queues -> a wfq scheduler -> a
 * thread -> net_ring1) forwards steady numbered traffic in 8 flows from a
 * pthread that keeps 128 packets in flight (tests/common/pk_test_live.h);
 * windows of 0.5 s alternate: without reloads, then with a reload every
 * 10 ms (two texts differing in a weight and a queue size).
 *
 *   live.swap_pause_us  the longest any packet waited (sent to received),
 *                       median over the windows with reloads; baseline:
 *                       the same over the windows without; ratio =
 *                       baseline / value (1: reloads add no wait)
 *   live.swap_loss      packets lost, duplicated or out of order in their
 *                       flow over the whole run (must be 0); baseline 0
 *
 * A comment line gives the switch itself (pk_conf_reload_stats.pause_ns:
 * old threads stopped to new ones started), median and longest.
 * net_ring0/1 are probed here unless the EAL arguments made them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_pause.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"
#include "../common/pk_test_live.h"

#define LIVE_WINDOWS 5
#define LIVE_WINDOW_MS 500
#define LIVE_EVERY_MS 10
#define LIVE_MAX_RELOADS (LIVE_WINDOWS * LIVE_WINDOW_MS / LIVE_EVERY_MS)

static const char live_text[] =
	"port net_ring0\nport net_ring1\nrunner r0 (lcore=%u)\n"
	"rx :: port_rx(port=net_ring0) -> t0 :: thread_continuation("
	"runner=r0) -> d :: demux_flow(capacity=16)\n"
	"d[a] -> qa :: queue_ring(size=%u)\n"
	"d[b] -> qb :: queue_ring(size=256)\n"
	"qa -> s :: pktsched(policy=wfq)[weight=%u]\n"
	"qb -> s[weight=1]\n"
	"s -> t1 :: thread_continuation(runner=r0) -> "
	"tx :: port_tx(port=net_ring1)\n"
	"key d[a] udp 10.0.0.2:9\nkey d[b] udp 10.0.0.2:10\n";

static int
live_port(const char *name, uint16_t *id)
{
	if (pk_port_lookup(name, id) == 0)
		return 0;
	if (rte_dev_probe(name) != 0)
		return -1;
	return pk_port_lookup(name, id);
}

static double
live_us(uint64_t cycles)
{
	return (double)cycles * 1e6 / (double)rte_get_tsc_hz();
}

/* One window: reloads every LIVE_EVERY_MS or none; the longest wait. */
static double
live_window(struct live_traffic *lt, struct pk_conf *c, char text[2][1024],
	    bool reloads, uint64_t *pause, unsigned int *np, int *rc)
{
	uint64_t hz = rte_get_tsc_hz(), end;
	struct pk_conf_reload_stats st;
	unsigned int k = 0;

	lt->reset_max = true;
	while (lt->reset_max)
		rte_pause();
	end = rte_get_tsc_cycles() + hz * LIVE_WINDOW_MS / 1000;
	while (rte_get_tsc_cycles() < end && *rc == 0) {
		rte_delay_us_sleep(LIVE_EVERY_MS * 1000);
		if (!reloads)
			continue;
		*rc = pk_conf_reload_string(c, text[k++ % 2], "live.conf",
					    stderr, &st);
		if (*rc == 0 && *np < LIVE_MAX_RELOADS)
			pause[(*np)++] = st.pause_ns;
	}
	return live_us(lt->max_wait);
}

static int
live_run(struct rte_mempool *mp, unsigned int lcore, uint16_t in,
	 uint16_t out)
{
	struct pk_conf_params p = { .mp = mp, .socket_id = SOCKET_ID_ANY };
	struct live_traffic lt = {
		.mp = mp, .in_port = in, .out_port = out, .window = 128,
	};
	double with[LIVE_WINDOWS], without[LIVE_WINDOWS], pd[LIVE_MAX_RELOADS];
	static uint64_t pause[LIVE_MAX_RELOADS];
	unsigned int i, np = 0;
	char text[2][1024];
	struct pk_conf *c;
	uint64_t loss;
	double med;
	int rc = 0;

	snprintf(text[0], sizeof(text[0]), live_text, lcore, 256u, 1u);
	snprintf(text[1], sizeof(text[1]), live_text, lcore, 512u, 4u);
	c = pk_conf_load_string(text[0], "live.conf", &p);
	if (c == NULL || pk_conf_start(c) != 0 || live_start(&lt) != 0) {
		fprintf(stderr, "bench_live: cannot start: %s\n",
			rte_strerror(rte_errno));
		pk_conf_destroy(c);
		return -1;
	}
	for (i = 0; i < LIVE_WINDOWS && rc == 0; i++) {
		without[i] = live_window(&lt, c, text, false, pause, &np, &rc);
		with[i] = live_window(&lt, c, text, true, pause, &np, &rc);
	}
	live_stop(&lt);
	pk_conf_destroy(c);
	if (rc != 0) {
		fprintf(stderr, "bench_live: a reload failed: %s\n",
			rte_strerror(-rc));
		return -1;
	}
	for (i = 0; i < np; i++)
		pd[i] = (double)pause[i] / 1000.0;
	med = bench_median(pd, np); /* sorts pd */
	printf("# %u reloads, %" PRIu64 " packets; the switch: median %.1f "
	       "us, longest %.1f us\n", np, lt.sent, med,
	       np > 0 ? pd[np - 1] : 0.0);
	if (bench_wanted("live.swap_pause_us"))
		bench_report("live.swap_pause_us",
			     bench_median(with, LIVE_WINDOWS), "us",
			     bench_median(without, LIVE_WINDOWS), true);
	loss = lt.sent - RTE_MIN(lt.recv, lt.sent) + lt.dup + lt.gaps;
	if (bench_wanted("live.swap_loss"))
		bench_report("live.swap_loss", (double)loss, "pkts", 0, true);
	return loss == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	unsigned int lcore;
	uint16_t in, out;
	int ret, rc = 1;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "bench_live: EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	if (bench_parse_args(argc - ret, argv + ret) != 0) {
		fprintf(stderr, "usage: bench_live <EAL args> -- "
			"[--filter=RE]\n");
		return 1;
	}
	if (!bench_wanted("live.swap_pause_us") &&
	    !bench_wanted("live.swap_loss"))
		return 0;
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "bench_live: needs a worker lcore (-l 0,1)\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("bench_live", 4095, 64, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL || live_port("net_ring0", &in) != 0 ||
	    live_port("net_ring1", &out) != 0)
		fprintf(stderr, "bench_live: setup failed: %s\n",
			rte_strerror(rte_errno));
	else
		rc = live_run(mp, lcore, in, out);
	if (mp != NULL && !rte_mempool_full(mp))
		fprintf(stderr, "bench_live: %u mbufs not returned\n",
			mp->size - rte_mempool_avail_count(mp));
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
