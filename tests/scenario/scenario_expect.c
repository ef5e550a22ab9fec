/*
 * scenario_expect — `expect` lines: what the last dhcp, lease, dns or
 * cache step produced, compared with what the scenario says (after dhcp6:
 * scenario_dhcp6.c).  Address patterns ("10.0.3.x", "fd42::*", "*",
 * "@var"), reply types and options for DHCP;
 * the lease's fields; rcode, AA, NODATA, SOA, TTL and the exact set of
 * answer records for DNS.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario.h"
#include "core/util.h"

/* ---- DHCP ---- */

/* "10.0.3.x": 'x' or '*' for any octet. */
static bool v4_pattern_matches(const char *pat, struct in_addr a, bool *bad)
{
	uint8_t b[4];
	const char *p = pat;

	memcpy(b, &a.s_addr, 4);
	for (int i = 0; i < 4; i++) {
		char *end;
		unsigned long v;

		if (*p == 'x' || *p == '*') {
			end = (char *)p + 1;
		} else {
			v = strtoul(p, &end, 10);
			if (end == p || v > 255) {
				*bad = true;
				return false;
			}
			if (v != b[i])
				return false;
		}
		if (*end != (i < 3 ? '.' : '\0')) {
			*bad = true;
			return false;
		}
		p = end + 1;
	}
	return true;
}

/* "fd42::*": the address as inet_ntop writes it begins with what precedes the '*'. */
static bool v6_pattern_matches(const char *pat, const struct lease_addr *a, bool *bad)
{
	char text[LEASE_ADDR_STRLEN];
	size_t n = strlen(pat) - 1;

	if (pat[n] != '*' || strpbrk(pat, "x*") != pat + n) {
		*bad = true;
		return false;
	}
	lease_addr_str(a, text, sizeof(text));
	return a->family == AF_INET6 && strncasecmp(text, pat, n) == 0;
}

/*
 * "*" (any address), "@var" or a literal of either family, "10.0.3.x"
 * ('x' or '*': any octet), "fd42::*" (the text's beginning).
 */
static bool addr_matches(struct scn *s, const char *pat, const struct lease_addr *a, bool *bad)
{
	struct lease_addr want;

	*bad = false;
	if (strcmp(pat, "*") == 0)
		return lease_addr_usable(a);
	if (pat[0] == '@' || !strpbrk(pat, "x*")) {
		if (scn_addr(s, pat, AF_UNSPEC, &want) < 0)
			return *bad = true, false;
		return lease_addr_equal(&want, a);
	}
	if (strchr(pat, ':'))
		return v6_pattern_matches(pat, a, bad);
	return a->family == AF_INET && v4_pattern_matches(pat, a->v4, bad);
}

bool scn_check_addr(struct scn *s, const char *pat, const struct lease_addr *a,
		    const char *what)
{
	char buf[LEASE_ADDR_STRLEN];
	bool bad;

	if (addr_matches(s, pat, a, &bad))
		return true;
	if (!bad)
		scn_fail(s, "%s %s, not %s", what, lease_addr_str(a, buf, sizeof(buf)), pat);
	else if (!s->step_failed) /* else scn_addr said what was wrong */
		scn_fail(s, "\"%s\" is not an address pattern", pat);
	return false;
}

static const char *dhcp_outcome(const struct scn *s, char *buf, size_t len)
{
	char addr[INET_ADDRSTRLEN];
	size_t mlen = 0;
	const uint8_t *m;

	if (s->dhcp_res.verdict != DHCP4_REPLY)
		return "no reply";
	m = dhcp4_get_option(&s->dhcp_reply, OPT_MESSAGE, &mlen);
	inet_ntop(AF_INET, &s->dhcp_reply.yiaddr, addr, sizeof(addr));
	snprintf(buf, len, "%s %s%s%.*s%s", dhcp4_msg_type_name(s->dhcp_res.reply_type), addr,
		 m ? " (" : "", m ? (int)mlen : 0, m ? (const char *)m : "", m ? ")" : "");
	return buf;
}

static uint8_t reply_type_named(const char *w)
{
	static const struct { const char *name; uint8_t type; } types[] = {
		{ "offer", DHCPOFFER }, { "ack", DHCPACK }, { "nak", DHCPNAK }, { "none", 0 },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, w) == 0)
			return types[i].type;
	return 0xff;
}

