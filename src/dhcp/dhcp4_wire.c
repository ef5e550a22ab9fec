/*
 * dhcp4_wire — reading and writing DHCPv4 messages.  The parser checks the
 * fixed BOOTP header (RFC 2131 section 2), then walks the option areas with
 * a cursor that knows how many bytes remain, reassembling options that
 * appear several times (RFC 3396) into one contiguous value per code, and
 * following option 52 into the 'file' and 'sname' fields.  The builder
 * writes a BOOTREPLY and refuses any option that would leave no room for
 * END within the size the client accepts.  No function here allocates or
 * logs; errors are static strings for the caller to report.
 */
#include "dhcp/dhcp4_wire.h"

#include <arpa/inet.h>
#include <string.h>

#include "core/util.h"

/* Offsets of the fixed fields, RFC 2131 figure 1. */
enum {
	OFF_OP = 0, OFF_HTYPE = 1, OFF_HLEN = 2, OFF_HOPS = 3, OFF_XID = 4,
	OFF_SECS = 8, OFF_FLAGS = 10, OFF_CIADDR = 12, OFF_YIADDR = 16,
	OFF_SIADDR = 20, OFF_GIADDR = 24, OFF_CHADDR = 28, OFF_SNAME = 44,
	OFF_FILE = 108, OFF_COOKIE = 236, OFF_OPTIONS = 240,
};
#define SNAME_LEN 64
#define FILE_LEN 128

/* Option 52 values, RFC 2132 section 9.3. */
#define OVERLOAD_FILE 1
#define OVERLOAD_SNAME 2

static struct in_addr get_addr(const uint8_t *p)
{
	struct in_addr a;

	memcpy(&a.s_addr, p, 4);
	return a;
}

/*
 * Reassembly state.  The areas are walked twice: once to validate them and
 * measure each option's total length, once to copy the values, so every
 * option ends up contiguous in optbuf without a list of pieces.
 */
struct reasm {
	struct dhcp4_packet *pkt;
	bool copy;               /* false: measure and validate; true: copy */
	bool main_area;          /* walking the 'options' field itself */
	size_t total;            /* value bytes measured so far */
	uint16_t fill[256];      /* copy pass: bytes already copied per code */
	size_t noverload;        /* option 52 instances in the options field */
	uint8_t overload;
};

/* Account for (measure) or copy one option instance. */
static int take_piece(struct reasm *r, uint8_t code, const uint8_t *val, uint8_t len,
		      const char **why)
{
	struct dhcp4_packet *pkt = r->pkt;

	if (r->copy) {
		memcpy(pkt->optbuf + pkt->opt[code].off + r->fill[code], val, len);
		r->fill[code] += len;
		return 0;
	}
	if (r->total + len > sizeof(pkt->optbuf)) {
		*why = "options longer than the reassembly buffer";
		return -1;
	}
	if (code == OPT_OVERLOAD && r->main_area) {
		/* RFC 2132 section 9.3: one byte, in the options field. */
		if (len != 1 || r->noverload++) {
			*why = "option 52 (overload) is not one byte";
			return -1;
		}
		r->overload = val[0];
	}
	pkt->opt[code].present = true;
	pkt->opt[code].len = (uint16_t)(pkt->opt[code].len + len);
	r->total += len;
	return 0;
}

/*
 * Walk one option area.  Stops at END or at the end of the area: many
 * clients omit END when the options fill the packet, and RFC 2131 gives
 * no reason to reject that.  A code whose length byte or value would run
 * past the area is an error.
 */
static int walk_area(struct reasm *r, const uint8_t *p, size_t len, const char **why)
{
	size_t pos = 0;

	while (pos < len) {
		uint8_t code = p[pos];
		uint8_t olen;

		if (code == OPT_END)
			return 0;
		if (code == OPT_PAD) {
			pos++;
			continue;
		}
		if (len - pos < 2)
			goto too_short;
		olen = p[pos + 1];
		if (len - pos - 2 < olen)
			goto too_short;
		if (take_piece(r, code, p + pos + 2, olen, why) < 0)
			return -1;
		pos += 2 + (size_t)olen;
	}
	return 0;

too_short:
	*why = "an option runs past the end of its area";
	return -1;
}

