/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the number parsers (lib/parse.c, pk_parse.h).
 *
 * Input: byte 0 picks the parser (its value / 5 % 16 + 1 is a list's most
 * elements), byte 1 the range (even: 0..2^64-1; odd: min and max from bytes
 * 2..17, little-endian), bytes 18.. the text. The text is copied into a heap
 * buffer of exactly its length plus the NUL, so AddressSanitizer reports a
 * read past the end. Invariants checked (abort() on a breach):
 *  - the result is 0 (count for a list) or one of the documented -errno;
 *  - on error the output is untouched;
 *  - on success the value lies in [min, max], is not 0 if the text has a
 *    nonzero digit, and printing it in a canonical form and parsing that
 *    gives the same value back;
 *  - integers agree with an independent reading (digits only, strtoull);
 *    rates and durations agree with strtold() of their digits within one
 *    unit;
 *  - the explanation of any text is NUL-terminated within its buffer and
 *    holds printable ASCII only.
 *
 *   ./fuzz_parse_num -max_total_time=600 <new corpus dir> tests/fuzz/corpus_num
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pk_parse.h>

#define HDR 18
#define SENTINEL 0x5a5a5a5a5a5a5a5aull
#define MAX_LIST 16

enum { F_U64, F_X64, F_RATE, F_DURATION, F_LIST, F_MAX };

typedef int (*parse_fn)(const char *, uint64_t, uint64_t, uint64_t *);

static const parse_fn fns[] = {
	[F_U64] = pk_parse_u64, [F_X64] = pk_parse_x64,
	[F_RATE] = pk_parse_rate, [F_DURATION] = pk_parse_duration,
};

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
check(bool ok)
{
	if (!ok)
		abort();
}

/* Parse a canonical text of v again: the same value must come back. */
static void
round_trip(int f, const char *fmt_suffix, uint64_t v, uint64_t div,
	   uint64_t min, uint64_t max)
{
	char b[64];
	uint64_t w = SENTINEL;

	if (v % div != 0)
		return;
	snprintf(b, sizeof(b), f == F_X64 ? "0x%" PRIx64 "%s" :
					    "%" PRIu64 "%s", v / div,
		 fmt_suffix);
	check(fns[f](b, min, max, &w) == 0 && w == v);
}

/* Independent reading of a decimal integer: digits only, then strtoull. */
static int
ref_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	size_t i;

	if (s[0] == '\0')
		return -EINVAL;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	errno = 0;
	x = strtoull(s, NULL, 10);
	if (errno == ERANGE || x < min || x > max)
		return -ERANGE;
	*v = x;
	return 0;
}

/* A rate or duration the parser took: within one unit of strtold()'s. */
static void
check_scaled(const char *s, int f, uint64_t v)
{
	size_t n = strspn(s, "0123456789.");
	const char *u = s + n;
	long double x, scale = 1;
	char num[64];

	if (n >= sizeof(num))
		return; /* too long for strtold to be exact enough anyway */
	memcpy(num, s, n);
	num[n] = '\0';
	if (f == F_RATE)
		scale = *u == 'k' || *u == 'K' ? 1e3L : *u == 'M' ? 1e6L :
			*u == 'G' ? 1e9L : *u == 'T' ? 1e12L : 1;
	else
		scale = strcmp(u, "ms") == 0 ? 1e6L : strcmp(u, "us") == 0 ?
			1e3L : strcmp(u, "ns") == 0 ? 1 : 1e9L;
	x = strtold(num, NULL) * scale;
	check((long double)v <= x * (1 + 1e-15L) + 1 &&
	      (long double)v >= x * (1 - 1e-15L) - 1);
}

