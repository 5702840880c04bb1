/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owners and their accounts: "unknown" is id 0 from the start; create,
 * lookup, get and destroy, with bad names (empty, too long, characters
 * outside [A-Za-z0-9_.-]) refused and PK_OWNER_MAX the limit; an id that
 * names no owner is charged to "unknown" and has no account; charges from
 * four threads at once add up exactly; a path with an accounting row counts
 * what came in as received and its drops as dropped, live and after it is
 * destroyed, and a path without one counts nothing; the row and column
 * names and pk_acct_row_of(); the walk over owners. Telemetry:
 * test_silk_telemetry.c. Every test destroys the owners it made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define THREADS 4
#define CHARGES 100000

static struct rte_mempool *pool;

static void
test_unknown_always_there(void **state)
{
	struct pk_owner_stats st;

	(void)state;
	assert_int_equal(pk_owner_lookup(PK_OWNER_UNKNOWN_NAME),
			 PK_OWNER_UNKNOWN);
	assert_string_equal(pk_owner_name(PK_OWNER_UNKNOWN), "unknown");
	assert_int_equal(pk_owner_get("unknown"), PK_OWNER_UNKNOWN);
	assert_int_equal(pk_owner_create("unknown"), -EEXIST);
	assert_int_equal(pk_owner_destroy(PK_OWNER_UNKNOWN), -EINVAL);
	assert_int_equal(pk_owner_stats_get(PK_OWNER_UNKNOWN, &st), 0);
}

static void
test_create_lookup_destroy(void **state)
{
	int a, b;

	(void)state;
	a = pk_owner_create("alice");
	assert_true(a > 0);
	assert_int_equal(pk_owner_create("alice"), -EEXIST);
	assert_int_equal(pk_owner_lookup("alice"), a);
	assert_int_equal(pk_owner_get("alice"), a);
	assert_string_equal(pk_owner_name(a), "alice");
	assert_int_equal(pk_owner_lookup("bob"), -ENOENT);
	b = pk_owner_get("bob");
	assert_true(b > 0 && b != a);
	assert_int_equal(pk_owner_lookup("bob"), b);
	assert_int_equal(pk_owner_lookup(NULL), -EINVAL);

	assert_int_equal(pk_owner_destroy(a), 0);
	assert_int_equal(pk_owner_destroy(a), -ENOENT);
	assert_null(pk_owner_name(a));
	assert_int_equal(pk_owner_lookup("alice"), -ENOENT);
	assert_int_equal(pk_owner_destroy(PK_OWNER_MAX), -ENOENT);
	assert_null(pk_owner_name(PK_OWNER_MAX));
	assert_int_equal(pk_owner_create("alice"), a); /* the id is reused */
	assert_int_equal(pk_owner_destroy(a), 0);
	assert_int_equal(pk_owner_destroy(b), 0);
}

static void
test_bad_names(void **state)
{
	static const char *const bad[] = {
		"", "a b", "a:b", "a,b", "a@b", "a/b", "caf\xc3\xa9", "tab\t",
		"0123456789012345678901234567890x", /* 32 characters */
	};
	const char *ok31 = "0123456789012345678901234567890";
	unsigned int i;
	int id;

	(void)state;
	assert_int_equal(pk_owner_create(NULL), -EINVAL);
	assert_int_equal(pk_owner_get(NULL), -EINVAL);
	for (i = 0; i < RTE_DIM(bad); i++) {
		assert_int_equal(pk_owner_create(bad[i]), -EINVAL);
		assert_int_equal(pk_owner_get(bad[i]), -EINVAL);
	}
	id = pk_owner_create(ok31);
	assert_true(id > 0);
	id = pk_owner_create("A-z_0.9");
	assert_true(id > 0);
	assert_int_equal(pk_owner_destroy(id), 0);
	assert_int_equal(pk_owner_destroy(pk_owner_lookup(ok31)), 0);
}

static void
test_limit(void **state)
{
	int ids[PK_OWNER_MAX];
	char name[PK_OWNER_NAMESIZE];
	int i, n;

	(void)state;
	for (n = 0; n < PK_OWNER_MAX; n++) {
		snprintf(name, sizeof(name), "o%d", n);
		ids[n] = pk_owner_create(name);
		if (ids[n] < 0)
			break;
	}
	assert_int_equal(n, PK_OWNER_MAX - 1); /* "unknown" is one */
	assert_int_equal(ids[n], -ENOSPC);
	assert_int_equal(pk_owner_get("one-more"), -ENOSPC);
	for (i = 0; i < n; i++)
		assert_int_equal(pk_owner_destroy(ids[i]), 0);
}