static void expect_dhcp_word(struct scn *s, const char *w)
{
	const char *v, *m;
	size_t mlen = 0;
	unsigned long n;
	uint8_t lt[4];
	struct lease_addr yiaddr = lease_addr4(s->dhcp_reply.yiaddr);

	if (scn_kv(w, "addr", &v)) {
		scn_check_addr(s, v, &yiaddr, "yiaddr is");
	} else if (scn_kv(w, "as", &v)) {
		scn_set_var(s, v, yiaddr);
	} else if (scn_kv(w, "message", &v)) {
		m = (const char *)dhcp4_get_option(&s->dhcp_reply, OPT_MESSAGE, &mlen);
		if (!m || mlen != strlen(v) || memcmp(m, v, mlen) != 0)
			scn_fail(s, "message is \"%.*s\", not \"%s\"", m ? (int)mlen : 0,
				 m ? m : "", v);
	} else if (scn_kv(w, "lease-time", &v)) {
		m = (const char *)dhcp4_get_option(&s->dhcp_reply, OPT_LEASE_TIME, &mlen);
		if (scn_number(s, v, "lease-time", 0xffffffffu, &n) < 0)
			return;
		if (m && mlen == 4)
			memcpy(lt, m, 4);
		if (!m || mlen != 4 || get_be32(lt) != n)
			scn_fail(s, "lease time is not %lu", n);
	} else {
		scn_fail(s, "unknown expect word for dhcp: \"%s\"", w);
	}
}

static void expect_dhcp(struct scn *s, const struct scn_tokens *t)
{
	uint8_t want = reply_type_named(t->w[1]);
	bool replied = s->dhcp_res.verdict == DHCP4_REPLY;
	char got[128];

	if (want == 0xff) {
		scn_fail(s, "expect after dhcp: offer|ack|nak|none [addr=] [as=] [message=] "
			    "[lease-time=]");
		return;
	}
	if (want ? !replied || s->dhcp_res.reply_type != want : replied) {
		scn_fail(s, "expected %s, got %s", t->w[1], dhcp_outcome(s, got, sizeof(got)));
		return;
	}
	for (size_t i = 2; i < t->n; i++)
		expect_dhcp_word(s, t->w[i]);
}

/* ---- the lease table ---- */

static void expect_expires(struct scn *s, const char *v)
{
	unsigned long n;
	time_t want;

	if (strcmp(v, "never") == 0)
		want = 0;
	else if (scn_number(s, v + (v[0] == '+'), "expires", 4000000000ul, &n) < 0)
		return;
	else
		want = v[0] == '+' ? s->now + (time_t)n : (time_t)n;
	if (s->lease.expires != want)
		scn_fail(s, "the lease expires at %lld (now %+lld), not at %lld",
			 (long long)s->lease.expires, (long long)(s->lease.expires - s->now),
			 (long long)want);
}

static void expect_lease_word(struct scn *s, const char *w)
{
	const char *v;
	uint8_t mac[6];
	size_t n;
	unsigned long count;

	if (scn_kv(w, "count", &v)) {
		if (scn_number(s, v, "count", 1000000, &count) == 0 && count != s->lease_total)
			scn_fail(s, "the table holds %zu leases, not %lu", s->lease_total, count);
	} else if (!s->lease_found) {
		scn_fail(s, "no such lease (expected one with %s)", w);
	} else if (scn_kv(w, "addr", &v)) {
		scn_check_addr(s, v, &s->lease.addr, "the lease is for");
	} else if (scn_kv(w, "as", &v)) {
		scn_set_var(s, v, s->lease.addr);
	} else if (scn_kv(w, "name", &v)) {
		if (strcasecmp(s->lease.hostname, strcmp(v, "-") ? v : "") != 0)
			scn_fail(s, "the lease's name is \"%s\", not \"%s\"", s->lease.hostname, v);
	} else if (scn_kv(w, "mac", &v)) {
		if (scn_parse_hex(s, v, mac, sizeof(mac), &n) == 0 &&
		    (n != s->lease.hwlen || memcmp(mac, s->lease.hwaddr, n) != 0))
			scn_fail(s, "the lease's hardware address is not %s", v);
	} else if (scn_kv(w, "expires", &v)) {
		expect_expires(s, v);
	} else {
		scn_fail(s, "unknown expect word for lease: \"%s\"", w);
	}
}

