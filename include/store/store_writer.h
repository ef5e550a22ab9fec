/*
 * store_writer — the store's writing side, shared by src/store/store.c
 * (the daemon side), src/store/store_writer.c (the writer process) and
 * the unit tests: snapshots, journal appends, and the writer process.
 * Nothing outside the store should need this header; the files, the
 * record format and reading them back are include/store/store_read.h.
 *
 * Daemon and writer talk over a SOCK_SEQPACKET pair.  Every message starts
 * with struct store_msg; RECORDS carries journal lines after it and the
 * seq of the last one; ACK is exactly the header; LOG carries a message
 * the writer wants logged (it has no log of its own); STATE says the disk
 * started failing (seq 1, the error after the header) or works again
 * (seq 0), sent only when that changes.
 */
#ifndef LEASED_STORE_WRITER_H
#define LEASED_STORE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/error.h"

#include "store/store.h"
#include "store/store_read.h"

enum store_msg_type {
	STORE_MSG_RECORDS = 1,
	STORE_MSG_ACK = 2,
	STORE_MSG_LOG = 3,
	STORE_MSG_STATE = 4,
};

struct store_msg {
	uint32_t type;
	uint32_t reserved;
	uint64_t seq;
};

/* Largest message either side sends (header included). */
#define STORE_MSG_MAX (64 * 1024)

/*
 * Write m as the lease file: F.new, fsync; F.follows made to name F as it
 * is and F.new (durably: new file, fsync, rename, fsync of the
 * directory); then F.new renamed over F, fsync of the directory.  -1 with
 * err filled (naming the file) on failure.
 */
int store_snapshot_write(const struct store_paths *p, const struct store_map *m,
			 struct error *err);

/* fsync a directory, so renames and new names in it are durable. */
int store_fsync_dir(const char *dir);

/*
 * Make F.journal a fresh journal holding only m's quarantines in force at
 * now (F.journal.new, fsync, rename, fsync of the directory) and return it
 * open for appending; -1 with err filled on failure (F.journal untouched).
 */
int store_journal_reset(const struct store_paths *p, const struct store_map *m, time_t now,
			struct error *err);

/*
 * Append len bytes to the journal at fd, which is known to end at *size
 * after whole records, and fdatasync.  suspect: an earlier append failed,
 * so the file may end in torn bytes: they are cut off, or when that fails
 * too, closed with a newline first.  0 with *size at the new end; -1
 * (errno set) with *suspect true.
 */
int store_journal_append(int fd, off_t *size, bool *suspect, const char *buf, size_t len);

/* The writer process: never returns.  Keeps sock, lock_fd and journal_fd. */
void store_writer_run(const struct store_paths *p, struct store_map *m, int sock,
		      int lock_fd, int journal_fd) __attribute__((noreturn));

/* The writer's pid (tests kill it); -1 when there is none. */
pid_t store_writer_pid(const struct store *s);

#endif
