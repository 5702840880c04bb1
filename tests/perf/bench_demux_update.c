/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_demux_update.c: demux.update (see the card of bench_demux.c): key
 * adds and deletes from a control thread while two lcores push through an
 * mt demux, against a bare rte_hash in RCU defer-queue mode.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"
#include "bench_demux.h"

#define DB_UPDATE_SECONDS 2

struct db_update {
	struct pk_stage *d;          /* demux mode, or */
	struct rte_hash *h;          /* bare mode */
	struct rte_rcu_qsbr *qsbr;   /* bare mode's RCU variable */
	volatile int stop;
	uint64_t lost[RTE_MAX_LCORE];
	uint64_t ops;
};

static void
db_update_register(struct db_update *u, unsigned int id, bool on)
{
	if (u->d != NULL && on)
		pk_demux_flow_reader_register(u->d, id);
	else if (u->d != NULL)
		pk_demux_flow_reader_unregister(u->d, id);
	else if (on) {
		rte_rcu_qsbr_thread_register(u->qsbr, id);
		rte_rcu_qsbr_thread_online(u->qsbr, id);
	} else {
		rte_rcu_qsbr_thread_offline(u->qsbr, id);
		rte_rcu_qsbr_thread_unregister(u->qsbr, id);
	}
}

/* Push (or look up) bursts, a quiescent state after each, until stopped. */
static int
db_update_reader(void *arg)
{
	struct db_update *u = arg;
	unsigned int id = rte_lcore_id(), i;
	/* readers start half a set apart: not the same flows at once */
	unsigned int start = id % 2 ? DB_PKTS / 2 : 0;

	db_update_register(u, id, true);
	while (!u->stop) {
		for (i = start; i + DB_BURST <= DB_PKTS; i += DB_BURST) {
			if (u->d != NULL) {
				u->lost[id] += DB_BURST -
					pk_stage_push(u->d, &db_pkts[i],
						      DB_BURST);
				pk_demux_flow_quiescent(u->d, id);
			} else {
				bench_raw_demux_burst(u->h, &db_pkts[i], DB_BURST);
				rte_rcu_qsbr_quiescent(u->qsbr, id);
			}
		}
		start = 0;
	}
	db_update_register(u, id, false);
	return 0;
}

/* Control: keep a window of 1024 churn keys, add the newest, drop the oldest. */
static void *
db_update_control(void *arg)
{
	struct db_update *u = arg;
	uint64_t end = rte_get_tsc_cycles() +
		       DB_UPDATE_SECONDS * rte_get_tsc_hz();
	struct pk_flow_key k;
	uint32_t i = 0;

	/* only operations that succeeded count */
	while (rte_get_tsc_cycles() < end) {
		db_flow_key((1u << 21) + (i % 4096), &k);
		if (i >= 1024) {
			struct pk_flow_key old;

			db_flow_key((1u << 21) + ((i - 1024) % 4096), &old);
			if (u->d != NULL)
				u->ops += pk_demux_flow_del(u->d, &old) == 0;
			else
				u->ops += rte_hash_del_key(u->h, &old) >= 0;
		}
		if (u->d != NULL)
			u->ops += pk_demux_flow_add(u->d, &k, db_sinks[0]) == 0;
		else
			u->ops += rte_hash_add_key_data(u->h, &k,
							db_sinks[0]) == 0;
		i++;
	}
	u->stop = 1;
	return NULL;
}

static double
db_update_run(struct db_update *u)
{
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	uint64_t t0 = rte_get_tsc_cycles();
	pthread_t ctl;

	u->stop = 0;
	pthread_create(&ctl, NULL, db_update_control, u);
	rte_eal_remote_launch(db_update_reader, u, worker);
	db_update_reader(u);
	rte_eal_wait_lcore(worker);
	pthread_join(ctl, NULL);
	return u->ops / ((double)(rte_get_tsc_cycles() - t0) /
			 rte_get_tsc_hz());
}

void
db_update_bench(void)
{
	const uint32_t nflows = 65536, cap = 65536 + 8192;
	struct rte_hash_rcu_config rc = { 0 };
	static struct db_update pk, raw;
	double v, base;
	uint64_t lost = 0;
	unsigned int i;

	if (rte_lcore_count() < 2) {
		fprintf(stderr, "demux.update: needs -l 0,1; skipped\n");
		return;
	}
	db_fill(nflows, false);
	raw.h = db_bare_hash(cap, nflows);
	raw.qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE),
			       RTE_CACHE_LINE_SIZE);
	rte_rcu_qsbr_init(raw.qsbr, RTE_MAX_LCORE);
	rc.v = raw.qsbr;
	rc.mode = RTE_HASH_QSBR_MODE_DQ;
	if (rte_hash_rcu_qsbr_add(raw.h, &rc) != 0)
		rte_exit(1, "rte_hash_rcu_qsbr_add\n");
	base = db_update_run(&raw);
	pk.d = db_demux(cap, nflows, PK_DEMUX_F_MT);
	v = db_update_run(&pk);
	for (i = 0; i < RTE_MAX_LCORE; i++)
		lost += pk.lost[i];
	fprintf(stderr, "demux.update: stable packets lost: %" PRIu64 "\n",
		lost);
	bench_report("demux.update", v, "ops/s", base, false);
	pk_stage_destroy(pk.d);
	rte_hash_free(raw.h);
	rte_free(raw.qsbr);
}

