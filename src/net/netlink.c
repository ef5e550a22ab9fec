/*
 * netlink — libnl link and address caches under one cache manager, folded
 * after every batch of events into a small array of interfaces (index,
 * name, up, MTU, link-layer address, IPv4 and IPv6 addresses) that the
 * packet path reads without touching
 * libnl.  A second socket sets neighbour entries.
 */
#include "net/netlink.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>

struct netlink {
	struct nl_cache_mngr *mngr;
	struct nl_cache *links;
	struct nl_cache *addrs;
	struct nl_cache *neighs;   /* only with netlink_open(want_neighbours) */
	struct nl_sock *req;       /* requests (neighbour entries) */
	struct nl_iface *ifaces;
	size_t nifaces;
	struct nl_neigh6 *neigh6;
	size_t nneigh6;
	bool changed, neigh_changed;
	netlink_change_fn change_fn;
	void *change_ctx;
};

static void on_cache_change(struct nl_cache *c, struct nl_object *o, int action, void *arg)
{
	struct netlink *nl = arg;

	(void)o;
	(void)action;
	/* A neighbour is not an interface change: the servers need not hear of it. */
	if (c == nl->neighs)
		nl->neigh_changed = true;
	else
		nl->changed = true;
}

/*
 * libnl's link cache can keep a deleted bridge (its RTM_DELLINK for a
 * bridge master is not always applied), and an lxc-net restart re-creates
 * the bridge under the same name: ask the kernel whether the index still
 * carries that name before trusting the cached entry.
 */
static bool link_is_live(int ifindex, const char *name)
{
	char now[IF_NAMESIZE];

	return if_indextoname((unsigned)ifindex, now) && strcmp(now, name) == 0;
}

static void add_link(struct nl_object *obj, void *arg)
{
	struct netlink *nl = arg;
	struct rtnl_link *link = (struct rtnl_link *)obj;
	const char *name = rtnl_link_get_name(link);
	struct nl_addr *hw;
	struct nl_iface *i;

	if (!name || !link_is_live(rtnl_link_get_ifindex(link), name))
		return;
	i = array_push(&nl->ifaces, &nl->nifaces, sizeof(*i));
	i->ifindex = rtnl_link_get_ifindex(link);
	str_copy(i->name, name, sizeof(i->name));
	i->up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
	i->mtu = rtnl_link_get_mtu(link);
	hw = rtnl_link_get_addr(link);
	if (hw && nl_addr_get_len(hw) <= sizeof(i->hwaddr)) {
		i->hwlen = nl_addr_get_len(hw);
		memcpy(i->hwaddr, nl_addr_get_binary_addr(hw), i->hwlen);
	}
}

static struct nl_iface *find_iface(const struct netlink *nl, int ifindex)
{
	for (size_t k = 0; k < nl->nifaces; k++)
		if (nl->ifaces[k].ifindex == ifindex)
			return &nl->ifaces[k];
	return NULL;
}

