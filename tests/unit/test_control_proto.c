/*
 * test_control_proto — request lines: every command with its args, the
 * defaults, and each way a request is refused (version, command, missing,
 * empty, over-long and mistyped args, not JSON, too long) with its code
 * and a message naming what was wrong; requests written by the client
 * side parse back to the same request; replies, errors and events are
 * written exactly as the protocol says, and the client's reply parser
 * takes good ones and refuses broken ones without leaking.  All input is
 * parsed from exact-size heap copies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/control_proto.h"

/* ---- Helpers ---------------------------------------------------------- */

static char *exact_copy(const char *p, size_t len)
{
	char *c = malloc(len ? len : 1);

	assert_non_null(c);
	if (len)
		memcpy(c, p, len);
	return c;
}

static int parse_req_n(const char *p, size_t len, struct control_request *req,
		       struct control_error *err)
{
	char *c = exact_copy(p, len);
	int rc = control_parse_request(c, len, req, err);

	free(c);
	return rc;
}

static void parse_req(const char *line, struct control_request *req)
{
	struct control_error err;

	if (parse_req_n(line, strlen(line), req, &err) != 0)
		fail_msg("%s refused: %s: %s", line, err.code, err.message);
	assert_null(err.code);
	assert_string_equal(err.message, "");
}

/* line must be refused with code and a message starting with want. */
static void expect_refused(const char *line, const char *code, const char *want)
{
	struct control_request req;
	struct control_error err;

	if (parse_req_n(line, strlen(line), &req, &err) != -1)
		fail_msg("%s accepted", line);
	assert_non_null(err.code);
	assert_string_equal(err.code, code);
	if (strncmp(err.message, want, strlen(want)) != 0)
		fail_msg("%s: got \"%s\", wanted \"%s\"", line, err.message, want);
}

static void expect_bad(const char *line, const char *want)
{
	expect_refused(line, CONTROL_E_BAD_REQUEST, want);
}

/* A request line for command with args (a JSON object's inside). */
static char *request(const char *command, const char *args)
{
	char *s;

	assert_true(asprintf(&s, "{\"version\":1,\"command\":\"%s\",\"args\":{%s}}", command,
			     args) > 0);
	return s;
}

static int parse_reply_n(const char *p, size_t len, struct json_doc *doc, bool *ok,
			 struct control_error *err)
{
	char *c = exact_copy(p, len);
	int rc = control_parse_reply(c, len, doc, ok, err);

	free(c);
	return rc;
}

/* ---- Command names ---------------------------------------------------- */

static void test_command_names(void **state)
{
	static const char *const names[] = { "leases", "show",    "release", "watch",
					     "stats",  "cache",   "explain", "reload" };

	(void)state;
	for (int c = CONTROL_LEASES; c <= CONTROL_RELOAD; c++) {
		assert_string_equal(control_command_name((enum control_command)c), names[c]);
		assert_int_equal(control_command_from_name(names[c]), c);
	}
	assert_int_equal(control_command_from_name("LEASES"), -1);
	assert_int_equal(control_command_from_name("lease"), -1);
	assert_int_equal(control_command_from_name("leasesx"), -1);
	assert_int_equal(control_command_from_name(""), -1);
	assert_null(control_command_name((enum control_command)(CONTROL_RELOAD + 1)));
	assert_null(control_command_name((enum control_command)-1));
}

/* ---- Requests: each command ------------------------------------------- */

static void test_parse_leases(void **state)
{
	struct control_request req;

	(void)state;
	parse_req("{\"version\":1,\"command\":\"leases\"}", &req);
	assert_int_equal(req.command, CONTROL_LEASES);
	assert_string_equal(req.interface, "");
	parse_req("{\"version\":1,\"command\":\"leases\",\"args\":{}}", &req);
	assert_string_equal(req.interface, "");
	parse_req("{\"version\":1,\"command\":\"leases\",\"args\":{\"interface\":\"lxcbr0\"}}", &req);
	assert_string_equal(req.interface, "lxcbr0");
	/* IF_NAMESIZE - 1 bytes fit; one more does not. */
	parse_req("{\"version\":1,\"command\":\"leases\",\"args\":{\"interface\":\"abcdefghijklmno\"}}",
		  &req);
	assert_string_equal(req.interface, "abcdefghijklmno");
	expect_bad("{\"version\":1,\"command\":\"leases\",\"args\":{\"interface\":\"abcdefghijklmnop\"}}",
		   "\"interface\" is longer than 15 bytes");
	expect_bad("{\"version\":1,\"command\":\"leases\",\"args\":{\"interface\":4}}",
		   "\"interface\" must be a string");
	/* Args of other commands are not taken. */
	parse_req("{\"version\":1,\"command\":\"leases\",\"args\":{\"key\":\"x\",\"flush\":true}}", &req);
	assert_string_equal(req.key, "");
	assert_false(req.flush);
}

