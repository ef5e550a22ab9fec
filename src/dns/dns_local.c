/*
 * dns_local — what leased answers itself (see include/dns/dns_local.h).
 *
 * Static data lives in three hash tables built by dns_local_load and
 * never changed after:
 * - names: lower-cased (canonical) name → that name's records, each with
 *   its RDATA already in wire form, its TTL and where it came from.  The
 *   reverse map is part of it: an address from a hosts file, a
 *   --host-record or a --dhcp-host becomes a PTR record at its reverse
 *   name (the first name for an address wins, as dnsmasq's "first
 *   address creates the PTR").  --interface-name records hold the
 *   interface, resolved through netlink at query time.
 * - zones: a domain → what to do with names below it that have no record
 *   of their own: synthesise addresses (--address=/d/a), answer NXDOMAIN
 *   (-S /d/, --local=/d/, --address=/d/, -s d, --bogus-priv's reverse
 *   zones) or forward (-S /d/addr, -S /d/#).  The most specific domain
 *   decides, found by looking the name up, then each parent in turn.
 * - empty non-terminals: every proper ancestor of a name with data, so
 *   that inside a local zone "b.lxc" above "a.b.lxc" is NODATA, not
 *   NXDOMAIN (RFC 8020).
 *
 * Dynamic data (leases, interface addresses) is read at query time.  A
 * query costs one hash lookup per name in a CNAME chain plus one per
 * label for the zone walk; nothing scans the tables.  The only loop over
 * configuration on the query path is the reverse lookup of
 * --interface-name addresses, one step per such option.
 *
 * An answer is copied whole into the caller's dns_local_result (owners
 * and RDATA in its arena), so it outlives a reload that frees this
 * dns_local.  Records beyond DNS_LOCAL_MAX_RRS or DNS_LOCAL_ARENA bytes
 * are left out silently: the answer holds those that fit.
 *
 * For `leasectl explain` every record remembers where it came from (a
 * hosts file's line, or "--OPTION at FILE:LINE"), and every zone the
 * option that made it local, forwarded or an address; with env->explain
 * the answer's detail names them and the reason for a negative.  That
 * work hangs off one pointer (qctx.why) that is NULL on the plain query
 * path, so an ordinary query only tests it.
 */
#include "dns/dns_local.h"
#include "dns/dns_zone.h"
#include "conf/hostsfile.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ETC_HOSTS "/etc/hosts"
#define SRC_CONFIG "config"
#define SRC_DHCP "DHCP"

/*
 * The SOA of negative answers and zone apexes is dns_zone's (RFC 6303
 * style names).  MINIMUM and the SOA's own TTL are the local TTL (0 by
 * default), because a lease can make a negative answer false at any
 * moment and RFC 2308 caps negative caching at their minimum.
 */

/* RFC 1995's IXFR, refused like AXFR. */
#define QTYPE_IXFR 251

/* CNAME hops followed within local data; a loop ends here too. */
#define CNAME_DEPTH 8

/* dnsmasq's defaults for --srv-host and --mx-host parts not given. */
#define SRV_DEFAULT_PORT 1
#define MX_DEFAULT_PREF 1

/* ---- string-keyed hash index ---- */

struct sslot {
	uint64_t hash;
	const char *key;       /* owned by the indexed element */
	size_t idx;            /* element index + 1; 0 = empty */
};

struct strindex {
	struct sslot *slots;
	size_t cap;            /* a power of two, at least twice n */
	size_t n;
};

static uint64_t str_hash(const char *key)
{
	return hash_bytes(key, strlen(key), 0);
}

static size_t six_find(const struct strindex *ix, const char *key)
{
	uint64_t h;

	if (!ix->cap)
		return SIZE_MAX;
	h = str_hash(key);
	for (size_t i = h & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
		const struct sslot *s = &ix->slots[i];

		if (!s->idx)
			return SIZE_MAX;
		if (s->hash == h && strcmp(s->key, key) == 0)
			return s->idx - 1;
	}
}

static void six_place(struct strindex *ix, const struct sslot *s)
{
	size_t i = s->hash & (ix->cap - 1);

	while (ix->slots[i].idx)
		i = (i + 1) & (ix->cap - 1);
	ix->slots[i] = *s;
}

/* Add a key known to be absent. */
static void six_add(struct strindex *ix, const char *key, size_t idx)
{
	struct sslot s = { str_hash(key), key, idx + 1 };

	if ((ix->n + 1) * 2 > ix->cap) {
		struct strindex bigger = { .cap = ix->cap ? ix->cap * 2 : 16, .n = ix->n };

		bigger.slots = xcalloc(bigger.cap, sizeof(*bigger.slots));
		for (size_t i = 0; i < ix->cap; i++)
			if (ix->slots[i].idx)
				six_place(&bigger, &ix->slots[i]);
		free(ix->slots);
		*ix = bigger;
	}
	six_place(ix, &s);
	ix->n++;
}

/* ---- the static data ---- */

struct rec {
	uint16_t type;
	bool iface;            /* addresses of interface `extra`, at query time */
	uint16_t rdlen;
	uint32_t ttl;
	uint32_t line;         /* a hosts file's line; 0 for configuration */
	uint8_t *rdata;        /* wire form, uncompressed; NULL for iface */
	char *extra;           /* CNAME: the target, to follow; iface: its name */
	const char *source;    /* "config" or a hosts file's path (interned) */
	const char *origin;    /* config: "--host-record at FILE:LINE" (interned) */
};

/* What a loader hands add_rec(): the same, borrowed. */
struct rec_in {
	uint16_t type;
	bool iface;
	uint32_t ttl;
	const uint8_t *rdata;
	size_t rdlen;
	const char *extra;
};

struct name_entry {
	char *key;             /* canonical, lower-case */
	struct rec *recs;
	size_t nrecs;
	const char *origin;    /* what named it without data (a bare --ptr-record) */
};

enum zone_kind { ZONE_ADDRESS, ZONE_LOCAL, ZONE_FORWARD, ZONE_BOGUS };

struct zone {
	char *key;             /* canonical domain; "" for dnsmasq's "#" (any name) */
	bool local;            /* answer NXDOMAIN for unknown names */
	bool forward;          /* an upstream server is named for it */
	bool bogus;            /* a private reverse zone under --bogus-priv */
	bool null_addr;        /* --address=/d/#: 0.0.0.0 and :: */
	bool local_address;    /* local because of --address=/d/ (the empty form) */
	bool reverse;          /* the reverse zone of a served subnet (dns_zone) */
	struct in_addr *v4;
	size_t n4;
	struct in6_addr *v6;
	size_t n6;
	/* For explain, all interned: what made the zone what it is. */
	const char *local_why; /* "-s lxc", "-S/--local /corp/ at F:L", "--address=/d/ at F:L" */
	const char *fwd_why;   /* "-S /d/192.0.2.53 at F:L" */
	const char *null_why;  /* "--address=/d/# at F:L" */
	const char **v4why;    /* per address: "--address=/d/1.2.3.4 at F:L" */
	const char **v6why;
};

/* --interface-name's reverse direction: first name per interface wins. */
struct iface_rev {
	char *ifname;
	char *name;
	const char *origin;    /* "--interface-name at FILE:LINE" (interned) */
};

struct dns_local {
	struct name_entry *names;
	size_t nnames;
	struct strindex by_name;
	struct zone *zones;
	size_t nzones;
	struct strindex by_zone;
	char **ents;           /* empty non-terminals: proper ancestors of names */
	size_t nents;
	struct strindex by_ent;
	struct iface_rev *ifrevs;
	size_t nifrevs;
	char **sources;        /* interned hosts-file paths and option origins */
	size_t nsources;
	char *domain;          /* -s, canonical; NULL when none */
	const char *single_why; /* why unknown single labels are NXDOMAIN here; NULL: forwarded */
	uint32_t ttl;          /* --local-ttl */
	uint32_t serial;       /* the SOA serial's base: the load time (dns_zone) */
	size_t nrecs;
	bool expand_hosts;

	/* While loading only: where the records being added come from. */
	const char *src;       /* "config" or the hosts file's path */
	uint32_t line;         /* the hosts file's line, or 0 */
	const char *origin;    /* config: "--OPTION at WHERE" */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/* A name's canonical form (lower case, no trailing dot) into out. */
static void key_of(const char *name, char *out)
{
	dns_name_lower(name, out, DNS_NAME_STR);
}

/* The label after the first unescaped dot, or NULL for the last label. */
static const char *next_label(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == '.')
			return s + 1;
	}
	return NULL;
}

static const struct name_entry *find_name(const struct dns_local *d, const char *key)
{
	size_t i = six_find(&d->by_name, key);

	return i == SIZE_MAX ? NULL : &d->names[i];
}

static const struct zone *find_zone(const struct dns_local *d, const char *key)
{
	size_t i = six_find(&d->by_zone, key);

	return i == SIZE_MAX ? NULL : &d->zones[i];
}

static bool entry_has(const struct name_entry *e, uint16_t type)
{
	for (size_t i = 0; e && i < e->nrecs; i++)
		if (e->recs[i].type == type)
			return true;
	return false;
}

/* ---- loading: records ---- */

