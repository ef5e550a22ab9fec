/*
 * test_dns_cache — the upstream answer cache on a fake clock: replies are
 * built with the dns_wire builder, stored at one time and looked up at
 * another.  Covers TTLs counting down and running out, the positive
 * bounds, negative caching per RFC 2308 and its bounds, what is never
 * stored, LRU eviction, CNAME chains kept as a unit, purging by any name
 * an entry mentions, and a cache churned well past its size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_cache.h"
#include "dns/dns_wire.h"
#include "core/util.h"

#define T0 1000000u

/* ---- building upstream replies -------------------------------------- */

struct reply {
	uint8_t buf[4096];
	struct dns_builder b;
	size_t len;
};

static void begin_full(struct reply *r, const char *qname, uint16_t qtype, uint16_t qclass,
		       int rcode, uint16_t flags)
{
	dns_build_init(&r->b, r->buf, sizeof(r->buf), 0x4242, flags);
	assert_true(dns_build_question(&r->b, qname, qtype, qclass) >= 0);
	dns_build_set_rcode(&r->b, rcode);
	r->len = 0;
}

static void begin(struct reply *r, const char *qname, uint16_t qtype, int rcode)
{
	begin_full(r, qname, qtype, DNS_C_IN, rcode, DNS_F_QR | DNS_F_RD | DNS_F_RA);
}

static void add_rr(struct reply *r, enum dns_section s, const char *owner, uint16_t type,
		   uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	struct dns_rr rr = {
		.owner = owner, .type = type, .class = DNS_C_IN, .ttl = ttl,
		.rdata = rdata, .rdlen = (uint16_t)rdlen,
	};

	assert_true(dns_build_rr(&r->b, s, &rr) >= 0);
}

static void add_a(struct reply *r, enum dns_section s, const char *owner, uint32_t ttl,
		  const char *addr)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, addr, &a), 1);
	add_rr(r, s, owner, DNS_T_A, ttl, (const uint8_t *)&a, sizeof(a));
}

/* CNAME, PTR or NS. */
static void add_name(struct reply *r, enum dns_section s, const char *owner, uint16_t type,
		     uint32_t ttl, const char *target)
{
	uint8_t rd[DNS_WIRE_NAME_MAX];
	int n = dns_rdata_name(target, rd, sizeof(rd));

	assert_true(n > 0);
	add_rr(r, s, owner, type, ttl, rd, (size_t)n);
}

static void add_soa(struct reply *r, const char *zone, uint32_t ttl, uint32_t minimum)
{
	uint8_t rd[DNS_RDATA_NAMES_MAX];
	char mname[256], rname[256];
	int n;

	snprintf(mname, sizeof(mname), "ns1.%s", zone);
	snprintf(rname, sizeof(rname), "hostmaster.%s", zone);
	n = dns_rdata_soa(mname, rname, 2024010101, 7200, 900, 1209600, minimum, rd,
			  sizeof(rd));
	assert_true(n > 0);
	add_rr(r, DNS_SEC_AUTHORITY, zone, DNS_T_SOA, ttl, rd, (size_t)n);
}

static int store(struct dns_cache *c, const char *qname, uint16_t qtype, struct reply *r,
		 uint64_t now)
{
	if (!r->len)
		r->len = dns_build_finish(&r->b);
	return dns_cache_store(c, qname, qtype, DNS_C_IN, r->buf, r->len, now);
}

/* "name A addr" (NOERROR) stored at now. */
static int store_a(struct dns_cache *c, const char *name, uint32_t ttl, const char *addr,
		   uint64_t now)
{
	struct reply r;

	begin(&r, name, DNS_T_A, DNS_R_NOERROR);
	add_a(&r, DNS_SEC_ANSWER, name, ttl, addr);
	return store(c, name, DNS_T_A, &r, now);
}

/* NXDOMAIN for name, with an SOA for zone unless zone is NULL. */
static int store_nx(struct dns_cache *c, const char *name, const char *zone, uint32_t soa_ttl,
		    uint32_t minimum, uint64_t now)
{
	struct reply r;

	begin(&r, name, DNS_T_A, DNS_R_NXDOMAIN);
	if (zone)
		add_soa(&r, zone, soa_ttl, minimum);
	return store(c, name, DNS_T_A, &r, now);
}

/* ---- the cache ------------------------------------------------------ */

static struct dns_cache_policy policy(size_t size)
{
	struct dns_cache_policy p = {
		.size = size,
		.max_neg_ttl = 3600,
	};

	return p;
}

static struct dns_cache *cache_with(const struct dns_cache_policy *p)
{
	struct dns_cache *c = dns_cache_new(p);

	assert_non_null(c);
	return c;
}

static struct dns_cache *cache(size_t size)
{
	struct dns_cache_policy p = policy(size);

	return cache_with(&p);
}

static bool hit(struct dns_cache *c, const char *name, uint16_t qtype, uint64_t now,
		struct dns_cache_hit *h)
{
	return dns_cache_lookup(c, name, qtype, DNS_C_IN, now, h);
}

static bool present(struct dns_cache *c, const char *name, uint16_t qtype, uint64_t now)
{
	struct dns_cache_hit h;

	return hit(c, name, qtype, now, &h);
}

static void expect_rr(const struct dns_rr *rr, const char *owner, uint16_t type, uint32_t ttl)
{
	assert_string_equal(rr->owner, owner);
	assert_int_equal(rr->type, type);
	assert_int_equal(rr->class, DNS_C_IN);
	assert_int_equal(rr->ttl, ttl);
}

