/* Guest configuration: loading every supported file, the trust rules (no
 * links, root-owned, not group/world-writable), and bad values of each kind. */
#include "testutil.h"

#include <dirent.h>
#include <linux/vserver.h>
#include <signal.h>
#include <sys/socket.h>

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

static int load(struct fx *f, struct vs_config **c)
{
	return vs_config_load(f->ctx, "g1", c);
}

static void expect_fail(struct fx *f, int err, const char *needle)
{
	struct vs_config *c = NULL;
	int r = load(f, &c);
	if (r != err || !strstr(vs_ctx_errmsg(f->ctx), needle))
		fail_msg("expected %d containing '%s', got %d: %s", err, needle, r,
			 vs_ctx_errmsg(f->ctx));
	assert_null(c);
}

static void full_config(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;
	char vdir[600];

	w(f, "ncontext", "43");
	w(f, "backend", "ns\n");
	w(f, "uts/nodename", "web.example.org\n");
	w(f, "uts/domainname", "example.org");
	w(f, "bcapabilities", "NET_RAW\n!CHOWN\n");
	w(f, "ccapabilities", "set_utsname");
	w(f, "flags", "virt_mem\nhide_mount");
	w(f, "nflags", "hide_netif");
	w(f, "ncapabilities", "raw_icmp");
	w(f, "rlimits/nproc", "100");
	w(f, "rlimits/nofile.soft", "512");
	w(f, "rlimits/nofile.hard", "1024");
	w(f, "rlimits/as.min", "0");
	w(f, "cgroup/memory.max", "256M");
	w(f, "interfaces/0/ip", "192.0.2.10");
	w(f, "interfaces/0/prefix", "24");
	w(f, "interfaces/0/dev", "eth0");
	w(f, "interfaces/1/ip", "2001:db8::10");
	w(f, "interfaces/1/name", "v6");
	w(f, "interfaces/2/ip", "192.0.2.11");
	w(f, "interfaces/2/disabled", "");
	w(f, "spaces/net", "");
	w(f, "apps/init/style", "minit\n");
	w(f, "apps/init/cmd.start", "/bin/sh\n-c\nexec sleep 1000\n");
	w(f, "apps/init/cmd.stop", "/bin/true\n");
	w(f, "apps/init/mark", "default\n");
	w(f, "apps/init/stop-signal", "PWR");
	w(f, "apps/init/stop-timeout", "3s");
	w(f, "fstab", "none /tmp tmpfs defaults 0 0\n");
	w(f, "unknown-file-from-util-vserver", "ignored");

	assert_int_equal(load(f, &c), 0);
	assert_int_equal(c->xid, 42);
	assert_int_equal(c->nid, 43);
	assert_int_equal(c->backend, VS_BACKEND_NS);
	snprintf(vdir, sizeof(vdir), "%s/vservers/g1", f->base);
	assert_string_equal(c->vdir, vdir);
	assert_string_equal(c->uts[VHIN_NODENAME], "web.example.org");
	assert_string_equal(c->uts[VHIN_DOMAINNAME], "example.org");
	assert_null(c->uts[VHIN_SYSNAME]);
	assert_true(c->bcaps_on == 1ULL << 13);
	assert_true(c->bcaps_off == 1ULL << 0);
	assert_true(c->ccaps_on == VXC_SET_UTSNAME);
	assert_true(c->cflags_on == (VXF_VIRT_MEM | VXF_HIDE_MOUNT));
	assert_true(c->nflags_on == NXF_HIDE_NETIF);
	assert_true(c->ncaps_on == NXC_RAW_ICMP);
	assert_true(c->rlim[6].set && c->rlim[6].soft == 100 && c->rlim[6].hard == 100);
	assert_true(c->rlim[7].set && c->rlim[7].soft == 512 && c->rlim[7].hard == 1024);
	assert_true(c->rlim[9].set && c->rlim[9].hard == VS_LIMIT_INF);
	assert_false(c->rlim[16].set);
	assert_int_equal(c->n_cg, 1);	/* pids.max comes from rlimits/nproc */
	assert_int_equal(c->cg_required, VS_CG_MEMORY | VS_CG_PIDS);
	assert_int_equal(c->n_ifaces, 2);
	for (size_t i = 0; i < c->n_ifaces; i++) {
		if (c->ifaces[i].family == AF_INET) {
			assert_string_equal(c->ifaces[i].dev, "eth0");
			assert_int_equal(c->ifaces[i].prefix, 24);
			assert_string_equal(c->ifaces[i].name, "0");
		} else {
			assert_string_equal(c->ifaces[i].name, "v6");
			assert_int_equal(c->ifaces[i].prefix, 128);
		}
	}
	assert_true(c->netns);
	assert_int_equal(c->initstyle, VS_INIT_MINIT);
	assert_int_equal(vs_strv_len(c->cmd_start), 3);
	assert_string_equal(c->cmd_start[2], "exec sleep 1000");
	assert_string_equal(c->cmd_stop[0], "/bin/true");
	assert_string_equal(c->mark, "default");
	assert_int_equal(c->stop_signal, SIGPWR);
	assert_int_equal(c->stop_timeout_ms, 3000);
	assert_non_null(strstr(c->fstab, "tmpfs"));
	assert_false(c->incomplete);
	vs_config_free(c);
}

