/*
 * test_json — the writer's exact output (escapes, UTF-8 passed through or
 * replaced, nesting, commas) and the parser: round trips from the writer
 * for every type and nesting, escapes both ways, every limit (depth,
 * node count, int64, long strings), and malformed input of every kind,
 * each refusal checked for its message and byte.  Input is parsed from
 * exact-size heap copies, so a read one byte past the end is an ASan
 * error, and every prefix of a rich document is tried.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/json.h"

/* ---- Helpers ---------------------------------------------------------- */

/* An exact-size heap copy: no NUL after it to lean on. */
static char *exact_copy(const char *p, size_t len)
{
	char *c = malloc(len ? len : 1);

	assert_non_null(c);
	if (len)
		memcpy(c, p, len);
	return c;
}

static int parse_n(const char *p, size_t len, struct json_doc *doc, char err[JSON_ERR_LEN])
{
	char *c = exact_copy(p, len);
	int rc = json_parse(c, len, doc, err);

	free(c);
	return rc;
}

/* Parse text that must parse; the caller frees doc. */
static const struct json_value *parse_ok(const char *text, struct json_doc *doc)
{
	char err[JSON_ERR_LEN];

	if (parse_n(text, strlen(text), doc, err) != 0)
		fail_msg("\"%s\" refused: %s", text, err);
	assert_non_null(doc->root);
	return doc->root;
}

/* p[0..len) must be refused with a message starting with want. */
static void expect_error_n(const char *p, size_t len, const char *want)
{
	struct json_doc doc;
	char err[JSON_ERR_LEN];

	if (parse_n(p, len, &doc, err) != -1)
		fail_msg("\"%.*s\" accepted, wanted \"%s\"", (int)len, p, want);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("\"%.*s\": got \"%s\", wanted \"%s\"", (int)len, p, err, want);
	/* A refusal leaves nothing to free. */
	assert_null(doc.strings);
	assert_null(doc.root);
	assert_int_equal(doc.nnodes, 0);
	json_doc_free(&doc);
}

static void expect_error(const char *text, const char *want)
{
	expect_error_n(text, strlen(text), want);
}

/* A string document must decode to exactly want[0..wlen). */
static void expect_decoded(const char *text, const char *want, size_t wlen)
{
	struct json_doc doc;
	const struct json_value *v = parse_ok(text, &doc);

	assert_int_equal(v->type, JSON_STRING);
	assert_int_equal(v->len, wlen);
	assert_memory_equal(v->s, want, wlen);
	assert_int_equal(v->s[wlen], '\0');
	json_doc_free(&doc);
}

/* The writer's whole output so far must be want. */
static void expect_output(const struct json_writer *w, const char *want)
{
	assert_non_null(w->buf);
	assert_string_equal(w->buf, want);
	assert_int_equal(w->len, strlen(want));
	assert_true(w->cap > w->len);
}

/* One string value through the writer, compared with want. */
static void expect_written(const char *value, const char *want)
{
	struct json_writer w;

	json_writer_init(&w);
	json_string(&w, NULL, value);
	expect_output(&w, want);
	json_writer_free(&w);
}

/* Write value, parse it back: the same bytes. */
static void string_round_trip(const char *value)
{
	struct json_writer w;
	struct json_doc doc;
	char err[JSON_ERR_LEN];

	json_writer_init(&w);
	json_begin_array(&w, NULL);
	json_string(&w, NULL, value);
	json_end_array(&w);
	if (parse_n(w.buf, w.len, &doc, err) != 0)
		fail_msg("writer output refused: %s", err);
	assert_int_equal(doc.root->child->type, JSON_STRING);
	assert_int_equal(doc.root->child->len, strlen(value));
	assert_string_equal(doc.root->child->s, value);
	json_doc_free(&doc);
	json_writer_free(&w);
}

/* ---- Writer ----------------------------------------------------------- */

static void test_write_scalars(void **state)
{
	struct json_writer w;

	(void)state;
	json_writer_init(&w);
	assert_null(w.buf);
	assert_int_equal(w.len, 0);
	json_int(&w, NULL, 0);
	json_newline(&w);
	json_int(&w, NULL, -1);
	json_newline(&w);
	json_int(&w, NULL, INT64_MIN);
	json_newline(&w);
	json_int(&w, NULL, INT64_MAX);
	json_newline(&w);
	json_bool(&w, NULL, true);
	json_newline(&w);
	json_bool(&w, NULL, false);
	json_newline(&w);
	json_null(&w, NULL);
	json_newline(&w);
	json_string(&w, NULL, "x");
	json_newline(&w);
	json_string(&w, NULL, NULL);
	json_newline(&w);
	json_string(&w, NULL, "");
	expect_output(&w, "0\n-1\n-9223372036854775808\n9223372036854775807\ntrue\nfalse\n"
			  "null\n\"x\"\nnull\n\"\"");
	json_writer_free(&w);
	assert_null(w.buf);
	assert_int_equal(w.len, 0);
	assert_int_equal(w.cap, 0);
}

