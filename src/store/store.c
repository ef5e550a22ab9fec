/*
 * store — the daemon's side of lease durability (see include/store/store.h
 * for the promise, include/store/store_read.h for the files and formats and
 * include/store/store_writer.h for the messages to the writer).
 *
 * store_open() takes the lock that makes one writer the owner of the lease
 * files (a writer still finishing after lxc-net's kill -9 of the previous
 * daemon holds it a moment longer), reads the lease file, journal.old and
 * journal into an address → line map in that order, so the last record for
 * an address wins, commits what has not expired into the table, writes
 * the result as a fresh lease file with empty journals, and forks the
 * writer.  From then on every change the table reports becomes a journal
 * record, queued in messages of at most STORE_MSG_MAX bytes and sent once
 * per loop iteration by store_flush().  Nothing here ever waits on the
 * disk: the writer's acknowledgements arrive on store_fd().
 */
#include "store/store.h"
#include "store/store_writer.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOCK_WAIT_MS 10000
#define LOCK_POLL_MS 20
#define CLOSE_WAIT_MS 10000
#define STALL_REAP_MS 2000

struct outmsg {
	char *buf; /* struct store_msg, then records */
	size_t len;
};

struct store {
	bool read_only;
	bool dead;
	int fd;
	pid_t writer;
	uint64_t pending, durable;
	uint64_t waiting_since_ms; /* oldest change not yet confirmed; 0: none */
	struct outmsg *queue;
	size_t nqueue;
	bool failing;
	uint64_t failing_since_ms;
	char error[256];
	uint8_t duid[LEASEFILE_DUID_MAX]; /* the server's DUID, or duid_len 0 */
	size_t duid_len;
};

/* ---- loading ------------------------------------------------------- */

/* Lines that could not be read, kept for LEASEFILE.rejected. */
struct rejects {
	char *buf;
	size_t len, cap;
	time_t now;
};

static void rejects_add(struct rejects *r, const char *text, size_t len)
{
	if (r->len + len > r->cap) {
		r->cap = MAX(r->cap * 2, r->len + len + 1024);
		r->buf = xrealloc(r->buf, r->cap);
	}
	memcpy(r->buf + r->len, text, len);
	r->len += len;
}

/*
 * One bad line must not cost every other container its address: log it,
 * go on.  The next rewrite drops it from the lease file, so it is kept in
 * LEASEFILE.rejected, for a person to read or put back.
 */
static void reject_line(void *ctx, const char *path, size_t lineno, const char *line,
			size_t len, const char *why, bool torn)
{
	struct rejects *r = ctx;
	char head[PATH_MAX + 256], when[32];
	struct tm tm;
	int n;

	log_warn("%s:%zu: %s; %s ignored (kept in the .rejected file)", path, lineno, why,
		 torn ? "record" : "line");
	if (!localtime_r(&r->now, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)r->now);
	n = snprintf(head, sizeof(head), "# %s %s:%zu: %s\n", when, path, lineno, why);
	if (n > 0)
		rejects_add(r, head, MIN((size_t)n, sizeof(head) - 1));
	rejects_add(r, line, len);
	rejects_add(r, "\n", 1);
}

