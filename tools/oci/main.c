/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver-oci: the OCI runtime command line (runc's; crun's verb table).
 *
 *   vserver-oci [GLOBAL OPTIONS] VERB [OPTIONS] ID [ARGS]
 *
 * Only this file prints and exits.  Errors go to stderr and, with --log,
 * to the log file as runc writes it (--log-format json: one object per
 * line with level, msg, time), where conmon and containerd-shim read it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "oci.h"

char oci_errmsg[1024];
int oci_preserve_fds;
static const char *prog = "vserver-oci";
static FILE *logfile;
static bool log_json, debug;

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

int oci_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(oci_errmsg, sizeof(oci_errmsg), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -EIO;
}

static void logmsg(const char *level, const char *msg)
{
	char t[64];
	struct timespec ts;
	struct tm tm;

	if (!logfile)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (log_json) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string(level));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(t));
		fprintf(logfile, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
									 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		fprintf(logfile, "time=\"%s\" level=%s msg=\"%s\"\n", t, level, msg);
	}
	fflush(logfile);
}

void oci_debug(const char *fmt, ...)
{
	char m[1024];
	va_list ap;

	if (!debug)
		return;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	logmsg("debug", m);
}

void oci_warn(const char *fmt, ...)
{
	char m[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: warning: %s\n", prog, m);
	logmsg("warning", m);
}

static _Noreturn void fail(int code, const char *fmt, ...)
{
	char m[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog, m);
	logmsg("error", m);
	if (code == EXIT_USAGE)
		fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	exit(code);
}

static _Noreturn void fail_lib(int r)
{
	fail(EXIT_FAIL, "%s", oci_errmsg[0] ? oci_errmsg : strerror(-r));
}

static void help(void)
{
	printf("Usage: %s [GLOBAL OPTIONS] COMMAND [OPTIONS] ID [ARGS...]\n"
	       "\n"
	       "An OCI runtime (runc's command line) over libvserver.\n"
	       "\n"
	       "Commands:\n"
	       "  create --bundle DIR [--pid-file F] [--console-socket S] ID\n"
	       "                       set up the container; its init waits for start\n"
	       "  start ID             run process.args in the created container\n"
	       "  run [--bundle DIR] [--detach] [--pid-file F] [--console-socket S] ID\n"
	       "                       create and start; without --detach wait, delete and\n"
	       "                       exit with the process's status\n"
	       "  state ID             the OCI state as JSON\n"
	       "  kill [--all] ID [SIGNAL]   signal the init (or all processes); default TERM\n"
	       "  delete [--force] ID  remove the container (--force: kill it first)\n"
	       "  exec [--process F | OPTIONS] ID [CMD...]\n"
	       "                       --tty, --console-socket S, --pid-file F, --detach,\n"
	       "                       --env K=V, --cwd DIR, --user UID[:GID], --no-new-privs\n"
	       "  ps [--format table|json] ID\n"
	       "  pause ID, resume ID  freeze / thaw every process (cgroup freezer)\n"
	       "  list [--quiet]       containers under --root\n"
	       "  update [--resources F|-] [--memory N] [--memory-swap N]\n"
	       "         [--memory-reservation N] [--pids-limit N] [--cpu-quota N]\n"
	       "         [--cpu-period N] [--cpu-share N] ID\n"
	       "                       new limits for a living container (0: as it is,\n"
	       "                       -1: none); all are applied or none\n"
	       "  features             what this runtime supports, as JSON\n"
	       "\n"
	       "Global options:\n"
	       "  --root DIR           state directory (default /run/vserver-oci)\n"
	       "  --log FILE           also write messages to FILE\n"
	       "  --log-format F       text or json\n"
	       "  --systemd-cgroup     linux.cgroupsPath is slice:prefix:name; the cgroup is\n"
	       "                       created at slice/prefix-name.scope by vserver-oci\n"
	       "                       itself (systemd is not asked)\n"
	       "  --backend B          auto (default: vx where the kernel has contexts), ns\n"
	       "                       or vx; the annotation org.vserver.backend overrides\n"
	       "  --debug              debug messages to the log\n"
	       "  -v, --version        version\n"
	       "  -h, --help           this help\n"
	       "\n"
	       "Exit status: 0 success, 1 failure, 2 usage error; run and exec (not detached)\n"
	       "return the process's status (128+N when killed by signal N).\n", prog);
}

static const char *need_id(int argc, char **argv, int i, const char *verb)
{
	if (i >= argc)
		fail(EXIT_USAGE, "%s: a container id is required", verb);
	return argv[i];
}

static void check_extra(int argc, int i, const char *verb)
{
	if (i < argc)
		fail(EXIT_USAGE, "%s: unexpected argument", verb);
}

static int parse_sub(int argc, char **argv, const char *so, const struct option *lo,
		     const char *verb, void (*fn)(int c, const char *arg, void *data), void *data)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == '?')
			fail(EXIT_USAGE, "%s: unknown option %s", verb, argv[optind - 1]);
		if (c == ':')
			fail(EXIT_USAGE, "%s: option %s needs a value", verb, argv[optind - 1]);
		fn(c, optarg, data);
	}
	return optind;
}

