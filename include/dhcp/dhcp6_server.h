/*
 * dhcp6_server — the DHCPv6 socket: [::]:547, All_DHCP_Relay_Agents_and_
 * Servers (ff02::1:2) joined on every interface a DHCPv6 range covers,
 * messages handed to dhcp6_handle() with how they came (multicast or
 * not, which interface), and replies sent to the client's address once
 * the store has made their lease changes durable (reply_hold, as
 * dhcp4_server does).
 */
#ifndef LEASED_DHCP6_SERVER_H
#define LEASED_DHCP6_SERVER_H

#include <stdint.h>

#include "conf/config.h"
#include "conf/hostdb.h"
#include "core/error.h"
#include "core/loop.h"
#include "lease/lease.h"
#include "net/netlink.h"

struct dhcp6_server;
struct store; /* include/store/store.h: only dhcp6_server.c uses it */

struct dhcp6_server_deps {
	const struct config *cfg;
	struct lease_table *leases;
	struct store *store;       /* also the server DUID (store_server_duid) */
	const struct netlink *nl;
	struct loop *loop;
	const struct hostdb *hosts; /* replaced by dhcp6_server_set_hosts() */
};

/* Bind [::]:547; NULL with err filled (EXIT_NETWORK) on failure. */
struct dhcp6_server *dhcp6_server_new(const struct dhcp6_server_deps *deps, struct error *err);
void dhcp6_server_free(struct dhcp6_server *s);
void dhcp6_server_set_hosts(struct dhcp6_server *s, const struct hostdb *hosts);
/* Send every queued reply the store has made durable; drop the stale ones. */
void dhcp6_server_send_durable(struct dhcp6_server *s);
/* Interfaces or their addresses changed: follow the multicast memberships. */
void dhcp6_server_interfaces_changed(struct dhcp6_server *s);

struct dhcp6_server_stats {
	uint64_t received, replies, dropped_waiting;
};
void dhcp6_server_get_stats(const struct dhcp6_server *s, struct dhcp6_server_stats *out);

#endif
