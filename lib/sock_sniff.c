/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sniffers (PK_SOCK_SNIFF, PlanetLab's per-port read-only sniffer): bind
 * and close. They receive as raw sockets do (sock_raw.c: the lazy path, the
 * Ethernet header stripped, whole IP datagrams); the node's thread makes
 * the copies (node_sniff.c).
 *
 * A sniffer's keys are the passive wildcard keys of its port marked
 * PK_FLOW_F_SNIFF_OUT and, with PK_SOCK_F_SNIFF_IN, PK_FLOW_F_SNIFF_IN:
 * wildcard whatever address it bound, since the node has one address per
 * family, so that a second sniffer of the port finds the key taken
 * (-EADDRINUSE). Like an ICMP-error socket it takes no port in the map and
 * its bind-time owner check cannot follow the port, so its path drops
 * (policy) the copies read while its owner neither reserves nor binds the
 * port (sock_raw_port_foreign()), and those the node marked as another
 * owner's path's when it made them (node_sniff.c): the port may have
 * changed hands again before the read.
 */
#include <errno.h>

#include <rte_byteorder.h>

#include "sock_pvt.h"

static uint16_t
sniff_port(const struct pk_sock *s)
{
	return rte_be_to_cpu_16(s->domain == AF_INET6 ?
		((const struct sockaddr_in6 *)&s->local)->sin6_port :
		((const struct sockaddr_in *)&s->local)->sin_port);
}

/* The sniffer's key for copies going dir. */
static void
sniff_key(const struct pk_sock *s, uint16_t pad, struct pk_flow_key *key)
{
	memset(key, 0, sizeof(*key));
	key->family = s->domain == AF_INET6 ? PK_FLOW_IPV6 : PK_FLOW_IPV4;
	key->proto = s->ipproto;
	key->lport = rte_cpu_to_be_16(sniff_port(s));
	key->pad = pad;
}

/* Install s's keys: out, and in if asked. 0 or -errno (none left). */
static int
sniff_keys_add(struct pk_sock *s)
{
	struct pk_flow_key key;
	int rc;

	sniff_key(s, PK_FLOW_F_SNIFF_OUT, &key);
	rc = sock_key_add(s, &key);
	if (rc == 0 && (s->flags & PK_SOCK_F_SNIFF_IN)) {
		sniff_key(s, PK_FLOW_F_SNIFF_IN, &key);
		rc = sock_key_add(s, &key);
		if (rc != 0)
			sock_keys_del(s);
	}
	return rc;
}

static void
sniff_mark(struct pk_sock *s, bool on)
{
	uint16_t port = sniff_port(s);

	node_sniff_mark(s->node, s->domain, s->ipproto, port, NODE_SNIFF_OUT,
			on);
	if (s->flags & PK_SOCK_F_SNIFF_IN)
		node_sniff_mark(s->node, s->domain, s->ipproto, port,
				NODE_SNIFF_IN, on);
}

int
sock_sniff_bind(struct pk_sock *s, const struct sockaddr_storage *a)
{
	int rc;

	s->local = *a;
	if (sniff_port(s) == 0)
		return -EINVAL;
	if (sock_raw_port_foreign(s, false))
		return -EACCES;
	rc = node_sniff_init();
	if (rc != 0)
		return rc;
	rc = sock_raw_path(s, PK_ACCT_NONE); /* copies are not traffic */
	if (rc != 0)
		return rc;
	rc = sniff_keys_add(s);
	if (rc != 0) {
		sock_raw_path_drop(s);
		return rc;
	}
	sniff_mark(s, true);
	s->bound = true;
	return 0;
}

/* After close removed the keys: the node stops looking for the port. */
static void
sniff_fini(struct pk_sock *s)
{
	if (s->bound)
		sniff_mark(s, false);
	sock_raw_fini(s);
}

const struct sock_proto sock_sniff_proto = {
	.row = PK_ACCT_NONE, /* counts in no row */
	.port_shared = true,
	.init = sock_raw_init,
	.recvfrom = sock_raw_recvfrom,
	.recv_burst = sock_raw_recv_burst,
	.ready = sock_raw_ready,
	.wait_queue = sock_raw_wait_queue,
	.fini = sniff_fini,
};
