/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-fwd statistics in testpmd's layout, so that what parses testpmd's output
 * parses this: the periodic "NIC statistics for port N" blocks and, on exit,
 * "Forward statistics for port N" and "Accumulated forward statistics for
 * all ports" (counted from the start of forwarding, as testpmd does). Then
 * PathKit's own per-stage counters by reason.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "pk_fwd.h"

static const char nic_border[] = "########################";
static const char fwd_border[] = "----------------------";
static const char acc_border[] = "+++++++++++++++";

static struct rte_eth_stats fwd_base[RTE_MAX_ETHPORTS];
static struct rte_eth_stats fwd_last[RTE_MAX_ETHPORTS];
static uint64_t fwd_last_tsc[RTE_MAX_ETHPORTS];

void
fwd_stats_start(const uint16_t *ports, uint16_t nb_ports)
{
	uint16_t i;

	for (i = 0; i < nb_ports; i++) {
		rte_eth_stats_get(ports[i], &fwd_base[ports[i]]);
		fwd_last[ports[i]] = fwd_base[ports[i]];
		fwd_last_tsc[ports[i]] = rte_get_tsc_cycles();
	}
}

/* Per-second rate of a counter since the last show. */
static uint64_t
fwd_rate(uint64_t now, uint64_t before, uint64_t cycles)
{
	if (cycles == 0 || now < before)
		return 0;
	return (uint64_t)((double)(now - before) * rte_get_tsc_hz() / cycles);
}

static void
fwd_nic_stats(uint16_t p)
{
	struct rte_eth_stats st, *last = &fwd_last[p];
	uint64_t now = rte_get_tsc_cycles(), cyc = now - fwd_last_tsc[p];

	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(p, &st);
	printf("\n  %s NIC statistics for port %-2d %s\n", nic_border, p,
	       nic_border);
	printf("  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64
	       " RX-bytes:  %-" PRIu64 "\n", st.ipackets, st.imissed,
	       st.ibytes);
	printf("  RX-errors: %-" PRIu64 "\n", st.ierrors);
	printf("  RX-nombuf:  %-10" PRIu64 "\n", st.rx_nombuf);
	printf("  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64
	       " TX-bytes:  %-" PRIu64 "\n", st.opackets, st.oerrors,
	       st.obytes);
	printf("\n  Throughput (since last show)\n");
	printf("  Rx-pps: %12" PRIu64 "          Rx-bps: %12" PRIu64 "\n"
	       "  Tx-pps: %12" PRIu64 "          Tx-bps: %12" PRIu64 "\n",
	       fwd_rate(st.ipackets, last->ipackets, cyc),
	       fwd_rate(st.ibytes, last->ibytes, cyc) * 8,
	       fwd_rate(st.opackets, last->opackets, cyc),
	       fwd_rate(st.obytes, last->obytes, cyc) * 8);
	printf("  %s############################%s\n", nic_border, nic_border);
	*last = st;
	fwd_last_tsc[p] = now;
}

void
fwd_stats_periodic(const uint16_t *ports, uint16_t nb_ports)
{
	uint16_t i;

	printf("\nPort statistics ====================================");
	for (i = 0; i < nb_ports; i++)
		fwd_nic_stats(ports[i]);
	fflush(stdout);
}

/* TX-dropped of a port: what its TX stages refused, as testpmd counts it. */
static uint64_t
fwd_tx_dropped(uint16_t p, struct fwd_stream *streams, unsigned int nb)
{
	struct pk_stage_stats ss;
	uint64_t d = 0;
	unsigned int i;

	for (i = 0; i < nb; i++)
		if (streams[i].tx != NULL && streams[i].tx_port == p &&
		    pk_stage_stats_get(streams[i].tx, &ss) == 0)
			d += ss.refused[PK_DROP_FULL];
	return d;
}

static void
fwd_line(uint64_t rx, uint64_t rx_drop, uint64_t tx, uint64_t tx_drop)
{
	printf("  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64
	       "RX-total: %-" PRIu64 "\n", rx, rx_drop, rx + rx_drop);
	printf("  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64
	       "TX-total: %-" PRIu64 "\n", tx, tx_drop, tx + tx_drop);
}

static void
fwd_stage_counters(struct fwd_stream *streams, unsigned int nb)
{
	struct pk_thread_stats ts;
	unsigned int i;

	printf("\n  ---- PathKit per-stage counters ----\n");
	for (i = 0; i < nb; i++) {
		struct fwd_stream *fs = &streams[i];

		if (fs->path == NULL)
			continue;
		printf("  stream %u: port %u queue %u -> port %u queue %u, "
		       "lcore %u\n  ", i, fs->rx_port, fs->rx_queue,
		       fs->tx_port, fs->tx_queue, fs->lcore);
		pk_path_stats_print(stdout, fs->path);
		if (pk_thread_stats_get(fs->thread, &ts) == 0)
			printf("    thread runs=%" PRIu64 " idle=%" PRIu64
			       " pkts=%" PRIu64 " busy_cycles=%" PRIu64
			       " cycles/pkt=%.1f\n", ts.runs, ts.idle_runs,
			       ts.pkts, ts.busy_cycles, ts.pkts != 0 ?
			       (double)ts.busy_cycles / ts.pkts : 0.0);
		if (fs->batch != NULL) {
			printf("    ");
			pk_stage_stats_print(stdout, fs->batch);
		}
		if (fs->tx_shared && fs->tx != NULL) {
			printf("    ");
			pk_stage_stats_print(stdout, fs->tx);
			printf("    (%u per-flow paths proc_noop -> %s)\n",
			       fs->nb_flows, fs->batch != NULL ?
			       pk_stage_name(fs->batch) : "?");
		}
	}
}

void
fwd_stats_final(const uint16_t *ports, uint16_t nb_ports,
		struct fwd_stream *streams, unsigned int nb_streams)
{
	uint64_t rx = 0, rxd = 0, tx = 0, txd = 0, d;
	struct rte_eth_stats st, *b;
	uint16_t i, p;

	for (i = 0; i < nb_ports; i++) {
		p = ports[i];
		b = &fwd_base[p];
		memset(&st, 0, sizeof(st));
		rte_eth_stats_get(p, &st);
		d = fwd_tx_dropped(p, streams, nb_streams);
		printf("\n  %s Forward statistics for port %-2d %s\n",
		       fwd_border, p, fwd_border);
		fwd_line(st.ipackets - b->ipackets, st.imissed - b->imissed,
			 st.opackets - b->opackets, d);
		printf("  %s--------------------------------%s\n", fwd_border,
		       fwd_border);
		rx += st.ipackets - b->ipackets;
		rxd += st.imissed - b->imissed;
		tx += st.opackets - b->opackets;
		txd += d;
	}
	printf("\n  %s Accumulated forward statistics for all ports%s\n",
	       acc_border, acc_border);
	fwd_line(rx, rxd, tx, txd);
	printf("  %s++++++++++++++++++++++++++++++++++++++++++++++%s\n",
	       acc_border, acc_border);
	fwd_stage_counters(streams, nb_streams);
	fflush(stdout);
}
