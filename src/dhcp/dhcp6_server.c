/*
 * dhcp6_server — the DHCPv6 socket and the durable replies (see
 * include/dhcp/dhcp6_server.h).
 */
#include "dhcp/dhcp6_server.h"
#include "dhcp/dhcp6.h"
#include "store/reply_hold.h"
#include "store/store.h"
#include "core/log.h"
#include "core/util.h"
#include "net/ip6_msg.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define HOLD_MAX 4096
#define HOLD_MAX_AGE_MS 3000
#define READ_BATCH 64
#define MAX_JOINED 64

struct queued6 {
	int ifindex;
	struct sockaddr_in6 dst;
	size_t len;
	uint8_t buf[DHCP6_MAX_PACKET];
};

struct dhcp6_server {
	struct dhcp6_server_deps d;
	int fd;
	struct reply_hold *held;
	struct dhcp6_result res;    /* the engine's answer, reused for every message */
	int joined[MAX_JOINED];     /* interfaces where ff02::1:2 is joined */
	size_t njoined;
	struct dhcp6_server_stats stats;
};

static const struct in6_addr all_servers = {
	{ { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2 } }
};

/* The interface as the engine sees it: its global, usable IPv6 addresses. */
static void to_iface6(const struct nl_iface *ifc, struct dhcp6_iface *out)
{
	memset(out, 0, sizeof(*out));
	out->ifindex = ifc->ifindex;
	str_copy(out->name, ifc->name, sizeof(out->name));
	for (size_t i = 0; i < ifc->naddrs6 && out->naddrs < DHCP6_IFACE_MAX_ADDRS; i++) {
		const struct nl_addr6 *a = &ifc->addrs6[i];

		if (IN6_IS_ADDR_LINKLOCAL(&a->addr) || a->tentative)
			continue;
		out->addrs[out->naddrs] = a->addr;
		out->prefixlens[out->naddrs++] = a->prefixlen;
	}
}

static void send_one(struct dhcp6_server *s, const struct queued6 *q)
{
	/* From whatever address the kernel picks for the client's (link-local) one. */
	if (ip6_send_on(s->fd, q->buf, q->len, &q->dst, q->ifindex, NULL) < 0)
		log_debug("DHCPv6 reply: %s", strerror(errno));
	else
		s->stats.replies++;
}

void dhcp6_server_send_durable(struct dhcp6_server *s)
{
	size_t ready;

	if (!s)
		return;
	ready = reply_hold_ready(s->held, store_durable_seq(s->d.store), now_mono_ms());
	for (size_t i = 0; i < ready; i++)
		send_one(s, reply_hold_at(s->held, i));
	reply_hold_pop(s->held, ready);
}

/* A reply goes now, or waits in the hold queue until its change is on disk. */
static void queue_reply(struct dhcp6_server *s, int ifindex, const struct sockaddr_in6 *to,
			const struct dhcp6_result *res)
{
	uint64_t seq = res->lease_changed ? store_pending_seq(s->d.store) : 0;
	struct queued6 now, *q = &now;

	if (seq > store_durable_seq(s->d.store)) {
		q = reply_hold_push(s->held, seq, now_mono_ms());
		if (!q) {
			s->stats.dropped_waiting++;
			log_ratelimited("dhcp6-hold", LOG_WARNING, "%d DHCPv6 replies already wait "
					"for the disk: reply dropped (the client will retry)", HOLD_MAX);
			return;
		}
	}
	q->ifindex = ifindex;
	q->dst = *to;
	q->dst.sin6_scope_id = (uint32_t)ifindex;
	q->len = res->reply_len;
	memcpy(q->buf, res->reply, res->reply_len);
	if (q == &now)
		send_one(s, q);
}

/* The interface holding address a (not link-local: a unicast target), or NULL. */
static const struct nl_iface *iface_with_addr6(const struct netlink *nl, const struct in6_addr *a)
{
	const struct nl_iface *ifcs;
	size_t n = 0;

	ifcs = netlink_ifaces(nl, &n);
	for (size_t i = 0; ifcs && i < n; i++)
		for (size_t k = 0; k < ifcs[i].naddrs6; k++)
			if (memcmp(&ifcs[i].addrs6[k].addr, a, sizeof(*a)) == 0)
				return &ifcs[i];
	return NULL;
}

