/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_NODE_PVT_H
#define PK_NODE_PVT_H

/*
 * What the socket layer (lib/sock*.c) needs of a node (lib/node*.c); not
 * installed. The node owns everything here; sockets only borrow it.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_spinlock.h>

#include <pathkit/pk_node.h>

#include "registry_pvt.h"

struct pk_stage;
struct pk_portmap;
struct rte_mbuf;
struct rte_mempool;
struct node_neigh;
struct node_kport;

/* Sniffer directions (node_sniff.c), and the bits of the sniffed-port map:
 * 2 families x 2 protocols (UDP, TCP) x 65536 ports. */
enum node_sniff_dir { NODE_SNIFF_OUT, NODE_SNIFF_IN, NODE_SNIFF_DIRS };
#define NODE_SNIFF_BITS (4u << 16)

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
	uint64_t tx_offload;         /* uplink TX offloads usable by sockets:
					checksums, MULTI_SEGS, MBUF_FAST_FREE */
	uint32_t socket_queue;       /* size of a socket's queues */
	struct pk_stage *demux;      /* root demux, PK_DEMUX_F_MT off */
	struct pk_stage *exc;        /* TAP port_tx (queue 0), or NULL */
	/* TCP sockets reinject segments into the kernel on the TAP's TX
	 * queue 1 from their readers' threads, one at a time: the TAP must
	 * have two TX queues. UINT16_MAX/no TAP: TCP sockets are refused. */
	rte_spinlock_t reinject_lock;
	struct pk_stage *egress;     /* MP queue_ring sockets push sends to */
	uint32_t egress_cap;         /* packets it holds */
	/* indirect mbufs of the fragments sockets send (sock_frag.c makes it
	 * on the first fragmented send; pk_node_destroy() frees it) */
	struct rte_mempool *frag_pool;
	struct pk_portmap *pm;
	struct node_neigh *neigh;    /* neighbour cache (node_neigh.c) */
	struct node_kport *kports;   /* kernel ports (node_kport.c): a list
					changed under the sockets' lock */
	/* the node's thread */
	unsigned int lcore;          /* RTE_MAX_LCORE when not started */
	uint32_t quit;
	struct pk_node_stats st;     /* written by the node's thread only */
	/* sniffers (node_sniff.c): how many of each direction, and a bit per
	 * (family, protocol, port) that has one; changed atomically by
	 * control threads, read by the node's thread (the demux decides) */
	uint32_t nb_sniff[NODE_SNIFF_DIRS];
	uint64_t sniff_map[NODE_SNIFF_BITS / 64];
	/* below: node*.c only */
	enum pk_node_exception exception;
	char tap_name[16];           /* kernel interface, "" when none */
	struct pk_stage *reasm;      /* proc_reassembly before the demux, or NULL */
	int reader;                  /* the round's thread is reader 0 of demux */
	/* counters of the demux, the TAP's port_tx and the reassembly stage
	 * at the end of the last round: a round charges their differences */
	uint64_t seen_demux_out, seen_demux_in_bytes, seen_demux_out_bytes;
	uint64_t seen_malformed, seen_exc_pkts, seen_exc_bytes, seen_reasm;
	struct pk_registry_node live; /* on the list of live nodes */
};

/* The TAP's queue pairs: TX 0 is the node thread's, TX 1 the TCP sockets'
 * (under reinject_lock). The kernel spreads what it sends over both RX
 * queues: the round reads both. */
#define NODE_TAP_QUEUES 2
/* The round's thread id as a reader of the root demux (pk_demux.h). */
#define NODE_READER 0

/*
 * The link-layer address of the next hop to dst (AF_INET or AF_INET6): the
 * gateway's when dst is off the node's prefix. From the node's cache, else
 * the kernel's neighbour table on the TAP; when neither knows it, ask the
 * kernel to resolve it and wait up to wait_us (0: ask, do not wait; a later
 * call finds the answer). Broadcast and multicast destinations map to
 * their MAC without asking. Any thread; may sleep (control path: sockets
 * keep their peer's MAC).
 * 0, -EAGAIN (not resolved within wait_us), -EHOSTUNREACH (no route: off
 * prefix without a gateway, IPv6 off the node's prefix and not link-local,
 * or no TAP; or the kernel's solicitations went unanswered, about 3 s),
 * -EAFNOSUPPORT, -EINVAL (NULL argument).
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

/*
 * node_sniff.c: a sniffer of (family AF_INET/AF_INET6, proto UDP/TCP,
 * port) for direction dir comes (on) or goes (off). Control thread. Its
 * demux key may come and go before or after: the round copies only for a
 * key it finds.
 */
void node_sniff_mark(struct pk_node *n, int family, uint8_t proto,
		     uint16_t port, enum node_sniff_dir dir, bool on);

/*
 * node_sniff.c: register the mbuf flag of node_sniff_foreign(), before a
 * sniffer's first copy (a sniffer's bind). Control thread. 0, or -ENOSPC
 * (no dynamic flag left), -ENOMEM.
 */
int node_sniff_init(void);

/*
 * node_sniff.c: the ol_flags bit of a copy of a packet of another owner
 * than its sniffer's (its reader drops it as policy); 0 before
 * node_sniff_init().
 */
uint64_t node_sniff_foreign(void);

/* ---- between the node's own files ---- */

/* node_sniff.c: give the sniffers of pkts[0..nb) (frames going dir) their
 * copies. The node's thread, in a round. */
void node_sniff_copy(struct pk_node *n, struct rte_mbuf **pkts, uint16_t nb,
		     enum node_sniff_dir dir);

/* node_tap.c: make, set up and address the TAP; close it. Control thread.
 * 0 or a negative errno (the node's fields tap, tap_ifindex, exc set). */
int node_tap_open(struct pk_node *n, const struct pk_node_conf *conf);
void node_tap_close(struct pk_node *n);

/* node_neigh.c: the neighbour cache. */
int node_neigh_create(struct pk_node *n);
void node_neigh_destroy(struct pk_node *n);

/* node_kport.c: release every kernel port (pk_node_destroy). */
void node_kports_free(struct pk_node *n);

/* node.c: call fn on the live node named name, under the list's lock;
 * what fn returned, or -ENOENT. fn(NULL name) walks them all. */
int node_live_apply(const char *name,
		    int (*fn)(const struct pk_node *n, void *arg), void *arg);

/*
 * node_netlink.c: rtnetlink requests on interface ifindex; addresses of
 * family AF_INET (4 bytes) or AF_INET6 (16), network order. Any thread.
 * addr_add: add addr/plen (IPv6 with IFA_F_NODAD); 0 or the kernel's
 * -errno (-EPERM without CAP_NET_ADMIN, -ENODEV).
 * neigh_get: 0 with *mac and *state (NUD_*) when the entry has a
 * link-layer address, -ENOENT (none, or none yet), or the kernel's -errno.
 * neigh_use: have the kernel resolve addr (NTF_USE, creates the entry);
 * 0 or the kernel's -errno.
 */
int node_nl_addr_add(int ifindex, int family, const void *addr,
		     uint8_t plen);
int node_nl_neigh_get(int ifindex, int family, const void *addr,
		      struct rte_ether_addr *mac, uint16_t *state);
int node_nl_neigh_use(int ifindex, int family, const void *addr);

#endif /* PK_NODE_PVT_H */
