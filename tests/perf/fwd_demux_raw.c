/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd_demux_raw: the raw DPDK baseline of fwd.demux1k (bench_fwd.sh). What a
 * user would write for pk-fwd's demux mode (pk-fwd --forward-mode=io
 * --flows=N) without PathKit: one forwarding lcore, two ports paired as
 * testpmd pairs them; per port a stream that receives a burst, parses each
 * packet's key with the same pk_flow_parse(), looks the keys up with
 * rte_hash_lookup_bulk_data() in a table of the same N keys and the same
 * parameters as the demux's (40-byte keys, lock-free RW concurrency,
 * extendable table, CRC hash), counts each packet on its flow (the key's
 * data: the flow's counters), and transmits the burst to the peer port,
 * freeing what TX refuses. As in pk-fwd, packets that match no key are
 * sent on too (pk-fwd's miss stage is its TX batch) and malformed ones
 * freed. It takes testpmd's command line and prints testpmd's periodic
 * "Tx-pps" blocks, so bench_fwd.sh reads it as it reads testpmd and pk-fwd:
 *
 *   fwd_demux_raw <EAL args> -- --flows=1024 [--burst=32]
 *       [--total-num-mbufs=N] [--stats-period=S] [testpmd options ignored]
 *
 * Not a benchmark of its own (bench_fwd.sh runs it): hence not bench_*.
 */
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <pathkit/pk_flow.h>

#define FR_MAX_BURST 64 /* one bulk lookup */
#define FR_DESC 1024   /* pk-fwd's and testpmd's default descriptors */
#define FR_CACHE 250   /* pk-fwd's mempool cache */
/* pk-fwd's flows (examples/pk-fwd/pk_fwd.h): 10.254.0.0:9 -> 10.253.x.y:9 */
#define FR_FLOW_SRC RTE_IPV4(10, 254, 0, 0)
#define FR_FLOW_DST RTE_IPV4(10, 253, 0, 0)
#define FR_FLOW_PORT 9

/* A flow's counter: packets, as the demux's hit counter (pk-fwd counts
 * no bytes either). */
struct fr_flow {
	uint64_t pkts;
};

/* A stream: RX of one port, TX to its peer, a table of flows. */
struct fr_stream {
	uint16_t rx_port, tx_port;
	struct rte_hash *h;
	struct fr_flow *flows;
	uint64_t misses, malformed, tx_refused;
};

static volatile int fr_quit;
static unsigned int fr_burst = 32, fr_flows, fr_mbufs, fr_period = 1;
static struct fr_stream fr_streams[RTE_MAX_ETHPORTS];
static unsigned int fr_nb_streams;

static void
fr_signal(int sig)
{
	(void)sig;
	fr_quit = 1;
}

/* One burst of stream fs: receive, parse, look up, count, transmit. */
static inline void
fr_burst_once(struct fr_stream *fs)
{
	struct rte_mbuf *pkts[FR_MAX_BURST];
	struct pk_flow_key keys[FR_MAX_BURST];
	const void *kp[FR_MAX_BURST];
	void *data[FR_MAX_BURST];
	struct fr_flow *f;
	uint64_t hit = 0;
	uint16_t n, k, i, sent;

	n = rte_eth_rx_burst(fs->rx_port, 0, pkts, fr_burst);
	if (n == 0)
		return;
	for (i = 0, k = 0; i < n; i++) {
		if (unlikely(pk_flow_parse(pkts[i], &keys[k]) ==
			     PK_FLOW_MALFORMED)) {
			rte_pktmbuf_free(pkts[i]);
			fs->malformed++;
			continue;
		}
		pkts[k] = pkts[i];
		kp[k] = &keys[k];
		k++;
	}
	rte_hash_lookup_bulk_data(fs->h, kp, k, &hit, data);
	for (i = 0; i < k; i++) {
		if (likely(hit & (1ULL << i))) {
			f = data[i];
			f->pkts++;
		} else {
			fs->misses++;
		}
	}
	sent = rte_eth_tx_burst(fs->tx_port, 0, pkts, k);
	if (unlikely(sent != k)) {
		rte_pktmbuf_free_bulk(&pkts[sent], k - sent);
		fs->tx_refused += k - sent;
	}
}

static int
fr_lcore(void *arg)
{
	unsigned int i;

	(void)arg;
	while (!fr_quit)
		for (i = 0; i < fr_nb_streams; i++)
			fr_burst_once(&fr_streams[i]);
	return 0;
}

/* The demux's table: the same parameters as demux_flow's (capacity N). */
static int
fr_stream_table(struct fr_stream *fs, unsigned int idx)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name, .entries = RTE_MAX(fr_flows, 8u),
		.key_len = sizeof(struct pk_flow_key),
		.hash_func = rte_hash_crc, .socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct pk_flow_key key;
	unsigned int i;

	snprintf(name, sizeof(name), "fr_flows%u", idx);
	fs->h = rte_hash_create(&hp);
	fs->flows = rte_zmalloc(NULL, sizeof(*fs->flows) * fr_flows,
				RTE_CACHE_LINE_SIZE);
	if (fs->h == NULL || fs->flows == NULL)
		return -1;
	for (i = 0; i < fr_flows; i++) {
		/* local = the packet's destination, as pk-fwd installs it */
		pk_flow_key_ipv4(&key, IPPROTO_UDP,
				 rte_cpu_to_be_32(FR_FLOW_DST + i),
				 rte_cpu_to_be_16(FR_FLOW_PORT),
				 rte_cpu_to_be_32(FR_FLOW_SRC),
				 rte_cpu_to_be_16(FR_FLOW_PORT));
		if (rte_hash_add_key_data(fs->h, &key, &fs->flows[i]) != 0)
			return -1;
	}
	return 0;
}

static int
fr_port_setup(uint16_t p, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(p, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(p, 0, FR_DESC, rte_eth_dev_socket_id(p),
				   NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(p, 0, FR_DESC, rte_eth_dev_socket_id(p),
				   NULL) != 0 ||
	    rte_eth_dev_start(p) != 0)
		return -1;
	rte_eth_promiscuous_enable(p);
	return 0;
}

/* testpmd's options: those this program needs, the rest taken and ignored. */
static int
fr_options(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "flows", required_argument, NULL, 'f' },
		{ "burst", required_argument, NULL, 'b' },
		{ "total-num-mbufs", required_argument, NULL, 'm' },
		{ "stats-period", required_argument, NULL, 's' },
		{ "forward-mode", required_argument, NULL, 'i' },
		{ "nb-cores", required_argument, NULL, 'i' },
		{ "auto-start", no_argument, NULL, 'i' },
		{ "no-mlockall", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fr_flows = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			fr_burst = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			fr_mbufs = strtoul(optarg, NULL, 0);
			break;
		case 's':
			fr_period = strtoul(optarg, NULL, 0);
			break;
		case 'i':
			break;
		default:
			return -1;
		}
	}
	if (fr_flows == 0 || fr_burst == 0 || fr_burst > FR_MAX_BURST) {
		fprintf(stderr, "usage: fwd_demux_raw <EAL> -- --flows=N "
			"[--burst=1..%u] [--total-num-mbufs=N] "
			"[--stats-period=S]\n", FR_MAX_BURST);
		return -1;
	}
	return 0;
}

