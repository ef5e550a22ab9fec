/*
 * test_leasefile — dnsmasq's lease-file lines: lines real dnsmasq 2.90
 * wrote (Ethernet, "06-" and "01-" hardware types, infinite leases, the
 * duid line and an IPv6 lease), format → parse round trips, and each kind
 * of malformed field with the reason given.  Every line is handed over
 * without a NUL terminator, inside a larger buffer, so reading one byte
 * past the given length would show up under ASan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lease/leasefile.h"
#include "core/util.h"

/* Parse s from an exactly-sized heap copy (no NUL after it). */
static enum leasefile_line parse(const char *s, struct lease *l, const char **why)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	enum leasefile_line r;

	memcpy(copy, s, len);
	r = leasefile_parse_line(copy, len, l, why);
	free(copy);
	return r;
}

/* Field by field: struct padding is not part of a lease. */
static void assert_lease_equal(const struct lease *a, const struct lease *b)
{
	assert_int_equal(a->addr.v4.s_addr, b->addr.v4.s_addr);
	assert_int_equal(a->htype, b->htype);
	assert_int_equal(a->hwlen, b->hwlen);
	assert_memory_equal(a->hwaddr, b->hwaddr, a->hwlen);
	assert_int_equal(a->client_id_len, b->client_id_len);
	assert_memory_equal(a->client_id, b->client_id, a->client_id_len);
	assert_string_equal(a->hostname, b->hostname);
	assert_int_equal(a->expires, b->expires);
}

static void assert_addr(const struct lease *l, const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	assert_int_equal(l->addr.v4.s_addr, a.s_addr);
}

static void test_dnsmasq_ethernet_with_client_id(void **state)
{
	struct lease l;
	const char *why = "unset";
	const uint8_t mac[] = { 0xde, 0x21, 0x82, 0xc6, 0xa7, 0xe1 };

	(void)state;
	assert_int_equal(parse("1732482000 de:21:82:c6:a7:e1 10.0.3.3 c1 01:de:21:82:c6:a7:e1",
			       &l, &why), LEASEFILE_LEASE);
	assert_null(why);
	assert_int_equal(l.expires, 1732482000);
	assert_int_equal(l.htype, 1);
	assert_int_equal(l.hwlen, 6);
	assert_memory_equal(l.hwaddr, mac, 6);
	assert_addr(&l, "10.0.3.3");
	assert_string_equal(l.hostname, "c1");
	assert_int_equal(l.client_id_len, 7);
	assert_int_equal(l.client_id[0], 1);
	assert_memory_equal(l.client_id + 1, mac, 6);
}

static void test_dnsmasq_infinite_without_name_or_id(void **state)
{
	struct lease l;

	(void)state;
	assert_int_equal(parse("0 00:16:3e:aa:bb:cc 10.0.3.9 * *", &l, NULL), LEASEFILE_LEASE);
	assert_int_equal(l.expires, 0);
	assert_string_equal(l.hostname, "");
	assert_int_equal(l.client_id_len, 0);
	assert_addr(&l, "10.0.3.9");
}

static void test_dnsmasq_hardware_types(void **state)
{
	struct lease l;

	(void)state;
	/* dnsmasq 2.90 rewrote "6-" as "06-". */
	assert_int_equal(parse("1795554952 06-aa:bb:cc:dd:ee:ff 10.0.3.11 tok *", &l, NULL),
			 LEASEFILE_LEASE);
	assert_int_equal(l.htype, 6);
	assert_int_equal(l.hwlen, 6);
	assert_int_equal(l.hwaddr[0], 0xaa);
	assert_int_equal(parse("1795554952 6-aa:bb:cc:dd:ee:ff 10.0.3.11 tok *", &l, NULL),
			 LEASEFILE_LEASE);
	assert_int_equal(l.htype, 6);
	/* Infiniband, 16 bytes (dnsmasq's limit), with a client-id. */
	assert_int_equal(parse("1795554952 20-00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff "
			       "10.0.3.12 ib ff:00:11:22:33", &l, NULL), LEASEFILE_LEASE);
	assert_int_equal(l.htype, 0x20);
	assert_int_equal(l.hwlen, 16);
	assert_int_equal(l.hwaddr[15], 0xff);
	assert_int_equal(l.client_id_len, 5);
	/* No hardware address at all: dnsmasq writes the type and a dash. */
	assert_int_equal(parse("1795554952 01- 10.0.3.13 nohw 01:02:03", &l, NULL),
			 LEASEFILE_LEASE);
	assert_int_equal(l.htype, 1);
	assert_int_equal(l.hwlen, 0);
	assert_string_equal(l.hostname, "nohw");
}

