/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the configuration language's parts share (conf_pvt.h): growing
 * arrays, error lines with their place, the nearest name for "did you
 * mean", the namespace of stages, paths and runners, files, and freeing a
 * configuration that built nothing. No DPDK object here: the fuzzer and
 * --check run it without an EAL.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pk_parse.h>

#include "conf_pvt.h"

/* Arrays and text grow past any real configuration, never without bound. */
#define CONF_VEC_MAX (1u << 24)

int
conf_grow(struct pk_conf *c, void *pv, unsigned int *cap, unsigned int n,
	  size_t size)
{
	unsigned int ncap;
	void *old, *v;

	if (n < *cap)
		return 0;
	ncap = *cap != 0 ? *cap * 2 : 8;
	if (n >= CONF_VEC_MAX)
		v = NULL;
	else {
		/* the pointer is read and written as bytes: *pv is a T *,
		 * whatever T, and is not accessed as a void * */
		memcpy(&old, pv, sizeof(old));
		v = realloc(old, (size_t)ncap * size);
	}
	if (v == NULL) {
		conf_err(c, NULL, "out of memory");
		return -ENOMEM;
	}
	memcpy(pv, &v, sizeof(v));
	*cap = ncap;
	return 0;
}

char *
conf_strdup(struct pk_conf *c, const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		conf_err(c, NULL, "out of memory");
	return d;
}

const char *
conf_where(const struct pk_conf *c, const struct conf_pos *pos, char *buf,
	   size_t size)
{
	const char *name = "<conf>";

	if (pos != NULL && pos->file < c->files.n)
		name = c->files.v[pos->file].name;
	else if (c->files.n > 0)
		name = c->files.v[0].name;
	if (pos != NULL && pos->line != 0)
		snprintf(buf, size, "%s:%u:%u", name, pos->line, pos->col);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}

int
conf_err(struct pk_conf *c, const struct conf_pos *pos, const char *fmt, ...)
{
	char where[PATH_MAX + 32];
	va_list ap;

	if (++c->nerr > c->par.max_errors)
		return -EINVAL; /* enough said: the caller is stopping */
	fprintf(c->err, "%s: ", conf_where(c, pos, where, sizeof(where)));
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->err);
	fflush(c->err);
	return -EINVAL;
}

bool
conf_enough(const struct pk_conf *c)
{
	return c->nerr >= c->par.max_errors;
}

const char *
conf_quote(const char *s, char *buf, size_t size)
{
	pk_parse_quote(buf, size, s);
	return buf;
}

/*
 * Edit distance with transpositions (optimal string alignment): "burts" is
 * one slip from "burst". Words past 31 bytes are nobody's typo.
 */
static unsigned int
conf_distance(const char *a, const char *b)
{
	unsigned int d[32][32], i, j, la = strlen(a), lb = strlen(b), v;

	if (la >= 32 || lb >= 32)
		return UINT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			v = RTE_MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
			v = RTE_MIN(v, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]));
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1])
				v = RTE_MIN(v, d[i - 2][j - 2] + 1);
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *
conf_nearest(const char *word, const char *const *cands, unsigned int n)
{
	unsigned int i, d, best = UINT_MAX, limit = strlen(word) / 3;
	const char *pick = NULL;

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (i = 0; i < n; i++) {
		d = conf_distance(word, cands[i]);
		if (d < best && d <= limit && d < strlen(cands[i])) {
			best = d;
			pick = cands[i];
		}
	}
	return pick;
}

/* FNV-1a: names are short and few. */
static uint32_t
conf_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static struct conf_name *
conf_name_slot(const struct pk_conf *c, const char *name)
{
	uint32_t i, mask = c->names_cap - 1;

	for (i = conf_hash(name) & mask;; i = (i + 1) & mask)
		if (c->names[i].name[0] == '\0' ||
		    strcmp(c->names[i].name, name) == 0)
			return &c->names[i];
}

