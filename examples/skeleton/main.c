/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-skeleton: the shortest PathKit forwarder, in the spirit of DPDK's
 * skeleton example. Ports pair up (0<->1, 2<->3, ...; an odd last port
 * forwards to itself). For each port, one path: proc_macswap -> port_tx of
 * its peer, with tail policy "drop". One lcore pulls each port's RX stage
 * and pushes the burst into that port's path.
 *
 *   pk-skeleton <EAL args> -- [--duration=S] [--burst=N] [--mode=io|macswap]
 *
 * Its options are read before the EAL starts (EAL arguments end at "--"):
 * a bad one prints what is wrong and the usage and exits 2, with no EAL to
 * clean up (examples/common/pk_example.h). Numbers are strict
 * (pk_parse.h): --duration 0..10^7 s, in s, ms or us (0: until Ctrl-C),
 * --burst 1..256.
 */
#include <inttypes.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_example.h"

#define MAX_BURST 256
#define NB_MBUFS 8191
#define MAX_DURATION_NS (10000000ull * 1000000000) /* 10^7 s, 115 days */

struct fwd_port {
	struct pk_stage *rx;   /* pull: this port's RX queue 0 */
	struct pk_path *path;  /* push: processing -> peer's TX queue 0 */
};

static struct fwd_port ports[RTE_MAX_ETHPORTS];
static uint16_t nb_ports;
static unsigned int burst = 32;
static uint64_t duration_ns; /* 0: until Ctrl-C */
static bool macswap = true;

static void
usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s <EAL args> -- [--duration=S] [--burst=N]"
		" [--mode=io|macswap]\n", prog);
}

static const struct option skeleton_opts[] = {
	{ "duration", required_argument, NULL, 'd' },
	{ "burst", required_argument, NULL, 'b' },
	{ "mode", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
skeleton_opt(int c, const char *name)
{
	static const char *const modes[] = { "io", "macswap", NULL };
	unsigned int m;
	uint64_t v;

	switch (c) {
	case 'd':
		return pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
					 MAX_DURATION_NS, &duration_ns);
	case 'b':
		if (pk_example_number(name, optarg, PK_PARSE_INT, 1, MAX_BURST,
				      &v) != 0)
			return -1;
		burst = (unsigned int)v;
		return 0;
	case 'm':
		if (pk_example_word(name, optarg, modes, &m) != 0)
			return -1;
		macswap = m == 1;
		return 0;
	}
	return -1;
}

static const struct pk_example_app skeleton_app = {
	.name = "pk-skeleton", .opts = skeleton_opts, .short_opts = "h",
	.opt = skeleton_opt, .usage = usage,
};

/* RX stage of port p, and a path [proc_macswap?] -> TX of its peer. */
static int
build_port(uint16_t p, uint16_t peer)
{
	struct pk_path_conf conf = { .owner = p, .tail = PK_PATH_TAIL_DROP,
				     .socket_id = rte_eth_dev_socket_id(p) };
	struct pk_stage *st[2];
	char name[PK_STAGE_NAMESIZE], path_name[PK_STAGE_NAMESIZE];
	unsigned int n = 0;

	snprintf(name, sizeof(name), "rx%u", p);
	ports[p].rx = pk_port_rx_create(name, p, 0, 0);
	if (macswap) {
		snprintf(name, sizeof(name), "macswap%u", p);
		st[n++] = pk_stage_create("proc_macswap", name, NULL,
					  conf.socket_id);
	}
	snprintf(name, sizeof(name), "tx%u", peer);
	st[n++] = pk_port_tx_create(name, peer, 0, 0);
	snprintf(path_name, sizeof(path_name), "path%u->%u", p, peer);
	conf.name = path_name;
	if (ports[p].rx == NULL || st[0] == NULL || st[n - 1] == NULL)
		return -1;
	ports[p].path = pk_path_create(&conf, st, n);
	return ports[p].path != NULL ? 0 : -1;
}

/* The forwarding loop: the whole data path of this example. */
static int
forward(void *arg)
{
	struct rte_mbuf *pkts[MAX_BURST];
	uint16_t p, n;

	(void)arg;
	while (!pk_example_quit)
		for (p = 0; p < nb_ports; p++) {
			n = pk_stage_pull(ports[p].rx, pkts, burst);
			if (n > 0) /* tail policy drop: the path takes all */
				pk_stage_push(pk_path_stage(ports[p].path),
					      pkts, n);
		}
	return 0;
}

static void
print_result(double secs)
{
	struct rte_eth_stats es;
	uint64_t tx = 0;
	uint16_t p;

	printf("\n---- per-stage counters ----\n");
	for (p = 0; p < nb_ports; p++) {
		printf("  ");
		pk_stage_stats_print(stdout, ports[p].rx);
		pk_path_stats_print(stdout, ports[p].path);
		if (rte_eth_stats_get(p, &es) == 0)
			tx += es.opackets;
	}
	printf("---- result ----\nforwarded %" PRIu64 " packets in %.1f s: "
	       "%.2f Mpps over %u port(s)\n", tx, secs,
	       secs > 0 ? tx / secs / 1e6 : 0.0, nb_ports);
}

int
main(int argc, char **argv)
{
	struct pk_port_conf pc = { .promiscuous = true };
	unsigned int worker;
	uint64_t start, cycles;
	uint16_t p;
	int rc;

	pk_example_options(&skeleton_app, argc, argv); /* a bad one: exit 2 */
	pk_example_eal_init(argc, argv);
	nb_ports = rte_eth_dev_count_avail();
	if (nb_ports == 0) {
		fprintf(stderr, "no ports: give some, e.g. --vdev=net_null0\n");
		pk_example_eal_cleanup();
		return 1;
	}
	pc.mp = rte_pktmbuf_pool_create("mbufs", NB_MBUFS * nb_ports, 256, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					rte_socket_id());
	for (p = 0; p < nb_ports && pc.mp != NULL; p++)
		if (pk_port_setup(p, &pc) != 0)
			break;
	for (rc = 0, p = 0; p < nb_ports && rc == 0; p++)
		rc = build_port(p, (p ^ 1) < nb_ports ? p ^ 1 : p);
	if (pc.mp == NULL || rc != 0) {
		fprintf(stderr, "setup failed (see the log above)\n");
		return 1;
	}
	pk_example_catch_signals();
	printf("pk-skeleton: %u port(s), burst %u, mode %s; Ctrl-C stops\n",
	       nb_ports, burst, macswap ? "macswap" : "io");

	cycles = pk_example_ns_to_tsc(duration_ns, rte_get_tsc_hz());
	start = rte_get_tsc_cycles();
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker < RTE_MAX_LCORE)
		rte_eal_remote_launch(forward, NULL, worker);
	while (!pk_example_quit && worker < RTE_MAX_LCORE &&
	       (duration_ns == 0 || rte_get_tsc_cycles() - start < cycles))
		/* sleep, not rte_delay_ms(): a spinning lcore slows workers */
		rte_delay_us_sleep(10 * 1000);
	if (worker < RTE_MAX_LCORE) {
		pk_example_quit = 1;
		rte_eal_wait_lcore(worker);
	} else {
		forward(NULL); /* one lcore: run here until Ctrl-C */
	}
	print_result((double)(rte_get_tsc_cycles() - start) / rte_get_tsc_hz());

	for (p = 0; p < nb_ports; p++) {
		pk_stage_destroy(ports[p].rx);
		pk_path_destroy(ports[p].path);
		pk_port_close(p);
	}
	rte_mempool_free(pc.mp);
	pk_example_eal_cleanup();
	return 0;
}
