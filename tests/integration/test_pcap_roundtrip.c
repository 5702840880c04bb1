/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcap round trip: frames this test writes to a pcap go in through net_pcap,
 * through a path [proc_ttl, proc_macswap, proc_counter, port_tx] and out to
 * another pcap, which the test reads back with libpcap and checks packet by
 * packet against frames it computed itself: expired and malformed ones gone,
 * order kept, MACs swapped, TTL / hop limit decremented with a valid IPv4
 * header checksum, every other byte as it was. Then the statistics by reason,
 * the path's accounting and the mempool.
 *
 * net_pcap opens both files when the EAL probes it, so main() writes the
 * input before rte_eal_init(); atexit() removes the files on every exit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define RT_SNAPLEN 65535
#define RT_MAX_FRAME 1514
#define RT_IDLE_POLLS 64  /* empty RX polls in a row that mean "EOF" */

/* What a frame is made of; decides where its IP header sits. */
enum rt_kind {
	RT_UDP4,      /* Ethernet / IPv4 / UDP */
	RT_TCP4,      /* Ethernet / IPv4 / TCP */
	RT_ICMP4,     /* Ethernet / IPv4 / ICMP echo */
	RT_UDP6,      /* Ethernet / IPv6 / UDP */
	RT_TCP6,      /* Ethernet / IPv6 / TCP */
	RT_VLAN_UDP4, /* Ethernet / 802.1Q / IPv4 / UDP */
	RT_QINQ_TCP6, /* Ethernet / 802.1ad / 802.1Q / IPv6 / TCP */
	RT_ARP,       /* Ethernet / ARP request */
	RT_LLDP,      /* an ethertype nobody here parses */
	RT_TRUNC4,    /* IPv4 header cut short by the end of the frame */
	RT_BADIHL4,   /* IPv4 header whose IHL runs past the frame */
};

/* What the path must do with a frame: the test's own expectation. */
enum rt_fate { RT_PASS, RT_EXPIRED, RT_MALFORMED };

struct rt_spec {
	enum rt_kind kind;
	uint16_t len;        /* frame length on the wire */
	uint8_t ttl;         /* TTL or hop limit */
	enum rt_fate fate;
};

static const struct rt_spec rt_specs[] = {
	{ RT_UDP4, 60, 64, RT_PASS },
	{ RT_TCP4, 60, 64, RT_PASS },
	{ RT_ICMP4, 98, 64, RT_PASS },
	{ RT_UDP6, 86, 64, RT_PASS },
	{ RT_TCP6, 74, 255, RT_PASS },
	{ RT_VLAN_UDP4, 64, 32, RT_PASS },
	{ RT_ARP, 60, 0, RT_PASS },
	{ RT_UDP4, 1514, 2, RT_PASS },
	{ RT_UDP4, 128, 1, RT_EXPIRED },
	{ RT_TRUNC4, 30, 64, RT_MALFORMED },
	{ RT_TCP4, 1514, 128, RT_PASS },
	{ RT_UDP6, 1514, 1, RT_EXPIRED },
	{ RT_LLDP, 60, 0, RT_PASS },
	{ RT_QINQ_TCP6, 200, 64, RT_PASS },
	{ RT_ICMP4, 1000, 0, RT_EXPIRED },
	{ RT_TCP6, 777, 2, RT_PASS },
	{ RT_BADIHL4, 60, 64, RT_MALFORMED },
	{ RT_VLAN_UDP4, 1514, 1, RT_EXPIRED },
	{ RT_UDP4, 255, 255, RT_PASS },
	{ RT_TCP4, 512, 17, RT_PASS },
	{ RT_ICMP4, 1514, 64, RT_PASS },
	{ RT_UDP6, 1200, 64, RT_PASS },
	{ RT_ARP, 1514, 0, RT_PASS },
	{ RT_QINQ_TCP6, 1514, 1, RT_EXPIRED },
	{ RT_TRUNC4, 20, 64, RT_MALFORMED },
	{ RT_VLAN_UDP4, 333, 9, RT_PASS },
	{ RT_TCP6, 1514, 64, RT_PASS },
	{ RT_UDP4, 61, 64, RT_PASS },
	{ RT_LLDP, 1514, 0, RT_PASS },
	{ RT_TCP4, 1499, 3, RT_PASS },
	{ RT_UDP4, 60, 1, RT_EXPIRED },
	{ RT_ICMP4, 64, 200, RT_PASS },
};