/* Apply every line of path to m; err filled when it cannot be read. */
static int load_file(const char *path, bool journal, struct store_map *m, struct rejects *r,
		     struct error *err)
{
	if (store_map_load_file(m, path, journal, reject_line, r) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot read lease file %s: %s",
			  path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Append the rejected lines to LEASEFILE.rejected, durably, before the rewrite drops them. */
static int save_rejects(const struct store_paths *p, const struct rejects *r,
			struct error *err)
{
	int fd;
	ssize_t n = 0;
	size_t done = 0;

	if (r->len == 0)
		return 0;
	fd = open(p->rejected, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	while (done < r->len && (n = write(fd, r->buf + done, r->len - done)) > 0)
		done += (size_t)n;
	if (done < r->len || fsync(fd) < 0 || store_fsync_dir(p->dir) < 0) {
		if (n == 0)
			errno = EIO;
		close(fd);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	/* Starting would drop these lines for good: refuse, say where they are. */
	error_set(err, EXIT_FILESYSTEM, "cannot keep the unreadable lines of %s in %s: %s", p->file,
		 p->rejected, strerror(errno));
	return -1;
}

struct load_ctx {
	struct lease_table *t;
	time_t now;
	size_t expired;
	bool conflicts; /* a commit displaced or renamed another lease */
};

struct name_rival {
	const struct lease *l;
	bool found;
};

static void find_rival(void *ctx, const struct lease *o)
{
	struct name_rival *r = ctx;

	if (!lease_same_client(o, r->l))
		r->found = true;
}

/* Would committing l change a lease other than the one at l->addr? */
static bool load_conflicts(const struct lease_table *t, const struct lease *l)
{
	const struct lease *o;
	struct name_rival r = { .l = l };

	if (lease_by_addr(t, l->addr))
		return true;
	if (l->addr.family == AF_INET6)
		o = lease_by_ia(t, l->client_id, l->client_id_len, l->iaid, l->ia);
	else
		o = lease_by_client(t, l->client_id, l->client_id_len, l->htype, l->hwaddr,
				    l->hwlen);
	if (o && (l->client_id_len || l->hwlen))
		return true;
	if (l->hostname[0])
		lease_each_by_name(t, l->hostname, AF_UNSPEC, find_rival, &r);
	return r.found;
}

static void commit_loaded(void *ctx, struct lease_addr addr, const char *line, size_t len)
{
	struct load_ctx *c = ctx;
	struct lease l;

	(void)addr;
	if (leasefile_parse_line(line, len, &l, NULL) != LEASEFILE_LEASE)
		return;
	if (l.expires != 0 && l.expires <= c->now) {
		c->expired++;
		return;
	}
	if (!c->conflicts && load_conflicts(c->t, &l))
		c->conflicts = true;
	lease_commit(c->t, &l, LEASE_EV_LOADED);
}

static void map_from_table(void *ctx, const struct lease *l)
{
	store_map_set_lease(ctx, l);
}

static void quarantine_loaded(void *ctx, struct lease_addr addr, time_t until)
{
	lease_quarantine(ctx, addr, until);
}

static void copy_quarantine(void *ctx, struct lease_addr addr, time_t until)
{
	store_map_quarantine(ctx, addr, until);
}

/* ---- open ---------------------------------------------------------- */

static int take_lock(const struct store_paths *p, struct error *err)
{
	int fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot open or create lease file lock %s: %s",
			  p->lock,
			 strerror(errno));
		return -1;
	}
	/* A writer of a killed daemon may still be writing its last snapshot. */
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += LOCK_POLL_MS) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			error_set(err, EXIT_FILESYSTEM, "cannot lock %s: %s",
				  p->lock, strerror(errno));
			close(fd);
			return -1;
		}
		if (waited >= LOCK_WAIT_MS) {
			error_set(err, EXIT_FILESYSTEM,
				  "lease file %s is in use by another process (%s stayed locked for %d s)",
				  p->file, p->lock, LOCK_WAIT_MS / 1000);
			close(fd);
			return -1;
		}
		poll(NULL, 0, LOCK_POLL_MS);
	}
	return fd;
}

/*
 * The lease file was rewritten by another program since leased last wrote
 * it (dnsmasq, after lxc-net was switched back to it; a restore; a
 * deletion): the journals are older than what it says now, and replaying
 * them would bring back leases that program ended or gave to others.  Set
 * them aside (renamed, for a person to read) rather than replay them.
 */
static int set_stale_journals_aside(const struct store_paths *p, struct error *err)
{
	if (store_journals_follow(p))
		return 0;
	log_warn("%s was rewritten by another program since leased last wrote it: "
		 "its journal is older and is not replayed (kept as %s)", p->file, p->stale);
	if ((rename(p->journal, p->stale) < 0 && errno != ENOENT) ||
	    (rename(p->old, p->stale_old) < 0 && errno != ENOENT) || store_fsync_dir(p->dir) < 0)
		return error_set(err, EXIT_FILESYSTEM, "cannot set aside the stale journal of %s: %s",
				 p->file, strerror(errno));
	return 0;
}

/* Read everything back into t; leave m holding exactly t's state. */
static int load_all(const struct store_paths *p, struct lease_table *t, time_t now,
		    struct store_map **m, struct error *err)
{
	struct load_ctx c = { .t = t, .now = now };
	struct rejects r = { .now = now };
	int ret = -1;

