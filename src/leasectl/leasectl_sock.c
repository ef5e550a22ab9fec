/*
 * leasectl_sock — socket discovery and the client end of the control
 * protocol (see include/leasectl/leasectl_sock.h).  The socket is non-blocking and
 * every wait is a poll() bounded by the caller's deadline, so a daemon
 * that accepts and then says nothing costs at most the timeout.
 */
#include "leasectl/leasectl_sock.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CONNECT_RETRY_MS 20
#define READ_CHUNK 65536

/* An interface name usable as a file name: what the kernel allows, minus '/'. */
static bool iface_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IF_NAMESIZE || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || (unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The daemon names (socket file names without ".sock") in rundir, sorted.
 * 0 with *names and *n set, or -1 with errno (ENOENT: no rundir).
 */
static int list_sockets(const char *rundir, char ***names, size_t *n)
{
	DIR *d = opendir(rundir);
	struct dirent *e;

	*names = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct stat st;
		char **slot;

		if (len <= strlen(CONTROL_SOCK_SUFFIX) || !str_has_suffix(e->d_name, CONTROL_SOCK_SUFFIX))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISSOCK(st.st_mode))
			continue;
		slot = array_push(names, n, sizeof(**names));
		*slot = xstrdup(e->d_name);
		(*slot)[len - strlen(CONTROL_SOCK_SUFFIX)] = '\0';
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

/* Nobody listens on rundir/name.sock: a daemon killed with -9 leaves it behind. */
static bool stale(const char *rundir, const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, r, n;

	n = control_socket_in(rundir, name, sun.sun_path, sizeof(sun.sun_path));
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	r = r < 0 && errno == ECONNREFUSED;
	close(fd);
	return r;
}

/* Keep the names of sockets something listens on. */
static void drop_stale(const char *rundir, char **names, size_t *n)
{
	size_t kept = 0;

	for (size_t i = 0; i < *n; i++) {
		if (stale(rundir, names[i]))
			free(names[i]);
		else
			names[kept++] = names[i];
	}
	*n = kept;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* "a, b, c" into buf. */
static void join_names(char **names, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++) {
		int w = snprintf(buf + o, len - o, "%s%s", i ? ", " : "", names[i]);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static int set_path(const char *p, char *path, size_t pathlen, struct error *err)
{
	struct sockaddr_un sun;

	if (strlen(p) >= sizeof(sun.sun_path) || strlen(p) >= pathlen) {
		error_set(err, CTL_E_USAGE, "control socket path too long (at most %zu bytes): %s",
			 sizeof(sun.sun_path) - 1, p);
		return -1;
	}
	str_copy(path, p, pathlen);
	return 0;
}

int ctl_find_socket(const char *rundir, const char *explicit_path, const char *iface,
		    char *path, size_t pathlen, struct error *err)
{
	char **names = NULL;
	size_t n = 0, found;
	char list[256], p[512];
	struct stat st;
	int status;

	if (explicit_path && *explicit_path)
		return set_path(explicit_path, path, pathlen, err);
	if (!rundir || !*rundir)
		rundir = CONTROL_RUN_DIR;

	if (iface && *iface) {
		if (!iface_ok(iface)) {
			error_set(err, CTL_E_USAGE, "not an interface name: %s", iface);
			return -1;
		}
		control_socket_in(rundir, iface, p, sizeof(p));
		if (lstat(p, &st) == 0 || (errno != ENOENT && errno != ENOTDIR))
			return set_path(p, path, pathlen, err); /* connect() tells more */
		if (list_sockets(rundir, &names, &n) == 0)
			drop_stale(rundir, names, &n);
		if (n > 0) {
			join_names(names, n, list, sizeof(list));
			error_set(err, CTL_E_NOT_RUNNING,
				  "leased is not running for %s (no %s); running: %s "
				  "(a daemon serving several interfaces is named after the first; "
				  "choose with -i IFACE or --control-socket=PATH)",
				  iface, p, list);
		} else {
			error_set(err, CTL_E_NOT_RUNNING, "leased is not running for %s (no %s)", iface,
				  p);
		}
		free_names(names, n);
		return -1;
	}

	if (list_sockets(rundir, &names, &n) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			return error_set(err, CTL_E_NOT_RUNNING,
					 "leased is not running (no socket in %s)", rundir);
		}
		return error_set(err, errno == EACCES ? CTL_E_PERMISSION : CTL_E_FAILED,
				 "cannot read %s: %s", rundir, strerror(errno));
	}
	/* Several: ignore the leftovers of killed daemons before calling it ambiguous. */
	found = n;
	if (n > 1)
		drop_stale(rundir, names, &n);
	if (n == 0) {
		error_set(err, CTL_E_NOT_RUNNING, "leased is not running (%s in %s)",
			  found ? "only stale sockets" : "no socket", rundir);
		status = -1;
	} else if (n == 1) {
		control_socket_in(rundir, names[0], p, sizeof(p));
		status = set_path(p, path, pathlen, err);
	} else {
		join_names(names, n, list, sizeof(list));
		error_set(err, CTL_E_USAGE,
			  "several leased daemons are running (%s in %s); "
			  "choose one with -i IFACE or --control-socket=PATH",
			  list, rundir);
		status = -1;
	}
	free_names(names, n);
	return status;
}

/* Milliseconds left until deadline for poll(): -1 for none, 0 when past. */
static int remaining(uint64_t deadline)
{
	uint64_t now;

	if (deadline == 0)
		return -1;
	now = now_mono_ms();
	if (now >= deadline)
		return 0;
	return (int)MIN(deadline - now, (uint64_t)INT32_MAX);
}

int ctl_connect(struct ctl_conn *c, const char *path, uint64_t deadline, struct error *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = path;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		error_set(err, CTL_E_USAGE, "control socket path too long: %s", path);
		return -1;
	}
	str_copy(sun.sun_path, path, sizeof(sun.sun_path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		error_set(err, CTL_E_FAILED, "socket: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		int saved;

		if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return 0;
		saved = errno;
		if (saved == EINTR)
			continue;
		/* The daemon's listen queue is full: it is busy, try again shortly. */
		if (saved == EAGAIN && remaining(deadline) > 0) {
			poll(NULL, 0, MIN(CONNECT_RETRY_MS, remaining(deadline)));
			continue;
		}
		ctl_close(c);
		errno = saved;
		switch (saved) {
		case ENOENT:
		case ENOTDIR:
			error_set(err, CTL_E_NOT_RUNNING, "leased is not running (no socket %s)", path);
			return -1;
		case ECONNREFUSED:
			error_set(err, CTL_E_NOT_RUNNING,
				  "leased is not running (nothing listens on %s; a daemon that was "
				  "killed leaves its socket behind)",
				  path);
			return -1;
		case EACCES:
		case EPERM:
			error_set(err, CTL_E_PERMISSION,
				  "permission denied connecting to %s (leasectl must run as root or "
				  "as a user allowed to write to the socket)",
				  path);
			return -1;
		case EAGAIN:
			error_set(err, CTL_E_FAILED, "leased is busy: its connection queue on %s is full",
				 path);
			return -1;
		default:
			error_set(err, CTL_E_FAILED, "cannot connect to %s: %s", path, strerror(saved));
			return -1;
		}
	}
}

void ctl_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->start = c->len = c->cap = 0;
}

/* Wait for events on c->fd; 1 ready, 0 timed out, -1 error (errno). */
static int wait_fd(struct ctl_conn *c, short events, uint64_t deadline)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };
	int ms = remaining(deadline);
	int r;

	if (ms == 0)
		return 0;
	r = poll(&pfd, 1, ms);
	if (r < 0)
		return -1;
	return r > 0 ? 1 : 0;
}

