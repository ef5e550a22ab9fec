/*
 * dns_upstream — the upstream servers and every forwarding decision that
 * depends only on them and the clock: which servers a name goes to, in
 * which order, whether they are asked in turn or all at once, when a
 * server counts as down, and which server to ask next.  It owns no
 * socket and reads no clock: every function that needs the time takes
 * `now` (monotonic milliseconds), so the decisions are unit-tested
 * without waiting (tests/unit/test_dns_upstream.c).  dns_forward owns the
 * exchanges and calls these; nothing else includes this header except
 * dns_forward.c and its tests.
 *
 * Routing.  A name goes to the servers of the longest --server=/domain/
 * that holds it, else to the default servers.  A single-label name goes
 * to the --server=//ADDR servers when there are any ("unqualified
 * names"), else to the default servers; dns_local has already answered
 * it when leased has a local domain or --domain-needed.
 *
 * Order.  --strict-order: as configured; otherwise the lowest smoothed
 * round-trip time first.  A resting server (below) goes last.
 *
 * Mode.  One server at a time, moving on after a try timeout, SERVFAIL or
 * REFUSED — except for a single label sent to the default servers
 * without --strict-order: no public server can know a container name, so
 * the fastest one's NXDOMAIN must not decide; it is asked of every server
 * at once and an answer that is not NXDOMAIN wins.
 *
 * Health.  A server is down when it has answered nothing for
 * DNS_UPSTREAM_DOWN_SILENCE_MS with at least DNS_UPSTREAM_DOWN_TIMEOUTS
 * tries unanswered — never because some names or types go unanswered
 * while others get replies (an appliance that drops AAAA, one name that
 * times out).  A down server rests: it is asked after the others, once
 * per retry period (1 s, doubling to a minute) until it answers.  When
 * every candidate rests, the best of them is asked all the same: a
 * client never gets SERVFAIL without an upstream having been asked.
 *
 * Preference.  The preferred server for a name is the one that would be
 * asked first if every server were well.  An exchange that asked any
 * other server "fell back"; its negative answer is passed on but not
 * cached, so a name the preferred server knows resolves as soon as that
 * server answers again.
 */
#ifndef LEASED_DNS_UPSTREAM_H
#define LEASED_DNS_UPSTREAM_H

#include "conf/config.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNS_UPSTREAM_MAX 64
#define DNS_UPSTREAM_MAX_CANDIDATES 16
#define DNS_UPSTREAM_DOWN_TIMEOUTS 2
#define DNS_UPSTREAM_DOWN_SILENCE_MS 3000
#define DNS_UPSTREAM_RETRY_MS 1000
#define DNS_UPSTREAM_RETRY_MAX_MS 60000

struct dns_upstream {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char text[INET6_ADDRSTRLEN + 8]; /* "10.0.9.1" or "10.0.9.1#5353" */
	char *domain;                    /* NULL: a default server */
	bool unqualified;                /* --server=//ADDR: single labels only */
	bool from_resolv;
	bool loop;                       /* forwards back to us: never used */
	/* Health. */
	unsigned timeouts;               /* tries unanswered since the last reply */
	uint64_t last_heard_ms;          /* the last reply (the first query before one) */
	uint64_t retry_at_ms;            /* when down: the next time it may be asked */
	bool reported_down;              /* its going down was reported (logged) */
	uint32_t srtt_ms;                /* 0: not measured yet */
	uint64_t queries, replies, failures;
};

struct dns_upstreams {
	struct dns_upstream ups[DNS_UPSTREAM_MAX];
	size_t n;
	bool strict_order;
};

enum dns_upstream_mode {
	DNS_UPSTREAM_IN_TURN,     /* one at a time, next after a failure */
	DNS_UPSTREAM_ALL_AT_ONCE, /* every candidate now; not-NXDOMAIN wins */
};

/* The servers for one question, best first. */
struct dns_upstream_plan {
	int cand[DNS_UPSTREAM_MAX_CANDIDATES];
	size_t ncand;                    /* 0: no server for the name (REFUSED) */
	enum dns_upstream_mode mode;
	int preferred;                   /* first if all were well; -1 when ncand == 0 */
};

/* Route and order qname's question as of now. */
void dns_upstream_plan(const struct dns_upstreams *s, const char *qname, uint64_t now,
		       struct dns_upstream_plan *out);
/* Do a and b send qname-like names to the same servers? (CNAME following) */
bool dns_upstream_same_route(const struct dns_upstreams *s, const char *a, const char *b);

bool dns_upstream_is_down(const struct dns_upstream *u, uint64_t now);
bool dns_upstream_is_resting(const struct dns_upstream *u, uint64_t now);

/*
 * The next candidate to ask in turn, from plan->cand[*tried] on; advances
 * *tried past it.  A resting server is skipped, unless nothing has been
 * asked in this exchange yet (asked == 0) and every candidate rests: then
 * the first is asked anyway.  After the last candidate it starts again
 * (a lost packet deserves a second try while the deadline allows).  -1
 * when no candidate may be asked now.
 */
int dns_upstream_next(struct dns_upstreams *s, const struct dns_upstream_plan *plan,
		      size_t *tried, size_t asked, uint64_t now);

/* Health bookkeeping: a query sent, answered (any rcode), or its try timed out. */
void dns_upstream_sent(struct dns_upstream *u, uint64_t now);
/* True when the server had been reported down (a log line is worth it). */
bool dns_upstream_answered(struct dns_upstream *u, uint64_t sent_ms, uint64_t now);
/* True the first time a timeout finds the server down (a log line is worth it). */
bool dns_upstream_timed_out(struct dns_upstream *u, uint64_t now);

#endif
