/*
 * dns_wire — the DNS message format (RFC 1035, EDNS0 per RFC 6891):
 * names between presentation and wire form, parsing a query, walking the
 * records of a reply, and building a reply with name compression and
 * truncation by whole records.
 *
 * One representation of a record serves every module: struct dns_rr, an
 * owner name in presentation form plus RDATA in uncompressed wire form.
 * Local data (lease names, hosts files, config records) builds these, the
 * cache stores them, and the builder writes them out, compressing the
 * owner and the names inside the RDATA of the types RFC 3597 allows
 * (NS, CNAME, SOA, PTR, MX).
 *
 * Every parser takes (const uint8_t *p, size_t len) and checks the bytes
 * remaining before every read; compression pointers must point backwards,
 * so a pointer loop cannot happen.  Nothing here allocates.
 */
#ifndef LEASED_DNS_WIRE_H
#define LEASED_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN 12
#define DNS_WIRE_NAME_MAX 255   /* a name in wire form, root label included */
#define DNS_NAME_STR 1024       /* presentation form with \DDD escapes + NUL */
#define DNS_UDP_MIN 512         /* what a client without EDNS takes */
#define DNS_EDNS_SIZE 1232      /* leased's advertised and upstream size */
#define DNS_TCP_MAX 65535
#define DNS_RDATA_NAMES_MAX 600 /* expanded RDATA of a name-bearing type (SOA) */

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_HINFO = 13,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_SRV = 33,
	DNS_T_OPT = 41,
	DNS_T_DS = 43,
	DNS_T_HTTPS = 65,
	DNS_T_AXFR = 252,
	DNS_T_ANY = 255,
};

#define DNS_C_IN 1
#define DNS_C_ANY 255

enum dns_rcode {
	DNS_R_NOERROR = 0,
	DNS_R_FORMERR = 1,
	DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3,
	DNS_R_NOTIMP = 4,
	DNS_R_REFUSED = 5,
};

/* Header flag bits (the 16-bit word after the ID). */
#define DNS_F_QR 0x8000
#define DNS_F_OPCODE_MASK 0x7800
#define DNS_F_AA 0x0400
#define DNS_F_TC 0x0200
#define DNS_F_RD 0x0100
#define DNS_F_RA 0x0080
#define DNS_F_AD 0x0020
#define DNS_F_CD 0x0010
#define DNS_F_RCODE_MASK 0x000f
#define DNS_OPCODE(flags) (((flags) & DNS_F_OPCODE_MASK) >> 11)

enum dns_section { DNS_SEC_ANSWER, DNS_SEC_AUTHORITY, DNS_SEC_ADDITIONAL };

/*
 * A resource record.  owner is presentation form without the trailing
 * dot ("" is the root); rdata is uncompressed wire form.  The pointers
 * belong to whoever built the record.
 */
struct dns_rr {
	const char *owner;
	uint16_t type;
	uint16_t class;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
};

/* A parsed query: what the server needs to answer it and echo it. */
struct dns_query {
	uint16_t id;
	uint16_t flags;              /* as received */
	char qname[DNS_NAME_STR];    /* as sent (case kept), no trailing dot */
	uint16_t qtype;
	uint16_t qclass;
	bool has_edns;
	uint16_t edns_size;          /* the client's size, at least 512 */
	uint8_t edns_version;
	bool edns_do;                /* DNSSEC OK */
	bool has_cookie;             /* a well-formed RFC 7873 COOKIE option (ignored) */
	bool cookie_only;            /* no question, a COOKIE: RFC 7873 section 5.4 */
	/*
	 * Not from the wire: set by the server before replying.  The size
	 * the reply's OPT advertises and the largest UDP reply it sends
	 * (--edns-packet-max); 0 for the defaults, DNS_EDNS_SIZE advertised.
	 */
	uint16_t reply_max;
};

/*
 * Names.  Presentation form escapes '.', '\\' and bytes outside 0x21..0x7e
 * as \DDD (or \. and \\), so every wire name has one text form and back.
 */
