/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-pspat's options (main.c lists them): each read and checked as it
 * comes (pspat_opt()), then what depends on several (pspat_check()). A bad
 * one: a message naming it and what it takes (pk_example_options() then
 * prints the usage and exits 2).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <pathkit/pathkit.h>

#include "pk_pspat.h"

struct pspat_opt opt = { .policy = "wfq", .pkt_size = 64, .period = NS };


static const char *weights_arg; /* --weights, read once the policy is known */

static void
usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s <EAL args> -- --clients=1..64 "
		"--source=ports|gen\n"
		"  --weights=W1,...,WN (one per client; range: the policy's)\n"
		"  --rate=R (bit/s, k M G T, up to 10T; 0: unlimited)\n"
		"  --policy=wfq|wf2q|drr|prio|rr|fifo|fq_codel|fq_pie or "
		"owners:OUTER,flows:INNER\n"
		"    (two levels: clients weighed by OUTER with --weights, each "
		"client's flows\n     hashed into its own --flow-queues (64) "
		"queues, shared by INNER)\n"
		"  --dispatch=arbiter|dispatcher\n  [--pkt-size=60..1514] [--duration=S (0: until "
		"SIGINT)]\n  [--stats-period=S (1ms..1 day)] "
		"[--flow-queues=1..65536] [--mailbox=ring|pspat]\n", prog);
}

/*
 * --weights, once the policy is known: one per client, each in the
 * policy's range (drr's in frames of DRR_FRAME bytes).
 */
static int
parse_weights(const char *s)
{
	const struct pk_sched_policy *pol = pk_sched_policy_find(opt.outer);
	uint64_t w[MAX_CLIENTS], min, max;
	char msg[256];
	int n, i;

	if (pol == NULL) {
		fprintf(stderr, "pk-pspat: --policy: %s is not built in\n",
			opt.policy);
		return -1;
	}
	min = pol->param_min;
	max = pol->param_max;

	if (strcmp(opt.outer, "drr") == 0) {
		min = 1;
		max /= DRR_FRAME;
	}
	n = pk_parse_u64_list(s, min, max, w, MAX_CLIENTS);
	if (n < 0) {
		pk_parse_explain(msg, sizeof(msg), "--weights", s,
				 PK_PARSE_LIST, min, max, MAX_CLIENTS);
		fprintf(stderr, "pk-pspat: %s (policy %s)\n", msg,
			opt.policy);
		return -1;
	}
	if ((uint32_t)n != opt.nb) {
		fprintf(stderr, "pk-pspat: --weights: %d weights for %u "
			"clients: need one per client\n", n, opt.nb);
		return -1;
	}
	for (i = 0; i < n; i++)
		opt.weights[i] = (uint32_t)w[i];
	opt.weights_set = true;
	return 0;
}

