/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver NAME COMMAND — build, start, stop, watch, enter and delete guests. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "console.h"
#include "vserver-cmds.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] NAME COMMAND [ARGS...]\n"
	       "       %s [OPTIONS] --list [--fancy|--json]\n"
	       "\n"
	       "Commands:\n"
	       "  build -m METHOD [BUILD-OPTIONS] [-- METHOD-OPTIONS]\n"
	       "                       create the guest (methods: skeleton, busybox,\n"
	       "                       debootstrap, clone, template)\n"
	       "  start                start it (exit 0 also when it runs already)\n"
	       "  stop [--timeout SEC] stop it: every process, then the mounts\n"
	       "  restart              stop, then start\n"
	       "  status [--json]      exit 0 when it runs, 3 when it does not; --json:\n"
	       "                       state, use, limits, network as a JSON object\n"
	       "  enter                a login shell inside, on a new pty\n"
	       "  exec [--cwd DIR] CMD [ARG...]\n"
	       "                       run a command inside (new session)\n"
	       "  delete [--force]     remove configuration and guest root\n"
	       "  console              attach to its console (apps/init/monitor);\n"
	       "                       Ctrl-a q detaches\n"
	       "  log [-f] [-n N]      its console log (apps/init/monitor), also after\n"
	       "                       it stopped; -f follows it, -n: the last N lines\n"
	       "  du [--bytes]         disk use: allocated, shared with other guests, private\n"
	       "  mark [MARK]          start it at boot: apps/init/mark = MARK (default\n"
	       "                       \"default\", the mark vserver-boot starts)\n"
	       "  unmark               remove the mark: not started at boot\n"
	       "  rename NEWNAME       rename the stopped guest (configuration, and its\n"
	       "                       root when that is VDIRBASE/NAME)\n"
	       "  limit [--json] [RES [VALUE]] [--save]\n"
	       "                       show the limits with use and hits, or change one\n"
	       "                       live (RES: nproc, nofile, nsock, ..., RES.soft,\n"
	       "                       RES.hard, memory, memory-soft, swap, cpu,\n"
	       "                       cpu-weight); --save also writes the configuration\n"
	       "\n"
	       "Build options:\n"
	       "  -m, --method METHOD  how to fill the guest root\n"
	       "      --context N      context id 2..49151 (default: the lowest free)\n"
	       "      --hostname NAME  host name (default: the guest's name)\n"
	       "      --interface SPEC [NAME=][DEV:]IP[/PREFIX]; may be repeated\n"
	       "      --initstyle S    plain, sysv or minit\n"
	       "      --vdir DIR       guest root (default VDIRBASE/NAME)\n"
	       "      --pin-backend B  always use backend ns or vx for this guest\n"
	       "      --force          replace an existing guest\n"
	       "      --unify[=MODE]   clone: share the source's files (auto, reflink,\n"
	       "                       overlay; default auto)\n"
	       "Method options (after --):\n"
	       "  busybox      [--busybox PATH]            (default /bin/busybox)\n"
	       "  debootstrap  [-d SUITE] [-m MIRROR] [--variant V] [--debootstrap PROG]\n"
	       "  clone        --source GUEST [--unify[=MODE]] [--no-freeze]\n"
	       "                                           (a running source is frozen\n"
	       "                                           for the copy unless --no-freeze)\n"
	       "  template     --source ARCHIVE | -t ARCHIVE  (tar, optionally compressed)\n"
	       "\n"
	       "Options:\n"
	       "  -l, --list           list the configured guests (names)\n"
	       "      --fancy          with --list: a table of state, context, boot mark,\n"
	       "                       addresses, and each guest's problem\n"
	       "      --json           with --list: the same as a JSON array\n"
	       COMMON_OPTIONS_HELP
	       "\n"
	       "Exit status: 0 success, 1 failure, 2 usage error, 3 not running (status);\n"
	       "exec and enter return the command's status.\n",
	       prog, prog);
}

