/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parser's small pieces (conf_pvt.h), shared by conf_parse.c and
 * conf_key.c: "found X, expected Y" at the current token, names, values,
 * argument lists and the brackets after a stage in a chain; and reading
 * arguments once parsed (conf_check.c, conf_build.c).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pk_parse.h>

#include "conf_lex.h"

static const char *const conf_keywords[] = {
	"include", "define", "owner", "port", "runner", "path", "key",
	"portmap", "reserve", "drops", NULL,
};

bool
conf_keyword(const char *w)
{
	unsigned int i;

	for (i = 0; conf_keywords[i] != NULL; i++)
		if (strcmp(w, conf_keywords[i]) == 0)
			return true;
	return false;
}

/* "found X, expected what" at the current token. */
int
conf_expected(struct conf_lex *l, const char *what)
{
	char b[4 * PK_PARSE_QUOTE_MAX + 32];

	return conf_err(l->c, &l->pos, "found %s, expected %s",
			conf_tok_str(l, b, sizeof(b)), what);
}

void
conf_skip_nl(struct conf_lex *l)
{
	while (l->t == TK_NL && l->text[0] != ';')
		conf_lex_next(l);
}

/* A name at the current token (then read past): stage, path, runner. */
int
conf_parse_name(struct conf_lex *l, char *out, const char *what)
{
	char msg[96];

	if (l->t != TK_WORD)
		return conf_expected(l, what);
	if (!isalpha((unsigned char)l->text[0]) && l->text[0] != '_') {
		snprintf(msg, sizeof(msg), "%s (a letter or _ first)", what);
		return conf_expected(l, msg);
	}
	if (strlen(l->text) >= CONF_NAME_MAX) {
		snprintf(msg, sizeof(msg), "%s of at most %d characters", what,
			 CONF_NAME_MAX - 1);
		return conf_expected(l, msg);
	}
	if (conf_keyword(l->text))
		return conf_err(l->c, &l->pos, "found keyword '%s', expected %s",
				l->text, what);
	strcpy(out, l->text);
	conf_lex_next(l);
	return 0;
}

/* A value after the current token (which the value replaces). */
int
conf_parse_value(struct conf_lex *l, const char *what, bool addr)
{
	conf_lex_value(l, addr);
	if (l->t != TK_VALUE && l->t != TK_STRING)
		return conf_expected(l, what);
	return 0;
}

/* The rest of an argument, its key read: "= VALUE". Then past it. */
static int
conf_parse_arg_rest(struct conf_lex *l, struct conf_args *a, const char *key,
		    const struct conf_pos *kpos)
{
	char what[CONF_VALUE_MAX + 32], where[64];
	struct conf_arg *arg;
	unsigned int i;

	if (l->t != TK_EQ) {
		snprintf(what, sizeof(what), "'=' after %s", key);
		return conf_expected(l, what);
	}
	snprintf(what, sizeof(what), "a value for %s", key);
	if (conf_parse_value(l, what, false) != 0)
		return -EINVAL;
	if (l->t == TK_STRING && strpbrk(l->text, ",=[]") != NULL)
		return conf_expected(l, "a value without , = [ or ]");
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, key) == 0)
			return conf_err(l->c, kpos, "%s given twice (first at "
					"%s)", key, conf_where(l->c,
					&a->v[i].pos, where, sizeof(where)));
	arg = CONF_ADD(l->c, *a);
	if (arg == NULL)
		return -ENOMEM;
	arg->pos = *kpos;
	arg->vpos = l->pos;
	arg->key = conf_strdup(l->c, key);
	arg->val = conf_strdup(l->c, l->text);
	if (arg->key == NULL || arg->val == NULL)
		return -ENOMEM;
	conf_lex_next(l);
	return 0;
}

/* Arguments after '(' (or '[' with its first key read), up to close. */
static int
conf_parse_arg_list(struct conf_lex *l, struct conf_args *a,
		    enum conf_tok close, bool first_read)
{
	const char *what = close == TK_RPAREN ? "',' or ')'" : "',' or ']'";
	char key[CONF_VALUE_MAX];
	struct conf_pos kpos;

	if (!first_read) {
		conf_lex_next(l);
		conf_skip_nl(l);
		if (l->t == close) {
			conf_lex_next(l);
			return 0;
		}
	}
	for (;;) {
		if (l->t != TK_WORD)
			return conf_expected(l, "an argument KEY=VALUE");
		strcpy(key, l->text);
		kpos = l->pos;
		conf_lex_next(l);
		if (conf_parse_arg_rest(l, a, key, &kpos) != 0)
			return -EINVAL;
		conf_skip_nl(l);
		if (l->t == close) {
			conf_lex_next(l);
			return 0;
		}
		if (l->t != TK_COMMA)
			return conf_expected(l, what);
		conf_lex_next(l);
		conf_skip_nl(l);
	}
}

