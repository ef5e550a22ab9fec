/*
 * dhcp6_wire — reading and writing DHCPv6 messages.  The parser checks the
 * four-byte header (RFC 8415 section 8), then walks the options with a
 * cursor that knows how many bytes remain, descending into IA_NA, IA_TA
 * and IAADDR, whose nested options must end inside their parent.  What a
 * server on a bridge acts on is kept in struct dhcp6_msg; the rest is
 * checked for bounds and skipped.  The builder appends options to the
 * caller's buffer, nesting by a mark per open option, and marks the reply
 * full rather than write past the end.  No function here allocates or
 * logs; errors are static strings for the caller to report.
 */
#include "dhcp/dhcp6_wire.h"

#include <string.h>

#include "core/util.h"

#define IA_NA_FIXED 12          /* IAID, T1, T2 (RFC 8415 21.4) */
#define IA_TA_FIXED 4           /* IAID (21.5) */
#define IAADDR_FIXED 24         /* address, preferred and valid lifetime (21.6) */
#define LABEL_MAX 63            /* RFC 1035 2.3.4 */

/* The "8" and "64" in the reasons below. */
_Static_assert(DHCP6_MAX_IAS == 8 && DHCP6_MAX_IA_ADDRS == 8 && DHCP6_MAX_ORO == 64,
	       "the parser's reasons name the limits");

/* One option found by the cursor. */
struct opt {
	uint16_t code;
	const uint8_t *body;
	size_t len;
};

/* Parsing state beyond what the message keeps. */
struct parse {
	struct dhcp6_msg *out;
	bool seen_oro;           /* an empty ORO leaves noro at 0 */
};

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/*
 * The option at p[*pos..len) into o, and *pos moved past it; -1 when its
 * header or its body would run past len.  RFC 8415 21.1: option-len is
 * "the length of the option-data field in this option in octets".
 */
static int next_option(const uint8_t *p, size_t len, size_t *pos, struct opt *o)
{
	size_t left = len - *pos;

	if (left < DHCP6_OPT_HEADER_LEN)
		return -1;
	o->code = get_be16(p + *pos);
	o->len = get_be16(p + *pos + 2);
	if (left - DHCP6_OPT_HEADER_LEN < o->len)
		return -1;
	o->body = p + *pos + DHCP6_OPT_HEADER_LEN;
	*pos += DHCP6_OPT_HEADER_LEN + o->len;
	return 0;
}

/* Whether p[0..len) is whole options and nothing else. */
static bool options_fit(const uint8_t *p, size_t len)
{
	size_t pos = 0;
	struct opt o;

	while (pos < len)
		if (next_option(p, len, &pos, &o) < 0)
			return false;
	return true;
}

/* --- identifiers ------------------------------------------------------ */

enum duid_result { DUID_OK, DUID_TWICE, DUID_SHORT, DUID_LONG };

static const char *const client_id_whys[] = {
	[DUID_TWICE] = "more than one client identifier",
	[DUID_SHORT] = "client DUID shorter than 2 bytes",
	[DUID_LONG] = "client DUID longer than 128 bytes",
};
static const char *const server_id_whys[] = {
	[DUID_TWICE] = "more than one server identifier",
	[DUID_SHORT] = "server DUID shorter than 2 bytes",
	[DUID_LONG] = "server DUID longer than 128 bytes",
};

/*
 * RFC 8415 section 21: "Unless otherwise noted, each option may appear
 * only in the options area of a DHCP message and may appear only once";
 * two identifiers leave the client unknown, so the message is invalid.
 * Section 11.1 puts "at least 1 octet and at most 128 octets" after the
 * 2-octet type code.  leased keeps a DUID of 2 to DHCP6_DUID_MAX octets
 * with its type code, the size the lease tables hold: a longer one is
 * dropped rather than cut, since a cut DUID would name another client
 * (none seen in practice is near it: DUID-LLT on Ethernet is 14 octets,
 * DUID-UUID 18).
 */
static enum duid_result take_duid(const struct opt *o, uint8_t *dst, size_t *dst_len)
{
	if (*dst_len)
		return DUID_TWICE;
	if (o->len < 2)
		return DUID_SHORT;
	if (o->len > DHCP6_DUID_MAX)
		return DUID_LONG;
	memcpy(dst, o->body, o->len);
	*dst_len = o->len;
	return DUID_OK;
}

