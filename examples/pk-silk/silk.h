/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SILK_EXAMPLE_H
#define PK_SILK_EXAMPLE_H

/* pk-silk's parts: the echo services (echo.c), raw services (raw.c) and
 * sniffers (sniff.c) its main (main.c) starts, with the options (options.c)
 * that describe them; the sockets and thread of each (silk_socks.c). */

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <arpa/inet.h>

#include <pcap/pcap.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_example.h"

/* Connections one TCP echo serves at once. */
#define ECHO_MAX_CONN 64
/* Sockets of one echo service: IPv4, and IPv6 when the node has it. */
#define ECHO_FAMILIES 2

/* ---- a service's sockets and thread (silk_socks.c) ---- */

/* Sockets of one service at most: each of its kinds (a sniffer's: UDP and
 * TCP) in each family. */
#define SILK_SOCKS (2 * ECHO_FAMILIES)

/* One kind of a service's sockets. */
struct silk_sock_kind {
	enum pk_sock_type type;
	uint32_t flags;   /* pk_sock_open()'s */
	uint8_t proto;    /* bound with pk_sock_bind_raw() to it; 0: with
			     pk_sock_bind() */
	uint32_t wait_us; /* the socket's timeout; 0: none set */
	int backlog;      /* > 0: listens with it */
};

/* A service's sockets, on its port's wildcard address, and its thread. */
struct silk_socks {
	struct pk_sock *sock[SILK_SOCKS]; /* kind k of family f (IPv4, IPv6)
					     at f * nb_kinds + k, or NULL; the
					     open ones first */
	unsigned int nb_kinds;
	bool started;
	pthread_t thread;
};

/* A readable socket, fds[k] of silk_socks_poll(). */
typedef void (*silk_socks_ready_t)(void *arg, struct pk_sock *s,
				   unsigned int k);
/* What a service counts of socket s before it closes. */
typedef void (*silk_socks_count_t)(void *arg, struct pk_sock *s);

/* Open and bind ss's sockets on port, of owner owner_name: each of
 * kinds[0..nb_kinds) for IPv4 and, if v6, IPv6. 0, or the -errno of the
 * owner lookup or of the socket that failed (its index in *failed;
 * SILK_SOCKS: the owner's), none left open. */
int silk_socks_open(struct silk_socks *ss, struct pk_node *n,
		    const char *owner_name, uint16_t port,
		    const struct silk_sock_kind *kinds, unsigned int nb_kinds,
		    bool v6, unsigned int *failed);

/* The family of ss's socket i: AF_INET or AF_INET6. */
int silk_socks_af(const struct silk_socks *ss, unsigned int i);

/* ss's open sockets into fds[0..ret) (fds[k] is socket k), waiting for
 * POLLIN; fds has room for two of each kind (ECHO_FAMILIES). */
unsigned int silk_socks_pollfds(const struct silk_socks *ss,
				struct pk_sock_pollfd *fds);

/* Wait up to wait_us for fds[0..nfd), then ready(arg, s, k) for each
 * fds[k] readable: pk_sock_poll()'s result. */
int silk_socks_poll(struct pk_sock_pollfd *fds, unsigned int nfd,
		    uint32_t wait_us, silk_socks_ready_t ready, void *arg);

/* Start ss's thread, fn(arg): 0 or -errno. */
int silk_socks_start(struct silk_socks *ss, void *(*fn)(void *), void *arg);

/* Wait for ss's thread, if started (told to end by its service), then
 * close ss's sockets, each seen by count(arg, s) first unless count is
 * NULL. Safe to call twice. */
void silk_socks_stop(struct silk_socks *ss, silk_socks_count_t count,
		     void *arg);

/* ---- the services ---- */

/* One --udp-echo or --tcp-echo. */
struct echo {
	char owner_name[PK_OWNER_NAMESIZE];
	uint16_t port;
	enum pk_sock_type type;
	struct silk_socks socks; /* AF_INET, AF_INET6 */
	const volatile int *quit;
	uint64_t errors; /* sends or receives that failed */
};

/* Open and bind (and listen) e's sockets on the port's wildcard address,
 * IPv6 too if v6: 0 or the socket API's -errno (none stays open). */
int echo_open(struct echo *e, struct pk_node *n, bool v6);

/* Start e's thread: 0 or -errno. */
int echo_start(struct echo *e);

/* Wait for e's thread (its quit flag set), if started, and close its
 * sockets. */
void echo_stop(struct echo *e);

