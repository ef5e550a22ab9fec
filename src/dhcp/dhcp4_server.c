/*
 * dhcp4_server — socket, interface admission, conflict check and the durable
 * reply queue around dhcp4_handle(); see include/dhcp/dhcp4_server.h.
 */
#include "dhcp/dhcp4_server.h"
#include "dhcp/dhcp4.h"
#include "dhcp/dhcp4_reserved.h"
#include "core/log.h"
#include "net/probe.h"
#include "store/reply_hold.h"
#include "store/store.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#define RECV_BATCH 32
#define SEND_BATCH 32
#define DHCP4_RCVBUF (4 * 1024 * 1024)
/*
 * Replies waiting for the disk.  With a working disk they wait for one
 * fdatasync (milliseconds), so a few thousand is far beyond a burst; with
 * a failing one the bound keeps memory flat, and the age limit keeps a
 * reply from going out long after the client gave up on it (DHCP clients
 * retransmit after about 4 s; the retry is answered afresh).
 */
#define HOLD_MAX 4096
#define HOLD_MAX_AGE_MS 3000

struct queued_reply {
	int ifindex;
	struct in_addr src;
	struct sockaddr_in dst;
	bool set_neighbour;
	uint8_t chaddr[16];
	uint8_t hlen;
	size_t len;
	uint8_t buf[DHCP4_MAX_PACKET];
};

struct dhcp4_server {
	struct dhcp4_server_deps d;
	int fd;
	int bound_ifindex;      /* SO_BINDTODEVICE target, 0 when unbound */
	int lo_fd;              /* port 67 on lo while fd is device-bound, or -1 */
	struct dhcp4_packet *local_req; /* scratch for messages arriving on lo */
	struct probe *probe;
	struct offer4_table *offers; /* OFFERs not yet REQUESTed */
	struct dhcp4_reserved *reserved; /* d.hosts' addresses, for the free-address search */
	struct reply_hold *held;    /* replies whose lease change is not on disk yet */
	struct queued_reply now[SEND_BATCH]; /* replies that wait for nothing */
	size_t nnow;
	struct dhcp4_result result; /* scratch, reused for every packet */
	struct dhcp4_work *work;    /* the engine's scratch, likewise */
	uint8_t rbufs[RECV_BATCH][DHCP4_MAX_PACKET];
	char cbufs[RECV_BATCH][CMSG_SPACE(sizeof(struct in_pktinfo)) + 64];
	struct dhcp4_server_stats stats;
};

/* --interface, --except-interface and --listen-address, as dnsmasq reads them. */
static bool iface_served(const struct config *cfg, const struct nl_iface *i)
{
	return config_iface_serves_dhcp4(cfg, i->name, i->addrs, i->naddrs);
}

static bool iface_is_loopback(const struct nl_iface *i)
{
	return strcmp(i->name, "lo") == 0;
}

/*
 * A DHCPRELEASE sent from this host on a client's behalf: LXD releases a
 * container's lease this way, and so does dnsmasq's dhcp_release(1), to
 * the server's address with the lease's address in ciaddr, the client's
 * MAC in chaddr and our address as server identifier.  The kernel reports
 * such a packet as received on lo when it was sent to 127.0.0.1 (and on
 * kernels before 4.13 whatever it was sent to).  It is handled as if it
 * had come from the served interface that owns the server identifier,
 * when the released address is on that interface's subnet; dhcp4_handle
 * then checks, as for any release, that the address is leased to that
 * client (client-id, else MAC).  Nothing but a RELEASE is taken from lo.
 */
