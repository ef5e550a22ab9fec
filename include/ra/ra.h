/*
 * ra — IPv6 router advertisements (RFC 4861 section 4.2, with RFC 8106's
 * RDNSS and DNSSL and RFC 4191's router preference): what one interface's
 * RA says, built from the configuration and the interface as netlink
 * sees it (ra_plan), written to the wire (ra_build), and the router
 * solicitations that ask for one read from it (ra_parse_rs).  No sockets
 * and no clock here: ra_server.h sends and times them.
 *
 * What is advertised, as dnsmasq does for its --dhcp-range modes:
 *   mode                 RA sent without --enable-ra   M  O  A (SLAAC)
 *   (none: stateful)     no                            1  1  0
 *   slaac, ra-names      yes                           1  1  1
 *   ra-stateless         yes                           0  1  1
 *   ra-only              yes                           0  0  1
 * A is set only on /64 prefixes (SLAAC needs 64 interface-identifier
 * bits).  A range names its prefix by its start address and prefix
 * length (lxc-net: `--dhcp-range=fd42::1,ra-only`), or is built from an
 * interface's own prefixes with `constructor:IFACE` (LXD and Incus: `::`).
 * Several ranges on one interface merge: M, O from any of them.
 */
#ifndef LEASED_RA_H
#define LEASED_RA_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"
#include "net/netlink.h"

#define RA_MAX_PREFIXES 8
#define RA_MAX_RDNSS 3
#define RA_PACKET_MAX 1280          /* the IPv6 minimum MTU: always fits */
#define RA_DEFAULT_INTERVAL 600     /* s, dnsmasq's; RFC 4861's MaxRtrAdvInterval */

enum ra_preference { RA_PREF_MEDIUM = 0, RA_PREF_HIGH = 1, RA_PREF_LOW = 3 };

struct ra_prefix {
	struct in6_addr prefix;     /* host bits cleared */
	uint8_t len;
	bool autonomous;            /* A: hosts may form addresses (SLAAC) */
	uint32_t valid, preferred;  /* lifetimes, s */
};

/* Everything one RA carries. */
struct ra_message {
	bool managed, other;        /* M, O */
	enum ra_preference preference;
	uint8_t hop_limit;
	uint16_t router_lifetime;   /* s; 0: "not a default router" */
	uint32_t mtu;               /* 0: no MTU option */
	uint8_t src_hw[NETLINK_HWADDR_MAX];
	size_t src_hwlen;           /* 0: no source link-layer option */
	struct ra_prefix prefixes[RA_MAX_PREFIXES];
	size_t nprefixes;
	struct in6_addr rdnss[RA_MAX_RDNSS];
	size_t nrdnss;
	uint32_t dns_lifetime;      /* RDNSS and DNSSL */
	char domain[256];           /* DNSSL: one domain, or "" */
};

/* How often this interface is advertised: --ra-param's interval, s. */
struct ra_timing {
	uint32_t interval;
};

/*
 * The RA for interface ifc under cfg; false when leased advertises
 * nothing there (no range for it, or its ranges do not ask for RAs).
 * dns_on: whether leased answers DNS on ifc's IPv6 addresses (RDNSS
 * names only such an address: a --listen-address on ifc, else with a
 * wildcard DNS listener ifc's first global address, else its link-local
 * one).
 */
bool ra_plan(const struct config *cfg, const struct nl_iface *ifc, struct ra_message *m,
	     struct ra_timing *t);

/* Write m as an ICMPv6 RA (checksum 0: the kernel fills it); length, or -1 if cap is short. */
int ra_build(const struct ra_message *m, uint8_t *buf, size_t cap);

/* A router solicitation, as far as answering it needs. */
struct ra_solicit {
	bool has_src_hw;
	uint8_t src_hw[NETLINK_HWADDR_MAX];
	size_t src_hwlen;
};

/*
 * Check an ICMPv6 message as a router solicitation (RFC 4861 6.1.1: the
 * caller has checked the hop limit is 255).  src_unspecified: sent from
 * ::, which must carry no source link-layer option.  0, or -1 with *why.
 */
int ra_parse_rs(const uint8_t *p, size_t len, bool src_unspecified, struct ra_solicit *out,
		const char **why);

#endif