static void
test_no_owner_charges_unknown(void **state)
{
	struct pk_owner_stats before, after;

	(void)state;
	assert_int_equal(pk_owner_stats_get(PK_OWNER_MAX + 5, &after),
			 -ENOENT);
	assert_int_equal(pk_owner_stats_get(77, &after), -ENOENT);
	assert_int_equal(pk_owner_stats_get(0, NULL), -EINVAL);
	assert_int_equal(pk_owner_stats_get(0, &before), 0);
	pk_owner_charge(77, PK_ACCT_UDP, PK_ACCT_SENT, 3, 300);
	pk_owner_charge(PK_OWNER_MAX + 5, PK_ACCT_TCP, PK_ACCT_DROPPED, 1, 0);
	pk_owner_charge(0, PK_ACCT_NONE, PK_ACCT_RECEIVED, 2, 20); /* misc */
	pk_owner_charge(0, PK_ACCT_UDP, PK_ACCT_COLS, 9, 9);       /* none */
	pk_owner_count_socket(77, PK_ACCT_UDP, 1);
	assert_int_equal(pk_owner_stats_get(0, &after), 0);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT], 3);
	assert_int_equal(after.row[PK_ACCT_UDP].bytes[PK_ACCT_SENT] -
			 before.row[PK_ACCT_UDP].bytes[PK_ACCT_SENT], 300);
	assert_int_equal(after.row[PK_ACCT_TCP].pkts[PK_ACCT_DROPPED] -
			 before.row[PK_ACCT_TCP].pkts[PK_ACCT_DROPPED], 1);
	assert_int_equal(after.row[PK_ACCT_MISC].pkts[PK_ACCT_RECEIVED] -
			 before.row[PK_ACCT_MISC].pkts[PK_ACCT_RECEIVED], 2);
	assert_int_equal(after.row[PK_ACCT_UDP].opened -
			 before.row[PK_ACCT_UDP].opened, 1);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED],
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED]);
}

static int charge_id;

static void *
charge_thread(void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < CHARGES; i++) {
		pk_owner_charge(charge_id, PK_ACCT_UDP, PK_ACCT_SENT, 1, 100);
		pk_owner_charge(charge_id, PK_ACCT_RAW_ICMP, PK_ACCT_RECEIVED,
				2, 3);
		if (i % 100 == 0)
			pk_owner_count_socket(charge_id, PK_ACCT_TCP, i % 200);
	}
	return NULL;
}

static void
test_charges_from_threads_add_up(void **state)
{
	const uint64_t n = (uint64_t)THREADS * CHARGES;
	pthread_t t[THREADS];
	struct pk_owner_stats st;
	unsigned int i;

	(void)state;
	charge_id = pk_owner_create("busy");
	assert_true(charge_id > 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, charge_thread,
						NULL), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(pk_owner_stats_get(charge_id, &st), 0);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT], n);
	assert_int_equal(st.row[PK_ACCT_UDP].bytes[PK_ACCT_SENT], 100 * n);
	assert_int_equal(st.row[PK_ACCT_RAW_ICMP].pkts[PK_ACCT_RECEIVED],
			 2 * n);
	assert_int_equal(st.row[PK_ACCT_RAW_ICMP].bytes[PK_ACCT_RECEIVED],
			 3 * n);
	assert_int_equal(st.row[PK_ACCT_TCP].opened, THREADS * CHARGES / 200);
	assert_int_equal(st.row[PK_ACCT_TCP].closed, THREADS * CHARGES / 200);
	assert_int_equal(st.row[PK_ACCT_NONE].pkts[PK_ACCT_SENT], 0);
	assert_int_equal(st.row[PK_ACCT_MISC].pkts[PK_ACCT_SENT], 0);

	/* destroyed and made again: a fresh account */
	assert_int_equal(pk_owner_destroy(charge_id), 0);
	assert_int_equal(pk_owner_create("busy"), charge_id);
	assert_int_equal(pk_owner_stats_get(charge_id, &st), 0);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT], 0);
	assert_int_equal(pk_owner_destroy(charge_id), 0);
}

/* A path of one ring that holds 7, its owner's tail drop the rest. */
static struct pk_path *
acct_path(const char *name, uint32_t owner, uint32_t acct)
{
	struct pk_path_conf pc = { .name = name, .owner = owner,
				   .tail = PK_PATH_TAIL_DROP,
				   .flags = PK_STAGE_F_BYTES,
				   .socket_id = SOCKET_ID_ANY, .acct = acct };
	struct pk_stage *q = pk_queue_ring_create(name, 8, 0, 0,
						  SOCKET_ID_ANY);
	struct pk_path *p;

	assert_non_null(q);
	p = pk_path_create(&pc, &q, 1);
	assert_non_null(p);
	return p;
}

