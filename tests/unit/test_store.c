/*
 * test_store — durability, in a fresh temporary directory per test: what
 * was acknowledged comes back after a reopen, after the daemon is killed
 * (with or without its writer) in the middle of a burst, and after a torn
 * journal record; a lease file dnsmasq wrote is read; expired leases are
 * dropped at load; the lease file is always whole and kept current while
 * the daemon runs; --leasefile-ro touches nothing.  One test times loading
 * and snapshotting 100,000 leases (printed, never asserted).
 *
 * fdatasync, fsync, ftruncate and rename are defined here, so the store
 * (linked in statically) calls these: they note each call in memory
 * shared with the forked writer, and can be made to fail.  That is how
 * the tests see that a reply is released only after the fdatasync that
 * covers its change, that a rename is followed by a directory fsync, and
 * what a failed append leaves behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lease/lease.h"
#include "lease/leasefile.h"
#include "core/log.h"
#include "store/reply_hold.h"
#include "test_files.h"
#include "store/store.h"
#include "store/store_writer.h"
#include "core/util.h"

#define NOW 1700000000

/* ---- system calls, watched ----------------------------------------- */

enum sys_ev { EV_DATASYNC = 1, EV_FSYNC_FILE, EV_FSYNC_DIR, EV_RENAME };

struct sys_event {
	int type;
	dev_t dev;
	ino_t ino;   /* of the file synced, or of the renamed file */
	off_t size;  /* synced size */
	char to[160];
};

#define MAX_EVENTS 8192
struct sys_log {
	int fail_datasync;  /* so many fdatasync calls fail with EIO */
	int fail_truncate;  /* ftruncate fails with EPERM while set */
	size_t n;
	struct sys_event ev[MAX_EVENTS];
};
static struct sys_log *syslog_shared; /* MAP_SHARED: the writer's calls land here too */

static void note(int type, int fd, const char *to)
{
	struct stat st;
	struct sys_event *e;
	size_t i;

	if (!syslog_shared)
		return;
	i = __atomic_fetch_add(&syslog_shared->n, 1, __ATOMIC_SEQ_CST);
	if (i >= MAX_EVENTS)
		return;
	e = &syslog_shared->ev[i];
	memset(e, 0, sizeof(*e));
	if (fd >= 0 && fstat(fd, &st) == 0) {
		e->dev = st.st_dev;
		e->ino = st.st_ino;
		e->size = st.st_size;
		if (type == EV_FSYNC_FILE && S_ISDIR(st.st_mode))
			type = EV_FSYNC_DIR;
	}
	if (to) {
		snprintf(e->to, sizeof(e->to), "%s", to);
		if (stat(to, &st) == 0) {
			e->dev = st.st_dev;
			e->ino = st.st_ino;
		}
	}
	e->type = type;
}

int fdatasync(int fd)
{
	int r;

	if (syslog_shared && syslog_shared->fail_datasync > 0) {
		syslog_shared->fail_datasync--;
		errno = EIO;
		return -1;
	}
	r = (int)syscall(SYS_fdatasync, fd);
	if (r == 0)
		note(EV_DATASYNC, fd, NULL);
	return r;
}

int fsync(int fd)
{
	int r = (int)syscall(SYS_fsync, fd);

	if (r == 0)
		note(EV_FSYNC_FILE, fd, NULL);
	return r;
}

int ftruncate(int fd, off_t len)
{
	if (syslog_shared && syslog_shared->fail_truncate) {
		errno = EPERM;
		return -1;
	}
	return (int)syscall(SYS_ftruncate, fd, len);
}

int rename(const char *from, const char *to)
{
	int r = renameat(AT_FDCWD, from, AT_FDCWD, to);

	if (r == 0)
		note(EV_RENAME, -1, to);
	return r;
}

/* The largest size of the file at path that an fdatasync or fsync covered; -1: none. */
static off_t synced_size(const char *path)
{
	struct stat st;
	off_t best = -1;

	if (stat(path, &st) < 0)
		return -1;
	for (size_t i = 0; i < MIN(syslog_shared->n, (size_t)MAX_EVENTS); i++) {
		const struct sys_event *e = &syslog_shared->ev[i];

		if ((e->type == EV_DATASYNC || e->type == EV_FSYNC_FILE) && e->dev == st.st_dev &&
		    e->ino == st.st_ino && e->size > best)
			best = e->size;
	}
	return best;
}

struct fixture {
	char dir[64];
	char file[128];
	char journal[160];
	char old[160];
	char log[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/test_store.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->file, sizeof(f->file), "%s/dnsmasq.leases", f->dir);
	snprintf(f->journal, sizeof(f->journal), "%s.journal", f->file);
	snprintf(f->old, sizeof(f->old), "%s.journal.old", f->file);
	snprintf(f->log, sizeof(f->log), "%s/log", f->dir);
	/* Warnings go to a file the tests read. */
	log_open("test_store", f->log);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char path[512];

	log_close();
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct in_addr ip_n(uint32_t host_order)
{
	struct in_addr a = { .s_addr = htonl(host_order) };

	return a;
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* A distinct lease for every i (address, MAC, client-id on odd i, name). */
static struct lease lease_n(uint32_t i, time_t expires)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	l.addr = lease_addr4(ip_n(0x0a000000 + 2 + i));
	l.htype = 1;
	l.hwlen = 6;
	l.hwaddr[0] = 0x02;
	memcpy(l.hwaddr + 2, &i, sizeof(i));
	if (i % 2) {
		l.client_id_len = 7;
		l.client_id[0] = 1;
		memcpy(l.client_id + 1, l.hwaddr, 6);
	}
	snprintf(l.hostname, sizeof(l.hostname), "c%u", i);
	l.expires = expires;
	return l;
}

static bool lease_same(const struct lease *a, const struct lease *b)
{
	return lease_addr_equal(&a->addr, &b->addr) && a->iaid == b->iaid && a->ia == b->ia &&
	       a->htype == b->htype &&
	       a->hwlen == b->hwlen && memcmp(a->hwaddr, b->hwaddr, a->hwlen) == 0 &&
	       a->client_id_len == b->client_id_len &&
	       memcmp(a->client_id, b->client_id, a->client_id_len) == 0 &&
	       strcmp(a->hostname, b->hostname) == 0 && a->expires == b->expires;
}

static void ignore_bad_line(void *ctx, const char *path, size_t lineno, const char *line,
			    size_t len, const char *why, bool torn)
{
	(void)ctx;
	(void)path;
	(void)lineno;
	(void)line;
	(void)len;
	(void)why;
	(void)torn;
}

/* Until everything queued is on disk; false if the writer died. */
static bool wait_durable(struct store *s)
{
	while (store_durable_seq(s) < store_pending_seq(s)) {
		struct pollfd pfd = { .fd = store_fd(s), .events = POLLIN };

		if (store_flush(s) < 0)
			return false;
		if (poll(&pfd, 1, 10000) <= 0)
			return false;
		if (store_handle_acks(s) < 0)
			return false;
	}
	return true;
}

static struct store *open_store(const struct fixture *f, struct lease_table *t, time_t now)
{
	struct error err = { 0 };
	struct store *s = store_open(f->file, false, false, t, now, &err);

