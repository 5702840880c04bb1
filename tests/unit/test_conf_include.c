/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration language, read and checked (pk_conf.h), nothing built:
 * include, its loop, its refusal; definitions from the parameters over the
 * file's; the Graphviz output; and that every kind declares the caps its
 * stages have. The errors: test_conf.c. Building and running:
 * test_conf_build.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_stage_driver.h>

#include "pk_test.h"
#include "conf_fixture.h"

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_include_and_defines(void **state)
{
	static const char *const defs[] = { "SIZE=128", NULL };
	static const char *const bad_defs[] = { "9=1", NULL };
	struct pk_conf_params p = { .socket_id = SOCKET_ID_ANY };
	char dir[] = "/tmp/pk_test_conf.XXXXXX", a[64], b[64], main[64];
	struct pk_conf *c;
	char text[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/common.conf", dir);
	snprintf(b, sizeof(b), "%s/loop.conf", dir);
	snprintf(main, sizeof(main), "%s/main.conf", dir);
	write_file(a, "define SIZE = 64\nq :: queue_ring(size=$SIZE)\n");
	write_file(b, "include \"loop.conf\"\n");
	write_file(main, "include \"common.conf\"\nq -> t :: thread_entry -> "
		   "q2 :: queue_ring\n");
	c = pk_conf_parse_file(main, &p);
	assert_non_null(c);
	pk_conf_destroy(c);
	/* a parameter's definition wins: the graph shows which */
	snprintf(text, sizeof(text), "include \"%s\"\nq -> t :: thread_entry "
		 "-> q2 :: queue_ring\n", a);
	c = parse(text, 0, defs, 0);
	assert_non_null(c);
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		assert_int_equal(pk_conf_dot(c, f), 0);
		fclose(f);
		assert_non_null(strstr(buf, "size=128"));
		free(buf);
	}
	pk_conf_destroy(c);
	/* errors in an included file name it */
	write_file(a, "q :: queue_ring(size=$SIZE)\nq3 :: queue_rng\n");
	assert_null(parse(text, 1, defs, 0));
	snprintf(text, sizeof(text), "%s:2:7: found kind 'queue_rng', "
		 "expected a registered kind: did you mean 'queue_ring'?\n"
		 "t.conf: stopped after 1 error\n", a);
	assert_string_equal(out, text);
	snprintf(text, sizeof(text), "include \"%s\"\n", b);
	assert_null(parse(text, 1, NULL, 0));
	assert_non_null(strstr(out, "loop.conf:1:9: found an include 8 deep, "
			       "expected fewer (does a file include itself?)"));
	assert_null(parse(text, 1, NULL, PK_CONF_F_NO_INCLUDE));
	assert_string_equal(out, "t.conf:1:9: found include, expected none: "
			    "this configuration may not read files\n"
			    "t.conf: stopped after 1 error\n");
	refused("include \"/nonexistent/x.conf\"", "t.conf:1:9: cannot read "
		"'/nonexistent/x.conf': No such file or directory");
	rte_errno = 0;
	assert_null(pk_conf_parse_file("/nonexistent/x.conf", &p));
	assert_int_equal(rte_errno, ENOENT);
	assert_null(parse("q :: queue_ring", 0, bad_defs, 0));
	assert_string_equal(out, "<conf>: found definition '9=1', expected "
			    "NAME=VALUE\n");
	unlink(a);
	unlink(b);
	unlink(main);
	rmdir(dir);
}

