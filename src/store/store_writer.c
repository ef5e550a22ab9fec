/*
 * store_writer — the process that owns the lease files (the messages it
 * takes: include/store/store_writer.h), and for now also the read side
 * declared in include/store/store_read.h (the files, the record format,
 * loading them into a map).
 *
 * It waits for batches of journal records from the daemon, appends every
 * batch that is waiting with one write() and one fdatasync(), and then
 * acknowledges the highest sequence number: a burst of grants costs one
 * sync.  It keeps its own address → line map of the leases, and soon
 * after something changed (SNAPSHOT_INTERVAL_MS) turns it into a new lease file.
 * The snapshot is written by a short-lived child (fork gives it a frozen
 * copy of the map for free) while this process carries on appending and
 * acknowledging: before forking, the journal is renamed to journal.old and
 * a fresh one started, and journal.old is deleted only once the new lease
 * file is in place.  A failed snapshot leaves journal.old where it is; the
 * next one then covers it without another rotation.
 *
 * The writer has no log (it closed every descriptor it did not need):
 * problems are sent to the daemon as LOG messages.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* close_range, pipe2 */
#endif
#include "store/store_writer.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"

#define CHECKSUM_LEN 8
/*
 * How soon the lease file follows a change: 100 ms (LXD's list-leases,
 * libvirt's helpers and scripts read it), and 100 ms more per 10,000
 * leases, so a big table is not rewritten ten times a second.  The
 * rewrite runs in a child of the writer: never on a reply's path.
 */
#define SNAPSHOT_INTERVAL_MS 100
#define SNAPSHOT_LEASES_PER_STEP 10000
#define BATCH_MAX (4 * 1024 * 1024)
#define RETRY_MS 1000

/* ---- paths --------------------------------------------------------- */

static char *path_with(const char *base, const char *suffix)
{
	size_t a = strlen(base), b = strlen(suffix);
	char *s = xmalloc(a + b + 1);

	memcpy(s, base, a);
	memcpy(s + a, suffix, b + 1);
	return s;
}

void store_paths_init(struct store_paths *p, const char *lease_file)
{
	const char *slash = strrchr(lease_file, '/');

	p->file = xstrdup(lease_file);
	p->tmp = path_with(lease_file, ".new");
	p->journal = path_with(lease_file, ".journal");
	p->old = path_with(lease_file, ".journal.old");
	p->jtmp = path_with(lease_file, ".journal.new");
	p->lock = path_with(lease_file, ".lock");
	p->rejected = path_with(lease_file, ".rejected");
	p->follows = path_with(lease_file, ".follows");
	p->ftmp = path_with(lease_file, ".follows.new");
	p->stale = path_with(lease_file, ".journal.stale");
	p->stale_old = path_with(lease_file, ".journal.old.stale");
	if (!slash) {
		p->dir = xstrdup(".");
	} else if (slash == lease_file) {
		p->dir = xstrdup("/");
	} else {
		size_t n = (size_t)(slash - lease_file);

		p->dir = xmalloc(n + 1);
		memcpy(p->dir, lease_file, n);
		p->dir[n] = '\0';
	}
}

void store_paths_free(struct store_paths *p)
{
	free(p->file);
	free(p->tmp);
	free(p->journal);
	free(p->old);
	free(p->jtmp);
	free(p->lock);
	free(p->rejected);
	free(p->follows);
	free(p->ftmp);
	free(p->stale);
	free(p->stale_old);
	free(p->dir);
	memset(p, 0, sizeof(*p));
}

/* ---- journal records ----------------------------------------------- */

static uint32_t record_checksum(const char *p, size_t len)
{
	return (uint32_t)hash_bytes(p, len, 0);
}

/* "CCCCCCCC BODY\n": the body behind its checksum, as every record is written. */
static int seal_record(const char *body, size_t n, char *buf, size_t buflen)
{
	int r = snprintf(buf, buflen, "%08x %.*s\n", record_checksum(body, n), (int)n, body);

	return r < 0 || (size_t)r >= buflen ? -1 : r;
}

int store_record_format(const struct lease *l, struct lease_addr addr, char *buf, size_t buflen)
{
	char body[LEASEFILE_LINE_MAX + 4];
	int n;

	if (l) {
		body[0] = '+';
		body[1] = ' ';
		n = leasefile_format_line(l, body + 2, sizeof(body) - 2);
		if (n < 1)
			return -1;
		n += 2 - 1; /* drop the newline; the record adds its own */
	} else {
		body[0] = '-';
		body[1] = ' ';
		if (!lease_addr_usable(&addr))
			return -1;
		lease_addr_str(&addr, body + 2, sizeof(body) - 2);
		n = (int)strlen(body);
	}
	return seal_record(body, (size_t)n, buf, buflen);
}

