/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PORTMAP_FIXTURE_H
#define PK_PORTMAP_FIXTURE_H

/*
 * The port map tests' fixture: a fresh map "pm" per test (setup_map,
 * teardown_map: gone from the lookup and every mempool full again after),
 * owners alice and bob for the whole run (pm_fixture_start/stop), addresses
 * from literals (A) and binds at a given port (bind_at). Include after
 * pk_test.h.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <pathkit/pathkit.h>

#define UDP IPPROTO_UDP
#define TCP IPPROTO_TCP

static uint32_t alice, bob;

/* An address from a literal ("10.0.0.1", "fd00::1"), in one of four
 * rotating slots: it lives through the next three calls. */
static inline const struct sockaddr *
A(const char *lit)
{
	static struct sockaddr_storage ss[4];
	static unsigned int next;
	struct sockaddr_storage *s = &ss[next++ % 4];

	memset(s, 0, sizeof(*s));
	if (inet_pton(AF_INET, lit, &((struct sockaddr_in *)s)->sin_addr) == 1)
		s->ss_family = AF_INET;
	else if (inet_pton(AF_INET6, lit,
			   &((struct sockaddr_in6 *)s)->sin6_addr) == 1)
		s->ss_family = AF_INET6;
	else
		fail_msg("bad literal %s", lit);
	return (const struct sockaddr *)s;
}

/* Bind a given port (not 0): what pk_portmap_bind() returns. */
static inline int
bind_at(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
	const struct sockaddr *addr, uint16_t port)
{
	return pk_portmap_bind(pm, owner, proto, addr, &port);
}

static inline int
setup_map(void **state)
{
	*state = pk_portmap_create("pm");
	return *state != NULL ? 0 : -1;
}

static inline int
teardown_map(void **state)
{
	pk_portmap_destroy(*state);
	assert_null(pk_portmap_lookup("pm"));
	pk_test_assert_pools_full();
	return 0;
}

/* Start the EAL (extra: more EAL arguments, or NULL) and make alice and
 * bob; -1, with a message and the EAL stopped, when an owner cannot be
 * made. */
static inline int
pm_fixture_start(const char *test_name, const char *const *extra)
{
	pk_test_eal_init(test_name, NULL, extra);
	alice = (uint32_t)pk_owner_create("alice");
	bob = (uint32_t)pk_owner_create("bob");
	if ((int)alice <= 0 || (int)bob <= 0) {
		fprintf(stderr, "%s: cannot make the owners\n", test_name);
		pk_test_eal_cleanup();
		return -1;
	}
	return 0;
}

/* Destroy alice and bob, then stop the EAL. */
static inline void
pm_fixture_stop(void)
{
	pk_owner_destroy(alice);
	pk_owner_destroy(bob);
	pk_test_eal_cleanup();
}

#endif /* PK_PORTMAP_FIXTURE_H */
