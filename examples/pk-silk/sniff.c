/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-silk's sniffers (--sniff=OWNER:PORT[:FILE]): PlanetLab's per-port
 * read-only sniffer (PK_SOCK_SNIFF, pk_sock.h) of an owner's port, written
 * to a pcap file. One --sniff opens a sniffer for UDP and one for TCP on the
 * port, in each family the node has, all with PK_SOCK_F_SNIFF_IN: the file
 * gets what the port sends and what it receives, both directions. Each
 * copy is a whole IP datagram, IP header first, so the file's link type is
 * raw IP (DLT_RAW: IPv4 and IPv6 told apart by the version nibble), each
 * record's length the copy's pkt_len and its timestamp the time its burst
 * was read. An application thread (registered with the EAL, as an echo's)
 * reads the copies with pk_sock_recv_burst() and writes them with libpcap;
 * it flushes the file every --stats-period (each second when there is
 * none) and at the end. It stops after the node's thread (main.c), so the
 * file ends with every copy the node made.
 *
 * Dropped copies (each sniffer's rx_dropped, printed at exit): those its
 * queue had no room for (read too late), and those taken while the port
 * was not its owner's (neither reserved for nor bound by it: the library
 * drops them as policy). A copy the node's pool could not give is counted
 * in the node's sniff_lost instead.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "silk.h"

#define SNIFF_WAIT_US 100000
/* A record holds the largest IP datagram whole (IPv6: 40 + 65535). */
#define SNIFF_SNAPLEN (40 + 65535)
#define SNIFF_BURST 32
/* Bursts one socket gives before the others get a look. */
#define SNIFF_ROUND 8

static uint64_t
sniffsvc_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * NS + (uint64_t)t.tv_nsec;
}

/* Write pkts[0..k) to f's file (each one linearised into buf), free them. */
static void
sniffsvc_write(struct sniff_svc *f, struct rte_mbuf **pkts, int k,
	       uint8_t *buf)
{
	struct pcap_pkthdr h;
	const void *d;
	int i;

	gettimeofday(&h.ts, NULL); /* one time per burst: a copy's is unknown */
	for (i = 0; i < k; i++) {
		h.len = pkts[i]->pkt_len;
		h.caplen = RTE_MIN(h.len, (uint32_t)SNIFF_SNAPLEN);
		d = rte_pktmbuf_read(pkts[i], 0, h.caplen, buf);
		pcap_dump((u_char *)f->dump, &h, d);
	}
	rte_pktmbuf_free_bulk(pkts, (unsigned int)k);
	f->written += (uint64_t)k;
}

/* Write what s holds now: up to rounds bursts, or all of it (0). */
static void
sniffsvc_drain(struct sniff_svc *f, struct pk_sock *s, unsigned int rounds,
	       uint8_t *buf)
{
	struct rte_mbuf *pkts[SNIFF_BURST];
	unsigned int i;
	int k;

	for (i = 0; rounds == 0 || i < rounds; i++) {
		k = pk_sock_recv_burst(s, pkts, SNIFF_BURST, PK_MSG_DONTWAIT);
		if (k <= 0)
			return; /* -EAGAIN: nothing more */
		sniffsvc_write(f, pkts, k, buf);
	}
}

/* A sniffer thread's service and buffer. */
struct sniffsvc_thread {
	struct sniff_svc *f;
	uint8_t *buf;
};

/* s is readable: its next SNIFF_ROUND bursts. */
static void
sniffsvc_ready(void *arg, struct pk_sock *s, unsigned int k __rte_unused)
{
	struct sniffsvc_thread *t = arg;

	sniffsvc_drain(t->f, s, SNIFF_ROUND, t->buf);
}

static void
sniffsvc_flush(struct sniff_svc *f)
{
	if (pcap_dump_flush(f->dump) != 0)
		f->errors++;
}

