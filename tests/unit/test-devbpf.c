/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver-oci's device rules → eBPF translation (tools/oci/devices-bpf.c).
 *
 * The kernel cannot test-run a cgroup device program (BPF_PROG_TEST_RUN
 * does not support the type), and loading needs privileges: here a small
 * interpreter of the instructions the translator emits runs the program
 * on requests, after checking what the verifier would refuse (a jump out
 * of the program or backwards, an unreachable instruction, a path without
 * exit).  t-oci.sh runs the same rules in the kernel. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices-bpf.h"

char oci_errmsg[1024];

int oci_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(oci_errmsg, sizeof(oci_errmsg), fmt, ap);
	va_end(ap);
	return err;
}

void oci_warn(const char *fmt, ...)
{
	(void)fmt;
}

/* what the verifier checks that matters for straight-line code: forward
 * jumps inside the program, every instruction reachable, the end an exit */
static void check_shape(const struct bpf_insn *p, size_t n)
{
	bool *reach = calloc(n, sizeof(bool));

	assert_non_null(reach);
	assert_true(n > 0);
	reach[0] = true;
	for (size_t i = 0; i < n; i++) {
		uint8_t cls = BPF_CLASS(p[i].code);
		if (!reach[i])
			fail_msg("instruction %zu is unreachable", i);
		if (p[i].code == (BPF_JMP | BPF_EXIT))
			continue;
		if (cls == BPF_JMP32) {
			assert_true(p[i].off >= 0);
			assert_true(i + 1 + (size_t)p[i].off < n);
			reach[i + 1 + (size_t)p[i].off] = true;
		}
		assert_true(i + 1 < n);	/* falls off the end otherwise */
		reach[i + 1] = true;
	}
	assert_int_equal(p[n - 1].code, BPF_JMP | BPF_EXIT);
	free(reach);
}

/* runs the program on one request; only the instructions the translator
 * uses are known, anything else fails the test */
static int run(const struct bpf_insn *p, size_t n, char type, const char *acc,
	       uint32_t major, uint32_t minor)
{
	struct bpf_cgroup_dev_ctx ctx = { .major = major, .minor = minor };
	uint64_t r[11] = { 0 };
	unsigned a = 0;

	for (; *acc; acc++)
		a |= *acc == 'r' ? BPF_DEVCG_ACC_READ : *acc == 'w' ? BPF_DEVCG_ACC_WRITE :
		     BPF_DEVCG_ACC_MKNOD;
	ctx.access_type = a << 16 | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint64_t *d = &r[i->dst_reg];
		uint32_t lo = (uint32_t)*d, k = (uint32_t)i->imm;

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_int_equal(i->src_reg, 1);
			assert_true(i->off >= 0 && (size_t)i->off + 4 <= sizeof(ctx));
			memcpy(&lo, (char *)&ctx + i->off, 4);
			*d = lo;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K: *d &= (uint64_t)(int64_t)i->imm; break;
		case BPF_ALU64 | BPF_RSH | BPF_K: *d >>= i->imm; break;
		case BPF_ALU64 | BPF_MOV | BPF_K: *d = (uint64_t)(int64_t)i->imm; break;
		case BPF_ALU64 | BPF_MOV | BPF_X: *d = r[i->src_reg]; break;
		case BPF_JMP32 | BPF_JNE | BPF_K: if (lo != k) pc += (size_t)i->off; break;
		case BPF_JMP32 | BPF_JEQ | BPF_K: if (lo == k) pc += (size_t)i->off; break;
		case BPF_JMP | BPF_EXIT: return (int)r[0];
		default: fail_msg("unexpected instruction %#x at %zu", i->code, pc);
		}
	}
	fail_msg("ran off the end");
	return -1;
}

#define RULE(al, t, ma, mi, ac) { .allow = (al), .type = (t), .major = (ma), .minor = (mi), \
				  .access = ac }

static struct bpf_insn *build(const struct oci_devrule *v, size_t nv, size_t *n)
{
	struct bpf_insn *p;

	assert_int_equal(oci_devbpf_build(v, nv, &p, n), 0);
	check_shape(p, *n);
	return p;
}

static void test_no_rules_denies_all(void **state)
{
	size_t n;
	struct bpf_insn *p = build(NULL, 0, &n);

	(void)state;
	assert_int_equal(n, 8);		/* 6 loads, the final deny */
	assert_int_equal(run(p, n, 'c', "r", 1, 3), 0);
	assert_int_equal(run(p, n, 'b', "m", 8, 0), 0);
	free(p);
}

static void test_deny_all_is_one_block(void **state)
{
	const struct oci_devrule v[] = { RULE(false, 'a', -1, -1, "rwm") };
	size_t n;
	struct bpf_insn *p = build(v, 1, &n);

	(void)state;
	/* no test, no unreachable final deny after it */
	assert_int_equal(n, 8);
	assert_int_equal(run(p, n, 'c', "rwm", 1, 3), 0);
	free(p);
}

/* the rules of t-oci.sh: the last matching rule wins; allow covers a
 * request within its accesses, deny one touching any of them */