static void expect_a(const struct dns_rr *rr, const char *owner, uint32_t ttl, const char *addr)
{
	struct in_addr a;

	expect_rr(rr, owner, DNS_T_A, ttl);
	assert_int_equal(inet_pton(AF_INET, addr, &a), 1);
	assert_int_equal(rr->rdlen, 4);
	assert_memory_equal(rr->rdata, &a, 4);
}

static void expect_target(const struct dns_rr *rr, const char *target)
{
	char name[DNS_NAME_STR];
	size_t off = 0;

	assert_int_equal(dns_name_read(rr->rdata, rr->rdlen, &off, name, sizeof(name)), 0);
	assert_string_equal(name, target);
}

static size_t entries(const struct dns_cache *c)
{
	struct dns_cache_stats st;

	dns_cache_stats(c, &st);
	return st.entries;
}

/* ---- positive answers ----------------------------------------------- */

static void test_positive_ttl_counts_down(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;
	struct dns_cache_stats st;

	(void)state;
	assert_int_equal(store_a(c, "www.example", 300, "192.0.2.1", T0), 1);
	assert_true(hit(c, "www.example", DNS_T_A, T0, &h));
	assert_false(h.negative);
	assert_false(h.answer.authoritative);
	assert_int_equal(h.answer.rcode, DNS_R_NOERROR);
	assert_int_equal(h.answer.n[DNS_SEC_ANSWER], 1);
	assert_int_equal(h.answer.n[DNS_SEC_AUTHORITY], 0);
	assert_int_equal(h.answer.n[DNS_SEC_ADDITIONAL], 0);
	expect_a(&h.answer.rrs[DNS_SEC_ANSWER][0], "www.example", 300, "192.0.2.1");

	assert_true(hit(c, "www.example", DNS_T_A, T0 + 100, &h));
	expect_a(&h.answer.rrs[DNS_SEC_ANSWER][0], "www.example", 200, "192.0.2.1");
	assert_true(hit(c, "www.example", DNS_T_A, T0 + 299, &h));
	assert_int_equal(h.answer.rrs[DNS_SEC_ANSWER][0].ttl, 1);
	/* At the TTL the entry is gone, and the lookup removed it. */
	assert_false(hit(c, "www.example", DNS_T_A, T0 + 300, &h));
	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.inserts, 1);
	dns_cache_free(c);
}

static void test_key_is_case_insensitive_and_typed(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;

	(void)state;
	assert_int_equal(store_a(c, "Www.Example", 60, "192.0.2.1", T0), 1);
	assert_true(hit(c, "WWW.EXAMPLE", DNS_T_A, T0 + 1, &h));
	/* The records keep the case upstream gave them. */
	assert_string_equal(h.answer.rrs[DNS_SEC_ANSWER][0].owner, "Www.Example");
	assert_false(present(c, "www.example", DNS_T_AAAA, T0 + 1));
	assert_false(dns_cache_lookup(c, "www.example", DNS_T_A, DNS_C_ANY, T0 + 1, &h));
	assert_false(present(c, "www.example.org", DNS_T_A, T0 + 1));
	dns_cache_free(c);
}

static void test_min_and_max_cache_ttl(void **state)
{
	struct dns_cache_policy p = policy(16);
	struct dns_cache *c;
	struct dns_cache_hit h;

	(void)state;
	p.min_ttl = 60;
	p.max_ttl = 600;
	c = cache_with(&p);
	assert_int_equal(store_a(c, "short.example", 10, "192.0.2.1", T0), 1);
	assert_int_equal(store_a(c, "long.example", 86400, "192.0.2.2", T0), 1);

	assert_true(hit(c, "short.example", DNS_T_A, T0, &h));
	assert_int_equal(h.answer.rrs[DNS_SEC_ANSWER][0].ttl, 60);
	assert_true(present(c, "short.example", DNS_T_A, T0 + 59));
	assert_false(present(c, "short.example", DNS_T_A, T0 + 60));

	assert_true(hit(c, "long.example", DNS_T_A, T0, &h));
	assert_int_equal(h.answer.rrs[DNS_SEC_ANSWER][0].ttl, 600);
	assert_true(hit(c, "long.example", DNS_T_A, T0 + 599, &h));
	assert_int_equal(h.answer.rrs[DNS_SEC_ANSWER][0].ttl, 1);
	assert_false(present(c, "long.example", DNS_T_A, T0 + 600));
	dns_cache_free(c);
}

static void test_zero_ttl_not_stored(void **state)
{
	struct dns_cache_policy p = policy(16);
	struct dns_cache *c;

	(void)state;
	/* Zero means "do not cache"; --min-cache-ttl does not overrule it. */
	p.min_ttl = 60;
	c = cache_with(&p);
	assert_int_equal(store_a(c, "zero.example", 0, "192.0.2.1", T0), 0);
	/* RFC 2181 §8: a TTL with the top bit set counts as zero. */
	assert_int_equal(store_a(c, "huge.example", 0x80000000u, "192.0.2.2", T0), 0);
	assert_false(present(c, "zero.example", DNS_T_A, T0));
	assert_false(present(c, "huge.example", DNS_T_A, T0));
	assert_int_equal(entries(c), 0);
	dns_cache_free(c);
}

static void test_replace_existing_key(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;

	(void)state;
	assert_int_equal(store_a(c, "www.example", 300, "192.0.2.1", T0), 1);
	assert_int_equal(store_a(c, "WWW.example", 50, "192.0.2.9", T0 + 10), 1);
	assert_int_equal(entries(c), 1);
	assert_true(hit(c, "www.example", DNS_T_A, T0 + 20, &h));
	expect_a(&h.answer.rrs[DNS_SEC_ANSWER][0], "WWW.example", 40, "192.0.2.9");
	assert_false(present(c, "www.example", DNS_T_A, T0 + 60));
	dns_cache_free(c);
}

