/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The language's drops statements (lib/conf_drops.c):
 *  - a demux's malformed packets go to a capture named by "drops d ->
 *    cap": the file holds exactly them, each record commented with
 *    "drop=malformed from=d"; the good ones reach their key's queue; the
 *    demux still counts its drops;
 *  - what the check refuses, each with its place and reason: an unknown
 *    stage, a sink that cannot be pushed, drops into the dropping stage,
 *    one stage's drops sent twice, a loop back over edges and drops, a
 *    sink in the middle of a path;
 *  - a stage that is only a drop sink is not "linked to nothing";
 *  - reload: the new text's sinks are set; a sink set from C on a
 *    configuration's stage follows its name; a stage outside the
 *    configuration whose sink is one of the old generation's stages gets
 *    the new one of that name, and a reload whose text has none is
 *    refused, saying why, the running one kept;
 *  - path swap: drops from outside the path into it, or between stages
 *    outside it that the running graph does not have, are refused; from
 *    the new path's stage to one outside, set.
 * Pools full at the end; files removed.
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

#include <rte_ip.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static struct rte_mempool *pool;
static char err[4096];
static FILE *errf;

static void
err_reset(void)
{
	if (errf != NULL)
		fclose(errf);
	memset(err, 0, sizeof(err));
	errf = fmemopen(err, sizeof(err) - 1, "w");
	assert_non_null(errf);
	setvbuf(errf, NULL, _IONBF, 0);
}

static struct pk_conf_params
params(void)
{
	struct pk_conf_params par = { .mp = pool, .socket_id = SOCKET_ID_ANY };

	err_reset();
	par.err = errf;
	return par;
}

/* --check of text: the error lines, or "" if it checks. */
static const char *
check(const char *text)
{
	struct pk_conf_params par = params();
	struct pk_conf *c = pk_conf_parse_string(text, "t.conf", &par);

	pk_conf_destroy(c);
	return err;
}

static const char base[] =
	"q0 :: queue_ring -> te :: thread_entry -> d :: demux_flow\n"
	"q :: queue_ring\n"
	"key d udp 10.0.0.2:9 -> q\n";

static void
test_check_refusals(void **state)
{
	char t[1024];

	(void)state;
	snprintf(t, sizeof(t), "%sdrops d -> cap :: proc_capture(file=/x, "
		 "drops=1)\n", base);
	assert_string_equal(check(t), ""); /* cap: only a sink, not alone */
	snprintf(t, sizeof(t), "%sdrops dd -> q\n", base);
	assert_non_null(strstr(check(t), "t.conf:4:7: found dd, expected a "
			       "stage or path"));
	snprintf(t, sizeof(t), "%sdrops d -> nosuch\n", base);
	assert_non_null(strstr(check(t), "t.conf:4:12: found nosuch"));
	snprintf(t, sizeof(t), "%srx :: port_rx(port=0) -> t :: thread_lcore("
		 "lcore=1) -> q0\ndrops d -> rx\n", base);
	assert_non_null(strstr(check(t), "found rx (port_rx), which cannot "
			       "be pushed"));
	snprintf(t, sizeof(t), "%sdrops q -> q\n", base);
	assert_non_null(strstr(check(t), "found the drops of q sent into q"));
	snprintf(t, sizeof(t), "%sdrops d -> q\ndrops d -> q0\n", base);
	assert_non_null(strstr(check(t), "t.conf:5:7: found the drops of d "
			       "sent twice, expected one sink (the first at "
			       "t.conf:4:7)"));
	/* q -> ... nothing; d -> q by its key: q's drops into q0 loop */
	snprintf(t, sizeof(t), "%sdrops q -> q0\n", base);
	assert_non_null(strstr(check(t), "found a cycle: what q drops comes "
			       "back to it through q0"));
	snprintf(t, sizeof(t), "%sdrops te, q -> x :: queue_ring\n", base);
	assert_string_equal(check(t), "");
	snprintf(t, sizeof(t), "path p { a :: proc_noop -> b :: proc_noop }\n"
		 "q0 :: queue_ring -> te :: thread_entry -> p -> q :: "
		 "queue_ring\ndrops te -> b\n");
	assert_non_null(strstr(check(t), "found b in the middle of path p"));
	snprintf(t, sizeof(t), "%sdrops d ->\n", base);
	assert_non_null(strstr(check(t), "expected the stage the drops go "
			       "to"));
	/* a keyword names nothing */
	assert_non_null(strstr(check("drops :: proc_noop\n"),
			       "expected a stage or path whose drops go"));
}

