/*
 * test_lease_dualstack — the lease table with IPv4 and IPv6 leases side by
 * side: keys of both families, IPv6 identity (DUID + IAID + kind of IA),
 * and names, where one client may carry one name on its IPv4 lease and
 * its IPv6 leases at once while "the latest grant wins" still decides
 * between different clients.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lease/lease.h"
#include "lease/pool.h"
#include "core/util.h"

static struct lease_addr a4(const char *s)
{
	struct lease_addr a;

	assert_true(lease_addr_parse(s, &a));
	assert_int_equal(a.family, AF_INET);
	return a;
}

static struct lease_addr a6(const char *s)
{
	struct lease_addr a;

	assert_true(lease_addr_parse(s, &a));
	assert_int_equal(a.family, AF_INET6);
	return a;
}

static const uint8_t mac1[6] = { 0x00, 0x16, 0x3e, 0, 0, 1 };
static const uint8_t mac2[6] = { 0x00, 0x16, 0x3e, 0, 0, 2 };

/* A lease at addr with an Ethernet MAC (when given) and a name; no identity yet. */
static struct lease base(const char *addr, const uint8_t *mac, const char *name)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	assert_true(lease_addr_parse(addr, &l.addr));
	if (mac) {
		l.htype = 1;
		l.hwlen = 6;
		memcpy(l.hwaddr, mac, 6);
	}
	if (name)
		str_copy(l.hostname, name, sizeof(l.hostname));
	l.expires = 1000;
	return l;
}

/* An IPv4 lease for a MAC (no client-id). */
static struct lease v4(const char *addr, const uint8_t *mac, const char *name)
{
	struct lease l = base(addr, mac, name);

	assert_int_equal(l.addr.family, AF_INET);
	return l;
}

/* A DUID-EN (type 2: no link-layer address in it) numbered n. */
static void duid_en(uint8_t n, uint8_t *out, uint8_t *len)
{
	static const uint8_t en[] = { 0, 2, 0, 0, 0x7f, 0x3a, 0xde, 0xad, 0xbe, 0xef, 0 };

	memcpy(out, en, sizeof(en));
	out[sizeof(en) - 1] = n;
	*len = sizeof(en);
}

/* An IPv6 lease of IA_NA iaid for DUID-EN n; mac: the client's MAC when known. */
static struct lease v6(const char *addr, uint8_t duid, uint32_t iaid, const uint8_t *mac,
		       const char *name)
{
	struct lease l = base(addr, mac, name);

	assert_int_equal(l.addr.family, AF_INET6);
	duid_en(duid, l.client_id, &l.client_id_len);
	l.iaid = iaid;
	l.ia = LEASE_IA_NA;
	return l;
}

struct names {
	size_t n4, n6;
};

static void count_family(void *ctx, const struct lease *l)
{
	struct names *c = ctx;

	if (l->addr.family == AF_INET)
		c->n4++;
	else
		c->n6++;
}

/* name is carried by n4 IPv4 leases and n6 IPv6 leases (both ways of asking agree). */
static void assert_names(const struct lease_table *t, const char *name, size_t n4, size_t n6)
{
	struct names c = { 0 };
	size_t n = lease_each_by_name(t, name, AF_UNSPEC, count_family, &c);
	struct lease_holders h;

	assert_int_equal(n, c.n4 + c.n6);
	assert_int_equal(c.n4, n4);
	assert_int_equal(c.n6, n6);
	lease_name_holders(t, name, &h);
	assert_int_equal(h.n4, n4);
	assert_int_equal(h.n6, n6);
	assert_ptr_equal(h.v4, lease_by_name(t, name, AF_INET));
	assert_ptr_equal(h.v6, lease_by_name(t, name, AF_INET6));
}

static void commit_all(struct lease_table *t, const struct lease *ls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(lease_commit(t, &ls[i], LEASE_EV_GRANTED), 0);
}

static void test_addresses(void **state)
{
	struct lease_addr x, y;
	char buf[LEASE_ADDR_STRLEN];

	(void)state;
	x = a6("FD42::0A");
	assert_string_equal(lease_addr_str(&x, buf, sizeof(buf)), "fd42::a");
	y = a4("10.0.3.7");
	assert_string_equal(lease_addr_str(&y, buf, sizeof(buf)), "10.0.3.7");
	assert_false(lease_addr_equal(&x, &y));
	assert_false(lease_addr_parse("10.0.3", &x));
	assert_false(lease_addr_parse("fd42::g", &x));
	x = a6("::");
	assert_false(lease_addr_usable(&x));
	x = a4("0.0.0.0");
	assert_false(lease_addr_usable(&x));
	/* An IPv4 address and the IPv6 address with the same leading bytes are different keys. */
	x = a4("10.0.3.7");
	y = a6("a00:307::");
	assert_false(lease_addr_equal(&x, &y));
}

