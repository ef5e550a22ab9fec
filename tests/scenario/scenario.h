/*
 * scenario — the replay harness's shared state: one scenario file's world
 * (configuration, lease table, local DNS data, cache, fake clock), what
 * the last step produced for the `expect` lines after it, and the
 * reporting that names file:line.  scenario.c reads and dispatches the
 * lines, scenario_steps.c runs the steps (scenario_dhcp6.c the dhcp6
 * ones), scenario_expect.c checks the `expect` lines and
 * scenario_invariants.c, after every step, the invariants of DESIGN.md.
 * Addresses are of either family (struct lease_addr) throughout.
 */
#ifndef LEASED_SCENARIO_H
#define LEASED_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf/config.h"
#include "dhcp/dhcp4.h"
#include "dhcp/dhcp6.h"
#include "dns/dns_cache.h"
#include "dns/dns_local.h"
#include "dns/dns_server.h"
#include "dns/dns_wire.h"
#include "conf/hostdb.h"
#include "lease/lease.h"

#define SCN_MAX_TOKENS 32
#define SCN_TOKEN_MAX 256       /* longest word, NUL included */
#define SCN_LINE_MAX 1024       /* longest line */
#define SCN_MAX_VARS 64
#define SCN_VAR_NAME 32
#define SCN_SNAP_RRS 32
#define SCN_RDATA_TEXT 512

/* One line split into words (quotes kept together, removed). */
struct scn_tokens {
	size_t n;
	char w[SCN_MAX_TOKENS][SCN_TOKEN_MAX];
};

/* A DNS reply reduced to text, so it outlives the cache call that made it. */
struct scn_rr {
	enum dns_section sec;
	uint16_t type;
	uint32_t ttl;
	char owner[DNS_NAME_STR];
	char data[SCN_RDATA_TEXT];
};

struct scn_snap {
	bool answered;      /* local data or the cache had it */
	bool from_cache;
	bool negative;      /* the cache's verdict, for cache steps */
	uint32_t ttl_left;  /* cache steps: seconds the entry has left */
	int rcode;
	bool aa;
	size_t n[3];        /* records per section, as the reply had them */
	size_t nrr;         /* kept in rr[] (at most SCN_SNAP_RRS) */
	struct scn_rr rr[SCN_SNAP_RRS];
};

/* What an `expect` line looks at. */
enum scn_last {
	SCN_LAST_NONE, SCN_LAST_DHCP, SCN_LAST_DHCP6, SCN_LAST_DNS, SCN_LAST_CACHE, SCN_LAST_LEASE
};

struct scn_var {
	char name[SCN_VAR_NAME];
	struct lease_addr addr;
};

/* A (name, address) pair the lease table has ever held, for invariant 2. */
struct scn_seen {
	char name[LEASE_NAME_MAX];
	struct lease_addr addr;
};

/* A DHCPv6 reply as a client reads it: what `expect` after dhcp6 looks at. */
struct scn_dhcp6_reply {
	bool sent;
	uint8_t type;               /* DHCP6_ADVERTISE or DHCP6_REPLY */
	int status;                 /* the message's Status Code; -1: none */
	int ia_status;              /* the first IA_NA's Status Code; -1: none */
	bool has_addr;              /* it held an IAADDR */
	struct in6_addr addr;       /* the first with a valid lifetime, else the first */
	uint32_t valid;             /* its valid lifetime */
};

struct scn {
	/* Reporting. */
	const char *path;
	unsigned line;
	const char *text;           /* the line as written, for "ok" lines */
	bool step_failed;
	unsigned passed, failed;
	bool verbose;
	char must_fail[SCN_TOKEN_MAX]; /* `must-fail TEXT`: a FAIL must contain TEXT */
	bool must_fail_matched;

	/* The world, built at the first step that is not `config`/`interface`. */
	bool ready, broken;         /* broken: setup failed, nothing more runs */
	bool cfg_inited;
	struct config cfg;          /* `config` lines parsed one by one */
	struct hostdb *hosts;
	struct dns_local *local;
	struct lease_table *leases;
	struct lease_table *empty;  /* always empty: what static data alone answers */
	struct dns_cache *cache;
	struct dhcp4_iface iface;
	struct dhcp4_work *work;
	struct dhcp6_iface iface6;
	time_t now;
	bool clock_started;         /* a step ran: time may no longer go back */
	uint32_t xid;
	bool purge_off;             /* --no-purge: the harness's own mutation test */

