/* SPDX-License-Identifier: BSD-3-Clause */
/* Path: the ownership contract through a chain (partial push leaves exactly
 * the tail, in order, already processed), tail policies, pull through,
 * wiring checks, accounting, destroy frees what the stages hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static struct rte_mempool *pool;

static uint8_t
ttl_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
				       sizeof(struct rte_ether_hdr))
		->time_to_live;
}

static struct pk_stage *
mk(const char *kind, const char *name, const char *args)
{
	struct pk_stage *s = pk_stage_create(kind, name, args, SOCKET_ID_ANY);

	assert_non_null(s);
	return s;
}

static struct pk_path *
mk_path(const char *name, enum pk_path_tail tail, struct pk_stage **st,
	unsigned int n)
{
	struct pk_path_conf conf = {
		.name = name, .owner = 42, .tail = tail,
		.flags = PK_STAGE_F_BYTES,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_path *p = pk_path_create(&conf, st, n);

	assert_non_null(p);
	return p;
}

/* [noop, ttl, queue(holds 3)]: 8 pushed, 3 taken; 5 come back in order,
 * already processed (TTL decremented) as pk_stage.h says. */
static void
test_partial_push_returns_tail_in_order(void **state)
{
	struct pk_stage *st[3] = {
		mk("proc_noop", "n", NULL), mk("proc_ttl", "t", NULL),
		mk("queue_ring", "q", "size=4"),
	};
	struct rte_mbuf *m[8], *copy[8], *out[8];
	struct pk_stage_stats ps;
	struct pk_path *p;
	unsigned int i;

	(void)state;
	p = mk_path("p", PK_PATH_TAIL_RETURN, st, 3);
	pk_test_burst(pool, m, 8, 0);
	memcpy(copy, m, sizeof(m));

	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 8), 3);
	for (i = 3; i < 8; i++) {
		assert_ptr_equal(m[i], copy[i]);
		assert_int_equal(ttl_of(m[i]), 63); /* changed on the way */
	}
	pk_stage_stats_get(pk_path_stage(p), &ps);
	assert_int_equal(ps.in_pkts, 3);
	assert_int_equal(ps.in_bytes, 3 * 64);
	assert_int_equal(ps.refused[PK_DROP_FULL], 5);
	rte_pktmbuf_free_bulk(&m[3], 5); /* caller of a chain frees */

	assert_int_equal(pk_stage_pull(pk_path_stage(p), out, 8), 3);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(out[i], copy[i]);
	rte_pktmbuf_free_bulk(out, 3);
	pk_stage_stats_get(pk_path_stage(p), &ps);
	assert_int_equal(ps.out_pkts, 3);
	pk_path_destroy(p);
}

/* Drops inside the chain and a refusal at its end: the refused survivors
 * end up at the caller's tail, in their original order. */
static void
test_drops_and_refusal_compose(void **state)
{
	struct pk_stage *st[2] = { mk("proc_ttl", "t", NULL),
				   mk("queue_ring", "q", "size=4") };
	struct rte_mbuf *m[8], *copy[8];
	struct pk_stage_stats ts;
	struct pk_path *p;
	unsigned int i;

	(void)state;
	p = mk_path("p2", PK_PATH_TAIL_RETURN, st, 2);
	for (i = 0; i < 8; i++) /* packets 1 and 4 expire */
		m[i] = pk_test_udp4(pool, 64, (i == 1 || i == 4) ? 1 : 9, i);
	memcpy(copy, m, sizeof(m));

	/* survivors 0,2,3,5,6,7; the queue takes 0,2,3; 5,6,7 come back */
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 8), 5);
	assert_ptr_equal(m[5], copy[5]);
	assert_ptr_equal(m[6], copy[6]);
	assert_ptr_equal(m[7], copy[7]);
	pk_stage_stats_get(st[0], &ts);
	assert_int_equal(ts.drops[PK_DROP_EXPIRED], 2);
	/* in counts what it took: the 3 given back were refused, not taken */
	assert_int_equal(ts.in_pkts, 5);
	assert_int_equal(ts.out_pkts, 3);
	assert_int_equal(ts.refused[PK_DROP_FULL], 3);
	rte_pktmbuf_free_bulk(&m[5], 3);
	pk_path_destroy(p); /* frees the 3 queued */
}

