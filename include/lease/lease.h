/*
 * lease — the lease table, the single source of truth for every address
 * handed out and every name derived from it.
 *
 * The table owns its leases and indexes them by address, by client
 * identity (client-id when the client sent one, else hardware type and
 * address), by hardware address and by hostname: hash tables, so nothing
 * on the packet path scans the table.  Expiry is driven by a min-heap on
 * the expiry time, so expired leases leave on time without scans.
 *
 * Every change goes through lease_commit() or lease_remove(), which update
 * the indexes and then tell every observer (the store, later the DNS
 * cache) what changed, in the same step.  Names: one name belongs to one
 * lease at a time; the latest commit that carries a name takes it, and
 * the lease that held it before loses its name (its address stays).
 */
#ifndef LEASED_LEASE_H
#define LEASED_LEASE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define LEASE_HWADDR_MAX 16
#define LEASE_CLIENT_ID_MAX 255
#define LEASE_NAME_MAX 64 /* a DNS label: 63 + NUL */

enum lease_event {
	LEASE_EV_LOADED,    /* read from disk at start (not journaled again) */
	LEASE_EV_GRANTED,   /* new lease (DHCPACK for an address the client lacked) */
	LEASE_EV_RENEWED,   /* same client, same address, new expiry/name */
	LEASE_EV_RELEASED,  /* DHCPRELEASE or leasectl release */
	LEASE_EV_EXPIRED,
	LEASE_EV_DECLINED,  /* DHCPDECLINE: address in use elsewhere */
	LEASE_EV_DISPLACED, /* address taken by a reservation, or client moved */
};

struct lease {
	struct in_addr addr;                 /* the key: one lease per address */
	uint8_t htype;                       /* ARPHRD_*: 1 for Ethernet */
	uint8_t hwlen;
	uint8_t hwaddr[LEASE_HWADDR_MAX];
	uint8_t client_id_len;               /* 0: client sent none */
	uint8_t client_id[LEASE_CLIENT_ID_MAX];
	char hostname[LEASE_NAME_MAX];       /* valid DNS label, or "" */
	time_t expires;                      /* wall clock; 0 = never */
};

struct lease_table;

/*
 * Observer: called after the indexes are updated.  old is the previous
 * state (NULL for a new lease), new the current one (NULL when removed).
 * Both pointers are valid only during the call.
 */
typedef void (*lease_observer_fn)(void *ctx, const struct lease *old,
				  const struct lease *new, enum lease_event ev);

struct lease_table *lease_table_new(void);
void lease_table_free(struct lease_table *t);
/* Observers (no fixed limit), called in the order added. */
int lease_table_add_observer(struct lease_table *t, lease_observer_fn fn, void *ctx);

size_t lease_count(const struct lease_table *t);
/*
 * A number that changes with every change observers are told of (it
 * wraps at 2^32): the serial of the local zones' SOA is built on it.
 */
uint32_t lease_table_generation(const struct lease_table *t);
const struct lease *lease_by_addr(const struct lease_table *t, struct in_addr addr);
/* Identity lookup: by client-id when id_len > 0, else by (htype, hwaddr). */
const struct lease *lease_by_client(const struct lease_table *t,
				    const uint8_t *client_id, size_t id_len,
				    uint8_t htype, const uint8_t *hwaddr, size_t hwlen);
/* Any lease whose hardware address is this one (client-id or not). */
const struct lease *lease_by_hwaddr(const struct lease_table *t, uint8_t htype,
				    const uint8_t *hwaddr, size_t hwlen);
/* Case-insensitive. */
const struct lease *lease_by_name(const struct lease_table *t, const char *name);

/*
 * The one commit path: insert or replace the lease at l->addr.
 * - If the client (identity as in lease_by_client) holds a lease on
 *   another address, that lease is removed first (LEASE_EV_DISPLACED):
 *   a client has one IPv4 lease.
 * - If another lease holds l->hostname, it loses the name (its own
 *   change is observed as LEASE_EV_RENEWED with the name cleared).
 * - If another client holds l->addr, its lease is replaced (observers see
 *   it removed as LEASE_EV_DISPLACED, then the new one).
 * Returns 0, or -1 if l is malformed (bad lengths, zero address).
 */
int lease_commit(struct lease_table *t, const struct lease *l, enum lease_event ev);
/* Remove the lease at addr; -1 if there is none. */
int lease_remove(struct lease_table *t, struct in_addr addr, enum lease_event ev);

/* Earliest expiry among leases that expire (0 when none). */
time_t lease_next_expiry(const struct lease_table *t);
/* Remove every lease with expires <= now (LEASE_EV_EXPIRED); count them. */
size_t lease_expire(struct lease_table *t, time_t now);

typedef void (*lease_visit_fn)(void *ctx, const struct lease *l);
void lease_foreach(const struct lease_table *t, lease_visit_fn fn, void *ctx);

/*
 * Quarantine: an address declined by a client or answering a ping is not
 * offered to anyone until `until`.
 */
void lease_quarantine(struct lease_table *t, struct in_addr addr, time_t until);
bool lease_is_quarantined(const struct lease_table *t, struct in_addr addr, time_t now);

#endif
