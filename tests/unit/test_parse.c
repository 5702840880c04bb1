/* SPDX-License-Identifier: BSD-3-Clause */
/* pk_parse: tables of good and hostile texts for each parser (signs, spaces,
 * empty, trailing garbage, 2^64 and past, nan, inf, exponents, hex where it
 * is not allowed, values cut to 0), the output untouched on every error,
 * NULL arguments, pk_parse_num() by kind, and the quote and explanation
 * lines (option, range, escaping, a small buffer). The parser needs no
 * EAL, so this binary starts none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pathkit/pk_parse.h>

#define U64MAX UINT64_MAX
#define SENTINEL 0x5a5a5a5a5a5a5a5aull

typedef int (*parse_fn)(const char *, uint64_t, uint64_t, uint64_t *);

struct num_case {
	const char *s;
	uint64_t min, max;
	int rc;      /* 0, -EINVAL, -ERANGE */
	uint64_t v;  /* when rc is 0 */
};

/* Each case: the result, and on error the output left as it was. */
static void
run_cases(const char *fn_name, parse_fn fn, const struct num_case *c,
	  size_t n)
{
	uint64_t v;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		v = SENTINEL;
		rc = fn(c[i].s, c[i].min, c[i].max, &v);
		if (rc != c[i].rc || (rc == 0 && v != c[i].v) ||
		    (rc != 0 && v != SENTINEL))
			fail_msg("%s(\"%s\", %ju, %ju): rc %d v %ju, want rc "
				 "%d v %ju", fn_name, c[i].s,
				 (uintmax_t)c[i].min, (uintmax_t)c[i].max, rc,
				 (uintmax_t)v, c[i].rc, (uintmax_t)c[i].v);
	}
}

#define RUN(fn, cases) run_cases(#fn, fn, cases, sizeof(cases) / sizeof(cases[0]))

static void
test_u64_decimal_only_in_range(void **state)
{
	static const struct num_case cases[] = {
		{ "0", 0, 10, 0, 0 },
		{ "7", 0, 10, 0, 7 },
		{ "010", 0, 100, 0, 10 },            /* decimal, not octal */
		{ "64", 1, 64, 0, 64 },
		{ "1", 1, 64, 0, 1 },
		{ "18446744073709551615", 0, U64MAX, 0, U64MAX },
		{ "000000000000000000000000000042", 0, 100, 0, 42 },
		{ "65", 1, 64, -ERANGE, 0 },
		{ "0", 1, 64, -ERANGE, 0 },
		{ "4294967297", 1, 64, -ERANGE, 0 }, /* 2^32+1: no wrap */
		{ "18446744073709551616", 0, U64MAX, -ERANGE, 0 }, /* 2^64 */
		{ "18446744073709551617", 0, U64MAX, -ERANGE, 0 },
		{ "99999999999999999999999999", 0, U64MAX, -ERANGE, 0 },
		{ "", 0, 10, -EINVAL, 0 },
		{ "-1", 0, U64MAX, -EINVAL, 0 },
		{ "+1", 0, 10, -EINVAL, 0 },
		{ " 1", 0, 10, -EINVAL, 0 },
		{ "1 ", 0, 10, -EINVAL, 0 },
		{ "\t1", 0, 10, -EINVAL, 0 },
		{ "1\n", 0, 10, -EINVAL, 0 },
		{ "1x", 0, 10, -EINVAL, 0 },
		{ "0x10", 0, 100, -EINVAL, 0 },
		{ "1e3", 0, 10000, -EINVAL, 0 },
		{ "1.0", 0, 10, -EINVAL, 0 },
		{ "1,2", 0, 100, -EINVAL, 0 },
		{ "nan", 0, 10, -EINVAL, 0 },
		{ "inf", 0, 10, -EINVAL, 0 },
		{ "--1", 0, 10, -EINVAL, 0 },
		{ "1_000", 0, 10000, -EINVAL, 0 },
		{ "\xd9\xa1", 0, 10, -EINVAL, 0 },  /* Arabic-Indic one */
		{ "99999999999999999999999x", 0, U64MAX, -EINVAL, 0 },
	};

	(void)state;
	RUN(pk_parse_u64, cases);
}

