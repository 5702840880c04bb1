/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict number parsing (pk_parse.h). The digits are read here, not by
 * strtoull() or strtod(): those skip spaces, take signs ("-1" wraps to
 * 2^64-1), nan, inf, hex floats and exponents, and round through a double.
 * Every syntax check runs before any arithmetic, so that a text that is not
 * a number is -EINVAL even when its digits would also overflow; fractions
 * are exact decimal digits shifted by the unit's power of ten.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pathkit/pk_parse.h>

static inline bool
parse_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
parse_hex_digit(char c)
{
	if (parse_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* How many decimal digits s starts with. */
static size_t
parse_digits(const char *s)
{
	size_t n = 0;

	while (parse_is_digit(s[n]))
		n++;
	return n;
}

/* *x = *x * 10 + d, or -ERANGE past 2^64-1. */
static inline int
parse_push_digit(uint64_t *x, unsigned int d)
{
	if (__builtin_mul_overflow(*x, 10, x) ||
	    __builtin_add_overflow(*x, d, x))
		return -ERANGE;
	return 0;
}

/* The value of n decimal digits (already checked to be digits). */
static int
parse_dec(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (parse_push_digit(&x, (unsigned int)(s[i] - '0')) != 0)
			return -ERANGE;
	*v = x;
	return 0;
}

static inline int
parse_store(uint64_t x, uint64_t min, uint64_t max, uint64_t *v)
{
	if (x < min || x > max)
		return -ERANGE;
	*v = x;
	return 0;
}

int
pk_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t x;
	size_t n;

	if (s == NULL || v == NULL)
		return -EINVAL;
	n = parse_digits(s);
	if (n == 0 || s[n] != '\0')
		return -EINVAL;
	if (parse_dec(s, n, &x) != 0)
		return -ERANGE;
	return parse_store(x, min, max, v);
}

int
pk_parse_x64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	size_t n, i;

	if (s == NULL || v == NULL)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (n = 0; parse_hex_digit(s[n]) >= 0; n++)
		;
	if (n == 0 || s[n] != '\0')
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (x >> 60 != 0)
			return -ERANGE;
		x = x << 4 | (uint64_t)parse_hex_digit(s[i]);
	}
	return parse_store(x, min, max, v);
}

/* A decimal with an optional fraction: "12" or "12.50", never "12." or ".5". */
struct parse_fixed {
	const char *ip;  /* integer digits */
	size_t il;
	const char *fp;  /* fraction digits */
	size_t fl;
};

/* Scan a fixed-point number at s; returns its length, 0 if there is none. */
static size_t
parse_fixed_scan(const char *s, struct parse_fixed *f)
{
	f->ip = s;
	f->il = parse_digits(s);
	f->fp = s + f->il + 1;
	f->fl = 0;
	if (f->il == 0)
		return 0;
	if (s[f->il] != '.')
		return f->il;
	f->fl = parse_digits(f->fp);
	return f->fl == 0 ? 0 : f->il + 1 + f->fl;
}

/*
 * The number times 10^exp, the fraction digits past exp cut off. A number
 * with a nonzero digit that comes out 0 is -ERANGE: the caller's unit
 * cannot hold it, and 0 often means "unlimited".
 */
static int
parse_fixed_value(const struct parse_fixed *f, unsigned int exp, uint64_t *v)
{
	bool nonzero = false;
	uint64_t x;
	size_t i;

	if (parse_dec(f->ip, f->il, &x) != 0)
		return -ERANGE;
	for (i = 0; i < exp; i++)
		if (parse_push_digit(&x, i < f->fl ?
				      (unsigned int)(f->fp[i] - '0') : 0) != 0)
			return -ERANGE;
	for (i = 0; x == 0 && i < f->il; i++)
		nonzero |= f->ip[i] != '0';
	for (i = 0; x == 0 && i < f->fl; i++)
		nonzero |= f->fp[i] != '0';
	if (x == 0 && nonzero)
		return -ERANGE;
	*v = x;
	return 0;
}

