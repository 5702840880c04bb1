/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A libpcap capture in a thread of its own, and the frame parser
 * (wire_capture.h). The thread enters the namespace before it opens the
 * interface: a packet socket belongs to the namespace it was made in, and
 * setns() moves only the calling thread. It reads in non-blocking mode
 * between polls of 20 ms, so that a stop is seen at once, and reads once
 * more after the stop for what came just before it. The frame parser:
 * wire_parse.c.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <sys/socket.h>

#include <pcap/pcap.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "netns_env.h"
#include "wire_capture.h"

#define WC_SNAPLEN 65535
/* libpcap's 2 MB ring holds about 30 frames of a 64 KB snapshot: a burst
 * of a TCP window would overflow it between two reads */
#define WC_BUFFER (32u << 20)
#define WC_POLL_MS 20

struct wc_capture {
	pthread_t tid;
	bool joined;          /* the thread is gone (or never was) */
	pthread_mutex_t lock; /* guards what follows */
	pthread_cond_t cond;  /* a frame came, or the state changed */
	int state;            /* 0 starting, 1 live, -1 failed */
	bool stop;
	struct wc_frame **frames; /* each its own allocation: never moves */
	unsigned int n, cap;
	unsigned int drops;   /* the kernel's, read at the end */
	char netns[64], ifname[IF_NAMESIZE], *filter;
	char err[PCAP_ERRBUF_SIZE + 128];
};

