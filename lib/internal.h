/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Declarations shared by the files of libvserver; never installed. */
#ifndef VS_INTERNAL_H
#define VS_INTERNAL_H

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "vserver.h"

#define VS_HIDDEN __attribute__((visibility("hidden")))
#define VS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cleanup helpers ------------------------------------------------- */

static inline void vs_freep(void *p) { free(*(void **)p); }
static inline void vs_closep(int *fd)
{
	if (*fd >= 0) {
		int e = errno;
		close(*fd);
		errno = e;
	}
}
static inline void vs_fclosep(FILE **f) { if (*f) fclose(*f); }
#define _cleanup_free_ __attribute__((cleanup(vs_freep)))
#define _cleanup_close_ __attribute__((cleanup(vs_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(vs_fclosep)))
#define _cleanup_strv_ __attribute__((cleanup(vs_strvp)))
static inline int vs_take_fd(int *fd) { int r = *fd; *fd = -1; return r; }
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })

VS_HIDDEN void vs_strvp(char ***v);
VS_HIDDEN size_t vs_strv_len(char *const *v);
VS_HIDDEN int vs_strv_push(char ***v, const char *s);

/* ---- context ----------------------------------------------------------- */

struct vs_ctx {
	int refs;
	char *confdir;
	char *vdirbase;
	char *rundir;
	char *cgroup;		/* relative to the cgroup2 mount */
	char *helperdir;	/* where vserver-init lives */
	int backend;		/* forced backend or VS_BACKEND_AUTO */
	uid_t owner;		/* required owner of configuration files */
	vs_log_fn log_fn;
	void *log_data;
	int log_max;
	char errmsg[1024];
};

/* Stores a message and returns err (a negative errno) unchanged. */
VS_HIDDEN int vs_err(struct vs_ctx *ctx, int err, const char *fmt, ...) VS_PRINTF(3, 4);
/* Puts the formatted text in front of the stored message (a file's
 * directory, the variable that held the value) and returns err. */
VS_HIDDEN int vs_err_prefix(struct vs_ctx *ctx, int err, const char *fmt, ...) VS_PRINTF(3, 4);

/* Keeps the stored message for the rest of the scope: cleanup after a
 * failure reports its own trouble (as a warning) but must not replace the
 * error that made the cleanup necessary.  Declare it where that error is
 * already stored:  VS_KEEP_ERRMSG(ctx);  */
struct vs_errkeep {
	struct vs_ctx *ctx;
	char msg[sizeof(((struct vs_ctx *)0)->errmsg)];
};
static inline struct vs_errkeep vs_errkeep_take(struct vs_ctx *ctx)
{
	struct vs_errkeep k = { .ctx = ctx };

	snprintf(k.msg, sizeof(k.msg), "%s", ctx->errmsg);
	return k;
}
static inline void vs_errkeep_put(struct vs_errkeep *k)
{
	snprintf(k->ctx->errmsg, sizeof(k->ctx->errmsg), "%s", k->msg);
}
#define VS_KEEP_ERRMSG(ctx) \
	struct vs_errkeep vs_errkeep_ __attribute__((cleanup(vs_errkeep_put))) = \
		vs_errkeep_take(ctx)
VS_HIDDEN void vs_log(struct vs_ctx *ctx, int level, const char *fmt, ...) VS_PRINTF(3, 4);
#define vs_warn(ctx, ...) vs_log(ctx, VS_LOG_WARN, __VA_ARGS__)
#define vs_notice(ctx, ...) vs_log(ctx, VS_LOG_NOTICE, __VA_ARGS__)
#define vs_info(ctx, ...) vs_log(ctx, VS_LOG_INFO, __VA_ARGS__)
#define vs_debug(ctx, ...) vs_log(ctx, VS_LOG_DEBUG, __VA_ARGS__)

