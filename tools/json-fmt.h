/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON output of the tools (vserver-stat --json, vserver NAME status/limit
 * --json, vserver --list --json), built with json-c so that quoting and
 * escaping are the library's, not ours. */
#ifndef VS_TOOLS_JSON_FMT_H
#define VS_TOOLS_JSON_FMT_H

#include <stdio.h>

#include <json-c/json.h>

#include "vserver.h"

/* A JSON string of s; bytes that are not UTF-8 become U+FFFD (a host name
 * or a configuration file may hold anything, JSON must be UTF-8). */
struct json_object *json_text(const char *s);
/* A limit or use value: a number, "inf", or null when unknown. */
struct json_object *json_limit_value(uint64_t v);
/* The rows of vserver NAME limit --json. */
struct json_object *json_limits(const struct vs_limit *rows, size_t n);
/* Adds network, nid, nflags, addresses of a running guest to o. */
void json_add_net(struct json_object *o, struct vs_guest *g);
/* The object vserver-stat --json prints for a running guest: lim its limit
 * rows, hits the run state's sum of hits (VS_VALUE_UNKNOWN: null), problem
 * what is wrong with its configuration or NULL; g NULL when the guest
 * could not be opened at all (no network keys then). */
struct json_object *json_guest_status(const char *name, struct vs_guest *g,
				      const struct vs_status *st, const struct vs_limit *lim,
				      size_t nlim, uint64_t hits, const char *problem);
/* Adds hostname, mark and autostart (from the configuration; null when
 * not set) to o. */
void json_add_config(struct json_object *o, struct vs_ctx *ctx, const char *name);
/* An array of the strings of v (NULL: empty). */
struct json_object *json_strv(char *const *v);
/* Prints o (indented, one value per line) and a newline, then drops it. */
void json_print(FILE *f, struct json_object *o);

#endif
