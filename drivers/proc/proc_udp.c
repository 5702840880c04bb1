/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_udp: the UDP processing of a socket's receive path (SILK's
 * PathLinuxNetStack): checks each datagram's Ethernet (up to two VLAN tags),
 * IPv4 or IPv6 and UDP headers (lengths, checksums; see pk_udp_input()),
 * trims Ethernet padding and strips the headers, leaving them in the headroom
 * for pk_udp_peer(). What passes goes on as one burst, in order.
 * Frames that fail a check (not UDP included: the demux sends only UDP
 * here) are freed and counted "malformed"; fragments "fragment".
 * push: process, then to next; what next refuses goes back stripped, and
 *   passes unchanged if pushed again.  pull: from prev, then process.
 * threads: one pusher or puller at a time.
 * args: csum=<0|1, 1> (0: checksums not looked at) bytes=<0|1>
 * stats: in, out, malformed, fragment
 */
#include <rte_errno.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_stage_driver.h>
#include <pathkit/pk_udp.h>

struct proc_udp {
	uint32_t in_flags; /* PK_UDP_IN_* */
};

static uint16_t
proc_udp_burst(struct pk_stage *s, struct pk_stage_counters *c,
	       struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	const struct proc_udp *pu = arg;
	uint16_t i, kept = 0, bad = 0, frag = 0;
	enum pk_udp_result r;

	RTE_SET_USED(s);
	for (i = 0; i < n; i++) {
		r = pk_udp_input(pkts[i], pu->in_flags);
		if (likely(r == PK_UDP_OK)) {
			pkts[kept++] = pkts[i];
			continue;
		}
		if (r == PK_UDP_FRAGMENT)
			frag++;
		else
			bad++;
		pk_stage_drop_free(c, r == PK_UDP_FRAGMENT ? PK_DROP_FRAGMENT :
				   PK_DROP_MALFORMED, pkts[i]);
	}
	/* counted once per burst, not per packet */
	if (unlikely(bad != 0))
		pk_stage_count_drop(c, PK_DROP_MALFORMED, bad);
	if (unlikely(frag != 0))
		pk_stage_count_drop(c, PK_DROP_FRAGMENT, frag);
	return kept;
}

static const struct pk_stage_ops proc_udp_ops = PK_PROC_OPS("proc_udp");

static struct pk_stage *
proc_udp_create(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	struct pk_stage *s;
	uint32_t sflags = 0;
	uint64_t csum = 1;
	int rc;

	if (pk_stage_arg_u64(kv, "csum", 0, 1, &csum) != 0 ||
	    pk_stage_args_flags(kv, &sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	rc = pk_udp_init(); /* the mark of stripped datagrams */
	if (rc != 0) {
		PK_LOG(ERR, "%s: mbuf flag %s: %s", name, PK_UDP_DYNFLAG_NAME,
		       rte_strerror(-rc));
		rte_errno = -rc;
		return NULL;
	}
	s = pk_proc_create_priv(&proc_udp_ops, name, proc_udp_burst,
				sizeof(struct proc_udp), sflags, socket_id);
	if (s != NULL && csum == 0)
		((struct proc_udp *)pk_proc_priv(s))->in_flags =
			PK_UDP_IN_NO_CSUM;
	return s;
}

static const char *const proc_udp_args[] = { "csum", NULL };
static struct pk_stage_kind proc_udp_kind = {
	.name = "proc_udp",
	.help = "checks UDP datagrams and strips their headers",
	.args = proc_udp_args,
	.caps = PK_PROC_CAPS,
	.create = proc_udp_create,
};
PK_STAGE_KIND_REGISTER(proc_udp_kind);
