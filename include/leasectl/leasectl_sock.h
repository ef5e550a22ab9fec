/*
 * leasectl_sock — finding the daemon's control socket and talking to it.
 *
 * Which socket (first rule that applies):
 *   1. an explicit path: --control-socket=PATH, else $LEASECTL_SOCKET;
 *   2. -i IFACE: RUNDIR/IFACE.sock (leased names its socket after its
 *      first --interface);
 *   3. the only *.sock in RUNDIR (when there are several, those nobody
 *      listens on, left by a daemon killed with -9, are ignored);
 *   4. several: refused, naming them and how to choose (CTL_E_USAGE);
 *   5. none, or no RUNDIR: "leased is not running" (CTL_E_NOT_RUNNING).
 * RUNDIR is $LEASECTL_RUNDIR, else /run/leased.  A socket that exists but
 * refuses connections (the daemon was killed) also means "not running".
 *
 * Talking: one request line, one reply line (control_proto.h), all
 * within a deadline; a watch goes on reading event lines without one.
 * Every failure is -1 with a struct error (core/error.h) whose status is
 * leasectl's exit status (below) and whose message says what and where.
 */
#ifndef LEASED_LEASECTL_SOCK_H
#define LEASED_LEASECTL_SOCK_H

#include "ctl/control_proto.h"
#include "core/error.h"
#include "core/json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* leasectl's exit statuses (leasectl(8), EXIT STATUS). */
enum ctl_status {
	CTL_OK = 0,
	CTL_E_USAGE = 1,        /* bad arguments, or several daemons and no choice */
	CTL_E_NOT_RUNNING = 2,  /* no socket, or nobody listening on it */
	CTL_E_PERMISSION = 3,   /* EACCES on connect, or "permission-denied" */
	CTL_E_NOT_FOUND = 4,    /* no such lease (or name) */
	CTL_E_FAILED = 5,       /* anything else: timeout, bad reply, I/O error */
};

#define CTL_TIMEOUT_MS 5000
/* The longest reply line leasectl accepts (a cache listing can be long). */
#define CTL_REPLY_MAX (64u * 1024 * 1024)

/*
 * Pick the socket by the rules above; explicit and iface may be NULL.
 * 0 with path filled, or -1 with err filled (CTL_E_USAGE, CTL_E_NOT_RUNNING ...).
 */
int ctl_find_socket(const char *rundir, const char *explicit_path, const char *iface,
		    char *path, size_t pathlen, struct error *err);

struct ctl_conn {
	int fd;
	char *buf;             /* bytes received and not yet returned as lines */
	size_t start, len, cap;
	const char *path;
};

/*
 * Connect to path before deadline (now_mono_ms() clock; a full listen
 * queue is retried until then); 0, or -1 with err filled: CTL_E_NOT_RUNNING
 * (ENOENT, ECONNREFUSED), CTL_E_PERMISSION (EACCES, EPERM), CTL_E_FAILED.
 */
int ctl_connect(struct ctl_conn *c, const char *path, uint64_t deadline, struct error *err);
void ctl_close(struct ctl_conn *c);

/* Send len bytes before deadline; 0, or -1 with err filled (CTL_E_FAILED). */
int ctl_send(struct ctl_conn *c, const char *p, size_t len, uint64_t deadline,
	     struct error *err);

/*
 * The next line, without its '\n', valid until the next call.  deadline
 * 0: wait for ever (watch).  0; -1 with err filled (CTL_E_FAILED) on
 * timeout (errno ETIMEDOUT), error, end of stream (*eof set) or a line
 * over CTL_REPLY_MAX.  An interrupted wait (a signal) fails with errno
 * EINTR, so the caller can tell.
 */
int ctl_read_line(struct ctl_conn *c, uint64_t deadline, const char **line, size_t *len,
		  bool *eof, struct error *err);

/* Exit status for a daemon error code (CONTROL_E_*). */
int ctl_status_for_error(const char *code);

/*
 * One exchange: connect to path, send req, read and parse the reply,
 * all within timeout_ms.  0 with *result the reply's "result" (inside
 * doc: json_doc_free() it), and c still open (a watch reads on);
 * otherwise -1 with err filled (the daemon's message and the status its
 * error code maps to when it refused) and c closed.
 */
int ctl_call(struct ctl_conn *c, const char *path, const struct control_request *req,
	     int timeout_ms, struct json_doc *doc, const struct json_value **result,
	     struct error *err);

#endif