static void
test_x64_hex_with_or_without_0x(void **state)
{
	static const struct num_case cases[] = {
		{ "0x3", 1, U64MAX, 0, 3 },
		{ "3", 1, U64MAX, 0, 3 },
		{ "10", 0, U64MAX, 0, 16 },
		{ "0XfF", 0, U64MAX, 0, 255 },
		{ "0", 0, U64MAX, 0, 0 },
		{ "0xffffffffffffffff", 0, U64MAX, 0, U64MAX },
		{ "0x0000000000000000000001", 0, U64MAX, 0, 1 },
		{ "0x0", 1, U64MAX, -ERANGE, 0 },
		{ "0x10000000000000000", 0, U64MAX, -ERANGE, 0 },
		{ "0x", 0, U64MAX, -EINVAL, 0 },
		{ "", 0, U64MAX, -EINVAL, 0 },
		{ "x1", 0, U64MAX, -EINVAL, 0 },
		{ "-0x1", 0, U64MAX, -EINVAL, 0 },
		{ " 0x1", 0, U64MAX, -EINVAL, 0 },
		{ "0x1g", 0, U64MAX, -EINVAL, 0 },
		{ "0x0x1", 0, U64MAX, -EINVAL, 0 },
		{ "0x1 ", 0, U64MAX, -EINVAL, 0 },
	};

	(void)state;
	RUN(pk_parse_x64, cases);
}

static void
test_rate_units_exact_no_float_words(void **state)
{
	static const struct num_case cases[] = {
		{ "10000", 0, U64MAX, 0, 10000 },
		{ "100M", 0, U64MAX, 0, 100000000 },
		{ "1.5G", 0, U64MAX, 0, 1500000000 },
		{ "2.5Gbit/s", 0, U64MAX, 0, 2500000000 },
		{ "1kbps", 0, U64MAX, 0, 1000 },
		{ "1K", 0, U64MAX, 0, 1000 },
		{ "10T", 0, U64MAX, 0, 10000000000000 },
		{ "100bit/s", 0, U64MAX, 0, 100 },
		{ "0", 0, U64MAX, 0, 0 },                /* "unlimited", if min 0 */
		{ "0.0", 0, U64MAX, 0, 0 },
		{ "1.9", 0, U64MAX, 0, 1 },              /* below 1 bit/s: cut */
		{ "0.001k", 0, U64MAX, 0, 1 },
		{ "1.0000000000000000000000001G", 0, U64MAX, 0, 1000000000 },
		{ "18446744073709551615", 0, U64MAX, 0, U64MAX },
		{ "0.5", 0, U64MAX, -ERANGE, 0 },        /* would be 0: unshaped */
		{ "0.0001k", 0, U64MAX, -ERANGE, 0 },
		{ "0", 1, U64MAX, -ERANGE, 0 },
		{ "10.001T", 0, 10000000000000, -ERANGE, 0 },
		{ "18446744073709551616", 0, U64MAX, -ERANGE, 0 },
		{ "18446744073.709551616G", 0, U64MAX, -ERANGE, 0 },
		{ "20000000T", 0, U64MAX, -ERANGE, 0 },
		{ "", 0, U64MAX, -EINVAL, 0 },
		{ "-1", 0, U64MAX, -EINVAL, 0 },
		{ "+1M", 0, U64MAX, -EINVAL, 0 },
		{ " 1M", 0, U64MAX, -EINVAL, 0 },
		{ "1M ", 0, U64MAX, -EINVAL, 0 },
		{ "1 M", 0, U64MAX, -EINVAL, 0 },
		{ "1e30", 0, U64MAX, -EINVAL, 0 },
		{ "1E3", 0, U64MAX, -EINVAL, 0 },
		{ "nan", 0, U64MAX, -EINVAL, 0 },
		{ "NaN", 0, U64MAX, -EINVAL, 0 },
		{ "inf", 0, U64MAX, -EINVAL, 0 },
		{ "infG", 0, U64MAX, -EINVAL, 0 },
		{ "infinity", 0, U64MAX, -EINVAL, 0 },
		{ "0x10", 0, U64MAX, -EINVAL, 0 },
		{ "0x1p3", 0, U64MAX, -EINVAL, 0 },
		{ ".5G", 0, U64MAX, -EINVAL, 0 },
		{ "1.G", 0, U64MAX, -EINVAL, 0 },
		{ "1..5G", 0, U64MAX, -EINVAL, 0 },
		{ "1,5G", 0, U64MAX, -EINVAL, 0 },
		{ "1m", 0, U64MAX, -EINVAL, 0 },         /* milli? no */
		{ "1g", 0, U64MAX, -EINVAL, 0 },
		{ "1Gb", 0, U64MAX, -EINVAL, 0 },
		{ "1GG", 0, U64MAX, -EINVAL, 0 },
		{ "1Mibit/s", 0, U64MAX, -EINVAL, 0 },
		{ "1bit/sx", 0, U64MAX, -EINVAL, 0 },
		{ "G", 0, U64MAX, -EINVAL, 0 },
		{ "bps", 0, U64MAX, -EINVAL, 0 },
	};

	(void)state;
	RUN(pk_parse_rate, cases);
}

