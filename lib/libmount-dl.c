/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmount loaded on first use (see libmount-dl.h for why). */
#include "config.h"
#include "libmount-dl.h"

#include <dlfcn.h>
#include <string.h>
#include <pthread.h>

#define VS_LIBMOUNT_SONAME "libmount.so.1"

static struct vs_libmount table;
static const struct vs_libmount *loaded;
static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int sym(void *h, const char *name, void *slot)
{
	void *p = dlsym(h, name);

	if (!p) {
		snprintf(load_error, sizeof(load_error), "%s lacks %s", VS_LIBMOUNT_SONAME, name);
		return -1;
	}
	/* POSIX guarantees that a data pointer from dlsym() converts to a
	 * function pointer; memcpy keeps -Wpedantic quiet about it */
	memcpy(slot, &p, sizeof(p));
	return 0;
}

static void load(void)
{
	/* RTLD_LOCAL: libmount's symbols stay out of the caller's name space */
	void *h = dlopen(VS_LIBMOUNT_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);

	if (!h) {
		snprintf(load_error, sizeof(load_error), "cannot load %s: %s",
			 VS_LIBMOUNT_SONAME, dlerror());
		return;
	}
	if (sym(h, "mnt_new_table", &table.new_table) < 0 ||
	    sym(h, "mnt_unref_table", &table.unref_table) < 0 ||
	    sym(h, "mnt_table_set_parser_errcb", &table.table_set_parser_errcb) < 0 ||
	    sym(h, "mnt_table_parse_stream", &table.table_parse_stream) < 0 ||
	    sym(h, "mnt_table_next_fs", &table.table_next_fs) < 0 ||
	    sym(h, "mnt_new_iter", &table.new_iter) < 0 ||
	    sym(h, "mnt_free_iter", &table.free_iter) < 0 ||
	    sym(h, "mnt_fs_get_source", &table.fs_get_source) < 0 ||
	    sym(h, "mnt_fs_get_target", &table.fs_get_target) < 0 ||
	    sym(h, "mnt_fs_get_fstype", &table.fs_get_fstype) < 0 ||
	    sym(h, "mnt_fs_get_vfs_options", &table.fs_get_vfs_options) < 0 ||
	    sym(h, "mnt_fs_get_fs_options", &table.fs_get_fs_options) < 0 ||
	    sym(h, "mnt_optstr_get_flags", &table.optstr_get_flags) < 0 ||
	    sym(h, "mnt_get_builtin_optmap", &table.get_builtin_optmap) < 0) {
		dlclose(h);
		return;
	}
	loaded = &table;
}

const struct vs_libmount *vs_libmount(char *err, size_t errlen)
{
	pthread_once(&once, load);
	if (!loaded)
		snprintf(err, errlen, "%s", load_error);
	return loaded;
}
