/*
 * Tests for dhcp6_wire: a real client's SOLICIT byte by byte, every rule
 * the parser refuses a message by (each asserting its reason), every
 * truncation of valid messages, and the builder: a REPLY built, compared
 * byte by byte and parsed back, then built again into every buffer size.
 * Every parse reads an exact-size heap copy, so a read past the end is an
 * ASan error in the sanitizer build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp/dhcp6_wire.h"

static const uint8_t xid[3] = { 0x5a, 0x3c, 0x1f };

/* A string literal as bytes and their count, for the tables below. */
#define BYTES(s) s, sizeof(s) - 1

/*
 * A SOLICIT in the layout ISC dhclient -6 sends on a fresh interface (the
 * MAC and the DUID's time made up): its DUID-LLT, elapsed time, the
 * options Debian's dhclient.conf requests, one IA_NA named after the MAC.
 */
static const uint8_t dhclient_solicit[] = {
	0x01, 0x5a, 0x3c, 0x1f,                         /* SOLICIT, transaction-id */
	0x00, 0x01, 0x00, 0x0e,                         /* CLIENTID, 14 bytes: */
	0x00, 0x01, 0x00, 0x01,                         /*   DUID-LLT, Ethernet */
	0x2d, 0x5c, 0x61, 0x0a,                         /*   seconds since 2000 */
	0x00, 0x16, 0x3e, 0x12, 0x34, 0x56,             /*   the MAC */
	0x00, 0x08, 0x00, 0x02, 0x00, 0x00,             /* ELAPSED_TIME: 0 */
	0x00, 0x06, 0x00, 0x08,                         /* ORO, 8 bytes: */
	0x00, 0x17, 0x00, 0x18, 0x00, 0x27, 0x00, 0x1f, /*   23, 24, 39, 31 */
	0x00, 0x03, 0x00, 0x0c,                         /* IA_NA, 12 bytes: */
	0x3e, 0x12, 0x34, 0x56,                         /*   IAID: end of the MAC */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /*   T1, T2: 0 */
};
static const uint8_t *const dhclient_duid = dhclient_solicit + 8;

/* Parse from an exact-size heap copy. */
static int parse(const uint8_t *p, size_t len, struct dhcp6_msg *m, const char **why)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	if (len)
		memcpy(copy, p, len);
	r = dhcp6_parse(copy, len, m, why);
	free(copy);
	return r;
}

/* A message under construction; a test builds its input with the builder. */
static uint8_t B[4096];

static void start(struct dhcp6_out *o, uint8_t type)
{
	dhcp6_out_init(o, B, sizeof(B), type, xid);
}

static void put_client_id(struct dhcp6_out *o)
{
	dhcp6_put(o, D6O_CLIENTID, dhclient_duid, 14);
}

/* An IA_NA with n addresses fd00::1.., lifetimes 100 and 200. */
static void put_ia_na(struct dhcp6_out *o, uint32_t iaid, size_t n)
{
	size_t mark = dhcp6_open(o, D6O_IA_NA);

	dhcp6_put_u32(o, iaid);
	dhcp6_put_u32(o, 0);
	dhcp6_put_u32(o, 0);
	for (size_t i = 0; i < n; i++) {
		struct in6_addr a = { .s6_addr = { 0xfd, [15] = (uint8_t)(i + 1) } };

		dhcp6_put_iaaddr(o, &a, 100, 200, -1);
	}
	dhcp6_close(o, mark);
}

static void assert_ia(const struct dhcp6_ia *ia, uint16_t type, uint32_t iaid, uint32_t t1,
		      uint32_t t2, size_t naddrs)
{
	assert_int_equal(ia->type, type);
	assert_int_equal(ia->iaid, iaid);
	assert_int_equal(ia->t1, t1);
	assert_int_equal(ia->t2, t2);
	assert_int_equal(ia->naddrs, naddrs);
}

/* An address fd00::LAST with its lifetimes. */
static void assert_addr(const struct dhcp6_iaaddr *a, uint8_t last, uint32_t preferred,
			uint32_t valid)
{
	static const uint8_t fd00[15] = { 0xfd };

	assert_memory_equal(a->addr.s6_addr, fd00, 15);
	assert_int_equal(a->addr.s6_addr[15], last);
	assert_int_equal(a->preferred, preferred);
	assert_int_equal(a->valid, valid);
}

static void assert_parses(const struct dhcp6_out *o, struct dhcp6_msg *m)
{
	const char *why = NULL;

	assert_false(o->full);
	if (parse(o->p, o->len, m, &why) < 0)
		fail_msg("refused: %s", why);
}

