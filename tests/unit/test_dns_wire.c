/*
 * Tests for dns_wire: names (escapes, limits, compression pointers and
 * the loops they must not allow), reverse names, RDATA builders, query
 * parsing with EDNS and RFC 7873 cookies, the reply reader on every
 * prefix of a message, and the reply writer's compression, truncation,
 * flags (NOTIMP for other opcodes without RA, AD, CD), BADVERS and the
 * EDNS size it advertises.  Messages that no good peer sends are written
 * byte by byte with the tmsg helpers.
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

#include "dns/dns_wire.h"
#include "core/util.h"

/* ---- A raw message writer --------------------------------------------- */

struct tmsg {
	uint8_t b[20000];
	size_t len;
};

static void t_bytes(struct tmsg *m, const void *p, size_t n)
{
	assert_true(m->len + n <= sizeof(m->b));
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void t_u16(struct tmsg *m, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	t_bytes(m, x, 2);
}

static void t_u32(struct tmsg *m, uint32_t v)
{
	t_u16(m, (uint16_t)(v >> 16));
	t_u16(m, (uint16_t)v);
}

static void t_name(struct tmsg *m, const char *name)
{
	int n = dns_name_to_wire(name, m->b + m->len, sizeof(m->b) - m->len);

	assert_true(n > 0);
	m->len += (size_t)n;
}

static void t_header(struct tmsg *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
		     uint16_t ns, uint16_t ar)
{
	m->len = 0;
	t_u16(m, id);
	t_u16(m, flags);
	t_u16(m, qd);
	t_u16(m, an);
	t_u16(m, ns);
	t_u16(m, ar);
}

static void t_question(struct tmsg *m, const char *name, uint16_t type, uint16_t class)
{
	t_name(m, name);
	t_u16(m, type);
	t_u16(m, class);
}

static void t_rr(struct tmsg *m, const char *owner, uint16_t type, uint32_t ttl,
		 const void *rdata, uint16_t rdlen)
{
	t_name(m, owner);
	t_u16(m, type);
	t_u16(m, DNS_C_IN);
	t_u32(m, ttl);
	t_u16(m, rdlen);
	t_bytes(m, rdata, rdlen);
}

/* An OPT record: root owner, CLASS = size, TTL = ext rcode/version/DO. */
static void t_opt(struct tmsg *m, uint16_t size, uint32_t ttl)
{
	t_bytes(m, "", 1);
	t_u16(m, DNS_T_OPT);
	t_u16(m, size);
	t_u32(m, ttl);
	t_u16(m, 0);
}

/* An OPT record whose RDATA holds one option (RFC 6891 section 6.1.2). */
static void t_opt_option(struct tmsg *m, uint16_t size, uint16_t code, const void *data,
			 uint16_t len)
{
	t_bytes(m, "", 1);
	t_u16(m, DNS_T_OPT);
	t_u16(m, size);
	t_u32(m, 0);
	t_u16(m, (uint16_t)(len + 4));
	t_u16(m, code);
	t_u16(m, len);
	t_bytes(m, data, len);
}

/* A standard query; edns_size 0 means without an OPT record. */
static void t_query(struct tmsg *m, const char *qname, uint16_t qtype, uint16_t flags,
		    uint16_t edns_size, uint32_t opt_ttl)
{
	t_header(m, 0x1234, flags, 1, 0, 0, edns_size ? 1 : 0);
	t_question(m, qname, qtype, DNS_C_IN);
	if (edns_size)
		t_opt(m, edns_size, opt_ttl);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

/* An exact-size heap copy: ASan catches a read one byte past the end. */
static uint8_t *exact_copy(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	if (len)
		memcpy(c, p, len);
	return c;
}

/* ---- Reading replies back --------------------------------------------- */

#define PARSED_MAX 160

struct parsed {
	struct dns_reader r;
	size_t n;
	struct dns_rr_buf rr[PARSED_MAX];
};

/* Every record of msg into pr; the count, or -1 if the reader fails. */
static int read_all(const uint8_t *msg, size_t len, struct parsed *pr)
{
	int rc = 0;

	pr->n = 0;
	if (dns_reader_init(&pr->r, msg, len) < 0)
		return -1;
	while (pr->n < PARSED_MAX && (rc = dns_reader_next(&pr->r, &pr->rr[pr->n])) == 1)
		pr->n++;
	if (pr->n == PARSED_MAX || rc < 0)
		return -1;
	return (int)pr->n;
}

static struct parsed *new_parsed(void)
{
	struct parsed *pr = calloc(1, sizeof(*pr));

	assert_non_null(pr);
	return pr;
}

static size_t count_section(const struct parsed *pr, enum dns_section s, uint16_t type)
{
	size_t n = 0;

	for (size_t i = 0; i < pr->n; i++)
		if (pr->rr[i].section == s && (!type || pr->rr[i].rr.type == type))
			n++;
	return n;
}

static const struct dns_rr *find_opt(const struct parsed *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		if (pr->rr[i].rr.type == DNS_T_OPT)
			return &pr->rr[i].rr;
	return NULL;
}

static struct dns_query parse_ok(const struct tmsg *m)
{
	struct dns_query q;

	assert_int_equal(dns_parse_query(m->b, m->len, &q), DNS_R_NOERROR);
	return q;
}

/* ---- Names ------------------------------------------------------------ */

static void test_name_to_wire(void **state)
{
	uint8_t w[DNS_WIRE_NAME_MAX + 10];
	char label63[64], name[300];

	(void)state;
	assert_int_equal(dns_name_to_wire("c1.lxc", w, sizeof(w)), 8);
	assert_memory_equal(w, "\002c1\003lxc\000", 8);
	assert_int_equal(dns_name_to_wire("c1.lxc.", w, sizeof(w)), 8);
	assert_memory_equal(w, "\002c1\003lxc\000", 8);
	assert_int_equal(dns_name_to_wire("", w, sizeof(w)), 1);
	assert_int_equal(w[0], 0);
	assert_int_equal(dns_name_to_wire(".", w, sizeof(w)), 1);
	/* Empty labels, broken escapes. */
	assert_int_equal(dns_name_to_wire("a..b", w, sizeof(w)), -1);
	assert_int_equal(dns_name_to_wire(".a", w, sizeof(w)), -1);
	assert_int_equal(dns_name_to_wire("..", w, sizeof(w)), -1);
	assert_int_equal(dns_name_to_wire("a..", w, sizeof(w)), -1);
	assert_int_equal(dns_name_to_wire("a\\", w, sizeof(w)), -1);
	assert_int_equal(dns_name_to_wire("a\\25", w, sizeof(w)), -1);
	assert_int_equal(dns_name_to_wire("a\\256", w, sizeof(w)), -1);
	/* Not enough room in out. */
	assert_int_equal(dns_name_to_wire("c1.lxc", w, 7), -1);
	/* 63-octet labels are fine, 64 are not. */
	memset(label63, 'x', 63);
	label63[63] = '\0';
	assert_int_equal(dns_name_to_wire(label63, w, sizeof(w)), 65);
	snprintf(name, sizeof(name), "%sy", label63);
	assert_int_equal(dns_name_to_wire(name, w, sizeof(w)), -1);
	/* 255 octets in all: 3 x (1+63) + (1+61) + root; one more is too many. */
	snprintf(name, sizeof(name), "%s.%s.%s.%.61s", label63, label63, label63, label63);
	assert_int_equal(dns_name_to_wire(name, w, sizeof(w)), 255);
	snprintf(name, sizeof(name), "%s.%s.%s.%.62s", label63, label63, label63, label63);
	assert_int_equal(dns_name_to_wire(name, w, sizeof(w)), -1);
}

/* Put a name in wire form at offset 12 of a message and read it back. */
static int read_back(const uint8_t *wire, size_t wlen, char *out, size_t outlen)
{
	struct tmsg m;
	size_t off = DNS_HEADER_LEN;

	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, wire, wlen);
	if (dns_name_read(m.b, m.len, &off, out, outlen) < 0)
		return -1;
	assert_int_equal(off, m.len);
	return 0;
}

static void test_name_escapes(void **state)
{
	uint8_t w[DNS_WIRE_NAME_MAX], back[DNS_WIRE_NAME_MAX];
	char text[DNS_NAME_STR];

	(void)state;
	assert_int_equal(dns_name_to_wire("a\\.b.c", w, sizeof(w)), 7);
	assert_memory_equal(w, "\003a.b\001c\000", 7);
	assert_int_equal(read_back(w, 7, text, sizeof(text)), 0);
	assert_string_equal(text, "a\\.b.c");
	assert_int_equal(dns_name_to_wire("x\\\\y", w, sizeof(w)), 5);
	assert_memory_equal(w, "\003x\\y\000", 5);
	assert_int_equal(read_back(w, 5, text, sizeof(text)), 0);
	assert_string_equal(text, "x\\\\y");
	/* \DDD in; printable octets come back plain, others as \DDD. */
	assert_int_equal(dns_name_to_wire("\\065\\000 \\255", w, sizeof(w)), 6);
	assert_memory_equal(w, "\004A\000 \377\000", 6);
	assert_int_equal(read_back(w, 6, text, sizeof(text)), 0);
	assert_string_equal(text, "A\\000\\032\\255");
	/* Every octet value survives wire → text → wire. */
	for (int start = 0; start < 256; start += 60) {
		size_t n = 0;

		for (int part = 0; part < 4 && start + part * 15 < 256; part++) {
			int k = MIN(15, 256 - (start + part * 15));

			w[n++] = (uint8_t)k;
			for (int i = 0; i < k; i++)
				w[n++] = (uint8_t)(start + part * 15 + i);
		}
		w[n++] = 0;
		assert_int_equal(read_back(w, n, text, sizeof(text)), 0);
		assert_int_equal(dns_name_to_wire(text, back, sizeof(back)), (int)n);
		assert_memory_equal(back, w, n);
	}
	/* Too small an output buffer fails instead of cutting the name. */
	assert_int_equal(dns_name_to_wire("abc.def", w, sizeof(w)), 9);
	assert_int_equal(read_back(w, 9, text, 7), -1);
	assert_int_equal(read_back(w, 9, text, 8), 0);
}

static void test_name_read_pointers(void **state)
{
	struct tmsg m;
	char text[DNS_NAME_STR];
	size_t off, a, b;

	(void)state;
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_name(&m, "example.lxc");            /* at 12 */
	a = m.len;
	t_bytes(&m, "\001a\300\014", 4);      /* "a" + pointer to 12 */
	b = m.len;
	t_bytes(&m, "\001b\300", 3);          /* "b" + pointer to a */
	t_bytes(&m, (uint8_t[]){ (uint8_t)a }, 1);
	t_bytes(&m, "\300\024", 2);           /* a bare pointer to "lxc" (20) */
	off = b;
	assert_int_equal(dns_name_read(m.b, m.len, &off, text, sizeof(text)), 0);
	assert_string_equal(text, "b.a.example.lxc");
	/* The pointer takes two bytes in place, whatever it expands to. */
	assert_int_equal(off, b + 4);
	assert_int_equal(dns_name_read(m.b, m.len, &off, text, sizeof(text)), 0);
	assert_string_equal(text, "lxc");
	assert_int_equal(off, b + 6);
	off = a;
	assert_int_equal(dns_name_read(m.b, m.len, &off, text, sizeof(text)), 0);
	assert_string_equal(text, "a.example.lxc");
	assert_int_equal(off, a + 4);
}

static void assert_read_fails(const struct tmsg *m, size_t off)
{
	char text[DNS_NAME_STR];
	size_t o = off;
	uint8_t *copy = exact_copy(m->b, m->len);

	assert_int_equal(dns_name_read(copy, m->len, &o, text, sizeof(text)), -1);
	assert_int_equal(o, off);
	free(copy);
}

static void test_name_read_rejects_loops(void **state)
{
	struct tmsg m;

	(void)state;
	/* A pointer to itself. */
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, "\300\014", 2);
	assert_read_fails(&m, 12);
	/* A forward pointer, even to a good name. */
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, "\300\016\000", 3);
	assert_read_fails(&m, 12);
	/* A pointer back to the start of its own labels: "a.a.a..." forever. */
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, "\001a\300\014", 4);
	assert_read_fails(&m, 12);
	/* Two names pointing at each other: 12 → 16, 16 → 12. */
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, "\001a\300\020\001b\300\014", 8);
	assert_read_fails(&m, 12);
	assert_read_fails(&m, 16);
	/* Label types 01 and 10 do not exist. */
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, "\101a\000", 3);
	assert_read_fails(&m, 12);
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, "\201a\000", 3);
	assert_read_fails(&m, 12);
	/* Cut short: in a label, before the root, in a pointer. */
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, "\003ab", 3);
	assert_read_fails(&m, 12);
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, "\002ab", 3);
	assert_read_fails(&m, 12);
	t_header(&m, 0, 0, 0, 0, 0, 0);
	t_bytes(&m, "\000\300", 2);
	assert_read_fails(&m, 13);
}

