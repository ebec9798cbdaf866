/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvserver — build, start, enter, watch and stop Linux-VServer guests on
 * the patched kernel ("vx" backend) or on a stock kernel with namespaces and
 * cgroup v2 ("ns" backend).
 *
 * Conventions
 *  - Every function that can fail returns a negative errno value; 0 (or a
 *    documented non-negative value) means success.  Nothing in the library
 *    prints or exits: on failure a human-readable explanation is available
 *    from vs_ctx_errmsg(), warnings and progress go to the log callback.
 *  - Objects are opaque and reference counted (_ref/_unref).
 *  - All paths the library derives from a guest name are built only after the
 *    name passed vs_name_check().
 */
#ifndef VSERVER_H
#define VSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define VS_PUBLIC __attribute__((visibility("default")))
#else
#define VS_PUBLIC
#endif

#define VS_NAME_MAX		64	/* longest guest name */
#define VS_XID_MIN		2	/* first id a guest may use */
#define VS_XID_MAX		49151	/* last static id (ABI §1.8) */

/* ---------------------------------------------------------------------- */
/* Library context: roots, backend choice, logging, last error.           */

struct vs_ctx;

enum vs_log_level {
	VS_LOG_ERR = 3,
	VS_LOG_WARN = 4,
	VS_LOG_NOTICE = 5,
	VS_LOG_INFO = 6,
	VS_LOG_DEBUG = 7,
};

typedef void (*vs_log_fn)(void *userdata, int level, const char *msg);

/* A context with the built-in defaults (/etc/vservers, /vservers,
 * /run/vservers, cgroup "vserver", automatic backend). */
VS_PUBLIC int vs_ctx_new(struct vs_ctx **out);
/* Applies VSERVER_CONFDIR, VSERVER_VDIRBASE, VSERVER_RUNDIR,
 * VSERVER_HELPERDIR, VSERVER_CGROUP and VSERVER_BACKEND when set. */
VS_PUBLIC int vs_ctx_load_env(struct vs_ctx *ctx);
VS_PUBLIC struct vs_ctx *vs_ctx_ref(struct vs_ctx *ctx);
VS_PUBLIC void vs_ctx_unref(struct vs_ctx *ctx);

VS_PUBLIC int vs_ctx_set_confdir(struct vs_ctx *ctx, const char *path);
VS_PUBLIC int vs_ctx_set_vdirbase(struct vs_ctx *ctx, const char *path);
VS_PUBLIC int vs_ctx_set_rundir(struct vs_ctx *ctx, const char *path);
VS_PUBLIC int vs_ctx_set_helperdir(struct vs_ctx *ctx, const char *path);
/* Name of the cgroup (relative to the cgroup2 root) holding the guests. */
VS_PUBLIC int vs_ctx_set_cgroup(struct vs_ctx *ctx, const char *relpath);
VS_PUBLIC const char *vs_ctx_get_confdir(const struct vs_ctx *ctx);
VS_PUBLIC const char *vs_ctx_get_vdirbase(const struct vs_ctx *ctx);
VS_PUBLIC const char *vs_ctx_get_rundir(const struct vs_ctx *ctx);
VS_PUBLIC const char *vs_ctx_get_cgroup(const struct vs_ctx *ctx);

/* "auto", "ns" or "vx": forces the backend of every guest (--backend). */
VS_PUBLIC int vs_ctx_set_backend(struct vs_ctx *ctx, const char *name);
VS_PUBLIC void vs_ctx_set_log(struct vs_ctx *ctx, vs_log_fn fn, void *userdata,
			      int max_level);
/* Explanation of the most recent failure in this context ("" if none). */
VS_PUBLIC const char *vs_ctx_errmsg(const struct vs_ctx *ctx);

VS_PUBLIC const char *vs_version(void);

/* ---------------------------------------------------------------------- */
/* Validators and parsers (pure functions, no privileges needed).         */

/* [A-Za-z0-9][A-Za-z0-9._-]{0,63}; returns 0 or -EINVAL. */
VS_PUBLIC int vs_name_check(const char *name);