static void test_additional_section_and_opt_dropped(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;
	struct reply r;

	(void)state;
	begin(&r, "example", DNS_T_NS, DNS_R_NOERROR);
	dns_build_edns(&r.b, DNS_EDNS_SIZE);
	add_name(&r, DNS_SEC_ANSWER, "example", DNS_T_NS, 3600, "ns1.example");
	add_a(&r, DNS_SEC_ADDITIONAL, "ns1.example", 3600, "192.0.2.53");
	assert_int_equal(store(c, "example", DNS_T_NS, &r, T0), 1);
	assert_true(hit(c, "example", DNS_T_NS, T0, &h));
	assert_int_equal(h.answer.n[DNS_SEC_ANSWER], 1);
	expect_target(&h.answer.rrs[DNS_SEC_ANSWER][0], "ns1.example");
	assert_int_equal(h.answer.n[DNS_SEC_AUTHORITY], 0);
	assert_int_equal(h.answer.n[DNS_SEC_ADDITIONAL], 0);
	dns_cache_free(c);
}

/* ---- negative answers ----------------------------------------------- */

static void test_nxdomain_soa_min_of_ttl_and_minimum(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;

	(void)state;
	/* MINIMUM smaller than the SOA's TTL ... */
	assert_int_equal(store_nx(c, "gone.example", "example", 300, 30, T0), 1);
	assert_true(hit(c, "gone.example", DNS_T_A, T0, &h));
	assert_true(h.negative);
	assert_int_equal(h.answer.rcode, DNS_R_NXDOMAIN);
	assert_int_equal(h.answer.n[DNS_SEC_ANSWER], 0);
	assert_int_equal(h.answer.n[DNS_SEC_AUTHORITY], 1);
	/* ... and the SOA goes out with the negative TTL, not its own. */
	expect_rr(&h.answer.rrs[DNS_SEC_AUTHORITY][0], "example", DNS_T_SOA, 30);
	assert_true(hit(c, "gone.example", DNS_T_A, T0 + 29, &h));
	assert_int_equal(h.answer.rrs[DNS_SEC_AUTHORITY][0].ttl, 1);
	assert_false(present(c, "gone.example", DNS_T_A, T0 + 30));

	/* ... and the SOA's TTL smaller than MINIMUM. */
	assert_int_equal(store_nx(c, "lost.example", "example", 20, 50, T0), 1);
	assert_true(hit(c, "lost.example", DNS_T_A, T0, &h));
	expect_rr(&h.answer.rrs[DNS_SEC_AUTHORITY][0], "example", DNS_T_SOA, 20);
	assert_true(present(c, "lost.example", DNS_T_A, T0 + 19));
	assert_false(present(c, "lost.example", DNS_T_A, T0 + 20));
	dns_cache_free(c);
}

static void test_negative_capped_by_max_neg_ttl(void **state)
{
	struct dns_cache_policy p = policy(16);
	struct dns_cache *c;
	struct dns_cache_hit h;

	(void)state;
	p.max_neg_ttl = 60;
	c = cache_with(&p);
	assert_int_equal(store_nx(c, "gone.example", "example", 3600, 3600, T0), 1);
	assert_true(hit(c, "gone.example", DNS_T_A, T0, &h));
	expect_rr(&h.answer.rrs[DNS_SEC_AUTHORITY][0], "example", DNS_T_SOA, 60);
	assert_true(present(c, "gone.example", DNS_T_A, T0 + 59));
	assert_false(present(c, "gone.example", DNS_T_A, T0 + 60));
	dns_cache_free(c);
}

static void test_negative_without_soa(void **state)
{
	struct dns_cache_policy p = policy(16);
	struct dns_cache *c;

	(void)state;
	/* No SOA, no --neg-ttl: dnsmasq does not cache it, nor do we (a
	 * neg_ttl value without has_neg_ttl means nothing). */
	p.neg_ttl = 120;
	c = cache_with(&p);
	assert_int_equal(store_nx(c, "gone.example", NULL, 0, 0, T0), 0);
	assert_false(present(c, "gone.example", DNS_T_A, T0));
	dns_cache_free(c);

	/* --neg-ttl=120 under a 3600 cap: 120. */
	p.has_neg_ttl = true;
	c = cache_with(&p);
	assert_int_equal(store_nx(c, "gone.example", NULL, 0, 0, T0), 1);
	assert_true(present(c, "gone.example", DNS_T_A, T0 + 119));
	assert_false(present(c, "gone.example", DNS_T_A, T0 + 120));
	dns_cache_free(c);

	/* --neg-ttl=120 under --max-neg-ttl=60: 60. */
	p.max_neg_ttl = 60;
	c = cache_with(&p);
	assert_int_equal(store_nx(c, "gone.example", NULL, 0, 0, T0), 1);
	assert_true(present(c, "gone.example", DNS_T_A, T0 + 59));
	assert_false(present(c, "gone.example", DNS_T_A, T0 + 60));
	dns_cache_free(c);
}

static void test_no_negcache(void **state)
{
	struct dns_cache_policy p = policy(16);
	struct dns_cache *c;
	struct reply r;

	(void)state;
	p.no_negcache = true;
	p.has_neg_ttl = true;
	p.neg_ttl = 60;
	c = cache_with(&p);
	assert_int_equal(store_nx(c, "gone.example", "example", 300, 300, T0), 0);
	assert_int_equal(store_nx(c, "lost.example", NULL, 0, 0, T0), 0);
	begin(&r, "www.example", DNS_T_AAAA, DNS_R_NOERROR);
	add_soa(&r, "example", 300, 300);
	assert_int_equal(store(c, "www.example", DNS_T_AAAA, &r, T0), 0);
	assert_false(present(c, "gone.example", DNS_T_A, T0));
	assert_false(present(c, "www.example", DNS_T_AAAA, T0));
	/* Positive answers are still cached. */
	assert_int_equal(store_a(c, "www.example", 60, "192.0.2.1", T0), 1);
	assert_true(present(c, "www.example", DNS_T_A, T0));
	dns_cache_free(c);
}

