/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CAPTURE_H
#define PK_CAPTURE_H

/**
 * @file
 * Capture (kind "proc_capture"): a processing stage that passes every
 * packet on unchanged to its next stage and writes a copy of each to a
 * pcapng file (DPDK's rte_pcapng); with no next it is a sink that frees
 * what it took once copied (a drop sink: pk_stage_set_drop_sink()).
 *
 * Records: each packet becomes an Enhanced Packet Block made by
 * rte_pcapng_copy() (timestamp, the packet cut to the snap length, its
 * original length), on an interface block of the capture's own
 * ("pathkit:<edge>", Ethernet, nanoseconds) after those rte_pcapng writes
 * for the ethdev ports. Its comment option names where it was taken:
 * "path=P owner=O stage=S" ("-" when not known), and for a drop capture
 * (PK_CAPTURE_F_DROPS) " drop=REASON from=STAGE" from the packet's drop
 * note (pk_stage_drop_note()). libpcap reads the packets of such a file
 * (pcap_open_offline()) but not the comments; Wireshark and tshark show
 * both.
 *
 * Never slowing the path: the stage copies into a pool of its own and
 * enqueues the copies on a ring; a writer drains the ring and writes. A
 * copy the pool cannot give or the full ring refuses is freed and counted
 * (capture_lost = lost_nomem + lost_full), never waited for. The writer is
 * a control thread of the library ("pk-capture", rte_ctrl_thread_create(),
 * started with the first capture that wants it, stopped with the last),
 * or, with PK_CAPTURE_F_POLLED, the application's own calls to
 * pk_capture_poll().
 *
 * Cost (callgrind, bench_capture, 64-byte packets in bursts of 32): about
 * 1.5 instructions a packet when the file is closed; about 390 a packet
 * on the path's lcore when writing (rte_pcapng_copy() 343 of them) and
 * 122 a record in the writer (a drop capture's: 1750, its comments being
 * written one by one).
 *
 * Files: conf.file as given; with max_bytes or max_seconds set they are
 * numbered instead, FILE "cap.pcapng" giving "cap_00000.pcapng",
 * "cap_00001.pcapng", ...: a file is closed and the next one opened before
 * a record would take it past max_bytes, or on the first record once it
 * is max_seconds old. Each file is a whole pcapng file.
 *
 * Capture at an edge of a running graph: pk_capture_edge_on() puts a
 * capture between two stages, with one pointer store while their threads
 * run: the pusher's next (FROM pushes into TO) or the puller's prev (TO
 * pulls from FROM, as a thread from a queue), or in the table a fan
 * reads: a demux's output to TO (pk_demux_flow_tap(): the packets its keys
 * send to TO, or the misses if TO is its miss stage) or a scheduler TO's
 * input FROM (pk_sched_queue_swap_stage()); pk_capture_edge_off()
 * puts the old pointer back, waits for a burst inside the capture to end,
 * writes what the ring holds and closes the file. No packet is lost or
 * reordered either way: a burst that still reaches the capture after
 * "off" is passed on as before, uncopied. The switched-off stage is kept
 * (a late burst may still hold its pointer) until pk_capture_edge_cleanup()
 * frees it, once no thread runs: each on/off keeps one stage (about 400
 * bytes; its pool and ring are freed at off).
 * No capture on: nothing in the way, not a test per packet or per burst.
 * Telemetry: /pathkit/capture,on,FROM[,TO],FILE and
 * /pathkit/capture,off,FROM[,TO]; /pathkit/capture lists the edges
 * captured (a demux's as "FROM/TO"),
 * /pathkit/capture,FROM gives one's counters, /pathkit/capture,NAME those
 * of the capture stage NAME (one of a configuration, say).
 *
 * Ownership: as pk_stage.h for the real packets; the capture owns its
 * copies, pool, ring and files. It does not own its next stage.
 *
 * Threads: one pusher or puller at a time, or several pushers with
 * PK_CAPTURE_F_MT (a drop sink of stages on several threads). Control
 * functions on one control thread; the edge functions may also run on
 * the telemetry thread (they serialise on a lock of their own), never
 * while the graph they touch is being destroyed.
 *
 * By name (pk_stage_create("proc_capture", ...), or in a configuration):
 * file=PATH (required) max_bytes=N (0: no limit) max_seconds=N (0: none)
 * snaplen=64..9600 (2048) ring=power of two (4096) path=NAME owner=NAME
 * edge=NAME (the stage's) drops=0|1 mt=0|1 polled=0|1 bytes=0|1.
 */

