/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SNIFF_NETNS_H
#define PK_SNIFF_NETNS_H

/*
 * test_sniff_netns's pieces (test_sniff_netns.c: the fixture, the servers,
 * main and sniff_open; sniff_netns_wire.c: the copies against the wire;
 * sniff_netns_udp.c, sniff_netns_tcp.c: the tests of each protocol). The
 * node, the namespaces and the capture are silk_wire_env.h's. Bodies run
 * in application threads (netns_env.h).
 */

#include <stdint.h>

#include <pathkit/pathkit.h>

#include "silk_wire_env.h"

#define TCP_ECHO 7001
/* one UDP echo per peer: socat's children read the socket they share for
 * a while, and answer the peer they were forked for */
#define ALICE_ECHO 7101       /* alice's ALICE_PORT */
#define BOB_ECHO 7102         /* bob's BOB_PORT */
#define FREE_ECHO 7103        /* whoever holds FREE_PORT */
#define RESV_LO 7050          /* alice's, UDP and TCP */
#define RESV_HI 7059
#define ALICE_PORT 7050       /* her UDP socket's */
#define TCP_PORT 7051         /* her TCP socket's */
#define PROBE_PORT 7052       /* her UDP socket whose error comes back */
#define BOB_LO 7300           /* bob's, UDP and TCP */
#define BOB_HI 7309
#define BOB_PORT 7300
#define FREE_PORT 7400        /* reserved for nobody */
#define ROUNDS 16             /* datagrams each way per socket */
#define MAX_COPIES 512
#define QUIET_US 300000u      /* no copy for this long: nothing more comes */
#define SNIFF_FILTER "ether host " CLIENT_MAC /* the capture: everything */

enum { WAY_NONE, WAY_OUT, WAY_IN };

/* What a sniffer read: whole IP datagrams, in order. */
struct copies {
	unsigned int n;
	uint8_t *b[MAX_COPIES];
	uint32_t len[MAX_COPIES];
};

/* What one family's application threads work on. */
struct sn_case {
	struct pk_node *n;
	int domain;
	int step;         /* bob and alice's rendezvous (test_owner_scoped) */
	struct copies cp; /* alice's sniffer's */
};

/* A sniffer of owner on node:port of proto (flags: PK_SOCK_F_SNIFF_IN);
 * its bind's result in *rc. */
struct pk_sock *sniff_open(struct pk_node *n, int owner, int domain,
			   uint8_t proto, uint16_t port, uint32_t flags,
			   int *rc);

/* Read sniffer s until it holds want copies, or nothing came for QUIET_US
 * (want 0: until that quiet only). Returns 0 or ne_fail()'s -1. */
int copies_read(struct pk_sock *s, struct copies *c, unsigned int want);

/* Copy i of c behind an Ethernet header of its family, taken apart. */
void copy_parse(const struct copies *c, unsigned int i, int family,
		uint8_t *fr, size_t size, struct wc_pkt *p);

/* Which way frame f (parsed p) goes for port (proto) of the node's address
 * of family: WAY_OUT, WAY_IN (an ICMP error about the port's packet: the
 * error's way) or WAY_NONE. */
int port_way(const uint8_t *f, uint32_t flen, const struct wc_pkt *p,
	     int family, uint8_t proto, uint16_t port);

/* Wait for both families' copies on the wire, stop the capture, assert
 * the copies are the wire's frames of port, each way, in order. */
void expect_wire46(struct wc_capture *cap, uint8_t proto, uint16_t port,
		   const struct sn_case *c4, const struct sn_case *c6);

/* Free both cases' copies. */
void cases_fini(struct sn_case *c4, struct sn_case *c6);

void test_udp_copies_are_the_wire(void **state);
void test_tcp_copies_are_the_wire(void **state);
void test_owner_scoped(void **state);
void test_foreign_copies_stay_foreign(void **state);
void test_icmp_error_is_the_ports(void **state);

#endif /* PK_SNIFF_NETNS_H */
