/*
 * dns_local_internal — what the four files of local DNS share, and
 * nothing else may include: dns_local_load.c (building and freeing the
 * static data), dns_local_lookup.c (where a name's data lives: static
 * records, zones, leases, interfaces), dns_explain.c (the text of
 * `leasectl explain`) and dns_local.c (answering a query).  Each uses
 * only the ones before it, so there is no circle.
 * Included by: dns_local.c dns_local_load.c dns_local_lookup.c dns_explain.c only.
 * (scripts/check-layering.sh fails any other file that includes it.)  The
 * public API is include/dns/dns_local.h.
 *
 * Static data lives in three hash tables built by dns_local_load and
 * never changed after:
 * - names: lower-cased (canonical) name → that name's records, each with
 *   its RDATA already in wire form, its TTL and where it came from.  The
 *   reverse map is part of it: an address from a hosts file, a
 *   --host-record or a --dhcp-host becomes a PTR record at its reverse
 *   name (the first name for an address wins, as dnsmasq's "first
 *   address creates the PTR").  --interface-name records hold the
 *   interface, resolved through netlink at query time.
 * - zones: a domain → what to do with names below it that have no record
 *   of their own: synthesise addresses (--address=/d/a), answer NXDOMAIN
 *   (-S /d/, --local=/d/, --address=/d/, -s d, --bogus-priv's reverse
 *   zones) or forward (-S /d/addr, -S /d/#).  The most specific domain
 *   decides, found by looking the name up, then each parent in turn.
 * - empty non-terminals: every proper ancestor of a name with data, so
 *   that inside a local zone "b.lxc" above "a.b.lxc" is NODATA, not
 *   NXDOMAIN (RFC 8020).
 */
#ifndef LEASED_DNS_LOCAL_INTERNAL_H
#define LEASED_DNS_LOCAL_INTERNAL_H

#include "dns/dns_local.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The source of records the configuration gave (dns_local_result.source). */
#define SRC_CONFIG "config"

/* ---- string-keyed hash index ---- */

struct sslot {
	uint64_t hash;
	const char *key;       /* owned by the indexed element */
	size_t idx;            /* element index + 1; 0 = empty */
};

struct strindex {
	struct sslot *slots;
	size_t cap;            /* a power of two, at least twice n */
	size_t n;
};

/* The element index of key, or SIZE_MAX. */
size_t six_find(const struct strindex *ix, const char *key);

/* ---- the static data ---- */

struct rec {
	uint16_t type;
	bool iface;            /* addresses of interface `extra`, at query time */
	uint16_t rdlen;
	uint32_t ttl;
	uint32_t line;         /* a hosts file's line; 0 for configuration */
	uint8_t *rdata;        /* wire form, uncompressed; NULL for iface */
	char *extra;           /* CNAME: the target, to follow; iface: its name */
	const char *source;    /* "config" or a hosts file's path (interned) */
	const char *origin;    /* config: "--host-record at FILE:LINE" (interned) */
};

struct name_entry {
	char *key;             /* canonical, lower-case */
	struct rec *recs;
	size_t nrecs;
	const char *origin;    /* what named it without data (a bare --ptr-record) */
};

enum zone_kind { ZONE_ADDRESS, ZONE_LOCAL, ZONE_FORWARD, ZONE_BOGUS };

struct zone {
	char *key;             /* canonical domain; "" for dnsmasq's "#" (any name) */
	bool local;            /* answer NXDOMAIN for unknown names */
	bool forward;          /* an upstream server is named for it */
	bool bogus;            /* a private reverse zone under --bogus-priv */
	bool null_addr;        /* --address=/d/#: 0.0.0.0 and :: */
	bool local_address;    /* local because of --address=/d/ (the empty form) */
	bool reverse;          /* the reverse zone of a served subnet (dns_zone) */
	struct in_addr *v4;
	size_t n4;
	struct in6_addr *v6;
	size_t n6;
	/* For explain, all interned: what made the zone what it is. */
	const char *local_why; /* "-s lxc", "-S/--local /corp/ at F:L", "--address=/d/ at F:L" */
	const char *fwd_why;   /* "-S /d/192.0.2.53 at F:L" */
	const char *null_why;  /* "--address=/d/# at F:L" */
	const char **v4why;    /* per address: "--address=/d/1.2.3.4 at F:L" */
	const char **v6why;
};

/* --interface-name's reverse direction: first name per interface wins. */
struct iface_rev {
	char *ifname;
	char *name;
	bool v4, v6;           /* which families' addresses it names ("/4", "/6") */
	const char *origin;    /* "--interface-name at FILE:LINE" (interned) */
};

/* Where ra-names gives SLAAC addresses names: an interface's own prefixes, or one prefix. */
struct ra_name {
	char *ifname;            /* constructor:IF (a trailing '*' matches a prefix); NULL: below */
	struct in6_addr prefix;
	uint8_t len;
};

struct dns_local {
	struct name_entry *names;
	size_t nnames;
	struct strindex by_name;
	struct zone *zones;
	size_t nzones;
	struct strindex by_zone;
	char **ents;           /* empty non-terminals: proper ancestors of names */
	size_t nents;
	struct strindex by_ent;
	struct iface_rev *ifrevs;
	size_t nifrevs;
	struct ra_name *ranames; /* --dhcp-range ...,ra-names: SLAAC names from neighbours */
	size_t nranames;
	char **sources;        /* interned hosts-file paths and option origins */
	size_t nsources;
	char *domain;          /* -s, canonical; NULL when none */
	const char *single_why; /* why unknown single labels are NXDOMAIN here; NULL: forwarded */
	uint32_t ttl;          /* --local-ttl */
	uint32_t serial;       /* the SOA serial's base: the load time (dns_zone) */
	size_t nrecs;
	bool expand_hosts;

