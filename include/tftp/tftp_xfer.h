/*
 * tftp_xfer — one read transfer as a state machine: the options granted
 * (RFC 2347-2349), the DATA blocks read from an open file (octet, or
 * netascii converted on the fly), ACKs moving it on, and retransmission
 * on timeout.  Time is passed in (milliseconds, monotonic) and nothing
 * here touches a socket, so tests move time and feed packets by hand;
 * tftp_server owns the sockets and timers and sends what this says.
 *
 * Rules kept here:
 *  - Only the ACK of the block outstanding moves the transfer on.  Any
 *    other ACK (a duplicate, an old one) is ignored and nothing is sent:
 *    answering a duplicate ACK with a retransmission is the Sorcerer's
 *    Apprentice bug (RFC 1123 4.2.3.1), which doubles every packet from
 *    then on.  Only the timer retransmits.
 *  - Block numbers wrap from 65535 to 0, as tftp-hpa and dnsmasq do, so
 *    files past 65535 blocks are served.
 *  - TFTP_RETRIES retransmissions without the expected ACK end the
 *    transfer (each after the negotiated timeout, else TFTP_TIMEOUT_MS).
 *  - A packet from the client that is not an ACK or an ERROR is ignored:
 *    an ERROR in reply would end the transfer for the client (RFC 1350
 *    section 7), and a stray or forged datagram must not.
 * May include: core/, tftp/tftp_wire.h.
 */
#ifndef LEASED_TFTP_XFER_H
#define LEASED_TFTP_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tftp/tftp_wire.h"

#define TFTP_TIMEOUT_MS 1000   /* retransmit after this without the client's timeout option */
#define TFTP_RETRIES 5         /* retransmissions of one packet before giving up */

/* What the server must do after a step. */
enum tftp_step {
	TFTP_WAIT,   /* nothing to send; wait for a packet or the deadline */
	TFTP_SEND,   /* send out[0..outlen), then wait */
	TFTP_DONE,   /* the last block was acknowledged: the file is sent */
	TFTP_FAIL,   /* give up; send out[0..outlen) first when outlen > 0 (an ERROR) */
};

/* What the server may grant, from the configuration and the interface. */
struct tftp_limits {
	uint32_t max_blksize;  /* 0: no cap but RFC 2348's; from --tftp-mtu and the MTU */
	bool no_blksize;       /* --tftp-no-blocksize */
};

/*
 * The options granted for req on a file of size bytes (RFC 2347: only
 * those the client asked for; tsize only in octet mode, where the size
 * is known without reading the file, as dnsmasq does).
 */
void tftp_negotiate(const struct tftp_request *req, const struct tftp_limits *lim,
		    uint64_t size, struct tftp_options *out);

struct tftp_xfer {
	int fd;                    /* the file, read front to back */
	bool netascii;
	struct tftp_netascii na;
	uint32_t blksize;
	uint64_t timeout_ms;
	uint64_t block;            /* the block outstanding (0: the OACK); the wire has its low 16 bits */
	bool last;                 /* the outstanding DATA is the final, short one */
	bool eof;                  /* read() has returned 0 */
	uint8_t *out;              /* the packet outstanding, kept for retransmission */
	size_t outlen, outcap;
	uint8_t *raw;              /* netascii: bytes read, not yet converted */
	size_t rawlen, rawpos;
	uint64_t deadline;         /* retransmit (or give up) at this time */
	unsigned retries;
	uint64_t sent;             /* file bytes acknowledged (octet) or sent (netascii) */
	char why[128];             /* why it failed, for the log */
};

/*
 * Start a transfer of fd (owned by x from now on) with the options
 * granted: the first packet is the OACK when any option was granted,
 * else DATA block 1.  Returns TFTP_SEND, or TFTP_FAIL (read error).
 */
enum tftp_step tftp_xfer_start(struct tftp_xfer *x, int fd, bool netascii,
			       const struct tftp_options *granted, uint64_t now);
/* A packet from the client's TID. */
enum tftp_step tftp_xfer_packet(struct tftp_xfer *x, const uint8_t *p, size_t len, uint64_t now);
/* Time passed: retransmit when the deadline is reached, give up after TFTP_RETRIES. */
enum tftp_step tftp_xfer_tick(struct tftp_xfer *x, uint64_t now);
/* Close the file, free the buffers. */
void tftp_xfer_free(struct tftp_xfer *x);

#endif