struct copts { const char *bundle, *pidfile, *console; bool detach, all, force, json, quiet; };
enum { O_BUNDLE = 0x100, O_PIDFILE, O_CONSOLE, O_DETACH, O_ALL, O_FORCE, O_FORMAT,
       O_PROCESS, O_TTY, O_ENV, O_CWD, O_USER, O_NNP, O_PRESERVE, O_NOKEYRING, O_NOPIVOT,
       O_QUIET };

static void c_opt(int c, const char *arg, void *d)
{
	struct copts *o = d;

	switch (c) {
	case 'b': case O_BUNDLE: o->bundle = arg; break;
	case O_PIDFILE: o->pidfile = arg; break;
	case O_CONSOLE: o->console = arg; break;
	case 'd': case O_DETACH: o->detach = true; break;
	case 'a': case O_ALL: o->all = true; break;
	case 'f': case O_FORCE: o->force = true; break;
	case 'q': case O_QUIET: o->quiet = true; break;
	case O_FORMAT:
		if (!strcmp(arg, "json"))
			o->json = true;
		else if (strcmp(arg, "table"))
			fail(EXIT_USAGE, "--format: table or json, not %s", arg);
		break;
	case O_PRESERVE: {
		char *e;
		long n = strtol(arg, &e, 10);
		if (*e || n < 0 || n > 1024)
			fail(EXIT_USAGE, "--preserve-fds: a number 0..1024");
		oci_preserve_fds = (int)n;
		break;
	}
	case O_NOKEYRING:
		break;	/* we never create a session keyring: nothing to skip */
	case O_NOPIVOT:
		fail(EXIT_USAGE, "--no-pivot: not supported (vserver-oci always uses pivot_root)");
	}
}

static const struct option create_lo[] = {
	{ "bundle", required_argument, NULL, O_BUNDLE },
	{ "pid-file", required_argument, NULL, O_PIDFILE },
	{ "console-socket", required_argument, NULL, O_CONSOLE },
	{ "detach", no_argument, NULL, O_DETACH },
	{ "preserve-fds", required_argument, NULL, O_PRESERVE },
	{ "no-new-keyring", no_argument, NULL, O_NOKEYRING },
	{ "no-pivot", no_argument, NULL, O_NOPIVOT },
	{ "all", no_argument, NULL, O_ALL },
	{ "force", no_argument, NULL, O_FORCE },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "quiet", no_argument, NULL, O_QUIET },
	{ NULL, 0, NULL, 0 }
};

static int do_run(const char *verb, int argc, char **argv)
{
	struct copts o = { .bundle = "." };
	struct oci_state st;
	struct oci_spec s;
	pid_t child;
	int i = parse_sub(argc, argv, "+:b:dfaq", create_lo, verb, c_opt, &o), r, status;
	const char *id = need_id(argc, argv, i, verb);

	check_extra(argc, i + 1, verb);
	if ((r = oci_create(id, o.bundle, o.pidfile, o.console, &st, &s, &child)) < 0)
		fail_lib(r);
	if (!strcmp(verb, "create"))
		return EXIT_OK;
	if ((r = oci_start(&st)) < 0) {
		oci_undo_create(&st, child);
		fail_lib(r);
	}
	if (o.detach)
		return EXIT_OK;
	/* the lock is taken per command: kill, exec and state must get in
	 * while the process runs; delete takes it again below */
	close(st.dirfd);
	st.dirfd = -1;
	/* foreground: the init is our child; forward what we get */
	{
		static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
		sigset_t set;
		sigemptyset(&set);
		for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
			sigaddset(&set, sigs[k]);
		sigaddset(&set, SIGCHLD);
		sigprocmask(SIG_BLOCK, &set, NULL);
		for (;;) {
			int sig;
			if (waitpid(child, &status, WNOHANG) == child)
				break;
			if (sigwait(&set, &sig) == 0 && sig != SIGCHLD)
				kill(child, sig);
		}
	}
	r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	oci_state_close(&st);
	if (oci_state_open(id, &st) == 0 && oci_delete(&st, true) < 0)
		oci_warn("%s", oci_errmsg);
	oci_state_close(&st);
	oci_spec_free(&s);
	return r;
}

