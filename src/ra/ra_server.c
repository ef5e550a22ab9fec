/*
 * ra_server — router advertisements on the wire (see include/ra/ra_server.h).
 */
#include "ra/ra_server.h"
#include "ra/ra.h"
#include "core/log.h"
#include "core/util.h"
#include "net/ip6_msg.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define INITIAL_RAS 4               /* at once, then 3 more */
#define INITIAL_GAP_MS 4000
#define MIN_MULTICAST_GAP_MS 3000   /* RFC 4861 MIN_DELAY_BETWEEN_RAS */
#define RETRY_MS 1000               /* no usable link-local source yet (DAD) */
#define READ_BATCH 64

/* One served interface. */
struct ra_iface {
	int ifindex;
	unsigned initial_left;      /* fast RAs still to send */
	uint64_t next_ms;           /* the next unsolicited RA */
	uint64_t last_multicast_ms;
	bool multicast_wanted;      /* a solicitation from :: waits for the gap */
	struct ra_prefix prefixes[RA_MAX_PREFIXES]; /* as last advertised */
	size_t nprefixes;
	bool seen;                  /* still served (sync's mark) */
};

struct ra_server {
	struct ra_server_deps d;
	int fd;
	struct loop_timer *timer;
	struct ra_iface *ifs;
	size_t nifs;
	struct ra_stats stats;
};

static const struct in6_addr all_nodes = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } };
static const struct in6_addr all_routers = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 } } };

bool ra_wanted(const struct config *cfg)
{
	unsigned ra_modes = RANGE6_RA_ONLY | RANGE6_RA_STATELESS | RANGE6_RA_NAMES | RANGE6_SLAAC;

	for (size_t i = 0; i < cfg->nranges; i++)
		if (cfg->ranges[i].family == AF_INET6 &&
		    (cfg->enable_ra || (cfg->ranges[i].mode6 & ra_modes)))
			return true;
	return false;
}

/* ---- sending ---- */

/*
 * Send ri's RA to dst, its interval in *interval; false when it cannot
 * be sent yet (no usable link-local source while DAD runs).
 */
static bool send_ra(struct ra_server *s, struct ra_iface *ri, const struct in6_addr *dst,
		    bool final, uint32_t *interval)
{
	const struct nl_iface *ifc = netlink_iface_by_index(s->d.nl, ri->ifindex);
	const struct in6_addr *src = ifc ? netlink_link_local(ifc) : NULL;
	struct ra_message m;
	struct ra_timing t;
	uint8_t buf[RA_PACKET_MAX];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = *dst,
				   .sin6_scope_id = (uint32_t)ri->ifindex };
	int n;

	if (!src || !ra_plan(s->d.cfg, ifc, &m, &t))
		return false;
	*interval = t.interval;
	if (final)
		m.router_lifetime = 0;
	n = ra_build(&m, buf, sizeof(buf));
	if (n < 0)
		return false;
	if (ip6_send_on(s->fd, buf, (size_t)n, &to, ri->ifindex, src) < 0) {
		log_debug("router advertisement on %s: %s", ifc->name, strerror(errno));
		return true; /* a send error is not fixed by retrying sooner */
	}
	s->stats.sent++;
	memcpy(ri->prefixes, m.prefixes, sizeof(m.prefixes));
	ri->nprefixes = m.nprefixes;
	return true;
}

static uint64_t jittered(uint32_t interval_s)
{
	uint64_t ms = (uint64_t)interval_s * 1000;

	return ms - ms / 4 * random_u16() / 65536;
}

static void send_multicast(struct ra_server *s, struct ra_iface *ri, uint64_t now)
{
	uint32_t interval = RA_DEFAULT_INTERVAL;

	if (!send_ra(s, ri, &all_nodes, false, &interval)) {
		ri->next_ms = now + RETRY_MS;
		return;
	}
	ri->last_multicast_ms = now;
	ri->multicast_wanted = false;
	if (ri->initial_left > 0)
		ri->initial_left--;
	ri->next_ms = now + (ri->initial_left > 0 ? INITIAL_GAP_MS : jittered(interval));
}

static void rearm(struct ra_server *s)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < s->nifs; i++) {
		const struct ra_iface *ri = &s->ifs[i];

		next = MIN(next, ri->next_ms);
		if (ri->multicast_wanted)
			next = MIN(next, ri->last_multicast_ms + MIN_MULTICAST_GAP_MS);
	}
	if (next == UINT64_MAX)
		loop_timer_disarm(s->timer);
	else
		loop_timer_arm(s->timer, next);
}

static void on_timer(void *ctx)
{
	struct ra_server *s = ctx;
	uint64_t now = now_mono_ms();

	for (size_t i = 0; i < s->nifs; i++) {
		struct ra_iface *ri = &s->ifs[i];

		if (ri->next_ms <= now ||
		    (ri->multicast_wanted && ri->last_multicast_ms + MIN_MULTICAST_GAP_MS <= now))
			send_multicast(s, ri, now);
	}
	rearm(s);
}

/* ---- following the interfaces ---- */

static struct ra_iface *find(struct ra_server *s, int ifindex)
{
	for (size_t i = 0; i < s->nifs; i++)
		if (s->ifs[i].ifindex == ifindex)
			return &s->ifs[i];
	return NULL;
}