static void test_both_families_in_one_table(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease l4 = v4("10.0.3.7", mac1, NULL), l6 = v6("fd42::7", 1, 1, NULL, NULL);

	(void)state;
	assert_int_equal(lease_commit(t, &l4, LEASE_EV_GRANTED), 0);
	assert_int_equal(lease_commit(t, &l6, LEASE_EV_GRANTED), 0);
	assert_int_equal(lease_count(t), 2);
	assert_int_equal(lease_by_addr(t, a4("10.0.3.7"))->addr.family, AF_INET);
	assert_int_equal(lease_by_addr(t, a6("fd42::7"))->addr.family, AF_INET6);
	assert_null(lease_by_addr(t, a6("fd42::8")));
	assert_ptr_equal(lease_by_ia(t, l6.client_id, l6.client_id_len, 1, LEASE_IA_NA),
			 lease_by_addr(t, a6("fd42::7")));
	/* The IAID and the kind of IA are part of the identity. */
	assert_null(lease_by_ia(t, l6.client_id, l6.client_id_len, 2, LEASE_IA_NA));
	assert_null(lease_by_ia(t, l6.client_id, l6.client_id_len, 1, LEASE_IA_TA));
	/* A MAC lookup of one family never answers with the other's lease. */
	l6.htype = 1;
	l6.hwlen = 6;
	memcpy(l6.hwaddr, mac2, 6);
	lease_commit(t, &l6, LEASE_EV_RENEWED);
	assert_null(lease_by_hwaddr(t, AF_INET, 1, mac2, 6));
	assert_non_null(lease_by_hwaddr(t, AF_INET6, 1, mac2, 6));
	assert_int_equal(lease_remove(t, a6("fd42::7"), LEASE_EV_RELEASED), 0);
	assert_int_equal(lease_remove(t, a6("fd42::7"), LEASE_EV_RELEASED), -1);
	assert_non_null(lease_by_addr(t, a4("10.0.3.7")));
	lease_table_free(t);
}

static void test_v6_identity_moves(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease a = v6("fd42::10", 1, 1, NULL, NULL), b = v6("fd42::11", 1, 2, NULL, NULL);
	struct lease moved = v6("fd42::12", 1, 1, NULL, NULL), ta = v6("fd42::13", 1, 1, NULL, NULL);

	(void)state;
	lease_commit(t, &a, LEASE_EV_GRANTED);
	lease_commit(t, &b, LEASE_EV_GRANTED);
	assert_int_equal(lease_count(t), 2); /* one lease per IA: two IAs, two leases */
	/* IA 1 gets another address: its old one goes, IA 2's stays. */
	lease_commit(t, &moved, LEASE_EV_GRANTED);
	assert_null(lease_by_addr(t, a6("fd42::10")));
	assert_non_null(lease_by_addr(t, a6("fd42::11")));
	assert_non_null(lease_by_addr(t, a6("fd42::12")));
	/* A temporary address of the same IAID is another IA. */
	ta.ia = LEASE_IA_TA;
	lease_commit(t, &ta, LEASE_EV_GRANTED);
	assert_int_equal(lease_count(t), 3);
	lease_table_free(t);
}

static void test_malformed_family_and_ia(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease l;

	(void)state;
	l = v6("fd42::1", 1, 1, NULL, NULL);
	l.ia = LEASE_IA_NONE;
	assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), -1);
	l = v4("10.0.3.1", mac1, NULL);
	l.ia = LEASE_IA_NA;
	assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), -1);
	l = v6("fd42::1", 1, 1, NULL, NULL);
	memset(&l.addr.v6, 0, sizeof(l.addr.v6));
	assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), -1);
	l.addr.family = AF_UNIX;
	assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), -1);
	assert_int_equal(lease_count(t), 0);
	lease_table_free(t);
}

/* A and AAAA from one name: the client's v6 grants do not take its v4 lease's name. */
static void test_one_client_one_name_both_families(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease ls[] = { v4("10.0.3.7", mac1, "c1"), v6("fd42::7", 1, 1, mac1, "c1"),
			      v6("fd42::8", 1, 2, mac1, "c1") };

	(void)state;
	commit_all(t, ls, ARRAY_SIZE(ls));
	assert_names(t, "C1", 1, 2);
	assert_names(t, "c2", 0, 0);
	assert_ptr_equal(lease_by_name(t, "c1", AF_INET), lease_by_addr(t, a4("10.0.3.7")));
	assert_int_equal(lease_by_name(t, "c1", AF_INET6)->addr.family, AF_INET6);
	assert_string_equal(lease_by_addr(t, a4("10.0.3.7"))->hostname, "c1");
	/* The v4 lease renewing keeps the client's v6 names too. */
	ls[0].expires = 2000;
	lease_commit(t, &ls[0], LEASE_EV_RENEWED);
	assert_names(t, "c1", 1, 2);
	lease_table_free(t);
}

