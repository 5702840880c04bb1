/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_FUZZ_TEXT_H
#define PK_FUZZ_TEXT_H

/*
 * What the harnesses of text parsers that explain a refusal share
 * (fuzz_sched_policy, fuzz_portmap_spec, fuzz_dropper): the input text
 * copied into a heap buffer of exactly its length plus the NUL, so that
 * AddressSanitizer reports a read past the end; and the checks of the
 * reason buffer, which the harness fills with 0xa5 before the call. A
 * breach aborts: libFuzzer reports it. No DPDK, no EAL.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ERR_MAX 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void
check(bool ok)
{
	if (!ok)
		abort();
}

/* A reason: printable, terminated within size, the rest untouched. */
static inline void
check_reason(const char *err, size_t size, bool empty)
{
	size_t i, len;

	if (size == 0) {
		check((unsigned char)err[0] == 0xa5);
		return;
	}
	len = strnlen(err, size);
	check(len < size);
	check(empty ? len == 0 : len > 0 || size == 1);
	for (i = 0; i < len; i++)
		check(err[i] >= 0x20 && err[i] < 0x7f);
	for (i = size; i < ERR_MAX; i++)
		check((unsigned char)err[i] == 0xa5);
}

/* len bytes of data as a string on the heap, exactly its size; NULL if no
 * memory (the caller frees it). */
static inline char *
fuzz_text(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

#endif /* PK_FUZZ_TEXT_H */