/* Text → wire (uncompressed); returns the wire length, -1 if invalid. */
int dns_name_to_wire(const char *name, uint8_t *out, size_t outlen);
/*
 * Read the name at *off in msg (following compression pointers, which
 * must point strictly backwards), write presentation form into out and
 * advance *off past the name as it appears in place.  0, or -1 on a
 * malformed or over-long name.
 */
int dns_name_read(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outlen);
/* Case-insensitive (ASCII) equality of two presentation names. */
bool dns_name_equal(const char *a, const char *b);
/* name is domain or below it ("a.b.lxc" in "lxc"); "" (root) holds all. */
bool dns_name_in_domain(const char *name, const char *domain);
/* Number of labels ("" → 0, "c1" → 1, "c1.lxc" → 2). */
int dns_name_labels(const char *name);
/* Lower-case copy (ASCII only), for hash keys.  Returns out. */
char *dns_name_lower(const char *name, char *out, size_t outlen);

/*
 * RDATA builders for local data: each writes into out and returns the
 * RDATA length, or -1 if it does not fit or a name is invalid.
 */
int dns_rdata_name(const char *target, uint8_t *out, size_t outlen);  /* CNAME, PTR, NS */
int dns_rdata_mx(uint16_t pref, const char *exchange, uint8_t *out, size_t outlen);
int dns_rdata_srv(uint16_t prio, uint16_t weight, uint16_t port, const char *target,
		  uint8_t *out, size_t outlen);
/* One or more character-strings; strings longer than 255 are split. */
int dns_rdata_txt(const char *const *strings, size_t n, uint8_t *out, size_t outlen);
int dns_rdata_soa(const char *mname, const char *rname, uint32_t serial, uint32_t refresh,
		  uint32_t retry, uint32_t expire, uint32_t minimum, uint8_t *out,
		  size_t outlen);
/* The PTR owner for an address: "5.3.0.10.in-addr.arpa" / nibbles ".ip6.arpa". */
int dns_reverse_name(int family, const void *addr, char *out, size_t outlen);
/* Inverse: an in-addr.arpa / ip6.arpa name of a whole address → 0, else -1. */
int dns_reverse_addr(const char *name, int *family, void *addr);

/*
 * Parse a query.  Returns DNS_R_NOERROR with q filled; DNS_R_FORMERR for a
 * malformed message (not exactly one question, bad name, short, a reply,
 * a bad OPT or COOKIE option); DNS_R_NOTIMP for an opcode other than
 * QUERY.  A query with no question but a COOKIE option is NOERROR with
 * q->cookie_only set and no question: answer it with dns_write_error
 * (NOERROR, question_valid false).  When the
 * header was readable (len >= 12), q->id and q->flags are set even on an
 * error, so the error can be answered.  Returns -1 when not even that:
 * such a packet is dropped.
 */
int dns_parse_query(const uint8_t *p, size_t len, struct dns_query *q);

/*
 * Reading a reply (from an upstream): the header, the question, then the
 * records one by one.
 */
struct dns_reader {
	const uint8_t *msg;
	size_t len;
	size_t off;                  /* next record */
	uint16_t id, flags;
	uint16_t count[4];           /* QD, AN, NS, AR */
	char qname[DNS_NAME_STR];    /* the (single) question; "" if none */
	uint16_t qtype, qclass;
	unsigned section;            /* section of the next record */
	uint16_t left;               /* records left in that section */
};

/* A record read out of a message: storage for its expanded parts. */
struct dns_rr_buf {
	struct dns_rr rr;
	enum dns_section section;
	char owner[DNS_NAME_STR];
	uint8_t rdata[DNS_RDATA_NAMES_MAX]; /* used for name-bearing types */
};

/* Header and question (at most one); 0 or -1 when malformed. */
int dns_reader_init(struct dns_reader *r, const uint8_t *p, size_t len);
/*
 * The next record into out (rr.rdata points into msg, or into out->rdata
 * with names expanded for NS/CNAME/SOA/PTR/MX/SRV).  1 when a record was
 * read, 0 at the end, -1 when malformed.
 */
int dns_reader_next(struct dns_reader *r, struct dns_rr_buf *out);