static void test_parse_show_release(void **state)
{
	static const char *const cmds[] = { "show", "release" };
	struct control_request req;
	char key[300];
	char *line;

	(void)state;
	for (int i = 0; i < 2; i++) {
		line = request(cmds[i], "\"key\":\"10.0.3.5\"");
		parse_req(line, &req);
		free(line);
		assert_int_equal(req.command, i ? CONTROL_RELEASE : CONTROL_SHOW);
		assert_string_equal(req.key, "10.0.3.5");
		assert_string_equal(req.name, "");

		line = request(cmds[i], "\"key\":\"aa:bb:cc:dd:ee:ff\"");
		parse_req(line, &req);
		free(line);
		assert_string_equal(req.key, "aa:bb:cc:dd:ee:ff");

		line = request(cmds[i], "");
		expect_bad(line, i ? "release needs \"key\"" : "show needs \"key\"");
		free(line);
		line = request(cmds[i], "\"name\":\"c1\"");
		expect_bad(line, i ? "release needs \"key\"" : "show needs \"key\"");
		free(line);
		line = request(cmds[i], "\"key\":\"\"");
		expect_bad(line, "\"key\" is empty");
		free(line);
		line = request(cmds[i], "\"key\":5");
		expect_bad(line, "\"key\" must be a string");
		free(line);
		line = request(cmds[i], "\"key\":null");
		expect_bad(line, "\"key\" must be a string");
		free(line);
		line = request(cmds[i], "\"key\":[\"a\"]");
		expect_bad(line, "\"key\" must be a string");
		free(line);
	}
	/* No args at all is a missing key too. */
	expect_bad("{\"version\":1,\"command\":\"show\"}", "show needs \"key\"");

	/* CONTROL_ARG_MAX - 1 bytes fit, exactly, and one more does not. */
	memset(key, 'k', sizeof(key));
	key[CONTROL_ARG_MAX - 1] = '\0';
	assert_true(asprintf(&line, "{\"version\":1,\"command\":\"show\",\"args\":{\"key\":\"%s\"}}",
			     key) > 0);
	parse_req(line, &req);
	free(line);
	assert_int_equal(strlen(req.key), CONTROL_ARG_MAX - 1);
	key[CONTROL_ARG_MAX - 1] = 'k';
	key[CONTROL_ARG_MAX] = '\0';
	assert_true(asprintf(&line, "{\"version\":1,\"command\":\"show\",\"args\":{\"key\":\"%s\"}}",
			     key) > 0);
	expect_bad(line, "\"key\" is longer than 255 bytes");
	free(line);
	/* The limit is on decoded bytes: 128 two-byte characters are 256. */
	line = malloc(128 * 6 + 100);
	assert_non_null(line);
	strcpy(line, "{\"version\":1,\"command\":\"show\",\"args\":{\"key\":\"");
	for (int i = 0; i < 128; i++)
		strcat(line, "\\u00e9");
	strcat(line, "\"}}");
	expect_bad(line, "\"key\" is longer than 255 bytes");
	free(line);
}

static void test_parse_no_arg_commands(void **state)
{
	static const struct {
		const char *name;
		enum control_command c;
	} cmds[] = {
		{ "watch", CONTROL_WATCH },
		{ "stats", CONTROL_STATS },
		{ "reload", CONTROL_RELOAD },
	};
	struct control_request req, zero;
	char *line;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		line = request(cmds[i].name, "");
		parse_req(line, &req);
		free(line);
		assert_int_equal(req.command, cmds[i].c);
		/* Whatever args come along are ignored. */
		line = request(cmds[i].name, "\"key\":\"x\",\"name\":\"y\",\"flush\":true,\"type\":\"MX\"");
		parse_req(line, &req);
		free(line);
		memset(&zero, 0, sizeof(zero));
		zero.command = cmds[i].c;
		assert_memory_equal(&req, &zero, sizeof(req));
	}
}