#define RT_NB_FRAMES RTE_DIM(rt_specs)

/* One input frame and where its IP header starts (0: none). */
struct rt_frame {
	uint8_t data[RT_MAX_FRAME];
	uint16_t len;
	uint16_t l3_off;
};

static struct rt_frame rt_in[RT_NB_FRAMES];
static char rt_dir[64];
static char rt_in_path[128];
static char rt_out_path[128];
static struct rte_mempool *rt_pool;

static const struct rte_ether_addr rt_src = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa } };
static const struct rte_ether_addr rt_dst = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xbb } };

/* ---- building the input ---- */

/* A payload byte pattern unique per frame, so a mix-up shows. */
static void
rt_fill_payload(uint8_t *p, size_t len, unsigned int idx)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(idx * 31 + i * 7 + 1);
}

/* Write Ethernet and VLAN tags; return the offset of what follows. */
static uint16_t
rt_put_l2(uint8_t *p, uint16_t type, unsigned int tags)
{
	struct rte_ether_hdr eh = { .dst_addr = rt_dst, .src_addr = rt_src };
	struct rte_vlan_hdr vh;
	uint16_t off = sizeof(eh);
	unsigned int t;

	eh.ether_type = rte_cpu_to_be_16(tags == 2 ? RTE_ETHER_TYPE_QINQ :
					 tags == 1 ? RTE_ETHER_TYPE_VLAN : type);
	memcpy(p, &eh, sizeof(eh));
	for (t = 0; t < tags; t++) {
		vh.vlan_tci = rte_cpu_to_be_16(100 + t);
		vh.eth_proto = rte_cpu_to_be_16(t + 1 < tags ?
						RTE_ETHER_TYPE_VLAN : type);
		memcpy(p + off, &vh, sizeof(vh));
		off += sizeof(vh);
	}
	return off;
}

/* The L4 checksum is over the finished payload; TTL is not part of it. */
static void
rt_put_l4_csum4(uint8_t *l3, uint8_t proto)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	uint8_t *l4 = l3 + sizeof(*ip);
	uint16_t c;

	if (proto == IPPROTO_ICMP) {
		c = (uint16_t)~rte_raw_cksum(l4, rte_be_to_cpu_16(
				ip->total_length) - sizeof(*ip));
		memcpy(l4 + offsetof(struct rte_icmp_hdr, icmp_cksum), &c, 2);
		return;
	}
	c = rte_ipv4_udptcp_cksum(ip, l4);
	memcpy(l4 + (proto == IPPROTO_UDP ?
		     offsetof(struct rte_udp_hdr, dgram_cksum) :
		     offsetof(struct rte_tcp_hdr, cksum)), &c, 2);
}

static void
rt_put_l4_hdr(uint8_t *l4, uint8_t proto, uint16_t l4_len)
{
	struct rte_udp_hdr udp = {
		.src_port = RTE_BE16(5000), .dst_port = RTE_BE16(53),
		.dgram_len = rte_cpu_to_be_16(l4_len) };
	struct rte_tcp_hdr tcp = {
		.src_port = RTE_BE16(40000), .dst_port = RTE_BE16(80),
		.sent_seq = RTE_BE32(1), .data_off = 5 << 4,
		.tcp_flags = RTE_TCP_ACK_FLAG, .rx_win = RTE_BE16(65535) };
	struct rte_icmp_hdr icmp = { .icmp_type = RTE_IP_ICMP_ECHO_REQUEST,
				     .icmp_ident = RTE_BE16(7) };

	if (proto == IPPROTO_UDP)
		memcpy(l4, &udp, sizeof(udp));
	else if (proto == IPPROTO_TCP)
		memcpy(l4, &tcp, sizeof(tcp));
	else
		memcpy(l4, &icmp, sizeof(icmp));
}