static int parse_duid(const struct opt *o, uint8_t *dst, size_t *dst_len,
		      const char *const whys[], const char **why)
{
	enum duid_result r = take_duid(o, dst, dst_len);

	return r == DUID_OK ? 0 : fail(why, whys[r]);
}

/* --- identity associations -------------------------------------------- */

/*
 * RFC 8415 21.6: an address and the lifetimes the client would like
 * (a hint, which the engine may ignore), then options of its own, which
 * must end inside it; from a client they carry nothing a server uses.
 */
static int parse_iaaddr(const struct opt *o, struct dhcp6_ia *ia, const char **why)
{
	struct dhcp6_iaaddr *a;

	if (o->len < IAADDR_FIXED)
		return fail(why, "IAADDR shorter than 24 bytes");
	if (!options_fit(o->body + IAADDR_FIXED, o->len - IAADDR_FIXED))
		return fail(why, "an option inside an IAADDR runs past its end");
	if (ia->naddrs == DHCP6_MAX_IA_ADDRS)
		return fail(why, "more than 8 addresses in one IA");
	a = &ia->addrs[ia->naddrs++];
	memcpy(&a->addr, o->body, sizeof(a->addr));
	a->preferred = get_be32(o->body + 16);
	a->valid = get_be32(o->body + 20);
	return 0;
}

/*
 * The options inside an IA: its addresses.  A Status Code there is how a
 * server reports on the IA (21.13); one from a client means nothing and is
 * skipped with the rest.
 */
static int parse_ia_options(const uint8_t *p, size_t len, struct dhcp6_ia *ia, const char **why)
{
	size_t pos = 0;
	struct opt o;

	while (pos < len) {
		if (next_option(p, len, &pos, &o) < 0)
			return fail(why, "an option inside an IA runs past its end");
		if (o.code == D6O_IAADDR && parse_iaaddr(&o, ia, why) < 0)
			return -1;
	}
	return 0;
}

/*
 * RFC 8415 21.4: "A DHCP message may contain multiple IA_NA options
 * (though each must have a unique IAID)", and 21.5 the same of IA_TA; the
 * two types number their IAIDs apart.  Two IAs with one IAID would get
 * one binding and two answers, so the message is invalid.
 */
static int parse_ia(const struct opt *o, struct dhcp6_msg *out, const char **why)
{
	bool na = o->code == D6O_IA_NA;
	size_t fixed = na ? IA_NA_FIXED : IA_TA_FIXED;
	struct dhcp6_ia *ia;
	uint32_t iaid;

	if (o->len < fixed)
		return fail(why, na ? "IA_NA shorter than 12 bytes" : "IA_TA shorter than 4 bytes");
	iaid = get_be32(o->body);
	for (size_t i = 0; i < out->nias; i++)
		if (out->ias[i].type == o->code && out->ias[i].iaid == iaid)
			return fail(why, "two IAs of the same type with the same IAID");
	if (out->nias == DHCP6_MAX_IAS)
		return fail(why, "more than 8 IAs");
	ia = &out->ias[out->nias++];
	ia->type = o->code;
	ia->iaid = iaid;
	if (na) {
		ia->t1 = get_be32(o->body + 4);
		ia->t2 = get_be32(o->body + 8);
	}
	return parse_ia_options(o->body + fixed, o->len - fixed, ia, why);
}

/* --- the other options ------------------------------------------------ */

/*
 * RFC 8415 21.7: the codes the client asks for, two octets each.  More
 * than DHCP6_MAX_ORO are refused rather than cut, so no code the client
 * asked for is lost without a word.  Only the first ORO counts: section
 * 21 says repeated options "MUST NOT be concatenated".
 */
static int parse_oro(struct parse *ps, const struct opt *o, const char **why)
{
	struct dhcp6_msg *out = ps->out;

	if (o->len % 2)
		return fail(why, "option request of odd length");
	if (o->len / 2 > DHCP6_MAX_ORO)
		return fail(why, "more than 64 options requested");
	if (ps->seen_oro)
		return 0;
	ps->seen_oro = true;
	out->noro = o->len / 2;
	for (size_t i = 0; i < out->noro; i++)
		out->oro[i] = get_be16(o->body + 2 * i);
	return 0;
}