static void test_dnsmasq_skipped_lines(void **state)
{
	struct lease l;
	const char *why = "unset";

	(void)state;
	/* The server's duid line is read, not skipped (test_server_duid_line). */
	assert_int_equal(parse("duid 00:01:00:01:2c:d5:6a:11:00:16:3e:00:00:01", &l, &why),
			 LEASEFILE_SERVER_DUID);
	assert_int_equal(parse("agent-info 10.0.3.3 01:02:03", &l, &why), LEASEFILE_SKIP);
	assert_int_equal(parse("vendorclass 10.0.3.3 01:02:03", &l, &why), LEASEFILE_SKIP);
	assert_int_equal(parse("", &l, &why), LEASEFILE_SKIP);
	assert_int_equal(parse("   \t \r", &l, &why), LEASEFILE_SKIP);
}

/* dnsmasq's IPv6 lines: IAID where the MAC goes, the DUID where the client-id goes. */
static void test_dnsmasq_v6_lines(void **state)
{
	static const uint8_t mac[6] = { 0xde, 0x21, 0x82, 0xc6, 0xa7, 0xe1 };
	struct lease l;
	const char *why = NULL;
	char buf[LEASEFILE_LINE_MAX];
	int n;

	(void)state;
	assert_int_equal(parse("1732482000 1234567 fd42::5 c1 "
			       "00:01:00:01:2c:d5:6a:11:de:21:82:c6:a7:e1", &l, &why),
			 LEASEFILE_LEASE);
	assert_int_equal(l.addr.family, AF_INET6);
	assert_int_equal(l.ia, LEASE_IA_NA);
	assert_int_equal(l.iaid, 1234567);
	assert_int_equal(l.expires, 1732482000);
	assert_string_equal(l.hostname, "c1");
	assert_int_equal(l.client_id_len, 14);
	/* A DUID-LLT carries the client's MAC: it ties this lease to the client's IPv4 one. */
	assert_int_equal(l.htype, 1);
	assert_int_equal(l.hwlen, 6);
	assert_memory_equal(l.hwaddr, mac, 6);
	n = leasefile_format_line(&l, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "1732482000 1234567 fd42::5 c1 "
				 "00:01:00:01:2c:d5:6a:11:de:21:82:c6:a7:e1\n");
	/* A temporary address's IAID carries a T, and survives the round trip. */
	assert_int_equal(parse("1732482000 T4294967295 fd42::6 * 00:02:00:00:ab:11:01", &l, &why),
			 LEASEFILE_LEASE);
	assert_int_equal(l.ia, LEASE_IA_TA);
	assert_int_equal(l.iaid, 4294967295u);
	assert_int_equal(l.hwlen, 0); /* a DUID-EN has no MAC in it */
	leasefile_format_line(&l, buf, sizeof(buf));
	assert_string_equal(buf, "1732482000 T4294967295 fd42::6 * 00:02:00:00:ab:11:01\n");
	/* Bad IAIDs, addresses and DUIDs are bad lines, said so. */
	assert_int_equal(parse("0 4294967296 fd42::6 * 00:02:00:00", &l, &why), LEASEFILE_BAD);
	assert_string_equal(why, "bad IAID");
	assert_int_equal(parse("0 x12 fd42::6 * 00:02:00:00", &l, &why), LEASEFILE_BAD);
	assert_int_equal(parse("0 12 fd42::6::1 * 00:02:00:00", &l, &why), LEASEFILE_BAD);
	assert_string_equal(why, "bad IPv6 address");
	assert_int_equal(parse("0 12 :: * 00:02:00:00", &l, &why), LEASEFILE_BAD);
	assert_int_equal(parse("0 12 fd42::6 * 0g:02", &l, &why), LEASEFILE_BAD);
	assert_string_equal(why, "bad DUID");
	assert_int_equal(parse("0 12 fd42::6 * 00", &l, &why), LEASEFILE_BAD);
}

