/*
 * dhcp6 — the DHCPv6 server's decisions (see include/dhcp/dhcp6.h).
 *
 * One message is one struct ctx: the parsed message, the ranges this link
 * serves, the reply being built.  Each message type is a short function;
 * the IA work (which address, commit, the IA option of the reply) is
 * shared below them.
 */
#include "dhcp/dhcp6.h"
#include "lease/pool.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define MAX_RANGES 16
#define MAX_TAGS (MAX_RANGES + 3)  /* the interface, each range's set:, known, the host's set: */
#define DUID_STR_LEN (3 * DHCP6_DUID_MAX)

/* A stateful range as it applies to this link. */
struct range6 {
	struct in6_addr first, last;
	uint8_t prefixlen;             /* first's prefix is the link's */
	uint32_t lease_time;
	bool dynamic;                  /* false: a "static" range, reservations only */
	const char *set_tag;           /* the range's set:TAG, or NULL */
};

struct ctx {
	const struct dhcp6_env *env;
	const struct config *cfg;
	struct dhcp6_msg m;
	struct range6 ranges[MAX_RANGES];
	size_t nranges;
	bool info_ok;                          /* some DHCPv6 range covers this link */
	struct dhcp6_out o;
	struct dhcp6_result *res;
	char name[LEASE_NAME_MAX];             /* the reserved one, or option 39's */
	const struct dhcp_host *host;          /* the client's reservation, or NULL */
	const char *tags[MAX_TAGS];            /* set for this message, for tag: options */
	size_t ntags;
	char duid[DUID_STR_LEN];               /* for logs */
	struct in6_addr given[DHCP6_MAX_IAS];  /* handed out in this reply */
	size_t ngiven;
};

/* ---- the link ---- */

/* prefix's upper 64 bits with host's lower 64. */
static struct in6_addr combine(const struct in6_addr *prefix, const struct in6_addr *host)
{
	struct in6_addr a = *prefix;

	memcpy(a.s6_addr + 8, host->s6_addr + 8, 8);
	return a;
}

static void add_range(struct ctx *c, struct in6_addr first, struct in6_addr last,
		      unsigned prefixlen, const struct dhcp_range *r)
{
	if (c->nranges < MAX_RANGES)
		c->ranges[c->nranges++] = (struct range6){ first, last, (uint8_t)prefixlen,
							   r->lease_time, !r->static_only,
							   r->set_tag };
}

/* Which --dhcp-range entries serve this link, and how. */
static void find_ranges(struct ctx *c)
{
	const struct dhcp6_iface *ifc = c->env->iface;

	for (size_t i = 0; i < c->cfg->nranges; i++) {
		const struct dhcp_range *r = &c->cfg->ranges[i];
		bool stateful = !(r->mode6 & (RANGE6_RA_ONLY | RANGE6_RA_STATELESS));

		if (r->family != AF_INET6 || (r->mode6 & RANGE6_RA_ONLY))
			continue;
		for (size_t k = 0; k < ifc->naddrs; k++) {
			if (r->constructor_if) {
				if (strcmp(r->constructor_if, ifc->name) != 0 || ifc->prefixlens[k] > 64)
					continue;
				c->info_ok = true;
				if (stateful)
					add_range(c, combine(&ifc->addrs[k], &r->start6),
						  combine(&ifc->addrs[k], &r->end6), 64, r);
			} else if (in6_same_prefix(&ifc->addrs[k], &r->start6, (unsigned)r->prefixlen6)) {
				c->info_ok = true;
				if (stateful)
					add_range(c, r->start6, r->end6, (unsigned)r->prefixlen6, r);
				break;
			}
		}
	}
}

/* The dynamic range holding a. */
static const struct range6 *range_of(const struct ctx *c, const struct in6_addr *a)
{
	for (size_t i = 0; i < c->nranges; i++)
		if (c->ranges[i].dynamic && memcmp(a, &c->ranges[i].first, 16) >= 0 &&
		    memcmp(a, &c->ranges[i].last, 16) <= 0)
			return &c->ranges[i];
	return NULL;
}

/* The range whose link prefix holds a (a reserved address may lie outside first..last). */
static const struct range6 *link_range_of(const struct ctx *c, const struct in6_addr *a)
{
	const struct range6 *r = range_of(c, a);

	for (size_t i = 0; !r && i < c->nranges; i++)
		if (in6_same_prefix(a, &c->ranges[i].first, c->ranges[i].prefixlen))
			r = &c->ranges[i];
	return r;
}

