/*
 * dns_msg — DNS messages: parsing a query (its question and EDNS OPT),
 * walking the records of an upstream reply, and building replies with
 * name compression, truncation by whole records and room kept for the
 * OPT.  Builds on dns_rr and dns_name.  Only dns_reply_parse allocates.
 */
#include "dns/dns_msg.h"
#include "dns_wire_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Header fields, RFC 1035 section 4.1.1. */
enum { OFF_ID = 0, OFF_FLAGS = 2, OFF_COUNTS = 4 };
#define QUESTION_FIXED 4       /* QTYPE, QCLASS after the name */
#define OPT_RR_LEN 11          /* root owner + dns_rr's RR_FIXED, empty RDATA */
#define RCODE_BADVERS 16       /* RFC 6891 section 9 */
#define OPT_DO 0x8000          /* RFC 3225 section 3: first bit of the Z field */
#define OPTION_HEAD 4          /* RFC 6891 section 6.1.2: OPTION-CODE, OPTION-LENGTH */
#define OPTION_COOKIE 10       /* RFC 7873 section 4 */
#define COOKIE_CLIENT 8        /* RFC 7873 section 4: the Client Cookie's size ... */
#define COOKIE_SERVER_MIN 8    /* ... and the Server Cookie's, from 8 to 32 octets */
#define COOKIE_SERVER_MAX 32

/* ---- The question ----------------------------------------------------- */

static int read_question(const uint8_t *p, size_t len, size_t *off, char *qname,
			 uint16_t *qtype, uint16_t *qclass)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	size_t o = *off, wlen;

	if (read_wire(p, len, &o, w, &wlen) < 0 || len - o < QUESTION_FIXED)
		return -1;
	if (qname && wire_to_text(w, qname, DNS_NAME_STR) < 0)
		return -1;
	if (qtype) {
		*qtype = get_be16(p + o);
		*qclass = get_be16(p + o + 2);
	}
	*off = o + QUESTION_FIXED;
	return 0;
}

/* ---- Parsing a query -------------------------------------------------- */

/*
 * RFC 7873 section 5.2.2 answers FORMERR to a COOKIE option too short for
 * a Client Cookie (8 octets), longer than that but shorter than a Client
 * and the smallest Server Cookie (16), or longer than the largest (40).
 * Beyond that leased does not implement cookies: a good one is ignored,
 * as RFC 6891 section 6.1.2 has it for options a server does not know
 * ("Any OPTION-CODE values not understood by a responder or requestor
 * MUST be ignored").
 */
static bool cookie_ok(uint16_t len)
{
	return len == COOKIE_CLIENT ||
	       (len >= COOKIE_CLIENT + COOKIE_SERVER_MIN && len <= COOKIE_CLIENT + COOKIE_SERVER_MAX);
}

/* The OPT's options (RFC 6891 section 6.1.2): whole, and any COOKIE well formed. */
static int walk_options(const uint8_t *p, const struct rr_head *h, struct dns_query *q)
{
	size_t off = h->rdoff, end = h->rdoff + h->rdlen;

	while (off < end) {
		uint16_t code, olen;

		if (end - off < OPTION_HEAD)
			return -1;
		code = get_be16(p + off);
		olen = get_be16(p + off + 2);
		off += OPTION_HEAD;
		if (end - off < olen)
			return -1;
		if (code == OPTION_COOKIE) {
			if (!cookie_ok(olen))
				return -1;
			q->has_cookie = true;
		}
		off += olen;
	}
	return 0;
}

/*
 * An OPT record in the additional section, RFC 6891 section 6.1.  The
 * first one sets the EDNS fields whatever its faults, so that a FORMERR
 * for the OPT itself still carries an OPT (section 7).  -1 on a fault.
 */
