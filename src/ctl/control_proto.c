/*
 * control_proto — the control protocol's lines, both sides: parsing and
 * writing requests, writing and parsing replies and events.
 *
 * One table says which args each command takes, of what kind and into
 * which field of struct control_request; the request parser and writer
 * both walk it, so they cannot drift apart.  All parsing goes through
 * json_parse(), which has already bounded and validated the text; what
 * is left here is checking the members' presence, types and sizes.
 */
#include "ctl/control_proto.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

enum arg_kind { ARG_STRING, ARG_BOOL };

struct arg_spec {
	const char *name;
	enum arg_kind kind;
	bool required;
	bool nonempty;           /* "" refused (required args, explain's type) */
	size_t offset;           /* of the field in struct control_request */
	size_t size;             /* of that field */
};

#define FIELD(f) offsetof(struct control_request, f), sizeof(((struct control_request *)0)->f)
#define OPTIONAL_STR(n, f) { n, ARG_STRING, false, false, FIELD(f) }
#define REQUIRED_STR(n, f) { n, ARG_STRING, true, true, FIELD(f) }
#define BOOL_ARG(n, f) { n, ARG_BOOL, false, false, FIELD(f) }
#define ARGS_MAX 2

struct command_spec {
	const char *name;
	size_t nargs;
	struct arg_spec args[ARGS_MAX];
};

/* The args of each command, as include/ctl/control_proto.h lists them. */
static const struct command_spec commands[] = {
	[CONTROL_LEASES] = { "leases", 1, { OPTIONAL_STR("interface", interface) } },
	[CONTROL_SHOW] = { "show", 1, { REQUIRED_STR("key", key) } },
	[CONTROL_RELEASE] = { "release", 1, { REQUIRED_STR("key", key) } },
	[CONTROL_WATCH] = { "watch", 0, { { 0 } } },
	[CONTROL_STATS] = { "stats", 0, { { 0 } } },
	[CONTROL_CACHE] = { "cache", 2, { OPTIONAL_STR("name", name), BOOL_ARG("flush", flush) } },
	[CONTROL_EXPLAIN] = { "explain", 2,
			      { REQUIRED_STR("name", name),
				{ "type", ARG_STRING, false, true, FIELD(type) } } },
	[CONTROL_RELOAD] = { "reload", 0, { { 0 } } },
};

int control_command_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *control_command_name(enum control_command c)
{
	if ((size_t)c >= ARRAY_SIZE(commands))
		return NULL;
	return commands[c].name;
}

/* ---- Messages --------------------------------------------------------- */

/*
 * Copy valid UTF-8 text into dst, cut (if it must be) at a character
 * boundary rather than inside one, so the copy is still valid UTF-8.
 */
