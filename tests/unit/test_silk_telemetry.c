/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reservation specs and telemetry of owners and port maps: specs good and
 * bad, each refusal with a printable one-line reason naming the part at
 * fault; /pathkit/portmaps and /pathkit/portmap,NAME (lists capped, counts
 * not); reserving and releasing through /pathkit/portmap_reserve and
 * /pathkit/portmap_release, with their errors, and parameters of the wrong
 * shape answered null; /pathkit/owners and /pathkit/owner,NAME, keys made
 * telemetry's [A-Za-z0-9_/], and more owners than one reply holds. All on
 * DPDK's real telemetry socket. A fresh map per test; owners alice and bob
 * for the whole run, others destroyed by the test that made them.
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
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "portmap_fixture.h"

static int sock = -1;
static char reply[16384];

static void
test_reserve_str(void **state)
{
	static const struct { const char *spec, *why; } bad[] = {
		{ "", "not OWNER:udp|tcp:LO[-HI][@ADDR]" },
		{ "alice:udp", "not OWNER:udp|tcp" },
		{ "alice:udp:1:2", "not OWNER:udp|tcp" },
		{ "alice:icmp:5", "the protocol is udp or tcp" },
		{ "alice:UDP:5", "the protocol is udp or tcp" },
		{ "alice:udp:0", "port: '0' is not an integer in 1..65535" },
		{ "alice:udp:70000", "'70000' is not an integer in 1..65535" },
		{ "alice:udp:+5", "port: '+5' is not" },
		{ "alice:udp: 5", "port: ' 5' is not" },
		{ "alice:udp:0x10", "port: '0x10' is not" },
		{ "alice:udp:5-", "last port: '' is not" },
		{ "alice:udp:5-6-7", "last port: '6-7' is not" },
		{ "alice:udp:9-5", "the last port is below the first" },
		{ "alice:udp:5@1.2.3", "neither an IPv4 nor an IPv6 literal" },
		{ "alice:udp:5@", "neither an IPv4 nor an IPv6 literal" },
		{ "alice:udp:5@[::1]", "neither an IPv4 nor an IPv6 literal" },
		{ "bad name:udp:5", "an owner is 1..31 characters" },
		{ ":udp:5", "an owner is 1..31 characters" },
		{ "\x01\x7f:udp:5", "reservation '\\x01\\x7f:udp:5': an owner" },
		{ "alice:udp:5000", "overlaps the reservation alice:udp:5000-5099" },
		{ "bob:udp:53@10.9.9.9", "overlaps the reservation "
		  "carol:udp:53@10.9.9.9" },
	};
	struct pk_portmap *pm = *state;
	char err[256], big[300];
	unsigned int i, j;
	uint32_t ro;
	int carol;

	assert_int_equal(pk_portmap_reserve_str(pm, "alice:udp:5000-5099", err,
						sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(pk_portmap_reserve_str(pm, "bob:tcp:8080@10.0.0.1",
						err, sizeof(err)), 0);
	assert_int_equal(pk_portmap_reserve_str(pm, "carol:udp:53@10.9.9.9",
						NULL, 0), 0);
	carol = pk_owner_lookup("carol");
	assert_true(carol > 0);
	assert_int_equal(pk_portmap_reserve_str(pm, "carol:udp:53@fd00::1",
						err, sizeof(err)), 0);
	assert_int_equal(pk_portmap_query(pm, UDP, A("fd00::1"), 53, NULL, &ro),
			 2);
	assert_int_equal(ro, (uint32_t)carol);
	assert_int_equal(bind_at(pm, alice, TCP, A("10.0.0.1"), 8080), -EACCES);

	for (i = 0; i < RTE_DIM(bad); i++) {
		err[0] = 'x';
		assert_true(pk_portmap_reserve_str(pm, bad[i].spec, err,
						   sizeof(err)) < 0);
		print_message("%s -> %s\n", bad[i].spec, err);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("'%s': '%s' lacks '%s'", bad[i].spec, err,
				 bad[i].why);
		for (j = 0; err[j] != '\0'; j++)
			assert_true(err[j] >= 0x20 && err[j] < 0x7f);
	}
	assert_int_equal(pk_portmap_reserve_str(pm, "alice:udp:5000", err,
						sizeof(err)), -EEXIST);
	assert_int_equal(pk_portmap_reserve_str(pm, "alice:udp:0", err,
						sizeof(err)), -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(pk_portmap_reserve_str(pm, big, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(pk_portmap_reserve_str(pm, NULL, err, sizeof(err)),
			 -EINVAL);
	/* no map: the syntax only, and no owner made */
	assert_int_equal(pk_portmap_reserve_str(NULL, "newcomer:udp:1", err,
						sizeof(err)), 0);
	assert_int_equal(pk_owner_lookup("newcomer"), -ENOENT);
	assert_int_equal(pk_portmap_reserve_str(NULL, "a:udp:x", err,
						sizeof(err)), -EINVAL);
	/* a short err buffer is cut, still terminated */
	assert_int_equal(pk_portmap_reserve_str(pm, "alice:udp:0", err, 8),
			 -EINVAL);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(pk_portmap_list(pm, NULL, 0), 4);
	assert_int_equal(pk_owner_lookup("bad name"), -ENOENT);
	assert_int_equal(pk_owner_destroy(carol), 0);
}

/* Send one command; the reply (JSON) is left in reply[]. */
static const char *
tel(const char *cmd)
{
	return pk_test_tel(sock, cmd, reply, sizeof(reply));
}

static void
test_telemetry(void **state)
{
	struct pk_portmap *pm = *state;
	struct pk_portmap *pm2 = pk_portmap_create("pm2");

	assert_non_null(pm2);
	assert_non_null(strstr(tel("/pathkit/portmaps"), "[\"pm\",\"pm2\"]"));
	pk_portmap_destroy(pm2);
	assert_non_null(strstr(tel("/pathkit/portmaps"), "[\"pm\"]"));

	assert_int_equal(pk_portmap_reserve_str(pm, "bob:tcp:80-81@fd00::1",
						NULL, 0), 0);
	assert_int_equal(bind_at(pm, alice, UDP, A("10.0.0.1"), 4000), 0);
	tel("/pathkit/portmap,pm");
	assert_non_null(strstr(reply, "\"ephemeral_lo\":32768,"
				      "\"ephemeral_hi\":60999,"
				      "\"nb_reservations\":1,\"nb_bound\":1,"));
	assert_non_null(strstr(reply, "\"reservations\":"
				      "[\"bob:tcp:80-81@fd00::1\"]"));
	assert_non_null(strstr(reply, "\"bound\":[\"udp:4000@10.0.0.1 alice\"]"));

	tel("/pathkit/portmap_reserve,pm,alice:udp:9000-9009");
	assert_non_null(strstr(reply, "{\"ok\":1}"));
	assert_int_equal(bind_at(pm, bob, UDP, NULL, 9005), -EACCES);
	tel("/pathkit/portmap_reserve,pm,bob:udp:9009");
	assert_non_null(strstr(reply, "\"ok\":0,\"errno\":17,"));
	assert_non_null(strstr(reply, "overlaps the reservation "
				      "alice:udp:9000-9009"));
	tel("/pathkit/portmap_reserve,pm,alice:udp:99999");
	assert_non_null(strstr(reply, "\"ok\":0,\"errno\":22,"));
	tel("/pathkit/portmap_release,pm,alice:udp:9000-9009");
	assert_non_null(strstr(reply, "{\"ok\":1}"));
	assert_int_equal(bind_at(pm, bob, UDP, NULL, 9005), 0);
	tel("/pathkit/portmap_release,pm,alice:udp:9000-9009");
	assert_non_null(strstr(reply, "\"ok\":0,\"errno\":2,"));
	tel("/pathkit/portmap_release,pm,nobody:udp:1");
	assert_non_null(strstr(reply, "no owner nobody"));
	assert_int_equal(pk_owner_lookup("nobody"), -ENOENT);

	/* the wrong shape, or no such map: null */
	assert_non_null(strstr(tel("/pathkit/portmap,nomap"), ":null}"));
	assert_non_null(strstr(tel("/pathkit/portmap"), ":null}"));
	assert_non_null(strstr(tel("/pathkit/portmaps,pm"), ":null}"));
	assert_non_null(strstr(tel("/pathkit/portmap_reserve,pm"), ":null}"));
	assert_non_null(strstr(tel("/pathkit/portmap_reserve"), ":null}"));
	assert_non_null(strstr(tel("/pathkit/portmap_reserve,,a:udp:1"),
			       ":null}"));
	assert_non_null(strstr(tel("/pathkit/portmap_reserve,nomap,a:udp:1"),
			       ":null}"));
	assert_non_null(strstr(tel("/pathkit/portmap_release,pmx,a:udp:1"),
			       ":null}"));
	assert_int_equal(pk_owner_lookup("a"), -ENOENT);
}

static unsigned int
count_in_reply(const char *s)
{
	const char *p = reply;
	unsigned int n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Many of each: the lists are capped, the counts are not. */
static void
test_telemetry_long_lists(void **state)
{
	struct pk_portmap *pm = *state;
	unsigned int i;

	for (i = 0; i < 300; i++) {
		assert_int_equal(bind_at(pm, alice, UDP, A("fd00::1234:5678"),
					 10000 + i), 0);
		assert_int_equal(pk_portmap_reserve(pm, bob, TCP, 10000 + 2 * i,
						    10001 + 2 * i,
						    A("fd00::1234:5678")), 0);
	}
	tel("/pathkit/portmap,pm");
	assert_non_null(strstr(reply, "\"nb_reservations\":300,"
				      "\"nb_bound\":300,"));
	assert_int_equal(count_in_reply("\"bob:tcp:"), 64);
	assert_int_equal(count_in_reply(" alice\""), 64);
	assert_true(strcmp(reply + strlen(reply) - 3, "]}}") == 0);
}

static void
test_owner_telemetry(void **state)
{
	char key[128];
	int id;

	(void)state;
	id = pk_owner_create("tel.owner");
	assert_true(id > 0);
	pk_owner_charge(id, PK_ACCT_TCP, PK_ACCT_SENT, 5, 500);
	pk_owner_charge(id, PK_ACCT_UDP, PK_ACCT_SENT, 1, 50);
	pk_owner_count_socket(id, PK_ACCT_UDP, 1);

	tel("/pathkit/owners");
	assert_non_null(strstr(reply, "\"unknown\":{"));
	snprintf(key, sizeof(key), "\"tel_owner/%d\":{\"id\":%d,"
		 "\"name\":\"tel.owner\",\"sent_pkts\":6,\"sent_bytes\":550,",
		 id, id);
	assert_non_null(strstr(reply, key));
	assert_non_null(strstr(reply, "\"opened\":1,\"closed\":0}"));
	tel("/pathkit/owner,tel.owner");
	assert_non_null(strstr(reply, "\"tcp\":{\"sent_pkts\":5,"
				      "\"sent_bytes\":500,"));
	assert_non_null(strstr(reply, "\"udp\":{\"sent_pkts\":1,"));
	assert_non_null(strstr(reply, "\"raw_icmp\":{"));
	assert_non_null(strstr(tel("/pathkit/owner,nobody"), ":null}"));
	assert_non_null(strstr(tel("/pathkit/owner"), ":null}"));
	assert_non_null(strstr(tel("/pathkit/owners,x"), ":null}"));
	assert_non_null(strstr(tel("/pathkit/owner,"
				   "tel.owner0123456789012345678901234"),
			       ":null}"));
	assert_int_equal(pk_owner_destroy(id), 0);
	assert_non_null(strstr(tel("/pathkit/owner,tel.owner"), ":null}"));
}

/* More owners than one reply holds: the first ones, still a reply. */
static void
test_telemetry_many_owners(void **state)
{
	char name[PK_OWNER_NAMESIZE], key[64];
	int ids[PK_OWNER_MAX - 3], i; /* unknown, alice and bob are there */

	(void)state;
	for (i = 0; i < PK_OWNER_MAX - 3; i++) {
		snprintf(name, sizeof(name), "owner-%d", i);
		ids[i] = pk_owner_create(name);
		assert_true(ids[i] > 0);
		pk_owner_charge(ids[i], PK_ACCT_UDP, PK_ACCT_SENT,
				UINT64_MAX / 2, UINT64_MAX / 2);
	}
	tel("/pathkit/owners");
	assert_non_null(strstr(reply, "{\"/pathkit/owners\":{\"unknown\":{"));
	snprintf(key, sizeof(key), "\"owner_0/%d\":{", ids[0]);
	assert_non_null(strstr(reply, key));
	assert_true(strcmp(reply + strlen(reply) - 3, "}}}") == 0);
	snprintf(key, sizeof(key), "\"owner_60/%d\":{", ids[60]);
	assert_non_null(strstr(reply, key)); /* some eighty fit */
	assert_non_null(strstr(tel("/pathkit/owner,owner-252"),
			       "\"udp\":{\"sent_pkts\":9223372036854775807,"));
	for (i = 0; i < PK_OWNER_MAX - 3; i++)
		assert_int_equal(pk_owner_destroy(ids[i]), 0);
}

int
main(void)
{
	static const char *const eal[] = { "--telemetry", NULL };
#define T(f) cmocka_unit_test_setup_teardown(f, setup_map, teardown_map)
	const struct CMUnitTest tests[] = {
		T(test_reserve_str),
		T(test_telemetry),
		T(test_telemetry_long_lists),
		T(test_owner_telemetry),
		T(test_telemetry_many_owners),
	};
#undef T
	int rc;

	if (pm_fixture_start("test_silk_telemetry", eal) < 0)
		return 1;
	sock = pk_test_tel_connect();
	if (sock < 0) {
		fprintf(stderr, "test_silk_telemetry: no telemetry socket in "
			"%s\n", rte_eal_get_runtime_dir());
		pm_fixture_stop();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	close(sock);
	pm_fixture_stop();
	return rc;
}
