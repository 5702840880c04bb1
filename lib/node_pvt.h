/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_NODE_PVT_H
#define PK_NODE_PVT_H

/*
 * What the socket layer (lib/sock*.c) needs of a node (lib/node*.c); not
 * installed. The node owns everything here; sockets only borrow it.
 */

#include <pthread.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_spinlock.h>

#include <pathkit/pk_node.h>

struct pk_stage;
struct pk_portmap;
struct rte_mempool;
struct node_neigh;

struct pk_node {
	char name[16];
	uint16_t uplink;             /* ethdev port; TX queue 0 is the node's */
	uint16_t tap;                /* TAP ethdev port, UINT16_MAX if none */
	int tap_ifindex;             /* kernel interface of the TAP, or 0 */
	struct rte_mempool *mp;
	struct rte_ether_addr mac;   /* the uplink's (and the TAP's) */
	struct in_addr addr4;
	uint8_t plen4;
	struct in6_addr addr6;       /* :: when none */
	uint8_t plen6;
	struct in_addr gateway4;     /* 0 when none */
	uint64_t tx_offload;         /* uplink TX offloads usable by sockets */
	uint32_t socket_queue;       /* size of a socket's queues */
	struct pk_stage *demux;      /* root demux, PK_DEMUX_F_MT off */
	struct pk_stage *exc;        /* TAP port_tx (queue 0), or NULL */
	/* TCP sockets reinject segments into the kernel on the TAP's TX
	 * queue 1 from their readers' threads, one at a time: the TAP must
	 * have two TX queues. UINT16_MAX/no TAP: TCP sockets are refused. */
	rte_spinlock_t reinject_lock;
	struct pk_stage *egress;     /* MP queue_ring sockets push sends to */
	struct pk_portmap *pm;
	struct node_neigh *neigh;    /* neighbour cache (node_neigh.c) */
	/* the node's thread */
	unsigned int lcore;          /* RTE_MAX_LCORE when not started */
	uint32_t quit;
	struct pk_node_stats st;     /* written by the node's thread only */
};

/*
 * The link-layer address of the next hop to dst (AF_INET or AF_INET6): the
 * gateway's when dst is off the node's prefix. From the node's cache, else
 * the kernel's neighbour table on the TAP; when neither knows it, ask the
 * kernel to resolve it and wait up to wait_us. Any thread.
 * 0, -EAGAIN (not resolved within wait_us), -EHOSTUNREACH (no route: off
 * prefix without a gateway, or no TAP), -EAFNOSUPPORT.
 */
int node_neigh_resolve(struct pk_node *n, const struct sockaddr *dst,
		       struct rte_ether_addr *mac, uint32_t wait_us);

/*
 * Whether sa's address (the port is ignored) is one of the node's, or a
 * wildcard of its family (0.0.0.0, ::). 1 yes, 0 no.
 */
int node_addr_is_local(const struct pk_node *n, const struct sockaddr *sa);

/*
 * The node's address of sa's family, port 0, for a socket that sends
 * unbound; -EADDRNOTAVAIL if the node has none of that family.
 */
int node_local_addr(const struct pk_node *n, int family,
		    struct sockaddr_storage *out);

/*
 * Hand pkts[0..k) (complete frames) to the egress queue; any thread. Returns
 * how many it took; the caller keeps and frees the rest (queue full).
 */
uint16_t node_egress_push(struct pk_node *n, struct rte_mbuf **pkts,
			  uint16_t k);

#endif /* PK_NODE_PVT_H */