static void defaults(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;
	assert_int_equal(load(f, &c), 0);
	assert_int_equal(c->nid, 42);
	assert_int_equal(c->backend, VS_BACKEND_AUTO);
	assert_int_equal(c->initstyle, VS_INIT_PLAIN);
	assert_int_equal(c->stop_signal, SIGTERM);
	assert_int_equal(c->stop_timeout_ms, 10000);
	assert_false(c->netns);
	assert_int_equal(c->n_ifaces, 0);
	vs_config_free(c);
	w(f, VS_INCOMPLETE_MARK, "");
	assert_int_equal(load(f, &c), 0);
	assert_true(c->incomplete);
	vs_config_free(c);
}

static void network(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;

	/* nodev: the address is the guest's, but goes on no host device */
	w(f, "interfaces/0/ip", "192.0.2.10");
	w(f, "interfaces/0/dev", "eth0");
	w(f, "interfaces/0/nodev", "");
	w(f, "interfaces/1/ip", "192.0.2.11");
	w(f, "interfaces/1/mask", "255.255.255.0");
	w(f, "interfaces/1/dev", "eth1");
	w(f, "interfaces/lback", "127.0.9.1\n");
	assert_int_equal(load(f, &c), 0);
	assert_int_equal(c->n_ifaces, 2);
	for (size_t i = 0; i < 2; i++) {
		if (!strcmp(c->ifaces[i].name, "0")) {
			assert_string_equal(c->ifaces[i].dev, "");
			assert_int_equal(c->ifaces[i].prefix, 32);
		} else {
			assert_string_equal(c->ifaces[i].dev, "eth1");
			assert_int_equal(c->ifaces[i].prefix, 24);
		}
	}
	assert_true(c->lback_set);
	assert_memory_equal(c->lback, "\x7f\x00\x09\x01", 4);
	vs_config_free(c);
	/* one address twice is refused, whatever the prefix or device */
	w(f, "interfaces/2/ip", "192.0.2.11");
	w(f, "interfaces/2/prefix", "32");
	expect_fail(f, -EINVAL, "configured twice");
	/* a bad prefix is refused */
	w(f, "interfaces/2/ip", "2001:db8::1");
	w(f, "interfaces/2/prefix", "129");
	expect_fail(f, -EINVAL, "interfaces/2");
}

static void vdir_link(void **state)
{
	struct fx *f = *state;
	struct vs_config *c;
	char p[600];

	snprintf(p, sizeof(p), "%s/vdir", f->gdir);
	assert_int_equal(symlink("/srv/guests/g1/", p), 0);
	assert_int_equal(load(f, &c), 0);
	assert_string_equal(c->vdir, "/srv/guests/g1");
	vs_config_free(c);
	unlink(p);
	assert_int_equal(symlink("relative/dir", p), 0);
	expect_fail(f, -EINVAL, "vdir");
	unlink(p);
	assert_int_equal(symlink("/", p), 0);
	expect_fail(f, -EINVAL, "host's root");
	unlink(p);
	assert_int_equal(symlink("/srv/../etc", p), 0);
	expect_fail(f, -EINVAL, "vdir");
	unlink(p);
	w(f, "vdir", "/srv/plain-file-form\n");
	assert_int_equal(load(f, &c), 0);
	assert_string_equal(c->vdir, "/srv/plain-file-form");
	vs_config_free(c);
}

