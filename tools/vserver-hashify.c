/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver-hashify DIR... | --all — util-vserver's vhashify on a stock
 * kernel: identical regular files across guest roots come to share their
 * extents through FIDEDUPERANGE.
 *
 * Candidates are files of one file system with the same size, then the
 * same SHA-256; the kernel compares the bytes itself, under its locks,
 * before it shares anything, so a file that changes meanwhile is left
 * alone ("differs") and no file's content can ever change.  Each dedupe
 * is atomic: killed at any point, the trees are as good as before, and a
 * rerun picks up what is left (files whose extents are already the same
 * are recognised by FIEMAP and skipped). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define DEDUPE_CHUNK	(16u << 20)	/* btrfs takes at most 16 MiB per call */
#define MAX_DEPTH	512

struct file {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	unsigned char hash[32];
	bool hashed, failed;
};

static struct file *files;
static size_t n_files, cap_files;
static char **excludes;
static size_t n_excludes;
static volatile sig_atomic_t stop;
static bool dry_run;
static off_t min_size = 1;

struct totals {
	uint64_t scanned, scanned_bytes, candidates, hashed_bytes;
	uint64_t shared_now, already, differs, files_shared, errors;
};
static struct totals tot;
static dev_t unsupported_dev = (dev_t)-1;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void help(void)
{
	printf("Usage: %s [OPTIONS] DIR...\n"
	       "       %s [OPTIONS] --all\n"
	       "\n"
	       "Makes identical regular files in the given trees share their disk extents\n"
	       "(FIDEDUPERANGE: xfs with reflink, btrfs).  The kernel compares the bytes\n"
	       "before it shares them; no file changes in content, owner, mode or time.\n"
	       "Interrupted, a rerun continues where it stopped.\n"
	       "\n"
	       "Options:\n"
	       "  -a, --all            the roots of every configured guest (an overlay\n"
	       "                       guest's own files and its base)\n"
	       "  -x, --exclude PATH   leave PATH (relative to each tree, e.g. /etc) alone;\n"
	       "                       may be repeated (default: /etc and /var)\n"
	       "      --no-default-excludes  do not exclude /etc and /var\n"
	       "      --min-size BYTES files smaller than this are left alone (default 1)\n"
	       "  -n, --dry-run        find and report, share nothing\n"
	       COMMON_OPTIONS_HELP
	       "\n"
	       "Exit status: 0 success, 1 failure (also: the file system cannot dedupe),\n"
	       "2 usage error.\n", prog, prog);
}

static bool excluded(const char *rel)
{
	for (size_t i = 0; i < n_excludes; i++) {
		size_t n = strlen(excludes[i]);
		if (!strncmp(rel, excludes[i], n) && (rel[n] == '\0' || rel[n] == '/'))
			return true;
	}
	return false;
}

static void add_file(const char *path, const struct stat *st)
{
	if (n_files == cap_files) {
		size_t cap = cap_files ? 2 * cap_files : 1024;
		struct file *n = realloc(files, cap * sizeof(*n));
		if (!n)
			die(EXIT_FAIL, "out of memory");
		files = n;
		cap_files = cap;
	}
	files[n_files] = (struct file){ .path = strdup(path), .dev = st->st_dev,
					.ino = st->st_ino, .size = st->st_size };
	if (!files[n_files].path)
		die(EXIT_FAIL, "out of memory");
	n_files++;
}

/* rel: the path below the tree's root, starting with "/" */
static void walk(int dfd, const char *path, const char *rel, dev_t dev, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		warnmsg("%s: %s", path, strerror(errno));
		close(dfd);
		tot.errors++;
		return;
	}
	while (!stop && (de = readdir(d))) {
		char p[PATH_MAX], r[PATH_MAX];
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", path, de->d_name) >= sizeof(p) ||
		    (size_t)snprintf(r, sizeof(r), "%s/%s", rel, de->d_name) >= sizeof(r))
			continue;
		if (excluded(r) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk(sub, p, r, dev, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			tot.scanned++;
			tot.scanned_bytes += (uint64_t)st.st_size;
			if (st.st_size >= min_size)
				add_file(p, &st);
		}
	}
	closedir(d);
}

static void walk_root(const char *root)
{
	struct stat st;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		die(EXIT_FAIL, "%s: %s", root, strerror(errno));
	walk(fd, root, "", st.st_dev, 0);
}