/* Without a MAC on the v6 lease, an RFC 4361 client-id ties the two families. */
static void test_rfc4361_client_id_ties_families(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease l4 = v4("10.0.3.7", mac1, "c1"), l6 = v6("fd42::7", 1, 1, NULL, "c1");

	(void)state;
	l4.client_id[0] = 255;
	put_be32(l4.client_id + 1, 1);
	memcpy(l4.client_id + 5, l6.client_id, l6.client_id_len);
	l4.client_id_len = (uint8_t)(5 + l6.client_id_len);
	lease_commit(t, &l4, LEASE_EV_GRANTED);
	lease_commit(t, &l6, LEASE_EV_GRANTED);
	assert_true(lease_same_client(&l4, &l6));
	assert_string_equal(lease_by_addr(t, a4("10.0.3.7"))->hostname, "c1");
	assert_string_equal(lease_by_addr(t, a6("fd42::7"))->hostname, "c1");
	/* A client-id naming another DUID is another client. */
	l4.client_id[l4.client_id_len - 1] ^= 1;
	assert_false(lease_same_client(&l4, &l6));
	lease_table_free(t);
}

struct renames {
	size_t lost4, lost6;
};

static void watch_renames(void *ctx, const struct lease *old, const struct lease *new,
			  enum lease_event ev)
{
	struct renames *r = ctx;

	if (ev != LEASE_EV_RENEWED || !old || !new || !old->hostname[0] || new->hostname[0])
		return;
	if (new->addr.family == AF_INET)
		r->lost4++;
	else
		r->lost6++;
}

/* A different client's v6 grant takes the name from every lease of the old holder. */
static void test_other_clients_v6_grant_takes_the_name(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease ls[] = { v4("10.0.3.7", mac1, "web"), v6("fd42::7", 1, 1, mac1, "web") };
	struct lease other = v6("fd42::9", 2, 1, mac2, "WEB");
	struct renames r = { 0 };

	(void)state;
	commit_all(t, ls, ARRAY_SIZE(ls));
	lease_table_add_observer(t, watch_renames, &r);
	lease_commit(t, &other, LEASE_EV_GRANTED);
	assert_int_equal(r.lost4, 1);
	assert_int_equal(r.lost6, 1);
	assert_names(t, "web", 0, 1);
	assert_ptr_equal(lease_by_name(t, "web", AF_UNSPEC), lease_by_addr(t, a6("fd42::9")));
	/* The losers keep their addresses. */
	assert_string_equal(lease_by_addr(t, a4("10.0.3.7"))->hostname, "");
	assert_string_equal(lease_by_addr(t, a6("fd42::7"))->hostname, "");
	lease_table_free(t);
}

/* ... and so does a different client's v4 grant. */
static void test_other_clients_v4_grant_takes_the_name(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease ls[] = { v4("10.0.3.7", mac1, "web"), v6("fd42::7", 1, 1, mac1, "web"),
			      v4("10.0.3.9", mac2, "web") };

	(void)state;
	commit_all(t, ls, ARRAY_SIZE(ls));
	assert_names(t, "web", 1, 0);
	assert_ptr_equal(lease_by_name(t, "web", AF_INET), lease_by_addr(t, a4("10.0.3.9")));
	assert_null(lease_by_name(t, "web", AF_INET6));
	lease_table_free(t);
}

/* A v6 lease whose MAC is unknown and whose DUID is not in a client-id: another client. */
static void test_unknown_v6_client_takes_the_name(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease l4 = v4("10.0.3.7", mac1, "c1"), l6 = v6("fd42::7", 1, 1, NULL, "c1");

	(void)state;
	lease_commit(t, &l4, LEASE_EV_GRANTED);
	lease_commit(t, &l6, LEASE_EV_GRANTED);
	assert_string_equal(lease_by_addr(t, a4("10.0.3.7"))->hostname, "");
	assert_ptr_equal(lease_by_name(t, "c1", AF_UNSPEC), lease_by_addr(t, a6("fd42::7")));
	lease_table_free(t);
}