static void
test_duration_units_ns_no_float_words(void **state)
{
	static const struct num_case cases[] = {
		{ "2", 0, U64MAX, 0, 2000000000 },
		{ "1.5", 0, U64MAX, 0, 1500000000 },
		{ "2s", 0, U64MAX, 0, 2000000000 },
		{ "250ms", 0, U64MAX, 0, 250000000 },
		{ "10us", 0, U64MAX, 0, 10000 },
		{ "7ns", 0, U64MAX, 0, 7 },
		{ "0.000000001", 0, U64MAX, 0, 1 },
		{ "0.0000000019", 0, U64MAX, 0, 1 },     /* below 1 ns: cut */
		{ "0", 0, U64MAX, 0, 0 },                /* "forever", if min 0 */
		{ "0ms", 0, U64MAX, 0, 0 },
		{ "18446744073.709551615", 0, U64MAX, 0, U64MAX },
		{ "0", 1, U64MAX, -ERANGE, 0 },
		{ "0.0000000001", 0, U64MAX, -ERANGE, 0 }, /* would be 0 */
		{ "0.5ns", 0, U64MAX, -ERANGE, 0 },
		{ "18446744074", 0, U64MAX, -ERANGE, 0 },  /* > 2^64 ns */
		{ "99999999999999999999", 0, U64MAX, -ERANGE, 0 },
		{ "11", 0, 10000000000, -ERANGE, 0 },
		{ "999us", 1000000, U64MAX, -ERANGE, 0 },
		{ "", 0, U64MAX, -EINVAL, 0 },
		{ "-1", 0, U64MAX, -EINVAL, 0 },
		{ "+1", 0, U64MAX, -EINVAL, 0 },
		{ " 1", 0, U64MAX, -EINVAL, 0 },
		{ "1 s", 0, U64MAX, -EINVAL, 0 },
		{ "nan", 0, U64MAX, -EINVAL, 0 },
		{ "inf", 0, U64MAX, -EINVAL, 0 },
		{ "1e3", 0, U64MAX, -EINVAL, 0 },
		{ "0x10", 0, U64MAX, -EINVAL, 0 },
		{ "1m", 0, U64MAX, -EINVAL, 0 },
		{ "1h", 0, U64MAX, -EINVAL, 0 },
		{ "1sec", 0, U64MAX, -EINVAL, 0 },
		{ "1ss", 0, U64MAX, -EINVAL, 0 },
		{ "1S", 0, U64MAX, -EINVAL, 0 },
		{ "1.", 0, U64MAX, -EINVAL, 0 },
		{ ".1", 0, U64MAX, -EINVAL, 0 },
		{ "s", 0, U64MAX, -EINVAL, 0 },
	};

	(void)state;
	RUN(pk_parse_duration, cases);
}

struct list_case {
	const char *s;
	uint64_t min, max;
	unsigned int max_n;
	int rc;              /* count, or -errno */
	uint64_t v[4];
};

