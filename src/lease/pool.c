/*
 * pool — free-address choice (see include/lease/pool.h): from the
 * client's start point through the range, wrapping at its end; over
 * IPv4 ranges the bitmaps of held, reserved and quarantined addresses
 * make it a jump, not a walk.
 */
#include "lease/pool.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/*
 * One bit per address (1: in the set: holds a lease ...), and one summary
 * bit per word of them (1: all 64 set), so a search skips 64 addresses
 * per bit test and 4,096 per summary word.
 */
struct pool4 {
	uint32_t lo, size;       /* host order */
	uint64_t *bits, *full;
	size_t nwords, nfull;
};

struct pool4 *pool4_new(struct in_addr first, struct in_addr last)
{
	uint32_t lo = ntohl(first.s_addr), hi = ntohl(last.s_addr);
	struct pool4 *p;

	if (hi < lo || hi - lo == UINT32_MAX)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->lo = lo;
	p->size = hi - lo + 1;
	p->nwords = (p->size + 63) / 64;
	p->nfull = (p->nwords + 63) / 64;
	p->bits = xcalloc(p->nwords, sizeof(*p->bits));
	p->full = xcalloc(p->nfull, sizeof(*p->full));
	/* Bits past the end of the range count as held: never picked. */
	if (p->size % 64)
		p->bits[p->nwords - 1] = ~0ULL << (p->size % 64);
	return p;
}

void pool4_free(struct pool4 *p)
{
	if (!p)
		return;
	free(p->bits);
	free(p->full);
	free(p);
}

bool pool4_covers(const struct pool4 *p, struct in_addr a)
{
	return p && ntohl(a.s_addr) - p->lo < p->size;
}

void pool4_set_held(struct pool4 *p, struct in_addr a, bool held)
{
	uint32_t off = ntohl(a.s_addr) - p->lo;
	size_t w = off / 64;

	if (off >= p->size)
		return;
	if (held)
		p->bits[w] |= 1ULL << (off % 64);
	else
		p->bits[w] &= ~(1ULL << (off % 64));
	if (p->bits[w] == ~0ULL)
		p->full[w / 64] |= 1ULL << (w % 64);
	else
		p->full[w / 64] &= ~(1ULL << (w % 64));
}

bool pool4_is_held(const struct pool4 *p, struct in_addr a)
{
	uint32_t off = ntohl(a.s_addr) - p->lo;

	return off < p->size && (p->bits[off / 64] >> (off % 64) & 1);
}

/*
 * The bitmaps one search passes over, all of its range's shape: the hard
 * ones, and avoid while it is heeded (the first pass), else NULL.
 */
struct skipset {
	const struct pool4 *hard[POOL4_SKIP_MAX];
	size_t nhard;              /* pick_tracked needs one at least */
	const struct pool4 *avoid;
};

/* Summary word f: the words full in any one hard bitmap. */
static uint64_t full_word(const struct skipset *s, size_t f)
{
	uint64_t full = 0;

	for (size_t i = 0; i < s->nhard; i++)
		full |= s->hard[i]->full[f];
	return full;
}

/* Word w of every bitmap together: the addresses not to ask about. */
static uint64_t busy_word(const struct skipset *s, size_t w)
{
	uint64_t busy = s->avoid ? s->avoid->bits[w] : 0;

	for (size_t i = 0; i < s->nhard; i++)
		busy |= s->hard[i]->bits[w];
	return busy;
}

/* The first word at or after w (no wrap) no hard bitmap fills alone; nwords when none. */
static size_t next_open_word(const struct skipset *s, size_t w)
{
	size_t nwords = s->hard[0]->nwords;

	while (w < nwords) {
		uint64_t open = ~full_word(s, w / 64) >> (w % 64);

		if (open)
			return w + (size_t)__builtin_ctzll(open);
		w = (w / 64 + 1) * 64; /* a summary word of full words: skip 4,096 addresses */
	}
	return nwords;
}

/*
 * The first offset at or after off (no wrap) in none of the bitmaps;
 * false when none.  The summaries skip words one bitmap fills; words
 * filled only by several together (leases between reservations, a few
 * offers) are stepped over one by one.
 */
static bool next_free(const struct skipset *s, uint32_t off, uint32_t *out)
{
	const struct pool4 *p = s->hard[0];
	size_t w = off / 64;
	uint64_t open = ~busy_word(s, w) & (~0ULL << (off % 64));

	while (!open) {
		w = next_open_word(s, w + 1);
		if (w >= p->nwords)
			return false;
		open = ~busy_word(s, w);
	}
	*out = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(open));
	return *out < p->size;
}

/* With bitmaps: from candidate to candidate, [start, end) then [0, start). */
static bool pick_tracked(const struct skipset *s, uint32_t start, pool4_usable_fn usable,
			 void *ctx, struct in_addr *out)
{
	uint32_t off = start, end = s->hard[0]->size, found;

	for (int pass = 0; pass < 2; pass++) {
		while (off < end && next_free(s, off, &found) && found < end) {
			out->s_addr = htonl(s->hard[0]->lo + found);
			if (usable(ctx, *out))
				return true;
			off = found + 1;
		}
		off = 0;
		end = start;
	}
	return false;
}

/* Without a hard bitmap: address by address; those in avoid (if given) skipped. */
static bool pick_walk(uint32_t lo, uint64_t size, const struct pool4 *avoid, uint64_t start,
		      pool4_usable_fn usable, void *ctx, struct in_addr *out)
{
	for (uint64_t i = 0; i < size; i++) {
		struct in_addr a = { htonl(lo + (uint32_t)((start + i) % size)) };

		if (avoid && pool4_is_held(avoid, a))
			continue;
		if (usable(ctx, a)) {
			*out = a;
			return true;
		}
	}
	return false;
}

static bool same_shape(const struct pool4 *p, uint32_t lo, uint64_t size)
{
	return p && p->lo == lo && p->size == size;
}

/* skip's bitmaps of the range lo, size; the others dropped. */
static struct skipset skipset_of(const struct pool4_skip *skip, uint32_t lo, uint64_t size)
{
	struct skipset s = { .nhard = 0 };

	if (!skip)
		return s;
	for (size_t i = 0; i < POOL4_SKIP_MAX; i++)
		if (same_shape(skip->hard[i], lo, size))
			s.hard[s.nhard++] = skip->hard[i];
	if (same_shape(skip->avoid, lo, size))
		s.avoid = skip->avoid;
	return s;
}

bool pool4_pick(struct in_addr first, struct in_addr last, const struct pool4_skip *skip,
		uint64_t start, pool4_usable_fn usable, void *ctx, struct in_addr *out)
{
	uint32_t lo = ntohl(first.s_addr), hi = ntohl(last.s_addr);
	struct skipset s;
	uint64_t size;

	if (hi < lo || !usable)
		return false;
	size = (uint64_t)hi - lo + 1;
	s = skipset_of(skip, lo, size);
	if (s.nhard) {
		uint32_t off = (uint32_t)(start % size);

		if (s.avoid && pick_tracked(&s, off, usable, ctx, out))
			return true;
		s.avoid = NULL; /* nothing else was usable: offered addresses too */
		return pick_tracked(&s, off, usable, ctx, out);
	}
	return (s.avoid && pick_walk(lo, size, s.avoid, start, usable, ctx, out)) ||
	       pick_walk(lo, size, NULL, start, usable, ctx, out);
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
