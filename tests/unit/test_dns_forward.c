/*
 * test_dns_forward — the upstream forwarder against fake servers: UDP
 * (and, for TC, TCP) sockets bound to 127.0.0.1 on kernel-chosen ports,
 * registered in the forwarder's own event loop, each answering by a
 * script (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, silence, a wrong ID or
 * question first, TC then TCP, a CNAME).  Covers routing by domain
 * (longest suffix), strict order and failover, the deadline and a dead
 * server, reply matching, random IDs, EDNS, coalescing and cancelling,
 * TCP after TC, loop probes, the in-flight limit, the fastest server
 * first, CNAMEs into another route, our own address, and resolvconf.
 *
 * loop_run() cannot be run again after loop_quit(), so a test with
 * several steps runs them as phases inside one loop_run(): a phase ends
 * when the results it waits for arrive (or after a fixed wait), and the
 * next phase starts from the loop.  A safety timer ends a run that
 * hangs, so a broken forwarder fails instead of blocking.  Nothing is
 * ever sent anywhere but 127.0.0.1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/config.h"
#include "dns/dns_forward.h"
#include "dns/dns_upstream.h"
#include "dns/dns_wire.h"
#include "core/loop.h"
#include "conf/resolvconf.h"
#include "core/util.h"
#include "test_files.h"

#define PROBE_PREFIX "leased-loop-"
#define SAFETY_MS 8000
#define MAX_RESULTS 8
#define MAX_PENDING 8
#define MAX_CONNS 4
#define MAX_SEEN 16
#define MAX_PROBES 4
#define LATE_MS 100      /* the right reply after a wrong one */
#define TCP_SPLIT_MS 30  /* the second half of a TCP reply */

/* ---- fake upstream servers ------------------------------------------ */

enum how {
	H_ANSWER,         /* NOERROR with the A records in addrs */
	H_NXDOMAIN,       /* NXDOMAIN with an SOA */
	H_SERVFAIL,
	H_REFUSED,
	H_SILENT,         /* never answers, not even a loop probe */
	H_DROP,           /* answers loop probes only */
	H_WRONG_ID,       /* another ID at once, the right reply LATE_MS later */
	H_WRONG_QUESTION, /* replies to other questions at once, the right one later */
	H_TC,             /* UDP: TC and no answer; TCP: the whole answer, in two parts */
	H_TC_SERVFAIL,    /* UDP: TC; TCP: SERVFAIL */
	H_CNAME,          /* NOERROR with only a CNAME to cname_target */
};

struct fake;

struct pending {
	struct fake *srv;
	struct loop_timer *timer;
	int conn;                 /* -1: UDP to `to`; else an index into conns */
	struct sockaddr_storage to;
	socklen_t tolen;
	uint8_t buf[4096];
	size_t len;
	bool used;
};

struct conn {
	struct fake *srv;
	int fd;
	uint8_t buf[1024];
	size_t len;
};

struct fake {
	struct loop *loop;
	int udp, tcp;
	uint16_t port;
	enum how how;
	const char *addrs[3];
	size_t naddrs;
	const char *cname_target;
	int delay_ms;             /* every reply (probes too) this much later */
	const char *drop_name;    /* never answers this name (other names as `how`) */
	unsigned miss;            /* leaves this many more queries unanswered */
	unsigned probes;
	char probe_names[MAX_PROBES][DNS_NAME_STR];
	struct dns_query seen[MAX_SEEN]; /* queries other than probes, parsed */
	size_t nseen;
	unsigned udp_queries, tcp_queries;
	struct pending pend[MAX_PENDING];
	struct conn conns[MAX_CONNS];
	size_t nconns;
};

