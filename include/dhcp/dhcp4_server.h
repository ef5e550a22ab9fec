/*
 * dhcp4_server — the DHCPv4 server's I/O: the UDP socket on port 67, which
 * interfaces are served (--interface, --except-interface,
 * --listen-address), the ping check, and the queue of replies waiting for
 * the store.  Decisions are dhcp4_handle()'s; this module only moves bytes.
 *
 * A reply whose lease change is not yet durable waits in a FIFO tagged
 * with the store's sequence number and leaves when the store acknowledges
 * it: the lease is on disk before the client hears about it.  Replies
 * that change nothing on disk (OFFER, NAK, INFORM's ACK) never wait.  The
 * FIFO is bounded, and a reply that waited a few seconds is dropped (the
 * client retries): see src/store/reply_hold.c.
 */
#ifndef LEASED_DHCP4_SERVER_H
#define LEASED_DHCP4_SERVER_H

#include "conf/config.h"
#include "dhcp/dhcp4_wire.h"
#include "conf/hostdb.h"
#include "lease/lease.h"
#include "core/loop.h"
#include "net/netlink.h"

struct dhcp4_server;
struct store; /* include/store/store.h: only dhcp4_server.c uses it */

struct dhcp4_server_deps {
	const struct config *cfg;
	struct lease_table *leases;
	struct store *store;
	struct netlink *nl;
	struct loop *loop;
	const struct hostdb *hosts; /* replaced by dhcp4_server_set_hosts() */
};

/*
 * Bind 0.0.0.0:67 and open the conflict check's sockets.  NULL with err filled
 * (EXIT_NETWORK ...) on failure; the message names address and port.
 */
struct dhcp4_server *dhcp4_server_new(const struct dhcp4_server_deps *deps,
				      struct error *err);
void dhcp4_server_free(struct dhcp4_server *s);
void dhcp4_server_set_hosts(struct dhcp4_server *s, const struct hostdb *hosts);
/* Send every queued reply the store has made durable; drop the stale ones. */
void dhcp4_server_send_durable(struct dhcp4_server *s);
/* Interfaces changed (netlink): re-apply the device binding. */
void dhcp4_server_interfaces_changed(struct dhcp4_server *s);
/* Log counters (SIGUSR1). */
void dhcp4_server_log_stats(const struct dhcp4_server *s);

/* Counters since start (leasectl stats). */
struct dhcp4_server_stats {
	uint64_t received, dropped, replies;
	uint64_t received_by_type[DHCPINFORM + 1]; /* [0]: unparsable */
	uint64_t sent_by_type[DHCPINFORM + 1];
	uint64_t probes, conflicts;
	size_t waiting;                    /* replies waiting for the disk */
	uint64_t dropped_waiting;          /* dropped: queue full, or waited too long */
};
void dhcp4_server_get_stats(const struct dhcp4_server *s, struct dhcp4_server_stats *out);

#endif