static void
test_tail_drop_takes_all_and_counts(void **state)
{
	struct pk_stage *st[2] = { mk("proc_macswap", "s", NULL),
				   mk("queue_ring", "q", "size=4") };
	struct rte_mbuf *m[8];
	struct pk_stage_stats ps;
	struct pk_path *p;

	(void)state;
	p = mk_path("p3", PK_PATH_TAIL_DROP, st, 2);
	pk_test_burst(pool, m, 8, 0);
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 8), 8);
	pk_stage_stats_get(pk_path_stage(p), &ps);
	assert_int_equal(ps.in_pkts, 8);
	assert_int_equal(ps.drops[PK_DROP_FULL], 5);
	assert_int_equal(pk_stage_len(pk_path_stage(p)), 3);
	pk_path_destroy(p);
}

static void
test_pull_through_processing(void **state)
{
	struct pk_stage *q = mk("queue_ring", "q", "size=16");
	struct pk_stage *st[2] = { q, mk("proc_ttl", "t", NULL) };
	struct rte_mbuf *m[4], *out[4];
	struct pk_path *p;
	unsigned int i;

	(void)state;
	p = mk_path("p4", PK_PATH_TAIL_RETURN, st, 2);
	pk_test_burst(pool, m, 4, 10);
	/* push into the path goes to its head, the queue */
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 4), 4);
	assert_int_equal(pk_stage_pull(pk_path_stage(p), out, 4), 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pk_test_seq(out[i]), 10 + i);
		assert_int_equal(ttl_of(out[i]), 63); /* processed on pull */
	}
	rte_pktmbuf_free_bulk(out, 4);
	pk_path_destroy(p);
}

static void
test_destroy_returns_every_packet(void **state)
{
	struct pk_stage *st[3] = { mk("queue_ring", "q1", "size=64"),
				   mk("proc_noop", "n", NULL),
				   mk("queue_ring", "q2", "size=64") };
	struct rte_mbuf *m[40];
	struct pk_path *p;

	(void)state;
	/* q1 -> noop is a pull link, noop -> q2 a push link: the path is
	 * valid, and packets can sit in both queues */
	p = mk_path("p5", PK_PATH_TAIL_RETURN, st, 3);
	pk_test_burst(pool, m, 40, 0);
	assert_int_equal(pk_stage_push(st[0], m, 20), 20);
	assert_int_equal(pk_stage_push(st[2], &m[20], 20), 20);
	assert_int_equal(pk_stage_len(pk_path_stage(p)), 40);
	/* a stage inside a path is destroyed with its path, not alone */
	pk_stage_destroy(st[0]);
	assert_int_equal(pk_stage_len(st[0]), 20);
	pk_path_destroy(p);
	pk_path_destroy(NULL);
}

