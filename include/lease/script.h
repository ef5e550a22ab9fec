/*
 * script — --dhcp-script: run an external program on every lease event,
 * with dnsmasq's arguments and environment, and --leasefile-ro's "init".
 *
 *   add MAC IP [HOSTNAME]   a new lease
 *   old MAC IP [HOSTNAME]   a renewal or change of a lease, and every lease
 *                           loaded at start (DNSMASQ_DATA_MISSING=1)
 *   del MAC IP [HOSTNAME]   released, expired, declined or displaced
 *   init                    once at start with --leasefile-ro: the program
 *                           prints the lease database in lease-file format
 *
 * The program runs in a helper process forked at start while the daemon
 * is still root (so, as with dnsmasq, scripts run as root unless a script
 * user is given), one at a time, in event order.  The daemon hands it
 * fixed-size, length-checked event records over a socketpair and never
 * waits for it: records that do not fit in the socket wait in a FIFO in
 * the daemon, bounded (SCRIPT_QUEUE_MAX) so a script that never returns
 * costs a counted, logged loss of events and never memory or DHCP
 * answers.  The helper reports each finished run back (and what the
 * script printed, a non-zero exit or a signal), which is also what wakes
 * the daemon to send the next records.
 *
 * The event mapping, the record encoding and the argument/environment
 * building are pure functions, unit-tested without processes.
 */
#ifndef LEASED_SCRIPT_H
#define LEASED_SCRIPT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lease/lease.h"
#include "core/loop.h"
#include "net/netlink.h"

#define SCRIPT_QUEUE_MAX 4096    /* events waiting in the daemon at most */
#define SCRIPT_INIT_MAX (64u << 20) /* bytes of "init" output read at most */
#define SCRIPT_INIT_EXIT_BASE 10 /* dnsmasq's EC_INIT_OFFSET: init exit N -> 10+N */

struct script;

struct script_config {
	const char *path;        /* --dhcp-script: absolute path of the program */
	const char *user;        /* --dhcp-scriptuser; NULL: stay root */
	const char *domain;      /* -s; NULL, "" or "#": no DNSMASQ_DOMAIN */
	bool log_dhcp;           /* --log-dhcp: DNSMASQ_LOG_DHCP=1 */
	const struct netlink *nl; /* names DNSMASQ_INTERFACE; NULL: never set */
};

/*
 * Fork the helper (call as root, before the privilege drop) and watch its
 * reports on loop.  NULL with err and *status on failure: EXIT_CONFIG for
 * a relative path (dnsmasq does no PATH search) or an unknown user,
 * EXIT_FILESYSTEM for a program that is missing or not executable,
 * EXIT_OTHER when the helper cannot be started.
 */
struct script *script_new(const struct script_config *cfg, struct loop *loop,
			  char *err, size_t errlen, int *status);
/*
 * Hand what is still queued to the helper (briefly, without waiting for
 * any script) and close the channel; the helper finishes the events it
 * has and exits.
 */
void script_free(struct script *s);

/* The lease observer: register with lease_table_add_observer(t, script_lease_changed, s). */
void script_lease_changed(void *ctx, const struct lease *old, const struct lease *new,
			  enum lease_event ev);

/*
 * --leasefile-ro: run "PATH init" (as root, now, waiting for it), read
 * the lease database it prints and commit every unexpired lease into t as
 * LEASE_EV_LOADED (the observer then reports them as "old"; an expired
 * one gets "del", as dnsmasq does).  Bad lines are skipped with a
 * warning naming the line.  A program that cannot be run, fails, or is
 * killed is an error: -1 with err and *status (exit status 10+N for
 * "exited with N", as dnsmasq).
 */
int script_load_init(struct script *s, struct lease_table *t, time_t now,
		     char *err, size_t errlen, int *status);

/* SIGHUP: an "old" event for every lease, as dnsmasq does on reload. */
void script_rerun(struct script *s, const struct lease_table *t);

/* Counters (leasectl stats, SIGUSR1). */
struct script_stats {
	uint64_t queued, sent, done, failed, dropped;
	size_t waiting; /* in the daemon's FIFO now */
};
void script_get_stats(const struct script *s, struct script_stats *out);

