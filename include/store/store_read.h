/*
 * store_read — the store's files and record format, and reading them back
 * into a map: the read side, shared by src/store/store.c (the daemon's
 * load at start), src/store/store_writer.c (the writer process), leasectl
 * (reading the lease file while the daemon is down), the unit tests and
 * the fuzzer.  Writing (snapshots, journal appends, the writer process)
 * is include/store/store_writer.h, which leasectl never includes.
 * (Implemented in src/store/store_writer.c for now.)
 *
 * Files, for a lease file F:
 *   F          dnsmasq-format snapshot, replaced by rename only
 *   F.new      the snapshot being written
 *   F.journal  records appended since the last snapshot started
 *   F.journal.old  records of the previous journal while a snapshot that
 *              covers them is being written (deleted once it is in place)
 *   F.journal.new  a fresh journal being made (renamed over F.journal)
 *   F.lock     flock()ed by the one writer that owns these files
 *   F.rejected lines that could not be read back at start, each after a
 *              "# TIME FILE:LINE: REASON" line, appended and never read
 * Recovery reads F, F.journal.old, F.journal in that order.
 *
 * A journal record is one text line, "CCCCCCCC OP BODY\n": CCCCCCCC is the
 * checksum of "OP BODY" as 8 hex digits, OP is '+' (BODY: the whole lease
 * as a lease-file line, IPv4 or IPv6 as leasefile.h says), '-' (BODY: the
 * address removed) or 'Q' (BODY: "ADDR UNTIL", the address held back until
 * UNTIL, for `leasectl release`).  The family is the address's own: an
 * IPv6 address has colons, an IPv4 one none, so journals written before
 * IPv6 leases existed read back unchanged and need no version line.  Every record is a full state of one address, so replaying
 * any record twice, or a prefix of the journal over a snapshot that
 * already has it, is harmless.  The lease file has no place for a
 * quarantine (dnsmasq's format), so every journal the writer starts
 * begins with the quarantines still in force.  A record always starts a
 * line: a write cut short (full disk) is cut off again, or, when even
 * that fails, followed by a newline before anything else, so the torn
 * bytes fail their check alone and later records still pass theirs.
 */
#ifndef LEASED_STORE_READ_H
#define LEASED_STORE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lease/lease.h"
#include "lease/leasefile.h"

/* Longest journal record, newline included. */
#define STORE_RECORD_MAX (LEASEFILE_LINE_MAX + 16)

struct store_paths {
	char *file, *tmp, *journal, *old, *jtmp, *lock, *rejected, *dir;
	char *follows, *ftmp;    /* the lease files the journals go with (.follows, .follows.new) */
	char *stale, *stale_old; /* journals set aside: another program rewrote the file */
};

void store_paths_init(struct store_paths *p, const char *lease_file);
void store_paths_free(struct store_paths *p);

/* Format a record for lease l (add) or address addr (l == NULL: remove). */
int store_record_format(const struct lease *l, struct lease_addr addr, char *buf, size_t buflen);
/* Format a quarantine record: addr is held back until `until`. */
int store_record_format_quarantine(struct lease_addr addr, time_t until, char *buf,
				   size_t buflen);

/*
 * A lease file as leased wrote it: device, inode, size and modification
 * time.  Before each new lease file takes the name, LEASEFILE.follows is
 * made to name it and the one it replaces: the journals go with either.
 * dnsmasq rewrites the file in place, and a restore or a deletion
 * replaces it; either changes this, and the journals' records are then
 * older than the file (store_journals_follow).
 */
struct store_file_id {
	bool exists;
	uint64_t dev, ino, size, mtime_ns;
};

/* Of the file at path now; exists false when there is none.  -1 (errno) when it cannot be read. */
int store_file_id_of(const char *path, struct store_file_id *id);
/* A line of LEASEFILE.follows, checksummed like a journal record. */
int store_record_format_follows(const struct store_file_id *id, char *buf, size_t buflen);
/*
 * Whether the journals of p (journal.old, journal) go with the lease file
 * as it is now: true when LEASEFILE.follows names it, or does not exist
 * (a leased before it); false when another program rewrote, replaced or
 * removed the file since leased last wrote it, so replaying them would
 * undo that program's changes.
 */
bool store_journals_follow(const struct store_paths *p);

enum store_record {
	STORE_RECORD_ADD,
	STORE_RECORD_DEL,
	STORE_RECORD_QUARANTINE, /* out->addr, out->expires: until when */
	STORE_RECORD_BAD,
};
/* Parse one record (len bytes, trailing newline optional, not NUL-terminated). */
enum store_record store_record_parse(const char *line, size_t len, struct lease *out,
				     const char **why);

/* Address → lease-file line map: the state the writer snapshots (IPv4 lines first). */
struct store_map;
struct store_map *store_map_new(void);
void store_map_free(struct store_map *m);
size_t store_map_count(const struct store_map *m);
/*
 * The server's DUID (its "duid" line, written before the IPv6 leases as
 * dnsmasq does); store_map_server_duid copies it to out and returns its
 * length, 0 when there is none.
 */
void store_map_set_server_duid(struct store_map *m, const uint8_t *duid, size_t len);
size_t store_map_server_duid(const struct store_map *m, uint8_t *out, size_t outlen);
/* line: a whole lease-file line, newline included. */
void store_map_set(struct store_map *m, struct lease_addr addr, const char *line, size_t len);
/* The same for a lease, formatted as a lease-file line. */
void store_map_set_lease(struct store_map *m, const struct lease *l);

/* Hold addr back until `until` (replaces an earlier hold of addr). */
void store_map_quarantine(struct store_map *m, struct lease_addr addr, time_t until);
typedef void (*store_map_quarantine_fn)(void *ctx, struct lease_addr addr, time_t until);
/* Every hold that ends after now. */
void store_map_foreach_quarantine(const struct store_map *m, time_t now,
				  store_map_quarantine_fn fn, void *ctx);

/*
 * A line that was not applied (line, len: as read, without its newline):
 * why says what was wrong; torn means an unterminated last line (a write
 * cut short: in the journal never acknowledged, so ignoring it loses
 * nothing; in the lease file a rewrite by dnsmasq killed half-way).
 */
typedef void (*store_bad_line_fn)(void *ctx, const char *path, size_t lineno,
				  const char *line, size_t len, const char *why, bool torn);
/*
 * Apply every line of a lease file (journal false) or journal (true) to
 * m, in order; bad lines are reported and skipped.  0; 1 when path does
 * not exist; -1 (errno set) when it cannot be read.  The daemon's load
 * and leasectl's offline reading both use it.
 */
int store_map_load_file(struct store_map *m, const char *path, bool journal,
			store_bad_line_fn bad, void *ctx);
void store_map_del(struct store_map *m, struct lease_addr addr);
/* Apply one parsed record; false if it does not parse. */
bool store_map_apply(struct store_map *m, const char *rec, size_t len);
typedef void (*store_map_visit_fn)(void *ctx, struct lease_addr addr, const char *line, size_t len);
void store_map_foreach(const struct store_map *m, store_map_visit_fn fn, void *ctx);

#endif
