/*
 * dhcp4_reserved — the reserved addresses of each dynamic IPv4 range as a
 * bitmap (see include/dhcp/dhcp4_reserved.h).  A range's bitmap is made
 * when its first reservation is found, so a range without any costs no
 * memory and adds nothing to the search.
 */
#include "dhcp/dhcp4_reserved.h"
#include "lease/pool.h"
#include "core/util.h"

#include <stdlib.h>

struct reserved_range {
	struct in_addr first, last;
	struct pool4 *bits; /* NULL until an address in the range is reserved */
};

struct dhcp4_reserved {
	struct reserved_range *ranges;
	size_t nranges;
};

static bool in_range(const struct reserved_range *r, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h >= ntohl(r->first.s_addr) && h <= ntohl(r->last.s_addr);
}

/* hostdb_foreach: h's IPv4 address into every range that holds it. */
static void add_host(void *ctx, const struct dhcp_host *h)
{
	struct dhcp4_reserved *r = ctx;

	if (!h->has_ip)
		return;
	for (size_t i = 0; i < r->nranges; i++) {
		struct reserved_range *rr = &r->ranges[i];

		if (!in_range(rr, h->ip))
			continue;
		if (!rr->bits)
			rr->bits = pool4_new(rr->first, rr->last);
		if (rr->bits)
			pool4_set_held(rr->bits, h->ip, true);
	}
}

struct dhcp4_reserved *dhcp4_reserved_new(const struct config *cfg, const struct hostdb *hosts)
{
	struct dhcp4_reserved *r = xcalloc(1, sizeof(*r));

	/* "static" ranges are never searched: every address there is refused. */
	for (size_t i = 0; i < cfg->nranges; i++) {
		const struct dhcp_range *range = &cfg->ranges[i];

		if (range->family == AF_INET && !range->static_only)
			*(struct reserved_range *)array_push(&r->ranges, &r->nranges,
							     sizeof(*r->ranges)) =
				(struct reserved_range){ range->start, range->end, NULL };
	}
	hostdb_foreach(hosts, add_host, r);
	return r;
}

void dhcp4_reserved_free(struct dhcp4_reserved *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nranges; i++)
		pool4_free(r->ranges[i].bits);
	free(r->ranges);
	free(r);
}

const struct pool4 *dhcp4_reserved_pool4(const struct dhcp4_reserved *r, struct in_addr first,
					 struct in_addr last)
{
	for (size_t i = 0; r && i < r->nranges; i++)
		if (r->ranges[i].first.s_addr == first.s_addr &&
		    r->ranges[i].last.s_addr == last.s_addr)
			return r->ranges[i].bits;
	return NULL;
}