static void add_addr6(struct nl_iface *i, struct rtnl_addr *a, struct nl_addr *local)
{
	struct nl_addr6 *x;
	unsigned flags = rtnl_addr_get_flags(a);

	if (i->naddrs6 == NETLINK_MAX_ADDRS || nl_addr_get_len(local) != sizeof(struct in6_addr))
		return;
	x = &i->addrs6[i->naddrs6++];
	memcpy(&x->addr, nl_addr_get_binary_addr(local), sizeof(x->addr));
	x->prefixlen = (uint8_t)MIN(rtnl_addr_get_prefixlen(a), 128);
	x->tentative = (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0;
	x->deprecated = (flags & IFA_F_DEPRECATED) != 0;
}

static void add_addr(struct nl_object *obj, void *arg)
{
	struct netlink *nl = arg;
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct nl_addr *local = rtnl_addr_get_local(a);
	struct nl_iface *i;
	unsigned plen;

	if (!local)
		return;
	if (rtnl_addr_get_family(a) == AF_INET6) {
		i = find_iface(nl, rtnl_addr_get_ifindex(a));
		if (i)
			add_addr6(i, a, local);
		return;
	}
	if (rtnl_addr_get_family(a) != AF_INET || nl_addr_get_len(local) != sizeof(struct in_addr))
		return;
	i = find_iface(nl, rtnl_addr_get_ifindex(a));
	if (!i || i->naddrs == NETLINK_MAX_ADDRS)
		return;
	memcpy(&i->addrs[i->naddrs], nl_addr_get_binary_addr(local), sizeof(struct in_addr));
	plen = (unsigned)rtnl_addr_get_prefixlen(a);
	i->netmasks[i->naddrs].s_addr = plen ? htonl(~0u << (32 - MIN(plen, 32u))) : 0;
	i->naddrs++;
}

/* IPv6 neighbours with an Ethernet address that are (or were lately) reachable. */
static void add_neigh(struct nl_object *obj, void *arg)
{
	struct netlink *nl = arg;
	struct rtnl_neigh *n = (struct rtnl_neigh *)obj;
	struct nl_addr *dst = rtnl_neigh_get_dst(n), *ll = rtnl_neigh_get_lladdr(n);
	int state = rtnl_neigh_get_state(n);
	struct nl_neigh6 *x;

	if (rtnl_neigh_get_family(n) != AF_INET6 || !dst || !ll ||
	    nl_addr_get_len(dst) != sizeof(struct in6_addr) || nl_addr_get_len(ll) != MAC_LEN ||
	    (state & (NUD_FAILED | NUD_INCOMPLETE | NUD_NOARP)))
		return;
	x = array_push(&nl->neigh6, &nl->nneigh6, sizeof(*x));
	x->ifindex = rtnl_neigh_get_ifindex(n);
	memcpy(&x->addr, nl_addr_get_binary_addr(dst), sizeof(x->addr));
	memcpy(x->mac, nl_addr_get_binary_addr(ll), MAC_LEN);
}

static void rebuild_neighbours(struct netlink *nl)
{
	free(nl->neigh6);
	nl->neigh6 = NULL;
	nl->nneigh6 = 0;
	if (nl->neighs)
		nl_cache_foreach(nl->neighs, add_neigh, nl);
}

/* Fold the libnl caches into our array.  Few interfaces: a rebuild is cheap. */
static void rebuild(struct netlink *nl)
{
	free(nl->ifaces);
	nl->ifaces = NULL;
	nl->nifaces = 0;
	nl_cache_foreach(nl->links, add_link, nl);
	nl_cache_foreach(nl->addrs, add_addr, nl);
}

struct netlink *netlink_open(bool want_neighbours, struct error *err)
{
	struct netlink *nl = xcalloc(1, sizeof(*nl));
	int r;

	r = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, NL_AUTO_PROVIDE, &nl->mngr);
	if (r < 0)
		goto fail;
	r = nl_cache_mngr_add(nl->mngr, "route/link", on_cache_change, nl, &nl->links);
	if (r < 0)
		goto fail;
	r = nl_cache_mngr_add(nl->mngr, "route/addr", on_cache_change, nl, &nl->addrs);
	if (r < 0)
		goto fail;
	if (want_neighbours) {
		r = nl_cache_mngr_add(nl->mngr, "route/neigh", on_cache_change, nl, &nl->neighs);
		if (r < 0)
			goto fail;
	}
	nl->req = nl_socket_alloc();
	if (!nl->req) {
		r = -NLE_NOMEM;
		goto fail;
	}
	r = nl_connect(nl->req, NETLINK_ROUTE);
	if (r < 0)
		goto fail;
	rebuild(nl);
	rebuild_neighbours(nl);
	return nl;
fail:
	error_set(err, EXIT_NETWORK, "cannot open netlink: %s", nl_geterror(r));
	netlink_close(nl);
	return NULL;
}

const struct in6_addr *netlink_link_local(const struct nl_iface *i)
{
	for (size_t k = 0; i && k < i->naddrs6; k++)
		if (IN6_IS_ADDR_LINKLOCAL(&i->addrs6[k].addr) && !i->addrs6[k].tentative)
			return &i->addrs6[k].addr;
	return NULL;
}

void netlink_close(struct netlink *nl)
{
	if (!nl)
		return;
	if (nl->mngr)
		nl_cache_mngr_free(nl->mngr);
	if (nl->req)
		nl_socket_free(nl->req);
	free(nl->ifaces);
	free(nl->neigh6);
	free(nl);
}

const struct nl_neigh6 *netlink_neighbours6(const struct netlink *nl, size_t *n)
{
	*n = nl ? nl->nneigh6 : 0;
	return nl ? nl->neigh6 : NULL;
}

bool netlink_neighbour6_mac(const struct netlink *nl, int ifindex, const struct in6_addr *a,
			    uint8_t mac[6])
{
	for (size_t i = 0; nl && i < nl->nneigh6; i++)
		if (nl->neigh6[i].ifindex == ifindex &&
		    memcmp(&nl->neigh6[i].addr, a, sizeof(*a)) == 0) {
			memcpy(mac, nl->neigh6[i].mac, 6);
			return true;
		}
	return false;
}

int netlink_fd(const struct netlink *nl)
{
	return nl_cache_mngr_get_fd(nl->mngr);
}

void netlink_on_change(struct netlink *nl, netlink_change_fn fn, void *ctx)
{
	nl->change_fn = fn;
	nl->change_ctx = ctx;
}

