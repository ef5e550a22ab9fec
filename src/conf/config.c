/*
 * config — the option table and what it drives.  One table names every
 * option dnsmasq has (long name, short letter, argument kind, help) and,
 * for those leased implements, the handler that parses and stores the
 * value; options leased does not implement yet are in the table too, so
 * they get "a dnsmasq option leased does not implement yet" instead of
 * "unknown".  The command line is read first, then the conf-files and
 * conf-dirs it named, in order (so, as dnsmasq documents, a conf-file
 * overrides the command line for single-valued options); a conf-file's own
 * conf-file/conf-dir lines are read where they stand.  Whole-configuration
 * checks live in config_validate() (config_validate.c).  The value parsers
 * for DHCP and DNS options are in config_dhcp.c and config_dns.c; reading
 * files, cutting lines and fields, and the message format are conf_lex.c's.
 */
#include "conf/config.h"
#include "conf_lex.h"
#include "config_dhcp.h"
#include "config_dns.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* dnsmasq's default conf-file, read for a bare --conf-file (see conf_file). */
#define DEFAULT_CONF_FILE "/etc/dnsmasq.conf"
/* conf-file may name conf-file: deeper than this is an include loop. */
#define CONF_MAX_DEPTH 16
/* The "where" of a command-line option in messages (a file's is "FILE:LINE"). */
#define CONFIG_WHERE_CMDLINE "command line"

enum arg_kind { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

struct option_def;

/* Files the command line named, read once the command line is done. */
struct deferred_file {
	bool is_dir;
	bool is_default;        /* bare --conf-file: missing is fine */
	char *value;
};

struct parser {
	struct config *cfg;
	struct error *err;
	enum config_action *action;   /* NULL outside config_parse_args */
	bool cmdline;                 /* reading argv, not a file */
	const struct option_def *opt; /* the option being handled */
	const char *where;            /* "command line" or "FILE:LINE" */
	int depth;                    /* conf-file nesting */
	bool stop;                    /* --help / --version seen */
	struct deferred_file *deferred;
	size_t ndeferred;
};

typedef int (*option_handler)(struct parser *p, const char *arg);

struct option_def {
	const char *name;
	char short_name;
	enum arg_kind arg;
	option_handler handler;       /* NULL: dnsmasq's, not implemented yet */
	size_t field;                 /* offsetof(struct config, ...) */
	size_t count;                 /* offsetof of the element count */
	uint32_t min, max;            /* for numbers */
	const char *metavar;
	const char *help;
};

static int parse_text(struct parser *p, const char *text, size_t len, const char *name);

/* A bad value for the option being handled (config_option_error's message). */
static int bad(struct parser *p, const char *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct parser *p, const char *arg, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return config_option_error(p->err, p->opt->name, arg, p->where, "%s", reason);
}

/* ---- generic handlers, driven by the table's field offsets ---- */

#define FIELD(p, type) ((type *)((char *)(p)->cfg + (p)->opt->field))
#define COUNT(p) ((size_t *)((char *)(p)->cfg + (p)->opt->count))

static int opt_flag(struct parser *p, const char *arg)
{
	(void)arg;
	*FIELD(p, bool) = true;
	return 0;
}

/* A single value, unquoted; an empty one is an error. */
static int take_value(struct parser *p, const char *arg, char **out)
{
	const char *why;
	char *v = config_unquote(arg, &why);

	if (!v)
		return bad(p, arg, "%s", why);
	if (!v[0]) {
		free(v);
		return bad(p, arg, "the value is empty");
	}
	*out = v;
	return 0;
}

static int opt_string(struct parser *p, const char *arg)
{
	char *v;

	if (take_value(p, arg, &v) < 0)
		return -1;
	free(*FIELD(p, char *));
	*FIELD(p, char *) = v;
	return 0;
}

/*
 * Optional-argument options (--user, --group, --dhcp-leasefile): no value
 * or an empty one means "none" (stay root, the user's group, the default
 * lease file), as dnsmasq stores a missing argument as no string at all.
 */
static int opt_string_or_none(struct parser *p, const char *arg)
{
	char *v = NULL;

	if (arg && arg[0] && take_value(p, arg, &v) < 0)
		return -1;
	free(*FIELD(p, char *));
	*FIELD(p, char *) = v;
	return 0;
}

/* --pid-file: bare means the default file, "--pid-file=" means none. */
static int opt_pid_file(struct parser *p, const char *arg)
{
	char *v;

	if (!arg)
		v = xstrdup(DEFAULT_PID_FILE);
	else if (!arg[0])
		v = NULL;
	else if (take_value(p, arg, &v) < 0)
		return -1;
	free(p->cfg->pid_file);
	p->cfg->pid_file = v;
	return 0;
}

static int opt_u32(struct parser *p, const char *arg)
{
	uint32_t v;

	if (parse_u32(arg, p->opt->max, &v) < 0 || v < p->opt->min)
		return bad(p, arg, "not a number from %u to %u", (unsigned)p->opt->min,
			   (unsigned)p->opt->max);
	*FIELD(p, uint32_t) = v;
	return 0;
}

/* Number options that also record that they were given. */
static int opt_neg_ttl(struct parser *p, const char *arg)
{
	if (opt_u32(p, arg) < 0)
		return -1;
	p->cfg->has_neg_ttl = true;
	return 0;
}

static int opt_max_cache_ttl(struct parser *p, const char *arg)
{
	if (opt_u32(p, arg) < 0)
		return -1;
	p->cfg->has_max_cache_ttl = true;
	return 0;
}

static int opt_port(struct parser *p, const char *arg)
{
	uint32_t v;

	if (parse_u32(arg, 65535, &v) < 0)
		return bad(p, arg, "not a port number from 0 to 65535");
	p->cfg->port = (int)v;
	return 0;
}

/* A repeatable path option (--addn-hosts, --dhcp-hostsfile, ...). */
static int opt_path_list(struct parser *p, const char *arg)
{
	char *v;

	if (take_value(p, arg, &v) < 0)
		return -1;
	*(char **)array_push(FIELD(p, char *), COUNT(p), sizeof(char *)) = v;
	return 0;
}

/* -i / -I: comma lists of interface names, repeatable. */
static int opt_iface_list(struct parser *p, const char *arg)
{
	struct fieldlist f;
	const char *why;

	if (fields_split(arg, &f, &why) < 0)
		return bad(p, arg, "%s", why);
	for (size_t i = 0; i < f.n; i++) {
		if (!config_valid_ifname(f.v[i])) {
			bad(p, arg, "\"%s\" is not an interface name", f.v[i]);
			fields_free(&f);
			return -1;
		}
	}
	for (size_t i = 0; i < f.n; i++) {
		*(char **)array_push(FIELD(p, char *), COUNT(p), sizeof(char *)) = f.v[i];
		f.v[i] = NULL;
	}
	fields_free(&f);
	return 0;
}

/* -a: comma lists of IPv4 and IPv6 addresses, repeatable. */
static int opt_listen_address(struct parser *p, const char *arg)
{
	struct sockaddr_storage *addrs;
	struct fieldlist f;
	const char *why;
	struct config *cfg = p->cfg;

	if (fields_split(arg, &f, &why) < 0)
		return bad(p, arg, "%s", why);
	addrs = xcalloc(f.n, sizeof(*addrs));
	for (size_t i = 0; i < f.n; i++) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&addrs[i];
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&addrs[i];

		if (config_parse_ipv4(f.v[i], &sin->sin_addr) == 0) {
			sin->sin_family = AF_INET;
		} else if (config_parse_ipv6(f.v[i], &sin6->sin6_addr) == 0) {
			sin6->sin6_family = AF_INET6;
		} else {
			bad(p, arg, "\"%s\" is not an IPv4 or IPv6 address", f.v[i]);
			free(addrs);
			fields_free(&f);
			return -1;
		}
	}
	for (size_t i = 0; i < f.n; i++)
		*(struct sockaddr_storage *)array_push(&cfg->listen_addrs, &cfg->nlisten_addrs,
						       sizeof(*addrs)) = addrs[i];
	free(addrs);
	fields_free(&f);
	return 0;
}