	if (!s)
		fail_msg("store_open: %s (status %d)", err.msg, err.status);
	assert_int_equal(err.status, 0);
	return s;
}

struct compare {
	const struct lease_table *other;
	size_t n;
};

static void compare_visit(void *ctx, const struct lease *l)
{
	struct compare *c = ctx;
	const struct lease *o = lease_by_addr(c->other, l->addr);

	if (!o || !lease_same(l, o))
		fail_msg("lease %s differs after reload",
			 lease_addr_str(&l->addr, (char[LEASE_ADDR_STRLEN]){ 0 }, LEASE_ADDR_STRLEN));
	c->n++;
}

static void assert_tables_equal(const struct lease_table *a, const struct lease_table *b)
{
	struct compare c = { .other = b };

	assert_int_equal(lease_count(a), lease_count(b));
	lease_foreach(a, compare_visit, &c);
	assert_int_equal(c.n, lease_count(a));
}

/* Every line of the lease file is a whole lease; returns how many. */
static size_t assert_leasefile_whole(const char *path)
{
	char *text = read_text(path);
	char *p = text, *nl;
	size_t n = 0;

	assert_non_null(text);
	while ((nl = strchr(p, '\n'))) {
		struct lease l;
		const char *why = NULL;
		enum leasefile_line k = leasefile_parse_line(p, (size_t)(nl - p), &l, &why);

		if (k != LEASEFILE_LEASE && k != LEASEFILE_SERVER_DUID)
			fail_msg("bad lease file line \"%.*s\": %s", (int)(nl - p), p, why);
		n += k == LEASEFILE_LEASE;
		p = nl + 1;
	}
	assert_int_equal(*p, '\0'); /* ends with a newline: never half-written */
	free(text);
	return n;
}

/* ---- tests --------------------------------------------------------- */

static void test_reload_equals_saved(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t1 = lease_table_new(), *t2 = lease_table_new();
	struct store *s = open_store(f, t1, NOW);
	uint64_t renewed = 0;

	assert_int_equal(lease_count(t1), 0); /* a missing lease file is fine */
	for (uint32_t i = 0; i < 2000; i++) {
		struct lease l = lease_n(i, i % 7 ? NOW + 3600 + i : 0);

		assert_int_equal(lease_commit(t1, &l, LEASE_EV_GRANTED), 0);
		if (i % 100 == 0) /* several flushes, as loop iterations would */
			assert_int_equal(store_flush(s), 0);
	}
	for (uint32_t i = 0; i < 2000; i += 10)
		lease_remove(t1, lease_n(i, 0).addr, LEASE_EV_RELEASED);
	for (uint32_t i = 1; i < 2000; i += 10) {
		struct lease l = *lease_by_addr(t1, lease_n(i, 0).addr);

		/* Infinite stays infinite: nothing changes on disk, no record. */
		if (l.expires) {
			l.expires += 7200;
			renewed++;
		}
		lease_commit(t1, &l, LEASE_EV_RENEWED);
	}
	/* A name moves: the old holder's loss is saved too. */
	{
		struct lease l = lease_n(3, NOW + 9999);

		str_copy(l.hostname, "c5", sizeof(l.hostname));
		lease_commit(t1, &l, LEASE_EV_RENEWED);
	}
	assert_int_equal(store_pending_seq(s), 2000 + 200 + renewed + 2);
	assert_true(wait_durable(s));
	assert_int_equal(store_durable_seq(s), store_pending_seq(s));
	store_close(s);
	assert_int_equal(assert_leasefile_whole(f->file), lease_count(t1));

	s = open_store(f, t2, NOW);
	assert_tables_equal(t1, t2);
	assert_string_equal(lease_by_addr(t2, lease_n(5, 0).addr)->hostname, "");
	store_close(s);
	lease_table_free(t1);
	lease_table_free(t2);
}

static void test_leasefile_kept_current(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s = open_store(f, t, NOW);
	struct lease l = lease_n(1, NOW + 100);
	size_t n = 0;

	lease_commit(t, &l, LEASE_EV_GRANTED);
	assert_true(wait_durable(s));
	/* Within a second or so the lease file has the lease, while we run. */
	for (int i = 0; i < 40 && n == 0; i++) {
		poll(NULL, 0, 100);
		n = assert_leasefile_whole(f->file);
	}
	assert_int_equal(n, 1);
	store_close(s);
	lease_table_free(t);
}

static void test_dnsmasq_file_read(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s;
	char *log;

	/* Written by dnsmasq 2.90, plus one expired lease and one bad line. */
	write_text(f->file,
		   "1795554952 00:16:3e:aa:bb:ee 10.0.3.14 UpperName 01:00:16:3e:aa:bb:ee\n"
		   "1795554952 01- 10.0.3.13 nohw 01:02:03\n"
		   "1795554952 06-aa:bb:cc:dd:ee:ff 10.0.3.11 tok *\n"
		   "0 00:16:3e:aa:bb:cc 10.0.3.9 * *\n"
		   "1699999999 00:16:3e:aa:bb:dd 10.0.3.10 gone *\n"
		   "1795554952 de:21:82:c6:a7:e1 10.0.3.3 c1 01:de:21:82:c6:a7:e1\n"
		   "1795554952 zz:21:82:c6:a7:e1 10.0.3.4 bad *\n"
		   "duid 00:01:00:01:2c:d5:6a:11:00:16:3e:00:00:01\n"
		   "1795554952 1234567 fd42::5 c1 00:01:00:01:2c:d5:6a:11:de:21:82:c6:a7:e1\n");
	s = open_store(f, t, NOW);
	assert_int_equal(lease_count(t), 6);
	assert_non_null(lease_by_name(t, "uppername", AF_UNSPEC));
	/* c1's IPv6 lease names the same MAC in its DUID: one client, A and AAAA. */
	assert_non_null(lease_by_name(t, "c1", AF_INET));
	assert_non_null(lease_by_name(t, "c1", AF_INET6));
	assert_int_equal(lease_by_name(t, "c1", AF_INET6)->iaid, 1234567);
	assert_int_equal(lease_by_addr(t, lease_addr4(ip("10.0.3.11")))->htype, 6);
	assert_int_equal(lease_by_addr(t, lease_addr4(ip("10.0.3.9")))->expires, 0);
	assert_null(lease_by_addr(t, lease_addr4(ip("10.0.3.10")))); /* expired before now */
	assert_null(lease_by_addr(t, lease_addr4(ip("10.0.3.4"))));
	/* The bad line is named by file and line number. */
	log_flush();
	log = read_text(f->log);
	assert_non_null(log);
	assert_non_null(strstr(log, "dnsmasq.leases:7: bad hardware address"));
	free(log);
	/* The file was rewritten without the expired and the bad line. */
	assert_int_equal(assert_leasefile_whole(f->file), 6);
	/* dnsmasq's server DUID is kept, where dnsmasq writes it: before the v6 leases. */
	log = read_text(f->file);
	assert_non_null(strstr(log, "duid 00:01:00:01:2c:d5:6a:11:00:16:3e:00:00:01\n"
				    "1795554952 1234567 fd42::5 "));
	free(log);
	store_close(s);
	lease_table_free(t);
	/* And across the writer's own snapshots, with no v6 lease left: at the end. */
	write_text(f->file, "duid 00:01:00:01:2c:d5:6a:11:00:16:3e:00:00:02\n"
			    "1795554952 de:21:82:c6:a7:e1 10.0.3.3 c1 *\n");
	t = lease_table_new();
	s = open_store(f, t, NOW);
	store_close(s);
	log = read_text(f->file);
	assert_string_equal(log, "1795554952 de:21:82:c6:a7:e1 10.0.3.3 c1 *\n"
				 "duid 00:01:00:01:2c:d5:6a:11:00:16:3e:00:00:02\n");
	free(log);
	lease_table_free(t);
}

static void test_journal_replay_and_torn_record(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct lease a = lease_n(1, NOW + 100), b = lease_n(2, NOW + 100);
	struct lease c = lease_n(3, NOW + 100), d = lease_n(4, NOW + 100);
	char line[LEASEFILE_LINE_MAX], rec[STORE_RECORD_MAX], bad[STORE_RECORD_MAX];
	char journal[4 * STORE_RECORD_MAX] = "", old[2 * STORE_RECORD_MAX] = "";
	struct store *s;
	char *log;

	/* Lease file: a and b. */
	leasefile_format_line(&a, line, sizeof(line));
	write_text(f->file, line);
	leasefile_format_line(&b, line, sizeof(line));
	{
		FILE *fp = fopen(f->file, "a");

		fputs(line, fp);
		fclose(fp);
	}
	/* journal.old: c arrives with expiry +100, and a goes. */
	store_record_format(&c, c.addr, rec, sizeof(rec));
	strcat(old, rec);
	store_record_format(NULL, a.addr, rec, sizeof(rec));
	strcat(old, rec);
	write_text(f->old, old);
	/* journal: c renewed (later record wins), a corrupted record for b's
	 * removal (skipped), then d torn in the middle of its write. */
	c.expires = NOW + 500;
	store_record_format(&c, c.addr, rec, sizeof(rec));
	strcat(journal, rec);
	store_record_format(NULL, b.addr, bad, sizeof(bad));
	bad[0] = bad[0] == '0' ? '1' : '0';
	strcat(journal, bad);
	store_record_format(&d, d.addr, rec, sizeof(rec));
	rec[strlen(rec) - 1] = '\0'; /* no newline: torn */
	strcat(journal, rec);
	write_text(f->journal, journal);

	s = open_store(f, t, NOW);
	assert_int_equal(lease_count(t), 2);
	assert_null(lease_by_addr(t, a.addr));
	assert_non_null(lease_by_addr(t, b.addr));
	assert_int_equal(lease_by_addr(t, c.addr)->expires, NOW + 500);
	assert_null(lease_by_addr(t, d.addr));
	log_flush();
	log = read_text(f->log);
	assert_non_null(strstr(log, "dnsmasq.leases.journal:2: checksum mismatch"));
	assert_non_null(strstr(log, "dnsmasq.leases.journal:3: incomplete last record"));
	free(log);
	/* Compacted at open: the journals are empty or gone. */
	assert_int_equal(access(f->old, F_OK), -1);
	{
		struct stat st;

		assert_int_equal(stat(f->journal, &st), 0);
		assert_int_equal(st.st_size, 0);
	}
	assert_int_equal(assert_leasefile_whole(f->file), 2);
	store_close(s);
	lease_table_free(t);
}

/* ---- a lease file another program rewrote --------------------------- */

/* The lease file holds lease `in_file`, named in its .follows file; the journal adds `in_journal`. */
static void write_followed(const struct fixture *f, const struct lease *in_file,
			   const struct lease *in_journal)
{
	char line[LEASEFILE_LINE_MAX], rec[STORE_RECORD_MAX], follows[200];
	struct store_file_id id;

	leasefile_format_line(in_file, line, sizeof(line));
	write_text(f->file, line);
	assert_int_equal(store_file_id_of(f->file, &id), 0);
	assert_true(store_record_format_follows(&id, rec, sizeof(rec)) > 0);
	snprintf(follows, sizeof(follows), "%s.follows", f->file);
	write_text(follows, rec);
	store_record_format(in_journal, in_journal->addr, rec, sizeof(rec));
	write_text(f->journal, rec);
}

/* Open, and say which of leases a, b, c the table holds ("ab", "c"...). */
static void assert_loaded(const struct fixture *f, const char *want, const struct lease *a,
			  const struct lease *b, const struct lease *c)
{
	struct lease_table *t = lease_table_new();
	struct store *s = open_store(f, t, NOW);
	char got[4] = "";

	if (lease_by_addr(t, a->addr))
		strcat(got, "a");
	if (lease_by_addr(t, b->addr))
		strcat(got, "b");
	if (lease_by_addr(t, c->addr))
		strcat(got, "c");
	assert_string_equal(got, want);
	store_close(s);
	lease_table_free(t);
}

/*
 * leased was killed with changes in its journal; lxc-net then ran dnsmasq,
 * which rewrote the lease file in place (same inode); leased starts again.
 * The journal is older than the file: replaying it would bring back what
 * dnsmasq ended.  It is set aside, named in the log; the file wins.
 * Unchanged, the same journal is replayed: the check is what differs.
 */
static void test_journal_older_than_file_set_aside(void **state)
{
	struct fixture *f = *state;
	struct lease a = lease_n(1, NOW + 100), b = lease_n(2, NOW + 100), c = lease_n(3, NOW + 100);
	char line[LEASEFILE_LINE_MAX], stale[200];
	struct timespec later[2] = { { .tv_nsec = UTIME_OMIT }, { 0 } };
	char *log;

	write_followed(f, &a, &b);
	assert_loaded(f, "ab", &a, &b, &c);

	write_followed(f, &a, &b);
	/* dnsmasq's rewrite: the same file, truncated and written again. */
	leasefile_format_line(&c, line, sizeof(line));
	write_text(f->file, line);
	clock_gettime(CLOCK_REALTIME, &later[1]);
	later[1].tv_sec += 1; /* a different time even where clocks are coarse */
	assert_int_equal(utimensat(AT_FDCWD, f->file, later, 0), 0);
	assert_loaded(f, "c", &a, &b, &c);
	log_flush();
	log = read_text(f->log);
	assert_non_null(strstr(log, "was rewritten by another program since leased last wrote it"));
	free(log);
	snprintf(stale, sizeof(stale), "%s.stale", f->journal);
	assert_int_equal(access(stale, F_OK), 0);
}

/* The lease file removed (the administrator dropping every lease): the journal must not bring any back. */
static void test_journal_without_its_file_set_aside(void **state)
{
	struct fixture *f = *state;
	struct lease a = lease_n(1, NOW + 100), b = lease_n(2, NOW + 100), c = lease_n(3, NOW + 100);

	write_followed(f, &a, &b);
	unlink(f->file);
	assert_loaded(f, "", &a, &b, &c);
}

/*
 * The writer named each file it installed in the journal before the
 * rename: across snapshots, and killed at any point, the journals it
 * leaves go with the lease file it leaves.
 */
static void test_journals_follow_own_snapshots(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store_paths p;
	struct store *s;

	store_paths_init(&p, f->file);
	s = open_store(f, t, NOW);
	for (uint32_t i = 1; i <= 5; i++) {
		struct lease l = lease_n(i, NOW + 3600);

		lease_commit(t, &l, LEASE_EV_GRANTED);
		assert_true(wait_durable(s));
		assert_true(store_journals_follow(&p));
		poll(NULL, 0, 150); /* a snapshot: rotated journal, new file */
		assert_true(store_journals_follow(&p));
	}
	store_close(s);
	assert_true(store_journals_follow(&p));
	store_paths_free(&p);
	lease_table_free(t);
}

static void test_record_format_parse(void **state)
{
	struct lease l = lease_n(9, NOW), out;
	char rec[STORE_RECORD_MAX];
	const char *why;
	int n;

	(void)state;
	n = store_record_format(&l, l.addr, rec, sizeof(rec));
	assert_true(n > 12);
	assert_int_equal(rec[n - 1], '\n');
	assert_int_equal(store_record_parse(rec, (size_t)n, &out, &why), STORE_RECORD_ADD);
	assert_true(lease_same(&l, &out));
	n = store_record_format(NULL, l.addr, rec, sizeof(rec));
	assert_int_equal(store_record_parse(rec, (size_t)n, &out, &why), STORE_RECORD_DEL);
	assert_int_equal(out.addr.v4.s_addr, l.addr.v4.s_addr);
	/* Any single changed byte is caught. */
	for (int i = 0; i < n - 1; i++) {
		char copy[STORE_RECORD_MAX];

		memcpy(copy, rec, (size_t)n);
		copy[i] ^= 0x01;
		assert_int_equal(store_record_parse(copy, (size_t)n, &out, &why), STORE_RECORD_BAD);
		assert_non_null(why);
	}
	/* Every prefix of a record is rejected. */
	n = store_record_format(&l, l.addr, rec, sizeof(rec));
	for (int i = 0; i < n - 1; i++)
		assert_int_equal(store_record_parse(rec, (size_t)i, &out, &why), STORE_RECORD_BAD);
}

/*
 * Files written before IPv6 leases existed (by the daemon of 2026-12-07,
 * commit 8c75fb1: the bytes below are its output) read back to the same
 * leases, and every line and record is written again byte for byte.
 */
static const char pre_v6_file[] =
	"4102444800 02:00:00:00:00:01 10.0.3.11 alpha *\n"
	"0 02:00:00:00:00:02 10.0.3.12 * 01:02:00:00:00:00:02\n"
	"4102444800 06-02:00:00:00:00:03 10.0.3.13 gamma 01:02:00:00:00:00:03\n";
static const char *const pre_v6_journal[] = {
	"6bd31bfc + 4102444800 02:00:00:00:00:04 10.0.3.14 delta *\n",
	"1bd01431 - 10.0.3.12\n",
	"1bd00f18 - 10.0.3.11\n",
	"f73348d6 + 4102448400 02:00:00:00:00:01 10.0.3.15 alpha *\n",
	"8cb5fd0d Q 10.0.3.20 4102444800\n",
};

static void test_pre_v6_records_identical(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(pre_v6_journal); i++) {
		const char *rec = pre_v6_journal[i];
		char again[STORE_RECORD_MAX];
		struct lease l;
		int n = -1;

		switch (store_record_parse(rec, strlen(rec), &l, NULL)) {
		case STORE_RECORD_ADD:
			assert_int_equal(l.addr.family, AF_INET);
			n = store_record_format(&l, l.addr, again, sizeof(again));
			break;
		case STORE_RECORD_DEL:
			assert_int_equal(l.addr.family, AF_INET);
			n = store_record_format(NULL, l.addr, again, sizeof(again));
			break;
		case STORE_RECORD_QUARANTINE:
			n = store_record_format_quarantine(l.addr, l.expires, again, sizeof(again));
			break;
		case STORE_RECORD_BAD:
			fail_msg("record %zu no longer reads: %s", i, rec);
		}
		assert_int_equal(n, (int)strlen(rec));
		assert_string_equal(again, rec);
	}
}

