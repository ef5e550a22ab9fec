/*
 * json — a writer that appends to a growing buffer, and a bounded parser
 * of one document into the fixed node array of struct json_doc.
 *
 * The parser is recursive descent over (p, len) with a cursor: every read
 * is behind peek() or an explicit count of the bytes left, so it needs no
 * NUL terminator and never reads past len; JSON_MAX_DEPTH bounds the
 * recursion.  Decoded strings all go into one buffer of len + 1 bytes:
 * a string literal takes its decoded size plus at least two quote bytes
 * in the input, and decoding never grows text (an escape of 2, 6 or 12
 * bytes yields 1, at most 3, or 4), so every string with its NUL fits,
 * and no pointer into the buffer moves once handed out.
 */
#include "core/json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* ---- UTF-8 ------------------------------------------------------------ */

/*
 * Length of the valid UTF-8 sequence at s (left > 0 bytes there), or 0
 * when none starts there.  RFC 3629 section 4: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF; the bounds on the
 * second byte are exactly those three rules.
 */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2) /* a continuation byte, or an overlong C0/C1 lead */
		return 0;
	if (s[0] < 0xe0) {
		n = 2;
	} else if (s[0] < 0xf0) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0; /* below U+0800: overlong */
		if (s[0] == 0xed)
			hi = 0x9f; /* U+D800 and up: surrogates */
	} else if (s[0] < 0xf5) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90; /* below U+10000: overlong */
		if (s[0] == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A code point (not a surrogate, at most U+10FFFF) as UTF-8; its length. */
static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* ---- Writer ----------------------------------------------------------- */

/* The writer's output is fixed by the caller's code, so misuse is a bug. */
static void __attribute__((noreturn, format(printf, 1, 2))) writer_bug(const char *fmt, ...)
{
	va_list ap;

	fputs("leased: json writer misuse: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void json_writer_init(struct json_writer *w)
{
	memset(w, 0, sizeof(*w));
}

void json_writer_free(struct json_writer *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/* Append n bytes, keeping one byte of room for the NUL after them. */
static void put(struct json_writer *w, const char *s, size_t n)
{
	if (w->cap - w->len <= n) {
		size_t cap = w->cap ? w->cap : 256;

		while (cap - w->len <= n)
			cap *= 2;
		w->buf = xrealloc(w->buf, cap);
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* The two-character escapes RFC 8259 section 7 defines; NULL for others. */
static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		return NULL;
	}
}

/* The escape for c; valid says whether a UTF-8 sequence starts with it. */
static void put_escape(struct json_writer *w, unsigned char c, bool valid)
{
	const char *esc = short_escape(c);
	char hex[8];

	if (!valid) {
		put(w, "\\ufffd", 6);
	} else if (esc) {
		put(w, esc, 2);
	} else {
		snprintf(hex, sizeof(hex), "\\u%04x", c);
		put(w, hex, 6);
	}
}

/*
 * s as a JSON string.  Runs of bytes that need nothing are copied at
 * once; a byte starting no valid UTF-8 sequence becomes U+FFFD, so the
 * output is valid JSON whatever a client stuffed into its hostname.
 */
static void put_string(struct json_writer *w, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, plain = 0;

	put(w, "\"", 1);
	while (i < len) {
		size_t n = utf8_len(u + i, len - i);

		if (n && u[i] >= 0x20 && u[i] != '"' && u[i] != '\\') {
			i += n;
			continue;
		}
		put(w, s + plain, i - plain);
		put_escape(w, u[i], n != 0);
		plain = ++i;
	}
	put(w, s + plain, len - plain);
	put(w, "\"", 1);
}

/* The comma and the key before a value, after checking the key's place. */
static void begin_value(struct json_writer *w, const char *key)
{
	int d = w->depth;

	if (w->in_object[d] && !key)
		writer_bug("a value without a key inside an object");
	if (!w->in_object[d] && key)
		writer_bug("key \"%s\" outside an object", key);
	if (w->need_comma[d])
		put(w, ",", 1);
	/* Top-level values are separate documents (lines), never a list. */
	w->need_comma[d] = d > 0;
	if (key) {
		put_string(w, key);
		put(w, ":", 1);
	}
}

static void begin_container(struct json_writer *w, const char *key, bool object)
{
	if (w->depth >= JSON_MAX_DEPTH)
		writer_bug("nesting deeper than %d", JSON_MAX_DEPTH);
	begin_value(w, key);
	put(w, object ? "{" : "[", 1);
	w->depth++;
	w->need_comma[w->depth] = false;
	w->in_object[w->depth] = object;
}

static void end_container(struct json_writer *w, bool object)
{
	if (w->depth == 0 || w->in_object[w->depth] != object)
		writer_bug("%s without its begin", object ? "json_end_object" : "json_end_array");
	w->depth--;
	put(w, object ? "}" : "]", 1);
}

void json_begin_object(struct json_writer *w, const char *key)
{
	begin_container(w, key, true);
}

void json_end_object(struct json_writer *w)
{
	end_container(w, true);
}

void json_begin_array(struct json_writer *w, const char *key)
{
	begin_container(w, key, false);
}

void json_end_array(struct json_writer *w)
{
	end_container(w, false);
}

void json_string(struct json_writer *w, const char *key, const char *value)
{
	begin_value(w, key);
	if (value)
		put_string(w, value);
	else
		put(w, "null", 4);
}

void json_int(struct json_writer *w, const char *key, int64_t value)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, value);

	begin_value(w, key);
	put(w, num, (size_t)n);
}

void json_bool(struct json_writer *w, const char *key, bool value)
{
	begin_value(w, key);
	if (value)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void json_null(struct json_writer *w, const char *key)
{
	begin_value(w, key);
	put(w, "null", 4);
}

void json_newline(struct json_writer *w)
{
	if (w->depth != 0)
		writer_bug("newline inside a value");
	put(w, "\n", 1);
}

/* ---- Parser ----------------------------------------------------------- */

struct parser {
	const char *p;
	size_t len;
	size_t pos;              /* next byte to read */
	size_t max_nodes;        /* the caller's limit... */
	size_t cap;              /* ...or the room made, never more than it */
	struct json_doc *doc;
	char *out;               /* next free byte of doc->strings */
	char *err;               /* JSON_ERR_LEN bytes */
};

static int fail_at(struct parser *ps, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "at byte N: what"; returns -1 so callers can return it. */
static int fail_at(struct parser *ps, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, JSON_ERR_LEN, "at byte %zu: ", at);

	va_start(ap, fmt);
	vsnprintf(ps->err + n, JSON_ERR_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The next byte, or -1 at the end of the input. */
static int peek(const struct parser *ps)
{
	return ps->pos < ps->len ? (unsigned char)ps->p[ps->pos] : -1;
}

/* A byte for a message: 'x' when printable, else its value. */
static const char *byte_name(int c, char out[16])
{
	if (c > 0x20 && c < 0x7f)
		snprintf(out, 16, "'%c'", c);
	else
		snprintf(out, 16, "byte 0x%02x", (unsigned)c);
	return out;
}

/* "expected what", naming what stands there instead (or the end). */
static int expected(struct parser *ps, const char *what)
{
	char name[16];
	int c = peek(ps);

	if (c < 0)
		return fail_at(ps, ps->pos, "expected %s, found the end", what);
	return fail_at(ps, ps->pos, "expected %s, found %s", what, byte_name(c, name));
}

/* RFC 8259 section 2: the four whitespace characters, nothing else. */
static void skip_ws(struct parser *ps)
{
	while (ps->pos < ps->len) {
		char c = ps->p[ps->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		ps->pos++;
	}
}

/* nodes[] first, then doc->more (sized by json_parse_max() to suffice). */
static struct json_value *new_node(struct parser *ps)
{
	struct json_doc *doc = ps->doc;
	struct json_value *v;

	if (doc->nnodes == ps->cap) {
		fail_at(ps, ps->pos, "more than %zu values", ps->max_nodes);
		return NULL;
	}
	if (doc->nnodes < JSON_MAX_NODES)
		v = &doc->nodes[doc->nnodes];
	else
		v = &doc->more[doc->nnodes - JSON_MAX_NODES];
	doc->nnodes++;
	memset(v, 0, sizeof(*v));
	return v;
}

/* Four hex digits at s (the caller checked they are there). */
static int hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* A "\uXXXX" at ps->pos; -1 if there is none. */
static int read_u_escape(const struct parser *ps, uint32_t *cp)
{
	const char *s = ps->p + ps->pos;

	if (ps->len - ps->pos < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	return hex4(s + 2, cp);
}

/*
 * \uXXXX, and its second half when it is a high surrogate: RFC 8259
 * section 7 writes a character beyond the BMP as a UTF-16 surrogate
 * pair.  A lone half has no character to decode to, and U+0000 would cut
 * the C string short, so both are refused.
 */
static int parse_unicode(struct parser *ps)
{
	size_t at = ps->pos;
	uint32_t cp, lo;

	if (read_u_escape(ps, &cp) < 0)
		return fail_at(ps, at, "\\u needs four hex digits");
	ps->pos += 6;
	if (cp == 0)
		return fail_at(ps, at, "\\u0000 is not allowed");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail_at(ps, at, "low surrogate \\u%04" PRIx32 " without a high one", cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (read_u_escape(ps, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return fail_at(ps, at, "high surrogate \\u%04" PRIx32 " without a low one",
				       cp);
		ps->pos += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	ps->out += utf8_put(cp, ps->out);
	return 0;
}

/* A backslash escape at ps->pos, decoded into the string buffer. */
static int parse_escape(struct parser *ps)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	char name[16];
	int c;

	if (ps->len - ps->pos < 2)
		return fail_at(ps, ps->len, "expected an escape, found the end");
	c = (unsigned char)ps->p[ps->pos + 1];
	if (c == 'u')
		return parse_unicode(ps);
	hit = c ? strchr(from, c) : NULL; /* strchr would find from's NUL */
	if (!hit)
		return fail_at(ps, ps->pos, "invalid escape \\ followed by %s", byte_name(c, name));
	*ps->out++ = to[hit - from];
	ps->pos += 2;
	return 0;
}

/* The string opening at ps->pos, decoded; *str is NUL-terminated. */
static int parse_string(struct parser *ps, char **str, size_t *slen)
{
	char *start = ps->out;
	size_t open = ps->pos, n;
	int c;

	ps->pos++;
	while ((c = peek(ps)) != '"') {
		if (c < 0)
			return fail_at(ps, ps->pos, "string opened at byte %zu not closed", open);
		if (c == '\\') {
			if (parse_escape(ps) < 0)
				return -1;
			continue;
		}
		/* RFC 8259 section 7: control characters must be escaped. */
		if (c < 0x20)
			return fail_at(ps, ps->pos, "control character 0x%02x in a string", (unsigned)c);
		n = utf8_len((const unsigned char *)ps->p + ps->pos, ps->len - ps->pos);
		if (n == 0)
			return fail_at(ps, ps->pos, "invalid UTF-8 in a string");
		memcpy(ps->out, ps->p + ps->pos, n);
		ps->out += n;
		ps->pos += n;
	}
	ps->pos++;
	*ps->out++ = '\0';
	*str = start;
	*slen = (size_t)(ps->out - start) - 1;
	return 0;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * RFC 8259 section 6: -?(0|[1-9][0-9]*) then an optional fraction and
 * exponent.  Only the integer part is taken; a fraction or exponent is
 * refused by name rather than as "garbage", and the magnitude is checked
 * against int64 before each digit is added, so nothing overflows.
 */
static int parse_number(struct parser *ps, struct json_value *v)
{
	size_t start = ps->pos;
	bool neg = peek(ps) == '-';
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, acc = 0;
	int c;

	if (neg)
		ps->pos++;
	if (!is_digit(peek(ps)))
		return expected(ps, "a digit");
	if (peek(ps) == '0' && ps->pos + 1 < ps->len && is_digit(ps->p[ps->pos + 1]))
		return fail_at(ps, ps->pos, "number with a leading zero");
	while (is_digit(c = peek(ps))) {
		uint64_t d = (uint64_t)(c - '0');

		if (acc > (limit - d) / 10)
			return fail_at(ps, start, "integer out of range (int64)");
		acc = acc * 10 + d;
		ps->pos++;
	}
	if (c == '.' || c == 'e' || c == 'E')
		return fail_at(ps, start, "not an integer (no fractions or exponents)");
	v->type = JSON_INT;
	if (neg)
		v->i = acc > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)acc;
	else
		v->i = (int64_t)acc;
	return 0;
}

static int parse_literal(struct parser *ps, struct json_value *v)
{
	static const struct {
		const char *word;
		enum json_type type;
		bool b;
	} words[] = {
		{ "true", JSON_BOOL, true },
		{ "false", JSON_BOOL, false },
		{ "null", JSON_NULL, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i].word);

		if (ps->len - ps->pos >= n && memcmp(ps->p + ps->pos, words[i].word, n) == 0) {
			v->type = words[i].type;
			v->b = words[i].b;
			ps->pos += n;
			return 0;
		}
	}
	return expected(ps, "a value");
}

static int parse_value(struct parser *ps, int depth, struct json_value **out);

static int parse_array(struct parser *ps, struct json_value *arr, int depth)
{
	struct json_value **tail = &arr->child;

	arr->type = JSON_ARRAY;
	ps->pos++;
	skip_ws(ps);
	if (peek(ps) == ']') {
		ps->pos++;
		return 0;
	}
	for (;;) {
		struct json_value *v;

		if (parse_value(ps, depth, &v) < 0)
			return -1;
		*tail = v;
		tail = &v->next;
		arr->len++;
		skip_ws(ps);
		if (peek(ps) == ']') {
			ps->pos++;
			return 0;
		}
		if (peek(ps) != ',')
			return expected(ps, "',' or ']'");
		ps->pos++;
	}
}

static bool has_key(const struct json_value *obj, const char *key)
{
	for (const struct json_value *m = obj->child; m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return true;
	return false;
}

/*
 * A member's key and the ':' after it.  RFC 8259 section 4 leaves
 * duplicate names to the reader; refusing them means no two readers
 * (a proxy, a log, leased) can take different values from one request.
 */
static int parse_key(struct parser *ps, const struct json_value *obj, char **key)
{
	size_t at, klen;

	skip_ws(ps);
	at = ps->pos;
	if (peek(ps) != '"')
		return expected(ps, "a string key");
	if (parse_string(ps, key, &klen) < 0)
		return -1;
	if (has_key(obj, *key))
		return fail_at(ps, at, "duplicate key");
	skip_ws(ps);
	if (peek(ps) != ':')
		return expected(ps, "':'");
	ps->pos++;
	return 0;
}

static int parse_object(struct parser *ps, struct json_value *obj, int depth)
{
	struct json_value **tail = &obj->child;

	obj->type = JSON_OBJECT;
	ps->pos++;
	skip_ws(ps);
	if (peek(ps) == '}') {
		ps->pos++;
		return 0;
	}
	for (;;) {
		struct json_value *v;
		char *key;

		if (parse_key(ps, obj, &key) < 0 || parse_value(ps, depth, &v) < 0)
			return -1;
		v->key = key;
		*tail = v;
		tail = &v->next;
		obj->len++;
		skip_ws(ps);
		if (peek(ps) == '}') {
			ps->pos++;
			return 0;
		}
		if (peek(ps) != ',')
			return expected(ps, "',' or '}'");
		ps->pos++;
	}
}

/*
 * One value at ps->pos.  depth counts the arrays and objects around it;
 * an array or object at depth JSON_MAX_DEPTH would be one level too many.
 */
static int parse_value(struct parser *ps, int depth, struct json_value **out)
{
	struct json_value *v;
	int c;

	skip_ws(ps);
	c = peek(ps);
	if (c < 0)
		return expected(ps, "a value");
	v = new_node(ps);
	if (!v)
		return -1;
	*out = v;
	switch (c) {
	case '{':
	case '[':
		if (depth >= JSON_MAX_DEPTH)
			return fail_at(ps, ps->pos, "nested deeper than %d", JSON_MAX_DEPTH);
		if (c == '{')
			return parse_object(ps, v, depth + 1);
		return parse_array(ps, v, depth + 1);
	case '"':
		v->type = JSON_STRING;
		return parse_string(ps, &v->s, &v->len);
	case '-':
	case '0' ... '9':
		return parse_number(ps, v);
	default:
		return parse_literal(ps, v);
	}
}

int json_parse(const char *p, size_t len, struct json_doc *doc, char err[JSON_ERR_LEN])
{
	return json_parse_max(p, len, JSON_MAX_NODES, doc, err);
}

int json_parse_max(const char *p, size_t len, size_t max_nodes, struct json_doc *doc,
		   char err[JSON_ERR_LEN])
{
	struct parser ps = { .p = p, .len = len, .max_nodes = max_nodes, .doc = doc, .err = err };
	struct json_value *root;
	char name[16];

	doc->nnodes = 0;
	doc->root = NULL;
	doc->more = NULL;
	/*
	 * Each value starts at a byte of its own (a container's first member
	 * after its bracket), so there are at most len values: room for that
	 * many is room enough, and a short reply does not cost a long one's.
	 */
	ps.cap = MIN(max_nodes, MAX(len, (size_t)JSON_MAX_NODES));
	if (ps.cap > JSON_MAX_NODES)
		doc->more = xmalloc((ps.cap - JSON_MAX_NODES) * sizeof(*doc->more));
	/* Large enough for every string: see the top of this file. */
	doc->strings = xmalloc(len + 1);
	ps.out = doc->strings;
	err[0] = '\0';
	if (parse_value(&ps, 0, &root) < 0)
		goto fail;
	skip_ws(&ps);
	if (ps.pos < len) {
		fail_at(&ps, ps.pos, "%s after the value", byte_name(peek(&ps), name));
		goto fail;
	}
	doc->root = root;
	return 0;
fail:
	json_doc_free(doc);
	return -1;
}

void json_doc_free(struct json_doc *doc)
{
	free(doc->strings);
	doc->strings = NULL;
	free(doc->more);
	doc->more = NULL;
	doc->nnodes = 0;
	doc->root = NULL;
}

/* ---- Lookups ---------------------------------------------------------- */

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json_value *m = obj->child; m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

bool json_get_string(const struct json_value *obj, const char *key, const char **out)
{
	const struct json_value *v = json_get(obj, key);

	if (!v || v->type != JSON_STRING)
		return false;
	*out = v->s;
	return true;
}

bool json_get_int(const struct json_value *obj, const char *key, int64_t *out)
{
	const struct json_value *v = json_get(obj, key);

	if (!v || v->type != JSON_INT)
		return false;
	*out = v->i;
	return true;
}

bool json_get_bool(const struct json_value *obj, const char *key, bool *out)
{
	const struct json_value *v = json_get(obj, key);

	if (!v || v->type != JSON_BOOL)
		return false;
	*out = v->b;
	return true;
}
