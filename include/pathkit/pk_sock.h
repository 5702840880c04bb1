/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SOCK_H
#define PK_SOCK_H

/**
 * @file
 * Sockets that are paths (SILK's socket shim, in user space), on a node
 * (pk_node.h). The calls follow the BSD socket API; errors are its errno
 * values, returned negated (-EADDRINUSE, -EAGAIN, ...), never set in errno.
 *
 * A UDP socket is a path owned by the socket's owner and charged to its udp
 * row (pk_owner.h):
 *
 *   root demux -> input queue -> entry thread -> proc_udp -> output queue
 *
 * Lazy receiver processing (the default): the node's thread only classifies
 * and enqueues; pk_sock_recv*() runs the entry thread in the caller's thread
 * (UDP length and checksum checks, header strip: pk_udp.h), so the protocol
 * work is done by, and charged to, the thread that reads. A full input queue
 * drops at the demux, before any protocol work (early discard), counted on
 * the owner. With PK_SOCK_F_EAGER the path is proc_udp -> output queue and
 * the node's thread does the work when the datagram arrives (for
 * comparison). Malformed datagrams are dropped and counted on the owner.
 * Sends build Ethernet, IP and UDP headers (checksums offloaded when the
 * uplink offers it), are charged to the owner as sent, and go to the node's
 * egress queue; a full egress queue gives -ENOBUFS, counted dropped. A
 * datagram bigger than the uplink's MTU (rte_eth_dev_get_mtu()) leaves in
 * IP fragments, as a kernel sends it, all of them or none (no room for all:
 * -ENOBUFS); the owner is charged per fragment.
 *
 * A TCP socket is a kernel TCP socket on the node's kernel side (its TAP
 * interface), wrapped as SILK wrapped it: bind, listen and connect go
 * through the port map and install demux keys; the segments the uplink
 * receives for it are stolen into its path (input queue, charged to the
 * owner's tcp row) and, in the caller's thread, reinjected into the kernel
 * through the TAP before the kernel socket is read (SILK's
 * ProcLinuxReinject). What the kernel sends for it leaves through the
 * egress shim and is charged to the owner.
 *
 * A raw socket (PK_SOCK_RAW, SILK's safe raw socket) first binds a TCP or
 * UDP port with pk_sock_bind_raw(), as a UDP or TCP socket would bind it:
 * it is then that port's one consumer socket (a UDP or TCP socket cannot
 * bind the port as well). It receives the datagrams addressed to the port
 * whole, IP header first (Ethernet header stripped), through the lazy path
 * UDP sockets use, charged to the owner's raw_udp or raw_tcp row, and
 * the ICMP echo replies whose identifier is the port (the replies to its
 * own echo requests; with raw sockets of both protocols on one port
 * number, the first bound gets them), charged the same. It sends
 * whole IP datagrams, checked and rewritten by pk_raw_check() (pk_raw.h):
 * from the bound port and protocol, or ICMP echoes and errors about it;
 * the IP source becomes the node's address and the checksums are computed.
 * A refused send is -EPERM or -EINVAL, counted dropped on the owner's row
 * of the bound protocol and by verdict on the socket
 * (pk_sock_raw_refused()); a datagram bigger than the uplink's MTU is
 * -EMSGSIZE, counted dropped (whole datagrams, never fragments); a sent one is charged to raw_udp, raw_tcp or
 * raw_icmp as its protocol says. connect: -EOPNOTSUPP; the destination is
 * the datagram's, and a sendto address must name it (its port is ignored).
 * A raw socket opened and never bound counts in no row.
 *
 * An ICMP-error socket (PK_SOCK_ICMPERR) receives, whole and IP header
 * first, the ICMP and ICMPv6 errors that quote a packet sent from its port
 * (pk_sock_bind_raw() names the port's protocol and port): the demux finds
 * them by the quoted header, under a key marked PK_FLOW_F_ICMP_ERR
 * (pk_flow.h), so they never reach the port's consumer socket. Errors no
 * ICMP-error socket claims go to the node's miss stage (its kernel side).
 * One per port; it takes no port in the map, but only an owner the port is
 * free, reserved or bound for may bind it, and an error that arrives while
 * another owner holds the port is dropped (policy) before it is read. It
 * sends nothing (-EOPNOTSUPP) and is charged to the owner's raw_icmp row.
 *
 * A sniffer (PK_SOCK_SNIFF, PlanetLab's per-port read-only sniffer)
 * receives copies of one port's packets, whole and IP header first: the
 * outgoing ones (what the node's sockets and its kernel send from the
 * port, ICMP errors about the port's packets included) and, with
 * PK_SOCK_F_SNIFF_IN, the incoming ones (before any socket takes them).
 * pk_sock_bind_raw() names the port; it takes no port in the map, and as
 * for an ICMP-error socket only an owner the port is free, reserved or
 * bound for may bind it, one sniffer per port and family. It sees only its
 * owner's traffic: a copy of a packet that a socket (or kernel port) of
 * another owner sent or was to receive as it went by, and a copy read
 * while the port is neither reserved for nor bound by its owner, are
 * dropped (policy) before they are read, counted in its rx_dropped. The
 * node's thread makes the copies (rte_pktmbuf_copy() from the node's pool)
 * and never waits for a sniffer: a copy the pool cannot give is counted in
 * the node's sniff_lost, one the sniffer's full queue refuses in its
 * rx_dropped. A port with no sniffer costs nothing; while a node has
 * sniffers, each packet costs a parse and a bit test, and a sniffed one
 * two demux lookups (its sniffer, its owner) and a copy. Later IP fragments carry no port and are not
 * copied. It sends nothing (-EOPNOTSUPP) and counts in no accounting row:
 * copies are not traffic.
 *
 * Ports: bind checks the node's port map: -EACCES for a port reserved for
 * another owner, -EADDRINUSE for one in use. connect, and a send on an
 * unbound socket, bind an ephemeral port the map picks. close removes the
 * socket's demux keys (waiting for the node's thread to let go of them),
 * releases its port and destroys its path, freeing (and counting) what it
 * still holds.
 *
 * Addresses are struct sockaddr_in / sockaddr_in6 of the socket's domain;
 * an AF_INET6 socket does not take IPv4-mapped addresses (IPV6_V6ONLY).
 *
 * Ownership: pk_sock_recv_burst() hands datagrams (mbufs holding only the
 * payload) to the caller, who frees them; pk_sock_send_burst() takes the
 * payload mbufs it accepts (pkts[0..ret)); the rest stay the caller's.
 *
 * Threads: any EAL lcore or thread registered with rte_thread_register()
 * (which gives it an lcore id) may call these functions. One thread at a
 * time uses a given socket; different sockets may be used by different
 * threads at once. open and close are control operations (they take the
 * node's socket lock; close may wait for one round of the node's thread).
 */

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <rte_mbuf.h>