/*
 * Building a message.  cap is the hard size limit (the client's UDP size,
 * or 65535 for TCP); the space an OPT record needs is kept back from the
 * start when edns is requested, so the OPT always fits.  A record that
 * does not fit leaves the message as it was and returns -1.
 */
#define DNS_COMPRESS_MAX 64
struct dns_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t reserve;              /* bytes kept back for the OPT record */
	uint16_t count[4];
	uint16_t name_off[DNS_COMPRESS_MAX]; /* where names were written, for pointers */
	size_t nnames;
	bool edns;
	uint16_t edns_size;
	bool truncated;
};

/* Header from id and flags (QR, opcode, RD ... as the caller wants them). */
void dns_build_init(struct dns_builder *b, uint8_t *buf, size_t cap, uint16_t id,
		    uint16_t flags);
/* Ask for an OPT record advertising size at the end (call before adding). */
void dns_build_edns(struct dns_builder *b, uint16_t size);
int dns_build_question(struct dns_builder *b, const char *qname, uint16_t qtype,
		       uint16_t qclass);
int dns_build_rr(struct dns_builder *b, enum dns_section s, const struct dns_rr *rr);
void dns_build_set_rcode(struct dns_builder *b, int rcode);
/* Write the counts (and OPT); returns the message length. */
size_t dns_build_finish(struct dns_builder *b);

/*
 * A whole reply: the records of each section, in order.  Used for local
 * answers and cached ones alike.
 */
struct dns_answer {
	int rcode;
	bool authoritative;          /* AA: answered from local data */
	const struct dns_rr *rrs[3]; /* indexed by enum dns_section */
	size_t n[3];
};

/*
 * Write the reply to q into buf (at most limit bytes: 512 without EDNS,
 * the client's EDNS size, or 65535 over TCP; never less than 512).  The
 * question is echoed as sent; RD and CD copied; RA set; AA when
 * authoritative.  Replies to opcodes other than QUERY carry no RA or CD.
 * Truncation keeps as many whole answer records as fit and sets TC; so a
 * client that never retries over TCP still gets addresses.  Authority
 * records that do not fit set TC only when the answer section is empty
 * (the SOA of a NODATA); additional records are dropped silently.
 * Returns the length (> 0).
 */
size_t dns_write_reply(uint8_t *buf, size_t limit, const struct dns_query *q,
		       const struct dns_answer *a);
/* A header-and-question reply with rcode (FORMERR when q is partial). */
size_t dns_write_error(uint8_t *buf, size_t limit, const struct dns_query *q, int rcode,
		       bool question_valid);

/* "A", "AAAA", ... or "TYPE123" into out (dnsmasq's query[...] names). */
const char *dns_type_name(uint16_t type, char *out, size_t outlen);

/*
 * RDATA in presentation form ("10.0.3.5", "c1.lxc", "10 mail.lxc",
 * "\"text\"", SOA fields; other types RFC 3597's "\\# LEN HEX"), for
 * logs and leasectl.  Returns out; "?" when the RDATA is malformed.
 */
const char *dns_rdata_format(const struct dns_rr *rr, char *out, size_t outlen);

/*
 * A negative reply: NXDOMAIN, or NOERROR with no answer record (NODATA,
 * RFC 2308).  Reads the header only; shorter than a header counts as
 * negative.
 */
bool dns_reply_is_negative(const uint8_t *p, size_t len);

/*
 * A whole reply read into records, as a dns_answer (rcode, and the
 * records of each section, OPT left out: it is per hop).  Storage is
 * sized by the records actually present, never by the header's counts
 * (a few bytes claiming 65535 records each must not cost megabytes).
 * -1 when the reply is malformed; free with dns_reply_parsed_free either
 * way.
 */
struct dns_parsed_reply {
	struct dns_answer answer;
	struct dns_rr_buf *bufs;
	struct dns_rr *rrs;
	size_t cap;                 /* records allocated */
};
int dns_reply_parse(const uint8_t *p, size_t len, struct dns_parsed_reply *out);
void dns_reply_parsed_free(struct dns_parsed_reply *pr);

#endif
