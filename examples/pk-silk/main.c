/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-silk: a SILK node on one uplink port (port 0). The node's kernel side is
 * a net_tap interface with the port's MAC and the node's addresses: ARP,
 * ICMP (ping) and whatever no socket claims go to the kernel, and what the
 * kernel sends leaves through the egress shim (--exception=drop drops them
 * instead). Ports are reserved for owners with --reserve; echo services
 * (--udp-echo, --tcp-echo) are sockets of an owner, on IPv4 and, with
 * --addr6, IPv6, each service answered by its own application thread
 * through the socket API (pk_sock.h). The node reassembles IP fragments
 * before its demux, and its sockets fragment what exceeds the uplink's MTU,
 * so datagrams of any size get through (but see --mbuf-size). Every owner's
 * account (PlanetLab's rows tcp, udp, raw_*, misc; sent, received, dropped,
 * sockets opened and closed) is printed every --stats-period and at exit,
 * and is on the telemetry socket (/pathkit/owners, /pathkit/portmap,silk).
 * The node's shims run on the first worker lcore, or on the main lcore when
 * there is none. SIGINT or --duration ends it. Bad options, an echo
 * or a --kernel-port (a port of a kernel program, charged to its owner:
 * pk_node_kernel_port()) that cannot bind (for example a port reserved for
 * another owner): a message with the reason, exit code 2.
 *
 *   pk-silk <EAL args> -- --addr=A.B.C.D[/LEN] [--addr6=X::Y[/LEN]]
 *     [--reserve=OWNER:udp|tcp:LO-HI ...] [--udp-echo=OWNER:PORT ...]
 *     [--tcp-echo=OWNER:PORT ...] [--exception=tap|drop]
 *     [--kernel-port=OWNER:tcp|udp:PORT ...] [--stats-period=S] [--duration=S]
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

#define MAX_ECHO 32
#define MAX_RESV 64
#define MAX_KPORT 32
#define NB_MBUFS 16383
#define NS 1000000000ull
#define MAX_DURATION (10000000 * NS)
#define MIN_PERIOD (NS / 100)
#define MAX_PERIOD (86400 * NS)

static struct {
	struct in_addr addr4;
	uint8_t plen4;
	struct in6_addr addr6;
	uint8_t plen6;
	const char *resv[MAX_RESV];
	unsigned int nb_resv;
	struct echo echo[MAX_ECHO];
	unsigned int nb_echo;
	const char *kport[MAX_KPORT]; /* --kernel-port values, checked */
	unsigned int nb_kport;
	bool drop;
	uint64_t period;   /* ns, 0: no periodic statistics */
	uint64_t duration; /* ns, 0: until SIGINT */
	uint64_t mbuf_size; /* data room of the pool's mbufs */
} opt = { .plen4 = 24, .plen6 = 64, .period = NS,
	  .mbuf_size = RTE_MBUF_DEFAULT_BUF_SIZE };

static volatile int quit_flag;

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s <EAL args> -- --addr=A.B.C.D[/LEN] "
		"[--addr6=X::Y[/LEN]]\n"
		"  [--reserve=OWNER:udp|tcp:LO-HI ...] "
		"[--udp-echo=OWNER:PORT ...]\n"
		"  [--tcp-echo=OWNER:PORT ...] [--exception=tap|drop]\n"
		"  [--kernel-port=OWNER:tcp|udp:PORT ...]\n"
		"  [--stats-period=S (10ms..1 day, 0: none)] "
		"[--duration=S (0: until SIGINT)]\n"
		"  [--mbuf-size=BYTES (%u..65535, data room with headroom)]\n",
		prog, RTE_MBUF_DEFAULT_BUF_SIZE);
}

/* ADDR[/LEN] of family af into addr and *plen (kept when no /LEN). */
static int
parse_prefix(const char *name, const char *s, int af, void *addr,
	     uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	uint64_t len = *plen;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (pk_example_number(name, slash + 1, PK_PARSE_INT, 1,
				      af == AF_INET ? 32 : 128, &len) != 0)
			return -1;
	}
	if (inet_pton(af, buf, addr) != 1)
		goto bad;
	*plen = (uint8_t)len;
	return 0;
bad:
	fprintf(stderr, "pk-silk: %s: '%s' is not an %s address[/LEN]\n",
		name, s, af == AF_INET ? "IPv4" : "IPv6");
	return -1;
}

/* OWNER:PORT of an echo service. */
static int
parse_echo(const char *name, const char *s, enum pk_sock_type type)
{
	const char *colon = strrchr(s, ':');
	struct echo *e = &opt.echo[opt.nb_echo];
	size_t olen = colon != NULL ? (size_t)(colon - s) : 0;
	uint64_t port;

	if (opt.nb_echo == MAX_ECHO) {
		fprintf(stderr, "pk-silk: %s: at most %d echo services\n",
			name, MAX_ECHO);
		return -1;
	}
	if (colon == NULL || olen == 0 || olen >= sizeof(e->owner_name)) {
		fprintf(stderr, "pk-silk: %s: '%s' is not OWNER:PORT (an owner "
			"name of 1..%d characters)\n", name, s,
			PK_OWNER_NAMESIZE - 1);
		return -1;
	}
	if (pk_example_number(name, colon + 1, PK_PARSE_INT, 1, 65535,
			      &port) != 0)
		return -1;
	memcpy(e->owner_name, s, olen);
	e->owner_name[olen] = '\0';
	e->port = (uint16_t)port;
	e->type = type;
	e->quit = &quit_flag;
	opt.nb_echo++;
	return 0;
}

