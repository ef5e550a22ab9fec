/*
 * dns_zone — the zones leased is authoritative for, and the records at
 * their apex (RFC 1034 section 4.2.1: the top node of a zone holds its
 * NS records and a single SOA).
 *
 * It owns three things and no state:
 * - which reverse zones the served subnets imply (dns_zone_reverse):
 *   the in-addr.arpa zone at the octet boundary holding each IPv4
 *   --dhcp-range;
 * - the RDATA of an apex's SOA and NS records;
 * - the SOA serial, which moves whenever the lease table changes.
 *
 * The names, as RFC 6303 section 3 gives them for locally served zones:
 * MNAME and the single NS record name the zone's apex itself, RNAME is
 * "nobody.invalid".  No address goes with the NS: the apex has none of
 * its own (an A query for it is NODATA), and a glue record contradicting
 * that would be worse than none; clients reach leased at the address
 * they asked, and no server ever transfers these zones.
 *
 * dns_local keeps the zone table and decides which zone holds a name;
 * this module includes only config, lease and dns_wire.
 */
#ifndef LEASED_DNS_ZONE_H
#define LEASED_DNS_ZONE_H

#include "conf/config.h"
#include "dns/dns_wire.h"
#include "lease/lease.h"

#include <stddef.h>
#include <stdint.h>

#define DNS_ZONE_RNAME "nobody.invalid"
#define DNS_ZONE_REFRESH 3600
#define DNS_ZONE_RETRY 600
#define DNS_ZONE_EXPIRE 86400

/*
 * Calls fn once per reverse zone the configuration's IPv4 DHCP ranges
 * imply (a zone may come twice: two ranges in one /24).  origin says
 * why, for explain: "--dhcp-range at FILE:LINE".
 */
typedef void (*dns_zone_fn)(void *ctx, const char *zone, const char *origin);
void dns_zone_reverse(const struct config *cfg, dns_zone_fn fn, void *ctx);

/*
 * The serial of every local zone's SOA: base (when the local data was
 * loaded, in seconds) plus the lease table's generation, so that it
 * changes with every lease change and never goes back on a reload.
 * leases may be NULL (base alone).
 */
uint32_t dns_zone_serial(uint32_t base, const struct lease_table *leases);

/*
 * The apex records' RDATA into out: the length, or -1 if apex is not a
 * name or out is too small.  ttl is the SOA's MINIMUM: the negative TTL
 * of the zone (--local-ttl).
 */
int dns_zone_soa(const char *apex, uint32_t serial, uint32_t ttl, uint8_t *out,
		 size_t outlen);
int dns_zone_ns(const char *apex, uint8_t *out, size_t outlen);

#endif