static int opt_log_facility(struct parser *p, const char *arg)
{
	static const char *const names[] = {
		"daemon", "user", "local0", "local1", "local2", "local3",
		"local4", "local5", "local6", "local7",
	};
	char *v;

	if (take_value(p, arg, &v) < 0)
		return -1;
	if (strcmp(v, "-") != 0 && !strchr(v, '/')) {
		bool known = false;

		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (strcasecmp(v, names[i]) == 0)
				known = true;
		if (!known) {
			free(v);
			return bad(p, arg, "not a syslog facility (daemon, user, local0..local7), "
				   "a file path or \"-\"");
		}
	}
	free(p->cfg->log_facility);
	p->cfg->log_facility = v;
	return 0;
}

static int opt_help(struct parser *p, const char *arg)
{
	(void)arg;
	if (!p->cmdline)
		return bad(p, "", "only makes sense on the command line");
	*p->action = p->opt->short_name == 'v' ? CONFIG_VERSION : CONFIG_HELP;
	p->stop = true;
	return 0;
}

/* --enable-tftp[=IFACE,...]: on, and restricted to those interfaces when named. */
static int opt_enable_tftp(struct parser *p, const char *arg)
{
	p->cfg->enable_tftp = true;
	config_set_origin(&p->cfg->tftp_origin, p->where);
	return arg && arg[0] ? opt_iface_list(p, arg) : 0;
}

/*
 * --tftp-root=DIR: absolute, because the daemon's working directory is
 * "/" once it runs.  dnsmasq's ",IFACE" form (a root per interface) is
 * refused rather than taken as part of the path.
 */
static int opt_tftp_root(struct parser *p, const char *arg)
{
	struct fieldlist f;
	const char *why;
	int rc = -1;

	if (fields_split(arg, &f, &why) < 0)
		return bad(p, arg, "%s", why);
	if (f.n != 1)
		bad(p, arg, "a TFTP root per interface is not supported yet");
	else if (!f.v[0][0])
		bad(p, arg, "the value is empty");
	else if (f.v[0][0] != '/')
		bad(p, arg, "not an absolute path");
	else
		rc = 0;
	if (rc == 0) {
		free(p->cfg->tftp_root);
		p->cfg->tftp_root = f.v[0];
		f.v[0] = NULL;
	}
	fields_free(&f);
	return rc;
}

/* --tftp-unique-root[=ip]: the MAC form needs the neighbour table, not done yet. */
static int opt_tftp_unique_root(struct parser *p, const char *arg)
{
	if (arg && arg[0] && strcmp(arg, "ip") != 0)
		return bad(p, arg, strcmp(arg, "mac") == 0 ? "a root per MAC is not supported yet"
							  : "only \"ip\" (or nothing) is understood");
	p->cfg->tftp_unique_root = true;
	return 0;
}

/* ---- handlers that call the value parsers ---- */

static int opt_dhcp_range(struct parser *p, const char *arg)
{
	struct dhcp_range r;

	if (config_parse_dhcp_range(arg, p->where, &r, p->err) < 0)
		return -1;
	*(struct dhcp_range *)array_push(&p->cfg->ranges, &p->cfg->nranges, sizeof(r)) = r;
	return 0;
}

static int opt_ra_param(struct parser *p, const char *arg)
{
	struct ra_param r;

	if (config_parse_ra_param(arg, p->where, &r, p->err) < 0)
		return -1;
	*(struct ra_param *)array_push(&p->cfg->ra_params, &p->cfg->nra_params, sizeof(r)) = r;
	return 0;
}

static int opt_dhcp_host(struct parser *p, const char *arg)
{
	struct dhcp_host h;

	if (config_parse_dhcp_host(arg, p->where, &h, p->err) < 0)
		return -1;
	*(struct dhcp_host *)array_push(&p->cfg->hosts, &p->cfg->nhosts, sizeof(h)) = h;
	return 0;
}

static int opt_dhcp_boot(struct parser *p, const char *arg)
{
	struct dhcp_boot b;

	if (config_parse_dhcp_boot(arg, p->where, &b, p->err) < 0)
		return -1;
	*(struct dhcp_boot *)array_push(&p->cfg->boots, &p->cfg->nboots, sizeof(b)) = b;
	return 0;
}

static int opt_dhcp_option(struct parser *p, const char *arg)
{
	bool force = strcmp(p->opt->name, "dhcp-option-force") == 0;
	struct dhcp_option o;

	if (config_parse_dhcp_option(arg, force, p->where, &o, p->err) < 0)
		return -1;
	*(struct dhcp_option *)array_push(&p->cfg->options, &p->cfg->noptions, sizeof(o)) = o;
	return 0;
}

