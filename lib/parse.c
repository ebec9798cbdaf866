/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validators and value parsers.  Pure functions: everything that reaches a
 * path, the kernel or a cgroup file passes through one of these first. */
#include "internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <sys/socket.h>

int vs_name_check(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return -EINVAL;
	if (!isascii((unsigned char)name[0]) || !isalnum((unsigned char)name[0]))
		return -EINVAL;
	for (i = 1; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		if (i >= VS_NAME_MAX)
			return -EINVAL;
		if (!(isascii(c) && (isalnum(c) || c == '.' || c == '_' || c == '-')))
			return -EINVAL;
	}
	return 0;
}

char *vs_strip(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	return s;
}

/* One string per line, empty lines dropped, trailing blanks removed
 * (leading blanks are kept: "cmd.start" arguments may need them). */
int vs_split_lines(const char *text, char ***out)
{
	char **v = NULL;
	const char *p = text;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *line = strndup(p, len);
		if (!line) {
			vs_strv_free(v);
			return -ENOMEM;
		}
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
			       line[len - 1] == '\t'))
			line[--len] = '\0';
		if (len) {
			int r = vs_strv_push(&v, line);
			if (r < 0) {
				free(line);
				vs_strv_free(v);
				return r;
			}
		}
		free(line);
		p = e ? e + 1 : NULL;
	}
	if (!v) {
		v = calloc(1, sizeof(char *));
		if (!v)
			return -ENOMEM;
	}
	*out = v;
	return 0;
}

int vs_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int base = 10;

	if (!s || !*s)
		return -EINVAL;
	/* strtoull accepts leading blanks and signs; numbers here must not. */
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)s[0]))
			return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int vs_parse_xid(const char *s, uint32_t *xid)
{
	uint64_t v;
	int r = vs_parse_u64(s, VS_XID_MIN, VS_XID_MAX, &v);
	if (r < 0)
		return r;
	*xid = (uint32_t)v;
	return 0;
}

int vs_parse_limit(const char *s, uint64_t *out)
{
	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "inf") || !strcasecmp(s, "infinity") ||
	    !strcasecmp(s, "unlimited") || !strcmp(s, "-1")) {
		*out = VS_LIMIT_INF;
		return 0;
	}
	/* VS_LIMIT_INF and VS_LIMIT_INF-1 are the kernel's INFINITY and KEEP
	 * markers; a number must not alias them. */
	return vs_parse_u64(s, 0, UINT64_MAX - 2, out);
}

int vs_parse_suffixed(const char *s, uint64_t max, bool hex_ok, uint64_t *out, bool *suffixed)
{
	uint64_t v, mult = 1;
	char num[32];
	size_t len;
	int r;

	if (!s || !*s)
		return -EINVAL;
	len = strlen(s);
	if (len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'k': case 'K': mult = 1ULL << 10; break;
	case 'm': case 'M': mult = 1ULL << 20; break;
	case 'g': case 'G': mult = 1ULL << 30; break;
	case 't': case 'T': mult = 1ULL << 40; break;
	default: break;
	}
	if (mult != 1)
		num[--len] = '\0';
	/* "0x10K" is no size anybody means */
	if (!len || (strncmp(num, "0x", 2) == 0 && (mult != 1 || !hex_ok)))
		return -EINVAL;
	r = vs_parse_u64(num, 0, UINT64_MAX, &v);
	if (r < 0)
		return r;
	if (v > max / mult)
		return -ERANGE;
	*out = v * mult;
	if (suffixed)
		*suffixed = mult != 1;
	return 0;
}

int vs_parse_size(const char *s, uint64_t *out)
{
	if (s && !strcmp(s, "max")) {
		*out = UINT64_MAX;
		return 0;
	}
	/* UINT64_MAX itself is "max" */
	return vs_parse_suffixed(s, UINT64_MAX - 1, false, out, NULL);
}

int vs_parse_duration_ms(const char *s, uint64_t *ms)
{
	char num[32];
	size_t len;
	uint64_t v, mult = 1000;
	int r;

	if (!s || !*s || (len = strlen(s)) >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	if (len > 2 && !strcmp(num + len - 2, "ms")) {
		mult = 1;
		num[len - 2] = '\0';
	} else if (len > 1 && num[len - 1] == 's') {
		num[len - 1] = '\0';
	}
	if (strncmp(num, "0x", 2) == 0)
		return -EINVAL;
	r = vs_parse_u64(num, 0, 86400ULL * 1000 / mult, &v);
	if (r < 0)
		return r;
	*ms = v * mult;
	return 0;
}

int vs_parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "1") || !strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
	    !strcasecmp(s, "on")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(s, "0") || !strcasecmp(s, "no") || !strcasecmp(s, "false") ||
	    !strcasecmp(s, "off")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

