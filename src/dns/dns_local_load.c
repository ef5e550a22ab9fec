/*
 * dns_local_load — building the static data of local DNS and freeing it:
 * the records of the configuration (--host-record, --cname, --srv-host,
 * --txt-record, --mx-host, --ptr-record, --interface-name, --dhcp-host
 * names), of /etc/hosts and the --addn-hosts files, the zones (-s, -S,
 * --local, --address, --bogus-priv, the served subnets' reverse zones,
 * localhost) and the empty non-terminals, as dns_local_internal.h
 * describes them.  Built whole by dns_local_load and never changed after,
 * so a reload builds a new one.
 *
 * The look-ups at the top (the hash index, find_name, find_zone) are
 * shared with answering (dns_local.c) and explaining (dns_explain.c);
 * everything else here runs at load time only.
 */
#include "dns_local_internal.h"
#include "dns/dns_zone.h"
#include "conf/hostsfile.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ETC_HOSTS "/etc/hosts"

/* dnsmasq's defaults for --srv-host and --mx-host parts not given. */
#define SRV_DEFAULT_PORT 1
#define MX_DEFAULT_PREF 1

/* ---- string-keyed hash index ---- */

static uint64_t str_hash(const char *key)
{
	return hash_bytes(key, strlen(key), 0);
}

size_t six_find(const struct strindex *ix, const char *key)
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

/* ---- looking up ---- */

const char *next_label(const char *s)
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

const struct name_entry *find_name(const struct dns_local *d, const char *key)
{
	size_t i = six_find(&d->by_name, key);

	return i == SIZE_MAX ? NULL : &d->names[i];
}

const struct zone *find_zone(const struct dns_local *d, const char *key)
{
	size_t i = six_find(&d->by_zone, key);

	return i == SIZE_MAX ? NULL : &d->zones[i];
}

/* ---- loading: records ---- */

/* What a loader hands add_rec(): the same, borrowed. */
struct rec_in {
	uint16_t type;
	bool iface;
	uint32_t ttl;
	const uint8_t *rdata;
	size_t rdlen;
	const char *extra;
};

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
	bool both = true;

	if (o->nfields < 2)
		return;
	n = str_copy(ifname, o->fields[1], sizeof(ifname));
	if (n >= sizeof(ifname))
		return;
	if (n > 2 && (str_has_suffix(ifname, "/4") || str_has_suffix(ifname, "/6"))) {
		/* "/4", "/6": one family's addresses only. */
		if (ifname[n - 1] == '6')
			in.type = DNS_T_AAAA;
		ifname[n - 2] = '\0';
		both = false;
	}
	add_rec(d, o->fields[0], &in);
	if (both) {
		/* Both families: an AAAA record beside the A one. */
		struct rec_in v6 = in;

		v6.type = DNS_T_AAAA;
		add_rec(d, o->fields[0], &v6);
	}
	{
		struct iface_rev *r = array_push(&d->ifrevs, &d->nifrevs, sizeof(*r));

		r->ifname = xstrdup(ifname);
		r->name = xstrdup(o->fields[0]);
		r->v4 = in.type == DNS_T_A;
		r->v6 = both || in.type == DNS_T_AAAA;
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

/* A reservation's address under its name (and name.DOMAIN), and the reverse to ptr. */
static void add_host_addr(struct dns_local *d, const char *name, const char *ptr, int family,
			  const void *addr)
{
	add_addr(d, name, family, addr, d->ttl);
	if (ptr != name)
		add_addr(d, ptr, family, addr, d->ttl);
	add_reverse(d, family, addr, ptr, d->ttl);
}

static void load_dhcp_host(void *ctx, const struct dhcp_host *h)
{
	struct host_walk *w = ctx;
	/* hostdb_load copies the --dhcp-host options first, then the hostsfiles' lines. */
	bool from_config = w->seen++ < w->nconfig;
	char fqdn[DNS_NAME_STR];
	const char *ptr = h->name;

	static const uint8_t zero[8];
	/* An IPv6 reservation of the host part only ("[::5]") has no address of its own. */
	bool v6 = h->has_ip6 && memcmp(h->ip6.s6_addr, zero, sizeof(zero)) != 0;

	bool v4 = h->has_ip;

	if (!h->name || h->ignore)
		return;
	/* Per family, the first reservation of the name with such an address (the hostdb's). */
	if (w->db) {
		v4 = v4 && hostdb_by_name_for(w->db, AF_INET, h->name) == h;
		v6 = v6 && hostdb_by_name_for(w->db, AF_INET6, h->name) == h;
	}
	if (!v4 && !v6)
		return;
	set_option(w->d, from_config ? "dhcp-host" : "dhcp-hostsfile", &h->origin);
	if (qualify(w->d, h->name, fqdn, sizeof(fqdn)))
		ptr = fqdn;
	if (v4)
		add_host_addr(w->d, h->name, ptr, AF_INET, &h->ip);
	if (v6)
		add_host_addr(w->d, h->name, ptr, AF_INET6, &h->ip6);
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

/* --dhcp-range=...,ra-names: where SLAAC addresses get their client's name. */
static void load_ra_names(struct dns_local *d, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nranges; i++) {
		const struct dhcp_range *r = &cfg->ranges[i];
		struct ra_name *x;

		if (r->family != AF_INET6 || !(r->mode6 & RANGE6_RA_NAMES))
			continue;
		x = array_push(&d->ranames, &d->nranames, sizeof(*x));
		x->ifname = r->constructor_if ? xstrdup(r->constructor_if) : NULL;
		x->prefix = r->start6;
		x->len = (uint8_t)r->prefixlen6;
	}
}

/* ---- load / free ---- */

struct dns_local *dns_local_load_opts(const struct config *cfg, const struct hostdb *hosts,
				      const struct dns_local_options *opts,
				      struct error *err)
{
	struct dns_local *d;

	if (err) {
		err->msg[0] = '\0';
		err->status = 0;
	}
	if (!cfg) {
		if (err)
			error_set(err, EXIT_CONFIG, "no configuration for DNS");
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
	load_ra_names(d, cfg);
	load_single_label_rule(d, cfg);
	load_ents(d);
	d->warn = NULL;
	d->warn_ctx = NULL;
	d->src = NULL;
	return d;
}

struct dns_local *dns_local_load(const struct config *cfg, const struct hostdb *hosts,
				 struct error *err)
{
	return dns_local_load_opts(cfg, hosts, NULL, err);
}

void dns_local_free(struct dns_local *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nranames; i++)
		free(d->ranames[i].ifname);
	free(d->ranames);
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
