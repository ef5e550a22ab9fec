/*
 * fuzz_tftp — TFTP requests, ACKs and ERRORs on anything, from an
 * exact-size copy (so ASan sees a read past the end).  An accepted
 * request is checked against what the parser promises: a file name of
 * 1..TFTP_NAME_MAX-1 bytes, option values inside the RFCs' ranges; the
 * name's path under a root never starts with '/' or holds a ".."
 * component.  The OACK for the options granted fits a buffer of its
 * exact size and no smaller.  Then a transfer of a small in-memory file
 * is driven by the rest of the input as client packets and clock steps:
 * it must never send more than one block plus its header, never a block
 * number other than the one outstanding, and once the client falls
 * silent it must end after TFTP_RETRIES retransmissions.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tftp/tftp_path.h"
#include "tftp/tftp_wire.h"
#include "tftp/tftp_xfer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const struct tftp_request *r)
{
	size_t n = strlen(r->file);

	if (n == 0 || n >= TFTP_NAME_MAX)
		abort();
	if (r->has_blksize && (r->blksize < TFTP_BLKSIZE_MIN || r->blksize > TFTP_BLKSIZE_MAX))
		abort();
	if (r->has_timeout && (r->timeout < TFTP_TIMEOUT_MIN || r->timeout > TFTP_TIMEOUT_MAX))
		abort();
}

static void check_path(const char *name)
{
	char rel[TFTP_NAME_MAX];
	const char *why;

	if (tftp_path_relative("/srv/tftp", name, rel, sizeof(rel), &why) < 0)
		return;
	if (rel[0] == '/' || rel[0] == '\0' || strcmp(rel, "..") == 0 || strncmp(rel, "../", 3) == 0 ||
	    strstr(rel, "/../") || (strlen(rel) >= 3 && strcmp(rel + strlen(rel) - 3, "/..") == 0))
		abort();
}

static void check_oack(const struct tftp_options *o)
{
	uint8_t buf[256];
	int whole = tftp_build_oack(buf, sizeof(buf), o);

	if (whole < 2)
		abort();
	for (size_t cap = 0; cap < (size_t)whole; cap++)
		if (tftp_build_oack(buf, cap, o) != -1)
			abort();
}

/* What is outstanding: at most one block and its header, numbered as the block outstanding. */
static void check_out(const struct tftp_xfer *x)
{
	if (x->out[1] != TFTP_DATA)
		return;
	if (x->outlen > TFTP_HEADER + x->blksize || (x->out[2] << 8 | x->out[3]) != (uint16_t)x->block)
		abort();
}

/* A transfer of a 600-byte file; the input after the request is its packets. */
static void drive(const struct tftp_request *r, const struct tftp_options *o,
		  const uint8_t *p, size_t len)
{
	int fd = memfd_create("fuzz_tftp", 0);
	uint8_t file[600];
	struct tftp_xfer x;
	enum tftp_step st;
	uint64_t now = 0;
	size_t off = 0;

	if (fd < 0)
		return;
	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i % 3 == 0 ? '\n' : i % 5 == 0 ? '\r' : 'a');
	if (write(fd, file, sizeof(file)) != (ssize_t)sizeof(file) || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return;
	}
	st = tftp_xfer_start(&x, fd, r->netascii, o, now);
	while ((st == TFTP_SEND || st == TFTP_WAIT) && off < len) {
		size_t n = p[off++] % 8;

		check_out(&x);
		n = n > len - off ? len - off : n;
		st = tftp_xfer_packet(&x, p + off, n, now);
		off += n;
		now += 100;
	}
	/* Then silence: past every timeout, TFTP_RETRIES retransmissions and the end. */
	for (int k = 0; k <= TFTP_RETRIES && (st == TFTP_SEND || st == TFTP_WAIT); k++) {
		check_out(&x);
		now += 300000;
		st = tftp_xfer_tick(&x, now);
	}
	if (st == TFTP_SEND || st == TFTP_WAIT)
		abort();
	tftp_xfer_free(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct tftp_request r;
	struct tftp_options o;
	struct tftp_limits lim = { .max_blksize = 1468 };
	const char *why;
	uint16_t block, code;
	char msg[64];
	size_t reqlen = size > 0 ? data[0] : 0;

	memcpy(copy, data, size);
	tftp_parse_ack(copy, size, &block);
	tftp_parse_error(copy, size, &code, msg, sizeof(msg));
	/* The first byte says how much of the rest is the request. */
	reqlen = size > 1 ? (reqlen < size - 1 ? reqlen : size - 1) : 0;
	if (tftp_parse_request(copy + (size ? 1 : 0), reqlen, &r, &why) == 0) {
		check_request(&r);
		check_path(r.file);
		tftp_negotiate(&r, &lim, 600, &o);
		check_oack(&o);
		drive(&r, &o, copy + 1 + reqlen, size - 1 - reqlen);
	}
	free(copy);
	return 0;
}