int
pk_parse_rate(const char *s, uint64_t min, uint64_t max, uint64_t *bps)
{
	struct parse_fixed f;
	unsigned int exp = 0;
	const char *u;
	uint64_t x;
	size_t n;

	if (s == NULL || bps == NULL)
		return -EINVAL;
	n = parse_fixed_scan(s, &f);
	if (n == 0)
		return -EINVAL;
	u = s + n;
	switch (*u) {
	case 'k': case 'K': exp = 3; break;
	case 'M': exp = 6; break;
	case 'G': exp = 9; break;
	case 'T': exp = 12; break;
	default: break;
	}
	if (exp != 0)
		u++;
	if (*u != '\0' && strcmp(u, "bit/s") != 0 && strcmp(u, "bps") != 0)
		return -EINVAL;
	if (parse_fixed_value(&f, exp, &x) != 0)
		return -ERANGE;
	return parse_store(x, min, max, bps);
}

int
pk_parse_duration(const char *s, uint64_t min, uint64_t max, uint64_t *ns)
{
	static const struct { const char *name; unsigned int exp; } units[] = {
		{ "", 9 }, { "s", 9 }, { "ms", 6 }, { "us", 3 }, { "ns", 0 },
	};
	struct parse_fixed f;
	uint64_t x;
	size_t n, i;

	if (s == NULL || ns == NULL)
		return -EINVAL;
	n = parse_fixed_scan(s, &f);
	if (n == 0)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(s + n, units[i].name) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return -EINVAL;
	if (parse_fixed_value(&f, units[i].exp, &x) != 0)
		return -ERANGE;
	return parse_store(x, min, max, ns);
}

/*
 * One walk over a list already known to be well formed: check each element
 * against [min, max], and store it when v is not NULL.
 */
static int
parse_list_walk(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	unsigned int i = 0;
	uint64_t x;
	size_t n;

	for (;;) {
		n = parse_digits(s);
		if (parse_dec(s, n, &x) != 0 || x < min || x > max)
			return -ERANGE;
		if (v != NULL)
			v[i] = x;
		i++;
		if (s[n] == '\0')
			return (int)i;
		s += n + 1;
	}
}

int
pk_parse_u64_list(const char *s, uint64_t min, uint64_t max, uint64_t *v,
		  unsigned int max_n)
{
	const char *p = s;
	size_t count = 0, n;
	int rc;

	if (s == NULL || v == NULL || max_n == 0 || max_n > INT_MAX)
		return -EINVAL;
	for (;;) { /* syntax first: digits, single commas between */
		n = parse_digits(p);
		if (n == 0)
			return -EINVAL;
		count++;
		if (p[n] == '\0')
			break;
		if (p[n] != ',')
			return -EINVAL;
		p += n + 1;
	}
	if (count > max_n)
		return -E2BIG;
	rc = parse_list_walk(s, min, max, NULL); /* v untouched on error */
	return rc < 0 ? rc : parse_list_walk(s, min, max, v);
}

int
pk_parse_num(enum pk_parse_kind kind, const char *s, uint64_t min,
	     uint64_t max, uint64_t *v)
{
	switch (kind) {
	case PK_PARSE_INT:
		return pk_parse_u64(s, min, max, v);
	case PK_PARSE_HEX:
		return pk_parse_x64(s, min, max, v);
	case PK_PARSE_RATE:
		return pk_parse_rate(s, min, max, v);
	case PK_PARSE_DURATION:
		return pk_parse_duration(s, min, max, v);
	case PK_PARSE_LIST:
		break;
	}
	return -EINVAL;
}

