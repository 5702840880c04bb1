/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-pspat's printout: per-client rates and Jain's fairness index (of
 * rate/weight) every period and at exit, the arbiter's rounds; at exit the
 * balance of every client, its mailbox and the arbiter.
 */
#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>

#include <pathkit/pathkit.h>

#include "pk_pspat.h"

/*
 * Rates since the last call, or at exit over the whole run (run_bytes, what
 * was sent before the stop); counts as they are now: at exit they include
 * what the arbiter sent, unshaped, when it stopped.
 */
void
print_stats(struct pk_arbiter *a, double secs, const char *when, bool at_exit)
{
	struct pk_arbiter_client_stats st;
	double x, sum = 0, sq = 0, mbps;
	struct pk_arbiter_stats as;
	uint32_t i;

	for (i = 0; i < opt.nb; i++) {
		pk_arbiter_client_stats_get(a, i, &st);
		mbps = (at_exit ? clients[i].run_bytes :
				  st.bytes - clients[i].last_bytes) * 8 /
		       secs / 1e6;
		clients[i].last_bytes = st.bytes;
		printf("%s client %u weight %u: %.2f Mbit/s sent %" PRIu64
		       " rejected %" PRIu64 " dropped %" PRIu64 " held %" PRIu64
		       "\n", when, i, clients[i].weight, mbps, st.sent,
		       st.rejected, st.dropped, st.held);
		x = mbps / RTE_MAX(clients[i].weight, 1u);
		sum += x;
		sq += x * x;
	}
	printf("%s jain %.4f\n", when, sq > 0 ? sum * sum / (opt.nb * sq) : 0);
	pk_arbiter_stats_get(a, &as);
	printf("%s arbiter rounds %" PRIu64 " empty %" PRIu64 " pkts/round "
	       "%.2f cycles/round %.1f\n", when, as.rounds, as.empty_rounds,
	       as.rounds ? (double)as.drained / as.rounds : 0,
	       as.rounds ? (double)as.loop_cycles / as.rounds : 0);
	fflush(stdout);
}

/*
 * At exit, the arbiter stopped (nothing moves): each client's admitted ==
 * sent + dropped + held, its mailbox stage's in == out + held, and the
 * same summed for the arbiter. Prints each and returns whether all hold.
 */
bool
print_balance(struct pk_arbiter *a)
{
	struct pk_arbiter_client_stats st;
	uint64_t adm = 0, out = 0;
	struct pk_arbiter_stats as;
	struct pk_stage_stats ms;
	struct pk_stage *mb;
	bool ok = true, c_ok;
	uint32_t i;

	for (i = 0; i < opt.nb; i++) {
		pk_arbiter_client_stats_get(a, i, &st);
		mb = pk_arbiter_client(a, i);
		pk_stage_stats_get(mb, &ms);
		c_ok = st.admitted == st.sent + st.dropped + st.held &&
		       ms.in_pkts == ms.out_pkts + ms.held;
		printf("exit client %u balance: admitted %" PRIu64 " = sent %"
		       PRIu64 " + dropped %" PRIu64 " + held %" PRIu64
		       " (mailbox %s: in %" PRIu64 " out %" PRIu64 " held %"
		       PRIu64 "): %s\n", i, st.admitted, st.sent, st.dropped,
		       st.held, pk_stage_name(mb), ms.in_pkts, ms.out_pkts,
		       ms.held, c_ok ? "holds" : "DOES NOT HOLD");
		ok &= c_ok;
		adm += st.admitted;
		out += st.sent + st.dropped;
	}
	pk_arbiter_stats_get(a, &as);
	c_ok = adm == out + as.held;
	printf("exit arbiter balance: admitted %" PRIu64 " = sent + dropped %"
	       PRIu64 " + held %" PRIu64 ": %s\n", adm, out, as.held,
	       c_ok ? "holds" : "DOES NOT HOLD");
	printf("exit arbiter drops in the scheduler: aqm %" PRIu64 " full %"
	       PRIu64 " (policy %s)\n", as.dropped_aqm, as.dropped_full,
	       pk_sched_policy_name(pk_arbiter_sched(a)));
	fflush(stdout);
	return ok && c_ok;
}