static void open_state(const char *id, struct oci_state *st)
{
	int r = oci_state_open(id, st);

	if (r < 0)
		fail_lib(r);
}

static int do_simple(const char *verb, int argc, char **argv)
{
	struct copts o = { 0 };
	struct oci_state st;
	int i = parse_sub(argc, argv, "+:b:dfaq", create_lo, verb, c_opt, &o), r = 0;
	const char *id = need_id(argc, argv, i, verb);

	if (!strcmp(verb, "kill")) {
		int sig = SIGTERM;
		if (i + 1 < argc && (sig = vs_parse_signal(argv[i + 1])) <= 0)
			fail(EXIT_USAGE, "kill: unknown signal %s", argv[i + 1]);
		check_extra(argc, i + 2, verb);
		open_state(id, &st);
		r = oci_kill(&st, sig, o.all);
	} else {
		check_extra(argc, i + 1, verb);
		open_state(id, &st);
		if (!strcmp(verb, "start"))
			r = oci_start(&st);
		else if (!strcmp(verb, "delete"))
			r = oci_delete(&st, o.force);
		else if (!strcmp(verb, "ps"))
			r = oci_ps(&st, o.json);
		else if (!strcmp(verb, "pause") || !strcmp(verb, "resume"))
			r = oci_pause(&st, verb[0] == 'p');
		else if (!strcmp(verb, "state")) {
			char *j = oci_state_json(&st, oci_state_status(&st));
			printf("%s\n", j);
			free(j);
		}
	}
	if (r < 0)
		fail_lib(r);
	oci_state_close(&st);
	return EXIT_OK;
}

static int do_list(int argc, char **argv)
{
	struct copts o = { 0 };
	char **ids;
	int i = parse_sub(argc, argv, "+:b:dfaq", create_lo, "list", c_opt, &o);

	check_extra(argc, i, "list");
	if (oci_state_list(&ids) < 0)
		fail_lib(-EIO);
	if (!o.quiet)
		printf("ID\tPID\tSTATUS\tBUNDLE\n");
	for (char **p = ids; *p; p++) {
		struct oci_state st;
		if (oci_state_open(*p, &st) < 0) {
			oci_state_close(&st);
			continue;
		}
		if (o.quiet)
			printf("%s\n", *p);
		else
			printf("%s\t%d\t%s\t%s\n", *p, st.pid,
			       oci_status_name(oci_state_status(&st)), st.bundle ? st.bundle : "");
		oci_state_close(&st);
	}
	oci_strv_free(ids);
	return EXIT_OK;
}

struct xopts { struct exec_opts e; size_t n_env; };
static void x_opt(int c, const char *arg, void *d)
{
	struct xopts *x = d;

	switch (c) {
	case 'p': x->e.process = arg; break;
	case 't': case O_TTY: x->e.tty = true; break;
	case O_CONSOLE: x->e.console = arg; break;
	case O_PIDFILE: x->e.pidfile = arg; break;
	case 'd': case O_DETACH: x->e.detach = true; break;
	case 'w': case O_CWD: x->e.cwd = arg; break;
	case 'u': case O_USER: x->e.user = arg; break;
	case O_NNP: x->e.nnp = true; break;
	case 'e': case O_ENV:
		x->e.env = realloc(x->e.env, (x->n_env + 2) * sizeof(char *));
		x->e.env[x->n_env++] = (char *)arg;
		x->e.env[x->n_env] = NULL;
		break;
	case O_PRESERVE: c_opt(c, arg, NULL); break;
	}
}

