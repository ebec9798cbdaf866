/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vps — ps(1) with a column naming the guest each process belongs to. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] [--] [PS-ARGUMENTS...]\n"
	       "Runs ps with the given arguments (default: ax) and adds a CONTEXT column:\n"
	       "the context id and name of the guest a process belongs to, \"0 MAIN\" for\n"
	       "the host's own processes.  The output must have a PID column.\n"
	       "\n"
	       COMMON_OPTIONS_HELP, prog);
}

/* Index of the whitespace-separated token "PID" in the header, or -1. */
static int pid_column(const char *header)
{
	int idx = 0;
	const char *p = header;

	while (*p) {
		const char *s;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			break;
		s = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (p - s == 3 && !strncmp(s, "PID", 3))
			return idx;
		idx++;
	}
	return -1;
}

/* Offset just after token number idx, and its value as a pid. */
static int token_end(const char *line, int idx, long *pid)
{
	const char *p = line;

	for (int i = 0; ; i++) {
		const char *s;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			return -1;
		s = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (i == idx) {
			char *end;
			*pid = strtol(s, &end, 10);
			if (end != p)
				*pid = -1;
			return (int)(p - line);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct vs_ctx *ctx;
	char **psargv;
	int p[2], c, col = -1, status;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	bool header = true;
	pid_t pid;

	tool_init(argc, argv);
	/* stop at the first non-option: the rest belongs to ps */
	while ((c = getopt_long(argc, argv, "+vqhV", opts, NULL)) != -1) {
		if (!common_option(c, optarg, help))
			usage_error("invalid option (pass ps options after --)");
	}
	ctx = tool_ctx();
	psargv = calloc((size_t)(argc - optind) + 3, sizeof(char *));
	if (!psargv)
		die(EXIT_FAIL, "out of memory");
	psargv[0] = "ps";
	if (optind == argc)
		psargv[1] = "ax";
	else
		for (int i = optind; i < argc; i++)
			psargv[i - optind + 1] = argv[i];
	if (pipe(p) < 0)
		die(EXIT_FAIL, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die(EXIT_FAIL, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp("ps", psargv);
		fprintf(stderr, "%s: cannot execute ps: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (getline(&line, &cap, f) > 0) {
		long ppid;
		int at;
		char label[VS_NAME_MAX + 16];

		if (header) {
			header = false;
			col = pid_column(line);
			if (col < 0) {
				warnmsg("the ps output has no PID column; shown unchanged");
				fputs(line, stdout);
				continue;
			}
			at = token_end(line, col, &ppid);
			printf("%.*s %-20s%s", at, line, "CONTEXT", line + at);
			continue;
		}
		if (col < 0 || (at = token_end(line, col, &ppid)) < 0 || ppid <= 0) {
			fputs(line, stdout);
			continue;
		}
		{
			char *name = NULL;
			uint32_t xid = 0;
			if (vs_pid_guest(ctx, (pid_t)ppid, &name, &xid) == 0) {
				snprintf(label, sizeof(label), "%u %s", xid, name);
				free(name);
			} else {
				snprintf(label, sizeof(label), "0 MAIN");
			}
		}
		printf("%.*s %-20s%s", at, line, label, line + at);
	}
	free(line);
	fclose(f);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	vs_ctx_unref(ctx);
	free(psargv);
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAIL;
}
