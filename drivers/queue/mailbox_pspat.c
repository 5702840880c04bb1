/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox: single-producer single-consumer packet queue in PSPAT's style
 *   (Rizzo et al., "PSPAT", Computer Communications 2018): no shared index.
 * push: stores up to n pointers in slots that are NULL; refuses the rest
 *   (counted "full"; the caller keeps them, unchanged, and may retry).
 * pull: takes slots until a NULL one or max.  destroy: frees held mbufs.
 * how: the producer and the consumer each keep their own index and never
 *   read the other's. An empty slot is NULL. The consumer reads slots and
 *   hands whole cache lines back (NULLs them) once it has read past them;
 *   the producer enters a new line only when the first slot of the line
 *   after it is NULL, so one line always stays empty between them and the
 *   two sides never write the same cache line.
 * threads: one pusher, one puller (any two lcores or registered threads).
 *   pk_stage_len() is an estimate from the counters, safe from any thread.
 * args: size=<pow2 >= 16, 512; holds size-8 packets> bytes=<0|1>
 * stats: in, out, full
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_stage_driver.h>

/* slots per cache line */
#define MAILBOX_LINE (RTE_CACHE_LINE_SIZE / sizeof(struct rte_mbuf *))

struct mailbox {
	struct pk_stage stage;
	/* constant after create */
	uint32_t mask;
	/* producer's line: read and written by the pusher only */
	uint32_t prod_write __rte_cache_aligned;
	uint32_t prod_check;     /* first slot of the line not yet checked */
	/* consumer's line: read and written by the puller only */
	uint32_t cons_read __rte_cache_aligned;
	uint32_t cons_clear;     /* first slot not yet handed back */
	struct rte_mbuf *slot[] __rte_cache_aligned;
};

static inline struct rte_mbuf **
mailbox_slot(struct mailbox *mb, uint32_t i)
{
	return &mb->slot[i & mb->mask];
}

/*
 * Entering a new line: it is free if the line after it was handed back
 * (lines come back in order), which also keeps one empty line between us.
 */
static inline bool
mailbox_line_free(struct mailbox *mb)
{
	if (__atomic_load_n(mailbox_slot(mb, mb->prod_check + MAILBOX_LINE),
			    __ATOMIC_ACQUIRE) != NULL)
		return false;
	mb->prod_check += MAILBOX_LINE;
	return true;
}

static uint16_t
mailbox_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct mailbox *mb = (struct mailbox *)s;
	uint32_t w = mb->prod_write;
	/* bytes before the handover: the puller may free them right after */
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	uint16_t k;

	for (k = 0; k < n; k++, w++) {
		if (w == mb->prod_check && !mailbox_line_free(mb))
			break;
		/* release: the consumer sees the mbuf's contents with it */
		__atomic_store_n(mailbox_slot(mb, w), pkts[k], __ATOMIC_RELEASE);
	}
	mb->prod_write = w;
	pk_stage_count_push(s, pkts, n, k, bytes);
	return k;
}

/* Hand back every line the consumer has read past, in one batch. */
static inline void
mailbox_release_lines(struct mailbox *mb)
{
	uint32_t upto = mb->cons_read & ~(uint32_t)(MAILBOX_LINE - 1);
	uint32_t i;

	if (mb->cons_clear == upto)
		return;
	/*
	 * release: our loads of these slots, and the clears of earlier lines,
	 * come before the producer's acquire of a slot it sees NULL (a plain
	 * store on x86)
	 */
	for (; mb->cons_clear != upto; mb->cons_clear += MAILBOX_LINE)
		for (i = 0; i < MAILBOX_LINE; i++)
			__atomic_store_n(mailbox_slot(mb, mb->cons_clear + i),
					 NULL, __ATOMIC_RELEASE);
}

static uint16_t
mailbox_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct mailbox *mb = (struct mailbox *)s;
	uint32_t r = mb->cons_read;
	struct rte_mbuf *m;
	uint16_t k;

	for (k = 0; k < max; k++, r++) {
		m = __atomic_load_n(mailbox_slot(mb, r), __ATOMIC_ACQUIRE);
		if (m == NULL)
			break;
		pkts[k] = m;
	}
	mb->cons_read = r;
	mailbox_release_lines(mb);
	pk_stage_count(s, &s->out, pkts, k);
	return k;
}

static unsigned int
mailbox_len(const struct pk_stage *s)
{
	uint64_t in = __atomic_load_n(&s->in.pkts, __ATOMIC_RELAXED);
	uint64_t out = __atomic_load_n(&s->out.pkts, __ATOMIC_RELAXED);
	unsigned int r;

	/* taken and freed: a dropper's (pk_dropper.h) */
	for (r = 0; r < PK_DROP_MAX; r++)
		out += __atomic_load_n(&s->in.drops[r], __ATOMIC_RELAXED);
	return in > out ? (unsigned int)(in - out) : 0;
}

static void
mailbox_destroy(struct pk_stage *s)
{
	struct mailbox *mb = (struct mailbox *)s;
	struct rte_mbuf *m[64];
	uint16_t k;

	if (mb->mask != 0)
		while ((k = mailbox_pull(s, m, RTE_DIM(m))) > 0)
			rte_pktmbuf_free_bulk(m, k);
	pk_stage_free(s);
}

static const struct pk_stage_ops mailbox_ops = {
	.kind = "mailbox",
	.push = mailbox_push,
	.pull = mailbox_pull,
	.destroy = mailbox_destroy,
	.len = mailbox_len,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
};

struct pk_stage *
pk_mailbox_create(const char *name, unsigned int size, uint32_t sflags,
		  int socket_id)
{
	struct pk_stage *s;

	if (size < 2 * MAILBOX_LINE || size > PK_MAILBOX_MAX_SIZE ||
	    !rte_is_power_of_2(size)) {
		PK_LOG(ERR, "%s: mailbox size %u must be a power of two in "
		       "%zu..%u", name != NULL ? name : "(null)", size,
		       2 * MAILBOX_LINE, PK_MAILBOX_MAX_SIZE);
		rte_errno = EINVAL;
		return NULL;
	}
	s = pk_stage_alloc(sizeof(struct mailbox) +
				   size * sizeof(struct rte_mbuf *),
			   &mailbox_ops, name, sflags, socket_id);
	if (s == NULL)
		return NULL;
	((struct mailbox *)s)->mask = size - 1; /* slots are zeroed: empty */
	return s;
}

static struct pk_stage *
mailbox_create_kv(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	uint64_t size = PK_MAILBOX_DEFAULT_SIZE;
	uint32_t sflags = 0;

	if (pk_stage_arg_u64(kv, "size", 2 * MAILBOX_LINE, PK_MAILBOX_MAX_SIZE,
			     &size) != 0 ||
	    pk_stage_args_flags(kv, &sflags) != 0) {
		PK_LOG(ERR, "%s: bad mailbox arguments", name);
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_mailbox_create(name, size, sflags, socket_id);
}

static const char *const mailbox_args[] = { "size", NULL };
static struct pk_stage_kind mailbox_kind = {
	.name = "mailbox",
	.help = "SPSC packet mailbox in PSPAT's style (no shared index)",
	.args = mailbox_args,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
	.create = mailbox_create_kv,
};
PK_STAGE_KIND_REGISTER(mailbox_kind);
