/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-silk's options: read before the EAL starts (pk_example.h), every
 * number strictly; addresses with inet_pton(); reservation specs checked by
 * pk_portmap_reserve_str() without a map (its syntax only) now, and applied
 * once the node is up. Services (--udp-echo, --tcp-echo, --kernel-port,
 * --raw, --sniff) are parsed into opt by a parse_* function each, and opened once
 * the node is up (main.c). A bad one: a message naming it, the usage, exit 2.
 */
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "silk.h"

#define MAX_DURATION (10000000 * NS)
#define MIN_PERIOD (NS / 100)
#define MAX_PERIOD (86400 * NS)

struct silk_opts opt = { .plen4 = 24, .plen6 = 64, .period = NS,
			 .mbuf_size = RTE_MBUF_DEFAULT_BUF_SIZE };

volatile int quit_flag;

static void
usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s <EAL args> -- --addr=A.B.C.D[/LEN] "
		"[--addr6=X::Y[/LEN]]\n"
		"  [--reserve=OWNER:udp|tcp:LO-HI ...] "
		"[--udp-echo=OWNER:PORT ...]\n"
		"  [--tcp-echo=OWNER:PORT ...] [--exception=tap|drop]\n"
		"  [--kernel-port=OWNER:tcp|udp:PORT ...] "
		"[--raw=OWNER:udp|tcp:PORT ...]\n"
		"  [--sniff=OWNER:PORT[:FILE] ...]\n"
		"  [--stats-period=S (10ms..1 day, 0: none)] "
		"[--duration=S (0: until SIGINT)]\n"
		"  [--mbuf-size=BYTES (%u..65535, data room with headroom)]\n"
		"--raw: a safe raw socket of OWNER on PORT (IPv4, and IPv6 with "
		"--addr6)\n"
		"  answering each datagram with one it crafts: udp echoes the "
		"payload,\n"
		"  tcp resets as a closed port does\n"
		"--sniff: copies of OWNER's UDP and TCP packets on PORT (IPv4, "
		"and IPv6\n"
		"  with --addr6), both directions (sent and received), to the "
		"pcap file\n"
		"  FILE (raw IP link type; default sniff-OWNER-PORT.pcap in the "
		"current\n"
		"  directory), flushed every --stats-period and at exit\n",
		prog, RTE_MBUF_DEFAULT_BUF_SIZE);
}

/* ADDR[/LEN] of family af into addr and *plen (kept when no /LEN). */
static int
parse_prefix(const char *name, const char *s, int af, void *addr,
	     uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	uint64_t len = *plen;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (pk_example_number(name, slash + 1, PK_PARSE_INT, 1,
				      af == AF_INET ? 32 : 128, &len) != 0)
			return -1;
	}
	if (inet_pton(af, buf, addr) != 1)
		goto bad;
	*plen = (uint8_t)len;
	return 0;
bad:
	fprintf(stderr, "pk-silk: %s: '%s' is not an %s address[/LEN]\n",
		name, s, af == AF_INET ? "IPv4" : "IPv6");
	return -1;
}

/* OWNER:PORT of an echo service. */
static int
parse_echo(const char *name, const char *s, enum pk_sock_type type)
{
	const char *colon = strrchr(s, ':');
	struct echo *e = &opt.echo[opt.nb_echo];
	size_t olen = colon != NULL ? (size_t)(colon - s) : 0;
	uint64_t port;

	if (opt.nb_echo == MAX_ECHO) {
		fprintf(stderr, "pk-silk: %s: at most %d echo services\n",
			name, MAX_ECHO);
		return -1;
	}
	if (colon == NULL || olen == 0 || olen >= sizeof(e->owner_name)) {
		fprintf(stderr, "pk-silk: %s: '%s' is not OWNER:PORT (an owner "
			"name of 1..%d characters)\n", name, s,
			PK_OWNER_NAMESIZE - 1);
		return -1;
	}
	if (pk_example_number(name, colon + 1, PK_PARSE_INT, 1, 65535,
			      &port) != 0)
		return -1;
	memcpy(e->owner_name, s, olen);
	e->owner_name[olen] = '\0';
	e->port = (uint16_t)port;
	e->type = type;
	e->quit = &quit_flag;
	opt.nb_echo++;
	return 0;
}

