/*
 * dns_forward — upstream servers, exchanges with them, failover, TCP
 * retry and loop probes; see include/dns/dns_forward.h.
 */
#include "dns/dns_forward.h"
#include "dns/upstream_sock.h"
#include "dns/dns_upstream.h"
#include "core/log.h"
#include "conf/resolvconf.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define UDP_REPLY_MAX 4096
#define TCP_EXTRA_MS 1500      /* a server that said TC is alive: allow TCP this long */
#define INFLIGHT_BUCKETS 256
#define LOOP_PROBE_PREFIX "leased-loop-"
#define CNAME_CHAIN_MAX 8
#define MAX_ATTEMPTS 8         /* UDP queries of one exchange still listened to */

/*
 * One UDP query to one server.  A slow server's answer is still welcome
 * after the next server has been asked, so attempts stay open until the
 * exchange ends.
 */
struct attempt {
	struct dns_upsock_ticket t;      /* its socket and ID */
	int server;
	uint64_t sent_ms;
	bool timed_out;                  /* its try is over (counted once) */
};

struct exchange {
	struct dns_forward *f;
	struct exchange *hnext;          /* in-flight hash chain */
	struct exchange *all_prev, *all_next; /* every exchange, for freeing */
	uint64_t hash;
	char qname[DNS_NAME_STR];
	uint16_t qtype, qclass;
	bool probe;                      /* a loop probe: nobody waits */
	struct attempt att[MAX_ATTEMPTS];
	size_t natt;
	uint16_t id;                     /* of the TCP query, or of the latest built */
	int fd;                          /* TCP connection, or -1 */
	bool tcp;
	struct dns_upstream_plan plan;
	size_t tried;                    /* plan.cand[tried - 1] was asked last (in turn) */
	size_t asked;                    /* queries sent in this exchange */
	int cur;                         /* the server asked last (TCP: being asked) */
	bool fell_back;                  /* asked a server other than the preferred one */
	bool trouble;                    /* all at once: a server failed or was silent */
	uint8_t *neg;                    /* all at once: the best negative so far */
	size_t neglen;
	uint64_t sent_ms, deadline_ms;
	struct loop_timer *timer;
	void **tokens;
	size_t ntokens, captokens;
	uint8_t query[DNS_HEADER_LEN + DNS_WIRE_NAME_MAX + 4 + 11];
	size_t qlen, qsent;              /* TCP: bytes of length+query sent */
	uint8_t *buf;                    /* reply being received */
	size_t buflen, bufwant;
	struct exchange *parent;         /* waiting for this CNAME target */
	uint8_t *held;                   /* parent: its reply while the child runs */
	size_t heldlen;
};

struct dns_forward {
	const struct config *cfg;
	struct loop *loop;
	dns_forward_done_fn done;
	void *ctx;
	struct dns_upstreams s;
	struct dns_upsock_pool *socks;
	size_t nconfigured;              /* s.ups[0..nconfigured) come from -S */
	char loop_probe[DNS_UPSTREAM_MAX][48];
	struct exchange *inflight[INFLIGHT_BUCKETS];
	size_t ninflight;
	struct exchange *all;
	const char *resolv_path;
	int inotify_fd;
	uint64_t forwarded, answered, servfails;
};

static void exchange_send(struct exchange *x);
static void exchange_finish(struct exchange *x, const uint8_t *reply, size_t len, int rcode);

/* ---- servers ---- */

static void format_server(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
	}
	if (port == 53)
		snprintf(out, outlen, "%s", host);
	else
		snprintf(out, outlen, "%s#%u", host, port);
}

static bool same_sockaddr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;

		return x->sin_addr.s_addr == y->sin_addr.s_addr && x->sin_port == y->sin_port;
	}
	const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;

	return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 &&
	       x->sin6_port == y->sin6_port;
}

/* A server at one of our own listen addresses and port would be a loop. */
static bool is_own_address(const struct config *cfg, const struct sockaddr_storage *ss)
{
	for (size_t i = 0; i < cfg->nlisten_addrs; i++) {
		struct sockaddr_storage mine = cfg->listen_addrs[i];

		if (mine.ss_family == AF_INET)
			((struct sockaddr_in *)&mine)->sin_port = htons((uint16_t)cfg->port);
		else
			((struct sockaddr_in6 *)&mine)->sin6_port = htons((uint16_t)cfg->port);
		if (same_sockaddr(&mine, ss))
			return true;
	}
	/* Listening on the wildcard: a loopback server on our port is us. */
	if (cfg->nlisten_addrs == 0) {
		if (ss->ss_family == AF_INET) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

			return ntohs(sin->sin_port) == cfg->port &&
			       (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
		}
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		return ntohs(sin6->sin6_port) == cfg->port &&
		       IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	}
	return false;
}

