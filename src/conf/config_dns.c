/*
 * config_dns — the values of the DNS options: -s/--domain, -S/--server and
 * --local, -A/--address, --host-record, and the record options (--cname,
 * --interface-name, --srv-host, --txt-record, --mx-host, --ptr-record).
 * The DNS behaviour comes with later work; here every value is checked
 * as far as is cheap (names are names, numbers numbers, addresses parse)
 * and stored, so a configuration that is good now stays good.
 */
#include "conf/config.h"
#include "conf_lex.h"
#include "config_dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* A name without its trailing dot, lower-cased, checked into out. */
static int clean_domain(const char *v, bool underscore, char *out, size_t outlen,
			struct reason *why)
{
	size_t n = str_copy(out, v, outlen);
	const char *check = out;

	if (n >= outlen)
		return reasonf(why, "\"%s\" is too long for a domain name", v);
	if (n > 1 && out[n - 1] == '.')
		out[n - 1] = '\0';
	for (char *c = out; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	/* dnsmasq's "*.example.com" matches the subdomains. */
	if (str_has_prefix(out, "*."))
		check = out + 2;
	if (!config_valid_name(check, underscore))
		return reasonf(why, "\"%s\" is not a valid domain name", v);
	return 0;
}

static void set_sockaddr(struct sockaddr_storage *ss, int family, const void *addr,
			 uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
	}
}

/* An IPv4 or IPv6 address (no port) into ss. */
static int parse_any_addr(const char *s, uint16_t port, struct sockaddr_storage *ss)
{
	struct in_addr a;
	struct in6_addr a6;

	if (config_parse_ipv4(s, &a) == 0)
		set_sockaddr(ss, AF_INET, &a, port);
	else if (config_parse_ipv6(s, &a6) == 0)
		set_sockaddr(ss, AF_INET6, &a6, port);
	else
		return -1;
	return 0;
}

/* ---- -s/--domain ---- */

/* The range part: "addr/prefix" or "start,end" (IPv4), then maybe ",local". */
static int domain_range(const struct fieldlist *f, struct reason *why)
{
	struct sockaddr_storage a;
	size_t i = 2;

	if (strchr(f->v[1], '/')) {
		const char *slash = strchr(f->v[1], '/');
		char addr[INET6_ADDRSTRLEN];
		size_t n = (size_t)(slash - f->v[1]);
		uint32_t plen;

		if (n >= sizeof(addr))
			return reasonf(why, "\"%s\" is not address/prefix", f->v[1]);
		memcpy(addr, f->v[1], n);
		addr[n] = '\0';
		if (parse_any_addr(addr, 0, &a) < 0 ||
		    parse_u32(slash + 1, a.ss_family == AF_INET ? 32 : 128, &plen) < 0)
			return reasonf(why, "\"%s\" is not address/prefix", f->v[1]);
	} else {
		struct in_addr s, e;

		if (f->n < 3 || config_parse_ipv4(f->v[1], &s) < 0 ||
		    config_parse_ipv4(f->v[2], &e) < 0)
			return reasonf(why, "the range must be address/prefix or start,end");
		if (ntohl(e.s_addr) < ntohl(s.s_addr))
			return reasonf(why, "end address is before start address");
		i = 3;
	}
	if (i < f->n && strcmp(f->v[i], "local") == 0)
		i++;
	if (i < f->n)
		return reasonf(why, "\"%s\" after the range", f->v[i]);
	return 0;
}

int config_parse_domain(struct config *cfg, const char *arg, const char *where,
			struct error *err)
{
	char name[256], *range = NULL;
	struct reason why;
	struct fieldlist f;
	const char *qwhy;
	int rc = -1;