/*
 * A Release sent from this host on a client's behalf.  LXD sends one when
 * a container's NIC goes: by unicast to the bridge's address, from the
 * host itself, with the server DUID it read from the lease file (the
 * kernel may report it as arriving on lo).  It is taken as if it had come
 * by multicast on the link of the address it was sent to; the engine then
 * checks, as for any Release, the server DUID and that the client's DUID
 * and IAID hold the address.  Nothing but a Release is taken this way.
 */
static const struct nl_iface *host_release_iface(const struct dhcp6_server *s, const uint8_t *p,
						 size_t len, const struct sockaddr_in6 *from,
						 const struct in6_addr *dst)
{
	const struct nl_iface *to;

	if (len < 1 || p[0] != DHCP6_RELEASE || IN6_IS_ADDR_MULTICAST(dst) ||
	    IN6_IS_ADDR_LINKLOCAL(dst) ||
	    (!IN6_IS_ADDR_LOOPBACK(&from->sin6_addr) && !iface_with_addr6(s->d.nl, &from->sin6_addr)))
		return NULL;
	to = iface_with_addr6(s->d.nl, dst);
	return to && to->up && !config_iface_excluded(s->d.cfg, to->name) ? to : NULL;
}

static void handle(struct dhcp6_server *s, const uint8_t *p, size_t len,
		   const struct sockaddr_in6 *from, int ifindex, const struct in6_addr *dst)
{
	const struct nl_iface *ifc = host_release_iface(s, p, len, from, dst);
	bool from_host = ifc != NULL;
	struct dhcp6_iface iface;
	const uint8_t *duid;
	uint8_t mac[6];
	struct dhcp6_env env = { .cfg = s->d.cfg, .hosts = s->d.hosts, .leases = s->d.leases,
				 .iface = &iface, .now = now_wall() };

	s->stats.received++;
	if (from_host)
		ifindex = ifc->ifindex;
	else
		ifc = netlink_iface_by_index(s->d.nl, ifindex);
	if (!ifc || !ifc->up)
		return;
	to_iface6(ifc, &iface);
	env.server_duid_len = store_server_duid(s->d.store, &duid);
	env.server_duid = duid;
	env.multicast = IN6_IS_ADDR_MULTICAST(dst) || from_host;
	/*
	 * The client's MAC, for a DUID that carries none: the EUI-64 of the
	 * link-local address it sends from, else what the neighbour table
	 * learnt of that address (privacy and stable-privacy link-local
	 * addresses: known once the host has talked to the client, so from
	 * its Request on; a lease made without it gets it at a renewal).
	 */
	if (IN6_IS_ADDR_LINKLOCAL(&from->sin6_addr) &&
	    (dhcp6_eui64_mac(&from->sin6_addr, mac) ||
	     netlink_neighbour6_mac(s->d.nl, ifindex, &from->sin6_addr, mac))) {
		env.src_hw = mac;
		env.src_hwlen = sizeof(mac);
	}
	dhcp6_handle(&env, p, len, &s->res);
	if (s->res.verdict == DHCP6_SEND)
		queue_reply(s, ifindex, from, &s->res);
}

static void on_read(void *ctx, int fd, uint32_t events)
{
	struct dhcp6_server *s = ctx;

	(void)events;
	for (int k = 0; k < READ_BATCH; k++) {
		uint8_t buf[DHCP6_MAX_PACKET];
		struct sockaddr_in6 from;
		struct ip6_arrival arr;
		ssize_t n = ip6_recv_on(fd, buf, sizeof(buf), &from, &arr);

		if (n < 0)
			break;
		if (arr.ifindex > 0)
			handle(s, buf, (size_t)n, &from, arr.ifindex, &arr.dst);
	}
	dhcp6_server_send_durable(s);
}

/* ---- memberships ---- */

