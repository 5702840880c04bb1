/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CONF_H
#define PK_CONF_H

/**
 * @file
 * Configurations: stages, paths, threads, schedulers and demux keys written
 * as text, as Click routers are, and built into running objects by one call.
 * examples/pk-run runs them; an application may load one as well.
 *
 * The language, one statement a line (or separated by ';'); a newline inside
 * ( ) or [ ], or after ->, continues the statement:
 * @verbatim
   # a comment, to the end of the line
   include "common.conf"           # its statements here; path relative to
                                   # the including file
   define BURST = 32               # $BURST or ${BURST} in any value after
   owner alice, bob                # owners (created unless they exist)
   port 0 (rxq=1, txq=1)           # set ethdev port 0 (or a device name) up
                                   # (also rxd=1024, txd=1024, promisc=1)
   runner r0 (lcore=1)             # a runner for continuation threads
   rx :: port_rx(port=0)           # a stage: NAME :: KIND(KEY=VALUE, ...)
   rx -> t :: thread_continuation(runner=r0, burst=$BURST) -> q
   q -> s[weight=3]                # a scheduler's input, with its weight
                                   # (quantum for drr, prio for prio)
   d[web] -> web                   # a demux's output, named web
   path web (owner=bob, acct=tcp) {
           wq :: queue_ring -> wt :: thread_lcore(lcore=2) -> wtx :: port_tx(port=0)
   }
   key d[web] tcp4 *:80            # demux keys: PROTO LOCAL [<- REMOTE]
   key d udp 10.0.0.1:53 <- 10.0.0.9:4000 -> dns   # or straight to a target
   portmap ports (demux=d)         # a port map guarding d's keys
   reserve ports alice:udp:5000-5099   # alice's ports in it
   @endverbatim
 * - A stage is pk_stage_create(KIND, NAME, "KEY=VALUE,...") of a registered
 *   kind (pk_stage_kind_foreach(); pk-run --list-kinds); a stage may be
 *   declared where it is first connected, and named before it is declared.
 * - "a -> b" is pk_stage_link(a, b): a pushes into b, or b pulls from a.
 *   Into a pktsched it attaches a as an input queue (pk_sched_queue_attach())
 *   with the parameter in brackets (default: the policy's). Out of a
 *   demux_flow it is an output: "d[NAME] -> b", or "d -> b" (named b), that
 *   keys name; a demux hands its unmatched packets back to its pusher.
 * - A path (pk_path_create()) is the chain in its braces, head first; its
 *   arguments: owner= (an owner declared here, or "unknown"), tail=return|drop,
 *   acct=none|tcp|udp|raw_tcp|raw_udp|raw_icmp|misc, bytes=0|1. Outside its
 *   body it is connected by its name (or its head's, its tail's).
 * - A key: PROTO is tcp, udp or icmp, with 4 or 6 when the address does not
 *   say (*:80); LOCAL is ADDR:PORT, [IPV6]:PORT or *:PORT (wildcard);
 *   REMOTE makes it an active key (pk_demux_flow_add()).
 * - A port map (pk_portmap.h), built after the owners, with reservations as
 *   pk_portmap_reserve_str() reads them (their owners declared here, or
 *   "unknown"); with demux=D each passive key of D binds its local port in
 *   it for its target's path's owner (refused on another owner's
 *   reservation or binding), an active key only respects reservations,
 *   and pk_ctl_key_add()/pk_ctl_key_del() do the same at run time. The map
 *   is destroyed with the configuration; pk_conf_reload_string() refuses
 *   (-ENOTSUP) to reload a configuration with one, or into a text with one.
 * - Names: a letter or _, then letters, digits, _ . - (at most 31); stages,
 *   paths and runners share one namespace; keywords (include define owner
 *   port runner path key portmap reserve) name nothing. Values: a word or a "quoted string";
 *   no ',' '=' '[' or ']' in a stage's value (rte_kvargs would split it).
 * - define: a definition in pk_conf_params.defines wins over the file's;
 *   $POOL is the name of the parameters' mempool, when one is given.
 *
 * Checked before anything is built, each error reported as
 * "file:line:col: what was found, what was expected" (an unknown kind,
 * argument, name or variable with the nearest known one, or the list):
 * syntax, kinds and arguments, names (twice, unknown), paths (one chain),
 * and the graph: an edge into a stage that cannot be pushed, from one that
 * cannot be pulled, or over which no thread moves packets; a thread with
 * nothing to pull or nowhere to push; a stage with two nexts (only a demux
 * has several), a thread pulling from two stages; a cycle; a stage left
 * unconnected; an lcore used twice; a runner with no thread.
 *
 * Building creates owners, sets ports up, then runners, stages, paths,
 * links, scheduler inputs and keys, in that order; on any failure every
 * object built so far is destroyed (ports stopped, owners and names freed),
 * so the same configuration can be built again.
 *
 * Ownership: the pk_conf owns what it built, and pk_conf_destroy()
 * destroys it; lookups return objects that stay the conf's. Packets: as
 * pk_stage.h, per object.
 *
 * Threads: every function runs on the control thread, one call at a time.
 * The built objects' fast paths run on their threads once started. To
 * quote why a kind or the library refused something, building and starting
 * point DPDK's log stream at memory during each call they make
 * (rte_openlog_stream()): what is logged then goes to the log after a
 * call that succeeds; after one that fails, its first line becomes the
 * error's reason, the rest is dropped (other threads' lines included).
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_mempool.h>

#include <pathkit/pk_path.h>
#include <pathkit/pk_runner.h>
#include <pathkit/pk_stage.h>
#include <pathkit/pk_thread.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Errors reported before parsing gives up, when the parameters say 0. */
#define PK_CONF_MAX_ERRORS 20

