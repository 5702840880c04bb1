/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SILK_WIRE_ENV_H
#define PK_SILK_WIRE_ENV_H

/*
 * A SILK node on the wire, for the netns tests in C that look at what
 * really went by (test_raw_netns, test_sniff_netns):
 * - once, in main(): sw_start() makes the namespaces (netns_env.h) with
 *   the client at CLIENT_IP/24, CLIENT_IP6/64 and CLIENT_MAC on its eth0,
 *   starts the test's socat servers there with the client's ICMP rate
 *   limits off (every port unreachable is answered), starts the EAL with
 *   the node's uplink (net_af_packet on the node namespace's veth end) and
 *   gets owners alice and bob; sw_stop() closes the uplink and the EAL;
 * - each test: sw_node_up() makes a node (TAP exception path, NODE_IP/24
 *   and NODE_IP6/64) with the test's reservations and starts it on the
 *   worker; sw_capture() starts a libpcap capture on the client's eth0
 *   (wire_capture.h); sw_node_down() frees the capture, prints and
 *   destroys the node and then checks that no demux key is left and the
 *   pools are full.
 * The fixture's functions assert with cmocka: call them from the main
 * thread (setup, test, teardown), never from a body (netns_env.h).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <pathkit/pathkit.h>

#include "netns_env.h"
#include "wire_capture.h"

#define NODE_IP "10.89.0.1"
#define NODE_IP6 "fd89::1"
#define CLIENT_IP "10.89.0.2"
#define CLIENT_IP6 "fd89::2"
#define CLIENT_MAC "02:00:00:89:00:02"
#define CLOSED_PORT 7999      /* no server listens there, UDP nor TCP */
#define WAIT_US 2000000u      /* longest wait of a call that works */
#define CAPTURE_US 3000000u   /* longest wait for a frame in the capture */

/* The owners sw_start() got. */
extern int alice, bob;

/* One server of the client namespace: a shell command and the port (proto
 * 't' TCP, 'u' UDP) it listens on once it is up (ne_server()). */
struct sw_server {
	const char *cmd;
	char proto;
	uint16_t port;
};

/* Ports lo..hi of proto reserved for owner. */
struct sw_resv {
	int owner;
	uint8_t proto;
	uint16_t lo, hi;
};

/* What every test gets. */
struct sw_fixture {
	struct pk_node *n;      /* started on the worker */
	unsigned int flows;     /* its demux's keys once it was up */
	struct wc_capture *cap; /* freed by sw_node_down, whatever happened */
};

/*
 * Everything up for test_name, before the tests: root, ip, ss and socat
 * required (exit 77 otherwise, ne_require()); namespaces tagged tag
 * (ne_setup()), the servers srv[0..n) started, the EAL, the uplink and
 * the owners. Exits 1 after a message naming test_name on any failure.
 */
void sw_start(const char *test_name, const char *tag,
	      const struct sw_server *srv, unsigned int n);

/* Close the uplink and the EAL, after the tests. */
void sw_stop(void);

/* A node named name with the reservations resv[0..n), started: the test's
 * fixture (asserts it all worked). */
struct sw_fixture *sw_node_up(const char *name, const struct sw_resv *resv,
			      unsigned int n);

/*
 * Free f's capture, stop the node, print its statistics and destroy it,
 * then assert that its demux holds the keys it had once up (every socket
 * closed) and the pools are full (nothing leaked). With sniffers, also
 * that the node lost no sniffer copy (sniff_lost 0).
 */
void sw_node_down(struct sw_fixture *f, bool sniffers);

/* Start f's capture on the client's eth0, of what BPF filter passes
 * (asserts it started). */
struct wc_capture *sw_capture(struct sw_fixture *f, const char *filter);

/* Run fn on c4 and on c6 at once, in two application threads (IPv4 and
 * IPv6 cases); assert both returned 0. */
void sw_app46(ne_body_t fn, void *c4, void *c6);

/* The node's and the client's address of domain, as text. */
const char *sw_node_ip(int domain);
const char *sw_client_ip(int domain);

/* ip:port of domain into ss; its length. */
socklen_t sw_sa(int domain, const char *ip, uint16_t port,
		struct sockaddr_storage *ss);

/* The client's address of domain, port, into ss; its length. */
socklen_t sw_client(int domain, uint16_t port, struct sockaddr_storage *ss);

/* Whether address field a of parsed p (src or dst) is ip. */
bool sw_addr_is(const struct wc_pkt *p, bool src, const char *ip);

/* An Ethernet header (addresses 0, type of family) at fr[0..14), so that
 * wc_parse() takes apart the IP datagram a socket gave at fr + 14. */
void sw_eth_hdr(uint8_t *fr, int family);

#endif /* PK_SILK_WIRE_ENV_H */
