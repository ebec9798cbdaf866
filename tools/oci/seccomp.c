/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp: parsed here, compiled and loaded with libseccomp.
 *
 * A syscall name this libseccomp does not know is skipped (debug message),
 * as runc and crun do: engines ship one profile for many kernels, and a
 * name that does not exist here cannot be called here either.  Everything
 * else unknown (actions, operators, architectures, flags, a listener) is
 * refused, naming the field. */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

static int action(const char *a, uint32_t errno_ret, bool has_errno, uint32_t *out)
{
	if (!strcmp(a, "SCMP_ACT_KILL") || !strcmp(a, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(a, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(a, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(a, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(has_errno ? errno_ret : EPERM);
	else if (!strcmp(a, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE(has_errno ? errno_ret : EPERM);
	else if (!strcmp(a, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(a, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else
		return -1;
	return 0;
}

static const struct { const char *n; int op; } ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int errno_of(struct json_object *o, const char *field, uint32_t *e, bool *has)
{
	struct json_object *v;
	int64_t x;

	*has = false;
	if (!json_object_object_get_ex(o, field, &v))
		return 0;
	x = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || x < 0 || x > 4095)
		return -1;
	*e = (uint32_t)x;
	*has = true;
	return 0;
}

static int parse_rule(struct json_object *e, const char *field, struct oci_scrule *ru)
{
	static const char *const keys[] = { "names", "action", "errnoRet", "args", "comment",
		"includes", "excludes", NULL };
	static const char *const ak[] = { "index", "value", "valueTwo", "op", NULL };
	struct json_object *v;
	uint32_t er = 0;
	bool has;
	int r;

	if ((r = oci_check_keys(e, field, keys)) < 0)
		return r;
	if (!json_object_object_get_ex(e, "names", &v))
		return oci_err(-EINVAL, "%s.names: missing", field);
	if ((r = oci_strv_from_json(v, field, &ru->names)) < 0)
		return r;
	if (errno_of(e, "errnoRet", &er, &has) < 0)
		return oci_err(-EINVAL, "%s.errnoRet: must be 0..4095", field);
	if (!json_object_object_get_ex(e, "action", &v) ||
	    action(json_object_get_string(v), er, has, &ru->action) < 0)
		return oci_err(-EINVAL, "%s.action: missing or unknown", field);
	if (json_object_object_get_ex(e, "args", &v)) {
		if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > 6)
			return oci_err(-EINVAL, "%s.args: must be an array of at most 6", field);
		ru->n_args = json_object_array_length(v);
		ru->args = calloc(ru->n_args + 1, sizeof(*ru->args));
		for (size_t i = 0; i < ru->n_args; i++) {
			struct json_object *a = json_object_array_get_idx(v, i), *x;
			struct oci_scarg *sa = &ru->args[i];
			char f[80];
			bool found = false;

			snprintf(f, sizeof(f), "%s.args[%zu]", field, i);
			if ((r = oci_check_keys(a, f, ak)) < 0)
				return r;
			if (!json_object_object_get_ex(a, "index", &x) ||
			    json_object_get_int64(x) < 0 || json_object_get_int64(x) > 5)
				return oci_err(-EINVAL, "%s.index: must be 0..5", f);
			sa->index = (unsigned)json_object_get_int64(x);
			if (json_object_object_get_ex(a, "value", &x))
				sa->value = json_object_get_uint64(x);
			if (json_object_object_get_ex(a, "valueTwo", &x))
				sa->value2 = json_object_get_uint64(x);
			if (!json_object_object_get_ex(a, "op", &x))
				return oci_err(-EINVAL, "%s.op: missing", f);
			for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
				if (!strcmp(json_object_get_string(x), ops[k].n)) {
					sa->op = ops[k].op;
					found = true;
				}
			if (!found)
				return oci_err(-EINVAL, "%s.op: unknown \"%s\"", f,
					       json_object_get_string(x));
		}
	}
	return 0;
}

int oci_parse_seccomp(struct json_object *o, struct oci_seccomp *sc)
{
	static const char *const keys[] = { "defaultAction", "defaultErrnoRet", "architectures",
		"flags", "syscalls", "listenerPath", "listenerMetadata", NULL };
	struct json_object *v;
	uint32_t er = 0;
	bool has;
	int r;

	if ((r = oci_check_keys(o, "linux.seccomp", keys)) < 0)
		return r;
	if (json_object_object_get_ex(o, "listenerPath", &v) && *json_object_get_string(v))
		return oci_err(-EOPNOTSUPP, "linux.seccomp.listenerPath: seccomp notification is "
			       "not supported by vserver-oci");
	if (errno_of(o, "defaultErrnoRet", &er, &has) < 0)
		return oci_err(-EINVAL, "linux.seccomp.defaultErrnoRet: must be 0..4095");
	if (!json_object_object_get_ex(o, "defaultAction", &v) ||
	    action(json_object_get_string(v), er, has, &sc->default_action) < 0)
		return oci_err(-EINVAL, "linux.seccomp.defaultAction: missing or unknown");
	if (json_object_object_get_ex(o, "flags", &v)) {
		char **f = NULL;
		if ((r = oci_strv_from_json(v, "linux.seccomp.flags", &f)) < 0)
			return r;
		for (size_t i = 0; f[i]; i++) {
			if (!strcmp(f[i], "SECCOMP_FILTER_FLAG_LOG")) {
				sc->log_flag = true;
				continue;
			}
			r = oci_err(-EOPNOTSUPP, "linux.seccomp.flags[%zu]: \"%s\" is not supported",
				    i, f[i]);
			oci_strv_free(f);
			return r;
		}
		oci_strv_free(f);
	}
	if (json_object_object_get_ex(o, "architectures", &v)) {
		char **a = NULL;
		size_t n;
		if ((r = oci_strv_from_json(v, "linux.seccomp.architectures", &a)) < 0)
			return r;
		for (n = 0; a[n]; n++)
			;
		sc->arches = calloc(n + 1, sizeof(uint32_t));
		for (size_t i = 0; i < n; i++) {
			const char *name = a[i];
			uint32_t arch;
			if (!strncmp(name, "SCMP_ARCH_", 10))
				name += 10;
			char low[32];
			size_t k;
			for (k = 0; name[k] && k < sizeof(low) - 1; k++)
				low[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
			low[k] = '\0';
			if (!strcmp(low, "x86_64"))
				strcpy(low, "x86_64");
			arch = seccomp_arch_resolve_name(low);
			if (!arch) {
				r = oci_err(-EINVAL, "linux.seccomp.architectures[%zu]: unknown \"%s\"",
					    i, a[i]);
				oci_strv_free(a);
				return r;
			}
			sc->arches[sc->n_arches++] = arch;
		}
		oci_strv_free(a);
	}
	if (json_object_object_get_ex(o, "syscalls", &v)) {
		if (!json_object_is_type(v, json_type_array))
			return oci_err(-EINVAL, "linux.seccomp.syscalls: must be an array");
		size_t n = json_object_array_length(v);
		sc->rules = calloc(n + 1, sizeof(*sc->rules));
		for (size_t i = 0; i < n; i++) {
			char field[48];
			snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu]", i);
			sc->n_rules++;
			if ((r = parse_rule(json_object_array_get_idx(v, i), field,
					    &sc->rules[i])) < 0)
				return r;
		}
	}
	return 0;
}

int oci_seccomp_load(const struct oci_seccomp *sc, char *err, size_t errlen)
{
	scmp_filter_ctx f = seccomp_init(sc->default_action);
	int r = 0;

	if (!f) {
		snprintf(err, errlen, "linux.seccomp: seccomp_init failed");
		return -EINVAL;
	}
	/* the runtime decides about no_new_privs (process.noNewPrivileges) */
	seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0);
	if (sc->log_flag)
		seccomp_attr_set(f, SCMP_FLTATR_CTL_LOG, 1);
	for (size_t i = 0; i < sc->n_arches; i++) {
		r = seccomp_arch_add(f, sc->arches[i]);
		if (r == -EEXIST)
			r = 0;
		if (r < 0) {
			snprintf(err, errlen, "linux.seccomp.architectures[%zu]: %s", i, strerror(-r));
			goto out;
		}
	}
	for (size_t i = 0; i < sc->n_rules; i++) {
		const struct oci_scrule *ru = &sc->rules[i];
		struct scmp_arg_cmp cmp[6];
		bool one_each = false;

		if (ru->action == sc->default_action)
			continue;	/* libseccomp refuses rules that change nothing */
		for (size_t k = 0; k < ru->n_args; k++) {
			cmp[k] = (struct scmp_arg_cmp){ ru->args[k].index, ru->args[k].op,
							ru->args[k].value, ru->args[k].value2 };
			for (size_t j = 0; j < k; j++)
				one_each |= ru->args[j].index == ru->args[k].index;
		}
		/* two comparisons of one argument (personality: 0 or 8 or ...)
		 * mean either, as runc and crun read them: libseccomp ANDs a
		 * rule's comparisons and refuses one argument twice, so each
		 * becomes a rule of its own */
		for (size_t k = 0; ru->names[k]; k++) {
			int nr = seccomp_syscall_resolve_name(ru->names[k]);
			if (nr == __NR_SCMP_ERROR)
				continue;	/* not a syscall here (see the top) */
			if (!one_each)
				r = seccomp_rule_add_array(f, ru->action, nr, (unsigned)ru->n_args, cmp);
			for (size_t a = 0; one_each && a < ru->n_args && r >= 0; a++)
				r = seccomp_rule_add_array(f, ru->action, nr, 1, &cmp[a]);
			if (r < 0) {
				snprintf(err, errlen, "linux.seccomp.syscalls[%zu] (%s): %s", i,
					 ru->names[k], strerror(-r));
				goto out;
			}
		}
	}
	r = seccomp_load(f);
	if (r < 0)
		snprintf(err, errlen, "linux.seccomp: cannot load the filter: %s", strerror(-r));
out:
	seccomp_release(f);
	return r;
}
