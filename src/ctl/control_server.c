/*
 * control_server (control_*) — the control socket's transport: the
 * socket, who may connect, connections, line framing, the output queue,
 * timers, and dispatch through the table of commands main hands to
 * control_open(); see include/ctl/control.h.  It knows no command (they
 * are control_cmd_*.c).
 *
 * May include: core/, conf/ (the socket's path and group) and ctl/ only,
 * never the modules the commands reach (scripts/check-layering.sh).
 */
#include "ctl/control.h"
#include "ctl/control_proto.h"
#include "conf/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct control_conn {
	struct control *ctl;
	int fd;
	char in[CONTROL_MAX_REQUEST];
	size_t inlen;
	char *out;
	size_t outlen, outcap;
	bool want_write;
	bool watching;
	bool closing;                /* close once out is written */
	/*
	 * Gone (the peer hung up, a write failed, a watcher fell behind):
	 * nothing more is read or written, and the loop frees it (conn_settle,
	 * on_conn_timer).  Never freed where it is found dead: a command may
	 * still be running on it, e.g. a release whose own watch event fails.
	 */
	bool dead;
	uint64_t hold_seq;           /* out waits until the store has this on disk */
	struct loop_timer *timer;    /* request and idle timeout; "now" once dead */
	struct control_conn *prev, *next;
};

struct control {
	struct control_deps d;
	struct control_handler *commands; /* d.commands, copied */
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uid_t owner;                 /* the socket file's owner: who started the daemon */
	gid_t group;
	bool has_group;
	struct control_conn *conns;
	size_t nconns;
};

/* ---- the socket ---- */

void control_socket_path(const struct config *cfg, char *out, size_t outlen)
{
	if (cfg->control_socket && *cfg->control_socket)
		snprintf(out, outlen, "%s", cfg->control_socket);
	else
		control_socket_in(CONTROL_RUN_DIR, cfg->ninterfaces ? cfg->interfaces[0] : "leased",
				  out, outlen);
}

/* True when a daemon answers on path (then it is not ours to remove). */
static bool socket_in_use(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return used;
}

static int make_socket(struct control *c, struct error *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old_mask;
	int rc;

	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		error_set(err, EXIT_CONFIG, "control socket path %s is too long", c->path);
		return -1;
	}
	str_copy(sun.sun_path, c->path, sizeof(sun.sun_path));
	if (str_has_prefix(c->path, CONTROL_RUN_DIR "/"))
		(void)mkdir(CONTROL_RUN_DIR, 0755);
	if (socket_in_use(&sun)) {
		error_set(err, EXIT_NETWORK, "another daemon answers on control socket %s",
			  c->path);
		return -1;
	}
	(void)unlink(c->path); /* stale: left by a daemon killed with -9 */
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail;
	/* Created 0600 (0660 with a group) from the start: never a window of wider access. */
	old_mask = umask(c->has_group ? 0117 : 0177);
	rc = bind(c->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_mask);
	if (rc < 0 || (c->has_group && chown(c->path, 0, c->group) < 0) ||
	    listen(c->fd, 16) < 0)
		goto fail;
	/* Before --user takes effect: root, unless the daemon was started by another user. */
	c->owner = geteuid();
	return 0;
fail:
	error_set(err, EXIT_FILESYSTEM, "cannot create control socket %s: %s",
		  c->path, strerror(errno));
	return -1;
}

/* ---- who may connect ---- */

