/*
 * script_event — the pure part of --dhcp-script (see include/lease/script.h
 * for the whole): which events a lease change makes, the fixed-size record
 * that carries one from the daemon to its helper process, the program's
 * arguments and DNSMASQ_* environment for one event, and the walk over
 * --leasefile-ro's "init" output.  No process, socket or clock: the unit
 * tests (tests/unit/test_script.c) call these directly.
 *
 * Implemented by src/lease/script_event.c, which includes lease/ and core/
 * only.  Used by the daemon's side (script.c), the helper (script_helper.c)
 * and the tests.
 */
#ifndef LEASED_SCRIPT_EVENT_H
#define LEASED_SCRIPT_EVENT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lease/lease.h"

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
	uint8_t client_id[LEASE_CLIENT_ID_MAX]; /* IPv6: the client's DUID */
	uint8_t family;                       /* AF_INET or AF_INET6 */
	struct in_addr addr;
	struct in6_addr addr6;
	uint32_t iaid;                        /* IPv6 */
	uint8_t ia;                           /* IPv6: enum lease_ia */
	uint8_t server_duid_len;              /* IPv6: DNSMASQ_SERVER_DUID, when known */
	uint8_t server_duid[LEASE_CLIENT_ID_MAX];
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

/* ---- naming an event in a message (the helper's) ----------------------- */

/* "add", "del" or "old" (the word the program gets as its first argument). */
const char *script_action_name(uint8_t action);
/*
 * The hardware address as the lease file writes it: "06-" before it for a
 * non-Ethernet type (out holds 4 + 3 * LEASE_HWADDR_MAX).
 */
void script_format_hwaddr(const struct script_event *ev, char *out, size_t outlen);
/*
 * Whether a name may reach the program: empty, or a DNS label as a lease
 * may carry one (str_is_label with '_'); script_build_exec refuses the rest.
 */
bool script_hostname_ok(const char *name);
/* Whether -s DOMAIN gives DNSMASQ_DOMAIN: not NULL, "" or "#". */
bool script_domain_usable(const char *domain);

#endif
