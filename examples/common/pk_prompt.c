/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The examples' prompt (pk_prompt.h): DPDK's cmdline reads and completes
 * the commands; each handler is a few lines over pk_ctl.h (the changes
 * telemetry makes too) or the example's callbacks. Input is read by this
 * loop rather than cmdline_interact(), so that a signal ends the prompt
 * between two characters instead of waiting for the next line.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmdline_socket.h>
#include <rte_ethdev.h>

#include <pathkit/pk_ctl.h>

#include "pk_example.h"
#include "pk_prompt.h"

static const struct pk_prompt_app *prompt_app;
static cmdline_parse_ctx_t *prompt_ctx;

void
pk_prompt_call(void *res, struct cmdline *cl, void *data)
{
	pk_prompt_fn fn = (pk_prompt_fn)data;

	if (fn(res, stdout) == 1)
		cmdline_quit(cl);
	fflush(stdout); /* before cmdline writes the next prompt */
}

/* "ok", or "error: why" (a change refused changes nothing). */
static int
prompt_answer(FILE *f, int rc, const char *err)
{
	if (rc == 0)
		fprintf(f, "ok\n");
	else
		fprintf(f, "error: %s\n", err[0] != '\0' ? err : strerror(-rc));
	return 0;
}

/* --- testpmd's */

static int
prompt_start(const struct pk_prompt_res *r, FILE *f)
{
	int rc = -ENOTSUP;

	(void)r;
	pk_ctl_lock();
	if (prompt_app->start != NULL)
		rc = prompt_app->start();
	pk_ctl_unlock();
	return prompt_answer(f, rc, "");
}

static int
prompt_stop(const struct pk_prompt_res *r, FILE *f)
{
	int rc = -ENOTSUP;

	(void)r;
	fprintf(f, "Telling cores to stop...\nWaiting for lcores to finish...\n");
	pk_ctl_lock();
	if (prompt_app->stop != NULL)
		rc = prompt_app->stop();
	pk_ctl_unlock();
	if (rc == 0 && prompt_app->fwd_stats != NULL)
		prompt_app->fwd_stats(f);
	return prompt_answer(f, rc, "");
}

/* testpmd's NIC statistics blocks, for an example that has none. */
static void
prompt_port_stats(FILE *f)
{
	static const char b[] = "########################";
	struct rte_eth_stats st;
	uint16_t p;

	RTE_ETH_FOREACH_DEV(p) {
		memset(&st, 0, sizeof(st));
		rte_eth_stats_get(p, &st);
		fprintf(f, "\n  %s NIC statistics for port %-2d %s\n", b, p, b);
		fprintf(f, "  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64
			" RX-bytes:  %-" PRIu64 "\n", st.ipackets, st.imissed,
			st.ibytes);
		fprintf(f, "  RX-errors: %-" PRIu64 "\n", st.ierrors);
		fprintf(f, "  RX-nombuf:  %-10" PRIu64 "\n", st.rx_nombuf);
		fprintf(f, "  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64
			" TX-bytes:  %-" PRIu64 "\n", st.opackets, st.oerrors,
			st.obytes);
		fprintf(f, "  %s%s%s#####\n", b, b, b);
	}
}

static int
prompt_show_port(const struct pk_prompt_res *r, FILE *f)
{
	(void)r;
	(prompt_app->port_stats != NULL ? prompt_app->port_stats :
					  prompt_port_stats)(f);
	return 0;
}

static int
prompt_show_fwd(const struct pk_prompt_res *r, FILE *f)
{
	(void)r;
	if (prompt_app->fwd_stats != NULL)
		prompt_app->fwd_stats(f);
	return 0;
}

static int
prompt_clear_port(const struct pk_prompt_res *r, FILE *f)
{
	uint16_t p;

	(void)r;
	RTE_ETH_FOREACH_DEV(p) {
		rte_eth_stats_reset(p);
		fprintf(f, "\n  NIC statistics for port %d cleared\n", p);
	}
	return 0;
}

static int
prompt_quit(const struct pk_prompt_res *r, FILE *f)
{
	(void)r;
	(void)f;
	return 1;
}

static int
prompt_help(const struct pk_prompt_res *r, FILE *f)
{
	unsigned int i;

	(void)r;
	for (i = 0; prompt_ctx[i] != NULL; i++)
		fprintf(f, "  %s\n", prompt_ctx[i]->help_str);
	return 0;
}