static void test_pre_v6_files_read_back(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	const struct lease *l;
	struct store *s;
	char journal[1024] = "";
	char *text;

	for (size_t i = 0; i < ARRAY_SIZE(pre_v6_journal); i++)
		strcat(journal, pre_v6_journal[i]);
	write_text(f->file, pre_v6_file);
	write_text(f->journal, journal);
	s = open_store(f, t, NOW);
	assert_int_equal(lease_count(t), 3);
	assert_null(lease_by_addr(t, lease_addr4(ip("10.0.3.11"))));
	assert_null(lease_by_addr(t, lease_addr4(ip("10.0.3.12"))));
	l = lease_by_addr(t, lease_addr4(ip("10.0.3.13")));
	assert_non_null(l);
	assert_int_equal(l->htype, 6);
	assert_int_equal(l->client_id_len, 7);
	assert_string_equal(l->hostname, "gamma");
	assert_string_equal(lease_by_addr(t, lease_addr4(ip("10.0.3.14")))->hostname, "delta");
	l = lease_by_name(t, "alpha", AF_UNSPEC);
	assert_ptr_equal(l, lease_by_addr(t, lease_addr4(ip("10.0.3.15"))));
	assert_int_equal(l->expires, 4102448400);
	assert_true(lease_is_quarantined(t, lease_addr4(ip("10.0.3.20")), NOW));
	/* The compacted lease file holds the very lines that came in. */
	store_close(s);
	text = read_text(f->file);
	assert_non_null(text);
	assert_non_null(strstr(text, "4102444800 06-02:00:00:00:00:03 10.0.3.13 gamma "
				     "01:02:00:00:00:00:03\n"));
	assert_non_null(strstr(text, "4102444800 02:00:00:00:00:04 10.0.3.14 delta *\n"));
	assert_non_null(strstr(text, "4102448400 02:00:00:00:00:01 10.0.3.15 alpha *\n"));
	assert_int_equal(strlen(text), strlen("4102444800 06-02:00:00:00:00:03 10.0.3.13 "
						      "gamma 01:02:00:00:00:00:03\n") +
					       strlen("4102444800 02:00:00:00:00:04 10.0.3.14 "
						      "delta *\n") +
					       strlen("4102448400 02:00:00:00:00:01 10.0.3.15 "
						      "alpha *\n"));
	free(text);
	lease_table_free(t);
}

