/*
 * store — durability of the lease table.
 *
 * Promise: once store_durable_seq() has reached the sequence number
 * store_pending_seq() returned after a change, that change is on disk
 * (fsync'd) and survives kill -9 at any later instant.  The DHCP server
 * holds each reply until then.
 *
 * How: changes are appended to a journal (LEASEFILE.journal) and synced
 * in groups — everything queued during one loop iteration costs one
 * fdatasync — by a small writer process forked before the daemon drops
 * privileges, so it can still create and rename files in the root-owned
 * lease directory (/var/lib/misc).  The writer also keeps the dnsmasq-format
 * lease file current within a second of a change: it writes a new file,
 * fsyncs it, renames it over the old one and fsyncs the directory, so a
 * reader never sees a half-written file; only then is the journal emptied.
 * Nothing is rewritten in place.  At start the lease file, then the
 * journal, are read back, so recovery sees every acknowledged change.
 * Granting a lease costs an append, never a rewrite of all leases.
 * (The snapshot is written while the journal carries on: the journal is
 * first renamed to LEASEFILE.journal.old, read back between the two.
 * LEASEFILE.lock keeps a new daemon from loading while the writer of a
 * killed one is still finishing.  Details: src/store/store_writer.c.)
 *
 * A full or failing disk: the writer keeps retrying, says once that it
 * fails and once that it works again (store_health()), and cuts off what
 * a failed write left, so the journal stays readable.  Changes it cannot
 * confirm for STORE_STALL_MS make store_stalled() true: the daemon then
 * exits (EXIT_FILESYSTEM) for its supervisor to restart it, rather than
 * hold every lease change forever.
 */
#ifndef LEASED_STORE_H
#define LEASED_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h"

#include "lease/lease.h"

struct store;

/*
 * Load LEASEFILE (dnsmasq's format, also one dnsmasq wrote) and its
 * journal into t, dropping leases that expired before now, then fork the
 * writer and register as an observer of t.  Call as root, before the
 * privilege drop.  read_only (--leasefile-ro): load nothing, write
 * nothing, every change is "durable" at once.  want_server_duid (DHCPv6
 * is served): the server DUID is the lease file's "duid" line, or, when
 * it has none, a new DUID-UUID written there before store_open returns
 * (with --leasefile-ro, a new one each start).
 * Returns NULL with err filled on failure (the message names the file
 * and line, the status is EXIT_FILESYSTEM or EXIT_OTHER).
 */
struct store *store_open(const char *lease_file, bool read_only, bool want_server_duid,
			 struct lease_table *t, time_t now, struct error *err);
/* The server's DUID (*duid) and its length; 0 when there is none. */
size_t store_server_duid(const struct store *s, const uint8_t **duid);

/* The descriptor to watch for readability (writer acknowledgements). */
int store_fd(const struct store *s);
/* Send what was queued since the last flush to the writer (once per loop iteration). */
int store_flush(struct store *s);
/* Sequence number of the newest queued change. */
uint64_t store_pending_seq(const struct store *s);
/* Newest change known to be on disk. */
uint64_t store_durable_seq(const struct store *s);
/* Read acknowledgements; call when store_fd() is readable.  -1: writer died. */
int store_handle_acks(struct store *s);
/* Flush, wait until everything is durable, stop the writer. */
void store_close(struct store *s);

/*
 * Hold addr back until `until` on disk as well (a journal record), so a
 * restart keeps it held: `leasectl release`.  The caller quarantines it
 * in the table too.  Durable once store_durable_seq() reaches
 * store_pending_seq().
 */
void store_quarantine(struct store *s, struct lease_addr addr, time_t until);

#define STORE_STALL_MS 60000
/* Bytes of changes waiting for the writer beyond which the store counts as stalled. */
#define STORE_QUEUE_MAX (64u * 1024 * 1024)

struct store_health {
	bool failing;        /* the writer reports that it cannot write */
	uint64_t since_ms;   /* monotonic: when it started failing */
	char error[256];     /* the writer's last error while failing */
	uint64_t waiting;    /* changes not yet confirmed durable */
};
void store_health(const struct store *s, struct store_health *out);
/*
 * True when changes have waited for the disk for STORE_STALL_MS at
 * now_ms (monotonic) without the writer confirming any, or more than
 * STORE_QUEUE_MAX bytes of them wait to be sent.
 */
bool store_stalled(const struct store *s, uint64_t now_ms);

#endif