/* Context id 2..49151.  Returns 0 or -EINVAL/-ERANGE. */
VS_PUBLIC int vs_parse_xid(const char *s, uint32_t *xid);
/* Unsigned decimal (or 0x hex) with range check. */
VS_PUBLIC int vs_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Limit value: number, or "inf"/"infinity"/"unlimited"/"-1" → VS_LIMIT_INF. */
#define VS_LIMIT_INF	UINT64_MAX
VS_PUBLIC int vs_parse_limit(const char *s, uint64_t *out);
/* Byte size with optional K/M/G/T suffix (powers of 1024), or "max". */
VS_PUBLIC int vs_parse_size(const char *s, uint64_t *out);
/* Signal name (TERM, SIGTERM, RTMIN+4) or number; returns the number. */
VS_PUBLIC int vs_parse_signal(const char *s);
VS_PUBLIC const char *vs_signal_name(int sig);
/* Duration in seconds, optional "s"/"ms" suffix; result in milliseconds. */
VS_PUBLIC int vs_parse_duration_ms(const char *s, uint64_t *ms);

/* Flag and capability words (ABI §3).  Lists are separated by commas,
 * white space or newlines; '#' starts a comment; '~' or '!' clears; "^N" is
 * bit N; numbers are masks; "all"/"any"/"none" are accepted; names are
 * matched case-insensitively (bcaps also accept a "CAP_" prefix). */
enum vs_flagset {
	VS_FLAGS_CFLAGS,	/* context flags (VXF_*) */
	VS_FLAGS_CCAPS,		/* context capabilities (VXC_*) */
	VS_FLAGS_BCAPS,		/* bounding capabilities (Linux CAP_* bits) */
	VS_FLAGS_NFLAGS,	/* network flags (NXF_*) */
	VS_FLAGS_NCAPS,		/* network capabilities (NXC_*) */
	VS_FLAGS_IATTR,		/* inode attributes (IATTR_*: barrier, immutable, ...) */
};
VS_PUBLIC int vs_flags_parse(enum vs_flagset set, const char *text,
			     uint64_t *on, uint64_t *off,
			     char *err, size_t errlen);
/* One name per set bit, separated by commas; unknown bits as ^N. */
VS_PUBLIC int vs_flags_format(enum vs_flagset set, uint64_t value,
			      char *buf, size_t len);
/* Bit value of one name (no modifiers); -EINVAL if unknown. */
VS_PUBLIC int vs_flag_lookup(enum vs_flagset set, const char *name, uint64_t *bit);

/* Resource limit names of ABI §3.13 ("nproc", "nofile", "nsock", ...). */
#define VS_RLIMIT_NUM	24
VS_PUBLIC int vs_rlimit_id(const char *name);
VS_PUBLIC const char *vs_rlimit_name(int id);
/* Unit of a limit id: "" (a count), "bytes" or "pages" (rss, as, anon,
 * shmem, mapped: util-vserver's units). */
VS_PUBLIC const char *vs_limit_unit(int id);
/* A limit value for id: number in the id's unit, a size with K/M/G/T suffix
 * for byte and page limits (pages rounded up), or inf/infinity/unlimited/
 * max/-1 → VS_LIMIT_INF. */
VS_PUBLIC int vs_limit_parse_value(int id, const char *s, uint64_t *out);
/* CPU share "50%", "0.5", "2" (CPUs) or "max", in millionths of one CPU
 * (UINT64_MAX = max); at least 0.1%, at most 1024 CPUs. */
VS_PUBLIC int vs_parse_cpu_share(const char *s, uint64_t *ppm);
/* cpu.max QUOTA PERIOD (microseconds) for such a share (quota UINT64_MAX = max). */
VS_PUBLIC void vs_cpu_max_from_ppm(uint64_t ppm, uint64_t *quota, uint64_t *period);
/* util-vserver's token bucket: fill_rate tokens every interval → share. */
VS_PUBLIC int vs_token_bucket_ppm(uint64_t fill_rate, uint64_t interval, uint64_t *ppm);
/* cgroup v1 cpu.shares (2..262144) → cpu.weight (1..10000), as systemd. */
VS_PUBLIC int vs_cpu_shares_to_weight(uint64_t shares, uint32_t *weight);