VS_HIDDEN int vs_path_check(const char *path);
VS_HIDDEN char *vs_strdup_printf(const char *fmt, ...) VS_PRINTF(1, 2);

/* ---- parsing helpers ----------------------------------------------------- */

VS_HIDDEN char *vs_strip(char *s);
VS_HIDDEN int vs_split_lines(const char *text, char ***out);
VS_HIDDEN int vs_parse_bool(const char *s, bool *out);
VS_HIDDEN int vs_cg_setting_check(const char *key, const char *value,
				  unsigned *controller, char *err, size_t errlen);
VS_HIDDEN int vs_json_escape(const char *in, char *out, size_t len);

/* ---- files --------------------------------------------------------------- */

/* Opens a directory below dirfd, one component at a time, never following a
 * symbolic link; each directory must be owned by ctx->owner and not writable
 * by group or others ("what" names it in messages). */
VS_HIDDEN int vs_open_dir_at(struct vs_ctx *ctx, int dirfd, const char *relpath,
			     bool create, const char *what);
/* Checks ownership and mode of an open file or directory. */
VS_HIDDEN int vs_check_trusted(struct vs_ctx *ctx, int fd, const char *what);
VS_HIDDEN int vs_check_trusted_stat(struct vs_ctx *ctx, const struct stat *st,
				    const char *what);
/* Reads a small configuration file below dirfd with the same rules.
 * -ENOENT (without a message) when it does not exist. */
VS_HIDDEN int vs_read_at(struct vs_ctx *ctx, int dirfd, const char *relpath,
			 size_t max, char **out);
/* Atomic, durable replacement of relpath below dirfd (directories created). */
VS_HIDDEN int vs_write_at(struct vs_ctx *ctx, int dirfd, const char *relpath,
			  const char *data, size_t len, mode_t mode);
/* The same, atomic but durable only when asked (fsync of file and directory). */
VS_HIDDEN int vs_write_at_sync(struct vs_ctx *ctx, int dirfd, const char *relpath,
			       const char *data, size_t len, mode_t mode, bool durable);
VS_HIDDEN int vs_unlink_at(struct vs_ctx *ctx, int dirfd, const char *relpath);
VS_HIDDEN int vs_fsync_dir(int dirfd);
/* mkdir -p for an absolute path; last component gets mode. */
VS_HIDDEN int vs_mkdir_p(struct vs_ctx *ctx, const char *path, mode_t mode);
/* Removes name below dirfd recursively without following links or crossing
 * into other file systems. */
VS_HIDDEN int vs_rm_rf_at(struct vs_ctx *ctx, int dirfd, const char *name);
/* Copies the tree below srcfd into dstfd (which must be empty). */
VS_HIDDEN int vs_copy_tree(struct vs_ctx *ctx, int srcfd, int dstfd);
/* The same; with reflink, every regular file shares the source's extents
 * (FICLONE) or the copy fails. */
VS_HIDDEN int vs_copy_tree_reflink(struct vs_ctx *ctx, int srcfd, int dstfd, bool reflink);
/* Plain read of a (/proc, /sys) file; no trust checks. */
VS_HIDDEN int vs_read_file(const char *path, size_t max, char **out);
VS_HIDDEN int vs_read_file_at(int dirfd, const char *path, size_t max, char **out);
VS_HIDDEN int vs_write_file(const char *path, const char *data);
VS_HIDDEN int vs_write_file_at(int dirfd, const char *path, const char *data);
VS_HIDDEN int vs_dir_empty(int dirfd);
VS_HIDDEN int vs_sync_tree(int fd);

/* ---- configuration -------------------------------------------------------- */

struct vs_rlim {
	bool set;
	uint64_t soft;		/* effective values (VS_LIMIT_INF = unlimited) */
	uint64_t hard;
	uint64_t min;		/* RES.min: shown, not enforced (vs2.3) */
	uint64_t plain;		/* RES (both), under RES.soft / RES.hard */
	bool plain_set, soft_set, hard_set;
};

