/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk_sock_poll(): wait on many sockets. A socket is ready when its protocol
 * says so (sock_proto.ready). With nothing ready, the caller sleeps on one
 * socket's queue (pk_queue_wait(): a futex its pushes wake) when the set has
 * one socket that can be slept on, else in slices of POLL_SLICE_US, checking
 * every socket after each: a wake-up of a socket other than the one slept on
 * costs that slice at most.
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

/* The one queue to sleep on, or NULL when the set needs slices. */
static struct pk_stage *
poll_sleep_queue(struct pk_sock_pollfd *fds, unsigned int n)
{
	struct pk_stage *q = NULL;
	unsigned int i, socks = 0;

	for (i = 0; i < n; i++) {
		if (fds[i].sock == NULL)
			continue;
		socks++;
		if (fds[i].events & POLLIN)
			q = fds[i].sock->proto->wait_queue(fds[i].sock);
	}
	return socks == 1 && q != NULL && pk_queue_can_wait(q) ? q : NULL;
}

int
pk_sock_poll(struct pk_sock_pollfd *fds, unsigned int n, uint32_t timeout_us)
{
	struct pk_stage *q;
	uint64_t end, now;
	unsigned int spin;
	int ready;

	if (fds == NULL && n > 0)
		return -EINVAL;
	for (spin = 0; spin < POLL_SPINS; spin++) {
		ready = poll_check(fds, n);
		if (ready > 0 || timeout_us == 0)
			return ready;
		rte_pause();
	}
	q = poll_sleep_queue(fds, n);
	end = timeout_us == UINT32_MAX ? UINT64_MAX :
					 poll_now_us() + timeout_us;
	for (;;) {
		uint32_t slice = q != NULL ? 1000000 : POLL_SLICE_US;

		now = poll_now_us();
		if (now >= end)
			return 0;
		if (end - now < slice)
			slice = end - now;
		if (q != NULL) {
			pk_queue_wait(q, NULL, slice);
		} else {
			struct timespec ts = { 0, (long)slice * 1000 };

			nanosleep(&ts, NULL);
		}
		ready = poll_check(fds, n);
		if (ready > 0)
			return ready;
	}
}