static void test_nodata_cached_as_negative(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;
	struct reply r;

	(void)state;
	begin(&r, "www.example", DNS_T_AAAA, DNS_R_NOERROR);
	add_soa(&r, "example", 900, 45);
	assert_int_equal(store(c, "www.example", DNS_T_AAAA, &r, T0), 1);
	assert_true(hit(c, "www.example", DNS_T_AAAA, T0 + 5, &h));
	assert_true(h.negative);
	assert_int_equal(h.answer.rcode, DNS_R_NOERROR);
	assert_int_equal(h.answer.n[DNS_SEC_ANSWER], 0);
	assert_int_equal(h.answer.n[DNS_SEC_AUTHORITY], 1);
	expect_rr(&h.answer.rrs[DNS_SEC_AUTHORITY][0], "example", DNS_T_SOA, 40);
	assert_false(present(c, "www.example", DNS_T_AAAA, T0 + 45));
	dns_cache_free(c);
}

/* ---- never stored ---------------------------------------------------- */

static void test_errors_and_truncation_never_stored(void **state)
{
	static const int rcodes[] = { DNS_R_SERVFAIL, DNS_R_REFUSED, DNS_R_FORMERR,
				      DNS_R_NOTIMP };
	struct dns_cache_policy p = policy(16);
	struct dns_cache *c;
	struct reply r;

	(void)state;
	p.has_neg_ttl = true; /* so only the rcode can be the reason */
	p.neg_ttl = 60;
	c = cache_with(&p);
	for (size_t i = 0; i < ARRAY_SIZE(rcodes); i++) {
		begin(&r, "www.example", DNS_T_A, rcodes[i]);
		add_soa(&r, "example", 300, 300);
		assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 0);
		assert_false(present(c, "www.example", DNS_T_A, T0));
	}
	/* TC: a whole answer, but the flag says it is not all of it. */
	begin_full(&r, "www.example", DNS_T_A, DNS_C_IN, DNS_R_NOERROR,
		   DNS_F_QR | DNS_F_RD | DNS_F_RA | DNS_F_TC);
	add_a(&r, DNS_SEC_ANSWER, "www.example", 300, "192.0.2.1");
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 0);
	assert_false(present(c, "www.example", DNS_T_A, T0));
	assert_int_equal(entries(c), 0);
	dns_cache_free(c);
}

static void test_extended_rcode_never_stored(void **state)
{
	struct dns_cache *c = cache(16);
	struct reply r;
	size_t len;

	(void)state;
	begin(&r, "www.example", DNS_T_A, DNS_R_NOERROR);
	dns_build_edns(&r.b, DNS_EDNS_SIZE);
	add_a(&r, DNS_SEC_ANSWER, "www.example", 300, "192.0.2.1");
	len = r.len = dns_build_finish(&r.b);
	/* The OPT record comes last: root, type 41, size, TTL, empty RDATA. */
	assert_true(len > 11);
	assert_int_equal(r.buf[len - 11], 0);
	assert_int_equal(r.buf[len - 10] << 8 | r.buf[len - 9], DNS_T_OPT);
	assert_int_equal(r.buf[len - 2] << 8 | r.buf[len - 1], 0);
	/* EXTENDED-RCODE 1: rcode 16 (BADVERS), with NOERROR in the header. */
	r.buf[len - 6] = 1;
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 0);
	assert_false(present(c, "www.example", DNS_T_A, T0));
	/* Without it the same reply is fine. */
	r.buf[len - 6] = 0;
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	dns_cache_free(c);
}

static void test_question_mismatch_rejected(void **state)
{
	static const uint8_t junk[] = { 0x42, 0x42, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 7 };
	struct dns_cache *c = cache(16);
	struct reply r;

	(void)state;
	begin(&r, "www.example", DNS_T_A, DNS_R_NOERROR);
	add_a(&r, DNS_SEC_ANSWER, "www.example", 300, "192.0.2.1");
	assert_int_equal(store(c, "ftp.example", DNS_T_A, &r, T0), -1);
	assert_int_equal(store(c, "www.example", DNS_T_AAAA, &r, T0), -1);
	assert_int_equal(dns_cache_store(c, "www.example", DNS_T_A, 3 /* CH */, r.buf, r.len, T0),
			 -1);
	assert_int_equal(entries(c), 0);
	/* The name's case does not matter. */
	assert_int_equal(store(c, "WWW.EXAMPLE", DNS_T_A, &r, T0), 1);

	/* Not a reply at all. */
	begin_full(&r, "q.example", DNS_T_A, DNS_C_IN, DNS_R_NOERROR, DNS_F_RD);
	add_a(&r, DNS_SEC_ANSWER, "q.example", 300, "192.0.2.1");
	assert_int_equal(store(c, "q.example", DNS_T_A, &r, T0), -1);
	/* Malformed: short, or cut off in the question. */
	assert_int_equal(dns_cache_store(c, "q.example", DNS_T_A, DNS_C_IN, junk, 5, T0), -1);
	assert_int_equal(dns_cache_store(c, "q.example", DNS_T_A, DNS_C_IN, junk, sizeof(junk),
					 T0), -1);
	assert_int_equal(entries(c), 1);
	dns_cache_free(c);
}