static int by_dev_size(const void *a, const void *b)
{
	const struct file *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;	/* the big wins first */
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static int by_hash(const void *a, const void *b)
{
	const struct file *x = a, *y = b;
	int c = memcmp(x->hash, y->hash, sizeof(x->hash));
	return c ? c : (x->ino < y->ino ? -1 : x->ino > y->ino);
}

static void progress(bool final)
{
	static time_t last;
	time_t now = time(NULL);
	char b1[32], b2[32];

	/* on a terminal, one line rewritten each second; elsewhere with -v */
	if (verbosity() < 0 || (!isatty(STDERR_FILENO) && verbosity() < 1) ||
	    (!final && now == last))
		return;
	last = now;
	fprintf(stderr, "%s: hashed %s of candidates, shared %s so far%s", prog,
		fmt_bytes(tot.hashed_bytes, b1, sizeof(b1)),
		fmt_bytes(tot.shared_now, b2, sizeof(b2)),
		final ? "\n" : isatty(STDERR_FILENO) ? "\r" : "\n");
}

static int hash_file(struct file *f)
{
	unsigned char buf[1 << 16];
	EVP_MD_CTX *md;
	unsigned len = 0;
	ssize_t n;
	int fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_ino != f->ino || st.st_size != f->size) {
		close(fd);
		return -EAGAIN;	/* replaced or changed since the walk */
	}
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		close(fd);
		return -ENOMEM;
	}
	while (!stop && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		EVP_DigestUpdate(md, buf, (size_t)n);
		tot.hashed_bytes += (uint64_t)n;
		progress(false);
	}
	if (stop && r == 0)
		r = -EINTR;
	if (r == 0 && EVP_DigestFinal_ex(md, f->hash, &len) != 1)
		r = -EIO;
	EVP_MD_CTX_free(md);
	close(fd);
	return r;
}

/* Do a and b point at the very same extents (shared already)? */
static bool same_extents(int a, int b)
{
	union {
		struct fiemap fm;
		char buf[sizeof(struct fiemap) + 32 * sizeof(struct fiemap_extent)];
	} x, y;

	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	x.fm.fm_length = y.fm.fm_length = FIEMAP_MAX_OFFSET;
	x.fm.fm_extent_count = y.fm.fm_extent_count = 32;
	if (ioctl(a, FS_IOC_FIEMAP, &x.fm) < 0 || ioctl(b, FS_IOC_FIEMAP, &y.fm) < 0 ||
	    !x.fm.fm_mapped_extents || x.fm.fm_mapped_extents != y.fm.fm_mapped_extents ||
	    x.fm.fm_mapped_extents == 32)
		return false;	/* unknown, or too many to say: dedupe (harmless) */
	for (unsigned i = 0; i < x.fm.fm_mapped_extents; i++) {
		const struct fiemap_extent *e = &x.fm.fm_extents[i], *f = &y.fm.fm_extents[i];
		if (!(e->fe_flags & FIEMAP_EXTENT_SHARED) || e->fe_physical != f->fe_physical ||
		    e->fe_logical != f->fe_logical || e->fe_length != f->fe_length)
			return false;
	}
	return true;
}

static const char *fs_name(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return "?";
	switch ((unsigned long)sf.f_type) {
	case 0xEF53: return "ext2/3/4";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x01021994: return "tmpfs";
	case 0x794c7630: return "overlayfs";
	default: return "this file system";
	}
}

/* Shares src's extents with dst; 0, or -errno for the whole pair. */
static int dedupe(int src, int dst, const struct file *df)
{
	union {
		struct file_dedupe_range r;
		char buf[sizeof(struct file_dedupe_range) + sizeof(struct file_dedupe_range_info)];
	} u;
	uint64_t off = 0, size = (uint64_t)df->size;

	while (off < size && !stop) {
		uint64_t len = size - off < DEDUPE_CHUNK ? size - off : DEDUPE_CHUNK;
		memset(&u, 0, sizeof(u));
		u.r.src_offset = off;
		u.r.src_length = len;
		u.r.dest_count = 1;
		u.r.info[0].dest_fd = dst;
		u.r.info[0].dest_offset = off;
		if (ioctl(src, FIDEDUPERANGE, &u.r) < 0)
			return -errno;
		if (u.r.info[0].status == FILE_DEDUPE_RANGE_DIFFERS)
			return 1;
		if (u.r.info[0].status < 0)
			return u.r.info[0].status;
		if (!u.r.info[0].bytes_deduped)
			return -EIO;	/* no progress: the kernel would not share it */
		tot.shared_now += u.r.info[0].bytes_deduped;
		off += u.r.info[0].bytes_deduped;
		progress(false);
	}
	return 0;
}

