/*
 * scenario_steps — what each scenario line does to the world, and the
 * checks: `expect` lines against the last step, and after every step the
 * invariants of DESIGN.md (2: no answer, local or cached, gives an address
 * the table no longer holds for a name, and no cached negative survives
 * for a name the table holds; 3: a name in the table is never NXDOMAIN).
 *
 * The world is wired as main.c wires the daemon, minus the sockets: the
 * DHCPv4 and DHCPv6 engines decide and commit through the lease table
 * themselves (the servers only send what they return; the ping check is
 * "no conflict"), the DNS answer order is dns_service's (local data, then
 * the cache), and a lease observer purges the cache for every name a
 * change touches.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dhcp4_test_util.h"
#include "scenario.h"
#include "core/util.h"

/* ---- the world ---- */

static void remember(struct scn *s, const struct lease *l)
{
	if (!l || !l->hostname[0])
		return;
	for (size_t i = 0; i < s->nseen; i++)
		if (lease_addr_equal(&s->seen[i].addr, &l->addr) &&
		    strcasecmp(s->seen[i].name, l->hostname) == 0)
			return;
	if (s->nseen == s->seen_cap) {
		s->seen_cap = s->seen_cap ? s->seen_cap * 2 : 16;
		s->seen = xrealloc(s->seen, s->seen_cap * sizeof(*s->seen));
	}
	str_copy(s->seen[s->nseen].name, l->hostname, LEASE_NAME_MAX);
	s->seen[s->nseen++].addr = l->addr;
}

/* The harness's bookkeeping: every (name, address) the table has held. */
static void on_change_history(void *ctx, const struct lease *old, const struct lease *new,
			      enum lease_event ev)
{
	(void)ev;
	remember(ctx, old);
	remember(ctx, new);
}

/*
 * The daemon's purge (dns_service_lease_changed is this call on the
 * service's own cache; the service itself opens listeners, so the
 * harness calls the shared step directly).
 */
static void on_change_purge(void *ctx, const struct lease *old, const struct lease *new,
			    enum lease_event ev)
{
	struct scn *s = ctx;

	(void)ev;
	dns_purge_lease_change(s->cache, s->local, old, new);
}

static void on_hosts_warning(void *ctx, const char *msg)
{
	scn_fail(ctx, "hosts data: %s", msg);
}

static struct dns_cache *new_cache(const struct config *cfg)
{
	/* As dns_service_new() builds it. */
	struct dns_cache_policy policy = {
		.size = cfg->cache_size, .min_ttl = cfg->min_cache_ttl,
		.max_ttl = cfg->has_max_cache_ttl ? cfg->max_cache_ttl : 0,
		.has_neg_ttl = cfg->has_neg_ttl, .neg_ttl = cfg->neg_ttl,
		.max_neg_ttl = cfg->max_neg_ttl, .no_negcache = cfg->no_negcache,
	};

	return dns_cache_new(&policy);
}

int scn_setup(struct scn *s)
{
	struct error err = { 0 };
	struct dns_local_options opts = {
		.etc_hosts = "/dev/null", .warn = on_hosts_warning, .warn_ctx = s,
	};

	s->ready = true;
	if (!s->cfg_inited) {
		config_init(&s->cfg);
		s->cfg_inited = true;
	}
	if (config_validate(&s->cfg, &err) < 0 || !(s->hosts = hostdb_load(&s->cfg, &err)) ||
	    !(s->local = dns_local_load_opts(&s->cfg, s->hosts, &opts, &err))) {
		scn_fail(s, "config: %s", err.msg);
		return -1;
	}
	s->leases = lease_table_new();
	s->empty = lease_table_new();
	s->cache = new_cache(&s->cfg);
	s->work = dhcp4_work_new();
	if (lease_table_add_observer(s->leases, on_change_history, s) < 0 ||
	    (!s->purge_off && lease_table_add_observer(s->leases, on_change_purge, s) < 0)) {
		scn_fail(s, "cannot watch the lease table");
		return -1;
	}
	return 0;
}