static const struct nl_iface *local_release_iface(struct dhcp4_server *s, const uint8_t *pkt,
						  size_t len)
{
	const struct dhcp4_packet *req = s->local_req;
	const struct nl_iface *ifs;
	struct in_addr sid;
	const char *why;
	size_t n = 0;

	if (dhcp4_parse(pkt, len, s->local_req, &why) < 0 || req->op != DHCP4_BOOTREQUEST ||
	    req->msg_type != DHCPRELEASE || req->giaddr.s_addr || !req->ciaddr.s_addr ||
	    !dhcp4_get_addr_option(req, OPT_SERVER_ID, &sid))
		return NULL;
	ifs = netlink_ifaces(s->d.nl, &n);
	for (size_t i = 0; ifs && i < n; i++) {
		if (iface_is_loopback(&ifs[i]) || !iface_served(s->d.cfg, &ifs[i]))
			continue;
		for (size_t a = 0; a < MIN(ifs[i].naddrs, (size_t)NETLINK_MAX_ADDRS); a++)
			if (ifs[i].addrs[a].s_addr == sid.s_addr &&
			    ((sid.s_addr ^ req->ciaddr.s_addr) & ifs[i].netmasks[a].s_addr) == 0)
				return &ifs[i];
	}
	return NULL;
}

static void on_readable(void *ctx, int fd, uint32_t events);

/*
 * While the main socket is bound to the bridge it never sees what
 * arrives on lo: a second socket on port 67, bound to lo, takes the
 * host's releases (local_release_iface() decides what to accept).
 * Without it leased works as before, so a failure is only a warning.
 */
static void open_lo_socket(struct dhcp4_server *s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(DHCP4_SERVER_PORT) };
	int fd, one = 1;

	if (s->lo_fd >= 0)
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto fail;
	if (loop_add_fd(s->d.loop, fd, EPOLLIN, on_readable, s) < 0)
		goto fail;
	s->lo_fd = fd;
	return;
fail:
	log_warn("cannot open a DHCP socket on lo for releases sent from this host: %s",
		 strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * One --interface with --bind-interfaces/--bind-dynamic: bind the socket
 * to that device so another DHCP server on another bridge (libvirt's
 * dnsmasq, say) gets its own unicast renewals.  Re-applied when the
 * bridge is re-created with a new index.
 */
static void apply_device_binding(struct dhcp4_server *s)
{
	const struct config *cfg = s->d.cfg;
	const struct nl_iface *i;

	if (!(cfg->bind_interfaces || cfg->bind_dynamic) || cfg->ninterfaces != 1 ||
	    strchr(cfg->interfaces[0], '*'))
		return;
	i = netlink_iface_by_name(s->d.nl, cfg->interfaces[0]);
	if (!i || i->ifindex == s->bound_ifindex)
		return;
	if (setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, i->name, (socklen_t)strlen(i->name)) < 0) {
		log_warn("cannot bind DHCP socket to %s: %s", i->name, strerror(errno));
		return;
	}
	log_info("DHCP socket bound to %s (index %d)", i->name, i->ifindex);
	s->bound_ifindex = i->ifindex;
	open_lo_socket(s);
}

void dhcp4_server_interfaces_changed(struct dhcp4_server *s)
{
	apply_device_binding(s);
}

static void fill_iface(const struct nl_iface *src, struct dhcp4_iface *dst)
{
	dst->ifindex = src->ifindex;
	str_copy(dst->name, src->name, sizeof(dst->name));
	dst->naddrs = MIN(src->naddrs, (size_t)DHCP4_IFACE_MAX_ADDRS);
	memcpy(dst->addrs, src->addrs, dst->naddrs * sizeof(dst->addrs[0]));
	memcpy(dst->netmasks, src->netmasks, dst->naddrs * sizeof(dst->netmasks[0]));
}

/* Address, source and interface of one reply, for sendmmsg. */
struct send_slot {
	struct iovec iov;
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
};

static void prepare_send(struct dhcp4_server *s, struct queued_reply *r,
			 struct send_slot *slot, struct mmsghdr *m)
{
	struct cmsghdr *cm;
	struct in_pktinfo *pi;

