/*
 * config — dnsmasq-compatible options.  One option table (src/conf/config.c)
 * drives the command line, conf-files, conf-dirs and --test.  Parsing
 * fills a struct config; config_validate() checks what can only be judged
 * as a whole; after that the configuration is never changed.  A bad option
 * gives one message naming the option, the reason and where it came from
 * ("FILE:LINE" or "command line"); nothing starts on a bad configuration.
 *
 * Options leased accepts but whose behaviour arrives with later work
 * (DNS, IPv6, scripts) are parsed and validated all the same, so a
 * configuration that is good today stays good.
 */
#ifndef LEASED_CONFIG_H
#define LEASED_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "core/error.h"
#include "core/util.h"

#define LEASE_INFINITE UINT32_MAX  /* lease time "infinite" */
#define DEFAULT_LEASE_TIME 3600    /* dnsmasq's default: 1h */
#define DEFAULT_LEASE_FILE "/var/lib/misc/dnsmasq.leases"
#define DEFAULT_PID_FILE "/run/dnsmasq.pid"
#define DEFAULT_LEASE_MAX 1000
#define DEFAULT_CACHE_SIZE 150
#define DEFAULT_MAX_NEG_TTL 60
/* --edns-packet-max's range: RFC 6891's least, and leased's UDP reply buffer. */
#define EDNS_PACKET_MIN 512
#define EDNS_PACKET_MAX 4096
#define CONFIG_MAX_TAGS 8
#define DEFAULT_TFTP_MAX 50        /* dnsmasq's --tftp-max */
#define CONFIG_MAX_MACS 8

/* Where a value came from, for messages: "/etc/x.conf:12" or "command line". */
struct config_origin {
	char where[128];
};

/* A "tag:NAME" condition list (all must be set; "tag:!NAME" negates). */
struct tag_match {
	char *names[CONFIG_MAX_TAGS];
	bool negate[CONFIG_MAX_TAGS];
	size_t n;
};

enum range6_mode {
	RANGE6_RA_ONLY = 1 << 0,
	RANGE6_RA_STATELESS = 1 << 1,
	RANGE6_RA_NAMES = 1 << 2,
	RANGE6_SLAAC = 1 << 3,
	RANGE6_RA_ADVROUTER = 1 << 4,
	RANGE6_OFF_LINK = 1 << 5,
};

/*
 * --ra-param=IFACE,[mtu:N|mtu:off,][high,|low,]INTERVAL[,LIFETIME]: how
 * router advertisements on IFACE ("*": every interface, a trailing '*' a
 * prefix) are sent.  INTERVAL 0 keeps the default (600 s); libvirt writes
 * `ra-param=*,0,0` for an isolated network: router lifetime 0.
 */
struct ra_param {
	char *iface;
	uint32_t mtu;            /* 0: the interface's own */
	bool mtu_off;            /* no MTU option */
	int preference;          /* enum ra_preference: 0 medium, 1 high, 3 low */
	uint32_t interval;       /* s; 0: the default */
	bool has_lifetime;
	uint32_t lifetime;       /* router lifetime, s */
	struct config_origin origin;
};

/*
 * --dhcp-range.  v4: [tag:..,][set:..,]start,end[,netmask][,leasetime]
 * (also "start,static" style mode words are rejected with a reason).
 * v6: start[,end][,mode...][,prefixlen][,leasetime] with start optionally
 * "::" plus "constructor:IF".
 */
struct dhcp_range {
	int family; /* AF_INET or AF_INET6 */
	struct in_addr start, end, netmask;
	bool has_netmask;
	struct in6_addr start6, end6;
	int prefixlen6;          /* 64 when not given */
	char *constructor_if;    /* v6 "constructor:IF", or NULL */
	unsigned mode6;          /* enum range6_mode bits */
	bool static_only;        /* "static": addresses for reserved clients only */
	uint32_t lease_time;     /* seconds, LEASE_INFINITE */
	char *set_tag;           /* "set:NAME", or NULL */
	struct tag_match match;
	struct config_origin origin;
};

/*
 * --dhcp-host: mac[,mac..] | id:clientid | id:* , [set:tag,] [ip] [,name]
 * [,leasetime] [,ignore].  At least one of (macs, client id, name) picks
 * the client; ip / name / lease time / ignore say what it gets.
 */
