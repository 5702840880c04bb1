/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SOCK_NETNS_H
#define PK_SOCK_NETNS_H

/*
 * test_sock_netns's pieces (test_sock_netns.c: the fixture, the servers,
 * main and the close test; sock_netns_tcp.c, sock_netns_udp.c: the tests
 * of each protocol). Bodies run in application threads (netns_env.h).
 */

#include <stdint.h>
#include <sys/socket.h>

#include <pathkit/pathkit.h>

#include "netns_env.h"

#define NODE_IP "10.89.0.1"
#define NODE_IP6 "fd89::1"
#define CLIENT_IP "10.89.0.2"
#define CLIENT_IP6 "fd89::2"
#define ABSENT_IP "10.89.0.77"   /* in the prefix, nobody there */
#define ABSENT_IP6 "fd89::77"
#define CLIENT_MAC "02:00:00:89:00:02"
#define TCP_ECHO 7001
#define UDP_ECHO 7101
#define UDP_ECHO_2 7102          /* another: socat's children linger */
#define WILD_PORT 7300
#define CLOSED_PORT 7999
#define EPH_LO 40000             /* a small ephemeral range ... */
#define EPH_HI 40009
#define EPH_BOB_HI 40006         /* ... mostly reserved for bob */
#define STREAM ((size_t)1 << 20)       /* bytes through the TCP echo */
#define CHUNK ((size_t)16384)
#define WAIT_US 10000000u        /* longest wait of a call that works */

/* Owner of every socket of the tests. */
extern int alice;

/* What every test gets: a started node, its demux's keys at the start. */
struct fixture {
	struct pk_node *n;
	unsigned int flows;
};

/* ip:port of domain into ss; its length. */
socklen_t peer(int domain, const char *ip, uint16_t port,
	       struct sockaddr_storage *ss);
/* The client's address of domain, port; its length. */
socklen_t client(int domain, uint16_t port, struct sockaddr_storage *ss);
/* The port of a sockaddr_in/in6, host order. */
uint16_t port_of(const struct sockaddr_storage *ss);
/* Run one body, or two at once, in application threads; assert success. */
void app(ne_body_t fn, void *arg);
void app2(ne_body_t fn, void *a0, void *a1);
/* Connect s to the client's TCP port (a body's step): 0 or -1. */
int tcp_connect(struct pk_sock *s, int domain, uint16_t port, int nonblock);

void test_tcp_echo(void **state);
void test_tcp_refused(void **state);
void test_tcp_ephemeral_ports(void **state);
void test_udp_echo(void **state);
void test_udp_absent_host(void **state);

#endif /* PK_SOCK_NETNS_H */