static void new_loop_probe(struct dns_forward *f, size_t i)
{
	snprintf(f->loop_probe[i], sizeof(f->loop_probe[i]),
		 LOOP_PROBE_PREFIX "%04x%04x%04x%04x.test",
		 random_u16(), random_u16(), random_u16(), random_u16());
}

/* domain: NULL for a default server, "" for an unqualified-names (//) one. */
static bool add_upstream(struct dns_forward *f, const struct sockaddr_storage *ss,
			 const char *domain, bool from_resolv)
{
	struct dns_upstream *u;

	if (f->s.n == DNS_UPSTREAM_MAX) {
		log_warn("more than %d DNS servers; ignoring the rest", DNS_UPSTREAM_MAX);
		return false;
	}
	u = &f->s.ups[f->s.n];
	memset(u, 0, sizeof(*u));
	u->addr = *ss;
	u->addrlen = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
					      : sizeof(struct sockaddr_in6);
	format_server(ss, u->text, sizeof(u->text));
	u->unqualified = domain && !*domain;
	u->domain = domain && *domain ? xstrdup(domain) : NULL;
	u->from_resolv = from_resolv;
	if (is_own_address(f->cfg, ss)) {
		log_warn("ignoring nameserver %s - it is leased itself", u->text);
		free(u->domain);
		return false;
	}
	new_loop_probe(f, f->s.n);
	f->s.n++;
	return true;
}

static void drop_resolv_servers(struct dns_forward *f)
{
	for (size_t i = f->nconfigured; i < f->s.n; i++) {
		dns_upsock_forget(f->socks, &f->s.ups[i].addr, f->s.ups[i].addrlen);
		free(f->s.ups[i].domain);
	}
	f->s.n = f->nconfigured;
}

static void start_loop_probes(struct dns_forward *f, size_t from);

/* (Re)read the resolv file's servers; -S servers stay as they are. */
static void load_resolv(struct dns_forward *f)
{
	struct sockaddr_storage found[RESOLVCONF_MAX];
	size_t n = 0, before;

	if (f->cfg->no_resolv)
		return;
	if (resolvconf_read(f->resolv_path, found, RESOLVCONF_MAX, &n) < 0) {
		log_warn("failed to read %s: %s", f->resolv_path, strerror(errno));
		return;
	}
	drop_resolv_servers(f);
	before = f->s.n;
	for (size_t i = 0; i < n; i++)
		if (add_upstream(f, &found[i], NULL, true))
			log_info("using nameserver %s (from %s)", f->s.ups[f->s.n - 1].text,
				 f->resolv_path);
	if (f->s.n == before)
		log_info("no usable nameserver in %s", f->resolv_path);
	start_loop_probes(f, before);
}

static void load_configured(struct dns_forward *f)
{
	for (size_t i = 0; i < f->cfg->nservers; i++) {
		const struct dns_server *s = &f->cfg->servers[i];
		const char *domain = s->domain;

		/*
		 * "//" routes single-label names ("" here); "/#/" is dnsmasq's
		 * "every other domain": a default.
		 */
		if (!s->has_addr || s->local_only)
			continue;
		if (domain && strcmp(domain, "#") == 0)
			domain = NULL;
		if (add_upstream(f, &s->addr, domain, false))
			log_info("using nameserver %s%s%s", f->s.ups[f->s.n - 1].text,
				 !domain ? "" : *domain ? " for domain " : " for unqualified names",
				 domain ? domain : "");
	}
	f->nconfigured = f->s.n;
}

/* ---- the in-flight table ---- */

static uint64_t question_hash(const char *qname, uint16_t qtype, uint16_t qclass)
{
	char lower[DNS_NAME_STR];
	uint64_t h;

	dns_name_lower(qname, lower, sizeof(lower));
	h = hash_bytes(lower, strlen(lower), 0);
	return hash_bytes(&qtype, sizeof(qtype), h) ^ qclass;
}

static struct exchange *inflight_find(struct dns_forward *f, const char *qname,
				      uint16_t qtype, uint16_t qclass)
{
	uint64_t h = question_hash(qname, qtype, qclass);

	for (struct exchange *x = f->inflight[h % INFLIGHT_BUCKETS]; x; x = x->hnext)
		if (x->hash == h && x->qtype == qtype && x->qclass == qclass &&
		    dns_name_equal(x->qname, qname))
			return x;
	return NULL;
}

static void inflight_add(struct dns_forward *f, struct exchange *x)
{
	struct exchange **head = &f->inflight[x->hash % INFLIGHT_BUCKETS];

	x->hnext = *head;
	*head = x;
	f->ninflight++;
}

