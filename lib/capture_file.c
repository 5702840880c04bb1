/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture files: naming and opening them (rte_pcapng_fdopen() writes the
 * section and the ethdev ports' interfaces, we add the capture's own), and
 * the comment each record carries (where it was taken; why a drop was
 * dropped, and by which stage). The writer's loop is in capture.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_version.h>

#include "capture_pvt.h"
#include "pk_internal.h"

/* The next file's name: FILE, or FILE numbered before its extension. */
static void
capture_file_name(const struct capture_writer *w, char *buf, size_t size)
{
	const char *dot = strrchr(w->file, '.');
	const char *slash = strrchr(w->file, '/');
	int base;

	if (w->conf.max_bytes == 0 && w->conf.max_seconds == 0) {
		snprintf(buf, size, "%s", w->file);
		return;
	}
	if (dot == NULL || (slash != NULL && dot < slash) || dot == w->file)
		dot = w->file + strlen(w->file);
	base = (int)(dot - w->file);
	snprintf(buf, size, "%.*s_%05u%s", base, w->file, w->file_no, dot);
}

/* Our interface block: Ethernet, named after the edge, nanoseconds. */
static int
capture_write_idb(struct capture_writer *w, int fd)
{
	uint8_t buf[16 + 4 + CAPTURE_NAME_MAX + 16 + 8 + 4 + 4] = { 0 };
	char name[CAPTURE_NAME_MAX + 16];
	uint32_t len, nlen, off = 16, v;
	const uint8_t tsresol = 9;
	uint16_t code, olen;

	nlen = snprintf(name, sizeof(name), "pathkit:%s", w->edge);
	nlen = RTE_MIN(nlen, (uint32_t)CAPTURE_NAME_MAX);
	len = 16 + capture_optlen(nlen) + capture_optlen(1) + 4 + 4;
	v = 1; /* Interface Description Block */
	memcpy(buf, &v, 4);
	memcpy(buf + 4, &len, 4);
	v = 1; /* LINKTYPE_ETHERNET; reserved 0 */
	memcpy(buf + 8, &v, 4);
	code = 2; olen = nlen; /* if_name */
	memcpy(buf + off, &code, 2);
	memcpy(buf + off + 2, &olen, 2);
	memcpy(buf + off + 4, name, nlen);
	off += capture_optlen(nlen);
	code = 9; olen = 1; /* if_tsresol: 10^-9 */
	memcpy(buf + off, &code, 2);
	memcpy(buf + off + 2, &olen, 2);
	buf[off + 4] = tsresol;
	off += capture_optlen(1) + 4; /* then opt_endofopt, zeroed */
	memcpy(buf + off, &len, 4);
	return write(fd, buf, len) == (ssize_t)len ? 0 : -errno;
}

void
capture_file_close(struct capture_writer *w)
{
	if (w->pc != NULL)
		rte_pcapng_close(w->pc); /* closes the fd */
	w->pc = NULL;
}

/* Open the next file. @return 0 or -errno. */
int
capture_file_open(struct capture_writer *w)
{
	char name[PATH_MAX + 16], app[64], note[CAPTURE_NAME_MAX + 32];
	uint16_t port;
	uint32_t nports = 0;
	off_t at;
	int fd, rc;

	capture_file_name(w, name, sizeof(name));
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		PK_LOG(ERR, "%s: cannot open %s: %s", w->edge, name,
		       strerror(errno));
		return rc;
	}
	snprintf(app, sizeof(app), "PathKit %s", PK_VERSION_STR);
	snprintf(note, sizeof(note), "captured at %s", w->edge);
	w->pc = rte_pcapng_fdopen(fd, "Linux", NULL, app, note);
	if (w->pc == NULL) {
		rc = -EIO;
		close(fd);
		goto fail;
	}
	RTE_ETH_FOREACH_DEV(port) /* the interfaces fdopen wrote, in order */
		nports++;
	w->ifid = nports;
	w->fd = fd;
	rc = capture_write_idb(w, fd);
	at = lseek(fd, 0, SEEK_CUR);
	if (rc != 0 || at < 0)
		goto fail;
	w->file_no++;
	w->file_records = 0;
	w->file_start = rte_get_tsc_cycles();
	pk_counter_add(&w->st->files, 1);
	__atomic_store_n(&w->st->bytes, (uint64_t)at, __ATOMIC_RELAXED);
	return 0;
fail:
	PK_LOG(ERR, "%s: cannot write the head of %s", w->edge, name);
	capture_file_close(w);
	return rc != 0 ? rc : -EIO;
}

/* Where records were taken, once the stage's path is known (first write). */
void
capture_where(struct capture_writer *w)
{
	/* set by the control thread when the path is built: read once */
	const struct pk_stage *parent = __atomic_load_n(&w->stage->parent,
							__ATOMIC_ACQUIRE);
	struct pk_path *p = parent != NULL ?
		pk_path_from_stage((struct pk_stage *)(uintptr_t)parent) : NULL;
	const char *path = w->path, *owner = w->owner;

	if (path[0] == '\0')
		path = p != NULL ? parent->name : "-";
	if (owner[0] == '\0')
		owner = p != NULL ? pk_owner_name(pk_path_owner(p)) : "-";
	snprintf(w->where, sizeof(w->where), "path=%s owner=%s stage=%s",
		 path, owner != NULL ? owner : "-", w->edge);
	/* final once the path is known; records the writer had not seen
	 * when the path was destroyed (which unsets parent) say "-" */
	w->where_set = p != NULL || (w->path[0] != '\0' && w->owner[0] != '\0');
	w->where_optlen = capture_note(w, NULL, w->where_opt);
}

struct capture_find {
	const struct pk_stage *s;
	char *name;
};

static int
capture_find_name(const struct pk_stage *s, void *arg)
{
	struct capture_find *f = arg;

	if (s != f->s)
		return 0;
	snprintf(f->name, PK_STAGE_NAMESIZE, "%s", s->name);
	return 1;
}

/* The comment of one record into buf (an option: code, length, text). */
uint32_t
capture_note(struct capture_writer *w, const struct rte_mbuf *m, uint8_t *buf)
{
	const struct pk_stage *from;
	enum pk_drop_reason r;
	uint16_t code = 1, len;
	int n;

	n = snprintf((char *)buf + 4, CAPTURE_NOTE_MAX, "%s", w->where);
	if (m != NULL && (w->conf.flags & PK_CAPTURE_F_DROPS) &&
	    pk_stage_drop_note(m, &r, &from) == 0) {
		if (from != w->from) {
			struct capture_find f = { from, w->from_name };

			strcpy(w->from_name, "?"); /* destroyed since */
			pk_stage_live_foreach(capture_find_name, &f);
			w->from = from;
		}
		n += snprintf((char *)buf + 4 + n, CAPTURE_NOTE_MAX - n,
			      " drop=%s from=%s", pk_drop_reason_name(r),
			      w->from_name);
	}
	len = (uint16_t)RTE_MIN(n, CAPTURE_NOTE_MAX - 1);
	memcpy(buf, &code, 2);
	memcpy(buf + 2, &len, 2);
	memset(buf + 4 + len, 0, RTE_ALIGN(len, 4) - len);
	return capture_optlen(len);
}

