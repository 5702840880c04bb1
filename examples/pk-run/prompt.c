/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-run -i: the prompt's start, stop and statistics are the
 * configuration's; its own commands reload the file (as SIGHUP and
 * /pathkit/reload do) and switch a capture on an edge of the running graph
 * (as /pathkit/capture does):
 *
 *   reload <file>
 *   capture on <from> <file>         the edge from pushes over (its next)
 *   capture on <from> <to> <file>    an edge to pulls over (to's prev)
 *   capture on <d> <to> <file>       a demux d's output to (a key's target)
 *   capture on <q> <s> <file>        a scheduler s's input q
 *   capture off <from> [<to>]
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_run.h"

struct pk_conf *run_c;

static int
run_start(void)
{
	return pk_conf_start(run_c);
}

static int
run_stop(void)
{
	return pk_conf_stop(run_c);
}

static void
run_stats(FILE *f)
{
	pk_conf_stats_print(run_c, f);
}

static int
cmd_reload(const struct pk_prompt_res *r, FILE *f)
{
	struct pk_conf_reload_stats st;
	char why[256];

	if (run_reload(run_c, r->w[1], why, sizeof(why), &st) != 0)
		fprintf(f, "error: %s\n", why);
	else
		fprintf(f, "ok: moved %" PRIu64 ", dropped %" PRIu64
			", pause %" PRIu64 " us\n", st.moved,
			st.dropped_gone + st.dropped_full, st.pause_ns / 1000);
	return 0;
}

/* capture on FROM [TO] FILE: the words after "on", 2 or 3 of them. */
static int
cmd_capture_on(const struct pk_prompt_res *r, FILE *f)
{
	char rest[sizeof(r->rest)], *w[4], *save = NULL;
	struct pk_capture_conf cc = { 0 };
	unsigned int n = 0;
	int rc;

	snprintf(rest, sizeof(rest), "%s", r->rest);
	for (char *t = strtok_r(rest, " \t", &save); t != NULL && n < 4;
	     t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	if (n != 2 && n != 3) {
		fprintf(f, "error: capture on <from> [<to>] <file>\n");
		return 0;
	}
	cc.file = w[n - 1];
	pk_ctl_lock();
	rc = pk_capture_edge_on(w[0], n == 3 ? w[1] : NULL, &cc);
	pk_ctl_unlock();
	if (rc != 0)
		fprintf(f, "error: %s\n", rte_strerror(-rc));
	else
		fprintf(f, "ok\n");
	return 0;
}

static int
capture_off(const char *from, const char *to, FILE *f)
{
	struct pk_capture_stats st;
	int rc;

	pk_ctl_lock();
	rc = pk_capture_edge_off_to(from, to, &st);
	pk_ctl_unlock();
	if (rc != 0)
		fprintf(f, "error: %s\n", rte_strerror(-rc));
	else
		fprintf(f, "ok: captured %" PRIu64 ", lost %" PRIu64
			", written %" PRIu64 "\n", st.captured,
			st.capture_lost, st.written);
	return 0;
}

static int
cmd_capture_off(const struct pk_prompt_res *r, FILE *f)
{
	return capture_off(r->w[2], NULL, f);
}

static int
cmd_capture_off_to(const struct pk_prompt_res *r, FILE *f)
{
	return capture_off(r->w[2], r->w[3], f);
}

static cmdline_parse_token_string_t reload_tok[] = {
	PK_PROMPT_WORD(0, "reload"), PK_PROMPT_WORD(1, NULL),
};
static cmdline_parse_inst_t reload_cmd = PK_PROMPT_CMD(cmd_reload,
	"reload <file>: build FILE beside the running graph and switch to it",
	PK_PROMPT_TOK(reload_tok, 0), PK_PROMPT_TOK(reload_tok, 1));

static cmdline_parse_token_string_t cap_on_tok[] = {
	PK_PROMPT_WORD(0, "capture"), PK_PROMPT_WORD(1, "on"), PK_PROMPT_REST,
};
static cmdline_parse_inst_t cap_on_cmd = PK_PROMPT_CMD(cmd_capture_on,
	"capture on <from> [<to>] <file>: pcapng of the edge from -> to",
	PK_PROMPT_TOK(cap_on_tok, 0), PK_PROMPT_TOK(cap_on_tok, 1),
	PK_PROMPT_TOK(cap_on_tok, 2));

static cmdline_parse_token_string_t cap_off_tok[] = {
	PK_PROMPT_WORD(0, "capture"), PK_PROMPT_WORD(1, "off"),
	PK_PROMPT_WORD(2, NULL),
};
static cmdline_parse_inst_t cap_off_cmd = PK_PROMPT_CMD(cmd_capture_off,
	"capture off <from>: close the capture on the edge leaving from",
	PK_PROMPT_TOK(cap_off_tok, 0), PK_PROMPT_TOK(cap_off_tok, 1),
	PK_PROMPT_TOK(cap_off_tok, 2));

static cmdline_parse_token_string_t cap_off_to_tok[] = {
	PK_PROMPT_WORD(0, "capture"), PK_PROMPT_WORD(1, "off"),
	PK_PROMPT_WORD(2, NULL), PK_PROMPT_WORD(3, NULL),
};
static cmdline_parse_inst_t cap_off_to_cmd = PK_PROMPT_CMD(cmd_capture_off_to,
	"capture off <from> <to>: close the capture on the edge from -> to",
	PK_PROMPT_TOK(cap_off_to_tok, 0), PK_PROMPT_TOK(cap_off_to_tok, 1),
	PK_PROMPT_TOK(cap_off_to_tok, 2), PK_PROMPT_TOK(cap_off_to_tok, 3));

static cmdline_parse_inst_t *const run_cmds[] = {
	&reload_cmd, &cap_on_cmd, &cap_off_cmd, &cap_off_to_cmd, NULL,
};

const struct pk_prompt_app run_prompt_app = {
	.prompt = "pk-run> ", .start = run_start, .stop = run_stop,
	.fwd_stats = run_stats, .cmds = run_cmds,
};
