/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the examples share (pk_example.h): options before the EAL, the EAL's
 * start and its runtime directory, packet capture for dpdk-dumpcap (from
 * the EAL's start to its cleanup), the quit flag.
 */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_pdump.h>

#include "pk_example.h"

#define PK_EXAMPLE_NS 1000000000ull

volatile sig_atomic_t pk_example_quit;

static const char *pk_example_name = "pk-example"; /* until options */
static char pk_example_rundir[PATH_MAX];
static bool pk_example_pdump; /* rte_pdump_init() done */

/* getopt_long over argv[0..argc) (argv[0]: the program), then app's check. */
static int
pk_example_parse(const struct pk_example_app *app, int argc, char **argv)
{
	char name[64], q[4 * PK_PARSE_QUOTE_MAX + 4];
	int c, idx;

	for (;;) {
		idx = -1; /* getopt_long sets it for long options only */
		c = getopt_long(argc, argv, app->short_opts, app->opts, &idx);
		if (c == -1)
			break;
		if (c == '?')
			return -1; /* getopt_long said which option */
		if (c == 'h')
			return 1; /* --help */
		if (idx >= 0)
			snprintf(name, sizeof(name), "--%s",
				 app->opts[idx].name);
		else
			snprintf(name, sizeof(name), "-%c", c);
		if (app->opt(c, name) != 0)
			return -1;
	}
	if (optind != argc) {
		pk_parse_quote(q, sizeof(q), argv[optind]);
		fprintf(stderr, "%s: unexpected argument '%s'\n",
			pk_example_name, q);
		return -1;
	}
	return app->check != NULL ? app->check() : 0;
}

void
pk_example_options(const struct pk_example_app *app, int argc, char **argv)
{
	char *dashes;
	int first, rc;

	pk_example_name = app->name;
	for (first = 1; first < argc; first++)
		if (strcmp(argv[first], "--") == 0)
			break;
	if (first < argc) {
		dashes = argv[first];
		argv[first] = argv[0]; /* getopt's program name */
		rc = pk_example_parse(app, argc - first, argv + first);
		argv[first] = dashes;  /* the EAL stops there */
	} else {
		rc = pk_example_parse(app, 1, argv); /* check() may miss one */
	}
	if (rc == 1) {
		app->usage(stdout, argv[0]);
		exit(0);
	}
	if (rc != 0) {
		app->usage(stderr, argv[0]);
		exit(2);
	}
}

/*
 * The EAL leaves its runtime directory behind, even empty; a primary
 * process is its only user, and only files are in it.
 */
static void
pk_example_rm_rundir(void)
{
	char path[PATH_MAX + NAME_MAX + 2];
	struct dirent *e;
	DIR *d = opendir(pk_example_rundir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", pk_example_rundir,
			 e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(pk_example_rundir);
}

void
pk_example_eal_init(int argc, char **argv)
{
	if (rte_eal_init(argc, argv) < 0) {
		/* some EAL failures (a primary already on this --file-prefix)
		 * leave rte_errno at 0: their reason is in the EAL's log */
		fprintf(stderr, "cannot start the EAL: %s\n",
			rte_errno != 0 ? rte_strerror(rte_errno) :
			"see the EAL's messages above (another primary "
			"process on the same --file-prefix?)");
		exit(1);
	}
	/* a secondary's directory is its primary's, still in use */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return;
	snprintf(pk_example_rundir, sizeof(pk_example_rundir), "%s",
		 rte_eal_get_runtime_dir());
	atexit(pk_example_rm_rundir); /* rte_exit() ends with exit() too */
	/*
	 * Let DPDK's dpdk-dumpcap copy our ports' packets. It is a secondary
	 * process: it attaches only to a primary with shared configuration
	 * and hugepage memory. Under --no-shconf or --no-huge the call still
	 * succeeds (22.11), but no dumpcap can ever attach; nothing else
	 * changes (it costs the ports nothing until a dumpcap asks).
	 */
	if (rte_pdump_init() != 0)
		RTE_LOG(DEBUG, USER1, "no packet capture for dpdk-dumpcap: %s\n",
			rte_strerror(rte_errno));
	else
		pk_example_pdump = true;
}

void
pk_example_eal_cleanup(void)
{
	/*
	 * No dumpcap may ask for a port from now on (one that captures
	 * keeps its copies until the ports close); the EAL frees the
	 * request handler only this way.
	 */
	if (pk_example_pdump)
		rte_pdump_uninit();
	pk_example_pdump = false;
	rte_eal_cleanup();
}

static void
pk_example_on_signal(int sig)
{
	(void)sig;
	pk_example_quit = 1;
}

void
pk_example_catch_signals(void)
{
	signal(SIGINT, pk_example_on_signal);
	signal(SIGTERM, pk_example_on_signal);
}

int
pk_example_number(const char *name, const char *s, enum pk_parse_kind kind,
		  uint64_t min, uint64_t max, uint64_t *v)
{
	char msg[256];

	if (pk_parse_num(kind, s, min, max, v) == 0)
		return 0;
	pk_parse_explain(msg, sizeof(msg), name, s, kind, min, max, 0);
	fprintf(stderr, "%s: %s\n", pk_example_name, msg);
	return -1;
}

int
pk_example_word(const char *name, const char *s, const char *const *words,
		unsigned int *idx)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4];
	unsigned int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0) {
			*idx = i;
			return 0;
		}
	pk_parse_quote(q, sizeof(q), s);
	fprintf(stderr, "%s: %s: '%s' is not", pk_example_name, name, q);
	for (i = 0; words[i] != NULL; i++)
		fprintf(stderr, "%s %s", i == 0 ? "" : words[i + 1] == NULL ?
			" or" : ",", words[i]);
	fprintf(stderr, "\n");
	return -1;
}

uint64_t
pk_example_ns_to_tsc(uint64_t ns, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ns * hz / PK_EXAMPLE_NS);
}