static int parse_elapsed(const struct opt *o, struct dhcp6_msg *out, const char **why)
{
	if (o->len != 2)
		return fail(why, "elapsed time is not 2 bytes");
	if (!out->has_elapsed) {
		out->has_elapsed = true;
		out->elapsed = get_be16(o->body);
	}
	return 0;
}

/* Rapid Commit (21.14) and Reconfigure Accept (21.20): "option-len 0". */
static int parse_flag(const struct opt *o, bool *flag, const char *reason, const char **why)
{
	if (o->len != 0)
		return fail(why, reason);
	*flag = true;
	return 0;
}

/*
 * A name in DNS wire format (RFC 1035 3.1; RFC 8415 section 10 forbids
 * compression, so a length byte over 63 is no name) into out as text,
 * lower-cased, labels joined by dots.  RFC 4704 section 4.2: "To send a
 * partial name, the Domain Name field is set to the DNS-encoded domain
 * name without the terminating zero-length label", so the root label is
 * optional but nothing may follow it.  A '.' or NUL inside a label would
 * make the text name another name, so they make the name malformed.
 * out holds DHCP6_FQDN_MAX + 1: at most 255 wire bytes give at most 254
 * characters.
 */
static int read_name(const uint8_t *p, size_t len, char *out)
{
	size_t pos = 0, o = 0;

	if (len > DHCP6_FQDN_MAX)
		return -1;
	while (pos < len) {
		size_t n = p[pos++];

		if (n == 0)
			break;
		if (n > LABEL_MAX || n > len - pos)
			return -1;
		if (o)
			out[o++] = '.';
		for (size_t i = 0; i < n; i++) {
			uint8_t c = p[pos + i];

			if (c == '.' || c == '\0')
				return -1;
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		pos += n;
	}
	out[o] = '\0';
	return pos == len ? 0 : -1;
}

/*
 * RFC 4704 section 4: flags, then the name; "A client MAY also leave the
 * Domain Name field empty if it desires the server to provide a name."
 */
static int parse_fqdn(const struct opt *o, struct dhcp6_msg *out, const char **why)
{
	char name[sizeof(out->fqdn)];

	if (o->len < 1)
		return fail(why, "client FQDN without its flags byte");
	if (read_name(o->body + 1, o->len - 1, name) < 0)
		return fail(why, "client FQDN with a malformed name");
	if (!out->has_fqdn) {
		out->has_fqdn = true;
		out->fqdn_flags = o->body[0];
		memcpy(out->fqdn, name, sizeof(name));
	}
	return 0;
}

static int take_option(struct parse *ps, const struct opt *o, const char **why)
{
	struct dhcp6_msg *out = ps->out;

	switch (o->code) {
	case D6O_CLIENTID:
		return parse_duid(o, out->client_id, &out->client_id_len, client_id_whys, why);
	case D6O_SERVERID:
		return parse_duid(o, out->server_id, &out->server_id_len, server_id_whys, why);
	case D6O_IA_NA:
	case D6O_IA_TA:
		return parse_ia(o, out, why);
	case D6O_IA_PD:
		/* Not served: counted so the engine can say NoPrefixAvail. */
		out->n_ia_pd++;
		return 0;
	case D6O_ORO:
		return parse_oro(ps, o, why);
	case D6O_ELAPSED_TIME:
		return parse_elapsed(o, out, why);
	case D6O_RAPID_COMMIT:
		return parse_flag(o, &out->rapid_commit, "rapid commit is not empty", why);
	case D6O_RECONF_ACCEPT:
		return parse_flag(o, &out->reconf_accept, "reconfigure accept is not empty", why);
	case D6O_CLIENT_FQDN:
		return parse_fqdn(o, out, why);
	default:
		return 0;
	}
}

/*
 * RFC 8415 section 9: msg-type, hop-count, link-address, peer-address,
 * then options.  leased answers on the bridges it sits on and never for a
 * relay's link, so a relay message is refused; its options are walked
 * first all the same, so the reason given is true of the bytes.
 */
static int refuse_relay(const uint8_t *p, size_t len, const char **why)
{
	if (len < DHCP6_RELAY_HEADER_LEN)
		return fail(why, "relay message shorter than its header");
	if (!options_fit(p + DHCP6_RELAY_HEADER_LEN, len - DHCP6_RELAY_HEADER_LEN))
		return fail(why, "an option runs past the end of the message");
	return fail(why, "relayed messages are not served");
}

int dhcp6_parse(const uint8_t *p, size_t len, struct dhcp6_msg *out, const char **why)
{
	struct parse ps = { .out = out };
	size_t pos = DHCP6_HEADER_LEN;
	struct opt o;

	if (!out || !why || (!p && len))
		return -1;
	memset(out, 0, sizeof(*out));
	if (len < DHCP6_HEADER_LEN)
		return fail(why, "shorter than the message header");
	out->type = p[0];
	if (out->type == DHCP6_RELAY_FORW || out->type == DHCP6_RELAY_REPL)
		return refuse_relay(p, len, why);
	memcpy(out->xid, p + 1, sizeof(out->xid));
	while (pos < len) {
		if (next_option(p, len, &pos, &o) < 0)
			return fail(why, "an option runs past the end of the message");
		if (take_option(&ps, &o, why) < 0)
			return -1;
	}
	return 0;
}

/* --- building --------------------------------------------------------- */

/* Whether n more bytes fit; when they do not, the reply is full for good. */
static bool fits(struct dhcp6_out *o, size_t n)
{
	if (!o->full && n <= o->cap - o->len)
		return true;
	o->full = true;
	return false;
}

void dhcp6_put_bytes(struct dhcp6_out *o, const void *p, size_t n)
{
	if (!fits(o, n))
		return;
	if (n)
		memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void put_u16(struct dhcp6_out *o, uint16_t v)
{
	uint8_t b[2];

	put_be16(b, v);
	dhcp6_put_bytes(o, b, sizeof(b));
}

void dhcp6_put_u32(struct dhcp6_out *o, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	dhcp6_put_bytes(o, b, sizeof(b));
}

static void put_header(struct dhcp6_out *o, uint16_t code, uint16_t len)
{
	uint8_t h[DHCP6_OPT_HEADER_LEN];

	put_be16(h, code);
	put_be16(h + 2, len);
	dhcp6_put_bytes(o, h, sizeof(h));
}

void dhcp6_out_init(struct dhcp6_out *o, uint8_t *buf, size_t cap, uint8_t type,
		    const uint8_t xid[3])
{
	*o = (struct dhcp6_out){ .p = buf, .cap = buf ? cap : 0 };
	dhcp6_put_bytes(o, &type, 1);
	dhcp6_put_bytes(o, xid, 3);
}

void dhcp6_put(struct dhcp6_out *o, uint16_t code, const void *data, size_t len)
{
	if (len > UINT16_MAX)
		o->full = true;
	if (!fits(o, DHCP6_OPT_HEADER_LEN + len))
		return;
	put_header(o, code, (uint16_t)len);
	dhcp6_put_bytes(o, data, len);
}

size_t dhcp6_open(struct dhcp6_out *o, uint16_t code)
{
	size_t mark = o->len;

	put_header(o, code, 0); /* the length is dhcp6_close's */
	return mark;
}

void dhcp6_close(struct dhcp6_out *o, size_t mark)
{
	size_t body;

	/* A full reply is dropped whole; its marks may point past what fit. */
	if (o->full || mark > o->len || o->len - mark < DHCP6_OPT_HEADER_LEN)
		return;
	body = o->len - mark - DHCP6_OPT_HEADER_LEN;
	if (body > UINT16_MAX) {
		o->full = true;
		return;
	}
	put_be16(o->p + mark + 2, (uint16_t)body);
}

void dhcp6_put_status(struct dhcp6_out *o, uint16_t status, const char *message)
{
	size_t mark = dhcp6_open(o, D6O_STATUS_CODE);

	put_u16(o, status);
	if (message)
		dhcp6_put_bytes(o, message, strlen(message));
	dhcp6_close(o, mark);
}

void dhcp6_put_iaaddr(struct dhcp6_out *o, const struct in6_addr *a, uint32_t preferred,
		      uint32_t valid, int status_or_minus1)
{
	size_t mark = dhcp6_open(o, D6O_IAADDR);

	dhcp6_put_bytes(o, a, sizeof(*a));
	dhcp6_put_u32(o, preferred);
	dhcp6_put_u32(o, valid);
	if (status_or_minus1 >= 0) {
		uint16_t status = (uint16_t)status_or_minus1;

		dhcp6_put_status(o, status, dhcp6_status_name(status));
	}
	dhcp6_close(o, mark);
}

/*
 * The bytes name takes in wire format with its root label, or 0 when it
 * is not a name: an empty label, one over 63 bytes, over 255 in all, or
 * the root alone (no host's or domain's name).  One trailing dot is the
 * root label written out.
 */
static size_t name_wire_len(const char *name)
{
	size_t n = strlen(name), total = 1, label = 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && name[i] != '.') {
			label++;
			continue;
		}
		if (label == 0 || label > LABEL_MAX)
			return 0;
		total += 1 + label;
		label = 0;
	}
	return total <= DHCP6_FQDN_MAX ? total : 0;
}

