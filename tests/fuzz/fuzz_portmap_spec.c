/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for port reservation specs, "OWNER:PROTO:LO[-HI][@ADDR]"
 * (lib/portmap_spec.c, read by pk_portmap_reserve_str(), pk-silk's
 * --reserve and the /pathkit/portmap_reserve telemetry command).
 *
 * Input: byte 0 is the size of the reason buffer (0..255), bytes 1.. the
 * spec. The spec is copied into a heap buffer of exactly its length plus
 * the NUL, so AddressSanitizer reports a read past the end. Invariants
 * checked (abort() on a breach):
 *  - the result is 0, -EINVAL or -ERANGE;
 *  - on error the output is untouched and the reason is a non-empty line
 *    of printable ASCII, NUL-terminated within its buffer, nothing written
 *    past it;
 *  - on success the reason is empty; the owner is a valid name and the
 *    spec's text up to the first ':'; the protocol is UDP or TCP;
 *    1 <= lo <= hi; the address is none, IPv4 or IPv6 and normalizes;
 *    writing the reservation back as a spec and reading that gives the
 *    same reservation.
 *
 *   ./fuzz_portmap_spec -max_total_time=600 <new corpus dir> \
 *       tests/fuzz/corpus_portmap
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pk_internal.h"
#include "portmap_pvt.h"

#include "fuzz_text.h"

static void
check_parsed(const char *spec, const struct pm_spec *s)
{
	char again[2 * ERR_MAX], err[ERR_MAX];
	size_t n = strlen(s->owner);
	struct pm_spec t;
	struct pm_addr a;

	check(pk_owner_name_ok(s->owner));
	check(strncmp(spec, s->owner, n) == 0 && spec[n] == ':');
	check(s->proto == IPPROTO_UDP || s->proto == IPPROTO_TCP);
	check(s->lo >= 1 && s->lo <= s->hi);
	check(s->addr.ss_family == AF_UNSPEC || s->addr.ss_family == AF_INET ||
	      s->addr.ss_family == AF_INET6);
	check(pm_addr_from(&a, (const struct sockaddr *)&s->addr) == 0);
	check(pm_spec_format(again, sizeof(again), s->owner, s->proto, s->lo,
			     s->hi, (const struct sockaddr *)&s->addr) <
	      (int)sizeof(again));
	memset(&t, 0x5a, sizeof(t));
	check(pm_spec_parse(again, &t, err, sizeof(err)) == 0);
	check(memcmp(s, &t, sizeof(t)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_spec s, untouched;
	char err[ERR_MAX];
	size_t errlen;
	char *spec;
	int rc;

	if (size < 1)
		return 0;
	errlen = data[0];
	spec = fuzz_text(data + 1, size - 1);
	if (spec == NULL)
		return 0;
	memset(err, 0xa5, sizeof(err));
	memset(&s, 0x5a, sizeof(s));
	untouched = s;
	rc = pm_spec_parse(spec, &s, errlen != 0 ? err : NULL, errlen);
	check(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc != 0) {
		check(memcmp(&s, &untouched, sizeof(s)) == 0);
		check_reason(err, errlen, false);
	} else {
		check_reason(err, errlen, true);
		check_parsed(spec, &s);
	}
	free(spec);
	return 0;
}
