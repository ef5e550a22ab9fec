/*
 * dns_local — answering a query from what leased knows itself (the rules
 * are in include/dns/dns_local.h): the static data dns_local_load.c
 * built, and the lease table and netlink read at query time (looked up
 * through dns_local_lookup.c).  This file makes the decisions; the words
 * of `leasectl explain` are dns_explain.c's, called here (only when
 * c->why is set) at the point of each decision.
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
 */
#include "dns_local_internal.h"
#include "dns/dns_zone.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

/* The source of answers from leases (dns_local_result.source). */
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

/* ---- the result ---- */

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

/* ---- dynamic data ---- */

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

/* ---- one name ---- */

/*
 * --interface-name: the interface's current addresses; none while it is
 * missing or down (the name still exists: NODATA).  A records from its
 * IPv4 addresses, AAAA from its IPv6 ones (not link-local).
 */
static size_t iface_records(struct qctx *c, const struct rec *r, const char *owner)
{
	const struct nl_iface *ifc = iface_up(c, r->extra);
	size_t n = 0;

	for (size_t j = 0; ifc && r->type == DNS_T_A && j < ifc->naddrs; j++, n++)
		if (answer_rr(c, owner, DNS_T_A, r->ttl, &ifc->addrs[j], 4, SRC_CONFIG) && c->why)
			why_rec(c, r);
	/* IPv6: the addresses a host can reach, not link-local ones, not those still in DAD. */
	for (size_t j = 0; ifc && r->type == DNS_T_AAAA && j < ifc->naddrs6; j++) {
		const struct nl_addr6 *a = &ifc->addrs6[j];

		if (!iface_addr6_named(a))
			continue;
		n++;
		if (answer_rr(c, owner, DNS_T_AAAA, r->ttl, &a->addr, 16, SRC_CONFIG) && c->why)
			why_rec(c, r);
	}
	return n;
}

/* What one name holds for the query. */
struct known {
	bool exists;             /* named by data here, even with no records */
	bool any;                /* holds a record of some type */
	size_t matched;          /* records of the query type (added if they fit) */
	const struct rec *cname; /* to follow when nothing matched */
};

/* The serial of every local SOA now: it moves with the lease table. */
static uint32_t zone_serial(const struct qctx *c)
{
	return dns_zone_serial(c->d->serial, c->env ? c->env->leases : NULL);
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

static void static_records(struct qctx *c, const struct found *f, const char *owner,
			   struct known *k)
{
	const struct name_entry *e = f->e;

	for (size_t i = 0; i < e->nrecs; i++) {
		const struct rec *r = &e->recs[i];

		if (lease_hides(r, f)) {
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

/* Every lease of one family carrying a name, as address records. */
struct lease_answer {
	struct qctx *c;
	const char *owner;
	struct known *k;
};

static void answer_lease(void *ctx, const struct lease *l)
{
	struct lease_answer *a = ctx;
	bool ok;

	a->k->matched++;
	if (l->addr.family == AF_INET6)
		ok = answer_rr(a->c, a->owner, DNS_T_AAAA, a->c->d->ttl, &l->addr.v6, 16, SRC_DHCP);
	else
		ok = answer_rr(a->c, a->owner, DNS_T_A, a->c->d->ttl, &l->addr.v4, 4, SRC_DHCP);
	if (ok && a->c->why)
		why_lease(a->c, l);
}

/*
 * ra-names: the global addresses the IPv4 lease's MAC uses on the link,
 * from the kernel's neighbour table (so privacy and stable-privacy
 * addresses count too, and a failed entry no longer does), as AAAA.
 */
static void slaac_records(struct qctx *c, const struct lease *v4, const char *owner,
			  struct known *k)
{
	const struct nl_neigh6 *nb;
	size_t n;

	if (!c->d->nranames || !v4 || v4->hwlen != MAC_LEN || !c->env || !c->env->nl)
		return;
	nb = netlink_neighbours6(c->env->nl, &n);
	for (size_t i = 0; i < n; i++) {
		if (memcmp(nb[i].mac, v4->hwaddr, MAC_LEN) != 0 ||
		    !ra_named(c->d, netlink_iface_by_index(c->env->nl, nb[i].ifindex), &nb[i].addr))
			continue;
		k->matched++;
		if (answer_rr(c, owner, DNS_T_AAAA, c->d->ttl, &nb[i].addr, 16, SRC_DHCP) && c->why)
			why_slaac(c, v4);
	}
}

static void lease_records(struct qctx *c, const struct found *f, const char *owner,
			  struct known *k)
{
	struct lease_answer a = { .c = c, .owner = owner, .k = k };

	/* The usual one lease per family is at hand; only more need a walk. */
	if (f->held.n4 == 1 && wants(c, DNS_T_A))
		answer_lease(&a, f->held.v4);
	else if (f->held.n4 > 1 && wants(c, DNS_T_A))
		lease_each_by_name(c->env->leases, f->label, AF_INET, answer_lease, &a);
	if (f->held.v4 && wants(c, DNS_T_AAAA))
		slaac_records(c, f->held.v4, owner, k);
	if (f->held.n6 == 1 && wants(c, DNS_T_AAAA))
		answer_lease(&a, f->held.v6);
	else if (f->held.n6 > 1 && wants(c, DNS_T_AAAA))
		lease_each_by_name(c->env->leases, f->label, AF_INET6, answer_lease, &a);
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
	k->exists = f.e || found_lease(&f) || f.rl || f.ifr || apex;
	k->any = (f.e && f.e->nrecs) || found_lease(&f) || f.rl || f.ifr || apex;
	if (apex)
		apex_records(c, apex, owner, k);
	if (found_lease(&f) || f.rl)
		c->hint = SRC_DHCP;
	else if (f.e && f.e->nrecs && !c->hint)
		c->hint = f.e->recs[0].source;
	lease_records(c, &f, owner, k);
	if (f.rl && wants(c, DNS_T_PTR)) {
		k->matched++;
		lease_fqdn(c->d, f.rl, target, sizeof(target));
		if (answer_ptr(c, owner, target, SRC_DHCP) && c->why)
			why_lease(c, f.rl);
	}
	if (f.ifr && wants(c, DNS_T_PTR)) {
		k->matched++;
		if (answer_ptr(c, owner, f.ifr->name, SRC_CONFIG) && c->why)
			why_iface_rev(c, f.ifr);
	}
	if (f.e)
		static_records(c, &f, owner, k);
}

/* The SOA of a negative answer is the zone's; outside one, the name's own. */
static void set_soa_owner(struct qctx *c, const struct zone *z, const char *owner)
{
	c->soa_owner = z && z->key[0] && zone_kind(z) != ZONE_FORWARD ? z->key : owner;
}

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
		if (c->why)
			why_cname_cut(c, CNAME_DEPTH + 1);
		return OUT_ANSWER;
	}
	if (c->why)
		why_then(c, r->extra);
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
	if (env && env->explain)
		why_start(&c, &w);
	if (!d || !q || dns_name_labels(q->qname) < 1) {
		/* the root, or not a name: not ours */
		if (c.why)
			why_not_a_name(&c);
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
	if (l->addr.family == AF_INET6 ? dns_reverse_name(AF_INET6, &l->addr.v6, name, sizeof(name)) > 0
				       : dns_reverse_name(AF_INET, &l->addr.v4, name, sizeof(name)) > 0)
		fn(ctx, name);
}
