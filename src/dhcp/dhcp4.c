/*
 * dhcp4 — the DHCPv4 server's decisions (RFC 2131 section 4.3).  One
 * received message is parsed, matched to a range, a client identity and a
 * reservation, and answered from the lease table: which address a client
 * gets, whether a REQUEST is acknowledged or refused, what RELEASE and
 * DECLINE remove.  Every lease change goes through lease_commit() or
 * lease_remove() before the reply is built, and only an ACK that follows
 * a commit asks the caller to wait for the store.  Nothing here does I/O,
 * so each branch is a unit test; which options a reply carries is in
 * dhcp4_options.c.
 */
#include "dhcp/dhcp4.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp4_internal.h"
#include "core/log.h"
#include "core/util.h"
#include "dhcp/dhcp4_reserved.h"
#include "lease/offer4.h"
#include "lease/pool.h"

#define MIN_LEASE_TIME 120      /* dnsmasq's floor for a requested lease time */
#define IP_UDP_HEADERS 28       /* option 57 counts the IP and UDP headers */
#define FQDN_FLAG_E 0x04        /* RFC 4702: name in DNS wire format */
#define CLIENT_ID_MIN 2         /* RFC 2132 section 9.14 */

/* How a client's address was chosen; NEW ones get a ping check. */
enum pick {
	PICK_NONE,
	PICK_RESERVED,  /* its dhcp-host address */
	PICK_CURRENT,   /* the lease it holds */
	PICK_REQUESTED, /* the address it asked for (option 50 / ciaddr) */
	PICK_FREE,      /* a free address from the range */
};

enum request_state { REQ_SELECTING, REQ_INIT_REBOOT, REQ_RENEWING };

static bool in_subnet(struct in_addr a, struct in_addr net, struct in_addr mask)
{
	return ((a.s_addr ^ net.s_addr) & mask.s_addr) == 0;
}

static bool in_range(const struct dhcp_range *r, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h >= ntohl(r->start.s_addr) && h <= ntohl(r->end.s_addr);
}

