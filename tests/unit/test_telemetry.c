/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: PathKit's commands answered through DPDK's real telemetry
 * socket (<runtime dir>/dpdk_telemetry.v2, as dpdk-telemetry.py uses it):
 * the list of live stages, one stage's kind, owner and statistics after
 * real traffic, an unknown name, and a destroyed stage leaving the list;
 * the same for arbiters and their clients. A table of hostile parameters
 * (signs, spaces, hex, exponents, wrap-around, empty or extra fields,
 * neighbours' names with a byte more or less, bytes that are not printable)
 * each answered null, and good ones answered with exactly the named
 * object's data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Send one command; the reply (JSON) is left in reply[]. */
static const char *
tel(const char *cmd)
{
	return pk_test_tel(sock, cmd, reply, sizeof(reply));
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

/*
 * Objects the hostile table aims at: names that are prefixes or suffixes of
 * one another, one of the longest name a stage may have, and counts that
 * tell each one's data from its neighbours'.
 */
#define LONG31 "telq_0123456789abcdefghijklmnop" /* PK_STAGE_NAMESIZE - 1 */
#define ALONG31 "tela_0123456789abcdefghijklmnop"

/* Stages telq, telq2, LONG31; arbiters tela, telab, ALONG31 (into out[]). */
struct hostile {
	struct pk_stage *q[3];
	struct pk_stage *out[3];
	struct pk_arbiter *a[3];
};

static const char *const hostile_stage_names[] = { "telq", "telq2", LONG31 };
static const uint16_t hostile_stage_in[] = { 10, 3, 5 };
static const char *const hostile_arb_names[] = { "tela", "telab", ALONG31 };
static const uint16_t hostile_arb_in[3][3] = { { 10, 20 }, { 1, 2, 4 }, { 7 } };
static const uint32_t hostile_arb_clients[] = { 2, 3, 1 };

static int
hostile_setup(void **state)
{
	struct pk_arbiter_conf c = {
		.lcore_id = PK_ARBITER_LCORE_NONE,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct hostile *h = calloc(1, sizeof(*h));
	struct rte_mbuf *m[20];
	char oname[PK_STAGE_NAMESIZE];
	unsigned int i, j;

	assert_non_null(h);
	for (i = 0; i < RTE_DIM(h->q); i++) {
		h->q[i] = pk_queue_ring_create(hostile_stage_names[i], 64, 0, 0,
					       SOCKET_ID_ANY);
		assert_non_null(h->q[i]);
		pk_test_burst(pool, m, hostile_stage_in[i], 0);
		assert_int_equal(pk_stage_push(h->q[i], m,
					       hostile_stage_in[i]),
				 hostile_stage_in[i]);
	}
	for (i = 0; i < RTE_DIM(h->a); i++) {
		snprintf(oname, sizeof(oname), "telout%u", i);
		h->out[i] = pk_queue_ring_create(oname, 64, 0, 0,
						 SOCKET_ID_ANY);
		assert_non_null(h->out[i]);
		c.out = h->out[i];
		c.nb_clients = hostile_arb_clients[i];
		h->a[i] = pk_arbiter_create(hostile_arb_names[i], &c);
		assert_non_null(h->a[i]);
		for (j = 0; j < c.nb_clients; j++) {
			pk_test_burst(pool, m, hostile_arb_in[i][j], 0);
			assert_int_equal(pk_stage_push(
				pk_arbiter_client(h->a[i], j), m,
				hostile_arb_in[i][j]), hostile_arb_in[i][j]);
		}
		assert_true(pk_arbiter_run(h->a[i], 8) > 0);
	}
	*state = h;
	return 0;
}

static int
hostile_teardown(void **state)
{
	struct hostile *h = *state;
	struct rte_mbuf *m[32];
	unsigned int i;
	uint16_t k;

	for (i = 0; i < RTE_DIM(h->a); i++) {
		pk_arbiter_destroy(h->a[i]);
		while ((k = pk_stage_pull(h->out[i], m, 32)) > 0)
			rte_pktmbuf_free_bulk(m, k);
		pk_stage_destroy(h->out[i]);
	}
	for (i = 0; i < RTE_DIM(h->q); i++)
		pk_stage_destroy(h->q[i]); /* frees what it holds */
	free(h);
	return pk_test_teardown_pools_full(state);
}

#define ST "/pathkit/stage"
#define AR "/pathkit/arbiter"
#define CL "/pathkit/arbiter_client"

/* Each must be answered {"<command>":null}, whatever objects live. */
static const char *const hostile_params[] = {
	/* /pathkit/stage: no name, empty, extra fields, spaces, case */
	ST, ST ",", ST ",,telq", ST ",telq,", ST ",telq,telq2", ST ",telq ",
	ST ", telq", ST ",telq\t", ST ",telq\n", ST ",TELQ", ST ",\"telq\"",
	/* neighbours' names, a byte more or less */
	ST ",tel", ST ",telq3", ST ",telq2x", ST ",telq22", ST ",tela",
	ST ",tela.mb2", ST ",tela.mb", ST ",tela.mb00", ST ",tela.mb0 ",
	ST "," LONG31 "x", ST ",telq_0123456789abcdefghijklmno",
	ST "," LONG31 LONG31 LONG31 LONG31,
	/* bytes that are not printable, wildcards, formats, numbers */
	ST ",telq\x01", ST ",\x01telq", ST ",telq\x7f", ST ",telq\xff",
	ST ",telq*", ST ",tel%", ST ",%s%s%s%n", ST ",0", ST ",-1",
	ST "s,telq",
	/* /pathkit/arbiter */
	AR, AR ",", AR ",,tela", AR ",tela,", AR ",tela,0", AR ",tela ",
	AR ", tela", AR ",TELA", AR ",tel", AR ",telac", AR ",telabb",
	AR ",tela.mb0", AR ",telq", AR ",tela\x01", AR ",tela\xff", AR ",0",
	AR "," ALONG31 "x", AR ",tela_0123456789abcdefghijklmno", AR "s,tela",
	/* /pathkit/arbiter_client: fields missing, empty, extra */
	CL, CL ",", CL ",tela", CL ",tela,", CL ",,1", CL ",1", CL ",,tela,1",
	CL ",tela,,1", CL ",tela,1,", CL ",tela,1,1", CL ",tela;1",
	/* signs, spaces, wrap-around */
	CL ",tela,-18446744073709551615", CL ",tela,-1", CL ",tela,-0",
	CL ",tela,+1", CL ",tela,+0", CL ",tela,-", CL ",tela,+",
	CL ",tela, 1", CL ",tela,1 ", CL ",tela,\t1", CL ",tela,1\n",
	CL ",tela,1\x01", CL ",tela,(1)",
	/* other bases and notations */
	CL ",tela,0x1", CL ",tela,0X1", CL ",tela,0x", CL ",tela,0b1",
	CL ",tela,1e0", CL ",tela,1e3", CL ",tela,1E0", CL ",tela,1.0",
	CL ",tela,1.", CL ",tela,.1", CL ",tela,nan", CL ",tela,inf",
	CL ",tela,\xd9\xa1", CL ",tela,\xef\xbc\x91", CL ",tela,1x",
	CL ",tela,x1", CL ",tela,01x",
	/* out of range, huge, 2^32 + 1, 2^64 - 1, 2^64, 2^64 + 1 */
	CL ",tela,2", CL ",tela,3", CL ",telab,3", CL "," ALONG31 ",1",
	CL ",tela,4294967296", CL ",tela,4294967297",
	CL ",tela,18446744073709551615", CL ",tela,18446744073709551616",
	CL ",tela,18446744073709551617", CL ",tela,99999999999999999999999",
	/* names: neighbours', spaces, case, not printable, too long */
	CL ",tela ,1", CL ", tela,1", CL ",TELA,1", CL ",tel,1", CL ",telac,0",
	CL ",tela.mb1,1", CL ",telq,0", CL ",tela\x01,1", CL ",tela\xff,0",
	CL "," ALONG31 "x,0", CL "," LONG31 LONG31 ",0",
};

static void
test_hostile_params(void **state)
{
	char want[128];
	unsigned int i, bad = 0;

	(void)state;
	assert_true(RTE_DIM(hostile_params) >= 50);
	for (i = 0; i < RTE_DIM(hostile_params); i++) {
		const char *p = hostile_params[i];

		snprintf(want, sizeof(want), "{\"%.*s\":null}",
			 (int)strcspn(p, ","), p);
		if (strcmp(tel(p), want) != 0) {
			print_error("hostile #%u answered: %s\n", i, reply);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* Good names and indices: exactly that object's data, nobody else's. */
static void
test_good_params_exact(void **state)
{
	static const struct {
		const char *param;
		unsigned int arb, client;
	} clients[] = {
		{ "tela,0", 0, 0 }, { "tela,1", 0, 1 }, { "telab,0", 1, 0 },
		{ "telab,1", 1, 1 }, { "telab,2", 1, 2 },
		{ ALONG31 ",0", 2, 0 },
		{ "tela,01", 0, 1 }, { "telab,002", 1, 2 }, /* decimal */
	};
	struct hostile *h = *state;
	struct pk_arbiter_client_stats st;
	char cmd[128], want[512];
	unsigned int i;

	for (i = 0; i < RTE_DIM(h->q); i++) {
		snprintf(cmd, sizeof(cmd), ST ",%s", hostile_stage_names[i]);
		snprintf(want, sizeof(want), "{\"" ST "\":{\"name\":\"%s\","
			 "\"kind\":\"queue_ring\",\"parent\":\"\","
			 "\"in_pkts\":%u,", hostile_stage_names[i],
			 hostile_stage_in[i]);
		assert_int_equal(strncmp(tel(cmd), want, strlen(want)), 0);
	}
	for (i = 0; i < RTE_DIM(h->a); i++) {
		unsigned int j, sum = 0;

		for (j = 0; j < hostile_arb_clients[i]; j++)
			sum += hostile_arb_in[i][j];
		snprintf(cmd, sizeof(cmd), AR ",%s", hostile_arb_names[i]);
		snprintf(want, sizeof(want), "{\"" AR "\":{\"name\":\"%s\",",
			 hostile_arb_names[i]);
		assert_int_equal(strncmp(tel(cmd), want, strlen(want)), 0);
		snprintf(want, sizeof(want), "\"clients\":%u,\"admitted\":%u,",
			 hostile_arb_clients[i], sum);
		assert_non_null(strstr(reply, want));
	}
	for (i = 0; i < RTE_DIM(clients); i++) {
		unsigned int a = clients[i].arb, c = clients[i].client;

		assert_int_equal(pk_arbiter_client_stats_get(h->a[a], c, &st),
				 0);
		assert_int_equal(st.admitted, hostile_arb_in[a][c]);
		snprintf(cmd, sizeof(cmd), CL ",%s", clients[i].param);
		snprintf(want, sizeof(want), "{\"" CL "\":{\"arbiter\":\"%s\","
			 "\"client\":%u,\"mailbox\":\"%s\",\"admitted\":%"
			 PRIu64 ",\"rejected\":%" PRIu64 ",\"sent\":%" PRIu64
			 ",\"dropped\":%" PRIu64 ",\"bytes\":%" PRIu64
			 ",\"held\":%" PRIu64 "}}", hostile_arb_names[a], c,
			 pk_stage_name(pk_arbiter_client(h->a[a], c)),
			 st.admitted, st.rejected, st.sent, st.dropped,
			 st.bytes, st.held);
		assert_string_equal(tel(cmd), want);
	}
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
		cmocka_unit_test_setup_teardown(test_hostile_params,
						hostile_setup,
						hostile_teardown),
		cmocka_unit_test_setup_teardown(test_good_params_exact,
						hostile_setup,
						hostile_teardown),
	};
	int rc;

	pk_test_eal_init("test_telemetry", NULL, eal);
	pool = pk_test_pool("test_telemetry", 1024);
	sock = pk_test_tel_connect();
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
