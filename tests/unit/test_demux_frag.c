/* SPDX-License-Identifier: BSD-3-Clause */
/* demux_flow and what is not a plain first packet: an ICMP error reaches
 * the sender's key, fragments without and with proc_reassembly (its table
 * bounded), malformed frames freed and counted. Keys, lookup, grouping and
 * counters: test_demux.c. */
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

/*
 * An ICMP error quoting a datagram sent from here has the sender's key,
 * marked PK_FLOW_F_ICMP_ERR: it reaches a marked key (an ICMP-error
 * socket's, passive here), never the flow's own key; the demux returns
 * what nobody claims (no miss stage in this fixture).
 */
static void
test_icmp_error_reaches_sender(void **state)
{
	struct fixture *f = *state;
	struct frame_spec inner = frame_udp4(LOCAL, 4444, PEER, 53);
	struct frame_spec icmp = { .family = 4, .proto = IPPROTO_ICMP,
				   .src4 = PEER, .dst4 = LOCAL,
				   .icmp_type = 3, .icmp_code = 3,
				   .inner = &inner };
	struct pk_flow_key sock = key4(IPPROTO_UDP, LOCAL, 4444, PEER, 53);
	struct pk_flow_key err = key4(IPPROTO_UDP, LOCAL, 4444, 0, 0);
	struct rte_mbuf *m;

	inner.payload = 0;
	err.pad = PK_FLOW_F_ICMP_ERR;
	assert_int_equal(pk_demux_flow_add(f->d, &sock, f->q[0]), 0);
	m = frame_new(pool, &icmp);
	assert_int_equal(pk_stage_push(f->d, &m, 1), 0); /* not the flow's */
	assert_int_equal(pk_demux_flow_add(f->d, &err, f->q[1]), 0);
	assert_int_equal(pk_stage_push(f->d, &m, 1), 1);
	expect_queue(f->q[1], NULL, 1);
	expect_queue(f->q[0], NULL, 0);
}

/* Two fragments of one UDP datagram (IPv4 or IPv6), seq in the payload. */
static void
make_fragments(int family, struct rte_mbuf **m)
{
	static const uint8_t l6[16] = { 0xfd, [15] = 1 };
	static const uint8_t r6[16] = { 0xfd, [15] = 9 };
	struct frame_spec fs = frame_udp4(PEER, 9, LOCAL, 1);

	fs.family = family;
	memcpy(fs.src6, r6, 16);
	memcpy(fs.dst6, l6, 16);
	fs.frag_hdr = family == 6;
	fs.payload = 16;
	fs.mf = true; /* first: UDP header + 16 bytes */
	m[0] = frame_new(pool, &fs);
	fs.mf = false;
	fs.frag_off = 3; /* 24 bytes in */
	fs.no_l4 = true;
	fs.payload = 40;
	m[1] = frame_new(pool, &fs);
}

static void
test_fragments_without_and_with_reassembly(void **state)
{
	struct fixture *f = *state;
	struct pk_demux_conf conf = { .name = "dmf", .capacity = 8,
				      .socket_id = SOCKET_ID_ANY,
				      .miss = f->miss };
	struct pk_stage *d = pk_demux_flow_create(&conf), *r;
	struct pk_flow_key a4 = key4(IPPROTO_UDP, LOCAL, 1, 0, 0), a6;
	struct pk_stage_stats st;
	struct rte_mbuf *m[4], *out;
	int fam;

	assert_non_null(d);
	pk_flow_key_ipv6(&a6, IPPROTO_UDP, NULL, rte_cpu_to_be_16(1), NULL, 0);
	assert_int_equal(pk_demux_flow_add(d, &a4, f->q[0]), 0);
	assert_int_equal(pk_demux_flow_add(d, &a6, f->q[0]), 0);
	/* no reassembly: the first fragment finds its path, the other not */
	make_fragments(4, m);
	make_fragments(6, &m[2]);
	assert_int_equal(pk_stage_push(d, m, 4), 4);
	expect_queue(f->q[0], NULL, 2);
	expect_queue(f->miss, NULL, 2);
	pk_stage_stats_get(d, &st);
	/* handed to the miss stage: out, neither dropped nor refused */
	assert_int_equal(st.out_pkts, 4);
	assert_int_equal(st.drops[PK_DROP_FRAGMENT], 0);
	assert_int_equal(st.refused[PK_DROP_FRAGMENT], 0);

	r = pk_stage_create("proc_reassembly", "reasm", "flows=16",
			    SOCKET_ID_ANY);
	assert_non_null(r);
	assert_int_equal(pk_stage_link(r, d), 0);
	for (fam = 4; fam <= 6; fam += 2) {
		make_fragments(fam, m);
		/* last fragment first: order must not matter */
		assert_int_equal(pk_stage_push(r, &m[1], 1), 1);
		assert_int_equal(pk_stage_push(r, &m[0], 1), 1);
		assert_int_equal(pk_stage_pull(f->q[0], &out, 1), 1);
		assert_int_equal(out->nb_segs, 2);
		assert_int_equal(out->pkt_len,
				 14 + (fam == 4 ? 20 : 40) + 8 + 16 + 40);
		rte_pktmbuf_free(out);
	}
	expect_queue(f->miss, NULL, 0);
	pk_stage_destroy(r);
	pk_stage_destroy(d);
}

static void
test_reassembly_table_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct pk_stage *r = pk_stage_create("proc_reassembly", "reasm2",
					     "flows=1", SOCKET_ID_ANY);
	struct pk_stage_stats st;
	struct rte_mbuf *m[2];
	unsigned int i;

	assert_non_null(r);
	assert_int_equal(pk_stage_link(r, f->q[0]), 0);
	/* first fragments of many datagrams: most find no room */
	for (i = 0; i < 40; i++) {
		make_fragments(4, m);
		rte_pktmbuf_free(m[1]);
		rte_pktmbuf_mtod(m[0], uint8_t *)[14 + 5] = i; /* ip id */
		assert_int_equal(pk_stage_push(r, m, 1), 1);
	}
	pk_stage_stats_get(r, &st);
	assert_true(st.drops[PK_DROP_FRAGMENT] >= 30);
	assert_int_equal(st.out_pkts, 0);
	expect_queue(f->q[0], NULL, 0);
	assert_null(pk_stage_create("proc_reassembly", "x", "flows=0",
				    SOCKET_ID_ANY));
	pk_stage_destroy(r); /* frees what the table holds */
}

static void
test_malformed_freed_and_counted(void **state)
{
	struct fixture *f = *state;
	struct rte_mbuf *m[2];
	struct pk_stage_stats st;

	m[0] = udp4(PEER, 9, LOCAL, 1, 0);
	rte_pktmbuf_trim(m[0], m[0]->data_len - 30);
	m[1] = rte_pktmbuf_alloc(pool); /* zero length */
	assert_int_equal(pk_stage_push(f->d, m, 2), 2);
	pk_stage_stats_get(f->d, &st);
	assert_int_equal(st.drops[PK_DROP_MALFORMED], 2);
	assert_int_equal(st.out_pkts, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_icmp_error_reaches_sender),
		T(test_fragments_without_and_with_reassembly),
		T(test_reassembly_table_is_bounded),
		T(test_malformed_freed_and_counted),
	};
	int rc;

	pk_test_eal_init("test_demux_frag", NULL, NULL);
	pool = pk_test_pool("test_demux_frag", 1024);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
