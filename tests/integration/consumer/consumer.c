/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * consumer: a small program built out of tree against an installed PathKit,
 * the way users consume it (tests/integration/test_install.sh builds it with
 * pkg-config, shared and static). It receives a burst from net_null0, pushes
 * it through a path [proc_macswap, queue_ring] built by kind name, pulls it
 * out again, prints the statistics and "consumer: ok", and fails if any mbuf
 * did not come back to its pool.
 *
 *   cc consumer.c $(pkg-config --cflags --libs libpathkit)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#define BURST 32

static int
die(const char *what)
{
	fprintf(stderr, "consumer: %s: %s\n", what, rte_strerror(rte_errno));
	return 1;
}

static int
eal_start(const char *prog)
{
	char prefix[64];
	char *argv[] = {
		(char *)(uintptr_t)prog, "--no-huge", "--no-shconf",
		"--no-pci", prefix, "-m", "256", "--vdev", "net_null0",
		"--log-level=lib.eal:error",
	};

	snprintf(prefix, sizeof(prefix), "--file-prefix=pk_consumer_%d",
		 (int)getpid());
	return rte_eal_init((int)RTE_DIM(argv), argv);
}

/* Build [proc_macswap, queue_ring] by kind name, as a config file would. */
static struct pk_path *
path_build(void)
{
	const struct pk_path_conf conf = {
		.name = "consumer", .owner = 1000, .tail = PK_PATH_TAIL_RETURN,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_stage *st[2];
	struct pk_path *p;

	st[0] = pk_stage_create("proc_macswap", "swap", NULL, SOCKET_ID_ANY);
	st[1] = pk_stage_create("queue_ring", "queue", "size=64",
				SOCKET_ID_ANY);
	if (st[0] == NULL || st[1] == NULL)
		goto fail;
	p = pk_path_create(&conf, st, 2);
	if (p == NULL)
		goto fail;
	return p;
fail:
	/* on failure we still own the stages */
	pk_stage_destroy(st[0]);
	pk_stage_destroy(st[1]);
	return NULL;
}

/* One burst in from the port, through the path and out again. */
static int
run(struct pk_stage *rx, struct pk_path *p)
{
	struct pk_stage *ps = pk_path_stage(p);
	struct rte_mbuf *in[BURST], *out[BURST];
	uint16_t n, taken, got;

	n = pk_stage_pull(rx, in, BURST);
	taken = pk_stage_push(ps, in, n);
	/* refused packets are still ours (already swapped): free them */
	rte_pktmbuf_free_bulk(&in[taken], n - taken);
	got = pk_stage_pull(ps, out, BURST);
	rte_pktmbuf_free_bulk(out, got);
	printf("consumer: received %u, path took %u, pulled %u\n", n, taken,
	       got);
	return n > 0 && got == taken ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct pk_port_conf pconf = { 0 };
	struct rte_mempool *mp;
	struct pk_stage *rx;
	struct pk_path *p;
	uint16_t port;
	int rc;

	(void)argc;
	printf("consumer: pathkit %s (built against %s)\n", pk_version(),
	       PK_VERSION_STR);
	if (eal_start(argv[0]) < 0)
		return die("EAL");
	mp = rte_pktmbuf_pool_create("consumer", 511, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL)
		return die("mempool");
	pconf.mp = mp;
	rc = pk_port_lookup("net_null0", &port);
	if (rc == 0)
		rc = pk_port_setup(port, &pconf);
	if (rc != 0) { /* control functions return -errno */
		fprintf(stderr, "consumer: port net_null0: %s\n", strerror(-rc));
		return 1;
	}
	rx = pk_stage_create("port_rx", "rx", "port=net_null0", SOCKET_ID_ANY);
	p = path_build();
	if (rx == NULL || p == NULL)
		return die("stages");

	rc = run(rx, p);
	pk_stage_stats_print(stdout, rx);
	pk_path_stats_print(stdout, p);

	pk_path_destroy(p);
	pk_stage_destroy(rx);
	pk_port_close(port);
	if (!rte_mempool_full(mp)) {
		fprintf(stderr, "consumer: %u mbufs leaked\n",
			mp->size - rte_mempool_avail_count(mp));
		rc = -1;
	}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	if (rc != 0) {
		fprintf(stderr, "consumer: FAILED\n");
		return 1;
	}
	printf("consumer: ok\n");
	return 0;
}
