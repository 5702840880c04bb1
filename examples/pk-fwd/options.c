/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-fwd options: testpmd's names and meanings, so that a non-interactive
 * testpmd command line works with dpdk-testpmd replaced by pk-fwd. Options
 * testpmd has and pk-fwd does not need (--no-mlockall, --rss-ip, ...) are
 * accepted and ignored; -i gives testpmd's prompt (pk_prompt.h). Numbers are strict
 * (pk_parse.h): decimal, --portmask hexadecimal (0x optional, as testpmd),
 * --stats-period and --duration in seconds with fractions or a unit (ms,
 * us). A bad option: a message naming it and its range, exit 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_fwd.h"

struct fwd_conf fwd_conf = {
	.mode = FWD_IO,
	.burst = 32,
	.nb_rxq = 1,
	.nb_txq = 1,
	.txpkts = 64,
};

static const char *fwd_flows_arg; /* --flows, read after the mode */

static const char *const fwd_mode_names[FWD_MODE_MAX + 1] = {
	[FWD_IO] = "io", [FWD_MAC] = "mac", [FWD_MACSWAP] = "macswap",
	[FWD_RXONLY] = "rxonly", [FWD_TXONLY] = "txonly",
	[FWD_FLOWGEN] = "flowgen", [FWD_MODE_MAX] = NULL,
};

enum {
	OPT_MODE = 256, OPT_BURST, OPT_NB_CORES, OPT_RXQ, OPT_TXQ, OPT_RXD,
	OPT_TXD, OPT_MBUFS, OPT_STATS, OPT_PEER, OPT_TXPKTS, OPT_PORTMASK,
	OPT_NO_FLUSH, OPT_AUTO, OPT_DURATION, OPT_FLOWS, OPT_IGNORED,
	OPT_IGNORED_ARG,
};

static const struct option fwd_opts[] = {
	{ "forward-mode", required_argument, NULL, OPT_MODE },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "nb-cores", required_argument, NULL, OPT_NB_CORES },
	{ "rxq", required_argument, NULL, OPT_RXQ },
	{ "txq", required_argument, NULL, OPT_TXQ },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "total-num-mbufs", required_argument, NULL, OPT_MBUFS },
	{ "stats-period", required_argument, NULL, OPT_STATS },
	{ "eth-peer", required_argument, NULL, OPT_PEER },
	{ "txpkts", required_argument, NULL, OPT_TXPKTS },
	{ "portmask", required_argument, NULL, OPT_PORTMASK },
	{ "no-flush-rx", no_argument, NULL, OPT_NO_FLUSH },
	{ "auto-start", no_argument, NULL, OPT_AUTO },
	{ "interactive", no_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	/* testpmd options that change nothing here */
	{ "no-mlockall", no_argument, NULL, OPT_IGNORED },
	{ "mlockall", no_argument, NULL, OPT_IGNORED },
	{ "disable-rss", no_argument, NULL, OPT_IGNORED },
	{ "rss-ip", no_argument, NULL, OPT_IGNORED },
	{ "rss-udp", no_argument, NULL, OPT_IGNORED },
	{ "no-lsc-interrupt", no_argument, NULL, OPT_IGNORED },
	{ "no-rmv-interrupt", no_argument, NULL, OPT_IGNORED },
	{ "mbcache", required_argument, NULL, OPT_IGNORED_ARG },
	{ "nb-ports", required_argument, NULL, OPT_IGNORED_ARG },
	{ "coremask", required_argument, NULL, OPT_IGNORED_ARG },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const char *
fwd_mode_name(enum fwd_mode m)
{
	return m < FWD_MODE_MAX ? fwd_mode_names[m] : "?";
}

static void
fwd_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s <EAL args> -- [options]\n"
		"  --forward-mode=io|mac|macswap|rxonly|txonly|flowgen (io)\n"
		"  --burst=1..%u (32)  --nb-cores=N (all workers)\n"
		"  --rxq=N --txq=N (1..%u, equal; RSS when > 1)  --rxd=N "
		"--txd=N (1..65535)\n"
		"  --total-num-mbufs=N (>= 1024)  --stats-period=S  "
		"--duration=S (s, ms, us; 0: off)\n"
		"  --eth-peer=P,XX:XX:XX:XX:XX:XX  --txpkts=60..1514 (64)\n"
		"  --portmask=0xM (hex)  --no-flush-rx  --auto-start (always "
		"on without -i)\n"
		"  --flows=N (io: demux of 1..%u flow keys; flowgen: 1..%u "
		"flows)\n"
		"  -i, --interactive (a prompt: start, stop, show port stats "
		"all, help, ...)\n", prog, FWD_MAX_BURST, FWD_MAX_QUEUES,
		RTE_MIN(PK_DEMUX_MAX_TARGETS, (unsigned int)FWD_MAX_FLOWS),
		FWD_MAX_FLOWS);
}