static size_t
rt_l4_hdr_len(uint8_t proto)
{
	return proto == IPPROTO_UDP ? sizeof(struct rte_udp_hdr) :
	       proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) :
				      sizeof(struct rte_icmp_hdr);
}

static void
rt_put_ipv4(struct rt_frame *f, uint16_t off, uint8_t proto, uint8_t ttl,
	    unsigned int idx)
{
	struct rte_ipv4_hdr ip = {
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = rte_cpu_to_be_16(f->len - off),
		.packet_id = rte_cpu_to_be_16(idx),
		.time_to_live = ttl,
		.next_proto_id = proto,
		.src_addr = RTE_BE32(RTE_IPV4(10, 0, 2, 1)),
		.dst_addr = RTE_BE32(RTE_IPV4(10, 51, 100, 7)),
	};
	size_t l4h = rt_l4_hdr_len(proto);
	uint8_t *l4 = f->data + off + sizeof(ip);

	ip.hdr_checksum = rte_ipv4_cksum(&ip);
	memcpy(f->data + off, &ip, sizeof(ip));
	rt_put_l4_hdr(l4, proto, f->len - off - sizeof(ip));
	rt_fill_payload(l4 + l4h, f->len - off - sizeof(ip) - l4h, idx);
	rt_put_l4_csum4(f->data + off, proto);
	f->l3_off = off;
}

static void
rt_put_ipv6(struct rt_frame *f, uint16_t off, uint8_t proto, uint8_t hops,
	    unsigned int idx)
{
	struct rte_ipv6_hdr ip6 = {
		.vtc_flow = RTE_BE32(6u << 28 | 0x12345),
		.payload_len = rte_cpu_to_be_16(f->len - off - sizeof(ip6)),
		.proto = proto,
		.hop_limits = hops,
		.src_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		.dst_addr = { 0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 2 },
	};
	size_t l4h = rt_l4_hdr_len(proto);
	uint8_t *l4 = f->data + off + sizeof(ip6);
	uint16_t c;

	memcpy(f->data + off, &ip6, sizeof(ip6));
	rt_put_l4_hdr(l4, proto, f->len - off - sizeof(ip6));
	rt_fill_payload(l4 + l4h, f->len - off - sizeof(ip6) - l4h, idx);
	c = rte_ipv6_udptcp_cksum(&ip6, l4);
	memcpy(l4 + (proto == IPPROTO_UDP ?
		     offsetof(struct rte_udp_hdr, dgram_cksum) :
		     offsetof(struct rte_tcp_hdr, cksum)), &c, 2);
	f->l3_off = off;
}

static void
rt_put_arp(struct rt_frame *f, uint16_t off, unsigned int idx)
{
	struct rte_arp_hdr arp = {
		.arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER),
		.arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4),
		.arp_hlen = RTE_ETHER_ADDR_LEN, .arp_plen = 4,
		.arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST),
		.arp_data = { .arp_sha = rt_src,
			      .arp_sip = RTE_BE32(RTE_IPV4(10, 0, 2, 1)),
			      .arp_tip = RTE_BE32(RTE_IPV4(10, 0, 2, 9)) },
	};

	memcpy(f->data + off, &arp, sizeof(arp));
	/* padding up to the frame length: not zero, so a change shows */
	rt_fill_payload(f->data + off + sizeof(arp),
			f->len - off - sizeof(arp), idx);
}

/* A well-formed IPv4 header with the wrong IHL, or one cut short. */
static void
rt_put_bad_ipv4(struct rt_frame *f, uint16_t off, enum rt_kind kind,
		unsigned int idx)
{
	struct rte_ipv4_hdr ip = {
		.version_ihl = 0x4f, /* 60-byte header, longer than the frame */
		.total_length = rte_cpu_to_be_16(f->len - off),
		.time_to_live = 64,
		.next_proto_id = IPPROTO_UDP,
	};

	if (kind == RT_TRUNC4)
		ip.version_ihl = RTE_IPV4_VHL_DEF;
	memcpy(f->data + off, &ip, RTE_MIN(sizeof(ip), (size_t)(f->len - off)));
	if (f->len - off > (int)sizeof(ip))
		rt_fill_payload(f->data + off + sizeof(ip),
				f->len - off - sizeof(ip), idx);
}