static void send_now(struct fake *s, int conn, const struct sockaddr_storage *to,
		     socklen_t tolen, const uint8_t *p, size_t len)
{
	if (conn < 0) {
		(void)sendto(s->udp, p, len, MSG_DONTWAIT, (const struct sockaddr *)to, tolen);
		return;
	}
	if (s->conns[conn].fd >= 0)
		(void)send(s->conns[conn].fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void on_pending(void *ctx)
{
	struct pending *pd = ctx;

	send_now(pd->srv, pd->conn, &pd->to, pd->tolen, pd->buf, pd->len);
	pd->used = false;
}

/* Send p (already framed for TCP) now or delay_ms later. */
static void send_later(struct fake *s, int conn, const struct sockaddr_storage *to,
		       socklen_t tolen, const uint8_t *p, size_t len, int delay_ms)
{
	struct pending *pd = NULL;

	if (delay_ms <= 0) {
		send_now(s, conn, to, tolen, p, len);
		return;
	}
	for (size_t i = 0; i < MAX_PENDING && !pd; i++)
		if (!s->pend[i].used)
			pd = &s->pend[i];
	assert_non_null(pd);
	assert_true(len <= sizeof(pd->buf));
	pd->used = true;
	pd->conn = conn;
	if (to)
		pd->to = *to;
	pd->tolen = tolen;
	memcpy(pd->buf, p, len);
	pd->len = len;
	loop_timer_arm(pd->timer, now_mono_ms() + (uint64_t)delay_ms);
}

/* A DNS message: over UDP as is, over TCP with its length first. */
static void reply(struct fake *s, int conn, const struct sockaddr_storage *to, socklen_t tolen,
		  const uint8_t *msg, size_t len, int delay_ms)
{
	uint8_t framed[2 + 4096];

	if (conn < 0) {
		send_later(s, conn, to, tolen, msg, len, delay_ms);
		return;
	}
	assert_true(len <= 4096);
	framed[0] = (uint8_t)(len >> 8);
	framed[1] = (uint8_t)len;
	memcpy(framed + 2, msg, len);
	send_later(s, conn, to, tolen, framed, len + 2, delay_ms);
}

static void build_begin(struct dns_builder *b, uint8_t *buf, size_t cap, uint16_t id,
			const char *qname, uint16_t qtype, int rcode, uint16_t flags)
{
	dns_build_init(b, buf, cap, id, DNS_F_QR | DNS_F_RD | DNS_F_RA | flags);
	dns_build_set_rcode(b, rcode);
	if (qname)
		assert_int_equal(dns_build_question(b, qname, qtype, DNS_C_IN), 0);
}

static void build_a(struct dns_builder *b, const char *owner, const char *addr)
{
	struct in_addr a;
	struct dns_rr rr = {
		.owner = owner, .type = DNS_T_A, .class = DNS_C_IN, .ttl = 300,
		.rdata = (const uint8_t *)&a, .rdlen = sizeof(a),
	};

	assert_int_equal(inet_pton(AF_INET, addr, &a), 1);
	assert_int_equal(dns_build_rr(b, DNS_SEC_ANSWER, &rr), 0);
}

static void build_cname(struct dns_builder *b, const char *owner, const char *target)
{
	uint8_t rd[DNS_WIRE_NAME_MAX];
	int n = dns_rdata_name(target, rd, sizeof(rd));
	struct dns_rr rr = {
		.owner = owner, .type = DNS_T_CNAME, .class = DNS_C_IN, .ttl = 300,
		.rdata = rd, .rdlen = (uint16_t)n,
	};

	assert_true(n > 0);
	assert_int_equal(dns_build_rr(b, DNS_SEC_ANSWER, &rr), 0);
}

static void build_soa(struct dns_builder *b, const char *zone)
{
	uint8_t rd[DNS_RDATA_NAMES_MAX];
	int n = dns_rdata_soa("ns.test", "hostmaster.test", 1, 3600, 600, 86400, 60, rd,
			      sizeof(rd));
	struct dns_rr rr = {
		.owner = zone, .type = DNS_T_SOA, .class = DNS_C_IN, .ttl = 60,
		.rdata = rd, .rdlen = (uint16_t)n,
	};

	assert_true(n > 0);
	assert_int_equal(dns_build_rr(b, DNS_SEC_AUTHORITY, &rr), 0);
}

/* The right answer to (id, qname, qtype): NOERROR and every address. */
static size_t build_answer(const struct fake *s, uint8_t *buf, size_t cap, uint16_t id,
			   const char *qname, uint16_t qtype)
{
	struct dns_builder b;

	build_begin(&b, buf, cap, id, qname, qtype, DNS_R_NOERROR, 0);
	for (size_t i = 0; i < s->naddrs; i++)
		build_a(&b, qname, s->addrs[i]);
	return dns_build_finish(&b);
}

static size_t build_rcode(uint8_t *buf, size_t cap, uint16_t id, const char *qname,
			  uint16_t qtype, int rcode, uint16_t flags)
{
	struct dns_builder b;

	build_begin(&b, buf, cap, id, qname, qtype, rcode, flags);
	if (rcode == DNS_R_NXDOMAIN)
		build_soa(&b, "test");
	return dns_build_finish(&b);
}

static void handle_query(struct fake *s, const uint8_t *p, size_t len, int conn,
			 const struct sockaddr_storage *to, socklen_t tolen)
{
	struct dns_reader r;
	uint8_t out[4096];
	size_t n;
	bool tcp = conn >= 0;

	if (dns_reader_init(&r, p, len) < 0 || r.count[0] != 1 || (r.flags & DNS_F_QR))
		return;
	if (strncasecmp(r.qname, PROBE_PREFIX, strlen(PROBE_PREFIX)) == 0) {
		if (s->probes < MAX_PROBES)
			str_copy(s->probe_names[s->probes], r.qname, DNS_NAME_STR);
		s->probes++;
		/* A real server answers a random .test name with NXDOMAIN. */
		if (s->how != H_SILENT) {
			n = build_rcode(out, sizeof(out), r.id, r.qname, r.qtype, DNS_R_NXDOMAIN, 0);
			reply(s, conn, to, tolen, out, n, s->delay_ms);
		}
		return;
	}
	if (s->nseen < MAX_SEEN)
		assert_int_equal(dns_parse_query(p, len, &s->seen[s->nseen++]), DNS_R_NOERROR);
	if (tcp)
		s->tcp_queries++;
	else
		s->udp_queries++;
	if (s->drop_name && strcasecmp(r.qname, s->drop_name) == 0)
		return;
	if (s->miss) {
		s->miss--;
		return;
	}

	switch (s->how) {
	case H_ANSWER:
		n = build_answer(s, out, sizeof(out), r.id, r.qname, r.qtype);
		break;
	case H_NXDOMAIN:
		n = build_rcode(out, sizeof(out), r.id, r.qname, r.qtype, DNS_R_NXDOMAIN, 0);
		break;
	case H_SERVFAIL:
		n = build_rcode(out, sizeof(out), r.id, r.qname, r.qtype, DNS_R_SERVFAIL, 0);
		break;
	case H_REFUSED:
		n = build_rcode(out, sizeof(out), r.id, r.qname, r.qtype, DNS_R_REFUSED, 0);
		break;
	case H_SILENT:
	case H_DROP:
		return;
	case H_WRONG_ID:
		/* Another ID (an NXDOMAIN, so taking it shows), then the right one. */
		n = build_rcode(out, sizeof(out), (uint16_t)(r.id ^ 0x8001), r.qname, r.qtype,
				DNS_R_NXDOMAIN, 0);
		reply(s, conn, to, tolen, out, n, 0);
		n = build_answer(s, out, sizeof(out), r.id, r.qname, r.qtype);
		reply(s, conn, to, tolen, out, n, LATE_MS);
		return;
	case H_WRONG_QUESTION: {
		static const char *const other[] = { "10.6.6.6" };
		struct dns_builder b;

		/* The right ID, another name. */
		build_begin(&b, out, sizeof(out), r.id, "other.example", r.qtype, DNS_R_NOERROR, 0);
		build_a(&b, "other.example", other[0]);
		reply(s, conn, to, tolen, out, dns_build_finish(&b), 0);
		/* The right name, another type. */
		n = build_rcode(out, sizeof(out), r.id, r.qname, DNS_T_AAAA, DNS_R_NOERROR, 0);
		reply(s, conn, to, tolen, out, n, 0);
		/* No question at all. */
		n = build_rcode(out, sizeof(out), r.id, NULL, 0, DNS_R_NXDOMAIN, 0);
		reply(s, conn, to, tolen, out, n, 0);
		/* The question, right ID, but QR clear (not a reply). */
		build_begin(&b, out, sizeof(out), r.id, r.qname, r.qtype, DNS_R_NXDOMAIN, 0);
		n = dns_build_finish(&b);
		out[2] &= (uint8_t)~(DNS_F_QR >> 8);
		reply(s, conn, to, tolen, out, n, 0);
		n = build_answer(s, out, sizeof(out), r.id, r.qname, r.qtype);
		reply(s, conn, to, tolen, out, n, LATE_MS);
		return;
	}
	case H_TC:
		if (!tcp) {
			n = build_rcode(out, sizeof(out), r.id, r.qname, r.qtype, DNS_R_NOERROR,
					DNS_F_TC);
			break;
		}
		/* The whole answer, its length and a few bytes now, the rest later. */
		{
			uint8_t framed[2 + sizeof(out)];

			n = build_answer(s, out, sizeof(out), r.id, r.qname, r.qtype);
			framed[0] = (uint8_t)(n >> 8);
			framed[1] = (uint8_t)n;
			memcpy(framed + 2, out, n);
			send_later(s, conn, NULL, 0, framed, 6, 0);
			send_later(s, conn, NULL, 0, framed + 6, n + 2 - 6, TCP_SPLIT_MS);
		}
		return;
	case H_TC_SERVFAIL:
		n = build_rcode(out, sizeof(out), r.id, r.qname, r.qtype,
				tcp ? DNS_R_SERVFAIL : DNS_R_NOERROR, tcp ? 0 : DNS_F_TC);
		break;
	case H_CNAME: {
		struct dns_builder b;

		build_begin(&b, out, sizeof(out), r.id, r.qname, r.qtype, DNS_R_NOERROR, 0);
		build_cname(&b, r.qname, s->cname_target);
		n = dns_build_finish(&b);
		break;
	}
	default:
		fail_msg("unknown behaviour %d", (int)s->how);
		return;
	}
	reply(s, conn, to, tolen, out, n, s->delay_ms);
}

static void on_fake_udp(void *ctx, int fd, uint32_t events)
{
	struct fake *s = ctx;
	uint8_t buf[4096];
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;

	(void)events;
	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return;
		/* Loopback only, from the forwarder's own sockets. */
		assert_int_equal(from.ss_family, AF_INET);
		handle_query(s, buf, (size_t)n, -1, &from, fromlen);
	}
}

static void on_fake_conn(void *ctx, int fd, uint32_t events)
{
	struct conn *c = ctx;
	struct fake *s = c->srv;
	ssize_t n;

	(void)events;
	n = recv(fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		loop_del_fd(s->loop, fd);
		close(fd);
		c->fd = -1;
		return;
	}
	c->len += (size_t)n;
	if (c->len >= 2) {
		size_t want = (size_t)c->buf[0] << 8 | c->buf[1];

		if (c->len >= 2 + want) {
			handle_query(s, c->buf + 2, want, (int)(c - s->conns), NULL, 0);
			c->len = 0;
		}
	}
}

static void on_fake_accept(void *ctx, int fd, uint32_t events)
{
	struct fake *s = ctx;
	int cfd;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct conn *c;

		if (s->nconns == MAX_CONNS) {
			close(cfd);
			continue;
		}
		c = &s->conns[s->nconns++];
		c->srv = s;
		c->fd = cfd;
		c->len = 0;
		assert_int_equal(loop_add_fd(s->loop, cfd, EPOLLIN, on_fake_conn, c), 0);
	}
}

static int bind_loopback(int type, uint16_t port, uint16_t *got)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*got = ntohs(sin.sin_port);
	return fd;
}

/* A fake server on 127.0.0.1, a UDP socket and with_tcp a TCP listener on the same port. */
static struct fake *fake_new(struct loop *l, enum how how, const char *addr, bool with_tcp)
{
	struct fake *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->loop = l;
	s->how = how;
	s->tcp = -1;
	if (addr) {
		s->addrs[0] = addr;
		s->naddrs = 1;
	}
	for (size_t i = 0; i < MAX_PENDING; i++) {
		s->pend[i].srv = s;
		s->pend[i].timer = loop_timer_new(l, on_pending, &s->pend[i]);
	}
	for (int attempt = 0; attempt < 20; attempt++) {
		s->udp = bind_loopback(SOCK_DGRAM, 0, &s->port);
		assert_true(s->udp >= 0);
		if (!with_tcp)
			break;
		uint16_t same;

		s->tcp = bind_loopback(SOCK_STREAM, s->port, &same);
		if (s->tcp >= 0)
			break;
		close(s->udp); /* that TCP port is taken: another UDP port */
		s->udp = -1;
	}
	assert_true(s->udp >= 0);
	assert_int_equal(loop_add_fd(l, s->udp, EPOLLIN, on_fake_udp, s), 0);
	if (with_tcp) {
		assert_true(s->tcp >= 0);
		assert_int_equal(listen(s->tcp, 8), 0);
		assert_int_equal(loop_add_fd(l, s->tcp, EPOLLIN, on_fake_accept, s), 0);
	}
	return s;
}

/* Whatever reached the server and was not read yet (the loop has stopped). */
static void fake_drain(struct fake *s)
{
	on_fake_udp(s, s->udp, EPOLLIN);
}

