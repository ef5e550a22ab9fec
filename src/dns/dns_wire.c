/*
 * dns_wire — the DNS message format: names between presentation and wire
 * form, parsing a query, walking the records of an upstream reply, and
 * building replies with name compression and truncation by whole records.
 *
 * Names are converted to uncompressed wire form (at most 255 bytes) for
 * every comparison, so escapes and case are handled in one place: two
 * presentation names are equal when their wire forms are equal ignoring
 * ASCII case.  Reading follows compression pointers only backwards, each
 * one to before the start of the labels it ends, so every jump lowers the
 * position and a chain of pointers cannot loop.  Nothing here allocates.
 */
#include "dns/dns_wire.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/util.h"

/* Header fields, RFC 1035 section 4.1.1. */
enum { OFF_ID = 0, OFF_FLAGS = 2, OFF_COUNTS = 4 };
#define QUESTION_FIXED 4       /* QTYPE, QCLASS after the name */
#define RR_FIXED 10            /* TYPE, CLASS, TTL, RDLENGTH after the owner */
#define OPT_RR_LEN 11          /* root owner + RR_FIXED, empty RDATA */
#define LABEL_MAX 63
#define PTR_MAX 0x3fff         /* the largest offset a 14-bit pointer holds */
#define PTR_BITS 0xc0
#define RCODE_BADVERS 16       /* RFC 6891 section 9 */
#define OPT_DO 0x8000          /* RFC 3225 section 3: first bit of the Z field */
#define OPTION_HEAD 4          /* RFC 6891 section 6.1.2: OPTION-CODE, OPTION-LENGTH */
#define OPTION_COOKIE 10       /* RFC 7873 section 4 */
#define COOKIE_CLIENT 8        /* RFC 7873 section 4: the Client Cookie's size ... */
#define COOKIE_SERVER_MIN 8    /* ... and the Server Cookie's, from 8 to 32 octets */
#define COOKIE_SERVER_MAX 32

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* RFC 4343 section 3: DNS compares ASCII letters without case, nothing else. */
static bool bytes_equal_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

/* ---- Presentation form ------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * One character of a label, escapes resolved.  RFC 1035 section 5.1:
 * "\X" quotes any character X that is not a digit, "\DDD" is the octet
 * whose decimal value is DDD (three digits).  -1 on a broken escape.
 */
static int unescape(const char **sp)
{
	const char *s = *sp;
	int v;

	if (*s != '\\') {
		*sp = s + 1;
		return (uint8_t)*s;
	}
	s++;
	if (is_digit(s[0])) {
		if (!is_digit(s[1]) || !is_digit(s[2]))
			return -1;
		v = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		if (v > 255)
			return -1;
		*sp = s + 3;
		return v;
	}
	if (*s == '\0')
		return -1;
	*sp = s + 1;
	return (uint8_t)*s;
}

/* Close the label begun at *lab; the next one starts after it. */
static size_t end_label(uint8_t *w, size_t *lab, size_t n)
{
	w[*lab] = (uint8_t)(n - *lab - 1);
	*lab = n;
	return n + 1;
}

/*
 * Presentation → uncompressed wire form in w (DNS_WIRE_NAME_MAX bytes).
 * Returns the wire length, 0 if the name is invalid.  "" and "." are the
 * root; one trailing dot (absolute form) is accepted and means nothing
 * more, so "c1.lxc." is "c1.lxc".
 */
static size_t text_to_wire(const char *s, uint8_t *w)
{
	size_t lab = 0, n = 1;

	if (s[0] == '.' && s[1] == '\0')
		s++;
	for (;;) {
		int c;

		if (*s == '\0' || *s == '.') {
			/* RFC 1035 section 3.1: only the root label is empty. */
			if (n == lab + 1) {
				if (*s == '.')
					return 0;
				w[lab] = 0;
				return lab + 1;
			}
			n = end_label(w, &lab, n);
			if (*s == '.')
				s++;
			continue;
		}
		c = unescape(&s);
		/* RFC 1035 section 2.3.4: labels of 63 octets, names of 255. */
		if (c < 0 || n - lab - 1 == LABEL_MAX || n + 1 >= DNS_WIRE_NAME_MAX)
			return 0;
		w[n++] = (uint8_t)c;
	}
}

/* Append n bytes of s to out, keeping room for the final NUL. */
static bool emit(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
	if (outlen - *o <= n)
		return false;
	memcpy(out + *o, s, n);
	*o += n;
	return true;
}

/* One octet of a label: '.', '\\' and anything unprintable are escaped. */
static bool emit_octet(char *out, size_t outlen, size_t *o, uint8_t c)
{
	char esc[8];

	if (c == '.' || c == '\\') {
		esc[0] = '\\';
		esc[1] = (char)c;
		return emit(out, outlen, o, esc, 2);
	}
	if (c < 0x21 || c > 0x7e) {
		snprintf(esc, sizeof(esc), "\\%03u", c);
		return emit(out, outlen, o, esc, 4);
	}
	esc[0] = (char)c;
	return emit(out, outlen, o, esc, 1);
}

/* Wire form (already validated) → presentation; -1 if out is too small. */
static int wire_to_text(const uint8_t *w, char *out, size_t outlen)
{
	size_t o = 0;

	if (!outlen)
		return -1;
	for (size_t i = 0; w[i]; i += (size_t)w[i] + 1) {
		if (i && !emit(out, outlen, &o, ".", 1))
			return -1;
		for (size_t j = 1; j <= w[i]; j++)
			if (!emit_octet(out, outlen, &o, w[i + j]))
				return -1;
	}
	out[o] = '\0';
	return 0;
}

/* ---- Reading names ---------------------------------------------------- */

/*
 * Expand the name at *off into uncompressed wire form in w (at least
 * DNS_WIRE_NAME_MAX bytes) and its length into *wlen; advance *off past
 * the name as it stands in place.  The message is msg[0..len).
 */