static void assert_refused(const uint8_t *p, size_t len, const char *reason)
{
	struct dhcp6_msg *m = malloc(sizeof(*m));
	const char *why = NULL;

	assert_non_null(m);
	assert_int_equal(parse(p, len, m, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
	free(m);
}

static void assert_out_refused(const struct dhcp6_out *o, const char *reason)
{
	assert_false(o->full);
	assert_refused(o->p, o->len, reason);
}

/* --- parsing what clients send ---------------------------------------- */

static void test_parse_dhclient_solicit(void **state)
{
	struct dhcp6_msg m;
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse(dhclient_solicit, sizeof(dhclient_solicit), &m, &why), 0);
	assert_int_equal(m.type, DHCP6_SOLICIT);
	assert_memory_equal(m.xid, xid, 3);
	assert_int_equal(m.client_id_len, 14);
	assert_memory_equal(m.client_id, dhclient_duid, 14);
	assert_int_equal(m.server_id_len, 0);
	assert_true(m.has_elapsed);
	assert_int_equal(m.elapsed, 0);
	assert_int_equal(m.noro, 4);
	assert_int_equal(m.oro[0], D6O_DNS_SERVERS);
	assert_int_equal(m.oro[1], D6O_DOMAIN_LIST);
	assert_int_equal(m.oro[2], D6O_CLIENT_FQDN);
	assert_int_equal(m.oro[3], 31);
	assert_int_equal(m.nias, 1);
	assert_ia(&m.ias[0], D6O_IA_NA, 0x3e123456, 0, 0, 0);
	assert_false(m.rapid_commit);
	assert_false(m.reconf_accept);
	assert_false(m.has_fqdn);
	assert_int_equal(m.n_ia_pd, 0);
}

/*
 * A REQUEST with a bit of everything a client may send: the addresses it
 * wants (one with a status and an unknown option inside, which are
 * skipped), a temporary IA, a prefix delegation, the FQDN, flags, and
 * options leased does not know.  Built with the builder; shared with the
 * truncation test.
 */
static size_t build_request(void)
{
	struct dhcp6_out o;
	struct in6_addr a = { .s6_addr = { 0xfd, [15] = 0x42 } };
	static const uint8_t fqdn[] = { 0x01, 3, 'W', 'e', 'b', 3, 'L', 'x', 'c', 0 };
	size_t ia, addr;

	start(&o, DHCP6_REQUEST);
	put_client_id(&o);
	dhcp6_put(&o, D6O_SERVERID, "\x00\x03\x00\x01\x02\x00\x00\x00\x00\x01", 10);
	ia = dhcp6_open(&o, D6O_IA_NA);
	dhcp6_put_u32(&o, 7);
	dhcp6_put_u32(&o, 1800);
	dhcp6_put_u32(&o, 2880);
	addr = dhcp6_open(&o, D6O_IAADDR);
	dhcp6_put_bytes(&o, &a, 16);
	dhcp6_put_u32(&o, 3600);
	dhcp6_put_u32(&o, 7200);
	dhcp6_put(&o, 999, "xyz", 3);
	dhcp6_close(&o, addr);
	dhcp6_put_status(&o, D6S_NO_BINDING, "from a client: ignored");
	dhcp6_close(&o, ia);
	ia = dhcp6_open(&o, D6O_IA_TA);
	dhcp6_put_u32(&o, 7); /* the same IAID in another type is fine */
	dhcp6_put_iaaddr(&o, &a, 1, 2, D6S_SUCCESS);
	dhcp6_close(&o, ia);
	dhcp6_put(&o, D6O_IA_PD, "\0\0\0\1", 4);
	dhcp6_put(&o, D6O_ORO, "\x00\x17", 2);
	dhcp6_put(&o, D6O_ELAPSED_TIME, "\x01\x2c", 2);
	dhcp6_put(&o, D6O_RAPID_COMMIT, NULL, 0);
	dhcp6_put(&o, D6O_RECONF_ACCEPT, NULL, 0);
	dhcp6_put(&o, D6O_CLIENT_FQDN, fqdn, sizeof(fqdn));
	dhcp6_put(&o, D6O_VENDOR_CLASS, "\0\0\0\x09\0\2hi", 8);
	dhcp6_put(&o, 0xffff, NULL, 0);
	assert_false(o.full);
	return o.len;
}

static void test_parse_request(void **state)
{
	struct dhcp6_msg m;
	const char *why = NULL;
	size_t len = build_request();

	(void)state;
	assert_int_equal(parse(B, len, &m, &why), 0);
	assert_int_equal(m.type, DHCP6_REQUEST);
	assert_int_equal(m.server_id_len, 10);
	assert_memory_equal(m.server_id, "\x00\x03\x00\x01\x02\x00\x00\x00\x00\x01", 10);
	assert_int_equal(m.nias, 2);
	assert_ia(&m.ias[0], D6O_IA_NA, 7, 1800, 2880, 1);
	assert_addr(&m.ias[0].addrs[0], 0x42, 3600, 7200);
	assert_ia(&m.ias[1], D6O_IA_TA, 7, 0, 0, 1);
	assert_addr(&m.ias[1].addrs[0], 0x42, 1, 2);
	assert_int_equal(m.n_ia_pd, 1);
	assert_int_equal(m.noro, 1);
	assert_int_equal(m.oro[0], D6O_DNS_SERVERS);
	assert_true(m.has_elapsed);
	assert_int_equal(m.elapsed, 300);
	assert_true(m.rapid_commit);
	assert_true(m.reconf_accept);
	assert_true(m.has_fqdn);
	assert_int_equal(m.fqdn_flags, 0x01);
	assert_string_equal(m.fqdn, "web.lxc");
}

static void test_parse_header_only(void **state)
{
	struct dhcp6_msg m;
	const char *why = NULL;
	static const uint8_t info[] = { DHCP6_INFORMATION_REQUEST, 1, 2, 3 };

	(void)state;
	assert_int_equal(parse(info, sizeof(info), &m, &why), 0);
	assert_int_equal(m.type, DHCP6_INFORMATION_REQUEST);
	assert_int_equal(m.client_id_len, 0);
	assert_int_equal(m.nias, 0);
	assert_false(m.has_elapsed);
	assert_refused(info, 3, "shorter than the message header");
	assert_refused(info, 0, "shorter than the message header");
}

/* RFC 4704 4.2: a full name, a partial one, or none at all. */
static void test_parse_fqdn_forms(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		const char *text;
	} ok[] = {
		{ BYTES("\x00\x04host\x03LXC\x00"), "host.lxc" },
		{ BYTES("\x00\x04HoSt"), "host" },              /* partial: no root label */
		{ BYTES("\x04\x04host\x03lxc"), "host.lxc" },  /* partial with two labels */
		{ BYTES("\x00"), "" },                         /* empty: "give me a name" */
		{ BYTES("\x00\x00"), "" },                    /* the root alone */
		{ BYTES("\x00\x03" "a b"), "a b" },           /* odd, but a DNS name */
	};
	struct dhcp6_out o;
	struct dhcp6_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		start(&o, DHCP6_SOLICIT);
		dhcp6_put(&o, D6O_CLIENT_FQDN, ok[i].bytes, ok[i].len);
		assert_parses(&o, &m);
		assert_true(m.has_fqdn);
		assert_int_equal(m.fqdn_flags, (uint8_t)ok[i].bytes[0]);
		assert_string_equal(m.fqdn, ok[i].text);
	}
	/* The longest full name: 255 wire bytes, 253 characters. */
	{
		uint8_t v[1 + 255];
		size_t pos = 1;

		v[0] = 0;
		for (int l = 0; l < 4; l++) {
			size_t n = l < 3 ? 63 : 61;

			v[pos++] = (uint8_t)n;
			memset(v + pos, 'a', n);
			pos += n;
		}
		v[pos++] = 0;
		assert_int_equal(pos, sizeof(v));
		start(&o, DHCP6_SOLICIT);
		dhcp6_put(&o, D6O_CLIENT_FQDN, v, sizeof(v));
		assert_parses(&o, &m);
		assert_int_equal(strlen(m.fqdn), 253);
	}
}

