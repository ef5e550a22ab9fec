/*
 * leasefile — read and write single lines of dnsmasq's lease file (see
 * include/lease/leasefile.h).  A line is split into at most five fields without
 * ever looking past the length it came with; each field is copied into a
 * bounded, NUL-terminated buffer before the number, MAC, address and hex
 * parsers see it.  dnsmasq writes the hardware type as two hex digits and
 * a dash ("06-aa:bb:..") for anything that is not a non-empty Ethernet
 * address, and may append "duid", IPv6, "agent-info" and "vendorclass"
 * lines: those are recognised and skipped.  A hostname that is not a
 * valid DNS label is dropped but the lease is kept; any other bad field
 * makes the whole line bad.
 */
#include "lease/leasefile.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define FIELDS 5
/* The longest field: a 255-byte client-id as "xx:" groups. */
#define FIELD_MAX (3 * LEASE_CLIENT_ID_MAX + 8)
/* Far beyond 2106 but far below overflow of a 64-bit time_t. */
#define EXPIRY_DIGITS_MAX 15

struct fields {
	char f[FIELDS][FIELD_MAX];
	size_t n;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Split into fields; -1 with *why on a control byte, overlong field or too many fields. */
static int split_fields(const char *line, size_t len, struct fields *out, const char **why)
{
	size_t i = 0;

	out->n = 0;
	while (i < len) {
		size_t start, flen;

		while (i < len && is_blank(line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_blank(line[i])) {
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) {
				*why = "control character in line";
				return -1;
			}
			i++;
		}
		flen = i - start;
		if (out->n == FIELDS) {
			*why = "more than five fields";
			return -1;
		}
		if (flen >= FIELD_MAX) {
			*why = "field too long";
			return -1;
		}
		memcpy(out->f[out->n], line + start, flen);
		out->f[out->n][flen] = '\0';
		out->n++;
	}
	return 0;
}

static int parse_expiry(const char *s, time_t *out)
{
	int64_t v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > EXPIRY_DIGITS_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = (time_t)v;
	return 0;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:.." (Ethernet) or "HT-aa:bb:.." (hardware type HT in hex, maybe no address). */
static int parse_hw(const char *s, struct lease *l)
{
	const char *dash = strchr(s, '-');
	size_t len = 0;

	l->htype = 1; /* ARPHRD_ETHER */
	if (dash) {
		size_t tlen = (size_t)(dash - s);
		int hi, lo;

		if (tlen < 1 || tlen > 2)
			return -1;
		hi = tlen == 2 ? hex_nibble(s[0]) : 0;
		lo = hex_nibble(s[tlen - 1]);
		if (hi < 0 || lo < 0)
			return -1;
		l->htype = (uint8_t)(hi << 4 | lo);
		s = dash + 1;
		if (*s == '\0') {
			l->hwlen = 0;
			return 0;
		}
	}
	if (hex_parse(s, l->hwaddr, LEASE_HWADDR_MAX, &len) < 0 || len == 0)
		return -1;
	l->hwlen = (uint8_t)len;
	return 0;
}

/* "1234567" or "T1234567" (a temporary address's IA). */
static int parse_iaid(const char *s, struct lease *l)
{
	uint64_t v = 0;

	l->ia = LEASE_IA_NA;
	if (*s == 'T') {
		l->ia = LEASE_IA_TA;
		s++;
	}
	if (!*s || strlen(s) > 10)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	l->iaid = (uint32_t)v;
	return 0;
}

/* The client-id (IPv4) or DUID (IPv6) field; "*" when there is none. */
static int parse_client_id(const char *s, struct lease *l, const char **why)
{
	size_t idlen = 0;

	if (strcmp(s, "*") == 0)
		return 0;
	if (hex_parse(s, l->client_id, LEASE_CLIENT_ID_MAX, &idlen) < 0 || idlen == 0) {
		*why = l->addr.family == AF_INET6 ? "bad DUID" : "bad client-id";
		return -1;
	}
	/*
	 * RFC 2132 section 9.14: at least 2 bytes (a type and a value).
	 * The DHCP engine ignores shorter ones, so a shorter one here is a
	 * line cut short, not a client's identity.  A DUID has a 2-byte type
	 * and something after it (RFC 8415 section 11).
	 */
	if (idlen < LEASEFILE_CLIENT_ID_MIN) {
		*why = l->addr.family == AF_INET6 ? "DUID shorter than 2 bytes"
						  : "client-id shorter than 2 bytes";
		return -1;
	}
	l->client_id_len = (uint8_t)idlen;
	return 0;
}

/* EXPIRY IAID ADDR6 HOSTNAME DUID */
static enum leasefile_line parse_v6(const struct fields *fl, struct lease *l, const char **why)
{
	l->addr.family = AF_INET6;
	if (parse_iaid(fl->f[1], l) < 0) {
		*why = "bad IAID";
		return LEASEFILE_BAD;
	}
	if (inet_pton(AF_INET6, fl->f[2], &l->addr.v6) != 1 || !lease_addr_usable(&l->addr)) {
		*why = "bad IPv6 address";
		return LEASEFILE_BAD;
	}
	if (parse_client_id(fl->f[4], l, why) < 0)
		return LEASEFILE_BAD;
	/* The client's MAC, where its DUID carries one: it ties the name to its IPv4 lease. */
	lease_duid_hwaddr(l->client_id, l->client_id_len, &l->htype, l->hwaddr, &l->hwlen);
	return LEASEFILE_LEASE;
}

/* EXPIRY MAC ADDR4 HOSTNAME CLIENTID */
static enum leasefile_line parse_v4(const struct fields *fl, struct lease *l, const char **why)
{
	l->addr.family = AF_INET;
	if (parse_hw(fl->f[1], l) < 0) {
		*why = "bad hardware address";
		return LEASEFILE_BAD;
	}
	if (inet_pton(AF_INET, fl->f[2], &l->addr.v4) != 1 || !lease_addr_usable(&l->addr)) {
		*why = "bad IPv4 address";
		return LEASEFILE_BAD;
	}
	if (parse_client_id(fl->f[4], l, why) < 0)
		return LEASEFILE_BAD;
	return LEASEFILE_LEASE;
}

/* "duid HEX": 2 to 128 bytes (RFC 8415 section 11.1). */
static enum leasefile_line parse_server_duid(const struct fields *fl, struct lease *out,
					     const char **why)
{
	size_t len;

	memset(out, 0, sizeof(*out));
	if (fl->n != 2 || hex_parse(fl->f[1], out->client_id, LEASEFILE_DUID_MAX, &len) < 0 ||
	    len < LEASEFILE_CLIENT_ID_MIN) {
		*why = "bad server duid line: expected \"duid\" and 2 to 128 hex bytes";
		return LEASEFILE_BAD;
	}
	out->client_id_len = (uint8_t)len;
	return LEASEFILE_SERVER_DUID;
}

int leasefile_format_server_duid(const uint8_t *duid, size_t len, char *buf, size_t buflen)
{
	char hex[3 * LEASEFILE_DUID_MAX];
	int n;

	if (len < LEASEFILE_CLIENT_ID_MIN || len > LEASEFILE_DUID_MAX)
		return -1;
	n = snprintf(buf, buflen, "duid %s\n", hex_format(duid, len, hex, sizeof(hex)));
	return n < 0 || (size_t)n >= buflen ? -1 : n;
}

enum leasefile_line leasefile_parse_line(const char *line, size_t len,
					 struct lease *out, const char **why)
{
	struct fields fl;
	struct lease l;
	enum leasefile_line r;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!line || !out) {
		*why = "no line";
		return LEASEFILE_BAD;
	}
	if (split_fields(line, len, &fl, why) < 0)
		return LEASEFILE_BAD;
	if (fl.n == 0)
		return LEASEFILE_SKIP;
	/* The server's DUID, kept (LXD reads it to release a client's v6 lease). */
	if (strcmp(fl.f[0], "duid") == 0)
		return parse_server_duid(&fl, out, why);
	/* The extra per-lease data dnsmasq appends. */
	if (strcmp(fl.f[0], "agent-info") == 0 || strcmp(fl.f[0], "vendorclass") == 0)
		return LEASEFILE_SKIP;
	if (fl.n != FIELDS) {
		*why = "expected five fields: EXPIRY MAC IP HOSTNAME CLIENTID";
		return LEASEFILE_BAD;
	}

	memset(&l, 0, sizeof(l));
	if (parse_expiry(fl.f[0], &l.expires) < 0) {
		*why = "bad expiry time";
		return LEASEFILE_BAD;
	}
	/* An IPv6 lease has its IAID where the MAC goes, and a v6 address. */
	r = strchr(fl.f[2], ':') ? parse_v6(&fl, &l, why) : parse_v4(&fl, &l, why);
	if (r != LEASEFILE_LEASE)
		return r;
	if (strcmp(fl.f[3], "*") != 0 && str_is_label(fl.f[3], true))
		str_copy(l.hostname, fl.f[3], sizeof(l.hostname));
	*out = l;
	return LEASEFILE_LEASE;
}

/* "aa:bb:.." into out (3 * len bytes is enough); the store formats a line per change. */
static void put_hex(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		*out++ = digits[p[i] >> 4];
		*out++ = digits[p[i] & 0xf];
		*out++ = i + 1 < len ? ':' : '\0';
	}
}

