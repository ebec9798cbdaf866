/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state, kill, delete, ps, pause, resume, list, features. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <sys/capability.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

int oci_kill(struct oci_state *st, int sig, bool all)
{
	enum oci_status s = oci_state_status(st);
	int fd;

	if (s == ST_STOPPED || s == ST_CREATING)
		return oci_err(-ESRCH, "container %s is %s: nothing to signal", st->id,
			       oci_status_name(s));
	if (all)
		return oci_cgroup_kill_all(st, sig) < 0 ?
			oci_err(-errno, "cannot signal the container's processes") : 0;
	/* pidfd, then the start time again: the pid cannot be reused between
	 * the check and the signal */
	fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0 || oci_state_status(st) == ST_STOPPED) {
		if (fd >= 0)
			close(fd);
		return oci_err(-ESRCH, "container %s: its init is gone", st->id);
	}
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0) {
		int e = errno;
		close(fd);
		return oci_err(-e, "cannot signal the init: %s", strerror(e));
	}
	close(fd);
	return 0;
}

static bool cgroup_empty(const struct oci_state *st)
{
	pid_t *p;
	size_t n = 0;

	if (oci_cgroup_pids(st, &p, &n) < 0)
		return true;
	free(p);
	return n == 0;
}

int oci_delete(struct oci_state *st, bool force)
{
	enum oci_status s = oci_state_status(st);
	struct oci_spec spec;
	char cfg[PATH_MAX];
	bool have_spec;

	if ((s == ST_RUNNING || s == ST_PAUSED) && !force)
		return oci_err(-EBUSY, "container %s is %s: stop it first, or delete --force",
			       st->id, oci_status_name(s));
	if (s != ST_STOPPED || !cgroup_empty(st)) {
		/* a frozen cgroup's processes die only when thawed */
		if (oci_cgroup_frozen(st))
			oci_cgroup_freeze(st, false);
		for (int i = 0; i < 500 && !cgroup_empty(st); i++) {
			oci_cgroup_kill_all(st, SIGKILL);
			usleep(10000);
		}
		if (!cgroup_empty(st))
			return oci_err(-EBUSY, "container %s: processes survive SIGKILL", st->id);
	}
	snprintf(cfg, sizeof(cfg), "%s/config.json", st->dir);
	have_spec = st->bundle && oci_spec_load(st->bundle, cfg, &spec) == 0;
	oci_cgroup_remove(st);
	if (have_spec) {
		/* the spec: a failing poststop hook is a warning */
		if (oci_run_hooks(&spec, HOOK_POSTSTOP, st, ST_STOPPED) < 0)
			oci_warn("%s", oci_errmsg);
		oci_spec_free(&spec);
	}
	oci_barrier_release(st);
	return oci_state_remove(st);
}

int oci_ps(struct oci_state *st, bool json)
{
	pid_t *p;
	size_t n;
	int r = oci_cgroup_pids(st, &p, &n);

	if (r < 0)
		return r;
	if (json) {
		struct json_object *a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, json_object_new_int(p[i]));
		printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
		json_object_put(a);
	} else {
		printf("PID\tCMD\n");
		for (size_t i = 0; i < n; i++) {
			char path[64], cmd[256] = "";
			FILE *f;
			snprintf(path, sizeof(path), "/proc/%d/comm", p[i]);
			if ((f = fopen(path, "re"))) {
				if (fgets(cmd, sizeof(cmd), f))
					cmd[strcspn(cmd, "\n")] = '\0';
				fclose(f);
			}
			printf("%d\t%s\n", p[i], cmd);
		}
	}
	free(p);
	return 0;
}

int oci_pause(struct oci_state *st, bool pause)
{
	enum oci_status s = oci_state_status(st);

	if (pause && s != ST_RUNNING)
		return oci_err(-EINVAL, "container %s is %s, not running: cannot pause it",
			       st->id, oci_status_name(s));
	if (!pause && s != ST_PAUSED)
		return oci_err(-EINVAL, "container %s is %s, not paused: cannot resume it",
			       st->id, oci_status_name(s));
	return oci_cgroup_freeze(st, pause);
}

static struct json_object *strs(const char *const *v)
{
	struct json_object *a = json_object_new_array();

	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

void oci_features(void)
{
	static const char *const hooks[] = { "prestart", "createRuntime", "poststart",
		"poststop", NULL };
	static const char *const mopts[] = { "async", "atime", "bind", "defaults", "dev",
		"diratime", "dirsync", "exec", "mand", "noatime", "nodev", "nodiratime", "noexec",
		"nomand", "norelatime", "nostrictatime", "nosuid", "private", "rbind", "relatime",
		"remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw", "shared",
		"slave", "strictatime", "suid", "sync", "tmpcopyup", "unbindable", NULL };
	static const char *const ns[] = { "cgroup", "ipc", "mount", "network", "pid", "uts",
		NULL };
	static const char *const acts[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
		"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
		"SCMP_ACT_TRACE", "SCMP_ACT_TRAP", NULL };
	static const char *const ops[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
		"SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL };
	static const char *const archs[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
		"SCMP_ARCH_X32", NULL };
	static const char *const flags[] = { "SECCOMP_FILTER_FLAG_LOG", NULL };
	struct json_object *o = json_object_new_object(), *lin = json_object_new_object();
	struct json_object *cg = json_object_new_object(), *sc = json_object_new_object();
	struct json_object *caps = json_object_new_array(), *ann = json_object_new_object();
	struct json_object *aa = json_object_new_object(), *se = json_object_new_object();

	json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(o, "ociVersionMax", json_object_new_string(OCI_VERSION));
	json_object_object_add(o, "hooks", strs(hooks));
	json_object_object_add(o, "mountOptions", strs(mopts));
	json_object_object_add(lin, "namespaces", strs(ns));
	for (int i = 0; i <= CAP_LAST_CAP; i++) {
		char *n = cap_to_name(i), u[40];
		size_t k;
		for (k = 0; n && n[k] && k < sizeof(u) - 1; k++)
			u[k] = (char)toupper((unsigned char)n[k]);
		u[k] = '\0';
		cap_free(n);
		json_object_array_add(caps, json_object_new_string(u));
	}
	json_object_object_add(lin, "capabilities", caps);
	json_object_object_add(cg, "v1", json_object_new_boolean(1));
	json_object_object_add(cg, "v2", json_object_new_boolean(1));
	json_object_object_add(cg, "systemd", json_object_new_boolean(0));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
	json_object_object_add(cg, "rdma", json_object_new_boolean(0));
	json_object_object_add(lin, "cgroup", cg);
	json_object_object_add(sc, "enabled", json_object_new_boolean(1));
	json_object_object_add(sc, "actions", strs(acts));
	json_object_object_add(sc, "operators", strs(ops));
	json_object_object_add(sc, "archs", strs(archs));
	json_object_object_add(sc, "knownFlags", strs(flags));
	json_object_object_add(sc, "supportedFlags", strs(flags));
	json_object_object_add(lin, "seccomp", sc);
	json_object_object_add(aa, "enabled", json_object_new_boolean(1));
	json_object_object_add(lin, "apparmor", aa);
	json_object_object_add(se, "enabled", json_object_new_boolean(0));
	json_object_object_add(lin, "selinux", se);
	json_object_object_add(o, "linux", lin);
	json_object_object_add(ann, "org.vserver.backend", json_object_new_string(oci_vx_backend_name()));
	json_object_object_add(ann, "org.vserver.devices", json_object_new_string(oci_cgroup_devices()));
	json_object_object_add(ann, "org.vserver.version", json_object_new_string(vs_version()));
	json_object_object_add(o, "annotations", ann);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