static int take_opt(struct dns_query *q, const uint8_t *p, size_t owner_len,
		    const struct rr_head *h)
{
	/* Section 6.1.1: "If a query message with more than one OPT RR is
	 * received, a FORMERR (RCODE=1) MUST be returned." */
	if (q->has_edns)
		return -1;
	q->has_edns = true;
	/* Section 6.2.5: "Values lower than 512 MUST be treated as equal to 512." */
	q->edns_size = MAX(h->class, (uint16_t)DNS_UDP_MIN);
	q->edns_version = (uint8_t)(h->ttl >> 16);
	q->edns_do = (h->ttl & OPT_DO) != 0;
	/* Section 6.1.2: the owner "MUST be 0 (root domain)". */
	if (owner_len != 1)
		return -1;
	return walk_options(p, h, q);
}

/*
 * Walk the answer, authority and additional sections: every record must
 * be whole; only the additional section's OPT is looked at.  Any counts
 * are accepted, as dnsmasq does.
 */
static int walk_records(const uint8_t *p, size_t len, size_t off, const uint16_t *count,
			struct dns_query *q)
{
	bool bad_opt = false;

	for (int s = 1; s < 4; s++) {
		for (unsigned i = 0; i < count[s]; i++) {
			uint8_t w[DNS_WIRE_NAME_MAX];
			struct rr_head h;
			size_t wlen;

			if (read_wire(p, len, &off, w, &wlen) < 0 || read_rr_head(p, len, &off, &h) < 0)
				return DNS_R_FORMERR;
			if (s == 3 && h.type == DNS_T_OPT && take_opt(q, p, wlen, &h) < 0)
				bad_opt = true;
		}
	}
	return bad_opt ? DNS_R_FORMERR : DNS_R_NOERROR;
}

/* The whole message; *question_ok when there was exactly one, readable. */
static int walk_query(const uint8_t *p, size_t len, const uint16_t *count,
		      struct dns_query *q, bool *question_ok)
{
	size_t off = DNS_HEADER_LEN;

	for (unsigned i = 0; i < count[0]; i++) {
		bool first = i == 0;

		if (read_question(p, len, &off, first ? q->qname : NULL, first ? &q->qtype : NULL,
				  &q->qclass) < 0)
			return DNS_R_FORMERR;
	}
	*question_ok = count[0] == 1;
	return walk_records(p, len, off, count, q);
}

int dns_parse_query(const uint8_t *p, size_t len, struct dns_query *q)
{
	uint16_t count[4];
	bool question_ok = false;
	int rc;

	if (!p || !q)
		return -1;
	memset(q, 0, sizeof(*q));
	if (len < DNS_HEADER_LEN)
		return -1;
	q->id = get_be16(p + OFF_ID);
	q->flags = get_be16(p + OFF_FLAGS);
	for (int i = 0; i < 4; i++)
		count[i] = get_be16(p + OFF_COUNTS + 2 * i);
	rc = walk_query(p, len, count, q, &question_ok);
	/* RFC 1035 section 4.1.1: QR=1 is a response, not something to answer. */
	if (q->flags & DNS_F_QR) {
		rc = DNS_R_FORMERR;
		question_ok = false;
	} else if (DNS_OPCODE(q->flags) != 0) {
		/* RFC 1035 section 4.1.1, RCODE 4: "The name server does not
		 * support the requested kind of query."  RFC 6895 section 2.2
		 * keeps it for any opcode but QUERY. */
		rc = DNS_R_NOTIMP;
		question_ok = false;
	} else if (rc == DNS_R_NOERROR && count[0] == 0 && q->has_cookie) {
		/* RFC 7873 section 5.4, a query for a Server Cookie: "Servers
		 * that don't support the COOKIE option will normally send
		 * FORMERR in response to such a query, though REFUSED, NOTIMP,
		 * and NOERROR without a COOKIE option are also possible in such
		 * responses."
		 * NOERROR: nothing was wrong with it, and a client retrying
		 * after FORMERR without EDNS would learn the wrong thing. */
		q->cookie_only = true;
	} else if (rc == DNS_R_NOERROR && count[0] != 1) {
		/* RFC 9619: QDCOUNT is at most one; a query without a question
		 * (and without a cookie) asks nothing. */
		rc = DNS_R_FORMERR;
	}
	if (!question_ok) {
		q->qname[0] = '\0';
		q->qtype = q->qclass = 0;
	}
	return rc;
}

