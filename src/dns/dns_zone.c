/*
 * dns_zone — the zones leased is authoritative for and their apex
 * records (see include/dns/dns_zone.h).
 */
#include "dns/dns_zone.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/*
 * The in-addr.arpa zone at the octet boundary that holds every address
 * from start to end (host order): the longest prefix of 24, 16 or 8 bits
 * they share, so 10.0.3.2-10.0.3.254 gives "3.0.10.in-addr.arpa".  The
 * range is what leased hands out, so no one else can know the names
 * below it.  A range across a /24 boundary takes the /16 (or /8) around
 * it: that claims more than the range, but keeps one zone per range
 * instead of RFC 2317's classless pieces, which nothing on a bridge
 * needs.  -1 when the two share not even the first octet.
 */
static int octet_zone(uint32_t start, uint32_t end, char *out, size_t outlen)
{
	int octets = 3;
	size_t len = 0;

	while (octets > 0 && start >> (32 - 8 * octets) != end >> (32 - 8 * octets))
		octets--;
	if (octets == 0)
		return -1;
	/* The labels run from the last shared octet back to the first. */
	for (int i = octets - 1; i >= 0; i--) {
		int n = snprintf(out + len, outlen - len, "%u.", (start >> (24 - 8 * i)) & 0xff);

		if (n < 0 || (size_t)n >= outlen - len)
			return -1;
		len += (size_t)n;
	}
	return (size_t)snprintf(out + len, outlen - len, "in-addr.arpa") < outlen - len ? 0 : -1;
}

/*
 * The ip6.arpa zone of an IPv6 range's prefix (its prefix length, 64 for
 * dnsmasq's ranges, rounded down to a nibble): fd42:77::/64 gives
 * "0.0.0.0.0.0.0.0.7.7.0.0.2.4.d.f.ip6.arpa".  Every address of the
 * prefix is the bridge's: leased hands them out or names them (SLAAC,
 * ra-names), so a reverse query for one it does not know is NXDOMAIN
 * here, never a private address's name asked upstream.
 */
static int nibble_zone(const struct in6_addr *a, int prefixlen, char *out, size_t outlen)
{
	int nibbles = prefixlen / 4;
	size_t len = 0;

	if (nibbles <= 0 || outlen < (size_t)nibbles * 2 + sizeof("ip6.arpa"))
		return -1;
	for (int i = nibbles - 1; i >= 0; i--) {
		unsigned v = i % 2 ? a->s6_addr[i / 2] & 0xf : a->s6_addr[i / 2] >> 4;

		out[len++] = "0123456789abcdef"[v];
		out[len++] = '.';
	}
	memcpy(out + len, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

void dns_zone_reverse(const struct config *cfg, dns_zone_fn fn, void *ctx)
{
	char zone[80], why[sizeof(struct config_origin) + 32];

	if (!cfg || !fn)
		return;
	/*
	 * Ranges only.  A --listen-address alone does not make its subnet's
	 * names leased's: a LAN forwarder listening on 192.168.1.10 would
	 * answer NXDOMAIN for the reverse names its router knows.  On a
	 * bridge the listen address sits in the range's zone anyway.
	 */
	for (size_t i = 0; i < cfg->nranges; i++) {
		const struct dhcp_range *r = &cfg->ranges[i];
		int rc;

		/* A constructor: range's prefix is known only at run time: no zone. */
		if (r->family == AF_INET6)
			rc = r->constructor_if ? -1 :
			     nibble_zone(&r->start6, r->prefixlen6, zone, sizeof(zone));
		else
			rc = octet_zone(ntohl(r->start.s_addr), ntohl(r->end.s_addr), zone,
					sizeof(zone));
		if (rc < 0)
			continue;
		snprintf(why, sizeof(why), "--dhcp-range at %s", r->origin.where);
		fn(ctx, zone, why);
	}
}

uint32_t dns_zone_serial(uint32_t base, const struct lease_table *leases)
{
	/* RFC 1982 arithmetic: the sum wraps, and moves forward all the same. */
	return base + lease_table_generation(leases);
}

int dns_zone_soa(const char *apex, uint32_t serial, uint32_t ttl, uint8_t *out,
		 size_t outlen)
{
	return dns_rdata_soa(apex, DNS_ZONE_RNAME, serial, DNS_ZONE_REFRESH, DNS_ZONE_RETRY,
			     DNS_ZONE_EXPIRE, ttl, out, outlen);
}

int dns_zone_ns(const char *apex, uint8_t *out, size_t outlen)
{
	return dns_rdata_name(apex, out, outlen);
}
