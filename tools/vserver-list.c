/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver --list [--fancy|--json]: every configured guest with its state,
 * context, addresses and autostart mark; a guest whose configuration is bad
 * is listed with its problem, and a guest that runs without one too. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json-fmt.h"
#include "vserver-cmds.h"

struct row {
	const char *name;
	const char *state;	/* running, stopped, incomplete, broken */
	uint32_t xid;		/* 0: none fixed */
	char **addrs;
	char *problem;		/* NULL: none */
};

static bool in(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* What the listing says about one guest; never fails: what cannot be
 * found out is the guest's problem. */
static void look(struct vs_ctx *ctx, const char *name, bool configured, struct row *r)
{
	struct vs_guest *g = NULL;
	struct vs_status st;
	struct vs_net_info ni;
	bool ok;

	memset(r, 0, sizeof(*r));
	r->name = name;
	ok = configured && vs_guest_open(ctx, name, &g) == 0;
	if (!ok) {
		r->problem = strdup(configured ? vs_ctx_errmsg(ctx) : "no configuration");
		r->state = "broken";
		/* the run state alone says whether it runs (it can be stopped) */
		if (vs_guest_open_deferred(ctx, name, &g) < 0)
			return;
	}
	if (vs_guest_status(g, &st) == 0 && st.running) {
		r->state = "running";
		r->xid = st.xid;
		if (vs_guest_net_info(g, &ni) == 0) {
			r->addrs = ni.addrs;
			ni.addrs = NULL;
			vs_net_info_clear(&ni);
		}
	} else if (ok) {
		r->state = vs_guest_incomplete(g) ? "incomplete" : "stopped";
		r->xid = vs_guest_xid(g);
		if (vs_guest_addresses(g, &r->addrs) < 0)
			r->addrs = NULL;
	}
	vs_guest_unref(g);
}

static struct json_object *row_json(struct vs_ctx *ctx, const struct row *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_text(r->name));
	json_object_object_add(o, "state", json_text(r->state));
	json_object_object_add(o, "context", r->xid ? json_object_new_uint64(r->xid) : NULL);
	json_object_object_add(o, "addresses", json_strv(r->addrs));
	json_add_config(o, ctx, r->name);
	json_object_object_add(o, "problem", r->problem ? json_text(r->problem) : NULL);
	return o;
}

/* A configuration's text on a terminal: control characters and bytes
 * beyond ASCII as '?'. */
static void terminal_safe(char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static void row_line(struct vs_ctx *ctx, struct row *r)
{
	char *mark = NULL, ctxt[16] = "-";
	bool boot;

	boot = vs_config_get(ctx, r->name, "apps/init/mark", &mark) == 0 &&
	       !strcmp(mark, AUTOSTART_MARK);
	free(mark);
	if (r->xid)
		snprintf(ctxt, sizeof(ctxt), "%u", r->xid);
	printf("%-24s %-10s %5s %-4s ", r->name, r->state, ctxt, boot ? "yes" : "no");
	for (size_t i = 0; r->addrs && r->addrs[i]; i++)
		printf("%s%s", i ? "," : "", r->addrs[i]);
	if (!r->addrs || !r->addrs[0])
		putchar('-');
	if (r->problem) {
		terminal_safe(r->problem);
		printf("  (%s)", r->problem);
	}
	putchar('\n');
}

int cmd_list(struct vs_ctx *ctx, enum list_form form)
{
	char **names = NULL, **run = NULL;
	struct json_object *arr = NULL;
	int r, rc = EXIT_OK;

	r = vs_guest_list(ctx, &names);
	if (r < 0)
		die_lib(ctx, r);
	if (form == LIST_NAMES) {
		for (char **n = names; *n; n++)
			puts(*n);
		vs_strv_free(names);
		return EXIT_OK;
	}
	/* a guest that runs after its configuration went away is listed too:
	 * it still has processes that stop can end */
	if (vs_running_list(ctx, &run) < 0)
		run = NULL;
	if (form == LIST_JSON)
		arr = json_object_new_array();
	else
		printf("%-24s %-10s %5s %-4s %s\n", "NAME", "STATE", "CTX", "BOOT", "ADDRESSES");
	for (int pass = 0; pass < 2; pass++) {
		char **v = pass ? run : names;
		for (size_t i = 0; v && v[i]; i++) {
			struct row row;
			if (pass && in(names, v[i]))
				continue;
			look(ctx, v[i], !pass, &row);
			if (row.problem)
				rc = EXIT_FAIL;
			if (form == LIST_JSON)
				json_object_array_add(arr, row_json(ctx, &row));
			else
				row_line(ctx, &row);
			vs_strv_free(row.addrs);
			free(row.problem);
		}
	}
	if (form == LIST_JSON)
		json_print(stdout, arr);
	vs_strv_free(run);
	vs_strv_free(names);
	return rc;
}
