/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

const char *prog = "vserver";

static int verbose = 0;
static const char *opt_confdir, *opt_vdirbase, *opt_rundir, *opt_backend;
static const char *opt_helperdir, *opt_cgroup;

int verbosity(void)
{
	return verbose;
}

void tool_init(int argc, char **argv)
{
	const char *slash;

	(void)argc;
	if (argv[0]) {
		slash = strrchr(argv[0], '/');
		prog = slash ? slash + 1 : argv[0];
		/* libtool's uninstalled wrappers run "lt-NAME" */
		if (!strncmp(prog, "lt-", 3))
			prog += 3;
	}
	/* Nothing we open may land on 0-2: a command run in a guest would
	 * receive it as its standard input or output. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			exit(EXIT_FAIL);
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", prog, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	exit(EXIT_USAGE);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	exit(code);
}

void warnmsg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;
	if (verbose < 0)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void die_lib(struct vs_ctx *ctx, int r)
{
	const char *m = ctx ? vs_ctx_errmsg(ctx) : "";
	die(EXIT_FAIL, "%s", m && *m ? m : strerror(-r));
}

static void log_cb(void *data, int level, const char *msg)
{
	(void)data;
	if (level <= VS_LOG_WARN)
		fprintf(stderr, "%s: warning: %s\n", prog, msg);
	else if (level == VS_LOG_DEBUG)
		fprintf(stderr, "%s: debug: %s\n", prog, msg);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
}

bool common_option(int c, const char *arg, void (*help)(void))
{
	switch (c) {
	case OPT_CONFDIR: opt_confdir = arg; return true;
	case OPT_VDIRBASE: opt_vdirbase = arg; return true;
	case OPT_RUNDIR: opt_rundir = arg; return true;
	case OPT_BACKEND: opt_backend = arg; return true;
	case OPT_HELPERDIR: opt_helperdir = arg; return true;
	case OPT_CGROUP: opt_cgroup = arg; return true;
	case 'v': verbose = verbose < 0 ? 1 : verbose + 1; return true;
	case 'q': verbose = -1; return true;
	case 'h': help(); exit(EXIT_OK);
	case 'V':
		printf("%s (vserver) %s\n", prog, vs_version());
		exit(EXIT_OK);
	}
	return false;
}

struct vs_ctx *tool_ctx(void)
{
	struct vs_ctx *ctx;
	int r = vs_ctx_new(&ctx);

	if (r < 0)
		die(EXIT_FAIL, "cannot initialise: %s", strerror(-r));
	vs_ctx_set_log(ctx, log_cb, NULL, verbose < 0 ? VS_LOG_WARN :
		       verbose == 0 ? VS_LOG_NOTICE : verbose == 1 ? VS_LOG_INFO : VS_LOG_DEBUG);
	if ((r = vs_ctx_load_env(ctx)) < 0)
		die_lib(ctx, r);
	if ((opt_confdir && (r = vs_ctx_set_confdir(ctx, opt_confdir)) < 0) ||
	    (opt_vdirbase && (r = vs_ctx_set_vdirbase(ctx, opt_vdirbase)) < 0) ||
	    (opt_rundir && (r = vs_ctx_set_rundir(ctx, opt_rundir)) < 0) ||
	    (opt_helperdir && (r = vs_ctx_set_helperdir(ctx, opt_helperdir)) < 0) ||
	    (opt_cgroup && (r = vs_ctx_set_cgroup(ctx, opt_cgroup)) < 0))
		usage_error("%s", vs_ctx_errmsg(ctx));
	if (opt_backend && vs_ctx_set_backend(ctx, opt_backend) < 0)
		usage_error("%s", vs_ctx_errmsg(ctx));
	return ctx;
}

struct vs_guest *open_guest(struct vs_ctx *ctx, const char *spec)
{
	struct vs_guest *g;
	uint32_t xid;
	int r;

	if (vs_name_check(spec) < 0)
		usage_error("'%s' is not a valid guest name", spec);
	r = vs_guest_open(ctx, spec, &g);
	if (r == -ENOENT && vs_parse_xid(spec, &xid) == 0) {
		/* a context id: find the guest that has it */
		char **names = NULL;
		if (vs_guest_list(ctx, &names) == 0) {
			for (char **n = names; *n; n++) {
				struct vs_guest *c;
				if (vs_guest_open(ctx, *n, &c) < 0)
					continue;
				if (vs_guest_xid(c) == xid) {
					vs_strv_free(names);
					return c;
				}
				vs_guest_unref(c);
			}
			vs_strv_free(names);
		}
		die(EXIT_FAIL, "no guest has context id %u", xid);
	}
	if (r < 0)
		die_lib(ctx, r);
	return g;
}

const char *fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	double v = (double)b;
	int u = -1;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)b);
	else
		snprintf(buf, len, "%.*f%c", v < 10 ? 1 : 0, v, units[u]);
	return buf;
}

const char *fmt_duration(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%llu.%02llus", (unsigned long long)s,
			 (unsigned long long)(ms % 1000) / 10);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	return buf;
}
