/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk_conf.h's entry points: reading a configuration from a string or a
 * file (parse, then check), building it (conf_build.c), starting and
 * stopping its threads and runners, looking its objects up, destroying it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pk_parse.h>

#include "conf_pvt.h"

/* "NAME=VALUE" from the parameters: a definition the file cannot change. */
static int
conf_define_fixed(struct pk_conf *c, const char *def)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4];
	const char *eq = strchr(def, '=');
	struct conf_define *d;
	size_t i, n = eq != NULL ? (size_t)(eq - def) : 0;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)def[i]) && def[i] != '_')
			break;
	if (n == 0 || i < n || isdigit((unsigned char)def[0]) ||
	    strlen(eq + 1) >= CONF_VALUE_MAX)
		return conf_err(c, NULL, "found definition '%s', expected "
				"NAME=VALUE", conf_quote(def, q, sizeof(q)));
	d = CONF_ADD(c, c->defines);
	if (d == NULL)
		return -ENOMEM;
	d->fixed = true;
	d->name = strndup(def, n);
	d->val = conf_strdup(c, eq + 1);
	return d->name != NULL && d->val != NULL ? 0 : -ENOMEM;
}

static struct pk_conf *
conf_new(const struct pk_conf_params *p)
{
	struct pk_conf *c = calloc(1, sizeof(*c));
	unsigned int i;

	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (p != NULL)
		c->par = *p;
	else
		c->par.socket_id = SOCKET_ID_ANY;
	if (c->par.max_errors == 0)
		c->par.max_errors = PK_CONF_MAX_ERRORS;
	c->err = c->par.err != NULL ? c->par.err : stderr;
	c->swap_path = -1;
	for (i = 0; c->par.defines != NULL && c->par.defines[i] != NULL; i++)
		conf_define_fixed(c, c->par.defines[i]);
	/* the pool's name, for kinds that take one (proc_tee pool=) */
	if (c->par.mp != NULL && conf_define_find(c, "POOL") == NULL) {
		struct conf_define *d = CONF_ADD(c, c->defines);

		if (d != NULL) {
			d->fixed = true;
			d->name = conf_strdup(c, "POOL");
			d->val = conf_strdup(c, c->par.mp->name);
		}
	}
	return c;
}

/* Parse and check file 0 of c; c is freed on an error. */
static struct pk_conf *
conf_read(struct pk_conf *c, int file)
{
	int rc = file < 0 ? file : c->nerr != 0 ? -EINVAL : 0;

	if (rc == 0)
		rc = conf_parse(c, (uint32_t)file);
	if (rc == 0)
		rc = conf_check(c);
	if (rc == 0 && c->nerr == 0)
		return c;
	if (conf_enough(c))
		fprintf(c->err, "%s: stopped after %u error%s\n",
			c->files.n > 0 ? c->files.v[0].name : "<conf>",
			c->par.max_errors, c->par.max_errors > 1 ? "s" : "");
	conf_free(c);
	rte_errno = rc == -ENOENT || rc == -ENOMEM ? -rc : EINVAL;
	return NULL;
}

