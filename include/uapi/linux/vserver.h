/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Linux-VServer compatible process and network contexts.
 *
 * One multiplexed system call, vserver(cmd, id, data), carries every
 * command.  Numbers, structure layouts and flag bits follow the
 * Linux-VServer vs2.3.9 interface so that existing userlands keep working.
 */
#ifndef _LINUX_VSERVER_H
#define _LINUX_VSERVER_H

#include <linux/types.h>

/* Interface version reported by VCMD_get_version (vs2.3.9). */
#define VCI_VERSION		0x00020308

/* Bits of the configuration word reported by VCMD_get_vci. */
#define VCI_NO_DYNAMIC		(1U << 0)
#define VCI_PROC_SECURE		(1U << 4)
#define VCI_COWBL		(1U << 8)
#define VCI_FULLCOWBL		(1U << 9)
#define VCI_SPACES		(1U << 10)
#define VCI_NETV2		(1U << 11)
#define VCI_MEMCG		(1U << 12)
#define VCI_MEMCG_SWAP		(1U << 13)
#define VCI_DEBUG		(1U << 16)
#define VCI_HISTORY		(1U << 20)
#define VCI_TAGGED_SHIFT	24
#define VCI_TAGGED_MASK		(7U << VCI_TAGGED_SHIFT)
#define VCI_PPTAG		(1U << 28)

/* Command encoding: category (6 bits), command (8 bits), version (12). */
#define VC_CATEGORY(c)		(((c) >> 24) & 0x3F)
#define VC_COMMAND(c)		(((c) >> 16) & 0xFF)
#define VC_VERSION(c)		((c) & 0xFFF)
#define VC_CMD(cat, cmd, ver)	((((cat) & 0x3FU) << 24) | \
				 (((cmd) & 0xFFU) << 16) | ((ver) & 0xFFFU))

#define VC_CAT_VERSION		0
#define VC_CAT_VSETUP		1
#define VC_CAT_VHOST		2
#define VC_CAT_DEVICE		6
#define VC_CAT_VPROC		9
#define VC_CAT_PROCALT		10
#define VC_CAT_PROCMIG		11
#define VC_CAT_PROCTRL		12
#define VC_CAT_SCHED		14
#define VC_CAT_MEMCTRL		20
#define VC_CAT_VNET		25
#define VC_CAT_NETALT		26
#define VC_CAT_NETMIG		27
#define VC_CAT_NETCTRL		28
#define VC_CAT_TAGMIG		35
#define VC_CAT_DLIMIT		36
#define VC_CAT_INODE		38
#define VC_CAT_VSTAT		40
#define VC_CAT_VINFO		46
#define VC_CAT_EVENT		48
#define VC_CAT_FLAGS		52
#define VC_CAT_VSPACE		54
#define VC_CAT_DEBUG		56
#define VC_CAT_RLIMIT		60
#define VC_CAT_SYSTEST		61
#define VC_CAT_COMPAT		63

/* Version and configuration */
#define VCMD_get_version	VC_CMD(VC_CAT_VERSION, 0, 0)
#define VCMD_get_vci		VC_CMD(VC_CAT_VERSION, 1, 0)

/* Virtual host information */
#define VCMD_set_vhi_name	VC_CMD(VC_CAT_VHOST, 1, 0)
#define VCMD_get_vhi_name	VC_CMD(VC_CAT_VHOST, 2, 0)

/* Contexts */
#define VCMD_ctx_create_v0	VC_CMD(VC_CAT_VPROC, 1, 0)
#define VCMD_ctx_create		VC_CMD(VC_CAT_VPROC, 1, 1)
#define VCMD_ctx_migrate_v0	VC_CMD(VC_CAT_PROCMIG, 1, 0)
#define VCMD_ctx_migrate	VC_CMD(VC_CAT_PROCMIG, 1, 1)
#define VCMD_ctx_kill		VC_CMD(VC_CAT_PROCTRL, 1, 0)
#define VCMD_wait_exit		VC_CMD(VC_CAT_EVENT, 99, 0)