/* Interface specification as accepted by "build --interface":
 *   [NAME=][DEV:]IP[/PREFIX]   (IPv4 prefix may also be a dotted mask) */
struct vs_iface {
	char name[32];		/* label (config directory name); "" = index */
	char dev[16];		/* host device; "" = none (address only) */
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16];	/* network byte order */
	unsigned prefix;	/* 0..32 or 0..128 */
};
VS_PUBLIC int vs_iface_parse(const char *spec, struct vs_iface *out,
			     char *err, size_t errlen);
VS_PUBLIC int vs_iface_format(const struct vs_iface *ifc, char *buf, size_t len);

/* Init styles (apps/init/style). */
enum vs_initstyle {
	VS_INIT_PLAIN,		/* the guest's own /sbin/init is PID 1 */
	VS_INIT_SYSV,		/* helper is PID 1, runs /etc/init.d/rc 3 / rc 0 */
	VS_INIT_MINIT,		/* helper is PID 1, runs apps/init/cmd.start */
};
VS_PUBLIC int vs_initstyle_parse(const char *s);
VS_PUBLIC const char *vs_initstyle_name(int style);

/* ---------------------------------------------------------------------- */
/* Backends.                                                              */

enum vs_backend {
	VS_BACKEND_AUTO = 0,
	VS_BACKEND_NS = 1,
	VS_BACKEND_VX = 2,
};
VS_PUBLIC int vs_backend_parse(const char *s);
VS_PUBLIC const char *vs_backend_name(int backend);
/* VS_BACKEND_VX when the vserver syscall reports >= 0x00020300, else NS. */
VS_PUBLIC int vs_backend_detect(void);

/* ---------------------------------------------------------------------- */
/* Locking: one exclusive lock per guest, in the root-only run directory. */

struct vs_lock;
#define VS_LOCK_NOWAIT	0x1
VS_PUBLIC int vs_lock_guest(struct vs_ctx *ctx, const char *name, unsigned flags,
			    struct vs_lock **out);
VS_PUBLIC void vs_lock_release(struct vs_lock *lock);

/* ---------------------------------------------------------------------- */
/* Guest configuration (CONFDIR/NAME/...).                                 */

/* Reads one value (trailing newline stripped).  -ENOENT if absent. */
VS_PUBLIC int vs_config_get(struct vs_ctx *ctx, const char *name,
			    const char *key, char **value);
/* Atomically and durably replaces one value (creating directories). */
VS_PUBLIC int vs_config_set(struct vs_ctx *ctx, const char *name,
			    const char *key, const char *value);
VS_PUBLIC int vs_config_unset(struct vs_ctx *ctx, const char *name,
			      const char *key);
/* Names of all configured guests (sorted); free with vs_strv_free(). */
VS_PUBLIC int vs_guest_list(struct vs_ctx *ctx, char ***names);
VS_PUBLIC void vs_strv_free(char **v);

/* ---------------------------------------------------------------------- */
/* Guests.                                                                 */

struct vs_guest;

VS_PUBLIC int vs_guest_open(struct vs_ctx *ctx, const char *name,
			    struct vs_guest **out);
/* A handle to an existing guest whose configuration is read only by the
 * operation that uses it: start, stop and restart read it under the
 * guest's lock anyway, so reading it before as well is wasted.  Until then
 * only vs_guest_name() tells something about the guest. */
VS_PUBLIC int vs_guest_open_deferred(struct vs_ctx *ctx, const char *name,
				     struct vs_guest **out);
VS_PUBLIC struct vs_guest *vs_guest_ref(struct vs_guest *g);
VS_PUBLIC void vs_guest_unref(struct vs_guest *g);
VS_PUBLIC const char *vs_guest_name(const struct vs_guest *g);
VS_PUBLIC uint32_t vs_guest_xid(const struct vs_guest *g);
VS_PUBLIC const char *vs_guest_vdir(const struct vs_guest *g);
VS_PUBLIC int vs_guest_backend(const struct vs_guest *g);
VS_PUBLIC bool vs_guest_incomplete(const struct vs_guest *g);

