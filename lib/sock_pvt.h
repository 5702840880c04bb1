/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SOCK_PVT_H
#define PK_SOCK_PVT_H

/*
 * The socket layer's insides, shared by its files; not installed.
 *   sock.c       open, bind, close: what every socket does
 *   sock_calls.c the data calls (argument checks, then the protocol), names,
 *                timeout, counters
 *   sock_udp.c   the UDP path: lazy or eager receive; the lazy path every
 *                datagram socket shares (sock_lazy_*)
 *   sock_udp_tx.c  UDP sends
 *   sock_frag.c  sends bigger than the uplink's MTU: IP fragments
 *   sock_tcp.c   the TCP path: a kernel socket, segments reinjected via TAP
 *                (sock_tcp_conn.c: listen, accept, connect)
 *   sock_poll.c  waiting on many sockets
 *   sock_raw.c   raw and ICMP-error sockets: bind, receive
 *                (sock_raw_tx.c: checked sends; sock_sniff.c: sniffers,
 *                which receive as they do)
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <rte_ether.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_raw.h>
#include <pathkit/pk_sock.h>

#include "node_pvt.h"

struct pk_path;
struct pk_stage;
struct pk_thread;

/* What a protocol does; sock.c does the rest. NULL: -EOPNOTSUPP. */
struct sock_proto {
	/* the row its sockets count in; PK_ACCT_NONE: known at bind, which
	 * sets pk_sock.row and counts the open (raw sockets) */
	enum pk_acct_row row;
	/* its bind holds no port in the map: another socket consumes the
	 * port (ICMP-error sockets), close releases none */
	bool port_shared;
	/* build the socket's path (s->path, s->target) */
	int (*init)(struct pk_sock *s);
	int (*connect)(struct pk_sock *s, const struct sockaddr *a,
		       socklen_t len);
	int (*listen)(struct pk_sock *s, int backlog);
	int (*accept)(struct pk_sock *s, struct sockaddr *peer,
		      socklen_t *len, struct pk_sock **acc);
	ssize_t (*sendto)(struct pk_sock *s, const void *buf, size_t len,
			  int flags, const struct sockaddr *a, socklen_t alen);
	ssize_t (*recvfrom)(struct pk_sock *s, void *buf, size_t len,
			    int flags, struct sockaddr *a, socklen_t *alen);
	int (*recv_burst)(struct pk_sock *s, struct rte_mbuf **pkts,
			  uint16_t max, int flags);
	int (*send_burst)(struct pk_sock *s, struct rte_mbuf **pkts,
			  uint16_t n, const struct sockaddr *a, socklen_t alen);
	/* POLLIN/POLLOUT/POLLHUP/POLLERR ready now, without waiting */
	short (*ready)(struct pk_sock *s, short events);
	/* the queue a waiting reader sleeps on, or NULL */
	struct pk_stage *(*wait_queue)(struct pk_sock *s);
	/* undo init: after the keys are gone and readers let go */
	void (*fini)(struct pk_sock *s);
};

extern const struct sock_proto sock_udp_proto;
extern const struct sock_proto sock_tcp_proto;
extern const struct sock_proto sock_raw_proto;
extern const struct sock_proto sock_icmperr_proto;
extern const struct sock_proto sock_sniff_proto;

/*
 * sock_udp.c: the lazy receive path of datagram sockets:
 *   demux -> in (queue_ring) -> entry thread -> work -> out (queue_local)
 * charged to acct. Takes work (destroyed on failure); 0 or -errno, with
 * s->path, target, inq, thr, outq set on success and NULL on failure.
 */
int sock_lazy_path(struct pk_sock *s, struct pk_stage *work,
		   enum pk_acct_row acct);
/* Wait up to wait_us for a datagram in s->outq (running the path in the
 * caller's thread): 0 or -EAGAIN. */
int sock_lazy_wait(struct pk_sock *s, uint32_t wait_us);
/* A lazy socket's sock_proto.ready and .wait_queue. */
short sock_lazy_ready(struct pk_sock *s, short events);
struct pk_stage *sock_lazy_wait_queue(struct pk_sock *s);

/* sock_raw.c, shared with the sniffer (sock_sniff.c): the protocol's init,
 * fini, recvfrom, recv_burst, ready and wait_queue of raw, ICMP-error and
 * sniffer sockets alike. */
int sock_raw_init(struct pk_sock *s);
void sock_raw_fini(struct pk_sock *s);
ssize_t sock_raw_recvfrom(struct pk_sock *s, void *buf, size_t len,
			  int flags, struct sockaddr *a, socklen_t *alen);