static void membership(struct ra_server *s, int ifindex, bool join)
{
	/* Leaving fails once the interface is gone, which is no news. */
	if (ip6_membership(s->fd, &all_routers, ifindex, join) < 0 && join)
		log_warn("cannot join all-routers on interface %d: %s", ifindex, strerror(errno));
}

static bool prefixes_changed(const struct ra_iface *ri, const struct ra_message *m)
{
	if (ri->nprefixes != m->nprefixes)
		return true;
	for (size_t i = 0; i < m->nprefixes; i++)
		if (memcmp(&ri->prefixes[i].prefix, &m->prefixes[i].prefix, 16) != 0 ||
		    ri->prefixes[i].len != m->prefixes[i].len)
			return true;
	return false;
}

/* One interface netlink shows: start, keep or restart advertising on it. */
static void sync_one(struct ra_server *s, const struct nl_iface *ifc, uint64_t now)
{
	struct ra_message m;
	struct ra_timing t;
	struct ra_iface *ri;

	if (!ifc->up || config_iface_excluded(s->d.cfg, ifc->name) || !ra_plan(s->d.cfg, ifc, &m, &t))
		return;
	ri = find(s, ifc->ifindex);
	if (!ri) {
		ri = array_push(&s->ifs, &s->nifs, sizeof(*ri));
		ri->ifindex = ifc->ifindex;
		ri->initial_left = INITIAL_RAS;
		ri->next_ms = now;
		membership(s, ifc->ifindex, true);
		log_info("router advertisements on %s", ifc->name);
	} else if (prefixes_changed(ri, &m) && ri->nprefixes > 0) {
		ri->initial_left = INITIAL_RAS;
		ri->next_ms = now;
	}
	ri->seen = true;
}

void ra_server_interfaces_changed(struct ra_server *s)
{
	uint64_t now = now_mono_ms();
	const struct nl_iface *ifcs;
	size_t n = 0, kept = 0;

	if (!s)
		return;
	for (size_t i = 0; i < s->nifs; i++)
		s->ifs[i].seen = false;
	ifcs = netlink_ifaces(s->d.nl, &n);
	for (size_t i = 0; i < n; i++)
		sync_one(s, &ifcs[i], now);
	for (size_t i = 0; i < s->nifs; i++) {
		if (s->ifs[i].seen) {
			s->ifs[kept++] = s->ifs[i];
			continue;
		}
		membership(s, s->ifs[i].ifindex, false);
		log_info("no more router advertisements on interface %d", s->ifs[i].ifindex);
	}
	s->nifs = kept;
	rearm(s);
}

/* ---- solicitations ---- */

static void handle_rs(struct ra_server *s, const uint8_t *p, size_t len,
		      const struct sockaddr_in6 *from, int ifindex, int hoplimit)
{
	struct ra_iface *ri = find(s, ifindex);
	struct ra_solicit rs;
	const char *why;
	bool unspecified = IN6_IS_ADDR_UNSPECIFIED(&from->sin6_addr);

	s->stats.solicitations++;
	if (!ri || hoplimit != 255 || ra_parse_rs(p, len, unspecified, &rs, &why) < 0) {
		s->stats.dropped++;
		return;
	}
	if (unspecified) {
		ri->multicast_wanted = true;
		rearm(s);
		return;
	}
	send_ra(s, ri, &from->sin6_addr, false, &(uint32_t){ 0 });
}

static void on_read(void *ctx, int fd, uint32_t events)
{
	struct ra_server *s = ctx;

	(void)events;
	for (int k = 0; k < READ_BATCH; k++) {
		uint8_t buf[RA_PACKET_MAX];
		struct sockaddr_in6 from;
		struct ip6_arrival arr;
		ssize_t n = ip6_recv_on(fd, buf, sizeof(buf), &from, &arr);

		if (n < 0)
			return;
		handle_rs(s, buf, (size_t)n, &from, arr.ifindex, arr.hoplimit);
	}
}

/* ---- life ---- */

static int open_socket(struct error *err)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	int on = 1, hops = 255, off = 0;
	struct icmp6_filter f;

	if (fd < 0)
		return error_set(err, EXIT_NETWORK,
				 "cannot open the ICMPv6 socket for router advertisements: %s",
				 strerror(errno));
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &f);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) < 0) {
		error_set(err, EXIT_NETWORK, "cannot set up the ICMPv6 socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct ra_server *ra_server_new(const struct ra_server_deps *deps, struct error *err)
{
	struct ra_server *s = xcalloc(1, sizeof(*s));

	s->d = *deps;
	s->fd = open_socket(err);
	if (s->fd < 0) {
		free(s);
		return NULL;
	}
	s->timer = loop_timer_new(deps->loop, on_timer, s);
	if (loop_add_fd(deps->loop, s->fd, EPOLLIN, on_read, s) < 0) {
		error_set(err, EXIT_OTHER, "cannot watch the ICMPv6 socket: %s", strerror(errno));
		ra_server_free(s);
		return NULL;
	}
	ra_server_interfaces_changed(s);
	return s;
}

void ra_server_free(struct ra_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nifs; i++)
		send_ra(s, &s->ifs[i], &all_nodes, true, &(uint32_t){ 0 });
	loop_timer_free(s->timer);
	if (s->fd >= 0) {
		loop_del_fd(s->d.loop, s->fd);
		close(s->fd);
	}
	free(s->ifs);
	free(s);
}

void ra_server_stats(const struct ra_server *s, struct ra_stats *out)
{
	*out = s ? s->stats : (struct ra_stats){ 0 };
}