/* ---- the client ---- */

static bool reserved_addr(const struct ctx *c, struct in6_addr *out);

/*
 * a may be bound to this client: its reserved address when it has one on
 * this link (a reservation that changed ends the old address at the next
 * Renew or Rebind: returned with lifetime 0, the reserved one offered),
 * else any address of a dynamic range.
 */
static bool appropriate(const struct ctx *c, const struct in6_addr *a)
{
	struct in6_addr r;

	if (reserved_addr(c, &r))
		return memcmp(&r, a, sizeof(r)) == 0;
	return range_of(c, a) != NULL;
}

/*
 * A client's reservation: by DUID ("id:"), by the MAC the DUID or packet
 * carries, by name; the first of those that reserves an IPv6 address,
 * else the first found.  (libvirt reserves a VM's IPv4 address by MAC and
 * its IPv6 one by name, on two lines: a DUID-LLT's MAC finds the first.)
 */
static const struct dhcp_host *reservation_of(const struct hostdb *db, const uint8_t *duid,
					      size_t duid_len, const uint8_t *hw, size_t hwlen,
					      const char *name)
{
	const struct dhcp_host *found[4] = { NULL }, *first = NULL;
	uint8_t htype, mac[LEASE_HWADDR_MAX], maclen;

	found[0] = hostdb_by_client_id_for(db, AF_INET6, duid, duid_len);
	if (lease_duid_hwaddr(duid, duid_len, &htype, mac, &maclen) && maclen == MAC_LEN)
		found[1] = hostdb_by_mac_for(db, AF_INET6, mac);
	if (hw && hwlen == MAC_LEN)
		found[2] = hostdb_by_mac_for(db, AF_INET6, hw);
	if (name[0])
		found[3] = hostdb_by_name_for(db, AF_INET6, name);
	for (size_t i = 0; i < ARRAY_SIZE(found); i++) {
		if (found[i] && found[i]->has_ip6)
			return found[i];
		if (!first)
			first = found[i];
	}
	return first;
}

static const struct dhcp_host *find_reservation(const struct ctx *c)
{
	return reservation_of(c->env->hosts, c->m.client_id, c->m.client_id_len, c->env->src_hw,
			      c->env->src_hwlen, c->name);
}

/* The reserved address on this link, if the reservation has one that fits it. */
static bool reserved_addr(const struct ctx *c, struct in6_addr *out)
{
	const struct dhcp_host *h = c->host;
	static const uint8_t zero[8];

	if (!h || !h->has_ip6)
		return false;
	if (memcmp(h->ip6.s6_addr, zero, 8) != 0) {
		*out = h->ip6;
		return link_range_of(c, out) != NULL;
	}
	for (size_t i = 0; i < c->nranges; i++) {
		*out = combine(&c->ranges[i].first, &h->ip6);
		if (link_range_of(c, out))
			return true;
	}
	return false;
}

bool dhcp6_lease_superseded(const struct dhcp6_env *env, const struct lease *l)
{
	struct ctx c = { .env = env, .cfg = env->cfg };
	const struct dhcp_host *owner;
	struct in6_addr r;

	if (l->addr.family != AF_INET6 || !env->hosts)
		return false;
	find_ranges(&c);
	if (!link_range_of(&c, &l->addr.v6))
		return false; /* another link's lease */
	c.host = reservation_of(env->hosts, l->client_id, l->client_id_len, l->hwaddr, l->hwlen,
				l->hostname);
	owner = hostdb_by_ip6(env->hosts, &l->addr.v6);
	if (owner && owner != c.host)
		return true; /* now reserved for another client */
	return reserved_addr(&c, &r) && memcmp(&r, &l->addr.v6, sizeof(r)) != 0;
}

static bool same_ia(const struct lease *l, const struct ctx *c, const struct dhcp6_ia *ia)
{
	return l->addr.family == AF_INET6 && l->client_id_len == c->m.client_id_len &&
	       memcmp(l->client_id, c->m.client_id, c->m.client_id_len) == 0 &&
	       l->iaid == ia->iaid && l->ia == LEASE_IA_NA;
}