static int opt_domain(struct parser *p, const char *arg)
{
	return config_parse_domain(p->cfg, arg, p->where, p->err);
}

static int opt_server(struct parser *p, const char *arg)
{
	return config_parse_server(p->cfg, p->opt->name, arg, p->where, p->err);
}

static int opt_rev_server(struct parser *p, const char *arg)
{
	return config_parse_rev_server(p->cfg, arg, p->where, p->err);
}

static int opt_address(struct parser *p, const char *arg)
{
	return config_parse_address(p->cfg, arg, p->where, p->err);
}

static int opt_host_record(struct parser *p, const char *arg)
{
	return config_parse_host_record(p->cfg, arg, p->where, p->err);
}

static int opt_record(struct parser *p, const char *arg)
{
	struct dns_record_opt r;

	if (config_parse_record(p->opt->name, arg, p->where, &r, p->err) < 0)
		return -1;
	*(struct dns_record_opt *)array_push(FIELD(p, struct dns_record_opt *), COUNT(p),
					     sizeof(r)) = r;
	return 0;
}

/* ---- conf-file and conf-dir ---- */

static int read_conf_file(struct parser *p, const char *path, bool missing_ok)
{
	char *text;
	size_t len;
	int rc;

	if (p->depth >= CONF_MAX_DEPTH)
		return bad(p, path, "conf-files nested more than %d deep (a conf-file that "
			   "includes itself?)", CONF_MAX_DEPTH);
#ifdef LEASED_FUZZING
	/* The fuzzer feeds conf-file text: it must not wander the filesystem. */
	(void)missing_ok;
	return bad(p, path, "conf-file inclusion is off in the fuzzer");
#endif
	/* "-" is standard input, as in dnsmasq. */
	rc = strcmp(path, "-") == 0 ? config_read_fd(STDIN_FILENO, &text, &len)
				    : config_read_file(path, &text, &len);
	if (rc < 0) {
		if (missing_ok && errno == ENOENT)
			return 0;
		error_set(p->err, EXIT_FILESYSTEM, "cannot read conf-file %s: %s (at %s)",
				 path, strerror(errno), p->where);
		return -1;
	}
	p->depth++;
	rc = parse_text(p, text, len, path);
	p->depth--;
	free(text);
	return rc;
}

/*
 * --conf-dir=DIR[,.ext..][,*.ext..]: a plain extension skips the files
 * ending in it, a "*" one restricts to files ending in it.
 */
static int read_conf_dir(struct parser *p, const char *arg)
{
	char **skip = NULL, **only = NULL, **paths = NULL;
	size_t nskip = 0, nonly = 0, npaths = 0;
	struct fieldlist f;
	const char *why;
	int rc = -1;

	if (fields_split(arg, &f, &why) < 0)
		return bad(p, arg, "%s", why);
	if (f.n == 0 || !f.v[0][0]) {
		bad(p, arg, "no directory given");
		goto out;
	}
	for (size_t i = 1; i < f.n; i++) {
		if (f.v[i][0] == '*' && f.v[i][1])
			*(char **)array_push(&only, &nonly, sizeof(char *)) = f.v[i] + 1;
		else if (f.v[i][0] && f.v[i][0] != '*')
			*(char **)array_push(&skip, &nskip, sizeof(char *)) = f.v[i];
		else {
			bad(p, arg, "empty file extension");
			goto out;
		}
	}
	if (p->depth >= CONF_MAX_DEPTH) {
		bad(p, arg, "conf-files nested more than %d deep", CONF_MAX_DEPTH);
		goto out;
	}
#ifdef LEASED_FUZZING
	bad(p, arg, "conf-dir is off in the fuzzer");
	goto out;
#endif
	if (config_list_dir(f.v[0], skip, nskip, only, nonly, &paths, &npaths) < 0) {
		error_set(p->err, EXIT_FILESYSTEM, "cannot read conf-dir %s: %s (at %s)",
				 f.v[0], strerror(errno), p->where);
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < npaths && rc == 0; i++)
		rc = read_conf_file(p, paths[i], false);
out:
	config_free_list(paths, npaths);
	free(skip);
	free(only);
	fields_free(&f);
	return rc;
}

static void defer(struct parser *p, bool is_dir, bool is_default, const char *value)
{
	struct deferred_file *d = array_push(&p->deferred, &p->ndeferred, sizeof(*d));

	d->is_dir = is_dir;
	d->is_default = is_default;
	d->value = xstrdup(value);
}

/*
 * A bare --conf-file names dnsmasq's default, /etc/dnsmasq.conf.  Since it
 * was not named explicitly, a missing one is fine (leased itself never
 * reads it unasked; see config_parse_args), while a named file must exist.
 */
static int opt_conf_file(struct parser *p, const char *arg)
{
	bool is_default = !arg || !arg[0];
	char *path = NULL;
	int rc;

	if (!is_default && take_value(p, arg, &path) < 0)
		return -1;
	if (p->cmdline) {
		defer(p, false, is_default, is_default ? DEFAULT_CONF_FILE : path);
		rc = 0;
	} else {
		rc = read_conf_file(p, is_default ? DEFAULT_CONF_FILE : path, is_default);
	}
	free(path);
	return rc;
}

static int opt_conf_dir(struct parser *p, const char *arg)
{
	if (p->cmdline) {
		defer(p, true, false, arg);
		return 0;
	}
	return read_conf_dir(p, arg);
}

/* ---- the table ---- */

#define OFF(f) offsetof(struct config, f)
#define FLAG(n, s, f, h) { n, s, ARG_NONE, opt_flag, OFF(f), 0, 0, 0, NULL, h }
#define STR(n, s, f, m, h) { n, s, ARG_REQUIRED, opt_string, OFF(f), 0, 0, 0, m, h }
#define NUM(n, s, f, lo, hi, h) { n, s, ARG_REQUIRED, opt_u32, OFF(f), 0, lo, hi, "<integer>", h }
#define LIST(name, s, fn, f, m, h) { name, s, ARG_REQUIRED, fn, OFF(f), OFF(n##f), 0, 0, m, h }
#define OPTSTR(n, s, f, m, h) { n, s, ARG_OPTIONAL, opt_string_or_none, OFF(f), 0, 0, 0, m, h }
#define FUNC(n, s, k, fn, m, h) { n, s, k, fn, 0, 0, 0, 0, m, h }
#define RECORD(name, s, f, m, h) { name, s, ARG_REQUIRED, opt_record, OFF(f), OFF(n##f), 0, 0, m, h }
#define NOTYET(n, s, k) { n, s, k, NULL, 0, 0, 0, 0, NULL, NULL }

