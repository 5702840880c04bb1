/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SILK sockets (issue 14), on a node whose uplink is a net_null port that
 * nothing reads (the bench thread pushes frames into the root demux, as the
 * node's thread would, and reads the sockets, as an application would):
 *
 * silk.udp_lazy, silk.udp_eager: 64-byte datagrams received through a UDP
 *   socket's path (lazy: UDP work in recv; eager: at arrival), Mpps with
 *   cycles per datagram; baseline in the same run, the raw DPDK loop doing
 *   the same work: pk_flow_parse, rte_hash_lookup_bulk_data, an rte_ring per
 *   socket, then IPv4 and UDP checksum checks, the copy into the user's
 *   buffer and the free. Both make their frames the same way (alloc + copy
 *   of a template) inside the timed loop.
 * silk.overload: receive livelock on one core (Druschel and Banga's LRP
 *   experiment): every tick of BUDGET cycles the arrivals of that tick go
 *   through the ingress first (as interrupts would), then the readers get
 *   what is left of the tick, each datagram costing the application WORK
 *   cycles. A light socket of another owner (its reader served first) and a
 *   flooded one; "1x" offers the flooded socket what its reader can take,
 *   "2x" twice that. value: the flooded socket's delivered rate at 2x over
 *   1x, with lazy receiver processing; baseline: the same with eager
 *   processing. silk.overload.other: the light socket's delivered rate at
 *   2x over 1x (lazy); baseline eager. Rates are per tick, so a busy
 *   machine moves them little.
 * silk.sockets100k: 50K IPv4 and 50K IPv6 lazy UDP sockets (a port each:
 *   one address of each family), each with its 64-packet queue: the heap
 *   bytes one socket takes (value) and the microseconds it takes to open
 *   and bind one (printed), each socket then gets a datagram and reads it;
 *   baseline: what the raw equivalent takes per socket, an rte_hash entry
 *   (as sized for 100K keys) plus an rte_ring of 64 in rte_malloc memory.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_udp.h>

#include "bench_common.h"

#define BURST 32
#define FRAME 64
#define ROUNDS 20000
#define REPEAT 5
#define QSIZE 1024
#define BUDGET 2000000ull /* cycles per tick */
#define WORK 4000ull      /* application cycles per datagram */
#define TICKS 400
#define OTHER_SHARE 10    /* the light socket gets 1/10 of 1x */

static struct rte_mempool *pool;
static struct pk_node *node;
static uint16_t uplink;
static int owner_a, owner_b;
static uint8_t tmpl[2][FRAME]; /* to port 7000, to port 7001 */
static char ubuf[2048];

static void
make_template(uint8_t *t, uint16_t dport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct pk_udp_tx tx = { 0 };
	struct sockaddr_in *l = (void *)&tx.local, *r = (void *)&tx.remote;

	rte_pktmbuf_append(m, FRAME - 42);
	memset(rte_pktmbuf_mtod(m, void *), 0x5a, FRAME - 42);
	rte_eth_macaddr_get(uplink, &tx.dst_mac);
	l->sin_family = r->sin_family = AF_INET;
	l->sin_addr.s_addr = inet_addr("10.0.0.2");
	l->sin_port = htons(4000);
	r->sin_addr.s_addr = inet_addr("10.0.0.1");
	r->sin_port = htons(dport);
	if (pk_udp_encap(m, &tx) != 0 || m->pkt_len != FRAME)
		rte_exit(1, "bench_silk: template\n");
	memcpy(t, rte_pktmbuf_mtod(m, void *), FRAME);
	rte_pktmbuf_free(m);
}

/* n fresh frames from template t. */
static void
frames(struct rte_mbuf **m, unsigned int n, const uint8_t *t)
{
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(pool, m, n) != 0)
		rte_exit(1, "bench_silk: pool empty\n");
	for (i = 0; i < n; i++)
		memcpy(rte_pktmbuf_append(m[i], FRAME), t, FRAME);
}

static void
ingress(struct rte_mbuf **m, unsigned int n)
{
	uint16_t k = pk_stage_push(pk_node_demux(node), m, n);

	rte_pktmbuf_free_bulk(m + k, n - k);
}

static struct pk_sock *
sock_open(int owner, uint16_t port, uint32_t flags)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	struct pk_sock *s = pk_sock_open(node, owner, AF_INET, PK_SOCK_UDP,
					 flags | PK_SOCK_F_NONBLOCK);

	a.sin_addr.s_addr = inet_addr("10.0.0.1");
	if (s == NULL || pk_sock_bind(s, (void *)&a, sizeof(a)) != 0)
		rte_exit(1, "bench_silk: socket\n");
	return s;
}

