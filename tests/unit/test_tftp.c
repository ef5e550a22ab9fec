/*
 * test_tftp — TFTP without sockets: request, ACK and ERROR parsing
 * (malformed ones included), the packets built, option negotiation,
 * netascii, which file a name opens (".." and symbolic links leaving the
 * root, FIFOs, the root-user and --tftp-secure rules), and a transfer's
 * state machine with time moved by hand: retransmission and giving up,
 * duplicate ACKs answered with nothing, block numbers wrapping past
 * 65535, the empty last block.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tftp/tftp_path.h"
#include "tftp/tftp_wire.h"
#include "tftp/tftp_xfer.h"
#include "test_files.h"

/* A packet from a literal with NULs in it (sizeof - 1: the literal's own NUL dropped). */
#define PKT(s) (const uint8_t *)(s), sizeof(s) - 1

/* ---- wire ---- */

static void test_parse_request(void **state)
{
	struct tftp_request r;
	const char *why;

	(void)state;
	assert_int_equal(tftp_parse_request(PKT("\0\1pxelinux.0\0octet\0"), &r, &why), 0);
	assert_int_equal(r.op, TFTP_RRQ);
	assert_string_equal(r.file, "pxelinux.0");
	assert_false(r.netascii || r.has_blksize || r.has_timeout || r.has_tsize);
	/* RFC 2347: names and values are case-insensitive; the last half pair is dropped. */
	assert_int_equal(tftp_parse_request(PKT("\0\1a\0NetASCII\0BLKSIZE\0001400\0Timeout\0003\0"
						"tsize\0000\0blksize\0"), &r, &why), 0);
	assert_true(r.netascii);
	assert_true(r.has_blksize && r.has_timeout && r.has_tsize);
	assert_int_equal(r.blksize, 1400);
	assert_int_equal(r.timeout, 3);
	assert_int_equal(r.tsize, 0);
	assert_int_equal(tftp_parse_request(PKT("\0\2up\0octet\0"), &r, &why), 0);
	assert_int_equal(r.op, TFTP_WRQ);
}

/* Values the RFCs do not allow are ignored; too large a blksize is asked as the largest. */
static void test_parse_request_option_values(void **state)
{
	struct tftp_request r;
	const char *why;

	(void)state;
	assert_int_equal(tftp_parse_request(PKT("\0\1a\0octet\0blksize\0007\0timeout\0000\0"
						"tsize\0-1\0unknown\0x\0"), &r, &why), 0);
	assert_false(r.has_blksize || r.has_timeout || r.has_tsize);
	assert_int_equal(tftp_parse_request(PKT("\0\1a\0octet\0blksize\00070000\0timeout\000256\0"),
					    &r, &why), 0);
	assert_true(r.has_blksize);
	assert_int_equal(r.blksize, TFTP_BLKSIZE_MAX);
	assert_false(r.has_timeout);
	assert_int_equal(tftp_parse_request(PKT("\0\1a\0octet\0blksize\0"
						"99999999999999999999999\0"), &r, &why), 0);
	assert_false(r.has_blksize);
}

static void test_parse_request_malformed(void **state)
{
	static const struct {
		const char *p;
		size_t len;
		const char *why;
	} cases[] = {
		{ "", 0, "not a read or write request" },
		{ "\0", 1, "not a read or write request" },
		{ "\0\4\0\1", 4, "not a read or write request" },
		{ "\0\1", 2, "request without its file name and mode" },
		{ "\0\1file", 6, "request without its file name and mode" },
		{ "\0\1file\0octet", 12, "request without its file name and mode" },
		{ "\0\1\0octet\0", 10, "empty file name" },
		{ "\0\1f\0mail\0", 9, "mail mode is not supported" },
		{ "\0\1f\0binary\0", 11, "unknown transfer mode" },
	};
	uint8_t longname[TFTP_NAME_MAX + 16] = { 0, 1 };
	struct tftp_request r;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* An exact-size copy: ASan sees any read past the end. */
		uint8_t *copy = malloc(cases[i].len ? cases[i].len : 1);

		memcpy(copy, cases[i].p, cases[i].len);
		why = NULL;
		assert_int_equal(tftp_parse_request(copy, cases[i].len, &r, &why), -1);
		assert_string_equal(why, cases[i].why);
		free(copy);
	}
	memset(longname + 2, 'a', TFTP_NAME_MAX);
	memcpy(longname + 2 + TFTP_NAME_MAX, "\0octet\0", 7);
	assert_int_equal(tftp_parse_request(longname, 2 + TFTP_NAME_MAX + 7, &r, &why), -1);
	assert_string_equal(why, "file name too long");
}