static const struct option_def options[] = {
	/* What lxc-net and LXD pass. */
	FUNC("conf-file", 'C', ARG_OPTIONAL, opt_conf_file, "<path>",
	     "Read options from this file (nested, repeatable; \"-\" is stdin)."),
	FUNC("conf-dir", '7', ARG_REQUIRED, opt_conf_dir, "<dir>[,<.ext>|*<.ext>...]",
	     "Read every file in this directory as a conf-file."),
	FUNC("domain", 's', ARG_REQUIRED, opt_domain, "<domain>[,<range>[,local]]",
	     "The domain of DHCP clients' names."),
	FUNC("rev-server", 0, ARG_REQUIRED, opt_rev_server, "<addr>/<prefix>[,<ipaddr>[#<port>]]",
	     "Forward reverse queries for this subnet to this server (LXD fan networks)."),
	FUNC("server", 'S', ARG_REQUIRED, opt_server, "[/<domain>/]<ipaddr>[#<port>]",
	     "Upstream DNS server, optionally for one domain only."),
	FUNC("local", 0, ARG_REQUIRED, opt_server, "/<domain>/",
	     "Never forward queries for this domain."),
	FLAG("no-ping", '5', no_ping, "Do not ping an address before offering it."),
	OPTSTR("user", 'u', user, "<username>", "Change to this user after start-up."),
	OPTSTR("group", 'g', group, "<groupname>", "Change to this group after start-up."),
	FLAG("strict-order", 'o', strict_order, "Ask upstream servers in the order given."),
	FLAG("bind-interfaces", 'z', bind_interfaces, "Bind only to the interfaces in use."),
	FLAG("bind-dynamic", 0, bind_dynamic, "Bind to interfaces in use, following new ones."),
	FUNC("pid-file", 'x', ARG_OPTIONAL, opt_pid_file, "<path>",
	     "Write the pid here (default " DEFAULT_PID_FILE "; empty: none)."),
	LIST("listen-address", 'a', opt_listen_address, listen_addrs, "<ipaddr>[,...]",
	     "Listen on these addresses."),
	FUNC("dhcp-range", 'F', ARG_REQUIRED, opt_dhcp_range, "<start>,<end>[,...]",
	     "Serve DHCP from this address range, with this lease time."),
	NUM("dhcp-lease-max", 'X', lease_max, 1, UINT32_MAX,
	    "Most leases at once (default 1000)."),
	FLAG("dhcp-no-override", 0, dhcp_no_override,
	     "Do not put options in the file and server-name fields."),
	LIST("except-interface", 'I', opt_iface_list, except_interfaces, "<interface>[,...]",
	     "Do not listen on these interfaces."),
	LIST("interface", 'i', opt_iface_list, interfaces, "<interface>[,...]",
	     "Listen on these interfaces."),
	OPTSTR("dhcp-leasefile", 'l', lease_file, "<path>",
	       "Lease file (default " DEFAULT_LEASE_FILE ")."),
	FLAG("dhcp-authoritative", 'K', authoritative,
	     "The only DHCP server on the network: NAK unknown leases."),
	FLAG("dhcp-ignore-clid", 0, ignore_clid,
	     "Know DHCPv4 clients by MAC alone, not by their client-id (LXD passes it)."),

	/* Process. */
	FLAG("keep-in-foreground", 'k', keep_in_foreground, "Do not go to the background."),
	FLAG("no-daemon", 'd', no_daemon, "Stay in the foreground, log to stderr too."),
	FLAG("test", 0, test_only, "Check the configuration and exit."),
	FUNC("version", 'v', ARG_NONE, opt_help, NULL, "Print the version and exit."),
	FUNC("help", 'w', ARG_NONE, opt_help, NULL, "Print this help and exit."),
	FUNC("log-facility", '8', ARG_REQUIRED, opt_log_facility, "<facility>|<file>",
	     "Log to this syslog facility or file."),
	FLAG("log-queries", 'q', log_queries, "Log DNS queries."),
	FLAG("log-dhcp", 0, log_dhcp, "Log DHCP in detail."),
	FLAG("quiet-dhcp", 0, quiet_dhcp, "Do not log routine DHCP."),
	FLAG("quiet-dhcp6", 0, quiet_dhcp6, "Do not log routine DHCPv6."),
	FLAG("quiet-ra", 0, quiet_ra, "Do not log router advertisements."),
	STR("dhcp-script", '6', dhcp_script, "<path>",
	    "Run this on lease creation and destruction."),
	FLAG("leasefile-ro", '9', leasefile_ro, "Do not write the lease file."),
	STR("control-socket", 0, control_socket, "<path>",
	    "leasectl's UNIX socket (leased's own option)."),
	STR("control-group", 0, control_group, "<group>",
	    "This group may use leasectl too (leased's own option)."),

	/* DHCP. */
	FUNC("dhcp-boot", 'M', ARG_REQUIRED, opt_dhcp_boot,
	     "[tag:<tag>,]<file>[,<servername>[,<server address>]]",
	     "Network boot: the boot file, the server's name and address (PXE)."),
	FUNC("dhcp-host", 'G', ARG_REQUIRED, opt_dhcp_host, "<hostspec>",
	     "Address, name or lease time for one client."),
	LIST("dhcp-hostsfile", 0, opt_path_list, hostsfiles, "<path>",
	     "Read dhcp-host lines from this file or directory."),
	LIST("dhcp-hostsdir", 0, opt_path_list, hostsfiles, "<path>",
	     "Read dhcp-host lines from the files in this directory."),
	FUNC("dhcp-option", 'O', ARG_REQUIRED, opt_dhcp_option, "<optspec>",
	     "A DHCP option to send."),
	FUNC("dhcp-option-force", 0, ARG_REQUIRED, opt_dhcp_option, "<optspec>",
	     "A DHCP option to send even when not asked for."),
	LIST("dhcp-optsfile", 0, opt_path_list, optsfiles, "<path>",
	     "Read dhcp-option lines from this file or directory."),
	LIST("dhcp-optsdir", 0, opt_path_list, optsfiles, "<path>",
	     "Read dhcp-option lines from the files in this directory."),
	FLAG("dhcp-rapid-commit", 0, rapid_commit, "Answer DHCPv4 rapid commit (RFC 4039)."),
	FLAG("enable-ra", 0, enable_ra, "Send IPv6 router advertisements."),
	FUNC("ra-param", 0, ARG_REQUIRED, opt_ra_param,
	     "<iface>,[mtu:<n>|off,][high|low,]<interval>[,<lifetime>]",
	     "Router advertisement interval, lifetime, MTU, preference."),

	/* TFTP. */
	{ "enable-tftp", 0, ARG_OPTIONAL, opt_enable_tftp, OFF(tftp_ifaces), OFF(ntftp_ifaces),
	  0, 0, "<interface>[,...]",
	  "Serve files from --tftp-root over TFTP, read-only (on DHCP's interfaces or these)." },
	FUNC("tftp-root", 0, ARG_REQUIRED, opt_tftp_root, "<dir>",
	     "The directory TFTP serves (needed by --enable-tftp)."),
	FUNC("tftp-unique-root", 0, ARG_OPTIONAL, opt_tftp_unique_root, "ip",
	     "Serve from <root>/<client address>/ when that directory exists."),
	FLAG("tftp-secure", 0, tftp_secure, "TFTP: only files owned by the user leased runs as."),
	FLAG("tftp-no-fail", 0, tftp_no_fail, "Start even when the TFTP root cannot be opened."),
	NUM("tftp-max", 0, tftp_max, 1, 65535, "Most TFTP transfers at once (default 50)."),
	NUM("tftp-mtu", 0, tftp_mtu, 68, 65535, "Largest MTU TFTP block sizes are fitted to."),
	FLAG("tftp-no-blocksize", 0, tftp_no_blocksize, "Do not negotiate the TFTP block size."),

	/* DNS. */
	FUNC("port", 'p', ARG_REQUIRED, opt_port, "<integer>",
	     "DNS port (default 53; 0 disables DNS)."),
	FLAG("domain-needed", 'D', domain_needed, "Never forward names without a dot."),
	FLAG("local-service", 0, local_service,
	     "Answer DNS only for local subnets (always, without --interface/--listen-address)."),
	FLAG("bogus-priv", 'b', bogus_priv, "Never forward reverse queries for private ranges."),
	FLAG("no-negcache", 'N', no_negcache, "Do not cache negative answers."),
	{ "neg-ttl", 0, ARG_REQUIRED, opt_neg_ttl, OFF(neg_ttl), 0, 0, UINT32_MAX, "<integer>",
	  "TTL of negative answers without an SOA." },
	NUM("max-neg-ttl", 0, max_neg_ttl, 0, UINT32_MAX,
	    "Longest time a negative answer is cached (leased's own, default 60)."),
	NUM("cache-size", 'c', cache_size, 0, UINT32_MAX, "DNS cache entries (default 150)."),
	NUM("local-ttl", 'T', local_ttl, 0, UINT32_MAX, "TTL of local answers."),
	/* dnsmasq takes any number and raises one below 512; leased refuses what it cannot send. */
	NUM("edns-packet-max", 'P', edns_packet_max, EDNS_PACKET_MIN, EDNS_PACKET_MAX,
	    "Largest UDP reply, and the EDNS size replies advertise."),
	{ "max-cache-ttl", 0, ARG_REQUIRED, opt_max_cache_ttl, OFF(max_cache_ttl), 0, 0,
	  UINT32_MAX, "<integer>", "Longest TTL kept in the cache." },
	/* dnsmasq: "The maximum value for this option is one hour." */
	NUM("min-cache-ttl", 0, min_cache_ttl, 0, 3600, "Shortest TTL kept in the cache."),
	FLAG("no-resolv", 'R', no_resolv, "Do not read resolv.conf."),
	STR("resolv-file", 'r', resolv_file, "<path>", "Upstream servers from this file."),
	FLAG("no-hosts", 'h', no_hosts, "Do not read /etc/hosts."),
	LIST("addn-hosts", 'H', opt_path_list, addn_hosts, "<path>",
	     "Also read this hosts file."),
	FLAG("expand-hosts", 'E', expand_hosts, "Add the domain to simple hosts-file names."),
	FUNC("host-record", 0, ARG_REQUIRED, opt_host_record,
	     "<name>[,<name>..],[<ipv4>][,<ipv6>][,<ttl>]", "A and AAAA records."),
	FUNC("address", 'A', ARG_REQUIRED, opt_address, "/<domain>/[<ipaddr>]",
	     "Answer this address for every name in the domain."),
	RECORD("cname", 0, cnames, "<alias>[,<alias>..],<target>[,<ttl>]", "A CNAME record."),
	RECORD("interface-name", 0, interface_names, "<name>,<interface>[/4|/6]",
	       "A name for an interface's addresses."),
	RECORD("srv-host", 'W', srv_hosts, "<name>,<target>[,<port>[,<prio>[,<weight>]]]",
	       "An SRV record."),
	RECORD("txt-record", 'Y', txt_records, "<name>[,<text>..]", "A TXT record."),
	RECORD("mx-host", 'm', mx_hosts, "<name>[,<target>][,<pref>]", "An MX record."),
	RECORD("ptr-record", 0, ptr_records, "<name>[,<target>]", "A PTR record."),

	/* dnsmasq's other options, not implemented yet. */
	NOTYET("bogus-nxdomain", 'B', ARG_REQUIRED),
	NOTYET("selfmx", 'e', ARG_NONE),
	NOTYET("filterwin2k", 'f', ARG_NONE),
	NOTYET("filter-A", 0, ARG_NONE),
	NOTYET("filter-AAAA", 0, ARG_NONE),
	NOTYET("filter-rr", 0, ARG_REQUIRED),
	NOTYET("tag-if", 0, ARG_REQUIRED),
	NOTYET("hostsdir", 0, ARG_REQUIRED),
	NOTYET("dhcp-userclass", 'j', ARG_REQUIRED),
	NOTYET("dhcp-circuitid", 0, ARG_REQUIRED),
	NOTYET("dhcp-remoteid", 0, ARG_REQUIRED),
	NOTYET("dhcp-subscrid", 0, ARG_REQUIRED),
	NOTYET("dhcp-pxe-vendor", 0, ARG_REQUIRED),
	NOTYET("dhcp-ignore", 'J', ARG_REQUIRED),
	NOTYET("dhcp-broadcast", 0, ARG_OPTIONAL),
	NOTYET("localmx", 'L', ARG_NONE),
	NOTYET("no-poll", 'n', ARG_NONE),
	NOTYET("use-stale-cache", 0, ARG_OPTIONAL),
	NOTYET("query-port", 'Q', ARG_REQUIRED),
	NOTYET("port-limit", 0, ARG_REQUIRED),
	NOTYET("servers-file", 0, ARG_REQUIRED),
	NOTYET("mx-target", 't', ARG_REQUIRED),
	NOTYET("max-ttl", 0, ARG_REQUIRED),
	NOTYET("fast-dns-retry", 0, ARG_OPTIONAL),
	NOTYET("dhcp-vendorclass", 'U', ARG_REQUIRED),
	NOTYET("alias", 'V', ARG_REQUIRED),
	NOTYET("localise-queries", 'y', ARG_NONE),
	NOTYET("read-ethers", 'Z', ARG_NONE),
	NOTYET("enable-dbus", '1', ARG_OPTIONAL),
	NOTYET("enable-ubus", 0, ARG_OPTIONAL),
	NOTYET("no-dhcp-interface", '2', ARG_REQUIRED),
	NOTYET("no-dhcpv6-interface", 0, ARG_REQUIRED),
	NOTYET("no-dhcpv4-interface", 0, ARG_REQUIRED),
	NOTYET("bootp-dynamic", '3', ARG_OPTIONAL),
	NOTYET("dhcp-mac", '4', ARG_REQUIRED),
	NOTYET("bridge-interface", 0, ARG_REQUIRED),
	NOTYET("shared-network", 0, ARG_REQUIRED),
	NOTYET("dhcp-luascript", 0, ARG_REQUIRED),
	NOTYET("dhcp-scriptuser", 0, ARG_REQUIRED),
	NOTYET("script-arp", 0, ARG_NONE),
	NOTYET("conf-script", 0, ARG_REQUIRED),
	NOTYET("dns-forward-max", '0', ARG_REQUIRED),
	NOTYET("clear-on-reload", 0, ARG_NONE),
	NOTYET("dhcp-ignore-names", 0, ARG_OPTIONAL),
	NOTYET("tftp-lowercase", 0, ARG_NONE),
	NOTYET("tftp-port-range", 0, ARG_REQUIRED),
	NOTYET("tftp-single-port", 0, ARG_NONE),
	NOTYET("log-async", 0, ARG_OPTIONAL),
	NOTYET("stop-dns-rebind", 0, ARG_NONE),
	NOTYET("rebind-localhost-ok", 0, ARG_NONE),
	NOTYET("rebind-domain-ok", 0, ARG_REQUIRED),
	NOTYET("all-servers", 0, ARG_NONE),
	NOTYET("dhcp-match", 0, ARG_REQUIRED),
	NOTYET("dhcp-name-match", 0, ARG_REQUIRED),
	NOTYET("dhcp-alternate-port", 0, ARG_OPTIONAL),
	NOTYET("naptr-record", 0, ARG_REQUIRED),
	NOTYET("min-port", 0, ARG_REQUIRED),
	NOTYET("max-port", 0, ARG_REQUIRED),
	NOTYET("dhcp-fqdn", 0, ARG_NONE),
	NOTYET("dhcp-generate-names", 0, ARG_OPTIONAL),
	NOTYET("dhcp-proxy", 0, ARG_OPTIONAL),
	NOTYET("dhcp-relay", 0, ARG_REQUIRED),
	NOTYET("pxe-prompt", 0, ARG_REQUIRED),
	NOTYET("pxe-service", 0, ARG_REQUIRED),
	NOTYET("add-mac", 0, ARG_OPTIONAL),
	NOTYET("strip-mac", 0, ARG_NONE),
	NOTYET("add-subnet", 0, ARG_OPTIONAL),
	NOTYET("strip-subnet", 0, ARG_NONE),
	NOTYET("add-cpe-id", 0, ARG_REQUIRED),
	NOTYET("proxy-dnssec", 0, ARG_NONE),
	NOTYET("dhcp-sequential-ip", 0, ARG_NONE),
	NOTYET("conntrack", 0, ARG_NONE),
	NOTYET("dhcp-client-update", 0, ARG_NONE),
	NOTYET("dhcp-duid", 0, ARG_REQUIRED),
	NOTYET("dynamic-host", 0, ARG_REQUIRED),
	NOTYET("caa-record", 0, ARG_REQUIRED),
	NOTYET("dns-rr", 0, ARG_REQUIRED),
	NOTYET("auth-server", 0, ARG_REQUIRED),
	NOTYET("auth-zone", 0, ARG_REQUIRED),
	NOTYET("auth-ttl", 0, ARG_REQUIRED),
	NOTYET("auth-soa", 0, ARG_REQUIRED),
	NOTYET("auth-sec-servers", 0, ARG_REQUIRED),
	NOTYET("auth-peer", 0, ARG_REQUIRED),
	NOTYET("ipset", 0, ARG_REQUIRED),
	NOTYET("nftset", 0, ARG_REQUIRED),
	NOTYET("connmark-allowlist-enable", 0, ARG_OPTIONAL),
	NOTYET("connmark-allowlist", 0, ARG_REQUIRED),
	NOTYET("synth-domain", 0, ARG_REQUIRED),
	NOTYET("dnssec", 0, ARG_NONE),
	NOTYET("trust-anchor", 0, ARG_REQUIRED),
	NOTYET("dnssec-debug", 0, ARG_NONE),
	NOTYET("dnssec-check-unsigned", 0, ARG_OPTIONAL),
	NOTYET("dnssec-no-timecheck", 0, ARG_NONE),
	NOTYET("dnssec-timestamp", 0, ARG_REQUIRED),
	NOTYET("dnssec-limits", 0, ARG_REQUIRED),
	NOTYET("log-debug", 0, ARG_NONE),
	NOTYET("dns-loop-detect", 0, ARG_NONE),
	NOTYET("ignore-address", 0, ARG_REQUIRED),
	NOTYET("dhcp-ttl", 0, ARG_REQUIRED),
	NOTYET("dhcp-reply-delay", 0, ARG_REQUIRED),
	NOTYET("dumpfile", 0, ARG_REQUIRED),
	NOTYET("dumpmask", 0, ARG_REQUIRED),
	NOTYET("script-on-renewal", 0, ARG_NONE),
	NOTYET("umbrella", 0, ARG_OPTIONAL),
	NOTYET("quiet-tftp", 0, ARG_NONE),
	NOTYET("no-round-robin", 0, ARG_NONE),
	NOTYET("no-ident", 0, ARG_NONE),
	NOTYET("cache-rr", 0, ARG_REQUIRED),
	NOTYET("max-tcp-connections", 0, ARG_REQUIRED),
};

