/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_demux: the demux_flow stage against the raw rte_hash it wraps.
 *
 * demux.flows{1k,64k,1m}.{uniform,zipf}: one lcore pushes 64-byte
 *   Ethernet/IPv4/UDP packets in bursts of 32 into a demux holding N active
 *   keys that point to 16 sink targets (they take every packet and do
 *   nothing). Packets pick their flow uniformly or by Zipf (s = 1). Baseline:
 *   the same packets, pk_flow_parse() on each, rte_hash_lookup_bulk_data() on
 *   a bare rte_hash of the same parameters (40-byte keys, lock-free RW
 *   concurrency, extendable table, CRC hash) whose data is the target, and
 *   each run of consecutive packets with one target pushed to it in one call
 *   (the demux also counts hits per key, which the baseline does not). Rounds
 *   alternate raw and demux passes over the packet set; value = median Mpps,
 *   ratio = demux / raw.
 * demux.parse.{ipv4_udp,ipv6_tcp}: pk_flow_parse() alone, TSC cycles per
 *   packet; baseline DPDK's own rte_net_get_ptype() plus reading the ports.
 * demux.mem.flows1m: heap bytes per installed flow at 1M flows (hash, key
 *   state, RCU state); baseline a bare rte_hash of the same capacity and key
 *   size filled with the same keys. ratio = bare / demux.
 * demux.update: key adds + deletes per second from a control thread while
 *   two lcores push 64K stable flows at full speed through an mt demux;
 *   baseline the same on a bare rte_hash with rte_hash_rcu_qsbr_add()
 *   (defer-queue mode) and raw lookup loops. Stable packets lost (returned by
 *   the demux) go to stderr and must be 0. Needs -l 0,1.
 *
 * Files: this one (the card, the packet set, flows, parse, mem, main);
 * bench_demux_update.c (demux.update); bench_demux.h (what they share).
 *
 * Run: bench_demux --no-huge --no-shconf --no-pci --file-prefix=bd -m 2048
 *   -l 0,1 -- [--filter=REGEX]
 */
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_stage_driver.h>

#include "bench_common.h"
#include "bench_demux.h"

#define DB_ROUNDS 7
#define DB_CHUNK 2048 /* packets timed at once */
#define DB_NCHUNK (DB_PKTS / DB_CHUNK)
#define DB_SAMPLES (DB_ROUNDS * DB_NCHUNK)

static struct rte_mempool *db_pool;
struct rte_mbuf *db_pkts[DB_PKTS];
struct pk_stage *db_sinks[DB_TARGETS];
static volatile uint16_t db_burst = DB_BURST; /* a run-time n, as nb_rx */

/* A target that takes every packet and does nothing: the packets stay ours. */
static uint16_t
db_sink_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(s);
	RTE_SET_USED(pkts);
	return n;
}

static const struct pk_stage_ops db_sink_ops = {
	.kind = "bench_sink", .push = db_sink_push,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH,
};

void
db_flow_key(uint32_t f, struct pk_flow_key *k)
{
	pk_flow_key_ipv4(k, IPPROTO_UDP, RTE_BE32(RTE_IPV4(10, 0, 0, 2)),
			 RTE_BE16(9),
			 rte_cpu_to_be_32(RTE_IPV4(10, 128, 0, 0) + f),
			 rte_cpu_to_be_16(1024 + f % 50000));
}

/* Rewrite packet m as flow f: 64 bytes, Ethernet/IPv4/UDP. */
static void
db_make_udp4(struct rte_mbuf *m, uint32_t f)
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
	udp->src_port = rte_cpu_to_be_16(1024 + f % 50000);
	udp->dst_port = RTE_BE16(9);
	udp->dgram_len = RTE_BE16(30);
}

static void
db_make_tcp6(struct rte_mbuf *m, uint32_t f)
{
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6;
	uint8_t *tcp;

	rte_pktmbuf_reset(m);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 78);
	memset(eh, 0, 78);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = RTE_BE16(24);
	ip6->proto = IPPROTO_TCP;
	ip6->hop_limits = 64;
	ip6->src_addr[0] = 0xfd;
	memcpy(&ip6->src_addr[12], &f, 4);
	ip6->dst_addr[0] = 0xfd;
	ip6->dst_addr[15] = 1;
	tcp = (uint8_t *)(ip6 + 1);
	tcp[0] = f >> 8;
	tcp[1] = f & 0xff;
	tcp[3] = 80;
	tcp[12] = 5 << 4;
}