void scn_teardown(struct scn *s)
{
	dhcp4_work_free(s->work);
	dns_cache_free(s->cache);
	lease_table_free(s->empty);
	lease_table_free(s->leases);
	dns_local_free(s->local);
	hostdb_free(s->hosts);
	if (s->cfg_inited)
		config_free(&s->cfg);
	free(s->seen);
}

/* ---- time ---- */

/* `time T` (absolute) or `time +N`; then expiry runs, as the daemon's timer does. */
void scn_step_time(struct scn *s, const struct scn_tokens *t)
{
	bool rel = t->n == 2 && t->w[1][0] == '+';
	unsigned long v;
	time_t to;

	s->last = SCN_LAST_NONE;
	if (t->n != 2) {
		scn_fail(s, "usage: time SECONDS | time +SECONDS");
		return;
	}
	if (scn_number(s, t->w[1] + rel, "time", 4000000000ul, &v) < 0)
		return;
	to = rel ? s->now + (time_t)v : (time_t)v;
	if (to < s->now && s->clock_started) {
		scn_fail(s, "time goes backwards (%lld to %lld)", (long long)s->now,
			 (long long)to);
		return;
	}
	s->now = to;
	lease_expire(s->leases, s->now);
}

/* ---- DHCP ---- */

struct dhcp_kind {
	const char *name;
	uint8_t type;
	bool server_id;     /* option 54 by default */
	bool needs_requested, needs_ciaddr;
};

static const struct dhcp_kind dhcp_kinds[] = {
	{ "discover", DHCPDISCOVER, false, false, false },
	{ "request", DHCPREQUEST, true, true, false },   /* SELECTING */
	{ "reboot", DHCPREQUEST, false, true, false },   /* INIT-REBOOT */
	{ "renew", DHCPREQUEST, false, false, true },    /* RENEWING */
	{ "decline", DHCPDECLINE, true, true, false },
	{ "release", DHCPRELEASE, true, false, true },
	{ "inform", DHCPINFORM, false, false, true },
};

struct dhcp_args {
	const struct dhcp_kind *kind;
	uint8_t mac[6];
	bool has_mac, has_requested, has_ciaddr, server_id, broadcast;
	const char *hostname;
	struct in_addr requested, ciaddr, server;
	uint8_t client_id[64];
	size_t client_id_len;
	unsigned long lease_time;
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* "00:16:3e:00:00:01": at most max bytes, two hex digits each, ':' between. */
int scn_parse_hex(struct scn *s, const char *text, uint8_t *out, size_t max, size_t *len)
{
	const char *p = text;

	*len = 0;
	while (*p) {
		int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);

		if (*len == max || lo < 0 || (p[2] && (p[2] != ':' || !p[3]))) {
			scn_fail(s, "\"%s\" is not at most %zu hex bytes like 00:16:3e", text, max);
			return -1;
		}
		out[(*len)++] = (uint8_t)(hi << 4 | lo);
		p += p[2] ? 3 : 2;
	}
	return 0;
}

static int dhcp_word(struct scn *s, struct dhcp_args *a, const char *w)
{
	const char *v;
	size_t n;

	if (scn_kv(w, "mac", &v)) {
		a->has_mac = true;
		if (scn_parse_hex(s, v, a->mac, sizeof(a->mac), &n) < 0)
			return -1;
		if (n != 6) {
			scn_fail(s, "mac=%s: 6 bytes wanted", v);
			return -1;
		}
		return 0;
	}
	if (scn_kv(w, "hostname", &v)) {
		a->hostname = v;
		return 0;
	}
	if (scn_kv(w, "requested", &v))
		return a->has_requested = true, scn_addr4(s, v, &a->requested);
	if (scn_kv(w, "ciaddr", &v))
		return a->has_ciaddr = true, scn_addr4(s, v, &a->ciaddr);
	if (scn_kv(w, "server", &v)) {
		a->server_id = strcmp(v, "none") != 0;
		return a->server_id ? scn_addr4(s, v, &a->server) : 0;
	}
	if (scn_kv(w, "client-id", &v))
		return scn_parse_hex(s, v, a->client_id, sizeof(a->client_id), &a->client_id_len);
	if (scn_kv(w, "lease-time", &v))
		return scn_number(s, v, "lease-time", 0xffffffffu, &a->lease_time);
	if (strcmp(w, "broadcast") == 0)
		return a->broadcast = true, 0;
	scn_fail(s, "unknown dhcp word \"%s\"", w);
	return -1;
}