	memset(slot->cbuf, 0, sizeof(slot->cbuf));
	slot->iov.iov_base = r->buf;
	slot->iov.iov_len = r->len;
	memset(m, 0, sizeof(*m));
	m->msg_hdr.msg_name = &r->dst;
	m->msg_hdr.msg_namelen = sizeof(r->dst);
	m->msg_hdr.msg_iov = &slot->iov;
	m->msg_hdr.msg_iovlen = 1;
	m->msg_hdr.msg_control = slot->cbuf;
	m->msg_hdr.msg_controllen = sizeof(slot->cbuf);
	cm = CMSG_FIRSTHDR(&m->msg_hdr);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)CMSG_DATA(cm);
	pi->ipi_ifindex = r->ifindex;
	pi->ipi_spec_dst = r->src;
	/* The client has no address yet: tell the kernel where it is. */
	if (r->set_neighbour)
		netlink_set_neighbour(s->d.nl, r->ifindex, r->dst.sin_addr, r->chaddr, r->hlen);
}

/* Send n prepared replies with as few system calls as the kernel allows. */
static void send_batch(struct dhcp4_server *s, struct mmsghdr *msgs, unsigned n)
{
	unsigned done = 0;

	while (done < n) {
		int sent = sendmmsg(s->fd, msgs + done, n - done, MSG_DONTWAIT);

		if (sent <= 0) {
			/* Skip the one that failed, say why, go on with the rest. */
			const struct sockaddr_in *to = msgs[done].msg_hdr.msg_name;

			log_ratelimited("dhcp-send", LOG_WARNING, "cannot send DHCP reply to %s: %s",
					inet_ntoa(to->sin_addr), strerror(errno));
			done++;
			continue;
		}
		s->stats.replies += (uint64_t)sent;
		done += (unsigned)sent;
	}
}

/* Send the replies that wait for nothing (OFFER, NAK, INFORM's ACK ...). */
static void send_now(struct dhcp4_server *s)
{
	struct mmsghdr msgs[SEND_BATCH];
	struct send_slot slots[SEND_BATCH];

	for (size_t i = 0; i < s->nnow; i++)
		prepare_send(s, &s->now[i], &slots[i], &msgs[i]);
	send_batch(s, msgs, (unsigned)s->nnow);
	s->nnow = 0;
}

void dhcp4_server_send_durable(struct dhcp4_server *s)
{
	uint64_t durable = store_durable_seq(s->d.store);
	size_t ready;

	if (s->nnow)
		send_now(s);
	/* Too old first: a stale reply never goes out, whatever the store says. */
	ready = reply_hold_ready(s->held, durable, now_mono_ms());
	while (ready) {
		struct mmsghdr msgs[SEND_BATCH];
		struct send_slot slots[SEND_BATCH];
		unsigned n = 0;

		/* Held entries stay put until the batch is sent. */
		while (n < SEND_BATCH && n < ready) {
			prepare_send(s, reply_hold_at(s->held, n), &slots[n], &msgs[n]);
			n++;
		}
		send_batch(s, msgs, n);
		reply_hold_pop(s->held, n);
		ready -= n;
	}
}

/* Turn a verdict into a queued reply: RFC 2131 4.1 destinations. */
static void queue_result(struct dhcp4_server *s, const struct dhcp4_iface *iface,
			 const struct dhcp4_result *res)
{
	uint64_t seq = res->lease_changed ? store_pending_seq(s->d.store) : 0;
	struct queued_reply *q;
	struct in_addr server_addr = { 0 }, mask;

	/*
	 * Only a reply that grants a lease change waits for the disk; an
	 * OFFER, a NAK or an INFORM's ACK promises nothing the disk must
	 * keep, so a slow or full disk must not hold it.
	 */
	if (seq <= store_durable_seq(s->d.store)) {
		if (s->nnow == SEND_BATCH)
			send_now(s);
		q = &s->now[s->nnow++];
	} else {
		q = reply_hold_push(s->held, seq, now_mono_ms());
		if (!q) {
			s->stats.dropped_waiting++;
			log_ratelimited("dhcp-hold", LOG_WARNING, "%d DHCP replies already wait for "
					"the disk: reply dropped (the client will retry)", HOLD_MAX);
			return;
		}
	}
	dhcp4_range_for_iface(s->d.cfg, iface, &server_addr, &mask);
	q->ifindex = iface->ifindex;
	q->src = server_addr;
	q->dst.sin_family = AF_INET;
	q->dst.sin_port = htons(DHCP4_CLIENT_PORT);
	q->set_neighbour = false;
	switch (res->dest) {
	case DHCP4_TO_RELAY:
		q->dst.sin_port = htons(DHCP4_SERVER_PORT);
		q->dst.sin_addr = res->dest_addr;
		break;
	case DHCP4_TO_CIADDR:
		q->dst.sin_addr = res->dest_addr;
		break;
	case DHCP4_TO_BROADCAST:
		q->dst.sin_addr.s_addr = INADDR_BROADCAST;
		break;
	case DHCP4_TO_YIADDR:
		q->dst.sin_addr = res->dest_addr;
		q->set_neighbour = res->hlen > 0 && res->hlen <= sizeof(q->chaddr);
		memcpy(q->chaddr, res->chaddr, sizeof(q->chaddr));
		q->hlen = res->hlen;
		if (!q->set_neighbour)
			q->dst.sin_addr.s_addr = INADDR_BROADCAST;
		break;
	}
	q->len = res->reply_len;
	memcpy(q->buf, res->reply, res->reply_len);
}

