/*
 * lease — the lease table, the single source of truth for every address
 * handed out and every name derived from it, for IPv4 and IPv6 alike.
 *
 * A lease is keyed by its address (family and address).  Its client is
 * named by an identity: for IPv4 the client-id when the client sent one,
 * else hardware type and address; for IPv6 the DUID with the IAID and the
 * kind of IA (NA or TA).  A client holds one lease per identity: one IPv4
 * lease, and one IPv6 lease per IA.
 *
 * The table owns its leases and indexes them by address, by identity, by
 * hardware address and by hostname: hash tables, so nothing on the packet
 * path scans the table.  Expiry is driven by a min-heap on the expiry
 * time, so expired leases leave on time without scans.
 *
 * Every change goes through lease_commit() or lease_remove(), which update
 * the indexes and then tell every observer (the store, the DNS cache, the
 * script, leasectl watchers) what changed, in the same step.
 *
 * Names: a name belongs to one client at a time.  That client may carry it
 * on its IPv4 lease and on its IPv6 leases at once (A and AAAA from one
 * name); when a different client's commit carries the name, the latest
 * commit takes it and every lease of the client that held it before loses
 * its name (their addresses stay).  Whether two leases of different
 * families are one client is lease_same_client()'s question.
 */
#ifndef LEASED_LEASE_H
#define LEASED_LEASE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#define LEASE_HWADDR_MAX 16
#define LEASE_CLIENT_ID_MAX 255 /* also the longest DUID kept (RFC 8415 allows 130) */
#define LEASE_NAME_MAX 64 /* a DNS label: 63 + NUL */
#define LEASE_ADDR_STRLEN INET6_ADDRSTRLEN

/* A lease's address, the table's key: family AF_INET (v4) or AF_INET6 (v6). */
struct lease_addr {
	sa_family_t family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

static inline struct lease_addr lease_addr4(struct in_addr a)
{
	return (struct lease_addr){ .family = AF_INET, .v4 = a };
}

static inline struct lease_addr lease_addr6(const struct in6_addr *a)
{
	return (struct lease_addr){ .family = AF_INET6, .v6 = *a };
}

bool lease_addr_equal(const struct lease_addr *a, const struct lease_addr *b);
/* The address as text ("10.0.3.7", "fd42::7") into buf of LEASE_ADDR_STRLEN. */
const char *lease_addr_str(const struct lease_addr *a, char *buf, size_t len);
/* Text of either family; false (out untouched) if it is neither. */
bool lease_addr_parse(const char *s, struct lease_addr *out);
/* False for a family other than AF_INET/AF_INET6 and for 0.0.0.0 and ::. */
bool lease_addr_usable(const struct lease_addr *a);

/* The kind of IPv6 identity association a lease belongs to (RFC 8415). */
enum lease_ia {
	LEASE_IA_NONE = 0, /* an IPv4 lease */
	LEASE_IA_NA,       /* non-temporary address */
	LEASE_IA_TA,       /* temporary address */
};

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
	struct lease_addr addr;              /* the key: one lease per address */
	/*
	 * Identity.  IPv4: client_id when the client sent one, else (htype,
	 * hwaddr).  IPv6: the client's DUID in client_id, with iaid and ia;
	 * hwaddr is then the client's link-layer address when known (from
	 * the DUID or the packet), which is not identity but tells that a
	 * v6 lease and a v4 lease are one client.
	 */
	uint8_t htype;                       /* ARPHRD_*: 1 for Ethernet */
	uint8_t hwlen;
	uint8_t hwaddr[LEASE_HWADDR_MAX];
	uint8_t client_id_len;               /* 0: client sent none */
	uint8_t client_id[LEASE_CLIENT_ID_MAX];
	uint32_t iaid;                       /* IPv6 only */
	uint8_t ia;                          /* enum lease_ia; NONE for IPv4 */
	char hostname[LEASE_NAME_MAX];       /* valid DNS label, or "" */
	time_t expires;                      /* wall clock; 0 = never */
};

/*
 * Whether two leases belong to one client.  The same family: the same
 * identity (IPv6: the same DUID, whatever the IA).  IPv4 beside IPv6: the
 * same hardware address, or an RFC 4361 client-id (type 255, IAID, DUID)
 * whose DUID is the IPv6 lease's.
 */
bool lease_same_client(const struct lease *a, const struct lease *b);
/*
 * The link-layer address inside a DUID-LLT or DUID-LL (RFC 8415 11.2,
 * 11.4); false for other DUIDs (an address cannot be had from them).
 */
bool lease_duid_hwaddr(const uint8_t *duid, size_t len, uint8_t *htype,
		       uint8_t *hwaddr, uint8_t *hwlen);

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
const struct lease *lease_by_addr(const struct lease_table *t, struct lease_addr addr);
/* IPv4 identity: by client-id when id_len > 0, else by (htype, hwaddr). */
const struct lease *lease_by_client(const struct lease_table *t,
				    const uint8_t *client_id, size_t id_len,
				    uint8_t htype, const uint8_t *hwaddr, size_t hwlen);
