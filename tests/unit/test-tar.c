/* Template archive parsing: member path cleaning, symlink escape detection,
 * numeric fields; and extraction of crafted archives. */
#include "testutil.h"

#include <sys/mman.h>

static void path_clean(void **state)
{
	char out[256];
	bool st;
	struct { const char *in, *out; bool stripped; } good[] = {
		{ "etc/passwd", "etc/passwd", false },
		{ "./etc/passwd", "etc/passwd", false },
		{ "/etc/passwd", "etc/passwd", true },
		{ "///etc//./passwd", "etc/passwd", true },
		{ "a/./b/./c/", "a/b/c", false },
		{ "...", "...", false },
		{ "a/..b/c..", "a/..b/c..", false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(vs_tar_path_clean(good[i].in, out, sizeof(out), &st), 0);
		assert_string_equal(out, good[i].out);
		assert_int_equal(st, good[i].stripped);
	}
	const char *bad[] = { "..", "../x", "a/../../x", "a/..", "/../x", "a/b/../c" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vs_tar_path_clean(bad[i], out, sizeof(out), &st), -EINVAL);
	/* the root itself */
	assert_int_equal(vs_tar_path_clean("./", out, sizeof(out), &st), -ENOENT);
	assert_int_equal(vs_tar_path_clean("/", out, sizeof(out), &st), -ENOENT);
	assert_int_equal(vs_tar_path_clean("", out, sizeof(out), &st), -EINVAL);
	assert_int_equal(vs_tar_path_clean(NULL, out, sizeof(out), &st), -EINVAL);
	/* too long for the buffer, and a component longer than NAME_MAX */
	assert_int_equal(vs_tar_path_clean("aaaaaaaaaa/bbbbbbbbbb", out, 8, &st), -ENAMETOOLONG);
	char longc[300];
	memset(longc, 'x', 299);
	longc[299] = '\0';
	assert_int_equal(vs_tar_path_clean(longc, out, sizeof(out), &st), -ENAMETOOLONG);
}

static void symlink_escape(void **state)
{
	(void)state;
	assert_false(vs_symlink_escapes("lnk", "/etc/passwd"));	/* resolved in the guest */
	assert_false(vs_symlink_escapes("lnk", "etc/passwd"));
	assert_false(vs_symlink_escapes("a/b/lnk", "../../etc"));
	assert_false(vs_symlink_escapes("a/lnk", "../x/../y"));
	assert_true(vs_symlink_escapes("lnk", "../etc"));
	assert_true(vs_symlink_escapes("a/b/lnk", "../../../etc"));
	assert_true(vs_symlink_escapes("a/lnk", "x/../../../y"));
	assert_true(vs_symlink_escapes("lnk", ".."));
	assert_false(vs_symlink_escapes("a/lnk", "./././.."));
	assert_true(vs_symlink_escapes("a/lnk", "./././../.."));
}

static void numbers(void **state)
{
	uint64_t v;
	char b256[12] = { (char)0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00 };
	(void)state;
	assert_int_equal(vs_tar_octal("0000644\0", 8, &v), 0);
	assert_int_equal(v, 0644);
	assert_int_equal(vs_tar_octal("  755 \0\0", 8, &v), 0);
	assert_int_equal(v, 0755);
	assert_int_equal(vs_tar_octal("00000001750\0", 12, &v), 0);
	assert_int_equal(v, 01750);
	assert_int_equal(vs_tar_octal(b256, 12, &v), 0);
	assert_int_equal(v, 0x10000);
	assert_int_equal(vs_tar_octal("0000x44\0", 8, &v), -EINVAL);
	assert_int_equal(vs_tar_octal("\0\0\0\0\0\0\0\0", 8, &v), -EINVAL);
	assert_int_equal(vs_tar_octal("        ", 8, &v), -EINVAL);
	assert_int_equal(vs_tar_octal("0000 644", 8, &v), -EINVAL);
	char neg[8] = { (char)0xff, 0, 0, 0, 0, 0, 0, 1 };
	assert_int_equal(vs_tar_octal(neg, 8, &v), -EINVAL);
	char huge[12] = { (char)0x80, 0x7f, (char)0xff, (char)0xff, (char)0xff, (char)0xff,
			  (char)0xff, (char)0xff, (char)0xff, (char)0xff, (char)0xff, (char)0xff };
	assert_int_equal(vs_tar_octal(huge, 12, &v), -ERANGE);
	assert_int_equal(vs_tar_octal("77777777777777777777777", 23, &v), -ERANGE);
}

/* ---- crafted archives ---------------------------------------------------- */

static void header(unsigned char *b, const char *name, char type, unsigned mode, size_t size,
		   const char *link)
{
	unsigned sum = 0;

	memset(b, 0, 512);
	snprintf((char *)b, 100, "%s", name);
	snprintf((char *)b + 100, 8, "%07o", mode);
	snprintf((char *)b + 108, 8, "%07o", geteuid());
	snprintf((char *)b + 116, 8, "%07o", getegid());
	snprintf((char *)b + 124, 12, "%011zo", size);
	snprintf((char *)b + 136, 12, "%011o", 0);
	b[156] = (unsigned char)type;
	if (link)
		snprintf((char *)b + 157, 100, "%s", link);
	memcpy(b + 257, "ustar", 6);
	memcpy(b + 263, "00", 2);
	memset(b + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += b[i];
	snprintf((char *)b + 148, 8, "%06o", sum);
}

static int archive(unsigned char *blocks, size_t n)
{
	int fd = memfd_create("tar", 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, blocks, n * 512), (ssize_t)(n * 512));
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void extract(void **state)
{
	unsigned char b[512 * 16];
	char *base = tu_mkdtemp();
	struct vs_ctx *ctx = tu_ctx(base);
	struct vs_tar_stats st = { 0 };
	char root[600], out[600];
	int rootfd, fd;
	(void)state;

	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(out, sizeof(out), "%s/outside", base);
	mkdir(root, 0755);
	mkdir(out, 0755);
	rootfd = open(root, O_RDONLY | O_DIRECTORY);
	memset(b, 0, sizeof(b));
	header(b, "hello", '0', 04755, 6, NULL);
	memcpy(b + 512, "hello\n", 6);
	header(b + 1024, "../evil", '0', 0644, 0, NULL);
	header(b + 1536, "trap", '2', 0777, 0, out);
	header(b + 2048, "trap/pwned", '0', 0644, 0, NULL);
	header(b + 2560, "dev", '3', 0644, 0, NULL);
	header(b + 3072, "esc", '2', 0777, 0, "../../x");
	/* blocks 7, 8: end marker */
	fd = archive(b, 9);
	assert_int_equal(vs_tar_extract(ctx, fd, rootfd, &st), 0);
	close(fd);
	assert_int_equal(st.files, 1);
	assert_int_equal(st.symlinks, 1);
	assert_int_equal(st.refused, 4);	/* ../evil, trap/pwned, dev, esc */
	assert_int_equal(st.neutralised, 1);	/* set-user-id */
	{
		struct stat s;
		assert_int_equal(fstatat(rootfd, "hello", &s, 0), 0);
		assert_int_equal(s.st_mode & 07777, 0755);
	}
	snprintf(out + strlen(out), sizeof(out) - strlen(out), "/pwned");
	assert_int_not_equal(access(out, F_OK), 0);

	/* a bad checksum */
	header(b, "x", '0', 0644, 0, NULL);
	b[148] ^= 1;
	fd = archive(b, 3);
	assert_int_equal(vs_tar_extract(ctx, fd, rootfd, &st), -EBADMSG);
	assert_non_null(strstr(vs_ctx_errmsg(ctx), "checksum"));
	close(fd);
	/* a member whose data is cut off */
	header(b, "big", '0', 0644, 4096, NULL);
	fd = archive(b, 2);
	assert_int_equal(vs_tar_extract(ctx, fd, rootfd, &st), -EPIPE);
	assert_non_null(strstr(vs_ctx_errmsg(ctx), "truncated"));
	close(fd);
	/* an empty file */
	fd = archive(b, 0);
	assert_int_equal(vs_tar_extract(ctx, fd, rootfd, &st), -EBADMSG);
	close(fd);
	close(rootfd);
	vs_ctx_unref(ctx);
	tu_rm_rf(base);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_clean),
		cmocka_unit_test(symlink_escape),
		cmocka_unit_test(numbers),
		cmocka_unit_test(extract),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
