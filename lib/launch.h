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
	int logr, logw;		/* console pipe to the monitor; -1: no monitor */
	int logfile;		/* RUNDIR/NAME.log (monitor only) */
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

#endif