static void count_hold(void *ctx, struct lease_addr addr, time_t until)
{
	(void)addr;
	(void)until;
	(*(size_t *)ctx)++;
}

/* IPv6 leases, removals and holds go through the journal and come back. */
static void test_v6_journal_round_trip(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new(), *back;
	struct lease v4 = lease_n(1, NOW + 600), v6, ta;
	struct lease_addr gone;
	struct store *s;
	char *text, *v4_at, *v6_at;

	memset(&v6, 0, sizeof(v6));
	assert_true(lease_addr_parse("fd42::10", &v6.addr));
	memcpy(v6.client_id, "\x00\x03\x00\x01\x02\x00\x01\x00\x00\x00", 10);
	v6.client_id_len = 10;
	memcpy(v6.client_id + 4, v4.hwaddr, 6); /* DUID-LL of the v4 lease's MAC */
	v6.htype = 1;
	v6.hwlen = 6;
	memcpy(v6.hwaddr, v4.hwaddr, 6);
	v6.iaid = 7;
	v6.ia = LEASE_IA_NA;
	str_copy(v6.hostname, v4.hostname, sizeof(v6.hostname));
	v6.expires = NOW + 600;
	ta = v6;
	assert_true(lease_addr_parse("fd42::11", &ta.addr));
	ta.ia = LEASE_IA_TA;
	ta.hostname[0] = '\0';

	s = open_store(f, t, NOW);
	lease_commit(t, &v4, LEASE_EV_GRANTED);
	lease_commit(t, &v6, LEASE_EV_GRANTED);
	lease_commit(t, &ta, LEASE_EV_GRANTED);
	assert_true(lease_addr_parse("fd42::11", &gone));
	lease_remove(t, gone, LEASE_EV_RELEASED);
	/* Far ahead: the writer drops holds that ended by its own (wall) clock. */
	lease_quarantine(t, gone, 4102444800);
	store_quarantine(s, gone, 4102444800);
	assert_true(wait_durable(s));
	text = read_text(f->journal);
	assert_non_null(strstr(text, " - fd42::11\n"));
	assert_non_null(strstr(text, " Q fd42::11 "));
	free(text);
	/* Read back as recovery after a crash would: the journal holds all of it. */
	{
		struct store_map *m = store_map_new();
		size_t holds = 0;

		assert_int_equal(store_map_load_file(m, f->journal, true, ignore_bad_line, NULL), 0);
		assert_int_equal(store_map_count(m), 2);
		store_map_foreach_quarantine(m, NOW, count_hold, &holds);
		assert_int_equal(holds, 1);
		store_map_free(m);
	}
	store_close(s);
	back = lease_table_new();
	s = open_store(f, back, NOW);
	assert_tables_equal(t, back);
	assert_string_equal(lease_by_addr(back, v6.addr)->hostname, v4.hostname);
	assert_string_equal(lease_by_addr(back, v4.addr)->hostname, v4.hostname);
	assert_int_equal(lease_by_addr(back, v6.addr)->iaid, 7);
	assert_true(lease_is_quarantined(back, gone, NOW));
	/* Compacted: IPv4 lines first, then IPv6, as dnsmasq writes them. */
	store_close(s);
	text = read_text(f->file);
	v4_at = strstr(text, " 10.0.0.3 ");
	v6_at = strstr(text, " 7 fd42::10 c1 00:03:00:01:");
	assert_non_null(v4_at);
	assert_non_null(v6_at);
	assert_true(v4_at < v6_at);
	free(text);
	lease_table_free(back);
	lease_table_free(t);
}