/* Pointers can build a name over 255 octets from short pieces: refused. */
static void test_name_read_rejects_long(void **state)
{
	struct tmsg m;
	uint8_t label[64];
	char text[DNS_NAME_STR];
	size_t at[4], off;

	(void)state;
	label[0] = 63;
	memset(label + 1, 'x', 63);
	t_header(&m, 0, 0, 0, 0, 0, 0);
	at[0] = m.len;
	t_bytes(&m, label, 64);
	t_bytes(&m, "", 1);
	/* Each next name is one label plus a pointer to the one before. */
	for (int i = 1; i < 4; i++) {
		at[i] = m.len;
		t_bytes(&m, label, 64);
		t_bytes(&m, (uint8_t[]){ 0xc0, (uint8_t)at[i - 1] }, 2);
	}
	/* 3 x 64 + 1 = 193 octets are fine, 4 x 64 + 1 = 257 are not. */
	off = at[2];
	assert_int_equal(dns_name_read(m.b, m.len, &off, text, sizeof(text)), 0);
	assert_int_equal(strlen(text), 3 * 63 + 2);
	assert_read_fails(&m, at[3]);
}

static void test_name_equal_and_lower(void **state)
{
	char out[DNS_NAME_STR];

	(void)state;
	assert_true(dns_name_equal("C1.LXC", "c1.lxc"));
	assert_true(dns_name_equal("c1.lxc.", "c1.lxc"));
	assert_true(dns_name_equal("\\065bc", "abc"));
	assert_true(dns_name_equal("a\\.b", "A\\046B"));
	assert_true(dns_name_equal("", "."));
	assert_false(dns_name_equal("a\\.b", "a.b"));
	assert_false(dns_name_equal("c1.lxc", "c1.lxd"));
	assert_false(dns_name_equal("c1", "c1.lxc"));
	/* Only ASCII folds: 0xc1 and 0xe1 differ. */
	assert_false(dns_name_equal("\\193", "\\225"));
	assert_string_equal(dns_name_lower("Foo.\\066AR.", out, sizeof(out)), "foo.bar");
	assert_string_equal(dns_name_lower("A\\.B", out, sizeof(out)), "a\\.b");
	assert_string_equal(dns_name_lower("", out, sizeof(out)), "");
	/* lower() agrees with equal(). */
	assert_true(dns_name_equal(dns_name_lower("MiXeD.Lxc", out, sizeof(out)), "mixed.LXC"));
}

static void test_name_in_domain(void **state)
{
	(void)state;
	assert_true(dns_name_in_domain("a.lxc", "lxc"));
	assert_true(dns_name_in_domain("a.b.LXC", "lxc"));
	assert_true(dns_name_in_domain("lxc", "lxc"));
	assert_true(dns_name_in_domain("lxc.", "LXC"));
	assert_true(dns_name_in_domain("anything.at.all", ""));
	assert_true(dns_name_in_domain("", ""));
	assert_false(dns_name_in_domain("xlxc", "lxc"));
	assert_false(dns_name_in_domain("a.xlxc", "lxc"));
	assert_false(dns_name_in_domain("lxc", "a.lxc"));
	assert_false(dns_name_in_domain("", "lxc"));
	/* An escaped dot is not a label boundary. */
	assert_false(dns_name_in_domain("a\\.lxc", "lxc"));
	assert_true(dns_name_in_domain("b.a\\.lxc", "a\\.lxc"));
	assert_false(dns_name_in_domain("a..lxc", "lxc"));
	/* Same length at a label boundary is not enough. */
	assert_false(dns_name_in_domain("a.lxd", "lxc"));
	/* Octets inside a label that look like a label are not one. */
	assert_false(dns_name_in_domain("a\\003lxc", "lxc"));
}

static void test_name_labels(void **state)
{
	(void)state;
	assert_int_equal(dns_name_labels(""), 0);
	assert_int_equal(dns_name_labels("c1"), 1);
	assert_int_equal(dns_name_labels("c1.lxc"), 2);
	assert_int_equal(dns_name_labels("a\\.b.lxc."), 2);
	assert_int_equal(dns_name_labels("a..b"), -1);
}

/* ---- Reverse names ---------------------------------------------------- */

static void test_reverse_v4(void **state)
{
	struct in_addr a;
	char name[DNS_NAME_STR];
	uint8_t out[16];
	int family = 0;

	(void)state;
	inet_pton(AF_INET, "10.0.3.5", &a);
	assert_int_equal(dns_reverse_name(AF_INET, &a, name, sizeof(name)), 21);
	assert_string_equal(name, "5.3.0.10.in-addr.arpa");
	assert_int_equal(dns_reverse_name(AF_INET, &a, name, 21), -1);
	assert_int_equal(dns_reverse_addr("5.3.0.10.IN-ADDR.Arpa.", &family, out), 0);
	assert_int_equal(family, AF_INET);
	assert_memory_equal(out, &a.s_addr, 4);
	assert_int_equal(dns_reverse_addr("255.0.0.0.in-addr.arpa", &family, out), 0);
	assert_memory_equal(out, "\000\000\000\377", 4);
	/* Not a whole address, or not an address at all. */
	assert_int_equal(dns_reverse_addr("3.0.10.in-addr.arpa", &family, out), -1);
	assert_int_equal(dns_reverse_addr("1.5.3.0.10.in-addr.arpa", &family, out), -1);
	assert_int_equal(dns_reverse_addr("256.3.0.10.in-addr.arpa", &family, out), -1);
	assert_int_equal(dns_reverse_addr("05.3.0.10.in-addr.arpa", &family, out), -1);
	assert_int_equal(dns_reverse_addr("x.3.0.10.in-addr.arpa", &family, out), -1);
	assert_int_equal(dns_reverse_addr("5.3.0.10.in-addr.arpa.lxc", &family, out), -1);
	assert_int_equal(dns_reverse_addr("in-addr.arpa", &family, out), -1);
	assert_int_equal(dns_reverse_name(AF_UNSPEC, &a, name, sizeof(name)), -1);
}

