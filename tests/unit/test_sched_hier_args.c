/* SPDX-License-Identifier: BSD-3-Clause */
/* Two-level policies' strings and arguments: pk_sched_policy_split()
 * (levels, labels, separators, reasons), pk_sched_create()'s refusals
 * (a queue manager over owners, unknown names, three levels, classes on
 * one level, classes not dividing the queues, a class parameter out of
 * range), the stage kind's classes= and class_params=, and the
 * configuration checker (a two-level policy, INNER's parameter in an
 * input's bracket, its errors). Scheduling: test_sched_hier.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_sched_policy.h>

#include "pk_test.h"

static void
assert_create_fails(const char *policy, uint32_t classes,
		    const uint32_t *w, int err)
{
	struct pk_sched_conf c = {
		.policy = policy, .max_queues = 64, .nb_classes = classes,
		.class_params = w, .socket_id = SOCKET_ID_ANY,
	};

	assert_null(pk_sched_create("bad", &c));
	assert_int_equal(rte_errno, err);
}

/* The configuration language's checker: two levels, INNER's parameter. */
static bool
conf_ok(const char *policy, const char *input)
{
	char text[512];
	struct pk_conf *c;

	snprintf(text, sizeof(text), "rx :: port_rx(port=0) -> t :: "
		 "thread_lcore(lcore=1) -> q :: queue_ring\n"
		 "q -> s :: pktsched(policy=%s, classes=2, queues=8)%s\n"
		 "s -> t2 :: thread_lcore(lcore=2) -> tx :: port_tx(port=1)\n",
		 policy, input);
	c = pk_conf_parse_string(text, "hier.conf", NULL);
	pk_conf_destroy(c);
	return c != NULL;
}

static void
test_policy_strings(void **state)
{
	static const uint32_t zero[2] = { 0, 1 };
	char o[PK_SCHED_POLICY_PARTSIZE], in[PK_SCHED_POLICY_PARTSIZE];
	char err[128];
	struct pk_stage *s;

	RTE_SET_USED(state);
	assert_int_equal(pk_sched_policy_split("wfq", o, in, err,
					       sizeof(err)), 0);
	assert_string_equal(o, "wfq");
	assert_string_equal(in, "");
	assert_int_equal(pk_sched_policy_split("owners:drr,flows:fq_pie", o,
					       in, err, sizeof(err)), 1);
	assert_string_equal(o, "drr");
	assert_string_equal(in, "fq_pie");
	assert_string_equal(err, "");
	assert_int_equal(pk_sched_policy_split("wfq/fq_codel", o, in, NULL,
					       0), 1);
	assert_int_equal(pk_sched_policy_split("owners:wfq,flows:a,flows:b",
					       o, in, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "two levels"));
	assert_int_equal(pk_sched_policy_split("flows:wfq,owners:fq_codel",
					       o, in, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "'flows'"));
	assert_int_equal(pk_sched_policy_split("owners:wfq,", o, in, err,
					       sizeof(err)), -EINVAL);
	assert_int_equal(pk_sched_policy_split("owners:wfq", o, in, err,
					       sizeof(err)), -EINVAL);
	assert_int_equal(pk_sched_policy_split("", o, in, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pk_sched_policy_split("w q", o, in, err,
					       sizeof(err)), -EINVAL);

	assert_create_fails("owners:fq_codel,flows:wfq", 2, NULL, EINVAL);
	assert_create_fails("owners:wfq,flows:nope", 2, NULL, ENOENT);
	assert_create_fails("owners:wfq,flows:fq_codel,x", 2, NULL, EINVAL);
	assert_create_fails("wfq", 2, NULL, EINVAL);   /* classes, one level */
	assert_create_fails("owners:wfq,flows:fq_codel", 3, NULL, EINVAL);
	assert_create_fails("owners:wfq,flows:fq_codel", 2, zero, EINVAL);

	s = pk_stage_create("pktsched", "hier_kind", "policy=owners:wfq/flows:"
			    "fq_codel,queues=64,classes=4,class_params=1:2:3:4",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	assert_string_equal(pk_sched_policy_name(s),
			    "owners:wfq,flows:fq_codel");
	assert_int_equal(pk_sched_nb_queues(s), 64); /* a queue manager's */
	pk_stage_destroy(s);
	s = pk_stage_create("pktsched", "hier_kind", "policy=drr/drr,"
			    "queues=8,classes=2,class_params=3000",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	pk_stage_destroy(s);
	assert_null(pk_stage_create("pktsched", "hier_kind", "policy=owners:"
				    "wfq/flows:fq_codel,queues=64,classes=4,"
				    "class_params=1:2", SOCKET_ID_ANY));
	assert_null(pk_stage_create("pktsched", "hier_kind", "policy=wfq,"
				    "classes=4", SOCKET_ID_ANY));
	/* q -> s[...] rewritten as an input of s */
	assert_true(conf_ok("owners:wfq/flows:drr", ""));
	assert_true(conf_ok("owners:wfq/flows:drr", "\nrx2 :: port_rx(port=2)"
			    " -> t3 :: thread_lcore(lcore=3) -> q2 :: "
			    "queue_ring\nq2 -> s[quantum=3000]"));
	assert_false(conf_ok("owners:wfq/flows:drr", "\nrx2 :: port_rx(port="
			     "2) -> t3 :: thread_lcore(lcore=3) -> q2 :: "
			     "queue_ring\nq2 -> s[weight=3]"));
	assert_false(conf_ok("owners:fq_codel/flows:wfq", ""));
	assert_false(conf_ok("owners:wfq/flows:wfg", ""));
	assert_null(pk_stage_create("pktsched", "hier_kind", "policy=owners:"
				    "wfq/flows:fq_codel,queues=64,classes=5",
				    SOCKET_ID_ANY));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_policy_strings,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_sched_hier_args", NULL, NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
