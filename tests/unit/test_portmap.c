/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port map: names; reservations, overlapping ones refused (-EEXIST) on
 * conflicting addresses only (IPv4 and IPv6 apart, NULL covering both);
 * a port reserved for another owner refused (-EACCES), one bound on a
 * conflicting address refused (-EADDRINUSE: specific against wildcard both
 * ways, IPv4 and IPv6 independent), a reservation over another owner's
 * binding refused; ephemeral picks never give a reserved or a bound port and
 * end with -EADDRNOTAVAIL when the range is full; release and list, in the
 * order made. Load (100k bindings, threads): test_portmap_load.c; specs and
 * telemetry: test_silk_telemetry.c. Each test has a fresh map; owners alice
 * and bob live for the whole run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "portmap_fixture.h"



static void
test_names(void **state)
{
	struct pk_portmap *pm = *state;

	assert_ptr_equal(pk_portmap_lookup("pm"), pm);
	assert_null(pk_portmap_lookup("other"));
	assert_null(pk_portmap_create("pm"));
	assert_int_equal(rte_errno, EEXIST);
	assert_null(pk_portmap_create(NULL));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pk_portmap_create(""));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pk_portmap_create("0123456789012345678901234567890x"));
	assert_int_equal(rte_errno, EINVAL);
	pk_portmap_destroy(NULL);
}

static void
test_reserve_overlaps(void **state)
{
	struct sockaddr_un unix_addr = { .sun_family = AF_UNIX };
	struct pk_portmap *pm = *state;
	int i, n;

	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 5000, 5009, NULL), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 5005, 5020, NULL),
			 -EEXIST);
	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 5009, 5009, NULL),
			 -EEXIST);
	assert_int_equal(pk_portmap_reserve(pm, bob, TCP, 5000, 5009, NULL), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 5010, 5020, NULL), 0);
	/* on addresses: only conflicting ones overlap */
	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 6000, 6000,
					    A("10.0.0.1")), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 6000, 6000,
					    A("10.0.0.2")), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 6000, 6000,
					    A("0.0.0.0")), -EEXIST);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 6000, 6000,
					    A("::")), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 6000, 6000, NULL),
			 -EEXIST);
	/* bad arguments */
	assert_int_equal(pk_portmap_reserve(NULL, alice, UDP, 1, 1, NULL),
			 -EINVAL);
	assert_int_equal(pk_portmap_reserve(pm, alice, IPPROTO_ICMP, 1, 1,
					    NULL), -EINVAL);
	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 0, 1, NULL),
			 -EINVAL);
	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 9, 8, NULL),
			 -EINVAL);
	assert_int_equal(pk_portmap_reserve(pm, 200, UDP, 1, 1, NULL), -EINVAL);
	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 1, 1,
					    (struct sockaddr *)&unix_addr),
			 -EINVAL);
	/* the limit */
	n = pk_portmap_list(pm, NULL, 0);
	assert_int_equal(n, 6);
	for (i = 0; i < PK_PORTMAP_MAX_RESV - n; i++)
		assert_int_equal(pk_portmap_reserve(pm, alice, TCP, 10000 + i,
						    10000 + i, NULL), 0);
	assert_int_equal(pk_portmap_reserve(pm, alice, TCP, 60000, 60000,
					    NULL), -ENOSPC);
	assert_int_equal(pk_portmap_list(pm, NULL, 0), PK_PORTMAP_MAX_RESV);
}

