/*
 * leasectl_leases — leases for display, from the daemon or from the
 * files (see include/leasectl/leasectl_leases.h).  The offline path replays the
 * lease file and journals exactly as store.c does at start, through the
 * same parsers and the same address → line map, so the two cannot drift
 * apart on what a record means.
 */
#include "leasectl/leasectl_leases.h"
#include "leasectl/leasectl_fmt.h"
#include "leasectl/leasectl_sock.h" /* the exit statuses */
#include "lease/leasefile.h"
#include "store/store_read.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void ctl_leases_free(struct ctl_leases *ls)
{
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
}

static void copy_member(const struct json_value *o, const char *key, char *out, size_t len)
{
	const char *s;

	if (json_get_string(o, key, &s))
		str_copy(out, s, len);
}

void ctl_lease_from_json(const struct json_value *o, int64_t now, struct ctl_lease *out)
{
	const struct json_value *names = json_get(o, "names");
	int64_t family = 0;
	size_t used = 0;

	memset(out, 0, sizeof(*out));
	out->json = o;
	copy_member(o, "address", out->address, sizeof(out->address));
	if (!json_get_int(o, "family", &family) || (family != 4 && family != 6))
		family = strchr(out->address, ':') ? 6 : 4;
	out->family = (int)family;
	copy_member(o, "hwaddr", out->hwaddr, sizeof(out->hwaddr));
	copy_member(o, "duid", out->duid, sizeof(out->duid));
	if (!out->hwaddr[0])
		str_copy(out->hwaddr, out->duid, sizeof(out->hwaddr));
	copy_member(o, "hostname", out->hostname, sizeof(out->hostname));
	copy_member(o, "client_id", out->client_id, sizeof(out->client_id));
	copy_member(o, "kind", out->kind, sizeof(out->kind));
	json_get_int(o, "expires", &out->expires);
	if (!json_get_int(o, "expires_in", &out->expires_in))
		out->expires_in = out->expires ? MAX(out->expires - now, (int64_t)0) : -1;
	if (names && names->type == JSON_ARRAY) {
		for (const struct json_value *e = names->child; e; e = e->next) {
			int w;

			if (e->type != JSON_STRING)
				continue;
			w = snprintf(out->names + used, sizeof(out->names) - used, "%s%s",
				     used ? ", " : "", e->s);
			if (w < 0 || (size_t)w >= sizeof(out->names) - used)
				break;
			used += (size_t)w;
		}
	}
}

void ctl_lease_from_lease(const struct lease *l, int64_t now, struct ctl_lease *out)
{
	memset(out, 0, sizeof(*out));
	lease_addr_str(&l->addr, out->address, sizeof(out->address));
	/* An IPv6 lease is named by its DUID where an IPv4 one has its MAC, as the daemon says. */
	if (l->addr.family == AF_INET6) {
		out->family = 6;
		hex_format(l->client_id, l->client_id_len, out->hwaddr, sizeof(out->hwaddr));
	} else {
		char hw[LEASEFILE_HW_MAX];

		out->family = 4;
		str_copy(out->hwaddr, leasefile_format_hw(l, hw, sizeof(hw)), sizeof(out->hwaddr));
		if (l->client_id_len)
			hex_format(l->client_id, l->client_id_len, out->client_id,
				   sizeof(out->client_id));
	}
	str_copy(out->hostname, l->hostname, sizeof(out->hostname));
	out->expires = (int64_t)l->expires;
	/* As the daemon says it: 0 once expired, -1 for never. */
	out->expires_in = l->expires ? MAX((int64_t)l->expires - now, (int64_t)0) : -1;
	str_copy(out->names, l->hostname, sizeof(out->names));
}

int ctl_leases_from_json(const struct json_value *arr, int64_t now, struct ctl_leases *out)
{
	out->v = NULL;
	out->n = 0;
	if (!arr || arr->type != JSON_ARRAY)
		return -1;
	for (const struct json_value *e = arr->child; e; e = e->next) {
		if (e->type != JSON_OBJECT)
			continue;
		ctl_lease_from_json(e, now, array_push(&out->v, &out->n, sizeof(*out->v)));
	}
	return 0;
}

