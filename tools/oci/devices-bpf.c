/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources.devices on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the container's cgroup.
 *
 * cgroup v2 has no devices controller: the kernel asks the device programs
 * attached to a task's cgroup (and, with BPF_F_ALLOW_MULTI, to its
 * ancestors) on every open, mknod and access check of a device node.  The
 * program gets struct bpf_cgroup_dev_ctx: access_type (the access bits,
 * BPF_DEVCG_ACC_*, in the upper 16 bits, the device type, BPF_DEVCG_DEV_*,
 * in the lower), major and minor; it answers 1 (allow) or 0 (deny).
 *
 * The program is a handful of instructions per rule, assembled here rather
 * than compiled: the rules are data, and a compiler toolchain (clang, libbpf)
 * would be a heavy dependency for about ten instruction shapes.  Rules are
 * tested from the last to the first, the first one that matches decides:
 * that is "the last matching rule wins" of the runtime spec.  A device no
 * rule matches is denied, as runc and crun do on cgroup v2.
 *
 * Matching follows the v1 devices controller: an allow rule covers a
 * request whose access bits are all in the rule's; a deny rule covers a
 * request that asks for any of the rule's bits (opening rw where "w" is
 * denied fails). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices-bpf.h"

/* The registers of the program: r1 holds the context at entry and then
 * serves as scratch; r2..r5 keep the fields for every rule. */
enum { R0, R1, R2, R3, R4, R5 };
#define R_TYPE R2
#define R_ACC R3
#define R_MAJOR R4
#define R_MINOR R5

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
						.src_reg = (s), .off = (o), .imm = (i) })
/* dst = *(u32 *)(src + off) */
#define LDX_W(d, s, o)		INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU_K(op, d, i)		INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define MOV_X(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
/* 32-bit compares: the fields are u32, a device number never needs more */
#define JMP32_K(op, d, i, o)	INSN(BPF_JMP32 | (op) | BPF_K, d, 0, o, i)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* what one block of the program may hold: type, access (3), major, minor,
 * verdict (2) */
#define BLOCK_MAX 8
/* the classic limit of a program; a privileged loader may go further, but
 * 500 rules are far beyond what an engine sends */
#define PROG_MAX 4096

static unsigned access_bits(const char *a)
{
	unsigned m = 0;

	for (; *a; a++)
		m |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE :
		     *a == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
	return m;
}

#define ACC_ALL (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/* One rule as a block: tests that jump past the block when the request is
 * not covered, then the verdict.  Returns the block's length, 0 for a rule
 * that matches nothing (an empty access), and sets *always when the rule
 * matches every request (nothing before it can be reached). */
static size_t block(const struct oci_devrule *r, struct bpf_insn *b, bool *always)
{
	struct bpf_insn t[BLOCK_MAX];
	unsigned acc = access_bits(r->access);
	size_t n = 0, i;

	*always = false;
	if (!acc)
		return 0;
	if (r->type == 'b' || r->type == 'c')
		t[n++] = JMP32_K(BPF_JNE, R_TYPE, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK :
				 BPF_DEVCG_DEV_CHAR, 0);
	if (acc != ACC_ALL) {
		t[n++] = MOV_X(R1, R_ACC);
		if (r->allow) {
			/* skip unless every requested bit is in the rule */
			t[n++] = ALU_K(BPF_AND, R1, (int32_t)(ACC_ALL & ~acc));
			t[n++] = JMP32_K(BPF_JNE, R1, 0, 0);
		} else {
			/* skip unless some requested bit is in the rule */
			t[n++] = ALU_K(BPF_AND, R1, (int32_t)acc);
			t[n++] = JMP32_K(BPF_JEQ, R1, 0, 0);
		}
	}
	if (r->major >= 0)
		t[n++] = JMP32_K(BPF_JNE, R_MAJOR, (int32_t)(uint32_t)r->major, 0);
	if (r->minor >= 0)
		t[n++] = JMP32_K(BPF_JNE, R_MINOR, (int32_t)(uint32_t)r->minor, 0);
	*always = n == 0;
	t[n++] = ALU_K(BPF_MOV, R0, r->allow ? 1 : 0);
	t[n++] = EXIT();
	/* every test jumps to the first instruction after the block */
	for (i = 0; i < n; i++)
		if (BPF_CLASS(t[i].code) == BPF_JMP32)
			t[i].off = (int16_t)(n - i - 1);
	memcpy(b, t, n * sizeof(*t));
	return n;
}

