/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow under concurrent updates: two lcores push a steady set of
 * stable flows, plus churn flows, while a control thread keeps creating
 * targets, adding and deleting keys (active, passive, wildcard) and
 * removing and destroying targets, for about 5 seconds. Stable flows must
 * lose no packet; nothing may crash or leak (run it under ASan too).
 * EAL: -l 0,1 (lcore 0 and lcore 1 push; the control thread is a pthread).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define RUN_SECONDS 5
#define NB_STABLE 16      /* stable flows: dport 1000.. */
#define NB_CHURN 64       /* churn flows: dport 2000.. */
#define STABLE_PORT 1000
#define CHURN_PORT 2000
#define BURST 32
#define LOCAL RTE_IPV4(10, 0, 0, 2)
#define PEER RTE_IPV4(10, 0, 0, 1)

static struct rte_mempool *pool;
static struct pk_stage *demux;
static struct pk_stage *stable_q[2];
static volatile int stop;

struct pusher {
	unsigned int id;
	uint64_t stable_sent;
	uint64_t stable_got;
	uint64_t stable_back; /* stable packets refused or unmatched: a loss */
	uint64_t churn_sent;
};

static struct pusher pushers[2];

/* Build a UDP packet PEER:1024 -> LOCAL:dport (pk_test_udp4's frame). */
static struct rte_mbuf *
mk(uint16_t dport)
{
	struct rte_mbuf *m = pk_test_udp4(pool, 64, 64, dport);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	p[14 + 20 + 2] = dport >> 8;
	p[14 + 20 + 3] = dport & 0xff;
	return m;
}

static bool
is_stable(const struct rte_mbuf *m)
{
	return pk_test_seq(m) < CHURN_PORT;
}

static void
drain(struct pusher *p)
{
	struct rte_mbuf *m[64];
	unsigned int i, k;

	for (i = 0; i < RTE_DIM(stable_q); i++)
		while ((k = pk_stage_pull(stable_q[i], m, RTE_DIM(m))) > 0) {
			p->stable_got += k;
			rte_pktmbuf_free_bulk(m, k);
		}
}

static int
pusher_main(void *arg)
{
	struct pusher *p = arg;
	struct rte_mbuf *m[BURST];
	unsigned int i, n = 0;
	uint16_t k;

	if (pk_demux_flow_reader_register(demux, p->id) != 0)
		return -1;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < BURST; i++, n++) {
			if (i % 4 == 3) {
				m[i] = mk(CHURN_PORT + n % NB_CHURN);
				p->churn_sent++;
			} else {
				m[i] = mk(STABLE_PORT + n % NB_STABLE);
				p->stable_sent++;
			}
		}
		k = pk_stage_push(demux, m, BURST);
		for (i = k; i < BURST; i++) /* ours again */
			p->stable_back += is_stable(m[i]);
		rte_pktmbuf_free_bulk(&m[k], BURST - k);
		pk_demux_flow_quiescent(demux, p->id);
		drain(p);
	}
	pk_demux_flow_reader_unregister(demux, p->id);
	drain(p);
	return 0;
}

struct control_stats {
	uint64_t adds, dels, destroys;
	int err;
};

static struct pk_flow_key
churn_key(unsigned int i, unsigned int kind)
{
	struct pk_flow_key k;

	pk_flow_key_ipv4(&k, IPPROTO_UDP, kind == 2 ? 0 : RTE_BE32(LOCAL),
			 rte_cpu_to_be_16(CHURN_PORT + i),
			 kind == 0 ? RTE_BE32(PEER) : 0,
			 kind == 0 ? rte_cpu_to_be_16(1024) : 0);
	return k;
}

/* One round: a new target, keys to it, some deleted, then the rest removed
 * with the target, which is then destroyed while the lcores push. */
static void
control_round(unsigned int round, struct control_stats *cs)
{
	char name[PK_STAGE_NAMESIZE];
	struct pk_flow_key k;
	struct pk_stage *q;
	unsigned int i, kind = round % 3;
	int rc;

	snprintf(name, sizeof(name), "churn%u", round);
	q = pk_queue_ring_create(name, 256, PK_QUEUE_F_MP, 0, SOCKET_ID_ANY);
	if (q == NULL) {
		cs->err = -ENOMEM;
		return;
	}
	for (i = 0; i < NB_CHURN; i++) {
		k = churn_key(i, kind);
		rc = pk_demux_flow_add(demux, &k, q);
		if (rc != 0)
			cs->err = rc;
		cs->adds++;
	}
	usleep(200);
	for (i = 0; i < NB_CHURN; i += 2) {
		k = churn_key(i, kind);
		rc = pk_demux_flow_del(demux, &k);
		if (rc != 0)
			cs->err = rc;
		cs->dels++;
	}
	rc = pk_demux_flow_remove_target(demux, q);
	if (rc != NB_CHURN / 2)
		cs->err = -EBADMSG;
	cs->dels += rc > 0 ? rc : 0;
	pk_stage_destroy(q); /* safe: no reader holds it any more */
	cs->destroys++;
}