static void test_parse_skips_unknown_and_counts_ia_pd(void **state)
{
	struct dhcp6_out o;
	struct dhcp6_msg m;

	(void)state;
	start(&o, DHCP6_SOLICIT);
	dhcp6_put(&o, D6O_IA_PD, NULL, 0);          /* not even its IAID: never read */
	dhcp6_put(&o, D6O_IA_PD, "\0\0\0\1\0\0\0\0\0\0\0\0", 12);
	dhcp6_put(&o, D6O_IAADDR, "short", 5);      /* outside an IA it is no address */
	dhcp6_put(&o, D6O_STATUS_CODE, NULL, 0);
	dhcp6_put(&o, D6O_PREFERENCE, "\xff\xff", 2);
	dhcp6_put(&o, 12345, "anything", 8);
	put_client_id(&o);
	assert_parses(&o, &m);
	assert_int_equal(m.n_ia_pd, 2);
	assert_int_equal(m.nias, 0);
	assert_int_equal(m.client_id_len, 14);
}

/* RFC 8415 21: repeated options are not concatenated; the first counts. */
static void test_parse_first_instance_counts(void **state)
{
	struct dhcp6_out o;
	struct dhcp6_msg m;

	(void)state;
	start(&o, DHCP6_SOLICIT);
	dhcp6_put(&o, D6O_ORO, NULL, 0);
	dhcp6_put(&o, D6O_ORO, "\x00\x17", 2);
	dhcp6_put(&o, D6O_ELAPSED_TIME, "\x00\x05", 2);
	dhcp6_put(&o, D6O_ELAPSED_TIME, "\x00\x06", 2);
	dhcp6_put(&o, D6O_CLIENT_FQDN, "\x01\x01" "a", 3);
	dhcp6_put(&o, D6O_CLIENT_FQDN, "\x00\x01" "b", 3);
	assert_parses(&o, &m);
	assert_int_equal(m.noro, 0);
	assert_int_equal(m.elapsed, 5);
	assert_int_equal(m.fqdn_flags, 1);
	assert_string_equal(m.fqdn, "a");
	/* ...but a later one must still be well-formed. */
	dhcp6_put(&o, D6O_ORO, "\x00", 1);
	assert_out_refused(&o, "option request of odd length");
}

