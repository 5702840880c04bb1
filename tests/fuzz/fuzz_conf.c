/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the configuration language (lib/conf_*.c, compiled
 * in with the fuzzer's instrumentation; the rest of libpathkit, its stage
 * kinds and scheduling policies, linked as usual): the lexer, the parser,
 * every check of the graph, and the Graphviz output of what passes. Nothing
 * is built, so no EAL: a configuration is text from anyone until it is.
 *
 * Input: the configuration's text (up to the first NUL). Includes are
 * refused (PK_CONF_F_NO_INCLUDE): the harness reads no file. Invariants
 * checked (abort() on a breach):
 *  - the result is a configuration, or NULL with rte_errno EINVAL or
 *    ENOMEM and at least one error line;
 *  - every error line starts with "<fuzz>:" (its place), and is printable
 *    ASCII: hostile bytes are quoted, never echoed;
 *  - a configuration that passes writes its graph, and a second reading
 *    of the same text passes too.
 *
 *   ./fuzz_conf -max_total_time=600 -dict=tests/fuzz/conf.dict \
 *       <new corpus dir> tests/fuzz/corpus_conf
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pk_conf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

/* Each line: "<fuzz>:" first, printable ASCII throughout. */
static void
check_lines(const char *buf, size_t len)
{
	size_t i, bol = 0;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			check(i > bol && strncmp(&buf[bol], "<fuzz>:", 7) == 0);
			bol = i + 1;
			continue;
		}
		check(buf[i] >= 0x20 && buf[i] < 0x7f);
	}
	check(bol == len); /* every line ends */
}

static struct pk_conf *
fuzz_parse(const char *text, char **err, size_t *len)
{
	struct pk_conf_params p = {
		.socket_id = -1, .flags = PK_CONF_F_NO_INCLUDE,
	};
	struct pk_conf *c;

	p.err = open_memstream(err, len);
	check(p.err != NULL);
	rte_errno = 0;
	c = pk_conf_parse_string(text, "<fuzz>", &p);
	fclose(p.err);
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *err = NULL, *dot = NULL;
	size_t len = 0, dlen = 0;
	struct pk_conf *c;
	FILE *f;

	check(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	c = fuzz_parse(text, &err, &len);
	check_lines(err, len);
	if (c == NULL) {
		check(rte_errno == EINVAL || rte_errno == ENOMEM);
		check(len > 0);
	} else {
		check(len == 0);
		f = open_memstream(&dot, &dlen);
		check(f != NULL && pk_conf_dot(c, f) == 0);
		fclose(f);
		check(dlen > 0 && dot[dlen - 1] == '\n');
		free(dot);
		pk_conf_destroy(c);
		free(err);
		err = NULL;
		c = fuzz_parse(text, &err, &len);
		check(c != NULL && len == 0);
		pk_conf_destroy(c);
	}
	free(err);
	free(text);
	return 0;
}
