/* SPDX-License-Identifier: GPL-2.0-or-later */
/* update's input: runc's options (--memory 128m, --pids-limit -1 ...) or
 * a LinuxResources object from --resources FILE or - (what containerd's
 * shim and podman send: the whole object, the parts they leave alone null
 * or 0).  A member that asks for something update cannot do is refused,
 * naming it; one that asks for nothing is not. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

int oci_update_size(const char *opt, const char *val, int64_t *out)
{
	uint64_t v;

	if (!strcmp(val, "-1")) {
		*out = -1;
		return 0;
	}
	if (vs_parse_size(val, &v) < 0 || v > INT64_MAX)
		return oci_err(-EINVAL, "%s: '%s' is not a size (bytes, K/M/G/T suffix, or -1 "
			       "for no limit)", opt, val);
	*out = v == UINT64_MAX ? -1 : (int64_t)v;
	return 0;
}

static int get_num(struct json_object *o, const char *key, const char *field, int64_t *out,
		   bool *has)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return oci_err(-EINVAL, "%s.%s: must be an integer", field, key);
	*out = json_object_get_int64(v);
	*has = *out != 0;
	return 0;
}

/* a member that asks for something this runtime cannot do: refused when
 * it is set (engines send the whole LinuxResources with zeros and nulls) */
static bool is_set(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return false;
	case json_type_boolean: return json_object_get_boolean(v);
	case json_type_int: return json_object_get_int64(v) != 0;
	case json_type_double: return json_object_get_double(v) != 0;
	case json_type_string: return *json_object_get_string(v) != '\0';
	case json_type_array: return json_object_array_length(v) != 0;
	case json_type_object:
		json_object_object_foreach(v, k, x) {
			(void)k;
			if (is_set(x))
				return true;
		}
		return false;
	}
	return true;
}

/* members of obj not in known must be unset */
static int refuse_set(struct json_object *o, const char *field, const char *const *known)
{
	if (!json_object_is_type(o, json_type_object))
		return oci_err(-EINVAL, "%s: must be an object", field);
	json_object_object_foreach(o, key, val) {
		bool ok = false;
		for (size_t i = 0; known[i]; i++)
			if (!strcmp(known[i], key))
				ok = true;
		if (!ok && is_set(val)) {
			char name[256];
			/* name the member that is set, not only its object */
			snprintf(name, sizeof(name), "%s.%s", field, key);
			while (json_object_is_type(val, json_type_object)) {
				json_object_object_foreach(val, k2, v2) {
					if (is_set(v2)) {
						size_t l = strlen(name);
						snprintf(name + l, sizeof(name) - l, ".%s", k2);
						val = v2;
						break;
					}
				}
			}
			return oci_err(-EOPNOTSUPP, "%s: not supported by vserver-oci update", name);
		}
	}
	return 0;
}

int oci_update_from_json(struct json_object *o, struct oci_update *u)
{
	static const char *const top[] = { "memory", "cpu", "pids", NULL };
	static const char *const memk[] = { "limit", "reservation", "swap", NULL };
	static const char *const cpuk[] = { "shares", "quota", "period", NULL };
	static const char *const pidk[] = { "limit", NULL };
	struct json_object *v;
	int64_t x = 0;
	bool has = false;
	int r;

	if ((r = refuse_set(o, "resources", top)) < 0)
		return r;
	if (json_object_object_get_ex(o, "memory", &v) && !json_object_is_type(v, json_type_null)) {
		if ((r = refuse_set(v, "resources.memory", memk)) < 0 ||
		    (r = get_num(v, "limit", "resources.memory", &u->mem, &u->has_mem)) < 0 ||
		    (r = get_num(v, "reservation", "resources.memory", &u->res, &u->has_res)) < 0 ||
		    (r = get_num(v, "swap", "resources.memory", &u->swap, &u->has_swap)) < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "pids", &v) && !json_object_is_type(v, json_type_null)) {
		if ((r = refuse_set(v, "resources.pids", pidk)) < 0 ||
		    (r = get_num(v, "limit", "resources.pids", &u->pids, &u->has_pids)) < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "cpu", &v) && !json_object_is_type(v, json_type_null)) {
		if ((r = refuse_set(v, "resources.cpu", cpuk)) < 0 ||
		    (r = get_num(v, "shares", "resources.cpu", &x, &has)) < 0)
			return r;
		if (has && x < 0)
			return oci_err(-EINVAL, "resources.cpu.shares: must not be negative");
		u->has_shares = has;
		u->shares = (uint64_t)x;
		x = 0;
		has = false;
		if ((r = get_num(v, "period", "resources.cpu", &x, &has)) < 0)
			return r;
		if (has && x < 0)
			return oci_err(-EINVAL, "resources.cpu.period: must not be negative");
		u->has_period = has;
		u->period = (uint64_t)x;
		if ((r = get_num(v, "quota", "resources.cpu", &u->quota, &u->has_quota)) < 0)
			return r;
	}
	return 0;
}


/* the runc options this runtime cannot honour are known by name so that
 * the refusal says which */