static const char *addr_str(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

const struct dhcp_range *dhcp4_range_for_iface(const struct config *cfg,
					       const struct dhcp4_iface *iface,
					       struct in_addr *iface_addr,
					       struct in_addr *netmask)
{
	if (!cfg || !iface)
		return NULL;
	for (size_t r = 0; r < cfg->nranges; r++) {
		const struct dhcp_range *range = &cfg->ranges[r];

		if (range->family != AF_INET)
			continue;
		for (size_t i = 0; i < MIN(iface->naddrs, (size_t)DHCP4_IFACE_MAX_ADDRS); i++) {
			struct in_addr mask = range->has_netmask ? range->netmask
								 : iface->netmasks[i];

			if (!in_subnet(range->start, iface->addrs[i], mask) ||
			    !in_subnet(range->end, iface->addrs[i], mask))
				continue;
			if (iface_addr)
				*iface_addr = iface->addrs[i];
			if (netmask)
				*netmask = mask;
			return range;
		}
	}
	return NULL;
}

/*
 * A relayed message names its subnet by giaddr.  Only a range with an
 * explicit netmask can say which subnet it serves there (dnsmasq asks for
 * the netmask in that case too); our own first address is the server id.
 */
static const struct dhcp_range *range_for_relay(const struct dhcp4_ctx *c,
						struct in_addr *server,
						struct in_addr *netmask)
{
	const struct config *cfg = c->cfg;

	if (c->env->iface->naddrs == 0)
		return NULL;
	for (size_t r = 0; r < cfg->nranges; r++) {
		const struct dhcp_range *range = &cfg->ranges[r];

		if (range->family != AF_INET || !range->has_netmask ||
		    !in_subnet(range->start, c->req->giaddr, range->netmask))
			continue;
		*server = c->env->iface->addrs[0];
		*netmask = range->netmask;
		return range;
	}
	return NULL;
}

static void format_hw(const struct dhcp4_packet *req, char *out)
{
	char hex[16 * 3];

	if (req->hlen == 0) {
		str_copy(out, "<no hwaddr>", DHCP4_HWSTR_LEN);
		return;
	}
	hex_format(req->chaddr, req->hlen, hex, sizeof(hex));
	if (req->htype == 1)
		str_copy(out, hex, DHCP4_HWSTR_LEN);
	else
		snprintf(out, DHCP4_HWSTR_LEN, "%u-%s", req->htype, hex);
}

/* "DHCPACK(lxcbr0) 10.0.3.3 de:21:82:c6:a7:e1 c1", dnsmasq's shape. */
static void log_event(const struct dhcp4_ctx *c, const char *what,
		      const struct in_addr *addr, const char *extra)
{
	char a[INET_ADDRSTRLEN] = "";

	if (c->cfg->quiet_dhcp)
		return;
	if (addr)
		addr_str(*addr, a);
	log_info("%s(%s) %s%s%s%s%s", what, c->env->iface->name, a, addr ? " " : "",
		 c->hwstr, extra && *extra ? " " : "", extra ? extra : "");
}

/* dnsmasq sets the interface name, the range's and the host's set: tags. */
static void collect_tags(struct dhcp4_ctx *c)
{
	c->tags[c->ntags++] = c->env->iface->name;
	if (c->range->set_tag)
		c->tags[c->ntags++] = c->range->set_tag;
	if (c->host) {
		c->tags[c->ntags++] = "known";
		if (c->host->set_tag)
			c->tags[c->ntags++] = c->host->set_tag;
	}
}

/* --dhcp-boot: the first whose tags the client has. */
static const struct dhcp_boot *boot_for(const struct dhcp4_ctx *c)
{
	for (size_t i = 0; i < c->cfg->nboots; i++)
		if (config_tags_match(&c->cfg->boots[i].match, c->tags, c->ntags))
			return &c->cfg->boots[i];
	return NULL;
}

/* --- who the client is ---------------------------------------------- */

/*
 * Same client?  A client-id identifies a client when both sides have one;
 * otherwise the hardware address does, so a container that starts sending
 * a client-id (or stops) keeps its lease: LXC containers keep their MAC.
 */
static bool lease_is_ours(const struct dhcp4_ctx *c, const struct lease *l)
{
	const struct dhcp4_packet *req = c->req;

	if (c->client_id_len && l->client_id_len)
		return l->client_id_len == c->client_id_len &&
		       memcmp(l->client_id, c->client_id, c->client_id_len) == 0;
	return req->hlen && l->htype == req->htype && l->hwlen == req->hlen &&
	       memcmp(l->hwaddr, req->chaddr, req->hlen) == 0;
}

static const struct lease *find_own_lease(const struct dhcp4_ctx *c)
{
	const struct dhcp4_packet *req = c->req;
	struct lease_table *t = c->env->leases;
	const struct lease *l;

	l = lease_by_client(t, c->client_id, c->client_id_len, req->htype,
			    req->chaddr, req->hlen);
	if (l)
		return l;
	if (req->hlen) {
		l = lease_by_hwaddr(t, AF_INET, req->htype, req->chaddr, req->hlen);
		if (l && lease_is_ours(c, l))
			return l;
	}
	return NULL;
}

static const struct dhcp_host *host_by_ip(const struct dhcp4_ctx *c, struct in_addr a)
{
	return c->env->hosts ? hostdb_by_ip(c->env->hosts, a) : NULL;
}

/*
 * A client's reservation: by client-id, by MAC (also for a client that
 * sends a client-id: systemd-networkd sends a DUID-based one nobody writes
 * in a config), then a name-only dhcp-host by the name it asks for.
 */
static const struct dhcp_host *reservation_of(const struct hostdb *db, const uint8_t *client_id,
					      size_t id_len, uint8_t htype, const uint8_t *hw,
					      size_t hlen, const uint8_t *name, size_t name_len)
{
	const struct dhcp_host *h = NULL;

	if (!db)
		return NULL;
	if (client_id && id_len)
		h = hostdb_by_client_id(db, client_id, id_len);
	if (!h && htype == 1 && hlen == MAC_LEN)
		h = hostdb_by_mac(db, hw);
	if (h)
		return h;
	if (name && name_len > 0 && name_len < LEASE_NAME_MAX) {
		char buf[LEASE_NAME_MAX];

		memcpy(buf, name, name_len);
		buf[name_len] = '\0';
		h = hostdb_by_name(db, buf);
		if (h && (h->nmacs || h->client_id))
			h = NULL;
	}
	return h;
}

static const struct dhcp_host *find_reservation(const struct dhcp4_ctx *c)
{
	const struct dhcp4_packet *req = c->req;
	const uint8_t *name;
	size_t len = 0;

	name = dhcp4_get_option(req, OPT_HOSTNAME, &len);
	return reservation_of(c->env->hosts, c->client_id, c->client_id_len, req->htype,
			      req->chaddr, req->hlen, name, len);
}

void dhcp4_track_ranges(const struct config *cfg, struct lease_table *t)
{
	for (size_t i = 0; i < cfg->nranges; i++) {
		const struct dhcp_range *r = &cfg->ranges[i];

		if (r->family == AF_INET && !r->static_only)
			(void)lease_table_track4(t, r->start, r->end);
	}
}

bool dhcp4_lease_superseded(const struct dhcp4_env *env, const struct lease *l)
{
	const struct dhcp4_iface *ifc = env->iface;
	const struct dhcp_host *h, *owner;
	struct in_addr a = l->addr.v4;
	size_t i;

	if (l->addr.family != AF_INET || !env->hosts)
		return false;
	for (i = 0; i < ifc->naddrs && !in_subnet(a, ifc->addrs[i], ifc->netmasks[i]); i++)
		;
	if (i == ifc->naddrs)
		return false; /* another link's lease */
	h = reservation_of(env->hosts, l->client_id, l->client_id_len, l->htype, l->hwaddr,
			   l->hwlen, (const uint8_t *)l->hostname, strlen(l->hostname));
	owner = hostdb_by_ip(env->hosts, a);
	if (owner && owner != h)
		return true; /* now reserved for another client */
	/* A reserved address on another network is another link's business. */
	return h && h->has_ip && h->ip.s_addr != a.s_addr &&
	       in_subnet(h->ip, ifc->addrs[i], ifc->netmasks[i]);
}

/* --- the client's name ------------------------------------------------ */

/*
 * The first label of a client's name: option 12 is plain text (some
 * clients count a trailing NUL); option 81 (RFC 4702 section 2) is flags,
 * RCODE1, RCODE2, then the name in DNS wire format when the E flag is set,
 * else in ASCII.
 */
static bool first_label(const uint8_t *v, size_t len, bool fqdn, const uint8_t **label,
			size_t *n)
{
	if (fqdn) {
		bool wire;

		if (len < 3)
			return false;
		wire = v[0] & FQDN_FLAG_E;
		v += 3;
		len -= 3;
		if (wire) {
			if (len < 1 || v[0] > len - 1)
				return false;
			*label = v + 1;
			*n = v[0];
			return true;
		}
	} else {
		while (len && v[len - 1] == '\0')
			len--;
	}
	*label = v;
	*n = 0;
	while (*n < len && v[*n] != '.')
		(*n)++;
	return true;
}

/*
 * A client's name becomes a DNS label: lower case, letters, digits and
 * hyphens, the first label only.  Anything else is dropped rather than
 * mangled, as dnsmasq does: a mangled name would answer for the wrong host.
 */
static bool sanitize_name(const struct dhcp4_ctx *c, const uint8_t *v, size_t len,
			  bool fqdn, char *out)
{
	const uint8_t *label;
	char buf[LEASE_NAME_MAX];
	size_t n, copy;

	if (!first_label(v, len, fqdn, &label, &n) || n == 0)
		return false;
	copy = MIN(n, sizeof(buf) - 1);
	for (size_t i = 0; i < copy; i++)
		buf[i] = isprint(label[i]) ? (char)tolower(label[i]) : '?';
	buf[copy] = '\0';
	if (n >= sizeof(buf) || !config_valid_label(buf)) {
		if (!c->cfg->quiet_dhcp)
			log_ratelimited("dhcp4-name", LOG_INFO,
					"not using hostname \"%s%s\" from %s on %s: not a valid DNS label",
					buf, n > copy ? "..." : "", c->hwstr, c->env->iface->name);
		return false;
	}
	memcpy(out, buf, copy + 1);
	return true;
}

static void choose_hostname(struct dhcp4_ctx *c)
{
	const uint8_t *v;
	size_t len;
	bool ok = false;
	const struct dhcp_host *owner;

	c->hostname[0] = '\0';
	if (c->host && c->host->name) {
		str_copy(c->hostname, c->host->name, sizeof(c->hostname));
		return;
	}
	v = dhcp4_get_option(c->req, OPT_CLIENT_FQDN, &len);
	if (v)
		ok = sanitize_name(c, v, len, true, c->hostname);
	if (!ok && (v = dhcp4_get_option(c->req, OPT_HOSTNAME, &len)))
		ok = sanitize_name(c, v, len, false, c->hostname);
	if (!ok) {
		c->hostname[0] = '\0';
		return;
	}
	/* A name a dhcp-host gives to another client is not up for grabs. */
	owner = c->env->hosts ? hostdb_by_name(c->env->hosts, c->hostname) : NULL;
	if (owner && owner != c->host) {
		if (!c->cfg->quiet_dhcp)
			log_info("not giving name %s to %s on %s: reserved by %s", c->hostname,
				 c->hwstr, c->env->iface->name, owner->origin.where);
		c->hostname[0] = '\0';
	}
}

/* --- which address ---------------------------------------------------- */

static bool is_iface_addr(const struct dhcp4_ctx *c, struct in_addr a)
{
	const struct dhcp4_iface *ifc = c->env->iface;

	for (size_t i = 0; i < MIN(ifc->naddrs, (size_t)DHCP4_IFACE_MAX_ADDRS); i++)
		if (ifc->addrs[i].s_addr == a.s_addr)
			return true;
	return false;
}

static bool lease_is_live(const struct dhcp4_ctx *c, const struct lease *l)
{
	return l->expires == 0 || l->expires > c->env->now;
}

/* The subnet's own network and broadcast addresses are nobody's. */
static bool is_subnet_edge(const struct dhcp4_ctx *c, struct in_addr a)
{
	uint32_t mask = ntohl(c->netmask.s_addr), h = ntohl(a.s_addr);

	if (mask >= 0xfffffffeu)
		return false; /* /31 and /32 have no such addresses */
	return (h & ~mask) == 0 || (h & ~mask) == ~mask;
}

/* Why a (dynamic) address cannot go to this client, or NULL if it can. */
static const char *dynamic_refusal(const struct dhcp4_ctx *c, struct in_addr a)
{
	const struct dhcp_host *h;
	const struct lease *l;

	if (!in_subnet(a, c->subnet, c->netmask))
		return "wrong network";
	if (c->range->static_only)
		return "no address reserved (static range)";
	if (!in_range(c->range, a) || is_subnet_edge(c, a))
		return "address outside the range";
	if (is_iface_addr(c, a))
		return "address in use";
	h = host_by_ip(c, a);
	if (h && h != c->host)
		return "address reserved";
	l = lease_by_addr(c->env->leases, lease_addr4(a));
	if (l && !lease_is_ours(c, l) && lease_is_live(c, l))
		return "address in use";
	if (lease_is_quarantined(c->env->leases, lease_addr4(a), c->env->now))
		return "address not available";
	return NULL;
}

static bool reserved_addr(const struct dhcp4_ctx *c, struct in_addr *out)
{
	if (!c->host || !c->host->has_ip || !in_subnet(c->host->ip, c->subnet, c->netmask))
		return false;
	*out = c->host->ip;
	return true;
}

static bool free_for_client(void *ctx, struct in_addr a)
{
	return !dynamic_refusal(ctx, a);
}

/*
 * The client as a number: where its free-address search starts, and whom
 * an offer was made to.  A hash of the hardware address, so a client gets
 * the same address whenever it is free: after its lease expired, after
 * the table was lost, after a restart.  The MAC, not the client-id,
 * because a container keeps its MAC when its DHCP client (and so its
 * client-id) changes.
 */
static uint64_t client_hash(const struct dhcp4_ctx *c)
{
	if (c->req->hlen)
		return hash_bytes(c->req->chaddr, c->req->hlen, c->req->htype);
	return hash_bytes(c->client_id, c->client_id_len, 0);
}

/*
 * A free address, one offered to another client only when nothing else is
 * free.  The bitmaps skip what dynamic_refusal() refuses every client
 * that gets this far: held, quarantined, and reserved addresses (a
 * client's own reserved address was chosen before any search, by
 * reserved_addr()).  A static range refuses every address: no search.
 */
static bool pick_free(const struct dhcp4_ctx *c, struct in_addr *out)
{
	const struct dhcp_range *r = c->range;
	struct lease_table *t = c->env->leases;
	struct pool4_skip skip;

	if (r->static_only)
		return false;
	skip = (struct pool4_skip){
		.hard = { lease_table_pool4(t, r->start, r->end),
			  lease_table_quarantine4(t, r->start, r->end, c->env->now),
			  dhcp4_reserved_pool4(c->env->reserved, r->start, r->end) },
		.avoid = offer4_avoid(c->env->offers, r->start, r->end, c->env->now),
	};
	return pool4_pick(r->start, r->end, &skip, client_hash(c), free_for_client, (void *)c, out);
}

/* The address this client was offered lately, if it is still free. */
static bool offered_earlier(const struct dhcp4_ctx *c, struct in_addr *out)
{
	return offer4_of_client(c->env->offers, client_hash(c), c->env->now, out) &&
	       !dynamic_refusal(c, *out);
}

/* Whether a DISCOVER may be offered addr, which it asked for. */
static bool offerable_hint(const struct dhcp4_ctx *c, struct in_addr a)
{
	return !offer4_held_for_other(c->env->offers, a, client_hash(c), c->env->now);
}

/*
 * The address this client should have: its reservation, else the lease
 * it holds, else the one it asks for if that is free, else (when
 * allow_free: a DISCOVER) the one offered to it lately, else a free one.
 * A DISCOVER is not offered what it asks for when that was just offered
 * to another client; a REQUEST for it is granted (first come).
 */
static enum pick choose_address(const struct dhcp4_ctx *c, const struct in_addr *hint,
				bool allow_free, struct in_addr *out)
{
	if (reserved_addr(c, out))
		return PICK_RESERVED;
	if (c->own && !dynamic_refusal(c, c->own->addr.v4)) {
		*out = c->own->addr.v4;
		return PICK_CURRENT;
	}
	if (hint && hint->s_addr && !dynamic_refusal(c, *hint) &&
	    (!allow_free || offerable_hint(c, *hint))) {
		*out = *hint;
		return PICK_REQUESTED;
	}
	if (allow_free && (offered_earlier(c, out) || pick_free(c, out)))
		return PICK_FREE;
	return PICK_NONE;
}

/* Why `a` is not this client's address (for the NAK). */
static const char *refusal_reason(const struct dhcp4_ctx *c, struct in_addr a)
{
	struct in_addr r;
	const char *why;

	if (!in_subnet(a, c->subnet, c->netmask))
		return "wrong network";
	if (reserved_addr(c, &r) && r.s_addr != a.s_addr)
		return "wrong address";
	why = dynamic_refusal(c, a);
	return why ? why : "wrong address";
}

static bool lease_limit_reached(const struct dhcp4_ctx *c)
{
	if (c->own)
		return false;
	if (lease_count(c->env->leases) < c->cfg->lease_max)
		return false;
	log_ratelimited("dhcp4-lease-max", LOG_WARNING,
			"no lease for %s on %s: limit of %u leases (--dhcp-lease-max) reached",
			c->hwstr, c->env->iface->name, c->cfg->lease_max);
	return true;
}

/* --- lease times and the commit ---------------------------------------- */

/*
 * The reservation's lease time, else the range's; a client asking for less
 * (option 51) gets what it asks, but not under two minutes.
 */
static uint32_t lease_time(const struct dhcp4_ctx *c)
{
	uint32_t t = c->range->lease_time;
	const uint8_t *v;
	size_t len;

	if (c->host && c->host->has_lease_time)
		t = c->host->lease_time;
	if (t == 0)
		t = DEFAULT_LEASE_TIME;
	v = dhcp4_get_option(c->req, OPT_LEASE_TIME, &len);
	if (v && len == 4) {
		uint32_t want = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
				(uint32_t)v[2] << 8 | v[3];

		if (want < t)
			t = MIN(t, MAX(want, (uint32_t)MIN_LEASE_TIME));
	}
	return t;
}

static int commit_lease(struct dhcp4_ctx *c, struct in_addr addr, uint32_t secs)
{
	const struct dhcp4_packet *req = c->req;
	const struct lease *same;
	struct lease l;
	enum lease_event ev = LEASE_EV_GRANTED;

	memset(&l, 0, sizeof(l));
	l.addr = lease_addr4(addr);
	l.htype = req->htype;
	l.hwlen = req->hlen;
	memcpy(l.hwaddr, req->chaddr, req->hlen);
	l.client_id_len = (uint8_t)c->client_id_len;
	if (c->client_id_len)
		memcpy(l.client_id, c->client_id, c->client_id_len);
	l.expires = secs == LEASE_INFINITE ? 0 : c->env->now + (time_t)secs;
	/* A client that stops sending its name keeps the one it had. */
	if (!c->hostname[0] && c->own && c->own->addr.v4.s_addr == addr.s_addr &&
	    !(c->env->hosts && hostdb_by_name(c->env->hosts, c->own->hostname)))
		str_copy(c->hostname, c->own->hostname, sizeof(c->hostname));
	str_copy(l.hostname, c->hostname, sizeof(l.hostname));

	same = lease_by_client(c->env->leases, c->client_id, c->client_id_len,
			       req->htype, req->chaddr, req->hlen);
	if (same && same->addr.v4.s_addr == addr.s_addr)
		ev = LEASE_EV_RENEWED;
	if (lease_commit(c->env->leases, &l, ev) < 0) {
		log_ratelimited("dhcp4-commit", LOG_ERR, "cannot record the lease of %s for %s on %s",
				inet_ntoa(addr), c->hwstr, c->env->iface->name);
		return -1;
	}
	c->own = NULL; /* the table changed under it */
	return 0;
}

/* --- replies ----------------------------------------------------------- */

/*
 * The reply's size limit: option 57 (RFC 2132 section 9.10) counts the
 * whole IP datagram, at least 576; the headers are not ours to fill.
 */
static size_t reply_size_limit(const struct dhcp4_packet *req)
{
	const uint8_t *v;
	size_t len, max = DHCP4_DEFAULT_MAX;

	v = dhcp4_get_option(req, OPT_MAX_SIZE, &len);
	if (v && len == 2)
		max = MAX((size_t)(v[0] << 8 | v[1]), (size_t)DHCP4_DEFAULT_MAX);
	return MIN(max, (size_t)DHCP4_MAX_PACKET) - IP_UDP_HEADERS;
}

/*
 * RFC 2131 section 4.1: "If the 'giaddr' field in a DHCP message from a
 * client is non-zero, the server sends any return messages to the 'DHCP
 * server' port on the BOOTP relay agent whose address appears in
 * 'giaddr'.  If the 'giaddr' field is zero and the 'ciaddr' field is
 * nonzero, then the server unicasts DHCPOFFER and DHCPACK messages to the
 * address in 'ciaddr'.  If 'giaddr' is zero and 'ciaddr' is zero, and the
 * broadcast bit is set, then the server broadcasts DHCPOFFER and DHCPACK
 * messages to 0xffffffff.  If the broadcast bit is not set and 'giaddr' is
 * zero and 'ciaddr' is zero, then the server unicasts DHCPOFFER and
 * DHCPACK messages to the client's hardware address and 'yiaddr' address.
 * In all cases, when 'giaddr' is zero, the server broadcasts any DHCPNAK
 * messages to 0xffffffff."
 */
static void set_destination(const struct dhcp4_ctx *c, uint8_t type, struct in_addr yiaddr,
			    struct dhcp4_result *out)
{
	const struct dhcp4_packet *req = c->req;

	out->dest_addr.s_addr = INADDR_BROADCAST;
	if (req->giaddr.s_addr) {
		out->dest = DHCP4_TO_RELAY;
		out->dest_addr = req->giaddr;
	} else if (type == DHCPNAK) {
		out->dest = DHCP4_TO_BROADCAST;
	} else if (req->ciaddr.s_addr) {
		out->dest = DHCP4_TO_CIADDR;
		out->dest_addr = req->ciaddr;
	} else if ((req->flags & DHCP4_FLAG_BROADCAST) || !yiaddr.s_addr || !req->hlen) {
		out->dest = DHCP4_TO_BROADCAST;
	} else {
		out->dest = DHCP4_TO_YIADDR;
		out->dest_addr = yiaddr;
		memcpy(out->chaddr, req->chaddr, sizeof(out->chaddr));
		out->hlen = req->hlen;
	}
}

static void send_reply(struct dhcp4_ctx *c, const struct dhcp4_reply_info *ri,
		       struct in_addr yiaddr, struct dhcp4_result *out)
{
	static const struct in_addr none = { 0 };
	struct dhcp4_builder *b = &c->work->builder;
	struct in_addr ciaddr = none, siaddr = none;

	dhcp4_build_init(b, c->req, ri->type, reply_size_limit(c->req));
	/* RFC 2131 table 3: ciaddr echoes the request's only in an ACK. */
	if (ri->type == DHCPACK)
		ciaddr = c->req->ciaddr;
	/* siaddr, the next server, only for a network boot (--dhcp-boot). */
	if (ri->type != DHCPNAK && c->boot) {
		siaddr = c->boot->server;
		dhcp4_build_set_boot(b, c->boot->sname, c->boot->file);
	}
	dhcp4_build_set_addrs(b, ciaddr, yiaddr, siaddr);
	/* RFC 2131 section 4.3.2: a relayed NAK must be broadcast by the relay. */
	if (ri->type == DHCPNAK && c->req->giaddr.s_addr)
		dhcp4_build_set_broadcast(b);
	dhcp4_reply_options(c, ri, b);
	out->reply_len = dhcp4_build_finish(b);
	memcpy(out->reply, b->buf, out->reply_len);
	out->verdict = DHCP4_REPLY;
	out->reply_type = ri->type;
	set_destination(c, ri->type, yiaddr, out);
}

static void send_nak(struct dhcp4_ctx *c, struct in_addr addr, const char *why,
		     struct dhcp4_result *out)
{
	struct dhcp4_reply_info ri = { .type = DHCPNAK, .message = why };
	static const struct in_addr none = { 0 };

	log_event(c, "DHCPNAK", &addr, why);
	send_reply(c, &ri, none, out);
}

/* --- the message types --------------------------------------------------- */

static bool requested_addr(const struct dhcp4_ctx *c, struct in_addr *out)
{
	return dhcp4_get_addr_option(c->req, OPT_REQUESTED_IP, out) && out->s_addr;
}

/* Commit and ACK; shared by REQUEST and rapid-commit DISCOVER. */
static void grant(struct dhcp4_ctx *c, struct in_addr addr, bool rapid,
		  struct dhcp4_result *out)
{
	uint32_t secs = lease_time(c);
	struct dhcp4_reply_info ri = {
		.type = DHCPACK, .lease = true, .lease_time = secs, .rapid_commit = rapid,
	};

	if (commit_lease(c, addr, secs) < 0)
		return;
	offer4_drop(c->env->offers, addr); /* the lease holds it now */
	out->lease_changed = true;
	log_event(c, "DHCPACK", &addr, c->hostname);
	send_reply(c, &ri, addr, out);
}

static void handle_discover(struct dhcp4_ctx *c, struct dhcp4_result *out)
{
	struct in_addr want, addr;
	bool has_want = requested_addr(c, &want);
	enum pick pick;
	struct dhcp4_reply_info ri = { .type = DHCPOFFER, .lease = true };

	/* A DISCOVER handled again after its ping check was logged the first time. */
	if (!c->env->replay)
		log_event(c, "DHCPDISCOVER", has_want ? &want : NULL, NULL);
	pick = choose_address(c, has_want ? &want : NULL, true, &addr);
	if (pick == PICK_NONE) {
		log_event(c, "DHCPDISCOVER", NULL, "no address available");
		return;
	}
	if (lease_limit_reached(c))
		return;
	/*
	 * RFC 2131 section 2.2: "the allocating server SHOULD probe the
	 * reused address before allocating the address".  An address the
	 * client holds or has reserved needs no check.
	 */
	if ((pick == PICK_REQUESTED || pick == PICK_FREE) && c->env->probe_ok &&
	    !c->cfg->no_ping && !c->env->probe_ok(c->env->probe_arg, addr)) {
		out->verdict = DHCP4_PROBE;
		out->probe_addr = addr;
		/* Behind a relay the client's link is out of ARP's reach. */
		out->probe_src.s_addr = c->req->giaddr.s_addr ? 0 : c->server.s_addr;
		memcpy(out->chaddr, c->req->chaddr, sizeof(out->chaddr));
		out->hlen = c->req->hlen;
		return;
	}
	/* RFC 4039 section 4: with both sides willing, skip the OFFER. */
	if (c->cfg->rapid_commit && dhcp4_get_option(c->req, OPT_RAPID_COMMIT, NULL)) {
		grant(c, addr, true, out);
		return;
	}
	ri.lease_time = lease_time(c);
	/* RFC 2131 section 4.3.1: not offered to the next client as well. */
	if (pick == PICK_REQUESTED || pick == PICK_FREE)
		offer4_hold(c->env->offers, c->range->start, c->range->end, addr, client_hash(c),
			    c->env->now);
	log_event(c, "DHCPOFFER", &addr, NULL);
	send_reply(c, &ri, addr, out);
}

static bool is_server_id_ours(const struct dhcp4_ctx *c, bool *present)
{
	struct in_addr sid;

	*present = dhcp4_get_option(c->req, OPT_SERVER_ID, NULL) != NULL;
	if (!*present)
		return true;
	return dhcp4_get_addr_option(c->req, OPT_SERVER_ID, &sid) && is_iface_addr(c, sid);
}

/*
 * RFC 2131 section 4.3.2 tells the REQUEST states apart: SELECTING has
 * option 54; INIT-REBOOT has option 50 and no ciaddr; RENEWING and
 * REBINDING have ciaddr and neither option.
 */
static int request_state(const struct dhcp4_ctx *c, enum request_state *state,
			 struct in_addr *addr)
{
	bool has_sid, ours = is_server_id_ours(c, &has_sid);

	if (has_sid) {
		if (!ours)
			return -1;
		*state = REQ_SELECTING;
		if (!requested_addr(c, addr))
			*addr = c->req->ciaddr;
	} else if (requested_addr(c, addr) && !c->req->ciaddr.s_addr) {
		*state = REQ_INIT_REBOOT;
	} else {
		*state = REQ_RENEWING;
		*addr = c->req->ciaddr;
	}
	return 0;
}

static void handle_request(struct dhcp4_ctx *c, struct dhcp4_result *out)
{
	enum request_state state;
	struct in_addr want, addr;
	enum pick pick;

	if (request_state(c, &state, &want) < 0) {
		/* "the client has chosen another server": nothing to say. */
		log_event(c, "DHCPREQUEST", NULL, "for another server");
		return;
	}
	log_event(c, "DHCPREQUEST", &want, NULL);
	if (!want.s_addr) {
		log_ratelimited("dhcp4-noaddr", LOG_WARNING,
				"DHCPREQUEST from %s on %s names no address: dropped",
				c->hwstr, c->env->iface->name);
		return;
	}
	/*
	 * An address held back (released by `leasectl release`, declined,
	 * or answering a ping) is certainly not this client's: say so even
	 * when not authoritative, so a container whose lease was released
	 * stops using the address at its next renewal.
	 */
	if (!c->own && lease_is_quarantined(c->env->leases, lease_addr4(want), c->env->now)) {
		send_nak(c, want, "address not available", out);
		return;
	}
	/*
	 * RFC 2131 section 4.3.2, INIT-REBOOT: "If the DHCP server has no
	 * record of this client, then it MUST remain silent".  Under
	 * --dhcp-authoritative we are the only server and do know: an unknown
	 * client either gets its address back (a lost lease file) or a NAK.
	 */
	if (state != REQ_SELECTING && !c->own && !c->cfg->authoritative) {
		if (!c->cfg->quiet_dhcp)
			log_debug("DHCPREQUEST(%s) %s: no lease on record and not authoritative: silent",
				  c->env->iface->name, c->hwstr);
		return;
	}
	pick = choose_address(c, &want, false, &addr);
	if (pick == PICK_NONE || addr.s_addr != want.s_addr) {
		send_nak(c, want, refusal_reason(c, want), out);
		return;
	}
	if (lease_limit_reached(c)) {
		send_nak(c, want, "no leases left", out);
		return;
	}
	grant(c, addr, false, out);
}

static void handle_decline(struct dhcp4_ctx *c)
{
	struct in_addr addr;
	const struct lease *l;
	bool has_sid;
	char when[64];

	if (!is_server_id_ours(c, &has_sid))
		return;
	if (!requested_addr(c, &addr)) {
		log_ratelimited("dhcp4-decline", LOG_WARNING,
				"DHCPDECLINE from %s on %s names no address: dropped",
				c->hwstr, c->env->iface->name);
		return;
	}
	log_event(c, "DHCPDECLINE", &addr, NULL);
	/* Only the holder may decline: nobody else gets to fence addresses off. */
	l = lease_by_addr(c->env->leases, lease_addr4(addr));
	if (!l || !lease_is_ours(c, l)) {
		log_event(c, "DHCPDECLINE", &addr, "not this client's lease: ignored");
		return;
	}
	lease_remove(c->env->leases, lease_addr4(addr), LEASE_EV_DECLINED);
	lease_quarantine(c->env->leases, lease_addr4(addr),
			 c->env->now + DHCP4_DECLINE_QUARANTINE);
	snprintf(when, sizeof(when), "in use elsewhere: not offered for %d s",
		 DHCP4_DECLINE_QUARANTINE);
	log_event(c, "DHCPDECLINE", &addr, when);
}

static void handle_release(struct dhcp4_ctx *c)
{
	struct in_addr addr = c->req->ciaddr;
	const struct lease *l;
	bool has_sid;

	if (!is_server_id_ours(c, &has_sid))
		return;
	log_event(c, "DHCPRELEASE", &addr, NULL);
	l = lease_by_addr(c->env->leases, lease_addr4(addr));
	if (!l || !lease_is_ours(c, l)) {
		log_event(c, "DHCPRELEASE", &addr, "unknown lease");
		return;
	}
	lease_remove(c->env->leases, lease_addr4(addr), LEASE_EV_RELEASED);
}

/*
 * RFC 2131 section 4.3.5: "The server responds to a DHCPINFORM message by
 * sending a DHCPACK message directly to the address given in the 'ciaddr'
 * field ... The server MUST NOT send a lease expiration time to the client
 * and SHOULD NOT fill in 'yiaddr'."
 */
static void handle_inform(struct dhcp4_ctx *c, struct dhcp4_result *out)
{
	static const struct in_addr none = { 0 };
	struct dhcp4_reply_info ri = { .type = DHCPACK };

	log_event(c, "DHCPINFORM", &c->req->ciaddr, NULL);
	if (c->req->ciaddr.s_addr && !c->req->giaddr.s_addr &&
	    !in_subnet(c->req->ciaddr, c->subnet, c->netmask))
		return;
	log_event(c, "DHCPACK", &c->req->ciaddr, c->hostname);
	send_reply(c, &ri, none, out);
}

/* --- entry ---------------------------------------------------------------- */

static void drop(const struct dhcp4_env *env, const char *why)
{
	log_ratelimited("dhcp4-bad", LOG_WARNING, "DHCP packet on %s dropped: %s",
			env->iface->name, why);
}

/* Checks the parser cannot make: identity fields that must make sense. */
static const char *check_identity(struct dhcp4_ctx *c)
{
	const struct dhcp4_packet *req = c->req;

	c->client_id = dhcp4_get_option(req, OPT_CLIENT_ID, &c->client_id_len);
	/* --dhcp-ignore-clid: a client is its MAC (a PXE stage and the OS it boots send different ids). */
	if (c->client_id && c->cfg->ignore_clid && req->hlen)
		c->client_id = NULL;
	if (c->client_id && c->client_id_len < CLIENT_ID_MIN)
		return "client-id (option 61) shorter than 2 bytes";
	if (c->client_id_len > LEASE_CLIENT_ID_MAX)
		return "client-id (option 61) longer than 255 bytes";
	if (!c->client_id)
		c->client_id_len = 0;
	if (req->htype == 1 && req->hlen != MAC_LEN)
		return "Ethernet hardware address not 6 bytes";
	if (req->hlen == 0 && !c->client_id)
		return "neither a hardware address nor a client-id";
	return NULL;
}

static bool find_range(struct dhcp4_ctx *c)
{
	if (c->req->giaddr.s_addr) {
		c->range = range_for_relay(c, &c->server, &c->netmask);
		c->subnet = c->req->giaddr;
	} else {
		c->range = dhcp4_range_for_iface(c->cfg, c->env->iface, &c->server,
						 &c->netmask);
		c->subnet = c->server;
	}
	return c->range != NULL;
}

static void dispatch(struct dhcp4_ctx *c, struct dhcp4_result *out)
{
	switch (c->req->msg_type) {
	case DHCPDISCOVER:
		handle_discover(c, out);
		break;
	case DHCPREQUEST:
		handle_request(c, out);
		break;
	case DHCPDECLINE:
		handle_decline(c);
		break;
	case DHCPRELEASE:
		handle_release(c);
		break;
	case DHCPINFORM:
		handle_inform(c, out);
		break;
	default:
		break;
	}
}

static void handle_parsed(struct dhcp4_ctx *c, struct dhcp4_result *out)
{
	const char *why;
	uint8_t type = c->req->msg_type;

	if (type == 0) {
		log_debug("BOOTP request on %s ignored: BOOTP is not served", c->env->iface->name);
		return;
	}
	if (type != DHCPDISCOVER && type != DHCPREQUEST && type != DHCPDECLINE &&
	    type != DHCPRELEASE && type != DHCPINFORM) {
		drop(c->env, "not a message a client sends");
		return;
	}
	why = check_identity(c);
	if (why) {
		drop(c->env, why);
		return;
	}
	format_hw(c->req, c->hwstr);
	if (!find_range(c)) {
		log_debug("%s(%s) %s: no dhcp-range for this network", dhcp4_msg_type_name(type),
			  c->env->iface->name, c->hwstr);
		return;
	}
	c->host = find_reservation(c);
	if (c->host && c->host->ignore) {
		log_event(c, dhcp4_msg_type_name(type), NULL, "ignored");
		return;
	}
	c->own = find_own_lease(c);
	collect_tags(c);
	c->boot = boot_for(c);
	choose_hostname(c);
	dispatch(c, out);
}

struct dhcp4_work *dhcp4_work_new(void)
{
	return xmalloc(sizeof(struct dhcp4_work));
}

void dhcp4_work_free(struct dhcp4_work *w)
{
	free(w);
}

void dhcp4_handle(const struct dhcp4_env *env, const uint8_t *pkt, size_t len,
		  struct dhcp4_result *out)
{
	struct dhcp4_work *work;
	struct dhcp4_ctx c;
	const char *why = "no data";

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	out->verdict = DHCP4_IGNORE;
	if (!env || !env->cfg || !env->leases || !env->iface)
		return;
	work = env->work ? env->work : dhcp4_work_new();
	if (!pkt || dhcp4_parse(pkt, len, &work->req, &why) < 0) {
		drop(env, why);
		goto out;
	}
	out->request_type = work->req.msg_type;
	memset(&c, 0, sizeof(c));
	c.env = env;
	c.work = work;
	c.cfg = env->cfg;
	c.req = &work->req;
	handle_parsed(&c, out);
out:
	if (work != env->work)
		dhcp4_work_free(work);
}