static const struct option_def *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

static const struct option_def *find_short(char c)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (options[i].short_name == c)
			return &options[i];
	return NULL;
}

/* How an option is named in messages: "--dhcp-boot" or "-M". */
static void option_label(const struct option_def *def, bool as_short, char *out, size_t len)
{
	if (as_short)
		snprintf(out, len, "-%c", def->short_name);
	else
		snprintf(out, len, "--%s", def->name);
}

/*
 * Run one option.  has_value tells whether a value was given at all
 * ("opt" vs "opt=" in a file, "--opt" vs "--opt=" in argv).
 */
static int run_option(struct parser *p, const struct option_def *def, bool as_short,
		      const char *value)
{
	char label[64];

	option_label(def, as_short, label, sizeof(label));
	if (!def->handler) {
		error_set(p->err, EXIT_CONFIG,
				 "%s is a dnsmasq option leased does not implement yet (at %s)",
				 label, p->where);
		return -1;
	}
	if (def->arg == ARG_NONE && value) {
		error_set(p->err, EXIT_CONFIG, "%s takes no value (at %s)", label, p->where);
		return -1;
	}
	if (def->arg == ARG_REQUIRED && !value) {
		error_set(p->err, EXIT_CONFIG, "%s needs a value (at %s)", label, p->where);
		return -1;
	}
	p->opt = def;
	return def->handler(p, value);
}

