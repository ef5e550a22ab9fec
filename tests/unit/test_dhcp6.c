/*
 * test_dhcp6 — the DHCPv6 engine's decisions per message type (RFC 8415
 * as include/dhcp/dhcp6.h says where dnsmasq departs from it), on a lease
 * table and a fake clock, with messages built as clients send them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "conf/config.h"
#include "core/util.h"
#include "conf/hostdb.h"
#include "dhcp/dhcp6.h"
#include "lease/lease.h"

#define NOW 1800000000

static const uint8_t SERVER_DUID[] = { 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
/* DUID-LLT of MAC 02:00:00:00:00:0a, and another client's. */
static const uint8_t DUID_A[] = { 0, 1, 0, 1, 0x2c, 0xd5, 0x6a, 0x11, 2, 0, 0, 0, 0, 0x0a };
static const uint8_t DUID_B[] = { 0, 1, 0, 1, 0x2c, 0xd5, 0x6a, 0x11, 2, 0, 0, 0, 0, 0x0b };

struct fx {
	struct config cfg;
	struct lease_table *t;
	struct dhcp6_iface ifc;
	struct dhcp6_env env;
	struct dhcp6_result res;
	struct hostdb *hosts;    /* setup_hosts(), reload_hosts(); NULL: none */
};

static struct fx F;

static void setup_conf(const char *conf)
{
	struct error err = { 0 };

	memset(&F, 0, sizeof(F));
	config_init(&F.cfg);
	if (config_parse_text(&F.cfg, conf, strlen(conf), "test.conf", &err) < 0)
		fail_msg("config: %s", err.msg);
	F.t = lease_table_new();
	F.ifc.ifindex = 3;
	strcpy(F.ifc.name, "br0");
	inet_pton(AF_INET6, "fd42::1", &F.ifc.addrs[0]);
	F.ifc.prefixlens[0] = 64;
	F.ifc.naddrs = 1;
	F.env = (struct dhcp6_env){ .cfg = &F.cfg, .leases = F.t, .iface = &F.ifc,
				    .server_duid = SERVER_DUID,
				    .server_duid_len = sizeof(SERVER_DUID), .multicast = true,
				    .now = NOW };
}

