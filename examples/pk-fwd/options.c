/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-fwd options: testpmd's names and meanings, so that a non-interactive
 * testpmd command line works with dpdk-testpmd replaced by pk-fwd. Options
 * testpmd has and pk-fwd does not need (--no-mlockall, --rss-ip, ...) are
 * accepted and ignored; -i (interactive) is refused.
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

static const char *const fwd_mode_names[FWD_MODE_MAX] = {
	[FWD_IO] = "io", [FWD_MAC] = "mac", [FWD_MACSWAP] = "macswap",
	[FWD_RXONLY] = "rxonly", [FWD_TXONLY] = "txonly",
	[FWD_FLOWGEN] = "flowgen",
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

void
fwd_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s <EAL args> -- [options]\n"
		"  --forward-mode=io|mac|macswap|rxonly|txonly|flowgen (io)\n"
		"  --burst=N (32)  --nb-cores=N (all workers)\n"
		"  --rxq=N --txq=N (1; equal, RSS when > 1)  --rxd=N --txd=N\n"
		"  --total-num-mbufs=N  --stats-period=S  --duration=S\n"
		"  --eth-peer=P,XX:XX:XX:XX:XX:XX  --txpkts=LEN (64)\n"
		"  --portmask=0xM  --no-flush-rx  --auto-start (always on)\n"
		"  --flows=N (io: demux of N flow keys; flowgen: N flows)\n",
		prog);
}

/* An unsigned number within [min, max], decimal or 0x hex. */
static int
fwd_parse_u64(const char *name, const char *s, uint64_t min, uint64_t max,
	      uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    *v < min || *v > max) {
		fprintf(stderr, "invalid --%s=%s: want %llu..%llu\n", name, s,
			(unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	return 0;
}

static int
fwd_parse_seconds(const char *name, const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	if (end == s || *end != '\0' || !(*v >= 0) || *v > 1e7) {
		fprintf(stderr, "invalid --%s=%s: want seconds >= 0\n", name,
			s);
		return -1;
	}
	return 0;
}

static int
fwd_parse_mode(const char *s)
{
	int m;

	for (m = 0; m < FWD_MODE_MAX; m++)
		if (strcmp(s, fwd_mode_names[m]) == 0) {
			fwd_conf.mode = (enum fwd_mode)m;
			return 0;
		}
	fprintf(stderr, "invalid --forward-mode=%s\n", s);
	return -1;
}

/* --eth-peer=P,MAC, as testpmd. */
static int
fwd_parse_peer(const char *s)
{
	struct rte_ether_addr a;
	const char *comma = strchr(s, ',');
	char port[8];
	uint64_t p;

	if (comma == NULL || (size_t)(comma - s) >= sizeof(port)) {
		fprintf(stderr, "invalid --eth-peer=%s: want PORT,MAC\n", s);
		return -1;
	}
	memcpy(port, s, comma - s);
	port[comma - s] = '\0';
	if (fwd_parse_u64("eth-peer", port, 0, RTE_MAX_ETHPORTS - 1, &p) != 0)
		return -1;
	if (rte_ether_unformat_addr(comma + 1, &a) != 0) {
		fprintf(stderr, "invalid --eth-peer MAC %s\n", comma + 1);
		return -1;
	}
	fwd_conf.peer[p] = a;
	return 0;
}

static int
fwd_parse_one(int c, const char *name)
{
	struct fwd_conf *f = &fwd_conf;
	uint64_t v = 0;
	int rc = 0;

	switch (c) {
	case OPT_MODE:
		return fwd_parse_mode(optarg);
	case OPT_BURST:
		rc = fwd_parse_u64(name, optarg, 1, FWD_MAX_BURST, &v);
		f->burst = (uint16_t)v;
		break;
	case OPT_NB_CORES:
		rc = fwd_parse_u64(name, optarg, 1, RTE_MAX_LCORE, &v);
		f->nb_cores = (unsigned int)v;
		break;
	case OPT_RXQ:
	case OPT_TXQ:
		rc = fwd_parse_u64(name, optarg, 1, FWD_MAX_QUEUES, &v);
		*(c == OPT_RXQ ? &f->nb_rxq : &f->nb_txq) = (uint16_t)v;
		break;
	case OPT_RXD:
	case OPT_TXD:
		rc = fwd_parse_u64(name, optarg, 1, UINT16_MAX, &v);
		*(c == OPT_RXD ? &f->nb_rxd : &f->nb_txd) = (uint16_t)v;
		break;
	case OPT_MBUFS:
		rc = fwd_parse_u64(name, optarg, 1024, UINT32_MAX, &v);
		f->nb_mbufs = (uint32_t)v;
		break;
	case OPT_STATS:
		return fwd_parse_seconds(name, optarg, &f->stats_period);
	case OPT_DURATION:
		return fwd_parse_seconds(name, optarg, &f->duration);
	case OPT_PEER:
		return fwd_parse_peer(optarg);
	case OPT_TXPKTS:
		rc = fwd_parse_u64(name, optarg, 60, RTE_ETHER_MAX_LEN - 4, &v);
		f->txpkts = (uint16_t)v;
		break;
	case OPT_PORTMASK:
		rc = fwd_parse_u64(name, optarg, 1, UINT64_MAX, &v);
		f->portmask = v;
		break;
	case OPT_FLOWS:
		rc = fwd_parse_u64(name, optarg, 1, FWD_MAX_FLOWS, &v);
		f->flows = (uint32_t)v;
		break;
	case OPT_NO_FLUSH:
		f->no_flush_rx = true;
		break;
	case OPT_AUTO:
	case OPT_IGNORED:
	case OPT_IGNORED_ARG:
		break;
	default:
		return -1;
	}
	return rc;
}

int
fwd_parse_args(int argc, char **argv)
{
	int c, idx;

	opterr = 1;
	while ((c = getopt_long(argc, argv, "ah", fwd_opts, &idx)) != -1) {
		if (c == 'a')
			continue; /* testpmd's -a: auto-start */
		if (c == '?' || c == 'h')
			return -1;
		if (fwd_parse_one(c, fwd_opts[idx].name) != 0)
			return -1;
	}
	if (optind != argc) {
		fprintf(stderr, "unexpected argument: %s\n", argv[optind]);
		return -1;
	}
	if (fwd_conf.nb_rxq != fwd_conf.nb_txq) {
		fprintf(stderr, "--rxq=%u and --txq=%u: pk-fwd needs them "
			"equal (one stream per queue pair)\n", fwd_conf.nb_rxq,
			fwd_conf.nb_txq);
		return -1;
	}
	if (fwd_conf.flows != 0 && fwd_conf.mode != FWD_IO &&
	    fwd_conf.mode != FWD_FLOWGEN) {
		fprintf(stderr, "--flows works with io (demux) and flowgen\n");
		return -1;
	}
	return 0;
}