	struct scn_seen *seen;
	size_t nseen, seen_cap;
	struct scn_var vars[SCN_MAX_VARS];
	size_t nvars;

	/* The last action, for `expect`. */
	enum scn_last last;
	struct dhcp4_result dhcp_res;
	struct dhcp4_packet dhcp_reply;
	struct dhcp6_result dhcp6_res;
	struct scn_dhcp6_reply dhcp6_reply;
	struct scn_snap snap;
	struct lease lease;         /* lease step: the lease found */
	bool lease_found;
	size_t lease_total;         /* `lease all` */
	struct dns_local_result lres; /* scratch for local answers */
	struct scn_snap check, check_static; /* scratch for the invariant checks */
};

/* Reporting (scenario.c). */
void scn_fail(struct scn *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Words (scenario.c). */
bool scn_kv(const char *word, const char *key, const char **val);
/*
 * "10.0.3.5", "fd42::10", or "@name" for an address kept earlier, of
 * family (AF_INET, AF_INET6; AF_UNSPEC: either); reports what is wrong.
 */
int scn_addr(struct scn *s, const char *text, int family, struct lease_addr *out);
int scn_addr4(struct scn *s, const char *text, struct in_addr *out);
int scn_addr6(struct scn *s, const char *text, struct in6_addr *out);
/* "ADDR/PREFIX" of family: the interface lines'. */
int scn_prefix(struct scn *s, const char *text, int family, struct lease_addr *addr,
	       unsigned *prefix);
int scn_number(struct scn *s, const char *text, const char *what, unsigned long max,
	       unsigned long *out);
int scn_set_var(struct scn *s, const char *name, struct lease_addr addr);
/* The address's PTR owner (in-addr.arpa or ip6.arpa); -1 when it has none. */
int scn_reverse_name(const struct lease_addr *a, char *out, size_t len);
/* The address record type of a's family: DNS_T_A or DNS_T_AAAA. */
uint16_t scn_addr_type(const struct lease_addr *a);

/* Shared by the steps, the expectations and the invariants (scenario_steps.c). */
int scn_parse_hex(struct scn *s, const char *text, uint8_t *out, size_t max, size_t *len);
int scn_dns_type(const char *name);            /* "AAAA" → 28; -1 when unknown */
/*
 * The answer to (name, type) in dns_service's order: local data (from
 * leases: s->leases, or s->empty for static data alone), then the cache
 * (peek: without counting a hit or moving the entry, as the checks must).
 */
void scn_answer(struct scn *s, const struct lease_table *leases, const char *name,
		uint16_t type, bool peek, struct scn_snap *out);

/* Steps (scenario_steps.c); each reports its own failures. */
int scn_setup(struct scn *s);
void scn_teardown(struct scn *s);
void scn_step_time(struct scn *s, const struct scn_tokens *t);
void scn_step_dhcp(struct scn *s, const struct scn_tokens *t);
void scn_step_dhcp6(struct scn *s, const struct scn_tokens *t);  /* scenario_dhcp6.c */
void scn_step_dns(struct scn *s, const struct scn_tokens *t);
void scn_step_cache(struct scn *s, const struct scn_tokens *t);
void scn_step_upstream(struct scn *s, const struct scn_tokens *t);
void scn_step_lease(struct scn *s, const struct scn_tokens *t);

/* `expect` after the last step (scenario_expect.c; after dhcp6: scenario_dhcp6.c). */
void scn_expect(struct scn *s, const struct scn_tokens *t);
void scn_expect_dhcp6(struct scn *s, const struct scn_tokens *t);
const char *scn_rcode_name(int rcode);
/* addr matches pat ("10.0.3.12", "10.0.3.x", "fd42::*", "@var", "*"); else report. */
bool scn_check_addr(struct scn *s, const char *pat, const struct lease_addr *a,
		    const char *what);

/* Invariants 2 and 3, after every step (scenario_invariants.c). */
void scn_check_invariants(struct scn *s);

#endif
