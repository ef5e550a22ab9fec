/*
 * fuzz_control — arbitrary bytes as a control request, as a JSON
 * document, as a reply line and as a string for the writer, each time
 * from an exact-size heap copy so ASan sees a read past the end.
 *
 * As a request: control_parse_request() refuses with a code and a
 * message, or gives a request whose strings end inside their fields and
 * whose required args are there; written back by control_write_request()
 * it must parse to the same request.
 *
 * As JSON: json_parse() refuses with "at byte N: ..." where N is inside
 * the input (or its end), or gives a tree within the limits: nodes
 * counted right, no deeper than JSON_MAX_DEPTH, strings of valid UTF-8
 * without a NUL, no key twice in an object.  Written back with the
 * writer, it must parse again to an equal tree, and writing that gives
 * the same bytes.  json_parse_max() with a large limit must agree with
 * it, except on documents refused only for their number of values.
 *
 * As a reply: control_parse_reply() refuses with the doc freed, or gives
 * ok, or !ok with a code inside the doc.
 *
 * As a string: whatever the bytes, the writer makes JSON that parses;
 * valid UTF-8 comes back unchanged (judged by a decoder written
 * differently from the library's), anything else comes back changed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/control_proto.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static char *exact_copy(const void *p, size_t len)
{
	char *c = malloc(len ? len : 1);

	CHECK(c);
	if (len)
		memcpy(c, p, len);
	return c;
}

/*
 * UTF-8 judged by decoding each sequence to its code point and checking
 * the range (RFC 3629): a second opinion on the library's table of
 * second-byte bounds.
 */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t need;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			need = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i - 1 < need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min[need] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/* A parse error names a byte inside the input or its end. */
static void check_parse_error(const char *err, size_t size)
{
	size_t at;

	CHECK(memchr(err, '\0', JSON_ERR_LEN));
	CHECK(sscanf(err, "at byte %zu: ", &at) == 1);
	CHECK(at <= size);
}

/* ---- Trees ------------------------------------------------------------ */

/* Walk v checking the rules; counts the nodes seen into *n. */
static void check_tree(const struct json_value *v, int depth, size_t *n)
{
	size_t members = 0;

	(*n)++;
	if (v->type == JSON_STRING) {
		CHECK(v->s && strlen(v->s) == v->len);
		CHECK(valid_utf8((const unsigned char *)v->s, v->len));
	}
	if (v->type != JSON_ARRAY && v->type != JSON_OBJECT) {
		CHECK(!v->child);
		return;
	}
	CHECK(depth < JSON_MAX_DEPTH);
	for (const struct json_value *c = v->child; c; c = c->next, members++) {
		CHECK((v->type == JSON_OBJECT) == (c->key != NULL));
		if (c->key) {
			CHECK(valid_utf8((const unsigned char *)c->key, strlen(c->key)));
			for (const struct json_value *d = c->next; d; d = d->next)
				CHECK(strcmp(c->key, d->key) != 0);
		}
		check_tree(c, depth + 1, n);
	}
	CHECK(members == v->len);
}

static void write_value(struct json_writer *w, const struct json_value *v, const char *key)
{
	switch (v->type) {
	case JSON_NULL:
		json_null(w, key);
		break;
	case JSON_BOOL:
		json_bool(w, key, v->b);
		break;
	case JSON_INT:
		json_int(w, key, v->i);
		break;
	case JSON_STRING:
		json_string(w, key, v->s);
		break;
	case JSON_ARRAY:
		json_begin_array(w, key);
		for (const struct json_value *c = v->child; c; c = c->next)
			write_value(w, c, NULL);
		json_end_array(w);
		break;
	case JSON_OBJECT:
		json_begin_object(w, key);
		for (const struct json_value *c = v->child; c; c = c->next)
			write_value(w, c, c->key);
		json_end_object(w);
		break;
	}
}

static bool tree_equal(const struct json_value *a, const struct json_value *b)
{
	if (a->type != b->type || a->len != b->len || !a->key != !b->key)
		return false;
	if (a->key && strcmp(a->key, b->key) != 0)
		return false;
	switch (a->type) {
	case JSON_BOOL:
		return a->b == b->b;
	case JSON_INT:
		return a->i == b->i;
	case JSON_STRING:
		return memcmp(a->s, b->s, a->len + 1) == 0;
	case JSON_ARRAY:
	case JSON_OBJECT:
		for (a = a->child, b = b->child; a && b; a = a->next, b = b->next)
			if (!tree_equal(a, b))
				return false;
		return !a && !b;
	default:
		return true;
	}
}

/* Parse w's output from an exact-size copy; it must parse. */
static void reparse(const struct json_writer *w, struct json_doc *doc)
{
	char err[JSON_ERR_LEN];
	char *copy = exact_copy(w->buf, w->len);

	CHECK(json_parse(copy, w->len, doc, err) == 0);
	free(copy);
}

/*
 * json_parse_max() against json_parse(): the same verdict and tree, but
 * for documents json_parse() refuses for their size alone.
 */
static void check_parse_max(const char *p, size_t size, const struct json_doc *small,
			    const char *small_err)
{
	struct json_doc doc;
	char err[JSON_ERR_LEN];
	size_t n = 0;
	int rc = json_parse_max(p, size, 1u << 20, &doc, err);

	if (small->root) {
		CHECK(rc == 0 && doc.nnodes == small->nnodes && tree_equal(doc.root, small->root));
	} else if (!strstr(small_err, ": more than 256 values")) {
		CHECK(rc == -1 && strcmp(err, small_err) == 0);
	} else if (rc == 0) {
		check_tree(doc.root, 0, &n);
		CHECK(n == doc.nnodes && n > JSON_MAX_NODES);
	} else {
		check_parse_error(err, size);
	}
	json_doc_free(&doc);
}

