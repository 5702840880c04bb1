/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_RAW_NETNS_H
#define PK_RAW_NETNS_H

/*
 * test_raw_netns's pieces (test_raw_netns.c: the fixture, the helpers and
 * main; raw_netns_send.c: what raw sockets send, on the wire;
 * raw_netns_ports.c: the port's ICMP errors, another owner's ports). The
 * node, the namespaces and the capture are silk_wire_env.h's. Bodies run
 * in application threads (netns_env.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pathkit/pathkit.h>

#include "silk_wire_env.h"

#define FORGED_IP "1.2.3.4"
#define FORGED_IP6 "2001:db8::99"
#define UDP_ECHO 7101
#define RESV_LO 7050          /* alice's, UDP and TCP */
#define RESV_HI 7059
#define RAW_PORT 7050         /* raw sockets: every echo answers here */
#define PROBE_PORT 7051       /* the UDP socket whose errors come back */
#define WRONG_PORT 7052       /* alice's too, but not the socket's */
#define BOUND_PORT 7200       /* bound by alice, reserved for nobody */
#define TCP_SEQ 0x12345678u
#define UPLINK_MTU 1500       /* the veth's, so the node's uplink's */

/* What one application thread works on. */
struct rw_case {
	struct pk_node *n;
	int domain;
};

/* A frame of the node's: family, protocol, ports (ICMP: type, code). */
struct want {
	int family;
	uint8_t proto;
	uint16_t sport, dport;
	const char *payload; /* the whole payload, or NULL: any */
};

/* A datagram of domain src:sport -> dst:dport in b: UDP carrying payload,
 * or a TCP SYN (sequence TCP_SEQ); TTL 0, IPv4 header checksum wrong,
 * transport checksum csum. Its length. */
size_t dgram(uint8_t *b, int domain, const char *src, uint16_t sport,
	     const char *dst, uint16_t dport, uint8_t proto,
	     const char *payload, uint16_t csum);

/* A raw or ICMP-error socket of owner, bound to node:port of proto (the
 * bind's result in *rc). */
struct pk_sock *raw_open(struct pk_node *n, int owner, int domain,
			 enum pk_sock_type type, uint8_t proto, uint16_t port,
			 int *rc);

/* One IP datagram of s behind an Ethernet header at fr, parsed into p: the
 * frame's length or the recv's error. */
int recv_frame(struct pk_sock *s, int domain, uint8_t *fr, size_t size,
	       struct wc_pkt *p);

/* Wait for w in the capture and check where it came from, its TTL and
 * checksums (from_node: the node's; else the client's). The frame. */
const struct wc_frame *expect_frame(struct wc_capture *cap,
				    const struct want *w, bool from_node);

/* Frame f's checksums, as expect_frame() checks them, catch a flipped
 * bit. */
void expect_csum_sensitive(const struct wc_frame *f);

/* Run fn on f's node in two application threads at once, IPv4 and IPv6. */
void app46(struct sw_fixture *f, ne_body_t fn);

void test_raw_forged_source(void **state);
void test_raw_refused_never_on_wire(void **state);
void test_raw_tcp_checksum(void **state);
void test_icmp_unreachable_to_error_socket(void **state);
void test_foreign_owner_refused(void **state);

#endif /* PK_RAW_NETNS_H */
