/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PARSE_H
#define PK_PARSE_H

/**
 * @file
 * Strict numbers from strings a user or a peer supplied: command-line
 * options, stage arguments, telemetry parameters. One grammar everywhere:
 * ASCII digits only (no sign, no space before, after or inside, no empty
 * string, nothing after the number but the unit the function names), no
 * NaN, infinity or exponent, no wrap-around, and an explicit range
 * [min, max] for every value. A nonzero value that its unit would cut to 0
 * (0.5 bit/s, 0.1 ns) is refused rather than read as 0, which options often
 * take to mean "unlimited" or "forever".
 *
 * Errors: -EINVAL when the text is not a number of that kind, -ERANGE when
 * it is one but lies outside [min, max] (or past 2^64-1); the output is left
 * untouched on any error. pk_parse_explain() turns a refusal into one line
 * that names the option and the accepted range.
 *
 * Threads: every function is thread-safe and reentrant; none allocates or
 * keeps state. Strings must be NUL-terminated; nothing past the NUL is read.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of value, for pk_parse_explain(): what the range means. */
enum pk_parse_kind {
	PK_PARSE_INT,      /**< pk_parse_u64(): decimal integer */
	PK_PARSE_HEX,      /**< pk_parse_x64(): hexadecimal integer */
	PK_PARSE_RATE,     /**< pk_parse_rate(): bit/s */
	PK_PARSE_DURATION, /**< pk_parse_duration(): nanoseconds */
	PK_PARSE_LIST,     /**< pk_parse_u64_list(): range of each element */
};

/** Most bytes of the refused text pk_parse_explain() quotes. */
#define PK_PARSE_QUOTE_MAX 40

/**
 * Parse a decimal integer: one or more digits 0-9, nothing else (leading
 * zeros are decimal, not octal).
 * @param s the text, NUL-terminated
 * @param min smallest value accepted
 * @param max largest value accepted
 * @param v receives the value; untouched on error
 * @return 0, or -EINVAL (s or v NULL, empty, a character that is not a
 *   digit), -ERANGE (above 2^64-1, or outside [min, max]).
 */
int pk_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v);

/**
 * Parse a hexadecimal integer, as masks are written (testpmd's --portmask,
 * EAL's -c): hex digits 0-9 a-f A-F, with or without a leading "0x" or
 * "0X" ("10" is sixteen).
 * @param s the text, NUL-terminated
 * @param min smallest value accepted
 * @param max largest value accepted
 * @param v receives the value; untouched on error
 * @return 0, or -EINVAL (s or v NULL, empty, "0x" alone, a character that
 *   is not a hex digit), -ERANGE (more than 64 bits, or outside [min, max]).
 */
int pk_parse_x64(const char *s, uint64_t min, uint64_t max, uint64_t *v);

/**
 * Parse a rate in bit/s: digits, optionally a point and more digits, then
 * optionally an SI prefix k or K (10^3), M (10^6), G (10^9), T (10^12),
 * then optionally "bit/s" or "bps": "10000", "100M", "1.5G", "2.5Gbit/s".
 * The result is exact (no floating point); digits below 1 bit/s are cut
 * off, and a nonzero rate that this cuts to 0 is refused.
 * @param s the text, NUL-terminated
 * @param min smallest rate accepted, bit/s (0 only if "0" may mean
 *   something, such as "unlimited")
 * @param max largest rate accepted, bit/s
 * @param bps receives the rate in bit/s; untouched on error
 * @return 0, or -EINVAL (s or bps NULL, not of that form: a sign, a space,
 *   an exponent, "nan", "inf", an unknown unit, ".5", "1."), -ERANGE (above
 *   2^64-1, a nonzero rate below 1 bit/s, or outside [min, max]).
 */
int pk_parse_rate(const char *s, uint64_t min, uint64_t max, uint64_t *bps);

