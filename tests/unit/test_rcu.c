/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The library's RCU readers (pk_rcu.h) and what they protect.
 *
 * test_reader_api: nesting, the reader id, a quiescent state seen by
 *   rte_rcu_qsbr_check(), a synchronize by an online caller.
 * test_reader_thread_ids: a registered pthread is a reader by its lcore
 *   id, again after it gave the id back and took one anew; without an id
 *   it is not a reader.
 * test_entry_run_reader: an entry run's caller is a reader for the run,
 *   whether it was offline (the run brackets itself) or online across runs
 *   (the run nests in it): in both a grace period begun in the run is held
 *   by the caller, and a bracket inside the run balances.
 * test_key_churn: numbered traffic pushed into a demux (mt) by every kind
 *   of library context at once: a runner's lcore running two continuation
 *   threads, a thread_lcore, and a registered pthread running an entry
 *   thread; none registers with the demux. Meanwhile the main lcore deletes
 *   and re-adds keys (with the demux API, and as text with pk_ctl_key_del()
 *   and pk_ctl_key_add(), as telemetry and the prompt do), and removes,
 *   destroys and re-creates targets, as fast as it can, CHURN_OPS times and
 *   until each context made MIN_PKTS (no timing assumed: a busy machine
 *   only makes it slower). Each flow has its own target, whose record lives
 *   in libc memory freed when the target is destroyed: a target freed while
 *   a pusher still holds it is a use-after-free under ASan, and a deleted
 *   key's target slot reused by another flow's new target while a pusher
 *   still holds it delivers a packet to the wrong flow. Checks: no packet
 *   at a wrong target, order kept per flow at each destination, and every
 *   packet made accounted for (at a target, live or destroyed, or at the
 *   miss stage): none lost.
 * EAL: lcores 0 (control), 1 (runner), 2 (thread_lcore) on two CPUs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_random.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "rcu_churn.h"

#define CHURN_OPS 1000        /* key changes; 1 in 8 replaces a target */
#define MIN_PKTS (1u << 14)   /* per context, made while churning */

/* ---- the API ---- */

static void
test_reader_api(void **state)
{
	struct rte_rcu_qsbr *v, *inner;
	unsigned int id = RTE_MAX_LCORE, id2 = RTE_MAX_LCORE;
	uint64_t tok;

	(void)state;
	assert_non_null(pk_rcu_qsbr());
	assert_false(pk_rcu_is_online());
	v = pk_rcu_online(&id);
	assert_ptr_equal(v, pk_rcu_qsbr());
	assert_int_equal(id, rte_lcore_id());
	assert_true(pk_rcu_is_online());
	/* nested: the outer context reports */
	inner = pk_rcu_online(&id2);
	assert_null(inner);
	assert_int_equal(id2, RTE_MAX_LCORE);
	pk_rcu_quiescent(inner, id2); /* nothing */
	/* online and silent: a grace period started now is not over */
	tok = rte_rcu_qsbr_start(v);
	assert_int_equal(rte_rcu_qsbr_check(v, tok, false), 0);
	pk_rcu_quiescent(v, id);
	assert_int_equal(rte_rcu_qsbr_check(v, tok, false), 1);
	tok = rte_rcu_qsbr_start(v);
	assert_int_equal(rte_rcu_qsbr_check(v, tok, false), 0);
	pk_rcu_synchronize(); /* reports for us: must not wait for itself */
	assert_int_equal(rte_rcu_qsbr_check(v, tok, false), 1);
	pk_rcu_offline(inner, id2);
	assert_true(pk_rcu_is_online());
	pk_rcu_offline(v, id);
	assert_false(pk_rcu_is_online());
	/* offline: writers do not wait for it */
	tok = rte_rcu_qsbr_start(v);
	assert_int_equal(rte_rcu_qsbr_check(v, tok, false), 1);
	pk_rcu_offline(NULL, 0); /* unbalanced: ignored */
	assert_false(pk_rcu_is_online());
}

static uint32_t holder_state; /* atomic: 1 holds an id, 2 may let go */

/* Takes the lowest free lcore id and holds it until told. */
static void *
id_holder(void *arg)
{
	RTE_SET_USED(arg);
	if (rte_thread_register() != 0)
		return (void *)(intptr_t)-1;
	__atomic_store_n(&holder_state, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&holder_state, __ATOMIC_ACQUIRE) != 2)
		sched_yield();
	rte_thread_unregister();
	return NULL;
}

