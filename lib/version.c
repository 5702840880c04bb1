/* SPDX-License-Identifier: BSD-3-Clause */
#include <pathkit/pk_version.h>

const char *
pk_version(void)
{
	return PK_VERSION_STR;
}
