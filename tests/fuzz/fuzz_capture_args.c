/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the parameters of /pathkit/capture
 * (lib/capture_args.c: "on,FROM[,TO],FILE", "off,FROM[,TO]", "NAME" or
 * none),
 * which anyone who can reach the telemetry socket sends.
 *
 * Input: byte 0 is the size of the buffer the words are split into
 * (0..255), bytes 1.. the parameters, copied into a heap buffer of exactly
 * their length plus the NUL, so AddressSanitizer reports a read past the
 * end; the word buffer is a heap buffer of exactly its size, so a write
 * past it is reported too. Invariants checked (abort() on a breach):
 *  - the result is 0 or -EINVAL;
 *  - on success each word it gives points into the word buffer, is
 *    non-empty, holds no comma and no control byte; FROM and TO are
 *    shorter than a stage name may be; joined again with commas after
 *    the operation's word they give back the input exactly.
 *
 *   ./fuzz_capture_args -max_total_time=600 <new corpus dir> \
 *       tests/fuzz/corpus_capture
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_pvt.h"

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_word(const char *w, const char *buf, size_t size, bool name)
{
	const char *p;

	check(w != NULL && w >= buf && w < buf + size && w[0] != '\0');
	for (p = w; *p != '\0'; p++)
		check(*p != ',' && (unsigned char)*p >= 0x20);
	check(!name || strlen(w) < PK_STAGE_NAMESIZE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct capture_cmd c;
	char *in, *buf, again[1100];
	size_t size;
	int rc;

	if (len < 1 || len > 1024)
		return 0;
	size = data[0];
	in = malloc(len);
	buf = malloc(size ? size : 1);
	memcpy(in, data + 1, len - 1);
	in[len - 1] = '\0';
	rc = capture_cmd_parse(in, buf, size, &c);
	check(rc == 0 || rc == -EINVAL);
	if (rc == 0) {
		switch (c.op) {
		case CAPTURE_CMD_LIST:
			check(in[0] == '\0');
			break;
		case CAPTURE_CMD_SHOW:
			check_word(c.from, buf, size, false);
			check(strcmp(c.from, in) == 0);
			break;
		case CAPTURE_CMD_OFF:
			check_word(c.from, buf, size, true);
			if (c.to != NULL)
				check_word(c.to, buf, size, true);
			snprintf(again, sizeof(again), "off,%s%s%s", c.from,
				 c.to ? "," : "", c.to ? c.to : "");
			check(strcmp(again, in) == 0);
			break;
		case CAPTURE_CMD_ON:
			check_word(c.from, buf, size, true);
			if (c.to != NULL)
				check_word(c.to, buf, size, true);
			check_word(c.file, buf, size, false);
			snprintf(again, sizeof(again), "on,%s%s%s,%s", c.from,
				 c.to ? "," : "", c.to ? c.to : "", c.file);
			check(strcmp(again, in) == 0);
			break;
		default:
			check(false);
		}
	}
	free(buf);
	free(in);
	return 0;
}