/* Spaces */
#define VCMD_enter_space_v0	VC_CMD(VC_CAT_PROCALT, 1, 0)
#define VCMD_enter_space_v1	VC_CMD(VC_CAT_PROCALT, 1, 1)
#define VCMD_enter_space	VC_CMD(VC_CAT_PROCALT, 1, 2)
#define VCMD_set_space_v1	VC_CMD(VC_CAT_PROCALT, 3, 1)
#define VCMD_set_space		VC_CMD(VC_CAT_PROCALT, 3, 2)
#define VCMD_get_space_mask_v0	VC_CMD(VC_CAT_PROCALT, 4, 0)
#define VCMD_get_space_mask	VC_CMD(VC_CAT_VSPACE, 0, 1)
#define VCMD_get_space_default	VC_CMD(VC_CAT_VSPACE, 1, 0)

/* Scheduler */
#define VCMD_set_prio_bias	VC_CMD(VC_CAT_SCHED, 4, 0)
#define VCMD_get_prio_bias	VC_CMD(VC_CAT_SCHED, 5, 0)

/* Memory control */
#define VCMD_get_badness	VC_CMD(VC_CAT_MEMCTRL, 5, 0)
#define VCMD_set_badness	VC_CMD(VC_CAT_MEMCTRL, 6, 0)

/* Network contexts */
#define VCMD_net_create_v0	VC_CMD(VC_CAT_VNET, 1, 0)
#define VCMD_net_create		VC_CMD(VC_CAT_VNET, 1, 1)
#define VCMD_net_add		VC_CMD(VC_CAT_NETALT, 1, 0)
#define VCMD_net_remove		VC_CMD(VC_CAT_NETALT, 2, 0)
#define VCMD_net_add_ipv4_v1	VC_CMD(VC_CAT_NETALT, 1, 1)
#define VCMD_net_rem_ipv4_v1	VC_CMD(VC_CAT_NETALT, 2, 1)
#define VCMD_net_add_ipv4	VC_CMD(VC_CAT_NETALT, 1, 2)
#define VCMD_net_rem_ipv4	VC_CMD(VC_CAT_NETALT, 2, 2)
#define VCMD_net_add_ipv6	VC_CMD(VC_CAT_NETALT, 3, 1)
#define VCMD_net_remove_ipv6	VC_CMD(VC_CAT_NETALT, 4, 1)
#define VCMD_net_migrate	VC_CMD(VC_CAT_NETMIG, 1, 0)

/* Tags, disk limits, inode attributes */
#define VCMD_tag_migrate	VC_CMD(VC_CAT_TAGMIG, 1, 0)
#define VCMD_add_dlimit		VC_CMD(VC_CAT_DLIMIT, 1, 0)
#define VCMD_rem_dlimit		VC_CMD(VC_CAT_DLIMIT, 2, 0)
#define VCMD_set_dlimit		VC_CMD(VC_CAT_DLIMIT, 5, 0)
#define VCMD_get_dlimit		VC_CMD(VC_CAT_DLIMIT, 6, 0)
#define VCMD_get_iattr		VC_CMD(VC_CAT_INODE, 1, 1)
#define VCMD_set_iattr		VC_CMD(VC_CAT_INODE, 2, 1)
#define VCMD_fget_iattr		VC_CMD(VC_CAT_INODE, 3, 0)
#define VCMD_fset_iattr		VC_CMD(VC_CAT_INODE, 4, 0)

/* Statistics and information */
#define VCMD_ctx_stat		VC_CMD(VC_CAT_VSTAT, 0, 0)
#define VCMD_rlimit_stat	VC_CMD(VC_CAT_VSTAT, 1, 0)
#define VCMD_virt_stat		VC_CMD(VC_CAT_VSTAT, 3, 0)
#define VCMD_sock_stat		VC_CMD(VC_CAT_VSTAT, 5, 0)
#define VCMD_task_xid		VC_CMD(VC_CAT_VINFO, 1, 0)
#define VCMD_task_nid		VC_CMD(VC_CAT_VINFO, 2, 0)
#define VCMD_task_tag		VC_CMD(VC_CAT_VINFO, 3, 0)
#define VCMD_vx_info		VC_CMD(VC_CAT_VINFO, 5, 0)
#define VCMD_nx_info		VC_CMD(VC_CAT_VINFO, 6, 0)

