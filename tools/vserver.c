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
#include "json-fmt.h"
#include "limits-fmt.h"
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

static void print_network(struct vs_guest *g, const struct vs_status *st)
{
	struct vs_net_info ni;
	char flags[256];

	if (vs_guest_net_info(g, &ni) < 0) {
		if (st->host_network && st->backend == VS_BACKEND_NS)
			printf("  network: shares the host's network stack\n");
		return;
	}
	switch (ni.mode) {
	case VS_NET_HOST:
		printf("  network: shares the host's network stack (NO network isolation)\n");
		break;
	case VS_NET_NX:
		vs_flags_format(VS_FLAGS_NFLAGS, ni.nflags, flags, sizeof(flags));
		printf("  network: network context %u, loopback %s, flags %s\n", ni.nid, ni.lback,
		       flags[0] ? flags : "-");
		break;
	case VS_NET_NETNS:
		printf("  network: private namespace, loopback only\n");
		break;
	case VS_NET_VETH:
		printf("  network: private namespace, veth pair (host end %s)\n", ni.veth);
		break;
	}
	if (ni.addrs && ni.addrs[0]) {
		printf("  addresses:");
		for (char **a = ni.addrs; *a; a++)
			printf(" %s", *a);
		printf("\n");
	}
	vs_net_info_clear(&ni);
}

/* The limits part of "status": the table, and what is not enforced. */
static void status_limits(struct vs_guest *g)
{
	struct vs_limit *rows = NULL;
	char **un = NULL;
	size_t n = 0;

	if (vs_guest_limits(g, &rows, &n) == 0 && n) {
		printf("  limits:\n");
		print_limits(stdout, rows, n, "    ");
	}
	free(rows);
	if (vs_guest_limit_warnings(g, &un) == 0)
		for (char **p = un; p && *p; p++)
			printf("  warning: not enforced: %s\n", *p);
	vs_strv_free(un);
}

static int cmd_limit(struct vs_ctx *ctx, struct vs_guest *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "save", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	bool save = false, json = false;
	struct vs_limit *rows = NULL;
	const char *what = NULL;
	size_t n = 0;
	int c, r;

	optind = 0;	/* 0: a fresh scan that permits options after the arguments */
	while ((c = getopt_long(argc, argv, "sj", opts, NULL)) != -1) {
		if (c == 's')
			save = true;
		else if (c == 'j')
			json = true;
		else
			usage_error("limit: invalid option");
	}
	if (argc - optind > 2)
		usage_error("limit: unexpected argument '%s'", argv[optind + 2]);
	if (argc - optind == 2) {
		if (json)
			usage_error("limit: --json only shows limits");
		r = vs_guest_set_limit(g, argv[optind], argv[optind + 1], save ? VS_LIMIT_SAVE : 0);
		if (r == -EINVAL)
			die(EXIT_USAGE, "%s", vs_ctx_errmsg(ctx));
		if (r == -ESRCH)
			die(EXIT_NOT_RUNNING, "%s", vs_ctx_errmsg(ctx));
		if (r < 0)
			die_lib(ctx, r);
		if (verbosity() >= 0)
			note("%s: %s = %s%s", vs_guest_name(g), argv[optind], argv[optind + 1],
			     save ? " (saved)" : "");
		return EXIT_OK;
	}
	if (save)
		usage_error("limit: --save needs RES VALUE");
	if (argc - optind == 1)
		what = argv[optind];
	r = vs_guest_limits(g, &rows, &n);
	if (r < 0)
		die_lib(ctx, r);
	if (what) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(rows[i].name, what))
				rows[k++] = rows[i];
		if (!k) {
			free(rows);
			die(EXIT_FAIL, "%s: no limit '%s' is configured or in force",
			    vs_guest_name(g), what);
		}
		n = k;
	}
	if (json) {
		json_print(stdout, json_limits(rows, n));
	} else {
		print_limits(stdout, rows, n, "");
	}
	free(rows);
	return EXIT_OK;
}

/* The unification part of "status": how the guest shares its files. */
static void status_unify(struct vs_ctx *ctx, struct vs_guest *g)
{
	struct vs_unify_info ui;

	if (vs_guest_unify_info(ctx, vs_guest_name(g), &ui) < 0 || ui.mode == VS_UNIFY_NONE)
		return;
	if (ui.mode == VS_UNIFY_REFLINK)
		printf("  unified: reflink (file extents shared with %s's, copy on write)\n",
		       ui.source[0] ? ui.source : "its source");
	else
		printf("  unified: overlay over base %s (from %s, used by %u guest%s), "
		       "own files in %s\n", ui.base, ui.source[0] ? ui.source : "?", ui.users,
		       ui.users == 1 ? "" : "s", ui.upper);
}