static int dhcp_args(struct scn *s, const struct scn_tokens *t, struct dhcp_args *a)
{
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; t->n >= 2 && i < sizeof(dhcp_kinds) / sizeof(dhcp_kinds[0]); i++)
		if (strcmp(dhcp_kinds[i].name, t->w[1]) == 0)
			a->kind = &dhcp_kinds[i];
	if (!a->kind) {
		scn_fail(s, "usage: dhcp discover|request|reboot|renew|decline|release|inform "
			    "mac=MAC [words]");
		return -1;
	}
	a->server_id = a->kind->server_id;
	a->server = s->iface.addrs[0];
	for (size_t i = 2; i < t->n; i++)
		if (dhcp_word(s, a, t->w[i]) < 0)
			return -1;
	if (!a->has_mac || (a->kind->needs_requested && !a->has_requested) ||
	    (a->kind->needs_ciaddr && !a->has_ciaddr)) {
		scn_fail(s, "dhcp %s needs mac=%s%s", a->kind->name,
			 a->kind->needs_requested ? " requested=" : "",
			 a->kind->needs_ciaddr ? " ciaddr=" : "");
		return -1;
	}
	return 0;
}

static void dhcp_packet(struct scn *s, const struct dhcp_args *a, struct tpkt *t)
{
	static const uint8_t prl[] = { 1, 3, 6, 12, 15, 28, 51 };
	uint8_t lt[4];

	tpkt_init(t, a->kind->type, a->mac, ++s->xid);
	memcpy(t->buf + TPKT_OFF_CIADDR, &a->ciaddr.s_addr, 4);
	if (a->broadcast)
		t->buf[TPKT_OFF_FLAGS] = 0x80;
	if (a->client_id_len)
		tpkt_opt(t, OPT_CLIENT_ID, a->client_id, a->client_id_len);
	if (a->has_requested)
		tpkt_opt(t, OPT_REQUESTED_IP, &a->requested.s_addr, 4);
	if (a->server_id)
		tpkt_opt(t, OPT_SERVER_ID, &a->server.s_addr, 4);
	if (a->hostname)
		tpkt_opt_str(t, OPT_HOSTNAME, a->hostname);
	if (a->lease_time) {
		put_be32(lt, (uint32_t)a->lease_time);
		tpkt_opt(t, OPT_LEASE_TIME, lt, 4);
	}
	tpkt_opt(t, OPT_PARAM_REQUEST, prl, sizeof(prl));
	tpkt_end(t);
}

/* Read the reply back as a client would (op flipped for dhcp4_parse). */
static void read_reply(struct scn *s)
{
	uint8_t copy[DHCP4_MAX_PACKET];
	const char *why = NULL;

	if (s->dhcp_res.reply_len > sizeof(copy) || s->dhcp_res.reply_len < DHCP4_MIN_LEN) {
		scn_fail(s, "reply of %zu bytes", s->dhcp_res.reply_len);
		return;
	}
	memcpy(copy, s->dhcp_res.reply, s->dhcp_res.reply_len);
	copy[0] = DHCP4_BOOTREQUEST;
	if (dhcp4_parse(copy, s->dhcp_res.reply_len, &s->dhcp_reply, &why) < 0) {
		scn_fail(s, "the reply does not parse: %s", why);
		return;
	}
	if (s->dhcp_reply.yiaddr.s_addr)
		scn_set_var(s, "last", lease_addr4(s->dhcp_reply.yiaddr));
}

