/*
 * dns_server (dns_service_*) — listeners and the answer order (local,
 * cache, upstream); see include/dns/dns_server.h.
 */
#include "dns/dns_server.h"
#include "dns/dns_cache.h"
#include "dns/dns_forward.h"
#include "dns/dns_wire.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define UDP_BATCH 64
#define UDP_QUERY_MAX 4096
#define MAX_LISTENERS 32
#define MAX_V6_PREFIXES 64
#define CMSG_BUF (CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)))

/* Where a reply goes and which address it leaves from. */
struct return_path {
	int fd;                          /* UDP listener */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int family;                      /* of the destination below */
	struct in_pktinfo pi4;
	struct in6_pktinfo pi6;
	bool has_dest;
};

struct tcp_conn;

/* A client waiting for an upstream answer (the forwarder's token). */
struct waiting {
	struct dns_query q;
	struct return_path rp;           /* UDP */
	struct tcp_conn *conn;           /* TCP, or NULL */
	struct waiting *conn_next;
};

struct tcp_conn {
	struct dns_service *s;
	int fd;
	char peer[INET6_ADDRSTRLEN];
	struct loop_timer *idle;
	uint8_t *in;                     /* 2-byte length + message */
	size_t inlen;
	uint8_t *out;                    /* replies not yet written */
	size_t outlen, outcap;
	uint32_t watching;               /* epoll events asked for */
	struct waiting *waiting;         /* forwarded queries of this connection */
	struct tcp_conn *prev, *next;
};

struct listener {
	int fd;
	bool tcp;
	bool wildcard;                   /* filter by interface */
	struct dns_service *s;
};

struct dns_stats {
	uint64_t queries, local, cached, forwarded, refused, formerr, tcp_queries;
	uint64_t upstream_answered, upstream_failed;
};

struct dns_service {
	struct dns_service_deps d;
	struct dns_cache *cache;
	struct dns_forward *fwd;
	struct listener listeners[MAX_LISTENERS];
	size_t nlisteners;
	struct tcp_conn *conns;
	size_t nconns;
	struct dns_local_result local;   /* scratch for one local answer */
	struct dns_stats stats;
	/* UDP batch buffers, reused for every batch. */
	uint8_t in[UDP_BATCH][UDP_QUERY_MAX];
	uint8_t out[UDP_BATCH][DNS_UDP_REPLY_MAX];
	char cin[UDP_BATCH][CMSG_BUF];
	char cout[UDP_BATCH][CMSG_BUF];
	struct sockaddr_storage peers[UDP_BATCH];
	struct iovec iov_in[UDP_BATCH], iov_out[UDP_BATCH];
	struct mmsghdr msg_in[UDP_BATCH], msg_out[UDP_BATCH];
	struct return_path rps[UDP_BATCH];
	/* --local-service: on by default where nothing says where to listen. */
	bool local_only;
	struct { struct in6_addr addr, mask; } v6[MAX_V6_PREFIXES];
	size_t nv6;
	uint64_t v6_read_ms;
};

/* ---- logging (dnsmasq's -q lines) ---- */