int
parse_port_spec(const char *name, const char *s, char *owner, uint8_t *proto,
		uint16_t *port)
{
	char p[4];
	int len = 0, at = 0;
	uint64_t v;

	if (sscanf(s, "%*[^:]%n:%3[a-z]:%n", &len, p, &at) != 1 || at == 0 ||
	    len >= PK_OWNER_NAMESIZE || (strcmp(p, "tcp") && strcmp(p, "udp")) ||
	    pk_example_number(name, s + at, PK_PARSE_INT, 1, 65535, &v) != 0)
		return -1;
	snprintf(owner, PK_OWNER_NAMESIZE, "%.*s", len, s);
	*proto = p[0] == 't' ? IPPROTO_TCP : IPPROTO_UDP;
	*port = (uint16_t)v;
	return 0;
}

/* --kernel-port: kept as given, applied once the node is up. */
static int
parse_kport(const char *name, const char *s)
{
	char owner[PK_OWNER_NAMESIZE];
	uint16_t port;
	uint8_t proto;

	if (opt.nb_kport < MAX_KPORT &&
	    parse_port_spec(name, s, owner, &proto, &port) == 0) {
		opt.kport[opt.nb_kport++] = s;
		return 0;
	}
	fprintf(stderr, "pk-silk: %s: '%s' is not OWNER:tcp|udp:PORT, or more "
		"than %d\n", name, s, MAX_KPORT);
	return -1;
}

/* --raw: a raw service, opened once the node is up. */
static int
parse_raw(const char *name, const char *s)
{
	struct raw_svc *r = &opt.raw[opt.nb_raw];

	if (opt.nb_raw < MAX_RAW &&
	    parse_port_spec(name, s, r->owner_name, &r->proto, &r->port) == 0) {
		r->quit = &quit_flag;
		opt.nb_raw++;
		return 0;
	}
	fprintf(stderr, "pk-silk: %s: '%s' is not OWNER:udp|tcp:PORT, or more "
		"than %d\n", name, s, MAX_RAW);
	return -1;
}

/* --sniff=OWNER:PORT[:FILE]: a sniffer, opened once the node is up. The
 * owner's name is checked now: it may become a file name. */