/* ---- pure parts, exposed for the unit tests ------------------------- */

enum script_action {
	SCRIPT_ADD = 1,
	SCRIPT_OLD,
	SCRIPT_DEL,
	SCRIPT_OLD_HOSTNAME, /* "old MAC IP", DNSMASQ_OLD_HOSTNAME=hostname */
};

#define SCRIPT_F_DATA_MISSING 0x01

/*
 * One event, as recorded when the lease changed.  For SCRIPT_OLD_HOSTNAME
 * hostname is the name the lease lost.  Both ends of the channel are the
 * same program (the helper is forked, never exec'd), so the record is
 * this structure's bytes; the reader still checks its length and every
 * field before using it.
 */
struct script_event {
	uint32_t magic;                       /* SCRIPT_EVENT_MAGIC */
	uint8_t action;                       /* enum script_action */
	uint8_t flags;                        /* SCRIPT_F_* */
	uint8_t htype, hwlen;
	uint8_t hwaddr[LEASE_HWADDR_MAX];
	uint8_t client_id_len;
	uint8_t client_id[LEASE_CLIENT_ID_MAX];
	struct in_addr addr;
	int64_t expires;                      /* wall clock; 0 = never */
	uint32_t remaining;                   /* seconds left then; 0 = none */
	char hostname[LEASE_NAME_MAX];
	char interface[IF_NAMESIZE];
};

#define SCRIPT_EVENT_MAGIC 0x4c534556u /* "LSEV" */
#define SCRIPT_RECORD_SIZE sizeof(struct script_event)

/*
 * What a change reports: up to two events (a lost name is announced
 * before the lease's new state, as dnsmasq does).  now gives
 * DNSMASQ_TIME_REMAINING.  Returns how many of out[] were filled.
 */
size_t script_events_for_change(const struct lease *old, const struct lease *new,
				enum lease_event ev, time_t now, struct script_event out[2]);

/* Record <-> bytes.  encode returns SCRIPT_RECORD_SIZE, or -1 if buflen is short. */
int script_event_encode(const struct script_event *ev, uint8_t *buf, size_t buflen);
/* -1 with *why for a record of the wrong size or with a bad field. */
int script_event_decode(const uint8_t *buf, size_t len, struct script_event *ev,
			const char **why);

#define SCRIPT_MAX_VARS 12

/* The program's arguments and the DNSMASQ_* variables for one event. */
struct script_exec {
	char *argv[6];                        /* NULL-terminated */
	char *vars[SCRIPT_MAX_VARS + 1];      /* "NAME=VALUE", NULL-terminated */
	size_t nvars;
	char buf[2048];                       /* storage for both */
	size_t used;
};

struct script_env_config {
	const char *domain;                   /* as script_config */
	bool log_dhcp;
};

/*
 * Fill out for ev; path's last component becomes argv[0].  -1 if ev is
 * bad, also when its hostname is not a DNS label as a lease may carry
 * one (str_is_label with '_'): the helper then does not run the program
 * for that event and logs one line saying why.
 */
int script_build_exec(const struct script_event *ev, const char *path,
		      const struct script_env_config *cfg, struct script_exec *out);

/*
 * The environment a run gets: every inherited entry except DNSMASQ_*
 * ones (a stale one must not leak from one run into the next), then
 * vars.  Returns a malloc'd NULL-terminated array of pointers into the
 * inputs (free only the array).
 */
char **script_compose_env(char *const *inherited, char *const *vars);

/* One line of "init" output, for script_parse_init's callback. */
enum script_init_line {
	SCRIPT_INIT_LEASE,    /* *l is an unexpired lease */
	SCRIPT_INIT_EXPIRED,  /* *l expired at or before now */
	SCRIPT_INIT_BAD,      /* why says what is wrong */
};
typedef void (*script_init_fn)(void *ctx, size_t lineno, enum script_init_line kind,
			       const struct lease *l, const char *line, size_t len,
			       const char *why);
/* Walk init's output line by line (blank, duid and IPv6 lines are skipped). */
void script_parse_init(const char *buf, size_t len, time_t now, script_init_fn fn, void *ctx);

#endif
