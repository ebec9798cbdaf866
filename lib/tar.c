/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Extraction of template archives (tar: ustar, GNU long names, pax; plain or
 * compressed with gzip, xz, zstd or bzip2 through the usual programs).
 *
 * An archive is untrusted input.  Every member path is cleaned: a leading
 * "/" is stripped (neutralised), ".." refuses the member.  Every directory
 * on the way is opened without following links, so a member cannot write
 * through a link an earlier member planted.  Symbolic links whose target
 * climbs above the guest root are refused; hard links may only point at
 * members inside the tree; device nodes are refused; set-user-id and
 * set-group-id bits are removed.  Each such decision is reported.
 *
 * Those policy decisions are warnings; an error of the file system we write
 * to (ENOSPC, EDQUOT, EMFILE, EIO …) fails the extraction: a guest with part
 * of its files must never count as built.  Sparse members (GNU type 'S',
 * pax GNU.sparse.*) and multi-volume continuations are refused with the
 * archive: their data is not the file's content, so extracting it as a
 * plain file would silently produce something else.  (Supporting them
 * would mean more hand-written parsing of a rarely used format; a template
 * is recreated without --sparse at no cost.) */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

#define BLOCK 512
#define MAX_LONGNAME 8192
#define MAX_PAX (1 << 20)
#define MAX_WARNINGS 25

struct hdr {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8];
	char typeflag, linkname[100], magic[6], version[2], uname[32], gname[32];
	char devmajor[8], devminor[8], prefix[155], pad[12];
};

struct reader {
	int fd;
	pid_t filter;
	const char *filter_name;
	bool filter_eof;	/* the decompressor's output ended */
	uint64_t offset;
};

struct entry {
	char path[PATH_MAX];
	char link[PATH_MAX];
	char type;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	uint64_t size;
	time_t mtime;
	bool sparse;		/* pax GNU.sparse.* records */
};

struct xstate {
	struct vs_ctx *ctx;
	int rootfd;
	struct vs_tar_stats *st;
	unsigned warnings;
};