struct pk_conf *
pk_conf_parse_string(const char *text, const char *name,
		     const struct pk_conf_params *p)
{
	struct pk_conf *c;

	if (text == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	c = conf_new(p);
	if (c == NULL)
		return NULL;
	return conf_read(c, conf_file_add(c, name != NULL ? name : "<string>",
					  text, strlen(text)));
}

struct pk_conf *
pk_conf_parse_file(const char *path, const struct pk_conf_params *p)
{
	struct pk_conf *c;

	if (path == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	c = conf_new(p);
	if (c == NULL)
		return NULL;
	return conf_read(c, conf_file_load(c, path, NULL));
}

static struct pk_conf *
conf_load(struct pk_conf *c)
{
	int rc;

	if (c == NULL)
		return NULL;
	rc = pk_conf_build(c);
	if (rc == 0)
		return c;
	conf_free(c);
	rte_errno = -rc;
	return NULL;
}

struct pk_conf *
pk_conf_load_string(const char *text, const char *name,
		    const struct pk_conf_params *p)
{
	return conf_load(pk_conf_parse_string(text, name, p));
}

struct pk_conf *
pk_conf_load_file(const char *path, const struct pk_conf_params *p)
{
	return conf_load(pk_conf_parse_file(path, p));
}

int
conf_start_all(struct pk_conf *c, bool taken_over)
{
	struct conf_logcap lc;
	struct conf_stage *st;
	char why[256];
	unsigned int i;
	int rc = 0;

	for (i = 0; i < c->stages.n && rc == 0; i++) {
		st = &c->stages.v[i];
		if (pk_thread_from_stage(st->s) == NULL)
			continue;
		conf_cap_begin(&lc);
		rc = pk_thread_start(pk_thread_from_stage(st->s));
		conf_cap_end(&lc, rc, st->name, why, sizeof(why));
		if (rc != 0)
			conf_err(c, &st->pos, "cannot start %s: %s", st->name,
				 why);
	}
	for (i = 0; i < c->runners.n && rc == 0; i++) {
		rc = pk_runner_start(c->runners.v[i].r);
		if (rc == -EALREADY && taken_over)
			rc = 0; /* taken over, running */
		else if (rc != 0)
			conf_err(c, &c->runners.v[i].pos, "cannot start "
				 "runner %s: %s", c->runners.v[i].name,
				 rte_strerror(-rc));
	}
	return rc;
}

int
pk_conf_start(struct pk_conf *c)
{
	int rc;

	if (c == NULL || !c->built)
		return -EINVAL;
	if (c->started)
		return -EALREADY;
	c->started = true; /* for pk_conf_stop() on a failure */
	rc = conf_start_all(c, false);
	if (rc != 0)
		pk_conf_stop(c);
	return rc;
}

int
pk_conf_stop(struct pk_conf *c)
{
	unsigned int i;

	if (c == NULL)
		return -EINVAL;
	if (!c->started)
		return 0;
	for (i = 0; i < c->runners.n; i++)
		pk_runner_stop(c->runners.v[i].r);
	for (i = 0; i < c->stages.n; i++)
		pk_thread_stop(pk_thread_from_stage(c->stages.v[i].s));
	c->started = false;
	return 0;
}

void
pk_conf_destroy(struct pk_conf *c)
{
	if (c == NULL)
		return;
	if (c->built)
		conf_teardown(c);
	conf_free(c);
}

struct pk_stage *
pk_conf_stage(const struct pk_conf *c, const char *name)
{
	const struct conf_name *n;

	if (c == NULL || name == NULL || !c->built)
		return NULL;
	n = conf_name_find(c, name);
	if (n == NULL || n->type == NAME_RUNNER)
		return NULL;
	return n->type == NAME_STAGE ? c->stages.v[n->idx].s :
				       pk_path_stage(c->paths.v[n->idx].p);
}

struct pk_path *
pk_conf_path(const struct pk_conf *c, const char *name)
{
	return pk_path_from_stage(pk_conf_stage(c, name));
}

struct pk_thread *
pk_conf_thread(const struct pk_conf *c, const char *name)
{
	return pk_thread_from_stage(pk_conf_stage(c, name));
}

struct pk_runner *
pk_conf_runner(const struct pk_conf *c, const char *name)
{
	const struct conf_name *n;

	if (c == NULL || name == NULL || !c->built)
		return NULL;
	n = conf_name_find(c, name);
	return n != NULL && n->type == NAME_RUNNER ? c->runners.v[n->idx].r :
						     NULL;
}

int
pk_conf_owner(const struct pk_conf *c, const char *name)
{
	unsigned int i;

	if (c == NULL || name == NULL)
		return -EINVAL;
	for (i = 0; c->built && i < c->owners.n; i++)
		if (strcmp(c->owners.v[i].name, name) == 0)
			return c->owners.v[i].id;
	return -ENOENT;
}