int sock_raw_recv_burst(struct pk_sock *s, struct rte_mbuf **pkts,
			uint16_t max, int flags);
short sock_raw_ready(struct pk_sock *s, short events);
struct pk_stage *sock_raw_wait_queue(struct pk_sock *s);
/* Build s's receive path (Ethernet header stripped), charged to row: 0 or
 * -errno. sock_raw_path_drop() undoes it after a failed bind. */
int sock_raw_path(struct pk_sock *s, enum pk_acct_row row);
void sock_raw_path_drop(struct pk_sock *s);
/* Whether an owner other than s's holds s's port (s->local) now in the
 * port map; free_too: a port nobody holds counts as foreign as well. */
bool sock_raw_port_foreign(const struct pk_sock *s, bool free_too);

/* sock_sniff.c: bind sniffer s to port a (checked as an address of the
 * node already): its keys, its path. 0 or pk_sock_bind_raw()'s errors. */
int sock_sniff_bind(struct pk_sock *s, const struct sockaddr_storage *a);

/* sock_raw_tx.c: sock_raw_proto's sendto and send_burst. */
ssize_t sock_raw_sendto(struct pk_sock *s, const void *buf, size_t len,
			int flags, const struct sockaddr *a, socklen_t alen);
int sock_raw_send_burst(struct pk_sock *s, struct rte_mbuf **pkts,
			uint16_t n, const struct sockaddr *a, socklen_t alen);

/* A raw or ICMP-error socket's own state (pk_sock.proto_priv). */
struct sock_raw {
	struct pk_raw_policy pol;  /* set by bind (raw sockets) */
	uint64_t refused[PK_RAW_VERDICT_MAX]; /* sends, by verdict; one
						 writer, any reader */
};

/* sock_udp_tx.c: sock_udp_proto's sendto and send_burst. */
ssize_t sock_udp_sendto(struct pk_sock *s, const void *buf, size_t len,
			int flags, const struct sockaddr *a, socklen_t alen);
int sock_udp_send_burst(struct pk_sock *s, struct rte_mbuf **pkts,
			uint16_t n, const struct sockaddr *a, socklen_t alen);

/* sock_frag.c. Most fragments of one datagram (IPv4 over an MTU of 576
 * needs 119); an uplink whose MTU needs more gives -EMSGSIZE. */
#define SOCK_FRAG_MAX 128

/* The uplink's MTU (IP bytes it sends whole), 1500 when it does not say. */
uint16_t sock_frag_mtu(const struct pk_node *n);

/*
 * Cut frame m (pk_udp_encap()'s, UDP checksum in software) into fragments
 * of at most mtu bytes of IP each, in out[0..ret): frames for the egress
 * queue. m stays the caller's, the same frame but for its IPv4 header's
 * flags and identification. The fragments may share m's segments (an
 * uplink that takes chains): free m when done with it, and do not write to
 * its data while they live. Returns the
 * number of fragments, -ENOBUFS (no mbuf), -EMSGSIZE (more than max, or an
 * MTU below IPv6's 1280), -EINVAL (l2_len makes no sense).
 */
int sock_frag_split(struct pk_node *n, struct rte_mbuf *m, uint16_t mtu,
		    struct rte_mbuf **out, uint16_t max);

/*
 * Longest sleep of a caller waiting on a TCP socket: what its kernel socket
 * does by itself (timers: retransmits, resets) is seen this late at worst.
 */
#define SOCK_TCP_SLICE_US 10000

/* Most demux keys one socket installs. */
#define SOCK_MAX_KEYS 2
/* Datagrams one lazy run processes; the tail queue_local's size. */
#define SOCK_BURST 32

struct pk_sock {
	struct pk_node *node;
	const struct sock_proto *proto;
	uint32_t owner;
	uint32_t id;
	int domain;                  /* AF_INET, AF_INET6 */
	enum pk_sock_type type;
	uint8_t ipproto;             /* IPPROTO_UDP/TCP: of its port (raw
					sockets: set by bind) */
	enum pk_acct_row row;        /* counted in (PK_ACCT_NONE: not yet) */
	uint32_t flags;              /* enum pk_sock_flag */
	uint32_t timeout_us;         /* UINT32_MAX: forever */
	bool bound, connected;
	struct sockaddr_storage local;  /* valid when bound */
	struct sockaddr_storage remote; /* valid when connected */
	struct pk_flow_key keys[SOCK_MAX_KEYS];
	unsigned int nb_keys;
	/* the path and its parts (borrowed pointers into the path) */
	struct pk_path *path;
	struct pk_stage *target;     /* what the demux keys point to */
	struct pk_stage *inq;        /* input queue (lazy UDP, TCP) */
	struct pk_thread *thr;       /* entry thread (lazy UDP, TCP) */
	struct pk_stage *outq;       /* where processed datagrams wait */
	/* the last peer heard from or sent to, and its next hop */
	struct sockaddr_storage peer;
	struct rte_ether_addr peer_mac;
	bool peer_ok;
	unsigned int last_lcore;
	struct pk_sock_stats st;     /* written by the socket's one thread */
	int kfd;                     /* TCP: the kernel socket, or -1 */
	void *proto_priv;
};