static int read_wire(const uint8_t *msg, size_t len, size_t *off, uint8_t *w, size_t *wlen)
{
	size_t pos = *off, seg = *off, end = 0, n = 0;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return -1;
		c = msg[pos];
		if ((c & PTR_BITS) == PTR_BITS) {
			size_t target;

			/* RFC 1035 section 4.1.4: a pointer is two octets, 11 + offset. */
			if (len - pos < 2)
				return -1;
			target = (size_t)(c & ~PTR_BITS) << 8 | msg[pos + 1];
			/*
			 * A compressor points to a name it wrote earlier, which
			 * began before the labels the pointer ends.  Demanding
			 * that makes every jump go lower than the last, so a
			 * chain ends; a pointer to itself, forward, or into a
			 * loop through its own labels is rejected.
			 */
			if (target >= seg)
				return -1;
			if (!end)
				end = pos + 2;
			pos = seg = target;
			continue;
		}
		/* RFC 6891 section 5: label types 01 and 10 are not in use. */
		if (c & PTR_BITS)
			return -1;
		if (c == 0)
			break;
		/* RFC 1035 section 2.3.4: 255 octets, the root's included. */
		if (n + 1 + c >= DNS_WIRE_NAME_MAX || len - pos - 1 < c)
			return -1;
		memcpy(w + n, msg + pos, (size_t)c + 1);
		n += (size_t)c + 1;
		pos += (size_t)c + 1;
	}
	w[n++] = 0;
	*wlen = n;
	*off = end ? end : pos + 1;
	return 0;
}

int dns_name_read(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outlen)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	size_t wlen, pos;

	if (!msg || !off || !out)
		return -1;
	pos = *off;
	if (read_wire(msg, len, &pos, w, &wlen) < 0 || wire_to_text(w, out, outlen) < 0)
		return -1;
	*off = pos;
	return 0;
}

/* ---- Names as values -------------------------------------------------- */

int dns_name_to_wire(const char *name, uint8_t *out, size_t outlen)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	size_t n;

	if (!name || !out)
		return -1;
	n = text_to_wire(name, w);
	if (!n || n > outlen)
		return -1;
	memcpy(out, w, n);
	return (int)n;
}

/* Strings that are not valid names still equal themselves. */
static bool text_equal_nocase(const char *a, const char *b)
{
	while (*a && ascii_lower((uint8_t)*a) == ascii_lower((uint8_t)*b)) {
		a++;
		b++;
	}
	return *a == *b;
}

bool dns_name_equal(const char *a, const char *b)
{
	uint8_t wa[DNS_WIRE_NAME_MAX], wb[DNS_WIRE_NAME_MAX];
	size_t la, lb;

	if (!a || !b)
		return false;
	la = text_to_wire(a, wa);
	lb = text_to_wire(b, wb);
	if (!la || !lb)
		return !la && !lb && text_equal_nocase(a, b);
	/* Length octets are at most 63, so folding them changes nothing. */
	return la == lb && bytes_equal_nocase(wa, wb, la);
}

bool dns_name_in_domain(const char *name, const char *domain)
{
	uint8_t wn[DNS_WIRE_NAME_MAX], wd[DNS_WIRE_NAME_MAX];
	size_t ln, ld;

	if (!name || !domain)
		return false;
	ln = text_to_wire(name, wn);
	ld = text_to_wire(domain, wd);
	if (!ln || !ld)
		return false;
	/* Only suffixes starting at a label count: "xlxc" is not in "lxc". */
	for (size_t i = 0; ln - i >= ld; i += (size_t)wn[i] + 1) {
		if (ln - i == ld)
			return bytes_equal_nocase(wn + i, wd, ld);
		if (!wn[i])
			break;
	}
	return false;
}

int dns_name_labels(const char *name)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	int labels = 0;

	if (!name || !text_to_wire(name, w))
		return -1;
	for (size_t i = 0; w[i]; i += (size_t)w[i] + 1)
		labels++;
	return labels;
}

/*
 * Lower-cased through the wire form, so the result is canonical too:
 * "\065B" and "ab" give the same key, as dns_name_equal says they must.
 */
char *dns_name_lower(const char *name, char *out, size_t outlen)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	size_t n, i;

	if (!out || !outlen)
		return out;
	if (!name) {
		out[0] = '\0';
		return out;
	}
	n = text_to_wire(name, w);
	if (n) {
		for (i = 0; i < n; i++)
			w[i] = ascii_lower(w[i]);
		if (wire_to_text(w, out, outlen) == 0)
			return out;
	}
	/* Not a name, or no room for its canonical form: a plain copy. */
	for (i = 0; name[i] && i + 1 < outlen; i++)
		out[i] = (char)ascii_lower((uint8_t)name[i]);
	out[i] = '\0';
	return out;
}

/* ---- RDATA for local data --------------------------------------------- */

int dns_rdata_name(const char *target, uint8_t *out, size_t outlen)
{
	return dns_name_to_wire(target, out, outlen);
}

/* RFC 1035 section 3.3.9: PREFERENCE, EXCHANGE. */
int dns_rdata_mx(uint16_t pref, const char *exchange, uint8_t *out, size_t outlen)
{
	int n;

	if (!out || outlen < 2)
		return -1;
	n = dns_name_to_wire(exchange, out + 2, outlen - 2);
	if (n < 0)
		return -1;
	put_be16(out, pref);
	return n + 2;
}

/* RFC 2782: Priority, Weight, Port, Target. */
int dns_rdata_srv(uint16_t prio, uint16_t weight, uint16_t port, const char *target,
		  uint8_t *out, size_t outlen)
{
	int n;

	if (!out || outlen < 6)
		return -1;
	n = dns_name_to_wire(target, out + 6, outlen - 6);
	if (n < 0)
		return -1;
	put_be16(out, prio);
	put_be16(out + 2, weight);
	put_be16(out + 4, port);
	return n + 6;
}

/* RFC 1035 section 3.3: a <character-string> is at most 255 octets. */
static int put_char_strings(const char *s, uint8_t *out, size_t outlen, size_t *o)
{
	size_t len = strlen(s);

	do {
		size_t k = MIN(len, (size_t)255);

		if (outlen - *o < k + 1)
			return -1;
		out[(*o)++] = (uint8_t)k;
		memcpy(out + *o, s, k);
		*o += k;
		s += k;
		len -= k;
	} while (len);
	return 0;
}

/* RFC 1035 section 3.3.14: TXT-DATA is one or more <character-string>s. */
int dns_rdata_txt(const char *const *strings, size_t n, uint8_t *out, size_t outlen)
{
	size_t o = 0;

	if (!out || (n && !strings))
		return -1;
	if (!n) {
		if (!outlen)
			return -1;
		out[0] = 0;
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!strings[i] || put_char_strings(strings[i], out, outlen, &o) < 0)
			return -1;
	return o > UINT16_MAX ? -1 : (int)o;
}