/* f[0..n): identical content (by hash); f[0] is the one all share. */
static void share_group(struct file *f, size_t n)
{
	int src = open(f[0].path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (src < 0) {
		warnmsg("%s: %s", f[0].path, strerror(errno));
		tot.errors++;
		return;
	}
	for (size_t i = 1; i < n && !stop; i++) {
		/* read-only is enough for root, and works on running programs */
		int dst = open(f[i].path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		struct stat st;
		int r;
		if (dst < 0 || fstat(dst, &st) < 0 || st.st_ino != f[i].ino) {
			if (dst >= 0)
				close(dst);
			continue;	/* gone or replaced: nothing to do */
		}
		if (same_extents(src, dst)) {
			tot.already += (uint64_t)f[i].size;
			close(dst);
			continue;
		}
		if (dry_run) {
			tot.files_shared++;
			tot.shared_now += (uint64_t)f[i].size;
			close(dst);
			continue;
		}
		r = dedupe(src, dst, &f[i]);
		if (r == -EOPNOTSUPP || r == -EINVAL || r == -ENOTTY) {
			/* nothing of this file system can be shared: say so once */
			warnmsg("%s: %s cannot share extents between files (FIDEDUPERANGE: %s); "
				"use xfs (mkfs.xfs -m reflink=1) or btrfs", f[i].path,
				fs_name(dst), strerror(-r));
			unsupported_dev = f[i].dev;
			close(dst);
			break;
		}
		if (r == 1) {
			tot.differs++;
		} else if (r < 0) {
			warnmsg("%s: %s", f[i].path, strerror(-r));
			tot.errors++;
		} else {
			tot.files_shared++;
		}
		close(dst);
	}
	close(src);
}

static void process(void)
{
	qsort(files, n_files, sizeof(*files), by_dev_size);
	for (size_t i = 0, j; i < n_files && !stop; i = j) {
		for (j = i + 1; j < n_files && files[j].dev == files[i].dev &&
		     files[j].size == files[i].size; j++)
			;
		if (files[i].dev == unsupported_dev)
			continue;
		/* one entry per inode: hard links are one file already */
		size_t k = i;
		for (size_t m = i; m < j; m++)
			if (m == i || files[m].ino != files[k - 1].ino)
				files[k++] = files[m];
		if (k - i < 2)
			continue;
		tot.candidates += k - i;
		for (size_t m = i; m < k && !stop; m++) {
			int r = hash_file(&files[m]);
			files[m].hashed = r == 0;
			files[m].failed = r < 0;
			if (r < 0 && r != -EINTR && r != -EAGAIN) {
				warnmsg("%s: %s", files[m].path, strerror(-r));
				tot.errors++;
			}
			if (r < 0)
				memset(files[m].hash, 0xff, sizeof(files[m].hash));
		}
		if (stop)
			break;
		qsort(&files[i], k - i, sizeof(*files), by_hash);
		for (size_t a = i, b; a < k && !stop && files[i].dev != unsupported_dev; a = b) {
			for (b = a + 1; b < k && !memcmp(files[a].hash, files[b].hash, 32); b++)
				;
			if (files[a].hashed && b - a > 1)
				share_group(&files[a], b - a);
		}
	}
}

static void push_root(char ***roots, size_t *n, const char *dir)
{
	char **v;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*roots)[i], dir))
			return;		/* a base that several guests share: once */
	v = realloc(*roots, (*n + 2) * sizeof(*v));
	if (!v || !(v[*n] = strdup(dir)))
		die(EXIT_FAIL, "out of memory");
	*roots = v;
	(*n)++;
}

