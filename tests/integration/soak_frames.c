/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soak_frames: one burst of malformed Ethernet frames out of an interface,
 * for devtools/soak.sh to replay into a DPDK port from a namespace (the
 * interface's veth peer is the port). Runts, truncated and inconsistent
 * IPv4 and IPv6 headers (bad IHL, bogus lengths, fragments, extension
 * header chains), VLAN stacks, non-IP ethertypes, then random garbage from
 * a seeded generator, so that a failure can be replayed. The addresses are
 * the caller's (the test's own subnet) and IPv6 link-local ones: no frame
 * names an address outside the test's namespaces.
 *
 * Usage: soak_frames IFACE DST_MAC SRC_IPV4 DST_IPV4 [SEED]
 * Prints "soak_frames: IFACE: sent N of M frames (K kinds, seed S)"; the
 * kernel may refuse a few (a frame shorter than the Ethernet header is
 * padded as root, refused otherwise). Exit 0 if at least one was sent.
 * No DPDK: a plain AF_PACKET raw socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FRAME 1514
#define COPIES 4   /* each malformed kind, so that a burst is a burst */
#define RANDOM 128 /* random frames after them */

static uint8_t dst_mac[6], src_mac[6];
static uint32_t src_ip, dst_ip; /* network order */
static uint64_t rng;

/* A frame being built: bytes and length. */
struct frame {
	uint8_t b[MAX_FRAME];
	size_t n;
};

static uint32_t
rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static void
put(struct frame *f, const void *p, size_t n)
{
	if (f->n + n > MAX_FRAME)
		n = MAX_FRAME - f->n;
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
put16(struct frame *f, uint16_t v)
{
	v = htons(v);
	put(f, &v, 2);
}

static void
zeros(struct frame *f, size_t n)
{
	static const uint8_t z[MAX_FRAME];

	put(f, z, n);
}

static void
eth(struct frame *f, uint16_t type)
{
	f->n = 0;
	put(f, dst_mac, 6);
	put(f, src_mac, 6);
	put16(f, type);
}

static uint16_t
csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * An IPv4 header: version/IHL byte vihl, total length tot (0: what follows,
 * l4len bytes), fragment field frag; options (ihl > 5) are zero bytes. Its
 * checksum is right unless bad.
 */
static void
ip4(struct frame *f, uint8_t vihl, uint16_t tot, uint16_t frag, uint8_t proto,
    size_t l4len, int bad)
{
	size_t hl = (size_t)(vihl & 0xf) * 4;
	uint8_t h[60] = { 0 };
	uint16_t c;

	if (hl < 20)
		hl = 20; /* the bytes are there; the IHL says otherwise */
	h[0] = vihl;
	tot = tot != 0 ? tot : (uint16_t)(hl + l4len);
	h[2] = (uint8_t)(tot >> 8);
	h[3] = (uint8_t)tot;
	h[6] = (uint8_t)(frag >> 8);
	h[7] = (uint8_t)frag;
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &src_ip, 4);
	memcpy(h + 16, &dst_ip, 4);
	c = csum(h, hl) ^ (bad ? 0x5a5a : 0);
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
	put(f, h, hl);
}

/* An IPv6 header fe80::1 -> fe80::2 with payload length plen, next nh. */
static void
ip6(struct frame *f, uint8_t ver, uint16_t plen, uint8_t nh)
{
	uint8_t h[40] = { 0 };

	h[0] = (uint8_t)(ver << 4);
	h[4] = (uint8_t)(plen >> 8);
	h[5] = (uint8_t)plen;
	h[6] = nh;
	h[7] = 64;
	h[8] = 0xfe;
	h[9] = 0x80;
	h[23] = 1;
	h[24] = 0xfe;
	h[25] = 0x80;
	h[39] = 2;
	put(f, h, sizeof(h));
}

/* A UDP header of the given length field, ports 40000 -> 9 (discard). */
static void
udp(struct frame *f, uint16_t len)
{
	put16(f, 40000);
	put16(f, 9);
	put16(f, len);
	put16(f, 0);
}

/* An IPv6 extension header: next nh, length byte len, then zeros. */
static void
ext6(struct frame *f, uint8_t nh, uint8_t len)
{
	uint8_t h[2] = { nh, len };

	put(f, h, 2);
	zeros(f, 6);
}