static void trust_links(void **state)
{
	struct fx *f = *state;
	char p[600], q[600];

	/* a symlinked value file */
	tu_write(f->base, "elsewhere/style", "plain\n");
	snprintf(p, sizeof(p), "%s/elsewhere/style", f->base);
	w(f, "apps/init/mark", "x");
	snprintf(q, sizeof(q), "%s/apps/init/style", f->gdir);
	assert_int_equal(symlink(p, q), 0);
	expect_fail(f, -ELOOP, "symbolic link");
	unlink(q);
	/* a symlinked directory on the way */
	snprintf(p, sizeof(p), "%s/elsewhere", f->base);
	snprintf(q, sizeof(q), "%s/uts", f->gdir);
	assert_int_equal(symlink(p, q), 0);
	expect_fail(f, -ELOOP, "uts");
	unlink(q);
	/* a symlinked guest directory */
	snprintf(q, sizeof(q), "%s/etc/g2", f->base);
	assert_int_equal(symlink(f->gdir, q), 0);
	{
		struct vs_config *c = NULL;
		assert_int_equal(vs_config_load(f->ctx, "g2", &c), -ELOOP);
	}
}

static void trust_modes(void **state)
{
	struct fx *f = *state;
	char p[600];

	snprintf(p, sizeof(p), "%s/context", f->gdir);
	chmod(p, 0664);
	expect_fail(f, -EPERM, "writable by group or others");
	chmod(p, 0646);
	expect_fail(f, -EPERM, "writable by group or others");
	chmod(p, 0644);
	w(f, "rlimits/nproc", "10");
	snprintf(p, sizeof(p), "%s/rlimits", f->gdir);
	chmod(p, 0777);
	expect_fail(f, -EPERM, "rlimits");
	chmod(p, 0755);
	chmod(f->gdir, 0775);
	expect_fail(f, -EPERM, "writable");
	chmod(f->gdir, 0755);
	/* owner: pretend the trusted owner is somebody else */
	f->ctx->owner = geteuid() + 1;
	expect_fail(f, -EPERM, "owned by uid");
	f->ctx->owner = geteuid();
}

static void trust_special_files(void **state)
{
	struct fx *f = *state;
	char p[600];

	snprintf(p, sizeof(p), "%s/flags", f->gdir);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_fail(f, -EINVAL, "not a regular file");	/* and did not hang */
	unlink(p);
	mkdir(p, 0755);
	expect_fail(f, -EINVAL, "not a regular file");
	rmdir(p);
}