	/* While loading only: where the records being added come from. */
	const char *src;       /* "config" or the hosts file's path */
	uint32_t line;         /* the hosts file's line, or 0 */
	const char *origin;    /* config: "--OPTION at WHERE" */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/* ---- looking the static data up (dns_local_load.c) ---- */

/* A name's canonical form (lower case, no trailing dot) into out. */
static inline void key_of(const char *name, char *out)
{
	dns_name_lower(name, out, DNS_NAME_STR);
}

/* The label after the first unescaped dot, or NULL for the last label. */
const char *next_label(const char *s);
const struct name_entry *find_name(const struct dns_local *d, const char *key);
const struct zone *find_zone(const struct dns_local *d, const char *key);

static inline bool entry_has(const struct name_entry *e, uint16_t type)
{
	for (size_t i = 0; e && i < e->nrecs; i++)
		if (e->recs[i].type == type)
			return true;
	return false;
}

/* ---- a query (dns_local.c) ---- */

struct why;

/* One query while it is answered: the data, the answer, explain's state. */
struct qctx {
	const struct dns_local *d;
	const struct dns_local_env *env;
	struct dns_local_result *out;
	uint16_t qtype;
	const char *hint;        /* where a known name's data came from */
	const char *soa_owner;   /* for a negative answer */
	struct why *why;         /* explain only; NULL on the plain query path */
};

/* What resolving a name comes to. */
enum outcome { OUT_ANSWER, OUT_NODATA, OUT_NXDOMAIN, OUT_NOT_LOCAL };

/* The query asks for type, or for ANY. */
static inline bool wants(const struct qctx *c, uint16_t type)
{
	return c->qtype == type || c->qtype == DNS_T_ANY;
}

/* Local names exist in class IN only. */
static inline bool class_ok(uint16_t qclass)
{
	return qclass == DNS_C_IN || qclass == DNS_C_ANY;
}

/* ---- looking a name up (dns_local_lookup.c) ---- */

/* Where a name's data lives: static records, leases, interfaces. */
struct found {
	const struct name_entry *e;
	char label[LEASE_NAME_MAX];    /* the lease name key stands for, or "" */
	struct lease_holders held;     /* the leases named label (all one client's) */
	const struct lease *rl;        /* the named lease at key's reverse address */
	const struct iface_rev *ifr;   /* the --interface-name holding that address */
};

/* Whether key names a lease, of either family. */
static inline bool found_lease(const struct found *f)
{
	return f->held.v4 || f->held.v6;
}

void name_lookup(const struct qctx *c, const char *key, struct found *f);
/* The zone that decides for key: the most specific domain holding it. */
const struct zone *zone_for(const struct dns_local *d, const char *key);
enum zone_kind zone_kind(const struct zone *z);
/* Whether ra-names gives a, used on interface ifc, a name. */
bool ra_named(const struct dns_local *d, const struct nl_iface *ifc, const struct in6_addr *a);
/* The interface named ifname when it exists and is up, else NULL. */
const struct nl_iface *iface_up(const struct qctx *c, const char *ifname);
/* The zone whose apex key is, when leased is authoritative for it. */
const struct zone *auth_apex(const struct dns_local *d, const char *key);
/* An interface's IPv6 address --interface-name answers: reachable (not link-local), past DAD. */
bool iface_addr6_named(const struct nl_addr6 *a);
/* Whether a lease overrides static record r of the name f was looked up for. */
bool lease_hides(const struct rec *r, const struct found *f);

/* ---- explaining a query (dns_explain.c) ---- */

/*
 * The state of out->detail while it is written.  Only dns_explain.c reads
 * or writes it; dns_local_answer gives it a home on its stack (why_start),
 * and the rest of answering only tests c->why, which is NULL on the plain
 * query path.
 */
struct why {
	size_t len;
	bool full;             /* cut short: nothing more is added */
	bool fresh;            /* no "; " before the next item (just opened a list) */
	const void *last;      /* the origin of the last item, said once */
	uint32_t last_line;
	const char *then;      /* a CNAME's target: the next item says so first */
	time_t now;            /* for "expires in" */
};

/*
 * What answering calls at its decisions, only when it explains (why_start
 * sets c->why; the others are called only when it is set).  The wording
 * is dns_explain.c's.
 */

/* Set c->why to w, empty, with env->now (or the wall clock) for "expires in". */
void why_start(struct qctx *c, struct why *w);
/* What follows is said of a CNAME's target: ", then TARGET: ". */
void why_then(struct qctx *c, const char *target);

/* Where an answer's record comes from. */
bool why_origin(struct qctx *c, const char *src, uint32_t line);
void why_rec(struct qctx *c, const struct rec *r);
void why_lease(struct qctx *c, const struct lease *l);
void why_slaac(struct qctx *c, const struct lease *v4);
void why_iface_rev(struct qctx *c, const struct iface_rev *ifr);
void why_hidden(struct qctx *c, const struct rec *r);
void why_apex(struct qctx *c, const struct zone *z, const char *type);
void why_cname_cut(struct qctx *c, int cnames);

/* Why a negative, a refusal or a forward. */
void why_nodata(struct qctx *c, const char *key, const char *owner);
void why_unknown(struct qctx *c, const char *key, const char *owner,
		 const struct zone *z, enum zone_kind kind, enum outcome o);
void why_bare(struct qctx *c, const char *key, const char *owner);
void why_refused(struct qctx *c, const struct dns_query *q);
void why_not_a_name(struct qctx *c);

#endif