static int unknown_option(struct parser *p, const char *prefix, const char *name, size_t len)
{
	char shown[80];
	char *copy = strndup(name, len);

	if (!copy) {
		fputs("leased: out of memory\n", stderr);
		exit(EXIT_MEMORY);
	}
	str_printable(shown, sizeof(shown), copy, 60);
	free(copy);
	error_set(p->err, EXIT_CONFIG, "unknown option %s%s (at %s)", prefix, shown,
			 p->where);
	return -1;
}

/* One conf-file line: "name", "name=value" (blanks around '=' allowed). */
static int conf_line(struct parser *p, char *line)
{
	char *eq = strchr(line, '='), *value = NULL, *end;
	const struct option_def *def;

	if (eq) {
		value = eq + 1;
		while (isspace((unsigned char)*value))
			value++;
		end = eq;
		while (end > line && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
	}
	def = find_long(line, strlen(line));
	if (!def)
		return unknown_option(p, "--", line, strlen(line));
	/* "no-ping=" is "no-ping"; "pid-file=" and "pid-file" differ. */
	if (value && !value[0] && def->arg == ARG_NONE)
		value = NULL;
	return run_option(p, def, false, value);
}

static int parse_text(struct parser *p, const char *text, size_t len, const char *name)
{
	const char *saved_where = p->where, *why;
	struct line_reader r;
	char where[ERROR_LEN / 2];
	char *line;
	int rc = 0, more;

	line_reader_init(&r, text, len);
	while (rc == 0 && !p->stop) {
		more = line_next(&r, &line, &why);
		snprintf(where, sizeof(where), "%s:%u", name, r.lineno);
		p->where = where;
		if (more == 0)
			break;
		if (more < 0) {
			error_set(p->err, EXIT_CONFIG, "bad line: %s (at %s)", why, where);
			rc = -1;
			break;
		}
		rc = conf_line(p, line);
	}
	line_reader_free(&r);
	p->where = saved_where;
	return rc;
}

int config_parse_text(struct config *cfg, const char *text, size_t len, const char *name,
		      struct error *err)
{
	struct parser p = { .cfg = cfg, .err = err, .where = name };

	err->msg[0] = '\0';
	err->status = 0;
	return parse_text(&p, text, len, name);
}

/* "--name=value", "--name value", "--name". */
static int long_arg(struct parser *p, int argc, char **argv, int *i)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct option_def *def = find_long(name, len);
	const char *value = eq ? eq + 1 : NULL;

	if (!def)
		return unknown_option(p, "--", name, len);
	/*
	 * Only required values may be the next word: an optional one must be
	 * attached with '=' (getopt_long's rule), so "--pid-file" followed by
	 * another option is the default pid file, not a file named "--x".
	 */
	if (!eq && def->arg == ARG_REQUIRED && def->handler) {
		if (*i + 1 >= argc)
			return run_option(p, def, false, NULL);
		value = argv[++*i];
	}
	return run_option(p, def, false, value);
}