static void test_v6_quarantine(void **state)
{
	struct lease_table *t = lease_table_new();

	(void)state;
	lease_quarantine(t, a6("fd42::7"), 1000);
	assert_true(lease_is_quarantined(t, a6("fd42::7"), 999));
	assert_false(lease_is_quarantined(t, a6("fd42::8"), 999));
	/* Not the IPv4 address with the same first bytes. */
	assert_false(lease_is_quarantined(t, a4("253.66.0.0"), 999));
	assert_false(lease_is_quarantined(t, a6("fd42::7"), 1000));
	lease_table_free(t);
}

static void test_duid_hwaddr(void **state)
{
	/* DUID-LLT: type 1, hardware type 1, time, then the MAC. */
	static const uint8_t llt[] = { 0, 1, 0, 1, 0x2c, 0xd5, 0x6a, 0x11, 0xde, 0x21, 0x82, 0xc6, 0xa7, 0xe1 };
	/* DUID-LL: type 3, hardware type 1, the MAC. */
	static const uint8_t ll[] = { 0, 3, 0, 1, 0x00, 0x16, 0x3e, 0, 0, 1 };
	static const uint8_t uuid[] = { 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	uint8_t htype = 0, hw[LEASE_HWADDR_MAX], hwlen = 0;

	(void)state;
	assert_true(lease_duid_hwaddr(llt, sizeof(llt), &htype, hw, &hwlen));
	assert_int_equal(htype, 1);
	assert_int_equal(hwlen, 6);
	assert_memory_equal(hw, llt + 8, 6);
	assert_true(lease_duid_hwaddr(ll, sizeof(ll), &htype, hw, &hwlen));
	assert_memory_equal(hw, mac1, 6);
	assert_false(lease_duid_hwaddr(uuid, sizeof(uuid), &htype, hw, &hwlen));
	assert_false(lease_duid_hwaddr(ll, 4, &htype, hw, &hwlen));  /* no address at all */
	assert_false(lease_duid_hwaddr(llt, 3, &htype, hw, &hwlen)); /* cut short */
}

/* ---- free-address choice ---- */

struct taken {
	uint32_t lo, n; /* host order: lo .. lo + n - 1 are taken */
};

static bool free4(void *ctx, struct in_addr a)
{
	const struct taken *t = ctx;
	uint32_t h = ntohl(a.s_addr);

	return h < t->lo || h >= t->lo + t->n;
}

static bool free6(void *ctx, const struct in6_addr *a)
{
	const struct taken *t = ctx;
	uint32_t h = get_be32(a->s6_addr + 12);

	return h < t->lo || h >= t->lo + t->n;
}

static void test_pool4(void **state)
{
	struct in_addr first = { htonl(0x0a000310) }, last = { htonl(0x0a000313) }, out;
	struct taken none = { 0, 0 }, two = { 0x0a000311, 2 }, all = { 0x0a000310, 4 };

	(void)state;
	/* The start point picks the address, the same one every time. */
	assert_true(pool4_pick(first, last, NULL, 2, free4, &none, &out));
	assert_int_equal(ntohl(out.s_addr), 0x0a000312);
	assert_true(pool4_pick(first, last, NULL, 6, free4, &none, &out));
	assert_int_equal(ntohl(out.s_addr), 0x0a000312);
	/* Taken ones are skipped, wrapping at the end of the range. */
	assert_true(pool4_pick(first, last, NULL, 1, free4, &two, &out));
	assert_int_equal(ntohl(out.s_addr), 0x0a000313);
	assert_false(pool4_pick(first, last, NULL, 1, free4, &all, &out));
	assert_false(pool4_pick(last, first, NULL, 0, free4, &none, &out));
}

/* A pattern of held and refused addresses for the bitmap against the walk. */
#define PSIZE 10007 /* not a multiple of 64: the last word is partial */
struct pattern {
	uint32_t lo;
	bool held[PSIZE], refused[PSIZE];
};

static bool usable_walk(void *ctx, struct in_addr a)
{
	const struct pattern *p = ctx;
	uint32_t off = ntohl(a.s_addr) - p->lo;

	return !p->held[off] && !p->refused[off];
}

static bool usable_tracked(void *ctx, struct in_addr a)
{
	const struct pattern *p = ctx;
	uint32_t off = ntohl(a.s_addr) - p->lo;

	assert_false(p->held[off]); /* the bitmap never offers a held address */
	return !p->refused[off];
}

/*
 * The bitmap finds exactly what the walk finds, for held addresses in
 * runs, scattered, nearly all, all; refusals by the callback; any start.
 */
static void test_pool4_bitmap(void **state)
{
	static struct pattern p;
	struct in_addr first = { htonl(0x0a000000) }, last = { htonl(0x0a000000 + PSIZE - 1) };
	uint64_t rng = 88172645463325252ULL;
	struct pool4 *pool;

	(void)state;
	p.lo = 0x0a000000;
	for (int round = 0; round < 6; round++) {
		memset(&p.held, 0, sizeof(p.held));
		memset(&p.refused, 0, sizeof(p.refused));
		pool = pool4_new(first, last);
		assert_non_null(pool);
		for (uint32_t i = 0; i < PSIZE; i++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			switch (round) {
			case 0: p.held[i] = i < 5000; break;               /* a run from the start */
			case 1: p.held[i] = rng % 3 != 0; break;            /* scattered */
			case 2: p.held[i] = i != PSIZE - 1; break;          /* one free, at the end */
			case 3: p.held[i] = true; break;                    /* full */
			case 4: p.held[i] = i >= 100; p.refused[i] = i < 50; break; /* wrap, refusals */
			default: p.held[i] = rng % 100 != 0; p.refused[i] = rng % 7 == 0; break;
			}
			if (p.held[i])
				pool4_set_held(pool, (struct in_addr){ htonl(p.lo + i) }, true);
		}
		for (int k = 0; k < 200; k++) {
			struct in_addr a = { 0 }, b = { 0 };
			uint64_t start;
			bool wa, wb;

			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			start = k < 3 ? (uint64_t)k * (PSIZE - 1) : rng;
			wa = pool4_pick(first, last, NULL, start, usable_walk, &p, &a);
			wb = pool4_pick(first, last, &(struct pool4_skip){ .hard = { pool } }, start,
					usable_tracked, &p, &b);
			assert_int_equal(wa, wb);
			assert_int_equal(a.s_addr, b.s_addr);
		}
		pool4_free(pool);
	}
}

/* The first address from start that usable takes and avoided[] lacks, else any usable one. */
static bool ref_pick_avoiding(const struct pattern *p, const bool *avoided, uint64_t start,
			      uint32_t *out)
{
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < PSIZE; i++) {
			uint32_t off = (uint32_t)((start + i) % PSIZE);

			if (p->held[off] || p->refused[off] || (pass == 0 && avoided[off]))
				continue;
			*out = off;
			return true;
		}
	return false;
}

