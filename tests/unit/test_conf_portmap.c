/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port maps in the configuration language (`portmap NAME (demux=D,
 * ephemeral=LO-HI)`, `reserve NAME SPEC`): each mistake with its place;
 * a map built with its reservations, guarding its demux: the file's
 * passive keys bind their ports for their targets' owners, a key on a port
 * reserved for another owner is refused at build (nothing left behind)
 * and by pk_ctl_key_add(), an active key only respects reservations, a
 * reservation over a bound port is refused until the key is deleted; the
 * map goes with the configuration, which builds again; a reload from or
 * into a configuration with a map is refused and changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static struct rte_mempool *pool;
static char out[8192];

static struct pk_conf *
load(const char *text, bool build)
{
	struct pk_conf_params p = { .mp = pool, .socket_id = SOCKET_ID_ANY,
				    .max_errors = 8 };
	struct pk_conf *c;
	char *buf = NULL;
	size_t len = 0;

	p.err = open_memstream(&buf, &len);
	assert_non_null(p.err);
	c = build ? pk_conf_load_string(text, "t.conf", &p) :
		    pk_conf_parse_string(text, "t.conf", &p);
	fclose(p.err);
	snprintf(out, sizeof(out), "%s", buf);
	free(buf);
	return c;
}

#define HEAD "owner alice, bob\n" \
	"q1 :: queue_ring -> t :: thread_entry -> d :: demux_flow\n" \
	"path pa (owner=alice) { qa :: queue_ring }\n" \
	"path pb (owner=bob) { qb :: queue_ring }\n" \
	"qa -> ta :: thread_entry -> xa :: queue_ring\n" \
	"qb -> tb :: thread_entry -> xb :: queue_ring\n"

static void
test_statements_checked(void **state)
{
	(void)state;
	assert_null(load(HEAD "portmap m (demux=qa, ephemeral=9-3)\n"
			 "portmap m2 (color=1)\n"
			 "reserve m carol:udp:5\nreserve n alice:udp:5\n"
			 "reserve m alice:sctp:5\nreserve m alice:udp:5-1\n",
			 false));
	assert_string_equal(out,
		"t.conf:7:18: found 'qa', expected a demux_flow stage\n"
		"t.conf:8:13: found argument 'color' of a port map, expected "
		"demux or ephemeral\n"
		"t.conf:9:11: found owner carol, expected a declared owner "
		"(owner carol) or unknown\n"
		"t.conf:10:9: found n, expected a port map (declare it: "
		"portmap n)\n"
		"t.conf:11:11: reservation 'alice:sctp:5': the protocol is "
		"udp or tcp\n"
		"t.conf:12:11: reservation 'alice:udp:5-1': the last port is "
		"below the first\n");
	assert_null(load(HEAD "portmap m (demux=d, ephemeral=9-3)\n"
			 "portmap m2 (demux=d)\n", false));
	assert_string_equal(out,
		"t.conf:7:31: found '9-3', expected ephemeral=LO-HI, ports "
		"1..65535, LO <= HI\n"
		"t.conf:8:9: found d guarded by port map m already, expected "
		"one map a demux\n");
	assert_null(load(HEAD "portmap m\nportmap m\n", false));
	assert_string_equal(out, "t.conf:8:9: port map m declared twice "
			    "(first at t.conf:7:9)\n");
	assert_null(load(HEAD "reserve m\n", false));
	assert_string_equal(out, "t.conf:7:10: found end of line, expected a "
			    "reservation OWNER:udp|tcp:LO[-HI][@ADDR]\n");
}

static int
query(const char *addr, uint16_t port, uint32_t *bound, uint32_t *resv)
{
	struct pk_portmap *pm = pk_portmap_lookup("m");
	struct sockaddr_in sa = { .sin_family = AF_INET };

	assert_non_null(pm);
	inet_pton(AF_INET, addr, &sa.sin_addr);
	return pk_portmap_query(pm, IPPROTO_UDP, (struct sockaddr *)&sa, port,
				bound, resv);
}

static const char map_text[] = HEAD
	"portmap m (demux=d, ephemeral=40000-40999)\n"
	"reserve m alice:udp:5000-5099\n"
	"key d udp4 *:5001 -> pa\n"
	"key d udp 10.0.0.1:53 -> pb\n";