int store_record_format_quarantine(struct lease_addr addr, time_t until, char *buf,
				   size_t buflen)
{
	char a[LEASE_ADDR_STRLEN], body[LEASE_ADDR_STRLEN + 32];
	int n;

	if (!lease_addr_usable(&addr) || until <= 0)
		return -1;
	lease_addr_str(&addr, a, sizeof(a));
	n = snprintf(body, sizeof(body), "Q %s %lld", a, (long long)until);
	if (n < 0 || (size_t)n >= sizeof(body))
		return -1;
	return seal_record(body, (size_t)n, buf, buflen);
}

int store_file_id_of(const char *path, struct store_file_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	id->exists = true;
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
	id->size = (uint64_t)st.st_size;
	id->mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
	return 0;
}

int store_record_format_follows(const struct store_file_id *id, char *buf, size_t buflen)
{
	char body[128];
	int n;

	if (id->exists)
		n = snprintf(body, sizeof(body), "F %llu %llu %llu %llu", (unsigned long long)id->dev,
			     (unsigned long long)id->ino, (unsigned long long)id->size,
			     (unsigned long long)id->mtime_ns);
	else
		n = snprintf(body, sizeof(body), "F none");
	if (n < 0 || (size_t)n >= sizeof(body))
		return -1;
	return seal_record(body, (size_t)n, buf, buflen);
}

/* "DEV INO SIZE MTIME" or "none" of a follows record into *id. */
static bool parse_follows(const char *p, size_t len, struct store_file_id *id)
{
	char text[96];
	unsigned long long v[4];
	int used = 0;

	memset(id, 0, sizeof(*id));
	if (len >= sizeof(text))
		return false;
	memcpy(text, p, len);
	text[len] = '\0';
	if (strcmp(text, "none") == 0)
		return true;
	if (sscanf(text, "%llu %llu %llu %llu%n", &v[0], &v[1], &v[2], &v[3], &used) != 4 ||
	    (size_t)used != len || text[0] < '0' || text[0] > '9')
		return false;
	*id = (struct store_file_id){ .exists = true, .dev = v[0], .ino = v[1], .size = v[2],
				      .mtime_ns = v[3] };
	return true;
}

/* "ADDR UNTIL" of a quarantine record into out->addr and out->expires. */
static bool parse_quarantine(const char *p, size_t len, struct lease *out)
{
	char text[LEASE_ADDR_STRLEN + 24];
	char *sp, *end;
	long long until;

	if (len >= sizeof(text))
		return false;
	memcpy(text, p, len);
	text[len] = '\0';
	sp = strchr(text, ' ');
	if (!sp)
		return false;
	*sp = '\0';
	memset(out, 0, sizeof(*out));
	if (!lease_addr_parse(text, &out->addr) || !lease_addr_usable(&out->addr))
		return false;
	if (sp[1] < '0' || sp[1] > '9')
		return false;
	errno = 0;
	until = strtoll(sp + 1, &end, 10);
	if (errno || *end || until <= 0)
		return false;
	out->expires = (time_t)until;
	return true;
}