enum { U_RES = 'r', U_MEM = 0x200, U_SWAP, U_MRES, U_PIDS, U_QUOTA, U_PERIOD, U_SHARES,
       U_UNSUP };

static int num(const char *opt, const char *arg, int64_t min, int64_t *out, bool *has)
{
	char *e;
	long long v;

	errno = 0;
	v = strtoll(arg, &e, 10);
	if (!*arg || *e || errno || v < min)
		return oci_err(-EINVAL, "%s: '%s' is not a number%s", opt, arg,
			       min < 0 ? " (or -1 for no limit)" : "");
	*out = v;
	*has = v != 0;	/* 0: as it is, as in runc */
	return 0;
}

static int size(const char *opt, const char *arg, int64_t *out, bool *has)
{
	int r = oci_update_size(opt, arg, out);

	*has = r == 0 && *out != 0;
	return r;
}

static int resources(const char *path, struct oci_update *u)
{
	struct json_object *j;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0, r;

	if (fd < 0)
		return oci_err(-errno, "--resources %s: %s", path, strerror(errno));
	r = oci_json_read_fd(fd, fd ? path : "resources (stdin)", &j);
	if (fd)
		close(fd);
	if (r < 0)
		return r == -EINVAL ? -EBADMSG : r;	/* not a usage error */
	r = oci_update_from_json(j, u);
	json_object_put(j);
	return r == -EINVAL ? -EBADMSG : r;
}

int oci_update_args(int argc, char **argv, struct oci_update *u, const char **id)
{
	static const struct option lo[] = {
		{ "resources", required_argument, NULL, U_RES },
		{ "memory", required_argument, NULL, U_MEM },
		{ "memory-swap", required_argument, NULL, U_SWAP },
		{ "memory-reservation", required_argument, NULL, U_MRES },
		{ "pids-limit", required_argument, NULL, U_PIDS },
		{ "cpu-quota", required_argument, NULL, U_QUOTA },
		{ "cpu-period", required_argument, NULL, U_PERIOD },
		{ "cpu-share", required_argument, NULL, U_SHARES },	/* runc's and crun's name */
		{ "cpu-shares", required_argument, NULL, U_SHARES },
		{ "blkio-weight", required_argument, NULL, U_UNSUP },
		{ "cpu-rt-period", required_argument, NULL, U_UNSUP },
		{ "cpu-rt-runtime", required_argument, NULL, U_UNSUP },
		{ "cpu-burst", required_argument, NULL, U_UNSUP },
		{ "cpuset-cpus", required_argument, NULL, U_UNSUP },
		{ "cpuset-mems", required_argument, NULL, U_UNSUP },
		{ "kernel-memory", required_argument, NULL, U_UNSUP },
		{ "kernel-memory-tcp", required_argument, NULL, U_UNSUP },
		{ "l3-cache-schema", required_argument, NULL, U_UNSUP },
		{ "mem-bw-schema", required_argument, NULL, U_UNSUP },
		{ NULL, 0, NULL, 0 }
	};
	const char *res = NULL;
	bool other = false;
	int64_t x = 0;
	int c, li = 0, r = 0;

	optind = 1;
	opterr = 0;
	while (r == 0 && (c = getopt_long(argc, argv, "+:r:", lo, &li)) != -1) {
		other |= c != U_RES && c != '?' && c != ':';
		switch (c) {
		case '?': return oci_err(-EINVAL, "unknown option %s", argv[optind - 1]);
		case ':': return oci_err(-EINVAL, "option %s needs a value", argv[optind - 1]);
		case U_UNSUP:
			return oci_err(-EOPNOTSUPP, "update: --%s: not supported by vserver-oci "
				       "(memory, swap, pids and cpu limits are)", lo[li].name);
		case U_RES: res = optarg; break;
		case U_MEM: r = size("--memory", optarg, &u->mem, &u->has_mem); break;
		case U_SWAP: r = size("--memory-swap", optarg, &u->swap, &u->has_swap); break;
		case U_MRES: r = size("--memory-reservation", optarg, &u->res, &u->has_res); break;
		case U_PIDS: r = num("--pids-limit", optarg, -1, &u->pids, &u->has_pids); break;
		case U_QUOTA: r = num("--cpu-quota", optarg, -1, &u->quota, &u->has_quota); break;
		case U_PERIOD:
			r = num("--cpu-period", optarg, 0, &x, &u->has_period);
			u->period = (uint64_t)x;
			break;
		case U_SHARES:
			r = num("--cpu-share", optarg, 0, &x, &u->has_shares);
			u->shares = (uint64_t)x;
			break;
		}
	}
	if (r < 0)
		return r;
	if (optind >= argc)
		return oci_err(-EINVAL, "a container id is required");
	if (optind + 1 < argc)
		return oci_err(-EINVAL, "unexpected argument %s", argv[optind + 1]);
	*id = argv[optind];
	if (res && other)
		return oci_err(-EINVAL, "--resources and the other options exclude each other");
	return res ? resources(res, u) : 0;
}
