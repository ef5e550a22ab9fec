/*
 * test_util — the small helpers every module leans on: hex and MAC
 * formatting (log lines and the lease file depend on the exact text),
 * parsing that must refuse what it cannot represent, bounded copies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/util.h"

static void test_hex_format(void **state)
{
	const uint8_t id[] = { 0x01, 0xde, 0x21, 0x0f };
	char out[32], small[6];

	(void)state;
	assert_string_equal(hex_format(id, sizeof(id), out, sizeof(out)), "01:de:21:0f");
	assert_string_equal(hex_format(id, 0, out, sizeof(out)), "");
	/* Too small for everything: cut at a whole byte, always terminated. */
	assert_string_equal(hex_format(id, sizeof(id), small, sizeof(small)), "01:de");
	assert_string_equal(hex_format(id, sizeof(id), small, 3), "01");
	assert_string_equal(hex_format(id, sizeof(id), small, 2), "");
}

static void test_mac_round_trip(void **state)
{
	uint8_t mac[MAC_LEN];
	char out[MAC_STR_LEN];

	(void)state;
	assert_int_equal(mac_parse("DE:21:82:c6:a7:e1", mac), 0);
	assert_string_equal(mac_format(mac, out), "de:21:82:c6:a7:e1");
	assert_int_equal(mac_parse("de-21-82-c6-a7-e1", mac), 0);
	assert_int_equal(mac_parse("de:21:82:c6:a7", mac), -1);      /* short */
	assert_int_equal(mac_parse("de:21:82:c6:a7:e1:00", mac), -1); /* long */
	assert_int_equal(mac_parse("de:21:82:c6:a7:zz", mac), -1);
	assert_int_equal(mac_parse("de:21:82:c6:a7:", mac), -1);
}

static void test_hex_parse_forms(void **state)
{
	uint8_t b[4];
	size_t n;

	(void)state;
	assert_int_equal(hex_parse("a:b:c", b, sizeof(b), &n), 0); /* dnsmasq's short groups */
	assert_int_equal(n, 3);
	assert_int_equal(b[2], 0x0c);
	assert_int_equal(hex_parse("0a0b", b, sizeof(b), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(hex_parse("01:02:03:04:05", b, sizeof(b), &n), -1); /* too many */
}

static void test_parse_u32(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(parse_u32("253", 1000, &v), 0);
	assert_int_equal(v, 253);
	assert_int_equal(parse_u32("1001", 1000, &v), -1);
	assert_int_equal(parse_u32("-1", 1000, &v), -1);
	assert_int_equal(parse_u32("12x", 1000, &v), -1);
	assert_int_equal(parse_u32("", 1000, &v), -1);
	assert_int_equal(parse_u32("99999999999999999999", UINT32_MAX, &v), -1);
}

static void test_str_copy_bounds(void **state)
{
	char d[4];

	(void)state;
	assert_int_equal(str_copy(d, "lxcbr0", sizeof(d)), 6);
	assert_string_equal(d, "lxc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_format),
		cmocka_unit_test(test_mac_round_trip),
		cmocka_unit_test(test_hex_parse_forms),
		cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_str_copy_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