/*
 * RFC 3396 section 5: "the values of all instances of a given option are
 * concatenated together in the order they appear", areas taken in the
 * order options, file, sname; 'file' and 'sname' hold options only when
 * option 52 in the options field says so.
 */
static int walk_all(struct reasm *r, const uint8_t *p, size_t len, const char **why)
{
	r->main_area = true;
	if (walk_area(r, p + OFF_OPTIONS, len - OFF_OPTIONS, why) < 0)
		return -1;
	r->main_area = false;
	if (r->overload > (OVERLOAD_FILE | OVERLOAD_SNAME)) {
		*why = "option 52 (overload) has an unknown value";
		return -1;
	}
	if ((r->overload & OVERLOAD_FILE) && walk_area(r, p + OFF_FILE, FILE_LEN, why) < 0)
		return -1;
	if ((r->overload & OVERLOAD_SNAME) && walk_area(r, p + OFF_SNAME, SNAME_LEN, why) < 0)
		return -1;
	return 0;
}

static void parse_fixed(const uint8_t *p, struct dhcp4_packet *out)
{
	out->op = p[OFF_OP];
	out->htype = p[OFF_HTYPE];
	out->hlen = p[OFF_HLEN];
	out->hops = p[OFF_HOPS];
	memcpy(&out->xid, p + OFF_XID, 4);
	out->secs = get_be16(p + OFF_SECS);
	out->flags = get_be16(p + OFF_FLAGS);
	out->ciaddr = get_addr(p + OFF_CIADDR);
	out->yiaddr = get_addr(p + OFF_YIADDR);
	out->siaddr = get_addr(p + OFF_SIADDR);
	out->giaddr = get_addr(p + OFF_GIADDR);
	memcpy(out->chaddr, p + OFF_CHADDR, sizeof(out->chaddr));
}

static int parse_options(const uint8_t *p, size_t len, struct dhcp4_packet *out,
			 const char **why)
{
	struct reasm r = { .pkt = out };
	size_t off = 0;

	if (walk_all(&r, p, len, why) < 0)
		return -1;
	/* Lay the values out by code; each gets one contiguous slot. */
	for (size_t code = 0; code < 256; code++) {
		if (!out->opt[code].present)
			continue;
		out->opt[code].off = (uint16_t)off;
		off += out->opt[code].len;
	}
	out->optbuf_len = off;
	r.copy = true;
	return walk_all(&r, p, len, why);
}

int dhcp4_parse(const uint8_t *p, size_t len, struct dhcp4_packet *out, const char **why)
{
	const uint8_t *v;
	size_t vlen;

	if (!p || !out || !why)
		return -1;
	memset(out, 0, sizeof(*out));
	if (len < DHCP4_MIN_LEN) {
		*why = "shorter than the fixed header";
		return -1;
	}
	parse_fixed(p, out);
	if (out->op != DHCP4_BOOTREQUEST) {
		*why = "not a BOOTREQUEST";
		return -1;
	}
	if (out->hlen > sizeof(out->chaddr)) {
		*why = "hardware address length over 16";
		return -1;
	}
	if (get_be32(p + OFF_COOKIE) != DHCP4_MAGIC) {
		*why = "bad magic cookie";
		return -1;
	}
	if (parse_options(p, len, out, why) < 0)
		return -1;
	v = dhcp4_get_option(out, OPT_MSG_TYPE, &vlen);
	if (v) {
		if (vlen != 1) {
			*why = "option 53 (message type) is not one byte";
			return -1;
		}
		out->msg_type = v[0];
	}
	return 0;
}

const uint8_t *dhcp4_get_option(const struct dhcp4_packet *pkt, uint8_t code, size_t *len)
{
	if (!pkt || !pkt->opt[code].present)
		return NULL;
	if (len)
		*len = pkt->opt[code].len;
	return pkt->optbuf + pkt->opt[code].off;
}

bool dhcp4_get_addr_option(const struct dhcp4_packet *pkt, uint8_t code, struct in_addr *out)
{
	size_t len;
	const uint8_t *v = dhcp4_get_option(pkt, code, &len);

	if (!v || len != 4)
		return false;
	*out = get_addr(v);
	return true;
}

static void put_addr(uint8_t *p, struct in_addr a)
{
	memcpy(p, &a.s_addr, 4);
}