static bool probe_ok_cb(void *arg, struct in_addr addr)
{
	struct dhcp4_server *s = arg;

	return probe_is_clear(s->probe, addr);
}

static void handle_packet(struct dhcp4_server *s, const struct nl_iface *nif,
			  const uint8_t *pkt, size_t len, bool replay);

static const char *const probe_how_name[] = {
	[PROBE_BY_NEIGHBOUR] = "the neighbour table knows it",
	[PROBE_BY_ARP] = "it answers ARP",
	[PROBE_BY_PING] = "it answers a ping",
	[PROBE_BY_SILENCE] = "",
};

/* An address found in use: not offered again for a while, and the log says why. */
static void note_conflict(struct dhcp4_server *s, const struct probe_result *r)
{
	char mac[MAC_STR_LEN] = "";

	s->stats.conflicts++;
	if (r->has_mac)
		mac_format(r->mac, mac);
	log_warn("%s is in use (%s%s%s) but has no lease here: not offering it for %d s",
		 inet_ntoa(r->addr), probe_how_name[r->how], r->has_mac ? " at " : "", mac,
		 DHCP4_PROBE_QUARANTINE);
	lease_quarantine(s->d.leases, lease_addr4(r->addr), now_wall() + DHCP4_PROBE_QUARANTINE);
}

/* A check finished: quarantine what is in use, then handle every parked DISCOVER again. */
static void on_probe_done(void *ctx, const struct probe_result *r,
			  const struct probe_waiter *waiters)
{
	struct dhcp4_server *s = ctx;

	if (r->in_use)
		note_conflict(s, r);
	for (const struct probe_waiter *w = waiters; w; w = w->next) {
		const struct nl_iface *nif = netlink_iface_by_index(s->d.nl, w->tag);

		if (nif)
			handle_packet(s, nif, w->data, w->len, true);
	}
}

/*
 * The engine wants res->probe_addr checked before it offers it: park the
 * DISCOVER with the check (RFC 2131 section 2.2), or handle it again at
 * once when the answer is already known (the neighbour table shows the
 * address in use) or no check is possible (it then counts as free).
 */
static void check_address(struct dhcp4_server *s, const struct nl_iface *nif,
			  const uint8_t *pkt, size_t len, const struct dhcp4_result *res)
{
	struct probe_target t = { .addr = res->probe_addr };
	struct probe_result conflict;

	if (res->probe_src.s_addr && nif->hwlen == 6) {
		t.ifindex = nif->ifindex;
		t.src = res->probe_src;
		t.src_mac = nif->hwaddr;
	}
	if (res->hlen == 6)
		t.client_mac = res->chaddr;
	switch (probe_start(s->probe, &t, nif->ifindex, pkt, len, &conflict)) {
	case PROBE_PENDING:
		s->stats.probes++;
		return;
	case PROBE_CONFLICT:
		note_conflict(s, &conflict);
		break;
	case PROBE_UNCHECKED:
		log_ratelimited("probe", LOG_WARNING,
				"conflict check of %s not possible; offering without it",
				inet_ntoa(res->probe_addr));
		break;
	}
	handle_packet(s, nif, pkt, len, true);
}