static void test_malformed_record_rejected(void **state)
{
	struct dns_cache *c = cache(16);
	struct reply r;

	(void)state;
	begin(&r, "www.example", DNS_T_A, DNS_R_NOERROR);
	add_a(&r, DNS_SEC_ANSWER, "www.example", 300, "192.0.2.1");
	add_a(&r, DNS_SEC_ANSWER, "www.example", 300, "192.0.2.2");
	r.len = dns_build_finish(&r.b);
	/* The header promises two records; cut the second one short. */
	r.len -= 3;
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), -1);
	assert_int_equal(entries(c), 0);
	dns_cache_free(c);
}

static void test_size_zero_caches_nothing(void **state)
{
	struct dns_cache *c = cache(0);
	struct dns_cache_stats st;

	(void)state;
	assert_int_equal(store_a(c, "www.example", 300, "192.0.2.1", T0), 0);
	assert_int_equal(store_nx(c, "gone.example", "example", 300, 300, T0), 0);
	assert_false(present(c, "www.example", DNS_T_A, T0));
	assert_false(present(c, "gone.example", DNS_T_A, T0));
	assert_int_equal(dns_cache_purge_name(c, "www.example"), 0);
	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.inserts, 0);
	assert_int_equal(st.misses, 2);
	dns_cache_free(c);
}

/* ---- eviction -------------------------------------------------------- */

static void test_lru_eviction_order(void **state)
{
	struct dns_cache *c = cache(3);
	struct dns_cache_stats st;

	(void)state;
	assert_int_equal(store_a(c, "a.example", 300, "192.0.2.1", T0), 1);
	assert_int_equal(store_a(c, "b.example", 300, "192.0.2.2", T0 + 1), 1);
	assert_int_equal(store_a(c, "c.example", 300, "192.0.2.3", T0 + 2), 1);
	/* a is the oldest stored but the latest used: b goes first. */
	assert_true(present(c, "a.example", DNS_T_A, T0 + 3));
	assert_int_equal(store_a(c, "d.example", 300, "192.0.2.4", T0 + 4), 1);
	assert_int_equal(entries(c), 3);
	assert_false(present(c, "b.example", DNS_T_A, T0 + 5));
	/* Order now, oldest first: c, a, d.  Touch c; then e pushes out a. */
	assert_true(present(c, "c.example", DNS_T_A, T0 + 5));
	assert_int_equal(store_a(c, "e.example", 300, "192.0.2.5", T0 + 6), 1);
	assert_false(present(c, "a.example", DNS_T_A, T0 + 7));
	assert_true(present(c, "c.example", DNS_T_A, T0 + 7));
	assert_true(present(c, "d.example", DNS_T_A, T0 + 7));
	assert_true(present(c, "e.example", DNS_T_A, T0 + 7));
	dns_cache_stats(c, &st);
	assert_int_equal(st.evictions, 2);
	assert_int_equal(st.inserts, 5);
	assert_int_equal(st.entries, 3);
	/* Replacing a key in a full cache evicts nothing. */
	assert_int_equal(store_a(c, "d.example", 300, "192.0.2.44", T0 + 8), 1);
	dns_cache_stats(c, &st);
	assert_int_equal(st.evictions, 2);
	assert_true(present(c, "c.example", DNS_T_A, T0 + 9));
	assert_true(present(c, "e.example", DNS_T_A, T0 + 9));
	dns_cache_free(c);
}

/* ---- CNAME chains ---------------------------------------------------- */

/* www.example → web.example → host.lxc, A 192.0.2.7 (if with_a). */
static void chain_reply(struct reply *r, bool with_a)
{
	begin(r, "www.example", DNS_T_A, DNS_R_NOERROR);
	add_name(r, DNS_SEC_ANSWER, "www.example", DNS_T_CNAME, 600, "web.example");
	add_name(r, DNS_SEC_ANSWER, "web.example", DNS_T_CNAME, 300, "host.lxc");
	if (with_a)
		add_a(r, DNS_SEC_ANSWER, "host.lxc", 900, "192.0.2.7");
}

static void test_cname_chain_cached_as_unit(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;
	const struct dns_rr *an;
	struct reply r;

	(void)state;
	chain_reply(&r, true);
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	assert_true(hit(c, "www.example", DNS_T_A, T0 + 100, &h));
	assert_false(h.negative);
	assert_int_equal(h.answer.n[DNS_SEC_ANSWER], 3);
	an = h.answer.rrs[DNS_SEC_ANSWER];
	expect_rr(&an[0], "www.example", DNS_T_CNAME, 500);
	expect_target(&an[0], "web.example");
	expect_rr(&an[1], "web.example", DNS_T_CNAME, 200);
	expect_target(&an[1], "host.lxc");
	expect_a(&an[2], "host.lxc", 800, "192.0.2.7");
	/* The whole chain goes with its shortest TTL. */
	assert_true(present(c, "www.example", DNS_T_A, T0 + 299));
	assert_false(present(c, "www.example", DNS_T_A, T0 + 300));
	/* The chain's links are not entries of their own. */
	assert_false(present(c, "web.example", DNS_T_A, T0));
	assert_false(present(c, "host.lxc", DNS_T_A, T0));
	dns_cache_free(c);
}

