/*
 * dns_name — domain names in the DNS wire format (RFC 1035 sections 2.3.4,
 * 3.1 and 4.1.4; RFC 4343 for case): presentation form to wire form and
 * back, reading a name out of a message, comparing names, and the
 * reverse names of addresses.  The lowest of the three wire headers
 * (dns_name.h <- dns_rr.h <- dns_msg.h): it includes neither of the others.
 *
 * Every reader takes the message and its length and checks the bytes
 * remaining before every read; compression pointers must point backwards,
 * so a pointer loop cannot happen.  Nothing here allocates.
 */
#ifndef LEASED_DNS_NAME_H
#define LEASED_DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_WIRE_NAME_MAX 255   /* a name in wire form, root label included */
#define DNS_NAME_STR 1024       /* presentation form with \DDD escapes + NUL */
/* RFC 1035 section 4.1.4: a compression pointer is two octets, 11 + offset. */
#define DNS_PTR_BITS 0xc0       /* the top bits of its first octet */
#define DNS_PTR_MAX 0x3fff      /* the largest offset a 14-bit pointer holds */

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

/* The PTR owner for an address: "5.3.0.10.in-addr.arpa" / nibbles ".ip6.arpa". */
int dns_reverse_name(int family, const void *addr, char *out, size_t outlen);
/* Inverse: an in-addr.arpa / ip6.arpa name of a whole address → 0, else -1. */
int dns_reverse_addr(const char *name, int *family, void *addr);

#endif