/* Flags and capabilities */
#define VCMD_get_cflags		VC_CMD(VC_CAT_FLAGS, 1, 0)
#define VCMD_set_cflags		VC_CMD(VC_CAT_FLAGS, 2, 0)
#define VCMD_get_ccaps		VC_CMD(VC_CAT_FLAGS, 3, 1)
#define VCMD_set_ccaps		VC_CMD(VC_CAT_FLAGS, 4, 1)
#define VCMD_get_nflags		VC_CMD(VC_CAT_FLAGS, 5, 0)
#define VCMD_set_nflags		VC_CMD(VC_CAT_FLAGS, 6, 0)
#define VCMD_get_ncaps		VC_CMD(VC_CAT_FLAGS, 7, 0)
#define VCMD_set_ncaps		VC_CMD(VC_CAT_FLAGS, 8, 0)
#define VCMD_get_bcaps		VC_CMD(VC_CAT_FLAGS, 9, 0)
#define VCMD_set_bcaps		VC_CMD(VC_CAT_FLAGS, 10, 0)
#define VCMD_get_umask		VC_CMD(VC_CAT_FLAGS, 13, 0)
#define VCMD_set_umask		VC_CMD(VC_CAT_FLAGS, 14, 0)
#define VCMD_get_wmask		VC_CMD(VC_CAT_FLAGS, 15, 0)
#define VCMD_set_wmask		VC_CMD(VC_CAT_FLAGS, 16, 0)

/* Resource limits */
#define VCMD_get_rlimit		VC_CMD(VC_CAT_RLIMIT, 1, 0)
#define VCMD_set_rlimit		VC_CMD(VC_CAT_RLIMIT, 2, 0)
#define VCMD_get_rlimit_mask	VC_CMD(VC_CAT_RLIMIT, 3, 0)
#define VCMD_reset_hits		VC_CMD(VC_CAT_RLIMIT, 7, 0)
#define VCMD_reset_minmax	VC_CMD(VC_CAT_RLIMIT, 9, 0)

/* Special context and network context ids */
#define VX_ID_HOST		0
#define VX_ID_WATCH		1
#define VX_ID_MIN		2
#define VX_ID_MAX		65535
#define VX_ID_DYNAMIC		0xFFFFFFFFU
#define VX_ID_SELF		0xFFFFFFFEU

/* Context flags (64-bit cflags) */
#define VXF_INFO_SCHED		0x0000000000000002ULL
#define VXF_INFO_NPROC		0x0000000000000004ULL
#define VXF_INFO_PRIVATE	0x0000000000000008ULL
#define VXF_INFO_INIT		0x0000000000000010ULL
#define VXF_INFO_HIDE		0x0000000000000020ULL
#define VXF_INFO_ULIMIT		0x0000000000000040ULL
#define VXF_INFO_NSPACE		0x0000000000000080ULL
#define VXF_SCHED_HARD		0x0000000000000100ULL
#define VXF_SCHED_PRIO		0x0000000000000200ULL
#define VXF_SCHED_PAUSE		0x0000000000000400ULL
#define VXF_VIRT_MEM		0x0000000000010000ULL
#define VXF_VIRT_UPTIME		0x0000000000020000ULL
#define VXF_VIRT_CPU		0x0000000000040000ULL
#define VXF_VIRT_LOAD		0x0000000000080000ULL
#define VXF_VIRT_TIME		0x0000000000100000ULL
#define VXF_HIDE_MOUNT		0x0000000001000000ULL
#define VXF_HIDE_VINFO		0x0000000004000000ULL
#define VXF_STATE_SETUP		0x0000000100000000ULL
#define VXF_STATE_INIT		0x0000000200000000ULL
#define VXF_STATE_ADMIN		0x0000000400000000ULL
#define VXF_SC_HELPER		0x0000001000000000ULL
#define VXF_REBOOT_KILL		0x0000002000000000ULL
#define VXF_PERSISTENT		0x0000004000000000ULL
#define VXF_FORK_RSS		0x0001000000000000ULL
#define VXF_PROLIFIC		0x0002000000000000ULL
#define VXF_IGNEG_NICE		0x0010000000000000ULL
#define VXF_ONE_TIME		0x0000000700000000ULL
#define VXF_INIT_SET		VXF_ONE_TIME

/* ctx_migrate flags */
#define VXM_SET_INIT		0x00000001
#define VXM_SET_REAPER		0x00000002