int vs_parse_signal(const char *s)
{
	uint64_t v;
	const char *n = s;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)s[0])) {
		if (vs_parse_u64(s, 1, SIGRTMAX, &v) < 0)
			return -EINVAL;
		return (int)v;
	}
	if (!strncasecmp(n, "SIG", 3))
		n += 3;
	if (!strncasecmp(n, "RTMIN", 5) || !strncasecmp(n, "RTMAX", 5)) {
		bool min = !strncasecmp(n, "RTMIN", 5);
		int base = min ? SIGRTMIN : SIGRTMAX;
		const char *off = n + 5;
		if (!*off)
			return base;
		if ((min && *off != '+') || (!min && *off != '-'))
			return -EINVAL;
		if (vs_parse_u64(off + 1, 0, SIGRTMAX - SIGRTMIN, &v) < 0)
			return -EINVAL;
		return min ? base + (int)v : base - (int)v;
	}
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && !strcasecmp(abbrev, n))
			return sig;
	}
	return -EINVAL;
}

const char *vs_signal_name(int sig)
{
	static __thread char buf[16];
	const char *a = (sig > 0 && sig < SIGRTMIN) ? sigabbrev_np(sig) : NULL;

	if (a)
		return a;
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}

static const char *const rlimit_names[VS_RLIMIT_NUM] = {
	"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
	"memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio",
	"rttime", "nsock", "openfd", "anon", "shmem", "semary", "nsems",
	"dentry", "mapped",
};

int vs_rlimit_id(const char *name)
{
	uint64_t v;

	if (!name)
		return -EINVAL;
	for (int i = 0; i < VS_RLIMIT_NUM; i++)
		if (!strcasecmp(name, rlimit_names[i]))
			return i;
	if (vs_parse_u64(name, 0, VS_RLIMIT_NUM - 1, &v) == 0)
		return (int)v;
	return -EINVAL;
}

const char *vs_rlimit_name(int id)
{
	if (id < 0 || id >= VS_RLIMIT_NUM)
		return NULL;
	return rlimit_names[id];
}

int vs_backend_parse(const char *s)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "auto"))
		return VS_BACKEND_AUTO;
	if (!strcmp(s, "ns"))
		return VS_BACKEND_NS;
	if (!strcmp(s, "vx"))
		return VS_BACKEND_VX;
	return -EINVAL;
}

const char *vs_backend_name(int backend)
{
	switch (backend) {
	case VS_BACKEND_AUTO: return "auto";
	case VS_BACKEND_NS: return "ns";
	case VS_BACKEND_VX: return "vx";
	}
	return "?";
}

int vs_initstyle_parse(const char *s)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "plain"))
		return VS_INIT_PLAIN;
	if (!strcmp(s, "sysv"))
		return VS_INIT_SYSV;
	if (!strcmp(s, "minit"))
		return VS_INIT_MINIT;
	return -EINVAL;
}

const char *vs_initstyle_name(int style)
{
	switch (style) {
	case VS_INIT_PLAIN: return "plain";
	case VS_INIT_SYSV: return "sysv";
	case VS_INIT_MINIT: return "minit";
	}
	return NULL;
}

static bool iface_label_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* Linux accepts almost anything below IFNAMSIZ; be stricter so a device
 * name can never be mistaken for an option or a path. */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	if (!isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) || strchr("._-@", s[i])))
			return false;
	return true;
}

static int parse_addr(const char *s, struct vs_iface *ifc, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 32];
	char *slash;
	uint64_t prefix;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(ifc->addr, 0, sizeof(ifc->addr));
	if (inet_pton(AF_INET, buf, ifc->addr) == 1) {
		ifc->family = AF_INET;
		ifc->prefix = 32;
		if (ifc->addr[0] == 0 || ifc->addr[0] >= 224) {
			snprintf(err, errlen, "'%s' is not a usable host address", buf);
			return -EINVAL;
		}
	} else if (inet_pton(AF_INET6, buf, ifc->addr) == 1) {
		static const unsigned char zero[16];
		ifc->family = AF_INET6;
		ifc->prefix = 128;
		if (!memcmp(ifc->addr, zero, 16) || ifc->addr[0] == 0xff) {
			snprintf(err, errlen, "'%s' is not a usable host address", buf);
			return -EINVAL;
		}
	} else {
		return -EINVAL;
	}
	if (!slash)
		return 0;
	if (ifc->family == AF_INET && strchr(slash, '.')) {
		struct in_addr m;
		uint32_t h;
		unsigned bits = 0;
		if (inet_pton(AF_INET, slash, &m) != 1) {
			snprintf(err, errlen, "'%s' is not a netmask", slash);
			return -EINVAL;
		}
		h = ntohl(m.s_addr);
		while (bits < 32 && (h & (0x80000000U >> bits)))
			bits++;
		if (bits < 32 && (h << bits) != 0) {
			snprintf(err, errlen, "netmask '%s' is not contiguous", slash);
			return -EINVAL;
		}
		ifc->prefix = bits;
		return 0;
	}
	if (vs_parse_u64(slash, 0, ifc->family == AF_INET ? 32 : 128, &prefix) < 0 ||
	    strncmp(slash, "0x", 2) == 0) {
		snprintf(err, errlen, "'%s' is not a valid prefix length", slash);
		return -EINVAL;
	}
	ifc->prefix = (unsigned)prefix;
	return 0;
}

