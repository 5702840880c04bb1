/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Demux keys changed at run time, written as the configuration language
 * writes them (conf_key.c): "D PROTO LOCAL [<- REMOTE] [-> TARGET]". The
 * text comes from whoever reaches the telemetry socket or the prompt, so
 * it is read into fixed buffers, never past PK_CTL_KEY_MAX bytes, and
 * quoted when refused. The same rules as the language: a remote end makes
 * the key active and needs a local address; a wildcard needs a family
 * (tcp4, udp6, ...); ICMP over IPv6 is ICMPv6; the port of ICMP is the
 * echo identifier.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_string_fns.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_path.h>

#include "ctl_pvt.h"
#include "pk_internal.h"
#include "portmap_pvt.h"

#define KEY_TOKENS 8
#define KEY_END_MAX (INET6_ADDRSTRLEN + 8) /* "[" ADDR "]:" PORT */

/* One end of a key as written. */
struct key_end {
	int family;       /* 4, 6, or 0 for '*' */
	uint8_t addr[16];
	uint16_t port;
};

static int
key_bad(const char *found, const char *expected, char *err, size_t errlen)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4];

	pk_parse_quote(q, sizeof(q), found);
	return ctl_err(-EINVAL, err, errlen, "found '%s', expected %s", q,
		       expected);
}

/* ADDR:PORT, [IPV6]:PORT or *:PORT. */
static int
key_end_parse(const char *s, struct key_end *e, const char *what, char *err,
	      size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 8], exp[96];
	const char *colon;
	uint64_t port;
	size_t n;

	snprintf(exp, sizeof(exp), "%s: ADDR:PORT, [IPV6]:PORT or *:PORT",
		 what);
	if (s[0] == '[') {
		colon = strstr(s, "]:");
		n = colon != NULL ? (size_t)(colon - s) - 1 : 0;
		if (colon == NULL || n >= sizeof(host))
			return key_bad(s, exp, err, errlen);
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon++;
		e->family = 6;
		if (inet_pton(AF_INET6, host, e->addr) != 1)
			return key_bad(s, exp, err, errlen);
	} else {
		colon = strrchr(s, ':');
		if (colon != NULL && memchr(s, ':', colon - s) != NULL)
			return key_bad(s, "an IPv6 address in brackets: "
				       "[fd00::1]:53", err, errlen);
		n = colon != NULL ? (size_t)(colon - s) : 0;
		if (colon == NULL || n >= sizeof(host))
			return key_bad(s, exp, err, errlen);
		memcpy(host, s, n);
		host[n] = '\0';
		e->family = 4;
		if (strcmp(host, "*") == 0)
			e->family = 0;
		else if (inet_pton(AF_INET, host, e->addr) != 1)
			return key_bad(s, exp, err, errlen);
	}
	if (pk_parse_u64(colon + 1, 0, UINT16_MAX, &port) != 0)
		return key_bad(s, "a port in 0..65535 after ':'", err, errlen);
	e->port = (uint16_t)port;
	return 0;
}

/* tcp, udp, icmp; then 4 or 6 (0: the address says). */
static int
key_proto(const char *s, uint8_t *proto, int *family, char *err,
	  size_t errlen)
{
	static const char *const names[] = { "tcp", "udp", "icmp" };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_ICMP };
	unsigned int i;
	size_t n;

	for (i = 0; i < RTE_DIM(names); i++) {
		n = strlen(names[i]);
		if (strncmp(s, names[i], n) != 0)
			continue;
		if (s[n] == '\0')
			*family = 0;
		else if (strcmp(&s[n], "4") == 0)
			*family = 4;
		else if (strcmp(&s[n], "6") == 0)
			*family = 6;
		else
			break;
		*proto = protos[i];
		return 0;
	}
	return key_bad(s, "a protocol: tcp, udp or icmp (or tcp4, udp6, ...)",
		       err, errlen);
}

/* The family every part agrees on (4 or 6), or -EINVAL with the reason. */
static int
key_family(int fam, const struct key_end *lo, const struct key_end *re,
	   bool remote, char *err, size_t errlen)
{
	if (lo->family != 0 && fam != 0 && lo->family != fam)
		return ctl_err(-EINVAL, err, errlen, "found an IPv%d address, "
			       "expected IPv%d (the protocol says so)",
			       lo->family, fam);
	if (fam == 0)
		fam = lo->family;
	if (remote && re->family == 0)
		return ctl_err(-EINVAL, err, errlen, "found '*' as the remote "
			       "address, expected an address (a key is active "
			       "only with both ends)");
	if (remote && lo->family == 0)
		return ctl_err(-EINVAL, err, errlen, "found a wildcard local "
			       "address with a remote end, expected a local "
			       "address (an active key names both ends)");
	if (remote && fam != re->family)
		return ctl_err(-EINVAL, err, errlen, "found IPv%d and IPv%d "
			       "ends, expected one family", fam, re->family);
	if (fam == 0)
		return ctl_err(-EINVAL, err, errlen, "found a wildcard with no "
			       "family, expected tcp4, tcp6, udp4, ... before "
			       "it");
	return fam;
}

