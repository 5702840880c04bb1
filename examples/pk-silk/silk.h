/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SILK_EXAMPLE_H
#define PK_SILK_EXAMPLE_H

/* pk-silk's parts: the echo services (echo.c) its main (main.c) starts. */

#include <pthread.h>
#include <stdint.h>
#include <arpa/inet.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

/* Connections one TCP echo serves at once. */
#define ECHO_MAX_CONN 64

/* One --udp-echo or --tcp-echo. */
struct echo {
	char owner_name[PK_OWNER_NAMESIZE];
	uint16_t port;
	enum pk_sock_type type;
	struct pk_sock *sock;
	pthread_t thread;
	const volatile int *quit;
	uint64_t errors; /* sends or receives that failed */
};

/* Open and bind (and listen) e's socket: 0 or the socket API's -errno. */
int echo_open(struct echo *e, struct pk_node *n);

/* Start e's thread: 0 or -errno. */
int echo_start(struct echo *e);

/* Wait for e's thread (its quit flag set) and close its socket. */
void echo_stop(struct echo *e);

#endif /* PK_SILK_EXAMPLE_H */