/* "-s x", "-sx", and flags run together ("-kd"). */
static int short_args(struct parser *p, int argc, char **argv, int *i)
{
	const char *s = argv[*i] + 1;

	for (; *s; s++) {
		const struct option_def *def = find_short(*s);
		const char *value = NULL;

		if (!def)
			return unknown_option(p, "-", s, 1);
		if (def->arg != ARG_NONE && def->handler) {
			if (s[1])
				value = s + 1;
			else if (*i + 1 < argc)
				value = argv[++*i];
			return run_option(p, def, true, value);
		}
		if (run_option(p, def, true, NULL) < 0 || p->stop)
			return p->stop ? 0 : -1;
	}
	return 0;
}

static int read_deferred(struct parser *p)
{
	for (size_t i = 0; i < p->ndeferred; i++) {
		struct deferred_file *d = &p->deferred[i];
		const char *name = d->is_dir ? "conf-dir" : "conf-file";
		int rc;

		p->opt = find_long(name, strlen(name));
		rc = d->is_dir ? read_conf_dir(p, d->value)
			       : read_conf_file(p, d->value, d->is_default);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * dnsmasq reads /etc/dnsmasq.conf when the command line names no
 * conf-file; leased does not: lxc-net and LXD always name the file they
 * want, and a leftover /etc/dnsmasq.conf from a dnsmasq package must not
 * change what the bridge's server does.
 */
int config_parse_args(struct config *cfg, int argc, char **argv,
		      enum config_action *action, struct error *err)
{
	struct parser p = { .cfg = cfg, .err = err, .action = action, .cmdline = true,
			    .where = CONFIG_WHERE_CMDLINE };
	int rc = 0;

	*action = CONFIG_RUN;
	err->msg[0] = '\0';
	err->status = 0;
	for (int i = 1; i < argc && rc == 0 && !p.stop; i++) {
		const char *a = argv[i];

		if (a[0] == '-' && a[1] == '-' && a[2])
			rc = long_arg(&p, argc, argv, &i);
		else if (a[0] == '-' && a[1] && a[1] != '-')
			rc = short_args(&p, argc, argv, &i);
		else {
			char shown[80];

			str_printable(shown, sizeof(shown), a, 60);
			error_set(err, EXIT_CONFIG,
					 "junk found in command line: \"%s\" is not an option", shown);
			rc = -1;
		}
	}
	p.cmdline = false;
	if (rc == 0 && !p.stop)
		rc = read_deferred(&p);
	for (size_t i = 0; i < p.ndeferred; i++)
		free(p.deferred[i].value);
	free(p.deferred);
	return rc;
}

/* ---- defaults, freeing ---- */

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pid_file = xstrdup(DEFAULT_PID_FILE);
	cfg->port = 53;
	cfg->lease_max = DEFAULT_LEASE_MAX;
	cfg->max_neg_ttl = DEFAULT_MAX_NEG_TTL;
	cfg->cache_size = DEFAULT_CACHE_SIZE;
	cfg->tftp_max = DEFAULT_TFTP_MAX;
}

static void free_records(struct dns_record_opt *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dns_record_opt_free(&r[i]);
	free(r);
}

void config_free(struct config *cfg)
{
	free(cfg->user);
	free(cfg->group);
	free(cfg->pid_file);
	free(cfg->lease_file);
	free(cfg->log_facility);
	free(cfg->dhcp_script);
	free(cfg->control_socket);
	free(cfg->control_group);
	config_free_list(cfg->interfaces, cfg->ninterfaces);
	config_free_list(cfg->except_interfaces, cfg->nexcept_interfaces);
	free(cfg->listen_addrs);
	for (size_t i = 0; i < cfg->nranges; i++)
		dhcp_range_free(&cfg->ranges[i]);
	free(cfg->ranges);
	for (size_t i = 0; i < cfg->nra_params; i++)
		ra_param_free(&cfg->ra_params[i]);
	free(cfg->ra_params);
	for (size_t i = 0; i < cfg->nboots; i++)
		dhcp_boot_free(&cfg->boots[i]);
	free(cfg->boots);
	config_free_list(cfg->tftp_ifaces, cfg->ntftp_ifaces);
	free(cfg->tftp_root);
	for (size_t i = 0; i < cfg->nhosts; i++)
		dhcp_host_free(&cfg->hosts[i]);
	free(cfg->hosts);
	config_free_list(cfg->hostsfiles, cfg->nhostsfiles);
	for (size_t i = 0; i < cfg->noptions; i++)
		dhcp_option_free(&cfg->options[i]);
	free(cfg->options);
	config_free_list(cfg->optsfiles, cfg->noptsfiles);
	free(cfg->domain);
	free(cfg->domain_range);
	for (size_t i = 0; i < cfg->nservers; i++)
		free(cfg->servers[i].domain);
	free(cfg->servers);
	free(cfg->resolv_file);
	config_free_list(cfg->addn_hosts, cfg->naddn_hosts);
	for (size_t i = 0; i < cfg->naddresses; i++)
		free(cfg->addresses[i].domain);
	free(cfg->addresses);
	for (size_t i = 0; i < cfg->nhost_records; i++)
		config_free_list(cfg->host_records[i].names, cfg->host_records[i].nnames);
	free(cfg->host_records);
	free_records(cfg->cnames, cfg->ncnames);
	free_records(cfg->interface_names, cfg->ninterface_names);
	free_records(cfg->srv_hosts, cfg->nsrv_hosts);
	free_records(cfg->txt_records, cfg->ntxt_records);
	free_records(cfg->mx_hosts, cfg->nmx_hosts);
	free_records(cfg->ptr_records, cfg->nptr_records);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- help ---- */

static void print_option(FILE *out, const struct option_def *def)
{
	char shortname[8] = "    ", longname[96];

	if (def->short_name)
		snprintf(shortname, sizeof(shortname), "-%c, ", def->short_name);
	snprintf(longname, sizeof(longname), "--%s%s%s%s%s", def->name,
		 def->metavar && def->arg == ARG_OPTIONAL ? "[" : "",
		 def->metavar ? "=" : "", def->metavar ? def->metavar : "",
		 def->metavar && def->arg == ARG_OPTIONAL ? "]" : "");
	fprintf(out, "%s%-52s %s\n", shortname, longname, def->help);
}

void config_print_help(FILE *out)
{
	size_t col = 0;

	fprintf(out, "Usage: leased [options]  (also installed as dnsmasq)\n\n"
		"Valid options are:\n");
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (options[i].handler)
			print_option(out, &options[i]);
	fprintf(out, "\ndnsmasq options leased does not implement yet (an error if given):\n");
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		size_t len = strlen(options[i].name) + 3;

		if (options[i].handler)
			continue;
		if (col && col + len > 78) {
			fputc('\n', out);
			col = 0;
		}
		col += (size_t)fprintf(out, "%s--%s", col ? " " : "", options[i].name);
	}
	fputc('\n', out);
}

static bool matches_any(char *const *patterns, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(patterns[i], name, 0) == 0)
			return true;
	return false;
}

bool config_interface_excluded(const struct config *cfg, const char *name)
{
	return matches_any(cfg->except_interfaces, cfg->nexcept_interfaces, name);
}

bool config_interface_listed(const struct config *cfg, const char *name)
{
	return matches_any(cfg->interfaces, cfg->ninterfaces, name);
}

static bool has_listen_addr(const struct config *cfg, const struct in_addr *addrs, size_t naddrs)
{
	for (size_t k = 0; k < cfg->nlisten_addrs; k++) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&cfg->listen_addrs[k];

		if (sin->sin_family != AF_INET)
			continue;
		for (size_t a = 0; a < naddrs; a++)
			if (addrs[a].s_addr == sin->sin_addr.s_addr)
				return true;
	}
	return false;
}

bool config_iface_serves_dhcp4(const struct config *cfg, const char *name,
			       const struct in_addr *addrs, size_t naddrs)
{
	if (config_interface_excluded(cfg, name))
		return false;
	if (cfg->ninterfaces == 0 && cfg->nlisten_addrs == 0)
		return strcmp(name, "lo") != 0;
	return config_interface_listed(cfg, name) || has_listen_addr(cfg, addrs, naddrs);
}