/* --- what the parser refuses ------------------------------------------ */

static void test_refuse_overrun(void **state)
{
	struct dhcp6_out o;

	(void)state;
	start(&o, DHCP6_SOLICIT);
	dhcp6_put(&o, D6O_ORO, "\x00\x17", 2);
	/* An option header cut after 1, 2, 3 bytes, then a body one byte short. */
	for (size_t cut = 1; cut < 4; cut++)
		assert_refused(B, o.len - cut, "an option runs past the end of the message");
	B[7] = 3;
	assert_refused(B, o.len, "an option runs past the end of the message");
	B[6] = 0xff, B[7] = 0xff;
	assert_refused(B, o.len, "an option runs past the end of the message");
}

static void test_refuse_fixed_sizes(void **state)
{
	static const struct {
		uint16_t code;
		const char *body;
		size_t len;
		const char *why;
	} bad[] = {
		{ D6O_ELAPSED_TIME, "", 0, "elapsed time is not 2 bytes" },
		{ D6O_ELAPSED_TIME, "abc", 3, "elapsed time is not 2 bytes" },
		{ D6O_RAPID_COMMIT, "x", 1, "rapid commit is not empty" },
		{ D6O_RECONF_ACCEPT, "x", 1, "reconfigure accept is not empty" },
		{ D6O_IA_NA, "12345678901", 11, "IA_NA shorter than 12 bytes" },
		{ D6O_IA_NA, "", 0, "IA_NA shorter than 12 bytes" },
		{ D6O_IA_TA, "123", 3, "IA_TA shorter than 4 bytes" },
		{ D6O_ORO, "\x00\x17\x00", 3, "option request of odd length" },
		{ D6O_CLIENT_FQDN, "", 0, "client FQDN without its flags byte" },
	};
	struct dhcp6_out o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start(&o, DHCP6_SOLICIT);
		put_client_id(&o);
		dhcp6_put(&o, bad[i].code, bad[i].body, bad[i].len);
		assert_out_refused(&o, bad[i].why);
	}
}

static void test_refuse_oro_over_limit(void **state)
{
	uint8_t codes[2 * (DHCP6_MAX_ORO + 1)] = { 0 };
	struct dhcp6_out o;
	struct dhcp6_msg m;

	(void)state;
	start(&o, DHCP6_SOLICIT);
	dhcp6_put(&o, D6O_ORO, codes, 2 * DHCP6_MAX_ORO);
	assert_parses(&o, &m);
	assert_int_equal(m.noro, DHCP6_MAX_ORO);
	start(&o, DHCP6_SOLICIT);
	dhcp6_put(&o, D6O_ORO, codes, sizeof(codes));
	assert_out_refused(&o, "more than 64 options requested");
}

/* DUIDs of 2 to 128 bytes; one of each identifier. */
static void test_refuse_duids(void **state)
{
	static const uint16_t codes[2] = { D6O_CLIENTID, D6O_SERVERID };
	static const char *const names[2] = { "client", "server" };
	uint8_t duid[DHCP6_DUID_MAX + 1];
	struct dhcp6_out o;
	struct dhcp6_msg m;
	char why[64];

	(void)state;
	memset(duid, 0x11, sizeof(duid));
	for (int k = 0; k < 2; k++) {
		for (size_t len = 0; len <= sizeof(duid); len++) {
			start(&o, DHCP6_RENEW);
			dhcp6_put(&o, codes[k], duid, len);
			if (len >= 2 && len <= DHCP6_DUID_MAX) {
				assert_parses(&o, &m);
				assert_int_equal(k ? m.server_id_len : m.client_id_len, len);
				continue;
			}
			snprintf(why, sizeof(why), "%s DUID %s than %s bytes", names[k],
				 len < 2 ? "shorter" : "longer", len < 2 ? "2" : "128");
			assert_out_refused(&o, why);
		}
		start(&o, DHCP6_RENEW);
		dhcp6_put(&o, codes[k], duid, 10);
		dhcp6_put(&o, codes[k], duid, 10);
		snprintf(why, sizeof(why), "more than one %s identifier", names[k]);
		assert_out_refused(&o, why);
	}
}

