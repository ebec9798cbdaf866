/* Value parsers: numbers, context ids, limits, sizes, durations, signals,
 * interface specifications, init styles, cgroup settings. */
#include "testutil.h"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>

static void xids(void **state)
{
	uint32_t x = 0;
	(void)state;
	assert_int_equal(vs_parse_xid("2", &x), 0);
	assert_int_equal(x, 2);
	assert_int_equal(vs_parse_xid("49151", &x), 0);
	assert_int_equal(x, 49151);
	assert_int_equal(vs_parse_xid("0x10", &x), 0);
	assert_int_equal(x, 16);
	const char *bad[] = { "", "0", "1", "49152", "65535", "-2", "+5", " 5", "5 ",
			      "5x", "x5", "0x", "99999999999999999999999", "1e3", "4294967298",
			      "2.0", "０" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(vs_parse_xid(bad[i], &x) < 0);
	assert_true(vs_parse_xid(NULL, &x) < 0);
}

static void u64s(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(vs_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(vs_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(vs_parse_u64("5", 6, 10, &v), -ERANGE);
	assert_int_equal(vs_parse_u64("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(vs_parse_u64("0xfg", 0, 1000, &v), -EINVAL);
	assert_int_equal(vs_parse_u64("0XFF", 0, 1000, &v), 0);
	assert_int_equal(v, 255);
}

static void limits(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(vs_parse_limit("inf", &v), 0);
	assert_true(v == VS_LIMIT_INF);
	assert_int_equal(vs_parse_limit("Unlimited", &v), 0);
	assert_true(v == VS_LIMIT_INF);
	assert_int_equal(vs_parse_limit("-1", &v), 0);
	assert_true(v == VS_LIMIT_INF);
	assert_int_equal(vs_parse_limit("100", &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(vs_parse_limit("0", &v), 0);
	/* the kernel's INFINITY and KEEP markers cannot be written as numbers */
	assert_true(vs_parse_limit("18446744073709551615", &v) < 0);
	assert_true(vs_parse_limit("18446744073709551614", &v) < 0);
	assert_true(vs_parse_limit("-2", &v) < 0);
	assert_true(vs_parse_limit("1k", &v) < 0);
	assert_true(vs_parse_limit("", &v) < 0);
	assert_true(vs_parse_limit("infinite", &v) < 0);
	assert_true(vs_parse_limit(NULL, &v) < 0);
}

static void sizes(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(vs_parse_size("512M", &v), 0);
	assert_true(v == 512ULL << 20);
	assert_int_equal(vs_parse_size("1g", &v), 0);
	assert_true(v == 1ULL << 30);
	assert_int_equal(vs_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(vs_parse_size("max", &v), 0);
	assert_true(v == UINT64_MAX);
	const char *bad[] = { "", "M", "1.5G", "-1", "1MB", "1 M", "0x10M", "max1",
			      "99999999999T", "1P", "ten" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(vs_parse_size(bad[i], &v) < 0);
}

static void durations(void **state)
{
	uint64_t ms;
	(void)state;
	assert_int_equal(vs_parse_duration_ms("10", &ms), 0);
	assert_int_equal(ms, 10000);
	assert_int_equal(vs_parse_duration_ms("3s", &ms), 0);
	assert_int_equal(ms, 3000);
	assert_int_equal(vs_parse_duration_ms("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	const char *bad[] = { "", "s", "ms", "-1", "1.5", "10m", "1h", "86401", "0x5" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(vs_parse_duration_ms(bad[i], &ms) < 0);
}

static void signals(void **state)
{
	(void)state;
	assert_int_equal(vs_parse_signal("TERM"), SIGTERM);
	assert_int_equal(vs_parse_signal("SIGTERM"), SIGTERM);
	assert_int_equal(vs_parse_signal("sigkill"), SIGKILL);
	assert_int_equal(vs_parse_signal("9"), 9);
	assert_int_equal(vs_parse_signal("HUP"), SIGHUP);
	assert_int_equal(vs_parse_signal("RTMIN"), SIGRTMIN);
	assert_int_equal(vs_parse_signal("RTMIN+4"), SIGRTMIN + 4);
	assert_int_equal(vs_parse_signal("SIGRTMAX-1"), SIGRTMAX - 1);
	const char *bad[] = { "", "0", "65", "-9", "TERMX", "SIG", "RTMIN-1", "RTMAX+1",
			      "RTMIN+99", "9x", " TERM", "SIGSIGTERM" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(vs_parse_signal(bad[i]) < 0);
	assert_true(vs_parse_signal(NULL) < 0);
	assert_string_equal(vs_signal_name(SIGTERM), "TERM");
	assert_string_equal(vs_signal_name(SIGRTMIN + 4), "RTMIN+4");
}

static void bools(void **state)
{
	bool b;
	(void)state;
	assert_int_equal(vs_parse_bool("yes", &b), 0);
	assert_true(b);
	assert_int_equal(vs_parse_bool("0", &b), 0);
	assert_false(b);
	assert_true(vs_parse_bool("maybe", &b) < 0);
	assert_true(vs_parse_bool("", &b) < 0);
}

static void ifaces(void **state)
{
	struct vs_iface i;
	char err[160], buf[128];
	(void)state;

	assert_int_equal(vs_iface_parse("10.0.0.1", &i, err, sizeof(err)), 0);
	assert_int_equal(i.family, AF_INET);
	assert_int_equal(i.prefix, 32);
	assert_string_equal(i.dev, "");
	assert_string_equal(i.name, "");

	assert_int_equal(vs_iface_parse("eth0:192.168.1.5/24", &i, err, sizeof(err)), 0);
	assert_string_equal(i.dev, "eth0");
	assert_int_equal(i.prefix, 24);
	assert_int_equal(vs_iface_format(&i, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "eth0:192.168.1.5/24");

	assert_int_equal(vs_iface_parse("web=eth0:192.168.1.5/255.255.255.0", &i, err,
					sizeof(err)), 0);
	assert_string_equal(i.name, "web");
	assert_int_equal(i.prefix, 24);

	assert_int_equal(vs_iface_parse("2001:db8::5/64", &i, err, sizeof(err)), 0);
	assert_int_equal(i.family, AF_INET6);
	assert_int_equal(i.prefix, 64);
	assert_string_equal(i.dev, "");

	assert_int_equal(vs_iface_parse("br0:2001:db8::5", &i, err, sizeof(err)), 0);
	assert_string_equal(i.dev, "br0");
	assert_int_equal(i.prefix, 128);

	const char *bad[] = { "", "eth0", "eth0:", ":10.0.0.1", "10.0.0.1/33",
			      "10.0.0.1/-1", "10.0.0.1/255.0.255.0", "10.0.0.256",
			      "0.0.0.0", "224.0.0.1", "::", "ff02::1", "2001:db8::1/129",
			      "-rf:10.0.0.1", "a/b:10.0.0.1", "verylongdevicename0:10.0.0.1",
			      "bad label=10.0.0.1", "=10.0.0.1", "x=y=10.0.0.1",
			      "eth0:10.0.0.1/24/8", "eth0:10.0.0.1/0x18", "eth0 :10.0.0.1",
			      "10.0.0.1/", "../x:10.0.0.1" };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		err[0] = '\0';
		assert_true(vs_iface_parse(bad[k], &i, err, sizeof(err)) < 0);
		assert_true(err[0] != '\0');
	}
	assert_true(vs_iface_parse(NULL, &i, NULL, 0) < 0);
}

static void styles_backends(void **state)
{
	(void)state;
	assert_int_equal(vs_initstyle_parse("plain"), VS_INIT_PLAIN);
	assert_int_equal(vs_initstyle_parse("sysv"), VS_INIT_SYSV);
	assert_int_equal(vs_initstyle_parse("minit"), VS_INIT_MINIT);
	assert_true(vs_initstyle_parse("systemd") < 0);
	assert_true(vs_initstyle_parse("") < 0);
	assert_true(vs_initstyle_parse("Plain") < 0);
	assert_string_equal(vs_initstyle_name(VS_INIT_SYSV), "sysv");
	assert_null(vs_initstyle_name(42));
	assert_int_equal(vs_backend_parse("ns"), VS_BACKEND_NS);
	assert_int_equal(vs_backend_parse("vx"), VS_BACKEND_VX);
	assert_int_equal(vs_backend_parse("auto"), VS_BACKEND_AUTO);
	assert_true(vs_backend_parse("docker") < 0);
	assert_true(vs_backend_parse(NULL) < 0);
}

static void rlimit_names(void **state)
{
	(void)state;
	assert_int_equal(vs_rlimit_id("nproc"), 6);
	assert_int_equal(vs_rlimit_id("NOFILE"), 7);
	assert_int_equal(vs_rlimit_id("nsock"), 16);
	assert_int_equal(vs_rlimit_id("dentry"), 22);
	assert_int_equal(vs_rlimit_id("23"), 23);
	assert_true(vs_rlimit_id("24") < 0);
	assert_true(vs_rlimit_id("procs") < 0);
	assert_true(vs_rlimit_id("") < 0);
	assert_true(vs_rlimit_id(NULL) < 0);
	assert_string_equal(vs_rlimit_name(17), "openfd");
	assert_null(vs_rlimit_name(24));
	assert_null(vs_rlimit_name(-1));
}

static void cgroup_settings(void **state)
{
	unsigned ctl;
	char err[256];
	(void)state;
	assert_int_equal(vs_cg_setting_check("memory.max", "512M", &ctl, err, sizeof(err)), 0);
	assert_int_equal(ctl, VS_CG_MEMORY);
	assert_int_equal(vs_cg_setting_check("memory.high", "max", &ctl, err, sizeof(err)), 0);
	assert_int_equal(vs_cg_setting_check("pids.max", "100", &ctl, err, sizeof(err)), 0);
	assert_int_equal(ctl, VS_CG_PIDS);
	assert_int_equal(vs_cg_setting_check("pids.max", "max", &ctl, err, sizeof(err)), 0);
	assert_int_equal(vs_cg_setting_check("cpu.max", "50000 100000", &ctl, err, sizeof(err)), 0);
	assert_int_equal(ctl, VS_CG_CPU);
	assert_int_equal(vs_cg_setting_check("cpu.max", "max", &ctl, err, sizeof(err)), 0);
	assert_int_equal(vs_cg_setting_check("cpu.weight", "100", &ctl, err, sizeof(err)), 0);
	struct { const char *k, *v; } bad[] = {
		{ "memory.max", "lots" }, { "memory.max", "-1" }, { "memory.max", "1\n2" },
		{ "pids.max", "0" }, { "pids.max", "-5" }, { "pids.max", "10 20" },
		{ "cpu.max", "10 100000" }, { "cpu.max", "50000 10" }, { "cpu.max", "a b" },
		{ "cpu.max", "50000  100000" }, { "cpu.weight", "0" }, { "cpu.weight", "10001" },
		{ "cgroup.procs", "1" }, { "cgroup.kill", "1" }, { "memory.oom.group", "1" },
		{ "../../etc/passwd", "x" }, { "cpuset.cpus", "0" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_true(vs_cg_setting_check(bad[i].k, bad[i].v, &ctl, err, sizeof(err)) < 0);
		assert_true(err[0] != '\0');
	}
}

static void strings(void **state)
{
	char s[] = "  hello world \n\r";
	char **v = NULL;
	char out[64];
	(void)state;
	assert_string_equal(vs_strip(s), "hello world");
	assert_int_equal(vs_split_lines("/bin/sh\n-c\n\n  echo hi  \n", &v), 0);
	assert_int_equal(vs_strv_len(v), 3);
	assert_string_equal(v[0], "/bin/sh");
	assert_string_equal(v[2], "  echo hi");
	vs_strv_free(v);
	assert_int_equal(vs_split_lines("", &v), 0);
	assert_int_equal(vs_strv_len(v), 0);
	vs_strv_free(v);
	assert_int_equal(vs_json_escape("a\"b\\c\n\x01", out, sizeof(out)), 0);
	assert_string_equal(out, "a\\\"b\\\\c\\n\\u0001");
	assert_int_equal(vs_json_escape("abcdef", out, 4), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xids), cmocka_unit_test(u64s), cmocka_unit_test(limits),
		cmocka_unit_test(sizes), cmocka_unit_test(durations),
		cmocka_unit_test(signals), cmocka_unit_test(bools), cmocka_unit_test(ifaces),
		cmocka_unit_test(styles_backends), cmocka_unit_test(rlimit_names),
		cmocka_unit_test(cgroup_settings), cmocka_unit_test(strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
