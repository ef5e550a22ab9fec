/*
 * offer4 — addresses offered lately (see include/lease/offer4.h).
 *
 * The holds sit in a ring in the order they were made; as every hold
 * lasts as long, that is also the order they end in, so letting go of
 * old ones is popping the ring's tail.  A hold dropped early (its address
 * leased) stays in the ring as a dead slot until the tail reaches it.
 * Two chained hash indexes over the ring find a hold by address and by
 * client; a pool4 bitmap per range marks the held addresses for the
 * free-address search.
 */
#include "lease/offer4.h"
#include "lease/pool.h"
#include "core/util.h"

#include <stdlib.h>

#define NBUCKETS (2 * OFFER4_MAX) /* a power of two */
#define NONE (-1)

struct hold {
	struct in_addr addr;
	uint64_t client;
	time_t until;
	int32_t next_by_addr, next_by_client;
	uint32_t range;             /* index in ranges[] */
	bool live;
};

struct held_range {
	struct in_addr first, last;
	struct pool4 *bits;
};

struct offer4_table {
	struct hold ring[OFFER4_MAX];
	size_t tail, used;          /* oldest slot; slots in the ring, dead ones too */
	size_t live;
	int32_t by_addr[NBUCKETS], by_client[NBUCKETS];
	struct held_range *ranges;
	size_t nranges;
};

static size_t bucket(uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 50) & (NBUCKETS - 1);
}

struct offer4_table *offer4_new(void)
{
	struct offer4_table *o = xcalloc(1, sizeof(*o));

	for (size_t i = 0; i < NBUCKETS; i++)
		o->by_addr[i] = o->by_client[i] = NONE;
	return o;
}

void offer4_free(struct offer4_table *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nranges; i++)
		pool4_free(o->ranges[i].bits);
	free(o->ranges);
	free(o);
}

static int32_t *addr_link_to(struct offer4_table *o, int32_t slot)
{
	int32_t *p = &o->by_addr[bucket(o->ring[slot].addr.s_addr)];

	while (*p != slot)
		p = &o->ring[*p].next_by_addr;
	return p;
}

static int32_t *client_link_to(struct offer4_table *o, int32_t slot)
{
	int32_t *p = &o->by_client[bucket(o->ring[slot].client)];

	while (*p != slot)
		p = &o->ring[*p].next_by_client;
	return p;
}

/* End a live hold: out of both indexes and its range's bitmap. */
static void unlink_hold(struct offer4_table *o, int32_t slot)
{
	struct hold *h = &o->ring[slot];

	*addr_link_to(o, slot) = h->next_by_addr;
	*client_link_to(o, slot) = h->next_by_client;
	if (h->range < o->nranges)
		pool4_set_held(o->ranges[h->range].bits, h->addr, false);
	h->live = false;
	o->live--;
}

/* Pop the tail: dead slots, and live ones that are past their time or pushed out. */
static void pop_tail(struct offer4_table *o)
{
	if (o->ring[o->tail].live)
		unlink_hold(o, (int32_t)o->tail);
	o->tail = (o->tail + 1) % OFFER4_MAX;
	o->used--;
}

static void expire(struct offer4_table *o, time_t now)
{
	while (o->used && (!o->ring[o->tail].live || o->ring[o->tail].until <= now))
		pop_tail(o);
}

static int32_t find_addr(const struct offer4_table *o, struct in_addr a)
{
	for (int32_t i = o->by_addr[bucket(a.s_addr)]; i != NONE; i = o->ring[i].next_by_addr)
		if (o->ring[i].addr.s_addr == a.s_addr)
			return i;
	return NONE;
}

static int32_t find_client(const struct offer4_table *o, uint64_t client)
{
	for (int32_t i = o->by_client[bucket(client)]; i != NONE; i = o->ring[i].next_by_client)
		if (o->ring[i].client == client)
			return i;
	return NONE;
}

/* The index of first..last in ranges[], made on first use; nranges if none can be. */
static uint32_t range_index(struct offer4_table *o, struct in_addr first, struct in_addr last)
{
	struct pool4 *bits;

	for (size_t i = 0; i < o->nranges; i++)
		if (o->ranges[i].first.s_addr == first.s_addr &&
		    o->ranges[i].last.s_addr == last.s_addr)
			return (uint32_t)i;
	bits = pool4_new(first, last);
	if (!bits)
		return (uint32_t)o->nranges;
	o->ranges = xrealloc(o->ranges, (o->nranges + 1) * sizeof(*o->ranges));
	o->ranges[o->nranges] = (struct held_range){ first, last, bits };
	return (uint32_t)o->nranges++;
}

void offer4_hold(struct offer4_table *o, struct in_addr first, struct in_addr last,
		 struct in_addr addr, uint64_t client, time_t now)
{
	int32_t slot;
	struct hold *h;

	if (!o)
		return;
	expire(o, now);
	if ((slot = find_addr(o, addr)) != NONE)
		unlink_hold(o, slot);
	if ((slot = find_client(o, client)) != NONE)
		unlink_hold(o, slot);
	if (o->used == OFFER4_MAX)
		pop_tail(o);
	slot = (int32_t)((o->tail + o->used) % OFFER4_MAX);
	h = &o->ring[slot];
	*h = (struct hold){
		.addr = addr,
		.client = client,
		.until = now + OFFER4_HOLD_SECONDS,
		.range = range_index(o, first, last),
		.live = true,
	};
	h->next_by_addr = o->by_addr[bucket(addr.s_addr)];
	o->by_addr[bucket(addr.s_addr)] = slot;
	h->next_by_client = o->by_client[bucket(client)];
	o->by_client[bucket(client)] = slot;
	if (h->range < o->nranges)
		pool4_set_held(o->ranges[h->range].bits, addr, true);
	o->used++;
	o->live++;
}

void offer4_drop(struct offer4_table *o, struct in_addr addr)
{
	int32_t slot;

	if (o && o->live && (slot = find_addr(o, addr)) != NONE)
		unlink_hold(o, slot);
}

bool offer4_of_client(struct offer4_table *o, uint64_t client, time_t now, struct in_addr *out)
{
	int32_t slot;

	if (!o || !o->live)
		return false;
	expire(o, now);
	if ((slot = find_client(o, client)) == NONE)
		return false;
	*out = o->ring[slot].addr;
	return true;
}

bool offer4_held_for_other(struct offer4_table *o, struct in_addr addr, uint64_t client,
			   time_t now)
{
	int32_t slot;

	if (!o || !o->live)
		return false;
	expire(o, now);
	slot = find_addr(o, addr);
	return slot != NONE && o->ring[slot].client != client;
}

const struct pool4 *offer4_avoid(struct offer4_table *o, struct in_addr first,
				 struct in_addr last, time_t now)
{
	if (!o || !o->live)
		return NULL;
	expire(o, now);
	if (!o->live)
		return NULL;
	for (size_t i = 0; i < o->nranges; i++)
		if (o->ranges[i].first.s_addr == first.s_addr &&
		    o->ranges[i].last.s_addr == last.s_addr)
			return o->ranges[i].bits;
	return NULL;
}

size_t offer4_count(const struct offer4_table *o)
{
	return o ? o->live : 0;
}