static void test_refuse_ia_rules(void **state)
{
	struct dhcp6_out o;
	struct dhcp6_msg m;
	size_t mark;

	(void)state;
	/* The same type and IAID twice. */
	start(&o, DHCP6_SOLICIT);
	put_ia_na(&o, 5, 0);
	put_ia_na(&o, 5, 1);
	assert_out_refused(&o, "two IAs of the same type with the same IAID");
	start(&o, DHCP6_SOLICIT);
	dhcp6_put(&o, D6O_IA_TA, "\0\0\0\5", 4);
	dhcp6_put(&o, D6O_IA_TA, "\0\0\0\5", 4);
	assert_out_refused(&o, "two IAs of the same type with the same IAID");

	/* As many IAs and addresses as the limits, then one more. */
	start(&o, DHCP6_SOLICIT);
	for (uint32_t i = 0; i < DHCP6_MAX_IAS; i++)
		put_ia_na(&o, i, i == 0 ? DHCP6_MAX_IA_ADDRS : 0);
	assert_parses(&o, &m);
	assert_int_equal(m.nias, DHCP6_MAX_IAS);
	assert_ia(&m.ias[0], D6O_IA_NA, 0, 0, 0, DHCP6_MAX_IA_ADDRS);
	assert_addr(&m.ias[0].addrs[7], 8, 100, 200);
	dhcp6_put(&o, D6O_IA_TA, "\0\0\0\1", 4);
	assert_out_refused(&o, "more than 8 IAs");
	start(&o, DHCP6_SOLICIT);
	put_ia_na(&o, 1, DHCP6_MAX_IA_ADDRS + 1);
	assert_out_refused(&o, "more than 8 addresses in one IA");

	/* An address too short, and nested options past their parent. */
	start(&o, DHCP6_SOLICIT);
	mark = dhcp6_open(&o, D6O_IA_TA);
	dhcp6_put_u32(&o, 1);
	dhcp6_put(&o, D6O_IAADDR, "0123456789abcdefPPPPVVV", 23);
	dhcp6_close(&o, mark);
	assert_out_refused(&o, "IAADDR shorter than 24 bytes");
	start(&o, DHCP6_SOLICIT);
	put_ia_na(&o, 1, 1);
	B[4 + 2 + 1] += 1;               /* the IA_NA one byte longer... */
	B[o.len++] = 0;                  /* ...over a stray byte at the end */
	assert_out_refused(&o, "an option inside an IA runs past its end");
	start(&o, DHCP6_SOLICIT);
	put_ia_na(&o, 1, 1);
	dhcp6_put(&o, D6O_RAPID_COMMIT, NULL, 0);
	B[4 + 4 + 12 + 3] += 4;          /* the IAADDR 4 bytes longer: a header */
	B[4 + 2 + 1] += 4;               /* the IA_NA too, over the rapid commit */
	B[4 + 4 + 12 + 4 + 24 + 3] = 1;  /* which now says 1 byte follows it */
	assert_out_refused(&o, "an option inside an IAADDR runs past its end");
}

/* RFC 1035 3.1 without compression; nothing after the root label. */
static void test_refuse_fqdn_names(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
	} bad[] = {
		{ BYTES("\x00\x05host") },             /* label past the end */
		{ BYTES("\x00\xc0\x0c") },             /* a compression pointer */
		{ BYTES("\x00\x40") },                 /* label type 01 */
		{ BYTES("\x00\x01" "a\x00\x01" "b") }, /* something after the root */
		{ BYTES("\x00\x00\x00") },             /* two roots */
		{ BYTES("\x00\x03" "a.b") },           /* a dot inside a label */
		{ BYTES("\x00\x03" "a\0b") },          /* a NUL inside a label */
	};
	uint8_t longest[1 + 256];
	struct dhcp6_out o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start(&o, DHCP6_SOLICIT);
		dhcp6_put(&o, D6O_CLIENT_FQDN, bad[i].bytes, bad[i].len);
		assert_out_refused(&o, "client FQDN with a malformed name");
	}
	/* One byte over: labels of 63, 63, 63 and 62 and the root are 256. */
	memset(longest, 'a', sizeof(longest));
	longest[0] = 0;
	longest[1] = longest[65] = longest[129] = 63;
	longest[193] = 62;
	longest[256] = 0;
	start(&o, DHCP6_SOLICIT);
	dhcp6_put(&o, D6O_CLIENT_FQDN, longest, sizeof(longest));
	assert_out_refused(&o, "client FQDN with a malformed name");
}

