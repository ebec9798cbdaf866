/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON input through json-c: a file or pipe read with a size limit and a depth
 * limit, objects checked against the members a parser knows, string
 * arrays. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

void oci_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* The JSON document in buf (got bytes), depth-limited; name for errors. */
static int parse_buf(const char *name, char *buf, size_t got, struct json_object **out)
{
	struct json_tokener *tok = json_tokener_new_ex(OCI_JSON_DEPTH);
	struct json_object *o;

	if (!tok)
		return oci_err(-ENOMEM, "out of memory");
	o = json_tokener_parse_ex(tok, buf, (int)got);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < got) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		size_t at = json_tokener_get_parse_end(tok);
		int r;
		if (e == json_tokener_error_depth)
			r = oci_err(-EINVAL, "%s: nesting deeper than %d levels is refused", name,
				    OCI_JSON_DEPTH);
		else if (e == json_tokener_success || e == json_tokener_continue)
			r = oci_err(-EINVAL, "%s: malformed JSON at byte %zu: %s", name, at,
				    e == json_tokener_success ? "trailing data" : "unexpected end");
		else
			r = oci_err(-EINVAL, "%s: malformed JSON at byte %zu: %s", name, at,
				    json_tokener_error_desc(e));
		json_object_put(o);
		json_tokener_free(tok);
		return r;
	}
	json_tokener_free(tok);
	*out = o;
	return 0;
}

int oci_json_read_file(const char *path, struct json_object **out)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), r;

	if (fd < 0)
		return oci_err(-errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return oci_err(-EINVAL, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > OCI_CONFIG_MAX) {
		close(fd);
		return oci_err(-EFBIG, "%s: %lld bytes; more than %u is refused", path,
			       (long long)st.st_size, OCI_CONFIG_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return oci_err(-ENOMEM, "out of memory");
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	r = parse_buf(path, buf, got, out);
	free(buf);
	return r;
}

/* A pipe (update --resources -) has no size to check first: read up to
 * the limit and refuse what goes beyond it. */
int oci_json_read_fd(int fd, const char *name, struct json_object **out)
{
	size_t cap = 65536, got = 0;
	char *buf = malloc(cap), *nb;
	ssize_t n;
	int r;

	if (!buf)
		return oci_err(-ENOMEM, "out of memory");
	for (;;) {
		if (got == cap) {
			if (cap > OCI_CONFIG_MAX) {
				free(buf);
				return oci_err(-EFBIG, "%s: more than %u bytes is refused", name,
					       OCI_CONFIG_MAX);
			}
			if (!(nb = realloc(buf, cap * 2))) {
				free(buf);
				return oci_err(-ENOMEM, "out of memory");
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = oci_err(-errno, "%s: %s", name, strerror(errno));
			free(buf);
			return r;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > OCI_CONFIG_MAX) {
		free(buf);
		return oci_err(-EFBIG, "%s: more than %u bytes is refused", name, OCI_CONFIG_MAX);
	}
	r = parse_buf(name, buf, got, out);
	free(buf);
	return r;
}

int oci_check_keys(struct json_object *o, const char *field, const char *const *known)
{
	if (!json_object_is_type(o, json_type_object))
		return oci_err(-EINVAL, "%s: must be an object", field);
	json_object_object_foreach(o, key, val) {
		bool ok = false;
		(void)val;
		for (size_t i = 0; known[i]; i++)
			if (!strcmp(known[i], key))
				ok = true;
		if (!ok)
			return oci_err(-EOPNOTSUPP, "%s%s%s: not supported by vserver-oci", field,
				       *field ? "." : "", key);
	}
	return 0;
}

int oci_strv_from_json(struct json_object *a, const char *field, char ***out)
{
	size_t n;
	char **v;

	if (!json_object_is_type(a, json_type_array))
		return oci_err(-EINVAL, "%s: must be an array of strings", field);
	n = json_object_array_length(a);
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return oci_err(-ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string)) {
			oci_strv_free(v);
			return oci_err(-EINVAL, "%s[%zu]: must be a string", field, i);
		}
		v[i] = strdup(json_object_get_string(e));
		if (!v[i]) {
			oci_strv_free(v);
			return oci_err(-ENOMEM, "out of memory");
		}
	}
	*out = v;
	return 0;
}