/* ---- Reading a reply -------------------------------------------------- */

int dns_reader_init(struct dns_reader *r, const uint8_t *p, size_t len)
{
	size_t off = DNS_HEADER_LEN;

	if (!r)
		return -1;
	memset(r, 0, sizeof(*r));
	/* Until the header is known good, there is nothing to read. */
	r->section = DNS_SEC_ADDITIONAL;
	if (!p || len < DNS_HEADER_LEN)
		return -1;
	r->id = get_be16(p + OFF_ID);
	r->flags = get_be16(p + OFF_FLAGS);
	for (int i = 0; i < 4; i++)
		r->count[i] = get_be16(p + OFF_COUNTS + 2 * i);
	if (r->count[0] > 1)
		return -1;
	if (r->count[0] == 1 && read_question(p, len, &off, r->qname, &r->qtype, &r->qclass) < 0)
		return -1;
	r->msg = p;
	r->len = len;
	r->off = off;
	r->section = DNS_SEC_ANSWER;
	r->left = r->count[1];
	return 0;
}

static int read_record(struct dns_reader *r, struct dns_rr_buf *out)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	struct rdata_shape shape;
	struct rr_head h;
	size_t off = r->off, wlen;

	if (read_wire(r->msg, r->len, &off, w, &wlen) < 0 ||
	    wire_to_text(w, out->owner, sizeof(out->owner)) < 0 ||
	    read_rr_head(r->msg, r->len, &off, &h) < 0 || !address_size_ok(&h))
		return -1;
	out->rr = (struct dns_rr){ .owner = out->owner, .type = h.type, .class = h.class,
				   .ttl = h.ttl, .rdata = r->msg + h.rdoff, .rdlen = h.rdlen };
	out->section = (enum dns_section)r->section;
	if (rdata_shape(h.type, &shape)) {
		if (expand_rdata(r->msg, &h, &shape, out->rdata, &out->rr.rdlen) < 0)
			return -1;
		out->rr.rdata = out->rdata;
	}
	r->off = off;
	return 0;
}

int dns_reader_next(struct dns_reader *r, struct dns_rr_buf *out)
{
	if (!r || !out)
		return -1;
	while (!r->left) {
		if (r->section >= DNS_SEC_ADDITIONAL)
			return 0;
		r->section++;
		r->left = r->count[r->section + 1];
	}
	if (read_record(r, out) < 0)
		return -1;
	r->left--;
	return 1;
}

/* ---- Building --------------------------------------------------------- */

/* The state a failed addition returns to. */
struct mark {
	size_t len, nnames;
	uint16_t count[4];
};

static void set_mark(const struct dns_builder *b, struct mark *m)
{
	m->len = b->len;
	m->nnames = b->nnames;
	memcpy(m->count, b->count, sizeof(m->count));
}

static void rollback(struct dns_builder *b, const struct mark *m)
{
	b->len = m->len;
	b->nnames = m->nnames;
	memcpy(b->count, m->count, sizeof(b->count));
}

/* Bytes a record may still take, the OPT's reserve kept back. */
static size_t room(const struct dns_builder *b)
{
	size_t limit = b->cap >= b->reserve ? b->cap - b->reserve : 0;

	return limit > b->len ? limit - b->len : 0;
}

static int put_raw(struct dns_builder *b, const void *p, size_t n)
{
	if (n > room(b))
		return -1;
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
	return 0;
}

static int put_u16(struct dns_builder *b, uint16_t v)
{
	uint8_t x[2];

	put_be16(x, v);
	return put_raw(b, x, 2);
}

static int put_u32(struct dns_builder *b, uint32_t v)
{
	uint8_t x[4];

	put_be32(x, v);
	return put_raw(b, x, 4);
}

