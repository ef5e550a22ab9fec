/*
 * ra — what a router advertisement says and its wire form (see
 * include/ra/ra.h).  Pure: the configuration and the interface come in,
 * bytes go out.
 */
#include "ra/ra.h"
#include "core/util.h"

#include <string.h>

#define ICMP6_RS 133
#define ICMP6_RA 134
#define OPT_SRC_LLADDR 1
#define OPT_PREFIX 3
#define OPT_MTU 5
#define OPT_RDNSS 25
#define OPT_DNSSL 31
#define RS_MAX_OPTIONS 64           /* more is an attack, not a host */
#define ROUTER_LIFETIME_MAX 9000    /* RFC 4861 6.2.1 */
#define HOP_LIMIT 64

/* ---- which ranges speak for an interface ---- */

static bool wants_ra(const struct config *cfg, const struct dhcp_range *r)
{
	return cfg->enable_ra || (r->mode6 & (RANGE6_RA_ONLY | RANGE6_RA_STATELESS |
					      RANGE6_RA_NAMES | RANGE6_SLAAC));
}

static void mask_prefix(struct in6_addr *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = len >= (i + 1) * 8 ? 8 : len > i * 8 ? len - i * 8 : 0;

		a->s6_addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static bool global_addr(const struct nl_addr6 *a)
{
	return !IN6_IS_ADDR_LINKLOCAL(&a->addr) && !IN6_IS_ADDR_LOOPBACK(&a->addr) &&
	       !IN6_IS_ADDR_MULTICAST(&a->addr) && a->prefixlen > 0 && a->prefixlen <= 128;
}

static void add_prefix(struct ra_message *m, struct in6_addr p, unsigned len, bool slaac,
		       uint32_t lifetime)
{
	struct ra_prefix *x;

	mask_prefix(&p, len);
	for (size_t i = 0; i < m->nprefixes; i++) {
		x = &m->prefixes[i];
		if (x->len == len && memcmp(&x->prefix, &p, sizeof(p)) == 0) {
			x->autonomous |= slaac && len == 64;
			return;
		}
	}
	if (m->nprefixes == RA_MAX_PREFIXES)
		return;
	x = &m->prefixes[m->nprefixes++];
	x->prefix = p;
	x->len = (uint8_t)len;
	x->autonomous = slaac && len == 64;
	x->valid = x->preferred = lifetime;
}

/* The prefixes range r gives ifc; how many. */
static size_t range_prefixes(const struct dhcp_range *r, const struct nl_iface *ifc,
			     struct ra_message *m)
{
	bool slaac = r->mode6 & (RANGE6_RA_ONLY | RANGE6_RA_STATELESS | RANGE6_RA_NAMES |
				 RANGE6_SLAAC);
	uint32_t life = r->lease_time; /* LEASE_INFINITE is RFC 4861's infinity too */
	size_t found = 0;

	for (size_t i = 0; i < ifc->naddrs6; i++) {
		const struct nl_addr6 *a = &ifc->addrs6[i];

		if (!global_addr(a))
			continue;
		if (r->constructor_if) {
			if (!config_iface_matches(r->constructor_if, ifc->name))
				return 0;
			add_prefix(m, a->addr, a->prefixlen, slaac, life);
			found++;
		} else if (in6_same_prefix(&a->addr, &r->start6, (unsigned)r->prefixlen6)) {
			add_prefix(m, r->start6, (unsigned)r->prefixlen6, slaac, life);
			found++;
		}
	}
	return found;
}

/* ---- the message ---- */

static const struct ra_param *param_for(const struct config *cfg, const char *ifname)
{
	for (size_t i = 0; i < cfg->nra_params; i++)
		if (strcmp(cfg->ra_params[i].iface, "*") == 0 ||
		    config_iface_matches(cfg->ra_params[i].iface, ifname))
			return &cfg->ra_params[i];
	return NULL;
}

/* The address leased answers DNS on for ifc, for RDNSS; false when none. */
static bool dns_address(const struct config *cfg, const struct nl_iface *ifc,
			struct in6_addr *out)
{
	const struct in6_addr *ll;

	if (cfg->port == 0)
		return false;
	if (cfg->nlisten_addrs > 0) {
		for (size_t i = 0; i < cfg->nlisten_addrs; i++) {
			const struct sockaddr_in6 *s = (const void *)&cfg->listen_addrs[i];

			if (s->sin6_family != AF_INET6)
				continue;
			for (size_t k = 0; k < ifc->naddrs6; k++)
				if (memcmp(&ifc->addrs6[k].addr, &s->sin6_addr, sizeof(*out)) == 0) {
					*out = s->sin6_addr;
					return true;
				}
		}
		return false;
	}
	for (size_t k = 0; k < ifc->naddrs6; k++)
		if (global_addr(&ifc->addrs6[k]) && !ifc->addrs6[k].tentative) {
			*out = ifc->addrs6[k].addr;
			return true;
		}
	ll = netlink_link_local(ifc);
	if (ll)
		*out = *ll;
	return ll != NULL;
}

/* Whether leased answers DNS on a, one of ifc's addresses. */
static bool dns_answers_on(const struct config *cfg, const struct nl_iface *ifc,
			   const struct in6_addr *a)
{
	bool on_ifc = false;

	for (size_t k = 0; k < ifc->naddrs6; k++)
		on_ifc |= memcmp(&ifc->addrs6[k].addr, a, sizeof(*a)) == 0;
	if (cfg->port == 0 || !on_ifc)
		return false;
	if (cfg->nlisten_addrs == 0)
		return true; /* the wildcard listener */
	for (size_t i = 0; i < cfg->nlisten_addrs; i++) {
		const struct sockaddr_in6 *s = (const void *)&cfg->listen_addrs[i];

		if (s->sin6_family == AF_INET6 && memcmp(&s->sin6_addr, a, sizeof(*a)) == 0)
			return true;
	}
	return false;
}

/*
 * RDNSS: --dhcp-option=option6:dns-server's addresses ([::]: ours), as
 * LXD passes them, else our own address; only addresses DNS answers on.
 */
static void plan_rdnss(const struct config *cfg, const struct nl_iface *ifc,
		       struct ra_message *m)
{
	const struct dhcp_option *o = config_iface_option(cfg, AF_INET6, 23, ifc->name);

	if (!o) {
		if (dns_address(cfg, ifc, &m->rdnss[0]))
			m->nrdnss = 1;
		return;
	}
	for (size_t k = 0; k + 16 <= o->len && m->nrdnss < RA_MAX_RDNSS; k += 16) {
		struct in6_addr a;

		bool seen = false;

		memcpy(&a, o->data + k, 16);
		if (!(IN6_IS_ADDR_UNSPECIFIED(&a) ? dns_address(cfg, ifc, &a)
						   : dns_answers_on(cfg, ifc, &a)))
			continue;
		for (size_t i = 0; i < m->nrdnss; i++)
			seen |= memcmp(&m->rdnss[i], &a, sizeof(a)) == 0;
		if (!seen)
			m->rdnss[m->nrdnss++] = a;
	}
}

static void apply_param(const struct ra_param *p, const struct nl_iface *ifc,
			struct ra_message *m, struct ra_timing *t)
{
	t->interval = RA_DEFAULT_INTERVAL;
	m->mtu = ifc->mtu;
	if (!p)
		return;
	if (p->interval)
		t->interval = p->interval;
	if (p->mtu_off)
		m->mtu = 0;
	else if (p->mtu)
		m->mtu = p->mtu;
	m->preference = p->preference;
}

bool ra_plan(const struct config *cfg, const struct nl_iface *ifc, struct ra_message *m,
	     struct ra_timing *t)
{
	const struct ra_param *p = param_for(cfg, ifc->name);
	bool any = false;

	memset(m, 0, sizeof(*m));
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < cfg->nranges; i++) {
		const struct dhcp_range *r = &cfg->ranges[i];
		bool ra_only = r->mode6 & RANGE6_RA_ONLY;
		bool stateless = r->mode6 & RANGE6_RA_STATELESS;

		if (r->family != AF_INET6 || !wants_ra(cfg, r) || range_prefixes(r, ifc, m) == 0)
			continue;
		any = true;
		m->managed |= !ra_only && !stateless;
		m->other |= !ra_only;
	}
	if (!any)
		return false;
	apply_param(p, ifc, m, t);
	m->hop_limit = HOP_LIMIT;
	m->router_lifetime = (uint16_t)MIN(3u * t->interval, ROUTER_LIFETIME_MAX);
	if (p && p->has_lifetime)
		m->router_lifetime = (uint16_t)MIN(p->lifetime, ROUTER_LIFETIME_MAX);
	if (ifc->hwlen > 0 && ifc->hwlen <= sizeof(m->src_hw)) {
		memcpy(m->src_hw, ifc->hwaddr, ifc->hwlen);
		m->src_hwlen = ifc->hwlen;
	}
	plan_rdnss(cfg, ifc, m);
	if (cfg->domain && cfg->domain[0] && strcmp(cfg->domain, "#") != 0)
		str_copy(m->domain, cfg->domain, sizeof(m->domain));
	m->dns_lifetime = 3 * t->interval;
	return true;
}

