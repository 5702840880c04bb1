/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TEST_LIVE_H
#define PK_TEST_LIVE_H

/*
 * Steady numbered traffic through a running configuration, for the reload
 * test and benchmark (issue 18). A pthread (not an EAL lcore: the main lcore
 * stays the control thread, free to reload) sends UDP frames into one
 * ethdev port and receives them from another, with at most window packets
 * in flight (so no queue of the graph ever overflows: a loss is the
 * reload's). Each frame carries its flow, its sequence number in that flow
 * and the TSC when it was sent; the receiver counts every packet: in order,
 * duplicated (or late), gaps (lost or early), and the longest wait. Header
 * only (the benchmark does not link the cmocka fixture); no assert in the
 * thread.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define LIVE_FLOWS 8
#define LIVE_LEN 64
#define LIVE_OFF 42 /* payload: seq, flow (be32 each), TSC (8 bytes) */

struct live_traffic {
	/* set before live_start() */
	struct rte_mempool *mp;
	uint16_t in_port, out_port;
	unsigned int window;      /* packets in flight at most */
	uint16_t out_queues;      /* RX queues of out_port read (0: 1) */
	/* the thread's, read when it has stopped (or as a snapshot) */
	volatile bool stop;       /* stop sending; drain, then return */
	volatile bool reset_max;  /* the thread zeroes max_wait */
	uint64_t sent, recv, dup, gaps;
	volatile uint64_t max_wait; /* TSC cycles */
	uint32_t next_tx[LIVE_FLOWS], next_rx[LIVE_FLOWS];
	pthread_t th;
};

/* Frame k of flow f: dst port 9 or 10 (two demux keys), src by flow. */
static inline struct rte_mbuf *
live_frame(struct live_traffic *lt, unsigned int f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(lt->mp);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint32_t v[2];
	uint64_t now;
	char *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, LIVE_LEN);
	memset(p, 0, LIVE_LEN);
	((struct rte_ether_hdr *)p)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(LIVE_LEN - 14);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001u);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002u);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(2000 + f));
	udp->dst_port = rte_cpu_to_be_16((uint16_t)(9 + (f & 1)));
	udp->dgram_len = rte_cpu_to_be_16(LIVE_LEN - 34);
	v[0] = rte_cpu_to_be_32(lt->next_tx[f]++);
	v[1] = rte_cpu_to_be_32(f);
	now = rte_rdtsc();
	memcpy(p + LIVE_OFF, v, sizeof(v));
	memcpy(p + LIVE_OFF + 8, &now, sizeof(now));
	return m;
}

static inline void
live_check(struct live_traffic *lt, struct rte_mbuf *m, uint64_t now)
{
	const char *p = rte_pktmbuf_mtod(m, const char *);
	uint32_t v[2], seq, f;
	uint64_t t;

	memcpy(v, p + LIVE_OFF, sizeof(v));
	memcpy(&t, p + LIVE_OFF + 8, sizeof(t));
	seq = rte_be_to_cpu_32(v[0]);
	f = rte_be_to_cpu_32(v[1]);
	lt->recv++;
	if (f >= LIVE_FLOWS || seq < lt->next_rx[f]) {
		lt->dup++;
		return;
	}
	if (seq > lt->next_rx[f])
		lt->gaps++;
	lt->next_rx[f] = seq + 1;
	if (now - t > lt->max_wait)
		lt->max_wait = now - t;
}

static inline void *
live_main(void *arg)
{
	struct live_traffic *lt = arg;
	struct rte_mbuf *pend[32], *rx[32];
	uint64_t hz = rte_get_tsc_hz(), end = 0, now;
	unsigned int np = 0, f = 0, i, k;
	uint16_t n, q;

	for (;;) {
		/*
		 * Read once: were the two checks below to see it change, the
		 * drain's deadline would still be 0 and the thread would quit
		 * with packets in flight (a "loss" of the whole window).
		 */
		bool stop = lt->stop;

		if (lt->reset_max) {
			lt->max_wait = 0;
			lt->reset_max = false;
		}
		if (!stop && np == 0 && lt->sent - lt->recv < lt->window) {
			k = RTE_MIN(8u, lt->window -
				    (unsigned int)(lt->sent - lt->recv));
			for (np = 0; np < k; np++) {
				pend[np] = live_frame(lt, f);
				f = (f + 1) % LIVE_FLOWS;
				if (pend[np] == NULL)
					break;
			}
			lt->sent += np;
		}
		if (np > 0) { /* what the port refused goes first next time */
			n = rte_eth_tx_burst(lt->in_port, 0, pend, np);
			memmove(pend, pend + n, (np - n) * sizeof(pend[0]));
			np -= n;
		}
		for (q = 0; q < RTE_MAX(lt->out_queues, 1); q++) {
			n = rte_eth_rx_burst(lt->out_port, q, rx, RTE_DIM(rx));
			now = rte_rdtsc();
			for (i = 0; i < n; i++) {
				live_check(lt, rx[i], now);
				rte_pktmbuf_free(rx[i]);
			}
		}
		if (stop && end == 0)
			end = now + 5 * hz;
		if (stop && np == 0 && (lt->recv >= lt->sent || now > end))
			break;
	}
	return NULL;
}

static inline int
live_start(struct live_traffic *lt)
{
	lt->stop = false;
	return pthread_create(&lt->th, NULL, live_main, lt);
}

/* Stop sending, wait for what is in flight (5 s at most). */
static inline void
live_stop(struct live_traffic *lt)
{
	lt->stop = true;
	pthread_join(lt->th, NULL);
}

#endif /* PK_TEST_LIVE_H */
