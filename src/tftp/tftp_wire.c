/*
 * tftp_wire — TFTP packets and netascii (see include/tftp/tftp_wire.h).
 */
#include "tftp/tftp_wire.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A cursor over the bytes of a packet not read yet. */
struct cursor {
	const uint8_t *p;
	size_t left;
};

/*
 * The next NUL-terminated string; NULL when no NUL ends it inside the
 * packet.  The string points into the packet (the NUL is part of it).
 */
static const char *next_string(struct cursor *c, size_t *len)
{
	const uint8_t *nul = c->left ? memchr(c->p, 0, c->left) : NULL;
	const char *s = (const char *)c->p;

	if (!nul)
		return NULL;
	*len = (size_t)(nul - c->p);
	c->left -= *len + 1;
	c->p = nul + 1;
	return s;
}

/* A whole decimal number of at most 20 digits (tsize may pass 4 GB). */
static bool parse_number(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * RFC 2347: "The option and value are case insensitive"; unknown options
 * and values out of range are left out (the server "may" ignore them),
 * so a client asking for something odd still gets its file.
 */
static void take_option(struct tftp_request *r, const char *name, const char *val, size_t vlen)
{
	uint64_t v;

	if (!parse_number(val, vlen, &v))
		return;
	if (strcasecmp(name, "blksize") == 0 && v >= TFTP_BLKSIZE_MIN) {
		r->has_blksize = true;
		r->blksize = (uint32_t)MIN(v, (uint64_t)TFTP_BLKSIZE_MAX);
	} else if (strcasecmp(name, "timeout") == 0 && v >= TFTP_TIMEOUT_MIN &&
		   v <= TFTP_TIMEOUT_MAX) {
		r->has_timeout = true;
		r->timeout = (uint32_t)v;
	} else if (strcasecmp(name, "tsize") == 0) {
		r->has_tsize = true;
		r->tsize = v;
	}
}

static int parse_mode(struct tftp_request *r, const char *mode, const char **why)
{
	if (strcasecmp(mode, "octet") == 0)
		r->netascii = false;
	else if (strcasecmp(mode, "netascii") == 0)
		r->netascii = true;
	else {
		*why = strcasecmp(mode, "mail") == 0 ? "mail mode is not supported"
						      : "unknown transfer mode";
		return -1;
	}
	return 0;
}

int tftp_parse_request(const uint8_t *p, size_t len, struct tftp_request *out,
		       const char **why)
{
	struct cursor c = { p, len };
	const char *file, *mode, *name, *val;
	size_t flen, mlen, nlen, vlen;
	int op = tftp_opcode(p, len);

	memset(out, 0, sizeof(*out));
	if (op != TFTP_RRQ && op != TFTP_WRQ) {
		*why = "not a read or write request";
		return -1;
	}
	out->op = (enum tftp_opcode)op;
	c.p += 2;
	c.left -= 2;
	file = next_string(&c, &flen);
	mode = file ? next_string(&c, &mlen) : NULL;
	if (!mode) {
		*why = "request without its file name and mode";
		return -1;
	}
	if (flen == 0 || flen >= sizeof(out->file)) {
		*why = flen ? "file name too long" : "empty file name";
		return -1;
	}
	memcpy(out->file, file, flen + 1);
	if (parse_mode(out, mode, why) < 0)
		return -1;
	/* Options come in name/value pairs; a trailing half pair is dropped. */
	while ((name = next_string(&c, &nlen)) && (val = next_string(&c, &vlen)))
		take_option(out, name, val, vlen);
	return 0;
}

int tftp_opcode(const uint8_t *p, size_t len)
{
	return len < 2 ? -1 : get_be16(p);
}

int tftp_parse_ack(const uint8_t *p, size_t len, uint16_t *block)
{
	if (len < 4 || get_be16(p) != TFTP_ACK)
		return -1;
	*block = get_be16(p + 2);
	return 0;
}

int tftp_parse_error(const uint8_t *p, size_t len, uint16_t *code, char *msg, size_t msglen)
{
	char text[256];
	size_t n;

	if (len < 4 || get_be16(p) != TFTP_ERROR || msglen == 0)
		return -1;
	*code = get_be16(p + 2);
	n = MIN(len - 4, sizeof(text) - 1);
	memcpy(text, p + 4, n);
	text[n] = '\0'; /* a message without its NUL ends at the packet's end */
	str_printable(msg, msglen, text, msglen - 1);
	return 0;
}

int tftp_build_data(uint8_t *buf, size_t cap, uint16_t block, const uint8_t *data, size_t n)
{
	if (cap < TFTP_HEADER || n > cap - TFTP_HEADER)
		return -1;
	put_be16(buf, TFTP_DATA);
	put_be16(buf + 2, block);
	if (n)
		memmove(buf + TFTP_HEADER, data, n);
	return (int)(TFTP_HEADER + n);
}

/* Append "name\0value\0"; false when it does not fit. */
static bool put_option(uint8_t *buf, size_t cap, size_t *off, const char *name, uint64_t v)
{
	char text[48];
	int n = snprintf(text, sizeof(text), "%s%c%llu", name, 0, (unsigned long long)v);

	if (n < 0 || (size_t)n + 1 > cap - *off)
		return false;
	memcpy(buf + *off, text, (size_t)n + 1);
	*off += (size_t)n + 1;
	return true;
}

int tftp_build_oack(uint8_t *buf, size_t cap, const struct tftp_options *o)
{
	size_t off = 2;

	if (cap < 2)
		return -1;
	put_be16(buf, TFTP_OACK);
	if ((o->has_blksize && !put_option(buf, cap, &off, "blksize", o->blksize)) ||
	    (o->has_timeout && !put_option(buf, cap, &off, "timeout", o->timeout)) ||
	    (o->has_tsize && !put_option(buf, cap, &off, "tsize", o->tsize)))
		return -1;
	return (int)off;
}

int tftp_build_error(uint8_t *buf, size_t cap, enum tftp_error code, const char *msg)
{
	size_t n = strlen(msg);

	if (cap < TFTP_HEADER + 1 || n > cap - TFTP_HEADER - 1)
		return -1;
	put_be16(buf, TFTP_ERROR);
	put_be16(buf + 2, (uint16_t)code);
	memcpy(buf + TFTP_HEADER, msg, n + 1);
	return (int)(TFTP_HEADER + n + 1);
}

void tftp_netascii_init(struct tftp_netascii *st)
{
	st->owed = -1;
}

bool tftp_netascii_pending(const struct tftp_netascii *st)
{
	return st->owed >= 0;
}

size_t tftp_netascii_encode(struct tftp_netascii *st, const uint8_t *in, size_t inlen,
			    size_t *used, uint8_t *out, size_t cap)
{
	size_t o = 0, i = 0;

	if (st->owed >= 0 && o < cap) {
		out[o++] = (uint8_t)st->owed;
		st->owed = -1;
	}
	while (i < inlen && o < cap) {
		uint8_t b = in[i++];

		if (b != '\n' && b != '\r') {
			out[o++] = b;
			continue;
		}
		/* LF -> CR LF, CR -> CR NUL; the second byte waits if the block is full. */
		out[o++] = '\r';
		if (o < cap)
			out[o++] = b == '\n' ? '\n' : '\0';
		else
			st->owed = b == '\n' ? '\n' : '\0';
	}
	*used = i;
	return o;
}
