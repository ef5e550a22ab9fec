/*
 * dhcp4 — the DHCPv4 server's decisions (RFC 2131, 2132).
 *
 * dhcp4_handle() is a function of (received bytes, interface, lease table,
 * configuration, reservations, now): it parses the message, decides, applies
 * any lease change through lease_commit()/lease_remove() (so the store and
 * DNS see it in the same step) and builds the reply.  It does no I/O, which
 * is what makes every branch unit-testable and fuzzable.  The caller (the
 * server) sends the reply once the store says the change is durable.
 */
#ifndef LEASED_DHCP4_H
#define LEASED_DHCP4_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf/config.h"
#include "dhcp/dhcp4_wire.h"
#include "conf/hostdb.h"
#include "lease/lease.h"
#include "lease/offer4.h"

#define DHCP4_IFACE_MAX_ADDRS 8
#define DHCP4_DECLINE_QUARANTINE 600 /* seconds a declined address rests */
#define DHCP4_PROBE_QUARANTINE 600   /* ... and one that answered a ping */

/* The interface a message arrived on, with its IPv4 addresses. */
struct dhcp4_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	size_t naddrs;
	struct in_addr addrs[DHCP4_IFACE_MAX_ADDRS];
	struct in_addr netmasks[DHCP4_IFACE_MAX_ADDRS];
};

/*
 * Conflict check before offering a new address: the engine asks
 * probe_ok(addr); false means "not checked yet": the engine returns
 * DHCP4_PROBE and the server checks (net/probe.h), then calls dhcp4_handle
 * again with the same message (quarantining the address first if it is
 * in use).
 * NULL probe_ok means no check (--no-ping, unit tests).
 */
struct dhcp4_work;
struct dhcp4_reserved;

struct dhcp4_env {
	const struct config *cfg;
	const struct hostdb *hosts;
	/* hosts' reserved addresses per dynamic range (dhcp4_reserved.h), made
	 * from cfg and these hosts, so the free-address search skips them
	 * without asking; NULL: each is asked about. */
	const struct dhcp4_reserved *reserved;
	struct lease_table *leases;
	struct offer4_table *offers; /* recent OFFERs (lease/offer4.h); NULL: none kept */
	const struct dhcp4_iface *iface;
	time_t now;
	bool (*probe_ok)(void *arg, struct in_addr addr);
	void *probe_arg;
	bool replay;    /* the message was parked for a ping check: log it once */
	/* Scratch reused for every message (dhcp4_work_new()); NULL: the
	 * call allocates its own, which is fine for tests. */
	struct dhcp4_work *work;
};

struct dhcp4_work *dhcp4_work_new(void);
void dhcp4_work_free(struct dhcp4_work *w);

enum dhcp4_verdict {
	DHCP4_IGNORE,   /* nothing to send (bad packet, not for us, RELEASE...) */
	DHCP4_REPLY,    /* send reply[] to dest */
	DHCP4_PROBE,    /* ping probe_addr, then handle the message again */
};

/* Where a reply goes, RFC 2131 section 4.1. */
enum dhcp4_dest {
	DHCP4_TO_RELAY,     /* giaddr set: unicast to giaddr:67 */
	DHCP4_TO_CIADDR,    /* client has an address: unicast to ciaddr:68 */
	DHCP4_TO_BROADCAST, /* broadcast bit, or NAK: 255.255.255.255:68 */
	DHCP4_TO_YIADDR,    /* unicast to yiaddr:68 at chaddr (neighbour entry) */
};

struct dhcp4_result {
	enum dhcp4_verdict verdict;
	uint8_t request_type;          /* of the message handled; 0 if unparsable */
	uint8_t reply_type;            /* DHCPOFFER, DHCPACK, DHCPNAK */
	uint8_t reply[DHCP4_MAX_PACKET];
	size_t reply_len;
	enum dhcp4_dest dest;
	struct in_addr dest_addr;      /* giaddr / ciaddr / yiaddr */
	uint8_t chaddr[16];            /* for DHCP4_TO_YIADDR and DHCP4_PROBE */
	uint8_t hlen;
	struct in_addr probe_addr;     /* for DHCP4_PROBE: check it, then handle again */
	struct in_addr probe_src;      /* ... our address on the client's link (the ARP
					* request's sender); 0 behind a relay */
	bool lease_changed;            /* reply must wait for the store */
};

/*
 * Handle one received message.  Logs in dnsmasq's format
 * ("DHCPACK(lxcbr0) 10.0.3.3 de:21:82:c6:a7:e1 c1") unless --quiet-dhcp,
 * and says why when an address is refused.  Bad packets are dropped with a
 * rate-limited log line and change nothing.
 */
void dhcp4_handle(const struct dhcp4_env *env, const uint8_t *pkt, size_t len,
		  struct dhcp4_result *out);

/*
 * Have the lease table keep held-address and quarantine bitmaps of every
 * dynamic IPv4 range of cfg, so a free address is found without a walk
 * however full the range is (lease_table_track4); the server calls it
 * once at start.
 */
void dhcp4_track_ranges(const struct config *cfg, struct lease_table *t);

/*
 * Whether l, an IPv4 lease on env->iface's networks, is no longer its
 * client's address under env->hosts: the client's reservation names
 * another address on that network, or l's address is now reserved for
 * another client.  Its name then stops answering (dhcp4_server, on
 * reload) and the client gets a NAK when it renews.
 */
bool dhcp4_lease_superseded(const struct dhcp4_env *env, const struct lease *l);

/*
 * The range serving this interface (its subnet contains the range), or
 * NULL; *iface_addr gets the interface address on that subnet (server id,
 * router and DNS default).
 */
const struct dhcp_range *dhcp4_range_for_iface(const struct config *cfg,
					       const struct dhcp4_iface *iface,
					       struct in_addr *iface_addr,
					       struct in_addr *netmask);

#endif
