/*
 * tftp_xfer — one read transfer's state machine (see
 * include/tftp/tftp_xfer.h).
 */
#include "tftp/tftp_xfer.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Room for an OACK with every option, whatever the block size. */
#define OACK_ROOM 128

void tftp_negotiate(const struct tftp_request *req, const struct tftp_limits *lim,
		    uint64_t size, struct tftp_options *out)
{
	memset(out, 0, sizeof(*out));
	/* RFC 2348: the server may answer a smaller size than asked, never a larger one. */
	if (req->has_blksize && !lim->no_blksize) {
		uint32_t b = req->blksize;

		if (lim->max_blksize && b > lim->max_blksize)
			b = lim->max_blksize;
		if (b >= TFTP_BLKSIZE_MIN) {
			out->has_blksize = true;
			out->blksize = b;
		}
	}
	if (req->has_timeout) {
		out->has_timeout = true;
		out->timeout = req->timeout;
	}
	/* RFC 2349: "the server ... answers with the size of the file" — known in octet mode. */
	if (req->has_tsize && !req->netascii) {
		out->has_tsize = true;
		out->tsize = size;
	}
}

/* Up to cap bytes, short only at the end of the file. */
static ssize_t read_full(int fd, uint8_t *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The next cap bytes of netascii: read as needed, a pair's second byte carried over. */
static ssize_t fill_netascii(struct tftp_xfer *x, uint8_t *dst, size_t cap)
{
	size_t o = 0, used;

	while (o < cap) {
		if (x->rawpos == x->rawlen && !x->eof) {
			ssize_t n = read_full(x->fd, x->raw, x->blksize);

			if (n < 0)
				return -1;
			x->rawlen = (size_t)n;
			x->rawpos = 0;
			x->eof = n == 0;
			continue;
		}
		if (x->rawpos == x->rawlen && !tftp_netascii_pending(&x->na))
			break;
		o += tftp_netascii_encode(&x->na, x->raw + x->rawpos, x->rawlen - x->rawpos, &used,
					  dst + o, cap - o);
		x->rawpos += used;
	}
	return (ssize_t)o;
}

static enum tftp_step fail(struct tftp_xfer *x, enum tftp_error code, const char *msg)
{
	int n = tftp_build_error(x->out, x->outcap, code, msg);

	x->outlen = n > 0 ? (size_t)n : 0;
	snprintf(x->why, sizeof(x->why), "%s", msg);
	return TFTP_FAIL;
}

/* The outstanding packet is new: the full retry budget again. */
static enum tftp_step send_new(struct tftp_xfer *x, uint64_t now)
{
	x->retries = 0;
	x->deadline = now + x->timeout_ms;
	return TFTP_SEND;
}

/* DATA x->block into out. */
static enum tftp_step next_block(struct tftp_xfer *x, uint64_t now)
{
	uint8_t *data = x->out + TFTP_HEADER;
	ssize_t n = x->netascii ? fill_netascii(x, data, x->blksize)
				: read_full(x->fd, data, x->blksize);

	if (n < 0) {
		char msg[96];

		snprintf(msg, sizeof(msg), "read error: %s", strerror(errno));
		return fail(x, TFTP_EUNDEF, msg);
	}
	x->outlen = (size_t)tftp_build_data(x->out, x->outcap, (uint16_t)x->block, data, (size_t)n);
	x->last = (size_t)n < x->blksize;
	return send_new(x, now);
}

enum tftp_step tftp_xfer_start(struct tftp_xfer *x, int fd, bool netascii,
			       const struct tftp_options *granted, uint64_t now)
{
	memset(x, 0, sizeof(*x));
	x->fd = fd;
	x->netascii = netascii;
	tftp_netascii_init(&x->na);
	x->blksize = granted->has_blksize ? granted->blksize : TFTP_BLKSIZE_DEFAULT;
	x->timeout_ms = granted->has_timeout ? (uint64_t)granted->timeout * 1000 : TFTP_TIMEOUT_MS;
	x->outcap = MAX((size_t)TFTP_HEADER + x->blksize, (size_t)OACK_ROOM);
	x->out = xmalloc(x->outcap);
	if (netascii)
		x->raw = xmalloc(x->blksize);
	if (granted->has_blksize || granted->has_timeout || granted->has_tsize) {
		/* RFC 2347: the OACK stands for block 0; the client's ACK 0 starts the data. */
		x->outlen = (size_t)tftp_build_oack(x->out, x->outcap, granted);
		return send_new(x, now);
	}
	x->block = 1;
	return next_block(x, now);
}

static enum tftp_step client_error(struct tftp_xfer *x, const uint8_t *p, size_t len)
{
	uint16_t code = 0;
	char msg[96] = "";

	tftp_parse_error(p, len, &code, msg, sizeof(msg));
	snprintf(x->why, sizeof(x->why), "the client sent error %u \"%s\"", code, msg);
	x->outlen = 0; /* RFC 1350: an ERROR is never acknowledged */
	return TFTP_FAIL;
}

enum tftp_step tftp_xfer_packet(struct tftp_xfer *x, const uint8_t *p, size_t len, uint64_t now)
{
	uint16_t acked;

	if (tftp_opcode(p, len) == TFTP_ERROR)
		return client_error(x, p, len);
	/* Not the ACK outstanding (a duplicate, an old one, anything else): no reply. */
	if (tftp_parse_ack(p, len, &acked) < 0 || acked != (uint16_t)x->block)
		return TFTP_WAIT;
	if (x->block > 0)
		x->sent += x->outlen - TFTP_HEADER;
	if (x->block > 0 && x->last)
		return TFTP_DONE;
	x->block++;
	return next_block(x, now);
}

enum tftp_step tftp_xfer_tick(struct tftp_xfer *x, uint64_t now)
{
	if (now < x->deadline)
		return TFTP_WAIT;
	if (x->retries >= TFTP_RETRIES) {
		snprintf(x->why, sizeof(x->why), "no answer to block %llu after %u retransmissions",
			 (unsigned long long)x->block, TFTP_RETRIES);
		x->outlen = 0;
		return TFTP_FAIL;
	}
	x->retries++;
	x->deadline = now + x->timeout_ms;
	return TFTP_SEND;
}

void tftp_xfer_free(struct tftp_xfer *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	free(x->out);
	free(x->raw);
	x->out = x->raw = NULL;
}