static void inflight_remove(struct dns_forward *f, struct exchange *x)
{
	for (struct exchange **p = &f->inflight[x->hash % INFLIGHT_BUCKETS]; *p; p = &(*p)->hnext)
		if (*p == x) {
			*p = x->hnext;
			f->ninflight--;
			return;
		}
}

/* ---- one exchange ---- */

static void close_fd(struct dns_forward *f, int *fd)
{
	if (*fd < 0)
		return;
	loop_del_fd(f->loop, *fd);
	close(*fd);
	*fd = -1;
}

static void close_attempt(struct exchange *x, size_t i)
{
	dns_upsock_cancel(x->f->socks, &x->att[i].t);
	x->att[i] = x->att[--x->natt];
}

/* Every socket of the exchange: UDP attempts and the TCP connection. */
static void close_socket(struct exchange *x)
{
	while (x->natt)
		close_attempt(x, x->natt - 1);
	close_fd(x->f, &x->fd);
}

static void exchange_free(struct exchange *x)
{
	if (x->all_prev)
		x->all_prev->all_next = x->all_next;
	else
		x->f->all = x->all_next;
	if (x->all_next)
		x->all_next->all_prev = x->all_prev;
	close_socket(x);
	loop_timer_free(x->timer);
	free(x->tokens);
	free(x->buf);
	free(x->held);
	free(x->neg);
	free(x);
}

static void add_token(struct exchange *x, void *token)
{
	if (x->ntokens == x->captokens) {
		x->captokens = x->captokens ? 2 * x->captokens : 4;
		x->tokens = xrealloc(x->tokens, x->captokens * sizeof(*x->tokens));
	}
	x->tokens[x->ntokens++] = token;
}

/* The query, with a fresh random ID (x->id). */
static int build_query(struct exchange *x)
{
	struct dns_builder b;

	x->id = random_u16();
	dns_build_init(&b, x->query, sizeof(x->query), x->id, DNS_F_RD);
	dns_build_edns(&b, DNS_EDNS_SIZE);
	if (dns_build_question(&b, x->qname, x->qtype, x->qclass) < 0)
		return -1;
	x->qlen = dns_build_finish(&b);
	return 0;
}

/* Is reply an answer to our question, with the ID we sent? */
static bool reply_matches(const struct exchange *x, uint16_t id, const uint8_t *p, size_t len,
			  struct dns_reader *r)
{
	if (dns_reader_init(r, p, len) < 0)
		return false;
	return (r->flags & DNS_F_QR) && r->id == id && r->count[0] == 1 &&
	       r->qtype == x->qtype && r->qclass == x->qclass && dns_name_equal(r->qname, x->qname);
}

static void note_answer(struct exchange *x, int server, uint64_t sent_ms)
{
	struct dns_upstream *u = &x->f->s.ups[server];

	if (dns_upstream_answered(u, sent_ms, now_mono_ms()))
		log_info("nameserver %s is answering again", u->text);
}

static void note_timeout(struct exchange *x, int server)
{
	struct dns_upstream *u = &x->f->s.ups[server];

	if (dns_upstream_timed_out(u, now_mono_ms()))
		log_warn("nameserver %s has answered nothing for %d s; asking others first",
			 u->text, DNS_UPSTREAM_DOWN_SILENCE_MS / 1000);
}

static void switch_to_tcp(struct exchange *x);
static void after_attempt_closed(struct exchange *x);
static void handle_reply(struct exchange *x, const uint8_t *p, size_t len, int attempt);

/* A reply (or ECONNREFUSED) on one of the exchange's UDP attempts. */
static void on_udp_reply(void *ctx, struct dns_upsock_ticket t, const uint8_t *p, size_t len,
			 int err)
{
	struct exchange *x = ctx;
	struct dns_reader r;
	size_t i = 0;

	while (i < x->natt && (x->att[i].t.sock != t.sock || x->att[i].t.id != t.id))
		i++;
	if (i == x->natt)
		return;
	if (err) {
		/* Nothing listens there: as good as a timeout, but known now. */
		x->att[i].t.sock = NULL; /* void already */
		if (!x->att[i].timed_out)
			note_timeout(x, x->att[i].server);
		close_attempt(x, i);
		x->trouble = true;
		after_attempt_closed(x);
		return;
	}
	if (!reply_matches(x, t.id, p, len, &r))
		return; /* a stray or forged packet: keep waiting */
	note_answer(x, x->att[i].server, x->att[i].sent_ms);
	x->cur = x->att[i].server;
	if (r.flags & DNS_F_TC) {
		/* RFC 1035 4.2.1: a truncated reply is incomplete; ask over TCP. */
		switch_to_tcp(x);
		return;
	}
	handle_reply(x, p, len, (int)i);
}