static void test_cname_chain_out_of_order(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;
	struct reply r;

	(void)state;
	begin(&r, "www.example", DNS_T_A, DNS_R_NOERROR);
	add_a(&r, DNS_SEC_ANSWER, "host.lxc", 900, "192.0.2.7");
	add_name(&r, DNS_SEC_ANSWER, "web.example", DNS_T_CNAME, 300, "host.lxc");
	add_name(&r, DNS_SEC_ANSWER, "www.example", DNS_T_CNAME, 600, "web.example");
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	assert_true(hit(c, "www.example", DNS_T_A, T0, &h));
	assert_false(h.negative);
	/* Returned in the order upstream gave them. */
	assert_int_equal(h.answer.rrs[DNS_SEC_ANSWER][0].type, DNS_T_A);
	assert_int_equal(h.answer.rrs[DNS_SEC_ANSWER][2].type, DNS_T_CNAME);
	dns_cache_free(c);
}

static void test_cname_chain_without_target_is_nodata(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;
	struct reply r;

	(void)state;
	/* The chain alone, no SOA: a NODATA nobody can time, not cached. */
	chain_reply(&r, false);
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 0);
	assert_false(present(c, "www.example", DNS_T_A, T0));

	/* With the SOA of the end's zone: negative, the chain kept with it,
	 * for min(SOA TTL, MINIMUM) and no longer than the chain's TTLs. */
	chain_reply(&r, false);
	add_soa(&r, "lxc", 600, 500);
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	assert_true(hit(c, "www.example", DNS_T_A, T0, &h));
	assert_true(h.negative);
	assert_int_equal(h.answer.rcode, DNS_R_NOERROR);
	assert_int_equal(h.answer.n[DNS_SEC_ANSWER], 2);
	assert_int_equal(h.answer.n[DNS_SEC_AUTHORITY], 1);
	expect_rr(&h.answer.rrs[DNS_SEC_ANSWER][0], "www.example", DNS_T_CNAME, 300);
	expect_rr(&h.answer.rrs[DNS_SEC_ANSWER][1], "web.example", DNS_T_CNAME, 300);
	expect_rr(&h.answer.rrs[DNS_SEC_AUTHORITY][0], "lxc", DNS_T_SOA, 300);
	assert_false(present(c, "www.example", DNS_T_A, T0 + 300));

	/* A record of the type asked for, but off the chain, answers nothing. */
	chain_reply(&r, false);
	add_a(&r, DNS_SEC_ANSWER, "elsewhere.example", 900, "192.0.2.8");
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 0);
	dns_cache_free(c);
}

static void test_nxdomain_after_cname(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;
	struct reply r;

	(void)state;
	/* RFC 6604: the NXDOMAIN is about the end of the chain; the chain
	 * that leads there is part of the answer. */
	begin(&r, "www.example", DNS_T_A, DNS_R_NXDOMAIN);
	add_name(&r, DNS_SEC_ANSWER, "www.example", DNS_T_CNAME, 600, "gone.example");
	add_soa(&r, "example", 600, 120);
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	assert_true(hit(c, "www.example", DNS_T_A, T0, &h));
	assert_true(h.negative);
	assert_int_equal(h.answer.rcode, DNS_R_NXDOMAIN);
	assert_int_equal(h.answer.n[DNS_SEC_ANSWER], 1);
	expect_rr(&h.answer.rrs[DNS_SEC_ANSWER][0], "www.example", DNS_T_CNAME, 120);
	assert_false(present(c, "www.example", DNS_T_A, T0 + 120));
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	assert_int_equal(dns_cache_purge_name(c, "gone.example"), 1);

	/* An NXDOMAIN is negative whatever its answer section holds. */
	begin(&r, "odd.example", DNS_T_A, DNS_R_NXDOMAIN);
	add_a(&r, DNS_SEC_ANSWER, "odd.example", 600, "192.0.2.1");
	add_soa(&r, "example", 600, 120);
	assert_int_equal(store(c, "odd.example", DNS_T_A, &r, T0), 1);
	assert_true(hit(c, "odd.example", DNS_T_A, T0, &h));
	assert_true(h.negative);
	assert_int_equal(h.answer.rrs[DNS_SEC_ANSWER][0].ttl, 120);
	dns_cache_free(c);
}

static void test_cname_query_and_any(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_hit h;
	struct reply r;

	(void)state;
	/* Asking for the CNAME itself: the first link is the answer. */
	begin(&r, "www.example", DNS_T_CNAME, DNS_R_NOERROR);
	add_name(&r, DNS_SEC_ANSWER, "www.example", DNS_T_CNAME, 600, "web.example");
	assert_int_equal(store(c, "www.example", DNS_T_CNAME, &r, T0), 1);
	assert_true(hit(c, "www.example", DNS_T_CNAME, T0, &h));
	assert_false(h.negative);

	/* ANY: whatever came back is the answer. */
	begin(&r, "host.example", DNS_T_ANY, DNS_R_NOERROR);
	add_a(&r, DNS_SEC_ANSWER, "host.example", 120, "192.0.2.9");
	add_name(&r, DNS_SEC_ANSWER, "host.example", DNS_T_NS, 60, "ns.example");
	assert_int_equal(store(c, "host.example", DNS_T_ANY, &r, T0), 1);
	assert_true(hit(c, "host.example", DNS_T_ANY, T0, &h));
	assert_false(h.negative);
	assert_int_equal(h.answer.n[DNS_SEC_ANSWER], 2);
	assert_false(present(c, "host.example", DNS_T_ANY, T0 + 60));
	dns_cache_free(c);
}