static int setup(void **state)
{
	(void)state;
	setup_conf("dhcp-range=fd42::10,fd42::13,1h\ndomain=lxc\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hostdb_free(F.hosts);
	F.hosts = NULL;
	F.env.hosts = NULL;
	lease_table_free(F.t);
	config_free(&F.cfg);
	return 0;
}

static void load_hosts(void)
{
	struct error err = { 0 };

	F.hosts = hostdb_load(&F.cfg, &err);
	if (!F.hosts)
		fail_msg("hostdb: %s", err.msg);
	F.env.hosts = F.hosts;
}

/* A fresh world (an empty lease table) from conf, its reservations loaded. */
static void setup_hosts(const char *conf)
{
	teardown(NULL);
	setup_conf(conf);
	load_hosts();
}

/* A reload (SIGHUP): conf and its reservations replace the old ones, the leases stay. */
static void reload_hosts(const char *conf)
{
	struct error err = { 0 };

	hostdb_free(F.hosts);
	config_free(&F.cfg);
	config_init(&F.cfg);
	if (config_parse_text(&F.cfg, conf, strlen(conf), "t.conf", &err) < 0)
		fail_msg("config: %s", err.msg);
	load_hosts();
}

/* ---- building a client's message ---- */

struct ia_spec {
	uint32_t iaid;
	const char *addr; /* NULL: none */
};

struct msg_spec {
	uint8_t type;
	const uint8_t *duid;
	size_t duid_len;
	bool server_id;           /* ours */
	const uint8_t *other_server;
	bool rapid_commit;
	const char *fqdn;
	struct ia_spec ias[3];
	size_t nias;
	bool ia_ta;
	uint16_t oro[4];
	size_t noro;
};

static void send_msg(const struct msg_spec *m)
{
	uint8_t buf[DHCP6_MAX_PACKET];
	struct dhcp6_out o;
	static const uint8_t xid[3] = { 1, 2, 3 };

	dhcp6_out_init(&o, buf, sizeof(buf), m->type, xid);
	if (m->duid)
		dhcp6_put(&o, D6O_CLIENTID, m->duid, m->duid_len);
	if (m->server_id)
		dhcp6_put(&o, D6O_SERVERID, SERVER_DUID, sizeof(SERVER_DUID));
	if (m->other_server)
		dhcp6_put(&o, D6O_SERVERID, m->other_server, 14);
	if (m->rapid_commit)
		dhcp6_put(&o, D6O_RAPID_COMMIT, NULL, 0);
	if (m->noro) {
		size_t mark = dhcp6_open(&o, D6O_ORO);

		for (size_t i = 0; i < m->noro; i++)
			dhcp6_put_bytes(&o, (uint8_t[]){ (uint8_t)(m->oro[i] >> 8), (uint8_t)m->oro[i] }, 2);
		dhcp6_close(&o, mark);
	}
	if (m->fqdn) {
		size_t mark = dhcp6_open(&o, D6O_CLIENT_FQDN);

		dhcp6_put_bytes(&o, &(uint8_t){ 0 }, 1);
		assert_int_equal(dhcp6_put_name(&o, m->fqdn), 0);
		dhcp6_close(&o, mark);
	}
	for (size_t i = 0; i < m->nias; i++) {
		size_t mark = dhcp6_open(&o, m->ia_ta ? D6O_IA_TA : D6O_IA_NA);

		dhcp6_put_u32(&o, m->ias[i].iaid);
		if (!m->ia_ta) {
			dhcp6_put_u32(&o, 0);
			dhcp6_put_u32(&o, 0);
		}
		if (m->ias[i].addr) {
			struct in6_addr a;

			inet_pton(AF_INET6, m->ias[i].addr, &a);
			dhcp6_put_iaaddr(&o, &a, 0, 0, -1);
		}
		dhcp6_close(&o, mark);
	}
	assert_false(o.full);
	dhcp6_handle(&F.env, buf, o.len, &F.res);
}

/* ---- reading the reply ---- */

/* The n-th top-level option with code (body, length); NULL if absent. */
static const uint8_t *opt(const uint8_t *p, size_t len, uint16_t code, size_t n, size_t *olen)
{
	for (size_t off = 0; off + 4 <= len;) {
		uint16_t c = get_be16(p + off), l = get_be16(p + off + 2);

		assert_true(off + 4 + l <= len);
		if (c == code && n-- == 0) {
			*olen = l;
			return p + off + 4;
		}
		off += 4 + (size_t)l;
	}
	return NULL;
}

static const uint8_t *reply_opt(uint16_t code, size_t n, size_t *len)
{
	assert_int_equal(F.res.verdict, DHCP6_SEND);
	return opt(F.res.reply + 4, F.res.reply_len - 4, code, n, len);
}

/* What the reply's n-th IA_NA says. */
struct ia_seen {
	uint32_t iaid, t1, t2;
	size_t naddrs;
	char addrs[4][INET6_ADDRSTRLEN];
	uint32_t valid[4];
	int status; /* -1: none */
};

static struct ia_seen ia_in_reply(size_t n)
{
	struct ia_seen s = { .status = -1 };
	size_t len, alen, slen;
	const uint8_t *ia = reply_opt(D6O_IA_NA, n, &len), *a, *st;

	assert_non_null(ia);
	assert_true(len >= 12);
	s.iaid = get_be32(ia);
	s.t1 = get_be32(ia + 4);
	s.t2 = get_be32(ia + 8);
	for (size_t k = 0; (a = opt(ia + 12, len - 12, D6O_IAADDR, k, &alen)); k++) {
		assert_true(alen >= 24);
		inet_ntop(AF_INET6, a, s.addrs[k], sizeof(s.addrs[k]));
		s.valid[k] = get_be32(a + 20);
		s.naddrs++;
	}
	st = opt(ia + 12, len - 12, D6O_STATUS_CODE, 0, &slen);
	if (st)
		s.status = get_be16(st);
	return s;
}

static int top_status(void)
{
	size_t len;
	const uint8_t *st = reply_opt(D6O_STATUS_CODE, 0, &len);

	return st ? get_be16(st) : -1;
}

static const struct lease *lease_at(const char *a)
{
	struct lease_addr la;

	assert_true(lease_addr_parse(a, &la));
	return lease_by_addr(F.t, la);
}

/* ---- tests ---- */

static void test_solicit_advertise_then_request(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .ias = { { 7, NULL } }, .nias = 1 };
	struct ia_seen ia;
	char offered[INET6_ADDRSTRLEN];
	size_t len;
	const uint8_t *p;

	(void)state;
	send_msg(&m);
	assert_int_equal(F.res.reply_type, DHCP6_ADVERTISE);
	assert_false(F.res.lease_changed);
	assert_int_equal(lease_count(F.t), 0);
	p = reply_opt(D6O_SERVERID, 0, &len);
	assert_int_equal(len, sizeof(SERVER_DUID));
	assert_memory_equal(p, SERVER_DUID, len);
	p = reply_opt(D6O_CLIENTID, 0, &len);
	assert_memory_equal(p, DUID_A, sizeof(DUID_A));
	assert_null(reply_opt(D6O_PREFERENCE, 0, &len)); /* not authoritative */
	ia = ia_in_reply(0);
	assert_int_equal(ia.iaid, 7);
	assert_int_equal(ia.naddrs, 1);
	assert_int_equal(ia.valid[0], 3600);
	assert_int_equal(ia.t1, 1800);
	assert_int_equal(ia.t2, 2880);
	strcpy(offered, ia.addrs[0]);
	assert_true(strncmp(offered, "fd42::1", 7) == 0 && strlen(offered) == 8); /* ::10-::13 */
	/* DNS server and domain come with it. */
	p = reply_opt(D6O_DNS_SERVERS, 0, &len);
	assert_int_equal(len, 16);
	p = reply_opt(D6O_DOMAIN_LIST, 0, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "\3lxc\0", 5);

	/* The Request for it binds it. */
	m.type = DHCP6_REQUEST;
	m.server_id = true;
	m.ias[0].addr = offered;
	m.fqdn = "web.lxc";
	send_msg(&m);
	assert_int_equal(F.res.reply_type, DHCP6_REPLY);
	assert_true(F.res.lease_changed);
	ia = ia_in_reply(0);
	assert_string_equal(ia.addrs[0], offered);
	assert_int_equal(ia.status, -1);
	assert_non_null(lease_at(offered));
	assert_int_equal(lease_at(offered)->iaid, 7);
	assert_int_equal(lease_at(offered)->ia, LEASE_IA_NA);
	assert_int_equal(lease_at(offered)->expires, NOW + 3600);
	assert_string_equal(lease_at(offered)->hostname, "web");
	/* The MAC comes from the DUID-LLT: it ties the lease to the client's IPv4 one. */
	assert_int_equal(lease_at(offered)->hwlen, 6);
	assert_int_equal(lease_at(offered)->hwaddr[5], 0x0a);
	/* The same client soliciting again gets the same address back. */
	m = (struct msg_spec){ .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			       .ias = { { 7, NULL } }, .nias = 1 };
	send_msg(&m);
	assert_string_equal(ia_in_reply(0).addrs[0], offered);
}

