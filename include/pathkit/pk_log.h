/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_LOG_H
#define PK_LOG_H

/**
 * @file
 * PathKit's rte_log type, "lib.pathkit". Change its level with EAL's
 * --log-level=lib.pathkit:debug, or rte_log_set_level(pk_logtype, ...).
 */

#include <rte_log.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The library's log type, registered when the library loads. */
extern int pk_logtype;

/** Log from PathKit: PK_LOG(ERR, "%s: bad size %u", name, size). */
#define PK_LOG(level, fmt, ...)                                                \
	rte_log(RTE_LOG_##level, pk_logtype, "pathkit: " fmt "\n",             \
		##__VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* PK_LOG_H */
