/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-fwd: a testpmd-like forwarder in which every forwarding engine is a
 * PathKit path. EAL arguments, "--", then testpmd's options:
 *
 *   pk-fwd <EAL args> -- --forward-mode=macswap --nb-cores=1 --burst=32
 *          --stats-period 1 [--duration=S] [--flows=N] ...
 *
 * Ports pair up as testpmd pairs them (0<->1, 2<->3, ...; an odd last port
 * forwards to itself). Each RX queue of each port is a stream (pk_fwd.h);
 * streams are spread over the forwarding lcores, one pk_runner per lcore
 * scheduling the continuation threads of its streams. The main lcore prints
 * statistics. SIGINT/SIGTERM (or --duration) stop it and print testpmd's
 * final statistics and PathKit's per-stage counters. With -i, a prompt
 * (pk_prompt.h) instead: start, stop, show port stats all, ... as
 * testpmd's. Options are read before the EAL starts (EAL arguments end at
 * "--"): a bad one exits 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "pk_fwd.h"
#include "pk_prompt.h"

#define FWD_MBUF_CACHE 250
#define FWD_FLUSH_MS 10 /* per queue and round: net_null never runs dry */

static uint16_t fwd_ports[RTE_MAX_ETHPORTS];
static uint16_t fwd_nb_ports;
static unsigned int fwd_lcores[RTE_MAX_LCORE];
static unsigned int fwd_nb_lcores;
static struct pk_runner *fwd_runners[RTE_MAX_LCORE];
static struct fwd_stream *fwd_streams;
static unsigned int fwd_nb_streams;
static struct rte_mempool *fwd_mp;

static int
fwd_pick_ports(void)
{
	uint16_t p;

	RTE_ETH_FOREACH_DEV(p) {
		if (fwd_conf.portmask != 0 &&
		    (p >= 64 || !(fwd_conf.portmask & (1ull << p))))
			continue;
		fwd_ports[fwd_nb_ports++] = p;
		/* testpmd's default peer address: 02:00:00:00:00:<port> */
		if (rte_is_zero_ether_addr(&fwd_conf.peer[p])) {
			fwd_conf.peer[p].addr_bytes[0] = 0x02;
			fwd_conf.peer[p].addr_bytes[5] = (uint8_t)p;
		}
	}
	if (fwd_nb_ports == 0) {
		fprintf(stderr, "no ports%s: give some, e.g. "
			"--vdev=net_null0\n",
			fwd_conf.portmask != 0 ? " in --portmask" : "");
		return -1;
	}
	return 0;
}

static int
fwd_pick_lcores(void)
{
	unsigned int lc;

	RTE_LCORE_FOREACH_WORKER(lc) {
		if (fwd_conf.nb_cores != 0 &&
		    fwd_nb_lcores == fwd_conf.nb_cores)
			break;
		fwd_lcores[fwd_nb_lcores++] = lc;
	}
	if (fwd_nb_lcores == 0) {
		fprintf(stderr, "no forwarding lcore: give at least two lcores "
			"(-l 0,1): the main lcore only prints statistics\n");
		return -1;
	}
	if (fwd_conf.nb_cores > fwd_nb_lcores)
		fprintf(stderr, "--nb-cores=%u: only %u worker lcore(s)\n",
			fwd_conf.nb_cores, fwd_nb_lcores);
	return 0;
}

/* Enough for every descriptor, every lcore's cache and bursts in flight. */
static int
fwd_setup_ports(void)
{
	struct pk_port_conf pc = {
		.nb_rxq = fwd_conf.nb_rxq, .nb_txq = fwd_conf.nb_txq,
		.nb_rxd = fwd_conf.nb_rxd, .nb_txd = fwd_conf.nb_txd,
		.promiscuous = true, .rss = fwd_conf.nb_rxq > 1,
	};
	uint32_t n = fwd_conf.nb_mbufs;
	unsigned int rxd = pc.nb_rxd ? pc.nb_rxd : 1024;
	unsigned int txd = pc.nb_txd ? pc.nb_txd : 1024;
	uint16_t i;

	if (n == 0)
		n = fwd_nb_ports * (pc.nb_rxq * rxd + pc.nb_txq * txd) +
		    (fwd_nb_lcores + 1) * (FWD_MBUF_CACHE + FWD_MAX_BURST) +
		    4096;
	fwd_mp = rte_pktmbuf_pool_create("pk_fwd_mbufs", n, FWD_MBUF_CACHE,
					 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					 rte_socket_id());
	if (fwd_mp == NULL) {
		fprintf(stderr, "cannot create %u mbufs: %s (give more -m)\n",
			n, rte_strerror(rte_errno));
		return -1;
	}
	pc.mp = fwd_mp;
	for (i = 0; i < fwd_nb_ports; i++)
		if (pk_port_setup(fwd_ports[i], &pc) != 0) {
			fprintf(stderr, "port %u: setup failed\n",
				fwd_ports[i]);
			return -1;
		}
	return 0;
}