static void test_parse_ack_and_error(void **state)
{
	uint16_t block, code;
	char msg[16];

	(void)state;
	assert_int_equal(tftp_parse_ack(PKT("\0\4\xff\xfe"), &block), 0);
	assert_int_equal(block, 65534);
	assert_int_equal(tftp_parse_ack(PKT("\0\4\0"), &block), -1);
	assert_int_equal(tftp_parse_ack(PKT("\0\3\0\1"), &block), -1);
	assert_int_equal(tftp_parse_error(PKT("\0\5\0\10option refused\0"), &code, msg, sizeof(msg)),
			 0);
	assert_int_equal(code, TFTP_EOPTNEG);
	assert_string_equal(msg, "option refused");
	/* No NUL, control bytes, longer than the buffer: cut, printable. */
	assert_int_equal(tftp_parse_error(PKT("\0\5\0\0ab\ncdefghijklmnopq"), &code, msg, sizeof(msg)),
			 0);
	assert_int_equal(strlen(msg), 15);
	assert_null(strchr(msg, '\n'));
	assert_int_equal(tftp_parse_error(PKT("\0\5\0"), &code, msg, sizeof(msg)), -1);
	assert_int_equal(tftp_opcode(PKT("\0")), -1);
}

static void test_build(void **state)
{
	uint8_t buf[64];
	struct tftp_options o = { .has_blksize = true, .blksize = 1468, .has_tsize = true,
				  .tsize = 5000000000ULL };

	(void)state;
	assert_int_equal(tftp_build_data(buf, sizeof(buf), 65535, (const uint8_t *)"xy", 2), 6);
	assert_memory_equal(buf, "\0\3\xff\xffxy", 6);
	assert_int_equal(tftp_build_data(buf, 5, 1, (const uint8_t *)"xy", 2), -1);
	assert_int_equal(tftp_build_oack(buf, sizeof(buf), &o), 32);
	assert_memory_equal(buf, "\0\6blksize\0001468\0tsize\0005000000000\0", 32);
	assert_int_equal(tftp_build_oack(buf, 31, &o), -1);
	assert_int_equal(tftp_build_error(buf, sizeof(buf), TFTP_EACCESS, "no"), 7);
	assert_memory_equal(buf, "\0\5\0\2no\0", 7);
	assert_int_equal(tftp_build_error(buf, 6, TFTP_EACCESS, "no"), -1);
}

static void test_negotiate(void **state)
{
	struct tftp_request r = { .has_blksize = true, .blksize = 9000, .has_tsize = true,
				  .has_timeout = true, .timeout = 2 };
	struct tftp_limits lim = { .max_blksize = 1468 };
	struct tftp_options o;

	(void)state;
	tftp_negotiate(&r, &lim, 1234, &o);
	assert_true(o.has_blksize && o.has_tsize && o.has_timeout);
	assert_int_equal(o.blksize, 1468);     /* the MTU's cap, RFC 2348's "smaller" answer */
	assert_int_equal(o.tsize, 1234);
	assert_int_equal(o.timeout, 2);
	lim.max_blksize = 0;
	tftp_negotiate(&r, &lim, 1234, &o);
	assert_int_equal(o.blksize, 9000);
	lim.no_blksize = true;                 /* --tftp-no-blocksize */
	tftp_negotiate(&r, &lim, 1234, &o);
	assert_false(o.has_blksize);
	r.netascii = true;                     /* the converted size is not known: no tsize */
	tftp_negotiate(&r, &lim, 1234, &o);
	assert_false(o.has_tsize);
	memset(&r, 0, sizeof(r));
	tftp_negotiate(&r, &lim, 1234, &o);
	assert_false(o.has_blksize || o.has_tsize || o.has_timeout);
}