static void expect_lease(struct scn *s, const struct scn_tokens *t)
{
	char addr[LEASE_ADDR_STRLEN];

	if (strcmp(t->w[1], "none") == 0) {
		if (s->lease_found)
			scn_fail(s, "a lease exists (%s, \"%s\")",
				 lease_addr_str(&s->lease.addr, addr, sizeof(addr)),
				 s->lease.hostname);
		return;
	}
	for (size_t i = 1; i < t->n; i++)
		expect_lease_word(s, t->w[i]);
}

/* ---- DNS ---- */

const char *scn_rcode_name(int rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP", "REFUSED" };

	return rcode >= 0 && rcode < 6 ? names[rcode] : "RCODE?";
}

static int rcode_of(const char *w)
{
	for (int i = 0; i < 6; i++)
		if (strcmp(scn_rcode_name(i), w) == 0)
			return i;
	return -1;
}

/* "NXDOMAIN aa: A 10.0.3.5, PTR c1.lxc" or "not answered here (forwarded)". */
static const char *describe(const struct scn_snap *sn, char *buf, size_t len)
{
	char type[16];
	size_t used;

	if (!sn->answered)
		return "no answer here or in the cache (forwarded)";
	used = (size_t)snprintf(buf, len, "%s%s%s", scn_rcode_name(sn->rcode), sn->aa ? " aa" : "",
				sn->from_cache ? " cached" : "");
	for (size_t i = 0; i < sn->nrr && sn->rr[i].sec == DNS_SEC_ANSWER && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s %s %s", i ? "," : ":",
					 dns_type_name(sn->rr[i].type, type, sizeof(type)),
					 sn->rr[i].data);
	return buf;
}

/* The answer section holds a record of type with this presentation data. */
static bool has_record(const struct scn_snap *sn, uint16_t type, const char *data)
{
	for (size_t i = 0; i < sn->nrr; i++) {
		const struct scn_rr *r = &sn->rr[i];

		if (r->sec == DNS_SEC_ANSWER && r->type == type &&
		    (strcmp(r->data, data) == 0 || dns_name_equal(r->data, data)))
			return true;
	}
	return false;
}

static bool has_soa(const struct scn_snap *sn)
{
	for (size_t i = 0; i < sn->nrr; i++)
		if (sn->rr[i].sec == DNS_SEC_AUTHORITY && sn->rr[i].type == DNS_T_SOA)
			return true;
	return false;
}

/*
 * An expected record's data as the answer snapshot prints it: an A or
 * AAAA address (literal or @var) as inet_ntop writes it, which is
 * dns_rdata_format's way ("fd42:0::10" is "fd42::10"); else as written.
 */
static int record_data(struct scn *s, uint16_t type, const char *value, char *data,
		       size_t len)
{
	struct lease_addr a;

	if (type == DNS_T_A || type == DNS_T_AAAA) {
		if (scn_addr(s, value, type == DNS_T_A ? AF_INET : AF_INET6, &a) < 0)
			return -1;
		lease_addr_str(&a, data, len);
		return 0;
	}
	if (value[0] == '@') {
		scn_fail(s, "%s: an address, but only A and AAAA records hold one", value);
		return -1;
	}
	str_copy(data, value, len);
	return 0;
}

/* One expected record, TYPE VALUE (VALUE may be @var for A and AAAA). */
static void expect_record(struct scn *s, uint16_t type, const char *value, const char *got)
{
	char data[SCN_RDATA_TEXT], tname[16];

	if (record_data(s, type, value, data, sizeof(data)) < 0)
		return;
	if (!has_record(&s->snap, type, data))
		scn_fail(s, "no %s %s in the answer (got %s)",
			 dns_type_name(type, tname, sizeof(tname)), data, got);
}