/*
 * As dhcp4_server's handle_packet: the engine commits through the lease
 * table itself (observers run inside the call); the server then only
 * queues the reply.  No ping check is configured (probe_ok NULL).
 */
void scn_step_dhcp(struct scn *s, const struct scn_tokens *t)
{
	struct dhcp_args a;
	struct tpkt *pkt;
	struct dhcp4_env env = {
		.cfg = &s->cfg, .hosts = s->hosts, .leases = s->leases, .iface = &s->iface,
		.now = s->now, .work = s->work,
	};

	s->last = SCN_LAST_NONE;
	if (dhcp_args(s, t, &a) < 0)
		return;
	pkt = xcalloc(1, sizeof(*pkt));
	dhcp_packet(s, &a, pkt);
	dhcp4_handle(&env, pkt->buf, pkt->len, &s->dhcp_res);
	free(pkt);
	s->last = SCN_LAST_DHCP;
	if (s->dhcp_res.verdict == DHCP4_PROBE)
		scn_fail(s, "the engine asks for a ping check, but none is configured");
	else if (s->dhcp_res.verdict == DHCP4_REPLY)
		read_reply(s);
}

/* ---- the lease table ---- */

#define LEASE_USAGE "usage: lease name=H [v4|v6] | addr=A | mac=MAC [v4|v6] | " \
		    "duid=HEX [iaid=N] | all"

/* The family word after name= or mac=: "v4", "v6"; name= alone: either, mac= alone: v4. */
static int family_word(struct scn *s, const struct scn_tokens *t, int dflt, int *family)
{
	*family = dflt;
	if (t->n == 2)
		return 0;
	if (t->n == 3 && (strcmp(t->w[2], "v4") == 0 || strcmp(t->w[2], "v6") == 0)) {
		*family = t->w[2][1] == '4' ? AF_INET : AF_INET6;
		return 0;
	}
	scn_fail(s, LEASE_USAGE);
	return -1;
}

/* `duid=HEX [iaid=N]`: the lease of that IA_NA (iaid 1, as dhcp6 sends by default). */
static int lease_of_ia(struct scn *s, const struct scn_tokens *t, const char *duid_text,
		       const struct lease **l)
{
	uint8_t duid[DHCP6_DUID_MAX];
	size_t len;
	unsigned long iaid = 1;
	const char *v = NULL;

	if (t->n > 3 || (t->n == 3 && !scn_kv(t->w[2], "iaid", &v))) {
		scn_fail(s, LEASE_USAGE);
		return -1;
	}
	if (scn_parse_hex(s, duid_text, duid, sizeof(duid), &len) < 0 ||
	    (t->n == 3 && scn_number(s, v, "iaid", 0xffffffffu, &iaid) < 0))
		return -1;
	*l = lease_by_ia(s->leases, duid, len, (uint32_t)iaid, LEASE_IA_NA);
	return 0;
}

static int find_lease(struct scn *s, const struct scn_tokens *t, const struct lease **l)
{
	const char *v;
	struct lease_addr a;
	uint8_t mac[6];
	size_t n;
	int family;

	*l = NULL;
	if (scn_kv(t->w[1], "name", &v)) {
		if (family_word(s, t, AF_UNSPEC, &family) < 0)
			return -1;
		*l = lease_by_name(s->leases, v, family);
	} else if (scn_kv(t->w[1], "mac", &v)) {
		if (family_word(s, t, AF_INET, &family) < 0 ||
		    scn_parse_hex(s, v, mac, sizeof(mac), &n) < 0)
			return -1;
		*l = lease_by_hwaddr(s->leases, family, 1, mac, n);
	} else if (scn_kv(t->w[1], "duid", &v)) {
		return lease_of_ia(s, t, v, l);
	} else if (t->n != 2) {
		scn_fail(s, LEASE_USAGE);
		return -1;
	} else if (scn_kv(t->w[1], "addr", &v)) {
		if (scn_addr(s, v, AF_UNSPEC, &a) < 0)
			return -1;
		*l = lease_by_addr(s->leases, a);
	} else if (strcmp(t->w[1], "all") != 0) {
		scn_fail(s, LEASE_USAGE);
		return -1;
	}
	return 0;
}