/* An address as 16 comparable bytes: IPv4 first (family 4 < 6). */
static int addr_bytes(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 6;
	return 9; /* not an address: last */
}

static int cmp_lease(const void *pa, const void *pb)
{
	const struct ctl_lease *a = pa, *b = pb;
	uint8_t ba[16], bb[16];
	int fa = addr_bytes(a->address, ba), fb = addr_bytes(b->address, bb);
	int c;

	if (fa != fb)
		return fa - fb;
	c = memcmp(ba, bb, sizeof(ba));
	return c ? c : strcmp(a->address, b->address);
}

void ctl_leases_sort(struct ctl_leases *ls)
{
	if (ls->n > 1)
		qsort(ls->v, ls->n, sizeof(*ls->v), cmp_lease);
}

const struct ctl_lease *ctl_leases_match(const struct ctl_leases *ls, const char *key)
{
	uint8_t kb[16], lb[16], mac[MAC_LEN];
	char macs[MAC_STR_LEN];
	int kf = addr_bytes(key, kb);

	if (kf != 9) {
		for (size_t i = 0; i < ls->n; i++)
			if (addr_bytes(ls->v[i].address, lb) == kf && memcmp(kb, lb, 16) == 0)
				return &ls->v[i];
		return NULL;
	}
	if (mac_parse(key, mac) == 0) {
		mac_format(mac, macs);
		for (size_t i = 0; i < ls->n; i++)
			if (strcasecmp(ls->v[i].hwaddr, macs) == 0)
				return &ls->v[i];
		/* Twelve hex digits may also be a hostname: go on. */
	}
	for (size_t i = 0; i < ls->n; i++)
		if (ls->v[i].hostname[0] && strcasecmp(ls->v[i].hostname, key) == 0)
			return &ls->v[i];
	return NULL;
}

/* "dynamic/v4"; just "v4" when the kind is not known (offline). */
static void kind_text(const struct ctl_lease *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s%sv%d", l->kind, l->kind[0] ? "/" : "", l->family);
}

void ctl_leases_table(FILE *out, const struct ctl_leases *ls)
{
	static const char *const headers[] = { "ADDRESS",   "HWADDR",   "HOSTNAME",
					       "EXPIRES",   "CLIENT-ID", "KIND" };
	struct ctl_table t;

	ctl_table_init(&t, ARRAY_SIZE(headers), headers);
	for (size_t i = 0; i < ls->n; i++) {
		const struct ctl_lease *l = &ls->v[i];
		char left[CTL_DURATION_LEN], kind[32];
		const char *row[6];

		ctl_time_left(l->expires, l->expires_in, left, sizeof(left));
		kind_text(l, kind, sizeof(kind));
		row[0] = l->address;
		row[1] = l->hwaddr;
		row[2] = l->hostname;
		row[3] = left;
		row[4] = l->client_id;
		row[5] = kind;
		ctl_table_add(&t, row);
	}
	ctl_table_print(&t, out);
	ctl_table_free(&t);
}

static void show_line(FILE *out, const char *key, const char *value)
{
	char buf[4 * CTL_TEXT_MAX * 2];

	if (value && *value)
		ctl_printable(value, buf, sizeof(buf));
	fprintf(out, "%s: %s\n", key, value && *value ? buf : "-");
}