static void
fuzz_one(int f, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v = SENTINEL, r = SENTINEL;
	int rc = fns[f](s, min, max, &v);

	check(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc != 0) {
		check(v == SENTINEL);
	} else {
		check(v >= min && v <= max);
		/* a nonzero text never reads as 0 ("unlimited", "forever") */
		check(v != 0 || strpbrk(s, "123456789") == NULL);
	}
	switch (f) {
	case F_U64:
		check(ref_u64(s, min, max, &r) == rc && (rc != 0 || r == v));
		if (rc == 0)
			round_trip(f, "", v, 1, min, max);
		break;
	case F_X64:
		if (rc == 0)
			round_trip(f, "", v, 1, min, max);
		break;
	case F_RATE:
		if (rc != 0)
			break;
		check_scaled(s, f, v);
		round_trip(f, "", v, 1, min, max);
		round_trip(f, "bit/s", v, 1, min, max);
		round_trip(f, "k", v, 1000, min, max);
		round_trip(f, "Gbps", v, 1000000000, min, max);
		break;
	case F_DURATION:
		if (rc != 0)
			break;
		check_scaled(s, f, v);
		round_trip(f, "ns", v, 1, min, max);
		round_trip(f, "us", v, 1000, min, max);
		round_trip(f, "", v, 1000000000, min, max);
		break;
	}
}

static void
fuzz_list(const char *s, uint64_t min, uint64_t max, unsigned int max_n)
{
	uint64_t v[MAX_LIST], w[MAX_LIST];
	char b[MAX_LIST * 21 + 1];
	size_t o = 0;
	int rc, i;

	for (i = 0; i < MAX_LIST; i++)
		v[i] = SENTINEL;
	rc = pk_parse_u64_list(s, min, max, v, max_n);
	check(rc == -EINVAL || rc == -ERANGE || rc == -E2BIG ||
	      (rc >= 1 && rc <= (int)max_n));
	for (i = rc < 0 ? 0 : rc; i < MAX_LIST; i++)
		check(v[i] == SENTINEL);
	if (rc < 0)
		return;
	for (i = 0; i < rc; i++) {
		check(v[i] >= min && v[i] <= max);
		o += (size_t)snprintf(b + o, sizeof(b) - o, "%s%" PRIu64,
				      i ? "," : "", v[i]);
	}
	check(pk_parse_u64_list(b, min, max, w, max_n) == rc);
	check(memcmp(v, w, (size_t)rc * sizeof(v[0])) == 0);
}

/* The explanation of any text: terminated in its buffer, printable. */
static void
fuzz_explain(const char *s, int f, uint64_t min, uint64_t max,
	     unsigned int max_n, size_t size)
{
	char b[512];
	int n;
	size_t i, len;

	memset(b, 0x7f, sizeof(b));
	n = pk_parse_explain(b, size, "--opt", s, (enum pk_parse_kind)f, min,
			     max, max_n);
	check(n > 0 && n < (int)sizeof(b));
	if (size == 0) {
		check(b[0] == 0x7f);
		return;
	}
	len = strlen(b);
	check(len == ((size_t)n < size ? (size_t)n : size - 1));
	for (i = 0; i < len; i++)
		check(b[i] >= 0x20 && b[i] < 0x7f);
	check(b[size] == 0x7f || size == sizeof(b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t min = 0, max = UINT64_MAX;
	unsigned int max_n;
	char *s;
	int f;

	if (size < HDR)
		return 0;
	f = data[0] % F_MAX;
	max_n = (unsigned int)(data[0] / F_MAX) % MAX_LIST + 1;
	if (data[1] & 1) {
		min = get64(data + 2);
		max = get64(data + 10);
	}
	s = malloc(size - HDR + 1); /* exactly the text and its NUL */
	if (s == NULL)
		return 0;
	memcpy(s, data + HDR, size - HDR);
	s[size - HDR] = '\0';
	if (f == F_LIST)
		fuzz_list(s, min, max, max_n);
	else
		fuzz_one(f, s, min, max);
	fuzz_explain(s, f, min, max, max_n, data[1] % 200);
	free(s);
	return 0;
}
