/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel ports (pk_node.h): SILK's shim for an unmodified kernel
 * application. A port is claimed for an owner; its segments are stolen by
 * the ingress shim into a path of that owner and reinjected into the kernel,
 * where the application's own socket serves them:
 *
 *   root demux --(wildcard keys: proto/port, v4 [and v6])--> path of owner,
 *     acct tcp|udp, tail drop: [ TAP port_tx, queue 0 ] --> kernel socket
 *
 * The path has no queue and no thread: the node's thread, which pushes the
 * demux's burst, runs it to the TAP at once (eager, unlike a TCP socket's
 * lazy reinjection on its reader's thread). TAP TX queue 0 is the one the
 * exception stage uses, pushed by that same thread only (node_tap.c), so a
 * second port_tx stage on it needs no lock. The path counts what entered as
 * received by the owner, what the TAP refused as dropped; the demux's out
 * minus the exception stage's in makes them "stolen" in the node's round.
 * What the kernel answers is charged to the owner by the egress shim, whose
 * owner lookup finds these keys like a socket's.
 *
 * The port map binding is on every address (NULL): the port is the owner's
 * on the node, whichever address the application binds. Demux and port map
 * changes, and the node's list of kernel ports, go under the sockets' lock
 * (sock.c): sockets bind and close on their own threads.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_port.h>
#include <pathkit/pk_portmap.h>

#include "sock_pvt.h"

/* TAP TX queue the node's thread pushes on (the exception stage's). */
#define KPORT_TAP_QUEUE 0
/* Keys of one kernel port: the IPv4 wildcard and the IPv6 one. */
#define KPORT_MAX_KEYS 2

struct node_kport {
	struct node_kport *next;
	uint32_t owner;
	uint8_t proto;
	uint16_t port;               /* host order */
	bool bound;                  /* in the port map */
	struct pk_path *path;        /* the keys' target */
	struct pk_flow_key keys[KPORT_MAX_KEYS];
	unsigned int nb_keys;
};

static bool
kport_has_addr6(const struct pk_node *n)
{
	static const struct in6_addr none = IN6ADDR_ANY_INIT;

	return memcmp(&n->addr6, &none, sizeof(none)) != 0;
}

/* The path: one TAP port_tx stage, charged to the owner. */
static int
kport_path(struct pk_node *n, struct node_kport *k)
{
	struct pk_path_conf conf = {
		.owner = k->owner,
		.tail = PK_PATH_TAIL_DROP,
		.flags = PK_STAGE_F_BYTES,
		.socket_id = SOCKET_ID_ANY,
		.acct = k->proto == IPPROTO_TCP ? PK_ACCT_TCP : PK_ACCT_UDP,
	};
	char name[PK_STAGE_NAMESIZE];
	struct pk_stage *tx;

	snprintf(name, sizeof(name), "%s.k%s%u.tap", n->name,
		 k->proto == IPPROTO_TCP ? "tcp" : "udp", k->port);
	tx = pk_port_tx_create(name, n->tap, KPORT_TAP_QUEUE, 0);
	if (tx == NULL)
		return -rte_errno;
	snprintf(name, sizeof(name), "%s.k%s%u", n->name,
		 k->proto == IPPROTO_TCP ? "tcp" : "udp", k->port);
	conf.name = name;
	k->path = pk_path_create(&conf, &tx, 1);
	if (k->path == NULL) {
		pk_stage_destroy(tx); /* still ours on failure */
		return -rte_errno;
	}
	return 0;
}

/* Undo what was done of k: keys, binding, path; then free it. Locked. */
static void
kport_undo_locked(struct pk_node *n, struct node_kport *k)
{
	unsigned int i;

	if (k->nb_keys > 0) {
		for (i = 0; i < k->nb_keys; i++)
			pk_demux_flow_del(n->demux, &k->keys[i]);
		/* the node's thread may still push into the path until its
		 * next quiescent state: only then may the path go */
		pk_demux_flow_synchronize(n->demux);
		k->nb_keys = 0;
	}
	if (k->bound)
		pk_portmap_unbind(n->pm, k->proto, NULL, k->port);
	pk_path_destroy(k->path); /* folds its counts into the owner's */
	rte_free(k);
}

static int
kport_key_add(struct pk_node *n, struct node_kport *k,
	      const struct pk_flow_key *key)
{
	int rc = pk_demux_flow_add(n->demux, key, pk_path_stage(k->path));

	if (rc == 0)
		k->keys[k->nb_keys++] = *key;
	return rc == -EEXIST ? -EADDRINUSE : rc;
}

/* Bind, then the keys. Locked. */
static int
kport_claim_locked(struct pk_node *n, struct node_kport *k)
{
	uint16_t port = k->port;
	struct pk_flow_key key;
	int rc;

	rc = pk_portmap_bind(n->pm, k->owner, k->proto, NULL, &port);
	if (rc != 0)
		return rc;
	k->bound = true;
	pk_flow_key_ipv4(&key, k->proto, 0, rte_cpu_to_be_16(k->port), 0, 0);
	rc = kport_key_add(n, k, &key);
	if (rc == 0 && kport_has_addr6(n)) {
		pk_flow_key_ipv6(&key, k->proto, NULL,
				 rte_cpu_to_be_16(k->port), NULL, 0);
		rc = kport_key_add(n, k, &key);
	}
	return rc;
}

int
pk_node_kernel_port(struct pk_node *n, uint32_t owner, uint8_t proto,
		    uint16_t port)
{
	struct node_kport *k;
	int rc;

	if (n == NULL || port == 0 || pk_owner_name(owner) == NULL ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return -EINVAL;
	if (n->tap == UINT16_MAX)
		return -ENOTSUP; /* no kernel side to reinject into */
	k = rte_zmalloc("pk_node_kport", sizeof(*k), 0);
	if (k == NULL)
		return -ENOMEM;
	k->owner = owner;
	k->proto = proto;
	k->port = port;
	rc = kport_path(n, k);
	if (rc != 0) {
		rte_free(k);
		return rc;
	}
	pthread_mutex_lock(&sock_lock);
	rc = kport_claim_locked(n, k);
	if (rc == 0) {
		k->next = n->kports;
		n->kports = k;
	} else {
		kport_undo_locked(n, k);
	}
	pthread_mutex_unlock(&sock_lock);
	if (rc != 0)
		PK_LOG(ERR, "%s: kernel port %s/%u for %s: %s", n->name,
		       proto == IPPROTO_TCP ? "tcp" : "udp", port,
		       pk_owner_name(owner), strerror(-rc));
	return rc;
}

int
pk_node_kernel_port_release(struct pk_node *n, uint8_t proto, uint16_t port)
{
	struct node_kport **pk, *k;

	if (n == NULL || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return -EINVAL;
	pthread_mutex_lock(&sock_lock);
	for (pk = &n->kports; *pk != NULL; pk = &(*pk)->next)
		if ((*pk)->proto == proto && (*pk)->port == port)
			break;
	k = *pk;
	if (k != NULL) {
		*pk = k->next;
		kport_undo_locked(n, k);
	}
	pthread_mutex_unlock(&sock_lock);
	return k != NULL ? 0 : -ENOENT;
}

void
node_kports_free(struct pk_node *n)
{
	struct node_kport *k;

	pthread_mutex_lock(&sock_lock);
	while ((k = n->kports) != NULL) {
		n->kports = k->next;
		kport_undo_locked(n, k);
	}
	pthread_mutex_unlock(&sock_lock);
}