static void
test_list_elements_count_and_range(void **state)
{
	static const struct list_case cases[] = {
		{ "1,2,4", 1, 100, 4, 3, { 1, 2, 4 } },
		{ "7", 0, 100, 1, 1, { 7 } },
		{ "0,0,0,0", 0, 0, 4, 4, { 0, 0, 0, 0 } },
		{ "18446744073709551615,1", 0, U64MAX, 4, 2, { U64MAX, 1 } },
		{ "1,2,3,4,5", 1, 100, 4, -E2BIG, { 0 } },
		{ "1,2,101", 1, 100, 4, -ERANGE, { 0 } },
		{ "0,1", 1, 100, 4, -ERANGE, { 0 } },
		{ "1,18446744073709551616", 0, U64MAX, 4, -ERANGE, { 0 } },
		{ "", 1, 100, 4, -EINVAL, { 0 } },
		{ ",", 1, 100, 4, -EINVAL, { 0 } },
		{ "1,", 1, 100, 4, -EINVAL, { 0 } },
		{ ",1", 1, 100, 4, -EINVAL, { 0 } },
		{ "1,,2", 1, 100, 4, -EINVAL, { 0 } },
		{ "-1,1", 0, U64MAX, 4, -EINVAL, { 0 } },
		{ "1,+1", 0, U64MAX, 4, -EINVAL, { 0 } },
		{ "1, 2", 1, 100, 4, -EINVAL, { 0 } },
		{ "1;2", 1, 100, 4, -EINVAL, { 0 } },
		{ "1.5,2", 1, 100, 4, -EINVAL, { 0 } },
		{ "0x1,2", 1, 100, 4, -EINVAL, { 0 } },
		{ "1,nan", 1, 100, 4, -EINVAL, { 0 } },
		/* syntax wins over count and range */
		{ "1,2,3,4,5,x", 1, 100, 4, -EINVAL, { 0 } },
		{ "999,-1", 1, 100, 4, -EINVAL, { 0 } },
		/* count wins over range */
		{ "999,1,1,1,1", 1, 100, 4, -E2BIG, { 0 } },
	};
	uint64_t v[4];
	size_t i, j;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct list_case *c = &cases[i];

		for (j = 0; j < 4; j++)
			v[j] = SENTINEL;
		rc = pk_parse_u64_list(c->s, c->min, c->max, v, c->max_n);
		if (rc != c->rc)
			fail_msg("list \"%s\": rc %d, want %d", c->s, rc,
				 c->rc);
		for (j = 0; j < 4; j++)
			if (v[j] != ((int)j < rc ? c->v[j] : SENTINEL))
				fail_msg("list \"%s\": v[%zu] = %ju", c->s, j,
					 (uintmax_t)v[j]);
	}
}

static void
test_num_picks_the_parser_of_its_kind(void **state)
{
	uint64_t v = SENTINEL;

	(void)state;
	assert_int_equal(pk_parse_num(PK_PARSE_INT, "10", 0, 100, &v), 0);
	assert_true(v == 10);
	assert_int_equal(pk_parse_num(PK_PARSE_HEX, "10", 0, 100, &v), 0);
	assert_true(v == 16);
	assert_int_equal(pk_parse_num(PK_PARSE_RATE, "1k", 0, 1000, &v), 0);
	assert_true(v == 1000);
	assert_int_equal(pk_parse_num(PK_PARSE_DURATION, "2us", 0, 9000, &v),
			 0);
	assert_true(v == 2000);
	assert_int_equal(pk_parse_num(PK_PARSE_LIST, "1", 0, 9, &v), -EINVAL);
	assert_int_equal(pk_parse_num((enum pk_parse_kind)99, "1", 0, 9, &v),
			 -EINVAL);
	assert_int_equal(pk_parse_num(PK_PARSE_INT, "1k", 0, 9000, &v),
			 -EINVAL);
	assert_true(v == 2000);
}

static void
test_null_and_bad_arguments(void **state)
{
	uint64_t v = SENTINEL;
	char buf[8];

	(void)state;
	assert_int_equal(pk_parse_u64(NULL, 0, 1, &v), -EINVAL);
	assert_int_equal(pk_parse_u64("1", 0, 1, NULL), -EINVAL);
	assert_int_equal(pk_parse_x64(NULL, 0, 1, &v), -EINVAL);
	assert_int_equal(pk_parse_x64("1", 0, 1, NULL), -EINVAL);
	assert_int_equal(pk_parse_rate(NULL, 0, 1, &v), -EINVAL);
	assert_int_equal(pk_parse_rate("1", 0, 1, NULL), -EINVAL);
	assert_int_equal(pk_parse_duration(NULL, 0, 1, &v), -EINVAL);
	assert_int_equal(pk_parse_duration("1", 0, 1, NULL), -EINVAL);
	assert_int_equal(pk_parse_u64_list(NULL, 0, 1, &v, 1), -EINVAL);
	assert_int_equal(pk_parse_u64_list("1", 0, 1, NULL, 1), -EINVAL);
	assert_int_equal(pk_parse_u64_list("1", 0, 1, &v, 0), -EINVAL);
	assert_int_equal(pk_parse_u64_list("1", 0, 1, &v, 1u << 31), -EINVAL);
	assert_true(v == SENTINEL);
	/* min above max: nothing fits */
	assert_int_equal(pk_parse_u64("5", 6, 4, &v), -ERANGE);
	assert_int_equal(pk_parse_explain(NULL, 1, "x", "1", PK_PARSE_INT, 0,
					  1, 0), -EINVAL);
	assert_int_equal(pk_parse_explain(buf, sizeof(buf), "x", "1",
					  (enum pk_parse_kind)99, 0, 1, 0),
			 -EINVAL);
	assert_string_equal(buf, "");
}