#include <pathkit/pk_raw.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pk_node;
struct pk_sock;

/** Socket types. */
enum pk_sock_type {
	PK_SOCK_UDP = 1, /**< datagrams, the user-space UDP path */
	PK_SOCK_TCP = 2, /**< a stream, a kernel TCP socket wrapped in a path */
	PK_SOCK_RAW = 3, /**< whole IP datagrams of one port, sends checked */
	PK_SOCK_ICMPERR = 4, /**< the ICMP errors about one port, receive only */
	PK_SOCK_SNIFF = 5,   /**< copies of one port's packets, receive only */
};

/** Socket flags, at open. */
enum pk_sock_flag {
	PK_SOCK_F_NONBLOCK = 1u << 0, /**< calls never wait (-EAGAIN) */
	PK_SOCK_F_EAGER = 1u << 1,    /**< UDP: process on the node's thread */
	PK_SOCK_F_SNIFF_IN = 1u << 2, /**< sniffer: incoming packets too */
};

/** Flags of one call. */
enum pk_msg_flag {
	PK_MSG_DONTWAIT = 1u << 0, /**< do not wait, this call only */
};

/** Largest UDP payload a socket sends (IPv4; IPv6 allows 65527). */
#define PK_SOCK_UDP_MAX 65507

/**
 * Open a socket for owner on node n.
 * @param n the node
 * @param owner a pk_owner.h id (charged for everything the socket does)
 * @param domain AF_INET or AF_INET6
 * @param type enum pk_sock_type
 * @param flags enum pk_sock_flag bits
 * @return the socket, or NULL with rte_errno EINVAL (bad argument, no such
 *   owner, a flag the type does not take), EAFNOSUPPORT (the node has no address of that family), ENOMEM,
 *   EMFILE (the node's socket capacity is reached).
 */
struct pk_sock *pk_sock_open(struct pk_node *n, uint32_t owner, int domain,
			     enum pk_sock_type type, uint32_t flags);

/**
 * Bind to a local address and port (port 0: an ephemeral one).
 * @return 0, -EINVAL (bound already, bad address), -EAFNOSUPPORT,
 *   -EADDRNOTAVAIL (not the node's address, or no ephemeral port free),
 *   -EACCES (reserved for another owner), -EADDRINUSE, -ENOSPC (demux full).
 */
int pk_sock_bind(struct pk_sock *s, const struct sockaddr *addr,
		 socklen_t len);

