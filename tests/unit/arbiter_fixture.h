/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_ARBITER_FIXTURE_H
#define PK_ARBITER_FIXTURE_H

/*
 * What the tests of the test arbiter (pk_test_arbiter.h) run in the test's
 * own thread share (test_arbiter.c, test_arbiter_flow.c,
 * test_arbiter_conf.c): the pool, clients kept backlogged at an emulated
 * 1 Gbit/s with the bytes each got, and a share checked within 2%.
 * Include after pk_test_arbiter.h.
 */

#include <stdint.h>
#include <string.h>

#include <pathkit/pathkit.h>

static struct rte_mempool *pool;

/*
 * All clients in `active` backlogged for `ns` of fake time at 1 Gbit/s,
 * 20 us per round; returns the bytes each got after a 50 ms warm-up.
 */
static inline void
ta_backlogged(struct ta *t, uint32_t active, uint64_t ns, uint64_t *got)
{
	uint64_t base[TA_MAXC] = { 0 };
	uint32_t c;

	for (t->now_ns = 0; t->now_ns <= ns; t->now_ns += 20000) {
		for (c = 0; c < t->nb; c++)
			if (active & (1u << c))
				ta_feed(t, c, 32);
		pk_arbiter_run(t->a, 1);
		ta_consume(t);
		if (t->now_ns == 50000000)
			memcpy(base, t->bytes, sizeof(base));
	}
	for (c = 0; c < t->nb; c++)
		got[c] = t->bytes[c] - base[c];
}

static inline void
assert_share(uint64_t got, uint64_t total, double share)
{
	double s = (double)got / (double)total;

	print_message("share %.4f (expected %.4f)\n", s, share);
	if (s < share * 0.98 || s > share * 1.02)
		fail_msg("share %.4f, expected %.4f +- 2%%", s, share);
}

#endif /* PK_ARBITER_FIXTURE_H */
