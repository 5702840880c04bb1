/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-fwd statistics in testpmd's layout, so that what parses testpmd's output
 * parses this: the periodic "NIC statistics for port N" blocks and, on exit,
 * "Forward statistics for port N" and "Accumulated forward statistics for
 * all ports" (counted from the start of forwarding, as testpmd does). Then
 * PathKit's own per-stage counters by reason.
 *
 * On exit (runners stopped, no packet in flight) every direction adds up:
 *   RX-packets of port A + generated = TX-packets of its peer B
 *                                      + TX-dropped of B + TX-errors of B
 * where RX, TX and TX-errors are the ethdev counters (TX-errors: taken by
 * the TX queue but not sent, such as af_packet's failed sends), and
 * TX-dropped is what the streams towards B took in (RX'd or generated) and
 * did not hand to B's TX queue, from PathKit's counters: refused by TX,
 * dropped by the mode (rxonly: all of it) or by a demux's paths. TX-total
 * is the sum of the three. One "Balance" line per direction says so, or
 * says "does NOT add up". A PMD may count more than this as TX errors:
 * DPDK 22.11's net_tap also counts the packets it refuses (returned to us:
 * counted here as dropped) and counts a failed write twice.
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
static struct rte_eth_stats fwd_delta[RTE_MAX_ETHPORTS]; /* final - base */
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

/* What a stream took in (from RX, or generated) and gave its TX queue. */
struct fwd_flow {
	uint64_t rx;   /* what its RX stage gave */
	uint64_t gen;  /* what its thread generated (txonly, flowgen) */
	uint64_t tx;   /* what its TX stage took */
};

static void
fwd_stream_flow(struct fwd_stream *fs, struct fwd_flow *f)
{
	struct pk_stage_stats ss;

	if (fs->rx != NULL && pk_stage_stats_get(fs->rx, &ss) == 0)
		f->rx += ss.out_pkts;
	/* a generating thread counts what it made as its "in" */
	if ((fwd_conf.mode == FWD_TXONLY || fwd_conf.mode == FWD_FLOWGEN) &&
	    fs->thread != NULL &&
	    pk_stage_stats_get(pk_thread_stage(fs->thread), &ss) == 0)
		f->gen += ss.in_pkts;
	if (fs->tx != NULL && pk_stage_stats_get(fs->tx, &ss) == 0)
		f->tx += ss.in_pkts;
}

/* What the streams from port rx_port (or, if rx_port < 0, to tx_port) moved. */
static struct fwd_flow
fwd_flow_sum(struct fwd_stream *streams, unsigned int nb, int rx_port,
	     uint16_t tx_port)
{
	struct fwd_flow f = { 0, 0, 0 };
	unsigned int i;

	for (i = 0; i < nb; i++)
		if (rx_port >= 0 ? streams[i].rx_port == rx_port :
				   streams[i].tx_port == tx_port)
			fwd_stream_flow(&streams[i], &f);
	return f;
}

static void
fwd_line(uint64_t rx, uint64_t rx_drop, uint64_t tx, uint64_t tx_drop,
	 uint64_t tx_err)
{
	printf("  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64
	       "RX-total: %-" PRIu64 "\n", rx, rx_drop, rx + rx_drop);
	printf("  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64
	       "TX-total: %-" PRIu64 "\n", tx, tx_drop, tx + tx_drop + tx_err);
	printf("  TX-errors:  %-14" PRIu64 "\n", tx_err);
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

/* One line per direction: RX + generated = TX + dropped + TX errors. */
static void
fwd_balance(const uint16_t *ports, uint16_t nb_ports,
	    struct fwd_stream *streams, unsigned int nb_streams)
{
	const struct rte_eth_stats *da, *db;
	unsigned int s;
	struct fwd_flow f;
	uint64_t drop;
	uint16_t i, a, b;

	printf("\n  Balance per direction (RX + generated = TX + dropped + "
	       "TX errors):\n");
	for (i = 0; i < nb_ports; i++) {
		a = ports[i];
		for (s = 0; s < nb_streams && streams[s].rx_port != a; s++)
			;
		if (s == nb_streams)
			continue;
		b = streams[s].tx_port; /* the same for all of a's streams */
		f = fwd_flow_sum(streams, nb_streams, a, 0);
		drop = f.rx + f.gen - f.tx;
		da = &fwd_delta[a];
		db = &fwd_delta[b];
		printf("  Balance P=%u -> P=%u: RX %" PRIu64 " + generated %"
		       PRIu64 " = TX %" PRIu64 " + dropped %" PRIu64
		       " + TX errors %" PRIu64 "%s\n", a, b, da->ipackets,
		       f.gen, db->opackets, drop, db->oerrors,
		       da->ipackets + f.gen == db->opackets + drop +
		       db->oerrors ? "" : " (does NOT add up)");
	}
}

void
fwd_stats_final(const uint16_t *ports, uint16_t nb_ports,
		struct fwd_stream *streams, unsigned int nb_streams)
{
	uint64_t rx = 0, rxd = 0, tx = 0, txd = 0, txe = 0, drop;
	struct rte_eth_stats st, *b, *d;
	struct fwd_flow f;
	uint16_t i, p;

	for (i = 0; i < nb_ports; i++) { /* since forwarding started */
		p = ports[i];
		b = &fwd_base[p];
		d = &fwd_delta[p];
		memset(&st, 0, sizeof(st));
		rte_eth_stats_get(p, &st);
		d->ipackets = st.ipackets - b->ipackets;
		d->imissed = st.imissed - b->imissed;
		d->opackets = st.opackets - b->opackets;
		d->oerrors = st.oerrors - b->oerrors;
	}
	for (i = 0; i < nb_ports; i++) {
		p = ports[i];
		d = &fwd_delta[p];
		f = fwd_flow_sum(streams, nb_streams, -1, p);
		drop = f.rx + f.gen - f.tx;
		printf("\n  %s Forward statistics for port %-2d %s\n",
		       fwd_border, p, fwd_border);
		fwd_line(d->ipackets, d->imissed, d->opackets, drop,
			 d->oerrors);
		printf("  %s--------------------------------%s\n", fwd_border,
		       fwd_border);
		rx += d->ipackets;
		rxd += d->imissed;
		tx += d->opackets;
		txd += drop;
		txe += d->oerrors;
	}
	printf("\n  %s Accumulated forward statistics for all ports%s\n",
	       acc_border, acc_border);
	fwd_line(rx, rxd, tx, txd, txe);
	printf("  %s++++++++++++++++++++++++++++++++++++++++++++++%s\n",
	       acc_border, acc_border);
	fwd_balance(ports, nb_ports, streams, nb_streams);
	fwd_stage_counters(streams, nb_streams);
	fflush(stdout);
}