static void tcp_fail(struct exchange *x)
{
	close_socket(x);
	exchange_finish(x, NULL, 0, DNS_R_SERVFAIL);
}

static void tcp_read(struct exchange *x)
{
	for (;;) {
		ssize_t n;

		if (!x->buf) {
			x->buf = xmalloc(2 + DNS_TCP_MAX);
			x->buflen = 0;
			x->bufwant = 2;
		}
		n = recv(x->fd, x->buf + x->buflen, x->bufwant - x->buflen, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			tcp_fail(x);
			return;
		}
		x->buflen += (size_t)n;
		if (x->buflen < x->bufwant)
			continue;
		if (x->bufwant == 2) {
			x->bufwant = 2 + ((size_t)x->buf[0] << 8 | x->buf[1]);
			if (x->bufwant < 2 + DNS_HEADER_LEN) {
				tcp_fail(x);
				return;
			}
			continue;
		}
		struct dns_reader r;

		if (!reply_matches(x, x->id, x->buf + 2, x->buflen - 2, &r) ||
		    (r.flags & DNS_F_TC)) {
			tcp_fail(x);
			return;
		}
		handle_reply(x, x->buf + 2, x->buflen - 2, -1);
		return;
	}
}

static void on_tcp_event(void *ctx, int fd, uint32_t events);

/* False when the exchange failed (and is gone). */
static bool tcp_write(struct exchange *x)
{
	uint8_t out[2 + sizeof(x->query)];
	ssize_t n;

	out[0] = (uint8_t)(x->qlen >> 8);
	out[1] = (uint8_t)x->qlen;
	memcpy(out + 2, x->query, x->qlen);
	n = send(x->fd, out + x->qsent, 2 + x->qlen - x->qsent, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return true;
		tcp_fail(x);
		return false;
	}
	x->qsent += (size_t)n;
	if (x->qsent == 2 + x->qlen) {
		/* Sent: stop asking for writability, or the loop spins. */
		loop_del_fd(x->f->loop, x->fd);
		if (loop_add_fd(x->f->loop, x->fd, EPOLLIN, on_tcp_event, x) < 0) {
			tcp_fail(x);
			return false;
		}
	}
	return true;
}

static void on_tcp_event(void *ctx, int fd, uint32_t events)
{
	struct exchange *x = ctx;

	(void)fd;
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		tcp_fail(x);
		return;
	}
	if ((events & EPOLLOUT) && x->qsent < 2 + x->qlen && !tcp_write(x))
		return;
	if (events & EPOLLIN)
		tcp_read(x);
}

static void switch_to_tcp(struct exchange *x)
{
	const struct dns_upstream *u = &x->f->s.ups[x->cur];

	close_socket(x);
	x->tcp = true;
	x->qsent = 0;
	free(x->buf); /* an earlier server's TCP reply: start a new one */
	x->buf = NULL;
	if (build_query(x) < 0 || (x->fd = dns_upsock_connect_tcp(&u->addr, u->addrlen)) < 0 ||
	    loop_add_fd(x->f->loop, x->fd, EPOLLIN | EPOLLOUT, on_tcp_event, x) < 0) {
		tcp_fail(x);
		return;
	}
	x->deadline_ms = MAX(x->deadline_ms, now_mono_ms() + TCP_EXTRA_MS);
	loop_timer_arm(x->timer, x->deadline_ms);
}

static bool all_at_once(const struct exchange *x)
{
	return x->plan.mode == DNS_UPSTREAM_ALL_AT_ONCE;
}

/* Every UDP attempt whose try has passed counts as a timeout of its server. */
static void note_silent_attempts(struct exchange *x, uint64_t now)
{
	for (size_t i = 0; i < x->natt; i++)
		if (!x->att[i].timed_out && now - x->att[i].sent_ms >= DNS_FORWARD_TRY_MS) {
			note_timeout(x, x->att[i].server);
			x->att[i].timed_out = true; /* counted once; still listened to */
			x->trouble = true;
		}
}

static void on_timer(void *ctx)
{
	struct exchange *x = ctx;
	uint64_t now = now_mono_ms();

	if (!x->tcp)
		note_silent_attempts(x, now);
	/* All at once: a held negative is the answer once the try is over. */
	if (all_at_once(x) && x->neg) {
		exchange_finish(x, x->neg, x->neglen, x->neg[3] & DNS_F_RCODE_MASK);
		return;
	}
	if (x->tcp || now >= x->deadline_ms) {
		exchange_finish(x, NULL, 0, DNS_R_SERVFAIL);
		return;
	}
	exchange_send(x);
}

