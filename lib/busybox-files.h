/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The busybox guest's files, compiled in from templates/busybox/. */
#ifndef VS_BUSYBOX_FILES_H
#define VS_BUSYBOX_FILES_H

#include <sys/types.h>

struct vs_embedded_file {
	const char *path;	/* relative to the guest root */
	mode_t mode;
	const char *data;
};

extern const struct vs_embedded_file vs_busybox_files[];

#endif