	if (fields_split(arg, &f, &qwhy) < 0)
		return config_option_error(err, "domain", arg, where, "%s", qwhy);
	if (f.n == 0 || !f.v[0][0]) {
		reasonf(&why, "no domain given");
		goto out;
	}
	/* "#": the first search domain of resolv.conf, as dnsmasq. */
	if (strcmp(f.v[0], "#") == 0)
		str_copy(name, "#", sizeof(name));
	else if (clean_domain(f.v[0], false, name, sizeof(name), &why) < 0)
		goto out;
	if (f.n > 1) {
		const char *comma = strchr(arg, ',');

		if (domain_range(&f, &why) < 0)
			goto out;
		range = config_unquote(comma + 1, &qwhy);
	}
	/*
	 * dnsmasq keeps a list of domains per range; leased has one domain
	 * (lxc-net and LXD give one), so a later --domain replaces it.
	 */
	free(cfg->domain);
	free(cfg->domain_range);
	cfg->domain = xstrdup(name);
	cfg->domain_range = range;
	rc = 0;
out:
	fields_free(&f);
	if (rc < 0)
		return config_option_error(err, "domain", arg, where, "%s", why.msg);
	return 0;
}

/* ---- -S/--server, --local, -A/--address ---- */

/*
 * "/a/b/rest": the domains between the slashes into *doms (one "" for
 * "//", meaning unqualified names), *rest after the last slash.
 */
static int slash_domains(char *v, bool underscore, char ***doms, size_t *ndoms, char **rest,
			 struct reason *why)
{
	char *last = strrchr(v, '/'), *seg, *save = NULL;

	if (last == v)
		return reasonf(why, "the domain list has no closing '/'");
	*last = '\0';
	*rest = last + 1;
	if (!v[1]) {
		*(char **)array_push(doms, ndoms, sizeof(char *)) = xstrdup("");
		return 0;
	}
	for (seg = strtok_r(v + 1, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		char name[256];

		if (strcmp(seg, "#") == 0)
			str_copy(name, "#", sizeof(name));
		else if (clean_domain(seg, underscore, name, sizeof(name), why) < 0)
			return -1;
		*(char **)array_push(doms, ndoms, sizeof(char *)) = xstrdup(name);
	}
	return 0;
}

/* "addr[#port][@source]" */
static int server_addr(char *s, struct sockaddr_storage *ss, struct reason *why)
{
	char *at = strchr(s, '@'), *hash;
	uint32_t port = 53;

	if (at) {
		*at = '\0';
		if (!at[1])
			return reasonf(why, "empty @source");
	}
	hash = strchr(s, '#');
	if (hash) {
		*hash = '\0';
		if (parse_u32(hash + 1, 65535, &port) < 0 || port == 0)
			return reasonf(why, "\"%s\" is not a port number", hash + 1);
	}
	if (parse_any_addr(s, (uint16_t)port, ss) < 0)
		return reasonf(why, "\"%s\" is not an IPv4 or IPv6 address", s);
	return 0;
}

/*
 * "[/d1/d2/]addr[#port][@source]", "/d/" or "/d/#" (v, writable) into
 * cfg->servers, one entry per domain; -1 with why on a bad value.
 */
static int add_servers(struct config *cfg, bool local, char *v, const char *where,
		       struct reason *why)
{
	struct dns_server proto = { 0 };
	char **doms = NULL, *rest = v;
	size_t ndoms = 0;
	int rc = -1;

	config_set_origin(&proto.origin, where);
	if (v[0] == '/' && slash_domains(v, true, &doms, &ndoms, &rest, why) < 0)
		goto out;
	if (!rest[0]) {
		/* "/domain/": answer from local data only, never forward. */
		if (!ndoms) {
			reasonf(why, "no server address");
			goto out;
		}
		proto.local_only = true;
	} else if (strcmp(rest, "#") == 0) {
		/* "/domain/#": the default servers, for this domain too. */
		if (!ndoms) {
			reasonf(why, "\"#\" only makes sense after /domain/");
			goto out;
		}
	} else {
		if (local) {
			reasonf(why, "--local takes /domain/ only (an address belongs in --server)");
			goto out;
		}
		if (server_addr(rest, &proto.addr, why) < 0)
			goto out;
		proto.has_addr = true;
	}
	for (size_t i = 0; i < (ndoms ? ndoms : 1); i++) {
		struct dns_server *s = array_push(&cfg->servers, &cfg->nservers, sizeof(*s));

		*s = proto;
		s->domain = ndoms ? doms[i] : NULL;
		if (ndoms)
			doms[i] = NULL;
	}
	rc = 0;
out:
	config_free_list(doms, ndoms);
	return rc;
}

int config_parse_server(struct config *cfg, const char *opt, const char *arg,
			const char *where, struct error *err)
{
	struct reason why;
	const char *qwhy;
	char *v = config_unquote(arg, &qwhy);
	int rc;

	if (!v)
		return config_option_error(err, opt, arg, where, "%s", qwhy);
	rc = add_servers(cfg, strcmp(opt, "local") == 0, v, where, &why);
	free(v);
	if (rc < 0)
		return config_option_error(err, opt, arg, where, "%s", why.msg);
	return 0;
}

/*
 * The reverse zone of ADDR/LEN: in-addr.arpa labels for the whole octets
 * of the prefix, ip6.arpa labels for its whole nibbles (a prefix between
 * boundaries takes the zone around it, as dnsmasq does).
 */
static int reverse_zone(const char *cidr, char *out, size_t outlen, struct reason *why)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(cidr, '/');
	struct in6_addr a6;
	struct in_addr a4;
	size_t n = slash ? (size_t)(slash - cidr) : 0, len = 0;
	uint32_t plen;
	bool v6;

