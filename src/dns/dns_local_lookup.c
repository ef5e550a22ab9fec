/*
 * dns_local_lookup — where a name's local data lives: the static records
 * dns_local_load.c built, the zone that decides for it, and the leases
 * and interfaces read at query time.  Answering (dns_local.c) and
 * explaining (dns_explain.c) both look names up here, so neither needs
 * the other's internals and explaining never calls back into answering.
 */
#include "dns_local_internal.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

/* The lease name key stands for: "H" for "H", or for "H.DOMAIN" with -s. */
static bool lease_label(const struct qctx *c, const char *key, char *label, size_t len)
{
	const char *dot = strchr(key, '.');
	size_t n;

	label[0] = '\0';
	if (!c->env || !c->env->leases)
		return false;
	if (dot) {
		if (!c->d->domain || strcmp(dot + 1, c->d->domain) != 0)
			return false;
		n = (size_t)(dot - key);
	} else {
		n = strlen(key);
	}
	if (n == 0 || n >= len)
		return false;
	memcpy(label, key, n);
	label[n] = '\0';
	return true;
}

/* The address a reverse name (in-addr.arpa or ip6.arpa) stands for. */
static bool reverse_lease_addr(const char *key, struct lease_addr *a)
{
	uint8_t addr[16];
	int family;

	if ((!str_has_suffix(key, ".in-addr.arpa") && !str_has_suffix(key, ".ip6.arpa")) ||
	    dns_reverse_addr(key, &family, addr) < 0)
		return false;
	memset(a, 0, sizeof(*a));
	a->family = (sa_family_t)family;
	if (family == AF_INET6)
		memcpy(&a->v6, addr, sizeof(a->v6));
	else
		memcpy(&a->v4, addr, sizeof(a->v4));
	return true;
}

const struct nl_iface *iface_up(const struct qctx *c, const char *ifname)
{
	const struct nl_iface *i;

	if (!c->env || !c->env->nl)
		return NULL;
	i = netlink_iface_by_name(c->env->nl, ifname);
	return i && i->up ? i : NULL;
}

bool iface_addr6_named(const struct nl_addr6 *a)
{
	return !IN6_IS_ADDR_LINKLOCAL(&a->addr) && !a->tentative;
}

static bool iface_holds(const struct nl_iface *ifc, const struct iface_rev *r,
			const struct lease_addr *a)
{
	for (size_t j = 0; r->v4 && a->family == AF_INET && j < ifc->naddrs; j++)
		if (ifc->addrs[j].s_addr == a->v4.s_addr)
			return true;
	for (size_t j = 0; r->v6 && a->family == AF_INET6 && j < ifc->naddrs6; j++)
		if (iface_addr6_named(&ifc->addrs6[j]) &&
		    memcmp(&ifc->addrs6[j].addr, &a->v6, sizeof(a->v6)) == 0)
			return true;
	return false;
}

/* The --interface-name whose interface holds a (an address its name answers), for its PTR. */
static const struct iface_rev *iface_name_for(const struct qctx *c, const struct lease_addr *a)
{
	for (size_t i = 0; i < c->d->nifrevs; i++) {
		const struct nl_iface *ifc = iface_up(c, c->d->ifrevs[i].ifname);

		if (ifc && iface_holds(ifc, &c->d->ifrevs[i], a))
			return &c->d->ifrevs[i];
	}
	return NULL;
}

/* The zone that decides for key: the most specific domain holding it. */
const struct zone *zone_for(const struct dns_local *d, const char *key)
{
	for (const char *s = key; s; s = next_label(s)) {
		const struct zone *z = find_zone(d, s);

		if (z)
			return z;
	}
	return find_zone(d, "");
}

enum zone_kind zone_kind(const struct zone *z)
{
	if (z->n4 || z->n6 || z->null_addr)
		return ZONE_ADDRESS;
	if (z->local)
		return ZONE_LOCAL;
	if (z->forward)
		return ZONE_FORWARD;
	return ZONE_BOGUS;
}

/* The zone whose apex key is, when leased is authoritative for it. */
const struct zone *auth_apex(const struct dns_local *d, const char *key)
{
	const struct zone *z = find_zone(d, key);

	return z && z->key[0] && zone_kind(z) == ZONE_LOCAL && !z->local_address ? z : NULL;
}

/*
 * A lease owns its name's addresses of its family (an IPv4 lease the A
 * records, an IPv6 one the AAAA: a reservation's other family still
 * answers), the name's CNAME, and its address's PTR.
 */
bool lease_hides(const struct rec *r, const struct found *f)
{
	switch (r->type) {
	case DNS_T_A:
		return f->held.v4 != NULL;
	case DNS_T_AAAA:
		return f->held.v6 != NULL;
	case DNS_T_CNAME:
		return found_lease(f);
	case DNS_T_PTR:
		return f->rl != NULL;
	default:
		return false;
	}
}

/* Whether ra-names gives a, used on interface ifc, a name. */
bool ra_named(const struct dns_local *d, const struct nl_iface *ifc,
		     const struct in6_addr *a)
{
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return false;
	for (size_t i = 0; i < d->nranames; i++) {
		const struct ra_name *x = &d->ranames[i];

		if (!x->ifname) {
			if (in6_same_prefix(a, &x->prefix, x->len))
				return true;
			continue;
		}
		if (!ifc || !config_iface_matches(x->ifname, ifc->name))
			continue;
		for (size_t k = 0; k < ifc->naddrs6; k++)
			if (!IN6_IS_ADDR_LINKLOCAL(&ifc->addrs6[k].addr) &&
			    in6_same_prefix(a, &ifc->addrs6[k].addr, ifc->addrs6[k].prefixlen))
				return true;
	}
	return false;
}

/*
 * ra-names' reverse: the IPv4 lease of the MAC that uses address a on the
 * link (the neighbour table), when ra-names names a and the lease a name.
 */
static const struct lease *slaac_owner(const struct qctx *c, const struct in6_addr *a)
{
	const struct nl_neigh6 *nb;
	const struct lease *l;
	size_t n;

	if (!c->d->nranames || !c->env || !c->env->nl || !c->env->leases)
		return NULL;
	nb = netlink_neighbours6(c->env->nl, &n);
	for (size_t i = 0; i < n; i++) {
		if (memcmp(&nb[i].addr, a, sizeof(*a)) != 0 ||
		    !ra_named(c->d, netlink_iface_by_index(c->env->nl, nb[i].ifindex), a))
			continue;
		l = lease_by_hwaddr(c->env->leases, AF_INET, 1, nb[i].mac, MAC_LEN);
		return l && l->hostname[0] ? l : NULL;
	}
	return NULL;
}

/* Where a name's data lives (struct found, dns_local_internal.h). */
void name_lookup(const struct qctx *c, const char *key, struct found *f)
{
	struct lease_addr ra;

	f->e = find_name(c->d, key);
	f->held = (struct lease_holders){ 0 };
	if (lease_label(c, key, f->label, sizeof(f->label)))
		lease_name_holders(c->env->leases, f->label, &f->held);
	f->rl = NULL;
	f->ifr = NULL;
	if (reverse_lease_addr(key, &ra)) {
		if (c->env && c->env->leases)
			f->rl = lease_by_addr(c->env->leases, ra);
		if (f->rl && !f->rl->hostname[0])
			f->rl = NULL;
		if (!f->rl && ra.family == AF_INET6)
			f->rl = slaac_owner(c, &ra.v6);
		if (!f->rl && !entry_has(f->e, DNS_T_PTR))
			f->ifr = iface_name_for(c, &ra);
	}
}