static void format_peer(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	const void *a = ss->ss_family == AF_INET
		? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
		: (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (!inet_ntop(ss->ss_family, a, out, (socklen_t)outlen))
		str_copy(out, "?", outlen);
}

struct reply_to;
static const char *peer_text(const struct reply_to *to, char *buf, size_t len);

static void log_query(const struct dns_query *q, const char *from)
{
	char type[16];

	log_info("query[%s] %s from %s", dns_type_name(q->qtype, type, sizeof(type)),
		 q->qname, from);
}

static const char *nodata_text(uint16_t qtype)
{
	return qtype == DNS_T_A ? "NODATA-IPv4" : qtype == DNS_T_AAAA ? "NODATA-IPv6" : "NODATA";
}

/* "<source> <name> is <value>" for each answer, as dnsmasq logs them. */
static void log_answer(const char *source, const struct dns_query *q, const struct dns_answer *a)
{
	size_t shown = 0;

	if (a->rcode == DNS_R_NXDOMAIN) {
		log_info("%s %s is NXDOMAIN", source, q->qname);
		return;
	}
	if (a->rcode != DNS_R_NOERROR) {
		log_info("%s %s is %s", source, q->qname,
			 a->rcode == DNS_R_REFUSED ? "REFUSED" : "SERVFAIL");
		return;
	}
	for (size_t i = 0; i < a->n[DNS_SEC_ANSWER]; i++) {
		const struct dns_rr *rr = &a->rrs[DNS_SEC_ANSWER][i];
		char text[DNS_NAME_STR];
		size_t n;

		if (rr->type == DNS_T_CNAME)
			str_copy(text, "<CNAME>", sizeof(text));
		else if (rr->type == DNS_T_A || rr->type == DNS_T_AAAA || rr->type == DNS_T_PTR) {
			const char *v = dns_rdata_format(rr, text, sizeof(text));

			if (v != text)
				str_copy(text, v, sizeof(text));
		} else
			continue;
		n = strlen(text);
		if (n > 1 && text[n - 1] == '.')
			text[n - 1] = '\0'; /* dnsmasq logs names without the root dot */
		log_info("%s %s is %s", source, rr->owner, text);
		shown++;
	}
	if (!shown)
		log_info("%s %s is %s", source, q->qname,
			 a->n[DNS_SEC_ANSWER] ? "<records>" : nodata_text(q->qtype));
}

/* ---- sending ---- */

_Static_assert(EDNS_PACKET_MAX <= DNS_UDP_REPLY_MAX, "--edns-packet-max beyond the UDP buffers");

/* The client's size, within --edns-packet-max (q->reply_max) or DNS_UDP_REPLY_MAX. */
static size_t udp_limit(const struct dns_query *q)
{
	size_t ours = q->reply_max ? q->reply_max : DNS_UDP_REPLY_MAX;

	if (!q->has_edns)
		return DNS_UDP_MIN;
	return MIN((size_t)q->edns_size, ours);
}

/* Fill msg to send buf back along rp (source = the address asked). */
static void prepare_udp(struct msghdr *mh, struct iovec *iov, char *cbuf,
			struct return_path *rp, uint8_t *buf, size_t len)
{
	memset(mh, 0, sizeof(*mh));
	iov->iov_base = buf;
	iov->iov_len = len;
	mh->msg_name = &rp->peer;
	mh->msg_namelen = rp->peerlen;
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	if (!rp->has_dest)
		return;
	mh->msg_control = cbuf;
	if (rp->family == AF_INET) {
		struct cmsghdr *c;
		struct in_pktinfo pi = { .ipi_spec_dst = rp->pi4.ipi_addr };

		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		struct cmsghdr *c;

		mh->msg_controllen = CMSG_SPACE(sizeof(rp->pi6));
		c = CMSG_FIRSTHDR(mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(rp->pi6));
		memcpy(CMSG_DATA(c), &rp->pi6, sizeof(rp->pi6));
	}
}

static void send_udp_now(struct return_path *rp, uint8_t *buf, size_t len)
{
	struct msghdr mh;
	struct iovec iov;
	char cbuf[CMSG_BUF];

	prepare_udp(&mh, &iov, cbuf, rp, buf, len);
	if (sendmsg(rp->fd, &mh, MSG_DONTWAIT) < 0)
		log_ratelimited("dns-send", LOG_WARNING, "cannot send DNS reply: %s",
				strerror(errno));
}

static void tcp_close(struct tcp_conn *c);
static void tcp_flush(struct tcp_conn *c);

/* Queue one length-prefixed reply on a connection. */
static void tcp_queue(struct tcp_conn *c, const uint8_t *buf, size_t len)
{
	if (c->outlen + 2 + len > c->outcap) {
		c->outcap = MAX(c->outcap * 2, c->outlen + 2 + len);
		c->out = xrealloc(c->out, c->outcap);
	}
	c->out[c->outlen] = (uint8_t)(len >> 8);
	c->out[c->outlen + 1] = (uint8_t)len;
	memcpy(c->out + c->outlen + 2, buf, len);
	c->outlen += 2 + len;
}

/* ---- answering ---- */

struct reply_to {
	struct dns_service *s;
	struct return_path *rp;   /* UDP: reply into out/outlen */
	uint8_t *out;
	size_t *outlen;
	struct tcp_conn *conn;    /* TCP */
};

/* The client's address as text, made only when a log line needs it. */
static const char *peer_text(const struct reply_to *to, char *buf, size_t len)
{
	if (to->conn)
		return to->conn->peer;
	format_peer(&to->rp->peer, buf, len);
	return buf;
}

static void deliver(struct reply_to *to, const struct dns_query *q, const struct dns_answer *a,
		    int error_rcode, bool question_valid)
{
	uint8_t tcpbuf[DNS_TCP_MAX];
	uint8_t *buf = to->conn ? tcpbuf : to->out;
	size_t limit = to->conn ? sizeof(tcpbuf) : udp_limit(q);
	size_t n = a ? dns_write_reply(buf, limit, q, a)
		     : dns_write_error(buf, limit, q, error_rcode, question_valid);

	if (to->conn)
		tcp_queue(to->conn, buf, n);
	else
		*to->outlen = n;
}

static bool local_answer(struct dns_service *s, const struct dns_query *q)
{
	struct dns_local_env env = { .leases = s->d.leases, .nl = s->d.nl };

	return dns_local_answer(s->d.local, &env, q, &s->local) == DNS_LOCAL_ANSWER;
}

/* Hand the query to the forwarder; false when it must be answered now. */
static bool forward(struct dns_service *s, const struct dns_query *q, struct reply_to *to,
		    int *rcode)
{
	struct waiting *w = xcalloc(1, sizeof(*w));

	w->q = *q;
	if (to->conn)
		w->conn = to->conn;
	else
		w->rp = *to->rp;
	*rcode = dns_forward_query(s->fwd, q->qname, q->qtype, q->qclass, w);
	if (*rcode != 0) {
		free(w);
		return false;
	}
	if (w->conn) {
		w->conn_next = w->conn->waiting;
		w->conn->waiting = w;
	}
	return true;
}

/* The answer order for one query; the reply (if any now) goes to `to`. */
static void answer_query(struct dns_service *s, const uint8_t *p, size_t len,
			 struct reply_to *to)
{
	struct dns_query q;
	struct dns_cache_hit hit;
	char from[INET6_ADDRSTRLEN];
	int rc = dns_parse_query(p, len, &q);

	/* Not even a header, or a reply: answering replies could loop forever. */
	if (rc < 0 || (q.flags & DNS_F_QR))
		return;
	q.reply_max = (uint16_t)s->d.cfg->edns_packet_max;
	s->stats.queries++;
	if (rc != DNS_R_NOERROR) {
		s->stats.formerr++;
		log_ratelimited("dns-bad-query", LOG_INFO, "bad DNS query from %s: %s",
				peer_text(to, from, sizeof(from)),
				rc == DNS_R_NOTIMP ? "opcode not implemented" : "malformed");
		deliver(to, &q, NULL, rc, false);
		return;
	}
	/* A cookie-only query (dns_wire.h) has no question to look up. */
	if (q.cookie_only) {
		deliver(to, &q, NULL, DNS_R_NOERROR, false);
		return;
	}
	if (s->d.cfg->log_queries)
		log_query(&q, peer_text(to, from, sizeof(from)));
	if (dns_forward_check_loop(s->fwd, q.qname) || q.qtype == DNS_T_AXFR || q.qtype == 251) {
		s->stats.refused++;
		deliver(to, &q, NULL, DNS_R_REFUSED, true);
		return;
	}
	if (local_answer(s, &q)) {
		s->stats.local++;
		if (s->d.cfg->log_queries)
			log_answer(s->local.source[0] ? s->local.source : "config", &q,
				   &s->local.answer);
		deliver(to, &q, &s->local.answer, 0, true);
		return;
	}
	if (dns_cache_lookup(s->cache, q.qname, q.qtype, q.qclass, now_mono_ms() / 1000, &hit)) {
		s->stats.cached++;
		if (s->d.cfg->log_queries)
			log_answer("cached", &q, &hit.answer);
		deliver(to, &q, &hit.answer, 0, true);
		return;
	}
	if (!forward(s, &q, to, &rc)) {
		if (rc == DNS_R_REFUSED)
			s->stats.refused++;
		deliver(to, &q, NULL, rc, true);
		return;
	}
	s->stats.forwarded++;
}

/* ---- upstream answers ---- */

static void reply_waiting(struct dns_service *s, struct waiting *w, const struct dns_answer *a,
			  int rcode)
{
	uint8_t buf[DNS_UDP_REPLY_MAX];
	size_t len = 0;
	struct reply_to to = { .s = s, .rp = &w->rp, .out = buf, .outlen = &len, .conn = w->conn };

	deliver(&to, &w->q, a, rcode, true);
	if (w->conn)
		tcp_flush(w->conn);
	else
		send_udp_now(&w->rp, buf, len);
}

static void unlink_waiting(struct waiting *w)
{
	for (struct waiting **p = &w->conn->waiting; *p; p = &(*p)->conn_next)
		if (*p == w) {
			*p = w->conn_next;
			return;
		}
}

static void on_upstream(void *ctx, const struct dns_forward_result *r)
{
	struct dns_service *s = ctx;
	uint64_t now = now_mono_ms() / 1000;
	struct dns_cache_hit hit;
	struct dns_parsed_reply pr = { 0 };
	const struct dns_answer *a = NULL;

	if (r->reply) {
		/*
		 * A negative from a server asked in place of the preferred one
		 * is passed on but not kept: once the preferred server answers
		 * again, the name must resolve on the next query.
		 */
		if (!(r->fell_back && dns_reply_is_negative(r->reply, r->len)))
			dns_cache_store(s->cache, r->qname, r->qtype, r->qclass, r->reply, r->len,
					now);
		if (dns_cache_lookup(s->cache, r->qname, r->qtype, r->qclass, now, &hit))
			a = &hit.answer;
		else if (dns_reply_parse(r->reply, r->len, &pr) == 0)
			a = &pr.answer;
	}
	if (a)
		s->stats.upstream_answered += r->ntokens;
	else
		s->stats.upstream_failed += r->ntokens;
	for (size_t i = 0; i < r->ntokens; i++) {
		struct waiting *w = r->tokens[i];

		if (i == 0 && s->d.cfg->log_queries) {
			if (a)
				log_answer("reply", &w->q, a);
			else
				log_info("reply %s is SERVFAIL", r->qname);
		}
		reply_waiting(s, w, a, DNS_R_SERVFAIL);
		if (w->conn)
			unlink_waiting(w);
		free(w);
	}
	dns_reply_parsed_free(&pr);
}

/* ---- UDP ---- */

/* The wildcard socket serves what --interface/--except-interface select (lo too, as dnsmasq). */
static bool interface_allowed(const struct config *cfg, const char *name)
{
	if (config_interface_excluded(cfg, name))
		return false;
	return cfg->ninterfaces == 0 || strcmp(name, "lo") == 0 ||
	       config_interface_listed(cfg, name);
}

/* Destination address and interface of a received datagram. */
static int read_dest(struct msghdr *mh, struct return_path *rp)
{
	int ifindex = 0;

	rp->has_dest = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			memcpy(&rp->pi4, CMSG_DATA(c), sizeof(rp->pi4));
			rp->family = AF_INET;
			rp->has_dest = true;
			ifindex = rp->pi4.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			memcpy(&rp->pi6, CMSG_DATA(c), sizeof(rp->pi6));
			rp->family = AF_INET6;
			rp->has_dest = true;
			ifindex = (int)rp->pi6.ipi6_ifindex;
		}
	}
	return ifindex;
}