char *leasefile_format_hw(const struct lease *l, char *out, size_t outlen)
{
	size_t hwlen = MIN(l->hwlen, (size_t)LEASE_HWADDR_MAX);
	size_t n = 0;

	if (outlen < LEASEFILE_HW_MAX) {
		if (outlen)
			out[0] = '\0';
		return out;
	}
	out[0] = '\0';
	if (l->htype != 1 || hwlen == 0)
		n = (size_t)snprintf(out, outlen, "%02x-", l->htype);
	if (hwlen)
		put_hex(l->hwaddr, hwlen, out + n);
	return out;
}

int leasefile_format_line(const struct lease *l, char *buf, size_t buflen)
{
	char who[LEASEFILE_HW_MAX];
	char id[3 * LEASE_CLIENT_ID_MAX + 1] = "*";
	char addr[LEASE_ADDR_STRLEN];
	const char *name = "*";
	int n;

	if (!l || !buf || !lease_addr_usable(&l->addr))
		return -1;
	/* An IPv6 lease names its IA where an IPv4 lease has the MAC. */
	if (l->addr.family == AF_INET6)
		snprintf(who, sizeof(who), "%s%" PRIu32, l->ia == LEASE_IA_TA ? "T" : "", l->iaid);
	else
		leasefile_format_hw(l, who, sizeof(who));
	if (l->client_id_len)
		put_hex(l->client_id, l->client_id_len, id);
	lease_addr_str(&l->addr, addr, sizeof(addr));
	/* Never write a name the reader would take for something else. */
	if (strnlen(l->hostname, LEASE_NAME_MAX) < LEASE_NAME_MAX && str_is_label(l->hostname, true))
		name = l->hostname;
	n = snprintf(buf, buflen, "%" PRIu64 " %s %s %s %s\n",
		     (uint64_t)(l->expires > 0 ? l->expires : 0), who, addr, name, id);
	if (n < 0 || (size_t)n >= buflen)
		return -1;
	return n;
}

bool leasefile_same(const struct lease *a, const struct lease *b)
{
	return lease_addr_equal(&a->addr, &b->addr) && a->expires == b->expires &&
	       a->htype == b->htype && a->hwlen == b->hwlen &&
	       memcmp(a->hwaddr, b->hwaddr, MIN(a->hwlen, (uint8_t)LEASE_HWADDR_MAX)) == 0 &&
	       a->client_id_len == b->client_id_len &&
	       memcmp(a->client_id, b->client_id, a->client_id_len) == 0 &&
	       a->iaid == b->iaid && a->ia == b->ia && strcmp(a->hostname, b->hostname) == 0;
}
