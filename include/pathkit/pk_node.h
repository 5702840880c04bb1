/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_NODE_H
#define PK_NODE_H

/**
 * @file
 * A SILK node: one uplink port with the node's IPv4 (and optionally IPv6)
 * address, the shims around it, and the sockets on it (pk_sock.h).
 *
 *   uplink RX -> [reassembly] -> root demux -> socket paths (stolen)
 *                                           |-> kernel ports: path -> TAP
 *                                           \-> miss: exception (TAP or drop)
 *   socket sends (egress queue) --+
 *   kernel TAP RX ----------------+-> egress shim: owner, accounting -> uplink TX
 *
 * Ingress shim: the root demux (pk_demux.h) holds one key per bound or
 * connected socket. A matched packet its path takes is stolen; one its path
 * refuses (full) is dropped and counted on the path, hence its owner; a
 * packet no key matches goes to the exception stage: by default a net_tap
 * port whose kernel interface carries the uplink's MAC and the node's
 * addresses, so the kernel answers ARP, neighbour discovery, ping and
 * whatever no path claims (charged to "unknown", row misc), or a drop.
 * Egress shim: what sockets send is charged to their owner when sent;
 * what the kernel sends through the TAP is charged to the owner whose
 * socket's key its flow matches (turned round), else to "unknown"; all of it
 * leaves on the uplink's TX queue 0, which only the node's thread uses.
 *
 * The node's thread: pk_node_run() does one round (uplink RX burst through
 * the ingress shim, TAP RX and the egress queue through the egress shim);
 * pk_node_start() runs rounds on an EAL worker lcore until pk_node_stop().
 * One thread runs rounds at a time. It is the root demux's reader (thread
 * id 0): closing a socket waits for its next round.
 *
 * Ownership: the node owns its demux, queues, TAP port, reassembly stage,
 * kernel ports and port map; pk_node_destroy() frees them and every packet
 * they hold. It does not own the uplink port (set up and closed by the
 * caller) nor the mempool. Sockets must be closed before the node is destroyed.
 *
 * Threads: create, start, stop, destroy on the control thread. Socket calls
 * run on application threads (pk_sock.h). Statistics from any thread, and
 * on DPDK's telemetry socket: /pathkit/nodes (names), /pathkit/node,NAME
 * (addresses, socket keys, the counters of struct pk_node_stats).
 */

#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include <rte_mempool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pk_node;
struct pk_portmap;
struct pk_stage;

/** What happens to packets no socket claims. */
enum pk_node_exception {
	PK_NODE_EXC_TAP = 0, /**< to the kernel through a net_tap port */
	PK_NODE_EXC_DROP,    /**< freed, counted "no-match" on the demux */
};

/** How to build a node. Zero fields take the defaults shown. */
struct pk_node_conf {
	const char *name;            /**< 1..15 characters */
	uint16_t uplink;             /**< ethdev port, set up (a queue of
					  each kind) and started; the node
					  uses RX and TX queue 0 */
	struct rte_mempool *mp;      /**< for sends, copies and the TAP port */
	struct in_addr addr4;        /**< the node's IPv4 address (required) */
	uint8_t plen4;               /**< its prefix length (24) */
	struct in6_addr addr6;       /**< IPv6 address, or :: for none */
	uint8_t plen6;               /**< its prefix length (64) */
	struct in_addr gateway4;     /**< next hop off the prefix, or 0; the
					  node sets no kernel route: add a
					  default route via it on the TAP
					  yourself if the kernel needs one */
	enum pk_node_exception exception; /**< what misses go to (TAP) */
	const char *tap_name;        /**< kernel interface, 1..15 characters
					  ("pk-<name>" cut to 15) */
	uint32_t capacity;           /**< socket keys at most (65536) */
	uint32_t socket_queue;       /**< packets a socket queues (256) */
	uint32_t egress_queue;       /**< egress queue size, a power of two
					  (4096) */
	int reassembly;              /**< non-zero: reassemble IPv4/IPv6 */
	int socket_id;               /**< NUMA socket, or SOCKET_ID_ANY */
};

/**
 * What a node's shims counted (all packets). Without reassembly,
 * rx == stolen + full + exception + malformed once a round is over.
 */
struct pk_node_stats {
	uint64_t rx;          /**< received on the uplink */
	uint64_t stolen;      /**< taken by a socket path (one with
				   PK_PATH_TAIL_DROP takes all: what its
				   full queue drops, it counts, on its owner) */
	uint64_t full;        /**< given back by a full socket path
				   (PK_PATH_TAIL_RETURN), dropped here and
				   charged dropped to its owner */
	uint64_t exception;   /**< no socket's: to the kernel, or dropped
				   (exception=drop, or the TAP refused them;
				   charged dropped to unknown/misc) */
	uint64_t malformed;   /**< dropped at the ingress shim as malformed,
				   or fragments reassembly gave up on */
	uint64_t tap_rx;      /**< sent by the kernel */
	uint64_t egress;      /**< sent by sockets */
	uint64_t tx;          /**< transmitted on the uplink */
	uint64_t tx_dropped;  /**< the uplink refused them: freed */
	uint64_t sniffed;     /**< copies made for sniffers (pk_sock.h) */
	uint64_t sniff_lost;  /**< copies lost: the pool had no mbuf */
};

