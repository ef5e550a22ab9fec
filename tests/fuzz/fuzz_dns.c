/*
 * fuzz_dns — arbitrary bytes as a DNS query and as an upstream reply.
 *
 * As a query: dns_parse_query(); when it parses, a reply with records of
 * every kind the builder treats differently (compressible names in owner
 * and RDATA, SRV, a TXT whose size comes from the input, an SOA, an
 * additional record, and enough A records to force truncation) is written
 * at a limit picked from the input.  It must stay within the limit, read
 * back whole with dns_reader, echo the question exactly, carry an OPT
 * exactly when the query had one, and hold every record it claims intact
 * and in order.
 *
 * As a reply: dns_reader over every record.  Each record read must be
 * whole, its names must be valid, and written out again with the builder
 * it must read back the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns/dns_wire.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

#define MAX_RRS 48

/* The records a reply is built from, and their storage. */
struct answer_set {
	struct dns_rr rrs[MAX_RRS];
	uint8_t data[8192];
	size_t used;
	size_t n[3];
	struct dns_answer a;
};

static void add(struct answer_set *s, enum dns_section sec, const char *owner, uint16_t type,
		const uint8_t *rdata, int rdlen)
{
	size_t i = s->n[0] + s->n[1] + s->n[2];

	/* Sections are filled in order, so each is a contiguous run. */
	if (rdlen < 0 || i >= MAX_RRS || s->used + (size_t)rdlen > sizeof(s->data))
		return;
	memcpy(s->data + s->used, rdata, (size_t)rdlen);
	s->rrs[i] = (struct dns_rr){ .owner = owner, .type = type, .class = DNS_C_IN,
				     .ttl = 60 + (uint32_t)i, .rdata = s->data + s->used,
				     .rdlen = (uint16_t)rdlen };
	s->used += (size_t)rdlen;
	s->n[sec]++;
}

static void make_answer(struct answer_set *s, const struct dns_query *q, uint8_t knobs)
{
	static char text[700];
	const char *strs[1] = { text };
	uint8_t tmp[1024];
	size_t nA = (size_t)(knobs & 0x1f) + 1;

	memset(s, 0, sizeof(*s));
	memset(text, 't', sizeof(text) - 1);
	text[(size_t)(knobs >> 5) * 90] = '\0';
	for (size_t i = 0; i < nA; i++)
		add(s, DNS_SEC_ANSWER, q->qname, DNS_T_A,
		    (const uint8_t[]){ 10, 0, (uint8_t)(i >> 8), (uint8_t)i }, 4);
	add(s, DNS_SEC_ANSWER, q->qname, DNS_T_CNAME, tmp, dns_rdata_name("c1.lxc", tmp, sizeof(tmp)));
	add(s, DNS_SEC_ANSWER, q->qname, DNS_T_MX, tmp, dns_rdata_mx(5, q->qname, tmp, sizeof(tmp)));
	add(s, DNS_SEC_ANSWER, "_s._tcp.lxc", DNS_T_SRV, tmp,
	    dns_rdata_srv(1, 2, 3, q->qname, tmp, sizeof(tmp)));
	add(s, DNS_SEC_ANSWER, q->qname, DNS_T_TXT, tmp, dns_rdata_txt(strs, 1, tmp, sizeof(tmp)));
	add(s, DNS_SEC_AUTHORITY, "lxc", DNS_T_SOA, tmp,
	    dns_rdata_soa("ns.lxc", "hostmaster.lxc", 1, 2, 3, 4, 5, tmp, sizeof(tmp)));
	add(s, DNS_SEC_ADDITIONAL, "ns.lxc", DNS_T_A, (const uint8_t *)"\012\000\003\001", 4);
	s->a.rcode = knobs & 1 ? DNS_R_NXDOMAIN : DNS_R_NOERROR;
	s->a.authoritative = knobs & 2;
	s->a.rrs[DNS_SEC_ANSWER] = s->rrs;
	s->a.rrs[DNS_SEC_AUTHORITY] = s->rrs + s->n[0];
	s->a.rrs[DNS_SEC_ADDITIONAL] = s->rrs + s->n[0] + s->n[1];
	memcpy(s->a.n, s->n, sizeof(s->n));
}