/* RFC 8415 section 9: leased is no relay's server, but reads them safely. */
static void test_refuse_relays(void **state)
{
	uint8_t relay[DHCP6_RELAY_HEADER_LEN + 4 + sizeof(dhclient_solicit)] = { 0 };
	size_t len = sizeof(relay);

	(void)state;
	relay[0] = DHCP6_RELAY_FORW;
	relay[DHCP6_RELAY_HEADER_LEN + 1] = D6O_RELAY_MSG;
	relay[DHCP6_RELAY_HEADER_LEN + 3] = sizeof(dhclient_solicit);
	memcpy(relay + DHCP6_RELAY_HEADER_LEN + 4, dhclient_solicit, sizeof(dhclient_solicit));
	assert_refused(relay, len, "relayed messages are not served");
	relay[0] = DHCP6_RELAY_REPL;
	assert_refused(relay, len, "relayed messages are not served");
	assert_refused(relay, DHCP6_RELAY_HEADER_LEN, "relayed messages are not served");
	assert_refused(relay, len - 1, "an option runs past the end of the message");
	assert_refused(relay, DHCP6_RELAY_HEADER_LEN + 3,
		       "an option runs past the end of the message");
	for (size_t cut = 4; cut < DHCP6_RELAY_HEADER_LEN; cut++)
		assert_refused(relay, cut, "relay message shorter than its header");
}

/*
 * Every prefix of a valid message: the parse succeeds exactly when the cut
 * falls between two top-level options (what is left is a valid, shorter
 * message), and never reads past the cut (the copy is exact-size).
 */
static void check_truncations(const uint8_t *p, size_t len)
{
	bool boundary[4096] = { false };
	struct dhcp6_msg *m = malloc(sizeof(*m));

	assert_non_null(m);
	assert_true(len < sizeof(boundary));
	for (size_t at = 4; at <= len; at += 4 + ((size_t)p[at + 2] << 8 | p[at + 3])) {
		boundary[at] = true;
		if (at == len)
			break;
	}
	assert_true(boundary[len]);
	for (size_t cut = 0; cut <= len; cut++) {
		const char *why = NULL;
		int r = parse(p, cut, m, &why);

		if (boundary[cut] != (r == 0))
			fail_msg("cut at %zu of %zu: %s", cut, len, r == 0 ? "accepted" : why);
	}
	free(m);
}

static void test_truncation(void **state)
{
	size_t len;

	(void)state;
	check_truncations(dhclient_solicit, sizeof(dhclient_solicit));
	len = build_request();
	check_truncations(B, len);
}

/* --- building --------------------------------------------------------- */

static const uint8_t server_duid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 1 }; /* DUID-LL */

/*
 * A REPLY to dhclient_solicit, with rapid commit: server and client id,
 * the IA_NA with two addresses, the second refused (NotOnLink inside its
 * IAADDR), an overall status, DNS servers and a search list.
 */
static size_t build_reply(uint8_t *buf, size_t cap, bool *full)
{
	static const char *const domains[] = { "lxc", "Example.COM." };
	struct in6_addr a1, a2, dns[2];
	struct dhcp6_out o;
	size_t ia;

	inet_pton(AF_INET6, "fd00::10", &a1);
	inet_pton(AF_INET6, "fd00::11", &a2);
	inet_pton(AF_INET6, "fd00::1", &dns[0]);
	inet_pton(AF_INET6, "fd00::2", &dns[1]);
	dhcp6_out_init(&o, buf, cap, DHCP6_REPLY, xid);
	dhcp6_put(&o, D6O_SERVERID, server_duid, sizeof(server_duid));
	dhcp6_put(&o, D6O_CLIENTID, dhclient_duid, 14);
	ia = dhcp6_open(&o, D6O_IA_NA);
	dhcp6_put_u32(&o, 0x3e123456);
	dhcp6_put_u32(&o, 1800);
	dhcp6_put_u32(&o, 2880);
	dhcp6_put_iaaddr(&o, &a1, 3600, 7200, -1);
	dhcp6_put_iaaddr(&o, &a2, 0, 0, D6S_NOT_ON_LINK);
	dhcp6_close(&o, ia);
	dhcp6_put_status(&o, D6S_SUCCESS, "ok");
	dhcp6_put(&o, D6O_DNS_SERVERS, dns, sizeof(dns));
	assert_int_equal(dhcp6_put_domain_list(&o, D6O_DOMAIN_LIST, domains, 2), 0);
	dhcp6_put(&o, D6O_RAPID_COMMIT, NULL, 0);
	assert_true(o.len <= cap);
	*full = o.full;
	return o.len;
}

