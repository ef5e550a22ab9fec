/*
 * dhcp4_test_util — a tiny DHCPv4 client-message writer for the wire and
 * engine tests and the fuzzer's seeds: fixed header, magic cookie, options
 * appended raw, so tests can also write what no good client would.
 */
#ifndef LEASED_DHCP4_TEST_UTIL_H
#define LEASED_DHCP4_TEST_UTIL_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#define TPKT_MAX 8192

struct tpkt {
	uint8_t buf[TPKT_MAX];
	size_t len;
};

static inline void tpkt_put_addr(struct tpkt *t, size_t off, const char *addr)
{
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	memcpy(t->buf + off, &a.s_addr, 4);
}

/* A BOOTREQUEST from an Ethernet client, with option 53 unless type is 0. */
static inline void tpkt_init(struct tpkt *t, uint8_t type, const uint8_t mac[6], uint32_t xid)
{
	memset(t, 0, sizeof(*t));
	t->buf[0] = 1;
	t->buf[1] = 1;
	t->buf[2] = 6;
	t->buf[4] = (uint8_t)(xid >> 24);
	t->buf[5] = (uint8_t)(xid >> 16);
	t->buf[6] = (uint8_t)(xid >> 8);
	t->buf[7] = (uint8_t)xid;
	memcpy(t->buf + 28, mac, 6);
	t->buf[236] = 0x63;
	t->buf[237] = 0x82;
	t->buf[238] = 0x53;
	t->buf[239] = 0x63;
	t->len = 240;
	if (type) {
		t->buf[t->len++] = 53;
		t->buf[t->len++] = 1;
		t->buf[t->len++] = type;
	}
}

static inline void tpkt_opt(struct tpkt *t, uint8_t code, const void *val, size_t len)
{
	t->buf[t->len++] = code;
	t->buf[t->len++] = (uint8_t)len;
	memcpy(t->buf + t->len, val, len);
	t->len += len;
}

static inline void tpkt_opt_addr(struct tpkt *t, uint8_t code, const char *addr)
{
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	tpkt_opt(t, code, &a.s_addr, 4);
}

static inline void tpkt_opt_str(struct tpkt *t, uint8_t code, const char *s)
{
	tpkt_opt(t, code, s, strlen(s));
}

static inline void tpkt_end(struct tpkt *t)
{
	t->buf[t->len++] = 255;
}

#define TPKT_OFF_CIADDR 12
#define TPKT_OFF_YIADDR 16
#define TPKT_OFF_GIADDR 24
#define TPKT_OFF_FLAGS 10

#endif
