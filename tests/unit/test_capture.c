/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_capture: every packet pushed through passes on unchanged and is
 * written to a pcapng file that libpcap reads back (same bytes, same
 * order, original lengths past the snap length) and whose records carry
 * "path=.. owner=.. stage=.." (parsed from the blocks: libpcap does not
 * give comments), in a path its name and owner's; the writer thread writes
 * without being polled; files rotate by size (numbered, each whole and
 * under the limit, together holding every record) and by age. Drops, lost
 * copies and refusals: test_capture_drops.c. Pools full, files removed.
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

/* Through a capture to a queue: the file holds every packet, in order. */
static void
test_capture_passes_and_writes(void **state)
{
	static uint32_t seq[MAXREC];
	static struct rec r[MAXREC];
	char args[256];
	struct pk_capture_stats cs;
	struct pk_stage_stats st;
	struct pk_stage *c, *q;
	unsigned int i;

	(void)state;
	snprintf(args, sizeof(args), "file=%s,polled=1,path=web,owner=alice,"
		 "snaplen=100", fname("a.pcapng"));
	c = capture("cap", args);
	q = pk_test_ring("q", 512);
	assert_int_equal(pk_stage_link(c, q), 0);
	push(c, 300, 0, 64, 64);
	push(c, 10, 300, 1000, 64); /* longer than the snap length */
	assert_int_equal(pk_capture_poll(c, UINT32_MAX), 310);
	assert_int_equal(pk_capture_stats_get(c, &cs), 0);
	assert_int_equal(cs.captured, 310);
	assert_int_equal(cs.written, 310);
	assert_int_equal(cs.capture_lost, 0);
	assert_int_equal(cs.files, 1);
	pk_stage_stats_get(c, &st);
	assert_int_equal(st.in_pkts, 310);
	assert_int_equal(st.out_pkts, 310);
	pk_test_drain_free(q, 310);
	assert_int_equal(pk_capture_close(c), 0);
	assert_int_equal(pk_capture_close(c), -ENOENT);
	assert_int_equal(read_pcap(fname("a.pcapng"), seq, MAXREC), 310);
	for (i = 0; i < 310; i++)
		assert_int_equal(seq[i], i);
	assert_int_equal(read_blocks(fname("a.pcapng"), r, MAXREC), 310);
	assert_int_equal(r[0].caplen, 64);
	assert_int_equal(r[300].caplen, 100);
	assert_int_equal(r[300].origlen, 1000);
	for (i = 0; i < 310; i++)
		assert_string_equal(r[i].comment,
				    "path=web owner=alice stage=cap");
	pk_stage_destroy(c);
	pk_stage_destroy(q);
	unlink(fname("a.pcapng"));
}

/* The writer thread writes with nobody polling; a path names records. */
static void
test_capture_writer_thread(void **state)
{
	static struct rec r[MAXREC];
	char args[256];
	struct pk_capture_stats cs;
	uint64_t deadline;
	struct pk_stage *c;

	(void)state;
	snprintf(args, sizeof(args), "file=%s,edge=here", fname("t.pcapng"));
	c = capture("tcap", args); /* no next: a sink */
	push(c, 100, 0, 64, 64);
	deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	do {
		rte_delay_ms(1);
		pk_capture_stats_get(c, &cs);
	} while (cs.written < 100 && rte_get_timer_cycles() < deadline);
	assert_int_equal(cs.written, 100);
	assert_int_equal(pk_capture_poll(c, 10), -EINVAL); /* not polled */
	pk_stage_destroy(c); /* frees the sink's packets? none: freed at once */
	assert_int_equal(read_blocks(fname("t.pcapng"), r, MAXREC), 100);
	assert_string_equal(r[99].comment, "path=- owner=- stage=here");
	unlink(fname("t.pcapng"));
}

