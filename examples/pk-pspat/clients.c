/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-pspat's clients: a thread each, on its own lcore or a continuation on
 * the main lcore's runner, pulling its port (--source=ports) or generating
 * UDP frames (--source=gen), pushing into its mailbox; and the classifiers
 * that put a packet in its flow's queue (--flow-queues, two levels).
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>

#include "pk_pspat.h"

struct client clients[MAX_CLIENTS];

/* A UDP frame of pkt_size bytes from client c. */
static struct rte_mbuf *
gen_frame(uint32_t c)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, opt.pkt_size);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eh, 0, sizeof(*eh) + sizeof(*ip) + sizeof(*udp));
	eh->src_addr.addr_bytes[0] = 0x02;
	eh->src_addr.addr_bytes[5] = (uint8_t)c;
	eh->dst_addr.addr_bytes[0] = 0x02;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(opt.pkt_size - sizeof(*eh));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 1, c & 0xff));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 2, 1));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(1024 + c);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(opt.pkt_size - sizeof(*eh) -
					  sizeof(*ip));
	return m;
}

/* --flow-queues: the queue of a packet's flow; non-IP frames go to 0. */
uint32_t
classify_flow(const struct rte_mbuf *m, void *arg)
{
	struct pk_flow_key key;
	enum pk_flow_result r = pk_flow_parse(m, &key);

	(void)arg;
	if (r != PK_FLOW_OK && r != PK_FLOW_FRAGMENT)
		return 0;
	return rte_hash_crc(&key, sizeof(key), 0) % opt.flow_queues;
}

/*
 * Two levels: the client's own queues, client * F .. client * F + F - 1,
 * the flow hashed onto them as classify_flow() does.
 */
uint32_t
classify_owner_flow(const struct rte_mbuf *m, void *arg)
{
	return pk_arbiter_mbuf_client(m) * opt.flow_queues +
	       classify_flow(m, arg);
}

/*
 * A generating client's run: top its burst up and push it into its mailbox;
 * what the mailbox refuses is still ours, unchanged: keep it for next run.
 */
static int
gen_run(struct pk_thread *t, void *arg)
{
	struct client *cl = arg;
	struct rte_mbuf *m;
	uint16_t k;

	(void)t;
	while (cl->nheld < GEN_BURST &&
	       (m = gen_frame((uint32_t)(cl - clients))) != NULL)
		cl->held[cl->nheld++] = m;
	k = pk_stage_push(cl->mb, cl->held, cl->nheld);
	memmove(cl->held, &cl->held[k], (cl->nheld - k) * sizeof(m));
	cl->nheld -= k;
	return k;
}

/*
 * Worker lcores left for clients (not the arbiter's, nor the dispatcher's):
 * fills lc and returns how many, or 0 if there are fewer than clients.
 */
uint32_t
client_lcores(const struct pk_arbiter_conf *ac, unsigned int *lc)
{
	unsigned int l;
	uint32_t n = 0;

	RTE_LCORE_FOREACH_WORKER(l)
		if (l != ac->lcore_id && l != ac->dispatcher_lcore &&
		    n < opt.nb)
			lc[n++] = l;
	return n == opt.nb ? n : 0;
}

/* Client threads: on their own lcores if lc has one each, else on r. */
int
build_clients(struct pk_arbiter *a, struct pk_runner *r,
	      const unsigned int *lc, uint32_t nlc)
{
	struct pk_thread_conf tc = { .socket_id = SOCKET_ID_ANY };
	char name[PK_STAGE_NAMESIZE];
	uint32_t i;

	for (i = 0; i < opt.nb; i++) {
		struct client *cl = &clients[i];

		cl->weight = opt.weights[i];
		cl->mb = pk_arbiter_client(a, i);
		snprintf(name, sizeof(name), "client%u", i);
		tc.name = name;
		tc.fn = opt.gen ? gen_run : NULL;
		tc.arg = cl;
		tc.flags = PK_THREAD_F_NONBLOCK; /* ports cannot wake it */
		cl->t = nlc != 0 ? pk_thread_lcore_create(&tc, lc[i]) :
				   pk_thread_continuation_create(&tc, r);
		if (cl->t == NULL)
			return -1;
		if (!opt.gen) {
			snprintf(name, sizeof(name), "rx%u", i);
			cl->rx = pk_port_rx_create(name, i, 0, 0);
			if (cl->rx == NULL ||
			    pk_stage_link(cl->rx, pk_thread_stage(cl->t)) != 0)
				return -1;
		}
		if (pk_stage_link(pk_thread_stage(cl->t), cl->mb) != 0 ||
		    pk_thread_start(cl->t) != 0)
			return -1;
	}
	return 0;
}

