/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port map under load: 100k bindings across four addresses (the table
 * grows; wildcard and range checks still see them; every one unbinds), and
 * four threads binding the same ports at once, each port bound exactly
 * once, their ephemeral picks all different. A fresh map per test; owners
 * alice and bob for the whole run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "portmap_fixture.h"

#define THREADS 4
#define RACE_PORTS 2000

/* 4 addresses x 25,000 ports, then every one unbound. */
static void
test_many_bindings(void **state)
{
	static const char *const addrs[] = {
		"10.0.0.1", "10.0.0.2", "fd00::1", "fd00::2",
	};
	struct pk_portmap *pm = *state;
	unsigned int i, p;

	for (i = 0; i < RTE_DIM(addrs); i++)
		for (p = 1024; p < 1024 + 25000; p++)
			assert_int_equal(bind_at(pm, alice, UDP, A(addrs[i]), p),
					 0);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.1"), 1024 + 24999),
			 -EADDRINUSE);
	assert_int_equal(bind_at(pm, bob, UDP, A("0.0.0.0"), 2000),
			 -EADDRINUSE);
	assert_int_equal(bind_at(pm, bob, UDP, A("10.0.0.3"), 2000), 0);
	assert_int_equal(pk_portmap_reserve(pm, bob, UDP, 2000, 2100, NULL),
			 -EADDRINUSE);
	for (i = 0; i < RTE_DIM(addrs); i++)
		for (p = 1024; p < 1024 + 25000; p++)
			assert_int_equal(pk_portmap_unbind(pm, UDP, A(addrs[i]),
							   p), 0);
	assert_int_equal(bind_at(pm, bob, UDP, NULL, 3000), 0);
	assert_int_equal(pk_portmap_reserve(pm, alice, UDP, 3001, 26000, NULL),
			 0);
}

struct race {
	struct pk_portmap *pm;
	uint32_t owner;
	unsigned int won;
	uint16_t eph[RACE_PORTS / 4];
};

static void *
race_thread(void *arg)
{
	struct race *r = arg;
	unsigned int i;
	uint16_t p;
	int rc;

	for (i = 0; i < RACE_PORTS; i++) {
		p = 20000 + i;
		rc = pk_portmap_bind(r->pm, r->owner, UDP, NULL, &p);
		if (rc == 0)
			r->won++;
		else if (rc != -EADDRINUSE)
			abort();
		if (i % 4 == 0) {
			p = 0;
			if (pk_portmap_bind(r->pm, r->owner, TCP, NULL, &p) != 0)
				abort();
			r->eph[i / 4] = p;
		}
	}
	return NULL;
}

static void
test_concurrent_binds(void **state)
{
	static bool seen[65536];
	struct pk_portmap *pm = *state;
	struct race r[THREADS];
	pthread_t t[THREADS];
	unsigned int i, j, won = 0;
	uint32_t bo;

	memset(seen, 0, sizeof(seen));
	memset(r, 0, sizeof(r));
	for (i = 0; i < THREADS; i++) {
		r[i].pm = pm;
		r[i].owner = i % 2 ? alice : bob;
		assert_int_equal(pthread_create(&t[i], NULL, race_thread, &r[i]),
				 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < THREADS; i++)
		won += r[i].won;
	assert_int_equal(won, RACE_PORTS); /* each port once */
	for (i = 0; i < RACE_PORTS; i++)
		assert_int_equal(pk_portmap_query(pm, UDP, NULL, 20000 + i, &bo,
						  NULL), 1);
	for (i = 0; i < THREADS; i++)
		for (j = 0; j < RACE_PORTS / 4; j++) {
			assert_true(r[i].eph[j] >= PK_PORTMAP_EPHEMERAL_LO &&
				    r[i].eph[j] <= PK_PORTMAP_EPHEMERAL_HI);
			assert_false(seen[r[i].eph[j]]);
			seen[r[i].eph[j]] = true;
		}
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_map, teardown_map)
	const struct CMUnitTest tests[] = {
		T(test_many_bindings),
		T(test_concurrent_binds),
	};
#undef T
	int rc;

	if (pm_fixture_start("test_portmap_load", NULL) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pm_fixture_stop();
	return rc;
}