static void
test_bad_wiring_leaves_stages_to_caller(void **state)
{
	struct pk_stage *n1 = mk("proc_noop", "n1", NULL);
	struct pk_stage *q1 = mk("queue_ring", "q1", "size=8");
	struct pk_stage *q2 = mk("queue_ring", "q2", "size=8");
	struct pk_path_conf conf = { .name = "bad", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *chain[3] = { n1, q1, q2 };
	struct pk_stage *twice[2] = { n1, n1 };
	struct pk_stage *with_null[2] = { n1, NULL };
	struct pk_stage *ok[2] = { n1, q1 };
	struct pk_path *p;

	(void)state;
	rte_errno = 0;
	assert_null(pk_path_create(&conf, chain, 3)); /* q1 -> q2: no driver */
	assert_int_equal(rte_errno, EINVAL);
	/* the failed build restored n1's link: it is unwired again */
	assert_ptr_equal(n1->next, n1->prev);
	assert_ptr_not_equal(n1->next, q1);
	assert_null(pk_path_create(&conf, twice, 2));
	assert_null(pk_path_create(&conf, with_null, 2));
	assert_null(pk_path_create(&conf, chain, 0));
	assert_null(pk_path_create(&conf, chain, PK_PATH_MAX_STAGES + 1));
	assert_null(pk_path_create(NULL, chain, 1));
	conf.tail = 7;
	assert_null(pk_path_create(&conf, ok, 2));
	conf.tail = PK_PATH_TAIL_RETURN;
	conf.name = NULL;
	assert_null(pk_path_create(&conf, ok, 2));
	conf.name = "good";
	p = pk_path_create(&conf, ok, 2);
	assert_non_null(p);
	/* a stage already in a path cannot join another */
	conf.name = "steal";
	assert_null(pk_path_create(&conf, &q1, 1));
	pk_path_destroy(p);
	pk_stage_destroy(q2);
}

/* A path inside a path: push enters the inner head, the inner tail links
 * on to the outer next stage. */
static void
test_nested_path(void **state)
{
	struct pk_stage *inner_st[2] = { mk("proc_ttl", "t", NULL),
					 mk("proc_macswap", "s", NULL) };
	struct pk_path *inner = mk_path("inner", PK_PATH_TAIL_RETURN,
					inner_st, 2);
	struct pk_stage *outer_st[2] = { pk_path_stage(inner),
					 mk("queue_ring", "q", "size=8") };
	struct pk_path *outer = mk_path("outer", PK_PATH_TAIL_DROP, outer_st,
					2);
	struct rte_mbuf *m[4], *out[4];
	struct rte_ether_hdr *eh;
	struct pk_stage_stats st;

	(void)state;
	assert_ptr_equal(pk_path_from_stage(pk_path_stage(inner)), inner);
	assert_null(pk_path_from_stage(outer_st[1]));
	assert_int_equal(pk_path_nb_stages(outer), 2);
	assert_ptr_equal(pk_path_stage_at(outer, 1), outer_st[1]);
	assert_null(pk_path_stage_at(outer, 2));
	assert_int_equal(pk_path_owner(outer), 42);
	/* NULL as its siblings take it */
	assert_int_equal(pk_path_owner(NULL), 0);
	assert_int_equal(pk_path_nb_stages(NULL), 0);
	assert_null(pk_path_stage_at(NULL, 0));
	assert_null(pk_path_stage(NULL));
	assert_int_equal(pk_path_stats_print(stdout, NULL), -EINVAL);

	pk_test_burst(pool, m, 4, 0);
	assert_int_equal(pk_stage_push(pk_path_stage(outer), m, 4), 4);
	assert_int_equal(pk_stage_pull(pk_path_stage(outer), out, 4), 4);
	eh = rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *);
	assert_int_equal(eh->src_addr.addr_bytes[5], 0x02); /* swapped */
	assert_int_equal(ttl_of(out[0]), 63);
	rte_pktmbuf_free_bulk(out, 4);
	pk_stage_stats_get(pk_path_stage(inner), &st);
	assert_int_equal(st.in_pkts, 4);
	assert_int_equal(pk_path_stats_print(stderr, outer), 0);
	pk_path_destroy(outer); /* destroys inner too */
}

#define MT_BURSTS 20000u

static int
mt_push_bursts(void *arg)
{
	struct pk_stage *ps = arg;
	struct rte_mbuf *m[4];
	unsigned int i;

	for (i = 0; i < MT_BURSTS; i++) {
		while (rte_pktmbuf_alloc_bulk(pool, m, 4) != 0)
			rte_pause(); /* the drain gives them back */
		pk_stage_push(ps, m, 4); /* tail drop: takes all */
	}
	return 0;
}

/* A path whose head is an MP queue takes pushes from several lcores; its
 * own counters are then atomic and exact. One that ends in a single-
 * producer stage does not claim that. */
static void
test_mt_push_into_path(void **state)
{
	struct pk_stage *q = mk("queue_ring", "qmp", "size=256,mp=1");
	struct pk_stage *st[1] = { q };
	struct pk_path *p = mk_path("mt", PK_PATH_TAIL_DROP, st, 1);
	struct pk_stage *st2[2] = { mk("proc_noop", "n", NULL),
				    mk("queue_ring", "q2", "mp=1") };
	struct pk_path *p2 = mk_path("st", PK_PATH_TAIL_DROP, st2, 2);
	struct pk_stage_stats ps, qs;
	struct rte_mbuf *m[32];
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	int done = 0;

	(void)state;
	assert_true(pk_path_stage(p)->caps & PK_STAGE_CAP_MT_PUSH);
	assert_false(pk_path_stage(p2)->caps & PK_STAGE_CAP_MT_PUSH);
	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		pk_path_destroy(p);
		pk_path_destroy(p2);
		skip();
	}
	assert_int_equal(rte_eal_remote_launch(mt_push_bursts,
					       pk_path_stage(p), worker), 0);
	while (!done) {
		done = rte_eal_get_lcore_state(worker) != RUNNING;
		/* the main lcore pushes too, and drains */
		if (rte_pktmbuf_alloc_bulk(pool, m, 4) == 0)
			pk_stage_push(pk_path_stage(p), m, 4);
		rte_pktmbuf_free_bulk(m, pk_stage_pull(q, m, 32));
	}
	rte_eal_wait_lcore(worker);
	rte_pktmbuf_free_bulk(m, pk_stage_pull(q, m, 32));
	pk_stage_stats_get(pk_path_stage(p), &ps);
	pk_stage_stats_get(q, &qs);
	assert_int_equal(ps.in_pkts, qs.in_pkts + qs.refused[PK_DROP_FULL]);
	assert_int_equal(ps.drops[PK_DROP_FULL], qs.refused[PK_DROP_FULL]);
	assert_true(ps.in_pkts >= 4 * MT_BURSTS);
	pk_path_destroy(p);
	pk_path_destroy(p2);
}