/* --- PathKit's */

static int
prompt_show_paths(const struct pk_prompt_res *r, FILE *f)
{
	(void)r;
	pk_ctl_show_paths(f);
	return 0;
}

static int
prompt_show_owners(const struct pk_prompt_res *r, FILE *f)
{
	(void)r;
	pk_ctl_show_owners(f);
	return 0;
}

static int
prompt_show_sched(const struct pk_prompt_res *r, FILE *f)
{
	char err[PK_CTL_ERR_MAX] = "";
	int rc = pk_ctl_show_sched(r->w[2], f, err, sizeof(err));

	return rc != 0 ? prompt_answer(f, rc, err) : 0;
}

static int
prompt_set_weight(const struct pk_prompt_res *r, FILE *f)
{
	char err[PK_CTL_ERR_MAX] = "";

	return prompt_answer(f, pk_ctl_sched_param(r->w[2], r->w[3], r->w[4],
						   err, sizeof(err)), err);
}

static int
prompt_set_share(const struct pk_prompt_res *r, FILE *f)
{
	char err[PK_CTL_ERR_MAX] = "";

	return prompt_answer(f, pk_ctl_thread_shares(r->w[2], r->w[3], err,
						     sizeof(err)), err);
}

static int
prompt_set_rate(const struct pk_prompt_res *r, FILE *f)
{
	char err[PK_CTL_ERR_MAX] = "";

	return prompt_answer(f, pk_ctl_sched_rate(r->w[2], r->w[3], err,
						  sizeof(err)), err);
}

static int
prompt_set_owner_rate(const struct pk_prompt_res *r, FILE *f)
{
	char err[PK_CTL_ERR_MAX] = "";

	return prompt_answer(f, pk_ctl_owner_rate(r->w[3], r->w[4], err,
						  sizeof(err)), err);
}

/* set policy <sched> <policy> [KEY=VALUE ...]: the rest split here. */
static int
prompt_set_policy(const struct pk_prompt_res *r, FILE *f)
{
	char err[PK_CTL_ERR_MAX] = "", line[sizeof(r->rest)], *save = NULL;
	const char *sched, *policy, *args;

	memcpy(line, r->rest, sizeof(line));
	line[sizeof(line) - 1] = '\0';
	sched = strtok_r(line, " ", &save);
	policy = strtok_r(NULL, " ", &save);
	args = strtok_r(NULL, "", &save);
	if (sched == NULL || policy == NULL)
		return prompt_answer(f, -EINVAL, "expected set policy <sched> "
				     "<policy> [KEY=VALUE ...]");
	return prompt_answer(f, pk_ctl_sched_policy(sched, policy, args, err,
						    sizeof(err)), err);
}

static int
prompt_add_key(const struct pk_prompt_res *r, FILE *f)
{
	char err[PK_CTL_ERR_MAX] = "";

	return prompt_answer(f, pk_ctl_key_add(r->rest, err, sizeof(err)),
			     err);
}

static int
prompt_del_key(const struct pk_prompt_res *r, FILE *f)
{
	char err[PK_CTL_ERR_MAX] = "";

	return prompt_answer(f, pk_ctl_key_del(r->rest, err, sizeof(err)),
			     err);
}

static int
prompt_reserve(const struct pk_prompt_res *r, FILE *f)
{
	char err[PK_CTL_ERR_MAX] = "";
	bool resv = strcmp(r->w[0], "reserve") == 0;

	return prompt_answer(f, resv ? pk_ctl_reserve(r->w[1], r->w[2], err,
						       sizeof(err)) :
				       pk_ctl_release(r->w[1], r->w[2], err,
						      sizeof(err)), err);
}

/* Tokens: fixed words, any word (NULL), the rest of the line. */
#define W(i, s) PK_PROMPT_WORD(i, s)
static cmdline_parse_token_string_t t_start[] = { W(0, "start") };
static cmdline_parse_token_string_t t_stop[] = { W(0, "stop") };
static cmdline_parse_token_string_t t_quit[] = { W(0, "quit") };
static cmdline_parse_token_string_t t_help[] = { W(0, "help") };
static cmdline_parse_token_string_t t_show_port[] = {
	W(0, "show"), W(1, "port"), W(2, "stats"), W(3, "all") };
static cmdline_parse_token_string_t t_show_fwd[] = {
	W(0, "show"), W(1, "fwd"), W(2, "stats"), W(3, "all") };
