/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * callgrind-runner: the runner's cost per decision with shares chosen on
 * the command line, for instruction counts under valgrind (not a timing).
 * Like bench_thread's thread.runner.tN.partial (threads whose start
 * function returns 1 under a budget of 256: one run per pick, the runner
 * charging by the TSC shifted right by 6), but with shares 1 + (i % 4) *
 * spread: spread 1 gives 1..4 (the runner's ring), spread 40 gives 1..121
 * (its heap). Build against a build tree and run:
 *
 *   cc -O2 devtools/callgrind-runner.c -o /tmp/cg-runner -Iinclude \
 *       -IBUILD/include $(pkg-config --cflags --libs libdpdk) \
 *       -LBUILD -lpathkit -Wl,-rpath,BUILD
 *   valgrind --tool=callgrind /tmp/cg-runner --no-huge --no-shconf \
 *       --no-pci -l 0 -m 256 --file-prefix=pk_cgr -- THREADS SPREAD
 *   callgrind_annotate --inclusive=yes callgrind.out.<pid>
 *
 * pk_runner_run's inclusive count / 2^21 is the cost per decision.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include <pathkit/pathkit.h>

static int
nothing(struct pk_thread *t, void *arg)
{
	(void)t;
	(void)arg;
	return 1;
}

static uint64_t
slow_tsc(void *arg)
{
	(void)arg;
	return rte_rdtsc() >> 6;
}

int
main(int argc, char **argv)
{
	struct pk_thread_conf tc = { .fn = nothing, .budget = 256 };
	struct pk_runner_stats rs;
	struct pk_thread **t;
	struct pk_runner *r;
	unsigned int n, spread, i;
	char name[32];
	int k;

	k = rte_eal_init(argc, argv);
	if (k < 0 || argc - k < 3)
		rte_exit(EXIT_FAILURE, "usage: EAL args -- THREADS SPREAD\n");
	n = (unsigned int)atoi(argv[k + 1]);
	spread = (unsigned int)atoi(argv[k + 2]);
	r = pk_runner_create("cgr", 0, SOCKET_ID_ANY);
	t = calloc(n, sizeof(*t));
	if (r == NULL || t == NULL || n == 0)
		rte_exit(EXIT_FAILURE, "runner: %s\n", rte_strerror(rte_errno));
	pk_runner_clock_set(r, slow_tsc, NULL);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "cgt%u", i);
		tc.name = name;
		tc.shares = 1 + (i % 4) * spread;
		t[i] = pk_thread_continuation_create(&tc, r);
		if (t[i] == NULL || pk_thread_start(t[i]) != 0)
			rte_exit(EXIT_FAILURE, "thread %u\n", i);
	}
	pk_runner_run(r, 1u << 21);
	pk_runner_stats_get(r, &rs);
	printf("threads %u shares 1..%u: %" PRIu64 " decisions\n", n,
	       1 + 3 * spread, rs.decisions);
	pk_runner_destroy(r);
	for (i = 0; i < n; i++)
		pk_thread_destroy(t[i]);
	free(t);
	rte_eal_cleanup();
	return 0;
}