/**
 * Bind a raw, ICMP-error or sniffer socket to a local port of protocol
 * proto. Raw: the port map decides as for pk_sock_bind() (port 0: an
 * ephemeral one), and the socket becomes the port's consumer. ICMP-error
 * and sniffer: port 0 is -EINVAL, a port reserved for or bound by another
 * owner -EACCES, a port with one of the kind already -EADDRINUSE.
 * @param s a PK_SOCK_RAW, PK_SOCK_ICMPERR or PK_SOCK_SNIFF socket
 * @param proto IPPROTO_UDP or IPPROTO_TCP
 * @param addr local address (the node's, or the wildcard) and port
 * @param len its length
 * @return 0, -EOPNOTSUPP (another type), -EPROTONOSUPPORT (proto), -ENOMEM,
 *   or pk_sock_bind()'s errors.
 */
int pk_sock_bind_raw(struct pk_sock *s, uint8_t proto,
		     const struct sockaddr *addr, socklen_t len);

/**
 * Sends a raw socket refused with verdict v of pk_raw_check() (pk_raw.h).
 * Any thread.
 * @return the count; 0 for another socket type, PK_RAW_OK, or v out of
 *   range.
 */
uint64_t pk_sock_raw_refused(const struct pk_sock *s, enum pk_raw_verdict v);

/**
 * Connect: fix the remote end (UDP), or open a connection (TCP, waits up to
 * the socket's timeout unless non-blocking: then -EINPROGRESS and
 * pk_sock_poll() for POLLOUT). Binds an ephemeral port if unbound. TCP, as
 * a BSD socket: while a connect is under way, connect again says how it
 * went (0, -EALREADY, or why it failed), send and recv wait for it (or say
 * -EAGAIN); a connect that failed or timed out is undone, and the socket
 * may connect again.
 * @return 0, -EINPROGRESS, -EALREADY, -EISCONN, -ECONNREFUSED,
 *   -ETIMEDOUT, or bind's.
 */
int pk_sock_connect(struct pk_sock *s, const struct sockaddr *addr,
		    socklen_t len);

/**
 * Listen for connections (TCP; the socket must be bound).
 * @return 0, -EOPNOTSUPP (UDP), -EINVAL (not bound), or the kernel's errno.
 */
int pk_sock_listen(struct pk_sock *s, int backlog);

/**
 * Accept a connection (TCP), waiting up to the socket's timeout.
 * @param s a listening socket
 * @param peer filled with the peer's address, or NULL
 * @param len in: size of peer; out: its length
 * @param acc set to the new socket (same owner, its own path)
 * @return 0, -EAGAIN, -EOPNOTSUPP, -EINVAL, -ENOMEM, -EMFILE.
 */
int pk_sock_accept(struct pk_sock *s, struct sockaddr *peer, socklen_t *len,
		   struct pk_sock **acc);

/**
 * Send on a connected socket. UDP: one datagram; TCP: a part of the stream;
 * raw: one whole IP datagram (its own destination).
 * @return bytes sent, or -ENOTCONN, -EPERM and -EINVAL (raw: refused by
 *   pk_raw_check(), or not bound), -EOPNOTSUPP (ICMP-error socket,
 *   sniffer), -EMSGSIZE (UDP datagram too big; raw: bigger than the
 *   uplink's MTU),
 *   -ENOBUFS (egress queue full, or no mbuf), -EAGAIN (next hop not
 *   resolved yet, non-blocking), -EHOSTUNREACH, -EPIPE (TCP closed).
 */
ssize_t pk_sock_send(struct pk_sock *s, const void *buf, size_t len,
		     int flags);

/**
 * Send a datagram to addr (UDP), or as pk_sock_send() with addr NULL. Raw:
 * addr NULL, or the datagram's destination (else -EINVAL).
 * @return bytes sent or the errors of pk_sock_send(), -EISCONN (TCP with an
 *   address), -EDESTADDRREQ (NULL addr, not connected).
 */
ssize_t pk_sock_sendto(struct pk_sock *s, const void *buf, size_t len,
		       int flags, const struct sockaddr *addr,
		       socklen_t addrlen);

/**
 * Receive into buf. UDP: one datagram, cut to len like recv(2) (the rest of
 * it is lost); TCP: what the stream holds, up to len (0: the peer closed);
 * raw, ICMP-error and sniffer: one IP datagram, IP header first, cut to
 * len.
 * Waits up to the socket's timeout unless non-blocking or PK_MSG_DONTWAIT.
 * @return bytes, -EAGAIN (nothing within the timeout), -ENOTCONN, -EINVAL.
 */
ssize_t pk_sock_recv(struct pk_sock *s, void *buf, size_t len, int flags);

/**
 * As pk_sock_recv(), and fills in the sender's address (UDP; raw,
 * ICMP-error and sniffer: the IP source, port 0).
 * @return bytes, or the errors of pk_sock_recv().
 */
ssize_t pk_sock_recvfrom(struct pk_sock *s, void *buf, size_t len, int flags,
			 struct sockaddr *addr, socklen_t *addrlen);

