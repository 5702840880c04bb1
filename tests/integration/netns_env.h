/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_NETNS_ENV_H
#define PK_NETNS_ENV_H

/*
 * Two network namespaces for a node and its kernel peers, for integration
 * tests in C: "node" (the node's uplink is net_af_packet on its veth end,
 * up0, whose own kernel stays out of the way) and "client" (eth0, with the
 * peers' addresses and the servers the test starts in it). The servers are
 * shell commands (socat) run in their own process group; ne_cleanup() ends
 * them and removes the namespaces, and runs at exit and on SIGINT, SIGTERM
 * and SIGABRT. Test bodies run in application threads registered with
 * rte_thread_register(): they report failures with NE_CHECK*, never with
 * cmocka's asserts (those jump, and only work in the main thread).
 */

#include <stdint.h>

#include <rte_mempool.h>

/* Up to this many servers. */
#define NE_MAX_SERVERS 8

/* The namespaces' names (set by ne_setup()). */
extern char ne_ns_node[32], ne_ns_client[32];

/*
 * Exit with PK_TEST_SKIP and a message unless this process is root, each of
 * tools (names separated by spaces) is installed and the machine has two
 * cores (the node's worker and the main thread). Call first in main().
 */
void ne_require(const char *test_name, const char *tools);

/* Run a shell command (printf format); its exit status, or -1. */
int ne_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Make the namespaces and the veth; give the client end mac and the
 * addresses addrs (NULL-terminated, "A.B.C.D/LEN" or "X::Y/LEN"). Names
 * are "<tag>n<pid>" and "<tag>c<pid>". Returns 0 or -1.
 */
int ne_setup(const char *tag, const char *mac, const char *const *addrs);

/* Move the calling thread into namespace name: 0 or -1. */
int ne_enter(const char *name);

/*
 * Start `cmd` (a shell command) in the client namespace, in a process group
 * of its own, and wait until something listens on port (proto 't' TCP,
 * 'u' UDP) there, up to 5 s. The calling thread must be in the client
 * namespace. Returns 0 or -1.
 */
int ne_server(const char *cmd, char proto, uint16_t port);

/*
 * Start the EAL with the node's uplink, net_af_packet0 on up0 (the calling
 * thread must be in the node namespace), make a pool of n mbufs named
 * test_name in *pool and set the uplink up with it, its port in *uplink.
 * Returns the lcore for the node's worker, the first after the main one.
 * Exits with a message when the uplink cannot be set up.
 */
unsigned int ne_eal_start(const char *test_name, unsigned int n,
			  struct rte_mempool **pool, uint16_t *uplink);

/* Stop the servers, remove the namespaces. Safe to call twice. */
void ne_cleanup(void);

/* ---- application threads ---- */

/* Record a failure (the first one is kept); returns -1. */
int ne_fail(int line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define NE_CHECK(c)                                                      \
	do {                                                             \
		if (!(c))                                                \
			return ne_fail(__LINE__, "%s", #c);              \
	} while (0)
#define NE_CHECK_EQ(a, b)                                                \
	do {                                                             \
		long long ne_a_ = (long long)(a), ne_b_ = (long long)(b); \
		if (ne_a_ != ne_b_)                                      \
			return ne_fail(__LINE__, "%s == %s: %lld != %lld", \
				       #a, #b, ne_a_, ne_b_);            \
	} while (0)

/* A body: 0 on success, ne_fail()'s -1 on failure. */
typedef int (*ne_body_t)(void *arg);

/*
 * Run the bodies fn[0..n) at once, each in its own thread registered with
 * rte_thread_register(), and wait for them. Returns 0 if every one
 * returned 0, else -1 after printing the first failure.
 */
int ne_app_run(unsigned int n, const ne_body_t *fn, void *const *arg);

/* Monotonic microseconds. */
uint64_t ne_now_us(void);

#endif /* PK_NETNS_ENV_H */
