/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration language's parser (grammar in pk_conf.h): statements
 * into the records of conf_pvt.h, by recursive descent over the lexer's
 * tokens. Names are declared in the namespace as they come, so that a
 * second declaration is reported where it is written; references are
 * resolved by conf_check.c, once everything is read (a stage may be named
 * before its declaration). After an error the rest of the statement is
 * skipped and parsing goes on, so that one run reports several mistakes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pk_parse.h>

#include "conf_lex.h"
#include "pk_internal.h"

/* Declare a name; a second declaration is reported where it is. */
static int
conf_declare(struct pk_conf *c, const char *name, enum conf_name_type type,
	     int idx, const struct conf_pos *pos)
{
	static const char *const what[] = { "", "a stage", "a path", "a runner" };
	const struct conf_name *prev;
	char where[64];
	const struct conf_pos *ppos;
	int rc = conf_name_add(c, name, type, idx, &prev);

	if (rc != -EEXIST)
		return rc;
	ppos = prev->type == NAME_STAGE ? &c->stages.v[prev->idx].pos :
	       prev->type == NAME_PATH ? &c->paths.v[prev->idx].pos :
					 &c->runners.v[prev->idx].pos;
	return conf_err(c, pos, "%s declared twice: it is %s already (at %s)",
			name, what[prev->type],
			conf_where(c, ppos, where, sizeof(where)));
}

/* "NAME :: KIND [(args)]", after the name. */
int
conf_parse_decl(struct conf_lex *l, const char *name,
		const struct conf_pos *pos)
{
	struct pk_conf *c = l->c;
	struct conf_stage *st = CONF_ADD(c, c->stages);

	if (st == NULL)
		return -ENOMEM;
	strcpy(st->name, name);
	st->pos = *pos;
	st->path = st->runner = st->lcore = -1;
	conf_lex_next(l);
	if (l->t != TK_WORD)
		return conf_expected(l, "a stage kind after '::'");
	st->kpos = l->pos;
	st->kind = conf_strdup(c, l->text);
	if (st->kind == NULL)
		return -ENOMEM;
	conf_lex_next(l);
	if (l->t == TK_LPAREN &&
	    conf_parse_args(l, &st->args, TK_RPAREN) != 0)
		return -EINVAL;
	return conf_declare(c, name, NAME_STAGE, (int)c->stages.n - 1, pos);
}

/* "a [:: kind(...)] [br] -> b ..." : a chain, or one declaration. */
static int
conf_parse_chain(struct conf_lex *l, int path)
{
	struct pk_conf *c = l->c;
	struct conf_chain *ch = CONF_ADD(c, c->chains);
	struct conf_occ *o;
	bool decl = false;

	if (ch == NULL)
		return -ENOMEM;
	ch->path = path;
	for (;;) {
		o = CONF_ADD(c, *ch);
		if (o == NULL)
			return -ENOMEM;
		o->pos = l->pos;
		if (conf_parse_name(l, o->name, "a stage or path name") != 0)
			return -EINVAL;
		if (l->t == TK_DCOLON) {
			decl = true;
			if (conf_parse_decl(l, o->name, &o->pos) != 0)
				return -EINVAL;
		}
		if (l->t == TK_LBRACK && conf_parse_bracket(l, o) != 0)
			return -EINVAL;
		if (l->t != TK_ARROW)
			break;
		conf_lex_next(l);
		conf_skip_nl(l);
	}
	if (ch->n == 1 && !decl)
		return conf_expected(l, "'::' (a declaration) or '->' (a "
				     "connection)");
	return 0;
}

static int conf_parse_file_at(struct pk_conf *c, uint32_t file,
			      unsigned int depth);

/* "include FILE": relative to the including file's directory. */
static int
conf_parse_include(struct conf_lex *l, unsigned int depth)
{
	struct pk_conf *c = l->c;
	const char *from = c->files.v[l->file].name;
	const char *slash = strrchr(from, '/');
	char path[CONF_VALUE_MAX * 2 + 8];
	struct conf_pos pos;
	int f;

	if (conf_parse_value(l, "a file name", false) != 0)
		return -EINVAL;
	pos = l->pos;
	if (c->par.flags & PK_CONF_F_NO_INCLUDE)
		return conf_err(c, &pos, "found include, expected none: this "
				"configuration may not read files");
	if (depth >= CONF_INCLUDE_DEPTH)
		return conf_err(c, &pos, "found an include %d deep, expected "
				"fewer (does a file include itself?)", depth);
	if (l->text[0] != '/' && slash != NULL)
		snprintf(path, sizeof(path), "%.*s/%s",
			 (int)RTE_MIN(slash - from, CONF_VALUE_MAX), from,
			 l->text);
	else
		snprintf(path, sizeof(path), "%s", l->text);
	conf_lex_next(l);
	f = conf_file_load(c, path, &pos);
	if (f < 0)
		return f;
	return conf_parse_file_at(c, (uint32_t)f, depth + 1);
}

