/*
 * dns_server (dns_service_*) — the DNS service: UDP and TCP listeners
 * on every listen address (or the wildcard, filtered by --interface and
 * --except-interface), and the order in which a query is answered: local
 * data (dns_local: leases, hosts, configured records), then the cache,
 * then upstream (dns_forward), whose answer is cached and sent to every
 * client waiting for it.
 *
 * Replies leave from the address the query was sent to (IP_PKTINFO), so
 * a bridge with several addresses works.  UDP is read and written in
 * batches (recvmmsg/sendmmsg).  TCP takes pipelined queries on one
 * connection, stops reading one whose unsent replies pass
 * DNS_TCP_OUT_MAX, closes a connection without progress for
 * DNS_TCP_IDLE_MS, and holds at most DNS_TCP_MAX_CONNS at once.  On the
 * wildcard address both UDP and TCP admit only what --interface and
 * --except-interface select, by the interface a query came in on.
 *
 * It also keeps the cache coherent with the lease table: as a lease
 * observer it drops every cached entry for each name a lease change
 * touches, in the same step as the change.
 */
#ifndef LEASED_DNS_SERVER_H
#define LEASED_DNS_SERVER_H

#include "conf/config.h"
#include "dns/dns_cache.h"
#include "dns/dns_forward.h"
#include "dns/dns_local.h"
#include "lease/lease.h"
#include "core/loop.h"
#include "net/netlink.h"

#define DNS_TCP_IDLE_MS 10000
#define DNS_TCP_MAX_CONNS 64
#define DNS_TCP_OUT_MAX (128 * 1024) /* unsent replies one connection may hold */
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
 * Open the listeners.  NULL with err filled (EXIT_NETWORK) on
 * failure; the message names the address and port, as dnsmasq's does.
 * Not called when --port=0.
 */
struct dns_service *dns_service_new(const struct dns_service_deps *deps, struct error *err);
void dns_service_free(struct dns_service *s);

void dns_service_set_local(struct dns_service *s, const struct dns_local *local);
/* SIGHUP: empty the cache and reread the resolv file. */
void dns_service_reload(struct dns_service *s);
void dns_service_log_stats(const struct dns_service *s);

/* Counters since start (leasectl stats). */
struct dns_service_stats {
	uint64_t queries, tcp_queries, local, cached, forwarded, refused, malformed;
	uint64_t upstream_answered, upstream_failed;   /* forwarded queries' outcomes */
	struct dns_cache_stats cache;
	uint32_t cache_size;
};
void dns_service_get_stats(const struct dns_service *s, struct dns_service_stats *out);

/* The cache and the forwarder, for leasectl's cache, stats and explain. */
struct dns_cache *dns_service_cache(struct dns_service *s);
const struct dns_forward *dns_service_forward(const struct dns_service *s);
const struct dns_local *dns_service_local(const struct dns_service *s);

/*
 * How a query for (name, type) would be answered now, without answering
 * it: from local data (out->local, with detail), from the cache
 * (out->cached), or upstream (out->servers, in the order they would be
 * asked; none: REFUSED).  Changes nothing (no LRU move, no hit counted).
 */
enum dns_explain_decision { DNS_EXPLAIN_LOCAL, DNS_EXPLAIN_CACHED, DNS_EXPLAIN_FORWARD };
#define DNS_EXPLAIN_MAX_SERVERS 16
struct dns_explanation {
	enum dns_explain_decision decision;
	const struct dns_local_result *local;    /* DNS_EXPLAIN_LOCAL, and the forward reason */
	struct dns_cache_entry_info cached;      /* DNS_EXPLAIN_CACHED */
	size_t servers[DNS_EXPLAIN_MAX_SERVERS]; /* DNS_EXPLAIN_FORWARD */
	size_t nservers;
	bool all_at_once;                        /* asked at once, not in turn */
};
/* -1 when name is not a valid DNS name. */
int dns_service_explain(struct dns_service *s, const char *name, uint16_t type,
			struct dns_explanation *out);

/*
 * The coherence step (DESIGN invariant 2), one function for the daemon and
 * the scenario harness: drop from cache every entry about a name the
 * change touches, the lease's names before it and after it (H, H.DOMAIN,
 * the reverse name).
 */
void dns_purge_lease_change(struct dns_cache *cache, const struct dns_local *local,
			    const struct lease *old, const struct lease *new);

/* A lease_observer_fn: dns_purge_lease_change on the service's cache. */
void dns_service_lease_changed(void *ctx, const struct lease *old, const struct lease *new,
			      enum lease_event ev);

#endif