static uint8_t fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* One uncompressed name at *pos in both: same labels, ASCII case aside. */
static bool name_equal_at(const uint8_t *a, const uint8_t *b, size_t len, size_t *pos)
{
	size_t i = *pos;

	while (i < len && a[i]) {
		if (a[i] != b[i] || len - i - 1 < a[i])
			return false;
		for (size_t j = 1; j <= a[i]; j++)
			if (fold(a[i + j]) != fold(b[i + j]))
				return false;
		i += (size_t)a[i] + 1;
	}
	if (i >= len || b[i])
		return false;
	*pos = i + 1;
	return true;
}

/*
 * Compression matches names without regard to case, so a name inside
 * the RDATA of NS, CNAME, PTR, MX or SOA may come back in the case of
 * an earlier name; everything else must be the same octets.
 */
static bool rdata_equal(uint16_t type, const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t pos = type == DNS_T_MX ? 2 : 0;
	int names = type == DNS_T_SOA ? 2 : 1;

	if (type != DNS_T_NS && type != DNS_T_CNAME && type != DNS_T_PTR && type != DNS_T_MX &&
	    type != DNS_T_SOA)
		return !len || memcmp(a, b, len) == 0;
	if (len < pos || memcmp(a, b, pos) != 0)
		return false;
	for (int i = 0; i < names; i++)
		if (!name_equal_at(a, b, len, &pos))
			return false;
	return memcmp(a + pos, b + pos, len - pos) == 0;
}

static bool same_rr(const struct dns_rr *got, const struct dns_rr *want)
{
	return dns_name_equal(got->owner, want->owner) && got->type == want->type &&
	       got->class == want->class && got->ttl == want->ttl && got->rdlen == want->rdlen &&
	       rdata_equal(want->type, got->rdata, want->rdata, want->rdlen);
}

/* What the reply must say about the query, apart from its records. */
static void check_reply_head(const struct dns_reader *r, const struct dns_query *q)
{
	CHECK(r->id == q->id);
	CHECK(r->flags & DNS_F_QR);
	CHECK(r->flags & DNS_F_RA);
	CHECK((r->flags & DNS_F_RD) == (q->flags & DNS_F_RD));
	CHECK(r->count[0] == 1);
	CHECK(strcmp(r->qname, q->qname) == 0);
	CHECK(r->qtype == q->qtype && r->qclass == q->qclass);
}

static void check_reply(const uint8_t *msg, size_t len, size_t limit, const struct dns_query *q,
			const struct answer_set *s)
{
	struct dns_reader r;
	struct dns_rr_buf *out = malloc(sizeof(*out));
	size_t seen[3] = { 0, 0, 0 }, opts = 0;
	bool badvers = q->has_edns && q->edns_version != 0;
	int rc;

	CHECK(out);
	CHECK(len >= DNS_HEADER_LEN && len <= MAX(limit, (size_t)DNS_UDP_MIN));
	CHECK(dns_reader_init(&r, msg, len) == 0);
	check_reply_head(&r, q);
	while ((rc = dns_reader_next(&r, out)) == 1) {
		if (out->rr.type == DNS_T_OPT) {
			CHECK(out->section == DNS_SEC_ADDITIONAL && out->rr.owner[0] == '\0');
			CHECK((out->rr.ttl >> 24) == (badvers ? 1 : 0));
			opts++;
			continue;
		}
		/* Records appear in order, each as it was given. */
		CHECK(seen[out->section] < s->n[out->section]);
		CHECK(same_rr(&out->rr, &s->a.rrs[out->section][seen[out->section]]));
		seen[out->section]++;
	}
	CHECK(rc == 0);
	CHECK(opts == (q->has_edns ? 1 : 0));
	if (badvers)
		CHECK(seen[0] + seen[1] + seen[2] == 0);
	else if (!(r.flags & DNS_F_TC))
		CHECK(seen[0] == s->n[0]);
	else
		/* Truncated in the answers: some of them, nothing after.  The
		 * first always fits, so the answer section is never empty. */
		CHECK(seen[0] > 0 && seen[1] + seen[2] == 0);
	free(out);
}