static void test_rapid_commit_and_authoritative(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .rapid_commit = true, .ias = { { 1, NULL } }, .nias = 1 };
	size_t len;
	const uint8_t *p;

	(void)state;
	F.cfg.authoritative = true;
	send_msg(&m);
	assert_int_equal(F.res.reply_type, DHCP6_REPLY);
	assert_non_null(reply_opt(D6O_RAPID_COMMIT, 0, &len));
	assert_true(F.res.lease_changed);
	assert_int_equal(lease_count(F.t), 1);
	p = reply_opt(D6O_PREFERENCE, 0, &len);
	assert_int_equal(len, 1);
	assert_int_equal(p[0], 255);
}

/* Preference: one octet, as configured (beating --dhcp-authoritative's 255), else none. */
static void test_preference(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .ias = { { 1, NULL } }, .nias = 1 };
	struct dhcp_option o;
	struct error err = { 0 };
	size_t len;
	const uint8_t *p;

	(void)state;
	send_msg(&m);
	assert_int_equal(F.res.reply_type, DHCP6_ADVERTISE);
	assert_null(reply_opt(D6O_PREFERENCE, 0, &len));
	teardown(NULL);
	setup_conf("dhcp-range=fd42::10,fd42::13,1h\ndhcp-authoritative\n"
		   "dhcp-option=option6:preference,100\n");
	send_msg(&m);
	p = reply_opt(D6O_PREFERENCE, 0, &len);
	assert_non_null(p);
	assert_int_equal(len, 1);
	assert_int_equal(p[0], 100);
	assert_int_equal(config_parse_dhcp_option("option6:preference,256", false, "x.conf:1", &o,
						  &err), -1);
	assert_non_null(strstr(err.msg, "256"));
	assert_int_equal(config_parse_dhcp_option("option6:7,255", false, "x.conf:1", &o, &err), 0);
	assert_int_equal(o.len, 1);
	dhcp_option_free(&o);
}

/* Section 16: server-id rules; 18.4: unicast. */
static void test_discards_and_use_multicast(void **state)
{
	static const uint8_t other[14] = { 0, 1, 0, 1, 9, 9, 9, 9, 2, 0, 0, 0, 0, 0x99 };
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .ias = { { 1, NULL } }, .nias = 1 };

	(void)state;
	m.server_id = true; /* a Solicit naming a server */
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	m.server_id = false;
	m.duid = NULL; /* no client id */
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	m.duid = DUID_A;
	F.env.multicast = false; /* unicast Solicit */
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	m.type = DHCP6_REBIND;
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	m.type = DHCP6_REQUEST;
	m.server_id = true;
	send_msg(&m);
	assert_int_equal(top_status(), D6S_USE_MULTICAST);
	assert_int_equal(lease_count(F.t), 0);
	F.env.multicast = true;
	m.server_id = false;
	m.other_server = other; /* a Request for another server */
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	assert_int_equal(lease_count(F.t), 0);
}

static void test_two_ias_distinct_and_exhaustion(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .rapid_commit = true, .ias = { { 1, NULL }, { 2, NULL }, { 3, NULL } },
			      .nias = 3 };
	struct ia_seen a, b, c;

	(void)state;
	send_msg(&m);
	a = ia_in_reply(0);
	b = ia_in_reply(1);
	c = ia_in_reply(2);
	assert_string_not_equal(a.addrs[0], b.addrs[0]);
	assert_string_not_equal(b.addrs[0], c.addrs[0]);
	assert_string_not_equal(a.addrs[0], c.addrs[0]);
	assert_int_equal(lease_count(F.t), 3);
	/* Four addresses in the range: B gets the last, then nothing (NoAddrsAvail in the IA). */
	m = (struct msg_spec){ .type = DHCP6_SOLICIT, .duid = DUID_B, .duid_len = sizeof(DUID_B),
			       .rapid_commit = true, .ias = { { 1, NULL }, { 2, NULL } }, .nias = 2 };
	send_msg(&m);
	assert_int_equal(ia_in_reply(0).naddrs, 1);
	assert_int_equal(ia_in_reply(1).naddrs, 0);
	assert_int_equal(ia_in_reply(1).status, D6S_NO_ADDRS_AVAIL);
	assert_non_null(reply_opt(D6O_DNS_SERVERS, 0, &(size_t){ 0 })); /* options still (RFC 7550) */
}