static void test_parse_cache(void **state)
{
	struct control_request req;
	char *line;

	(void)state;
	line = request("cache", "");
	parse_req(line, &req);
	free(line);
	assert_int_equal(req.command, CONTROL_CACHE);
	assert_string_equal(req.name, "");
	assert_false(req.flush);
	line = request("cache", "\"name\":\"example.com\"");
	parse_req(line, &req);
	free(line);
	assert_string_equal(req.name, "example.com");
	line = request("cache", "\"flush\":true");
	parse_req(line, &req);
	free(line);
	assert_true(req.flush);
	line = request("cache", "\"flush\":false,\"name\":\"a.b\"");
	parse_req(line, &req);
	free(line);
	assert_false(req.flush);
	assert_string_equal(req.name, "a.b");
	/* An empty name is no name: the whole cache. */
	line = request("cache", "\"name\":\"\"");
	parse_req(line, &req);
	free(line);
	assert_string_equal(req.name, "");
	line = request("cache", "\"flush\":\"yes\"");
	expect_bad(line, "\"flush\" must be true or false");
	free(line);
	line = request("cache", "\"flush\":1");
	expect_bad(line, "\"flush\" must be true or false");
	free(line);
	line = request("cache", "\"name\":false");
	expect_bad(line, "\"name\" must be a string");
	free(line);
}

static void test_parse_explain(void **state)
{
	struct control_request req;
	char *line;

	(void)state;
	line = request("explain", "\"name\":\"c1.lxc\"");
	parse_req(line, &req);
	free(line);
	assert_int_equal(req.command, CONTROL_EXPLAIN);
	assert_string_equal(req.name, "c1.lxc");
	assert_string_equal(req.type, "A");
	line = request("explain", "\"type\":\"AAAA\",\"name\":\"c1.lxc\"");
	parse_req(line, &req);
	free(line);
	assert_string_equal(req.type, "AAAA");
	line = request("explain", "\"name\":\"x\",\"type\":\"TYPE65534000000\"");
	parse_req(line, &req);
	free(line);
	assert_string_equal(req.type, "TYPE65534000000");
	line = request("explain", "\"name\":\"x\",\"type\":\"TYPE655340000000\"");
	expect_bad(line, "\"type\" is longer than 15 bytes");
	free(line);
	line = request("explain", "\"name\":\"x\",\"type\":\"\"");
	expect_bad(line, "\"type\" is empty");
	free(line);
	line = request("explain", "\"name\":\"x\",\"type\":28");
	expect_bad(line, "\"type\" must be a string");
	free(line);
	line = request("explain", "\"type\":\"A\"");
	expect_bad(line, "explain needs \"name\"");
	free(line);
	line = request("explain", "\"name\":\"\"");
	expect_bad(line, "\"name\" is empty");
	free(line);
	/* Other commands leave type alone. */
	line = request("cache", "\"type\":\"MX\"");
	parse_req(line, &req);
	free(line);
	assert_string_equal(req.type, "");
}

/* ---- Requests: framing and refusals ----------------------------------- */

static void test_parse_line_endings(void **state)
{
	struct control_request req;

	(void)state;
	parse_req("{\"version\":1,\"command\":\"stats\"}\n", &req);
	assert_int_equal(req.command, CONTROL_STATS);
	parse_req("{\"version\":1,\"command\":\"stats\"}\r\n", &req);
	parse_req("  {\"version\" : 1 , \"command\" : \"stats\"}  \n", &req);
	expect_bad("{\"version\":1,\"command\":\"stats\"}\nx", "invalid JSON: at byte 32: 'x' after");
	expect_bad("{\"version\":1,\"command\":\"stats\"}\n{}", "invalid JSON: at byte 32: '{' after");
}

static void test_parse_version(void **state)
{
	(void)state;
	expect_bad("{\"command\":\"stats\"}", "missing \"version\"");
	expect_bad("{\"version\":\"1\",\"command\":\"stats\"}", "\"version\" must be an integer");
	expect_bad("{\"version\":true,\"command\":\"stats\"}", "\"version\" must be an integer");
	expect_bad("{\"version\":1.0,\"command\":\"stats\"}", "invalid JSON: at byte 11: not an integer");
	expect_refused("{\"version\":2,\"command\":\"stats\"}", CONTROL_E_VERSION,
		       "version 2 is not supported (only 1)");
	expect_refused("{\"version\":0,\"command\":\"stats\"}", CONTROL_E_VERSION, "version 0 ");
	expect_refused("{\"version\":-1,\"command\":\"stats\"}", CONTROL_E_VERSION, "version -1 ");
	expect_refused("{\"version\":9223372036854775807,\"command\":\"stats\"}", CONTROL_E_VERSION,
		       "version 9223372036854775807 ");
	/* The version is judged first: a newer client's new command is not "unknown". */
	expect_refused("{\"command\":\"frobnicate\",\"version\":2}", CONTROL_E_VERSION, "version 2");
	expect_refused("{\"version\":3}", CONTROL_E_VERSION, "version 3");
}