static void join(struct dhcp6_server *s, int ifindex)
{
	for (size_t i = 0; i < s->njoined; i++)
		if (s->joined[i] == ifindex)
			return;
	if (s->njoined == MAX_JOINED)
		return;
	if (ip6_membership(s->fd, &all_servers, ifindex, true) < 0) {
		log_warn("cannot join DHCPv6 servers' group on interface %d: %s", ifindex,
			 strerror(errno));
		return;
	}
	s->joined[s->njoined++] = ifindex;
}

void dhcp6_server_interfaces_changed(struct dhcp6_server *s)
{
	const struct nl_iface *ifcs;
	size_t n = 0, kept = 0;

	if (!s)
		return;
	/* A deleted interface took its membership with it (a re-created bridge has a new index). */
	for (size_t i = 0; i < s->njoined; i++)
		if (netlink_iface_by_index(s->d.nl, s->joined[i]))
			s->joined[kept++] = s->joined[i];
	s->njoined = kept;
	ifcs = netlink_ifaces(s->d.nl, &n);
	for (size_t i = 0; i < n; i++) {
		struct dhcp6_iface iface;

		if (!ifcs[i].up || config_iface_excluded(s->d.cfg, ifcs[i].name))
			continue;
		to_iface6(&ifcs[i], &iface);
		if (dhcp6_serves(s->d.cfg, &iface))
			join(s, ifcs[i].ifindex);
	}
}

/* ---- life ---- */

static int open_socket(struct error *err)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(DHCP6_SERVER_PORT) };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int on = 1;

	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
		error_set(err, EXIT_NETWORK, "failed to bind DHCPv6 server socket ([::] port %d): %s",
			  DHCP6_SERVER_PORT, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct dhcp6_server *dhcp6_server_new(const struct dhcp6_server_deps *deps, struct error *err)
{
	struct dhcp6_server *s = xcalloc(1, sizeof(*s));

	s->d = *deps;
	s->fd = open_socket(err);
	if (s->fd < 0) {
		free(s);
		return NULL;
	}
	s->held = reply_hold_new(sizeof(struct queued6), HOLD_MAX, HOLD_MAX_AGE_MS);
	if (loop_add_fd(deps->loop, s->fd, EPOLLIN, on_read, s) < 0) {
		error_set(err, EXIT_OTHER, "cannot watch the DHCPv6 socket: %s", strerror(errno));
		dhcp6_server_free(s);
		return NULL;
	}
	dhcp6_server_interfaces_changed(s);
	return s;
}

void dhcp6_server_free(struct dhcp6_server *s)
{
	if (!s)
		return;
	if (s->fd >= 0) {
		loop_del_fd(s->d.loop, s->fd);
		close(s->fd);
	}
	reply_hold_free(s->held);
	free(s);
}

static bool superseded_cb(void *env, const struct lease *l)
{
	char addr[LEASE_ADDR_STRLEN];

	if (!dhcp6_lease_superseded(env, l))
		return false;
	log_info("%s (%s): a changed reservation takes this address from its client: "
		 "no longer in DNS, ended at the next Renew",
		 lease_addr_str(&l->addr, addr, sizeof(addr)), l->hostname);
	return true;
}

/* As dhcp4_server does: a changed reservation's old lease leaves DNS now. */
static void unname_superseded(struct dhcp6_server *s)
{
	const struct nl_iface *ifcs;
	size_t n = 0;

	ifcs = netlink_ifaces(s->d.nl, &n);
	for (size_t i = 0; ifcs && i < n; i++) {
		struct dhcp6_iface iface;
		struct dhcp6_env env = { .cfg = s->d.cfg, .hosts = s->d.hosts,
					 .leases = s->d.leases, .iface = &iface };

		if (!ifcs[i].up || config_iface_excluded(s->d.cfg, ifcs[i].name))
			continue;
		to_iface6(&ifcs[i], &iface);
		lease_unname_if(s->d.leases, AF_INET6, superseded_cb, &env);
	}
}

void dhcp6_server_set_hosts(struct dhcp6_server *s, const struct hostdb *hosts)
{
	if (!s)
		return;
	s->d.hosts = hosts;
	unname_superseded(s);
}

void dhcp6_server_get_stats(const struct dhcp6_server *s, struct dhcp6_server_stats *out)
{
	*out = s ? s->stats : (struct dhcp6_server_stats){ 0 };
}