static void test_write_nesting(void **state)
{
	struct json_writer w;

	(void)state;
	json_writer_init(&w);
	json_begin_object(&w, NULL);
	json_int(&w, "a", 1);
	json_begin_array(&w, "b");
	json_bool(&w, NULL, true);
	json_null(&w, NULL);
	json_string(&w, NULL, "s");
	json_begin_array(&w, NULL);
	json_end_array(&w);
	json_begin_object(&w, NULL);
	json_end_object(&w);
	json_end_array(&w);
	json_begin_object(&w, "c");
	json_begin_object(&w, "d");
	json_begin_array(&w, "e");
	json_int(&w, NULL, -5);
	json_int(&w, NULL, 6);
	json_end_array(&w);
	json_end_object(&w);
	json_string(&w, "f", NULL);
	json_end_object(&w);
	json_end_object(&w);
	json_newline(&w);
	/* A second line starts without a comma. */
	json_begin_array(&w, NULL);
	json_end_array(&w);
	expect_output(&w, "{\"a\":1,\"b\":[true,null,\"s\",[],{}],"
			  "\"c\":{\"d\":{\"e\":[-5,6]},\"f\":null}}\n[]");
	assert_int_equal(w.depth, 0);
	json_writer_free(&w);
}

static void test_write_escapes(void **state)
{
	struct json_writer w;

	(void)state;
	expect_written("\"\\/", "\"\\\"\\\\/\"");
	expect_written("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	expect_written("\x01\x02\x1a\x1f", "\"\\u0001\\u0002\\u001a\\u001f\"");
	/* DEL and space need no escape. */
	expect_written("a \x7f" "b", "\"a \x7f" "b\"");
	expect_written("plain text", "\"plain text\"");

	/* Keys are escaped as values are. */
	json_writer_init(&w);
	json_begin_object(&w, NULL);
	json_int(&w, "a\"b\\c\n", 1);
	json_int(&w, "", 2);
	json_end_object(&w);
	expect_output(&w, "{\"a\\\"b\\\\c\\n\":1,\"\":2}");
	json_writer_free(&w);
}

