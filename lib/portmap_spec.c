/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Normalized addresses (portmap_pvt.h) and reservation specs, "OWNER:PROTO:LO[-HI][@ADDR]" ("alice:udp:5000-5099",
 * "bob:tcp:8080@10.0.0.1", "carol:udp:53@fd00::1"): read from command
 * lines (pk-silk --reserve) and telemetry parameters, so from anyone; and
 * written back in the same form for listings. The address goes last, after
 * '@', so that an IPv6 literal's colons need no brackets. Numbers follow
 * pk_parse.h's strict grammar. Nothing here touches the map or the owner
 * table: the fuzzer (tests/fuzz/fuzz_portmap_spec.c) links this file alone
 * with parse.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pathkit/pk_parse.h>

#include "pk_internal.h"
#include "portmap_pvt.h"

int
pm_addr_from(struct pm_addr *a, const struct sockaddr *sa)
{
	static const uint8_t zero[16];
	const struct sockaddr_in6 *s6;
	const struct sockaddr_in *s4;

	memset(a, 0, sizeof(*a));
	a->family = AF_UNSPEC;
	a->wild = true;
	if (sa == NULL || sa->sa_family == AF_UNSPEC)
		return 0;
	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)sa;
		memcpy(a->bytes, &s4->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)sa;
		memcpy(a->bytes, &s6->sin6_addr, 16);
	} else {
		return -EINVAL;
	}
	a->family = sa->sa_family;
	a->wild = memcmp(a->bytes, zero, sizeof(zero)) == 0;
	return 0;
}

void
pm_addr_to(const struct pm_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = a->family;
	if (a->family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, a->bytes, 4);
	else if (a->family == AF_INET6)
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, a->bytes, 16);
}

bool
pm_addr_overlap(const struct pm_addr *a, const struct pm_addr *b)
{
	if (a->family == AF_UNSPEC || b->family == AF_UNSPEC)
		return true;
	if (a->family != b->family)
		return false; /* IPv4 and IPv6 are apart, as with V6ONLY */
	return a->wild || b->wild || pm_addr_equal(a, b);
}

bool
pm_addr_equal(const struct pm_addr *a, const struct pm_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* Longest spec read: a name, "tcp", two ports, an IPv6 literal and more. */
#define SPEC_MAX 128

/* err gets "<spec quoted>: <why>", cut to errlen. */
static int
spec_fail(char *err, size_t errlen, const char *spec, int rc,
	  const char *why)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4];

	if (err != NULL && errlen > 0) {
		pk_parse_quote(q, sizeof(q), spec);
		snprintf(err, errlen, "reservation '%s': %s", q, why);
	}
	return rc;
}

/* A port, 1..65535: pk_parse_u64()'s grammar; why explains a refusal. */
static int
spec_port(const char *s, const char *what, uint16_t *port, char *why,
	  size_t size)
{
	uint64_t v;
	int rc = pk_parse_u64(s, 1, UINT16_MAX, &v);

	if (rc != 0) {
		pk_parse_explain(why, size, what, s, PK_PARSE_INT, 1,
				 UINT16_MAX, 0);
		return rc;
	}
	*port = (uint16_t)v;
	return 0;
}

static int
spec_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return 0;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return 0;
	}
	memset(ss, 0, sizeof(*ss));
	return -EINVAL;
}

int
pm_spec_parse(const char *spec, struct pm_spec *out, char *err, size_t errlen)
{
	char buf[SPEC_MAX], why[256], *owner, *proto, *ports, *hi, *at;
	struct pm_spec s;
	int rc;

	if (spec == NULL || out == NULL)
		return spec_fail(err, errlen, "", -EINVAL, "none given");
	if (strnlen(spec, sizeof(buf)) == sizeof(buf))
		return spec_fail(err, errlen, spec, -EINVAL, "too long");
	strcpy(buf, spec);
	memset(&s, 0, sizeof(s));
	s.addr.ss_family = AF_UNSPEC;
	at = strchr(buf, '@');
	if (at != NULL) {
		*at++ = '\0';
		if (spec_addr(at, &s.addr) != 0)
			return spec_fail(err, errlen, spec, -EINVAL,
					 "the address after '@' is neither an "
					 "IPv4 nor an IPv6 literal");
	}
	owner = buf;
	proto = strchr(owner, ':');
	ports = proto != NULL ? strchr(proto + 1, ':') : NULL;
	if (ports == NULL || strchr(ports + 1, ':') != NULL)
		return spec_fail(err, errlen, spec, -EINVAL,
				 "not OWNER:udp|tcp:LO[-HI][@ADDR]");
	*proto++ = '\0';
	*ports++ = '\0';
	if (!pk_owner_name_ok(owner))
		return spec_fail(err, errlen, spec, -EINVAL,
				 "an owner is 1..31 characters of A-Z a-z "
				 "0-9 _ . -");
	if (strcmp(proto, "udp") == 0)
		s.proto = IPPROTO_UDP;
	else if (strcmp(proto, "tcp") == 0)
		s.proto = IPPROTO_TCP;
	else
		return spec_fail(err, errlen, spec, -EINVAL,
				 "the protocol is udp or tcp");
	hi = strchr(ports, '-');
	if (hi != NULL)
		*hi++ = '\0';
	rc = spec_port(ports, "port", &s.lo, why, sizeof(why));
	if (rc == 0)
		rc = hi != NULL ? spec_port(hi, "last port", &s.hi, why,
					    sizeof(why)) : (s.hi = s.lo, 0);
	if (rc != 0)
		return spec_fail(err, errlen, spec, rc, why);
	if (s.hi < s.lo)
		return spec_fail(err, errlen, spec, -ERANGE,
				 "the last port is below the first");
	strcpy(s.owner, owner);
	*out = s;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return 0;
}

int
pm_spec_format(char *buf, size_t size, const char *owner, uint8_t proto,
	       uint16_t lo, uint16_t hi, const struct sockaddr *addr)
{
	char a[INET6_ADDRSTRLEN + 1] = "", range[16];
	const void *src = NULL;

	if (addr != NULL && addr->sa_family == AF_INET)
		src = &((const struct sockaddr_in *)addr)->sin_addr;
	else if (addr != NULL && addr->sa_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)addr)->sin6_addr;
	if (src != NULL) {
		a[0] = '@';
		inet_ntop(addr->sa_family, src, a + 1, sizeof(a) - 1);
	}
	if (lo == hi)
		snprintf(range, sizeof(range), "%u", lo);
	else
		snprintf(range, sizeof(range), "%u-%u", lo, hi);
	return snprintf(buf, size, "%s:%s:%s%s", owner,
			proto == IPPROTO_TCP ? "tcp" : "udp", range, a);
}
