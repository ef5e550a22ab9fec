/*
 * control_cmd_leases — the lease commands of the control socket (leases,
 * show, release, watch) and the events `leasectl watch` then gets; see
 * include/ctl/control_cmd.h.  A lease is written as the LEASE object of
 * include/ctl/control_proto.h.
 *
 * May include: ctl/, core/, conf/ (the reservations), lease/, net/ (an
 * interface's subnets), dns/ (a lease's names), store/ (a release is
 * answered once durable).
 */
#include "ctl/control_cmd.h"
#include "ctl/control.h"
#include "ctl/control_proto.h"
#include "conf/hostdb.h"
#include "dns/dns_local.h"
#include "dns/dns_server.h"
#include "lease/lease.h"
#include "lease/leasefile.h"
#include "net/netlink.h"
#include "store/store.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RELEASE_HOLD_MAX (24 * 3600) /* a released address waits at most a day */

struct control_leases {
	struct control_leases_deps d;
	struct control *ctl;         /* where watch events go (control_leases_set_server) */
};

struct control_leases *control_leases_new(const struct control_leases_deps *deps)
{
	struct control_leases *c = xcalloc(1, sizeof(*c));

	c->d = *deps;
	return c;
}

void control_leases_free(struct control_leases *c)
{
	free(c);
}

void control_leases_set_hosts(struct control_leases *c, const struct hostdb *hosts)
{
	c->d.hosts = hosts;
}