static int parse_checksum(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < CHECKSUM_LEN; i++) {
		char c = p[i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static bool checksum_ok(uint32_t sum, const char *body, size_t len)
{
#ifdef LEASED_FUZZING
	/* The fuzzer cannot forge checksums; let it reach the parsing behind them. */
	(void)sum;
	(void)body;
	(void)len;
	return true;
#else
	return sum == record_checksum(body, len);
#endif
}

/* The body of a record whose checksum holds ("O X...": op, space, rest); NULL with *why. */
static const char *record_body(const char *line, size_t len, size_t *blen, const char **why)
{
	uint32_t sum;

	if (len && line[len - 1] == '\n')
		len--;
	/* "CCCCCCCC O X": checksum, space, op, space, at least one byte. */
	if (len < CHECKSUM_LEN + 4 || line[CHECKSUM_LEN] != ' ' ||
	    line[CHECKSUM_LEN + 2] != ' ') {
		*why = "truncated or malformed record";
		return NULL;
	}
	*blen = len - CHECKSUM_LEN - 1;
	if (parse_checksum(line, &sum) < 0 || !checksum_ok(sum, line + CHECKSUM_LEN + 1, *blen)) {
		*why = "checksum mismatch (torn or corrupted record)";
		return NULL;
	}
	return line + CHECKSUM_LEN + 1;
}

enum store_record store_record_parse(const char *line, size_t len, struct lease *out,
				     const char **why)
{
	const char *body;
	size_t blen;
	char addr[LEASE_ADDR_STRLEN];
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!line || !out) {
		*why = "no record";
		return STORE_RECORD_BAD;
	}
	body = record_body(line, len, &blen, why);
	if (!body)
		return STORE_RECORD_BAD;
	if (body[0] == '+') {
		if (leasefile_parse_line(body + 2, blen - 2, out, why) != LEASEFILE_LEASE) {
			if (!*why)
				*why = "record holds no lease";
			return STORE_RECORD_BAD;
		}
		return STORE_RECORD_ADD;
	}
	if (body[0] == '-') {
		if (blen - 2 >= sizeof(addr)) {
			*why = "bad address in removal record";
			return STORE_RECORD_BAD;
		}
		memcpy(addr, body + 2, blen - 2);
		addr[blen - 2] = '\0';
		memset(out, 0, sizeof(*out));
		if (!lease_addr_parse(addr, &out->addr) || !lease_addr_usable(&out->addr)) {
			*why = "bad address in removal record";
			return STORE_RECORD_BAD;
		}
		return STORE_RECORD_DEL;
	}
	if (body[0] == 'Q') {
		if (!parse_quarantine(body + 2, blen - 2, out)) {
			*why = "bad quarantine record";
			return STORE_RECORD_BAD;
		}
		return STORE_RECORD_QUARANTINE;
	}
	*why = "unknown record type";
	return STORE_RECORD_BAD;
}

static bool same_file(const struct store_file_id *a, const struct store_file_id *b)
{
	if (!a->exists || !b->exists)
		return a->exists == b->exists;
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

struct follows_scan {
	struct store_file_id now;
	bool any, match;
};

/* Every line of the follows file at path, against the lease file as it is now. */
static void scan_follows(const char *path, struct follows_scan *s)
{
	char *buf = NULL;
	size_t len = 0;

	if (read_whole_file(path, &buf, &len) != 0)
		return;
	s->any = true;
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t llen = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		const char *body, *why;
		struct store_file_id id;
		size_t blen;

		body = record_body(p, llen, &blen, &why);
		if (body && body[0] == 'F' && parse_follows(body + 2, blen - 2, &id) &&
		    same_file(&id, &s->now))
			s->match = true;
		p += llen;
	}
	free(buf);
}

bool store_journals_follow(const struct store_paths *p)
{
	struct follows_scan s = { 0 };

	if (store_file_id_of(p->file, &s.now) < 0)
		return true; /* cannot tell: loading the file will say why */
	scan_follows(p->follows, &s);
	return s.match || !s.any;
}

/* ---- address → line map -------------------------------------------- */

struct map_slot {
	struct lease_addr addr; /* family 0: free (no lease has address 0) */
	uint32_t len;
	char *line;
};

struct quarantine {
	struct lease_addr addr;
	time_t until;
};

struct store_map {
	struct map_slot *slots;
	size_t cap, used;
	/* `leasectl release` holds: few, so a plain array. */
	struct quarantine *q;
	size_t nq;
	/* The server's "duid" line (dnsmasq's, or leased's own), written before the v6 lines. */
	char duid_line[LEASEFILE_LINE_MAX];
	size_t duid_len;
};

static bool slot_free(const struct map_slot *s)
{
	return s->addr.family == 0;
}

static size_t map_home(const struct store_map *m, const struct lease_addr *addr)
{
	uint64_t h = addr->family == AF_INET6 ? hash_bytes(&addr->v6, sizeof(addr->v6), 6)
					      : hash_bytes(&addr->v4, sizeof(addr->v4), 0);

	h ^= h >> 29;
	return (size_t)h & (m->cap - 1);
}

static size_t map_find(const struct store_map *m, const struct lease_addr *addr)
{
	size_t mask = m->cap - 1, i = map_home(m, addr);

	while (!slot_free(&m->slots[i]) && !lease_addr_equal(&m->slots[i].addr, addr))
		i = (i + 1) & mask;
	return i;
}

struct store_map *store_map_new(void)
{
	struct store_map *m = xcalloc(1, sizeof(*m));

	m->cap = 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	return m;
}

void store_map_free(struct store_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].line);
	free(m->slots);
	free(m->q);
	free(m);
}

size_t store_map_count(const struct store_map *m)
{
	return m->used;
}

static void map_grow(struct store_map *m)
{
	struct map_slot *old = m->slots;
	size_t old_cap = m->cap;

	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < old_cap; i++)
		if (!slot_free(&old[i]))
			m->slots[map_find(m, &old[i].addr)] = old[i];
	free(old);
}

void store_map_set(struct store_map *m, struct lease_addr addr, const char *line, size_t len)
{
	struct map_slot *s;

	if (!lease_addr_usable(&addr) || len > UINT32_MAX)
		return;
	if ((m->used + 1) * 10 > m->cap * 7)
		map_grow(m);
	s = &m->slots[map_find(m, &addr)];
	if (slot_free(s)) {
		s->addr = addr;
		m->used++;
	}
	free(s->line);
	s->line = xmalloc(len + 1);
	memcpy(s->line, line, len);
	s->line[len] = '\0';
	s->len = (uint32_t)len;
}