	if (set_stale_journals_aside(p, err) < 0 ||
	    load_file(p->file, false, *m, &r, err) < 0 ||
	    load_file(p->old, true, *m, &r, err) < 0 ||
	    load_file(p->journal, true, *m, &r, err) < 0 ||
	    save_rejects(p, &r, err) < 0)
		goto out;
	store_map_foreach(*m, commit_loaded, &c);
	store_map_foreach_quarantine(*m, now, quarantine_loaded, t);
	if (c.expired)
		log_info("%s: %zu expired leases dropped", p->file, c.expired);
	/* The writer must start from the table's state exactly. */
	if (c.conflicts || c.expired || lease_count(t) != store_map_count(*m)) {
		struct store_map *fresh = store_map_new();
		uint8_t duid[LEASEFILE_DUID_MAX];
		size_t duid_len = store_map_server_duid(*m, duid, sizeof(duid));

		if (duid_len)
			store_map_set_server_duid(fresh, duid, duid_len);
		lease_foreach(t, map_from_table, fresh);
		store_map_foreach_quarantine(*m, now, copy_quarantine, fresh);
		store_map_free(*m);
		*m = fresh;
	}
	ret = 0;
out:
	free(r.buf);
	return ret;
}

/*
 * Fresh lease file, no journal.old, a journal holding only the
 * quarantines in force: returns the journal fd.
 */
static int compact(const struct store_paths *p, const struct store_map *m, time_t now,
		   struct error *err)
{
	if (store_snapshot_write(p, m, err) < 0)
		return -1;
	/* journal.old first: replayed without the journal after it, it would undo. */
	if (unlink(p->old) < 0 && errno != ENOENT) {
		error_set(err, EXIT_FILESYSTEM, "cannot remove %s: %s", p->old, strerror(errno));
		return -1;
	}
	return store_journal_reset(p, m, now, err);
}

static void on_change(void *ctx, const struct lease *old, const struct lease *new,
		      enum lease_event ev);

/* A new server DUID: DUID-UUID (RFC 6355), 16 random bytes after the type. */
static void make_duid(struct store *s)
{
	s->duid[0] = 0;
	s->duid[1] = 4;
	for (size_t i = 2; i < 18; i += 2)
		put_be16(s->duid + i, random_u16());
	s->duid_len = 18;
}

struct store *store_open(const char *lease_file, bool read_only, bool want_server_duid,
			 struct lease_table *t, time_t now, struct error *err)
{
	struct store *s;
	struct store_paths p = { 0 };
	struct store_map *m = NULL;
	int lock_fd = -1, journal_fd = -1, sv[2] = { -1, -1 };
	sigset_t all, saved;
	pid_t pid;

	if (!lease_file || !*lease_file || !t) {
		error_set(err, EXIT_FILESYSTEM, "no lease file given");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->fd = -1;
	s->writer = -1;
	if (read_only) {
		s->read_only = true;
		if (want_server_duid)
			make_duid(s); /* nowhere to keep it: a new one each start */
		return s;
	}
	store_paths_init(&p, lease_file);
	lock_fd = take_lock(&p, err);
	if (lock_fd < 0)
		goto fail;
	m = store_map_new();
	if (load_all(&p, t, now, &m, err) < 0)
		goto fail;
	/* Made once, then kept in the lease file: on disk (compact) before any reply uses it. */
	s->duid_len = store_map_server_duid(m, s->duid, sizeof(s->duid));
	if (!s->duid_len && want_server_duid) {
		make_duid(s);
		store_map_set_server_duid(m, s->duid, s->duid_len);
	}
	journal_fd = compact(&p, m, now, err);
	if (journal_fd < 0)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		error_set(err, EXIT_OTHER, "cannot create the lease writer socket: %s",
			  strerror(errno));
		goto fail;
	}
	/* No signal may reach the writer before it has chosen to ignore them. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		store_writer_run(&p, m, sv[1], lock_fd, journal_fd);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (pid < 0) {
		error_set(err, EXIT_OTHER, "cannot start the lease writer: %s", strerror(errno));
		goto fail;
	}
	close(sv[1]);
	close(lock_fd);
	close(journal_fd);
	store_map_free(m);
	store_paths_free(&p);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	s->fd = sv[0];
	s->writer = pid;
	if (lease_table_add_observer(t, on_change, s) < 0) {
		error_set(err, EXIT_OTHER, "lease table has no room for the store's observer");
		store_close(s);
		return NULL;
	}
	return s;

fail:
	if (sv[0] >= 0) {
		close(sv[0]);
		close(sv[1]);
	}
	if (journal_fd >= 0)
		close(journal_fd);
	if (lock_fd >= 0)
		close(lock_fd);
	store_map_free(m);
	store_paths_free(&p);
	free(s);
	return NULL;
}

/* ---- changes → messages -------------------------------------------- */

static void queue_formatted(struct store *s, const char *rec, int n)
{
	struct outmsg *last = s->nqueue ? &s->queue[s->nqueue - 1] : NULL;
	struct store_msg h = { .type = STORE_MSG_RECORDS };

	if (!last || last->len + (size_t)n > STORE_MSG_MAX) {
		last = array_push(&s->queue, &s->nqueue, sizeof(*s->queue));
		last->buf = xmalloc(STORE_MSG_MAX);
		last->len = sizeof(h);
	}
	memcpy(last->buf + last->len, rec, (size_t)n);
	last->len += (size_t)n;
	/* The clock store_stalled() reads starts with the first change waiting. */
	if (s->durable == s->pending)
		s->waiting_since_ms = now_mono_ms();
	h.seq = ++s->pending;
	memcpy(last->buf, &h, sizeof(h));
}

static void queue_record(struct store *s, const struct lease *l, struct lease_addr addr)
{
	char rec[STORE_RECORD_MAX], text[LEASE_ADDR_STRLEN];
	int n = store_record_format(l, addr, rec, sizeof(rec));

	if (n < 0) {
		log_err("cannot journal the lease of %s: record too long",
			lease_addr_str(&addr, text, sizeof(text)));
		return;
	}
	queue_formatted(s, rec, n);
}

void store_quarantine(struct store *s, struct lease_addr addr, time_t until)
{
	char rec[STORE_RECORD_MAX], text[LEASE_ADDR_STRLEN];
	int n;

	if (!s || s->read_only)
		return;
	n = store_record_format_quarantine(addr, until, rec, sizeof(rec));
	if (n < 0) {
		log_err("cannot journal the quarantine of %s",
			lease_addr_str(&addr, text, sizeof(text)));
		return;
	}
	queue_formatted(s, rec, n);
}

static void on_change(void *ctx, const struct lease *old, const struct lease *new,
		      enum lease_event ev)
{
	struct store *s = ctx;