static void
rt_build(struct rt_frame *f, const struct rt_spec *sp, unsigned int idx)
{
	uint16_t off;

	memset(f, 0, sizeof(*f));
	f->len = sp->len;
	switch (sp->kind) {
	case RT_UDP4:
	case RT_TCP4:
	case RT_ICMP4:
		off = rt_put_l2(f->data, RTE_ETHER_TYPE_IPV4, 0);
		rt_put_ipv4(f, off, sp->kind == RT_UDP4 ? IPPROTO_UDP :
				    sp->kind == RT_TCP4 ? IPPROTO_TCP :
							  IPPROTO_ICMP,
			    sp->ttl, idx);
		break;
	case RT_VLAN_UDP4:
		off = rt_put_l2(f->data, RTE_ETHER_TYPE_IPV4, 1);
		rt_put_ipv4(f, off, IPPROTO_UDP, sp->ttl, idx);
		break;
	case RT_UDP6:
	case RT_TCP6:
		off = rt_put_l2(f->data, RTE_ETHER_TYPE_IPV6, 0);
		rt_put_ipv6(f, off, sp->kind == RT_UDP6 ? IPPROTO_UDP :
							  IPPROTO_TCP,
			    sp->ttl, idx);
		break;
	case RT_QINQ_TCP6:
		off = rt_put_l2(f->data, RTE_ETHER_TYPE_IPV6, 2);
		rt_put_ipv6(f, off, IPPROTO_TCP, sp->ttl, idx);
		break;
	case RT_ARP:
		off = rt_put_l2(f->data, RTE_ETHER_TYPE_ARP, 0);
		rt_put_arp(f, off, idx);
		break;
	case RT_LLDP:
		off = rt_put_l2(f->data, RTE_ETHER_TYPE_LLDP, 0);
		rt_fill_payload(f->data + off, f->len - off, idx);
		break;
	case RT_TRUNC4:
	case RT_BADIHL4:
		off = rt_put_l2(f->data, RTE_ETHER_TYPE_IPV4, 0);
		rt_put_bad_ipv4(f, off, sp->kind, idx);
		break;
	}
}

