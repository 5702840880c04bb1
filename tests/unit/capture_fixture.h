/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CAPTURE_FIXTURE_H
#define PK_CAPTURE_FIXTURE_H

/*
 * What the tests of captures switched while another lcore moves packets
 * share (test_capture_edge.c, test_capture_fan.c): the EAL on lcores 0 and
 * 1, a pool, a directory for the files (removed at the end, empty: each
 * test unlinks its files); a reader of the pcapng files that gives the
 * seqs of their records (pk_test_seq()'s place in the frame); a wait for
 * the mover's counter. Include after pk_test.h.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_pause.h>

static struct rte_mempool *pool;
static char dir[64];

/*
 * The seqs of a capture file's records, in order; with note, each record's
 * comment must be note (without, comments are not looked at).
 * @return how many.
 */
static inline unsigned int
file_seqs(const char *file, const char *note, uint32_t *seq, unsigned int max)
{
	FILE *f = fopen(file, "rb");
	uint32_t hdr[2], caplen, s, o;
	uint16_t code, olen;
	unsigned int n = 0;
	bool commented;
	uint8_t *b;

	assert_non_null(f);
	while (fread(hdr, 4, 2, f) == 2) {
		b = malloc(hdr[1] - 8);
		assert_int_equal(fread(b, 1, hdr[1] - 8, f), hdr[1] - 8);
		if (hdr[0] == 6) {
			memcpy(&caplen, b + 12, 4);
			assert_true(caplen >= 46);
			memcpy(&s, b + 20 + 42, 4);
			if (n < max)
				seq[n] = rte_be_to_cpu_32(s);
			n++;
			commented = note == NULL;
			for (o = 20 + RTE_ALIGN(caplen, 4);
			     note != NULL && o + 4 <= hdr[1] - 12;
			     o += 4 + RTE_ALIGN(olen, 4)) {
				memcpy(&code, b + o, 2);
				memcpy(&olen, b + o + 2, 2);
				if (code == 0)
					break;
				if (code == 1) {
					assert_int_equal(olen, strlen(note));
					assert_memory_equal(b + o + 4, note, olen);
					commented = true;
				}
			}
			assert_true(commented);
		}
		free(b);
	}
	fclose(f);
	return n;
}

/* Wait until *count (atomic) grew by more, for a second at most. */
static inline void
wait_count(const uint64_t *count, uint64_t more)
{
	uint64_t target = __atomic_load_n(count, __ATOMIC_ACQUIRE) + more;
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz();

	while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < target &&
	       rte_get_timer_cycles() < deadline)
		rte_pause();
}

/* The EAL on lcores 0 and 1 (prefix name), dir /tmp/<tag>_<pid>, pool of
 * nb mbufs. @return 0, or -1 if the directory cannot be made. */
static inline int
capture_fixture_init(const char *name, const char *tag, unsigned int nb)
{
	static const char *const eal[] = { "-l", "0,1", NULL };

	pk_test_eal_init(name, NULL, eal);
	snprintf(dir, sizeof(dir), "/tmp/%s_%d", tag, (int)getpid());
	if (mkdir(dir, 0755) != 0)
		return -1;
	pool = pk_test_pool(name, nb);
	return 0;
}

static inline void
capture_fixture_fini(void)
{
	rmdir(dir);
	pk_test_eal_cleanup();
}

#endif /* PK_CAPTURE_FIXTURE_H */