/* In a path, records name the path and its owner, found when written. */
static void
test_capture_in_a_path(void **state)
{
	static struct rec r[8];
	int owner = pk_owner_get("carol");
	struct pk_path_conf pc = { .name = "web", .socket_id = SOCKET_ID_ANY };
	struct pk_capture_stats cs;
	struct pk_stage *st[2];
	uint64_t deadline;
	struct pk_path *p;
	char args[256];

	(void)state;
	assert_true(owner >= 0);
	pc.owner = (uint32_t)owner;
	snprintf(args, sizeof(args), "file=%s", fname("p.pcapng"));
	st[0] = capture("pcap", args); /* its writer thread runs already */
	st[1] = pk_test_ring("pq", 64);
	rte_delay_ms(5);
	p = pk_path_create(&pc, st, 2);
	assert_non_null(p);
	push(pk_path_stage(p), 3, 0, 64, 64);
	pk_test_drain_free(st[1], 3);
	deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	do { /* a path destroyed first would leave them nameless */
		rte_delay_ms(1);
		pk_capture_stats_get(st[0], &cs);
	} while (cs.written < 3 && rte_get_timer_cycles() < deadline);
	pk_path_destroy(p);
	assert_int_equal(read_blocks(fname("p.pcapng"), r, 8), 3);
	assert_string_equal(r[2].comment, "path=web owner=carol stage=pcap");
	unlink(fname("p.pcapng"));
}

/* max_bytes: numbered files, each under the limit, holding every record. */
static void
test_capture_rotates_by_size(void **state)
{
	static uint32_t seq[MAXREC];
	unsigned int f, n, total = 0;
	struct pk_capture_stats cs;
	char args[256], name[32];
	struct pk_stage *c;
	long size;
	FILE *fp;

	(void)state;
	snprintf(args, sizeof(args), "file=%s,polled=1,max_bytes=4000",
		 fname("r.pcapng"));
	c = capture("rcap", args);
	push(c, 200, 0, 64, 64);
	assert_int_equal(pk_capture_poll(c, UINT32_MAX), 200);
	pk_capture_stats_get(c, &cs);
	assert_true(cs.files >= 5);
	pk_stage_destroy(c);
	for (f = 0; f < cs.files; f++) {
		snprintf(name, sizeof(name), "r_%05u.pcapng", f);
		fp = fopen(fname(name), "rb");
		assert_non_null(fp);
		fseek(fp, 0, SEEK_END);
		size = ftell(fp);
		fclose(fp);
		assert_true(size <= 4000);
		n = read_pcap(fname(name), seq, MAXREC);
		assert_true(n > 0);
		assert_int_equal(seq[0], total); /* in order across files */
		total += n;
		unlink(fname(name));
	}
	assert_int_equal(total, 200);
	assert_int_equal(access(fname("r.pcapng"), F_OK), -1);
}

/* max_seconds: a record after the file's age starts the next file. */
static void
test_capture_rotates_by_time(void **state)
{
	static uint32_t seq[8];
	struct pk_capture_stats cs;
	struct pk_stage *c;
	char args[256];

	(void)state;
	snprintf(args, sizeof(args), "file=%s,polled=1,max_seconds=1",
		 fname("s.pcap"));
	c = capture("scap", args);
	push(c, 2, 0, 64, 64);
	assert_int_equal(pk_capture_poll(c, 100), 2);
	rte_delay_ms(1100);
	push(c, 3, 2, 64, 64);
	assert_int_equal(pk_capture_poll(c, 100), 3);
	pk_capture_stats_get(c, &cs);
	assert_int_equal(cs.files, 2);
	pk_stage_destroy(c);
	assert_int_equal(read_pcap(fname("s_00000.pcap"), seq, 8), 2);
	assert_int_equal(read_pcap(fname("s_00001.pcap"), seq, 8), 3);
	assert_int_equal(seq[0], 2);
	unlink(fname("s_00000.pcap"));
	unlink(fname("s_00001.pcap"));
}

#define CAP_TEST(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		CAP_TEST(test_capture_passes_and_writes),
		CAP_TEST(test_capture_writer_thread),
		CAP_TEST(test_capture_in_a_path),
		CAP_TEST(test_capture_rotates_by_size),
		CAP_TEST(test_capture_rotates_by_time),
	};
	int rc;

	pk_test_eal_init("test_capture", NULL, NULL);
	snprintf(dir, sizeof(dir), "/tmp/pk_capture_%d", (int)getpid());
	if (mkdir(dir, 0755) != 0)
		return 1;
	pool = pk_test_pool("cap_pool", 2047);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	pk_test_eal_cleanup();
	return rc;
}
