/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver NAME status, limit and du: what a guest is, uses and may use. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json-fmt.h"
#include "limits-fmt.h"
#include "vserver-cmds.h"

static void print_network(struct vs_guest *g, const struct vs_status *st)
{
	struct vs_net_info ni;
	char flags[256];

	if (vs_guest_net_info(g, &ni) < 0) {
		if (st->host_network && st->backend == VS_BACKEND_NS)
			printf("  network: shares the host's network stack\n");
		return;
	}
	switch (ni.mode) {
	case VS_NET_HOST:
		printf("  network: shares the host's network stack (NO network isolation)\n");
		break;
	case VS_NET_NX:
		vs_flags_format(VS_FLAGS_NFLAGS, ni.nflags, flags, sizeof(flags));
		printf("  network: network context %u, loopback %s, flags %s\n", ni.nid, ni.lback,
		       flags[0] ? flags : "-");
		break;
	case VS_NET_NETNS:
		printf("  network: private namespace, loopback only\n");
		break;
	case VS_NET_VETH:
		printf("  network: private namespace, veth pair (host end %s)\n", ni.veth);
		break;
	}
	if (ni.addrs && ni.addrs[0]) {
		printf("  addresses:");
		for (char **a = ni.addrs; *a; a++)
			printf(" %s", *a);
		printf("\n");
	}
	vs_net_info_clear(&ni);
}

/* The limits part of "status": the table, and what is not enforced. */
static void status_limits(struct vs_guest *g)
{
	struct vs_limit *rows = NULL;
	char **un = NULL;
	size_t n = 0;

	if (vs_guest_limits(g, &rows, &n) == 0 && n) {
		printf("  limits:\n");
		print_limits(stdout, rows, n, "    ");
	}
	free(rows);
	if (vs_guest_limit_warnings(g, &un) == 0)
		for (char **p = un; p && *p; p++)
			printf("  warning: not enforced: %s\n", *p);
	vs_strv_free(un);
}

int cmd_limit(struct vs_ctx *ctx, struct vs_guest *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "save", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	bool save = false, json = false;
	struct vs_limit *rows = NULL;
	const char *what = NULL;
	size_t n = 0;
	int c, r;

	optind = 0;	/* 0: a fresh scan that permits options after the arguments */
	while ((c = getopt_long(argc, argv, "sj", opts, NULL)) != -1) {
		if (c == 's')
			save = true;
		else if (c == 'j')
			json = true;
		else
			usage_error("limit: invalid option");
	}
	if (argc - optind > 2)
		usage_error("limit: unexpected argument '%s'", argv[optind + 2]);
	if (argc - optind == 2) {
		if (json)
			usage_error("limit: --json only shows limits");
		r = vs_guest_set_limit(g, argv[optind], argv[optind + 1], save ? VS_LIMIT_SAVE : 0);
		if (r == -EINVAL)
			die(EXIT_USAGE, "%s", vs_ctx_errmsg(ctx));
		if (r == -ESRCH)
			die(EXIT_NOT_RUNNING, "%s", vs_ctx_errmsg(ctx));
		if (r < 0)
			die_lib(ctx, r);
		if (verbosity() >= 0)
			note("%s: %s = %s%s", vs_guest_name(g), argv[optind], argv[optind + 1],
			     save ? " (saved)" : "");
		return EXIT_OK;
	}
	if (save)
		usage_error("limit: --save needs RES VALUE");
	if (argc - optind == 1)
		what = argv[optind];
	r = vs_guest_limits(g, &rows, &n);
	if (r < 0)
		die_lib(ctx, r);
	if (what) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(rows[i].name, what))
				rows[k++] = rows[i];
		if (!k) {
			free(rows);
			die(EXIT_FAIL, "%s: no limit '%s' is configured or in force",
			    vs_guest_name(g), what);
		}
		n = k;
	}
	if (json) {
		json_print(stdout, json_limits(rows, n));
	} else {
		print_limits(stdout, rows, n, "");
	}
	free(rows);
	return EXIT_OK;
}

/* The unification part of "status": how the guest shares its files. */
static void status_unify(struct vs_ctx *ctx, struct vs_guest *g)
{
	struct vs_unify_info ui;

	if (vs_guest_unify_info(ctx, vs_guest_name(g), &ui) < 0 || ui.mode == VS_UNIFY_NONE)
		return;
	if (ui.mode == VS_UNIFY_REFLINK)
		printf("  unified: reflink (file extents shared with %s's, copy on write)\n",
		       ui.source[0] ? ui.source : "its source");
	else
		printf("  unified: overlay over base %s (from %s, used by %u guest%s), "
		       "own files in %s\n", ui.base, ui.source[0] ? ui.source : "?", ui.users,
		       ui.users == 1 ? "" : "s", ui.upper);
}