/*
 * Addresses to avoid (offered to other clients) are passed over while
 * any other is usable and taken when none is: by the walk and by the
 * bitmaps alike, whatever the pattern.
 */
static void test_pool4_avoid(void **state)
{
	static struct pattern p;
	static bool avoided[PSIZE];
	struct in_addr first = { htonl(0x0a000000) }, last = { htonl(0x0a000000 + PSIZE - 1) };
	uint64_t rng = 2463534242ULL;

	(void)state;
	p.lo = 0x0a000000;
	for (int round = 0; round < 5; round++) {
		struct pool4 *held = pool4_new(first, last), *avoid = pool4_new(first, last);

		memset(&p.held, 0, sizeof(p.held));
		memset(&p.refused, 0, sizeof(p.refused));
		memset(avoided, 0, sizeof(avoided));
		for (uint32_t i = 0; i < PSIZE; i++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			switch (round) {
			case 0: p.held[i] = i < 5000; avoided[i] = i >= 5000 && i < 5300; break;
			case 1: p.held[i] = rng % 3 == 0; avoided[i] = !p.held[i] && rng % 5 == 0; break;
			case 2: p.held[i] = i < PSIZE - 3; avoided[i] = !p.held[i]; break; /* only avoided left */
			case 3: avoided[i] = i % 2 == 0; p.refused[i] = i % 2 == 1; break;
			default: p.held[i] = rng % 50 != 0; avoided[i] = !p.held[i] && rng % 4 == 0; break;
			}
			if (p.held[i])
				pool4_set_held(held, (struct in_addr){ htonl(p.lo + i) }, true);
			if (avoided[i])
				pool4_set_held(avoid, (struct in_addr){ htonl(p.lo + i) }, true);
		}
		for (int k = 0; k < 200; k++) {
			struct in_addr a = { 0 }, b = { 0 };
			uint32_t want = 0;
			uint64_t start;
			bool wr, wa, wb;

			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			start = k < 3 ? (uint64_t)k * (PSIZE - 1) : rng;
			wr = ref_pick_avoiding(&p, avoided, start, &want);
			wa = pool4_pick(first, last, &(struct pool4_skip){ .avoid = avoid }, start,
					usable_walk, &p, &a);
			wb = pool4_pick(first, last, &(struct pool4_skip){ .hard = { held }, .avoid = avoid },
					start, usable_tracked, &p, &b);
			assert_int_equal(wa, wr);
			assert_int_equal(wb, wr);
			if (wr) {
				assert_int_equal(ntohl(a.s_addr), p.lo + want);
				assert_int_equal(ntohl(b.s_addr), p.lo + want);
			}
		}
		pool4_free(held);
		pool4_free(avoid);
	}
}