static void *
sniffsvc_main(void *arg)
{
	struct sniff_svc *f = arg;
	struct pk_sock_pollfd fds[SILK_SOCKS];
	uint8_t *buf = malloc(SNIFF_SNAPLEN);
	struct sniffsvc_thread t = { f, buf };
	uint64_t period = opt.period != 0 ? opt.period : NS, next, now;
	unsigned int nfd, i;

	if (buf == NULL || rte_thread_register() != 0) {
		fprintf(stderr, "pk-silk: --sniff=%s: %s\n", f->spec,
			buf == NULL ? "no memory" :
			"cannot register with the EAL");
		f->errors++;
		free(buf);
		return NULL;
	}
	nfd = silk_socks_pollfds(&f->socks, fds);
	next = sniffsvc_now() + period;
	while (!f->stop) {
		silk_socks_poll(fds, nfd, SNIFF_WAIT_US, sniffsvc_ready, &t);
		now = sniffsvc_now();
		if (now >= next) {
			sniffsvc_flush(f);
			next = now + period;
		}
	}
	/* the node's thread has stopped: nothing more comes, take it all */
	for (i = 0; i < nfd; i++)
		sniffsvc_drain(f, fds[i].sock, 0, buf);
	sniffsvc_flush(f);
	rte_thread_unregister();
	free(buf);
	return NULL;
}

/* Sniffer s's dropped copies into f's: read before it closes. */
static void
sniffsvc_count(void *arg, struct pk_sock *s)
{
	struct sniff_svc *f = arg;
	struct pk_sock_stats st;

	if (pk_sock_stats_get(s, &st) == 0)
		f->dropped += st.rx_dropped;
}

/* Close f's sockets (their drops kept in f->dropped), once its thread
 * ended, and its file. */
static void
sniffsvc_close(struct sniff_svc *f)
{
	silk_socks_stop(&f->socks, sniffsvc_count, f);
	if (f->dump != NULL) {
		sniffsvc_flush(f);
		pcap_dump_close(f->dump);
		f->dump = NULL;
	}
	if (f->pcap != NULL)
		pcap_close(f->pcap);
	f->pcap = NULL;
}

int
sniffsvc_open(struct sniff_svc *f, struct pk_node *n, bool v6, char *err,
	      size_t errlen)
{
	/* socket i: family i / 2 (IPv4, IPv6), protocol i % 2 (UDP, TCP) */
	static const struct silk_sock_kind kinds[2] = {
		{ .type = PK_SOCK_SNIFF, .flags = PK_SOCK_F_SNIFF_IN,
		  .proto = IPPROTO_UDP },
		{ .type = PK_SOCK_SNIFF, .flags = PK_SOCK_F_SNIFF_IN,
		  .proto = IPPROTO_TCP },
	};
	unsigned int i;
	int rc;

	rc = silk_socks_open(&f->socks, n, f->owner_name, f->port, kinds, 2,
			     v6, &i);
	if (rc != 0 && i == SILK_SOCKS) {
		snprintf(err, errlen, "owner %s: %s", f->owner_name,
			 strerror(-rc));
		goto fail;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s over IPv%c: %s",
			 i % 2 == 0 ? "udp" : "tcp", i / 2 == 0 ? '4' : '6',
			 strerror(-rc));
		goto fail;
	}
	/* the sockets first: a port refused leaves no file behind */
	f->pcap = pcap_open_dead(DLT_RAW, SNIFF_SNAPLEN);
	if (f->pcap == NULL) {
		snprintf(err, errlen, "libpcap: no memory");
		goto fail;
	}
	f->dump = pcap_dump_open(f->pcap, f->file);
	if (f->dump == NULL) {
		snprintf(err, errlen, "%s", pcap_geterr(f->pcap));
		goto fail;
	}
	return 0;
fail:
	sniffsvc_close(f);
	return -1;
}

int
sniffsvc_start(struct sniff_svc *f)
{
	return silk_socks_start(&f->socks, sniffsvc_main, f);
}

void
sniffsvc_stop(struct sniff_svc *f)
{
	f->stop = 1; /* read by its thread, if it was started */
	sniffsvc_close(f);
}

void
sniffsvc_print(FILE *fp, const struct sniff_svc *f)
{
	fprintf(fp, "sniff %s:%u: written %" PRIu64 " dropped %" PRIu64
		" errors %" PRIu64 " file %s\n", f->owner_name, f->port,
		f->written, f->dropped, f->errors, f->file);
}