static void fuzz_json(const char *p, size_t size)
{
	struct json_doc doc, again;
	struct json_writer w, w2;
	char err[JSON_ERR_LEN];
	size_t n = 0;

	if (json_parse(p, size, &doc, err) < 0) {
		check_parse_error(err, size);
		CHECK(!doc.strings && !doc.root);
		check_parse_max(p, size, &doc, err);
		json_doc_free(&doc);
		return;
	}
	CHECK(doc.root == &doc.nodes[0]);
	check_tree(doc.root, 0, &n);
	CHECK(n == doc.nnodes && n <= JSON_MAX_NODES);
	check_parse_max(p, size, &doc, err);

	json_writer_init(&w);
	write_value(&w, doc.root, NULL);
	CHECK(w.depth == 0 && w.len == strlen(w.buf));
	reparse(&w, &again);
	CHECK(again.nnodes == doc.nnodes);
	CHECK(tree_equal(doc.root, again.root));

	/* The writer's output is canonical: writing it again changes nothing. */
	json_writer_init(&w2);
	write_value(&w2, again.root, NULL);
	CHECK(w2.len == w.len && memcmp(w2.buf, w.buf, w.len) == 0);
	json_writer_free(&w2);
	json_doc_free(&again);
	json_writer_free(&w);
	json_doc_free(&doc);
}

/* ---- Requests and replies --------------------------------------------- */

static bool terminated(const char *field, size_t size)
{
	return memchr(field, '\0', size) != NULL;
}

static void check_request(const struct control_request *req)
{
	struct json_writer w;
	struct control_request back;
	struct control_error err;
	char *copy;

	CHECK(control_command_name(req->command));
	CHECK(terminated(req->key, sizeof(req->key)) && terminated(req->name, sizeof(req->name)));
	CHECK(terminated(req->type, sizeof(req->type)));
	CHECK(terminated(req->interface, sizeof(req->interface)));
	if (req->command == CONTROL_SHOW || req->command == CONTROL_RELEASE)
		CHECK(req->key[0]);
	if (req->command == CONTROL_EXPLAIN)
		CHECK(req->name[0] && req->type[0]);

	json_writer_init(&w);
	control_write_request(&w, req);
	/* Even with every arg byte written as \u001f, a request line fits. */
	CHECK(w.len <= CONTROL_MAX_REQUEST);
	copy = exact_copy(w.buf, w.len);
	CHECK(control_parse_request(copy, w.len, &back, &err) == 0);
	CHECK(back.command == req->command && back.flush == req->flush);
	CHECK(strcmp(back.key, req->key) == 0 && strcmp(back.name, req->name) == 0);
	CHECK(strcmp(back.type, req->type) == 0);
	CHECK(strcmp(back.interface, req->interface) == 0);
	free(copy);
	json_writer_free(&w);
}

static void fuzz_request(const char *p, size_t size)
{
	struct control_request req;
	struct control_error err;

	if (control_parse_request(p, size, &req, &err) == 0) {
		CHECK(!err.code);
		check_request(&req);
		return;
	}
	CHECK(err.code && err.message[0]);
	CHECK(terminated(err.message, sizeof(err.message)));
	CHECK(strcmp(err.code, CONTROL_E_BAD_REQUEST) == 0 || strcmp(err.code, CONTROL_E_VERSION) == 0);
}

static void fuzz_reply(const char *p, size_t size)
{
	struct json_doc doc;
	struct control_error err;
	bool ok = true;

	if (control_parse_reply(p, size, &doc, &ok, &err) < 0) {
		CHECK(!ok && err.code && err.message[0] && !doc.strings);
		json_doc_free(&doc);
		return;
	}
	CHECK(doc.root && doc.root->type == JSON_OBJECT);
	if (ok) {
		CHECK(!err.code);
		CHECK(json_get(doc.root, "result") || json_get(doc.root, "event"));
	} else {
		/* The daemon's code is a string of the doc. */
		CHECK(err.code >= doc.strings && err.code < doc.strings + size);
		CHECK(valid_utf8((const unsigned char *)err.message, strlen(err.message)));
	}
	json_doc_free(&doc);
}

/* The bytes up to the first NUL as a string value: always valid JSON. */
static void fuzz_writer(const uint8_t *data, size_t size)
{
	struct json_writer w;
	struct json_doc doc;
	char *s = malloc(size + 1);
	size_t n;

	CHECK(s);
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);
	json_writer_init(&w);
	json_begin_array(&w, NULL);
	json_string(&w, NULL, s);
	json_end_array(&w);
	reparse(&w, &doc);
	CHECK(doc.root->len == 1);
	if (valid_utf8((const unsigned char *)s, n))
		CHECK(doc.root->child->len == n && memcmp(doc.root->child->s, s, n) == 0);
	else
		CHECK(doc.root->child->len != n || memcmp(doc.root->child->s, s, n) != 0);
	json_doc_free(&doc);
	json_writer_free(&w);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = exact_copy(data, size);

	fuzz_request(copy, size);
	fuzz_json(copy, size);
	fuzz_reply(copy, size);
	free(copy);
	fuzz_writer(data, size);
	return 0;
}