/* Context capabilities (64-bit ccaps) */
#define VXC_SET_UTSNAME		0x00000001ULL
#define VXC_SET_RLIMIT		0x00000002ULL
#define VXC_FS_SECURITY		0x00000004ULL
#define VXC_FS_TRUSTED		0x00000008ULL
#define VXC_TIOCSTI		0x00000010ULL
#define VXC_SYSLOG		0x00001000ULL
#define VXC_OOM_ADJUST		0x00002000ULL
#define VXC_AUDIT_CONTROL	0x00004000ULL
#define VXC_SECURE_MOUNT	0x00010000ULL
#define VXC_SECURE_REMOUNT	0x00020000ULL
#define VXC_BINARY_MOUNT	0x00040000ULL
#define VXC_QUOTA_CTL		0x00100000ULL
#define VXC_ADMIN_MAPPER	0x00200000ULL
#define VXC_ADMIN_CLOOP		0x00400000ULL
#define VXC_KTHREAD		0x01000000ULL
#define VXC_NAMESPACE		0x02000000ULL

/* The Linux-VServer capability that gates the whole interface. */
#define CAP_CONTEXT		63

/* Network flags (64-bit nflags) */
#define NXF_INFO_PRIVATE	0x0000000000000008ULL
#define NXF_SINGLE_IP		0x0000000000000100ULL
#define NXF_LBACK_REMAP		0x0000000000000200ULL
#define NXF_LBACK_ALLOW		0x0000000000000400ULL
#define NXF_HIDE_NETIF		0x0000000002000000ULL
#define NXF_HIDE_LBACK		0x0000000004000000ULL
#define NXF_STATE_SETUP		0x0000000100000000ULL
#define NXF_STATE_ADMIN		0x0000000400000000ULL
#define NXF_SC_HELPER		0x0000001000000000ULL
#define NXF_PERSISTENT		0x0000004000000000ULL
#define NXF_ONE_TIME		0x0000000500000000ULL

/* Network capabilities (64-bit ncaps) */
#define NXC_TUN_CREATE		0x00000001ULL
#define NXC_RAW_ICMP		0x00000100ULL
#define NXC_MULTICAST		0x00001000ULL

/* Network address types */
#define NXA_TYPE_IPV4		0x0001
#define NXA_TYPE_IPV6		0x0002
#define NXA_TYPE_NONE		0x0000
#define NXA_TYPE_ANY		0x00FF
#define NXA_TYPE_ADDR		0x0010
#define NXA_TYPE_MASK		0x0020
#define NXA_TYPE_RANGE		0x0040
#define NXA_MASK_ALL		0x0070
#define NXA_MOD_BCAST		0x0100
#define NXA_MOD_LBACK		0x0200
#define NXA_LOOPBACK		0x1000

/* Space (namespace) masks; values are the CLONE_* flags. */
#define VX_SPACES		2

/* Inode attributes */
#define IATTR_ADMIN		0x00000001
#define IATTR_WATCH		0x00000002
#define IATTR_HIDE		0x00000004
#define IATTR_FLAGS		0x00000007
#define IATTR_BARRIER		0x00010000
#define IATTR_IXUNLINK		0x00020000
#define IATTR_IMMUTABLE		0x00040000
#define IATTR_COW		0x00080000
#define IATTR_TAG		0x01000000

/* Virtual host information fields */
#define VHIN_CONTEXT		0
#define VHIN_SYSNAME		1
#define VHIN_NODENAME		2
#define VHIN_RELEASE		3
#define VHIN_VERSION		4
#define VHIN_MACHINE		5
#define VHIN_DOMAINNAME		6

/* Limits */
#define CRLIM_UNSET		0ULL
#define CRLIM_INFINITY		(~0ULL)
#define CRLIM_KEEP		(~1ULL)

#define VLIMIT_NSOCK		16
#define VLIMIT_OPENFD		17
#define VLIMIT_ANON		18
#define VLIMIT_SHMEM		19
#define VLIMIT_SEMARY		20
#define VLIMIT_NSEMS		21
#define VLIMIT_DENTRY		22
#define VLIMIT_MAPPED		23
#define VLIMIT_NUM		24

/* vshelper actions reported through VS_CMD */
#define VS_HELPER_STARTUP	1
#define VS_HELPER_SHUTDOWN	2
#define VS_HELPER_NETUP		3
#define VS_HELPER_NETDOWN	4

/* Structures.  Sizes are part of the ABI; see the comments. */