static void test_expired_dropped_at_load(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s = open_store(f, t, NOW);

	for (uint32_t i = 0; i < 30; i++) {
		struct lease l = lease_n(i, i % 3 == 0 ? 0 : NOW + (time_t)i * 10);

		lease_commit(t, &l, LEASE_EV_GRANTED);
	}
	assert_true(wait_durable(s));
	store_close(s);
	lease_table_free(t);

	/* 150 s later: infinite leases and those ending after that stay. */
	t = lease_table_new();
	s = open_store(f, t, NOW + 150);
	for (uint32_t i = 0; i < 30; i++) {
		bool keep = i % 3 == 0 || NOW + (time_t)i * 10 > NOW + 150;

		assert_int_equal(lease_by_addr(t, lease_n(i, 0).addr) != NULL, keep);
	}
	store_close(s);
	lease_table_free(t);
}

static void test_read_only(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct error err = { 0 };
	struct store *s;
	struct lease l = lease_n(1, 0);
	DIR *d;
	struct dirent *e;
	size_t files = 0;

	write_text(f->file, "0 00:16:3e:aa:bb:cc 10.0.3.9 * *\n");
	s = store_open(f->file, true, false, t, NOW, &err);
	assert_non_null(s);
	assert_int_equal(err.status, 0);
	assert_int_equal(store_fd(s), -1);
	assert_int_equal(lease_count(t), 0); /* loads nothing */
	lease_commit(t, &l, LEASE_EV_GRANTED);
	assert_int_equal(store_flush(s), 0);
	assert_int_equal(store_handle_acks(s), 0);
	assert_int_equal(store_durable_seq(s), store_pending_seq(s));
	store_close(s);
	/* Writes nothing: only the lease file and our log are there. */
	d = opendir(f->dir);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			files++;
	closedir(d);
	assert_int_equal(files, 2);
	lease_table_free(t);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct error err = { 0 };
	char path[256];

	/* The lease file is a directory: unreadable, named in the message. */
	assert_int_equal(mkdir(f->file, 0755), 0);
	assert_null(store_open(f->file, false, false, t, NOW, &err));
	assert_int_equal(err.status, EXIT_FILESYSTEM);
	assert_non_null(strstr(err.msg, f->file));
	rmdir(f->file);
	/* A directory that does not exist. */
	snprintf(path, sizeof(path), "%s/missing/leases", f->dir);
	assert_null(store_open(path, false, false, t, NOW, &err));
	assert_int_equal(err.status, EXIT_FILESYSTEM);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(lease_count(t), 0);
	lease_table_free(t);
}

static void test_writer_death_reported(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s = open_store(f, t, NOW);
	struct lease l = lease_n(1, 0);
	struct pollfd pfd = { .fd = store_fd(s), .events = POLLIN };

	kill(store_writer_pid(s), SIGKILL);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(store_handle_acks(s), -1);
	lease_commit(t, &l, LEASE_EV_GRANTED);
	assert_int_equal(store_flush(s), -1);
	assert_true(store_durable_seq(s) < store_pending_seq(s));
	store_close(s);
	lease_table_free(t);
}