/* limits/ and sched/ (see limits.c) */
struct vs_climits {
	uint64_t mem_max, mem_high, swap_max;	/* bytes, UINT64_MAX = max */
	bool mem_max_set, mem_high_set, swap_set;
	uint64_t cpu_ppm;	/* cap in millionths of one CPU, UINT64_MAX = max */
	bool cpu_set;
	char cpu_from[24];	/* the file that set it, for messages */
	uint32_t cpu_weight;
	bool weight_set;
	char **notes;		/* accepted settings that are not applied */
};

struct vs_cgset {
	char key[24];
	char value[64];
};

#define VS_MAX_CGSET 8
#define VS_UTS_FIELDS 7		/* VHIN_CONTEXT .. VHIN_DOMAINNAME */

struct vs_config {
	char *name;
	uint32_t xid;		/* 0 = not configured */
	uint32_t nid;
	char *vdir;
	int backend;
	char *uts[VS_UTS_FIELDS];
	uint64_t bcaps_on, bcaps_off;
	uint64_t ccaps_on, ccaps_off;
	uint64_t cflags_on, cflags_off;
	uint64_t nflags_on, nflags_off;
	uint64_t ncaps_on, ncaps_off;
	struct vs_rlim rlim[VS_RLIMIT_NUM];
	struct vs_climits lim;
	struct vs_cgset cg[VS_MAX_CGSET];
	size_t n_cg;
	unsigned cg_required;	/* VS_CG_* the configuration needs */
	bool netns;
	bool monitor;		/* apps/init/monitor: a host-side monitor logs the console */
	bool lback_set;		/* interfaces/lback */
	unsigned char lback[4];
	struct vs_iface *ifaces;
	size_t n_ifaces;
	int initstyle;
	char **cmd_start;
	char **cmd_stop;
	int stop_signal;
	uint64_t stop_timeout_ms;
	char *mark;
	char *fstab;
	bool incomplete;
	/* unify/: an overlay guest's root is mounted from these (unify.c) */
	char *ov_lower, *ov_upper, *ov_work;
};

VS_HIDDEN int vs_config_load(struct vs_ctx *ctx, const char *name,
			     struct vs_config **out);
VS_HIDDEN void vs_config_free(struct vs_config *c);
VS_HIDDEN int vs_open_confdir(struct vs_ctx *ctx, bool create);
VS_HIDDEN int vs_open_guest_confdir(struct vs_ctx *ctx, const char *name);
/* Default bounding set of a guest (see caps.c for the reasoning). */
VS_HIDDEN uint64_t vs_default_bcaps(void);
VS_HIDDEN uint64_t vs_config_bcaps(const struct vs_config *c);
#define VS_INCOMPLETE_MARK "incomplete"

/* The clone method (build-clone.c): fills rootfd from guest o->source and
 * copies its run settings into gfd; *treefd as for vs_unify_clone (-1 when
 * the guest's files are in rootfd). */
VS_HIDDEN int vs_build_clone(struct vs_ctx *ctx, const char *name, int gfd, int rootfd,
			     const char *vdir, const struct vs_build_opts *o, int *treefd);

/* ---- unification (unify.c) -------------------------------------------------- */

/* Fills the guest root of a clone build from source guest `source` (root
 * srcroot, which is not running) the way `mode` asks ("auto", "reflink",
 * "overlay") and records it in the configuration (gfd).  *treefd is where
 * the guest's own files go: the root itself, or an overlay's upper layer. */
VS_HIDDEN int vs_unify_clone(struct vs_ctx *ctx, const char *name, int gfd, int srcroot,
			     const char *source, const char *vdir, int rootfd,
			     const char *mode, int *treefd);
/* Removes what a guest's unification owns (upper and work directories; the
 * base when no other guest uses it).  The caller holds the guest's lock. */
