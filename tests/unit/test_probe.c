/*
 * test_probe — the conflict check's ARP wire format: the request every
 * host on the bridge must understand as "who has this address?", and the
 * reading of replies, which must take nothing but an Ethernet/IPv4 ARP
 * reply (a request or a truncated packet naming the address is no answer).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "net/probe.h"

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static void test_request_layout(void **state)
{
	static const uint8_t want[PROBE_ARP_LEN] = {
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,     /* Ethernet, IPv4, request */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 10, 0, 3, 1, /* sender: us */
		0, 0, 0, 0, 0, 0, 10, 0, 3, 77,               /* target: unknown MAC, the address */
	};
	uint8_t pkt[PROBE_ARP_LEN];

	(void)state;
	probe_arp_request(pkt, our_mac, ip("10.0.3.1"), ip("10.0.3.77"));
	assert_memory_equal(pkt, want, sizeof(want));
}

/* A squatter's reply to our request: its operation and sender swapped in. */
static void make_reply(uint8_t pkt[PROBE_ARP_LEN])
{
	static const uint8_t squatter[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct in_addr target = ip("10.0.3.77");

	probe_arp_request(pkt, squatter, target, ip("10.0.3.1"));
	pkt[7] = 2;
}

static void test_reply_parsed(void **state)
{
	uint8_t pkt[PROBE_ARP_LEN + 18], mac[6];
	struct in_addr sender;

	(void)state;
	memset(pkt, 0, sizeof(pkt));
	make_reply(pkt);
	/* Ethernet pads to 60 bytes: trailing bytes are no reason to refuse. */
	assert_true(probe_arp_reply_parse(pkt, sizeof(pkt), &sender, mac));
	assert_int_equal(sender.s_addr, ip("10.0.3.77").s_addr);
	assert_int_equal(mac[5], 0x99);
}

static void test_not_a_reply(void **state)
{
	uint8_t pkt[PROBE_ARP_LEN], mac[6];
	struct in_addr sender;

	(void)state;
	make_reply(pkt);
	for (size_t len = 0; len < PROBE_ARP_LEN; len++)
		assert_false(probe_arp_reply_parse(pkt, len, &sender, mac));
	pkt[7] = 1; /* a request (someone else asking) says nothing about use */
	assert_false(probe_arp_reply_parse(pkt, sizeof(pkt), &sender, mac));
	make_reply(pkt);
	pkt[1] = 6; /* IEEE 802 hardware, not Ethernet */
	assert_false(probe_arp_reply_parse(pkt, sizeof(pkt), &sender, mac));
	make_reply(pkt);
	pkt[3] = 0xdd; /* not IPv4 */
	assert_false(probe_arp_reply_parse(pkt, sizeof(pkt), &sender, mac));
	make_reply(pkt);
	pkt[4] = 8; /* a MAC length we do not read */
	assert_false(probe_arp_reply_parse(pkt, sizeof(pkt), &sender, mac));
	make_reply(pkt);
	pkt[5] = 16; /* an IPv6-sized protocol address */
	assert_false(probe_arp_reply_parse(pkt, sizeof(pkt), &sender, mac));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_layout),
		cmocka_unit_test(test_reply_parsed),
		cmocka_unit_test(test_not_a_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
