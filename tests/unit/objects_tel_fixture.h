/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_OBJECTS_TEL_FIXTURE_H
#define PK_OBJECTS_TEL_FIXTURE_H

/*
 * What the telemetry tests of running objects share
 * (test_objects_telemetry.c, test_objects_telemetry_churn.c): the pool, the
 * telemetry socket and the last reply, a command sent, a substring and a
 * null reply asserted, a stage drained. Include after pk_test.h.
 */

#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#define REPLY_MAX 16384

static struct rte_mempool *pool;
static int sock = -1;
static char reply[REPLY_MAX];

static inline const char *
tel(const char *cmd)
{
	return pk_test_tel(sock, cmd, reply, sizeof(reply));
}

/* Assert that the last reply holds s. */
static inline void
has(const char *s)
{
	if (strstr(reply, s) == NULL)
		fail_msg("no '%s' in %s", s, reply);
}

/* Assert cmd is answered {"<command>":null}. */
static inline void
null_reply(const char *cmd)
{
	char want[128];

	snprintf(want, sizeof(want), "{\"%.*s\":null}",
		 (int)strcspn(cmd, ","), cmd);
	assert_string_equal(tel(cmd), want);
}

/* Pull everything s gives and free it; return how many. */
static inline unsigned int
drain(struct pk_stage *s)
{
	struct rte_mbuf *m[32];
	unsigned int n = 0;
	uint16_t k;

	while ((k = pk_stage_pull(s, m, 32)) > 0) {
		rte_pktmbuf_free_bulk(m, k);
		n += k;
	}
	return n;
}

#endif /* PK_OBJECTS_TEL_FIXTURE_H */
