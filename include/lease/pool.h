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
 * For IPv4 the lease table keeps a struct pool4 per dynamic range (a
 * bitmap of the addresses that hold a lease, and a summary bitmap of its
 * full words, updated in the table's commit path), so the search jumps
 * over held addresses 64 and 4,096 at a time: a new client costs the same
 * however full the range is and however its leases lie.  The callback
 * still has the last word on each candidate.  Without a pool4 (IPv6,
 * tests) the search is a walk.  No I/O.
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

/* Which addresses of one IPv4 range hold a lease. */
struct pool4;

struct pool4 *pool4_new(struct in_addr first, struct in_addr last);
void pool4_free(struct pool4 *p);
/* Whether a lies in p's range. */
bool pool4_covers(const struct pool4 *p, struct in_addr a);
/* a (in p's range) holds a lease now, or no longer. */
void pool4_set_held(struct pool4 *p, struct in_addr a, bool held);
bool pool4_is_held(const struct pool4 *p, struct in_addr a);

/*
 * A usable address in [first, last] (network order), searching from
 * start.  held: the range's pool4 when there is one (its held addresses
 * are skipped without asking usable), else NULL.  avoid: addresses to
 * take only when no other is usable (offered to other clients: offer4.h),
 * or NULL.
 */
bool pool4_pick(struct in_addr first, struct in_addr last, const struct pool4 *held,
		const struct pool4 *avoid, uint64_t start, pool4_usable_fn usable, void *ctx,
		struct in_addr *out);
/*
 * The same for IPv6.  first and last must share their upper 64 bits (a
 * range within one /64, as dnsmasq's are); false otherwise.  At most
 * POOL6_MAX_PROBES addresses are tried.
 */
bool pool6_pick(const struct in6_addr *first, const struct in6_addr *last, uint64_t start,
		pool6_usable_fn usable, void *ctx, struct in6_addr *out);

#endif