int oci_devbpf_build(const struct oci_devrule *rules, size_t n_rules,
		     struct bpf_insn **insns, size_t *n)
{
	struct bpf_insn *p;
	size_t len = 0;
	bool always = false;

	*insns = NULL;
	*n = 0;
	for (size_t i = 0; i < n_rules; i++)
		if (rules[i].major > (int64_t)UINT32_MAX || rules[i].minor > (int64_t)UINT32_MAX)
			return oci_err(-EINVAL, "linux.resources.devices[%zu]: device number %lld:%lld "
				       "out of range", i, (long long)rules[i].major,
				       (long long)rules[i].minor);
	if (n_rules > (PROG_MAX - 8) / BLOCK_MAX)
		return oci_err(-E2BIG, "linux.resources.devices: %zu rules are more than the "
			       "device filter takes (%d)", n_rules, (PROG_MAX - 8) / BLOCK_MAX);
	if (!(p = calloc(8 + n_rules * BLOCK_MAX, sizeof(*p))))
		return oci_err(-ENOMEM, "linux.resources.devices: out of memory");
	/* the fields of struct bpf_cgroup_dev_ctx, once */
	p[len++] = LDX_W(R_TYPE, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	p[len++] = ALU_K(BPF_AND, R_TYPE, 0xffff);
	p[len++] = LDX_W(R_ACC, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	p[len++] = ALU_K(BPF_RSH, R_ACC, 16);
	p[len++] = LDX_W(R_MAJOR, R1, offsetof(struct bpf_cgroup_dev_ctx, major));
	p[len++] = LDX_W(R_MINOR, R1, offsetof(struct bpf_cgroup_dev_ctx, minor));
	/* the verifier refuses unreachable code: nothing after a rule that
	 * matches everything, not even the final deny */
	for (size_t i = n_rules; i-- > 0 && !always;)
		len += block(&rules[i], p + len, &always);
	if (!always) {
		p[len++] = ALU_K(BPF_MOV, R0, 0);
		p[len++] = EXIT();
	}
	*insns = p;
	*n = len;
	return 0;
}

static int bpf(enum bpf_cmd cmd, union bpf_attr *a)
{
	return (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int load(const struct bpf_insn *insns, size_t n, char *log, size_t loglen)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uintptr_t)"GPL";
	if (log) {
		a.log_buf = (uintptr_t)log;
		a.log_size = (uint32_t)loglen;
		a.log_level = 1;
	}
	return bpf(BPF_PROG_LOAD, &a);
}

/* the error of a failed load: the reason a host cannot filter devices is
 * named, a program the verifier refuses (a bug here) gets its log */
static int load_error(int e, const struct bpf_insn *insns, size_t n)
{
	static char log[16384];
	const char *why = "";
	char *last;
	int fd;

	if (e == ENOSYS)
		why = " (the kernel has no bpf() system call: CONFIG_BPF_SYSCALL)";
	else if (e == EPERM)
		why = " (needs CAP_BPF and CAP_SYS_ADMIN in the initial user namespace, "
		      "or kernel.unprivileged_bpf_disabled forbids it)";
	else if (e == EINVAL)
		why = " (the kernel may lack cgroup device programs: CONFIG_CGROUP_BPF)";
	if (e != ENOSYS && e != EPERM) {
		log[0] = '\0';
		fd = load(insns, n, log, sizeof(log));
		if (fd >= 0)
			close(fd);
		/* the verifier's verdict is its log's last full line */
		while ((last = strrchr(log, '\n')) && last[1] == '\0')
			*last = '\0';
		if (*log) {
			last = strrchr(log, '\n');
			return oci_err(-e, "linux.resources.devices: the kernel refuses the "
				       "cgroup v2 device filter (eBPF): %s: %s", strerror(e),
				       last ? last + 1 : log);
		}
	}
	return oci_err(-e, "linux.resources.devices: cannot load the cgroup v2 device filter "
		       "(eBPF): bpf(BPF_PROG_LOAD): %s%s", strerror(e), why);
}

int oci_devbpf_probe(void)
{
	/* the smallest device program: allow everything */
	const struct bpf_insn p[] = { ALU_K(BPF_MOV, R0, 1), EXIT() };
	int fd = load(p, 2, NULL, 0);

	if (fd < 0)
		return load_error(errno, p, 2);
	close(fd);
	return 0;
}

/* the ids of the device programs attached to cgfd */
static int query(int cgfd, uint32_t *ids, uint32_t *cnt)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uintptr_t)ids;
	a.query.prog_cnt = *cnt;
	if (bpf(BPF_PROG_QUERY, &a) < 0)
		return -errno;
	*cnt = a.query.prog_cnt;
	return 0;
}

