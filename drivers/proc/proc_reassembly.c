/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_reassembly: reassembles fragmented IPv4 and IPv6 datagrams on
 * rte_ip_frag, so that a demux behind it sees whole datagrams with ports.
 * push/pull: non-fragments pass unchanged; fragments are held in a bounded
 *   table until their datagram is complete, which then passes as one chained
 *   mbuf where its last fragment was. Fragments the table gives up on (timed
 *   out, no room, overlapping, more than RTE_LIBRTE_IP_FRAG_MAX_FRAG) are
 *   freed and counted "fragment"; fragments with bad lengths "malformed".
 *   Ethernet padding behind a fragment is trimmed.
 * IPv6: as rte_ip_frag, the fragment header must follow the fixed header.
 * destroy: frees the table and every fragment it holds.
 * threads: one pusher or puller at a time.
 * args: flows=<datagrams in reassembly at once, 1..2^20, 4096>
 *   timeout_ms=<1..60000, 1000> bytes=<0|1>
 * stats: in, out, fragment, malformed
 */
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_stage_driver.h>

#define REASM_BUCKET_ENTRIES 4
/* leave room in the death row for what one call may add */
#define REASM_DR_HIGH (RTE_IP_FRAG_DEATH_ROW_MBUF_LEN - \
		       RTE_LIBRTE_IP_FRAG_MAX_FRAG - 1)

struct proc_reassembly {
	struct rte_ip_frag_tbl *tbl;
	struct rte_ip_frag_death_row dr;
};

static void
proc_reassembly_flush(struct proc_reassembly *r, struct pk_stage_counters *c)
{
	if (r->dr.cnt == 0)
		return;
	pk_stage_count_drop(c, PK_DROP_FRAGMENT, r->dr.cnt);
	rte_ip_frag_free_death_row(&r->dr, 0);
}

/* Check the datagram's length against the mbuf, trim padding. */
static int
proc_reassembly_fit(struct rte_mbuf *m, uint32_t l3_off, uint32_t ip_len,
		    uint32_t hdr_len)
{
	if (ip_len <= hdr_len || l3_off + ip_len > m->pkt_len)
		return -1;
	if (m->pkt_len > l3_off + ip_len &&
	    rte_pktmbuf_trim(m, m->pkt_len - l3_off - ip_len) != 0)
		return -1;
	return 0;
}

static struct rte_mbuf *
proc_reassembly_v4(struct proc_reassembly *r, struct rte_mbuf *m,
		   uint32_t off, uint64_t now, bool *bad)
{
	struct rte_ipv4_hdr *ip;
	uint32_t hlen;

	if (off + sizeof(*ip) > m->data_len)
		return m; /* the demux counts it */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, off);
	if (!rte_ipv4_frag_pkt_is_fragmented(ip))
		return m;
	hlen = rte_ipv4_hdr_len(ip);
	if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) ||
	    off + hlen > m->data_len ||
	    proc_reassembly_fit(m, off, rte_be_to_cpu_16(ip->total_length),
				hlen) != 0) {
		*bad = true;
		return NULL;
	}
	m->l2_len = off;
	m->l3_len = hlen;
	m = rte_ipv4_frag_reassemble_packet(r->tbl, &r->dr, m, now, ip);
	if (m != NULL) { /* rte_ip_frag leaves the new header's checksum 0 */
		ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, off);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	return m;
}

static struct rte_mbuf *
proc_reassembly_v6(struct proc_reassembly *r, struct rte_mbuf *m,
		   uint32_t off, uint64_t now, bool *bad)
{
	struct rte_ipv6_fragment_ext *fh;
	struct rte_ipv6_hdr *ip6;
	uint32_t hlen = sizeof(*ip6) + sizeof(*fh);

	if (off + hlen > m->data_len)
		return m;
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, off);
	fh = rte_ipv6_frag_get_ipv6_fragment_header(ip6);
	if (fh == NULL)
		return m;
	if (proc_reassembly_fit(m, off, sizeof(*ip6) +
				rte_be_to_cpu_16(ip6->payload_len),
				hlen) != 0) {
		*bad = true;
		return NULL;
	}
	m->l2_len = off;
	m->l3_len = hlen;
	return rte_ipv6_frag_reassemble_packet(r->tbl, &r->dr, m, now, ip6, fh);
}

