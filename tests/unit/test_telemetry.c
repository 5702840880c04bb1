/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: PathKit's commands answered through DPDK's real telemetry
 * socket (<runtime dir>/dpdk_telemetry.v2, as dpdk-telemetry.py uses it):
 * the list of live stages, one stage's kind, owner and statistics after
 * real traffic, an unknown name, and a destroyed stage leaving the list;
 * the same for arbiters and their clients.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define REPLY_MAX 16384

static struct rte_mempool *pool;
static int sock = -1;
static char reply[REPLY_MAX];

/* Connect as dpdk-telemetry.py does and read the greeting. */
static int
tel_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    read(fd, reply, sizeof(reply) - 1) <= 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send one command; the reply (JSON) is left in reply[]. */
static const char *
tel(const char *cmd)
{
	ssize_t n;

	assert_int_equal(write(sock, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	n = read(sock, reply, sizeof(reply) - 1);
	assert_true(n > 0);
	reply[n] = '\0';
	print_message("%s -> %s\n", cmd, reply);
	return reply;
}

static void
test_stage_list_and_stats(void **state)
{
	struct rte_mbuf *m[10];
	struct pk_stage *q;
	uint16_t k;

	(void)state;
	q = pk_queue_ring_create("telq", 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(q);
	pk_test_burst(pool, m, 10, 0);
	assert_int_equal(pk_stage_push(q, m, 10), 10);
	k = pk_stage_pull(q, m, 4);
	assert_int_equal(k, 4);
	rte_pktmbuf_free_bulk(m, k);

	assert_non_null(strstr(tel("/pathkit/stages"), "\"telq\""));
	tel("/pathkit/stage,telq");
	assert_non_null(strstr(reply, "\"kind\":\"queue_ring\""));
	assert_non_null(strstr(reply, "\"in_pkts\":10"));
	assert_non_null(strstr(reply, "\"out_pkts\":4"));
	assert_non_null(strstr(reply, "\"drop_no_match\":0"));
	assert_non_null(strstr(reply, "\"parent\":\"\""));

	pk_stage_destroy(q); /* frees the 6 it holds */
	assert_null(strstr(tel("/pathkit/stages"), "\"telq\""));
	assert_non_null(strstr(tel("/pathkit/stage,telq"), "null"));
}

/* A path's members say whose they are; a destroyed path takes them along. */
static void
test_path_members(void **state)
{
	struct pk_path_conf pc = { .name = "telpath", .owner = 7,
				   .socket_id = SOCKET_ID_ANY };
	struct pk_stage *s[2];
	struct pk_path *p;

	(void)state;
	s[0] = pk_stage_create("proc_noop", "telnoop", NULL, SOCKET_ID_ANY);
	s[1] = pk_queue_ring_create("telpq", 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(s[0]);
	assert_non_null(s[1]);
	p = pk_path_create(&pc, s, 2);
	assert_non_null(p);
	assert_non_null(strstr(tel("/pathkit/stage,telnoop"),
			       "\"parent\":\"telpath\""));
	assert_non_null(strstr(tel("/pathkit/stage,telpath"),
			       "\"kind\":\"path\""));
	pk_path_destroy(p);
	tel("/pathkit/stages");
	assert_null(strstr(reply, "\"telpath\""));
	assert_null(strstr(reply, "\"telnoop\""));
	assert_null(strstr(reply, "\"telpq\""));
}

/* An arbiter run in this thread: 10 packets from client 0, 20 from 1. */
static void
test_arbiter(void **state)
{
	struct pk_arbiter_conf c = {
		.nb_clients = 2, .lcore_id = PK_ARBITER_LCORE_NONE,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_mbuf *m[20];
	struct pk_arbiter *a;
	uint16_t k;

	(void)state;
	c.out = pk_queue_ring_create("telout", 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(c.out);
	a = pk_arbiter_create("tela", &c);
	assert_non_null(a);
	pk_test_burst(pool, m, 10, 0);
	assert_int_equal(pk_stage_push(pk_arbiter_client(a, 0), m, 10), 10);
	pk_test_burst(pool, m, 20, 100);
	assert_int_equal(pk_stage_push(pk_arbiter_client(a, 1), m, 20), 20);
	assert_int_equal(pk_arbiter_run(a, 4), 30);

	assert_non_null(strstr(tel("/pathkit/arbiters"), "\"tela\""));
	tel("/pathkit/arbiter,tela");
	assert_non_null(strstr(reply, "\"clients\":2"));
	assert_non_null(strstr(reply, "\"sent\":30"));
	assert_non_null(strstr(reply, "\"released\":30"));
	assert_non_null(strstr(tel("/pathkit/arbiter_client,tela,1"),
			       "\"sent\":20"));
	assert_non_null(strstr(reply, "\"admitted\":20"));
	/* its mailboxes are stages too */
	assert_non_null(strstr(tel("/pathkit/stage,tela.mb0"),
			       "\"in_pkts\":10"));
	assert_non_null(strstr(tel("/pathkit/arbiter_client,tela,2"), "null"));
	assert_non_null(strstr(tel("/pathkit/arbiter_client,tela"), "null"));
	assert_non_null(strstr(tel("/pathkit/arbiter_client,tela,x"), "null"));
	assert_non_null(strstr(tel("/pathkit/arbiter,nosuch"), "null"));

	pk_arbiter_destroy(a);
	assert_null(strstr(tel("/pathkit/arbiters"), "\"tela\""));
	while ((k = pk_stage_pull(c.out, m, 20)) > 0)
		rte_pktmbuf_free_bulk(m, k);
	pk_stage_destroy(c.out);
}

static void
test_bad_requests(void **state)
{
	(void)state;
	assert_non_null(strstr(tel("/pathkit/stage"), "null")); /* no name */
	assert_non_null(strstr(tel("/pathkit/stage,nosuch"), "null"));
	/* DPDK lists our commands with the others */
	assert_non_null(strstr(tel("/"), "/pathkit/stage"));
}

int
main(void)
{
	static const char *const eal[] = { "--telemetry", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_stage_list_and_stats,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_path_members,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_arbiter,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bad_requests,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_telemetry", NULL, eal);
	pool = pk_test_pool("test_telemetry", 1024);
	sock = tel_connect();
	if (sock < 0) {
		fprintf(stderr, "test_telemetry: no telemetry socket in %s\n",
			rte_eal_get_runtime_dir());
		pk_test_eal_cleanup();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	close(sock);
	pk_test_eal_cleanup();
	return rc;
}