static void fake_free(struct fake *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < MAX_PENDING; i++)
		loop_timer_free(s->pend[i].timer);
	for (size_t i = 0; i < s->nconns; i++)
		if (s->conns[i].fd >= 0) {
			loop_del_fd(s->loop, s->conns[i].fd);
			close(s->conns[i].fd);
		}
	if (s->tcp >= 0) {
		loop_del_fd(s->loop, s->tcp);
		close(s->tcp);
	}
	loop_del_fd(s->loop, s->udp);
	close(s->udp);
	free(s);
}

/* A port on 127.0.0.1 where nothing listens (bound, then closed). */
static uint16_t closed_port(void)
{
	uint16_t port;
	int fd = bind_loopback(SOCK_DGRAM, 0, &port);

	assert_true(fd >= 0);
	close(fd);
	return port;
}

/* ---- the forwarder under test --------------------------------------- */

struct result {
	int rcode;
	bool has_reply;
	uint8_t reply[DNS_TCP_MAX];
	size_t len;
	void *tokens[8];
	size_t ntokens;
	char qname[DNS_NAME_STR];
	uint16_t qtype;
	uint64_t at_ms;
	bool fell_back;
};

struct env;
typedef void (*phase_fn)(struct env *e);

struct env {
	struct loop *loop;
	struct config cfg;
	bool have_cfg;
	struct dns_forward *f;
	struct loop_timer *safety, *wait;
	bool timed_out;
	struct result res[MAX_RESULTS];
	size_t nres;
	size_t want;              /* results that end the current phase; 0: none */
	phase_fn next;            /* the next phase; NULL: stop the loop */
	uint64_t t0;              /* when the phase's query went out */
	struct fake *srv[4];
	int rc;                   /* what a phase's dns_forward_query returned */
	uint64_t mark_ms;
};

static void phase_end(struct env *e)
{
	phase_fn fn = e->next;

	e->next = NULL;
	e->want = 0;
	loop_timer_disarm(e->wait);
	if (fn)
		fn(e);
	else
		loop_quit(e->loop, 0);
}

static void on_done(void *ctx, const struct dns_forward_result *r)
{
	struct env *e = ctx;
	struct result *out;

	assert_true(e->nres < MAX_RESULTS);
	out = &e->res[e->nres++];
	out->rcode = r->rcode;
	out->has_reply = r->reply != NULL;
	assert_true(r->len <= sizeof(out->reply));
	if (r->reply)
		memcpy(out->reply, r->reply, r->len);
	out->len = r->len;
	assert_true(r->ntokens <= ARRAY_SIZE(out->tokens));
	for (size_t i = 0; i < r->ntokens; i++)
		out->tokens[i] = r->tokens[i];
	out->ntokens = r->ntokens;
	str_copy(out->qname, r->qname, sizeof(out->qname));
	out->qtype = r->qtype;
	out->at_ms = now_mono_ms();
	out->fell_back = r->fell_back;
	if (e->want && e->nres >= e->want)
		phase_end(e);
}

static void on_safety(void *ctx)
{
	struct env *e = ctx;

	e->timed_out = true;
	loop_quit(e->loop, 1);
}

static void on_wait(void *ctx)
{
	phase_end(ctx);
}

static struct env *env_new(void)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->loop = loop_new();
	assert_non_null(e->loop);
	e->safety = loop_timer_new(e->loop, on_safety, e);
	e->wait = loop_timer_new(e->loop, on_wait, e);
	return e;
}

static struct fake *env_fake(struct env *e, size_t i, enum how how, const char *addr,
			     bool with_tcp)
{
	e->srv[i] = fake_new(e->loop, how, addr, with_tcp);
	return e->srv[i];
}

/* Configure (conf-file text, "no-resolv" added) and start the forwarder. */
static void env_start(struct env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void env_start(struct env *e, const char *fmt, ...)
{
	char text[2048];
	struct error err;
	va_list ap;
	int n = snprintf(text, sizeof(text), "no-resolv\n");

	va_start(ap, fmt);
	vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
	va_end(ap);
	config_init(&e->cfg);
	e->have_cfg = true;
	if (config_parse_text(&e->cfg, text, strlen(text), "test.conf", &err) < 0)
		fail_msg("config: %s", err.msg);
	e->f = dns_forward_new(&e->cfg, e->loop, on_done, e);
}

static void env_free(struct env *e)
{
	dns_forward_log_stats(e->f);
	dns_forward_free(e->f);
	for (size_t i = 0; i < ARRAY_SIZE(e->srv); i++)
		fake_free(e->srv[i]);
	loop_timer_free(e->safety);
	loop_timer_free(e->wait);
	loop_free(e->loop);
	if (e->have_cfg)
		config_free(&e->cfg);
	free(e);
}

/* Ask; the exchange must be under way. */
static void ask(struct env *e, const char *qname, uint16_t qtype, void *token)
{
	int rc = dns_forward_query(e->f, qname, qtype, DNS_C_IN, token);

	if (rc != 0)
		fail_msg("dns_forward_query(%s) = %d, not under way", qname, rc);
}

/* Run phases until the last one ends (want results, then next ...). */
static void env_run(struct env *e, size_t want, phase_fn next)
{
	e->want = want;
	e->next = next;
	e->timed_out = false;
	loop_timer_arm(e->safety, now_mono_ms() + SAFETY_MS);
	loop_run(e->loop);
	loop_timer_disarm(e->safety);
	assert_false(e->timed_out);
}

/* End the current phase after ms (when it waits for no result). */
static void phase_wait(struct env *e, int ms, phase_fn next)
{
	e->next = next;
	loop_timer_arm(e->wait, now_mono_ms() + (uint64_t)ms);
}

/* The first A record of a reply's answer section ("" if none), and the answer count. */
static unsigned reply_a(const struct result *r, char *addr, size_t addrlen)
{
	struct dns_reader rd;
	struct dns_rr_buf rb;
	unsigned n = 0;

	addr[0] = '\0';
	assert_true(r->has_reply);
	assert_int_equal(dns_reader_init(&rd, r->reply, r->len), 0);
	while (dns_reader_next(&rd, &rb) == 1 && rb.section == DNS_SEC_ANSWER) {
		n++;
		if (rb.rr.type == DNS_T_A && !addr[0] && rb.rr.rdlen == 4)
			inet_ntop(AF_INET, rb.rr.rdata, addr, (socklen_t)addrlen);
	}
	return n;
}

static void assert_answer(const struct result *r, const char *qname, const char *addr)
{
	char got[INET_ADDRSTRLEN];
	struct dns_reader rd;

	assert_int_equal(r->rcode, DNS_R_NOERROR);
	assert_true(r->has_reply);
	assert_string_equal(r->qname, qname);
	assert_int_equal(dns_reader_init(&rd, r->reply, r->len), 0);
	assert_true(dns_name_equal(rd.qname, qname));
	assert_int_equal(rd.flags & DNS_F_RCODE_MASK, DNS_R_NOERROR);
	assert_true(reply_a(r, got, sizeof(got)) >= 1);
	assert_string_equal(got, addr);
}

/* Queries (probes aside) the server received, read to the end. */
static size_t seen(struct fake *s)
{
	fake_drain(s);
	return s->nseen;
}

static int tok[8];
#define TOK(i) ((void *)&tok[i])

/* ---- routing ---------------------------------------------------------- */

static void test_route_domain_server(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);

	(void)state;
	env_start(e, "server=127.0.0.1#%u\nserver=/corp.test/127.0.0.1#%u\n", a->port, b->port);
	ask(e, "host.corp.test", DNS_T_A, TOK(0));
	ask(e, "other.example", DNS_T_A, TOK(1));
	ask(e, "corp.test", DNS_T_A, TOK(2));        /* the domain itself */
	ask(e, "notcorp.test", DNS_T_A, TOK(3));     /* a suffix but not a label */
	env_run(e, 4, NULL);
	for (size_t i = 0; i < e->nres; i++) {
		const struct result *r = &e->res[i];
		bool corp = strcmp(r->qname, "host.corp.test") == 0 ||
			    strcmp(r->qname, "corp.test") == 0;

		assert_answer(r, r->qname, corp ? "10.0.0.2" : "10.0.0.1");
		assert_int_equal(r->ntokens, 1);
	}
	assert_int_equal(seen(a), 2);
	assert_int_equal(seen(b), 2);
	for (size_t i = 0; i < 2; i++) {
		assert_true(strcmp(a->seen[i].qname, "other.example") == 0 ||
			    strcmp(a->seen[i].qname, "notcorp.test") == 0);
		assert_true(strcmp(b->seen[i].qname, "host.corp.test") == 0 ||
			    strcmp(b->seen[i].qname, "corp.test") == 0);
	}
	/* Each server got its own loop probe. */
	assert_int_equal(a->probes, 1);
	assert_int_equal(b->probes, 1);
	env_free(e);
}