/* One UDP query to server; false when it could not be sent. */
static bool send_attempt(struct exchange *x, int server, uint64_t now)
{
	struct dns_forward *f = x->f;
	const struct dns_upstream *u = &f->s.ups[server];
	struct dns_upsock_ticket t;

	if (x->natt == MAX_ATTEMPTS)
		close_attempt(x, 0); /* the oldest has had its chance */
	x->cur = server;
	if (build_query(x) < 0 ||
	    dns_upsock_send(f->socks, &u->addr, u->addrlen, x->query, x->qlen, x, now, &t) < 0) {
		note_timeout(x, server);
		x->trouble = true;
		return false;
	}
	x->id = t.id;
	x->att[x->natt++] = (struct attempt){ .t = t, .server = server, .sent_ms = now };
	x->sent_ms = now;
	x->asked++;
	if (server != x->plan.preferred)
		x->fell_back = true;
	dns_upstream_sent(&f->s.ups[server], now);
	if (f->cfg->log_queries && !x->probe)
		log_info("forwarded %s to %s", x->qname, f->s.ups[server].text);
	return true;
}

/*
 * Ask the next candidate in turn, or (all at once) every candidate; the
 * timer then waits for a try (or the deadline).
 */
static void exchange_send(struct exchange *x)
{
	uint64_t now = now_mono_ms();
	bool sent = false;

	if (all_at_once(x)) {
		for (size_t i = 0; i < x->plan.ncand && i < MAX_ATTEMPTS; i++)
			sent |= send_attempt(x, x->plan.cand[i], now);
	} else {
		int c = dns_upstream_next(&x->f->s, &x->plan, &x->tried, x->asked, now);

		sent = c >= 0 && send_attempt(x, c, now);
	}
	if (!sent) {
		loop_timer_arm(x->timer, MIN(now + 50, x->deadline_ms)); /* try the next soon */
		return;
	}
	loop_timer_arm(x->timer, MIN(now + DNS_FORWARD_TRY_MS, x->deadline_ms));
}

static struct exchange *exchange_alloc(struct dns_forward *f, const char *qname,
				       uint16_t qtype, uint16_t qclass)
{
	struct exchange *x = xcalloc(1, sizeof(*x));

	x->f = f;
	x->fd = -1;
	x->cur = -1;
	x->plan.preferred = -1;
	str_copy(x->qname, qname, sizeof(x->qname));
	x->qtype = qtype;
	x->qclass = qclass;
	x->hash = question_hash(qname, qtype, qclass);
	x->deadline_ms = now_mono_ms() + DNS_FORWARD_DEADLINE_MS;
	x->timer = loop_timer_new(f->loop, on_timer, x);
	x->all_next = f->all;
	if (f->all)
		f->all->all_prev = x;
	f->all = x;
	return x;
}

/*
 * NULL with *rcode REFUSED when no server exists for the name.  Servers
 * that are down do not make a SERVFAIL here: the best of them is asked.
 */
static struct exchange *exchange_new(struct dns_forward *f, const char *qname, uint16_t qtype,
				     uint16_t qclass, int *rcode)
{
	struct exchange *x = exchange_alloc(f, qname, qtype, qclass);

	dns_upstream_plan(&f->s, qname, now_mono_ms(), &x->plan);
	if (x->plan.ncand == 0) {
		*rcode = DNS_R_REFUSED;
		exchange_free(x);
		return NULL;
	}
	return x;
}

/* ---- CNAME into a domain routed elsewhere ---- */

/*
 * The end of the answer's CNAME chain from qname, when it has no record of
 * qtype: the name that still needs an answer.  NULL when complete.
 */
static bool chain_end(const uint8_t *p, size_t len, const char *qname, uint16_t qtype,
		      char *end, size_t endlen)
{
	struct dns_reader r;
	struct dns_rr_buf rb;
	bool found;

	str_copy(end, qname, endlen);
	for (int hop = 0; hop <= CNAME_CHAIN_MAX; hop++) {
		if (dns_reader_init(&r, p, len) < 0)
			return false;
		found = false;
		while (dns_reader_next(&r, &rb) == 1 && rb.section == DNS_SEC_ANSWER) {
			if (!dns_name_equal(rb.owner, end))
				continue;
			if (rb.rr.type == qtype)
				return false; /* the chain ends in an answer */
			if (rb.rr.type == DNS_T_CNAME && !found) {
				size_t off = 0;

				if (dns_name_read(rb.rr.rdata, rb.rr.rdlen, &off, end, endlen) < 0)
					return false;
				found = true;
			}
		}
		if (!found)
			return !dns_name_equal(end, qname);
	}
	return false;
}