static void test_parse_command_errors(void **state)
{
	char name[80], want[128];
	char *line;

	(void)state;
	expect_bad("{\"version\":1}", "missing \"command\"");
	expect_bad("{\"version\":1,\"args\":{\"key\":\"x\"}}", "missing \"command\"");
	expect_bad("{\"version\":1,\"command\":5}", "\"command\" must be a string");
	expect_bad("{\"version\":1,\"command\":null}", "\"command\" must be a string");
	expect_bad("{\"version\":1,\"command\":[\"show\"]}", "\"command\" must be a string");
	expect_bad("{\"version\":1,\"command\":\"frobnicate\"}", "unknown command \"frobnicate\"");
	expect_bad("{\"version\":1,\"command\":\"SHOW\"}", "unknown command \"SHOW\"");
	expect_bad("{\"version\":1,\"command\":\"\"}", "unknown command \"\"");
	/* A name fit for a one-line message: control characters hidden... */
	expect_bad("{\"version\":1,\"command\":\"a\\nb\\u001b[0m\"}", "unknown command \"a?b?[0m\"");
	/* ...and a long one cut at 64 bytes, not inside a character. */
	memset(name, 'x', 63);
	strcpy(name + 63, "\xc3\xa9zzzz");
	line = request(name, "");
	strcpy(name + 63, "...\"");
	snprintf(want, sizeof(want), "unknown command \"%s", name);
	expect_refused(line, CONTROL_E_BAD_REQUEST, want);
	free(line);
	/* Exactly 64 is shown whole; 65 is cut to 64. */
	strcpy(name + 63, "y");
	line = request(name, "");
	snprintf(want, sizeof(want), "unknown command \"%s\"", name);
	expect_refused(line, CONTROL_E_BAD_REQUEST, want);
	assert_null(strstr(want, "..."));
	free(line);
	strcpy(name + 63, "yz");
	line = request(name, "");
	strcpy(name + 64, "...\"");
	snprintf(want, sizeof(want), "unknown command \"%s", name);
	expect_refused(line, CONTROL_E_BAD_REQUEST, want);
	free(line);
	expect_bad("{\"version\":1,\"command\":\"show\",\"args\":[\"key\"]}", "\"args\" must be an object");
	expect_bad("{\"version\":1,\"command\":\"stats\",\"args\":null}", "\"args\" must be an object");
	expect_bad("{\"version\":1,\"command\":\"stats\",\"args\":\"\"}", "\"args\" must be an object");
}

static void test_parse_not_a_request(void **state)
{
	struct control_request req;
	struct control_error err;
	const char *line;

	(void)state;
	expect_bad("[]", "the request is not a JSON object");
	expect_bad("1", "the request is not a JSON object");
	expect_bad("\"show\"", "the request is not a JSON object");
	expect_bad("", "invalid JSON: at byte 0: expected a value, found the end");
	expect_bad("\n", "invalid JSON: at byte 1: expected a value, found the end");
	expect_bad("{", "invalid JSON: at byte 1: expected a string key, found the end");
	expect_bad("show 10.0.3.5", "invalid JSON: at byte 0: expected a value, found 's'");
	expect_bad("{\"version\":1,\"command\":\"show\",\"command\":\"stats\"}",
		   "invalid JSON: at byte 30: duplicate key");
	expect_bad("{\"version\":1,\"command\":\"show\",\"args\":{\"key\":\"\xff\"}}",
		   "invalid JSON: at byte 45: invalid UTF-8");
	/* A refusal leaves a zeroed request behind, not half of one. */
	memset(&req, 0x5a, sizeof(req));
	line = "{\"version\":1,\"command\":\"show\",\"args\":{\"key\":7}}";
	assert_int_equal(parse_req_n(line, strlen(line), &req, &err), -1);
	assert_string_equal(req.key, "");
	assert_string_equal(req.interface, "");
}