/* Frames to d: even i good (udp 10.0.0.2:9), odd i malformed (IHL 1). */
static void
push_frames(struct pk_conf *c, unsigned int n)
{
	struct rte_mbuf *m[32];
	struct rte_ipv4_hdr *ip;
	unsigned int i;

	assert_true(n <= RTE_DIM(m));
	for (i = 0; i < n; i++) {
		m[i] = pk_test_udp4(pool, 64, 64, i);
		ip = rte_pktmbuf_mtod_offset(m[i], struct rte_ipv4_hdr *, 14);
		if (i % 2)
			ip->version_ihl = 0x41;
	}
	assert_int_equal(pk_stage_push(pk_conf_stage(c, "q0"), m, n), n);
	assert_int_equal(pk_thread_entry_run(pk_conf_thread(c, "te")),
			 (int)n);
}

/* The comments of a file's records, one a line, into out. */
static unsigned int
file_comments(const char *file, char *out, size_t size)
{
	FILE *f = fopen(file, "rb");
	uint32_t hdr[2], caplen, o;
	uint16_t code, olen;
	unsigned int n = 0;
	size_t len = 0;
	uint8_t *b;

	assert_non_null(f);
	out[0] = '\0';
	while (fread(hdr, 4, 2, f) == 2) {
		b = malloc(hdr[1] - 8);
		assert_int_equal(fread(b, 1, hdr[1] - 8, f), hdr[1] - 8);
		if (hdr[0] == 6) {
			n++;
			memcpy(&caplen, b + 12, 4);
			for (o = 20 + RTE_ALIGN(caplen, 4); o + 4 <= hdr[1] - 12;
			     o += 4 + RTE_ALIGN(olen, 4)) {
				memcpy(&code, b + o, 2);
				memcpy(&olen, b + o + 2, 2);
				if (code == 0)
					break;
				if (code == 1 && len + olen + 2 < size)
					len += snprintf(out + len, size - len,
							"%.*s\n", (int)olen,
							(char *)b + o + 4);
			}
		}
		free(b);
	}
	fclose(f);
	return n;
}

static void
test_demux_malformed_to_capture(void **state)
{
	struct pk_conf_params par = params();
	struct pk_stage_stats st;
	char t[1024], file[64], notes[4096];
	struct pk_conf *c;
	const char *p;
	unsigned int n, k = 0;

	(void)state;
	snprintf(file, sizeof(file), "/tmp/pk_confdrops_%d.pcapng",
		 (int)getpid());
	snprintf(t, sizeof(t), "%sdrops d -> cap :: proc_capture(file=%s, "
		 "drops=1, polled=1)\n", base, file);
	c = pk_conf_load_string(t, "t.conf", &par);
	assert_non_null(c);
	assert_int_equal(pk_conf_start(c), 0);
	push_frames(c, 20);
	assert_int_equal(pk_stage_len(pk_conf_stage(c, "q")), 10);
	assert_int_equal(pk_stage_stats_get(pk_conf_stage(c, "d"), &st), 0);
	assert_int_equal(st.drops[PK_DROP_MALFORMED], 10);
	assert_int_equal(pk_capture_close(pk_conf_stage(c, "cap")), 0);
	n = file_comments(file, notes, sizeof(notes));
	assert_int_equal(n, 10);
	for (p = notes; (p = strstr(p, "drop=malformed from=d\n")) != NULL;
	     p++)
		k++;
	assert_int_equal(k, 10);
	assert_non_null(strstr(notes, "stage=cap drop=malformed from=d\n"));
	pk_test_drain_free(pk_conf_stage(c, "q"), 10);
	pk_conf_destroy(c);
	unlink(file);
}

