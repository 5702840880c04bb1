/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration language, read and checked (pk_conf.h), nothing built:
 * every class of error with its exact "file:line:col: found ..., expected
 * ..." line (syntax, variables, names, kinds and arguments with the
 * nearest known one, paths, keys, scheduler inputs, and the graph: pushes
 * into what cannot be pushed, pulls from what cannot be pulled, edges no
 * thread moves, threads with nothing to pull or nowhere to push, two
 * nexts, two prevs, cycles, unconnected stages, lcores used twice, runners
 * with no thread); several errors in one run and the cap on them.
 * Include, definitions, Graphviz and kinds' caps: test_conf_include.c.
 * Building and running: test_conf_build.c.
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
test_syntax(void **state)
{
	(void)state;
	refused("rx port_rx", "t.conf:1:4: found 'port_rx', expected '::' (a "
		"declaration) or '->' (a connection)");
	refused("rx :: port_rx(port=0", "t.conf:1:21: found end of file, "
		"expected ',' or ')'");
	refused("rx :: port_rx(port 0)", "t.conf:1:20: found '0', expected "
		"'=' after port");
	refused("rx :: (port=0)", "t.conf:1:7: found '(', expected a stage "
		"kind after '::'");
	refused("rx :: port_rx(port=0, port=1)", "t.conf:1:23: port given "
		"twice (first at t.conf:1:15)");
	refused("\n\n  q :: queue_ring @", "t.conf:3:19: found '@', expected "
		"end of line");
	refused("q :: queue_ring(size=\"a,b\")", "t.conf:1:22: found string "
		"\"a,b\", expected a value without , = [ or ]");
	refused("q :: queue_ring(size=\"64)", "t.conf:1:22: found a string "
		"with no closing '\"', expected a value for size");
	refused("0q :: queue_ring", "t.conf:1:1: found '0q', expected a stage "
		"or path name (a letter or _ first)");
	refused("abcdefghijabcdefghijabcdefghijab :: queue_ring", "t.conf:1:1: "
		"found 'abcdefghijabcdefghijabcdefghijab', expected a stage or "
		"path name of at most 31 characters");
	refused("a :: proc_noop -> path", "t.conf:1:19: found keyword 'path', "
		"expected a stage or path name");
	refused("q :: queue_ring\x01", "t.conf:1:16: found byte 0x01, expected "
		"end of line");
	refused("path p {\n", "t.conf:2:1: found end of file, expected '}' "
		"closing the path");
	refused("path p { path q { } }", "t.conf:1:10: found 'path', expected "
		"a stage or a chain in a path's body");
	refused("runner r0", "t.conf:1:10: found end of file, expected "
		"'(lcore=N)'");
	refused("owner a, a", "t.conf:1:10: owner a declared twice (first at "
		"t.conf:1:7)");
	refused("q :: queue_ring\nq :: queue_ring", "t.conf:2:1: q declared "
		"twice: it is a stage already (at t.conf:1:1)");
	refused("runner q (lcore=1)\nq :: queue_ring", "t.conf:2:1: q declared "
		"twice: it is a runner already (at t.conf:1:8)");
}

static void
test_variables(void **state)
{
	(void)state;
	refused("define 9x = 1", "t.conf:1:8: found '9x', expected a variable "
		"NAME");
	refused("define X = 1\ndefine X = 2", "t.conf:2:8: X defined twice "
		"(first at t.conf:1:8)");
	refused("define SIZE = 64\nq :: queue_ring(size=$SIZ)", "t.conf:2:22: "
		"found $SIZ, which is not defined (did you mean $SIZE?), "
		"expected a value for size");
	refused("q :: queue_ring(size=${SIZE)", "t.conf:1:22: found '${' "
		"without NAME}, expected a value for size");
	accepted("define S = 64\ndefine T = ${S}\nq :: queue_ring(size=$T) -> "
		 "t :: thread_entry -> q2 :: queue_ring(size=1$S)");
}