static void test_reverse_v6(void **state)
{
	struct in6_addr a;
	char name[DNS_NAME_STR], upper[DNS_NAME_STR];
	uint8_t out[16];
	int family = 0;
	const char *want = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";

	(void)state;
	inet_pton(AF_INET6, "2001:db8::1", &a);
	assert_int_equal(dns_reverse_name(AF_INET6, &a, name, sizeof(name)), (int)strlen(want));
	assert_string_equal(name, want);
	assert_int_equal(dns_reverse_addr(name, &family, out), 0);
	assert_int_equal(family, AF_INET6);
	assert_memory_equal(out, &a, 16);
	/* Upper-case nibbles and suffix. */
	inet_pton(AF_INET6, "fd00:abcd::ef", &a);
	assert_true(dns_reverse_name(AF_INET6, &a, name, sizeof(name)) > 0);
	for (size_t i = 0; name[i]; i++)
		upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
	upper[strlen(name)] = '\0';
	family = 0;
	assert_int_equal(dns_reverse_addr(upper, &family, out), 0);
	assert_int_equal(family, AF_INET6);
	assert_memory_equal(out, &a, 16);
	/* 31 nibbles, a two-character label, a non-hex digit. */
	assert_int_equal(dns_reverse_addr(name + 2, &family, out), -1);
	name[0] = 'g';
	assert_int_equal(dns_reverse_addr(name, &family, out), -1);
	assert_int_equal(dns_reverse_addr("10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
					  &family, out), -1);
	assert_int_equal(dns_reverse_name(AF_INET6, &a, name, 20), -1);
}

/* ---- RDATA builders and type names ------------------------------------ */

static void test_rdata_builders(void **state)
{
	uint8_t out[700];
	char long_text[301];
	const char *strs[2] = { long_text, "" };

	(void)state;
	assert_int_equal(dns_rdata_name("c1.lxc", out, sizeof(out)), 8);
	assert_int_equal(dns_rdata_mx(10, "mx.lxc", out, sizeof(out)), 10);
	assert_memory_equal(out, "\000\012\002mx\003lxc\000", 10);
	assert_int_equal(dns_rdata_srv(1, 2, 389, "ldap.lxc", out, sizeof(out)), 16);
	assert_memory_equal(out, "\000\001\000\002\001\205\004ldap\003lxc\000", 16);
	assert_int_equal(dns_rdata_soa("ns.lxc", "root.lxc", 7, 1, 2, 3, 4, out, sizeof(out)),
			 8 + 10 + 20);
	assert_memory_equal(out, "\002ns\003lxc\000\004root\003lxc\000", 18);
	assert_int_equal(rd32(out + 18), 7);
	assert_int_equal(rd32(out + 34), 4);
	/* 300 characters: split 255 + 45, then the empty string. */
	memset(long_text, 't', 300);
	long_text[300] = '\0';
	assert_int_equal(dns_rdata_txt(strs, 2, out, sizeof(out)), 1 + 255 + 1 + 45 + 1);
	assert_int_equal(out[0], 255);
	assert_int_equal(out[256], 45);
	assert_int_equal(out[302], 0);
	assert_int_equal(dns_rdata_txt(NULL, 0, out, sizeof(out)), 1);
	/* Not enough room, bad names. */
	assert_int_equal(dns_rdata_txt(strs, 2, out, 302), -1);
	assert_int_equal(dns_rdata_mx(10, "mx.lxc", out, 9), -1);
	assert_int_equal(dns_rdata_srv(1, 2, 3, "a..b", out, sizeof(out)), -1);
	assert_int_equal(dns_rdata_soa("ns.lxc", "root.lxc", 7, 1, 2, 3, 4, out, 37), -1);
}

