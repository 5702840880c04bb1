/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_ttl: decrements the IPv4 TTL (updating the header checksum
 * incrementally, RFC 1624) or the IPv6 hop limit, as a router does.
 * Packets whose TTL or hop limit would reach 0 are dropped as "expired";
 * IP headers cut short or with a bad version or IHL as "malformed". Other
 * ethertypes pass unchanged. Looks through up to two VLAN tags.
 * threads: one pusher or puller at a time.  args: bytes=<0|1>
 * stats: in, out, expired, malformed
 */
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_stage_driver.h>

enum proc_ttl_verdict { TTL_PASS, TTL_EXPIRED, TTL_MALFORMED };

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m the 16-bit word that changed. */
static inline rte_be16_t
proc_ttl_csum_update(rte_be16_t hc, uint16_t old_word, uint16_t new_word)
{
	uint32_t sum = (uint16_t)~rte_be_to_cpu_16(hc) + (uint16_t)~old_word +
		       new_word;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return rte_cpu_to_be_16((uint16_t)~sum);
}

static enum proc_ttl_verdict
proc_ttl_ipv4(struct rte_ipv4_hdr *ip, uint32_t room)
{
	uint16_t old_word, new_word;

	if (room < sizeof(*ip) || (ip->version_ihl >> 4) != 4 ||
	    (ip->version_ihl & 0xf) < 5 ||
	    room < (uint32_t)(ip->version_ihl & 0xf) * 4)
		return TTL_MALFORMED;
	if (ip->time_to_live <= 1)
		return TTL_EXPIRED;
	old_word = (uint16_t)(ip->time_to_live << 8 | ip->next_proto_id);
	ip->time_to_live--;
	new_word = (uint16_t)(ip->time_to_live << 8 | ip->next_proto_id);
	ip->hdr_checksum = proc_ttl_csum_update(ip->hdr_checksum, old_word,
						new_word);
	return TTL_PASS;
}

static enum proc_ttl_verdict
proc_ttl_ipv6(struct rte_ipv6_hdr *ip6, uint32_t room)
{
	if (room < sizeof(*ip6) ||
	    (rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
		return TTL_MALFORMED;
	if (ip6->hop_limits <= 1)
		return TTL_EXPIRED;
	ip6->hop_limits--;
	return TTL_PASS;
}

static enum proc_ttl_verdict
proc_ttl_one(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = m->data_len, off = sizeof(struct rte_ether_hdr);
	uint16_t type;
	int tags;

	if (len < off)
		return TTL_MALFORMED;
	type = ((struct rte_ether_hdr *)p)->ether_type;
	for (tags = 0; tags < 2 &&
	     (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
	      type == RTE_BE16(RTE_ETHER_TYPE_QINQ));
	     tags++) {
		if (len < off + sizeof(struct rte_vlan_hdr))
			return TTL_MALFORMED;
		type = ((struct rte_vlan_hdr *)(p + off))->eth_proto;
		off += sizeof(struct rte_vlan_hdr);
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return proc_ttl_ipv4((struct rte_ipv4_hdr *)(p + off), len - off);
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return proc_ttl_ipv6((struct rte_ipv6_hdr *)(p + off), len - off);
	return TTL_PASS;
}

static uint16_t
proc_ttl_burst(struct pk_stage *s, struct pk_stage_counters *c,
	       struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	uint16_t i, kept = 0;

	RTE_SET_USED(s);
	RTE_SET_USED(arg);
	for (i = 0; i < n; i++) {
		switch (proc_ttl_one(pkts[i])) {
		case TTL_PASS:
			pkts[kept++] = pkts[i];
			break;
		case TTL_EXPIRED:
			pk_stage_drop(c, PK_DROP_EXPIRED, pkts[i]);
			break;
		case TTL_MALFORMED:
			pk_stage_drop(c, PK_DROP_MALFORMED, pkts[i]);
			break;
		}
	}
	return kept;
}

static const struct pk_stage_ops proc_ttl_ops = PK_PROC_OPS("proc_ttl");

static struct pk_stage *
proc_ttl_create(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	uint32_t sflags = 0;

	if (pk_stage_args_flags(kv, &sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_proc_create_priv(&proc_ttl_ops, name, proc_ttl_burst, 0,
				   sflags, socket_id);
}

static struct pk_stage_kind proc_ttl_kind = {
	.name = "proc_ttl",
	.help = "decrements IPv4 TTL / IPv6 hop limit, drops expired packets",
	.caps = PK_PROC_CAPS,
	.create = proc_ttl_create,
};
PK_STAGE_KIND_REGISTER(proc_ttl_kind);
