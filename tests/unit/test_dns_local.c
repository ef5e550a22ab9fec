/*
 * test_dns_local — what leased answers itself: lease names (H and
 * H.DOMAIN, any case, PTR), NODATA versus NXDOMAIN with the SOA, local
 * domains (-s, -S /d/, --local, --address), what is forwarded, hosts files
 * and --addn-hosts directories (and a reload that drops a file), the
 * record options, --bogus-priv, --local-ttl, the names a lease implies,
 * a lease beating a static entry, and the zones leased is authoritative
 * for (SOA and NS at the apex, a serial that follows the lease table).  Explain: the detail names the
 * lease, the hosts file's line or the option and where it was given, and
 * the reason for every negative and for forwarding; without explain it
 * stays empty.  Real lease tables and files; no sockets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "test_files.h"
#include "dns/dns_local.h"
#include "conf/hostdb.h"
#include "lease/lease.h"

/* ---- helpers ---- */

static struct dns_local_result res;

static struct {
	char msg[16][512];
	size_t n;
} warns;

static void on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	if (warns.n < 16)
		snprintf(warns.msg[warns.n++], sizeof(warns.msg[0]), "%s", msg);
}

/*
 * A dns_local from conf-file text (printf-style) with etc_hosts as
 * /etc/hosts (NULL: an empty file).  The configuration and hostdb go
 * before the first query: nothing may point into them.
 */
static struct dns_local *load(const char *etc_hosts, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct dns_local *load(const char *etc_hosts, const char *fmt, ...)
{
	struct dns_local_options opts = { .warn = on_warn };
	struct config cfg;
	struct error err;
	struct hostdb *db;
	struct dns_local *d;
	char text[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	config_init(&cfg);
	if (config_parse_text(&cfg, text, strlen(text), "t.conf", &err) < 0)
		fail_msg("%s", err.msg);
	db = hostdb_load(&cfg, &err);
	if (!db)
		fail_msg("%s", err.msg);
	opts.etc_hosts = write_file("etc-hosts", etc_hosts ? etc_hosts : "");
	memset(&warns, 0, sizeof(warns));
	d = dns_local_load_opts(&cfg, db, &opts, &err);
	if (!d)
		fail_msg("%s", err.msg);
	hostdb_free(db);
	config_free(&cfg);
	return d;
}

/* The wall clock explain queries see, so "expires in" is exact. */
#define NOW ((time_t)1700000000)

static bool explaining;

static enum dns_local_verdict ask_class(const struct dns_local *d, const struct lease_table *t,
					const char *name, uint16_t type, uint16_t class)
{
	struct dns_local_env env = { .leases = t, .nl = NULL, .explain = explaining, .now = NOW };
	struct dns_query q;

	memset(&q, 0, sizeof(q));
	snprintf(q.qname, sizeof(q.qname), "%s", name);
	q.qtype = type;
	q.qclass = class;
	/* Garbage first: the answer must not depend on what was there. */
	memset(&res, 0xa5, sizeof(res));
	return dns_local_answer(d, &env, &q, &res);
}

static enum dns_local_verdict ask(const struct dns_local *d, const struct lease_table *t,
				  const char *name, uint16_t type)
{
	return ask_class(d, t, name, type, DNS_C_IN);
}

/* The same query with explain set: the answer must not change, only the detail. */
static enum dns_local_verdict why_class(const struct dns_local *d, const struct lease_table *t,
					const char *name, uint16_t type, uint16_t class)
{
	struct dns_local_result plain;
	enum dns_local_verdict v, pv;

	pv = ask_class(d, t, name, type, class);
	assert_string_equal(res.detail, "");
	memcpy(&plain, &res, sizeof(plain));
	explaining = true;
	v = ask_class(d, t, name, type, class);
	explaining = false;
	assert_int_equal(v, pv);
	assert_string_equal(res.source, plain.source);
	assert_int_equal(res.answer.rcode, plain.answer.rcode);
	assert_int_equal(res.answer.n[DNS_SEC_ANSWER], plain.answer.n[DNS_SEC_ANSWER]);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], plain.answer.n[DNS_SEC_AUTHORITY]);
	assert_int_equal(res.arena_used, plain.arena_used);
	assert_memory_equal(res.arena, plain.arena, res.arena_used);
	assert_true(strlen(res.detail) < DNS_LOCAL_DETAIL_LEN);
	return v;
}

static enum dns_local_verdict why(const struct dns_local *d, const struct lease_table *t,
				  const char *name, uint16_t type)
{
	return why_class(d, t, name, type, DNS_C_IN);
}

static void assert_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void assert_detail(const char *fmt, ...)
{
	char expect[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expect, sizeof(expect), fmt, ap);
	va_end(ap);
	assert_string_equal(res.detail, expect);
}

static size_t nans(void)
{
	return res.answer.n[DNS_SEC_ANSWER];
}

static const struct dns_rr *ans(size_t i)
{
	assert_true(i < nans());
	return &res.answer.rrs[DNS_SEC_ANSWER][i];
}

static void assert_addr_rr(const struct dns_rr *rr, const char *owner, const char *ip)
{
	uint8_t a[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, ip, a), 1);
	assert_string_equal(rr->owner, owner);
	assert_int_equal(rr->type, family == AF_INET ? DNS_T_A : DNS_T_AAAA);
	assert_int_equal(rr->class, DNS_C_IN);
	assert_int_equal(rr->rdlen, family == AF_INET ? 4 : 16);
	assert_memory_equal(rr->rdata, a, rr->rdlen);
}

static void assert_name_rr(const struct dns_rr *rr, const char *owner, uint16_t type,
			   const char *target)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	int n = dns_name_to_wire(target, w, sizeof(w));

	assert_true(n > 0);
	assert_string_equal(rr->owner, owner);
	assert_int_equal(rr->type, type);
	assert_int_equal(rr->rdlen, n);
	assert_memory_equal(rr->rdata, w, (size_t)n);
}

/* One answer: an A (or AAAA) record for name. */
static void assert_one_addr(const char *owner, const char *ip)
{
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_true(res.answer.authoritative);
	assert_int_equal(nans(), 1);
	assert_addr_rr(ans(0), owner, ip);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 0);
}

/* The SOA's MINIMUM: the last 32 bits of its RDATA. */
static uint32_t soa_minimum(const struct dns_rr *rr)
{
	const uint8_t *p = rr->rdata + rr->rdlen - 4;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A negative answer: rcode, nothing in the answer, the zone's SOA. */
static void assert_negative(int rcode, const char *zone, uint32_t ttl)
{
	const struct dns_rr *soa;
	char mname[DNS_NAME_STR];
	size_t off = 0;

	assert_int_equal(res.answer.rcode, rcode);
	assert_true(res.answer.authoritative);
	assert_int_equal(nans(), 0);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 1);
	soa = &res.answer.rrs[DNS_SEC_AUTHORITY][0];
	assert_int_equal(soa->type, DNS_T_SOA);
	assert_string_equal(soa->owner, zone);
	assert_int_equal(soa->ttl, ttl);
	assert_int_equal(soa_minimum(soa), ttl);
	assert_int_equal(dns_name_read(soa->rdata, soa->rdlen, &off, mname, sizeof(mname)), 0);
	assert_string_equal(mname, zone);
}

/* A lease of 00:16:3e:00:00:ID until expires (0: never). */
static void add_lease_until(struct lease_table *t, const char *ip, const char *name, uint8_t id,
			    time_t expires)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	assert_true(lease_addr_parse(ip, &l.addr));
	l.htype = 1;
	l.hwlen = 6;
	memcpy(l.hwaddr, "\x00\x16\x3e\x00\x00", 5);
	l.hwaddr[5] = id;
	snprintf(l.hostname, sizeof(l.hostname), "%s", name);
	l.expires = expires;
	assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), 0);
}

static void add_lease(struct lease_table *t, const char *ip, const char *name, uint8_t id)
{
	add_lease_until(t, ip, name, id, 0);
}

static struct in_addr ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* ---- leases ---- */