static void
test_bind_reserved_for_another(void **state)
{
	struct pk_portmap *pm = *state;

	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 5000, 5009, NULL), 0);
	assert_int_equal(bind_at(pm, bob, UDP, NULL, 5000), -EACCES);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.9"), 5009), -EACCES);
	assert_int_equal(bind_at(pm, bob, UDP, A("fd00::9"), 5001), -EACCES);
	assert_int_equal(bind_at(pm, alice, UDP, NULL, 5000), 0);
	assert_int_equal(bind_at(pm, bob, TCP, NULL, 5000), 0);
	assert_int_equal(bind_at(pm, bob, UDP, NULL, 5010), 0);

	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 6000, 6000,
					    A("10.0.0.1")), 0);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.2"), 6000), 0);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.1"), 6000), -EACCES);
	assert_int_equal(bind_at(pm, bob, UDP, A("0.0.0.0"), 6000), -EACCES);
	assert_int_equal(bind_at(pm, bob, UDP, A("::"), 6000), 0);
	assert_int_equal(bind_at(pm, alice, UDP, A("10.0.0.1"), 6000), 0);

	/* a reservation over another owner's binding is refused */
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.3"), 7000), 0);
	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 6990, 7010, NULL),
			 -EADDRINUSE);
	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 6990, 7010,
					    A("10.0.0.3")), -EADDRINUSE);
	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 6990, 7010,
					    A("10.0.0.4")), 0);
	/* over its own binding, beside alice's: fine */
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 7000, 7000,
					    A("10.0.0.3")), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 7000, 7000, NULL),
			 -EEXIST);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 8000, 8001,
					    A("fd00::1")), 0);
	assert_int_equal(bind_at(pm, bob, TCP, NULL, 8500), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, TCP, 8500, 8509, NULL), 0);
}

static void
test_in_use(void **state)
{
	struct pk_portmap *pm = *state;
	uint32_t bo = 99, ro = 99;

	assert_int_equal(bind_at(pm, alice, UDP, A("10.0.0.1"), 8000), 0);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.1"), 8000),
			 -EADDRINUSE);
	assert_int_equal(bind_at(pm, alice, UDP, A("10.0.0.1"), 8000),
			 -EADDRINUSE);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.2"), 8000), 0);
	assert_int_equal(bind_at(pm, bob, UDP, A("0.0.0.0"), 8000),
			 -EADDRINUSE);
	assert_int_equal(bind_at(pm, bob, UDP, NULL, 8000), -EADDRINUSE);
	assert_int_equal(bind_at(pm, bob, UDP, A("::"), 8000), 0);
	assert_int_equal(bind_at(pm, bob, UDP, A("fd00::1"), 8000),
			 -EADDRINUSE);
	assert_int_equal(bind_at(pm, bob, TCP, NULL, 8000), 0);
	/* wildcard first */
	assert_int_equal(bind_at(pm, alice, UDP, A("0.0.0.0"), 8100), 0);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.1"), 8100),
			 -EADDRINUSE);
	assert_int_equal(bind_at(pm, bob, UDP, A("fd00::1"), 8100), 0);
	assert_int_equal(bind_at(pm, alice, UDP, NULL, 8200), 0);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.1"), 8200),
			 -EADDRINUSE);
	assert_int_equal(bind_at(pm, bob, UDP, A("fd00::1"), 8200),
			 -EADDRINUSE);
	assert_int_equal(bind_at(pm, bob, UDP, A("::"), 8200), -EADDRINUSE);

	/* query: as a bind there would find it */
	assert_int_equal(pk_portmap_query(pm, UDP, A("10.0.0.1"), 8000, &bo,
					  &ro), 1);
	assert_int_equal(bo, alice);
	assert_int_equal(ro, 99);
	assert_int_equal(pk_portmap_query(pm, UDP, A("0.0.0.0"), 8000, &bo,
					  NULL), 1);
	assert_int_equal(pk_portmap_query(pm, UDP, A("10.0.0.3"), 8100, &bo,
					  NULL), 1);
	assert_int_equal(bo, alice);
	assert_int_equal(pk_portmap_query(pm, UDP, A("10.0.0.3"), 8000, NULL,
					  NULL), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 8300, 8300, NULL), 0);
	assert_int_equal(pk_portmap_query(pm, UDP, A("fd00::3"), 8300, &bo,
					  &ro), 2);
	assert_int_equal(ro, bob);
	assert_int_equal(pk_portmap_query(pm, UDP, NULL, 0, NULL, NULL),
			 -EINVAL);

	/* unbind: exactly as bound */
	assert_int_equal(pk_portmap_unbind(pm, UDP, A("10.0.0.1"), 8000), 0);
	assert_int_equal(pk_portmap_unbind(pm, UDP, A("10.0.0.1"), 8000),
			 -ENOENT);
	assert_int_equal(pk_portmap_unbind(pm, UDP, NULL, 8100), -ENOENT);
	assert_int_equal(pk_portmap_unbind(pm, UDP, NULL, 0), -EINVAL);
	assert_int_equal(pk_portmap_unbind(pm, 0, NULL, 8000), -EINVAL);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.1"), 8000), 0);
	assert_int_equal(pk_portmap_unbind(pm, UDP, A("10.0.0.2"), 8000), 0);
	assert_int_equal(pk_portmap_unbind(pm, UDP, A("10.0.0.1"), 8000), 0);
	assert_int_equal(bind_at(pm, bob, UDP, A("0.0.0.0"), 8000), 0);
	assert_int_equal(pk_portmap_bind(NULL, bob, UDP, NULL, &(uint16_t){1}),
			 -EINVAL);
	assert_int_equal(pk_portmap_bind(pm, bob, UDP, NULL, NULL), -EINVAL);
}