void store_map_del(struct store_map *m, struct lease_addr addr)
{
	size_t mask = m->cap - 1;
	size_t i = map_find(m, &addr), j;

	if (slot_free(&m->slots[i]))
		return;
	free(m->slots[i].line);
	/* Backward-shift deletion, as in the lease table. */
	for (j = i;;) {
		size_t home;

		j = (j + 1) & mask;
		if (slot_free(&m->slots[j]))
			break;
		home = map_home(m, &m->slots[j].addr);
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->used--;
}

void store_map_quarantine(struct store_map *m, struct lease_addr addr, time_t until)
{
	for (size_t i = 0; i < m->nq; i++) {
		if (lease_addr_equal(&m->q[i].addr, &addr)) {
			m->q[i].until = until;
			return;
		}
	}
	*(struct quarantine *)array_push(&m->q, &m->nq, sizeof(*m->q)) =
		(struct quarantine){ .addr = addr, .until = until };
}

void store_map_foreach_quarantine(const struct store_map *m, time_t now,
				  store_map_quarantine_fn fn, void *ctx)
{
	for (size_t i = 0; i < m->nq; i++)
		if (m->q[i].until > now)
			fn(ctx, m->q[i].addr, m->q[i].until);
}

/* Forget holds that ended before now, so the list stays short. */
static void map_purge_quarantine(struct store_map *m, time_t now)
{
	size_t k = 0;

	for (size_t i = 0; i < m->nq; i++)
		if (m->q[i].until > now)
			m->q[k++] = m->q[i];
	m->nq = k;
	if (k == 0) {
		free(m->q);
		m->q = NULL;
	}
}

/* One journal record into m; false (with *why, when given) when it is bad. */
static bool apply_record(struct store_map *m, const char *rec, size_t len, const char **why)
{
	struct lease l;
	char line[LEASEFILE_LINE_MAX];
	int n;

	switch (store_record_parse(rec, len, &l, why)) {
	case STORE_RECORD_ADD:
		/* The body is a lease-file line already: keep it as it came. */
		if (rec[len - 1] == '\n') {
			size_t skip = CHECKSUM_LEN + 3;

			store_map_set(m, l.addr, rec + skip, len - skip);
			return true;
		}
		n = leasefile_format_line(&l, line, sizeof(line));
		if (n < 0)
			return false;
		store_map_set(m, l.addr, line, (size_t)n);
		return true;
	case STORE_RECORD_DEL:
		store_map_del(m, l.addr);
		return true;
	case STORE_RECORD_QUARANTINE:
		store_map_quarantine(m, l.addr, l.expires);
		return true;
	case STORE_RECORD_BAD:
		break;
	}
	return false;
}

bool store_map_apply(struct store_map *m, const char *rec, size_t len)
{
	return apply_record(m, rec, len, NULL);
}

/* IPv4 leases first, then IPv6, as dnsmasq writes its lease file. */
void store_map_foreach(const struct store_map *m, store_map_visit_fn fn, void *ctx)
{
	static const sa_family_t order[] = { AF_INET, AF_INET6 };

	for (size_t f = 0; f < ARRAY_SIZE(order); f++)
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].addr.family == order[f])
				fn(ctx, m->slots[i].addr, m->slots[i].line, m->slots[i].len);
}

void store_map_set_server_duid(struct store_map *m, const uint8_t *duid, size_t len)
{
	int n = leasefile_format_server_duid(duid, len, m->duid_line, sizeof(m->duid_line));

	m->duid_len = n > 0 ? (size_t)n : 0;
}

size_t store_map_server_duid(const struct store_map *m, uint8_t *out, size_t outlen)
{
	struct lease l;

	if (m->duid_len == 0 ||
	    leasefile_parse_line(m->duid_line, m->duid_len - 1, &l, NULL) != LEASEFILE_SERVER_DUID ||
	    l.client_id_len > outlen)
		return 0;
	memcpy(out, l.client_id, l.client_id_len);
	return l.client_id_len;
}

/* ---- snapshot ------------------------------------------------------ */

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int store_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

struct snap_out {
	int fd;
	char *buf;
	size_t len, cap;
	int err; /* first errno */
	const struct store_map *m;
	bool duid_done;
};

static void snap_flush(struct snap_out *o)
{
	if (o->len && !o->err && write_all(o->fd, o->buf, o->len) < 0)
		o->err = errno;
	o->len = 0;
}

static void snap_put(struct snap_out *o, const char *line, size_t len)
{
	if (o->len + len > o->cap)
		snap_flush(o);
	if (len > o->cap)
		return; /* cannot happen: lines are < LEASEFILE_LINE_MAX */
	memcpy(o->buf + o->len, line, len);
	o->len += len;
}

/* Lease lines, with the server's duid line where dnsmasq has it: before the v6 ones. */
static void snap_visit(void *ctx, struct lease_addr addr, const char *line, size_t len)
{
	struct snap_out *o = ctx;

	if (addr.family == AF_INET6 && !o->duid_done) {
		snap_put(o, o->m->duid_line, o->m->duid_len);
		o->duid_done = true;
	}
	snap_put(o, line, len);
}

