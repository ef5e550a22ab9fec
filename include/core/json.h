/*
 * json — the little JSON the control protocol needs (RFC 8259): a writer
 * that appends to a growing buffer with correct escaping, and a parser
 * for one request into a bounded tree.
 *
 * The parser takes (const char *p, size_t len), never reads past len,
 * needs no NUL terminator, and refuses what a control request never
 * needs: nesting deeper than JSON_MAX_DEPTH, more than JSON_MAX_NODES
 * values, strings with a NUL (\u0000) or invalid UTF-8, numbers that are
 * not integers within int64 (a fraction or exponent is refused, even
 * "1.0"), and an object with the same key twice (so no two readers can
 * disagree on which one counts).  Every refusal says what and where
 * ("at byte 17: expected ':'"); bytes count from 0.
 */
#ifndef LEASED_JSON_H
#define LEASED_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 8
#define JSON_MAX_NODES 256          /* json_parse(): a request */
#define JSON_ERR_LEN 128

enum json_type { JSON_NULL, JSON_BOOL, JSON_INT, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	bool b;
	int64_t i;
	char *s;                    /* JSON_STRING: NUL-terminated, owned by the doc */
	size_t len;                 /* string length; for arrays/objects: members */
	const char *key;            /* set when this value is an object member */
	struct json_value *child;   /* first member (array/object) */
	struct json_value *next;    /* next sibling */
};

struct json_doc {
	struct json_value nodes[JSON_MAX_NODES];
	size_t nnodes;
	char *strings;              /* one allocation for every string */
	const struct json_value *root;
	struct json_value *more;    /* json_parse_max(): the nodes after nodes[] */
};

/*
 * Parse; 0, or -1 with err filled.  doc need not be initialised; on -1
 * it is left empty.  json_doc_free() in both cases (it is idempotent).
 */
int json_parse(const char *p, size_t len, struct json_doc *doc, char err[JSON_ERR_LEN]);
/*
 * The same with up to max_nodes values instead of JSON_MAX_NODES, for
 * what a client reads: a reply listing every lease holds a dozen values
 * per lease.  Values past nodes[] come from one allocation made before
 * parsing (so no pointer into the tree moves), of at most one node per
 * input byte, since every value starts at a byte of its own.
 */
int json_parse_max(const char *p, size_t len, size_t max_nodes, struct json_doc *doc,
		   char err[JSON_ERR_LEN]);
void json_doc_free(struct json_doc *doc);

/* Member of an object by key (NULL if absent or obj is not an object). */
const struct json_value *json_get(const struct json_value *obj, const char *key);
/* Typed member lookups: false when absent or of another type. */
bool json_get_string(const struct json_value *obj, const char *key, const char **out);
bool json_get_int(const struct json_value *obj, const char *key, int64_t *out);
bool json_get_bool(const struct json_value *obj, const char *key, bool *out);

/*
 * Writer.  Calls nest; commas and quoting are handled.  A key is given
 * before each value inside an object (NULL inside arrays and at the top).
 * buf holds len bytes and is NUL-terminated once anything is written.
 * Values written at the top level follow each other with nothing between;
 * json_newline() ends a line.
 *
 * Strings are written as UTF-8: '"', '\\' and control characters are
 * escaped, valid UTF-8 passes through, and each byte that does not start
 * a valid sequence becomes \ufffd, so a hostname a DHCP client sent in
 * Latin-1 still makes valid JSON (the parser refuses such bytes instead).
 *
 * Misuse is a bug in the caller and aborts with a message on stderr: a
 * missing key inside an object, a key outside one, nesting deeper than
 * JSON_MAX_DEPTH (what the parser would refuse), an end without its
 * begin or of the other kind.
 */
struct json_writer {
	char *buf;
	size_t len, cap;
	int depth;
	bool need_comma[JSON_MAX_DEPTH + 1];
	bool in_object[JSON_MAX_DEPTH + 1];
};

void json_writer_init(struct json_writer *w);
void json_writer_free(struct json_writer *w);
void json_begin_object(struct json_writer *w, const char *key);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w, const char *key);
void json_end_array(struct json_writer *w);
/* A NULL value writes null (a lease without a hostname, say). */
void json_string(struct json_writer *w, const char *key, const char *value);
void json_int(struct json_writer *w, const char *key, int64_t value);
void json_bool(struct json_writer *w, const char *key, bool value);
void json_null(struct json_writer *w, const char *key);
/* A '\n' after a top-level value (JSON lines); aborts inside a value. */
void json_newline(struct json_writer *w);

#endif
