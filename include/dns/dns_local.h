/*
 * dns_local — everything leased answers itself, and the decision whether
 * a query is answered here, refused, or forwarded.
 *
 * Local data comes from two places.  Static data is built whole from the
 * configuration and the files it names (/etc/hosts unless --no-hosts,
 * --addn-hosts files and directories, --dhcp-host names, --host-record,
 * --address, --cname, --srv-host, --txt-record, --mx-host, --ptr-record,
 * --interface-name) and swapped on SIGHUP like the reservations.  Dynamic
 * data is read from the lease table (and, for --interface-name, from
 * netlink) at query time, never copied, so a lease change is visible to
 * the very next query.
 *
 * Rules (dnsmasq's, with leased's coherence on top):
 * - A lease with hostname H answers as H and H.DOMAIN (-s), A (AAAA once
 *   IPv6 leases exist), and PTR for its address.  A lease beats a static
 *   entry of the same name.
 * - Names in the local domain or in a -S /domain/ or --local domain are
 *   answered here whatever the type, never forwarded.  So are single
 *   labels when leased has a local domain, --domain-needed or -S //;
 *   with --server=//ADDR, or with none of these, they are forwarded.
 * - NXDOMAIN only when the name has no record of any type; otherwise
 *   NOERROR with no answer (NODATA) and an SOA in the authority section.
 * - The local domain, -S /domain/ and --local domains and the reverse
 *   zones of the served subnets are zones leased is authoritative for:
 *   their apex has an SOA and an NS (dns_zone), and the SOA's serial
 *   follows the lease table.
 * - --bogus-priv: reverse queries for private ranges that are not known
 *   here get NXDOMAIN instead of being forwarded.
 * - Everything else is forwarded.
 */
#ifndef LEASED_DNS_LOCAL_H
#define LEASED_DNS_LOCAL_H

#include "conf/config.h"
#include "dns/dns_wire.h"
#include "conf/hostdb.h"
#include "lease/lease.h"
#include "net/netlink.h"

struct dns_local;

/* Build from cfg and the files it names; NULL with err filled on failure. */
struct dns_local *dns_local_load(const struct config *cfg, const struct hostdb *hosts,
				 struct error *err);
/*
 * The same with knobs for tests and tools: another file instead of
 * /etc/hosts, and where the warnings about hosts files go (bad lines,
 * files that cannot be read: never fatal).  opts may be NULL.
 */
struct dns_local_options {
	const char *etc_hosts;      /* NULL: "/etc/hosts" (unless --no-hosts) */
	void (*warn)(void *ctx, const char *msg); /* NULL: log_warn() */
	void *warn_ctx;
};
struct dns_local *dns_local_load_opts(const struct config *cfg, const struct hostdb *hosts,
				      const struct dns_local_options *opts,
				      struct error *err);
void dns_local_free(struct dns_local *d);
/* Names and records held (for the reload log line). */
size_t dns_local_count(const struct dns_local *d);

/* What a query resolves against besides static data. */
struct dns_local_env {
	const struct lease_table *leases;
	const struct netlink *nl;   /* may be NULL (tests) */
	bool explain;               /* fill out->detail */
	time_t now;                 /* explain's clock for "expires in"; 0: now_wall() */
};

enum dns_local_verdict {
	DNS_LOCAL_ANSWER,   /* out->answer is the reply */
	DNS_LOCAL_FORWARD,  /* not ours: ask upstream */
};

/* Where an answer came from, for -q log lines ("config", "DHCP", "/etc/hosts"). */
#define DNS_LOCAL_SOURCE_LEN 64

#define DNS_LOCAL_MAX_RRS 64
#define DNS_LOCAL_ARENA 8192

#define DNS_LOCAL_DETAIL_LEN 256

/* A local answer with storage for its records. */
struct dns_local_result {
	struct dns_answer answer;
	char source[DNS_LOCAL_SOURCE_LEN];
	/*
	 * Why, for `leasectl explain`: where the data (or the negative) comes
	 * from, precisely — "lease of 52:54:00:aa:bb:cc (c1)", "/etc/hosts:12",
	 * "--host-record at /etc/lxc/dnsmasq.conf:4", "in local domain lxc
	 * (-s lxc)", "single-label names are answered here", "--address=/ads/
	 * at command line" ...  Filled by dns_local_answer() only when
	 * explain is set in the env (it costs nothing otherwise).
	 */
	char detail[DNS_LOCAL_DETAIL_LEN];
	struct dns_rr rrs[DNS_LOCAL_MAX_RRS];
	uint8_t arena[DNS_LOCAL_ARENA];     /* owner names and RDATA */
	size_t arena_used;
};

enum dns_local_verdict dns_local_answer(const struct dns_local *d,
					const struct dns_local_env *env,
					const struct dns_query *q,
					struct dns_local_result *out);

/*
 * The names a lease implies (H, H.DOMAIN and the reverse name of its
 * address), for purging the cache on a lease change.  Calls fn for each.
 */
void dns_local_lease_names(const struct dns_local *d, const struct lease *l,
			   void (*fn)(void *ctx, const char *name), void *ctx);

#endif