VS_HIDDEN int vs_unify_delete(struct vs_ctx *ctx, const char *name);
/* Loads unify/ into c (ov_* stay NULL unless the mode is overlay). */
VS_HIDDEN int vs_unify_load(struct vs_ctx *ctx, struct vs_config *c, int gfd);
/* In the guest's mount namespace, before the root is bound: mounts the
 * overlay on c->vdir (nothing for other modes). */
VS_HIDDEN int vs_unify_mount(const struct vs_config *c, char *err, size_t errlen);

/* ---- programs a build runs (build-run.c) ---------------------------------- */

/* Runs argv (debootstrap) for guest NAME's build in a process group and a
 * private mount namespace; SIGINT/SIGTERM/SIGHUP end it and make it fail
 * with -EINTR.  Nothing of it is left when it returns. */
VS_HIDDEN int vs_build_run(struct vs_ctx *ctx, const char *name, char *const argv[]);
/* Ends (and waits for) what a killed build of NAME left; lock held. */
VS_HIDDEN int vs_build_leftovers(struct vs_ctx *ctx, const char *name);

/* ---- run state ------------------------------------------------------------- */

struct vs_runstate {
	int backend;
	uint32_t xid;
	pid_t init_pid;		/* host pid of PID 1 of the guest */
	unsigned long long init_start;	/* its start time (clock ticks) */
	pid_t monitor_pid;
	unsigned long long started_ms;	/* CLOCK_REALTIME at start */
	char cgroup[256];	/* absolute path of the guest's cgroup, "" = none */
	unsigned missing_cg;
	bool host_network;
	int initstyle;
	bool complete;		/* the start finished */
	char **addrs;		/* host addresses added: "dev ip/prefix" */
	char **net;		/* network records (netcfg.c): "KIND VALUE" */
	/* per-process rlimits changed live (`vserver NAME limit`): what
	 * exec/enter apply instead of the configuration's, until the next
	 * start (the run state is new then) */
	struct vs_rlim live_rlim[16];
};

VS_HIDDEN int vs_rundir_open(struct vs_ctx *ctx);
VS_HIDDEN int vs_runstate_read(struct vs_ctx *ctx, int rundfd, const char *name,
			       struct vs_runstate *rs);
VS_HIDDEN int vs_runstate_write(struct vs_ctx *ctx, int rundfd, const char *name,
				const struct vs_runstate *rs);
VS_HIDDEN int vs_runstate_remove(struct vs_ctx *ctx, int rundfd, const char *name);
/* Guests with a run state file (sorted), without reading configurations. */
VS_HIDDEN int vs_runstate_names(struct vs_ctx *ctx, int rundfd, char ***out);
VS_HIDDEN void vs_runstate_clear(struct vs_runstate *rs);
VS_HIDDEN int vs_runstate_parse(const char *text, struct vs_runstate *rs);
VS_HIDDEN char *vs_runstate_format(const struct vs_runstate *rs);

/* ---- processes ---------------------------------------------------------- */

struct vs_procstat {
	char state;
	pid_t ppid;
	unsigned long long utime, stime;	/* clock ticks */
	unsigned long long starttime;		/* clock ticks since boot */
	unsigned long long vsize;		/* bytes */
	long long rss;				/* pages */
};
VS_HIDDEN int vs_proc_stat(pid_t pid, struct vs_procstat *st);
VS_HIDDEN int vs_proc_stat_parse(const char *buf, struct vs_procstat *st);
VS_HIDDEN int vs_proc_ns_ino(pid_t pid, const char *ns, unsigned long long *ino);
/* Is pid alive (not a zombie) with the given start time? */
VS_HIDDEN bool vs_proc_alive(pid_t pid, unsigned long long start);
VS_HIDDEN uint64_t vs_now_ms(int clock);
VS_HIDDEN int vs_pidfd_open(pid_t pid);
/* Waits (poll) until the pidfd reports exit; -ETIMEDOUT on timeout. */
VS_HIDDEN int vs_pidfd_wait(int pidfd, int timeout_ms);
VS_HIDDEN int vs_pidfd_signal(int pidfd, int sig);