int
pk_parse_quote(char *buf, size_t size, const char *s)
{
	char q[PK_PARSE_QUOTE_MAX * 4 + 4];
	size_t i, o = 0;
	unsigned char c;

	if (buf == NULL && size > 0)
		return -EINVAL;
	/* into q first: it always has room, and the length comes out exact */
	for (i = 0; s != NULL && s[i] != '\0' && i < PK_PARSE_QUOTE_MAX; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			q[o++] = (char)c;
		else
			o += (size_t)snprintf(q + o, sizeof(q) - o, "\\x%02x",
					      c);
	}
	if (s != NULL && i == PK_PARSE_QUOTE_MAX && s[i] != '\0')
		o += (size_t)snprintf(q + o, sizeof(q) - o, "...");
	q[o] = '\0';
	return snprintf(buf, size, "%s", q);
}

/* A value in the largest unit that holds it exactly: 10T, 1500k, 7, 0. */
static void
parse_fmt_unit(char *b, size_t size, uint64_t v, const uint64_t *mul,
	       const char *const *name, unsigned int n)
{
	unsigned int i;

	if (v == 0) {
		snprintf(b, size, "0");
		return;
	}
	for (i = 0; i < n - 1; i++) /* the last unit is 1 */
		if (v % mul[i] == 0)
			break;
	snprintf(b, size, "%" PRIu64 "%s", v / mul[i], name[i]);
}

static void
parse_fmt_rate(char *b, size_t size, uint64_t v)
{
	static const uint64_t mul[] = { 1000000000000ull, 1000000000, 1000000,
					1000, 1 };
	static const char *const name[] = { "T", "G", "M", "k", "" };

	parse_fmt_unit(b, size, v, mul, name, 5);
}

static void
parse_fmt_duration(char *b, size_t size, uint64_t v)
{
	static const uint64_t mul[] = { 1000000000, 1000000, 1000, 1 };
	static const char *const name[] = { "s", "ms", "us", "ns" };

	parse_fmt_unit(b, size, v, mul, name, 4);
}

int
pk_parse_explain(char *buf, size_t size, const char *opt, const char *val,
		 enum pk_parse_kind kind, uint64_t min, uint64_t max,
		 unsigned int max_n)
{
	char q[PK_PARSE_QUOTE_MAX * 4 + 4], lo[32], hi[32];
	const char *sep = opt != NULL ? ": " : "";

	if (buf == NULL && size > 0)
		return -EINVAL;
	pk_parse_quote(q, sizeof(q), val);
	opt = opt != NULL ? opt : "";
	switch (kind) {
	case PK_PARSE_INT:
		return snprintf(buf, size, "%s%s'%s' is not an integer in %"
				PRIu64 "..%" PRIu64, opt, sep, q, min, max);
	case PK_PARSE_HEX:
		return snprintf(buf, size, "%s%s'%s' is not a hexadecimal "
				"integer in 0x%" PRIx64 "..0x%" PRIx64, opt,
				sep, q, min, max);
	case PK_PARSE_RATE:
		parse_fmt_rate(lo, sizeof(lo), min);
		parse_fmt_rate(hi, sizeof(hi), max);
		return snprintf(buf, size, "%s%s'%s' is not a rate in %s..%s "
				"bit/s (k, M, G, T: 10^3, 10^6, 10^9, 10^12)",
				opt, sep, q, lo, hi);
	case PK_PARSE_DURATION:
		parse_fmt_duration(lo, sizeof(lo), min);
		parse_fmt_duration(hi, sizeof(hi), max);
		return snprintf(buf, size, "%s%s'%s' is not a duration in "
				"%s..%s (units s, ms, us, ns; s without one)",
				opt, sep, q, lo, hi);
	case PK_PARSE_LIST:
		return snprintf(buf, size, "%s%s'%s' is not a list of 1..%u "
				"integers in %" PRIu64 "..%" PRIu64
				", separated by commas", opt, sep, q, max_n,
				min, max);
	}
	if (size > 0)
		buf[0] = '\0';
	return -EINVAL;
}