static bool given_already(const struct ctx *c, const struct in6_addr *a)
{
	for (size_t i = 0; i < c->ngiven; i++)
		if (memcmp(&c->given[i], a, 16) == 0)
			return true;
	return false;
}

struct usable_ctx {
	const struct ctx *c;
	const struct dhcp6_ia *ia;
};

/* a may go to this IA: free (or this IA's), not held back, not ours, not given in this reply. */
static bool usable_for(const struct ctx *c, const struct dhcp6_ia *ia, const struct in6_addr *a)
{
	const struct lease *l = lease_by_addr(c->env->leases, lease_addr6(a));

	const struct dhcp_host *owner = hostdb_by_ip6(c->env->hosts, a);

	if (l && !same_ia(l, c, ia))
		return false;
	if (!l && lease_is_quarantined(c->env->leases, lease_addr6(a), c->env->now))
		return false;
	if (owner && owner != c->host)
		return false; /* reserved for another client */
	for (size_t i = 0; i < c->env->iface->naddrs; i++)
		if (memcmp(&c->env->iface->addrs[i], a, 16) == 0)
			return false;
	return !given_already(c, a);
}

static bool pool_usable(void *arg, const struct in6_addr *a)
{
	const struct usable_ctx *u = arg;

	return usable_for(u->c, u->ia, a);
}

/*
 * The address for ia: its current binding when still in a range, else an
 * address it asked for when usable, else a free one starting from a hash
 * of the client (so it gets the same one back).  False: none left.
 */
static bool choose(const struct ctx *c, const struct dhcp6_ia *ia, struct in6_addr *out)
{
	const struct lease *l = lease_by_ia(c->env->leases, c->m.client_id, c->m.client_id_len,
					    ia->iaid, LEASE_IA_NA);
	struct usable_ctx u = { c, ia };
	uint64_t start = hash_bytes(c->m.client_id, c->m.client_id_len, ia->iaid);

	if (reserved_addr(c, out))
		return usable_for(c, ia, out);
	if (l && range_of(c, &l->addr.v6) && usable_for(c, ia, &l->addr.v6)) {
		*out = l->addr.v6;
		return true;
	}
	for (size_t i = 0; i < ia->naddrs; i++)
		if (range_of(c, &ia->addrs[i].addr) && usable_for(c, ia, &ia->addrs[i].addr)) {
			*out = ia->addrs[i].addr;
			return true;
		}
	for (size_t i = 0; i < c->nranges; i++)
		if (c->ranges[i].dynamic &&
		    pool6_pick(&c->ranges[i].first, &c->ranges[i].last, start, pool_usable, &u, out))
			return true;
	return false;
}

/* ---- the reply ---- */

static void log_event(const struct ctx *c, const char *what, const struct in6_addr *a,
		      const char *extra)
{
	char text[INET6_ADDRSTRLEN] = "";

	if (c->cfg->quiet_dhcp6)
		return;
	if (a)
		inet_ntop(AF_INET6, a, text, sizeof(text));
	log_info("%s(%s) %s%s%s%s%s", what, c->env->iface->name, text, a ? " " : "", c->duid,
		 extra && *extra ? " " : "", extra ? extra : "");
}

static void begin(struct ctx *c, uint8_t type)
{
	c->res->reply_type = type;
	dhcp6_out_init(&c->o, c->res->reply, sizeof(c->res->reply), type, c->m.xid);
	dhcp6_put(&c->o, D6O_SERVERID, c->env->server_duid, c->env->server_duid_len);
	dhcp6_put(&c->o, D6O_CLIENTID, c->m.client_id, c->m.client_id_len);
}

/* The codes the protocol itself owns: never taken from the configuration. */
static bool server_owned(uint16_t code)
{
	return code <= D6O_RAPID_COMMIT || code == D6O_RECONF_ACCEPT || code == D6O_IA_PD ||
	       code == D6O_IAPREFIX || code == D6O_CLIENT_FQDN || code == DHCP6_OPT_T1 ||
	       code == DHCP6_OPT_T2;
}

static bool requested(const struct ctx *c, uint16_t code)
{
	for (size_t i = 0; i < c->m.noro; i++)
		if (c->m.oro[i] == code)
			return true;
	return false;
}

