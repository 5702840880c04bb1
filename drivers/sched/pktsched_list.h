/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PKTSCHED_LIST_H
#define PKTSCHED_LIST_H

/*
 * A FIFO list of backlogged queues for the list-based policies (rr, fifo,
 * drr, prio): singly linked through the first word of each queue's private
 * area. Append and pop are O(1); remove (control path only) walks the list.
 */

#include <pathkit/pk_sched_policy.h>

struct pktsched_link {
	struct pk_sched_q *next;
};

struct pktsched_list {
	struct pk_sched_q *head;
	struct pk_sched_q *tail;
};

static inline struct pktsched_link *
pktsched_link_of(struct pk_sched_q *q)
{
	return pk_sched_q_priv(q);
}

static inline void
pktsched_list_append(struct pktsched_list *l, struct pk_sched_q *q)
{
	pktsched_link_of(q)->next = NULL;
	if (l->head == NULL)
		l->head = q;
	else
		pktsched_link_of(l->tail)->next = q;
	l->tail = q;
}

/* Remove the head (the list must not be empty). */
static inline void
pktsched_list_pop(struct pktsched_list *l)
{
	l->head = pktsched_link_of(l->head)->next;
	if (l->head == NULL)
		l->tail = NULL;
}

/* Remove q wherever it is; nothing if it is not there. */
static inline void
pktsched_list_remove(struct pktsched_list *l, struct pk_sched_q *q)
{
	struct pk_sched_q *p = NULL, *c = l->head;

	while (c != NULL && c != q) {
		p = c;
		c = pktsched_link_of(c)->next;
	}
	if (c == NULL)
		return;
	if (p == NULL)
		l->head = pktsched_link_of(q)->next;
	else
		pktsched_link_of(p)->next = pktsched_link_of(q)->next;
	if (l->tail == q)
		l->tail = p;
}

#endif /* PKTSCHED_LIST_H */