static void test_type_names(void **state)
{
	char buf[16];
	static const struct {
		uint16_t t;
		const char *n;
	} want[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
		{ 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" }, { 35, "NAPTR" },
		{ 41, "OPT" }, { 43, "DS" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" },
		{ 64, "SVCB" }, { 65, "HTTPS" }, { 255, "ANY" }, { 257, "CAA" },
		{ 99, "TYPE99" }, { 65535, "TYPE65535" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(dns_type_name(want[i].t, buf, sizeof(buf)), want[i].n);
}

/* ---- Parsing queries -------------------------------------------------- */

static void test_parse_query(void **state)
{
	struct tmsg m;
	struct dns_query q;

	(void)state;
	t_query(&m, "WwW.ExAmple.LXC", DNS_T_AAAA, DNS_F_RD | DNS_F_CD, 0, 0);
	q = parse_ok(&m);
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(q.flags, DNS_F_RD | DNS_F_CD);
	assert_string_equal(q.qname, "WwW.ExAmple.LXC");
	assert_int_equal(q.qtype, DNS_T_AAAA);
	assert_int_equal(q.qclass, DNS_C_IN);
	assert_false(q.has_edns);
	/* Trailing bytes after the declared records are ignored. */
	t_bytes(&m, "junk", 4);
	q = parse_ok(&m);
	assert_string_equal(q.qname, "WwW.ExAmple.LXC");
	/* Answer and authority records are skipped, whole or not at all. */
	t_header(&m, 7, 0, 1, 1, 1, 0);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_rr(&m, "c1.lxc", DNS_T_A, 60, "\012\000\003\005", 4);
	t_rr(&m, "lxc", DNS_T_NS, 60, "\002ns\000", 4);
	q = parse_ok(&m);
	assert_string_equal(q.qname, "c1.lxc");
	m.len--;
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
}

static void test_parse_query_edns(void **state)
{
	struct tmsg m;
	struct dns_query q;

	(void)state;
	t_query(&m, "c1.lxc", DNS_T_A, 0, 4096, 0);
	q = parse_ok(&m);
	assert_true(q.has_edns);
	assert_int_equal(q.edns_size, 4096);
	assert_int_equal(q.edns_version, 0);
	assert_false(q.edns_do);
	/* RFC 6891 section 6.2.5: below 512 counts as 512. */
	t_query(&m, "c1.lxc", DNS_T_A, 0, 100, 0x00008000);
	q = parse_ok(&m);
	assert_int_equal(q.edns_size, 512);
	assert_true(q.edns_do);
	/* A version the caller answers with BADVERS. */
	t_query(&m, "c1.lxc", DNS_T_A, 0, 1232, 0x00010000);
	q = parse_ok(&m);
	assert_int_equal(q.edns_version, 1);
	/* An OPT among other additional records is found. */
	t_header(&m, 1, 0, 1, 0, 0, 2);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_rr(&m, "x.lxc", DNS_T_A, 1, "\001\002\003\004", 4);
	t_opt(&m, 1400, 0);
	q = parse_ok(&m);
	assert_int_equal(q.edns_size, 1400);
}

static void test_parse_query_bad_opt(void **state)
{
	struct tmsg m;
	struct dns_query q;

	(void)state;
	/* Two OPT records: FORMERR, answered with an OPT (RFC 6891 section 7). */
	t_header(&m, 9, 0, 1, 0, 0, 2);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_opt(&m, 1232, 0);
	t_opt(&m, 1232, 0);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
	assert_int_equal(q.id, 9);
	assert_true(q.has_edns);
	/* An OPT whose owner is not the root. */
	t_header(&m, 9, 0, 1, 0, 0, 1);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_name(&m, "lxc");
	t_u16(&m, DNS_T_OPT);
	t_u16(&m, 1232);
	t_u32(&m, 0);
	t_u16(&m, 0);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
	assert_true(q.has_edns);
	/* An OPT in the answer section is not EDNS; it is just skipped. */
	t_header(&m, 9, 0, 1, 1, 0, 0);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_opt(&m, 1232, 0);
	q = parse_ok(&m);
	assert_false(q.has_edns);
}

static void test_parse_query_header_errors(void **state)
{
	struct tmsg m;
	struct dns_query q;

	(void)state;
	/* Opcodes other than QUERY: NOTIMP, id and flags kept for the reply. */
	t_query(&m, "c1.lxc", DNS_T_A, 2 << 11 | DNS_F_RD, 0, 0);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_NOTIMP);
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(DNS_OPCODE(q.flags), 2);
	t_query(&m, "lxc", DNS_T_SOA, 5 << 11, 0, 0);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_NOTIMP);
	/* A response. */
	t_query(&m, "c1.lxc", DNS_T_A, DNS_F_QR, 0, 0);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
	assert_string_equal(q.qname, "");
	/* No question, two questions. */
	t_header(&m, 3, 0, 0, 0, 0, 0);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
	assert_int_equal(q.id, 3);
	t_header(&m, 3, 0, 2, 0, 0, 0);
	t_question(&m, "a.lxc", DNS_T_A, DNS_C_IN);
	t_question(&m, "b.lxc", DNS_T_A, DNS_C_IN);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
	assert_string_equal(q.qname, "");
	/* Too short for a header: nothing to answer. */
	assert_int_equal(dns_parse_query(m.b, 11, &q), -1);
	assert_int_equal(dns_parse_query(m.b, 0, &q), -1);
}

/* Every strict prefix of a good query is refused, without over-reading. */
static void test_parse_query_prefixes(void **state)
{
	struct tmsg m;
	struct dns_query q;

	(void)state;
	/* With an OPT last, and with the question last. */
	for (int edns = 0; edns < 2; edns++) {
		t_query(&m, "host.example.lxc", DNS_T_A, DNS_F_RD, edns ? 1232 : 0, 0);
		for (size_t len = 0; len < m.len; len++) {
			uint8_t *copy = exact_copy(m.b, len);

			assert_int_equal(dns_parse_query(copy, len, &q),
					 len < DNS_HEADER_LEN ? -1 : DNS_R_FORMERR);
			free(copy);
		}
		parse_ok(&m);
	}
}

/* ---- Building and reading replies ------------------------------------- */

struct records {
	uint8_t data[4096];
	size_t used;
	struct dns_rr rr[64];
	size_t n;
};

/* A record with a copy of rdata (rdlen < 0: the builder that made it failed). */
static void add_rr(struct records *rs, const char *owner, uint16_t type, const void *rdata,
		   int rdlen)
{
	size_t i = rs->n;

	assert_true(rdlen >= 0);
	assert_true(i < 64 && rs->used + (size_t)rdlen <= sizeof(rs->data));
	memcpy(rs->data + rs->used, rdata, (size_t)rdlen);
	rs->rr[i] = (struct dns_rr){ .owner = owner, .type = type, .class = DNS_C_IN,
				     .ttl = 300 + (uint32_t)i, .rdata = rs->data + rs->used,
				     .rdlen = (uint16_t)rdlen };
	rs->used += (size_t)rdlen;
	rs->n = i + 1;
}

/* Where the RDATA builders write before add_rr copies it. */
static uint8_t scratch[1024];
#define SCRATCH scratch, sizeof(scratch)

static void assert_rr_equal(const struct dns_rr_buf *got, const struct dns_rr *want,
			    enum dns_section s)
{
	assert_int_equal(got->section, s);
	assert_true(dns_name_equal(got->rr.owner, want->owner));
	assert_int_equal(got->rr.type, want->type);
	assert_int_equal(got->rr.class, want->class);
	assert_int_equal(got->rr.ttl, want->ttl);
	assert_int_equal(got->rr.rdlen, want->rdlen);
	assert_memory_equal(got->rr.rdata, want->rdata, want->rdlen);
}

static void test_every_type_round_trip(void **state)
{
	static struct records rs;
	struct tmsg m;
	struct dns_query q;
	struct dns_answer a = { .rcode = DNS_R_NOERROR };
	struct parsed *pr = new_parsed();
	uint8_t buf[DNS_TCP_MAX];
	char long_text[600];
	const char *txt[2] = { long_text, "short" };
	struct in6_addr v6;
	size_t len;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	memset(long_text, 'L', 599);
	long_text[599] = '\0';
	inet_pton(AF_INET6, "fd00::5", &v6);
	add_rr(&rs, "c1.lxc", DNS_T_A, "\012\000\003\005", 4);
	add_rr(&rs, "c1.lxc", DNS_T_AAAA, &v6, 16);
	add_rr(&rs, "www.lxc", DNS_T_CNAME, scratch, dns_rdata_name("c1.lxc", SCRATCH));
	add_rr(&rs, "5.3.0.10.in-addr.arpa", DNS_T_PTR, scratch, dns_rdata_name("c1.lxc", SCRATCH));
	add_rr(&rs, "lxc", DNS_T_NS, scratch, dns_rdata_name("ns1.lxc", SCRATCH));
	add_rr(&rs, "lxc", DNS_T_MX, scratch, dns_rdata_mx(10, "mail.lxc", SCRATCH));
	add_rr(&rs, "_ldap._tcp.lxc", DNS_T_SRV, scratch, dns_rdata_srv(0, 5, 389, "c1.lxc", SCRATCH));
	add_rr(&rs, "c1.lxc", DNS_T_TXT, scratch, dns_rdata_txt(txt, 2, SCRATCH));
	add_rr(&rs, "lxc", DNS_T_SOA, scratch,
	    dns_rdata_soa("ns1.lxc", "hostmaster.lxc", 1, 1200, 180, 1209600, 600, SCRATCH));
	add_rr(&rs, "ns1.lxc", DNS_T_A, "\012\000\003\001", 4);
	a.rrs[DNS_SEC_ANSWER] = rs.rr;
	a.n[DNS_SEC_ANSWER] = 8;
	a.rrs[DNS_SEC_AUTHORITY] = rs.rr + 8;
	a.n[DNS_SEC_AUTHORITY] = 1;
	a.rrs[DNS_SEC_ADDITIONAL] = rs.rr + 9;
	a.n[DNS_SEC_ADDITIONAL] = 1;

	t_query(&m, "c1.lxc", DNS_T_ANY, DNS_F_RD, 4096, 0);
	q = parse_ok(&m);
	len = dns_write_reply(buf, DNS_TCP_MAX, &q, &a);
	assert_int_equal(read_all(buf, len, pr), 11);
	assert_string_equal(pr->r.qname, "c1.lxc");
	assert_int_equal(pr->r.qtype, DNS_T_ANY);
	assert_int_equal(pr->r.count[1], 8);
	assert_int_equal(pr->r.count[2], 1);
	assert_int_equal(pr->r.count[3], 2);
	for (size_t i = 0; i < 8; i++)
		assert_rr_equal(&pr->rr[i], &rs.rr[i], DNS_SEC_ANSWER);
	assert_rr_equal(&pr->rr[8], &rs.rr[8], DNS_SEC_AUTHORITY);
	assert_rr_equal(&pr->rr[9], &rs.rr[9], DNS_SEC_ADDITIONAL);
	/* The reader hands out the OPT like any record; the caller decides. */
	assert_int_equal(pr->rr[10].section, DNS_SEC_ADDITIONAL);
	assert_int_equal(pr->rr[10].rr.type, DNS_T_OPT);
	assert_string_equal(pr->rr[10].rr.owner, "");
	free(pr);
}

static void test_compression(void **state)
{
	static struct records rs;
	struct dns_builder b;
	struct parsed *pr = new_parsed();
	uint8_t buf[1024], want[DNS_WIRE_NAME_MAX];
	size_t uncompressed = 0;
	int wl;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	for (int i = 0; i < 5; i++)
		add_rr(&rs, "host.example.lxc", DNS_T_A, (uint8_t[]){ 10, 0, 3, (uint8_t)i }, 4);
	add_rr(&rs, "alias.example.lxc", DNS_T_CNAME, scratch,
	    dns_rdata_name("HOST.example.lxc", SCRATCH));
	dns_build_init(&b, buf, sizeof(buf), 1, DNS_F_QR);
	assert_int_equal(dns_build_question(&b, "host.example.lxc", DNS_T_A, DNS_C_IN), 0);
	for (size_t i = 0; i < rs.n; i++) {
		assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &rs.rr[i]), 0);
		uncompressed += strlen(rs.rr[i].owner) + 2 + 10 + rs.rr[i].rdlen;
	}
	/* Question 12+18+4; each A 2+10+4; CNAME "alias"+ptr, 10, ptr. */
	assert_int_equal(dns_build_finish(&b), 34 + 5 * 16 + 8 + 10 + 2);
	assert_true(b.len < 34 + uncompressed);
	/* The owners point at the question; the CNAME's at "example.lxc" in it. */
	assert_memory_equal(buf + 34, "\300\014", 2);
	assert_memory_equal(buf + 34 + 4 * 16, "\300\014", 2);
	assert_memory_equal(buf + 114, "\005alias\300\021", 8);
	assert_int_equal(rd16(buf + 114 + 8 + 8), 2);
	assert_memory_equal(buf + 114 + 8 + 10, "\300\014", 2);
	/* And they read back whole, the target in uncompressed form ... */
	assert_int_equal(read_all(buf, b.len, pr), 6);
	for (size_t i = 0; i < 5; i++)
		assert_rr_equal(&pr->rr[i], &rs.rr[i], DNS_SEC_ANSWER);
	assert_string_equal(pr->rr[5].rr.owner, "alias.example.lxc");
	/* ... in the case of the name pointed to: matching ignores case. */
	wl = dns_name_to_wire("host.example.lxc", want, sizeof(want));
	assert_int_equal(pr->rr[5].rr.rdlen, wl);
	assert_memory_equal(pr->rr[5].rr.rdata, want, (size_t)wl);
	free(pr);
}

