/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by start.c (the start itself) and monitor.c (the optional
 * host-side monitor): what the guest's init G is created with. */
#ifndef VS_LAUNCH_H
#define VS_LAUNCH_H

#include "internal.h"

/* descriptors of G at exec: readiness report, setup errors, the helper */
enum { G_READY = 3, G_ERR = 4, G_HELPER = 5 };

struct launch {
	struct vs_guest *g;
	const struct vs_backend_ops *ops;
	int errw, pidw, readyw;
	int logr, logw;		/* console pty master, slave; -1: no monitor */
	int logfile;		/* RUNDIR/NAME.log (monitor only) */
	int rundfd;		/* RUNDIR, to rotate the log (monitor only) */
	int consock;		/* RUNDIR/NAME.console, listening (monitor only) */
	ino_t consock_ino;	/* its inode, to remove only our own */
	size_t logged;		/* bytes in the current log file */
	int clients[8];		/* attached consoles (console.c) */
	size_t n_clients;
	int helperfd;		/* vserver-init on a read-only mount (helper.c) */
	int cgfd;
	bool helper_init;	/* the helper is the guest's init (sysv, minit) */
	char **argv;
	char **env;
};

/* Clones G into its cgroup and namespaces.  In the parent: G's pid or a
 * negative errno.  G never returns (it execs the guest's init or reports
 * its failure on G_ERR and exits). */
VS_HIDDEN pid_t vs_launch_init(struct launch *L);
/* The monitor: clones G, reports its pid on L->pidw, relays G's console
 * into L->logfile and tidies up after G ends.  Never returns. */
VS_HIDDEN _Noreturn void vs_monitor(struct launch *L);

/* console.c: the monitor's console.  prepare (the caller, before the
 * fork): the log, the pty and the listening socket, into L; relay (the
 * monitor): log and serve the console until pidfd says the init ended;
 * close: the last output, clients and socket. */
VS_HIDDEN int vs_console_prepare(struct vs_ctx *ctx, int rundfd, const char *name,
				 struct launch *L);
VS_HIDDEN int vs_console_relay(struct launch *L, int pidfd);
VS_HIDDEN void vs_console_log(struct launch *L, const void *buf, size_t n);
VS_HIDDEN void vs_console_close(struct launch *L);

#endif