static void test_parse_too_long(void **state)
{
	struct control_request req;
	struct control_error err;
	const char *body = "{\"version\":1,\"command\":\"show\",\"args\":{\"key\":\"c1\"}}";
	char *line = malloc(CONTROL_MAX_REQUEST + 2);
	size_t blen = strlen(body);

	(void)state;
	assert_non_null(line);
	/* Exactly CONTROL_MAX_REQUEST bytes with the '\n': fine. */
	memset(line, ' ', CONTROL_MAX_REQUEST);
	memcpy(line, body, blen);
	line[CONTROL_MAX_REQUEST - 1] = '\n';
	assert_int_equal(parse_req_n(line, CONTROL_MAX_REQUEST, &req, &err), 0);
	assert_string_equal(req.key, "c1");
	/* One more byte is refused before any parsing. */
	line[CONTROL_MAX_REQUEST - 1] = ' ';
	line[CONTROL_MAX_REQUEST] = '\n';
	assert_int_equal(parse_req_n(line, CONTROL_MAX_REQUEST + 1, &req, &err), -1);
	assert_string_equal(err.code, CONTROL_E_BAD_REQUEST);
	assert_string_equal(err.message, "request longer than 4096 bytes");
	free(line);
}

static void test_parse_ignores_unknown_members(void **state)
{
	struct control_request req;

	(void)state;
	parse_req("{\"id\":7,\"version\":1,\"extra\":{\"deep\":[1,{\"x\":null}]},\"command\":\"show\","
		  "\"args\":{\"key\":\"c1\",\"future\":[true],\"verbose\":\"yes\"},\"z\":false}",
		  &req);
	assert_int_equal(req.command, CONTROL_SHOW);
	assert_string_equal(req.key, "c1");
}

/* Every strict prefix of a request is refused, from an exact-size copy. */
static void test_parse_every_prefix(void **state)
{
	const char *line =
		"{\"version\":1,\"command\":\"explain\",\"args\":{\"name\":\"c1.lxc\",\"type\":\"AAAA\"}}";
	size_t len = strlen(line);
	struct control_request req;
	struct control_error err;

	(void)state;
	for (size_t n = 0; n < len; n++) {
		if (parse_req_n(line, n, &req, &err) != -1)
			fail_msg("prefix of %zu bytes accepted", n);
		assert_string_equal(err.code, CONTROL_E_BAD_REQUEST);
		assert_true(strncmp(err.message, "invalid JSON: at byte ", 22) == 0);
	}
	assert_int_equal(parse_req_n(line, len, &req, &err), 0);
	assert_string_equal(req.type, "AAAA");
}

/* ---- Requests: the client side ---------------------------------------- */

static void write_and_parse(const struct control_request *in, struct control_request *out)
{
	struct json_writer w;
	struct control_error err;

	json_writer_init(&w);
	control_write_request(&w, in);
	assert_int_equal(w.buf[w.len - 1], '\n');
	/* One line: no '\n' but the last. */
	assert_ptr_equal(strchr(w.buf, '\n'), w.buf + w.len - 1);
	if (parse_req_n(w.buf, w.len, out, &err) != 0)
		fail_msg("%s refused: %s", w.buf, err.message);
	json_writer_free(&w);
}

static void test_write_request_round_trip(void **state)
{
	struct control_request in[8], out;

	(void)state;
	memset(in, 0, sizeof(in));
	for (int c = CONTROL_LEASES; c <= CONTROL_RELOAD; c++)
		in[c].command = (enum control_command)c;
	strcpy(in[CONTROL_LEASES].interface, "lxcbr0");
	strcpy(in[CONTROL_SHOW].key, "10.0.3.5");
	strcpy(in[CONTROL_RELEASE].key, "c1 \"quoted\" \\ \xc3\xa9\n");
	strcpy(in[CONTROL_CACHE].name, "example.com");
	in[CONTROL_CACHE].flush = true;
	strcpy(in[CONTROL_EXPLAIN].name, "c1.lxc");
	strcpy(in[CONTROL_EXPLAIN].type, "AAAA");
	for (int c = CONTROL_LEASES; c <= CONTROL_RELOAD; c++) {
		write_and_parse(&in[c], &out);
		assert_int_equal(out.command, c);
		assert_string_equal(out.key, in[c].key);
		assert_string_equal(out.name, in[c].name);
		assert_string_equal(out.type, in[c].type);
		assert_string_equal(out.interface, in[c].interface);
		assert_int_equal(out.flush, in[c].flush);
	}
	/* Optional args left empty stay out, and come back empty. */
	memset(&in[0], 0, sizeof(in[0]));
	in[0].command = CONTROL_CACHE;
	write_and_parse(&in[0], &out);
	assert_string_equal(out.name, "");
	assert_false(out.flush);
}