/* RFC 1035 section 3.3.13: MNAME, RNAME, then five 32-bit values. */
int dns_rdata_soa(const char *mname, const char *rname, uint32_t serial, uint32_t refresh,
		  uint32_t retry, uint32_t expire, uint32_t minimum, uint8_t *out,
		  size_t outlen)
{
	const uint32_t v[5] = { serial, refresh, retry, expire, minimum };
	int m, r;

	if (!out)
		return -1;
	m = dns_name_to_wire(mname, out, outlen);
	if (m < 0)
		return -1;
	r = dns_name_to_wire(rname, out + m, outlen - (size_t)m);
	if (r < 0 || outlen - (size_t)(m + r) < sizeof(v))
		return -1;
	for (size_t i = 0; i < 5; i++)
		put_be32(out + m + r + 4 * i, v[i]);
	return m + r + (int)sizeof(v);
}

/* ---- Reverse names ---------------------------------------------------- */

/* RFC 3596 section 2.5: one label per nibble, the low nibble first. */
static void ip6_reverse(const uint8_t *a, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int i = 15; i >= 0; i--) {
		buf[o++] = hex[a[i] & 0xf];
		buf[o++] = '.';
		buf[o++] = hex[a[i] >> 4];
		buf[o++] = '.';
	}
	memcpy(buf + o, "ip6.arpa", sizeof("ip6.arpa"));
}

int dns_reverse_name(int family, const void *addr, char *out, size_t outlen)
{
	const uint8_t *a = addr;
	char buf[80];
	int n;

	if (!addr || !out)
		return -1;
	if (family == AF_INET) {
		/* RFC 1035 section 3.5: the octets in reverse order. */
		n = snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
	} else if (family == AF_INET6) {
		ip6_reverse(a, buf);
		n = snprintf(out, outlen, "%s", buf);
	} else {
		return -1;
	}
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return n;
}

static bool label_is(const uint8_t *label, const char *s)
{
	size_t n = strlen(s);

	return label[0] == n && bytes_equal_nocase(label + 1, (const uint8_t *)s, n);
}

/*
 * A decimal octet label: no leading zero, so each address has exactly
 * one reverse name (and the cache one key for it).
 */
static int decimal_label(const uint8_t *label)
{
	int v = 0;

	if (label[0] < 1 || label[0] > 3 || (label[0] > 1 && label[1] == '0'))
		return -1;
	for (size_t i = 1; i <= label[0]; i++) {
		if (!is_digit((char)label[i]))
			return -1;
		v = v * 10 + (label[i] - '0');
	}
	return v > 255 ? -1 : v;
}