static cmdline_parse_token_string_t t_clear_port[] = {
	W(0, "clear"), W(1, "port"), W(2, "stats"), W(3, "all") };
static cmdline_parse_token_string_t t_show_paths[] = {
	W(0, "show"), W(1, "paths") };
static cmdline_parse_token_string_t t_show_owners[] = {
	W(0, "show"), W(1, "owners") };
static cmdline_parse_token_string_t t_show_sched[] = {
	W(0, "show"), W(1, "sched"), W(2, NULL) };
static cmdline_parse_token_string_t t_set_weight[] = {
	W(0, "set"), W(1, "weight"), W(2, NULL), W(3, NULL), W(4, NULL) };
static cmdline_parse_token_string_t t_set_share[] = {
	W(0, "set"), W(1, "share"), W(2, NULL), W(3, NULL) };
static cmdline_parse_token_string_t t_set_orate[] = {
	W(0, "set"), W(1, "rate"), W(2, "owner"), W(3, NULL), W(4, NULL) };
static cmdline_parse_token_string_t t_set_rate[] = {
	W(0, "set"), W(1, "rate"), W(2, NULL), W(3, NULL) };
static cmdline_parse_token_string_t t_set_policy[] = {
	W(0, "set"), W(1, "policy"), PK_PROMPT_REST };
static cmdline_parse_token_string_t t_add_key[] = {
	W(0, "add"), W(1, "key"), PK_PROMPT_REST };
static cmdline_parse_token_string_t t_del_key[] = {
	W(0, "del"), W(1, "key"), PK_PROMPT_REST };
static cmdline_parse_token_string_t t_reserve[] = {
	W(0, "reserve#release"), W(1, NULL), W(2, NULL) };
#undef W

#define T(a, i) PK_PROMPT_TOK(a, i)
static cmdline_parse_inst_t c_start = PK_PROMPT_CMD(
	prompt_start, "start: start forwarding", T(t_start, 0));
static cmdline_parse_inst_t c_stop = PK_PROMPT_CMD(
	prompt_stop, "stop: stop forwarding, print its "
	"statistics", T(t_stop, 0));
static cmdline_parse_inst_t c_show_port = PK_PROMPT_CMD(
	prompt_show_port, "show port stats all: every port's "
	"counters", T(t_show_port, 0), T(t_show_port, 1),
	T(t_show_port, 2), T(t_show_port, 3));
static cmdline_parse_inst_t c_show_fwd = PK_PROMPT_CMD(
	prompt_show_fwd, "show fwd stats all: the forwarding "
	"statistics", T(t_show_fwd, 0), T(t_show_fwd, 1),
	T(t_show_fwd, 2), T(t_show_fwd, 3));
static cmdline_parse_inst_t c_clear_port = PK_PROMPT_CMD(
	prompt_clear_port, "clear port stats all: reset every "
	"port's counters", T(t_clear_port, 0), T(t_clear_port, 1),
	T(t_clear_port, 2), T(t_clear_port, 3));
static cmdline_parse_inst_t c_show_paths = PK_PROMPT_CMD(
	prompt_show_paths, "show paths: every path, its owner, "
	"members and counters", T(t_show_paths, 0),
	T(t_show_paths, 1));
static cmdline_parse_inst_t c_show_owners = PK_PROMPT_CMD(
	prompt_show_owners, "show owners: every owner's "
	"account", T(t_show_owners, 0), T(t_show_owners, 1));
static cmdline_parse_inst_t c_show_sched = PK_PROMPT_CMD(
	prompt_show_sched, "show sched <name>: a scheduler and "
	"its queues", T(t_show_sched, 0), T(t_show_sched, 1),
	T(t_show_sched, 2));
static cmdline_parse_inst_t c_set_weight = PK_PROMPT_CMD(
	prompt_set_weight, "set weight <sched> <queue> <w>: a "
	"queue's weight (quantum, priority)", T(t_set_weight, 0),
	T(t_set_weight, 1), T(t_set_weight, 2),
	T(t_set_weight, 3), T(t_set_weight, 4));
static cmdline_parse_inst_t c_set_share = PK_PROMPT_CMD(
	prompt_set_share, "set share <thread> <n>: a thread's "
	"shares", T(t_set_share, 0), T(t_set_share, 1),
	T(t_set_share, 2), T(t_set_share, 3));