int cmd_du(struct vs_ctx *ctx, const char *name, int argc, char **argv)
{
	struct vs_disk_usage du;
	struct vs_unify_info ui;
	bool bytes = argc > 1 && !strcmp(argv[1], "--bytes");
	char b[4][32];
	int r;

	if (argc > (bytes ? 2 : 1))
		usage_error("du: unexpected argument '%s'", argv[bytes ? 2 : 1]);
	if ((r = vs_guest_unify_info(ctx, name, &ui)) < 0 ||
	    (r = vs_guest_disk_usage(ctx, name, &du)) < 0)
		die_lib(ctx, r);
	if (bytes) {
		printf("%s files=%llu apparent=%llu allocated=%llu shared=%llu private=%llu "
		       "unify=%s\n", name, (unsigned long long)du.files,
		       (unsigned long long)du.apparent, (unsigned long long)du.allocated,
		       (unsigned long long)du.shared, (unsigned long long)du.private_bytes,
		       vs_unify_mode_name(ui.mode));
		return EXIT_OK;
	}
	printf("%s: %llu files, %s apparent, %s allocated: %s shared, %s private "
	       "(unified: %s)\n", name, (unsigned long long)du.files,
	       fmt_bytes(du.apparent, b[0], sizeof(b[0])),
	       fmt_bytes(du.allocated, b[1], sizeof(b[1])),
	       fmt_bytes(du.shared, b[2], sizeof(b[2])),
	       fmt_bytes(du.private_bytes, b[3], sizeof(b[3])), vs_unify_mode_name(ui.mode));
	return EXIT_OK;
}

/* status --json: vserver-stat's object for a running guest, the
 * configured context and addresses for one that is not; both with the
 * state, the configuration's host name and mark, and the warnings. */
static int status_json(struct vs_ctx *ctx, struct vs_guest *g, const struct vs_status *st)
{
	struct json_object *o;
	struct vs_limit *rows = NULL;
	struct vs_unify_info ui;
	char **v = NULL;
	size_t n = 0;

	if (st->running) {
		if (vs_guest_limits(g, &rows, &n) < 0)
			n = 0;
		o = json_guest_status(vs_guest_name(g), g, st, rows, n,
				      VS_VALUE_UNKNOWN, NULL);
		free(rows);
	} else {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_text(vs_guest_name(g)));
		json_object_object_add(o, "context", vs_guest_xid(g) ?
				       json_object_new_uint64(vs_guest_xid(g)) : NULL);
		if (vs_guest_addresses(g, &v) < 0)
			die_lib(ctx, -ENOMEM);
		json_object_object_add(o, "addresses", json_strv(v));
		vs_strv_free(v);
		v = NULL;
	}
	json_object_object_add(o, "state", json_object_new_string(st->running ? "running" :
								    "stopped"));
	json_object_object_add(o, "incomplete", json_object_new_boolean(vs_guest_incomplete(g)));
	json_object_object_add(o, "leftovers", json_object_new_boolean(st->leftovers));
	json_add_config(o, ctx, vs_guest_name(g));
	json_object_object_add(o, "unify",
			       json_text(vs_guest_unify_info(ctx, vs_guest_name(g), &ui) < 0 ?
					 "none" : vs_unify_mode_name(ui.mode)));
	if (vs_guest_limit_warnings(g, &v) < 0)
		v = NULL;
	json_object_object_add(o, "not_enforced", json_strv(v));
	vs_strv_free(v);
	json_print(stdout, o);
	return st->running ? EXIT_OK : EXIT_NOT_RUNNING;
}

int cmd_status(struct vs_ctx *ctx, struct vs_guest *g, bool json)
{
	struct vs_status st;
	char b1[32], b2[32], b3[32];
	int r = vs_guest_status(g, &st);

	if (r < 0)
		die_lib(ctx, r);
	if (json)
		return status_json(ctx, g, &st);
	if (!st.running) {
		printf("%s is stopped%s%s\n", vs_guest_name(g),
		       st.leftovers ? " (something is left; 'stop' removes it)" : "",
		       vs_guest_incomplete(g) ? " (incomplete: rebuild or delete it)" : "");
		status_unify(ctx, g);
		return EXIT_NOT_RUNNING;
	}
	printf("%s is running: backend %s, context %u, init pid %d, %u process%s, "
	       "memory %s, cpu %s, up %s\n", vs_guest_name(g), vs_backend_name(st.backend),
	       st.xid, (int)st.init_pid, st.nproc, st.nproc == 1 ? "" : "es",
	       fmt_bytes(st.mem_bytes, b1, sizeof(b1)),
	       fmt_duration(st.cpu_usec / 1000, b2, sizeof(b2)),
	       fmt_duration(st.uptime_ms, b3, sizeof(b3)));
	if (st.missing_cg)
		printf("  warning: limits not enforced: cgroup controller(s)%s%s%s not delegated "
		       "by the host\n", st.missing_cg & VS_CG_MEMORY ? " memory" : "",
		       st.missing_cg & VS_CG_PIDS ? " pids" : "",
		       st.missing_cg & VS_CG_CPU ? " cpu" : "");
	print_network(g, &st);
	status_unify(ctx, g);
	status_limits(g);
	return EXIT_OK;
}
