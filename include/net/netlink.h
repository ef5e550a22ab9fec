/*
 * netlink — the interfaces and addresses of this host, kept current by
 * libnl caches fed with rtnetlink events, and the neighbour entries the
 * DHCP server sets so it can unicast to a client that has no address yet.
 *
 * The bridge may be missing at start, go down, lose its addresses, or be
 * deleted and re-created with a new index (an lxc-net restart): the module
 * only reports what is there now and calls the change hook, and the server
 * follows.  Nothing here ever touches the lease table.
 */
#ifndef LEASED_NETLINK_H
#define LEASED_NETLINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define NETLINK_MAX_ADDRS 8
#define NETLINK_HWADDR_MAX 16

/* One IPv6 address of an interface, as the kernel reports it. */
struct nl_addr6 {
	struct in6_addr addr;
	uint8_t prefixlen;
	bool tentative;  /* duplicate address detection not finished: not usable as a source */
	bool deprecated; /* preferred lifetime over */
};

struct netlink;

struct nl_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	bool up;
	size_t naddrs;
	struct in_addr addrs[NETLINK_MAX_ADDRS];
	struct in_addr netmasks[NETLINK_MAX_ADDRS];
	size_t naddrs6;          /* link-local ones too */
	struct nl_addr6 addrs6[NETLINK_MAX_ADDRS];
	uint8_t hwaddr[NETLINK_HWADDR_MAX]; /* the link-layer address (RA's source option) */
	size_t hwlen;
	unsigned mtu;
};

/* Its first link-local address that is not tentative; NULL when none. */
const struct in6_addr *netlink_link_local(const struct nl_iface *i);

typedef void (*netlink_change_fn)(void *ctx);

/* An IPv6 neighbour of this host: who uses an address on a link, by MAC. */
struct nl_neigh6 {
	int ifindex;
	struct in6_addr addr;
	uint8_t mac[6];
};

/*
 * Open the caches; NULL with err filled on failure.  want_neighbours: also
 * follow the IPv6 neighbour table (ra-names, and the MAC of a DHCPv6
 * client whose DUID and address carry none), which the others do not pay
 * for: a neighbour change rebuilds the neighbour list only, and does not
 * call the change hook.
 */
struct netlink *netlink_open(bool want_neighbours, struct error *err);
void netlink_close(struct netlink *nl);
/* Descriptor to watch; call netlink_process() when readable. */
int netlink_fd(const struct netlink *nl);
void netlink_process(struct netlink *nl);
/* Called after links or addresses changed (not for each message). */
void netlink_on_change(struct netlink *nl, netlink_change_fn fn, void *ctx);

/* Current view; NULL when unknown.  Valid until the next netlink_process(). */
const struct nl_iface *netlink_iface_by_index(const struct netlink *nl, int ifindex);
const struct nl_iface *netlink_iface_by_name(const struct netlink *nl, const char *name);
/* The IPv6 neighbours (reachable, stale, delayed, probing or permanent); none without want_neighbours. */
const struct nl_neigh6 *netlink_neighbours6(const struct netlink *nl, size_t *n);
/* The MAC the neighbour table has for address a on ifindex; false when it has none. */
bool netlink_neighbour6_mac(const struct netlink *nl, int ifindex, const struct in6_addr *a,
			    uint8_t mac[6]);
/* All interfaces, for iteration. */
const struct nl_iface *netlink_ifaces(const struct netlink *nl, size_t *n);

/* An IPv4 neighbour entry, as netlink_neighbour4() reads it. */
struct nl_neigh4 {
	uint8_t mac[6];
	bool confirmed; /* REACHABLE (the host answered lately) or PERMANENT */
};

/*
 * Ask the kernel for its entry for ip on ifindex (one request, answered at
 * once; no cache, so a busy host's ARP traffic costs nothing between
 * checks): 1 with *out filled, 0 when it has none with a link-layer
 * address, -1 when the request failed.
 */
int netlink_neighbour4(struct netlink *nl, int ifindex, struct in_addr ip, struct nl_neigh4 *out);

/* Tell the kernel chaddr owns ip on ifindex, so a unicast reply reaches it. */
int netlink_set_neighbour(struct netlink *nl, int ifindex, struct in_addr ip,
			  const uint8_t *hwaddr, size_t hwlen);

#endif
