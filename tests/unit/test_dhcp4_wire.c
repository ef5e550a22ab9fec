/*
 * Tests for dhcp4_wire: what the parser accepts and rejects (every error
 * path names its reason), RFC 3396 reassembly and overload, and the
 * builder's splitting, size limit and padding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dhcp4_test_util.h"
#include "dhcp/dhcp4_wire.h"

static const uint8_t mac1[6] = { 0xde, 0x21, 0x82, 0xc6, 0xa7, 0xe1 };

static struct dhcp4_packet *new_pkt(void)
{
	return calloc(1, sizeof(struct dhcp4_packet));
}

static void assert_parse_fails(const struct tpkt *t, const char *reason)
{
	struct dhcp4_packet *pkt = new_pkt();
	const char *why = NULL;

	assert_int_equal(dhcp4_parse(t->buf, t->len, pkt, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
	free(pkt);
}

static void test_parse_discover(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *pkt = new_pkt();
	struct in_addr a;
	const char *why = NULL;
	const uint8_t *v;
	size_t len;

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 0x11223344);
	t.buf[TPKT_OFF_FLAGS] = 0x80;
	tpkt_put_addr(&t, TPKT_OFF_GIADDR, "10.1.2.3");
	tpkt_opt_addr(&t, OPT_REQUESTED_IP, "10.0.3.9");
	tpkt_opt_str(&t, OPT_HOSTNAME, "c1");
	tpkt_end(&t);
	assert_int_equal(dhcp4_parse(t.buf, t.len, pkt, &why), 0);
	assert_int_equal(pkt->op, DHCP4_BOOTREQUEST);
	assert_int_equal(pkt->htype, 1);
	assert_int_equal(pkt->hlen, 6);
	assert_int_equal(pkt->msg_type, DHCPDISCOVER);
	assert_int_equal(pkt->flags, DHCP4_FLAG_BROADCAST);
	assert_int_equal(ntohl(pkt->xid), 0x11223344);
	assert_int_equal(ntohl(pkt->giaddr.s_addr), 0x0a010203);
	assert_memory_equal(pkt->chaddr, mac1, 6);
	assert_true(dhcp4_get_addr_option(pkt, OPT_REQUESTED_IP, &a));
	assert_int_equal(ntohl(a.s_addr), 0x0a000309);
	v = dhcp4_get_option(pkt, OPT_HOSTNAME, &len);
	assert_non_null(v);
	assert_int_equal(len, 2);
	assert_memory_equal(v, "c1", 2);
	assert_null(dhcp4_get_option(pkt, OPT_CLIENT_ID, &len));
	/* A hostname is not an address: wrong length says so. */
	assert_false(dhcp4_get_addr_option(pkt, OPT_HOSTNAME, &a));
	free(pkt);
}

static void test_parse_rejects_short(void **state)
{
	struct tpkt t;

	(void)state;
	tpkt_init(&t, 0, mac1, 1);
	t.len = DHCP4_MIN_LEN - 1;
	assert_parse_fails(&t, "shorter than the fixed header");
}

static void test_parse_rejects_reply(void **state)
{
	struct tpkt t;

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	t.buf[0] = DHCP4_BOOTREPLY;
	tpkt_end(&t);
	assert_parse_fails(&t, "not a BOOTREQUEST");
}

static void test_parse_rejects_hlen(void **state)
{
	struct tpkt t;

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	t.buf[2] = 17;
	tpkt_end(&t);
	assert_parse_fails(&t, "hardware address length over 16");
}

static void test_parse_rejects_cookie(void **state)
{
	struct tpkt t;

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	t.buf[239] = 0x64;
	tpkt_end(&t);
	assert_parse_fails(&t, "bad magic cookie");
}

static void test_parse_rejects_overrun(void **state)
{
	struct tpkt t;

	(void)state;
	/* The value claims 10 bytes, 3 are there. */
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	t.buf[t.len++] = OPT_HOSTNAME;
	t.buf[t.len++] = 10;
	memcpy(t.buf + t.len, "abc", 3);
	t.len += 3;
	assert_parse_fails(&t, "an option runs past the end of its area");
	/* The length byte itself is missing. */
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	t.buf[t.len++] = OPT_HOSTNAME;
	assert_parse_fails(&t, "an option runs past the end of its area");
}