	/* Loaded leases came from the files; writing them back adds nothing. */
	if (ev == LEASE_EV_LOADED)
		return;
	/*
	 * A renewal within the same second changes no byte on disk: no
	 * record, so its ACK waits for nothing but what is already pending.
	 */
	if (old && new && leasefile_same(old, new))
		return;
	if (old && (!new || !lease_addr_equal(&old->addr, &new->addr)))
		queue_record(s, NULL, old->addr);
	if (new)
		queue_record(s, new, new->addr);
}

/* ---- public interface ---------------------------------------------- */

int store_fd(const struct store *s)
{
	return s && !s->read_only ? s->fd : -1;
}

uint64_t store_pending_seq(const struct store *s)
{
	return s ? s->pending : 0;
}

uint64_t store_durable_seq(const struct store *s)
{
	return s ? s->durable : 0;
}

pid_t store_writer_pid(const struct store *s)
{
	return s ? s->writer : -1;
}

static void drop_sent(struct store *s, size_t sent)
{
	if (sent == 0)
		return;
	for (size_t i = 0; i < sent; i++)
		free(s->queue[i].buf);
	memmove(s->queue, s->queue + sent, (s->nqueue - sent) * sizeof(*s->queue));
	s->nqueue -= sent;
	if (s->nqueue == 0) {
		free(s->queue);
		s->queue = NULL;
	}
}

int store_flush(struct store *s)
{
	size_t sent = 0;
	int r = 0;

	if (!s || s->read_only)
		return 0;
	if (s->dead)
		return -1;
	while (sent < s->nqueue) {
		ssize_t n = send(s->fd, s->queue[sent].buf, s->queue[sent].len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break; /* the writer is busy; acks will bring us back */
		if (n < 0) {
			log_err("lease writer gone: %s", strerror(errno));
			s->dead = true;
			r = -1;
			break;
		}
		sent++;
	}
	if (sent)
		drop_sent(s, sent);
	return r;
}

/* The writer says the disk fails, or works again: one log line each way. */
static void handle_state(struct store *s, bool failing, const char *text, size_t len)
{
	uint64_t now = now_mono_ms();

	if (failing == s->failing)
		return;
	s->failing = failing;
	if (failing) {
		snprintf(s->error, sizeof(s->error), "%.*s", (int)MIN(len, sizeof(s->error) - 1),
			 text);
		s->failing_since_ms = now;
		log_err("lease store failing: %s; DHCP replies that grant a lease are held "
			"(dropped after a few seconds) until it works again", s->error);
	} else {
		log_warn("lease store works again after %llu s of failure",
			 (unsigned long long)((now - s->failing_since_ms) / 1000));
		s->error[0] = '\0';
	}
}

static void handle_message(struct store *s, const char *buf, size_t len)
{
	struct store_msg h;

	if (len < sizeof(h)) {
		log_err("lease writer: short message (%zu bytes) ignored", len);
		return;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.type == STORE_MSG_ACK && len == sizeof(h)) {
		if (h.seq > s->pending)
			log_err("lease writer acknowledged %llu of %llu changes; ignored",
				(unsigned long long)h.seq, (unsigned long long)s->pending);
		else if (h.seq > s->durable) {
			s->durable = h.seq;
			/* Progress: what still waits was queued after this. */
			s->waiting_since_ms = s->durable < s->pending ? now_mono_ms() : 0;
		}
	} else if (h.type == STORE_MSG_LOG) {
		log_err("%.*s", (int)(len - sizeof(h)), buf + sizeof(h));
	} else if (h.type == STORE_MSG_STATE) {
		handle_state(s, h.seq != 0, buf + sizeof(h), len - sizeof(h));
	} else {
		log_err("lease writer: unexpected message (type %u, %zu bytes) ignored",
			h.type, len);
	}
}

int store_handle_acks(struct store *s)
{
	char buf[sizeof(struct store_msg) + 1024];

	if (!s || s->read_only)
		return 0;
	if (s->dead)
		return -1;
	for (;;) {
		ssize_t n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			log_err("lease writer (pid %d) exited: leases can no longer be saved",
				(int)s->writer);
			s->dead = true;
			return -1;
		}
		handle_message(s, buf, (size_t)n);
	}
}

/* Send everything and wait for its acknowledgement, for at most CLOSE_WAIT_MS at a time. */
static void drain(struct store *s)
{
	while (!s->dead && (s->nqueue || s->durable < s->pending)) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		int r;

		if (store_flush(s) < 0)
			return;
		if (s->nqueue)
			pfd.events |= POLLOUT;
		r = poll(&pfd, 1, CLOSE_WAIT_MS);
		if (r == 0) {
			/* A full disk must not keep the daemon from exiting. */
			log_err("lease writer did not confirm %llu changes within %d s",
				(unsigned long long)(s->pending - s->durable), CLOSE_WAIT_MS / 1000);
			return;
		}
		if (r < 0 && errno != EINTR)
			return;
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) && store_handle_acks(s) < 0)
			return;
	}
}