/* F.new: m in dnsmasq's format, fsync'd. */
static int write_tmp(const struct store_paths *p, const struct store_map *m, struct error *err)
{
	struct snap_out o = { .cap = 256 * 1024 };

	o.fd = open(p->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o.fd < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot create %s: %s", p->tmp, strerror(errno));
		return -1;
	}
	o.buf = xmalloc(o.cap);
	o.m = m;
	store_map_foreach(m, snap_visit, &o);
	if (!o.duid_done)
		snap_put(&o, m->duid_line, m->duid_len);
	snap_flush(&o);
	free(o.buf);
	if (!o.err && fsync(o.fd) < 0)
		o.err = errno;
	if (close(o.fd) < 0 && !o.err)
		o.err = errno;
	if (o.err) {
		error_set(err, EXIT_FILESYSTEM, "cannot write %s: %s", p->tmp, strerror(o.err));
		unlink(p->tmp);
		return -1;
	}
	return 0;
}

/*
 * F.follows names F as it is now and F.new, durably, before F.new takes
 * the name: whatever instant leased dies at, the lease file it leaves is
 * one that F.follows names (store_journals_follow).
 */
static int write_follows(const struct store_paths *p, struct error *err)
{
	struct store_file_id now, next;
	char buf[2 * STORE_RECORD_MAX];
	int n = 0, k, fd;

	if (store_file_id_of(p->file, &now) < 0)
		return error_set(err, EXIT_FILESYSTEM, "cannot stat %s: %s", p->file,
				 strerror(errno));
	if (store_file_id_of(p->tmp, &next) < 0)
		return error_set(err, EXIT_FILESYSTEM, "cannot stat %s: %s", p->tmp,
				 strerror(errno));
	/* A rename keeps device, inode, size and time: F.new's are F's after it. */
	k = store_record_format_follows(&now, buf, sizeof(buf));
	if (k > 0)
		n = k;
	k = store_record_format_follows(&next, buf + n, sizeof(buf) - (size_t)n);
	if (k > 0)
		n += k;
	fd = open(p->ftmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, buf, (size_t)n) < 0 || fsync(fd) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot write %s: %s", p->ftmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(p->ftmp);
		return -1;
	}
	close(fd);
	if (rename(p->ftmp, p->follows) < 0 || store_fsync_dir(p->dir) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot rename %s to %s: %s", p->ftmp, p->follows,
			  strerror(errno));
		unlink(p->ftmp);
		return -1;
	}
	return 0;
}

int store_snapshot_write(const struct store_paths *p, const struct store_map *m,
			 struct error *err)
{
	if (write_tmp(p, m, err) < 0)
		return -1;
	if (write_follows(p, err) < 0) {
		unlink(p->tmp);
		return -1;
	}
	if (rename(p->tmp, p->file) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot rename %s to %s: %s", p->tmp, p->file,
			 strerror(errno));
		unlink(p->tmp);
		return -1;
	}
	/* The rename is durable only once the directory is. */
	if (store_fsync_dir(p->dir) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot sync directory %s: %s",
			  p->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- journal ------------------------------------------------------- */

struct q_out {
	char *buf;
	size_t len, cap;
	bool bad;
};

static void q_visit(void *ctx, struct lease_addr addr, time_t until)
{
	struct q_out *o = ctx;
	char rec[STORE_RECORD_MAX];
	int n = store_record_format_quarantine(addr, until, rec, sizeof(rec));

	if (n < 0) {
		o->bad = true;
		return;
	}
	if (o->len + (size_t)n > o->cap) {
		o->cap = MAX(o->cap * 2, o->len + (size_t)n);
		o->buf = xrealloc(o->buf, o->cap);
	}
	memcpy(o->buf + o->len, rec, (size_t)n);
	o->len += (size_t)n;
}

int store_journal_reset(const struct store_paths *p, const struct store_map *m, time_t now,
			struct error *err)
{
	struct q_out o = { 0 };
	int fd, saved;

	store_map_foreach_quarantine(m, now, q_visit, &o);
	fd = open(p->jtmp, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot create %s: %s", p->jtmp, strerror(errno));
		free(o.buf);
		return -1;
	}
	if ((o.len && write_all(fd, o.buf, o.len) < 0) || fsync(fd) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot write %s: %s", p->jtmp, strerror(errno));
		goto fail;
	}
	if (rename(p->jtmp, p->journal) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot rename %s to %s: %s", p->jtmp, p->journal,
			 strerror(errno));
		goto fail;
	}
	/* Records must not go into a journal whose name could vanish in a crash. */
	if (store_fsync_dir(p->dir) < 0) {
		error_set(err, EXIT_FILESYSTEM, "cannot sync directory %s: %s",
			  p->dir, strerror(errno));
		close(fd);
		free(o.buf);
		return -1;
	}
	free(o.buf);
	return fd;
fail:
	saved = errno;
	close(fd);
	unlink(p->jtmp);
	free(o.buf);
	errno = saved;
	return -1;
}