/** Parameter flags. */
enum pk_conf_flag {
	/** Refuse "include" (text from a peer must not read local files). */
	PK_CONF_F_NO_INCLUDE = 1u << 0,
};

/** What a configuration is read and built with. NULL: the defaults shown. */
struct pk_conf_params {
	/** Pool that "port" statements fill their RX queues from (NULL: a
	 *  configuration with a port statement does not build). */
	struct rte_mempool *mp;
	/** NUMA socket of what is built (SOCKET_ID_ANY; 0 is socket 0). */
	int socket_id;
	/** Where error lines go (NULL: stderr). */
	FILE *err;
	/** "NAME=VALUE" definitions, NULL-terminated, winning over the
	 *  file's (NULL: none). */
	const char *const *defines;
	/** enum pk_conf_flag bits. */
	uint32_t flags;
	/** Errors reported before giving up (0: PK_CONF_MAX_ERRORS). */
	unsigned int max_errors;
};

struct pk_conf;

/**
 * Read and check a configuration; build nothing (no EAL needed).
 * @param text the configuration, NUL-terminated
 * @param name its name in error messages ("paths.conf"); NULL: "<string>"
 * @param p parameters, or NULL
 * @return the checked configuration, or NULL with rte_errno: EINVAL (errors
 *   reported), ENOMEM.
 */
struct pk_conf *pk_conf_parse_string(const char *text, const char *name,
				     const struct pk_conf_params *p);

/**
 * Read and check a configuration file; build nothing (no EAL needed).
 * @return the checked configuration, or NULL with rte_errno: ENOENT (no
 *   such file, reported), EINVAL (errors reported), ENOMEM.
 */
struct pk_conf *pk_conf_parse_file(const char *path,
				   const struct pk_conf_params *p);

/**
 * Build a checked configuration: owners, ports, runners, stages, paths,
 * links, scheduler inputs, keys. Threads and runners are not started. On
 * failure nothing built is left, and the error is reported with its place.
 * @return 0, or -EINVAL (an argument a kind or the library refused, a port
 *   or lcore that is not there, c NULL), -EALREADY (built), -EEXIST (a
 *   runner or owner name taken), -ENOMEM, or another error of what failed.
 */
int pk_conf_build(struct pk_conf *c);

