/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_silk_sniff: what a sniffer (PK_SOCK_SNIFF, issue 15) costs the port
 * it watches.
 *
 * A UDP echo on one core: a node whose uplink is a net_ring loop (what is
 * sent on it is received on it) and a lazy UDP socket on port 7000. Each
 * round: BS_BURST frames from the peer made (alloc + copy of a template)
 * and sent into the loop, one pk_node_run() (ingress into the socket, then
 * egress of the last round's replies into the loop), pk_sock_recv_burst()
 * of the datagrams, the same mbufs sent back with pk_sock_send_burst() (no
 * copy), the replies taken out of the loop and freed (before the next
 * round's ingress could see them); with a sniffer, the same loop then
 * reads and frees every copy it holds (a reader that keeps up: what the
 * node's thread and the reader together cost the core).
 *
 * silk.sniffer: 64-byte frames, a sniffer of the port's outgoing and
 *   incoming packets (PK_SOCK_F_SNIFF_IN: two copies per datagram echoed);
 * silk.sniffer.out: the same, outgoing only (one copy per datagram);
 * silk.sniffer.1500: 1500-byte datagrams (1514-byte frames), in and out.
 * value: datagrams echoed per second with the sniffer (Mpps); baseline:
 *   the same port without one (a port with no sniffer costs nothing: the
 *   node does not even parse for it), same run; after an untimed sample
 *   of warm-up the two alternate, BS_REPEAT samples of BS_ROUNDS rounds
 *   each, medians; ratio = value / baseline. Every datagram must come back
 *   and every copy be read (else exit 1), and the pool be full at the end.
 *
 * Run: bench_silk_sniff --no-huge --no-shconf --no-pci -m 1024
 *   --file-prefix=bss -l 0 -- [--filter=REGEX]
 */
#include <arpa/inet.h>
#include <inttypes.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_udp.h>

#include "bench_common.h"

#define BS_BURST 32
#define BS_ROUNDS 4096
#define BS_REPEAT 7
#define BS_POOL 8191
#define BS_PORT 7000
#define BS_PEER_PORT 4000
#define BS_NODE "10.0.0.1"
#define BS_PEER "10.0.0.2"
#define BS_FRAME_MAX 1514

static struct rte_mempool *bs_pool;
static struct pk_node *bs_node;
static uint16_t bs_uplink;
static int bs_owner;
static uint8_t bs_frame[BS_FRAME_MAX];
static uint16_t bs_frame_len;
static const struct rte_ether_addr bs_peer_mac = {
	{ 0x02, 0, 0, 0, 0, 0x02 } };

static void
bs_node_create(void)
{
	static const char port[] = "net_ring_sniff";
	struct pk_port_conf pc = { 0 };
	struct pk_node_conf nc = { 0 };

	bs_pool = bench_pool_create("sniff_pool", BS_POOL, 256,
				    (int)rte_socket_id(), true);
	if (bs_pool == NULL)
		rte_exit(1, "bench_silk_sniff: pool\n");
	pc.mp = bs_pool;
	if (rte_eal_hotplug_add("vdev", port, "") != 0 ||
	    pk_port_lookup(port, &bs_uplink) != 0 ||
	    pk_port_setup(bs_uplink, &pc) != 0)
		rte_exit(1, "bench_silk_sniff: port %s\n", port);
	nc.name = "sniffbench";
	nc.uplink = bs_uplink;
	nc.mp = bs_pool;
	inet_pton(AF_INET, BS_NODE, &nc.addr4);
	nc.exception = PK_NODE_EXC_DROP;
	bs_node = pk_node_create(&nc);
	if (bs_node == NULL)
		rte_exit(1, "bench_silk_sniff: node: %s\n",
			 rte_strerror(rte_errno));
}

/* The peer's frame: a UDP datagram of len bytes (IP header included) to
 * the node's port. */
static void
bs_template(uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(bs_pool);
	struct pk_udp_tx tx = { 0 };
	struct sockaddr_in *l = (void *)&tx.local, *r = (void *)&tx.remote;
	uint16_t pl = (uint16_t)(len - 28);

	if (m == NULL)
		rte_exit(1, "bench_silk_sniff: pool empty\n");
	memset(rte_pktmbuf_append(m, pl), 0x5a, pl);
	rte_eth_macaddr_get(bs_uplink, &tx.dst_mac);
	tx.src_mac = bs_peer_mac;
	l->sin_family = r->sin_family = AF_INET;
	inet_pton(AF_INET, BS_PEER, &l->sin_addr);
	l->sin_port = htons(BS_PEER_PORT);
	inet_pton(AF_INET, BS_NODE, &r->sin_addr);
	r->sin_port = htons(BS_PORT);
	if (pk_udp_encap(m, &tx) != 0 ||
	    m->pkt_len != (uint32_t)len + RTE_ETHER_HDR_LEN)
		rte_exit(1, "bench_silk_sniff: template\n");
	bs_frame_len = (uint16_t)m->pkt_len;
	memcpy(bs_frame, rte_pktmbuf_mtod(m, void *), bs_frame_len);
	rte_pktmbuf_free(m);
}

static struct pk_sock *
bs_open(enum pk_sock_type type, uint32_t flags)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(BS_PORT) };
	struct pk_sock *s = pk_sock_open(bs_node, (uint32_t)bs_owner, AF_INET,
					 type, flags | PK_SOCK_F_NONBLOCK);
	int rc;

	inet_pton(AF_INET, BS_NODE, &a.sin_addr);
	if (s == NULL)
		rte_exit(1, "bench_silk_sniff: open\n");
	rc = type == PK_SOCK_SNIFF ?
		pk_sock_bind_raw(s, IPPROTO_UDP, (void *)&a, sizeof(a)) :
		pk_sock_bind(s, (void *)&a, sizeof(a));
	if (rc != 0)
		rte_exit(1, "bench_silk_sniff: bind: %s\n", strerror(-rc));
	return s;
}

/* Take what the node sent out of the loop and free it; how many. */
static unsigned int
bs_wire_drain(void)
{
	struct rte_mbuf *m[BS_BURST];
	unsigned int n = 0;
	uint16_t k;

	while ((k = rte_eth_rx_burst(bs_uplink, 0, m, BS_BURST)) > 0) {
		rte_pktmbuf_free_bulk(m, k);
		n += k;
	}
	return n;
}

/* Read and free what sniffer sn holds; how many. */
static unsigned int
bs_sniff_drain(struct pk_sock *sn)
{
	struct rte_mbuf *m[BS_BURST];
	unsigned int n = 0;
	int k;

	while ((k = pk_sock_recv_burst(sn, m, BS_BURST, 0)) > 0) {
		rte_pktmbuf_free_bulk(m, (unsigned int)k);
		n += (unsigned int)k;
	}
	return n;
}

/*
 * Cycles for BS_ROUNDS rounds of the echo through s, sniffer sn (NULL:
 * none) read by the same loop; *wire and *copies count what left and what
 * was read.
 */
static uint64_t
bs_echo(struct pk_sock *s, struct pk_sock *sn, uint64_t *wire,
	uint64_t *copies)
{
	struct sockaddr_in peer = { .sin_family = AF_INET,
				    .sin_port = htons(BS_PEER_PORT) };
	struct rte_mbuf *m[BS_BURST];
	unsigned int r, i;
	uint64_t t0;
	int k;

	inet_pton(AF_INET, BS_PEER, &peer.sin_addr);
	t0 = rte_rdtsc();
	for (r = 0; r < BS_ROUNDS; r++) {
		if (rte_pktmbuf_alloc_bulk(bs_pool, m, BS_BURST) != 0)
			rte_exit(1, "bench_silk_sniff: pool empty\n");
		for (i = 0; i < BS_BURST; i++)
			memcpy(rte_pktmbuf_append(m[i], bs_frame_len), bs_frame,
			       bs_frame_len);
		if (rte_eth_tx_burst(bs_uplink, 0, m, BS_BURST) != BS_BURST)
			rte_exit(1, "bench_silk_sniff: loop full\n");
		pk_node_run(bs_node);
		k = pk_sock_recv_burst(s, m, BS_BURST, 0);
		if (k != BS_BURST ||
		    pk_sock_send_burst(s, m, (uint16_t)k, (void *)&peer,
				       sizeof(peer)) != k)
			rte_exit(1, "bench_silk_sniff: echo (%d)\n", k);
		*wire += bs_wire_drain();
		if (sn != NULL)
			*copies += bs_sniff_drain(sn);
	}
	t0 = rte_rdtsc() - t0;
	pk_node_run(bs_node); /* the last replies, untimed */
	*wire += bs_wire_drain();
	if (sn != NULL)
		*copies += bs_sniff_drain(sn);
	return t0;
}

/* One id: frames of the template, a sniffer with flags, both sides
 * alternating. */
static void
bs_run(const char *id, uint16_t len, uint32_t flags)
{
	double with[BS_REPEAT], without[BS_REPEAT], hz = rte_get_tsc_hz();
	uint64_t wire = 0, copies = 0, want;
	struct pk_sock_stats st;
	struct pk_sock *s, *sn;
	unsigned int r;

	if (!bench_wanted(id))
		return;
	bs_template(len);
	s = bs_open(PK_SOCK_UDP, 0);
	bs_echo(s, NULL, &wire, &copies); /* warm up, untimed */
	for (r = 0; r < BS_REPEAT; r++) {
		without[r] = (double)bs_echo(s, NULL, &wire, &copies);
		sn = bs_open(PK_SOCK_SNIFF, flags);
		with[r] = (double)bs_echo(s, sn, &wire, &copies);
		if (pk_sock_stats_get(sn, &st) != 0 || st.rx_dropped != 0)
			rte_exit(1, "bench_silk_sniff: %s: the sniffer lost "
				 "copies\n", id);
		pk_sock_close(sn);
	}
	want = (uint64_t)(2 * BS_REPEAT + 1) * BS_ROUNDS * BS_BURST;
	if (wire != want ||
	    copies != (uint64_t)BS_REPEAT * BS_ROUNDS * BS_BURST *
		      ((flags & PK_SOCK_F_SNIFF_IN) ? 2 : 1))
		rte_exit(1, "bench_silk_sniff: %s: %" PRIu64 " echoed, %"
			 PRIu64 " copies\n", id, wire, copies);
	pk_sock_close(s);
	fprintf(stderr, "%s: %u-byte frames, cycles per datagram echoed: "
		"sniffed %.1f not %.1f (medians of %u samples of %u)\n", id,
		bs_frame_len, bench_median(with, BS_REPEAT) /
		(BS_ROUNDS * BS_BURST), bench_median(without, BS_REPEAT) /
		(BS_ROUNDS * BS_BURST), BS_REPEAT, BS_ROUNDS * BS_BURST);
	/* after the sort: the medians of the same arrays */
	bench_report(id, hz * BS_ROUNDS * BS_BURST /
		     bench_median(with, BS_REPEAT) / 1e6, "Mpps",
		     hz * BS_ROUNDS * BS_BURST /
		     bench_median(without, BS_REPEAT) / 1e6, false);
}

int
main(int argc, char **argv)
{
	struct pk_node_stats st;
	int rc = rte_eal_init(argc, argv);

	if (rc < 0)
		return 1;
	if (bench_parse_args(argc - rc, argv + rc) != 0)
		return 1;
	if (!bench_wanted("silk.sniffer") && !bench_wanted("silk.sniffer.out") &&
	    !bench_wanted("silk.sniffer.1500"))
		goto out;
	bs_node_create();
	bs_owner = pk_owner_get("sniffbench");
	if (bs_owner < 0)
		rte_exit(1, "bench_silk_sniff: owner\n");
	bs_run("silk.sniffer", 64 - RTE_ETHER_HDR_LEN, PK_SOCK_F_SNIFF_IN);
	bs_run("silk.sniffer.out", 64 - RTE_ETHER_HDR_LEN, 0);
	bs_run("silk.sniffer.1500", 1500, PK_SOCK_F_SNIFF_IN);
	if (pk_node_stats_get(bs_node, &st) == 0)
		fprintf(stderr, "bench_silk_sniff: node rx %" PRIu64 " tx %"
			PRIu64 " sniffed %" PRIu64 " sniff_lost %" PRIu64 "\n",
			st.rx, st.tx, st.sniffed, st.sniff_lost);
	pk_node_destroy(bs_node);
	pk_port_close(bs_uplink);
	if (rte_mempool_avail_count(bs_pool) != BS_POOL)
		rte_exit(1, "bench_silk_sniff: %u mbufs leaked\n",
			 BS_POOL - rte_mempool_avail_count(bs_pool));
	rte_mempool_free(bs_pool);
out:
	rte_eal_cleanup();
	return 0;
}
