/*
 * dns_wire_internal — what the three files of the wire format build on and
 * nobody else should: names in wire form (dns_name.c, for dns_rr.c and
 * dns_msg.c) and records in a message (dns_rr.c, for dns_msg.c).  The
 * public calls are in include/dns/dns_name.h, dns_rr.h and dns_msg.h.
 * Included by: dns_name.c dns_rr.c dns_msg.c only.
 */
#ifndef LEASED_DNS_WIRE_INTERNAL_H
#define LEASED_DNS_WIRE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_rr.h"

/*
 * Names in wire form, what the record and message code (dns_rr.c,
 * dns_msg.c) builds on; elsewhere the presentation-form calls above are
 * the ones to use.  A wire name here is uncompressed, root label
 * included, in a buffer of DNS_WIRE_NAME_MAX bytes.
 */
/* RFC 4343 section 3: n octets equal, ASCII letters compared without case. */
bool bytes_equal_nocase(const uint8_t *a, const uint8_t *b, size_t n);
/* Presentation → wire form in w; the wire length, 0 if the name is invalid. */
size_t text_to_wire(const char *s, uint8_t *w);
/* Wire form (already validated) → presentation; -1 if out is too small. */
int wire_to_text(const uint8_t *w, char *out, size_t outlen);
/*
 * The name at *off in msg[0..len), compression pointers followed, into w
 * and its length into *wlen; *off moves past the name as it stands in
 * place.  0, or -1 when malformed.
 */
int read_wire(const uint8_t *msg, size_t len, size_t *off, uint8_t *w, size_t *wlen);
/* Length of the uncompressed wire name at p (len bytes); -1 if none. */
int wire_name_len(const uint8_t *p, size_t len);


/*
 * Records in a message, what the message code (dns_msg.c) builds on;
 * elsewhere struct dns_rr and the calls above are the ones to use.
 */
/* The fixed part of a record after its owner, RFC 1035 section 4.1.3. */
struct rr_head {
	uint16_t type, class;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdoff;
};

/* The fixed part at *off in p[0..len), RDATA whole; *off moves past it.  0 or -1. */
int read_rr_head(const uint8_t *p, size_t len, size_t *off, struct rr_head *h);

/*
 * Where the names sit in the RDATA of the types that carry them: fixed
 * octets before, the names, fixed octets after.
 */
struct rdata_shape {
	uint8_t head, names, tail;
};

/* The shape of type's RDATA into s; false for a type that carries no names. */
bool rdata_shape(uint16_t type, struct rdata_shape *s);
/*
 * The names of the name-bearing RDATA h describes in msg expanded into
 * out (DNS_RDATA_NAMES_MAX bytes), its new length into *outlen.  0 or -1.
 */
int expand_rdata(const uint8_t *msg, const struct rr_head *h,
		 const struct rdata_shape *s, uint8_t *out, uint16_t *outlen);
/* A and AAAA of class IN have RDATA of their address's size. */
bool address_size_ok(const struct rr_head *h);
/* rr's RDATA, uncompressed, fits the shape s exactly. */
bool rdata_matches(const struct dns_rr *rr, const struct rdata_shape *s);

#endif
