/*
 * upstream_sock (dns_upsock_*) — pooled connected UDP sockets to upstream
 * servers, random ports, replies told apart by ID, and the TCP connection
 * of a retry; see include/dns/upstream_sock.h.
 */
#include "dns/upstream_sock.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UDP_REPLY_MAX 4096

struct group;

/* A query in flight on a socket: its ID and who waits for it. */
struct pending {
	uint16_t id;
	void *ctx;
};

struct usock {
	struct dns_upsock_pool *pool;
	struct group *g;
	int fd;
	unsigned uses;
	uint64_t born_ms;
	bool retiring;                   /* takes no new query; closed when idle */
	bool dispatching;                /* in a reply callback: free it after */
	bool dead;                       /* closed while dispatching */
	size_t n;
	struct pending pend[DNS_UPSOCK_PER_SOCKET];
};

/* The sockets of one server address. */
struct group {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	struct usock *socks[DNS_UPSOCK_PER_SERVER];
};

struct dns_upsock_pool {
	struct loop *loop;
	dns_upsock_fn fn;
	struct group **groups;
	size_t ngroups;
	size_t open;
};

static bool same_addr(const struct sockaddr_storage *a, socklen_t alen,
		      const struct sockaddr_storage *b, socklen_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

static struct group *group_find(struct dns_upsock_pool *pool,
				const struct sockaddr_storage *addr, socklen_t addrlen)
{
	for (size_t i = 0; i < pool->ngroups; i++)
		if (same_addr(&pool->groups[i]->addr, pool->groups[i]->addrlen, addr, addrlen))
			return pool->groups[i];
	return NULL;
}

static struct group *group_get(struct dns_upsock_pool *pool,
			       const struct sockaddr_storage *addr, socklen_t addrlen)
{
	struct group *g = group_find(pool, addr, addrlen);

	if (g)
		return g;
	g = xcalloc(1, sizeof(*g));
	memcpy(&g->addr, addr, addrlen);
	g->addrlen = addrlen;
	*(struct group **)array_push(&pool->groups, &pool->ngroups, sizeof(g)) = g;
	return g;
}

static void sock_close(struct usock *u)
{
	struct group *g = u->g;

	for (size_t i = 0; i < DNS_UPSOCK_PER_SERVER; i++)
		if (g->socks[i] == u)
			g->socks[i] = NULL;
	loop_del_fd(u->pool->loop, u->fd);
	close(u->fd);
	u->pool->open--;
	if (u->dispatching)
		u->dead = true; /* on_readable frees it when the callback returns */
	else
		free(u);
}

/* Stop giving it queries; close it now if none waits on it. */
static void sock_retire(struct usock *u)
{
	u->retiring = true;
	if (u->n == 0)
		sock_close(u);
}

static struct pending *pending_find(struct usock *u, uint16_t id)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->pend[i].id == id)
			return &u->pend[i];
	return NULL;
}

static void pending_remove(struct usock *u, struct pending *p)
{
	*p = u->pend[--u->n];
}

/* Every query on the socket fails with err (the port is closed). */
static void sock_fail(struct usock *u, int err)
{
	struct dns_upsock_pool *pool = u->pool;

	/*
	 * Callbacks may send again and cancel other tickets: take the socket
	 * out of use first, and free it only after the last callback.
	 */
	u->retiring = true;
	u->dispatching = true;
	while (u->n && !u->dead) {
		struct pending p = u->pend[u->n - 1];
		struct dns_upsock_ticket t = { .sock = u, .id = p.id };

		u->n--;
		pool->fn(p.ctx, t, NULL, 0, err);
	}
	u->dispatching = false;
	if (u->dead)
		free(u);
	else
		sock_close(u);
}

static void on_readable(void *ctx, int fd, uint32_t events)
{
	struct usock *u = ctx;
	uint8_t buf[UDP_REPLY_MAX];
	ssize_t n;

	(void)events;
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		struct dns_upsock_ticket t = { .sock = u };
		struct pending *p;

		if (n < 2)
			continue;
		t.id = (uint16_t)(buf[0] << 8 | buf[1]);
		p = pending_find(u, t.id);
		if (!p)
			continue; /* late, stray or forged: nobody waits for it */
		/*
		 * The owner checks the question and may keep waiting (a forged
		 * reply with a guessed ID), so the ID stays taken until it
		 * cancels the ticket.
		 */
		u->dispatching = true;
		u->pool->fn(p->ctx, t, buf, (size_t)n, 0);
		u->dispatching = false;
		if (u->dead) {
			free(u);
			return;
		}
	}
	if (errno == ECONNREFUSED)
		sock_fail(u, ECONNREFUSED);
}

