/*
 * hostdb — the reservations and DHCP options in force, built whole from the
 * configuration's --dhcp-host/--dhcp-option entries plus every line of the
 * --dhcp-hostsfile/--dhcp-optsfile files (or directories of files).  The
 * database owns copies of everything, so a new one can be built on SIGHUP
 * while the old one keeps serving.  Four open-addressing hash indexes (MAC,
 * client-id, name without regard to case, reserved address) answer every
 * per-packet question without a scan; where two entries claim one MAC, id
 * or name, the first in configuration order wins, as a dnsmasq reader
 * would expect, but one address reserved for two different clients is an
 * error naming both.
 */
#include "conf/hostdb.h"
#include "conf_lex.h"
#include "config_dhcp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct slot {
	uint64_t hash;
	size_t host;          /* index + 1; 0 = empty */
	const void *key;
	size_t keylen;
};

struct hindex {
	struct slot *slots;
	size_t cap;           /* a power of two, at least twice the keys */
	bool nocase;
};

struct hostdb {
	struct dhcp_host *hosts;
	size_t nhosts;
	size_t nconfig;        /* hosts[0..nconfig) are --dhcp-host options, the rest hostsfile lines */
	bool *skipped;         /* a hostsfile line in conflict with an earlier one: not in force */
	char **warnings;       /* why each was skipped */
	size_t nwarnings;
	struct dhcp_option *options;
	size_t noptions;
	/*
	 * By client key, one index per family: [FAM4] finds the first
	 * reservation of the key that has an IPv4 address (else the first
	 * of the key), [FAM6] likewise for IPv6.  libvirt writes a host's
	 * two families as two lines ("MAC,IPv4,NAME" and "NAME,[IPv6]"):
	 * each engine must find its own.
	 */
	struct hindex by_mac[2], by_id[2], by_name[2];
	struct hindex by_ip, by_ip6;
};

enum { FAM4, FAM6 };

/* ---- hash index ---- */

static uint64_t key_hash(const struct hindex *ix, const void *key, size_t len)
{
	char lower[256];

	if (!ix->nocase || len > sizeof(lower))
		return hash_bytes(key, len, 0);
	for (size_t i = 0; i < len; i++)
		lower[i] = (char)tolower(((const unsigned char *)key)[i]);
	return hash_bytes(lower, len, 0);
}

static bool key_equal(const struct hindex *ix, const struct slot *s, const void *key, size_t len)
{
	if (s->keylen != len)
		return false;
	return ix->nocase ? strncasecmp(s->key, key, len) == 0 : memcmp(s->key, key, len) == 0;
}

static void index_init(struct hindex *ix, size_t nkeys, bool nocase)
{
	size_t cap = 8;

	while (cap < nkeys * 2)
		cap *= 2;
	ix->slots = xcalloc(cap, sizeof(*ix->slots));
	ix->cap = cap;
	ix->nocase = nocase;
}

static const struct slot *index_find(const struct hindex *ix, const void *key, size_t len)
{
	uint64_t h;

	if (!ix->cap)
		return NULL;
	h = key_hash(ix, key, len);
	for (size_t i = h & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
		const struct slot *s = &ix->slots[i];

		if (!s->host)
			return NULL;
		if (s->hash == h && key_equal(ix, s, key, len))
			return s;
	}
}

/* Insert unless present; returns the host already holding the key, or SIZE_MAX. */
static size_t index_insert(struct hindex *ix, const void *key, size_t len, size_t host)
{
	uint64_t h = key_hash(ix, key, len);
	size_t i;

	for (i = h & (ix->cap - 1); ix->slots[i].host; i = (i + 1) & (ix->cap - 1))
		if (ix->slots[i].hash == h && key_equal(ix, &ix->slots[i], key, len))
			return ix->slots[i].host - 1;
	ix->slots[i] = (struct slot){ h, host + 1, key, len };
	return SIZE_MAX;
}