/* Builds malformed kind k into f; returns its name, NULL past the last. */
static const char *
kind(struct frame *f, unsigned int k)
{
	unsigned int i;

	switch (k) {
	case 0: eth(f, 0x0800); return "eth header only";
	case 1: eth(f, 0x0800); f->n = 10; return "runt below the eth header";
	case 2: eth(f, 0x0800); zeros(f, 46); return "60 zero bytes as IPv4";
	case 3: eth(f, 0x0800); ip4(f, 0x45, 0, 0, 17, 0, 0); f->n -= 8;
		return "IPv4 header cut at 12 bytes";
	case 4: eth(f, 0x0800); ip4(f, 0x43, 0, 0, 17, 8, 0); udp(f, 8);
		return "IPv4 IHL 3";
	case 5: eth(f, 0x0800); ip4(f, 0x4f, 0, 0, 17, 8, 0); f->n -= 40;
		return "IPv4 IHL 15, 20 bytes";
	case 6: eth(f, 0x0800); ip4(f, 0x45, 1500, 0, 17, 8, 0); udp(f, 8);
		return "IPv4 total length 1500, 28 bytes";
	case 7: eth(f, 0x0800); ip4(f, 0x45, 8, 0, 17, 8, 0); udp(f, 8);
		return "IPv4 total length 8";
	case 8: eth(f, 0x0800); ip4(f, 0x45, 0, 0, 17, 8, 0);
		f->b[16] = f->b[17] = 0; udp(f, 8);
		return "IPv4 total length 0";
	case 9: eth(f, 0x0800); ip4(f, 0x65, 0, 0, 17, 8, 0); udp(f, 8);
		return "version 6 in IPv4";
	case 10: eth(f, 0x0800); ip4(f, 0x45, 0, 0x2000, 17, 16, 0);
		udp(f, 400); zeros(f, 8); return "IPv4 first fragment";
	case 11: eth(f, 0x0800); ip4(f, 0x45, 0, 0x2000 | 185, 17, 32, 0);
		zeros(f, 32); return "IPv4 middle fragment";
	case 12: eth(f, 0x0800); ip4(f, 0x45, 0, 370, 6, 32, 0);
		zeros(f, 32); return "IPv4 last fragment";
	case 13: eth(f, 0x0800); ip4(f, 0x45, 0, 0x2000, 6, 4, 0);
		zeros(f, 4); return "IPv4 tiny first fragment, 4 bytes of TCP";
	case 14: eth(f, 0x0800); ip4(f, 0x45, 0, 0, 17, 4, 0); zeros(f, 4);
		return "UDP header cut at 4 bytes";
	case 15: eth(f, 0x0800); ip4(f, 0x45, 0, 0, 6, 20, 0);
		zeros(f, 20); f->b[14 + 20 + 12] = 0xf0;
		return "TCP data offset 15 in 20 bytes";
	case 16: eth(f, 0x0800); ip4(f, 0x45, 0, 0, 6, 20, 0);
		zeros(f, 20); f->b[14 + 20 + 12] = 0x20;
		return "TCP data offset 2";
	case 17: eth(f, 0x0800); ip4(f, 0x45, 0, 0, 17, 8, 0);
		udp(f, 0xffff); return "UDP length 65535";
	case 18: eth(f, 0x0800); ip4(f, 0x45, 0, 0, 17, 8, 1); udp(f, 8);
		return "IPv4 bad checksum";
	case 19: eth(f, 0x0800); ip4(f, 0x46, 0, 0, 17, 8, 0);
		f->b[14 + 20] = 0x83; f->b[14 + 21] = 40; udp(f, 8);
		return "IPv4 option longer than the header";
	case 20: eth(f, 0x0800); ip4(f, 0x45, 0xffff, 0, 17, 1472, 0);
		udp(f, 1480); zeros(f, 1472);
		return "IPv4 total length 65535, 1514 bytes";
	case 21: eth(f, 0x86dd); ip6(f, 6, 8, 17); f->n -= 20;
		return "IPv6 header cut at 20 bytes";
	case 22: eth(f, 0x86dd); ip6(f, 4, 8, 17); udp(f, 8);
		return "version 4 in IPv6";
	case 23: eth(f, 0x86dd); ip6(f, 6, 0xffff, 17); udp(f, 8);
		return "IPv6 payload length 65535, 8 bytes";
	case 24: eth(f, 0x86dd); ip6(f, 6, 8, 0); ext6(f, 17, 200);
		return "IPv6 hop-by-hop longer than the frame";
	case 25: eth(f, 0x86dd); ip6(f, 6, 36, 0); ext6(f, 60, 0);
		ext6(f, 43, 0); ext6(f, 44, 0); ext6(f, 6, 0); zeros(f, 4);
		return "IPv6 extension chain, TCP cut";
	case 26: eth(f, 0x86dd); ip6(f, 6, 24, 44); ext6(f, 17, 0);
		f->b[14 + 40 + 3] = 1; udp(f, 400); zeros(f, 8);
		return "IPv6 first fragment";
	case 27: eth(f, 0x86dd); ip6(f, 6, 40, 44); ext6(f, 17, 0);
		f->b[14 + 40 + 2] = 0x05; zeros(f, 32);
		return "IPv6 middle fragment";
	case 28: eth(f, 0x86dd); ip6(f, 6, 8 * 40, 60);
		for (i = 0; i < 40; i++)
			ext6(f, i + 1 < 40 ? 60 : 17, 0);
		return "IPv6 40 destination-options headers";
	case 29: eth(f, 0x8100); put16(f, 5); return "VLAN tag cut";
	case 30: eth(f, 0x8100); put16(f, 5); put16(f, 0x0800); zeros(f, 8);
		return "VLAN, IPv4 cut at 8 bytes";
	case 31: eth(f, 0x88a8);
		for (i = 0; i < 8; i++) {
			put16(f, (uint16_t)i);
			put16(f, i + 1 < 8 ? 0x8100 : 0x0800);
		}
		ip4(f, 0x45, 0, 0, 17, 8, 0); udp(f, 8);
		return "eight VLAN tags, then IPv4";
	case 32: eth(f, 0x0806); zeros(f, 4); return "ARP cut at 4 bytes";
	case 33: eth(f, 0x88cc); zeros(f, 46); return "LLDP of zeros";
	case 34: eth(f, 0x0020); put16(f, 0xaaaa); zeros(f, 44);
		return "802.3 length field";
	case 35: eth(f, 0x8847); put16(f, 0); put16(f, 0x0140);
		zeros(f, 4); return "MPLS, no bottom of stack";
	case 36: eth(f, 0x0000); zeros(f, 46); return "ethertype 0";
	case 37: eth(f, 0x8864); put16(f, 0x1100); return "PPPoE cut";
	default: return NULL;
	}
}