	if (!slash || n >= sizeof(addr))
		return reasonf(why, "\"%s\" is not ADDRESS/PREFIX-LENGTH", cidr);
	memcpy(addr, cidr, n);
	addr[n] = '\0';
	v6 = strchr(addr, ':') != NULL;
	if ((v6 ? config_parse_ipv6(addr, &a6) : config_parse_ipv4(addr, &a4)) < 0 ||
	    parse_u32(slash + 1, v6 ? 128 : 32, &plen) < 0)
		return reasonf(why, "\"%s\" is not ADDRESS/PREFIX-LENGTH", cidr);
	if (v6) {
		for (int i = (int)plen / 4 - 1; i >= 0; i--)
			len += (size_t)snprintf(out + len, outlen - len, "%x.",
						i % 2 ? a6.s6_addr[i / 2] & 0xf : a6.s6_addr[i / 2] >> 4);
		snprintf(out + len, outlen - len, "ip6.arpa");
	} else {
		const uint8_t *b = (const uint8_t *)&a4.s_addr;

		for (int i = (int)plen / 8 - 1; i >= 0; i--)
			len += (size_t)snprintf(out + len, outlen - len, "%u.", b[i]);
		snprintf(out + len, outlen - len, "in-addr.arpa");
	}
	return 0;
}

int config_parse_rev_server(struct config *cfg, const char *arg, const char *where,
			    struct error *err)
{
	char zone[80], *v, *comma, as_server[512];
	struct reason why;
	const char *qwhy;
	int rc;

	v = config_unquote(arg, &qwhy);
	if (!v)
		return config_option_error(err, "rev-server", arg, where, "%s", qwhy);
	comma = strchr(v, ',');
	if (comma)
		*comma = '\0';
	rc = reverse_zone(v, zone, sizeof(zone), &why);
	if (rc == 0) {
		/* dnsmasq's sugar: exactly --server=/ZONE/SERVER (no server: local only). */
		snprintf(as_server, sizeof(as_server), "/%s/%s", zone, comma ? comma + 1 : "");
		rc = add_servers(cfg, false, as_server, where, &why);
	}
	free(v);
	if (rc < 0)
		return config_option_error(err, "rev-server", arg, where, "%s", why.msg);
	return 0;
}

int config_parse_address(struct config *cfg, const char *arg, const char *where,
			 struct error *err)
{
	struct dns_address proto = { 0 };
	char **doms = NULL, *v, *rest;
	size_t ndoms = 0;
	struct reason why;
	const char *qwhy;
	int rc = -1;