int dhcp6_put_name(struct dhcp6_out *o, const char *name)
{
	size_t wire = name ? name_wire_len(name) : 0;
	const char *s = name;

	if (!wire)
		return -1;
	if (!fits(o, wire))
		return 0;
	while (*s) {
		size_t n = strcspn(s, ".");
		uint8_t n8 = (uint8_t)n;

		dhcp6_put_bytes(o, &n8, 1);
		dhcp6_put_bytes(o, s, n);
		s += n;
		if (*s)
			s++; /* the dot; after a trailing one the loop ends */
	}
	dhcp6_put_bytes(o, "", 1); /* the root label */
	return 0;
}

/*
 * RFC 3646 section 4: the Domain Search List is names one after another,
 * each in the encoding of RFC 8415 section 10.  Every name is checked
 * before the option is begun, so a bad one leaves nothing behind.
 */
int dhcp6_put_domain_list(struct dhcp6_out *o, uint16_t code, const char *const *names,
			  size_t n)
{
	size_t mark;

	for (size_t i = 0; i < n; i++)
		if (!names[i] || !name_wire_len(names[i]))
			return -1;
	mark = dhcp6_open(o, code);
	for (size_t i = 0; i < n; i++)
		dhcp6_put_name(o, names[i]);
	dhcp6_close(o, mark);
	return 0;
}

