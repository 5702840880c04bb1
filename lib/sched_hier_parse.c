/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A policy string's syntax (pk_sched_policy_split()): one policy name, or
 * "owners:OUTER,flows:INNER" ('/' for the ','; labels optional). Apart
 * from the registry (sched_hier.c resolves the names) so that the fuzzer
 * (tests/fuzz/fuzz_sched_policy.c) links this file alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include <pathkit/pk_sched.h>
#include <pathkit/pk_sched_policy.h>

static int
split_err(char *err, size_t esize, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && esize > 0) {
		va_start(ap, fmt);
		vsnprintf(err, esize, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* s[0..len) as printable text, cut to 32 characters, in q (40 bytes). */
static const char *
split_quote(char *q, const char *s, size_t len)
{
	size_t i, n = RTE_MIN(len, (size_t)32);

	for (i = 0; i < n; i++)
		q[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (len > n)
		memcpy(&q[n++], "~", 1);
	q[n] = '\0';
	return q;
}

static bool
split_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/*
 * One level of [label:]name in s[0..len): the label, if any, must be
 * want; the name goes to out. @return 0 or -EINVAL with a reason.
 */
static int
split_level(const char *s, size_t len, const char *want, char *out,
	    char *err, size_t esize)
{
	const char *colon = memchr(s, ':', len);
	char q[40];
	size_t i;

	if (colon != NULL) {
		if ((size_t)(colon - s) != strlen(want) ||
		    memcmp(s, want, colon - s) != 0)
			return split_err(err, esize, "policy: found label "
					 "'%s', expected '%s:'",
					 split_quote(q, s, colon - s), want);
		len -= colon - s + 1;
		s = colon + 1;
	}
	if (len == 0)
		return split_err(err, esize, "policy: %s: a policy name is "
				 "missing", want);
	if (len >= PK_SCHED_POLICY_PARTSIZE)
		return split_err(err, esize, "policy: %s: a name of %zu "
				 "characters, expected at most %d", want, len,
				 PK_SCHED_POLICY_PARTSIZE - 1);
	for (i = 0; i < len; i++)
		if (!split_name_char(s[i]))
			return split_err(err, esize, "policy: %s: character "
					 "0x%02x in a name, expected letters, "
					 "digits, '_' or '-'", want,
					 (unsigned char)s[i]);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int
pk_sched_policy_split(const char *s, char *outer, char *inner, char *err,
		      size_t esize)
{
	char o[PK_SCHED_POLICY_PARTSIZE], in[PK_SCHED_POLICY_PARTSIZE];
	size_t len, cut;
	char q[40];
	int rc;

	if (err != NULL && esize > 0)
		err[0] = '\0';
	if (s == NULL || s[0] == '\0')
		return split_err(err, esize, "policy: empty, expected a "
				 "policy name or owners:OUTER,flows:INNER");
	len = strnlen(s, PK_SCHED_POLICY_NAMESIZE);
	if (len >= PK_SCHED_POLICY_NAMESIZE)
		return split_err(err, esize, "policy: longer than %d "
				 "characters", PK_SCHED_POLICY_NAMESIZE - 1);
	cut = strcspn(s, ",/");
	if (cut == len) {
		if (memchr(s, ':', len) != NULL)
			return split_err(err, esize, "policy: '%s' has one "
					 "level, expected owners:OUTER,flows:"
					 "INNER or a policy name",
					 split_quote(q, s, len));
		rc = split_level(s, len, "policy", o, err, esize);
		if (rc != 0)
			return rc;
		memcpy(outer, o, sizeof(o));
		inner[0] = '\0';
		return 0;
	}
	if (strcspn(s + cut + 1, ",/") != len - cut - 1)
		return split_err(err, esize, "policy: more than two levels, "
				 "expected owners:OUTER,flows:INNER");
	rc = split_level(s, cut, "owners", o, err, esize);
	if (rc == 0)
		rc = split_level(s + cut + 1, len - cut - 1, "flows", in, err,
				 esize);
	if (rc != 0)
		return rc;
	memcpy(outer, o, sizeof(o));
	memcpy(inner, in, sizeof(in));
	return 1;
}
