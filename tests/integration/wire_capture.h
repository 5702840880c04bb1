/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_WIRE_CAPTURE_H
#define PK_WIRE_CAPTURE_H

/*
 * What really went on the wire, for integration tests: a libpcap capture
 * on an interface of a network namespace, and a parser that checks the
 * checksums of each captured frame.
 *
 * wc_start() starts a thread that enters the namespace (ne_enter(),
 * netns_env.h), opens the interface in immediate and promiscuous mode with
 * a BPF filter (pcap-filter(7) syntax), and keeps a copy of every frame the
 * filter passes, in arrival order, until wc_free(). It returns once the
 * capture is live: a frame the interface sees after it is caught. To know
 * the capture has caught up with what a test sent, send a marker last and
 * wc_wait() for it (frames leave an interface in order).
 *
 * Threads: wc_start, wc_stop and wc_free on one thread; wc_count, wc_frame
 * and wc_wait from any thread while the capture runs and after it stops.
 * A frame wc_frame() gives stays valid, unchanged, until wc_free().
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <netinet/in.h>

struct wc_capture;

/* One captured frame: data[0..caplen) of a frame of len bytes. */
struct wc_frame {
	const uint8_t *data;
	uint32_t caplen;
	uint32_t len;
	struct timeval ts;
};

/* A frame taken apart by wc_parse(). Offsets into the frame's data. */
struct wc_pkt {
	int family;             /* AF_INET or AF_INET6 */
	struct in_addr src4, dst4;   /* AF_INET */
	struct in6_addr src6, dst6;  /* AF_INET6 */
	uint32_t l3;            /* IP header's offset (after Ethernet, VLANs) */
	uint32_t l3_len;        /* IP header bytes: options, extensions */
	uint8_t proto;          /* transport protocol (after extensions) */
	uint32_t l4;            /* transport header's offset, or 0: none (a
				   later fragment, or cut off) */
	uint32_t l4_len;        /* transport bytes: header and payload */
	uint16_t sport, dport;  /* UDP, TCP: ports, host order; ICMP and
				   ICMPv6: type and code */
	uint32_t data;          /* payload's offset (after the UDP, TCP or
				   ICMP header), or 0 */
	uint32_t data_len;      /* payload bytes */
	bool ip_csum_ok;        /* IPv4 header checksum valid (IPv6: true) */
	bool l4_csum_ok;        /* transport checksum valid (UDP, TCP, ICMP,
				   ICMPv6; a UDP checksum of 0, "none",
				   counts as not valid) */
};

/*
 * Start capturing on interface ifname of namespace netns (a name of
 * `ip netns`; NULL: the caller's) the frames BPF filter passes (NULL or
 * "": all of them).
 * Returns the capture, or NULL after a message on stderr (no such
 * namespace or interface, a bad filter, no memory).
 */
struct wc_capture *wc_start(const char *netns, const char *ifname,
			    const char *filter);

/*
 * Stop capturing; the frames stay. Safe to call twice.
 * Returns 0, or -1 after a message on stderr when the capture failed while
 * running or the kernel dropped frames (what is missing from the capture
 * may then have been on the wire).
 */
int wc_stop(struct wc_capture *c);

/* Stop (if running) and free the capture and its frames; NULL is fine. */
void wc_free(struct wc_capture *c);

/* Frames captured so far. */
unsigned int wc_count(struct wc_capture *c);

/* Frame i (0 the first one), or NULL past the last. */
const struct wc_frame *wc_frame(struct wc_capture *c, unsigned int i);

/* A frame wc_wait() looks for; p is NULL when the frame is not IP. */
typedef bool (*wc_match_t)(const struct wc_frame *f,
			   const struct wc_pkt *p, void *arg);

/*
 * Wait up to timeout_us microseconds for a frame, index from or later,
 * that match accepts.
 * Returns its index, or -1 if none came in time.
 */
int wc_wait(struct wc_capture *c, unsigned int from, wc_match_t match,
	    void *arg, uint64_t timeout_us);

/*
 * Take an Ethernet frame apart (802.1Q and 802.1ad tags skipped; IPv6
 * hop-by-hop, destination options, routing and fragment headers walked)
 * and check its IPv4 header checksum and, for a whole datagram that is
 * all there, its transport checksum.
 * Returns 0, or -1 when the frame is not IPv4 or IPv6 or its IP header is
 * cut off (p is then zeroed).
 */
int wc_parse(const uint8_t *frame, uint32_t len, struct wc_pkt *p);

/* Whether an IPv4 header of hlen bytes (options too) sums right. */
bool wc_ipv4_csum_ok(const void *ip, uint32_t hlen);

/*
 * Whether transport bytes l4[0..l4_len) of protocol proto (UDP, TCP, ICMP,
 * ICMPv6) sum right with the pseudo-header of family's addresses src and
 * dst (struct in_addr or in6_addr; ICMP has none). A UDP checksum of 0
 * ("none") is not valid.
 */
bool wc_l4_csum_ok(int family, const void *src, const void *dst,
		   uint8_t proto, const void *l4, uint32_t l4_len);

#endif /* PK_WIRE_CAPTURE_H */