/* The writer ignores the signals lxc-net and a terminal send to the group. */
static void test_writer_ignores_term(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s = open_store(f, t, NOW);
	struct lease l = lease_n(1, 0);

	kill(store_writer_pid(s), SIGTERM);
	kill(store_writer_pid(s), SIGHUP);
	kill(store_writer_pid(s), SIGINT);
	poll(NULL, 0, 100);
	lease_commit(t, &l, LEASE_EV_GRANTED);
	assert_true(wait_durable(s));
	store_close(s);
	lease_table_free(t);
}

/* ---- kill -9 in the middle of a burst ------------------------------ */

/* Lease i's fate in the churn below: every 10th commit releases i-5. */
static bool churn_released(uint32_t i, uint32_t upto)
{
	return i % 10 == 5 && i + 5 < upto;
}

static bool release_in_flight(uint32_t i, uint32_t upto)
{
	return i % 10 == 5 && i + 5 >= upto;
}

/*
 * The "daemon": grant leases as fast as the store takes them, release some,
 * and after each acknowledgement tell the parent how many commits are
 * durable.  Never returns.
 */
static void churn_child(const struct fixture *f, int out)
{
	struct lease_table *t = lease_table_new();
	struct error err = { 0 };
	struct store *s = store_open(f->file, false, false, t, NOW, &err);
	uint32_t base = (uint32_t)lease_count(t), i = 0;
	int32_t pid;

	if (!s || base != 0)
		_exit(2);
	pid = store_writer_pid(s);
	if (write(out, &pid, sizeof(pid)) != sizeof(pid))
		_exit(3);
	for (;;) {
		/* A burst of 50 commits per "loop iteration". */
		for (int k = 0; k < 50; k++, i++) {
			struct lease l = lease_n(i, NOW + 3600);

			lease_commit(t, &l, LEASE_EV_GRANTED);
			if (i % 10 == 0 && i >= 5)
				lease_remove(t, lease_n(i - 5, 0).addr, LEASE_EV_RELEASED);
		}
		if (!wait_durable(s))
			_exit(4);
		if (write(out, &i, sizeof(i)) != sizeof(i))
			_exit(5);
	}
}

/* Run the churn, kill it after ms, reopen and check every acknowledged commit. */
static void kill_and_recover(const struct fixture *f, int ms, bool kill_writer)
{
	int pfd[2];
	pid_t child;
	int32_t writer = -1;
	uint32_t durable = 0, v;
	struct lease_table *t;
	struct store *s;
	uint64_t start;

	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pfd[0]);
		churn_child(f, pfd[1]);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &writer, sizeof(writer)), sizeof(writer));
	assert_true(writer > 0);
	start = now_mono_ms();
	while (now_mono_ms() - start < (uint64_t)ms &&
	       read(pfd[0], &v, sizeof(v)) == sizeof(v))
		durable = v;
	kill(child, SIGKILL);
	if (kill_writer)
		kill(writer, SIGKILL);
	/* Whatever the child reported before it died is acknowledged too. */
	while (read(pfd[0], &v, sizeof(v)) == sizeof(v))
		durable = v;
	close(pfd[0]);
	waitpid(child, NULL, 0);
	assert_true(durable > 0);

	/* The lease file is whole at any instant. */
	assert_leasefile_whole(f->file);
	t = lease_table_new();
	s = open_store(f, t, NOW);
	for (uint32_t i = 0; i < durable; i++) {
		const struct lease *l = lease_by_addr(t, lease_n(i, 0).addr);
		struct lease want = lease_n(i, NOW + 3600);

		if (churn_released(i, durable)) {
			if (l)
				fail_msg("released lease %u of %u is back", i, durable);
		} else if (release_in_flight(i, durable)) {
			/* Released by the batch after the last one reported: that
			 * batch may or may not have reached the disk before the
			 * kill, so either state is correct. */
		} else if (!l || !lease_same(l, &want)) {
			fail_msg("acknowledged lease %u of %u lost (writer %s)", i, durable,
				 kill_writer ? "killed" : "alive");
		}
	}
	printf("   kill after %d ms (writer %s): %u durable commits, all recovered\n", ms,
	       kill_writer ? "killed too" : "finishing", durable);
	store_close(s);
	lease_table_free(t);
	/* Next round starts from nothing. */
	unlink(f->file);
}

/*
 * A renewal that changes no byte of the lease's line queues nothing, so
 * its ACK does not wait for a sync; a real change does.
 */
static void test_unchanged_renewal_writes_nothing(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s = open_store(f, t, NOW);
	struct lease l = lease_n(1, NOW + 3600);
	uint64_t before;

	lease_commit(t, &l, LEASE_EV_GRANTED);
	store_flush(s);
	assert_true(wait_durable(s));
	before = store_pending_seq(s);
	lease_commit(t, &l, LEASE_EV_RENEWED);
	assert_int_equal(store_pending_seq(s), before);
	l.expires++;
	lease_commit(t, &l, LEASE_EV_RENEWED);
	assert_true(store_pending_seq(s) > before);
	store_flush(s);
	assert_true(wait_durable(s));
	store_close(s);
	lease_table_free(t);
}

static void test_kill_daemon_and_writer(void **state)
{
	struct fixture *f = *state;

	/* Before, around and after the first snapshot rotations. */
	kill_and_recover(f, 300, true);
	kill_and_recover(f, 1100, true);
	kill_and_recover(f, 2600, true);
}

static void test_kill_daemon_only(void **state)
{
	struct fixture *f = *state;

	/* lxc-net's kill -9: the writer finishes, the next start waits for it. */
	kill_and_recover(f, 700, false);
	kill_and_recover(f, 1800, false);
}

/* ---- durability that a test can see -------------------------------- */

/*
 * A reply waiting for a change is released once the store confirms it,
 * and by then an fdatasync of the journal has covered the record.
 */
static void test_reply_released_after_fdatasync(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s = open_store(f, t, NOW);
	struct reply_hold *h = reply_hold_new(sizeof(int), 8, 3000);
	struct lease l = lease_n(1, NOW + 3600);
	struct stat st;

	syslog_shared->n = 0;
	lease_commit(t, &l, LEASE_EV_GRANTED);
	*(int *)reply_hold_push(h, store_pending_seq(s), 0) = 1;
	assert_int_equal(reply_hold_ready(h, store_durable_seq(s), 0), 0);
	assert_int_equal(store_flush(s), 0);
	assert_int_equal(reply_hold_ready(h, store_durable_seq(s), 0), 0);
	assert_true(wait_durable(s));
	assert_int_equal(reply_hold_ready(h, store_durable_seq(s), 1), 1);
	assert_int_equal(*(int *)reply_hold_at(h, 0), 1);
	assert_int_equal(stat(f->journal, &st), 0);
	assert_true(st.st_size > 0);
	if (synced_size(f->journal) < st.st_size)
		fail_msg("reply released with %lld journal bytes, only %lld of them synced",
			 (long long)st.st_size, (long long)synced_size(f->journal));
	reply_hold_free(h);
	store_close(s);
	lease_table_free(t);
}