/* Not cmocka: runs before the EAL and cmocka start. */
static int
rt_write_input(void)
{
	struct pcap_pkthdr h = { .ts = { .tv_sec = 1700000000 } };
	pcap_dumper_t *d;
	pcap_t *dead;
	unsigned int i;

	dead = pcap_open_dead(DLT_EN10MB, RT_SNAPLEN);
	if (dead == NULL)
		return -ENOMEM;
	d = pcap_dump_open(dead, rt_in_path);
	if (d == NULL) {
		fprintf(stderr, "pcap_dump_open %s: %s\n", rt_in_path,
			pcap_geterr(dead));
		pcap_close(dead);
		return -EIO;
	}
	for (i = 0; i < RT_NB_FRAMES; i++) {
		rt_build(&rt_in[i], &rt_specs[i], i);
		h.ts.tv_usec = i;
		h.caplen = h.len = rt_in[i].len;
		pcap_dump((u_char *)d, &h, rt_in[i].data);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}

/* unlink() and rmdir() only: also safe from a signal handler */
static void
rt_cleanup(void)
{
	if (rt_in_path[0] != '\0')
		unlink(rt_in_path);
	if (rt_out_path[0] != '\0')
		unlink(rt_out_path);
	if (rt_dir[0] != '\0')
		rmdir(rt_dir);
}

/* A sanitizer abort or a meson timeout skips atexit(): clean up, then die. */
static void
rt_on_signal(int sig)
{
	rt_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- what the test expects ---- */

static unsigned int
rt_count(enum rt_fate fate)
{
	unsigned int i, n = 0;

	for (i = 0; i < RT_NB_FRAMES; i++)
		n += rt_specs[i].fate == fate;
	return n;
}

static uint64_t
rt_bytes(bool passed_only)
{
	uint64_t b = 0;
	unsigned int i;

	for (i = 0; i < RT_NB_FRAMES; i++)
		if (!passed_only || rt_specs[i].fate == RT_PASS)
			b += rt_in[i].len;
	return b;
}

static bool
rt_is_ipv4(enum rt_kind k)
{
	return k == RT_UDP4 || k == RT_TCP4 || k == RT_ICMP4 ||
	       k == RT_VLAN_UDP4;
}

static bool
rt_is_ipv6(enum rt_kind k)
{
	return k == RT_UDP6 || k == RT_TCP6 || k == RT_QINQ_TCP6;
}

/*
 * The frame a router would send: MACs swapped, TTL or hop limit one less,
 * IPv4 checksum recomputed from scratch (not incrementally, as proc_ttl does).
 */
static void
rt_expected(const struct rt_frame *in, const struct rt_spec *sp, uint8_t *out)
{
	struct rte_ipv4_hdr ip;

	memcpy(out, in->data, in->len);
	memcpy(out, in->data + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(out + RTE_ETHER_ADDR_LEN, in->data, RTE_ETHER_ADDR_LEN);
	if (rt_is_ipv4(sp->kind)) {
		memcpy(&ip, out + in->l3_off, sizeof(ip));
		ip.time_to_live--;
		ip.hdr_checksum = 0;
		ip.hdr_checksum = rte_ipv4_cksum(&ip);
		memcpy(out + in->l3_off, &ip, sizeof(ip));
	} else if (rt_is_ipv6(sp->kind)) {
		out[in->l3_off + offsetof(struct rte_ipv6_hdr, hop_limits)]--;
	}
}

/* One's-complement sum over an IPv4 header: 0xffff when it is valid. */
static uint16_t
rt_ones_sum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* ---- running the path ---- */

struct rt_run {
	uint16_t port_id;
	struct pk_stage *rx;
	struct pk_path *path;
	struct pk_stage *st[4]; /* ttl, macswap, counter, tx */
	uint64_t received;
};

static void
rt_build_path(struct rt_run *r)
{
	static const char *const kinds[] = { "proc_ttl", "proc_macswap",
					     "proc_counter", "port_tx" };
	const struct pk_path_conf pc = { .name = "rt_path", .owner = 42,
					 .tail = PK_PATH_TAIL_DROP, .flags = PK_STAGE_F_BYTES,
					 .socket_id = SOCKET_ID_ANY };
	unsigned int i;

	for (i = 0; i < RTE_DIM(kinds); i++) {
		r->st[i] = pk_stage_create(kinds[i], kinds[i],
					   i == 3 ? "port=net_pcap0,bytes=1" : "bytes=1",
					   SOCKET_ID_ANY);
		assert_non_null(r->st[i]);
	}
	r->path = pk_path_create(&pc, r->st, RTE_DIM(kinds));
	assert_non_null(r->path);
	r->rx = pk_stage_create("port_rx", "rx", "port=net_pcap0",
				SOCKET_ID_ANY);
	assert_non_null(r->rx);
}

/*
 * net_pcap RX gives 0 at the end of the file; a few empty polls in a row
 * mean it is over. Bursts of 1, 7 and 32 cross frame boundaries differently.
 */
static void
rt_pump(struct rt_run *r)
{
	static const uint16_t bursts[] = { 1, 7, 32 };
	struct pk_stage *ps = pk_path_stage(r->path);
	struct rte_mbuf *pkts[32];
	unsigned int idle = 0, b = 0;
	uint16_t n;

	while (idle < RT_IDLE_POLLS && r->received <= 2 * RT_NB_FRAMES) {
		n = pk_stage_pull(r->rx, pkts, bursts[b++ % RTE_DIM(bursts)]);
		if (n == 0) {
			idle++;
			continue;
		}
		idle = 0;
		r->received += n;
		/* tail policy drop: the path takes every packet */
		assert_int_equal(pk_stage_push(ps, pkts, n), n);
	}
}

static void
rt_check_stage(struct pk_stage *s, uint64_t in, uint64_t out, uint64_t expired,
	       uint64_t malformed)
{
	struct pk_stage_stats st;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	assert_int_equal(st.in_pkts, in);
	assert_int_equal(st.out_pkts, out);
	assert_int_equal(st.drops[PK_DROP_EXPIRED], expired);
	assert_int_equal(st.drops[PK_DROP_MALFORMED], malformed);
	for (r = 0; r < PK_DROP_MAX; r++)
		if (r != PK_DROP_EXPIRED && r != PK_DROP_MALFORMED)
			assert_int_equal(st.drops[r], 0);
}

static void
rt_check_stats(const struct rt_run *r)
{
	const uint64_t n = RT_NB_FRAMES, pass = rt_count(RT_PASS);
	const uint64_t exp = rt_count(RT_EXPIRED), bad = rt_count(RT_MALFORMED);
	struct pk_stage_stats st, ttl, tx;
	struct rte_eth_stats es;

	assert_int_equal(r->received, n);
	assert_int_equal(pass + exp + bad, n);
	rt_check_stage(r->rx, n, n, 0, 0);
	rt_check_stage(r->st[0], n, pass, exp, bad);  /* proc_ttl */
	rt_check_stage(r->st[1], pass, pass, 0, 0);   /* proc_macswap */
	rt_check_stage(r->st[2], pass, pass, 0, 0);   /* proc_counter */
	assert_int_equal(pk_stage_stats_get(r->st[2], &st), 0);
	assert_int_equal(st.in_bytes, rt_bytes(true));
	assert_int_equal(st.out_bytes, rt_bytes(true));
	rt_check_stage(r->st[3], pass, 0, 0, 0);      /* port_tx */
	assert_int_equal(pk_stage_stats_get(r->st[3], &st), 0);
	assert_int_equal(st.in_bytes, rt_bytes(true));

	/* the path: everything in at its head, nothing refused at its tail,
	 * and every packet accounted for by a stage */
	assert_int_equal(pk_stage_stats_get(pk_path_stage(r->path), &st), 0);
	assert_int_equal(st.in_pkts, n);
	assert_int_equal(st.in_bytes, rt_bytes(false));
	assert_int_equal(st.drops[PK_DROP_FULL], 0);
	assert_int_equal(pk_stage_stats_get(r->st[0], &ttl), 0);
	assert_int_equal(pk_stage_stats_get(r->st[3], &tx), 0);
	assert_int_equal(st.in_pkts, ttl.drops[PK_DROP_EXPIRED] +
			 ttl.drops[PK_DROP_MALFORMED] + tx.in_pkts +
			 st.drops[PK_DROP_FULL]);
	assert_int_equal(pk_path_owner(r->path), 42);
	assert_int_equal(pk_path_nb_stages(r->path), 4);

	/* and the NIC agrees */
	assert_int_equal(rte_eth_stats_get(r->port_id, &es), 0);
	assert_int_equal(es.ipackets, n);
	assert_int_equal(es.opackets, pass);
	assert_int_equal(es.oerrors, 0);
	assert_int_equal(pk_path_stats_print(stdout, r->path), 0);
}

/* ---- reading the output ---- */

static void
rt_check_packet(unsigned int out_idx, unsigned int in_idx,
		const struct pcap_pkthdr *h, const uint8_t *data)
{
	const struct rt_frame *in = &rt_in[in_idx];
	const struct rt_spec *sp = &rt_specs[in_idx];
	uint8_t want[RT_MAX_FRAME];
	uint16_t ck = 0;
	unsigned int i;

	if (h->caplen != in->len || h->len != in->len)
		fail_msg("output %u (input %u): %u/%u bytes, want %u", out_idx,
			 in_idx, h->caplen, h->len, in->len);
	rt_expected(in, sp, want);
	if (rt_is_ipv4(sp->kind)) {
		if (rt_ones_sum(data + in->l3_off,
				sizeof(struct rte_ipv4_hdr)) != 0xffff)
			fail_msg("output %u (input %u): bad IPv4 header "
				 "checksum", out_idx, in_idx);
		ck = in->l3_off + offsetof(struct rte_ipv4_hdr, hdr_checksum);
	}
	for (i = 0; i < in->len; i++) {
		/* the checksum is checked by value above: 0 and ~0 both fit */
		if (ck != 0 && (i == ck || i == ck + 1U))
			continue;
		if (data[i] != want[i])
			fail_msg("output %u (input %u, kind %d): byte %u is "
				 "0x%02x, want 0x%02x", out_idx, in_idx,
				 sp->kind, i, data[i], want[i]);
	}
}

static void
rt_check_output(void)
{
	char err[PCAP_ERRBUF_SIZE];
	const uint8_t *data;
	struct pcap_pkthdr *h;
	unsigned int in_idx = 0, out_idx = 0;
	pcap_t *pc;
	int rc;

	pc = pcap_open_offline(rt_out_path, err);
	if (pc == NULL)
		fail_msg("cannot read %s: %s", rt_out_path, err);
	assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		while (in_idx < RT_NB_FRAMES && rt_specs[in_idx].fate != RT_PASS)
			in_idx++;
		if (in_idx == RT_NB_FRAMES) {
			pcap_close(pc);
			fail_msg("output has more than %u packets",
				 rt_count(RT_PASS));
		}
		rt_check_packet(out_idx++, in_idx++, h, data);
	}
	pcap_close(pc);
	assert_int_equal(rc, PCAP_ERROR_BREAK); /* EOF, not a damaged file */
	assert_int_equal(out_idx, rt_count(RT_PASS));
}

/* ---- the test ---- */

static void
test_pcap_roundtrip(void **state)
{
	struct rt_run r = { 0 };
	struct pk_port_conf conf = { .mp = rt_pool };

	(void)state;
	assert_int_equal(pk_port_lookup("net_pcap0", &r.port_id), 0);
	assert_int_equal(pk_port_setup(r.port_id, &conf), 0);
	rt_build_path(&r);
	rt_pump(&r);
	rt_check_stats(&r);
	pk_path_destroy(r.path);
	pk_stage_destroy(r.rx);
	/* stop closes the output dumper, which writes the file out */
	assert_int_equal(pk_port_close(r.port_id), 0);
	rt_check_output();
}

/* The input really holds what the test expects (guards the builder). */
static void
test_input_as_built(void **state)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const uint8_t *data;
	unsigned int i = 0;
	pcap_t *pc;

	(void)state;
	pc = pcap_open_offline(rt_in_path, err);
	assert_non_null(pc);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		assert_true(i < RT_NB_FRAMES);
		assert_int_equal(h->caplen, rt_specs[i].len);
		assert_memory_equal(data, rt_in[i].data, h->caplen);
		if (rt_is_ipv4(rt_specs[i].kind))
			assert_int_equal(rt_ones_sum(data + rt_in[i].l3_off,
				sizeof(struct rte_ipv4_hdr)), 0xffff);
		i++;
	}
	pcap_close(pc);
	assert_int_equal(i, RT_NB_FRAMES);
	assert_true(rt_count(RT_EXPIRED) >= 3);
	assert_true(rt_count(RT_MALFORMED) >= 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_input_as_built,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_pcap_roundtrip,
					  pk_test_teardown_pools_full),
	};
	const char *tmp = getenv("TMPDIR");
	static char vdev[400];
	const char *vdevs[] = { vdev, NULL };
	int rc;

	snprintf(rt_dir, sizeof(rt_dir), "%s/pk_pcap_rt_XXXXXX",
		 tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(rt_dir) == NULL) {
		perror("mkdtemp");
		rt_dir[0] = '\0';
		return 1;
	}
	atexit(rt_cleanup);
	signal(SIGABRT, rt_on_signal);
	signal(SIGTERM, rt_on_signal);
	signal(SIGINT, rt_on_signal);
	snprintf(rt_in_path, sizeof(rt_in_path), "%s/in.pcap", rt_dir);
	snprintf(rt_out_path, sizeof(rt_out_path), "%s/out.pcap", rt_dir);
	if (rt_write_input() != 0)
		return 1;
	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s,tx_pcap=%s",
		 rt_in_path, rt_out_path);

	pk_test_eal_init("test_pcap_roundtrip", vdevs, NULL);
	rt_pool = pk_test_pool("pcap_rt", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