static const uint8_t reply_bytes[] = {
	0x07, 0x5a, 0x3c, 0x1f,                         /* REPLY, the client's xid */
	0x00, 0x02, 0x00, 0x0a, 0, 3, 0, 1, 2, 0, 0, 0, 0, 1, /* SERVERID */
	0x00, 0x01, 0x00, 0x0e,                         /* CLIENTID */
	0x00, 0x01, 0x00, 0x01, 0x2d, 0x5c, 0x61, 0x0a, 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56,
	0x00, 0x03, 0x00, 0x53,                         /* IA_NA, 12 + 28 + 43 */
	0x3e, 0x12, 0x34, 0x56, 0, 0, 0x07, 0x08, 0, 0, 0x0b, 0x40, /* IAID, T1, T2 */
	0x00, 0x05, 0x00, 0x18,                         /*   IAADDR fd00::10 */
	0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	0, 0, 0x0e, 0x10, 0, 0, 0x1c, 0x20,             /*   3600, 7200 */
	0x00, 0x05, 0x00, 0x27,                         /*   IAADDR fd00::11, 24 + 15 */
	0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11,
	0, 0, 0, 0, 0, 0, 0, 0,                         /*   0, 0 */
	0x00, 0x0d, 0x00, 0x0b, 0x00, 0x04,             /*     STATUS_CODE NotOnLink */
	'N', 'o', 't', 'O', 'n', 'L', 'i', 'n', 'k',
	0x00, 0x0d, 0x00, 0x04, 0x00, 0x00, 'o', 'k',   /* STATUS_CODE Success "ok" */
	0x00, 0x17, 0x00, 0x20,                         /* DNS_SERVERS */
	0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x00, 0x18, 0x00, 0x12,                         /* DOMAIN_LIST */
	3, 'l', 'x', 'c', 0,
	7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'C', 'O', 'M', 0,
	0x00, 0x0e, 0x00, 0x00,                         /* RAPID_COMMIT */
};

static void test_build_round_trip(void **state)
{
	uint8_t buf[DHCP6_MAX_PACKET];
	struct dhcp6_msg m;
	const char *why = NULL;
	bool full;
	size_t len = build_reply(buf, sizeof(buf), &full);

	(void)state;
	assert_false(full);
	assert_int_equal(len, sizeof(reply_bytes));
	assert_memory_equal(buf, reply_bytes, len);
	assert_int_equal(parse(buf, len, &m, &why), 0);
	assert_int_equal(m.type, DHCP6_REPLY);
	assert_memory_equal(m.xid, xid, 3);
	assert_int_equal(m.server_id_len, sizeof(server_duid));
	assert_memory_equal(m.server_id, server_duid, sizeof(server_duid));
	assert_int_equal(m.client_id_len, 14);
	assert_memory_equal(m.client_id, dhclient_duid, 14);
	assert_int_equal(m.nias, 1);
	assert_ia(&m.ias[0], D6O_IA_NA, 0x3e123456, 1800, 2880, 2);
	assert_addr(&m.ias[0].addrs[0], 0x10, 3600, 7200);
	assert_addr(&m.ias[0].addrs[1], 0x11, 0, 0);
	assert_true(m.rapid_commit);
	check_truncations(buf, len);
}

/* Every cap from 0 to the whole: full and within cap, or whole and equal. */
static void test_build_every_cap(void **state)
{
	(void)state;
	for (size_t cap = 0; cap <= sizeof(reply_bytes) + 1; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1); /* exact size: ASan sees a write past it */
		bool full;
		size_t len;

		assert_non_null(buf);
		len = build_reply(cap ? buf : NULL, cap, &full);
		if (cap < sizeof(reply_bytes)) {
			assert_true(full);
			assert_true(len <= cap);
		} else {
			assert_false(full);
			assert_int_equal(len, sizeof(reply_bytes));
			assert_memory_equal(buf, reply_bytes, len);
		}
		free(buf);
	}
}

