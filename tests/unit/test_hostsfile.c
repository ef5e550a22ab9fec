/*
 * test_hostsfile — the hosts(5) parser: comments, blank lines, tabs and
 * runs of spaces, CRLF, IPv6, trailing dots; bad addresses skip their
 * line and bad names skip themselves, each with "FILE:LINE: reason";
 * nothing is read past the buffer (exact-size copies, so ASan would see
 * it); files, directories in name order without backups, and a missing
 * file reported, not fatal.  Every entry carries its file and line (what
 * `leasectl explain` shows): lines count from 1 in each file, comments,
 * blank and bad lines included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "test_files.h"
#include "conf/hostsfile.h"

#define MAX_SEEN 32

struct seen {
	char addr[MAX_SEEN][INET6_ADDRSTRLEN];
	char name[MAX_SEEN][256];
	bool first[MAX_SEEN];
	unsigned line[MAX_SEEN];
	char file[MAX_SEEN][64];    /* the last part of the path */
	size_t n;
	char msg[MAX_SEEN][HOSTSFILE_MSG_LEN];
	size_t nmsg;
};

static void on_entry(void *ctx, const struct hostsfile_entry *e)
{
	struct seen *s = ctx;

	assert_true(s->n < MAX_SEEN);
	inet_ntop(e->family, &e->addr, s->addr[s->n], sizeof(s->addr[0]));
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", e->name);
	s->first[s->n] = e->first;
	s->line[s->n] = e->line;
	snprintf(s->file[s->n], sizeof(s->file[0]), "%s",
		 strrchr(e->file, '/') ? strrchr(e->file, '/') + 1 : e->file);
	s->n++;
}

static void on_problem(void *ctx, const char *msg)
{
	struct seen *s = ctx;

	assert_true(s->nmsg < MAX_SEEN);
	snprintf(s->msg[s->nmsg++], sizeof(s->msg[0]), "%s", msg);
}

/* Parse text from an exact-size heap copy: no NUL after it to lean on. */
static size_t parse(const char *text, struct seen *s)
{
	size_t len = strlen(text), bad;
	char *buf = malloc(len ? len : 1);
	const struct hostsfile_sink sink = { on_entry, on_problem, s };

	assert_non_null(buf);
	memcpy(buf, text, len);
	memset(s, 0, sizeof(*s));
	bad = hostsfile_parse(buf, len, "hosts", &sink);
	free(buf);
	return bad;
}

static void test_plain(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("# The following lines are desirable\n"
			       "\n"
			       "127.0.0.1\tlocalhost\n"
			       "10.0.3.5   c1  c1.lxc\t\talias   # trailing comment\n"
			       "   \t  \n"
			       "#10.0.3.6 commented\n", &s), 0);
	assert_int_equal(s.nmsg, 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.addr[0], "127.0.0.1");
	assert_string_equal(s.name[0], "localhost");
	assert_true(s.first[0]);
	assert_int_equal(s.line[0], 3);
	assert_string_equal(s.addr[1], "10.0.3.5");
	assert_string_equal(s.name[1], "c1");
	assert_true(s.first[1]);
	assert_string_equal(s.name[2], "c1.lxc");
	assert_false(s.first[2]);
	assert_string_equal(s.name[3], "alias");
	assert_false(s.first[3]);
	assert_int_equal(s.line[3], 4);
}

static void test_crlf_ipv6_and_dots(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("::1 localhost ip6-localhost\r\n"
			       "fe80::1\tgw.example.com.\r\n"
			       "10.1.1.1 _gateway#comment right after\r\n"
			       "10.1.1.2 last-line-without-newline", &s), 0);
	assert_int_equal(s.nmsg, 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.addr[0], "::1");
	assert_string_equal(s.name[1], "ip6-localhost");
	assert_string_equal(s.addr[2], "fe80::1");
	/* The trailing dot goes; the '\r' never reaches a name. */
	assert_string_equal(s.name[2], "gw.example.com");
	assert_string_equal(s.name[3], "_gateway");
	assert_string_equal(s.name[4], "last-line-without-newline");
	assert_int_equal(s.line[4], 4);
}