/* ---- hard bitmaps beyond held: reserved, quarantined ---- */

enum { K_HELD = 1, K_RESERVED = 2, K_QUARANTINED = 4, K_REFUSED = 8, K_AVOIDED = 16 };
#define K_HARD (K_HELD | K_RESERVED | K_QUARANTINED)

/* What each address of a range is, and which hard kinds a search has as bitmaps. */
struct kinds {
	uint32_t lo;
	uint8_t k[PSIZE];
	uint8_t given;
	unsigned calls;
};

/* Refuses every hard kind and the callback's own refusals; never asked about a kind given. */
static bool usable_kinds(void *ctx, struct in_addr a)
{
	struct kinds *p = ctx;
	uint8_t k = p->k[ntohl(a.s_addr) - p->lo];

	p->calls++;
	assert_int_equal(k & p->given, 0); /* a bitmap's address is never asked about */
	return !(k & (K_HARD | K_REFUSED));
}

/* The first from start neither hard nor refused, nor avoided while another is left. */
static bool ref_pick_kinds(const struct kinds *p, uint64_t start, uint32_t *out)
{
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < PSIZE; i++) {
			uint32_t off = (uint32_t)((start + i) % PSIZE);
			uint8_t bad = K_HARD | K_REFUSED | (pass == 0 ? K_AVOIDED : 0);

			if (!(p->k[off] & bad)) {
				*out = off;
				return true;
			}
		}
	return false;
}

/* Round's pattern at offset i (r: a random number). */
static uint8_t kinds_at(int round, uint32_t i, uint64_t r)
{
	switch (round) {
	case 0: /* a long run of reservations among a few leases */
		return i >= 1000 && i < 9000 ? K_RESERVED : r % 10 == 0 ? K_HELD : 0;
	case 1: /* leases between reservations: words full only together */
		return i < 8000 ? (i % 2 ? K_RESERVED : K_HELD) : r % 3 == 0 ? K_QUARANTINED : 0;
	case 2: /* a run of quarantined addresses across the wrap, refusals elsewhere */
		return i >= PSIZE - 3000 || i < 2000 ? K_QUARANTINED : r % 4 == 0 ? K_REFUSED : 0;
	case 3: /* every kind scattered */
		return r % 6 == 5 ? 0 : (uint8_t)(1u << (r % 6));
	case 4: /* all hard but a few offered at the end */
		return i >= PSIZE - 5 ? K_AVOIDED : (uint8_t)(1u << (i % 3));
	case 5: /* all hard */
		return (uint8_t)(1u << (i % 3));
	default: /* runs of each, one free address at the end */
		return i == PSIZE - 1 ? 0 : i < 4000 ? K_HELD : i < 7000 ? K_RESERVED : K_QUARANTINED;
	}
}

/* The bitmaps of one kind of p. */
static struct pool4 *kind_bitmap(const struct kinds *p, uint8_t kind, struct in_addr first,
				 struct in_addr last)
{
	struct pool4 *b = pool4_new(first, last);

	for (uint32_t i = 0; i < PSIZE; i++)
		if (p->k[i] & kind)
			pool4_set_held(b, (struct in_addr){ htonl(p->lo + i) }, true);
	return b;
}

/*
 * Held, reserved and quarantined bitmaps, any of them, in any slot, find
 * exactly what the reference finds (offers avoided, callback refusals),
 * and usable is never asked about an address in a bitmap given: a run of
 * reservations or quarantines costs one call, not one per address.
 */
