/* Per-guest locks and the root-only run directory. */
#include "testutil.h"

#include <sys/wait.h>

static void exclusive(void **state)
{
	char *base = tu_mkdtemp();
	struct vs_ctx *ctx = tu_ctx(base);
	struct vs_lock *a = NULL, *b = NULL;
	int pfd[2];
	pid_t pid;
	char c;
	struct stat st;
	char p[600];

	(void)state;
	assert_int_equal(vs_lock_guest(ctx, "g1", 0, &a), 0);
	snprintf(p, sizeof(p), "%s/run", base);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* a second holder in another process is refused without waiting */
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		struct vs_lock *l = NULL;
		int r;
		/* the inherited descriptor shares the parent's lock: drop it */
		vs_lock_release(a);
		r = vs_lock_guest(ctx, "g1", VS_LOCK_NOWAIT, &l);
		_exit(r == -EBUSY ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* ... and the child's release left the parent's lock file alone */
	snprintf(p, sizeof(p), "%s/run/g1.lock", base);
	assert_int_equal(access(p, F_OK), 0);
	/* other guests are independent; a lock file lives only while held */
	assert_int_equal(vs_lock_guest(ctx, "g2", VS_LOCK_NOWAIT, &b), 0);
	snprintf(p, sizeof(p), "%s/run/g2.lock", base);
	assert_int_equal(access(p, F_OK), 0);
	vs_lock_release(b);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	/* a waiting locker gets it once released */
	pid = fork();
	if (pid == 0) {
		struct vs_lock *l = NULL;
		int r;
		close(pfd[0]);
		vs_lock_release(a);
		alarm(10);
		r = vs_lock_guest(ctx, "g1", 0, &l);
		if (write(pfd[1], r == 0 ? "y" : "n", 1) != 1)
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	usleep(100000);
	vs_lock_release(a);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	waitpid(pid, NULL, 0);
	close(pfd[0]);
	/* the waiter locked the file the first holder removed, saw that and
	 * took the new one; at its exit (no release) that one stays */
	snprintf(p, sizeof(p), "%s/run/g1.lock", base);
	assert_int_equal(access(p, F_OK), 0);
	assert_int_equal(vs_lock_guest(ctx, "../x", 0, &a), -EINVAL);
	vs_ctx_unref(ctx);
	tu_rm_rf(base);
	free(base);
}

static void rundir_perms(void **state)
{
	char *base = tu_mkdtemp();
	struct vs_ctx *ctx = tu_ctx(base);
	struct vs_lock *a = NULL;
	char p[600];

	(void)state;
	snprintf(p, sizeof(p), "%s/run", base);
	mkdir(p, 0755);
	chmod(p, 0755);
	assert_int_equal(vs_lock_guest(ctx, "g1", 0, &a), -EPERM);
	assert_non_null(strstr(vs_ctx_errmsg(ctx), "accessible only"));
	chmod(p, 0700);
	assert_int_equal(vs_lock_guest(ctx, "g1", 0, &a), 0);
	vs_lock_release(a);
	vs_ctx_unref(ctx);
	tu_rm_rf(base);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exclusive),
		cmocka_unit_test(rundir_perms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