#include <stdint.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Capture flags (struct pk_capture_conf.flags). */
enum pk_capture_flag {
	/** packets are drops: write each one's reason and dropping stage */
	PK_CAPTURE_F_DROPS = 1u << 0,
	/** several threads push at once (drops of stages on several lcores) */
	PK_CAPTURE_F_MT = 1u << 1,
	/** no writer thread: the application calls pk_capture_poll() */
	PK_CAPTURE_F_POLLED = 1u << 2,
};

/** Default snap length: bytes kept of each packet. */
#define PK_CAPTURE_SNAPLEN 2048
/** Smallest snap length accepted. */
#define PK_CAPTURE_SNAPLEN_MIN 64
/** Largest snap length accepted (a copy is one mbuf segment). */
#define PK_CAPTURE_SNAPLEN_MAX 9600
/** Default ring size: copies waiting for the writer. */
#define PK_CAPTURE_RING 4096

/** How to build a capture. Zero fields take the defaults shown. */
struct pk_capture_conf {
	const char *file;      /**< pcapng file (required), see \@file */
	uint64_t max_bytes;    /**< rotate before a file passes this; 0: no */
	uint64_t max_seconds;  /**< rotate files this old; 0: no */
	uint32_t snaplen;      /**< bytes kept of a packet (2048) */
	uint32_t ring;         /**< copies the ring holds, power of 2 (4096) */
	const char *path;      /**< path named in records (the stage's path,
				    or "-") */
	const char *owner;     /**< owner named in records (the path's, or
				    "-") */
	const char *edge;      /**< where it is taken (the stage's name) */
	uint32_t flags;        /**< enum pk_capture_flag */
};

/** A capture's counters: each packet it took once in captured or lost. */
struct pk_capture_stats {
	uint64_t captured;     /**< copies put on the ring */
	uint64_t lost_nomem;   /**< copies the copy pool could not give */
	uint64_t lost_full;    /**< copies the full ring refused */
	uint64_t capture_lost; /**< lost_nomem + lost_full */
	uint64_t written;      /**< records written to files */
	uint64_t write_errors; /**< records a write failed for (lost too) */
	uint64_t files;        /**< files opened */
	uint64_t bytes;        /**< bytes written to the current file */
};

/**
 * Create a capture stage; its first file is opened at once.
 * @param name stage name
 * @param conf what to write, where; copied
 * @param socket_id NUMA socket of the stage, pool and ring, or SOCKET_ID_ANY
 * @return the stage, or NULL with rte_errno: EINVAL (NULL or bad conf),
 *   ENOMEM, ENOSPC (no memzone for the ring or pool), or the errno of
 *   opening the file (EACCES, ENOENT, ...).
 */
struct pk_stage *pk_capture_create(const char *name,
				   const struct pk_capture_conf *conf,
				   int socket_id);

/**
 * Write what the capture's ring holds, up to max records: the writer of a
 * PK_CAPTURE_F_POLLED capture. Control thread (any one thread at a time).
 * @return records written (>= 0), or -EINVAL (not a capture, or not
 *   polled), -ENOENT (its file is closed: pk_capture_close()).
 */
int pk_capture_poll(struct pk_stage *cap, unsigned int max);

/**
 * Stop writing: wait for a burst inside the capture to end, write what the
 * ring holds and close the file. The stage then only passes packets on.
 * Control thread; not on a PK_CAPTURE_F_MT capture while it is pushed.
 * @return 0, or -EINVAL (not a capture), -ENOENT (closed already).
 */
int pk_capture_close(struct pk_stage *cap);

/**
 * Read a capture's counters. Any thread, while it runs.
 * @return 0, or -EINVAL (NULL, or not a capture).
 */
