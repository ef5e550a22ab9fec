/*
 * dns_forward — asking upstream servers what leased does not answer itself.
 *
 * Servers come from -S/--server (addr[#port], or /domain/addr to route a
 * domain, longest suffix first) and, unless --no-resolv, from the
 * nameserver lines of /etc/resolv.conf or --resolv-file, which is watched
 * with inotify and reread when it changes.  A server that is one of
 * leased's own listen addresses is ignored (it would be a loop).
 *
 * Which servers, in which order, all at once or in turn, and when a
 * server is down are dns_upstream's decisions (include/dns/dns_upstream.h):
 * routing by domain and --server=//ADDR for single labels; --strict-order
 * or fastest first; a single label sent to the default servers without
 * --strict-order goes to all of them at once and an answer that is not
 * NXDOMAIN wins; a server is down only after answering nothing for a
 * while, and when every server is down the best is asked all the same.
 * In turn, leased moves on to the next server after a try timeout
 * (DNS_FORWARD_TRY_MS), a SERVFAIL or a REFUSED, never after NXDOMAIN or
 * NODATA.  The whole exchange has a deadline (DNS_FORWARD_DEADLINE_MS)
 * shorter than a stub resolver's 5 s timeout, so the client gets
 * SERVFAIL instead of silence.  A reply from a server other than the
 * preferred one is marked (fell_back) so its negative is not cached.
 *
 * Queries go out on dns_upsock's pooled sockets (connected, random source
 * ports that change every DNS_UPSOCK_MAX_USES queries) with random IDs,
 * and a reply counts only if it comes from the server asked (the socket
 * is connected) with the same ID and question.  Identical
 * questions in flight share one exchange.  Upstream queries carry
 * leased's own EDNS size (1232) whatever the client sent; a reply with TC
 * is fetched again over TCP from the same server and never passed on as
 * complete.  An answer that ends in a CNAME into a domain routed to other
 * servers has its target asked there and the two are joined.
 *
 * Loops: at start and whenever the servers change, each server is sent a
 * probe query for a random name; if that name reaches leased's own
 * listener (dns_forward_check_loop), the server forwards back to leased
 * and is not used.
 */
#ifndef LEASED_DNS_FORWARD_H
#define LEASED_DNS_FORWARD_H

#include "conf/config.h"
#include "dns/dns_wire.h"
#include "core/loop.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNS_FORWARD_DEADLINE_MS 2500
#define DNS_FORWARD_TRY_MS 800
#define DNS_FORWARD_MAX_INFLIGHT 150   /* dnsmasq's --dns-forward-max default */
#define DNS_FORWARD_MAX_WAITERS 256    /* clients sharing one exchange */

struct dns_forward;

/* One finished exchange, reported once for every client waiting on it. */
struct dns_forward_result {
	const char *qname;
	uint16_t qtype, qclass;
	const uint8_t *reply;      /* complete upstream reply, or NULL */
	size_t len;
	int rcode;                 /* the reply's, or DNS_R_SERVFAIL without one */
	/*
	 * The reply came from a server asked in place of the preferred one
	 * (which did not answer in time, failed or is down), or, for a
	 * single label asked of every server, while some server did not
	 * answer: pass it on, but a negative answer must not be cached.
	 */
	bool fell_back;
	void *const *tokens;       /* the clients, as given to dns_forward_query */
	size_t ntokens;
};

typedef void (*dns_forward_done_fn)(void *ctx, const struct dns_forward_result *r);

/*
 * Never fails: an upstream that cannot be reached or a resolv file that
 * cannot be read is logged and retried while running, not a start-up error.
 */
struct dns_forward *dns_forward_new(const struct config *cfg, struct loop *loop,
				    dns_forward_done_fn done, void *ctx);
void dns_forward_free(struct dns_forward *f);

/*
 * Ask upstream on behalf of token.  Returns 0 when the exchange is under
 * way (done() will be called), or the rcode to answer at once:
 * DNS_R_REFUSED when no server exists for the name, DNS_R_SERVFAIL when
 * too many queries are in flight or too many clients wait for this one.
 */
int dns_forward_query(struct dns_forward *f, const char *qname, uint16_t qtype,
		      uint16_t qclass, void *token);
/* The client behind token has gone (a closed TCP connection). */
void dns_forward_cancel(struct dns_forward *f, void *token);

/* True if qname is one of our loop probes (the sender is then dropped). */
bool dns_forward_check_loop(struct dns_forward *f, const char *qname);

/* An upstream server as leasectl shows it. */
struct dns_forward_server_info {
	const char *addr;           /* "10.0.9.1" or "10.0.9.1#5353" */
	const char *domain;         /* NULL: a default server */
	bool from_resolv;
	bool down;                  /* stopped answering; resting */
	bool loop;                  /* forwards back to us; unused */
	uint32_t srtt_ms;           /* 0: not measured yet */
	uint64_t queries, replies, timeouts;
};

void dns_forward_foreach_server(const struct dns_forward *f,
				void (*fn)(void *ctx, const struct dns_forward_server_info *s),
				void *ctx);
/*
 * The servers a query for qname would be sent to now, in the order they
 * would be asked (indices for dns_forward_server_at); returns the count
 * (0: REFUSED, no server for the name).  *all_at_once: they would all be
 * asked at once (a single label), not in turn.
 */
size_t dns_forward_route(const struct dns_forward *f, const char *qname, size_t *order,
			 size_t max, bool *all_at_once);
bool dns_forward_server_at(const struct dns_forward *f, size_t i,
			   struct dns_forward_server_info *out);

/* Reread the resolv file now (SIGHUP). */
void dns_forward_reload(struct dns_forward *f);
void dns_forward_log_stats(const struct dns_forward *f);

#endif
