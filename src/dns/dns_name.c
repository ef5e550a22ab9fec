/*
 * dns_name — domain names in the DNS wire format: between presentation
 * and wire form, read out of a message through compression pointers,
 * compared, and the reverse names of addresses.  The lowest of the wire
 * files (dns_name <- dns_rr <- dns_msg): it uses neither of the others.
 *
 * Names are converted to uncompressed wire form (at most 255 bytes) for
 * every comparison, so escapes and case are handled in one place: two
 * presentation names are equal when their wire forms are equal ignoring
 * ASCII case.  Reading follows compression pointers only backwards, each
 * one to before the start of the labels it ends, so every jump lowers the
 * position and a chain of pointers cannot loop.  Nothing here allocates.
 */
#include "dns/dns_name.h"
#include "dns_wire_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define LABEL_MAX 63

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* RFC 4343 section 3: DNS compares ASCII letters without case, nothing else. */
bool bytes_equal_nocase(const uint8_t *a, const uint8_t *b, size_t n)
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
size_t text_to_wire(const char *s, uint8_t *w)
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
int wire_to_text(const uint8_t *w, char *out, size_t outlen)
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
int read_wire(const uint8_t *msg, size_t len, size_t *off, uint8_t *w, size_t *wlen)
{
	size_t pos = *off, seg = *off, end = 0, n = 0;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return -1;
		c = msg[pos];
		if ((c & DNS_PTR_BITS) == DNS_PTR_BITS) {
			size_t target;

			/* RFC 1035 section 4.1.4: a pointer is two octets, 11 + offset. */
			if (len - pos < 2)
				return -1;
			target = (size_t)(c & ~DNS_PTR_BITS) << 8 | msg[pos + 1];
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
		if (c & DNS_PTR_BITS)
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

/* Length of the uncompressed wire name at p (len bytes); -1 if none. */
int wire_name_len(const uint8_t *p, size_t len)
{
	size_t i = 0;

	for (;;) {
		if (i >= len || (p[i] & DNS_PTR_BITS))
			return -1;
		if (!p[i])
			return (int)i + 1;
		/* The label and at least the root after it, within 255. */
		if (i + 1 + p[i] >= DNS_WIRE_NAME_MAX)
			return -1;
		i += (size_t)p[i] + 1;
	}
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
