/*
 * control_cmd_stats — `leasectl stats`: DHCP counters, the store's health,
 * leases held and per range, and DNS (written by control_cmd_dns.c); see
 * include/ctl/control_cmd.h.
 *
 * May include: ctl/, core/, conf/ (the ranges), lease/, dhcp/, store/.
 */
#include "ctl/control_cmd.h"
#include "control_cmd_internal.h"
#include "ctl/control.h"
#include "ctl/control_proto.h"
#include "conf/config.h"
#include "dhcp/dhcp4_server.h"
#include "dhcp/dhcp6_server.h"
#include "ra/ra_server.h"
#include "lease/lease.h"
#include "store/store.h"
#include "core/json.h"
#include "core/util.h"

#include <arpa/inet.h>

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

static void write_ranges(const struct control_stats_deps *c, struct json_writer *w)
{
	char s[INET_ADDRSTRLEN], e[INET_ADDRSTRLEN];

	json_begin_array(w, "ranges");
	for (size_t i = 0; i < c->cfg->nranges; i++) {
		const struct dhcp_range *r = &c->cfg->ranges[i];
		struct range_count rc = { .r = r };
		uint64_t size;

		if (r->family != AF_INET)
			continue;
		size = (uint64_t)ntohl(r->end.s_addr) - ntohl(r->start.s_addr) + 1;
		lease_foreach(c->leases, count_in_range, &rc);
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

static void write_store_health(const struct control_stats_deps *c, struct json_writer *w)
{
	struct store_health h;

	store_health(c->store, &h);
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

/* DHCPv6 and router advertisements, null when not served. */
static void write_v6_stats(const struct control_stats_deps *c, struct json_writer *w)
{
	struct dhcp6_server_stats d6;
	struct ra_stats ra;

	if (c->dhcp6) {
		dhcp6_server_get_stats(c->dhcp6, &d6);
		json_begin_object(w, "dhcp6");
		json_int(w, "received", (int64_t)d6.received);
		json_int(w, "replies", (int64_t)d6.replies);
		json_int(w, "replies_dropped_waiting", (int64_t)d6.dropped_waiting);
		json_end_object(w);
	} else {
		json_null(w, "dhcp6");
	}
	if (c->ra) {
		ra_server_stats(c->ra, &ra);
		json_begin_object(w, "router_advertisements");
		json_int(w, "sent", (int64_t)ra.sent);
		json_int(w, "solicitations", (int64_t)ra.solicitations);
		json_int(w, "solicitations_dropped", (int64_t)ra.dropped);
		json_end_object(w);
	} else {
		json_null(w, "router_advertisements");
	}
}

void control_cmd_stats(void *ctx, struct control_conn *k, const struct control_request *req,
		       struct json_writer *w)
{
	const struct control_stats_deps *c = ctx;
	struct dhcp4_server_stats ds;

	(void)req;
	dhcp4_server_get_stats(c->dhcp4, &ds);
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
	write_v6_stats(c, w);
	write_store_health(c, w);
	json_begin_object(w, "leases");
	json_int(w, "held", (int64_t)lease_count(c->leases));
	json_int(w, "max", c->cfg->lease_max);
	write_ranges(c, w);
	json_end_object(w);
	control_write_dns_stats(w, c->dns);
	control_end_result(w);
	control_reply(k, w);
}