void dhcp4_build_init(struct dhcp4_builder *b, const struct dhcp4_packet *req,
		      uint8_t msg_type, size_t max)
{
	uint32_t cookie = htonl(DHCP4_MAGIC);
	uint16_t flags = htons(req->flags);

	memset(b, 0, sizeof(*b));
	b->max = MAX(MIN(max, sizeof(b->buf)), (size_t)DHCP4_MIN_REPLY);
	b->buf[OFF_OP] = DHCP4_BOOTREPLY;
	b->buf[OFF_HTYPE] = req->htype;
	b->buf[OFF_HLEN] = MIN(req->hlen, (uint8_t)sizeof(req->chaddr));
	memcpy(b->buf + OFF_XID, &req->xid, 4);
	memcpy(b->buf + OFF_FLAGS, &flags, 2);
	put_addr(b->buf + OFF_GIADDR, req->giaddr);
	memcpy(b->buf + OFF_CHADDR, req->chaddr, sizeof(req->chaddr));
	memcpy(b->buf + OFF_COOKIE, &cookie, 4);
	b->len = OFF_OPTIONS;
	dhcp4_add_option(b, OPT_MSG_TYPE, &msg_type, 1);
}

void dhcp4_build_set_addrs(struct dhcp4_builder *b, struct in_addr ciaddr,
			   struct in_addr yiaddr, struct in_addr siaddr)
{
	put_addr(b->buf + OFF_CIADDR, ciaddr);
	put_addr(b->buf + OFF_YIADDR, yiaddr);
	put_addr(b->buf + OFF_SIADDR, siaddr);
}

void dhcp4_build_set_boot(struct dhcp4_builder *b, const char *sname, const char *file)
{
	/* The fields start zeroed: shorter text ends in NULs, text that fills one has none. */
	if (sname)
		memcpy(b->buf + OFF_SNAME, sname, MIN(strlen(sname), (size_t)SNAME_LEN));
	if (file)
		memcpy(b->buf + OFF_FILE, file, MIN(strlen(file), (size_t)FILE_LEN));
}

void dhcp4_build_set_broadcast(struct dhcp4_builder *b)
{
	b->buf[OFF_FLAGS] |= DHCP4_FLAG_BROADCAST >> 8;
}

/* Bytes an option of len takes once split into pieces of at most 255. */
static size_t encoded_size(size_t len)
{
	size_t pieces = len ? (len + 254) / 255 : 1;

	return pieces * 2 + len;
}

int dhcp4_add_option(struct dhcp4_builder *b, uint8_t code, const void *data, size_t len)
{
	const uint8_t *v = data;
	size_t need;

	if (!b || code == OPT_PAD || code == OPT_END || (len && !data))
		return -1;
	if (b->len > b->max || len > b->max)
		return -1;
	need = encoded_size(len);
	/* The END option must still fit after this one. */
	if (need + 1 > b->max - b->len)
		return -1;
	/* RFC 3396 section 7: split a long value over consecutive instances. */
	do {
		size_t n = MIN(len, (size_t)255);

		b->buf[b->len++] = code;
		b->buf[b->len++] = (uint8_t)n;
		if (n) {
			memcpy(b->buf + b->len, v, n);
			v += n;
		}
		b->len += n;
		len -= n;
	} while (len);
	return 0;
}

size_t dhcp4_build_finish(struct dhcp4_builder *b)
{
	if (b->len < sizeof(b->buf))
		b->buf[b->len++] = OPT_END;
	/* Some BOOTP-era relays and clients drop anything under 300 bytes. */
	if (b->len < DHCP4_MIN_REPLY) {
		memset(b->buf + b->len, OPT_PAD, DHCP4_MIN_REPLY - b->len);
		b->len = DHCP4_MIN_REPLY;
	}
	return b->len;
}

const char *dhcp4_msg_type_name(uint8_t type)
{
	static const char *const names[] = {
		[DHCPDISCOVER] = "DHCPDISCOVER", [DHCPOFFER] = "DHCPOFFER",
		[DHCPREQUEST] = "DHCPREQUEST", [DHCPDECLINE] = "DHCPDECLINE",
		[DHCPACK] = "DHCPACK", [DHCPNAK] = "DHCPNAK",
		[DHCPRELEASE] = "DHCPRELEASE", [DHCPINFORM] = "DHCPINFORM",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "DHCPUNKNOWN";
}
