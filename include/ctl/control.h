/*
 * control — the daemon's side of leasectl's socket: the UNIX socket, who
 * may use it, its connections, one request a line, the replies waiting to
 * be written, timeouts, and handing each request to the command a table
 * names.  It knows no command itself: main gives control_open() a table
 * of struct control_handler (the commands are include/ctl/control_cmd.h,
 * the protocol include/ctl/control_proto.h).
 *
 * The socket is --control-socket=PATH, else /run/leased/NAME.sock where
 * NAME is the first --interface (several daemons on one host, one per
 * bridge) or "leased".  It is created before privileges are dropped,
 * owned by root with mode 0600, or 0660 with group --control-group.  A
 * peer is admitted when it is root, the socket file's owner (root, unless
 * the daemon was started by another user), or (with --control-group) a
 * member of that group, checked with SO_PEERCRED; never for being the
 * daemon's --user (nobody, shared with other services).  Anyone else
 * gets a "permission-denied" reply and is disconnected.
 *
 * Requests are one line each, at most CONTROL_MAX_REQUEST bytes; a peer
 * that sends a partial line and stalls is dropped after
 * CONTROL_REQUEST_TIMEOUT_MS, and a watcher that stops reading is dropped
 * when its backlog passes CONTROL_MAX_BACKLOG: nothing a client does can
 * stall the loop or grow memory without bound.  Events are only queued
 * for watchers (the loop writes them), and a connection that is gone is
 * freed by the loop, never under a command running on it.
 *
 * Implemented by src/ctl/control_server.c, which includes core/, conf/
 * and ctl/ only (scripts/check-layering.sh).
 */
#ifndef LEASED_CONTROL_H
#define LEASED_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#include "core/json.h"
#include "core/loop.h"
#include "ctl/control_proto.h"

#define CONTROL_MAX_CONNS 32
#define CONTROL_REQUEST_TIMEOUT_MS 5000
#define CONTROL_IDLE_TIMEOUT_MS 60000
#define CONTROL_MAX_BACKLOG (4 * 1024 * 1024)

struct config;
struct control;
/* One client's connection, lent to a command while it runs. */
struct control_conn;

/*
 * A command: req is parsed, w is empty (and freed after).  It answers
 * once, with control_reply(k, w) or control_reply_error(k, ...); k is
 * valid only until it returns.
 */
typedef void control_command_fn(void *ctx, struct control_conn *k,
				const struct control_request *req, struct json_writer *w);

struct control_handler {
	enum control_command command;
	control_command_fn *run;
	void *ctx;                           /* the command's deps */
};

struct control_deps {
	const struct config *cfg;            /* the socket's path and --control-group */
	struct loop *loop;
	/* Copied; a request for a command not here is "bad-request". */
	const struct control_handler *commands;
	size_t ncommands;
	/*
	 * The sequence the store has on disk, for replies held with
	 * control_hold(); NULL: no reply is ever held.
	 */
	uint64_t (*durable_seq)(void *ctx);
	void *durable_ctx;
};

/* The socket path this configuration uses (out holds PATH_MAX). */
void control_socket_path(const struct config *cfg, char *out, size_t outlen);

/*
 * Create the socket.  NULL with err filled when it cannot be
 * made (another daemon answers on it: EXIT_NETWORK).
 */
struct control *control_open(const struct control_deps *deps, struct error *err);
/* Close every connection and remove the socket file (when still ours). */
void control_free(struct control *c);

/* The store confirmed changes: send the replies that waited for them. */
void control_store_durable(struct control *c);

/* ---- for the commands --------------------------------------------------- */

/* Queue the finished JSON line in w (a result, control_begin_result()). */
void control_reply(struct control_conn *k, const struct json_writer *w);
/* Queue an error line: code is a CONTROL_E_*, the message printf-style. */
void control_reply_error(struct control_conn *k, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* k gets every control_broadcast() line from now on, and never times out. */
void control_watch(struct control_conn *k);
/*
 * What k has queued (and queues next) waits until durable_seq reaches
 * seq: a reply is written once what it reports is on disk.
 */
void control_hold(struct control_conn *k, uint64_t seq);
/* Whether any connection watches (else an event need not be written). */
bool control_has_watchers(const struct control *c);
/*
 * Queue the finished event line in w for every watcher; one that has
 * fallen CONTROL_MAX_BACKLOG behind is dropped.  Only queues: safe while
 * a command runs on one of these connections.
 */
void control_broadcast(struct control *c, const struct json_writer *w);

#endif
