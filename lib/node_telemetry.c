/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of nodes: node.c keeps the list of live nodes (from
 * pk_node_create() until destroy, taken off first); this file reads it,
 * under the list's lock, to answer
 *   /pathkit/nodes          the names of the live nodes
 *   /pathkit/node,<name>    its interfaces, socket keys and shim counters
 * Owners' accounts are /pathkit/owners and /pathkit/owner,NAME. A name
 * matches one byte for byte; anything else answers null (-EINVAL or
 * -ENOENT), never another node's data.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include <pathkit/pk_demux.h>

#include "node_pvt.h"

static int
tel_node_name(const struct pk_node *n, void *arg)
{
	/* non-zero when full: the first RTE_TEL_MAX_ARRAY_ENTRIES */
	return rte_tel_data_add_array_string(arg, n->name);
}

static int
tel_nodes(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params != NULL)
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	node_live_apply(NULL, tel_node_name, d);
	return 0;
}

static int
tel_node_dict(const struct pk_node *n, void *arg)
{
	static const struct in6_addr none = IN6ADDR_ANY_INIT;
	struct rte_tel_data *d = arg;
	struct pk_node_stats st;
	char a[INET6_ADDRSTRLEN + 4];

	pk_node_stats_get(n, &st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", n->name);
	rte_tel_data_add_dict_u64(d, "uplink", n->uplink);
	if (n->tap != UINT16_MAX) {
		rte_tel_data_add_dict_u64(d, "tap_port", n->tap);
		rte_tel_data_add_dict_string(d, "tap_iface", n->tap_name);
	}
	inet_ntop(AF_INET, &n->addr4, a, sizeof(a));
	snprintf(a + strlen(a), sizeof(a) - strlen(a), "/%u", n->plen4);
	rte_tel_data_add_dict_string(d, "addr4", a);
	if (memcmp(&n->addr6, &none, sizeof(none)) != 0) {
		inet_ntop(AF_INET6, &n->addr6, a, sizeof(a));
		snprintf(a + strlen(a), sizeof(a) - strlen(a), "/%u",
			 n->plen6);
		rte_tel_data_add_dict_string(d, "addr6", a);
	}
	rte_tel_data_add_dict_u64(d, "keys",
		pk_demux_flow_count((struct pk_stage *)(uintptr_t)n->demux));
	rte_tel_data_add_dict_u64(d, "rx", st.rx);
	rte_tel_data_add_dict_u64(d, "stolen", st.stolen);
	rte_tel_data_add_dict_u64(d, "full", st.full);
	rte_tel_data_add_dict_u64(d, "exception", st.exception);
	rte_tel_data_add_dict_u64(d, "malformed", st.malformed);
	rte_tel_data_add_dict_u64(d, "tap_rx", st.tap_rx);
	rte_tel_data_add_dict_u64(d, "egress", st.egress);
	rte_tel_data_add_dict_u64(d, "tx", st.tx);
	rte_tel_data_add_dict_u64(d, "tx_dropped", st.tx_dropped);
	rte_tel_data_add_dict_u64(d, "sniffed", st.sniffed);
	rte_tel_data_add_dict_u64(d, "sniff_lost", st.sniff_lost);
	return 0;
}

static int
tel_node(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0' ||
	    strnlen(params, sizeof(((struct pk_node *)0)->name)) ==
		    sizeof(((struct pk_node *)0)->name))
		return -EINVAL;
	return node_live_apply(params, tel_node_dict, d);
}

RTE_INIT(pk_node_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/nodes", tel_nodes,
		"Returns the names of PathKit's live nodes. Takes no parameters");
	rte_telemetry_register_cmd("/pathkit/node", tel_node,
		"Returns a node's addresses, socket keys and shim counters. "
		"Parameters: the node's name");
}
