/*
 * test_ra — what an RA says per --dhcp-range mode and --ra-param
 * (ra_plan), its bytes (ra_build), router solicitations (ra_parse_rs),
 * and --ra-param's parser.
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
#include "ra/ra.h"

struct env {
	struct config cfg;
	struct nl_iface ifc;
};

static struct env E;

/* cfg from conf-file text; ifc = br0, up, MTU 1500, MAC 02:..:01, fe80::1 and addrs. */
static void setup_env(const char *conf, const char *const *addrs)
{
	struct error err = { 0 };
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };

	memset(&E, 0, sizeof(E));
	config_init(&E.cfg);
	if (config_parse_text(&E.cfg, conf, strlen(conf), "test.conf", &err) < 0)
		fail_msg("config: %s", err.msg);
	strcpy(E.ifc.name, "br0");
	E.ifc.ifindex = 3;
	E.ifc.up = true;
	E.ifc.mtu = 1500;
	memcpy(E.ifc.hwaddr, mac, 6);
	E.ifc.hwlen = 6;
	inet_pton(AF_INET6, "fe80::1", &E.ifc.addrs6[0].addr);
	E.ifc.addrs6[0].prefixlen = 64;
	E.ifc.naddrs6 = 1;
	for (size_t i = 0; addrs && addrs[i]; i++) {
		char a[64];
		unsigned len;
		struct nl_addr6 *x = &E.ifc.addrs6[E.ifc.naddrs6++];

		assert_int_equal(sscanf(addrs[i], "%63[^/]/%u", a, &len), 2);
		assert_int_equal(inet_pton(AF_INET6, a, &x->addr), 1);
		x->prefixlen = (uint8_t)len;
	}
}

static int teardown(void **state)
{
	(void)state;
	config_free(&E.cfg);
	return 0;
}

static void assert_addr6(const struct in6_addr *a, const char *want)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, text, sizeof(text));
	assert_string_equal(text, want);
}

static const char *const ULA[] = { "fd42::1/64", NULL };

/* Each mode's M, O and A, as dnsmasq sets them. */
static void test_modes(void **state)
{
	static const struct {
		const char *conf;
		bool sent, m, o, a;
	} cases[] = {
		{ "dhcp-range=fd42::10,fd42::20\n", false, false, false, false },
		{ "enable-ra\ndhcp-range=fd42::10,fd42::20\n", true, true, true, false },
		{ "dhcp-range=fd42::10,fd42::20,slaac\n", true, true, true, true },
		{ "dhcp-range=fd42::10,fd42::20,ra-names\n", true, true, true, true },
		{ "dhcp-range=fd42::,ra-stateless\n", true, false, true, true },
		{ "dhcp-range=fd42::1,ra-only\n", true, false, false, true },
	};
	struct ra_message m;
	struct ra_timing t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup_env(cases[i].conf, ULA);
		assert_int_equal(ra_plan(&E.cfg, &E.ifc, &m, &t), cases[i].sent);
		if (cases[i].sent) {
			assert_int_equal(m.managed, cases[i].m);
			assert_int_equal(m.other, cases[i].o);
			assert_int_equal(m.nprefixes, 1);
			assert_addr6(&m.prefixes[0].prefix, "fd42::");
			assert_int_equal(m.prefixes[0].len, 64);
			assert_int_equal(m.prefixes[0].autonomous, cases[i].a);
			assert_int_equal(m.prefixes[0].valid, 3600);
			assert_int_equal(t.interval, 600);
			assert_int_equal(m.router_lifetime, 1800);
			assert_int_equal(m.mtu, 1500);
			assert_int_equal(m.src_hwlen, 6);
		}
		teardown(NULL);
	}
}

/* A range speaks only where the interface holds an address in its prefix. */
static void test_range_needs_the_prefix_on_the_interface(void **state)
{
	static const char *const other[] = { "fd99::1/64", NULL };
	struct ra_message m;
	struct ra_timing t;

	(void)state;
	setup_env("dhcp-range=fd42::1,ra-only\n", other);
	assert_false(ra_plan(&E.cfg, &E.ifc, &m, &t));
	teardown(NULL);
	setup_env("dhcp-range=fd42::1,ra-only\n", NULL); /* link-local only */
	assert_false(ra_plan(&E.cfg, &E.ifc, &m, &t));
	teardown(NULL);
}

