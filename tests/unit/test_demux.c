/* SPDX-License-Identifier: BSD-3-Clause */
/* demux_flow: key API and errors, lookup order, grouping and order of what
 * comes back, a queue per flow (lone packets pushed inline) and its
 * counters, miss stage, hit counters, remove_target. ICMP errors,
 * fragments and malformed frames: test_demux_frag.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "demux_frames.h"
#include "demux_fixture.h"

static void
test_create_and_bad_arguments(void **state)
{
	struct pk_demux_conf conf = { .name = "d2", .capacity = 0 };
	struct fixture *f = *state;
	struct pk_stage *s;

	rte_errno = 0;
	assert_null(pk_demux_flow_create(&conf));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pk_demux_flow_create(NULL));
	conf.capacity = 4;
	conf.flags = 0x80;
	assert_null(pk_demux_flow_create(&conf));
	conf.flags = PK_DEMUX_F_MT; /* a single-producer miss queue */
	conf.miss = f->miss;
	assert_null(pk_demux_flow_create(&conf));
	assert_int_equal(rte_errno, EINVAL);

	s = pk_stage_create("demux_flow", "byname", "capacity=100,mt=1",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	assert_string_equal(pk_stage_kind_name(s), "demux_flow");
	assert_true(s->caps & PK_STAGE_CAP_MT_PUSH);
	assert_non_null(pk_demux_flow_qsbr(s));
	/* concurrent pushers need targets that take them */
	{
		struct pk_flow_key k = key4(IPPROTO_UDP, LOCAL, 1, 0, 0);

		assert_int_equal(pk_demux_flow_add(s, &k, f->q[0]), -EINVAL);
	}
	pk_stage_destroy(s);
	assert_null(pk_stage_create("demux_flow", "x", "capacity=0",
				    SOCKET_ID_ANY));
	assert_null(pk_stage_create("demux_flow", "x", "mt=2", SOCKET_ID_ANY));
	assert_int_equal(pk_demux_flow_count(f->q[0]), 0); /* not a demux */
	assert_null(pk_demux_flow_qsbr(f->q[0]));
}

static void
test_add_delete_resolve_errors(void **state)
{
	struct fixture *f = *state;
	struct pk_flow_key k = key4(IPPROTO_UDP, LOCAL, 53, PEER, 5000), bad;
	uint64_t hits;
	unsigned int i;

	assert_int_equal(pk_demux_flow_add(f->d, &k, f->q[0]), 0);
	assert_int_equal(pk_demux_flow_add(f->d, &k, f->q[1]), -EEXIST);
	assert_ptr_equal(pk_demux_flow_resolve(f->d, &k), f->q[0]);
	assert_int_equal(pk_demux_flow_count(f->d), 1);
	assert_int_equal(pk_demux_flow_hits(f->d, &k, &hits), 0);
	assert_int_equal(hits, 0);
	bad = k;
	bad.pad = 1;
	assert_int_equal(pk_demux_flow_add(f->d, &bad, f->q[0]), -EINVAL);
	bad = k;
	bad.family = 5;
	assert_int_equal(pk_demux_flow_add(f->d, &bad, f->q[0]), -EINVAL);
	assert_int_equal(pk_demux_flow_add(f->d, NULL, f->q[0]), -EINVAL);
	assert_int_equal(pk_demux_flow_add(f->d, &k, NULL), -EINVAL);
	assert_int_equal(pk_demux_flow_add(f->q[0], &k, f->q[1]), -EINVAL);
	/* fill to capacity (16), then one more */
	for (i = 1; i < 16; i++) {
		struct pk_flow_key ki = key4(IPPROTO_UDP, LOCAL, 100 + i, 0, 0);

		assert_int_equal(pk_demux_flow_add(f->d, &ki, f->q[1]), 0);
	}
	bad = key4(IPPROTO_TCP, LOCAL, 1, 0, 0);
	assert_int_equal(pk_demux_flow_add(f->d, &bad, f->q[1]), -ENOSPC);
	/* delete frees room at once (no reader holds it) */
	assert_int_equal(pk_demux_flow_del(f->d, &k), 0);
	assert_int_equal(pk_demux_flow_del(f->d, &k), -ENOENT);
	assert_null(pk_demux_flow_resolve(f->d, &k));
	assert_int_equal(pk_demux_flow_hits(f->d, &k, &hits), -ENOENT);
	assert_int_equal(pk_demux_flow_add(f->d, &bad, f->q[1]), 0);
	/* delete and re-add many times over: slots are recycled */
	for (i = 0; i < 1000; i++) {
		assert_int_equal(pk_demux_flow_del(f->d, &bad), 0);
		assert_int_equal(pk_demux_flow_add(f->d, &bad, f->q[2]), 0);
	}
	assert_int_equal(pk_demux_flow_synchronize(f->d), 0);
	assert_int_equal(pk_demux_flow_count(f->d), 16);
	assert_int_equal(pk_demux_flow_remove_target(f->d, f->q[1]), 15);
	assert_int_equal(pk_demux_flow_count(f->d), 1);
	assert_ptr_equal(pk_demux_flow_resolve(f->d, &bad), f->q[2]);
}