/*
 * dnsmasq's special domains: "/#/" is a default server; "//" routes
 * single-label names, and only them.
 */
static void test_route_hash_and_empty_domains(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);

	(void)state;
	env_start(e, "server=/#/127.0.0.1#%u\nserver=//127.0.0.1#%u\n", a->port, b->port);
	ask(e, "www.example", DNS_T_A, TOK(0));
	ask(e, "web", DNS_T_A, TOK(1));
	env_run(e, 2, NULL);
	for (size_t i = 0; i < 2; i++)
		assert_answer(&e->res[i], e->res[i].qname,
			      strcmp(e->res[i].qname, "web") == 0 ? "10.0.0.2" : "10.0.0.1");
	assert_int_equal(seen(a), 1);
	assert_string_equal(a->seen[0].qname, "www.example");
	assert_int_equal(seen(b), 1);
	assert_string_equal(b->seen[0].qname, "web");
	env_free(e);
}

/* /b.corp.test/ beats /corp.test/ whatever the order they were given in. */
static void test_route_longest_suffix(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		struct env *e = env_new();
		struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
		struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);
		struct fake *c = env_fake(e, 2, H_ANSWER, "10.0.0.3", false);

		if (order == 0)
			env_start(e, "server=127.0.0.1#%u\nserver=/corp.test/127.0.0.1#%u\n"
				  "server=/b.corp.test/127.0.0.1#%u\n", a->port, b->port, c->port);
		else
			env_start(e, "server=/b.corp.test/127.0.0.1#%u\n"
				  "server=/corp.test/127.0.0.1#%u\nserver=127.0.0.1#%u\n",
				  c->port, b->port, a->port);
		ask(e, "a.b.corp.test", DNS_T_A, TOK(0));
		ask(e, "x.corp.test", DNS_T_A, TOK(1));
		env_run(e, 2, NULL);
		for (size_t i = 0; i < 2; i++) {
			const struct result *r = &e->res[i];

			if (strcmp(r->qname, "a.b.corp.test") == 0)
				assert_answer(r, "a.b.corp.test", "10.0.0.3");
			else
				assert_answer(r, "x.corp.test", "10.0.0.2");
		}
		assert_int_equal(seen(a), 0);
		assert_int_equal(seen(b), 1);
		assert_string_equal(b->seen[0].qname, "x.corp.test");
		assert_int_equal(seen(c), 1);
		assert_string_equal(c->seen[0].qname, "a.b.corp.test");
		env_free(e);
	}
}

static void test_route_no_server_refused(void **state)
{
	struct env *e = env_new();
	struct fake *b = env_fake(e, 0, H_ANSWER, "10.0.0.2", false);

	(void)state;
	/* Only a domain server: other names have nowhere to go. */
	env_start(e, "server=/corp.test/127.0.0.1#%u\n", b->port);
	assert_int_equal(dns_forward_query(e->f, "other.example", DNS_T_A, DNS_C_IN, TOK(0)),
			 DNS_R_REFUSED);
	assert_int_equal(e->nres, 0);
	env_free(e);

	/* No server at all. */
	e = env_new();
	env_start(e, "%s", "");
	assert_int_equal(dns_forward_query(e->f, "other.example", DNS_T_A, DNS_C_IN, TOK(0)),
			 DNS_R_REFUSED);
	/* A --server=/domain/ with no address answers locally: never forwarded. */
	env_free(e);
	e = env_new();
	env_start(e, "server=/corp.test/\n");
	assert_int_equal(dns_forward_query(e->f, "h.corp.test", DNS_T_A, DNS_C_IN, TOK(0)),
			 DNS_R_REFUSED);
	assert_int_equal(e->nres, 0);
	env_free(e);
}

/* A server at leased's own address and port would be a loop: never used. */
static void test_own_address_ignored(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);

	(void)state;
	env_start(e, "port=%u\nserver=127.0.0.1#%u\n", a->port, a->port);
	assert_int_equal(dns_forward_query(e->f, "h.example", DNS_T_A, DNS_C_IN, TOK(0)),
			 DNS_R_REFUSED);
	assert_int_equal(seen(a), 0);
	assert_int_equal(a->probes, 0);
	env_free(e);

	e = env_new();
	a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	env_start(e, "listen-address=127.0.0.1\nport=%u\nserver=127.0.0.1#%u\n", a->port,
		  a->port);
	assert_int_equal(dns_forward_query(e->f, "h.example", DNS_T_A, DNS_C_IN, TOK(0)),
			 DNS_R_REFUSED);
	assert_int_equal(a->probes + seen(a), 0);
	env_free(e);
}

/* ---- strict order and failover ---------------------------------------- */

/* A (first) behaves as told, B answers; returns the env after one query. */
static struct env *two_servers(enum how first, const char *qname)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, first, "10.0.0.1", false);
	struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);

	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", a->port,
		  b->port);
	e->t0 = now_mono_ms();
	ask(e, qname, DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_int_equal(e->nres, 1);
	assert_int_equal(e->res[0].ntokens, 1);
	assert_ptr_equal(e->res[0].tokens[0], TOK(0));
	return e;
}

static void test_strict_servfail_asks_next(void **state)
{
	struct env *e = two_servers(H_SERVFAIL, "sf.example");

	(void)state;
	assert_answer(&e->res[0], "sf.example", "10.0.0.2");
	assert_int_equal(seen(e->srv[0]), 1);
	assert_int_equal(seen(e->srv[1]), 1);
	/* At once, not after a timeout. */
	assert_true(e->res[0].at_ms - e->t0 < DNS_FORWARD_TRY_MS / 2);
	env_free(e);
}

static void test_strict_refused_asks_next(void **state)
{
	struct env *e = two_servers(H_REFUSED, "ref.example");

	(void)state;
	assert_answer(&e->res[0], "ref.example", "10.0.0.2");
	assert_int_equal(seen(e->srv[0]), 1);
	assert_int_equal(seen(e->srv[1]), 1);
	env_free(e);
}

static void test_strict_nxdomain_is_final(void **state)
{
	struct env *e = two_servers(H_NXDOMAIN, "nx.example");
	struct dns_reader rd;
	struct dns_rr_buf rb;

	(void)state;
	assert_int_equal(e->res[0].rcode, DNS_R_NXDOMAIN);
	assert_true(e->res[0].has_reply);
	/* The whole reply, with its SOA for negative caching. */
	assert_int_equal(dns_reader_init(&rd, e->res[0].reply, e->res[0].len), 0);
	assert_int_equal(rd.flags & DNS_F_RCODE_MASK, DNS_R_NXDOMAIN);
	assert_int_equal(dns_reader_next(&rd, &rb), 1);
	assert_int_equal(rb.section, DNS_SEC_AUTHORITY);
	assert_int_equal(rb.rr.type, DNS_T_SOA);
	assert_int_equal(seen(e->srv[0]), 1);
	assert_int_equal(seen(e->srv[1]), 0);
	env_free(e);
}

static void after_silent(struct env *e)
{
	/* A timed out (twice, with its probe): it goes last now. */
	e->mark_ms = e->t0;
	e->t0 = now_mono_ms();
	ask(e, "second.example", DNS_T_A, TOK(1));
	e->want = 2;
}

static void test_strict_silent_asks_next_after_timeout(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_SILENT, NULL, false);
	struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);
	uint64_t took;

	(void)state;
	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", a->port,
		  b->port);
	e->t0 = now_mono_ms();
	ask(e, "slow.example", DNS_T_A, TOK(0));
	env_run(e, 1, after_silent);
	assert_int_equal(e->nres, 2);
	assert_answer(&e->res[0], "slow.example", "10.0.0.2");
	/* B was asked after the try timeout, well before the deadline. */
	took = e->res[0].at_ms - e->mark_ms;
	assert_true(took >= DNS_FORWARD_TRY_MS - 50);
	assert_true(took < DNS_FORWARD_DEADLINE_MS);
	/* B answered in A's place: a negative from it would not be cached. */
	assert_true(e->res[0].fell_back);
	/*
	 * One missed query does not make A down (it has not been silent for
	 * DNS_UPSTREAM_DOWN_SILENCE_MS): strict order asks it first again.
	 */
	assert_answer(&e->res[1], "second.example", "10.0.0.2");
	assert_true(e->res[1].at_ms - e->t0 >= DNS_FORWARD_TRY_MS - 50);
	assert_int_equal(seen(a), 2);
	assert_string_equal(a->seen[0].qname, "slow.example");
	assert_string_equal(a->seen[1].qname, "second.example");
	assert_int_equal(seen(b), 2);
	assert_string_equal(b->seen[0].qname, "slow.example");
	env_free(e);
}