static void
test_ephemeral_never_reserved_or_used(void **state)
{
	struct pk_portmap *pm = *state;
	bool seen[10] = { false };
	uint16_t p;
	int i;

	assert_int_equal(pk_portmap_ephemeral_set(pm, 0, 5), -EINVAL);
	assert_int_equal(pk_portmap_ephemeral_set(pm, 10, 5), -EINVAL);
	assert_int_equal(pk_portmap_ephemeral_set(NULL, 1, 5), -EINVAL);
	assert_int_equal(pk_portmap_ephemeral_set(pm, 40000, 40009), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 40002, 40003, NULL),
			 0);
	assert_int_equal(bind_at(pm, alice, UDP, NULL, 40005), 0);
	for (i = 0; i < 7; i++) {
		p = 0;
		assert_int_equal(pk_portmap_bind(pm, alice, UDP, NULL, &p), 0);
		assert_true(p >= 40000 && p <= 40009);
		assert_true(p != 40002 && p != 40003 && p != 40005);
		assert_false(seen[p - 40000]);
		seen[p - 40000] = true;
	}
	p = 0;
	assert_int_equal(pk_portmap_bind(pm, alice, UDP, NULL, &p),
			 -EADDRNOTAVAIL);
	assert_int_equal(p, 0);
	/* the reserving owner too: its ports are bound by number */
	assert_int_equal(pk_portmap_bind(pm, bob, UDP, A("fd00::1"), &p),
			 -EADDRNOTAVAIL);
	/* a port freed is found again; TCP is apart */
	assert_int_equal(pk_portmap_unbind(pm, UDP, NULL, 40007), 0);
	assert_int_equal(pk_portmap_bind(pm, bob, UDP, NULL, &p), 0);
	assert_int_equal(p, 40007);
	p = 0;
	assert_int_equal(pk_portmap_bind(pm, bob, TCP, NULL, &p), 0);
	assert_int_equal(p, 40000);

	/* specific addresses share ports, wildcards do not */
	assert_int_equal(pk_portmap_ephemeral_set(pm, 41000, 41003), 0);
	for (i = 0; i < 4; i++) {
		p = 0;
		assert_int_equal(pk_portmap_bind(pm, alice, TCP, A("10.0.0.1"),
						 &p), 0);
	}
	p = 0;
	assert_int_equal(pk_portmap_bind(pm, alice, TCP, A("10.0.0.1"), &p),
			 -EADDRNOTAVAIL);
	assert_int_equal(pk_portmap_bind(pm, alice, TCP, A("0.0.0.0"), &p),
			 -EADDRNOTAVAIL);
	assert_int_equal(pk_portmap_bind(pm, alice, TCP, NULL, &p),
			 -EADDRNOTAVAIL);
	assert_int_equal(pk_portmap_bind(pm, alice, TCP, A("10.0.0.2"), &p), 0);
	assert_true(p >= 41000 && p <= 41003);
	p = 0;
	assert_int_equal(pk_portmap_bind(pm, alice, TCP, A("::"), &p), 0);
	assert_true(p >= 41000 && p <= 41003);
}