/* Join the parent's CNAMEs with the child's answer into one reply. */
static size_t join_replies(const struct exchange *parent, const uint8_t *child, size_t clen,
			   int rcode, uint8_t *out, size_t outlen)
{
	struct dns_builder b;
	struct dns_reader r;
	struct dns_rr_buf rb;
	struct dns_reader pr;

	if (dns_reader_init(&pr, parent->held, parent->heldlen) < 0)
		return 0;
	dns_build_init(&b, out, outlen, parent->id, DNS_F_QR | DNS_F_RD | DNS_F_RA);
	dns_build_set_rcode(&b, rcode);
	if (dns_build_question(&b, parent->qname, parent->qtype, parent->qclass) < 0)
		return 0;
	while (dns_reader_next(&pr, &rb) == 1 && rb.section == DNS_SEC_ANSWER)
		if (dns_build_rr(&b, DNS_SEC_ANSWER, &rb.rr) < 0)
			return 0;
	if (child && dns_reader_init(&r, child, clen) == 0)
		while (dns_reader_next(&r, &rb) == 1 && rb.section != DNS_SEC_ADDITIONAL)
			if (dns_build_rr(&b, rb.section, &rb.rr) < 0)
				return 0;
	return dns_build_finish(&b);
}

static void child_done(struct exchange *parent, const uint8_t *reply, size_t len, int rcode)
{
	uint8_t *joined;
	size_t n;

	if (!reply || (rcode != DNS_R_NOERROR && rcode != DNS_R_NXDOMAIN)) {
		exchange_finish(parent, NULL, 0, DNS_R_SERVFAIL);
		return;
	}
	joined = xmalloc(DNS_TCP_MAX);
	n = join_replies(parent, reply, len, rcode, joined, DNS_TCP_MAX);
	if (n)
		exchange_finish(parent, joined, n, rcode);
	else
		exchange_finish(parent, NULL, 0, DNS_R_SERVFAIL);
	free(joined);
}

/* If the chain leads into another route, ask there; true when a child runs. */
static bool follow_cname(struct exchange *x, const uint8_t *p, size_t len)
{
	char end[DNS_NAME_STR];
	struct exchange *child;
	int rcode;

	if (x->parent || x->probe || x->qtype == DNS_T_CNAME || x->qtype == DNS_T_ANY ||
	    !chain_end(p, len, x->qname, x->qtype, end, sizeof(end)) ||
	    dns_upstream_same_route(&x->f->s, end, x->qname))
		return false;
	child = exchange_new(x->f, end, x->qtype, x->qclass, &rcode);
	if (!child)
		return false;
	child->parent = x;
	x->held = xmalloc(len);
	memcpy(x->held, p, len);
	x->heldlen = len;
	close_socket(x);
	loop_timer_disarm(x->timer);
	exchange_send(child);
	return true;
}

/* All at once: keep the best negative; NODATA beats NXDOMAIN (the name exists there). */
static void hold_negative(struct exchange *x, const uint8_t *p, size_t len)
{
	bool nodata = (p[3] & DNS_F_RCODE_MASK) == DNS_R_NOERROR;

	if (x->neg && !(nodata && (x->neg[3] & DNS_F_RCODE_MASK) == DNS_R_NXDOMAIN))
		return;
	free(x->neg);
	x->neg = xmalloc(len);
	memcpy(x->neg, p, len);
	x->neglen = len;
}

/* Every server asked has had its say (all at once), or the last one failed (in turn). */
static void after_attempt_closed(struct exchange *x)
{
	if (all_at_once(x)) {
		if (x->natt == 0 && x->neg)
			exchange_finish(x, x->neg, x->neglen, x->neg[3] & DNS_F_RCODE_MASK);
		else if (x->natt == 0)
			exchange_finish(x, NULL, 0, DNS_R_SERVFAIL);
		return;
	}
	if (x->tried < x->plan.ncand)
		exchange_send(x);
	else if (x->natt == 0)
		loop_timer_arm(x->timer, MIN(now_mono_ms() + 50, x->deadline_ms));
}

/*
 * A reply that matched (attempt: its UDP attempt, -1 for TCP).  p must not
 * point into a buffer this frees: callers pass a copy or x->buf, which
 * only exchange_free() releases.
 */
