/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_silk_ingress: the ingress demux of a SILK node with 100K UDP
 * sockets (issue 14), against the raw DPDK code doing the same work.
 *
 * silk.ingress100k{,.zipf}: 100,000 sockets, each a queue_ring of 64 with
 *   one passive UDP key of its own (2 local addresses x 50,000 ports), in
 *   one demux of capacity 100,000. 65,536 pre-built 64-byte Ethernet/IPv4/
 *   UDP frames pick their socket uniformly (or by Zipf, s = 1, hot sockets
 *   spread over the table). One lcore pushes them in bursts of 32.
 *   Baseline, same run: pk_flow_parse() on each packet and
 *   pk_flow_key_passive() (the parse is PathKit's own, so the two sides
 *   parse alike), rte_hash_lookup_bulk_data() on a bare rte_hash of the
 *   same parameters (40-byte keys, 100,000 entries, lock-free RW
 *   concurrency, extendable table, CRC hash) whose data is the socket's own
 *   rte_ring (rte_ring_init() in rte_zmalloc() memory, SP/SC, 64 slots),
 *   then rte_ring_sp_enqueue_burst() of each packet to its ring.
 *   Timed: chunks of 512 packets (16 bursts), alternating raw and demux,
 *   each on a chunk the other side last touched half a pass ago. Untimed,
 *   after each chunk: the queues it filled are drained and the chunk's
 *   packet array is restored, so both sides always push the same packets
 *   to empty queues. value = median chunk Mpps, ratio = demux / raw.
 *   Refused packets (a hot Zipf socket's full queue) are counted on both
 *   sides and go to stderr.
 *
 * Run: bench_silk_ingress --no-huge --no-shconf --no-pci -m 1024
 *   --file-prefix=bsi -l 0 -- [--filter=REGEX]
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"

#define SI_SOCKS 100000
#define SI_PORTS 50000 /* local ports per address */
#define SI_QSIZE 64
#define SI_BURST 32
#define SI_PKTS 65536
#define SI_CHUNK 512 /* packets timed at once */
#define SI_NCHUNK (SI_PKTS / SI_CHUNK)
#define SI_ROUNDS 5
#define SI_SAMPLES (SI_ROUNDS * SI_NCHUNK)
#define SI_LOCAL 0x0a000002u /* 10.0.0.2 */
#define SI_PEER 0x64400107u  /* 100.64.1.7 */

static struct rte_mbuf *si_pkts[SI_PKTS], *si_orig[SI_PKTS];
static uint32_t si_sock[SI_PKTS];      /* each packet's socket */
static struct pk_stage *si_q[SI_SOCKS]; /* demux side */
static struct rte_ring *si_r[SI_SOCKS]; /* raw side */
static volatile uint16_t si_burst = SI_BURST; /* a run-time n, as nb_rx */

static void
si_sock_key(uint32_t i, struct pk_flow_key *k)
{
	pk_flow_key_ipv4(k, IPPROTO_UDP, rte_cpu_to_be_32(SI_LOCAL +
							  i / SI_PORTS),
			 rte_cpu_to_be_16(1024 + i % SI_PORTS), 0, 0);
}

/* Packet m as a 64-byte datagram from the peer to socket i. */
static void
si_make(struct rte_mbuf *m, uint32_t i)
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
	ip->src_addr = rte_cpu_to_be_32(SI_PEER);
	ip->dst_addr = rte_cpu_to_be_32(SI_LOCAL + i / SI_PORTS);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = RTE_BE16(9);
	udp->dst_port = rte_cpu_to_be_16(1024 + i % SI_PORTS);
	udp->dgram_len = RTE_BE16(30);
}

