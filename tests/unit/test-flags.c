/* Flag and capability lists (ABI §3): names, prefixes, modifiers, numbers. */
#include "testutil.h"

#include <linux/vserver.h>

static void cflags(void **state)
{
	uint64_t on, off;
	char err[128];
	(void)state;
	assert_int_equal(vs_flags_parse(VS_FLAGS_CFLAGS, "virt_uptime,hide_mount", &on, &off,
					err, sizeof(err)), 0);
	assert_true(on == (VXF_VIRT_UPTIME | VXF_HIDE_MOUNT));
	assert_true(off == 0);
	assert_int_equal(vs_flags_parse(VS_FLAGS_CFLAGS, "VXF_VIRT_MEM\n~persistent\n",
					&on, &off, err, sizeof(err)), 0);
	assert_true(on == VXF_VIRT_MEM);
	assert_true(off == VXF_PERSISTENT);
	assert_int_equal(vs_flags_parse(VS_FLAGS_CFLAGS, "default", &on, &off, NULL, 0), 0);
	assert_true(on == (VXF_VIRT_UPTIME | VXF_SC_HELPER));
	/* util-vserver-only bits are accepted (ABI §10 item 3) */
	assert_int_equal(vs_flags_parse(VS_FLAGS_CFLAGS, "secure igneg_ionice lock", &on, &off,
					NULL, 0), 0);
	assert_true(on == (0x2000000ULL | 0x0020000000000000ULL | 1ULL));
	/* last mention wins */
	assert_int_equal(vs_flags_parse(VS_FLAGS_CFLAGS, "fakeinit !fakeinit", &on, &off,
					NULL, 0), 0);
	assert_true(on == 0 && off == VXF_INFO_INIT);
	assert_int_equal(vs_flags_parse(VS_FLAGS_CFLAGS, "!fakeinit,fakeinit", &on, &off,
					NULL, 0), 0);
	assert_true(on == VXF_INFO_INIT && off == 0);
}

static void comments_numbers(void **state)
{
	uint64_t on, off;
	(void)state;
	assert_int_equal(vs_flags_parse(VS_FLAGS_CFLAGS, "# comment\nvirt_load # trailing\n",
					&on, &off, NULL, 0), 0);
	assert_true(on == VXF_VIRT_LOAD);
	assert_int_equal(vs_flags_parse(VS_FLAGS_CFLAGS, "^17,0x100", &on, &off, NULL, 0), 0);
	assert_true(on == ((1ULL << 17) | 0x100));
	assert_int_equal(vs_flags_parse(VS_FLAGS_BCAPS, "all,~sys_admin", &on, &off, NULL, 0), 0);
	assert_true(on == ~(1ULL << 21) && off == (1ULL << 21));
	assert_int_equal(vs_flags_parse(VS_FLAGS_BCAPS, "none", &on, &off, NULL, 0), 0);
	assert_true(on == 0 && off == 0);
	assert_int_equal(vs_flags_parse(VS_FLAGS_BCAPS, "", &on, &off, NULL, 0), 0);
	assert_true(on == 0 && off == 0);
}

static void bcaps(void **state)
{
	uint64_t on, off, bit;
	(void)state;
	assert_int_equal(vs_flags_parse(VS_FLAGS_BCAPS, "CAP_NET_RAW NET_ADMIN cap_sys_time",
					&on, &off, NULL, 0), 0);
	assert_true(on == ((1ULL << 13) | (1ULL << 12) | (1ULL << 25)));
	assert_int_equal(vs_flag_lookup(VS_FLAGS_BCAPS, "checkpoint_restore", &bit), 0);
	assert_true(bit == 1ULL << 40);
	assert_int_equal(vs_flag_lookup(VS_FLAGS_BCAPS, "CONTEXT", &bit), 0);
	assert_true(bit == 1ULL << 63);
	assert_true(vs_flag_lookup(VS_FLAGS_BCAPS, "CAP_", &bit) < 0);
	assert_true(vs_flag_lookup(VS_FLAGS_BCAPS, "cap_cap_chown", &bit) < 0);
}

static void other_sets(void **state)
{
	uint64_t on, off;
	(void)state;
	assert_int_equal(vs_flags_parse(VS_FLAGS_CCAPS, "set_utsname,ping,raw_icmp", &on, &off,
					NULL, 0), 0);
	assert_true(on == (VXC_SET_UTSNAME | 0x100));
	assert_int_equal(vs_flags_parse(VS_FLAGS_NFLAGS, "hide_netif single_ip", &on, &off,
					NULL, 0), 0);
	assert_true(on == (NXF_HIDE_NETIF | NXF_SINGLE_IP));
	assert_int_equal(vs_flags_parse(VS_FLAGS_NCAPS, "raw_icmp,tun_create", &on, &off,
					NULL, 0), 0);
	assert_true(on == (NXC_RAW_ICMP | NXC_TUN_CREATE));
	/* names of one set are not accepted by another */
	assert_true(vs_flags_parse(VS_FLAGS_NCAPS, "virt_mem", &on, &off, NULL, 0) < 0);
	assert_true(vs_flags_parse(VS_FLAGS_CCAPS, "net_raw", &on, &off, NULL, 0) < 0);
}

