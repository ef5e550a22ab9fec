/*
 * control — the daemon's side of leasectl: the UNIX socket, who may use
 * it, and the answers to the commands of include/ctl/control_proto.h.
 *
 * The socket is --control-socket=PATH, else /run/leased/NAME.sock where
 * NAME is the first --interface (several daemons on one host, one per
 * bridge) or "leased".  It is created before privileges are dropped,
 * owned by root with mode 0600, or 0660 with group --control-group.  A
 * peer is admitted when it is root, the socket file's owner (root, unless
 * the daemon was started by another user), or (with --control-group) a
 * member of that group, checked with SO_PEERCRED; never for being the
 * daemon's --user (nobody, shared with other services).  Anyone else
 * gets a "permission-denied" reply and is disconnected.
 *
 * Requests are one line each, at most CONTROL_MAX_REQUEST bytes; a peer
 * that sends a partial line and stalls is dropped after
 * CONTROL_REQUEST_TIMEOUT_MS, and a watcher that stops reading is dropped
 * when its backlog passes CONTROL_MAX_BACKLOG: nothing a client does can
 * stall the loop or grow memory without bound.  Lease events are only
 * queued for watchers (the loop writes them), and a connection that is
 * gone is freed by the loop, never under a command running on it.
 */
#ifndef LEASED_CONTROL_H
#define LEASED_CONTROL_H

#include "conf/config.h"
#include "dhcp/dhcp4_server.h"
#include "dns/dns_server.h"
#include "conf/hostdb.h"
#include "lease/lease.h"
#include "core/loop.h"
#include "net/netlink.h"
#include "store/store.h"

#define CONTROL_MAX_CONNS 32
#define CONTROL_REQUEST_TIMEOUT_MS 5000
#define CONTROL_IDLE_TIMEOUT_MS 60000
#define CONTROL_MAX_BACKLOG (4 * 1024 * 1024)

/* What a reload changed (or why it failed), for `leasectl reload`. */
struct control_reload_report {
	bool ok;
	char error[CONFIG_ERR_LEN + 64];
	size_t reservations_before, reservations_after;
	size_t dns_records_before, dns_records_after;
	size_t dns_servers_before, dns_servers_after;
};

typedef void (*control_reload_fn)(void *ctx, struct control_reload_report *out);

struct control_deps {
	const struct config *cfg;
	struct loop *loop;
	struct lease_table *leases;
	const struct netlink *nl;
	const struct hostdb *const *hosts;   /* the reservations in force (swapped on reload) */
	struct dhcp4_server *dhcp4;
	struct dns_service *dns;             /* NULL when DNS is off */
	struct store *store;                 /* a release is answered once durable */
	control_reload_fn reload;
	void *reload_ctx;
};

struct control;

/* The socket path this configuration uses (out holds PATH_MAX). */
void control_socket_path(const struct config *cfg, char *out, size_t outlen);

/*
 * Create the socket.  NULL with err and *status filled when it cannot be
 * made (another daemon answers on it: EXIT_NETWORK).
 */
struct control *control_open(const struct control_deps *deps, char *err, size_t errlen,
			     int *status);
/* Close every connection and remove the socket file (when still ours). */
void control_free(struct control *c);

/* The store confirmed changes: send the replies that waited for them. */
void control_store_durable(struct control *c);

/* A lease_observer_fn: tell every `leasectl watch` what changed. */
void control_lease_changed(void *ctx, const struct lease *old, const struct lease *new,
			   enum lease_event ev);

#endif