/* A is down and resting now: B is asked first, no timeout. */
static void ask_while_resting(struct env *e)
{
	e->t0 = now_mono_ms();
	ask(e, "d4.example", DNS_T_A, TOK(3));
	e->want = 4;
}

/* Silent for longer than DNS_UPSTREAM_DOWN_SILENCE_MS: A is down but due a try. */
static void ask_after_silence(struct env *e)
{
	e->mark_ms = now_mono_ms();
	ask(e, "d3.example", DNS_T_A, TOK(2));
	e->want = 3;
	e->next = ask_while_resting;
}

static void wait_silence(struct env *e)
{
	phase_wait(e, DNS_UPSTREAM_DOWN_SILENCE_MS + 200 - DNS_FORWARD_TRY_MS,
		   ask_after_silence);
}

/*
 * A server that has answered nothing for DNS_UPSTREAM_DOWN_SILENCE_MS is
 * down: it is asked once more when its retry time comes (d3), and after
 * that failed try it rests, going after the others, so no client waits
 * on it (d4).  When it will be asked again is test_dns_upstream's part.
 */
static void test_down_server_rests(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_DROP, NULL, false);
	struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);

	(void)state;
	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", a->port,
		  b->port);
	ask(e, "d1.example", DNS_T_A, TOK(0));
	ask(e, "d2.example", DNS_T_A, TOK(1));
	env_run(e, 2, wait_silence);
	assert_int_equal(e->nres, 4);
	for (size_t i = 0; i < 4; i++)
		assert_answer(&e->res[i], e->res[i].qname, "10.0.0.2");
	assert_string_equal(e->res[2].qname, "d3.example");
	assert_string_equal(e->res[3].qname, "d4.example");
	/* d3: A was asked first (its one try), B after A's try timeout. */
	assert_int_equal(seen(a), 3);
	assert_string_equal(a->seen[2].qname, "d3.example");
	assert_true(e->res[2].at_ms - e->mark_ms >= DNS_FORWARD_TRY_MS - 50);
	/* d4 while A rests: straight to B. */
	assert_true(e->res[3].at_ms - e->t0 < DNS_FORWARD_TRY_MS / 2);
	assert_int_equal(seen(b), 4);
	env_free(e);
}

/* Nothing listens on A's port: the refusal moves on at once. */
static void test_unreachable_port_asks_next_at_once(void **state)
{
	struct env *e = env_new();
	struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);
	uint16_t dead = closed_port();

	(void)state;
	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", dead, b->port);
	e->t0 = now_mono_ms();
	ask(e, "refused-port.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "refused-port.example", "10.0.0.2");
	assert_true(e->res[0].at_ms - e->t0 < DNS_FORWARD_TRY_MS / 2);
	env_free(e);
}

static void test_all_servfail(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_SERVFAIL, NULL, false);
	struct fake *b = env_fake(e, 1, H_SERVFAIL, NULL, false);

	(void)state;
	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", a->port,
		  b->port);
	e->t0 = now_mono_ms();
	ask(e, "broken.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_int_equal(e->res[0].rcode, DNS_R_SERVFAIL);
	assert_false(e->res[0].has_reply);
	assert_int_equal(e->res[0].ntokens, 1);
	assert_int_equal(seen(a), 1);
	assert_int_equal(seen(b), 1);
	/* Both said so at once: no waiting for the deadline. */
	assert_true(e->res[0].at_ms - e->t0 < DNS_FORWARD_TRY_MS / 2);
	env_free(e);
}

/* REFUSED from the last server is not passed on either. */
static void test_all_refused(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_REFUSED, NULL, false);

	(void)state;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	ask(e, "no.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_int_equal(e->res[0].rcode, DNS_R_SERVFAIL);
	assert_false(e->res[0].has_reply);
	env_free(e);
}

static void after_dead(struct env *e)
{
	e->mark_ms = now_mono_ms();
	ask(e, "again.example", DNS_T_A, TOK(1));
	e->want = 2;
}

/*
 * A server that answers nothing: SERVFAIL at the deadline, after retries.
 * The next query is still sent to it (the only server): a client never
 * gets SERVFAIL without an upstream having been asked.
 */
static void test_dead_server(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_SILENT, NULL, false);
	uint64_t took;
	size_t before;

	(void)state;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	e->t0 = now_mono_ms();
	ask(e, "dead.example", DNS_T_A, TOK(0));
	env_run(e, 1, after_dead);
	took = e->res[0].at_ms - e->t0;
	assert_int_equal(e->res[0].rcode, DNS_R_SERVFAIL);
	assert_false(e->res[0].has_reply);
	assert_ptr_equal(e->res[0].tokens[0], TOK(0));
	assert_true(took >= DNS_FORWARD_DEADLINE_MS - 50);
	assert_true(took < 3000);
	assert_int_equal(e->nres, 2);
	assert_int_equal(e->res[1].rcode, DNS_R_SERVFAIL);
	assert_true(e->res[1].at_ms - e->mark_ms >= DNS_FORWARD_DEADLINE_MS - 50);
	/* Retried while the deadline allowed, and asked again for the second name. */
	before = 0;
	for (size_t i = 0; i < seen(a); i++)
		before += strcmp(a->seen[i].qname, "dead.example") == 0;
	assert_true(before >= 2);
	assert_true(seen(a) > before);
	assert_string_equal(a->seen[before].qname, "again.example");
	env_free(e);
}

/* ---- single-label names and fallbacks ---------------------------------- */

/* Three servers: a docker-like one that knows single labels, 50 ms late; two fast public ones. */
static struct env *docker_and_public(const char *opts, enum how docker_how)
{
	struct env *e = env_new();
	struct fake *d = env_fake(e, 0, docker_how, "172.18.0.5", false);

	env_fake(e, 1, H_NXDOMAIN, NULL, false);
	env_fake(e, 2, H_NXDOMAIN, NULL, false);
	d->delay_ms = 50;
	env_start(e, "%sserver=127.0.0.1#%u\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", opts,
		  d->port, e->srv[1]->port, e->srv[2]->port);
	return e;
}

/*
 * Without --strict-order a single label goes to every server at once and
 * an answer beats the fast servers' NXDOMAIN; a dotted name goes to one.
 */
static void test_single_label_asked_of_all(void **state)
{
	struct env *e = docker_and_public("", H_ANSWER);

	(void)state;
	e->t0 = now_mono_ms();
	ask(e, "web", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "web", "172.18.0.5");
	assert_true(e->res[0].at_ms - e->t0 >= 40);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(seen(e->srv[i]), 1);
	ask(e, "www.example", DNS_T_A, TOK(1));
	env_run(e, 1, NULL);
	assert_int_equal(seen(e->srv[0]) + seen(e->srv[1]) + seen(e->srv[2]), 4);
	env_free(e);
}

