/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_scale's scale.arbiter variant (the K loop: bench_scale.c).
 *
 * scale.arbiter.cN.kK: one arbiter lcore (the first worker, wfq, unlimited
 *   rate, direct output into a sink that frees, as a TX port's completion
 *   does) fed by N clients (1, 4, 16, 64) multiplexed over K client lcores
 *   (client c on lcore c mod K); each client lcore allocates bursts of 32
 *   and pushes them round robin into its clients' mailboxes, keeping what a
 *   full mailbox refused for the next. Mpps the output took. Client lcores
 *   are the other workers; with none (-l 0,1), the main lcore is the only
 *   client lcore (and measures in its loop), as in bench_arbiter.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_stage_driver.h>

#include "bench_scale.h"

#define BS_MAX_CLIENTS 64

/* A client lcore's burst in hand: what a full mailbox refused stays. */
struct bs_held {
	struct rte_mbuf *m[BS_BURST];
	unsigned int n;
	unsigned int next;       /* the next client it pushes to */
} __rte_cache_aligned;

struct bs_arb {
	struct pk_arbiter *a;
	struct pk_stage *out;    /* frees and counts: a TX port's stand-in */
	struct rte_mempool *mp;
	unsigned int nclients;
	unsigned int kc;         /* client lcores of this run */
	/* client lcore j: bs_workers[j + 1], or the main lcore if none */
	bool main_client;
	struct bs_held held[RTE_MAX_LCORE];
};

/* The output: the arbiter's thread is its only pusher. */
static uint16_t
bs_sink_free(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
	pk_counter_add(&s->in.pkts, n);
	return n;
}

static const struct pk_stage_ops bs_free_ops = {
	.kind = "bench_free", .push = bs_sink_free, .caps = PK_STAGE_CAP_PUSH,
};

/* Client lcore j: fill the burst, push it to the next of its clients. */
static void
bs_arb_clients(struct bs_arb *x, unsigned int j, uint64_t deadline)
{
	struct bs_held *h = &x->held[j];
	unsigned int c = h->next, i, k, need;

	while (!bs_stop && (deadline == 0 || rte_rdtsc() < deadline)) {
		need = BS_BURST - h->n;
		if (need != 0 &&
		    rte_pktmbuf_alloc_bulk(x->mp, &h->m[h->n], need) == 0) {
			for (i = h->n; i < BS_BURST; i++) {
				h->m[i]->data_len = 64;
				h->m[i]->pkt_len = 64;
			}
			h->n = BS_BURST;
		}
		k = pk_stage_push(pk_arbiter_client(x->a, c), h->m, h->n);
		if (k != 0 && k < h->n)
			memmove(h->m, &h->m[k], (h->n - k) * sizeof(h->m[0]));
		h->n -= k;
		c += x->kc;
		if (c >= x->nclients)
			c = j;
	}
	h->next = c;
}

static int
bs_arb_client_main(void *arg)
{
	struct bs_arb *x = arg;

	bs_arb_clients(x, bs_worker_index() - 1, 0);
	return 0;
}

static int
bs_arb_start(void *ctx, unsigned int k)
{
	struct bs_arb *x = ctx;
	struct pk_arbiter_conf c = {
		.nb_clients = x->nclients, .out = x->out,
		.lcore_id = bs_workers[0],
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	unsigned int j;

	x->kc = k;
	for (j = 0; j < k; j++) {
		x->held[j].n = 0;
		x->held[j].next = j;
	}
	x->a = pk_arbiter_create("bs_arb", &c);
	if (x->a == NULL || pk_arbiter_start(x->a) != 0)
		return -1;
	for (j = 0; j < k && !x->main_client; j++)
		if (rte_eal_remote_launch(bs_arb_client_main, x,
					  bs_workers[j + 1]) != 0)
			return -1;
	return 0;
}

static uint64_t
bs_arb_count(void *ctx)
{
	const struct bs_arb *x = ctx;

	return __atomic_load_n(&x->out->in.pkts, __ATOMIC_RELAXED);
}

static void
bs_arb_wait(void *ctx, unsigned int ms)
{
	struct bs_arb *x = ctx;

	if (x->main_client)
		bs_arb_clients(x, 0, rte_rdtsc() +
				     rte_get_tsc_hz() * ms / 1000);
	else
		rte_delay_us_sleep(ms * 1000);
}

static void
bs_arb_stop(void *ctx, unsigned int k)
{
	struct bs_arb *x = ctx;
	unsigned int j;

	for (j = 0; j < k && !x->main_client; j++)
		rte_eal_wait_lcore(bs_workers[j + 1]);
	pk_arbiter_stop(x->a); /* sends what it holds into out */
	pk_arbiter_destroy(x->a);
	x->a = NULL;
	for (j = 0; j < k; j++) {
		rte_pktmbuf_free_bulk(x->held[j].m, x->held[j].n);
		x->held[j].n = 0;
	}
}

void
bs_arbiter(void)
{
	static const unsigned int clients[] = { 1, 4, 16, BS_MAX_CLIENTS };
	static struct bs_arb x;
	struct bs_variant pk = { NULL, bs_arb_start, bs_arb_count,
				 bs_arb_stop, bs_arb_wait, &x };
	unsigned int i, kc, kmax, busy[2] = { bs_workers[0] };
	char id[32];

	x.main_client = bs_nb_workers == 1;
	kc = x.main_client ? 1 : bs_nb_workers - 1;
	x.mp = rte_pktmbuf_pool_create("bs_arb", BS_MAX_CLIENTS * 768 +
				       (rte_lcore_count() + 1) * 512 + 4095,
				       256, 0, RTE_PKTMBUF_HEADROOM + 128,
				       rte_socket_id());
	x.out = pk_stage_alloc(sizeof(struct pk_stage), &bs_free_ops,
			       "bs_arb_out", 0, SOCKET_ID_ANY);
	if (x.mp == NULL || x.out == NULL) {
		fprintf(stderr, "scale.arbiter: setup failed\n");
		goto out;
	}
	for (i = 0; i < RTE_DIM(clients); i++) {
		snprintf(id, sizeof(id), "scale.arbiter.c%u", clients[i]);
		kmax = RTE_MIN(kc, clients[i]);
		if (!bs_wanted(id, kmax))
			continue;
		x.nclients = clients[i];
		pk.name = id;
		fprintf(stderr, "%s: the arbiter on lcore %u, the clients "
			"on %s\n", id, bs_workers[0], x.main_client ?
			"the main lcore (no other)" : "the other workers");
		if (x.main_client)
			busy[1] = rte_get_main_lcore();
		bs_say_lcores(id, kmax, x.main_client ? busy : bs_workers,
			      kmax + 1);
		bs_run(id, &pk, NULL, NULL, kmax);
	}
out:
	pk_stage_destroy(x.out);
	bs_pool_free(x.mp);
}