/* A registered pthread: a reader, then gives its lcore id back. */
static void *
reader_thread(void *arg)
{
	unsigned int *ids = arg, id = RTE_MAX_LCORE;
	struct rte_rcu_qsbr *v;
	pthread_t holder;

	if (rte_thread_register() != 0)
		return (void *)(intptr_t)-1;
	v = pk_rcu_online(&id);
	ids[0] = v != NULL && id == rte_lcore_id() ? id : RTE_MAX_LCORE;
	pk_rcu_offline(v, id);
	rte_thread_unregister();
	/* another thread takes that id: ours is another one next time, and
	 * the reader must use that one */
	holder_state = 0;
	if (pthread_create(&holder, NULL, id_holder, NULL) != 0)
		return (void *)(intptr_t)-1;
	while (__atomic_load_n(&holder_state, __ATOMIC_ACQUIRE) != 1)
		sched_yield();
	if (rte_thread_register() != 0)
		return (void *)(intptr_t)-1;
	ids[4] = rte_lcore_id();
	v = pk_rcu_online(&id);
	ids[1] = v != NULL && id == rte_lcore_id() ? id : RTE_MAX_LCORE;
	ids[2] = pk_rcu_is_online();
	pk_rcu_offline(v, id);
	rte_thread_unregister();
	__atomic_store_n(&holder_state, 2, __ATOMIC_RELEASE);
	pthread_join(holder, NULL);
	/* no lcore id: not a reader */
	ids[3] = pk_rcu_online(&id) == NULL && !pk_rcu_is_online();
	return NULL;
}

static void
test_reader_thread_ids(void **state)
{
	unsigned int ids[5] = { 0 };
	pthread_t th;
	void *ret;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, reader_thread, ids), 0);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_null(ret);
	assert_true(ids[0] < RTE_MAX_LCORE);
	assert_true(ids[1] < RTE_MAX_LCORE);
	assert_int_equal(ids[1], ids[4]);
	assert_int_not_equal(ids[1], ids[0]); /* the test did what it says */
	assert_int_equal(ids[2], 1);
	assert_int_equal(ids[3], 1);
	/* nobody is left online: a grace period is over at once */
	pk_rcu_synchronize();
}

/* ---- entry runs ---- */

/* What a run saw of its caller's reader state. */
struct rcu_probe {
	bool online;  /* pk_rcu_is_online() */
	bool holds;   /* a grace period begun in the run is not over */
	bool nested;  /* a bracket inside the run nests and balances */
};

static int
rcu_probe_run(struct pk_thread *t, void *arg)
{
	struct rte_rcu_qsbr *v = pk_rcu_qsbr(), *inner;
	struct rcu_probe *p = arg;
	unsigned int id = 0;
	uint64_t token;

	RTE_SET_USED(t);
	p->online = pk_rcu_is_online();
	/* the caller is online and has reported nothing since: it holds it */
	token = rte_rcu_qsbr_start(v);
	p->holds = rte_rcu_qsbr_check(v, token, false) == 0;
	inner = pk_rcu_online(&id);
	p->nested = inner == NULL && pk_rcu_is_online();
	pk_rcu_offline(inner, id);
	p->nested = p->nested && pk_rcu_is_online();
	return 1;
}