static void test_request_for_anothers_address(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .rapid_commit = true, .ias = { { 1, NULL } }, .nias = 1 };
	char held[INET6_ADDRSTRLEN];

	(void)state;
	send_msg(&m);
	strcpy(held, ia_in_reply(0).addrs[0]);
	m = (struct msg_spec){ .type = DHCP6_REQUEST, .duid = DUID_B, .duid_len = sizeof(DUID_B),
			       .server_id = true, .ias = { { 1, held } }, .nias = 1 };
	send_msg(&m);
	assert_int_equal(ia_in_reply(0).status, D6S_NO_ADDRS_AVAIL);
	assert_int_equal(ia_in_reply(0).naddrs, 0);
	assert_memory_equal(lease_at(held)->client_id, DUID_A, sizeof(DUID_A));
}

static void test_renew_rebind(void **state)
{
	struct msg_spec m = { .type = DHCP6_RENEW, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .server_id = true, .ias = { { 1, "fd42::12" } }, .nias = 1 };
	struct ia_seen ia;

	(void)state;
	/* A binding the server lost (a fresh table), address appropriate: created. */
	send_msg(&m);
	ia = ia_in_reply(0);
	assert_int_equal(ia.naddrs, 1);
	assert_string_equal(ia.addrs[0], "fd42::12");
	assert_int_equal(ia.valid[0], 3600);
	assert_int_equal(ia.t1, 1800);
	assert_non_null(lease_at("fd42::12"));
	/* Later: extended. */
	F.env.now += 1000;
	send_msg(&m);
	assert_int_equal(lease_at("fd42::12")->expires, NOW + 1000 + 3600);
	/* Rebind (multicast, no server id) for an address no longer on the link:
	 * returned with lifetime 0, and a valid one offered. */
	m = (struct msg_spec){ .type = DHCP6_REBIND, .duid = DUID_B, .duid_len = sizeof(DUID_B),
			       .ias = { { 4, "fd99::5" } }, .nias = 1 };
	send_msg(&m);
	ia = ia_in_reply(0);
	assert_int_equal(ia.naddrs, 2);
	assert_string_equal(ia.addrs[0], "fd99::5");
	assert_int_equal(ia.valid[0], 0);
	assert_int_equal(ia.valid[1], 3600);
	assert_null(lease_at("fd99::5"));
	assert_non_null(lease_at(ia.addrs[1]));
}

static void test_release_and_decline(void **state)
{
	struct msg_spec m = { .type = DHCP6_REQUEST, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .server_id = true, .ias = { { 1, "fd42::11" }, { 2, "fd42::12" } },
			      .nias = 2 };

	(void)state;
	send_msg(&m);
	assert_int_equal(lease_count(F.t), 2);
	m.type = DHCP6_RELEASE;
	m.ias[1].iaid = 9; /* no binding for IAID 9 */
	send_msg(&m);
	assert_int_equal(top_status(), D6S_SUCCESS);
	assert_true(F.res.lease_changed);
	assert_null(lease_at("fd42::11"));
	assert_non_null(lease_at("fd42::12"));
	assert_int_equal(ia_in_reply(0).status, D6S_NO_BINDING);
	assert_int_equal(ia_in_reply(0).iaid, 9);
	/* The address asked about, lifetime 0, before the status (dnsmasq's layout, which
	 * dhcp_release6 reads). */
	assert_int_equal(ia_in_reply(0).naddrs, 1);
	assert_string_equal(ia_in_reply(0).addrs[0], "fd42::12");
	assert_int_equal(ia_in_reply(0).valid[0], 0);
	/* Decline: gone and held back. */
	m.type = DHCP6_DECLINE;
	m.ias[0] = (struct ia_spec){ 2, "fd42::12" };
	m.nias = 1;
	send_msg(&m);
	assert_int_equal(top_status(), D6S_SUCCESS);
	assert_null(lease_at("fd42::12"));
	assert_true(lease_is_quarantined(F.t, lease_addr6(&(struct in6_addr){ { {
		0xfd, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12 } } }), NOW));
}

static void test_confirm(void **state)
{
	struct msg_spec m = { .type = DHCP6_CONFIRM, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .ias = { { 1, "fd42::11" } }, .nias = 1 };

	(void)state;
	send_msg(&m);
	assert_int_equal(top_status(), D6S_SUCCESS);
	m.ias[0].addr = "fd99::11";
	send_msg(&m);
	assert_int_equal(top_status(), D6S_NOT_ON_LINK);
	m.ias[0].addr = NULL; /* no addresses: no reply */
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
}

