/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-run: runs a configuration written in PathKit's language (pk_conf.h),
 * as Click runs a router's text file: ports, stages, paths with their
 * owners, threads, runners, schedulers and demux keys, built by one call.
 *
 *   pk-run <EAL args> -- -f paths.conf [--check] [--dot] [--list-kinds]
 *          [-D NAME=VALUE]... [--stats-period=S] [--duration=S] [--mbufs=N]
 *          [-i]
 *
 * --check reads and checks the configuration, --dot prints its graph for
 * Graphviz (dot -Tsvg), --list-kinds every registered stage kind with its
 * help and arguments: none of them starts the EAL. -D defines a variable
 * ($NAME) over the file's own define. Otherwise the EAL starts, a pool of
 * --mbufs mbufs is made ($POOL is its name: "port" statements fill their
 * RX queues from it), the configuration is built and started, statistics
 * are printed every --stats-period, and SIGINT, SIGTERM or --duration stop
 * it: threads and runners first, then the final statistics of every stage,
 * path, thread, runner and owner. -i builds it and gives a prompt
 * (pk_prompt.h) instead, where start starts it, as testpmd's -i does.
 * A bad option or configuration: the reason (for a configuration,
 * file:line:column), exit 2.
 *
 * Reload (pk_conf_reload_file()): SIGHUP reads the file again, and the
 * telemetry command /pathkit/reload[,FILE] reads FILE (or the file given
 * at start) and answers {"ok", "file", "error" (the first line of what was
 * refused, "" when ok), "moved", "dropped", "pause_us"}. The running
 * configuration keeps running, with the new one switched in or, if the new
 * text does not parse, check, build or start, unchanged; either way a line
 * on stderr says what happened. The main lcore does the reload: a telemetry
 * request waits for it (10 s at most).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_telemetry.h>

#include <pathkit/pathkit.h>

#include "pk_example.h"
#include "pk_prompt.h"
#include "pk_run.h"

#define RUN_POOL "pk_run_mbufs"
#define RUN_MAX_DEFINES 64
#define RUN_NS 1000000000ull
#define RUN_MAX_DURATION (10000000 * RUN_NS) /* 10^7 s, 115 days */

static struct {
	const char *file;
	bool check, dot, list_kinds, interactive;
	uint64_t stats_period; /* ns, 0: none */
	uint64_t duration;     /* ns, 0: until a signal */
	uint64_t mbufs;
	const char *defines[RUN_MAX_DEFINES + 2]; /* POOL=, then -D, NULL */
	unsigned int nb_defines;
} run = { .mbufs = 16383 };

enum {
	OPT_CHECK = 256, OPT_DOT, OPT_LIST, OPT_STATS, OPT_DURATION, OPT_MBUFS,
};

static const struct option run_opts[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "define", required_argument, NULL, 'D' },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "dot", no_argument, NULL, OPT_DOT },
	{ "list-kinds", no_argument, NULL, OPT_LIST },
	{ "stats-period", required_argument, NULL, OPT_STATS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "interactive", no_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
run_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s <EAL args> -- -f FILE [--check] [--dot] "
		"[--list-kinds]\n"
		"  -f, --file=FILE       the configuration (pk_conf.h's "
		"language)\n"
		"  -D, --define=NAME=VALUE  $NAME in the file (over its "
		"define)\n"
		"  --check               check it; start nothing\n"
		"  --dot                 print its graph for Graphviz (dot "
		"-Tsvg)\n"
		"  --list-kinds          print the stage kinds and their "
		"arguments\n"
		"  --stats-period=S      statistics every S (s, ms; 0: none)\n"
		"  --duration=S          stop after S (s, ms; 0: on SIGINT)\n"
		"  --mbufs=N             mbufs in $POOL (1023..16777215, "
		"16383)\n"
		"  -i, --interactive     a prompt; 'start' starts it, 'help' "
		"lists the commands\n", prog);
}

/* NAME=VALUE, as the language's define takes it. */
static bool
run_define_ok(const char *d)
{
	const char *eq = strchr(d, '=');
	const char *p;

	if (eq == NULL || eq == d || strlen(eq + 1) > 255 ||
	    !(isalpha((unsigned char)d[0]) || d[0] == '_'))
		return false;
	for (p = d; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

static int
run_opt(int c, const char *name)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4];

	switch (c) {
	case 'f':
		run.file = optarg;
		return 0;
	case 'D':
		if (!run_define_ok(optarg) ||
		    run.nb_defines == RUN_MAX_DEFINES) {
			pk_parse_quote(q, sizeof(q), optarg);
			fprintf(stderr, "pk-run: %s: '%s' is not NAME=VALUE (NAME: "
				"a letter or _, then letters, digits, _; VALUE: "
				"up to 255 bytes)%s\n", name, q,
				run.nb_defines == RUN_MAX_DEFINES ?
				", or one too many" : "");
			return -1;
		}
		run.defines[1 + run.nb_defines++] = optarg;
		return 0;
	case 'i':
		run.interactive = true;
		return 0;
	case OPT_CHECK:
		run.check = true;
		return 0;
	case OPT_DOT:
		run.dot = true;
		return 0;
	case OPT_LIST:
		run.list_kinds = true;
		return 0;
	case OPT_STATS:
		return pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
					 RUN_MAX_DURATION, &run.stats_period);
	case OPT_DURATION:
		return pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
					 RUN_MAX_DURATION, &run.duration);
	case OPT_MBUFS:
		return pk_example_number(name, optarg, PK_PARSE_INT, 1023,
					 (1u << 24) - 1, &run.mbufs);
	default:
		return -1; /* -h too: the usage */
	}
}