static void
test_entry_run_reader(void **state)
{
	struct rcu_probe p = { 0 };
	struct pk_thread_conf tc = {
		.name = "rcuent", .fn = rcu_probe_run, .arg = &p,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_thread_stats st;
	struct rte_rcu_qsbr *v;
	struct pk_thread *t;
	unsigned int i, id = 0;

	(void)state;
	t = pk_thread_entry_create(&tc);
	assert_non_null(t);
	assert_int_equal(pk_thread_start(t), 0);
	/* an offline caller: a reader for the run's length only */
	assert_false(pk_rcu_is_online());
	assert_int_equal(pk_thread_entry_run(t), 1);
	assert_true(p.online && p.holds && p.nested);
	assert_false(pk_rcu_is_online());
	/* a caller online across runs: each run nests, the loop reports */
	v = pk_rcu_online(&id);
	assert_non_null(v);
	for (i = 0; i < 3; i++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(pk_thread_entry_run(t), 1);
		assert_true(p.online && p.holds && p.nested);
		assert_true(pk_rcu_is_online());
		pk_rcu_quiescent(v, id);
	}
	pk_rcu_offline(v, id);
	assert_false(pk_rcu_is_online());
	pk_rcu_synchronize(); /* nobody left online: over at once */
	pk_thread_stats_get(t, &st);
	assert_int_equal(st.runs, 4);
	assert_int_equal(st.pkts, 4);
	pk_thread_destroy(t);
}

/* ---- churn ---- */

static struct gen *gens[NB_GENS];
static struct pk_thread *entry_thr;
static uint32_t entry_stop;

/* A registered pthread: runs the entry thread while there is work. */
static void *
entry_caller(void *arg)
{
	RTE_SET_USED(arg);
	if (rte_thread_register() != 0)
		return (void *)(intptr_t)-1;
	while (!__atomic_load_n(&entry_stop, __ATOMIC_ACQUIRE)) {
		if (pk_thread_entry_run(entry_thr) <= 0)
			sched_yield();
	}
	rte_thread_unregister();
	return NULL;
}

/* Packets made by all generators; *least: by the one that made fewest. */
static uint64_t
gens_made(uint64_t *least)
{
	uint64_t made = 0, m;
	unsigned int i;

	*least = UINT64_MAX;
	for (i = 0; i < NB_GENS; i++) {
		m = __atomic_load_n(&gens[i]->made, __ATOMIC_ACQUIRE);
		made += m;
		*least = RTE_MIN(*least, m);
	}
	return made;
}

static void
test_key_churn(void **state)
{
	/* room for deleted keys in their grace period: deletes never wait */
	struct pk_demux_conf dc = { .name = "dmx", .capacity = 2 * NB_FLOWS,
				    .socket_id = SOCKET_ID_ANY,
				    .flags = PK_DEMUX_F_MT };
	struct pk_thread_conf tc = { .name = "t", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *sinks[NB_FLOWS], *miss, *d;
	struct pk_thread *thr[NB_GENS];
	uint64_t dels = 0, replaced = 0, total = 0, stage_drops = 0, made;
	uint64_t least = 0;
	struct pk_stage_stats st;
	struct pk_flow_key k;
	struct pk_runner *r;
	unsigned int i, lc1, lc2, op;
	char name[16], text[96], cerr[PK_CTL_ERR_MAX];
	pthread_t caller;
	uint32_t f;

	(void)state;
	lc1 = rte_get_next_lcore(-1, 1, 0);
	lc2 = rte_get_next_lcore(lc1, 1, 0);
	assert_true(lc2 < RTE_MAX_LCORE);
	miss = pk_stage_alloc(sizeof(struct pk_stage), &miss_ops, "miss", 0,
			      SOCKET_ID_ANY);
	assert_non_null(miss);
	dc.miss = miss;
	d = pk_demux_flow_create(&dc);
	assert_non_null(d);
	for (f = 0; f < NB_FLOWS; f++) {
		sinks[f] = sink_new(f);
		flow_key(f, &k);
		assert_int_equal(pk_demux_flow_add(d, &k, sinks[f]), 0);
	}
	r = pk_runner_create("rcu_runner", lc1, SOCKET_ID_ANY);
	assert_non_null(r);
	for (i = 0; i < NB_GENS; i++) {
		snprintf(name, sizeof(name), "gen%u", i);
		gens[i] = (struct gen *)pk_stage_alloc(sizeof(struct gen),
						       &gen_ops, name, 0,
						       SOCKET_ID_ANY);
		assert_non_null(gens[i]);
		gens[i]->first_flow = i * FLOWS_PER_GEN;
		snprintf(name, sizeof(name), "thr%u", i);
		tc.name = name;
		thr[i] = i < 2 ? pk_thread_continuation_create(&tc, r) :
			 i == 2 ? pk_thread_lcore_create(&tc, lc2) :
			 pk_thread_entry_create(&tc);
		assert_non_null(thr[i]);
		assert_int_equal(pk_stage_link(&gens[i]->s,
					       pk_thread_stage(thr[i])), 0);
		assert_int_equal(pk_stage_link(pk_thread_stage(thr[i]), d), 0);
		assert_int_equal(pk_thread_start(thr[i]), 0);
	}
	entry_thr = thr[3];
	entry_stop = 0;
	gen_stop = 0;
	assert_int_equal(pthread_create(&caller, NULL, entry_caller, NULL), 0);
	assert_int_equal(pk_runner_start(r), 0);

	/* churn while every context pushes, MIN_PKTS at least each */
	for (i = 0; i < CHURN_OPS || least < MIN_PKTS; i++) {
		gens_made(&least);
		f = (uint32_t)(rte_rand() % NB_FLOWS);
		flow_key(f, &k);
		op = (unsigned int)(rte_rand() % 8);
		if (op > 1) {
			/* the same key again: its entry and slot come back */
			assert_int_equal(pk_demux_flow_del(d, &k), 0);
			assert_int_equal(pk_demux_flow_add(d, &k, sinks[f]), 0);
			dels++;
			continue;
		}
		if (op == 1) {
			/* the same through the runtime-change text API (what
			 * /pathkit/key_del, key_add and the prompt call) */
			snprintf(text, sizeof(text), "dmx udp 10.0.0.2:%u -> "
				 "sink%u", BASE_PORT + f, f);
			if (pk_ctl_key_del(text, cerr, sizeof(cerr)) != 0 ||
			    pk_ctl_key_add(text, cerr, sizeof(cerr)) != 0)
				fail_msg("%s: %s", text, cerr);
			dels++;
			continue;
		}
		/* a new target: the old one's slot may go to another flow */
		assert_int_equal(pk_demux_flow_remove_target(d, sinks[f]), 1);
		pk_stage_destroy(sinks[f]);
		sinks[f] = NULL;
		if (rte_rand() % 2 == 0) {
			/* a neighbour's target is made first: takes the slot */
			uint32_t g = (f + 1) % NB_FLOWS;
			struct pk_flow_key kg;

			flow_key(g, &kg);
			assert_int_equal(pk_demux_flow_remove_target(d,
							sinks[g]), 1);
			pk_stage_destroy(sinks[g]);
			sinks[g] = sink_new(g);
			assert_int_equal(pk_demux_flow_add(d, &kg, sinks[g]), 0);
			replaced++;
		}
		sinks[f] = sink_new(f);
		assert_int_equal(pk_demux_flow_add(d, &k, sinks[f]), 0);
		replaced++;
	}

	/* every packet made has been pushed once the threads stop */
	__atomic_store_n(&gen_stop, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&entry_stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(caller, NULL), 0);
	for (i = 0; i < NB_GENS; i++)
		pk_thread_stop(thr[i]);
	pk_runner_stop(r);
	print_message("churn: %" PRIu64 " del+add, %" PRIu64 " targets "
		      "replaced\n", dels, replaced);
	assert_true(dels + replaced > 0);
	assert_int_equal(__atomic_load_n(&wrong, __ATOMIC_RELAXED), 0);
	assert_int_equal(__atomic_load_n(&unordered, __ATOMIC_RELAXED), 0);
	made = gens_made(&least);
	for (i = 0; i < NB_GENS; i++) {
		/* a sink never refuses: a thread frees nothing */
		assert_int_equal(pk_stage_stats_get(pk_thread_stage(thr[i]),
						    &st), 0);
		stage_drops += st.drops[PK_DROP_FULL];
		pk_thread_destroy(thr[i]);
		pk_stage_destroy(&gens[i]->s);
	}
	assert_int_equal(stage_drops, 0);
	pk_runner_destroy(r);
	pk_stage_destroy(d);
	for (f = 0; f < NB_FLOWS; f++) {
		pk_stage_destroy(sinks[f]);
		total += miss_got[f];
	}
	pk_stage_destroy(miss);
	total += retired_got;
	print_message("%" PRIu64 " packets: %" PRIu64 " at targets, %" PRIu64
		      " missed\n", total, retired_got, total - retired_got);
	assert_int_equal(total, made);
}

int
main(void)
{
	/* three lcores on the two CPUs a shared machine may give */
	static const char *const eal[] = { "--lcores", "0@0,1@1,2@(0,1)",
					   NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_api),
		cmocka_unit_test(test_reader_thread_ids),
		cmocka_unit_test(test_entry_run_reader),
		cmocka_unit_test_teardown(test_key_churn,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_require_cores("test_rcu", 2);
	pk_test_eal_init("test_rcu", NULL, eal);
	/* caches: four threads on two CPUs must not spin on the pool's ring
	 * while one of them is preempted inside it (DPDK-NOTES.md) */
	pool = rte_pktmbuf_pool_create("test_rcu", 8191, 128, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_rcu: no pool\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	pk_test_eal_cleanup();
	return rc;
}