/* OWNER:tcp|udp:PORT of --kernel-port into its parts: 0, or -1. */
static int
parse_kport(const char *s, char *owner, uint8_t *proto, uint16_t *port)
{
	char p[4];
	int len = 0, at = 0;
	uint64_t v;

	if (sscanf(s, "%*[^:]%n:%3[a-z]:%n", &len, p, &at) != 1 || at == 0 ||
	    len >= PK_OWNER_NAMESIZE || (strcmp(p, "tcp") && strcmp(p, "udp")) ||
	    pk_example_number("--kernel-port", s + at, PK_PARSE_INT, 1, 65535,
			      &v) != 0)
		return -1;
	snprintf(owner, PK_OWNER_NAMESIZE, "%.*s", len, s);
	*proto = p[0] == 't' ? IPPROTO_TCP : IPPROTO_UDP;
	*port = (uint16_t)v;
	return 0;
}

static const struct option silk_opts[] = {
	{ "addr", required_argument, NULL, 'a' },
	{ "addr6", required_argument, NULL, '6' },
	{ "reserve", required_argument, NULL, 'r' },
	{ "udp-echo", required_argument, NULL, 'u' },
	{ "tcp-echo", required_argument, NULL, 't' },
	{ "exception", required_argument, NULL, 'e' },
	{ "kernel-port", required_argument, NULL, 'k' },
	{ "stats-period", required_argument, NULL, 'P' },
	{ "duration", required_argument, NULL, 'd' },
	{ "mbuf-size", required_argument, NULL, 'm' },
	{ NULL, 0, NULL, 0 },
};

static int
silk_opt(int c, const char *name)
{
	static const char *const exceptions[] = { "tap", "drop", NULL };
	char err[128];
	unsigned int w = 0;
	uint16_t port;
	uint8_t proto;
	int rc = 0;

	switch (c) {
	case 'a':
		return parse_prefix(name, optarg, AF_INET, &opt.addr4,
				    &opt.plen4);
	case '6':
		return parse_prefix(name, optarg, AF_INET6, &opt.addr6,
				    &opt.plen6);
	case 'r':
		/* the syntax now (no map yet: NULL only checks it) */
		if (opt.nb_resv == MAX_RESV ||
		    pk_portmap_reserve_str(NULL, optarg, err, sizeof(err)) != 0) {
			fprintf(stderr, "pk-silk: %s: %s\n", name,
				opt.nb_resv == MAX_RESV ? "too many" : err);
			return -1;
		}
		opt.resv[opt.nb_resv++] = optarg;
		return 0;
	case 'u':
		return parse_echo(name, optarg, PK_SOCK_UDP);
	case 't':
		return parse_echo(name, optarg, PK_SOCK_TCP);
	case 'k':
		if (opt.nb_kport < MAX_KPORT &&
		    parse_kport(optarg, err, &proto, &port) == 0) {
			opt.kport[opt.nb_kport++] = optarg;
			return 0;
		}
		fprintf(stderr, "pk-silk: %s: '%s' is not OWNER:tcp|udp:PORT, "
			"or more than %d\n", name, optarg, MAX_KPORT);
		return -1;
	case 'e':
		rc = pk_example_word(name, optarg, exceptions, &w);
		opt.drop = w == 1;
		return rc;
	case 'P':
		rc = pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
				       MAX_PERIOD, &opt.period);
		if (rc == 0 && opt.period != 0 && opt.period < MIN_PERIOD) {
			fprintf(stderr, "pk-silk: %s: at least 10ms\n", name);
			return -1;
		}
		return rc;
	case 'd':
		return pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
					 MAX_DURATION, &opt.duration);
	case 'm':
		return pk_example_number(name, optarg, PK_PARSE_INT,
					 RTE_MBUF_DEFAULT_BUF_SIZE, UINT16_MAX,
					 &opt.mbuf_size);
	}
	return -1;
}

static int
silk_check(void)
{
	if (opt.addr4.s_addr == 0) {
		fprintf(stderr, "pk-silk: --addr is required\n");
		return -1;
	}
	return 0;
}

static const struct pk_example_app silk_app = {
	.name = "pk-silk", .opts = silk_opts, .short_opts = "",
	.opt = silk_opt, .check = silk_check, .usage = usage,
};

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

/* Reservations, echoes, kernel ports: a failure is a start-up error (2). */
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
	for (i = 0; i < opt.nb_kport; i++) {
		parse_kport(opt.kport[i], err, &proto, &port); /* checked */
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
	printf("pk-silk: node %s/%u up, %u echo service(s), node's shims on "
	       "%s lcore\n", inet_ntoa(opt.addr4), opt.plen4, opt.nb_echo,
	       node_here ? "the main" : "a worker");
	fflush(stdout);
	main_loop(n, node_here);
	quit_flag = 1;
	for (i = 0; i < opt.nb_echo; i++)
		echo_stop(&opt.echo[i]);
	if (!node_here)
		pk_node_stop(n);
	printf("pk-silk: final statistics\n");
	pk_node_stats_print(stdout, n);
out:
	for (i = 0; i < opt.nb_echo; i++) /* opened, never started */
		echo_stop(&opt.echo[i]);
	pk_node_destroy(n);
	pk_port_close(0);
	if (rte_mempool_avail_count(mp) != NB_MBUFS) {
		printf("pk-silk: leak: %u mbufs never came back\n",
		       NB_MBUFS - rte_mempool_avail_count(mp));
		rc = 1;
	}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return rc;
}