/* ---- cgroup v2 ------------------------------------------------------------- */

VS_HIDDEN int vs_cgroup_root(char *buf, size_t len);
VS_HIDDEN int vs_cgroup_path(struct vs_ctx *ctx, const char *name, char *buf, size_t len);
/* Creates the guest's cgroup, enables what the host delegates; *missing gets
 * the controllers that are unavailable. */
VS_HIDDEN int vs_cgroup_create(struct vs_ctx *ctx, const char *path, unsigned *missing);
VS_HIDDEN int vs_cgroup_apply(struct vs_ctx *ctx, const char *path,
			      const struct vs_config *c, unsigned missing);
/* Appends the pids of S, a cgroup.procs text (cut up in place). */
VS_HIDDEN int vs_pids_append(char *s, pid_t **v, size_t *cnt);
/* An exclusive lock on RUNDIR/FILE (FILE starts with a dot, so that no
 * guest name reaches it), waited for; rundfd may be -1.  Returns the locked
 * descriptor (closing it releases the lock).  (lock.c) */
VS_HIDDEN int vs_lock_global(struct vs_ctx *ctx, int rundfd, const char *file);
/* Is there a run state for guest name (its error message left as it was)?
 * Does cgroup path exist (and is path set)?  (guest.c) */
VS_HIDDEN bool vs_has_runstate(struct vs_ctx *ctx, const char *name);
VS_HIDDEN bool vs_cgroup_exists(const char *path);
/* The page size; whether limit id counts in pages (util-vserver's rss, as,
 * anon, shmem, mapped) while the Linux rlimit counts bytes.  (limits.c) */
VS_HIDDEN uint64_t vs_page_size(void);
VS_HIDDEN bool vs_limit_in_pages(int id);
/* Does the configuration set cgroup file key itself (cgroup/KEY)? */
VS_HIDDEN bool vs_limits_cg_has(const struct vs_config *c, const char *key);
/* A number with an optional K/M/G/T suffix (powers of 1024), at most max;
 * hex ("0x...") only without a suffix and when hex_ok.  *suffixed (may be
 * NULL) says whether a suffix was given.  (parse.c) */
VS_HIDDEN int vs_parse_suffixed(const char *s, uint64_t max, bool hex_ok, uint64_t *out,
				bool *suffixed);
/* the guest's processes live in PATH/VS_CG_LEAF (cgroup.c) */
#define VS_CG_LEAF "payload"
/* a guest's cgroup is PARENT/VS_CG_PREFIX NAME: every cgroupfs interface file
 * is CONTROLLER.FILE with a controller name of [a-z_], so no guest name
 * (cgroup.procs, memory.max …) can collide with one (cgroup.c) */
#define VS_CG_PREFIX "vs-"
VS_HIDDEN int vs_cgroup_leaf(const char *path, char *buf, size_t len);
VS_HIDDEN int vs_cgroup_create_leaf(struct vs_ctx *ctx, const char *path);
/* is CG (as in /proc/PID/cgroup) PATH or below it? */
VS_HIDDEN bool vs_cgroup_member(const char *path, const char *cg);
VS_HIDDEN int vs_cgroup_procs(const char *path, pid_t **pids, size_t *n);
VS_HIDDEN int vs_cgroup_kill(struct vs_ctx *ctx, const char *path);
/* freeze.c: freezes the guest's cgroup (v2 cgroup.freeze) until
 * vs_thaw_cgroup(); a guard process thaws it if the caller dies first. */
