/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names of context/network flags and capabilities (ABI §3) and the list
 * syntax util-vserver configurations use for them. */
#include "internal.h"

#include <ctype.h>
#include <linux/vserver.h>

struct flagname {
	const char *name;
	uint64_t bit;
};

static const struct flagname cflag_names[] = {
	{ "lock", 0x1ULL }, { "info_lock", 0x1ULL },
	{ "nproc", VXF_INFO_NPROC }, { "info_nproc", VXF_INFO_NPROC },
	{ "private", VXF_INFO_PRIVATE }, { "info_private", VXF_INFO_PRIVATE },
	{ "fakeinit", VXF_INFO_INIT }, { "info_init", VXF_INFO_INIT },
	{ "hideinfo", VXF_INFO_HIDE }, { "info_hideinfo", VXF_INFO_HIDE },
	{ "ulimit", VXF_INFO_ULIMIT }, { "info_ulimit", VXF_INFO_ULIMIT },
	{ "namespace", VXF_INFO_NSPACE }, { "info_namespace", VXF_INFO_NSPACE },
	{ "info_nspace", VXF_INFO_NSPACE },
	{ "sched_hard", VXF_SCHED_HARD }, { "sched_prio", VXF_SCHED_PRIO },
	{ "sched_pause", VXF_SCHED_PAUSE },
	{ "virt_mem", VXF_VIRT_MEM }, { "virt_uptime", VXF_VIRT_UPTIME },
	{ "virt_cpu", VXF_VIRT_CPU }, { "virt_load", VXF_VIRT_LOAD },
	{ "virt_time", VXF_VIRT_TIME },
	{ "hide_mount", VXF_HIDE_MOUNT },
	{ "hide_netif", 0x0000000002000000ULL }, { "secure", 0x0000000002000000ULL },
	{ "hide_vinfo", VXF_HIDE_VINFO },
	{ "state_setup", VXF_STATE_SETUP }, { "state_init", VXF_STATE_INIT },
	{ "state_admin", VXF_STATE_ADMIN },
	{ "sc_helper", VXF_SC_HELPER }, { "reboot_kill", VXF_REBOOT_KILL },
	{ "persistent", VXF_PERSISTENT },
	{ "fork_rss", VXF_FORK_RSS }, { "prolific", VXF_PROLIFIC },
	{ "igneg_nice", VXF_IGNEG_NICE }, { "igneg_ionice", 0x0020000000000000ULL },
	/* composite */
	{ "default", VXF_VIRT_UPTIME | VXF_SC_HELPER },
	{ NULL, 0 }
};

static const struct flagname ccap_names[] = {
	{ "set_utsname", VXC_SET_UTSNAME }, { "utsname", VXC_SET_UTSNAME },
	{ "set_rlimit", VXC_SET_RLIMIT }, { "rlimit", VXC_SET_RLIMIT },
	{ "fs_security", VXC_FS_SECURITY }, { "fs_trusted", VXC_FS_TRUSTED },
	{ "tiocsti", VXC_TIOCSTI },
	{ "raw_icmp", 0x100ULL }, { "icmp", 0x100ULL }, { "ping", 0x100ULL },
	{ "syslog", VXC_SYSLOG }, { "oom_adjust", VXC_OOM_ADJUST },
	{ "audit_control", VXC_AUDIT_CONTROL },
	{ "secure_mount", VXC_SECURE_MOUNT }, { "mount", VXC_SECURE_MOUNT },
	{ "secure_remount", VXC_SECURE_REMOUNT }, { "remount", VXC_SECURE_REMOUNT },
	{ "binary_mount", VXC_BINARY_MOUNT }, { "dev_mount", 0x00080000ULL },
	{ "quota_ctl", VXC_QUOTA_CTL }, { "admin_mapper", VXC_ADMIN_MAPPER },
	{ "admin_cloop", VXC_ADMIN_CLOOP }, { "kthread", VXC_KTHREAD },
	{ "namespace", VXC_NAMESPACE },
	{ NULL, 0 }
};