static int
run_check(void)
{
	if (run.file == NULL && !run.list_kinds) {
		fprintf(stderr, "pk-run: -f FILE: the configuration to run\n");
		return -1;
	}
	return 0;
}

static const struct pk_example_app run_app = {
	.name = "pk-run", .opts = run_opts, .short_opts = "f:D:hi",
	.opt = run_opt, .check = run_check, .usage = run_usage,
};

/* A reload asked by SIGHUP or telemetry, done by the main lcore. */
static volatile sig_atomic_t run_hup;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool asked, done;      /* a telemetry request, and its answer */
	char file[4096];
	int rc;
	char why[RTE_TEL_MAX_STRING_LEN];
	struct pk_conf_reload_stats st;
} run_rl = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.done_cond = PTHREAD_COND_INITIALIZER,
};

static void
run_on_hup(int sig)
{
	(void)sig;
	run_hup = 1;
}

/* Reload c from file; say how it went on stderr, and in why (rc != 0). */
int
run_reload(struct pk_conf *c, const char *file, char *why, size_t size,
	   struct pk_conf_reload_stats *st)
{
	char *buf = NULL, *nl;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	pk_ctl_lock(); /* no runtime change (pk_ctl.h) meanwhile */
	rc = pk_conf_reload_file(c, file, f != NULL ? f : stderr, st);
	pk_ctl_unlock();
	if (f != NULL)
		fclose(f);
	if (buf != NULL && len > 0)
		fputs(buf, stderr); /* the errors, file:line:col */
	why[0] = '\0';
	if (rc != 0) {
		snprintf(why, size, "%s", buf != NULL && len > 0 ? buf :
			 rte_strerror(-rc));
		nl = strchr(why, '\n');
		if (nl != NULL)
			*nl = '\0';
		fprintf(stderr, "pk-run: %s: not reloaded, the running "
			"configuration is unchanged: %s\n", file, why);
	} else {
		fprintf(stderr, "pk-run: %s: reloaded: %" PRIu64 " packets "
			"moved, %" PRIu64 " dropped, pause %" PRIu64 " us\n",
			file, st->moved, st->dropped_gone + st->dropped_full,
			st->pause_ns / 1000);
	}
	free(buf);
	return rc;
}

/* /pathkit/reload[,FILE]: hand it to the main lcore, answer its outcome. */
static int
run_tel_reload(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct timespec until;
	int rc = 0;

	(void)cmd;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&run_rl.lock);
	if (run_rl.asked) {
		pthread_mutex_unlock(&run_rl.lock);
		return -EBUSY; /* one at a time */
	}
	snprintf(run_rl.file, sizeof(run_rl.file), "%s",
		 params != NULL && params[0] != '\0' ? params : run.file);
	run_rl.asked = true;
	run_rl.done = false;
	while (!run_rl.done && rc == 0)
		rc = pthread_cond_timedwait(&run_rl.done_cond, &run_rl.lock,
					    &until);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", run_rl.done && run_rl.rc == 0);
	rte_tel_data_add_dict_string(d, "file", run_rl.file);
	rte_tel_data_add_dict_string(d, "error", run_rl.done ? run_rl.why :
				     "no answer from the main lcore in 10 s");
	rte_tel_data_add_dict_u64(d, "moved", run_rl.st.moved);
	rte_tel_data_add_dict_u64(d, "dropped", run_rl.st.dropped_gone +
				  run_rl.st.dropped_full);
	rte_tel_data_add_dict_u64(d, "pause_us", run_rl.st.pause_ns / 1000);
	run_rl.asked = false;
	pthread_mutex_unlock(&run_rl.lock);
	return 0;
}

