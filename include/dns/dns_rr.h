/*
 * dns_rr — resource records (RFC 1035 sections 3.2 and 4.1.3): types and
 * classes, struct dns_rr, the fixed fields after a record's owner, and the
 * RDATA of each type: where its names sit, building it for local data,
 * showing it in presentation form.  Builds on dns_name.h; dns_msg.h
 * builds on this one (dns_name.h <- dns_rr.h <- dns_msg.h).
 *
 * One representation of a record serves every module: struct dns_rr, an
 * owner name in presentation form plus RDATA in uncompressed wire form.
 * Local data (lease names, hosts files, config records) builds these, the
 * cache stores them, and the builder (dns_msg.h) writes them out,
 * compressing the owner and the names inside the RDATA of the types
 * RFC 3597 allows (NS, CNAME, SOA, PTR, MX).  Nothing here allocates.
 */
#ifndef LEASED_DNS_RR_H
#define LEASED_DNS_RR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_name.h"

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

/* "A", "AAAA", ... or "TYPE123" into out (dnsmasq's query[...] names). */
const char *dns_type_name(uint16_t type, char *out, size_t outlen);

/*
 * RDATA in presentation form ("10.0.3.5", "c1.lxc", "10 mail.lxc",
 * "\"text\"", SOA fields; other types RFC 3597's "\\# LEN HEX"), for
 * logs and leasectl.  Returns out; "?" when the RDATA is malformed.
 */
const char *dns_rdata_format(const struct dns_rr *rr, char *out, size_t outlen);

#endif