int oci_devbpf_attach(int cgfd, const struct bpf_insn *insns, size_t n)
{
	uint32_t old[64], n_old = 64;
	union bpf_attr a;
	int fd, e, r;

	if ((fd = load(insns, n, NULL, 0)) < 0)
		return load_error(errno, insns, n);
	if ((r = query(cgfd, old, &n_old)) < 0) {
		/* ENOSPC: more programs than we look at; replacing them all
		 * is not possible, adding ours still restricts */
		if (r != -ENOSPC) {
			close(fd);
			return oci_err(r, "linux.resources.devices: the container's cgroup "
				       "cannot be queried for device programs: %s", strerror(-r));
		}
		oci_warn("linux.resources.devices: the cgroup holds more than %u device "
			 "programs; they stay besides the container's", n_old);
		n_old = 0;
	}
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &a) < 0) {
		e = errno;
		close(fd);
		return oci_err(-e, "linux.resources.devices: cannot attach the device filter "
			       "to the container's cgroup: bpf(BPF_PROG_ATTACH): %s%s", strerror(e),
			       e == EPERM ? " (an ancestor cgroup holds a device program that "
			       "does not allow others below it)" : "");
	}
	/* the cgroup holds the program now; the descriptor is not needed */
	close(fd);
	/* an existing cgroup (a path given again) keeps what an earlier
	 * container attached; with ALLOW_MULTI all must allow, so a leftover
	 * only restricts more, but the rules asked for are the ones to apply */
	for (uint32_t i = 0; i < n_old; i++) {
		memset(&a, 0, sizeof(a));
		a.prog_id = old[i];
		if ((fd = bpf(BPF_PROG_GET_FD_BY_ID, &a)) < 0)
			continue;	/* gone meanwhile */
		memset(&a, 0, sizeof(a));
		a.target_fd = (uint32_t)cgfd;
		a.attach_bpf_fd = (uint32_t)fd;
		a.attach_type = BPF_CGROUP_DEVICE;
		if (bpf(BPF_PROG_DETACH, &a) < 0)
			oci_warn("linux.resources.devices: the device program %u attached "
				 "before stays: %s", old[i], strerror(errno));
		close(fd);
	}
	return 0;
}

int oci_devices_mode(enum oci_devmode *mode)
{
	const char *e = getenv("VSERVER_OCI_DEVICES");

	*mode = OCI_DEV_AUTO;
	if (!e || !*e || !strcmp(e, "auto"))
		return 0;
	if (!strcmp(e, "v1"))
		*mode = OCI_DEV_V1;
	else if (!strcmp(e, "ebpf"))
		*mode = OCI_DEV_EBPF;
	else
		return oci_err(-EINVAL, "VSERVER_OCI_DEVICES: auto, v1 or ebpf, not \"%s\"", e);
	return 0;
}