/* A reply read whole into sections, sized by the records really there. */
static void test_reply_parse(void **state)
{
	struct dns_builder b;
	struct dns_parsed_reply pr;
	uint8_t buf[512];
	struct dns_rr a = { .owner = "h.example", .type = DNS_T_A, .class = DNS_C_IN,
			    .ttl = 60, .rdata = (const uint8_t *)"\x0a\x00\x00\x01", .rdlen = 4 };
	struct dns_rr ns = { .owner = "example", .type = DNS_T_NS, .class = DNS_C_IN,
			     .ttl = 60, .rdata = scratch };
	size_t n;

	(void)state;
	ns.rdlen = (uint16_t)dns_rdata_name("ns.example", SCRATCH);
	dns_build_init(&b, buf, sizeof(buf), 7, DNS_F_QR);
	dns_build_edns(&b, 1232);
	assert_int_equal(dns_build_question(&b, "h.example", DNS_T_A, DNS_C_IN), 0);
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &a), 0);
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &a), 0);
	assert_int_equal(dns_build_rr(&b, DNS_SEC_AUTHORITY, &ns), 0);
	n = dns_build_finish(&b);
	assert_int_equal(dns_reply_parse(buf, n, &pr), 0);
	assert_int_equal(pr.answer.n[DNS_SEC_ANSWER], 2);
	assert_int_equal(pr.answer.n[DNS_SEC_AUTHORITY], 1);
	assert_int_equal(pr.answer.n[DNS_SEC_ADDITIONAL], 0); /* the OPT is per hop */
	assert_string_equal(pr.answer.rrs[DNS_SEC_AUTHORITY][0].owner, "example");
	assert_true(pr.cap <= 4);
	dns_reply_parsed_free(&pr);
	/* The same bytes claiming 65535 records in every section: sized by what is there. */
	buf[6] = buf[7] = buf[8] = buf[9] = buf[10] = buf[11] = 0xff;
	assert_int_equal(dns_reply_parse(buf, n, &pr), -1);
	assert_true(pr.cap <= 4);
	dns_reply_parsed_free(&pr);
	/* Not even a header. */
	assert_int_equal(dns_reply_parse(buf, 5, &pr), -1);
	dns_reply_parsed_free(&pr);
}

static void test_no_compression_in_srv(void **state)
{
	static struct records rs;
	struct dns_builder b;
	struct parsed *pr = new_parsed();
	uint8_t buf[512];
	size_t srv_at;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	add_rr(&rs, "_x._tcp.host.lxc", DNS_T_SRV, scratch, dns_rdata_srv(1, 2, 3, "host.lxc", SCRATCH));
	add_rr(&rs, "alias.lxc", DNS_T_CNAME, scratch, dns_rdata_name("host.lxc", SCRATCH));
	dns_build_init(&b, buf, sizeof(buf), 1, DNS_F_QR);
	assert_int_equal(dns_build_question(&b, "host.lxc", DNS_T_SRV, DNS_C_IN), 0);
	srv_at = b.len;
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &rs.rr[0]), 0);
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &rs.rr[1]), 0);
	dns_build_finish(&b);
	/* The owner is compressed ("_x", "_tcp", pointer) ... */
	assert_memory_equal(buf + srv_at, "\002_x\004_tcp\300\014", 10);
	/* ... the target is not: RDLENGTH 6 + 10, the name spelt out. */
	assert_int_equal(rd16(buf + srv_at + 18), 16);
	assert_memory_equal(buf + srv_at + 20 + 6, "\004host\003lxc\000", 10);
	/* The CNAME's target, a well-known type, is a pointer. */
	assert_int_equal(rd16(buf + srv_at + 36 + 8 + 8), 2);
	assert_int_equal(read_all(buf, b.len, pr), 2);
	assert_rr_equal(&pr->rr[0], &rs.rr[0], DNS_SEC_ANSWER);
	assert_rr_equal(&pr->rr[1], &rs.rr[1], DNS_SEC_ANSWER);
	free(pr);
}

/* A compressed SRV from an RFC 2052 server is still read (RFC 3597 section 4). */
static void test_reader_expands_srv(void **state)
{
	struct tmsg m;
	struct parsed *pr = new_parsed();

	(void)state;
	t_header(&m, 1, DNS_F_QR, 1, 1, 0, 0);
	t_question(&m, "host.lxc", DNS_T_SRV, DNS_C_IN);
	t_rr(&m, "_x._tcp.lxc", DNS_T_SRV, 5, "\000\001\000\002\000\003\300\014", 8);
	assert_int_equal(read_all(m.b, m.len, pr), 1);
	assert_int_equal(pr->rr[0].rr.rdlen, 16);
	assert_memory_equal(pr->rr[0].rr.rdata, "\000\001\000\002\000\003\004host\003lxc\000", 16);
	free(pr);
}

static void test_builder_rollback(void **state)
{
	static uint8_t txt[600];
	struct dns_builder b;
	struct dns_rr big = { .owner = "big.example.lxc", .type = DNS_T_TXT, .class = DNS_C_IN,
			      .rdata = txt, .rdlen = sizeof(txt) };
	struct dns_rr small = { .owner = "new.example.lxc", .type = DNS_T_A, .class = DNS_C_IN,
				.rdata = (const uint8_t *)"\001\002\003\004", .rdlen = 4 };
	struct parsed *pr = new_parsed();
	uint8_t buf[300], before[300];
	size_t len, nnames, exact;

	(void)state;
	memset(txt, 'x', sizeof(txt));
	dns_build_init(&b, buf, sizeof(buf), 1, DNS_F_QR);
	dns_build_edns(&b, 1232);
	assert_int_equal(dns_build_question(&b, "q.lxc", DNS_T_A, DNS_C_IN), 0);
	len = b.len;
	nnames = b.nnames;
	memcpy(before, buf, len);
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &big), -1);
	assert_int_equal(b.len, len);
	assert_int_equal(b.nnames, nnames);
	assert_int_equal(b.count[1], 0);
	assert_memory_equal(buf, before, len);
	/* "new.example" + pointer to "lxc": two new compression entries. */
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &small), 0);
	assert_int_equal(b.nnames, nnames + 2);
	/* Up to the OPT's reserve exactly ("big" + pointer, 10, RDATA), not one more. */
	exact = sizeof(buf) - 11 - b.len - 6 - 10;
	big.rdlen = (uint16_t)(exact + 1);
	len = b.len;
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &big), -1);
	assert_int_equal(b.len, len);
	assert_int_equal(b.nnames, nnames + 2);
	assert_int_equal(b.count[1], 1);
	big.rdlen = (uint16_t)exact;
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &big), 0);
	assert_int_equal(b.len, sizeof(buf) - 11);
	assert_int_equal(dns_build_finish(&b), sizeof(buf));
	assert_int_equal(read_all(buf, sizeof(buf), pr), 3);
	assert_string_equal(pr->rr[1].rr.owner, "big.example.lxc");
	assert_int_equal(pr->rr[1].rr.rdlen, exact);
	assert_int_equal(pr->rr[2].rr.type, DNS_T_OPT);
	/* Nothing fits any more, not even an empty record; finish is stable. */
	big.rdlen = 0;
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ADDITIONAL, &big), -1);
	assert_int_equal(dns_build_finish(&b), sizeof(buf));
	assert_int_equal(read_all(buf, sizeof(buf), pr), 3);
	free(pr);
}

/* Names after offset 0x3fff cannot be pointed to; they are not offered. */
static void test_compression_offsets(void **state)
{
	static uint8_t buf[DNS_TCP_MAX], txt[17000];
	struct dns_builder b;
	struct parsed *pr = new_parsed();
	struct dns_rr rr = { .owner = "q.lxc", .type = DNS_T_TXT, .class = DNS_C_IN,
			     .rdata = txt, .rdlen = sizeof(txt) };
	struct dns_rr a = { .owner = "late.example.org", .type = DNS_T_A, .class = DNS_C_IN,
			    .rdata = (const uint8_t *)"\001\002\003\004", .rdlen = 4 };
	size_t at;

	(void)state;
	dns_build_init(&b, buf, sizeof(buf), 1, DNS_F_QR);
	assert_int_equal(dns_build_question(&b, "q.lxc", DNS_T_TXT, DNS_C_IN), 0);
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &rr), 0);
	assert_true(b.len > 0x4000);
	at = b.len;
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ADDITIONAL, &a), 0);
	assert_int_equal(dns_build_rr(&b, DNS_SEC_ADDITIONAL, &a), 0);
	/* Both copies spelt out: 18 + 10 + 4 each. */
	assert_int_equal(b.len, at + 2 * 32);
	for (size_t i = 0; i < b.nnames; i++)
		assert_true(b.name_off[i] <= 0x3fff);
	dns_build_finish(&b);
	assert_int_equal(read_all(buf, b.len, pr), 3);
	assert_string_equal(pr->rr[2].rr.owner, "late.example.org");
	free(pr);
}

/* More names than the table holds: later ones go uncompressed, all read back. */
static void test_compression_table_full(void **state)
{
	static uint8_t buf[DNS_TCP_MAX];
	static char names[70][40];
	struct dns_builder b;
	struct parsed *pr = new_parsed();

	(void)state;
	dns_build_init(&b, buf, sizeof(buf), 1, DNS_F_QR);
	assert_int_equal(dns_build_question(&b, "q.example", DNS_T_A, DNS_C_IN), 0);
	for (int i = 0; i < 70; i++) {
		struct dns_rr a = { .owner = names[i], .type = DNS_T_A, .class = DNS_C_IN,
				    .rdata = (const uint8_t *)"\001\002\003\004", .rdlen = 4 };

		snprintf(names[i], sizeof(names[i]), "h%d.d%d.example", i, i);
		assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &a), 0);
		assert_int_equal(dns_build_rr(&b, DNS_SEC_ANSWER, &a), 0);
	}
	assert_int_equal(b.nnames, DNS_COMPRESS_MAX);
	dns_build_finish(&b);
	assert_int_equal(read_all(buf, b.len, pr), 140);
	for (size_t i = 0; i < 140; i++)
		assert_string_equal(pr->rr[i].rr.owner, names[i / 2]);
	free(pr);
}

