/*
 * script — --dhcp-script events and --leasefile-ro's "init" (see
 * include/lease/script.h for what is promised).
 *
 * Three parts:
 *  - pure functions: which events a lease change makes, the record that
 *    carries one to the helper, the program's argv and DNSMASQ_* variables,
 *    and the walk over "init" output;
 *  - the daemon's side: the lease observer, the bounded FIFO of records
 *    that did not fit in the socket, and the helper's reports (read when
 *    the socket is readable, which is also when there is room again);
 *  - the helper: reads one record, runs the program with stdout and
 *    stderr on a pipe, logs what it printed through the daemon, waits for
 *    it, reports, reads the next.  It holds no descriptor but its end of
 *    the channel, and it never writes a log itself.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* close_range, pipe2 */
#endif
#include "lease/script.h"
#include "lease/leasefile.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define HELPER_FD 3
#define OUTPUT_LINE_MAX 512     /* a longer line of script output is cut */
#define OUTPUT_LINES_MAX 50     /* lines logged per run */
#define OUTPUT_POLL_MS 100
#define LOG_TEXT_MAX 1024

/* ---- pure parts -------------------------------------------------------- */

static void fill_event(struct script_event *e, enum script_action action,
		       const struct lease *l, time_t now)
{
	memset(e, 0, sizeof(*e));
	e->magic = SCRIPT_EVENT_MAGIC;
	e->action = (uint8_t)action;
	e->htype = l->htype;
	e->hwlen = (uint8_t)MIN((size_t)l->hwlen, (size_t)LEASE_HWADDR_MAX);
	memcpy(e->hwaddr, l->hwaddr, e->hwlen);
	e->client_id_len = l->client_id_len;
	memcpy(e->client_id, l->client_id, l->client_id_len);
	e->addr = l->addr;
	e->expires = (int64_t)l->expires;
	if (l->expires > now)
		e->remaining = (uint32_t)MIN((uint64_t)(l->expires - now), (uint64_t)UINT32_MAX);
	str_copy(e->hostname, l->hostname, sizeof(e->hostname));
}

/*
 * dnsmasq's rules, as dnsmasq 2.90 runs them: "add" for a lease that is
 * new, "del" when it goes, "old" when it is renewed or changes, and a
 * lost name first gets an "old" of its own with DNSMASQ_OLD_HOSTNAME
 * ("make sure we announce the loss of a hostname before its new
 * location").  dnsmasq reports a renewal that changes nothing only for a
 * client in SELECTING or INIT-REBOOT state (or always with --leasefile-ro
 * or --script-on-renewal); leased cannot tell the states apart here and
 * reports every renewal.
 */
size_t script_events_for_change(const struct lease *old, const struct lease *new,
				enum lease_event ev, time_t now, struct script_event out[2])
{
	size_t n = 0;

	if (!new) {
		if (!old)
			return 0;
		fill_event(&out[0], SCRIPT_DEL, old, now);
		/* dnsmasq keeps the client's extra data only for the run it came with. */
		out[0].flags |= SCRIPT_F_DATA_MISSING;
		return 1;
	}
	if (ev == LEASE_EV_LOADED) {
		fill_event(&out[0], SCRIPT_OLD, new, now);
		out[0].flags |= SCRIPT_F_DATA_MISSING;
		return 1;
	}
	if (!old) {
		fill_event(&out[0], SCRIPT_ADD, new, now);
		return 1;
	}
	if (old->hostname[0] && strncmp(old->hostname, new->hostname, LEASE_NAME_MAX) != 0) {
		fill_event(&out[n], SCRIPT_OLD_HOSTNAME, new, now);
		str_copy(out[n].hostname, old->hostname, sizeof(out[n].hostname));
		n++;
	}
	fill_event(&out[n++], SCRIPT_OLD, new, now);
	return n;
}

int script_event_encode(const struct script_event *ev, uint8_t *buf, size_t buflen)
{
	if (!ev || !buf || buflen < SCRIPT_RECORD_SIZE)
		return -1;
	memcpy(buf, ev, SCRIPT_RECORD_SIZE);
	return (int)SCRIPT_RECORD_SIZE;
}

