/*
 * pool — choosing a free address in a dynamic range: one interface per
 * family, so the DHCP engines never walk address ranges themselves.
 *
 * The engine says where the search starts (a hash of the client, so that
 * a client gets the same address back whenever it is free: after its
 * lease expired, after the table was lost, after a restart) and which
 * addresses it may not hand out (the callback: leased to someone else,
 * reserved, quarantined, the subnet's edges ...).  The pool returns the
 * first usable address from the start onwards, wrapping at the end.
 *
 * Today that is a walk, O(size of the range) when the range is nearly
 * full; keeping the interface this narrow is what lets a faster pool (a
 * bitmap of free addresses kept by a lease observer) replace the walk
 * without touching an engine.  Pure functions: no state, no I/O.
 */
#ifndef LEASED_POOL_H
#define LEASED_POOL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* The longest walk through an IPv6 range: ranges of 2^64 are not walked whole. */
#define POOL6_MAX_PROBES 65536

typedef bool (*pool4_usable_fn)(void *ctx, struct in_addr a);
typedef bool (*pool6_usable_fn)(void *ctx, const struct in6_addr *a);

/* A usable address in [first, last] (network order), searching from start. */
bool pool4_pick(struct in_addr first, struct in_addr last, uint64_t start,
		pool4_usable_fn usable, void *ctx, struct in_addr *out);
/*
 * The same for IPv6.  first and last must share their upper 64 bits (a
 * range within one /64, as dnsmasq's are); false otherwise.  At most
 * POOL6_MAX_PROBES addresses are tried.
 */
bool pool6_pick(const struct in6_addr *first, const struct in6_addr *last, uint64_t start,
		pool6_usable_fn usable, void *ctx, struct in6_addr *out);

#endif
