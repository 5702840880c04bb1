/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-silk: a SILK node on one uplink port (port 0). The node's kernel side is
 * a net_tap interface with the port's MAC and the node's addresses: ARP,
 * ICMP (ping) and whatever no socket claims go to the kernel, and what the
 * kernel sends leaves through the egress shim (--exception=drop drops them
 * instead). Ports are reserved for owners with --reserve; echo services
 * (--udp-echo, --tcp-echo) are sockets of an owner, on IPv4 and, with
 * --addr6, IPv6, each service answered by its own application thread
 * through the socket API (pk_sock.h); so are raw services (--raw, raw.c):
 * safe raw sockets of an owner's port that answer each datagram with one
 * they craft (UDP: the payload back; TCP: a reset, as a closed port); and
 * sniffers (--sniff, sniff.c): copies of an owner's UDP and TCP packets on
 * a port, sent and received, written to a pcap file by a thread of their
 * own. The node reassembles IP fragments before its demux, and its UDP sockets
 * fragment what exceeds the uplink's MTU, so datagrams of any size get
 * through (but see --mbuf-size; a raw socket sends whole datagrams, so a
 * raw reply must fit the MTU). Every owner's account (PlanetLab's rows tcp,
 * udp, raw_*, misc; sent, received, dropped, sockets opened and closed) is
 * printed every --stats-period and at exit (then each raw service's
 * replies, and its refused sends by verdict; each sniffer's copies written
 * and dropped), and is on the telemetry
 * socket (/pathkit/owners, /pathkit/portmap,silk).
 * The node's shims run on the first worker lcore, or on the main lcore when
 * there is none. SIGINT or --duration ends it. Bad options, an echo, a
 * raw service, a sniffer (or its file) or a --kernel-port (a port of a kernel program, charged to
 * its owner: pk_node_kernel_port()) that cannot bind (for example a port
 * reserved for another owner): a message with the reason, exit code 2.
 *
 *   pk-silk <EAL args> -- --addr=A.B.C.D[/LEN] [--addr6=X::Y[/LEN]]
 *     [--reserve=OWNER:udp|tcp:LO-HI ...] [--udp-echo=OWNER:PORT ...]
 *     [--tcp-echo=OWNER:PORT ...] [--exception=tap|drop]
 *     [--kernel-port=OWNER:tcp|udp:PORT ...] [--raw=OWNER:udp|tcp:PORT ...]
 *     [--sniff=OWNER:PORT[:FILE] ...] [--stats-period=S] [--duration=S]
 *     [--mbuf-size=BYTES]
 *
 * --mbuf-size is the mbufs' data room (headroom included, 2176). Received
 * frames must fit in one: net_af_packet hands IPv4 fragments over already
 * reassembled by the kernel (PACKET_FANOUT_FLAG_DEFRAG), cut to its
 * framesz=, so for bigger IPv4 datagrams raise both (framesz=8192,
 * blocksz=8192 and --mbuf-size=8320 take 8 kB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "pk_example.h"
#include "silk.h"
#define NB_MBUFS 16383


static struct pk_node *
node_create(struct rte_mempool *mp)
{
	struct pk_node_conf nc = {
		.name = "silk", .uplink = 0, .mp = mp,
		.addr4 = opt.addr4, .plen4 = opt.plen4,
		.addr6 = opt.addr6, .plen6 = opt.plen6,
		.exception = opt.drop ? PK_NODE_EXC_DROP : PK_NODE_EXC_TAP,
		.reassembly = 1, /* sockets get fragmented datagrams whole */
		.socket_id = (int)rte_socket_id(),
	};
	struct pk_port_conf pc = { .mp = mp };
	struct pk_node *n;
	int rc;

	rc = pk_port_setup(0, &pc);
	if (rc != 0) {
		fprintf(stderr, "pk-silk: port 0: %s\n", strerror(-rc));
		return NULL;
	}
	n = pk_node_create(&nc);
	if (n == NULL)
		fprintf(stderr, "pk-silk: node: %s\n", rte_strerror(rte_errno));
	return n;
}

/* Reservations, echoes, raw services, sniffers, kernel ports: a failure is a
 * start-up error (2). */
static int
services_open(struct pk_node *n)
{
	char err[128];
	unsigned int i;
	uint16_t port;
	uint8_t proto;
	int rc;

	for (i = 0; i < opt.nb_resv; i++) {
		if (pk_portmap_reserve_str(pk_node_portmap(n), opt.resv[i], err,
					   sizeof(err)) != 0) {
			fprintf(stderr, "pk-silk: --reserve=%s: %s\n",
				opt.resv[i], err);
			return -1;
		}
	}
	for (i = 0; i < opt.nb_echo; i++) {
		struct echo *e = &opt.echo[i];

		rc = echo_open(e, n, !IN6_IS_ADDR_UNSPECIFIED(&opt.addr6));
		if (rc != 0) {
			fprintf(stderr, "pk-silk: --%s-echo=%s:%u: %s\n",
				e->type == PK_SOCK_UDP ? "udp" : "tcp",
				e->owner_name, e->port, strerror(-rc));
			return -1;
		}
	}
	for (i = 0; i < opt.nb_raw; i++) {
		struct raw_svc *r = &opt.raw[i];

		rc = rawsvc_open(r, n, !IN6_IS_ADDR_UNSPECIFIED(&opt.addr6));
		if (rc != 0) {
			fprintf(stderr, "pk-silk: --raw=%s:%s:%u: %s\n",
				r->owner_name,
				r->proto == IPPROTO_UDP ? "udp" : "tcp",
				r->port, strerror(-rc));
			return -1;
		}
	}
	for (i = 0; i < opt.nb_sniff; i++) {
		if (sniffsvc_open(&opt.sniff[i], n,
				  !IN6_IS_ADDR_UNSPECIFIED(&opt.addr6), err,
				  sizeof(err)) != 0) {
			fprintf(stderr, "pk-silk: --sniff=%s: %s\n",
				opt.sniff[i].spec, err);
			return -1;
		}
	}
	for (i = 0; i < opt.nb_kport; i++) {
		/* checked by the options already */
		parse_port_spec("--kernel-port", opt.kport[i], err, &proto,
				&port);
		rc = pk_owner_get(err);
		if (rc >= 0)
			rc = pk_node_kernel_port(n, (uint32_t)rc, proto, port);
		if (rc != 0) {
			fprintf(stderr, "pk-silk: --kernel-port=%s: %s\n",
				opt.kport[i], strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* Run until SIGINT or the duration; statistics every period. */
static void
main_loop(struct pk_node *n, bool node_here)
{
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t next = start + pk_example_ns_to_tsc(opt.period, hz);
	uint64_t end = opt.duration == 0 ? UINT64_MAX :
		start + pk_example_ns_to_tsc(opt.duration, hz);

	while (!pk_example_quit) {
		uint64_t now = rte_get_timer_cycles();

		if (now >= end)
			break;
		if (opt.period != 0 && now >= next) {
			pk_node_stats_print(stdout, n);
			fflush(stdout);
			next += pk_example_ns_to_tsc(opt.period, hz);
		}
		if (node_here)
			pk_node_run(n);
		else
			usleep(1000);
	}
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct pk_node *n;
	unsigned int i, lcore;
	bool node_here;
	int rc = 0;

	pk_example_options(&silk_app, argc, argv); /* a bad one: exit 2 */
	pk_example_eal_init(argc, argv);
	if (rte_eth_dev_count_avail() < 1)
		rte_exit(1, "pk-silk: no port 0 (give one: --vdev or a NIC)\n");
	mp = rte_pktmbuf_pool_create("silk_pool", NB_MBUFS, 256, 0,
				     (uint16_t)opt.mbuf_size,
				     (int)rte_socket_id());
	if (mp == NULL)
		rte_exit(1, "pk-silk: mbuf pool: %s\n",
			 rte_strerror(rte_errno));
	n = node_create(mp);
	if (n == NULL)
		rte_exit(1, "pk-silk: cannot start the node\n");
	if (services_open(n) != 0) {
		rc = 2;
		goto out;
	}
	lcore = rte_get_next_lcore(-1, 1, 0);
	node_here = lcore >= RTE_MAX_LCORE;
	if (!node_here && pk_node_start(n, lcore) != 0)
		rte_exit(1, "pk-silk: cannot start the node on lcore %u\n",
			 lcore);
	pk_example_catch_signals();
	for (i = 0; i < opt.nb_echo; i++)
		if (echo_start(&opt.echo[i]) != 0)
			rte_exit(1, "pk-silk: cannot start an echo thread\n");
	for (i = 0; i < opt.nb_raw; i++)
		if (rawsvc_start(&opt.raw[i]) != 0)
			rte_exit(1, "pk-silk: cannot start a raw thread\n");
	for (i = 0; i < opt.nb_sniff; i++)
		if (sniffsvc_start(&opt.sniff[i]) != 0)
			rte_exit(1, "pk-silk: cannot start a sniffer thread\n");
	printf("pk-silk: node %s/%u up, %u echo service(s), %u raw "
	       "service(s), %u sniffer(s), node's shims on %s lcore\n",
	       inet_ntoa(opt.addr4), opt.plen4, opt.nb_echo, opt.nb_raw,
	       opt.nb_sniff, node_here ? "the main" : "a worker");
	fflush(stdout);
	main_loop(n, node_here);
	quit_flag = 1;
	for (i = 0; i < opt.nb_echo; i++)
		echo_stop(&opt.echo[i]);
	for (i = 0; i < opt.nb_raw; i++)
		rawsvc_stop(&opt.raw[i]);
	if (!node_here)
		pk_node_stop(n);
	for (i = 0; i < opt.nb_sniff; i++) /* the node made its last copy */
		sniffsvc_stop(&opt.sniff[i]);
	printf("pk-silk: final statistics\n");
	pk_node_stats_print(stdout, n);
	for (i = 0; i < opt.nb_raw; i++)
		rawsvc_print(stdout, &opt.raw[i]);
	for (i = 0; i < opt.nb_sniff; i++)
		sniffsvc_print(stdout, &opt.sniff[i]);
out:
	for (i = 0; i < opt.nb_echo; i++) /* opened, never started */
		echo_stop(&opt.echo[i]);
	for (i = 0; i < opt.nb_raw; i++)
		rawsvc_stop(&opt.raw[i]);
	for (i = 0; i < opt.nb_sniff; i++)
		sniffsvc_stop(&opt.sniff[i]);
	pk_node_destroy(n);
	pk_port_close(0);
	if (rte_mempool_avail_count(mp) != NB_MBUFS) {
		printf("pk-silk: leak: %u mbufs never came back\n",
		       NB_MBUFS - rte_mempool_avail_count(mp));
		rc = 1;
	}
	rte_mempool_free(mp);
	pk_example_eal_cleanup();
	return rc;
}