static void
test_path_charges_received_and_dropped(void **state)
{
	struct rte_mbuf *m[10], *out[10];
	struct pk_owner_stats st;
	struct pk_path *p, *plain;
	int id;

	(void)state;
	id = pk_owner_create("sock");
	assert_true(id > 0);
	p = acct_path("acct", id, PK_ACCT_UDP);
	plain = acct_path("plain", id, PK_ACCT_NONE);
	assert_int_equal(pk_path_acct(p), PK_ACCT_UDP);
	assert_int_equal(pk_path_acct(plain), PK_ACCT_NONE);

	pk_test_burst(pool, m, 10, 0);
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 10), 10);
	pk_test_burst(pool, m, 10, 0);
	assert_int_equal(pk_stage_push(pk_path_stage(plain), m, 10), 10);
	assert_int_equal(pk_owner_stats_get(id, &st), 0);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED], 10);
	assert_int_equal(st.row[PK_ACCT_UDP].bytes[PK_ACCT_RECEIVED], 640);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED], 3);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT], 0);

	/* what is pulled out changes nothing; destroy folds it in */
	assert_int_equal(pk_stage_pull(pk_path_stage(p), out, 10), 7);
	rte_pktmbuf_free_bulk(out, 7);
	pk_path_destroy(p);
	pk_path_destroy(plain); /* frees the 7 it held, counts nowhere */
	assert_int_equal(pk_owner_stats_get(id, &st), 0);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED], 10);
	assert_int_equal(st.row[PK_ACCT_UDP].bytes[PK_ACCT_RECEIVED], 640);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED], 3);

	/* a second path adds to the same row, live */
	p = acct_path("acct2", id, PK_ACCT_UDP);
	pk_test_burst(pool, m, 2, 0);
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 2), 2);
	assert_int_equal(pk_owner_stats_get(id, &st), 0);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED], 12);
	pk_path_destroy(p); /* the 2 it still held are freed: dropped */
	assert_int_equal(pk_owner_stats_get(id, &st), 0);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED], 12);
	assert_int_equal(st.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED], 3 + 2);
	assert_int_equal(pk_owner_destroy(id), 0);
}

static void
test_path_bad_acct_refused(void **state)
{
	struct pk_path_conf pc = { .name = "badacct", .acct = PK_ACCT_ROWS,
				   .socket_id = SOCKET_ID_ANY };
	struct pk_stage *q = pk_queue_ring_create("badacct", 8, 0, 0,
						  SOCKET_ID_ANY);

	(void)state;
	assert_non_null(q);
	assert_null(pk_path_create(&pc, &q, 1));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(q->parent); /* still ours */
	pk_stage_destroy(q);
}

static void
test_names_and_rows(void **state)
{
	(void)state;
	assert_string_equal(pk_acct_row_name(PK_ACCT_TCP), "tcp");
	assert_string_equal(pk_acct_row_name(PK_ACCT_RAW_ICMP), "raw_icmp");
	assert_string_equal(pk_acct_row_name(PK_ACCT_MISC), "misc");
	assert_null(pk_acct_row_name(PK_ACCT_ROWS));
	assert_string_equal(pk_acct_col_name(PK_ACCT_DROPPED), "dropped");
	assert_null(pk_acct_col_name(PK_ACCT_COLS));
	assert_int_equal(pk_acct_row_of(IPPROTO_TCP, 0), PK_ACCT_TCP);
	assert_int_equal(pk_acct_row_of(IPPROTO_UDP, 0), PK_ACCT_UDP);
	assert_int_equal(pk_acct_row_of(IPPROTO_ICMP, 0), PK_ACCT_MISC);
	assert_int_equal(pk_acct_row_of(IPPROTO_TCP, 1), PK_ACCT_RAW_TCP);
	assert_int_equal(pk_acct_row_of(IPPROTO_UDP, 1), PK_ACCT_RAW_UDP);
	assert_int_equal(pk_acct_row_of(IPPROTO_ICMP, 1), PK_ACCT_RAW_ICMP);
	assert_int_equal(pk_acct_row_of(IPPROTO_ICMPV6, 1), PK_ACCT_RAW_ICMP);
	assert_int_equal(pk_acct_row_of(IPPROTO_GRE, 1), PK_ACCT_MISC);
}

static int
count_owner(uint32_t id, const char *name, void *arg)
{
	(void)id;
	(void)name;
	++*(unsigned int *)arg;
	return 0;
}

static void
test_foreach(void **state)
{
	unsigned int n = 0;
	int id;

	(void)state;
	id = pk_owner_create("walked");
	assert_true(id > 0);
	assert_int_equal(pk_owner_foreach(count_owner, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pk_owner_foreach(NULL, NULL), -EINVAL);
	assert_int_equal(pk_owner_destroy(id), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_unknown_always_there,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_create_lookup_destroy,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bad_names,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_limit,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_no_owner_charges_unknown,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_charges_from_threads_add_up,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_path_charges_received_and_dropped,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_path_bad_acct_refused,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_names_and_rows,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_foreach,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_owner", NULL, NULL);
	pool = pk_test_pool("test_owner", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
