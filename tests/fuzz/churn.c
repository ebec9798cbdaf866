// SPDX-License-Identifier: GPL-2.0-or-later
/* vs-fuzz: contexts and network contexts born, ended and killed under the
 * workers, and pages pulled from under their pointers. */
#include "fuzz.h"

/* Waits for a child for at most ~1 s, then kills it (a fuzzer may have
 * stopped it with ctx_kill SIGSTOP). */
static void reap(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void churn_main(uint64_t seed)
{
	struct rng r = { seed };

	signal(SIGALRM, SIG_IGN);
	while (!sh->stop && !past(&t_end)) {
		uint32_t xid = pick_pool(&r);
		pid_t pid;

		add(&sh->churn_ops, 1);
		switch (below(&r, 8)) {
		case 0: case 1: case 2:		/* a context is born; maybe ends setup, lives a moment */
			pid = fork();
			if (pid == 0) {
				struct vcmd_ctx_create cc = { VXF_STATE_SETUP | VXF_STATE_INIT | VXF_STATE_ADMIN };
				if (chance(&r, 30))
					cc.flagword |= VXF_PERSISTENT;
				if (chance(&r, 20))
					cc.flagword |= flagword(&r) & ~(VXF_SC_HELPER | VXF_STATE_ADMIN);
				if (vs(VCMD_ctx_create, xid, &cc) < 0) {
					struct vcmd_ctx_migrate m = { chance(&r, 30) ? VXM_SET_INIT : 0 };
					if (vs(VCMD_ctx_migrate, xid, &m) < 0)
						_exit(1);
				} else {
					add(&sh->churn_created, 1);
					setbit8(sh->created_xid, xid);
				}
				if (chance(&r, 50)) {
					struct vcmd_ctx_flags_v0 f = { 0, VXF_STATE_SETUP |
						(chance(&r, 50) ? VXF_STATE_INIT : 0) };
					vs(VCMD_set_cflags, VX_ID_SELF, &f);
				}
				if (chance(&r, 50) && fork() == 0)	/* a child that outlives it */
					usleep(below(&r, 20000));
				usleep(below(&r, 10000));
				_exit(0);
			}
			if (pid > 0)
				reap(pid);
			break;
		case 3:				/* the host drops persistence: the context may go */
		{
			struct vcmd_ctx_flags_v0 f = { 0, VXF_PERSISTENT };
			vs(VCMD_set_cflags, xid, &f);
			break;
		}
		case 4:				/* the host kills everything in it */
		{
			struct vcmd_ctx_kill_v0 k = { 0, SIGKILL };
			vs(VCMD_ctx_kill, xid, &k);
			break;
		}
		case 5: case 6:			/* network contexts: create / migrate, short-lived */
			pid = fork();
			if (pid == 0) {
				struct vcmd_net_create nc = { NXF_STATE_ADMIN | (chance(&r, 30) ? NXF_PERSISTENT : 0) };
				if (vs(VCMD_net_create, xid, chance(&r, 50) ? &nc : NULL) >= 0) {
					add(&sh->churn_netcreated, 1);
					setbit8(sh->created_nid, xid);
				} else if (vs(VCMD_net_migrate, xid, NULL) < 0) {
					_exit(1);
				}
				usleep(below(&r, 10000));
				_exit(0);
			}
			if (pid > 0)
				reap(pid);
			if (chance(&r, 30)) {
				struct vcmd_net_flags_v0 f = { 0, NXF_PERSISTENT };
				vs(VCMD_set_nflags, xid, &f);
			}
			break;
		default:			/* pages under the workers' pointers vanish and return */
			if (ftruncate(memfd, (off_t)below(&r, SHMPAGES + 1) * PG) < 0)
				break;
			break;
		}
	}
	_exit(0);
}