/* Wait for the writer to exit, for at most ms (-1: no limit). */
static void reap_writer(pid_t pid, int ms)
{
	for (int waited = 0;; waited += LOCK_POLL_MS) {
		pid_t r = waitpid(pid, NULL, ms < 0 ? 0 : WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return;
		if (ms >= 0 && waited >= ms) {
			log_err("lease writer (pid %d) does not exit; leaving it", (int)pid);
			return;
		}
		if (r == 0)
			poll(NULL, 0, LOCK_POLL_MS);
	}
}

void store_health(const struct store *s, struct store_health *out)
{
	memset(out, 0, sizeof(*out));
	if (!s || s->read_only)
		return;
	out->failing = s->failing;
	out->since_ms = s->failing_since_ms;
	str_copy(out->error, s->error, sizeof(out->error));
	out->waiting = s->pending - s->durable;
}

bool store_stalled(const struct store *s, uint64_t now_ms)
{
	if (!s || s->read_only || s->durable == s->pending)
		return false;
	if (s->nqueue * (uint64_t)STORE_MSG_MAX > STORE_QUEUE_MAX)
		return true;
	return s->waiting_since_ms && now_ms >= s->waiting_since_ms + STORE_STALL_MS;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (!s->read_only) {
		/* A stalled writer would not confirm anything now either. */
		if (!store_stalled(s, now_mono_ms()))
			drain(s);
		if (s->fd >= 0)
			close(s->fd);
		/*
		 * The writer writes a last snapshot, then exits on EOF.  A
		 * stalled one may be stuck in the kernel: do not wait for ever.
		 */
		if (s->writer > 0)
			reap_writer(s->writer, store_stalled(s, now_mono_ms()) ? STALL_REAP_MS : -1);
	}
	drop_sent(s, s->nqueue);
	free(s);
}

size_t store_server_duid(const struct store *s, const uint8_t **duid)
{
	*duid = s->duid;
	return s->duid_len;
}
