/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parameters of /pathkit/capture (capture_edge.c): words between
 * commas, from whoever can reach the telemetry socket. Alone in this file,
 * without DPDK, so that tests/fuzz/fuzz_capture_args.c builds it alone.
 */
#include <errno.h>
#include <string.h>

#include "capture_pvt.h"

int
capture_cmd_parse(const char *params, char *buf, size_t size,
		  struct capture_cmd *cmd)
{
	char *w[5];
	size_t len;
	unsigned int n = 0, i;
	char *p;

	memset(cmd, 0, sizeof(*cmd));
	if (params == NULL || params[0] == '\0') {
		cmd->op = CAPTURE_CMD_LIST;
		return 0;
	}
	len = strlen(params);
	if (len >= size)
		return -EINVAL;
	memcpy(buf, params, len + 1);
	for (p = buf, w[n++] = buf; *p != '\0'; p++)
		if (*p == ',') {
			if (n == 5)
				return -EINVAL;
			*p = '\0';
			w[n++] = p + 1;
		}
	for (p = buf; p < buf + len; p++) /* no control byte */
		if (*p != '\0' && (unsigned char)*p < 0x20)
			return -EINVAL;
	for (i = 0; i < n; i++)
		if (w[i][0] == '\0')
			return -EINVAL;
	if (n == 1) {
		cmd->op = CAPTURE_CMD_SHOW;
		cmd->from = w[0];
	} else if ((n == 2 || n == 3) && strcmp(w[0], "off") == 0) {
		cmd->op = CAPTURE_CMD_OFF;
		cmd->from = w[1];
		cmd->to = n == 3 ? w[2] : NULL;
	} else if ((n == 3 || n == 4) && strcmp(w[0], "on") == 0) {
		cmd->op = CAPTURE_CMD_ON;
		cmd->from = w[1];
		cmd->to = n == 4 ? w[2] : NULL;
		cmd->file = w[n - 1];
	} else {
		return -EINVAL;
	}
	if (cmd->op != CAPTURE_CMD_SHOW && /* no stage has a longer name */
	    (strlen(cmd->from) >= PK_STAGE_NAMESIZE ||
	     (cmd->to != NULL && strlen(cmd->to) >= PK_STAGE_NAMESIZE)))
		return -EINVAL;
	return 0;
}
