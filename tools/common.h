/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by every vserver tool: option handling, messages, exit codes. */
#ifndef VS_TOOLS_COMMON_H
#define VS_TOOLS_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stdnoreturn.h>

#include "vserver.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_NOT_RUNNING = 3,	/* LSB status: program is not running */
};

/* Long options every tool accepts (values above any short option). */
enum {
	OPT_CONFDIR = 0x1000,
	OPT_VDIRBASE,
	OPT_RUNDIR,
	OPT_BACKEND,
	OPT_HELPERDIR,
	OPT_CGROUP,
	OPT_TOOL_BASE = 0x1100,	/* tool-specific long options start here */
};

#define COMMON_LONG_OPTIONS \
	{ "confdir", required_argument, NULL, OPT_CONFDIR }, \
	{ "vdirbase", required_argument, NULL, OPT_VDIRBASE }, \
	{ "rundir", required_argument, NULL, OPT_RUNDIR }, \
	{ "backend", required_argument, NULL, OPT_BACKEND }, \
	{ "helperdir", required_argument, NULL, OPT_HELPERDIR }, \
	{ "cgroup", required_argument, NULL, OPT_CGROUP }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }

/* DEFAULT_CONFDIR, DEFAULT_VDIRBASE, DEFAULT_RUNDIR: configure's choice,
 * passed by tools/Makefile.am (the same values as the library's) */

#define COMMON_OPTIONS_HELP \
	"Common options:\n" \
	"      --confdir DIR    guest configurations (default " DEFAULT_CONFDIR ",\n" \
	"                       environment VSERVER_CONFDIR)\n" \
	"      --vdirbase DIR   guest roots (default " DEFAULT_VDIRBASE ",\n" \
	"                       VSERVER_VDIRBASE)\n" \
	"      --rundir DIR     locks and run state (default " DEFAULT_RUNDIR ",\n" \
	"                       VSERVER_RUNDIR)\n" \
	"      --backend NAME   auto, ns or vx (VSERVER_BACKEND)\n" \
	"      --helperdir DIR  where vserver-init is (VSERVER_HELPERDIR)\n" \
	"      --cgroup PATH    cgroup holding the guests (default vserver,\n" \
	"                       VSERVER_CGROUP)\n" \
	"  -v, --verbose        more messages (repeat for debugging)\n" \
	"  -q, --quiet          only errors and warnings\n" \
	"  -h, --help           this help\n" \
	"  -V, --version        version\n"

/* The apps/init/mark of the guests vserver-boot starts by default (the
 * systemd unit's), as util-vserver's init scripts. */
#define AUTOSTART_MARK "default"

extern const char *prog;

/* Records the program name, makes sure fds 0-2 are open. */
void tool_init(int argc, char **argv);
/* Handles one of the common options; false if c is not one of them.
 * 'h' calls help() and exits. */
bool common_option(int c, const char *arg, void (*help)(void));
/* The library context with environment and command-line settings. */
struct vs_ctx *tool_ctx(void);

noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports a library failure (r < 0) with the library's explanation. */
noreturn void die_lib(struct vs_ctx *ctx, int r);
int verbosity(void);

/* Parses a guest given by name or context id; prints and exits on error. */
struct vs_guest *open_guest(struct vs_ctx *ctx, const char *name_or_xid);
/* Human formats */
const char *fmt_bytes(uint64_t b, char *buf, size_t len);
const char *fmt_duration(uint64_t ms, char *buf, size_t len);

#endif