/* console.c: removes RUNDIR/NAME.console and, with logs, NAME.log{,.1} */
VS_HIDDEN void vs_console_remove(int rundfd, const char *name, bool logs);
struct vs_freeze;
VS_HIDDEN int vs_freeze_cgroup(struct vs_ctx *ctx, const char *name, const char *cgpath,
			       struct vs_freeze **out);
VS_HIDDEN int vs_thaw_cgroup(struct vs_freeze *f);
/* the same for a running guest, found by its run state (caller holds its lock) */
VS_HIDDEN int vs_freeze_guest(struct vs_guest *g, struct vs_freeze **out);
VS_HIDDEN int vs_cgroup_remove(struct vs_ctx *ctx, const char *path);
VS_HIDDEN int vs_cgroup_usage(const char *path, uint64_t *mem, uint64_t *cpu_usec);
VS_HIDDEN int vs_cgroup_of_pid(pid_t pid, char *buf, size_t len);

/* ---- limits (limits.c) ------------------------------------------------------ */

enum vs_lim_via { VS_VIA_NONE, VS_VIA_CONTEXT, VS_VIA_CGROUP, VS_VIA_PROCESS };
/* rlimits/, limits/, sched/ below the guest directory */
VS_HIDDEN int vs_limits_load(struct vs_ctx *ctx, struct vs_config *c, int gfd);
VS_HIDDEN int vs_limits_check_conflicts(struct vs_ctx *ctx, const struct vs_config *c);
/* The cgroup files the limits translate into. */
VS_HIDDEN int vs_limits_cgroup(const struct vs_config *c, int backend, uint32_t kmask,
			       struct vs_cgset *out, size_t max, size_t *n);
VS_HIDDEN enum vs_lim_via vs_limit_via(int id, int backend, uint32_t kmask);
/* The vx kernel's limit mask (cached); <0: the kernel's error, *kmask = 0. */
VS_HIDDEN int vs_limits_kmask(uint32_t *kmask);
VS_HIDDEN int vs_limits_hits(struct vs_guest *g, const struct vs_runstate *rs,
			     uint64_t *hits);
VS_HIDDEN uint64_t vs_limits_default_cflags(const struct vs_config *c);
VS_HIDDEN const char *vs_limit_via_name(enum vs_lim_via v);
/* Configured settings the backend does not enforce, as messages. */
VS_HIDDEN int vs_limits_unenforced(const struct vs_config *c, int backend, uint32_t kmask,
				   char ***out);
/* Before a start: conflicts, ENOSYS on vx, warnings for what is not enforced. */
VS_HIDDEN int vs_limits_check(struct vs_ctx *ctx, const struct vs_config *c, int backend);
/* Per-process Linux rlimits of the calling process (init, joining processes). */
VS_HIDDEN int vs_limits_set_process(const struct vs_config *c, int backend, char *err,
				    size_t errlen);
VS_HIDDEN int vs_limits_set_pid(int id, const struct vs_rlim *l, pid_t pid);
/* vx: the context's limits, from inside during setup. */
VS_HIDDEN int vs_limits_apply_vx(const struct vs_config *c, char *err, size_t errlen);

/* ---- capabilities ---------------------------------------------------------- */

VS_HIDDEN int vs_caps_bound(uint64_t keep, char *err, size_t errlen);

/* ---- networking (libmnl) ----------------------------------------------------- */

VS_HIDDEN int vs_net_addr(bool add, const char *dev, const struct vs_iface *ifc,
			  char *err, size_t errlen);
VS_HIDDEN int vs_net_link_up(const char *dev, char *err, size_t errlen);
/* 1 and the device when the host has the address, 0 when not. */
VS_HIDDEN int vs_net_addr_find(int family, const unsigned char *addr, int *ifindex);
VS_HIDDEN int vs_net_veth_create(const char *host, const char *peer, int peer_nsfd,
				 char *err, size_t errlen);