/*
 * The tags set for this message, as for DHCPv4: the interface's name, the
 * set:TAG of the ranges serving the link, "known" and the reservation's
 * set:TAG when the client has one.
 */
static void collect_tags(struct ctx *c)
{
	c->tags[c->ntags++] = c->env->iface->name;
	for (size_t i = 0; i < c->nranges; i++)
		if (c->ranges[i].set_tag)
			c->tags[c->ntags++] = c->ranges[i].set_tag;
	if (c->host) {
		c->tags[c->ntags++] = "known";
		if (c->host->set_tag)
			c->tags[c->ntags++] = c->host->set_tag;
	}
}

/* Options in force: the configuration's, then --dhcp-optsfile lines. */
static const struct dhcp_option *options(const struct ctx *c, size_t *n)
{
	if (c->env->hosts)
		return hostdb_options(c->env->hosts, n);
	*n = c->cfg->noptions;
	return c->cfg->options;
}

/*
 * The --dhcp-option=option6:CODE for this message: the first whose tags
 * all match, one with tag: conditions beating one without (as DHCPv4).
 */
static const struct dhcp_option *configured(const struct ctx *c, uint16_t code)
{
	const struct dhcp_option *opts, *plain = NULL;
	size_t n;

	opts = options(c, &n);
	for (size_t i = 0; opts && i < n; i++) {
		const struct dhcp_option *o = &opts[i];

		if (o->family != AF_INET6 || o->code != code ||
		    !config_tags_match(&o->match, c->tags, c->ntags))
			continue;
		if (o->match.n)
			return o;
		if (!plain)
			plain = o;
	}
	return plain;
}

/* DNS servers as configured, "[::]" standing for this link's address (dnsmasq's). */
static void put_dns_servers(struct ctx *c, const struct dhcp_option *o)
{
	size_t mark = dhcp6_open(&c->o, D6O_DNS_SERVERS);

	for (size_t k = 0; k + 16 <= o->len; k += 16) {
		struct in6_addr a;

		memcpy(&a, o->data + k, 16);
		if (IN6_IS_ADDR_UNSPECIFIED(&a) && c->env->iface->naddrs > 0)
			a = c->env->iface->addrs[0];
		dhcp6_put_bytes(&c->o, &a, 16);
	}
	dhcp6_close(&c->o, mark);
}

/*
 * DNS servers: configured, else this link's first global address when DNS
 * answers; the domain list: configured, else --domain; every other
 * configured option the client asked for (or forced).
 */
static void put_config(struct ctx *c)
{
	const char *domain = c->cfg->domain;
	const struct dhcp_option *o, *opts;
	size_t n;

	if ((o = configured(c, D6O_DNS_SERVERS)))
		put_dns_servers(c, o);
	else if (c->cfg->port != 0 && c->env->iface->naddrs > 0)
		dhcp6_put(&c->o, D6O_DNS_SERVERS, &c->env->iface->addrs[0], 16);
	if ((o = configured(c, D6O_DOMAIN_LIST)))
		dhcp6_put(&c->o, D6O_DOMAIN_LIST, o->data, o->len);
	else if (domain && *domain && strcmp(domain, "#") != 0)
		(void)dhcp6_put_domain_list(&c->o, D6O_DOMAIN_LIST, &domain, 1);
	opts = options(c, &n);
	for (size_t i = 0; opts && i < n; i++) {
		o = &opts[i];
		if (o->family != AF_INET6 || o->code == D6O_DNS_SERVERS ||
		    o->code == D6O_DOMAIN_LIST || server_owned(o->code) ||
		    !(o->force || requested(c, o->code)) || configured(c, o->code) != o)
			continue;
		dhcp6_put(&c->o, o->code, o->data, o->len);
	}
	if (c->m.has_fqdn && c->name[0]) {
		size_t mark = dhcp6_open(&c->o, D6O_CLIENT_FQDN);
		char fqdn[LEASE_NAME_MAX + 256];
		uint8_t flags = 0x01; /* S: leased keeps the name's AAAA itself */

		snprintf(fqdn, sizeof(fqdn), "%s%s%s", c->name, domain && *domain ? "." : "",
			 domain ? domain : "");
		dhcp6_put_bytes(&c->o, &flags, 1);
		(void)dhcp6_put_name(&c->o, fqdn);
		dhcp6_close(&c->o, mark);
	}
}