static void test_information_request_and_modes(void **state)
{
	struct msg_spec m = { .type = DHCP6_INFORMATION_REQUEST, .duid = DUID_A,
			      .duid_len = sizeof(DUID_A) };
	size_t len;

	(void)state;
	send_msg(&m);
	assert_int_equal(F.res.reply_type, DHCP6_REPLY);
	assert_non_null(reply_opt(D6O_DNS_SERVERS, 0, &len));
	assert_null(reply_opt(D6O_IA_NA, 0, &len));
	m.ias[0] = (struct ia_spec){ 1, NULL };
	m.nias = 1; /* with an IA: discarded (RFC 8415 16.12) */
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	teardown(NULL);

	/* ra-stateless: configuration only, no addresses. */
	setup_conf("dhcp-range=::,constructor:br0,ra-stateless\n");
	m.nias = 0;
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_SEND);
	m = (struct msg_spec){ .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			       .ias = { { 1, NULL } }, .nias = 1 };
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	teardown(NULL);

	/* ra-only: no DHCPv6 at all. */
	setup_conf("dhcp-range=fd42::1,ra-only\n");
	m = (struct msg_spec){ .type = DHCP6_INFORMATION_REQUEST, .duid = DUID_A,
			       .duid_len = sizeof(DUID_A) };
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	teardown(NULL);

	/* A range for another link: nothing here. */
	setup_conf("dhcp-range=fd77::10,fd77::20\n");
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	teardown(NULL);
	setup(NULL);
}

/* constructor: the interface's prefix with the range's host part. */
static void test_constructor_range(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .rapid_commit = true, .ias = { { 1, NULL } }, .nias = 1 };

	(void)state;
	teardown(NULL);
	setup_conf("dhcp-range=::100,::100,constructor:br0,64,2h\n");
	send_msg(&m);
	assert_string_equal(ia_in_reply(0).addrs[0], "fd42::100");
	assert_int_equal(ia_in_reply(0).valid[0], 7200);
}

/* --dhcp-option=option6:...: DNS servers with [::] for this link, the domain list, asked-for ones. */
static void test_configured_options(void **state)
{
	struct msg_spec m = { .type = DHCP6_INFORMATION_REQUEST, .duid = DUID_A,
			      .duid_len = sizeof(DUID_A) };
	size_t len;
	const uint8_t *p;
	char a[INET6_ADDRSTRLEN];

	(void)state;
	teardown(NULL);
	setup_conf("dhcp-range=fd42::10,fd42::13\ndomain=lxc\n"
		   "dhcp-option-force=option6:dns-server,[::],[fd99::53]\n"
		   "dhcp-option=option6:domain-search,corp.example\n"
		   "dhcp-option=option6:sntp-server,[fd42::7]\n"
		   "dhcp-option=tag:eth9,option6:sip-server,[fd42::9]\n"
		   "dhcp-option=tag:br0,option6:nis-server,[fd42::8]\n");
	send_msg(&m);
	p = reply_opt(D6O_DNS_SERVERS, 0, &len);
	assert_int_equal(len, 32);
	assert_string_equal(inet_ntop(AF_INET6, p, a, sizeof(a)), "fd42::1"); /* [::]: ours */
	assert_string_equal(inet_ntop(AF_INET6, p + 16, a, sizeof(a)), "fd99::53");
	p = reply_opt(D6O_DOMAIN_LIST, 0, &len);
	assert_int_equal(len, 14);
	assert_memory_equal(p, "\4corp\7example\0", 14);
	assert_null(reply_opt(31, 0, &len));            /* not asked for */
	m.oro[0] = 31;
	m.oro[1] = 22;
	m.oro[2] = 27;
	m.noro = 3;
	send_msg(&m);
	assert_non_null(reply_opt(31, 0, &len));        /* asked for */
	assert_null(reply_opt(22, 0, &len));            /* tag eth9 is not set here */
	assert_non_null(reply_opt(27, 0, &len));        /* tag br0, the interface: set */
}

/* T1/T2: half and four fifths of the lifetime, or option6:T1/T2, never past it nor T1 past T2. */
static void test_timers(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .rapid_commit = true, .ias = { { 1, NULL } }, .nias = 1 };
	struct ia_seen ia;

	(void)state;
	send_msg(&m);
	ia = ia_in_reply(0);
	assert_int_equal(ia.t1, 1800);
	assert_int_equal(ia.t2, 2880);
	teardown(NULL);
	setup_conf("dhcp-range=fd42::10,fd42::13,1h\n"
		   "dhcp-option=option6:T1,10m\ndhcp-option=option6:T2,20m\n");
	send_msg(&m);
	ia = ia_in_reply(0);
	assert_int_equal(ia.t1, 600);
	assert_int_equal(ia.t2, 1200);
	assert_null(reply_opt(DHCP6_OPT_T1, 0, &(size_t){ 0 })); /* never sent as options */
	teardown(NULL);
	setup_conf("dhcp-range=fd42::10,fd42::13,1h\n"
		   "dhcp-option=option6:T1,50m\ndhcp-option=option6:T2,2h\n");
	send_msg(&m);
	ia = ia_in_reply(0);
	assert_int_equal(ia.t2, 3600); /* not past the lifetime */
	assert_int_equal(ia.t1, 3000);
	teardown(NULL);
	setup_conf("dhcp-range=fd42::10,fd42::13,1h\n"
		   "dhcp-option=option6:T1,40m\ndhcp-option=option6:T2,30m\n");
	send_msg(&m);
	ia = ia_in_reply(0);
	assert_int_equal(ia.t2, 1800);
	assert_int_equal(ia.t1, 1800); /* not past T2 */
}

