/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SILK node on the wire that test_raw_netns and test_sniff_netns share
 * (silk_wire_env.h): what main() sets up once, what each test's setup and
 * teardown do, and the address helpers both families' bodies use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_lcore.h>

#include "pk_test.h"
#include "silk_wire_env.h"

int alice, bob;
static struct rte_mempool *pool;
static uint16_t uplink;
static unsigned int worker;

/* ---- once: the namespaces, the servers, the EAL ---- */

static int
sw_servers(const char *test_name, const struct sw_server *srv, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ne_server(srv[i].cmd, srv[i].proto, srv[i].port) != 0) {
			fprintf(stderr, "%s: cannot start '%s'\n", test_name,
				srv[i].cmd);
			return -1;
		}
	/* every port unreachable answered, none held back by the limits */
	return ne_sh("ip netns exec %s sysctl -qw net.ipv4.icmp_ratelimit=0 "
		     "net.ipv6.icmp.ratelimit=0", ne_ns_client);
}

void
sw_start(const char *test_name, const char *tag, const struct sw_server *srv,
	 unsigned int n)
{
	static const char *const addrs[] = { CLIENT_IP "/24",
					     CLIENT_IP6 "/64", NULL };

	ne_require(test_name, "ip ss socat");
	if (ne_setup(tag, CLIENT_MAC, addrs) != 0 ||
	    ne_enter(ne_ns_client) != 0 || sw_servers(test_name, srv, n) != 0 ||
	    ne_enter(ne_ns_node) != 0) {
		fprintf(stderr, "%s: cannot set the namespaces up\n",
			test_name);
		exit(1); /* ne_cleanup() runs at exit */
	}
	worker = ne_eal_start(test_name, 8192, &pool, &uplink);
	alice = pk_owner_get("alice");
	bob = pk_owner_get("bob");
	if (alice <= 0 || bob <= 0) {
		fprintf(stderr, "%s: no owners alice and bob\n", test_name);
		exit(1);
	}
}

void
sw_stop(void)
{
	pk_port_close(uplink);
	pk_test_eal_cleanup();
}

/* ---- each test: the node, the capture ---- */

struct sw_fixture *
sw_node_up(const char *name, const struct sw_resv *resv, unsigned int n)
{
	struct pk_node_conf c = {
		.name = name, .uplink = uplink, .mp = pool,
		.socket_id = SOCKET_ID_ANY,
	};
	struct sw_fixture *f = calloc(1, sizeof(*f));
	struct pk_portmap *pm;
	unsigned int i;

	assert_non_null(f);
	inet_pton(AF_INET, NODE_IP, &c.addr4);
	inet_pton(AF_INET6, NODE_IP6, &c.addr6);
	f->n = pk_node_create(&c);
	assert_non_null(f->n);
	pm = pk_node_portmap(f->n);
	for (i = 0; i < n; i++)
		assert_int_equal(pk_portmap_reserve(pm, resv[i].owner,
						    resv[i].proto, resv[i].lo,
						    resv[i].hi, NULL), 0);
	f->flows = pk_demux_flow_count(pk_node_demux(f->n));
	assert_int_equal(pk_node_start(f->n, worker), 0);
	return f;
}

void
sw_node_down(struct sw_fixture *f, bool sniffers)
{
	unsigned int flows = pk_demux_flow_count(pk_node_demux(f->n));
	unsigned int flows0 = f->flows;
	struct pk_node_stats st;

	wc_free(f->cap);
	pk_node_stop(f->n);
	pk_node_stats_print(stdout, f->n);
	if (sniffers)
		assert_int_equal(pk_node_stats_get(f->n, &st), 0);
	pk_node_destroy(f->n);
	free(f);
	if (sniffers)
		assert_int_equal(st.sniff_lost, 0); /* every copy was made */
	assert_int_equal(flows, flows0); /* every socket closed: keys gone */
	pk_test_assert_pools_full(); /* nothing any socket held leaked */
}

struct wc_capture *
sw_capture(struct sw_fixture *f, const char *filter)
{
	f->cap = wc_start(ne_ns_client, "eth0", filter);
	assert_non_null(f->cap);
	return f->cap;
}

void
sw_app46(ne_body_t fn, void *c4, void *c6)
{
	const ne_body_t fns[2] = { fn, fn };
	void *const args[2] = { c4, c6 };

	assert_int_equal(ne_app_run(2, fns, args), 0);
}

/* ---- addresses ---- */

const char *
sw_node_ip(int domain)
{
	return domain == AF_INET6 ? NODE_IP6 : NODE_IP;
}

const char *
sw_client_ip(int domain)
{
	return domain == AF_INET6 ? CLIENT_IP6 : CLIENT_IP;
}

socklen_t
sw_sa(int domain, const char *ip, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)domain;
	if (domain == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &a->sin6_addr);
		return sizeof(*a);
	}
	((struct sockaddr_in *)ss)->sin_port = htons(port);
	inet_pton(AF_INET, ip, &((struct sockaddr_in *)ss)->sin_addr);
	return sizeof(struct sockaddr_in);
}

socklen_t
sw_client(int domain, uint16_t port, struct sockaddr_storage *ss)
{
	return sw_sa(domain, sw_client_ip(domain), port, ss);
}

bool
sw_addr_is(const struct wc_pkt *p, bool src, const char *ip)
{
	uint8_t want[16];

	if (p->family == AF_INET6)
		return inet_pton(AF_INET6, ip, want) == 1 &&
		       memcmp(src ? &p->src6 : &p->dst6, want, 16) == 0;
	return inet_pton(AF_INET, ip, want) == 1 &&
	       memcmp(src ? &p->src4 : &p->dst4, want, 4) == 0;
}

void
sw_eth_hdr(uint8_t *fr, int family)
{
	memset(fr, 0, 14);
	fr[12] = family == AF_INET6 ? 0x86 : 0x08;
	fr[13] = family == AF_INET6 ? 0xdd : 0x00;
}
