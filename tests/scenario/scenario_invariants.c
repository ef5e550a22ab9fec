/*
 * scenario_invariants — DESIGN.md's invariants 2 and 3, checked after
 * every step, whatever the scenario asks:
 *
 * 2. After a lease is granted, renewed, released, expired or moved, no
 *    answer (local or cached) gives an address the table held for a name
 *    and no longer holds (nor a PTR from that address back to the name);
 *    while the table holds a name, no other address is answered or cached
 *    for it; and no cached negative survives for a name the table holds.
 *    Both families, each on its own: A and in-addr.arpa PTRs against the
 *    name's IPv4 lease, AAAA and ip6.arpa PTRs against its IPv6 leases (a
 *    lease hides only its own family's static records, and one client may
 *    carry a name on an IPv4 lease and several IPv6 ones at once).
 * 3. A name the table holds is never NXDOMAIN (nor forwarded): A, AAAA,
 *    MX and TXT are asked for each of its forms, H and H.DOMAIN.
 *
 * "Held before" is the harness's own history of every (name, address)
 * the table has held; static data (dhcp-host names, hosts, records) may
 * answer a name on its own and is asked with an empty lease table.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario.h"
#include "core/util.h"

/* H, and H.DOMAIN under -s DOMAIN. */
static size_t name_forms(const struct scn *s, const char *h, char forms[2][DNS_NAME_STR])
{
	str_copy(forms[0], h, DNS_NAME_STR);
	if (!s->cfg.domain || !*s->cfg.domain)
		return 1;
	snprintf(forms[1], DNS_NAME_STR, "%s.%s", h, s->cfg.domain);
	return 2;
}

static bool is_form_of(const struct scn *s, const char *name, const char *h)
{
	char forms[2][DNS_NAME_STR];
	size_t n = name_forms(s, h, forms);

	for (size_t i = 0; i < n; i++)
		if (dns_name_equal(name, forms[i]))
			return true;
	return false;
}

static bool held_before(const struct scn *s, const char *h, const struct lease_addr *a)
{
	for (size_t i = 0; i < s->nseen; i++)
		if (lease_addr_equal(&s->seen[i].addr, a) && strcasecmp(s->seen[i].name, h) == 0)
			return true;
	return false;
}

/* The first history entry with this name: each name is checked once. */
static bool first_with_name(const struct scn *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcasecmp(s->seen[j].name, s->seen[i].name) == 0)
			return false;
	return true;
}

/* Static data alone answers (name, type) with this record. */
static bool static_has(struct scn *s, const char *name, uint16_t type, const char *data)
{
	struct scn_snap *sn = &s->check_static;

	scn_answer(s, s->empty, name, type, true, sn);
	for (size_t i = 0; i < sn->nrr; i++)
		if (sn->rr[i].sec == DNS_SEC_ANSWER && sn->rr[i].type == type &&
		    dns_name_equal(sn->rr[i].data, data))
			return true;
	return false;
}

/* The leases of one family carrying a name: whether one of them is at addr. */
struct holders_at {
	const struct lease_addr *addr;
	bool found;
};

static void note_holder(void *ctx, const struct lease *l)
{
	struct holders_at *w = ctx;

	w->found |= lease_addr_equal(&l->addr, w->addr);
}

/*
 * An address record "name → a" (A or AAAA, by a's family) where name is
 * a form of h: wrong now?  Per family, as DNS answers: while leases of
 * a's family carry h (one v4 lease, or several v6 ones: one per IA), only
 * their addresses are right, for they hide the static records of that
 * family; while none does, static data may answer, and an address the
 * table held for h before may not.
 */
static bool addr_bad(struct scn *s, const char *h, const char *name, const struct lease_addr *a)
{
	struct holders_at w = { .addr = a };
	char text[LEASE_ADDR_STRLEN];

	if (lease_each_by_name(s->leases, h, a->family, note_holder, &w))
		return !w.found;
	lease_addr_str(a, text, sizeof(text));
	return !static_has(s, name, scn_addr_type(a), text) && held_before(s, h, a);
}