static void test_reader_prefixes(void **state)
{
	static struct records rs;
	struct tmsg m;
	struct dns_query q;
	struct dns_answer a = { .rcode = DNS_R_NOERROR };
	struct parsed *pr = new_parsed();
	uint8_t buf[4096];
	size_t len;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	add_rr(&rs, "www.lxc", DNS_T_CNAME, scratch, dns_rdata_name("c1.lxc", SCRATCH));
	add_rr(&rs, "c1.lxc", DNS_T_A, "\012\000\003\005", 4);
	add_rr(&rs, "lxc", DNS_T_MX, scratch, dns_rdata_mx(1, "c1.lxc", SCRATCH));
	add_rr(&rs, "lxc", DNS_T_SOA, scratch, dns_rdata_soa("c1.lxc", "h.lxc", 1, 2, 3, 4, 5, SCRATCH));
	add_rr(&rs, "_s._udp.lxc", DNS_T_SRV, scratch, dns_rdata_srv(1, 2, 3, "c1.lxc", SCRATCH));
	a.rrs[DNS_SEC_ANSWER] = rs.rr;
	a.n[DNS_SEC_ANSWER] = 3;
	a.rrs[DNS_SEC_AUTHORITY] = rs.rr + 3;
	a.n[DNS_SEC_AUTHORITY] = 1;
	a.rrs[DNS_SEC_ADDITIONAL] = rs.rr + 4;
	a.n[DNS_SEC_ADDITIONAL] = 1;
	t_query(&m, "www.lxc", DNS_T_A, 0, 1232, 0);
	q = parse_ok(&m);
	len = dns_write_reply(buf, q.edns_size, &q, &a);
	assert_int_equal(read_all(buf, len, pr), 6);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = exact_copy(buf, cut);

		assert_int_equal(read_all(copy, cut, pr), -1);
		free(copy);
	}
	free(pr);
}

static void test_reader_rejects(void **state)
{
	struct tmsg m;
	struct parsed *pr = new_parsed();

	(void)state;
	/* RDLENGTH past the end. */
	t_header(&m, 1, DNS_F_QR, 1, 1, 0, 0);
	t_question(&m, "c1.lxc", DNS_T_TXT, DNS_C_IN);
	t_rr(&m, "c1.lxc", DNS_T_TXT, 5, "\003abc", 4);
	assert_int_equal(read_all(m.b, m.len, pr), 1);
	m.b[m.len - 5] = 5;
	assert_int_equal(read_all(m.b, m.len, pr), -1);
	/* A CNAME whose RDATA holds more than its name. */
	t_header(&m, 1, DNS_F_QR, 1, 1, 0, 0);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_rr(&m, "c1.lxc", DNS_T_CNAME, 5, "\001x\300\017!", 5);
	assert_int_equal(read_all(m.b, m.len, pr), -1);
	/* ... or less: the name runs out of the RDATA. */
	t_header(&m, 1, DNS_F_QR, 1, 1, 0, 0);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_rr(&m, "c1.lxc", DNS_T_CNAME, 5, "\001x", 2);
	t_bytes(&m, "\000", 1);
	assert_int_equal(read_all(m.b, m.len, pr), -1);
	/* An SOA short of its 20 octets. */
	t_header(&m, 1, DNS_F_QR, 1, 1, 0, 0);
	t_question(&m, "lxc", DNS_T_SOA, DNS_C_IN);
	t_rr(&m, "lxc", DNS_T_SOA, 5, "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000", 20);
	assert_int_equal(read_all(m.b, m.len, pr), -1);
	/* An A record of five octets. */
	t_header(&m, 1, DNS_F_QR, 1, 1, 0, 0);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_rr(&m, "c1.lxc", DNS_T_A, 5, "\001\002\003\004\005", 5);
	assert_int_equal(read_all(m.b, m.len, pr), -1);
	/* Two questions. */
	t_header(&m, 1, DNS_F_QR, 2, 0, 0, 0);
	t_question(&m, "a.lxc", DNS_T_A, DNS_C_IN);
	t_question(&m, "b.lxc", DNS_T_A, DNS_C_IN);
	assert_int_equal(read_all(m.b, m.len, pr), -1);
	/* No question at all is fine for the reader. */
	t_header(&m, 1, DNS_F_QR, 0, 0, 0, 0);
	assert_int_equal(read_all(m.b, m.len, pr), 0);
	assert_string_equal(pr->r.qname, "");
	free(pr);
}

/* ---- Whole replies ---------------------------------------------------- */

static void test_reply_flags_and_question(void **state)
{
	struct tmsg m;
	struct dns_query q;
	struct dns_rr rr = { .owner = "www.example.lxc", .type = DNS_T_A, .class = DNS_C_IN,
			     .ttl = 0, .rdata = (const uint8_t *)"\012\000\003\007", .rdlen = 4 };
	struct dns_answer a = { .rcode = DNS_R_NOERROR, .authoritative = true,
				.rrs = { &rr }, .n = { 1 } };
	struct parsed *pr = new_parsed();
	uint8_t buf[512];
	size_t len;
	uint16_t flags;

	(void)state;
	t_query(&m, "WwW.ExAmple.LXC", DNS_T_A, DNS_F_RD | DNS_F_CD | DNS_F_AD, 0, 0);
	q = parse_ok(&m);
	len = dns_write_reply(buf, 512, &q, &a);
	flags = rd16(buf + 2);
	assert_int_equal(rd16(buf), 0x1234);
	assert_int_equal(flags, DNS_F_QR | DNS_F_AA | DNS_F_RD | DNS_F_RA | DNS_F_CD);
	/* The question is the query's, byte for byte, case and all. */
	assert_memory_equal(buf + 12, m.b + 12, m.len - 12);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_string_equal(pr->r.qname, "WwW.ExAmple.LXC");
	assert_true(dns_name_equal(pr->rr[0].rr.owner, "www.example.lxc"));
	/* No RD in, no RD out; not authoritative, no AA; rcode low bits. */
	t_query(&m, "nx.lxc", DNS_T_A, 0, 0, 0);
	q = parse_ok(&m);
	a = (struct dns_answer){ .rcode = DNS_R_NXDOMAIN };
	len = dns_write_reply(buf, 512, &q, &a);
	assert_int_equal(rd16(buf + 2), DNS_F_QR | DNS_F_RA | DNS_R_NXDOMAIN);
	assert_int_equal(len, m.len);
	free(pr);
}

static void test_reply_opt_iff_edns(void **state)
{
	struct tmsg m;
	struct dns_query q;
	struct dns_answer a = { .rcode = DNS_R_NOERROR };
	struct parsed *pr = new_parsed();
	const struct dns_rr *opt;
	uint8_t buf[512];
	size_t len;

	(void)state;
	t_query(&m, "c1.lxc", DNS_T_A, DNS_F_RD, 0, 0);
	q = parse_ok(&m);
	len = dns_write_reply(buf, 512, &q, &a);
	assert_int_equal(read_all(buf, len, pr), 0);
	assert_int_equal(pr->r.count[3], 0);
	len = dns_write_error(buf, 512, &q, DNS_R_SERVFAIL, true);
	assert_int_equal(read_all(buf, len, pr), 0);

	t_query(&m, "c1.lxc", DNS_T_A, DNS_F_RD, 4096, 0x8000);
	q = parse_ok(&m);
	len = dns_write_reply(buf, 512, &q, &a);
	assert_int_equal(read_all(buf, len, pr), 1);
	opt = find_opt(pr);
	assert_non_null(opt);
	assert_int_equal(opt->class, DNS_EDNS_SIZE);
	/* RFC 3225: DO copied; version 0, no extended rcode. */
	assert_int_equal(opt->ttl, 0x8000);
	len = dns_write_error(buf, 512, &q, DNS_R_REFUSED, true);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_non_null(find_opt(pr));
	free(pr);
}

static void test_reply_badvers(void **state)
{
	struct tmsg m;
	struct dns_query q;
	struct dns_rr rr = { .owner = "c1.lxc", .type = DNS_T_A, .class = DNS_C_IN,
			     .rdata = (const uint8_t *)"\012\000\003\007", .rdlen = 4 };
	struct dns_answer a = { .rcode = DNS_R_NOERROR, .rrs = { &rr, &rr, &rr }, .n = { 1, 1, 1 } };
	struct parsed *pr = new_parsed();
	const struct dns_rr *opt;
	uint8_t buf[512];
	size_t len;

	(void)state;
	t_query(&m, "c1.lxc", DNS_T_A, DNS_F_RD, 1232, 0x00018000);
	q = parse_ok(&m);
	len = dns_write_reply(buf, q.edns_size, &q, &a);
	assert_int_equal(read_all(buf, len, pr), 1);
	/* BADVERS = 16: 0 in the header, 1 in EXTENDED-RCODE. */
	assert_int_equal(rd16(buf + 2) & DNS_F_RCODE_MASK, 0);
	opt = find_opt(pr);
	assert_non_null(opt);
	assert_int_equal(opt->ttl >> 24, 1);
	assert_int_equal((opt->ttl >> 16) & 0xff, 0);
	assert_int_equal(pr->r.count[0], 1);
	assert_int_equal(pr->r.count[1] + pr->r.count[2], 0);
	free(pr);
}