	v = config_unquote(arg, &qwhy);
	if (!v)
		return config_option_error(err, "address", arg, where, "%s", qwhy);
	config_set_origin(&proto.origin, where);
	if (v[0] != '/') {
		reasonf(&why, "must start with /domain/");
		goto out;
	}
	if (slash_domains(v, true, &doms, &ndoms, &rest, &why) < 0)
		goto out;
	if (ndoms == 1 && !doms[0][0]) {
		reasonf(&why, "no domain between the slashes");
		goto out;
	}
	if (strcmp(rest, "#") == 0) {
		proto.null_addr = true; /* 0.0.0.0 and :: */
	} else if (rest[0]) {
		if (parse_any_addr(rest, 0, &proto.addr) < 0) {
			reasonf(&why, "\"%s\" is not an IPv4 or IPv6 address", rest);
			goto out;
		}
		proto.has_addr = true;
	}
	for (size_t i = 0; i < ndoms; i++) {
		struct dns_address *a = array_push(&cfg->addresses, &cfg->naddresses, sizeof(*a));

		*a = proto;
		a->domain = doms[i];
		doms[i] = NULL;
	}
	rc = 0;
out:
	config_free_list(doms, ndoms);
	free(v);
	if (rc < 0)
		return config_option_error(err, "address", arg, where, "%s", why.msg);
	return 0;
}

/* ---- --host-record ---- */

static int host_record_field(struct host_record *r, const char *v, bool last,
			     struct reason *why)
{
	char name[256];
	uint32_t ttl;

	if (config_parse_ipv4(v, &r->v4) == 0) {
		if (r->has_v4)
			return reasonf(why, "two IPv4 addresses");
		r->has_v4 = true;
	} else if (config_parse_ipv6(v, &r->v6) == 0) {
		if (r->has_v6)
			return reasonf(why, "two IPv6 addresses");
		r->has_v6 = true;
	} else if (last && (r->has_v4 || r->has_v6) && isdigit((unsigned char)v[0])) {
		if (parse_u32(v, INT32_MAX, &ttl) < 0)
			return reasonf(why, "\"%s\" is not a TTL", v);
		r->ttl = (int32_t)ttl;
	} else if (r->has_v4 || r->has_v6) {
		return reasonf(why, "\"%s\": names come before the addresses", v);
	} else {
		if (clean_domain(v, false, name, sizeof(name), why) < 0)
			return -1;
		*(char **)array_push(&r->names, &r->nnames, sizeof(char *)) = xstrdup(name);
	}
	return 0;
}

int config_parse_host_record(struct config *cfg, const char *arg, const char *where,
			     struct error *err)
{
	struct host_record r = { .ttl = -1 };
	struct reason why;
	struct fieldlist f;
	const char *qwhy;
	int rc = 0;

	config_set_origin(&r.origin, where);
	if (fields_split(arg, &f, &qwhy) < 0)
		return config_option_error(err, "host-record", arg, where, "%s", qwhy);
	for (size_t i = 0; i < f.n && rc == 0; i++)
		rc = host_record_field(&r, f.v[i], i + 1 == f.n, &why);
	fields_free(&f);
	if (rc == 0 && !r.nnames)
		rc = reasonf(&why, "no name");
	if (rc == 0 && !r.has_v4 && !r.has_v6)
		rc = reasonf(&why, "no address");
	if (rc < 0) {
		for (size_t i = 0; i < r.nnames; i++)
			free(r.names[i]);
		free(r.names);
		return config_option_error(err, "host-record", arg, where, "%s", why.msg);
	}
	*(struct host_record *)array_push(&cfg->host_records, &cfg->nhost_records,
					  sizeof(r)) = r;
	return 0;
}

/* ---- --cname, --interface-name, --srv-host, --txt-record, --mx-host, --ptr-record ---- */

static int check_name(const char *v, bool underscore, struct reason *why)
{
	char name[256];

	return clean_domain(v, underscore, name, sizeof(name), why);
}

static int check_number(const char *v, uint32_t max, const char *what, struct reason *why)
{
	uint32_t n;

	if (parse_u32(v, max, &n) < 0)
		return reasonf(why, "\"%s\" is not a %s (0..%u)", v, what, (unsigned)max);
	return 0;
}

/* alias[,alias..],target[,ttl] */
static int check_cname(const struct fieldlist *f, struct reason *why)
{
	size_t n = f->n;

	if (n >= 3 && str_all_digits(f->v[n - 1])) {
		if (check_number(f->v[n - 1], INT32_MAX, "TTL", why) < 0)
			return -1;
		n--;
	}
	if (n < 2)
		return reasonf(why, "needs an alias and a target");
	for (size_t i = 0; i < n; i++)
		if (check_name(f->v[i], true, why) < 0)
			return -1;
	return 0;
}