static bool nul_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int script_event_decode(const uint8_t *buf, size_t len, struct script_event *ev,
			const char **why)
{
	const char *dummy;
	struct script_event e;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!buf || !ev) {
		*why = "no record";
		return -1;
	}
	if (len != SCRIPT_RECORD_SIZE) {
		*why = "record of the wrong size";
		return -1;
	}
	memcpy(&e, buf, sizeof(e));
	if (e.magic != SCRIPT_EVENT_MAGIC)
		*why = "bad magic number";
	else if (e.action < SCRIPT_ADD || e.action > SCRIPT_OLD_HOSTNAME)
		*why = "unknown action";
	else if (e.flags & ~SCRIPT_F_DATA_MISSING)
		*why = "unknown flags";
	else if (e.hwlen > LEASE_HWADDR_MAX)
		*why = "hardware address too long";
	else if (e.addr.s_addr == 0)
		*why = "no address";
	else if (!nul_terminated(e.hostname, sizeof(e.hostname)))
		*why = "hostname not terminated";
	else if (!nul_terminated(e.interface, sizeof(e.interface)))
		*why = "interface name not terminated";
	else if (e.action == SCRIPT_OLD_HOSTNAME && !e.hostname[0])
		*why = "name change without the old name";
	if (*why)
		return -1;
	*ev = e;
	return 0;
}

/* Copy of s into out's storage; NULL when it does not fit. */
static char *store_str(struct script_exec *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *store_str(struct script_exec *out, const char *fmt, ...)
{
	size_t room = sizeof(out->buf) - out->used;
	char *p = out->buf + out->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return NULL;
	out->used += (size_t)n + 1;
	return p;
}

static int add_var(struct script_exec *out, const char *name, const char *value)
{
	char *v;

	if (out->nvars == SCRIPT_MAX_VARS)
		return -1;
	v = store_str(out, "%s=%s", name, value);
	if (!v)
		return -1;
	out->vars[out->nvars++] = v;
	out->vars[out->nvars] = NULL;
	return 0;
}

/* The hardware address as the lease file writes it: "06-" for non-Ethernet. */
static void format_hw(const struct script_event *ev, char *out, size_t outlen)
{
	char hex[3 * LEASE_HWADDR_MAX + 1] = "";
	size_t hwlen = MIN((size_t)ev->hwlen, (size_t)LEASE_HWADDR_MAX);

	if (hwlen)
		hex_format(ev->hwaddr, hwlen, hex, sizeof(hex));
	if (ev->htype != 1 || hwlen == 0)
		snprintf(out, outlen, "%02x-%s", ev->htype, hex);
	else
		snprintf(out, outlen, "%s", hex);
}

static const char *action_name(uint8_t action)
{
	switch (action) {
	case SCRIPT_ADD:
		return "add";
	case SCRIPT_DEL:
		return "del";
	default:
		return "old";
	}
}

/*
 * The name becomes an argument and DNSMASQ_OLD_HOSTNAME of a program that
 * is often a shell script: only what a lease may carry (a DNS label as in
 * a dnsmasq lease file), so no space, quote, '$', ';' or newline ever
 * reaches it, whatever put the name into the lease.
 */
static bool hostname_ok(const char *name)
{
	return !name[0] || str_is_label(name, true);
}

static bool domain_usable(const char *domain)
{
	return domain && domain[0] && strcmp(domain, "#") != 0;
}

int script_build_exec(const struct script_event *ev, const char *path,
		      const struct script_env_config *cfg, struct script_exec *out)
{
	char hw[4 + 3 * LEASE_HWADDR_MAX], ip[INET_ADDRSTRLEN], num[32];
	char id[3 * LEASE_CLIENT_ID_MAX + 1];
	const char *base, *slash;
	bool named;
	size_t a = 0;

	if (!ev || !path || !out || ev->action < SCRIPT_ADD || ev->action > SCRIPT_OLD_HOSTNAME ||
	    ev->hwlen > LEASE_HWADDR_MAX || !nul_terminated(ev->hostname, sizeof(ev->hostname)) ||
	    !nul_terminated(ev->interface, sizeof(ev->interface)) || !hostname_ok(ev->hostname))
		return -1;
	memset(out, 0, sizeof(*out));
	format_hw(ev, hw, sizeof(hw));
	if (!inet_ntop(AF_INET, &ev->addr, ip, sizeof(ip)))
		return -1;
	named = ev->hostname[0] != '\0';

	/* dnsmasq: execl(path, basename, action, mac, ip, hostname). */
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!(out->argv[a++] = store_str(out, "%s", base)) ||
	    !(out->argv[a++] = store_str(out, "%s", action_name(ev->action))) ||
	    !(out->argv[a++] = store_str(out, "%s", hw)) ||
	    !(out->argv[a++] = store_str(out, "%s", ip)))
		return -1;
	/* A lost name is passed in DNSMASQ_OLD_HOSTNAME, not as an argument. */
	if (named && ev->action != SCRIPT_OLD_HOSTNAME &&
	    !(out->argv[a++] = store_str(out, "%s", ev->hostname)))
		return -1;
	out->argv[a] = NULL;

	if (ev->client_id_len) {
		hex_format(ev->client_id, ev->client_id_len, id, sizeof(id));
		if (add_var(out, "DNSMASQ_CLIENT_ID", id) < 0)
			return -1;
	}
	if (ev->interface[0] && add_var(out, "DNSMASQ_INTERFACE", ev->interface) < 0)
		return -1;
	snprintf(num, sizeof(num), "%" PRId64, ev->expires > 0 ? ev->expires : (int64_t)0);
	if (add_var(out, "DNSMASQ_LEASE_EXPIRES", num) < 0)
		return -1;
	/* "if the fully-qualified domain name of the host is known". */
	if (named && cfg && domain_usable(cfg->domain) &&
	    add_var(out, "DNSMASQ_DOMAIN", cfg->domain) < 0)
		return -1;
	if ((ev->flags & SCRIPT_F_DATA_MISSING) && add_var(out, "DNSMASQ_DATA_MISSING", "1") < 0)
		return -1;
	if (ev->action != SCRIPT_DEL && ev->remaining) {
		snprintf(num, sizeof(num), "%" PRIu32, ev->remaining);
		if (add_var(out, "DNSMASQ_TIME_REMAINING", num) < 0)
			return -1;
	}
	if (ev->action == SCRIPT_OLD_HOSTNAME &&
	    add_var(out, "DNSMASQ_OLD_HOSTNAME", ev->hostname) < 0)
		return -1;
	if (cfg && cfg->log_dhcp && add_var(out, "DNSMASQ_LOG_DHCP", "1") < 0)
		return -1;
	return 0;
}

