/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcap round trip: frames this test writes to a pcap (pcap_rt_frames.h) go
 * in through net_pcap, through a path [proc_ttl, proc_macswap,
 * proc_counter, port_tx] and out to another pcap, which the test reads back
 * with libpcap and checks packet by packet against frames it computed
 * itself: expired and malformed ones gone, order kept, MACs swapped, TTL /
 * hop limit decremented with a valid IPv4 header checksum, every other byte
 * as it was. Then the statistics by reason, the path's accounting and the
 * mempool.
 *
 * net_pcap opens both files when the EAL probes it, so main() writes the
 * input before rte_eal_init(); atexit() removes the files on every exit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pcap_rt_frames.h"

static struct rte_mempool *rt_pool;

/* ---- what the test expects ---- */

static unsigned int
rt_count(enum rt_fate fate)
{
	unsigned int i, n = 0;

	for (i = 0; i < RT_NB_FRAMES; i++)
		n += rt_specs[i].fate == fate;
	return n;
}

static uint64_t
rt_bytes(bool passed_only)
{
	uint64_t b = 0;
	unsigned int i;

	for (i = 0; i < RT_NB_FRAMES; i++)
		if (!passed_only || rt_specs[i].fate == RT_PASS)
			b += rt_in[i].len;
	return b;
}

static bool
rt_is_ipv4(enum rt_kind k)
{
	return k == RT_UDP4 || k == RT_TCP4 || k == RT_ICMP4 ||
	       k == RT_VLAN_UDP4;
}

static bool
rt_is_ipv6(enum rt_kind k)
{
	return k == RT_UDP6 || k == RT_TCP6 || k == RT_QINQ_TCP6;
}

/*
 * The frame a router would send: MACs swapped, TTL or hop limit one less,
 * IPv4 checksum recomputed from scratch (not incrementally, as proc_ttl does).
 */
