/* Limits: value parsers (units, suffixes, infinity), the CPU share and
 * token-bucket mappings, the configuration files rlimits/, limits/ and
 * sched/, their conflicts, the cgroup settings they become and what each
 * backend reports as not enforced. */
#include "testutil.h"

#include <linux/vserver.h>
#include <sys/resource.h>

static void value_units(void **state)
{
	uint64_t v, ps = (uint64_t)sysconf(_SC_PAGESIZE);
	(void)state;

	assert_int_equal(vs_limit_parse_value(RLIMIT_NPROC, "100", &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(vs_limit_parse_value(RLIMIT_NOFILE, "inf", &v), 0);
	assert_true(v == VS_LIMIT_INF);
	assert_int_equal(vs_limit_parse_value(VLIMIT_NSOCK, "unlimited", &v), 0);
	assert_true(v == VS_LIMIT_INF);
	assert_int_equal(vs_limit_parse_value(VLIMIT_NSOCK, "-1", &v), 0);
	assert_true(v == VS_LIMIT_INF);
	assert_int_equal(vs_limit_parse_value(VLIMIT_DENTRY, "max", &v), 0);
	assert_true(v == VS_LIMIT_INF);
	/* counts take no size suffix */
	assert_int_equal(vs_limit_parse_value(RLIMIT_NPROC, "10K", &v), -EINVAL);
	assert_int_equal(vs_limit_parse_value(VLIMIT_OPENFD, "1M", &v), -EINVAL);
	/* bytes */
	assert_int_equal(vs_limit_parse_value(RLIMIT_MEMLOCK, "64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(vs_limit_parse_value(RLIMIT_MSGQUEUE, "1m", &v), 0);
	assert_int_equal(v, 1 << 20);
	/* pages: plain numbers are pages, sizes are rounded up to pages */
	assert_int_equal(vs_limit_parse_value(RLIMIT_RSS, "1000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(vs_limit_parse_value(RLIMIT_RSS, "1G", &v), 0);
	assert_int_equal(v, (1ULL << 30) / ps);
	assert_int_equal(vs_limit_parse_value(VLIMIT_SHMEM, "1K", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(vs_limit_parse_value(RLIMIT_AS, "2T", &v), 0);
	assert_int_equal(v, (2ULL << 40) / ps);
	/* garbage and markers */
	assert_int_equal(vs_limit_parse_value(RLIMIT_NPROC, "", &v), -EINVAL);
	assert_int_equal(vs_limit_parse_value(RLIMIT_NPROC, "-5", &v), -EINVAL);
	assert_int_equal(vs_limit_parse_value(RLIMIT_NPROC, " 5", &v), -EINVAL);
	assert_int_equal(vs_limit_parse_value(RLIMIT_NPROC, "5x", &v), -EINVAL);
	assert_int_equal(vs_limit_parse_value(RLIMIT_NPROC, "K", &v), -EINVAL);
	assert_int_equal(vs_limit_parse_value(RLIMIT_NPROC, "18446744073709551614", &v), -ERANGE);
	assert_int_equal(vs_limit_parse_value(RLIMIT_MEMLOCK, "99999999999999999T", &v), -ERANGE);
	assert_int_equal(vs_limit_parse_value(RLIMIT_NPROC, "18446744073709551613", &v), 0);
	assert_int_equal(vs_limit_parse_value(-1, "5", &v), -EINVAL);
	assert_int_equal(vs_limit_parse_value(VS_RLIMIT_NUM, "5", &v), -EINVAL);
	assert_string_equal(vs_limit_unit(RLIMIT_AS), "pages");
	assert_string_equal(vs_limit_unit(RLIMIT_FSIZE), "bytes");
	assert_string_equal(vs_limit_unit(VLIMIT_NSOCK), "");
	assert_null(vs_limit_unit(24));
}

static void cpu_share(void **state)
{
	uint64_t ppm, q, p;
	(void)state;

	assert_int_equal(vs_parse_cpu_share("50%", &ppm), 0);
	assert_int_equal(ppm, 500000);
	assert_int_equal(vs_parse_cpu_share("0.5", &ppm), 0);
	assert_int_equal(ppm, 500000);
	assert_int_equal(vs_parse_cpu_share(".25", &ppm), 0);
	assert_int_equal(ppm, 250000);
	assert_int_equal(vs_parse_cpu_share("2", &ppm), 0);
	assert_int_equal(ppm, 2000000);
	assert_int_equal(vs_parse_cpu_share("150%", &ppm), 0);
	assert_int_equal(ppm, 1500000);
	assert_int_equal(vs_parse_cpu_share("12.5%", &ppm), 0);
	assert_int_equal(ppm, 125000);
	assert_int_equal(vs_parse_cpu_share("0.1%", &ppm), 0);
	assert_int_equal(ppm, 1000);
	assert_int_equal(vs_parse_cpu_share("max", &ppm), 0);
	assert_true(ppm == UINT64_MAX);
	assert_int_equal(vs_parse_cpu_share("0.05%", &ppm), -ERANGE);
	assert_int_equal(vs_parse_cpu_share("0", &ppm), -ERANGE);
	assert_int_equal(vs_parse_cpu_share("2000", &ppm), -ERANGE);
	assert_int_equal(vs_parse_cpu_share("-1", &ppm), -EINVAL);
	assert_int_equal(vs_parse_cpu_share("half", &ppm), -EINVAL);
	assert_int_equal(vs_parse_cpu_share("5%%", &ppm), -EINVAL);
	assert_int_equal(vs_parse_cpu_share("0,5", &ppm), -EINVAL);
	assert_int_equal(vs_parse_cpu_share(".", &ppm), -EINVAL);
	assert_int_equal(vs_parse_cpu_share("", &ppm), -EINVAL);
	assert_int_equal(vs_parse_cpu_share("1.", &ppm), 0);
	assert_int_equal(ppm, 1000000);

	vs_cpu_max_from_ppm(500000, &q, &p);
	assert_int_equal(q, 50000);
	assert_int_equal(p, 100000);
	vs_cpu_max_from_ppm(2000000, &q, &p);
	assert_int_equal(q, 200000);
	assert_int_equal(p, 100000);
	/* below 1%: the longest period keeps the quota above 1 ms */
	vs_cpu_max_from_ppm(5000, &q, &p);
	assert_int_equal(q, 5000);
	assert_int_equal(p, 1000000);
	vs_cpu_max_from_ppm(UINT64_MAX, &q, &p);
	assert_true(q == UINT64_MAX);
}

static void token_bucket(void **state)
{
	uint64_t ppm;
	uint32_t w;
	(void)state;

	/* util-vserver: fill-rate tokens every interval ticks = that
	 * fraction of one CPU */
	assert_int_equal(vs_token_bucket_ppm(1, 4, &ppm), 0);
	assert_int_equal(ppm, 250000);
	assert_int_equal(vs_token_bucket_ppm(30, 100, &ppm), 0);
	assert_int_equal(ppm, 300000);
	assert_int_equal(vs_token_bucket_ppm(2, 1, &ppm), 0);
	assert_int_equal(ppm, 2000000);
	assert_int_equal(vs_token_bucket_ppm(1, 1000, &ppm), 0);
	assert_int_equal(ppm, 1000);
	assert_int_equal(vs_token_bucket_ppm(1, 1001, &ppm), -ERANGE);
	assert_int_equal(vs_token_bucket_ppm(0, 4, &ppm), -EINVAL);
	assert_int_equal(vs_token_bucket_ppm(1, 0, &ppm), -EINVAL);
	assert_int_equal(vs_token_bucket_ppm(5000, 1, &ppm), -ERANGE);

	assert_int_equal(vs_cpu_shares_to_weight(2, &w), 0);
	assert_int_equal(w, 1);
	assert_int_equal(vs_cpu_shares_to_weight(1024, &w), 0);
	assert_int_equal(w, 39);	/* systemd's mapping of the v1 default */
	assert_int_equal(vs_cpu_shares_to_weight(262144, &w), 0);
	assert_int_equal(w, 10000);
	assert_int_equal(vs_cpu_shares_to_weight(1, &w), -ERANGE);
	assert_int_equal(vs_cpu_shares_to_weight(262145, &w), -ERANGE);
}

/* ---- configuration ---------------------------------------------------------- */

struct fx {
	char *base;
	char gdir[512];
	struct vs_ctx *ctx;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->base = tu_mkdtemp();
	f->ctx = tu_ctx(f->base);
	snprintf(f->gdir, sizeof(f->gdir), "%s/etc/g1", f->base);
	mkdir(f->gdir, 0755);
	tu_write(f->gdir, "context", "42\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	tu_rm_rf(f->base);
	vs_ctx_unref(f->ctx);
	free(f->base);
	free(f);
	return 0;
}

static void w(struct fx *f, const char *rel, const char *content)
{
	tu_write(f->gdir, rel, content);
}

static struct vs_config *load_ok(struct fx *f)
{
	struct vs_config *c = NULL;
	int r = vs_config_load(f->ctx, "g1", &c);
	if (r < 0)
		fail_msg("load failed: %d %s", r, vs_ctx_errmsg(f->ctx));
	return c;
}

static void expect_fail(struct fx *f, const char *needle)
{
	struct vs_config *c = NULL;
	int r = vs_config_load(f->ctx, "g1", &c);
	if (r != -EINVAL || !strstr(vs_ctx_errmsg(f->ctx), needle))
		fail_msg("expected -EINVAL containing '%s', got %d: %s", needle, r,
			 vs_ctx_errmsg(f->ctx));
	assert_null(c);
}

static const char *cg_value(struct vs_cgset *s, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s[i].key, key))
			return s[i].value;
	return NULL;
}

static void config_rlimits(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;

	w(f, "rlimits/nproc", "100\n");
	w(f, "rlimits/nofile", "4096");
	w(f, "rlimits/nofile.soft", "1024");
	w(f, "rlimits/nsock.hard", "50");
	w(f, "rlimits/openfd", "inf");
	w(f, "rlimits/as", "1G");
	w(f, "rlimits/memlock.soft", "64K");
	w(f, "rlimits/memlock.hard", "128K");
	w(f, "rlimits/shmem.min", "0");
	w(f, "rlimits/17.soft", "10");	/* numeric id (openfd) */
	c = load_ok(f);
	assert_true(c->rlim[RLIMIT_NPROC].set);
	assert_int_equal(c->rlim[RLIMIT_NPROC].soft, 100);
	assert_int_equal(c->rlim[RLIMIT_NPROC].hard, 100);
	/* RES.soft beats RES whatever the directory order */
	assert_int_equal(c->rlim[RLIMIT_NOFILE].soft, 1024);
	assert_int_equal(c->rlim[RLIMIT_NOFILE].hard, 4096);
	assert_true(c->rlim[VLIMIT_NSOCK].soft == VS_LIMIT_INF);
	assert_int_equal(c->rlim[VLIMIT_NSOCK].hard, 50);
	assert_int_equal(c->rlim[VLIMIT_OPENFD].soft, 10);
	assert_true(c->rlim[VLIMIT_OPENFD].hard == VS_LIMIT_INF);
	assert_int_equal(c->rlim[RLIMIT_AS].hard, (1ULL << 30) / (uint64_t)sysconf(_SC_PAGESIZE));
	assert_int_equal(c->rlim[RLIMIT_MEMLOCK].soft, 65536);
	assert_int_equal(c->rlim[RLIMIT_MEMLOCK].hard, 131072);
	assert_true(c->rlim[VLIMIT_SHMEM].set);
	assert_true(c->rlim[VLIMIT_SHMEM].hard == VS_LIMIT_INF);
	assert_false(c->rlim[VLIMIT_DENTRY].set);
	assert_true(c->cg_required & VS_CG_PIDS);
	assert_null(c->lim.notes);
	vs_config_free(c);
}

static void config_rlimit_errors(void **state)
{
	struct fx *f = *state;
	char p[600];

	w(f, "rlimits/nofile.soft", "2000");
	w(f, "rlimits/nofile.hard", "1000");
	expect_fail(f, "soft limit (2000) is above the hard limit (1000)");
	snprintf(p, sizeof(p), "%s/rlimits", f->gdir);
	tu_rm_rf(p);
	w(f, "rlimits/nproc", "10K");
	expect_fail(f, "rlimits/nproc: '10K' is not a number or 'inf'");
	tu_rm_rf(p);
	w(f, "rlimits/rss", "lots");
	expect_fail(f, "size with K/M/G/T");
	tu_rm_rf(p);
	w(f, "rlimits/sockets", "5");
	expect_fail(f, "unknown limit");
	tu_rm_rf(p);
	w(f, "rlimits/nsock.maximum", "5");
	expect_fail(f, "unknown limit");
}

static void config_rlimit_min_noted(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;

	w(f, "rlimits/rss.min", "100");
	c = load_ok(f);
	assert_non_null(c->lim.notes);
	assert_non_null(strstr(c->lim.notes[0], "rlimits/rss.min"));
	assert_int_equal(c->rlim[RLIMIT_RSS].min, 100);
	vs_config_free(c);
}

static void config_memory_cpu(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;
	struct vs_cgset set[16];
	size_t n;

	w(f, "limits/memory", "256M\n");
	w(f, "limits/memory-soft", "200M");
	w(f, "limits/swap", "0");
	w(f, "limits/cpu", "50%");
	w(f, "limits/cpu-weight", "200");
	w(f, "rlimits/nproc", "64");
	c = load_ok(f);
	assert_int_equal(c->cg_required, VS_CG_MEMORY | VS_CG_PIDS | VS_CG_CPU);
	assert_int_equal(vs_limits_cgroup(c, VS_BACKEND_NS, 0, set, 16, &n), 0);
	assert_int_equal(n, 6);
	assert_string_equal(cg_value(set, n, "pids.max"), "64");
	assert_string_equal(cg_value(set, n, "memory.max"), "268435456");
	assert_string_equal(cg_value(set, n, "memory.high"), "209715200");
	assert_string_equal(cg_value(set, n, "memory.swap.max"), "0");
	assert_string_equal(cg_value(set, n, "cpu.max"), "50000 100000");
	assert_string_equal(cg_value(set, n, "cpu.weight"), "200");
	/* every generated value passes the cgroup validator */
	for (size_t i = 0; i < n; i++) {
		unsigned ctl;
		char err[200];
		assert_int_equal(vs_cg_setting_check(set[i].key, set[i].value, &ctl, err,
						     sizeof(err)), 0);
	}
	/* on vx, a kernel that limits nproc per context gets no pids.max */
	assert_int_equal(vs_limits_cgroup(c, VS_BACKEND_VX, 0x004B14C0, set, 16, &n), 0);
	assert_int_equal(n, 5);
	assert_null(cg_value(set, n, "pids.max"));
	assert_int_equal(vs_limits_cgroup(c, VS_BACKEND_VX, 0, set, 16, &n), 0);
	assert_string_equal(cg_value(set, n, "pids.max"), "64");
	/* too small an output array */
	assert_int_equal(vs_limits_cgroup(c, VS_BACKEND_NS, 0, set, 2, &n), -E2BIG);
	vs_config_free(c);
}

static void config_rss_and_unlimited(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;
	struct vs_cgset set[16];
	size_t n;
	char want[32];

	w(f, "rlimits/rss", "1000");
	w(f, "rlimits/nproc", "inf");
	w(f, "limits/cpu", "max");
	w(f, "limits/memory", "inf");
	expect_fail(f, "memory limit is set more than once");
	w(f, "rlimits/rss", "inf");
	c = load_ok(f);
	assert_int_equal(vs_limits_cgroup(c, VS_BACKEND_NS, 0, set, 16, &n), 0);
	assert_string_equal(cg_value(set, n, "pids.max"), "max");
	assert_string_equal(cg_value(set, n, "memory.max"), "max");
	assert_string_equal(cg_value(set, n, "cpu.max"), "max 100000");
	vs_config_free(c);
	{
		char p[600];
		snprintf(p, sizeof(p), "%s/limits", f->gdir);
		tu_rm_rf(p);
	}
	w(f, "rlimits/rss", "1000");
	c = load_ok(f);
	assert_int_equal(vs_limits_cgroup(c, VS_BACKEND_NS, 0, set, 16, &n), 0);
	snprintf(want, sizeof(want), "%llu", 1000ULL * (unsigned long long)sysconf(_SC_PAGESIZE));
	assert_string_equal(cg_value(set, n, "memory.max"), want);
	vs_config_free(c);
}

static void config_token_bucket(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;
	struct vs_cgset set[16];
	size_t n;

	w(f, "sched/fill-rate", "1\n");
	w(f, "sched/interval", "4\n");
	w(f, "sched/tokens-max", "500");
	w(f, "sched/priority-bias", "2");
	w(f, "sched/0/fill-rate", "1");
	c = load_ok(f);
	assert_true(c->lim.cpu_set);
	assert_int_equal(c->lim.cpu_ppm, 250000);
	assert_string_equal(c->lim.cpu_from, "sched/fill-rate");
	assert_int_equal(vs_limits_cgroup(c, VS_BACKEND_NS, 0, set, 16, &n), 0);
	assert_string_equal(cg_value(set, n, "cpu.max"), "25000 100000");
	/* the parts without an equivalent are reported */
	assert_int_equal(vs_strv_len(c->lim.notes), 3);
	{
		bool tok = false, per = false, bias = false;
		for (char **p = c->lim.notes; *p; p++) {
			tok |= strstr(*p, "sched/tokens-max") != NULL;
			per |= strstr(*p, "sched/0/") != NULL;
			bias |= strstr(*p, "sched/priority-bias") != NULL;
		}
		assert_true(tok && per && bias);
	}
	vs_config_free(c);
}

static void config_limit_errors(void **state)
{
	struct fx *f = *state;
	char p[600];

	struct { const char *file, *value, *msg; } bad[] = {
		{ "limits/memory", "lots", "not a size" },
		{ "limits/swap", "-5", "not a size" },
		{ "limits/cpu", "0.01%", "not a CPU share" },
		{ "limits/cpu", "fast", "not a CPU share" },
		{ "limits/cpu-weight", "0", "not in 1..10000" },
		{ "limits/cpu-weight", "10001", "not in 1..10000" },
		{ "limits/cpu-shares", "1", "not in 2..262144" },
		{ "limits/cpus", "1", "unknown setting" },
		{ "sched/fill-rate", "1", "without sched/interval" },
		{ "sched/interval", "4", "without sched/fill-rate" },
		{ "sched/bogus", "4", "sched/bogus: unknown setting" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		w(f, bad[i].file, bad[i].value);
		expect_fail(f, bad[i].msg);
		snprintf(p, sizeof(p), "%s/limits", f->gdir);
		tu_rm_rf(p);
		snprintf(p, sizeof(p), "%s/sched", f->gdir);
		tu_rm_rf(p);
	}
	w(f, "sched/fill-rate", "1");
	w(f, "sched/interval", "5000");
	expect_fail(f, "below 0.1% of a CPU");
	w(f, "sched/interval", "x");
	expect_fail(f, "must be positive numbers");
	w(f, "sched/interval", "4");
	w(f, "limits/cpu", "50%");
	expect_fail(f, "limits/cpu and sched/fill-rate+interval are both set");
	snprintf(p, sizeof(p), "%s/sched", f->gdir);
	tu_rm_rf(p);
	w(f, "cgroup/cpu.max", "10000 100000");
	expect_fail(f, "limits/cpu and cgroup/cpu.max are both set");
	snprintf(p, sizeof(p), "%s/cgroup", f->gdir);
	tu_rm_rf(p);
	snprintf(p, sizeof(p), "%s/limits", f->gdir);
	tu_rm_rf(p);
	w(f, "limits/cpu-weight", "100");
	w(f, "limits/cpu-shares", "1024");
	expect_fail(f, "both set");
	tu_rm_rf(p);
	w(f, "limits/memory", "1G");
	w(f, "cgroup/memory.max", "1G");
	expect_fail(f, "memory limit is set more than once");
	tu_rm_rf(p);
	snprintf(p, sizeof(p), "%s/cgroup", f->gdir);
	tu_rm_rf(p);
	w(f, "rlimits/nproc", "10");
	w(f, "cgroup/pids.max", "10");
	expect_fail(f, "rlimits/nproc and cgroup/pids.max are both set");
}

static void enforcement_report(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;
	char **un = NULL;
	const uint32_t vs23 = 0x004B14C0;	/* ABI §3.13 */

	w(f, "rlimits/nproc", "100");
	w(f, "rlimits/nofile", "100");
	w(f, "rlimits/nsock", "10");
	w(f, "rlimits/dentry", "1000");
	w(f, "rlimits/anon", "inf");	/* asks for nothing: not reported */
	w(f, "rlimits/semary", "5");
	c = load_ok(f);
	assert_int_equal(vs_limit_via(RLIMIT_NPROC, VS_BACKEND_NS, 0), VS_VIA_CGROUP);
	assert_int_equal(vs_limit_via(RLIMIT_NOFILE, VS_BACKEND_NS, 0), VS_VIA_PROCESS);
	assert_int_equal(vs_limit_via(VLIMIT_NSOCK, VS_BACKEND_NS, 0), VS_VIA_NONE);
	assert_int_equal(vs_limit_via(RLIMIT_NPROC, VS_BACKEND_VX, vs23), VS_VIA_CONTEXT);
	assert_int_equal(vs_limit_via(RLIMIT_NOFILE, VS_BACKEND_VX, vs23), VS_VIA_CONTEXT);
	assert_int_equal(vs_limit_via(RLIMIT_AS, VS_BACKEND_VX, vs23), VS_VIA_PROCESS);
	assert_int_equal(vs_limit_via(RLIMIT_RSS, VS_BACKEND_VX, vs23), VS_VIA_CGROUP);
	assert_int_equal(vs_limit_via(VLIMIT_SEMARY, VS_BACKEND_VX, vs23), VS_VIA_NONE);
	assert_int_equal(vs_limit_via(VLIMIT_SEMARY, VS_BACKEND_VX, vs23 | (1U << 20)),
			 VS_VIA_CONTEXT);

	assert_int_equal(vs_limits_unenforced(c, VS_BACKEND_NS, 0, &un), 0);
	assert_int_equal(vs_strv_len(un), 3);	/* nsock, semary, dentry */
	assert_non_null(strstr(un[0], "rlimits/nsock"));
	assert_non_null(strstr(un[0], "needs the vx kernel"));
	vs_strv_free(un);
	un = NULL;
	assert_int_equal(vs_limits_unenforced(c, VS_BACKEND_VX, vs23, &un), 0);
	assert_int_equal(vs_strv_len(un), 1);	/* semary: accounting only in vs2.3 */
	assert_non_null(strstr(un[0], "rlimits/semary"));
	vs_strv_free(un);
	un = NULL;
	assert_int_equal(vs_limits_unenforced(c, VS_BACKEND_VX, vs23 | (1U << 20), &un), 0);
	assert_null(un);
	vs_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(value_units),
		cmocka_unit_test(cpu_share),
		cmocka_unit_test(token_bucket),
		cmocka_unit_test_setup_teardown(config_rlimits, setup, teardown),
		cmocka_unit_test_setup_teardown(config_rlimit_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(config_rlimit_min_noted, setup, teardown),
		cmocka_unit_test_setup_teardown(config_memory_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(config_rss_and_unlimited, setup, teardown),
		cmocka_unit_test_setup_teardown(config_token_bucket, setup, teardown),
		cmocka_unit_test_setup_teardown(config_limit_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(enforcement_report, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