/* Every server says NXDOMAIN: the answer once all have, cacheable. */
static void test_single_label_all_negative(void **state)
{
	struct env *e = docker_and_public("", H_NXDOMAIN);

	(void)state;
	e->t0 = now_mono_ms();
	ask(e, "nothere", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_int_equal(e->res[0].rcode, DNS_R_NXDOMAIN);
	assert_true(e->res[0].has_reply);
	assert_true(e->res[0].at_ms - e->t0 >= 40); /* waited for the slow one */
	assert_false(e->res[0].fell_back);
	env_free(e);
}

/* One server silent: the others' NXDOMAIN after a try, not to be cached. */
static void test_single_label_one_silent(void **state)
{
	struct env *e = docker_and_public("", H_DROP);

	(void)state;
	e->t0 = now_mono_ms();
	ask(e, "web", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_int_equal(e->res[0].rcode, DNS_R_NXDOMAIN);
	assert_true(e->res[0].at_ms - e->t0 >= DNS_FORWARD_TRY_MS - 50);
	assert_true(e->res[0].at_ms - e->t0 < DNS_FORWARD_DEADLINE_MS);
	assert_true(e->res[0].fell_back);
	env_free(e);
}

/* --strict-order: in the configured order; the first server that answers ends the walk. */
static void test_single_label_strict_order(void **state)
{
	struct env *e = docker_and_public("strict-order\n", H_ANSWER);

	(void)state;
	ask(e, "web", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "web", "172.18.0.5");
	assert_false(e->res[0].fell_back);
	assert_int_equal(seen(e->srv[0]), 1);
	assert_int_equal(seen(e->srv[1]) + seen(e->srv[2]), 0);
	env_free(e);
}

/*
 * The preferred server misses one query: the next server's NXDOMAIN is
 * passed on marked as a fallback (dns_service does not cache it), and
 * the next query asks the preferred server again, which answers.
 */
static void ask_svc_again(struct env *e)
{
	ask(e, "svc.example", DNS_T_A, TOK(1));
	e->want = 2;
}

static void test_fallback_negative_marked(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	struct fake *b = env_fake(e, 1, H_NXDOMAIN, NULL, false);

	(void)state;
	a->miss = 1;
	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", a->port,
		  b->port);
	ask(e, "svc.example", DNS_T_A, TOK(0));
	env_run(e, 1, ask_svc_again);
	assert_int_equal(e->res[0].rcode, DNS_R_NXDOMAIN);
	assert_true(e->res[0].fell_back);
	assert_answer(&e->res[1], "svc.example", "10.0.0.1");
	assert_false(e->res[1].fell_back);
	assert_int_equal(seen(a), 2);
	assert_int_equal(seen(b), 1);
	env_free(e);
}

/*
 * A server that never answers one name still answers the others at once:
 * unanswered AAAA queries for one name do not make it down.
 */
static void ask_others(struct env *e)
{
	e->t0 = now_mono_ms();
	ask(e, "ok1.example", DNS_T_A, TOK(2));
	ask(e, "ok2.example", DNS_T_AAAA, TOK(3));
	e->want = 4;
}

static void test_one_name_dropped_others_fast(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);

	(void)state;
	a->drop_name = "broken.example";
	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", a->port,
		  b->port);
	b->drop_name = "broken.example";
	ask(e, "broken.example", DNS_T_AAAA, TOK(0));
	ask(e, "broken.example", DNS_T_A, TOK(1));
	env_run(e, 2, ask_others);
	assert_int_equal(e->res[0].rcode, DNS_R_SERVFAIL);
	assert_int_equal(e->res[1].rcode, DNS_R_SERVFAIL);
	assert_int_equal(e->nres, 4);
	for (size_t i = 2; i < 4; i++) {
		assert_int_equal(e->res[i].rcode, DNS_R_NOERROR);
		assert_true(e->res[i].at_ms - e->t0 < DNS_FORWARD_TRY_MS / 2);
	}
	/* Still the first server's: strict order kept A first. */
	assert_answer(&e->res[2], e->res[2].qname, "10.0.0.1");
	env_free(e);
}

/* ---- matching replies ------------------------------------------------- */

static void test_wrong_id_ignored(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_WRONG_ID, "10.0.0.1", false);

	(void)state;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	e->t0 = now_mono_ms();
	ask(e, "id.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "id.example", "10.0.0.1");
	assert_true(e->res[0].at_ms - e->t0 >= LATE_MS - 10);
	assert_int_equal(seen(a), 1);
	env_free(e);
}

static void test_wrong_question_ignored(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_WRONG_QUESTION, "10.0.0.1", false);

	(void)state;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	e->t0 = now_mono_ms();
	ask(e, "q.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "q.example", "10.0.0.1");
	assert_true(e->res[0].at_ms - e->t0 >= LATE_MS - 10);
	env_free(e);
}

/* Each exchange has its own random ID; the query carries EDNS 1232 and RD. */
static void test_query_ids_and_edns(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);

	(void)state;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	ask(e, "one.example", DNS_T_A, TOK(0));
	ask(e, "two.example", DNS_T_AAAA, TOK(1));
	env_run(e, 2, NULL);
	assert_int_equal(seen(a), 2);
	assert_int_not_equal(a->seen[0].id, a->seen[1].id);
	for (size_t i = 0; i < 2; i++) {
		const struct dns_query *q = &a->seen[i];

		assert_true(q->has_edns);
		assert_int_equal(q->edns_size, DNS_EDNS_SIZE);
		assert_int_equal(q->edns_version, 0);
		assert_true(q->flags & DNS_F_RD);
		assert_int_equal(DNS_OPCODE(q->flags), 0);
		assert_int_equal(q->qclass, DNS_C_IN);
	}
	assert_string_equal(a->seen[0].qname, "one.example");
	assert_int_equal(a->seen[0].qtype, DNS_T_A);
	assert_string_equal(a->seen[1].qname, "two.example");
	assert_int_equal(a->seen[1].qtype, DNS_T_AAAA);
	assert_int_equal(e->res[0].qtype, DNS_T_A);
	assert_int_equal(e->res[1].qtype, DNS_T_AAAA);
	env_free(e);
}

/* ---- coalescing and cancelling ---------------------------------------- */

static void test_coalesce_same_question(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	const struct result *both = NULL, *other = NULL;

	(void)state;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	ask(e, "dup.example", DNS_T_A, TOK(0));
	ask(e, "DUP.Example", DNS_T_A, TOK(1));   /* the same question, another case */
	ask(e, "dup.example", DNS_T_AAAA, TOK(2)); /* another question */
	env_run(e, 2, NULL);
	assert_int_equal(seen(a), 2);
	assert_int_equal(a->udp_queries, 2);
	for (size_t i = 0; i < e->nres; i++) {
		if (e->res[i].qtype == DNS_T_A)
			both = &e->res[i];
		else
			other = &e->res[i];
	}
	assert_non_null(both);
	assert_non_null(other);
	assert_int_equal(both->ntokens, 2);
	assert_true((both->tokens[0] == TOK(0) && both->tokens[1] == TOK(1)) ||
		    (both->tokens[0] == TOK(1) && both->tokens[1] == TOK(0)));
	assert_answer(both, "dup.example", "10.0.0.1");
	assert_int_equal(other->ntokens, 1);
	assert_ptr_equal(other->tokens[0], TOK(2));
	env_free(e);
}

static void test_cancel_one_token(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);

	(void)state;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	ask(e, "c.example", DNS_T_A, TOK(0));
	ask(e, "c.example", DNS_T_A, TOK(1));
	ask(e, "c.example", DNS_T_A, TOK(2));
	dns_forward_cancel(e->f, TOK(0));
	dns_forward_cancel(e->f, TOK(5)); /* unknown: nothing */
	env_run(e, 1, NULL);
	assert_int_equal(e->res[0].ntokens, 2);
	for (size_t i = 0; i < 2; i++)
		assert_true(e->res[0].tokens[i] == TOK(1) || e->res[0].tokens[i] == TOK(2));
	assert_ptr_not_equal(e->res[0].tokens[0], e->res[0].tokens[1]);
	assert_int_equal(seen(a), 1);
	env_free(e);
}

static void ask_gone_again(struct env *e)
{
	/* Nobody was told about the first exchange; it is over all the same. */
	assert_int_equal(e->nres, 0);
	assert_int_equal(e->srv[0]->nseen, 1);
	ask(e, "gone.example", DNS_T_A, TOK(1));
	e->want = 1;
}

static void test_cancel_every_token(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);

	(void)state;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	ask(e, "gone.example", DNS_T_A, TOK(0));
	dns_forward_cancel(e->f, TOK(0));
	phase_wait(e, 200, ask_gone_again);
	env_run(e, 0, ask_gone_again);
	assert_int_equal(e->nres, 1);
	assert_int_equal(e->res[0].ntokens, 1);
	assert_ptr_equal(e->res[0].tokens[0], TOK(1));
	assert_int_equal(seen(a), 2);
	env_free(e);
}

/* ---- TC: again over TCP ----------------------------------------------- */

static void test_tc_retries_over_tcp(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_TC, "10.0.0.1", true);
	struct dns_reader rd;
	char addr[INET_ADDRSTRLEN];

	(void)state;
	a->addrs[1] = "10.0.0.11";
	a->addrs[2] = "10.0.0.12";
	a->naddrs = 3;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	ask(e, "big.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "big.example", "10.0.0.1");
	assert_int_equal(dns_reader_init(&rd, e->res[0].reply, e->res[0].len), 0);
	assert_false(rd.flags & DNS_F_TC);
	assert_int_equal(reply_a(&e->res[0], addr, sizeof(addr)), 3);
	assert_int_equal(a->udp_queries, 1);
	assert_int_equal(a->tcp_queries, 1);
	/* The TCP query is a new exchange with its own ID. */
	assert_int_equal(seen(a), 2);
	assert_int_equal(rd.id, a->seen[1].id);
	env_free(e);
}

/* The first server fails over TCP; the second is asked, over TCP too. */
static void test_tc_then_next_server_over_tcp(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_TC_SERVFAIL, NULL, true);
	struct fake *b = env_fake(e, 1, H_TC, "10.0.0.2", true);
	struct dns_reader rd;

	(void)state;
	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", a->port,
		  b->port);
	ask(e, "big2.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "big2.example", "10.0.0.2");
	assert_int_equal(dns_reader_init(&rd, e->res[0].reply, e->res[0].len), 0);
	assert_false(rd.flags & DNS_F_TC);
	assert_int_equal(a->udp_queries, 1);
	assert_int_equal(a->tcp_queries, 1);
	assert_int_equal(b->udp_queries, 1);
	assert_int_equal(b->tcp_queries, 1);
	env_free(e);
}

