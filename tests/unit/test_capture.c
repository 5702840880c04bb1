/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_capture: every packet pushed through passes on unchanged and is
 * written to a pcapng file that libpcap reads back (same bytes, same
 * order, original lengths past the snap length) and whose records carry
 * "path=.. owner=.. stage=.." (parsed from the blocks: libpcap does not
 * give comments), in a path its name and owner's; the writer thread writes without being polled; files
 * rotate by size (numbered, each whole and under the limit, together
 * holding every record) and by age; a stage's drops go to a drop sink
 * capture with their reasons and dropping stage on each record, still
 * counted where they happened, and are freed when the sink is cleared (a
 * TTL stage's expired packets, a demux's malformed frames); a
 * full ring loses copies, counted, while every packet passes; a sink
 * capture frees what it took; arguments refused. Pools full, files removed.
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

#define MAXREC 512

static struct rte_mempool *pool;
static char dir[64];

/* What a file holds: each record's bytes, lengths and comment. */
struct rec {
	uint32_t caplen, origlen;
	uint8_t data[256];
	char comment[256];
};

static char *
fname(const char *name)
{
	static char buf[4][128];
	static unsigned int i;
	char *b = buf[i++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", dir, name);
	return b;
}

/* Parse a pcapng file's blocks. @return EPB records read into r. */
static unsigned int
read_blocks(const char *file, struct rec *r, unsigned int max)
{
	FILE *f = fopen(file, "rb");
	uint8_t *d;
	long size;
	uint32_t off = 0, type, len, ol, oc, n = 0, o;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc(size);
	assert_int_equal(fread(d, 1, size, f), (size_t)size);
	fclose(f);
	memcpy(&type, d, 4);
	assert_int_equal(type, 0x0a0d0d0a); /* a section header first */
	while (off + 12 <= size) {
		memcpy(&type, d + off, 4);
		memcpy(&len, d + off + 4, 4);
		assert_true(len >= 12 && len % 4 == 0 && off + len <= size);
		assert_memory_equal(d + off + len - 4, &len, 4); /* trailer */
		if (type == 6 && n < max) {
			memcpy(&r[n].caplen, d + off + 20, 4);
			memcpy(&r[n].origlen, d + off + 24, 4);
			memcpy(r[n].data, d + off + 28,
			       RTE_MIN(r[n].caplen, sizeof(r[n].data)));
			r[n].comment[0] = '\0';
			o = off + 28 + RTE_ALIGN(r[n].caplen, 4);
			while (o + 4 <= off + len - 4) {
				oc = *(uint16_t *)(d + o);
				ol = *(uint16_t *)(d + o + 2);
				if (oc == 0)
					break;
				if (oc == 1)
					snprintf(r[n].comment,
						 sizeof(r[n].comment), "%.*s",
						 (int)ol, d + o + 4);
				o += 4 + RTE_ALIGN(ol, 4);
			}
			n++;
		}
		off += len;
	}
	assert_int_equal(off, size);
	free(d);
	return n;
}

/* Read a file with libpcap. @return packets; their seqs into seq. */
static unsigned int
read_pcap(const char *file, uint32_t *seq, unsigned int max)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned int n = 0;
	pcap_t *p = pcap_open_offline(file, err);
	uint32_t s;

	if (p == NULL)
		fail_msg("libpcap: %s", err);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while (pcap_next_ex(p, &h, &data) == 1) {
		assert_true(h->caplen >= 46);
		memcpy(&s, data + 42, 4);
		if (n < max)
			seq[n] = rte_be_to_cpu_32(s);
		n++;
	}
	pcap_close(p);
	return n;
}

static struct pk_stage *
capture(const char *name, const char *args)
{
	struct pk_stage *c = pk_stage_create("proc_capture", name, args,
					     SOCKET_ID_ANY);

	if (c == NULL)
		fail_msg("%s(%s): %s", name, args, rte_strerror(rte_errno));
	return c;
}

/* Push n frames (seq first..) of len bytes into s; assert all taken. */
static void
push(struct pk_stage *s, unsigned int n, uint32_t first, uint16_t len,
     uint8_t ttl)
{
	struct rte_mbuf *m[32];
	unsigned int i, k, done = 0;

	while (done < n) {
		k = RTE_MIN(n - done, 32u);
		for (i = 0; i < k; i++)
			m[i] = pk_test_udp4(pool, len, ttl, first + done + i);
		assert_int_equal(pk_stage_push(s, m, k), k);
		done += k;
	}
}

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
		CAP_TEST(test_capture_passes_and_writes),
		CAP_TEST(test_capture_writer_thread),
		CAP_TEST(test_capture_in_a_path),
		CAP_TEST(test_capture_rotates_by_size),
		CAP_TEST(test_capture_rotates_by_time),
		CAP_TEST(test_capture_drops_with_reasons),
		CAP_TEST(test_capture_demux_malformed),
		CAP_TEST(test_capture_lost_counted),
		CAP_TEST(test_capture_refuses),
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
