/*
 * reply_hold — replies that wait for the store: a bounded FIFO of
 * fixed-size items, each tagged with the store sequence number that must
 * be durable before it may go, and with the time it was queued.
 *
 * Promise: reply_hold_ready() never counts an item whose sequence number
 * is above the durable one it is given, and never one older than max_age
 * (those are dropped: the client has retried by then, and a reply
 * granting what it asked seconds ago must not arrive after its retry's).
 * The queue never holds more than max_items: a full queue refuses the
 * new reply (the client retries) instead of growing without bound while
 * the disk fails.  Time is passed in, so tests move it.  May include
 * util only.
 */
#ifndef LEASED_REPLY_HOLD_H
#define LEASED_REPLY_HOLD_H

#include <stddef.h>
#include <stdint.h>

struct reply_hold;

struct reply_hold *reply_hold_new(size_t item_size, size_t max_items, uint64_t max_age_ms);
void reply_hold_free(struct reply_hold *h);
/*
 * Room for one item that must wait until seq is durable (seq never below
 * the previous push's, now_ms never earlier); NULL when full.
 */
void *reply_hold_push(struct reply_hold *h, uint64_t seq, uint64_t now_ms);
/*
 * Drop the items older than max_age at now_ms, then count the oldest
 * items whose seq <= durable: they are reply_hold_at(h, 0 .. n-1).
 */
size_t reply_hold_ready(struct reply_hold *h, uint64_t durable, uint64_t now_ms);
/* Item i from the oldest (i < reply_hold_len()). */
void *reply_hold_at(const struct reply_hold *h, size_t i);
/* Remove the n oldest items (after sending them). */
void reply_hold_pop(struct reply_hold *h, size_t n);
size_t reply_hold_len(const struct reply_hold *h);
/* Items dropped so far: refused when full, or too old. */
uint64_t reply_hold_dropped_full(const struct reply_hold *h);
uint64_t reply_hold_dropped_old(const struct reply_hold *h);

#endif
