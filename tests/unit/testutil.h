/* Helpers shared by the unit tests: cmocka plus temporary directories and a
 * library context whose trusted owner is the user running the tests (so the
 * tests need no privileges). */
#ifndef VS_TESTUTIL_H
#define VS_TESTUTIL_H

#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static inline int tu_rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static inline void tu_rm_rf(const char *path)
{
	nftw(path, tu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *tu_mkdtemp(void)
{
	char *t = strdup("/tmp/vs-unit.XXXXXX");
	assert_non_null(t);
	assert_non_null(mkdtemp(t));
	chmod(t, 0755);
	return t;
}

static inline struct vs_ctx *tu_ctx(const char *base)
{
	struct vs_ctx *ctx;
	char p[512];

	assert_int_equal(vs_ctx_new(&ctx), 0);
	ctx->owner = geteuid();
	snprintf(p, sizeof(p), "%s/etc", base);
	mkdir(p, 0755);
	assert_int_equal(vs_ctx_set_confdir(ctx, p), 0);
	snprintf(p, sizeof(p), "%s/vservers", base);
	assert_int_equal(vs_ctx_set_vdirbase(ctx, p), 0);
	snprintf(p, sizeof(p), "%s/run", base);
	assert_int_equal(vs_ctx_set_rundir(ctx, p), 0);
	return ctx;
}

/* Writes a file below base (creating directories), mode 0644. */
static inline void tu_write(const char *base, const char *rel, const char *content)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	for (char *s = p + strlen(base) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	chmod(p, 0644);
}

#endif