/* testpmd's periodic block, the lines bench_fwd.sh reads. */
static void
fr_stats(const uint16_t *ports, unsigned int nb, struct rte_eth_stats *last,
	 uint64_t *tsc)
{
	struct rte_eth_stats st;
	uint64_t now, cyc, hz = rte_get_tsc_hz();
	unsigned int i;

	printf("\nPort statistics ====================================");
	for (i = 0; i < nb; i++) {
		rte_eth_stats_get(ports[i], &st);
		now = rte_get_tsc_cycles();
		cyc = now - tsc[i];
		printf("\n  ######################## NIC statistics for port "
		       "%-2u ########################\n", ports[i]);
		printf("  RX-packets: %-10" PRIu64 " TX-packets: %-10" PRIu64
		       "\n", st.ipackets, st.opackets);
		printf("  Rx-pps: %12" PRIu64 "\n  Tx-pps: %12" PRIu64 "\n",
		       (uint64_t)((double)(st.ipackets - last[i].ipackets) *
				  hz / cyc),
		       (uint64_t)((double)(st.opackets - last[i].opackets) *
				  hz / cyc));
		last[i] = st;
		tsc[i] = now;
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	uint16_t ports[RTE_MAX_ETHPORTS], p;
	struct rte_eth_stats last[RTE_MAX_ETHPORTS];
	uint64_t tsc[RTE_MAX_ETHPORTS], next, hits = 0;
	struct rte_mempool *mp;
	unsigned int nb = 0, i, j, worker;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(1, "EAL: %s\n", rte_strerror(rte_errno));
	if (fr_options(argc - ret, argv + ret) != 0)
		rte_exit(2, "bad options\n");
	signal(SIGINT, fr_signal);
	signal(SIGTERM, fr_signal);
	RTE_ETH_FOREACH_DEV(p)
		ports[nb++] = p;
	worker = rte_get_next_lcore(-1, 1, 0);
	if (nb == 0 || worker >= RTE_MAX_LCORE)
		rte_exit(1, "needs ports (--vdev) and two lcores (-l 0,1)\n");
	if (fr_mbufs == 0)
		fr_mbufs = nb * 2 * FR_DESC + 2 * (FR_CACHE + FR_MAX_BURST) +
			   4096;
	mp = rte_pktmbuf_pool_create("fr_mbufs", fr_mbufs, FR_CACHE, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL)
		rte_exit(1, "mbufs: %s\n", rte_strerror(rte_errno));
	for (i = 0; i < nb; i++) {
		struct fr_stream *fs = &fr_streams[fr_nb_streams++];

		fs->rx_port = ports[i];
		fs->tx_port = (i ^ 1) < nb ? ports[i ^ 1] : ports[i];
		if (fr_port_setup(ports[i], mp) != 0 ||
		    fr_stream_table(fs, i) != 0)
			rte_exit(1, "port %u: setup failed\n", ports[i]);
	}
	printf("fwd_demux_raw: %u port(s), %u flows per stream, burst %u\n",
	       nb, fr_flows, fr_burst);
	for (i = 0; i < nb; i++) {
		rte_eth_stats_get(ports[i], &last[i]);
		tsc[i] = rte_get_tsc_cycles();
	}
	rte_eal_remote_launch(fr_lcore, NULL, worker);
	next = rte_get_tsc_cycles() + fr_period * rte_get_tsc_hz();
	while (!fr_quit) {
		/* sleep, not rte_delay_ms(): a spinning lcore slows workers */
		rte_delay_us_sleep(10 * 1000);
		if (fr_period != 0 && rte_get_tsc_cycles() >= next) {
			fr_stats(ports, nb, last, tsc);
			next += fr_period * rte_get_tsc_hz();
		}
	}
	rte_eal_wait_lcore(worker);
	for (i = 0; i < fr_nb_streams; i++) {
		struct fr_stream *fs = &fr_streams[i];

		for (j = 0, hits = 0; j < fr_flows; j++)
			hits += fs->flows[j].pkts;
		printf("stream %u: port %u -> %u: flow hits %" PRIu64
		       " misses %" PRIu64 " malformed %" PRIu64
		       " tx refused %" PRIu64 "\n", i, fs->rx_port,
		       fs->tx_port, hits, fs->misses, fs->malformed,
		       fs->tx_refused);
		rte_hash_free(fs->h);
		rte_free(fs->flows);
	}
	for (i = 0; i < nb; i++) {
		rte_eth_dev_stop(ports[i]);
		rte_eth_dev_close(ports[i]);
	}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