/**
 * Receive up to max datagrams without copying (UDP): mbufs holding only the
 * payload; pk_udp_peer() (pk_udp.h) gives each one's addresses. Raw,
 * ICMP-error and sniffer: mbufs holding the IP datagram. The caller
 * owns and frees them. Waits like pk_sock_recv() for the first one.
 * @return datagrams (> 0), -EAGAIN, -EOPNOTSUPP (TCP), -EINVAL.
 */
int pk_sock_recv_burst(struct pk_sock *s, struct rte_mbuf **pkts,
		       uint16_t max, int flags);

/**
 * Send up to n payload mbufs as datagrams to addr (NULL: the connected
 * peer), without copying: headers are prepended in each mbuf's headroom
 * (RTE_PKTMBUF_HEADROOM is enough). Takes pkts[0..ret).
 * Raw: each mbuf holds a whole IP datagram, checked as pk_sock_send()
 * checks it, and addr must be NULL (each names its own destination). A
 * burst stops before the first datagram that cannot leave; a call that
 * starts with it says why (and counts the refusal). Datagrams not taken
 * stay the caller's, possibly already rewritten (source, checksums).
 * @return datagrams taken (>= 0; fewer than n when the egress queue is
 *   full, counted dropped), or -ENOTCONN, -EDESTADDRREQ, -EMSGSIZE (pkts[0]
 *   too big), -ENOSPC (pkts[0] lacks headroom), -EAGAIN, -EHOSTUNREACH,
 *   -EOPNOTSUPP (TCP, ICMP-error, sniffer); raw: -EPERM and -EINVAL
 *   (pkts[0] refused, or an address given), -ENOBUFS (no headroom).
 */
int pk_sock_send_burst(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t n,
		       const struct sockaddr *addr, socklen_t addrlen);

/**
 * Set how long blocking calls wait, in microseconds (default: forever,
 * UINT32_MAX). Like SO_RCVTIMEO/SO_SNDTIMEO together.
 * @return 0, or -EINVAL.
 */
int pk_sock_set_timeout(struct pk_sock *s, uint32_t timeout_us);

/**
 * The socket's local or remote address.
 * @return 0, -EINVAL (NULL argument, unbound for local), -ENOTCONN (remote).
 */
int pk_sock_name(const struct pk_sock *s, struct sockaddr_storage *local,
		 struct sockaddr_storage *remote);

/** One socket of a pk_sock_poll() set, like struct pollfd. */
struct pk_sock_pollfd {
	struct pk_sock *sock; /**< the socket (NULL: skipped) */
	short events;         /**< POLLIN, POLLOUT */
	short revents;        /**< what is ready: POLLIN, POLLOUT, POLLHUP,
				   POLLERR */
};

/**
 * Wait until one of the sockets is ready, like poll(2): POLLIN when a recv
 * or accept would not wait, POLLOUT when a send would not (always for UDP).
 * @param fds the set
 * @param n its size
 * @param timeout_us longest wait in microseconds; 0 checks without waiting
 * @return sockets ready (>= 0; 0: timed out), or -EINVAL.
 */
int pk_sock_poll(struct pk_sock_pollfd *fds, unsigned int n,
		 uint32_t timeout_us);

/**
 * Close: remove the demux keys, release the port, destroy the path (freeing
 * and counting what it holds). NULL does nothing.
 * @return 0, or a negative errno of the kernel's close (TCP); the socket is
 *   gone either way.
 */
int pk_sock_close(struct pk_sock *s);

/** A socket's counters (datagrams or segments). */
struct pk_sock_stats {
	uint64_t rx_pkts;    /**< delivered to the application */
	uint64_t rx_bytes;   /**< their payload bytes */
	uint64_t rx_dropped; /**< dropped: queue full, malformed */
	uint64_t rx_processed; /**< protocol work done: datagrams through the
				    UDP checks, segments reinjected (TCP).
				    Lazily, never more than were read (and
				    found malformed): a full socket costs no
				    protocol work */
	uint64_t tx_pkts;    /**< sent */
	uint64_t tx_bytes;   /**< their payload bytes */
	uint64_t tx_dropped; /**< dropped: egress full */
};

/**
 * Read a socket's counters. Any thread.
 * @return 0, or -EINVAL.
 */
int pk_sock_stats_get(const struct pk_sock *s, struct pk_sock_stats *st);

/**
 * The thread that last ran the socket's protocol processing (lazy receiver
 * processing: the thread calling recv; eager: the node's thread), as
 * rte_lcore_id() saw it, or LCORE_ID_ANY before any.
 */
unsigned int pk_sock_last_lcore(const struct pk_sock *s);

#ifdef __cplusplus
}
#endif

#endif /* PK_SOCK_H */
