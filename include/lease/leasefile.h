/*
 * leasefile — dnsmasq's lease-file format, one line per lease:
 *
 *   EXPIRY MAC IP HOSTNAME CLIENTID
 *
 * EXPIRY is seconds since the epoch (0: infinite); MAC is "aa:bb:.." for
 * Ethernet, "HTYPE-aa:bb.." for other hardware types; HOSTNAME and
 * CLIENTID are "*" when absent; CLIENTID is colon-separated hex.  An IPv6
 * lease is the same line with its IAID ("T" in front for a temporary
 * address) in place of the MAC and the client's DUID as CLIENTID:
 *
 *   EXPIRY [T]IAID IPV6 HOSTNAME DUID
 *
 * dnsmasq writes its own DUID on a "duid ..." line before them; that line
 * is recognised and skipped.  Shared by the store, leasectl's offline
 * mode and the tests, so the format lives in one place.
 */
#ifndef LEASED_LEASEFILE_H
#define LEASED_LEASEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lease/lease.h"

enum leasefile_line {
	LEASEFILE_LEASE,   /* *out filled: an IPv4 or IPv6 lease */
	LEASEFILE_SERVER_DUID, /* "duid HEX": the server's DUID in out->client_id(_len) */
	LEASEFILE_SKIP,    /* blank, agent-info or vendorclass line */
	LEASEFILE_BAD,     /* malformed: *why says how */
};

/* Parse one line (no trailing newline needed; len bytes, not NUL-terminated). */
enum leasefile_line leasefile_parse_line(const char *line, size_t len,
					 struct lease *out, const char **why);
/* Format one lease with a trailing '\n'; returns length, or -1 if buf is short. */
int leasefile_format_line(const struct lease *l, char *buf, size_t buflen);
/*
 * The MAC field as dnsmasq writes it: "aa:bb:.." for a non-empty Ethernet
 * address, "HT-aa:bb:.." (HT: the hardware type in hex) for anything else.
 * out has LEASEFILE_HW_MAX bytes ("" when it is shorter).  Returns out.
 */
#define LEASEFILE_HW_MAX (3 * LEASE_HWADDR_MAX + 4)
char *leasefile_format_hw(const struct lease *l, char *out, size_t outlen);
/* The server's "duid HEX" line with a trailing '\n'; length, or -1 if buf is short. */
int leasefile_format_server_duid(const uint8_t *duid, size_t len, char *buf, size_t buflen);
/* True when a and b would be written as the same line. */
bool leasefile_same(const struct lease *a, const struct lease *b);
/* Longest server DUID (RFC 8415 section 11.1). */
#define LEASEFILE_DUID_MAX 128
/* Shortest client-id read back (RFC 2132 section 9.14). */
#define LEASEFILE_CLIENT_ID_MIN 2
/* Upper bound of one formatted line. */
#define LEASEFILE_LINE_MAX 1024

#endif
