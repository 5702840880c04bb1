/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_silk_raw: the cost of safe raw sends (issue 15).
 *
 * silk.raw_send, silk.raw_send.1500: whole IPv4/UDP datagrams (64-byte
 *   frames; 1500-byte datagrams) sent through a raw socket bound to UDP port
 *   7000 of a node whose uplink is a net_null port (no-rx=1: its rounds only
 *   drain). Checked: the datagrams copied into 32 mbufs by the caller (as
 *   the baseline does), pk_sock_send_burst() (pk_raw_check() of each:
 *   lengths, protocol, source port, the source address and checksums
 *   rewritten; the Ethernet header; one push to the egress queue), then
 *   one pk_node_run() (egress queue -> uplink TX).
 * silk.raw_send.call: the same with pk_sock_send() of each datagram of a
 *   burst of 32 (a copy into an mbuf, the checks, the Ethernet header from
 *   the socket's cached next hop, a push to the egress queue each), then
 *   one pk_node_run(). Baseline, same run: the raw DPDK code a
 *   user would write without the checks, with the same datagram bytes
 *   (already valid: right source, right checksums) and the same burst
 *   pattern: 32 times rte_pktmbuf_alloc(), the copy, rte_pktmbuf_prepend()
 *   of the same Ethernet header, then rte_eth_tx_burst() on the same port
 *   and queue. The socket learns its peer's MAC from one received datagram
 *   first (as an application replying would), so no neighbour resolution is
 *   timed. Each sample sends BR_SAMPLE datagrams; the two sides alternate,
 *   BR_REPEAT samples each; value and baseline are the median Mpps, ratio
 *   = value / baseline (the fraction of the unchecked rate that safety
 *   leaves). A send that fails, or a leaked mbuf, ends the run (exit 1).
 *
 * Run: bench_silk_raw --no-huge --no-shconf --no-pci -m 1024
 *   --file-prefix=bsr -l 0 -- [--filter=REGEX]
 */
#include <arpa/inet.h>
#include <inttypes.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_udp.h>

#include "bench_common.h"

#define BR_BURST 32
#define BR_SAMPLE (BR_BURST * 2048)
#define BR_REPEAT 7
#define BR_POOL 8191
#define BR_PORT 7000
#define BR_PEER_PORT 4000
#define BR_NODE "10.0.0.1"
#define BR_PEER "10.0.0.2"

static struct rte_mempool *br_pool;
static struct pk_node *br_node;
static uint16_t br_uplink;
static struct rte_ether_hdr br_eth; /* node -> peer */
static const struct rte_ether_addr br_peer_mac = {
	{ 0x02, 0, 0, 0, 0, 0x02 } };

static void
br_node_create(void)
{
	static const char port[] = "net_null_raw";
	struct pk_port_conf pc = { 0 };
	struct pk_node_conf nc = { 0 };

	br_pool = bench_pool_create("raw_pool", BR_POOL, 256,
				    (int)rte_socket_id(), true);
	if (br_pool == NULL)
		rte_exit(1, "bench_silk_raw: pool\n");
	pc.mp = br_pool;
	if (rte_eal_hotplug_add("vdev", port, "no-rx=1") != 0 ||
	    pk_port_lookup(port, &br_uplink) != 0 ||
	    pk_port_setup(br_uplink, &pc) != 0)
		rte_exit(1, "bench_silk_raw: port %s\n", port);
	nc.name = "rawbench";
	nc.uplink = br_uplink;
	nc.mp = br_pool;
	inet_pton(AF_INET, BR_NODE, &nc.addr4);
	nc.exception = PK_NODE_EXC_DROP;
	br_node = pk_node_create(&nc);
	if (br_node == NULL)
		rte_exit(1, "bench_silk_raw: node: %s\n",
			 rte_strerror(rte_errno));
	rte_eth_macaddr_get(br_uplink, &br_eth.src_addr);
	br_eth.dst_addr = br_peer_mac;
	br_eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
}

/* A raw socket on UDP port BR_PORT that knows the peer's MAC: one datagram
 * from the peer pushed into the demux, as the node's thread would, and
 * read with its sender's address. */
static struct pk_sock *
br_sock_open(int owner)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(BR_PORT) };
	struct pk_udp_tx tx = { 0 };
	struct sockaddr_in *l = (void *)&tx.local, *r = (void *)&tx.remote;
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	struct pk_sock *s;
	struct rte_mbuf *m;
	uint8_t buf[128];

	inet_pton(AF_INET, BR_NODE, &a.sin_addr);
	s = pk_sock_open(br_node, (uint32_t)owner, AF_INET, PK_SOCK_RAW,
			 PK_SOCK_F_NONBLOCK);
	if (s == NULL ||
	    pk_sock_bind_raw(s, IPPROTO_UDP, (void *)&a, sizeof(a)) != 0)
		rte_exit(1, "bench_silk_raw: raw socket\n");
	m = rte_pktmbuf_alloc(br_pool);
	if (m == NULL)
		rte_exit(1, "bench_silk_raw: pool empty\n");
	memcpy(rte_pktmbuf_append(m, 5), "hello", 5);
	tx.dst_mac = br_eth.src_addr;
	tx.src_mac = br_peer_mac;
	l->sin_family = r->sin_family = AF_INET;
	inet_pton(AF_INET, BR_PEER, &l->sin_addr);
	l->sin_port = htons(BR_PEER_PORT);
	r->sin_addr = a.sin_addr;
	r->sin_port = a.sin_port;
	if (pk_udp_encap(m, &tx) != 0 ||
	    pk_stage_push(pk_node_demux(br_node), &m, 1) != 1 ||
	    pk_sock_recvfrom(s, buf, sizeof(buf), 0, (void *)&from,
			     &flen) <= 0)
		rte_exit(1, "bench_silk_raw: the peer's datagram\n");
	return s;
}

