/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A SILK node (pk_node.h): configuration and lifecycle (create, destroy,
 * start, stop), statistics, and the list of live nodes telemetry reads
 * (node_telemetry.c). The round is in node_run.c, the TAP in node_tap.c,
 * addresses and neighbours in node_neigh.c, what sockets borrow of a node
 * in node_pvt.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_string_fns.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_portmap.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_stage_worker.h>

#include "node_pvt.h"

#define NODE_DEFAULT_PLEN4 24
#define NODE_DEFAULT_PLEN6 64
#define NODE_DEFAULT_CAPACITY 65536
#define NODE_DEFAULT_SOCKET_QUEUE 256
#define NODE_DEFAULT_EGRESS 4096
#define NODE_TX_CKSUM (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | \
		       RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
		       RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
/* and what says whether a frame may be a chain (sock_frag.c) */
#define NODE_TX_OFFLOADS (NODE_TX_CKSUM | RTE_ETH_TX_OFFLOAD_MULTI_SEGS | \
			  RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)

/* Every node from create until destroy: unique names, read by telemetry. */
static struct pk_registry live_nodes = PK_REGISTRY_INITIALIZER(live_nodes);

/*
 * Defaults, then checks. The uplink must be configured with a queue of each
 * kind; that it is started is the caller's promise (22.11 does not say).
 */
static int
node_conf_check(const struct pk_node_conf *conf, struct pk_node_conf *c)
{
	struct rte_eth_dev_info info;
	size_t len;

	if (conf == NULL)
		return -EINVAL;
	*c = *conf;
	c->plen4 = c->plen4 ? c->plen4 : NODE_DEFAULT_PLEN4;
	c->plen6 = c->plen6 ? c->plen6 : NODE_DEFAULT_PLEN6;
	c->capacity = c->capacity ? c->capacity : NODE_DEFAULT_CAPACITY;
	c->socket_queue = c->socket_queue ? c->socket_queue :
					    NODE_DEFAULT_SOCKET_QUEUE;
	c->egress_queue = c->egress_queue ? c->egress_queue :
					    NODE_DEFAULT_EGRESS;
	len = c->name != NULL ? strnlen(c->name, 16) : 0;
	if (len == 0 || len > 15 || c->mp == NULL || c->addr4.s_addr == 0 ||
	    c->plen4 > 32 || c->plen6 > 128 || c->exception > PK_NODE_EXC_DROP ||
	    !rte_is_power_of_2(c->egress_queue) || c->egress_queue < 2 ||
	    (c->tap_name != NULL &&
	     (c->tap_name[0] == '\0' || strnlen(c->tap_name, 16) > 15))) {
		PK_LOG(ERR, "node %s: bad configuration",
		       len > 0 && len < 16 ? c->name : "?");
		return -EINVAL;
	}
	if (!rte_eth_dev_is_valid_port(c->uplink) ||
	    rte_eth_dev_info_get(c->uplink, &info) != 0 ||
	    info.nb_rx_queues == 0 || info.nb_tx_queues == 0) {
		PK_LOG(ERR, "node %s: uplink %u is not a set-up port", c->name,
		       c->uplink);
		return -EINVAL;
	}
	return 0;
}

/* Checksums the uplink computes on TX, and whether it takes chains: as it
 * was configured. */
static uint64_t
node_tx_offload(uint16_t port)
{
	struct rte_eth_conf ec;

	if (rte_eth_dev_conf_get(port, &ec) != 0)
		return 0;
	return ec.txmode.offloads & NODE_TX_OFFLOADS;
}

static int
node_build(struct pk_node *n, const struct pk_node_conf *c)
{
	struct pk_demux_conf dc = {
		.capacity = c->capacity, .socket_id = c->socket_id,
		.sflags = PK_STAGE_F_BYTES, /* malformed bytes: in - out */
	};
	char sname[PK_STAGE_NAMESIZE];
	int rc;

	rc = node_neigh_create(n);
	if (rc != 0)
		return rc;
	n->pm = pk_portmap_create(n->name);
	if (n->pm == NULL)
		return -rte_errno;
	if (c->exception == PK_NODE_EXC_TAP) {
		rc = node_tap_open(n, c);
		if (rc != 0)
			return rc;
	}
	snprintf(sname, sizeof(sname), "%s-demux", n->name);
	dc.name = sname;
	dc.miss = n->exc;
	n->demux = pk_demux_flow_create(&dc);
	if (n->demux == NULL)
		return -rte_errno;
	snprintf(sname, sizeof(sname), "%s-egress", n->name);
	n->egress = pk_queue_ring_create(sname, c->egress_queue,
					 PK_QUEUE_F_MP, 0, c->socket_id);
	if (n->egress == NULL)
		return -rte_errno;
	n->egress_cap = c->egress_queue - 1;
	if (c->reassembly) {
		snprintf(sname, sizeof(sname), "%s-reasm", n->name);
		n->reasm = pk_stage_create("proc_reassembly", sname, NULL,
					   c->socket_id);
		if (n->reasm == NULL)
			return -rte_errno;
		rc = pk_stage_link(n->reasm, n->demux);
		if (rc != 0)
			return rc;
	}
	return pk_registry_add(&live_nodes, &n->live, n->name, true);
}

