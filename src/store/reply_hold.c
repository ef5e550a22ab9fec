/*
 * reply_hold — a ring of fixed-size items with their sequence number and
 * queue time beside them (see include/store/reply_hold.h).  Sequence numbers
 * and times only grow from oldest to newest, so both the durable check
 * and the age check look at the oldest item only: no scan.  The ring
 * starts small and doubles up to max_items, so an idle server holds
 * almost nothing.
 */
#include "store/reply_hold.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

struct tag {
	uint64_t seq;
	uint64_t queued_ms;
};

struct reply_hold {
	size_t item_size, max_items;
	uint64_t max_age_ms;
	struct tag *tags;
	unsigned char *items;
	size_t head, len, cap;
	uint64_t dropped_full, dropped_old;
};

struct reply_hold *reply_hold_new(size_t item_size, size_t max_items, uint64_t max_age_ms)
{
	struct reply_hold *h = xcalloc(1, sizeof(*h));

	h->item_size = item_size;
	h->max_items = max_items ? max_items : 1;
	h->max_age_ms = max_age_ms;
	return h;
}

void reply_hold_free(struct reply_hold *h)
{
	if (!h)
		return;
	free(h->tags);
	free(h->items);
	free(h);
}

static void grow(struct reply_hold *h)
{
	size_t ncap = MIN(h->cap ? h->cap * 2 : 64, h->max_items);
	struct tag *tags = xcalloc(ncap, sizeof(*tags));
	unsigned char *items = xcalloc(ncap, h->item_size);

	for (size_t i = 0; i < h->len; i++) {
		size_t from = (h->head + i) % h->cap;

		tags[i] = h->tags[from];
		memcpy(items + i * h->item_size, h->items + from * h->item_size, h->item_size);
	}
	free(h->tags);
	free(h->items);
	h->tags = tags;
	h->items = items;
	h->cap = ncap;
	h->head = 0;
}

void *reply_hold_push(struct reply_hold *h, uint64_t seq, uint64_t now_ms)
{
	size_t at;

	if (h->len == h->max_items) {
		h->dropped_full++;
		return NULL;
	}
	if (h->len == h->cap)
		grow(h);
	at = (h->head + h->len++) % h->cap;
	h->tags[at] = (struct tag){ .seq = seq, .queued_ms = now_ms };
	return h->items + at * h->item_size;
}

size_t reply_hold_ready(struct reply_hold *h, uint64_t durable, uint64_t now_ms)
{
	size_t n = 0;

	while (h->len && now_ms - h->tags[h->head].queued_ms >= h->max_age_ms &&
	       now_ms >= h->tags[h->head].queued_ms) {
		h->dropped_old++;
		reply_hold_pop(h, 1);
	}
	while (n < h->len && h->tags[(h->head + n) % h->cap].seq <= durable)
		n++;
	return n;
}

void *reply_hold_at(const struct reply_hold *h, size_t i)
{
	return i < h->len ? h->items + ((h->head + i) % h->cap) * h->item_size : NULL;
}

void reply_hold_pop(struct reply_hold *h, size_t n)
{
	n = MIN(n, h->len);
	if (n == 0)
		return;
	h->head = (h->head + n) % h->cap;
	h->len -= n;
}

size_t reply_hold_len(const struct reply_hold *h)
{
	return h->len;
}

uint64_t reply_hold_dropped_full(const struct reply_hold *h)
{
	return h->dropped_full;
}

uint64_t reply_hold_dropped_old(const struct reply_hold *h)
{
	return h->dropped_old;
}
