/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PCAP_RT_FRAMES_H
#define PK_PCAP_RT_FRAMES_H

/*
 * The input of test_pcap_roundtrip.c: the frames it sends (Ethernet, VLAN
 * and QinQ; IPv4 and IPv6 with UDP, TCP, ICMP; ARP; IPv4 headers with a
 * bad IHL or cut short), each with the fate the test expects (passed,
 * expired, malformed), built byte by byte with a payload unique per frame,
 * written to the input pcap before the EAL starts, and the files removed
 * on exit or on a fatal signal. Header-only, static: one includer.
 */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

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

static const struct rte_ether_addr rt_src = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa } };
static const struct rte_ether_addr rt_dst = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xbb } };

/* ---- building the input ---- */

/* A payload byte pattern unique per frame, so a mix-up shows. */
static inline void
rt_fill_payload(uint8_t *p, size_t len, unsigned int idx)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(idx * 31 + i * 7 + 1);
}

/* Write Ethernet and VLAN tags; return the offset of what follows. */
static inline uint16_t
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
static inline void
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

static inline void
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

static inline size_t
rt_l4_hdr_len(uint8_t proto)
{
	return proto == IPPROTO_UDP ? sizeof(struct rte_udp_hdr) :
	       proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) :
				      sizeof(struct rte_icmp_hdr);
}

static inline void
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

static inline void
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

static inline void
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
static inline void
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

static inline void
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
static inline int
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
static inline void
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
static inline void
rt_on_signal(int sig)
{
	rt_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

#endif /* PK_PCAP_RT_FRAMES_H */
