/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A libpcap capture in a thread of its own, and the frame parser
 * (wire_capture.h). The thread enters the namespace before it opens the
 * interface: a packet socket belongs to the namespace it was made in, and
 * setns() moves only the calling thread. It reads in non-blocking mode
 * between polls of 20 ms, so that a stop is seen at once, and reads once
 * more after the stop for what came just before it.
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

/* ---- parsing ---- */

static uint16_t
wc_get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

bool
wc_ipv4_csum_ok(const void *ip, uint32_t hlen)
{
	return rte_raw_cksum(ip, hlen) == 0xffff;
}

bool
wc_l4_csum_ok(int family, const void *src, const void *dst, uint8_t proto,
	      const void *l4, uint32_t l4_len)
{
	uint32_t alen = family == AF_INET6 ? 16 : 4, sum = 0;
	uint32_t csum_at = proto == IPPROTO_UDP ? 6 :
			   proto == IPPROTO_TCP ? 16 : 2;

	if (l4_len < csum_at + 2)
		return false;
	if (proto == IPPROTO_UDP &&
	    wc_get16((const uint8_t *)l4 + csum_at) == 0)
		return false; /* "none": never what a checked send leaves */
	if (proto != IPPROTO_ICMP) { /* the pseudo-header */
		sum = __rte_raw_cksum(src, alen, 0);
		sum = __rte_raw_cksum(dst, alen, sum);
		sum += rte_cpu_to_be_16(proto);
		if (family == AF_INET6)
			sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16));
		sum += rte_cpu_to_be_16((uint16_t)l4_len);
	}
	sum = __rte_raw_cksum(l4, l4_len, sum);
	return __rte_raw_cksum_reduce(sum) == 0xffff;
}

/* IPv4 header at f + o; sets l3_len, proto, l4 bounds. */
static int
wc_parse4(const uint8_t *f, uint32_t len, uint32_t o, struct wc_pkt *p,
	  uint32_t *end, bool *whole)
{
	const uint8_t *ip = f + o;
	uint32_t hlen, tot;
	uint16_t frag;

	if (len - o < 20 || (ip[0] >> 4) != 4)
		return -1;
	hlen = (uint32_t)(ip[0] & 0xf) * 4;
	tot = wc_get16(ip + 2);
	if (hlen < 20 || len - o < hlen)
		return -1;
	p->family = AF_INET;
	memcpy(&p->src4, ip + 12, 4);
	memcpy(&p->dst4, ip + 16, 4);
	p->l3_len = hlen;
	p->proto = ip[9];
	p->ip_csum_ok = wc_ipv4_csum_ok(ip, hlen);
	frag = wc_get16(ip + 6);
	*end = tot >= hlen ? o + tot : o + hlen;
	*whole = (frag & 0x3fff) == 0; /* neither MF nor an offset */
	return (frag & 0x1fff) == 0 ? 0 : 1; /* 1: a later fragment */
}

/* IPv6 header at f + o, then its extension headers. */
static int
wc_parse6(const uint8_t *f, uint32_t len, uint32_t o, struct wc_pkt *p,
	  uint32_t *end, bool *whole)
{
	const uint8_t *ip = f + o;
	uint32_t h = 40;
	uint8_t nh;

	if (len - o < 40 || (ip[0] >> 4) != 6)
		return -1;
	p->family = AF_INET6;
	memcpy(&p->src6, ip + 8, 16);
	memcpy(&p->dst6, ip + 24, 16);
	p->ip_csum_ok = true;
	*end = o + 40 + wc_get16(ip + 4);
	*whole = true;
	nh = ip[6];
	for (;;) {
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_DSTOPTS &&
		    nh != IPPROTO_ROUTING && nh != IPPROTO_FRAGMENT)
			break;
		if (len - o < h + 8)
			return -1;
		if (nh == IPPROTO_ROUTING)
			*whole = false; /* the pseudo-header's destination
					   is not the header's: not checked */
		if (nh == IPPROTO_FRAGMENT) {
			*whole = false;
			if (wc_get16(ip + h + 2) & 0xfff8) {
				p->l3_len = h + 8;
				p->proto = ip[h];
				return 1; /* a later fragment */
			}
			nh = ip[h];
			h += 8;
			continue;
		}
		nh = ip[h];
		h += ((uint32_t)ip[h + 1] + 1) * 8;
	}
	p->l3_len = h;
	p->proto = nh;
	return 0;
}

int
wc_parse(const uint8_t *f, uint32_t len, struct wc_pkt *p)
{
	uint32_t o = sizeof(struct rte_ether_hdr), end, hdr;
	bool whole;
	uint16_t type;
	int rc;

	memset(p, 0, sizeof(*p));
	if (len < o)
		return -1;
	type = wc_get16(f + 12);
	while ((type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) &&
	       len >= o + 4) {
		type = wc_get16(f + o + 2);
		o += 4;
	}
	if (type == RTE_ETHER_TYPE_IPV4)
		rc = wc_parse4(f, len, o, p, &end, &whole);
	else if (type == RTE_ETHER_TYPE_IPV6)
		rc = wc_parse6(f, len, o, p, &end, &whole);
	else
		rc = -1;
	if (rc < 0) {
		memset(p, 0, sizeof(*p));
		return -1;
	}
	p->l3 = o;
	if (rc > 0 || end < o + p->l3_len + 4 || end > len)
		return 0; /* a later fragment, or cut off: no transport */
	p->l4 = o + p->l3_len;
	p->l4_len = end - p->l4;
	switch (p->proto) {
	case IPPROTO_UDP:
		hdr = 8;
		break;
	case IPPROTO_TCP:
		hdr = p->l4_len >= 20 ? (uint32_t)(f[p->l4 + 12] >> 4) * 4 : 20;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		hdr = 8;
		break;
	default:
		return 0;
	}
	if (p->proto == IPPROTO_UDP || p->proto == IPPROTO_TCP) {
		p->sport = wc_get16(f + p->l4);
		p->dport = wc_get16(f + p->l4 + 2);
	} else {
		p->sport = f[p->l4];
		p->dport = f[p->l4 + 1];
	}
	if (hdr <= p->l4_len) {
		p->data = p->l4 + hdr;
		p->data_len = p->l4_len - hdr;
	}
	if (whole)
		p->l4_csum_ok = wc_l4_csum_ok(p->family,
			p->family == AF_INET6 ? (const void *)&p->src6 :
						(const void *)&p->src4,
			p->family == AF_INET6 ? (const void *)&p->dst6 :
						(const void *)&p->dst4,
			p->proto, f + p->l4, p->l4_len);
	return 0;
}
