/*
 * control_proto — the control protocol between leasectl and the daemon,
 * version 1.  JSON lines over a UNIX stream socket:
 *
 *   request  (one line, at most CONTROL_MAX_REQUEST bytes with the '\n'):
 *     {"version":1,"command":"show","args":{"key":"10.0.3.5"}}
 *   reply    (one line):
 *     {"version":1,"ok":true,"result":{...}}
 *     {"version":1,"ok":false,"error":"not-found","message":"no lease for 10.0.3.5"}
 *   watch    (a reply, then one line per event until the client closes):
 *     {"version":1,"event":{"type":"grant","lease":{...}}}
 *
 * Commands and their args (every arg optional unless marked):
 *   leases   {"interface":IF}                     → {"leases":[LEASE...]}
 *   show     {"key":ADDR|MAC|NAME} (required)     → {"lease":LEASE}
 *   release  {"key":ADDR|MAC|NAME} (required)     → {"released":LEASE}
 *   watch    {}                                   → {"watching":true}, then events
 *   stats    {}                                   → {"dhcp":{...},"dns":{...},...}
 *   cache    {"name":NAME,"flush":BOOL}           → {"entries":[...]} / {"flushed":N}
 *   explain  {"name":NAME (required),"type":TYPE} → {"decision":...,"source":...}
 *   reload   {}                                   → {"changes":{...}}
 *
 * A LEASE object: {"address","family" (4|6),"hwaddr" (as the lease file
 * writes it: "aa:bb:..", with "HT-" before it for a non-Ethernet type),
 * "hostname" ("" for none),"client_id" (hex, or null),"expires" (Unix
 * time, 0 = never),"expires_in" (seconds, 0 once expired, -1 = never),
 * "kind" ("dynamic"|"static"),"names":[DNS names it answers]}.
 *
 * Unknown members are ignored (so newer clients work with older daemons
 * where they can); an unknown command or a missing required argument is
 * "bad-request"; another version is "unsupported-version".  An empty
 * string is the same as an absent argument, so a required one ("key" of
 * show and release, "name" of explain) and explain's "type" may not be
 * empty.  "args" may be left out when there are none.
 */
#ifndef LEASED_CONTROL_PROTO_H
#define LEASED_CONTROL_PROTO_H

#include "core/json.h"

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Where a daemon's socket is when --control-socket does not say:
 * CONTROL_RUN_DIR/NAME.sock, NAME being its first --interface (or
 * "leased").  The daemon creates it there; leasectl finds it there.
 */
#define CONTROL_RUN_DIR "/run/leased"
#define CONTROL_SOCK_SUFFIX ".sock"
/* "RUNDIR/NAME.sock" into out; the length it needed (>= outlen: cut short). */
int control_socket_in(const char *rundir, const char *name, char *out, size_t outlen);

#define CONTROL_PROTO_VERSION 1
#define CONTROL_MAX_REQUEST 4096
#define CONTROL_ARG_MAX 256
/*
 * Values a reply may hold (json_parse_max): about 13 per lease, so
 * 1,000,000 leases; the parser's memory follows the reply's length, not
 * this bound, which only stops a runaway reply.
 */
#define CONTROL_MAX_REPLY_NODES (1u << 24)

enum control_command {
	CONTROL_LEASES,
	CONTROL_SHOW,
	CONTROL_RELEASE,
	CONTROL_WATCH,
	CONTROL_STATS,
	CONTROL_CACHE,
	CONTROL_EXPLAIN,
	CONTROL_RELOAD,
};

/* Error codes on the wire (the "error" member). */
#define CONTROL_E_BAD_REQUEST "bad-request"
#define CONTROL_E_VERSION "unsupported-version"
#define CONTROL_E_NOT_FOUND "not-found"
#define CONTROL_E_PERMISSION "permission-denied"
#define CONTROL_E_BUSY "busy"
#define CONTROL_E_FAILED "failed"

struct control_request {
	enum control_command command;
	char key[CONTROL_ARG_MAX];       /* show, release */
	char name[CONTROL_ARG_MAX];      /* cache (optional), explain */
	char type[16];                   /* explain: "A" by default */
	bool flush;                      /* cache */
	char interface[IF_NAMESIZE];     /* leases: filter, "" for all */
};

struct control_error {
	const char *code;                /* CONTROL_E_* */
	char message[256];
};

/* Command name ↔ enum ("leases" ...); -1 / NULL when unknown. */
int control_command_from_name(const char *name);
const char *control_command_name(enum control_command c);

/*
 * Parse one request line (without or with its '\n').  0, or -1 with err
 * (code and a message naming what was wrong).  The version is checked
 * before the command, so a newer client hears "unsupported-version", not
 * "unknown command"; a missing or non-integer "version" is bad-request,
 * as is a line longer than CONTROL_MAX_REQUEST.
 */
int control_parse_request(const char *p, size_t len, struct control_request *req,
			  struct control_error *err);

/*
 * Client side: the request line for req, '\n' included, into w.  Only the
 * command's own args are written, strings only when not empty, "flush"
 * only when true: parsing the line gives req back.
 */
void control_write_request(struct json_writer *w, const struct control_request *req);

/*
 * Replies.  control_begin_result() opens {"version":1,"ok":true,"result":{
 * and control_end_result() closes it and adds '\n'; between them the
 * caller writes the result's members.  control_write_error() writes a
 * whole error line.
 */
void control_begin_result(struct json_writer *w);
void control_end_result(struct json_writer *w);
void control_write_error(struct json_writer *w, const struct control_error *err);
/* An event line: {"version":1,"event":{ ... }}\n around the caller's members. */
void control_begin_event(struct json_writer *w);
void control_end_event(struct json_writer *w);

/*
 * Client side: parse one reply line.  Returns 0 with *ok and doc->root
 * set (the whole object), or -1 with err when the line is not a valid
 * reply.  On ok == false, err holds the daemon's code (pointing into
 * doc, valid until json_doc_free) and message (copied, cut at 255 bytes).
 * An event line ({"version":1,"event":{...}}) is accepted too, as ok,
 * for watch.  Up to CONTROL_MAX_REPLY_NODES values, not JSON_MAX_NODES.  On -1 the doc is already freed and err->code is
 * CONTROL_E_VERSION for another version, else CONTROL_E_FAILED; calling
 * json_doc_free() afterwards is harmless either way.
 */
int control_parse_reply(const char *p, size_t len, struct json_doc *doc, bool *ok,
			struct control_error *err);

#endif