/* ---- loop probes ------------------------------------------------------ */

static void test_loop_probes(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);
	char upper[DNS_NAME_STR];

	(void)state;
	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", a->port,
		  b->port);
	/* The probes went out with dns_forward_new. */
	fake_drain(a);
	fake_drain(b);
	assert_int_equal(a->probes, 1);
	assert_int_equal(b->probes, 1);
	assert_true(str_has_prefix(a->probe_names[0], PROBE_PREFIX));
	assert_true(str_has_prefix(b->probe_names[0], PROBE_PREFIX));
	assert_string_not_equal(a->probe_names[0], b->probe_names[0]);
	assert_int_equal(a->nseen + b->nseen, 0);

	assert_false(dns_forward_check_loop(e->f, "www.example"));
	assert_false(dns_forward_check_loop(e->f, "leased-loop-0123456789abcdef.test"));
	assert_false(dns_forward_check_loop(e->f, "x.leased-loop-"));
	/* A's probe came back to us: A forwards to leased. */
	for (size_t i = 0; i <= strlen(a->probe_names[0]); i++)
		upper[i] = (char)toupper((unsigned char)a->probe_names[0][i]);
	assert_true(dns_forward_check_loop(e->f, upper));
	assert_true(dns_forward_check_loop(e->f, a->probe_names[0]));

	ask(e, "after-loop.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "after-loop.example", "10.0.0.2");
	assert_int_equal(seen(a), 0);
	assert_int_equal(seen(b), 1);

	/* B too: no server is left. */
	assert_true(dns_forward_check_loop(e->f, b->probe_names[0]));
	assert_int_equal(dns_forward_query(e->f, "none.example", DNS_T_A, DNS_C_IN, TOK(1)),
			 DNS_R_REFUSED);
	dns_forward_reload(e->f); /* --no-resolv: nothing to reread */
	assert_int_equal(dns_forward_query(e->f, "none.example", DNS_T_A, DNS_C_IN, TOK(1)),
			 DNS_R_REFUSED);
	env_free(e);
}

/* ---- limits and ordering ---------------------------------------------- */

static void test_max_inflight(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_SILENT, NULL, false);
	char name[64];

	(void)state;
	env_start(e, "server=127.0.0.1#%u\n", a->port);
	for (int i = 0; i < DNS_FORWARD_MAX_INFLIGHT; i++) {
		snprintf(name, sizeof(name), "q%d.example", i);
		ask(e, name, DNS_T_A, TOK(0));
	}
	assert_int_equal(dns_forward_query(e->f, "one-too-many.example", DNS_T_A, DNS_C_IN,
					   TOK(1)), DNS_R_SERVFAIL);
	/* A question already out still joins its exchange ... */
	assert_int_equal(dns_forward_query(e->f, "q7.example", DNS_T_A, DNS_C_IN, TOK(2)), 0);
	/* ... up to DNS_FORWARD_MAX_WAITERS clients. */
	for (int i = 2; i < DNS_FORWARD_MAX_WAITERS; i++)
		assert_int_equal(dns_forward_query(e->f, "q7.example", DNS_T_A, DNS_C_IN, TOK(2)), 0);
	assert_int_equal(dns_forward_query(e->f, "q7.example", DNS_T_A, DNS_C_IN, TOK(3)),
			 DNS_R_SERVFAIL);
	assert_int_equal(e->nres, 0);
	env_free(e);
}

static void ask_fast(struct env *e)
{
	e->t0 = now_mono_ms();
	ask(e, "fast.example", DNS_T_A, TOK(0));
	e->want = 1;
}

/* Without --strict-order the server with the lowest RTT goes first. */
static void test_fastest_first(void **state)
{
	(void)state;
	for (int strict = 0; strict < 2; strict++) {
		struct env *e = env_new();
		struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
		struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);

		a->delay_ms = 150;
		env_start(e, "%sserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n",
			  strict ? "strict-order\n" : "", a->port, b->port);
		/* Let the loop probes measure both. */
		phase_wait(e, 250, ask_fast);
		env_run(e, 0, ask_fast);
		if (strict) {
			assert_answer(&e->res[0], "fast.example", "10.0.0.1");
			assert_int_equal(seen(a), 1);
			assert_int_equal(seen(b), 0);
		} else {
			assert_answer(&e->res[0], "fast.example", "10.0.0.2");
			assert_true(e->res[0].at_ms - e->t0 < 100);
			assert_int_equal(seen(a), 0);
			assert_int_equal(seen(b), 1);
		}
		env_free(e);
	}
}

/*
 * A slow first server (answering after the try timeout, as a recursive
 * resolver does for a cold name) while the second is silent: its late
 * answer is still taken, not dropped because the second was asked.
 */
static void test_late_answer_still_taken(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	struct fake *b = env_fake(e, 1, H_DROP, NULL, false);
	uint64_t took;

	(void)state;
	a->delay_ms = DNS_FORWARD_TRY_MS + 300;
	env_start(e, "strict-order\nserver=127.0.0.1#%u\nserver=127.0.0.1#%u\n", a->port,
		  b->port);
	e->t0 = now_mono_ms();
	ask(e, "cold.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "cold.example", "10.0.0.1");
	took = e->res[0].at_ms - e->t0;
	assert_true(took >= DNS_FORWARD_TRY_MS + 250);
	assert_true(took < DNS_FORWARD_DEADLINE_MS);
	assert_int_equal(seen(b), 1); /* B was asked meanwhile */
	env_free(e);
}

/* ---- CNAME into another route ----------------------------------------- */

static void test_cname_into_other_route(void **state)
{
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_CNAME, NULL, false);
	struct fake *b = env_fake(e, 1, H_ANSWER, "10.0.0.2", false);
	struct dns_reader rd;
	struct dns_rr_buf rb;
	char addr[INET_ADDRSTRLEN];

	(void)state;
	a->cname_target = "host.corp.test";
	env_start(e, "server=127.0.0.1#%u\nserver=/corp.test/127.0.0.1#%u\n", a->port, b->port);
	ask(e, "www.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_int_equal(e->nres, 1);
	assert_int_equal(e->res[0].rcode, DNS_R_NOERROR);
	assert_int_equal(dns_reader_init(&rd, e->res[0].reply, e->res[0].len), 0);
	assert_string_equal(rd.qname, "www.example");
	assert_int_equal(dns_reader_next(&rd, &rb), 1);
	assert_int_equal(rb.rr.type, DNS_T_CNAME);
	assert_string_equal(rb.owner, "www.example");
	assert_int_equal(dns_reader_next(&rd, &rb), 1);
	assert_int_equal(rb.rr.type, DNS_T_A);
	assert_string_equal(rb.owner, "host.corp.test");
	assert_int_equal(reply_a(&e->res[0], addr, sizeof(addr)), 2);
	assert_string_equal(addr, "10.0.0.2");
	assert_int_equal(seen(a), 1);
	assert_int_equal(seen(b), 1);
	assert_string_equal(b->seen[0].qname, "host.corp.test");
	env_free(e);
}

/* ---- the resolv file -------------------------------------------------- */

static void test_resolv_file_without_usable_server(void **state)
{
	const char *path = write_file("resolv.conf",
				      "# generated\nsearch example\noptions ndots:2\n"
				      "nameserver not-an-address\nnameserver\n");
	struct env *e = env_new();
	struct fake *a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	struct error err;
	char text[512];

	(void)state;
	/* Not through env_start: this one reads its resolv file. */
	snprintf(text, sizeof(text), "resolv-file=%s\nserver=127.0.0.1#%u\n", path, a->port);
	config_init(&e->cfg);
	e->have_cfg = true;
	if (config_parse_text(&e->cfg, text, strlen(text), "test.conf", &err) < 0)
		fail_msg("config: %s", err.msg);
	e->f = dns_forward_new(&e->cfg, e->loop, on_done, e);
	assert_non_null(e->f);
	/* Rewritten with nothing usable either: the watch rereads it. */
	write_file("resolv.conf", "domain example\n");
	dns_forward_reload(e->f);
	ask(e, "h.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "h.example", "10.0.0.1");
	assert_int_equal(seen(a), 1);
	env_free(e);

	/* A resolv file that does not exist: warned about, -S servers still work. */
	e = env_new();
	a = env_fake(e, 0, H_ANSWER, "10.0.0.1", false);
	snprintf(text, sizeof(text), "resolv-file=%s/missing/resolv.conf\nserver=127.0.0.1#%u\n",
		 test_dir, a->port);
	config_init(&e->cfg);
	e->have_cfg = true;
	if (config_parse_text(&e->cfg, text, strlen(text), "test.conf", &err) < 0)
		fail_msg("config: %s", err.msg);
	e->f = dns_forward_new(&e->cfg, e->loop, on_done, e);
	assert_non_null(e->f);
	ask(e, "h.example", DNS_T_A, TOK(0));
	env_run(e, 1, NULL);
	assert_answer(&e->res[0], "h.example", "10.0.0.1");
	env_free(e);
}

/* ---- resolvconf_parse ------------------------------------------------- */

static void assert_v4(const struct sockaddr_storage *ss, const char *addr)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	char got[INET_ADDRSTRLEN];

	assert_int_equal(ss->ss_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 53);
	assert_non_null(inet_ntop(AF_INET, &sin->sin_addr, got, sizeof(got)));
	assert_string_equal(got, addr);
}

static void assert_v6(const struct sockaddr_storage *ss, const char *addr)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	char got[INET6_ADDRSTRLEN];

	assert_int_equal(ss->ss_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 53);
	assert_non_null(inet_ntop(AF_INET6, &sin6->sin6_addr, got, sizeof(got)));
	assert_string_equal(got, addr);
}

