/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver NAME console / vserver NAME log: the guest's console, kept by its
 * monitor (lib/console.c).  console attaches the caller's terminal to it
 * (lxc-console style: raw terminal, Ctrl-a q detaches, the terminal is put
 * back on every way out); log prints or follows the console's log. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"
#include "console.h"

#define ESCAPE 0x01	/* Ctrl-a, as screen and lxc-console */

static struct termios saved;
static bool raw_set;
static volatile sig_atomic_t stop_sig;

static void restore_terminal(void)
{
	if (raw_set) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		raw_set = false;
	}
}

static void on_signal(int s)
{
	stop_sig = s;
}

/* Input is passed on byte by byte (the guest's pty does the line
 * editing); output processing stays, so the guest's \n is a new line. */
static void raw_terminal(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
		return;
	t = saved;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	atexit(restore_terminal);	/* die() exits: the terminal comes back */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0)
		raw_set = true;
}

static bool write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

/* Passes the typed bytes on; Ctrl-a q detaches, Ctrl-a a (or Ctrl-a
 * Ctrl-a) sends one Ctrl-a.  Returns false to detach. */
static bool from_user(int sock, const char *in, size_t n, bool *esc)
{
	char out[2 * 4096];
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (*esc) {
			*esc = false;
			if (c == 'q')
				return write_all(sock, out, o), false;
			out[o++] = ESCAPE;
			if (c != 'a' && c != ESCAPE)
				out[o++] = c;
		} else if (c == ESCAPE) {
			*esc = true;
		} else {
			out[o++] = c;
		}
	}
	return write_all(sock, out, o);
}

int cmd_console(struct vs_ctx *ctx, struct vs_guest *g, const char *name, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	bool esc = false, user = true;
	int sock, rc = EXIT_OK;

	if (argc > 1)
		usage_error("console: unexpected argument '%s'", argv[1]);
	sock = vs_guest_console(g);
	if (sock < 0)
		die(EXIT_FAIL, "%s", vs_ctx_errmsg(ctx));
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "Connected to the console of %s; Ctrl-a q detaches.\n", name);
	raw_terminal();
	while (!stop_sig) {
		struct pollfd p[2] = { { .fd = user ? STDIN_FILENO : -1, .events = POLLIN },
				       { .fd = sock, .events = POLLIN } };
		char buf[4096];
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = EXIT_FAIL;
			break;
		}
		if (p[1].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0) {
				restore_terminal();
				fprintf(stderr, "\n[the console of %s closed: the guest stopped]\n",
					name);
				break;
			}
			if (!write_all(STDOUT_FILENO, buf, (size_t)n)) {
				rc = EXIT_FAIL;
				break;
			}
		}
		if (p[0].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			/* the end of the input (a pipe, a closed terminal)
			 * detaches, as Ctrl-a q does */
			if (n <= 0 || !from_user(sock, buf, (size_t)n, &esc)) {
				restore_terminal();
				fprintf(stderr, "\n[detached from the console of %s]\n", name);
				break;
			}
		}
	}
	restore_terminal();
	if (stop_sig)
		fprintf(stderr, "\n[detached from the console of %s: %s]\n", name,
			strsignal(stop_sig));
	close(sock);
	return rc;
}

/* ---- log ---- */

static bool copy_fd(int from)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (!write_all(STDOUT_FILENO, buf, (size_t)n))
			return false;
	return n == 0;
}

/* the last `lines` lines of the two halves (1 MiB at most: read whole) */
static void print_tail(int old, int cur, long lines)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fds[2] = { old, cur };

	for (int i = 0; i < 2; i++) {
		ssize_t n;
		if (fds[i] < 0)
			continue;
		for (;;) {
			if (cap - len < 65536) {
				char *nb = realloc(buf, cap + 65536);
				if (!nb)
					die(EXIT_FAIL, "out of memory");
				buf = nb;
				cap += 65536;
			}
			n = read(fds[i], buf + len, cap - len);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
	}
	{
		size_t start = len;
		long seen = 0;
		/* a last line without its newline counts as a line */
		if (start && buf[start - 1] == '\n')
			start--;
		while (start > 0) {
			if (buf[start - 1] == '\n' && ++seen == lines)
				break;
			start--;
		}
		if (lines > 0 && !write_all(STDOUT_FILENO, buf + start, len - start))
			die(EXIT_FAIL, "write: %s", strerror(errno));
	}
	free(buf);
}

static bool guest_running(struct vs_guest *g)
{
	struct vs_status st;

	return vs_guest_status(g, &st) == 0 && st.running;
}

int cmd_log(struct vs_ctx *ctx, struct vs_guest *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool follow = false;
	long lines = -1;
	int c, old, cur;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fn:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': follow = true; break;
		case 'n': {
			char *end;
			errno = 0;
			lines = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || lines < 0)
				usage_error("-n: '%s' is not a number of lines", optarg);
			break;
		}
		case 'h':
			printf("Usage: %s NAME log [-f|--follow] [-n|--lines N]\n"
			       "Prints the console log of a guest with apps/init/monitor (also\n"
			       "after it stopped); -n: its last N lines; -f: then what the guest\n"
			       "writes, until it stops.\n", prog);
			return EXIT_OK;
		default: usage_error("log: invalid option");
		}
	}
	if (optind < argc)
		usage_error("log: unexpected argument '%s'", argv[optind]);
	cur = vs_guest_log_open(g, 0);
	if (cur < 0)
		die(EXIT_FAIL, "%s", vs_ctx_errmsg(ctx));
	old = vs_guest_log_open(g, 1);
	if (old < 0 && old != -ENOENT)
		die(EXIT_FAIL, "%s", vs_ctx_errmsg(ctx));
	if (lines >= 0)
		print_tail(old, cur, lines);
	else if ((old >= 0 && !copy_fd(old)) || !copy_fd(cur))
		die(EXIT_FAIL, "%s", strerror(errno));
	if (old >= 0)
		close(old);
	/* follow: the monitor appends, and at 512 KiB starts a new file
	 * under the same name; the end is the guest's end */
	while (follow) {
		/* sampled first: what the guest wrote before it ended is
		 * read below */
		bool running = guest_running(g);
		struct stat a, b;
		int again;

		if (!copy_fd(cur))
			die(EXIT_FAIL, "%s", strerror(errno));
		again = vs_guest_log_open(g, 0);
		if (again < 0)
			break;	/* removed: a new start or the deletion */
		if (fstat(cur, &a) == 0 && fstat(again, &b) == 0 && a.st_ino != b.st_ino) {
			/* rotated: the rest of the old half, then the new one */
			if (!copy_fd(cur))
				die(EXIT_FAIL, "%s", strerror(errno));
			close(cur);
			cur = again;
			continue;
		}
		close(again);
		if (!running)
			break;
		usleep(200000);
	}
	close(cur);
	return EXIT_OK;
}