char **script_compose_env(char *const *inherited, char *const *vars)
{
	size_t n = 0, k = 0;
	char **env;

	for (size_t i = 0; inherited && inherited[i]; i++)
		n++;
	for (size_t i = 0; vars && vars[i]; i++)
		n++;
	env = xcalloc(n + 1, sizeof(*env));
	for (size_t i = 0; inherited && inherited[i]; i++)
		if (!str_has_prefix(inherited[i], "DNSMASQ_"))
			env[k++] = inherited[i];
	for (size_t i = 0; vars && vars[i]; i++)
		env[k++] = vars[i];
	env[k] = NULL;
	return env;
}

void script_parse_init(const char *buf, size_t len, time_t now, script_init_fn fn, void *ctx)
{
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;

	if (!buf || !fn)
		return;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t llen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t use = llen;
		const char *why = NULL;
		struct lease l;

		lineno++;
		if (use && p[use - 1] == '\r')
			use--;
		switch (leasefile_parse_line(p, use, &l, &why)) {
		case LEASEFILE_V4:
			fn(ctx, lineno, l.expires != 0 && l.expires <= now ? SCRIPT_INIT_EXPIRED
									 : SCRIPT_INIT_LEASE,
			   &l, p, use, NULL);
			break;
		case LEASEFILE_SKIP:
			break;
		case LEASEFILE_BAD:
			fn(ctx, lineno, SCRIPT_INIT_BAD, NULL, p, use, why ? why : "malformed");
			break;
		}
		p += llen + (nl ? 1 : 0);
	}
}