static void copy_text(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen) {
		n = dstlen - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

#define SHOWN_MAX 72

/*
 * A client's string for a message about it: at most 64 bytes, control
 * characters as '?', so a message (and the log line it may become) stays
 * one short line.
 */
static const char *shown(const char *s, char out[SHOWN_MAX])
{
	size_t n;

	copy_text(out, 65, s);
	n = strlen(out);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	if (s[n])
		memcpy(out + n, "...", 4);
	return out;
}

static int fail(struct control_error *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fill err; returns -1 so callers can return it. */
static int fail(struct control_error *err, const char *code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

static void clear_error(struct control_error *err)
{
	err->code = NULL;
	err->message[0] = '\0';
}

/* ---- Requests --------------------------------------------------------- */

static int take_string(const struct json_value *v, const struct arg_spec *a,
		       struct control_request *req, struct control_error *err)
{
	char *field = (char *)req + a->offset;

	if (v->type != JSON_STRING)
		return fail(err, CONTROL_E_BAD_REQUEST, "\"%s\" must be a string", a->name);
	if (v->len >= a->size)
		return fail(err, CONTROL_E_BAD_REQUEST, "\"%s\" is longer than %zu bytes", a->name,
			    a->size - 1);
	if (a->nonempty && v->len == 0)
		return fail(err, CONTROL_E_BAD_REQUEST, "\"%s\" is empty", a->name);
	memcpy(field, v->s, v->len + 1);
	return 0;
}

static int take_bool(const struct json_value *v, const struct arg_spec *a,
		     struct control_request *req, struct control_error *err)
{
	if (v->type != JSON_BOOL)
		return fail(err, CONTROL_E_BAD_REQUEST, "\"%s\" must be true or false", a->name);
	*(bool *)((char *)req + a->offset) = v->b;
	return 0;
}

/* The command's args from the "args" object (NULL when there is none). */
static int parse_args(const struct command_spec *cmd, const struct json_value *args,
		      struct control_request *req, struct control_error *err)
{
	for (size_t i = 0; i < cmd->nargs; i++) {
		const struct arg_spec *a = &cmd->args[i];
		const struct json_value *v = json_get(args, a->name);

		if (!v) {
			if (a->required)
				return fail(err, CONTROL_E_BAD_REQUEST, "%s needs \"%s\"",
					    cmd->name, a->name);
			continue;
		}
		if (a->kind == ARG_STRING && take_string(v, a, req, err) < 0)
			return -1;
		if (a->kind == ARG_BOOL && take_bool(v, a, req, err) < 0)
			return -1;
	}
	return 0;
}

static int check_version(const struct json_value *root, struct control_error *err)
{
	const struct json_value *v = json_get(root, "version");

	if (!v)
		return fail(err, CONTROL_E_BAD_REQUEST, "missing \"version\"");
	if (v->type != JSON_INT)
		return fail(err, CONTROL_E_BAD_REQUEST, "\"version\" must be an integer");
	if (v->i != CONTROL_PROTO_VERSION)
		return fail(err, CONTROL_E_VERSION, "version %" PRId64 " is not supported (only %d)",
			    v->i, CONTROL_PROTO_VERSION);
	return 0;
}

static int parse_root(const struct json_value *root, struct control_request *req,
		      struct control_error *err)
{
	const struct json_value *cmd, *args;
	char name[SHOWN_MAX];
	int c;

	if (root->type != JSON_OBJECT)
		return fail(err, CONTROL_E_BAD_REQUEST, "the request is not a JSON object");
	if (check_version(root, err) < 0)
		return -1;
	cmd = json_get(root, "command");
	if (!cmd)
		return fail(err, CONTROL_E_BAD_REQUEST, "missing \"command\"");
	if (cmd->type != JSON_STRING)
		return fail(err, CONTROL_E_BAD_REQUEST, "\"command\" must be a string");
	c = control_command_from_name(cmd->s);
	if (c < 0)
		return fail(err, CONTROL_E_BAD_REQUEST, "unknown command \"%s\"",
			    shown(cmd->s, name));
	req->command = (enum control_command)c;
	if (req->command == CONTROL_EXPLAIN)
		str_copy(req->type, "A", sizeof(req->type));
	args = json_get(root, "args");
	if (args && args->type != JSON_OBJECT)
		return fail(err, CONTROL_E_BAD_REQUEST, "\"args\" must be an object");
	return parse_args(&commands[c], args, req, err);
}

int control_parse_request(const char *p, size_t len, struct control_request *req,
			  struct control_error *err)
{
	struct json_doc doc;
	char jerr[JSON_ERR_LEN];
	int rc;

	memset(req, 0, sizeof(*req));
	clear_error(err);
	if (len > CONTROL_MAX_REQUEST)
		return fail(err, CONTROL_E_BAD_REQUEST, "request longer than %d bytes",
			    CONTROL_MAX_REQUEST);
	if (json_parse(p, len, &doc, jerr) < 0)
		return fail(err, CONTROL_E_BAD_REQUEST, "invalid JSON: %s", jerr);
	rc = parse_root(doc.root, req, err);
	json_doc_free(&doc);
	return rc;
}

void control_write_request(struct json_writer *w, const struct control_request *req)
{
	const struct command_spec *cmd = NULL;

	if ((size_t)req->command < ARRAY_SIZE(commands))
		cmd = &commands[req->command];
	json_begin_object(w, NULL);
	json_int(w, "version", CONTROL_PROTO_VERSION);
	/* An unknown command goes out as null: the daemon says bad-request. */
	json_string(w, "command", cmd ? cmd->name : NULL);
	json_begin_object(w, "args");
	for (size_t i = 0; cmd && i < cmd->nargs; i++) {
		const struct arg_spec *a = &cmd->args[i];
		const char *field = (const char *)req + a->offset;

		if (a->kind == ARG_STRING && field[0])
			json_string(w, a->name, field);
		if (a->kind == ARG_BOOL && *(const bool *)field)
			json_bool(w, a->name, true);
	}
	json_end_object(w);
	json_end_object(w);
	json_newline(w);
}

/* ---- Replies and events ----------------------------------------------- */

static void begin_line(struct json_writer *w)
{
	json_begin_object(w, NULL);
	json_int(w, "version", CONTROL_PROTO_VERSION);
}

/* Closes the inner object ("result" or "event") and the line. */
static void end_line(struct json_writer *w)
{
	json_end_object(w);
	json_end_object(w);
	json_newline(w);
}

void control_begin_result(struct json_writer *w)
{
	begin_line(w);
	json_bool(w, "ok", true);
	json_begin_object(w, "result");
}

void control_end_result(struct json_writer *w)
{
	end_line(w);
}

void control_write_error(struct json_writer *w, const struct control_error *err)
{
	begin_line(w);
	json_bool(w, "ok", false);
	json_string(w, "error", err->code ? err->code : CONTROL_E_FAILED);
	json_string(w, "message", err->message);
	json_end_object(w);
	json_newline(w);
}

void control_begin_event(struct json_writer *w)
{
	begin_line(w);
	json_begin_object(w, "event");
}

void control_end_event(struct json_writer *w)
{
	end_line(w);
}

/* The daemon's error: "error" required, "message" optional. */
static int take_error(const struct json_value *root, struct control_error *err)
{
	const struct json_value *code = json_get(root, "error");
	const struct json_value *msg = json_get(root, "message");

	if (!code || code->type != JSON_STRING)
		return fail(err, CONTROL_E_FAILED, "invalid reply: no \"error\" string");
	if (msg && msg->type != JSON_STRING)
		return fail(err, CONTROL_E_FAILED, "invalid reply: \"message\" is not a string");
	err->code = code->s;
	copy_text(err->message, sizeof(err->message), msg ? msg->s : "");
	return 0;
}

static int check_reply(const struct json_value *root, bool *ok, struct control_error *err)
{
	const struct json_value *v;
	int64_t version;

	if (root->type != JSON_OBJECT)
		return fail(err, CONTROL_E_FAILED, "invalid reply: not a JSON object");
	if (!json_get_int(root, "version", &version))
		return fail(err, CONTROL_E_FAILED, "invalid reply: no integer \"version\"");
	if (version != CONTROL_PROTO_VERSION)
		return fail(err, CONTROL_E_VERSION, "reply of version %" PRId64 " (expected %d)",
			    version, CONTROL_PROTO_VERSION);
	if ((v = json_get(root, "event"))) {
		if (v->type != JSON_OBJECT)
			return fail(err, CONTROL_E_FAILED, "invalid reply: \"event\" is not an object");
		*ok = true;
		return 0;
	}
	if (!json_get_bool(root, "ok", ok))
		return fail(err, CONTROL_E_FAILED, "invalid reply: no \"ok\" true or false");
	if (!*ok)
		return take_error(root, err);
	v = json_get(root, "result");
	if (!v || v->type != JSON_OBJECT)
		return fail(err, CONTROL_E_FAILED, "invalid reply: no \"result\" object");
	return 0;
}

int control_parse_reply(const char *p, size_t len, struct json_doc *doc, bool *ok,
			struct control_error *err)
{
	char jerr[JSON_ERR_LEN];

	clear_error(err);
	*ok = false;
	if (json_parse_max(p, len, CONTROL_MAX_REPLY_NODES, doc, jerr) < 0)
		return fail(err, CONTROL_E_FAILED, "invalid reply: %s", jerr);
	if (check_reply(doc->root, ok, err) < 0) {
		*ok = false;
		json_doc_free(doc);
		return -1;
	}
	return 0;
}

int control_socket_in(const char *rundir, const char *name, char *out, size_t outlen)
{
	return snprintf(out, outlen, "%s/%s%s", rundir, name, CONTROL_SOCK_SUFFIX);
}