static struct usock *sock_open(struct dns_upsock_pool *pool, struct group *g, size_t slot,
			       uint64_t now)
{
	struct usock *u;
	int fd = socket(g->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return NULL;
	/* connect() binds a random ephemeral port and filters by source. */
	if (connect(fd, (const struct sockaddr *)&g->addr, g->addrlen) < 0) {
		close(fd);
		return NULL;
	}
	u = xcalloc(1, sizeof(*u));
	u->pool = pool;
	u->g = g;
	u->fd = fd;
	u->born_ms = now;
	if (loop_add_fd(pool->loop, fd, EPOLLIN, on_readable, u) < 0) {
		close(fd);
		free(u);
		return NULL;
	}
	g->socks[slot] = u;
	pool->open++;
	return u;
}

/* A socket of g with room, chosen at random among the open ones, or a new one. */
static struct usock *sock_pick(struct dns_upsock_pool *pool, struct group *g, uint64_t now)
{
	size_t start = random_u16() % DNS_UPSOCK_PER_SERVER;
	size_t free_slot = SIZE_MAX;

	for (size_t k = 0; k < DNS_UPSOCK_PER_SERVER; k++) {
		size_t i = (start + k) % DNS_UPSOCK_PER_SERVER;
		struct usock *u = g->socks[i];

		if (u && !u->retiring &&
		    (u->uses >= DNS_UPSOCK_MAX_USES || now - u->born_ms >= DNS_UPSOCK_MAX_AGE_MS))
			sock_retire(u); /* enough from this port: a new one */
		u = g->socks[i];
		if (!u || u->retiring) {
			if (!u && free_slot == SIZE_MAX)
				free_slot = i;
			continue;
		}
		if (u->n < DNS_UPSOCK_PER_SOCKET)
			return u;
	}
	return free_slot == SIZE_MAX ? NULL : sock_open(pool, g, free_slot, now);
}

/* A random ID no query on u uses. */
static uint16_t fresh_id(struct usock *u)
{
	uint16_t id;

	do
		id = random_u16();
	while (pending_find(u, id));
	return id;
}

int dns_upsock_send(struct dns_upsock_pool *pool, const struct sockaddr_storage *addr,
		    socklen_t addrlen, uint8_t *query, size_t len, void *ctx, uint64_t now,
		    struct dns_upsock_ticket *t)
{
	struct group *g = group_get(pool, addr, addrlen);
	struct usock *u = sock_pick(pool, g, now);
	uint16_t id;

	t->sock = NULL;
	if (!u) {
		errno = EAGAIN;
		return -1;
	}
	id = fresh_id(u);
	query[0] = (uint8_t)(id >> 8);
	query[1] = (uint8_t)id;
	if (send(u->fd, query, len, MSG_DONTWAIT) < 0) {
		int e = errno;

		/*
		 * A refused port shows here too (the error of an earlier query):
		 * no new query goes on this socket.  No callback runs from here,
		 * so the caller is not re-entered; the queries still on it time
		 * out.
		 */
		if (e == ECONNREFUSED)
			sock_retire(u);
		errno = e;
		return -1;
	}
	u->pend[u->n++] = (struct pending){ .id = id, .ctx = ctx };
	u->uses++;
	t->sock = u;
	t->id = id;
	return 0;
}

void dns_upsock_cancel(struct dns_upsock_pool *pool, struct dns_upsock_ticket *t)
{
	struct usock *u = t->sock;
	struct pending *p;

	(void)pool;
	t->sock = NULL;
	if (!u || !(p = pending_find(u, t->id)))
		return;
	pending_remove(u, p);
	if (u->retiring && u->n == 0)
		sock_close(u);
}

void dns_upsock_forget(struct dns_upsock_pool *pool, const struct sockaddr_storage *addr,
		       socklen_t addrlen)
{
	struct group *g = group_find(pool, addr, addrlen);

	for (size_t k = 0; g && k < DNS_UPSOCK_PER_SERVER; k++)
		if (g->socks[k] && !g->socks[k]->retiring)
			sock_retire(g->socks[k]);
}

struct dns_upsock_pool *dns_upsock_new(struct loop *loop, dns_upsock_fn fn)
{
	struct dns_upsock_pool *pool = xcalloc(1, sizeof(*pool));

	pool->loop = loop;
	pool->fn = fn;
	return pool;
}

void dns_upsock_free(struct dns_upsock_pool *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; i < pool->ngroups; i++) {
		for (size_t k = 0; k < DNS_UPSOCK_PER_SERVER; k++)
			if (pool->groups[i]->socks[k])
				sock_close(pool->groups[i]->socks[k]);
		free(pool->groups[i]);
	}
	free(pool->groups);
	free(pool);
}

size_t dns_upsock_open_count(const struct dns_upsock_pool *pool)
{
	return pool->open;
}

int dns_upsock_connect_tcp(const struct sockaddr_storage *addr, socklen_t addrlen)
{
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/* Connected: the kernel drops anything not from the server asked. */
	if (connect(fd, (const struct sockaddr *)addr, addrlen) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}