static void test_parse_missing_end_and_pad(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *pkt = new_pkt();
	const char *why;
	size_t len;

	(void)state;
	tpkt_init(&t, DHCPREQUEST, mac1, 1);
	t.buf[t.len++] = OPT_PAD;
	t.buf[t.len++] = OPT_PAD;
	tpkt_opt_str(&t, OPT_HOSTNAME, "x");
	/* no END: the options just stop at the end of the packet */
	assert_int_equal(dhcp4_parse(t.buf, t.len, pkt, &why), 0);
	assert_int_equal(pkt->msg_type, DHCPREQUEST);
	assert_non_null(dhcp4_get_option(pkt, OPT_HOSTNAME, &len));
	assert_int_equal(len, 1);
	free(pkt);
}

static void test_parse_stops_at_end(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *pkt = new_pkt();
	const char *why;
	size_t len;

	(void)state;
	/* Bytes after END are padding, even if they look like a broken option. */
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	tpkt_end(&t);
	t.buf[t.len++] = OPT_HOSTNAME;
	t.buf[t.len++] = 200;
	assert_int_equal(dhcp4_parse(t.buf, t.len, pkt, &why), 0);
	assert_null(dhcp4_get_option(pkt, OPT_HOSTNAME, &len));
	free(pkt);
}

static void test_parse_zero_length_option(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *pkt = new_pkt();
	const char *why;
	size_t len = 99;

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	tpkt_opt(&t, OPT_RAPID_COMMIT, "", 0);
	tpkt_end(&t);
	assert_int_equal(dhcp4_parse(t.buf, t.len, pkt, &why), 0);
	assert_non_null(dhcp4_get_option(pkt, OPT_RAPID_COMMIT, &len));
	assert_int_equal(len, 0);
	free(pkt);
}