/* --all: every guest's own tree; an overlay guest's upper layer and base */
static size_t guest_roots(char ***roots)
{
	struct vs_ctx *ctx = tool_ctx();
	char **names;
	size_t n = 0;
	int r = vs_guest_list(ctx, &names);

	if (r < 0)
		die_lib(ctx, r);
	for (char **nm = names; *nm; nm++) {
		struct vs_unify_info ui;
		struct vs_guest *g;
		if (vs_guest_unify_info(ctx, *nm, &ui) == 0 && ui.mode == VS_UNIFY_OVERLAY) {
			push_root(roots, &n, ui.upper);
			push_root(roots, &n, ui.base);
		} else if (vs_guest_open(ctx, *nm, &g) == 0) {
			push_root(roots, &n, vs_guest_vdir(g));
			vs_guest_unref(g);
		} else {
			warnmsg("%s: skipped: %s", *nm, vs_ctx_errmsg(ctx));
		}
	}
	vs_strv_free(names);
	return n;
}

int main(int argc, char **argv)
{
	enum { O_NODEF = OPT_TOOL_BASE, O_MINSIZE };
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "all", no_argument, NULL, 'a' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "no-default-excludes", no_argument, NULL, O_NODEF },
		{ "min-size", required_argument, NULL, O_MINSIZE },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	static char *defaults[] = { "/etc", "/var" };
	char **roots = NULL;
	size_t n_roots = 0;
	bool all = false, nodef = false;
	char b[4][32];
	int c;

	tool_init(argc, argv);
	excludes = calloc((size_t)argc + 2, sizeof(*excludes));
	roots = calloc((size_t)argc + 1, sizeof(*roots));
	if (!excludes || !roots)
		die(EXIT_FAIL, "out of memory");
	while ((c = getopt_long(argc, argv, "ax:nvqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		switch (c) {
		case 'a': all = true; break;
		case 'n': dry_run = true; break;
		case O_NODEF: nodef = true; break;
		case 'x': {
			char *e = optarg;
			size_t l;
			if (e[0] != '/' || strstr(e, "/../") || strstr(e, "/./"))
				usage_error("--exclude: '%s' is not a path below the tree's root "
					    "(like /etc)", e);
			l = strlen(e);
			while (l > 1 && e[l - 1] == '/')
				e[--l] = '\0';
			excludes[n_excludes++] = e;
			break;
		}
		case O_MINSIZE: {
			char *end;
			long long v = strtoll(optarg, &end, 10);
			if (*end || v < 1)
				usage_error("--min-size: '%s' is not a size in bytes (1 or more)", optarg);
			min_size = (off_t)v;
			break;
		}
		default: usage_error("invalid option");
		}
	}
	if (!nodef)
		for (size_t i = 0; i < 2; i++)
			excludes[n_excludes++] = defaults[i];
	if (all == (optind < argc))
		usage_error(all ? "--all and directories exclude each other" :
			    "name the directories to hashify, or --all");
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0 || !S_ISDIR(st.st_mode))
			usage_error("%s: %s", argv[i], errno ? strerror(errno) : "not a directory");
		roots[n_roots++] = argv[i];
	}
	if (all)
		n_roots = guest_roots(&roots);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	for (size_t i = 0; i < n_roots && !stop; i++)
		walk_root(roots[i]);
	process();
	progress(true);
	if (verbosity() >= 0) {
		printf("%llu files (%s) scanned, %llu candidates of equal size\n",
		       (unsigned long long)tot.scanned, fmt_bytes(tot.scanned_bytes, b[0], sizeof(b[0])),
		       (unsigned long long)tot.candidates);
		printf("%s %s in %llu files%s, %s were shared already, %llu changed meanwhile\n",
		       dry_run ? "would share" : "shared", fmt_bytes(tot.shared_now, b[1], sizeof(b[1])),
		       (unsigned long long)tot.files_shared, dry_run ? " (dry run)" : "",
		       fmt_bytes(tot.already, b[2], sizeof(b[2])), (unsigned long long)tot.differs);
		printf("bytes: shared_now=%llu already=%llu\n", (unsigned long long)tot.shared_now,
		       (unsigned long long)tot.already);
	}
	if (stop)
		die(EXIT_FAIL, "interrupted; run it again to share the rest");
	if (unsupported_dev != (dev_t)-1)
		return EXIT_FAIL;
	return tot.errors ? EXIT_FAIL : EXIT_OK;
}