#define B(n) (1ULL << (n))
static const struct flagname bcap_names[] = {
	{ "chown", B(0) }, { "dac_override", B(1) }, { "dac_read_search", B(2) },
	{ "fowner", B(3) }, { "fsetid", B(4) }, { "kill", B(5) }, { "setgid", B(6) },
	{ "setuid", B(7) }, { "setpcap", B(8) }, { "linux_immutable", B(9) },
	{ "net_bind_service", B(10) }, { "net_broadcast", B(11) },
	{ "net_admin", B(12) }, { "net_raw", B(13) }, { "ipc_lock", B(14) },
	{ "ipc_owner", B(15) }, { "sys_module", B(16) }, { "sys_rawio", B(17) },
	{ "sys_chroot", B(18) }, { "sys_ptrace", B(19) }, { "sys_pacct", B(20) },
	{ "sys_admin", B(21) }, { "sys_boot", B(22) }, { "sys_nice", B(23) },
	{ "sys_resource", B(24) }, { "sys_time", B(25) }, { "sys_tty_config", B(26) },
	{ "mknod", B(27) }, { "lease", B(28) }, { "audit_write", B(29) },
	{ "audit_control", B(30) }, { "setfcap", B(31) }, { "mac_override", B(32) },
	{ "mac_admin", B(33) }, { "syslog", B(34) }, { "wake_alarm", B(35) },
	{ "block_suspend", B(36) }, { "audit_read", B(37) }, { "perfmon", B(38) },
	{ "bpf", B(39) }, { "checkpoint_restore", B(40) },
	{ "context", B(CAP_CONTEXT) },
	{ NULL, 0 }
};

static const struct flagname nflag_names[] = {
	{ "lock", 0x1ULL }, { "info_lock", 0x1ULL },
	{ "private", NXF_INFO_PRIVATE }, { "info_private", NXF_INFO_PRIVATE },
	{ "single_ip", NXF_SINGLE_IP },
	{ "lback_remap", NXF_LBACK_REMAP }, { "remap_lback", NXF_LBACK_REMAP },
	{ "lback_allow", NXF_LBACK_ALLOW },
	{ "hide_netif", NXF_HIDE_NETIF }, { "hide_lback", NXF_HIDE_LBACK },
	{ "state_setup", NXF_STATE_SETUP }, { "state_admin", NXF_STATE_ADMIN },
	{ "sc_helper", NXF_SC_HELPER }, { "persistent", NXF_PERSISTENT },
	{ NULL, 0 }
};

static const struct flagname ncap_names[] = {
	{ "tun_create", NXC_TUN_CREATE }, { "raw_icmp", NXC_RAW_ICMP },
	{ "multicast", NXC_MULTICAST },
	{ NULL, 0 }
};

/* util-vserver's setattr/showattr names; "iunlink" is its name for
 * IXUNLINK.  The /proc visibility bits are listed so that they can be
 * named, the kernel accepts them on procfs only. */
static const struct flagname iattr_names[] = {
	{ "barrier", IATTR_BARRIER }, { "immutable", IATTR_IMMUTABLE },
	{ "ixunlink", IATTR_IXUNLINK }, { "iunlink", IATTR_IXUNLINK },
	{ "cow", IATTR_COW },
	{ "hide", IATTR_HIDE }, { "admin", IATTR_ADMIN }, { "watch", IATTR_WATCH },
	{ NULL, 0 }
};

static const struct {
	const struct flagname *names;
	const char *prefix;	/* optional prefix accepted on names */
	const char *what;
} sets[] = {
	[VS_FLAGS_CFLAGS] = { cflag_names, "vxf_", "context flag" },
	[VS_FLAGS_CCAPS] = { ccap_names, "vxc_", "context capability" },
	[VS_FLAGS_BCAPS] = { bcap_names, "cap_", "capability" },
	[VS_FLAGS_NFLAGS] = { nflag_names, "nxf_", "network flag" },
	[VS_FLAGS_NCAPS] = { ncap_names, "nxc_", "network capability" },
	[VS_FLAGS_IATTR] = { iattr_names, "iattr_", "inode attribute" },
};

static bool set_valid(enum vs_flagset set)
{
	return (unsigned)set < ARRAY_SIZE(sets);
}