/*
 * One copy of each string records and zones point at: hosts-file paths
 * (entries come file by file, so comparing with the last one is enough)
 * and the origins explain gives ("--host-record at FILE:LINE").
 */
static const char *intern(struct dns_local *d, const char *s)
{
	if (d->nsources && strcmp(d->sources[d->nsources - 1], s) == 0)
		return d->sources[d->nsources - 1];
	*(char **)array_push(&d->sources, &d->nsources, sizeof(char *)) = xstrdup(s);
	return d->sources[d->nsources - 1];
}

static const char *intern_fmt(struct dns_local *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *intern_fmt(struct dns_local *d, const char *fmt, ...)
{
	char buf[DNS_NAME_STR + sizeof(struct config_origin) + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return intern(d, buf);
}

/* Records from an option from here on: "--OPTION at WHERE". */
static void set_option(struct dns_local *d, const char *opt, const struct config_origin *o)
{
	d->src = SRC_CONFIG;
	d->line = 0;
	d->origin = intern_fmt(d, "--%s at %s", opt, o->where);
}

static struct name_entry *entry_get(struct dns_local *d, const char *name)
{
	char key[DNS_NAME_STR];
	size_t i;

	if (dns_name_labels(name) < 1)
		return NULL; /* not a name, or the root: nothing local lives there */
	key_of(name, key);
	i = six_find(&d->by_name, key);
	if (i != SIZE_MAX)
		return &d->names[i];
	i = d->nnames;
	((struct name_entry *)array_push(&d->names, &d->nnames, sizeof(struct name_entry)))
		->key = xstrdup(key);
	six_add(&d->by_name, d->names[i].key, i);
	return &d->names[i];
}

static bool same_rec(const struct rec *r, const struct rec_in *in)
{
	if (r->type != in->type || r->iface != in->iface || r->rdlen != in->rdlen)
		return false;
	if (in->rdlen && memcmp(r->rdata, in->rdata, in->rdlen) != 0)
		return false;
	return in->iface ? strcmp(r->extra, in->extra) == 0 : true;
}

/* A record for name; the same record twice (a name in two files) is kept once. */
static void add_rec(struct dns_local *d, const char *name, const struct rec_in *in)
{
	struct name_entry *e = entry_get(d, name);
	struct rec *r;

	if (!e || in->rdlen > UINT16_MAX)
		return;
	for (size_t i = 0; i < e->nrecs; i++)
		if (same_rec(&e->recs[i], in))
			return;
	r = array_push(&e->recs, &e->nrecs, sizeof(*r));
	r->type = in->type;
	r->iface = in->iface;
	r->ttl = in->ttl;
	r->rdlen = (uint16_t)in->rdlen;
	if (in->rdlen) {
		r->rdata = xmalloc(in->rdlen);
		memcpy(r->rdata, in->rdata, in->rdlen);
	}
	r->extra = in->extra ? xstrdup(in->extra) : NULL;
	r->source = d->src;
	r->line = d->line;
	r->origin = d->origin;
	d->nrecs++;
}

/* A record whose RDATA a builder wrote into buf (n < 0: it could not). */
static void add_built(struct dns_local *d, const char *name, uint16_t type, uint32_t ttl,
		      const uint8_t *buf, int n)
{
	struct rec_in in = { .type = type, .ttl = ttl, .rdata = buf };

	if (n < 0)
		return;
	in.rdlen = (size_t)n;
	add_rec(d, name, &in);
}

static void add_addr(struct dns_local *d, const char *name, int family, const void *addr,
		     uint32_t ttl)
{
	int n = family == AF_INET ? 4 : 16;

	add_built(d, name, family == AF_INET ? DNS_T_A : DNS_T_AAAA, ttl, addr, n);
}

/*
 * The reverse map: a PTR at the address's reverse name, unless that name
 * already has one (an explicit --ptr-record, or an earlier source).
 */
static void add_reverse(struct dns_local *d, int family, const void *addr, const char *target,
			uint32_t ttl)
{
	char owner[DNS_NAME_STR];
	uint8_t rd[DNS_WIRE_NAME_MAX];

	if (dns_reverse_name(family, addr, owner, sizeof(owner)) < 0)
		return;
	if (entry_has(find_name(d, owner), DNS_T_PTR))
		return;
	add_built(d, owner, DNS_T_PTR, ttl, rd, dns_rdata_name(target, rd, sizeof(rd)));
}

/* "name.domain" into out, for names that take the domain; false if none. */
static bool qualify(const struct dns_local *d, const char *name, char *out, size_t outlen)
{
	int n;

	if (!d->domain || dns_name_labels(name) != 1)
		return false;
	n = snprintf(out, outlen, "%s.%s", name, d->domain);
	return n > 0 && (size_t)n < outlen;
}

static uint16_t number_or(const char *s, uint16_t dflt)
{
	uint32_t v;

	return s && parse_u32(s, 65535, &v) == 0 ? (uint16_t)v : dflt;
}

/* --ptr-record=name[,target]; without a target the name exists with no data. */
static void load_ptr(struct dns_local *d, const struct dns_record_opt *o)
{
	uint8_t rd[DNS_WIRE_NAME_MAX];

	if (o->nfields < 2) {
		struct name_entry *e = entry_get(d, o->fields[0]);

		if (e && !e->origin)
			e->origin = d->origin;
		return;
	}
	add_built(d, o->fields[0], DNS_T_PTR, d->ttl, rd,
		  dns_rdata_name(o->fields[1], rd, sizeof(rd)));
}

/* --host-record: never expanded; the addresses point back at the first name. */
static void load_host_record(struct dns_local *d, const struct host_record *h)
{
	uint32_t ttl = h->ttl >= 0 ? (uint32_t)h->ttl : d->ttl;

	for (size_t i = 0; i < h->nnames; i++) {
		if (h->has_v4)
			add_addr(d, h->names[i], AF_INET, &h->v4, ttl);
		if (h->has_v6)
			add_addr(d, h->names[i], AF_INET6, &h->v6, ttl);
	}
	if (h->has_v4)
		add_reverse(d, AF_INET, &h->v4, h->names[0], ttl);
	if (h->has_v6)
		add_reverse(d, AF_INET6, &h->v6, h->names[0], ttl);
}

/* --cname=alias[,alias..],target[,ttl] (as src/conf/config_dns.c checked it). */
static void load_cname(struct dns_local *d, const struct dns_record_opt *o)
{
	uint8_t rd[DNS_WIRE_NAME_MAX];
	struct rec_in in = { .type = DNS_T_CNAME, .ttl = d->ttl, .rdata = rd };
	size_t n = o->nfields;
	uint32_t ttl;
	int len;

	if (n >= 3 && str_all_digits(o->fields[n - 1]) &&
	    parse_u32(o->fields[n - 1], INT32_MAX, &ttl) == 0) {
		in.ttl = ttl;
		n--;
	}
	if (n < 2)
		return;
	len = dns_rdata_name(o->fields[n - 1], rd, sizeof(rd));
	if (len < 0)
		return;
	in.rdlen = (size_t)len;
	in.extra = o->fields[n - 1];
	for (size_t i = 0; i + 1 < n; i++)
		add_rec(d, o->fields[i], &in);
}

/*
 * --srv-host=_service._proto[.domain][,target[,port[,priority[,weight]]]].
 * Without a domain part (every label starts with '_') the -s domain is
 * appended, as dnsmasq does; without a target the target is the root,
 * RFC 2782's "service decidedly not available here".
 */
static void load_srv(struct dns_local *d, const struct dns_record_opt *o)
{
	const char *const *f = (const char *const *)o->fields;
	char owner[DNS_NAME_STR];
	uint8_t rd[DNS_WIRE_NAME_MAX + 6];
	bool bare = true;

	for (const char *l = f[0]; l; l = next_label(l))
		if (*l != '_')
			bare = false;
	if (bare && d->domain)
		snprintf(owner, sizeof(owner), "%s.%s", f[0], d->domain);
	else
		str_copy(owner, f[0], sizeof(owner));
	add_built(d, owner, DNS_T_SRV, d->ttl, rd,
		  dns_rdata_srv(number_or(o->nfields > 3 ? f[3] : NULL, 0),
				number_or(o->nfields > 4 ? f[4] : NULL, 0),
				number_or(o->nfields > 2 ? f[2] : NULL, SRV_DEFAULT_PORT),
				o->nfields > 1 ? f[1] : "", rd, sizeof(rd)));
}

/* --txt-record=name[,text..]; no text is one empty string (RFC 1035 needs one). */
static void load_txt(struct dns_local *d, const struct dns_record_opt *o)
{
	static const char *const empty[] = { "" };
	size_t cap = 1;
	uint8_t *rd;

	for (size_t i = 1; i < o->nfields; i++)
		cap += strlen(o->fields[i]) + 2;
	rd = xmalloc(cap);
	if (o->nfields > 1)
		add_built(d, o->fields[0], DNS_T_TXT, d->ttl, rd,
			  dns_rdata_txt((const char *const *)o->fields + 1, o->nfields - 1,
					rd, cap));
	else
		add_built(d, o->fields[0], DNS_T_TXT, d->ttl, rd, dns_rdata_txt(empty, 1, rd, cap));
	free(rd);
}

/*
 * --mx-host=name[,target][,preference].  Without a target, dnsmasq names
 * the host it runs on (--mx-target is not supported): so does leased.
 */
static void load_mx(struct dns_local *d, const struct dns_record_opt *o)
{
	char self[256] = "localhost";
	const char *target = NULL;
	uint16_t pref = MX_DEFAULT_PREF;
	uint8_t rd[DNS_WIRE_NAME_MAX + 2];

	for (size_t i = 1; i < o->nfields; i++) {
		if (i + 1 == o->nfields && str_all_digits(o->fields[i]))
			pref = number_or(o->fields[i], MX_DEFAULT_PREF);
		else
			target = o->fields[i];
	}
	if (!target) {
		if (gethostname(self, sizeof(self) - 1) < 0 || !self[0])
			str_copy(self, "localhost", sizeof(self));
		self[sizeof(self) - 1] = '\0';
		target = self;
	}
	add_built(d, o->fields[0], DNS_T_MX, d->ttl, rd,
		  dns_rdata_mx(pref, target, rd, sizeof(rd)));
}

/* --interface-name=name,interface[/4|/6] */
static void load_interface_name(struct dns_local *d, const struct dns_record_opt *o)
{
	char ifname[IF_NAMESIZE + 3];
	struct rec_in in = { .type = DNS_T_A, .iface = true, .ttl = d->ttl, .extra = ifname };
	size_t n;

	if (o->nfields < 2)
		return;
	n = str_copy(ifname, o->fields[1], sizeof(ifname));
	if (n >= sizeof(ifname))
		return;
	if (n > 2 && (str_has_suffix(ifname, "/4") || str_has_suffix(ifname, "/6"))) {
		/* "/6": the interface's IPv6 addresses only, which netlink does not give yet. */
		if (ifname[n - 1] == '6')
			in.type = DNS_T_AAAA;
		ifname[n - 2] = '\0';
	}
	add_rec(d, o->fields[0], &in);
	if (in.type == DNS_T_A) {
		struct iface_rev *r = array_push(&d->ifrevs, &d->nifrevs, sizeof(*r));

		r->ifname = xstrdup(ifname);
		r->name = xstrdup(o->fields[0]);
		r->origin = d->origin;
	}
}

/*
 * --dhcp-host with a name and an address answers like the lease it
 * stands for: H, and H.DOMAIN when -s is given (whatever --expand-hosts
 * says, so the name does not change when the container stops), PTR to
 * the longest of them.  The first reservation of a name wins, as in the
 * hostdb.
 */
struct host_walk {
	struct dns_local *d;
	const struct hostdb *db;
	size_t seen, nconfig;  /* hostdb holds the --dhcp-host options first */
};

static void load_dhcp_host(void *ctx, const struct dhcp_host *h)
{
	struct host_walk *w = ctx;
	/* hostdb_load copies the --dhcp-host options first, then the hostsfiles' lines. */
	bool from_config = w->seen++ < w->nconfig;
	char fqdn[DNS_NAME_STR];
	const char *ptr = h->name;

	if (!h->name || !h->has_ip || h->ignore)
		return;
	if (w->db && hostdb_by_name(w->db, h->name) != h)
		return;
	set_option(w->d, from_config ? "dhcp-host" : "dhcp-hostsfile", &h->origin);
	add_addr(w->d, h->name, AF_INET, &h->ip, w->d->ttl);
	if (qualify(w->d, h->name, fqdn, sizeof(fqdn))) {
		add_addr(w->d, fqdn, AF_INET, &h->ip, w->d->ttl);
		ptr = fqdn;
	}
	add_reverse(w->d, AF_INET, &h->ip, ptr, w->d->ttl);
}

static void load_config_records(struct dns_local *d, const struct config *cfg,
				const struct hostdb *db)
{
	struct host_walk w = { d, db, 0, cfg->nhosts };

	/* Explicit PTRs first, so the reverse map never shadows one. */
	for (size_t i = 0; i < cfg->nptr_records; i++) {
		set_option(d, "ptr-record", &cfg->ptr_records[i].origin);
		load_ptr(d, &cfg->ptr_records[i]);
	}
	for (size_t i = 0; i < cfg->nhost_records; i++) {
		set_option(d, "host-record", &cfg->host_records[i].origin);
		load_host_record(d, &cfg->host_records[i]);
	}
	for (size_t i = 0; i < cfg->ncnames; i++) {
		set_option(d, "cname", &cfg->cnames[i].origin);
		load_cname(d, &cfg->cnames[i]);
	}
	for (size_t i = 0; i < cfg->nsrv_hosts; i++) {
		set_option(d, "srv-host", &cfg->srv_hosts[i].origin);
		load_srv(d, &cfg->srv_hosts[i]);
	}
	for (size_t i = 0; i < cfg->ntxt_records; i++) {
		set_option(d, "txt-record", &cfg->txt_records[i].origin);
		load_txt(d, &cfg->txt_records[i]);
	}
	for (size_t i = 0; i < cfg->nmx_hosts; i++) {
		set_option(d, "mx-host", &cfg->mx_hosts[i].origin);
		load_mx(d, &cfg->mx_hosts[i]);
	}
	for (size_t i = 0; i < cfg->ninterface_names; i++) {
		set_option(d, "interface-name", &cfg->interface_names[i].origin);
		load_interface_name(d, &cfg->interface_names[i]);
	}
	if (db) {
		hostdb_foreach(db, load_dhcp_host, &w);
	} else {
		for (size_t i = 0; i < cfg->nhosts; i++)
			load_dhcp_host(&w, &cfg->hosts[i]);
	}
}

/* ---- loading: hosts files ---- */

static void hosts_entry(void *ctx, const struct hostsfile_entry *e)
{
	struct dns_local *d = ctx;
	char fqdn[DNS_NAME_STR];
	const char *ptr = e->name;

	/* Records point at one copy of the file's path, and remember their line. */
	d->src = intern(d, e->file);
	d->line = e->line;
	d->origin = NULL;
	add_addr(d, e->name, e->family, &e->addr, d->ttl);
	/* --expand-hosts: "c1" is "c1.DOMAIN" too, forward and reverse. */
	if (d->expand_hosts && qualify(d, e->name, fqdn, sizeof(fqdn))) {
		add_addr(d, fqdn, e->family, &e->addr, d->ttl);
		ptr = fqdn;
	}
	/* The line's first name is the canonical one: it gets the PTR. */
	if (e->first)
		add_reverse(d, e->family, &e->addr, ptr, d->ttl);
}

static void hosts_problem(void *ctx, const char *msg)
{
	struct dns_local *d = ctx;

	if (d->warn)
		d->warn(d->warn_ctx, msg);
	else
		log_warn("%s", msg);
}

/* A missing or bad hosts file is a warning: DNS still starts. */
static void load_hosts(struct dns_local *d, const char *path)
{
	const struct hostsfile_sink sink = { hosts_entry, hosts_problem, d };
	long n = hostsfile_load(path, &sink);

	if (n >= 0)
		log_info("read %s: %ld names", path, n);
	d->src = SRC_CONFIG;
	d->line = 0;
	d->origin = NULL;
}

/* ---- loading: zones ---- */

static struct zone *zone_get(struct dns_local *d, const char *domain)
{
	char key[DNS_NAME_STR];
	size_t i;

	/* dnsmasq's "#" domain matches every name: the root. */
	if (strcmp(domain, "#") == 0)
		key[0] = '\0';
	else
		key_of(domain, key);
	i = six_find(&d->by_zone, key);
	if (i != SIZE_MAX)
		return &d->zones[i];
	i = d->nzones;
	((struct zone *)array_push(&d->zones, &d->nzones, sizeof(struct zone)))->key = xstrdup(key);
	six_add(&d->by_zone, d->zones[i].key, i);
	return &d->zones[i];
}

/* An address option's value as written: "192.0.2.53", "2001:db8::5#5353". */
static void addr_text(const struct sockaddr_storage *ss, bool with_port, char *out,
		      size_t outlen)
{
	const void *a = &((const struct sockaddr_in *)ss)->sin_addr;
	uint16_t port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	char ip[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	inet_ntop(ss->ss_family, a, ip, sizeof(ip));
	if (with_port && port && port != 53)
		snprintf(out, outlen, "%s#%u", ip, port);
	else
		snprintf(out, outlen, "%s", ip);
}

static void load_server_zone(struct dns_local *d, const struct dns_server *s)
{
	char addr[INET6_ADDRSTRLEN + 8] = "#";
	struct zone *z;

	/* "//" (unqualified names): single labels are always answered here. */
	if (!s->domain || !s->domain[0])
		return;
	z = zone_get(d, s->domain);
	/* --local=/d/ and -S /d/ are the same option once parsed. */
	if (s->local_only) {
		z->local = true;
		if (!z->local_why)
			z->local_why = intern_fmt(d, "-S/--local /%s/ at %s", s->domain,
						  s->origin.where);
		return;
	}
	z->forward = true;
	if (s->has_addr)
		addr_text(&s->addr, true, addr, sizeof(addr));
	if (!z->fwd_why)
		z->fwd_why = intern_fmt(d, "-S /%s/%s at %s", s->domain, addr, s->origin.where);
}

static void load_address_zone(struct dns_local *d, const struct dns_address *a)
{
	struct zone *z = zone_get(d, a->domain);
	char addr[INET6_ADDRSTRLEN];

	if (a->null_addr) {
		z->null_addr = true;
		if (!z->null_why)
			z->null_why = intern_fmt(d, "--address=/%s/# at %s", a->domain,
						 a->origin.where);
		return;
	}
	if (!a->has_addr) {
		z->local = true;
		if (!z->local_why) {
			z->local_address = true;
			z->local_why = intern_fmt(d, "--address=/%s/ at %s", a->domain,
						  a->origin.where);
		}
		return;
	}
	addr_text(&a->addr, false, addr, sizeof(addr));
	if (a->addr.ss_family == AF_INET) {
		*(struct in_addr *)array_push(&z->v4, &z->n4, sizeof(struct in_addr)) =
			((const struct sockaddr_in *)&a->addr)->sin_addr;
		z->v4why = xrealloc(z->v4why, z->n4 * sizeof(*z->v4why));
		z->v4why[z->n4 - 1] = intern_fmt(d, "--address=/%s/%s at %s", a->domain, addr,
						 a->origin.where);
	} else {
		*(struct in6_addr *)array_push(&z->v6, &z->n6, sizeof(struct in6_addr)) =
			((const struct sockaddr_in6 *)&a->addr)->sin6_addr;
		z->v6why = xrealloc(z->v6why, z->n6 * sizeof(*z->v6why));
		z->v6why[z->n6 - 1] = intern_fmt(d, "--address=/%s/%s at %s", a->domain, addr,
						 a->origin.where);
	}
}

/*
 * --bogus-priv: RFC 6303's locally served reverse zones (RFC 1918, loopback,
 * link-local, "this network", the documentation nets, broadcast, ULA and
 * fe80::/10, ::1 and ::) plus RFC 6598's 100.64.0.0/10.
 */
static void load_bogus_zones(struct dns_local *d)
{
	static const char *const fixed[] = {
		"10.in-addr.arpa", "168.192.in-addr.arpa", "127.in-addr.arpa",
		"254.169.in-addr.arpa", "0.in-addr.arpa", "2.0.192.in-addr.arpa",
		"100.51.198.in-addr.arpa", "113.0.203.in-addr.arpa",
		"255.255.255.255.in-addr.arpa", "c.f.ip6.arpa", "d.f.ip6.arpa",
		"8.e.f.ip6.arpa", "9.e.f.ip6.arpa", "a.e.f.ip6.arpa", "b.e.f.ip6.arpa",
		"8.b.d.0.1.0.0.2.ip6.arpa",
	};
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT, loop6 = IN6ADDR_LOOPBACK_INIT;
	char name[DNS_NAME_STR];

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		zone_get(d, fixed[i])->bogus = true;
	for (unsigned o = 16; o <= 31; o++) {
		snprintf(name, sizeof(name), "%u.172.in-addr.arpa", o);
		zone_get(d, name)->bogus = true;
	}
	for (unsigned o = 64; o <= 127; o++) {
		snprintf(name, sizeof(name), "%u.100.in-addr.arpa", o);
		zone_get(d, name)->bogus = true;
	}
	if (dns_reverse_name(AF_INET6, &any6, name, sizeof(name)) > 0)
		zone_get(d, name)->bogus = true;
	if (dns_reverse_name(AF_INET6, &loop6, name, sizeof(name)) > 0)
		zone_get(d, name)->bogus = true;
}

/*
 * RFC 6761 section 6.3: caching DNS servers answer "localhost" and the
 * names below it with the loopback addresses themselves and never ask
 * upstream.  A hosts entry or an --address=/localhost/ still decides.
 */
static void load_localhost_zone(struct dns_local *d)
{
	struct dns_address a = { .domain = (char *)"localhost", .has_addr = true };
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.addr;

	if (find_zone(d, "localhost"))
		return;
	str_copy(a.origin.where, "RFC 6761 (built in)", sizeof(a.origin.where));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	load_address_zone(d, &a);
	memset(&a.addr, 0, sizeof(a.addr));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = in6addr_loopback;
	load_address_zone(d, &a);
}

/*
 * A served subnet's reverse zone is local like the -s domain, and for the
 * same reason (its names come from leases), unless a server is named for
 * exactly it.
 */
static void load_reverse_zone(void *ctx, const char *name, const char *origin)
{
	struct dns_local *d = ctx;
	struct zone *z = zone_get(d, name);

	if (z->forward)
		return;
	z->local = true;
	z->reverse = true;
	if (!z->local_why)
		z->local_why = intern(d, origin);
}

static void load_zones(struct dns_local *d, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nservers; i++)
		load_server_zone(d, &cfg->servers[i]);
	for (size_t i = 0; i < cfg->naddresses; i++)
		load_address_zone(d, &cfg->addresses[i]);
	/*
	 * The DHCP domain is local unless a server is named for exactly it:
	 * then names not known here go to that server, as with dnsmasq.
	 */
	if (d->domain) {
		struct zone *z = zone_get(d, d->domain);

		if (!z->forward) {
			z->local = true;
			if (!z->local_why)
				z->local_why = intern_fmt(d, "-s %s", d->domain);
		}
	}
	dns_zone_reverse(cfg, load_reverse_zone, d);
	if (cfg->bogus_priv)
		load_bogus_zones(d);
	load_localhost_zone(d);
}

/*
 * Single-label names leased does not know.  An explicit route decides:
 * --server=//ADDR forwards them there, -S // and --local=// answer them
 * here.  Without one, --domain-needed or a local domain (-s D not routed
 * to a server: lxc-net with LXC_DOMAIN, LXD, libvirt) answers them here,
 * since the names of this bridge's containers are all known here.
 * Otherwise (lxc-net's default line, no domain) they are forwarded as
 * dnsmasq forwards them: a container runtime's DNS upstream (Docker's
 * 127.0.0.11) may know them.
 */
static void load_single_label_rule(struct dns_local *d, const struct config *cfg)
{
	const struct zone *z = d->domain ? find_zone(d, d->domain) : NULL;

	for (size_t i = 0; i < cfg->nservers; i++) {
		const struct dns_server *s = &cfg->servers[i];

		if (!s->domain || s->domain[0])
			continue;
		if (s->has_addr && !s->local_only) {
			d->single_why = NULL;
			return;
		}
		if (!d->single_why)
			d->single_why = intern_fmt(d, "-S // at %s", s->origin.where);
	}
	if (d->single_why)
		return;
	if (cfg->domain_needed)
		d->single_why = "--domain-needed";
	else if (z && z->local)
		d->single_why = intern_fmt(d, "local domain %s", d->domain);
}

/*
 * Every proper ancestor of a name with data ("b.lxc" for "a.b.lxc") exists
 * as an empty non-terminal: inside a local zone it is NODATA, not
 * NXDOMAIN, since RFC 8020 lets a resolver take NXDOMAIN to mean that
 * nothing below exists either.
 */
static void load_ents(struct dns_local *d)
{
	for (size_t i = 0; i < d->nnames; i++) {
		for (const char *a = next_label(d->names[i].key); a; a = next_label(a)) {
			if (six_find(&d->by_ent, a) != SIZE_MAX)
				break; /* its ancestors are in already */
			*(char **)array_push(&d->ents, &d->nents, sizeof(char *)) = xstrdup(a);
			six_add(&d->by_ent, d->ents[d->nents - 1], d->nents - 1);
		}
	}
}

/* ---- load / free ---- */

struct dns_local *dns_local_load_opts(const struct config *cfg, const struct hostdb *hosts,
				      const struct dns_local_options *opts,
				      struct config_error *err)
{
	struct dns_local *d;

	if (err) {
		err->msg[0] = '\0';
		err->status = 0;
	}
	if (!cfg) {
		if (err)
			config_set_error(err, EXIT_CONFIG, "no configuration for DNS");
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->ttl = cfg->local_ttl;
	d->serial = (uint32_t)now_wall();
	d->expand_hosts = cfg->expand_hosts;
	d->warn = opts ? opts->warn : NULL;
	d->warn_ctx = opts ? opts->warn_ctx : NULL;
	/* "-s #" (resolv.conf's search domain) is not supported: no domain. */
	if (cfg->domain && cfg->domain[0] && strcmp(cfg->domain, "#") != 0) {
		char key[DNS_NAME_STR];

		key_of(cfg->domain, key);
		d->domain = xstrdup(key);
	}
	load_config_records(d, cfg, hosts);
	if (!cfg->no_hosts)
		load_hosts(d, opts && opts->etc_hosts ? opts->etc_hosts : ETC_HOSTS);
	for (size_t i = 0; i < cfg->naddn_hosts; i++)
		load_hosts(d, cfg->addn_hosts[i]);
	load_zones(d, cfg);
	load_single_label_rule(d, cfg);
	load_ents(d);
	d->warn = NULL;
	d->warn_ctx = NULL;
	d->src = NULL;
	return d;
}

struct dns_local *dns_local_load(const struct config *cfg, const struct hostdb *hosts,
				 struct config_error *err)
{
	return dns_local_load_opts(cfg, hosts, NULL, err);
}

void dns_local_free(struct dns_local *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nnames; i++) {
		struct name_entry *e = &d->names[i];

		for (size_t j = 0; j < e->nrecs; j++) {
			free(e->recs[j].rdata);
			free(e->recs[j].extra);
		}
		free(e->recs);
		free(e->key);
	}
	free(d->names);
	free(d->by_name.slots);
	for (size_t i = 0; i < d->nzones; i++) {
		free(d->zones[i].key);
		free(d->zones[i].v4);
		free(d->zones[i].v6);
		free(d->zones[i].v4why);
		free(d->zones[i].v6why);
	}
	free(d->zones);
	free(d->by_zone.slots);
	for (size_t i = 0; i < d->nifrevs; i++) {
		free(d->ifrevs[i].ifname);
		free(d->ifrevs[i].name);
	}
	free(d->ifrevs);
	config_free_list(d->ents, d->nents);
	free(d->by_ent.slots);
	config_free_list(d->sources, d->nsources);
	free(d->domain);
	free(d);
}

size_t dns_local_count(const struct dns_local *d)
{
	return d ? d->nrecs : 0;
}

/* ---- answering: the result ---- */

struct qctx {
	const struct dns_local *d;
	const struct dns_local_env *env;
	struct dns_local_result *out;
	uint16_t qtype;
	const char *hint;        /* where a known name's data came from */
	const char *soa_owner;   /* for a negative answer */
	struct why *why;         /* explain only; NULL on the plain query path */
};

static void *arena_put(struct dns_local_result *out, const void *p, size_t n)
{
	void *dst;

	if (DNS_LOCAL_ARENA - out->arena_used < n)
		return NULL;
	dst = out->arena + out->arena_used;
	if (n)
		memcpy(dst, p, n);
	out->arena_used += n;
	return dst;
}

/*
 * Append a record, copying owner and RDATA into the arena; false (and
 * nothing added) when DNS_LOCAL_MAX_RRS records or DNS_LOCAL_ARENA bytes
 * are used up: the answer then holds the records that fit.
 */
static bool push_rr(struct dns_local_result *out, enum dns_section sec, const char *owner,
		    uint16_t type, uint32_t ttl, const void *rdata, size_t rdlen)
{
	size_t used = out->answer.n[DNS_SEC_ANSWER] + out->answer.n[DNS_SEC_AUTHORITY];
	size_t mark = out->arena_used;
	struct dns_rr *rr;
	const char *o;
	const uint8_t *rd;

	if (used >= DNS_LOCAL_MAX_RRS || rdlen > UINT16_MAX)
		return false;
	/* Records of one owner come together: store the owner once. */
	if (used && strcmp(out->rrs[used - 1].owner, owner) == 0)
		o = out->rrs[used - 1].owner;
	else
		o = arena_put(out, owner, strlen(owner) + 1);
	rd = o ? arena_put(out, rdata, rdlen) : NULL;
	if (!o || (!rd && rdlen)) {
		out->arena_used = mark;
		return false;
	}
	rr = &out->rrs[used];
	*rr = (struct dns_rr){ o, type, DNS_C_IN, ttl, rd, (uint16_t)rdlen };
	out->answer.n[sec]++;
	return true;
}

/* True when the record was added (explain then says where it came from). */
static bool answer_rr(struct qctx *c, const char *owner, uint16_t type, uint32_t ttl,
		      const void *rdata, size_t rdlen, const char *source)
{
	if (!push_rr(c->out, DNS_SEC_ANSWER, owner, type, ttl, rdata, rdlen))
		return false;
	if (!c->out->source[0])
		str_copy(c->out->source, source, sizeof(c->out->source));
	return true;
}

static void result_init(struct dns_local_result *out)
{
	memset(&out->answer, 0, sizeof(out->answer));
	out->answer.rrs[DNS_SEC_ANSWER] = out->rrs;
	out->source[0] = '\0';
	out->arena_used = 0;
}

static bool wants(const struct qctx *c, uint16_t type)
{
	return c->qtype == type || c->qtype == DNS_T_ANY;
}

/* ---- explain: where an answer, or a negative, comes from ---- */

/*
 * For `leasectl explain`, only when env->explain is set: every caller
 * checks c->why first, so a plain query formats nothing and looks
 * nothing up.  The detail is a list of items joined by "; "; an item
 * after a CNAME starts ", then TARGET: ".  Text that does not fit ends
 * with "...".
 */
struct why {
	size_t len;
	bool full;             /* cut short: nothing more is added */
	bool fresh;            /* no "; " before the next item (just opened a list) */
	const void *last;      /* the origin of the last item, said once */
	uint32_t last_line;
	const char *then;      /* a CNAME's target: the next item says so first */
	time_t now;            /* for "expires in" */
};

static void why_vput(struct qctx *c, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void why_vput(struct qctx *c, const char *fmt, va_list ap)
{
	struct why *w = c->why;
	char *buf = c->out->detail;
	size_t room = DNS_LOCAL_DETAIL_LEN - w->len;
	int n;

	if (w->full)
		return;
	n = vsnprintf(buf + w->len, room, fmt, ap);
	if (n < 0) {
		buf[w->len] = '\0';
		return;
	}
	if ((size_t)n < room) {
		w->len += (size_t)n;
		return;
	}
	w->full = true;
	w->len = DNS_LOCAL_DETAIL_LEN - 1;
	memcpy(buf + DNS_LOCAL_DETAIL_LEN - 4, "...", 4);
}

static void why_put(struct qctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void why_put(struct qctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	why_vput(c, fmt, ap);
	va_end(ap);
}

/* Start over (a refusal replaces whatever was said). */
static void why_reset(struct qctx *c)
{
	time_t now = c->why->now;

	*c->why = (struct why){ .now = now };
	c->out->detail[0] = '\0';
}

/* Begin an item: "; " between items, ", then TARGET: " after a CNAME. */
static void why_item(struct qctx *c)
{
	struct why *w = c->why;

	if (w->then) {
		why_put(c, ", then %s: ", w->then);
		w->then = NULL;
	} else if (w->len && !w->fresh) {
		why_put(c, "; ");
	}
	w->fresh = false;
	w->last = NULL;
}

/* Open a list inside an item ("... records only ("): its first entry needs no "; ". */
static void why_open(struct qctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void why_open(struct qctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	why_vput(c, fmt, ap);
	va_end(ap);
	c->why->fresh = true;
	c->why->last = NULL;
}

/*
 * An origin: "FILE:LINE", or an option's "--host-record at FILE:LINE".
 * Said once for consecutive records; more lines of one file read
 * "FILE:3,7".  True when it began an item (a suffix may follow).
 */
static bool why_origin(struct qctx *c, const char *src, uint32_t line)
{
	struct why *w = c->why;

	if (!w->then && w->last == src) {
		if (w->last_line == line)
			return false;
		if (line) {
			why_put(c, ",%u", line);
			w->last_line = line;
			return false;
		}
	}
	why_item(c);
	if (line)
		why_put(c, "%s:%u", src, line);
	else
		why_put(c, "%s", src);
	w->last = src;
	w->last_line = line;
	return true;
}

static void why_rec(struct qctx *c, const struct rec *r)
{
	if (r->line)
		why_origin(c, r->source, r->line);
	else if (why_origin(c, r->origin ? r->origin : SRC_CONFIG, 0) && r->iface)
		why_put(c, " (interface %s)", r->extra);
}

/* "59m12s", "1h0m5s", "2d3h0m0s". */
static void why_duration(struct qctx *c, time_t t)
{
	long long s = (long long)t, d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d)
		why_put(c, "%lldd%lldh%lldm%llds", d, h, m, s % 60);
	else if (h)
		why_put(c, "%lldh%lldm%llds", h, m, s % 60);
	else if (m)
		why_put(c, "%lldm%llds", m, s % 60);
	else
		why_put(c, "%llds", s % 60);
}

/* "lease of 00:16:3e:00:00:01 (c1), expires in 59m12s" */
static void why_lease(struct qctx *c, const struct lease *l)
{
	char hw[LEASE_HWADDR_MAX * 3], ip[INET_ADDRSTRLEN];

	if (!c->why->then && c->why->last == l)
		return;
	why_item(c);
	c->why->last = l;
	c->why->last_line = 0;
	if (l->hwlen)
		why_put(c, "lease of %s", hex_format(l->hwaddr, l->hwlen, hw, sizeof(hw)));
	else
		why_put(c, "lease of %s", inet_ntop(AF_INET, &l->addr, ip, sizeof(ip)));
	if (l->hostname[0])
		why_put(c, " (%s)", l->hostname);
	if (!l->expires) {
		why_put(c, ", never expires");
	} else if (l->expires <= c->why->now) {
		why_put(c, ", expired");
	} else {
		why_put(c, ", expires in ");
		why_duration(c, l->expires - c->why->now);
	}
}

/* A static record a lease stands in front of. */
static void why_hidden(struct qctx *c, const struct rec *r)
{
	why_item(c);
	why_open(c, "the lease hides ");
	why_rec(c, r);
}

/* "A", "A and TXT", "A, MX and TXT" */
static void why_types(struct qctx *c, const uint16_t *types, size_t n)
{
	char name[16];

	for (size_t i = 0; i < n; i++)
		why_put(c, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
			dns_type_name(types[i], name, sizeof(name)));
}

static size_t add_type(uint16_t *types, size_t n, size_t max, uint16_t type)
{
	for (size_t i = 0; i < n; i++)
		if (types[i] == type)
			return n;
	if (n < max)
		types[n++] = type;
	return n;
}

/* ---- answering: dynamic data ---- */

/* The lease named by key: "H", or "H.DOMAIN" with -s. */
static const struct lease *lease_for_name(const struct qctx *c, const char *key)
{
	const struct lease_table *t = c->env ? c->env->leases : NULL;
	const char *dot = strchr(key, '.');
	char label[LEASE_NAME_MAX];
	size_t n;

	if (!t)
		return NULL;
	if (dot) {
		if (!c->d->domain || strcmp(dot + 1, c->d->domain) != 0)
			return NULL;
		n = (size_t)(dot - key);
	} else {
		n = strlen(key);
	}
	if (n == 0 || n >= sizeof(label))
		return NULL;
	memcpy(label, key, n);
	label[n] = '\0';
	return lease_by_name(t, label);
}

static bool reverse_v4(const char *key, struct in_addr *a)
{
	uint8_t addr[16];
	int family;

	if (!str_has_suffix(key, ".in-addr.arpa") || dns_reverse_addr(key, &family, addr) < 0 ||
	    family != AF_INET)
		return false;
	memcpy(a, addr, sizeof(*a));
	return true;
}

static const struct nl_iface *iface_up(const struct qctx *c, const char *ifname)
{
	const struct nl_iface *i;

	if (!c->env || !c->env->nl)
		return NULL;
	i = netlink_iface_by_name(c->env->nl, ifname);
	return i && i->up ? i : NULL;
}

/* The --interface-name whose interface holds a, for its PTR (config order). */
static const struct iface_rev *iface_name_for(const struct qctx *c, struct in_addr a)
{
	for (size_t i = 0; i < c->d->nifrevs; i++) {
		const struct nl_iface *ifc = iface_up(c, c->d->ifrevs[i].ifname);

		for (size_t j = 0; ifc && j < ifc->naddrs; j++)
			if (ifc->addrs[j].s_addr == a.s_addr)
				return &c->d->ifrevs[i];
	}
	return NULL;
}

static bool answer_ptr(struct qctx *c, const char *owner, const char *target,
		       const char *source)
{
	uint8_t rd[DNS_WIRE_NAME_MAX];
	int n = dns_rdata_name(target, rd, sizeof(rd));

	return n >= 0 && answer_rr(c, owner, DNS_T_PTR, c->d->ttl, rd, (size_t)n, source);
}

/* A lease's name as its PTR gives it: "H.DOMAIN", or "H" without -s. */
static void lease_fqdn(const struct dns_local *d, const struct lease *l, char *out,
		       size_t outlen)
{
	if (d && d->domain)
		snprintf(out, outlen, "%s.%s", l->hostname, d->domain);
	else
		str_copy(out, l->hostname, outlen);
}

/* ---- answering: one name ---- */

/*
 * --interface-name: the interface's current addresses; none while it is
 * missing or down (the name still exists: NODATA).  netlink gives no IPv6
 * addresses yet, so a "/6" name answers nothing.
 */
static size_t iface_records(struct qctx *c, const struct rec *r, const char *owner)
{
	const struct nl_iface *ifc = r->type == DNS_T_A ? iface_up(c, r->extra) : NULL;
	size_t j;

	for (j = 0; ifc && j < ifc->naddrs; j++) {
		if (answer_rr(c, owner, DNS_T_A, r->ttl, &ifc->addrs[j], 4, SRC_CONFIG) && c->why)
			why_rec(c, r);
	}
	return j;
}

/* The zone that decides for key: the most specific domain holding it. */
static const struct zone *zone_for(const struct dns_local *d, const char *key)
{
	for (const char *s = key; s; s = next_label(s)) {
		const struct zone *z = find_zone(d, s);

		if (z)
			return z;
	}
	return find_zone(d, "");
}

static enum zone_kind zone_kind(const struct zone *z)
{
	if (z->n4 || z->n6 || z->null_addr)
		return ZONE_ADDRESS;
	if (z->local)
		return ZONE_LOCAL;
	if (z->forward)
		return ZONE_FORWARD;
	return ZONE_BOGUS;
}

/* What one name holds for the query. */
struct known {
	bool exists;             /* named by data here, even with no records */
	bool any;                /* holds a record of some type */
	size_t matched;          /* records of the query type (added if they fit) */
	const struct rec *cname; /* to follow when nothing matched */
};

/* The zone whose apex key is, when leased is authoritative for it. */
static const struct zone *auth_apex(const struct dns_local *d, const char *key)
{
	const struct zone *z = find_zone(d, key);

	return z && z->key[0] && zone_kind(z) == ZONE_LOCAL && !z->local_address ? z : NULL;
}

/* The serial of every local SOA now: it moves with the lease table. */
static uint32_t zone_serial(const struct qctx *c)
{
	return dns_zone_serial(c->d->serial, c->env ? c->env->leases : NULL);
}

static const char *zone_noun(const struct zone *z)
{
	return z->reverse ? "reverse zone" : "local domain";
}

/* "SOA of local domain lxc (-s lxc), made up here" */
static void why_apex(struct qctx *c, const struct zone *z, const char *type)
{
	why_item(c);
	why_put(c, "%s of %s %s (%s), made up here", type, zone_noun(z), z->key, z->local_why);
}

/*
 * RFC 1034 section 4.2.1: "the RRs that describe the top node of the zone
 * ... are of two types: name server RRs that list, one per RR, all of the
 * servers for the zone, and a single SOA RR that describes zone
 * management parameters."  Both name the zone's canonical apex (dns_zone.h
 * says why); the owner is the name as asked.
 */
static void apex_records(struct qctx *c, const struct zone *z, const char *owner,
			 struct known *k)
{
	uint8_t rd[DNS_RDATA_NAMES_MAX];
	int n;

	if (wants(c, DNS_T_SOA)) {
		k->matched++;
		n = dns_zone_soa(z->key, zone_serial(c), c->d->ttl, rd, sizeof(rd));
		if (n >= 0 && answer_rr(c, owner, DNS_T_SOA, c->d->ttl, rd, (size_t)n, SRC_CONFIG) &&
		    c->why)
			why_apex(c, z, "SOA");
	}
	if (wants(c, DNS_T_NS)) {
		k->matched++;
		n = dns_zone_ns(z->key, rd, sizeof(rd));
		if (n >= 0 && answer_rr(c, owner, DNS_T_NS, c->d->ttl, rd, (size_t)n, SRC_CONFIG) &&
		    c->why)
			why_apex(c, z, "NS");
	}
}

/* A lease owns its name's addresses (and CNAME) and its address's PTR. */
static bool lease_hides(const struct rec *r, bool leased, bool rev_leased)
{
	return (leased && (r->type == DNS_T_A || r->type == DNS_T_AAAA ||
			   r->type == DNS_T_CNAME)) ||
	       (rev_leased && r->type == DNS_T_PTR);
}

static void static_records(struct qctx *c, const struct name_entry *e, const char *owner,
			   bool leased, bool rev_leased, struct known *k)
{
	for (size_t i = 0; i < e->nrecs; i++) {
		const struct rec *r = &e->recs[i];

		if (lease_hides(r, leased, rev_leased)) {
			if (c->why && wants(c, r->type))
				why_hidden(c, r);
			continue;
		}
		if (r->type == DNS_T_CNAME && !wants(c, DNS_T_CNAME)) {
			k->cname = r;
			continue;
		}
		if (!wants(c, r->type))
			continue;
		if (r->iface) {
			k->matched += iface_records(c, r, owner);
			continue;
		}
		k->matched++;
		if (answer_rr(c, owner, r->type, r->ttl, r->rdata, r->rdlen, r->source) && c->why)
			why_rec(c, r);
	}
}

/* Where a name's data lives: static records, leases, interfaces. */
struct found {
	const struct name_entry *e;
	const struct lease *fl;        /* the lease named key */
	const struct lease *rl;        /* the named lease at key's reverse address */
	const struct iface_rev *ifr;   /* the --interface-name holding that address */
};

static void name_lookup(const struct qctx *c, const char *key, struct found *f)
{
	struct in_addr ra;

	f->e = find_name(c->d, key);
	f->fl = lease_for_name(c, key);
	f->rl = NULL;
	f->ifr = NULL;
	if (reverse_v4(key, &ra)) {
		if (c->env && c->env->leases)
			f->rl = lease_by_addr(c->env->leases, ra);
		if (f->rl && !f->rl->hostname[0])
			f->rl = NULL;
		if (!f->rl && !entry_has(f->e, DNS_T_PTR))
			f->ifr = iface_name_for(c, ra);
	}
}

/*
 * Everything known about key (canonical) for the query type, added to the
 * answer under owner (the name as asked or as a CNAME names it).
 */
static void name_records(struct qctx *c, const char *key, const char *owner, struct known *k)
{
	const struct zone *apex = auth_apex(c->d, key);
	struct found f;
	char target[DNS_NAME_STR];

	name_lookup(c, key, &f);
	k->exists = f.e || f.fl || f.rl || f.ifr || apex;
	k->any = (f.e && f.e->nrecs) || f.fl || f.rl || f.ifr || apex;
	if (apex)
		apex_records(c, apex, owner, k);
	if (f.fl || f.rl)
		c->hint = SRC_DHCP;
	else if (f.e && f.e->nrecs && !c->hint)
		c->hint = f.e->recs[0].source;
	if (f.fl && wants(c, DNS_T_A)) {
		k->matched++;
		if (answer_rr(c, owner, DNS_T_A, c->d->ttl, &f.fl->addr, 4, SRC_DHCP) && c->why)
			why_lease(c, f.fl);
	}
	if (f.rl && wants(c, DNS_T_PTR)) {
		k->matched++;
		lease_fqdn(c->d, f.rl, target, sizeof(target));
		if (answer_ptr(c, owner, target, SRC_DHCP) && c->why)
			why_lease(c, f.rl);
	}
	if (f.ifr && wants(c, DNS_T_PTR)) {
		k->matched++;
		if (answer_ptr(c, owner, f.ifr->name, SRC_CONFIG) && c->why &&
		    why_origin(c, f.ifr->origin, 0))
			why_put(c, " (interface %s)", f.ifr->ifname);
	}
	if (f.e)
		static_records(c, f.e, owner, f.fl != NULL, f.rl != NULL, k);
}

/*
 * Explain a NODATA for a name that has data: the types it has and where
 * they come from ("c1.lxc has A records only (lease of ...)"), or the
 * --interface-name whose interface has no address now.
 */
static void why_nodata(struct qctx *c, const char *key, const char *owner)
{
	const struct zone *apex = auth_apex(c->d, key);
	uint16_t types[16] = { 0 };
	size_t nt = 0;
	struct found f;

	name_lookup(c, key, &f);
	for (size_t i = 0; f.e && i < f.e->nrecs; i++) {
		const struct rec *r = &f.e->recs[i];

		if (r->iface && wants(c, r->type) && !lease_hides(r, f.fl != NULL, false)) {
			why_item(c);
			why_put(c, "no address for %s now: interface %s of %s is missing, down "
				"or has none", owner, r->extra, r->origin ? r->origin : SRC_CONFIG);
			return;
		}
	}
	if (apex) {
		nt = add_type(types, nt, ARRAY_SIZE(types), DNS_T_SOA);
		nt = add_type(types, nt, ARRAY_SIZE(types), DNS_T_NS);
	}
	if (f.fl)
		nt = add_type(types, nt, ARRAY_SIZE(types), DNS_T_A);
	if (f.rl || f.ifr)
		nt = add_type(types, nt, ARRAY_SIZE(types), DNS_T_PTR);
	for (size_t i = 0; f.e && i < f.e->nrecs; i++) {
		const struct rec *r = &f.e->recs[i];

		if (lease_hides(r, f.fl != NULL, f.rl != NULL))
			continue;
		nt = add_type(types, nt, ARRAY_SIZE(types), r->type);
	}
	why_item(c);
	why_put(c, "%s has ", owner);
	why_types(c, types, nt);
	why_open(c, " records only (");
	if (apex)
		why_origin(c, apex->local_why, 0);
	if (f.fl)
		why_lease(c, f.fl);
	if (f.rl)
		why_lease(c, f.rl);
	if (f.ifr && why_origin(c, f.ifr->origin, 0))
		why_put(c, " (interface %s)", f.ifr->ifname);
	for (size_t i = 0; f.e && i < f.e->nrecs; i++) {
		const struct rec *r = &f.e->recs[i];

		if (lease_hides(r, f.fl != NULL, f.rl != NULL))
			continue;
		why_rec(c, r);
	}
	why_put(c, ")");
}

/* The SOA of a negative answer is the zone's; outside one, the name's own. */
static void set_soa_owner(struct qctx *c, const struct zone *z, const char *owner)
{
	c->soa_owner = z && z->key[0] && zone_kind(z) != ZONE_FORWARD ? z->key : owner;
}

enum outcome { OUT_ANSWER, OUT_NODATA, OUT_NXDOMAIN, OUT_NOT_LOCAL };

/* --address=/d/a: every name below d has those addresses and no other data. */
static size_t address_records(struct qctx *c, const struct zone *z, const char *owner)
{
	static const struct in_addr any4;
	static const struct in6_addr any6;
	size_t matched = 0;

	for (size_t i = 0; wants(c, DNS_T_A) && i < z->n4; i++, matched++) {
		if (answer_rr(c, owner, DNS_T_A, c->d->ttl, &z->v4[i], 4, SRC_CONFIG) && c->why)
			why_origin(c, z->v4why[i], 0);
	}
	for (size_t i = 0; wants(c, DNS_T_AAAA) && i < z->n6; i++, matched++) {
		if (answer_rr(c, owner, DNS_T_AAAA, c->d->ttl, &z->v6[i], 16, SRC_CONFIG) &&
		    c->why)
			why_origin(c, z->v6why[i], 0);
	}
	if (z->null_addr && wants(c, DNS_T_A)) {
		if (answer_rr(c, owner, DNS_T_A, c->d->ttl, &any4, 4, SRC_CONFIG) && c->why)
			why_origin(c, z->null_why, 0);
		matched++;
	}
	if (z->null_addr && wants(c, DNS_T_AAAA)) {
		if (answer_rr(c, owner, DNS_T_AAAA, c->d->ttl, &any6, 16, SRC_CONFIG) && c->why)
			why_origin(c, z->null_why, 0);
		matched++;
	}
	return matched;
}

static void add_soa(struct qctx *c, enum dns_section sec);

/*
 * The apex of a zone with data below: its SOA when asked for, else NODATA.
 * NXDOMAIN there would tell a resolver that minimises its queries
 * (RFC 9156) that nothing below exists (RFC 8020).
 */
static enum outcome zone_apex(struct qctx *c, const char *owner)
{
	if (!wants(c, DNS_T_SOA))
		return OUT_NODATA;
	/* The name as asked, so the answer matches the question to the byte. */
	c->soa_owner = owner;
	add_soa(c, DNS_SEC_ANSWER);
	return OUT_ANSWER;
}

/*
 * A reverse name shorter than an address ("3.0.10.in-addr.arpa") may
 * have leases below it at any moment, so it is never NXDOMAIN.
 */
static bool partial_reverse(const char *key)
{
	int labels = dns_name_labels(key);

	if (str_has_suffix(key, ".in-addr.arpa"))
		return labels < 6;
	if (str_has_suffix(key, ".ip6.arpa"))
		return labels < 34;
	return false;
}

/*
 * Names that exist without data of their own: the parents of names with
 * data, the -s domain (leases live below it) and reverse names above an
 * address in a --bogus-priv zone or a served subnet's reverse zone.  A
 * zone with nothing below it (the blocking --address=/ads.example/) stays
 * NXDOMAIN at its apex too; the apex of a zone leased is authoritative
 * for never gets here (it has an SOA and NS: apex_records).
 */
static bool above_data(const struct dns_local *d, const char *key, const struct zone *z,
		       enum zone_kind kind)
{
	return six_find(&d->by_ent, key) != SIZE_MAX ||
	       (d->domain && strcmp(key, d->domain) == 0) ||
	       ((kind == ZONE_BOGUS || z->reverse) && partial_reverse(key));
}

/* A zone's name as an option writes it: dnsmasq's "#" is every name. */
static const char *zone_shown(const struct zone *z)
{
	return z->key[0] ? z->key : "#";
}

/* Why a name without data of its own is NODATA rather than NXDOMAIN. */
static const char *why_above(const struct qctx *c, const char *key)
{
	if (six_find(&c->d->by_ent, key) != SIZE_MAX)
		return "names below it exist, so NODATA";
	if (c->d->domain && strcmp(key, c->d->domain) == 0)
		return "leases live below it, so NODATA";
	return "addresses below it may be known, so NODATA";
}

/* NODATA under --address=/d/a: "sub.x has A records only (--address=/x/1.2.3.4 at ...)". */
static void why_address_nodata(struct qctx *c, const struct zone *z, const char *owner)
{
	uint16_t types[2] = { 0 };
	size_t nt = 0;

	if (z->n4 || z->null_addr)
		types[nt++] = DNS_T_A;
	if (z->n6 || z->null_addr)
		types[nt++] = DNS_T_AAAA;
	why_item(c);
	why_put(c, "%s has ", owner);
	why_types(c, types, nt);
	why_open(c, " records only (");
	for (size_t i = 0; i < z->n4; i++)
		why_origin(c, z->v4why[i], 0);
	for (size_t i = 0; i < z->n6; i++)
		why_origin(c, z->v6why[i], 0);
	if (z->null_addr)
		why_origin(c, z->null_why, 0);
	why_put(c, ")");
}

/* Explain what unknown_name decided (o) for a name with no data of its own. */
static void why_unknown(struct qctx *c, const char *key, const char *owner,
			const struct zone *z, enum zone_kind kind, enum outcome o)
{
	/* Inside a CNAME chain a name not local is the client's to follow. */
	bool chained = c->why->then != NULL;

	if (kind == ZONE_ADDRESS) {
		why_address_nodata(c, z, owner);
		return;
	}
	why_item(c);
	if (kind == ZONE_FORWARD) {
		if (o == OUT_NXDOMAIN)
			why_put(c, "no record for %s: single-label names are answered here "
				"(%s), never forwarded", owner, c->d->single_why);
		else if (chained)
			why_put(c, "not a local name: left for the client to follow");
		else if (dns_name_labels(key) == 1 && !(z && z->key[0]))
			why_put(c, "not a local name: single labels are forwarded (no local "
				"domain, --domain-needed or -S //)");
		else if (z && z->fwd_why)
			why_put(c, "not a local name (%s): forwarded", z->fwd_why);
		else
			why_put(c, "not a local name: forwarded");
		return;
	}
	if (o == OUT_ANSWER) {
		if (kind == ZONE_BOGUS)
			why_put(c, "SOA of private reverse range %s (--bogus-priv), made up here",
				zone_shown(z));
		else if (z->local_address)
			why_put(c, "SOA of %s (%s), made up here", zone_shown(z), z->local_why);
		else
			why_put(c, "SOA of local domain %s (%s), made up here", zone_shown(z),
				z->local_why);
		return;
	}
	if (kind == ZONE_BOGUS)
		why_put(c, "no record for %s: private reverse range %s not known here "
			"(--bogus-priv)", owner, zone_shown(z));
	else if (z->local_address)
		why_put(c, "%s answers NXDOMAIN for the domain", z->local_why);
	else
		why_put(c, "no record for %s in %s %s (%s)", owner, zone_noun(z), zone_shown(z),
			z->local_why);
	if (o == OUT_NODATA)
		why_put(c, "; %s", why_above(c, key));
}

/* A name known here without any record: a --ptr-record without a target. */
static void why_bare(struct qctx *c, const char *key, const char *owner)
{
	const struct name_entry *e = find_name(c->d, key);

	why_item(c);
	if (e && e->origin)
		why_put(c, "no record for %s: %s names it without a target, so NXDOMAIN "
			"(as dnsmasq)", owner, e->origin);
	else
		why_put(c, "no record for %s: named here without data", owner);
}

/* A name with no data of its own: its zone decides, then the label count. */
static enum outcome unknown_name(struct qctx *c, const char *key, const char *owner,
				 bool exists)
{
	const struct zone *z = zone_for(c->d, key);
	enum zone_kind kind = z ? zone_kind(z) : ZONE_FORWARD;
	enum outcome o;

	set_soa_owner(c, z, owner);
	/* Named with no data (a --ptr-record without a target): NXDOMAIN, as dnsmasq. */
	if (exists) {
		if (c->why)
			why_bare(c, key, owner);
		return OUT_NXDOMAIN;
	}
	if (kind == ZONE_ADDRESS && address_records(c, z, owner))
		return OUT_ANSWER;
	if (kind == ZONE_FORWARD)
		o = dns_name_labels(key) == 1 && c->d->single_why ? OUT_NXDOMAIN : OUT_NOT_LOCAL;
	else if (kind == ZONE_ADDRESS)
		o = OUT_NODATA;
	else if (!above_data(c->d, key, z, kind))
		o = OUT_NXDOMAIN;
	else
		o = z->key[0] && strcmp(z->key, key) == 0 ? zone_apex(c, owner) : OUT_NODATA;
	if (c->why)
		why_unknown(c, key, owner, z, kind, o);
	return o;
}

static enum outcome resolve(struct qctx *c, const char *key, const char *owner, int depth);

/*
 * dnsmasq answers a CNAME only towards local data: the target's records
 * follow the CNAME in the answer, and the rcode is the target's (RFC 6604).
 * A target that is not local leaves the CNAME alone, for the client's
 * resolver to follow.
 */
static enum outcome follow_cname(struct qctx *c, const struct rec *r, const char *owner,
				 int depth)
{
	char tkey[DNS_NAME_STR];
	enum outcome o;

	if (answer_rr(c, owner, DNS_T_CNAME, r->ttl, r->rdata, r->rdlen, r->source) && c->why)
		why_rec(c, r);
	if (depth >= CNAME_DEPTH) {
		if (c->why) {
			why_item(c);
			why_put(c, "chain cut after %d CNAMEs", CNAME_DEPTH + 1);
		}
		return OUT_ANSWER;
	}
	if (c->why)
		c->why->then = r->extra;
	key_of(r->extra, tkey);
	o = resolve(c, tkey, r->extra, depth + 1);
	return o == OUT_NOT_LOCAL ? OUT_ANSWER : o;
}

static enum outcome resolve(struct qctx *c, const char *key, const char *owner, int depth)
{
	struct known k = { 0 };

	name_records(c, key, owner, &k);
	if (k.matched)
		return OUT_ANSWER;
	if (k.cname)
		return follow_cname(c, k.cname, owner, depth);
	if (k.any) {
		set_soa_owner(c, zone_for(c->d, key), owner);
		if (c->why)
			why_nodata(c, key, owner);
		return OUT_NODATA;
	}
	return unknown_name(c, key, owner, k.exists);
}

/* The zone's SOA: the authority of a negative answer, or the answer at its apex. */
static void add_soa(struct qctx *c, enum dns_section sec)
{
	uint8_t rd[DNS_RDATA_NAMES_MAX];
	const char *zone = c->soa_owner ? c->soa_owner : "";
	int n = dns_zone_soa(zone, zone_serial(c), c->d->ttl, rd, sizeof(rd));

	if (n < 0)
		return;
	if (sec == DNS_SEC_ANSWER) {
		answer_rr(c, zone, DNS_T_SOA, c->d->ttl, rd, (size_t)n, SRC_CONFIG);
		return;
	}
	c->out->answer.rrs[DNS_SEC_AUTHORITY] = &c->out->rrs[c->out->answer.n[DNS_SEC_ANSWER]];
	push_rr(c->out, DNS_SEC_AUTHORITY, zone, DNS_T_SOA, c->d->ttl, rd, (size_t)n);
}

static bool class_ok(uint16_t qclass)
{
	return qclass == DNS_C_IN || qclass == DNS_C_ANY;
}

/* A refusal replaces whatever was found for the name. */
static void why_refused(struct qctx *c, const struct dns_query *q)
{
	why_reset(c);
	if (!class_ok(q->qclass)) {
		/* RFC 1035 section 3.2.4's classes, and RFC 2136's NONE. */
		if (q->qclass == 3)
			why_put(c, "class CH refused: local names exist in class IN only");
		else if (q->qclass == 4)
			why_put(c, "class HS refused: local names exist in class IN only");
		else
			why_put(c, "class %u refused: local names exist in class IN only",
				q->qclass);
		return;
	}
	why_put(c, "zone transfer (%s) refused: none is offered",
		q->qtype == DNS_T_AXFR ? "AXFR" : "IXFR");
}

enum dns_local_verdict dns_local_answer(const struct dns_local *d,
					const struct dns_local_env *env,
					const struct dns_query *q,
					struct dns_local_result *out)
{
	char key[DNS_NAME_STR];
	struct qctx c = { .d = d, .env = env, .out = out };
	struct why w;
	enum outcome o;

	if (!out)
		return DNS_LOCAL_FORWARD;
	result_init(out);
	out->detail[0] = '\0';
	if (env && env->explain) {
		w = (struct why){ .now = env->now ? env->now : now_wall() };
		c.why = &w;
	}
	if (!d || !q || dns_name_labels(q->qname) < 1) {
		/* the root, or not a name: not ours */
		if (c.why)
			why_put(&c, "not a local name: forwarded");
		return DNS_LOCAL_FORWARD;
	}
	key_of(q->qname, key);
	c.qtype = q->qtype;
	o = resolve(&c, key, q->qname, 0);
	if (o == OUT_NOT_LOCAL) {
		/* The detail stays: unknown_name said why. */
		result_init(out);
		return DNS_LOCAL_FORWARD;
	}
	/* Local names exist in class IN only; zone transfers are not offered. */
	if (!class_ok(q->qclass) || q->qtype == DNS_T_AXFR ||
	    q->qtype == QTYPE_IXFR) {
		result_init(out);
		out->answer.rcode = DNS_R_REFUSED;
		str_copy(out->source, SRC_CONFIG, sizeof(out->source));
		if (c.why)
			why_refused(&c, q);
		return DNS_LOCAL_ANSWER;
	}
	out->answer.authoritative = true;
	out->answer.rcode = o == OUT_NXDOMAIN ? DNS_R_NXDOMAIN : DNS_R_NOERROR;
	if (o == OUT_NODATA || o == OUT_NXDOMAIN)
		add_soa(&c, DNS_SEC_AUTHORITY);
	if (!out->source[0])
		str_copy(out->source, c.hint ? c.hint : SRC_CONFIG, sizeof(out->source));
	return DNS_LOCAL_ANSWER;
}

void dns_local_lease_names(const struct dns_local *d, const struct lease *l,
			   void (*fn)(void *ctx, const char *name), void *ctx)
{
	char name[DNS_NAME_STR];

	if (!l || !fn)
		return;
	if (l->hostname[0]) {
		fn(ctx, l->hostname);
		if (d && d->domain) {
			lease_fqdn(d, l, name, sizeof(name));
			fn(ctx, name);
		}
	}
	if (dns_reverse_name(AF_INET, &l->addr, name, sizeof(name)) > 0)
		fn(ctx, name);
}