static void index_free(struct hindex *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

/* ---- copies ---- */

static void *dup_bytes(const void *p, size_t len)
{
	void *d;

	if (!p)
		return NULL;
	d = xmalloc(len);
	memcpy(d, p, len);
	return d;
}

static char *dup_str(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void copy_tags(struct tag_match *dst, const struct tag_match *src)
{
	*dst = *src;
	for (size_t i = 0; i < src->n; i++)
		dst->names[i] = xstrdup(src->names[i]);
}

static void add_host_copy(struct hostdb *db, const struct dhcp_host *h)
{
	struct dhcp_host *c = array_push(&db->hosts, &db->nhosts, sizeof(*c));

	*c = *h;
	c->client_id = dup_bytes(h->client_id, h->client_id_len);
	c->name = dup_str(h->name);
	c->set_tag = dup_str(h->set_tag);
}

static void add_option_copy(struct hostdb *db, const struct dhcp_option *o)
{
	struct dhcp_option *c = array_push(&db->options, &db->noptions, sizeof(*c));

	*c = *o;
	c->data = dup_bytes(o->data, o->len);
	c->note = dup_str(o->note);
	copy_tags(&c->match, &o->match);
}

/* ---- files ---- */

typedef int (*line_fn)(struct hostdb *db, const char *line, const char *where,
		       struct error *err);

static int host_line(struct hostdb *db, const char *line, const char *where,
		     struct error *err)
{
	struct dhcp_host h;

	if (config_parse_dhcp_host(line, where, &h, err) < 0)
		return -1;
	*(struct dhcp_host *)array_push(&db->hosts, &db->nhosts, sizeof(h)) = h;
	return 0;
}

static int option_line(struct hostdb *db, const char *line, const char *where,
		       struct error *err)
{
	struct dhcp_option o;

	if (config_parse_dhcp_option(line, false, where, &o, err) < 0)
		return -1;
	*(struct dhcp_option *)array_push(&db->options, &db->noptions, sizeof(o)) = o;
	return 0;
}

static int load_file(struct hostdb *db, const char *path, const char *what, line_fn fn,
		     struct error *err)
{
	struct line_reader r;
	char *text, *line, where[ERROR_LEN / 2];
	const char *why;
	size_t len;
	int rc = 0, more;

	if (config_read_file(path, &text, &len) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot read %s %s: %s", what, path,
				 strerror(errno));
		return -1;
	}
	line_reader_init(&r, text, len);
	while (rc == 0 && (more = line_next(&r, &line, &why)) != 0) {
		snprintf(where, sizeof(where), "%s:%u", path, r.lineno);
		if (more < 0) {
			error_set(err, EXIT_CONFIG, "bad line in %s: %s (at %s)", what, why,
					 where);
			rc = -1;
		} else {
			rc = fn(db, line, where, err);
		}
	}
	line_reader_free(&r);
	free(text);
	return rc;
}

/* A file, or a directory whose files are all read in name order. */
static int load_path(struct hostdb *db, const char *path, const char *what, line_fn fn,
		     struct error *err)
{
	struct stat st;
	char **paths;
	size_t n;
	int rc = 0;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return load_file(db, path, what, fn, err);
	if (config_list_dir(path, NULL, 0, NULL, 0, &paths, &n) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot read %s %s: %s", what, path,
				 strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = load_file(db, paths[i], what, fn, err);
	config_free_list(paths, n);
	return rc;
}

/* ---- indexes ---- */

/*
 * What an earlier reservation already holds, for one family: the address
 * (two clients may not reserve one), and each MAC's address (one MAC may
 * not be reserved two addresses of a family).  The reason in why, with
 * the earlier place, or false.
 */
struct claims {
	struct hindex ip, ip6, mac4, mac6;
};

static bool addr_taken(const struct hostdb *db, const struct hindex *ix, const struct dhcp_host *h,
		       int family, const void *addr, char *why, size_t len)
{
	const struct slot *s = index_find(ix, addr, family == AF_INET ? 4 : 16);
	char ip[INET6_ADDRSTRLEN];

	if (!s || dhcp_host_same_client(&db->hosts[s->host - 1], h))
		return false;
	inet_ntop(family, addr, ip, sizeof(ip));
	snprintf(why, len, "reserves %s, already reserved for another client at %s", ip,
		 db->hosts[s->host - 1].origin.where);
	return true;
}

static bool mac_taken(const struct hostdb *db, const struct hindex *ix, const struct dhcp_host *h,
		      int family, char *why, size_t len)
{
	for (size_t m = 0; m < h->nmacs; m++) {
		const struct slot *s = index_find(ix, h->macs[m], MAC_LEN);
		const struct dhcp_host *g = s ? &db->hosts[s->host - 1] : NULL;
		char mac[3 * MAC_LEN];

		if (!g || (family == AF_INET ? g->ip.s_addr == h->ip.s_addr :
					       memcmp(&g->ip6, &h->ip6, sizeof(h->ip6)) == 0))
			continue;
		hex_format(h->macs[m], MAC_LEN, mac, sizeof(mac));
		snprintf(why, len, "gives %s a second IPv%d address (the first at %s)", mac,
			 family == AF_INET ? 4 : 6, g->origin.where);
		return true;
	}
	return false;
}

static bool conflicts(const struct hostdb *db, const struct claims *c, const struct dhcp_host *h,
		      char *why, size_t len)
{
	return (h->has_ip && (addr_taken(db, &c->ip, h, AF_INET, &h->ip, why, len) ||
			      mac_taken(db, &c->mac4, h, AF_INET, why, len))) ||
	       (h->has_ip6 && (addr_taken(db, &c->ip6, h, AF_INET6, &h->ip6, why, len) ||
			       mac_taken(db, &c->mac6, h, AF_INET6, why, len)));
}

static void claim(struct claims *c, const struct dhcp_host *h, size_t i)
{
	if (h->has_ip)
		index_insert(&c->ip, &h->ip, sizeof(h->ip), i);
	if (h->has_ip6)
		index_insert(&c->ip6, &h->ip6, sizeof(h->ip6), i);
	for (size_t m = 0; m < h->nmacs; m++) {
		if (h->has_ip)
			index_insert(&c->mac4, h->macs[m], MAC_LEN, i);
		if (h->has_ip6)
			index_insert(&c->mac6, h->macs[m], MAC_LEN, i);
	}
}

/*
 * In configuration order: a --dhcp-host option in conflict with an earlier
 * reservation is an error naming both places; a hostsfile line is skipped
 * and named (a warning), and the rest loads, so one bad file in LXD's
 * directory does not take every reservation away.
 */
static int check_conflicts(struct hostdb *db, struct error *err)
{
	struct claims c;
	int rc = 0;

	index_init(&c.ip, db->nhosts, false);
	index_init(&c.ip6, db->nhosts, false);
	index_init(&c.mac4, db->nhosts, false);
	index_init(&c.mac6, db->nhosts, false);
	db->skipped = xcalloc(db->nhosts ? db->nhosts : 1, sizeof(*db->skipped));
	for (size_t i = 0; i < db->nhosts && rc == 0; i++) {
		const struct dhcp_host *h = &db->hosts[i];
		char why[ERROR_LEN / 2], msg[ERROR_LEN];

		if (!conflicts(db, &c, h, why, sizeof(why))) {
			claim(&c, h, i);
			continue;
		}
		if (i < db->nconfig) {
			rc = error_set(err, EXIT_CONFIG, "dhcp-host at %s %s", h->origin.where, why);
			continue;
		}
		db->skipped[i] = true;
		snprintf(msg, sizeof(msg), "dhcp-hostsfile line at %s skipped: it %s",
			 h->origin.where, why);
		*(char **)array_push(&db->warnings, &db->nwarnings, sizeof(char *)) = xstrdup(msg);
	}
	index_free(&c.ip);
	index_free(&c.ip6);
	index_free(&c.mac4);
	index_free(&c.mac6);
	return rc;
}

/* The address indexes, for hostdb_by_ip and hostdb_by_ip6. */
static void index_addrs(struct hostdb *db, size_t i)
{
	const struct dhcp_host *h = &db->hosts[i];

	if (h->has_ip6)
		index_insert(&db->by_ip6, &h->ip6, sizeof(h->ip6), i);
	if (h->has_ip)
		index_insert(&db->by_ip, &h->ip, sizeof(h->ip), i);
}

static void index_keys(struct hostdb *db, int fam, size_t i)
{
	const struct dhcp_host *h = &db->hosts[i];

	for (size_t m = 0; m < h->nmacs; m++)
		index_insert(&db->by_mac[fam], h->macs[m], MAC_LEN, i);
	if (h->client_id)
		index_insert(&db->by_id[fam], h->client_id, h->client_id_len, i);
	if (h->name)
		index_insert(&db->by_name[fam], h->name, strlen(h->name), i);
}

static bool reserves(const struct dhcp_host *h, int fam)
{
	return fam == FAM4 ? h->has_ip : h->has_ip6;
}

static int build_indexes(struct hostdb *db, struct error *err)
{
	size_t nmacs = 0;

	if (check_conflicts(db, err) < 0)
		return -1;
	for (size_t i = 0; i < db->nhosts; i++)
		nmacs += db->hosts[i].nmacs;
	for (int fam = FAM4; fam <= FAM6; fam++) {
		index_init(&db->by_mac[fam], nmacs, false);
		index_init(&db->by_id[fam], db->nhosts, false);
		index_init(&db->by_name[fam], db->nhosts, true);
		/* Reservations with an address of the family first, in order; then the rest. */
		for (size_t i = 0; i < db->nhosts; i++)
			if (!db->skipped[i] && reserves(&db->hosts[i], fam))
				index_keys(db, fam, i);
		for (size_t i = 0; i < db->nhosts; i++)
			if (!db->skipped[i] && !reserves(&db->hosts[i], fam))
				index_keys(db, fam, i);
	}
	index_init(&db->by_ip, db->nhosts, false);
	index_init(&db->by_ip6, db->nhosts, false);
	for (size_t i = 0; i < db->nhosts; i++)
		if (!db->skipped[i])
			index_addrs(db, i);
	return 0;
}

/* ---- interface ---- */

struct hostdb *hostdb_load(const struct config *cfg, struct error *err)
{
	struct hostdb *db = xcalloc(1, sizeof(*db));

	err->msg[0] = '\0';
	err->status = 0;
	for (size_t i = 0; i < cfg->nhosts; i++)
		add_host_copy(db, &cfg->hosts[i]);
	db->nconfig = db->nhosts;
	for (size_t i = 0; i < cfg->nhostsfiles; i++)
		if (load_path(db, cfg->hostsfiles[i], "dhcp-hostsfile", host_line, err) < 0)
			goto fail;
	for (size_t i = 0; i < cfg->noptions; i++)
		add_option_copy(db, &cfg->options[i]);
	for (size_t i = 0; i < cfg->noptsfiles; i++)
		if (load_path(db, cfg->optsfiles[i], "dhcp-optsfile", option_line, err) < 0)
			goto fail;
	if (build_indexes(db, err) < 0)
		goto fail;
	return db;
fail:
	hostdb_free(db);
	return NULL;
}

void hostdb_free(struct hostdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->nhosts; i++)
		dhcp_host_free(&db->hosts[i]);
	free(db->hosts);
	for (size_t i = 0; i < db->noptions; i++)
		dhcp_option_free(&db->options[i]);
	free(db->options);
	free(db->skipped);
	for (size_t i = 0; i < db->nwarnings; i++)
		free(db->warnings[i]);
	free(db->warnings);
	for (int fam = FAM4; fam <= FAM6; fam++) {
		index_free(&db->by_mac[fam]);
		index_free(&db->by_id[fam]);
		index_free(&db->by_name[fam]);
	}
	index_free(&db->by_ip);
	index_free(&db->by_ip6);
	free(db);
}

static const struct dhcp_host *lookup(const struct hostdb *db, const struct hindex *ix,
				      const void *key, size_t len)
{
	const struct slot *s;

	if (!db || !key)
		return NULL;
	s = index_find(ix, key, len);
	return s ? &db->hosts[s->host - 1] : NULL;
}

static int fam_of(int family)
{
	return family == AF_INET6 ? FAM6 : FAM4;
}

const struct dhcp_host *hostdb_by_mac_for(const struct hostdb *db, int family,
					  const uint8_t mac[MAC_LEN])
{
	return db ? lookup(db, &db->by_mac[fam_of(family)], mac, MAC_LEN) : NULL;
}

const struct dhcp_host *hostdb_by_client_id_for(const struct hostdb *db, int family,
						const uint8_t *id, size_t len)
{
	return db && len ? lookup(db, &db->by_id[fam_of(family)], id, len) : NULL;
}

const struct dhcp_host *hostdb_by_name_for(const struct hostdb *db, int family, const char *name)
{
	return db && name ? lookup(db, &db->by_name[fam_of(family)], name, strlen(name)) : NULL;
}

const struct dhcp_host *hostdb_by_mac(const struct hostdb *db, const uint8_t mac[MAC_LEN])
{
	return hostdb_by_mac_for(db, AF_INET, mac);
}

const struct dhcp_host *hostdb_by_client_id(const struct hostdb *db, const uint8_t *id,
					    size_t len)
{
	return hostdb_by_client_id_for(db, AF_INET, id, len);
}

const struct dhcp_host *hostdb_by_name(const struct hostdb *db, const char *name)
{
	return hostdb_by_name_for(db, AF_INET, name);
}

const struct dhcp_host *hostdb_by_ip(const struct hostdb *db, struct in_addr ip)
{
	return db ? lookup(db, &db->by_ip, &ip, sizeof(ip)) : NULL;
}

const struct dhcp_host *hostdb_by_ip6(const struct hostdb *db, const struct in6_addr *a)
{
	struct in6_addr host = IN6ADDR_ANY_INIT;
	const struct dhcp_host *h;

	if (!db)
		return NULL;
	h = lookup(db, &db->by_ip6, a, sizeof(*a));
	if (h)
		return h;
	/* A reservation of the host part only ("[::5]"), on whatever prefix. */
	memcpy(host.s6_addr + 8, a->s6_addr + 8, 8);
	return lookup(db, &db->by_ip6, &host, sizeof(host));
}

size_t hostdb_count(const struct hostdb *db)
{
	size_t n = 0;

	for (size_t i = 0; db && i < db->nhosts; i++)
		n += !db->skipped[i];
	return n;
}

void hostdb_foreach(const struct hostdb *db,
		    void (*fn)(void *ctx, const struct dhcp_host *h), void *ctx)
{
	for (size_t i = 0; db && i < db->nhosts; i++)
		if (!db->skipped[i])
			fn(ctx, &db->hosts[i]);
}

size_t hostdb_warnings(const struct hostdb *db, const char *const **msgs)
{
	*msgs = db ? (const char *const *)db->warnings : NULL;
	return db ? db->nwarnings : 0;
}

const struct dhcp_option *hostdb_options(const struct hostdb *db, size_t *n)
{
	*n = db ? db->noptions : 0;
	return db ? db->options : NULL;
}
