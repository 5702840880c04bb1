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
#include <poll.h>
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
	struct pk_sock_pollfd fds[SNIFF_SOCKS];
	uint8_t *buf = malloc(SNIFF_SNAPLEN);
	uint64_t period = opt.period != 0 ? opt.period : NS, next, now;
	unsigned int nfd = 0, i;

	if (buf == NULL || rte_thread_register() != 0) {
		fprintf(stderr, "pk-silk: --sniff=%s: %s\n", f->spec,
			buf == NULL ? "no memory" :
			"cannot register with the EAL");
		f->errors++;
		free(buf);
		return NULL;
	}
	for (i = 0; i < SNIFF_SOCKS; i++)
		if (f->sock[i] != NULL)
			fds[nfd++] = (struct pk_sock_pollfd){ f->sock[i],
							      POLLIN, 0 };
	next = sniffsvc_now() + period;
	while (!f->stop) {
		if (pk_sock_poll(fds, nfd, SNIFF_WAIT_US) > 0)
			for (i = 0; i < nfd; i++)
				if (fds[i].revents & POLLIN)
					sniffsvc_drain(f, fds[i].sock,
						       SNIFF_ROUND, buf);
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

/* Sniffer i of f: family i / 2 (IPv4, IPv6), protocol i % 2 (UDP, TCP). */
static int
sniffsvc_open_one(struct sniff_svc *f, struct pk_node *n, uint32_t owner,
		  unsigned int i)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(f->port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(f->port) };
	uint8_t proto = i % 2 == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	struct pk_sock *s;
	int rc;

	s = pk_sock_open(n, owner, i / 2 == 0 ? AF_INET : AF_INET6,
			 PK_SOCK_SNIFF, PK_SOCK_F_SNIFF_IN);
	if (s == NULL)
		return -rte_errno;
	if (i / 2 == 0)
		rc = pk_sock_bind_raw(s, proto, (struct sockaddr *)&a4,
				      sizeof(a4));
	else
		rc = pk_sock_bind_raw(s, proto, (struct sockaddr *)&a6,
				      sizeof(a6));
	if (rc != 0) {
		pk_sock_close(s);
		return rc;
	}
	f->sock[i] = s;
	return 0;
}

/* Close f's sockets (their drops kept in f->dropped) and its file. */
static void
sniffsvc_close(struct sniff_svc *f)
{
	struct pk_sock_stats st;
	unsigned int i;

	for (i = 0; i < SNIFF_SOCKS; i++) {
		if (f->sock[i] != NULL &&
		    pk_sock_stats_get(f->sock[i], &st) == 0)
			f->dropped += st.rx_dropped;
		pk_sock_close(f->sock[i]);
		f->sock[i] = NULL;
	}
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
	int owner = pk_owner_get(f->owner_name), rc = 0;
	unsigned int i;

	if (owner < 0) {
		snprintf(err, errlen, "owner %s: %s", f->owner_name,
			 strerror(-owner));
		goto fail;
	}
	for (i = 0; i < (v6 ? 4u : 2u); i++) {
		rc = sniffsvc_open_one(f, n, (uint32_t)owner, i);
		if (rc != 0)
			break;
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
	int rc = -pthread_create(&f->thread, NULL, sniffsvc_main, f);

	f->started = rc == 0;
	return rc;
}

void
sniffsvc_stop(struct sniff_svc *f)
{
	if (f->started) {
		f->stop = 1;
		pthread_join(f->thread, NULL);
	}
	f->started = false;
	sniffsvc_close(f);
}

void
sniffsvc_print(FILE *fp, const struct sniff_svc *f)
{
	fprintf(fp, "sniff %s:%u: written %" PRIu64 " dropped %" PRIu64
		" errors %" PRIu64 " file %s\n", f->owner_name, f->port,
		f->written, f->dropped, f->errors, f->file);
}
