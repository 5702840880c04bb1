/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the text of runtime changes (lib/ctl_key.c,
 * lib/ctl.c): demux keys as the prompt's add/del key and telemetry's
 * /pathkit/key_add read them, and telemetry's comma-separated parameters
 * (/pathkit/sched_weight,SCHED,QUEUE,VALUE, ...), and the KEY=VALUE
 * arguments of a policy switch (lib/ctl_policy.c: /pathkit/sched_policy,
 * the prompt's set policy). Only the parsers run: no EAL, no object is
 * looked up.
 *
 * Input: byte 0 picks the parser (bit 2: policy arguments; else bit 0:
 * key or fields; bit 1: two or three fields), byte 1 is the size of the reason buffer (0..255), bytes
 * 2.. the text, copied into a heap buffer of exactly its length plus the
 * NUL, so that AddressSanitizer reports a read past it. Invariants (abort()
 * on a breach):
 *  - the result is 0 or -EINVAL;
 *  - on error the reason is a non-empty line of printable ASCII,
 *    NUL-terminated within its buffer (when it has room);
 *  - a key read: its demux's name and target (if any) are names; family 4
 *    or 6; protocol TCP, UDP, ICMP or ICMPv6; the pad 0; a passive key has
 *    no remote end; written back as "DEMUX TEXT [-> TARGET]" it reads the
 *    same key;
 *  - fields read: exactly n, none holding a comma, joined by commas they
 *    are the text;
 *  - policy arguments read: only keys of the table marked, durations in
 *    1 ns..1 h, counts >= 1, ecn on or off exactly when given, param
 *    marked exactly when given.
 *
 *   ./fuzz_ctl -max_total_time=600 <new corpus dir> tests/fuzz/corpus_ctl
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_pvt.h"

#define ERR_MAX 256

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_reason(int rc, const char *err, size_t errlen)
{
	size_t i, n;

	check(rc == 0 || rc == -EINVAL);
	if (rc == 0 || errlen == 0)
		return;
	n = strnlen(err, errlen);
	check(n < errlen && (n > 0 || errlen == 1));
	for (i = 0; i < n; i++)
		check(err[i] >= 0x20 && err[i] < 0x7f);
}

static void
fuzz_key(const char *text, char *err, size_t errlen)
{
	struct pk_ctl_key k, k2;
	char again[2 * PK_CTL_KEY_MAX];
	int rc;

	rc = pk_ctl_key_parse(text, &k, err, errlen);
	check_reason(rc, err, errlen);
	if (rc != 0)
		return;
	check(ctl_name_check(k.demux, "", NULL, 0) == 0);
	check(k.target[0] == '\0' ||
	      ctl_name_check(k.target, "", NULL, 0) == 0);
	check(k.key.family == 4 || k.key.family == 6);
	check(k.key.proto == IPPROTO_TCP || k.key.proto == IPPROTO_UDP ||
	      k.key.proto == IPPROTO_ICMP || k.key.proto == IPPROTO_ICMPV6);
	check(k.key.pad == 0);
	check(strstr(k.text, " <- ") != NULL || k.key.rport == 0);
	snprintf(again, sizeof(again), "%s %s%s%s", k.demux, k.text,
		 k.target[0] != '\0' ? " -> " : "", k.target);
	check(pk_ctl_key_parse(again, &k2, NULL, 0) == 0);
	check(memcmp(&k.key, &k2.key, sizeof(k.key)) == 0);
	check(strcmp(k.text, k2.text) == 0);
	check(strcmp(k.target, k2.target) == 0);
}

static void
fuzz_fields(const char *text, unsigned int n, char *err, size_t errlen)
{
	char buf[ERR_MAX], joined[ERR_MAX + 8], *f[3];
	size_t len = 0;
	unsigned int i;
	int rc;

	rc = ctl_fields(text, buf, sizeof(buf), f, n, "A,B", err, errlen);
	check_reason(rc, err, errlen);
	if (rc != 0)
		return;
	joined[0] = '\0';
	for (i = 0; i < n; i++) {
		check(strchr(f[i], ',') == NULL);
		len += (size_t)snprintf(joined + len, sizeof(joined) - len,
					"%s%s", i > 0 ? "," : "", f[i]);
		check(len < sizeof(joined));
	}
	check(strcmp(joined, text) == 0);
}

static void
fuzz_policy_args(const char *text, char *err, size_t errlen)
{
	const uint64_t hour = 3600ULL * 1000000000;
	struct ctl_pol_args a;
	int rc;

	rc = ctl_pol_args_parse(text, &a, err, errlen);
	check_reason(rc, err, errlen);
	if (rc != 0)
		return;
	check(a.mask >> 11 == 0);
	check(a.has_param == ((a.mask & 1) != 0));
	check(a.aqm.target_ns <= hour && a.aqm.interval_ns <= hour &&
	      a.aqm.burst_ns <= hour);
	check(!(a.mask & (1u << 1)) || a.aqm.target_ns >= 1);
	check(!(a.mask & (1u << 5)) || a.aqm.limit >= 1);
	check(a.aqm.ecn == PK_SCHED_ECN_DEFAULT || a.aqm.ecn == PK_SCHED_ECN_ON ||
	      a.aqm.ecn == PK_SCHED_ECN_OFF);
	check((a.aqm.ecn != PK_SCHED_ECN_DEFAULT) == ((a.mask & (1u << 10)) != 0));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ERR_MAX], *text;
	size_t errlen;

	if (size < 2)
		return 0;
	errlen = data[1];
	text = malloc(size - 1);
	if (text == NULL)
		return 0;
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';
	memset(err, 0x55, sizeof(err));
	if (data[0] & 4)
		fuzz_policy_args(text, err, errlen);
	else if (data[0] & 1)
		fuzz_fields(text, data[0] & 2 ? 3 : 2, err, errlen);
	else
		fuzz_key(text, err, errlen);
	free(text);
	return 0;
}
