/*
 * offer4 — IPv4 addresses offered lately and not yet taken: the DHCPv4
 * engine's memory of its OFFERs between DISCOVER and REQUEST.
 *
 * RFC 2131 section 4.3.1: the server "need not reserve the offered
 * address, although the protocol works more efficiently if the server
 * avoids allocating the offered address to another client".  Without this
 * every client whose search starts inside a run of held addresses is
 * offered the first free address after the run, all but one of them are
 * NAKed at their REQUEST and start again (a burst of containers booting
 * onto a pool whose first addresses are taken lost one exchange in seven).
 *
 * A hold is soft: the free-address search avoids an address offered to
 * another client (a bitmap per range, shaped as the lease table's held
 * bitmap, so the search stays a jump) but takes one when nothing else is
 * free, and a REQUEST for it is granted as before.  A hold ends when the
 * address is leased (offer4_drop), after OFFER4_HOLD_SECONDS, or when
 * OFFER4_MAX newer offers push it out (a flood of DISCOVERs that never
 * REQUEST cannot fence a range off).  A client DISCOVERing again is
 * offered the same address (offer4_of_client).
 *
 * Clients are named by a 64-bit hash of their identity (the caller's
 * choice: MAC or client-id).  Time is passed in.  No I/O.
 *
 * May include: core/, lease/pool.h.
 */
#ifndef LEASED_OFFER4_H
#define LEASED_OFFER4_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define OFFER4_HOLD_SECONDS 30
#define OFFER4_MAX 8192

struct offer4_table;
struct pool4;

struct offer4_table *offer4_new(void);
void offer4_free(struct offer4_table *o);

/*
 * Remember that addr, in the range first..last, was offered to client at
 * now; the client's earlier offer, and anyone else's of addr, end.
 */
void offer4_hold(struct offer4_table *o, struct in_addr first, struct in_addr last,
		 struct in_addr addr, uint64_t client, time_t now);

/* addr is leased now (or given up): its hold ends. */
void offer4_drop(struct offer4_table *o, struct in_addr addr);

/* The address offered to client and still held at now; false if none. */
bool offer4_of_client(struct offer4_table *o, uint64_t client, time_t now,
		      struct in_addr *out);

/* Whether addr is held at now for another client than this one. */
bool offer4_held_for_other(struct offer4_table *o, struct in_addr addr, uint64_t client,
			   time_t now);

/*
 * The held addresses of the range first..last as a bitmap for
 * pool4_pick()'s avoid argument (NULL when none was ever held there).
 * Holds past their time are let go first.
 */
const struct pool4 *offer4_avoid(struct offer4_table *o, struct in_addr first,
				 struct in_addr last, time_t now);

/* How many holds are live (tests, stats). */
size_t offer4_count(const struct offer4_table *o);

#endif
