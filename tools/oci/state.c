/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run state: ROOT/ID/ (root-only) holds state.json (ours), config.json (a
 * copy taken at create, so that exec and delete read what the container was
 * made from) and exec.fifo (the create/start rendezvous).  The directory
 * itself is the container's lock: every command takes flock() on it, and
 * a command that got the lock of a directory that was removed meanwhile
 * finds no state.json and says the container does not exist. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

const char *oci_root = "/run/vserver-oci";

/* --root and its missing parents, as runc makes them: containerd's shim
 * passes /run/containerd/runc/NAMESPACE and leaves creating it to us */
static int root_dir(void)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s", oci_root) >= (int)sizeof(p))
		return oci_err(-ENAMETOOLONG, "--root %s: too long", oci_root);
	for (char *c = p + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return oci_err(-errno, "--root %s: %s: %s", oci_root, p, strerror(errno));
		*c = '/';
	}
	if (mkdir(oci_root, 0700) < 0 && errno != EEXIST)
		return oci_err(-errno, "--root %s: %s", oci_root, strerror(errno));
	return 0;
}

static int lock_dir(struct oci_state *st)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", oci_root, st->id);
	st->dir = strdup(p);
	st->dirfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (st->dirfd < 0)
		return errno == ENOENT ? oci_err(-ENOENT, "container %s does not exist", st->id)
				       : oci_err(-errno, "%s: %s", p, strerror(errno));
	if (flock(st->dirfd, LOCK_EX) < 0)
		return oci_err(-errno, "lock %s: %s", p, strerror(errno));
	return 0;
}

int oci_state_create(const char *id, struct oci_state *st)
{
	char p[PATH_MAX];
	int r;

	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
	if (vs_name_check(id) < 0)
		return oci_err(-EINVAL, "\"%s\" is not a valid container id ([A-Za-z0-9][A-Za-z0-9._-]"
			       ", at most %d characters)", id, VS_NAME_MAX);
	snprintf(st->id, sizeof(st->id), "%s", id);
	if ((r = root_dir()) < 0)
		return r;
	snprintf(p, sizeof(p), "%s/%s", oci_root, id);
	if (mkdir(p, 0700) < 0)
		return errno == EEXIST ? oci_err(-EEXIST, "container %s exists already", id)
				       : oci_err(-errno, "%s: %s", p, strerror(errno));
	return lock_dir(st);
}

int oci_state_open(const char *id, struct oci_state *st)
{
	struct json_object *o = NULL, *v;
	char p[PATH_MAX];
	int r;

	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
	if (vs_name_check(id) < 0)
		return oci_err(-EINVAL, "\"%s\" is not a valid container id", id);
	snprintf(st->id, sizeof(st->id), "%s", id);
	if ((r = lock_dir(st)) < 0)
		return r;
	snprintf(p, sizeof(p), "%s/state.json", st->dir);
	if (access(p, F_OK) < 0)
		return oci_err(-ENOENT, "container %s does not exist", id);
	if ((r = oci_json_read_file(p, &o)) < 0)
		return r;
#define STR(k, dst) if (json_object_object_get_ex(o, k, &v)) dst = strdup(json_object_get_string(v))
	STR("bundle", st->bundle);
	STR("created", st->created);
	STR("cgroup", st->cgroup);
	STR("barrier", st->barrier);
	STR("barrier_key", st->barrier_key);
#undef STR
	if (json_object_object_get_ex(o, "pid", &v))
		st->pid = (pid_t)json_object_get_int(v);
	if (json_object_object_get_ex(o, "starttime", &v))
		st->starttime = json_object_get_uint64(v);
	if (json_object_object_get_ex(o, "started", &v))
		st->started = json_object_get_boolean(v);
#define B(k) if (json_object_object_get_ex(o, #k, &v)) st->k = json_object_get_boolean(v)
	B(v1_memory); B(v1_pids); B(v1_cpu); B(v1_devices);
#undef B
	if (json_object_object_get_ex(o, "annotations", &v) &&
	    json_object_is_type(v, json_type_object)) {
		size_t n = 0;
		st->annotations = calloc(2 * (size_t)json_object_object_length(v) + 1,
					 sizeof(char *));
		json_object_object_foreach(v, key, val) {
			st->annotations[n++] = strdup(key);
			st->annotations[n++] = strdup(json_object_get_string(val));
		}
	}
	json_object_put(o);
	return 0;
}

static struct json_object *annotations_json(char **a)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; a && a[i] && a[i + 1]; i += 2)
		json_object_object_add(o, a[i], json_object_new_string(a[i + 1]));
	return o;
}

