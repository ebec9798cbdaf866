/* The run state file: round trip and damaged contents. */
#include "testutil.h"

static void roundtrip(void **state)
{
	struct vs_runstate a = { 0 }, b;
	char *text;

	(void)state;
	a.backend = VS_BACKEND_NS;
	a.xid = 42;
	a.init_pid = 1234;
	a.init_start = 987654321ULL;
	a.monitor_pid = 1233;
	a.started_ms = 1700000000000ULL;
	strcpy(a.cgroup, "/sys/fs/cgroup/vserver/g1");
	a.missing_cg = VS_CG_MEMORY | VS_CG_CPU;
	a.host_network = true;
	a.complete = true;
	assert_int_equal(vs_strv_push(&a.addrs, "eth0 192.0.2.1/24"), 0);
	text = vs_runstate_format(&a);
	assert_non_null(text);
	assert_int_equal(vs_runstate_parse(text, &b), 0);
	free(text);
	assert_int_equal(b.backend, VS_BACKEND_NS);
	assert_int_equal(b.xid, 42);
	assert_int_equal(b.init_pid, 1234);
	assert_true(b.init_start == 987654321ULL);
	assert_int_equal(b.monitor_pid, 1233);
	assert_true(b.started_ms == 1700000000000ULL);
	assert_string_equal(b.cgroup, a.cgroup);
	assert_int_equal(b.missing_cg, VS_CG_MEMORY | VS_CG_CPU);
	assert_true(b.host_network && b.complete);
	assert_string_equal(b.addrs[0], "eth0 192.0.2.1/24");
	vs_runstate_clear(&a);
	vs_runstate_clear(&b);
}

static void damaged(void **state)
{
	struct vs_runstate rs;
	const char *bad[] = {
		"garbage\n", "backend=lxc\n", "backend=auto\n", "init_pid=0\n", "init_pid=-5\n",
		"init_pid=abc\n", "xid=99999999999\n", "cgroup=relative/path\n",
		"cgroup=/a/../b\n", "missing_cg=9\n", "init_start=\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vs_runstate_parse(bad[i], &rs), -EINVAL);
	/* unknown keys from newer versions are ignored */
	assert_int_equal(vs_runstate_parse("backend=vx\nfuture_key=1\n", &rs), 0);
	assert_int_equal(rs.backend, VS_BACKEND_VX);
	vs_runstate_clear(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(damaged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