/* A PTR record "a → target" where target is a form of h: wrong now? */
static bool ptr_bad(struct scn *s, const char *h, const char *target, const struct lease_addr *a)
{
	const struct lease *l = lease_by_addr(s->leases, *a);
	char rev[DNS_NAME_STR];

	if (l && strcasecmp(l->hostname, h) == 0)
		return false;
	if (scn_reverse_name(a, rev, sizeof(rev)) == 0 && static_has(s, rev, DNS_T_PTR, target))
		return false;
	return held_before(s, h, a);
}

/* ---- invariant 3 ---- */

static void check_never_nxdomain(struct scn *s, const struct lease *l)
{
	static const uint16_t types[] = { DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_TXT };
	char forms[2][DNS_NAME_STR], tname[16], addr[LEASE_ADDR_STRLEN];
	size_t n = name_forms(s, l->hostname, forms);

	lease_addr_str(&l->addr, addr, sizeof(addr));
	for (size_t f = 0; f < n; f++)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			scn_answer(s, s->leases, forms[f], types[i], true, &s->check);
			dns_type_name(types[i], tname, sizeof(tname));
			if (!s->check.answered)
				scn_fail(s, "invariant 3: %s %s would be forwarded, though the "
					    "table holds %s (%s)", forms[f], tname, l->hostname,
					 addr);
			else if (s->check.rcode == DNS_R_NXDOMAIN)
				scn_fail(s, "invariant 3: %s %s is NXDOMAIN%s, though the table "
					    "holds %s (%s)", forms[f], tname,
					 s->check.from_cache ? " (cached)" : "", l->hostname, addr);
		}
}

/* ---- invariant 2: answers ---- */

/* The A or AAAA answers for every form of h. */
static void check_addr_answers(struct scn *s, const char *h, uint16_t type)
{
	char forms[2][DNS_NAME_STR], tname[16];
	size_t n = name_forms(s, h, forms);

	dns_type_name(type, tname, sizeof(tname));
	for (size_t f = 0; f < n; f++) {
		scn_answer(s, s->leases, forms[f], type, true, &s->check);
		for (size_t i = 0; i < s->check.nrr; i++) {
			const struct scn_rr *r = &s->check.rr[i];
			struct lease_addr a;

			if (r->sec != DNS_SEC_ANSWER || r->type != type ||
			    !dns_name_equal(r->owner, forms[f]) || !lease_addr_parse(r->data, &a) ||
			    !addr_bad(s, h, forms[f], &a))
				continue;
			scn_fail(s, "invariant 2: %s %s answers %s (%s), which the table does not "
				    "hold for %s", forms[f], tname, r->data,
				 s->check.from_cache ? "cached" : "local", h);
		}
	}
}

static void check_ptr_answers(struct scn *s, const struct scn_seen *p)
{
	char rev[DNS_NAME_STR], addr[LEASE_ADDR_STRLEN];

	if (scn_reverse_name(&p->addr, rev, sizeof(rev)) < 0)
		return;
	scn_answer(s, s->leases, rev, DNS_T_PTR, true, &s->check);
	for (size_t i = 0; i < s->check.nrr; i++) {
		const struct scn_rr *r = &s->check.rr[i];

		if (r->sec == DNS_SEC_ANSWER && r->type == DNS_T_PTR &&
		    is_form_of(s, r->data, p->name) && ptr_bad(s, p->name, r->data, &p->addr))
			scn_fail(s, "invariant 2: PTR %s answers %s (%s), but the table does not "
				    "hold %s at %s", rev, r->data,
				 s->check.from_cache ? "cached" : "local", p->name,
				 lease_addr_str(&p->addr, addr, sizeof(addr)));
	}
}

/* ---- invariant 2: what the cache holds ---- */

struct cache_walk {
	struct scn *s;
	const struct lease *held;
	size_t nheld;
};