/* The tags DHCPv4 sets, on DHCPv6 too: the range's set:, "known", the reservation's set:. */
static void test_option_tags(void **state)
{
	struct msg_spec m = { .type = DHCP6_INFORMATION_REQUEST, .duid = DUID_A,
			      .duid_len = sizeof(DUID_A), .oro = { 22, 27, 28, 31 }, .noro = 4 };
	size_t len;
	const uint8_t *p;
	char a[INET6_ADDRSTRLEN];

	(void)state;
	setup_hosts("dhcp-range=set:lab,fd42::10,fd42::13\n"
		    "dhcp-host=02:00:00:00:00:0a,set:web\n"
		    "dhcp-option=option6:dns-server,[fd99::1]\n"
		    "dhcp-option=tag:lab,option6:dns-server,[fd99::2]\n"
		    "dhcp-option=tag:lab,option6:sntp-server,[fd42::31]\n"
		    "dhcp-option=tag:known,option6:sip-server,[fd42::22]\n"
		    "dhcp-option=tag:web,option6:nis-server,[fd42::27]\n"
		    "dhcp-option=tag:!known,option6:nis+-server,[fd42::28]\n");
	send_msg(&m);
	p = reply_opt(D6O_DNS_SERVERS, 0, &len);
	assert_int_equal(len, 16);
	assert_string_equal(inet_ntop(AF_INET6, p, a, sizeof(a)), "fd99::2"); /* tagged wins */
	assert_non_null(reply_opt(31, 0, &len));
	assert_non_null(reply_opt(22, 0, &len));
	assert_non_null(reply_opt(27, 0, &len));
	assert_null(reply_opt(28, 0, &len));
	/* B has no reservation: not known, no set:web. */
	m.duid = DUID_B;
	send_msg(&m);
	assert_non_null(reply_opt(31, 0, &len));
	assert_null(reply_opt(22, 0, &len));
	assert_null(reply_opt(27, 0, &len));
	assert_non_null(reply_opt(28, 0, &len));
}

static const uint8_t DUID_C[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 0x0c };  /* DUID-LL */
static const uint8_t DUID_D[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 0x0d };

/* Reservations: by the DUID's MAC, by id:, host part only, ignore; never given to another. */
static bool superseded_cb(void *env, const struct lease *l)
{
	return dhcp6_lease_superseded(env, l);
}