/* "define NAME = VALUE". */
static int
conf_parse_define(struct conf_lex *l)
{
	struct pk_conf *c = l->c;
	struct conf_define *d;
	char name[CONF_VALUE_MAX], where[64];
	struct conf_pos pos = l->pos;
	size_t i;

	if (l->t != TK_WORD || isdigit((unsigned char)l->text[0]))
		return conf_expected(l, "a variable NAME");
	for (i = 0; l->text[i] != '\0'; i++)
		if (!isalnum((unsigned char)l->text[i]) && l->text[i] != '_')
			return conf_expected(l, "a variable NAME (letters, "
					     "digits, _)");
	strcpy(name, l->text);
	conf_lex_next(l);
	if (l->t != TK_EQ)
		return conf_expected(l, "'=' after the variable's name");
	if (conf_parse_value(l, "a value", false) != 0)
		return -EINVAL;
	d = conf_define_find(c, name);
	if (d != NULL && !d->fixed)
		return conf_err(c, &pos, "%s defined twice (first at %s)", name,
				conf_where(c, &d->pos, where, sizeof(where)));
	if (d == NULL) {
		d = CONF_ADD(c, c->defines);
		if (d == NULL)
			return -ENOMEM;
		d->pos = pos;
		d->name = conf_strdup(c, name);
		d->val = conf_strdup(c, l->text);
		if (d->name == NULL || d->val == NULL)
			return -ENOMEM;
	}
	conf_lex_next(l);
	return 0;
}

/* "owner NAME [, NAME ...]". */
static int
conf_parse_owner(struct conf_lex *l)
{
	struct pk_conf *c = l->c;
	struct conf_owner *o;
	char where[64];
	unsigned int i;

	for (;;) {
		if (l->t != TK_WORD || !pk_owner_name_ok(l->text))
			return conf_expected(l, "an owner NAME (1..31 of "
					     "A-Z a-z 0-9 _ . -)");
		for (i = 0; i < c->owners.n; i++)
			if (strcmp(c->owners.v[i].name, l->text) == 0)
				return conf_err(c, &l->pos, "owner %s declared "
						"twice (first at %s)", l->text,
						conf_where(c, &c->owners.v[i].pos,
							   where, sizeof(where)));
		o = CONF_ADD(c, c->owners);
		if (o == NULL)
			return -ENOMEM;
		strcpy(o->name, l->text);
		o->pos = l->pos;
		o->id = -1;
		conf_lex_next(l);
		if (l->t != TK_COMMA)
			return 0;
		conf_lex_next(l);
	}
}

/* "port SPEC [(args)]". */
static int
conf_parse_port(struct conf_lex *l)
{
	struct pk_conf *c = l->c;
	struct conf_port *p;
	char where[64];
	unsigned int i;

	if (conf_parse_value(l, "a port id or device name", false) != 0)
		return -EINVAL;
	for (i = 0; i < c->ports.n; i++)
		if (strcmp(c->ports.v[i].spec, l->text) == 0)
			return conf_err(c, &l->pos, "port %s declared twice "
					"(first at %s)", l->text,
					conf_where(c, &c->ports.v[i].pos, where,
						   sizeof(where)));
	p = CONF_ADD(c, c->ports);
	if (p == NULL)
		return -ENOMEM;
	p->pos = l->pos;
	p->spec = conf_strdup(c, l->text);
	if (p->spec == NULL)
		return -ENOMEM;
	conf_lex_next(l);
	if (l->t == TK_LPAREN)
		return conf_parse_args(l, &p->args, TK_RPAREN);
	return 0;
}

/* "runner NAME (lcore=N)". */
static int
conf_parse_runner(struct conf_lex *l)
{
	struct pk_conf *c = l->c;
	struct conf_runner *r = CONF_ADD(c, c->runners);

	if (r == NULL)
		return -ENOMEM;
	r->pos = l->pos;
	r->lcore = -1;
	if (conf_parse_name(l, r->name, "a runner name") != 0)
		return -EINVAL;
	if (l->t != TK_LPAREN)
		return conf_expected(l, "'(lcore=N)'");
	if (conf_parse_args(l, &r->args, TK_RPAREN) != 0)
		return -EINVAL;
	return conf_declare(c, r->name, NAME_RUNNER, (int)c->runners.n - 1,
			    &r->pos);
}

