/*
 * dns_explain — the wording of `leasectl explain` for what leased answers
 * itself.  dns_local.c decides and, at each decision, calls a why_*
 * function here (declared in dns_local_internal.h); the text is all here.
 *
 * Every record remembers where it came from (a hosts file's line, or
 * "--OPTION at FILE:LINE"), and every zone the option that made it local,
 * forwarded or an address; with env->explain the answer's detail names
 * them and the reason for a negative.  That work hangs off one pointer
 * (qctx.why) that is NULL on the plain query path: every caller checks
 * c->why first, so an ordinary query formats nothing and looks nothing
 * up.
 *
 * The detail is a list of items joined by "; "; an item after a CNAME
 * starts ", then TARGET: ".  Text that does not fit ends with "...".
 */
#include "dns_local_internal.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- writing the detail ---- */

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

void why_start(struct qctx *c, struct why *w)
{
	*w = (struct why){ .now = c->env->now ? c->env->now : now_wall() };
	c->why = w;
}

void why_then(struct qctx *c, const char *target)
{
	c->why->then = target;
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

/* ---- where a record comes from ---- */

/*
 * An origin: "FILE:LINE", or an option's "--host-record at FILE:LINE".
 * Said once for consecutive records; more lines of one file read
 * "FILE:3,7".  True when it began an item (a suffix may follow).
 */
bool why_origin(struct qctx *c, const char *src, uint32_t line)
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

void why_rec(struct qctx *c, const struct rec *r)
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
void why_lease(struct qctx *c, const struct lease *l)
{
	char hw[LEASE_HWADDR_MAX * 3], ip[LEASE_ADDR_STRLEN];

	if (!c->why->then && c->why->last == l)
		return;
	why_item(c);
	c->why->last = l;
	c->why->last_line = 0;
	if (l->hwlen)
		why_put(c, "lease of %s", hex_format(l->hwaddr, l->hwlen, hw, sizeof(hw)));
	else
		why_put(c, "lease of %s", lease_addr_str(&l->addr, ip, sizeof(ip)));
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

/* An ra-names AAAA: the address the IPv4 lease's MAC uses, from the neighbour table. */
void why_slaac(struct qctx *c, const struct lease *v4)
{
	char hw[LEASE_HWADDR_MAX * 3];

	if (!c->why->then && c->why->last == (const void *)&v4->hwaddr)
		return;
	why_item(c);
	c->why->last = &v4->hwaddr;
	c->why->last_line = 0;
	why_put(c, "SLAAC address of %s (the neighbour table, ra-names; its IPv4 lease names it)",
		hex_format(v4->hwaddr, v4->hwlen, hw, sizeof(hw)));
}

/* A static record a lease stands in front of. */
void why_hidden(struct qctx *c, const struct rec *r)
{
	why_item(c);
	why_open(c, "the lease hides ");
	why_rec(c, r);
}

/* An --interface-name that answers a PTR: "--interface-name at F:L (interface br0)". */
void why_iface_rev(struct qctx *c, const struct iface_rev *ifr)
{
	if (why_origin(c, ifr->origin, 0))
		why_put(c, " (interface %s)", ifr->ifname);
}

/* The end of a CNAME chain too long (or a loop) to follow further. */
void why_cname_cut(struct qctx *c, int cnames)
{
	why_item(c);
	why_put(c, "chain cut after %d CNAMEs", cnames);
}

/* ---- zones ---- */

static const char *zone_noun(const struct zone *z)
{
	return z->reverse ? "reverse zone" : "local domain";
}

/* "SOA of local domain lxc (-s lxc), made up here" */
void why_apex(struct qctx *c, const struct zone *z, const char *type)
{
	why_item(c);
	why_put(c, "%s of %s %s (%s), made up here", type, zone_noun(z), z->key, z->local_why);
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

/* ---- negatives, refusals and forwards ---- */

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

/*
 * Explain a NODATA for a name that has data: the types it has and where
 * they come from ("c1.lxc has A records only (lease of ...)"), or the
 * --interface-name whose interface has no address now.
 */
void why_nodata(struct qctx *c, const char *key, const char *owner)
{
	const struct zone *apex = auth_apex(c->d, key);
	uint16_t types[16] = { 0 };
	size_t nt = 0;
	struct found f;

	name_lookup(c, key, &f);
	for (size_t i = 0; f.e && i < f.e->nrecs; i++) {
		const struct rec *r = &f.e->recs[i];

		if (r->iface && wants(c, r->type) && !lease_hides(r, &f)) {
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
	if (f.held.v4)
		nt = add_type(types, nt, ARRAY_SIZE(types), DNS_T_A);
	if (f.held.v6)
		nt = add_type(types, nt, ARRAY_SIZE(types), DNS_T_AAAA);
	if (f.rl || f.ifr)
		nt = add_type(types, nt, ARRAY_SIZE(types), DNS_T_PTR);
	for (size_t i = 0; f.e && i < f.e->nrecs; i++) {
		const struct rec *r = &f.e->recs[i];

		if (lease_hides(r, &f))
			continue;
		nt = add_type(types, nt, ARRAY_SIZE(types), r->type);
	}
	why_item(c);
	why_put(c, "%s has ", owner);
	why_types(c, types, nt);
	why_open(c, " records only (");
	if (apex)
		why_origin(c, apex->local_why, 0);
	if (f.held.v4)
		why_lease(c, f.held.v4);
	if (f.held.v6)
		why_lease(c, f.held.v6);
	if (f.rl)
		why_lease(c, f.rl);
	if (f.ifr)
		why_iface_rev(c, f.ifr);
	for (size_t i = 0; f.e && i < f.e->nrecs; i++) {
		const struct rec *r = &f.e->recs[i];

		if (lease_hides(r, &f))
			continue;
		why_rec(c, r);
	}
	why_put(c, ")");
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
void why_unknown(struct qctx *c, const char *key, const char *owner,
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
void why_bare(struct qctx *c, const char *key, const char *owner)
{
	const struct name_entry *e = find_name(c->d, key);

	why_item(c);
	if (e && e->origin)
		why_put(c, "no record for %s: %s names it without a target, so NXDOMAIN "
			"(as dnsmasq)", owner, e->origin);
	else
		why_put(c, "no record for %s: named here without data", owner);
}

/* A refusal replaces whatever was found for the name. */
void why_refused(struct qctx *c, const struct dns_query *q)
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

/* The root, or not a name. */
void why_not_a_name(struct qctx *c)
{
	why_put(c, "not a local name: forwarded");
}
