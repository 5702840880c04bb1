/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_demux_raw.h: the raw DPDK baseline of the demux benchmarks
 * (bench_demux's demux.flows*, bench_scale's scale.demux.raw): what a user
 * would write without a demux, on bursts of up to BENCH_RAW_BURST packets.
 */
#ifndef PK_BENCH_DEMUX_RAW_H
#define PK_BENCH_DEMUX_RAW_H

#include <stdint.h>

#include <rte_hash.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#define BENCH_RAW_BURST 32

/*
 * The raw part, what a user would write without the demux: the same parse,
 * one bulk lookup whose data is the target, then each packet handed to its
 * target, a run of consecutive packets with the same target in one call
 * (every packet of the set matches a key). Returns the packets handed over.
 */
static inline unsigned int
bench_raw_demux_burst(struct rte_hash *h, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_flow_key keys[BENCH_RAW_BURST];
	const void *kp[BENCH_RAW_BURST];
	void *data[BENCH_RAW_BURST];
	struct pk_stage *t;
	uint64_t hit = 0;
	unsigned int j, k, taken = 0;

	for (j = 0; j < n; j++) {
		pk_flow_parse(pkts[j], &keys[j]);
		kp[j] = &keys[j];
	}
	rte_hash_lookup_bulk_data(h, kp, n, &hit, data);
	if (unlikely(hit != UINT64_MAX >> (64 - n)))
		return 0; /* not in these benchmarks: the demux would count it */
	for (j = 0; j < n; j = k) {
		t = data[j];
		for (k = j + 1; k < n && data[k] == t; k++)
			;
		taken += pk_stage_push(t, &pkts[j], k - j);
	}
	return taken;
}

#endif /* PK_BENCH_DEMUX_RAW_H */