static void
test_lookup_order_active_passive_wildcard(void **state)
{
	struct fixture *f = *state;
	struct pk_flow_key act = key4(IPPROTO_UDP, LOCAL, 53, PEER, 5000);
	struct pk_flow_key pas = key4(IPPROTO_UDP, LOCAL, 53, 0, 0);
	struct pk_flow_key wild = key4(IPPROTO_UDP, 0, 53, 0, 0);
	struct rte_mbuf *m[4];
	uint64_t hits;

	assert_int_equal(pk_demux_flow_add(f->d, &wild, f->q[2]), 0);
	assert_int_equal(pk_demux_flow_add(f->d, &pas, f->q[1]), 0);
	assert_int_equal(pk_demux_flow_add(f->d, &act, f->q[0]), 0);
	m[0] = udp4(PEER, 5000, LOCAL, 53, 0);  /* active */
	m[1] = udp4(PEER, 5001, LOCAL, 53, 1);  /* passive exact */
	m[2] = udp4(PEER, 5000, LOCAL2, 53, 2); /* wildcard */
	m[3] = udp4(PEER, 5000, LOCAL, 54, 3);  /* nothing */
	assert_int_equal(pk_stage_push(f->d, m, 4), 3);
	assert_int_equal(pk_test_seq(m[3]), 3); /* no miss stage: ours */
	rte_pktmbuf_free(m[3]);
	expect_queue(f->q[0], (uint32_t[]){ 0 }, 1);
	expect_queue(f->q[1], (uint32_t[]){ 1 }, 1);
	expect_queue(f->q[2], (uint32_t[]){ 2 }, 1);
	assert_int_equal(pk_demux_flow_hits(f->d, &pas, &hits), 0);
	assert_int_equal(hits, 1);
	/* resolve follows the same order */
	assert_ptr_equal(pk_demux_flow_resolve(f->d, &act), f->q[0]);
	act.rport = rte_cpu_to_be_16(1);
	assert_ptr_equal(pk_demux_flow_resolve(f->d, &act), f->q[1]);
	act.laddr[3] = 3;
	assert_ptr_equal(pk_demux_flow_resolve(f->d, &act), f->q[2]);
	act.lport = 1;
	assert_null(pk_demux_flow_resolve(f->d, &act));
}

static void
test_lookup_order_ipv6(void **state)
{
	static const uint8_t l6[16] = { 0xfd, [15] = 1 };
	static const uint8_t r6[16] = { 0xfd, [15] = 9 };
	struct fixture *f = *state;
	struct frame_spec fs = { .family = 6, .proto = IPPROTO_TCP,
				 .sport = 4000, .dport = 80 };
	struct pk_flow_key k;
	struct rte_mbuf *m[2];

	memcpy(fs.src6, r6, 16);
	memcpy(fs.dst6, l6, 16);
	pk_flow_key_ipv6(&k, IPPROTO_TCP, NULL, rte_cpu_to_be_16(80), NULL, 0);
	assert_int_equal(pk_demux_flow_add(f->d, &k, f->q[1]), 0);
	m[0] = frame_new(pool, &fs);
	pk_flow_key_ipv6(&k, IPPROTO_TCP, l6, rte_cpu_to_be_16(80), r6,
			 rte_cpu_to_be_16(4000));
	assert_int_equal(pk_stage_push(f->d, m, 1), 1); /* listener */
	assert_int_equal(pk_demux_flow_add(f->d, &k, f->q[0]), 0);
	m[0] = frame_new(pool, &fs);
	fs.sport = 4001;
	m[1] = frame_new(pool, &fs);
	assert_int_equal(pk_stage_push(f->d, m, 2), 2);
	expect_queue(f->q[0], NULL, 1);
	expect_queue(f->q[1], NULL, 2);
	/* a passive exact key wins over the wildcard, loses to the active */
	pk_flow_key_ipv6(&k, IPPROTO_TCP, l6, rte_cpu_to_be_16(80), NULL, 0);
	assert_int_equal(pk_demux_flow_add(f->d, &k, f->q[2]), 0);
	m[0] = frame_new(pool, &fs); /* sport 4001: passive */
	fs.sport = 4000;
	m[1] = frame_new(pool, &fs); /* active */
	assert_int_equal(pk_stage_push(f->d, m, 2), 2);
	expect_queue(f->q[2], NULL, 1);
	expect_queue(f->q[0], NULL, 1);
	expect_queue(f->q[1], NULL, 0);
}

