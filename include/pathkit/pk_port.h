/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PORT_H
#define PK_PORT_H

/**
 * @file
 * Ports: an ethdev RX queue as a pull stage (kind "port_rx"), a TX queue as a
 * push stage (kind "port_tx"), and a helper that sets a port up.
 *
 * Ownership: pulled packets belong to the caller. TX push returns what the
 * NIC took, exactly as rte_eth_tx_burst(); refused packets (counted as "full")
 * stay with the caller unchanged, so the caller may retry. Destroying an RX or
 * TX stage does not stop the port: pk_port_close() does.
 *
 * Threads: as ethdev: one thread per RX queue and per TX queue at a time.
 *
 * Arguments: `port=<id or device name>` `queue=<id, default 0>`
 * `bytes=<0|1, default 0>` (rte_eth_stats_get() already counts a port's bytes)
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How to set a port up. Zero fields take the defaults shown. */
struct pk_port_conf {
	uint16_t nb_rxq;          /**< RX queues (1) */
	uint16_t nb_txq;          /**< TX queues (1) */
	uint16_t nb_rxd;          /**< RX descriptors per queue (1024) */
	uint16_t nb_txd;          /**< TX descriptors per queue (1024) */
	struct rte_mempool *mp;   /**< pool RX fills from (required) */
	bool promiscuous;         /**< set promiscuous mode */
	bool rss;                 /**< RSS on IP/TCP/UDP when nb_rxq > 1 */
	unsigned int link_wait_ms; /**< wait up to this long for link up (0: don't) */
};

/**
 * Configure a port, set its queues up and start it.
 * @param port_id the port
 * @param conf its setup
 * @return 0, or a negative errno: -EINVAL (bad port or conf, no mempool),
 *   -ETIMEDOUT (link_wait_ms passed with link down; the port is started),
 *   or what ethdev returned.
 */
int pk_port_setup(uint16_t port_id, const struct pk_port_conf *conf);

/**
 * Stop and close a port; RX and TX stages on it must be destroyed first.
 * @return 0, or a negative errno from ethdev.
 */
int pk_port_close(uint16_t port_id);

/**
 * Find a port by id ("0") or device name ("net_null0").
 * @return 0 with *port_id set, or -ENODEV.
 */
int pk_port_lookup(const char *name, uint16_t *port_id);

/**
 * Create an RX stage: pulling it receives a burst from the queue.
 * @return the stage, or NULL with rte_errno EINVAL (bad port or queue), ENOMEM.
 */
struct pk_stage *pk_port_rx_create(const char *name, uint16_t port_id,
				   uint16_t queue_id, uint32_t sflags);

/**
 * Create a TX stage: pushing into it transmits on the queue.
 * @return the stage, or NULL with rte_errno EINVAL (bad port or queue), ENOMEM.
 */
struct pk_stage *pk_port_tx_create(const char *name, uint16_t port_id,
				   uint16_t queue_id, uint32_t sflags);

/**
 * The ethdev queue behind a port stage, for a thread's fused run
 * (pk_thread_driver.h): it calls rte_eth_rx_burst() or rte_eth_tx_burst()
 * on that queue itself and counts as the stage's pull or push would, per
 * burst: a port_rx's in.pkts (its out is derived from in when read), a
 * port_tx's in.pkts and in.refused[PK_DROP_FULL].
 * @param s a stage (any kind)
 * @param rx true: is s a port_rx stage; false: a port_tx stage
 * @param port_id, queue_id set when it is
 * @return true if s is a port stage of that direction counting no bytes
 *   (with bytes=1 each packet's length is read: its own pull or push does
 *   that); false otherwise, or s NULL. No errno.
 * Threads: any; reads what the stage's create set.
 */
bool pk_port_queue_of(const struct pk_stage *s, bool rx, uint16_t *port_id,
		      uint16_t *queue_id);

#ifdef __cplusplus
}
#endif

#endif /* PK_PORT_H */