static void handle_reply(struct exchange *x, const uint8_t *p, size_t len, int attempt)
{
	int rcode = p[3] & DNS_F_RCODE_MASK;

	if (rcode != DNS_R_NOERROR && rcode != DNS_R_NXDOMAIN) {
		/*
		 * One server's trouble (SERVFAIL, REFUSED, FORMERR, NOTIMP ...):
		 * ask the next; others asked may still answer.
		 */
		if (attempt >= 0)
			close_attempt(x, (size_t)attempt);
		else
			close_fd(x->f, &x->fd);
		x->tcp = false;
		x->trouble = true;
		if (!all_at_once(x) && x->tried >= x->plan.ncand && x->natt == 0)
			exchange_finish(x, NULL, 0, DNS_R_SERVFAIL);
		else
			after_attempt_closed(x);
		return;
	}
	if (all_at_once(x) && dns_reply_is_negative(p, len)) {
		/* Single labels: no server's negative decides while another may know the name. */
		hold_negative(x, p, len);
		if (attempt >= 0)
			close_attempt(x, (size_t)attempt);
		else
			close_fd(x->f, &x->fd);
		x->tcp = false;
		after_attempt_closed(x);
		return;
	}
	close_socket(x);
	if (follow_cname(x, p, len))
		return;
	exchange_finish(x, p, len, rcode);
}

static void exchange_finish(struct exchange *x, const uint8_t *reply, size_t len, int rcode)
{
	struct dns_forward *f = x->f;
	struct dns_forward_result r = {
		.qname = x->qname, .qtype = x->qtype, .qclass = x->qclass,
		.reply = reply, .len = len, .rcode = rcode,
		.tokens = x->tokens, .ntokens = x->ntokens,
		.fell_back = all_at_once(x) ? x->trouble : x->fell_back,
	};

	close_socket(x);
	loop_timer_disarm(x->timer);
	if (!x->parent && !x->probe)
		inflight_remove(f, x);
	if (reply)
		f->answered++;
	else if (!x->probe)
		f->servfails++;
	if (x->ntokens)
		f->done(f->ctx, &r);
	if (x->parent) {
		x->parent->fell_back |= r.fell_back;
		child_done(x->parent, reply, len, rcode);
	}
	exchange_free(x);
}

/* ---- loop probes ---- */

static void start_loop_probes(struct dns_forward *f, size_t from)
{
	for (size_t i = from; i < f->s.n; i++) {
		struct exchange *x = exchange_alloc(f, f->loop_probe[i], DNS_T_TXT, DNS_C_IN);

		x->probe = true;
		x->plan.cand[0] = (int)i;
		x->plan.ncand = 1;
		x->plan.preferred = (int)i;
		exchange_send(x);
	}
}

bool dns_forward_check_loop(struct dns_forward *f, const char *qname)
{
	if (strncasecmp(qname, LOOP_PROBE_PREFIX, strlen(LOOP_PROBE_PREFIX)) != 0)
		return false;
	for (size_t i = 0; i < f->s.n; i++)
		if (dns_name_equal(qname, f->loop_probe[i])) {
			if (!f->s.ups[i].loop)
				log_err("nameserver %s sends our own queries back to us (a loop); "
					"not using it", f->s.ups[i].text);
			f->s.ups[i].loop = true;
			return true;
		}
	return false;
}

/* ---- resolv file watch ---- */

static void on_inotify(void *ctx, int fd, uint32_t events)
{
	struct dns_forward *f = ctx;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char *path = xstrdup(f->resolv_path);
	const char *base = basename(path);
	bool changed = false;
	ssize_t n;

	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->len && strcmp(ev->name, base) == 0)
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	free(path);
	if (changed) {
		log_info("reading %s", f->resolv_path);
		load_resolv(f);
	}
}

/* Watch the directory: resolv.conf is usually replaced, not rewritten. */
static void watch_resolv(struct dns_forward *f)
{
	char *path = xstrdup(f->resolv_path);
	const char *dir = dirname(path);

	f->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (f->inotify_fd < 0 ||
	    inotify_add_watch(f->inotify_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
				  IN_DELETE | IN_MOVED_FROM) < 0 ||
	    loop_add_fd(f->loop, f->inotify_fd, EPOLLIN, on_inotify, f) < 0) {
		log_warn("cannot watch %s for changes (%s); it is reread on SIGHUP",
			 f->resolv_path, strerror(errno));
		if (f->inotify_fd >= 0)
			close(f->inotify_fd);
		f->inotify_fd = -1;
	}
	free(path);
}

/* ---- interface ---- */

struct dns_forward *dns_forward_new(const struct config *cfg, struct loop *loop,
				    dns_forward_done_fn done, void *ctx)
{
	struct dns_forward *f = xcalloc(1, sizeof(*f));

	f->cfg = cfg;
	f->loop = loop;
	f->done = done;
	f->ctx = ctx;
	f->inotify_fd = -1;
	f->s.strict_order = cfg->strict_order;
	f->socks = dns_upsock_new(loop, on_udp_reply);
	f->resolv_path = cfg->resolv_file ? cfg->resolv_file : DEFAULT_RESOLV_FILE;
	load_configured(f);
	start_loop_probes(f, 0);
	if (!cfg->no_resolv) {
		load_resolv(f);
		watch_resolv(f);
	}
	return f;
}

