/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for a queue's "red" and "pie" arguments
 * (lib/dropper_parse.c, pk_dropper_parse(); lib/parse.c for the numbers;
 * librte_sched for rte_red_config_init(), no EAL).
 *
 * Input: byte 0 picks the key (0 "red", 1 "pie", 2 "codel", 3 NULL), byte
 * 1 is the size of the reason buffer (0..255), bytes 2..3 the queue's
 * capacity (little-endian), bytes 4.. the value. The value is copied into
 * a heap buffer of exactly its length plus the NUL, so AddressSanitizer
 * reports a read past the end. Invariants checked (abort() on a breach):
 *  - the result is 0 or -EINVAL;
 *  - on error the configuration is untouched and the reason is a
 *    non-empty line of printable ASCII, terminated within its buffer,
 *    nothing written past it; on success the reason is empty;
 *  - on success the kind is the key's, clock and seed are unset, the text
 *    has as many fields as the form allows, every field lies in its range
 *    (RED: min_th < max_th <= min(1023, capacity), maxp_inv 1..255,
 *    wq_log2 1..12, pkt_ns 1..10^9; PIE: each >= 1, tailq_th <= capacity)
 *    and rte_red_config_init() takes a RED one;
 *  - writing the configuration back as text with every field and reading
 *    that gives the same configuration.
 *
 *   ./fuzz_dropper -max_total_time=600 <new corpus dir> \
 *       tests/fuzz/corpus_dropper
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_red.h>

#include <pathkit/pk_dropper.h>

#include "fuzz_text.h"

#define HDR 4

static void
check_conf(const struct pk_dropper_conf *c, const char *val, unsigned int cap)
{
	unsigned int fields = 1;
	size_t i;

	for (i = 0; val[i] != '\0'; i++)
		fields += val[i] == ':';
	check(c->clock == NULL && c->clock_arg == NULL && c->seed == 0);
	if (cap > UINT16_MAX)
		cap = UINT16_MAX;
	if (c->kind == PK_DROPPER_RED) {
		struct rte_red_config rc;

		check(fields >= 3 && fields <= 5);
		check(c->red.min_th < c->red.max_th &&
		      c->red.max_th <= PK_DROPPER_RED_MAX_TH &&
		      c->red.max_th <= cap);
		check(c->red.maxp_inv >= 1 && c->red.maxp_inv <= 255);
		check(c->red.wq_log2 >= 1 && c->red.wq_log2 <= 12);
		check(c->red.pkt_ns >= 1 && c->red.pkt_ns <= 1000000000);
		check(rte_red_config_init(&rc, c->red.wq_log2, c->red.min_th,
					  c->red.max_th,
					  c->red.maxp_inv) == 0);
	} else {
		check(c->kind == PK_DROPPER_PIE);
		check(fields >= 1 && fields <= 4);
		check(c->pie.qdelay_ms >= 1 && c->pie.interval_ms >= 1 &&
		      c->pie.burst_ms >= 1 && c->pie.tailq_th >= 1 &&
		      c->pie.tailq_th <= cap);
	}
}

/* Every field written out and read back: the same configuration. */
static void
round_trip(const struct pk_dropper_conf *c, unsigned int cap)
{
	struct pk_dropper_conf d;
	char b[128];

	if (c->kind == PK_DROPPER_RED)
		snprintf(b, sizeof(b), "%u:%u:%u:%u:%u", c->red.min_th,
			 c->red.max_th, c->red.maxp_inv, c->red.wq_log2,
			 c->red.pkt_ns);
	else
		snprintf(b, sizeof(b), "%u:%u:%u:%u", c->pie.qdelay_ms,
			 c->pie.interval_ms, c->pie.burst_ms, c->pie.tailq_th);
	memset(&d, 0x5a, sizeof(d));
	check(pk_dropper_parse(c->kind == PK_DROPPER_RED ? "red" : "pie", b,
			       cap, &d, NULL, 0) == 0);
	check(memcmp(&d, c, sizeof(d)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "red", "pie", "codel", NULL };
	struct pk_dropper_conf c, sentinel;
	unsigned char err[ERR_MAX];
	const char *key;
	unsigned int cap;
	size_t esize;
	char *val;
	int rc;

	if (size < HDR)
		return 0;
	key = keys[data[0] % 4];
	esize = data[1];
	cap = data[2] | (unsigned int)data[3] << 8;
	val = fuzz_text(data + HDR, size - HDR);
	if (val == NULL)
		return 0;
	memset(&sentinel, 0x5a, sizeof(sentinel));
	c = sentinel;
	memset(err, 0xa5, sizeof(err));
	rc = pk_dropper_parse(key, val, cap, &c, esize ? (char *)err : NULL,
			      esize);
	check(rc == 0 || rc == -EINVAL);
	if (esize == 0)
		err[0] = 0xa5; /* NULL was passed: nothing to look at */
	check_reason((const char *)err, esize, rc == 0);
	if (rc != 0) {
		check(memcmp(&c, &sentinel, sizeof(c)) == 0);
	} else {
		check(key == keys[0] || key == keys[1]);
		check(c.kind == (key == keys[0] ? PK_DROPPER_RED :
						  PK_DROPPER_PIE));
		check_conf(&c, val, cap);
		round_trip(&c, cap);
	}
	free(val);
	return 0;
}