/* Each packet's socket: uniform, or Zipf(1) by inverse CDF. */
static void
si_fill(bool zipf)
{
	static double cdf[SI_SOCKS];
	double sum = 0, u;
	uint32_t i, lo, hi, mid, s;

	for (i = 0; zipf && i < SI_SOCKS; i++)
		cdf[i] = (sum += 1.0 / (i + 1));
	for (i = 0; i < SI_PKTS; i++) {
		if (!zipf) {
			s = rte_rand() % SI_SOCKS;
		} else {
			u = (double)rte_rand() / (double)UINT64_MAX * sum;
			for (lo = 0, hi = SI_SOCKS - 1; lo < hi;) {
				mid = (lo + hi) / 2;
				if (cdf[mid] < u)
					lo = mid + 1;
				else
					hi = mid;
			}
			/* rank r is not socket r: hot sockets spread out */
			s = (uint32_t)((lo * 2654435761ull) % SI_SOCKS);
		}
		si_sock[i] = s;
		si_make(si_orig[i], s);
		si_pkts[i] = si_orig[i];
	}
}

static struct rte_ring *
si_raw_ring(uint32_t i)
{
	ssize_t bytes = rte_ring_get_memsize(SI_QSIZE);
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "si_%u", i);
	r = rte_zmalloc(NULL, bytes, RTE_CACHE_LINE_SIZE);
	if (r == NULL || rte_ring_init(r, name, SI_QSIZE,
				       RING_F_SP_ENQ | RING_F_SC_DEQ) != 0)
		rte_exit(1, "raw ring %u\n", i);
	return r;
}

