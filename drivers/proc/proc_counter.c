/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_counter: counts packets and bytes passing through; changes nothing.
 * push: count, then to next.  pull: from prev, then count.
 * threads: one pusher or puller at a time.  args: none (always counts bytes)
 * stats: in, out (with bytes)
 */
#include <rte_errno.h>

#include <pathkit/pk_proc_driver.h>

static uint16_t
proc_counter_burst(struct pk_stage *s, struct pk_stage_counters *c,
		   struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	RTE_SET_USED(s);
	RTE_SET_USED(c);
	RTE_SET_USED(pkts);
	RTE_SET_USED(arg);
	return n; /* the stage's own in/out counters are the count */
}

static const struct pk_stage_ops proc_counter_ops =
	PK_PROC_OPS("proc_counter");

static struct pk_stage *
proc_counter_create(const char *name, const struct rte_kvargs *kv,
		    int socket_id)
{
	uint32_t sflags = PK_STAGE_F_BYTES;

	if (pk_stage_args_flags(kv, &sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_proc_create_priv(&proc_counter_ops, name, proc_counter_burst,
				   0, sflags | PK_STAGE_F_BYTES, socket_id);
}

static struct pk_stage_kind proc_counter_kind = {
	.name = "proc_counter",
	.help = "counts packets and bytes",
	.caps = PK_PROC_CAPS,
	.create = proc_counter_create,
};
PK_STAGE_KIND_REGISTER(proc_counter_kind);