static int cmd_build(struct vs_ctx *ctx, const char *name, int argc, char **argv)
{
	enum { O_CONTEXT = OPT_TOOL_BASE, O_HOSTNAME, O_IFACE, O_INITSTYLE, O_VDIR, O_FORCE,
	       O_BUSYBOX, O_SOURCE, O_VARIANT, O_DEBOOTSTRAP, O_PIN, O_NOFREEZE, O_UNIFY };
	static const struct option opts[] = {
		{ "method", required_argument, NULL, 'm' },
		{ "context", required_argument, NULL, O_CONTEXT },
		{ "hostname", required_argument, NULL, O_HOSTNAME },
		{ "interface", required_argument, NULL, O_IFACE },
		{ "initstyle", required_argument, NULL, O_INITSTYLE },
		{ "vdir", required_argument, NULL, O_VDIR },
		{ "force", no_argument, NULL, O_FORCE },
		{ "pin-backend", required_argument, NULL, O_PIN },
		{ "unify", optional_argument, NULL, O_UNIFY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct option mopts[] = {
		{ "busybox", required_argument, NULL, O_BUSYBOX },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "no-freeze", no_argument, NULL, O_NOFREEZE },
		{ "variant", required_argument, NULL, O_VARIANT },
		{ "debootstrap", required_argument, NULL, O_DEBOOTSTRAP },
		{ "suite", required_argument, NULL, 'd' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "template", required_argument, NULL, 't' },
		{ "unify", optional_argument, NULL, O_UNIFY },
		{ NULL, 0, NULL, 0 }
	};
	struct vs_build_opts o = { 0 };
	struct vs_iface *ifaces = NULL;
	size_t n_ifaces = 0;
	char err[256];
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o.method = optarg; break;
		case O_CONTEXT:
			if (vs_parse_xid(optarg, &o.xid) < 0)
				usage_error("--context: '%s' is not a context id (%d..%d)", optarg,
					    VS_XID_MIN, VS_XID_MAX);
			break;
		case O_HOSTNAME: o.hostname = optarg; break;
		case O_IFACE: {
			struct vs_iface *n = realloc(ifaces, (n_ifaces + 1) * sizeof(*n));
			if (!n)
				die(EXIT_FAIL, "out of memory");
			ifaces = n;
			if (vs_iface_parse(optarg, &ifaces[n_ifaces], err, sizeof(err)) < 0)
				usage_error("--interface: %s", err);
			n_ifaces++;
			break;
		}
		case O_INITSTYLE: o.initstyle = optarg; break;
		case O_VDIR: o.vdir = optarg; break;
		case O_FORCE: o.force = true; break;
		case O_PIN: o.backend = optarg; break;
		case O_UNIFY: o.unify = optarg ? optarg : "auto"; break;
		case 'h': help(); exit(EXIT_OK);
		default: usage_error("invalid build option");
		}
	}
	if (!o.method)
		usage_error("build: -m METHOD is required");
	/* method options follow "--" */
	if (optind < argc) {
		int margc = argc - optind + 1;
		char **margv = &argv[optind - 1];
		optind = 1;
		while ((c = getopt_long(margc, margv, "d:m:t:", mopts, NULL)) != -1) {
			switch (c) {
			case O_BUSYBOX: o.busybox = optarg; break;
			case O_SOURCE: case 't': o.source = optarg; break;
			case O_NOFREEZE: o.no_freeze = true; break;
			case O_VARIANT: o.variant = optarg; break;
			case O_DEBOOTSTRAP: o.debootstrap = optarg; break;
			case 'd': o.suite = optarg; break;
			case 'm': o.mirror = optarg; break;
			case O_UNIFY: o.unify = optarg ? optarg : "auto"; break;
			default: usage_error("invalid option for method %s", o.method);
			}
		}
		if (optind < margc)
			usage_error("unexpected argument '%s'", margv[optind]);
	}
	o.ifaces = ifaces;
	o.n_ifaces = n_ifaces;
	r = vs_build(ctx, name, &o);
	free(ifaces);
	if (r < 0) {
		const char *m = vs_ctx_errmsg(ctx);
		/* bad options are usage errors, whatever found them */
		die(r == -EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s", *m ? m : strerror(-r));
	}
	if (o.unify) {
		struct vs_unify_info ui;
		if (vs_guest_unify_info(ctx, name, &ui) == 0)
			note("%s: built (method %s, unified by %s)", name, o.method,
			     vs_unify_mode_name(ui.mode));
		return EXIT_OK;
	}
	note("%s: built (method %s)", name, o.method);
	return EXIT_OK;
}

static int cmd_start(struct vs_ctx *ctx, struct vs_guest *g)
{
	int r = vs_guest_start(g, 0);

	if (r < 0)
		die_lib(ctx, r);
	if (r == 1)
		note("%s is already running", vs_guest_name(g));
	else if (verbosity() > 0)
		note("%s started", vs_guest_name(g));
	return EXIT_OK;
}

static int parse_stop(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t ms = 0;
	int timeout = -1, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		if (c != 't')
			usage_error("stop: invalid option");
		if (vs_parse_duration_ms(optarg, &ms) < 0)
			usage_error("--timeout: '%s' is not a duration", optarg);
		timeout = (int)ms;
	}
	if (optind < argc)
		usage_error("stop: unexpected argument '%s'", argv[optind]);
	return timeout;
}

