/*
 * script_helper — the --dhcp-script helper process (its daemon's side is
 * script.c; what they share, src/lease/script_internal.h).  Forked at
 * start while the daemon is still root, it reads one record, runs the
 * program with stdout and stderr on a pipe, logs what it printed through
 * the daemon, waits for it, reports, reads the next.  It holds no
 * descriptor but its end of the channel, and it never writes a log
 * itself.  Also here: what any child does before it execs the program
 * ("init" is run from the daemon's side).
 *
 * May include: lease/ (the events) and core/.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* close_range, pipe2 */
#endif
#include "lease/script_event.h"
#include "script_internal.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define HELPER_FD 3
#define OUTPUT_LINE_MAX 512     /* a longer line of script output is cut */
#define OUTPUT_LINES_MAX 50     /* lines logged per run */
#define OUTPUT_POLL_MS 100

/* ---- a child about to exec the program -------------------------------- */

/* Everything above stderr, except keep (-1: none). */
void script_close_from(int lo, int keep)
{
	if (keep >= lo) {
		if (keep > lo)
			close_range((unsigned)lo, (unsigned)keep - 1, 0);
		lo = keep + 1;
	}
	if (close_range((unsigned)lo, ~0U, 0) < 0)
		for (int fd = lo; fd < 65536; fd++)
			close(fd);
}

/* A program run from here starts with default signal handling. */
void script_default_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void script_null_stdin(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
}

/* ---- the helper ------------------------------------------------------ */

struct helper {
	const struct script_program *p;
	int fd;
};

static void helper_send(const struct helper *h, uint32_t type, int32_t value,
			const char *text, size_t len)
{
	uint8_t buf[sizeof(struct script_msg) + SCRIPT_LOG_TEXT_MAX];
	struct script_msg m = { .type = type, .value = value };

	len = MIN(len, (size_t)SCRIPT_LOG_TEXT_MAX);
	memcpy(buf, &m, sizeof(m));
	if (len)
		memcpy(buf + sizeof(m), text, len);
	/* Blocking: the daemon reads these in its loop; EPIPE means it is gone. */
	while (send(h->fd, buf, sizeof(m) + len, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static void helper_log(const struct helper *h, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void helper_log(const struct helper *h, int prio, const char *fmt, ...)
{
	char text[SCRIPT_LOG_TEXT_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > 0)
		helper_send(h, SCRIPT_MSG_LOG, prio, text, MIN((size_t)n, sizeof(text) - 1));
}

/* "add 02:00:00:00:00:0a 10.0.3.5 c1" for messages. */
static void describe(const struct script_exec *ex, char *out, size_t outlen)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 1; ex->argv[i] && used < outlen; i++) {
		int n = snprintf(out + used, outlen - used, "%s%s", i > 1 ? " " : "", ex->argv[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

struct output {
	char line[OUTPUT_LINE_MAX];
	size_t len;
	unsigned lines;
};

static void output_line(const struct helper *h, struct output *o)
{
	if (o->lines < OUTPUT_LINES_MAX)
		helper_log(h, LOG_INFO, "dhcp-script: %.*s", (int)o->len, o->line);
	else if (o->lines == OUTPUT_LINES_MAX)
		helper_log(h, LOG_INFO, "dhcp-script: (more output not logged)");
	o->lines++;
	o->len = 0;
}

static void output_bytes(const struct helper *h, struct output *o, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			output_line(h, o);
			continue;
		}
		if (o->len < sizeof(o->line))
			o->line[o->len++] = p[i] >= 0x20 || p[i] == '\t' ? p[i] : '?';
	}
}

/* Read what is there now; false at end of file or error. */
static bool drain_pipe(const struct helper *h, struct output *o, int fd)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		if (n == 0)
			return false;
		output_bytes(h, o, buf, (size_t)n);
	}
}

/*
 * Run the program for one event and wait for it.  Its output is read
 * until it exits; a background child it left holding the pipe is not
 * waited for.
 */
static bool run_one(const struct helper *h, const struct script_event *ev)
{
	struct script_env_config ec = { .domain = h->p->domain, .log_dhcp = h->p->log_dhcp };
	struct script_exec ex;
	struct output o = { .len = 0 };
	char what[256];
	int pipefd[2], status = 0;
	bool open_pipe = true;
	pid_t pid;

	if (!script_hostname_ok(ev->hostname)) {
		char hw[4 + 3 * LEASE_HWADDR_MAX], ip[INET_ADDRSTRLEN] = "?", shown[LEASE_NAME_MAX];

		script_format_hwaddr(ev, hw, sizeof(hw));
		inet_ntop(AF_INET, &ev->addr, ip, sizeof(ip));
		str_printable(shown, sizeof(shown), ev->hostname, 40);
		helper_log(h, LOG_ERR, "dhcp-script %s: not run for %s %s %s: hostname \"%s\" is not "
			   "a DNS label (letters, digits, '-' and '_', a letter or digit first)",
			   h->p->path, script_action_name(ev->action), hw, ip, shown);
		return false;
	}
	if (script_build_exec(ev, h->p->path, &ec, &ex) < 0) {
		helper_log(h, LOG_ERR, "dhcp-script %s: event does not fit its arguments; skipped",
			   h->p->path);
		return false;
	}
	describe(&ex, what, sizeof(what));
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		helper_log(h, LOG_ERR, "dhcp-script %s %s: cannot create a pipe: %s", h->p->path,
			   what, strerror(errno));
		return false;
	}
	while ((pid = fork()) < 0 && (errno == EAGAIN || errno == ENOMEM))
		sleep(1); /* a passing shortage: the event must still run */
	if (pid < 0) {
		helper_log(h, LOG_ERR, "dhcp-script %s %s: cannot fork: %s", h->p->path, what,
			   strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return false;
	}
	if (pid == 0) {
		char **env;

		script_null_stdin();
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		script_default_signals();
		env = script_compose_env(environ, ex.vars);
		execve(h->p->path, ex.argv, env);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", h->p->path, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		pid_t r = waitpid(pid, &status, open_pipe ? WNOHANG : 0);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			status = 0;
			break;
		}
		if (open_pipe) {
			struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };

			if (poll(&pfd, 1, OUTPUT_POLL_MS) > 0)
				open_pipe = drain_pipe(h, &o, pipefd[0]);
		}
	}
	if (open_pipe)
		drain_pipe(h, &o, pipefd[0]);
	if (o.len)
		output_line(h, &o);
	close(pipefd[0]);
	if (WIFSIGNALED(status)) {
		helper_log(h, LOG_ERR, "dhcp-script %s %s: killed by signal %d", h->p->path, what,
			   WTERMSIG(status));
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		helper_log(h, LOG_WARNING, "dhcp-script %s %s: exited with status %d", h->p->path,
			   what, WEXITSTATUS(status));
		return false;
	}
	return true;
}

