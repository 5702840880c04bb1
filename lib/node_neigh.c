/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node's addresses as sockets see them, and neighbour resolution for
 * sockets that send: the link-layer address of a destination's next hop.
 * The kernel behind the TAP owns the neighbour table (it answers and sends
 * ARP and neighbour discovery on the node's MAC and addresses), so the node
 * asks it rather than run ARP itself:
 *   1. a small cache (NODE_NEIGH_SLOTS entries, NODE_NEIGH_TTL_S seconds)
 *      under a mutex: sockets keep their own peer's MAC too, so this runs
 *      per new peer, not per packet;
 *   2. the kernel's entry on the TAP (RTM_GETNEIGH): a stale entry is used
 *      and the kernel asked to confirm it;
 *   3. else ask the kernel to resolve (RTM_NEWNEIGH with NTF_USE: the kernel
 *      sends the ARP request or neighbour solicitation, checked on 6.x; if
 *      the request fails, an empty UDP datagram to the destination's discard
 *      port from a kernel socket bound to the TAP makes it resolve), then
 *      read the table every NODE_NEIGH_POLL_US until wait_us has passed.
 * Broadcast and multicast destinations map to their MAC directly.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <sys/socket.h>

#include <rte_cycles.h>

#include <pathkit/pk_log.h>

#include "node_pvt.h"

#define NODE_NEIGH_SLOTS 64
#define NODE_NEIGH_TTL_S 10
#define NODE_NEIGH_POLL_US 1000u
#define NODE_NEIGH_DISCARD_PORT 9
/* states whose link-layer address may be used (the kernel's NUD_VALID) */
#define NODE_NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | \
			NUD_PROBE | NUD_STALE | NUD_DELAY)

struct node_neigh_entry {
	int family;              /* 0: free */
	uint8_t addr[16];
	struct rte_ether_addr mac;
	uint64_t expires;        /* TSC */
};

struct node_neigh {
	pthread_mutex_t lock;
	unsigned int next;       /* slot replaced next (round robin) */
	struct node_neigh_entry e[NODE_NEIGH_SLOTS];
};

int
node_neigh_create(struct pk_node *n)
{
	n->neigh = calloc(1, sizeof(*n->neigh));
	if (n->neigh == NULL)
		return -ENOMEM;
	pthread_mutex_init(&n->neigh->lock, NULL);
	return 0;
}

void
node_neigh_destroy(struct pk_node *n)
{
	if (n->neigh == NULL)
		return;
	pthread_mutex_destroy(&n->neigh->lock);
	free(n->neigh);
	n->neigh = NULL;
}

static size_t
neigh_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

static int
neigh_cache_get(struct node_neigh *c, int family, const uint8_t *addr,
		struct rte_ether_addr *mac)
{
	uint64_t now = rte_get_tsc_cycles();
	unsigned int i;
	int rc = -ENOENT;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < NODE_NEIGH_SLOTS; i++) {
		struct node_neigh_entry *e = &c->e[i];

		if (e->family == family && e->expires > now &&
		    memcmp(e->addr, addr, neigh_alen(family)) == 0) {
			*mac = e->mac;
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static void
neigh_cache_put(struct node_neigh *c, int family, const uint8_t *addr,
		const struct rte_ether_addr *mac)
{
	uint64_t now = rte_get_tsc_cycles();
	struct node_neigh_entry *e = NULL;
	unsigned int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < NODE_NEIGH_SLOTS && e == NULL; i++)
		if (c->e[i].family == family &&
		    memcmp(c->e[i].addr, addr, neigh_alen(family)) == 0)
			e = &c->e[i];
	for (i = 0; i < NODE_NEIGH_SLOTS && e == NULL; i++)
		if (c->e[i].family == 0 || c->e[i].expires <= now)
			e = &c->e[i];
	if (e == NULL)
		e = &c->e[c->next++ % NODE_NEIGH_SLOTS];
	e->family = family;
	memset(e->addr, 0, sizeof(e->addr));
	memcpy(e->addr, addr, neigh_alen(family));
	e->mac = *mac;
	e->expires = now + NODE_NEIGH_TTL_S * rte_get_tsc_hz();
	pthread_mutex_unlock(&c->lock);
}

/*
 * The kernel's entry: 0 (usable), -EAGAIN (none, or not resolved yet),
 * -EHOSTUNREACH (the kernel tried and gave up: NUD_FAILED).
 */
static int
neigh_kernel(struct pk_node *n, int family, const uint8_t *addr,
	     struct rte_ether_addr *mac)
{
	uint16_t state = 0;

	if (node_nl_neigh_get(n->tap_ifindex, family, addr, mac, &state) != 0)
		return -EAGAIN;
	if (state & NUD_FAILED)
		return -EHOSTUNREACH;
	if (!(state & NODE_NUD_VALID))
		return -EAGAIN;
	if (state & NUD_STALE) /* ours bypass the kernel: have it confirm */
		node_nl_neigh_use(n->tap_ifindex, family, addr);
	return 0;
}

/* Make the kernel resolve addr without waiting for it. */
static void
neigh_solicit(struct pk_node *n, int family, const uint8_t *addr)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	int fd, rc;

	rc = node_nl_neigh_use(n->tap_ifindex, family, addr);
	if (rc == 0)
		return;
	PK_LOG(DEBUG, "%s: NTF_USE refused (%s), sending to port 9", n->name,
	       strerror(-rc));
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(NODE_NEIGH_DISCARD_PORT);
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(NODE_NEIGH_DISCARD_PORT);
		memcpy(&sin6->sin6_addr, addr, 16);
		sin6->sin6_scope_id = (uint32_t)n->tap_ifindex;
	}
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, n->tap_name,
		       strlen(n->tap_name)) == 0)
		(void)sendto(fd, "", 0, 0, (struct sockaddr *)&ss,
			     family == AF_INET ? sizeof(*sin) : sizeof(*sin6));
	close(fd);
}