static const struct option pspat_opts[] = {
	{ "clients", required_argument, NULL, 'c' },
	{ "source", required_argument, NULL, 's' },
	{ "weights", required_argument, NULL, 'w' },
	{ "rate", required_argument, NULL, 'r' },
	{ "policy", required_argument, NULL, 'p' },
	{ "dispatch", required_argument, NULL, 'd' },
	{ "pkt-size", required_argument, NULL, 'b' },
	{ "duration", required_argument, NULL, 't' },
	{ "stats-period", required_argument, NULL, 'P' },
	{ "flow-queues", required_argument, NULL, 'f' },
	{ "mailbox", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
pspat_opt(int c, const char *name)
{
	static const char *const sources[] = { "ports", "gen", NULL };
	const struct pk_sched_policy *outer, *inner;
	char err[128];
	static const char *const dispatch[] = { "arbiter", "dispatcher", NULL };
	static const char *const mailboxes[] = { "ring", "pspat", NULL };
	unsigned int w = 0;
	uint64_t v = 0;
	int rc = 0;

	switch (c) {
	case 'c':
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 1,
				       MAX_CLIENTS, &v);
		opt.nb = (uint32_t)v;
		break;
	case 's':
		rc = pk_example_word(name, optarg, sources, &w);
		opt.gen = w == 1;
		break;
	case 'w':
		weights_arg = optarg;
		break;
	case 'r':
		rc = pk_example_number(name, optarg, PK_PARSE_RATE, 0, MAX_RATE,
				       &opt.rate);
		break;
	case 'p':
		/* a policy name, or two levels: the registry is filled by now */
		rc = pk_sched_policy_lookup(optarg, &outer, &inner, err,
					    sizeof(err));
		if (rc != 0) {
			/* the reason starts "policy: ": the option says it */
			fprintf(stderr, "pk-pspat: %s: %s\n", name,
				strncmp(err, "policy: ", 8) == 0 ? err + 8 :
				err);
			return -1;
		}
		opt.policy = optarg;
		opt.hier = inner != NULL;
		snprintf(opt.outer, sizeof(opt.outer), "%s", outer->name);
		break;
	case 'd':
		rc = pk_example_word(name, optarg, dispatch, &w);
		opt.dispatcher = w == 1;
		break;
	case 'b':
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 60, 1514,
				       &v);
		opt.pkt_size = (uint16_t)v;
		break;
	case 't':
		rc = pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
				       MAX_DURATION, &opt.duration);
		break;
	case 'P':
		rc = pk_example_number(name, optarg, PK_PARSE_DURATION,
				       MIN_PERIOD, MAX_PERIOD, &opt.period);
		break;
	case 'f':
		rc = pk_example_number(name, optarg, PK_PARSE_INT, 1,
				       MAX_FLOW_QUEUES, &v);
		opt.flow_queues = (uint32_t)v;
		break;
	case 'm':
		rc = pk_example_word(name, optarg, mailboxes, &w);
		opt.pspat_mailbox = w == 1;
		break;
	default:
		return -1;
	}
	return rc;
}

/* What depends on several options: --clients, --weights. */
static int
pspat_check(void)
{
	const struct pk_sched_policy *pol;
	uint32_t i;

	if (opt.nb == 0) {
		fprintf(stderr, "pk-pspat: --clients is missing\n");
		return -1;
	}
	if (opt.outer[0] == '\0') /* no --policy: wfq */
		snprintf(opt.outer, sizeof(opt.outer), "%s", opt.policy);
	pol = pk_sched_policy_find(opt.outer);
	/*
	 * A queue manager's queues are flows, hashed: and with per-client
	 * queues the arbiter counts each client's backlog itself, which the
	 * manager's drops would leave wrong.
	 */
	if (pol != NULL && (pol->flags & PK_SCHED_POL_AQM) &&
	    opt.flow_queues == 0)
		opt.flow_queues = AQM_FLOW_QUEUES;
	/* two levels: the clients are weighed, their flows per client */
	if (opt.hier && opt.flow_queues == 0)
		opt.flow_queues = HIER_FLOW_QUEUES;
	if (opt.hier && (uint64_t)opt.flow_queues * opt.nb >
	    PK_SCHED_MAX_QUEUES) {
		fprintf(stderr, "pk-pspat: --flow-queues: %u per client for %u "
			"clients pass %u queues\n", opt.flow_queues, opt.nb,
			PK_SCHED_MAX_QUEUES);
		return -1;
	}
	if (weights_arg != NULL && opt.flow_queues != 0 && !opt.hier) {
		fprintf(stderr, "pk-pspat: --weights: flow queues all weigh "
			"the same\n");
		return -1;
	}
	if (weights_arg != NULL && parse_weights(weights_arg) != 0)
		return -1;
	for (i = 0; !opt.weights_set && i < opt.nb; i++)
		opt.weights[i] = 1;
	return 0;
}

const struct pk_example_app pspat_app = {
	.name = "pk-pspat", .opts = pspat_opts, .short_opts = "h",
	.opt = pspat_opt, .check = pspat_check, .usage = usage,
};