static int do_exec(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "tty", no_argument, NULL, O_TTY },
		{ "console-socket", required_argument, NULL, O_CONSOLE },
		{ "pid-file", required_argument, NULL, O_PIDFILE },
		{ "detach", no_argument, NULL, O_DETACH },
		{ "cwd", required_argument, NULL, O_CWD },
		{ "env", required_argument, NULL, O_ENV },
		{ "user", required_argument, NULL, O_USER },
		{ "no-new-privs", no_argument, NULL, O_NNP },
		{ "preserve-fds", required_argument, NULL, O_PRESERVE },
		{ NULL, 0, NULL, 0 }
	};
	struct xopts x = { 0 };
	struct oci_state st;
	int i = parse_sub(argc, argv, "+:p:tde:w:u:", lo, "exec", x_opt, &x), r, code = 0;
	const char *id = need_id(argc, argv, i, "exec");

	x.e.args = argv + i + 1;
	if (x.e.process && i + 1 < argc)
		fail(EXIT_USAGE, "exec: --process and a command exclude each other");
	open_state(id, &st);
	if ((r = oci_exec(&st, &x.e, &code)) < 0)
		fail_lib(r);
	oci_state_close(&st);
	free(x.e.env);
	return code;
}

static int do_update(int argc, char **argv)
{
	struct oci_update u = { 0 };
	struct oci_state st;
	const char *id;
	int r = oci_update_args(argc, argv, &u, &id);

	if (r == -EINVAL)
		fail(EXIT_USAGE, "update: %s", oci_errmsg);
	if (r < 0)
		fail_lib(r);
	open_state(id, &st);
	if ((r = oci_update(&st, &u)) < 0)
		fail_lib(r);
	oci_state_close(&st);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "debug", no_argument, NULL, 'D' },
		{ "rootless", required_argument, NULL, 'R' },
		{ "backend", required_argument, NULL, 'B' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *logpath = NULL, *verb;
	int c;

	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return EXIT_FAIL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", lo, NULL)) != -1) {
		switch (c) {
		case 'r': oci_root = optarg; break;
		case 'l': logpath = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				fail(EXIT_USAGE, "--log-format: text or json, not %s", optarg);
			log_json = !strcmp(optarg, "json");
			break;
		case 's': break;	/* cgroup.c: slice:prefix:name paths, see --help */
		case 'D': debug = true; break;
		case 'B':
			if ((oci_backend = oci_backend_parse(optarg)) < 0)
				fail(EXIT_USAGE, "--backend: auto, ns or vx, not %s", optarg);
			break;
		case 'R':
			if (strcmp(optarg, "false"))
				fail(EXIT_USAGE, "--rootless: only false is supported");
			break;
		case 'v':
			printf("%s version %s\nspec: %s\nlibvserver: %s\n", prog, PACKAGE_VERSION,
			       OCI_VERSION, vs_version());
			return EXIT_OK;
		case 'h': help(); return EXIT_OK;
		default:
			fail(EXIT_USAGE, "unknown global option %s", argv[optind - 1]);
		}
	}
	if (logpath && !(logfile = fopen(logpath, "ae")))
		fail(EXIT_FAIL, "--log %s: %s", logpath, strerror(errno));
	if (oci_root[0] != '/')
		fail(EXIT_USAGE, "--root must be an absolute path");
	if (optind >= argc)
		fail(EXIT_USAGE, "a command is required");
	verb = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(verb, "create") || !strcmp(verb, "run"))
		return do_run(verb, argc, argv);
	if (!strcmp(verb, "exec"))
		return do_exec(argc, argv);
	if (!strcmp(verb, "list"))
		return do_list(argc, argv);
	if (!strcmp(verb, "update"))
		return do_update(argc, argv);
	if (!strcmp(verb, "features")) {
		oci_features();
		return EXIT_OK;
	}
	if (!strcmp(verb, "start") || !strcmp(verb, "state") || !strcmp(verb, "kill") ||
	    !strcmp(verb, "delete") || !strcmp(verb, "ps") || !strcmp(verb, "pause") ||
	    !strcmp(verb, "resume"))
		return do_simple(verb, argc, argv);
	fail(EXIT_USAGE, "unknown command %s", verb);
}
