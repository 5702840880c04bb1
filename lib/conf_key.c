/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Demux keys in the configuration language:
 *   key D[OUT] PROTO LOCAL [<- REMOTE]     or     key D PROTO LOCAL ... -> T
 * PROTO is tcp, udp or icmp, with 4 or 6 when no address says which (a
 * wildcard); LOCAL is ADDR:PORT, [IPV6]:PORT or *:PORT; REMOTE makes the
 * key active (pk_flow.h: the remote end is 0 in a passive key, the local
 * address too in a wildcard one). For ICMP the port is the echo
 * identifier. Parsed into a pk_flow_key at once, so that a bad address is
 * reported where it is written; checked against the graph later, when the
 * demux and its outputs are known.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <pathkit/pk_parse.h>

#include "conf_lex.h"

/* One end of a key as written. */
struct key_end {
	int family;       /* 4, 6, or 0 for '*' */
	uint8_t addr[16];
	uint16_t port;
};

static int
key_addr(struct conf_lex *l, struct key_end *e, const char *what)
{
	char host[CONF_VALUE_MAX], msg[96];
	const char *colon, *s = l->text;
	uint64_t port;
	size_t n;

	snprintf(msg, sizeof(msg), "%s: ADDR:PORT, [IPV6]:PORT or *:PORT",
		 what);
	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (colon == NULL)
			return conf_expected(l, msg);
		n = (size_t)(colon - s) - 1;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon++;
		e->family = 6;
		if (inet_pton(AF_INET6, host, e->addr) != 1)
			return conf_expected(l, msg);
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || memchr(s, ':', colon - s) != NULL)
			return conf_expected(l, colon == NULL ? msg :
				"an IPv6 address in brackets: [fd00::1]:53");
		n = (size_t)(colon - s);
		memcpy(host, s, n);
		host[n] = '\0';
		e->family = 4;
		if (strcmp(host, "*") == 0)
			e->family = 0;
		else if (inet_pton(AF_INET, host, e->addr) != 1)
			return conf_expected(l, msg);
	}
	if (pk_parse_u64(colon + 1, 0, UINT16_MAX, &port) != 0)
		return conf_expected(l, "a port in 0..65535 after ':'");
	e->port = (uint16_t)port;
	return 0;
}

/* tcp, udp, icmp; then 4 or 6. */
static int
key_proto(struct conf_lex *l, uint8_t *proto, int *family)
{
	static const char *const names[] = { "tcp", "udp", "icmp" };
	unsigned int i;
	size_t n;

	for (i = 0; l->t == TK_WORD && i < RTE_DIM(names); i++) {
		n = strlen(names[i]);
		if (strncmp(l->text, names[i], n) != 0)
			continue;
		if (l->text[n] == '\0')
			*family = 0;
		else if (strcmp(&l->text[n], "4") == 0)
			*family = 4;
		else if (strcmp(&l->text[n], "6") == 0)
			*family = 6;
		else
			break;
		*proto = i == 0 ? IPPROTO_TCP : i == 1 ? IPPROTO_UDP :
			 IPPROTO_ICMP;
		return 0;
	}
	return conf_expected(l, "a protocol: tcp, udp or icmp (or tcp4, "
			     "udp6, ...)");
}

/* The family every part agrees on, or an error at the local address. */
static int
key_family(struct pk_conf *c, const struct conf_pos *pos, int proto_fam,
	   const struct key_end *lo, const struct key_end *re, bool remote)
{
	int fam = proto_fam;

	if (lo->family != 0 && fam != 0 && lo->family != fam)
		return conf_err(c, pos, "found an IPv%d address, expected IPv%d "
				"(the protocol says so)", lo->family, fam);
	if (fam == 0)
		fam = lo->family;
	if (remote && re->family == 0)
		return conf_err(c, pos, "found '*' as the remote address, "
				"expected an address (a key is active only "
				"with both ends)");
	if (remote && lo->family == 0)
		return conf_err(c, pos, "found a wildcard local address with "
				"a remote end, expected a local address (an "
				"active key names both ends)");
	if (remote && fam != re->family)
		return conf_err(c, pos, "found IPv%d and IPv%d ends, expected "
				"one family", fam, re->family);
	if (fam == 0)
		return conf_err(c, pos, "found a wildcard with no family, "
				"expected tcp4, tcp6, udp4, ... before it");
	return fam;
}

