/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The text of a queue's "red" and "pie" arguments (pk_dropper_parse()).
 * Fields are split on ':' here and each is read by pk_parse_u64(), so the
 * grammar of a number is the library's one; no DPDK call, so that the
 * fuzzer (tests/fuzz/fuzz_dropper.c) builds this file with lib/parse.c
 * alone. The ranges are rte_red's and rte_pie's, checked again when the
 * dropper is set.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pathkit/pk_dropper.h>
#include <pathkit/pk_parse.h>

#define DROPPER_FIELDS 5
#define DROPPER_DIM(a) (sizeof(a) / sizeof((a)[0]))
/* longest value read: five 20-digit numbers and their colons */
#define DROPPER_TEXT_MAX 128

struct dropper_field {
	const char *name;
	uint64_t min, max, def; /* def 0: the field must be given */
};

/* red=min:max:maxp_inv[:wq_log2[:pkt_ns]] */
static const struct dropper_field red_fields[] = {
	{ "min_th", 0, PK_DROPPER_RED_MAX_TH, 0 },
	{ "max_th", 1, PK_DROPPER_RED_MAX_TH, 0 },
	{ "maxp_inv", 1, 255, 0 },
	{ "wq_log2", 1, 12, PK_DROPPER_RED_WQ_LOG2 },
	{ "pkt_ns", 1, 1000000000, PK_DROPPER_RED_PKT_NS },
};

/* pie=qdelay_ms[:interval_ms[:burst_ms[:tailq_th]]]; tailq_th's default
 * is the capacity */
static const struct dropper_field pie_fields[] = {
	{ "qdelay_ms", 1, UINT16_MAX, 0 },
	{ "interval_ms", 1, UINT16_MAX, PK_DROPPER_PIE_INTERVAL_MS },
	{ "burst_ms", 1, UINT16_MAX, PK_DROPPER_PIE_BURST_MS },
	{ "tailq_th", 1, UINT16_MAX, 0 },
};

static int
dropper_err(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
dropper_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && size > 0) {
		va_start(ap, fmt);
		vsnprintf(err, size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Read val's fields into v[] by the table f of nf fields, of which the
 * first need are required; the rest take their defaults. usage: the form.
 */
static int
dropper_fields(const char *key, const char *val, const struct dropper_field *f,
	       unsigned int nf, unsigned int need, const char *usage,
	       uint64_t *v, char *err, size_t size)
{
	char text[DROPPER_TEXT_MAX + 1], q[4 * PK_PARSE_QUOTE_MAX + 4];
	char opt[32];
	unsigned int i, n = 1;
	size_t len = strlen(val);
	char *p, *next = NULL;

	pk_parse_quote(q, sizeof(q), val);
	for (i = 0; i < len; i++)
		n += val[i] == ':';
	if (len > DROPPER_TEXT_MAX || n < need || n > nf)
		return dropper_err(err, size, "%s: '%s' is not %s", key, q,
				   usage);
	memcpy(text, val, len + 1);
	for (i = 0, p = text; i < nf; i++, p = next) {
		if (i >= n) {
			v[i] = f[i].def;
			continue;
		}
		next = strchr(p, ':');
		if (next != NULL)
			*next++ = '\0';
		if (pk_parse_u64(p, f[i].min, f[i].max, &v[i]) != 0) {
			snprintf(opt, sizeof(opt), "%s %s", key, f[i].name);
			pk_parse_explain(err, err != NULL ? size : 0, opt, p,
					 PK_PARSE_INT, f[i].min, f[i].max, 0);
			return -EINVAL;
		}
	}
	return 0;
}

static int
dropper_parse_red(const char *val, unsigned int cap, struct pk_dropper_conf *c,
		  char *err, size_t size)
{
	uint64_t v[DROPPER_FIELDS];
	int rc;

	rc = dropper_fields("red", val, red_fields, DROPPER_DIM(red_fields), 3,
			    "min_th:max_th:maxp_inv[:wq_log2[:pkt_ns]]", v,
			    err, size);
	if (rc != 0)
		return rc;
	if (v[0] >= v[1]) /* rte_red_config_init() wants them apart */
		return dropper_err(err, size, "red: min_th %" PRIu64 " not "
				   "below max_th %" PRIu64, v[0], v[1]);
	if (v[1] > cap)
		return dropper_err(err, size, "red: max_th %" PRIu64 " above "
				   "the queue's capacity %u (it would refuse "
				   "first)", v[1], cap);
	memset(c, 0, sizeof(*c));
	c->kind = PK_DROPPER_RED;
	c->red.min_th = (uint16_t)v[0];
	c->red.max_th = (uint16_t)v[1];
	c->red.maxp_inv = (uint16_t)v[2];
	c->red.wq_log2 = (uint16_t)v[3];
	c->red.pkt_ns = (uint32_t)v[4];
	return 0;
}

static int
dropper_parse_pie(const char *val, unsigned int cap, struct pk_dropper_conf *c,
		  char *err, size_t size)
{
	uint64_t v[DROPPER_FIELDS];
	int rc;

	rc = dropper_fields("pie", val, pie_fields, DROPPER_DIM(pie_fields), 1,
			    "qdelay_ms[:interval_ms[:burst_ms[:tailq_th]]]", v,
			    err, size);
	if (rc != 0)
		return rc;
	if (v[3] == 0) { /* not given: the queue's capacity */
		if (cap == 0)
			return dropper_err(err, size, "pie: a queue of no "
					   "capacity");
		v[3] = cap;
	}
	if (v[3] > cap)
		return dropper_err(err, size, "pie: tailq_th %" PRIu64 " above "
				   "the queue's capacity %u (it would refuse "
				   "first)", v[3], cap);
	memset(c, 0, sizeof(*c));
	c->kind = PK_DROPPER_PIE;
	c->pie.qdelay_ms = (uint16_t)v[0];
	c->pie.interval_ms = (uint16_t)v[1];
	c->pie.burst_ms = (uint16_t)v[2];
	c->pie.tailq_th = (uint16_t)v[3];
	return 0;
}

int
pk_dropper_parse(const char *key, const char *val, unsigned int capacity,
		 struct pk_dropper_conf *c, char *err, size_t err_size)
{
	if (err != NULL && err_size > 0)
		err[0] = '\0';
	if (capacity > UINT16_MAX)
		capacity = UINT16_MAX;
	if (key == NULL || val == NULL || c == NULL)
		return dropper_err(err, err_size, "dropper: no key, value or "
				   "output");
	if (strcmp(key, "red") == 0)
		return dropper_parse_red(val, capacity, c, err, err_size);
	if (strcmp(key, "pie") == 0)
		return dropper_parse_pie(val, capacity, c, err, err_size);
	return dropper_err(err, err_size, "dropper: unknown kind (red or pie)");
}
