/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CONF_FIXTURE_H
#define PK_CONF_FIXTURE_H

/*
 * What the tests of the configuration language read and checked share
 * (test_conf.c, test_conf_include.c): a text parsed as t.conf with its
 * error stream kept in out, and a text refused with a message or accepted.
 * Include after pk_test.h.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

static char out[16384];

/* Parse text as t.conf; out holds what went to the error stream. */
static inline struct pk_conf *
parse(const char *text, unsigned int max_errors,
      const char *const *defines, uint32_t flags)
{
	struct pk_conf_params p = { .socket_id = SOCKET_ID_ANY,
				    .max_errors = max_errors,
				    .defines = defines, .flags = flags };
	struct pk_conf *c;
	char *buf = NULL;
	size_t len = 0;

	p.err = open_memstream(&buf, &len);
	assert_non_null(p.err);
	c = pk_conf_parse_string(text, "t.conf", &p);
	fclose(p.err);
	snprintf(out, sizeof(out), "%s", buf);
	free(buf);
	return c;
}

/* text is refused with msg as its first error line. */
static inline void
refused(const char *text, const char *msg)
{
	char *nl;

	rte_errno = 0;
	if (parse(text, 1, NULL, 0) != NULL)
		fail_msg("accepted: %s", text);
	assert_int_equal(rte_errno, EINVAL);
	nl = strchr(out, '\n');
	if (nl != NULL)
		*nl = '\0';
	if (strcmp(out, msg) != 0)
		fail_msg("for:\n%s\nwant: %s\ngot:  %s", text, msg, out);
}

static inline void
accepted(const char *text)
{
	struct pk_conf *c = parse(text, 0, NULL, 0);

	if (c == NULL)
		fail_msg("refused:\n%s\n%s", text, out);
	pk_conf_destroy(c);
}

#endif /* PK_CONF_FIXTURE_H */