/*
 * Preference (RFC 8415 21.8): option6:preference as configured, else 255
 * under --dhcp-authoritative (clients then take this Advertise at once),
 * else none (0).
 */
static void put_preference(struct ctx *c)
{
	const struct dhcp_option *o = configured(c, D6O_PREFERENCE);

	if (o && o->len == 1)
		dhcp6_put(&c->o, D6O_PREFERENCE, o->data, 1);
	else if (c->cfg->authoritative)
		dhcp6_put(&c->o, D6O_PREFERENCE, &(uint8_t){ 255 }, 1);
}

static void finish(struct ctx *c)
{
	if (c->o.full)
		return; /* cannot happen below the minimum MTU; never send half a reply */
	c->res->verdict = DHCP6_SEND;
	c->res->reply_len = c->o.len;
}

/* A configured timer (option6:T1, option6:T2), or dflt. */
static uint32_t timer(const struct ctx *c, uint16_t code, uint32_t dflt)
{
	const struct dhcp_option *o = configured(c, code);

	return o && o->len == 4 ? get_be32(o->data) : dflt;
}

/*
 * T1 and T2 of an IA_NA whose address lives `lifetime` seconds: half and
 * four fifths of it (RFC 8415 21.4's advice), or option6:T1/T2; never
 * past the lifetime, and T1 never past T2.
 */
static void ia_timers(const struct ctx *c, uint32_t lifetime, uint32_t *t1, uint32_t *t2)
{
	*t2 = MIN(timer(c, DHCP6_OPT_T2, lifetime == LEASE_INFINITE ? lifetime : lifetime / 10 * 8),
		  lifetime);
	*t1 = MIN(timer(c, DHCP6_OPT_T1, lifetime == LEASE_INFINITE ? lifetime : lifetime / 2), *t2);
}

/* An IA option holding one address (or none) and a status inside when status >= 0. */
static void put_ia(struct ctx *c, const struct dhcp6_ia *ia, const struct in6_addr *a,
		   uint32_t lifetime, int status, const char *message)
{
	size_t mark = dhcp6_open(&c->o, ia->type);
	uint32_t t1 = 0, t2 = 0;

	dhcp6_put_u32(&c->o, ia->iaid);
	if (ia->type == D6O_IA_NA) {
		if (a && lifetime)
			ia_timers(c, lifetime, &t1, &t2);
		dhcp6_put_u32(&c->o, t1);
		dhcp6_put_u32(&c->o, t2);
	}
	if (a)
		dhcp6_put_iaaddr(&c->o, a, lifetime, lifetime, -1);
	if (status >= 0)
		dhcp6_put_status(&c->o, (uint16_t)status, message);
	dhcp6_close(&c->o, mark);
}

/* ---- lease changes ---- */

static uint32_t lease_time_of(const struct ctx *c, const struct range6 *r)
{
	if (c->host && c->host->has_lease_time)
		return c->host->lease_time;
	return r ? r->lease_time : DEFAULT_LEASE_TIME;
}

/* Bind a to ia until now + the range's lease time; false if the table refuses. */
static bool bind_ia(struct ctx *c, const struct dhcp6_ia *ia, const struct in6_addr *a)
{
	const struct range6 *r = link_range_of(c, a);
	const struct lease *old = lease_by_addr(c->env->leases, lease_addr6(a));
	uint32_t t = lease_time_of(c, r);
	struct lease l;

	memset(&l, 0, sizeof(l));
	l.addr = lease_addr6(a);
	memcpy(l.client_id, c->m.client_id, c->m.client_id_len);
	l.client_id_len = (uint8_t)c->m.client_id_len;
	l.iaid = ia->iaid;
	l.ia = LEASE_IA_NA;
	if (!lease_duid_hwaddr(l.client_id, l.client_id_len, &l.htype, l.hwaddr, &l.hwlen) &&
	    c->env->src_hwlen && c->env->src_hwlen <= LEASE_HWADDR_MAX) {
		l.htype = 1;
		l.hwlen = (uint8_t)c->env->src_hwlen;
		memcpy(l.hwaddr, c->env->src_hw, c->env->src_hwlen);
	}
	str_copy(l.hostname, c->name[0] ? c->name : old ? old->hostname : "", sizeof(l.hostname));
	l.expires = t == LEASE_INFINITE ? 0 : c->env->now + (time_t)t;
	if (lease_commit(c->env->leases, &l, old ? LEASE_EV_RENEWED : LEASE_EV_GRANTED) < 0)
		return false;
	c->res->lease_changed = true;
	return true;
}