/* Every rename into place (lease file, fresh journal) is made durable at once. */
static void test_rename_then_directory_fsync(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s;
	struct lease l = lease_n(1, NOW + 3600);
	size_t renames = 0;

	syslog_shared->n = 0;
	s = open_store(f, t, NOW);
	lease_commit(t, &l, LEASE_EV_GRANTED);
	assert_true(wait_durable(s));
	poll(NULL, 0, 1300); /* a snapshot: journal rotated, lease file renamed */
	l.expires++;
	lease_commit(t, &l, LEASE_EV_RENEWED);
	assert_true(wait_durable(s));
	store_close(s);
	for (size_t i = 0; i < syslog_shared->n; i++) {
		const struct sys_event *e = &syslog_shared->ev[i];
		size_t j;

		if (e->type != EV_RENAME || str_has_suffix(e->to, ".journal.old"))
			continue;
		renames++;
		/* The next thing its process did: the directory's fsync. */
		for (j = i + 1; j < syslog_shared->n; j++)
			if (syslog_shared->ev[j].type == EV_FSYNC_DIR ||
			    (syslog_shared->ev[j].dev == e->dev && syslog_shared->ev[j].ino == e->ino))
				break;
		if (j == syslog_shared->n || syslog_shared->ev[j].type != EV_FSYNC_DIR)
			fail_msg("rename to %s not followed by an fsync of its directory", e->to);
	}
	/* Open (lease file, journal), one snapshot, close (lease file, journal). */
	assert_true(renames >= 5);
	lease_table_free(t);
}

/* ---- failing disk -------------------------------------------------- */

/*
 * An append that fails is cut off; when even that fails, the next record
 * starts on a line of its own, so it and every later one pass their check.
 */
static void test_append_after_failed_write(void **state)
{
	struct fixture *f = *state;
	struct lease a = lease_n(1, NOW + 100), b = lease_n(2, NOW + 100), c = lease_n(3, NOW + 100);
	char ra[STORE_RECORD_MAX], rb[STORE_RECORD_MAX], rc[STORE_RECORD_MAX];
	int na = store_record_format(&a, a.addr, ra, sizeof(ra));
	int nb = store_record_format(&b, b.addr, rb, sizeof(rb));
	int nc = store_record_format(&c, c.addr, rc, sizeof(rc));
	int fd = open(f->journal, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0644);
	struct store_map *m = store_map_new();
	off_t size = 0;
	bool suspect = false;
	struct stat st;

	assert_true(fd >= 0 && na > 0 && nb > 0 && nc > 0);
	assert_int_equal(store_journal_append(fd, &size, &suspect, ra, (size_t)na), 0);
	assert_int_equal(size, na);
	/* The sync fails: the record is cut off again. */
	syslog_shared->fail_datasync = 1;
	assert_int_equal(store_journal_append(fd, &size, &suspect, rb, (size_t)nb), -1);
	assert_int_equal(errno, EIO);
	assert_true(suspect);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, na);
	/* Half a record made it and cannot be cut off (EIO on truncate). */
	assert_int_equal(write(fd, rb, (size_t)nb / 2), nb / 2);
	syslog_shared->fail_truncate = 1;
	assert_int_equal(store_journal_append(fd, &size, &suspect, rc, (size_t)nc), 0);
	syslog_shared->fail_truncate = 0;
	assert_false(suspect);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(size, st.st_size);
	/* And the next append goes on from there. */
	assert_int_equal(store_journal_append(fd, &size, &suspect, rb, (size_t)nb), 0);
	close(fd);
	assert_int_equal(store_map_load_file(m, f->journal, true, ignore_bad_line, NULL), 0);
	assert_int_equal(store_map_count(m), 3);
	store_map_free(m);
}

/*
 * The writer cannot sync: it says so once, the store shows it, and stalls
 * after STORE_STALL_MS (time passed in); once syncs work again the change
 * is confirmed and the recovery said once.
 */
static void test_failing_disk_reported_once(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s = open_store(f, t, NOW);
	struct lease l = lease_n(1, NOW + 3600);
	struct store_health hl;
	uint64_t start;
	char *log, *p;
	int fails = 0, recoveries = 0;

	syslog_shared->fail_datasync = 1 << 30;
	lease_commit(t, &l, LEASE_EV_GRANTED);
	assert_int_equal(store_flush(s), 0);
	start = now_mono_ms();
	do {
		struct pollfd pfd = { .fd = store_fd(s), .events = POLLIN };

		poll(&pfd, 1, 100);
		assert_int_equal(store_handle_acks(s), 0);
		store_health(s, &hl);
	} while (!hl.failing && now_mono_ms() - start < 5000);
	assert_true(hl.failing);
	assert_non_null(strstr(hl.error, "Input/output error"));
	assert_int_equal(hl.waiting, 1);
	poll(NULL, 0, 2500); /* several retries: still one report */
	assert_int_equal(store_handle_acks(s), 0);
	assert_true(store_durable_seq(s) < store_pending_seq(s));
	assert_false(store_stalled(s, now_mono_ms()));
	assert_true(store_stalled(s, now_mono_ms() + STORE_STALL_MS));

	syslog_shared->fail_datasync = 0;
	assert_true(wait_durable(s));
	assert_false(store_stalled(s, now_mono_ms() + STORE_STALL_MS));
	for (int i = 0; i < 20 && hl.failing; i++) {
		struct pollfd pfd = { .fd = store_fd(s), .events = POLLIN };

		poll(&pfd, 1, 100);
		store_handle_acks(s);
		store_health(s, &hl);
	}
	assert_false(hl.failing);
	store_close(s);
	log_flush();
	log = read_text(f->log);
	for (p = log; (p = strstr(p, "lease store failing")); p++)
		fails++;
	for (p = log; (p = strstr(p, "lease store works again")); p++)
		recoveries++;
	assert_int_equal(fails, 1);
	assert_int_equal(recoveries, 1);
	free(log);
	lease_table_free(t);
}

/* ---- `leasectl release`: the quarantine is on disk ----------------- */

