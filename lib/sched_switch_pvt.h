/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SCHED_SWITCH_PVT_H
#define SCHED_SWITCH_PVT_H

/*
 * What the two halves of a policy switch share: sched_switch_prep.c
 * checks and allocates (pk_sched_switch_prepare()), sched_switch.c makes
 * the switch and lets the old policy go (commit, finish). Not installed.
 */

#include "sched_pvt.h"


struct sched_switch {
	const struct pk_sched_policy *pol;
	void *sp;                    /* initialised */
	struct pk_sched_aqm_conf aqm;
	uint8_t *qbase;              /* the new records */
	size_t qsize;                /* its bytes */
	uint32_t qshift;
	uint8_t *retire;             /* the spare it outgrew, or NULL */
	uint64_t **slabs;            /* FIFO slabs with times, or NULL */
	uint32_t *params;            /* per queue id < nb_params, or NULL */
	uint32_t nb_params;
	bool committed;
	/* after commit: what finish lets go of */
	const struct pk_sched_policy *old_pol;
	void *old_sp;
	uint8_t *old_qbase;
	uint32_t old_qshift;
	uint64_t **old_slabs;
};

/* Free a switch's own parts (its policy if it was not committed). */
void sched_switch_free(struct pk_sched *sc, struct sched_switch *w);

/* Free a set of FIFO slabs (sc->max_queues / 64 + 1 of them) and the set. */
void sched_switch_free_slabs(const struct pk_sched *sc, uint64_t **slabs);

#endif /* SCHED_SWITCH_PVT_H */