static void test_cname_loop_terminates(void **state)
{
	struct dns_cache *c = cache(16);
	struct reply r;

	(void)state;
	begin(&r, "a.example", DNS_T_A, DNS_R_NOERROR);
	add_name(&r, DNS_SEC_ANSWER, "a.example", DNS_T_CNAME, 60, "b.example");
	add_name(&r, DNS_SEC_ANSWER, "b.example", DNS_T_CNAME, 60, "a.example");
	add_soa(&r, "example", 60, 60);
	/* No A anywhere: a (negative) answer, and no endless walk. */
	assert_int_equal(store(c, "a.example", DNS_T_A, &r, T0), 1);
	assert_int_equal(dns_cache_purge_name(c, "b.example"), 1);
	dns_cache_free(c);
}

/* ---- purging --------------------------------------------------------- */

static void test_purge_by_question_name(void **state)
{
	struct dns_cache *c = cache(16);
	struct dns_cache_stats st;
	struct reply r;

	(void)state;
	assert_int_equal(store_a(c, "c1.lxc", 300, "10.0.3.5", T0), 1);
	begin(&r, "c1.lxc", DNS_T_AAAA, DNS_R_NOERROR);
	add_soa(&r, "lxc", 300, 300);
	assert_int_equal(store(c, "c1.lxc", DNS_T_AAAA, &r, T0), 1);
	assert_int_equal(store_a(c, "c2.lxc", 300, "10.0.3.6", T0), 1);
	assert_int_equal(store_nx(c, "c3.lxc", "lxc", 300, 300, T0), 1);

	assert_int_equal(dns_cache_purge_name(c, "C1.Lxc"), 2);
	assert_false(present(c, "c1.lxc", DNS_T_A, T0));
	assert_false(present(c, "c1.lxc", DNS_T_AAAA, T0));
	assert_true(present(c, "c2.lxc", DNS_T_A, T0));
	/* A negative entry goes by its question name too. */
	assert_int_equal(dns_cache_purge_name(c, "c3.lxc"), 1);
	assert_false(present(c, "c3.lxc", DNS_T_A, T0));
	assert_int_equal(dns_cache_purge_name(c, "c1.lxc"), 0);
	assert_int_equal(dns_cache_purge_name(c, "nothing.lxc"), 0);
	dns_cache_stats(c, &st);
	assert_int_equal(st.purged, 3);
	assert_int_equal(st.entries, 1);
	dns_cache_free(c);
}