static void bad_values(void **state)
{
	struct fx *f = *state;
	struct { const char *file, *value, *needle; int err; } cases[] = {
		{ "context", "abc", "not a context id", -EINVAL },
		{ "context", "1", "not a context id", -EINVAL },
		{ "context", "49152", "not a context id", -EINVAL },
		{ "ncontext", "-3", "not a context id", -EINVAL },
		{ "backend", "kvm", "backend", -EINVAL },
		{ "flags", "virt_mem,bogus", "unknown context flag 'bogus'", -EINVAL },
		{ "bcapabilities", "CAP_FLY", "unknown capability", -EINVAL },
		{ "ccapabilities", "^99", "bit number", -EINVAL },
		{ "nflags", "virt_mem", "unknown network flag", -EINVAL },
		{ "rlimits/procs", "10", "unknown limit", -EINVAL },
		{ "rlimits/nproc.max", "10", "unknown limit", -EINVAL },
		{ "rlimits/nproc", "ten", "not a number", -EINVAL },
		{ "rlimits/nofile.soft", "-5", "not a number", -EINVAL },
		{ "cgroup/cgroup.procs", "1", "unsupported setting", -EINVAL },
		{ "cgroup/memory.max", "huge", "not a size", -EINVAL },
		{ "cgroup/cpuset.cpus", "0-1", "unsupported", -EINVAL },
		{ "interfaces/0/ip", "300.1.1.1", "interfaces/0", -EINVAL },
		{ "interfaces/0/prefix", "24", "no ip file", -EINVAL },
		{ "interfaces/lback", "10.0.0.1", "127.0.0.0/8", -EINVAL },
		{ "interfaces/lback", "127.0.0.300", "127.0.0.0/8", -EINVAL },
		{ "ncapabilities", "hide_netif", "unknown network capability", -EINVAL },
		{ "nflags", "^70", "bit number", -EINVAL },
		{ "apps/init/style", "upstart", "unknown init style", -EINVAL },
		{ "apps/init/style", "minit", "cmd.start", -EINVAL },
		{ "apps/init/stop-signal", "KILL", "stop-signal", -EINVAL },
		{ "apps/init/stop-signal", "NOPE", "stop-signal", -EINVAL },
		{ "apps/init/stop-timeout", "forever", "stop-timeout", -EINVAL },
		{ "uts/nodename", "bad host name", "not a valid host name", -EINVAL },
		{ "uts/nodename", "evil\x1b[31m", "printable", -EINVAL },
		{ "uts/domainname", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "64", -EINVAL },
		{ "apps/init/mark", "a\x01", "printable", -EINVAL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char p[700];
		w(f, cases[i].file, cases[i].value);
		expect_fail(f, cases[i].err, cases[i].needle);
		snprintf(p, sizeof(p), "%s/%s", f->gdir, cases[i].file);
		unlink(p);
		/* remove the directories the case created, deepest first */
		for (char *s = strrchr(p, '/'); s && s > p + strlen(f->gdir); s = strrchr(p, '/')) {
			*s = '\0';
			rmdir(p);
		}
		w(f, "context", "42");
	}
}

/* unify/: an overlay guest's layers are checked before a start mounts them */
static void unify_keys(void **state)
{
	struct fx *f = *state;
	struct vs_config *c = NULL;

	w(f, "unify/mode", "reflink\n");
	assert_int_equal(load(f, &c), 0);
	assert_null(c->ov_lower);
	vs_config_free(c);

	w(f, "unify/mode", "overlay\n");
	w(f, "unify/base", "/vservers/.unify/base/tpl\n");
	w(f, "unify/upper", "/vservers/.unify/guest/g1/upper\n");
	expect_fail(f, -EINVAL, "missing");
	w(f, "unify/work", "/vservers/.unify/guest/g1/work\n");
	assert_int_equal(load(f, &c), 0);
	assert_string_equal(c->ov_lower, "/vservers/.unify/base/tpl");
	assert_string_equal(c->ov_upper, "/vservers/.unify/guest/g1/upper");
	assert_string_equal(c->ov_work, "/vservers/.unify/guest/g1/work");
	vs_config_free(c);

	/* overlayfs would read ',' and ':' as more options or layers */
	w(f, "unify/upper", "/vservers/x,lowerdir=/etc\n");
	expect_fail(f, -EINVAL, "without '.', '..', ',', ':'");
	w(f, "unify/upper", "/vservers/a:/b\n");
	expect_fail(f, -EINVAL, "without '.', '..', ',', ':'");
	w(f, "unify/upper", "relative/upper\n");
	expect_fail(f, -EINVAL, "absolute paths");
	w(f, "unify/upper", "/vservers/.unify/guest/g1/upper\n");
	w(f, "unify/mode", "hardlink\n");
	expect_fail(f, -EINVAL, "not reflink or overlay");
}

static void big_and_nul(void **state)
{
	struct fx *f = *state;
	char *big = malloc(70000);
	char p[600];
	FILE *fp;

	memset(big, 'a', 69999);
	big[69999] = '\0';
	w(f, "flags", big);
	free(big);
	expect_fail(f, -EFBIG, "larger than");
	snprintf(p, sizeof(p), "%s/flags", f->gdir);
	fp = fopen(p, "w");
	fwrite("virt_mem\0hide_mount", 1, 19, fp);
	fclose(fp);
	expect_fail(f, -EINVAL, "NUL bytes");
}

static void missing_and_invalid(void **state)
{
	struct fx *f = *state;
	struct vs_config *c = NULL;
	assert_int_equal(vs_config_load(f->ctx, "nosuch", &c), -ENOENT);
	assert_non_null(strstr(vs_ctx_errmsg(f->ctx), "does not exist"));
	assert_int_equal(vs_config_load(f->ctx, "../etc", &c), -EINVAL);
	assert_non_null(strstr(vs_ctx_errmsg(f->ctx), "not a valid guest name"));
	assert_int_equal(vs_config_load(f->ctx, "", &c), -EINVAL);
	assert_null(c);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")))
			n++;
	closedir(d);
	return n;
}

static void set_get_unset(void **state)
{
	struct fx *f = *state;
	char *v = NULL, p[700];
	struct stat st;

	assert_int_equal(vs_config_set(f->ctx, "g1", "uts/nodename", "host1"), 0);
	assert_int_equal(vs_config_get(f->ctx, "g1", "uts/nodename", &v), 0);
	assert_string_equal(v, "host1");
	free(v);
	snprintf(p, sizeof(p), "%s/uts/nodename", f->gdir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* replacing keeps exactly one file, no temporary left behind */
	assert_int_equal(vs_config_set(f->ctx, "g1", "uts/nodename", "host2\n"), 0);
	snprintf(p, sizeof(p), "%s/uts", f->gdir);
	assert_int_equal(count_entries(p), 1);
	assert_int_equal(vs_config_get(f->ctx, "g1", "uts/nodename", &v), 0);
	assert_string_equal(v, "host2");
	free(v);
	assert_int_equal(vs_config_unset(f->ctx, "g1", "uts/nodename"), 0);
	assert_int_equal(vs_config_get(f->ctx, "g1", "uts/nodename", &v), -ENOENT);
	assert_int_equal(vs_config_unset(f->ctx, "g1", "uts/nodename"), 0);
	const char *badkeys[] = { "../x", "/etc/passwd", "a/../b", ".hidden", "a//b", "a/",
				  "", "a b", "uts/.nodename", "x\n" };
	for (size_t i = 0; i < sizeof(badkeys) / sizeof(badkeys[0]); i++) {
		assert_int_equal(vs_config_set(f->ctx, "g1", badkeys[i], "x"), -EINVAL);
		assert_int_equal(vs_config_get(f->ctx, "g1", badkeys[i], &v), -EINVAL);
	}
	assert_int_equal(vs_config_set(f->ctx, "bad/name", "context", "5"), -EINVAL);
	/* writing through a symlinked directory is refused */
	{
		char q[700];
		snprintf(q, sizeof(q), "%s/apps", f->gdir);
		assert_int_equal(symlink(f->base, q), 0);
		assert_int_equal(vs_config_set(f->ctx, "g1", "apps/init/style", "plain"), -ELOOP);
		snprintf(q, sizeof(q), "%s/init/style", f->base);
		assert_int_not_equal(access(q, F_OK), 0);
	}
}

static void listing(void **state)
{
	struct fx *f = *state;
	char p[600];
	char **names;

	snprintf(p, sizeof(p), "%s/etc/b-guest", f->base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/.hidden", f->base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/A", f->base);
	mkdir(p, 0755);
	tu_write(f->base, "etc/file", "x");
	assert_int_equal(vs_guest_list(f->ctx, &names), 0);
	assert_int_equal(vs_strv_len(names), 3);
	assert_string_equal(names[0], "A");
	assert_string_equal(names[1], "b-guest");
	assert_string_equal(names[2], "g1");
	vs_strv_free(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(full_config, setup, teardown),
		cmocka_unit_test_setup_teardown(defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(network, setup, teardown),
		cmocka_unit_test_setup_teardown(vdir_link, setup, teardown),
		cmocka_unit_test_setup_teardown(trust_links, setup, teardown),
		cmocka_unit_test_setup_teardown(trust_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(trust_special_files, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(unify_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(big_and_nul, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_and_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(set_get_unset, setup, teardown),
		cmocka_unit_test_setup_teardown(listing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
