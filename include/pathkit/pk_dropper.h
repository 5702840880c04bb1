/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_DROPPER_H
#define PK_DROPPER_H

/**
 * @file
 * Dropper: an early-drop rule a queue carries (pk_queue_set_dropper()), RED
 * (DPDK's rte_red) or PIE (rte_pie). It decides per packet when the packet
 * is pushed: a packet it drops is the queue's (the push counts it as taken,
 * as a path with tail=drop does), freed at once and counted in the queue's
 * drops as "red" or "pie". What it lets through is enqueued as before; what
 * the queue then refuses ("full") stays the caller's, at the tail of the
 * burst, in order. A queue without a dropper pays nothing: setting one
 * replaces the queue's push (pk_stage.push) with the dropper's, which calls
 * the queue's own.
 *
 * RED (Floyd and Jacobson, as rte_red computes it): an average of the queue
 * length, updated with weight 2^-wq_log2 at each packet from the length
 * read once per push burst plus the packets the burst has added; below
 * min_th nothing drops, from max_th on everything does, between them a
 * packet drops with probability pa = pb / (2 - count * pb), pb =
 * (avg - min_th) / (max_th - min_th) / maxp_inv, so drops are spread
 * evenly (about pb / (1 + pb / 2) of the packets). A push that finds the
 * queue empty decays the average as rte_red_enqueue_empty() does, by
 * (1 - wq)^m for the m packets the link could have sent since the queue
 * emptied, m = idle / pkt_ns. The pusher does not see the pull, so the
 * idle time is counted from the previous push: an upper bound. rte_red's
 * config (rte_red_config_init()), run-time data and tables are used as
 * they are; its random number is one global of librte_sched, shared
 * unguarded by every thread, so each dropper draws from its own generator
 * of the same form (with the same seed it decides packet for packet as
 * rte_red_enqueue() does), and the idle factor is computed from rte_red's
 * tables here (rte_red's shifts by -1 for short idle times).
 *
 * PIE (RFC 8033, on rte_pie's state): every dp_update_interval the drop
 * probability moves by alpha * (qdelay - qdelay_ref) + beta * (qdelay -
 * qdelay_old), delays in seconds; a packet is dropped with it once PIE is
 * active (queue length >= tailq_th / 10) and the burst allowance
 * (burst_ms) is spent; from tailq_th packets on every packet is dropped.
 * rte_pie_enqueue() decides; the update is the dropper's, because DPDK
 * 22.11's subtracts delays as unsigned cycles (the probability jumps to 1
 * at the first update) and lets the burst allowance wrap below 0.
 * rte_pie estimates the delay as qlen * (time to send 2^14 units / 2^14)
 * and wants rte_pie_dequeue() at each departure, which only the puller
 * could call. The dropper feeds it from the pusher: qlen = the queue's
 * length (read once per burst), each packet one unit (so the product is
 * the queue length times the time per packet: Little's law), and the time
 * per packet measured from the queue's own departure counter (out_pkts):
 * the time PK_DROPPER_PIE_DQ_PKTS departures or more took while the queue
 * held that many, averaged with rte_pie's weight (1/4). Time is the TSC,
 * or the clock the configuration gives. Random numbers are rte_drand()'s
 * (per lcore; rte_srand() seeds them).
 *
 * Threads: a dropper's state is written by the queue's pushers; on a queue
 * with several pushers (PK_QUEUE_F_MP) they take a spinlock for the
 * decisions of a burst. Set, change or remove a dropper on the control
 * thread while no thread pushes into the queue.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pk_stage;

/** Which rule a dropper applies. */
enum pk_dropper_kind {
	PK_DROPPER_NONE = 0, /**< no dropper (removes one) */
	PK_DROPPER_RED,      /**< Random Early Detection, rte_red */
	PK_DROPPER_PIE,      /**< Proportional Integral controller Enhanced */
};

/** RED's default inverse weight: wq = 2^-9, about 0.002 as Floyd's. */
#define PK_DROPPER_RED_WQ_LOG2 9
/** RED's default time to send one packet, for the idle rule (ns). */
#define PK_DROPPER_RED_PKT_NS 1000
/** RED's largest max_th (rte_red's RTE_RED_MAX_TH_MAX). */
#define PK_DROPPER_RED_MAX_TH 1023
/** PIE's default target delay (RFC 8033), ms. */
#define PK_DROPPER_PIE_QDELAY_MS 15
/** PIE's default drop probability update interval (RFC 8033), ms. */
#define PK_DROPPER_PIE_INTERVAL_MS 15
/** PIE's default burst allowance (RFC 8033), ms. */
#define PK_DROPPER_PIE_BURST_MS 150
/** Departures (and backlog) PIE's rate measurement waits for. */
#define PK_DROPPER_PIE_DQ_PKTS 16