/* Keep the table at most half full: a probe always ends. */
static int
conf_names_grow(struct pk_conf *c)
{
	struct conf_name *old = c->names;
	unsigned int i, ocap = c->names_cap;

	c->names_cap = ocap != 0 ? ocap * 2 : 64;
	c->names = calloc(c->names_cap, sizeof(*c->names));
	if (c->names == NULL) {
		c->names = old;
		c->names_cap = ocap;
		conf_err(c, NULL, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < ocap; i++)
		if (old[i].name[0] != '\0')
			*conf_name_slot(c, old[i].name) = old[i];
	free(old);
	return 0;
}

int
conf_name_add(struct pk_conf *c, const char *name, enum conf_name_type type,
	      int idx, const struct conf_name **prev)
{
	struct conf_name *n;

	if ((c->names_n + 1) * 2 > c->names_cap && conf_names_grow(c) != 0)
		return -ENOMEM;
	if (strlen(name) >= CONF_NAME_MAX || name[0] == '\0')
		return -EINVAL; /* the parser allows no such name */
	n = conf_name_slot(c, name);
	if (n->name[0] != '\0') {
		*prev = n;
		return -EEXIST;
	}
	strcpy(n->name, name);
	n->type = type;
	n->idx = idx;
	c->names_n++;
	return 0;
}

const struct conf_name *
conf_name_find(const struct pk_conf *c, const char *name)
{
	struct conf_name *n;

	if (c->names_cap == 0)
		return NULL;
	if (name[0] == '\0' || strlen(name) >= CONF_NAME_MAX)
		return NULL;
	n = conf_name_slot(c, name);
	return n->name[0] != '\0' ? n : NULL;
}

struct conf_define *
conf_define_find(struct pk_conf *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->defines.n; i++)
		if (strcmp(c->defines.v[i].name, name) == 0)
			return &c->defines.v[i];
	return NULL;
}

int
conf_file_add(struct pk_conf *c, const char *name, const char *text,
	      size_t len)
{
	struct conf_file *f = CONF_ADD(c, c->files);

	if (f == NULL)
		return -ENOMEM;
	f->name = strdup(name);
	f->text = malloc(len + 1);
	if (f->name == NULL || f->text == NULL) {
		conf_err(c, NULL, "out of memory");
		return -ENOMEM;
	}
	memcpy(f->text, text, len);
	f->text[len] = '\0';
	f->len = len;
	return (int)(c->files.n - 1);
}

int
conf_file_load(struct pk_conf *c, const char *path,
	       const struct conf_pos *from)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4];
	FILE *f = fopen(path, "r");
	size_t len;
	char *buf;
	int rc, e;

	if (f == NULL) {
		e = errno;
		conf_err(c, from, "cannot read '%s': %s",
			 conf_quote(path, q, sizeof(q)), strerror(e));
		return e == ENOENT ? -ENOENT : -EINVAL;
	}
	buf = malloc(CONF_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		conf_err(c, NULL, "out of memory");
		return -ENOMEM;
	}
	len = fread(buf, 1, CONF_FILE_MAX + 1, f);
	e = ferror(f);
	fclose(f);
	if (e != 0 || len > CONF_FILE_MAX) {
		conf_err(c, from, "cannot read '%s': %s",
			 conf_quote(path, q, sizeof(q)),
			 e != 0 ? "read error" : "longer than 1 MiB");
		free(buf);
		return -EINVAL;
	}
	rc = conf_file_add(c, path, buf, len);
	free(buf);
	return rc;
}

static void
conf_args_free(struct conf_args *a)
{
	unsigned int i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].key);
		free(a->v[i].val);
	}
	free(a->v);
}

void
conf_free(struct pk_conf *c)
{
	unsigned int i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->files.n; i++) {
		free(c->files.v[i].name);
		free(c->files.v[i].text);
	}
	for (i = 0; i < c->defines.n; i++) {
		free(c->defines.v[i].name);
		free(c->defines.v[i].val);
	}
	for (i = 0; i < c->stages.n; i++) {
		free(c->stages.v[i].kind);
		conf_args_free(&c->stages.v[i].args);
	}
	for (i = 0; i < c->chains.n; i++) {
		for (j = 0; j < c->chains.v[i].n; j++) {
			struct conf_br *br = c->chains.v[i].v[j].br;

			if (br != NULL) {
				free(br->out);
				conf_args_free(&br->args);
				free(br);
			}
		}
		free(c->chains.v[i].v);
	}
	for (i = 0; i < c->paths.n; i++) {
		conf_args_free(&c->paths.v[i].args);
		free(c->paths.v[i].member);
	}
	for (i = 0; i < c->runners.n; i++)
		conf_args_free(&c->runners.v[i].args);
	for (i = 0; i < c->ports.n; i++) {
		free(c->ports.v[i].spec);
		conf_args_free(&c->ports.v[i].args);
	}
	for (i = 0; i < c->keys.n; i++)
		free(c->keys.v[i].out);
	free(c->files.v);
	free(c->defines.v);
	free(c->stages.v);
	free(c->chains.v);
	free(c->paths.v);
	free(c->runners.v);
	free(c->ports.v);
	free(c->owners.v);
	free(c->keys.v);
	free(c->edges.v);
	free(c->drops.v);
	free(c->names);
	conf_portmap_free(c);
	free(c);
}