static void handle_packet(struct dhcp4_server *s, const struct nl_iface *nif,
			  const uint8_t *pkt, size_t len, bool replay)
{
	struct dhcp4_iface iface;
	struct dhcp4_env env = {
		.cfg = s->d.cfg,
		.hosts = s->d.hosts,
		.reserved = s->reserved,
		.leases = s->d.leases,
		.offers = s->offers,
		.iface = &iface,
		.now = now_wall(),
		.probe_ok = s->probe ? probe_ok_cb : NULL,
		.probe_arg = s,
		.work = s->work,
		.replay = replay,
	};
	struct dhcp4_result *res = &s->result;

	fill_iface(nif, &iface);
	dhcp4_handle(&env, pkt, len, res);
	if (!replay && res->request_type <= DHCPINFORM)
		s->stats.received_by_type[res->request_type]++;
	switch (res->verdict) {
	case DHCP4_IGNORE:
		break;
	case DHCP4_PROBE:
		check_address(s, nif, pkt, len, res);
		break;
	case DHCP4_REPLY:
		if (res->reply_type <= DHCPINFORM)
			s->stats.sent_by_type[res->reply_type]++;
		queue_result(s, &iface, res);
		break;
	}
}

static int recv_ifindex(struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
			return ((struct in_pktinfo *)CMSG_DATA(cm))->ipi_ifindex;
	return 0;
}

static void on_readable(void *ctx, int fd, uint32_t events)
{
	struct dhcp4_server *s = ctx;
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iovs[RECV_BATCH];
	int n;

	(void)events;
	for (int i = 0; i < RECV_BATCH; i++) {
		iovs[i].iov_base = s->rbufs[i];
		iovs[i].iov_len = sizeof(s->rbufs[i]);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_control = s->cbufs[i];
		msgs[i].msg_hdr.msg_controllen = sizeof(s->cbufs[i]);
	}
	n = recvmmsg(fd, msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		int ifindex = recv_ifindex(&msgs[i].msg_hdr);
		const struct nl_iface *nif = netlink_iface_by_index(s->d.nl, ifindex);

		s->stats.received++;
		if (nif && !iface_served(s->d.cfg, nif))
			nif = iface_is_loopback(nif) ? local_release_iface(s, s->rbufs[i],
									   msgs[i].msg_len)
						     : NULL;
		if (!nif || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
			s->stats.dropped++;
			continue;
		}
		handle_packet(s, nif, s->rbufs[i], msgs[i].msg_len, false);
	}
	/* Replies that need no durable change (OFFER, NAK) leave now. */
	dhcp4_server_send_durable(s);
}

