/*
 * upstream_sock (dns_upsock_*) — the sockets leased asks upstream servers
 * on: a pool of UDP sockets, and the TCP connection of a retry.
 *
 * Each server gets a few connected UDP sockets, each bound by the kernel
 * to a random source port, shared by every query in flight to that
 * server and told apart by the query ID, which this module chooses at
 * random among those free on the socket.  A socket is retired (closed
 * once its last query is answered or given up, and a new one opened on
 * another random port) after DNS_UPSOCK_MAX_USES queries or
 * DNS_UPSOCK_MAX_AGE_MS, so the source port keeps changing (RFC 5452:
 * an attacker must guess the port and the ID) while a forwarded cache
 * miss costs a send and a receive, not a socket, a connect, two epoll
 * changes and a close.
 *
 * Connected sockets keep the kernel's filtering: only the server's
 * address and port reach a socket, and an ICMP port unreachable comes
 * back as ECONNREFUSED, which ends every query on that socket at once.
 *
 * Owned by dns_forward (the only user); time is passed in.
 */
#ifndef LEASED_DNS_UPSTREAM_SOCK_H
#define LEASED_DNS_UPSTREAM_SOCK_H

#include "core/loop.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNS_UPSOCK_MAX_USES 100
#define DNS_UPSOCK_MAX_AGE_MS 10000
#define DNS_UPSOCK_PER_SOCKET 64   /* queries in flight on one socket */
#define DNS_UPSOCK_PER_SERVER 16   /* sockets per server */

struct dns_upsock_pool;

/* Which query a reply is for: the socket and the ID it was sent with. */
struct usock;
struct dns_upsock_ticket {
	struct usock *sock;        /* NULL: none */
	uint16_t id;
};

/*
 * A reply on ticket t for the query's owner (the ctx given to
 * dns_upsock_send), or err (ECONNREFUSED: the server's port is closed)
 * with p NULL.  After a reply the ID stays taken until the owner cancels
 * the ticket (a reply it rejects, say with the wrong question, leaves it
 * waiting); after an error the ticket is already void.  The callback may
 * send and cancel freely.
 */
typedef void (*dns_upsock_fn)(void *ctx, struct dns_upsock_ticket t, const uint8_t *p,
			      size_t len, int err);

struct dns_upsock_pool *dns_upsock_new(struct loop *loop, dns_upsock_fn fn);
void dns_upsock_free(struct dns_upsock_pool *pool);

/*
 * Send query (len bytes, its first two bytes overwritten with a fresh
 * random ID) to addr on one of its sockets.  0 and *t filled on success;
 * -1 with errno when it cannot be sent.
 */
int dns_upsock_send(struct dns_upsock_pool *pool, const struct sockaddr_storage *addr,
		    socklen_t addrlen, uint8_t *query, size_t len, void *ctx, uint64_t now,
		    struct dns_upsock_ticket *t);
/* The query on t is no longer wanted (answered, given up): its ID is free again. */
void dns_upsock_cancel(struct dns_upsock_pool *pool, struct dns_upsock_ticket *t);
/* addr is no longer a server: retire its sockets. */
void dns_upsock_forget(struct dns_upsock_pool *pool, const struct sockaddr_storage *addr,
		       socklen_t addrlen);

/* Sockets open now (tests and stats). */
size_t dns_upsock_open_count(const struct dns_upsock_pool *pool);

/*
 * A non-blocking TCP socket connecting to addr (the retry of a truncated
 * answer); the connection may still be in progress.  The fd, or -1.
 * Not part of the pool: the caller owns and closes it.
 */
int dns_upsock_connect_tcp(const struct sockaddr_storage *addr, socklen_t addrlen);

#endif