/* A valid IPv4/UDP datagram of len bytes, node:BR_PORT -> peer, into d. */
static void
br_datagram(uint8_t *d, uint16_t len)
{
	struct rte_ipv4_hdr *ip = (void *)d;
	struct rte_udp_hdr *u = (void *)(ip + 1);
	uint16_t i;

	memset(d, 0, sizeof(*ip) + sizeof(*u));
	for (i = sizeof(*ip) + sizeof(*u); i < len; i++)
		d[i] = (uint8_t)i;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	inet_pton(AF_INET, BR_NODE, &ip->src_addr);
	inet_pton(AF_INET, BR_PEER, &ip->dst_addr);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->src_port = htons(BR_PORT);
	u->dst_port = htons(BR_PEER_PORT);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*ip)));
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
}

/* Checked: cycles for BR_SAMPLE pk_sock_send()s, the node draining. */
static uint64_t
br_checked(struct pk_sock *s, const uint8_t *d, uint16_t len)
{
	uint64_t t0 = rte_rdtsc();
	unsigned int k, i;

	for (k = 0; k < BR_SAMPLE; k += BR_BURST) {
		for (i = 0; i < BR_BURST; i++)
			if (pk_sock_send(s, d, len, 0) != len)
				rte_exit(1, "bench_silk_raw: send refused\n");
		pk_node_run(br_node);
	}
	return rte_rdtsc() - t0;
}

/* Checked in bursts: cycles for BR_SAMPLE datagrams copied into mbufs by
 * the caller, as the unchecked side does, then pk_sock_send_burst(). */
static uint64_t
br_checked_burst(struct pk_sock *s, const uint8_t *d, uint16_t len)
{
	struct rte_mbuf *m[BR_BURST];
	uint64_t t0 = rte_rdtsc();
	unsigned int k, i;

	for (k = 0; k < BR_SAMPLE; k += BR_BURST) {
		for (i = 0; i < BR_BURST; i++) {
			m[i] = rte_pktmbuf_alloc(br_pool);
			if (m[i] == NULL)
				rte_exit(1, "bench_silk_raw: pool empty\n");
			memcpy(rte_pktmbuf_append(m[i], len), d, len);
		}
		if (pk_sock_send_burst(s, m, BR_BURST, NULL, 0) != BR_BURST)
			rte_exit(1, "bench_silk_raw: burst refused\n");
		pk_node_run(br_node);
	}
	return rte_rdtsc() - t0;
}