static void test_build_full_stays_full(void **state)
{
	uint8_t buf[16];
	struct dhcp6_out o;
	size_t mark;

	(void)state;
	dhcp6_out_init(&o, buf, sizeof(buf), DHCP6_ADVERTISE, xid);
	dhcp6_put(&o, D6O_PREFERENCE, "\xff", 1);
	assert_int_equal(o.len, 9);
	dhcp6_put(&o, D6O_SERVERID, server_duid, sizeof(server_duid));
	assert_true(o.full);
	assert_int_equal(o.len, 9);
	/* Something small would fit, but the reply is already lost. */
	dhcp6_put(&o, D6O_RAPID_COMMIT, NULL, 0);
	mark = dhcp6_open(&o, D6O_IA_NA);
	dhcp6_close(&o, mark);
	assert_int_equal(o.len, 9);
	/* An option over 65535 bytes cannot be said (B is never read). */
	dhcp6_out_init(&o, B, sizeof(B), DHCP6_REPLY, xid);
	dhcp6_put(&o, D6O_VENDOR_OPTS, B, 70000);
	assert_true(o.full);
	assert_int_equal(o.len, 4);
}

static void test_build_names(void **state)
{
	static const char *const bad[] = {
		"", ".", "a..b", ".a", "a.b..",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b", /* 64 */
	};
	static const char *const list[] = { "ok", NULL };
	char longest[256];
	struct dhcp6_out o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dhcp6_out_init(&o, B, sizeof(B), DHCP6_REPLY, xid);
		assert_int_equal(dhcp6_put_name(&o, bad[i]), -1);
		assert_int_equal(dhcp6_put_domain_list(&o, D6O_DOMAIN_LIST, &bad[i], 1), -1);
		assert_int_equal(o.len, 4); /* nothing written */
		assert_false(o.full);
	}
	assert_int_equal(dhcp6_put_domain_list(&o, D6O_DOMAIN_LIST, list, 2), -1);
	assert_int_equal(dhcp6_put_name(&o, NULL), -1);
	assert_int_equal(o.len, 4);
	/* 63 + 63 + 63 + 61 characters and 3 dots: 255 bytes on the wire. */
	memset(longest, 'a', sizeof(longest));
	longest[63] = longest[127] = longest[191] = '.';
	longest[253] = '\0';
	assert_int_equal(dhcp6_put_name(&o, longest), 0);
	assert_int_equal(o.len, 4 + 255);
	assert_int_equal(o.p[4 + 255 - 1], 0);
	longest[253] = 'a';
	longest[254] = '\0';
	assert_int_equal(dhcp6_put_name(&o, longest), -1);
	/* One trailing dot is the root label written out. */
	dhcp6_out_init(&o, B, sizeof(B), DHCP6_REPLY, xid);
	assert_int_equal(dhcp6_put_name(&o, "a.b."), 0);
	assert_int_equal(o.len, 4 + 5);
	assert_memory_equal(o.p + 4, "\x01" "a\x01" "b\x00", 5);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(dhcp6_type_name(DHCP6_SOLICIT), "SOLICIT");
	assert_string_equal(dhcp6_type_name(DHCP6_INFORMATION_REQUEST), "INFORMATION-REQUEST");
	assert_string_equal(dhcp6_type_name(DHCP6_RELAY_REPL), "RELAY-REPL");
	assert_string_equal(dhcp6_type_name(0), "UNKNOWN");
	assert_string_equal(dhcp6_type_name(14), "UNKNOWN");
	assert_string_equal(dhcp6_type_name(255), "UNKNOWN");
	assert_string_equal(dhcp6_status_name(D6S_SUCCESS), "Success");
	assert_string_equal(dhcp6_status_name(D6S_NO_ADDRS_AVAIL), "NoAddrsAvail");
	assert_string_equal(dhcp6_status_name(D6S_NO_PREFIX_AVAIL), "NoPrefixAvail");
	assert_string_equal(dhcp6_status_name(7), "unknown status");
	assert_string_equal(dhcp6_status_name(65535), "unknown status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_dhclient_solicit),
		cmocka_unit_test(test_parse_request),
		cmocka_unit_test(test_parse_header_only),
		cmocka_unit_test(test_parse_fqdn_forms),
		cmocka_unit_test(test_parse_skips_unknown_and_counts_ia_pd),
		cmocka_unit_test(test_parse_first_instance_counts),
		cmocka_unit_test(test_refuse_overrun),
		cmocka_unit_test(test_refuse_fixed_sizes),
		cmocka_unit_test(test_refuse_oro_over_limit),
		cmocka_unit_test(test_refuse_duids),
		cmocka_unit_test(test_refuse_ia_rules),
		cmocka_unit_test(test_refuse_fqdn_names),
		cmocka_unit_test(test_refuse_relays),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_build_round_trip),
		cmocka_unit_test(test_build_every_cap),
		cmocka_unit_test(test_build_full_stays_full),
		cmocka_unit_test(test_build_names),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