int oci_state_save(struct oci_state *st)
{
	struct json_object *o = json_object_new_object();
	char p[PATH_MAX], t[PATH_MAX];
	const char *s;
	int fd, r = 0;

	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	json_object_object_add(o, "starttime", json_object_new_uint64(st->starttime));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle ? st->bundle : ""));
	json_object_object_add(o, "created", json_object_new_string(st->created ? st->created : ""));
	json_object_object_add(o, "cgroup", json_object_new_string(st->cgroup ? st->cgroup : ""));
	json_object_object_add(o, "started", json_object_new_boolean(st->started));
	json_object_object_add(o, "v1_memory", json_object_new_boolean(st->v1_memory));
	json_object_object_add(o, "v1_pids", json_object_new_boolean(st->v1_pids));
	json_object_object_add(o, "v1_cpu", json_object_new_boolean(st->v1_cpu));
	json_object_object_add(o, "v1_devices", json_object_new_boolean(st->v1_devices));
	if (st->barrier_key) {
		json_object_object_add(o, "barrier", json_object_new_string(st->barrier));
		json_object_object_add(o, "barrier_key", json_object_new_string(st->barrier_key));
	}
	json_object_object_add(o, "annotations", annotations_json(st->annotations));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	snprintf(p, sizeof(p), "%s/state.json", st->dir);
	snprintf(t, sizeof(t), "%s/.state.json.tmp", st->dir);
	/* written whole and renamed: a reader never sees half of it */
	fd = open(t, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s) || close(fd) < 0 ||
	    rename(t, p) < 0)
		r = oci_err(-errno, "%s: %s", p, strerror(errno));
	json_object_put(o);
	return r;
}

void oci_state_close(struct oci_state *st)
{
	if (st->dirfd >= 0)
		close(st->dirfd);
	free(st->dir);
	free(st->bundle);
	free(st->created);
	free(st->cgroup);
	free(st->barrier);
	free(st->barrier_key);
	oci_strv_free(st->annotations);
	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
}

int oci_state_remove(struct oci_state *st)
{
	static const char *const files[] = { "state.json", ".state.json.tmp", "config.json",
		"config.json.new" /* an update cut short */, "exec.fifo", NULL };

	for (size_t i = 0; files[i]; i++)
		unlinkat(st->dirfd, files[i], 0);
	if (rmdir(st->dir) < 0 && errno != ENOENT)
		return oci_err(-errno, "%s: %s", st->dir, strerror(errno));
	return 0;
}

/* The start time (field 22 of /proc/PID/stat) tells our init from a
 * process that got its pid later. */
static bool init_alive(const struct oci_state *st)
{
	char p[64], buf[1024], *c;
	unsigned long long start = 0;
	char state;
	FILE *f;

	if (st->pid <= 0)
		return false;
	snprintf(p, sizeof(p), "/proc/%d/stat", st->pid);
	if (!(f = fopen(p, "re")))
		return false;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return false;
	}
	fclose(f);
	c = strrchr(buf, ')');
	if (!c || sscanf(c + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu", &state, &start) != 2)
		return false;
	return state != 'Z' && state != 'X' && start == st->starttime;
}

enum oci_status oci_state_status(struct oci_state *st)
{
	if (st->pid <= 0)
		return ST_CREATING;
	if (!init_alive(st))
		return ST_STOPPED;
	if (!st->started)
		return ST_CREATED;
	return oci_cgroup_frozen(st) ? ST_PAUSED : ST_RUNNING;
}

const char *oci_status_name(enum oci_status s)
{
	static const char *const n[] = { "creating", "created", "running", "paused", "stopped" };
	return n[s];
}

char *oci_state_json(struct oci_state *st, enum oci_status s)
{
	struct json_object *o = json_object_new_object();
	char *r;

	json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION));
	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "status", json_object_new_string(oci_status_name(s)));
	json_object_object_add(o, "pid", json_object_new_int(s == ST_STOPPED ? 0 : st->pid));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle ? st->bundle : ""));
	json_object_object_add(o, "rootfs", json_object_new_string(""));
	json_object_object_add(o, "created", json_object_new_string(st->created ? st->created : ""));
	json_object_object_add(o, "owner", json_object_new_string(""));
	if (st->barrier_key) {
		json_object_object_add(o, "barrier", json_object_new_string(st->barrier));
		json_object_object_add(o, "barrier_key", json_object_new_string(st->barrier_key));
	}
	json_object_object_add(o, "annotations", annotations_json(st->annotations));
	json_object_object_del(o, "rootfs");
	r = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return r;
}

int oci_state_list(char ***ids)
{
	DIR *d = opendir(oci_root);
	struct dirent *e;
	size_t n = 0;
	char **v = calloc(1, sizeof(char *));

	*ids = v;
	if (!d)
		return errno == ENOENT ? 0 : oci_err(-errno, "%s: %s", oci_root, strerror(errno));
	while ((e = readdir(d))) {
		char **nv;
		if (e->d_name[0] == '.' || vs_name_check(e->d_name) < 0)
			continue;
		nv = realloc(v, (n + 2) * sizeof(char *));
		if (!nv)
			break;
		v = nv;
		v[n++] = strdup(e->d_name);
		v[n] = NULL;
	}
	closedir(d);
	*ids = v;
	return 0;
}