/* A path and processing stages that count no bytes keep fewer counters (in
 * read from the head, out derived): each figure must be the one the fully
 * counting twin reads, through drops, refusals, pulls, a reset; both tails. */
static void
twin_compare(struct pk_stage *a, struct pk_stage *b)
{
	struct pk_stage_stats sa, sb;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(a, &sa), 0);
	assert_int_equal(pk_stage_stats_get(b, &sb), 0);
	assert_int_equal(sa.in_pkts, sb.in_pkts);
	assert_int_equal(sa.out_pkts, sb.out_pkts);
	assert_int_equal(sa.held, sb.held);
	for (r = 0; r < PK_DROP_MAX; r++) {
		assert_int_equal(sa.drops[r], sb.drops[r]);
		assert_int_equal(sa.refused[r], sb.refused[r]);
	}
}

static struct pk_stage *
mk_twin(const char *kind, char tag, unsigned int tail, unsigned int t)
{
	char name[16];

	snprintf(name, sizeof(name), "%c%u.%u", tag, tail, t);
	return mk(kind, name, kind[0] == 'q' ? "size=8" : t ? "bytes=1" : NULL);
}

static void
test_uncounted_path_reads_as_counted(void **state)
{
	struct pk_path_conf conf = { .name = "u", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *st[2][3], *ps[2];
	struct rte_mbuf *m[8], *out[8];
	struct pk_stage_stats z;
	struct pk_path *p[2];
	unsigned int tail, t, i, k, round;

	(void)state;
	for (tail = PK_PATH_TAIL_RETURN; tail <= PK_PATH_TAIL_DROP; tail++) {
		for (t = 0; t < 2; t++) { /* 0: uncounted, 1: counted twin */
			st[t][0] = mk_twin("proc_ttl", 't', tail, t);
			st[t][1] = mk_twin("proc_noop", 'n', tail, t);
			st[t][2] = mk_twin("queue_ring", 'q', tail, t);
			conf.tail = tail;
			conf.flags = t ? PK_STAGE_F_BYTES : 0;
			p[t] = pk_path_create(&conf, st[t], 3);
			assert_non_null(p[t]);
			ps[t] = pk_path_stage(p[t]);
		}
		for (round = 0; round < 3; round++) {
			for (t = 0; t < 2; t++) {
				for (i = 0; i < 8; i++) /* 1 and 4 expire */
					m[i] = pk_test_udp4(pool, 64,
						(i == 1 || i == 4) ? 1 : 9, i);
				k = pk_stage_push(ps[t], m, 8);
				rte_pktmbuf_free_bulk(&m[k], 8 - k);
				if (round == 1) /* the queue has room again */
					rte_pktmbuf_free_bulk(out,
						pk_stage_pull(ps[t], out, 5));
			}
			twin_compare(ps[0], ps[1]);
			for (i = 0; i < 3; i++)
				twin_compare(st[0][i], st[1][i]);
		}
		pk_stage_stats_reset(ps[0]);
		pk_stage_stats_reset(ps[1]);
		assert_int_equal(pk_stage_stats_get(ps[0], &z), 0);
		assert_int_equal(z.in_pkts + z.refused[PK_DROP_FULL], 0);
		twin_compare(ps[0], ps[1]);
		twin_compare(st[0][0], st[1][0]);
		pk_path_destroy(p[0]);
		pk_path_destroy(p[1]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_partial_push_returns_tail_in_order,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_drops_and_refusal_compose,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_tail_drop_takes_all_and_counts,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_pull_through_processing,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_destroy_returns_every_packet,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bad_wiring_leaves_stages_to_caller,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_nested_path,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_mt_push_into_path,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_uncounted_path_reads_as_counted,
					  pk_test_teardown_pools_full),
	};
	int rc;

	static const char *const eal[] = { "-l", "0,1", NULL };

	pk_test_eal_init("test_path", NULL, eal);
	pool = pk_test_pool("test_path", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
