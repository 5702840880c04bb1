/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PATHKIT_H
#define PATHKIT_H

/**
 * @file
 * PathKit: Scout/SILK paths on DPDK. Include this for the whole public API.
 * Start with pk_stage.h (the Stage contract, ownership and threads).
 */

#include <pathkit/pk_version.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_stage.h>
#include <pathkit/pk_stage_worker.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_proc.h>
#include <pathkit/pk_tee.h>
#include <pathkit/pk_capture.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_port.h>
#include <pathkit/pk_sched.h>
#include <pathkit/pk_sched_policy.h>
#include <pathkit/pk_flow.h>
#include <pathkit/pk_rcu.h>
#include <pathkit/pk_demux.h>
#include <pathkit/pk_runner.h>
#include <pathkit/pk_thread.h>
#include <pathkit/pk_arbiter.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_portmap.h>
#include <pathkit/pk_node.h>
#include <pathkit/pk_sock.h>
#include <pathkit/pk_udp.h>
#include <pathkit/pk_raw.h>
#include <pathkit/pk_conf.h>
#include <pathkit/pk_ctl.h>

#endif /* PATHKIT_H */
