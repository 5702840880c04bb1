/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture writer: what a proc_capture stage (drivers/proc/proc_capture.c)
 * hands its copies to. The stage enqueues rte_pcapng_copy() records on the
 * writer's ring; the writer, on the library's "pk-capture" control thread
 * or in the application's pk_capture_poll() calls, dequeues them, adds the
 * comment that says where each was taken, and writes them to the current
 * file, opening numbered files as they fill or age (pk_capture.h).
 *
 * Why records are written here and not by rte_pcapng_write_packets(): in
 * DPDK 22.11 rte_pcapng_copy() takes no comment, and write_packets() maps
 * a record's mbuf port to an interface through a table filled only for the
 * ethdev ports present when the file was opened (other ports read
 * uninitialised memory). So each file gets an interface block of its own
 * after the ports' (rte_pcapng_fdopen() writes the section and those), and
 * each record is written with writev(): its block as rte_pcapng_copy() made
 * it, then the comment and end-of-options, then the new block length.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_ring.h>

#include <pathkit/pk_capture.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_version.h>

#include "capture_pvt.h"
#include "pk_internal.h"

#define CAPTURE_BATCH 32        /* records a writev() carries */
#define CAPTURE_IDLE_US 1000    /* the writer thread's sleep when idle */

static struct {
	pthread_mutex_t lock;
	TAILQ_HEAD(, capture_writer) list; /* writers the thread serves */
	unsigned int n;
	uint32_t *stop;   /* the running thread's stop flag, or NULL */
	pthread_t tid;
	uint32_t ids;     /* for unique ring and pool names */
} capture_thr = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.list = TAILQ_HEAD_INITIALIZER(capture_thr.list),
};

static struct capture_writer *
writer_of(const struct pk_capture_tap *tap)
{
	return (struct capture_writer *)(uintptr_t)tap;
}

struct capture_batch {
	struct iovec iov[3 * CAPTURE_BATCH];
	uint8_t note[CAPTURE_BATCH][CAPTURE_NOTE_MAX + 8];
	uint32_t tail[CAPTURE_BATCH][2]; /* end of options, block length */
	unsigned int n;
	size_t bytes;
	uint64_t now; /* TSC, read once per dequeue */
};

static void
capture_flush(struct capture_writer *w, struct capture_batch *b)
{
	ssize_t rc;

	if (b->n == 0)
		return;
	rc = writev(w->fd, b->iov, 3 * b->n);
	if (rc == (ssize_t)b->bytes) {
		pk_counter_add(&w->st->written, b->n);
		pk_counter_add(&w->st->bytes, b->bytes);
	} else {
		pk_counter_add(&w->st->write_errors, b->n);
	}
	w->file_records += b->n;
	b->n = 0;
	b->bytes = 0;
}

/* Add record m (freed after the flush) to the batch; rotate first if due. */
static void
capture_record(struct capture_writer *w, struct capture_batch *b,
	       struct rte_mbuf *m)
{
	struct capture_epb *epb = rte_pktmbuf_mtod(m, struct capture_epb *);
	bool drops = w->conf.flags & PK_CAPTURE_F_DROPS;
	uint32_t olen, blen = rte_pktmbuf_data_len(m), nlen;
	unsigned int i = b->n;
	uint8_t *note;

	if (m->nb_segs != 1 || blen < sizeof(*epb) + 4 || epb->len != blen) {
		pk_counter_add(&w->st->write_errors, 1); /* not one of ours */
		return;
	}
	/* the same comment on every record, unless they are drops */
	note = w->where_opt;
	olen = w->where_optlen;
	if (drops)
		olen = capture_note(w, m, note = b->note[i]);
	nlen = blen + olen + 4;
	if (w->pc != NULL && w->file_records + b->n != 0 &&
	    ((w->conf.max_bytes != 0 &&
	      w->st->bytes + b->bytes + nlen > w->conf.max_bytes) ||
	     (w->max_tsc != 0 && b->now > w->file_start &&
	      b->now - w->file_start >= w->max_tsc))) {
		capture_flush(w, b);
		capture_file_close(w);
		capture_file_open(w);
		i = 0;
		if (drops) { /* the batch is written: its note goes first */
			memmove(b->note[0], note, olen);
			note = b->note[0];
		}
	}
	if (w->pc == NULL) {
		pk_counter_add(&w->st->write_errors, 1);
		return;
	}
	epb->len = nlen;
	epb->ifid = w->ifid;
	b->tail[i][0] = 0;
	b->tail[i][1] = nlen;
	b->iov[3 * i] = (struct iovec){ epb, blen - 4 };
	b->iov[3 * i + 1] = (struct iovec){ note, olen };
	b->iov[3 * i + 2] = (struct iovec){ b->tail[i], 8 };
	b->n = i + 1;
	b->bytes += nlen;
}