/**
 * Parse a duration: digits, optionally a point and more digits, then
 * optionally a unit s, ms, us or ns; seconds without one. "2", "1.5",
 * "250ms", "10us". The result is exact, in nanoseconds; digits below 1 ns
 * are cut off, and a nonzero duration that this cuts to 0 is refused.
 * @param s the text, NUL-terminated
 * @param min shortest duration accepted, ns (0 only if "0" may mean
 *   something, such as "forever")
 * @param max longest duration accepted, ns
 * @param ns receives the duration in nanoseconds; untouched on error
 * @return 0, or -EINVAL (s or ns NULL, not of that form: a sign, a space,
 *   an exponent, "nan", "inf", an unknown unit), -ERANGE (above 2^64-1 ns,
 *   a nonzero duration below 1 ns, or outside [min, max]).
 */
int pk_parse_duration(const char *s, uint64_t min, uint64_t max,
		      uint64_t *ns);

/**
 * Parse a comma-separated list of decimal integers ("1,2,4"), each as
 * pk_parse_u64() reads one: no empty element, no space, no sign.
 * @param s the text, NUL-terminated
 * @param min smallest value accepted for each element
 * @param max largest value accepted for each element
 * @param v receives the elements, room for max_n; untouched on error
 * @param max_n most elements accepted, 1..INT_MAX
 * @return the number of elements (1..max_n), or -EINVAL (s or v NULL,
 *   max_n 0 or above INT_MAX, empty, an empty element, a character that is
 *   neither a digit nor a comma), -E2BIG (more than max_n elements),
 *   -ERANGE (an element above 2^64-1 or outside [min, max]). A syntax error
 *   anywhere wins over a count or range error.
 */
int pk_parse_u64_list(const char *s, uint64_t min, uint64_t max, uint64_t *v,
		      unsigned int max_n);

/**
 * Parse a single value of a kind: pk_parse_u64(), pk_parse_x64(),
 * pk_parse_rate() or pk_parse_duration(), chosen by kind, so that a table of
 * options can say each one's kind and range in one place.
 * @param kind PK_PARSE_INT, PK_PARSE_HEX, PK_PARSE_RATE or PK_PARSE_DURATION
 * @param s the text, NUL-terminated
 * @param min smallest value accepted
 * @param max largest value accepted
 * @param v receives the value; untouched on error
 * @return as the parser of that kind; -EINVAL also for PK_PARSE_LIST or an
 *   unknown kind.
 */
int pk_parse_num(enum pk_parse_kind kind, const char *s, uint64_t min,
		 uint64_t max, uint64_t *v);

/**
 * Quote text a user or a peer supplied, for a message: at most
 * PK_PARSE_QUOTE_MAX bytes of it, then "..." if there was more; quotes,
 * backslashes and bytes that are not printable ASCII written as \\xNN.
 * @param buf where to write, always NUL-terminated when size > 0; 4 *
 *   PK_PARSE_QUOTE_MAX + 4 bytes hold any quote
 * @param size bytes at buf
 * @param s the text; NULL is written as the empty string
 * @return the length of the whole quote (as snprintf(): if it is >= size,
 *   the quote was cut), or -EINVAL (buf NULL with size > 0).
 */
int pk_parse_quote(char *buf, size_t size, const char *s);

/**
 * Write the line that says why a value was refused, naming the option and
 * the range, for example "--clients: '4294967297' is not an integer in
 * 1..64". The value is quoted as pk_parse_quote() quotes it, so that
 * hostile text cannot garble a terminal or a log. Ranges are written in the kind's units
 * (rates with SI prefixes, durations in the largest exact unit).
 * @param buf where to write, always NUL-terminated when size > 0
 * @param size bytes at buf
 * @param opt the option's name as the user typed it ("--clients"), or a
 *   parameter's name; NULL for none
 * @param val the refused text; NULL is written as ''
 * @param kind what was parsed
 * @param min smallest value accepted (of each element, for a list)
 * @param max largest value accepted (of each element, for a list)
 * @param max_n PK_PARSE_LIST: most elements; ignored otherwise
 * @return the length of the whole line (as snprintf(): if it is >= size, the
 *   line was cut), or -EINVAL (buf NULL with size > 0, unknown kind).
 */
int pk_parse_explain(char *buf, size_t size, const char *opt, const char *val,
		     enum pk_parse_kind kind, uint64_t min, uint64_t max,
		     unsigned int max_n);

#ifdef __cplusplus
}
#endif

#endif /* PK_PARSE_H */