/* ---- the wire ---- */

struct out {
	uint8_t *p;
	size_t len, cap;
	bool full;
};

static uint8_t *put(struct out *o, size_t n)
{
	uint8_t *at;

	if (o->full || o->cap - o->len < n) {
		o->full = true;
		return NULL;
	}
	at = o->p + o->len;
	memset(at, 0, n);
	o->len += n;
	return at;
}

/* A domain name in DNS wire form (RFC 8106 5.2); its length, 0 if it is not one. */
static size_t domain_wire(const char *name, uint8_t *out, size_t cap)
{
	size_t o = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		if (n == 0 || n > 63 || o + 1 + n + 1 > cap)
			return 0;
		out[o++] = (uint8_t)n;
		memcpy(out + o, name, n);
		o += n;
		name += n + (dot ? 1 : 0);
	}
	out[o++] = 0;
	return o;
}

static void put_options(const struct ra_message *m, struct out *o)
{
	uint8_t *x, dn[256];
	size_t n;

	if (m->src_hwlen) {
		n = (2 + m->src_hwlen + 7) / 8;
		if ((x = put(o, n * 8))) {
			x[0] = OPT_SRC_LLADDR, x[1] = (uint8_t)n;
			memcpy(x + 2, m->src_hw, m->src_hwlen);
		}
	}
	if (m->mtu && (x = put(o, 8))) {
		x[0] = OPT_MTU, x[1] = 1;
		put_be32(x + 4, m->mtu);
	}
	for (size_t i = 0; i < m->nprefixes; i++) {
		const struct ra_prefix *p = &m->prefixes[i];

		if (!(x = put(o, 32)))
			break;
		x[0] = OPT_PREFIX, x[1] = 4, x[2] = p->len;
		x[3] = (uint8_t)(0x80 | (p->autonomous ? 0x40 : 0)); /* L, A */
		put_be32(x + 4, p->valid);
		put_be32(x + 8, p->preferred);
		memcpy(x + 16, &p->prefix, 16);
	}
	if (m->nrdnss && (x = put(o, 8 + 16 * m->nrdnss))) {
		x[0] = OPT_RDNSS, x[1] = (uint8_t)(1 + 2 * m->nrdnss);
		put_be32(x + 4, m->dns_lifetime);
		memcpy(x + 8, m->rdnss, 16 * m->nrdnss);
	}
	n = m->domain[0] ? domain_wire(m->domain, dn, sizeof(dn)) : 0;
	if (n && (x = put(o, 8 + (n + 7) / 8 * 8))) {
		x[0] = OPT_DNSSL, x[1] = (uint8_t)(1 + (n + 7) / 8);
		put_be32(x + 4, m->dns_lifetime);
		memcpy(x + 8, dn, n);
	}
}