/* ---- message types ---- */

/* Solicit: an address per IA_NA, committed at once with Rapid Commit. */
static void on_solicit(struct ctx *c)
{
	bool commit = c->m.rapid_commit;

	if (c->nranges == 0)
		return; /* no stateful range here: another server's business */
	begin(c, commit ? DHCP6_REPLY : DHCP6_ADVERTISE);
	if (commit)
		dhcp6_put(&c->o, D6O_RAPID_COMMIT, NULL, 0);
	put_preference(c);
	for (size_t i = 0; i < c->m.nias; i++) {
		const struct dhcp6_ia *ia = &c->m.ias[i];
		struct in6_addr a;

		if (ia->type != D6O_IA_NA) {
			put_ia(c, ia, NULL, 0, D6S_NO_ADDRS_AVAIL, "temporary addresses are not served");
			continue;
		}
		if (!choose(c, ia, &a) || (commit && !bind_ia(c, ia, &a))) {
			put_ia(c, ia, NULL, 0, D6S_NO_ADDRS_AVAIL, "no address available");
			log_event(c, commit ? "DHCPREPLY" : "DHCPADVERTISE", NULL, "no address available");
			continue;
		}
		c->given[c->ngiven++] = a;
		put_ia(c, ia, &a, lease_time_of(c, link_range_of(c, &a)), -1, NULL);
		log_event(c, commit ? "DHCPREPLY" : "DHCPADVERTISE", &a, c->name);
	}
	put_config(c);
	finish(c);
}

/* Request: bind what the client chose (or what is free), per IA. */
static void on_request(struct ctx *c)
{
	begin(c, DHCP6_REPLY);
	for (size_t i = 0; i < c->m.nias; i++) {
		const struct dhcp6_ia *ia = &c->m.ias[i];
		struct in6_addr a;
		bool asked_taken = false;

		if (ia->type != D6O_IA_NA) {
			put_ia(c, ia, NULL, 0, D6S_NO_ADDRS_AVAIL, "temporary addresses are not served");
			continue;
		}
		for (size_t k = 0; k < ia->naddrs; k++)
			asked_taken |= range_of(c, &ia->addrs[k].addr) &&
				       !usable_for(c, ia, &ia->addrs[k].addr);
		if (asked_taken || !choose(c, ia, &a) || !bind_ia(c, ia, &a)) {
			put_ia(c, ia, NULL, 0, D6S_NO_ADDRS_AVAIL,
			       asked_taken ? "address in use by another client" : "no address available");
			log_event(c, "DHCPREPLY", NULL, "no address available");
			continue;
		}
		c->given[c->ngiven++] = a;
		put_ia(c, ia, &a, lease_time_of(c, link_range_of(c, &a)), -1, NULL);
		log_event(c, "DHCPREPLY", &a, c->name);
	}
	put_config(c);
	finish(c);
}

/*
 * Renew and Rebind: extend each address still appropriate (creating the
 * binding if the server lost it); return the others with lifetime 0, and
 * offer a valid address in an IA left with none.
 */
