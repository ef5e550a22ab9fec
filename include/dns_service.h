/*
 * dns_service — the DNS service: UDP and TCP listeners on every listen
 * address (or the wildcard, filtered by --interface/--except-interface),
 * and the order in which a query is answered: local data (dns_local:
 * leases, hosts, configured records), then the cache, then upstream
 * (dns_forward), whose answer is cached and sent to every client waiting
 * for it.
 *
 * Replies leave from the address the query was sent to (IP_PKTINFO), so
 * a bridge with several addresses works.  UDP is read and written in
 * batches (recvmmsg/sendmmsg).  TCP takes pipelined queries on one
 * connection, closes a connection idle for DNS_TCP_IDLE_MS, and holds at
 * most DNS_TCP_MAX_CONNS at once.
 *
 * It also keeps the cache coherent with the lease table: as a lease
 * observer it drops every cached entry for each name a lease change
 * touches, in the same step as the change.
 */
#ifndef LEASED_DNS_SERVICE_H
#define LEASED_DNS_SERVICE_H

#include "config.h"
#include "dns_local.h"
#include "lease.h"
#include "loop.h"
#include "netlink.h"

#define DNS_TCP_IDLE_MS 10000
#define DNS_TCP_MAX_CONNS 64
#define DNS_UDP_REPLY_MAX 4096 /* the largest UDP answer leased sends */

struct dns_service;

struct dns_service_deps {
	const struct config *cfg;
	struct loop *loop;
	const struct lease_table *leases;
	const struct netlink *nl;
	const struct dns_local *local; /* replaced by dns_service_set_local() */
};

/*
 * Open the listeners.  NULL with err and *status (EXIT_NETWORK) on
 * failure; the message names the address and port, as dnsmasq's does.
 * Not called when --port=0.
 */
struct dns_service *dns_service_new(const struct dns_service_deps *deps, char *err,
				  size_t errlen, int *status);
void dns_service_free(struct dns_service *s);

void dns_service_set_local(struct dns_service *s, const struct dns_local *local);
/* SIGHUP: empty the cache and reread the resolv file. */
void dns_service_reload(struct dns_service *s);
void dns_service_log_stats(const struct dns_service *s);

/* A lease_observer_fn: purge the cache for every name the change touches. */
void dns_service_lease_changed(void *ctx, const struct lease *old, const struct lease *new,
			      enum lease_event ev);

#endif