/* `lease ...`: look the lease up, for `expect`. */
void scn_step_lease(struct scn *s, const struct scn_tokens *t)
{
	const struct lease *l;

	s->last = SCN_LAST_NONE;
	if (t->n < 2) {
		scn_fail(s, LEASE_USAGE);
		return;
	}
	if (find_lease(s, t, &l) < 0)
		return;
	s->lease_found = l != NULL;
	if (l)
		s->lease = *l;
	s->lease_total = lease_count(s->leases);
	s->last = SCN_LAST_LEASE;
}

/* ---- DNS: questions and answers ---- */

static const struct { const char *name; uint16_t type; } dns_types[] = {
	{ "A", DNS_T_A }, { "NS", DNS_T_NS }, { "CNAME", DNS_T_CNAME }, { "SOA", DNS_T_SOA },
	{ "PTR", DNS_T_PTR }, { "MX", DNS_T_MX }, { "TXT", DNS_T_TXT }, { "AAAA", DNS_T_AAAA },
	{ "SRV", DNS_T_SRV }, { "HTTPS", DNS_T_HTTPS }, { "ANY", DNS_T_ANY },
};

int scn_dns_type(const char *name)
{
	for (size_t i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
		if (strcasecmp(dns_types[i].name, name) == 0)
			return dns_types[i].type;
	return -1;
}

static void snap_answer(struct scn_snap *out, const struct dns_answer *a, bool cached)
{
	out->answered = true;
	out->from_cache = cached;
	out->rcode = a->rcode;
	out->aa = a->authoritative;
	for (int sec = 0; sec < 3; sec++) {
		out->n[sec] = a->n[sec];
		for (size_t i = 0; i < a->n[sec] && out->nrr < SCN_SNAP_RRS; i++) {
			const struct dns_rr *rr = &a->rrs[sec][i];
			struct scn_rr *r = &out->rr[out->nrr++];

			r->sec = (enum dns_section)sec;
			r->type = rr->type;
			r->ttl = rr->ttl;
			snprintf(r->owner, sizeof(r->owner), "%s", rr->owner);
			dns_rdata_format(rr, r->data, sizeof(r->data));
		}
	}
}

/*
 * dns_service's answer order: local data, then the cache.  peek: look at
 * the cache without counting a hit (the invariant checks), else as a
 * query does.  leases: the table to answer from (s->empty: static data).
 */
void scn_answer(struct scn *s, const struct lease_table *leases, const char *name,
		uint16_t type, bool peek, struct scn_snap *out)
{
	struct dns_local_env env = { .leases = leases, .now = s->now };
	struct dns_query q;
	struct dns_cache_entry_info info;
	struct dns_cache_hit hit;

	memset(out, 0, offsetof(struct scn_snap, rr));
	memset(&q, 0, sizeof(q));
	str_copy(q.qname, name, sizeof(q.qname));
	q.qtype = type;
	q.qclass = DNS_C_IN;
	q.flags = DNS_F_RD;
	if (dns_local_answer(s->local, &env, &q, &s->lres) == DNS_LOCAL_ANSWER) {
		snap_answer(out, &s->lres.answer, false);
	} else if (leases == s->empty) {
		return; /* static data only: never the cache */
	} else if (peek && dns_cache_peek(s->cache, name, type, DNS_C_IN, (uint64_t)s->now, &info)) {
		snap_answer(out, &info.answer, true);
		out->negative = info.negative;
	} else if (!peek && dns_cache_lookup(s->cache, name, type, DNS_C_IN, (uint64_t)s->now,
					     &hit)) {
		snap_answer(out, &hit.answer, true);
		out->negative = hit.negative;
	}
}

/*
 * A question from two words: NAME TYPE, or -x ADDR (PTR at the address's
 * in-addr.arpa or ip6.arpa name).  false (reported) when they are neither.
 */
static bool question_words(struct scn *s, const char *w1, const char *w2, char *name,
			   size_t len, uint16_t *type)
{
	uint8_t wire[DNS_WIRE_NAME_MAX];
	struct lease_addr a;
	int ty;

	if (strcmp(w1, "-x") == 0) {
		*type = DNS_T_PTR;
		return scn_addr(s, w2, AF_UNSPEC, &a) == 0 && scn_reverse_name(&a, name, len) == 0;
	}
	ty = scn_dns_type(w2);
	if (ty < 0) {
		scn_fail(s, "\"%s\" is not a type (A, AAAA, PTR, MX, TXT ...)", w2);
		return false;
	}
	if (dns_name_to_wire(w1, wire, sizeof(wire)) < 0) {
		scn_fail(s, "\"%s\" is not a DNS name", w1);
		return false;
	}
	str_copy(name, w1, len);
	*type = (uint16_t)ty;
	return true;
}

/* The question of a dns or cache line: NAME TYPE, or -x ADDR (PTR). */
static int question(struct scn *s, const struct scn_tokens *t, char *name, size_t len,
		    uint16_t *type)
{
	if (t->n != 3) {
		scn_fail(s, "usage: %s NAME TYPE | %s -x ADDR", t->w[0], t->w[0]);
		return -1;
	}
	return question_words(s, t->w[1], t->w[2], name, len, type) ? 0 : -1;
}

/* `dns NAME TYPE`: a query, answered as dns_service answers it. */
void scn_step_dns(struct scn *s, const struct scn_tokens *t)
{
	char name[DNS_NAME_STR];
	uint16_t type;

	s->last = SCN_LAST_NONE;
	if (question(s, t, name, sizeof(name), &type) < 0)
		return;
	scn_answer(s, s->leases, name, type, false, &s->snap);
	s->last = SCN_LAST_DNS;
}

/* `cache NAME TYPE`: what the cache holds for the question, nothing else. */
void scn_step_cache(struct scn *s, const struct scn_tokens *t)
{
	char name[DNS_NAME_STR];
	uint16_t type;
	struct dns_cache_entry_info info;

	s->last = SCN_LAST_NONE;
	if (question(s, t, name, sizeof(name), &type) < 0)
		return;
	memset(&s->snap, 0, offsetof(struct scn_snap, rr));
	if (dns_cache_peek(s->cache, name, type, DNS_C_IN, (uint64_t)s->now, &info)) {
		snap_answer(&s->snap, &info.answer, true);
		s->snap.negative = info.negative;
		s->snap.ttl_left = info.ttl_left;
	}
	s->last = SCN_LAST_CACHE;
}

/* ---- upstream answers put in the cache ---- */

/* The RDATA of one upstream record of type `type` from its text. */
static int upstream_rdata(struct scn *s, uint16_t type, const char *text, uint8_t *out,
			  size_t outlen)
{
	struct in_addr a;
	struct in6_addr a6;
	const char *txt[1] = { text };

	switch (type) {
	case DNS_T_A:
		return scn_addr4(s, text, &a) < 0 ? -1 : (memcpy(out, &a, 4), 4);
	case DNS_T_AAAA:
		return scn_addr6(s, text, &a6) < 0 ? -1 : (memcpy(out, &a6, 16), 16);
	case DNS_T_CNAME: case DNS_T_PTR: case DNS_T_NS:
		return dns_rdata_name(text, out, outlen);
	case DNS_T_TXT:
		return dns_rdata_txt(txt, 1, out, outlen);
	}
	return -1;
}

/* A negative's SOA: the zone above the name (the name itself when it is one label). */
static int add_soa(struct dns_builder *b, const char *qname, uint32_t ttl)
{
	const char *dot = strchr(qname, '.');
	const char *zone = dot ? dot + 1 : qname;
	uint8_t rd[DNS_RDATA_NAMES_MAX];
	int n = dns_rdata_soa(zone, zone, 1, 3600, 600, 86400, ttl, rd, sizeof(rd));
	struct dns_rr rr = {
		.owner = zone, .type = DNS_T_SOA, .class = DNS_C_IN, .ttl = ttl, .rdata = rd,
	};

	if (n < 0)
		return -1;
	rr.rdlen = (uint16_t)n;
	return dns_build_rr(b, DNS_SEC_AUTHORITY, &rr);
}

static int upstream_records(struct scn *s, const struct scn_tokens *t, struct dns_builder *b,
			    const char *name, uint16_t type, uint32_t ttl)
{
	uint8_t rd[DNS_RDATA_NAMES_MAX];
	const char *v;

	for (size_t i = 3; i < t->n; i++) {
		struct dns_rr rr = {
			.owner = name, .type = type, .class = DNS_C_IN, .ttl = ttl, .rdata = rd,
		};
		int n;

		if (scn_kv(t->w[i], "ttl", &v))
			continue;
		n = upstream_rdata(s, type, t->w[i], rd, sizeof(rd));
		if (n < 0) {
			if (!s->step_failed) /* else the address's own error said why */
				scn_fail(s, "\"%s\" is not data for this type", t->w[i]);
			return -1;
		}
		rr.rdlen = (uint16_t)n;
		if (dns_build_rr(b, DNS_SEC_ANSWER, &rr) < 0) {
			scn_fail(s, "the upstream reply is too large");
			return -1;
		}
	}
	return 0;
}

static int upstream_ttl(struct scn *s, const struct scn_tokens *t, uint32_t *ttl)
{
	unsigned long n;
	const char *v;

	*ttl = 300;
	for (size_t i = 3; i < t->n; i++)
		if (scn_kv(t->w[i], "ttl", &v)) {
			if (scn_number(s, v, "ttl", 0x7fffffff, &n) < 0)
				return -1;
			*ttl = (uint32_t)n;
		}
	return 0;
}

/*
 * `upstream-cache NAME TYPE NXDOMAIN|NODATA|DATA... [ttl=N]` (or -x ADDR
 * for NAME TYPE: the address's PTR): store the reply an upstream server
 * would send (a negative carries an SOA whose TTL and MINIMUM are ttl)
 * as on_upstream() does; it must be kept.
 */
void scn_step_upstream(struct scn *s, const struct scn_tokens *t)
{
	uint8_t buf[4096];
	struct dns_builder b;
	char name[DNS_NAME_STR];
	uint16_t type;
	uint32_t ttl;
	bool nx = t->n >= 4 && strcmp(t->w[3], "NXDOMAIN") == 0;
	bool nodata = t->n >= 4 && strcmp(t->w[3], "NODATA") == 0;
	int rc;

	s->last = SCN_LAST_NONE;
	if (t->n < 4) {
		scn_fail(s, "usage: upstream-cache NAME TYPE|-x ADDR NXDOMAIN|NODATA|DATA... "
			    "[ttl=N]");
		return;
	}
	if (!question_words(s, t->w[1], t->w[2], name, sizeof(name), &type) ||
	    upstream_ttl(s, t, &ttl) < 0)
		return;
	dns_build_init(&b, buf, sizeof(buf), 0x5c5c, DNS_F_QR | DNS_F_RD | DNS_F_RA);
	if (dns_build_question(&b, name, type, DNS_C_IN) < 0) {
		scn_fail(s, "\"%s\" is not a DNS name", name);
		return;
	}
	dns_build_set_rcode(&b, nx ? DNS_R_NXDOMAIN : DNS_R_NOERROR);
	if (nx || nodata ? add_soa(&b, name, ttl) < 0 :
			   upstream_records(s, t, &b, name, type, ttl) < 0) {
		if (!s->step_failed)
			scn_fail(s, "cannot build the SOA for %s", name);
		return;
	}
	rc = dns_cache_store(s->cache, name, type, DNS_C_IN, buf, dns_build_finish(&b),
			     (uint64_t)s->now);
	if (rc != 1)
		scn_fail(s, "the cache did not keep the reply (dns_cache_store: %d)", rc);
}