static int cmd_stop(struct vs_ctx *ctx, struct vs_guest *g, int timeout)
{
	int r = vs_guest_stop(g, 0, timeout);

	if (r < 0)
		die_lib(ctx, r);
	if (r == 1)
		note("%s is not running", vs_guest_name(g));
	else if (verbosity() > 0)
		note("%s stopped", vs_guest_name(g));
	return EXIT_OK;
}

static int exit_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_FAIL;
}

static void parse_exec(int argc, char **argv, bool enter, struct vs_exec_opts *o)
{
	static const struct option opts[] = {
		{ "cwd", required_argument, NULL, 'C' },
		{ "pty", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+C:t", opts, NULL)) != -1) {
		if (c == 'C')
			o->cwd = optarg;
		else if (c == 't')
			o->pty = true;
		else
			usage_error("%s: invalid option", enter ? "enter" : "exec");
	}
	if (o->cwd && o->cwd[0] != '/')
		usage_error("--cwd: '%s' is not an absolute path", o->cwd);
	if (enter) {
		if (optind < argc)
			usage_error("enter: unexpected argument '%s' (use exec)", argv[optind]);
		o->pty = true;
	} else {
		if (optind >= argc)
			usage_error("exec: no command given");
		o->argv = &argv[optind];
	}
	o->term = getenv("TERM");
}

static int cmd_exec(struct vs_ctx *ctx, struct vs_guest *g, const struct vs_exec_opts *o)
{
	int r, st = 0;

	r = vs_guest_exec(g, o, &st);
	if (r < 0) {
		const char *m = vs_ctx_errmsg(ctx);
		fprintf(stderr, "%s: %s\n", prog, *m ? m : strerror(-r));
		return r == -ENOENT ? 127 : (r == -EACCES || r == -ENOEXEC) ? 126 : EXIT_FAIL;
	}
	return exit_status(st);
}

/* What a verb's arguments gave, checked before the guest is looked up: a
 * usage error is one whether the guest exists or not. */
struct verb_args {
	int argc;
	char **argv;	/* argv[0] is the verb */
	int timeout;	/* stop */
	bool json;	/* status */
	bool force;	/* delete */
	struct vs_exec_opts xo;	/* exec, enter */
};

/* How a verb gets its guest: not at all (it takes the name: build, delete,
 * mark, rename), opened with the full look-up (a clear error for an
 * unknown guest), or opened deferred — start, stop, restart, exec and
 * enter read the configuration once, in the library, under the guest's
 * lock where it matters; a context id instead of a name still needs the
 * full look-up. */
enum verb_guest { VG_NAME, VG_OPEN, VG_DEFERRED };

struct verb {
	const char *name;
	enum verb_guest guest;
	void (*check)(const struct verb *v, struct verb_args *a);
	int (*run)(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		   struct verb_args *a);
};

static void check_no_args(const struct verb *v, struct verb_args *a)
{
	if (a->argc > 1)
		usage_error("%s: unexpected argument '%s'", v->name, a->argv[1]);
}

static void check_status(const struct verb *v, struct verb_args *a)
{
	if (a->argc > 1 && !strcmp(a->argv[1], "--json")) {
		a->json = true;
		a->argc--;
		a->argv++;
	}
	check_no_args(v, a);
}

static void check_delete(const struct verb *v, struct verb_args *a)
{
	bool force = a->argc > 1 && !strcmp(a->argv[1], "--force");

	(void)v;
	if (a->argc > (force ? 2 : 1))
		usage_error("delete: unexpected argument '%s'", a->argv[force ? 2 : 1]);
	a->force = force;
}

static void check_stop(const struct verb *v, struct verb_args *a)
{
	(void)v;
	a->timeout = parse_stop(a->argc, a->argv);
}

static void check_exec(const struct verb *v, struct verb_args *a)
{
	parse_exec(a->argc, a->argv, !strcmp(v->name, "enter"), &a->xo);
}

static int run_build(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		     struct verb_args *a)
{
	(void)g;
	return cmd_build(ctx, name, a->argc, a->argv);
}

static int run_delete(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		      struct verb_args *a)
{
	int r = vs_guest_delete(ctx, name, a->force ? VS_DELETE_FORCE : 0);

	(void)g;
	if (r < 0)
		die_lib(ctx, r);
	note("%s deleted", name);
	return EXIT_OK;
}

static int run_du(struct vs_ctx *ctx, const char *name, struct vs_guest *g, struct verb_args *a)
{
	(void)g;
	return cmd_du(ctx, name, a->argc, a->argv);
}

static int run_mark(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		    struct verb_args *a)
{
	(void)g;
	return cmd_mark(ctx, name, !strcmp(a->argv[0], "mark"), a->argc, a->argv);
}

static int run_rename(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		      struct verb_args *a)
{
	(void)g;
	return cmd_rename(ctx, name, a->argc, a->argv);
}

static int run_limit(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		     struct verb_args *a)
{
	(void)name;
	return cmd_limit(ctx, g, a->argc, a->argv);
}

static int run_console(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		       struct verb_args *a)
{
	return cmd_console(ctx, g, name, a->argc, a->argv);
}

static int run_log(struct vs_ctx *ctx, const char *name, struct vs_guest *g, struct verb_args *a)
{
	(void)name;
	return cmd_log(ctx, g, a->argc, a->argv);
}

static int run_status(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		      struct verb_args *a)
{
	(void)name;
	return cmd_status(ctx, g, a->json);
}

static int run_start(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		     struct verb_args *a)
{
	(void)name;
	(void)a;
	return cmd_start(ctx, g);
}

static int run_stop(struct vs_ctx *ctx, const char *name, struct vs_guest *g, struct verb_args *a)
{
	(void)name;
	return cmd_stop(ctx, g, a->timeout);
}

static int run_restart(struct vs_ctx *ctx, const char *name, struct vs_guest *g,
		       struct verb_args *a)
{
	int r = vs_guest_stop(g, 0, -1);

	(void)name;
	(void)a;
	if (r < 0)
		die_lib(ctx, r);
	return cmd_start(ctx, g);
}

static int run_exec(struct vs_ctx *ctx, const char *name, struct vs_guest *g, struct verb_args *a)
{
	(void)name;
	return cmd_exec(ctx, g, &a->xo);
}

static const struct verb verbs[] = {
	{ "build", VG_NAME, NULL, run_build },
	{ "start", VG_DEFERRED, check_no_args, run_start },
	{ "stop", VG_DEFERRED, check_stop, run_stop },
	{ "restart", VG_DEFERRED, check_no_args, run_restart },
	{ "status", VG_OPEN, check_status, run_status },
	{ "enter", VG_DEFERRED, check_exec, run_exec },
	{ "exec", VG_DEFERRED, check_exec, run_exec },
	{ "delete", VG_NAME, check_delete, run_delete },
	{ "console", VG_OPEN, NULL, run_console },
	{ "log", VG_OPEN, NULL, run_log },
	{ "du", VG_OPEN, NULL, run_du },
	{ "mark", VG_NAME, NULL, run_mark },
	{ "unmark", VG_NAME, NULL, run_mark },
	{ "rename", VG_NAME, NULL, run_rename },
	{ "limit", VG_OPEN, NULL, run_limit },
};

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "list", no_argument, NULL, 'l' },
		{ "fancy", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	struct verb_args a = { .timeout = -1 };
	const struct verb *v;
	struct vs_ctx *ctx;
	struct vs_guest *g = NULL;
	enum list_form form = LIST_NAMES;
	const char *name;
	bool list = false;
	int c, rc;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "+lvqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		if (c == 'l')
			list = true;
		else if (c == 'F')
			form = LIST_FANCY;
		else if (c == 'J')
			form = LIST_JSON;
		else
			usage_error("invalid option");
	}
	if (form != LIST_NAMES && !list)
		usage_error("--fancy and --json go with --list (status and limit take --json "
			    "after the command)");
	if (list && optind < argc)
		usage_error("--list: unexpected argument '%s'", argv[optind]);
	ctx = tool_ctx();
	if (list) {
		rc = cmd_list(ctx, form);
		vs_ctx_unref(ctx);
		return rc;
	}
	if (argc - optind < 2)
		usage_error("expected NAME COMMAND");
	name = argv[optind];
	a.argc = argc - optind - 1;
	a.argv = argv + optind + 1;
	if (vs_name_check(name) < 0)
		usage_error("'%s' is not a valid guest name (letters, digits, '.', '_', '-'; "
			    "first a letter or digit; at most %d characters)", name, VS_NAME_MAX);
	/* NAME COMMAND --help: the help, whatever the command */
	if (a.argc > 1 && (!strcmp(a.argv[1], "--help") || !strcmp(a.argv[1], "-h"))) {
		help();
		return EXIT_OK;
	}
	v = find_verb(a.argv[0]);
	if (!v)
		usage_error("unknown command '%s'", a.argv[0]);
	if (v->check)
		v->check(v, &a);
	if (v->guest == VG_OPEN ||
	    (v->guest == VG_DEFERRED && vs_guest_open_deferred(ctx, name, &g) < 0))
		g = open_guest(ctx, name);
	rc = v->run(ctx, name, g, &a);
	vs_guest_unref(g);
	vs_ctx_unref(ctx);
	return rc;
}