struct pk_node *
pk_node_create(const struct pk_node_conf *conf)
{
	struct pk_node_conf c;
	struct pk_node *n;
	int rc;

	rc = node_conf_check(conf, &c);
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	n = rte_zmalloc_socket("pk_node", sizeof(*n), RTE_CACHE_LINE_SIZE,
			       c.socket_id);
	if (n == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	strlcpy(n->name, c.name, sizeof(n->name));
	if (c.tap_name != NULL)
		strlcpy(n->tap_name, c.tap_name, sizeof(n->tap_name));
	else /* "pk-<name>", cut to an interface name's 15 characters */
		snprintf(n->tap_name, sizeof(n->tap_name), "pk-%.12s", c.name);
	n->uplink = c.uplink;
	n->tap = UINT16_MAX;
	n->mp = c.mp;
	n->addr4 = c.addr4;
	n->plen4 = c.plen4;
	n->addr6 = c.addr6;
	n->plen6 = c.plen6;
	n->gateway4 = c.gateway4;
	n->socket_queue = c.socket_queue;
	n->exception = c.exception;
	n->lcore = RTE_MAX_LCORE;
	rte_spinlock_init(&n->reinject_lock);
	n->tx_offload = node_tx_offload(c.uplink);
	rc = rte_eth_macaddr_get(c.uplink, &n->mac);
	if (rc == 0)
		rc = node_build(n, &c);
	if (rc != 0) {
		PK_LOG(ERR, "node %s: cannot create: %s", c.name,
		       rte_strerror(-rc));
		pk_node_destroy(n);
		rte_errno = -rc;
		return NULL;
	}
	return n;
}

/* The round's thread registered as a reader: unregister it (stopped). */
static void
node_reader_drop(struct pk_node *n)
{
	if (n->reader && n->demux != NULL)
		pk_demux_flow_reader_unregister(n->demux, NODE_READER);
	n->reader = 0;
}

void
pk_node_destroy(struct pk_node *n)
{
	if (n == NULL)
		return;
	/* off the list first: telemetry reads it no more */
	pk_registry_del(&live_nodes, &n->live);
	if (n->lcore != RTE_MAX_LCORE)
		pk_node_stop(n);
	node_reader_drop(n);
	node_kports_free(n);        /* their keys and paths, before the demux */
	if (n->reasm != NULL)
		pk_stage_unlink(n->reasm);
	pk_stage_destroy(n->reasm);
	pk_stage_destroy(n->demux); /* leaves its targets and miss alone */
	node_tap_close(n);          /* the miss stage, the TAP port */
	pk_stage_destroy(n->egress); /* frees what it holds */
	if (n->frag_pool != NULL && !rte_mempool_full(n->frag_pool))
		/* the uplink still holds fragments: leak rather than break */
		PK_LOG(ERR, "node %s: fragments still out: their pool stays",
		       n->name);
	else
		rte_mempool_free(n->frag_pool);
	pk_portmap_destroy(n->pm);
	node_neigh_destroy(n);
	rte_free(n);
}

static int
node_loop(void *arg)
{
	struct pk_node *n = arg;

	while (!__atomic_load_n(&n->quit, __ATOMIC_ACQUIRE))
		if (pk_node_run(n) == 0)
			rte_pause();
	return 0;
}

int
pk_node_start(struct pk_node *n, unsigned int lcore)
{
	int rc;

	if (n == NULL || lcore >= RTE_MAX_LCORE ||
	    !rte_lcore_is_enabled(lcore) || lcore == rte_get_main_lcore())
		return -EINVAL;
	if (n->lcore != RTE_MAX_LCORE)
		return -EALREADY;
	if (rte_eal_get_lcore_state(lcore) != WAIT)
		return -EBUSY;
	__atomic_store_n(&n->quit, 0, __ATOMIC_RELAXED);
	n->lcore = lcore; /* before the launch: its rounds check it */
	rc = rte_eal_remote_launch(node_loop, n, lcore);
	if (rc != 0) {
		n->lcore = RTE_MAX_LCORE;
		return rc;
	}
	return 0;
}

int
pk_node_stop(struct pk_node *n)
{
	if (n == NULL || n->lcore == RTE_MAX_LCORE)
		return -EINVAL;
	__atomic_store_n(&n->quit, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(n->lcore);
	n->lcore = RTE_MAX_LCORE;
	node_reader_drop(n);
	return 0;
}

struct pk_portmap *
pk_node_portmap(struct pk_node *n)
{
	return n != NULL ? n->pm : NULL;
}

struct pk_stage *
pk_node_demux(struct pk_node *n)
{
	return n != NULL ? n->demux : NULL;
}

uint16_t
pk_node_tap_port(const struct pk_node *n)
{
	return n != NULL ? n->tap : UINT16_MAX;
}

int
pk_node_stats_get(const struct pk_node *n, struct pk_node_stats *st)
{
	if (n == NULL || st == NULL)
		return -EINVAL;
	st->rx = pk_counter_load(&n->st.rx);
	st->stolen = pk_counter_load(&n->st.stolen);
	st->full = pk_counter_load(&n->st.full);
	st->exception = pk_counter_load(&n->st.exception);
	st->malformed = pk_counter_load(&n->st.malformed);
	st->tap_rx = pk_counter_load(&n->st.tap_rx);
	st->egress = pk_counter_load(&n->st.egress);
	st->tx = pk_counter_load(&n->st.tx);
	st->tx_dropped = pk_counter_load(&n->st.tx_dropped);
	st->sniffed = pk_counter_load(&n->st.sniffed);
	st->sniff_lost = pk_counter_load(&n->st.sniff_lost);
	return 0;
}

/* One line per owner's row with traffic or sockets, every number named:
 * "  OWNER ROW sent P/B received P/B dropped P/B sockets OPENED/CLOSED". */
static int
node_print_owner(uint32_t id, const char *name, void *arg)
{
	struct pk_owner_stats os;
	const struct pk_acct *a;
	unsigned int r;
	FILE *f = arg;

	if (pk_owner_stats_get(id, &os) != 0)
		return 0; /* destroyed meanwhile */
	for (r = PK_ACCT_NONE + 1; r < PK_ACCT_ROWS; r++) {
		a = &os.row[r];
		if (a->pkts[PK_ACCT_SENT] + a->pkts[PK_ACCT_RECEIVED] +
		    a->pkts[PK_ACCT_DROPPED] + a->opened + a->closed == 0)
			continue;
		fprintf(f, "  %-16s %-8s sent %" PRIu64 "/%" PRIu64
			" received %" PRIu64 "/%" PRIu64 " dropped %" PRIu64
			"/%" PRIu64 " sockets %" PRIu64 "/%" PRIu64 "\n", name,
			pk_acct_row_name(r), a->pkts[PK_ACCT_SENT],
			a->bytes[PK_ACCT_SENT], a->pkts[PK_ACCT_RECEIVED],
			a->bytes[PK_ACCT_RECEIVED], a->pkts[PK_ACCT_DROPPED],
			a->bytes[PK_ACCT_DROPPED], a->opened, a->closed);
	}
	return 0;
}

int
pk_node_stats_print(FILE *f, const struct pk_node *n)
{
	struct pk_node_stats st;

	if (f == NULL || pk_node_stats_get(n, &st) != 0)
		return -EIO;
	pk_owner_foreach(node_print_owner, f);
	fprintf(f, "node %s: rx %" PRIu64 " stolen %" PRIu64 " full %" PRIu64
		" exception %" PRIu64 " malformed %" PRIu64 " tap_rx %" PRIu64
		" egress %" PRIu64 " tx %" PRIu64 " tx_dropped %" PRIu64
		" sniffed %" PRIu64 " sniff_lost %" PRIu64 "\n",
		n->name, st.rx, st.stolen, st.full, st.exception,
		st.malformed, st.tap_rx, st.egress, st.tx, st.tx_dropped,
		st.sniffed, st.sniff_lost);
	return ferror(f) ? -EIO : 0;
}

struct node_walk {
	int (*fn)(const struct pk_node *n, void *arg);
	void *arg;
};

static int
node_walk_live(struct pk_registry_node *rn, void *arg)
{
	struct node_walk *w = arg;

	return w->fn(container_of(rn, struct pk_node, live), w->arg);
}

int
node_live_apply(const char *name,
		int (*fn)(const struct pk_node *n, void *arg), void *arg)
{
	struct node_walk w = { .fn = fn, .arg = arg };

	if (name == NULL)
		return pk_registry_foreach(&live_nodes, node_walk_live, &w);
	return pk_registry_apply(&live_nodes, name, node_walk_live, &w);
}
