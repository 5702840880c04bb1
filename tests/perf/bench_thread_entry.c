/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_thread: thread.entry.b32 (see the card of bench_thread.c): a hop
 * through an entry thread on one lcore against the same raw ring work.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_queue_worker.h>

#include "bench_thread.h"

static double __rte_noinline
tb_entry_raw(struct rte_ring *in, struct rte_ring *out, struct rte_mbuf **m)
{
	uint64_t t0 = rte_rdtsc();
	unsigned int i, n, got;

	for (i = 0; i < tb_hops; i++) {
		rte_ring_sp_enqueue_burst(in, (void **)m, TB_BURST, NULL);
		/* the receiver: bursts until a short one, within its budget */
		got = 0;
		do {
			n = rte_ring_sc_dequeue_burst(in, (void **)m, TB_BURST,
						      NULL);
			if (n == 0)
				break;
			rte_ring_sp_enqueue_burst(out, (void **)m, n, NULL);
			got += n;
		} while (n == TB_BURST && got < PK_THREAD_DEFAULT_BUDGET);
		rte_ring_sc_dequeue_burst(out, (void **)m, TB_BURST, NULL);
	}
	return (double)(rte_rdtsc() - t0) / ((double)tb_hops * TB_BURST);
}

/* tb_entry_raw with PathKit's copies: the framework's cost apart. */
static double __rte_noinline
tb_entry_raw_copy(struct rte_ring *in, struct rte_ring *out,
		  struct rte_mbuf **m)
{
	uint64_t t0 = rte_rdtsc();
	unsigned int i, n, got;

	for (i = 0; i < tb_hops; i++) {
		pk_queue_ring_enqueue_sp(in, m, TB_BURST);
		got = 0;
		do {
			n = pk_queue_ring_dequeue_sc(in, m, TB_BURST);
			if (n == 0)
				break;
			pk_queue_ring_enqueue_sp(out, m, n);
			got += n;
		} while (n == TB_BURST && got < PK_THREAD_DEFAULT_BUDGET);
		pk_queue_ring_dequeue_sc(out, m, TB_BURST);
	}
	return (double)(rte_rdtsc() - t0) / ((double)tb_hops * TB_BURST);
}

/*
 * The caller's loop is an RCU reader of its own (pk_rcu.h), as a DPDK
 * loop with rte_rcu_qsbr would be: online once, a quiescent state per
 * burst (it then holds nothing it found in a stage), offline at the end;
 * the entry runs inside it only nest. The raw loops have no reclamation
 * safety at all: nothing they read can be freed under them, so they report
 * nothing.
 */
static double __rte_noinline
tb_entry_pk(struct pk_stage *in, struct pk_thread *t, struct pk_stage *out,
	    struct rte_mbuf **m)
{
	uint64_t t0 = rte_rdtsc();
	struct rte_rcu_qsbr *rcu;
	unsigned int i, rid = 0;

	rcu = pk_rcu_online(&rid);
	for (i = 0; i < tb_hops; i++) {
		pk_stage_push(in, m, TB_BURST);
		pk_thread_entry_run(t);
		pk_stage_pull(out, m, TB_BURST);
		pk_rcu_quiescent(rcu, rid);
	}
	pk_rcu_offline(rcu, rid);
	return (double)(rte_rdtsc() - t0) / ((double)tb_hops * TB_BURST);
}

void
tb_entry(void)
{
	struct pk_path_conf pc = { .name = "tbe", .socket_id = SOCKET_ID_ANY };
	struct pk_thread_conf tc = { .name = "tbet", .burst = TB_BURST };
	double pk[TB_ROUNDS], raw[TB_ROUNDS], raw_copy[TB_ROUNDS];
	struct rte_ring *rin, *rout;
	struct rte_mbuf *m[TB_BURST];
	struct pk_stage *st[4];
	struct pk_path *p;
	unsigned int i;

	if (!tb_wanted("thread.entry.b32"))
		return;
	rin = rte_ring_create("tbe_in", 1024, SOCKET_ID_ANY,
			      RING_F_SP_ENQ | RING_F_SC_DEQ);
	rout = rte_ring_create("tbe_out", 1024, SOCKET_ID_ANY,
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	st[0] = pk_queue_ring_create("tbein", 1024, 0, 0, SOCKET_ID_ANY);
	st[1] = pk_thread_stage(pk_thread_entry_create(&tc));
	st[2] = pk_stage_create("proc_noop", "tben", NULL, SOCKET_ID_ANY);
	st[3] = pk_queue_ring_create("tbeout", 1024, 0, 0, SOCKET_ID_ANY);
	p = pk_path_create(&pc, st, 4);
	if (rin == NULL || rout == NULL || p == NULL ||
	    pk_thread_start(pk_thread_from_stage(st[1])) != 0 ||
	    rte_pktmbuf_alloc_bulk(tb_pool, m, TB_BURST) != 0)
		rte_exit(EXIT_FAILURE, "entry setup\n");
	for (i = 0; i < TB_ROUNDS; i++) {
		raw[i] = tb_entry_raw(rin, rout, m);
		pk[i] = tb_entry_pk(st[0], pk_thread_from_stage(st[1]), st[3],
				    m);
		raw_copy[i] = tb_entry_raw_copy(rin, rout, m);
	}
	fprintf(stderr, "thread.entry.b32: raw with PathKit's 64-byte copies "
		"%.3f cycles/pkt\n", tb_median(raw_copy, TB_ROUNDS));
	tb_report("thread.entry.b32", tb_median(pk, TB_ROUNDS), "cycles/pkt",
		  tb_median(raw, TB_ROUNDS), true);
	rte_pktmbuf_free_bulk(m, TB_BURST);
	pk_path_destroy(p);
	rte_ring_free(rin);
	rte_ring_free(rout);
}