static void check_cached_negative(struct cache_walk *w, const struct dns_cache_entry_info *e)
{
	char tname[16], addr[LEASE_ADDR_STRLEN];

	for (size_t i = 0; i < w->nheld; i++)
		if (w->held[i].hostname[0] && is_form_of(w->s, e->qname, w->held[i].hostname))
			scn_fail(w->s, "invariant 2: a cached %s for %s %s survives, though the "
				       "table holds %s (%s)", scn_rcode_name(e->rcode), e->qname,
				 dns_type_name(e->qtype, tname, sizeof(tname)),
				 w->held[i].hostname,
				 lease_addr_str(&w->held[i].addr, addr, sizeof(addr)));
}

/* The address a cached record is about: an A's or AAAA's data, a PTR's owner. */
static bool record_addr(const struct dns_rr *rr, struct lease_addr *a)
{
	struct in6_addr raw;
	struct in_addr raw4;
	int family;

	if (rr->type == DNS_T_A && rr->rdlen == 4) {
		memcpy(&raw4, rr->rdata, 4);
		*a = lease_addr4(raw4);
		return true;
	}
	if (rr->type == DNS_T_AAAA && rr->rdlen == 16) {
		memcpy(&raw, rr->rdata, 16);
		*a = lease_addr6(&raw);
		return true;
	}
	if (rr->type != DNS_T_PTR || dns_reverse_addr(rr->owner, &family, &raw) < 0)
		return false;
	memcpy(&raw4, &raw, 4); /* an in-addr.arpa name's address: the first 4 bytes */
	*a = family == AF_INET6 ? lease_addr6(&raw) : lease_addr4(raw4);
	return true;
}

static void check_cached_rr(struct scn *s, const struct dns_cache_entry_info *e,
			    const struct dns_rr *rr)
{
	char text[SCN_RDATA_TEXT], tname[16];
	struct lease_addr a;
	bool ptr = rr->type == DNS_T_PTR;

	if (!record_addr(rr, &a))
		return;
	dns_rdata_format(rr, text, sizeof(text));
	for (size_t i = 0; i < s->nseen; i++) {
		const char *h = s->seen[i].name;

		if (!first_with_name(s, i))
			continue;
		if (ptr ? is_form_of(s, text, h) && ptr_bad(s, h, text, &a) :
			  is_form_of(s, rr->owner, h) && addr_bad(s, h, rr->owner, &a))
			scn_fail(s, "invariant 2: the cache (entry %s) holds %s %s %s, which the "
				    "table does not hold for %s", e->qname, rr->owner,
				 dns_type_name(rr->type, tname, sizeof(tname)), text, h);
	}
}

static void check_cache_entry(void *ctx, const struct dns_cache_entry_info *e)
{
	struct cache_walk *w = ctx;

	if (e->negative)
		check_cached_negative(w, e);
	for (int sec = 0; sec < 3; sec++)
		for (size_t i = 0; i < e->answer.n[sec]; i++)
			check_cached_rr(w->s, e, &e->answer.rrs[sec][i]);
}

/* ---- after every step ---- */

struct lease_list {
	struct lease *v;
	size_t n, cap;
};

static void collect(void *ctx, const struct lease *l)
{
	struct lease_list *ls = ctx;

	if (ls->n < ls->cap)
		ls->v[ls->n++] = *l;
}

void scn_check_invariants(struct scn *s)
{
	struct lease_list ls = { .cap = lease_count(s->leases) };
	struct cache_walk w = { .s = s };

	if (!s->ready)
		return;
	ls.v = xcalloc(ls.cap ? ls.cap : 1, sizeof(*ls.v));
	lease_foreach(s->leases, collect, &ls);
	for (size_t i = 0; i < ls.n; i++)
		if (ls.v[i].hostname[0])
			check_never_nxdomain(s, &ls.v[i]);
	for (size_t i = 0; i < s->nseen; i++) {
		if (first_with_name(s, i)) {
			check_addr_answers(s, s->seen[i].name, DNS_T_A);
			check_addr_answers(s, s->seen[i].name, DNS_T_AAAA);
		}
		check_ptr_answers(s, &s->seen[i]);
	}
	w.held = ls.v;
	w.nheld = ls.n;
	dns_cache_foreach(s->cache, (uint64_t)s->now, check_cache_entry, &w);
	free(ls.v);
}