/* The sockets of both sides: 100K queues + keys, 100K rings + keys. */
static void
si_build(struct pk_stage **d, struct rte_hash **h)
{
	struct pk_demux_conf conf = { .name = "si_demux",
				      .capacity = SI_SOCKS,
				      .socket_id = SOCKET_ID_ANY };
	struct rte_hash_parameters hp = {
		.name = "si_bare", .entries = SI_SOCKS,
		.key_len = sizeof(struct pk_flow_key),
		.hash_func = rte_hash_crc, .socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct pk_flow_key k;
	char name[16];
	uint32_t i;

	*d = pk_demux_flow_create(&conf);
	*h = rte_hash_create(&hp);
	if (*d == NULL || *h == NULL)
		rte_exit(1, "demux or hash: %s\n", rte_strerror(rte_errno));
	for (i = 0; i < SI_SOCKS; i++) {
		snprintf(name, sizeof(name), "sock%u", i);
		si_q[i] = pk_queue_ring_create(name, SI_QSIZE, 0, 0,
					       SOCKET_ID_ANY);
		si_r[i] = si_raw_ring(i);
		si_sock_key(i, &k);
		if (si_q[i] == NULL || pk_demux_flow_add(*d, &k, si_q[i]) != 0 ||
		    rte_hash_add_key_data(*h, &k, si_r[i]) != 0)
			rte_exit(1, "socket %u\n", i);
	}
}

/* Raw: parse, passive key, bulk lookup, enqueue each to its ring. */
static inline unsigned int
si_raw_burst(struct rte_hash *h, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_flow_key keys[SI_BURST];
	const void *kp[SI_BURST];
	void *data[SI_BURST];
	unsigned int j, refused = 0;
	uint64_t hit = 0;

	for (j = 0; j < n; j++) {
		pk_flow_parse(pkts[j], &keys[j]);
		pk_flow_key_passive(&keys[j]);
		kp[j] = &keys[j];
	}
	rte_hash_lookup_bulk_data(h, kp, n, &hit, data);
	for (j = 0; j < n; j++)
		if (!(hit & (1ULL << j)) ||
		    rte_ring_sp_enqueue_burst(data[j], (void **)&pkts[j], 1,
					      NULL) != 1)
			refused++;
	return refused;
}

/* Time chunk c on one side; returns TSC cycles, adds to *refused. */
static uint64_t
si_chunk(struct pk_stage *d, struct rte_hash *h, unsigned int c,
	 uint64_t *refused)
{
	uint16_t n = si_burst;
	unsigned int i, end = (c + 1) * SI_CHUNK;
	uint64_t t0 = rte_rdtsc();

	if (d != NULL)
		for (i = c * SI_CHUNK; i + n <= end; i += n)
			*refused += n - pk_stage_push(d, &si_pkts[i], n);
	else
		for (i = c * SI_CHUNK; i + n <= end; i += n)
			*refused += si_raw_burst(h, &si_pkts[i], n);
	return rte_rdtsc() - t0;
}

/* Untimed: empty the queues chunk c filled, restore its packet array. */
static void
si_drain(bool demux, unsigned int c, uint64_t *drained)
{
	struct rte_mbuf *m[SI_QSIZE];
	unsigned int i;

	for (i = c * SI_CHUNK; i < (c + 1) * SI_CHUNK; i++)
		*drained += demux ?
			pk_stage_pull(si_q[si_sock[i]], m, SI_QSIZE) :
			rte_ring_sc_dequeue_burst(si_r[si_sock[i]],
						  (void **)m, SI_QSIZE, NULL);
	memcpy(&si_pkts[c * SI_CHUNK], &si_orig[c * SI_CHUNK],
	       SI_CHUNK * sizeof(si_pkts[0]));
}

static void
si_bench(const char *id, struct pk_stage *d, struct rte_hash *h, bool zipf)
{
	static double raw[SI_SAMPLES], pk[SI_SAMPLES];
	uint64_t ref_raw = 0, ref_pk = 0, dr_raw = 0, dr_pk = 0;
	double hz = rte_get_tsc_hz();
	unsigned int r, c, c2, k = 0;

	if (!bench_wanted(id))
		return;
	si_fill(zipf);
	for (r = 0; r <= SI_ROUNDS; r++)
		for (c = 0; c < SI_NCHUNK; c++) {
			c2 = (c + SI_NCHUNK / 2) % SI_NCHUNK;
			raw[k] = SI_CHUNK / (si_chunk(NULL, h, c, &ref_raw) / hz);
			si_drain(false, c, &dr_raw);
			pk[k] = SI_CHUNK / (si_chunk(d, NULL, c2, &ref_pk) / hz);
			si_drain(true, c2, &dr_pk);
			if (r > 0) /* round 0 warms up */
				k++;
		}
	if (dr_raw + ref_raw != dr_pk + ref_pk ||
	    dr_pk + ref_pk != (uint64_t)(SI_ROUNDS + 1) * SI_PKTS)
		fprintf(stderr, "%s: packets lost: raw %" PRIu64 "+%" PRIu64
			", demux %" PRIu64 "+%" PRIu64 "\n", id, dr_raw,
			ref_raw, dr_pk, ref_pk);
	fprintf(stderr, "%s: refused (full queue): raw %" PRIu64 ", demux %"
		PRIu64 "\n", id, ref_raw, ref_pk);
	bench_report(id, bench_median(pk, k) / 1e6, "Mpps",
		     bench_median(raw, k) / 1e6, false);
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct pk_stage *d;
	struct rte_hash *h;
	uint32_t i;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(1, "EAL: %s\n", rte_strerror(rte_errno));
	if (bench_parse_args(argc - ret, argv + ret) != 0)
		return 1;
	if (!bench_wanted("silk.ingress100k") &&
	    !bench_wanted("silk.ingress100k.zipf"))
		return 0;
	mp = rte_pktmbuf_pool_create("si_pool", SI_PKTS + 1024, 256, 0, 256,
				     rte_socket_id());
	if (mp == NULL || rte_pktmbuf_alloc_bulk(mp, si_orig, SI_PKTS) != 0)
		rte_exit(1, "pool: %s\n", rte_strerror(rte_errno));
	si_build(&d, &h);
	si_bench("silk.ingress100k", d, h, false);
	si_bench("silk.ingress100k.zipf", d, h, true);
	pk_stage_destroy(d);
	rte_hash_free(h);
	for (i = 0; i < SI_SOCKS; i++) {
		pk_stage_destroy(si_q[i]);
		rte_free(si_r[i]);
	}
	rte_pktmbuf_free_bulk(si_orig, SI_PKTS);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