static void
test_reload_moves_sinks(void **state)
{
	struct pk_conf_params par = params();
	struct pk_stage *ext, *sink, *old_q, *old_d;
	char a[1024], b[1024], gone[1024], file[64];
	struct pk_conf *c;

	(void)state;
	snprintf(file, sizeof(file), "/tmp/pk_confdrops_r%d.pcapng",
		 (int)getpid());
	snprintf(a, sizeof(a), "%sdrops d -> cap :: proc_capture(file=%s, "
		 "drops=1)\n", base, file);
	snprintf(b, sizeof(b), "%sdrops d -> cap :: proc_capture(file=%s, "
		 "drops=1, snaplen=128)\n", base, file);
	snprintf(gone, sizeof(gone),
		 "q0 :: queue_ring -> te :: thread_entry -> d :: demux_flow\n"
		 "q9 :: queue_ring\nkey d udp 10.0.0.2:9 -> q9\n");
	c = pk_conf_load_string(a, "a.conf", &par);
	assert_non_null(c);
	assert_ptr_equal(pk_conf_stage(c, "d")->in.drop_sink,
			 pk_conf_stage(c, "cap"));
	/* set from C: a stage of its own into q, q0 of the conf into sink */
	ext = pk_stage_create("proc_noop", "ext", NULL, SOCKET_ID_ANY);
	sink = pk_test_ring("sink", 64);
	assert_int_equal(pk_stage_set_drop_sink(ext, pk_conf_stage(c, "q")),
			 0);
	assert_int_equal(pk_stage_set_drop_sink(pk_conf_stage(c, "q0"), sink),
			 0);
	assert_int_equal(pk_conf_start(c), 0);
	old_q = pk_conf_stage(c, "q");
	old_d = pk_conf_stage(c, "d");
	assert_int_equal(pk_conf_reload_string(c, b, "b.conf", errf, NULL), 0);
	assert_ptr_not_equal(pk_conf_stage(c, "d"), old_d);
	assert_ptr_equal(pk_conf_stage(c, "d")->in.drop_sink,
			 pk_conf_stage(c, "cap"));
	assert_ptr_not_equal(pk_conf_stage(c, "q"), old_q);
	assert_ptr_equal(ext->in.drop_sink, pk_conf_stage(c, "q"));
	assert_ptr_equal(pk_conf_stage(c, "q0")->in.drop_sink, sink);
	/* a text without q: refused, ext's sink and the graph kept */
	old_q = pk_conf_stage(c, "q");
	err_reset();
	assert_int_equal(pk_conf_reload_string(c, gone, "g.conf", errf, NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "found the drops of ext going to q, "
			       "which the new configuration does not have"));
	assert_ptr_equal(pk_conf_stage(c, "q"), old_q);
	assert_ptr_equal(ext->in.drop_sink, old_q);
	/* the new generation runs: the good frame to q, the bad to cap */
	push_frames(c, 2);
	pk_test_drain_free(pk_conf_stage(c, "q"), 1);
	pk_conf_destroy(c);
	pk_stage_destroy(ext);
	pk_stage_destroy(sink);
	unlink(file);
}

static void
test_swap_refuses_drops_into_path(void **state)
{
	struct pk_conf_params par = params();
	static const char a[] =
		"q0 :: queue_ring -> te :: thread_entry -> p\n"
		"path p { n :: proc_noop -> q :: queue_ring }\n"
		"drops q0 -> spare :: queue_ring\n";
	static const char b[] =
		"q0 :: queue_ring -> te :: thread_entry -> p\n"
		"path p { n :: proc_noop -> q :: queue_ring }\n"
		"drops q0 -> spare :: queue_ring\n"
		"drops te -> p\n";
	static const char b_out[] =
		"q0 :: queue_ring -> te :: thread_entry -> p\n"
		"path p { n :: proc_noop -> q :: queue_ring }\n"
		"drops q0 -> spare :: queue_ring\n"
		"drops te -> spare\n";
	static const char b_ok[] =
		"q0 :: queue_ring -> te :: thread_entry -> p\n"
		"path p { n :: proc_noop -> q :: queue_ring }\n"
		"drops q0 -> spare :: queue_ring\n"
		"drops n -> spare\n";
	static const char b_in[] =
		"q0 :: queue_ring -> te :: thread_entry -> p\n"
		"path p { n :: proc_noop -> q :: queue_ring }\n"
		"drops q0 -> spare :: queue_ring\n"
		"drops n -> x :: queue_ring\n";
	struct pk_conf *c;

	(void)state;
	c = pk_conf_load_string(a, "a.conf", &par);
	assert_non_null(c);
	err_reset();
	assert_int_equal(pk_conf_swap_path_string(c, "p", b, "b.conf", errf,
						  NULL), -EINVAL);
	assert_non_null(strstr(err, "found the drops of te (outside the path "
			       "swapped) sent into p"));
	/* drops outside the path that do not run: refused */
	err_reset();
	assert_int_equal(pk_conf_swap_path_string(c, "p", b_out, "d.conf",
						  errf, NULL), -EINVAL);
	assert_non_null(strstr(err, "found drops of te outside the path "
			       "swapped that the running configuration does "
			       "not send to spare"));
	/* a new sink outside the path is a new stage: the swap says so */
	err_reset();
	assert_int_not_equal(pk_conf_swap_path_string(c, "p", b_in, "c.conf",
						      errf, NULL), 0);
	assert_null(pk_conf_stage(c, "x"));
	/* drops of the new path's stage into a stage outside: set */
	err_reset();
	assert_int_equal(pk_conf_swap_path_string(c, "p", b_ok, "e.conf",
						  errf, NULL), 0);
	assert_ptr_equal(pk_conf_stage(c, "n")->in.drop_sink,
			 pk_conf_stage(c, "spare"));
	assert_ptr_equal(pk_conf_stage(c, "q0")->in.drop_sink,
			 pk_conf_stage(c, "spare"));
	pk_conf_destroy(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_refusals),
		cmocka_unit_test_teardown(test_demux_malformed_to_capture,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_reload_moves_sinks,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_swap_refuses_drops_into_path,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_conf_drops", NULL, NULL);
	pool = pk_test_pool("test_conf_drops", 512);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (errf != NULL)
		fclose(errf);
	pk_test_eal_cleanup();
	return rc;
}