struct dhcp_host {
	uint8_t macs[CONFIG_MAX_MACS][MAC_LEN];
	size_t nmacs;
	uint8_t *client_id;      /* raw option 61 bytes, or NULL */
	size_t client_id_len;
	bool has_ip;
	struct in_addr ip;
	/*
	 * "[ADDR]": the IPv6 address; with its upper 64 bits zero ("[::5]")
	 * only the host part, put on the prefix of the link that serves it.
	 */
	bool has_ip6;
	struct in6_addr ip6;
	char *name;              /* a valid DNS label, or NULL */
	bool has_lease_time;
	uint32_t lease_time;
	bool ignore;             /* "ignore": never answer this client */
	char *set_tag;
	struct config_origin origin;
};

/*
 * --dhcp-option / --dhcp-option-force / lines of --dhcp-optsfile.
 * The value is already encoded to wire bytes for its option's type
 * (ip list, u8/u16/u32, bool, string, hex, domain list per RFC 3397 ...).
 * len == 0 with present == true means "send this option with no value /
 * send none", as dnsmasq's empty value does.
 * An address 0.0.0.0 in an IPv4 address option (and [::] in an IPv6 one)
 * is kept as is: dnsmasq's "the address of the machine running the
 * server", which the engine substitutes with the interface's address.
 */
/*
 * leased's own option6: names for the IA_NA timers (dnsmasq has none for
 * DHCPv6; its option:T1/T2 are DHCPv4's 58 and 59): codes no IANA option
 * will get near, never sent as options.
 */
#define DHCP6_OPT_T1 0xfff1
#define DHCP6_OPT_T2 0xfff2

struct dhcp_option {
	int family;              /* AF_INET (option:) or AF_INET6 (option6:) */
	uint16_t code;
	bool force;              /* send even when not requested */
	uint8_t *data;
	size_t len;
	struct tag_match match;
	struct config_origin origin;
	char *note;              /* a value taken with a change, for the log; NULL when none */
};

/*
 * --dhcp-boot=[tag:T,...]FILE[,SNAME[,SERVER]]: a network boot (PXE): the
 * reply's 'file' field (and option 67), 'sname' (option 66) and siaddr,
 * the next server.  The first whose tags the client has applies.
 */
struct dhcp_boot {
	struct tag_match match;
	char *file;
	char *sname;             /* NULL: none */
	struct in_addr server;   /* 0.0.0.0: none */
	struct config_origin origin;
};

/* -S/--server and --local: [/domain/[domain/]][addr[#port]][@source] */
struct dns_server {
	char *domain;            /* NULL: default server; "" for "//": unqualified names */
	bool local_only;         /* "/domain/" with no address, or --local */
	bool has_addr;
	struct sockaddr_storage addr; /* port filled (53 by default) */
	struct config_origin origin;
};

/* --address=/domain[/domain..]/[addr]  ("#" or empty = NXDOMAIN / local) */
struct dns_address {
	char *domain;
	bool has_addr;           /* false: answer NXDOMAIN / NODATA locally */
	bool null_addr;          /* "#": 0.0.0.0 / :: */
	struct sockaddr_storage addr;
	struct config_origin origin;
};

/* --host-record=name[,name..],[ipv4][,ipv6][,ttl] */
struct host_record {
	char **names;
	size_t nnames;
	bool has_v4, has_v6;
	struct in_addr v4;
	struct in6_addr v6;
	int32_t ttl;             /* -1 when not given */
	struct config_origin origin;
};

/* Generic "name,value..." records parsed for the DNS work: --cname,
 * --interface-name, --srv-host, --txt-record, --mx-host, --ptr-record.
 * fields[0] is the owner name; the rest are kept as given (validated). */
struct dns_record_opt {
	char **fields;
	size_t nfields;
	struct config_origin origin;
};