static void
test_dot(void **state)
{
	struct pk_conf *c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	c = parse("owner alice\nrunner r0 (lcore=1)\n"
		  "rx :: port_rx(port=0) -> in :: thread_entry -> d :: "
		  "demux_flow\npath p1 (owner=alice) { q1 :: queue_ring -> "
		  "t1 :: thread_continuation(runner=r0) -> n :: proc_noop -> "
		  "qo :: queue_ring }\n"
		  "key d udp 10.0.0.2:9 -> p1\np1 -> s :: pktsched[weight=3] -> "
		  "out :: thread_entry -> tx :: port_tx(port=1)\n"
		  "path p2 { q2 :: queue_ring }\nq2 -> s[weight=1]\n"
		  "d -> q3 :: queue_ring\nq3 -> t3 :: thread_entry -> q2",
		  0, NULL, 0);
	if (c == NULL)
		fail_msg("%s", out);
	f = open_memstream(&buf, &len);
	assert_int_equal(pk_conf_dot(c, f), 0);
	fclose(f);
	printf("%s", buf);
	assert_non_null(strstr(buf, "digraph \"t.conf\" {\n"));
	assert_non_null(strstr(buf, "\tsubgraph \"cluster_p1\" {\n\t\tlabel="
			       "\"path p1\\nowner alice\";"));
	assert_non_null(strstr(buf, "\t\t\"t1\" [shape=ellipse, label=\"t1\\n"
			       "thread_continuation\\non r0 (lcore 1)\"];"));
	assert_non_null(strstr(buf, "\t\"rx\" -> \"in\" [style=dashed];"));
	assert_non_null(strstr(buf, "\t\"in\" -> \"d\";"));
	assert_non_null(strstr(buf, "\t\"d\" -> \"q1\" [label=\"udp4 "
			       "10.0.0.2:9\"];"));
	assert_non_null(strstr(buf, "\t\"d\" -> \"q3\" [label=\"[q3]: no "
			       "key\"];"));
	assert_non_null(strstr(buf, "\t\"qo\" -> \"s\" [style=dashed, label="
			       "\"weight=3\"];"));
	assert_non_null(strstr(buf, "\t\"q2\" -> \"s\" [style=dashed, label="
			       "\"weight=1\"];"));
	free(buf);
	assert_null(pk_conf_stage(c, "rx")); /* not built */
	assert_int_equal(pk_conf_stats_print(c, stdout), -EINVAL);
	pk_conf_destroy(c);
}

struct kinds {
	const struct pk_stage_kind *k[64];
	unsigned int n;
};

static int
collect_kind(const struct pk_stage_kind *k, void *arg)
{
	struct kinds *ks = arg;

	assert_true(ks->n < RTE_DIM(ks->k));
	ks->k[ks->n++] = k;
	return 0;
}

/* A kind's declared caps are its stages' (directions; MT bits vary). */
static void
test_kind_caps(void **state)
{
	const uint32_t dir = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL |
			     PK_STAGE_CAP_FWD_PUSH | PK_STAGE_CAP_FWD_PULL;
	struct kinds ks = { .n = 0 };
	unsigned int i, checked = 0;
	struct pk_stage *s;

	(void)state;
	/* the walk holds the registry's lock: create after it */
	pk_stage_kind_foreach(collect_kind, &ks);
	for (i = 0; i < ks.n; i++) {
		assert_int_not_equal(ks.k[i]->caps, 0);
		s = pk_stage_create(ks.k[i]->name, "capcheck", "",
				    SOCKET_ID_ANY);
		if (s == NULL)
			continue; /* needs a port, a runner, an lcore */
		if ((s->caps & dir) != ks.k[i]->caps)
			fail_msg("%s: declares caps 0x%x, its stages have 0x%x",
				 ks.k[i]->name, ks.k[i]->caps, s->caps & dir);
		pk_stage_destroy(s);
		checked++;
	}
	assert_true(checked >= 12);
	assert_int_equal(pk_conf_kinds_print(NULL), -EINVAL);
	assert_int_equal(pk_conf_kinds_print(stdout), 0);
}

int
main(void)
{
	static const char *const extra[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_include_and_defines),
		cmocka_unit_test(test_dot),
		cmocka_unit_test_teardown(test_kind_caps,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_conf_include", NULL, extra);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