static void test_pool4_hard(void **state)
{
	static const uint8_t given[] = { K_HARD, K_RESERVED, K_HELD | K_QUARANTINED, 0 };
	static const uint8_t kind_of[3] = { K_HELD, K_RESERVED, K_QUARANTINED };
	static struct kinds p;
	struct in_addr first = { htonl(0x0a000000) }, last = { htonl(0x0a000000 + PSIZE - 1) };
	struct in_addr shorter = { htonl(0x0a000000 + PSIZE - 2) };
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	struct pool4 *other = pool4_new(first, shorter); /* another range's: ignored */

	(void)state;
	p.lo = 0x0a000000;
	for (uint32_t i = 0; i < PSIZE - 1; i++)
		pool4_set_held(other, (struct in_addr){ htonl(p.lo + i) }, true);
	for (int round = 0; round < 7; round++) {
		struct pool4 *bits[3], *avoid;

		for (uint32_t i = 0; i < PSIZE; i++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			p.k[i] = kinds_at(round, i, rng);
		}
		for (int b = 0; b < 3; b++)
			bits[b] = kind_bitmap(&p, kind_of[b], first, last);
		avoid = kind_bitmap(&p, K_AVOIDED, first, last);
		for (size_t g = 0; g < sizeof(given); g++) {
			struct pool4_skip skip = { .avoid = avoid };
			size_t slot = POOL4_SKIP_MAX;

			/* The given bitmaps from the last slot down, another range's first. */
			for (int b = 0; b < 3; b++)
				if (given[g] & kind_of[b])
					skip.hard[--slot] = bits[b];
			skip.hard[0] = other;
			p.given = given[g];
			for (int k = 0; k < 200; k++) {
				struct in_addr a = { 0 };
				uint32_t want = 0;
				uint64_t start;
				bool wr, wa;

				rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
				start = k < 3 ? (uint64_t)k * (PSIZE - 1) : rng;
				p.calls = 0;
				wr = ref_pick_kinds(&p, start, &want);
				wa = pool4_pick(first, last, &skip, start, usable_kinds, &p, &a);
				assert_int_equal(wa, wr);
				if (wr)
					assert_int_equal(ntohl(a.s_addr), p.lo + want);
				/* Nothing refused but the bitmaps' own: the first candidate is taken. */
				if (given[g] == K_HARD && (round == 0 || round == 6))
					assert_int_equal(p.calls, 1);
				if (given[g] == K_HARD && round == 5)
					assert_int_equal(p.calls, 0);
			}
		}
		for (int b = 0; b < 3; b++)
			pool4_free(bits[b]);
		pool4_free(avoid);
	}
	pool4_free(other);
}

/* The quarantine bitmap says exactly what lease_is_quarantined() says at now. */
static void assert_quarantine_in_step(struct lease_table *t, struct in_addr first,
				      struct in_addr last, time_t now)
{
	const struct pool4 *q = lease_table_quarantine4(t, first, last, now);

	assert_non_null(q);
	for (uint32_t h = ntohl(first.s_addr); h <= ntohl(last.s_addr); h++) {
		struct in_addr a = { htonl(h) };

		assert_int_equal(pool4_is_held(q, a),
				 lease_is_quarantined(t, (struct lease_addr){ .family = AF_INET,
									       .v4 = a }, now));
	}
}

/*
 * A tracked range's quarantine bitmap follows lease_quarantine, the
 * purge of lease_expire, and time alone: a quarantine that has run out
 * frees its address without any purge being called.
 */
static void test_table_tracks_quarantine(void **state)
{
	struct lease_table *t = lease_table_new();
	struct in_addr first = { htonl(0x0a000302) }, last = { htonl(0x0a0003fe) };
	const time_t T = 1700000000;
	const struct pool4 *q;

	(void)state;
	lease_quarantine(t, a4("10.0.3.9"), T + 100); /* loaded before tracking began */
	assert_non_null(lease_table_track4(t, first, last));
	q = lease_table_quarantine4(t, first, last, T);
	assert_true(pool4_is_held(q, a4("10.0.3.9").v4));
	lease_quarantine(t, a4("10.0.3.10"), T + 50);
	lease_quarantine(t, a4("10.0.3.200"), T + 300);
	lease_quarantine(t, a4("10.0.3.201"), T - 1); /* over already */
	lease_quarantine(t, a4("10.0.4.1"), T + 300); /* another range */
	lease_quarantine(t, a6("fd42::9"), T + 300);
	assert_quarantine_in_step(t, first, last, T);
	assert_true(pool4_is_held(q, a4("10.0.3.200").v4));
	assert_false(pool4_is_held(q, a4("10.0.3.201").v4));
	/* Time passes, nobody purges: the ended quarantine is gone from the bitmap. */
	assert_quarantine_in_step(t, first, last, T + 50);
	assert_false(pool4_is_held(q, a4("10.0.3.10").v4));
	assert_true(pool4_is_held(q, a4("10.0.3.9").v4));
	/* lease_expire's purge clears bits too. */
	assert_int_equal(lease_expire(t, T + 100), 0);
	assert_false(pool4_is_held(q, a4("10.0.3.9").v4));
	/* Quarantined again, for less time. */
	lease_quarantine(t, a4("10.0.3.200"), T + 150);
	assert_quarantine_in_step(t, first, last, T + 149);
	assert_true(pool4_is_held(q, a4("10.0.3.200").v4));
	assert_quarantine_in_step(t, first, last, T + 150);
	assert_false(pool4_is_held(q, a4("10.0.3.200").v4));
	/* A run of them (the map grows, rebuilt): all in, then all out at their end. */
	for (int i = 20; i < 220; i++) {
		char s[32];

		snprintf(s, sizeof(s), "10.0.3.%d", i);
		lease_quarantine(t, a4(s), T + 1000 + i);
	}
	assert_quarantine_in_step(t, first, last, T + 1000);
	assert_true(pool4_is_held(q, a4("10.0.3.20").v4));
	assert_true(pool4_is_held(q, a4("10.0.3.219").v4));
	assert_quarantine_in_step(t, first, last, T + 1120);
	assert_false(pool4_is_held(q, a4("10.0.3.120").v4)); /* until T + 1120: over */
	assert_true(pool4_is_held(q, a4("10.0.3.121").v4));
	assert_quarantine_in_step(t, first, last, T + 1220);
	assert_false(pool4_is_held(q, a4("10.0.3.219").v4));
	assert_null(lease_table_quarantine4(t, first, a4("10.0.3.100").v4, T));
	lease_table_free(t);
}