static void test_purge_by_cname_target(void **state)
{
	struct dns_cache *c = cache(16);
	struct reply r;

	(void)state;
	/* A chain that ends at host.lxc, and the reverse name pointing at it. */
	chain_reply(&r, true);
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	begin(&r, "7.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_R_NOERROR);
	add_name(&r, DNS_SEC_ANSWER, "7.2.0.192.in-addr.arpa", DNS_T_PTR, 300, "Host.LXC");
	assert_int_equal(store(c, "7.2.0.192.in-addr.arpa", DNS_T_PTR, &r, T0), 1);
	begin(&r, "example", DNS_T_MX, DNS_R_NOERROR);
	{
		uint8_t rd[DNS_WIRE_NAME_MAX + 2];
		int n = dns_rdata_mx(10, "mail.lxc", rd, sizeof(rd));

		assert_true(n > 0);
		add_rr(&r, DNS_SEC_ANSWER, "example", DNS_T_MX, 300, rd, (size_t)n);
	}
	assert_int_equal(store(c, "example", DNS_T_MX, &r, T0), 1);
	begin(&r, "_http._tcp.example", DNS_T_SRV, DNS_R_NOERROR);
	{
		uint8_t rd[DNS_WIRE_NAME_MAX + 6];
		int n = dns_rdata_srv(0, 5, 80, "web.lxc", rd, sizeof(rd));

		assert_true(n > 0);
		add_rr(&r, DNS_SEC_ANSWER, "_http._tcp.example", DNS_T_SRV, 300, rd, (size_t)n);
	}
	assert_int_equal(store(c, "_http._tcp.example", DNS_T_SRV, &r, T0), 1);
	assert_int_equal(store_a(c, "unrelated.example", 300, "192.0.2.99", T0), 1);

	/* host.lxc is a CNAME target and a PTR target; any case finds it. */
	assert_int_equal(dns_cache_purge_name(c, "HOST.lxc"), 2);
	assert_false(present(c, "www.example", DNS_T_A, T0));
	assert_false(present(c, "7.2.0.192.in-addr.arpa", DNS_T_PTR, T0));
	assert_true(present(c, "example", DNS_T_MX, T0));
	/* MX exchange and SRV target. */
	assert_int_equal(dns_cache_purge_name(c, "mail.lxc"), 1);
	assert_false(present(c, "example", DNS_T_MX, T0));
	assert_int_equal(dns_cache_purge_name(c, "web.lxc"), 1);
	assert_false(present(c, "_http._tcp.example", DNS_T_SRV, T0));
	assert_true(present(c, "unrelated.example", DNS_T_A, T0));
	assert_int_equal(entries(c), 1);
	dns_cache_free(c);
}

static void test_purge_by_owner(void **state)
{
	struct dns_cache *c = cache(16);
	struct reply r;

	(void)state;
	/* web.example is the middle link: owner of one CNAME, target of another. */
	chain_reply(&r, true);
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	/* "lxc" is only the owner of the SOA in the authority section. */
	begin(&r, "c9.lxc", DNS_T_AAAA, DNS_R_NOERROR);
	add_soa(&r, "lxc", 300, 300);
	assert_int_equal(store(c, "c9.lxc", DNS_T_AAAA, &r, T0), 1);
	assert_int_equal(store_a(c, "unrelated.example", 300, "192.0.2.99", T0), 1);

	assert_int_equal(dns_cache_purge_name(c, "LXC"), 1);
	assert_false(present(c, "c9.lxc", DNS_T_AAAA, T0));
	assert_true(present(c, "www.example", DNS_T_A, T0));
	/* Mentioned three times in one entry, dropped once. */
	assert_int_equal(dns_cache_purge_name(c, "Web.Example"), 1);
	assert_false(present(c, "www.example", DNS_T_A, T0));
	assert_true(present(c, "unrelated.example", DNS_T_A, T0));
	dns_cache_free(c);
}

static void test_purge_after_eviction(void **state)
{
	struct dns_cache *c = cache(1);
	struct reply r;

	(void)state;
	chain_reply(&r, true);
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	/* Evicts the chain; its names must leave the index with it. */
	assert_int_equal(store_a(c, "other.example", 300, "192.0.2.2", T0), 1);
	assert_int_equal(dns_cache_purge_name(c, "host.lxc"), 0);
	assert_int_equal(dns_cache_purge_name(c, "web.example"), 0);
	assert_int_equal(dns_cache_purge_name(c, "www.example"), 0);
	assert_true(present(c, "other.example", DNS_T_A, T0));
	/* And after expiry removed an entry on lookup. */
	assert_false(present(c, "other.example", DNS_T_A, T0 + 300));
	assert_int_equal(dns_cache_purge_name(c, "other.example"), 0);
	/* And after a replacement. */
	chain_reply(&r, true);
	assert_int_equal(store(c, "www.example", DNS_T_A, &r, T0), 1);
	assert_int_equal(store_a(c, "www.example", 300, "192.0.2.3", T0), 1);
	assert_int_equal(dns_cache_purge_name(c, "host.lxc"), 0);
	assert_int_equal(dns_cache_purge_name(c, "www.example"), 1);
	dns_cache_free(c);
}

static void test_clear(void **state)
{
	struct dns_cache *c = cache(16);

	(void)state;
	assert_int_equal(store_a(c, "a.example", 300, "192.0.2.1", T0), 1);
	assert_int_equal(store_nx(c, "b.example", "example", 300, 300, T0), 1);
	dns_cache_clear(c);
	assert_int_equal(entries(c), 0);
	assert_false(present(c, "a.example", DNS_T_A, T0));
	assert_false(present(c, "b.example", DNS_T_A, T0));
	assert_int_equal(dns_cache_purge_name(c, "example"), 0);
	/* Still usable. */
	assert_int_equal(store_a(c, "a.example", 300, "192.0.2.1", T0), 1);
	assert_true(present(c, "a.example", DNS_T_A, T0));
	dns_cache_free(c);
}

/*
 * Churn: 3000 chains through a cache of 100, each mentioning one of 10
 * shared targets, then purges of each target.  The survivors are exactly
 * the last 100 stored (no lookups in between to reorder them).
 */
static void test_churn(void **state)
{
	enum { N = 3000, SIZE = 100, TARGETS = 10 };
	struct dns_cache *c = cache(SIZE);
	struct dns_cache_stats st;
	char name[64], target[64];
	struct reply r;

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "h%u.example", i);
		snprintf(target, sizeof(target), "t%u.lxc", i % TARGETS);
		begin(&r, name, DNS_T_A, DNS_R_NOERROR);
		add_name(&r, DNS_SEC_ANSWER, name, DNS_T_CNAME, 600, target);
		add_a(&r, DNS_SEC_ANSWER, target, 600, "10.0.3.1");
		assert_int_equal(store(c, name, DNS_T_A, &r, T0), 1);
	}
	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, SIZE);
	assert_int_equal(st.evictions, N - SIZE);
	for (unsigned t = 0; t < TARGETS; t++) {
		snprintf(target, sizeof(target), "T%u.LXC", t);
		assert_int_equal(dns_cache_purge_name(c, target), SIZE / TARGETS);
		for (unsigned i = N - SIZE; i < N; i++) {
			snprintf(name, sizeof(name), "h%u.example", i);
			assert_int_equal(present(c, name, DNS_T_A, T0), i % TARGETS > t);
		}
	}
	assert_int_equal(entries(c), 0);
	dns_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positive_ttl_counts_down),
		cmocka_unit_test(test_key_is_case_insensitive_and_typed),
		cmocka_unit_test(test_min_and_max_cache_ttl),
		cmocka_unit_test(test_zero_ttl_not_stored),
		cmocka_unit_test(test_replace_existing_key),
		cmocka_unit_test(test_additional_section_and_opt_dropped),
		cmocka_unit_test(test_nxdomain_soa_min_of_ttl_and_minimum),
		cmocka_unit_test(test_negative_capped_by_max_neg_ttl),
		cmocka_unit_test(test_negative_without_soa),
		cmocka_unit_test(test_no_negcache),
		cmocka_unit_test(test_nodata_cached_as_negative),
		cmocka_unit_test(test_errors_and_truncation_never_stored),
		cmocka_unit_test(test_extended_rcode_never_stored),
		cmocka_unit_test(test_question_mismatch_rejected),
		cmocka_unit_test(test_malformed_record_rejected),
		cmocka_unit_test(test_size_zero_caches_nothing),
		cmocka_unit_test(test_lru_eviction_order),
		cmocka_unit_test(test_cname_chain_cached_as_unit),
		cmocka_unit_test(test_cname_chain_out_of_order),
		cmocka_unit_test(test_cname_chain_without_target_is_nodata),
		cmocka_unit_test(test_nxdomain_after_cname),
		cmocka_unit_test(test_cname_query_and_any),
		cmocka_unit_test(test_cname_loop_terminates),
		cmocka_unit_test(test_purge_by_question_name),
		cmocka_unit_test(test_purge_by_cname_target),
		cmocka_unit_test(test_purge_by_owner),
		cmocka_unit_test(test_purge_after_eviction),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