/* cgroup v2 controllers, as bits */
#define VS_CG_MEMORY	0x1
#define VS_CG_PIDS	0x2
#define VS_CG_CPU	0x4

struct vs_status {
	bool running;
	int backend;
	uint32_t xid;
	pid_t init_pid;		/* host pid of the guest's PID 1 */
	unsigned nproc;		/* processes of the guest */
	uint64_t mem_bytes;	/* resident memory */
	uint64_t cpu_usec;	/* CPU time used */
	uint64_t uptime_ms;
	unsigned missing_cg;	/* VS_CG_* limits the host does not delegate */
	bool leftovers;		/* not running but something remains (stop cleans) */
	bool host_network;	/* shares the host's network stack */
};
VS_PUBLIC int vs_guest_status(struct vs_guest *g, struct vs_status *st);
/* The console of a guest started with apps/init/monitor: a connected
 * socket (what the guest writes arrives there, what is sent is its input),
 * or -errno: -ESRCH not running, -EOPNOTSUPP no monitor keeps a console. */
VS_PUBLIC int vs_guest_console(struct vs_guest *g);
/* Its console log, readable also after it stopped, until the next start or
 * its deletion: generation 0 the current file, 1 the older half (rotated
 * at 512 KiB).  A descriptor, or -errno (-ENOENT: none kept). */
VS_PUBLIC int vs_guest_log_open(struct vs_guest *g, unsigned generation);

/* Limits of a guest: one row per limit that is configured or, for a running
 * guest, in force (vx: every id of the kernel's limit mask and the
 * accounting-only ids; both: the cgroup's memory, swap, cpu, cpu-weight).
 * name: a limit name of ABI §3.13, or memory, swap, cpu (unit "ppm":
 * millionths of one CPU; cur = CPU time used in µs, hits = throttled
 * periods), cpu-weight.  Values VS_LIMIT_INF = unlimited,
 * VS_VALUE_UNKNOWN = not known (not running, or not counted). */
#define VS_VALUE_UNKNOWN	(UINT64_MAX - 1)
struct vs_limit {
	char name[16];
	int id;			/* limit id, or -1 for the cgroup rows */
	const char *unit;	/* "", "bytes", "pages", "ppm", "weight" */
	const char *via;	/* context, cgroup, per-process, accounting,
				 * not enforced */
	uint64_t soft, hard, min;	/* limits in force (or configured) */
	uint64_t cur, lo, hi;		/* use: now, lowest, highest */
	uint64_t hits;			/* times the limit was hit */
};
/* *rows is malloc'd (free()). */
VS_PUBLIC int vs_guest_limits(struct vs_guest *g, struct vs_limit **rows, size_t *n);
/* Configured limits the guest's backend/kernel does not enforce, as
 * messages naming the setting (vs_strv_free; NULL when none). */
VS_PUBLIC int vs_guest_limit_warnings(struct vs_guest *g, char ***msgs);
#define VS_LIMIT_SAVE	0x1	/* also write the configuration (atomically) */
/* Changes a limit of a running guest: what = RES, RES.soft, RES.hard,
 * memory, memory-soft, swap, cpu or cpu-weight.  Not running: only with
 * VS_LIMIT_SAVE.  A limit the backend cannot enforce: -EOPNOTSUPP; a bad
 * name or value: -EINVAL; a saved value that conflicts with another
 * setting: -EEXIST (the file is restored). */
VS_PUBLIC int vs_guest_set_limit(struct vs_guest *g, const char *what, const char *value,
				 unsigned flags);

/* Start flags */
#define VS_START_NOWAIT	0x1	/* helper styles: do not wait for cmd.start */
/* Returns 0 when started, 1 when it was running already, or -errno. */
VS_PUBLIC int vs_guest_start(struct vs_guest *g, unsigned flags);
/* Returns 0 when stopped, 1 when it was not running, or -errno.
 * timeout_ms < 0: the guest's apps/init/stop-timeout. */