/* constructor: every global prefix of the named interface; others get nothing. */
static void test_constructor(void **state)
{
	static const char *const two[] = { "fd42::1/64", "2001:db8:5::9/64", "fd43::1/56", NULL };
	struct ra_message m;
	struct ra_timing t;

	(void)state;
	setup_env("enable-ra\ndhcp-range=::,constructor:br0,ra-stateless,ra-names\n", two);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(m.nprefixes, 3);
	assert_addr6(&m.prefixes[0].prefix, "fd42::");
	assert_addr6(&m.prefixes[1].prefix, "2001:db8:5::");
	assert_true(m.prefixes[1].autonomous);
	assert_addr6(&m.prefixes[2].prefix, "fd43::");
	assert_int_equal(m.prefixes[2].len, 56);
	assert_false(m.prefixes[2].autonomous); /* SLAAC needs a /64 */
	assert_false(m.managed);
	assert_true(m.other);
	teardown(NULL);
	setup_env("dhcp-range=::,constructor:lxdbr*,ra-only\n", two);
	assert_false(ra_plan(&E.cfg, &E.ifc, &m, &t)); /* br0 is not lxdbr* */
	teardown(NULL);
	setup_env("dhcp-range=::,constructor:br*,ra-only\n", two);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	teardown(NULL);
}

/* RDNSS names only an address DNS answers on. */
static void test_rdnss(void **state)
{
	static const char *const two[] = { "fd42::1/64", "fd42::2/64", NULL };
	struct ra_message m;
	struct ra_timing t;

	(void)state;
	setup_env("dhcp-range=fd42::1,ra-only\nlisten-address=fd42::2\ndomain=lxc\n", two);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(m.nrdnss, 1);
	assert_addr6(&m.rdnss[0], "fd42::2");
	assert_int_equal(m.dns_lifetime, 1800);
	assert_string_equal(m.domain, "lxc");
	teardown(NULL);
	setup_env("dhcp-range=fd42::1,ra-only\nlisten-address=10.0.0.1\n", two);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(m.nrdnss, 0);
	teardown(NULL);
	setup_env("dhcp-range=fd42::1,ra-only\n", two); /* wildcard DNS: the first global */
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(m.nrdnss, 1);
	assert_addr6(&m.rdnss[0], "fd42::1");
	teardown(NULL);
	setup_env("dhcp-range=fd42::1,ra-only\nport=0\n", two);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(m.nrdnss, 0);
	teardown(NULL);
	/* LXD's option6:dns-server: [::] is ours; an address DNS does not answer on is left out. */
	setup_env("dhcp-range=fd42::1,ra-only\nlisten-address=fd42::2\n"
		  "dhcp-option-force=option6:dns-server,[fd99::53],[::],[fd42::2]\n", two);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(m.nrdnss, 1); /* fd42::2, once */
	assert_addr6(&m.rdnss[0], "fd42::2");
	teardown(NULL);
	setup_env("dhcp-range=fd42::1,ra-only\n"
		  "dhcp-option=option6:dns-server,[fd42::2],[fd42::1]\n", two);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(m.nrdnss, 2); /* wildcard DNS: both of the interface's addresses */
	assert_addr6(&m.rdnss[0], "fd42::2");
	assert_addr6(&m.rdnss[1], "fd42::1");
	teardown(NULL);
}

static void test_ra_param(void **state)
{
	struct ra_message m;
	struct ra_timing t;

	(void)state;
	setup_env("dhcp-range=fd42::1,ra-only\nra-param=*,0,0\n", ULA); /* libvirt */
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(m.router_lifetime, 0);
	assert_int_equal(t.interval, 600);
	teardown(NULL);
	setup_env("dhcp-range=fd42::1,ra-only\nra-param=eth9,low,10\n"
		  "ra-param=br0,mtu:1400,high,60,300\n", ULA);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(t.interval, 60);
	assert_int_equal(m.router_lifetime, 300);
	assert_int_equal(m.mtu, 1400);
	assert_int_equal(m.preference, RA_PREF_HIGH);
	teardown(NULL);
	setup_env("dhcp-range=fd42::1,ra-only\nra-param=br0,mtu:off,low,20\n", ULA);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	assert_int_equal(m.mtu, 0);
	assert_int_equal(m.router_lifetime, 60);
	assert_int_equal(m.preference, RA_PREF_LOW);
	teardown(NULL);
}

static void test_ra_param_errors(void **state)
{
	static const char *const bad[] = { "br0", "br0,mtu:100,30", "br0,mtu:eth1,30",
					   "br0,middle,30", "br0,2", "br0,30,9001",
					   "br0,30,100,7", "bad/name,30" };
	struct ra_param p;
	struct error err = { 0 };

	(void)state;
	assert_int_equal(config_parse_ra_param("*,0,0", "x.conf:1", &p, &err), 0);
	ra_param_free(&p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(config_parse_ra_param(bad[i], "x.conf:3", &p, &err), -1);
		assert_non_null(strstr(err.msg, "ra-param"));
		assert_non_null(strstr(err.msg, "x.conf:3"));
		assert_int_equal(err.status, EXIT_CONFIG);
	}
}