static void test_lease_name_any_case(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\n");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(ask(d, t, "c1", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("c1", "10.0.3.5");
	assert_string_equal(res.source, "DHCP");
	assert_int_equal(ans(0)->ttl, 0);
	/* The owner is the name as asked, case and all (0x20 randomisation). */
	assert_int_equal(ask(d, t, "C1.LxC", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("C1.LxC", "10.0.3.5");
	assert_int_equal(ask(d, t, "c1.lxc.", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_addr_rr(ans(0), "c1.lxc.", "10.0.3.5");
	/* Only H and H.DOMAIN: not deeper names, not other domains. */
	assert_int_equal(ask(d, t, "x.c1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 0);
	assert_int_equal(ask(d, t, "c1.example.com", DNS_T_A), DNS_LOCAL_FORWARD);
	dns_local_free(d);
	lease_table_free(t);
}

static void test_lease_without_domain(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "%s", "");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(ask(d, t, "C1", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("C1", "10.0.3.5");
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, t, "5.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "5.3.0.10.in-addr.arpa", DNS_T_PTR, "c1");
	dns_local_free(d);
	lease_table_free(t);
}

/* A leased name exists: other types are NODATA, never NXDOMAIN. */
static void test_lease_other_types_nodata(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\n");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "lxc", 0);
	assert_string_equal(res.source, "DHCP");
	assert_int_equal(ask(d, t, "c1", DNS_T_MX), DNS_LOCAL_ANSWER);
	/* A single label outside any zone: the SOA is its own. */
	assert_negative(DNS_R_NOERROR, "c1", 0);
	assert_int_equal(ask(d, t, "c1", DNS_T_HTTPS), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	dns_local_free(d);
	lease_table_free(t);
}

static void test_unknown_names(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\n");

	(void)state;
	assert_int_equal(ask(d, t, "nobody.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 0);
	assert_int_equal(ask(d, t, "a.b.LXC", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 0);
	/* The zone's apex exists (RFC 8020): its SOA, or NODATA. */
	assert_int_equal(ask(d, t, "LXC", DNS_T_SOA), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_int_equal(nans(), 1);
	assert_int_equal(ans(0)->type, DNS_T_SOA);
	assert_string_equal(ans(0)->owner, "LXC");
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 0);
	assert_int_equal(ask(d, t, "lxc", DNS_T_NS), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_name_rr(ans(0), "lxc", DNS_T_NS, "lxc");
	assert_int_equal(ask(d, t, "lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "lxc", 0);
	/* A single label is never forwarded (--domain-needed, always). */
	assert_int_equal(ask(d, t, "Printer", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "Printer", 0);
	assert_int_equal(ask(d, t, "wpad", DNS_T_TXT), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NXDOMAIN);
	/* Everything else goes upstream, and leaves nothing behind. */
	assert_int_equal(ask(d, t, "example.com", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_int_equal(nans(), 0);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 0);
	assert_int_equal(ask(d, t, "lxc.example.com", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, t, "", DNS_T_NS), DNS_LOCAL_FORWARD);
	dns_local_free(d);
	lease_table_free(t);
}

static void test_lease_ptr_and_removal(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\n");
	struct dns_local *b = load(NULL, "domain=lxc\nbogus-priv\n");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(ask(d, t, "5.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_name_rr(ans(0), "5.3.0.10.in-addr.arpa", DNS_T_PTR, "c1.lxc");
	assert_string_equal(res.source, "DHCP");
	assert_int_equal(lease_remove(t, lease_addr4(ip4("10.0.3.5")), LEASE_EV_RELEASED), 0);
	assert_int_equal(ask(d, t, "5.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(b, t, "5.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "10.in-addr.arpa", 0);
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 0);
	/* A lease without a name has no PTR. */
	add_lease(t, "10.0.3.6", "", 2);
	assert_int_equal(ask(d, t, "6.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	dns_local_free(d);
	dns_local_free(b);
	lease_table_free(t);
}

static void test_lease_beats_hosts(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load("10.0.3.200 c1.lxc c1\n", "domain=lxc\ntxt-record=c1.lxc,hi\n");

	(void)state;
	assert_int_equal(ask(d, t, "c1", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("c1", "10.0.3.200");
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(ask(d, t, "c1", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("c1", "10.0.3.5");
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("c1.lxc", "10.0.3.5");
	assert_string_equal(res.source, "DHCP");
	/* The lease takes the addresses, not the name's other records. */
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_ANY), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 2);
	assert_addr_rr(ans(0), "c1.lxc", "10.0.3.5");
	assert_int_equal(ans(1)->type, DNS_T_TXT);
	/* The static reverse entry stays for its own address. */
	assert_int_equal(ask(d, t, "200.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "200.3.0.10.in-addr.arpa", DNS_T_PTR, "c1.lxc");
	dns_local_free(d);
	lease_table_free(t);
}

/* One name belongs to one lease: when it moves, the answer moves. */
static void test_name_moves(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\n");

	(void)state;
	add_lease(t, "10.0.3.5", "web", 1);
	assert_int_equal(ask(d, t, "web.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("web.lxc", "10.0.3.5");
	add_lease(t, "10.0.3.6", "web", 2);
	assert_int_equal(ask(d, t, "web.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("web.lxc", "10.0.3.6");
	/* The old lease lost its name, so its address has no PTR now. */
	assert_int_equal(ask(d, t, "5.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, t, "6.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "6.3.0.10.in-addr.arpa", DNS_T_PTR, "web.lxc");
	dns_local_free(d);
	lease_table_free(t);
}

static void collect_name(void *ctx, const char *name)
{
	char *buf = ctx;

	strcat(buf, name);
	strcat(buf, " ");
}

static void test_lease_names(void **state)
{
	struct dns_local *d = load(NULL, "domain=lxc\n");
	struct dns_local *nd = load(NULL, "%s", "");
	struct lease l;
	char buf[512] = "";

	(void)state;
	memset(&l, 0, sizeof(l));
	l.addr = lease_addr4(ip4("10.0.3.5"));
	strcpy(l.hostname, "c1");
	dns_local_lease_names(d, &l, collect_name, buf);
	assert_string_equal(buf, "c1 c1.lxc 5.3.0.10.in-addr.arpa ");
	buf[0] = '\0';
	dns_local_lease_names(nd, &l, collect_name, buf);
	assert_string_equal(buf, "c1 5.3.0.10.in-addr.arpa ");
	buf[0] = '\0';
	l.hostname[0] = '\0';
	dns_local_lease_names(d, &l, collect_name, buf);
	assert_string_equal(buf, "5.3.0.10.in-addr.arpa ");
	dns_local_free(d);
	dns_local_free(nd);
}

/* An IPv6 lease of IA_NA iaid, for the client with MAC 00:16:3e:00:00:ID (DUID-LL). */
static void add_lease6(struct lease_table *t, const char *ip, const char *name, uint8_t id,
		       uint32_t iaid)
{
	static const uint8_t ll[] = { 0, 3, 0, 1, 0x00, 0x16, 0x3e, 0, 0 };
	struct lease l;

	memset(&l, 0, sizeof(l));
	assert_true(lease_addr_parse(ip, &l.addr));
	memcpy(l.client_id, ll, sizeof(ll));
	l.client_id[sizeof(ll)] = id;
	l.client_id_len = sizeof(ll) + 1;
	assert_true(lease_duid_hwaddr(l.client_id, l.client_id_len, &l.htype, l.hwaddr, &l.hwlen));
	l.iaid = iaid;
	l.ia = LEASE_IA_NA;
	snprintf(l.hostname, sizeof(l.hostname), "%s", name);
	assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), 0);
}

/* A and AAAA from one name; both reverse trees; another client's grant takes the name. */
static void test_lease_dual_stack(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\n");
	const char *rev6 = "7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.4.d.f.ip6.arpa";

	(void)state;
	add_lease(t, "10.0.3.7", "c1", 1);
	add_lease6(t, "fd42::7", "c1", 1, 1);
	add_lease6(t, "fd42::8", "c1", 1, 2);
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("c1.lxc", "10.0.3.7");
	assert_int_equal(ask(d, t, "c1", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_int_equal(nans(), 2);
	/* In the table's order: either may come first. */
	assert_addr_rr(ans(0), "c1", ans(0)->rdata[15] == 7 ? "fd42::7" : "fd42::8");
	assert_addr_rr(ans(1), "c1", ans(1)->rdata[15] == 7 ? "fd42::7" : "fd42::8");
	assert_int_not_equal(ans(0)->rdata[15], ans(1)->rdata[15]);
	assert_string_equal(res.source, "DHCP");
	assert_int_equal(ask(d, t, "c1", DNS_T_ANY), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 3);
	assert_int_equal(ask(d, t, rev6, DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), rev6, DNS_T_PTR, "c1.lxc");
	assert_int_equal(ask(d, t, "7.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "7.3.0.10.in-addr.arpa", DNS_T_PTR, "c1.lxc");
	/* Another client (MAC ...:02) is granted c1 on IPv6: the name is all its own. */
	add_lease6(t, "fd42::9", "c1", 2, 1);
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_one_addr("c1.lxc", "fd42::9");
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "lxc", 0); /* NODATA: the name has AAAA */
	/* fd42::7 kept its address but lost its name: nothing local answers for it. */
	assert_int_equal(ask(d, t, rev6, DNS_T_PTR), DNS_LOCAL_FORWARD);
	dns_local_free(d);
	lease_table_free(t);
}

static void test_lease_names_v6(void **state)
{
	struct dns_local *d = load(NULL, "domain=lxc\n");
	struct lease l;
	char buf[512] = "";

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_true(lease_addr_parse("fd42::7", &l.addr));
	strcpy(l.hostname, "c1");
	dns_local_lease_names(d, &l, collect_name, buf);
	assert_string_equal(buf, "c1 c1.lxc 7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.4.d.f"
				 ".ip6.arpa ");
	dns_local_free(d);
}

/* ---- hosts files ---- */

static void test_hosts_entry(void **state)
{
	struct dns_local *d = load("127.0.0.1 localhost\n"
				   "192.0.2.10\tweb.example.com web\n"
				   "2001:db8::10 v6only.example.com\n", "%s", "");
	char path[300], rev[DNS_NAME_STR];
	uint8_t a6[16];

	(void)state;
	snprintf(path, sizeof(path), "%s/etc-hosts", test_dir);
	assert_int_equal(ask(d, NULL, "Web.Example.com", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("Web.Example.com", "192.0.2.10");
	assert_string_equal(res.source, path);
	/* Known here with no AAAA: NODATA, the SOA the name's own. */
	assert_int_equal(ask(d, NULL, "web.example.com", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "web.example.com", 0);
	assert_int_equal(ask(d, NULL, "v6only.example.com", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_one_addr("v6only.example.com", "2001:db8::10");
	assert_int_equal(ask(d, NULL, "v6only.example.com", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "v6only.example.com", 0);
	/* The line's first name answers the reverse query. */
	assert_int_equal(ask(d, NULL, "10.2.0.192.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_name_rr(ans(0), "10.2.0.192.in-addr.arpa", DNS_T_PTR, "web.example.com");
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::10", a6), 1);
	assert_true(dns_reverse_name(AF_INET6, a6, rev, sizeof(rev)) > 0);
	assert_int_equal(ask(d, NULL, rev, DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), rev, DNS_T_PTR, "v6only.example.com");
	/* localhost comes from the hosts file like any name. */
	assert_int_equal(ask(d, NULL, "localhost", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("localhost", "127.0.0.1");
	assert_int_equal(ask(d, NULL, "1.0.0.127.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "1.0.0.127.in-addr.arpa", DNS_T_PTR, "localhost");
	/* Neighbours of a known name are not known. */
	assert_int_equal(ask(d, NULL, "other.example.com", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_int_equal(dns_local_count(d), 7);
	dns_local_free(d);
}

/*
 * Single labels leased does not know, per configuration (README's
 * table): answered here (NXDOMAIN) with a local domain, --domain-needed
 * or -S //; forwarded with --server=//ADDR or when none of these is
 * given (lxc-net's default line has no domain).  Known ones are always
 * answered here.
 */
static void test_single_label_rule(void **state)
{
	static const struct {
		const char *conf;
		enum dns_local_verdict v;
	} cases[] = {
		{ "", DNS_LOCAL_FORWARD },
		{ "server=192.0.2.53\n", DNS_LOCAL_FORWARD },
		{ "domain=lxc\n", DNS_LOCAL_ANSWER },
		{ "domain=lxc\nserver=/lxc/\n", DNS_LOCAL_ANSWER },
		{ "domain=lxc\nlocal=/lxc/\n", DNS_LOCAL_ANSWER },
		{ "domain=lxc\nserver=/lxc/192.0.2.53\n", DNS_LOCAL_FORWARD },
		{ "domain-needed\n", DNS_LOCAL_ANSWER },
		{ "server=//\n", DNS_LOCAL_ANSWER },
		{ "domain=lxc\nserver=//192.0.2.53\n", DNS_LOCAL_FORWARD },
		{ "local=/corp.test/\n", DNS_LOCAL_FORWARD },
	};
	struct lease_table *t = lease_table_new();

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dns_local *d = load(NULL, "%s", cases[i].conf);

		if (ask(d, t, "web", DNS_T_A) != cases[i].v)
			fail_msg("'%s': web not %s", cases[i].conf,
				 cases[i].v == DNS_LOCAL_ANSWER ? "answered" : "forwarded");
		if (cases[i].v == DNS_LOCAL_ANSWER) {
			assert_int_equal(res.answer.rcode, DNS_R_NXDOMAIN);
			assert_true(res.answer.authoritative);
		}
		/* A lease name is always answered here, whatever the rule. */
		assert_int_equal(ask(d, t, "c1", DNS_T_A), DNS_LOCAL_ANSWER);
		assert_one_addr("c1", "10.0.3.5");
		assert_int_equal(ask(d, t, "c1", DNS_T_AAAA), DNS_LOCAL_ANSWER);
		assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
		dns_local_free(d);
	}
	lease_table_free(t);
}

static void test_no_hosts(void **state)
{
	struct dns_local *d = load("127.0.0.1 localhost\n192.0.2.10 web.example.com\n",
				   "no-hosts\n");

	(void)state;
	assert_int_equal(ask(d, NULL, "web.example.com", DNS_T_A), DNS_LOCAL_FORWARD);
	/* RFC 6761: localhost is the loopback address, never asked upstream. */
	assert_int_equal(ask(d, NULL, "localhost", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("localhost", "127.0.0.1");
	assert_int_equal(ask(d, NULL, "a.localhost", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_one_addr("a.localhost", "::1");
	assert_int_equal(dns_local_count(d), 0);
	dns_local_free(d);
}

/* LXD keeps one file per instance: deleting one and reloading drops its names. */
static void test_addn_hosts_directory_reload(void **state)
{
	struct dns_local *d;
	char dir[300], path[400];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/addn.d", test_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("addn.d/c1", "10.0.4.11 c1.example.net\n");
	write_file("addn.d/c2", "10.0.4.12 c2.example.net\n");
	write_file("addn.d/c2~", "10.0.4.99 stale.example.net\n");
	d = load(NULL, "addn-hosts=%s\n", dir);
	assert_int_equal(warns.n, 0);
	assert_int_equal(ask(d, NULL, "c1.example.net", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("c1.example.net", "10.0.4.11");
	snprintf(path, sizeof(path), "%s/c1", dir);
	assert_string_equal(res.source, path);
	assert_int_equal(ask(d, NULL, "c2.example.net", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("c2.example.net", "10.0.4.12");
	assert_int_equal(ask(d, NULL, "stale.example.net", DNS_T_A), DNS_LOCAL_FORWARD);
	dns_local_free(d);

	snprintf(path, sizeof(path), "%s/c2", dir);
	assert_int_equal(unlink(path), 0);
	d = load(NULL, "addn-hosts=%s\n", dir);
	assert_int_equal(ask(d, NULL, "c1.example.net", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(ask(d, NULL, "c2.example.net", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "12.4.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	dns_local_free(d);
}

/* A missing file or a bad line is a warning; the rest still loads. */
static void test_addn_hosts_problems(void **state)
{
	struct dns_local *d;
	const char *bad = write_file("bad-hosts", "10.0.5.1 fine.example\n"
						  "10.0.5.x broken.example\n");
	char expect[600];

	(void)state;
	d = load(NULL, "addn-hosts=%s/absent\naddn-hosts=%s\n", test_dir, bad);
	assert_int_equal(warns.n, 2);
	snprintf(expect, sizeof(expect),
		 "failed to load names from %s/absent: No such file or directory", test_dir);
	assert_string_equal(warns.msg[0], expect);
	snprintf(expect, sizeof(expect), "%s:2: bad address \"10.0.5.x\"", bad);
	assert_string_equal(warns.msg[1], expect);
	assert_int_equal(ask(d, NULL, "fine.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("fine.example", "10.0.5.1");
	dns_local_free(d);
}

static void test_expand_hosts(void **state)
{
	const char *hosts = "10.0.0.7 box\n10.0.0.8 full.example.org\n";
	struct dns_local *d = load(hosts, "domain=lxc\nexpand-hosts\n");
	struct dns_local *plain = load(hosts, "domain=lxc\n");

	(void)state;
	assert_int_equal(ask(d, NULL, "box.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("box.lxc", "10.0.0.7");
	assert_int_equal(ask(d, NULL, "box", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("box", "10.0.0.7");
	assert_int_equal(ask(d, NULL, "7.0.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "7.0.0.10.in-addr.arpa", DNS_T_PTR, "box.lxc");
	/* Names with a dot are not expanded. */
	assert_int_equal(ask(d, NULL, "full.example.org.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 0);
	/* Without --expand-hosts, box.lxc is unknown in the local domain. */
	assert_int_equal(ask(plain, NULL, "box.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 0);
	assert_int_equal(ask(plain, NULL, "7.0.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "7.0.0.10.in-addr.arpa", DNS_T_PTR, "box");
	dns_local_free(d);
	dns_local_free(plain);
}

/* --dhcp-host names answer like their leases would, from config and hostsfiles. */
static void test_dhcp_host_names(void **state)
{
	struct lease_table *t = lease_table_new();
	const char *hf = write_file("dhcp-hosts", "00:16:3e:00:00:22,10.0.3.52,filed\n");
	struct dns_local *d = load(NULL, "domain=lxc\n"
				   "dhcp-host=00:16:3e:00:00:21,10.0.3.51,resv\n"
				   "dhcp-host=00:16:3e:00:00:23,noaddr\n"
				   "dhcp-host=00:16:3e:00:00:24,10.0.3.54,[fd42::54],both\n"
				   "dhcp-host=00:16:3e:00:00:25,[::55],hostpart\n"
				   "dhcp-host=00:16:3e:00:00:26,10.0.3.56,vm\n" /* libvirt: two lines */
				   "dhcp-host=vm,[fd42::56]\n"
				   "dhcp-hostsfile=%s\n", hf);

	(void)state;
	assert_int_equal(ask(d, t, "resv.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("resv.lxc", "10.0.3.51");
	assert_string_equal(res.source, "config");
	assert_int_equal(ask(d, t, "resv", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("resv", "10.0.3.51");
	assert_int_equal(ask(d, t, "filed.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("filed.lxc", "10.0.3.52");
	assert_int_equal(ask(d, t, "52.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "52.3.0.10.in-addr.arpa", DNS_T_PTR, "filed.lxc");
	assert_int_equal(ask(d, t, "noaddr.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 0);
	/* An IPv6 reservation: AAAA and the ip6.arpa PTR; a host part alone names no address. */
	assert_int_equal(ask(d, t, "both.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_one_addr("both.lxc", "fd42::54");
	assert_int_equal(ask(d, t, "both.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("both.lxc", "10.0.3.54");
	assert_int_equal(ask(d, t, "4.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.4.d.f"
			 ".ip6.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_int_equal(ask(d, t, "hostpart.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 0);
	/* A name reserved on two lines, one per family, answers both. */
	assert_int_equal(ask(d, t, "vm.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("vm.lxc", "10.0.3.56");
	assert_int_equal(ask(d, t, "vm.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_one_addr("vm.lxc", "fd42::56");
	/* The lease, when there is one, wins. */
	add_lease(t, "10.0.3.99", "resv", 0x21);
	assert_int_equal(ask(d, t, "resv.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("resv.lxc", "10.0.3.99");
	dns_local_free(d);
	lease_table_free(t);
}

/* ---- record options ---- */

static void test_host_record(void **state)
{
	struct dns_local *d = load(NULL, "local-ttl=5\n"
				   "host-record=rec.example,Rec2.example,10.1.1.1,2001:db8::1,300\n"
				   "host-record=plain.example,10.1.1.2\n");

	(void)state;
	assert_int_equal(ask(d, NULL, "rec2.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("rec2.example", "10.1.1.1");
	assert_int_equal(ans(0)->ttl, 300);
	assert_string_equal(res.source, "config");
	assert_int_equal(ask(d, NULL, "rec.example", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_one_addr("rec.example", "2001:db8::1");
	assert_int_equal(ans(0)->ttl, 300);
	assert_int_equal(ask(d, NULL, "rec.example", DNS_T_ANY), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 2);
	assert_int_equal(ask(d, NULL, "1.1.1.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "1.1.1.10.in-addr.arpa", DNS_T_PTR, "rec.example");
	assert_int_equal(ans(0)->ttl, 300);
	/* Without its own TTL a record takes --local-ttl. */
	assert_int_equal(ask(d, NULL, "plain.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(ans(0)->ttl, 5);
	assert_int_equal(ask(d, NULL, "plain.example", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "plain.example", 5);
	dns_local_free(d);
}

static void test_address_domain(void **state)
{
	struct dns_local *d = load("10.9.9.9 pinned.x\n", "address=/x/1.2.3.4\n"
				   "address=/v6.test/2001:db8::5\n");

	(void)state;
	assert_int_equal(ask(d, NULL, "sub.x", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("sub.x", "1.2.3.4");
	assert_string_equal(res.source, "config");
	assert_int_equal(ask(d, NULL, "X", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("X", "1.2.3.4");
	assert_int_equal(ask(d, NULL, "a.deep.sub.x", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("a.deep.sub.x", "1.2.3.4");
	/* Other types under the domain: NODATA with the domain's SOA. */
	assert_int_equal(ask(d, NULL, "sub.x", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "x", 0);
	assert_int_equal(ask(d, NULL, "sub.x", DNS_T_MX), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "x", 0);
	/* A hosts entry overrides the domain's address for its name. */
	assert_int_equal(ask(d, NULL, "pinned.x", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("pinned.x", "10.9.9.9");
	assert_int_equal(ask(d, NULL, "www.v6.test", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_one_addr("www.v6.test", "2001:db8::5");
	assert_int_equal(ask(d, NULL, "www.v6.test", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "v6.test", 0);
	/* No local domain: an unknown single label is forwarded. */
	assert_int_equal(ask(d, NULL, "notx", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "x.y", DNS_T_A), DNS_LOCAL_FORWARD);
	dns_local_free(d);
}

static void test_address_null(void **state)
{
	struct dns_local *d = load(NULL, "address=/ads.test/#\n");

	(void)state;
	assert_int_equal(ask(d, NULL, "tracker.ads.test", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("tracker.ads.test", "0.0.0.0");
	assert_int_equal(ask(d, NULL, "tracker.ads.test", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_one_addr("tracker.ads.test", "::");
	assert_int_equal(ask(d, NULL, "ads.test", DNS_T_ANY), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 2);
	dns_local_free(d);
}

static void test_address_empty_and_local(void **state)
{
	struct dns_local *d = load(NULL, "address=/blocked.test/\n"
				   "server=/corp/\n"
				   "local=/home.arpa/\n"
				   "server=/ext.corp/192.0.2.53\n"
				   "server=/fwd.test/192.0.2.53\n");

	(void)state;
	assert_int_equal(ask(d, NULL, "blocked.test", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "blocked.test", 0);
	assert_int_equal(ask(d, NULL, "a.Blocked.test", DNS_T_MX), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "blocked.test", 0);
	assert_int_equal(ask(d, NULL, "host.corp", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "corp", 0);
	assert_int_equal(ask(d, NULL, "nas.home.arpa", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "home.arpa", 0);
	/* The most specific domain decides: ext.corp has a server. */
	assert_int_equal(ask(d, NULL, "host.ext.corp", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "www.fwd.test", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "blocked.test.example", DNS_T_A), DNS_LOCAL_FORWARD);
	dns_local_free(d);
}

/* A server named for the DHCP domain itself: names not known here go there. */
static void test_domain_with_server(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\nserver=/lxc/192.0.2.53\n");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_one_addr("c1.lxc", "10.0.3.5");
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "c1.lxc", 0);
	assert_int_equal(ask(d, t, "other.lxc", DNS_T_A), DNS_LOCAL_FORWARD);
	dns_local_free(d);
	lease_table_free(t);
}

static void test_cname(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load("192.0.2.7 target.example\n",
				   "domain=lxc\n"
				   "cname=www.lxc,Alias2.lxc,c1.lxc\n"
				   "cname=chain.example,www.lxc,120\n"
				   "cname=static.example,target.example\n"
				   "cname=out.lxc,example.com\n"
				   "cname=gone.lxc,nobody.lxc\n"
				   "cname=loop1.lxc,loop2.lxc\ncname=loop2.lxc,loop1.lxc\n");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(ask(d, t, "WWW.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_int_equal(nans(), 2);
	assert_name_rr(ans(0), "WWW.lxc", DNS_T_CNAME, "c1.lxc");
	assert_addr_rr(ans(1), "c1.lxc", "10.0.3.5");
	assert_string_equal(res.source, "config");
	assert_int_equal(ask(d, t, "alias2.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 2);
	/* A chain: each CNAME, then the records; each with its TTL. */
	assert_int_equal(ask(d, t, "chain.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 3);
	assert_name_rr(ans(0), "chain.example", DNS_T_CNAME, "www.lxc");
	assert_int_equal(ans(0)->ttl, 120);
	assert_name_rr(ans(1), "www.lxc", DNS_T_CNAME, "c1.lxc");
	assert_int_equal(ans(1)->ttl, 0);
	assert_addr_rr(ans(2), "c1.lxc", "10.0.3.5");
	assert_int_equal(ask(d, t, "static.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 2);
	assert_addr_rr(ans(1), "target.example", "192.0.2.7");
	/* The target has no AAAA: the CNAME, then NODATA's SOA. */
	assert_int_equal(ask(d, t, "www.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_int_equal(nans(), 1);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 1);
	/* Asking for the CNAME itself gives just it. */
	assert_int_equal(ask(d, t, "www.lxc", DNS_T_CNAME), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_name_rr(ans(0), "www.lxc", DNS_T_CNAME, "c1.lxc");
	/* A target not known here: the CNAME alone, for the client to follow. */
	assert_int_equal(ask(d, t, "out.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_int_equal(nans(), 1);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 0);
	/* A local target that does not exist: NXDOMAIN after the CNAME (RFC 6604). */
	assert_int_equal(ask(d, t, "gone.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NXDOMAIN);
	assert_int_equal(nans(), 1);
	/* A loop ends. */
	assert_int_equal(ask(d, t, "loop1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_true(nans() > 1 && nans() <= 10);
	dns_local_free(d);
	lease_table_free(t);
}

static void test_srv_txt_mx_ptr(void **state)
{
	static const uint8_t srv_rdata[] = { 0, 10, 0, 5, 1, 0x85, 4, 'l', 'd', 'a', 'p', 7,
					     'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o',
					     'm', 0 };
	static const uint8_t txt_rdata[] = { 11, 'v', '=', 's', 'p', 'f', '1', ' ', '-', 'a',
					     'l', 'l', 6, 's', 'e', 'c', 'o', 'n', 'd' };
	static const uint8_t mx_rdata[] = { 0, 5, 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a',
					    'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	static const uint8_t sip_rdata[] = { 0, 0, 0, 0, 0, 1, 0 };
	struct dns_local *d = load(NULL, "domain=lxc\n"
				   "srv-host=_ldap._tcp.example.com,ldap.example.com,389,10,5\n"
				   "srv-host=_sip._udp\n"
				   "txt-record=txt.example.com,\"v=spf1 -all\",second\n"
				   "mx-host=example.com,mail.example.com,5\n"
				   "ptr-record=_http._tcp.dns-sd.example.com,web._http._tcp.example.com\n"
				   "ptr-record=b._dns-sd._udp.example.com\n");

	(void)state;
	assert_int_equal(ask(d, NULL, "_ldap._tcp.example.com", DNS_T_SRV), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_int_equal(ans(0)->type, DNS_T_SRV);
	assert_int_equal(ans(0)->rdlen, sizeof(srv_rdata));
	assert_memory_equal(ans(0)->rdata, srv_rdata, sizeof(srv_rdata));
	/* No domain given: the -s domain; no target: the root, port 1. */
	assert_int_equal(ask(d, NULL, "_sip._udp.lxc", DNS_T_SRV), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_int_equal(ans(0)->rdlen, sizeof(sip_rdata));
	assert_memory_equal(ans(0)->rdata, sip_rdata, sizeof(sip_rdata));
	assert_int_equal(ask(d, NULL, "txt.example.com", DNS_T_TXT), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_int_equal(ans(0)->rdlen, sizeof(txt_rdata));
	assert_memory_equal(ans(0)->rdata, txt_rdata, sizeof(txt_rdata));
	assert_int_equal(ask(d, NULL, "example.com", DNS_T_MX), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_int_equal(ans(0)->type, DNS_T_MX);
	assert_int_equal(ans(0)->rdlen, sizeof(mx_rdata));
	assert_memory_equal(ans(0)->rdata, mx_rdata, sizeof(mx_rdata));
	/* The MX owner is known: its A is NODATA, not forwarded. */
	assert_int_equal(ask(d, NULL, "example.com", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "example.com", 0);
	assert_int_equal(ask(d, NULL, "_http._tcp.dns-sd.example.com", DNS_T_PTR),
			 DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "_http._tcp.dns-sd.example.com", DNS_T_PTR,
		       "web._http._tcp.example.com");
	/* A --ptr-record without a target: the name answers NXDOMAIN here. */
	assert_int_equal(ask(d, NULL, "b._dns-sd._udp.example.com", DNS_T_PTR),
			 DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "b._dns-sd._udp.example.com", 0);
	dns_local_free(d);
}

/* The interface is missing (no netlink here): the name is configured, so NODATA. */
static void test_interface_name_missing(void **state)
{
	struct dns_local *d = load(NULL, "domain=lxc\ninterface-name=_gateway.lxc,lxdbr0\n"
				   "interface-name=gw.example,lxdbr0\n");

	(void)state;
	assert_int_equal(ask(d, NULL, "_gateway.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "lxc", 0);
	assert_int_equal(ask(d, NULL, "gw.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "gw.example", 0);
	dns_local_free(d);
}

static void test_bogus_priv(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load("192.168.1.1 router.home\n", "bogus-priv\n");
	struct dns_local *plain = load(NULL, "%s", "");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	/* Known names still answer. */
	assert_int_equal(ask(d, t, "1.1.168.192.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "1.1.168.192.in-addr.arpa", DNS_T_PTR, "router.home");
	assert_int_equal(ask(d, t, "5.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "5.3.0.10.in-addr.arpa", DNS_T_PTR, "c1");
	/* Unknown private addresses: NXDOMAIN from the private zone. */
	assert_int_equal(ask(d, t, "2.1.168.192.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "168.192.in-addr.arpa", 0);
	assert_int_equal(ask(d, t, "9.9.20.172.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "20.172.in-addr.arpa", 0);
	assert_int_equal(ask(d, t, "1.0.64.100.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_int_equal(ask(d, t, "1.0.0.127.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_int_equal(ask(d, t, "4.3.2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f."
			     "ip6.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "d.f.ip6.arpa", 0);
	assert_int_equal(ask(d, t, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f."
			     "ip6.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_int_equal(ask(d, t, "1.0.254.169.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	/* Public and neighbouring ranges are forwarded. */
	assert_int_equal(ask(d, t, "8.8.8.8.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, t, "1.0.15.172.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, t, "1.0.128.100.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	/* Without --bogus-priv, private reverse names are forwarded too. */
	assert_int_equal(ask(plain, t, "2.1.168.192.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	dns_local_free(d);
	dns_local_free(plain);
	lease_table_free(t);
}

static void test_local_ttl(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load("192.0.2.1 h.example\n", "domain=lxc\nlocal-ttl=60\n");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(ans(0)->ttl, 60);
	assert_int_equal(ask(d, t, "h.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(ans(0)->ttl, 60);
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "lxc", 60);
	assert_int_equal(ask(d, t, "zz.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 60);
	dns_local_free(d);
	lease_table_free(t);
}

static void test_class_and_transfers(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\n");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(ask_class(d, t, "c1.lxc", DNS_T_A, 3), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_REFUSED);
	assert_int_equal(nans(), 0);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 0);
	assert_int_equal(ask_class(d, t, "version.bind", DNS_T_TXT, 3), DNS_LOCAL_FORWARD);
	assert_int_equal(ask_class(d, t, "c1.lxc", DNS_T_A, DNS_C_ANY), DNS_LOCAL_ANSWER);
	assert_one_addr("c1.lxc", "10.0.3.5");
	assert_int_equal(ask(d, t, "lxc", DNS_T_AXFR), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_REFUSED);
	dns_local_free(d);
	lease_table_free(t);
}

/* More records than a result holds: the ones that fit, nothing overrun. */
static void test_result_limits(void **state)
{
	char *hosts = malloc(200 * 64);
	size_t len = 0;
	struct dns_local *d;

	(void)state;
	assert_non_null(hosts);
	for (unsigned i = 0; i < 200; i++)
		len += (size_t)sprintf(hosts + len, "10.7.%u.%u many.example\n", i / 250, i % 250);
	d = load(hosts, "%s", "");
	free(hosts);
	assert_int_equal(ask(d, NULL, "many.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), DNS_LOCAL_MAX_RRS);
	assert_true(res.arena_used <= DNS_LOCAL_ARENA);
	assert_addr_rr(ans(0), "many.example", "10.7.0.0");
	dns_local_free(d);
}

/* Big TXT records fill the arena before the record count runs out. */
static void test_result_arena_full(void **state)
{
	char *conf = malloc(16000), big[251];
	size_t len = 0;
	struct dns_local *d;

	(void)state;
	assert_non_null(conf);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (unsigned i = 0; i < 40; i++)
		len += (size_t)sprintf(conf + len, "txt-record=big.example,%02u%s\n", i, big + 2);
	d = load(NULL, "%s", conf);
	free(conf);
	assert_int_equal(dns_local_count(d), 40);
	assert_int_equal(ask(d, NULL, "big.example", DNS_T_TXT), DNS_LOCAL_ANSWER);
	assert_true(nans() >= 30 && nans() < 40);
	assert_true(res.arena_used <= DNS_LOCAL_ARENA);
	for (size_t i = 0; i < nans(); i++) {
		assert_int_equal(ans(i)->rdlen, 251);
		assert_memory_equal(ans(i)->rdata + 3, big + 2, 248);
	}
	dns_local_free(d);
}

/*
 * Inside a local zone, a name above data is an empty non-terminal (NODATA),
 * and so is a reverse name above any address under --bogus-priv: NXDOMAIN
 * would deny everything below it (RFC 8020).
 */
static void test_empty_nonterminals(void **state)
{
	struct dns_local *d = load(NULL, "domain=lxc\nbogus-priv\n"
				   "host-record=a.b.lxc,10.0.3.77\n"
				   "host-record=x.y.example.com,192.0.2.99\n");

	(void)state;
	assert_int_equal(ask(d, NULL, "b.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "lxc", 0);
	assert_int_equal(ask(d, NULL, "c.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "lxc", 0);
	/* Outside local zones the parents are someone else's. */
	assert_int_equal(ask(d, NULL, "y.example.com", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "10.in-addr.arpa", 0);
	assert_int_equal(ask(d, NULL, "10.in-addr.arpa", DNS_T_SOA), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_int_equal(ask(d, NULL, "77.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_name_rr(ans(0), "77.3.0.10.in-addr.arpa", DNS_T_PTR, "a.b.lxc");
	assert_int_equal(ask(d, NULL, "78.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "10.in-addr.arpa", 0);
	dns_local_free(d);
}

/* ---- authoritative zones: the apex's SOA and NS, the serial ---- */

/* A 32-bit field of an SOA's RDATA, counted back from its end (1: MINIMUM, 5: SERIAL). */
static uint32_t soa_field(const struct dns_rr *rr, int from_end)
{
	const uint8_t *p = rr->rdata + rr->rdlen - 4 * from_end;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The SOA of the last answer: in the answer section, else in authority. */
static const struct dns_rr *the_soa(void)
{
	if (nans())
		return ans(0);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 1);
	return &res.answer.rrs[DNS_SEC_AUTHORITY][0];
}

/* A negative answer (assert_negative) whose SOA has this serial. */
static void assert_negative_serial(int rcode, const char *zone, uint32_t ttl, uint32_t serial)
{
	assert_negative(rcode, zone, ttl);
	assert_int_equal(soa_field(the_soa(), 5), serial);
}

/* The apex answers its SOA (MNAME the zone, RNAME nobody.invalid) and NS, with AA. */
static uint32_t assert_apex(const struct dns_local *d, const struct lease_table *t,
			    const char *zone, uint32_t ttl)
{
	char name[DNS_NAME_STR];
	size_t off = 0;
	uint32_t serial;

	assert_int_equal(ask(d, t, zone, DNS_T_SOA), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_true(res.answer.authoritative);
	assert_int_equal(nans(), 1);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 0);
	assert_string_equal(ans(0)->owner, zone);
	assert_int_equal(ans(0)->type, DNS_T_SOA);
	assert_int_equal(ans(0)->ttl, ttl);
	assert_int_equal(dns_name_read(ans(0)->rdata, ans(0)->rdlen, &off, name, sizeof(name)), 0);
	assert_string_equal(name, zone);
	assert_int_equal(dns_name_read(ans(0)->rdata, ans(0)->rdlen, &off, name, sizeof(name)), 0);
	assert_string_equal(name, "nobody.invalid");
	assert_int_equal(soa_field(ans(0), 1), ttl);
	serial = soa_field(ans(0), 5);
	assert_int_equal(ask(d, t, zone, DNS_T_NS), DNS_LOCAL_ANSWER);
	assert_true(res.answer.authoritative);
	assert_int_equal(nans(), 1);
	assert_name_rr(ans(0), zone, DNS_T_NS, zone);
	assert_int_equal(ans(0)->ttl, ttl);
	assert_int_equal(res.answer.n[DNS_SEC_AUTHORITY], 0);
	/* ANY: both. */
	assert_int_equal(ask(d, t, zone, DNS_T_ANY), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 2);
	assert_int_equal(ans(0)->type, DNS_T_SOA);
	assert_int_equal(ans(1)->type, DNS_T_NS);
	/* Other types: NODATA, with the same SOA in authority. */
	assert_int_equal(ask(d, t, zone, DNS_T_TXT), DNS_LOCAL_ANSWER);
	assert_negative_serial(DNS_R_NOERROR, zone, ttl, serial);
	return serial;
}

/*
 * The -s domain and the reverse zone of the served range are authoritative
 * zones: SOA and NS at the apex; every negative below carries the same
 * SOA, and its serial moves when the lease table changes.
 */
static void test_zone_apex(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\nlocal-ttl=7\n"
				   "dhcp-range=10.0.3.2,10.0.3.254,12h\n");
	uint32_t serial, rserial, before;

	(void)state;
	serial = assert_apex(d, t, "lxc", 7);
	rserial = assert_apex(d, t, "3.0.10.in-addr.arpa", 7);
	assert_int_equal(serial, rserial);
	/* NXDOMAIN and NODATA below: the zone's SOA, the apex's serial. */
	assert_int_equal(ask(d, t, "nobody.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative_serial(DNS_R_NXDOMAIN, "lxc", 7, serial);
	assert_int_equal(ask(d, t, "9.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative_serial(DNS_R_NXDOMAIN, "3.0.10.in-addr.arpa", 7, serial);

	/* A lease: the serial moves, at the apex and in the negatives alike. */
	add_lease(t, "10.0.3.5", "c1", 1);
	before = serial;
	serial = assert_apex(d, t, "lxc", 7);
	assert_true(serial != before);
	assert_int_equal(assert_apex(d, t, "3.0.10.in-addr.arpa", 7), serial);
	assert_int_equal(ask(d, t, "c1.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_negative_serial(DNS_R_NOERROR, "lxc", 7, serial);
	assert_int_equal(ask(d, t, "5.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_true(res.answer.authoritative);
	assert_name_rr(ans(0), "5.3.0.10.in-addr.arpa", DNS_T_PTR, "c1.lxc");
	assert_int_equal(ask(d, t, "5.3.0.10.in-addr.arpa", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_negative_serial(DNS_R_NOERROR, "3.0.10.in-addr.arpa", 7, serial);
	/* Every change: a release too. */
	assert_int_equal(lease_remove(t, lease_addr4(ip4("10.0.3.5")), LEASE_EV_RELEASED), 0);
	before = serial;
	serial = assert_apex(d, t, "lxc", 7);
	assert_true(serial != before);
	assert_int_equal(ask(d, t, "5.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative_serial(DNS_R_NXDOMAIN, "3.0.10.in-addr.arpa", 7, serial);
	dns_local_free(d);
	lease_table_free(t);
}

/*
 * Which zones are authoritative: -S /d/ and --local=/d/ apexes (even with
 * nothing below), the reverse zone at the octet boundary holding each
 * range; not a listen address's subnet (its names may be someone
 * else's), not a zone a server is named for, not --address=/d/ (a
 * blocked domain has no apex).
 */
static void test_zone_choice(void **state)
{
	struct dns_local *d = load(NULL, "server=/corp/\nlocal=/home.arpa/\n"
				   "address=/blocked.test/\n"
				   "dhcp-range=10.1.2.10,10.1.5.20\n"
				   "listen-address=192.168.7.1\n"
				   "listen-address=192.0.2.1\n"
				   "dhcp-range=172.20.9.2,172.20.9.200\n"
				   "server=/9.20.172.in-addr.arpa/192.0.2.53\n"
				   "dhcp-range=fd42:77::10,fd42:77::20\n"
				   "dhcp-range=::,constructor:br0,ra-stateless\n");

	(void)state;
	assert_apex(d, NULL, "corp", 0);
	assert_apex(d, NULL, "home.arpa", 0);
	assert_int_equal(ask(d, NULL, "blocked.test", DNS_T_SOA), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "blocked.test", 0);
	/* 10.1.2.10-10.1.5.20 crosses /24 boundaries: the /16 around it. */
	assert_apex(d, NULL, "1.10.in-addr.arpa", 0);
	assert_int_equal(ask(d, NULL, "20.5.1.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "1.10.in-addr.arpa", 0);
	/* Above an address inside it: leases may come, NODATA. */
	assert_int_equal(ask(d, NULL, "5.1.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NOERROR, "1.10.in-addr.arpa", 0);
	assert_int_equal(ask(d, NULL, "2.10.in-addr.arpa", DNS_T_SOA), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "7.168.192.in-addr.arpa", DNS_T_SOA), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "9.7.168.192.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "2.0.192.in-addr.arpa", DNS_T_SOA), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "9.2.0.192.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "9.20.172.in-addr.arpa", DNS_T_SOA), DNS_LOCAL_FORWARD);
	assert_int_equal(ask(d, NULL, "5.9.20.172.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	/* An IPv6 range: its /64's ip6.arpa zone (a private address's name never goes upstream). */
	assert_apex(d, NULL, "0.0.0.0.0.0.0.0.7.7.0.0.2.4.d.f.ip6.arpa", 0);
	assert_int_equal(ask(d, NULL, "5.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.7.0.0.2.4.d.f"
			 ".ip6.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_negative(DNS_R_NXDOMAIN, "0.0.0.0.0.0.0.0.7.7.0.0.2.4.d.f.ip6.arpa", 0);
	/* A constructor: range's prefix is the interface's, unknown here: no zone. */
	assert_int_equal(ask(d, NULL, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.7.0.0.2.4.d.e"
			 ".ip6.arpa", DNS_T_PTR), DNS_LOCAL_FORWARD);
	dns_local_free(d);
}

/* ---- explain ---- */

/* A dns_local from the command line (argv after the program name). */
static struct dns_local *load_argv(const char *arg1, const char *arg2)
{
	char *argv[] = { (char *)"leased", (char *)arg1, (char *)arg2, NULL };
	struct dns_local_options opts = { .warn = on_warn };
	enum config_action action;
	struct config cfg;
	struct error err;
	struct dns_local *d;

	config_init(&cfg);
	if (config_parse_args(&cfg, arg2 ? 3 : 2, argv, &action, &err) < 0)
		fail_msg("%s", err.msg);
	opts.etc_hosts = write_file("etc-hosts", "");
	d = dns_local_load_opts(&cfg, NULL, &opts, &err);
	if (!d)
		fail_msg("%s", err.msg);
	config_free(&cfg);
	return d;
}

/* Without explain the detail is empty whatever the outcome; the answer is the same. */
static void test_explain_off_leaves_detail_empty(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load("192.0.2.1 h.example\n", "domain=lxc\nbogus-priv\n"
				   "host-record=r.example,192.0.2.2\ncname=a.lxc,c1.lxc\n");
	static const char *const names[] = { "c1.lxc", "nobody.lxc", "h.example", "r.example",
					     "a.lxc", "single", "example.com",
					     "5.3.0.10.in-addr.arpa", "9.9.168.192.in-addr.arpa",
					     "lxc", "" };
	static const uint16_t types[] = { DNS_T_A, DNS_T_AAAA, DNS_T_PTR, DNS_T_SOA,
					  DNS_T_AXFR };

	(void)state;
	add_lease_until(t, "10.0.3.5", "c1", 1, NOW + 60);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (size_t j = 0; j < sizeof(types) / sizeof(types[0]); j++) {
			ask(d, t, names[i], types[j]);
			assert_string_equal(res.detail, "");
			/* why() checks the plain answer is the explained one. */
			why(d, t, names[i], types[j]);
			assert_true(res.detail[0] != '\0');
		}
		ask_class(d, t, names[i], DNS_T_A, 3);
		assert_string_equal(res.detail, "");
	}
	/* No env at all, and NULL arguments: empty too. */
	memset(&res, 0xa5, sizeof(res));
	assert_int_equal(dns_local_answer(d, NULL, NULL, &res), DNS_LOCAL_FORWARD);
	assert_string_equal(res.detail, "");
	dns_local_free(d);
	lease_table_free(t);
}

static void test_explain_lease(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load("10.0.3.200 c2\n2001:db8::2 c2\n", "domain=lxc\n");

	(void)state;
	add_lease_until(t, "10.0.3.5", "c1", 1, NOW + 59 * 60 + 12);
	add_lease_until(t, "10.0.3.6", "c2", 2, 0);
	add_lease_until(t, "10.0.3.7", "c3", 3, NOW + 86400 + 3600 + 60 + 1);
	add_lease_until(t, "10.0.3.8", "c4", 4, NOW + 3600);
	assert_int_equal(why(d, t, "c1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_string_equal(res.source, "DHCP");
	assert_detail("lease of 00:16:3e:00:00:01 (c1), expires in 59m12s");
	assert_int_equal(why(d, t, "C1", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("lease of 00:16:3e:00:00:01 (c1), expires in 59m12s");
	assert_int_equal(why(d, t, "5.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_detail("lease of 00:16:3e:00:00:01 (c1), expires in 59m12s");
	assert_int_equal(why(d, t, "c3.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("lease of 00:16:3e:00:00:03 (c3), expires in 1d1h1m1s");
	assert_int_equal(why(d, t, "c4.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("lease of 00:16:3e:00:00:04 (c4), expires in 1h0m0s");
	/* NODATA: the types the name has, and whose they are. */
	assert_int_equal(why(d, t, "c1.lxc", DNS_T_MX), DNS_LOCAL_ANSWER);
	assert_detail("c1.lxc has A records only (lease of 00:16:3e:00:00:01 (c1), "
		      "expires in 59m12s)");
	/* A lease in front of a hosts entry says so, with the entry's line. */
	assert_int_equal(why(d, t, "c2", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("lease of 00:16:3e:00:00:02 (c2), never expires; the lease hides %s/etc-hosts:1",
		      test_dir);
	/* An IPv4 lease hides A records only: the hosts file's AAAA answers. */
	assert_int_equal(why(d, t, "c2", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_detail("%s/etc-hosts:2", test_dir);
	/* An IPv6 lease of the name hides the AAAA too. */
	add_lease6(t, "fd42::2", "c2", 2, 1);
	assert_int_equal(why(d, t, "c2", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 1);
	assert_detail("lease of 00:16:3e:00:00:02 (c2), never expires; the lease hides %s/etc-hosts:2",
		      test_dir);
	dns_local_free(d);
	lease_table_free(t);
}

static void test_explain_hosts_line(void **state)
{
	const char *addn = write_file("addn-explain", "# LXD\n\n10.0.9.1 box.example\n");
	struct dns_local *d = load("# comment\n"
				   "127.0.0.1 localhost\n"
				   "\n"
				   "192.0.2.10\tweb.example.com web\n"
				   "192.0.2.11 web.example.com\n"
				   "192.0.2.12 other.example.com\n"
				   "192.0.2.13 web.example.com\n",
				   "domain=lxc\nexpand-hosts\naddn-hosts=%s\n", addn);

	(void)state;
	assert_int_equal(why(d, NULL, "localhost", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("%s/etc-hosts:2", test_dir);
	assert_int_equal(why(d, NULL, "web", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("%s/etc-hosts:4", test_dir);
	/* One name on several lines: each line. */
	assert_int_equal(why(d, NULL, "web.example.com", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 3);
	assert_detail("%s/etc-hosts:4,5,7", test_dir);
	/* The reverse entry is the line's. */
	assert_int_equal(why(d, NULL, "11.2.0.192.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_detail("%s/etc-hosts:5", test_dir);
	/* --expand-hosts: the expanded name is the same line. */
	assert_int_equal(why(d, NULL, "web.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("%s/etc-hosts:4", test_dir);
	assert_int_equal(why(d, NULL, "box.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("%s:3", addn);
	assert_int_equal(why(d, NULL, "box.example", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_detail("box.example has A records only (%s:3)", addn);
	dns_local_free(d);
}

/*
 * Lines of one file are listed compactly; past DNS_LOCAL_DETAIL_LEN the
 * detail is cut, and says so.
 */
static void test_explain_cut(void **state)
{
	char *text = malloc(200 * 64), expect[DNS_LOCAL_DETAIL_LEN];
	size_t len = 0, elen;
	struct dns_local *d;

	(void)state;
	assert_non_null(text);
	for (unsigned i = 0; i < 200; i++)
		len += (size_t)sprintf(text + len, "10.7.%u.%u many.example\n", i / 250, i % 250);
	d = load(text, "%s", "");
	assert_int_equal(why(d, NULL, "many.example", DNS_T_A), DNS_LOCAL_ANSWER);
	/* The records that fit the answer, each line once. */
	assert_int_equal(nans(), DNS_LOCAL_MAX_RRS);
	elen = (size_t)snprintf(expect, sizeof(expect), "%s/etc-hosts:1", test_dir);
	for (unsigned i = 2; i <= DNS_LOCAL_MAX_RRS; i++)
		elen += (size_t)snprintf(expect + elen, sizeof(expect) - elen, ",%u", i);
	assert_true(elen < sizeof(expect));
	assert_detail("%s", expect);
	dns_local_free(d);

	len = 0;
	for (unsigned i = 0; i < 40; i++)
		len += (size_t)sprintf(text + len, "txt-record=t.example,%u\n", i);
	d = load(NULL, "%s", text);
	free(text);
	assert_int_equal(why(d, NULL, "t.example", DNS_T_TXT), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 40);
	assert_int_equal(strlen(res.detail), DNS_LOCAL_DETAIL_LEN - 1);
	assert_string_equal(res.detail + DNS_LOCAL_DETAIL_LEN - 4, "...");
	assert_true(strncmp(res.detail, "--txt-record at t.conf:1; --txt-record at t.conf:2; ",
			    52) == 0);
	dns_local_free(d);
}

static void test_explain_config_records(void **state)
{
	struct lease_table *t = lease_table_new();
	const char *hf = write_file("dhcp-hosts-explain", "# reservations\n"
				    "00:16:3e:00:00:22,10.0.3.52,filed\n");
	struct dns_local *d = load(NULL, "domain=lxc\n"                              /* 1 */
				   "host-record=rec.example,10.1.1.1,2001:db8::1\n" /* 2 */
				   "dhcp-host=00:16:3e:00:00:21,10.0.3.51,resv\n"   /* 3 */
				   "dhcp-hostsfile=%s\n"                            /* 4 */
				   "address=/x.test/1.2.3.4\n"                      /* 5 */
				   "address=/x.test/2001:db8::9\n"                  /* 6 */
				   "address=/x.test/1.2.3.5\n"                      /* 7 */
				   "address=/null.test/#\n"                         /* 8 */
				   "srv-host=_ldap._tcp.example.com,ldap,389\n"     /* 9 */
				   "txt-record=txt.example,hello\n"                 /* 10 */
				   "mx-host=mx.example,mail.example,5\n"            /* 11 */
				   "ptr-record=p.example,target.example\n"          /* 12 */
				   "ptr-record=bare.example\n"                      /* 13 */
				   "interface-name=gw.example,lxcbr0\n"             /* 14 */
				   "txt-record=rec.example,hi\n",                   /* 15 */
				   hf);

	(void)state;
	assert_int_equal(why(d, t, "rec.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_string_equal(res.source, "config");
	assert_detail("--host-record at t.conf:2");
	assert_int_equal(why(d, t, "rec.example", DNS_T_ANY), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 3);
	assert_detail("--host-record at t.conf:2; --txt-record at t.conf:15");
	assert_int_equal(why(d, t, "1.1.1.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_detail("--host-record at t.conf:2");
	assert_int_equal(why(d, t, "rec.example", DNS_T_MX), DNS_LOCAL_ANSWER);
	assert_detail("rec.example has A, AAAA and TXT records only "
		      "(--host-record at t.conf:2; --txt-record at t.conf:15)");
	/* --dhcp-host names, from the options and from a hostsfile. */
	assert_int_equal(why(d, t, "resv.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("--dhcp-host at t.conf:3");
	assert_int_equal(why(d, t, "51.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_detail("--dhcp-host at t.conf:3");
	assert_int_equal(why(d, t, "filed", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("--dhcp-hostsfile at %s:2", hf);
	/* --address: each address's own line. */
	assert_int_equal(why(d, t, "a.x.test", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(nans(), 2);
	assert_detail("--address=/x.test/1.2.3.4 at t.conf:5; --address=/x.test/1.2.3.5 at t.conf:7");
	assert_int_equal(why(d, t, "x.test", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_detail("--address=/x.test/2001:db8::9 at t.conf:6");
	assert_int_equal(why(d, t, "a.x.test", DNS_T_TXT), DNS_LOCAL_ANSWER);
	assert_detail("a.x.test has A and AAAA records only (--address=/x.test/1.2.3.4 at t.conf:5; "
		      "--address=/x.test/1.2.3.5 at t.conf:7; --address=/x.test/2001:db8::9 at "
		      "t.conf:6)");
	assert_int_equal(why(d, t, "ads.null.test", DNS_T_ANY), DNS_LOCAL_ANSWER);
	assert_detail("--address=/null.test/# at t.conf:8");
	/* The other record options. */
	assert_int_equal(why(d, t, "_ldap._tcp.example.com", DNS_T_SRV), DNS_LOCAL_ANSWER);
	assert_detail("--srv-host at t.conf:9");
	assert_int_equal(why(d, t, "txt.example", DNS_T_TXT), DNS_LOCAL_ANSWER);
	assert_detail("--txt-record at t.conf:10");
	assert_int_equal(why(d, t, "mx.example", DNS_T_MX), DNS_LOCAL_ANSWER);
	assert_detail("--mx-host at t.conf:11");
	assert_int_equal(why(d, t, "p.example", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_detail("--ptr-record at t.conf:12");
	assert_int_equal(why(d, t, "bare.example", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_detail("no record for bare.example: --ptr-record at t.conf:13 names it without a "
		      "target, so NXDOMAIN (as dnsmasq)");
	/* No netlink here: the interface is missing. */
	assert_int_equal(why(d, t, "gw.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("no address for gw.example now: interface lxcbr0 of --interface-name at "
		      "t.conf:14 is missing, down or has none");
	assert_int_equal(why(d, t, "gw.example", DNS_T_TXT), DNS_LOCAL_ANSWER);
	assert_detail("gw.example has A and AAAA records only (--interface-name at t.conf:14 "
		      "(interface lxcbr0))");
	dns_local_free(d);
	lease_table_free(t);
}

/* Options given on the command line say so. */
static void test_explain_command_line(void **state)
{
	struct dns_local *d = load_argv("--address=/ads.test/", "--host-record=h.test,192.0.2.5");

	(void)state;
	assert_int_equal(why(d, NULL, "tracker.ads.test", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NXDOMAIN);
	assert_detail("--address=/ads.test/ at command line answers NXDOMAIN for the domain");
	assert_int_equal(why(d, NULL, "h.test", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("--host-record at command line");
	dns_local_free(d);
	d = load_argv("--local=/home.arpa/", "--server=/corp/10.0.0.53#5353");
	assert_int_equal(why(d, NULL, "nas.home.arpa", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("no record for nas.home.arpa in local domain home.arpa "
		      "(-S/--local /home.arpa/ at command line)");
	assert_int_equal(why(d, NULL, "www.corp", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_detail("not a local name (-S /corp/10.0.0.53#5353 at command line): forwarded");
	dns_local_free(d);
}

static void test_explain_cname(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load("192.0.2.7 target.example\n",
				   "domain=lxc\n"                                  /* 1 */
				   "cname=www.lxc,c1.lxc\n"                        /* 2 */
				   "cname=chain.example,www.lxc\n"                 /* 3 */
				   "cname=static.example,target.example\n"         /* 4 */
				   "cname=out.lxc,example.com\n"                   /* 5 */
				   "cname=gone.lxc,nobody.lxc\n"                   /* 6 */
				   "cname=loop1.lxc,loop2.lxc\ncname=loop2.lxc,loop1.lxc\n");

	(void)state;
	add_lease_until(t, "10.0.3.5", "c1", 1, NOW + 30);
	assert_int_equal(why(d, t, "www.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("--cname at t.conf:2, then c1.lxc: lease of 00:16:3e:00:00:01 (c1), "
		      "expires in 30s");
	assert_int_equal(why(d, t, "chain.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("--cname at t.conf:3, then www.lxc: --cname at t.conf:2, then c1.lxc: "
		      "lease of 00:16:3e:00:00:01 (c1), expires in 30s");
	assert_int_equal(why(d, t, "static.example", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("--cname at t.conf:4, then target.example: %s/etc-hosts:1", test_dir);
	assert_int_equal(why(d, t, "www.lxc", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_detail("--cname at t.conf:2, then c1.lxc: c1.lxc has A records only "
		      "(lease of 00:16:3e:00:00:01 (c1), expires in 30s)");
	assert_int_equal(why(d, t, "www.lxc", DNS_T_CNAME), DNS_LOCAL_ANSWER);
	assert_detail("--cname at t.conf:2");
	assert_int_equal(why(d, t, "out.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("--cname at t.conf:5, then example.com: not a local name: left for the "
		      "client to follow");
	assert_int_equal(why(d, t, "gone.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("--cname at t.conf:6, then nobody.lxc: no record for nobody.lxc in local "
		      "domain lxc (-s lxc)");
	assert_int_equal(why(d, t, "loop1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_true(strncmp(res.detail, "--cname at t.conf:7, then loop2.lxc: --cname at t.conf:8, "
			    "then loop1.lxc: --cname at t.conf:7", 91) == 0);
	dns_local_free(d);
	lease_table_free(t);
}

/* Every negative says why, naming the option that makes the name local. */
static void test_explain_negatives(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\n"               /* 1 */
				   "server=/corp/\n"                   /* 2 */
				   "local=/home.arpa/\n"               /* 3 */
				   "address=/blocked.test/\n"          /* 4 */
				   "bogus-priv\n"                      /* 5 */
				   "host-record=a.b.lxc,10.0.3.77\n"   /* 6 */
				   "host-record=x.blocked.test,192.0.2.1\n");

	(void)state;
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(why(d, t, "nobody.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NXDOMAIN);
	assert_detail("no record for nobody.lxc in local domain lxc (-s lxc)");
	assert_int_equal(why(d, t, "host.corp", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("no record for host.corp in local domain corp (-S/--local /corp/ at t.conf:2)");
	assert_int_equal(why(d, t, "nas.home.arpa", DNS_T_AAAA), DNS_LOCAL_ANSWER);
	assert_detail("no record for nas.home.arpa in local domain home.arpa "
		      "(-S/--local /home.arpa/ at t.conf:3)");
	assert_int_equal(why(d, t, "ads.blocked.test", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NXDOMAIN);
	assert_detail("--address=/blocked.test/ at t.conf:4 answers NXDOMAIN for the domain");
	/* The apex of that domain has a name below it: NODATA, and why. */
	assert_int_equal(why(d, t, "blocked.test", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_detail("--address=/blocked.test/ at t.conf:4 answers NXDOMAIN for the domain; "
		      "names below it exist, so NODATA");
	/* Empty non-terminal and the apex of the -s domain. */
	assert_int_equal(why(d, t, "b.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_detail("no record for b.lxc in local domain lxc (-s lxc); names below it exist, "
		      "so NODATA");
	assert_int_equal(why(d, t, "lxc", DNS_T_SOA), DNS_LOCAL_ANSWER);
	assert_detail("SOA of local domain lxc (-s lxc), made up here");
	assert_int_equal(why(d, t, "LXC", DNS_T_NS), DNS_LOCAL_ANSWER);
	assert_detail("NS of local domain lxc (-s lxc), made up here");
	assert_int_equal(why(d, t, "corp", DNS_T_ANY), DNS_LOCAL_ANSWER);
	assert_detail("SOA of local domain corp (-S/--local /corp/ at t.conf:2), made up here; "
		      "NS of local domain corp (-S/--local /corp/ at t.conf:2), made up here");
	/* Single labels. */
	assert_int_equal(why(d, t, "printer", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NXDOMAIN);
	assert_detail("no record for printer: single-label names are answered here (local "
		      "domain lxc), never forwarded");
	assert_int_equal(why(d, t, "c1", DNS_T_TXT), DNS_LOCAL_ANSWER);
	assert_detail("c1 has A records only (lease of 00:16:3e:00:00:01 (c1), never expires)");
	/* --bogus-priv. */
	assert_int_equal(why(d, t, "2.1.168.192.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NXDOMAIN);
	assert_detail("no record for 2.1.168.192.in-addr.arpa: private reverse range "
		      "168.192.in-addr.arpa not known here (--bogus-priv)");
	assert_int_equal(why(d, t, "1.168.192.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_NOERROR);
	assert_detail("no record for 1.168.192.in-addr.arpa: private reverse range "
		      "168.192.in-addr.arpa not known here (--bogus-priv); addresses below it may "
		      "be known, so NODATA");
	assert_int_equal(why(d, t, "3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_detail("no record for 3.0.10.in-addr.arpa: private reverse range 10.in-addr.arpa "
		      "not known here (--bogus-priv); names below it exist, so NODATA");
	assert_int_equal(why(d, t, "10.in-addr.arpa", DNS_T_SOA), DNS_LOCAL_ANSWER);
	assert_detail("SOA of private reverse range 10.in-addr.arpa (--bogus-priv), made up here");
	/* REFUSED: the class, zone transfers. */
	assert_int_equal(why_class(d, t, "c1.lxc", DNS_T_A, 3), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_REFUSED);
	assert_detail("class CH refused: local names exist in class IN only");
	assert_int_equal(why_class(d, t, "c1.lxc", DNS_T_A, 4), DNS_LOCAL_ANSWER);
	assert_detail("class HS refused: local names exist in class IN only");
	assert_int_equal(why_class(d, t, "c1.lxc", DNS_T_A, 254), DNS_LOCAL_ANSWER);
	assert_detail("class 254 refused: local names exist in class IN only");
	assert_int_equal(why(d, t, "lxc", DNS_T_AXFR), DNS_LOCAL_ANSWER);
	assert_int_equal(res.answer.rcode, DNS_R_REFUSED);
	assert_detail("zone transfer (AXFR) refused: none is offered");
	assert_int_equal(why(d, t, "lxc", 251), DNS_LOCAL_ANSWER);
	assert_detail("zone transfer (IXFR) refused: none is offered");
	dns_local_free(d);
	lease_table_free(t);
}

/* The apex of a zone leased is authoritative for: its SOA and NS, else NODATA. */
static void test_explain_domain_apex(void **state)
{
	struct dns_local *d = load(NULL, "domain=lxc\n"
				   "dhcp-range=10.0.3.2,10.0.3.254\n"
				   "mx-host=lxc,mail.lxc,10\n");

	(void)state;
	assert_int_equal(why(d, NULL, "lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("lxc has SOA, NS and MX records only (-s lxc; --mx-host at t.conf:3)");
	assert_int_equal(why(d, NULL, "3.0.10.in-addr.arpa", DNS_T_SOA), DNS_LOCAL_ANSWER);
	assert_detail("SOA of reverse zone 3.0.10.in-addr.arpa (--dhcp-range at t.conf:2), "
		      "made up here");
	assert_int_equal(why(d, NULL, "3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_detail("3.0.10.in-addr.arpa has SOA and NS records only (--dhcp-range at "
		      "t.conf:2)");
	assert_int_equal(why(d, NULL, "9.3.0.10.in-addr.arpa", DNS_T_PTR), DNS_LOCAL_ANSWER);
	assert_detail("no record for 9.3.0.10.in-addr.arpa in reverse zone 3.0.10.in-addr.arpa "
		      "(--dhcp-range at t.conf:2)");
	dns_local_free(d);
}

static void test_explain_forward(void **state)
{
	struct lease_table *t = lease_table_new();
	struct dns_local *d = load(NULL, "domain=lxc\n"
				   "server=/ext.corp/192.0.2.53\n"
				   "server=/lxc/192.0.2.54\n"
				   "server=/def.test/#\n"
				   "server=/v6.test/2001:db8::53\n");

	(void)state;
	assert_int_equal(why(d, t, "example.com", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_detail("not a local name: forwarded");
	assert_int_equal(nans(), 0);
	assert_int_equal(why(d, t, "www.ext.corp", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_detail("not a local name (-S /ext.corp/192.0.2.53 at t.conf:2): forwarded");
	assert_int_equal(why(d, t, "c9.lxc", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_detail("not a local name (-S /lxc/192.0.2.54 at t.conf:3): forwarded");
	assert_int_equal(why(d, t, "a.def.test", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_detail("not a local name (-S /def.test/# at t.conf:4): forwarded");
	assert_int_equal(why(d, t, "a.v6.test", DNS_T_A), DNS_LOCAL_FORWARD);
	assert_detail("not a local name (-S /v6.test/2001:db8::53 at t.conf:5): forwarded");
	assert_int_equal(why(d, t, "", DNS_T_NS), DNS_LOCAL_FORWARD);
	assert_detail("not a local name: forwarded");
	assert_int_equal(why_class(d, t, "version.bind", DNS_T_TXT, 3), DNS_LOCAL_FORWARD);
	assert_detail("not a local name: forwarded");
	/* A lease in a forwarded domain still answers here. */
	add_lease(t, "10.0.3.5", "c1", 1);
	assert_int_equal(why(d, t, "c1.lxc", DNS_T_A), DNS_LOCAL_ANSWER);
	assert_detail("lease of 00:16:3e:00:00:01 (c1), never expires");
	dns_local_free(d);
	lease_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lease_name_any_case),
		cmocka_unit_test(test_lease_without_domain),
		cmocka_unit_test(test_lease_other_types_nodata),
		cmocka_unit_test(test_lease_dual_stack),
		cmocka_unit_test(test_lease_names_v6),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_lease_ptr_and_removal),
		cmocka_unit_test(test_lease_beats_hosts),
		cmocka_unit_test(test_name_moves),
		cmocka_unit_test(test_lease_names),
		cmocka_unit_test(test_hosts_entry),
		cmocka_unit_test(test_single_label_rule),
		cmocka_unit_test(test_no_hosts),
		cmocka_unit_test(test_addn_hosts_directory_reload),
		cmocka_unit_test(test_addn_hosts_problems),
		cmocka_unit_test(test_expand_hosts),
		cmocka_unit_test(test_dhcp_host_names),
		cmocka_unit_test(test_host_record),
		cmocka_unit_test(test_address_domain),
		cmocka_unit_test(test_address_null),
		cmocka_unit_test(test_address_empty_and_local),
		cmocka_unit_test(test_domain_with_server),
		cmocka_unit_test(test_cname),
		cmocka_unit_test(test_srv_txt_mx_ptr),
		cmocka_unit_test(test_interface_name_missing),
		cmocka_unit_test(test_bogus_priv),
		cmocka_unit_test(test_local_ttl),
		cmocka_unit_test(test_class_and_transfers),
		cmocka_unit_test(test_result_limits),
		cmocka_unit_test(test_result_arena_full),
		cmocka_unit_test(test_empty_nonterminals),
		cmocka_unit_test(test_zone_apex),
		cmocka_unit_test(test_zone_choice),
		cmocka_unit_test(test_explain_off_leaves_detail_empty),
		cmocka_unit_test(test_explain_lease),
		cmocka_unit_test(test_explain_hosts_line),
		cmocka_unit_test(test_explain_cut),
		cmocka_unit_test(test_explain_config_records),
		cmocka_unit_test(test_explain_command_line),
		cmocka_unit_test(test_explain_cname),
		cmocka_unit_test(test_explain_negatives),
		cmocka_unit_test(test_explain_domain_apex),
		cmocka_unit_test(test_explain_forward),
	};

	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_remove);
}