static void test_netascii(void **state)
{
	struct tftp_netascii st;
	uint8_t out[16];
	size_t used, n;

	(void)state;
	tftp_netascii_init(&st);
	n = tftp_netascii_encode(&st, (const uint8_t *)"a\nb\rc", 5, &used, out, sizeof(out));
	assert_int_equal(used, 5);
	assert_int_equal(n, 7);
	assert_memory_equal(out, "a\r\nb\r\0c", 7);
	assert_false(tftp_netascii_pending(&st));
	/* A pair split over two blocks: CR ends one, LF (or NUL) starts the next. */
	n = tftp_netascii_encode(&st, (const uint8_t *)"x\n", 2, &used, out, 2);
	assert_int_equal(n, 2);
	assert_int_equal(used, 2);
	assert_memory_equal(out, "x\r", 2);
	assert_true(tftp_netascii_pending(&st));
	n = tftp_netascii_encode(&st, (const uint8_t *)"\r", 1, &used, out, 2);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\n\r", 2);
	n = tftp_netascii_encode(&st, NULL, 0, &used, out, 2);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], '\0');
	assert_false(tftp_netascii_pending(&st));
	n = tftp_netascii_encode(&st, (const uint8_t *)"abc", 3, &used, out, 0);
	assert_int_equal(n + used, 0);
}

/* ---- paths ---- */

static void test_path_relative(void **state)
{
	static const struct {
		const char *name, *rel;
	} good[] = {
		{ "pxelinux.0", "pxelinux.0" },
		{ "/pxelinux.0", "pxelinux.0" },             /* dnsmasq: under the root, not / */
		{ "/srv/tftp/pxelinux.0", "pxelinux.0" },    /* the root's own absolute path */
		{ "/srv/tftpx/a", "srv/tftpx/a" },           /* only a whole component matches */
		{ "//etc/passwd", "etc/passwd" },
		{ "boot\\grub\\x.efi", "boot/grub/x.efi" },  /* '\' is '/' */
		{ "a..b/..c/c..", "a..b/..c/c.." },
	};
	static const char *const bad[] = {
		"..", "../etc/passwd", "a/../../b", "a/..", "/srv/tftp/../x", "..\\x", "/", "///", "",
	};
	char rel[TFTP_NAME_MAX];
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(tftp_path_relative("/srv/tftp/", good[i].name, rel, sizeof(rel), &why),
				 0);
		assert_string_equal(rel, good[i].rel);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(tftp_path_relative("/srv/tftp", bad[i], rel, sizeof(rel), &why), -1);
		assert_non_null(why);
	}
	assert_int_equal(tftp_path_relative("/srv/tftp", "abcdef", rel, 4, &why), -1);
}

static char root[256];