int
conf_parse_args(struct conf_lex *l, struct conf_args *a, enum conf_tok close)
{
	return conf_parse_arg_list(l, a, close, false);
}

/* "[OUT]" or "[KEY=VALUE, ...]" at '['. */
int
conf_parse_bracket(struct conf_lex *l, struct conf_occ *o)
{
	char key[CONF_VALUE_MAX];
	struct conf_pos kpos;

	o->br = calloc(1, sizeof(*o->br));
	if (o->br == NULL)
		return conf_err(l->c, NULL, "out of memory");
	o->br->pos = l->pos;
	conf_lex_next(l);
	conf_skip_nl(l);
	if (l->t != TK_WORD)
		return conf_expected(l, "an output NAME or KEY=VALUE");
	strcpy(key, l->text);
	kpos = l->pos;
	conf_lex_next(l);
	if (l->t == TK_RBRACK) {
		o->br->out = conf_strdup(l->c, key);
		conf_lex_next(l);
		return o->br->out != NULL ? 0 : -ENOMEM;
	}
	if (l->t != TK_EQ)
		return conf_expected(l, "']' or '='");
	if (conf_parse_arg_rest(l, &o->br->args, key, &kpos) != 0)
		return -EINVAL;
	conf_skip_nl(l);
	if (l->t == TK_RBRACK) {
		conf_lex_next(l);
		return 0;
	}
	if (l->t != TK_COMMA)
		return conf_expected(l, "',' or ']'");
	conf_lex_next(l);
	conf_skip_nl(l);
	return conf_parse_arg_list(l, &o->br->args, TK_RBRACK, true);
}

const char *
conf_arg(const struct conf_args *a, const char *key)
{
	unsigned int i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, key) == 0)
			return a->v[i].val;
	return NULL;
}

const struct conf_pos *
conf_arg_pos(const struct conf_args *a, const char *key,
	     const struct conf_pos *fallback)
{
	unsigned int i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, key) == 0)
			return &a->v[i].vpos;
	return fallback;
}

/* Decimal, or hex after 0x, as pk_stage_arg_u64() reads stage arguments. */
int
conf_arg_u64(struct pk_conf *c, const struct conf_args *a, const char *key,
	     uint64_t min, uint64_t max, uint64_t dflt, uint64_t *v)
{
	const char *val = conf_arg(a, key);
	char q[4 * PK_PARSE_QUOTE_MAX + 4];
	int rc;

	if (val == NULL) {
		*v = dflt;
		return 0;
	}
	if (val[0] == '0' && (val[1] == 'x' || val[1] == 'X'))
		rc = pk_parse_x64(val, min, max, v);
	else
		rc = pk_parse_u64(val, min, max, v);
	if (rc == 0)
		return 0;
	return conf_err(c, conf_arg_pos(a, key, NULL), "found %s=%s, expected "
			"%s=<an integer in %" PRIu64 "..%" PRIu64 ">", key,
			conf_quote(val, q, sizeof(q)), key, min, max);
}

/* "a, b or c" into buf. */
static const char *
conf_list(const char *const *w, unsigned int n, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s",
				i == 0 ? "" : i + 1 == n ? " or " : ", ", w[i]);
	return buf;
}

int
conf_args_only(struct pk_conf *c, const struct conf_args *a, const char *what,
	       const char *const *keys)
{
	char list[512], q[4 * PK_PARSE_QUOTE_MAX + 4];
	unsigned int i, j, n = 0;
	const char *near;
	int rc = 0;

	while (keys[n] != NULL)
		n++;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(a->v[i].key, keys[j]) == 0)
				break;
		if (j < n)
			continue;
		near = conf_nearest(a->v[i].key, keys, n);
		if (n == 0)
			strcpy(list, "none");
		else
			conf_list(keys, n, list, sizeof(list));
		rc = conf_err(c, &a->v[i].pos, "found argument '%s' of %s, "
			      "expected %s%s%s%s",
			      conf_quote(a->v[i].key, q, sizeof(q)), what, list,
			      near != NULL ? " (did you mean '" : "",
			      near != NULL ? near : "",
			      near != NULL ? "'?)" : "");
	}
	return rc;
}