static void
test_kinds_and_args(void **state)
{
	(void)state;
	refused("q :: queue_rng", "t.conf:1:6: found kind 'queue_rng', "
		"expected a registered kind: did you mean 'queue_ring'?");
	refused("q :: queue_ring(sise=64)", "t.conf:1:17: found argument "
		"'sise' of queue_ring, expected size, mp, mc, red, pie or bytes "
		"(did you mean 'size'?)");
	refused("t :: thread_lcore(lcore=x)", "t.conf:1:25: found lcore=x, "
		"expected lcore=<an integer in 0..127>");
	refused("runner r0 (lcore=1, cpu=2)", "t.conf:1:21: found argument "
		"'cpu' of runner, expected lcore");
	refused("path p (owner=bob) { q :: queue_ring }", "t.conf:1:15: found "
		"owner=bob, expected an owner declared with: owner bob");
	refused("path p (tail=keep) { q :: queue_ring }", "t.conf:1:14: found "
		"tail=keep, expected tail=return or drop");
	refused("s :: pktsched(policy=wfqq)", "t.conf:1:22: found policy=wfqq, "
		"expected a policy (wfq wf2q drr prio rr fifo): did you mean "
		"wfq?");
	refused("port 0 (rxq=0)", "t.conf:1:13: found rxq=0, expected "
		"rxq=<an integer in 1..1024>");
	refused("x -> y", "t.conf:1:1: found x, expected a stage or path "
		"(declared as x :: KIND)");
	refused("rx :: proc_noop\nrx2 -> rx", "t.conf:2:1: found rx2, expected "
		"a stage or path (declared as rx2 :: KIND): did you mean rx?");
	refused("q1 :: queue_ring -> t :: thread_continuation(runner=r9) -> "
		"q2 :: queue_ring", "t.conf:1:53: found runner=r9, expected the "
		"name of a runner (runner r9 (lcore=N))");
}

static void
test_keys(void **state)
{
	static const char head[] =
		"q1 :: queue_ring -> t :: thread_entry -> d :: demux_flow\n";
	char text[512];
	unsigned int i;
	static const struct {
		const char *key, *msg;
	} cases[] = {
		{ "key d udp 10.0.0.1 -> q1", "t.conf:2:11: found '10.0.0.1', "
		  "expected a local address: ADDR:PORT, [IPV6]:PORT or *:PORT" },
		{ "key d udp 10.0.0.1:99999 -> q1", "t.conf:2:11: found "
		  "'10.0.0.1:99999', expected a port in 0..65535 after ':'" },
		{ "key d udp *:53 -> q1", "t.conf:2:11: found a wildcard with "
		  "no family, expected tcp4, tcp6, udp4, ... before it" },
		{ "key d udp6 10.0.0.1:53 -> q1", "t.conf:2:12: found an IPv4 "
		  "address, expected IPv6 (the protocol says so)" },
		{ "key d sctp 10.0.0.1:53 -> q1", "t.conf:2:7: found 'sctp', "
		  "expected a protocol: tcp, udp or icmp (or tcp4, udp6, ...)" },
		{ "key d udp 10.0.0.1:53", "t.conf:2:22: found end of file, "
		  "expected '-> TARGET' (or D[OUTPUT] before the protocol)" },
		{ "key d udp fd00::1:53 -> q1", "t.conf:2:11: found "
		  "'fd00::1:53', expected an IPv6 address in brackets: "
		  "[fd00::1]:53" },
		{ "key d udp 10.0.0.1:53 <- *:1 -> q1", "t.conf:2:11: found '*' "
		  "as the remote address, expected an address (a key is active "
		  "only with both ends)" },
		{ "key d udp 10.0.0.1:53 -> nothere", "t.conf:2:26: found "
		  "nothere, expected a stage or path as the key's target" },
		{ "key q1 udp 10.0.0.1:53 -> q1", "t.conf:2:5: found q1 "
		  "(queue_ring), expected a demux_flow stage" },
		{ "key d[web] udp 10.0.0.1:53", "t.conf:2:5: found d[web], "
		  "expected an output of d (d[web] -> TARGET)" },
		{ "key d udp 10.0.0.1:53 -> q2\nkey d udp 10.0.0.1:53 -> q2\n"
		  "q2 :: queue_ring -> t2 :: thread_entry -> q3 :: queue_ring",
		  "t.conf:3:1: found the key udp4 10.0.0.1:53 twice on d, "
		  "expected one (first at t.conf:2:1)" },
		{ "rx :: port_rx(port=0)\nkey d udp 10.0.0.1:53 -> rx",
		  "t.conf:3:26: found d -> rx: rx (port_rx) cannot be pushed "
		  "into, expected a stage that takes pushes (a queue, a "
		  "processing stage, a port_tx)" },
	};

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		snprintf(text, sizeof(text), "%s%s", head, cases[i].key);
		refused(text, cases[i].msg);
	}
	accepted("q1 :: queue_ring -> t :: thread_entry -> d :: demux_flow\n"
		 "d[web] -> w :: queue_ring -> t2 :: thread_entry -> "
		 "x :: queue_ring\nkey d[web] tcp [fd00::1]:80\n"
		 "key d udp 10.0.0.1:53 <- 10.0.0.9:4000 -> w\n"
		 "key d icmp6 *:7 -> w\nkey d tcp4 *:443 -> w");
}