/* A random frame: a likely ethertype, random bytes, random length. */
static void
random_frame(struct frame *f)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100, 0x88a8,
					  0x0806 };
	size_t len = 1 + rnd() % MAX_FRAME, i;

	eth(f, (rnd() & 3) != 0 ? types[rnd() % 5] : (uint16_t)rnd());
	if (f->b[12] == 0x08 && f->b[13] == 0x00 && (rnd() & 1))
		ip4(f, (uint8_t)(0x40 | (rnd() & 0xf)), (uint16_t)rnd(),
		    (uint16_t)rnd(), (uint8_t)rnd(), 0, rnd() & 1);
	for (i = f->n; i < len; i++)
		f->b[i] = (uint8_t)rnd();
	if (len > f->n)
		f->n = len;
}

static int
parse_mac(const char *s, uint8_t *mac)
{
	unsigned int m[6], i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (m[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)m[i];
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned int k, c, sent = 0, tried = 0, kinds = 0;
	struct ifreq ifr = { 0 };
	static struct frame f;
	const char *name;
	int fd;

	if (argc < 5 || argc > 6 || strlen(argv[1]) >= IFNAMSIZ ||
	    parse_mac(argv[2], dst_mac) != 0 ||
	    inet_pton(AF_INET, argv[3], &src_ip) != 1 ||
	    inet_pton(AF_INET, argv[4], &dst_ip) != 1) {
		fprintf(stderr, "usage: soak_frames IFACE DST_MAC SRC_IPV4 "
			"DST_IPV4 [SEED]\n");
		return 2;
	}
	rng = argc == 6 ? strtoull(argv[5], NULL, 0) : 1;
	fd = socket(AF_PACKET, SOCK_RAW, 0); /* send only: no protocol */
	if (fd < 0) {
		perror("soak_frames: socket");
		return 1;
	}
	strcpy(ifr.ifr_name, argv[1]);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
		fprintf(stderr, "soak_frames: %s: %s\n", argv[1],
			strerror(errno));
		close(fd);
		return 1;
	}
	sll.sll_ifindex = ifr.ifr_ifindex; /* before SIOCGIFHWADDR: a union */
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dst_mac, 6);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(src_mac, ifr.ifr_hwaddr.sa_data, 6);
	else
		memcpy(src_mac, "\x02\0\0\0\0\x01", 6); /* a local one */

	for (k = 0; (name = kind(&f, k)) != NULL; k++) {
		kinds++;
		for (c = 0; c < COPIES; c++, tried++)
			if (sendto(fd, f.b, f.n, 0, (struct sockaddr *)&sll,
				   sizeof(sll)) == (ssize_t)f.n)
				sent++;
	}
	for (c = 0; c < RANDOM; c++, tried++) {
		random_frame(&f);
		if (sendto(fd, f.b, f.n, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) == (ssize_t)f.n)
			sent++;
	}
	close(fd);
	printf("soak_frames: %s: sent %u of %u frames (%u kinds, seed %s)\n",
	       argv[1], sent, tried, kinds, argc == 6 ? argv[5] : "1");
	return sent != 0 ? 0 : 1;
}