static int open_socket(const struct config *cfg, struct error *err)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(DHCP4_SERVER_PORT) };
	int fd, one = 1, rcvbuf = DHCP4_RCVBUF;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0)
		goto fail;
	/* Several servers, each bound to its own bridge, share port 67. */
	if ((cfg->bind_interfaces || cfg->bind_dynamic) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	/*
	 * Room for a burst: the loop may be off the CPU for tens of
	 * milliseconds (a busy core, the once-a-second lease-file rewrite
	 * beside it), and the default buffer holds only a few hundred
	 * requests.  FORCE needs CAP_NET_ADMIN, which we have here at start.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto fail;
	return fd;
fail:
	error_set(err, EXIT_NETWORK, "failed to bind DHCP server socket (0.0.0.0 port %d): %s",
		 DHCP4_SERVER_PORT, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct dhcp4_server *dhcp4_server_new(const struct dhcp4_server_deps *deps,
				      struct error *err)
{
	struct dhcp4_server *s = xcalloc(1, sizeof(*s));

	s->d = *deps;
	s->lo_fd = -1;
	s->held = reply_hold_new(sizeof(struct queued_reply), HOLD_MAX, HOLD_MAX_AGE_MS);
	s->work = dhcp4_work_new();
	s->offers = offer4_new();
	s->reserved = dhcp4_reserved_new(deps->cfg, deps->hosts);
	s->local_req = xmalloc(sizeof(*s->local_req));
	s->fd = open_socket(deps->cfg, err);
	if (s->fd < 0) {
		goto fail;
	}
	if (!deps->cfg->no_ping) {
		s->probe = probe_new(deps->loop, deps->nl, on_probe_done, s, err);
		if (!s->probe) {
			goto fail;
		}
	}
	if (loop_add_fd(deps->loop, s->fd, EPOLLIN, on_readable, s) < 0) {
		error_set(err, EXIT_OTHER, "cannot watch DHCP socket: %s", strerror(errno));
		goto fail;
	}
	dhcp4_track_ranges(deps->cfg, deps->leases);
	apply_device_binding(s);
	return s;
fail:
	dhcp4_server_free(s);
	return NULL;
}

void dhcp4_server_free(struct dhcp4_server *s)
{
	if (!s)
		return;
	if (s->fd >= 0) {
		loop_del_fd(s->d.loop, s->fd);
		close(s->fd);
	}
	if (s->lo_fd >= 0) {
		loop_del_fd(s->d.loop, s->lo_fd);
		close(s->lo_fd);
	}
	probe_free(s->probe);
	offer4_free(s->offers);
	dhcp4_reserved_free(s->reserved);
	reply_hold_free(s->held);
	free(s->local_req);
	dhcp4_work_free(s->work);
	free(s);
}

static bool superseded_cb(void *env, const struct lease *l)
{
	char addr[LEASE_ADDR_STRLEN];

	if (!dhcp4_lease_superseded(env, l))
		return false;
	log_info("%s (%s): a changed reservation takes this address from its client: "
		 "no longer in DNS, NAK at the next renewal",
		 lease_addr_str(&l->addr, addr, sizeof(addr)), l->hostname);
	return true;
}

/*
 * Leases that the reservations now in force take from their clients (a
 * hostsfile line changed, then SIGHUP): their names stop answering now;
 * the clients get a NAK when they renew.
 */
static void unname_superseded(struct dhcp4_server *s)
{
	const struct nl_iface *ifs;
	size_t n = 0;

	ifs = netlink_ifaces(s->d.nl, &n);
	for (size_t i = 0; ifs && i < n; i++) {
		struct dhcp4_iface iface;
		struct dhcp4_env env = { .cfg = s->d.cfg, .hosts = s->d.hosts,
					 .leases = s->d.leases, .iface = &iface };

		if (iface_is_loopback(&ifs[i]) || !iface_served(s->d.cfg, &ifs[i]))
			continue;
		fill_iface(&ifs[i], &iface);
		lease_unname_if(s->d.leases, AF_INET, superseded_cb, &env);
	}
}

void dhcp4_server_set_hosts(struct dhcp4_server *s, const struct hostdb *hosts)
{
	s->d.hosts = hosts;
	/* The bitmap follows the reservations it was made from. */
	dhcp4_reserved_free(s->reserved);
	s->reserved = dhcp4_reserved_new(s->d.cfg, hosts);
	unname_superseded(s);
}

void dhcp4_server_log_stats(const struct dhcp4_server *s)
{
	const struct dhcp4_server_stats *st = &s->stats;

	log_info("DHCP: %llu received, %llu dropped, %llu replies (%llu offers, %llu acks, %llu naks), "
		 "%llu ping checks, %llu conflicts, %zu replies waiting for disk",
		 (unsigned long long)st->received, (unsigned long long)st->dropped,
		 (unsigned long long)st->replies, (unsigned long long)st->sent_by_type[DHCPOFFER],
		 (unsigned long long)st->sent_by_type[DHCPACK], (unsigned long long)st->sent_by_type[DHCPNAK],
		 (unsigned long long)st->probes, (unsigned long long)st->conflicts,
		 reply_hold_len(s->held));
}

void dhcp4_server_get_stats(const struct dhcp4_server *s, struct dhcp4_server_stats *out)
{
	*out = s->stats;
	out->waiting = reply_hold_len(s->held);
	out->dropped_waiting += reply_hold_dropped_old(s->held);
}