static void test_reservations(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .rapid_commit = true, .ias = { { 1, NULL } }, .nias = 1 };

	(void)state;
	setup_hosts("dhcp-range=fd42::10,fd42::13,1h\n"
		    "dhcp-host=02:00:00:00:00:0a,[fd42::99],web,2h\n"
		    "dhcp-host=id:00:01:00:01:2c:d5:6a:11:02:00:00:00:00:0b,[::12],db\n"
		    "dhcp-host=02:00:00:00:00:0c,ignore\n");
	/* A: its MAC is in its DUID-LLT; the address is outside the dynamic range but on the link. */
	send_msg(&m);
	assert_string_equal(ia_in_reply(0).addrs[0], "fd42::99");
	assert_int_equal(ia_in_reply(0).valid[0], 7200);
	assert_string_equal(lease_at("fd42::99")->hostname, "web");
	/* A Renew of it stays appropriate though outside the range. */
	m = (struct msg_spec){ .type = DHCP6_RENEW, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			       .server_id = true, .ias = { { 1, "fd42::99" } }, .nias = 1 };
	send_msg(&m);
	assert_int_equal(ia_in_reply(0).naddrs, 1);
	assert_int_equal(ia_in_reply(0).valid[0], 7200);
	/* B by id:DUID, "[::12]": the host part on this link's prefix; the name reserved beats its FQDN. */
	m = (struct msg_spec){ .type = DHCP6_SOLICIT, .duid = DUID_B, .duid_len = sizeof(DUID_B),
			       .rapid_commit = true, .fqdn = "other", .ias = { { 1, NULL } },
			       .nias = 1 };
	send_msg(&m);
	assert_string_equal(ia_in_reply(0).addrs[0], "fd42::12");
	assert_string_equal(lease_at("fd42::12")->hostname, "db");
	lease_remove(F.t, lease_at("fd42::12")->addr, LEASE_EV_RELEASED);
	/* D takes the whole dynamic range but never B's reserved ::12, even while B holds nothing. */
	m = (struct msg_spec){ .type = DHCP6_SOLICIT, .duid = DUID_D, .duid_len = sizeof(DUID_D),
			       .rapid_commit = true,
			       .ias = { { 1, NULL }, { 2, NULL }, { 3, NULL } }, .nias = 3 };
	send_msg(&m);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(ia_in_reply(i).naddrs, 1);
		assert_string_not_equal(ia_in_reply(i).addrs[0], "fd42::12");
	}
	m.ias[0].iaid = 4;
	m.nias = 1;
	send_msg(&m);
	assert_int_equal(ia_in_reply(0).status, D6S_NO_ADDRS_AVAIL);
	/* C: "ignore". */
	m = (struct msg_spec){ .type = DHCP6_SOLICIT, .duid = DUID_C, .duid_len = sizeof(DUID_C),
			       .ias = { { 1, NULL } }, .nias = 1 };
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_DROP);
	/* A's reservation changes (the hostsfile edited, then SIGHUP): its next Renew gets the
	 * old address back with lifetime 0 and the new reserved one. */
	setup_hosts("dhcp-range=fd42::10,fd42::13,1h\n"
		    "dhcp-host=02:00:00:00:00:0a,[fd42::98],web\n");
	m = (struct msg_spec){ .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			       .rapid_commit = true, .ias = { { 1, NULL } }, .nias = 1 };
	send_msg(&m);
	assert_string_equal(ia_in_reply(0).addrs[0], "fd42::98");
	reload_hosts("dhcp-range=fd42::10,fd42::13,1h\n"
		     "dhcp-host=02:00:00:00:00:0a,[fd42::97],web\n");
	/* The reload finds the lease superseded: its name leaves DNS at once, the address stays. */
	m = (struct msg_spec){ .type = DHCP6_SOLICIT, .duid = DUID_B, .duid_len = sizeof(DUID_B),
			       .rapid_commit = true, .fqdn = "b", .ias = { { 1, NULL } }, .nias = 1 };
	send_msg(&m); /* B: a dynamic lease the change does not touch */
	assert_true(dhcp6_lease_superseded(&F.env, lease_at("fd42::98")));
	assert_false(dhcp6_lease_superseded(&F.env, lease_at(ia_in_reply(0).addrs[0])));
	assert_int_equal(lease_unname_if(F.t, AF_INET6, superseded_cb, &F.env), 1);
	assert_string_equal(lease_at("fd42::98")->hostname, "");
	assert_string_equal(lease_at(ia_in_reply(0).addrs[0])->hostname, "b");
	m = (struct msg_spec){ .type = DHCP6_RENEW, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			       .server_id = true, .ias = { { 1, "fd42::98" } }, .nias = 1 };
	send_msg(&m);
	assert_int_equal(ia_in_reply(0).naddrs, 2);
	assert_string_equal(ia_in_reply(0).addrs[0], "fd42::98");
	assert_int_equal(ia_in_reply(0).valid[0], 0);
	assert_string_equal(ia_in_reply(0).addrs[1], "fd42::97");
	assert_int_equal(ia_in_reply(0).valid[1], 3600);
	assert_null(lease_at("fd42::98")); /* the client's one IA_NA moved */
}

/*
 * libvirt's two lines for one VM: "MAC,IPv4,NAME" and "NAME,[IPv6]".  A
 * client whose DUID-LLT carries the MAC still gets the IPv6 reservation
 * (found by name), and the IPv4 engine the IPv4 one (found by MAC).
 */
static void test_two_line_reservation(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .rapid_commit = true, .fqdn = "vm1", .ias = { { 1, NULL } }, .nias = 1 };

	(void)state;
	setup_hosts("dhcp-range=fd42::10,fd42::13,1h\n"
		    "dhcp-host=02:00:00:00:00:0a,10.0.3.10,vm1\n"
		    "dhcp-host=vm1,[fd42::77]\n");
	send_msg(&m);
	assert_string_equal(ia_in_reply(0).addrs[0], "fd42::77");
	assert_string_equal(lease_at("fd42::77")->hostname, "vm1");
	assert_true(hostdb_by_mac(F.hosts, (const uint8_t *)"\x02\0\0\0\0\x0a")->has_ip);
	assert_true(hostdb_by_name_for(F.hosts, AF_INET6, "vm1")->has_ip6);
	assert_true(hostdb_by_name(F.hosts, "vm1")->has_ip);
}

/* libvirt's "PREFIX::,static": reserved clients get their addresses, others none. */
static void test_static_range(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .rapid_commit = true, .ias = { { 1, NULL } }, .nias = 1 };

	(void)state;
	setup_hosts("dhcp-range=fd42::,static,64,2h\n"
		    "dhcp-host=02:00:00:00:00:0a,[::99]\n");
	send_msg(&m);
	assert_string_equal(ia_in_reply(0).addrs[0], "fd42::99");
	assert_int_equal(ia_in_reply(0).valid[0], 7200);
	m.duid = DUID_B;
	send_msg(&m);
	assert_int_equal(F.res.verdict, DHCP6_SEND);
	assert_int_equal(ia_in_reply(0).naddrs, 0);
	assert_int_equal(ia_in_reply(0).status, D6S_NO_ADDRS_AVAIL);
	/* Nor can it ask for the prefix's first address, nor any other. */
	m.ias[0].addr = "fd42::";
	send_msg(&m);
	assert_int_equal(ia_in_reply(0).status, D6S_NO_ADDRS_AVAIL);
}

