/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfattr — show or change the persistent inode attributes of files (vx):
 * the chroot barrier, immutable, immutable-but-unlinkable, copy-on-write.
 * util-vserver's showattr and setattr in one tool. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <linux/vserver.h>

#include "vx-common.h"

/* the attributes this tool shows; the /proc bits belong to another tool */
#define FILE_IATTRS (IATTR_BARRIER | IATTR_IMMUTABLE | IATTR_IXUNLINK | IATTR_COW)

static void help(void)
{
	printf("Usage: %s [OPTIONS] PATH...\n"
	       "       %s [OPTIONS] --set LIST PATH...\n"
	       "Shows (default) or changes the inode attributes of each PATH; a final\n"
	       "symbolic link is not followed.  LIST: barrier, immutable, ixunlink (or\n"
	       "iunlink), cow, separated by commas; '~' or '!' clears one.  The kernel\n"
	       "keeps them in the security.vserver extended attribute; changing them\n"
	       "needs the host context and CAP_LINUX_IMMUTABLE.  Needs the vx kernel.\n"
	       "\n"
	       "  -s, --set LIST       set (or with ~ clear) these attributes\n"
	       COMMON_OPTIONS_HELP, prog, prog);
}

static int show(const char *path)
{
	uint32_t flags, mask;
	char buf[128];
	int r;

	r = vs_vx_get_iattr(path, &flags, &mask);
	if (r < 0) {
		warnmsg("%s: %s", path, strerror(-r));
		return -1;
	}
	flags &= FILE_IATTRS;
	if (vs_flags_format(VS_FLAGS_IATTR, flags, buf, sizeof(buf)) < 0 || !buf[0])
		snprintf(buf, sizeof(buf), "-");
	printf("%-30s %s\n", buf, path);
	return 0;
}

static int change(const char *path, uint32_t on, uint32_t off)
{
	int r = vs_vx_set_iattr(path, on, on | off);

	if (r == 0)
		return 0;
	switch (r) {
	case -EPERM:
		warnmsg("%s: not permitted (only the host context with "
			"CAP_LINUX_IMMUTABLE changes inode attributes)", path);
		break;
	case -EOPNOTSUPP:
		warnmsg("%s: the file system cannot keep inode attributes "
			"(no extended attribute support)", path);
		break;
	case -EINVAL:
		warnmsg("%s: invalid for this file (barrier is for directories, "
			"cow for regular files)", path);
		break;
	default:
		warnmsg("%s: %s", path, strerror(-r));
	}
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "set", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t on = 0, off = 0;
	bool set = false;
	int c, i, failed = 0;
	char err[160];

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "s:vqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		switch (c) {
		case 's':
			if (set)
				usage_error("give --set once, with every attribute in its list");
			set = true;
			if (vs_flags_parse(VS_FLAGS_IATTR, optarg, &on, &off, err, sizeof(err)) < 0)
				usage_error("--set: %s", err);
			if ((on | off) & ~(uint64_t)FILE_IATTRS)
				usage_error("--set: only barrier, immutable, ixunlink and cow "
					    "are file attributes");
			if (!(on | off))
				usage_error("--set: the list names no attribute");
			break;
		default: usage_error("invalid option");
		}
	}
	if (optind >= argc)
		usage_error("no PATH given");
	vx_require();
	for (i = optind; i < argc; i++) {
		int r = set ? change(argv[i], (uint32_t)on, (uint32_t)off) : show(argv[i]);

		if (r < 0)
			failed = 1;
	}
	return failed ? EXIT_FAIL : EXIT_OK;
}