void dns_build_init(struct dns_builder *b, uint8_t *buf, size_t cap, uint16_t id,
		    uint16_t flags)
{
	if (!b)
		return;
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	/* The message length must fit TCP's 16-bit length prefix. */
	b->cap = MIN(cap, (size_t)DNS_TCP_MAX);
	if (!buf || b->cap < DNS_HEADER_LEN) {
		b->cap = 0;
		return;
	}
	memset(buf, 0, DNS_HEADER_LEN);
	put_be16(buf + OFF_ID, id);
	put_be16(buf + OFF_FLAGS, flags);
	b->len = DNS_HEADER_LEN;
}

void dns_build_edns(struct dns_builder *b, uint16_t size)
{
	if (!b || b->len < DNS_HEADER_LEN)
		return;
	b->edns = true;
	b->edns_size = size;
	b->reserve = OPT_RR_LEN;
}

/*
 * Does the name at pos in the message equal the wire name s?  Names in
 * the message were written here, but the walk is bounded all the same.
 */
static bool name_at(const struct dns_builder *b, size_t pos, const uint8_t *s)
{
	for (unsigned hops = 0; hops < DNS_WIRE_NAME_MAX;) {
		uint8_t c;

		if (pos >= b->len)
			return false;
		c = b->buf[pos];
		if ((c & DNS_PTR_BITS) == DNS_PTR_BITS) {
			if (b->len - pos < 2)
				return false;
			pos = (size_t)(c & ~DNS_PTR_BITS) << 8 | b->buf[pos + 1];
			hops++;
			continue;
		}
		if (c != s[0])
			return false;
		if (!c)
			return true;
		if (b->len - pos - 1 < c || !bytes_equal_nocase(b->buf + pos + 1, s + 1, c))
			return false;
		pos += (size_t)c + 1;
		s += (size_t)c + 1;
	}
	return false;
}

static bool find_name(const struct dns_builder *b, const uint8_t *s, size_t *target)
{
	for (size_t i = 0; i < b->nnames; i++) {
		if (name_at(b, b->name_off[i], s)) {
			*target = b->name_off[i];
			return true;
		}
	}
	return false;
}

/* RFC 1035 section 4.1.4: a pointer holds 14 bits of offset. */
static void remember(struct dns_builder *b, size_t off)
{
	if (off <= DNS_PTR_MAX && b->nnames < DNS_COMPRESS_MAX)
		b->name_off[b->nnames++] = (uint16_t)off;
}

/*
 * Write the wire name w: its labels up to the longest suffix already in
 * the message, then a pointer there (or the root).  The labels written
 * become suffixes later names can point to.  Case is ignored when
 * matching, so a later name may take the case of an earlier one.
 */
static int put_name(struct dns_builder *b, const uint8_t *w, size_t wlen, bool compress)
{
	size_t i = wlen - 1, target = 0, start = b->len;
	bool found = false;

	if (compress) {
		for (i = 0; w[i]; i += (size_t)w[i] + 1)
			if ((found = find_name(b, w + i, &target)))
				break;
	}
	if (put_raw(b, w, i) < 0)
		return -1;
	if (found ? put_u16(b, (uint16_t)(0xc000 | target)) : put_raw(b, w + i, 1))
		return -1;
	if (compress)
		for (size_t j = 0; j < i; j += (size_t)w[j] + 1)
			remember(b, start + j);
	return 0;
}

static int put_rdata(struct dns_builder *b, const struct dns_rr *rr)
{
	struct rdata_shape s;
	size_t pos;

	/*
	 * RFC 3597 section 4: "servers MUST NOT compress domain names
	 * embedded in the RDATA of types that are class-specific or not
	 * well-known", the well-known being RFC 1035's; RFC 2782 forbids it
	 * for SRV's target.  Anything else is copied as it is.
	 */
	if (rr->type == DNS_T_SRV || !rdata_shape(rr->type, &s) || !rdata_matches(rr, &s))
		return put_raw(b, rr->rdata, rr->rdlen);
	if (put_raw(b, rr->rdata, s.head) < 0)
		return -1;
	pos = s.head;
	for (int i = 0; i < s.names; i++) {
		size_t n = (size_t)wire_name_len(rr->rdata + pos, rr->rdlen - pos);

		if (put_name(b, rr->rdata + pos, n, true) < 0)
			return -1;
		pos += n;
	}
	return put_raw(b, rr->rdata + pos, s.tail);
}