int vs_iface_parse(const char *spec, struct vs_iface *out, char *err, size_t errlen)
{
	struct vs_iface ifc;
	char buf[256], lerr[128] = "";
	char *rest, *eq, *colon;
	char dummy[8];
	int r;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	memset(&ifc, 0, sizeof(ifc));
	if (!spec || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "interface specification too long");
		return -EINVAL;
	}
	strcpy(buf, spec);
	rest = buf;
	eq = strchr(rest, '=');
	if (eq) {
		*eq = '\0';
		if (!iface_label_ok(rest)) {
			snprintf(err, errlen, "'%s' is not a valid interface label "
				 "(letters, digits, '_', '-')", rest);
			return -EINVAL;
		}
		strcpy(ifc.name, rest);
		rest = eq + 1;
	}
	/* An IPv6 address contains colons: try the whole rest as an address
	 * first, then DEV:ADDR. */
	r = parse_addr(rest, &ifc, lerr, sizeof(lerr));
	if (r < 0 && !lerr[0] && (colon = strchr(rest, ':'))) {
		*colon = '\0';
		if (!ifname_ok(rest)) {
			snprintf(err, errlen, "'%s' is not a valid device name", rest);
			return -EINVAL;
		}
		strcpy(ifc.dev, rest);
		r = parse_addr(colon + 1, &ifc, lerr, sizeof(lerr));
	}
	if (r < 0) {
		if (lerr[0])
			snprintf(err, errlen, "%s", lerr);
		else
			snprintf(err, errlen, "'%s' is not [NAME=][DEV:]IP[/PREFIX]", spec);
		return -EINVAL;
	}
	*out = ifc;
	return 0;
}

int vs_iface_format(const struct vs_iface *ifc, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(ifc->family, ifc->addr, a, sizeof(a)))
		return -EINVAL;
	n = snprintf(buf, len, "%s%s%s%s%s/%u", ifc->name, ifc->name[0] ? "=" : "",
		     ifc->dev, ifc->dev[0] ? ":" : "", a, ifc->prefix);
	return (n < 0 || (size_t)n >= len) ? -ENOSPC : 0;
}

/* cgroup v2 settings a guest configuration may carry (cgroup/KEY files).
 * Each value is checked here so that nothing unchecked is ever written to a
 * cgroup interface file. */
int vs_cg_setting_check(const char *key, const char *value, unsigned *controller,
			char *err, size_t errlen)
{
	uint64_t v;

	if (!strcmp(key, "memory.max") || !strcmp(key, "memory.high") ||
	    !strcmp(key, "memory.swap.max") || !strcmp(key, "memory.low")) {
		*controller = VS_CG_MEMORY;
		if (vs_parse_size(value, &v) < 0) {
			snprintf(err, errlen, "%s: '%s' is not a size (bytes, K/M/G/T suffix, or max)",
				 key, value);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "pids.max")) {
		*controller = VS_CG_PIDS;
		if (strcmp(value, "max") && vs_parse_u64(value, 1, INT32_MAX, &v) < 0) {
			snprintf(err, errlen, "pids.max: '%s' is not a positive number or max", value);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "cpu.weight")) {
		*controller = VS_CG_CPU;
		if (vs_parse_u64(value, 1, 10000, &v) < 0) {
			snprintf(err, errlen, "cpu.weight: '%s' is not in 1..10000", value);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "cpu.max")) {
		char buf[64], *sp;
		*controller = VS_CG_CPU;
		if (strlen(value) >= sizeof(buf))
			goto bad_cpu;
		strcpy(buf, value);
		sp = strchr(buf, ' ');
		if (sp) {
			*sp++ = '\0';
			if (vs_parse_u64(sp, 1000, 1000000, &v) < 0)
				goto bad_cpu;
		}
		if (strcmp(buf, "max") && vs_parse_u64(buf, 1000, UINT32_MAX, &v) < 0)
			goto bad_cpu;
		return 0;
bad_cpu:
		snprintf(err, errlen, "cpu.max: '%s' is not 'QUOTA [PERIOD]' in microseconds "
			 "(QUOTA >= 1000 or max, PERIOD 1000..1000000)", value);
		return -EINVAL;
	}
	snprintf(err, errlen, "cgroup/%s: unsupported setting (supported: memory.max, "
		 "memory.high, memory.low, memory.swap.max, pids.max, cpu.max, cpu.weight)", key);
	return -EINVAL;
}

int vs_json_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		char tmp[8];
		const char *s = tmp;
		switch (*p) {
		case '"': s = "\\\""; break;
		case '\\': s = "\\\\"; break;
		case '\n': s = "\\n"; break;
		case '\t': s = "\\t"; break;
		case '\r': s = "\\r"; break;
		default:
			if (*p < 0x20)
				snprintf(tmp, sizeof(tmp), "\\u%04x", *p);
			else {
				tmp[0] = (char)*p;
				tmp[1] = '\0';
			}
		}
		for (; *s; s++) {
			if (o + 1 >= len)
				return -ENOSPC;
			out[o++] = *s;
		}
	}
	if (o >= len)
		return -ENOSPC;
	out[o] = '\0';
	return 0;
}