static int nibble_label(const uint8_t *label)
{
	uint8_t c = ascii_lower(label[1]);

	if (label[0] != 1)
		return -1;
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* labels[i] → the i-th label; returns the count, -1 if more than max. */
static int split_labels(const uint8_t *w, const uint8_t **labels, int max)
{
	int n = 0;

	for (size_t i = 0; w[i]; i += (size_t)w[i] + 1) {
		if (n == max)
			return -1;
		labels[n++] = w + i;
	}
	return n;
}

int dns_reverse_addr(const char *name, int *family, void *addr)
{
	uint8_t w[DNS_WIRE_NAME_MAX], a[16];
	const uint8_t *l[34];
	int n, v;

	if (!name || !family || !addr || !text_to_wire(name, w))
		return -1;
	n = split_labels(w, l, 34);
	if (n == 6 && label_is(l[4], "in-addr") && label_is(l[5], "arpa")) {
		for (int i = 0; i < 4; i++) {
			if ((v = decimal_label(l[i])) < 0)
				return -1;
			a[3 - i] = (uint8_t)v;
		}
		*family = AF_INET;
		memcpy(addr, a, 4);
		return 0;
	}
	if (n == 34 && label_is(l[32], "ip6") && label_is(l[33], "arpa")) {
		memset(a, 0, sizeof(a));
		for (int i = 0; i < 32; i++) {
			if ((v = nibble_label(l[i])) < 0)
				return -1;
			a[15 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
		}
		*family = AF_INET6;
		memcpy(addr, a, 16);
		return 0;
	}
	return -1;
}

/* ---- Records in a message --------------------------------------------- */

/* The fixed part of a record after its owner, RFC 1035 section 4.1.3. */
struct rr_head {
	uint16_t type, class;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdoff;
};

static int read_rr_head(const uint8_t *p, size_t len, size_t *off, struct rr_head *h)
{
	size_t o = *off;

	if (len - o < RR_FIXED)
		return -1;
	h->type = get_be16(p + o);
	h->class = get_be16(p + o + 2);
	h->ttl = get_be32(p + o + 4);
	h->rdlen = get_be16(p + o + 8);
	o += RR_FIXED;
	if (len - o < h->rdlen)
		return -1;
	h->rdoff = o;
	*off = o + h->rdlen;
	return 0;
}

static int read_question(const uint8_t *p, size_t len, size_t *off, char *qname,
			 uint16_t *qtype, uint16_t *qclass)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	size_t o = *off, wlen;

	if (read_wire(p, len, &o, w, &wlen) < 0 || len - o < QUESTION_FIXED)
		return -1;
	if (qname && wire_to_text(w, qname, DNS_NAME_STR) < 0)
		return -1;
	if (qtype) {
		*qtype = get_be16(p + o);
		*qclass = get_be16(p + o + 2);
	}
	*off = o + QUESTION_FIXED;
	return 0;
}

/*
 * Where the names sit in the RDATA of the types that carry them: fixed
 * octets before, the names, fixed octets after.
 */
struct rdata_shape {
	uint8_t head, names, tail;
};

static bool rdata_shape(uint16_t type, struct rdata_shape *s)
{
	switch (type) {
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		*s = (struct rdata_shape){ 0, 1, 0 };
		return true;
	case DNS_T_MX:
		*s = (struct rdata_shape){ 2, 1, 0 };
		return true;
	case DNS_T_SOA:
		*s = (struct rdata_shape){ 0, 2, 20 };
		return true;
	case DNS_T_SRV:
		*s = (struct rdata_shape){ 6, 1, 0 };
		return true;
	default:
		return false;
	}
}

/* ---- Parsing a query -------------------------------------------------- */

/*
 * RFC 7873 section 5.2.2 answers FORMERR to a COOKIE option too short for
 * a Client Cookie (8 octets), longer than that but shorter than a Client
 * and the smallest Server Cookie (16), or longer than the largest (40).
 * Beyond that leased does not implement cookies: a good one is ignored,
 * as RFC 6891 section 6.1.2 has it for options a server does not know
 * ("Any OPTION-CODE values not understood by a responder or requestor
 * MUST be ignored").
 */
static bool cookie_ok(uint16_t len)
{
	return len == COOKIE_CLIENT ||
	       (len >= COOKIE_CLIENT + COOKIE_SERVER_MIN && len <= COOKIE_CLIENT + COOKIE_SERVER_MAX);
}

/* The OPT's options (RFC 6891 section 6.1.2): whole, and any COOKIE well formed. */
static int walk_options(const uint8_t *p, const struct rr_head *h, struct dns_query *q)
{
	size_t off = h->rdoff, end = h->rdoff + h->rdlen;

	while (off < end) {
		uint16_t code, olen;

		if (end - off < OPTION_HEAD)
			return -1;
		code = get_be16(p + off);
		olen = get_be16(p + off + 2);
		off += OPTION_HEAD;
		if (end - off < olen)
			return -1;
		if (code == OPTION_COOKIE) {
			if (!cookie_ok(olen))
				return -1;
			q->has_cookie = true;
		}
		off += olen;
	}
	return 0;
}

/*
 * An OPT record in the additional section, RFC 6891 section 6.1.  The
 * first one sets the EDNS fields whatever its faults, so that a FORMERR
 * for the OPT itself still carries an OPT (section 7).  -1 on a fault.
 */
static int take_opt(struct dns_query *q, const uint8_t *p, size_t owner_len,
		    const struct rr_head *h)
{
	/* Section 6.1.1: "If a query message with more than one OPT RR is
	 * received, a FORMERR (RCODE=1) MUST be returned." */
	if (q->has_edns)
		return -1;
	q->has_edns = true;
	/* Section 6.2.5: "Values lower than 512 MUST be treated as equal to 512." */
	q->edns_size = MAX(h->class, (uint16_t)DNS_UDP_MIN);
	q->edns_version = (uint8_t)(h->ttl >> 16);
	q->edns_do = (h->ttl & OPT_DO) != 0;
	/* Section 6.1.2: the owner "MUST be 0 (root domain)". */
	if (owner_len != 1)
		return -1;
	return walk_options(p, h, q);
}

/*
 * Walk the answer, authority and additional sections: every record must
 * be whole; only the additional section's OPT is looked at.  Any counts
 * are accepted, as dnsmasq does.
 */
static int walk_records(const uint8_t *p, size_t len, size_t off, const uint16_t *count,
			struct dns_query *q)
{
	bool bad_opt = false;

	for (int s = 1; s < 4; s++) {
		for (unsigned i = 0; i < count[s]; i++) {
			uint8_t w[DNS_WIRE_NAME_MAX];
			struct rr_head h;
			size_t wlen;

			if (read_wire(p, len, &off, w, &wlen) < 0 || read_rr_head(p, len, &off, &h) < 0)
				return DNS_R_FORMERR;
			if (s == 3 && h.type == DNS_T_OPT && take_opt(q, p, wlen, &h) < 0)
				bad_opt = true;
		}
	}
	return bad_opt ? DNS_R_FORMERR : DNS_R_NOERROR;
}

/* The whole message; *question_ok when there was exactly one, readable. */
static int walk_query(const uint8_t *p, size_t len, const uint16_t *count,
		      struct dns_query *q, bool *question_ok)
{
	size_t off = DNS_HEADER_LEN;

	for (unsigned i = 0; i < count[0]; i++) {
		bool first = i == 0;

		if (read_question(p, len, &off, first ? q->qname : NULL, first ? &q->qtype : NULL,
				  &q->qclass) < 0)
			return DNS_R_FORMERR;
	}
	*question_ok = count[0] == 1;
	return walk_records(p, len, off, count, q);
}

int dns_parse_query(const uint8_t *p, size_t len, struct dns_query *q)
{
	uint16_t count[4];
	bool question_ok = false;
	int rc;

	if (!p || !q)
		return -1;
	memset(q, 0, sizeof(*q));
	if (len < DNS_HEADER_LEN)
		return -1;
	q->id = get_be16(p + OFF_ID);
	q->flags = get_be16(p + OFF_FLAGS);
	for (int i = 0; i < 4; i++)
		count[i] = get_be16(p + OFF_COUNTS + 2 * i);
	rc = walk_query(p, len, count, q, &question_ok);
	/* RFC 1035 section 4.1.1: QR=1 is a response, not something to answer. */
	if (q->flags & DNS_F_QR) {
		rc = DNS_R_FORMERR;
		question_ok = false;
	} else if (DNS_OPCODE(q->flags) != 0) {
		/* RFC 1035 section 4.1.1, RCODE 4: "The name server does not
		 * support the requested kind of query."  RFC 6895 section 2.2
		 * keeps it for any opcode but QUERY. */
		rc = DNS_R_NOTIMP;
		question_ok = false;
	} else if (rc == DNS_R_NOERROR && count[0] == 0 && q->has_cookie) {
		/* RFC 7873 section 5.4, a query for a Server Cookie: "Servers
		 * that don't support the COOKIE option will normally send
		 * FORMERR in response to such a query, though REFUSED, NOTIMP,
		 * and NOERROR without a COOKIE option are also possible in such
		 * responses."
		 * NOERROR: nothing was wrong with it, and a client retrying
		 * after FORMERR without EDNS would learn the wrong thing. */
		q->cookie_only = true;
	} else if (rc == DNS_R_NOERROR && count[0] != 1) {
		/* RFC 9619: QDCOUNT is at most one; a query without a question
		 * (and without a cookie) asks nothing. */
		rc = DNS_R_FORMERR;
	}
	if (!question_ok) {
		q->qname[0] = '\0';
		q->qtype = q->qclass = 0;
	}
	return rc;
}

/* ---- Reading a reply -------------------------------------------------- */

int dns_reader_init(struct dns_reader *r, const uint8_t *p, size_t len)
{
	size_t off = DNS_HEADER_LEN;

	if (!r)
		return -1;
	memset(r, 0, sizeof(*r));
	/* Until the header is known good, there is nothing to read. */
	r->section = DNS_SEC_ADDITIONAL;
	if (!p || len < DNS_HEADER_LEN)
		return -1;
	r->id = get_be16(p + OFF_ID);
	r->flags = get_be16(p + OFF_FLAGS);
	for (int i = 0; i < 4; i++)
		r->count[i] = get_be16(p + OFF_COUNTS + 2 * i);
	if (r->count[0] > 1)
		return -1;
	if (r->count[0] == 1 && read_question(p, len, &off, r->qname, &r->qtype, &r->qclass) < 0)
		return -1;
	r->msg = p;
	r->len = len;
	r->off = off;
	r->section = DNS_SEC_ANSWER;
	r->left = r->count[1];
	return 0;
}

/*
 * Expand the names of a name-bearing RDATA into out.  RFC 3597 section 4:
 * receivers "MUST decompress domain names in RRs of well-known type, and
 * SHOULD also decompress ... SRV" (RFC 2052 servers compressed it).  The
 * names must end inside the RDATA and the fixed tail fill it exactly.
 */
static int expand_rdata(const uint8_t *msg, const struct rr_head *h,
			const struct rdata_shape *s, uint8_t *out, uint16_t *outlen)
{
	size_t end = h->rdoff + h->rdlen, pos = h->rdoff, o = s->head;

	if (h->rdlen < s->head)
		return -1;
	memcpy(out, msg + pos, s->head);
	pos += s->head;
	for (int i = 0; i < s->names; i++) {
		size_t wlen;

		if (read_wire(msg, end, &pos, out + o, &wlen) < 0)
			return -1;
		o += wlen;
	}
	if (end - pos != s->tail)
		return -1;
	memcpy(out + o, msg + pos, s->tail);
	*outlen = (uint16_t)(o + s->tail);
	return 0;
}

/* RFC 1035 section 3.4.1 and RFC 3596 section 2.2: fixed-size addresses. */
static bool address_size_ok(const struct rr_head *h)
{
	if (h->class != DNS_C_IN)
		return true;
	if (h->type == DNS_T_A)
		return h->rdlen == 4;
	if (h->type == DNS_T_AAAA)
		return h->rdlen == 16;
	return true;
}

static int read_record(struct dns_reader *r, struct dns_rr_buf *out)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	struct rdata_shape shape;
	struct rr_head h;
	size_t off = r->off, wlen;

	if (read_wire(r->msg, r->len, &off, w, &wlen) < 0 ||
	    wire_to_text(w, out->owner, sizeof(out->owner)) < 0 ||
	    read_rr_head(r->msg, r->len, &off, &h) < 0 || !address_size_ok(&h))
		return -1;
	out->rr = (struct dns_rr){ .owner = out->owner, .type = h.type, .class = h.class,
				   .ttl = h.ttl, .rdata = r->msg + h.rdoff, .rdlen = h.rdlen };
	out->section = (enum dns_section)r->section;
	if (rdata_shape(h.type, &shape)) {
		if (expand_rdata(r->msg, &h, &shape, out->rdata, &out->rr.rdlen) < 0)
			return -1;
		out->rr.rdata = out->rdata;
	}
	r->off = off;
	return 0;
}