unsigned int
pk_capture_writer_poll(struct pk_capture_tap *tap, unsigned int max)
{
	struct capture_writer *w = writer_of(tap);
	struct rte_mbuf *m[CAPTURE_BATCH];
	struct capture_batch b;
	unsigned int done = 0, n, i;

	/* a configuration builds the path around its capture after the
	 * capture started its writer: looked for until found */
	if (!w->where_set)
		capture_where(w);
	b.n = 0;
	b.bytes = 0;
	while (done < max) {
		n = rte_ring_sc_dequeue_burst(tap->ring, (void **)m,
					      RTE_MIN(max - done, (unsigned int)CAPTURE_BATCH),
					      NULL);
		if (n == 0)
			break;
		b.now = w->max_tsc != 0 ? rte_get_tsc_cycles() : 0;
		for (i = 0; i < n; i++)
			capture_record(w, &b, m[i]);
		capture_flush(w, &b);
		rte_pktmbuf_free_bulk(m, n);
		done += n;
	}
	return done;
}

/* The "pk-capture" control thread: drains every writer it serves. */
static void *
capture_thread_main(void *arg)
{
	uint32_t *stop = arg;
	struct capture_writer *w;
	unsigned int n;

	while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
		n = 0;
		pthread_mutex_lock(&capture_thr.lock);
		TAILQ_FOREACH(w, &capture_thr.list, link)
			n += pk_capture_writer_poll(&w->tap, 4 * CAPTURE_BATCH);
		pthread_mutex_unlock(&capture_thr.lock);
		if (n == 0)
			rte_delay_us_sleep(CAPTURE_IDLE_US);
	}
	free(stop);
	return NULL;
}

/* Serve w from the thread, starting it if it is not running. */
static int
capture_thread_add(struct capture_writer *w)
{
	uint32_t *stop;
	int rc = 0;

	pthread_mutex_lock(&capture_thr.lock);
	if (capture_thr.stop == NULL) {
		stop = calloc(1, sizeof(*stop));
		rc = stop == NULL ? -ENOMEM :
		     rte_ctrl_thread_create(&capture_thr.tid, "pk-capture",
					    NULL, capture_thread_main, stop);
		if (rc > 0)
			rc = -rc; /* 22.11 returns a positive errno */
		if (rc == 0)
			capture_thr.stop = stop;
		else
			free(stop);
	}
	if (rc == 0) {
		TAILQ_INSERT_TAIL(&capture_thr.list, w, link);
		capture_thr.n++;
	}
	pthread_mutex_unlock(&capture_thr.lock);
	return rc;
}

/* Stop serving w; the last one stops the thread (joined here). */
static void
capture_thread_del(struct capture_writer *w)
{
	uint32_t *stop = NULL;
	pthread_t tid;

	pthread_mutex_lock(&capture_thr.lock);
	TAILQ_REMOVE(&capture_thr.list, w, link);
	if (--capture_thr.n == 0) {
		stop = capture_thr.stop;
		tid = capture_thr.tid;
		capture_thr.stop = NULL;
	}
	pthread_mutex_unlock(&capture_thr.lock);
	if (stop != NULL) {
		__atomic_store_n(stop, 1, __ATOMIC_RELEASE);
		pthread_join(tid, NULL); /* it frees stop */
	}
}

static void
capture_free(struct capture_writer *w)
{
	capture_file_close(w);
	rte_ring_free(w->tap.ring);
	rte_mempool_free(w->tap.pool);
	rte_free(w);
}

