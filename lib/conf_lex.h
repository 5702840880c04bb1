/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CONF_LEX_H
#define PK_CONF_LEX_H

/*
 * The configuration language's tokens and the parser's pieces, shared by
 * conf_lex.c, conf_args.c, conf_parse.c and conf_key.c (the records they
 * fill: conf_pvt.h). Not installed.
 */

#include "conf_pvt.h"

/* ---- the lexer (conf_lex.c) ---- */

enum conf_tok {
	TK_EOF = 0,
	TK_NL,       /* end of line, or ';' */
	TK_WORD,     /* letters, digits, _ . - */
	TK_VALUE,    /* a value (conf_lex_value()), $ expanded */
	TK_STRING,   /* "..." */
	TK_DCOLON,   /* :: */
	TK_ARROW,    /* -> */
	TK_LARROW,   /* <- */
	TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_LBRACE, TK_RBRACE,
	TK_COMMA,
	TK_EQ,
	TK_BAD,      /* what: why (reported by the parser) */
};

struct conf_lex {
	struct pk_conf *c;
	uint32_t file;
	const char *p, *end, *bol;
	uint32_t line;
	enum conf_tok t;          /* the current token */
	struct conf_pos pos;      /* where it starts */
	char text[CONF_VALUE_MAX]; /* its text (word, value, string) */
	char why[160];            /* TK_BAD: what is wrong */
};

/* Start reading file number file; the first token is read. */
void conf_lex_init(struct conf_lex *l, struct pk_conf *c, uint32_t file);

/* Read the next token. */
void conf_lex_next(struct conf_lex *l);

/*
 * Read the next token as a value: a quoted string, or a run of characters
 * up to a blank, , ; # ( ) { } or -> <- (and [ ] unless addr: addresses
 * such as [fd00::1]:53 keep their brackets), $NAME and ${NAME} expanded.
 * Nothing there: the punctuation is read as usual.
 */
void conf_lex_value(struct conf_lex *l, bool addr);

/* Describe the current token for "found ..." ("'->'", "end of line"). */
const char *conf_tok_str(const struct conf_lex *l, char *buf, size_t size);

/* ---- conf_args.c: the parser's pieces ---- */

/* Is w a keyword (include define owner port runner path key portmap
 * reserve drops)? */
bool conf_keyword(const char *w);

/* Report "found <current token>, expected what". @return -EINVAL. */
int conf_expected(struct conf_lex *l, const char *what);

/* Skip ends of line (not ';'): where a statement may go on. */
void conf_skip_nl(struct conf_lex *l);

/* A name (stage, path, runner) at the current token into out, then past. */
int conf_parse_name(struct conf_lex *l, char *out, const char *what);

/* The next token as a value (TK_VALUE or TK_STRING), or an error. */
int conf_parse_value(struct conf_lex *l, const char *what, bool addr);

/* "[OUT]" or "[KEY=VALUE, ...]" at '[' into o->br, then past. */
int conf_parse_bracket(struct conf_lex *l, struct conf_occ *o);

/* Parse the argument list at l's '(' or after '[' up to close. */
int conf_parse_args(struct conf_lex *l, struct conf_args *a,
		    enum conf_tok close);

/* Parse "key D[OUT] PROTO LOCAL [<- REMOTE] [-> TARGET]" (l after "key"). */
int conf_parse_key(struct conf_lex *l);

/* "NAME :: KIND [(args)]" at '::', name read (conf_parse.c). */
int conf_parse_decl(struct conf_lex *l, const char *name,
		    const struct conf_pos *pos);

/* Parse "drops A [, B ...] -> SINK [:: KIND(...)]" (l at "drops"). */
int conf_parse_drops(struct conf_lex *l);

#endif /* PK_CONF_LEX_H */