static int cmd_du(struct vs_ctx *ctx, const char *name, int argc, char **argv)
{
	struct vs_disk_usage du;
	struct vs_unify_info ui;
	bool bytes = argc > 1 && !strcmp(argv[1], "--bytes");
	char b[4][32];
	int r;

	if (argc > (bytes ? 2 : 1))
		usage_error("du: unexpected argument '%s'", argv[bytes ? 2 : 1]);
	if ((r = vs_guest_unify_info(ctx, name, &ui)) < 0 ||
	    (r = vs_guest_disk_usage(ctx, name, &du)) < 0)
		die_lib(ctx, r);
	if (bytes) {
		printf("%s files=%llu apparent=%llu allocated=%llu shared=%llu private=%llu "
		       "unify=%s\n", name, (unsigned long long)du.files,
		       (unsigned long long)du.apparent, (unsigned long long)du.allocated,
		       (unsigned long long)du.shared, (unsigned long long)du.private_bytes,
		       vs_unify_mode_name(ui.mode));
		return EXIT_OK;
	}
	printf("%s: %llu files, %s apparent, %s allocated: %s shared, %s private "
	       "(unified: %s)\n", name, (unsigned long long)du.files,
	       fmt_bytes(du.apparent, b[0], sizeof(b[0])),
	       fmt_bytes(du.allocated, b[1], sizeof(b[1])),
	       fmt_bytes(du.shared, b[2], sizeof(b[2])),
	       fmt_bytes(du.private_bytes, b[3], sizeof(b[3])), vs_unify_mode_name(ui.mode));
	return EXIT_OK;
}

/* status --json: vserver-stat's object for a running guest, the
 * configured context and addresses for one that is not; both with the
 * state, the configuration's host name and mark, and the warnings. */
static int status_json(struct vs_ctx *ctx, struct vs_guest *g, const struct vs_status *st)
{
	struct json_object *o;
	struct vs_limit *rows = NULL;
	struct vs_unify_info ui;
	char **v = NULL;
	size_t n = 0;

	if (st->running) {
		if (vs_guest_limits(g, &rows, &n) < 0)
			n = 0;
		o = json_guest_status(vs_guest_name(g), g, st, rows, n,
				      VS_VALUE_UNKNOWN, NULL);
		free(rows);
	} else {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_text(vs_guest_name(g)));
		json_object_object_add(o, "context", vs_guest_xid(g) ?
				       json_object_new_uint64(vs_guest_xid(g)) : NULL);
		if (vs_guest_addresses(g, &v) < 0)
			die_lib(ctx, -ENOMEM);
		json_object_object_add(o, "addresses", json_strv(v));
		vs_strv_free(v);
		v = NULL;
	}
	json_object_object_add(o, "state", json_object_new_string(st->running ? "running" :
								    "stopped"));
	json_object_object_add(o, "incomplete", json_object_new_boolean(vs_guest_incomplete(g)));
	json_object_object_add(o, "leftovers", json_object_new_boolean(st->leftovers));
	json_add_config(o, ctx, vs_guest_name(g));
	json_object_object_add(o, "unify",
			       json_text(vs_guest_unify_info(ctx, vs_guest_name(g), &ui) < 0 ?
					 "none" : vs_unify_mode_name(ui.mode)));
	if (vs_guest_limit_warnings(g, &v) < 0)
		v = NULL;
	json_object_object_add(o, "not_enforced", json_strv(v));
	vs_strv_free(v);
	json_print(stdout, o);
	return st->running ? EXIT_OK : EXIT_NOT_RUNNING;
}

