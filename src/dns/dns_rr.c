/*
 * dns_rr — resource records: the fixed fields after a record's owner,
 * where the names sit in the RDATA of each type, RDATA built for local
 * data, and RDATA and type numbers in presentation form.  Uses dns_name
 * only; dns_msg builds on it.  Nothing here allocates.
 */
#include "dns/dns_rr.h"
#include "dns_wire_internal.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/util.h"

#define RR_FIXED 10            /* TYPE, CLASS, TTL, RDLENGTH after the owner */

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

/* ---- Records in a message --------------------------------------------- */

int read_rr_head(const uint8_t *p, size_t len, size_t *off, struct rr_head *h)
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

bool rdata_shape(uint16_t type, struct rdata_shape *s)
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

/*
 * Expand the names of a name-bearing RDATA into out.  RFC 3597 section 4:
 * receivers "MUST decompress domain names in RRs of well-known type, and
 * SHOULD also decompress ... SRV" (RFC 2052 servers compressed it).  The
 * names must end inside the RDATA and the fixed tail fill it exactly.
 */
int expand_rdata(const uint8_t *msg, const struct rr_head *h,
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
bool address_size_ok(const struct rr_head *h)
{
	if (h->class != DNS_C_IN)
		return true;
	if (h->type == DNS_T_A)
		return h->rdlen == 4;
	if (h->type == DNS_T_AAAA)
		return h->rdlen == 16;
	return true;
}

/* The RDATA fits its type's shape exactly (local data is trusted, but not blindly). */
bool rdata_matches(const struct dns_rr *rr, const struct rdata_shape *s)
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