int pk_capture_stats_get(const struct pk_stage *cap,
			 struct pk_capture_stats *st);

/**
 * Capture the edge from -> to of a running graph: a capture named
 * "cap.FROM" ("cap.FROM.TO" on a demux's output; cut to fit) goes between
 * them. Either from pushes into to (a thread, a processing stage, a
 * path), or to pulls from from (a thread or processing stage from a queue
 * or port), or from is a demux and to one of its outputs (a key's target
 * or its miss stage; the capture takes concurrent pushes if the demux
 * does), or to is a scheduler and from one of its inputs. But for the
 * first, to must be named. One capture per edge; a demux's outputs may be
 * captured at once, up to 8. conf.path and conf.owner default to from's
 * path and its owner (else to's), conf.edge to "FROM->TO".
 * @param from the name of the stage upstream
 * @param to the name of the stage downstream, or NULL: whichever from
 *   pushes into
 * @param conf the capture's file and limits (flags: POLLED and MT refused)
 * @return 0, or -EINVAL (bad conf, no such edge from -> to), -ENOENT
 *   (no live stage from, or to), -EBUSY (that edge is captured already), or the
 *   errors of pk_capture_create().
 */
int pk_capture_edge_on(const char *from, const char *to,
		       const struct pk_capture_conf *conf);

/**
 * Stop capturing the edge leaving from: from pushes into its old next
 * again, and the capture's file is completed and closed (see \@file).
 * On an mt demux's output it first waits until the demux's registered
 * readers pass a quiescent state (pk_demux_flow_synchronize()): never
 * call it from one of them.
 * @param from the name given to pk_capture_edge_on()
 * @param st receives the capture's final counters, or NULL
 * @return 0, or -ENOENT (no capture on an edge leaving from).
 */
int pk_capture_edge_off(const char *from, struct pk_capture_stats *st);

/**
 * Stop capturing the edge from -> to (to NULL: as pk_capture_edge_off()):
 * for the several outputs of a demux.
 * @return 0, or -ENOENT (no capture on that edge).
 */
int pk_capture_edge_off_to(const char *from, const char *to,
			   struct pk_capture_stats *st);

/**
 * Switch every edge capture off and free the captures: when no thread
 * pushes through them (threads stopped), before the graph is destroyed.
 */
void pk_capture_edge_cleanup(void);

/* ---- for the capture kind and its writer (lib/capture.c) ---- */

/** What the capture's fast path uses of its writer. */
struct pk_capture_tap {
	struct rte_ring *ring;     /**< copies to write (SC; MP if MT) */
	struct rte_mempool *pool;  /**< where copies come from */
	uint32_t snaplen;          /**< bytes kept of each packet */
};

/**
 * Open a writer: its pool, ring and first file, and register it with the
 * writer thread unless polled. For the capture kind.
 * @param stage the capture (its parent path names records if conf does not)
 * @param conf what to write, where
 * @param wst where the writer keeps written, write_errors, files and bytes
 *   (the stage's: readable after the writer is closed)
 * @param socket_id NUMA socket of the ring and pool, or SOCKET_ID_ANY
 * @return the writer's tap, or NULL with rte_errno set (as
 *   pk_capture_create()).
 */
struct pk_capture_tap *pk_capture_writer_open(const struct pk_stage *stage,
					      const struct pk_capture_conf *conf,
					      struct pk_capture_stats *wst,
					      int socket_id);

/**
 * Write up to max records from the ring. One thread at a time per writer.
 * @return records written.
 */
unsigned int pk_capture_writer_poll(struct pk_capture_tap *tap,
				    unsigned int max);

/**
 * Close a writer once no fast path uses its tap: take it off the writer
 * thread, write what the ring holds, close the file, free ring and pool.
 * Accepts NULL.
 */
void pk_capture_writer_close(struct pk_capture_tap *tap);

/** @return whether the writer is polled by the application. */
int pk_capture_writer_polled(const struct pk_capture_tap *tap);

#ifdef __cplusplus
}
#endif

#endif /* PK_CAPTURE_H */