int dns_build_question(struct dns_builder *b, const char *qname, uint16_t qtype,
		       uint16_t qclass)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	struct mark m;
	size_t wlen;

	if (!b || !qname || b->count[0] == UINT16_MAX || !(wlen = text_to_wire(qname, w)))
		return -1;
	set_mark(b, &m);
	if (put_name(b, w, wlen, true) < 0 || put_u16(b, qtype) < 0 || put_u16(b, qclass) < 0) {
		rollback(b, &m);
		return -1;
	}
	b->count[0]++;
	return 0;
}

int dns_build_rr(struct dns_builder *b, enum dns_section s, const struct dns_rr *rr)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	struct mark m;
	size_t wlen, rdlen_at;

	if (!b || !rr || !rr->owner || (unsigned)s > DNS_SEC_ADDITIONAL ||
	    (rr->rdlen && !rr->rdata) || b->count[s + 1] == UINT16_MAX ||
	    !(wlen = text_to_wire(rr->owner, w)))
		return -1;
	set_mark(b, &m);
	if (put_name(b, w, wlen, true) < 0 || put_u16(b, rr->type) < 0 ||
	    put_u16(b, rr->class) < 0 || put_u32(b, rr->ttl) < 0)
		goto undo;
	rdlen_at = b->len;
	if (put_u16(b, 0) < 0 || put_rdata(b, rr) < 0)
		goto undo;
	/* cap <= 65535, so the written RDATA always fits RDLENGTH. */
	put_be16(b->buf + rdlen_at, (uint16_t)(b->len - rdlen_at - 2));
	b->count[s + 1]++;
	return 0;

undo:
	rollback(b, &m);
	return -1;
}

void dns_build_set_rcode(struct dns_builder *b, int rcode)
{
	uint16_t flags;

	if (!b || b->len < DNS_HEADER_LEN)
		return;
	flags = get_be16(b->buf + OFF_FLAGS);
	flags = (uint16_t)((flags & ~DNS_F_RCODE_MASK) | (rcode & DNS_F_RCODE_MASK));
	put_be16(b->buf + OFF_FLAGS, flags);
}

/*
 * RFC 6891 section 6.1.2/6.1.3: root owner, TYPE 41, CLASS the UDP size,
 * TTL = EXTENDED-RCODE (the upper 8 of 12 rcode bits), VERSION 0, DO, Z.
 * The reserve guarantees the room.
 */
static void put_opt(struct dns_builder *b, uint8_t ext_rcode, bool dnssec_ok)
{
	uint8_t *p = b->buf + b->len;

	p[0] = 0;
	put_be16(p + 1, DNS_T_OPT);
	put_be16(p + 3, b->edns_size);
	put_be32(p + 5, (uint32_t)ext_rcode << 24 | (dnssec_ok ? OPT_DO : 0));
	put_be16(p + 9, 0);
	b->len += OPT_RR_LEN;
	b->count[3]++;
	b->reserve = 0;
	b->edns = false;
}

static size_t finish(struct dns_builder *b, uint8_t ext_rcode, bool dnssec_ok)
{
	uint16_t flags;

	if (!b || b->len < DNS_HEADER_LEN)
		return 0;
	if (b->edns && b->cap - b->len >= OPT_RR_LEN && b->count[3] < UINT16_MAX)
		put_opt(b, ext_rcode, dnssec_ok);
	flags = get_be16(b->buf + OFF_FLAGS);
	if (b->truncated)
		flags |= DNS_F_TC;
	put_be16(b->buf + OFF_FLAGS, flags);
	for (int i = 0; i < 4; i++)
		put_be16(b->buf + OFF_COUNTS + 2 * i, b->count[i]);
	return b->len;
}

