/*
 * probe — the conflict check before a new address is offered (RFC 2131
 * section 2.2: "the server SHOULD probe the reused address").  The loop
 * never waits: the caller hands over the request that wants the address
 * (a waiter) and gets it back when the check is over.
 *
 * On the client's own link the check is the one RFC 5227 describes:
 *   1. the kernel's neighbour table first: an entry for the address that
 *      the kernel confirmed lately (REACHABLE) or that was set by hand
 *      (PERMANENT), with another MAC than the client's, is a conflict
 *      with no probe at all;
 *   2. otherwise an ARP request for the address, which every live host
 *      answers, also one that drops ICMP; a reply from the client's own
 *      MAC is no conflict (it still holds the address it asks for).  When
 *      the table knows a MAC for the address but has not confirmed it, an
 *      ICMP echo goes out too: it reaches a host that ignores ARP
 *      requests through that entry;
 *   3. no answer within PROBE_LINK_MS means the address is free.
 * Behind a relay ARP cannot reach the client's link: an ICMP echo, and
 * PROBE_RELAYED_MS for the round trip through the relay's routers.
 *
 * Any number of addresses are checked at once (up to PROBE_MAX_PENDING,
 * found by hash, expired in order); a repeated request for an address
 * joins the check in flight; a clear result is remembered for
 * PROBE_CLEAR_MS, so a retransmitted DISCOVER is answered at once.
 */
#ifndef LEASED_PROBE_H
#define LEASED_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/loop.h"
#include "net/netlink.h"

/*
 * A host on a bridge answers ARP within a millisecond, from the kernel's
 * softirq however busy its processes are; 30 ms leaves a margin of more
 * than ten times that and keeps a new container's first lease quick.
 */
#define PROBE_LINK_MS 30
#define PROBE_RELAYED_MS 250
#define PROBE_CLEAR_MS 30000
#define PROBE_MAX_PENDING 4096
#define PROBE_MAX_WAITERS 8     /* requests parked per address; more are dropped (clients retry) */

/* The address to check, and where. */
struct probe_target {
	struct in_addr addr;
	int ifindex;              /* the client's link; 0 when it is behind a relay */
	struct in_addr src;       /* our address on that link: the ARP request's sender */
	const uint8_t *src_mac;   /* our MAC there (6 bytes); NULL: no ARP on this link */
	const uint8_t *client_mac; /* the client's (6 bytes), or NULL */
};

enum probe_how {
	PROBE_BY_NEIGHBOUR, /* the kernel's neighbour table */
	PROBE_BY_ARP,
	PROBE_BY_PING,
	PROBE_BY_SILENCE,   /* nobody answered: free */
};

struct probe_result {
	struct in_addr addr;
	bool in_use;
	enum probe_how how;
	bool has_mac;
	uint8_t mac[6];           /* who answered (neighbour table or ARP) */
};

/* A parked request: tag and bytes, as given to probe_start(). */
struct probe_waiter {
	struct probe_waiter *next;
	int tag;
	size_t len;
	uint8_t data[];
};

/* Called once per finished check; the waiters are freed when it returns. */
typedef void (*probe_done_fn)(void *ctx, const struct probe_result *r,
			      const struct probe_waiter *waiters);

/* Open the ICMP and ARP sockets (need CAP_NET_RAW).  NULL with err on failure. */
struct probe *probe_new(struct loop *loop, struct netlink *nl, probe_done_fn done, void *ctx,
			struct error *err);
void probe_free(struct probe *p);

/* True when addr was checked lately and found free. */
bool probe_is_clear(const struct probe *p, struct in_addr addr);

enum probe_start_result {
	PROBE_PENDING,   /* checking; the waiter comes back through done */
	PROBE_CONFLICT,  /* the neighbour table says in use: *conflict filled, nothing parked */
	PROBE_UNCHECKED, /* no check possible (send failed, too many at once): counts as
			  * clear from now on (probe_is_clear), nothing parked */
};

/*
 * Check t->addr (or join the check already running for it), parking the
 * waiter (tag, len bytes of data) until it ends.
 */
enum probe_start_result probe_start(struct probe *p, const struct probe_target *t, int tag,
				    const void *data, size_t len, struct probe_result *conflict);

/* Wire format, for the tests: an ARP request for target from (src_mac, src). */
#define PROBE_ARP_LEN 28
void probe_arp_request(uint8_t out[PROBE_ARP_LEN], const uint8_t src_mac[6], struct in_addr src,
		       struct in_addr target);
/* An Ethernet/IPv4 ARP reply: its sender's address and MAC; false for anything else. */
bool probe_arp_reply_parse(const uint8_t *p, size_t len, struct in_addr *sender_ip,
			   uint8_t sender_mac[6]);

#endif
