/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmount, loaded on first use.
 *
 * Only a guest with an fstab needs libmount, but linking it pulls in
 * libblkid, libselinux and libpcre2 and runs their constructors in every
 * tool on every call: about 2.3 ms of CPU time per start, stop, exec or
 * vserver-stat on the project's 2-core host, a third of what chroot(1)
 * takes in all.  The table is filled once, by dlopen(3), when the first
 * fstab is parsed (the way systemd loads its optional libraries). */
#ifndef VS_LIBMOUNT_DL_H
#define VS_LIBMOUNT_DL_H

#include <stddef.h>
#include <stdio.h>
#include <libmount/libmount.h>

struct vs_libmount {
	struct libmnt_table *(*new_table)(void);
	void (*unref_table)(struct libmnt_table *tb);
	int (*table_set_parser_errcb)(struct libmnt_table *tb,
				      int (*cb)(struct libmnt_table *, const char *, int));
	int (*table_parse_stream)(struct libmnt_table *tb, FILE *f, const char *filename);
	int (*table_next_fs)(struct libmnt_table *tb, struct libmnt_iter *itr,
			     struct libmnt_fs **fs);
	struct libmnt_iter *(*new_iter)(int direction);
	void (*free_iter)(struct libmnt_iter *itr);
	const char *(*fs_get_source)(struct libmnt_fs *fs);
	const char *(*fs_get_target)(struct libmnt_fs *fs);
	const char *(*fs_get_fstype)(struct libmnt_fs *fs);
	const char *(*fs_get_vfs_options)(struct libmnt_fs *fs);
	const char *(*fs_get_fs_options)(struct libmnt_fs *fs);
	int (*optstr_get_flags)(const char *optstr, unsigned long *flags,
				const struct libmnt_optmap *map);
	const struct libmnt_optmap *(*get_builtin_optmap)(int id);
};

/* The loaded table, or NULL with a message in err (libmount missing). */
const struct vs_libmount *vs_libmount(char *err, size_t errlen);

#endif