static void test_layered(void **state)
{
	const struct oci_devrule v[] = {
		RULE(false, 'a', -1, -1, "rwm"),
		RULE(true, 'c', 1, 1, "rwm"),
		RULE(false, 'c', 1, 1, "r"),
		RULE(true, 'c', 1, 2, "rm"),
	};
	size_t n;
	struct bpf_insn *p = build(v, 4, &n);

	(void)state;
	assert_int_equal(run(p, n, 'c', "m", 1, 1), 1);
	assert_int_equal(run(p, n, 'c', "w", 1, 1), 1);
	assert_int_equal(run(p, n, 'c', "r", 1, 1), 0);
	assert_int_equal(run(p, n, 'c', "rw", 1, 1), 0);	/* deny r touches rw */
	assert_int_equal(run(p, n, 'c', "r", 1, 2), 1);
	assert_int_equal(run(p, n, 'c', "rm", 1, 2), 1);
	assert_int_equal(run(p, n, 'c', "rw", 1, 2), 0);	/* w is not in "rm" */
	assert_int_equal(run(p, n, 'c', "m", 1, 4), 0);
	assert_int_equal(run(p, n, 'b', "m", 1, 1), 0);	/* the type counts */
	free(p);
}

static void test_wildcards_and_types(void **state)
{
	const struct oci_devrule v[] = {
		RULE(false, 'a', -1, -1, "rwm"),
		RULE(true, 'b', -1, -1, "r"),
		RULE(true, 'c', 136, -1, "rw"),
	};
	size_t n;
	struct bpf_insn *p = build(v, 3, &n);

	(void)state;
	assert_int_equal(run(p, n, 'b', "r", 8, 0), 1);
	assert_int_equal(run(p, n, 'b', "r", 259, 7), 1);
	assert_int_equal(run(p, n, 'b', "rw", 8, 0), 0);
	assert_int_equal(run(p, n, 'c', "r", 8, 0), 0);
	assert_int_equal(run(p, n, 'c', "rw", 136, 4), 1);
	assert_int_equal(run(p, n, 'c', "m", 136, 4), 0);
	free(p);
}

/* an allow-everything rule in the middle ends the program: what comes
 * before it in the spec can never decide */
static void test_allow_all_cuts_earlier_rules(void **state)
{
	const struct oci_devrule v[] = {
		RULE(false, 'a', -1, -1, "rwm"),
		RULE(true, 'a', -1, -1, "rwm"),
		RULE(false, 'c', 1, 5, "w"),
	};
	const struct oci_devrule only_last[] = { v[2] };
	size_t n, n1;
	struct bpf_insn *p = build(v, 3, &n), *p1 = build(only_last, 1, &n1);

	(void)state;
	/* deny c 1:5 w, then allow all; no final deny */
	assert_int_equal(n, n1);
	assert_int_equal(run(p, n, 'c', "w", 1, 5), 0);
	assert_int_equal(run(p, n, 'c', "r", 1, 5), 1);
	assert_int_equal(run(p, n, 'b', "rwm", 8, 0), 1);
	free(p);
	free(p1);
}

static void test_empty_access_matches_nothing(void **state)
{
	const struct oci_devrule v[] = {
		RULE(true, 'a', -1, -1, "rwm"),
		RULE(false, 'c', 1, 3, ""),
	};
	size_t n;
	struct bpf_insn *p = build(v, 2, &n);

	(void)state;
	assert_int_equal(run(p, n, 'c', "rw", 1, 3), 1);
	free(p);
}

static void test_refusals(void **state)
{
	struct oci_devrule big[600];
	const struct oci_devrule v[] = { RULE(true, 'c', 1, 5000000000LL, "r") };
	struct bpf_insn *p;
	size_t n;

	(void)state;
	assert_int_equal(oci_devbpf_build(v, 1, &p, &n), -EINVAL);
	assert_non_null(strstr(oci_errmsg, "linux.resources.devices[0]: device number 1:5000000000"));
	for (size_t i = 0; i < 600; i++)
		big[i] = (struct oci_devrule)RULE(true, 'c', 1, (int64_t)i, "rwm");
	assert_int_equal(oci_devbpf_build(big, 600, &p, &n), -E2BIG);
	assert_non_null(strstr(oci_errmsg, "600 rules are more than"));
	/* the largest accepted list still fits the classic program limit */
	assert_int_equal(oci_devbpf_build(big, 511, &p, &n), 0);
	assert_true(n <= 4096);
	check_shape(p, n);
	assert_int_equal(run(p, n, 'c', "rwm", 1, 510), 1);
	assert_int_equal(run(p, n, 'c', "r", 1, 511), 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_rules_denies_all),
		cmocka_unit_test(test_deny_all_is_one_block),
		cmocka_unit_test(test_layered),
		cmocka_unit_test(test_wildcards_and_types),
		cmocka_unit_test(test_allow_all_cuts_earlier_rules),
		cmocka_unit_test(test_empty_access_matches_nothing),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
