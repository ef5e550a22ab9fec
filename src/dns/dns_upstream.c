/*
 * dns_upstream — routing, order, mode and health of upstream servers,
 * with time passed in; see include/dns/dns_upstream.h.
 */
#include "dns/dns_upstream.h"
#include "dns/dns_wire.h"
#include "core/util.h"

#include <string.h>

/* ---- routing ---- */

static bool single_label(const char *qname)
{
	return dns_name_labels(qname) == 1;
}

static bool has_unqualified(const struct dns_upstreams *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ups[i].unqualified && !s->ups[i].loop)
			return true;
	return false;
}

/* The longest --server=/domain/ holding qname, or NULL. */
static const char *best_domain(const struct dns_upstreams *s, const char *qname)
{
	const char *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < s->n; i++) {
		const char *d = s->ups[i].domain;

		if (d && (!best || strlen(d) > best_len) && dns_name_in_domain(qname, d)) {
			best = d;
			best_len = strlen(d);
		}
	}
	return best;
}

/*
 * The servers for qname, in configured order.  *unqualified_route tells
 * whether a //ADDR route took it.
 */
static size_t route(const struct dns_upstreams *s, const char *qname, int *out,
		    bool *default_route)
{
	const char *domain = best_domain(s, qname);
	bool unqualified = !domain && single_label(qname) && has_unqualified(s);
	size_t n = 0;

	for (size_t i = 0; i < s->n && n < DNS_UPSTREAM_MAX_CANDIDATES; i++) {
		const struct dns_upstream *u = &s->ups[i];
		bool in_group;

		if (domain)
			in_group = u->domain && dns_name_equal(u->domain, domain);
		else if (unqualified)
			in_group = u->unqualified;
		else
			in_group = !u->domain && !u->unqualified;
		if (in_group && !u->loop)
			out[n++] = (int)i;
	}
	if (default_route)
		*default_route = !domain && !unqualified;
	return n;
}

bool dns_upstream_same_route(const struct dns_upstreams *s, const char *a, const char *b)
{
	int ca[DNS_UPSTREAM_MAX_CANDIDATES], cb[DNS_UPSTREAM_MAX_CANDIDATES];
	size_t na = route(s, a, ca, NULL), nb = route(s, b, cb, NULL);

	return na == nb && memcmp(ca, cb, na * sizeof(int)) == 0;
}

/* ---- health ---- */

bool dns_upstream_is_down(const struct dns_upstream *u, uint64_t now)
{
	return u->timeouts >= DNS_UPSTREAM_DOWN_TIMEOUTS && u->last_heard_ms &&
	       now >= u->last_heard_ms + DNS_UPSTREAM_DOWN_SILENCE_MS;
}

bool dns_upstream_is_resting(const struct dns_upstream *u, uint64_t now)
{
	return dns_upstream_is_down(u, now) && now < u->retry_at_ms;
}

void dns_upstream_sent(struct dns_upstream *u, uint64_t now)
{
	u->queries++;
	if (!u->last_heard_ms)
		u->last_heard_ms = now ? now : 1; /* silence counts from the first query */
}

bool dns_upstream_answered(struct dns_upstream *u, uint64_t sent_ms, uint64_t now)
{
	bool was_down = u->reported_down;
	uint64_t rtt = now >= sent_ms ? now - sent_ms : 0;

	u->reported_down = false;
	u->timeouts = 0;
	u->last_heard_ms = now ? now : 1;
	u->retry_at_ms = 0;
	u->replies++;
	/* Smoothed as TCP does (RFC 6298, alpha 1/8). */
	u->srtt_ms = u->srtt_ms ? (uint32_t)((7 * (uint64_t)u->srtt_ms + rtt) / 8)
				: (uint32_t)rtt + 1;
	return was_down;
}

bool dns_upstream_timed_out(struct dns_upstream *u, uint64_t now)
{
	bool was_reported = u->reported_down;
	unsigned shift;

	u->failures++;
	u->timeouts++;
	if (!dns_upstream_is_down(u, now))
		return false;
	/*
	 * Rest 1 s after this failure, doubling with every failed retry up to
	 * a minute, so a dead server costs a client a try timeout at most
	 * that often.
	 */
	shift = MIN(u->timeouts - DNS_UPSTREAM_DOWN_TIMEOUTS, 6u);
	u->retry_at_ms = now + MIN((uint64_t)DNS_UPSTREAM_RETRY_MS << shift,
				   (uint64_t)DNS_UPSTREAM_RETRY_MAX_MS);
	u->reported_down = true;
	return !was_reported;
}

/* ---- order ---- */

/*
 * Strict order keeps the configured order; otherwise fastest first.  With
 * health, a resting server goes last; once its retry time has come it
 * takes its place again, so a first server that recovers is first again.
 */
static bool ask_before(const struct dns_upstreams *s, int a, int b, uint64_t now,
		       bool health)
{
	const struct dns_upstream *ua = &s->ups[a], *ub = &s->ups[b];

	if (health && dns_upstream_is_resting(ua, now) != dns_upstream_is_resting(ub, now))
		return !dns_upstream_is_resting(ua, now);
	if (!s->strict_order && ua->srtt_ms != ub->srtt_ms)
		return ua->srtt_ms < ub->srtt_ms;
	return a < b;
}

static void order(const struct dns_upstreams *s, int *c, size_t n, uint64_t now, bool health)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && ask_before(s, c[j], c[j - 1], now, health); j--) {
			int t = c[j];

			c[j] = c[j - 1];
			c[j - 1] = t;
		}
}

void dns_upstream_plan(const struct dns_upstreams *s, const char *qname, uint64_t now,
		       struct dns_upstream_plan *out)
{
	int well[DNS_UPSTREAM_MAX_CANDIDATES];
	bool default_route;

	out->ncand = route(s, qname, out->cand, &default_route);
	out->preferred = -1;
	out->mode = DNS_UPSTREAM_IN_TURN;
	if (out->ncand == 0)
		return;
	memcpy(well, out->cand, out->ncand * sizeof(int));
	order(s, well, out->ncand, now, false);
	out->preferred = well[0];
	order(s, out->cand, out->ncand, now, true);
	if (default_route && single_label(qname) && out->ncand > 1 && !s->strict_order)
		out->mode = DNS_UPSTREAM_ALL_AT_ONCE;
}

int dns_upstream_next(struct dns_upstreams *s, const struct dns_upstream_plan *plan,
		      size_t *tried, size_t asked, uint64_t now)
{
	bool all_resting = true;

	if (plan->ncand == 0)
		return -1;
	for (size_t i = 0; i < plan->ncand; i++)
		all_resting &= dns_upstream_is_resting(&s->ups[plan->cand[i]], now);
	for (size_t k = 0; k < plan->ncand; k++) {
		int c = plan->cand[*tried % plan->ncand];
		struct dns_upstream *u = &s->ups[c];
		bool second_round = *tried >= plan->ncand;

		(*tried)++;
		if (second_round || !dns_upstream_is_resting(u, now) ||
		    (all_resting && asked == 0)) {
			/* A down server gets one try at a time. */
			if (dns_upstream_is_down(u, now))
				u->retry_at_ms = now + DNS_UPSTREAM_RETRY_MS;
			return c;
		}
	}
	return -1;
}