static cmdline_parse_inst_t c_set_owner_rate = PK_PROMPT_CMD(
	prompt_set_owner_rate, "set rate owner <owner> <rate>: "
	"the rate of its own scheduler", T(t_set_orate, 0),
	T(t_set_orate, 1), T(t_set_orate, 2), T(t_set_orate, 3),
	T(t_set_orate, 4));
static cmdline_parse_inst_t c_set_rate = PK_PROMPT_CMD(
	prompt_set_rate, "set rate <sched> <rate>: a "
	"scheduler's rate (10M, 1G; 0: unshaped)",
	T(t_set_rate, 0), T(t_set_rate, 1), T(t_set_rate, 2),
	T(t_set_rate, 3));
static cmdline_parse_inst_t c_set_policy = PK_PROMPT_CMD(
	prompt_set_policy, "set policy <sched> <policy> [k=v ...]: "
	"switch its policy, backlog kept", T(t_set_policy, 0),
	T(t_set_policy, 1), T(t_set_policy, 2));
static cmdline_parse_inst_t c_add_key = PK_PROMPT_CMD(
	prompt_add_key, "add key <demux> <proto> <local> [<- "
	"<remote>] -> <target>", T(t_add_key, 0),
	T(t_add_key, 1), T(t_add_key, 2));
static cmdline_parse_inst_t c_del_key = PK_PROMPT_CMD(
	prompt_del_key, "del key <demux> <proto> <local> [<- "
	"<remote>]", T(t_del_key, 0), T(t_del_key, 1),
	T(t_del_key, 2));
static cmdline_parse_inst_t c_reserve = PK_PROMPT_CMD(
	prompt_reserve, "reserve|release <portmap> "
	"<owner>:<udp|tcp>:<lo>[-<hi>][@<addr>]",
	T(t_reserve, 0), T(t_reserve, 1), T(t_reserve, 2));
static cmdline_parse_inst_t c_help = PK_PROMPT_CMD(
	prompt_help, "help: these lines", T(t_help, 0));
static cmdline_parse_inst_t c_quit = PK_PROMPT_CMD(
	prompt_quit, "quit: stop and exit (or Ctrl-D)",
	T(t_quit, 0));
#undef T

static cmdline_parse_inst_t *const prompt_cmds[] = {
	&c_start, &c_stop, &c_show_port,
	&c_show_fwd, &c_clear_port, &c_show_paths,
	&c_show_owners, &c_show_sched, &c_set_weight,
	&c_set_share, &c_set_owner_rate, &c_set_rate, &c_set_policy,
	&c_add_key, &c_del_key, &c_reserve,
	&c_help, &c_quit,
};

/* The example's commands first: they may take a word of ours over. */
static cmdline_parse_ctx_t *
prompt_ctx_make(const struct pk_prompt_app *app)
{
	unsigned int n = 0, i, k = 0;
	cmdline_parse_ctx_t *ctx;

	while (app->cmds != NULL && app->cmds[n] != NULL)
		n++;
	ctx = calloc(n + RTE_DIM(prompt_cmds) + 1, sizeof(*ctx));
	if (ctx == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		ctx[k++] = app->cmds[i];
	for (i = 0; i < RTE_DIM(prompt_cmds); i++)
		ctx[k++] = prompt_cmds[i];
	return ctx;
}

int
pk_prompt_run(const struct pk_prompt_app *app)
{
	bool tty = isatty(STDIN_FILENO);
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	struct cmdline *cl;
	char buf[256];
	ssize_t n;
	int rc;

	prompt_app = app;
	prompt_ctx = prompt_ctx_make(app);
	if (prompt_ctx == NULL)
		return -ENOMEM;
	fflush(stdout);
	/* a terminal is put in raw mode (and restored); a pipe is left be */
	cl = tty ? cmdline_stdin_new(prompt_ctx, app->prompt) :
		   cmdline_new(prompt_ctx, app->prompt, STDIN_FILENO,
			       STDOUT_FILENO);
	if (cl == NULL) {
		free(prompt_ctx);
		return -ENOMEM;
	}
	while (!pk_example_quit) {
		rc = poll(&pfd, 1, 100);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0 || cmdline_in(cl, buf, (int)n) < 0)
			break; /* the end of input, Ctrl-D or quit */
	}
	printf("\n");
	if (tty)
		cmdline_stdin_exit(cl);
	else
		cmdline_free(cl);
	free(prompt_ctx);
	prompt_ctx = NULL;
	return 0;
}