static int cmd_status(struct vs_ctx *ctx, struct vs_guest *g, bool json)
{
	struct vs_status st;
	char b1[32], b2[32], b3[32];
	int r = vs_guest_status(g, &st);

	if (r < 0)
		die_lib(ctx, r);
	if (json)
		return status_json(ctx, g, &st);
	if (!st.running) {
		printf("%s is stopped%s%s\n", vs_guest_name(g),
		       st.leftovers ? " (something is left; 'stop' removes it)" : "",
		       vs_guest_incomplete(g) ? " (incomplete: rebuild or delete it)" : "");
		status_unify(ctx, g);
		return EXIT_NOT_RUNNING;
	}
	printf("%s is running: backend %s, context %u, init pid %d, %u process%s, "
	       "memory %s, cpu %s, up %s\n", vs_guest_name(g), vs_backend_name(st.backend),
	       st.xid, (int)st.init_pid, st.nproc, st.nproc == 1 ? "" : "es",
	       fmt_bytes(st.mem_bytes, b1, sizeof(b1)),
	       fmt_duration(st.cpu_usec / 1000, b2, sizeof(b2)),
	       fmt_duration(st.uptime_ms, b3, sizeof(b3)));
	if (st.missing_cg)
		printf("  warning: limits not enforced: cgroup controller(s)%s%s%s not delegated "
		       "by the host\n", st.missing_cg & VS_CG_MEMORY ? " memory" : "",
		       st.missing_cg & VS_CG_PIDS ? " pids" : "",
		       st.missing_cg & VS_CG_CPU ? " cpu" : "");
	print_network(g, &st);
	status_unify(ctx, g);
	status_limits(g);
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "list", no_argument, NULL, 'l' },
		{ "fancy", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	struct vs_ctx *ctx;
	struct vs_guest *g;
	const char *name, *cmd;
	struct vs_exec_opts xo = { 0 };
	enum list_form form = LIST_NAMES;
	bool list = false, json = false;
	int c, rc, timeout = -1;

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
	cmd = argv[optind + 1];
	argc -= optind + 1;
	argv += optind + 1;
	if (vs_name_check(name) < 0)
		usage_error("'%s' is not a valid guest name (letters, digits, '.', '_', '-'; "
			    "first a letter or digit; at most %d characters)", name, VS_NAME_MAX);
	/* NAME COMMAND --help: the help, whatever the command */
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		help();
		return EXIT_OK;
	}
	if (!strcmp(cmd, "build"))
		return cmd_build(ctx, name, argc, argv);
	if (!strcmp(cmd, "delete")) {
		bool force = argc > 1 && !strcmp(argv[1], "--force");
		int r;
		if (argc > (force ? 2 : 1))
			usage_error("delete: unexpected argument '%s'", argv[force ? 2 : 1]);
		r = vs_guest_delete(ctx, name, force ? VS_DELETE_FORCE : 0);
		if (r < 0)
			die_lib(ctx, r);
		note("%s deleted", name);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "du")) {
		g = open_guest(ctx, name);	/* a clear error for an unknown guest */
		vs_guest_unref(g);
		rc = cmd_du(ctx, name, argc, argv);
		vs_ctx_unref(ctx);
		return rc;
	}
	if (!strcmp(cmd, "mark") || !strcmp(cmd, "unmark")) {
		rc = cmd_mark(ctx, name, !strcmp(cmd, "mark"), argc, argv);
		vs_ctx_unref(ctx);
		return rc;
	}
	if (!strcmp(cmd, "rename")) {
		rc = cmd_rename(ctx, name, argc, argv);
		vs_ctx_unref(ctx);
		return rc;
	}
	if (!strcmp(cmd, "limit")) {
		g = open_guest(ctx, name);
		rc = cmd_limit(ctx, g, argc, argv);
		vs_guest_unref(g);
		vs_ctx_unref(ctx);
		return rc;
	}
	if (!strcmp(cmd, "console") || !strcmp(cmd, "log")) {
		g = open_guest(ctx, name);
		rc = !strcmp(cmd, "log") ? cmd_log(ctx, g, argc, argv) :
					   cmd_console(ctx, g, name, argc, argv);
		vs_guest_unref(g);
		vs_ctx_unref(ctx);
		return rc;
	}
	if (strcmp(cmd, "start") && strcmp(cmd, "stop") && strcmp(cmd, "restart") &&
	    strcmp(cmd, "status") && strcmp(cmd, "enter") && strcmp(cmd, "exec"))
		usage_error("unknown command '%s'", cmd);
	if (!strcmp(cmd, "status") && argc > 1 && !strcmp(argv[1], "--json")) {
		json = true;
		argc--;
		argv++;
	}
	if ((!strcmp(cmd, "start") || !strcmp(cmd, "restart") || !strcmp(cmd, "status")) &&
	    argc > 1)
		usage_error("%s: unexpected argument '%s'", cmd, argv[1]);
	/* options first: a usage error is one whether the guest exists or not */
	if (!strcmp(cmd, "stop"))
		timeout = parse_stop(argc, argv);
	else if (!strcmp(cmd, "exec") || !strcmp(cmd, "enter"))
		parse_exec(argc, argv, !strcmp(cmd, "enter"), &xo);
	/* start, stop, restart, exec and enter read the configuration once,
	 * in the library (under the guest's lock where it matters); status
	 * and a context id instead of a name need the full look-up here */
	if (!strcmp(cmd, "status") || vs_guest_open_deferred(ctx, name, &g) < 0)
		g = open_guest(ctx, name);
	if (!strcmp(cmd, "status"))
		rc = cmd_status(ctx, g, json);
	else if (!strcmp(cmd, "start"))
		rc = cmd_start(ctx, g);
	else if (!strcmp(cmd, "stop"))
		rc = cmd_stop(ctx, g, timeout);
	else if (!strcmp(cmd, "restart")) {
		int r = vs_guest_stop(g, 0, -1);
		if (r < 0)
			die_lib(ctx, r);
		rc = cmd_start(ctx, g);
	} else
		rc = cmd_exec(ctx, g, &xo);
	vs_guest_unref(g);
	vs_ctx_unref(ctx);
	return rc;
}