static void on_renew(struct ctx *c)
{
	begin(c, DHCP6_REPLY);
	for (size_t i = 0; i < c->m.nias; i++) {
		const struct dhcp6_ia *ia = &c->m.ias[i];
		size_t mark;
		bool kept = false;
		struct in6_addr a;
		uint32_t t = 0;

		if (ia->type != D6O_IA_NA) {
			put_ia(c, ia, NULL, 0, D6S_NO_BINDING, "temporary addresses are not served");
			continue;
		}
		mark = dhcp6_open(&c->o, D6O_IA_NA);
		dhcp6_put_u32(&c->o, ia->iaid);
		{
			size_t times = c->o.len;

			dhcp6_put_u32(&c->o, 0);
			dhcp6_put_u32(&c->o, 0);
			for (size_t k = 0; k < ia->naddrs; k++) {
				const struct in6_addr *x = &ia->addrs[k].addr;

				if (!kept && appropriate(c, x) && usable_for(c, ia, x) &&
				    bind_ia(c, ia, x)) {
					kept = true;
					t = lease_time_of(c, link_range_of(c, x));
					c->given[c->ngiven++] = *x;
					dhcp6_put_iaaddr(&c->o, x, t, t, -1);
					log_event(c, "DHCPREPLY", x, c->name);
				} else {
					dhcp6_put_iaaddr(&c->o, x, 0, 0, -1);
				}
			}
			if (!kept && choose(c, ia, &a) && bind_ia(c, ia, &a)) {
				kept = true;
				t = lease_time_of(c, link_range_of(c, &a));
				c->given[c->ngiven++] = a;
				dhcp6_put_iaaddr(&c->o, &a, t, t, -1);
				log_event(c, "DHCPREPLY", &a, c->name);
			}
			if (!c->o.full && kept) {
				put_be32(c->o.p + times, t / 2);
				put_be32(c->o.p + times + 4, t / 10 * 8);
			}
			if (!kept)
				dhcp6_put_status(&c->o, D6S_NO_ADDRS_AVAIL, "no address available");
		}
		dhcp6_close(&c->o, mark);
	}
	put_config(c);
	finish(c);
}

/* Release and Decline: end the bindings named; NoBinding for an IA without one. */
static void on_release(struct ctx *c, bool decline)
{
	begin(c, DHCP6_REPLY);
	dhcp6_put_status(&c->o, D6S_SUCCESS, decline ? "declined" : "released");
	for (size_t i = 0; i < c->m.nias; i++) {
		const struct dhcp6_ia *ia = &c->m.ias[i];
		bool any = false;

		for (size_t k = 0; k < ia->naddrs; k++) {
			const struct in6_addr *x = &ia->addrs[k].addr;
			const struct lease *l = lease_by_addr(c->env->leases, lease_addr6(x));

			if (!l || !same_ia(l, c, ia))
				continue;
			any = true;
			if (decline)
				lease_quarantine(c->env->leases, lease_addr6(x),
						 c->env->now + DHCP6_DECLINE_QUARANTINE);
			lease_remove(c->env->leases, lease_addr6(x),
				     decline ? LEASE_EV_DECLINED : LEASE_EV_RELEASED);
			c->res->lease_changed = true;
			log_event(c, decline ? "DHCPDECLINE" : "DHCPRELEASE", x, NULL);
		}
		/*
		 * NoBinding inside the IA, after the address asked about with
		 * lifetime 0 as dnsmasq writes it: dnsmasq's dhcp_release6
		 * (OpenStack, scripts) looks for the status past an IAADDR.
		 */
		if (!any)
			put_ia(c, ia, ia->naddrs ? &ia->addrs[0].addr : NULL, 0, D6S_NO_BINDING,
			       "no binding found");
	}
	finish(c);
}

/* Confirm: are the client's addresses still on this link?  No addresses: no reply. */
static void on_confirm(struct ctx *c)
{
	size_t n = 0;
	bool on_link = true;

	for (size_t i = 0; i < c->m.nias; i++)
		for (size_t k = 0; k < c->m.ias[i].naddrs; k++, n++)
			on_link &= link_range_of(c, &c->m.ias[i].addrs[k].addr) != NULL;
	if (n == 0 || c->nranges == 0)
		return;
	begin(c, DHCP6_REPLY);
	dhcp6_put_status(&c->o, on_link ? D6S_SUCCESS : D6S_NOT_ON_LINK,
			 on_link ? "all addresses still on link" : "not on link");
	finish(c);
}

static void on_information_request(struct ctx *c)
{
	if (c->m.nias > 0)
		return; /* RFC 8415 16.12: an Information-request with an IA is discarded */
	begin(c, DHCP6_REPLY);
	put_config(c);
	finish(c);
}

/* A unicast Request, Renew, Release or Decline: "use multicast" (RFC 8415 18.4). */
static void use_multicast(struct ctx *c)
{
	begin(c, DHCP6_REPLY);
	dhcp6_put_status(&c->o, D6S_USE_MULTICAST, "use multicast");
	finish(c);
}

/* ---- checks every message passes (RFC 8415 section 16) ---- */

static bool ours(const struct ctx *c)
{
	return c->m.server_id_len == c->env->server_duid_len &&
	       memcmp(c->m.server_id, c->env->server_duid, c->env->server_duid_len) == 0;
}