/* ttl=N: every answer record's TTL (there must be some). */
static void expect_ttl(struct scn *s, const char *v)
{
	unsigned long n;

	if (scn_number(s, v, "ttl", 0xffffffffu, &n) < 0)
		return;
	if (!s->snap.n[DNS_SEC_ANSWER])
		scn_fail(s, "ttl=%lu, but the answer has no records (left= for a cache entry)", n);
	for (size_t i = 0; i < s->snap.nrr; i++)
		if (s->snap.rr[i].sec == DNS_SEC_ANSWER && s->snap.rr[i].ttl != n)
			scn_fail(s, "answer TTL %u, not %lu", s->snap.rr[i].ttl, n);
}

/* left=N, after a cache step: the entry's seconds to live. */
static void expect_left(struct scn *s, const char *v)
{
	unsigned long n;

	if (s->last != SCN_LAST_CACHE)
		scn_fail(s, "left= follows a cache step only");
	else if (scn_number(s, v, "left", 0xffffffffu, &n) == 0 && s->snap.ttl_left != n)
		scn_fail(s, "the entry has %u s left, not %lu", s->snap.ttl_left, n);
}

/* One word of an expect after dns or cache; returns the records it expects (0 or 1). */
static size_t expect_dns_word(struct scn *s, const struct scn_tokens *t, size_t *i,
			      const char *got)
{
	const char *w = t->w[*i], *v;
	int rc = rcode_of(w), type = scn_dns_type(w);

	if (rc >= 0) {
		if (rc != s->snap.rcode)
			scn_fail(s, "expected %s, got %s", w, got);
	} else if (strcmp(w, "aa") == 0) {
		if (!s->snap.aa)
			scn_fail(s, "expected an authoritative (local) answer, got %s", got);
	} else if (strcmp(w, "cached") == 0) {
		if (!s->snap.from_cache)
			scn_fail(s, "expected an answer from the cache, got %s", got);
	} else if (strcmp(w, "nodata") == 0) {
		if (s->snap.rcode != DNS_R_NOERROR || s->snap.n[DNS_SEC_ANSWER])
			scn_fail(s, "expected NODATA (NOERROR, no answer), got %s", got);
	} else if (strcmp(w, "soa") == 0) {
		if (!has_soa(&s->snap))
			scn_fail(s, "expected an SOA in the authority section, got %s", got);
	} else if (scn_kv(w, "ttl", &v)) {
		expect_ttl(s, v);
	} else if (scn_kv(w, "left", &v)) {
		expect_left(s, v);
	} else if (type >= 0 && *i + 1 < t->n) {
		expect_record(s, (uint16_t)type, t->w[++*i], got);
		return 1;
	} else {
		scn_fail(s, "unknown expect word for dns (or a type without data): \"%s\"", w);
	}
	return 0;
}

static void expect_dns(struct scn *s, const struct scn_tokens *t)
{
	char buf[1024];
	size_t records = 0;
	bool none = strcmp(t->w[1], "none") == 0 || strcmp(t->w[1], "forward") == 0;
	/* The returned text: "no answer ..." is not written into buf. */
	const char *got = describe(&s->snap, buf, sizeof(buf));
	if (none || !s->snap.answered) {
		if (none != !s->snap.answered)
			scn_fail(s, "expected %s, got %s", none ? t->w[1] : "an answer", got);
		return;
	}
	for (size_t i = 1; i < t->n; i++)
		records += expect_dns_word(s, t, &i, got);
	/* Records listed: the answer holds those and no other. */
	if (records && records != s->snap.n[DNS_SEC_ANSWER])
		scn_fail(s, "%zu answer records expected, got %s", records, got);
}

void scn_expect(struct scn *s, const struct scn_tokens *t)
{
	if (t->n < 2) {
		scn_fail(s, "usage: expect WHAT...");
		return;
	}
	switch (s->last) {
	case SCN_LAST_DHCP:
		expect_dhcp(s, t);
		break;
	case SCN_LAST_DHCP6:
		scn_expect_dhcp6(s, t);
		break;
	case SCN_LAST_LEASE:
		expect_lease(s, t);
		break;
	case SCN_LAST_DNS:
	case SCN_LAST_CACHE:
		expect_dns(s, t);
		break;
	case SCN_LAST_NONE:
		scn_fail(s, "expect follows no dhcp, dhcp6, dns, cache or lease step");
		break;
	}
}
