/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_capture's drops and losses: a stage's drops go to a drop sink
 * capture with their reasons and dropping stage on each record, still
 * counted where they happened, and are freed when the sink is cleared (a
 * TTL stage's expired packets, a demux's malformed frames); a full ring
 * loses copies, counted, while every packet passes; a sink capture frees
 * what it took; arguments refused. What passes and the files:
 * test_capture.c. Pools full, files removed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "capture_file_fixture.h"

/* A TTL stage's drops go to a drop capture, with reason and stage. */
static void
test_capture_drops_with_reasons(void **state)
{
	static struct rec r[MAXREC];
	struct pk_stage *ttl, *c, *q;
	struct pk_capture_stats cs;
	struct pk_stage_stats st;
	char args[256];
	unsigned int i;

	(void)state;
	snprintf(args, sizeof(args), "file=%s,polled=1,drops=1,edge=drops",
		 fname("d.pcapng"));
	c = capture("dcap", args);
	ttl = pk_stage_create("proc_ttl", "ttl", NULL, SOCKET_ID_ANY);
	assert_non_null(ttl);
	q = pk_test_ring("dq", 256);
	assert_int_equal(pk_stage_link(ttl, q), 0);
	assert_int_equal(pk_stage_set_drop_sink(ttl, ttl), -EINVAL);
	assert_int_equal(pk_stage_set_drop_sink(ttl, c), 0);
	push(ttl, 20, 0, 64, 64);  /* pass */
	push(ttl, 7, 20, 64, 1);   /* expire */
	pk_test_drain_free(q, 20);
	pk_stage_stats_get(ttl, &st);
	assert_int_equal(st.drops[PK_DROP_EXPIRED], 7); /* counted there */
	assert_int_equal(pk_capture_poll(c, UINT32_MAX), 7);
	pk_capture_stats_get(c, &cs);
	assert_int_equal(cs.written, 7);
	/* cleared: dropped packets are freed again (pools full at the end) */
	assert_int_equal(pk_stage_set_drop_sink(ttl, NULL), 0);
	push(ttl, 3, 27, 64, 1);
	pk_stage_stats_get(ttl, &st);
	assert_int_equal(st.drops[PK_DROP_EXPIRED], 10);
	pk_stage_destroy(c);
	assert_int_equal(read_blocks(fname("d.pcapng"), r, MAXREC), 7);
	for (i = 0; i < 7; i++)
		assert_string_equal(r[i].comment, "path=- owner=- stage=drops "
				    "drop=expired from=ttl");
	pk_stage_destroy(ttl);
	pk_stage_destroy(q);
	unlink(fname("d.pcapng"));
}

/* The demux's malformed frames, freed with only a counter before, go to
 * a drop capture: each record says "malformed" and names the demux. */
static void
test_capture_demux_malformed(void **state)
{
	struct pk_demux_conf dc = { .name = "d", .capacity = 8,
				    .socket_id = SOCKET_ID_ANY };
	static struct rec r[MAXREC];
	struct rte_mbuf *m[16];
	struct pk_stage_stats st;
	struct pk_stage *d, *c;
	char args[256];
	unsigned int i;

	(void)state;
	snprintf(args, sizeof(args), "file=%s,polled=1,drops=1,edge=drops",
		 fname("m.pcapng"));
	c = capture("mcap", args);
	d = pk_demux_flow_create(&dc);
	assert_non_null(d);
	assert_int_equal(pk_stage_set_drop_sink(d, c), 0);
	for (i = 0; i < 16; i++) {
		m[i] = pk_test_udp4(pool, 64, 64, i);
		rte_pktmbuf_trim(m[i], 64 - 30); /* the IPv4 header cut */
	}
	assert_int_equal(pk_stage_push(d, m, 16), 16);
	pk_stage_stats_get(d, &st);
	assert_int_equal(st.drops[PK_DROP_MALFORMED], 16);
	assert_int_equal(pk_capture_poll(c, UINT32_MAX), 16);
	pk_stage_destroy(d);
	pk_stage_destroy(c);
	assert_int_equal(read_blocks(fname("m.pcapng"), r, MAXREC), 16);
	for (i = 0; i < 16; i++) {
		assert_int_equal(r[i].origlen, 30);
		assert_string_equal(r[i].comment, "path=- owner=- stage=drops "
				    "drop=malformed from=d");
	}
	unlink(fname("m.pcapng"));
}

/* A ring the writer does not drain loses copies, never packets. */
static void
test_capture_lost_counted(void **state)
{
	struct pk_capture_stats cs;
	struct pk_stage_stats st;
	struct pk_stage *c, *q;
	char args[256];

	(void)state;
	snprintf(args, sizeof(args), "file=%s,polled=1,ring=64",
		 fname("l.pcapng"));
	c = capture("lcap", args);
	q = pk_test_ring("lq", 512);
	assert_int_equal(pk_stage_link(c, q), 0);
	push(c, 200, 0, 64, 64);
	pk_capture_stats_get(c, &cs);
	assert_int_equal(cs.captured, 63); /* a ring of 64 holds 63 */
	assert_int_equal(cs.lost_full, 137);
	assert_int_equal(cs.capture_lost, 137);
	pk_stage_stats_get(c, &st);
	assert_int_equal(st.out_pkts, 200);
	pk_test_drain_free(q, 200);
	pk_stage_destroy(c); /* writes the 63 */
	assert_int_equal(read_pcap(fname("l.pcapng"), (uint32_t[64]){ 0 }, 64),
			 63);
	pk_stage_destroy(q);
	unlink(fname("l.pcapng"));
}

/* Bad arguments and files are refused. */
static void
test_capture_refuses(void **state)
{
	static const char *const bad[] = {
		"", "file=", "snaplen=10,file=/tmp/x", "ring=100,file=/tmp/x",
		"mt=2,file=/tmp/x", "file=/nonexistent/dir/x.pcapng",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++)
		assert_null(pk_stage_create("proc_capture", "bad", bad[i],
					    SOCKET_ID_ANY));
	assert_int_equal(pk_capture_poll(NULL, 1), -EINVAL);
	assert_int_equal(pk_capture_edge_off("nothing", NULL), -ENOENT);
}

#define CAP_TEST(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		CAP_TEST(test_capture_drops_with_reasons),
		CAP_TEST(test_capture_demux_malformed),
		CAP_TEST(test_capture_lost_counted),
		CAP_TEST(test_capture_refuses),
	};
	int rc;

	pk_test_eal_init("test_capture_drops", NULL, NULL);
	snprintf(dir, sizeof(dir), "/tmp/pk_capture_drops_%d", (int)getpid());
	if (mkdir(dir, 0755) != 0)
		return 1;
	pool = pk_test_pool("cap_pool", 2047);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	pk_test_eal_cleanup();
	return rc;
}