/* sock.c, for the protocols */

/* Serialises demux and port map changes of every node (sock.c); kernel
 * ports (node_kport.c) take it as well. */
extern pthread_mutex_t sock_lock;

/* Bind s to addr (port 0: ephemeral) in the port map as s->ipproto and
 * install its passive key. 0 or pk_sock_bind()'s errors. */
int sock_bind_port(struct pk_sock *s, const struct sockaddr_storage *addr);

/* Bind s to an ephemeral port on the node's address if it is unbound. */
int sock_autobind(struct pk_sock *s);

/* Where s sends from: the node's address of s's domain (not s->local,
 * which may be a wildcard), s's port; s bound first if it is unbound (as
 * sock_autobind()). 0 or its error. */
int sock_self(struct pk_sock *s, struct sockaddr_storage *self);

/* Give local's port (one s bound, as s->local was then) back to the map. */
void sock_port_release(struct pk_sock *s, const struct sockaddr_storage *local);

/* Install a demux key pointing to s->target, remembered for close. */
int sock_key_add(struct pk_sock *s, const struct pk_flow_key *key);

/* Remove every key of s and wait until the node's thread lets go. */
void sock_keys_del(struct pk_sock *s);

/* The key of local/remote as s's protocol; remote NULL: passive. */
void sock_key_of(const struct pk_sock *s, const struct sockaddr *local,
		 const struct sockaddr *remote, struct pk_flow_key *key);

/*
 * What every bind checks once the address is of s's domain: s unbound
 * (-EINVAL), the address the node's or a wildcard (-EADDRNOTAVAIL); then
 * copies it into *a. 0 or -errno.
 */
int sock_bind_addr(const struct pk_sock *s, const struct sockaddr *addr,
		   struct sockaddr_storage *a);

/* Check an address argument of s's domain: 0 or -EINVAL (s or a NULL,
 * len short)/-EAFNOSUPPORT. */
int sock_addr_check(const struct pk_sock *s, const struct sockaddr *a,
		    socklen_t len);

/* Wait budget of a call: 0 if it must not wait. */
uint32_t sock_wait_us(const struct pk_sock *s, int flags);

/* Open a socket like s (same node, owner, domain, type) for accept. */
struct pk_sock *sock_open_like(const struct pk_sock *s);

/* A stage name for part part of s: "sk<id>.<part>". */
void sock_stage_name(const struct pk_sock *s, const char *part, char *buf,
		     size_t len);

/*
 * Remember m's sender (from) and the MAC its frame came from, before bytes
 * before m's data (the headers a processing stage stripped): a reply goes
 * back the way it came.
 */
void sock_learn_peer(struct pk_sock *s, const struct rte_mbuf *m,
		     const struct sockaddr_storage *from, uint32_t before);

/* Add v to a socket counter: one thread writes it, any reads it. */
static inline void
sock_stat_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

/* len bytes of buf copied into an mbuf chain from s's node's pool, or NULL
 * (pool empty). */
struct rte_mbuf *sock_copyin(struct pk_sock *s, const void *buf, size_t len);

/* Count n received datagrams and their payload bytes on s. */
void sock_count_rx(struct pk_sock *s, struct rte_mbuf *const *pkts,
		   uint16_t n);

/* The next hop's MAC for dst: s's cached peer, else the node's resolver. */
int sock_next_hop(struct pk_sock *s, const struct sockaddr *dst,
		  struct rte_ether_addr *mac, uint32_t wait_us);

/* Length of a sockaddr of family af. */
static inline socklen_t
sock_addr_len(int af)
{
	return af == AF_INET6 ? sizeof(struct sockaddr_in6) :
				sizeof(struct sockaddr_in);
}

#endif /* PK_SOCK_PVT_H */
