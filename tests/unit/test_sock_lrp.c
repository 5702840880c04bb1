/* SPDX-License-Identifier: BSD-3-Clause */
/* Lazy receiver processing under overload, counted rather than timed: a
 * socket offered twice what its reader takes each round spends protocol
 * work only on what its reader reads (early discard at the demux), while
 * another owner's socket on the same node loses nothing; eagerly, the same
 * flood is processed whole before most of it is dropped. What a full
 * socket drops is charged to its owner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include "pk_test.h"
#include "sock_fixture.h"

#define QSIZE 64
#define ROUNDS 40
#define FLOOD (2 * QSIZE)       /* offered to the flooded socket per round */
#define READ (QSIZE / 2)        /* what its reader takes per round */
#define LIGHT 4                 /* offered to the other socket per round */

struct flood_result {
	struct pk_sock_stats a, b;
	struct pk_owner_stats acct_a;
};

static struct pk_sock *
open_bound(int owner, uint16_t port, uint32_t flags)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, port);
	struct pk_sock *s = pk_sock_open(fix.node, owner, AF_INET, PK_SOCK_UDP,
					 flags | PK_SOCK_F_NONBLOCK);

	assert_non_null(s);
	assert_int_equal(pk_sock_bind(s, (void *)&a, sizeof(a)), 0);
	return s;
}

static void
offer(uint16_t port, unsigned int n)
{
	struct sockaddr_in src = fix_sin4(FIX_PEER_IP, 4000);
	struct sockaddr_in dst = fix_sin4(FIX_NODE_IP, port);
	struct rte_mbuf *m[FLOOD];
	unsigned int i;

	for (i = 0; i < n; i++)
		m[i] = fix_frame(&src, &dst, sizeof(src), "datagram", false);
	fix_ingress(m, n);
}

static unsigned int
read_up_to(struct pk_sock *s, unsigned int n)
{
	char buf[16];
	unsigned int got = 0;

	while (got < n && pk_sock_recv(s, buf, sizeof(buf), 0) == 8)
		got++;
	return got;
}

static void
flood(uint32_t flags, struct flood_result *r)
{
	struct pk_owner_stats before, after;
	struct pk_sock *a, *b;
	unsigned int i, got_b = 0;

	assert_int_equal(pk_owner_stats_get(fix.alice, &before), 0);
	a = open_bound(fix.alice, 6000, flags);
	b = open_bound(fix.bob, 6001, flags);
	for (i = 0; i < ROUNDS; i++) {
		offer(6000, FLOOD);
		offer(6001, LIGHT);
		got_b += read_up_to(b, LIGHT);
		assert_int_equal(read_up_to(a, READ), READ);
	}
	assert_int_equal(got_b, ROUNDS * LIGHT);
	assert_int_equal(pk_sock_stats_get(a, &r->a), 0);
	assert_int_equal(pk_sock_stats_get(b, &r->b), 0);
	assert_int_equal(pk_owner_stats_get(fix.alice, &after), 0);
	pk_sock_close(a);
	pk_sock_close(b);
	r->acct_a.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED] =
		after.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED] -
		before.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED];
	r->acct_a.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED] =
		after.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED] -
		before.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED];
}

static void
test_lazy_flood(void **state)
{
	struct flood_result r;

	(void)state;
	flood(0, &r);
	assert_int_equal(r.a.rx_pkts, ROUNDS * READ);
	/* no protocol work beyond what was read (and what a run fetched
	 * into the reader's small local queue, at most one burst) */
	assert_true(r.a.rx_processed >= r.a.rx_pkts);
	assert_true(r.a.rx_processed <= r.a.rx_pkts + 32);
	/* the rest was dropped at the demux before any work (what is left
	 * queued is neither), and charged to alice */
	assert_true(r.a.rx_processed + r.a.rx_dropped <= ROUNDS * FLOOD);
	assert_true(r.a.rx_processed + r.a.rx_dropped + QSIZE - 1 >=
		    ROUNDS * FLOOD);
	assert_int_equal(r.acct_a.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED],
			 ROUNDS * FLOOD);
	assert_int_equal(r.acct_a.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED],
			 r.a.rx_dropped);
	/* the other owner's socket lost nothing and did only its own work */
	assert_int_equal(r.b.rx_pkts, ROUNDS * LIGHT);
	assert_int_equal(r.b.rx_dropped, 0);
	assert_int_equal(r.b.rx_processed, ROUNDS * LIGHT);
}

static void
test_eager_flood(void **state)
{
	struct flood_result r;

	(void)state;
	flood(PK_SOCK_F_EAGER, &r);
	assert_int_equal(r.a.rx_pkts, ROUNDS * READ);
	/* everything that arrived was processed, most of it for nothing */
	assert_int_equal(r.a.rx_processed, ROUNDS * FLOOD);
	assert_true(r.a.rx_dropped >= ROUNDS * (FLOOD - READ) - QSIZE);
	assert_int_equal(r.b.rx_pkts, ROUNDS * LIGHT);
	assert_int_equal(r.b.rx_dropped, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_lazy_flood,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_eager_flood,
					  pk_test_teardown_pools_full),
	};
	int rc;

	fix_setup("test_sock_lrp", QSIZE);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	fix_teardown();
	return rc;
}