int store_journal_append(int fd, off_t *size, bool *suspect, const char *buf, size_t len)
{
	bool newline = false;
	struct stat st;
	off_t end;

	if (*suspect) {
		/* What a failed append left must not glue onto the next record. */
		if (fstat(fd, &st) < 0)
			return -1;
		if (st.st_size != *size && ftruncate(fd, *size) < 0)
			newline = true;
	}
	if ((newline && write_all(fd, "\n", 1) < 0) || write_all(fd, buf, len) < 0 ||
	    fdatasync(fd) < 0) {
		int saved = errno;

		*suspect = true;
		/* Cut off the part that made it, so no torn record stays behind. */
		if (ftruncate(fd, *size) == 0)
			(void)!fdatasync(fd);
		errno = saved;
		return -1;
	}
	if (!*suspect) {
		*size += (off_t)len;
		return 0;
	}
	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return -1;
	*size = end;
	*suspect = false;
	return 0;
}

/* ---- the writer process -------------------------------------------- */

struct writer {
	const struct store_paths *p;
	struct store_map *m;
	int sock;
	int journal_fd;
	off_t journal_size;
	bool journal_suspect; /* the last append failed: its end is unknown */
	bool append_failed, snapshot_failed;
	bool failing;         /* what the daemon was last told */
	uint64_t synced_seq, acked_seq;
	bool dirty;       /* changes the lease file does not have yet */
	bool old_exists;  /* journal.old waits for a snapshot to cover it */
	bool eof;
	pid_t snap_pid;   /* running snapshot child, or 0 */
	int snap_pipe;    /* its error channel; EOF when it ends */
	uint64_t last_snapshot_ms;
	char *batch;
	size_t batch_len;
	uint64_t batch_seq;
	char *rx;
};

