/*
 * script — --dhcp-script: run an external program on every lease event,
 * with dnsmasq's arguments and environment, and --leasefile-ro's "init".
 *
 *   add MAC IP [HOSTNAME]   a new lease
 *   old MAC IP [HOSTNAME]   a renewal or change of a lease, and every lease
 *                           loaded at start (DNSMASQ_DATA_MISSING=1)
 *   del MAC IP [HOSTNAME]   released, expired, declined or displaced
 *   init                    once at start with --leasefile-ro: the program
 *                           prints the lease database in lease-file format
 *
 * The program runs in a helper process forked at start while the daemon
 * is still root (so, as with dnsmasq, scripts run as root unless a script
 * user is given), one at a time, in event order.  The daemon hands it
 * fixed-size, length-checked event records over a socketpair and never
 * waits for it: records that do not fit in the socket wait in a FIFO in
 * the daemon, bounded (SCRIPT_QUEUE_MAX) so a script that never returns
 * costs a counted, logged loss of events and never memory or DHCP
 * answers.  The helper reports each finished run back (and what the
 * script printed, a non-zero exit or a signal), which is also what wakes
 * the daemon to send the next records.
 *
 * The event mapping, the record encoding and the argument/environment
 * building are pure functions, unit-tested without processes
 * (include/lease/script_event.h, src/lease/script_event.c).  This header
 * is the daemon's interface, implemented by src/lease/script.c (the
 * daemon's side) and src/lease/script_helper.c (the helper process).
 */
#ifndef LEASED_SCRIPT_H
#define LEASED_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h"

#include "lease/lease.h"
#include "core/loop.h"
#include "net/netlink.h"

#define SCRIPT_QUEUE_MAX 4096    /* events waiting in the daemon at most */
#define SCRIPT_INIT_MAX (64u << 20) /* bytes of "init" output read at most */
#define SCRIPT_INIT_EXIT_BASE 10 /* dnsmasq's EC_INIT_OFFSET: init exit N -> 10+N */

struct script;

struct script_config {
	const char *path;        /* --dhcp-script: absolute path of the program */
	const char *user;        /* --dhcp-scriptuser; NULL: stay root */
	const char *domain;      /* -s; NULL, "" or "#": no DNSMASQ_DOMAIN */
	bool log_dhcp;           /* --log-dhcp: DNSMASQ_LOG_DHCP=1 */
	const struct netlink *nl; /* names DNSMASQ_INTERFACE; NULL: never set */
};

/*
 * Fork the helper (call as root, before the privilege drop) and watch its
 * reports on loop.  NULL with err filled on failure, its status EXIT_CONFIG for
 * a relative path (dnsmasq does no PATH search) or an unknown user,
 * EXIT_FILESYSTEM for a program that is missing or not executable,
 * EXIT_OTHER when the helper cannot be started.  Events are queued, not
 * run, until script_start_events().
 */
struct script *script_new(const struct script_config *cfg, struct loop *loop,
			  struct error *err);
/*
 * Hand what is still queued to the helper (briefly, without waiting for
 * any script) and close the channel; the helper finishes the events it
 * has and exits.
 */
void script_free(struct script *s);

/* The lease observer: register with lease_table_add_observer(t, script_lease_changed, s). */
void script_lease_changed(void *ctx, const struct lease *old, const struct lease *new,
			  enum lease_event ev);

/*
 * --leasefile-ro: run "PATH init" (as root, now, waiting for it), read
 * the lease database it prints and commit every unexpired lease into t as
 * LEASE_EV_LOADED (the observer then reports them as "old"; an expired
 * one gets "del", as dnsmasq does).  Bad lines are skipped with a
 * warning naming the line.  A program that cannot be run, fails, or is
 * killed is an error: -1 with err filled (status 10+N for
 * "exited with N", as dnsmasq).
 */
int script_load_init(struct script *s, struct lease_table *t, time_t now,
		     struct error *err);

/*
 * Let the queued events go, now that the store is open and the server's
 * DUID (DNSMASQ_SERVER_DUID of IPv6 leases; len 0: none) is known: the
 * "old" runs of the leases loaded at start carry it too.  Until then
 * events are only queued.
 */
void script_start_events(struct script *s, const uint8_t *server_duid, size_t len);
/* SIGHUP: an "old" event for every lease, as dnsmasq does on reload. */
void script_rerun(struct script *s, const struct lease_table *t);

/* Counters (leasectl stats, SIGUSR1). */
struct script_stats {
	uint64_t queued, sent, done, failed, dropped;
	size_t waiting; /* in the daemon's FIFO now */
};
void script_get_stats(const struct script *s, struct script_stats *out);

#endif