VS_PUBLIC int vs_guest_stop(struct vs_guest *g, unsigned flags, int timeout_ms);

struct vs_exec_opts {
	char *const *argv;	/* command; NULL for enter = login shell */
	bool pty;		/* fresh pty inside the guest, proxied */
	const char *cwd;	/* inside the guest; default "/" (enter: /root) */
	const char *term;	/* TERM passed in (validated); NULL = none */
};
/* Runs a command inside the running guest; *status is the wait status. */
VS_PUBLIC int vs_guest_exec(struct vs_guest *g, const struct vs_exec_opts *o,
			    int *status);
/* Sends a signal: pid 0 = every process of the guest, else a host pid that
 * must belong to the guest. */
VS_PUBLIC int vs_guest_kill(struct vs_guest *g, pid_t pid, int sig);
/* Waits until the guest stopped; timeout_ms < 0 waits forever.
 * Returns 0 when stopped, -ETIMEDOUT otherwise. */
VS_PUBLIC int vs_guest_wait(struct vs_guest *g, int timeout_ms);

#define VS_DELETE_FORCE	0x1	/* stop it first if running */
VS_PUBLIC int vs_guest_delete(struct vs_ctx *ctx, const char *name, unsigned flags);
/* Renames a stopped guest: its configuration and, when it is the default
 * VDIRBASE/OLD, its root.  -EBUSY while it runs (or is incomplete), -EEXIST
 * when NEW is taken, -EINVAL for a bad name; on failure nothing changed. */
VS_PUBLIC int vs_guest_rename(struct vs_ctx *ctx, const char *old, const char *new);

/* An fd of the static helper vserver-init (from the context's helper
 * directory) for execveat(fd, "", argv, env, AT_EMPTY_PATH): a detached
 * read-only, nodev, nosuid bind mount of it, or on kernels without
 * mount_setattr a sealed memfd copy.  Whatever enters a container from the
 * host execs it as a trampoline, "vserver-init --exec ERRFD FILE ARGV0
 * [ARG...]", so that no process inside runs a host executable it could
 * write to (CVE-2019-5736).  Close-on-exec; the caller closes it. */
VS_PUBLIC int vs_helper_fd(struct vs_ctx *ctx, int *fd);

/* Running guests, from the run directory. */
VS_PUBLIC int vs_running_list(struct vs_ctx *ctx, char ***names);
/* One running guest as vs_running_stats() found it. */
struct vs_running_stat {
	char name[VS_NAME_MAX + 1];
	struct vs_status st;	/* st.running is true */
	uint64_t limit_hits;	/* sum of the hit counters of the limits in
				 * force but the CPU cap's (throttled periods);
				 * VS_VALUE_UNKNOWN when not counted */
	int error;		/* 0, or -errno of the first problem */
	char problem[512];	/* "" or what is wrong: a configuration that is
				 * gone or not trusted (the guest still runs and
				 * stops from its run state), a cgroup that is
				 * gone or not a directory */
};
/* Every running guest, sorted by name, in one pass: each guest's run state,
 * its init's /proc stat and its cgroup files are read once; on the ns
 * backend its configuration is only checked (there and trusted), on vx it
 * is loaded for the context's limits.  A guest with a problem is listed
 * with it, never left out.  *out is malloc'd (free()); -errno only when
 * the run directory cannot be read. */
VS_PUBLIC int vs_running_stats(struct vs_ctx *ctx, struct vs_running_stat **out,
			       size_t *n);
/* The guest a host process belongs to: name (malloc'd) and xid, or
 * -ENOENT when it is a host process. */
VS_PUBLIC int vs_pid_guest(struct vs_ctx *ctx, pid_t pid, char **name,
			   uint32_t *xid);

/* ---------------------------------------------------------------------- */
/* Building guests.                                                        */