static void *
control_main(void *arg)
{
	struct control_stats *cs = arg;
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t end = start + RUN_SECONDS * hz, now;
	unsigned int round = 0;

	/* RUN_SECONDS, and on a busy machine on until 20 rounds (a minute at
	 * most): what counts is churn under readers, not its speed */
	while (cs->err == 0 && ((now = rte_get_timer_cycles()) < end ||
				(cs->destroys < 20 && now < start + 60 * hz)))
		control_round(round++, cs);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void
test_stable_flows_lose_nothing_under_churn(void **state)
{
	struct pk_demux_conf conf = { .name = "dmx", .capacity = 1024,
				      .socket_id = SOCKET_ID_ANY,
				      .flags = PK_DEMUX_F_MT };
	struct control_stats cs = { 0 };
	struct pk_flow_key k;
	struct pk_stage_stats st;
	unsigned int i, worker;
	uint64_t hits, hits_sum = 0, sent = 0, got = 0;
	pthread_t ctl;

	(void)state;
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "needs two lcores (-l 0,1)\n");
		exit(PK_TEST_SKIP);
	}
	demux = pk_demux_flow_create(&conf);
	assert_non_null(demux);
	stable_q[0] = pk_queue_ring_create("stable0", 4096,
					   PK_QUEUE_F_MP | PK_QUEUE_F_MC, 0,
					   SOCKET_ID_ANY);
	stable_q[1] = pk_queue_ring_create("stable1", 4096,
					   PK_QUEUE_F_MP | PK_QUEUE_F_MC, 0,
					   SOCKET_ID_ANY);
	assert_non_null(stable_q[0]);
	assert_non_null(stable_q[1]);
	for (i = 0; i < NB_STABLE; i++) {
		/* half active, half passive: both lookup passes under churn */
		pk_flow_key_ipv4(&k, IPPROTO_UDP, RTE_BE32(LOCAL),
				 rte_cpu_to_be_16(STABLE_PORT + i),
				 i & 1 ? 0 : RTE_BE32(PEER),
				 i & 1 ? 0 : rte_cpu_to_be_16(1024));
		assert_int_equal(pk_demux_flow_add(demux, &k,
						   stable_q[i & 1]), 0);
	}
	worker = rte_get_next_lcore(-1, 1, 0);
	pushers[0].id = rte_lcore_id();
	pushers[1].id = worker;
	assert_int_equal(pthread_create(&ctl, NULL, control_main, &cs), 0);
	assert_int_equal(rte_eal_remote_launch(pusher_main, &pushers[1],
					       worker), 0);
	assert_int_equal(pusher_main(&pushers[0]), 0);
	assert_int_equal(rte_eal_wait_lcore(worker), 0);
	pthread_join(ctl, NULL);

	for (i = 0; i < 2; i++) {
		printf("pusher %u: stable sent=%" PRIu64 " got=%" PRIu64
		       " back=%" PRIu64 " churn=%" PRIu64 "\n", i,
		       pushers[i].stable_sent, pushers[i].stable_got,
		       pushers[i].stable_back, pushers[i].churn_sent);
		sent += pushers[i].stable_sent;
		got += pushers[i].stable_got;
		assert_int_equal(pushers[i].stable_back, 0);
	}
	printf("control: adds=%" PRIu64 " dels=%" PRIu64 " destroys=%" PRIu64
	       " err=%d\n", cs.adds, cs.dels, cs.destroys, cs.err);
	assert_int_equal(cs.err, 0);
	assert_true(cs.destroys > 10);
	assert_true(sent > 10000);
	assert_int_equal(got, sent);
	for (i = 0; i < NB_STABLE; i++) {
		pk_flow_key_ipv4(&k, IPPROTO_UDP, RTE_BE32(LOCAL),
				 rte_cpu_to_be_16(STABLE_PORT + i),
				 i & 1 ? 0 : RTE_BE32(PEER),
				 i & 1 ? 0 : rte_cpu_to_be_16(1024));
		assert_int_equal(pk_demux_flow_hits(demux, &k, &hits), 0);
		hits_sum += hits;
	}
	assert_int_equal(hits_sum, sent); /* per-key counters lose nothing */
	pk_stage_stats_get(demux, &st);
	assert_true(st.in_pkts >= sent); /* churn refusals may count "full" */
	assert_int_equal(pk_demux_flow_count(demux), NB_STABLE);
	pk_stage_destroy(demux);
	pk_stage_destroy(stable_q[0]);
	pk_stage_destroy(stable_q[1]);
}

int
main(void)
{
	static const char *const extra[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_stable_flows_lose_nothing_under_churn,
			pk_test_teardown_pools_full),
	};
	int rc;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "needs two cores for -l 0,1: skipped\n");
		return PK_TEST_SKIP;
	}
	pk_test_eal_init("test_demux_concurrency", NULL, extra);
	pool = pk_test_pool("test_demux_conc", 16384);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