/**
 * pk_conf_parse_string() and pk_conf_build() in one call.
 * @return the built configuration, or NULL with rte_errno as they set it.
 */
struct pk_conf *pk_conf_load_string(const char *text, const char *name,
				    const struct pk_conf_params *p);

/**
 * pk_conf_parse_file() and pk_conf_build() in one call.
 * @return the built configuration, or NULL with rte_errno as they set it.
 */
struct pk_conf *pk_conf_load_file(const char *path,
				  const struct pk_conf_params *p);

/**
 * Start every thread (pk_thread_start(), in order of declaration), then
 * every runner. On failure what started is stopped again.
 * @return 0, or -EINVAL (not built; a wiring pk_thread_start() refused,
 *   reported), -EALREADY (started), or what pk_thread_start() or
 *   pk_runner_start() returned.
 */
int pk_conf_start(struct pk_conf *c);

/**
 * Stop every runner, then every thread; nothing is left in flight inside a
 * thread. Stopping a stopped configuration does nothing.
 * @return 0, or -EINVAL (c NULL).
 */
int pk_conf_stop(struct pk_conf *c);

/**
 * Stop, then destroy everything built (schedulers, paths, stages, runners;
 * ports stopped, owners it created destroyed) and the configuration.
 * Accepts NULL.
 */
void pk_conf_destroy(struct pk_conf *c);

/** @return the built stage or path (as a stage) of that name, or NULL. */
struct pk_stage *pk_conf_stage(const struct pk_conf *c, const char *name);

/** @return the built path of that name, or NULL. */
struct pk_path *pk_conf_path(const struct pk_conf *c, const char *name);

/** @return the built thread of that name, or NULL. */
struct pk_thread *pk_conf_thread(const struct pk_conf *c, const char *name);

/** @return the built runner of that name, or NULL. */
struct pk_runner *pk_conf_runner(const struct pk_conf *c, const char *name);

/**
 * @return the id of the owner of that name the configuration declared
 *   (once built), -EINVAL (NULL argument) or -ENOENT.
 */
int pk_conf_owner(const struct pk_conf *c, const char *name);

/**
 * Write the configuration as a Graphviz digraph (dot -Tsvg draws it):
 * stages as boxes (threads as ellipses with their lcore or runner), paths
 * as clusters with their owner, pushes as solid edges, pulls as dashed
 * ones, keys and scheduler weights as edge labels. Built or not.
 * @return 0, -EINVAL (NULL argument) or -EIO.
 */
int pk_conf_dot(const struct pk_conf *c, FILE *f);

/**
 * Print the statistics of a built configuration: a line per stage not in
 * a path (pk_stage_stats_print()), per path with its stages
 * (pk_path_stats_print()), per thread ("thread NAME runs=.. pkts=..
 * busy_cycles=.. idle_cycles=.."), per runner, and per owner
 * ("owner NAME paths=N in=.. out=.. dropped=..", the sums of its paths),
 * and once reloaded (or refused a reload), "reloads done=.. refused=..
 * moved=.. dropped=.. last_pause_us=.. max_pause_us=..".
 * @return 0, -EINVAL (NULL argument, not built) or -EIO.
 */
int pk_conf_stats_print(const struct pk_conf *c, FILE *f);

/** What reloads did (pk_conf_reload_string()). */
struct pk_conf_reload_stats {
	uint64_t reloads;      /**< new generations switched in */
	uint64_t failed;       /**< reloads refused: nothing changed */
	uint64_t moved;        /**< packets moved into the new generation */
	uint64_t dropped_gone; /**< freed: their queue is not in the new text */
	uint64_t dropped_full; /**< freed: that name's new queue was full */
	uint64_t pause_ns;     /**< the last switch: from the first old thread
				    stopped to the last new one started */
	uint64_t max_pause_ns; /**< the longest switch */
};