int dns_reader_next(struct dns_reader *r, struct dns_rr_buf *out)
{
	if (!r || !out)
		return -1;
	while (!r->left) {
		if (r->section >= DNS_SEC_ADDITIONAL)
			return 0;
		r->section++;
		r->left = r->count[r->section + 1];
	}
	if (read_record(r, out) < 0)
		return -1;
	r->left--;
	return 1;
}

/* ---- Building --------------------------------------------------------- */

/* The state a failed addition returns to. */
struct mark {
	size_t len, nnames;
	uint16_t count[4];
};

static void set_mark(const struct dns_builder *b, struct mark *m)
{
	m->len = b->len;
	m->nnames = b->nnames;
	memcpy(m->count, b->count, sizeof(m->count));
}

static void rollback(struct dns_builder *b, const struct mark *m)
{
	b->len = m->len;
	b->nnames = m->nnames;
	memcpy(b->count, m->count, sizeof(b->count));
}

/* Bytes a record may still take, the OPT's reserve kept back. */
static size_t room(const struct dns_builder *b)
{
	size_t limit = b->cap >= b->reserve ? b->cap - b->reserve : 0;

	return limit > b->len ? limit - b->len : 0;
}

static int put_raw(struct dns_builder *b, const void *p, size_t n)
{
	if (n > room(b))
		return -1;
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
	return 0;
}

static int put_u16(struct dns_builder *b, uint16_t v)
{
	uint8_t x[2];

	put_be16(x, v);
	return put_raw(b, x, 2);
}

static int put_u32(struct dns_builder *b, uint32_t v)
{
	uint8_t x[4];

	put_be32(x, v);
	return put_raw(b, x, 4);
}

void dns_build_init(struct dns_builder *b, uint8_t *buf, size_t cap, uint16_t id,
		    uint16_t flags)
{
	if (!b)
		return;
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	/* The message length must fit TCP's 16-bit length prefix. */
	b->cap = MIN(cap, (size_t)DNS_TCP_MAX);
	if (!buf || b->cap < DNS_HEADER_LEN) {
		b->cap = 0;
		return;
	}
	memset(buf, 0, DNS_HEADER_LEN);
	put_be16(buf + OFF_ID, id);
	put_be16(buf + OFF_FLAGS, flags);
	b->len = DNS_HEADER_LEN;
}

void dns_build_edns(struct dns_builder *b, uint16_t size)
{
	if (!b || b->len < DNS_HEADER_LEN)
		return;
	b->edns = true;
	b->edns_size = size;
	b->reserve = OPT_RR_LEN;
}

/*
 * Does the name at pos in the message equal the wire name s?  Names in
 * the message were written here, but the walk is bounded all the same.
 */
static bool name_at(const struct dns_builder *b, size_t pos, const uint8_t *s)
{
	for (unsigned hops = 0; hops < DNS_WIRE_NAME_MAX;) {
		uint8_t c;

		if (pos >= b->len)
			return false;
		c = b->buf[pos];
		if ((c & PTR_BITS) == PTR_BITS) {
			if (b->len - pos < 2)
				return false;
			pos = (size_t)(c & ~PTR_BITS) << 8 | b->buf[pos + 1];
			hops++;
			continue;
		}
		if (c != s[0])
			return false;
		if (!c)
			return true;
		if (b->len - pos - 1 < c || !bytes_equal_nocase(b->buf + pos + 1, s + 1, c))
			return false;
		pos += (size_t)c + 1;
		s += (size_t)c + 1;
	}
	return false;
}

static bool find_name(const struct dns_builder *b, const uint8_t *s, size_t *target)
{
	for (size_t i = 0; i < b->nnames; i++) {
		if (name_at(b, b->name_off[i], s)) {
			*target = b->name_off[i];
			return true;
		}
	}
	return false;
}

/* RFC 1035 section 4.1.4: a pointer holds 14 bits of offset. */
static void remember(struct dns_builder *b, size_t off)
{
	if (off <= PTR_MAX && b->nnames < DNS_COMPRESS_MAX)
		b->name_off[b->nnames++] = (uint16_t)off;
}