static int
parse_sniff(const char *name, const char *s)
{
	static const char owner_chars[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	struct sniff_svc *f = &opt.sniff[opt.nb_sniff];
	const char *c1 = strchr(s, ':'), *c2;
	size_t olen = c1 != NULL ? (size_t)(c1 - s) : 0, plen;
	char port[16];
	unsigned int i;
	uint64_t v;
	int len;

	if (opt.nb_sniff == MAX_SNIFF) {
		fprintf(stderr, "pk-silk: %s: at most %d sniffers\n", name,
			MAX_SNIFF);
		return -1;
	}
	if (c1 == NULL || olen == 0 || olen >= sizeof(f->owner_name) ||
	    strspn(s, owner_chars) != olen) {
		fprintf(stderr, "pk-silk: %s: '%s' is not OWNER:PORT[:FILE] (an "
			"owner name of 1..%d of [A-Za-z0-9_.-])\n", name, s,
			PK_OWNER_NAMESIZE - 1);
		return -1;
	}
	c2 = strchr(c1 + 1, ':');
	plen = c2 != NULL ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
	snprintf(port, sizeof(port), "%.*s", (int)plen, c1 + 1);
	if (plen >= sizeof(port)) {
		fprintf(stderr, "pk-silk: %s: '%s': the port is not an integer "
			"in 1..65535\n", name, s);
		return -1;
	}
	if (pk_example_number(name, port, PK_PARSE_INT, 1, 65535, &v) != 0)
		return -1;
	if (c2 != NULL && c2[1] == '\0') {
		fprintf(stderr, "pk-silk: %s: '%s': empty FILE\n", name, s);
		return -1;
	}
	len = c2 != NULL ?
		snprintf(f->file, sizeof(f->file), "%s", c2 + 1) :
		snprintf(f->file, sizeof(f->file), "sniff-%.*s-%u.pcap",
			 (int)olen, s, (unsigned int)v);
	if (len < 0 || (size_t)len >= sizeof(f->file)) {
		fprintf(stderr, "pk-silk: %s: '%s': FILE longer than %zu\n",
			name, s, sizeof(f->file) - 1);
		return -1;
	}
	for (i = 0; i < opt.nb_sniff; i++)
		if (strcmp(opt.sniff[i].file, f->file) == 0) {
			fprintf(stderr, "pk-silk: %s: '%s' writes %s, as "
				"--sniff=%s does\n", name, s, f->file,
				opt.sniff[i].spec);
			return -1;
		}
	memcpy(f->owner_name, s, olen);
	f->owner_name[olen] = '\0';
	f->port = (uint16_t)v;
	f->spec = s;
	opt.nb_sniff++;
	return 0;
}

static const struct option silk_opts[] = {
	{ "addr", required_argument, NULL, 'a' },
	{ "addr6", required_argument, NULL, '6' },
	{ "reserve", required_argument, NULL, 'r' },
	{ "udp-echo", required_argument, NULL, 'u' },
	{ "tcp-echo", required_argument, NULL, 't' },
	{ "exception", required_argument, NULL, 'e' },
	{ "kernel-port", required_argument, NULL, 'k' },
	{ "raw", required_argument, NULL, 'R' },
	{ "sniff", required_argument, NULL, 'S' },
	{ "stats-period", required_argument, NULL, 'P' },
	{ "duration", required_argument, NULL, 'd' },
	{ "mbuf-size", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
silk_opt(int c, const char *name)
{
	static const char *const exceptions[] = { "tap", "drop", NULL };
	char err[128];
	unsigned int w = 0;
	int rc = 0;

	switch (c) {
	case 'a':
		return parse_prefix(name, optarg, AF_INET, &opt.addr4,
				    &opt.plen4);
	case '6':
		return parse_prefix(name, optarg, AF_INET6, &opt.addr6,
				    &opt.plen6);
	case 'r':
		/* the syntax now (no map yet: NULL only checks it) */
		if (opt.nb_resv == MAX_RESV ||
		    pk_portmap_reserve_str(NULL, optarg, err, sizeof(err)) != 0) {
			fprintf(stderr, "pk-silk: %s: %s\n", name,
				opt.nb_resv == MAX_RESV ? "too many" : err);
			return -1;
		}
		opt.resv[opt.nb_resv++] = optarg;
		return 0;
	case 'u':
		return parse_echo(name, optarg, PK_SOCK_UDP);
	case 't':
		return parse_echo(name, optarg, PK_SOCK_TCP);
	case 'k':
		return parse_kport(name, optarg);
	case 'R':
		return parse_raw(name, optarg);
	case 'S':
		return parse_sniff(name, optarg);
	case 'e':
		rc = pk_example_word(name, optarg, exceptions, &w);
		opt.drop = w == 1;
		return rc;
	case 'P':
		rc = pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
				       MAX_PERIOD, &opt.period);
		if (rc == 0 && opt.period != 0 && opt.period < MIN_PERIOD) {
			fprintf(stderr, "pk-silk: %s: at least 10ms\n", name);
			return -1;
		}
		return rc;
	case 'd':
		return pk_example_number(name, optarg, PK_PARSE_DURATION, 0,
					 MAX_DURATION, &opt.duration);
	case 'm':
		return pk_example_number(name, optarg, PK_PARSE_INT,
					 RTE_MBUF_DEFAULT_BUF_SIZE, UINT16_MAX,
					 &opt.mbuf_size);
	}
	return -1;
}

static int
silk_check(void)
{
	if (opt.addr4.s_addr == 0) {
		fprintf(stderr, "pk-silk: --addr is required\n");
		return -1;
	}
	return 0;
}

const struct pk_example_app silk_app = {
	.name = "pk-silk", .opts = silk_opts, .short_opts = "h",
	.opt = silk_opt, .check = silk_check, .usage = usage,
};