/* Flow of each packet: uniform, or Zipf(1) by inverse CDF. */
void
db_fill(uint32_t nflows, bool zipf)
{
	double *cdf = NULL, sum = 0, u;
	uint32_t i, lo, hi, mid;

	if (zipf) {
		cdf = malloc(sizeof(*cdf) * nflows);
		for (i = 0; i < nflows; i++)
			cdf[i] = (sum += 1.0 / (i + 1));
	}
	for (i = 0; i < DB_PKTS; i++) {
		if (!zipf) {
			db_make_udp4(db_pkts[i], rte_rand() % nflows);
			continue;
		}
		u = (double)rte_rand() / (double)UINT64_MAX * sum;
		for (lo = 0, hi = nflows - 1; lo < hi;) {
			mid = (lo + hi) / 2;
			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* rank r is not flow r: spread hot flows over the table */
		db_make_udp4(db_pkts[i], (uint32_t)((lo * 2654435761ull) %
						    nflows));
	}
	free(cdf);
}

struct rte_hash *
db_bare_hash(uint32_t capacity, uint32_t nflows)
{
	static unsigned int seq;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name, .entries = capacity,
		.key_len = sizeof(struct pk_flow_key),
		.hash_func = rte_hash_crc, .socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct pk_flow_key k;
	struct rte_hash *h;
	uint32_t i;

	snprintf(name, sizeof(name), "bench_bare_%u", seq++);
	h = rte_hash_create(&hp);
	if (h == NULL)
		rte_exit(1, "bare hash: %s\n", rte_strerror(rte_errno));
	for (i = 0; i < nflows; i++) {
		db_flow_key(i, &k);
		if (rte_hash_add_key_data(h, &k, db_sinks[i % DB_TARGETS]) != 0)
			rte_exit(1, "bare hash add %u\n", i);
	}
	return h;
}

struct pk_stage *
db_demux(uint32_t capacity, uint32_t nflows, uint32_t flags)
{
	struct pk_demux_conf conf = { .name = "bench_demux",
				      .capacity = capacity,
				      .socket_id = SOCKET_ID_ANY,
				      .flags = flags };
	struct pk_flow_key k;
	struct pk_stage *d;
	uint32_t i;

	d = pk_demux_flow_create(&conf);
	if (d == NULL)
		rte_exit(1, "demux: %s\n", rte_strerror(rte_errno));
	for (i = 0; i < nflows; i++) {
		db_flow_key(i, &k);
		if (pk_demux_flow_add(d, &k, db_sinks[i % DB_TARGETS]) != 0)
			rte_exit(1, "demux add %u\n", i);
	}
	return d;
}

/* The raw loop over chunk c of the packet set; returns TSC cycles. */
static uint64_t
db_raw_chunk(struct rte_hash *h, unsigned int c, uint64_t *found)
{
	uint64_t t0 = rte_rdtsc();
	uint16_t n = db_burst;
	unsigned int i;

	for (i = c * DB_CHUNK; i + n <= (c + 1) * DB_CHUNK; i += n)
		*found += bench_raw_demux_burst(h, &db_pkts[i], n);
	return rte_rdtsc() - t0;
}

static uint64_t
db_demux_chunk(struct pk_stage *d, unsigned int c, uint64_t *taken)
{
	uint64_t t0 = rte_rdtsc();
	uint16_t n = db_burst;
	unsigned int i;

	/* every target takes all, so push leaves db_pkts as it was */
	for (i = c * DB_CHUNK; i + n <= (c + 1) * DB_CHUNK; i += n)
		*taken += pk_stage_push(d, &db_pkts[i], n);
	return rte_rdtsc() - t0;
}

/*
 * Short chunks, alternating raw and demux, each on a chunk the other side
 * last touched half a pass ago; the median chunk filters out the time the
 * shared machine's scheduler takes away.
 */
static void
db_lookup_bench(const char *id, struct pk_stage *d, struct rte_hash *h)
{
	static double raw[DB_SAMPLES], pk[DB_SAMPLES];
	uint64_t found = 0, taken = 0;
	unsigned int r, c, k = 0;
	double hz = rte_get_tsc_hz();

	for (c = 0; c < DB_NCHUNK; c++) { /* warm up */
		db_raw_chunk(h, c, &found);
		db_demux_chunk(d, c, &taken);
	}
	found = taken = 0;
	for (r = 0; r < DB_ROUNDS; r++)
		for (c = 0; c < DB_NCHUNK; c++, k++) {
			raw[k] = DB_CHUNK / (db_raw_chunk(h, c, &found) / hz);
			pk[k] = DB_CHUNK /
				(db_demux_chunk(d, (c + DB_NCHUNK / 2) %
						DB_NCHUNK, &taken) / hz);
		}
	if (taken != found)
		fprintf(stderr, "%s: demux took %" PRIu64 ", raw handed %" PRIu64
			"\n", id, taken, found);
	bench_report(id, bench_median(pk, k) / 1e6, "Mpps",
		     bench_median(raw, k) / 1e6, false);
}

static void
db_flows_bench(const char *name, uint32_t nflows)
{
	char id_u[64], id_z[64];
	uint64_t before, mid, after;
	struct pk_stage *d;
	struct rte_hash *h;

	snprintf(id_u, sizeof(id_u), "demux.%s.uniform", name);
	snprintf(id_z, sizeof(id_z), "demux.%s.zipf", name);
	if (!bench_wanted(id_u) && !bench_wanted(id_z) &&
	    !(nflows == (1u << 20) && bench_wanted("demux.mem.flows1m")))
		return;
	before = pk_test_heap_used();
	d = db_demux(nflows, nflows, 0);
	mid = pk_test_heap_used();
	h = db_bare_hash(nflows, nflows);
	after = pk_test_heap_used();
	if (nflows == (1u << 20) && bench_wanted("demux.mem.flows1m"))
		bench_report("demux.mem.flows1m", (double)(mid - before) / nflows,
			     "bytes/flow", (double)(after - mid) / nflows,
			     true);
	if (bench_wanted(id_u)) {
		db_fill(nflows, false);
		db_lookup_bench(id_u, d, h);
	}
	if (bench_wanted(id_z)) {
		db_fill(nflows, true);
		db_lookup_bench(id_z, d, h);
	}
	rte_hash_free(h);
	pk_stage_destroy(d);
}

static uint32_t
db_ports(const struct rte_mbuf *m)
{
	struct rte_net_hdr_lens hl;
	uint32_t ports;

	rte_net_get_ptype(m, &hl, RTE_PTYPE_ALL_MASK);
	memcpy(&ports, rte_pktmbuf_mtod_offset(m, uint8_t *, hl.l2_len +
					       hl.l3_len), 4);
	return ports;
}

static void
db_parse_bench(const char *id, void (*make)(struct rte_mbuf *, uint32_t))
{
	const unsigned int npk = 1024;
	static double raw[DB_SAMPLES], pk[DB_SAMPLES];
	struct pk_flow_key k;
	uint64_t t0, sink = 0;
	unsigned int r, i;

	if (!bench_wanted(id))
		return;
	for (i = 0; i < npk; i++)
		make(db_pkts[i], i);
	for (r = 0; r < DB_SAMPLES; r++) {
		t0 = rte_rdtsc();
		for (i = 0; i < npk; i++)
			sink += db_ports(db_pkts[i]);
		raw[r] = (double)(rte_rdtsc() - t0) / npk;
		t0 = rte_rdtsc();
		for (i = 0; i < npk; i++) {
			pk_flow_parse(db_pkts[i], &k);
			sink += k.rport;
		}
		pk[r] = (double)(rte_rdtsc() - t0) / npk;
	}
	if (sink == 42)
		fprintf(stderr, "(unlikely)\n");
	bench_report(id, bench_median(pk, DB_SAMPLES), "cycles/pkt",
		     bench_median(raw, DB_SAMPLES), true);
}

int
main(int argc, char **argv)
{
	char name[16];
	unsigned int i;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(1, "EAL: %s\n", rte_strerror(rte_errno));
	if (bench_parse_args(argc - ret, argv + ret) != 0)
		return 1;
	db_pool = rte_pktmbuf_pool_create("bench_demux", DB_PKTS + 1024, 256,
					  0, 256, rte_socket_id());
	if (db_pool == NULL)
		rte_exit(1, "pool: %s\n", rte_strerror(rte_errno));
	if (rte_pktmbuf_alloc_bulk(db_pool, db_pkts, DB_PKTS) != 0)
		rte_exit(1, "mbufs\n");
	for (i = 0; i < DB_TARGETS; i++) {
		snprintf(name, sizeof(name), "sink%u", i);
		db_sinks[i] = pk_stage_alloc(sizeof(struct pk_stage),
					     &db_sink_ops, name, 0,
					     SOCKET_ID_ANY);
	}
	db_parse_bench("demux.parse.ipv4_udp", db_make_udp4);
	db_parse_bench("demux.parse.ipv6_tcp", db_make_tcp6);
	db_flows_bench("flows1k", 1024);
	db_flows_bench("flows64k", 65536);
	db_flows_bench("flows1m", 1u << 20);
	if (bench_wanted("demux.update")) /* the filter is this file's */
		db_update_bench();
	for (i = 0; i < DB_TARGETS; i++)
		pk_stage_destroy(db_sinks[i]);
	rte_pktmbuf_free_bulk(db_pkts, DB_PKTS);
	rte_mempool_free(db_pool);
	rte_eal_cleanup();
	return 0;
}