void ctl_lease_show(FILE *out, const struct ctl_lease *l)
{
	static const char *const known[] = { "address",   "family",  "hwaddr",     "duid",
					     "hostname",  "client_id", "kind",     "expires",
					     "expires_in", "names",   NULL };
	char when[64] = "", left[CTL_DURATION_LEN], exp[128];

	show_line(out, "address", l->address);
	show_line(out, "family", l->family == 6 ? "IPv6" : "IPv4");
	if (l->family == 6) {
		/* The MAC when the daemon knows it; offline the table has the DUID alone. */
		show_line(out, "hwaddr", l->duid[0] && strcmp(l->hwaddr, l->duid) != 0 ? l->hwaddr : "");
		show_line(out, "duid", l->duid[0] ? l->duid : l->hwaddr);
	} else {
		show_line(out, "hwaddr", l->hwaddr);
	}
	show_line(out, "hostname", l->hostname);
	show_line(out, "client_id", l->client_id);
	if (l->kind[0])
		show_line(out, "kind", l->kind);
	if (l->expires == 0) {
		snprintf(exp, sizeof(exp), "never");
	} else {
		time_t t = (time_t)l->expires;
		struct tm tm;

		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
		if (l->expires_in > 0)
			snprintf(exp, sizeof(exp), "%s (in %s)", when,
				 ctl_duration(l->expires_in, left, sizeof(left)));
		else
			snprintf(exp, sizeof(exp), "%s (expired)", when);
	}
	show_line(out, "expires", exp);
	show_line(out, "names", l->names);
	/* Whatever else the daemon says about the lease. */
	if (l->json)
		ctl_render(out, l->json, 0, known, false);
}

static void indent(FILE *out, bool pretty, int depth)
{
	if (pretty)
		fprintf(out, "\n%*s", depth * 2, "");
}

static void member_str(FILE *out, bool pretty, int depth, const char *key, const char *v,
		       bool comma)
{
	indent(out, pretty, depth);
	ctl_json_string(out, key);
	fputs(pretty ? ": " : ":", out);
	ctl_json_string(out, v);
	if (comma)
		fputc(',', out);
}

static void member_int(FILE *out, bool pretty, int depth, const char *key, int64_t v)
{
	indent(out, pretty, depth);
	ctl_json_string(out, key);
	fprintf(out, "%s%lld,", pretty ? ": " : ":", (long long)v);
}

void ctl_lease_json(FILE *out, const struct ctl_lease *l, bool pretty, int depth)
{
	if (l->json) {
		/* The daemon's object as it came, members leasectl does not know included. */
		ctl_json_write(out, l->json, pretty, depth);
		return;
	}
	fputc('{', out);
	member_str(out, pretty, depth + 1, "address", l->address, true);
	member_int(out, pretty, depth + 1, "family", l->family);
	member_str(out, pretty, depth + 1, "hwaddr", l->hwaddr, true);
	member_str(out, pretty, depth + 1, "hostname", l->hostname, true);
	if (l->client_id[0]) {
		member_str(out, pretty, depth + 1, "client_id", l->client_id, true);
	} else {
		indent(out, pretty, depth + 1);
		fputs(pretty ? "\"client_id\": null," : "\"client_id\":null,", out);
	}
	member_int(out, pretty, depth + 1, "expires", l->expires);
	member_int(out, pretty, depth + 1, "expires_in", l->expires_in);
	if (l->kind[0])
		member_str(out, pretty, depth + 1, "kind", l->kind, true);
	indent(out, pretty, depth + 1);
	fputs(pretty ? "\"names\": [" : "\"names\":[", out);
	if (l->hostname[0]) {
		indent(out, pretty, depth + 2);
		ctl_json_string(out, l->hostname);
		indent(out, pretty, depth + 1);
	}
	fputc(']', out);
	indent(out, pretty, depth);
	fputc('}', out);
}

void ctl_leases_json(FILE *out, const struct ctl_leases *ls, bool pretty)
{
	fputc('[', out);
	for (size_t i = 0; i < ls->n; i++) {
		indent(out, pretty, 1);
		ctl_lease_json(out, &ls->v[i], pretty, 1);
		if (i + 1 < ls->n)
			fputc(',', out);
	}
	if (ls->n)
		indent(out, pretty, 0);
	fputs("]\n", out);
}

/* ---- offline ------------------------------------------------------- */

/* A bad line is named on warn (a torn journal tail is expected: silent). */
static void warn_bad_line(void *ctx, const char *path, size_t lineno, const char *line,
			  size_t len, const char *why, bool torn)
{
	FILE *warn = ctx;

	(void)line;
	(void)len;
	if (warn && !torn)
		fprintf(warn, "leasectl: %s:%zu: %s; ignored\n", path, lineno, why);
}