int ctl_send(struct ctl_conn *c, const char *p, size_t len, uint64_t deadline,
	     struct error *err)
{
	while (len > 0) {
		ssize_t w = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int r;

		if (w > 0) {
			p += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			error_set(err, CTL_E_FAILED, "cannot send to leased on %s: %s", c->path,
				 errno == EPIPE || errno == ECONNRESET ? "connection closed"
								       : strerror(errno));
			return -1;
		}
		r = wait_fd(c, POLLOUT, deadline);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ETIMEDOUT;
			error_set(err, CTL_E_FAILED, "leased on %s does not take the request: %s", c->path,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

int ctl_read_line(struct ctl_conn *c, uint64_t deadline, const char **line, size_t *len,
		  bool *eof, struct error *err)
{
	*eof = false;
	for (;;) {
		char *nl = c->len ? memchr(c->buf + c->start, '\n', c->len) : NULL;
		ssize_t r;
		int w;

		if (nl) {
			*line = c->buf + c->start;
			*len = (size_t)(nl - *line);
			c->start += *len + 1;
			c->len -= *len + 1;
			return 0;
		}
		if (c->len >= CTL_REPLY_MAX) {
			error_set(err, CTL_E_FAILED, "reply from leased longer than %u bytes",
				 CTL_REPLY_MAX);
			errno = EMSGSIZE;
			return -1;
		}
		/* Keep what is buffered at the front, with room for one more read. */
		if (c->start) {
			memmove(c->buf, c->buf + c->start, c->len);
			c->start = 0;
		}
		if (c->cap - c->len < READ_CHUNK) {
			c->cap = c->len + READ_CHUNK;
			c->buf = xrealloc(c->buf, c->cap);
		}
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
		if (r > 0) {
			c->len += (size_t)r;
			continue;
		}
		if (r == 0) {
			*eof = true;
			error_set(err, CTL_E_FAILED, "leased closed the connection on %s%s", c->path,
				 c->len ? " in the middle of a reply" : "");
			errno = 0;
			return -1;
		}
		if (errno != EAGAIN && errno != EINTR) {
			error_set(err, CTL_E_FAILED, "cannot read from leased on %s: %s", c->path,
				 strerror(errno));
			return -1;
		}
		if (errno == EINTR) {
			error_set(err, CTL_E_FAILED, "interrupted");
			return -1;
		}
		w = wait_fd(c, POLLIN, deadline);
		if (w < 0) {
			int saved = errno;

			error_set(err, CTL_E_FAILED, "%s",
				 saved == EINTR ? "interrupted" : strerror(saved));
			errno = saved;
			return -1;
		}
		if (w == 0) {
			error_set(err, CTL_E_FAILED, "leased did not answer in time on %s", c->path);
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

int ctl_status_for_error(const char *code)
{
	if (!code)
		return CTL_E_FAILED;
	if (strcmp(code, CONTROL_E_NOT_FOUND) == 0)
		return CTL_E_NOT_FOUND;
	if (strcmp(code, CONTROL_E_PERMISSION) == 0)
		return CTL_E_PERMISSION;
	if (strcmp(code, CONTROL_E_BAD_REQUEST) == 0)
		return CTL_E_USAGE;
	return CTL_E_FAILED;
}

int ctl_call(struct ctl_conn *c, const char *path, const struct control_request *req,
	     int timeout_ms, struct json_doc *doc, const struct json_value **result,
	     struct error *err)
{
	uint64_t deadline = now_mono_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 1);
	struct control_error refusal = { 0 };
	struct json_writer w;
	const char *line;
	size_t len;
	bool ok = false, eof;
	int r;

	*result = NULL;
	memset(doc, 0, sizeof(*doc));
	if (ctl_connect(c, path, deadline, err) < 0)
		return -1;

	json_writer_init(&w);
	control_write_request(&w, req);
	r = ctl_send(c, w.buf, w.len, deadline, err);
	json_writer_free(&w);
	/*
	 * A daemon that refuses at once (permission-denied, busy) writes its
	 * reason and closes before our request is sent: the send fails, but
	 * the reason is waiting to be read, and it is what the user needs.
	 */
	if (r == 0 || errno == EPIPE || errno == ECONNRESET)
		r = ctl_read_line(c, deadline, &line, &len, &eof, err);
	if (r < 0) {
		if (errno == ETIMEDOUT)
			error_set(err, CTL_E_FAILED, "leased did not answer within %d.%d s on %s",
				  timeout_ms / 1000, timeout_ms % 1000 / 100, path);
		ctl_close(c);
		return -1;
	}

	if (control_parse_reply(line, len, doc, &ok, &refusal) < 0) {
		r = error_set(err, CTL_E_FAILED, "bad reply from leased: %s",
			      refusal.message[0] ? refusal.message : "not a control protocol reply");
	} else if (!ok) {
		r = error_set(err, ctl_status_for_error(refusal.code), "%s",
			      refusal.message[0] ? refusal.message
						 : refusal.code ? refusal.code : "refused");
	} else {
		*result = json_get(doc->root, "result");
		if (!*result || (*result)->type != JSON_OBJECT)
			r = error_set(err, CTL_E_FAILED, "bad reply from leased: no result object");
	}
	if (r < 0) {
		json_doc_free(doc);
		ctl_close(c);
		*result = NULL;
	}
	return r;
}