static int conf_parse_stmt(struct conf_lex *l, int path, unsigned int depth);

/* "path NAME [(args)] { statements }". */
static int
conf_parse_path(struct conf_lex *l, unsigned int depth)
{
	struct pk_conf *c = l->c;
	struct conf_path *p = CONF_ADD(c, c->paths);
	int idx = (int)c->paths.n - 1;

	if (p == NULL)
		return -ENOMEM;
	p->pos = l->pos;
	p->owner = -1;
	if (conf_parse_name(l, p->name, "a path name") != 0 ||
	    conf_declare(c, p->name, NAME_PATH, idx, &p->pos) != 0)
		return -EINVAL;
	if (l->t == TK_LPAREN &&
	    conf_parse_args(l, &c->paths.v[idx].args, TK_RPAREN) != 0)
		return -EINVAL;
	conf_skip_nl(l);
	if (l->t != TK_LBRACE)
		return conf_expected(l, "'{' and the path's stages");
	conf_lex_next(l);
	while (l->t != TK_RBRACE && l->t != TK_EOF && !conf_enough(c))
		conf_parse_stmt(l, idx, depth);
	if (l->t != TK_RBRACE)
		return conf_expected(l, "'}' closing the path");
	conf_lex_next(l);
	return 0;
}

/* Past the statement that went wrong: to its end of line. */
static void
conf_sync(struct conf_lex *l, int path)
{
	while (l->t != TK_NL && l->t != TK_EOF &&
	       !(path >= 0 && l->t == TK_RBRACE))
		conf_lex_next(l);
}

static int
conf_parse_stmt(struct conf_lex *l, int path, unsigned int depth)
{
	char kw[16] = "";
	int rc;

	if (l->t == TK_NL) {
		conf_lex_next(l);
		return 0;
	}
	if (l->t == TK_WORD && conf_keyword(l->text))
		strcpy(kw, l->text); /* the lexer's text moves on */
	if (l->t != TK_WORD)
		rc = conf_expected(l, "a statement: NAME :: KIND, a -> b, or "
				   "one of include define owner port runner "
				   "path key portmap reserve drops");
	else if (kw[0] == '\0')
		rc = conf_parse_chain(l, path);
	else if (path < 0 && strcmp(kw, "drops") == 0)
		rc = conf_parse_drops(l);
	else if (path >= 0 && strcmp(kw, "key") != 0 &&
		 strcmp(kw, "define") != 0)
		rc = conf_expected(l, "a stage or a chain in a path's body");
	else if (strcmp(kw, "include") == 0)
		rc = conf_parse_include(l, depth);
	else if (strcmp(kw, "key") == 0)
		rc = conf_parse_key(l);
	else if (strcmp(kw, "port") == 0)
		rc = conf_parse_port(l); /* a value follows: read as one */
	else if (strcmp(kw, "reserve") == 0)
		rc = conf_parse_reserve(l); /* values follow */
	else if (strcmp(kw, "portmap") == 0)
		rc = conf_parse_portmap(l);
	else {
		conf_lex_next(l);
		if (strcmp(kw, "define") == 0)
			rc = conf_parse_define(l);
		else if (strcmp(kw, "owner") == 0)
			rc = conf_parse_owner(l);
		else if (strcmp(kw, "runner") == 0)
			rc = conf_parse_runner(l);
		else
			rc = conf_parse_path(l, depth);
	}
	if (rc == 0 && l->t != TK_NL && l->t != TK_EOF &&
	    !(path >= 0 && l->t == TK_RBRACE))
		rc = conf_expected(l, "end of line");
	if (rc != 0)
		conf_sync(l, path);
	return rc;
}

static int
conf_parse_file_at(struct pk_conf *c, uint32_t file, unsigned int depth)
{
	struct conf_lex l;

	conf_lex_init(&l, c, file);
	while (l.t != TK_EOF && !conf_enough(c))
		conf_parse_stmt(&l, -1, depth);
	return c->nerr != 0 ? -EINVAL : 0;
}

int
conf_parse(struct pk_conf *c, uint32_t file)
{
	return conf_parse_file_at(c, file, 0);
}
