/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver-oci: an OCI runtime (runc's command line) over libvserver.
 *
 * Error idiom, as in the library: functions return a negative errno and
 * leave an explanation in oci_errmsg (oci_err()); only main.c prints and
 * exits.  The container's init reports its setup failures over a pipe in
 * the same form (struct oci_childerr). */
#ifndef VS_OCI_H
#define VS_OCI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "vserver.h"

#define OCI_VERSION "1.2.0"
#define OCI_CONFIG_MAX (4u << 20)	/* a config.json larger than this is refused */
#define OCI_JSON_DEPTH 32		/* deeper nesting is refused */

extern char oci_errmsg[1024];
int oci_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void oci_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void oci_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the parsed config.json (spec.c, spec-linux.c) ---------------------- */

struct oci_rlimit { int resource; uint64_t soft, hard; };
struct oci_mount {
	char *dest, *type, *source, *data;
	unsigned long flags;		/* MS_* set by the options */
	unsigned long clear;		/* MS_* cleared by the options (rw, suid ...) */
	unsigned long propagation;	/* MS_PRIVATE ... (with MS_REC) or 0 */
	bool bind, ro, tmpcopyup;
};
struct oci_hook { char *path; char **args, **env; int timeout; };
struct oci_hooks { struct oci_hook *h; size_t n; };
enum { HOOK_PRESTART, HOOK_CREATE_RUNTIME, HOOK_POSTSTART, HOOK_POSTSTOP, HOOK_NUM };
struct oci_ns { int type; char *path; };	/* type: CLONE_NEW* */
struct oci_device { char *path; char type; int64_t major, minor; uint32_t mode, uid, gid; bool has_mode, has_uid, has_gid; };
struct oci_devrule { bool allow; char type; int64_t major, minor; char access[4]; };
struct oci_scarg { unsigned index; uint64_t value, value2; int op; };
struct oci_scrule { char **names; uint32_t action; struct oci_scarg *args; size_t n_args; };
struct oci_seccomp {
	uint32_t default_action;
	uint32_t *arches; size_t n_arches;
	struct oci_scrule *rules; size_t n_rules;
	bool log_flag;
};
struct oci_sysctl { char *key, *value; };
/* The vx backend (vx.c): what the org.vserver.* annotations ask for and
 * what oci_vx_resolve() made of it. */
enum { OCI_BACKEND_AUTO, OCI_BACKEND_NS, OCI_BACKEND_VX };
struct oci_vx {
	int asked;			/* org.vserver.backend, else AUTO */
	bool on;			/* resolved: the container is a context */
	uint32_t xid;			/* org.vserver.xid; 0: the runtime picks */
	struct vs_nx_addr *addrs;	/* org.vserver.ip: a network context */
	size_t n_addrs;
	char *name;			/* the context's name, "oci:ID" */
};

struct oci_process {
	char **args, **env;
	char *cwd;
	bool terminal;
	unsigned cons_h, cons_w;
	uid_t uid; gid_t gid; gid_t *gids; size_t n_gids;
	bool has_umask; mode_t umask;
	bool caps_given;	/* process.capabilities present */
	uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
	struct oci_rlimit *rlimits; size_t n_rlimits;
	bool nnp;
	char *apparmor;
	bool has_oom; int oom_score_adj;
};

struct oci_spec {
	char *bundle;		/* absolute */
	char *rootfs;		/* absolute, as given (may be outside the bundle) */
	bool root_ro;
	struct oci_process proc;
	char *hostname, *domainname;
	struct oci_mount *mounts; size_t n_mounts;
	struct oci_hooks hooks[HOOK_NUM];
	char **annotations;	/* key, value, key, value, ..., NULL */
	struct oci_ns *ns; size_t n_ns;
	unsigned long clone_flags;	/* namespaces to create */
	char *cgroups_path;
	bool has_mem; int64_t mem_limit, mem_reservation, mem_swap;
	bool has_pids; int64_t pids_limit;
	bool has_cpu; uint64_t cpu_shares; int64_t cpu_quota; uint64_t cpu_period;
	char *cpuset_cpus, *cpuset_mems;
	struct oci_devrule *devrules; size_t n_devrules;
	struct oci_device *devices; size_t n_devices;
	char **masked, **readonly;
	struct oci_sysctl *sysctl; size_t n_sysctl;
	unsigned long root_propagation;
	bool has_seccomp; struct oci_seccomp seccomp;
	struct oci_vx vx;
};

/* Reads BUNDLE/config.json (or path), validates every field it knows and
 * refuses every other one, naming it.  On error: -errno and oci_errmsg. */
int oci_spec_load(const char *bundle, const char *path, struct oci_spec *s);
void oci_spec_free(struct oci_spec *s);
/* The "process" object alone (exec --process FILE). */
struct json_object;
int oci_process_parse(struct json_object *o, const char *where, struct oci_process *p,
		      bool need_args);
void oci_process_free(struct oci_process *p);
int oci_parse_linux(struct json_object *lin, struct oci_spec *s);
int oci_parse_mounts(struct json_object *a, struct oci_spec *s);
int oci_parse_seccomp(struct json_object *o, struct oci_seccomp *sc);
/* json helpers shared by the parsers */
int oci_json_read_file(const char *path, struct json_object **out);
int oci_json_read_fd(int fd, const char *name, struct json_object **out);
int oci_strv_from_json(struct json_object *a, const char *field, char ***out);
int oci_check_keys(struct json_object *o, const char *field, const char *const *known);
void oci_strv_free(char **v);

/* ---- state (state.c) ------------------------------------------------------- */

enum oci_status { ST_CREATING, ST_CREATED, ST_RUNNING, ST_PAUSED, ST_STOPPED };
struct oci_state {
	char id[VS_NAME_MAX + 1];
	char *dir;		/* ROOT/ID */
	int dirfd;		/* locked (flock) while a command works on it */
	pid_t pid;
	unsigned long long starttime;
	char *bundle;
	char *created;		/* RFC 3339 */
	char *cgroup;		/* relative to each hierarchy's root */
	bool v1_memory, v1_pids, v1_cpu, v1_devices;
	char *barrier, *barrier_key;	/* vx: the directory holding the chroot barrier */
	char **annotations;
	bool started;
};
extern const char *oci_root;
int oci_state_create(const char *id, struct oci_state *st);
int oci_state_open(const char *id, struct oci_state *st);	/* locks it */
int oci_state_save(struct oci_state *st);
void oci_state_close(struct oci_state *st);
int oci_state_remove(struct oci_state *st);
enum oci_status oci_state_status(struct oci_state *st);
const char *oci_status_name(enum oci_status s);
char *oci_state_json(struct oci_state *st, enum oci_status s);	/* the OCI state */
int oci_state_list(char ***ids);

/* ---- cgroups (cgroup.c) ---------------------------------------------------- */

int oci_cgroup_setup(const struct oci_spec *s, const char *id, struct oci_state *st, int *v2fd);
int oci_cgroup_enter(const struct oci_state *st, pid_t pid);	/* the v1 hierarchies */
int oci_cgroup_join_v2(const struct oci_state *st);		/* the caller, v2 */
int oci_cgroup_pids(const struct oci_state *st, pid_t **pids, size_t *n);
int oci_cgroup_freeze(const struct oci_state *st, bool freeze);
bool oci_cgroup_frozen(const struct oci_state *st);
int oci_cgroup_kill_all(const struct oci_state *st, int sig);
void oci_cgroup_remove(const struct oci_state *st);
/* The helpers update.c shares: the v2 mount, whether it delegates a
 * controller, enabling one down to a path, the v1 hierarchies, writes
 * that name the field on failure, the container's v2 directory. */
int oci_cg_v2_root(char *buf, size_t len);
bool oci_cg_v2_has(const char *root, const char *ctrl);
int oci_cg_v2_enable(const char *root, const char *path, const char *ctrl, const char *field);
bool oci_cg_v1_has(const char *ctrl);
int oci_cg_v1_dir(const char *ctrl, const char *path, char *buf, size_t len);
int oci_cg_write(const char *dir, const char *file, const char *val, const char *field);
int oci_cg_v2_dir(const struct oci_state *st, char *buf, size_t len);
/* What enforces linux.resources.devices here: "v1", "ebpf" or "none: WHY"
 * (features; the tests ask it). */
const char *oci_cgroup_devices(void);

/* ---- the container's processes (init.c, process.c) ----------------------- */

struct oci_childerr { int err; char msg[900]; };
void oci_child_fail(int fd, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct oci_launch {
	const struct oci_spec *s;
	int fifofd;		/* exec.fifo, O_RDWR: start writes a byte to it */
	int syncfd;		/* parent → init: go on after cgroups and hooks */
	int errfd;		/* init → parent: failures (close-on-exec: EOF = exec) */
	int consfd;		/* --console-socket, connected; -1 none */
	int *nsfds;		/* per s->ns: opened path or -1 */
	int helperfd;		/* vserver-init, read-only (vs_helper_fd) */
	const char *id;		/* the container's id */
};
_Noreturn void oci_init_child(struct oci_launch *L);
/* Applies user, capabilities, rlimits, no_new_privs, umask, oom score and
 * AppArmor to the calling process (init and exec).  seccomp: loaded here
 * when allowed without no_new_privs; *late tells the caller to load it
 * right before exec. */
int oci_apply_process(const struct oci_process *p, const struct oci_seccomp *sc,
		      bool *late, char *err, size_t errlen);
int oci_seccomp_load(const struct oci_seccomp *sc, char *err, size_t errlen);
int oci_console_setup(int sock, const struct oci_process *p, char *err, size_t errlen);
int oci_exec_path(const char *file, char **env, char *out, size_t len);
int oci_helper_open(int *fd);
int oci_exec_trampoline(int helperfd, int errfd, const char *file, char **args, char **env);

/* create.c */
int oci_create(const char *id, const char *bundle, const char *pidfile, const char *console,
	       struct oci_state *st, struct oci_spec *s, pid_t *child);
int oci_start(struct oci_state *st);
void oci_undo_create(struct oci_state *st, pid_t child);
int oci_write_pidfile(const char *path, pid_t pid);
int oci_console_connect(const char *path);
extern int oci_preserve_fds;	/* --preserve-fds: fds 3..3+N-1 go to the process */
/* exec.c */
struct exec_opts {
	const char *process, *console, *pidfile, *cwd, *user;
	char **env;		/* --env additions */
	char **args;
	bool tty, detach, nnp;
};
int oci_exec(struct oci_state *st, const struct exec_opts *o, int *exit_code);
/* update.c: what `update` changes; a has_ flag per value, -1 lifts a limit */
struct oci_update {
	bool has_mem, has_swap, has_res, has_pids, has_shares, has_quota, has_period;
	int64_t mem, swap, res, pids, quota;
	uint64_t shares, period;
};
int oci_update_size(const char *opt, const char *val, int64_t *out);
int oci_update_from_json(struct json_object *o, struct oci_update *u);
/* update's command line (update-args.c); -EINVAL: a usage error */
int oci_update_args(int argc, char **argv, struct oci_update *u, const char **id);
int oci_update(struct oci_state *st, const struct oci_update *u);
/* vx.c: the context's nproc and rss limits as update changes them */
struct oci_vx_saved {
	uint32_t xid;			/* 0: not a context */
	bool nproc, rss;		/* to be set (and put back on failure) */
	uint64_t nproc_soft, nproc_hard, rss_soft, rss_hard;
};
int oci_vx_update_check(pid_t init, const struct oci_update *u, struct oci_vx_saved *sv);
int oci_vx_update(int64_t mem, int64_t pids, const struct oci_vx_saved *sv);
void oci_vx_update_undo(const struct oci_vx_saved *sv);
/* verbs.c */
int oci_kill(struct oci_state *st, int sig, bool all);
int oci_delete(struct oci_state *st, bool force);
int oci_ps(struct oci_state *st, bool json);
int oci_pause(struct oci_state *st, bool pause);
void oci_features(void);
/* vx.c */
extern int oci_backend;		/* --backend */
int oci_backend_parse(const char *s);
const char *oci_vx_backend_name(void);
int oci_vx_annotation(const char *key, const char *val, struct oci_vx *v);
/* Chooses the backend of a container being created; checks the annotations
 * against it and the spec. */
int oci_vx_resolve(struct oci_spec *s, const char *id);
void oci_vx_free(struct oci_vx *v);
/* In the init, privileged, after the root is built: the context. */
int oci_vx_setup(const struct oci_spec *s, const char *id, char *err, size_t errlen);
/* In create, on the host, once the init is ready. */
int oci_vx_end_setup(pid_t init);
/* In exec, privileged, after joining the namespaces: the init's contexts. */
int oci_vx_join(pid_t init, char *err, size_t errlen);
/* barrier.c: the chroot barrier on root.path's parent (vx containers) */
int oci_barrier_take(const struct oci_spec *s, struct oci_state *st);
void oci_barrier_release(struct oci_state *st);
/* hooks (create.c) */
int oci_run_hooks(const struct oci_spec *s, int which, struct oci_state *st,
		  enum oci_status status);

#endif