/* The bytes: header, then source link-layer, MTU, prefix, RDNSS, DNSSL. */
static void test_build(void **state)
{
	struct ra_message m;
	struct ra_timing t;
	uint8_t b[RA_PACKET_MAX];
	static const uint8_t dnssl[] = { 31, 2, 0, 0, 0, 0, 0x07, 0x08, 3, 'l', 'x', 'c', 0, 0, 0, 0 };
	int n;

	(void)state;
	setup_env("dhcp-range=fd42::1,ra-stateless\nlisten-address=fd42::1\ndomain=lxc\n", ULA);
	assert_true(ra_plan(&E.cfg, &E.ifc, &m, &t));
	n = ra_build(&m, b, sizeof(b));
	assert_int_equal(n, 16 + 8 + 8 + 32 + 24 + 16);
	assert_int_equal(b[0], 134);
	assert_int_equal(b[4], 64);
	assert_int_equal(b[5], 0x40);               /* O only, preference medium */
	assert_int_equal(b[6] << 8 | b[7], 1800);
	assert_int_equal(b[16], 1);                 /* source link-layer address */
	assert_int_equal(b[17], 1);
	assert_int_equal(b[23], 1);
	assert_int_equal(b[24], 5);                 /* MTU */
	assert_int_equal(b[30] << 8 | b[31], 1500);
	assert_int_equal(b[32], 3);                 /* prefix */
	assert_int_equal(b[33], 4);
	assert_int_equal(b[34], 64);
	assert_int_equal(b[35], 0xc0);              /* L and A */
	assert_int_equal(b[36] << 24 | b[37] << 16 | b[38] << 8 | b[39], 3600);
	assert_int_equal(b[48], 0xfd);
	assert_int_equal(b[49], 0x42);
	assert_int_equal(b[64], 25);                /* RDNSS */
	assert_int_equal(b[65], 3);
	assert_int_equal(b[68] << 24 | b[69] << 16 | b[70] << 8 | b[71], 1800);
	assert_int_equal(b[72], 0xfd);
	assert_int_equal(b[87], 1);
	assert_memory_equal(b + 88, dnssl, sizeof(dnssl));
	/* Too small a buffer: refused, never a cut message. */
	assert_int_equal(ra_build(&m, b, 60), -1);
	/* Preference high, M: the flag bits. */
	m.managed = true;
	m.preference = RA_PREF_HIGH;
	assert_true(ra_build(&m, b, sizeof(b)) > 0);
	assert_int_equal(b[5], 0x80 | 0x40 | 0x08);
	teardown(NULL);
}

static void test_parse_rs(void **state)
{
	uint8_t rs[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0, 9 };
	uint8_t many[8 + 65 * 8] = { 133 };
	struct ra_solicit out;
	const char *why = NULL;

	(void)state;
	assert_int_equal(ra_parse_rs(rs, sizeof(rs), false, &out, &why), 0);
	assert_true(out.has_src_hw);
	assert_int_equal(out.src_hwlen, 6);
	assert_int_equal(out.src_hw[5], 9);
	assert_int_equal(ra_parse_rs(rs, 8, true, &out, &why), 0); /* no options, from :: */
	/* A source link-layer address from :: is invalid (RFC 4861 6.1.1). */
	assert_int_equal(ra_parse_rs(rs, sizeof(rs), true, &out, &why), -1);
	assert_non_null(strstr(why, "unspecified"));
	assert_int_equal(ra_parse_rs(rs, 7, false, &out, &why), -1);
	rs[0] = 134;
	assert_int_equal(ra_parse_rs(rs, sizeof(rs), false, &out, &why), -1);
	rs[0] = 133;
	rs[1] = 1; /* code must be 0 */
	assert_int_equal(ra_parse_rs(rs, sizeof(rs), false, &out, &why), -1);
	rs[1] = 0;
	rs[9] = 0; /* option length 0 */
	assert_int_equal(ra_parse_rs(rs, sizeof(rs), false, &out, &why), -1);
	assert_non_null(strstr(why, "length 0"));
	rs[9] = 2; /* runs past the end */
	assert_int_equal(ra_parse_rs(rs, sizeof(rs), false, &out, &why), -1);
	assert_non_null(strstr(why, "past the end"));
	for (size_t i = 8; i < sizeof(many); i += 8)
		many[i] = 99, many[i + 1] = 1;
	assert_int_equal(ra_parse_rs(many, sizeof(many), false, &out, &why), -1);
	assert_non_null(strstr(why, "too many"));
	assert_int_equal(ra_parse_rs(many, sizeof(many) - 8, false, &out, &why), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_range_needs_the_prefix_on_the_interface),
		cmocka_unit_test(test_constructor),
		cmocka_unit_test(test_rdnss),
		cmocka_unit_test(test_ra_param),
		cmocka_unit_test(test_ra_param_errors),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_parse_rs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