static void helper_setup(int fd)
{
	int nul = open("/dev/null", O_RDWR);

	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		dup2(nul, STDERR_FILENO);
		if (nul > STDERR_FILENO && nul != fd)
			close(nul);
	}
	if (fd != HELPER_FD) {
		dup2(fd, HELPER_FD);
		close(fd);
	}
	fcntl(HELPER_FD, F_SETFD, FD_CLOEXEC);
	script_close_from(HELPER_FD + 1, -1);
	prctl(PR_SET_NAME, "leased-script");
	/* The daemon's SIGTERM is not ours: finish what was handed over, exit at EOF. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
}

static void helper_drop_user(const struct helper *h)
{
	const struct script_program *p = h->p;

	if (!p->has_user || geteuid() != 0 || p->uid == 0)
		return;
	if (setgroups(1, &p->gid) < 0 || setgid(p->gid) < 0 || setuid(p->uid) < 0) {
		helper_log(h, LOG_ERR, "dhcp-script helper: cannot change to uid %u: %s",
			   (unsigned)p->uid, strerror(errno));
		_exit(1);
	}
}

void script_helper_main(const struct script_program *p, int fd)
{
	struct helper h = { .p = p, .fd = HELPER_FD };
	sigset_t none;

	helper_setup(fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	helper_drop_user(&h);
	for (;;) {
		uint8_t buf[SCRIPT_RECORD_SIZE + 1];
		struct script_event ev;
		const char *why;
		ssize_t n = recv(HELPER_FD, buf, sizeof(buf), 0);
		bool ok;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0); /* the daemon is gone; everything it sent has run */
		if (script_event_decode(buf, (size_t)n, &ev, &why) < 0) {
			helper_log(&h, LOG_ERR, "dhcp-script helper: %s (%zd bytes); ignored", why, n);
			ok = false;
		} else {
			ok = run_one(&h, &ev);
		}
		helper_send(&h, SCRIPT_MSG_DONE, ok ? 0 : 1, NULL, 0);
	}
}
