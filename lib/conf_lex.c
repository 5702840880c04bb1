/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration language's lexer: a file's bytes into tokens, each with
 * its line and column (columns count bytes, from 1). The parser asks for
 * the next token in one of two modes, since a value (a MAC address, an
 * IPv6 literal, a device name) is not made of the same characters as a
 * name: conf_lex_next() reads names and punctuation, conf_lex_value() a
 * value, with its $variables expanded. A token the lexer cannot make
 * sense of is TK_BAD with the reason; the parser reports it, so that a
 * statement skipped after an error reports nothing more.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pk_parse.h>

#include "conf_lex.h"

void
conf_lex_init(struct conf_lex *l, struct pk_conf *c, uint32_t file)
{
	memset(l, 0, sizeof(*l));
	l->c = c;
	l->file = file;
	l->p = c->files.v[file].text;
	l->end = l->p + c->files.v[file].len;
	l->bol = l->p;
	l->line = 1;
	conf_lex_next(l);
}

static void
lex_blank(struct conf_lex *l)
{
	while (l->p < l->end) {
		if (*l->p == ' ' || *l->p == '\t' || *l->p == '\r')
			l->p++;
		else if (*l->p == '#')
			while (l->p < l->end && *l->p != '\n')
				l->p++;
		else
			break;
	}
	l->pos.file = l->file;
	l->pos.line = l->line;
	l->pos.col = (uint32_t)(l->p - l->bol) + 1;
}