/* Appending the OPT clears b->edns, so a second call adds no second OPT. */
size_t dns_build_finish(struct dns_builder *b)
{
	return finish(b, 0, false);
}

/* ---- Whole replies ---------------------------------------------------- */

static size_t clamp_limit(size_t limit)
{
	return MIN(MAX(limit, (size_t)DNS_UDP_MIN), (size_t)DNS_TCP_MAX);
}

/*
 * Header, question and the promise of an OPT.  RFC 1035 section 4.1.1:
 * the opcode is "copied into the response", and RD "may be set in a
 * query and is copied into the response".  RFC 6891 section 7: an OPT
 * in the reply exactly when the query had one, advertising our size
 * (--edns-packet-max, q->reply_max).
 */
static void start_reply(struct dns_builder *b, uint8_t *buf, size_t limit,
			const struct dns_query *q, uint16_t flags, bool question)
{
	flags |= DNS_F_QR | (q->flags & (DNS_F_OPCODE_MASK | DNS_F_RD));
	/*
	 * RA (RFC 1035 section 4.1.1: "denotes whether recursive query
	 * support is available") and CD (RFC 4035 section 3.1.6: copied from
	 * the query) speak of answering a question; RFC 6895 section 2 leaves
	 * the header of other opcodes to their own definitions.  A NOTIMP
	 * for an opcode leased does not know answers no question, so it
	 * carries none of RA, AD and CD: only QR, the opcode, RD as sent and
	 * the rcode.
	 */
	if (DNS_OPCODE(q->flags) == 0)
		flags |= DNS_F_RA | (q->flags & DNS_F_CD);
	dns_build_init(b, buf, clamp_limit(limit), q->id, flags);
	if (q->has_edns)
		dns_build_edns(b, q->reply_max ? q->reply_max : DNS_EDNS_SIZE);
	/* limit >= 512 always holds a question; only a bad qname fails. */
	if (question)
		dns_build_question(b, q->qname, q->qtype, q->qclass);
}

static bool same_rrset(const struct dns_rr *a, const struct dns_rr *b)
{
	return a->type == b->type && a->class == b->class &&
	       (a->owner == b->owner || dns_name_equal(a->owner, b->owner));
}

/*
 * Authority or additional records.  RFC 2181 section 9: "the entire
 * RRSet that will not fit in the response should be omitted, and the
 * reply sent as is, with the TC bit clear" — unless it was required: the
 * SOA of a negative answer is the whole answer when there are no answer
 * records, so then TC.  The section ends at the first RRset that fails.
 */
static void add_optional(struct dns_builder *b, const struct dns_answer *a,
			 enum dns_section s)
{
	const struct dns_rr *rrs = a->rrs[s];
	struct mark set;

	for (size_t i = 0; rrs && i < a->n[s]; i++) {
		if (i == 0 || !same_rrset(&rrs[i], &rrs[i - 1]))
			set_mark(b, &set);
		if (dns_build_rr(b, s, &rrs[i]) == 0)
			continue;
		rollback(b, &set);
		if (s == DNS_SEC_AUTHORITY && b->count[1 + DNS_SEC_ANSWER] == 0)
			b->truncated = true;
		return;
	}
}

/*
 * Answer records while they fit.  RFC 2181 section 9: "Where TC is set,
 * the partial RRSet that would not completely fit may be left in the
 * response" — kept, so a client that never retries over TCP still gets
 * addresses.  Nothing is added after the first that does not fit.
 */
static void add_sections(struct dns_builder *b, const struct dns_answer *a)
{
	const struct dns_rr *rrs = a->rrs[DNS_SEC_ANSWER];

	for (size_t i = 0; rrs && i < a->n[DNS_SEC_ANSWER]; i++) {
		if (dns_build_rr(b, DNS_SEC_ANSWER, &rrs[i]) < 0) {
			b->truncated = true;
			return;
		}
	}
	add_optional(b, a, DNS_SEC_AUTHORITY);
	if (!b->truncated)
		add_optional(b, a, DNS_SEC_ADDITIONAL);
}

