/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CAPTURE_PVT_H
#define PK_CAPTURE_PVT_H

/*
 * What the capture writer's files share (lib/capture.c: ring, batches,
 * thread; lib/capture_file.c: files, interface block, comments); not
 * installed.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_mbuf.h>
#include <rte_pcapng.h>

#include <pathkit/pk_capture.h>

#define CAPTURE_NOTE_MAX 320    /* a record's comment, bytes */
#define CAPTURE_NAME_MAX 64     /* path, owner, edge names kept */

/* The head of an Enhanced Packet Block, as rte_pcapng_copy() makes it. */
struct capture_epb {
	uint32_t type;
	uint32_t len;
	uint32_t ifid;
	uint32_t ts_hi;
	uint32_t ts_lo;
	uint32_t caplen;
	uint32_t origlen;
};

struct capture_writer {
	struct pk_capture_tap tap; /* first: the stage holds &tap */
	TAILQ_ENTRY(capture_writer) link;
	const struct pk_stage *stage;
	struct pk_capture_conf conf;  /* names point into the arrays below */
	char file[PATH_MAX];
	char path[CAPTURE_NAME_MAX], owner[CAPTURE_NAME_MAX];
	char edge[CAPTURE_NAME_MAX];
	char where[256];  /* "path=.. owner=.. stage=.." */
	bool where_set;
	uint8_t where_opt[CAPTURE_NOTE_MAX + 8]; /* where, as an option */
	uint32_t where_optlen;
	rte_pcapng_t *pc;             /* current file, or NULL */
	int fd;                       /* its descriptor (pc closes it) */
	uint32_t ifid;                /* our interface in the current file */
	uint32_t file_no;
	uint64_t file_records;
	uint64_t file_start;          /* TSC */
	uint64_t max_tsc;             /* max_seconds in TSC cycles */
	/* the last dropping stage named, so a run of drops looks up once */
	const struct pk_stage *from;
	char from_name[PK_STAGE_NAMESIZE];
	/* written, write_errors, files, bytes: the stage's; written by the
	 * writer, read by any thread */
	struct pk_capture_stats *st;
};

/* Bytes an option of len bytes of value takes: head, value, padding. */
static inline uint32_t
capture_optlen(uint32_t len)
{
	return 4 + RTE_ALIGN(len, 4);
}

/* Open w's next file (numbered if it rotates). @return 0 or -errno. */
int capture_file_open(struct capture_writer *w);

/* Close w's current file, if open. */
void capture_file_close(struct capture_writer *w);

/* Set w->where from the conf or the stage's path; where_set once final. */
void capture_where(struct capture_writer *w);

/*
 * Write record m's comment option into buf (CAPTURE_NOTE_MAX + 8 bytes):
 * w->where, and the drop note for a drop capture (m NULL: where alone).
 * @return the option's length, padding included.
 */
uint32_t capture_note(struct capture_writer *w, const struct rte_mbuf *m,
		      uint8_t *buf);

/* ---- capture_edge.c, capture_fan.c: captures on edges ---- */

/* What pointer an edge capture moved. */
enum capture_edge_how {
	EDGE_NEXT,  /* the pusher's next */
	EDGE_PREV,  /* the puller's prev */
	EDGE_DEMUX, /* a demux's output: its tap (pk_demux_flow_tap()) */
	EDGE_SCHED, /* a scheduler's input (pk_sched_queue_swap_stage()) */
};

/* What the live list tells of an edge, copied under its lock. */
struct edge_find {
	const char *from, *to;
	enum capture_edge_how how;
	struct pk_stage *sw;  /* the stage whose pointer moves */
	struct pk_stage *old; /* what it points to: the edge's other end */
	bool mt;              /* several threads push over it */
	char to_name[PK_STAGE_NAMESIZE];
	char path[PK_STAGE_NAMESIZE];
	char owner[64];
};

/* Name, in f, the path s is in (or is) and its owner, for the records. */
void capture_edge_place(const struct pk_stage *s, struct edge_find *f);

/*
 * capture_fan.c: is from -> to a demux's output or a scheduler's input?
 * @return 0 with f set, -ENOENT (no live stage of a name), -EINVAL (not
 *   such an edge).
 */
int capture_fan_find(struct edge_find *f);

/*
 * Put cap on (on) or take it off the fan edge f->sw / f->old, if f->sw
 * (named sw_name) is still live. @return 0, or -EAGAIN or -ENOENT (gone),
 * -EINVAL (no such edge now), or the demux's or scheduler's error.
 */
int capture_fan_swap(const struct edge_find *f, const char *sw_name,
		     struct pk_stage *cap, bool on);

/* What /pathkit/capture was asked (capture_args.c). */
enum capture_cmd_op {
	CAPTURE_CMD_LIST,  /* no parameters: the edges captured */
	CAPTURE_CMD_SHOW,  /* FROM or a capture's NAME: its counters */
	CAPTURE_CMD_ON,    /* on,FROM[,TO],FILE */
	CAPTURE_CMD_OFF,   /* off,FROM[,TO] */
};

struct capture_cmd {
	enum capture_cmd_op op;
	const char *from;  /* into the caller's buffer, or NULL */
	const char *to;
	const char *file;
};

/*
 * Parse /pathkit/capture's parameters: words split at commas into buf
 * (size bytes), none empty or holding a control byte, stage names
 * shorter than PK_STAGE_NAMESIZE (FROM, TO; a SHOW's word is checked by
 * its lookup, a FILE by open()).
 * @return 0 with cmd set, or -EINVAL (cmd then zeroed or partly set).
 */
int capture_cmd_parse(const char *params, char *buf, size_t size,
		      struct capture_cmd *cmd);

#endif /* PK_CAPTURE_PVT_H */