static void test_write_utf8(void **state)
{
	(void)state;
	/* Valid UTF-8 of every length passes through. */
	expect_written("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	expect_written("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf",
		       "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
	/* Each byte that starts no valid sequence becomes U+FFFD. */
	expect_written("\x80", "\"\\ufffd\"");
	expect_written("a\xff" "b", "\"a\\ufffdb\"");
	expect_written("\xc0\x80", "\"\\ufffd\\ufffd\"");          /* overlong NUL */
	expect_written("\xe0\x9f\xbf", "\"\\ufffd\\ufffd\\ufffd\""); /* overlong */
	expect_written("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
	expect_written("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	expect_written("\xf5\x80", "\"\\ufffd\\ufffd\"");
	/* A sequence cut short, at the end or before an ASCII byte. */
	expect_written("\xe2\x82", "\"\\ufffd\\ufffd\"");
	expect_written("\xe2\x82x", "\"\\ufffd\\ufffdx\"");
	expect_written("\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"");
	/* A valid character right after an invalid byte survives. */
	expect_written("\xc3\xc3\xa9", "\"\\ufffd\xc3\xa9\"");
}

/* Every byte 1..255 in one string: ASCII exact, each high byte U+FFFD. */
static void test_write_every_byte(void **state)
{
	struct json_writer w;
	struct json_doc doc;
	char value[256], err[JSON_ERR_LEN];
	const char *s;

	(void)state;
	for (int i = 1; i < 256; i++)
		value[i - 1] = (char)i;
	value[255] = '\0';
	json_writer_init(&w);
	json_string(&w, NULL, value);
	if (parse_n(w.buf, w.len, &doc, err) != 0)
		fail_msg("refused: %s", err);
	s = doc.root->s;
	assert_int_equal(doc.root->len, 127 + 128 * 3);
	assert_memory_equal(s, value, 127);
	for (int i = 0; i < 128; i++)
		assert_memory_equal(s + 127 + i * 3, "\xef\xbf\xbd", 3);
	json_doc_free(&doc);
	json_writer_free(&w);
}

static void test_write_grows(void **state)
{
	struct json_writer w;
	struct json_doc doc;
	char err[JSON_ERR_LEN];
	char *big = malloc(100001);

	(void)state;
	assert_non_null(big);
	memset(big, 'q', 100000);
	big[100000] = '\0';
	json_writer_init(&w);
	json_begin_array(&w, NULL);
	json_string(&w, NULL, big);
	for (int i = 0; i < 200; i++)
		json_int(&w, NULL, i);
	json_end_array(&w);
	assert_int_equal(w.len, strlen(w.buf));
	assert_int_equal(parse_n(w.buf, w.len, &doc, err), 0);
	assert_int_equal(doc.root->len, 201);
	assert_int_equal(doc.root->child->len, 100000);
	json_doc_free(&doc);
	json_writer_free(&w);
	free(big);
}

/* Run f in a child; it must die of SIGABRT. */
static void expect_abort(void (*f)(struct json_writer *))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct json_writer w;

		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		json_writer_init(&w);
		f(&w);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void misuse_no_key(struct json_writer *w)
{
	json_begin_object(w, NULL);
	json_int(w, NULL, 1);
}

static void misuse_key_in_array(struct json_writer *w)
{
	json_begin_array(w, NULL);
	json_int(w, "k", 1);
}

static void misuse_key_at_top(struct json_writer *w)
{
	json_int(w, "k", 1);
}

static void misuse_too_deep(struct json_writer *w)
{
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_begin_array(w, NULL);
}

static void misuse_end_without_begin(struct json_writer *w)
{
	json_end_object(w);
}

static void misuse_end_other_kind(struct json_writer *w)
{
	json_begin_array(w, NULL);
	json_end_object(w);
}

static void misuse_newline_inside(struct json_writer *w)
{
	json_begin_array(w, NULL);
	json_newline(w);
}

/* As deep as allowed, and the misuse control: this one must not abort. */
static void fine_at_max_depth(struct json_writer *w)
{
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_begin_array(w, NULL);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_end_array(w);
	json_newline(w);
	json_writer_free(w);
}

static void test_writer_misuse_aborts(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	expect_abort(misuse_no_key);
	expect_abort(misuse_key_in_array);
	expect_abort(misuse_key_at_top);
	expect_abort(misuse_too_deep);
	expect_abort(misuse_end_without_begin);
	expect_abort(misuse_end_other_kind);
	expect_abort(misuse_newline_inside);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct json_writer w;

		json_writer_init(&w);
		fine_at_max_depth(&w);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- Round trips ------------------------------------------------------ */

static void test_round_trip_every_type(void **state)
{
	struct json_writer w;
	struct json_doc doc;
	const struct json_value *root, *v, *arr;
	char err[JSON_ERR_LEN];
	const char *s;
	int64_t i;
	bool b;

	(void)state;
	json_writer_init(&w);
	json_begin_object(&w, NULL);
	json_null(&w, "null");
	json_bool(&w, "t", true);
	json_bool(&w, "f", false);
	json_int(&w, "min", INT64_MIN);
	json_int(&w, "max", INT64_MAX);
	json_int(&w, "zero", 0);
	json_string(&w, "s", "c1.lxc");
	json_string(&w, "empty", "");
	json_begin_array(&w, "arr");
	json_int(&w, NULL, 1);
	json_string(&w, NULL, "two");
	json_begin_object(&w, NULL);
	json_bool(&w, "in", true);
	json_end_object(&w);
	json_end_array(&w);
	json_begin_object(&w, "obj");
	json_end_object(&w);
	json_end_object(&w);
	assert_int_equal(parse_n(w.buf, w.len, &doc, err), 0);
	root = doc.root;
	assert_ptr_equal(root, &doc.nodes[0]);
	assert_int_equal(root->type, JSON_OBJECT);
	assert_int_equal(root->len, 10);
	assert_int_equal(doc.nnodes, 15);
	v = json_get(root, "null");
	assert_non_null(v);
	assert_int_equal(v->type, JSON_NULL);
	assert_true(json_get_bool(root, "t", &b) && b);
	assert_true(json_get_bool(root, "f", &b) && !b);
	assert_true(json_get_int(root, "min", &i) && i == INT64_MIN);
	assert_true(json_get_int(root, "max", &i) && i == INT64_MAX);
	assert_true(json_get_int(root, "zero", &i) && i == 0);
	assert_true(json_get_string(root, "s", &s));
	assert_string_equal(s, "c1.lxc");
	assert_true(json_get_string(root, "empty", &s));
	assert_string_equal(s, "");
	arr = json_get(root, "arr");
	assert_int_equal(arr->type, JSON_ARRAY);
	assert_int_equal(arr->len, 3);
	assert_int_equal(arr->child->type, JSON_INT);
	assert_null(arr->child->key);
	assert_int_equal(arr->child->i, 1);
	assert_string_equal(arr->child->next->s, "two");
	v = arr->child->next->next;
	assert_int_equal(v->type, JSON_OBJECT);
	assert_null(v->next);
	assert_true(json_get_bool(v, "in", &b) && b);
	v = json_get(root, "obj");
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->len, 0);
	assert_null(v->child);
	assert_null(v->next);
	json_doc_free(&doc);
	json_writer_free(&w);
}

/* Member order, keys and sibling links as written. */
static void test_round_trip_order(void **state)
{
	struct json_doc doc;
	const struct json_value *root, *m;
	const char *keys[] = { "z", "a", "", "m\xc3\xa9", "a\nb" };
	size_t n = 0;

	(void)state;
	root = parse_ok("{\"z\":0,\"a\":1,\"\":2,\"m\\u00e9\":3,\"a\\nb\":4}", &doc);
	for (m = root->child; m; m = m->next, n++) {
		assert_true(n < 5);
		assert_string_equal(m->key, keys[n]);
		assert_int_equal(m->i, (int64_t)n);
	}
	assert_int_equal(n, 5);
	assert_int_equal(json_get(root, "")->i, 2);
	assert_int_equal(json_get(root, "a\nb")->i, 4);
	json_doc_free(&doc);
}

/* Nest n levels of alternating objects and arrays around 7. */
static void write_nested(struct json_writer *w, int n, const char *key)
{
	if (n == 0) {
		json_int(w, key, 7);
		return;
	}
	if (n % 2) {
		json_begin_object(w, key);
		write_nested(w, n - 1, "k");
		json_end_object(w);
	} else {
		json_begin_array(w, key);
		write_nested(w, n - 1, NULL);
		json_end_array(w);
	}
}

static void test_round_trip_depth(void **state)
{
	struct json_writer w;
	struct json_doc doc;
	const struct json_value *v;
	char err[JSON_ERR_LEN];
	int levels = 0;

	(void)state;
	json_writer_init(&w);
	write_nested(&w, JSON_MAX_DEPTH, NULL);
	assert_int_equal(parse_n(w.buf, w.len, &doc, err), 0);
	for (v = doc.root; v->type == JSON_OBJECT || v->type == JSON_ARRAY; v = v->child) {
		assert_int_equal(v->type, (JSON_MAX_DEPTH - levels) % 2 ? JSON_OBJECT : JSON_ARRAY);
		assert_int_equal(v->len, 1);
		levels++;
	}
	assert_int_equal(levels, JSON_MAX_DEPTH);
	assert_int_equal(v->i, 7);
	json_doc_free(&doc);
	json_writer_free(&w);
}

static void test_round_trip_strings(void **state)
{
	char *big = malloc(70001);

	(void)state;
	string_round_trip("");
	string_round_trip("\"\\/\b\f\n\r\t");
	string_round_trip("\x01\x1f\x7f");
	string_round_trip("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
	string_round_trip("10.0.3.5 aa:bb:cc:dd:ee:ff c1.lxc");
	assert_non_null(big);
	for (size_t i = 0; i < 70000; i++)
		big[i] = (char)(i % 3 == 0 ? '"' : i % 3 == 1 ? '\n' : 'x');
	big[70000] = '\0';
	string_round_trip(big);
	free(big);
}

/* ---- Parser: strings -------------------------------------------------- */

static void test_parse_escapes(void **state)
{
	(void)state;
	expect_decoded("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
	expect_decoded("\"\\u0041\\u00e9\\u20AC\\uFfFf\"", "A\xc3\xa9\xe2\x82\xac\xef\xbf\xbf", 9);
	/* The edges of each UTF-8 length. */
	expect_decoded("\"\\u0001\\u007f\\u0080\\u07ff\\u0800\"",
		      "\x01\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80", 9);
	/* Surrogate pairs: the lowest, an emoji, the highest. */
	expect_decoded("\"\\ud800\\udc00\"", "\xf0\x90\x80\x80", 4);
	expect_decoded("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
	expect_decoded("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4);
	/* Just below and above the surrogates. */
	expect_decoded("\"\\ud7ff\\ue000\"", "\xed\x9f\xbf\xee\x80\x80", 6);
	expect_decoded("\"a\\u0062c\"", "abc", 3);
	expect_decoded("\"\"", "", 0);
}

static void test_parse_bad_escapes(void **state)
{
	(void)state;
	expect_error("\"\\x\"", "at byte 1: invalid escape \\ followed by 'x'");
	expect_error("\"\\U0041\"", "at byte 1: invalid escape \\ followed by 'U'");
	expect_error("\"\\'\"", "at byte 1: invalid escape \\ followed by '''");
	expect_error("\"ab\\ \"", "at byte 3: invalid escape \\ followed by byte 0x20");
	expect_error_n("\"\\\0\"", 4, "at byte 1: invalid escape \\ followed by byte 0x00");
	expect_error("\"\\u12\"", "at byte 1: \\u needs four hex digits");
	expect_error("\"\\u12G4\"", "at byte 1: \\u needs four hex digits");
	expect_error("\"\\u-123\"", "at byte 1: \\u needs four hex digits");
	expect_error("\"\\u", "at byte 1: \\u needs four hex digits");
	expect_error("\"\\u004", "at byte 1: \\u needs four hex digits");
	expect_error("\"\\", "at byte 2: expected an escape, found the end");
	expect_error("\"\\u0000\"", "at byte 1: \\u0000 is not allowed");
	expect_error("\"ab\\ud800\"", "at byte 3: high surrogate \\ud800 without a low one");
	expect_error("\"\\ud800\\u0041\"", "at byte 1: high surrogate");
	expect_error("\"\\ud800\\ud800\"", "at byte 1: high surrogate");
	expect_error("\"\\udbff\\ue000\"", "at byte 1: high surrogate");
	expect_error("\"\\ud800\\n\"", "at byte 1: high surrogate");
	expect_error("\"\\ud800\\udc0\"", "at byte 1: high surrogate");
	expect_error("\"\\ud800", "at byte 1: high surrogate");
	expect_error("\"\\udc00\"", "at byte 1: low surrogate \\udc00 without a high one");
	expect_error("\"\\ude00\\ud83d\"", "at byte 1: low surrogate");
}

static void test_parse_utf8(void **state)
{
	static const char *const bad[] = {
		"\x80", "\xbf",                             /* lone continuation bytes */
		"\xc0\xaf", "\xc1\xbf",                     /* overlong two-byte forms */
		"\xe0\x80\xaf", "\xe0\x9f\xbf",             /* overlong three-byte forms */
		"\xed\xa0\x80", "\xed\xbf\xbf",             /* surrogates */
		"\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf",     /* overlong four-byte forms */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80",     /* above U+10FFFF */
		"\xfe", "\xff",
		"\xc3" "a", "\xe2\x82" "a", "\xf0\x9f\x98" "a", /* cut short */
		"\xe2" "a" "\x82",
	};
	char text[16];

	(void)state;
	expect_decoded("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
	expect_decoded("\"\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"",
		      "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80", 10);
	expect_decoded("\"\x7f\"", "\x7f", 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "\"a%s\"", bad[i]);
		expect_error(text, "at byte 2: invalid UTF-8 in a string");
	}
	/* A sequence cut by the end of the input itself. */
	expect_error_n("\"\xe2\x82", 3, "at byte 1: invalid UTF-8");
	expect_error_n("\"\xf0\x9f\x98", 4, "at byte 1: invalid UTF-8");
	expect_error_n("\"\xc3", 2, "at byte 1: invalid UTF-8");
	/* Outside a string, a high byte is just not a value. */
	expect_error("\xc3\xa9", "at byte 0: expected a value, found byte 0xc3");
	/* A byte order mark is not whitespace. */
	expect_error("\xef\xbb\xbf{}", "at byte 0: expected a value, found byte 0xef");
}

static void test_parse_control_chars(void **state)
{
	(void)state;
	expect_error("\"a\nb\"", "at byte 2: control character 0x0a in a string");
	expect_error("\"\t\"", "at byte 1: control character 0x09 in a string");
	expect_error("\"\x1f\"", "at byte 1: control character 0x1f in a string");
	expect_error_n("\"a\0b\"", 5, "at byte 2: control character 0x00 in a string");
	expect_error_n("\0", 1, "at byte 0: expected a value, found byte 0x00");
	expect_error_n("1\0", 2, "at byte 1: byte 0x00 after the value");
	expect_error_n("[1,\0]", 5, "at byte 3: expected a value, found byte 0x00");
	expect_error_n("{\"a\":1}\0", 8, "at byte 7: byte 0x00 after the value");
	expect_error("\v1", "at byte 0: expected a value, found byte 0x0b");
	expect_error("\f1", "at byte 0: expected a value, found byte 0x0c");
}

static void test_parse_unterminated_string(void **state)
{
	(void)state;
	expect_error("\"abc", "at byte 4: string opened at byte 0 not closed");
	expect_error("[\"a\",\"b", "at byte 7: string opened at byte 5 not closed");
	expect_error("{\"ke", "at byte 4: string opened at byte 1 not closed");
	expect_error("\"ab\\\"", "at byte 5: string opened at byte 0 not closed");
}

static void test_parse_long_string(void **state)
{
	size_t n = 1000000, esc = 50000;
	char *text = malloc(n + 2);
	struct json_doc doc;
	char err[JSON_ERR_LEN];

	(void)state;
	assert_non_null(text);
	text[0] = '"';
	memset(text + 1, 'x', n);
	text[n + 1] = '"';
	assert_int_equal(parse_n(text, n + 2, &doc, err), 0);
	assert_int_equal(doc.root->len, n);
	assert_int_equal(doc.root->s[n], '\0');
	assert_int_equal(doc.root->s[n - 1], 'x');
	json_doc_free(&doc);

	/* Escapes that decode to more bytes than their digits say... */
	for (size_t i = 0; i < esc; i++)
		memcpy(text + 1 + i * 6, "\\u20ac", 6);
	text[1 + esc * 6] = '"';
	assert_int_equal(parse_n(text, esc * 6 + 2, &doc, err), 0);
	/* ...still fit the buffer sized by the input. */
	assert_int_equal(doc.root->len, esc * 3);
	assert_memory_equal(doc.root->s + (esc - 1) * 3, "\xe2\x82\xac", 3);
	json_doc_free(&doc);
	free(text);
}

/* ---- Parser: numbers and literals ------------------------------------- */

static void expect_integer(const char *text, int64_t want)
{
	struct json_doc doc;
	const struct json_value *v = parse_ok(text, &doc);

	assert_int_equal(v->type, JSON_INT);
	assert_true(v->i == want);
	json_doc_free(&doc);
}

static void test_parse_numbers(void **state)
{
	(void)state;
	expect_integer("0", 0);
	expect_integer("-0", 0);
	expect_integer("7", 7);
	expect_integer("-7", -7);
	expect_integer(" \n42\t ", 42);
	expect_integer("1234567890123", 1234567890123LL);
	expect_integer("9223372036854775807", INT64_MAX);
	expect_integer("-9223372036854775808", INT64_MIN);
	expect_integer("-9223372036854775807", -INT64_MAX);
	expect_error("9223372036854775808", "at byte 0: integer out of range (int64)");
	expect_error("-9223372036854775809", "at byte 0: integer out of range (int64)");
	expect_error("99999999999999999999999", "at byte 0: integer out of range (int64)");
	expect_error("[1, 18446744073709551616]", "at byte 4: integer out of range (int64)");
	expect_error("[1, 92233720368547758070]", "at byte 4: integer out of range (int64)");
	expect_error("1.5", "at byte 0: not an integer (no fractions or exponents)");
	expect_error("1.0", "at byte 0: not an integer");
	expect_error("0.0", "at byte 0: not an integer");
	expect_error("1.", "at byte 0: not an integer");
	expect_error("1e3", "at byte 0: not an integer");
	expect_error("1E3", "at byte 0: not an integer");
	expect_error("[0, -1e-3]", "at byte 4: not an integer");
	expect_error("-", "at byte 1: expected a digit, found the end");
	expect_error("-a", "at byte 1: expected a digit, found 'a'");
	expect_error("--1", "at byte 1: expected a digit, found '-'");
	expect_error("- 1", "at byte 1: expected a digit, found byte 0x20");
	expect_error("01", "at byte 0: number with a leading zero");
	expect_error("-012", "at byte 1: number with a leading zero");
	expect_error("+1", "at byte 0: expected a value, found '+'");
	expect_error(".5", "at byte 0: expected a value, found '.'");
	expect_error("0x10", "at byte 1: 'x' after the value");
	expect_error("1 2", "at byte 2: '2' after the value");
}

static void test_parse_literals(void **state)
{
	struct json_doc doc;
	const struct json_value *v;

	(void)state;
	v = parse_ok("true", &doc);
	assert_true(v->type == JSON_BOOL && v->b);
	json_doc_free(&doc);
	v = parse_ok("false", &doc);
	assert_true(v->type == JSON_BOOL && !v->b);
	json_doc_free(&doc);
	v = parse_ok(" null ", &doc);
	assert_int_equal(v->type, JSON_NULL);
	json_doc_free(&doc);
	expect_error("tru", "at byte 0: expected a value, found 't'");
	expect_error("nul", "at byte 0: expected a value, found 'n'");
	expect_error("True", "at byte 0: expected a value, found 'T'");
	expect_error("[fals]", "at byte 1: expected a value, found 'f'");
	expect_error("nulll", "at byte 4: 'l' after the value");
	expect_error("truefalse", "at byte 4: 'f' after the value");
	expect_error("NaN", "at byte 0: expected a value, found 'N'");
	expect_error("undefined", "at byte 0: expected a value, found 'u'");
}

/* ---- Parser: structure ------------------------------------------------ */

static void test_parse_syntax_errors(void **state)
{
	(void)state;
	expect_error("", "at byte 0: expected a value, found the end");
	expect_error("   ", "at byte 3: expected a value, found the end");
	expect_error("{", "at byte 1: expected a string key, found the end");
	expect_error("[", "at byte 1: expected a value, found the end");
	expect_error("[1", "at byte 2: expected ',' or ']', found the end");
	expect_error("{\"a\"", "at byte 4: expected ':', found the end");
	expect_error("{\"a\":", "at byte 5: expected a value, found the end");
	expect_error("{\"a\":1", "at byte 6: expected ',' or '}', found the end");
	expect_error("{\"a\" 1}", "at byte 5: expected ':', found '1'");
	expect_error("{\"a\"=1}", "at byte 4: expected ':', found '='");
	expect_error("{\"a\":1 \"b\":2}", "at byte 7: expected ',' or '}', found '\"'");
	expect_error("[1 2]", "at byte 3: expected ',' or ']', found '2'");
	expect_error("[1;2]", "at byte 2: expected ',' or ']', found ';'");
	expect_error("[1,]", "at byte 3: expected a value, found ']'");
	expect_error("[,1]", "at byte 1: expected a value, found ','");
	expect_error("{\"a\":1,}", "at byte 7: expected a string key, found '}'");
	expect_error("{,}", "at byte 1: expected a string key, found ','");
	expect_error("{a:1}", "at byte 1: expected a string key, found 'a'");
	expect_error("{'a':1}", "at byte 1: expected a string key, found '''");
	expect_error("{1:1}", "at byte 1: expected a string key, found '1'");
	expect_error("{\"a\":}", "at byte 5: expected a value, found '}'");
	expect_error("[}", "at byte 1: expected a value, found '}'");
	expect_error("[1}", "at byte 2: expected ',' or ']', found '}'");
	expect_error("{\"a\":1]", "at byte 6: expected ',' or '}', found ']'");
	expect_error("]", "at byte 0: expected a value, found ']'");
	expect_error("{\"a\":1}x", "at byte 7: 'x' after the value");
	expect_error("{} {}", "at byte 3: '{' after the value");
	expect_error("[]]", "at byte 2: ']' after the value");
	expect_error("\"a\" \"b\"", "at byte 4: '\"' after the value");
	expect_error("// c\n1", "at byte 0: expected a value, found '/'");
}

static void test_parse_duplicate_keys(void **state)
{
	struct json_doc doc;

	(void)state;
	expect_error("{\"a\":1,\"a\":2}", "at byte 7: duplicate key");
	expect_error("{\"a\":1,\"b\":2,\"a\":1}", "at byte 13: duplicate key");
	expect_error("{\"\":1,\"\":2}", "at byte 6: duplicate key");
	expect_error("{\"x\":{\"b\":1,\"b\":1}}", "at byte 12: duplicate key");
	/* The same key after decoding is the same key. */
	expect_error("{\"a\":1,\"\\u0061\":2}", "at byte 7: duplicate key");
	/* The same key in different objects, or differing in case, is fine. */
	parse_ok("{\"a\":{\"a\":1},\"b\":{\"a\":2},\"A\":3}", &doc);
	json_doc_free(&doc);
}

static void test_parse_whitespace(void **state)
{
	struct json_doc doc;
	const struct json_value *root, *a;

	(void)state;
	root = parse_ok(" \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ 1 , \t2\r] \t\r\n, \"b\" : null , \"c\""
			":{ }, \"d\":[ ] } \t\r\n", &doc);
	assert_int_equal(root->len, 4);
	a = json_get(root, "a");
	assert_int_equal(a->len, 2);
	assert_int_equal(a->child->i, 1);
	assert_int_equal(a->child->next->i, 2);
	assert_int_equal(json_get(root, "b")->type, JSON_NULL);
	assert_int_equal(json_get(root, "c")->len, 0);
	assert_int_equal(json_get(root, "d")->len, 0);
	json_doc_free(&doc);
}

static void test_parse_scalar_roots(void **state)
{
	struct json_doc doc;

	(void)state;
	assert_int_equal(parse_ok("\"x\"", &doc)->type, JSON_STRING);
	assert_int_equal(doc.nnodes, 1);
	json_doc_free(&doc);
	assert_int_equal(parse_ok("-3", &doc)->i, -3);
	json_doc_free(&doc);
	assert_int_equal(parse_ok("[]", &doc)->type, JSON_ARRAY);
	json_doc_free(&doc);
}

/* ---- Parser: limits --------------------------------------------------- */

/* n arrays (or objects with key "k") nested around 1. */
static char *nested(int n, bool objects)
{
	size_t cap = (size_t)n * 8 + 8, o = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	for (int i = 0; i < n; i++)
		o += (size_t)sprintf(s + o, "%s", objects ? "{\"k\":" : "[");
	s[o++] = '1';
	for (int i = 0; i < n; i++)
		s[o++] = objects ? '}' : ']';
	s[o] = '\0';
	return s;
}

static void test_parse_depth(void **state)
{
	struct json_doc doc;
	char want[64];
	char *s;

	(void)state;
	s = nested(JSON_MAX_DEPTH, false);
	parse_ok(s, &doc);
	assert_int_equal(doc.nnodes, JSON_MAX_DEPTH + 1);
	json_doc_free(&doc);
	free(s);
	s = nested(JSON_MAX_DEPTH, true);
	parse_ok(s, &doc);
	json_doc_free(&doc);
	free(s);

	s = nested(JSON_MAX_DEPTH + 1, false);
	snprintf(want, sizeof(want), "at byte %d: nested deeper than %d", JSON_MAX_DEPTH,
		 JSON_MAX_DEPTH);
	expect_error(s, want);
	free(s);
	s = nested(JSON_MAX_DEPTH + 1, true);
	snprintf(want, sizeof(want), "at byte %d: nested deeper than %d", JSON_MAX_DEPTH * 5,
		 JSON_MAX_DEPTH);
	expect_error(s, want);
	free(s);
	/* Far too deep is refused as early, without recursing further. */
	s = nested(100000, false);
	snprintf(want, sizeof(want), "at byte %d: nested deeper than %d", JSON_MAX_DEPTH,
		 JSON_MAX_DEPTH);
	expect_error(s, want);
	free(s);
	/* Depth is nesting, not the count of containers: siblings are fine. */
	parse_ok("[[[[[[[[1]]]]]]],[[[[[[[1]]]]]]],{\"a\":[[[[[[1]]]]]]}]", &doc);
	json_doc_free(&doc);
}

/* An array of n zeros, or an object of n members. */
static char *many(size_t n, bool object)
{
	char *s = malloc(n * 12 + 3);
	size_t o = 0;

	assert_non_null(s);
	s[o++] = object ? '{' : '[';
	for (size_t i = 0; i < n; i++) {
		if (i)
			s[o++] = ',';
		if (object)
			o += (size_t)sprintf(s + o, "\"%zu\":0", i);
		else
			s[o++] = '0';
	}
	s[o++] = object ? '}' : ']';
	s[o] = '\0';
	return s;
}

static void test_parse_node_limit(void **state)
{
	struct json_doc doc;
	char *s;
	const char *at;

	(void)state;
	/* The container is a value too: 1 + 255 = JSON_MAX_NODES. */
	s = many(JSON_MAX_NODES - 1, false);
	parse_ok(s, &doc);
	assert_int_equal(doc.nnodes, JSON_MAX_NODES);
	assert_int_equal(doc.root->len, JSON_MAX_NODES - 1);
	json_doc_free(&doc);
	free(s);
	/* The 256th zero, at byte 1 + 2 * 255, is one value too many. */
	s = many(JSON_MAX_NODES, false);
	expect_error(s, "at byte 511: more than 256 values");
	free(s);

	s = many(JSON_MAX_NODES - 1, true);
	parse_ok(s, &doc);
	assert_int_equal(doc.nnodes, JSON_MAX_NODES);
	assert_string_equal(doc.nodes[JSON_MAX_NODES - 1].key, "254");
	json_doc_free(&doc);
	free(s);
	s = many(JSON_MAX_NODES, true);
	at = strstr(s, "\"255\":") + 6;
	{
		char want[48];

		snprintf(want, sizeof(want), "at byte %zu: more than 256 values", (size_t)(at - s));
		expect_error(s, want);
	}
	free(s);
}

/* More values than a request may hold, for a client reading a reply. */
static void test_parse_max(void **state)
{
	struct json_doc doc;
	char err[JSON_ERR_LEN];
	const struct json_value *v;
	char *s = many(5000, false);
	size_t len = strlen(s), n = 0;

	(void)state;
	/* The smallest values there are, so the room made is tested tightly. */
	assert_int_equal(parse_n(s, len, &doc, err), -1);
	assert_string_equal(err, "at byte 511: more than 256 values");
	assert_int_equal(json_parse_max(s, len, 5001, &doc, err), 0);
	assert_int_equal(doc.nnodes, 5001);
	assert_int_equal(doc.root->len, 5000);
	for (v = doc.root->child; v; v = v->next, n++)
		assert_true(v->type == JSON_INT && v->i == 0);
	assert_int_equal(n, 5000);
	json_doc_free(&doc);
	assert_null(doc.more);
	json_doc_free(&doc);
	/* The limit counts the array too; the 5000th zero is at byte 9999. */
	assert_int_equal(json_parse_max(s, len, 5000, &doc, err), -1);
	assert_string_equal(err, "at byte 9999: more than 5000 values");
	assert_null(doc.more);
	free(s);

	/* Objects, and a limit far above the input: room by the input's size. */
	s = many(3000, true);
	assert_int_equal(json_parse_max(s, strlen(s), 1u << 24, &doc, err), 0);
	assert_int_equal(doc.nnodes, 3001);
	assert_int_equal(json_get(doc.root, "2999")->i, 0);
	json_doc_free(&doc);
	free(s);

	/* Small documents stay in nodes[]; a limit below JSON_MAX_NODES holds. */
	assert_int_equal(json_parse_max("[1,2]", 5, 1u << 20, &doc, err), 0);
	assert_null(doc.more);
	json_doc_free(&doc);
	assert_int_equal(json_parse_max("[1,2]", 5, 2, &doc, err), -1);
	assert_string_equal(err, "at byte 3: more than 2 values");
	/* Depth is the same limit whatever the node count. */
	s = nested(JSON_MAX_DEPTH + 1, false);
	assert_int_equal(json_parse_max(s, strlen(s), 1u << 20, &doc, err), -1);
	assert_string_equal(err, "at byte 8: nested deeper than 8");
	free(s);
}

/* ---- Parser: truncation ----------------------------------------------- */

/* A document with every kind of token; each strict prefix is invalid. */
static const char rich[] =
	"{\"version\":1, \"neg\":-9223372036854775808,\"list\":[true,false,null,[],{}],"
	"\"esc\":\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\","
	"\"raw\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"deep\":{\"a\":[{\"b\":[0]}]},"
	"\"\":\"\" }";

static void test_parse_every_prefix(void **state)
{
	size_t len = sizeof(rich) - 1;
	struct json_doc doc;
	char err[JSON_ERR_LEN];

	(void)state;
	parse_ok(rich, &doc);
	assert_int_equal(doc.root->len, 7);
	json_doc_free(&doc);
	for (size_t n = 0; n < len; n++) {
		char *c = exact_copy(rich, n);
		unsigned long at;

		if (json_parse(c, n, &doc, err) != -1)
			fail_msg("prefix of %zu bytes accepted", n);
		/* The byte named is within the input (the end at most). */
		assert_int_equal(sscanf(err, "at byte %lu:", &at), 1);
		assert_true(at <= n);
		assert_null(doc.strings);
		json_doc_free(&doc);
		free(c);
	}
}

/* ---- Lookups and the doc's life --------------------------------------- */

static void test_lookups(void **state)
{
	struct json_doc doc;
	const struct json_value *root;
	const char *s = "untouched";
	int64_t i = 99;
	bool b = true;

	(void)state;
	root = parse_ok("{\"s\":\"v\",\"i\":5,\"b\":false,\"n\":null,\"a\":[\"s\"]}", &doc);
	assert_null(json_get(NULL, "s"));
	assert_null(json_get(root, "missing"));
	assert_null(json_get(root, "S"));
	/* An array's elements have no keys to find. */
	assert_null(json_get(json_get(root, "a"), "s"));
	assert_null(json_get(json_get(root, "s"), "s"));
	/* Wrong types leave *out alone. */
	assert_false(json_get_string(root, "i", &s));
	assert_false(json_get_string(root, "n", &s));
	assert_false(json_get_string(root, "missing", &s));
	assert_string_equal(s, "untouched");
	assert_false(json_get_int(root, "s", &i));
	assert_false(json_get_int(root, "b", &i));
	assert_int_equal(i, 99);
	assert_false(json_get_bool(root, "i", &b));
	assert_false(json_get_bool(root, "n", &b));
	assert_true(b);
	assert_false(json_get_bool(NULL, "b", &b));
	assert_true(json_get_string(root, "s", &s));
	assert_string_equal(s, "v");
	assert_true(json_get_int(root, "i", &i));
	assert_int_equal(i, 5);
	assert_true(json_get_bool(root, "b", &b));
	assert_false(b);
	json_doc_free(&doc);
}

static void test_doc_life(void **state)
{
	struct json_doc doc;
	char err[JSON_ERR_LEN];

	(void)state;
	/* A doc full of garbage is fine to parse into. */
	memset(&doc, 0xa5, sizeof(doc));
	assert_int_equal(parse_n("[\"a\"]", 5, &doc, err), 0);
	assert_string_equal(err, "");
	assert_string_equal(doc.root->child->s, "a");
	json_doc_free(&doc);
	assert_null(doc.strings);
	assert_null(doc.root);
	assert_int_equal(doc.nnodes, 0);
	json_doc_free(&doc);
	/* Reused after a refusal. */
	assert_int_equal(parse_n("[", 1, &doc, err), -1);
	json_doc_free(&doc);
	assert_int_equal(parse_n("{}", 2, &doc, err), 0);
	assert_int_equal(doc.root->type, JSON_OBJECT);
	json_doc_free(&doc);
	/* An empty input with no buffer at all. */
	assert_int_equal(json_parse(NULL, 0, &doc, err), -1);
	assert_string_equal(err, "at byte 0: expected a value, found the end");
	json_doc_free(&doc);
}

/* Offsets past any int or small buffer are reported whole. */
static void test_error_large_offset(void **state)
{
	size_t n = 2000000;
	char *s = malloc(n + 1);

	(void)state;
	assert_non_null(s);
	memset(s, ' ', n);
	s[n] = 'x';
	expect_error_n(s, n + 1, "at byte 2000000: expected a value, found 'x'");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_scalars),
		cmocka_unit_test(test_write_nesting),
		cmocka_unit_test(test_write_escapes),
		cmocka_unit_test(test_write_utf8),
		cmocka_unit_test(test_write_every_byte),
		cmocka_unit_test(test_write_grows),
		cmocka_unit_test(test_writer_misuse_aborts),
		cmocka_unit_test(test_round_trip_every_type),
		cmocka_unit_test(test_round_trip_order),
		cmocka_unit_test(test_round_trip_depth),
		cmocka_unit_test(test_round_trip_strings),
		cmocka_unit_test(test_parse_escapes),
		cmocka_unit_test(test_parse_bad_escapes),
		cmocka_unit_test(test_parse_utf8),
		cmocka_unit_test(test_parse_control_chars),
		cmocka_unit_test(test_parse_unterminated_string),
		cmocka_unit_test(test_parse_long_string),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_parse_literals),
		cmocka_unit_test(test_parse_syntax_errors),
		cmocka_unit_test(test_parse_duplicate_keys),
		cmocka_unit_test(test_parse_whitespace),
		cmocka_unit_test(test_parse_scalar_roots),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_parse_node_limit),
		cmocka_unit_test(test_parse_max),
		cmocka_unit_test(test_parse_every_prefix),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_doc_life),
		cmocka_unit_test(test_error_large_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