/* Cycles per datagram through a socket (eager or lazy). */
static double
run_sock(uint32_t flags)
{
	struct pk_sock *s = sock_open(owner_a, 7000, flags);
	struct rte_mbuf *m[BURST];
	uint64_t t0;
	unsigned int r, i;

	t0 = rte_rdtsc();
	for (r = 0; r < ROUNDS; r++) {
		frames(m, BURST, tmpl[0]);
		ingress(m, BURST);
		for (i = 0; i < BURST; i++)
			if (pk_sock_recv(s, ubuf, sizeof(ubuf), 0) != FRAME - 42)
				rte_exit(1, "bench_silk: recv\n");
	}
	t0 = rte_rdtsc() - t0;
	pk_sock_close(s);
	return (double)t0 / (ROUNDS * BURST);
}

/* The raw DPDK loop doing the same work. */
static double
run_raw(void)
{
	struct rte_hash_parameters hp = {
		.name = "raw_udp", .entries = 1024,
		.key_len = sizeof(struct pk_flow_key),
		.hash_func = rte_jhash, .socket_id = (int)rte_socket_id(),
	};
	struct rte_hash *h = rte_hash_create(&hp);
	struct rte_ring *ring = rte_ring_create("raw_sock", QSIZE,
		(int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	struct pk_flow_key keys[BURST], k0;
	const void *kp[BURST];
	void *data[BURST];
	struct rte_mbuf *m[BURST];
	uint64_t hit, t0;
	unsigned int r, i;

	if (h == NULL || ring == NULL)
		rte_exit(1, "bench_silk: raw hash or ring\n");
	pk_flow_key_ipv4(&k0, IPPROTO_UDP, inet_addr("10.0.0.1"), htons(7000),
			 0, 0);
	rte_hash_add_key_data(h, &k0, ring);
	for (i = 0; i < BURST; i++)
		kp[i] = &keys[i];
	t0 = rte_rdtsc();
	for (r = 0; r < ROUNDS; r++) {
		frames(m, BURST, tmpl[0]);
		for (i = 0; i < BURST; i++) {
			pk_flow_parse(m[i], &keys[i]);
			pk_flow_key_passive(&keys[i]);
		}
		rte_hash_lookup_bulk_data(h, kp, BURST, &hit, data);
		for (i = 0; i < BURST; i++)
			rte_ring_sp_enqueue(data[i], m[i]);
		for (i = 0; i < BURST; i++) {
			struct rte_mbuf *x = NULL;
			struct rte_ipv4_hdr *ip;
			struct rte_udp_hdr *u;

			if (rte_ring_sc_dequeue(ring, (void **)&x) != 0)
				rte_exit(1, "bench_silk: raw ring\n");
			ip = rte_pktmbuf_mtod_offset(x, struct rte_ipv4_hdr *,
						     14);
			u = (struct rte_udp_hdr *)(ip + 1);
			if (rte_ipv4_cksum(ip) != 0 ||
			    rte_ipv4_udptcp_cksum_verify(ip, u) != 0)
				rte_exit(1, "bench_silk: raw checksum\n");
			memcpy(ubuf, u + 1, rte_be_to_cpu_16(u->dgram_len) - 8);
			rte_pktmbuf_free(x);
		}
	}
	t0 = rte_rdtsc() - t0;
	rte_hash_free(h);
	rte_ring_free(ring);
	return (double)t0 / (ROUNDS * BURST);
}

static void
bench_receive(void)
{
	double lazy[REPEAT], eager[REPEAT], raw[REPEAT], hz = rte_get_tsc_hz();
	unsigned int i;

	for (i = 0; i < REPEAT; i++) {
		raw[i] = run_raw();
		lazy[i] = run_sock(0);
		eager[i] = run_sock(PK_SOCK_F_EAGER);
	}
	if (bench_wanted("silk.udp_lazy")) {
		bench_report("silk.udp_lazy", hz / bench_median(lazy, REPEAT) /
			     1e6, "Mpps", hz / bench_median(raw, REPEAT) / 1e6,
			     false);
		bench_report("silk.udp_lazy.cycles", bench_median(lazy, REPEAT),
			     "cycles/datagram", bench_median(raw, REPEAT), true);
	}
	if (bench_wanted("silk.udp_eager")) {
		bench_report("silk.udp_eager", hz / bench_median(eager, REPEAT) /
			     1e6, "Mpps", hz / bench_median(raw, REPEAT) / 1e6,
			     false);
		bench_report("silk.udp_eager.cycles",
			     bench_median(eager, REPEAT), "cycles/datagram",
			     bench_median(raw, REPEAT), true);
	}
}

static void
spin(uint64_t cycles)
{
	uint64_t end = rte_rdtsc() + cycles;

	while (rte_rdtsc() < end)
		rte_pause();
}

/* Read s until the tick ends or s is empty; returns datagrams read. */
static unsigned int
drain(struct pk_sock *s, uint64_t end)
{
	unsigned int n = 0;

	while (rte_rdtsc() < end &&
	       pk_sock_recv(s, ubuf, sizeof(ubuf), 0) > 0) {
		spin(WORK);
		n++;
	}
	return n;
}

/* Datagrams per tick delivered to the flooded (a) and light (b) sockets. */
static void
run_ticks(uint32_t flags, unsigned int load_a, unsigned int load_b,
	  double *rate_a, double *rate_b)
{
	struct pk_sock *a = sock_open(owner_a, 7000, flags);
	struct pk_sock *b = sock_open(owner_b, 7001, flags);
	struct rte_mbuf *m[BURST];
	uint64_t got_a = 0, got_b = 0;
	unsigned int t, k;

	for (t = 0; t < TICKS; t++) {
		uint64_t end = rte_rdtsc() + BUDGET;

		for (k = 0; k < load_a; k += BURST) {
			frames(m, RTE_MIN((unsigned int)BURST, load_a - k), tmpl[0]);
			ingress(m, RTE_MIN((unsigned int)BURST, load_a - k));
		}
		for (k = 0; k < load_b; k += BURST) {
			frames(m, RTE_MIN((unsigned int)BURST, load_b - k), tmpl[1]);
			ingress(m, RTE_MIN((unsigned int)BURST, load_b - k));
		}
		got_b += drain(b, end);
		got_a += drain(a, end);
		while (rte_rdtsc() < end) /* idle rest of the tick */
			rte_pause();
	}
	*rate_a = (double)got_a / TICKS;
	*rate_b = (double)got_b / TICKS;
	pk_sock_close(a);
	pk_sock_close(b);
}

static void
bench_overload(void)
{
	unsigned int cap = BUDGET / WORK; /* what one reader can take */
	unsigned int one = cap - cap / OTHER_SHARE, other = cap / OTHER_SHARE;
	double a1, b1, a2, b2, ea1, eb1, ea2, eb2;

	run_ticks(0, one, other, &a1, &b1);
	run_ticks(0, 2 * one, other, &a2, &b2);
	run_ticks(PK_SOCK_F_EAGER, one, other, &ea1, &eb1);
	run_ticks(PK_SOCK_F_EAGER, 2 * one, other, &ea2, &eb2);
	printf("silk.overload: per tick, flooded 1x %.1f 2x %.1f (eager %.1f "
	       "%.1f), other %.1f %.1f (eager %.1f %.1f)\n", a1, a2, ea1, ea2,
	       b1, b2, eb1, eb2);
	bench_report("silk.overload", a2 / a1, "ratio_2x_1x", ea2 / ea1, false);
	bench_report("silk.overload.other", b2 / b1, "ratio_2x_1x", eb2 / eb1,
		     false);
}

/* A node on a new net_null port; sockets queue qsize packets. */
static struct pk_node *
node_create(const char *name, const char *port, uint32_t qsize)
{
	struct pk_node_conf nc = { 0 };
	struct pk_port_conf pc = { .mp = pool };
	struct pk_node *n;

	if (rte_eal_hotplug_add("vdev", port, "") != 0 ||
	    pk_port_lookup(port, &uplink) != 0 ||
	    pk_port_setup(uplink, &pc) != 0)
		rte_exit(1, "bench_silk: port %s\n", port);
	nc.name = name;
	nc.uplink = uplink;
	nc.mp = pool;
	nc.addr4.s_addr = inet_addr("10.0.0.1");
	inet_pton(AF_INET6, "fd00::1", &nc.addr6);
	nc.exception = PK_NODE_EXC_DROP;
	nc.socket_queue = qsize;
	nc.capacity = 131072;
	n = pk_node_create(&nc);
	if (n == NULL)
		rte_exit(1, "bench_silk: node %s\n", name);
	return n;
}

/* What the raw equivalent of n sockets takes: a hash and n rings. */
static double
raw_socket_bytes(unsigned int n)
{
	struct rte_hash_parameters hp = {
		.name = "raw_socks", .entries = n,
		.key_len = sizeof(struct pk_flow_key),
		.hash_func = rte_jhash, .socket_id = (int)rte_socket_id(),
	};
	uint64_t before = pk_test_heap_used(), after;
	struct rte_hash *h = rte_hash_create(&hp);
	ssize_t rsz = rte_ring_get_memsize(64);
	struct rte_ring **r = calloc(n, sizeof(*r));
	unsigned int i;

	if (h == NULL || r == NULL || rsz < 0)
		rte_exit(1, "bench_silk: raw sockets\n");
	for (i = 0; i < n; i++) {
		r[i] = rte_zmalloc(NULL, rsz, RTE_CACHE_LINE_SIZE);
		if (r[i] == NULL ||
		    rte_ring_init(r[i], "r", 64, RING_F_SP_ENQ | RING_F_SC_DEQ))
			rte_exit(1, "bench_silk: raw ring\n");
	}
	after = pk_test_heap_used();
	for (i = 0; i < n; i++)
		rte_free(r[i]);
	free(r);
	rte_hash_free(h);
	return (double)(after - before) / n;
}

static void
bench_sockets(void)
{
	enum { N = 100000, HALF = N / 2 };
	struct pk_sock **s = calloc(N, sizeof(*s));
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct rte_mbuf *m;
	uint64_t before = pk_test_heap_used(), t0, used;
	unsigned int i, ok = 0;
	char buf[64];

	if (s == NULL)
		rte_exit(1, "bench_silk: sockets\n");
	node = node_create("socks", "net_null_socks", 64);
	before = pk_test_heap_used();
	a4.sin_addr.s_addr = inet_addr("10.0.0.1");
	t0 = rte_rdtsc();
	for (i = 0; i < N; i++) {
		int rc;

		s[i] = pk_sock_open(node, owner_a, i < HALF ? AF_INET : AF_INET6,
				    PK_SOCK_UDP, PK_SOCK_F_NONBLOCK);
		if (s[i] == NULL)
			rte_exit(1, "bench_silk: socket %u: %s\n", i,
				 rte_strerror(rte_errno));
		a4.sin_port = a6.sin6_port = htons(1024 + i % HALF);
		rc = i < HALF ? pk_sock_bind(s[i], (void *)&a4, sizeof(a4)) :
				pk_sock_bind(s[i], (void *)&a6, sizeof(a6));
		if (rc != 0)
			rte_exit(1, "bench_silk: bind %u: %d\n", i, rc);
	}
	t0 = rte_rdtsc() - t0;
	used = pk_test_heap_used() - before;
	/* every IPv4 socket gets its datagram */
	for (i = 0; i < HALF; i++) {
		struct sockaddr_in d = a4;

		d.sin_port = htons(1024 + i);
		m = rte_pktmbuf_alloc(pool);
		memcpy(rte_pktmbuf_append(m, FRAME), tmpl[0], FRAME);
		/* the template goes to port 7000: point it at this socket */
		rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 34)->dst_port =
			d.sin_port;
		rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 34)->dgram_cksum
			= 0; /* IPv4: no checksum */
		ingress(&m, 1);
		ok += pk_sock_recv(s[i], buf, sizeof(buf), 0) == FRAME - 42;
	}
	for (i = 0; i < N; i++)
		pk_sock_close(s[i]);
	free(s);
	pk_node_destroy(node);
	node = NULL;
	if (ok != HALF)
		rte_exit(1, "bench_silk: %u of %u sockets got their datagram\n",
			 ok, HALF);
	printf("silk.sockets100k: %u sockets, %.1f us each to open and bind, "
	       "%.0f heap bytes each (%s)\n", N,
	       (double)t0 / N / (rte_get_tsc_hz() / 1e6), (double)used / N,
	       "queue of 64, demux capacity 131072");
	bench_report("silk.sockets100k", (double)used / N, "bytes/socket",
		     raw_socket_bytes(N), true);
}

int
main(int argc, char **argv)
{
	int rc = rte_eal_init(argc, argv);

	if (rc < 0)
		return 1;
	if (bench_parse_args(argc - rc, argv + rc) != 0)
		return 1;
	if (!bench_wanted("silk.udp") && !bench_wanted("silk.overload") &&
	    !bench_wanted("silk.sockets100k"))
		goto out;
	pool = bench_pool_create("silk_pool", 16383, 256,
				 (int)rte_socket_id(), true);
	if (pool == NULL)
		rte_exit(1, "bench_silk: pool\n");
	owner_a = pk_owner_get("flooded");
	owner_b = pk_owner_get("other");
	node = node_create("bench", "net_null_silk", QSIZE);
	make_template(tmpl[0], 7000);
	make_template(tmpl[1], 7001);
	if (bench_wanted("silk.udp"))
		bench_receive();
	if (bench_wanted("silk.overload"))
		bench_overload();
	pk_node_destroy(node);
	if (bench_wanted("silk.sockets100k"))
		bench_sockets();
out:
	rte_eal_cleanup();
	return 0;
}
