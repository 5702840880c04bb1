/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The library's log while one call of a build or a start runs: sent to
 * memory, so that a refusal's reason can be reported with the place in the
 * configuration that asked for it, and put back in the log when the call
 * succeeds (conf_pvt.h, struct conf_logcap).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_log.h>

#include "conf_pvt.h"

void
conf_cap_begin(struct conf_logcap *lc)
{
	lc->old = rte_log_get_stream();
	lc->buf = NULL;
	lc->mem = open_memstream(&lc->buf, &lc->len);
	if (lc->mem != NULL)
		rte_openlog_stream(lc->mem);
}

const char *
conf_cap_end(struct conf_logcap *lc, int rc, const char *name, char *why,
	     size_t size)
{
	size_t n = strlen(name);
	char *line, *nl;

	snprintf(why, size, "%s", rte_strerror(rc < 0 ? -rc : rc));
	if (lc->mem == NULL)
		return why;
	rte_openlog_stream(lc->old);
	fclose(lc->mem);
	if (rc == 0 && lc->len > 0)
		fputs(lc->buf, lc->old != NULL ? lc->old : stderr);
	if (rc != 0 && lc->len > 0) {
		/* the first line says what went wrong; later ones, that
		 * something did ("cannot start") */
		line = lc->buf;
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (strncmp(line, "pathkit: ", 9) == 0)
			line += 9;
		if (strncmp(line, name, n) == 0 && strncmp(line + n, ": ", 2) == 0)
			line += n + 2; /* the caller names it already */
		snprintf(why, size, "%s", line);
	}
	free(lc->buf);
	return why;
}
