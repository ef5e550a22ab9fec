/*
 * dns_cache — answers from upstream servers, kept for their TTL.
 *
 * Keyed by question (name case-insensitively, type, class).  An entry is
 * the whole reply: its rcode and the records of its answer and authority
 * sections, so a CNAME chain is cached and expires as a unit.  Positive
 * TTLs are bounded by --min-cache-ttl/--max-cache-ttl; negative answers
 * (NXDOMAIN, NODATA) per RFC 2308: the smaller of the SOA's TTL and its
 * MINIMUM, --neg-ttl when the reply has no SOA (dnsmasq: not cached at
 * all without it), never longer than --max-neg-ttl, and never under
 * --no-negcache.  SERVFAIL, REFUSED, truncated and malformed replies are
 * never stored.  At most `size` entries; the least recently used goes.
 *
 * Coherence with the lease table: dns_cache_purge_name() drops every entry
 * whose question, or any owner or target in its records, is the name; the
 * lease observer calls it for every name a lease change touches.
 *
 * Time is an input (seconds on a monotonic clock), so tests control it.
 */
#ifndef LEASED_DNS_CACHE_H
#define LEASED_DNS_CACHE_H

#include "dns/dns_wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dns_cache_policy {
	size_t size;            /* --cache-size; 0 disables the cache */
	uint32_t min_ttl;       /* --min-cache-ttl */
	uint32_t max_ttl;       /* --max-cache-ttl; 0: no bound */
	bool has_neg_ttl;
	uint32_t neg_ttl;       /* --neg-ttl, for negatives without SOA */
	uint32_t max_neg_ttl;   /* --max-neg-ttl */
	bool no_negcache;
};

struct dns_cache;

struct dns_cache *dns_cache_new(const struct dns_cache_policy *p);
void dns_cache_free(struct dns_cache *c);

/*
 * Store the upstream reply msg to the question (qname, qtype, qclass)
 * at time now.  Returns 1 if stored, 0 if the reply is not cacheable
 * (SERVFAIL, REFUSED, TC, zero TTL, negative with caching off ...),
 * -1 if malformed.
 */
int dns_cache_store(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		    const uint8_t *msg, size_t len, uint64_t now);

/*
 * A hit: the reply as dns_answer (authoritative false) with every TTL
 * reduced by the time spent in the cache.  The records stay valid until
 * the next call into the cache.
 */
struct dns_cache_hit {
	struct dns_answer answer;
	bool negative;          /* NXDOMAIN or NODATA */
};

bool dns_cache_lookup(struct dns_cache *c, const char *qname, uint16_t qtype,
		      uint16_t qclass, uint64_t now, struct dns_cache_hit *out);

/* Drop every entry that mentions name (question, owner or target). */
size_t dns_cache_purge_name(struct dns_cache *c, const char *name);
void dns_cache_clear(struct dns_cache *c);

/* One entry as leasectl shows it; valid during the callback only. */
struct dns_cache_entry_info {
	const char *qname;
	uint16_t qtype, qclass;
	int rcode;
	bool negative;
	uint32_t ttl_left;          /* seconds */
	struct dns_answer answer;   /* TTLs reduced by the time spent */
};

/* Every live entry, most recently used first (expired ones are skipped). */
void dns_cache_foreach(struct dns_cache *c, uint64_t now,
		       void (*fn)(void *ctx, const struct dns_cache_entry_info *e), void *ctx);
/* Look at one entry without counting a hit or moving it in the LRU. */
bool dns_cache_peek(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		    uint64_t now, struct dns_cache_entry_info *out);

struct dns_cache_stats {
	size_t entries;
	uint64_t hits, misses, inserts, evictions, purged;
};
void dns_cache_stats(const struct dns_cache *c, struct dns_cache_stats *out);

#endif
