/* SPDX-License-Identifier: BSD-3-Clause */
/* Stage core: kind registry, create by name with key=value, bad arguments,
 * hostile numbers refused by every kind's number reader (signs, spaces,
 * exponents, wrap-around, octal taken for decimal), linking rules,
 * statistics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_stage_driver.h>

#include "pk_test.h"

static struct rte_mempool *pool;

static void
test_builtin_kinds_registered(void **state)
{
	static const char *const kinds[] = {
		"queue_ring", "proc_noop", "proc_macswap", "proc_ether",
		"proc_ttl", "proc_counter", "port_rx", "port_tx",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(kinds); i++) {
		const struct pk_stage_kind *k = pk_stage_kind_find(kinds[i]);

		assert_non_null(k);
		assert_string_equal(k->name, kinds[i]);
		assert_non_null(k->help);
	}
	assert_null(pk_stage_kind_find("no_such_kind"));
	assert_null(pk_stage_kind_find(NULL));
}

static struct pk_stage *
impostor_create(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	(void)name;
	(void)kv;
	(void)socket_id;
	rte_errno = EPERM;
	return NULL;
}

/* A second kind of a taken name is refused: the first stays in force. */
static void
test_duplicate_kind_refused(void **state)
{
	static struct pk_stage_kind impostor = {
		.name = "queue_ring", .help = "not the real one",
		.create = impostor_create,
	};
	const struct pk_stage_kind *k = pk_stage_kind_find("queue_ring");
	struct pk_stage *s;

	(void)state;
	pk_stage_kind_register(&impostor);
	assert_ptr_equal(pk_stage_kind_find("queue_ring"), k);
	s = pk_stage_create("queue_ring", "q_dup", NULL, SOCKET_ID_ANY);
	assert_non_null(s);
	pk_stage_destroy(s);
}

