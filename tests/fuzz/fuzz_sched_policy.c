/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for a scheduler's policy string
 * (lib/sched_hier_parse.c, pk_sched_policy_split(): "wfq" or
 * "owners:OUTER,flows:INNER"; no registry, no EAL).
 *
 * Input: byte 0 is the size of the reason buffer (0..255), bytes 1.. the
 * string, copied into a heap buffer of exactly its length plus the NUL, so
 * AddressSanitizer reports a read past the end. Invariants (abort() on a
 * breach):
 *  - the result is 0 (one level), 1 (two levels) or -EINVAL;
 *  - on error the names are untouched and the reason is a non-empty line
 *    of printable ASCII, terminated within its buffer, nothing written past
 *    it; on success the reason is empty;
 *  - on success each name is 1..PK_SCHED_POLICY_PARTSIZE - 1 characters of
 *    [A-Za-z0-9_-], the inner one empty exactly for one level;
 *  - the names written back ("o", or "owners:o,flows:i" and "o/i") split
 *    into the same names.
 *
 *   ./fuzz_sched_policy -max_total_time=600 <new corpus dir> \
 *       tests/fuzz/corpus_sched_policy
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pk_sched.h>
#include <pathkit/pk_sched_policy.h>

#include "fuzz_text.h"

static void
check_name(const char *n, bool may_be_empty)
{
	size_t i, len = strnlen(n, PK_SCHED_POLICY_PARTSIZE);

	check(len < PK_SCHED_POLICY_PARTSIZE);
	check(len > 0 || may_be_empty);
	for (i = 0; i < len; i++)
		check((n[i] >= 'a' && n[i] <= 'z') ||
		      (n[i] >= 'A' && n[i] <= 'Z') ||
		      (n[i] >= '0' && n[i] <= '9') || n[i] == '_' ||
		      n[i] == '-');
}

/* text splits into the names o and in, at level lv */
static void
round_trip(const char *text, const char *o, const char *in, int lv)
{
	char o2[PK_SCHED_POLICY_PARTSIZE], in2[PK_SCHED_POLICY_PARTSIZE];

	check(pk_sched_policy_split(text, o2, in2, NULL, 0) == lv);
	check(strcmp(o, o2) == 0 && strcmp(in, in2) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char o[PK_SCHED_POLICY_PARTSIZE], in[PK_SCHED_POLICY_PARTSIZE];
	unsigned char err[ERR_MAX];
	char b[2 * PK_SCHED_POLICY_NAMESIZE];
	size_t esize;
	char *s;
	int rc;

	if (size < 1)
		return 0;
	esize = data[0];
	s = fuzz_text(data + 1, size - 1);
	if (s == NULL)
		return 0;
	memset(o, 0x5a, sizeof(o));
	memset(in, 0x5a, sizeof(in));
	memset(err, 0xa5, sizeof(err));
	rc = pk_sched_policy_split(s, o, in, esize ? (char *)err : NULL,
				   esize);
	check(rc == 0 || rc == 1 || rc == -EINVAL);
	if (esize == 0)
		err[0] = 0xa5; /* NULL was passed: nothing to look at */
	check_reason((const char *)err, esize, rc >= 0);
	if (rc < 0) {
		for (size_t i = 0; i < sizeof(o); i++)
			check(o[i] == 0x5a && in[i] == 0x5a);
	} else {
		check_name(o, false);
		check_name(in, rc == 0);
		check((in[0] == '\0') == (rc == 0));
		if (rc == 0) {
			round_trip(o, o, in, 0);
		} else {
			snprintf(b, sizeof(b), "owners:%s,flows:%s", o, in);
			round_trip(b, o, in, 1);
			snprintf(b, sizeof(b), "%s/%s", o, in);
			round_trip(b, o, in, 1);
		}
	}
	free(s);
	return 0;
}