/* Unchecked: cycles for BR_SAMPLE datagrams built and sent by hand. */
static uint64_t
br_unchecked(const uint8_t *d, uint16_t len)
{
	struct rte_mbuf *m[BR_BURST];
	uint64_t t0 = rte_rdtsc();
	unsigned int k, i;
	uint16_t sent;

	for (k = 0; k < BR_SAMPLE; k += BR_BURST) {
		for (i = 0; i < BR_BURST; i++) {
			m[i] = rte_pktmbuf_alloc(br_pool);
			if (m[i] == NULL)
				rte_exit(1, "bench_silk_raw: pool empty\n");
			memcpy(rte_pktmbuf_append(m[i], len), d, len);
			memcpy(rte_pktmbuf_prepend(m[i], sizeof(br_eth)),
			       &br_eth, sizeof(br_eth));
		}
		sent = rte_eth_tx_burst(br_uplink, 0, m, BR_BURST);
		rte_pktmbuf_free_bulk(m + sent, BR_BURST - sent);
	}
	return rte_rdtsc() - t0;
}

/* silk.raw_send[.1500]: datagrams of len bytes, both sides alternating. */
typedef uint64_t (*br_checked_fn)(struct pk_sock *s, const uint8_t *d,
				  uint16_t len);

static void
br_run(const char *id, struct pk_sock *s, uint16_t len, br_checked_fn fn)
{
	double chk[BR_REPEAT], raw[BR_REPEAT], hz = rte_get_tsc_hz();
	uint8_t d[1500];
	unsigned int r;

	if (!bench_wanted(id))
		return;
	br_datagram(d, len);
	for (r = 0; r < BR_REPEAT; r++) {
		raw[r] = (double)br_unchecked(d, len);
		chk[r] = (double)fn(s, d, len);
	}
	fprintf(stderr, "%s: %u-byte datagrams, cycles per send: checked "
		"%.1f unchecked %.1f (medians of %u samples of %u)\n", id, len,
		bench_median(chk, BR_REPEAT) / BR_SAMPLE,
		bench_median(raw, BR_REPEAT) / BR_SAMPLE, BR_REPEAT, BR_SAMPLE);
	/* after the sort: the medians of the same arrays */
	bench_report(id, hz * BR_SAMPLE / bench_median(chk, BR_REPEAT) / 1e6,
		     "Mpps", hz * BR_SAMPLE / bench_median(raw, BR_REPEAT) / 1e6,
		     false);
}

int
main(int argc, char **argv)
{
	struct pk_node_stats st;
	struct pk_sock *s;
	int rc = rte_eal_init(argc, argv), owner;

	if (rc < 0)
		return 1;
	if (bench_parse_args(argc - rc, argv + rc) != 0)
		return 1;
	if (!bench_wanted("silk.raw_send") &&
	    !bench_wanted("silk.raw_send.1500") &&
	    !bench_wanted("silk.raw_send.call"))
		goto out;
	br_node_create();
	owner = pk_owner_get("rawbench");
	if (owner < 0)
		rte_exit(1, "bench_silk_raw: owner\n");
	s = br_sock_open(owner);
	br_run("silk.raw_send", s, 64 - RTE_ETHER_HDR_LEN, br_checked_burst);
	br_run("silk.raw_send.1500", s, 1500, br_checked_burst);
	br_run("silk.raw_send.call", s, 64 - RTE_ETHER_HDR_LEN, br_checked);
	pk_node_run(br_node); /* anything left in the egress queue */
	if (pk_node_stats_get(br_node, &st) == 0)
		fprintf(stderr, "bench_silk_raw: node egress %" PRIu64 " tx %"
			PRIu64 " tx_dropped %" PRIu64 "\n", st.egress, st.tx,
			st.tx_dropped);
	pk_sock_close(s);
	pk_node_destroy(br_node);
	pk_port_close(br_uplink);
	if (rte_mempool_avail_count(br_pool) != BR_POOL)
		rte_exit(1, "bench_silk_raw: %u mbufs leaked\n",
			 BR_POOL - rte_mempool_avail_count(br_pool));
	rte_mempool_free(br_pool);
out:
	rte_eal_cleanup();
	return 0;
}