const char *dhcp6_type_name(uint8_t type)
{
	static const char *const names[] = {
		[DHCP6_SOLICIT] = "SOLICIT", [DHCP6_ADVERTISE] = "ADVERTISE",
		[DHCP6_REQUEST] = "REQUEST", [DHCP6_CONFIRM] = "CONFIRM",
		[DHCP6_RENEW] = "RENEW", [DHCP6_REBIND] = "REBIND",
		[DHCP6_REPLY] = "REPLY", [DHCP6_RELEASE] = "RELEASE",
		[DHCP6_DECLINE] = "DECLINE", [DHCP6_RECONFIGURE] = "RECONFIGURE",
		[DHCP6_INFORMATION_REQUEST] = "INFORMATION-REQUEST",
		[DHCP6_RELAY_FORW] = "RELAY-FORW", [DHCP6_RELAY_REPL] = "RELAY-REPL",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "UNKNOWN";
}

/* The names RFC 8415 21.13 gives them. */
const char *dhcp6_status_name(uint16_t status)
{
	static const char *const names[] = {
		[D6S_SUCCESS] = "Success", [D6S_UNSPEC_FAIL] = "UnspecFail",
		[D6S_NO_ADDRS_AVAIL] = "NoAddrsAvail", [D6S_NO_BINDING] = "NoBinding",
		[D6S_NOT_ON_LINK] = "NotOnLink", [D6S_USE_MULTICAST] = "UseMulticast",
		[D6S_NO_PREFIX_AVAIL] = "NoPrefixAvail",
	};

	if (status < ARRAY_SIZE(names) && names[status])
		return names[status];
	return "unknown status";
}