static void report(struct xstate *x, const char *fmt, ...) VS_PRINTF(2, 3);
static void report(struct xstate *x, const char *fmt, ...)
{
	char buf[PATH_MAX + 128];
	va_list ap;

	if (++x->warnings > MAX_WARNINGS) {
		if (x->warnings == MAX_WARNINGS + 1)
			vs_warn(x->ctx, "template: further warnings suppressed");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vs_warn(x->ctx, "template: %s", buf);
}

int vs_tar_octal(const char *field, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len && ((unsigned char)field[0] & 0x80)) {
		/* GNU base-256: big-endian, first byte's top bit is the marker */
		if ((unsigned char)field[0] & 0x40)
			return -EINVAL;	/* negative */
		v = (unsigned char)field[0] & 0x3f;
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return -ERANGE;
			v = (v << 8) | (unsigned char)field[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && field[i] == ' ')
		i++;
	if (i == len || field[i] == '\0')
		return -EINVAL;
	for (; i < len && field[i] >= '0' && field[i] <= '7'; i++) {
		if (v >> 61)
			return -ERANGE;
		v = (v << 3) | (uint64_t)(field[i] - '0');
	}
	for (; i < len; i++)
		if (field[i] != ' ' && field[i] != '\0')
			return -EINVAL;
	*out = v;
	return 0;
}

int vs_tar_path_clean(const char *in, char *out, size_t len, bool *stripped)
{
	size_t o = 0;
	const char *p = in;

	*stripped = false;
	if (!in || !*in)
		return -EINVAL;
	if (*p == '/') {
		*stripped = true;
		while (*p == '/')
			p++;
	}
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -EINVAL;
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		if (n && !(n == 1 && p[0] == '.')) {
			if (o + n + 2 > len)
				return -ENAMETOOLONG;
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	out[o] = '\0';
	return o ? 0 : -ENOENT;	/* -ENOENT: the root itself */
}

bool vs_symlink_escapes(const char *linkpath, const char *target)
{
	int depth = 0;
	const char *p;

	if (target[0] == '/')
		return false;	/* resolved inside the guest's own root */
	/* depth of the directory holding the link */
	for (p = linkpath; *p; p++)
		if (*p == '/')
			depth++;
	for (p = target; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (n && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

/* ---- reading -------------------------------------------------------------- */

static int read_exact(struct reader *r, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(r->fd, (char *)buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) {
			r->filter_eof = true;
			return -EPIPE;	/* truncated */
		}
		got += (size_t)n;
	}
	r->offset += len;
	return 0;
}

static int skip_data(struct reader *r, uint64_t size)
{
	char buf[BLOCK * 16];
	uint64_t left = (size + BLOCK - 1) / BLOCK * BLOCK;

	while (left) {
		size_t n = left > sizeof(buf) ? sizeof(buf) : (size_t)left;
		int e = read_exact(r, buf, n);
		if (e < 0)
			return e;
		left -= n;
	}
	return 0;
}

static int read_blob(struct reader *r, uint64_t size, size_t max, char **out)
{
	char *buf;
	uint64_t padded = (size + BLOCK - 1) / BLOCK * BLOCK;
	int e;

	if (size > max)
		return -E2BIG;
	buf = malloc((size_t)padded + 1);
	if (!buf)
		return -ENOMEM;
	e = read_exact(r, buf, (size_t)padded);
	if (e < 0) {
		free(buf);
		return e;
	}
	buf[size] = '\0';
	*out = buf;
	return 0;
}

static bool checksum_ok(const unsigned char *b)
{
	uint64_t want, sum = 0;

	for (int i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : b[i];
	return vs_tar_octal((const char *)b + 148, 8, &want) == 0 && want == sum;
}

/* Applies pax records we understand to the entry. */
static int apply_pax(const char *data, size_t len, struct entry *e, bool *has_path,
		     bool *has_link)
{
	const char *p = data, *end = data + len;

	while (p < end) {
		char *sp, *eq;
		uint64_t rl = 0;
		const char *q = p;

		while (q < end && *q >= '0' && *q <= '9') {
			rl = rl * 10 + (uint64_t)(*q - '0');
			if (rl > len)
				return -EINVAL;
			q++;
		}
		if (q == p || q >= end || *q != ' ' || rl < 5 || (uint64_t)(end - p) < rl ||
		    p[rl - 1] != '\n')
			return -EINVAL;
		sp = (char *)q + 1;
		eq = memchr(sp, '=', (size_t)(p + rl - 1 - sp));
		if (!eq)
			return -EINVAL;
		{
			size_t klen = (size_t)(eq - sp), vlen = (size_t)(p + rl - 1 - (eq + 1));
			const char *val = eq + 1;
			if (klen == 4 && !memcmp(sp, "path", 4)) {
				if (vlen >= sizeof(e->path) || memchr(val, '\0', vlen))
					return -EINVAL;
				memcpy(e->path, val, vlen);
				e->path[vlen] = '\0';
				*has_path = true;
			} else if (klen == 8 && !memcmp(sp, "linkpath", 8)) {
				if (vlen >= sizeof(e->link) || memchr(val, '\0', vlen))
					return -EINVAL;
				memcpy(e->link, val, vlen);
				e->link[vlen] = '\0';
				*has_link = true;
			} else if (klen == 4 && !memcmp(sp, "size", 4)) {
				char num[32];
				if (vlen >= sizeof(num))
					return -EINVAL;
				memcpy(num, val, vlen);
				num[vlen] = '\0';
				if (vs_parse_u64(num, 0, UINT64_MAX / 2, &e->size) < 0)
					return -EINVAL;
			}
			else if (klen > 11 && !memcmp(sp, "GNU.sparse.", 11))
				e->sparse = true;
			/* uid, gid, mtime, xattrs ...: the ustar fields suffice */
		}
		p += rl;
	}
	return 0;
}

/* Reads the next member's header (following long-name and pax headers).
 * Returns 1 with *e filled, 0 at the end of the archive, or -errno. */
static int next_entry(struct reader *r, struct entry *e, struct xstate *x)
{
	bool has_path = false, has_link = false;
	uint64_t pax_size = UINT64_MAX;

	for (;;) {
		unsigned char b[BLOCK];
		struct hdr *h = (struct hdr *)b;
		uint64_t v;
		int err;
		bool zero = true;

		err = read_exact(r, b, BLOCK);
		if (err == -EPIPE && r->offset == 0)
			return vs_err(x->ctx, -EBADMSG, "template: the archive is empty");
		if (err < 0)
			return vs_err(x->ctx, err, "template: %s at offset %llu",
				      err == -EPIPE ? "archive truncated" : strerror(-err),
				      (unsigned long long)r->offset);
		for (int i = 0; i < BLOCK && zero; i++)
			zero = b[i] == 0;
		if (zero)
			return 0;
		if (!checksum_ok(b))
			return vs_err(x->ctx, -EBADMSG, "template: bad header checksum at offset %llu "
				      "(not a tar archive, or damaged)",
				      (unsigned long long)(r->offset - BLOCK));
		if (vs_tar_octal(h->size, sizeof(h->size), &v) < 0 || v > UINT64_MAX / 2)
			return vs_err(x->ctx, -EBADMSG, "template: bad size field at offset %llu",
				      (unsigned long long)(r->offset - BLOCK));
		if (h->typeflag == 'L' || h->typeflag == 'K') {
			char *blob;
			err = read_blob(r, v, MAX_LONGNAME, &blob);
			if (err < 0)
				return vs_err(x->ctx, -EBADMSG, "template: bad long name record");
			snprintf(h->typeflag == 'L' ? e->path : e->link, PATH_MAX, "%s", blob);
			if (h->typeflag == 'L')
				has_path = true;
			else
				has_link = true;
			free(blob);
			continue;
		}
		if (h->typeflag == 'x' || h->typeflag == 'g') {
			char *blob;
			err = read_blob(r, v, MAX_PAX, &blob);
			if (err < 0)
				return vs_err(x->ctx, -EBADMSG, "template: bad pax header");
			if (h->typeflag == 'x') {
				uint64_t sz = UINT64_MAX;
				struct entry tmp = *e;
				tmp.size = UINT64_MAX;
				err = apply_pax(blob, (size_t)v, &tmp, &has_path, &has_link);
				sz = tmp.size;
				e->sparse |= tmp.sparse;
				memcpy(e->path, tmp.path, sizeof(e->path));
				memcpy(e->link, tmp.link, sizeof(e->link));
				pax_size = sz;
			}
			free(blob);
			if (err < 0)
				return vs_err(x->ctx, -EBADMSG, "template: malformed pax header at offset "
					      "%llu", (unsigned long long)r->offset);
			continue;
		}
		e->type = h->typeflag ? h->typeflag : '0';
		e->size = pax_size != UINT64_MAX ? pax_size : v;
		if (!has_path) {
			char name[101], prefix[156];
			memcpy(name, h->name, 100);
			name[100] = '\0';
			memcpy(prefix, h->prefix, 155);
			prefix[155] = '\0';
			if (!memcmp(h->magic, "ustar", 5) && prefix[0])
				snprintf(e->path, sizeof(e->path), "%s/%s", prefix, name);
			else
				snprintf(e->path, sizeof(e->path), "%s", name);
		}
		if (!has_link) {
			memcpy(e->link, h->linkname, 100);
			e->link[100] = '\0';
		}
		if (vs_tar_octal(h->mode, sizeof(h->mode), &v) < 0)
			return vs_err(x->ctx, -EBADMSG, "template: %s: bad mode", e->path);
		e->mode = (mode_t)(v & 07777);
		if (vs_tar_octal(h->uid, sizeof(h->uid), &v) < 0 || v > UINT32_MAX - 1)
			return vs_err(x->ctx, -EBADMSG, "template: %s: bad uid", e->path);
		e->uid = (uid_t)v;
		if (vs_tar_octal(h->gid, sizeof(h->gid), &v) < 0 || v > UINT32_MAX - 1)
			return vs_err(x->ctx, -EBADMSG, "template: %s: bad gid", e->path);
		e->gid = (gid_t)v;
		e->mtime = vs_tar_octal(h->mtime, sizeof(h->mtime), &v) == 0 ? (time_t)v : 0;
		return 1;
	}
}

/* ---- writing ---------------------------------------------------------------- */

/* Opens (creating) the parent directory of a cleaned path, following no
 * link; *base points at the last component. */
static int open_parent(struct xstate *x, const char *path, const char **base, bool create)
{
	char buf[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd = openat(x->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*base = slash ? slash + 1 : path;
	if (fd < 0 || !slash)
		return fd < 0 ? -errno : fd;
	memcpy(buf, path, (size_t)(slash - path));
	buf[slash - path] = '\0';
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
				int e = -errno;
				close(fd);
				return e;
			}
			next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		close(fd);
		if (next < 0)
			return -errno;
		fd = next;
	}
	return fd;
}

static int copy_out(struct reader *r, int fd, uint64_t size)
{
	char buf[BLOCK * 32];
	uint64_t left = size, pad = (BLOCK - size % BLOCK) % BLOCK;

	while (left) {
		size_t n = left > sizeof(buf) ? sizeof(buf) : (size_t)left;
		int e = read_exact(r, buf, n);
		if (e < 0)
			return e;
		for (size_t o = 0; o < n;) {
			ssize_t w = write(fd, buf + o, n - o);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			o += (size_t)w;
		}
		left -= n;
	}
	return pad ? read_exact(r, buf, (size_t)pad) : 0;
}

static int set_attrs(int dfd, const char *base, const struct entry *e, bool is_link)
{
	struct timespec ts[2] = { { .tv_sec = e->mtime }, { .tv_sec = e->mtime } };

	if (fchownat(dfd, base, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!is_link && fchmodat(dfd, base, e->mode, 0) < 0)
		return -errno;
	if (utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

/* Makes room for a new member at dfd/base: an existing non-directory is
 * replaced, an existing directory is kept only for a directory member. */
static int make_room(int dfd, const char *base, bool want_dir)
{
	struct stat st;

	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return want_dir ? 1 : -EISDIR;
	if (unlinkat(dfd, base, 0) < 0)
		return -errno;
	return 0;
}

/* Errors of the file system being written to: the guest would be partial. */
static bool fs_failure(int err)
{
	switch (-err) {
	case ENOSPC: case EDQUOT: case EMFILE: case ENFILE: case EIO: case EROFS:
	case ENOMEM: case EFBIG: case ENOBUFS: case EUCLEAN:
		return true;
	}
	return false;
}

static int extract_one(struct xstate *x, struct reader *r, struct entry *e)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	_cleanup_close_ int dfd = -1;
	bool stripped = false, stripped2;
	int err;

	err = vs_tar_path_clean(e->path, path, sizeof(path), &stripped);
	if (err == -ENOENT)
		return skip_data(r, e->type == '0' || e->type == '7' ? e->size : 0);
	if (err < 0) {
		x->st->refused++;
		report(x, "%s: refused (%s)", e->path,
		       err == -EINVAL ? "contains '..'" : "path too long");
		return skip_data(r, e->type == '0' || e->type == '7' ? e->size : 0);
	}
	if (stripped) {
		x->st->neutralised++;
		report(x, "%s: absolute path, extracted as %s", e->path, path);
	}
	if (e->sparse || e->type == 'S' || e->type == 'M')
		return vs_err(x->ctx, -ENOTSUP, "template: %s: %s member; this archive is not "
			      "supported (recreate it without --sparse / multi-volume)", path,
			      e->type == 'M' ? "multi-volume continuation" :
			      e->sparse ? "pax sparse (GNU.sparse)" : "GNU sparse");
	if (e->type == '3' || e->type == '4') {
		x->st->refused++;
		report(x, "%s: device node refused", path);
		return skip_data(r, 0);
	}
	if (e->type != '0' && e->type != '7' && e->type != '1' && e->type != '2' &&
	    e->type != '5' && e->type != '6') {
		x->st->refused++;
		report(x, "%s: unsupported member type '%c' skipped", path, e->type);
		return skip_data(r, e->size);
	}
	if ((e->mode & (S_ISUID | S_ISGID)) && e->type != '5') {
		x->st->neutralised++;
		report(x, "%s: set-user-id/set-group-id bits removed", path);
		e->mode &= (mode_t)~(S_ISUID | S_ISGID);
	}
	dfd = open_parent(x, path, &base, true);
	if (dfd < 0 && fs_failure(dfd))
		return vs_err(x->ctx, dfd, "template: %s: %s", path, strerror(-dfd));
	if (dfd < 0) {
		x->st->refused++;
		report(x, "%s: refused (%s on the way)", path,
		       dfd == -ELOOP || dfd == -ENOTDIR ? "a symbolic link or file" : strerror(-dfd));
		return skip_data(r, e->type == '0' || e->type == '7' ? e->size : 0);
	}
	switch (e->type) {
	case '5':
		err = make_room(dfd, base, true);
		if (err == 0 && mkdirat(dfd, base, 0700) < 0)
			err = -errno;
		if (err >= 0)
			err = set_attrs(dfd, base, e, false);
		if (err >= 0)
			x->st->dirs++;
		break;
	case '0':
	case '7': {
		_cleanup_close_ int fd = -1;
		err = make_room(dfd, base, false);
		if (err < 0)
			break;
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			err = -errno;
			break;
		}
		err = copy_out(r, fd, e->size);
		if (err < 0)
			return vs_err(x->ctx, err, "template: %s: %s", path,
				      err == -EPIPE ? "archive truncated" : strerror(-err));
		err = set_attrs(dfd, base, e, false);
		if (err >= 0)
			x->st->files++;
		return err < 0 ? vs_err(x->ctx, err, "template: %s: %s", path, strerror(-err)) : 0;
	}
	case '2':
		if (!e->link[0] || vs_symlink_escapes(path, e->link)) {
			x->st->refused++;
			report(x, "%s: symbolic link to '%s' leaves the guest root; refused", path,
			       e->link);
			return 0;
		}
		err = make_room(dfd, base, false);
		if (err == 0 && symlinkat(e->link, dfd, base) < 0)
			err = -errno;
		if (err >= 0)
			err = set_attrs(dfd, base, e, true);
		if (err >= 0)
			x->st->symlinks++;
		break;
	case '1': {
		const char *tbase;
		_cleanup_close_ int tfd = -1;
		struct stat st;
		err = vs_tar_path_clean(e->link, target, sizeof(target), &stripped2);
		if (err < 0) {
			x->st->refused++;
			report(x, "%s: hard link to '%s' leaves the guest root; refused", path, e->link);
			return 0;
		}
		tfd = open_parent(x, target, &tbase, false);
		if (tfd < 0 || fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode)) {
			x->st->refused++;
			report(x, "%s: hard link to '%s', which is not a file extracted before; refused",
			       path, e->link);
			return 0;
		}
		err = make_room(dfd, base, false);
		if (err == 0 && linkat(tfd, tbase, dfd, base, 0) < 0)
			err = -errno;
		if (err >= 0)
			x->st->links++;
		break;
	}
	case '6':
		err = make_room(dfd, base, false);
		if (err == 0 && mknodat(dfd, base, S_IFIFO | 0600, 0) < 0)
			err = -errno;
		if (err >= 0)
			err = set_attrs(dfd, base, e, false);
		if (err >= 0)
			x->st->files++;
		break;
	}
	if (err < 0 && fs_failure(err))
		return vs_err(x->ctx, err, "template: %s: %s", path, strerror(-err));
	if (err < 0) {
		x->st->refused++;
		report(x, "%s: %s", path, strerror(-err));
	}
	return 0;
}

static int start_filter(struct vs_ctx *ctx, int fd, struct reader *r)
{
	static const struct {
		const unsigned char magic[6];
		size_t len;
		const char *prog;
	} filters[] = {
		{ { 0x1f, 0x8b }, 2, "gzip" },
		{ { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, "xz" },
		{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, "zstd" },
		{ { 'B', 'Z', 'h' }, 3, "bzip2" },
	};
	unsigned char head[6] = { 0 };
	ssize_t n = pread(fd, head, sizeof(head), 0);
	int p[2];

	r->fd = fd;
	r->filter = -1;
	if (n < 0)
		return vs_err(ctx, -errno, "template: %m");
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
		if ((size_t)n < filters[i].len || memcmp(head, filters[i].magic, filters[i].len))
			continue;
		if (pipe2(p, O_CLOEXEC) < 0)
			return vs_err(ctx, -errno, "pipe: %m");
		r->filter = fork();
		if (r->filter < 0)
			return vs_err(ctx, -errno, "fork: %m");
		if (r->filter == 0) {
			char *argv[] = { (char *)filters[i].prog, "-dc", NULL };
			if (dup2(fd, 0) < 0 || dup2(p[1], 1) < 0 || lseek(0, 0, SEEK_SET) < 0)
				_exit(127);
			execvp(argv[0], argv);
			fprintf(stderr, "template: cannot execute %s: %s\n", argv[0], strerror(errno));
			_exit(127);
		}
		close(p[1]);
		r->fd = p[0];
		r->filter_name = filters[i].prog;
		return 0;
	}
	return 0;
}

int vs_tar_extract(struct vs_ctx *ctx, int archive_fd, int rootfd, struct vs_tar_stats *stats)
{
	struct xstate x = { .ctx = ctx, .rootfd = rootfd, .st = stats };
	struct reader r = { 0 };
	struct entry *e = calloc(1, sizeof(*e));
	int err, status;

	if (!e)
		return -ENOMEM;
	err = start_filter(ctx, archive_fd, &r);
	while (err == 0) {
		memset(e, 0, sizeof(*e));
		err = next_entry(&r, e, &x);
		if (err <= 0)
			break;
		err = extract_one(&x, &r, e);
	}
	free(e);
	if (r.filter > 0) {
		/* After the end marker come only padding records: drain them so
		 * the decompressor can finish and report a damaged stream (a
		 * bounded amount; beyond it we stop listening). */
		bool drained = false;
		if (err == 0) {
			char buf[8192];
			size_t total = 0;
			ssize_t n;
			while ((n = read(r.fd, buf, sizeof(buf))) > 0 && total < (1 << 20))
				total += (size_t)n;
			drained = n == 0;
		}
		close(r.fd);
		if (!drained)
			kill(r.filter, SIGKILL);
		while (waitpid(r.filter, &status, 0) < 0 && errno == EINTR)
			;
		if ((err == 0 && drained) || (err < 0 && r.filter_eof))
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				/* also replaces what the reader made of the
				 * damaged stream ("empty", "truncated", "bad
				 * checksum"): the stream is the cause */
				err = vs_err(ctx, -EBADMSG, "template: the %s stream is damaged "
					     "(not a valid compressed archive)", r.filter_name);
	}
	return err;
}