void control_leases_set_server(struct control_leases *c, struct control *ctl)
{
	c->ctl = ctl;
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

static bool lease_is_static(const struct control_leases *c, const struct lease *l)
{
	/* Reservations are IPv4 only, so far. */
	return l->addr.family == AF_INET && hostdb_by_ip(c->d.hosts, l->addr.v4) != NULL;
}

static void write_lease(const struct control_leases *c, struct json_writer *w, const char *key,
			const struct lease *l, time_t now)
{
	char addr[LEASE_ADDR_STRLEN], hw[LEASEFILE_HW_MAX], id[3 * LEASE_CLIENT_ID_MAX];
	struct name_list names = { .w = w };

	json_begin_object(w, key);
	json_string(w, "address", lease_addr_str(&l->addr, addr, sizeof(addr)));
	if (l->addr.family == AF_INET6) {
		/* An IPv6 client is its DUID and IA; its MAC, when known, is no identity. */
		json_int(w, "family", 6);
		if (l->hwlen)
			json_string(w, "hwaddr", leasefile_format_hw(l, hw, sizeof(hw)));
		else
			json_null(w, "hwaddr");
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

static const struct lease *find_lease(const struct control_leases *c, const char *key)
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

/*
 * Every lease KEY names: an address names one; a MAC or a name names a
 * client, whose IPv4 lease and IPv6 leases (same MAC, or the name they
 * share) all go.  Copies, IPv4 first; returns how many (at most max).
 */
struct key_walk {
	const uint8_t *mac;
	struct lease *out;
	size_t n, max;
};

static void collect_mac6(void *ctx, const struct lease *l)
{
	struct key_walk *k = ctx;

	if (l->addr.family == AF_INET6 && l->hwlen == MAC_LEN &&
	    memcmp(l->hwaddr, k->mac, MAC_LEN) == 0 && k->n < k->max &&
	    !lease_addr_equal(&k->out[0].addr, &l->addr))
		k->out[k->n++] = *l;
}

static void collect_all(void *ctx, const struct lease *l)
{
	struct key_walk *k = ctx;

	if (k->n < k->max && !(k->n > 0 && lease_addr_equal(&k->out[0].addr, &l->addr)))
		k->out[k->n++] = *l;
}

static size_t leases_of_key(const struct control_leases *c, const char *key, struct lease *out,
			    size_t max)
{
	const struct lease *first = find_lease(c, key);
	struct key_walk k = { .out = out, .max = max };
	uint8_t mac[MAC_LEN];

	if (!first)
		return 0;
	out[k.n++] = *first;
	if (lease_addr_parse(key, &(struct lease_addr){ 0 }))
		return k.n;
	if (mac_parse(key, mac) == 0) {
		k.mac = mac;
		lease_foreach(c->d.leases, collect_mac6, &k);
		return k.n;
	}
	lease_each_by_name(c->d.leases, key, AF_UNSPEC, collect_all, &k);
	return k.n;
}

/* ---- the commands ---- */

struct lease_walk {
	const struct control_leases *c;
	struct json_writer *w;
	const struct nl_iface *iface;  /* filter, or NULL */
	time_t now;
};

/* Whether the lease's address is in one of the interface's subnets. */
static bool on_iface(const struct nl_iface *i, const struct lease_addr *a)
{
	for (size_t k = 0; a->family == AF_INET && k < i->naddrs; k++)
		if ((a->v4.s_addr & i->netmasks[k].s_addr) ==
		    (i->addrs[k].s_addr & i->netmasks[k].s_addr))
			return true;
	for (size_t k = 0; a->family == AF_INET6 && k < i->naddrs6; k++)
		if (!IN6_IS_ADDR_LINKLOCAL(&i->addrs6[k].addr) &&
		    in6_same_prefix(&a->v6, &i->addrs6[k].addr, i->addrs6[k].prefixlen))
			return true;
	return false;
}

static void lease_row(void *ctx, const struct lease *l)
{
	struct lease_walk *lw = ctx;

	if (!lw->iface || on_iface(lw->iface, &l->addr))
		write_lease(lw->c, lw->w, NULL, l, lw->now);
}

void control_cmd_leases(void *ctx, struct control_conn *k, const struct control_request *req,
			struct json_writer *w)
{
	const struct control_leases *c = ctx;
	struct lease_walk lw = { .c = c, .w = w, .now = now_wall() };

	if (req->interface[0]) {
		lw.iface = c->d.nl ? netlink_iface_by_name(c->d.nl, req->interface) : NULL;
		if (!lw.iface) {
			control_reply_error(k, CONTROL_E_NOT_FOUND, "no interface %s",
					    req->interface);
			return;
		}
	}
	control_begin_result(w);
	json_begin_array(w, "leases");
	lease_foreach(c->d.leases, lease_row, &lw);
	json_end_array(w);
	control_end_result(w);
	control_reply(k, w);
}

void control_cmd_show(void *ctx, struct control_conn *k, const struct control_request *req,
		      struct json_writer *w)
{
	const struct control_leases *c = ctx;
	const struct lease *l = find_lease(c, req->key);

	if (!l) {
		control_reply_error(k, CONTROL_E_NOT_FOUND, "no lease for %s", req->key);
		return;
	}
	control_begin_result(w);
	write_lease(c, w, "lease", l, now_wall());
	control_end_result(w);
	control_reply(k, w);
}

/* End one lease; its address is held back until the lease would have expired. */
static int release_one(const struct control_leases *c, const struct lease *l, time_t now)
{
	time_t hold = l->expires > now ? MIN(l->expires, now + RELEASE_HOLD_MAX) : now;

	if (!l->expires)
		hold = now + RELEASE_HOLD_MAX;
	if (lease_remove(c->d.leases, l->addr, LEASE_EV_RELEASED) < 0)
		return -1;
	if (hold > now) {
		lease_quarantine(c->d.leases, l->addr, hold);
		store_quarantine(c->d.store, l->addr, hold);
	}
	return 0;
}

#define RELEASE_MAX 16 /* one client's leases: one IPv4, one IPv6 per IA */

/*
 * End the lease now (for a MAC or a name: the client's IPv4 and IPv6
 * leases).  Each address is held back until the old lease would have
 * expired: the container still uses it until its next renewal, which is
 * refused (NAK, NoBinding), so nobody else may get it meanwhile.  The
 * reply names the first as "released", the others in "also_released".
 */
void control_cmd_release(void *ctx, struct control_conn *k, const struct control_request *req,
			 struct json_writer *w)
{
	const struct control_leases *c = ctx;
	struct lease found[RELEASE_MAX];
	size_t n = leases_of_key(c, req->key, found, RELEASE_MAX);
	time_t now = now_wall();

	if (n == 0) {
		control_reply_error(k, CONTROL_E_NOT_FOUND, "no lease for %s", req->key);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (release_one(c, &found[i], now) < 0) {
			control_reply_error(k, CONTROL_E_FAILED, "cannot remove the lease for %s",
					    req->key);
			return;
		}
	control_hold(k, store_pending_seq(c->d.store));
	log_info("lease %s (%s) released by leasectl%s", req->key, found[0].hostname,
		 n > 1 ? ", with the client's other leases" : "");
	control_begin_result(w);
	write_lease(c, w, "released", &found[0], now);
	if (n > 1) {
		json_begin_array(w, "also_released");
		for (size_t i = 1; i < n; i++)
			write_lease(c, w, NULL, &found[i], now);
		json_end_array(w);
	}
	control_end_result(w);
	control_reply(k, w);
}

void control_cmd_watch(void *ctx, struct control_conn *k, const struct control_request *req,
		       struct json_writer *w)
{
	(void)ctx;
	(void)req;
	control_watch(k);
	control_begin_result(w);
	json_bool(w, "watching", true);
	control_end_result(w);
	control_reply(k, w);
}

/* ---- `leasectl watch` events ---- */

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

void control_leases_changed(void *ctx, const struct lease *old, const struct lease *new,
			    enum lease_event ev)
{
	const struct control_leases *c = ctx;
	struct json_writer w;
	time_t now;

	if (!control_has_watchers(c->ctl) || ev == LEASE_EV_LOADED)
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
	control_broadcast(c->ctl, &w); /* only queues: see there */
	json_writer_free(&w);
}