static void test_reply_rcode_placement(void **state)
{
	struct tmsg m;
	struct dns_query q;
	struct parsed *pr = new_parsed();
	uint8_t buf[512];
	size_t len;

	(void)state;
	/* FORMERR without the question: header only. */
	t_header(&m, 77, DNS_F_RD, 0, 0, 0, 0);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
	len = dns_write_error(buf, 512, &q, DNS_R_FORMERR, false);
	assert_int_equal(len, DNS_HEADER_LEN);
	assert_int_equal(rd16(buf), 77);
	assert_int_equal(rd16(buf + 2), DNS_F_QR | DNS_F_RD | DNS_F_RA | DNS_R_FORMERR);
	for (int i = 4; i < 12; i++)
		assert_int_equal(buf[i], 0);
	/* NOTIMP keeps the opcode (RFC 1035 section 4.1.1). */
	t_query(&m, "c1.lxc", DNS_T_A, 2 << 11, 0, 0);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_NOTIMP);
	len = dns_write_error(buf, 512, &q, DNS_R_NOTIMP, false);
	assert_int_equal(rd16(buf + 2), DNS_F_QR | 2 << 11 | DNS_R_NOTIMP);
	/* An extended rcode (BADCOOKIE, 23): 7 in the header, 1 in the OPT. */
	t_query(&m, "c1.lxc", DNS_T_A, 0, 1232, 0);
	q = parse_ok(&m);
	len = dns_write_error(buf, 512, &q, 23, true);
	assert_int_equal(rd16(buf + 2) & DNS_F_RCODE_MASK, 7);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_int_equal(find_opt(pr)->ttl >> 24, 1);
	assert_int_equal(pr->r.count[0], 1);
	assert_string_equal(pr->r.qname, "c1.lxc");
	free(pr);
}

/*
 * Opcodes leased does not implement (IQUERY, STATUS, NOTIFY, UPDATE, and
 * an unassigned one): NOTIMP with QR, the opcode and RD as sent; none of
 * AA, TC, RA, AD, CD, whatever the query had; no question echoed.
 */
static void test_reply_notimp_flags(void **state)
{
	static const uint16_t opcodes[] = { 1, 2, 4, 5, 15 };
	struct parsed *pr = new_parsed();
	struct tmsg m;
	struct dns_query q;
	uint8_t buf[512];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		uint16_t op = (uint16_t)(opcodes[i] << 11);

		t_query(&m, "lxc", DNS_T_SOA, op | DNS_F_RD | DNS_F_AD | DNS_F_CD, 1232, 0);
		assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_NOTIMP);
		len = dns_write_error(buf, 512, &q, DNS_R_NOTIMP, false);
		assert_int_equal(rd16(buf + 2), DNS_F_QR | op | DNS_F_RD | DNS_R_NOTIMP);
		assert_int_equal(read_all(buf, len, pr), 1);
		assert_int_equal(pr->r.count[0], 0);
		assert_non_null(find_opt(pr));
		t_query(&m, "lxc", DNS_T_SOA, op | DNS_F_CD, 0, 0);
		assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_NOTIMP);
		len = dns_write_error(buf, 512, &q, DNS_R_NOTIMP, false);
		assert_int_equal(len, DNS_HEADER_LEN);
		assert_int_equal(rd16(buf + 2), DNS_F_QR | op | DNS_R_NOTIMP);
	}
	/* QUERY keeps RA, and CD as sent. */
	t_query(&m, "lxc", DNS_T_SOA, DNS_F_CD, 0, 0);
	q = parse_ok(&m);
	dns_write_error(buf, 512, &q, DNS_R_SERVFAIL, true);
	assert_int_equal(rd16(buf + 2), DNS_F_QR | DNS_F_RA | DNS_F_CD | DNS_R_SERVFAIL);
	free(pr);
}

/*
 * RFC 7873 cookies: a good COOKIE option (client cookie, or client and
 * server cookie) is ignored; a bad length is FORMERR (section 5.2.2); a
 * query with no question but a cookie (section 5.4) is NOERROR, answered
 * with no question, an OPT and no COOKIE.
 */
static void test_parse_query_cookie(void **state)
{
	static const uint8_t cookie[41] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const uint16_t bad[] = { 0, 7, 9, 15, 41 };
	struct parsed *pr = new_parsed();
	struct tmsg m;
	struct dns_query q;
	uint8_t buf[512];
	size_t len;

	(void)state;
	for (uint16_t n = 8; n <= 40; n += 8) {
		t_header(&m, 5, DNS_F_RD, 1, 0, 0, 1);
		t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
		t_opt_option(&m, 1232, 10, cookie, n);
		q = parse_ok(&m);
		assert_true(q.has_cookie);
		assert_false(q.cookie_only);
		assert_string_equal(q.qname, "c1.lxc");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t_header(&m, 5, DNS_F_RD, 1, 0, 0, 1);
		t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
		t_opt_option(&m, 1232, 10, cookie, bad[i]);
		assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
		assert_true(q.has_edns);
		t_header(&m, 5, DNS_F_RD, 0, 0, 0, 1);
		t_opt_option(&m, 1232, 10, cookie, bad[i]);
		assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
	}
	/* An option longer than the OPT's RDATA: parsers never trust a length. */
	t_header(&m, 5, 0, 1, 0, 0, 1);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_opt_option(&m, 1232, 12, cookie, 8);
	m.b[m.len - 8 - 1] = 9; /* OPTION-LENGTH 9 in 8 bytes */
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
	/* Another option (padding) is ignored. */
	t_header(&m, 5, 0, 1, 0, 0, 1);
	t_question(&m, "c1.lxc", DNS_T_A, DNS_C_IN);
	t_opt_option(&m, 1232, 12, cookie, 3);
	q = parse_ok(&m);
	assert_false(q.has_cookie);

	/* Cookie only: NOERROR, no question; the reply is header and OPT. */
	t_header(&m, 6, DNS_F_RD, 0, 0, 0, 1);
	t_opt_option(&m, 1232, 10, cookie, 8);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_NOERROR);
	assert_true(q.cookie_only);
	assert_string_equal(q.qname, "");
	len = dns_write_error(buf, 512, &q, DNS_R_NOERROR, false);
	assert_int_equal(rd16(buf + 2), DNS_F_QR | DNS_F_RD | DNS_F_RA);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_int_equal(pr->r.count[0] + pr->r.count[1] + pr->r.count[2], 0);
	assert_non_null(find_opt(pr));
	assert_int_equal(find_opt(pr)->rdlen, 0);
	/* No question and no cookie is still FORMERR (RFC 9619). */
	t_header(&m, 6, 0, 0, 0, 0, 1);
	t_opt_option(&m, 1232, 12, cookie, 8);
	assert_int_equal(dns_parse_query(m.b, m.len, &q), DNS_R_FORMERR);
	assert_false(q.cookie_only);
	free(pr);
}

/* --edns-packet-max (q.reply_max) is the size the reply's OPT advertises. */
static void test_reply_advertised_size(void **state)
{
	struct parsed *pr = new_parsed();
	struct dns_answer a = { .rcode = DNS_R_NOERROR };
	struct tmsg m;
	struct dns_query q;
	uint8_t buf[512];
	size_t len;

	(void)state;
	t_query(&m, "c1.lxc", DNS_T_A, 0, 4096, 0);
	q = parse_ok(&m);
	assert_int_equal(q.reply_max, 0);
	len = dns_write_reply(buf, 512, &q, &a);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_int_equal(find_opt(pr)->class, DNS_EDNS_SIZE);
	q.reply_max = 4000;
	len = dns_write_reply(buf, 512, &q, &a);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_int_equal(find_opt(pr)->class, 4000);
	len = dns_write_error(buf, 512, &q, DNS_R_SERVFAIL, true);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_int_equal(find_opt(pr)->class, 4000);
	/* BADVERS too. */
	t_query(&m, "c1.lxc", DNS_T_A, 0, 4096, 0x00010000);
	q = parse_ok(&m);
	q.reply_max = 600;
	len = dns_write_reply(buf, 512, &q, &a);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_int_equal(find_opt(pr)->class, 600);
	assert_int_equal(find_opt(pr)->ttl >> 24, 1);
	free(pr);
}

/* n A records for one name. */
static void many_a(struct records *rs, const char *owner, int n)
{
	memset(rs, 0, sizeof(*rs));
	for (int i = 0; i < n; i++)
		add_rr(rs, owner, DNS_T_A, (uint8_t[]){ 10, 0, (uint8_t)(i >> 8), (uint8_t)i }, 4);
}

static void assert_whole_answers(const struct parsed *pr, const struct records *rs)
{
	for (size_t i = 0; i < pr->n; i++)
		if (pr->rr[i].section == DNS_SEC_ANSWER)
			assert_rr_equal(&pr->rr[i], &rs->rr[i], DNS_SEC_ANSWER);
}