/**
 * Create a node: the TAP port "net_tap_<name>" (with the uplink's MAC, the
 * node's addresses, up; the IPv6 one without duplicate address detection),
 * the root demux, the egress queue, the port map ("<name>"). TX checksum
 * offloads the uplink was configured with (rte_eth_dev_conf_get()) are
 * offered to sockets.
 * @return the node, or NULL with rte_errno EINVAL (bad conf, uplink not
 *   set up), EEXIST (name taken), ENODEV (TAP could not be made),
 *   ENOMEM, or an errno of the kernel's address setup (EPERM without
 *   CAP_NET_ADMIN).
 */
struct pk_node *pk_node_create(const struct pk_node_conf *conf);

/**
 * Destroy a node; its sockets must be closed, its thread stopped. NULL does
 * nothing.
 */
void pk_node_destroy(struct pk_node *n);

/**
 * One round of the node's shims on the calling thread: one uplink RX burst
 * through the ingress shim, a burst from each TAP RX queue and up to 8 from
 * the egress queue through the egress shim. The calling thread is the root
 * demux's reader only during the round, so it may close sockets between
 * rounds.
 * @return packets moved (>= 0), -EINVAL (NULL), or -EBUSY (the node runs
 *   on its lcore: pk_node_start()).
 */
int pk_node_run(struct pk_node *n);

/**
 * Run rounds on an EAL worker lcore until pk_node_stop().
 * @return 0, -EINVAL (NULL node, not a worker lcore), -EBUSY (lcore busy),
 *   -EALREADY (started already).
 */
int pk_node_start(struct pk_node *n, unsigned int lcore);

/**
 * Stop the node's lcore and wait for it.
 * @return 0, or -EINVAL (not started).
 */
int pk_node_stop(struct pk_node *n);

/** @return the node's port map (pk_portmap.h). */
struct pk_portmap *pk_node_portmap(struct pk_node *n);

/** @return the root demux (pk_demux.h), for statistics. */
struct pk_stage *pk_node_demux(struct pk_node *n);

/** @return the TAP port's ethdev id, or UINT16_MAX with exception=drop. */
uint16_t pk_node_tap_port(const struct pk_node *n);

/**
 * Claim a port for an unmodified kernel application of owner (SILK's shim
 * for one): a program on the node's kernel side (bound to the node's
 * address or a wildcard, in the TAP's namespace) serves the port, and its
 * traffic is charged to owner. The port is bound in the node's port map
 * for owner on every address (as a socket bind would be, so a port reserved
 * for another owner or already bound is refused), and passive wildcard keys
 * (IPv4, and IPv6 if the node has an IPv6 address) steal the port's
 * segments into a path of owner (accounting row tcp or udp: received,
 * dropped) whose one stage reinjects them into the kernel on the TAP's TX
 * queue 0, on the node's thread (eagerly: no reader thread, no queue).
 * What the kernel sends for the port is charged to owner as sent by the
 * egress shim. The kernel port opens no socket: owner's sockets count is
 * unchanged. Threads: the control thread, with the node's sockets (whose
 * binds and closes it is serialised with).
 * @param n the node
 * @param owner pk_owner.h id, an existing owner
 * @param proto IPPROTO_TCP or IPPROTO_UDP
 * @param port 1..65535, host order
 * @return 0, -EINVAL (NULL n, unknown owner, bad proto, port 0),
 *   -ENOTSUP (no TAP: exception=drop), -EACCES (reserved for another owner),
 *   -EADDRINUSE (bound already: by a socket or another kernel port),
 *   -ENOSPC (the demux is full), -ENOMEM.
 */
int pk_node_kernel_port(struct pk_node *n, uint32_t owner, uint8_t proto,
			uint16_t port);

/**
 * Give back a port pk_node_kernel_port() claimed: its keys go (once the
 * node's thread has let go of them), then its binding, then its path, with
 * what it counted folded into the owner's account. Later segments to the
 * port take the exception path (unknown/misc). pk_node_destroy() releases
 * the kernel ports left. Threads: as pk_node_kernel_port().
 * @return 0, -EINVAL (NULL n, bad proto), -ENOENT (no kernel port there).
 */
int pk_node_kernel_port_release(struct pk_node *n, uint8_t proto,
				uint16_t port);

/**
 * Read the shims' counters. Any thread.
 * @return 0, or -EINVAL.
 */
int pk_node_stats_get(const struct pk_node *n, struct pk_node_stats *st);

/**
 * Print every owner's account, one line per row with traffic or sockets,
 * "  OWNER ROW sent P/B received P/B dropped P/B sockets O/C" (packets and
 * bytes; sockets opened and closed), then the node's counters on one line
 * "node NAME: rx N stolen N full N ...". Threads: as
 * pk_owner_stats_get() (the control thread while paths come and go).
 * @return 0, or -EIO (NULL f or n, or a write failed).
 */
int pk_node_stats_print(FILE *f, const struct pk_node *n);

#ifdef __cplusplus
}
#endif

#endif /* PK_NODE_H */
