/*
 * dns_msg — the DNS message (RFC 1035 section 4, EDNS0 per RFC 6891): the
 * header's flags and rcodes, parsing a query, walking the records of a
 * reply, and building a reply with name compression and truncation by
 * whole records.  The top of the three wire headers: it builds on
 * dns_rr.h, which builds on dns_name.h.
 *
 * Every parser takes (const uint8_t *p, size_t len) and checks the bytes
 * remaining before every read; compression pointers must point backwards,
 * so a pointer loop cannot happen.  Nothing here allocates but
 * dns_reply_parse.
 */
#ifndef LEASED_DNS_MSG_H
#define LEASED_DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_name.h"
#include "dns/dns_rr.h"

#define DNS_HEADER_LEN 12
#define DNS_UDP_MIN 512         /* what a client without EDNS takes */
#define DNS_EDNS_SIZE 1232      /* leased's advertised and upstream size */
#define DNS_TCP_MAX 65535

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