/* IPv4: the next hop to dst, or its MAC when broadcast or multicast (1). */
static int
neigh_hop4(const struct pk_node *n, const struct sockaddr_in *sin,
	   uint8_t *hop, struct rte_ether_addr *mac)
{
	uint32_t d = ntohl(sin->sin_addr.s_addr);
	uint32_t a = ntohl(n->addr4.s_addr);
	uint32_t mask = n->plen4 == 0 ? 0 : ~0u << (32 - n->plen4);

	if (d == UINT32_MAX || (n->plen4 < 31 && d == ((a & mask) | ~mask))) {
		memset(mac, 0xff, sizeof(*mac));
		return 1;
	}
	if ((d >> 28) == 0xe) { /* 224/4: 01:00:5e and the low 23 bits */
		*mac = (struct rte_ether_addr){ { 0x01, 0x00, 0x5e,
			(d >> 16) & 0x7f, (d >> 8) & 0xff, d & 0xff } };
		return 1;
	}
	if ((d & mask) == (a & mask))
		memcpy(hop, &sin->sin_addr, 4);
	else if (n->gateway4.s_addr != 0)
		memcpy(hop, &n->gateway4, 4);
	else
		return -EHOSTUNREACH;
	return 0;
}

static int
prefix_eq6(const uint8_t *x, const uint8_t *y, unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (memcmp(x, y, full) != 0)
		return 0;
	return rest == 0 ||
	       ((x[full] ^ y[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static int
neigh_hop6(const struct pk_node *n, const struct sockaddr_in6 *sin6,
	   uint8_t *hop, struct rte_ether_addr *mac)
{
	static const struct in6_addr none = IN6ADDR_ANY_INIT;
	const uint8_t *d = sin6->sin6_addr.s6_addr;

	if (d[0] == 0xff) { /* multicast: 33:33 and the low 32 bits */
		*mac = (struct rte_ether_addr){ { 0x33, 0x33, d[12], d[13],
						  d[14], d[15] } };
		return 1;
	}
	if ((d[0] == 0xfe && (d[1] & 0xc0) == 0x80) || /* fe80::/10 */
	    (memcmp(&n->addr6, &none, sizeof(none)) != 0 &&
	     prefix_eq6(d, n->addr6.s6_addr, n->plen6))) {
		memcpy(hop, d, 16);
		return 0;
	}
	return -EHOSTUNREACH;
}

static uint64_t
neigh_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int
node_neigh_resolve(struct pk_node *n, const struct sockaddr *dst,
		   struct rte_ether_addr *mac, uint32_t wait_us)
{
	uint64_t deadline, now;
	uint8_t hop[16];
	int family, rc;

	if (n == NULL || dst == NULL || mac == NULL)
		return -EINVAL;
	family = dst->sa_family;
	if (family == AF_INET)
		rc = neigh_hop4(n, (const struct sockaddr_in *)dst, hop, mac);
	else if (family == AF_INET6)
		rc = neigh_hop6(n, (const struct sockaddr_in6 *)dst, hop, mac);
	else
		return -EAFNOSUPPORT;
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	if (n->tap_ifindex == 0 || n->neigh == NULL)
		return -EHOSTUNREACH;
	if (neigh_cache_get(n->neigh, family, hop, mac) == 0)
		return 0;
	if (neigh_kernel(n, family, hop, mac) == 0)
		goto found;
	/* resolving again also restarts an entry the kernel gave up on */
	neigh_solicit(n, family, hop);
	deadline = neigh_now_us() + wait_us;
	while ((now = neigh_now_us()) < deadline) {
		usleep((useconds_t)RTE_MIN(deadline - now,
					   (uint64_t)NODE_NEIGH_POLL_US));
		rc = neigh_kernel(n, family, hop, mac);
		if (rc == 0)
			goto found;
		if (rc == -EHOSTUNREACH) /* no answer to its solicitations */
			return rc;
	}
	return -EAGAIN;
found:
	neigh_cache_put(n->neigh, family, hop, mac);
	return 0;
}

int
node_addr_is_local(const struct pk_node *n, const struct sockaddr *sa)
{
	static const struct in6_addr none = IN6ADDR_ANY_INIT;
	const struct in6_addr *a6;
	uint32_t a4;

	if (n == NULL || sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		a4 = ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
		return a4 == 0 || a4 == n->addr4.s_addr;
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	return memcmp(a6, &none, sizeof(none)) == 0 ||
	       (memcmp(&n->addr6, &none, sizeof(none)) != 0 &&
		memcmp(a6, &n->addr6, sizeof(*a6)) == 0);
}

int
node_local_addr(const struct pk_node *n, int family,
		struct sockaddr_storage *out)
{
	static const struct in6_addr none = IN6ADDR_ANY_INIT;
	struct sockaddr_in *sin = (struct sockaddr_in *)out;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

	if (n == NULL || out == NULL)
		return -EADDRNOTAVAIL;
	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr = n->addr4;
		return 0;
	}
	if (family != AF_INET6 ||
	    memcmp(&n->addr6, &none, sizeof(none)) == 0)
		return -EADDRNOTAVAIL;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = n->addr6;
	return 0;
}
