/* Network contexts: address forms of naddress/chbind (ABI §5.7), the
 * flags and loopback address a vx guest's network context gets, and the
 * network lists of the configuration. */
#include "testutil.h"

#include <arpa/inet.h>
#include <linux/vserver.h>
#include <sys/socket.h>

static void ip4(const unsigned char *b, const char *want)
{
	char s[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, b, s, sizeof(s));
	assert_string_equal(s, want);
}

static void addr_forms(void **state)
{
	struct vs_nx_addr a;
	char err[160], buf[96];

	(void)state;
	assert_int_equal(vs_nx_addr_parse(VS_NX_IP, "192.0.2.7/24", &a, err, sizeof(err)), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.type, NXA_TYPE_ADDR);
	assert_int_equal(a.prefix, 24);
	ip4(a.ip, "192.0.2.7");
	ip4(a.mask, "255.255.255.0");
	assert_int_equal(vs_nx_addr_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "192.0.2.7/24");
	/* dotted masks, like util-vserver */
	assert_int_equal(vs_nx_addr_parse(VS_NX_IP, "10.1.2.3/255.255.0.0", &a, err, sizeof(err)), 0);
	assert_int_equal(a.prefix, 16);
	/* no prefix: a host address */
	assert_int_equal(vs_nx_addr_parse(VS_NX_IP, "10.1.2.3", &a, err, sizeof(err)), 0);
	assert_int_equal(a.prefix, 32);
	ip4(a.mask, "255.255.255.255");
	/* 0.0.0.0 is "any": a mask entry with mask 0 */
	assert_int_equal(vs_nx_addr_parse(VS_NX_IP, "0.0.0.0", &a, err, sizeof(err)), 0);
	assert_int_equal(a.type, NXA_TYPE_MASK);
	assert_int_equal(a.prefix, 0);
	/* networks are stored with the host bits cleared */
	assert_int_equal(vs_nx_addr_parse(VS_NX_MASK, "10.1.2.3/8", &a, err, sizeof(err)), 0);
	assert_int_equal(a.type, NXA_TYPE_MASK);
	ip4(a.ip, "10.0.0.0");
	/* ranges: IPv4 only, non-empty */
	assert_int_equal(vs_nx_addr_parse(VS_NX_RANGE, "10.0.0.5-10.0.0.9/24", &a, err,
					  sizeof(err)), 0);
	assert_int_equal(a.type, NXA_TYPE_RANGE);
	ip4(a.ip2, "10.0.0.9");
	assert_int_equal(vs_nx_addr_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.0.0.5-10.0.0.9");
	assert_true(vs_nx_addr_parse(VS_NX_RANGE, "10.0.0.9-10.0.0.5", &a, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "empty"));
	assert_true(vs_nx_addr_parse(VS_NX_RANGE, "10.0.0.9", &a, err, sizeof(err)) < 0);
	assert_true(vs_nx_addr_parse(VS_NX_RANGE, "2001:db8::1-2001:db8::9", &a, err,
				     sizeof(err)) < 0);
	/* broadcast and loopback carry the modifier bits */
	assert_int_equal(vs_nx_addr_parse(VS_NX_BCAST, "10.255.255.255", &a, err, sizeof(err)), 0);
	assert_int_equal(a.type, NXA_TYPE_ADDR | NXA_MOD_BCAST);
	assert_int_equal(vs_nx_addr_parse(VS_NX_LBACK, "127.0.0.42", &a, err, sizeof(err)), 0);
	assert_int_equal(a.type, NXA_TYPE_ADDR | NXA_MOD_LBACK);
	assert_true(vs_nx_addr_parse(VS_NX_LBACK, "10.0.0.1", &a, err, sizeof(err)) < 0);
	assert_true(vs_nx_addr_parse(VS_NX_LBACK, "127.0.0.1/8", &a, err, sizeof(err)) < 0);
	/* IPv6 */
	assert_int_equal(vs_nx_addr_parse(VS_NX_IP, "2001:db8::1/64", &a, err, sizeof(err)), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.prefix, 64);
	assert_true(a.mask[7] == 0xff && a.mask[8] == 0);
	assert_int_equal(vs_nx_addr_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8::1/64");
	assert_int_equal(vs_nx_addr_parse(VS_NX_MASK, "2001:db8::1/33", &a, err, sizeof(err)), 0);
	assert_true(a.mask[4] == 0x80 && a.ip[15] == 0 && a.ip[3] == 0xb8);
	/* bad input */
	const char *bad[] = { "", "300.1.1.1", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/0x8",
			      "1.2.3.4/255.0.255.0", "2001:db8::1/129", "eth0", "1.2.3.4/",
			      "1.2.3.4 ", "1.2.3" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(vs_nx_addr_parse(VS_NX_IP, bad[i], &a, err, sizeof(err)) < 0);
	assert_true(vs_nx_addr_parse(VS_NX_IP, NULL, &a, NULL, 0) < 0);
}

static void from_iface(void **state)
{
	struct vs_iface ifc;
	struct vs_nx_addr a;

	(void)state;
	assert_int_equal(vs_iface_parse("eth0:192.0.2.9/24", &ifc, NULL, 0), 0);
	assert_int_equal(vs_nx_addr_from_iface(&ifc, &a), 0);
	assert_int_equal(a.type, NXA_TYPE_ADDR);
	ip4(a.mask, "255.255.255.0");
	assert_int_equal(vs_iface_parse("2001:db8::9/64", &ifc, NULL, 0), 0);
	assert_int_equal(vs_nx_addr_from_iface(&ifc, &a), 0);
	/* the kernel keeps all-ones for an IPv6 address entry; so do we */
	for (int i = 0; i < 16; i++)
		assert_int_equal(a.mask[i], 0xff);
	assert_int_equal(a.prefix, 64);
}

static void guest_flags(void **state)
{
	struct vs_config c = { .name = "g", .xid = 42, .nid = 42 };
	struct vs_iface v4a, v4b, v6;
	struct vs_iface two[2], mixed[2];
	unsigned char lb[4];

	(void)state;
	assert_int_equal(vs_iface_parse("192.0.2.1", &v4a, NULL, 0), 0);
	assert_int_equal(vs_iface_parse("192.0.2.2", &v4b, NULL, 0), 0);
	assert_int_equal(vs_iface_parse("2001:db8::1", &v6, NULL, 0), 0);
	/* no address: defaults, admin state, no single IP */
	assert_true(vs_nx_flags(&c) == (NXF_LBACK_REMAP | NXF_HIDE_NETIF | NXF_STATE_ADMIN));
	/* exactly one IPv4 address (IPv6 ones do not count): single IP */
	mixed[0] = v4a;
	mixed[1] = v6;
	c.ifaces = mixed;
	c.n_ifaces = 2;
	assert_true(vs_nx_flags(&c) & NXF_SINGLE_IP);
	two[0] = v4a;
	two[1] = v4b;
	c.ifaces = two;
	assert_false(vs_nx_flags(&c) & NXF_SINGLE_IP);
	/* the configuration adds and removes; STATE_SETUP never, ADMIN always */
	c.nflags_on = NXF_HIDE_LBACK | NXF_STATE_SETUP;
	c.nflags_off = NXF_HIDE_NETIF | NXF_STATE_ADMIN;
	assert_true(vs_nx_flags(&c) == (NXF_LBACK_REMAP | NXF_HIDE_LBACK | NXF_STATE_ADMIN));
	/* loopback: 127.<nid high>.<nid low>.1, or interfaces/lback */
	c.nid = 0x1234;
	vs_nx_lback(&c, lb);
	ip4(lb, "127.18.52.1");
	c.nid = 42;
	vs_nx_lback(&c, lb);
	ip4(lb, "127.0.42.1");
	c.lback_set = true;
	memcpy(c.lback, "\x7f\x01\x02\x03", 4);
	vs_nx_lback(&c, lb);
	ip4(lb, "127.1.2.3");
}

static void runstate_records(void **state)
{
	struct vs_runstate a = { 0 }, b;
	char *text;

	(void)state;
	a.backend = VS_BACKEND_VX;
	assert_int_equal(vs_strv_push(&a.net, "mode nx"), 0);
	assert_int_equal(vs_strv_push(&a.net, "guest 192.0.2.1/24"), 0);
	assert_int_equal(vs_strv_push(&a.net, "use eth0 192.0.2.1/24"), 0);
	text = vs_runstate_format(&a);
	assert_non_null(text);
	assert_int_equal(vs_runstate_parse(text, &b), 0);
	free(text);
	assert_int_equal(vs_strv_len(b.net), 3);
	assert_string_equal(b.net[2], "use eth0 192.0.2.1/24");
	assert_null(b.addrs);
	vs_runstate_clear(&a);
	vs_runstate_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addr_forms),
		cmocka_unit_test(from_iface),
		cmocka_unit_test(guest_flags),
		cmocka_unit_test(runstate_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