struct vs_build_opts {
	const char *method;	/* skeleton busybox debootstrap clone template */
	uint32_t xid;		/* 0 = pick a free one */
	const char *hostname;	/* default: the guest name */
	const struct vs_iface *ifaces;
	size_t n_ifaces;
	bool force;		/* replace an existing (stopped) guest */
	const char *initstyle;	/* default depends on the method */
	const char *backend;	/* pin "ns" or "vx" in the config (optional) */
	const char *vdir;	/* guest root; default VDIRBASE/NAME */
	/* method arguments */
	const char *source;	/* clone: guest name; template: archive path */
	const char *busybox;	/* busybox: binary (default /bin/busybox) */
	const char *suite;	/* debootstrap: suite (default bookworm) */
	const char *mirror;	/* debootstrap: mirror URL */
	const char *variant;	/* debootstrap: variant (default minbase) */
	const char *debootstrap; /* debootstrap: program (default debootstrap) */
	bool no_freeze;		/* clone: copy a running source without freezing it */
	const char *unify;	/* clone: share the source's files: "auto", "reflink"
				 * or "overlay" (NULL = a plain copy); see unify.c */
};
VS_PUBLIC int vs_build(struct vs_ctx *ctx, const char *name,
		       const struct vs_build_opts *o);

/* ---------------------------------------------------------------------- */
/* Unification: guests that share the files of one source (docs/unification.md). */

#define VS_UNIFY_NONE		0
#define VS_UNIFY_REFLINK	1	/* the file system shares extents (FICLONE) */
#define VS_UNIFY_OVERLAY	2	/* overlayfs over a shared read-only base */
struct vs_unify_info {
	int mode;		/* VS_UNIFY_* */
	char source[VS_NAME_MAX + 1];	/* the guest it was cloned from */
	char base[4096];	/* overlay: the shared lower layer */
	char upper[4096];	/* overlay: the guest's own files */
	char work[4096];	/* overlay: overlayfs's work directory */
	unsigned users;		/* overlay: guests that share the base, this one too */
};
VS_PUBLIC int vs_guest_unify_info(struct vs_ctx *ctx, const char *name,
				  struct vs_unify_info *info);
VS_PUBLIC const char *vs_unify_mode_name(int mode);

/* Disk use of a guest's tree (hard links counted once).  Allocated bytes
 * are split into those of extents the file system shares with other files
 * (reflinks, dedupe: FIEMAP_EXTENT_SHARED) and the guest's own; for an
 * overlay guest the upper layer is private and the base is shared. */
struct vs_disk_usage {
	uint64_t files;		/* regular files (inodes) */
	uint64_t apparent;	/* sum of file sizes */
	uint64_t allocated;	/* blocks, of everything in the tree */
	uint64_t shared;	/* of allocated: shared extents, or the base */
	uint64_t private_bytes;	/* of allocated: the guest's alone */
};
VS_PUBLIC int vs_guest_disk_usage(struct vs_ctx *ctx, const char *name,
				  struct vs_disk_usage *du);
/* The same for any directory tree (never leaving its file system). */
VS_PUBLIC int vs_tree_disk_usage(struct vs_ctx *ctx, const char *dir,
				 struct vs_disk_usage *du);

/* ---------------------------------------------------------------------- */
/* The vserver system call (vx backend; ABI §4-5).  All return the kernel's
 * answer or -errno; -ENOSYS when the kernel lacks the interface.          */

VS_PUBLIC long vs_vx_call(uint32_t cmd, uint32_t id, void *data);
VS_PUBLIC int vs_vx_get_version(void);
VS_PUBLIC int vs_vx_get_vci(uint32_t *vci);
/* Inode attributes (IATTR_*, §5.12) of PATH, whose last component is not
 * followed if it is a symbolic link.  get: *flags the attributes set,
 * *mask those the inode can carry (either may be NULL).  set: the bits of
 * MASK become those of FLAGS; -EPERM unless the host with
 * CAP_LINUX_IMMUTABLE; -EOPNOTSUPP on a file system without xattrs. */