/* IPv6 identity: the lease of this DUID's IA (ia: LEASE_IA_NA or _TA). */
const struct lease *lease_by_ia(const struct lease_table *t, const uint8_t *duid,
				size_t duid_len, uint32_t iaid, enum lease_ia ia);
/* A lease of this family whose hardware address is this one (client-id or not). */
const struct lease *lease_by_hwaddr(const struct lease_table *t, int family, uint8_t htype,
				    const uint8_t *hwaddr, size_t hwlen);
/*
 * A lease carrying name (case-insensitive) of this family (AF_UNSPEC:
 * any); they all belong to one client.  NULL when none.
 */
const struct lease *lease_by_name(const struct lease_table *t, const char *name, int family);
typedef void (*lease_visit_fn)(void *ctx, const struct lease *l);
/* Each lease carrying name, of family (AF_UNSPEC: any); returns how many. */
size_t lease_each_by_name(const struct lease_table *t, const char *name, int family,
			  lease_visit_fn fn, void *ctx);

/* Who holds a name, per family, found in one walk (lease_name_holders). */
struct lease_holders {
	const struct lease *v4, *v6; /* the first of each family, or NULL */
	size_t n4, n6;               /* how many of each */
};
/* Fill h for name (DNS asks this once per name it answers). */
void lease_name_holders(const struct lease_table *t, const char *name, struct lease_holders *h);

/*
 * The one commit path: insert or replace the lease at l->addr.
 * - If the client (its identity: see struct lease) holds a lease on
 *   another address, that lease is removed first (LEASE_EV_DISPLACED):
 *   a client has one IPv4 lease, and one IPv6 lease per IA.
 * - If a different client (lease_same_client) holds l->hostname, each of
 *   its leases carrying the name loses it (observed as LEASE_EV_RENEWED
 *   with the name cleared).  The same client's other leases keep it.
 * - If another client holds l->addr, its lease is replaced (observers see
 *   it removed as LEASE_EV_DISPLACED, then the new one).
 * Returns 0, or -1 if l is malformed (bad lengths, unusable address, an
 * IA that does not fit the family).
 */
int lease_commit(struct lease_table *t, const struct lease *l, enum lease_event ev);
/* Remove the lease at addr; -1 if there is none. */
int lease_remove(struct lease_table *t, struct lease_addr addr, enum lease_event ev);

/* Earliest expiry among leases that expire (0 when none). */
time_t lease_next_expiry(const struct lease_table *t);
/* Remove every lease with expires <= now (LEASE_EV_EXPIRED); count them. */
size_t lease_expire(struct lease_table *t, time_t now);

void lease_foreach(const struct lease_table *t, lease_visit_fn fn, void *ctx);

/*
 * Clear the name of every named lease of family for which superseded()
 * says so, each through lease_commit (LEASE_EV_RENEWED, expiry kept), so
 * the store, DNS and scripts see it; returns how many.  For leases a
 * changed reservation has overtaken: their names stop answering at once
 * while the addresses stay until the client is told at its next renewal.
 */
typedef bool (*lease_test_fn)(void *ctx, const struct lease *l);
size_t lease_unname_if(struct lease_table *t, int family, lease_test_fn superseded, void *ctx);

/*
 * Keep a held-address bitmap of the IPv4 range first..last (network
 * order) in step with the table, for pool4_pick (lease/pool.h): every
 * commit and removal sets or clears its bit.  A bitmap of its quarantined
 * addresses comes with it (lease_table_quarantine4).  The table owns
 * them; tracking a range twice returns the same one.  NULL for a bad
 * range.
 */
struct pool4;
const struct pool4 *lease_table_track4(struct lease_table *t, struct in_addr first,
				       struct in_addr last);
/* The bitmap of exactly first..last when it is tracked, else NULL. */
const struct pool4 *lease_table_pool4(const struct lease_table *t, struct in_addr first,
				      struct in_addr last);

/*
 * Quarantine: an address declined by a client or answering a ping is not
 * offered to anyone until `until`.
 */
void lease_quarantine(struct lease_table *t, struct lease_addr addr, time_t until);
bool lease_is_quarantined(const struct lease_table *t, struct lease_addr addr, time_t now);
/*
 * The quarantined addresses of the tracked range first..last as a bitmap
 * for pool4_pick()'s hard skips (NULL when the range is not tracked):
 * exactly those lease_is_quarantined() says are at now, as quarantines
 * that ended by now are dropped first (no clock is read here).
 */
const struct pool4 *lease_table_quarantine4(struct lease_table *t, struct in_addr first,
					    struct in_addr last, time_t now);

#endif