static void
wc_set_state(struct wc_capture *c, int state)
{
	pthread_mutex_lock(&c->lock);
	c->state = state;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* pcap_dispatch()'s callback: keep a copy of the frame. */
static void
wc_store(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct wc_capture *c = (struct wc_capture *)user;
	struct wc_frame *f = malloc(sizeof(*f) + h->caplen);
	struct wc_frame **grown;

	if (f == NULL)
		goto lost;
	memcpy(f + 1, bytes, h->caplen);
	f->data = (const uint8_t *)(f + 1);
	f->caplen = h->caplen;
	f->len = h->len;
	f->ts = h->ts;
	pthread_mutex_lock(&c->lock);
	if (c->n == c->cap) {
		grown = realloc(c->frames, sizeof(*grown) * (c->cap * 2 + 64));
		if (grown == NULL) {
			pthread_mutex_unlock(&c->lock);
			free(f);
			goto lost;
		}
		c->frames = grown;
		c->cap = c->cap * 2 + 64;
	}
	c->frames[c->n++] = f;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return;
lost:
	__atomic_fetch_add(&c->drops, 1, __ATOMIC_RELAXED);
}

/* Open ifname with the filter; p or NULL with c->err said. */
static pcap_t *
wc_open(struct wc_capture *c)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	pcap_t *p;

	if (c->netns[0] != '\0' && ne_enter(c->netns) != 0) {
		snprintf(c->err, sizeof(c->err), "cannot enter namespace %s: "
			 "%s", c->netns, strerror(errno));
		return NULL;
	}
	p = pcap_create(c->ifname, eb);
	if (p == NULL) {
		snprintf(c->err, sizeof(c->err), "%s: %s", c->ifname, eb);
		return NULL;
	}
	if (pcap_set_snaplen(p, WC_SNAPLEN) != 0 ||
	    pcap_set_buffer_size(p, WC_BUFFER) != 0 ||
	    pcap_set_promisc(p, 1) != 0 ||
	    pcap_set_immediate_mode(p, 1) != 0 ||
	    pcap_activate(p) < 0 || /* > 0: a warning */
	    pcap_compile(p, &prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
		goto fail;
	if (pcap_setfilter(p, &prog) != 0) {
		pcap_freecode(&prog);
		goto fail;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(p, 1, eb) != 0) {
		snprintf(c->err, sizeof(c->err), "%s: %s", c->ifname, eb);
		pcap_close(p);
		return NULL;
	}
	return p;
fail:
	snprintf(c->err, sizeof(c->err), "%s, filter '%s': %s", c->ifname,
		 c->filter, pcap_geterr(p));
	pcap_close(p);
	return NULL;
}

static void *
wc_main(void *arg)
{
	struct wc_capture *c = arg;
	struct pcap_stat ps;
	struct pollfd pfd;
	pcap_t *p = wc_open(c);
	bool stop = false;

	if (p == NULL) {
		wc_set_state(c, -1);
		return NULL;
	}
	pfd.fd = pcap_get_selectable_fd(p);
	pfd.events = POLLIN;
	wc_set_state(c, 1);
	while (!stop) {
		stop = __atomic_load_n(&c->stop, __ATOMIC_ACQUIRE);
		poll(&pfd, 1, stop ? 0 : WC_POLL_MS);
		if (pcap_dispatch(p, -1, wc_store, (u_char *)c) < 0) {
			snprintf(c->err, sizeof(c->err), "%s: %s", c->ifname,
				 pcap_geterr(p));
			wc_set_state(c, -1);
			break;
		}
	}
	if (pcap_stats(p, &ps) == 0)
		__atomic_fetch_add(&c->drops, ps.ps_drop + ps.ps_ifdrop,
				   __ATOMIC_RELAXED);
	pcap_close(p);
	return NULL;
}

struct wc_capture *
wc_start(const char *netns, const char *ifname, const char *filter)
{
	struct wc_capture *c = calloc(1, sizeof(*c));
	pthread_condattr_t ca;
	int state;

	if (c == NULL || ifname == NULL ||
	    strlen(ifname) >= sizeof(c->ifname) ||
	    (netns != NULL && strlen(netns) >= sizeof(c->netns))) {
		fprintf(stderr, "wc_start: bad arguments, or no memory\n");
		free(c);
		return NULL;
	}
	snprintf(c->netns, sizeof(c->netns), "%s", netns ? netns : "");
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	c->filter = strdup(filter != NULL ? filter : "");
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	c->joined = true;
	if (c->filter == NULL ||
	    pthread_create(&c->tid, NULL, wc_main, c) != 0) {
		fprintf(stderr, "wc_start: no memory, or no thread\n");
		wc_free(c);
		return NULL;
	}
	c->joined = false;
	pthread_mutex_lock(&c->lock);
	while (c->state == 0)
		pthread_cond_wait(&c->cond, &c->lock);
	state = c->state;
	pthread_mutex_unlock(&c->lock);
	if (state < 0) {
		fprintf(stderr, "wc_start: %s\n", c->err);
		wc_free(c);
		return NULL;
	}
	return c;
}

int
wc_stop(struct wc_capture *c)
{
	unsigned int drops;
	int state;

	if (c == NULL)
		return -1;
	if (!c->joined) {
		__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
		pthread_join(c->tid, NULL);
		c->joined = true;
	}
	pthread_mutex_lock(&c->lock);
	state = c->state;
	pthread_mutex_unlock(&c->lock);
	drops = __atomic_load_n(&c->drops, __ATOMIC_RELAXED);
	if (state < 0) {
		fprintf(stderr, "wc_stop: the capture failed: %s\n", c->err);
		return -1;
	}
	if (drops > 0) {
		fprintf(stderr, "wc_stop: %s: %u frames lost\n", c->ifname,
			drops);
		return -1;
	}
	return 0;
}

void
wc_free(struct wc_capture *c)
{
	unsigned int i;

	if (c == NULL)
		return;
	if (!c->joined) {
		__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
		pthread_join(c->tid, NULL);
	}
	for (i = 0; i < c->n; i++)
		free(c->frames[i]);
	free(c->frames);
	free(c->filter);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

unsigned int
wc_count(struct wc_capture *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->lock);
	n = c->n;
	pthread_mutex_unlock(&c->lock);
	return n;
}

const struct wc_frame *
wc_frame(struct wc_capture *c, unsigned int i)
{
	const struct wc_frame *f = NULL;

	pthread_mutex_lock(&c->lock);
	if (i < c->n)
		f = c->frames[i];
	pthread_mutex_unlock(&c->lock);
	return f;
}

int
wc_wait(struct wc_capture *c, unsigned int from, wc_match_t match,
	void *arg, uint64_t timeout_us)
{
	struct timespec until;
	const struct wc_frame *f;
	struct wc_pkt p;
	unsigned int i = from, n;
	bool stopped;
	int state, rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(timeout_us / 1000000);
	until.tv_nsec += (long)(timeout_us % 1000000) * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	for (;;) {
		n = wc_count(c);
		for (; i < n; i++) { /* frames never move: no lock held */
			f = wc_frame(c, i);
			if (match(f, wc_parse(f->data, f->caplen, &p) == 0 ?
				  &p : NULL, arg))
				return (int)i;
		}
		pthread_mutex_lock(&c->lock);
		for (;;) {
			stopped = __atomic_load_n(&c->stop, __ATOMIC_ACQUIRE);
			if (c->n != n || c->state != 1 || stopped || rc != 0)
				break;
			rc = pthread_cond_timedwait(&c->cond, &c->lock,
						    &until);
		}
		state = c->state;
		n = c->n;
		pthread_mutex_unlock(&c->lock);
		if (i == n && (rc != 0 || state != 1 || stopped))
			return -1; /* timed out, or no frame will come */
	}
}