static void
test_paths_and_brackets(void **state)
{
	(void)state;
	refused("path p { q :: queue_ring -> t :: thread_entry -> n :: "
		"proc_noop }\nx :: queue_ring -> t2 :: thread_entry -> t",
		"t.conf:2:42: found t, which is inside path p, expected p or "
		"its head q (a path is linked at its ends)");
	refused("path p { q :: queue_ring ; t :: thread_entry ; q -> t; q2 :: "
		"queue_ring }", "t.conf:1:56: found q2 apart from q in path p, "
		"expected one chain (a -> b -> c)");
	refused("path p { a :: proc_noop -> b :: proc_noop; a -> c :: "
		"proc_noop }", "t.conf:1:49: found a -> c besides a -> b in "
		"path p, expected one chain");
	refused("path p { }", "t.conf:1:6: found path p with no stage, "
		"expected { a -> b ... }");
	refused("path p { q :: queue_ring }\npath p2 { p -> x :: queue_ring }",
		"t.conf:2:11: "
		"found path p in path p2, expected a stage (paths do not "
		"nest)");
	refused("q1 :: queue_ring[x] -> t :: thread_entry -> q2 :: "
		"queue_ring", "t.conf:1:17: found '[' after q1, expected '->' "
		"or an end of line: only a demux_flow has named outputs (on "
		"the left of ->) and a pktsched weighted inputs (on the "
		"right)");
	refused("q1 :: queue_ring -> s :: pktsched(policy=drr) -> t :: "
		"thread_entry -> q2 :: queue_ring\nq3 :: queue_ring -> "
		"s[weight=2]", "t.conf:2:23: found argument 'weight' of an "
		"input of s (policy drr), expected quantum");
	refused("q1 :: queue_ring -> s :: pktsched -> t :: thread_entry -> "
		"q2 :: queue_ring\nq3 :: queue_ring -> s[weight=0]",
		"t.conf:2:30: found weight=0, expected weight=<an integer in "
		"1..65536>");
	refused("q1 :: queue_ring -> t :: thread_entry -> d :: demux_flow\n"
		"d[x=1] -> q2 :: queue_ring", "t.conf:2:2: found [KEY=VALUE] "
		"after demux d, expected [OUTPUT]");
	refused("q1 :: queue_ring -> t :: thread_entry -> d :: demux_flow\n"
		"d[a] -> q2 :: queue_ring\nd[a] -> q3 :: queue_ring",
		"t.conf:3:9: found output a of d twice, expected each output "
		"named once (first at t.conf:2:9)");
	refused("q1 :: queue_ring -> t :: thread_entry -> q2 :: queue_ring\n"
		"q1 -> t", "t.conf:2:7: found q1 -> t twice, expected it once "
		"(first at t.conf:1:21)");
	refused("path p { q1 :: queue_ring -> s :: pktsched -> t :: "
		"thread_entry -> q2 :: queue_ring }", "t.conf:1:30: found q1 "
		"-> s inside the braces of path p, expected the scheduler's "
		"inputs outside them (a path links its stages plainly; a "
		"scheduler's inputs are attached)");
	accepted("q1 :: queue_ring -> s :: pktsched[weight=2] -> t :: "
		 "thread_entry -> q2 :: queue_ring\nq3 :: queue_ring -> "
		 "s[weight=5]\nq4 :: queue_ring -> s");
}

