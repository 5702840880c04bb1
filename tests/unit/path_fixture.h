/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PATH_FIXTURE_H
#define PK_PATH_FIXTURE_H

/*
 * What the path tests share (test_path.c, test_path_counts.c): a stage or
 * a path made or the test fails. Include after pk_test.h.
 */

#include <pathkit/pathkit.h>

static inline struct pk_stage *
mk(const char *kind, const char *name, const char *args)
{
	struct pk_stage *s = pk_stage_create(kind, name, args, SOCKET_ID_ANY);

	assert_non_null(s);
	return s;
}

static inline struct pk_path *
mk_path(const char *name, enum pk_path_tail tail, struct pk_stage **st,
	unsigned int n)
{
	struct pk_path_conf conf = {
		.name = name, .owner = 42, .tail = tail,
		.flags = PK_STAGE_F_BYTES,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_path *p = pk_path_create(&conf, st, n);

	assert_non_null(p);
	return p;
}

#endif /* PK_PATH_FIXTURE_H */