static void
rt_expected(const struct rt_frame *in, const struct rt_spec *sp, uint8_t *out)
{
	struct rte_ipv4_hdr ip;

	memcpy(out, in->data, in->len);
	memcpy(out, in->data + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(out + RTE_ETHER_ADDR_LEN, in->data, RTE_ETHER_ADDR_LEN);
	if (rt_is_ipv4(sp->kind)) {
		memcpy(&ip, out + in->l3_off, sizeof(ip));
		ip.time_to_live--;
		ip.hdr_checksum = 0;
		ip.hdr_checksum = rte_ipv4_cksum(&ip);
		memcpy(out + in->l3_off, &ip, sizeof(ip));
	} else if (rt_is_ipv6(sp->kind)) {
		out[in->l3_off + offsetof(struct rte_ipv6_hdr, hop_limits)]--;
	}
}

/* One's-complement sum over an IPv4 header: 0xffff when it is valid. */
static uint16_t
rt_ones_sum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* ---- running the path ---- */

struct rt_run {
	uint16_t port_id;
	struct pk_stage *rx;
	struct pk_path *path;
	struct pk_stage *st[4]; /* ttl, macswap, counter, tx */
	uint64_t received;
};

static void
rt_build_path(struct rt_run *r)
{
	static const char *const kinds[] = { "proc_ttl", "proc_macswap",
					     "proc_counter", "port_tx" };
	const struct pk_path_conf pc = { .name = "rt_path", .owner = 42,
					 .tail = PK_PATH_TAIL_DROP, .flags = PK_STAGE_F_BYTES,
					 .socket_id = SOCKET_ID_ANY };
	unsigned int i;

	for (i = 0; i < RTE_DIM(kinds); i++) {
		r->st[i] = pk_stage_create(kinds[i], kinds[i],
					   i == 3 ? "port=net_pcap0,bytes=1" : "bytes=1",
					   SOCKET_ID_ANY);
		assert_non_null(r->st[i]);
	}
	r->path = pk_path_create(&pc, r->st, RTE_DIM(kinds));
	assert_non_null(r->path);
	r->rx = pk_stage_create("port_rx", "rx", "port=net_pcap0",
				SOCKET_ID_ANY);
	assert_non_null(r->rx);
}

/*
 * net_pcap RX gives 0 at the end of the file; a few empty polls in a row
 * mean it is over. Bursts of 1, 7 and 32 cross frame boundaries differently.
 */
static void
rt_pump(struct rt_run *r)
{
	static const uint16_t bursts[] = { 1, 7, 32 };
	struct pk_stage *ps = pk_path_stage(r->path);
	struct rte_mbuf *pkts[32];
	unsigned int idle = 0, b = 0;
	uint16_t n;

	while (idle < RT_IDLE_POLLS && r->received <= 2 * RT_NB_FRAMES) {
		n = pk_stage_pull(r->rx, pkts, bursts[b++ % RTE_DIM(bursts)]);
		if (n == 0) {
			idle++;
			continue;
		}
		idle = 0;
		r->received += n;
		/* tail policy drop: the path takes every packet */
		assert_int_equal(pk_stage_push(ps, pkts, n), n);
	}
}

static void
rt_check_stage(struct pk_stage *s, uint64_t in, uint64_t out, uint64_t expired,
	       uint64_t malformed)
{
	struct pk_stage_stats st;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	assert_int_equal(st.in_pkts, in);
	assert_int_equal(st.out_pkts, out);
	assert_int_equal(st.drops[PK_DROP_EXPIRED], expired);
	assert_int_equal(st.drops[PK_DROP_MALFORMED], malformed);
	for (r = 0; r < PK_DROP_MAX; r++)
		if (r != PK_DROP_EXPIRED && r != PK_DROP_MALFORMED)
			assert_int_equal(st.drops[r], 0);
}

static void
rt_check_stats(const struct rt_run *r)
{
	const uint64_t n = RT_NB_FRAMES, pass = rt_count(RT_PASS);
	const uint64_t exp = rt_count(RT_EXPIRED), bad = rt_count(RT_MALFORMED);
	struct pk_stage_stats st, ttl, tx;
	struct rte_eth_stats es;

	assert_int_equal(r->received, n);
	assert_int_equal(pass + exp + bad, n);
	rt_check_stage(r->rx, n, n, 0, 0);
	rt_check_stage(r->st[0], n, pass, exp, bad);  /* proc_ttl */
	rt_check_stage(r->st[1], pass, pass, 0, 0);   /* proc_macswap */
	rt_check_stage(r->st[2], pass, pass, 0, 0);   /* proc_counter */
	assert_int_equal(pk_stage_stats_get(r->st[2], &st), 0);
	assert_int_equal(st.in_bytes, rt_bytes(true));
	assert_int_equal(st.out_bytes, rt_bytes(true));
	rt_check_stage(r->st[3], pass, 0, 0, 0);      /* port_tx */
	assert_int_equal(pk_stage_stats_get(r->st[3], &st), 0);
	assert_int_equal(st.in_bytes, rt_bytes(true));

	/* the path: everything in at its head, nothing refused at its tail,
	 * and every packet accounted for by a stage */
	assert_int_equal(pk_stage_stats_get(pk_path_stage(r->path), &st), 0);
	assert_int_equal(st.in_pkts, n);
	assert_int_equal(st.in_bytes, rt_bytes(false));
	assert_int_equal(st.drops[PK_DROP_FULL], 0);
	assert_int_equal(pk_stage_stats_get(r->st[0], &ttl), 0);
	assert_int_equal(pk_stage_stats_get(r->st[3], &tx), 0);
	assert_int_equal(st.in_pkts, ttl.drops[PK_DROP_EXPIRED] +
			 ttl.drops[PK_DROP_MALFORMED] + tx.in_pkts +
			 st.drops[PK_DROP_FULL]);
	assert_int_equal(pk_path_owner(r->path), 42);
	assert_int_equal(pk_path_nb_stages(r->path), 4);

	/* and the NIC agrees */
	assert_int_equal(rte_eth_stats_get(r->port_id, &es), 0);
	assert_int_equal(es.ipackets, n);
	assert_int_equal(es.opackets, pass);
	assert_int_equal(es.oerrors, 0);
	assert_int_equal(pk_path_stats_print(stdout, r->path), 0);
}

/* ---- reading the output ---- */

static void
rt_check_packet(unsigned int out_idx, unsigned int in_idx,
		const struct pcap_pkthdr *h, const uint8_t *data)
{
	const struct rt_frame *in = &rt_in[in_idx];
	const struct rt_spec *sp = &rt_specs[in_idx];
	uint8_t want[RT_MAX_FRAME];
	uint16_t ck = 0;
	unsigned int i;

	if (h->caplen != in->len || h->len != in->len)
		fail_msg("output %u (input %u): %u/%u bytes, want %u", out_idx,
			 in_idx, h->caplen, h->len, in->len);
	rt_expected(in, sp, want);
	if (rt_is_ipv4(sp->kind)) {
		if (rt_ones_sum(data + in->l3_off,
				sizeof(struct rte_ipv4_hdr)) != 0xffff)
			fail_msg("output %u (input %u): bad IPv4 header "
				 "checksum", out_idx, in_idx);
		ck = in->l3_off + offsetof(struct rte_ipv4_hdr, hdr_checksum);
	}
	for (i = 0; i < in->len; i++) {
		/* the checksum is checked by value above: 0 and ~0 both fit */
		if (ck != 0 && (i == ck || i == ck + 1U))
			continue;
		if (data[i] != want[i])
			fail_msg("output %u (input %u, kind %d): byte %u is "
				 "0x%02x, want 0x%02x", out_idx, in_idx,
				 sp->kind, i, data[i], want[i]);
	}
}

static void
rt_check_output(void)
{
	char err[PCAP_ERRBUF_SIZE];
	const uint8_t *data;
	struct pcap_pkthdr *h;
	unsigned int in_idx = 0, out_idx = 0;
	pcap_t *pc;
	int rc;

	pc = pcap_open_offline(rt_out_path, err);
	if (pc == NULL)
		fail_msg("cannot read %s: %s", rt_out_path, err);
	assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		while (in_idx < RT_NB_FRAMES && rt_specs[in_idx].fate != RT_PASS)
			in_idx++;
		if (in_idx == RT_NB_FRAMES) {
			pcap_close(pc);
			fail_msg("output has more than %u packets",
				 rt_count(RT_PASS));
		}
		rt_check_packet(out_idx++, in_idx++, h, data);
	}
	pcap_close(pc);
	assert_int_equal(rc, PCAP_ERROR_BREAK); /* EOF, not a damaged file */
	assert_int_equal(out_idx, rt_count(RT_PASS));
}

