/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk_sock_poll(): wait on many sockets. A socket is ready when its protocol
 * says so (sock_proto.ready). With nothing ready, the caller sleeps once on
 * the queues where the sockets' packets arrive (pk_queue_wait_any(): one
 * futex_waitv, which a push into any of them ends). A TCP socket's kernel
 * side changes by the caller's reinjection, which arrives on that queue,
 * and by the kernel's own timers: with a TCP socket in the set the sleep is
 * cut to TCP slices. A set too big for one sleep (more than
 * PK_QUEUE_WAIT_ANY_MAX queues) is checked every POLL_SLICE_US.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include <rte_pause.h>

#include <pathkit/pk_queue.h>

#include "sock_pvt.h"

/* Longest sleep between two checks of a set of several sockets. */
#define POLL_SLICE_US 200
/* Checks before the first sleep: a datagram often arrives within them. */
#define POLL_SPINS 64

static int
poll_check(struct pk_sock_pollfd *fds, unsigned int n)
{
	unsigned int i;
	int ready = 0;

	for (i = 0; i < n; i++) {
		struct pk_sock *s = fds[i].sock;

		fds[i].revents = 0;
		if (s == NULL)
			continue;
		fds[i].revents = s->proto->ready(s, fds[i].events);
		if (fds[i].revents != 0)
			ready++;
	}
	return ready;
}

static uint64_t
poll_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * The queues to sleep on into qs; returns how many, or 0 when the set needs
 * slices (too many). *tcp tells whether a TCP socket is in the set.
 */
static unsigned int
poll_sleep_queues(struct pk_sock_pollfd *fds, unsigned int n,
		  struct pk_stage **qs, bool *tcp)
{
	unsigned int i, k = 0;

	*tcp = false;
	for (i = 0; i < n; i++) {
		struct pk_sock *s = fds[i].sock;
		struct pk_stage *q;

		if (s == NULL)
			continue;
		*tcp |= s->type == PK_SOCK_TCP;
		/* UDP is always writable: only readers need its queue */
		if (!(fds[i].events & POLLIN) && s->type != PK_SOCK_TCP)
			continue;
		q = s->proto->wait_queue(s);
		if (q == NULL || !pk_queue_can_wait(q) ||
		    k == PK_QUEUE_WAIT_ANY_MAX)
			return 0;
		qs[k++] = q;
	}
	return k;
}

int
pk_sock_poll(struct pk_sock_pollfd *fds, unsigned int n, uint32_t timeout_us)
{
	struct pk_stage *qs[PK_QUEUE_WAIT_ANY_MAX];
	uint64_t end, now;
	unsigned int spin, k;
	bool tcp;
	int ready;

	if (fds == NULL && n > 0)
		return -EINVAL;
	for (spin = 0; spin < POLL_SPINS; spin++) {
		ready = poll_check(fds, n);
		if (ready > 0 || timeout_us == 0)
			return ready;
		rte_pause();
	}
	k = poll_sleep_queues(fds, n, qs, &tcp);
	end = timeout_us == UINT32_MAX ? UINT64_MAX :
					 poll_now_us() + timeout_us;
	for (;;) {
		uint32_t slice = k == 0 ? POLL_SLICE_US :
				 tcp ? SOCK_TCP_SLICE_US : 1000000;

		now = poll_now_us();
		if (now >= end)
			return 0;
		if (end - now < slice)
			slice = end - now;
		if (k == 0 || pk_queue_wait_any(qs, k, NULL, slice) == -ENOTSUP) {
			struct timespec ts = { 0, (long)slice * 1000 };

			nanosleep(&ts, NULL);
		}
		ready = poll_check(fds, n);
		if (ready > 0)
			return ready;
	}
}
