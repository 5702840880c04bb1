/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port setup helper: configure, queues, start, promiscuous, link wait. The
 * RX and TX stages themselves are in drivers/port/port_ethdev.c.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_port.h>

#define PORT_DEFAULT_DESC 1024

/*
 * An id is digits only, as pk_parse_u64() reads them ("+1", " 1", "1x" and
 * 2^64 + 1 name no port); anything else must be a device's name, byte for
 * byte.
 */
int
pk_port_lookup(const char *name, uint16_t *port_id)
{
	uint64_t id;

	if (name == NULL || *name == '\0' || port_id == NULL)
		return -ENODEV;
	if (pk_parse_u64(name, 0, RTE_MAX_ETHPORTS - 1, &id) == 0 &&
	    rte_eth_dev_is_valid_port((uint16_t)id)) {
		*port_id = (uint16_t)id;
		return 0;
	}
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	return -ENODEV;
}

static int
port_configure(uint16_t port_id, const struct pk_port_conf *conf,
	       uint16_t *nb_rxd, uint16_t *nb_txd)
{
	struct rte_eth_conf eth_conf;
	struct rte_eth_dev_info info;
	int rc;

	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0)
		return rc;
	memset(&eth_conf, 0, sizeof(eth_conf));
	if (conf->rss && conf->nb_rxq > 1) {
		eth_conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		eth_conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		eth_conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	rc = rte_eth_dev_configure(port_id, conf->nb_rxq, conf->nb_txq,
				   &eth_conf);
	if (rc != 0)
		return rc;
	return rte_eth_dev_adjust_nb_rx_tx_desc(port_id, nb_rxd, nb_txd);
}

static int
port_wait_link(uint16_t port_id, unsigned int wait_ms)
{
	struct rte_eth_link link;
	unsigned int waited;

	for (waited = 0; waited <= wait_ms; waited += 10) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
		/* sleep, not rte_delay_ms(): a spinning lcore slows workers */
		rte_delay_us_sleep(10 * 1000);
	}
	return -ETIMEDOUT;
}

int
pk_port_setup(uint16_t port_id, const struct pk_port_conf *conf)
{
	struct pk_port_conf c;
	uint16_t q;
	int socket, rc;

	if (conf == NULL || conf->mp == NULL ||
	    !rte_eth_dev_is_valid_port(port_id)) {
		PK_LOG(ERR, "port %u: %s", port_id,
		       conf == NULL || conf->mp == NULL ? "no mempool given" :
							  "no such port");
		return -EINVAL;
	}
	c = *conf;
	c.nb_rxq = c.nb_rxq ? c.nb_rxq : 1;
	c.nb_txq = c.nb_txq ? c.nb_txq : 1;
	c.nb_rxd = c.nb_rxd ? c.nb_rxd : PORT_DEFAULT_DESC;
	c.nb_txd = c.nb_txd ? c.nb_txd : PORT_DEFAULT_DESC;
	socket = rte_eth_dev_socket_id(port_id);

	rc = port_configure(port_id, &c, &c.nb_rxd, &c.nb_txd);
	if (rc != 0) {
		PK_LOG(ERR, "port %u: configure %u rxq %u txq: %s", port_id,
		       c.nb_rxq, c.nb_txq, strerror(-rc));
		return rc;
	}
	for (q = 0; q < c.nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, c.nb_rxd, socket, NULL,
					    c.mp);
		if (rc != 0) {
			PK_LOG(ERR, "port %u: rx queue %u: %s", port_id, q,
			       strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < c.nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(port_id, q, c.nb_txd, socket, NULL);
		if (rc != 0) {
			PK_LOG(ERR, "port %u: tx queue %u: %s", port_id, q,
			       strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		PK_LOG(ERR, "port %u: start: %s", port_id, strerror(-rc));
		return rc;
	}
	if (c.promiscuous) {
		rc = rte_eth_promiscuous_enable(port_id);
		if (rc != 0 && rc != -ENOTSUP)
			PK_LOG(WARNING, "port %u: promiscuous: %s", port_id,
			       strerror(-rc));
	}
	if (c.link_wait_ms != 0 && port_wait_link(port_id, c.link_wait_ms)) {
		PK_LOG(WARNING, "port %u: link still down after %u ms", port_id,
		       c.link_wait_ms);
		return -ETIMEDOUT;
	}
	return 0;
}

int
pk_port_close(uint16_t port_id)
{
	int rc;

	if (!rte_eth_dev_is_valid_port(port_id))
		return -EINVAL;
	rc = rte_eth_dev_stop(port_id);
	if (rc != 0)
		PK_LOG(WARNING, "port %u: stop: %s", port_id, strerror(-rc));
	return rte_eth_dev_close(port_id);
}