VS_PUBLIC int vs_vx_get_iattr(const char *path, uint32_t *flags, uint32_t *mask);
VS_PUBLIC int vs_vx_set_iattr(const char *path, uint32_t flags, uint32_t mask);
VS_PUBLIC int vs_vx_ctx_create(uint32_t xid, uint64_t flags);
VS_PUBLIC int vs_vx_ctx_migrate(uint32_t xid, uint64_t flags);
VS_PUBLIC int vs_vx_task_xid(pid_t pid, uint32_t *xid);
VS_PUBLIC int vs_vx_task_nid(pid_t pid, uint32_t *nid);
VS_PUBLIC int vs_vx_info(uint32_t xid, uint32_t *initpid);
VS_PUBLIC int vs_vx_ctx_stat(uint32_t xid, uint32_t *usecnt, uint32_t *tasks);
VS_PUBLIC int vs_vx_virt_stat(uint32_t xid, uint64_t *uptime_ns,
			      uint32_t *nr_threads);
VS_PUBLIC int vs_vx_get_cflags(uint32_t xid, uint64_t *flags, uint64_t *mask);
VS_PUBLIC int vs_vx_set_cflags(uint32_t xid, uint64_t flags, uint64_t mask);
VS_PUBLIC int vs_vx_get_ccaps(uint32_t xid, uint64_t *ccaps, uint64_t *bcaps);
VS_PUBLIC int vs_vx_set_ccaps(uint32_t xid, uint64_t ccaps, uint64_t cmask);
VS_PUBLIC int vs_vx_set_bcaps(uint32_t xid, uint64_t bcaps, uint64_t bmask);
VS_PUBLIC int vs_vx_get_umask(uint32_t xid, uint64_t *umask);
VS_PUBLIC int vs_vx_set_umask(uint32_t xid, uint64_t umask, uint64_t mask);
VS_PUBLIC int vs_vx_get_vhi_name(uint32_t xid, uint32_t field, char *buf, size_t len);
VS_PUBLIC int vs_vx_set_vhi_name(uint32_t xid, uint32_t field, const char *value);
VS_PUBLIC int vs_vx_set_space(uint32_t xid, uint64_t mask, uint32_t index);
VS_PUBLIC int vs_vx_enter_space(uint32_t xid, uint64_t mask, uint32_t index);
VS_PUBLIC int vs_vx_get_space_mask(uint64_t *mask);
VS_PUBLIC int vs_vx_ctx_kill(uint32_t xid, pid_t pid, int sig);
VS_PUBLIC int vs_vx_wait_exit(uint32_t xid, int *reboot_cmd, int *exit_code);
VS_PUBLIC int vs_vx_get_rlimit(uint32_t xid, uint32_t id, uint64_t *soft, uint64_t *hard);
VS_PUBLIC int vs_vx_set_rlimit(uint32_t xid, uint32_t id, uint64_t soft, uint64_t hard);
VS_PUBLIC int vs_vx_rlimit_stat(uint32_t xid, uint32_t id, uint64_t *value, uint32_t *hits);
VS_PUBLIC int vs_vx_get_rlimit_mask(uint32_t *min, uint32_t *soft, uint32_t *max);
/* rlimit_stat with the lowest and highest use since reset_minmax. */
VS_PUBLIC int vs_vx_rlimit_stat_full(uint32_t xid, uint32_t id, uint64_t *value, uint64_t *min,
				     uint64_t *max, uint32_t *hits);
VS_PUBLIC int vs_vx_reset_hits(uint32_t xid);
/* Inode attributes (IATTR_*) of the file open as fd, as vs_vx_get_iattr /
 * vs_vx_set_iattr by path: stored on disk (security.vserver) by the
 * patched kernel; setting needs the host and CAP_LINUX_IMMUTABLE. */