/* The whole file dnsmasq 2.90 wrote after loading a hand-made one. */
static void test_dnsmasq_written_file(void **state)
{
	static const char file[] =
		"1795554952 00:16:3e:aa:bb:ee 10.0.3.14 UpperName 01:00:16:3e:aa:bb:ee\n"
		"1795554952 01- 10.0.3.13 nohw 01:02:03\n"
		"1795554952 20-00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff 10.0.3.12 ib "
		"ff:00:11:22:33\n"
		"1795554952 06-aa:bb:cc:dd:ee:ff 10.0.3.11 tok *\n"
		"0 00:16:3e:aa:bb:cc 10.0.3.9 * *\n"
		"1795554952 de:21:82:c6:a7:e1 10.0.3.3 c1 01:de:21:82:c6:a7:e1\n"
		"duid 00:01:00:01:2c:d5:6a:11:00:16:3e:00:00:01\n"
		"1795554952 1234567 fd42::5 c1 00:01:00:01:2c:d5:6a:11:de:21:82:c6:a7:e1\n";
	const char *p = file;
	size_t v4 = 0, duid = 0;

	(void)state;
	while (*p) {
		const char *nl = strchr(p, '\n');
		struct lease l;
		char again[LEASEFILE_LINE_MAX];
		int n;

		switch (leasefile_parse_line(p, (size_t)(nl - p), &l, NULL)) {
		case LEASEFILE_LEASE:
			v4++;
			/* What we write is what dnsmasq wrote. */
			n = leasefile_format_line(&l, again, sizeof(again));
			assert_int_equal(n, nl - p + 1);
			assert_memory_equal(again, p, (size_t)n);
			break;
		case LEASEFILE_SERVER_DUID:
			duid++;
			break;
		case LEASEFILE_SKIP:
		case LEASEFILE_BAD:
			fail_msg("dnsmasq line not read: %.*s", (int)(nl - p), p);
		}
		p = nl + 1;
	}
	assert_int_equal(v4, 7); /* six IPv4 leases and one IPv6 lease */
	assert_int_equal(duid, 1); /* dnsmasq's own DUID */
}

static void test_hostnames(void **state)
{
	struct lease l;

	(void)state;
	assert_int_equal(parse("0 00:16:3e:aa:bb:cc 10.0.3.9 web-01_x *", &l, NULL),
			 LEASEFILE_LEASE);
	assert_string_equal(l.hostname, "web-01_x");
	/* Names that are no DNS label: the lease stays, the name goes. */
	assert_int_equal(parse("0 00:16:3e:aa:bb:cc 10.0.3.9 host.lxc *", &l, NULL),
			 LEASEFILE_LEASE);
	assert_string_equal(l.hostname, "");
	assert_addr(&l, "10.0.3.9");
	assert_int_equal(parse("0 00:16:3e:aa:bb:cc 10.0.3.9 -bad *", &l, NULL), LEASEFILE_LEASE);
	assert_string_equal(l.hostname, "");
	assert_int_equal(parse("0 00:16:3e:aa:bb:cc 10.0.3.9 caf\xc3\xa9 *", &l, NULL),
			 LEASEFILE_LEASE);
	assert_string_equal(l.hostname, "");
	assert_int_equal(parse("0 00:16:3e:aa:bb:cc 10.0.3.9 "
			       "a234567890123456789012345678901234567890123456789012345678901234 *",
			       &l, NULL), LEASEFILE_LEASE);
	assert_string_equal(l.hostname, "");
	assert_int_equal(parse("0 00:16:3e:aa:bb:cc 10.0.3.9 "
			       "a23456789012345678901234567890123456789012345678901234567890123 *",
			       &l, NULL), LEASEFILE_LEASE);
	assert_int_equal(strlen(l.hostname), 63);
}