int vs_flag_lookup(enum vs_flagset set, const char *name, uint64_t *bit)
{
	const struct flagname *f;
	size_t plen;

	if (!set_valid(set) || !name)
		return -EINVAL;
	plen = strlen(sets[set].prefix);
	if (!strncasecmp(name, sets[set].prefix, plen) && name[plen])
		name += plen;
	for (f = sets[set].names; f->name; f++) {
		if (!strcasecmp(f->name, name)) {
			*bit = f->bit;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_token(enum vs_flagset set, const char *tok, uint64_t *mask)
{
	uint64_t v;

	if (!strcasecmp(tok, "all") || !strcasecmp(tok, "any")) {
		*mask = ~0ULL;
		return 0;
	}
	if (!strcasecmp(tok, "none")) {
		*mask = 0;
		return 0;
	}
	if (tok[0] == '^') {
		if (vs_parse_u64(tok + 1, 0, 63, &v) < 0 || !strncmp(tok + 1, "0x", 2))
			return -ERANGE;
		*mask = 1ULL << v;
		return 0;
	}
	if (isdigit((unsigned char)tok[0]))
		return vs_parse_u64(tok, 0, UINT64_MAX, mask);
	return vs_flag_lookup(set, tok, mask);
}

int vs_flags_parse(enum vs_flagset set, const char *text, uint64_t *on, uint64_t *off,
		   char *err, size_t errlen)
{
	uint64_t son = 0, soff = 0;
	const char *p = text;
	char dummy[4];

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (!set_valid(set) || !text) {
		snprintf(err, errlen, "invalid arguments");
		return -EINVAL;
	}
	while (*p) {
		char tok[64];
		size_t n = 0;
		bool clear = false;
		uint64_t mask;
		int r;

		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (*p == ',' || isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		while (*p && *p != ',' && *p != '#' && !isspace((unsigned char)*p)) {
			if (n + 1 >= sizeof(tok)) {
				snprintf(err, errlen, "%s name too long", sets[set].what);
				return -EINVAL;
			}
			tok[n++] = *p++;
		}
		tok[n] = '\0';
		if (tok[0] == '~' || tok[0] == '!') {
			clear = true;
			memmove(tok, tok + 1, n);
			if (!tok[0]) {
				snprintf(err, errlen, "'~' or '!' must be followed by a %s",
					 sets[set].what);
				return -EINVAL;
			}
		}
		for (size_t i = 0; tok[i]; i++) {
			unsigned char c = (unsigned char)tok[i];
			if (!isascii(c) || !isgraph(c)) {
				snprintf(err, errlen, "invalid character in %s list", sets[set].what);
				return -EINVAL;
			}
		}
		r = parse_token(set, tok, &mask);
		if (r == -ERANGE && tok[0] == '^') {
			snprintf(err, errlen, "'%s': bit number must be 0..63", tok);
			return -EINVAL;
		}
		if (r < 0) {
			snprintf(err, errlen, "unknown %s '%s'", sets[set].what, tok);
			return -EINVAL;
		}
		if (clear) {
			soff |= mask;
			son &= ~mask;
		} else {
			son |= mask;
			soff &= ~mask;
		}
	}
	*on = son;
	*off = soff;
	return 0;
}

int vs_flags_format(enum vs_flagset set, uint64_t value, char *buf, size_t len)
{
	size_t o = 0;

	if (!set_valid(set) || !len)
		return -EINVAL;
	buf[0] = '\0';
	for (int bit = 0; bit < 64; bit++) {
		const struct flagname *f;
		const char *name = NULL;
		char num[8];
		int n;

		if (!(value & (1ULL << bit)))
			continue;
		for (f = sets[set].names; f->name; f++)
			if (f->bit == (1ULL << bit)) {
				name = f->name;
				break;
			}
		if (!name) {
			snprintf(num, sizeof(num), "^%d", bit);
			name = num;
		}
		n = snprintf(buf + o, len - o, "%s%s", o ? "," : "", name);
		if (n < 0 || (size_t)n >= len - o)
			return -ENOSPC;
		o += (size_t)n;
	}
	return 0;
}