static void fuzz_query(const uint8_t *p, size_t len)
{
	static uint8_t reply[DNS_TCP_MAX];
	struct dns_query q;
	struct answer_set *s;
	uint8_t knobs = len ? p[len - 1] : 0;
	size_t limits[4] = { 0, DNS_UDP_MIN, 1232, DNS_TCP_MAX };
	size_t limit, n;
	int rc = dns_parse_query(p, len, &q);

	if (rc < 0) {
		CHECK(len < DNS_HEADER_LEN);
		return;
	}
	CHECK(len >= DNS_HEADER_LEN);
	if (rc != DNS_R_NOERROR) {
		CHECK(rc == DNS_R_FORMERR || rc == DNS_R_NOTIMP);
		n = dns_write_error(reply, DNS_UDP_MIN, &q, rc, q.qname[0] != '\0');
		CHECK(n >= DNS_HEADER_LEN && n <= DNS_UDP_MIN);
		return;
	}
	CHECK(!q.has_edns || q.edns_size >= DNS_UDP_MIN);
	/* RFC 7873 section 5.4's cookie-only query: no question to answer. */
	if (q.cookie_only) {
		CHECK(q.has_cookie && q.qname[0] == '\0');
		n = dns_write_error(reply, DNS_UDP_MIN, &q, DNS_R_NOERROR, false);
		CHECK(n >= DNS_HEADER_LEN && n <= DNS_UDP_MIN);
		return;
	}
	limit = q.has_edns && (knobs & 4) ? q.edns_size : limits[knobs & 3];
	s = malloc(sizeof(*s));
	CHECK(s);
	make_answer(s, &q, knobs);
	n = dns_write_reply(reply, limit, &q, &s->a);
	check_reply(reply, n, limit, &q, s);
	free(s);
}

/* A record read from the input, written again: it must read back the same. */
static void check_rewrite(const struct dns_reader *r, const struct dns_rr *rr)
{
	static uint8_t buf[DNS_TCP_MAX];
	struct dns_builder b;
	struct dns_reader again;
	struct dns_rr_buf *out;

	/* Only a record too big for any message may fail to be written. */
	if (rr->rdlen > 60000)
		return;
	out = malloc(sizeof(*out));
	CHECK(out);
	dns_build_init(&b, buf, sizeof(buf), r->id, r->flags);
	if (r->count[0] == 1)
		CHECK(dns_build_question(&b, r->qname, r->qtype, r->qclass) == 0);
	CHECK(dns_build_rr(&b, DNS_SEC_ANSWER, rr) == 0);
	dns_build_finish(&b);
	CHECK(dns_reader_init(&again, buf, b.len) == 0);
	CHECK(strcmp(again.qname, r->qname) == 0);
	CHECK(dns_reader_next(&again, out) == 1);
	CHECK(same_rr(&out->rr, rr));
	CHECK(dns_reader_next(&again, out) == 0);
	free(out);
}

/* What every name handed out must satisfy. */
static void check_name(const char *name)
{
	uint8_t w[DNS_WIRE_NAME_MAX], addr[16];
	char lower[DNS_NAME_STR], rev[DNS_NAME_STR];
	int family;

	CHECK(dns_name_to_wire(name, w, sizeof(w)) > 0);
	CHECK(dns_name_labels(name) >= 0);
	CHECK(dns_name_equal(dns_name_lower(name, lower, sizeof(lower)), name));
	CHECK(dns_name_in_domain(name, name) && dns_name_in_domain(name, ""));
	if (dns_reverse_addr(name, &family, addr) == 0) {
		CHECK(dns_reverse_name(family, addr, rev, sizeof(rev)) > 0);
		CHECK(dns_name_equal(rev, name));
	}
}

static void fuzz_reader(const uint8_t *p, size_t len)
{
	struct dns_reader r;
	struct dns_rr_buf *out;
	size_t n = 0;
	int rc;

	if (dns_reader_init(&r, p, len) < 0)
		return;
	out = malloc(sizeof(*out));
	CHECK(out);
	if (r.count[0] == 1)
		check_name(r.qname);
	while ((rc = dns_reader_next(&r, out)) == 1) {
		const uint8_t *end = out->rr.rdata + out->rr.rdlen;

		CHECK(r.off <= len);
		/* RDATA lies in the message or in the record's own buffer. */
		CHECK((out->rr.rdata >= p && end <= p + len) ||
		      (out->rr.rdata == out->rdata && end <= out->rdata + sizeof(out->rdata)));
		check_name(out->rr.owner);
		check_rewrite(&r, &out->rr);
		n++;
	}
	if (rc == 0)
		CHECK(n == (size_t)r.count[1] + r.count[2] + r.count[3]);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan catches a read one byte past the end. */
	uint8_t *buf = malloc(size ? size : 1);

	CHECK(buf);
	if (size)
		memcpy(buf, data, size);
	fuzz_query(buf, size);
	fuzz_reader(buf, size);
	free(buf);
	return 0;
}