static void test_parse_concatenates(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *pkt = new_pkt();
	const char *why;
	const uint8_t *v;
	size_t len;

	(void)state;
	/* RFC 3396: instances of one code are joined in order of appearance. */
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	tpkt_opt_str(&t, OPT_HOSTNAME, "con");
	tpkt_opt_str(&t, OPT_VENDOR_CLASS, "vend");
	tpkt_opt_str(&t, OPT_HOSTNAME, "tai");
	tpkt_opt_str(&t, OPT_HOSTNAME, "ner");
	tpkt_end(&t);
	assert_int_equal(dhcp4_parse(t.buf, t.len, pkt, &why), 0);
	v = dhcp4_get_option(pkt, OPT_HOSTNAME, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(v, "container", 9);
	v = dhcp4_get_option(pkt, OPT_VENDOR_CLASS, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(v, "vend", 4);
	free(pkt);
}

static void test_parse_overload_order(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *pkt = new_pkt();
	uint8_t overload = 3;
	const char *why;
	const uint8_t *v;
	size_t len;

	(void)state;
	/* Options field, then file (offset 108), then sname (offset 44). */
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	tpkt_opt(&t, OPT_OVERLOAD, &overload, 1);
	tpkt_opt_str(&t, OPT_HOSTNAME, "a");
	tpkt_end(&t);
	memcpy(t.buf + 108, "\x0c\x01" "b" "\x3c\x02" "vc" "\xff", 7);
	memcpy(t.buf + 44, "\x0c\x01" "c", 3); /* no END: area just ends */
	assert_int_equal(dhcp4_parse(t.buf, t.len, pkt, &why), 0);
	v = dhcp4_get_option(pkt, OPT_HOSTNAME, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(v, "abc", 3);
	v = dhcp4_get_option(pkt, OPT_VENDOR_CLASS, &len);
	assert_int_equal(len, 2);
	assert_memory_equal(v, "vc", 2);
	free(pkt);
}

static void test_parse_overload_file_only(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *pkt = new_pkt();
	uint8_t overload = 1;
	const char *why;
	size_t len;

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	tpkt_opt(&t, OPT_OVERLOAD, &overload, 1);
	tpkt_end(&t);
	memcpy(t.buf + 108, "\x0c\x01" "f" "\xff", 4);
	memcpy(t.buf + 44, "\x3c\x01" "s" "\xff", 4);
	assert_int_equal(dhcp4_parse(t.buf, t.len, pkt, &why), 0);
	assert_non_null(dhcp4_get_option(pkt, OPT_HOSTNAME, &len));
	/* sname was not named by option 52: it is a server name, not options */
	assert_null(dhcp4_get_option(pkt, OPT_VENDOR_CLASS, &len));
	free(pkt);
}

static void test_parse_no_overload_ignores_file(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *pkt = new_pkt();
	const char *why;
	size_t len;

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	tpkt_end(&t);
	memcpy(t.buf + 108, "\x0c\x01" "f" "\xff", 4);
	assert_int_equal(dhcp4_parse(t.buf, t.len, pkt, &why), 0);
	assert_null(dhcp4_get_option(pkt, OPT_HOSTNAME, &len));
	free(pkt);
}

static void test_parse_overload_errors(void **state)
{
	struct tpkt t;
	uint8_t bad = 4, two[2] = { 1, 1 };

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	tpkt_opt(&t, OPT_OVERLOAD, &bad, 1);
	tpkt_end(&t);
	assert_parse_fails(&t, "option 52 (overload) has an unknown value");

	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	tpkt_opt(&t, OPT_OVERLOAD, two, 2);
	tpkt_end(&t);
	assert_parse_fails(&t, "option 52 (overload) is not one byte");

	/* A broken option inside the overloaded file field is still an error. */
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	tpkt_opt(&t, OPT_OVERLOAD, two, 1);
	tpkt_end(&t);
	t.buf[108 + 126] = OPT_HOSTNAME;
	t.buf[108 + 127] = 5;
	assert_parse_fails(&t, "an option runs past the end of its area");
}

static void test_parse_msg_type_length(void **state)
{
	struct tpkt t;
	uint8_t two[2] = { 1, 3 };

	(void)state;
	tpkt_init(&t, 0, mac1, 1);
	tpkt_opt(&t, OPT_MSG_TYPE, two, 2);
	tpkt_end(&t);
	assert_parse_fails(&t, "option 53 (message type) is not one byte");
}

static void test_parse_bootp_has_no_type(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *pkt = new_pkt();
	const char *why;

	(void)state;
	tpkt_init(&t, 0, mac1, 1);
	tpkt_end(&t);
	assert_int_equal(dhcp4_parse(t.buf, t.len, pkt, &why), 0);
	assert_int_equal(pkt->msg_type, 0);
	free(pkt);
}

static void test_parse_reassembly_limit(void **state)
{
	struct tpkt t;
	uint8_t val[255];

	(void)state;
	/* 20 instances of 255 bytes: more than optbuf holds. */
	memset(val, 'x', sizeof(val));
	tpkt_init(&t, DHCPDISCOVER, mac1, 1);
	for (int i = 0; i < 20; i++)
		tpkt_opt(&t, OPT_VENDOR_CLASS, val, sizeof(val));
	tpkt_end(&t);
	assert_parse_fails(&t, "options longer than the reassembly buffer");
}

static struct dhcp4_packet *parse_reply(const struct dhcp4_builder *b, size_t len)
{
	uint8_t copy[DHCP4_MAX_PACKET];
	struct dhcp4_packet *pkt = new_pkt();
	const char *why = NULL;

	/* Turn the reply into a request so the server-side parser takes it. */
	memcpy(copy, b->buf, len);
	assert_int_equal(copy[0], DHCP4_BOOTREPLY);
	copy[0] = DHCP4_BOOTREQUEST;
	assert_int_equal(dhcp4_parse(copy, len, pkt, &why), 0);
	return pkt;
}

static void test_build_round_trip(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *req = new_pkt(), *rep;
	struct dhcp4_builder b;
	struct in_addr ci, yi, si, a;
	const char *why;
	size_t len;

	(void)state;
	tpkt_init(&t, DHCPREQUEST, mac1, 0xcafe0001);
	t.buf[TPKT_OFF_FLAGS] = 0x80;
	tpkt_put_addr(&t, TPKT_OFF_GIADDR, "192.0.2.1");
	tpkt_end(&t);
	assert_int_equal(dhcp4_parse(t.buf, t.len, req, &why), 0);

	dhcp4_build_init(&b, req, DHCPACK, 576);
	inet_pton(AF_INET, "10.0.3.5", &ci);
	inet_pton(AF_INET, "10.0.3.6", &yi);
	inet_pton(AF_INET, "10.0.3.1", &si);
	dhcp4_build_set_addrs(&b, ci, yi, si);
	assert_int_equal(dhcp4_add_option(&b, OPT_SERVER_ID, &si.s_addr, 4), 0);
	len = dhcp4_build_finish(&b);
	assert_int_equal(len, DHCP4_MIN_REPLY);

	rep = parse_reply(&b, len);
	assert_int_equal(rep->msg_type, DHCPACK);
	assert_int_equal(rep->xid, req->xid);
	assert_int_equal(rep->flags, DHCP4_FLAG_BROADCAST);
	assert_int_equal(rep->htype, 1);
	assert_int_equal(rep->hlen, 6);
	assert_int_equal(rep->hops, 0);
	assert_memory_equal(rep->chaddr, mac1, 6);
	assert_int_equal(rep->giaddr.s_addr, req->giaddr.s_addr);
	assert_int_equal(rep->ciaddr.s_addr, ci.s_addr);
	assert_int_equal(rep->yiaddr.s_addr, yi.s_addr);
	assert_int_equal(rep->siaddr.s_addr, si.s_addr);
	assert_true(dhcp4_get_addr_option(rep, OPT_SERVER_ID, &a));
	assert_int_equal(a.s_addr, si.s_addr);
	free(req);
	free(rep);
}

static void test_build_broadcast_bit(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *req = new_pkt(), *rep;
	struct dhcp4_builder b;
	const char *why;

	(void)state;
	tpkt_init(&t, DHCPREQUEST, mac1, 7);
	tpkt_end(&t);
	assert_int_equal(dhcp4_parse(t.buf, t.len, req, &why), 0);
	dhcp4_build_init(&b, req, DHCPNAK, 576);
	dhcp4_build_set_broadcast(&b);
	rep = parse_reply(&b, dhcp4_build_finish(&b));
	assert_int_equal(rep->flags, DHCP4_FLAG_BROADCAST);
	free(req);
	free(rep);
}

static void test_build_splits_long_option(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *req = new_pkt(), *rep;
	struct dhcp4_builder b;
	uint8_t val[600];
	const uint8_t *v;
	const char *why;
	size_t len, first;

	(void)state;
	for (size_t i = 0; i < sizeof(val); i++)
		val[i] = (uint8_t)i;
	tpkt_init(&t, DHCPDISCOVER, mac1, 7);
	tpkt_end(&t);
	assert_int_equal(dhcp4_parse(t.buf, t.len, req, &why), 0);
	dhcp4_build_init(&b, req, DHCPOFFER, DHCP4_MAX_PACKET);
	first = b.len;
	assert_int_equal(dhcp4_add_option(&b, OPT_DOMAIN_SEARCH, val, sizeof(val)), 0);
	/* 255 + 255 + 90, each with its own code and length byte */
	assert_int_equal(b.len - first, 600 + 3 * 2);
	assert_int_equal(b.buf[first], OPT_DOMAIN_SEARCH);
	assert_int_equal(b.buf[first + 1], 255);
	assert_int_equal(b.buf[first + 2 + 255], OPT_DOMAIN_SEARCH);
	assert_int_equal(b.buf[first + 2 + 255 + 1], 255);
	assert_int_equal(b.buf[first + 4 + 510 + 1], 90);
	rep = parse_reply(&b, dhcp4_build_finish(&b));
	v = dhcp4_get_option(rep, OPT_DOMAIN_SEARCH, &len);
	assert_int_equal(len, sizeof(val));
	assert_memory_equal(v, val, sizeof(val));
	free(req);
	free(rep);
}

static void test_build_respects_max(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *req = new_pkt();
	struct dhcp4_builder b;
	uint8_t val[100] = { 0 };
	const char *why;
	size_t before, n = 0;

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 7);
	tpkt_end(&t);
	assert_int_equal(dhcp4_parse(t.buf, t.len, req, &why), 0);
	dhcp4_build_init(&b, req, DHCPOFFER, 548);
	while (dhcp4_add_option(&b, 224, val, sizeof(val)) == 0)
		n++;
	/* 243 bytes of header + option 53, then 102-byte options: 2 fit. */
	assert_int_equal(n, 2);
	before = b.len;
	assert_int_equal(dhcp4_add_option(&b, 224, val, 548 - before), -1);
	assert_int_equal(b.len, before);
	/* Exactly filling up to one byte short of max still fits. */
	assert_int_equal(dhcp4_add_option(&b, 224, val, 548 - before - 3), 0);
	assert_int_equal(b.len, 547);
	assert_int_equal(dhcp4_add_option(&b, 225, NULL, 0), -1);
	assert_int_equal(dhcp4_build_finish(&b), 548);
	assert_int_equal(b.buf[547], OPT_END);
	/* Refused outright: PAD and END are not options one adds. */
	dhcp4_build_init(&b, req, DHCPOFFER, 548);
	assert_int_equal(dhcp4_add_option(&b, OPT_END, NULL, 0), -1);
	assert_int_equal(dhcp4_add_option(&b, OPT_PAD, NULL, 0), -1);
	free(req);
}

static void test_build_max_is_clamped(void **state)
{
	struct tpkt t;
	struct dhcp4_packet *req = new_pkt();
	struct dhcp4_builder b;
	const char *why;

	(void)state;
	tpkt_init(&t, DHCPDISCOVER, mac1, 7);
	tpkt_end(&t);
	assert_int_equal(dhcp4_parse(t.buf, t.len, req, &why), 0);
	dhcp4_build_init(&b, req, DHCPOFFER, 100000);
	assert_int_equal(b.max, DHCP4_MAX_PACKET);
	dhcp4_build_init(&b, req, DHCPOFFER, 10);
	assert_int_equal(b.max, DHCP4_MIN_REPLY);
	free(req);
}

static void test_msg_type_names(void **state)
{
	(void)state;
	assert_string_equal(dhcp4_msg_type_name(DHCPDISCOVER), "DHCPDISCOVER");
	assert_string_equal(dhcp4_msg_type_name(DHCPINFORM), "DHCPINFORM");
	assert_string_equal(dhcp4_msg_type_name(DHCPNAK), "DHCPNAK");
	assert_string_equal(dhcp4_msg_type_name(0), "DHCPUNKNOWN");
	assert_string_equal(dhcp4_msg_type_name(200), "DHCPUNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_discover),
		cmocka_unit_test(test_parse_rejects_short),
		cmocka_unit_test(test_parse_rejects_reply),
		cmocka_unit_test(test_parse_rejects_hlen),
		cmocka_unit_test(test_parse_rejects_cookie),
		cmocka_unit_test(test_parse_rejects_overrun),
		cmocka_unit_test(test_parse_missing_end_and_pad),
		cmocka_unit_test(test_parse_stops_at_end),
		cmocka_unit_test(test_parse_zero_length_option),
		cmocka_unit_test(test_parse_concatenates),
		cmocka_unit_test(test_parse_overload_order),
		cmocka_unit_test(test_parse_overload_file_only),
		cmocka_unit_test(test_parse_no_overload_ignores_file),
		cmocka_unit_test(test_parse_overload_errors),
		cmocka_unit_test(test_parse_msg_type_length),
		cmocka_unit_test(test_parse_bootp_has_no_type),
		cmocka_unit_test(test_parse_reassembly_limit),
		cmocka_unit_test(test_build_round_trip),
		cmocka_unit_test(test_build_broadcast_bit),
		cmocka_unit_test(test_build_splits_long_option),
		cmocka_unit_test(test_build_respects_max),
		cmocka_unit_test(test_build_max_is_clamped),
		cmocka_unit_test(test_msg_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
