/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_noop: processing stage that passes packets on unchanged.
 * push: to next.  pull: from prev.  For wiring, tests and overhead benchmarks.
 * threads: one pusher or puller at a time.  args: bytes=<0|1>
 * stats: in, out
 */
#include <rte_errno.h>

#include <pathkit/pk_proc_driver.h>

static uint16_t
proc_noop_burst(struct pk_stage *s, struct pk_stage_counters *c,
		struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	RTE_SET_USED(s);
	RTE_SET_USED(c);
	RTE_SET_USED(pkts);
	RTE_SET_USED(arg);
	return n;
}

static const struct pk_stage_ops proc_noop_ops = PK_PROC_OPS("proc_noop");

static struct pk_stage *
proc_noop_create(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	uint32_t sflags = 0;

	if (pk_stage_args_flags(kv, &sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_proc_create_priv(&proc_noop_ops, name, proc_noop_burst, 0,
				   sflags, socket_id);
}

static struct pk_stage_kind proc_noop_kind = {
	.name = "proc_noop",
	.help = "passes packets on unchanged",
	.caps = PK_PROC_CAPS,
	.create = proc_noop_create,
};
PK_STAGE_KIND_REGISTER(proc_noop_kind);