static void test_reservation_conflicts(void **state)
{
	struct config cfg;
	struct error err = { 0 };
	const char *conf = "dhcp-host=02:00:00:00:00:0a,[fd42::5]\n"
			   "dhcp-host=02:00:00:00:00:0b,[fd42::5]\n";

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_parse_text(&cfg, conf, strlen(conf), "x.conf", &err), 0);
	assert_null(hostdb_load(&cfg, &err));
	assert_non_null(strstr(err.msg, "reserves fd42::5, already reserved for another client"));
	assert_non_null(strstr(err.msg, "x.conf:2"));
	config_free(&cfg);
	config_init(&cfg);
	conf = "dhcp-host=02:00:00:00:00:0a,[fd42::5],[fd42::6]\n";
	assert_int_equal(config_parse_text(&cfg, conf, strlen(conf), "x.conf", &err), -1);
	assert_non_null(strstr(err.msg, "two IPv6 addresses"));
	config_free(&cfg);
}

/* A DUID without a MAC (DUID-EN): the packet's MAC ties the lease to the client's IPv4 one. */
static void test_mac_from_the_packet(void **state)
{
	static const uint8_t duid_en[] = { 0, 2, 0, 0, 0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x0e };
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = duid_en, .duid_len = sizeof(duid_en),
			      .rapid_commit = true, .fqdn = "web", .ias = { { 1, NULL } }, .nias = 1 };
	struct in6_addr ll, other;
	uint8_t got[6];
	struct lease v4;

	(void)state;
	/* fe80::ff:fe00:e is 02:00:00:00:00:0e's (the U/L bit flipped); a privacy address is no MAC. */
	inet_pton(AF_INET6, "fe80::ff:fe00:e", &ll);
	assert_true(dhcp6_eui64_mac(&ll, got));
	assert_memory_equal(got, mac, 6);
	inet_pton(AF_INET6, "fe80::1c2b:99ff:1234:5678", &other);
	assert_false(dhcp6_eui64_mac(&other, got));
	/* The client's IPv4 lease is named web; its IPv6 grant keeps the name on both. */
	memset(&v4, 0, sizeof(v4));
	assert_true(lease_addr_parse("10.0.3.9", &v4.addr));
	v4.htype = 1;
	v4.hwlen = 6;
	memcpy(v4.hwaddr, mac, 6);
	strcpy(v4.hostname, "web");
	v4.expires = NOW + 3600;
	assert_int_equal(lease_commit(F.t, &v4, LEASE_EV_GRANTED), 0);
	F.env.src_hw = got;
	memcpy(got, mac, 6);
	F.env.src_hwlen = 6;
	send_msg(&m);
	assert_int_equal(lease_at(ia_in_reply(0).addrs[0])->hwlen, 6);
	assert_string_equal(lease_at("10.0.3.9")->hostname, "web"); /* not taken: one client */
	assert_string_equal(lease_at(ia_in_reply(0).addrs[0])->hostname, "web");
}

static void test_ia_ta_not_served(void **state)
{
	struct msg_spec m = { .type = DHCP6_SOLICIT, .duid = DUID_A, .duid_len = sizeof(DUID_A),
			      .ia_ta = true, .ias = { { 1, NULL } }, .nias = 1 };
	size_t len;
	const uint8_t *ta;

	(void)state;
	send_msg(&m);
	ta = reply_opt(D6O_IA_TA, 0, &len);
	assert_non_null(ta);
	assert_non_null(opt(ta + 4, len - 4, D6O_STATUS_CODE, 0, &len));
	assert_int_equal(lease_count(F.t), 0);
}

/* Garbage changes nothing and sends nothing. */
static void test_garbage(void **state)
{
	uint8_t junk[64];

	(void)state;
	for (size_t n = 0; n < sizeof(junk); n++) {
		memset(junk, (int)n, sizeof(junk));
		junk[0] = DHCP6_REQUEST;
		dhcp6_handle(&F.env, junk, n, &F.res);
		assert_int_equal(F.res.verdict, DHCP6_DROP);
	}
	assert_int_equal(lease_count(F.t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_solicit_advertise_then_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rapid_commit_and_authoritative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discards_and_use_multicast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_ias_distinct_and_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_for_anothers_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_renew_rebind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_and_decline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confirm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_information_request_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constructor_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_option_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reservations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_line_reservation, setup, teardown),
		cmocka_unit_test(test_reservation_conflicts),
		cmocka_unit_test_setup_teardown(test_mac_from_the_packet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ia_ta_not_served, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