static void iattr_set(void **state)
{
	uint64_t on, off;
	char buf[64];
	(void)state;
	assert_int_equal(vs_flags_parse(VS_FLAGS_IATTR, "barrier,~immutable,IATTR_COW", &on, &off,
					NULL, 0), 0);
	assert_true(on == (IATTR_BARRIER | IATTR_COW));
	assert_true(off == IATTR_IMMUTABLE);
	/* util-vserver's name for IXUNLINK is iunlink */
	assert_int_equal(vs_flags_parse(VS_FLAGS_IATTR, "iunlink", &on, &off, NULL, 0), 0);
	assert_true(on == IATTR_IXUNLINK);
	assert_int_equal(vs_flags_format(VS_FLAGS_IATTR, IATTR_IXUNLINK | IATTR_IMMUTABLE, buf,
					 sizeof(buf)), 0);
	assert_string_equal(buf, "ixunlink,immutable");
	assert_true(vs_flags_parse(VS_FLAGS_IATTR, "virt_mem", &on, &off, NULL, 0) < 0);
}

static void bad_lists(void **state)
{
	uint64_t on = 7, off = 7;
	char err[128];
	const char *bad[] = { "nosuchflag", "~", "!", "^64", "^-1", "^", "^x", "^0x3",
			      "virt_mem,bogus", "virt\x01mem", "virt_memé",
			      "99999999999999999999999", "0xzz", "-1",
			      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_true(vs_flags_parse(VS_FLAGS_CFLAGS, bad[i], &on, &off, err, sizeof(err)) < 0);
		assert_true(err[0] != '\0');
	}
	/* outputs untouched on failure */
	assert_true(on == 7 && off == 7);
	assert_true(vs_flags_parse((enum vs_flagset)99, "x", &on, &off, err, sizeof(err)) < 0);
	assert_true(vs_flags_parse(VS_FLAGS_CFLAGS, NULL, &on, &off, err, sizeof(err)) < 0);
	assert_non_null(strstr((vs_flags_parse(VS_FLAGS_CFLAGS, "bogus", &on, &off, err,
					       sizeof(err)), err), "bogus"));
}

static void format(void **state)
{
	char buf[256];
	uint64_t on, off;
	(void)state;
	assert_int_equal(vs_flags_format(VS_FLAGS_BCAPS, (1ULL << 0) | (1ULL << 13) | (1ULL << 50),
					 buf, sizeof(buf)), 0);
	assert_string_equal(buf, "chown,net_raw,^50");
	/* round trip */
	assert_int_equal(vs_flags_parse(VS_FLAGS_BCAPS, buf, &on, &off, NULL, 0), 0);
	assert_true(on == ((1ULL << 0) | (1ULL << 13) | (1ULL << 50)));
	assert_int_equal(vs_flags_format(VS_FLAGS_CFLAGS, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(vs_flags_format(VS_FLAGS_BCAPS, ~0ULL, buf, 8), -ENOSPC);
}

static void default_bcaps(void **state)
{
	struct vs_config c;
	uint64_t d = vs_default_bcaps();
	(void)state;
	assert_false(d & (1ULL << 21));	/* SYS_ADMIN */
	assert_false(d & (1ULL << 2));	/* DAC_READ_SEARCH */
	assert_false(d & (1ULL << 13));	/* NET_RAW */
	assert_false(d & (1ULL << 27));	/* MKNOD */
	assert_false(d & (1ULL << 19));	/* SYS_PTRACE: would override "not dumpable" */
	assert_true(d & (1ULL << 0));	/* CHOWN */
	assert_true(d & (1ULL << 7));	/* SETUID */
	memset(&c, 0, sizeof(c));
	c.bcaps_on = (1ULL << 13) | (1ULL << 63);
	c.bcaps_off = 1ULL << 0;
	assert_true(vs_config_bcaps(&c) & (1ULL << 13));
	assert_false(vs_config_bcaps(&c) & (1ULL << 0));
	/* CAP_CONTEXT is never handed to a guest */
	assert_false(vs_config_bcaps(&c) & (1ULL << 63));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cflags), cmocka_unit_test(comments_numbers),
		cmocka_unit_test(bcaps), cmocka_unit_test(other_sets), cmocka_unit_test(iattr_set),
		cmocka_unit_test(bad_lists), cmocka_unit_test(format),
		cmocka_unit_test(default_bcaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