/* An end as the language writes it, canonical: 10.0.0.1:53, [fd00::1]:53. */
static void
key_end_text(char *buf, size_t size, int fam, const struct key_end *e)
{
	char a[INET6_ADDRSTRLEN] = "*";

	if (e->family != 0)
		inet_ntop(fam == 4 ? AF_INET : AF_INET6, e->addr, a, sizeof(a));
	snprintf(buf, size, fam == 6 && e->family != 0 ? "[%s]:%u" : "%s:%u",
		 a, e->port);
}

/* Split buf in place at blanks; @return the tokens, or -1 if too many. */
static int
key_split(char *buf, char **tok)
{
	char *p = buf;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			return n;
		if (n == KEY_TOKENS)
			return -1;
		tok[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
}

int
pk_ctl_key_parse(const char *text, struct pk_ctl_key *k, char *err,
		 size_t errlen)
{
	static const char form[] = "D PROTO LOCAL [<- REMOTE] [-> TARGET]";
	struct key_end lo = { 0 }, re = { 0 };
	char buf[PK_CTL_KEY_MAX + 1], *tok[KEY_TOKENS];
	char lo_text[KEY_END_MAX], re_text[KEY_END_MAX];
	int n, i = 3, pfam = 0, fam;
	bool remote = false;
	uint8_t proto = 0;

	if (text == NULL || k == NULL)
		return ctl_err(-EINVAL, err, errlen, "no key given, expected %s",
			       form);
	if (strnlen(text, sizeof(buf)) == sizeof(buf))
		return ctl_err(-EINVAL, err, errlen, "found a key of more "
			       "than %d bytes, expected %s", PK_CTL_KEY_MAX,
			       form);
	memset(k, 0, sizeof(*k));
	strlcpy(buf, text, sizeof(buf));
	n = key_split(buf, tok);
	if (n < 0)
		return ctl_err(-EINVAL, err, errlen, "found more than %d words, "
			       "expected %s", KEY_TOKENS, form);
	if (n < 3)
		return ctl_err(-EINVAL, err, errlen, "found %d word%s, expected "
			       "%s", n, n == 1 ? "" : "s", form);
	if (ctl_name_check(tok[0], "a demux's name", err, errlen) != 0 ||
	    key_proto(tok[1], &proto, &pfam, err, errlen) != 0 ||
	    key_end_parse(tok[2], &lo, "a local address", err, errlen) != 0)
		return -EINVAL;
	if (i < n && strcmp(tok[i], "<-") == 0) {
		if (i + 1 == n)
			return ctl_err(-EINVAL, err, errlen, "found nothing "
				       "after '<-', expected a remote address");
		if (key_end_parse(tok[i + 1], &re, "a remote address", err,
				  errlen) != 0)
			return -EINVAL;
		remote = true;
		i += 2;
	}
	if (i < n && strcmp(tok[i], "->") == 0) {
		if (i + 1 == n)
			return ctl_err(-EINVAL, err, errlen, "found nothing "
				       "after '->', expected the key's target");
		if (ctl_name_check(tok[i + 1], "the key's target", err,
				   errlen) != 0)
			return -EINVAL;
		strlcpy(k->target, tok[i + 1], sizeof(k->target));
		i += 2;
	}
	if (i < n)
		return key_bad(tok[i], i == 3 ? "'<- REMOTE', '-> TARGET' or "
			       "the end" : "the end", err, errlen);
	fam = key_family(pfam, &lo, &re, remote, err, errlen);
	if (fam < 0)
		return fam;
	if (proto == IPPROTO_ICMP && fam == 6)
		proto = IPPROTO_ICMPV6;
	strlcpy(k->demux, tok[0], sizeof(k->demux));
	pk_flow_key_ipv6(&k->key, proto, lo.family != 0 ? lo.addr : NULL,
			 rte_cpu_to_be_16(lo.port), remote ? re.addr : NULL,
			 rte_cpu_to_be_16(re.port));
	k->key.family = (uint8_t)fam; /* IPv4 in the first 4 bytes, as v6 */
	key_end_text(lo_text, sizeof(lo_text), fam, &lo);
	key_end_text(re_text, sizeof(re_text), fam, &re);
	snprintf(k->text, sizeof(k->text), "%s%d %s%s%s",
		 proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" :
		 "icmp", fam, lo_text, remote ? " <- " : "",
		 remote ? re_text : "");
	return 0;
}

/* One walk of the live list finds the demux and the target, then acts. */
struct key_op {
	const struct pk_ctl_key *k;
	bool add;
	struct pk_stage *d, *t;
	bool probe;       /* only find them, and the target's owner */
	uint32_t owner;
	char *err;
	size_t errlen;
	int rc;
};

/* Who a key's target charges: its path's owner (unknown for none). */
static uint32_t
key_owner(struct pk_stage *t)
{
	struct pk_path *p = pk_path_from_stage(t);

	if (p == NULL && t->parent != NULL)
		p = pk_path_from_stage(t->parent);
	return p != NULL ? pk_path_owner(p) : PK_OWNER_UNKNOWN;
}

static bool
key_is_demux(const struct pk_stage *s)
{
	return strcmp(pk_stage_kind_name(s), "demux_flow") == 0;
}

static int
key_act(struct key_op *o)
{
	const struct pk_ctl_key *k = o->k;
	uint64_t hits;
	int rc;

	if (!o->add) {
		rc = pk_demux_flow_hits(o->d, &k->key, &hits);
		if (rc == 0 && o->t != NULL &&
		    pk_demux_flow_resolve(o->d, &k->key) != o->t)
			rc = -ENOENT;
		if (rc == 0)
			rc = pk_demux_flow_del(o->d, &k->key);
		if (rc == -ENOENT)
			return ctl_err(rc, o->err, o->errlen, "%s has no key %s%s%s",
				       k->demux, k->text, o->t != NULL ?
				       " to " : "", o->t != NULL ?
				       k->target : "");
		return rc != 0 ? ctl_err(rc, o->err, o->errlen, "%s: %s",
					 k->demux, strerror(-rc)) : 0;
	}
	rc = pk_demux_flow_add(o->d, &k->key, o->t);
	switch (rc) {
	case 0:
		return 0;
	case -EEXIST:
		return ctl_err(rc, o->err, o->errlen, "%s has the key %s "
			       "already (del it first)", k->demux, k->text);
	case -ENOSPC:
		return ctl_err(rc, o->err, o->errlen, "%s holds as many keys as "
			       "its capacity", k->demux);
	case -EINVAL:
		return ctl_err(rc, o->err, o->errlen, "%s (%s) takes no pushes "
			       "from %s, expected a queue or path", k->target,
			       pk_stage_kind_name(o->t), k->demux);
	default:
		return ctl_err(rc, o->err, o->errlen, "%s: %s", k->demux,
			       strerror(-rc));
	}
}

static int
key_walk(const struct pk_stage *cs, void *arg)
{
	struct pk_stage *s = (struct pk_stage *)(uintptr_t)cs;
	struct key_op *o = arg;

	if (o->d == NULL && key_is_demux(s) &&
	    strcmp(s->name, o->k->demux) == 0)
		o->d = s;
	/* a path is pushed as a whole (its "in" counts), as in the language */
	if (o->t == NULL && o->k->target[0] != '\0' &&
	    strcmp(s->name, o->k->target) == 0)
		o->t = s;
	if (o->d == NULL || (o->k->target[0] != '\0' && o->t == NULL))
		return 0;
	if (o->probe)
		o->owner = o->t != NULL ? key_owner(o->t) : PK_OWNER_UNKNOWN;
	else
		o->rc = key_act(o); /* under the list's lock: neither can go */
	return 1;
}

static int
key_change(const char *text, bool add, char *err, size_t errlen)
{
	struct pk_ctl_key k;
	struct key_op o = { .k = &k, .add = add, .err = err,
			    .errlen = errlen };
	int rc;

	rc = pk_ctl_key_parse(text, &k, err, errlen);
	if (rc != 0)
		return rc;
	if (add && k.target[0] == '\0')
		return ctl_err(-EINVAL, err, errlen, "found no target, expected "
			       "'-> TARGET' after the key");
	pk_ctl_lock();
	/*
	 * A port map guarding the demux (portmap_guard.c) binds an added key's
	 * port for its target's owner first, and unbinds a deleted one: the
	 * map's list is walked outside the stages' (one list lock at a time),
	 * under pk_ctl_lock() as pk_ctl_reserve() is.
	 */
	if (!add) {
		rc = pk_stage_live_foreach(key_walk, &o);
		if (rc != 0 && o.rc == 0)
			pm_key_unbind(k.demux, &k.key);
	} else {
		o.probe = true;
		rc = pk_stage_live_foreach(key_walk, &o);
		o.probe = false;
		if (rc != 0)
			o.rc = pm_key_bind(k.demux, &k.key, o.owner, err,
					   errlen);
		if (rc != 0 && o.rc == 0) {
			o.d = o.t = NULL;
			rc = pk_stage_live_foreach(key_walk, &o);
			if (rc == 0 || o.rc != 0) /* gone meanwhile, refused */
				pm_key_unbind(k.demux, &k.key);
		}
	}
	pk_ctl_unlock();
	if (rc != 0)
		return o.rc;
	if (o.d == NULL)
		return ctl_err(-ENOENT, err, errlen, "no demux_flow stage named "
			       "%s", k.demux);
	return ctl_err(-ENOENT, err, errlen, "no stage or path named %s",
		       k.target);
}

int
pk_ctl_key_add(const char *text, char *err, size_t errlen)
{
	return key_change(text, true, err, errlen);
}

int
pk_ctl_key_del(const char *text, char *err, size_t errlen)
{
	return key_change(text, false, err, errlen);
}
