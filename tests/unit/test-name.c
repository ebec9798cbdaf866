/* Guest name validation: the allow-list [A-Za-z0-9][A-Za-z0-9._-]{0,63}. */
#include "testutil.h"

static void good_names(void **state)
{
	const char *good[] = { "a", "Z", "0", "web1", "a.b", "a_b", "a-b", "x..y",
			       "9lives", "A-._z" };
	char max[65];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(vs_name_check(good[i]), 0);
	memset(max, 'a', 64);
	max[64] = '\0';
	assert_int_equal(vs_name_check(max), 0);
}

static void bad_names(void **state)
{
	const char *bad[] = { "", ".", "..", ".hidden", "-opt", "_x", "a/b", "/abs",
			      "a b", "a\tb", "a\nb", "tab\t", "ä", "a\xff", "a:b", "a*",
			      "a?", "$(x)", "a;b", "a\\b", "a'b", "a\"b", "~root", "a%b",
			      "a@b", "a+b", "a,b", "a=b", "a|b", "../etc", "a/..", "a\x7f" };
	char toolong[66];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vs_name_check(bad[i]), -EINVAL);
	assert_int_equal(vs_name_check(NULL), -EINVAL);
	memset(toolong, 'a', 65);
	toolong[65] = '\0';
	assert_int_equal(vs_name_check(toolong), -EINVAL);
}

static void embedded_nul(void **state)
{
	char s[] = { 'a', '\0', '/', 'b', '\0' };
	(void)state;
	/* C strings end at NUL: "a" is valid and nothing after it is used */
	assert_int_equal(vs_name_check(s), 0);
	assert_int_equal(strlen(s), 1);
}

static void path_check(void **state)
{
	(void)state;
	assert_int_equal(vs_path_check("/etc/vservers"), 0);
	assert_int_equal(vs_path_check("/"), 0);
	assert_int_equal(vs_path_check("/a//b/"), 0);
	assert_int_equal(vs_path_check("relative"), -EINVAL);
	assert_int_equal(vs_path_check(""), -EINVAL);
	assert_int_equal(vs_path_check(NULL), -EINVAL);
	assert_int_equal(vs_path_check("/a/../b"), -EINVAL);
	assert_int_equal(vs_path_check("/a/./b"), -EINVAL);
	assert_int_equal(vs_path_check("/.."), -EINVAL);
	assert_int_equal(vs_path_check("/a/.."), -EINVAL);
	assert_int_equal(vs_path_check("/a\nb"), -EINVAL);
	assert_int_equal(vs_path_check("/a/...b"), 0);
}

static void ctx_roots(void **state)
{
	struct vs_ctx *ctx;
	(void)state;
	assert_int_equal(vs_ctx_new(&ctx), 0);
	assert_string_equal(vs_ctx_get_confdir(ctx), "/etc/vservers");
	/* configure --with-vdirbase, --localstatedir (the Makefile passes it) */
	assert_string_equal(vs_ctx_get_vdirbase(ctx), DEFAULT_VDIRBASE);
	assert_string_equal(vs_ctx_get_rundir(ctx), "/run/vservers");
	assert_int_equal(vs_ctx_set_confdir(ctx, "/tmp/x/"), 0);
	assert_string_equal(vs_ctx_get_confdir(ctx), "/tmp/x");
	assert_int_equal(vs_ctx_set_confdir(ctx, "tmp/x"), -EINVAL);
	assert_non_null(strstr(vs_ctx_errmsg(ctx), "absolute"));
	assert_string_equal(vs_ctx_get_confdir(ctx), "/tmp/x");
	assert_int_equal(vs_ctx_set_rundir(ctx, "/run/../etc"), -EINVAL);
	assert_int_equal(vs_ctx_set_cgroup(ctx, "vserver/test1"), 0);
	assert_int_equal(vs_ctx_set_cgroup(ctx, "../x"), -EINVAL);
	assert_int_equal(vs_ctx_set_cgroup(ctx, "/abs"), -EINVAL);
	assert_int_equal(vs_ctx_set_cgroup(ctx, "a/./b"), -EINVAL);
	assert_int_equal(vs_ctx_set_cgroup(ctx, ""), -EINVAL);
	assert_string_equal(vs_ctx_get_cgroup(ctx), "vserver/test1");
	assert_int_equal(vs_ctx_set_backend(ctx, "vx"), 0);
	assert_int_equal(vs_ctx_set_backend(ctx, "VX"), -EINVAL);
	assert_int_equal(vs_ctx_set_backend(ctx, "lxc"), -EINVAL);
	vs_ctx_unref(ctx);
}

static void ctx_env(void **state)
{
	struct vs_ctx *ctx;
	(void)state;
	assert_int_equal(vs_ctx_new(&ctx), 0);
	setenv("VSERVER_CONFDIR", "/tmp/conf", 1);
	setenv("VSERVER_RUNDIR", "/tmp/run", 1);
	assert_int_equal(vs_ctx_load_env(ctx), 0);
	assert_string_equal(vs_ctx_get_confdir(ctx), "/tmp/conf");
	assert_string_equal(vs_ctx_get_rundir(ctx), "/tmp/run");
	setenv("VSERVER_VDIRBASE", "relative/path", 1);
	assert_int_equal(vs_ctx_load_env(ctx), -EINVAL);
	assert_non_null(strstr(vs_ctx_errmsg(ctx), "VSERVER_VDIRBASE"));
	unsetenv("VSERVER_VDIRBASE");
	setenv("VSERVER_BACKEND", "bogus", 1);
	assert_int_equal(vs_ctx_load_env(ctx), -EINVAL);
	unsetenv("VSERVER_BACKEND");
	unsetenv("VSERVER_CONFDIR");
	unsetenv("VSERVER_RUNDIR");
	vs_ctx_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_names),
		cmocka_unit_test(bad_names),
		cmocka_unit_test(embedded_nul),
		cmocka_unit_test(path_check),
		cmocka_unit_test(ctx_roots),
		cmocka_unit_test(ctx_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