static void
test_release_and_list(void **state)
{
	struct pk_portmap *pm = *state;
	struct pk_portmap_resv r[4];
	const struct sockaddr_in *s4;
	uint32_t ro = 99;

	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 5000, 5009, NULL), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, TCP, 80, 80,
					    A("10.1.2.3")), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 53, 53, A("::")), 0);
	assert_int_equal(pk_portmap_list(pm, NULL, 0), 3);
	assert_int_equal(pk_portmap_list(pm, NULL, 1), -EINVAL);
	assert_int_equal(pk_portmap_list(NULL, r, 4), -EINVAL);
	memset(r, 0xff, sizeof(r));
	assert_int_equal(pk_portmap_list(pm, r, 2), 3);
	assert_int_equal(r[0].owner, alice);
	assert_int_equal(r[0].proto, UDP);
	assert_int_equal(r[0].lo, 5000);
	assert_int_equal(r[0].hi, 5009);
	assert_int_equal(r[0].addr.ss_family, AF_UNSPEC);
	assert_int_equal(r[1].owner, bob);
	assert_int_equal(r[1].addr.ss_family, AF_INET);
	s4 = (const struct sockaddr_in *)&r[1].addr;
	assert_int_equal(s4->sin_addr.s_addr, inet_addr("10.1.2.3"));
	assert_int_equal(r[2].owner, 0xffffffffu); /* beyond max: untouched */

	assert_int_equal(bind_at(pm, alice, UDP, NULL, 5003), 0);
	assert_int_equal(pk_portmap_release(pm, bob, UDP, 5000, 5009, NULL),
			 -ENOENT);
	assert_int_equal(pk_portmap_release(pm, alice, UDP, 5000, 5008, NULL),
			 -ENOENT);
	assert_int_equal(pk_portmap_release(pm, alice, UDP, 5000, 5009,
					    A("0.0.0.0")), -ENOENT);
	assert_int_equal(pk_portmap_release(pm, alice, UDP, 0, 5009, NULL),
			 -EINVAL);
	/* the listed address releases it: AF_UNSPEC is NULL */
	assert_int_equal(pk_portmap_release(pm, alice, UDP, 5000, 5009,
					    (struct sockaddr *)&r[0].addr), 0);
	assert_int_equal(pk_portmap_list(pm, r, 4), 2);
	assert_int_equal(r[0].proto, TCP);
	assert_int_equal(r[1].lo, 53);
	/* the port bound in it stays bound; the others are free */
	assert_int_equal(pk_portmap_query(pm, UDP, NULL, 5003, NULL, &ro), 1);
	assert_int_equal(bind_at(pm, bob, UDP, NULL, 5004), 0);
	assert_int_equal(pk_portmap_release(pm, bob, TCP, 80, 80,
					    A("10.1.2.3")), 0);
	assert_int_equal(bind_at(pm, alice, TCP, A("10.1.2.3"), 80), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_map, teardown_map)
	const struct CMUnitTest tests[] = {
		T(test_names),
		T(test_reserve_overlaps),
		T(test_bind_reserved_for_another),
		T(test_in_use),
		T(test_ephemeral_never_reserved_or_used),
		T(test_release_and_list),
	};
#undef T
	int rc;

	if (pm_fixture_start("test_portmap", NULL) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pm_fixture_stop();
	return rc;
}