static void report(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct writer *w, const char *fmt, ...)
{
	char buf[sizeof(struct store_msg) + 512];
	struct store_msg h = { .type = STORE_MSG_LOG };
	va_list ap;
	int n;

	memcpy(buf, &h, sizeof(h));
	va_start(ap, fmt);
	n = vsnprintf(buf + sizeof(h), sizeof(buf) - sizeof(h), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = MIN(n, (int)(sizeof(buf) - sizeof(h) - 1));
	/* Best effort: a lost message must never stall the journal. */
	(void)!send(w->sock, buf, sizeof(h) + (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/*
 * The disk fails or works again: tell the daemon once per change (it logs
 * it and shows it in `leasectl stats`), not once per retry.
 */
static void set_state(struct writer *w, const char *error)
{
	char buf[sizeof(struct store_msg) + 256];
	struct store_msg h = { .type = STORE_MSG_STATE };
	bool failing = w->append_failed || w->snapshot_failed;
	size_t n = 0;

	if (failing == w->failing)
		return;
	h.seq = failing;
	memcpy(buf, &h, sizeof(h));
	if (failing && error) {
		n = MIN(strlen(error), sizeof(buf) - sizeof(h));
		memcpy(buf + sizeof(h), error, n);
	}
	/* Not sent (the daemon's queue is full): the next call tries again. */
	if (send(w->sock, buf, sizeof(h) + n, MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    (ssize_t)(sizeof(h) + n))
		w->failing = failing;
}

static void protocol_error(struct writer *w, const char *what)
{
	report(w, "lease writer: %s from the daemon; stopping", what);
	_exit(EXIT_OTHER);
}

/* Take every message waiting (up to BATCH_MAX) into the batch. */
static void receive(struct writer *w)
{
	while (!w->eof && w->batch_len < BATCH_MAX) {
		struct store_msg h;
		ssize_t n = recv(w->sock, w->rx, STORE_MSG_MAX + 1, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			w->eof = true;
			break;
		}
		if ((size_t)n < sizeof(h) || (size_t)n > STORE_MSG_MAX)
			protocol_error(w, "message of bad size");
		memcpy(&h, w->rx, sizeof(h));
		if (h.type != STORE_MSG_RECORDS || h.seq < w->batch_seq)
			protocol_error(w, "unexpected message");
		memcpy(w->batch + w->batch_len, w->rx + sizeof(h), (size_t)n - sizeof(h));
		w->batch_len += (size_t)n - sizeof(h);
		w->batch_seq = h.seq;
	}
}

/* Wait for retry; give up (nothing acknowledged is lost) once the daemon is gone. */
static void wait_before_retry(struct writer *w)
{
	struct pollfd pfd = { .fd = w->sock, .events = 0 };

	if (poll(&pfd, 1, RETRY_MS) > 0 && (pfd.revents & (POLLHUP | POLLERR))) {
		report(w, "lease writer: daemon gone while the journal cannot be written");
		_exit(EXIT_FILESYSTEM);
	}
}

static void apply_batch(struct writer *w)
{
	const char *p = w->batch, *end = w->batch + w->batch_len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (!store_map_apply(w->m, p, len))
			report(w, "lease writer: ignoring a malformed record from the daemon");
		p += len;
	}
}

/* Append the batch with one write and one fdatasync, retrying until it sticks. */
static void commit_batch(struct writer *w)
{
	if (w->batch_len == 0) {
		w->synced_seq = MAX(w->synced_seq, w->batch_seq);
		return;
	}
	while (store_journal_append(w->journal_fd, &w->journal_size, &w->journal_suspect,
				    w->batch, w->batch_len) < 0) {
		char err[256];

		snprintf(err, sizeof(err), "cannot append to %s: %s", w->p->journal,
			 strerror(errno));
		w->append_failed = true;
		set_state(w, err);
		wait_before_retry(w);
	}
	w->append_failed = false;
	set_state(w, NULL);
	apply_batch(w);
	w->synced_seq = w->batch_seq;
	w->batch_len = 0;
	w->dirty = true;
}

static void send_ack(struct writer *w)
{
	struct store_msg h = { .type = STORE_MSG_ACK };
	ssize_t n;

	if (w->acked_seq >= w->synced_seq || w->eof)
		return;
	h.seq = w->synced_seq;
	n = send(w->sock, &h, sizeof(h), MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == (ssize_t)sizeof(h))
		w->acked_seq = h.seq;
	else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		w->eof = true; /* the daemon is gone; finish up */
}

/* A snapshot step failed: the state message says what, once. */
static void snapshot_failed(struct writer *w, const char *err)
{
	w->snapshot_failed = true;
	set_state(w, err);
}

/* journal → journal.old, and a fresh journal (the quarantines in force), durably. */
static int rotate_journal(struct writer *w)
{
	struct error err = { 0 };
	struct stat st;
	int fd;

	if (rename(w->p->journal, w->p->old) < 0) {
		error_set(&err, EXIT_FILESYSTEM, "cannot rename %s: %s",
			  w->p->journal, strerror(errno));
		snapshot_failed(w, err.msg);
		return -1;
	}
	map_purge_quarantine(w->m, now_wall());
	fd = store_journal_reset(w->p, w->m, now_wall(), &err);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0) {
			error_set(&err, EXIT_FILESYSTEM, "cannot stat %s: %s",
				  w->p->journal, strerror(errno));
			close(fd);
		}
		snapshot_failed(w, err.msg);
		unlink(w->p->journal);
		(void)!rename(w->p->old, w->p->journal);
		return -1;
	}
	close(w->journal_fd);
	w->journal_fd = fd;
	w->journal_size = st.st_size;
	w->journal_suspect = false;
	w->old_exists = true;
	return 0;
}

static void snapshot_child(struct writer *w, int errfd)
{
	struct error err = { 0 };

	close(w->sock);
	close(w->journal_fd);
	if (store_snapshot_write(w->p, w->m, &err) < 0) {
		(void)!write(errfd, err.msg, strlen(err.msg));
		_exit(1);
	}
	_exit(0);
}

static void start_snapshot(struct writer *w)
{
	int pfd[2];
	pid_t pid;

	w->last_snapshot_ms = now_mono_ms();
	if (!w->old_exists && rotate_journal(w) < 0)
		return;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		report(w, "cannot start a lease file snapshot: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		report(w, "cannot start a lease file snapshot: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		snapshot_child(w, pfd[1]);
	}
	close(pfd[1]);
	w->snap_pid = pid;
	w->snap_pipe = pfd[0];
	w->dirty = false;
}

/* Reap the snapshot child (blocks until it ends); drop journal.old if it worked. */
static void finish_snapshot(struct writer *w)
{
	char err[513];
	size_t len = 0;
	ssize_t n;
	int status = 0;

	while ((n = read(w->snap_pipe, err + len, sizeof(err) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || len + (size_t)n >= sizeof(err) - 1)
			break;
		len += (size_t)n;
	}
	err[len] = '\0';
	close(w->snap_pipe);
	while (waitpid(w->snap_pid, &status, 0) < 0 && errno == EINTR)
		;
	w->snap_pid = 0;
	w->snap_pipe = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (w->old_exists && unlink(w->p->old) == 0)
			w->old_exists = false;
		w->snapshot_failed = false;
		set_state(w, NULL);
		return;
	}
	snapshot_failed(w, len ? err : "lease file snapshot: writer child died");
	w->dirty = true; /* try again */
}

/* The daemon is gone: make the lease file whole and the journals empty. */
static void __attribute__((noreturn)) finish(struct writer *w)
{
	struct error err = { 0 };

	if (w->snap_pid > 0)
		finish_snapshot(w);
	if (w->dirty || w->old_exists) {
		int fd;

		if (store_snapshot_write(w->p, w->m, &err) < 0)
			_exit(EXIT_FILESYSTEM); /* journals intact: nothing lost */
		/* journal.old first: replayed without the journal after it, it would undo. */
		unlink(w->p->old);
		fd = store_journal_reset(w->p, w->m, now_wall(), &err);
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}

static int poll_timeout(const struct writer *w)
{
	uint64_t now, due;

	if (!w->dirty || w->snap_pid > 0)
		return -1;
	now = now_mono_ms();
	due = w->last_snapshot_ms +
	      SNAPSHOT_INTERVAL_MS * (1 + (uint64_t)w->m->used / SNAPSHOT_LEASES_PER_STEP);
	return now >= due ? 0 : (int)(due - now);
}

static void writer_loop(struct writer *w)
{
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = w->sock, .events = POLLIN },
			{ .fd = w->snap_pipe, .events = POLLIN },
		};

		if (w->acked_seq < w->synced_seq)
			pfd[0].events |= POLLOUT;
		if (poll(pfd, w->snap_pid > 0 ? 2 : 1, poll_timeout(w)) < 0 && errno != EINTR)
			_exit(EXIT_OTHER);
		if (w->snap_pid > 0 && pfd[1].revents)
			finish_snapshot(w);
		receive(w);
		commit_batch(w);
		send_ack(w);
		if (w->eof)
			finish(w);
		if (w->dirty && w->snap_pid == 0 && poll_timeout(w) == 0)
			start_snapshot(w);
	}
}