VS_HIDDEN int vs_net_link_del(const char *dev, char *err, size_t errlen);
/* dst NULL or prefix 0: the default route; gw NULL: on the link. */
VS_HIDDEN int vs_net_route(bool add, int family, const unsigned char *dst, unsigned prefix,
			   const char *dev, const unsigned char *gw, char *err, size_t errlen);

/* netcfg.c: what start and stop do to the host's network */
VS_HIDDEN int vs_netcfg_start(struct vs_guest *g, int rundfd, struct vs_runstate *rs);
VS_HIDDEN void vs_netcfg_cleanup(struct vs_guest *g, struct vs_runstate *rs);
/* In the new init, before its root is set up: join the prepared network
 * namespace, if there is one. */
VS_HIDDEN int vs_netcfg_child(struct vs_ctx *ctx, const struct vs_config *c,
			      char *err, size_t errlen);

/* nx.c: network contexts of the vx backend */
#define VS_NX_DEFAULT_NFLAGS	(NXF_LBACK_REMAP | NXF_HIDE_NETIF)
VS_HIDDEN void vs_nx_lback(const struct vs_config *c, unsigned char ip[4]);
VS_HIDDEN uint64_t vs_nx_flags(const struct vs_config *c);
/* 1 when the kernel has network contexts, 0 when not. */
VS_HIDDEN int vs_nx_supported(void);
VS_HIDDEN int vs_nx_check(struct vs_ctx *ctx, const struct vs_config *c);
VS_HIDDEN int vs_nx_setup(const struct vs_config *c, char *err, size_t errlen);
VS_HIDDEN int vs_nx_join(const struct vs_config *c, char *err, size_t errlen);

/* ---- guest internals --------------------------------------------------------- */

struct vs_guest {
	int refs;
	struct vs_ctx *ctx;
	struct vs_config *cfg;
	int backend;		/* resolved: NS or VX */
};

/* Where the child reports a failure during start: errno and text. */
struct vs_childerr {
	int err;
	char msg[480];
};
VS_HIDDEN void vs_child_fail(int fd, int err, const char *fmt, ...) VS_PRINTF(3, 4);

/* The guest's root file system, set up inside the new mount namespace. */
VS_HIDDEN int vs_mount_guest_root(const struct vs_config *c, char *err, size_t errlen);

/* Backend operations: what differs between the vx kernel and namespaces.
 * Everything else (cgroup, mounts, monitor, state) is shared. */
struct vs_backend_ops {
	const char *name;
	/* Can this backend run here?  Message in ctx on failure. */
	int (*available)(struct vs_ctx *ctx);
	/* Namespaces the guest's init is cloned into. */
	unsigned long (*clone_flags)(const struct vs_config *c);
	/* Before anything is started: refuse or warn about settings. */
	int (*check_config)(struct vs_ctx *ctx, const struct vs_config *c);
	/* In the new init, before its root is set up (vx: create contexts). */
	int (*child_setup)(struct vs_ctx *ctx, const struct vs_config *c,
			   char *err, size_t errlen);
	/* In the new init right before exec (vx: caps, flags, end of setup). */
	int (*child_finish)(struct vs_ctx *ctx, const struct vs_config *c,
			    char *err, size_t errlen);
	/* In a process entering the guest, after it joined the namespaces. */
	int (*join)(const struct vs_config *c, const struct vs_runstate *rs,
		    char *err, size_t errlen);
	/* Signal every process of the guest. */
	int (*kill_all)(struct vs_ctx *ctx, const struct vs_runstate *rs, int sig);
	/* The limit ids the backend enforces per guest in the kernel (vx: the
	 * kernel's limit mask; ns: none).  *kmask is 0 on error; returns the
	 * kernel's error (ENOSYS: no limit commands). */
	int (*limit_mask)(uint32_t *kmask);
};