struct collect {
	struct ctl_leases *out;
	int64_t now;
};

static void collect_line(void *ctx, struct lease_addr addr, const char *line, size_t len)
{
	struct collect *c = ctx;
	struct lease l;

	(void)addr;
	if (leasefile_parse_line(line, len, &l, NULL) == LEASEFILE_LEASE)
		ctl_lease_from_lease(&l, c->now, array_push(&c->out->v, &c->out->n,
							     sizeof(*c->out->v)));
}

/* leasectl's status for a lease file it cannot read. */
static int unreadable_status(int errnum)
{
	if (errnum == ENOENT)
		return CTL_E_NOT_RUNNING;
	return errnum == EACCES || errnum == EPERM ? CTL_E_PERMISSION : CTL_E_FAILED;
}

int ctl_read_leasefile(const char *file, int64_t now, FILE *warn, struct ctl_leases *out,
		       struct error *err)
{
	struct store_paths p;
	struct store_map *m = store_map_new();
	const char *order[3];
	struct collect c = { .out = out, .now = now };
	bool any = false;
	int status = 0;
	size_t nfiles = ARRAY_SIZE(order);

	out->v = NULL;
	out->n = 0;
	store_paths_init(&p, file);
	order[0] = p.file;
	order[1] = p.old;
	order[2] = p.journal;
	/* Journals older than the file (another program rewrote it) say nothing now. */
	if (!store_journals_follow(&p))
		nfiles = 1;
	for (size_t i = 0; i < nfiles; i++) {
		int r = store_map_load_file(m, order[i], i > 0, warn_bad_line, warn);

		if (r < 0) {
			int saved = errno;

			status = error_set(err, unreadable_status(saved), "cannot read %s: %s",
					   order[i], strerror(saved));
			errno = saved;
			break;
		}
		any |= r == 0;
	}
	if (status == 0 && !any) {
		status = error_set(err, unreadable_status(ENOENT), "no lease file %s", file);
		errno = ENOENT;
	}
	if (status == 0) {
		store_map_foreach(m, collect_line, &c);
		ctl_leases_sort(out);
	}
	store_map_free(m);
	store_paths_free(&p);
	return status;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool lease_file_name(const char *name)
{
	return str_has_prefix(name, "dnsmasq.") && str_has_suffix(name, ".leases") &&
	       strlen(name) > strlen("dnsmasq.") + strlen(".leases");
}

int ctl_pick_leasefile(const char *dflt, const char *iface, char *out, size_t outlen,
		       struct error *err)
{
	char dir[512], path[1024], journal[1100], list[ERROR_LEN];
	const char *slash = strrchr(dflt, '/');
	char **found = NULL;
	size_t nfound = 0;
	DIR *d;
	struct dirent *e;
	int r = 0;

	str_copy(out, dflt, outlen);
	if (!slash)
		str_copy(dir, ".", sizeof(dir));
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == dflt ? 1 : slash - dflt), dflt);
	if (iface && *iface && !strchr(iface, '/')) {
		snprintf(path, sizeof(path), "%s/dnsmasq.%s.leases", dir, iface);
		if (exists(path)) {
			str_copy(out, path, outlen);
			return 0;
		}
	}
	snprintf(journal, sizeof(journal), "%s.journal", dflt);
	if (exists(dflt) || exists(journal) || (iface && *iface))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (lease_file_name(e->d_name))
			*(char **)array_push(&found, &nfound, sizeof(*found)) = xstrdup(e->d_name);
	closedir(d);
	if (nfound == 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, found[0]);
		str_copy(out, path, outlen);
	} else if (nfound > 1) {
		size_t o = 0;

		list[0] = '\0';
		for (size_t i = 0; i < nfound && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, " %s", found[i]);
		r = error_set(err, CTL_E_USAGE,
			      "no %s, and several lease files in %s:%s; choose with -i IFACE or "
			      "--leasefile=FILE", dflt, dir, list);
	}
	for (size_t i = 0; i < nfound; i++)
		free(found[i]);
	free(found);
	return r;
}
