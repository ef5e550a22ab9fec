/*
 * control_cmd_dns — the DNS commands of the control socket: `leasectl
 * cache` (list or flush the cache) and `leasectl explain` (how a question
 * would be answered), and the "dns" member of `leasectl stats`
 * (control_write_dns_stats, for control_cmd_stats.c); see
 * include/ctl/control_cmd.h.  The commands' ctx is the DNS service, NULL
 * when DNS is off (--port=0).
 *
 * May include: ctl/, core/, dns/.
 */
#include "ctl/control_cmd.h"
#include "control_cmd_internal.h"
#include "ctl/control.h"
#include "ctl/control_proto.h"
#include "dns/dns_cache.h"
#include "dns/dns_forward.h"
#include "dns/dns_local.h"
#include "dns/dns_server.h"
#include "dns/dns_wire.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* ---- DNS servers and stats ---- */

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

void control_write_dns_stats(struct json_writer *w, struct dns_service *dns)
{
	struct dns_service_stats st;

	if (!dns) {
		json_null(w, "dns");
		return;
	}
	dns_service_get_stats(dns, &st);
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
	dns_forward_foreach_server(dns_service_forward(dns), write_server, w);
	json_end_array(w);
	json_end_object(w);
}


/* ---- cache and explain ---- */

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

void control_cmd_cache(void *ctx, struct control_conn *k, const struct control_request *req,
		       struct json_writer *w)
{
	struct dns_service *dns = ctx;
	struct dns_cache *cache;
	struct cache_walk cw = { .w = w, .name = req->name[0] ? req->name : NULL };

	if (!dns) {
		control_reply_error(k, CONTROL_E_FAILED,
				    "DNS is off (--port=0): there is no cache");
		return;
	}
	cache = dns_service_cache(dns);
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
	control_reply(k, w);
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

static void write_explanation(struct dns_service *dns, struct json_writer *w,
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

			if (dns_forward_server_at(dns_service_forward(dns), x->servers[i], &s))
				write_server(w, &s);
		}
		json_end_array(w);
		break;
	}
}

void control_cmd_explain(void *ctx, struct control_conn *k, const struct control_request *req,
			 struct json_writer *w)
{
	struct dns_service *dns = ctx;
	struct dns_explanation x;
	int type = parse_type(req->type[0] ? req->type : "A");

	if (!dns) {
		control_reply_error(k, CONTROL_E_FAILED,
				    "DNS is off (--port=0): nothing is answered");
		return;
	}
	if (type < 0) {
		control_reply_error(k, CONTROL_E_BAD_REQUEST, "unknown record type %s", req->type);
		return;
	}
	if (dns_service_explain(dns, req->name, (uint16_t)type, &x) < 0) {
		control_reply_error(k, CONTROL_E_BAD_REQUEST, "%s is not a valid DNS name",
				    req->name);
		return;
	}
	control_begin_result(w);
	json_string(w, "name", req->name);
	json_string(w, "type", req->type[0] ? req->type : "A");
	write_explanation(dns, w, &x);
	control_end_result(w);
	control_reply(k, w);
}