static void test_truncation(void **state)
{
	static struct records rs;
	struct tmsg m;
	struct dns_query q;
	struct dns_answer a = { .rcode = DNS_R_NOERROR };
	struct parsed *pr = new_parsed();
	static uint8_t buf[DNS_TCP_MAX];
	size_t len;

	(void)state;
	many_a(&rs, "host.example.lxc", 40);
	a.rrs[DNS_SEC_ANSWER] = rs.rr;
	a.n[DNS_SEC_ANSWER] = 40;
	/* Without EDNS: 512, TC, as many whole answers as fit. */
	t_query(&m, "host.example.lxc", DNS_T_A, DNS_F_RD, 0, 0);
	q = parse_ok(&m);
	len = dns_write_reply(buf, DNS_UDP_MIN, &q, &a);
	assert_true(len <= 512);
	assert_true(rd16(buf + 2) & DNS_F_TC);
	assert_int_equal(read_all(buf, len, pr), 29);
	assert_int_equal(count_section(pr, DNS_SEC_ANSWER, DNS_T_A), 29);
	assert_whole_answers(pr, &rs);
	/* Over TCP the whole set, no TC. */
	len = dns_write_reply(buf, 4096, &q, &a);
	assert_false(rd16(buf + 2) & DNS_F_TC);
	assert_int_equal(read_all(buf, len, pr), 40);
	assert_whole_answers(pr, &rs);
	/* With EDNS at 512: the OPT still fits, behind fewer answers. */
	t_query(&m, "host.example.lxc", DNS_T_A, DNS_F_RD, 512, 0);
	q = parse_ok(&m);
	len = dns_write_reply(buf, q.edns_size, &q, &a);
	assert_true(len <= 512);
	assert_true(rd16(buf + 2) & DNS_F_TC);
	assert_int_equal(read_all(buf, len, pr), 30);
	assert_int_equal(count_section(pr, DNS_SEC_ANSWER, 0), 29);
	assert_non_null(find_opt(pr));
	/* A limit under 512 counts as 512. */
	len = dns_write_reply(buf, 100, &q, &a);
	assert_true(len > 400 && len <= 512);
	free(pr);
}

/* Three labels of 63 c, one of 40, then tail. */
static void long_name(char *out, size_t outlen, char c, const char *tail)
{
	char l63[64], l40[41];

	memset(l63, c, 63);
	l63[63] = '\0';
	memset(l40, c, 40);
	l40[40] = '\0';
	snprintf(out, outlen, "%s.%s.%s.%s.%s", l63, l63, l63, l40, tail);
}

static void test_truncation_authority(void **state)
{
	static struct records rs;
	struct tmsg m;
	struct dns_query q;
	struct dns_answer a = { .rcode = DNS_R_NOERROR };
	struct parsed *pr = new_parsed();
	char mname[300], rname[300];
	uint8_t buf[4096];
	size_t len;

	(void)state;
	/* An SOA of two 240-octet names that share no suffix: 500 octets. */
	long_name(mname, sizeof(mname), 'm', "mzone");
	long_name(rname, sizeof(rname), 'r', "rzone");
	memset(&rs, 0, sizeof(rs));
	add_rr(&rs, "lxc", DNS_T_SOA, scratch, dns_rdata_soa(mname, rname, 1, 2, 3, 4, 5, SCRATCH));
	assert_int_equal(rs.rr[0].rdlen, 500);
	add_rr(&rs, "c1.lxc", DNS_T_A, "\012\000\003\001", 4);
	t_query(&m, "c1.lxc", DNS_T_AAAA, 0, 0, 0);
	q = parse_ok(&m);
	/* NODATA: the SOA is the whole answer; not fitting it means TC, and
	 * then nothing more, not even an additional record that would fit. */
	a.rrs[DNS_SEC_AUTHORITY] = rs.rr;
	a.n[DNS_SEC_AUTHORITY] = 1;
	a.rrs[DNS_SEC_ADDITIONAL] = rs.rr + 1;
	a.n[DNS_SEC_ADDITIONAL] = 1;
	len = dns_write_reply(buf, 512, &q, &a);
	assert_true(rd16(buf + 2) & DNS_F_TC);
	assert_int_equal(read_all(buf, len, pr), 0);
	assert_int_equal(len, m.len);
	len = dns_write_reply(buf, 4096, &q, &a);
	assert_false(rd16(buf + 2) & DNS_F_TC);
	assert_int_equal(read_all(buf, len, pr), 2);
	assert_rr_equal(&pr->rr[0], &rs.rr[0], DNS_SEC_AUTHORITY);
	assert_rr_equal(&pr->rr[1], &rs.rr[1], DNS_SEC_ADDITIONAL);
	a.n[DNS_SEC_ADDITIONAL] = 0;
	/* With answers, an authority record that does not fit just goes. */
	a.rrs[DNS_SEC_ANSWER] = rs.rr + 1;
	a.n[DNS_SEC_ANSWER] = 1;
	len = dns_write_reply(buf, 512, &q, &a);
	assert_false(rd16(buf + 2) & DNS_F_TC);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_int_equal(pr->rr[0].section, DNS_SEC_ANSWER);
	free(pr);
}

static void test_truncation_additional(void **state)
{
	static struct records rs, extra;
	struct tmsg m;
	struct dns_query q;
	struct dns_answer a = { .rcode = DNS_R_NOERROR };
	struct parsed *pr = new_parsed();
	uint8_t buf[4096];
	size_t len;

	(void)state;
	many_a(&rs, "c1.lxc", 3);
	/* Additional: a small RRset, then one of 30 that does not fit in 512. */
	many_a(&extra, "ns.other.example", 31);
	extra.rr[0].owner = "ns0.other.example";
	a.rrs[DNS_SEC_ANSWER] = rs.rr;
	a.n[DNS_SEC_ANSWER] = 3;
	a.rrs[DNS_SEC_ADDITIONAL] = extra.rr;
	a.n[DNS_SEC_ADDITIONAL] = 31;
	t_query(&m, "c1.lxc", DNS_T_A, 0, 0, 0);
	q = parse_ok(&m);
	len = dns_write_reply(buf, 512, &q, &a);
	assert_false(rd16(buf + 2) & DNS_F_TC);
	assert_int_equal(read_all(buf, len, pr), 4);
	/* RFC 2181 section 9: the set that did not fit is left out whole. */
	assert_int_equal(count_section(pr, DNS_SEC_ANSWER, DNS_T_A), 3);
	assert_int_equal(count_section(pr, DNS_SEC_ADDITIONAL, DNS_T_A), 1);
	assert_string_equal(pr->rr[3].rr.owner, "ns0.other.example");
	len = dns_write_reply(buf, 4096, &q, &a);
	assert_int_equal(read_all(buf, len, pr), 34);
	free(pr);
}

/* A failed answer stops everything after it, even what would still fit. */
static void test_truncation_stops_sections(void **state)
{
	static struct records rs;
	static uint8_t big[600];
	struct tmsg m;
	struct dns_query q;
	struct dns_answer a = { .rcode = DNS_R_NOERROR };
	struct parsed *pr = new_parsed();
	uint8_t buf[512];
	size_t len;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	memset(big, 'b', sizeof(big));
	big[0] = 255;
	big[256] = 255;
	big[512] = 87;
	add_rr(&rs, "c1.lxc", DNS_T_A, "\012\000\003\001", 4);
	add_rr(&rs, "c1.lxc", DNS_T_TXT, big, sizeof(big));
	add_rr(&rs, "c1.lxc", DNS_T_A, "\012\000\003\002", 4);
	a.rrs[DNS_SEC_ANSWER] = rs.rr;
	a.n[DNS_SEC_ANSWER] = 3;
	a.rrs[DNS_SEC_ADDITIONAL] = rs.rr + 2;
	a.n[DNS_SEC_ADDITIONAL] = 1;
	t_query(&m, "c1.lxc", DNS_T_ANY, 0, 0, 0);
	q = parse_ok(&m);
	len = dns_write_reply(buf, 512, &q, &a);
	assert_true(rd16(buf + 2) & DNS_F_TC);
	assert_int_equal(read_all(buf, len, pr), 1);
	assert_rr_equal(&pr->rr[0], &rs.rr[0], DNS_SEC_ANSWER);
	free(pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_to_wire),
		cmocka_unit_test(test_name_escapes),
		cmocka_unit_test(test_name_read_pointers),
		cmocka_unit_test(test_name_read_rejects_loops),
		cmocka_unit_test(test_name_read_rejects_long),
		cmocka_unit_test(test_name_equal_and_lower),
		cmocka_unit_test(test_name_in_domain),
		cmocka_unit_test(test_name_labels),
		cmocka_unit_test(test_reverse_v4),
		cmocka_unit_test(test_reverse_v6),
		cmocka_unit_test(test_rdata_builders),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_parse_query),
		cmocka_unit_test(test_parse_query_edns),
		cmocka_unit_test(test_parse_query_bad_opt),
		cmocka_unit_test(test_parse_query_header_errors),
		cmocka_unit_test(test_parse_query_prefixes),
		cmocka_unit_test(test_every_type_round_trip),
		cmocka_unit_test(test_compression),
		cmocka_unit_test(test_no_compression_in_srv),
		cmocka_unit_test(test_reader_expands_srv),
		cmocka_unit_test(test_builder_rollback),
		cmocka_unit_test(test_compression_offsets),
		cmocka_unit_test(test_compression_table_full),
		cmocka_unit_test(test_reader_prefixes),
		cmocka_unit_test(test_reader_rejects),
		cmocka_unit_test(test_reply_flags_and_question),
		cmocka_unit_test(test_reply_opt_iff_edns),
		cmocka_unit_test(test_reply_badvers),
		cmocka_unit_test(test_reply_rcode_placement),
		cmocka_unit_test(test_reply_notimp_flags),
		cmocka_unit_test(test_parse_query_cookie),
		cmocka_unit_test(test_reply_advertised_size),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncation_authority),
		cmocka_unit_test(test_truncation_additional),
		cmocka_unit_test(test_truncation_stops_sections),
		cmocka_unit_test(test_reply_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
