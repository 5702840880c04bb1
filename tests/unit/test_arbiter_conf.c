/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSPAT arbiter's limits and configuration: PK_ARBITER_MAX_CLIENTS clients
 * with either mailbox (more rings than the EAL has memzones), every bad
 * configuration refused, and start refusing an lcore that is not a worker.
 * The arbiter at work: test_arbiter.c, test_arbiter_flow.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_arbiter.h"
#include "arbiter_fixture.h"

/*
 * PK_ARBITER_MAX_CLIENTS clients, with either mailbox: more rings than the
 * EAL has memzones (2560 in Debian's DPDK), so mailboxes must not use them.
 */
static void
test_max_clients(void **state)
{
	static const enum pk_arbiter_mailbox kinds[] = {
		PK_ARBITER_MB_RING, PK_ARBITER_MB_PSPAT,
	};
	struct pk_arbiter_conf c = {
		.nb_clients = PK_ARBITER_MAX_CLIENTS, .mailbox_size = 16,
		.qsize = 4, .lcore_id = PK_ARBITER_LCORE_NONE,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_mbuf *m[2];
	struct pk_arbiter *a;
	unsigned int i;

	(void)state;
	c.out = pk_queue_ring_create("max_out", 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(c.out);
	for (i = 0; i < RTE_DIM(kinds); i++) {
		c.mailbox = kinds[i];
		a = pk_arbiter_create("max", &c);
		assert_non_null(a);
		pk_test_burst(pool, m, 2, 0);
		assert_int_equal(pk_stage_push(pk_arbiter_client(a, 0), m, 1), 1);
		assert_int_equal(pk_stage_push(pk_arbiter_client(a,
				 PK_ARBITER_MAX_CLIENTS - 1), &m[1], 1), 1);
		assert_int_equal(pk_arbiter_run(a, 1), 2);
		pk_arbiter_destroy(a);
		assert_int_equal(pk_stage_pull(c.out, m, 2), 2);
		rte_pktmbuf_free_bulk(m, 2);
	}
	pk_stage_destroy(c.out);
}

static uint32_t
flow_zero(const struct rte_mbuf *m, void *arg)
{
	(void)m;
	(void)arg;
	return 0;
}

static void
test_bad_conf(void **state)
{
	struct pk_arbiter_conf c = { .nb_clients = 1 };

	(void)state;
	assert_null(pk_arbiter_create("bad", &c)); /* no output */
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pk_arbiter_create("bad", NULL));
	c.out = pk_queue_ring_create("bad_out", 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(c.out);
	c.classify = flow_zero; /* a classifier without queues */
	assert_null(pk_arbiter_create("bad", &c));
	assert_int_equal(rte_errno, EINVAL);
	c.classify = NULL; /* queues without a classifier */
	c.nb_queues = 4;
	assert_null(pk_arbiter_create("bad", &c));
	assert_int_equal(rte_errno, EINVAL);
	c.classify = flow_zero;
	c.nb_queues = PK_SCHED_MAX_QUEUES + 1;
	assert_null(pk_arbiter_create("bad", &c));
	assert_int_equal(rte_errno, EINVAL);
	pk_stage_destroy(c.out);
	assert_int_equal(pk_arbiter_start(NULL), -EINVAL);
	assert_null(pk_arbiter_client(NULL, 0));
	pk_arbiter_destroy(NULL);
}

/* Start launches on worker lcores only; anything else is -EINVAL. */
static void
test_start_needs_a_worker_lcore(void **state)
{
	const uint32_t bad[] = { rte_get_main_lcore(), 1 /* not in -l 0 */,
				 RTE_MAX_LCORE, PK_ARBITER_LCORE_NONE };
	struct pk_arbiter_conf c = {
		.nb_clients = 1, .dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_arbiter *a;
	unsigned int i;

	(void)state;
	c.out = pk_queue_ring_create("start_out", 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(c.out);
	for (i = 0; i < RTE_DIM(bad); i++) {
		c.lcore_id = bad[i];
		a = pk_arbiter_create("start", &c);
		assert_non_null(a);
		assert_int_equal(pk_arbiter_start(a), -EINVAL);
		pk_arbiter_destroy(a);
	}
	pk_stage_destroy(c.out);
}

#define TA_TEST(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)

int
main(void)
{
	/* one lcore: the tests on worker lcores are integration tests */
	static const char *const eal[] = { "-l", "0", NULL };
	const struct CMUnitTest tests[] = {
		TA_TEST(test_max_clients),
		TA_TEST(test_bad_conf),
		TA_TEST(test_start_needs_a_worker_lcore),
	};
	int rc;

	pk_test_eal_init("test_arbiter_conf", NULL, eal);
	pool = pk_test_pool("test_arbiter_conf", 8192);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