/* The table keeps a tracked range's bitmap in step with commits and removals. */
static void test_table_tracks_held(void **state)
{
	struct lease_table *t = lease_table_new();
	struct in_addr first = { htonl(0x0a000302) }, last = { htonl(0x0a0003fe) };
	struct lease l;
	const struct pool4 *pool;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.addr = a4("10.0.3.7");
	l.htype = 1;
	l.hwlen = 6;
	memcpy(l.hwaddr, mac1, 6);
	assert_int_equal(lease_commit(t, &l, LEASE_EV_LOADED), 0);
	pool = lease_table_track4(t, first, last);
	assert_non_null(pool);
	assert_ptr_equal(lease_table_track4(t, first, last), pool);
	assert_ptr_equal(lease_table_pool4(t, first, last), pool);
	assert_true(pool4_is_held(pool, l.addr.v4)); /* loaded before tracking began */
	l.addr = a4("10.0.3.8");                      /* the client moves */
	assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), 0);
	assert_false(pool4_is_held(pool, a4("10.0.3.7").v4));
	assert_true(pool4_is_held(pool, a4("10.0.3.8").v4));
	assert_int_equal(lease_remove(t, l.addr, LEASE_EV_RELEASED), 0);
	assert_false(pool4_is_held(pool, a4("10.0.3.8").v4));
	assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), 0);
	assert_int_equal(lease_expire(t, 1), 0); /* never expires: stays */
	assert_true(pool4_is_held(pool, a4("10.0.3.8").v4));
	assert_null(lease_table_pool4(t, first, a4("10.0.3.100").v4));
	lease_table_free(t);
}

static void test_pool6(void **state)
{
	struct in6_addr first, last, out;
	struct taken none = { 0, 0 }, some = { 0x100, 3 };

	(void)state;
	inet_pton(AF_INET6, "fd42::100", &first);
	inet_pton(AF_INET6, "fd42::1ff", &last);
	assert_true(pool6_pick(&first, &last, 5, free6, &none, &out));
	assert_int_equal(get_be32(out.s6_addr + 12), 0x105);
	assert_true(pool6_pick(&first, &last, 0x100, free6, &some, &out)); /* wraps to ::100, taken */
	assert_int_equal(get_be32(out.s6_addr + 12), 0x103);
	/* A whole /64 is a range too, and its walk is bounded. */
	inet_pton(AF_INET6, "fd42::", &first);
	inet_pton(AF_INET6, "fd42::ffff:ffff:ffff:ffff", &last);
	assert_true(pool6_pick(&first, &last, UINT64_MAX, free6, &none, &out));
	assert_int_equal(get_be32(out.s6_addr + 8), 0xffffffff);
	/* Not within one /64: refused. */
	inet_pton(AF_INET6, "fd43::1", &last);
	assert_false(pool6_pick(&first, &last, 0, free6, &none, &out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_both_families_in_one_table),
		cmocka_unit_test(test_v6_identity_moves),
		cmocka_unit_test(test_malformed_family_and_ia),
		cmocka_unit_test(test_one_client_one_name_both_families),
		cmocka_unit_test(test_rfc4361_client_id_ties_families),
		cmocka_unit_test(test_other_clients_v6_grant_takes_the_name),
		cmocka_unit_test(test_other_clients_v4_grant_takes_the_name),
		cmocka_unit_test(test_unknown_v6_client_takes_the_name),
		cmocka_unit_test(test_v6_quarantine),
		cmocka_unit_test(test_duid_hwaddr),
		cmocka_unit_test(test_pool4),
		cmocka_unit_test(test_pool4_bitmap),
		cmocka_unit_test(test_pool4_avoid),
		cmocka_unit_test(test_pool4_hard),
		cmocka_unit_test(test_table_tracks_quarantine),
		cmocka_unit_test(test_table_tracks_held),
		cmocka_unit_test(test_pool6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
