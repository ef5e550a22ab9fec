/*
 * control_server (control_*) — the control socket and the commands
 * leasectl sends; see include/ctl/control.h and include/ctl/control_proto.h.
 */
#include "ctl/control.h"
#include "ctl/control_proto.h"
#include "dns/dns_local.h"
#include "lease/leasefile.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define RELEASE_HOLD_MAX (24 * 3600) /* a released address waits at most a day */

struct conn {
	struct control *ctl;
	int fd;
	char in[CONTROL_MAX_REQUEST];
	size_t inlen;
	char *out;
	size_t outlen, outcap;
	bool want_write;
	bool watching;
	bool closing;                /* close once out is written */
	/*
	 * Gone (the peer hung up, a write failed, a watcher fell behind):
	 * nothing more is read or written, and the loop frees it (conn_settle,
	 * on_conn_timer).  Never freed where it is found dead: a command may
	 * still be running on it, e.g. a release whose own watch event fails.
	 */
	bool dead;
	uint64_t hold_seq;           /* out waits until the store has this on disk */
	struct loop_timer *timer;    /* request and idle timeout; "now" once dead */
	struct conn *prev, *next;
};

struct control {
	struct control_deps d;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uid_t owner;                 /* the socket file's owner: who started the daemon */
	gid_t group;
	bool has_group;
	struct conn *conns;
	size_t nconns;
};

/* ---- the socket ---- */

void control_socket_path(const struct config *cfg, char *out, size_t outlen)
{
	if (cfg->control_socket && *cfg->control_socket)
		snprintf(out, outlen, "%s", cfg->control_socket);
	else
		control_socket_in(CONTROL_RUN_DIR, cfg->ninterfaces ? cfg->interfaces[0] : "leased",
				  out, outlen);
}

/* True when a daemon answers on path (then it is not ours to remove). */
static bool socket_in_use(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return used;
}

static int make_socket(struct control *c, char *err, size_t errlen, int *status)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old_mask;
	int rc;

	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path %s is too long", c->path);
		*status = EXIT_CONFIG;
		return -1;
	}
	str_copy(sun.sun_path, c->path, sizeof(sun.sun_path));
	if (str_has_prefix(c->path, CONTROL_RUN_DIR "/"))
		(void)mkdir(CONTROL_RUN_DIR, 0755);
	if (socket_in_use(&sun)) {
		snprintf(err, errlen, "another daemon answers on control socket %s", c->path);
		*status = EXIT_NETWORK;
		return -1;
	}
	(void)unlink(c->path); /* stale: left by a daemon killed with -9 */
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail;
	/* Created 0600 (0660 with a group) from the start: never a window of wider access. */
	old_mask = umask(c->has_group ? 0117 : 0177);
	rc = bind(c->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_mask);
	if (rc < 0 || (c->has_group && chown(c->path, 0, c->group) < 0) ||
	    listen(c->fd, 16) < 0)
		goto fail;
	/* Before --user takes effect: root, unless the daemon was started by another user. */
	c->owner = geteuid();
	return 0;
fail:
	snprintf(err, errlen, "cannot create control socket %s: %s", c->path, strerror(errno));
	*status = EXIT_FILESYSTEM;
	return -1;
}

/* ---- who may connect ---- */