VS_HIDDEN extern const struct vs_backend_ops vs_backend_ns_ops;
VS_HIDDEN extern const struct vs_backend_ops vs_backend_vx_ops;
VS_HIDDEN const struct vs_backend_ops *vs_backend_ops(int backend);
/* ops->limit_mask of backend; 0 and a zero mask for one not resolved yet. */
VS_HIDDEN int vs_backend_limit_mask(int backend, uint32_t *kmask);
/* The namespaces a guest's init is cloned into (the ops' clone_flags). */
VS_HIDDEN unsigned long vs_guest_clone_flags(const struct vs_config *c);
VS_HIDDEN int vs_guest_resolve_backend(struct vs_ctx *ctx, const struct vs_config *c);

/* Processes of the guest, as host pids, from its cgroup and pid namespace. */
VS_HIDDEN int vs_guest_pids(const struct vs_runstate *rs, pid_t **pids, size_t *n);
/* Applies the guest's limits and bounding set to the calling process
 * (used by the init and by every process entering the guest). */
VS_HIDDEN int vs_guest_confine(const struct vs_config *c, int backend,
			       char *err, size_t errlen);
enum vs_state { VS_ST_STOPPED, VS_ST_RUNNING, VS_ST_LEFTOVER };
/* Reads the run state and decides whether the guest runs. */
VS_HIDDEN int vs_guest_lookup_state(struct vs_guest *g, int rundfd, struct vs_runstate *rs);
/* Kills whatever is left, waits until nothing is, removes addresses, the
 * cgroup and the state file. */
VS_HIDDEN int vs_guest_cleanup(struct vs_guest *g, int rundfd, struct vs_runstate *rs);
/* Cleans up a guest that ended by itself, when nobody holds its lock. */
VS_HIDDEN int vs_guest_tidy(struct vs_guest *g, int rundfd, struct vs_runstate *rs, int state);
VS_HIDDEN int vs_guest_reload(struct vs_guest *g);
VS_HIDDEN int vs_guest_pidfd(const struct vs_runstate *rs);
VS_HIDDEN int vs_guest_stop_cmd(struct vs_guest *g, const struct vs_runstate *rs,
				int timeout_ms);

/* Clean environment handed to guest processes. */
VS_HIDDEN char **vs_guest_env(const char *term);
VS_HIDDEN bool vs_term_valid(const char *term);

/* ---- build ------------------------------------------------------------------- */

VS_HIDDEN int vs_xid_allocate(struct vs_ctx *ctx, uint32_t *xid);
VS_HIDDEN int vs_config_vdir(struct vs_ctx *ctx, const char *name, char **vdir);
VS_HIDDEN int vs_build_busybox(struct vs_ctx *ctx, int rootfd, const char *busybox,
			       const char *hostname);
VS_HIDDEN int vs_build_skeleton(struct vs_ctx *ctx, int rootfd, const char *hostname);
VS_HIDDEN int vs_guest_write_file(struct vs_ctx *ctx, int rootfd, const char *rel,
				  const char *data, mode_t mode);
VS_HIDDEN int vs_delete_locked(struct vs_ctx *ctx, const char *name, unsigned flags);
VS_HIDDEN int vs_elf_is_static(int fd);

/* Tar extraction (templates). */
struct vs_tar_stats {
	unsigned files, dirs, links, symlinks;
	unsigned refused, neutralised;
};
VS_HIDDEN int vs_tar_extract(struct vs_ctx *ctx, int archive_fd, int rootfd,
			     struct vs_tar_stats *stats);
/* Validates and normalises an archive member path: strips leading "./" and
 * "/" (reported through *stripped), refuses "..", empty names, NUL bytes. */
VS_HIDDEN int vs_tar_path_clean(const char *in, char *out, size_t len, bool *stripped);
/* Would a symbolic link at linkpath with this target leave the root? */
VS_HIDDEN bool vs_symlink_escapes(const char *linkpath, const char *target);
VS_HIDDEN int vs_tar_octal(const char *field, size_t len, uint64_t *out);

#endif /* VS_INTERNAL_H */