/* Parse text from an exact-size heap copy, so any over-read is caught. */
static size_t parse_exact(const char *text, size_t len, struct sockaddr_storage *out,
			  size_t max)
{
	char *copy = malloc(len ? len : 1);
	size_t n;

	assert_non_null(copy);
	memcpy(copy, text, len);
	n = resolvconf_parse(copy, len, out, max);
	free(copy);
	return n;
}

static void test_resolvconf_parse(void **state)
{
	static const char text[] =
		"# /etc/resolv.conf\n"
		"; another comment style\n"
		"search example.com lxc\n"
		"nameserver 10.0.0.1\n"
		"nameserver 2001:db8::53\n"
		"nameserver 10.0.0.2 # the second\n"
		"nameserver 10.0.0.3#tight comment\n"
		"\tnameserver\t10.0.0.4\t\n"
		"nameserver 10.0.0.5\r\n"
		"  nameserver   10.0.0.6   extra words\n"
		"nameserver 10.0.0.256\n"
		"nameserver not-an-address\n"
		"nameserver\n"
		"nameserver   \n"
		"nameserver # only a comment\n"
		"#nameserver 10.9.9.9\n"
		"; nameserver 10.9.9.8\n"
		"nameservers 10.9.9.7\n"
		"NAMESERVER 10.9.9.6\n"
		"xnameserver 10.9.9.5\n"
		"nameserver 1.2.3.4.5\n"
		"nameserver fe80::1%lo\n"
		"nameserver fe80::2%no-such-if9\n"
		"nameserver 10.0.0.1%lo\n"
		"nameserver 1234567890123456789012345678901234567890123456789012345678901234567890\n"
		"options edns0\n"
		"\n"
		"nameserver ::1";              /* no newline at the end */
	struct sockaddr_storage out[RESOLVCONF_MAX];
	size_t n;

	(void)state;
	n = parse_exact(text, strlen(text), out, RESOLVCONF_MAX);
	assert_int_equal(n, 9);
	assert_v4(&out[0], "10.0.0.1");
	assert_v6(&out[1], "2001:db8::53");
	assert_v4(&out[2], "10.0.0.2");
	assert_v4(&out[3], "10.0.0.3");
	assert_v4(&out[4], "10.0.0.4");
	assert_v4(&out[5], "10.0.0.5");
	assert_v4(&out[6], "10.0.0.6");
	assert_v6(&out[7], "fe80::1");
	assert_int_not_equal(((struct sockaddr_in6 *)&out[7])->sin6_scope_id, 0);
	assert_v6(&out[8], "::1");

	/* Empty, and nothing but blanks. */
	assert_int_equal(parse_exact("", 0, out, RESOLVCONF_MAX), 0);
	assert_int_equal(parse_exact("\n\n \t\r\n", 6, out, RESOLVCONF_MAX), 0);
	/* Cut in the middle of the word "nameserver" and of an address. */
	assert_int_equal(parse_exact("nameserv", 8, out, RESOLVCONF_MAX), 0);
	assert_int_equal(parse_exact("nameserver 10.0.0", 17, out, RESOLVCONF_MAX), 0);
	assert_int_equal(parse_exact("nameserver 10.0.0.7", 19, out, RESOLVCONF_MAX), 1);
	assert_v4(&out[0], "10.0.0.7");
	assert_int_equal(parse_exact("nameserver ", 11, out, RESOLVCONF_MAX), 0);
	/* The length counts, not a NUL: a NUL inside is just a byte. */
	assert_int_equal(parse_exact("nameserver 10.0.0.8\n\0nameserver 10.0.0.9\n", 41, out,
				     RESOLVCONF_MAX), 1);
	assert_v4(&out[0], "10.0.0.8");
}

static void test_resolvconf_parse_max(void **state)
{
	char text[4096];
	size_t len = 0;
	struct sockaddr_storage out[RESOLVCONF_MAX + 4];

	(void)state;
	for (int i = 0; i < RESOLVCONF_MAX + 4; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "nameserver 10.1.0.%d\n", i + 1);
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(parse_exact(text, len, out, RESOLVCONF_MAX), RESOLVCONF_MAX);
	assert_v4(&out[0], "10.1.0.1");
	assert_v4(&out[RESOLVCONF_MAX - 1], "10.1.0.16");
	/* Nothing written past max. */
	for (size_t i = 0; i < sizeof(out[0]); i++)
		assert_int_equal(((uint8_t *)&out[RESOLVCONF_MAX])[i], 0xa5);
	assert_int_equal(parse_exact(text, len, out, 2), 2);
	assert_v4(&out[1], "10.1.0.2");
	assert_int_equal(parse_exact(text, len, out, 0), 0);
}

static void test_resolvconf_read(void **state)
{
	const char *path = write_file("resolv-read.conf",
				      "nameserver 192.0.2.1\nnameserver 2001:db8::1\n");
	struct sockaddr_storage out[RESOLVCONF_MAX];
	char missing[300];
	size_t n = 99;

	(void)state;
	assert_int_equal(resolvconf_read(path, out, RESOLVCONF_MAX, &n), 0);
	assert_int_equal(n, 2);
	assert_v4(&out[0], "192.0.2.1");
	assert_v6(&out[1], "2001:db8::1");
	snprintf(missing, sizeof(missing), "%s/no-such-file", test_dir);
	errno = 0;
	assert_int_equal(resolvconf_read(missing, out, RESOLVCONF_MAX, &n), -1);
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_domain_server),
		cmocka_unit_test(test_route_hash_and_empty_domains),
		cmocka_unit_test(test_route_longest_suffix),
		cmocka_unit_test(test_route_no_server_refused),
		cmocka_unit_test(test_own_address_ignored),
		cmocka_unit_test(test_strict_servfail_asks_next),
		cmocka_unit_test(test_strict_refused_asks_next),
		cmocka_unit_test(test_strict_nxdomain_is_final),
		cmocka_unit_test(test_strict_silent_asks_next_after_timeout),
		cmocka_unit_test(test_down_server_rests),
		cmocka_unit_test(test_unreachable_port_asks_next_at_once),
		cmocka_unit_test(test_all_servfail),
		cmocka_unit_test(test_all_refused),
		cmocka_unit_test(test_dead_server),
		cmocka_unit_test(test_single_label_asked_of_all),
		cmocka_unit_test(test_single_label_all_negative),
		cmocka_unit_test(test_single_label_one_silent),
		cmocka_unit_test(test_single_label_strict_order),
		cmocka_unit_test(test_fallback_negative_marked),
		cmocka_unit_test(test_one_name_dropped_others_fast),
		cmocka_unit_test(test_wrong_id_ignored),
		cmocka_unit_test(test_wrong_question_ignored),
		cmocka_unit_test(test_query_ids_and_edns),
		cmocka_unit_test(test_coalesce_same_question),
		cmocka_unit_test(test_cancel_one_token),
		cmocka_unit_test(test_cancel_every_token),
		cmocka_unit_test(test_tc_retries_over_tcp),
		cmocka_unit_test(test_tc_then_next_server_over_tcp),
		cmocka_unit_test(test_loop_probes),
		cmocka_unit_test(test_max_inflight),
		cmocka_unit_test(test_fastest_first),
		cmocka_unit_test(test_late_answer_still_taken),
		cmocka_unit_test(test_cname_into_other_route),
		cmocka_unit_test(test_resolv_file_without_usable_server),
		cmocka_unit_test(test_resolvconf_parse),
		cmocka_unit_test(test_resolvconf_parse_max),
		cmocka_unit_test(test_resolvconf_read),
	};

	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_remove);
}
