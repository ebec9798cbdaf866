// SPDX-License-Identifier: GPL-2.0-or-later
/* vs-fuzz: every command the ABI knows and the shape of its arguments. */
#include "fuzz.h"

#define C(n, d, i) { VCMD_##n, #n, d, i }
/* Every command of VSERVER-ABI.md §4.2, also those the kernel answers
 * with ENOSYS (their numbers must stay harmless). */
const struct cmd cmds[NCMDS] = {
	C(get_version, D_NONE, I_ANY),
	C(get_vci, D_NONE, I_ANY),
	C(set_vhi_name, D_VHI, I_XID),
	C(get_vhi_name, D_VHI, I_XID),
	{ 0x06010000, "set_mapping", D_MAPPING, I_XID },
	{ 0x06020000, "unset_mapping", D_MAPPING, I_XID },
	C(ctx_create_v0, D_NONE, I_XID),
	C(ctx_create, D_U64, I_XID),
	{ 0x09010002, "ctx_create_v2", D_U64, I_XID },
	C(enter_space_v0, D_NONE, I_XID),
	C(enter_space_v1, D_U64, I_XID),
	C(enter_space, D_SPACE2, I_XID),
	{ 0x0A020000, "cleanup_namespace", D_NONE, I_XID },
	{ 0x0A030000, "set_space_v0", D_NONE, I_XID },
	C(set_space_v1, D_U64, I_XID),
	C(set_space, D_SPACE2, I_XID),
	C(get_space_mask_v0, D_U64, I_ANY),
	{ 0x0A050000, "get_pflags", D_RAW, I_XID },
	{ 0x0A060000, "set_pflags", D_RAW, I_XID },
	C(ctx_migrate_v0, D_NONE, I_XID),
	C(ctx_migrate, D_U64, I_XID),
	{ 0x0B010002, "ctx_migrate_v2", D_U64, I_XID },
	C(ctx_kill, D_KILL, I_XID),
	{ 0x0E010002, "set_sched_v2", D_RAW, I_XID },
	{ 0x0E010003, "set_sched_v3", D_RAW, I_XID },
	{ 0x0E010004, "set_sched_v4", D_RAW, I_XID },
	{ 0x0E010005, "set_sched", D_RAW, I_XID },
	{ 0x0E020005, "get_sched", D_RAW, I_XID },
	{ 0x0E030000, "sched_info", D_RAW, I_XID },
	C(set_prio_bias, D_PRIO, I_XID),
	C(get_prio_bias, D_PRIO, I_XID),
	C(get_badness, D_OUT8, I_XID),
	C(set_badness, D_U64, I_XID),
	C(net_create_v0, D_NONE, I_NID),
	C(net_create, D_U64, I_NID),
	C(net_add, D_ADDR0, I_NID),
	C(net_remove, D_ADDR0, I_NID),
	C(net_add_ipv4_v1, D_IPV4V1, I_NID),
	C(net_rem_ipv4_v1, D_IPV4V1, I_NID),
	C(net_add_ipv4, D_IPV4V2, I_NID),
	C(net_rem_ipv4, D_IPV4V2, I_NID),
	C(net_add_ipv6, D_IPV6, I_NID),
	C(net_remove_ipv6, D_IPV6, I_NID),
	{ 0x1A050000, "add_match_ipv4", D_RAW, I_NID },
	{ 0x1A060000, "get_match_ipv4", D_RAW, I_NID },
	{ 0x1A070000, "add_match_ipv6", D_RAW, I_NID },
	{ 0x1A080000, "get_match_ipv6", D_RAW, I_NID },
	C(net_migrate, D_NONE, I_NID),
	C(tag_migrate, D_NONE, I_TAG),
	C(add_dlimit, D_DLIMBASE, I_TAG),
	C(rem_dlimit, D_DLIMBASE, I_TAG),
	C(set_dlimit, D_DLIM, I_TAG),
	C(get_dlimit, D_DLIM, I_TAG),
	C(get_iattr, D_IATTR, I_ANY),
	C(set_iattr, D_IATTR, I_ANY),
	C(fget_iattr, D_FIATTR, I_FD),
	C(fset_iattr, D_FIATTR, I_FD),
	C(ctx_stat, D_OUT8, I_XID),
	C(rlimit_stat, D_RLSTAT, I_XID),
	C(virt_stat, D_OUT48, I_XID),
	C(sock_stat, D_RAW, I_XID),
	C(task_xid, D_NONE, I_PID),
	C(task_nid, D_NONE, I_PID),
	C(task_tag, D_NONE, I_PID),
	C(vx_info, D_OUT8, I_XID),
	C(nx_info, D_OUT4, I_NID),
	C(wait_exit, D_OUT8, I_XID),
	C(get_cflags, D_FLAGS, I_XID),
	C(set_cflags, D_FLAGS, I_XID),
	{ 0x34030000, "get_ccaps_v0", D_RAW, I_XID },
	{ 0x34040000, "set_ccaps_v0", D_RAW, I_XID },
	C(get_ccaps, D_FLAGS, I_XID),
	C(set_ccaps, D_FLAGS, I_XID),
	C(get_nflags, D_FLAGS, I_NID),
	C(set_nflags, D_FLAGS, I_NID),
	C(get_ncaps, D_FLAGS, I_NID),
	C(set_ncaps, D_FLAGS, I_NID),
	C(get_bcaps, D_FLAGS, I_XID),
	C(set_bcaps, D_FLAGS, I_XID),
	C(get_umask, D_FLAGS, I_XID),
	C(set_umask, D_FLAGS, I_XID),
	C(get_wmask, D_FLAGS, I_XID),
	C(set_wmask, D_FLAGS, I_XID),
	C(get_space_mask, D_U64, I_ANY),
	C(get_space_default, D_U64, I_ANY),
	{ 0x38010000, "dump_history", D_NONE, I_ANY },
	{ 0x38050000, "read_history", D_RAW, I_ANY },
	{ 0x38060000, "read_monitor", D_RAW, I_ANY },
	C(get_rlimit, D_RLIMIT, I_XID),
	C(set_rlimit, D_RLIMIT, I_XID),
	C(get_rlimit_mask, D_OUT12, I_ANY),
	C(reset_hits, D_NONE, I_XID),
	C(reset_minmax, D_NONE, I_XID),
	{ 0x01010000, "create_context", D_RAW, I_XID },
	{ 0x3F010001, "new_s_context", D_RAW, I_XID },
	{ 0x3F020003, "set_ipv4root", D_RAW, I_XID },
};
_Static_assert(sizeof(cmds) / sizeof(cmds[0]) == NCMDS, "NCMDS in fuzz.h");

size_t dsize(enum dkind d)
{
	switch (d) {
	case D_NONE: return 0;
	case D_U64: case D_KILL: case D_OUT8: case D_PRIO: return 8;
	case D_OUT4: return 4;
	case D_OUT12: case D_FIATTR: case D_IPV4V1: return 12;
	case D_FLAGS: case D_SPACE2: case D_IPV4V2: case D_DLIMBASE: return 16;
	case D_OUT48: return 48;
	case D_VHI: return sizeof(struct vcmd_vhi_name_v0);
	case D_ADDR0: return sizeof(struct vcmd_net_addr_v0);
	case D_IPV6: return sizeof(struct vcmd_net_addr_ipv6_v1);
	case D_RLIMIT: return sizeof(struct vcmd_ctx_rlimit_v0);
	case D_RLSTAT: return sizeof(struct vcmd_rlimit_stat_v0);
	case D_IATTR: case D_MAPPING: return 24;
	case D_DLIM: return 32;
	case D_RAW: return 64;
	}
	return 64;
}