/* Is gid among the peer's groups (from /proc: no NSS call in the loop)? */
static bool pid_in_group(pid_t pid, gid_t gid)
{
	char path[64], line[1024];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (!str_has_prefix(line, "Groups:"))
			continue;
		for (p = line + 7;; p = end) {
			unsigned long g = strtoul(p, &end, 10);

			if (end == p)
				break;
			if ((gid_t)g == gid) {
				found = true;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

static bool peer_allowed(const struct control *c, int fd, char *who, size_t wholen)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		snprintf(who, wholen, "unknown peer");
		return false;
	}
	snprintf(who, wholen, "uid %u (pid %d)", (unsigned)cred.uid, (int)cred.pid);
	/*
	 * Not the daemon's --user: that is nobody or a user shared with other
	 * services (lxc-net's "-u nobody"), and each of its processes could
	 * then release leases.  The socket file's owner is root unless the
	 * daemon was started unprivileged, by the user who then runs it.
	 */
	if (cred.uid == 0 || cred.uid == c->owner)
		return true;
	return c->has_group && (cred.gid == c->group || pid_in_group(cred.pid, c->group));
}

/* ---- connections ---- */

/* Only from a loop callback for k itself, or control_free: nothing else holds k then. */
static void conn_free(struct control_conn *k)
{
	struct control *c = k->ctl;

	loop_del_fd(c->d.loop, k->fd);
	close(k->fd);
	loop_timer_free(k->timer);
	if (k->prev)
		k->prev->next = k->next;
	else
		c->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	c->nconns--;
	free(k->out);
	free(k);
}

/* Mark k dead and have the loop free it (its timer, due now). */
static void conn_drop(struct control_conn *k)
{
	if (k->dead)
		return;
	k->dead = true;
	k->outlen = 0;
	loop_del_fd(k->ctl->d.loop, k->fd);
	loop_timer_arm(k->timer, now_mono_ms());
}

static void on_conn(void *ctx, int fd, uint32_t events);

static void set_want_write(struct control_conn *k, bool want)
{
	if (k->want_write == want || k->dead)
		return;
	k->want_write = want;
	loop_del_fd(k->ctl->d.loop, k->fd);
	if (loop_add_fd(k->ctl->d.loop, k->fd, EPOLLIN | (want ? EPOLLOUT : 0), on_conn, k) < 0) {
		log_warn("cannot watch a control connection: %s; closed", strerror(errno));
		conn_drop(k); /* unwatched, it would never be served nor freed */
	}
}

/* A release is answered once it is on disk (control_store_durable()). */
static bool held(const struct control_conn *k)
{
	const struct control *c = k->ctl;

	return c->d.durable_seq && k->hold_seq > c->d.durable_seq(c->d.durable_ctx);
}

/* Write what is queued, as much as the socket takes; a failure drops k. */
static void conn_flush(struct control_conn *k)
{
	size_t done = 0;

	if (held(k))
		return;
	while (done < k->outlen) {
		ssize_t n = send(k->fd, k->out + done, k->outlen - done, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			conn_drop(k);
			return;
		}
		done += (size_t)n;
	}
	if (done) {
		/* (k->out is NULL until a first reply: no memmove of nothing.) */
		memmove(k->out, k->out + done, k->outlen - done);
		k->outlen -= done;
	}
}

/*
 * The end of a loop callback for k: free it when it is dead or has said
 * its last word, else wait for room to write what is left.
 */
static void conn_settle(struct control_conn *k)
{
	if (k->dead || (k->closing && k->outlen == 0))
		conn_free(k);
	else
		set_want_write(k, k->outlen > 0 && !held(k));
}

/* Queue a finished JSON line (w's buffer). */
static void conn_queue(struct control_conn *k, const struct json_writer *w)
{
	if (k->outlen + w->len > k->outcap) {
		k->outcap = MAX(k->outcap * 2, k->outlen + w->len);
		k->out = xrealloc(k->out, k->outcap);
	}
	memcpy(k->out + k->outlen, w->buf, w->len);
	k->outlen += w->len;
}

void control_reply(struct control_conn *k, const struct json_writer *w)
{
	conn_queue(k, w);
}

void control_reply_error(struct control_conn *k, const char *code, const char *fmt, ...)
{
	struct control_error e = { .code = code };
	struct json_writer w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	json_writer_init(&w);
	control_write_error(&w, &e);
	conn_queue(k, &w);
	json_writer_free(&w);
}

void control_watch(struct control_conn *k)
{
	k->watching = true;
	loop_timer_disarm(k->timer); /* a watcher may be quiet for days */
}

void control_hold(struct control_conn *k, uint64_t seq)
{
	k->hold_seq = seq;
}

/* ---- requests ---- */

static const struct control_handler *find_command(const struct control *c,
						  enum control_command command)
{
	for (size_t i = 0; i < c->d.ncommands; i++)
		if (c->commands[i].command == command)
			return &c->commands[i];
	return NULL;
}

static void handle_line(struct control_conn *k, const char *line, size_t len)
{
	const struct control_handler *cmd;
	struct control_request req;
	struct control_error err = { 0 };
	struct json_writer w;

	if (control_parse_request(line, len, &req, &err) < 0) {
		control_reply_error(k, err.code, "%s", err.message);
		return;
	}
	cmd = find_command(k->ctl, req.command);
	if (!cmd) {
		control_reply_error(k, CONTROL_E_BAD_REQUEST, "unknown command \"%s\"",
				    control_command_name(req.command));
		return;
	}
	json_writer_init(&w);
	cmd->run(cmd->ctx, k, &req, &w);
	json_writer_free(&w);
}

/* Every whole line in the input; false when the connection must end. */
static bool process_input(struct control_conn *k)
{
	size_t off = 0;

	while (!k->dead) {
		char *nl = memchr(k->in + off, '\n', k->inlen - off);

		if (!nl)
			break;
		handle_line(k, k->in + off, (size_t)(nl - (k->in + off)));
		off = (size_t)(nl - k->in) + 1;
	}
	memmove(k->in, k->in + off, k->inlen - off);
	k->inlen -= off;
	if (k->inlen == sizeof(k->in)) {
		control_reply_error(k, CONTROL_E_BAD_REQUEST, "request longer than %d bytes",
				    CONTROL_MAX_REQUEST);
		return false;
	}
	return true;
}

static void arm_timer(struct control_conn *k)
{
	if (k->watching)
		return;
	/* A partial request must complete soon; an idle client may wait longer. */
	loop_timer_arm(k->timer, now_mono_ms() + (k->inlen ? CONTROL_REQUEST_TIMEOUT_MS
							    : CONTROL_IDLE_TIMEOUT_MS));
}

static void on_conn(void *ctx, int fd, uint32_t events)
{
	struct control_conn *k = ctx;

	if (events & EPOLLIN) {
		ssize_t n = recv(fd, k->in + k->inlen, sizeof(k->in) - k->inlen, MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_drop(k);
		} else if (n > 0) {
			k->inlen += (size_t)n;
			if (!process_input(k))
				k->closing = true;
			arm_timer(k);
		}
	} else if (events & (EPOLLERR | EPOLLHUP)) {
		conn_drop(k);
	}
	if (!k->dead)
		conn_flush(k);
	conn_settle(k);
}

static void on_conn_timer(void *ctx)
{
	struct control_conn *k = ctx;

	if (k->inlen && !k->dead)
		log_ratelimited("control-slow", LOG_INFO,
				"control connection sent half a request for %d ms; closed",
				CONTROL_REQUEST_TIMEOUT_MS);
	conn_free(k);
}

static void refuse(int fd, const char *code, const char *msg)
{
	struct control_error e = { .code = code };
	struct json_writer w;

	str_copy(e.message, msg, sizeof(e.message));
	json_writer_init(&w);
	control_write_error(&w, &e);
	(void)send(fd, w.buf, w.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	json_writer_free(&w);
	close(fd);
}

static void on_accept(void *ctx, int fd, uint32_t events)
{
	struct control *c = ctx;
	char who[64], msg[200], owner[32] = "";
	int cfd;

	(void)events;
	if (c->owner != 0)
		snprintf(owner, sizeof(owner), ", uid %u", (unsigned)c->owner);
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct control_conn *k;

		if (!peer_allowed(c, cfd, who, sizeof(who))) {
			if (snprintf(msg, sizeof(msg), "%s may not use %s (root%s%s%s only)", who,
				     c->path, owner, c->has_group ? " or group " : "",
				     c->has_group ? c->d.cfg->control_group : "") >= (int)sizeof(msg))
				msg[sizeof(msg) - 1] = '\0'; /* cut: still says who and why */
			log_ratelimited("control-denied", LOG_WARNING, "control: %s", msg);
			refuse(cfd, CONTROL_E_PERMISSION, msg);
			continue;
		}
		if (c->nconns >= CONTROL_MAX_CONNS) {
			refuse(cfd, CONTROL_E_BUSY, "too many control connections; try again");
			continue;
		}
		k = xcalloc(1, sizeof(*k));
		k->ctl = c;
		k->fd = cfd;
		k->timer = loop_timer_new(c->d.loop, on_conn_timer, k);
		if (loop_add_fd(c->d.loop, cfd, EPOLLIN, on_conn, k) < 0) {
			loop_timer_free(k->timer);
			free(k);
			close(cfd);
			continue;
		}
		k->next = c->conns;
		if (c->conns)
			c->conns->prev = k;
		c->conns = k;
		c->nconns++;
		arm_timer(k);
	}
}

/* ---- interface ---- */

struct control *control_open(const struct control_deps *deps, struct error *err)
{
	struct control *c = xcalloc(1, sizeof(*c));

	c->d = *deps;
	c->commands = xcalloc(deps->ncommands ? deps->ncommands : 1, sizeof(*c->commands));
	if (deps->ncommands)
		memcpy(c->commands, deps->commands, deps->ncommands * sizeof(*c->commands));
	c->d.commands = c->commands;
	c->fd = -1;
	control_socket_path(deps->cfg, c->path, sizeof(c->path));
	if (deps->cfg->control_group) {
		struct group *g = getgrnam(deps->cfg->control_group);

		if (!g) {
			error_set(err, EXIT_CONFIG, "unknown group %s (--control-group)",
				 deps->cfg->control_group);
			goto fail;
		}
		c->group = g->gr_gid;
		c->has_group = true;
	}
	if (make_socket(c, err) < 0)
		goto fail;
	if (loop_add_fd(c->d.loop, c->fd, EPOLLIN, on_accept, c) < 0) {
		error_set(err, EXIT_OTHER, "cannot watch control socket %s: %s",
			  c->path, strerror(errno));
		goto fail;
	}
	return c;
fail:
	if (c->fd >= 0) {
		close(c->fd);
		(void)unlink(c->path);
	}
	free(c->commands);
	free(c);
	return NULL;
}

void control_store_durable(struct control *c)
{
	struct control_conn *next;

	if (!c)
		return;
	for (struct control_conn *k = c->conns; k; k = next) {
		next = k->next; /* conn_settle may free k */
		if (k->hold_seq && k->outlen && !k->dead) {
			conn_flush(k);
			conn_settle(k);
		}
	}
}

void control_free(struct control *c)
{
	struct stat st;

	if (!c)
		return;
	while (c->conns)
		conn_free(c->conns);
	loop_del_fd(c->d.loop, c->fd);
	close(c->fd);
	/* Remove it if it is still the socket we made (not a successor's). */
	if (lstat(c->path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(c->path);
	free(c->commands);
	free(c);
}

/* ---- events ---- */

bool control_has_watchers(const struct control *c)
{
	bool any = false;

	for (const struct control_conn *k = c ? c->conns : NULL; k && !any; k = k->next)
		any = k->watching && !k->dead;
	return any;
}

void control_broadcast(struct control *c, const struct json_writer *w)
{
	if (!c)
		return;
	/*
	 * Only queue: this runs inside whatever changed the lease, possibly a
	 * command on one of these very connections, so none may be written
	 * to or freed here.  The loop writes when the socket has room.
	 */
	for (struct control_conn *k = c->conns; k; k = k->next) {
		if (!k->watching || k->dead)
			continue;
		if (k->outlen + w->len > CONTROL_MAX_BACKLOG) {
			log_warn("control: a watcher stopped reading; disconnected");
			conn_drop(k);
			continue;
		}
		conn_queue(k, w);
		set_want_write(k, true);
	}
}