void dns_forward_free(struct dns_forward *f)
{
	if (!f)
		return;
	while (f->all)
		exchange_free(f->all);
	dns_upsock_free(f->socks);
	if (f->inotify_fd >= 0) {
		loop_del_fd(f->loop, f->inotify_fd);
		close(f->inotify_fd);
	}
	for (size_t i = 0; i < f->s.n; i++)
		free(f->s.ups[i].domain);
	free(f);
}

int dns_forward_query(struct dns_forward *f, const char *qname, uint16_t qtype,
		      uint16_t qclass, void *token)
{
	struct exchange *x = inflight_find(f, qname, qtype, qclass);
	int rcode = DNS_R_SERVFAIL;

	if (x) {
		/* Bounded: a flood of one question must not grow one exchange forever. */
		if (x->ntokens >= DNS_FORWARD_MAX_WAITERS) {
			log_ratelimited("dns-forward-waiters", LOG_WARNING,
					"%d clients already wait for %s; answering SERVFAIL",
					DNS_FORWARD_MAX_WAITERS, qname);
			return DNS_R_SERVFAIL;
		}
		add_token(x, token); /* the same question is already out: share it */
		return 0;
	}
	if (f->ninflight >= DNS_FORWARD_MAX_INFLIGHT) {
		log_ratelimited("dns-forward-max", LOG_WARNING,
				"%d queries in flight upstream; answering SERVFAIL",
				DNS_FORWARD_MAX_INFLIGHT);
		return DNS_R_SERVFAIL;
	}
	x = exchange_new(f, qname, qtype, qclass, &rcode);
	if (!x) {
		if (rcode == DNS_R_SERVFAIL)
			f->servfails++;
		return rcode;
	}
	add_token(x, token);
	inflight_add(f, x);
	f->forwarded++;
	exchange_send(x);
	return 0;
}

void dns_forward_cancel(struct dns_forward *f, void *token)
{
	for (size_t b = 0; b < INFLIGHT_BUCKETS; b++)
		for (struct exchange *x = f->inflight[b]; x; x = x->hnext)
			for (size_t i = 0; i < x->ntokens; i++)
				if (x->tokens[i] == token)
					x->tokens[i] = x->tokens[--x->ntokens];
}

void dns_forward_reload(struct dns_forward *f)
{
	if (!f->cfg->no_resolv)
		load_resolv(f);
}

void dns_forward_log_stats(const struct dns_forward *f)
{
	log_info("DNS forwarding: %llu queries forwarded, %llu answered, %llu SERVFAIL, %zu in flight",
		 (unsigned long long)f->forwarded, (unsigned long long)f->answered,
		 (unsigned long long)f->servfails, f->ninflight);
	for (size_t i = 0; i < f->s.n; i++) {
		const struct dns_upstream *u = &f->s.ups[i];

		log_info("server %s: queries sent %llu, answered %llu, timed out %llu%s%s",
			 u->text, (unsigned long long)u->queries, (unsigned long long)u->replies,
			 (unsigned long long)u->failures, dns_upstream_is_down(u, now_mono_ms()) ? ", down" : "",
			 u->loop ? ", a loop (unused)" : "");
	}
}

static void server_info(const struct dns_upstream *u, struct dns_forward_server_info *out)
{
	*out = (struct dns_forward_server_info){
		.addr = u->text, .domain = u->domain, .from_resolv = u->from_resolv,
		.down = dns_upstream_is_down(u, now_mono_ms()), .loop = u->loop, .srtt_ms = u->srtt_ms,
		.queries = u->queries, .replies = u->replies, .timeouts = u->failures,
	};
}

void dns_forward_foreach_server(const struct dns_forward *f,
				void (*fn)(void *ctx, const struct dns_forward_server_info *s),
				void *ctx)
{
	struct dns_forward_server_info info;

	for (size_t i = 0; i < f->s.n; i++) {
		server_info(&f->s.ups[i], &info);
		fn(ctx, &info);
	}
}

size_t dns_forward_route(const struct dns_forward *f, const char *qname, size_t *order,
			 size_t max, bool *all_at_once)
{
	struct dns_upstream_plan plan;

	dns_upstream_plan(&f->s, qname, now_mono_ms(), &plan);
	*all_at_once = plan.mode == DNS_UPSTREAM_ALL_AT_ONCE;
	for (size_t i = 0; i < plan.ncand && i < max; i++)
		order[i] = (size_t)plan.cand[i];
	return MIN(plan.ncand, max);
}

bool dns_forward_server_at(const struct dns_forward *f, size_t i,
			   struct dns_forward_server_info *out)
{
	if (i >= f->s.n)
		return false;
	server_info(&f->s.ups[i], out);
	return true;
}
