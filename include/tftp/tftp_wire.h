/*
 * tftp_wire — TFTP packets (RFC 1350) with option negotiation (RFC 2347:
 * blksize 2348, timeout and tsize 2349): reading a request, an ACK or an
 * ERROR a client sends, building the DATA, OACK and ERROR packets a
 * read-only server sends, and netascii's line-end conversion.  Pure: no
 * sockets, no files.  Every parser takes (p, len), reads nothing past
 * len and returns -1 with a reason for anything it does not understand.
 * May include: core/.
 */
#ifndef LEASED_TFTP_WIRE_H
#define LEASED_TFTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tftp_opcode {
	TFTP_RRQ = 1,
	TFTP_WRQ = 2,
	TFTP_DATA = 3,
	TFTP_ACK = 4,
	TFTP_ERROR = 5,
	TFTP_OACK = 6,
};

/* RFC 1350's error codes, and RFC 2347's 8. */
enum tftp_error {
	TFTP_EUNDEF = 0,      /* see the message */
	TFTP_ENOTFOUND = 1,
	TFTP_EACCESS = 2,
	TFTP_ENOSPACE = 3,
	TFTP_EBADOP = 4,
	TFTP_EBADID = 5,      /* unknown transfer ID */
	TFTP_EEXISTS = 6,
	TFTP_ENOUSER = 7,
	TFTP_EOPTNEG = 8,     /* option negotiation refused */
};

#define TFTP_PORT 69
#define TFTP_BLKSIZE_DEFAULT 512
#define TFTP_BLKSIZE_MIN 8        /* RFC 2348 */
#define TFTP_BLKSIZE_MAX 65464    /* RFC 2348 */
#define TFTP_TIMEOUT_MIN 1        /* RFC 2349, seconds */
#define TFTP_TIMEOUT_MAX 255
/* The largest request leased reads: RFC 1350 has no limit, a boot ROM sends ~100 bytes. */
#define TFTP_REQUEST_MAX 1024
#define TFTP_NAME_MAX 512
#define TFTP_HEADER 4             /* opcode and block number before DATA's bytes */

/*
 * A read or write request.  Options are only noted when their value is
 * one the RFCs allow (blksize 8..65464, timeout 1..255, tsize a
 * number); others are ignored as RFC 2347 lets a server ignore any
 * option, so the transfer goes on without them.
 */
struct tftp_request {
	enum tftp_opcode op;              /* TFTP_RRQ or TFTP_WRQ */
	char file[TFTP_NAME_MAX];         /* as sent, NUL-free, at least one byte */
	bool netascii;                    /* mode "netascii"; otherwise "octet" */
	bool has_blksize, has_timeout, has_tsize;
	uint32_t blksize;                 /* as asked; the server may grant less */
	uint32_t timeout;                 /* seconds */
	uint64_t tsize;                   /* 0 in a read request */
};

/*
 * An RRQ or WRQ; "mail" mode and unknown modes are refused (-1, *why),
 * and so is a request without its NUL terminators.
 */
int tftp_parse_request(const uint8_t *p, size_t len, struct tftp_request *out,
		       const char **why);
/* The opcode of any packet, or -1 when shorter than two bytes. */
int tftp_opcode(const uint8_t *p, size_t len);
/* An ACK: opcode 4 and a block number (bytes after it are ignored, as RFC 1350 has none). */
int tftp_parse_ack(const uint8_t *p, size_t len, uint16_t *block);
/*
 * An ERROR a client sends: its code and message, copied printable into
 * msg (at most msglen - 1 bytes); a missing NUL is tolerated.
 */
int tftp_parse_error(const uint8_t *p, size_t len, uint16_t *code, char *msg, size_t msglen);

/* What the server grants in an OACK (only the has_ ones are sent). */
struct tftp_options {
	bool has_blksize, has_timeout, has_tsize;
	uint32_t blksize;
	uint32_t timeout;
	uint64_t tsize;
};

/* The packets a server sends; each returns its length, or -1 when cap is too small. */
int tftp_build_data(uint8_t *buf, size_t cap, uint16_t block, const uint8_t *data, size_t n);
int tftp_build_oack(uint8_t *buf, size_t cap, const struct tftp_options *o);
int tftp_build_error(uint8_t *buf, size_t cap, enum tftp_error code, const char *msg);

/*
 * netascii (RFC 764 as RFC 1350 uses it): LF is sent as CR LF and CR as
 * CR NUL.  A pair may straddle two DATA blocks, so the byte still owed
 * is kept between calls.
 */
struct tftp_netascii {
	int owed;   /* the second byte of a pair not yet written, -1 none */
};

void tftp_netascii_init(struct tftp_netascii *st);
/*
 * Convert in[0..inlen) into out[0..cap): returns the bytes written and
 * sets *used to the input bytes consumed (both stop when out is full).
 */
size_t tftp_netascii_encode(struct tftp_netascii *st, const uint8_t *in, size_t inlen,
			    size_t *used, uint8_t *out, size_t cap);
/* Whether a byte is still owed (the transfer is not over at the end of input). */
bool tftp_netascii_pending(const struct tftp_netascii *st);

#endif