/* ---- channel messages (helper -> daemon) ------------------------------- */

enum { SCRIPT_MSG_DONE = 1, SCRIPT_MSG_LOG = 2 };

struct script_msg {
	uint32_t type;
	int32_t value; /* DONE: 1 when the run failed; LOG: syslog priority */
};

/* ---- daemon side ------------------------------------------------------- */

struct script {
	char *path;
	char *domain;
	bool log_dhcp;
	bool has_user;
	uid_t uid;
	gid_t gid;
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
};

static void helper_gone(struct script *s, const char *why)
{
	if (s->dead)
		return;
	log_err("dhcp-script helper (pid %d) %s: lease events are no longer passed to %s",
		(int)s->helper, why, s->path);
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
		 "keeping up (at most %d wait)", s->path, s->st.dropped - s->dropped_logged,
		 SCRIPT_QUEUE_MAX);
	s->dropped_logged = s->st.dropped;
	s->dropping = false;
}

/* Send queued records until the socket is full. */
static void flush(struct script *s)
{
	while (s->qlen && !s->dead) {
		uint8_t rec[SCRIPT_RECORD_SIZE];
		ssize_t n;

		script_event_encode(&s->queue[s->qhead], rec, sizeof(rec));
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
				" newer ones dropped so far", s->path, SCRIPT_QUEUE_MAX, lost);
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
static void iface_for(const struct netlink *nl, struct in_addr addr, char *out, size_t outlen)
{
	const struct nl_iface *ifs;
	size_t n = 0;

	out[0] = '\0';
	if (!nl)
		return;
	ifs = netlink_ifaces(nl, &n);
	for (size_t i = 0; ifs && i < n; i++) {
		if (strcmp(ifs[i].name, "lo") == 0)
			continue;
		for (size_t a = 0; a < MIN(ifs[i].naddrs, (size_t)NETLINK_MAX_ADDRS); a++)
			if (((ifs[i].addrs[a].s_addr ^ addr.s_addr) & ifs[i].netmasks[a].s_addr) == 0) {
				str_copy(out, ifs[i].name, outlen);
				return;
			}
	}
}

static void queue_change(struct script *s, const struct lease *old, const struct lease *new,
			 enum lease_event ev, time_t now)
{
	struct script_event evs[2];
	size_t n = script_events_for_change(old, new, ev, now, evs);

	for (size_t i = 0; i < n; i++) {
		iface_for(s->nl, evs[i].addr, evs[i].interface, sizeof(evs[i].interface));
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
	uint8_t buf[sizeof(struct script_msg) + LOG_TEXT_MAX];

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

/* ---- processes ------------------------------------------------------- */

/* Everything above stderr, except keep (-1: none). */
static void close_from(int lo, int keep)
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
static void default_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void null_stdin(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
}

/* ---- the helper ------------------------------------------------------ */

struct helper {
	const struct script *s;
	int fd;
};

static void helper_send(const struct helper *h, uint32_t type, int32_t value,
			const char *text, size_t len)
{
	uint8_t buf[sizeof(struct script_msg) + LOG_TEXT_MAX];
	struct script_msg m = { .type = type, .value = value };

	len = MIN(len, (size_t)LOG_TEXT_MAX);
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
	char text[LOG_TEXT_MAX];
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
	struct script_env_config ec = { .domain = h->s->domain, .log_dhcp = h->s->log_dhcp };
	struct script_exec ex;
	struct output o = { .len = 0 };
	char what[256];
	int pipefd[2], status = 0;
	bool open_pipe = true;
	pid_t pid;

	if (!hostname_ok(ev->hostname)) {
		char hw[4 + 3 * LEASE_HWADDR_MAX], ip[INET_ADDRSTRLEN] = "?", shown[LEASE_NAME_MAX];

		format_hw(ev, hw, sizeof(hw));
		inet_ntop(AF_INET, &ev->addr, ip, sizeof(ip));
		str_printable(shown, sizeof(shown), ev->hostname, 40);
		helper_log(h, LOG_ERR, "dhcp-script %s: not run for %s %s %s: hostname \"%s\" is not "
			   "a DNS label (letters, digits, '-' and '_', a letter or digit first)",
			   h->s->path, action_name(ev->action), hw, ip, shown);
		return false;
	}
	if (script_build_exec(ev, h->s->path, &ec, &ex) < 0) {
		helper_log(h, LOG_ERR, "dhcp-script %s: event does not fit its arguments; skipped",
			   h->s->path);
		return false;
	}
	describe(&ex, what, sizeof(what));
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		helper_log(h, LOG_ERR, "dhcp-script %s %s: cannot create a pipe: %s", h->s->path,
			   what, strerror(errno));
		return false;
	}
	while ((pid = fork()) < 0 && (errno == EAGAIN || errno == ENOMEM))
		sleep(1); /* a passing shortage: the event must still run */
	if (pid < 0) {
		helper_log(h, LOG_ERR, "dhcp-script %s %s: cannot fork: %s", h->s->path, what,
			   strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return false;
	}
	if (pid == 0) {
		char **env;

		null_stdin();
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		default_signals();
		env = script_compose_env(environ, ex.vars);
		execve(h->s->path, ex.argv, env);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", h->s->path, strerror(errno));
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
		helper_log(h, LOG_ERR, "dhcp-script %s %s: killed by signal %d", h->s->path, what,
			   WTERMSIG(status));
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		helper_log(h, LOG_WARNING, "dhcp-script %s %s: exited with status %d", h->s->path,
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
	close_from(HELPER_FD + 1, -1);
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
	const struct script *s = h->s;

	if (!s->has_user || geteuid() != 0 || s->uid == 0)
		return;
	if (setgroups(1, &s->gid) < 0 || setgid(s->gid) < 0 || setuid(s->uid) < 0) {
		helper_log(h, LOG_ERR, "dhcp-script helper: cannot change to uid %u: %s",
			   (unsigned)s->uid, strerror(errno));
		_exit(1);
	}
}

static void __attribute__((noreturn)) helper_main(const struct script *s, int fd)
{
	struct helper h = { .s = s, .fd = HELPER_FD };
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

/* ---- start and stop ---------------------------------------------------- */

/* dnsmasq: "<path> must be an absolute pathname, no PATH search occurs". */
static int check_program(const char *path, char *err, size_t errlen, int *status)
{
	struct stat st;

	*status = EXIT_CONFIG;
	if (!path || path[0] != '/') {
		snprintf(err, errlen, "dhcp-script %s: must be an absolute path", path ? path : "");
		return -1;
	}
	*status = EXIT_FILESYSTEM;
	if (stat(path, &st) < 0 || access(path, X_OK) < 0) {
		snprintf(err, errlen, "cannot run dhcp-script %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot run dhcp-script %s: not a regular file", path);
		return -1;
	}
	return 0;
}

struct script *script_new(const struct script_config *cfg, struct loop *loop,
			  char *err, size_t errlen, int *status)
{
	struct script *s;
	int sv[2];
	sigset_t all, saved;
	pid_t pid;

	*status = EXIT_OTHER;
	if (!cfg || !loop) {
		snprintf(err, errlen, "dhcp-script: no configuration");
		return NULL;
	}
	if (check_program(cfg->path, err, errlen, status) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(cfg->path);
	s->domain = domain_usable(cfg->domain) ? xstrdup(cfg->domain) : NULL;
	s->log_dhcp = cfg->log_dhcp;
	s->nl = cfg->nl;
	s->loop = loop;
	s->fd = -1;
	s->helper = -1;
	if (cfg->user && cfg->user[0]) {
		struct passwd *pw = getpwnam(cfg->user);

		if (!pw) {
			snprintf(err, errlen, "dhcp-scriptuser: unknown user %s", cfg->user);
			*status = EXIT_CONFIG;
			goto fail;
		}
		s->has_user = true;
		s->uid = pw->pw_uid;
		s->gid = pw->pw_gid;
	}
	*status = EXIT_OTHER;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "cannot create the dhcp-script socket: %s", strerror(errno));
		goto fail;
	}
	log_flush(); /* nothing buffered may be written twice */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		helper_main(s, sv[1]);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	close(sv[1]);
	if (pid < 0) {
		snprintf(err, errlen, "cannot start the dhcp-script helper: %s", strerror(errno));
		close(sv[0]);
		goto fail;
	}
	s->fd = sv[0];
	s->helper = pid;
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	if (loop_add_fd(loop, s->fd, EPOLLIN, on_helper, s) < 0) {
		snprintf(err, errlen, "cannot watch the dhcp-script helper: %s", strerror(errno));
		script_free(s);
		return NULL;
	}
	*status = 0;
	return s;
fail:
	free(s->path);
	free(s->domain);
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
			log_warn("dhcp-script %s: %zu lease events not passed on at exit", s->path,
				 s->qlen);
		if (s->fd >= 0) {
			loop_del_fd(s->loop, s->fd);
			close(s->fd);
		}
	}
	/* The helper runs what it already has and exits; do not wait for scripts. */
	if (s->helper > 0)
		waitpid(s->helper, NULL, WNOHANG);
	free(s->queue);
	free(s->path);
	free(s->domain);
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
			 c->s->path, lineno, why, (int)MIN(len, (size_t)120), line);
		c->bad++;
		break;
	}
}

/* Run "PATH init" and collect its stdout; -1 with err filled. */
static int run_init(const struct script *s, char **out, size_t *outlen, char *err,
		    size_t errlen, int *status)
{
	size_t cap = 64 * 1024, n = 0;
	char *buf;
	int pipefd[2], wst = 0;
	sigset_t all, saved;
	const char *slash = strrchr(s->path, '/');
	char *argv[] = { (char *)(slash ? slash + 1 : s->path), (char *)"init", NULL };
	bool too_much = false;
	pid_t pid;

	*status = EXIT_FILESYSTEM;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot run lease-init script %s: %s", s->path, strerror(errno));
		return -1;
	}
	log_flush();
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	pid = fork();
	if (pid == 0) {
		char **env;

		null_stdin();
		dup2(pipefd[1], STDOUT_FILENO);
		close_from(STDERR_FILENO + 1, -1);
		default_signals();
		env = script_compose_env(environ, NULL);
		execve(s->path, argv, env);
		dprintf(STDERR_FILENO, "leased: cannot run %s: %s\n", s->path, strerror(errno));
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	close(pipefd[1]);
	if (pid < 0) {
		snprintf(err, errlen, "cannot run lease-init script %s: %s", s->path, strerror(errno));
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
		snprintf(err, errlen, "lease-init script %s printed more than %u MiB", s->path,
			 SCRIPT_INIT_MAX >> 20);
	} else if (WIFSIGNALED(wst)) {
		snprintf(err, errlen, "lease-init script %s init was killed by signal %d", s->path,
			 WTERMSIG(wst));
		*status = EXIT_OTHER;
	} else if (WIFEXITED(wst) && WEXITSTATUS(wst) != 0) {
		snprintf(err, errlen, "lease-init script %s init returned exit code %d", s->path,
			 WEXITSTATUS(wst));
		*status = MIN(SCRIPT_INIT_EXIT_BASE + WEXITSTATUS(wst), 255);
	} else {
		*out = buf;
		*outlen = n;
		*status = 0;
		return 0;
	}
	free(buf);
	return -1;
}

int script_load_init(struct script *s, struct lease_table *t, time_t now,
		     char *err, size_t errlen, int *status)
{
	struct init_ctx c = { .s = s, .t = t, .now = now };
	char *buf = NULL;
	size_t len = 0;

	if (!s || !t) {
		snprintf(err, errlen, "lease-init: no script");
		*status = EXIT_OTHER;
		return -1;
	}
	if (run_init(s, &buf, &len, err, errlen, status) < 0)
		return -1;
	/* dnsmasq reports the expired ones ("del") before the rest ("old"). */
	c.expired_pass = true;
	script_parse_init(buf, len, now, init_line, &c);
	c.expired_pass = false;
	script_parse_init(buf, len, now, init_line, &c);
	free(buf);
	log_info("dhcp-script %s init: %zu leases loaded, %zu expired, %zu bad lines ignored",
		 s->path, c.loaded, c.expired, c.bad);
	*status = 0;
	return 0;
}