/* Whether m may be answered at all: server id rules, client id present. */
static bool acceptable(const struct ctx *c)
{
	switch (c->m.type) {
	case DHCP6_SOLICIT:
	case DHCP6_CONFIRM:
	case DHCP6_REBIND:
		return c->m.client_id_len > 0 && c->m.server_id_len == 0 && c->env->multicast;
	case DHCP6_REQUEST:
	case DHCP6_RENEW:
	case DHCP6_RELEASE:
	case DHCP6_DECLINE:
		return c->m.client_id_len > 0 && ours(c);
	case DHCP6_INFORMATION_REQUEST:
		return c->m.server_id_len == 0 || ours(c);
	default:
		return false; /* server messages, relays, Reconfigure */
	}
}

/* The name the client asked for: option 39's first label, when it is a valid one. */
static void take_name(struct ctx *c)
{
	const char *dot = strchr(c->m.fqdn, '.');
	size_t n = dot ? (size_t)(dot - c->m.fqdn) : strlen(c->m.fqdn);

	c->name[0] = '\0';
	if (!c->m.has_fqdn || n == 0 || n >= sizeof(c->name))
		return;
	memcpy(c->name, c->m.fqdn, n);
	c->name[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!(c->name[i] == '-' || c->name[i] == '_' ||
		      (c->name[i] >= 'a' && c->name[i] <= 'z') ||
		      (c->name[i] >= '0' && c->name[i] <= '9'))) {
			c->name[0] = '\0';
			return;
		}
}

bool dhcp6_serves(const struct config *cfg, const struct dhcp6_iface *iface)
{
	struct ctx c;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.env = &(struct dhcp6_env){ .cfg = cfg, .iface = iface };
	find_ranges(&c);
	return c.info_ok;
}

bool dhcp6_eui64_mac(const struct in6_addr *a, uint8_t mac[6])
{
	const uint8_t *id = a->s6_addr + 8;

	if (id[3] != 0xff || id[4] != 0xfe)
		return false;
	mac[0] = id[0] ^ 0x02;
	mac[1] = id[1];
	mac[2] = id[2];
	mac[3] = id[5];
	mac[4] = id[6];
	mac[5] = id[7];
	return true;
}

bool dhcp6_wanted(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nranges; i++)
		if (cfg->ranges[i].family == AF_INET6 && !(cfg->ranges[i].mode6 & RANGE6_RA_ONLY))
			return true;
	return false;
}

void dhcp6_handle(const struct dhcp6_env *env, const uint8_t *pkt, size_t len,
		  struct dhcp6_result *out)
{
	struct ctx c;
	const char *why = NULL;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.env = env;
	c.cfg = env->cfg;
	c.res = out;
	if (dhcp6_parse(pkt, len, &c.m, &why) < 0) {
		log_debug("DHCPv6 message on %s dropped: %s", env->iface->name, why);
		return;
	}
	out->request_type = c.m.type;
	if (!acceptable(&c))
		return;
	find_ranges(&c);
	if (!c.info_ok)
		return; /* no DHCPv6 range covers this link */
	hex_format(c.m.client_id, c.m.client_id_len, c.duid, sizeof(c.duid));
	take_name(&c);
	c.host = find_reservation(&c);
	if (c.host && c.host->ignore)
		return; /* "ignore": never answered */
	if (c.host && c.host->name)
		str_copy(c.name, c.host->name, sizeof(c.name));
	collect_tags(&c);
	if (!env->multicast && c.m.type != DHCP6_INFORMATION_REQUEST) {
		use_multicast(&c);
		return;
	}
	switch (c.m.type) {
	case DHCP6_SOLICIT:
		on_solicit(&c);
		break;
	case DHCP6_REQUEST:
		on_request(&c);
		break;
	case DHCP6_RENEW:
	case DHCP6_REBIND:
		on_renew(&c);
		break;
	case DHCP6_RELEASE:
		on_release(&c, false);
		break;
	case DHCP6_DECLINE:
		on_release(&c, true);
		break;
	case DHCP6_CONFIRM:
		on_confirm(&c);
		break;
	case DHCP6_INFORMATION_REQUEST:
		on_information_request(&c);
		break;
	}
}