static void test_write_request_text(void **state)
{
	struct json_writer w;
	struct control_request req;
	struct control_error err;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.command = CONTROL_SHOW;
	strcpy(req.key, "10.0.3.5");
	strcpy(req.name, "not written: show takes no name");
	json_writer_init(&w);
	control_write_request(&w, &req);
	assert_string_equal(w.buf, "{\"version\":1,\"command\":\"show\",\"args\":{\"key\":\"10.0.3.5\"}}\n");
	json_writer_free(&w);

	memset(&req, 0, sizeof(req));
	req.command = CONTROL_CACHE;
	json_writer_init(&w);
	control_write_request(&w, &req);
	assert_string_equal(w.buf, "{\"version\":1,\"command\":\"cache\",\"args\":{}}\n");
	json_writer_free(&w);

	/* An unknown command goes out as null and the daemon refuses it. */
	req.command = (enum control_command)42;
	json_writer_init(&w);
	control_write_request(&w, &req);
	assert_string_equal(w.buf, "{\"version\":1,\"command\":null,\"args\":{}}\n");
	assert_int_equal(parse_req_n(w.buf, w.len, &req, &err), -1);
	assert_string_equal(err.message, "\"command\" must be a string");
	json_writer_free(&w);
}

/* ---- Replies and events ----------------------------------------------- */

static void test_write_replies(void **state)
{
	struct json_writer w;
	struct control_error err = { .code = CONTROL_E_NOT_FOUND };

	(void)state;
	json_writer_init(&w);
	control_begin_result(&w);
	json_begin_array(&w, "leases");
	json_end_array(&w);
	json_int(&w, "n", 3);
	control_end_result(&w);
	snprintf(err.message, sizeof(err.message), "no lease for 10.0.3.5");
	control_write_error(&w, &err);
	control_begin_event(&w);
	json_string(&w, "type", "grant");
	control_end_event(&w);
	control_begin_result(&w);
	control_end_result(&w);
	assert_string_equal(w.buf,
			    "{\"version\":1,\"ok\":true,\"result\":{\"leases\":[],\"n\":3}}\n"
			    "{\"version\":1,\"ok\":false,\"error\":\"not-found\","
			    "\"message\":\"no lease for 10.0.3.5\"}\n"
			    "{\"version\":1,\"event\":{\"type\":\"grant\"}}\n"
			    "{\"version\":1,\"ok\":true,\"result\":{}}\n");
	assert_int_equal(w.depth, 0);
	json_writer_free(&w);

	/* No code is a failure; messages are escaped. */
	err.code = NULL;
	snprintf(err.message, sizeof(err.message), "bad \"x\"\n");
	json_writer_init(&w);
	control_write_error(&w, &err);
	assert_string_equal(w.buf, "{\"version\":1,\"ok\":false,\"error\":\"failed\","
				   "\"message\":\"bad \\\"x\\\"\\n\"}\n");
	json_writer_free(&w);
}

static void test_parse_reply_ok(void **state)
{
	struct json_writer w;
	struct json_doc doc;
	struct control_error err;
	const struct json_value *result;
	const char *line;
	bool ok = false;
	int64_t n;

	(void)state;
	json_writer_init(&w);
	control_begin_result(&w);
	json_int(&w, "flushed", 12);
	control_end_result(&w);
	assert_int_equal(parse_reply_n(w.buf, w.len, &doc, &ok, &err), 0);
	assert_true(ok);
	assert_null(err.code);
	result = json_get(doc.root, "result");
	assert_true(json_get_int(result, "flushed", &n));
	assert_int_equal(n, 12);
	json_doc_free(&doc);
	json_writer_free(&w);

	/* Unknown members are ignored here too; no '\n' is fine. */
	line = "{\"version\":1,\"ok\":true,\"result\":{},\"new\":1}";
	assert_int_equal(parse_reply_n(line, strlen(line), &doc, &ok, &err), 0);
	assert_true(ok);
	json_doc_free(&doc);
}