/* ROOT with a file, a subdirectory, links in and out, a FIFO; a file outside it. */
static int setup_root(void **state)
{
	char p[300];

	if (test_dir_setup(state) < 0)
		return -1;
	snprintf(root, sizeof(root), "%s/root", test_dir);
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/sub", root);
	mkdir(p, 0755);
	write_file("root/sub/file", "inside\n");
	write_file("outside", "secret\n");
	chmod(write_file("root/private", "x"), 0600);
	snprintf(p, sizeof(p), "%s/out-rel", root);
	if (symlink("../outside", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/out-abs", root);
	if (symlink(write_file("outside2", "secret\n"), p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/in-rel", root);
	if (symlink("sub/file", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/fifo", root);
	return mkfifo(p, 0644);
}

/* Open rel under the root: the fd (closed here) or -1 with *code and *why. */
static int try_open(const char *rel, const struct tftp_access *acc, enum tftp_error *code,
		    const char **why)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY);
	uint64_t size = 0;
	int fd;

	assert_true(rootfd >= 0);
	fd = tftp_path_open(rootfd, rel, acc, &size, code, why);
	close(rootfd);
	if (fd < 0)
		return -1;
	close(fd);
	return (int)size;
}

static void test_path_open(void **state)
{
	struct tftp_access acc = { .euid = 1000 };
	enum tftp_error code;
	const char *why;

	(void)state;
	assert_int_equal(try_open("sub/file", &acc, &code, &why), 7);
	assert_int_equal(try_open("in-rel", &acc, &code, &why), 7); /* a link inside is followed */
	assert_int_equal(try_open("missing", &acc, &code, &why), -1);
	assert_int_equal(code, TFTP_ENOTFOUND);
	assert_int_equal(try_open("sub/file/x", &acc, &code, &why), -1);
	assert_int_equal(code, TFTP_ENOTFOUND);
	assert_int_equal(try_open("out-rel", &acc, &code, &why), -1);
	assert_int_equal(code, TFTP_EACCESS);
	assert_string_equal(why, "outside the TFTP root (or a symbolic link leaving it)");
	assert_int_equal(try_open("out-abs", &acc, &code, &why), -1);
	assert_int_equal(code, TFTP_EACCESS);
	assert_int_equal(try_open("sub", &acc, &code, &why), -1);
	assert_string_equal(why, "not a regular file");
	assert_int_equal(try_open("fifo", &acc, &code, &why), -1); /* and the open did not block */
	assert_string_equal(why, "not a regular file");
	/* Without openat2: every symbolic link is refused, the rest is the same. */
	acc.walk_only = true;
	assert_int_equal(try_open("sub/file", &acc, &code, &why), 7);
	assert_int_equal(try_open("./sub//file", &acc, &code, &why), 7);
	assert_int_equal(try_open("in-rel", &acc, &code, &why), -1);
	assert_int_equal(code, TFTP_EACCESS);
	assert_int_equal(try_open("out-rel", &acc, &code, &why), -1);
	assert_int_equal(try_open("missing", &acc, &code, &why), -1);
	assert_int_equal(code, TFTP_ENOTFOUND);
}

/* dnsmasq's rules: as root only world-readable files; --tftp-secure only the user's own. */
static void test_path_permissions(void **state)
{
	struct tftp_access acc = { .euid = 0, .secure = true };
	enum tftp_error code;
	const char *why;
	char p[300];

	(void)state;
	assert_int_equal(try_open("private", &acc, &code, &why), -1);
	assert_int_equal(code, TFTP_EACCESS);
	assert_string_equal(why, "not world-readable (leased runs as root)");
	assert_int_equal(try_open("sub/file", &acc, &code, &why), 7); /* secure: no effect as root */
	snprintf(p, sizeof(p), "%s/sub/file", root);
	if (chown(p, 4242, 4242) < 0)
		skip(); /* not root: the owner cannot be set */
	acc.euid = 4242;
	assert_int_equal(try_open("sub/file", &acc, &code, &why), 7);
	acc.euid = 4343;
	assert_int_equal(try_open("sub/file", &acc, &code, &why), -1);
	assert_string_equal(why, "not owned by the user leased runs as (--tftp-secure)");
	acc.secure = false;
	assert_int_equal(try_open("sub/file", &acc, &code, &why), 7);
}

static void test_client_root(void **state)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY), fd;

	(void)state;
	fd = tftp_path_client_root(rootfd, "sub");
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(tftp_path_client_root(rootfd, "10.0.0.9"), -1);
	assert_int_equal(tftp_path_client_root(rootfd, "in-rel"), -1); /* no link */
	close(rootfd);
}

/* ---- transfers ---- */

/* A file of n bytes, byte i being (i * 7) & 0xff (or text), opened for reading. */
static int data_file(const char *name, size_t n, const char *text)
{
	char path[300];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (size_t i = 0; i < n; i++)
		fputc(text ? text[i] : (int)((i * 7) & 0xff), fp);
	fclose(fp);
	return open(path, O_RDONLY);
}

static const uint8_t *ack(uint16_t block)
{
	static uint8_t p[4] = { 0, TFTP_ACK };

	p[2] = (uint8_t)(block >> 8);
	p[3] = (uint8_t)block;
	return p;
}

static void assert_data(const struct tftp_xfer *x, uint16_t block, size_t n)
{
	assert_int_equal(x->outlen, TFTP_HEADER + n);
	assert_int_equal(x->out[1], TFTP_DATA);
	assert_int_equal(x->out[2] << 8 | x->out[3], block);
}

/* RFC 1350 without options: DATA 1 at once; a duplicate ACK gets nothing (RFC 1123 4.2.3.1). */
static void test_xfer_plain(void **state)
{
	struct tftp_options none = { 0 };
	struct tftp_xfer x;
	uint64_t t = 1000;

	(void)state;
	assert_int_equal(tftp_xfer_start(&x, data_file("plain", 1000, NULL), false, &none, t),
			 TFTP_SEND);
	assert_data(&x, 1, 512);
	assert_int_equal(x.out[TFTP_HEADER + 1], 7);
	assert_int_equal(tftp_xfer_packet(&x, ack(0), 4, t), TFTP_WAIT);   /* stray */
	assert_int_equal(tftp_xfer_packet(&x, ack(1), 4, t), TFTP_SEND);
	assert_data(&x, 2, 488);
	assert_int_equal(tftp_xfer_packet(&x, ack(1), 4, t + 10), TFTP_WAIT); /* duplicate */
	assert_int_equal(tftp_xfer_packet(&x, ack(1), 4, t + 20), TFTP_WAIT);
	assert_data(&x, 2, 488);
	assert_int_equal(tftp_xfer_packet(&x, PKT("\0\1junk\0octet\0"), t), TFTP_WAIT);
	assert_int_equal(tftp_xfer_packet(&x, PKT("\0"), t), TFTP_WAIT);
	assert_int_equal(tftp_xfer_packet(&x, ack(2), 4, t + 30), TFTP_DONE);
	assert_int_equal(x.sent, 1000);
	tftp_xfer_free(&x);
}

/* Timeouts: the same packet again after each, TFTP_RETRIES times, then give up. */
static void test_xfer_retransmit(void **state)
{
	struct tftp_options none = { 0 };
	struct tftp_xfer x;
	uint64_t t = 5000;

	(void)state;
	tftp_xfer_start(&x, data_file("retx", 600, NULL), false, &none, t);
	assert_int_equal(x.deadline, t + TFTP_TIMEOUT_MS);
	assert_int_equal(tftp_xfer_tick(&x, t + TFTP_TIMEOUT_MS - 1), TFTP_WAIT);
	for (unsigned i = 1; i <= TFTP_RETRIES; i++) {
		t += TFTP_TIMEOUT_MS;
		assert_int_equal(tftp_xfer_tick(&x, t), TFTP_SEND);
		assert_data(&x, 1, 512);
		assert_int_equal(x.deadline, t + TFTP_TIMEOUT_MS);
		if (i == 2) {
			/* The ACK arrives late: the next block, a fresh retry budget. */
			assert_int_equal(tftp_xfer_packet(&x, ack(1), 4, t), TFTP_SEND);
			assert_data(&x, 2, 88);
			assert_int_equal(x.retries, 0);
			for (unsigned k = 0; k < TFTP_RETRIES; k++) {
				t += TFTP_TIMEOUT_MS;
				assert_int_equal(tftp_xfer_tick(&x, t), TFTP_SEND);
			}
			break;
		}
	}
	t += TFTP_TIMEOUT_MS;
	assert_int_equal(tftp_xfer_tick(&x, t), TFTP_FAIL);
	assert_int_equal(x.outlen, 0);
	assert_non_null(strstr(x.why, "no answer to block 2"));
	tftp_xfer_free(&x);
}

/* Options: OACK first (block 0), the client's ACK 0 starts DATA 1 in the granted size. */
static void test_xfer_oack(void **state)
{
	struct tftp_options o = { .has_blksize = true, .blksize = 1400, .has_timeout = true,
				  .timeout = 3, .has_tsize = true, .tsize = 3000 };
	struct tftp_xfer x;

	(void)state;
	assert_int_equal(tftp_xfer_start(&x, data_file("oack", 3000, NULL), false, &o, 0),
			 TFTP_SEND);
	assert_int_equal(x.out[1], TFTP_OACK);
	assert_int_equal(x.deadline, 3000);
	assert_int_equal(tftp_xfer_packet(&x, ack(1), 4, 10), TFTP_WAIT);
	assert_int_equal(tftp_xfer_packet(&x, ack(0), 4, 10), TFTP_SEND);
	assert_data(&x, 1, 1400);
	assert_int_equal(tftp_xfer_packet(&x, ack(0), 4, 20), TFTP_WAIT); /* duplicate of the OACK's */
	assert_int_equal(tftp_xfer_packet(&x, ack(1), 4, 30), TFTP_SEND);
	assert_int_equal(tftp_xfer_packet(&x, ack(2), 4, 40), TFTP_SEND);
	assert_data(&x, 3, 200);
	/* The client gives up (RFC 2347: error 8 refuses the options). */
	assert_int_equal(tftp_xfer_packet(&x, PKT("\0\5\0\10no thanks\0"), 50), TFTP_FAIL);
	assert_int_equal(x.outlen, 0);
	assert_string_equal(x.why, "the client sent error 8 \"no thanks\"");
	tftp_xfer_free(&x);
}

/* A size that is a multiple of the block size ends with an empty DATA. */
static void test_xfer_empty_last(void **state)
{
	struct tftp_options o = { .has_blksize = true, .blksize = 8 };
	struct tftp_xfer x;

	(void)state;
	tftp_xfer_start(&x, data_file("exact", 16, NULL), false, &o, 0);
	assert_int_equal(tftp_xfer_packet(&x, ack(0), 4, 0), TFTP_SEND);
	assert_data(&x, 1, 8);
	assert_int_equal(tftp_xfer_packet(&x, ack(1), 4, 0), TFTP_SEND);
	assert_data(&x, 2, 8);
	assert_int_equal(tftp_xfer_packet(&x, ack(2), 4, 0), TFTP_SEND);
	assert_data(&x, 3, 0);
	assert_int_equal(tftp_xfer_packet(&x, ack(3), 4, 0), TFTP_DONE);
	tftp_xfer_free(&x);
	/* An empty file: one empty block. */
	tftp_xfer_start(&x, data_file("empty", 0, NULL), false, &(struct tftp_options){ 0 }, 0);
	assert_data(&x, 1, 0);
	assert_int_equal(tftp_xfer_packet(&x, ack(1), 4, 0), TFTP_DONE);
	tftp_xfer_free(&x);
}

/* 65536 blocks and then some: block numbers go 65535, 0, 1 and the bytes stay in order. */
static void test_xfer_wraps(void **state)
{
	struct tftp_options o = { .has_blksize = true, .blksize = 8 };
	const size_t size = 65537 * 8 + 3;
	struct tftp_xfer x;
	uint64_t off = 0;
	enum tftp_step st;

	(void)state;
	tftp_xfer_start(&x, data_file("wrap", size, NULL), false, &o, 0);
	st = tftp_xfer_packet(&x, ack(0), 4, 0);
	for (uint32_t n = 1; st == TFTP_SEND; n++) {
		size_t len = x.outlen - TFTP_HEADER;

		assert_int_equal(x.out[2] << 8 | x.out[3], n & 0xffff);
		for (size_t i = 0; i < len; i++)
			if (x.out[TFTP_HEADER + i] != (uint8_t)((off + i) * 7))
				fail_msg("block %u byte %zu", n, i);
		off += len;
		if (n == 65536)
			assert_int_equal(x.out[2] << 8 | x.out[3], 0);
		/* The ACK of the block 65536 before, now a stray: nothing. */
		if (n > 65536)
			assert_int_equal(tftp_xfer_packet(&x, ack((uint16_t)(n - 1)), 4, 0), TFTP_WAIT);
		st = tftp_xfer_packet(&x, ack((uint16_t)n), 4, 0);
	}
	assert_int_equal(st, TFTP_DONE);
	assert_int_equal(off, size);
	assert_int_equal(x.sent, size);
	tftp_xfer_free(&x);
}

/* netascii through a transfer: 8-byte blocks, pairs split between blocks. */
static void test_xfer_netascii(void **state)
{
	static const char text[] = "abcdef\n\r\n\n\nxyz\r";
	static const char want[] = "abcdef\r\n\r\0\r\n\r\n\r\nxyz\r\0";
	struct tftp_options o = { .has_blksize = true, .blksize = 8 };
	uint8_t got[64];
	size_t n = 0;
	struct tftp_xfer x;
	enum tftp_step st;

	(void)state;
	tftp_xfer_start(&x, data_file("ascii", sizeof(text) - 1, text), true, &o, 0);
	st = tftp_xfer_packet(&x, ack(0), 4, 0);
	for (uint16_t b = 1; st == TFTP_SEND; b++) {
		assert_true(n + x.outlen - TFTP_HEADER <= sizeof(got));
		memcpy(got + n, x.out + TFTP_HEADER, x.outlen - TFTP_HEADER);
		n += x.outlen - TFTP_HEADER;
		st = tftp_xfer_packet(&x, ack(b), 4, 0);
	}
	assert_int_equal(st, TFTP_DONE);
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(got, want, n);
	tftp_xfer_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_request),
		cmocka_unit_test(test_parse_request_option_values),
		cmocka_unit_test(test_parse_request_malformed),
		cmocka_unit_test(test_parse_ack_and_error),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_netascii),
		cmocka_unit_test(test_path_relative),
		cmocka_unit_test(test_path_open),
		cmocka_unit_test(test_path_permissions),
		cmocka_unit_test(test_client_root),
		cmocka_unit_test(test_xfer_plain),
		cmocka_unit_test(test_xfer_retransmit),
		cmocka_unit_test(test_xfer_oack),
		cmocka_unit_test(test_xfer_empty_last),
		cmocka_unit_test(test_xfer_wraps),
		cmocka_unit_test(test_xfer_netascii),
	};

	return cmocka_run_group_tests(tests, setup_root, test_dir_remove);
}