static void test_round_trip(void **state)
{
	struct lease in, out;
	char buf[LEASEFILE_LINE_MAX];
	int n;

	(void)state;
	memset(&in, 0, sizeof(in));
	assert_true(lease_addr_parse("192.168.200.254", &in.addr));
	in.htype = 1;
	in.hwlen = 6;
	memcpy(in.hwaddr, "\x02\x00\x00\xab\xcd\xef", 6);
	in.client_id_len = LEASE_CLIENT_ID_MAX;
	for (int i = 0; i < LEASE_CLIENT_ID_MAX; i++)
		in.client_id[i] = (uint8_t)i;
	str_copy(in.hostname, "Container-9", sizeof(in.hostname));
	in.expires = 4102444800; /* past 2038 */
	n = leasefile_format_line(&in, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(buf[n - 1], '\n');
	/* Parse without the newline, and with it. */
	assert_int_equal(leasefile_parse_line(buf, (size_t)n - 1, &out, NULL), LEASEFILE_LEASE);
	assert_lease_equal(&in, &out);
	assert_int_equal(leasefile_parse_line(buf, (size_t)n, &out, NULL), LEASEFILE_LEASE);
	assert_lease_equal(&in, &out);

	/* Non-Ethernet type, no client-id, no name. */
	in.htype = 6;
	in.client_id_len = 0;
	memset(in.client_id, 0, sizeof(in.client_id));
	memset(in.hostname, 0, sizeof(in.hostname));
	n = leasefile_format_line(&in, buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf, "4102444800 06-02:00:00:ab:cd:ef 192.168.200.254 * *\n");
	assert_int_equal(leasefile_parse_line(buf, (size_t)n, &out, NULL), LEASEFILE_LEASE);
	assert_lease_equal(&in, &out);
}

static void test_format_short_buffer_and_bad_name(void **state)
{
	struct lease l;
	char buf[LEASEFILE_LINE_MAX];

	(void)state;
	assert_int_equal(parse("0 00:16:3e:aa:bb:cc 10.0.3.9 c9 *", &l, NULL), LEASEFILE_LEASE);
	assert_int_equal(leasefile_format_line(&l, buf, 10), -1);
	assert_int_equal(leasefile_format_line(&l, buf, 34), -1); /* one short of the NUL */
	assert_int_equal(leasefile_format_line(&l, buf, 35), 34);
	/* A name with a space would split the line: it is written as "*". */
	str_copy(l.hostname, "two words", sizeof(l.hostname));
	assert_int_equal(leasefile_format_line(&l, buf, sizeof(buf)), 33);
	assert_string_equal(buf, "0 00:16:3e:aa:bb:cc 10.0.3.9 * *\n");
}

static void expect_bad(const char *line, const char *reason_part)
{
	struct lease l;
	const char *why = NULL;

	if (parse(line, &l, &why) != LEASEFILE_BAD)
		fail_msg("accepted: %s", line);
	assert_non_null(why);
	if (!strstr(why, reason_part))
		fail_msg("line \"%s\": reason \"%s\" lacks \"%s\"", line, why, reason_part);
}

static void test_bad_lines(void **state)
{
	char longfield[1200];

	(void)state;
	expect_bad("17324820x0 00:16:3e:aa:bb:cc 10.0.3.9 * *", "expiry");
	expect_bad("-1 00:16:3e:aa:bb:cc 10.0.3.9 * *", "expiry");
	expect_bad("99999999999999999999 00:16:3e:aa:bb:cc 10.0.3.9 * *", "expiry");
	expect_bad("0 00:16:3e:aa:bb:zz 10.0.3.9 * *", "hardware");
	expect_bad("0 00:16:3e:aa:bb: 10.0.3.9 * *", "hardware");
	expect_bad("0 123-00:16:3e 10.0.3.9 * *", "hardware");
	expect_bad("0 g-00:16:3e 10.0.3.9 * *", "hardware");
	expect_bad("0 -00:16:3e 10.0.3.9 * *", "hardware");
	expect_bad("0 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00 10.0.3.9 * *",
		   "hardware");
	expect_bad("0 00:16:3e:aa:bb:cc 10.0.3 * *", "IPv4");
	expect_bad("0 00:16:3e:aa:bb:cc 10.0.3.256 * *", "IPv4");
	expect_bad("0 00:16:3e:aa:bb:cc 0.0.0.0 * *", "IPv4");
	expect_bad("0 00:16:3e:aa:bb:cc host * *", "IPv4");
	expect_bad("0 00:16:3e:aa:bb:cc 10.0.3.9 * 01:xx", "client-id");
	expect_bad("0 00:16:3e:aa:bb:cc 10.0.3.9 * 01:", "client-id");
	expect_bad("0 00:16:3e:aa:bb:cc 10.0.3.9 *", "five fields");
	expect_bad("0 00:16:3e:aa:bb:cc", "five fields");
	expect_bad("0 00:16:3e:aa:bb:cc 10.0.3.9 * * extra", "five fields");
	expect_bad("0 00:16:3e:aa:bb:cc 10.0.3.9 c\001 *", "control");
	/* A client-id longer than 255 bytes. */
	strcpy(longfield, "0 00:16:3e:aa:bb:cc 10.0.3.9 * 00");
	for (int i = 0; i < 255; i++)
		strcat(longfield, ":01");
	expect_bad(longfield, "client-id");
	memset(longfield, 'a', sizeof(longfield) - 1);
	longfield[sizeof(longfield) - 1] = '\0';
	expect_bad(longfield, "too long");
}

static void test_embedded_nul_not_trusted(void **state)
{
	/* Bytes after the given length are never looked at. */
	static const char buf[] = "0 00:16:3e:aa:bb:cc 10.0.3.9 * *ZZZZ";
	struct lease l;

	(void)state;
	assert_int_equal(leasefile_parse_line(buf, strlen(buf) - 4, &l, NULL), LEASEFILE_LEASE);
	/* A NUL inside the line is a control character, not its end. */
	assert_int_equal(leasefile_parse_line("0 00:16:3e:aa:bb:cc 10.0.3.9 *\0 *", 33, &l, NULL),
			 LEASEFILE_BAD);
	assert_int_equal(leasefile_parse_line(NULL, 0, &l, NULL), LEASEFILE_BAD);
}

/* dnsmasq's "duid" line: the server's DUID, read and written back the same. */
static void test_server_duid_line(void **state)
{
	static const uint8_t want[] = { 0, 1, 0, 1, 0x2c, 0xd5, 0x6a, 0x11, 0, 0x16, 0x3e, 0, 0, 1 };
	static const char *const bad[] = { "duid", "duid zz:01", "duid 00", "duid 00:01 extra" };
	struct lease l;
	const char *why = NULL;
	char line[LEASEFILE_LINE_MAX];
	uint8_t long_duid[129] = { 0 };

	(void)state;
	assert_int_equal(parse("duid 00:01:00:01:2c:d5:6a:11:00:16:3e:00:00:01", &l, &why),
			 LEASEFILE_SERVER_DUID);
	assert_int_equal(l.client_id_len, sizeof(want));
	assert_memory_equal(l.client_id, want, sizeof(want));
	assert_int_equal(leasefile_format_server_duid(want, sizeof(want), line, sizeof(line)),
			 (int)strlen("duid 00:01:00:01:2c:d5:6a:11:00:16:3e:00:00:01\n"));
	assert_string_equal(line, "duid 00:01:00:01:2c:d5:6a:11:00:16:3e:00:00:01\n");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(parse(bad[i], &l, &why), LEASEFILE_BAD);
		assert_non_null(strstr(why, "duid"));
	}
	/* RFC 8415's limit: 128 bytes. */
	assert_int_equal(leasefile_format_server_duid(long_duid, 129, line, sizeof(line)), -1);
	assert_int_equal(leasefile_format_server_duid(long_duid, 128, line, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_duid_line),
		cmocka_unit_test(test_dnsmasq_ethernet_with_client_id),
		cmocka_unit_test(test_dnsmasq_infinite_without_name_or_id),
		cmocka_unit_test(test_dnsmasq_hardware_types),
		cmocka_unit_test(test_dnsmasq_skipped_lines),
		cmocka_unit_test(test_dnsmasq_v6_lines),
		cmocka_unit_test(test_dnsmasq_written_file),
		cmocka_unit_test(test_hostnames),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format_short_buffer_and_bad_name),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_embedded_nul_not_trusted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
