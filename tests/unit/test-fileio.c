/* Safe file operations: atomic replacement, removal and copy of trees that
 * never follow links out of the tree. */
#include "testutil.h"

#include <dirent.h>

struct fx {
	char *base;
	struct vs_ctx *ctx;
	int fd;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->base = tu_mkdtemp();
	f->ctx = tu_ctx(f->base);
	f->fd = open(f->base, O_RDONLY | O_DIRECTORY);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	close(f->fd);
	tu_rm_rf(f->base);
	vs_ctx_unref(f->ctx);
	free(f->base);
	free(f);
	return 0;
}

static void atomic_write(void **state)
{
	struct fx *f = *state;
	char *out = NULL;
	struct stat st;
	DIR *d;
	struct dirent *de;
	int n = 0;

	assert_int_equal(vs_write_at(f->ctx, f->fd, "a/b/c.txt", "one\n", 4, 0640), 0);
	assert_int_equal(vs_write_at(f->ctx, f->fd, "a/b/c.txt", "two\n", 4, 0640), 0);
	assert_int_equal(vs_read_at(f->ctx, f->fd, "a/b/c.txt", 100, &out), 0);
	assert_string_equal(out, "two\n");
	free(out);
	assert_int_equal(fstatat(f->fd, "a/b/c.txt", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	d = fdopendir(openat(f->fd, "a/b", O_RDONLY | O_DIRECTORY));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
		else if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			fail_msg("temporary file left behind: %s", de->d_name);
	closedir(d);
	assert_int_equal(n, 1);
}

static void write_refusals(void **state)
{
	struct fx *f = *state;
	char p[600];

	/* a symlink in the way of the target is not replaced blindly */
	snprintf(p, sizeof(p), "%s/link", f->base);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(vs_write_at(f->ctx, f->fd, "link", "x", 1, 0644), -EEXIST);
	/* nor a directory on the way that is a symlink */
	snprintf(p, sizeof(p), "%s/dirlink", f->base);
	assert_int_equal(symlink("/tmp", p), 0);
	assert_int_equal(vs_write_at(f->ctx, f->fd, "dirlink/x", "x", 1, 0644), -ELOOP);
	/* no climbing out */
	assert_int_equal(vs_write_at(f->ctx, f->fd, "../x", "x", 1, 0644), -EINVAL);
	assert_int_equal(vs_write_at(f->ctx, f->fd, "a/../../x", "x", 1, 0644), -EINVAL);
	assert_int_equal(vs_write_at(f->ctx, f->fd, "a/", "x", 1, 0644), -EINVAL);
	assert_int_equal(vs_read_at(f->ctx, f->fd, "../etc/passwd", 100, &(char *){ NULL }),
			 -EINVAL);
}

static void remove_tree(void **state)
{
	struct fx *f = *state;
	char p[600];

	tu_write(f->base, "outside/keep", "keep");
	tu_write(f->base, "tree/a/b/file", "x");
	tu_write(f->base, "tree/c", "y");
	snprintf(p, sizeof(p), "%s/outside", f->base);
	char l[600];
	snprintf(l, sizeof(l), "%s/tree/a/escape", f->base);
	assert_int_equal(symlink(p, l), 0);
	snprintf(l, sizeof(l), "%s/tree/fifo", f->base);
	assert_int_equal(mkfifo(l, 0600), 0);
	assert_int_equal(vs_rm_rf_at(f->ctx, f->fd, "tree"), 0);
	assert_int_not_equal(faccessat(f->fd, "tree", F_OK, 0), 0);
	assert_int_equal(faccessat(f->fd, "outside/keep", F_OK, 0), 0);
	/* removing something absent is fine */
	assert_int_equal(vs_rm_rf_at(f->ctx, f->fd, "tree"), 0);
	/* a symlink given as the top is removed, not followed */
	snprintf(l, sizeof(l), "%s/top", f->base);
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(vs_rm_rf_at(f->ctx, f->fd, "top"), 0);
	assert_int_equal(faccessat(f->fd, "outside/keep", F_OK, 0), 0);
}

static void copy_tree(void **state)
{
	struct fx *f = *state;
	char p[600], q[600], t[64];
	struct stat a, b;
	int src, dst;
	ssize_t n;

	tu_write(f->base, "src/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	tu_write(f->base, "src/bin/tool", "#!/bin/sh\n");
	snprintf(p, sizeof(p), "%s/src/bin/tool", f->base);
	chmod(p, 04755);
	snprintf(q, sizeof(q), "%s/src/bin/hard", f->base);
	assert_int_equal(link(p, q), 0);
	snprintf(q, sizeof(q), "%s/src/bin/sh", f->base);
	assert_int_equal(symlink("/bin/busybox", q), 0);
	snprintf(q, sizeof(q), "%s/src/run.fifo", f->base);
	assert_int_equal(mkfifo(q, 0600), 0);
	snprintf(q, sizeof(q), "%s/dst", f->base);
	mkdir(q, 0755);
	src = openat(f->fd, "src", O_RDONLY | O_DIRECTORY);
	dst = openat(f->fd, "dst", O_RDONLY | O_DIRECTORY);
	assert_int_equal(vs_copy_tree(f->ctx, src, dst), 0);
	close(src);
	close(dst);
	assert_int_equal(fstatat(f->fd, "dst/bin/tool", &a, 0), 0);
	assert_int_equal(a.st_mode & 07777, 04755);
	assert_int_equal(fstatat(f->fd, "dst/bin/hard", &b, 0), 0);
	assert_true(a.st_ino == b.st_ino);	/* hard link kept */
	n = readlinkat(f->fd, "dst/bin/sh", t, sizeof(t) - 1);
	assert_true(n > 0);
	t[n] = '\0';
	assert_string_equal(t, "/bin/busybox");	/* link copied, not followed */
	assert_int_equal(fstatat(f->fd, "dst/run.fifo", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISFIFO(a.st_mode));
	char *c = NULL;
	assert_int_equal(vs_read_file_at(f->fd, "dst/etc/passwd", 1000, &c), 0);
	assert_string_equal(c, "root:x:0:0::/root:/bin/sh\n");
	free(c);
}

static void plain_files(void **state)
{
	struct fx *f = *state;
	char *c = NULL;
	tu_write(f->base, "big", "0123456789");
	assert_int_equal(vs_read_file_at(f->fd, "big", 5, &c), -EFBIG);
	assert_int_equal(vs_read_file_at(f->fd, "big", 100, &c), 0);
	assert_string_equal(c, "0123456789");
	free(c);
	assert_int_equal(vs_read_file_at(f->fd, "nosuch", 100, &c), -ENOENT);
	assert_int_equal(vs_write_file_at(f->fd, "big", "ab"), 0);
	assert_int_equal(vs_dir_empty(f->fd), 0);
	mkdirat(f->fd, "empty", 0755);
	int e = openat(f->fd, "empty", O_RDONLY | O_DIRECTORY);
	assert_int_equal(vs_dir_empty(e), 1);
	close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(atomic_write, setup, teardown),
		cmocka_unit_test_setup_teardown(write_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(remove_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(plain_files, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