static int
fwd_setup_runners(void)
{
	char name[32];
	unsigned int i;

	for (i = 0; i < fwd_nb_lcores; i++) {
		snprintf(name, sizeof(name), "lcore%u", fwd_lcores[i]);
		fwd_runners[i] = pk_runner_create(name, fwd_lcores[i],
						  SOCKET_ID_ANY);
		if (fwd_runners[i] == NULL) {
			fprintf(stderr, "runner on lcore %u: %s\n",
				fwd_lcores[i], rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

/* Queue-major, so that the streams of one queue index share an lcore. */
static int
fwd_setup_streams(void)
{
	unsigned int q, i, idx = 0;

	fwd_nb_streams = fwd_nb_ports * fwd_conf.nb_rxq;
	fwd_streams = calloc(fwd_nb_streams, sizeof(*fwd_streams));
	if (fwd_streams == NULL)
		return -1;
	for (q = 0; q < fwd_conf.nb_rxq; q++)
		for (i = 0; i < fwd_nb_ports; i++, idx++) {
			struct fwd_stream *fs = &fwd_streams[idx];

			fs->rx_port = fwd_ports[i];
			fs->rx_queue = (uint16_t)q;
			fs->tx_port = (i ^ 1) < fwd_nb_ports ?
				      fwd_ports[i ^ 1] : fwd_ports[i];
			fs->tx_queue = (uint16_t)q;
			fs->lcore = fwd_lcores[idx % fwd_nb_lcores];
			fs->runner = fwd_runners[idx % fwd_nb_lcores];
			if (fwd_stream_build(fs, fwd_mp, idx) != 0)
				return -1;
		}
	return 0;
}

/* testpmd drops what arrived before forwarding starts (--no-flush-rx: not). */
static void
fwd_flush_rx(void)
{
	struct rte_mbuf *pkts[FWD_MAX_BURST];
	uint64_t end;
	unsigned int round, i;
	uint16_t n;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < fwd_nb_streams; i++) {
			end = rte_get_tsc_cycles() +
			      rte_get_tsc_hz() * FWD_FLUSH_MS / 1000;
			do {
				n = rte_eth_rx_burst(fwd_streams[i].rx_port,
						     fwd_streams[i].rx_queue,
						     pkts, FWD_MAX_BURST);
				rte_pktmbuf_free_bulk(pkts, n);
			} while (n > 0 && rte_get_tsc_cycles() < end);
		}
		/* sleep, not rte_delay_ms(): a spinning lcore slows workers */
		rte_delay_us_sleep(10 * 1000);
	}
}

static int
fwd_start(void)
{
	unsigned int i;

	for (i = 0; i < fwd_nb_streams; i++)
		if (pk_thread_start(fwd_streams[i].thread) != 0)
			return -1;
	for (i = 0; i < fwd_nb_lcores; i++)
		if (pk_runner_start(fwd_runners[i]) != 0)
			return -1;
	return 0;
}

/* The main lcore: statistics every --stats-period until stopped. */
static void
fwd_wait(void)
{
	uint64_t hz = rte_get_tsc_hz(), start = rte_get_tsc_cycles();
	uint64_t period = pk_example_ns_to_tsc(fwd_conf.stats_period, hz);
	uint64_t duration = pk_example_ns_to_tsc(fwd_conf.duration, hz);
	uint64_t next = start + period;
	uint64_t now;

	while (!pk_example_quit) {
		/* sleep, not rte_delay_ms(): a spinning lcore slows workers */
		rte_delay_us_sleep(10 * 1000);
		now = rte_get_tsc_cycles();
		if (fwd_conf.duration > 0 && now - start >= duration)
			break;
		if (fwd_conf.stats_period > 0 && now >= next) {
			fwd_stats_periodic(fwd_ports, fwd_nb_ports);
			next = now + period;
		}
	}
}

/* -i: testpmd's start starts the streams' threads once, then runners. */
static bool fwd_started;

static int
fwd_prompt_start(void)
{
	unsigned int i;
	int rc = 0;

	fwd_stats_start(fwd_ports, fwd_nb_ports);
	if (!fwd_started) {
		fwd_started = true;
		return fwd_start() == 0 ? 0 : -EIO;
	}
	for (i = 0; i < fwd_nb_lcores && rc == 0; i++) {
		rc = pk_runner_start(fwd_runners[i]);
		rc = rc == -EALREADY ? 0 : rc;
	}
	return rc;
}

static int
fwd_prompt_stop(void)
{
	unsigned int i;

	for (i = 0; i < fwd_nb_lcores; i++)
		pk_runner_stop(fwd_runners[i]);
	return 0;
}

static void
fwd_prompt_fwd_stats(FILE *f)
{
	(void)f; /* stats.c prints on stdout */
	fwd_stats_final(fwd_ports, fwd_nb_ports, fwd_streams, fwd_nb_streams);
}

static void
fwd_prompt_port_stats(FILE *f)
{
	(void)f;
	fwd_stats_periodic(fwd_ports, fwd_nb_ports);
}

static const struct pk_prompt_app fwd_prompt = {
	.prompt = "pk-fwd> ", .start = fwd_prompt_start,
	.stop = fwd_prompt_stop, .fwd_stats = fwd_prompt_fwd_stats,
	.port_stats = fwd_prompt_port_stats,
};

static void
fwd_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < fwd_nb_lcores; i++)
		pk_runner_stop(fwd_runners[i]);
	for (i = 0; i < fwd_nb_streams && fwd_streams != NULL; i++)
		fwd_stream_destroy(&fwd_streams[i]);
	free(fwd_streams);
	for (i = 0; i < fwd_nb_lcores; i++)
		pk_runner_destroy(fwd_runners[i]);
	for (i = 0; i < fwd_nb_ports; i++)
		pk_port_close(fwd_ports[i]);
	rte_mempool_free(fwd_mp);
}

