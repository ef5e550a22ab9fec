/*
 * dhcp4_reserved — the addresses --dhcp-host and --dhcp-hostsfile reserve,
 * as a bitmap per dynamic IPv4 range, so the free-address search skips a
 * run of reservations (LXD and libvirt hosts with many static addresses
 * inside the range) as it skips held addresses, instead of asking about
 * each.  A reserved address never goes to a client searching for a free
 * one: its own is chosen before any search (dhcp4.c's choose_address).
 *
 * Made from (configuration, hostdb) and never changed: the hostdb is
 * immutable, so when the reservations change (SIGHUP) the server makes a
 * new one with the new hostdb.  It keeps no pointer into either.
 *
 * May include: core/, conf/, lease/pool.h.
 */
#ifndef LEASED_DHCP4_RESERVED_H
#define LEASED_DHCP4_RESERVED_H

#include <netinet/in.h>

#include "conf/config.h"
#include "conf/hostdb.h"

struct dhcp4_reserved;
struct pool4;

/* The reservations of hosts (NULL: none) in every dynamic IPv4 range of cfg. */
struct dhcp4_reserved *dhcp4_reserved_new(const struct config *cfg, const struct hostdb *hosts);
void dhcp4_reserved_free(struct dhcp4_reserved *r);

/*
 * The reserved addresses of the dynamic range first..last as a bitmap
 * for pool4_pick()'s hard skips (lease/pool.h); NULL when r is NULL, the
 * range is not one of cfg's dynamic ranges, or nothing in it is reserved.
 */
const struct pool4 *dhcp4_reserved_pool4(const struct dhcp4_reserved *r, struct in_addr first,
					 struct in_addr last);

#endif