static void
test_keys_bind_in_the_map(void **state)
{
	struct pk_conf *c;
	uint32_t bound, resv, alice, bob;
	char err[PK_CTL_ERR_MAX];
	int round;

	(void)state;
	for (round = 0; round < 2; round++) { /* and built again */
		c = load(map_text, true);
		if (c == NULL)
			fail_msg("%s", out);
		alice = (uint32_t)pk_owner_lookup("alice");
		bob = (uint32_t)pk_owner_lookup("bob");
		bound = resv = 99;
		assert_int_equal(query("10.0.0.7", 5001, &bound, &resv), 3);
		assert_int_equal(bound, alice);
		assert_int_equal(resv, alice);
		assert_int_equal(query("10.0.0.1", 53, &bound, NULL), 1);
		assert_int_equal(bound, bob);
		/* keys at run time: the map decides */
		assert_int_equal(pk_ctl_key_add("d udp 10.0.0.2:5002 -> pb",
						err, sizeof(err)), -EACCES);
		assert_string_equal(err, "udp port 5002 is reserved for alice "
				    "in port map m (the key's target is bob's)");
		assert_int_equal(pk_ctl_key_add("d udp 10.0.0.2:5002 -> qa",
						err, sizeof(err)), 0);
		assert_int_equal(query("10.0.0.2", 5002, NULL, NULL), 3);
		assert_int_equal(pk_ctl_key_add("d udp 10.0.0.2:5002 -> qa",
						err, sizeof(err)), -EADDRINUSE);
		/* active: respects reservations, binds nothing */
		assert_int_equal(pk_ctl_key_add("d udp 10.0.0.1:5003 <- "
						"10.0.0.9:4000 -> pb", err,
						sizeof(err)), -EACCES);
		assert_int_equal(pk_ctl_key_add("d udp 10.0.0.1:5003 <- "
						"10.0.0.9:4000 -> pa", err,
						sizeof(err)), 0);
		assert_int_equal(query("10.0.0.1", 5003, NULL, NULL), 2);
		/* a reservation over a key's port, then without the key */
		assert_int_equal(pk_ctl_reserve("m", "alice:udp:53", err,
						sizeof(err)), -EADDRINUSE);
		assert_int_equal(pk_ctl_key_del("d udp 10.0.0.1:53", err,
						sizeof(err)), 0);
		assert_int_equal(query("10.0.0.1", 53, NULL, NULL), 0);
		assert_int_equal(pk_ctl_reserve("m", "alice:udp:53", err,
						sizeof(err)), 0);
		assert_int_equal(pk_ctl_key_add("d udp 10.0.0.1:53 -> pb", err,
						sizeof(err)), -EACCES);
		assert_int_equal(pk_ctl_key_del("d udp 10.0.0.2:5002", err,
						sizeof(err)), 0);
		assert_int_equal(query("10.0.0.2", 5002, NULL, NULL), 2);
		pk_conf_destroy(c);
		assert_null(pk_portmap_lookup("m"));
		assert_int_equal(pk_owner_lookup("alice"), -ENOENT);
	}
}

static void
test_key_refused_at_build(void **state)
{
	(void)state;
	assert_null(load(HEAD "portmap m (demux=d)\n"
			 "reserve m alice:udp:5000-5099\n"
			 "key d udp4 *:5001 -> pa\nkey d udp4 *:5000 -> qb\n",
			 true));
	assert_string_equal(out, "t.conf:10:1: key udp4 *:5000 on d: udp port "
			    "5000 is reserved for alice in port map m (the "
			    "key's target is bob's)\n");
	assert_null(pk_portmap_lookup("m"));
	assert_int_equal(pk_owner_lookup("alice"), -ENOENT);
	assert_null(load(HEAD "portmap m (demux=d)\nkey d udp4 *:7 -> pa\n"
			 "key d udp 10.0.0.1:7 -> pb\n", true));
	assert_string_equal(out, "t.conf:9:1: key udp4 10.0.0.1:7 on d: udp "
			    "port 7 is bound in port map m already (by a key "
			    "of alice's)\n");
	assert_null(pk_portmap_lookup("m"));
}

/* c reloaded with text: -ENOTSUP with msg among the errors */
static void
reload_refused(struct pk_conf *c, const char *text, const char *msg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&buf, &len);

	assert_non_null(err);
	assert_int_equal(pk_conf_reload_string(c, text, "t2.conf", err, NULL),
			 -ENOTSUP);
	fclose(err);
	if (strstr(buf, msg) == NULL)
		fail_msg("want: %s\ngot:  %s", msg, buf);
	free(buf);
}

static void
test_reload_refused(void **state)
{
	struct pk_conf *c = load(HEAD, true);

	(void)state;
	if (c == NULL)
		fail_msg("%s", out);
	reload_refused(c, map_text, "t2.conf:7:9: port map m: a configuration "
		       "with port maps is not reloaded (restart it)");
	assert_null(pk_portmap_lookup("m"));
	pk_conf_destroy(c);
	c = load(map_text, true);
	if (c == NULL)
		fail_msg("%s", out);
	reload_refused(c, HEAD, "t2.conf: the running configuration has port "
		       "map m: a configuration with port maps is not reloaded "
		       "(restart it)");
	reload_refused(c, map_text, "t2.conf: the running configuration has "
		       "port map m");
	assert_int_equal(query("10.0.0.7", 5001, NULL, NULL), 3);
	pk_conf_destroy(c);
	assert_null(pk_portmap_lookup("m"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statements_checked),
		cmocka_unit_test_teardown(test_keys_bind_in_the_map,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_key_refused_at_build,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_reload_refused,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_conf_portmap", NULL, NULL);
	pool = pk_test_pool("test_conf_portmap", 1023);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