void netlink_process(struct netlink *nl)
{
	int r = nl_cache_mngr_data_ready(nl->mngr);

	if (r < 0) {
		/* Lost events (socket overrun): read the whole state again. */
		log_warn("netlink: %s; resynchronising interfaces", nl_geterror(r));
		nl_cache_refill(nl->req, nl->links);
		nl_cache_refill(nl->req, nl->addrs);
		if (nl->neighs)
			nl_cache_refill(nl->req, nl->neighs);
		nl->changed = nl->neigh_changed = true;
	}
	if (nl->neigh_changed) {
		nl->neigh_changed = false;
		rebuild_neighbours(nl);
	}
	if (!nl->changed)
		return;
	nl->changed = false;
	rebuild(nl);
	if (nl->change_fn)
		nl->change_fn(nl->change_ctx);
}

const struct nl_iface *netlink_iface_by_index(const struct netlink *nl, int ifindex)
{
	return find_iface(nl, ifindex);
}

const struct nl_iface *netlink_iface_by_name(const struct netlink *nl, const char *name)
{
	for (size_t k = 0; k < nl->nifaces; k++)
		if (strcmp(nl->ifaces[k].name, name) == 0)
			return &nl->ifaces[k];
	return NULL;
}

const struct nl_iface *netlink_ifaces(const struct netlink *nl, size_t *n)
{
	*n = nl->nifaces;
	return nl->ifaces;
}

int netlink_set_neighbour(struct netlink *nl, int ifindex, struct in_addr ip,
			  const uint8_t *hwaddr, size_t hwlen)
{
	struct rtnl_neigh *neigh = rtnl_neigh_alloc();
	struct nl_addr *dst = nl_addr_build(AF_INET, &ip, sizeof(ip));
	struct nl_addr *ll = nl_addr_build(AF_LLC, hwaddr, hwlen);
	int r = -NLE_NOMEM;

	if (!neigh || !dst || !ll)
		goto out;
	rtnl_neigh_set_ifindex(neigh, ifindex);
	rtnl_neigh_set_dst(neigh, dst);
	rtnl_neigh_set_lladdr(neigh, ll);
	/*
	 * STALE, as dnsmasq's ARP injection makes it: the kernel sends to it
	 * at once and confirms it with its own unicast probe later.  Not
	 * REACHABLE, which means "the kernel heard from this host lately":
	 * the conflict check trusts that state (netlink_neighbour4), and an
	 * entry set for a client that has since gone must not look like it.
	 */
	rtnl_neigh_set_state(neigh, NUD_STALE);
	r = rtnl_neigh_add(nl->req, neigh, NLM_F_CREATE | NLM_F_REPLACE);
out:
	if (r < 0)
		log_ratelimited("neighbour", LOG_WARNING, "cannot set neighbour entry: %s",
				nl_geterror(r));
	rtnl_neigh_put(neigh);
	nl_addr_put(dst);
	nl_addr_put(ll);
	return r < 0 ? -1 : 0;
}

struct neigh4_answer {
	struct nl_neigh4 *out;
	bool found, acked;
};

static int neigh4_acked(struct nl_msg *msg, void *arg)
{
	struct neigh4_answer *a = arg;

	(void)msg;
	a->acked = true;
	return NL_STOP;
}

static int parse_neigh4(struct nl_msg *msg, void *arg)
{
	struct neigh4_answer *a = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm;

	if (h->nlmsg_type != RTM_NEWNEIGH || nlmsg_parse(h, sizeof(*ndm), tb, NDA_MAX, NULL) < 0)
		return NL_SKIP;
	ndm = nlmsg_data(h);
	if (!tb[NDA_LLADDR] || nla_len(tb[NDA_LLADDR]) != 6)
		return NL_SKIP;
	memcpy(a->out->mac, nla_data(tb[NDA_LLADDR]), 6);
	a->out->confirmed = (ndm->ndm_state & (NUD_REACHABLE | NUD_PERMANENT)) != 0;
	a->found = true;
	return NL_OK;
}

int netlink_neighbour4(struct netlink *nl, int ifindex, struct in_addr ip, struct nl_neigh4 *out)
{
	struct ndmsg ndm = { .ndm_family = AF_INET, .ndm_ifindex = ifindex };
	struct neigh4_answer a = { .out = out };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNEIGH, 0);
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int r = -NLE_NOMEM;

	if (!msg || !cb || nlmsg_append(msg, &ndm, sizeof(ndm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, NDA_DST, sizeof(ip), &ip) < 0)
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, parse_neigh4, &a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, neigh4_acked, &a);
	/*
	 * The answer, then the acknowledgement libnl asks for (or only an
	 * error): read through to the end, so the next request on this
	 * socket does not take our acknowledgement for its own.
	 */
	r = nl_send_auto(nl->req, msg);
	while (r >= 0 && !a.acked)
		r = nl_recvmsgs(nl->req, cb);
out:
	nlmsg_free(msg);
	nl_cb_put(cb);
	if (a.found)
		return 1;
	/* No entry is the kernel's ENOENT, which libnl calls "object not found". */
	return r >= 0 || r == -NLE_OBJ_NOTFOUND ? 0 : -1;
}