/**
 * Replace a running configuration by another text without stopping the
 * lcores: the new generation is read, checked and built beside the running
 * one, then switched in:
 * - runners of the same name (on the same lcore) and ports (with the same
 *   queues and descriptors) are taken over as they run: the new port_rx
 *   and port_tx stages use the same ethdev queues; owners of the same name
 *   keep their id;
 * - the old generation's threads are stopped (a runner takes a thread off
 *   between two runs and says so: that acknowledgement is the quiescent
 *   state after which nothing runs the old graph any more), and runners
 *   the new text no longer has;
 * - the packets held in the old queues and schedulers (a scheduler's head
 *   slots first, then the rest of each input queue) are pushed, in order,
 *   into the new generation's queues and schedulers of the same name;
 *   where there is none, or it is full, they are freed and counted
 *   (dropped_gone, dropped_full) and a line names the queue;
 * - the new threads start, runners new to the text start; packets that
 *   arrived meanwhile waited in the ports' RX queues and in queues no thread
 *   of either generation ran (the pause: pause_ns);
 * - the old generation is destroyed; c now holds the new one.
 * Demux keys are the new text's. A stage that keeps packets across runs
 * other than queues and schedulers (proc_reassembly's fragments) loses
 * them. If the new threads cannot start, the packets go back and the old
 * generation starts again (-errno returned, as for a refused text).
 *
 * A text that does not parse, check or build changes nothing: the errors
 * go to err (NULL: the configuration's stream), as pk_conf_build() reports
 * them, then "reload: kept the running configuration".
 *
 * Pointers to the old generation's objects (pk_conf_stage() and the other
 * lookups) are stale once this returns 0: look them up again. Entry threads
 * (thread_entry) are stopped with the old generation; their callers run
 * the new ones. Control thread, like every function here.
 * @param c a built configuration (running or not: stopped, it stays so)
 * @param text the new configuration, NUL-terminated
 * @param name its name in error messages (NULL: "<reload>")
 * @param err where errors go, or NULL
 * @param st this reload's figures, or NULL (pk_conf_reload_stats_get()
 *   sums them)
 * @return 0, or -EINVAL (c not built, NULL text; errors reported), -ENOENT
 *   (no such file), -ENOMEM, -ENOTSUP (a port map in c or text), or what
 *   building or starting it returned.
 */
int pk_conf_reload_string(struct pk_conf *c, const char *text,
			  const char *name, FILE *err,
			  struct pk_conf_reload_stats *st);

/** pk_conf_reload_string() of a file's text (includes relative to it). */
int pk_conf_reload_file(struct pk_conf *c, const char *path, FILE *err,
			struct pk_conf_reload_stats *st);

/**
 * Swap one path of a running configuration: pk_conf_reload_string() on a
 * smaller graph. text is the whole new configuration; it may differ from
 * the running one only inside the body and arguments of the path called
 * path and in the keys that lead into it (the path's edges to the rest
 * name the same stages; a scheduler in the path pulls only its own
 * queues). Only that path is built anew; the rest is taken over as it
 * runs. The switch stops the path's threads and the threads that run an
 * outside stage the switch changes (a demux whose keys lead into the path,
 * a scheduler one of its queues feeds, a stage that pushes into it or that
 * it pulls from), moves the path's held packets by name, points those
 * stages at the new path, installs its keys and starts the threads again:
 * every other thread runs on throughout. Packets, counts, refusals,
 * pointers and threads: as pk_conf_reload_string().
 * @return 0, or -EINVAL (as pk_conf_reload_string(); no path of that name
 *   in both; a change outside it, reported), or what building, linking or
 *   starting returned (then the old path runs again).
 */
int pk_conf_swap_path_string(struct pk_conf *c, const char *path,
			     const char *text, const char *name, FILE *err,
			     struct pk_conf_reload_stats *st);

/**
 * Read the sums of every reload of c (pause_ns: the last one's).
 * @return 0, or -EINVAL (NULL argument).
 */
int pk_conf_reload_stats_get(const struct pk_conf *c,
			     struct pk_conf_reload_stats *st);

/**
 * Print every registered stage kind: its name, its one-line help, and the
 * arguments it takes, one kind a line.
 * @return 0, -EINVAL (f NULL) or -EIO.
 */
int pk_conf_kinds_print(FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* PK_CONF_H */