struct vcmd_ctx_create {		/* also ctx_migrate; 8 bytes */
	__u64 flagword;
};

#define vcmd_ctx_migrate vcmd_ctx_create

struct vcmd_vx_info_v0 {		/* 8 bytes */
	__u32 xid;
	__u32 initpid;
};

struct vcmd_ctx_stat_v0 {		/* 8 bytes */
	__u32 usecnt;
	__u32 tasks;
};

struct vcmd_virt_stat_v0 {		/* 48 bytes */
	__u64 offset;
	__u64 uptime;
	__u32 nr_threads;
	__u32 nr_running;
	__u32 nr_uninterruptible;
	__u32 nr_onhold;
	__u32 nr_forks;
	__u32 load[3];
};

/* Flag word with mask: cflags, nflags, bcaps, ccaps, ncaps, umask, wmask */
struct vcmd_ctx_flags_v0 {		/* 16 bytes */
	__u64 flagword;
	__u64 mask;
};

struct vcmd_net_flags_v0 {
	__u64 flagword;
	__u64 mask;
};

struct vcmd_bcaps {
	__u64 bcaps;
	__u64 bmask;
};

struct vcmd_ctx_caps_v1 {
	__u64 ccaps;
	__u64 cmask;
};

struct vcmd_net_caps_v0 {
	__u64 ncaps;
	__u64 cmask;
};

struct vcmd_umask {
	__u64 umask;
	__u64 mask;
};

struct vcmd_wmask {
	__u64 wmask;
	__u64 mask;
};

struct vcmd_badness_v0 {		/* 8 bytes */
	__s64 bias;
};

#define VHILEN			65
struct vcmd_vhi_name_v0 {		/* 72 bytes */
	__u32 field;
	char name[VHILEN];
};

struct vcmd_space_mask_v1 {		/* 8 bytes */
	__u64 mask;
};

struct vcmd_space_mask_v2 {		/* 16 bytes on LP64, 12 on i386 */
	__u64 mask;
	__u32 index;
};

struct vcmd_ctx_kill_v0 {		/* 8 bytes */
	__s32 pid;
	__s32 sig;
};

struct vcmd_wait_exit_v0 {		/* 8 bytes */
	__s32 reboot_cmd;
	__s32 exit_code;
};

struct vcmd_prio_bias {			/* 8 bytes */
	__s32 cpu_id;
	__s32 prio_bias;
};

struct vcmd_net_create {		/* 8 bytes */
	__u64 flagword;
};

struct vcmd_nx_info_v0 {		/* 4 bytes */
	__u32 nid;
};

struct vcmd_net_addr_v0 {		/* 36 bytes */
	__u16 type;
	__u16 count;
	__u32 ip[4];			/* struct in_addr, network order */
	__u32 mask[4];
};

struct vcmd_net_addr_ipv4_v1 {		/* 12 bytes */
	__u16 type;
	__u16 flags;
	__u32 ip;			/* network byte order */
	__u32 mask;
};

struct vcmd_net_addr_ipv4_v2 {		/* 16 bytes */
	__u16 type;
	__u16 flags;
	__u32 ip;
	__u32 ip2;
	__u32 mask;
};

struct vcmd_net_addr_ipv6_v1 {		/* 40 bytes */
	__u16 type;
	__u16 flags;
	__u32 prefix;
	__u8 ip[16];			/* struct in6_addr */
	__u8 mask[16];
};

struct vcmd_ctx_rlimit_v0 {		/* 32 bytes on LP64, 28 on i386 */
	__u32 id;
	__u64 minimum;
	__u64 softlimit;
	__u64 maximum;
};

struct vcmd_ctx_rlimit_mask_v0 {	/* 12 bytes */
	__u32 minimum;
	__u32 softlimit;
	__u32 maximum;
};

struct vcmd_rlimit_stat_v0 {		/* 32 bytes */
	__u32 id;
	__u32 hits;
	__u64 value;
	__u64 minimum;
	__u64 maximum;
};

struct vcmd_ctx_iattr_v1 {		/* 24 bytes on LP64, 16 on i386 */
	const char *name;
	__u32 tag;
	__u32 flags;
	__u32 mask;
};

struct vcmd_ctx_fiattr_v0 {		/* 12 bytes */
	__u32 tag;
	__u32 flags;
	__u32 mask;
};

#endif /* _LINUX_VSERVER_H */