VS_PUBLIC int vs_vx_fget_iattr(int fd, uint32_t *flags, uint32_t *mask);
VS_PUBLIC int vs_vx_fset_iattr(int fd, uint32_t flags, uint32_t mask);
VS_PUBLIC int vs_vx_reset_minmax(uint32_t xid);
VS_PUBLIC int vs_vx_net_create(uint32_t nid);
VS_PUBLIC int vs_vx_net_migrate(uint32_t nid);
VS_PUBLIC int vs_vx_net_add(uint32_t nid, const struct vs_iface *ifc);
VS_PUBLIC int vs_vx_get_nflags(uint32_t nid, uint64_t *flags, uint64_t *mask);
VS_PUBLIC int vs_vx_set_nflags(uint32_t nid, uint64_t flags, uint64_t mask);
VS_PUBLIC int vs_vx_set_ncaps(uint32_t nid, uint64_t ncaps, uint64_t mask);
VS_PUBLIC int vs_vx_get_ncaps(uint32_t nid, uint64_t *ncaps);

/* Network contexts (ABI §5.7): one address entry as the v2 IPv4 and v1
 * IPv6 commands take it.  type is NXA_TYPE_ADDR, _MASK or _RANGE (IPv4),
 * possibly with NXA_MOD_BCAST or NXA_MOD_LBACK, or NXA_TYPE_ANY. */
struct vs_nx_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint16_t type;
	uint16_t flags;		/* entry flags, matched on removal */
	unsigned prefix;
	unsigned char ip[16];	/* network byte order */
	unsigned char ip2[16];	/* range end (exclusive), IPv4 */
	unsigned char mask[16];
};
enum vs_nx_kind {
	VS_NX_IP,		/* A[/P]: an address (0.0.0.0: any) */
	VS_NX_MASK,		/* A/P: a network */
	VS_NX_RANGE,		/* A-B[/P]: IPv4 range */
	VS_NX_BCAST,		/* A: the broadcast address */
	VS_NX_LBACK,		/* A: the loopback address (127/8) */
};
VS_PUBLIC int vs_nx_addr_parse(enum vs_nx_kind kind, const char *spec,
			       struct vs_nx_addr *out, char *err, size_t errlen);
VS_PUBLIC int vs_nx_addr_from_iface(const struct vs_iface *ifc, struct vs_nx_addr *out);
VS_PUBLIC int vs_nx_addr_format(const struct vs_nx_addr *a, char *buf, size_t len);
VS_PUBLIC int vs_vx_net_create_flags(uint32_t nid, uint64_t flags);
VS_PUBLIC int vs_vx_net_addr(uint32_t nid, bool add, const struct vs_nx_addr *a);
/* Removes every IPv4 (AF_INET) or IPv6 (AF_INET6) entry. */
VS_PUBLIC int vs_vx_net_remove_all(uint32_t nid, int family);
/* 0 when the network context exists, -ESRCH otherwise. */
VS_PUBLIC int vs_vx_nx_info(uint32_t nid);

/* Network view of a guest (vserver-stat, status). */
struct vs_net_info {
	int mode;		/* VS_NET_* */
	uint32_t nid;		/* vx: network context, 0 = none */
	uint64_t nflags;	/* vx: the context's flags */
	char lback[16];		/* vx: loopback address */
	char veth[16];		/* ns veth: host end */
	char **addrs;		/* "ip/prefix" of the guest (free with vs_strv_free) */
};
enum {
	VS_NET_HOST = 1,	/* the host's stack, no isolation */
	VS_NET_NX = 2,		/* vx network context on the host's stack */
	VS_NET_NETNS = 3,	/* private namespace, loopback only */
	VS_NET_VETH = 4,	/* private namespace with a veth pair to the host */
};
VS_PUBLIC const char *vs_net_mode_name(int mode);
/* Of a running guest; -ESRCH when it does not run. */
VS_PUBLIC int vs_guest_net_info(struct vs_guest *g, struct vs_net_info *ni);
VS_PUBLIC void vs_net_info_clear(struct vs_net_info *ni);
/* The configured addresses ("ip/prefix", interfaces/N), running or not;
 * *addrs is NULL when there are none (free with vs_strv_free). */
VS_PUBLIC int vs_guest_addresses(struct vs_guest *g, char ***addrs);

#ifdef __cplusplus
}
#endif
#endif /* VSERVER_H */