/* ---- the test ---- */

static void
test_pcap_roundtrip(void **state)
{
	struct rt_run r = { 0 };
	struct pk_port_conf conf = { .mp = rt_pool };

	(void)state;
	assert_int_equal(pk_port_lookup("net_pcap0", &r.port_id), 0);
	assert_int_equal(pk_port_setup(r.port_id, &conf), 0);
	rt_build_path(&r);
	rt_pump(&r);
	rt_check_stats(&r);
	pk_path_destroy(r.path);
	pk_stage_destroy(r.rx);
	/* stop closes the output dumper, which writes the file out */
	assert_int_equal(pk_port_close(r.port_id), 0);
	rt_check_output();
}

/* The input really holds what the test expects (guards the builder). */
static void
test_input_as_built(void **state)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const uint8_t *data;
	unsigned int i = 0;
	pcap_t *pc;

	(void)state;
	pc = pcap_open_offline(rt_in_path, err);
	assert_non_null(pc);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		assert_true(i < RT_NB_FRAMES);
		assert_int_equal(h->caplen, rt_specs[i].len);
		assert_memory_equal(data, rt_in[i].data, h->caplen);
		if (rt_is_ipv4(rt_specs[i].kind))
			assert_int_equal(rt_ones_sum(data + rt_in[i].l3_off,
				sizeof(struct rte_ipv4_hdr)), 0xffff);
		i++;
	}
	pcap_close(pc);
	assert_int_equal(i, RT_NB_FRAMES);
	assert_true(rt_count(RT_EXPIRED) >= 3);
	assert_true(rt_count(RT_MALFORMED) >= 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_input_as_built,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_pcap_roundtrip,
					  pk_test_teardown_pools_full),
	};
	const char *tmp = getenv("TMPDIR");
	static char vdev[400];
	const char *vdevs[] = { vdev, NULL };
	int rc;

	snprintf(rt_dir, sizeof(rt_dir), "%s/pk_pcap_rt_XXXXXX",
		 tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(rt_dir) == NULL) {
		perror("mkdtemp");
		rt_dir[0] = '\0';
		return 1;
	}
	atexit(rt_cleanup);
	signal(SIGABRT, rt_on_signal);
	signal(SIGTERM, rt_on_signal);
	signal(SIGINT, rt_on_signal);
	snprintf(rt_in_path, sizeof(rt_in_path), "%s/in.pcap", rt_dir);
	snprintf(rt_out_path, sizeof(rt_out_path), "%s/out.pcap", rt_dir);
	if (rt_write_input() != 0)
		return 1;
	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s,tx_pcap=%s",
		 rt_in_path, rt_out_path);

	pk_test_eal_init("test_pcap_roundtrip", vdevs, NULL);
	rt_pool = pk_test_pool("pcap_rt", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