static void test_bad_address_skips_line(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("10.0.3.1 good\n"
			       "10.0.3.300 broken\n"
			       "fe80::1%eth0 scoped\n"
			       "10.0.3.2 also-good\n", &s), 2);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.name[0], "good");
	assert_string_equal(s.name[1], "also-good");
	assert_int_equal(s.nmsg, 2);
	assert_string_equal(s.msg[0], "hosts:2: bad address \"10.0.3.300\"");
	assert_string_equal(s.msg[1], "hosts:3: bad address \"fe80::1%eth0\"");
}

static void test_bad_name_skips_name(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("10.0.3.1 ok -bad bad..dots also.ok\n"
			       "10.0.3.2 under_score* fine\n", &s), 2);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.name[0], "ok");
	assert_true(s.first[0]);
	assert_string_equal(s.name[1], "also.ok");
	assert_false(s.first[1]);
	/* The first good name of a line is its canonical one. */
	assert_string_equal(s.name[2], "fine");
	assert_true(s.first[2]);
	assert_int_equal(s.nmsg, 3);
	assert_string_equal(s.msg[0], "hosts:1: bad name \"-bad\"");
	assert_string_equal(s.msg[1], "hosts:1: bad name \"bad..dots\"");
	assert_string_equal(s.msg[2], "hosts:2: bad name \"under_score*\"");
}

static void test_line_without_names(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("10.0.3.1\n10.0.3.2 # only a comment\n10.0.3.3 x\n", &s), 2);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.name[0], "x");
	assert_int_equal(s.nmsg, 2);
	assert_string_equal(s.msg[0], "hosts:1: an address without a name");
	assert_string_equal(s.msg[1], "hosts:2: an address without a name");
}

/* Overlong and binary tokens are quoted short and printable. */
static void test_long_and_binary_tokens(void **state)
{
	char text[1200];
	struct seen s;

	(void)state;
	memset(text, 'a', sizeof(text));
	memcpy(text, "10.0.0.1 ", 9);
	memcpy(text + 1000, "\n10.0.0.2 b\x01y\n", 15);
	text[1015] = '\0';
	assert_int_equal(parse(text, &s), 2);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.nmsg, 2);
	assert_string_equal(s.msg[0], "hosts:1: bad name "
			    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
	assert_string_equal(s.msg[1], "hosts:2: bad name \"b?y\"");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "10.0.0.1 a\n10.0.0.2 b\0c\n10.0.0.3 d";
	struct seen s = { .n = 0 };
	const struct hostsfile_sink real = { on_entry, on_problem, &s };
	char *buf = malloc(sizeof(text) - 1);

	(void)state;
	assert_non_null(buf);
	memcpy(buf, text, sizeof(text) - 1);
	assert_int_equal(hostsfile_parse(buf, sizeof(text) - 1, "h", &real), 1);
	free(buf);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.name[1], "d");
	assert_string_equal(s.msg[0], "h:2: a NUL byte in the line");
}

/* Every prefix of a file, from an exact-size buffer: ASan sees any overread. */
static void test_every_prefix(void **state)
{
	static const char text[] = "# c\n10.0.3.5 c1 c1.lxc # x\r\n::1 localhost\n1.2.3.4";
	const size_t len = sizeof(text) - 1;
	struct seen s;

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		char *buf = malloc(n ? n : 1);
		const struct hostsfile_sink sink = { on_entry, on_problem, &s };

		assert_non_null(buf);
		memcpy(buf, text, n);
		memset(&s, 0, sizeof(s));
		hostsfile_parse(buf, n, "p", &sink);
		free(buf);
	}
	/* The whole text: three names and the nameless last line. */
	assert_int_equal(s.n, 3);
	assert_int_equal(s.nmsg, 1);
}