/** RED parameters (rte_red_config_init()'s, and the idle rule's time). */
struct pk_dropper_red {
	uint16_t min_th;   /**< packets; 0..max_th - 1 */
	uint16_t max_th;   /**< packets; 1..PK_DROPPER_RED_MAX_TH */
	uint16_t maxp_inv; /**< 1/maxp, the drop probability at max_th: 1..255 */
	uint16_t wq_log2;  /**< weight of a sample 2^-wq_log2: 1..12 */
	uint32_t pkt_ns;   /**< time to send a typical packet; 0: default */
};

/** PIE parameters (rte_pie_config_init()'s). */
struct pk_dropper_pie {
	uint16_t qdelay_ms;   /**< target queue delay, 1..65535 ms */
	uint16_t interval_ms; /**< drop probability update interval, ms */
	uint16_t burst_ms;    /**< burst allowance, ms */
	uint16_t tailq_th;    /**< every packet drops from this length on;
				   PIE is active from a tenth of it */
};

/** A dropper's configuration. Zero it, then set kind and its part. */
struct pk_dropper_conf {
	enum pk_dropper_kind kind; /**< which rule; its part below */
	union {
		struct pk_dropper_red red; /**< PK_DROPPER_RED */
		struct pk_dropper_pie pie; /**< PK_DROPPER_PIE */
	};
	/**
	 * The time, in TSC cycles (rte_get_tsc_hz() per second), read once
	 * per push burst; NULL: the TSC. A test drives a fake clock here.
	 */
	uint64_t (*clock)(void *arg);
	void *clock_arg;  /**< given to clock */
	uint32_t seed;    /**< RED's random numbers; 0: from rte_rand() */
};

/** Longest explanation pk_dropper_parse() writes, with its NUL. */
#define PK_DROPPER_ERR_MAX 160

/**
 * Parse a queue argument into a dropper configuration: "red" with
 * "min:max:maxp_inv[:wq_log2[:pkt_ns]]" or "pie" with
 * "qdelay_ms[:interval_ms[:burst_ms[:tailq_th]]]", decimal integers.
 * Defaults: wq_log2 9, pkt_ns 1000; interval 15, burst 150, tailq_th the
 * queue's capacity. max_th and tailq_th may not exceed the capacity (the
 * queue would refuse first). Thread-safe; touches nothing but its outputs.
 * @param key "red" or "pie"
 * @param val the value text (NUL-terminated)
 * @param capacity packets the queue holds, 1..65535 (larger is taken as
 *   65535)
 * @param c receives the configuration (clock NULL, seed 0); untouched on
 *   error
 * @param err receives one line on error ("red: ..."), always terminated;
 *   may be NULL
 * @param err_size bytes at err
 * @return 0, or -EINVAL (unknown key, a field that is not a number in its
 *   range, too few or too many fields, min_th not below max_th, a
 *   threshold above the capacity).
 */
int pk_dropper_parse(const char *key, const char *val, unsigned int capacity,
		     struct pk_dropper_conf *c, char *err, size_t err_size);

/** What a queue's dropper knows now (pk_dropper_info_get()). */
struct pk_dropper_info {
	enum pk_dropper_kind kind;  /**< PK_DROPPER_NONE: q has none */
	double red_avg;             /**< RED: average queue length, packets */
	double pie_drop_prob;       /**< PIE: drop probability, 0..1 */
	double pie_qdelay_ms;       /**< PIE: last delay estimate, ms */
	double pie_pkt_ns;          /**< PIE: measured time per departure */
	int pie_active;             /**< PIE: 1 while active */
};

/**
 * Read the state of q's dropper. Any thread: the values are read without
 * a lock and may be one burst old.
 * @return 0 (info->kind PK_DROPPER_NONE if q carries none), or -EINVAL
 *   (q or info NULL).
 */
int pk_dropper_info_get(const struct pk_stage *q, struct pk_dropper_info *info);

/* ---- for queue kinds: the "red" and "pie" arguments ---- */

struct rte_kvargs;

/** The argument keys a queue kind adds to its own for a dropper. */
#define PK_DROPPER_ARGS "red", "pie"

/**
 * Read a queue kind's "red" or "pie" argument (pk_dropper_parse()), for
 * its create; a refusal is logged in one line naming the stage.
 * @param kv the arguments (NULL: none)
 * @param name the stage's name, for the log
 * @param capacity packets the queue will hold
 * @param c receives the configuration; kind PK_DROPPER_NONE if neither key
 * @return 0, or -EINVAL (a bad value, a key twice, both keys).
 */
int pk_dropper_args(const struct rte_kvargs *kv, const char *name,
		    unsigned int capacity, struct pk_dropper_conf *c);

/**
 * The last step of a queue kind's create: give the new queue s the dropper
 * c (nothing if c->kind is PK_DROPPER_NONE).
 * @return s; or NULL with rte_errno set if s is NULL (rte_errno left as
 *   the create set it) or the dropper could not be set (s is destroyed).
 */
struct pk_stage *pk_dropper_attach(struct pk_stage *s,
				   const struct pk_dropper_conf *c);

#ifdef __cplusplus
}
#endif

#endif /* PK_DROPPER_H */