static int
capture_conf_check(const struct pk_capture_conf *c)
{
	if (c == NULL || c->file == NULL || c->file[0] == '\0' ||
	    strlen(c->file) >= PATH_MAX ||
	    (c->snaplen != 0 && (c->snaplen < PK_CAPTURE_SNAPLEN_MIN ||
				 c->snaplen > PK_CAPTURE_SNAPLEN_MAX)) ||
	    (c->ring != 0 && (!rte_is_power_of_2(c->ring) || c->ring < 64 ||
			      c->ring > (1u << 24))) ||
	    c->max_seconds > 10000000 ||
	    (c->flags & ~(PK_CAPTURE_F_DROPS | PK_CAPTURE_F_MT |
			  PK_CAPTURE_F_POLLED)))
		return -EINVAL;
	return 0;
}

struct pk_capture_tap *
pk_capture_writer_open(const struct pk_stage *stage,
		       const struct pk_capture_conf *conf,
		       struct pk_capture_stats *wst, int socket_id)
{
	struct capture_writer *w;
	char name[RTE_MEMZONE_NAMESIZE];
	uint32_t id, room;
	int rc;

	rc = capture_conf_check(conf);
	if (stage == NULL || wst == NULL || rc != 0) {
		PK_LOG(ERR, "%s: capture needs file=, snaplen %u..%u, ring a "
		       "power of 2 from 64, max_seconds up to 10^7",
		       stage != NULL ? stage->name : "(null)",
		       PK_CAPTURE_SNAPLEN_MIN, PK_CAPTURE_SNAPLEN_MAX);
		rte_errno = EINVAL;
		return NULL;
	}
	w = rte_zmalloc_socket("pk_capture", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->stage = stage;
	w->st = wst;
	w->conf = *conf;
	snprintf(w->file, sizeof(w->file), "%s", conf->file);
	snprintf(w->path, sizeof(w->path), "%s", conf->path ? conf->path : "");
	snprintf(w->owner, sizeof(w->owner), "%s",
		 conf->owner ? conf->owner : "");
	snprintf(w->edge, sizeof(w->edge), "%s",
		 conf->edge ? conf->edge : stage->name);
	w->conf.file = w->file;
	w->conf.snaplen = conf->snaplen ? conf->snaplen : PK_CAPTURE_SNAPLEN;
	w->conf.ring = conf->ring ? conf->ring : PK_CAPTURE_RING;
	w->max_tsc = conf->max_seconds * rte_get_tsc_hz();
	w->fd = -1;
	w->tap.snaplen = w->conf.snaplen;
	id = __atomic_fetch_add(&capture_thr.ids, 1, __ATOMIC_RELAXED);
	snprintf(name, sizeof(name), "pkcap_r%u", id);
	w->tap.ring = rte_ring_create(name, w->conf.ring, socket_id,
				      RING_F_SC_DEQ |
				      (conf->flags & PK_CAPTURE_F_MT ? 0 :
				       RING_F_SP_ENQ));
	/* one segment per record: the packet cut to snaplen, padded, the
	 * options rte_pcapng_copy() appends, behind the block head */
	room = RTE_PKTMBUF_HEADROOM + RTE_ALIGN(w->conf.snaplen, 4) + 64;
	snprintf(name, sizeof(name), "pkcap_p%u", id);
	/* a cache: the path's lcore takes copies in bulk (the writer, no
	 * lcore, gives them back straight to the pool) */
	if (w->tap.ring != NULL)
		w->tap.pool = rte_pktmbuf_pool_create(name, w->conf.ring + 511,
						      64, 0, room, socket_id);
	if (w->tap.ring == NULL || w->tap.pool == NULL) {
		rc = -rte_errno;
		PK_LOG(ERR, "%s: no ring or pool of %u copies: %s", w->edge,
		       w->conf.ring, rte_strerror(rte_errno));
		goto fail;
	}
	rc = capture_file_open(w);
	if (rc == 0 && !(conf->flags & PK_CAPTURE_F_POLLED))
		rc = capture_thread_add(w);
	if (rc == 0)
		return &w->tap;
fail:
	capture_free(w);
	rte_errno = -rc;
	return NULL;
}

void
pk_capture_writer_close(struct pk_capture_tap *tap)
{
	struct capture_writer *w;

	if (tap == NULL)
		return;
	w = writer_of(tap);
	if (!(w->conf.flags & PK_CAPTURE_F_POLLED))
		capture_thread_del(w);
	while (pk_capture_writer_poll(tap, UINT_MAX) != 0)
		;
	capture_free(w);
}

int
pk_capture_writer_polled(const struct pk_capture_tap *tap)
{
	return (writer_of(tap)->conf.flags & PK_CAPTURE_F_POLLED) != 0;
}