/* Is gid among the peer's groups (from /proc: no NSS call in the loop)? */
static bool pid_in_group(pid_t pid, gid_t gid)
{
	char path[64], line[1024];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (!str_has_prefix(line, "Groups:"))
			continue;
		for (p = line + 7;; p = end) {
			unsigned long g = strtoul(p, &end, 10);

			if (end == p)
				break;
			if ((gid_t)g == gid) {
				found = true;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

static bool peer_allowed(const struct control *c, int fd, char *who, size_t wholen)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		snprintf(who, wholen, "unknown peer");
		return false;
	}
	snprintf(who, wholen, "uid %u (pid %d)", (unsigned)cred.uid, (int)cred.pid);
	/*
	 * Not the daemon's --user: that is nobody or a user shared with other
	 * services (lxc-net's "-u nobody"), and each of its processes could
	 * then release leases.  The socket file's owner is root unless the
	 * daemon was started unprivileged, by the user who then runs it.
	 */
	if (cred.uid == 0 || cred.uid == c->owner)
		return true;
	return c->has_group && (cred.gid == c->group || pid_in_group(cred.pid, c->group));
}

/* ---- connections ---- */

/* Only from a loop callback for k itself, or control_free: nothing else holds k then. */
static void conn_free(struct conn *k)
{
	struct control *c = k->ctl;

	loop_del_fd(c->d.loop, k->fd);
	close(k->fd);
	loop_timer_free(k->timer);
	if (k->prev)
		k->prev->next = k->next;
	else
		c->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	c->nconns--;
	free(k->out);
	free(k);
}

/* Mark k dead and have the loop free it (its timer, due now). */
static void conn_drop(struct conn *k)
{
	if (k->dead)
		return;
	k->dead = true;
	k->outlen = 0;
	loop_del_fd(k->ctl->d.loop, k->fd);
	loop_timer_arm(k->timer, now_mono_ms());
}

static void on_conn(void *ctx, int fd, uint32_t events);

static void set_want_write(struct conn *k, bool want)
{
	if (k->want_write == want || k->dead)
		return;
	k->want_write = want;
	loop_del_fd(k->ctl->d.loop, k->fd);
	if (loop_add_fd(k->ctl->d.loop, k->fd, EPOLLIN | (want ? EPOLLOUT : 0), on_conn, k) < 0) {
		log_warn("cannot watch a control connection: %s; closed", strerror(errno));
		conn_drop(k); /* unwatched, it would never be served nor freed */
	}
}

/* A release is answered once it is on disk (control_store_durable()). */
static bool held(const struct conn *k)
{
	return k->hold_seq > store_durable_seq(k->ctl->d.store);
}

/* Write what is queued, as much as the socket takes; a failure drops k. */
static void conn_flush(struct conn *k)
{
	size_t done = 0;

	if (held(k))
		return;
	while (done < k->outlen) {
		ssize_t n = send(k->fd, k->out + done, k->outlen - done, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			conn_drop(k);
			return;
		}
		done += (size_t)n;
	}
	if (done) {
		/* (k->out is NULL until a first reply: no memmove of nothing.) */
		memmove(k->out, k->out + done, k->outlen - done);
		k->outlen -= done;
	}
}

/*
 * The end of a loop callback for k: free it when it is dead or has said
 * its last word, else wait for room to write what is left.
 */
static void conn_settle(struct conn *k)
{
	if (k->dead || (k->closing && k->outlen == 0))
		conn_free(k);
	else
		set_want_write(k, k->outlen > 0 && !held(k));
}

/* Queue a finished JSON line (w's buffer). */
static void conn_queue(struct conn *k, const struct json_writer *w)
{
	if (k->outlen + w->len > k->outcap) {
		k->outcap = MAX(k->outcap * 2, k->outlen + w->len);
		k->out = xrealloc(k->out, k->outcap);
	}
	memcpy(k->out + k->outlen, w->buf, w->len);
	k->outlen += w->len;
}

static void reply_error(struct conn *k, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reply_error(struct conn *k, const char *code, const char *fmt, ...)
{
	struct control_error e = { .code = code };
	struct json_writer w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	json_writer_init(&w);
	control_write_error(&w, &e);
	conn_queue(k, &w);
	json_writer_free(&w);
}

/* ---- leases as JSON ---- */

struct name_list {
	struct json_writer *w;
};

static void add_name(void *ctx, const char *name)
{
	struct name_list *l = ctx;

	if (!str_has_suffix(name, ".in-addr.arpa") && !str_has_suffix(name, ".ip6.arpa"))
		json_string(l->w, NULL, name);
}

static bool lease_is_static(const struct control *c, const struct lease *l)
{
	/* Reservations are IPv4 only, so far. */
	return l->addr.family == AF_INET && hostdb_by_ip(*c->d.hosts, l->addr.v4) != NULL;
}

static void write_lease(const struct control *c, struct json_writer *w, const char *key,
			const struct lease *l, time_t now)
{
	char addr[LEASE_ADDR_STRLEN], hw[LEASEFILE_HW_MAX], id[3 * LEASE_CLIENT_ID_MAX];
	struct name_list names = { .w = w };

	json_begin_object(w, key);
	json_string(w, "address", lease_addr_str(&l->addr, addr, sizeof(addr)));
	if (l->addr.family == AF_INET6) {
		/* An IPv6 client is its DUID and IA; its MAC, when known, is no identity. */
		json_int(w, "family", 6);
		json_string(w, "duid", hex_format(l->client_id, l->client_id_len, id, sizeof(id)));
		json_int(w, "iaid", l->iaid);
		json_string(w, "ia", l->ia == LEASE_IA_TA ? "ta" : "na");
		json_string(w, "hostname", l->hostname);
	} else {
		json_int(w, "family", 4);
		/* As the lease file writes it: dnsmasq's "HT-" prefix for non-Ethernet. */
		json_string(w, "hwaddr", leasefile_format_hw(l, hw, sizeof(hw)));
		json_string(w, "hostname", l->hostname);
		if (l->client_id_len)
			json_string(w, "client_id",
				    hex_format(l->client_id, l->client_id_len, id, sizeof(id)));
		else
			json_null(w, "client_id");
	}
	json_int(w, "expires", l->expires);
	json_int(w, "expires_in", l->expires ? (l->expires > now ? l->expires - now : 0) : -1);
	json_string(w, "kind", lease_is_static(c, l) ? "static" : "dynamic");
	json_begin_array(w, "names");
	if (c->d.dns && l->hostname[0]) {
		/* The same names DNS answers and purges for this lease. */
		dns_local_lease_names(dns_service_local(c->d.dns), l, add_name, &names);
	}
	json_end_array(w);
	json_end_object(w);
}

/* ---- finding a lease by ADDR, MAC or NAME ---- */

static const struct lease *find_lease(const struct control *c, const char *key)
{
	struct lease_addr a;
	uint8_t mac[MAC_LEN];
	const struct lease *l;

	if (lease_addr_parse(key, &a))
		return lease_by_addr(c->d.leases, a);
	/* A MAC or a name: the IPv4 lease first, as leasectl lists them. */
	if (mac_parse(key, mac) == 0) {
		l = lease_by_hwaddr(c->d.leases, AF_INET, 1, mac, MAC_LEN);
		return l ? l : lease_by_hwaddr(c->d.leases, AF_INET6, 1, mac, MAC_LEN);
	}
	l = lease_by_name(c->d.leases, key, AF_INET);
	return l ? l : lease_by_name(c->d.leases, key, AF_INET6);
}

/* ---- commands ---- */

struct lease_walk {
	const struct control *c;
	struct json_writer *w;
	const struct nl_iface *iface;  /* filter, or NULL */
	time_t now;
};

static bool on_iface(const struct nl_iface *i, struct in_addr a)
{
	for (size_t k = 0; k < i->naddrs; k++)
		if ((a.s_addr & i->netmasks[k].s_addr) == (i->addrs[k].s_addr & i->netmasks[k].s_addr))
			return true;
	return false;
}

static void lease_row(void *ctx, const struct lease *l)
{
	struct lease_walk *lw = ctx;

	/* netlink gives IPv4 subnets only, so far: IPv6 leases match no interface. */
	if (!lw->iface || (l->addr.family == AF_INET && on_iface(lw->iface, l->addr.v4)))
		write_lease(lw->c, lw->w, NULL, l, lw->now);
}

static void cmd_leases(struct conn *k, const struct control_request *req, struct json_writer *w)
{
	struct lease_walk lw = { .c = k->ctl, .w = w, .now = now_wall() };

	if (req->interface[0]) {
		lw.iface = k->ctl->d.nl ? netlink_iface_by_name(k->ctl->d.nl, req->interface) : NULL;
		if (!lw.iface) {
			reply_error(k, CONTROL_E_NOT_FOUND, "no interface %s", req->interface);
			return;
		}
	}
	control_begin_result(w);
	json_begin_array(w, "leases");
	lease_foreach(k->ctl->d.leases, lease_row, &lw);
	json_end_array(w);
	control_end_result(w);
	conn_queue(k, w);
}

static void cmd_show(struct conn *k, const struct control_request *req, struct json_writer *w)
{
	const struct lease *l = find_lease(k->ctl, req->key);

	if (!l) {
		reply_error(k, CONTROL_E_NOT_FOUND, "no lease for %s", req->key);
		return;
	}
	control_begin_result(w);
	write_lease(k->ctl, w, "lease", l, now_wall());
	control_end_result(w);
	conn_queue(k, w);
}

/*
 * End the lease now.  The address is held back until the old lease would
 * have expired: the container still uses it until its next renewal, which
 * is refused (NAK), so nobody else may get it meanwhile.
 */
static void cmd_release(struct conn *k, const struct control_request *req, struct json_writer *w)
{
	const struct lease *found = find_lease(k->ctl, req->key);
	struct lease copy;
	time_t now = now_wall(), hold;

	if (!found) {
		reply_error(k, CONTROL_E_NOT_FOUND, "no lease for %s", req->key);
		return;
	}
	copy = *found;
	hold = copy.expires > now ? MIN(copy.expires, now + RELEASE_HOLD_MAX) : now;
	if (!copy.expires)
		hold = now + RELEASE_HOLD_MAX;
	if (lease_remove(k->ctl->d.leases, copy.addr, LEASE_EV_RELEASED) < 0) {
		reply_error(k, CONTROL_E_FAILED, "cannot remove the lease for %s", req->key);
		return;
	}
	if (hold > now) {
		lease_quarantine(k->ctl->d.leases, copy.addr, hold);
		store_quarantine(k->ctl->d.store, copy.addr, hold);
	}
	k->hold_seq = store_pending_seq(k->ctl->d.store);
	log_info("lease %s (%s) released by leasectl", req->key, copy.hostname);
	control_begin_result(w);
	write_lease(k->ctl, w, "released", &copy, now);
	control_end_result(w);
	conn_queue(k, w);
}

static void cmd_watch(struct conn *k, struct json_writer *w)
{
	k->watching = true;
	loop_timer_disarm(k->timer); /* a watcher may be quiet for days */
	control_begin_result(w);
	json_bool(w, "watching", true);
	control_end_result(w);
	conn_queue(k, w);
}

static const char *const dhcp_type_names[] = {
	[0] = "unparsable", [DHCPDISCOVER] = "discover", [DHCPOFFER] = "offer",
	[DHCPREQUEST] = "request", [DHCPDECLINE] = "decline", [DHCPACK] = "ack",
	[DHCPNAK] = "nak", [DHCPRELEASE] = "release", [DHCPINFORM] = "inform",
};

static void write_by_type(struct json_writer *w, const char *key, const uint64_t *counts)
{
	json_begin_object(w, key);
	for (size_t t = 0; t < ARRAY_SIZE(dhcp_type_names); t++)
		if (dhcp_type_names[t])
			json_int(w, dhcp_type_names[t], (int64_t)counts[t]);
	json_end_object(w);
}

struct range_count {
	const struct dhcp_range *r;
	size_t used;
};

static void count_in_range(void *ctx, const struct lease *l)
{
	struct range_count *rc = ctx;
	uint32_t a = ntohl(l->addr.v4.s_addr);

	if (l->addr.family == AF_INET && a >= ntohl(rc->r->start.s_addr) && a <= ntohl(rc->r->end.s_addr))
		rc->used++;
}

static void write_ranges(const struct control *c, struct json_writer *w)
{
	char s[INET_ADDRSTRLEN], e[INET_ADDRSTRLEN];

	json_begin_array(w, "ranges");
	for (size_t i = 0; i < c->d.cfg->nranges; i++) {
		const struct dhcp_range *r = &c->d.cfg->ranges[i];
		struct range_count rc = { .r = r };
		uint64_t size;

		if (r->family != AF_INET)
			continue;
		size = (uint64_t)ntohl(r->end.s_addr) - ntohl(r->start.s_addr) + 1;
		lease_foreach(c->d.leases, count_in_range, &rc);
		json_begin_object(w, NULL);
		json_string(w, "start", inet_ntop(AF_INET, &r->start, s, sizeof(s)));
		json_string(w, "end", inet_ntop(AF_INET, &r->end, e, sizeof(e)));
		json_int(w, "size", (int64_t)size);
		json_int(w, "used", (int64_t)rc.used);
		json_int(w, "free", (int64_t)(size > rc.used ? size - rc.used : 0));
		json_end_object(w);
	}
	json_end_array(w);
}

static void write_server(void *ctx, const struct dns_forward_server_info *s)
{
	struct json_writer *w = ctx;

	json_begin_object(w, NULL);
	json_string(w, "address", s->addr);
	if (s->domain)
		json_string(w, "domain", s->domain);
	else
		json_null(w, "domain");
	json_string(w, "from", s->from_resolv ? "resolv-file" : "server");
	json_string(w, "health", s->loop ? "loop" : s->down ? "down" : "up");
	json_int(w, "srtt_ms", s->srtt_ms);
	json_int(w, "queries", (int64_t)s->queries);
	json_int(w, "replies", (int64_t)s->replies);
	json_int(w, "timeouts", (int64_t)s->timeouts);
	json_end_object(w);
}

static void write_dns_stats(const struct control *c, struct json_writer *w)
{
	struct dns_service_stats st;

	if (!c->d.dns) {
		json_null(w, "dns");
		return;
	}
	dns_service_get_stats(c->d.dns, &st);
	json_begin_object(w, "dns");
	json_begin_object(w, "queries");
	json_int(w, "total", (int64_t)st.queries);
	json_int(w, "tcp", (int64_t)st.tcp_queries);
	json_int(w, "local", (int64_t)st.local);
	json_int(w, "cached", (int64_t)st.cached);
	json_int(w, "forwarded", (int64_t)st.forwarded);
	json_int(w, "forwarded_answered", (int64_t)st.upstream_answered);
	json_int(w, "forwarded_failed", (int64_t)st.upstream_failed);
	json_int(w, "refused", (int64_t)st.refused);
	json_int(w, "malformed", (int64_t)st.malformed);
	json_end_object(w);
	json_begin_object(w, "cache");
	json_int(w, "size", st.cache_size);
	json_int(w, "entries", (int64_t)st.cache.entries);
	json_int(w, "hits", (int64_t)st.cache.hits);
	json_int(w, "misses", (int64_t)st.cache.misses);
	json_int(w, "inserts", (int64_t)st.cache.inserts);
	json_int(w, "evictions", (int64_t)st.cache.evictions);
	json_int(w, "purged_by_leases", (int64_t)st.cache.purged);
	json_end_object(w);
	json_begin_array(w, "servers");
	dns_forward_foreach_server(dns_service_forward(c->d.dns), write_server, w);
	json_end_array(w);
	json_end_object(w);
}

static void write_store_health(const struct control *c, struct json_writer *w)
{
	struct store_health h;

	store_health(c->d.store, &h);
	json_begin_object(w, "store");
	json_string(w, "state", h.failing ? "failing" : "ok");
	if (h.failing)
		json_string(w, "error", h.error);
	else
		json_null(w, "error");
	json_int(w, "failing_for", h.failing ? (int64_t)((now_mono_ms() - h.since_ms) / 1000) : 0);
	json_int(w, "changes_waiting", (int64_t)h.waiting);
	json_end_object(w);
}

static void cmd_stats(struct conn *k, struct json_writer *w)
{
	const struct control *c = k->ctl;
	struct dhcp4_server_stats ds;

	dhcp4_server_get_stats(c->d.dhcp4, &ds);
	control_begin_result(w);
	json_begin_object(w, "dhcp");
	json_int(w, "received", (int64_t)ds.received);
	json_int(w, "dropped", (int64_t)ds.dropped);
	json_int(w, "replies", (int64_t)ds.replies);
	write_by_type(w, "received_by_type", ds.received_by_type);
	write_by_type(w, "sent_by_type", ds.sent_by_type);
	json_int(w, "ping_checks", (int64_t)ds.probes);
	json_int(w, "conflicts", (int64_t)ds.conflicts);
	json_int(w, "replies_waiting_for_disk", (int64_t)ds.waiting);
	json_int(w, "replies_dropped_waiting", (int64_t)ds.dropped_waiting);
	json_end_object(w);
	write_store_health(c, w);
	json_begin_object(w, "leases");
	json_int(w, "held", (int64_t)lease_count(c->d.leases));
	json_int(w, "max", c->d.cfg->lease_max);
	write_ranges(c, w);
	json_end_object(w);
	write_dns_stats(c, w);
	control_end_result(w);
	conn_queue(k, w);
}

/* One record as {"name","type","ttl","data"}. */
static void write_rr(struct json_writer *w, const struct dns_rr *rr)
{
	char type[16], data[DNS_NAME_STR * 2];
	const char *v = dns_rdata_format(rr, data, sizeof(data));

	json_begin_object(w, NULL);
	json_string(w, "name", rr->owner);
	json_string(w, "type", dns_type_name(rr->type, type, sizeof(type)));
	json_int(w, "ttl", rr->ttl);
	json_string(w, "data", v);
	json_end_object(w);
}

static void write_records(struct json_writer *w, const char *key, const struct dns_answer *a,
			  enum dns_section sec)
{
	json_begin_array(w, key);
	for (size_t i = 0; i < a->n[sec]; i++)
		write_rr(w, &a->rrs[sec][i]);
	json_end_array(w);
}

static const char *rcode_name(int rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP", "REFUSED" };

	return rcode >= 0 && (size_t)rcode < ARRAY_SIZE(names) ? names[rcode] : "OTHER";
}

static const char *outcome(const struct dns_answer *a)
{
	if (a->rcode != DNS_R_NOERROR)
		return rcode_name(a->rcode);
	return a->n[DNS_SEC_ANSWER] ? "answer" : "NODATA";
}

/* An entry's members; the question too unless the caller wrote it (explain). */
static void write_cache_entry(struct json_writer *w, const struct dns_cache_entry_info *e,
			      bool with_question)
{
	char type[16];

	if (with_question) {
		json_string(w, "name", e->qname);
		json_string(w, "type", dns_type_name(e->qtype, type, sizeof(type)));
	}
	json_string(w, "outcome", outcome(&e->answer));
	json_bool(w, "negative", e->negative);
	json_int(w, "ttl_left", e->ttl_left);
	write_records(w, "answer", &e->answer, DNS_SEC_ANSWER);
	write_records(w, "authority", &e->answer, DNS_SEC_AUTHORITY);
}

struct cache_walk {
	struct json_writer *w;
	const char *name;   /* filter, or NULL */
};

static void cache_row(void *ctx, const struct dns_cache_entry_info *e)
{
	struct cache_walk *cw = ctx;

	if (cw->name && !dns_name_equal(cw->name, e->qname))
		return;
	json_begin_object(cw->w, NULL);
	write_cache_entry(cw->w, e, true);
	json_end_object(cw->w);
}

static void cmd_cache(struct conn *k, const struct control_request *req, struct json_writer *w)
{
	struct dns_cache *cache;
	struct cache_walk cw = { .w = w, .name = req->name[0] ? req->name : NULL };

	if (!k->ctl->d.dns) {
		reply_error(k, CONTROL_E_FAILED, "DNS is off (--port=0): there is no cache");
		return;
	}
	cache = dns_service_cache(k->ctl->d.dns);
	control_begin_result(w);
	if (req->flush) {
		struct dns_cache_stats st;
		size_t n;

		dns_cache_stats(cache, &st);
		if (cw.name) {
			n = dns_cache_purge_name(cache, cw.name);
		} else {
			n = st.entries;
			dns_cache_clear(cache);
		}
		log_info("DNS cache: %zu entries flushed by leasectl%s%s", n, cw.name ? " for " : "",
			 cw.name ? cw.name : "");
		json_int(w, "flushed", (int64_t)n);
	} else {
		json_begin_array(w, "entries");
		dns_cache_foreach(cache, now_mono_ms() / 1000, cache_row, &cw);
		json_end_array(w);
	}
	control_end_result(w);
	conn_queue(k, w);
}

static int parse_type(const char *s)
{
	static const struct { const char *name; uint16_t type; } types[] = {
		{ "A", DNS_T_A }, { "AAAA", DNS_T_AAAA }, { "CNAME", DNS_T_CNAME },
		{ "PTR", DNS_T_PTR }, { "MX", DNS_T_MX }, { "TXT", DNS_T_TXT },
		{ "SRV", DNS_T_SRV }, { "NS", DNS_T_NS }, { "SOA", DNS_T_SOA },
		{ "HTTPS", DNS_T_HTTPS }, { "ANY", DNS_T_ANY },
	};
	uint32_t n;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (strcasecmp(s, types[i].name) == 0)
			return types[i].type;
	if (strncasecmp(s, "TYPE", 4) == 0 && parse_u32(s + 4, 65535, &n) == 0)
		return (int)n;
	return -1;
}

static void write_explanation(const struct control *c, struct json_writer *w,
			      const struct dns_explanation *x)
{
	const struct dns_local_result *l = x->local;

	switch (x->decision) {
	case DNS_EXPLAIN_LOCAL:
		json_string(w, "decision", "local");
		json_string(w, "source", l->source[0] ? l->source : "config");
		json_string(w, "detail", l->detail);
		json_string(w, "outcome", outcome(&l->answer));
		write_records(w, "answer", &l->answer, DNS_SEC_ANSWER);
		write_records(w, "authority", &l->answer, DNS_SEC_AUTHORITY);
		break;
	case DNS_EXPLAIN_CACHED:
		json_string(w, "decision", "cached");
		json_string(w, "detail", l->detail);
		write_cache_entry(w, &x->cached, false);
		break;
	case DNS_EXPLAIN_FORWARD:
		json_string(w, "decision", x->nservers ? "forward" : "refused");
		json_string(w, "detail", x->nservers ? l->detail
				       : "no upstream server for this name: answered REFUSED");
		if (x->nservers)
			json_string(w, "asked", x->all_at_once
				    ? "all at once; an answer that is not NXDOMAIN wins"
				    : "in turn; the next after a timeout, SERVFAIL or REFUSED");
		json_begin_array(w, "servers");
		for (size_t i = 0; i < x->nservers; i++) {
			struct dns_forward_server_info s;

			if (dns_forward_server_at(dns_service_forward(c->d.dns), x->servers[i], &s))
				write_server(w, &s);
		}
		json_end_array(w);
		break;
	}
}

static void cmd_explain(struct conn *k, const struct control_request *req, struct json_writer *w)
{
	struct dns_explanation x;
	int type = parse_type(req->type[0] ? req->type : "A");

	if (!k->ctl->d.dns) {
		reply_error(k, CONTROL_E_FAILED, "DNS is off (--port=0): nothing is answered");
		return;
	}
	if (type < 0) {
		reply_error(k, CONTROL_E_BAD_REQUEST, "unknown record type %s", req->type);
		return;
	}
	if (dns_service_explain(k->ctl->d.dns, req->name, (uint16_t)type, &x) < 0) {
		reply_error(k, CONTROL_E_BAD_REQUEST, "%s is not a valid DNS name", req->name);
		return;
	}
	control_begin_result(w);
	json_string(w, "name", req->name);
	json_string(w, "type", req->type[0] ? req->type : "A");
	write_explanation(k->ctl, w, &x);
	control_end_result(w);
	conn_queue(k, w);
}

static void write_change(struct json_writer *w, const char *key, size_t before, size_t after)
{
	json_begin_object(w, key);
	json_int(w, "before", (int64_t)before);
	json_int(w, "after", (int64_t)after);
	json_end_object(w);
}

static void cmd_reload(struct conn *k, struct json_writer *w)
{
	struct control_reload_report r = { 0 };

	k->ctl->d.reload(k->ctl->d.reload_ctx, &r);
	if (!r.ok) {
		reply_error(k, CONTROL_E_FAILED, "%s", r.error);
		return;
	}
	control_begin_result(w);
	json_begin_object(w, "changes");
	write_change(w, "reservations", r.reservations_before, r.reservations_after);
	write_change(w, "dns_records", r.dns_records_before, r.dns_records_after);
	write_change(w, "dns_servers", r.dns_servers_before, r.dns_servers_after);
	json_end_object(w);
	control_end_result(w);
	conn_queue(k, w);
}

static void handle_line(struct conn *k, const char *line, size_t len)
{
	struct control_request req;
	struct control_error err = { 0 };
	struct json_writer w;

	if (control_parse_request(line, len, &req, &err) < 0) {
		reply_error(k, err.code, "%s", err.message);
		return;
	}
	json_writer_init(&w);
	switch (req.command) {
	case CONTROL_LEASES:
		cmd_leases(k, &req, &w);
		break;
	case CONTROL_SHOW:
		cmd_show(k, &req, &w);
		break;
	case CONTROL_RELEASE:
		cmd_release(k, &req, &w);
		break;
	case CONTROL_WATCH:
		cmd_watch(k, &w);
		break;
	case CONTROL_STATS:
		cmd_stats(k, &w);
		break;
	case CONTROL_CACHE:
		cmd_cache(k, &req, &w);
		break;
	case CONTROL_EXPLAIN:
		cmd_explain(k, &req, &w);
		break;
	case CONTROL_RELOAD:
		cmd_reload(k, &w);
		break;
	}
	json_writer_free(&w);
}

/* Every whole line in the input; false when the connection must end. */
static bool process_input(struct conn *k)
{
	size_t off = 0;

	while (!k->dead) {
		char *nl = memchr(k->in + off, '\n', k->inlen - off);

		if (!nl)
			break;
		handle_line(k, k->in + off, (size_t)(nl - (k->in + off)));
		off = (size_t)(nl - k->in) + 1;
	}
	memmove(k->in, k->in + off, k->inlen - off);
	k->inlen -= off;
	if (k->inlen == sizeof(k->in)) {
		reply_error(k, CONTROL_E_BAD_REQUEST, "request longer than %d bytes",
			    CONTROL_MAX_REQUEST);
		return false;
	}
	return true;
}

static void arm_timer(struct conn *k)
{
	if (k->watching)
		return;
	/* A partial request must complete soon; an idle client may wait longer. */
	loop_timer_arm(k->timer, now_mono_ms() + (k->inlen ? CONTROL_REQUEST_TIMEOUT_MS
							    : CONTROL_IDLE_TIMEOUT_MS));
}

static void on_conn(void *ctx, int fd, uint32_t events)
{
	struct conn *k = ctx;

	if (events & EPOLLIN) {
		ssize_t n = recv(fd, k->in + k->inlen, sizeof(k->in) - k->inlen, MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_drop(k);
		} else if (n > 0) {
			k->inlen += (size_t)n;
			if (!process_input(k))
				k->closing = true;
			arm_timer(k);
		}
	} else if (events & (EPOLLERR | EPOLLHUP)) {
		conn_drop(k);
	}
	if (!k->dead)
		conn_flush(k);
	conn_settle(k);
}

static void on_conn_timer(void *ctx)
{
	struct conn *k = ctx;

	if (k->inlen && !k->dead)
		log_ratelimited("control-slow", LOG_INFO,
				"control connection sent half a request for %d ms; closed",
				CONTROL_REQUEST_TIMEOUT_MS);
	conn_free(k);
}

static void refuse(int fd, const char *code, const char *msg)
{
	struct control_error e = { .code = code };
	struct json_writer w;

	str_copy(e.message, msg, sizeof(e.message));
	json_writer_init(&w);
	control_write_error(&w, &e);
	(void)send(fd, w.buf, w.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	json_writer_free(&w);
	close(fd);
}

static void on_accept(void *ctx, int fd, uint32_t events)
{
	struct control *c = ctx;
	char who[64], msg[200], owner[32] = "";
	int cfd;

	(void)events;
	if (c->owner != 0)
		snprintf(owner, sizeof(owner), ", uid %u", (unsigned)c->owner);
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct conn *k;

		if (!peer_allowed(c, cfd, who, sizeof(who))) {
			if (snprintf(msg, sizeof(msg), "%s may not use %s (root%s%s%s only)", who,
				     c->path, owner, c->has_group ? " or group " : "",
				     c->has_group ? c->d.cfg->control_group : "") >= (int)sizeof(msg))
				msg[sizeof(msg) - 1] = '\0'; /* cut: still says who and why */
			log_ratelimited("control-denied", LOG_WARNING, "control: %s", msg);
			refuse(cfd, CONTROL_E_PERMISSION, msg);
			continue;
		}
		if (c->nconns >= CONTROL_MAX_CONNS) {
			refuse(cfd, CONTROL_E_BUSY, "too many control connections; try again");
			continue;
		}
		k = xcalloc(1, sizeof(*k));
		k->ctl = c;
		k->fd = cfd;
		k->timer = loop_timer_new(c->d.loop, on_conn_timer, k);
		if (loop_add_fd(c->d.loop, cfd, EPOLLIN, on_conn, k) < 0) {
			loop_timer_free(k->timer);
			free(k);
			close(cfd);
			continue;
		}
		k->next = c->conns;
		if (c->conns)
			c->conns->prev = k;
		c->conns = k;
		c->nconns++;
		arm_timer(k);
	}
}

/* ---- interface ---- */

struct control *control_open(const struct control_deps *deps, char *err, size_t errlen,
			     int *status)
{
	struct control *c = xcalloc(1, sizeof(*c));

	c->d = *deps;
	c->fd = -1;
	control_socket_path(deps->cfg, c->path, sizeof(c->path));
	if (deps->cfg->control_group) {
		struct group *g = getgrnam(deps->cfg->control_group);

		if (!g) {
			snprintf(err, errlen, "unknown group %s (--control-group)",
				 deps->cfg->control_group);
			*status = EXIT_CONFIG;
			goto fail;
		}
		c->group = g->gr_gid;
		c->has_group = true;
	}
	if (make_socket(c, err, errlen, status) < 0)
		goto fail;
	if (loop_add_fd(c->d.loop, c->fd, EPOLLIN, on_accept, c) < 0) {
		snprintf(err, errlen, "cannot watch control socket %s: %s", c->path, strerror(errno));
		*status = EXIT_OTHER;
		goto fail;
	}
	return c;
fail:
	if (c->fd >= 0) {
		close(c->fd);
		(void)unlink(c->path);
	}
	free(c);
	return NULL;
}

void control_store_durable(struct control *c)
{
	struct conn *next;

	if (!c)
		return;
	for (struct conn *k = c->conns; k; k = next) {
		next = k->next; /* conn_settle may free k */
		if (k->hold_seq && k->outlen && !k->dead) {
			conn_flush(k);
			conn_settle(k);
		}
	}
}

void control_free(struct control *c)
{
	struct stat st;

	if (!c)
		return;
	while (c->conns)
		conn_free(c->conns);
	loop_del_fd(c->d.loop, c->fd);
	close(c->fd);
	/* Remove it if it is still the socket we made (not a successor's). */
	if (lstat(c->path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(c->path);
	free(c);
}

static const char *event_name(enum lease_event ev)
{
	switch (ev) {
	case LEASE_EV_LOADED:
		return "load";
	case LEASE_EV_GRANTED:
		return "grant";
	case LEASE_EV_RENEWED:
		return "renew";
	case LEASE_EV_RELEASED:
		return "release";
	case LEASE_EV_EXPIRED:
		return "expire";
	case LEASE_EV_DECLINED:
		return "decline";
	case LEASE_EV_DISPLACED:
		return "displace";
	}
	return "change";
}

void control_lease_changed(void *ctx, const struct lease *old, const struct lease *new,
			   enum lease_event ev)
{
	struct control *c = ctx;
	struct json_writer w;
	bool any = false;
	time_t now;

	for (struct conn *k = c->conns; k && !any; k = k->next)
		any = k->watching && !k->dead;
	if (!any || ev == LEASE_EV_LOADED)
		return;
	now = now_wall();
	json_writer_init(&w);
	control_begin_event(&w);
	json_string(&w, "type", event_name(ev));
	json_int(&w, "time", now);
	write_lease(c, &w, "lease", new ? new : old, now);
	if (old && new && strcmp(old->hostname, new->hostname) != 0)
		json_string(&w, "old_hostname", old->hostname);
	control_end_event(&w);
	/*
	 * Only queue: this runs inside whatever changed the lease, possibly a
	 * command on one of these very connections, so none may be written
	 * to or freed here.  The loop writes when the socket has room.
	 */
	for (struct conn *k = c->conns; k; k = k->next) {
		if (!k->watching || k->dead)
			continue;
		if (k->outlen + w.len > CONTROL_MAX_BACKLOG) {
			log_warn("control: a watcher stopped reading; disconnected");
			conn_drop(k);
			continue;
		}
		conn_queue(k, &w);
		set_want_write(k, true);
	}
	json_writer_free(&w);
}