/* A reply listing many leases holds far more than JSON_MAX_NODES values. */
static void test_parse_reply_many_leases(void **state)
{
	struct json_writer w;
	struct json_doc doc;
	struct control_error err;
	const struct json_value *leases, *l;
	bool ok = false;
	size_t n = 0;
	char addr[32];

	(void)state;
	json_writer_init(&w);
	control_begin_result(&w);
	json_begin_array(&w, "leases");
	for (int i = 0; i < 2000; i++) {
		snprintf(addr, sizeof(addr), "10.0.%d.%d", i / 250, i % 250 + 2);
		json_begin_object(&w, NULL);
		json_string(&w, "address", addr);
		json_int(&w, "family", 4);
		json_string(&w, "hwaddr", "00:16:3e:00:00:01");
		json_string(&w, "hostname", NULL);
		json_int(&w, "expires", 1700000000 + i);
		json_string(&w, "kind", "dynamic");
		json_begin_array(&w, "names");
		json_string(&w, NULL, "c.lxc");
		json_end_array(&w);
		json_end_object(&w);
	}
	json_end_array(&w);
	control_end_result(&w);
	assert_int_equal(parse_reply_n(w.buf, w.len, &doc, &ok, &err), 0);
	assert_true(ok);
	leases = json_get(json_get(doc.root, "result"), "leases");
	assert_non_null(leases);
	assert_int_equal(leases->len, 2000);
	for (l = leases->child; l; l = l->next, n++) {
		int64_t expires;

		assert_true(json_get_int(l, "expires", &expires));
		assert_int_equal(expires, 1700000000 + (int64_t)n);
	}
	assert_int_equal(n, 2000);
	assert_string_equal(json_get(leases->child->next->next, "address")->s, "10.0.0.4");
	json_doc_free(&doc);
	json_writer_free(&w);
}

static void test_parse_reply_error(void **state)
{
	struct json_writer w;
	struct json_doc doc;
	struct control_error in = { .code = CONTROL_E_PERMISSION }, err;
	char long_msg[400];
	const char *line;
	bool ok = true;

	(void)state;
	snprintf(in.message, sizeof(in.message), "release needs root");
	json_writer_init(&w);
	control_write_error(&w, &in);
	assert_int_equal(parse_reply_n(w.buf, w.len, &doc, &ok, &err), 0);
	assert_false(ok);
	assert_string_equal(err.code, "permission-denied");
	/* The code lives in the doc's strings, the message is copied. */
	assert_true(err.code >= doc.strings && err.code < doc.strings + w.len);
	assert_string_equal(err.message, "release needs root");
	json_doc_free(&doc);
	json_writer_free(&w);

	/* Without a message: an empty one. */
	ok = true;
	line = "{\"version\":1,\"ok\":false,\"error\":\"busy\"}";
	assert_int_equal(parse_reply_n(line, strlen(line), &doc, &ok, &err), 0);
	assert_false(ok);
	assert_string_equal(err.code, "busy");
	assert_string_equal(err.message, "");
	json_doc_free(&doc);

	/* A long message is cut at 255 bytes... */
	memset(long_msg, 0, sizeof(long_msg));
	strcpy(long_msg, "{\"version\":1,\"ok\":false,\"error\":\"failed\",\"message\":\"");
	for (int i = 0; i < 300; i++)
		strcat(long_msg, "m");
	strcat(long_msg, "\"}");
	assert_int_equal(parse_reply_n(long_msg, strlen(long_msg), &doc, &ok, &err), 0);
	assert_int_equal(strlen(err.message), 255);
	json_doc_free(&doc);

	/* ...between characters, not inside one. */
	memset(long_msg, 0, sizeof(long_msg));
	strcpy(long_msg, "{\"version\":1,\"ok\":false,\"error\":\"failed\",\"message\":\"");
	for (int i = 0; i < 254; i++)
		strcat(long_msg, "m");
	strcat(long_msg, "\xc3\xa9\xc3\xa9\"}");
	assert_int_equal(parse_reply_n(long_msg, strlen(long_msg), &doc, &ok, &err), 0);
	assert_int_equal(strlen(err.message), 254);
	json_doc_free(&doc);
}

static void test_parse_reply_event(void **state)
{
	struct json_writer w;
	struct json_doc doc;
	struct control_error err;
	bool ok = false;
	const char *type;

	(void)state;
	json_writer_init(&w);
	control_begin_event(&w);
	json_string(&w, "type", "expire");
	control_end_event(&w);
	assert_int_equal(parse_reply_n(w.buf, w.len, &doc, &ok, &err), 0);
	assert_true(ok);
	assert_true(json_get_string(json_get(doc.root, "event"), "type", &type));
	assert_string_equal(type, "expire");
	json_doc_free(&doc);
	json_writer_free(&w);
}