/*
 * Write the wire name w: its labels up to the longest suffix already in
 * the message, then a pointer there (or the root).  The labels written
 * become suffixes later names can point to.  Case is ignored when
 * matching, so a later name may take the case of an earlier one.
 */
static int put_name(struct dns_builder *b, const uint8_t *w, size_t wlen, bool compress)
{
	size_t i = wlen - 1, target = 0, start = b->len;
	bool found = false;

	if (compress) {
		for (i = 0; w[i]; i += (size_t)w[i] + 1)
			if ((found = find_name(b, w + i, &target)))
				break;
	}
	if (put_raw(b, w, i) < 0)
		return -1;
	if (found ? put_u16(b, (uint16_t)(0xc000 | target)) : put_raw(b, w + i, 1))
		return -1;
	if (compress)
		for (size_t j = 0; j < i; j += (size_t)w[j] + 1)
			remember(b, start + j);
	return 0;
}

/* Length of the uncompressed wire name at p (len bytes); -1 if none. */
static int wire_name_len(const uint8_t *p, size_t len)
{
	size_t i = 0;

	for (;;) {
		if (i >= len || (p[i] & PTR_BITS))
			return -1;
		if (!p[i])
			return (int)i + 1;
		/* The label and at least the root after it, within 255. */
		if (i + 1 + p[i] >= DNS_WIRE_NAME_MAX)
			return -1;
		i += (size_t)p[i] + 1;
	}
}

/* The RDATA fits its type's shape exactly (local data is trusted, but not blindly). */
static bool rdata_matches(const struct dns_rr *rr, const struct rdata_shape *s)
{
	size_t pos = s->head;

	if (!rr->rdlen || rr->rdlen < s->head)
		return false;
	for (int i = 0; i < s->names; i++) {
		int n = wire_name_len(rr->rdata + pos, rr->rdlen - pos);

		if (n < 0)
			return false;
		pos += (size_t)n;
	}
	return rr->rdlen - pos == s->tail;
}

static int put_rdata(struct dns_builder *b, const struct dns_rr *rr)
{
	struct rdata_shape s;
	size_t pos;

	/*
	 * RFC 3597 section 4: "servers MUST NOT compress domain names
	 * embedded in the RDATA of types that are class-specific or not
	 * well-known", the well-known being RFC 1035's; RFC 2782 forbids it
	 * for SRV's target.  Anything else is copied as it is.
	 */
	if (rr->type == DNS_T_SRV || !rdata_shape(rr->type, &s) || !rdata_matches(rr, &s))
		return put_raw(b, rr->rdata, rr->rdlen);
	if (put_raw(b, rr->rdata, s.head) < 0)
		return -1;
	pos = s.head;
	for (int i = 0; i < s.names; i++) {
		size_t n = (size_t)wire_name_len(rr->rdata + pos, rr->rdlen - pos);

		if (put_name(b, rr->rdata + pos, n, true) < 0)
			return -1;
		pos += n;
	}
	return put_raw(b, rr->rdata + pos, s.tail);
}

int dns_build_question(struct dns_builder *b, const char *qname, uint16_t qtype,
		       uint16_t qclass)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	struct mark m;
	size_t wlen;

	if (!b || !qname || b->count[0] == UINT16_MAX || !(wlen = text_to_wire(qname, w)))
		return -1;
	set_mark(b, &m);
	if (put_name(b, w, wlen, true) < 0 || put_u16(b, qtype) < 0 || put_u16(b, qclass) < 0) {
		rollback(b, &m);
		return -1;
	}
	b->count[0]++;
	return 0;
}

int dns_build_rr(struct dns_builder *b, enum dns_section s, const struct dns_rr *rr)
{
	uint8_t w[DNS_WIRE_NAME_MAX];
	struct mark m;
	size_t wlen, rdlen_at;

	if (!b || !rr || !rr->owner || (unsigned)s > DNS_SEC_ADDITIONAL ||
	    (rr->rdlen && !rr->rdata) || b->count[s + 1] == UINT16_MAX ||
	    !(wlen = text_to_wire(rr->owner, w)))
		return -1;
	set_mark(b, &m);
	if (put_name(b, w, wlen, true) < 0 || put_u16(b, rr->type) < 0 ||
	    put_u16(b, rr->class) < 0 || put_u32(b, rr->ttl) < 0)
		goto undo;
	rdlen_at = b->len;
	if (put_u16(b, 0) < 0 || put_rdata(b, rr) < 0)
		goto undo;
	/* cap <= 65535, so the written RDATA always fits RDLENGTH. */
	put_be16(b->buf + rdlen_at, (uint16_t)(b->len - rdlen_at - 2));
	b->count[s + 1]++;
	return 0;

undo:
	rollback(b, &m);
	return -1;
}

void dns_build_set_rcode(struct dns_builder *b, int rcode)
{
	uint16_t flags;

	if (!b || b->len < DNS_HEADER_LEN)
		return;
	flags = get_be16(b->buf + OFF_FLAGS);
	flags = (uint16_t)((flags & ~DNS_F_RCODE_MASK) | (rcode & DNS_F_RCODE_MASK));
	put_be16(b->buf + OFF_FLAGS, flags);
}

/*
 * RFC 6891 section 6.1.2/6.1.3: root owner, TYPE 41, CLASS the UDP size,
 * TTL = EXTENDED-RCODE (the upper 8 of 12 rcode bits), VERSION 0, DO, Z.
 * The reserve guarantees the room.
 */
static void put_opt(struct dns_builder *b, uint8_t ext_rcode, bool dnssec_ok)
{
	uint8_t *p = b->buf + b->len;

	p[0] = 0;
	put_be16(p + 1, DNS_T_OPT);
	put_be16(p + 3, b->edns_size);
	put_be32(p + 5, (uint32_t)ext_rcode << 24 | (dnssec_ok ? OPT_DO : 0));
	put_be16(p + 9, 0);
	b->len += OPT_RR_LEN;
	b->count[3]++;
	b->reserve = 0;
	b->edns = false;
}

static size_t finish(struct dns_builder *b, uint8_t ext_rcode, bool dnssec_ok)
{
	uint16_t flags;

	if (!b || b->len < DNS_HEADER_LEN)
		return 0;
	if (b->edns && b->cap - b->len >= OPT_RR_LEN && b->count[3] < UINT16_MAX)
		put_opt(b, ext_rcode, dnssec_ok);
	flags = get_be16(b->buf + OFF_FLAGS);
	if (b->truncated)
		flags |= DNS_F_TC;
	put_be16(b->buf + OFF_FLAGS, flags);
	for (int i = 0; i < 4; i++)
		put_be16(b->buf + OFF_COUNTS + 2 * i, b->count[i]);
	return b->len;
}

