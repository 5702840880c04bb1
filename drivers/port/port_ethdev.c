/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_rx, port_tx: an ethdev queue as a stage.
 * port_rx pull: rte_eth_rx_burst(); pushes are refused.
 * port_tx push: rte_eth_tx_burst(); what the NIC refused stays with the
 *   caller, unchanged (counted "full"), so the caller may retry.
 * destroy: frees the stage only; the port stays up (pk_port_close()).
 * threads: one thread per queue at a time, as ethdev.
 * args: port=<id|device name> queue=<id, 0> bytes=<0|1, 0: rte_eth_stats
 *   already counts a port's bytes; counting them here costs a read of
 *   every mbuf>
 * stats: rx: in = out = received (out derived: one counter a burst).
 *   tx: in = sent, full.
 * A thread's fused run finds the queue with pk_port_queue_of() and calls
 * rte_eth_rx_burst()/rte_eth_tx_burst() itself, counting as these do.
 */
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_port.h>
#include <pathkit/pk_stage_driver.h>

struct port_ethdev {
	struct pk_stage stage;
	uint16_t port_id;
	uint16_t queue_id;
};

static inline struct port_ethdev *
port_ethdev_of(struct pk_stage *s)
{
	return (struct port_ethdev *)s;
}

static uint16_t
port_rx_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct port_ethdev *p = port_ethdev_of(s);
	uint16_t n = rte_eth_rx_burst(p->port_id, p->queue_id, pkts, max);
	uint64_t bytes;

	if (n == 0)
		return 0;
	pk_counter_add(&s->in.pkts, n); /* out is in: port_rx_stats_adjust() */
	if (unlikely(s->flags & PK_STAGE_F_BYTES)) {
		bytes = pk_burst_bytes(pkts, n);
		pk_counter_add(&s->in.bytes, bytes);
	}
	return n;
}

/* A port_rx hands on all it receives: its out is its in, not counted. */
static void
port_rx_stats_adjust(const struct pk_stage *s, struct pk_stage_stats *st)
{
	RTE_SET_USED(s);
	st->out_pkts = st->in_pkts;
	st->out_bytes = st->in_bytes;
}

static uint16_t
port_tx_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct port_ethdev *p = port_ethdev_of(s);
	/* bytes before the NIC owns them: it may free them at once */
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	uint16_t k;

	k = rte_eth_tx_burst(p->port_id, p->queue_id, pkts, n);
	pk_stage_count_push(s, pkts, n, k, bytes);
	return k;
}

static const struct pk_stage_ops port_rx_ops = {
	.kind = "port_rx",
	.pull = port_rx_pull,
	.destroy = pk_stage_free,
	.stats_adjust = port_rx_stats_adjust,
	.caps = PK_STAGE_CAP_PULL,
};

static const struct pk_stage_ops port_tx_ops = {
	.kind = "port_tx",
	.push = port_tx_push,
	.destroy = pk_stage_free,
	.caps = PK_STAGE_CAP_PUSH,
};

bool
pk_port_queue_of(const struct pk_stage *s, bool rx, uint16_t *port_id,
		 uint16_t *queue_id)
{
	const struct port_ethdev *p = (const struct port_ethdev *)s;

	if (s == NULL || s->ops != (rx ? &port_rx_ops : &port_tx_ops) ||
	    (s->flags & PK_STAGE_F_BYTES))
		return false;
	*port_id = p->port_id;
	*queue_id = p->queue_id;
	return true;
}

static struct pk_stage *
port_ethdev_create(const struct pk_stage_ops *ops, const char *name,
		   uint16_t port_id, uint16_t queue_id, uint32_t sflags)
{
	struct rte_eth_dev_info info;
	struct pk_stage *s;
	uint16_t nb_q;

	if (!rte_eth_dev_is_valid_port(port_id) ||
	    rte_eth_dev_info_get(port_id, &info) != 0) {
		PK_LOG(ERR, "%s: no port %u", name != NULL ? name : "(null)",
		       port_id);
		rte_errno = EINVAL;
		return NULL;
	}
	nb_q = ops == &port_rx_ops ? info.nb_rx_queues : info.nb_tx_queues;
	if (queue_id >= nb_q) {
		PK_LOG(ERR, "%s: port %u has %u %s queues, no queue %u",
		       name != NULL ? name : "(null)", port_id, nb_q,
		       ops == &port_rx_ops ? "rx" : "tx", queue_id);
		rte_errno = EINVAL;
		return NULL;
	}
	s = pk_stage_alloc(sizeof(struct port_ethdev), ops, name, sflags,
			   rte_eth_dev_socket_id(port_id));
	if (s == NULL)
		return NULL;
	port_ethdev_of(s)->port_id = port_id;
	port_ethdev_of(s)->queue_id = queue_id;
	return s;
}

struct pk_stage *
pk_port_rx_create(const char *name, uint16_t port_id, uint16_t queue_id,
		  uint32_t sflags)
{
	return port_ethdev_create(&port_rx_ops, name, port_id, queue_id, sflags);
}

struct pk_stage *
pk_port_tx_create(const char *name, uint16_t port_id, uint16_t queue_id,
		  uint32_t sflags)
{
	return port_ethdev_create(&port_tx_ops, name, port_id, queue_id, sflags);
}

static int
port_ethdev_args(const char *name, const struct rte_kvargs *kv,
		 uint16_t *port_id, uint16_t *queue_id, uint32_t *sflags)
{
	uint64_t q = 0;

	if (rte_kvargs_count(kv, "port") != 1 ||
	    pk_port_lookup(rte_kvargs_get(kv, "port"), port_id) != 0) {
		PK_LOG(ERR, "%s: needs port=<id or device name> of a port "
		       "that exists", name);
		return -EINVAL;
	}
	if (pk_stage_arg_u64(kv, "queue", 0, UINT16_MAX, &q) != 0)
		return -EINVAL;
	*queue_id = (uint16_t)q;
	*sflags = 0;
	return pk_stage_args_flags(kv, sflags);
}

static struct pk_stage *
port_rx_create_kv(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	uint16_t port_id, queue_id;
	uint32_t sflags;

	RTE_SET_USED(socket_id); /* the port's socket decides */
	if (port_ethdev_args(name, kv, &port_id, &queue_id, &sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_port_rx_create(name, port_id, queue_id, sflags);
}

static struct pk_stage *
port_tx_create_kv(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	uint16_t port_id, queue_id;
	uint32_t sflags;

	RTE_SET_USED(socket_id);
	if (port_ethdev_args(name, kv, &port_id, &queue_id, &sflags) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_port_tx_create(name, port_id, queue_id, sflags);
}

static const char *const port_ethdev_args_list[] = { "port", "queue", NULL };

static struct pk_stage_kind port_rx_kind = {
	.name = "port_rx",
	.help = "receives from an ethdev RX queue (pull)",
	.args = port_ethdev_args_list,
	.caps = PK_STAGE_CAP_PULL,
	.create = port_rx_create_kv,
};

static struct pk_stage_kind port_tx_kind = {
	.name = "port_tx",
	.help = "transmits on an ethdev TX queue (push)",
	.args = port_ethdev_args_list,
	.caps = PK_STAGE_CAP_PUSH,
	.create = port_tx_create_kv,
};

PK_STAGE_KIND_REGISTER(port_rx_kind);
PK_STAGE_KIND_REGISTER(port_tx_kind);