struct config {
	/* Process and files. */
	char *user;              /* -u; NULL: stay root ("" never) */
	char *group;             /* -g; NULL: the user's group */
	char *pid_file;          /* NULL or "": write none */
	char *lease_file;        /* -l; NULL: DEFAULT_LEASE_FILE */
	bool leasefile_ro;
	char *log_facility;      /* NULL: syslog daemon */
	char *dhcp_script;
	char *control_socket;    /* leased's own; NULL: /run/leased/NAME.sock */
	char *control_group;     /* leased's own; NULL: root only (0600) */
	bool keep_in_foreground; /* -k */
	bool no_daemon;          /* -d: foreground, log to stderr too */
	bool test_only;          /* --test */
	bool log_queries;        /* -q */
	bool log_dhcp, quiet_dhcp, quiet_dhcp6, quiet_ra;

	/* Interfaces and sockets. */
	char **interfaces;       /* -i */
	size_t ninterfaces;
	char **except_interfaces; /* -I */
	size_t nexcept_interfaces;
	struct sockaddr_storage *listen_addrs; /* -a, port 0 */
	size_t nlisten_addrs;
	bool bind_interfaces;
	bool bind_dynamic;
	int port;                /* -p; 53; 0 disables DNS */

	/* DHCP. */
	struct dhcp_range *ranges;
	size_t nranges;
	struct dhcp_host *hosts;       /* from --dhcp-host (files come later) */
	size_t nhosts;
	char **hostsfiles;             /* --dhcp-hostsfile, files or dirs */
	size_t nhostsfiles;
	struct dhcp_option *options;   /* --dhcp-option(-force) */
	size_t noptions;
	char **optsfiles;              /* --dhcp-optsfile */
	size_t noptsfiles;
	uint32_t lease_max;            /* DEFAULT_LEASE_MAX */
	bool no_ping;
	bool dhcp_no_override;
	bool authoritative;
	bool ignore_clid;              /* --dhcp-ignore-clid: clients are their MACs */
	bool rapid_commit;
	bool enable_ra;
	struct dhcp_boot *boots;       /* --dhcp-boot, first match wins */
	size_t nboots;
	struct ra_param *ra_params;    /* --ra-param, first match wins */
	size_t nra_params;

	/* TFTP (read-only, for network boot). */
	bool enable_tftp;              /* --enable-tftp */
	struct config_origin tftp_origin; /* where --enable-tftp was given */
	char **tftp_ifaces;            /* --enable-tftp=IFACE,..: only these; none: DHCP's */
	size_t ntftp_ifaces;
	char *tftp_root;               /* --tftp-root, absolute; required with --enable-tftp */
	bool tftp_unique_root;         /* --tftp-unique-root(=ip): ROOT/CLIENT-IP/ first */
	bool tftp_secure;              /* only files owned by the user leased runs as */
	bool tftp_no_fail;             /* a missing root does not stop the start */
	bool tftp_no_blocksize;        /* never negotiate blksize */
	uint32_t tftp_max;             /* DEFAULT_TFTP_MAX transfers at once */
	uint32_t tftp_mtu;             /* --tftp-mtu; 0: the interface's MTU only */

	/* DNS (behaviour comes with the DNS work). */
	char *domain;                  /* -s DOMAIN (first word; ",range" kept below) */
	char *domain_range;            /* the "DOMAIN,range" part, or NULL */
	struct dns_server *servers;
	size_t nservers;
	bool strict_order;
	bool domain_needed, bogus_priv, no_negcache, no_resolv, no_hosts, expand_hosts;
	bool local_service;            /* accepted; in force whenever nothing says where to listen */
	char *resolv_file;
	uint32_t neg_ttl;  bool has_neg_ttl;
	uint32_t max_neg_ttl;          /* DEFAULT_MAX_NEG_TTL */
	uint32_t cache_size;           /* DEFAULT_CACHE_SIZE */
	uint32_t local_ttl;
	uint32_t edns_packet_max;      /* --edns-packet-max; 0: not given */
	uint32_t max_cache_ttl; bool has_max_cache_ttl;
	uint32_t min_cache_ttl;
	char **addn_hosts;
	size_t naddn_hosts;
	struct dns_address *addresses; /* --address */
	size_t naddresses;
	struct host_record *host_records;
	size_t nhost_records;
	struct dns_record_opt *cnames, *interface_names, *srv_hosts, *txt_records,
		*mx_hosts, *ptr_records;
	size_t ncnames, ninterface_names, nsrv_hosts, ntxt_records, nmx_hosts,
		nptr_records;
};

