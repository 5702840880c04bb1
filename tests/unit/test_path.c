/* SPDX-License-Identifier: BSD-3-Clause */
/* Path: the ownership contract through a chain (partial push leaves exactly
 * the tail, in order, already processed), tail policies, pull through,
 * wiring checks, accounting, destroy frees what the stages hold. Its own
 * counters under several pushers, and uncounted: test_path_counts.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static struct rte_mempool *pool;

#include "path_fixture.h"

static uint8_t
ttl_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
				       sizeof(struct rte_ether_hdr))
		->time_to_live;
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
	};
	int rc;

	static const char *const eal[] = { "-l", "0,1", NULL };

	pk_test_eal_init("test_path", NULL, eal);
	pool = pk_test_pool("test_path", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