/* ---- --local-service ---- */

/* Only where nothing says where to listen: then leased is never an open resolver. */
static bool local_service(const struct config *cfg)
{
	return cfg->nlisten_addrs == 0 && cfg->ninterfaces == 0 && cfg->nexcept_interfaces == 0;
}

static bool in_prefix(const uint8_t *a, const uint8_t *net, const uint8_t *mask, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((a[i] & mask[i]) != (net[i] & mask[i]))
			return false;
	return true;
}

/* IPv6 prefixes of this host (netlink follows IPv4 only), reread at most every 5 s. */
static void refresh_v6_prefixes(struct dns_service *s, uint64_t now)
{
	struct ifaddrs *all;

	if (s->v6_read_ms && now - s->v6_read_ms < 5000)
		return;
	s->v6_read_ms = now;
	s->nv6 = 0;
	if (getifaddrs(&all) < 0)
		return;
	for (struct ifaddrs *i = all; i && s->nv6 < MAX_V6_PREFIXES; i = i->ifa_next) {
		if (!i->ifa_addr || !i->ifa_netmask || i->ifa_addr->sa_family != AF_INET6)
			continue;
		s->v6[s->nv6].addr = ((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		s->v6[s->nv6].mask = ((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
		s->nv6++;
	}
	freeifaddrs(all);
}

/*
 * dnsmasq's --local-service: the client's address is on a subnet of one
 * of this host's interfaces (loopback and IPv6 link-local included).
 */
static bool from_local_subnet(struct dns_service *s, const struct sockaddr_storage *peer)
{
	if (peer->ss_family == AF_INET) {
		const uint8_t *a = (const uint8_t *)&((const struct sockaddr_in *)peer)->sin_addr;
		size_t n = 0;
		const struct nl_iface *ifs = s->d.nl ? netlink_ifaces(s->d.nl, &n) : NULL;

		if (a[0] == 127)
			return true;
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < ifs[i].naddrs; k++)
				if (in_prefix(a, (const uint8_t *)&ifs[i].addrs[k],
					      (const uint8_t *)&ifs[i].netmasks[k], 4))
					return true;
		return false;
	}
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)peer)->sin6_addr;

	if (IN6_IS_ADDR_LOOPBACK(a6) || IN6_IS_ADDR_LINKLOCAL(a6))
		return true;
	refresh_v6_prefixes(s, now_mono_ms());
	for (size_t i = 0; i < s->nv6; i++)
		if (in_prefix(a6->s6_addr, s->v6[i].addr.s6_addr, s->v6[i].mask.s6_addr, 16))
			return true;
	return false;
}

static bool admitted(struct dns_service *s, const struct listener *l, int ifindex,
		     const struct sockaddr_storage *peer)
{
	const struct nl_iface *i;

	if (!l->wildcard)
		return true;
	if (s->local_only && !from_local_subnet(s, peer)) {
		char text[INET6_ADDRSTRLEN];

		format_peer(peer, text, sizeof(text));
		log_ratelimited("dns-non-local", LOG_WARNING,
				"ignoring DNS query from non-local network %s (--local-service)",
				text);
		return false;
	}
	i = s->d.nl ? netlink_iface_by_index(s->d.nl, ifindex) : NULL;
	if (i)
		return interface_allowed(s->d.cfg, i->name);
	char name[IF_NAMESIZE];

	return if_indextoname((unsigned)ifindex, name) && interface_allowed(s->d.cfg, name);
}

static void on_udp(void *ctx, int fd, uint32_t events)
{
	struct listener *l = ctx;
	struct dns_service *s = l->s;
	int n, nout = 0;

	(void)events;
	for (int i = 0; i < UDP_BATCH; i++) {
		s->iov_in[i] = (struct iovec){ .iov_base = s->in[i], .iov_len = UDP_QUERY_MAX };
		s->msg_in[i].msg_hdr = (struct msghdr){
			.msg_name = &s->peers[i], .msg_namelen = sizeof(s->peers[i]),
			.msg_iov = &s->iov_in[i], .msg_iovlen = 1,
			.msg_control = s->cin[i], .msg_controllen = CMSG_BUF,
		};
	}
	n = recvmmsg(fd, s->msg_in, UDP_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		struct return_path *rp = &s->rps[nout];
		size_t outlen = 0;
		struct reply_to to = { .s = s, .rp = rp, .out = s->out[nout], .outlen = &outlen };

		rp->fd = fd;
		rp->peer = s->peers[i];
		rp->peerlen = s->msg_in[i].msg_hdr.msg_namelen;
		if (!admitted(s, l, read_dest(&s->msg_in[i].msg_hdr, rp), &rp->peer))
			continue;
		answer_query(s, s->in[i], s->msg_in[i].msg_len, &to);
		if (outlen) {
			prepare_udp(&s->msg_out[nout].msg_hdr, &s->iov_out[nout], s->cout[nout], rp,
				    s->out[nout], outlen);
			nout++;
		}
	}
	for (int done = 0; done < nout;) {
		int sent = sendmmsg(fd, s->msg_out + done, (unsigned)(nout - done), MSG_DONTWAIT);

		if (sent <= 0) {
			log_ratelimited("dns-send", LOG_WARNING, "cannot send DNS replies: %s",
					strerror(errno));
			break;
		}
		done += sent;
	}
}

/* ---- TCP ---- */

static void tcp_close(struct tcp_conn *c)
{
	struct dns_service *s = c->s;

	while (c->waiting) {
		struct waiting *w = c->waiting;

		c->waiting = w->conn_next;
		dns_forward_cancel(s->fwd, w);
		free(w);
	}
	loop_del_fd(s->d.loop, c->fd);
	close(c->fd);
	loop_timer_free(c->idle);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	free(c->in);
	free(c->out);
	free(c);
}

static void on_tcp_conn(void *ctx, int fd, uint32_t events);

/*
 * Read while the unsent replies are under DNS_TCP_OUT_MAX; wait for
 * writability while any are queued.  A client that pipelines queries and
 * never reads stops being read, so its replies cannot grow without bound,
 * and is closed when the idle timer finds no progress.
 */
static void tcp_watch(struct tcp_conn *c)
{
	uint32_t want = (c->outlen < DNS_TCP_OUT_MAX ? EPOLLIN : 0) | (c->outlen ? EPOLLOUT : 0);

	if (c->watching == want)
		return;
	c->watching = want;
	loop_del_fd(c->s->d.loop, c->fd);
	if (loop_add_fd(c->s->d.loop, c->fd, want, on_tcp_conn, c) < 0)
		log_warn("cannot watch a DNS TCP connection: %s", strerror(errno));
}

/* Write what is queued; a slow reader gets EPOLLOUT, never a blocked loop. */
static void tcp_flush(struct tcp_conn *c)
{
	size_t done = 0;

	while (done < c->outlen) {
		ssize_t n = send(c->fd, c->out + done, c->outlen - done,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done) {
		/* (c->out is NULL until a first reply: no memmove of nothing.) */
		memmove(c->out, c->out + done, c->outlen - done);
		c->outlen -= done;
		loop_timer_arm(c->idle, now_mono_ms() + DNS_TCP_IDLE_MS); /* progress */
	}
	tcp_watch(c);
}

/* Every whole query in the input buffer, in order (pipelining). */
static bool tcp_process(struct tcp_conn *c)
{
	size_t off = 0;

	while (c->inlen - off >= 2 && c->outlen < DNS_TCP_OUT_MAX) {
		size_t len = (size_t)c->in[off] << 8 | c->in[off + 1];
		struct reply_to to = { .s = c->s, .conn = c };

		if (len < DNS_HEADER_LEN)
			return false; /* cannot be a query: the stream is garbage */
		if (c->inlen - off < 2 + len)
			break;
		c->s->stats.tcp_queries++;
		answer_query(c->s, c->in + off + 2, len, &to);
		off += 2 + len;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return true;
}

static void on_tcp_conn(void *ctx, int fd, uint32_t events)
{
	struct tcp_conn *c = ctx;
	size_t room = 2 + DNS_TCP_MAX - c->inlen;

	if ((events & EPOLLIN) && room && c->outlen < DNS_TCP_OUT_MAX) {
		ssize_t n = recv(fd, c->in + c->inlen, room, MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			tcp_close(c);
			return;
		}
		if (n > 0) {
			c->inlen += (size_t)n;
			loop_timer_arm(c->idle, now_mono_ms() + DNS_TCP_IDLE_MS);
		}
	}
	if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN)) {
		tcp_close(c);
		return;
	}
	/* Queries held back while the replies were over the bound go now. */
	for (size_t before = SIZE_MAX; c->inlen && c->inlen != before;) {
		before = c->inlen;
		if (!tcp_process(c)) {
			tcp_close(c);
			return;
		}
		tcp_flush(c);
	}
	tcp_flush(c);
}

static void on_tcp_idle(void *ctx)
{
	struct tcp_conn *c = ctx;

	/* A forwarded query still out keeps the connection alive. */
	if (c->waiting) {
		loop_timer_arm(c->idle, now_mono_ms() + DNS_TCP_IDLE_MS);
		return;
	}
	tcp_close(c);
}

/*
 * The interface a TCP connection arrived on: Linux keeps it from the SYN
 * and returns it as the IP_PKTINFO of IP_PKTOPTIONS (IPV6_2292PKTOPTIONS)
 * when the listener asked for packet info.  0 when unknown, which no
 * interface filter admits.
 */
static int tcp_arrival_ifindex(int fd, int family)
{
	char cbuf[CMSG_BUF];
	socklen_t len = sizeof(cbuf);
	struct msghdr mh = { .msg_control = cbuf };
	struct return_path rp;
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int opt = family == AF_INET ? IP_PKTOPTIONS : IPV6_2292PKTOPTIONS;

	if (getsockopt(fd, level, opt, cbuf, &len) < 0 || len == 0)
		return 0;
	mh.msg_controllen = len;
	return read_dest(&mh, &rp);
}

static void on_tcp_accept(void *ctx, int fd, uint32_t events)
{
	struct listener *l = ctx;
	struct dns_service *s = l->s;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	struct tcp_conn *c;
	int cfd;

	(void)events;
	while ((cfd = accept4(fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		plen = sizeof(peer);
		/* The same admission as UDP: by the interface the SYN came in on. */
		if (!admitted(s, l, l->wildcard ? tcp_arrival_ifindex(cfd, peer.ss_family) : 0,
			      &peer)) {
			close(cfd);
			continue;
		}
		if (s->nconns >= DNS_TCP_MAX_CONNS) {
			log_ratelimited("dns-tcp-cap", LOG_WARNING,
					"%d DNS TCP connections open; refusing another",
					DNS_TCP_MAX_CONNS);
			close(cfd);
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->s = s;
		c->fd = cfd;
		format_peer(&peer, c->peer, sizeof(c->peer));
		c->in = xmalloc(2 + DNS_TCP_MAX);
		c->idle = loop_timer_new(s->d.loop, on_tcp_idle, c);
		if (loop_add_fd(s->d.loop, cfd, EPOLLIN, on_tcp_conn, c) < 0) {
			loop_timer_free(c->idle);
			free(c->in);
			free(c);
			close(cfd);
			continue;
		}
		loop_timer_arm(c->idle, now_mono_ms() + DNS_TCP_IDLE_MS);
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
	}
}

/* ---- listeners ---- */

static void describe(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	format_peer(ss, out, outlen);
}

static int open_listener(struct dns_service *s, const struct sockaddr_storage *addr, bool tcp,
			 bool wildcard, struct error *err)
{
	struct sockaddr_storage a = *addr;
	int family = a.ss_family, one = 1, fd;
	socklen_t alen = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	struct listener *l;
	char text[INET6_ADDRSTRLEN];

	if (s->nlisteners == MAX_LISTENERS) {
		error_set(err, EXIT_NETWORK, "too many DNS listen addresses (at most %d)",
			  MAX_LISTENERS / 2);
		return -1;
	}
	if (family == AF_INET)
		((struct sockaddr_in *)&a)->sin_port = htons((uint16_t)s->d.cfg->port);
	else
		((struct sockaddr_in6 *)&a)->sin6_port = htons((uint16_t)s->d.cfg->port);
	fd = socket(family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* The bridge (and its address) may appear after we start: bind anyway. */
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* UDP: per datagram; TCP on the wildcard: kept from the SYN (tcp_arrival_ifindex). */
	if ((!tcp || wildcard) &&
	    ((family == AF_INET && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0) ||
	     (family == AF_INET6 &&
	      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)))
		goto fail;
	if (bind(fd, (struct sockaddr *)&a, alen) < 0)
		goto fail;
	if (tcp && listen(fd, 64) < 0)
		goto fail;
	l = &s->listeners[s->nlisteners];
	*l = (struct listener){ .fd = fd, .tcp = tcp, .wildcard = wildcard, .s = s };
	if (loop_add_fd(s->d.loop, fd, EPOLLIN, tcp ? on_tcp_accept : on_udp, l) < 0)
		goto fail;
	s->nlisteners++;
	return 0;
fail:
	describe(&a, text, sizeof(text));
	error_set(err, EXIT_NETWORK, "failed to create listening socket for %s port %d (%s): %s",
		  text,
		 s->d.cfg->port, tcp ? "TCP" : "UDP", strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int open_listeners(struct dns_service *s, struct error *err)
{
	const struct config *cfg = s->d.cfg;

	for (size_t i = 0; i < cfg->nlisten_addrs; i++)
		if (open_listener(s, &cfg->listen_addrs[i], false, false, err) < 0 ||
		    open_listener(s, &cfg->listen_addrs[i], true, false, err) < 0)
			return -1;
	if (cfg->nlisten_addrs == 0) {
		struct sockaddr_storage any4 = { .ss_family = AF_INET };
		struct sockaddr_storage any6 = { .ss_family = AF_INET6 };
		struct error v6err = { 0 };

		if (open_listener(s, &any4, false, true, err) < 0 ||
		    open_listener(s, &any4, true, true, err) < 0)
			return -1;
		/* IPv6 may be disabled on the host; IPv4 alone still serves. */
		if (open_listener(s, &any6, false, true, &v6err) < 0 ||
		    open_listener(s, &any6, true, true, &v6err) < 0)
			log_warn("DNS on IPv6 unavailable: %s", v6err.msg);
	}
	return 0;
}

/* ---- interface ---- */

struct dns_service *dns_service_new(const struct dns_service_deps *deps, struct error *err)
{
	struct dns_service *s = xcalloc(1, sizeof(*s));
	const struct config *cfg = deps->cfg;
	struct dns_cache_policy policy = {
		.size = cfg->cache_size, .min_ttl = cfg->min_cache_ttl,
		.max_ttl = cfg->has_max_cache_ttl ? cfg->max_cache_ttl : 0,
		.has_neg_ttl = cfg->has_neg_ttl, .neg_ttl = cfg->neg_ttl,
		.max_neg_ttl = cfg->max_neg_ttl, .no_negcache = cfg->no_negcache,
	};

	s->d = *deps;
	s->local_only = local_service(deps->cfg);
	for (size_t i = 0; i < MAX_LISTENERS; i++)
		s->listeners[i].fd = -1;
	s->cache = dns_cache_new(&policy);
	if (open_listeners(s, err) < 0) {
		dns_service_free(s);
		return NULL;
	}
	s->fwd = dns_forward_new(cfg, deps->loop, on_upstream, s);
	return s;
}

void dns_service_free(struct dns_service *s)
{
	if (!s)
		return;
	while (s->conns)
		tcp_close(s->conns);
	for (size_t i = 0; i < s->nlisteners; i++) {
		loop_del_fd(s->d.loop, s->listeners[i].fd);
		close(s->listeners[i].fd);
	}
	dns_forward_free(s->fwd);
	dns_cache_free(s->cache);
	free(s);
}

void dns_service_set_local(struct dns_service *s, const struct dns_local *local)
{
	s->d.local = local;
	/* Local data may now cover names that upstream answers were cached for. */
	dns_cache_clear(s->cache);
}

void dns_service_reload(struct dns_service *s)
{
	dns_cache_clear(s->cache);
	dns_forward_reload(s->fwd);
}

void dns_service_log_stats(const struct dns_service *s)
{
	struct dns_cache_stats cs;

	dns_cache_stats(s->cache, &cs);
	log_info("DNS: %llu queries (%llu over TCP): %llu local, %llu cached, %llu forwarded, "
		 "%llu refused, %llu malformed",
		 (unsigned long long)s->stats.queries, (unsigned long long)s->stats.tcp_queries,
		 (unsigned long long)s->stats.local, (unsigned long long)s->stats.cached,
		 (unsigned long long)s->stats.forwarded, (unsigned long long)s->stats.refused,
		 (unsigned long long)s->stats.formerr);
	log_info("DNS cache: %zu entries (size %u), %llu inserted, %llu evicted, %llu purged by lease changes",
		 cs.entries, s->d.cfg->cache_size, (unsigned long long)cs.inserts,
		 (unsigned long long)cs.evictions, (unsigned long long)cs.purged);
	dns_forward_log_stats(s->fwd);
}

static void purge_one(void *ctx, const char *name)
{
	dns_cache_purge_name(ctx, name);
}

void dns_purge_lease_change(struct dns_cache *cache, const struct dns_local *local,
			    const struct lease *old, const struct lease *new)
{
	/* Both the names the lease had and the ones it has now. */
	if (old)
		dns_local_lease_names(local, old, purge_one, cache);
	if (new)
		dns_local_lease_names(local, new, purge_one, cache);
}

void dns_service_lease_changed(void *ctx, const struct lease *old, const struct lease *new,
			      enum lease_event ev)
{
	struct dns_service *s = ctx;

	(void)ev;
	dns_purge_lease_change(s->cache, s->d.local, old, new);
}

void dns_service_get_stats(const struct dns_service *s, struct dns_service_stats *out)
{
	*out = (struct dns_service_stats){
		.queries = s->stats.queries, .tcp_queries = s->stats.tcp_queries,
		.local = s->stats.local, .cached = s->stats.cached,
		.forwarded = s->stats.forwarded, .refused = s->stats.refused,
		.malformed = s->stats.formerr,
		.upstream_answered = s->stats.upstream_answered,
		.upstream_failed = s->stats.upstream_failed,
		.cache_size = s->d.cfg->cache_size,
	};
	dns_cache_stats(s->cache, &out->cache);
}

struct dns_cache *dns_service_cache(struct dns_service *s)
{
	return s->cache;
}

const struct dns_forward *dns_service_forward(const struct dns_service *s)
{
	return s->fwd;
}

const struct dns_local *dns_service_local(const struct dns_service *s)
{
	return s->d.local;
}

int dns_service_explain(struct dns_service *s, const char *name, uint16_t type,
			struct dns_explanation *out)
{
	struct dns_local_env env = {
		.leases = s->d.leases, .nl = s->d.nl, .explain = true,
	};
	struct dns_query q = { .qtype = type, .qclass = DNS_C_IN };
	uint8_t wire[DNS_WIRE_NAME_MAX];

	if (dns_name_to_wire(name, wire, sizeof(wire)) < 0 ||
	    str_copy(q.qname, name, sizeof(q.qname)) >= sizeof(q.qname))
		return -1;
	memset(out, 0, sizeof(*out));
	out->local = &s->local;
	if (dns_local_answer(s->d.local, &env, &q, &s->local) == DNS_LOCAL_ANSWER) {
		out->decision = DNS_EXPLAIN_LOCAL;
		return 0;
	}
	if (dns_cache_peek(s->cache, name, type, DNS_C_IN, now_mono_ms() / 1000, &out->cached)) {
		out->decision = DNS_EXPLAIN_CACHED;
		return 0;
	}
	out->decision = DNS_EXPLAIN_FORWARD;
	out->nservers = dns_forward_route(s->fwd, name, out->servers, DNS_EXPLAIN_MAX_SERVERS,
					  &out->all_at_once);
	return 0;
}