static void
test_groups_keep_flow_order_refused_at_tail(void **state)
{
	struct fixture *f = *state;
	struct pk_flow_key a = key4(IPPROTO_UDP, LOCAL, 1, 0, 0);
	struct pk_flow_key b = key4(IPPROTO_UDP, LOCAL, 2, 0, 0);
	struct pk_stage *small = pk_queue_ring_create("small", 4, 0, 0,
						      SOCKET_ID_ANY);
	struct rte_mbuf *m[200];
	struct pk_stage_stats st;
	uint32_t want[64];
	unsigned int i, na = 0;
	uint16_t k;

	assert_non_null(small);
	assert_int_equal(pk_demux_flow_add(f->d, &a, f->q[0]), 0);
	assert_int_equal(pk_demux_flow_add(f->d, &b, small), 0);
	/* interleaved a, b, a, b, ...: each target gets its packets in order */
	for (i = 0; i < 8; i++) {
		m[i] = udp4(PEER, 9, LOCAL, 1 + (i & 1), i);
		if (!(i & 1))
			want[na++] = i;
	}
	k = pk_stage_push(f->d, m, 8);
	assert_int_equal(k, 7); /* small holds 3 of b's 4 */
	assert_int_equal(pk_test_seq(m[7]), 7);
	rte_pktmbuf_free(m[7]);
	expect_queue(f->q[0], want, na);
	expect_queue(small, (uint32_t[]){ 1, 3, 5 }, 3);
	/* a long burst over several chunks: what comes back keeps its order */
	for (i = 0; i < 200; i++)
		m[i] = udp4(PEER, 9, LOCAL, i % 3 == 0 ? 2 : 7, i);
	k = pk_stage_push(f->d, m, 200);
	/* 3 to small, 67 - 3 refused, 133 unmatched come back */
	assert_int_equal(k, 3);
	for (i = 1; i < 197; i++)
		assert_true(pk_test_seq(m[k + i]) > pk_test_seq(m[k + i - 1]));
	rte_pktmbuf_free_bulk(&m[k], 200 - k);
	pk_stage_stats_get(f->d, &st);
	/* in counts what was taken: 65 refused and 133 unmatched came back */
	assert_int_equal(st.in_pkts, 208 - 65 - 133);
	assert_int_equal(st.out_pkts, 7 + 3);
	assert_int_equal(st.refused[PK_DROP_FULL], 1 + 64);
	assert_int_equal(st.refused[PK_DROP_NO_MATCH], 133);
	pk_stage_destroy(small);
}

#define NQ 40

/*
 * A queue per flow, as sockets have: most packets are alone in their group
 * and go into an SP queue_ring inline, one MP queue takes its packet through
 * its push, two flows have a group of three. A full queue refuses its lone
 * packet, malformed ones are freed, unmatched ones come back: every stage's
 * counters (bytes too) as if each packet had been pushed on its own.
 */