/* name,interface[/4|/6] */
static int check_interface_name(const struct fieldlist *f, struct reason *why)
{
	char ifname[32];
	size_t n;

	if (f->n != 2)
		return reasonf(why, "needs a name and an interface");
	/* LXD names its bridge "_gateway.DOMAIN". */
	if (check_name(f->v[0], true, why) < 0)
		return -1;
	n = str_copy(ifname, f->v[1], sizeof(ifname));
	if (n < sizeof(ifname) && n > 2 &&
	    (str_has_suffix(ifname, "/4") || str_has_suffix(ifname, "/6")))
		ifname[n - 2] = '\0';
	if (n >= sizeof(ifname) || !config_valid_ifname(ifname))
		return reasonf(why, "\"%s\" is not an interface name", f->v[1]);
	return 0;
}

/* _service._proto.name[,target[,port[,priority[,weight]]]] */
static int check_srv(const struct fieldlist *f, struct reason *why)
{
	static const char *const what[] = { "port", "priority", "weight" };

	if (f->n > 5)
		return reasonf(why, "more than name, target, port, priority and weight");
	if (check_name(f->v[0], true, why) < 0)
		return -1;
	if (f->n > 1 && check_name(f->v[1], true, why) < 0)
		return -1;
	for (size_t i = 2; i < f->n; i++)
		if (check_number(f->v[i], 65535, what[i - 2], why) < 0)
			return -1;
	return 0;
}

static int check_txt(const struct fieldlist *f, struct reason *why)
{
	if (check_name(f->v[0], true, why) < 0)
		return -1;
	/* RFC 1035 section 3.3: each character-string is at most 255 octets. */
	for (size_t i = 1; i < f->n; i++)
		if (strlen(f->v[i]) > 255)
			return reasonf(why, "a text longer than 255 bytes");
	return 0;
}

/* name[,target][,preference] */
static int check_mx(const struct fieldlist *f, struct reason *why)
{
	if (f->n > 3)
		return reasonf(why, "more than name, target and preference");
	if (check_name(f->v[0], true, why) < 0)
		return -1;
	for (size_t i = 1; i < f->n; i++) {
		if (str_all_digits(f->v[i]) && i + 1 == f->n) {
			if (check_number(f->v[i], 65535, "preference", why) < 0)
				return -1;
		} else if (i == 1) {
			if (check_name(f->v[i], true, why) < 0)
				return -1;
		} else {
			return reasonf(why, "\"%s\" is not a preference", f->v[i]);
		}
	}
	return 0;
}

static int check_ptr(const struct fieldlist *f, struct reason *why)
{
	if (f->n > 2)
		return reasonf(why, "more than a name and a target");
	for (size_t i = 0; i < f->n; i++)
		if (check_name(f->v[i], true, why) < 0)
			return -1;
	return 0;
}

int config_parse_record(const char *opt, const char *arg, const char *where,
			struct dns_record_opt *out, struct error *err)
{
	static const struct {
		const char *opt;
		int (*check)(const struct fieldlist *f, struct reason *why);
	} checks[] = {
		{ "cname", check_cname }, { "interface-name", check_interface_name },
		{ "srv-host", check_srv }, { "txt-record", check_txt },
		{ "mx-host", check_mx }, { "ptr-record", check_ptr },
	};
	struct reason why = { "not a record option" };
	struct fieldlist f;
	const char *qwhy;
	int rc = -1;

	if (fields_split(arg, &f, &qwhy) < 0)
		return config_option_error(err, opt, arg, where, "%s", qwhy);
	if (f.n == 0 || !f.v[0][0]) {
		reasonf(&why, "no name");
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
		if (strcmp(opt, checks[i].opt) == 0)
			rc = checks[i].check(&f, &why);
out:
	if (rc < 0) {
		fields_free(&f);
		return config_option_error(err, opt, arg, where, "%s", why.msg);
	}
	memset(out, 0, sizeof(*out));
	config_set_origin(&out->origin, where);
	out->fields = f.v;
	out->nfields = f.n;
	free(f.quoted);
	return 0;
}

void dns_record_opt_free(struct dns_record_opt *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	free(r->fields);
	r->fields = NULL;
	r->nfields = 0;
}