/* What argv asked for besides running: --help, --version, or nothing. */
enum config_action { CONFIG_RUN, CONFIG_HELP, CONFIG_VERSION };

/* Set every default (port 53, lease_max 1000, ...). */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/*
 * Parse argv (argv[0] is the program name) and every conf-file it names
 * (dnsmasq reads /etc/dnsmasq.conf when no --conf-file is given; leased
 * does not, because lxc-net always says which file it wants: documented).
 * Returns 0, or -1 with err filled.  *action tells --help / --version.
 */
int config_parse_args(struct config *cfg, int argc, char **argv,
		      enum config_action *action, struct error *err);

/*
 * Parse conf-file text (what a --conf-file holds) from memory; `name`
 * names it in messages.  Used by config_parse_args and the fuzzer.
 */
int config_parse_text(struct config *cfg, const char *text, size_t len,
		      const char *name, struct error *err);

/* Whole-configuration checks (ranges overlap, hosts inside ranges, ...). */
int config_validate(const struct config *cfg, struct error *err);

/*
 * Single values, shared with the files reread on SIGHUP.  `where` is
 * copied into the origin.  Return 0, or -1 with err->msg set.
 */
int config_parse_dhcp_boot(const char *arg, const char *where, struct dhcp_boot *out,
			   struct error *err);
void dhcp_boot_free(struct dhcp_boot *b);
int config_parse_dhcp_host(const char *arg, const char *where,
			   struct dhcp_host *out, struct error *err);
int config_parse_dhcp_option(const char *arg, bool force, const char *where,
			     struct dhcp_option *out, struct error *err);
void dhcp_host_free(struct dhcp_host *h);
void dhcp_option_free(struct dhcp_option *o);

/* Lease time "3600", "45m", "12h", "2d", "1w", "infinite" → seconds. */
int config_parse_lease_time(const char *s, uint32_t *out);
/*
 * The --dhcp-option of family (AF_INET6: option6:) and code that applies
 * on interface ifname when the only tag set is the interface's name (as
 * on DHCPv6 and in router advertisements); NULL when none does.
 */
const struct dhcp_option *config_iface_option(const struct config *cfg, int family,
					      uint16_t code, const char *ifname);
/* Whether every tag m names is set (or, negated, not set) among tags[0..n). */
bool config_tags_match(const struct tag_match *m, const char *const *tags, size_t n);
/* An interface name against "lxdbr0" or a trailing-'*' pattern ("eth*"), as constructor: takes. */
bool config_iface_matches(const char *pattern, const char *name);
/* Whether some IPv6 range asks for ra-names (SLAAC names from the neighbour table). */
bool config_ra_names(const struct config *cfg);
/* Whether --except-interface names this interface. */
bool config_iface_excluded(const struct config *cfg, const char *name);
/* One --ra-param value into out (free with ra_param_free); 0, or -1 with err. */
int config_parse_ra_param(const char *arg, const char *where, struct ra_param *out,
			  struct error *err);
void ra_param_free(struct ra_param *p);

/* Interface name matches an --except-interface / --interface pattern
 * (dnsmasq allows a trailing '*'). */
bool config_interface_excluded(const struct config *cfg, const char *name);
bool config_interface_listed(const struct config *cfg, const char *name);
/*
 * Whether DHCPv4 serves interface name with these IPv4 addresses, as
 * dnsmasq reads --interface, --except-interface and --listen-address
 * (nothing given: every interface but lo).  TFTP without an interface
 * list of its own serves the same interfaces.
 */
bool config_iface_serves_dhcp4(const struct config *cfg, const char *name,
			       const struct in_addr *addrs, size_t naddrs);

/* A valid DNS label (RFC 1123 letters, digits, hyphen; 1..63). */
bool config_valid_label(const char *s);
/* Option name → code for DHCPv4 ("router" → 3), -1 if unknown. */
int config_dhcp4_option_code(const char *name);

/* Free n strings and the array holding them (NULL with n 0 is fine). */
void config_free_list(char **list, size_t n);

/* The help text, one line per option, as `--help` prints it. */
void config_print_help(FILE *out);

#endif
