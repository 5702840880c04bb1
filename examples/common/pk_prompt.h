/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PROMPT_H
#define PK_PROMPT_H

/**
 * @file
 * The examples' interactive prompt (-i), on DPDK's cmdline library (the
 * one testpmd's prompt is made of: line editing, history, TAB completion
 * and '?' help on a terminal), compiled into pk-fwd and pk-run.
 *
 * Commands every example gets:
 *  - testpmd's most typed: start, stop (prints the forward statistics, as
 *    testpmd does), show port stats all, show fwd stats all, clear port
 *    stats all, quit (as Ctrl-D and the end of piped input);
 *  - PathKit's: show paths, show owners, show sched NAME, set weight SCHED
 *    QUEUE W, set share THREAD N, set rate SCHED RATE, set rate owner
 *    OWNER RATE, set policy SCHED POLICY [KEY=VALUE ...], add key D PROTO LOCAL [<- REMOTE] -> TARGET, del key ...,
 *    reserve MAP SPEC, release MAP SPEC; help. Each change is a pk_ctl.h
 *    call, the same the telemetry socket makes, and answers "ok" or
 *    "error: why".
 *
 * An example adds its own command in a few lines: its tokens (words at
 * w[0..4], the rest of the line in rest), an instance naming a handler,
 * and the instance in pk_prompt_app.cmds:
 * @code
 *   static int run_reload(const struct pk_prompt_res *r, FILE *f)
 *   { ... r->w[1] is the file ...; fprintf(f, "ok\n"); return 0; }
 *   static cmdline_parse_token_string_t reload_tok[] = {
 *           PK_PROMPT_WORD(0, "reload"), PK_PROMPT_WORD(1, NULL) };
 *   static cmdline_parse_inst_t reload_cmd = PK_PROMPT_CMD(run_reload,
 *           "reload <file>: build FILE and swap it in",
 *           PK_PROMPT_TOK(reload_tok, 0), PK_PROMPT_TOK(reload_tok, 1));
 * @endcode
 *
 * Input that is not a terminal (commands piped in) is read as typed; the
 * prompt and each command are echoed as cmdline echoes them, and every
 * answer is flushed before the next command is read. SIGINT or SIGTERM
 * (pk_example_quit) end the prompt as quit does.
 *
 * Threads: the main thread. Start and stop run under pk_ctl_lock(), so
 * that a telemetry change never meets them half done.
 */

#include <stdio.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

/** Words a command's tokens may fill (w[0..4]). */
#define PK_PROMPT_WORDS 5

/** What a command's tokens are parsed into. */
struct pk_prompt_res {
	cmdline_fixed_string_t w[PK_PROMPT_WORDS]; /**< words, in order */
	cmdline_multi_string_t rest;               /**< the rest of the line */
};

/**
 * A command's handler: print its answer on f.
 * @return 0, or 1 to end the prompt (quit).
 */
typedef int (*pk_prompt_fn)(const struct pk_prompt_res *r, FILE *f);

/** Token: word i, the literal word (or any word, for NULL). */
#define PK_PROMPT_WORD(i, word)                                                \
	TOKEN_STRING_INITIALIZER(struct pk_prompt_res, w[i], word)

/** Token: the rest of the line, spaces included. */
#define PK_PROMPT_REST                                                         \
	TOKEN_STRING_INITIALIZER(struct pk_prompt_res, rest, TOKEN_STRING_MULTI)

/** Token i of an array of tokens, as an instance lists it. */
#define PK_PROMPT_TOK(a, i) ((void *)&(a)[i])

/** Calls a pk_prompt_fn (the instance's data). */
void pk_prompt_call(void *res, struct cmdline *cl, void *data);

/** An instance: handler fn, help text, then pointers to its tokens. */
#define PK_PROMPT_CMD(fn, help, ...)                                           \
	{ .f = pk_prompt_call, .data = (void *)(fn), .help_str = (help),       \
	  .tokens = { __VA_ARGS__, NULL } }

/** What the example does for the prompt's testpmd commands. */
struct pk_prompt_app {
	const char *prompt;      /**< "pk-run> " */
	/** start: forwarding on. @return 0 or a negative errno */
	int (*start)(void);
	/** stop: forwarding off. @return 0 or a negative errno */
	int (*stop)(void);
	/** show fwd stats all (and after stop) */
	void (*fwd_stats)(FILE *f);
	/** show port stats all; NULL: testpmd's NIC statistics blocks */
	void (*port_stats)(FILE *f);
	/** the example's own commands, NULL-terminated (or NULL) */
	cmdline_parse_inst_t *const *cmds;
};

/**
 * Read and run commands until quit, Ctrl-D, the end of input or
 * pk_example_quit.
 * @return 0, or -ENOMEM (no prompt could be made).
 */
int pk_prompt_run(const struct pk_prompt_app *app);

#endif /* PK_PROMPT_H */