/* Appending the OPT clears b->edns, so a second call adds no second OPT. */
size_t dns_build_finish(struct dns_builder *b)
{
	return finish(b, 0, false);
}

/* ---- Whole replies ---------------------------------------------------- */

static size_t clamp_limit(size_t limit)
{
	return MIN(MAX(limit, (size_t)DNS_UDP_MIN), (size_t)DNS_TCP_MAX);
}

/*
 * Header, question and the promise of an OPT.  RFC 1035 section 4.1.1:
 * the opcode is "copied into the response", and RD "may be set in a
 * query and is copied into the response".  RFC 6891 section 7: an OPT
 * in the reply exactly when the query had one, advertising our size
 * (--edns-packet-max, q->reply_max).
 */
static void start_reply(struct dns_builder *b, uint8_t *buf, size_t limit,
			const struct dns_query *q, uint16_t flags, bool question)
{
	flags |= DNS_F_QR | (q->flags & (DNS_F_OPCODE_MASK | DNS_F_RD));
	/*
	 * RA (RFC 1035 section 4.1.1: "denotes whether recursive query
	 * support is available") and CD (RFC 4035 section 3.1.6: copied from
	 * the query) speak of answering a question; RFC 6895 section 2 leaves
	 * the header of other opcodes to their own definitions.  A NOTIMP
	 * for an opcode leased does not know answers no question, so it
	 * carries none of RA, AD and CD: only QR, the opcode, RD as sent and
	 * the rcode.
	 */
	if (DNS_OPCODE(q->flags) == 0)
		flags |= DNS_F_RA | (q->flags & DNS_F_CD);
	dns_build_init(b, buf, clamp_limit(limit), q->id, flags);
	if (q->has_edns)
		dns_build_edns(b, q->reply_max ? q->reply_max : DNS_EDNS_SIZE);
	/* limit >= 512 always holds a question; only a bad qname fails. */
	if (question)
		dns_build_question(b, q->qname, q->qtype, q->qclass);
}

static bool same_rrset(const struct dns_rr *a, const struct dns_rr *b)
{
	return a->type == b->type && a->class == b->class &&
	       (a->owner == b->owner || dns_name_equal(a->owner, b->owner));
}

/*
 * Authority or additional records.  RFC 2181 section 9: "the entire
 * RRSet that will not fit in the response should be omitted, and the
 * reply sent as is, with the TC bit clear" — unless it was required: the
 * SOA of a negative answer is the whole answer when there are no answer
 * records, so then TC.  The section ends at the first RRset that fails.
 */
static void add_optional(struct dns_builder *b, const struct dns_answer *a,
			 enum dns_section s)
{
	const struct dns_rr *rrs = a->rrs[s];
	struct mark set;

	for (size_t i = 0; rrs && i < a->n[s]; i++) {
		if (i == 0 || !same_rrset(&rrs[i], &rrs[i - 1]))
			set_mark(b, &set);
		if (dns_build_rr(b, s, &rrs[i]) == 0)
			continue;
		rollback(b, &set);
		if (s == DNS_SEC_AUTHORITY && b->count[1 + DNS_SEC_ANSWER] == 0)
			b->truncated = true;
		return;
	}
}

/*
 * Answer records while they fit.  RFC 2181 section 9: "Where TC is set,
 * the partial RRSet that would not completely fit may be left in the
 * response" — kept, so a client that never retries over TCP still gets
 * addresses.  Nothing is added after the first that does not fit.
 */
static void add_sections(struct dns_builder *b, const struct dns_answer *a)
{
	const struct dns_rr *rrs = a->rrs[DNS_SEC_ANSWER];

	for (size_t i = 0; rrs && i < a->n[DNS_SEC_ANSWER]; i++) {
		if (dns_build_rr(b, DNS_SEC_ANSWER, &rrs[i]) < 0) {
			b->truncated = true;
			return;
		}
	}
	add_optional(b, a, DNS_SEC_AUTHORITY);
	if (!b->truncated)
		add_optional(b, a, DNS_SEC_ADDITIONAL);
}

size_t dns_write_reply(uint8_t *buf, size_t limit, const struct dns_query *q,
		       const struct dns_answer *a)
{
	struct dns_builder b;
	uint16_t flags = a && a->authoritative ? DNS_F_AA : 0;

	if (!buf || !q || !a)
		return 0;
	/*
	 * RFC 6891 section 6.1.3: "If a responder does not implement the
	 * VERSION level of the request, then it MUST respond with
	 * RCODE=BADVERS."  BADVERS is 16: 0 in the header, 1 in the OPT's
	 * EXTENDED-RCODE; the reply carries the question and nothing else.
	 */
	if (q->has_edns && q->edns_version != 0) {
		start_reply(&b, buf, limit, q, 0, true);
		return finish(&b, RCODE_BADVERS >> 4, q->edns_do);
	}
	start_reply(&b, buf, limit, q, flags | (uint16_t)(a->rcode & DNS_F_RCODE_MASK), true);
	add_sections(&b, a);
	return finish(&b, (uint8_t)(q->has_edns ? a->rcode >> 4 : 0), q->edns_do);
}

size_t dns_write_error(uint8_t *buf, size_t limit, const struct dns_query *q, int rcode,
		       bool question_valid)
{
	struct dns_builder b;

	if (!buf || !q)
		return 0;
	start_reply(&b, buf, limit, q, (uint16_t)(rcode & DNS_F_RCODE_MASK), question_valid);
	return finish(&b, (uint8_t)(q->has_edns ? rcode >> 4 : 0), q->edns_do);
}

/* ---- Names of types --------------------------------------------------- */

