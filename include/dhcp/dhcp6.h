/*
 * dhcp6 — the DHCPv6 server's decisions (RFC 8415), for IA_NA addresses
 * from --dhcp-range's stateful ranges and for configuration only
 * (Information-request, ra-stateless).
 *
 * dhcp6_handle() is a function of (received bytes, how they came,
 * interface, lease table, configuration, server DUID, now), like
 * dhcp4_handle(): it parses, decides, applies lease changes through
 * lease_commit()/lease_remove() (so the store and DNS see them in the
 * same step) and builds the reply; the server sends it once the store
 * says the change is durable.  Where dnsmasq 2.90 departs from RFC 8415,
 * this follows the RFC:
 *  - Solicit, Confirm and Rebind sent to a unicast address are dropped
 *    (section 16); Request, Renew, Release and Decline sent by unicast
 *    get a Reply with UseMulticast (18.4: no Server Unicast option is
 *    ever sent).
 *  - An IA with no address to give gets NoAddrsAvail inside it, in the
 *    Advertise too, with the configured options still (RFC 7550); an
 *    address another client holds is NoAddrsAvail, not UnspecFail;
 *    several IAs in one message get distinct addresses.
 *  - Release and Decline: a top-level Success, NoBinding inside an IA the
 *    server has no binding for.
 *  - Renew/Rebind of an unknown binding: created when the address is
 *    appropriate (in a range on this link, free or the client's);
 *    otherwise the address is returned with lifetimes 0 and a valid one is
 *    offered in its place.
 *  - T1 = 0.5 and T2 = 0.8 of the valid lifetime (the range's lease
 *    time); Preference 255 with --dhcp-authoritative, else none.
 * One address per IA_NA; IA_TA and IA_PD are answered NoAddrsAvail /
 * NoPrefixAvail.  A client's FQDN (option 39) names the lease (its first
 * label, as the IPv4 hostname does).
 *
 * Reservations (--dhcp-host, --dhcp-hostsfile: LXD writes
 * "MAC,IPv4,[IPv6],NAME" lines) are found by the client's DUID ("id:"),
 * by the MAC inside its DUID-LL/LLT or of the packet, then by name: the
 * reserved address (a whole one, or "[::N]": the host part on this link's
 * prefix) is given even outside the dynamic range when it is on the link,
 * the reserved name beats the FQDN, the reserved lease time the range's,
 * and "ignore" gets no answer.  No dynamic address is ever one reserved
 * for another client.
 */
#ifndef LEASED_DHCP6_H
#define LEASED_DHCP6_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf/config.h"
#include "conf/hostdb.h"
#include "dhcp/dhcp6_wire.h"
#include "lease/lease.h"

#define DHCP6_IFACE_MAX_ADDRS 8
#define DHCP6_DECLINE_QUARANTINE 600 /* seconds a declined address rests */

/* The interface a message arrived on, with its global IPv6 addresses. */
struct dhcp6_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	size_t naddrs;
	struct in6_addr addrs[DHCP6_IFACE_MAX_ADDRS];
	uint8_t prefixlens[DHCP6_IFACE_MAX_ADDRS];
};

struct dhcp6_env {
	const struct config *cfg;
	const struct hostdb *hosts;  /* reservations; NULL: none */
	struct lease_table *leases;
	const struct dhcp6_iface *iface;
	const uint8_t *server_duid;
	size_t server_duid_len;
	bool multicast;          /* sent to All_DHCP_Relay_Agents_and_Servers */
	const uint8_t *src_hw;   /* the packet's link-layer source, when known */
	size_t src_hwlen;
	time_t now;
};

enum dhcp6_verdict { DHCP6_DROP, DHCP6_SEND };

struct dhcp6_result {
	enum dhcp6_verdict verdict;
	uint8_t request_type;
	uint8_t reply_type;      /* DHCP6_ADVERTISE or DHCP6_REPLY */
	uint8_t reply[DHCP6_MAX_PACKET];
	size_t reply_len;
	bool lease_changed;      /* the reply waits for the store */
};

/*
 * Handle one received message.  Logs in dnsmasq's shape
 * ("DHCPREPLY(lxcbr0) fd42::5 00:01:00:01:... c1") unless --quiet-dhcp6.
 * Bad packets are dropped and change nothing.
 */
void dhcp6_handle(const struct dhcp6_env *env, const uint8_t *pkt, size_t len,
		  struct dhcp6_result *out);

/*
 * The MAC inside a modified EUI-64 interface identifier (RFC 4291 2.5.1:
 * ff:fe in the middle, the universal/local bit flipped), as a link-local
 * address made from a MAC has it; false for any other address (privacy
 * or stable-privacy ones).  The server gives the engine the MAC of a
 * client whose DUID carries none this way.
 */
bool dhcp6_eui64_mac(const struct in6_addr *a, uint8_t mac[6]);

/*
 * Whether l, an IPv6 lease on env->iface's link, is no longer its client's
 * address under env->hosts: its reservation names another address on the
 * link, or l's address is now reserved for another client.  Its name then
 * stops answering (dhcp6_server, on reload); at the client's next Renew or
 * Rebind the address is returned with lifetime 0 and the reserved one
 * offered.
 */
bool dhcp6_lease_superseded(const struct dhcp6_env *env, const struct lease *l);

/* Whether cfg serves DHCPv6 at all (a v6 range that is not ra-only). */
bool dhcp6_wanted(const struct config *cfg);
/* Whether some DHCPv6 range covers iface (its multicast group is then joined). */
bool dhcp6_serves(const struct config *cfg, const struct dhcp6_iface *iface);

#endif