/* Keep stderr and the descriptors in keep[]; /dev/null on stdin and stdout. */
static void close_foreign_fds(const int *keep, size_t n)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int lo = 3;

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	/* keep[] is sorted and every entry is >= 3. */
	for (size_t i = 0; i < n; i++) {
		if (keep[i] > lo)
			close_range((unsigned)lo, (unsigned)keep[i] - 1, 0);
		lo = keep[i] + 1;
	}
	close_range((unsigned)lo, ~0U, 0);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void store_writer_run(const struct store_paths *p, struct store_map *m, int sock,
		      int lock_fd, int journal_fd)
{
	static const int ignored[] = { SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2 };
	struct writer w = {
		.p = p, .m = m, .sock = sock, .journal_fd = journal_fd, .snap_pipe = -1,
	};
	int keep[3] = { sock, lock_fd, journal_fd };
	struct stat st;
	sigset_t none;

	/* lxc-net signals the daemon; the writer finishes its work and sees EOF. */
	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
		signal(ignored[i], SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	log_close(); /* its descriptor is about to go */
	qsort(keep, ARRAY_SIZE(keep), sizeof(keep[0]), cmp_int);
	close_foreign_fds(keep, ARRAY_SIZE(keep));

	if (fstat(journal_fd, &st) == 0)
		w.journal_size = st.st_size;
	w.batch = xmalloc(BATCH_MAX + STORE_MSG_MAX);
	w.rx = xmalloc(STORE_MSG_MAX + 1);
	w.last_snapshot_ms = now_mono_ms();
	writer_loop(&w);
	_exit(0);
}

void store_map_set_lease(struct store_map *m, const struct lease *l)
{
	char line[LEASEFILE_LINE_MAX];
	int n = leasefile_format_line(l, line, sizeof(line));

	if (n > 0)
		store_map_set(m, l->addr, line, (size_t)n);
}

/* One line into m; false (with *why) when it is bad. */
static bool apply_loaded_line(struct store_map *m, const char *line, size_t len, bool journal,
			      const char **why)
{
	struct lease l;

	if (journal)
		return apply_record(m, line, len, why);
	switch (leasefile_parse_line(line, len, &l, why)) {
	case LEASEFILE_LEASE:
		store_map_set_lease(m, &l);
		return true;
	case LEASEFILE_SERVER_DUID:
		store_map_set_server_duid(m, l.client_id, l.client_id_len);
		return true;
	case LEASEFILE_SKIP:
		return true;
	case LEASEFILE_BAD:
		return false;
	}
	return false;
}

int store_map_load_file(struct store_map *m, const char *path, bool journal,
			store_bad_line_fn bad, void *ctx)
{
	char *buf = NULL;
	size_t len = 0, lineno = 0;
	int r = read_whole_file(path, &buf, &len);

	if (r != 0)
		return r;
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t llen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *why = NULL;

		lineno++;
		/*
		 * No newline: a write cut short.  In a lease file it is dnsmasq's
		 * rewrite killed half-way, and the fields it has may look whole
		 * while a client-id or name was cut: never take it as a lease.
		 */
		if (!nl) {
			bad(ctx, path, lineno, p, llen, journal ?
			    "incomplete last record (interrupted write)" :
			    "unterminated last line (a rewrite cut short)", true);
			break;
		}
		if (!apply_loaded_line(m, p, llen, journal, &why))
			bad(ctx, path, lineno, p, llen, why ? why : "bad line", false);
		p += llen + (nl ? 1 : 0);
	}
	free(buf);
	return 0;
}