/* The main lcore: a reload someone asked for. */
static void
run_reload_poll(struct pk_conf *c)
{
	struct pk_conf_reload_stats st;
	char why[RTE_TEL_MAX_STRING_LEN];

	if (run_hup) {
		run_hup = 0;
		run_reload(c, run.file, why, sizeof(why), &st);
	}
	pthread_mutex_lock(&run_rl.lock);
	if (run_rl.asked && !run_rl.done) {
		memset(&run_rl.st, 0, sizeof(run_rl.st));
		run_rl.rc = run_reload(c, run_rl.file, run_rl.why,
				       sizeof(run_rl.why), &run_rl.st);
		run_rl.done = true;
		pthread_cond_broadcast(&run_rl.done_cond);
	}
	pthread_mutex_unlock(&run_rl.lock);
}

/* The main lcore: statistics every period until a signal or the end. */
static void
run_wait(struct pk_conf *c)
{
	uint64_t hz = rte_get_tsc_hz(), start = rte_get_tsc_cycles(), now;
	uint64_t period = pk_example_ns_to_tsc(run.stats_period, hz);
	uint64_t duration = pk_example_ns_to_tsc(run.duration, hz);
	uint64_t next = start + period;

	while (!pk_example_quit) {
		/* sleep, not rte_delay_ms(): a spinning lcore slows workers */
		rte_delay_us_sleep(10 * 1000);
		run_reload_poll(c);
		now = rte_get_tsc_cycles();
		if (run.duration != 0 && now - start >= duration)
			break;
		if (run.stats_period != 0 && now >= next) {
			printf("\n-- statistics at %.1f s\n",
			       (double)(now - start) / hz);
			pk_conf_stats_print(c, stdout);
			fflush(stdout);
			next = now + period;
		}
	}
}

/*
 * Build, start, wait, stop, report. @return the exit code. Telemetry may
 * change the objects meanwhile: control calls hold pk_ctl_lock().
 */
static int
run_conf(struct rte_mempool *mp)
{
	struct pk_conf_params par = {
		.mp = mp, .socket_id = SOCKET_ID_ANY, .defines = run.defines,
	};
	struct pk_conf *c;
	int rc = 0;

	pk_ctl_lock();
	c = pk_conf_load_file(run.file, &par);
	pk_ctl_unlock();
	if (c == NULL) {
		fprintf(stderr, "pk-run: %s: not built (%s)\n", run.file,
			rte_strerror(rte_errno));
		return 2;
	}
	pk_example_catch_signals();
	if (run.interactive) {
		run_c = c;
		printf("pk-run: %s built; 'start' runs it\n", run.file);
		pk_prompt_run(&run_prompt_app);
	} else {
		signal(SIGHUP, run_on_hup);
		rte_telemetry_register_cmd("/pathkit/reload", run_tel_reload,
					   "Reload the configuration (its file, or the "
					   "file given). Parameters: [FILE]");
		pk_ctl_lock();
		rc = pk_conf_start(c);
		pk_ctl_unlock();
	}
	if (rc == 0 && !run.interactive) {
		printf("pk-run: %s running; SIGINT stops it\n", run.file);
		fflush(stdout);
		run_wait(c);
		printf("\npk-run: stopping\n");
	}
	pk_ctl_lock();
	pk_conf_stop(c);
	pk_capture_edge_cleanup(); /* edges captured by telemetry */
	pk_ctl_unlock();
	printf("== final statistics\n");
	pk_conf_stats_print(c, stdout);
	fflush(stdout);
	pk_ctl_lock();
	pk_conf_destroy(c);
	pk_ctl_unlock();
	return rc == 0 ? 0 : 2;
}

int
main(int argc, char **argv)
{
	struct pk_conf_params par = { .socket_id = SOCKET_ID_ANY };
	struct rte_mempool *mp;
	struct pk_conf *c;
	uint16_t port;
	int rc;

	run.defines[0] = "POOL=" RUN_POOL;
	pk_example_options(&run_app, argc, argv); /* a bad one: exit 2 */
	if (run.list_kinds) {
		pk_conf_kinds_print(stdout);
		if (run.file == NULL)
			return 0;
	}
	/* read and check before the EAL: a mistake costs nothing to report */
	par.defines = run.defines;
	c = pk_conf_parse_file(run.file, &par);
	if (c == NULL)
		return 2;
	if (run.dot)
		pk_conf_dot(c, stdout);
	else if (run.check || run.list_kinds)
		printf("%s: ok\n", run.file);
	pk_conf_destroy(c);
	if (run.check || run.dot || run.list_kinds)
		return 0;

	pk_example_eal_init(argc, argv);
	mp = rte_pktmbuf_pool_create(RUN_POOL, run.mbufs, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "pk-run: cannot make %u mbufs: %s (give more "
			"-m)\n", (unsigned int)run.mbufs,
			rte_strerror(rte_errno));
		pk_example_eal_cleanup();
		return 1;
	}
	rc = run_conf(mp);
	RTE_ETH_FOREACH_DEV(port) /* the configuration stopped its ports */
		rte_eth_dev_close(port);
	rte_mempool_free(mp);
	pk_example_eal_cleanup();
	return rc;
}