static void test_parse_reply_invalid(void **state)
{
	static const struct {
		const char *line;
		const char *code;
		const char *message;
	} cases[] = {
		{ "", CONTROL_E_FAILED, "invalid reply: at byte 0: expected a value" },
		{ "garbage", CONTROL_E_FAILED, "invalid reply: at byte 0:" },
		{ "{\"version\":1,\"ok\":true,\"result\":{}", CONTROL_E_FAILED,
		  "invalid reply: at byte 34: expected ',' or '}', found the end" },
		{ "[]", CONTROL_E_FAILED, "invalid reply: not a JSON object" },
		{ "{\"ok\":true,\"result\":{}}", CONTROL_E_FAILED, "invalid reply: no integer \"version\"" },
		{ "{\"version\":\"1\",\"ok\":true,\"result\":{}}", CONTROL_E_FAILED,
		  "invalid reply: no integer \"version\"" },
		{ "{\"version\":2,\"ok\":true,\"result\":{}}", CONTROL_E_VERSION,
		  "reply of version 2 (expected 1)" },
		{ "{\"version\":1}", CONTROL_E_FAILED, "invalid reply: no \"ok\" true or false" },
		{ "{\"version\":1,\"ok\":\"yes\",\"result\":{}}", CONTROL_E_FAILED,
		  "invalid reply: no \"ok\" true or false" },
		{ "{\"version\":1,\"ok\":true}", CONTROL_E_FAILED, "invalid reply: no \"result\" object" },
		{ "{\"version\":1,\"ok\":true,\"result\":[]}", CONTROL_E_FAILED,
		  "invalid reply: no \"result\" object" },
		{ "{\"version\":1,\"ok\":false}", CONTROL_E_FAILED, "invalid reply: no \"error\" string" },
		{ "{\"version\":1,\"ok\":false,\"error\":5}", CONTROL_E_FAILED,
		  "invalid reply: no \"error\" string" },
		{ "{\"version\":1,\"ok\":false,\"error\":\"x\",\"message\":7}", CONTROL_E_FAILED,
		  "invalid reply: \"message\" is not a string" },
		{ "{\"version\":1,\"event\":[]}", CONTROL_E_FAILED,
		  "invalid reply: \"event\" is not an object" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_doc doc;
		struct control_error err;
		bool ok = true;

		if (parse_reply_n(cases[i].line, strlen(cases[i].line), &doc, &ok, &err) != -1)
			fail_msg("%s accepted", cases[i].line);
		assert_false(ok);
		assert_string_equal(err.code, cases[i].code);
		if (strncmp(err.message, cases[i].message, strlen(cases[i].message)) != 0)
			fail_msg("%s: got \"%s\"", cases[i].line, err.message);
		/* Freed already; freeing again is harmless. */
		assert_null(doc.strings);
		assert_null(doc.root);
		json_doc_free(&doc);
	}
}

/* Every prefix of a good reply is refused, and nothing leaks. */
static void test_parse_reply_every_prefix(void **state)
{
	const char *line = "{\"version\":1,\"ok\":false,\"error\":\"not-found\",\"message\":\"no \\u00e9\"}";
	size_t len = strlen(line);
	struct json_doc doc;
	struct control_error err;
	bool ok;

	(void)state;
	for (size_t n = 0; n < len; n++) {
		if (parse_reply_n(line, n, &doc, &ok, &err) != -1)
			fail_msg("prefix of %zu bytes accepted", n);
		assert_string_equal(err.code, CONTROL_E_FAILED);
		assert_null(doc.strings);
	}
	assert_int_equal(parse_reply_n(line, len, &doc, &ok, &err), 0);
	assert_string_equal(err.message, "no \xc3\xa9");
	json_doc_free(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_names),
		cmocka_unit_test(test_parse_leases),
		cmocka_unit_test(test_parse_show_release),
		cmocka_unit_test(test_parse_no_arg_commands),
		cmocka_unit_test(test_parse_cache),
		cmocka_unit_test(test_parse_explain),
		cmocka_unit_test(test_parse_line_endings),
		cmocka_unit_test(test_parse_version),
		cmocka_unit_test(test_parse_command_errors),
		cmocka_unit_test(test_parse_not_a_request),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_parse_ignores_unknown_members),
		cmocka_unit_test(test_parse_every_prefix),
		cmocka_unit_test(test_write_request_round_trip),
		cmocka_unit_test(test_write_request_text),
		cmocka_unit_test(test_write_replies),
		cmocka_unit_test(test_parse_reply_ok),
		cmocka_unit_test(test_parse_reply_many_leases),
		cmocka_unit_test(test_parse_reply_error),
		cmocka_unit_test(test_parse_reply_event),
		cmocka_unit_test(test_parse_reply_invalid),
		cmocka_unit_test(test_parse_reply_every_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
