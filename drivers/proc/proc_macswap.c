/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_macswap: swaps Ethernet source and destination addresses.
 * push: swap, then to next.  pull: from prev, then swap.
 * Frames shorter than an Ethernet header are dropped as "malformed".
 * threads: one pusher or puller at a time.  args: bytes=<0|1>
 * stats: in, out, malformed
 */
#include <rte_errno.h>
#include <rte_ether.h>

#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_stage_driver.h>

static uint16_t
proc_macswap_burst(struct pk_stage *s, struct pk_stage_counters *c,
		   struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	struct rte_ether_hdr *eh;
	struct rte_ether_addr tmp;
	uint16_t i, kept = 0;

	RTE_SET_USED(s);
	RTE_SET_USED(arg);
	for (i = 0; i < n; i++) {
		eh = pk_proc_ether_hdr(c, pkts[i]);
		if (eh == NULL)
			continue;
		rte_ether_addr_copy(&eh->src_addr, &tmp);
		rte_ether_addr_copy(&eh->dst_addr, &eh->src_addr);
		rte_ether_addr_copy(&tmp, &eh->dst_addr);
		pkts[kept++] = pkts[i];
	}
	return kept;
}

static const struct pk_stage_ops proc_macswap_ops =
	PK_PROC_OPS("proc_macswap");

static struct pk_stage *
proc_macswap_create(const char *name, const struct rte_kvargs *kv,
		    int socket_id)
{
	uint32_t sflags = 0;

	if (pk_stage_args_flags(kv, &sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_proc_create_priv(&proc_macswap_ops, name, proc_macswap_burst,
				   0, sflags, socket_id);
}

static struct pk_stage_kind proc_macswap_kind = {
	.name = "proc_macswap",
	.help = "swaps Ethernet source and destination addresses",
	.caps = PK_PROC_CAPS,
	.create = proc_macswap_create,
};
PK_STAGE_KIND_REGISTER(proc_macswap_kind);