static bool
lex_word_char(const char *p, const char *end)
{
	if (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
		return true;
	return *p == '-' && (p + 1 >= end || p[1] != '>');
}

static void
lex_bad(struct conf_lex *l, const char *why)
{
	l->t = TK_BAD;
	snprintf(l->why, sizeof(l->why), "%s", why);
}

/* A byte nobody wrote on purpose, as the message shows it. */
static void
lex_bad_byte(struct conf_lex *l, unsigned char ch)
{
	l->t = TK_BAD;
	if (ch > 0x20 && ch < 0x7f)
		snprintf(l->why, sizeof(l->why), "'%c'", ch);
	else
		snprintf(l->why, sizeof(l->why), "byte 0x%02x", ch);
	l->p++;
}

/* "...": \" and \\ are the only escapes; no newline inside. */
static void
lex_string(struct conf_lex *l)
{
	size_t n = 0;

	l->p++;
	for (;;) {
		if (l->p >= l->end || *l->p == '\n')
			return lex_bad(l, "a string with no closing '\"'");
		if (*l->p == '"')
			break;
		if (*l->p == '\\' && l->p + 1 < l->end &&
		    (l->p[1] == '"' || l->p[1] == '\\'))
			l->p++;
		if ((unsigned char)*l->p < 0x20 || *l->p == 0x7f)
			return lex_bad_byte(l, (unsigned char)*l->p);
		if (n + 1 >= sizeof(l->text))
			return lex_bad(l, "a string longer than 255 bytes");
		l->text[n++] = *l->p++;
	}
	l->p++;
	l->text[n] = '\0';
	l->t = TK_STRING;
}

static void
lex_word(struct conf_lex *l)
{
	size_t n = 0;

	while (l->p < l->end && lex_word_char(l->p, l->end)) {
		if (n + 1 >= sizeof(l->text))
			return lex_bad(l, "a word longer than 255 bytes");
		l->text[n++] = *l->p++;
	}
	l->text[n] = '\0';
	l->t = TK_WORD;
}

static const struct {
	char ch;
	enum conf_tok t;
} lex_single[] = {
	{ '(', TK_LPAREN }, { ')', TK_RPAREN }, { '[', TK_LBRACK },
	{ ']', TK_RBRACK }, { '{', TK_LBRACE }, { '}', TK_RBRACE },
	{ ',', TK_COMMA }, { '=', TK_EQ }, { ';', TK_NL },
};

void
conf_lex_next(struct conf_lex *l)
{
	const char *p;
	unsigned int i;

	lex_blank(l);
	l->text[0] = '\0';
	if (l->p >= l->end) {
		l->t = TK_EOF;
		return;
	}
	p = l->p;
	if (*p == '\n') {
		l->p++;
		l->line++;
		l->bol = l->p;
		l->t = TK_NL;
		return;
	}
	for (i = 0; i < RTE_DIM(lex_single); i++)
		if (*p == lex_single[i].ch) {
			l->p++;
			l->t = lex_single[i].t;
			l->text[0] = *p;
			l->text[1] = '\0';
			return;
		}
	if (p + 1 < l->end && ((p[0] == ':' && p[1] == ':') ||
			       (p[0] == '-' && p[1] == '>') ||
			       (p[0] == '<' && p[1] == '-'))) {
		l->t = p[0] == ':' ? TK_DCOLON : p[0] == '-' ? TK_ARROW :
		       TK_LARROW;
		l->p += 2;
		return;
	}
	if (*p == '"')
		return lex_string(l);
	if (lex_word_char(p, l->end))
		return lex_word(l);
	lex_bad_byte(l, (unsigned char)*p);
}

/* Where a value stops. */
static bool
lex_value_stop(const char *p, const char *end, bool addr)
{
	if (strchr(" \t\r\n#;,(){}=", *p) != NULL ||
	    (!addr && (*p == '[' || *p == ']')))
		return true;
	return p + 1 < end && ((p[0] == '-' && p[1] == '>') ||
			       (p[0] == '<' && p[1] == '-'));
}

/* $NAME or ${NAME} at l->p: append its value to text at *n. */
static int
lex_expand(struct conf_lex *l, size_t *n)
{
	const char **cands;
	const struct conf_define *d;
	char name[CONF_VALUE_MAX];
	bool brace = l->p + 1 < l->end && l->p[1] == '{';
	const char *near;
	size_t k = 0, len;
	unsigned int i;

	l->pos.col = (uint32_t)(l->p - l->bol) + 1; /* errors point at '$' */
	l->p += brace ? 2 : 1;
	while (l->p < l->end && (isalnum((unsigned char)*l->p) ||
				 *l->p == '_') && k + 1 < sizeof(name))
		name[k++] = *l->p++;
	name[k] = '\0';
	if (k == 0 || (brace && (l->p >= l->end || *l->p++ != '}'))) {
		lex_bad(l, brace ? "'${' without NAME}" :
				   "'$' without a variable name");
		return -EINVAL;
	}
	d = conf_define_find(l->c, name);
	if (d == NULL) {
		cands = calloc(l->c->defines.n + 1, sizeof(*cands));
		for (i = 0; cands != NULL && i < l->c->defines.n; i++)
			cands[i] = l->c->defines.v[i].name;
		near = cands != NULL ? conf_nearest(name, cands, i) : NULL;
		snprintf(l->why, sizeof(l->why), "$%s, which is not defined%s%s%s",
			 name, near != NULL ? " (did you mean $" : "",
			 near != NULL ? near : "", near != NULL ? "?)" : "");
		free(cands);
		l->t = TK_BAD;
		return -EINVAL;
	}
	len = strlen(d->val);
	if (*n + len + 1 > sizeof(l->text)) {
		lex_bad(l, "a value longer than 255 bytes once expanded");
		return -EINVAL;
	}
	memcpy(&l->text[*n], d->val, len);
	*n += len;
	return 0;
}

void
conf_lex_value(struct conf_lex *l, bool addr)
{
	size_t n = 0;

	lex_blank(l);
	if (l->p >= l->end || lex_value_stop(l->p, l->end, addr))
		return conf_lex_next(l);
	if (*l->p == '"')
		return lex_string(l);
	while (l->p < l->end && !lex_value_stop(l->p, l->end, addr)) {
		if (*l->p == '$') {
			if (lex_expand(l, &n) != 0)
				return;
			continue;
		}
		if ((unsigned char)*l->p < 0x20 || (unsigned char)*l->p >= 0x7f)
			return lex_bad_byte(l, (unsigned char)*l->p);
		if (n + 1 >= sizeof(l->text))
			return lex_bad(l, "a value longer than 255 bytes");
		l->text[n++] = *l->p++;
	}
	l->text[n] = '\0';
	l->t = TK_VALUE;
}

const char *
conf_tok_str(const struct conf_lex *l, char *buf, size_t size)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4];

	switch (l->t) {
	case TK_EOF:
		return "end of file";
	case TK_NL:
		return l->text[0] == ';' ? "';'" : "end of line";
	case TK_WORD:
	case TK_VALUE:
		snprintf(buf, size, "'%s'", conf_quote(l->text, q, sizeof(q)));
		return buf;
	case TK_STRING:
		snprintf(buf, size, "string \"%s\"",
			 conf_quote(l->text, q, sizeof(q)));
		return buf;
	case TK_DCOLON:
		return "'::'";
	case TK_ARROW:
		return "'->'";
	case TK_LARROW:
		return "'<-'";
	case TK_BAD:
		return l->why;
	default:
		snprintf(buf, size, "'%s'", l->text);
		return buf;
	}
}