/* One --raw: safe raw sockets of an owner on a port (raw.c), IPv4 and
 * IPv6, answering every datagram with one they craft. */
struct raw_svc {
	char owner_name[PK_OWNER_NAMESIZE];
	uint8_t proto; /* IPPROTO_UDP or IPPROTO_TCP */
	uint16_t port;
	struct silk_socks socks; /* AF_INET, AF_INET6 */
	const volatile int *quit;
	uint64_t answered; /* replies sent */
	uint64_t ignored;  /* datagrams no reply was made for (a RST, bad ones) */
	uint64_t errors;   /* replies the socket refused or could not send */
	uint64_t refused[PK_RAW_VERDICT_MAX]; /* by verdict, read at close */
};

/* Open and bind r's raw sockets on the port's wildcard address, IPv6 too
 * if v6: 0 or the socket API's -errno (none stays open). */
int rawsvc_open(struct raw_svc *r, struct pk_node *n, bool v6);

/* Start r's thread: 0 or -errno. */
int rawsvc_start(struct raw_svc *r);

/* Wait for r's thread (its quit flag set), if started, and close its
 * sockets (their refused sends kept in r->refused). */
void rawsvc_stop(struct raw_svc *r);

/* One line of r's counters: "raw OWNER:udp:PORT: answered N ignored N
 * errors N", then "refused(VERDICT) N" for each verdict that refused any. */
void rawsvc_print(FILE *f, const struct raw_svc *r);

/* One --sniff: an owner's port, both protocols and directions, to a pcap
 * file (sniff.c). */
struct sniff_svc {
	const char *spec; /* as given, for messages */
	char owner_name[PK_OWNER_NAMESIZE];
	uint16_t port;
	char file[PATH_MAX];
	struct silk_socks socks; /* udp4, tcp4, udp6, tcp6 (IPv6: if any) */
	pcap_t *pcap;
	pcap_dumper_t *dump;
	volatile int stop; /* set by sniffsvc_stop(), once the node stopped */
	uint64_t written; /* copies written to the file */
	uint64_t dropped; /* copies lost: rx_dropped of the sockets, at close */
	uint64_t errors;  /* failed flushes (the file is short) */
};

/* Open and bind f's sniffers on the port's wildcard address, IPv6 too if
 * v6, then create its file: 0, or -1 with the reason in err (nothing stays
 * open). */
int sniffsvc_open(struct sniff_svc *f, struct pk_node *n, bool v6, char *err,
		  size_t errlen);

/* Start f's thread: 0 or -errno. */
int sniffsvc_start(struct sniff_svc *f);

/* Stop f's thread, if started, once it wrote what its sniffers hold (call
 * it after the node's thread stopped, for every copy), then close its
 * sockets and its file. */
void sniffsvc_stop(struct sniff_svc *f);

/* One line of f's counters: "sniff OWNER:PORT: written N dropped N errors N
 * file FILE". */
void sniffsvc_print(FILE *fp, const struct sniff_svc *f);

#define MAX_ECHO 32
#define MAX_RAW 32
#define MAX_SNIFF 32
#define MAX_RESV 64
#define MAX_KPORT 32
#define NS 1000000000ull

/* pk-silk's options (options.c reads them, main.c uses them). */
struct silk_opts {
	struct in_addr addr4;
	uint8_t plen4;
	struct in6_addr addr6;
	uint8_t plen6;
	const char *resv[MAX_RESV];
	unsigned int nb_resv;
	struct echo echo[MAX_ECHO];
	unsigned int nb_echo;
	struct raw_svc raw[MAX_RAW];
	unsigned int nb_raw;
	struct sniff_svc sniff[MAX_SNIFF];
	unsigned int nb_sniff;
	const char *kport[MAX_KPORT]; /* --kernel-port values, checked */
	unsigned int nb_kport;
	bool drop;
	uint64_t period;   /* ns, 0: no periodic statistics */
	uint64_t duration; /* ns, 0: until SIGINT */
	uint64_t mbuf_size; /* data room of the pool's mbufs */
};
extern struct silk_opts opt;

/* Set when the echo threads must stop. */
extern volatile int quit_flag;

/* The options' table and handlers, for pk_example_options(). */
extern const struct pk_example_app silk_app;

/* OWNER:tcp|udp:PORT of option name (--kernel-port, --raw) into its parts:
 * 0, or -1. */
int parse_port_spec(const char *name, const char *s, char *owner,
		    uint8_t *proto, uint16_t *port);

#endif /* PK_SILK_EXAMPLE_H */