static void
test_queue_per_flow_counts(void **state)
{
	struct pk_demux_conf conf = { .name = "dq", .capacity = 64,
				      .socket_id = SOCKET_ID_ANY,
				      .sflags = PK_STAGE_F_BYTES };
	struct pk_stage *d = pk_demux_flow_create(&conf), *q[NQ];
	struct rte_mbuf *m[48], *fill[3];
	uint64_t bytes[48], in = 0, freed;
	struct pk_stage_stats st;
	struct pk_flow_key k;
	unsigned int i;
	char name[8];
	uint16_t n;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < NQ; i++) { /* q[i] takes port i + 1; holds 3 */
		snprintf(name, sizeof(name), "f%u", i);
		q[i] = pk_queue_ring_create(name, 4, i == NQ - 1 ?
					    PK_QUEUE_F_MP : 0,
					    PK_STAGE_F_BYTES, SOCKET_ID_ANY);
		assert_non_null(q[i]);
		k = key4(IPPROTO_UDP, LOCAL, i + 1, 0, 0);
		assert_int_equal(pk_demux_flow_add(d, &k, q[i]), 0);
	}
	for (i = 0; i < 3; i++) /* q[5] is full */
		fill[i] = udp4(PEER, 9, LOCAL, 6, 100 + i);
	assert_int_equal(pk_stage_push(q[5], fill, 3), 3);
	for (i = 0; i < 48; i++) {
		/* one per queue, then q[0] and q[1] twice more */
		m[i] = udp4(PEER, 9, LOCAL, i < NQ ? i + 1 : i < 44 ?
			    1 + (i & 1) : 1000, i);
		if (i == 44 || i == 45) /* too short: malformed */
			rte_pktmbuf_trim(m[i], m[i]->data_len - 30);
		bytes[i] = m[i]->pkt_len;
		if (i != 5 && i < 46)
			in += bytes[i];
	}
	n = pk_stage_push(d, m, 48);
	assert_int_equal(n, 45); /* 5 refused, 46 and 47 unmatched */
	assert_int_equal(pk_test_seq(m[45]), 5);
	assert_int_equal(pk_test_seq(m[46]), 46);
	assert_int_equal(pk_test_seq(m[47]), 47);
	rte_pktmbuf_free_bulk(&m[45], 3);
	expect_queue(q[0], (uint32_t[]){ 0, 40, 42 }, 3);
	expect_queue(q[1], (uint32_t[]){ 1, 41, 43 }, 3);
	expect_queue(q[5], (uint32_t[]){ 100, 101, 102 }, 3);
	for (i = 2; i < NQ; i++) {
		pk_stage_stats_get(q[i], &st);
		assert_int_equal(st.in_pkts, i == 5 ? 3 : 1);
		assert_int_equal(st.refused[PK_DROP_FULL], i == 5 ? 1 : 0);
		if (i != 5) {
			assert_int_equal(st.in_bytes, bytes[i]);
			expect_queue(q[i], (uint32_t[]){ i }, 1);
		}
	}
	pk_stage_stats_get(q[0], &st);
	assert_int_equal(st.in_bytes, bytes[0] + bytes[40] + bytes[42]);
	pk_stage_stats_get(d, &st);
	freed = bytes[44] + bytes[45];
	assert_int_equal(st.in_pkts, 45);
	assert_int_equal(st.out_pkts, 43);
	assert_int_equal(st.drops[PK_DROP_MALFORMED], 2);
	assert_int_equal(st.refused[PK_DROP_FULL], 1);
	assert_int_equal(st.refused[PK_DROP_NO_MATCH], 2);
	assert_int_equal(st.in_bytes, in);
	assert_int_equal(st.out_bytes, in - freed);
	assert_int_equal(st.held, 0);
	pk_stage_destroy(d);
	for (i = 0; i < NQ; i++)
		pk_stage_destroy(q[i]);
}

static void
test_miss_stage_and_counters(void **state)
{
	struct fixture *f = *state;
	struct pk_demux_conf conf = { .name = "dm", .capacity = 8,
				      .socket_id = SOCKET_ID_ANY,
				      .miss = f->miss,
				      .sflags = PK_STAGE_F_BYTES };
	struct pk_stage *d = pk_demux_flow_create(&conf);
	struct pk_flow_key a = key4(IPPROTO_UDP, LOCAL, 1, 0, 0);
	struct frame_spec arp = frame_udp4(PEER, 1, LOCAL, 1);
	struct pk_stage_stats st;
	struct rte_mbuf *m[3];

	assert_non_null(d);
	assert_int_equal(pk_demux_flow_add(d, &a, f->q[0]), 0);
	m[0] = udp4(PEER, 9, LOCAL, 5, 0);
	m[1] = udp4(PEER, 9, LOCAL, 1, 1);
	m[2] = frame_new(pool, &arp);
	rte_pktmbuf_mtod(m[2], uint8_t *)[13] = 0x06; /* 0x0806: ARP */
	assert_int_equal(pk_stage_push(d, m, 3), 3);
	expect_queue(f->miss, NULL, 2);
	expect_queue(f->q[0], (uint32_t[]){ 1 }, 1);
	pk_stage_stats_get(d, &st);
	assert_int_equal(st.in_pkts, 3);
	assert_int_equal(st.out_pkts, 3);
	/* the 2 unmatched went to the miss stage: out, not dropped, not refused */
	assert_int_equal(st.drops[PK_DROP_NO_MATCH], 0);
	assert_int_equal(st.refused[PK_DROP_NO_MATCH], 0);
	assert_int_equal(st.in_bytes, st.out_bytes);
	assert_true(st.in_bytes > 0);
	pk_stage_destroy(d);
}


#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_and_bad_arguments),
		T(test_add_delete_resolve_errors),
		T(test_lookup_order_active_passive_wildcard),
		T(test_lookup_order_ipv6),
		T(test_groups_keep_flow_order_refused_at_tail),
		T(test_queue_per_flow_counts),
		T(test_miss_stage_and_counters),
	};
	int rc;

	pk_test_eal_init("test_demux", NULL, NULL);
	pool = pk_test_pool("test_demux", 1024);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