static void
test_graph(void **state)
{
	(void)state;
	refused("rx :: port_rx(port=0) -> tx :: port_tx(port=1)", "t.conf:1:"
		"26: found rx -> tx: rx (port_rx) does not push and tx "
		"(port_tx) does not pull, expected a thread between them");
	refused("t :: thread_entry -> rx :: port_rx(port=0)", "t.conf:1:22: "
		"found t -> rx: rx (port_rx) cannot be pushed into, expected a "
		"stage that takes pushes (a queue, a processing stage, a "
		"port_tx)");
	refused("tx :: port_tx(port=1) -> t :: thread_entry -> q :: "
		"queue_ring", "t.conf:1:26: found tx -> t: tx (port_tx) cannot "
		"be pulled, expected a source (a queue, a port_rx, a "
		"pktsched)");
	refused("rx :: port_rx(port=0) -> p :: proc_noop -> tx :: "
		"port_tx(port=1)", "t.conf:1:26: found rx -> p with no thread "
		"moving packets over it, expected a thread before it (pushing) "
		"or after it (pulling)");
	refused("q1 :: queue_ring -> t1 :: thread_entry -> p :: proc_noop -> "
		"t2 :: thread_entry -> q2 :: queue_ring", "t.conf:1:61: found "
		"p -> t2 pushed by t1 and pulled by another thread, expected a "
		"queue between a thread that pushes and one that pulls");
	refused("q :: queue_ring", "t.conf:1:1: found q linked to nothing, "
		"expected it in a chain (a -> q or q -> b)");
	refused("t :: thread_entry -> q :: queue_ring", "t.conf:1:1: found "
		"thread t with nothing to pull, expected a source linked into "
		"it (q -> t)");
	refused("q :: queue_ring -> t :: thread_entry", "t.conf:1:20: found "
		"thread t pushing nowhere, expected it linked to a sink (t -> "
		"q)");
	refused("p :: proc_noop -> t1 :: thread_entry -> q1 :: queue_ring",
		"t.conf:1:1: found p pulled by t1 with nothing to pull from, "
		"expected a stage linked before it");
	refused("q1 :: queue_ring -> t :: thread_entry -> q2 :: queue_ring\n"
		"q3 :: queue_ring -> t", "t.conf:2:21: found q3 -> t besides "
		"q1 -> t (at t.conf:1:21), expected one stage for t to pull "
		"from (put a pktsched in front)");
	refused("q1 :: queue_ring -> t :: thread_entry -> q2 :: queue_ring\n"
		"t -> q3 :: queue_ring", "t.conf:2:6: found t -> q3 besides t "
		"-> q2 (at t.conf:1:42), expected one next: only a demux has "
		"several (merge in a queue_ring mp=1, copy with proc_tee)");
	refused("q1 :: queue_ring -> t1 :: thread_entry -> p :: proc_noop -> "
		"q2 :: queue_ring -> t2 :: thread_entry -> p", "t.conf:1:103: "
		"found a cycle p -> q2 -> t2 -> p, expected a graph without "
		"loops");
	refused("s :: pktsched -> t :: thread_entry -> q :: queue_ring",
		"t.conf:1:1: found pktsched s with no input, expected queues "
		"linked into it (q -> s[...])");
	refused("runner r0 (lcore=1)\nrunner r1 (lcore=1)\nq1 :: queue_ring -> "
		"t :: thread_continuation(runner=r0) -> q2 :: queue_ring\nq3 :: "
		"queue_ring -> t2 :: thread_continuation(runner=r1) -> q4 :: "
		"queue_ring", "t.conf:2:18: found lcore 1 for r1, expected an "
		"lcore of its own: r0 has it (at t.conf:1:18)");
	refused("runner r0 (lcore=1)\nq1 :: queue_ring -> t :: "
		"thread_lcore(lcore=2) -> q2 :: queue_ring", "t.conf:1:8: found "
		"runner r0 with no thread, expected thread_continuation("
		"runner=r0) stages");
}

/* Every mistake of a file in one run, up to the cap. */
static void
test_several_errors(void **state)
{
	static const char text[] = "q :: queue_rng\nt :: thread_lcore(burts=1)"
				   "\ns :: pktsched(policy=fair)\n";

	(void)state;
	assert_null(parse(text, 0, NULL, 0));
	assert_string_equal(out,
		"t.conf:1:6: found kind 'queue_rng', expected a registered "
		"kind: did you mean 'queue_ring'?\n"
		"t.conf:2:19: found argument 'burts' of thread_lcore, expected "
		"lcore, burst, budget, nonblock, shares or bytes (did you mean "
		"'burst'?)\n"
		"t.conf:3:22: found policy=fair, expected a policy (wfq wf2q "
		"drr prio rr fifo)\n");
	assert_null(parse(text, 2, NULL, 0));
	assert_non_null(strstr(out, "t.conf: stopped after 2 errors\n"));
}


int
main(void)
{
	static const char *const extra[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_kinds_and_args),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_paths_and_brackets),
		cmocka_unit_test(test_graph),
		cmocka_unit_test(test_several_errors),
	};
	int rc;

	pk_test_eal_init("test_conf", NULL, extra);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