static const struct {
	uint16_t type;
	const char *name;
} type_names[] = {
	{ DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" },
	{ DNS_T_SOA, "SOA" }, { DNS_T_PTR, "PTR" }, { DNS_T_HINFO, "HINFO" },
	{ DNS_T_MX, "MX" }, { DNS_T_TXT, "TXT" }, { DNS_T_AAAA, "AAAA" },
	{ DNS_T_SRV, "SRV" }, { 35, "NAPTR" }, { DNS_T_OPT, "OPT" },
	{ DNS_T_DS, "DS" }, { 44, "SSHFP" }, { 46, "RRSIG" }, { 47, "NSEC" },
	{ 48, "DNSKEY" }, { 50, "NSEC3" }, { 52, "TLSA" }, { 64, "SVCB" },
	{ DNS_T_HTTPS, "HTTPS" }, { 251, "IXFR" }, { DNS_T_AXFR, "AXFR" },
	{ DNS_T_ANY, "ANY" }, { 257, "CAA" },
};

const char *dns_type_name(uint16_t type, char *out, size_t outlen)
{
	const char *name = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (type_names[i].type == type)
			name = type_names[i].name;
	if (!out || !outlen)
		return name ? name : "TYPE";
	if (name)
		snprintf(out, outlen, "%s", name);
	else
		snprintf(out, outlen, "TYPE%u", type);
	return out;
}

/* ---- presentation of RDATA (logs, leasectl) ---- */

static bool fmt_name_at(const uint8_t *p, size_t len, size_t *off, char *out, size_t outlen)
{
	return dns_name_read(p, len, off, out, outlen) == 0;
}

/* Append to out (always NUL-terminated, cut at outlen). */
static void fmt_put(char *out, size_t outlen, size_t *o, const char *s)
{
	while (*s && *o + 1 < outlen)
		out[(*o)++] = *s++;
	out[*o] = '\0';
}

static const char *fmt_txt(const struct dns_rr *rr, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < rr->rdlen;) {
		size_t n = rr->rdata[i++];

		if (n > rr->rdlen - i)
			return "?";
		fmt_put(out, outlen, &o, o ? " \"" : "\"");
		for (size_t k = 0; k < n; k++) {
			uint8_t c = rr->rdata[i + k];
			char one[8];

			if (c == '"' || c == '\\')
				snprintf(one, sizeof(one), "\\%c", c);
			else if (c < 0x20 || c > 0x7e)
				snprintf(one, sizeof(one), "\\%03u", c);
			else
				snprintf(one, sizeof(one), "%c", c);
			fmt_put(out, outlen, &o, one);
		}
		fmt_put(out, outlen, &o, "\"");
		i += n;
	}
	return out;
}

static const char *fmt_hex(const struct dns_rr *rr, char *out, size_t outlen)
{
	size_t o = (size_t)snprintf(out, outlen, "\\# %u ", rr->rdlen);

	for (size_t i = 0; i < rr->rdlen && o + 3 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%02x", rr->rdata[i]);
	return out;
}

static uint32_t fmt_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const char *dns_rdata_format(const struct dns_rr *rr, char *out, size_t outlen)
{
	char a[DNS_NAME_STR], b[DNS_NAME_STR];
	size_t off = 0;
	const uint8_t *p = rr->rdata;

	switch (rr->type) {
	case DNS_T_A:
		if (rr->rdlen != 4 || !inet_ntop(AF_INET, p, out, (socklen_t)outlen))
			return "?";
		return out;
	case DNS_T_AAAA:
		if (rr->rdlen != 16 || !inet_ntop(AF_INET6, p, out, (socklen_t)outlen))
			return "?";
		return out;
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		if (!fmt_name_at(p, rr->rdlen, &off, a, sizeof(a)))
			return "?";
		snprintf(out, outlen, "%s.", a);
		return out;
	case DNS_T_MX:
		off = 2;
		if (rr->rdlen < 3 || !fmt_name_at(p, rr->rdlen, &off, a, sizeof(a)))
			return "?";
		snprintf(out, outlen, "%u %s.", (unsigned)(p[0] << 8 | p[1]), a);
		return out;
	case DNS_T_SRV:
		off = 6;
		if (rr->rdlen < 7 || !fmt_name_at(p, rr->rdlen, &off, a, sizeof(a)))
			return "?";
		snprintf(out, outlen, "%u %u %u %s.", (unsigned)(p[0] << 8 | p[1]),
			 (unsigned)(p[2] << 8 | p[3]), (unsigned)(p[4] << 8 | p[5]), a);
		return out;
	case DNS_T_SOA:
		if (!fmt_name_at(p, rr->rdlen, &off, a, sizeof(a)) ||
		    !fmt_name_at(p, rr->rdlen, &off, b, sizeof(b)) || rr->rdlen - off != 20)
			return "?";
		p += off;
		snprintf(out, outlen, "%s. %s. %u %u %u %u %u", a, b, fmt_u32(p), fmt_u32(p + 4),
			 fmt_u32(p + 8), fmt_u32(p + 12), fmt_u32(p + 16));
		return out;
	case DNS_T_TXT:
		return outlen ? fmt_txt(rr, out, outlen) : "?";
	default:
		return fmt_hex(rr, out, outlen);
	}
}

bool dns_reply_is_negative(const uint8_t *p, size_t len)
{
	return len < DNS_HEADER_LEN || (p[3] & DNS_F_RCODE_MASK) == DNS_R_NXDOMAIN ||
	       (p[6] == 0 && p[7] == 0);
}

/* Records that are really there, whatever the header says. */
static size_t count_records(const uint8_t *p, size_t len)
{
	struct dns_reader r;
	struct dns_rr_buf b;
	size_t n = 0;

	if (dns_reader_init(&r, p, len) < 0)
		return 0;
	while (dns_reader_next(&r, &b) == 1)
		n++;
	return n;
}

int dns_reply_parse(const uint8_t *p, size_t len, struct dns_parsed_reply *out)
{
	struct dns_reader r;
	size_t k = 0;

	memset(out, 0, sizeof(*out));
	if (dns_reader_init(&r, p, len) < 0)
		return -1;
	out->cap = count_records(p, len);
	out->bufs = xcalloc(out->cap ? out->cap : 1, sizeof(*out->bufs));
	out->rrs = xcalloc(out->cap ? out->cap : 1, sizeof(*out->rrs));
	out->answer.rcode = r.flags & DNS_F_RCODE_MASK;
	/* Records come section by section, so each section is contiguous. */
	while (k < out->cap) {
		int got = dns_reader_next(&r, &out->bufs[k]);

		if (got < 0)
			return -1;
		if (got == 0)
			break;
		if (out->bufs[k].rr.type == DNS_T_OPT)
			continue;
		out->rrs[k] = out->bufs[k].rr;
		out->rrs[k].owner = out->bufs[k].owner;
		if (!out->answer.rrs[out->bufs[k].section])
			out->answer.rrs[out->bufs[k].section] = &out->rrs[k];
		out->answer.n[out->bufs[k].section]++;
		k++;
	}
	return 0;
}

void dns_reply_parsed_free(struct dns_parsed_reply *pr)
{
	free(pr->bufs);
	free(pr->rrs);
	pr->bufs = NULL;
	pr->rrs = NULL;
}
