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
 * For IPv4 a struct pool4 is a set of the addresses of one range (a
 * bitmap, and a summary bitmap of its full words).  The lease table keeps
 * one per dynamic range of the addresses that hold a lease (updated in
 * its commit path) and one of the quarantined addresses; the DHCPv4
 * server keeps one of the reserved addresses (dhcp/dhcp4_reserved.h).
 * The search skips what these say the callback would refuse anyway, 64
 * addresses per word and 4,096 per summary word of any one of them: a new
 * client costs the same however full the range is and however its
 * leases, reservations and quarantines lie.  The callback still has the
 * last word on each candidate.  Without a pool4 (IPv6, tests) the search
 * is a walk.  No I/O.
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

/* A set of addresses of one IPv4 range (held, offered, reserved, quarantined). */
struct pool4;

struct pool4 *pool4_new(struct in_addr first, struct in_addr last);
void pool4_free(struct pool4 *p);
/* Whether a lies in p's range. */
bool pool4_covers(const struct pool4 *p, struct in_addr a);
/* a (in p's range) is in the set now (holds a lease ...), or no longer. */
void pool4_set_held(struct pool4 *p, struct in_addr a, bool held);
bool pool4_is_held(const struct pool4 *p, struct in_addr a);

#define POOL4_SKIP_MAX 4

/*
 * What a search passes over without asking usable.  Each entry is a pool4
 * of exactly the range searched, or NULL; one of another range is
 * ignored.
 * hard: addresses usable would refuse every client of this search: held
 *   (lease_table_pool4), quarantined (lease_table_quarantine4), reserved
 *   (dhcp4_reserved_pool4) ...  A word full in any one of them is skipped
 *   with its summary, 4,096 addresses at a time; one full only of them
 *   together, 64 at a time.
 * avoid: addresses to take only when no other is usable (offered to other
 *   clients: offer4.h).
 */
struct pool4_skip {
	const struct pool4 *hard[POOL4_SKIP_MAX];
	const struct pool4 *avoid;
};

/*
 * A usable address in [first, last] (network order), searching from
 * start and wrapping at the end; skip may be NULL.  Without any hard
 * bitmap of the range the search walks the range address by address.
 */
bool pool4_pick(struct in_addr first, struct in_addr last, const struct pool4_skip *skip,
		uint64_t start, pool4_usable_fn usable, void *ctx, struct in_addr *out);
/*
 * The same for IPv6.  first and last must share their upper 64 bits (a
 * range within one /64, as dnsmasq's are); false otherwise.  At most
 * POOL6_MAX_PROBES addresses are tried.
 */
bool pool6_pick(const struct in6_addr *first, const struct in6_addr *last, uint64_t start,
		pool6_usable_fn usable, void *ctx, struct in6_addr *out);

#endif