/* --eth-peer=P,MAC, as testpmd. */
static int
fwd_parse_peer(const char *s)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4], port[24];
	const char *comma = strchr(s, ',');
	struct rte_ether_addr a;
	uint64_t p;

	if (comma == NULL || (size_t)(comma - s) >= sizeof(port) ||
	    rte_ether_unformat_addr(comma + 1, &a) != 0) {
		pk_parse_quote(q, sizeof(q), s);
		fprintf(stderr, "pk-fwd: --eth-peer: '%s' is not PORT,MAC "
			"(MAC as XX:XX:XX:XX:XX:XX)\n", q);
		return -1;
	}
	memcpy(port, s, comma - s);
	port[comma - s] = '\0';
	if (pk_example_number("--eth-peer port", port, PK_PARSE_INT, 0,
			      RTE_MAX_ETHPORTS - 1, &p) != 0)
		return -1;
	fwd_conf.peer[p] = a;
	return 0;
}

/* Numbers in decimal but --portmask's: testpmd reads them so. */
static int
fwd_parse_one(int c, const char *name)
{
	struct fwd_conf *f = &fwd_conf;
	unsigned int m = 0;
	uint64_t v = 0;
	int rc = 0;

	switch (c) {
	case OPT_MODE:
		rc = pk_example_word(name, optarg, fwd_mode_names, &m);
		f->mode = (enum fwd_mode)m;
		break;
	case OPT_BURST:
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 1,
				       FWD_MAX_BURST, &v);
		f->burst = (uint16_t)v;
		break;
	case OPT_NB_CORES:
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 1,
				       RTE_MAX_LCORE, &v);
		f->nb_cores = (unsigned int)v;
		break;
	case OPT_RXQ:
	case OPT_TXQ:
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 1,
				       FWD_MAX_QUEUES, &v);
		*(c == OPT_RXQ ? &f->nb_rxq : &f->nb_txq) = (uint16_t)v;
		break;
	case OPT_RXD:
	case OPT_TXD:
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 1,
				       UINT16_MAX, &v);
		*(c == OPT_RXD ? &f->nb_rxd : &f->nb_txd) = (uint16_t)v;
		break;
	case OPT_MBUFS:
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 1024,
				       UINT32_MAX, &v);
		f->nb_mbufs = (uint32_t)v;
		break;
	case OPT_STATS:
	case OPT_DURATION: /* seconds, fractions, units (2, 0.5, 250ms); 0: off */
		return pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
					 FWD_MAX_SECONDS * FWD_NS,
					 c == OPT_STATS ? &f->stats_period :
							  &f->duration);
	case OPT_PEER:
		return fwd_parse_peer(optarg);
	case OPT_TXPKTS:
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 60,
				       RTE_ETHER_MAX_LEN - 4, &v);
		f->txpkts = (uint16_t)v;
		break;
	case OPT_PORTMASK: /* hex, with or without 0x, as testpmd */
		rc = pk_example_number(name, optarg, PK_PARSE_HEX, 1,
				       UINT64_MAX, &v);
		f->portmask = v;
		break;
	case OPT_FLOWS:
		fwd_flows_arg = optarg; /* its range depends on the mode */
		break;
	case OPT_NO_FLUSH:
		f->no_flush_rx = true;
		break;
	case 'i':
		f->interactive = true;
		break;
	case 'a': /* testpmd's -a: auto-start */
	case OPT_AUTO:
	case OPT_IGNORED:
	case OPT_IGNORED_ARG:
		break;
	default: /* -h, --help: the usage */
		return -1;
	}
	return rc;
}

/* --flows, once the mode is known: io makes a demux target per flow. */
static int
fwd_parse_flows(const char *s)
{
	uint64_t v, max = FWD_MAX_FLOWS;

	if (fwd_conf.mode != FWD_IO && fwd_conf.mode != FWD_FLOWGEN) {
		fprintf(stderr, "pk-fwd: --flows works with io (demux) and "
			"flowgen\n");
		return -1;
	}
	if (fwd_conf.mode == FWD_IO)
		max = RTE_MIN(max, (uint64_t)PK_DEMUX_MAX_TARGETS);
	if (pk_example_number("--flows", s, PK_PARSE_INT, 1, max, &v) != 0)
		return -1;
	fwd_conf.flows = (uint32_t)v;
	return 0;
}

/* What depends on several options: --rxq and --txq, --flows and the mode. */
static int
fwd_check(void)
{
	if (fwd_conf.nb_rxq != fwd_conf.nb_txq) {
		fprintf(stderr, "pk-fwd: --rxq=%u and --txq=%u: pk-fwd needs "
			"them equal (one stream per queue pair)\n",
			fwd_conf.nb_rxq, fwd_conf.nb_txq);
		return -1;
	}
	return fwd_flows_arg != NULL ? fwd_parse_flows(fwd_flows_arg) : 0;
}

const struct pk_example_app fwd_app = {
	.name = "pk-fwd", .opts = fwd_opts, .short_opts = "ahi",
	.opt = fwd_parse_one, .check = fwd_check, .usage = fwd_usage,
};