static void
test_create_by_kind_name(void **state)
{
	struct pk_stage *s;

	(void)state;
	s = pk_stage_create("queue_ring", "q0", "size=64,mp=1,bytes=1",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	assert_string_equal(pk_stage_name(s), "q0");
	assert_string_equal(pk_stage_kind_name(s), "queue_ring");
	assert_true(s->flags & PK_STAGE_F_BYTES);
	assert_true(s->caps & PK_STAGE_CAP_MT_PUSH);
	assert_false(s->caps & PK_STAGE_CAP_MT_PULL);
	pk_stage_destroy(s);

	s = pk_stage_create("proc_ether", "e0",
			    "dst=02:00:00:00:00:09", SOCKET_ID_ANY);
	assert_non_null(s);
	pk_stage_destroy(s);

	s = pk_stage_create("proc_noop", "n0", NULL, SOCKET_ID_ANY);
	assert_non_null(s);
	pk_stage_destroy(s);
}

static void
expect_create_fails(const char *kind, const char *name, const char *args,
		    int err)
{
	rte_errno = 0;
	assert_null(pk_stage_create(kind, name, args, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, err);
}

static void
test_create_bad_arguments(void **state)
{
	char long_name[PK_STAGE_NAMESIZE + 4];

	(void)state;
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';

	expect_create_fails("no_such_kind", "x", NULL, ENOENT);
	expect_create_fails(NULL, "x", NULL, ENOENT);
	expect_create_fails("queue_ring", NULL, NULL, EINVAL);
	expect_create_fails("queue_ring", "", NULL, EINVAL);
	expect_create_fails("queue_ring", long_name, NULL, EINVAL);
	expect_create_fails("queue_ring", "q", "size=0", EINVAL);
	expect_create_fails("queue_ring", "q", "size=100", EINVAL);
	expect_create_fails("queue_ring", "q", "size=-4", EINVAL);
	expect_create_fails("queue_ring", "q", "size=abc", EINVAL);
	expect_create_fails("queue_ring", "q", "size=64,size=128", EINVAL);
	expect_create_fails("queue_ring", "q", "mp=2", EINVAL);
	expect_create_fails("queue_ring", "q", "colour=blue", EINVAL);
	expect_create_fails("queue_ring", "q", "size", EINVAL);
	expect_create_fails("queue_ring", "q", "=4", EINVAL);
	expect_create_fails("queue_ring", "q", "bytes=yes", EINVAL);
	expect_create_fails("proc_ether", "e", NULL, EINVAL);
	expect_create_fails("proc_ether", "e", "src=zz:00", EINVAL);
	expect_create_fails("port_rx", "r", NULL, EINVAL);
	expect_create_fails("port_rx", "r", "port=net_nothing", EINVAL);
	expect_create_fails("port_tx", "t", "port=9999", EINVAL);
}

/* Values no number argument takes, whatever its range. */
static const char *const hostile_numbers[] = {
	"+64", " 64", "64 ", "\t64", "64\n", "6 4", "-0", "+0", "-64",
	"-18446744073709551552", " -18446744073709551552", /* 64, wrapped */
	"1e3", "6.4e1", "64.0", "64.", ".64", "nan", "inf", "infinity",
	"0x", "0X", "0x+40", "0x-40", "0x 40", "0x40 ", "0xg0", "0x0x40", "x40",
	"0b1000000", "0o100", "64k", "64u", "64L", "(64)", "64;", "",
	"18446744073709551616", "18446744073709551617",
	"18446744073709551680", /* 2^64 + 64 */
	"0x10000000000000040", "99999999999999999999999",
	"\xd9\xa6\xd9\xa4", "\xef\xbc\x96\xef\xbc\x94", /* 64 in other digits */
};

/* A number argument of each kind that reads one, and a value it takes. */
static const struct {
	const char *kind, *key, *good;
} number_args[] = {
	{ "queue_ring", "size", "64" }, { "queue_ring", "mp", "1" },
	{ "queue_ring", "bytes", "1" }, { "mailbox", "size", "64" },
	{ "pktsched", "qsize", "64" }, { "pktsched", "rate", "64" },
	{ "proc_reassembly", "flows", "64" },
	{ "proc_reassembly", "timeout_ms", "64" },
	{ "demux_flow", "capacity", "64" }, { "thread_entry", "burst", "32" },
	{ "proc_noop", "bytes", "0" },
};

static void
test_create_hostile_numbers(void **state)
{
	char args[128];
	struct pk_stage *s;
	unsigned int i, j;

	(void)state;
	for (i = 0; i < RTE_DIM(number_args); i++) {
		snprintf(args, sizeof(args), "%s=%s", number_args[i].key,
			 number_args[i].good);
		s = pk_stage_create(number_args[i].kind, "num", args,
				    SOCKET_ID_ANY);
		assert_non_null(s); /* so a refusal below is the number's */
		pk_stage_destroy(s);
		for (j = 0; j < RTE_DIM(hostile_numbers); j++) {
			snprintf(args, sizeof(args), "%s=%s",
				 number_args[i].key, hostile_numbers[j]);
			print_message("%s %s\n", number_args[i].kind, args);
			expect_create_fails(number_args[i].kind, "num", args,
					    EINVAL);
		}
		/* the key alone, without '=' */
		expect_create_fails(number_args[i].kind, "num",
				    number_args[i].key, EINVAL);
	}
}

/* Decimal, or hex after 0x; a leading 0 is decimal (0100 is no power of 2). */
static void
test_create_numbers_decimal_or_hex(void **state)
{
	static const char *const good[] = {
		"size=64", "size=064", "size=0x40", "size=0X40", "size=0x0040",
	};
	struct pk_stage *s;
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(good); i++) {
		s = pk_stage_create("queue_ring", "num", good[i],
				    SOCKET_ID_ANY);
		assert_non_null(s);
		pk_stage_destroy(s);
	}
	expect_create_fails("queue_ring", "num", "size=0100", EINVAL);
	expect_create_fails("queue_ring", "num", "size=0x4_0", EINVAL);
}

static void
test_link_rules(void **state)
{
	struct pk_stage *q1, *q2, *p1, *p2;

	(void)state;
	q1 = pk_queue_ring_create("q1", 8, 0, 0, SOCKET_ID_ANY);
	q2 = pk_queue_ring_create("q2", 8, 0, 0, SOCKET_ID_ANY);
	p1 = pk_stage_create("proc_noop", "p1", NULL, SOCKET_ID_ANY);
	p2 = pk_stage_create("proc_noop", "p2", NULL, SOCKET_ID_ANY);
	assert_non_null(q1);
	assert_non_null(q2);
	assert_non_null(p1);
	assert_non_null(p2);

	/* a queue neither pushes on nor pulls: nothing drives q1 -> q2 */
	assert_int_equal(pk_stage_link(q1, q2), -EINVAL);
	assert_int_equal(pk_stage_link(q1, q1), -EINVAL);
	assert_int_equal(pk_stage_link(NULL, q1), -EINVAL);
	/* processing pushes into a queue, and pulls from one */
	assert_int_equal(pk_stage_link(p1, q1), 0);
	assert_ptr_equal(p1->next, q1);
	assert_int_equal(pk_stage_link(q1, p2), 0);
	assert_ptr_equal(p2->prev, q1);
	/* processing -> processing works both ways */
	assert_int_equal(pk_stage_link(p2, p1), 0);
	assert_ptr_equal(p2->next, p1);
	assert_ptr_equal(p1->prev, p2);
	pk_stage_unlink(p1);
	assert_ptr_not_equal(p1->next, q1);

	pk_stage_destroy(q1);
	pk_stage_destroy(q2);
	pk_stage_destroy(p1);
	pk_stage_destroy(p2);
	pk_stage_destroy(NULL);
}

static void
test_unwired_processing_returns_burst(void **state)
{
	struct rte_mbuf *m[4];
	struct pk_stage *p;
	struct pk_stage_stats st;

	(void)state;
	p = pk_stage_create("proc_noop", "lonely", NULL, SOCKET_ID_ANY);
	assert_non_null(p);
	pk_test_burst(pool, m, 4, 0);
	/* no next stage: everything comes back, in order */
	assert_int_equal(pk_stage_push(p, m, 4), 0);
	assert_int_equal(pk_test_seq(m[0]), 0);
	assert_int_equal(pk_test_seq(m[3]), 3);
	assert_int_equal(pk_stage_pull(p, m, 4), 0);
	assert_int_equal(pk_stage_stats_get(p, &st), 0);
	/* in counts what the stage took: everything came back */
	assert_int_equal(st.in_pkts, 0);
	assert_int_equal(st.out_pkts, 0);
	assert_int_equal(st.refused[PK_DROP_FULL], 4);
	rte_pktmbuf_free_bulk(m, 4);
	pk_stage_destroy(p);
}

static void
test_stats_reasons_named(void **state)
{
	(void)state;
	assert_string_equal(pk_drop_reason_name(PK_DROP_FULL), "full");
	assert_string_equal(pk_drop_reason_name(PK_DROP_NO_MATCH), "no-match");
	assert_string_equal(pk_drop_reason_name(PK_DROP_MALFORMED),
			    "malformed");
	assert_string_equal(pk_drop_reason_name(PK_DROP_POLICY), "policy");
	assert_string_equal(pk_drop_reason_name(PK_DROP_MAX), "?");
	assert_int_equal(pk_stage_stats_get(NULL, NULL), -EINVAL);
}

static int
count_kind(const struct pk_stage_kind *k, void *arg)
{
	(void)k;
	(*(unsigned int *)arg)++;
	return 0;
}

static void
test_kind_foreach(void **state)
{
	unsigned int n = 0;

	(void)state;
	assert_int_equal(pk_stage_kind_foreach(count_kind, &n), 0);
	assert_true(n >= 8);
	assert_string_equal(pk_version(), PK_VERSION_STR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_builtin_kinds_registered,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_duplicate_kind_refused,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_create_by_kind_name,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_create_bad_arguments,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_create_hostile_numbers,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_create_numbers_decimal_or_hex,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_link_rules,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_unwired_processing_returns_burst,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_stats_reasons_named,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_kind_foreach,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_stage", NULL, NULL);
	pool = pk_test_pool("test_stage", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