int
main(int argc, char **argv)
{
	unsigned int i;
	int rc;

	pk_example_options(&fwd_app, argc, argv); /* a bad one: exit 2 */
	pk_example_eal_init(argc, argv);
	pk_example_catch_signals();
	if (fwd_pick_ports() != 0 || fwd_pick_lcores() != 0 ||
	    fwd_setup_ports() != 0 || fwd_setup_runners() != 0 ||
	    fwd_setup_streams() != 0) {
		fwd_cleanup();
		pk_example_eal_cleanup();
		return 1;
	}
	if (!fwd_conf.no_flush_rx)
		fwd_flush_rx();
	printf("pk-fwd: %s packet forwarding, %u port(s), %u stream(s) on %u "
	       "lcore(s), burst %u%s\n", fwd_mode_name(fwd_conf.mode),
	       fwd_nb_ports, fwd_nb_streams, fwd_nb_lcores, fwd_conf.burst,
	       fwd_conf.flows && fwd_conf.mode == FWD_IO ? ", demux" : "");
	for (i = 0; i < fwd_nb_streams; i++)
		printf("Logical Core %u (socket %d) forwards packets on "
		       "stream: RX P=%u/Q=%u -> TX P=%u/Q=%u\n",
		       fwd_streams[i].lcore,
		       rte_lcore_to_socket_id(fwd_streams[i].lcore),
		       fwd_streams[i].rx_port, fwd_streams[i].rx_queue,
		       fwd_streams[i].tx_port, fwd_streams[i].tx_queue);
	fflush(stdout);
	fwd_stats_start(fwd_ports, fwd_nb_ports);
	if (fwd_conf.interactive) {
		rc = pk_prompt_run(&fwd_prompt);
	} else {
		pk_ctl_lock(); /* telemetry's changes wait for it */
		rc = fwd_start();
		pk_ctl_unlock();
		if (rc == 0)
			fwd_wait();
	}
	printf("\nTelling cores to stop...\nWaiting for lcores to finish...\n");
	for (i = 0; i < fwd_nb_lcores; i++)
		pk_runner_stop(fwd_runners[i]);
	fwd_stats_final(fwd_ports, fwd_nb_ports, fwd_streams, fwd_nb_streams);
	printf("\nDone.\n");
	pk_ctl_lock();
	fwd_cleanup();
	pk_ctl_unlock();
	pk_example_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
