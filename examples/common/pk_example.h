/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_EXAMPLE_H
#define PK_EXAMPLE_H

/**
 * @file
 * What every PathKit example does the same way, compiled into each (as
 * DPDK's examples/common), so that an example's own file holds only its
 * options table and its data path:
 *  - its options come after the EAL's and "--", and are read before the EAL
 *    starts: a bad one prints a message naming it and what it takes, then
 *    the usage, and exits 2, with no EAL to clean up;
 *  - the EAL starts or the example exits 1 with the reason, and the EAL's
 *    runtime directory (config, memory maps, telemetry socket, which
 *    rte_eal_cleanup() leaves behind) goes when the process exits;
 *  - SIGINT and SIGTERM set pk_example_quit.
 *
 * Threads: call everything from the main thread; any lcore may read
 * pk_example_quit.
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>

#include <pathkit/pk_parse.h>

/** An example's options, as pk_example_options() reads them. */
struct pk_example_app {
	const char *name;          /**< "pk-skeleton": starts every message */
	const struct option *opts; /**< getopt_long()'s table */
	const char *short_opts;    /**< getopt_long()'s, "" for none */
	/**
	 * Take one option: c as getopt_long() returns it, name as the user
	 * spells it ("--burst", "-a"), its value (if any) in optarg.
	 * @return 0, or -1 with a message printed
	 */
	int (*opt)(int c, const char *name);
	/**
	 * Once every option is read: what depends on several of them, or on
	 * one that must be there. NULL: nothing to check.
	 * @return 0, or -1 with a message printed
	 */
	int (*check)(void);
	/** Print the usage to f (stderr after a mistake, stdout for
	 *  --help); prog is argv[0]. */
	void (*usage)(FILE *f, const char *prog);
};

/**
 * Set by SIGINT and SIGTERM once pk_example_catch_signals() ran; an example
 * sets it too, to stop its lcores.
 */
extern volatile sig_atomic_t pk_example_quit;

/**
 * Read the example's options: those after the first "--" (none without
 * one), before rte_eal_init(), which then stops at the "--". argv is as it
 * was when this returns. On a bad option, an unexpected argument, or a
 * refusal of app->check(), prints the usage and exits 2; on --help or -h
 * (app->opts must map "help" to 'h'), prints it on stdout and exits 0.
 * @param app the example's options; its name starts the messages of
 *   pk_example_number() and pk_example_word() from now on
 */
void pk_example_options(const struct pk_example_app *app, int argc,
			char **argv);

/**
 * Start the EAL with the arguments before "--", or exit 1 with the reason;
 * the runtime directory of a primary process is removed at exit(), rte_exit()
 * or the return from main(). A primary process then answers DPDK's
 * dpdk-dumpcap (rte_pdump_init()), which can attach to its ports when the
 * EAL shares its configuration and memory (not under --no-shconf or
 * --no-huge).
 */
void pk_example_eal_init(int argc, char **argv);

/**
 * Stop answering dpdk-dumpcap (rte_pdump_uninit()), then rte_eal_cleanup():
 * what an example calls where it would call rte_eal_cleanup(), after its
 * ports are stopped.
 */
void pk_example_eal_cleanup(void);

/** From now on SIGINT and SIGTERM set pk_example_quit (and end nothing). */
void pk_example_catch_signals(void);

/**
 * A number option in [min, max] (pk_parse_num()), or a message naming it
 * and the range on stderr.
 * @param name the option as the user spells it ("--burst")
 * @param s its value
 * @return 0 with *v set, or -1 (*v untouched)
 */
int pk_example_number(const char *name, const char *s,
		      enum pk_parse_kind kind, uint64_t min, uint64_t max,
		      uint64_t *v);

/**
 * A word option: one of words, or a message that names the option and
 * lists them on stderr.
 * @param words the words, then NULL
 * @return 0 with *idx its index in words, or -1 (*idx untouched)
 */
int pk_example_word(const char *name, const char *s,
		    const char *const *words, unsigned int *idx);

/**
 * TSC cycles in ns nanoseconds at hz. For ns up to 10^7 s (the examples'
 * longest duration): ns * hz overflows 64 bits, not 128.
 */
uint64_t pk_example_ns_to_tsc(uint64_t ns, uint64_t hz);

#endif /* PK_EXAMPLE_H */
