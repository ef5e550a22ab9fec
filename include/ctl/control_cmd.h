/*
 * control_cmd — the commands of the control socket (include/ctl/control_proto.h
 * says what each takes and answers), each a control_command_fn for the
 * table main hands to control_open() (include/ctl/control.h), with the
 * deps it is given as its ctx:
 *
 *   leases, show, release, watch  control_cmd_leases.c  struct control_leases *
 *   stats                         control_cmd_stats.c   const struct control_stats_deps *
 *   cache, explain                control_cmd_dns.c     struct dns_service * (NULL: DNS off)
 *   reload                        control_cmd_reload.c  const struct control_reload_deps *
 *
 * The command files may include the modules whose state they show or
 * change; the transport (control_server.c) may not.  Only main.c (and the
 * tests) include this header.
 */
#ifndef LEASED_CONTROL_CMD_H
#define LEASED_CONTROL_CMD_H

#include "conf/config.h"
#include "conf/hostdb.h"
#include "ctl/control.h"
#include "ctl/control_proto.h"
#include "dhcp/dhcp4_server.h"
#include "dhcp/dhcp6_server.h"
#include "dns/dns_server.h"
#include "lease/lease.h"
#include "net/netlink.h"
#include "ra/ra_server.h"
#include "store/store.h"

/* ---- leases, show, release, watch (control_cmd_leases.c) --------------- */

struct control_leases_deps {
	struct lease_table *leases;
	const struct netlink *nl;            /* `leases -i IF`; NULL: no interface is known */
	const struct hostdb *hosts;          /* replaced by control_leases_set_hosts() */
	struct dns_service *dns;             /* a lease's DNS names; NULL when DNS is off */
	struct store *store;                 /* a release is answered once durable */
};

struct control_leases;

struct control_leases *control_leases_new(const struct control_leases_deps *deps);
void control_leases_free(struct control_leases *l);
/* The reservations in force (a reload swaps them): which leases are "static". */
void control_leases_set_hosts(struct control_leases *l, const struct hostdb *hosts);
/* Where `leasectl watch` events go: the socket whose table holds these commands. */
void control_leases_set_server(struct control_leases *l, struct control *c);
/* A lease_observer_fn (ctx: the control_leases): tell every `leasectl watch` what changed. */
void control_leases_changed(void *ctx, const struct lease *old, const struct lease *new,
			    enum lease_event ev);

control_command_fn control_cmd_leases, control_cmd_show, control_cmd_release, control_cmd_watch;

/* ---- stats (control_cmd_stats.c) ----------------------------------------- */

struct control_stats_deps {
	const struct config *cfg;            /* the ranges, --dhcp-lease-max */
	struct lease_table *leases;
	struct dhcp4_server *dhcp4;
	struct dhcp6_server *dhcp6;          /* NULL without a DHCPv6 range */
	struct ra_server *ra;                /* NULL without router advertisements */
	struct store *store;
	struct dns_service *dns;             /* NULL when DNS is off */
};

control_command_fn control_cmd_stats;

/* ---- cache, explain (control_cmd_dns.c); ctx: the dns_service or NULL ---- */

control_command_fn control_cmd_cache, control_cmd_explain;

/* ---- reload (control_cmd_reload.c) --------------------------------------- */

/* What a reload changed (or why it failed), for `leasectl reload`. */
struct control_reload_report {
	bool ok;
	char error[ERROR_LEN + 64];
	size_t reservations_before, reservations_after;
	size_t dns_records_before, dns_records_after;
	size_t dns_servers_before, dns_servers_after;
};

typedef void (*control_reload_fn)(void *ctx, struct control_reload_report *out);

struct control_reload_deps {
	control_reload_fn reload;            /* main's: the same as SIGHUP */
	void *ctx;
};

control_command_fn control_cmd_reload;

#endif
