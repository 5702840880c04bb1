/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path swap (pk_conf_swap_path_string(), issue 18): one path of a running
 * configuration replaced, the rest taken over as it runs. Covered: steady
 * numbered traffic in 8 flows, half through path pa, half through path pb
 * (each a queue, a runner's thread and its own TX queue), with pb swapped
 * 100 times between two bodies (a queue size, a thread's shares): no packet
 * lost, none duplicated, order per flow kept, pa's thread and the demux the
 * same objects throughout and pa's thread never stopped, pb's new objects
 * in force; a text that changes anything outside pb is refused and
 * changes nothing; pools full at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_live.h"

#define SWAPS 100

static struct rte_mempool *pool;
static uint16_t in_port, out_port;
static char err[4096];

static const char text_fmt[] =
	"port net_ring0\nport net_ring1 (rxq=2, txq=2)\nrunner r0 (lcore=1)\n"
	"rx :: port_rx(port=net_ring0) -> t0 :: thread_continuation("
	"runner=r0) -> d :: demux_flow(capacity=16)\n"
	"path pa { qa :: queue_ring(size=%u) -> ta :: thread_continuation("
	"runner=r0) -> txa :: port_tx(port=net_ring1, queue=0) }\n"
	"path pb { qb :: queue_ring(size=%u) -> tb :: thread_continuation("
	"runner=r0, shares=%u) -> txb :: port_tx(port=net_ring1, queue=1) }\n"
	"key d udp 10.0.0.2:9 -> pa\nkey d udp 10.0.0.2:10 -> pb\n";

static int
swap(struct pk_conf *c, const char *text, struct pk_conf_reload_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	assert_non_null(f);
	rc = pk_conf_swap_path_string(c, "pb", text, "swap.conf", f, st);
	fclose(f);
	snprintf(err, sizeof(err), "%s", buf);
	free(buf);
	return rc;
}

static void
test_swap_path_100_times_under_traffic(void **state)
{
	struct pk_conf_params p = { .mp = pool, .socket_id = SOCKET_ID_ANY };
	struct live_traffic lt = {
		.mp = pool, .in_port = in_port, .out_port = out_port,
		.window = 128, .out_queues = 2,
	};
	struct pk_thread_stats ts0, ts1;
	struct pk_conf_reload_stats st, sum;
	struct pk_stage *ta, *d;
	char text[2][1024], bad[1024];
	struct pk_conf *c;
	unsigned int i;

	(void)state;
	snprintf(text[0], sizeof(text[0]), text_fmt, 256u, 256u, 1u);
	snprintf(text[1], sizeof(text[1]), text_fmt, 256u, 512u, 4u);
	c = pk_conf_load_string(text[0], "swap.conf", &p);
	if (c == NULL)
		fail_msg("not built: %s", rte_strerror(rte_errno));
	assert_int_equal(pk_conf_start(c), 0);
	ta = pk_conf_stage(c, "ta");
	d = pk_conf_stage(c, "d");
	assert_int_equal(live_start(&lt), 0);
	for (i = 1; i <= SWAPS; i++) {
		rte_delay_us_sleep(2000);
		if (swap(c, text[i % 2], &st) != 0)
			fail_msg("swap %u: %s", i, err);
		assert_int_equal(st.dropped_gone + st.dropped_full, 0);
		assert_int_equal(pk_thread_shares_get(pk_conf_thread(c, "tb")),
				 i % 2 ? 4 : 1);
	}
	/* pa's thread and the demux ran on, the same objects */
	assert_ptr_equal(pk_conf_stage(c, "ta"), ta);
	assert_ptr_equal(pk_conf_stage(c, "d"), d);
	assert_int_equal(pk_thread_state(pk_conf_thread(c, "ta")),
			 PK_THREAD_RUNNING);
	/* outside pb: refused, nothing changed */
	snprintf(bad, sizeof(bad), text_fmt, 512u, 256u, 1u);
	assert_int_equal(swap(c, bad, &st), -EINVAL);
	if (strstr(err, "found stage qa changed outside path pb") == NULL)
		fail_msg("%s", err);
	assert_int_equal(pk_thread_stats_get(pk_conf_thread(c, "ta"), &ts0),
			 0);
	rte_delay_us_sleep(20000);
	live_stop(&lt);
	assert_int_equal(pk_thread_stats_get(pk_conf_thread(c, "ta"), &ts1),
			 0);
	assert_true(ts1.pkts > ts0.pkts); /* pa still forwards */
	assert_int_equal(pk_conf_reload_stats_get(c, &sum), 0);
	printf("# %u swaps: %" PRIu64 " packets sent, %" PRIu64 " moved, "
	       "longest pause %" PRIu64 " us\n", SWAPS, lt.sent, sum.moved,
	       sum.max_pause_ns / 1000);
	assert_int_equal(sum.reloads, SWAPS);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(lt.dup, 0);
	assert_int_equal(lt.gaps, 0);
	assert_int_equal(lt.recv, lt.sent);
	pk_conf_destroy(c);
}

static int
setup_ports(void **state)
{
	(void)state;
	assert_int_equal(pk_port_lookup("net_ring0", &in_port), 0);
	assert_int_equal(pk_port_lookup("net_ring1", &out_port), 0);
	return 0;
}

static int
close_ports(void **state)
{
	(void)state;
	rte_eth_dev_close(in_port);
	rte_eth_dev_close(out_port);
	return 0;
}

int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", "net_ring1", NULL };
	static const char *const extra[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_swap_path_100_times_under_traffic,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_conf_swap", vdevs, extra);
	pool = pk_test_pool("test_conf_swap", 2047);
	rc = cmocka_run_group_tests(tests, setup_ports, close_ports);
	pk_test_eal_cleanup();
	return rc;
}