static void test_null_sink(void **state)
{
	(void)state;
	assert_int_equal(hostsfile_parse("1.2.3.4\nbad line\n", 17, "x", NULL), 2);
	assert_int_equal(hostsfile_parse(NULL, 0, "x", NULL), 0);
}

static void test_load_file_and_directory(void **state)
{
	struct seen s = { .n = 0 };
	const struct hostsfile_sink real = { on_entry, on_problem, &s };
	char dir[300], path[400];
	const char *file;

	(void)state;
	file = write_file("hosts-one", "10.0.0.1 one\n");
	assert_int_equal(hostsfile_load(file, &real), 1);
	assert_string_equal(s.name[0], "one");

	snprintf(dir, sizeof(dir), "%s/hosts.d", test_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("hosts.d/b", "10.0.0.3 bee\n");
	write_file("hosts.d/a", "10.0.0.2 ay\n10.0.0.4 ay2\n");
	write_file("hosts.d/a~", "10.0.0.9 backup\n");
	write_file("hosts.d/.hidden", "10.0.0.9 hidden\n");
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(hostsfile_load(dir, &real), 3);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.name[0], "ay");
	assert_string_equal(s.name[1], "ay2");
	assert_string_equal(s.name[2], "bee");
	assert_int_equal(s.nmsg, 0);
}

/* Each file counts its own lines, whatever the lines hold. */
static void test_lines_per_file(void **state)
{
	struct seen s = { .n = 0 };
	const struct hostsfile_sink real = { on_entry, on_problem, &s };
	char dir[300];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/lines.d", test_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("lines.d/a", "# header\r\n"
				"\r\n"
				"10.0.0.x bad\r\n"
				"10.0.0.1 one one-alias\r\n"
				"   # indented comment\n"
				"\t10.0.0.2\ttwo   # trailing\n"
				"10.0.0.3 -bad three\n");
	write_file("lines.d/b", "\n\n\n10.0.0.4 four");
	assert_int_equal(hostsfile_load(dir, &real), 5);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.name[0], "one");
	assert_string_equal(s.file[0], "a");
	assert_int_equal(s.line[0], 4);
	assert_string_equal(s.name[1], "one-alias");
	assert_int_equal(s.line[1], 4);
	assert_string_equal(s.name[2], "two");
	assert_int_equal(s.line[2], 6);
	assert_string_equal(s.name[3], "three");
	assert_int_equal(s.line[3], 7);
	/* The first good name of its line, after a bad one. */
	assert_true(s.first[3]);
	assert_string_equal(s.name[4], "four");
	assert_string_equal(s.file[4], "b");
	assert_int_equal(s.line[4], 4);
	assert_int_equal(s.nmsg, 2);
	assert_non_null(strstr(s.msg[0], "/lines.d/a:3: bad address \"10.0.0.x\""));
	assert_non_null(strstr(s.msg[1], "/lines.d/a:7: bad name \"-bad\""));
}

static void test_missing_file(void **state)
{
	struct seen s = { .n = 0 };
	const struct hostsfile_sink real = { on_entry, on_problem, &s };
	char path[300], expect[400];

	(void)state;
	snprintf(path, sizeof(path), "%s/absent", test_dir);
	assert_int_equal(hostsfile_load(path, &real), -1);
	assert_int_equal(s.nmsg, 1);
	snprintf(expect, sizeof(expect), "failed to load names from %s: No such file or directory",
		 path);
	assert_string_equal(s.msg[0], expect);
	assert_int_equal(hostsfile_load(path, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_crlf_ipv6_and_dots),
		cmocka_unit_test(test_bad_address_skips_line),
		cmocka_unit_test(test_bad_name_skips_name),
		cmocka_unit_test(test_line_without_names),
		cmocka_unit_test(test_long_and_binary_tokens),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_null_sink),
		cmocka_unit_test(test_load_file_and_directory),
		cmocka_unit_test(test_lines_per_file),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_remove);
}