static void test_quarantine_survives_kill(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s;
	/* The writer drops ended holds by the wall clock: real time here. */
	time_t now = time(NULL);
	struct lease a = lease_n(1, now + 7200), b = lease_n(2, now + 7200);

	s = open_store(f, t, now);
	lease_commit(t, &a, LEASE_EV_GRANTED);
	lease_commit(t, &b, LEASE_EV_GRANTED);
	assert_true(wait_durable(s));
	lease_remove(t, a.addr, LEASE_EV_RELEASED);
	store_quarantine(s, a.addr, now + 3600);
	assert_true(wait_durable(s));
	/* A snapshot and a journal rotation in between must keep it. */
	b.expires++;
	lease_commit(t, &b, LEASE_EV_RENEWED);
	assert_true(wait_durable(s));
	poll(NULL, 0, 1300);
	kill(store_writer_pid(s), SIGKILL);
	store_close(s);
	lease_table_free(t);

	t = lease_table_new();
	s = open_store(f, t, now + 10);
	assert_null(lease_by_addr(t, a.addr));
	assert_non_null(lease_by_addr(t, b.addr));
	assert_true(lease_is_quarantined(t, a.addr, now + 10));
	assert_false(lease_is_quarantined(t, b.addr, now + 10));
	/* And a clean stop and start (final snapshot, fresh journal) keep it too. */
	store_close(s);
	lease_table_free(t);
	t = lease_table_new();
	s = open_store(f, t, now + 20);
	assert_true(lease_is_quarantined(t, a.addr, now + 20));
	store_close(s);
	lease_table_free(t);
	/* Until it ends. */
	t = lease_table_new();
	s = open_store(f, t, now + 3600);
	assert_false(lease_is_quarantined(t, a.addr, now + 3600));
	store_close(s);
	lease_table_free(t);
}

/* ---- a damaged lease file ------------------------------------------ */

static void test_rejected_lines_kept(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store *s;
	char rejected[200], *text;

	snprintf(rejected, sizeof(rejected), "%s.rejected", f->file);
	write_text(f->file,
		   "1795554952 00:16:3e:aa:bb:01 10.0.3.11 one 01:00:16:3e:aa:bb:01\n"
		   "1795554952 zz:16:3e:aa:bb:02 10.0.3.12 two *\n"
		   "1795554952 00:16:3e:aa:bb:03 10.0.3.13 three 01\n"
		   "1795554952 00:16:3e:aa:bb:04 10.0.3.14 four *\n"
		   /* dnsmasq's rewrite, killed in the middle of a client-id */
		   "1795554952 00:16:3e:aa:bb:05 10.0.3.15 five 01:00:1");
	s = open_store(f, t, NOW);
	assert_int_equal(lease_count(t), 2);
	assert_non_null(lease_by_addr(t, lease_addr4(ip("10.0.3.11"))));
	assert_non_null(lease_by_addr(t, lease_addr4(ip("10.0.3.14"))));
	assert_null(lease_by_addr(t, lease_addr4(ip("10.0.3.15"))));
	assert_null(lease_by_addr(t, lease_addr4(ip("10.0.3.13"))));
	assert_int_equal(assert_leasefile_whole(f->file), 2);
	text = read_text(rejected);
	assert_non_null(text);
	assert_non_null(strstr(text, "dnsmasq.leases:2: bad hardware address\n"
				     "1795554952 zz:16:3e:aa:bb:02 10.0.3.12 two *\n"));
	assert_non_null(strstr(text, "dnsmasq.leases:3: client-id shorter than 2 bytes\n"
				     "1795554952 00:16:3e:aa:bb:03 10.0.3.13 three 01\n"));
	assert_non_null(strstr(text, "dnsmasq.leases:5: unterminated last line (a rewrite cut short)\n"
				     "1795554952 00:16:3e:aa:bb:05 10.0.3.15 five 01:00:1\n"));
	assert_true(text[0] == '#');
	free(text);
	store_close(s);
	lease_table_free(t);
	/* The next start finds nothing wrong and appends nothing. */
	t = lease_table_new();
	s = open_store(f, t, NOW);
	text = read_text(rejected);
	assert_non_null(strstr(text, "five 01:00:1\n"));
	assert_null(strstr(strstr(text, "five 01:00:1\n"), "#"));
	free(text);
	store_close(s);
	lease_table_free(t);
}

/* ---- 100,000 leases ------------------------------------------------ */

static double ms_since(uint64_t start)
{
	return (double)(now_mono_ms() - start);
}

static void test_timing_100k(void **state)
{
	struct fixture *f = *state;
	struct lease_table *t = lease_table_new();
	struct store_map *m = store_map_new();
	struct store_paths p;
	struct store *s = open_store(f, t, NOW);
	const uint32_t n = 100000;
	uint64_t start;
	struct error err = { 0 };
	double commit_ms, durable_ms, close_ms, load_ms, snap_ms;

	start = now_mono_ms();
	for (uint32_t i = 0; i < n; i++) {
		struct lease l = lease_n(i, NOW + 3600);

		lease_commit(t, &l, LEASE_EV_GRANTED);
		if (i % 1000 == 999)
			store_flush(s);
	}
	commit_ms = ms_since(start);
	start = now_mono_ms();
	assert_true(wait_durable(s));
	durable_ms = ms_since(start);
	start = now_mono_ms();
	store_close(s);
	close_ms = ms_since(start);
	lease_table_free(t);

	t = lease_table_new();
	start = now_mono_ms();
	s = open_store(f, t, NOW);
	load_ms = ms_since(start);
	assert_int_equal(lease_count(t), n);

	/* The snapshot alone, as the writer's child writes it each second. */
	store_paths_init(&p, f->file);
	for (uint32_t i = 0; i < n; i++) {
		struct lease l = lease_n(i, NOW + 3600);
		char line[LEASEFILE_LINE_MAX];
		int len = leasefile_format_line(&l, line, sizeof(line));

		store_map_set(m, l.addr, line, (size_t)len);
	}
	store_close(s); /* the writer must not race our snapshot */
	start = now_mono_ms();
	assert_int_equal(store_snapshot_write(&p, m, &err), 0);
	snap_ms = ms_since(start);
	assert_int_equal(assert_leasefile_whole(f->file), n);
	printf("   100000 leases: commit+queue %.0f ms, journal until durable %.0f ms, "
	       "close %.0f ms,\n   open (load + compaction snapshot) %.0f ms, "
	       "snapshot alone %.0f ms\n", commit_ms, durable_ms, close_ms, load_ms, snap_ms);
	store_paths_free(&p);
	store_map_free(m);
	lease_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reload_equals_saved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leasefile_kept_current, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dnsmasq_file_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_replay_and_torn_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_journal_older_than_file_set_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_without_its_file_set_aside, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_journals_follow_own_snapshots, setup, teardown),
		cmocka_unit_test(test_record_format_parse),
		cmocka_unit_test(test_pre_v6_records_identical),
		cmocka_unit_test_setup_teardown(test_pre_v6_files_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_journal_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_dropped_at_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_death_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_ignores_term, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_renewal_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_daemon_and_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_daemon_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_released_after_fdatasync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_then_directory_fsync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_after_failed_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_disk_reported_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quarantine_survives_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_lines_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timing_100k, setup, teardown),
	};

	syslog_shared = mmap(NULL, sizeof(*syslog_shared), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (syslog_shared == MAP_FAILED)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