int ra_build(const struct ra_message *m, uint8_t *buf, size_t cap)
{
	struct out o = { .p = buf, .cap = cap };
	uint8_t *h = put(&o, 16);

	if (!h)
		return -1;
	h[0] = ICMP6_RA;
	h[4] = m->hop_limit;
	h[5] = (uint8_t)((m->managed ? 0x80 : 0) | (m->other ? 0x40 : 0) |
			 ((unsigned)m->preference & 3) << 3);
	put_be16(h + 6, m->router_lifetime);
	put_options(m, &o);
	return o.full ? -1 : (int)o.len;
}

int ra_parse_rs(const uint8_t *p, size_t len, bool src_unspecified, struct ra_solicit *out,
		const char **why)
{
	size_t off = 8, nopts = 0;

	memset(out, 0, sizeof(*out));
	if (len < 8 || p[0] != ICMP6_RS || p[1] != 0) {
		*why = "not a router solicitation";
		return -1;
	}
	while (off < len) {
		size_t olen;

		if (len - off < 2 || (olen = (size_t)p[off + 1] * 8) == 0) {
			*why = "option of length 0";
			return -1;
		}
		if (olen > len - off) {
			*why = "option runs past the end";
			return -1;
		}
		if (++nopts > RS_MAX_OPTIONS) {
			*why = "too many options";
			return -1;
		}
		if (p[off] == OPT_SRC_LLADDR && !out->has_src_hw) {
			out->has_src_hw = true;
			out->src_hwlen = MIN(olen - 2, sizeof(out->src_hw));
			memcpy(out->src_hw, p + off + 2, out->src_hwlen);
		}
		off += olen;
	}
	if (src_unspecified && out->has_src_hw) {
		*why = "source link-layer address from the unspecified address";
		return -1;
	}
	return 0;
}
