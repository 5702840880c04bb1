/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_ether: rewrites Ethernet source and/or destination addresses.
 * push: rewrite, then to next.  pull: from prev, then rewrite.
 * Frames shorter than an Ethernet header are dropped as "malformed".
 * threads: one pusher or puller at a time.
 * args: src=<MAC> dst=<MAC> (at least one) bytes=<0|1>
 * stats: in, out, malformed
 */
#include <rte_errno.h>
#include <rte_ether.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_stage_driver.h>

struct proc_ether {
	struct rte_ether_addr src;
	struct rte_ether_addr dst;
	bool set_src;
	bool set_dst;
};

static uint16_t
proc_ether_burst(struct pk_stage *s, struct pk_stage_counters *c,
		 struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	const struct proc_ether *pe = arg;
	struct rte_ether_hdr *eh;
	uint16_t i, kept = 0;

	RTE_SET_USED(s);
	for (i = 0; i < n; i++) {
		eh = pk_proc_ether_hdr(c, pkts[i]);
		if (eh == NULL)
			continue;
		if (pe->set_src)
			rte_ether_addr_copy(&pe->src, &eh->src_addr);
		if (pe->set_dst)
			rte_ether_addr_copy(&pe->dst, &eh->dst_addr);
		pkts[kept++] = pkts[i];
	}
	return kept;
}

static const struct pk_stage_ops proc_ether_ops = PK_PROC_OPS("proc_ether");

static int
proc_ether_parse_addr(const char *name, const struct rte_kvargs *kv,
		      const char *key, struct rte_ether_addr *a, bool *set)
{
	const char *v;

	if (rte_kvargs_count(kv, key) == 0)
		return 0;
	v = rte_kvargs_get(kv, key);
	if (rte_kvargs_count(kv, key) > 1 || v == NULL ||
	    rte_ether_unformat_addr(v, a) != 0) {
		PK_LOG(ERR, "%s: %s=%s is not a MAC address", name, key,
		       v != NULL ? v : "");
		return -EINVAL;
	}
	*set = true;
	return 0;
}

struct pk_stage *
pk_proc_ether_create(const char *name, const struct rte_ether_addr *src,
		     const struct rte_ether_addr *dst, uint32_t sflags,
		     int socket_id)
{
	struct proc_ether *pe;
	struct pk_stage *s;

	if (src == NULL && dst == NULL) {
		PK_LOG(ERR, "%s: proc_ether needs src, dst or both",
		       name != NULL ? name : "(null)");
		rte_errno = EINVAL;
		return NULL;
	}
	s = pk_proc_create_priv(&proc_ether_ops, name, proc_ether_burst,
				sizeof(*pe), sflags, socket_id);
	if (s == NULL)
		return NULL;
	pe = pk_proc_priv(s);
	if (src != NULL) {
		pe->src = *src;
		pe->set_src = true;
	}
	if (dst != NULL) {
		pe->dst = *dst;
		pe->set_dst = true;
	}
	return s;
}

static struct pk_stage *
proc_ether_create(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	struct proc_ether pe = { 0 };
	uint32_t sflags = 0;

	if (proc_ether_parse_addr(name, kv, "src", &pe.src, &pe.set_src) != 0 ||
	    proc_ether_parse_addr(name, kv, "dst", &pe.dst, &pe.set_dst) != 0 ||
	    pk_stage_args_flags(kv, &sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_proc_ether_create(name, pe.set_src ? &pe.src : NULL,
				    pe.set_dst ? &pe.dst : NULL, sflags,
				    socket_id);
}

static const char *const proc_ether_args[] = { "src", "dst", NULL };
static struct pk_stage_kind proc_ether_kind = {
	.name = "proc_ether",
	.help = "rewrites Ethernet source and/or destination addresses",
	.args = proc_ether_args,
	.caps = PK_PROC_CAPS,
	.create = proc_ether_create,
};
PK_STAGE_KIND_REGISTER(proc_ether_kind);