int
conf_parse_key(struct conf_lex *l)
{
	struct pk_conf *c = l->c;
	struct key_end lo = { 0 }, re = { 0 };
	char ltext[CONF_VALUE_MAX], rtext[CONF_VALUE_MAX + 8] = "";
	struct conf_pos lpos;
	struct conf_key *k;
	int pfam = 0, fam;
	uint8_t proto = 0;

	k = CONF_ADD(c, c->keys);
	if (k == NULL)
		return -ENOMEM;
	k->pos = l->pos;
	conf_lex_next(l);
	k->dpos = l->pos;
	if (conf_parse_name(l, k->demux, "a demux's name") != 0)
		return -EINVAL;
	if (l->t == TK_LBRACK) {
		conf_lex_next(l);
		if (l->t != TK_WORD)
			return conf_expected(l, "the demux's output NAME");
		k->out = conf_strdup(c, l->text);
		if (k->out == NULL)
			return -ENOMEM;
		conf_lex_next(l);
		if (l->t != TK_RBRACK)
			return conf_expected(l, "']'");
		conf_lex_next(l);
	}
	if (key_proto(l, &proto, &pfam) != 0 ||
	    conf_parse_value(l, "a local address", true) != 0)
		return -EINVAL;
	lpos = l->pos;
	snprintf(ltext, sizeof(ltext), "%s", l->text);
	if (key_addr(l, &lo, "a local address") != 0)
		return -EINVAL;
	conf_lex_next(l);
	if (l->t == TK_LARROW) {
		if (conf_parse_value(l, "a remote address", true) != 0 ||
		    key_addr(l, &re, "a remote address") != 0)
			return -EINVAL;
		snprintf(rtext, sizeof(rtext), " <- %s", l->text);
		conf_lex_next(l);
	}
	fam = key_family(c, &lpos, pfam, &lo, &re, rtext[0] != '\0');
	if (fam < 0)
		return fam;
	if (proto == IPPROTO_ICMP && fam == 6)
		proto = IPPROTO_ICMPV6;
	pk_flow_key_ipv6(&k->key, proto, lo.family != 0 ? lo.addr : NULL,
			 rte_cpu_to_be_16(lo.port),
			 rtext[0] != '\0' ? re.addr : NULL,
			 rte_cpu_to_be_16(re.port));
	k->key.family = (uint8_t)fam; /* IPv4 in the first 4 bytes, as v6 */
	snprintf(k->text, sizeof(k->text), "%s%s %.60s%.60s",
		 proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" :
		 "icmp", fam == 4 ? "4" : "6", ltext, rtext);
	if (l->t == TK_ARROW) {
		if (k->out != NULL)
			return conf_expected(l, "end of line: the key goes to "
					     "its output already");
		conf_lex_next(l);
		k->tpos = l->pos;
		return conf_parse_name(l, k->target, "the key's target");
	}
	if (k->out == NULL)
		return conf_expected(l, "'-> TARGET' (or D[OUTPUT] before the "
				     "protocol)");
	return 0;
}

/* The edge of output out of demux d, or NULL. */
static struct conf_edge *
key_output(struct pk_conf *c, int d, const char *out)
{
	unsigned int i;

	for (i = 0; i < c->edges.n; i++)
		if (c->edges.v[i].a.st == d && c->edges.v[i].out != NULL &&
		    strcmp(c->edges.v[i].out, out) == 0)
			return &c->edges.v[i];
	return NULL;
}

/* Resolve k's target to an edge end: an output's, or a name's. */
static int
key_target(struct pk_conf *c, struct conf_key *k, struct conf_edge **out)
{
	const struct conf_name *n;
	struct conf_edge *e;
	struct conf_end t;

	if (k->out != NULL) {
		*out = key_output(c, k->d, k->out);
		if (*out == NULL)
			return conf_err(c, &k->dpos, "found %s[%s], expected "
					"an output of %s (%s[%s] -> TARGET)",
					k->demux, k->out, k->demux, k->demux,
					k->out);
		return 0;
	}
	n = conf_name_find(c, k->target);
	if (n == NULL || n->type == NAME_RUNNER)
		return conf_err(c, &k->tpos, "found %s, expected a stage or "
				"path as the key's target", k->target);
	t.path = n->type == NAME_PATH ? n->idx : -1;
	t.st = n->type == NAME_STAGE ? n->idx :
	       c->paths.v[n->idx].n > 0 ? c->paths.v[n->idx].member[0] : -1;
	if (t.st < 0)
		return -EINVAL; /* an empty path: reported already */
	/* the output named after its target, made by the first key to it */
	e = key_output(c, k->d, k->target);
	if (e == NULL) {
		e = conf_edge_add(c, (struct conf_end){ k->d, -1 }, t,
				  &k->tpos);
		if (e == NULL)
			return -ENOMEM;
		e->out = k->target;
	}
	*out = e;
	return 0;
}

int
conf_check_keys(struct pk_conf *c)
{
	const struct conf_name *n;
	struct conf_edge *e = NULL;
	struct conf_key *k;
	char where[64];
	unsigned int i, j;
	int rc = 0;

	for (i = 0; i < c->keys.n && !conf_enough(c); i++) {
		k = &c->keys.v[i];
		n = conf_name_find(c, k->demux);
		if (n == NULL || n->type != NAME_STAGE ||
		    c->stages.v[n->idx].role != ROLE_DEMUX) {
			rc = conf_err(c, &k->dpos, "found %s (%s), expected a "
				      "demux_flow stage", k->demux, n == NULL ?
				      "not declared" : n->type == NAME_PATH ?
				      "a path" : n->type == NAME_RUNNER ?
				      "a runner" : c->stages.v[n->idx].kind);
			continue;
		}
		k->d = n->idx;
		if (key_target(c, k, &e) != 0) {
			rc = -EINVAL;
			continue;
		}
		k->t = e->b;
		for (j = 0; j < i; j++)
			if (c->keys.v[j].d == k->d &&
			    memcmp(&c->keys.v[j].key, &k->key,
				   sizeof(k->key)) == 0)
				rc = conf_err(c, &k->pos, "found the key %s "
					      "twice on %s, expected one (first "
					      "at %s)", k->text, k->demux,
					      conf_where(c, &c->keys.v[j].pos,
							 where, sizeof(where)));
	}
	return rc;
}