static uint16_t
proc_reassembly_burst(struct pk_stage *s, struct pk_stage_counters *c,
		      struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	struct proc_reassembly *r = arg;
	uint64_t now = rte_rdtsc();
	struct rte_mbuf *m;
	rte_be16_t type;
	uint16_t i, kept = 0;
	bool bad;
	int off;

	RTE_SET_USED(s);
	for (i = 0; i < n; i++) {
		m = pkts[i];
		bad = false;
		off = pk_flow_l3_offset(m, &type);
		if (off >= 0 && type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
			m = proc_reassembly_v4(r, m, off, now, &bad);
		else if (off >= 0 && type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
			m = proc_reassembly_v6(r, m, off, now, &bad);
		if (bad)
			pk_stage_drop(c, PK_DROP_MALFORMED, pkts[i]);
		else if (m != NULL) /* NULL: held, or on the death row */
			pkts[kept++] = m;
		if (r->dr.cnt >= REASM_DR_HIGH)
			proc_reassembly_flush(r, c);
	}
	rte_ip_frag_table_del_expired_entries(r->tbl, &r->dr, now);
	proc_reassembly_flush(r, c);
	return kept;
}

static void
proc_reassembly_destroy(struct pk_stage *s)
{
	struct proc_reassembly *r = pk_proc_priv(s);

	rte_ip_frag_free_death_row(&r->dr, 0);
	if (r->tbl != NULL)
		rte_ip_frag_table_destroy(r->tbl); /* frees held fragments */
	pk_stage_free(s);
}

static const struct pk_stage_ops proc_reassembly_ops = {
	.kind = "proc_reassembly",
	.push = pk_proc_push,
	.pull = pk_proc_pull,
	.destroy = proc_reassembly_destroy,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL | PK_STAGE_CAP_FWD_PUSH |
		PK_STAGE_CAP_FWD_PULL,
};

static struct pk_stage *
proc_reassembly_create(const char *name, const struct rte_kvargs *kv,
		       int socket_id)
{
	uint64_t flows = 4096, timeout_ms = 1000;
	struct proc_reassembly *r;
	uint32_t sflags = 0;
	struct pk_stage *s;

	if (pk_stage_arg_u64(kv, "flows", 1, 1u << 20, &flows) != 0 ||
	    pk_stage_arg_u64(kv, "timeout_ms", 1, 60000, &timeout_ms) != 0 ||
	    pk_stage_args_flags(kv, &sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* one datagram out of several fragments: out is counted, not derived */
	s = pk_proc_create_priv(&proc_reassembly_ops, name,
				proc_reassembly_burst, sizeof(*r),
				sflags | PK_STAGE_F_COUNT_OUT, socket_id);
	if (s == NULL)
		return NULL;
	r = pk_proc_priv(s);
	/* buckets of 4, half as many as flows: the table holds 2x flows */
	r->tbl = rte_ip_frag_table_create(RTE_MAX(flows / 2, (uint64_t)1),
					  REASM_BUCKET_ENTRIES, flows,
					  rte_get_tsc_hz() / 1000 * timeout_ms,
					  socket_id);
	if (r->tbl == NULL) {
		PK_LOG(ERR, "%s: fragment table for %" PRIu64 " flows: %s",
		       name, flows, rte_strerror(rte_errno));
		proc_reassembly_destroy(s);
		rte_errno = ENOMEM;
		return NULL;
	}
	return s;
}

static const char *const proc_reassembly_args[] = { "flows", "timeout_ms",
						     NULL };
static struct pk_stage_kind proc_reassembly_kind = {
	.name = "proc_reassembly",
	.help = "reassembles IPv4/IPv6 fragments (rte_ip_frag, bounded table)",
	.args = proc_reassembly_args,
	.caps = PK_PROC_CAPS,
	.create = proc_reassembly_create,
};
PK_STAGE_KIND_REGISTER(proc_reassembly_kind);
