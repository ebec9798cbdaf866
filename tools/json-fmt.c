/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json-fmt.h"
#include "limits-fmt.h"

/* Length of the UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

struct json_object *json_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct json_object *o;
	size_t len = strlen(s), k = 0;
	char *buf;

	/* each bad byte (1) becomes U+FFFD (3 bytes) */
	buf = malloc(3 * len + 1);
	if (!buf)
		die(EXIT_FAIL, "out of memory");
	while (*p) {
		size_t n = utf8_len(p);
		if (n) {
			memcpy(buf + k, p, n);
			k += n;
			p += n;
		} else {
			memcpy(buf + k, "\xef\xbf\xbd", 3);
			k += 3;
			p++;
		}
	}
	o = json_object_new_string_len(buf, (int)k);
	free(buf);
	return o;
}

struct json_object *json_limit_value(uint64_t v)
{
	if (v == VS_VALUE_UNKNOWN)
		return NULL;
	if (v == VS_LIMIT_INF)
		return json_object_new_string("inf");
	return json_object_new_uint64(v);
}

struct json_object *json_limits(const struct vs_limit *rows, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		const struct vs_limit *r = &rows[i];
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_text(r->name));
		json_object_object_add(o, "id", json_object_new_int(r->id));
		json_object_object_add(o, "unit", json_text(r->unit));
		json_object_object_add(o, "via", json_text(r->via));
		json_object_object_add(o, "current", json_limit_value(r->cur));
		json_object_object_add(o, "min", json_limit_value(r->lo));
		json_object_object_add(o, "max", json_limit_value(r->hi));
		json_object_object_add(o, "soft", json_limit_value(r->soft));
		json_object_object_add(o, "hard", json_limit_value(r->hard));
		json_object_object_add(o, "hits", json_limit_value(r->hits));
		json_object_array_add(a, o);
	}
	return a;
}

void json_add_net(struct json_object *o, struct vs_guest *g)
{
	struct json_object *fl, *ad;
	struct vs_net_info ni;
	char flags[256], *tok, *save = NULL;

	if (vs_guest_net_info(g, &ni) < 0)
		return;
	json_object_object_add(o, "network", json_text(vs_net_mode_name(ni.mode)));
	json_object_object_add(o, "nid", json_object_new_uint64(ni.nid));
	fl = json_object_new_array();
	vs_flags_format(VS_FLAGS_NFLAGS, ni.nflags, flags, sizeof(flags));
	for (tok = strtok_r(flags, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_object_array_add(fl, json_text(tok));
	json_object_object_add(o, "nflags", fl);
	ad = json_object_new_array();
	for (size_t i = 0; ni.addrs && ni.addrs[i]; i++)
		json_object_array_add(ad, json_text(ni.addrs[i]));
	json_object_object_add(o, "addresses", ad);
	vs_net_info_clear(&ni);
}

struct json_object *json_guest_status(const char *name, struct vs_guest *g,
				      const struct vs_status *st, const struct vs_limit *lim,
				      size_t nlim, uint64_t hits, const char *problem)
{
	struct json_object *o = json_object_new_object(), *mc = json_object_new_array();

	json_object_object_add(o, "name", json_text(name));
	json_object_object_add(o, "context", json_object_new_uint64(st->xid));
	json_object_object_add(o, "backend", json_text(vs_backend_name(st->backend)));
	json_object_object_add(o, "init_pid", json_object_new_int(st->init_pid));
	json_object_object_add(o, "processes", json_object_new_uint64(st->nproc));
	json_object_object_add(o, "memory_bytes", json_object_new_uint64(st->mem_bytes));
	json_object_object_add(o, "cpu_usec", json_object_new_uint64(st->cpu_usec));
	json_object_object_add(o, "uptime_ms", json_object_new_uint64(st->uptime_ms));
	if (st->missing_cg & VS_CG_MEMORY)
		json_object_array_add(mc, json_object_new_string("memory"));
	if (st->missing_cg & VS_CG_PIDS)
		json_object_array_add(mc, json_object_new_string("pids"));
	if (st->missing_cg & VS_CG_CPU)
		json_object_array_add(mc, json_object_new_string("cpu"));
	json_object_object_add(o, "missing_controllers", mc);
	/* the configured rows count their own hits; without them (a guest
	 * whose configuration does not load) the run state's sum, or null */
	if (nlim)
		hits = limits_hits(lim, nlim);
	json_object_object_add(o, "limit_hits", hits == VS_VALUE_UNKNOWN ? NULL :
				   json_object_new_uint64(hits));
	json_object_object_add(o, "problem", problem ? json_text(problem) : NULL);
	json_object_object_add(o, "limits", json_limits(lim, nlim));
	if (g)
		json_add_net(o, g);
	return o;
}

void json_print(FILE *f, struct json_object *o)
{
	/* addresses hold '/': "\/" is valid JSON but needlessly hard to read */
	fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_SPACED |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void json_add_config(struct json_object *o, struct vs_ctx *ctx, const char *name)
{
	char *host = NULL, *mark = NULL;

	/* absent (or unreadable) values are null, not an error: the listing
	 * reports a configuration's problems itself */
	if (vs_config_get(ctx, name, "uts/nodename", &host) < 0)
		host = NULL;
	if (vs_config_get(ctx, name, "apps/init/mark", &mark) < 0)
		mark = NULL;
	json_object_object_add(o, "hostname", host ? json_text(host) : NULL);
	json_object_object_add(o, "mark", mark ? json_text(mark) : NULL);
	json_object_object_add(o, "autostart",
			       json_object_new_boolean(mark && !strcmp(mark, AUTOSTART_MARK)));
	free(host);
	free(mark);
}

struct json_object *json_strv(char *const *v)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_text(v[i]));
	return a;
}
