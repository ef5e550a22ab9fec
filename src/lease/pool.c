/*
 * pool — free-address choice (see include/lease/pool.h): a walk from the
 * client's start point through the range, wrapping at its end.
 */
#include "lease/pool.h"
#include "core/util.h"

#include <string.h>

bool pool4_pick(struct in_addr first, struct in_addr last, uint64_t start,
		pool4_usable_fn usable, void *ctx, struct in_addr *out)
{
	uint32_t lo = ntohl(first.s_addr), hi = ntohl(last.s_addr);
	uint64_t size;

	if (hi < lo || !usable)
		return false;
	size = (uint64_t)hi - lo + 1;
	for (uint64_t i = 0; i < size; i++) {
		struct in_addr a = { htonl(lo + (uint32_t)((start + i) % size)) };

		if (usable(ctx, a)) {
			*out = a;
			return true;
		}
	}
	return false;
}

static uint64_t low64(const struct in6_addr *a)
{
	return (uint64_t)get_be32(a->s6_addr + 8) << 32 | get_be32(a->s6_addr + 12);
}

bool pool6_pick(const struct in6_addr *first, const struct in6_addr *last, uint64_t start,
		pool6_usable_fn usable, void *ctx, struct in6_addr *out)
{
	uint64_t lo, hi, span; /* span: the range's size less one, so a whole /64 fits */

	if (!first || !last || !usable || memcmp(first->s6_addr, last->s6_addr, 8) != 0)
		return false;
	lo = low64(first);
	hi = low64(last);
	if (hi < lo)
		return false;
	span = hi - lo;
	for (uint64_t i = 0; i < POOL6_MAX_PROBES && i <= span; i++) {
		uint64_t off = span == UINT64_MAX ? start + i : (start + i) % (span + 1);
		struct in6_addr a = *first;
		uint64_t v = lo + off;

		put_be32(a.s6_addr + 8, (uint32_t)(v >> 32));
		put_be32(a.s6_addr + 12, (uint32_t)v);
		if (usable(ctx, &a)) {
			*out = a;
			return true;
		}
	}
	return false;
}
