/*
 * script — the daemon's side of --dhcp-script and --leasefile-ro's "init"
 * (include/lease/script.h says what is promised): the lease observer, the
 * bounded FIFO of records that did not fit in the socket, the helper's
 * reports (read when the socket is readable, which is also when there is
 * room again), starting and stopping the helper, and loading "init".
 * The events are script_event.c; the helper process is script_helper.c
 * (what the two share: src/lease/script_internal.h).
 *
 * May include: lease/, net/ (the interface of an address), core/.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include "lease/script.h"
#include "lease/script_event.h"
#include "script_internal.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- the queue, and the helper's reports ------------------------------- */

struct script {
	struct script_program prog; /* what the helper runs, and as whom */
	const struct netlink *nl;
	struct loop *loop;
	int fd;
	pid_t helper;
	bool dead;
	struct script_event *queue; /* ring */
	size_t qhead, qlen, qcap;
	bool dropping;              /* some were dropped since the queue last emptied */
	uint64_t dropped_logged;
	struct script_stats st;
	uint8_t server_duid[LEASE_CLIENT_ID_MAX]; /* DNSMASQ_SERVER_DUID */
	size_t server_duid_len;
	bool holding;               /* until script_start_events: queue, send nothing */
};

static void helper_gone(struct script *s, const char *why)
{
	if (s->dead)
		return;
	log_err("dhcp-script helper (pid %d) %s: lease events are no longer passed to %s",
		(int)s->helper, why, s->prog.path);
	s->dead = true;
	if (s->fd >= 0) {
		loop_del_fd(s->loop, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	if (s->helper > 0 && waitpid(s->helper, NULL, WNOHANG) == s->helper)
		s->helper = -1;
	s->st.dropped += s->qlen;
	s->qlen = 0;
	s->qhead = 0;
}

static void report_drops(struct script *s)
{
	if (!s->dropping || s->qlen)
		return;
	log_warn("dhcp-script %s: %" PRIu64 " lease events were dropped while it was not "
		 "keeping up (at most %d wait)", s->prog.path, s->st.dropped - s->dropped_logged,
		 SCRIPT_QUEUE_MAX);
	s->dropped_logged = s->st.dropped;
	s->dropping = false;
}

/* Send queued records until the socket is full. */
static void flush(struct script *s)
{
	while (s->qlen && !s->dead && !s->holding) {
		struct script_event *ev = &s->queue[s->qhead];
		uint8_t rec[SCRIPT_RECORD_SIZE];
		ssize_t n;

		/* The server DUID is known once the store is open: events queued before get it now. */
		if (ev->family == AF_INET6 && !ev->server_duid_len) {
			ev->server_duid_len = (uint8_t)s->server_duid_len;
			memcpy(ev->server_duid, s->server_duid, s->server_duid_len);
		}
		script_event_encode(ev, rec, sizeof(rec));
		n = send(s->fd, rec, sizeof(rec), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break; /* the helper's DONE brings us back */
		if (n != (ssize_t)sizeof(rec)) {
			helper_gone(s, n < 0 ? strerror(errno) : "took a short record");
			return;
		}
		s->st.sent++;
		s->qhead = (s->qhead + 1) % s->qcap;
		s->qlen--;
	}
	report_drops(s);
}

static void enqueue(struct script *s, const struct script_event *ev)
{
	if (s->dead) {
		s->st.dropped++;
		return;
	}
	if (s->qlen == SCRIPT_QUEUE_MAX) {
		/* A script that never returns: say so at the 1st, 10th, 100th, then every 1000th loss. */
		uint64_t lost = ++s->st.dropped - s->dropped_logged;

		s->dropping = true;
		if (lost == 1 || lost == 10 || lost == 100 || lost % 1000 == 0)
			log_err("dhcp-script %s is not keeping up: %d lease events wait, %" PRIu64
				" newer ones dropped so far", s->prog.path, SCRIPT_QUEUE_MAX, lost);
		return;
	}
	if (s->qlen == s->qcap) {
		size_t ncap = s->qcap ? MIN(s->qcap * 2, (size_t)SCRIPT_QUEUE_MAX) : 16;
		struct script_event *q = xcalloc(ncap, sizeof(*q));

		for (size_t i = 0; i < s->qlen; i++)
			q[i] = s->queue[(s->qhead + i) % s->qcap];
		free(s->queue);
		s->queue = q;
		s->qcap = ncap;
		s->qhead = 0;
	}
	s->queue[(s->qhead + s->qlen++) % s->qcap] = *ev;
	s->st.queued++;
	flush(s);
}

/* The interface whose subnet holds addr (what the client talks to), or "". */
/* Whether interface i's subnets hold the event's address. */
static bool iface_holds(const struct nl_iface *i, const struct script_event *ev)
{
	for (size_t a = 0; ev->family == AF_INET && a < MIN(i->naddrs, (size_t)NETLINK_MAX_ADDRS);
	     a++)
		if (((i->addrs[a].s_addr ^ ev->addr.s_addr) & i->netmasks[a].s_addr) == 0)
			return true;
	for (size_t a = 0; ev->family == AF_INET6 && a < i->naddrs6; a++)
		if (!IN6_IS_ADDR_LINKLOCAL(&i->addrs6[a].addr) &&
		    in6_same_prefix(&i->addrs6[a].addr, &ev->addr6, i->addrs6[a].prefixlen))
			return true;
	return false;
}

/* The interface whose subnet holds the event's address (DNSMASQ_INTERFACE). */
static void iface_for(const struct netlink *nl, const struct script_event *ev, char *out,
		      size_t outlen)
{
	const struct nl_iface *ifs;
	size_t n = 0;

	out[0] = '\0';
	if (!nl)
		return;
	ifs = netlink_ifaces(nl, &n);
	for (size_t i = 0; ifs && i < n; i++)
		if (strcmp(ifs[i].name, "lo") != 0 && iface_holds(&ifs[i], ev)) {
			str_copy(out, ifs[i].name, outlen);
			return;
		}
}

static void queue_change(struct script *s, const struct lease *old, const struct lease *new,
			 enum lease_event ev, time_t now)
{
	struct script_event evs[2];
	size_t n = script_events_for_change(old, new, ev, now, evs);

	for (size_t i = 0; i < n; i++) {
		iface_for(s->nl, &evs[i], evs[i].interface, sizeof(evs[i].interface));
		enqueue(s, &evs[i]);
	}
}

void script_lease_changed(void *ctx, const struct lease *old, const struct lease *new,
			  enum lease_event ev)
{
	struct script *s = ctx;

	if (s)
		queue_change(s, old, new, ev, now_wall());
}

static void rerun_one(void *ctx, const struct lease *l)
{
	queue_change(ctx, NULL, l, LEASE_EV_LOADED, now_wall());
}

void script_start_events(struct script *s, const uint8_t *server_duid, size_t len)
{
	if (!s)
		return;
	if (server_duid && len <= sizeof(s->server_duid)) {
		memcpy(s->server_duid, server_duid, len);
		s->server_duid_len = len;
	}
	s->holding = false;
	flush(s);
}

void script_rerun(struct script *s, const struct lease_table *t)
{
	if (s && t)
		lease_foreach(t, rerun_one, s);
}

static void handle_message(struct script *s, const uint8_t *buf, size_t len)
{
	struct script_msg m;

	if (len < sizeof(m)) {
		log_err("dhcp-script helper: short message (%zu bytes) ignored", len);
		return;
	}
	memcpy(&m, buf, sizeof(m));
	if (m.type == SCRIPT_MSG_DONE && len == sizeof(m)) {
		s->st.done++;
		if (m.value)
			s->st.failed++;
	} else if (m.type == SCRIPT_MSG_LOG && m.value >= LOG_EMERG && m.value <= LOG_DEBUG) {
		log_msg(m.value, "%.*s", (int)(len - sizeof(m)), (const char *)buf + sizeof(m));
	} else {
		log_err("dhcp-script helper: unexpected message (type %u, %zu bytes) ignored",
			m.type, len);
	}
}

static void on_helper(void *ctx, int fd, uint32_t events)
{
	struct script *s = ctx;
	uint8_t buf[sizeof(struct script_msg) + SCRIPT_LOG_TEXT_MAX];

	(void)events;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			helper_gone(s, n < 0 ? strerror(errno) : "exited");
			return;
		}
		handle_message(s, buf, (size_t)n);
	}
	flush(s);
}

void script_get_stats(const struct script *s, struct script_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	*out = s->st;
	out->waiting = s->qlen;
}

/* ---- start and stop ---------------------------------------------------- */

/* dnsmasq: "<path> must be an absolute pathname, no PATH search occurs". */
static int check_program(const char *path, struct error *err)
{
	struct stat st;

	if (!path || path[0] != '/') {
		error_set(err, EXIT_CONFIG, "dhcp-script %s: must be an absolute path",
			  path ? path : "");
		return -1;
	}
	if (stat(path, &st) < 0 || access(path, X_OK) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot run dhcp-script %s: %s",
			  path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set(err, EXIT_FILESYSTEM, "cannot run dhcp-script %s: not a regular file",
			  path);
		return -1;
	}
	return 0;
}

struct script *script_new(const struct script_config *cfg, struct loop *loop,
			  struct error *err)
{
	struct script *s;
	int sv[2];
	sigset_t all, saved;
	pid_t pid;

	if (!cfg || !loop) {
		error_set(err, EXIT_OTHER, "dhcp-script: no configuration");
		return NULL;
	}
	if (check_program(cfg->path, err) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->holding = true;
	s->prog.path = xstrdup(cfg->path);
	s->prog.domain = script_domain_usable(cfg->domain) ? xstrdup(cfg->domain) : NULL;
	s->prog.log_dhcp = cfg->log_dhcp;
	s->nl = cfg->nl;
	s->loop = loop;
	s->fd = -1;
	s->helper = -1;
	if (cfg->user && cfg->user[0]) {
		struct passwd *pw = getpwnam(cfg->user);

		if (!pw) {
			error_set(err, EXIT_CONFIG, "dhcp-scriptuser: unknown user %s", cfg->user);
			goto fail;
		}
		s->prog.has_user = true;
		s->prog.uid = pw->pw_uid;
		s->prog.gid = pw->pw_gid;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		error_set(err, EXIT_OTHER, "cannot create the dhcp-script socket: %s",
			  strerror(errno));
		goto fail;
	}
	log_flush(); /* nothing buffered may be written twice */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		script_helper_main(&s->prog, sv[1]);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	close(sv[1]);
	if (pid < 0) {
		error_set(err, EXIT_OTHER, "cannot start the dhcp-script helper: %s",
			  strerror(errno));
		close(sv[0]);
		goto fail;
	}
	s->fd = sv[0];
	s->helper = pid;
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	if (loop_add_fd(loop, s->fd, EPOLLIN, on_helper, s) < 0) {
		error_set(err, EXIT_OTHER, "cannot watch the dhcp-script helper: %s",
			  strerror(errno));
		script_free(s);
		return NULL;
	}
	return s;
fail:
	free(s->prog.path);
	free(s->prog.domain);
	free(s);
	return NULL;
}

void script_free(struct script *s)
{
	if (!s)
		return;
	if (!s->dead && s->fd >= 0) {
		/* Last words of the helper, then whatever still fits. */
		on_helper(s, s->fd, EPOLLIN);
		if (!s->dead && s->qlen)
			log_warn("dhcp-script %s: %zu lease events not passed on at exit",
				 s->prog.path, s->qlen);
		if (s->fd >= 0) {
			loop_del_fd(s->loop, s->fd);
			close(s->fd);
		}
	}
	/* The helper runs what it already has and exits; do not wait for scripts. */
	if (s->helper > 0)
		waitpid(s->helper, NULL, WNOHANG);
	free(s->queue);
	free(s->prog.path);
	free(s->prog.domain);
	free(s);
}

/* ---- init ---------------------------------------------------------------- */

struct init_ctx {
	struct script *s;
	struct lease_table *t;
	time_t now;
	bool expired_pass;  /* first pass: only the expired leases */
	size_t loaded, expired, bad;
};

static void init_line(void *ctx, size_t lineno, enum script_init_line kind,
		      const struct lease *l, const char *line, size_t len, const char *why)
{
	struct init_ctx *c = ctx;

	if (c->expired_pass != (kind == SCRIPT_INIT_EXPIRED))
		return;
	switch (kind) {
	case SCRIPT_INIT_LEASE:
		if (lease_commit(c->t, l, LEASE_EV_LOADED) == 0)
			c->loaded++;
		break;
	case SCRIPT_INIT_EXPIRED:
		/* dnsmasq: "Expired leases will be called with "del"". */
		queue_change(c->s, l, NULL, LEASE_EV_EXPIRED, c->now);
		c->expired++;
		break;
	case SCRIPT_INIT_BAD:
		log_warn("dhcp-script %s init: output line %zu: %s; line ignored: \"%.*s\"",
			 c->s->prog.path, lineno, why, (int)MIN(len, (size_t)120), line);
		c->bad++;
		break;
	}
}

/* Run "PATH init" and collect its stdout; -1 with err filled. */
static int run_init(const struct script *s, char **out, size_t *outlen, struct error *err)
{
	size_t cap = 64 * 1024, n = 0;
	char *buf;
	int pipefd[2], wst = 0;
	sigset_t all, saved;
	const char *slash = strrchr(s->prog.path, '/');
	char *argv[] = { (char *)(slash ? slash + 1 : s->prog.path), (char *)"init", NULL };
	bool too_much = false;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot run lease-init script %s: %s",
			  s->prog.path, strerror(errno));
		return -1;
	}
	log_flush();
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	pid = fork();
	if (pid == 0) {
		char **env;

		script_null_stdin();
		dup2(pipefd[1], STDOUT_FILENO);
		script_close_from(STDERR_FILENO + 1, -1);
		script_default_signals();
		env = script_compose_env(environ, NULL);
		execve(s->prog.path, argv, env);
		dprintf(STDERR_FILENO, "leased: cannot run %s: %s\n", s->prog.path,
			strerror(errno));
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	close(pipefd[1]);
	if (pid < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot run lease-init script %s: %s",
			  s->prog.path, strerror(errno));
		close(pipefd[0]);
		return -1;
	}
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= SCRIPT_INIT_MAX) {
				too_much = true;
				kill(pid, SIGKILL);
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(pipefd[0], buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(pipefd[0]);
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (too_much) {
		error_set(err, EXIT_FILESYSTEM, "lease-init script %s printed more than %u MiB",
			  s->prog.path,
			 SCRIPT_INIT_MAX >> 20);
	} else if (WIFSIGNALED(wst)) {
		error_set(err, EXIT_OTHER, "lease-init script %s init was killed by signal %d",
			 s->prog.path, WTERMSIG(wst));
	} else if (WIFEXITED(wst) && WEXITSTATUS(wst) != 0) {
		error_set(err, MIN(SCRIPT_INIT_EXIT_BASE + WEXITSTATUS(wst), 255),
			  "lease-init script %s init returned exit code %d", s->prog.path,
			  WEXITSTATUS(wst));
	} else {
		*out = buf;
		*outlen = n;
		return 0;
	}
	free(buf);
	return -1;
}

int script_load_init(struct script *s, struct lease_table *t, time_t now,
		     struct error *err)
{
	struct init_ctx c = { .s = s, .t = t, .now = now };
	char *buf = NULL;
	size_t len = 0;

	if (!s || !t) {
		error_set(err, EXIT_OTHER, "lease-init: no script");
		return -1;
	}
	if (run_init(s, &buf, &len, err) < 0)
		return -1;
	/* dnsmasq reports the expired ones ("del") before the rest ("old"). */
	c.expired_pass = true;
	script_parse_init(buf, len, now, init_line, &c);
	c.expired_pass = false;
	script_parse_init(buf, len, now, init_line, &c);
	free(buf);
	log_info("dhcp-script %s init: %zu leases loaded, %zu expired, %zu bad lines ignored",
		 s->prog.path, c.loaded, c.expired, c.bad);
	return 0;
}