static void
test_explain_names_option_and_range(void **state)
{
	char b[256];

	(void)state;
	pk_parse_explain(b, sizeof(b), "--clients", "4294967297", PK_PARSE_INT,
			 1, 64, 0);
	assert_string_equal(b, "--clients: '4294967297' is not an integer "
			    "in 1..64");
	pk_parse_explain(b, sizeof(b), "--portmask", "0xg", PK_PARSE_HEX, 1,
			 U64MAX, 0);
	assert_string_equal(b, "--portmask: '0xg' is not a hexadecimal "
			    "integer in 0x1..0xffffffffffffffff");
	pk_parse_explain(b, sizeof(b), "--rate", "0.5", PK_PARSE_RATE, 0,
			 10000000000000ull, 0);
	assert_non_null(strstr(b, "--rate: '0.5' is not a rate in 0..10T "
			       "bit/s"));
	pk_parse_explain(b, sizeof(b), "--rate", "x", PK_PARSE_RATE, 1500,
			 1234567, 0);
	assert_non_null(strstr(b, "in 1500..1234567 bit/s"));
	pk_parse_explain(b, sizeof(b), "--duration", "nan",
			 PK_PARSE_DURATION, 0, 10000000000000000ull, 0);
	assert_non_null(strstr(b, "--duration: 'nan' is not a duration in "
			       "0..10000000s"));
	pk_parse_explain(b, sizeof(b), "--stats-period", "0",
			 PK_PARSE_DURATION, 1000000, 1500, 0);
	assert_non_null(strstr(b, "in 1ms..1500ns"));
	pk_parse_explain(b, sizeof(b), "--weights", "-1,1", PK_PARSE_LIST, 1,
			 65536, 64);
	assert_non_null(strstr(b, "--weights: '-1,1' is not a list of 1..64 "
			       "integers in 1..65536"));
	pk_parse_explain(b, sizeof(b), NULL, "x", PK_PARSE_INT, 0, 1, 0);
	assert_string_equal(b, "'x' is not an integer in 0..1");
	pk_parse_explain(b, sizeof(b), "--n", NULL, PK_PARSE_INT, 0, 1, 0);
	assert_string_equal(b, "--n: '' is not an integer in 0..1");
}

static void
test_explain_escapes_and_cuts_hostile_text(void **state)
{
	char b[512], longval[200];
	int n;

	(void)state;
	pk_parse_explain(b, sizeof(b), "--n", "a'\x1b[2J\n\\\xff", PK_PARSE_INT,
			 0, 1, 0);
	assert_string_equal(b, "--n: 'a\\x27\\x1b[2J\\x0a\\x5c\\xff' is not "
			    "an integer in 0..1");
	assert_int_equal(pk_parse_quote(b, sizeof(b), "ok\t'"), 10);
	assert_string_equal(b, "ok\\x09\\x27");
	assert_int_equal(pk_parse_quote(b, 3, "abcdef"), 6);
	assert_string_equal(b, "ab");
	assert_int_equal(pk_parse_quote(b, sizeof(b), NULL), 0);
	assert_string_equal(b, "");
	assert_int_equal(pk_parse_quote(NULL, 1, "x"), -EINVAL);
	memset(longval, '9', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = '\0';
	pk_parse_explain(b, sizeof(b), "--n", longval, PK_PARSE_INT, 0, 1, 0);
	assert_non_null(strstr(b, "'9999999999999999999999999999999999999999"
			       "...' is"));
	/* a small buffer: cut, terminated, and the full length returned */
	n = pk_parse_explain(b, 10, "--clients", "5", PK_PARSE_INT, 1, 4, 0);
	assert_int_equal(n, (int)strlen("--clients: '5' is not an integer "
					"in 1..4"));
	assert_string_equal(b, "--clients");
	assert_int_equal(pk_parse_explain(NULL, 0, "--x", "5", PK_PARSE_INT,
					  1, 4, 0), n - 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_decimal_only_in_range),
		cmocka_unit_test(test_x64_hex_with_or_without_0x),
		cmocka_unit_test(test_rate_units_exact_no_float_words),
		cmocka_unit_test(test_duration_units_ns_no_float_words),
		cmocka_unit_test(test_list_elements_count_and_range),
		cmocka_unit_test(test_num_picks_the_parser_of_its_kind),
		cmocka_unit_test(test_null_and_bad_arguments),
		cmocka_unit_test(test_explain_names_option_and_range),
		cmocka_unit_test(test_explain_escapes_and_cuts_hostile_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