size_t dns_write_reply(uint8_t *buf, size_t limit, const struct dns_query *q,
		       const struct dns_answer *a)
{
	struct dns_builder b;
	uint16_t flags = a && a->authoritative ? DNS_F_AA : 0;

	if (!buf || !q || !a)
		return 0;
	/*
	 * RFC 6891 section 6.1.3: "If a responder does not implement the
	 * VERSION level of the request, then it MUST respond with
	 * RCODE=BADVERS."  BADVERS is 16: 0 in the header, 1 in the OPT's
	 * EXTENDED-RCODE; the reply carries the question and nothing else.
	 */
	if (q->has_edns && q->edns_version != 0) {
		start_reply(&b, buf, limit, q, 0, true);
		return finish(&b, RCODE_BADVERS >> 4, q->edns_do);
	}
	start_reply(&b, buf, limit, q, flags | (uint16_t)(a->rcode & DNS_F_RCODE_MASK), true);
	add_sections(&b, a);
	return finish(&b, (uint8_t)(q->has_edns ? a->rcode >> 4 : 0), q->edns_do);
}

size_t dns_write_error(uint8_t *buf, size_t limit, const struct dns_query *q, int rcode,
		       bool question_valid)
{
	struct dns_builder b;

	if (!buf || !q)
		return 0;
	start_reply(&b, buf, limit, q, (uint16_t)(rcode & DNS_F_RCODE_MASK), question_valid);
	return finish(&b, (uint8_t)(q->has_edns ? rcode >> 4 : 0), q->edns_do);
}

/* ---- A reply as records ----------------------------------------------- */

bool dns_reply_is_negative(const uint8_t *p, size_t len)
{
	return len < DNS_HEADER_LEN || (p[3] & DNS_F_RCODE_MASK) == DNS_R_NXDOMAIN ||
	       (p[6] == 0 && p[7] == 0);
}

/* Records that are really there, whatever the header says. */
static size_t count_records(const uint8_t *p, size_t len)
{
	struct dns_reader r;
	struct dns_rr_buf b;
	size_t n = 0;

	if (dns_reader_init(&r, p, len) < 0)
		return 0;
	while (dns_reader_next(&r, &b) == 1)
		n++;
	return n;
}

int dns_reply_parse(const uint8_t *p, size_t len, struct dns_parsed_reply *out)
{
	struct dns_reader r;
	size_t k = 0;

	memset(out, 0, sizeof(*out));
	if (dns_reader_init(&r, p, len) < 0)
		return -1;
	out->cap = count_records(p, len);
	out->bufs = xcalloc(out->cap ? out->cap : 1, sizeof(*out->bufs));
	out->rrs = xcalloc(out->cap ? out->cap : 1, sizeof(*out->rrs));
	out->answer.rcode = r.flags & DNS_F_RCODE_MASK;
	/* Records come section by section, so each section is contiguous. */
	while (k < out->cap) {
		int got = dns_reader_next(&r, &out->bufs[k]);

		if (got < 0)
			return -1;
		if (got == 0)
			break;
		if (out->bufs[k].rr.type == DNS_T_OPT)
			continue;
		out->rrs[k] = out->bufs[k].rr;
		out->rrs[k].owner = out->bufs[k].owner;
		if (!out->answer.rrs[out->bufs[k].section])
			out->answer.rrs[out->bufs[k].section] = &out->rrs[k];
		out->answer.n[out->bufs[k].section]++;
		k++;
	}
	return 0;
}

void dns_reply_parsed_free(struct dns_parsed_reply *pr)
{
	free(pr->bufs);
	free(pr->rrs);
	pr->bufs = NULL;
	pr->rrs = NULL;
}
