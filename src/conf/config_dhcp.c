/*
 * config_dhcp — the values of the DHCP options: --dhcp-range (v4 and v6),
 * --dhcp-host (also every line of a --dhcp-hostsfile) and --dhcp-option
 * (also every line of a --dhcp-optsfile), plus lease times.  Each parser
 * fills its struct only when the whole value is good; a bad value leaves
 * one message naming the option, the value, the reason and where.  Option
 * values are encoded to wire bytes here, by the type dnsmasq gives each
 * named option (its "dnsmasq --help dhcp" list), so the engine only copies.
 */
#include "conf/config.h"
#include "conf_lex.h"
#include "config_dhcp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* dnsmasq: "The minimum lease time is two minutes" (smaller is raised). */
#define MIN_LEASE_TIME 120
/* More than any option can usefully carry, even split per RFC 3396. */
#define OPTION_MAX_LEN 1024

/* ---- lease times ---- */

int config_parse_lease_time(const char *s, uint32_t *out)
{
	static const struct {
		char unit;
		uint32_t secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 } };
	char digits[16];
	uint32_t mult = 1, v;
	size_t n;

	if (!s)
		return -1;
	if (strcasecmp(s, "infinite") == 0) {
		*out = LEASE_INFINITE;
		return 0;
	}
	n = strlen(s);
	if (n == 0 || n >= sizeof(digits))
		return -1;
	if (!isdigit((unsigned char)s[n - 1])) {
		char unit = (char)tolower((unsigned char)s[n - 1]);

		mult = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++)
			if (units[i].unit == unit)
				mult = units[i].secs;
		if (!mult)
			return -1;
		n--;
	}
	memcpy(digits, s, n);
	digits[n] = '\0';
	/* UINT32_MAX itself is "infinite": a finite time stays below it. */
	if (parse_u32(digits, UINT32_MAX - 1, &v) < 0 || v > (UINT32_MAX - 1) / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static uint32_t at_least_minimum(uint32_t t)
{
	return t < MIN_LEASE_TIME ? MIN_LEASE_TIME : t;
}

/* ---- --dhcp-range ---- */

static bool is_v4_mode_word(const char *s)
{
	return strcmp(s, "static") == 0 || strcmp(s, "proxy") == 0;
}

static bool contiguous_netmask(struct in_addr mask)
{
	uint32_t host = ~ntohl(mask.s_addr);

	return (host & (host + 1)) == 0; /* the host part is 2^k - 1 */
}

/* start,end[,netmask[,broadcast]][,leasetime] after the tags. */
static int parse_range4(const struct fieldlist *f, size_t i, struct dhcp_range *r,
			struct reason *why)
{
	bool has_broadcast = false, has_lease = false;
	struct in_addr broadcast;
	char mask[INET_ADDRSTRLEN];

	r->family = AF_INET;
	if (i + 1 >= f->n)
		return reasonf(why, "no end address");
	if (strcmp(f->v[i + 1], "static") == 0) {
		/* dnsmasq's NETWORK,static: DHCP here, but only for reservations. */
		r->static_only = true;
		r->end = r->start;
	} else if (is_v4_mode_word(f->v[i + 1])) {
		return reasonf(why, "\"%s\" ranges are not supported by leased yet", f->v[i + 1]);
	} else if (config_parse_ipv4(f->v[i + 1], &r->end) < 0) {
		return reasonf(why, "\"%s\" is not an IPv4 end address", f->v[i + 1]);
	}
	for (i += 2; i < f->n; i++) {
		const char *v = f->v[i];
		struct in_addr a;

		if (has_lease)
			return reasonf(why, "\"%s\" after the lease time", v);
		if (strcmp(v, "static") == 0)
			return reasonf(why, "\"static\" takes the end address's place: "
				       "NETWORK,static[,NETMASK][,LEASETIME]");
		if (is_v4_mode_word(v))
			return reasonf(why, "\"%s\" ranges are not supported by leased yet", v);
		if (config_parse_ipv4(v, &a) == 0) {
			if (!r->has_netmask) {
				if (!contiguous_netmask(a))
					return reasonf(why, "\"%s\" is not a netmask", v);
				r->netmask = a;
				r->has_netmask = true;
			} else if (!has_broadcast) {
				broadcast = a;
				has_broadcast = true;
			} else {
				return reasonf(why, "\"%s\": more addresses than start, end, netmask "
					       "and broadcast", v);
			}
		} else if (config_parse_lease_time(v, &r->lease_time) == 0) {
			has_lease = true;
		} else {
			return reasonf(why, "\"%s\" is neither a netmask, a broadcast address nor a "
				       "lease time", v);
		}
	}
	if (ntohl(r->end.s_addr) < ntohl(r->start.s_addr))
		return reasonf(why, "end address is before start address");
	inet_ntop(AF_INET, &r->netmask, mask, sizeof(mask));
	if (r->has_netmask &&
	    (r->start.s_addr & r->netmask.s_addr) != (r->end.s_addr & r->netmask.s_addr))
		return reasonf(why, "start and end are not in one subnet under netmask %s", mask);
	if (has_broadcast && r->has_netmask &&
	    (broadcast.s_addr & r->netmask.s_addr) != (r->start.s_addr & r->netmask.s_addr))
		return reasonf(why, "the broadcast address is outside the range's subnet");
	return 0;
}

static const struct {
	const char *word;
	unsigned bit;
} range6_modes[] = {
	{ "ra-only", RANGE6_RA_ONLY }, { "ra-stateless", RANGE6_RA_STATELESS },
	{ "ra-names", RANGE6_RA_NAMES }, { "slaac", RANGE6_SLAAC },
	{ "ra-advrouter", RANGE6_RA_ADVROUTER }, { "off-link", RANGE6_OFF_LINK },
};

static unsigned range6_mode(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(range6_modes); i++)
		if (strcmp(s, range6_modes[i].word) == 0)
			return range6_modes[i].bit;
	return 0;
}

/* start[,end][,constructor:IF][,mode..][,prefixlen][,leasetime] */
static int parse_range6(const struct fieldlist *f, size_t i, struct dhcp_range *r,
			struct reason *why)
{
	bool has_end = false, has_prefix = false, has_lease = false;
	unsigned ra_modes = RANGE6_RA_ONLY | RANGE6_RA_STATELESS | RANGE6_RA_NAMES | RANGE6_SLAAC;

	r->family = AF_INET6;
	for (i++; i < f->n; i++) {
		const char *v = f->v[i];
		unsigned mode = range6_mode(v);
		uint32_t n;

		if (has_lease)
			return reasonf(why, "\"%s\" after the lease time", v);
		if (str_has_prefix(v, "constructor:")) {
			if (r->constructor_if)
				return reasonf(why, "two constructor: interfaces");
			if (!config_valid_ifname(v + 12))
				return reasonf(why, "\"%s\" is not an interface name", v + 12);
			r->constructor_if = xstrdup(v + 12);
		} else if (mode) {
			r->mode6 |= mode;
		} else if (strcmp(v, "static") == 0) {
			r->static_only = true; /* libvirt's PREFIX::,static: reservations only */
		} else if (strcmp(v, "deprecated") == 0) {
			return reasonf(why, "\"%s\" is not supported by leased yet", v);
		} else if (!has_end && !has_prefix && config_parse_ipv6(v, &r->end6) == 0) {
			has_end = true;
		} else if (!has_prefix && parse_u32(v, 128, &n) == 0) {
			r->prefixlen6 = (int)n;
			has_prefix = true;
		} else if (config_parse_lease_time(v, &r->lease_time) == 0) {
			has_lease = true;
		} else {
			return reasonf(why, "\"%s\" is not an end address, constructor:, mode, prefix "
				       "length or lease time", v);
		}
	}
	if (!has_end)
		r->end6 = r->start6;
	if (memcmp(&r->end6, &r->start6, sizeof(r->end6)) < 0)
		return reasonf(why, "end address is before start address");
	/* dnsmasq: RA and SLAAC need a /64; DHCPv6 subnets are /64 or longer. */
	if ((r->mode6 & ra_modes) && r->prefixlen6 != 64)
		return reasonf(why, "prefix length must be exactly 64 for RA subnets");
	if (r->prefixlen6 < 64)
		return reasonf(why, "prefix length must be at least 64");
	if (!in6_same_prefix(&r->start6, &r->end6, (unsigned)r->prefixlen6))
		return reasonf(why, "start and end are not in one /%d", r->prefixlen6);
	return 0;
}

/* Leading "tag:X" / "set:X" (and the old "net:X" for set:). */
static int range_tags(const struct fieldlist *f, size_t *i, struct dhcp_range *r,
		      struct reason *why)
{
	for (; *i < f->n; (*i)++) {
		const char *v = f->v[*i], *err;

		if (str_has_prefix(v, "tag:")) {
			if (config_add_tag(&r->match, v + 4, &err) < 0)
				return reasonf(why, "%s", err);
		} else if (str_has_prefix(v, "set:") || str_has_prefix(v, "net:")) {
			if (r->set_tag)
				return reasonf(why, "only one set: tag per range");
			if (!v[4])
				return reasonf(why, "empty set: tag");
			r->set_tag = xstrdup(v + 4);
		} else {
			break;
		}
	}
	return 0;
}

/* ---- --ra-param ---- */

static int ra_param_fields(const struct fieldlist *f, struct ra_param *p, struct reason *why)
{
	size_t i = 1;
	uint32_t n;

	if (!config_valid_ifname(f->v[0]) && strcmp(f->v[0], "*") != 0)
		return reasonf(why, "\"%s\" is not an interface name or *", f->v[0]);
	p->iface = xstrdup(f->v[0]);
	if (i < f->n && str_has_prefix(f->v[i], "mtu:")) {
		const char *v = f->v[i++] + 4;

		if (strcmp(v, "off") == 0)
			p->mtu_off = true;
		else if (parse_u32(v, 65535, &n) < 0 || n < 1280)
			return reasonf(why, "mtu:%s is not off or an MTU of 1280 to 65535 "
				       "(another interface's MTU is not supported)", v);
		else
			p->mtu = n;
	}
	if (i < f->n && (strcmp(f->v[i], "high") == 0 || strcmp(f->v[i], "low") == 0))
		p->preference = strcmp(f->v[i++], "high") == 0 ? 1 : 3;
	if (i == f->n || parse_u32(f->v[i], 1800, &p->interval) < 0 ||
	    (p->interval > 0 && p->interval < 4))
		return reasonf(why, "no interval, or not 0 (the default) or 4 to 1800 s");
	if (++i < f->n) {
		if (parse_u32(f->v[i], 9000, &p->lifetime) < 0)
			return reasonf(why, "router lifetime \"%s\" is not 0 to 9000 s", f->v[i]);
		p->has_lifetime = true;
		i++;
	}
	if (i < f->n)
		return reasonf(why, "\"%s\" after the router lifetime", f->v[i]);
	return 0;
}

int config_parse_ra_param(const char *arg, const char *where, struct ra_param *out,
			  struct error *err)
{
	struct ra_param p = { 0 };
	struct reason why;
	struct fieldlist f;
	const char *qwhy;
	int rc = 0;

	config_set_origin(&p.origin, where);
	if (fields_split(arg, &f, &qwhy) < 0)
		return config_option_error(err, "ra-param", arg, where, "%s", qwhy);
	if (f.n < 2)
		rc = reasonf(&why, "needs an interface and an interval");
	else
		rc = ra_param_fields(&f, &p, &why);
	fields_free(&f);
	if (rc < 0) {
		ra_param_free(&p);
		return config_option_error(err, "ra-param", arg, where, "%s", why.msg);
	}
	*out = p;
	return 0;
}

void ra_param_free(struct ra_param *p)
{
	free(p->iface);
	p->iface = NULL;
}

int config_parse_dhcp_range(const char *arg, const char *where, struct dhcp_range *out,
			    struct error *err)
{
	struct dhcp_range r = { .lease_time = DEFAULT_LEASE_TIME, .prefixlen6 = 64 };
	struct reason why;
	struct fieldlist f;
	const char *qwhy;
	size_t i = 0;
	int rc = -1;

	config_set_origin(&r.origin, where);
	if (fields_split(arg, &f, &qwhy) < 0)
		return config_option_error(err, "dhcp-range", arg, where, "%s", qwhy);
	if (range_tags(&f, &i, &r, &why) < 0)
		goto out;
	if (i == f.n || !f.v[i][0]) {
		reasonf(&why, "no start address");
		goto out;
	}
	if (config_parse_ipv4(f.v[i], &r.start) == 0)
		rc = parse_range4(&f, i, &r, &why);
	else if (config_parse_ipv6(f.v[i], &r.start6) == 0)
		rc = parse_range6(&f, i, &r, &why);
	else
		reasonf(&why, "\"%s\" is not an IPv4 or IPv6 start address", f.v[i]);
out:
	fields_free(&f);
	if (rc < 0) {
		dhcp_range_free(&r);
		return config_option_error(err, "dhcp-range", arg, where, "%s", why.msg);
	}
	if (r.lease_time != LEASE_INFINITE)
		r.lease_time = at_least_minimum(r.lease_time);
	*out = r;
	return 0;
}

void dhcp_range_free(struct dhcp_range *r)
{
	free(r->constructor_if);
	free(r->set_tag);
	tag_match_free(&r->match);
	r->constructor_if = r->set_tag = NULL;
}

/* ---- --dhcp-host ---- */

/*
 * A field that can only be meant as a hardware address: it has a ':'
 * (no hostname has one), or it is six '-'-separated hex groups.
 */
static bool looks_like_mac(const char *s)
{
	size_t groups = 1;

	if (strchr(s, ':'))
		return true;
	for (const char *c = s; *c; c++) {
		if (*c == '-')
			groups++;
		else if (!isxdigit((unsigned char)*c) && *c != '*')
			return false;
	}
	return groups == MAC_LEN;
}

static int host_mac(struct dhcp_host *h, const char *v, struct reason *why)
{
	uint8_t mac[MAC_LEN];
	struct in6_addr a6;

	if (strchr(v, '*'))
		return reasonf(why, "MAC wildcards (\"%s\") are not supported by leased", v);
	if (strchr(v, ':') && strchr(v, '-'))
		return reasonf(why, "hardware-type prefixed MACs (\"%s\") are not supported by "
			       "leased", v);
	if (mac_parse(v, mac) < 0) {
		if (config_parse_ipv6(v, &a6) == 0)
			return reasonf(why, "IPv6 address \"%s\" must be written [in brackets]", v);
		return reasonf(why, "\"%s\" is not a MAC address", v);
	}
	if (h->nmacs == CONFIG_MAX_MACS)
		return reasonf(why, "more than %d MAC addresses", CONFIG_MAX_MACS);
	memcpy(h->macs[h->nmacs++], mac, MAC_LEN);
	return 0;
}

/* id:* (match by MAC only), id:01:02:.. (hex), id:text or id:"text". */
static int host_client_id(struct dhcp_host *h, const char *v, bool quoted, struct reason *why)
{
	uint8_t buf[255];
	size_t len;

	if (h->client_id)
		return reasonf(why, "two id: client identifiers");
	if (strcmp(v, "*") == 0 && !quoted)
		return 0; /* dnsmasq: ignore the client-id, identify by MAC */
	if (!v[0])
		return reasonf(why, "empty id:");
	if (!quoted && (strchr(v, ':') || strchr(v, '-')) &&
	    hex_parse(v, buf, sizeof(buf), &len) == 0) {
		h->client_id = xmalloc(len);
		memcpy(h->client_id, buf, len);
		h->client_id_len = len;
		return 0;
	}
	len = strlen(v);
	if (len > 255)
		return reasonf(why, "client identifier longer than 255 bytes");
	h->client_id = xmalloc(len);
	memcpy(h->client_id, v, len);
	h->client_id_len = len;
	return 0;
}

/* A hostname: a label, or a dotted name of which the first label is kept. */
static int host_name(struct dhcp_host *h, const char *v, struct reason *why)
{
	char name[256];
	size_t n = str_copy(name, v, sizeof(name));
	char *dot;

	if (h->name)
		return reasonf(why, "two hostnames (\"%s\" and \"%s\")", h->name, v);
	if (n >= sizeof(name))
		return reasonf(why, "hostname too long");
	if (n > 1 && name[n - 1] == '.')
		name[n - 1] = '\0';
	if (!config_valid_name(name, false))
		return reasonf(why, "\"%s\" is not a MAC, address, lease time or valid hostname", v);
	dot = strchr(name, '.');
	if (dot)
		*dot = '\0';
	h->name = xstrdup(name);
	return 0;
}

static int host_ipv6(struct dhcp_host *h, const char *v, struct reason *why)
{
	char addr[INET6_ADDRSTRLEN + 2];
	const char *close = strchr(v, ']');
	struct in6_addr a6;
	uint32_t plen;
	size_t n;

	/* "[::5]" or "[2001:db8::5]/64" (the prefix length says nothing leased needs). */
	if (!close || (size_t)(close - v) >= sizeof(addr))
		return reasonf(why, "\"%s\" is not an [IPv6] address", v);
	n = (size_t)(close - v) - 1;
	memcpy(addr, v + 1, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET6, addr, &a6) != 1 ||
	    (close[1] && (close[1] != '/' || parse_u32(close + 2, 128, &plen) < 0)))
		return reasonf(why, "\"%s\" is not an [IPv6] address", v);
	if (h->has_ip6)
		return reasonf(why, "two IPv6 addresses");
	h->has_ip6 = true;
	h->ip6 = a6;
	return 0;
}

static int host_field(struct dhcp_host *h, const char *v, bool quoted, struct reason *why)
{
	uint32_t t;

	if (!v[0])
		return reasonf(why, "empty field");
	if (str_has_prefix(v, "id:"))
		return host_client_id(h, v + 3, quoted, why);
	if (str_has_prefix(v, "set:") || str_has_prefix(v, "net:")) {
		if (h->set_tag)
			return reasonf(why, "two set: tags");
		if (!v[4])
			return reasonf(why, "empty set: tag");
		h->set_tag = xstrdup(v + 4);
		return 0;
	}
	if (str_has_prefix(v, "tag:"))
		return 0; /* dnsmasq matches these against the range; no effect here yet */
	if (v[0] == '[')
		return host_ipv6(h, v, why);
	if (strcmp(v, "ignore") == 0) {
		h->ignore = true;
		return 0;
	}
	if (config_parse_ipv4(v, &h->ip) == 0) {
		if (h->has_ip)
			return reasonf(why, "two IPv4 addresses");
		h->has_ip = true;
		return 0;
	}
	if (!quoted && config_parse_lease_time(v, &t) == 0) {
		if (h->has_lease_time)
			return reasonf(why, "two lease times");
		h->has_lease_time = true;
		h->lease_time = t == LEASE_INFINITE ? t : at_least_minimum(t);
		return 0;
	}
	if (looks_like_mac(v))
		return host_mac(h, v, why);
	return host_name(h, v, why);
}

int config_parse_dhcp_host(const char *arg, const char *where, struct dhcp_host *out,
			   struct error *err)
{
	struct dhcp_host h;
	struct reason why;
	struct fieldlist f;
	const char *qwhy;
	int rc = 0;

	memset(&h, 0, sizeof(h));
	config_set_origin(&h.origin, where);
	if (fields_split(arg, &f, &qwhy) < 0)
		return config_option_error(err, "dhcp-host", arg, where, "%s", qwhy);
	for (size_t i = 0; i < f.n && rc == 0; i++)
		rc = host_field(&h, f.v[i], f.quoted[i], &why);
	fields_free(&f);
	if (rc == 0 && !h.nmacs && !h.client_id && !h.name)
		rc = reasonf(&why, "names no client: give a MAC address, an id: or a hostname");
	if (rc < 0) {
		dhcp_host_free(&h);
		return config_option_error(err, "dhcp-host", arg, where, "%s", why.msg);
	}
	*out = h;
	return 0;
}

void dhcp_host_free(struct dhcp_host *h)
{
	free(h->client_id);
	free(h->name);
	free(h->set_tag);
	h->client_id = NULL;
	h->name = h->set_tag = NULL;
}

bool dhcp_host_same_client(const struct dhcp_host *a, const struct dhcp_host *b)
{
	if (a->nmacs != b->nmacs || memcmp(a->macs, b->macs, a->nmacs * MAC_LEN) != 0)
		return false;
	if (a->client_id_len != b->client_id_len ||
	    (a->client_id_len && memcmp(a->client_id, b->client_id, a->client_id_len) != 0))
		return false;
	if (!a->name != !b->name || (a->name && strcasecmp(a->name, b->name) != 0))
		return false;
	return true;
}

/* ---- --dhcp-boot ---- */

#define BOOT_FILE_MAX 128  /* the 'file' field */
#define BOOT_SNAME_MAX 64  /* the 'sname' field */

int config_parse_dhcp_boot(const char *arg, const char *where, struct dhcp_boot *out,
			   struct error *err)
{
	struct dhcp_boot b = { 0 };
	struct fieldlist f;
	struct reason why;
	const char *qwhy, *terr;
	size_t i = 0;

	config_set_origin(&b.origin, where);
	if (fields_split(arg, &f, &qwhy) < 0)
		return config_option_error(err, "dhcp-boot", arg, where, "%s", qwhy);
	for (; i < f.n && (str_has_prefix(f.v[i], "tag:") || str_has_prefix(f.v[i], "net:")); i++)
		if (config_add_tag(&b.match, f.v[i] + 4, &terr) < 0) {
			reasonf(&why, "%s", terr);
			goto bad;
		}
	if (i == f.n || !f.v[i][0]) {
		reasonf(&why, "no boot file");
		goto bad;
	}
	if (f.n - i > 3) {
		reasonf(&why, "more than a file, a server name and a server address");
		goto bad;
	}
	if (strlen(f.v[i]) > BOOT_FILE_MAX || (f.n - i > 1 && strlen(f.v[i + 1]) > BOOT_SNAME_MAX)) {
		reasonf(&why, "longer than the reply's field (%d bytes for the file, %d for the "
			"server name)", BOOT_FILE_MAX, BOOT_SNAME_MAX);
		goto bad;
	}
	if (f.n - i > 2 && config_parse_ipv4(f.v[i + 2], &b.server) < 0) {
		reasonf(&why, "\"%s\" is not an IPv4 address (a TFTP server's name is not "
			"supported yet)", f.v[i + 2]);
		goto bad;
	}
	b.file = xstrdup(f.v[i]);
	b.sname = f.n - i > 1 && f.v[i + 1][0] ? xstrdup(f.v[i + 1]) : NULL;
	fields_free(&f);
	*out = b;
	return 0;
bad:
	fields_free(&f);
	tag_match_free(&b.match);
	return config_option_error(err, "dhcp-boot", arg, where, "%s", why.msg);
}

void dhcp_boot_free(struct dhcp_boot *b)
{
	free(b->file);
	free(b->sname);
	tag_match_free(&b->match);
}

/* ---- --dhcp-option: option names and value types ---- */

enum value_type {
	V_ADDR,        /* one IPv4 address */
	V_ADDRS,       /* one or more */
	V_ADDR_PAIRS,  /* pairs: policy filters, static routes (RFC 2132 5.7, 5.8) */
	V_U8, V_U16, V_U32, V_I32, V_BOOL,
	V_U16S,        /* a list of 16-bit numbers (option 25, the path MTU plateaus) */
	V_TIME,        /* u32 seconds, lease-time syntax */
	V_STRING,
	V_NAME,        /* one domain name, as text */
	V_DOMAINS,     /* RFC 3397 search list, compressed */
	V_SIP,         /* RFC 3361 */
	V_CSR,         /* RFC 3442 classless static routes */
	V_HEX,
	V_EMPTY,       /* no value (rapid commit) */
	V_UNSUPPORTED,
	V_ADDRS6,      /* DHCPv6: list of IPv6 addresses */
	V_DOMAINS6,    /* DHCPv6: RFC 1035 names, no compression (RFC 8415 10) */
	V_NTP6,        /* RFC 5908 server-address suboptions */
	V_STRINGS6,    /* RFC 5970 bootfile-param: length-prefixed strings */
	V_GUESS,       /* an unknown code: judge from the value */
};

struct option_name {
	const char *name;
	uint16_t code;
	enum value_type type;
};

static const struct option_name dhcp4_names[] = {
	{ "netmask", 1, V_ADDR }, { "time-offset", 2, V_I32 }, { "router", 3, V_ADDRS },
	{ "dns-server", 6, V_ADDRS }, { "log-server", 7, V_ADDRS },
	{ "lpr-server", 9, V_ADDRS }, { "hostname", 12, V_NAME },
	{ "boot-file-size", 13, V_U16 }, { "domain-name", 15, V_NAME },
	{ "swap-server", 16, V_ADDR }, { "root-path", 17, V_STRING },
	{ "extension-path", 18, V_STRING }, { "ip-forward-enable", 19, V_BOOL },
	{ "non-local-source-routing", 20, V_BOOL }, { "policy-filter", 21, V_ADDR_PAIRS },
	{ "max-datagram-reassembly", 22, V_U16 }, { "default-ttl", 23, V_U8 },
	{ "path-mtu-aging-timeout", 24, V_U32 }, { "path-mtu-plateau-table", 25, V_U16S },
	{ "mtu", 26, V_U16 }, { "all-subnets-local", 27, V_BOOL },
	{ "broadcast", 28, V_ADDR }, { "router-discovery", 31, V_BOOL },
	{ "router-solicitation", 32, V_ADDR }, { "static-route", 33, V_ADDR_PAIRS },
	{ "trailer-encapsulation", 34, V_BOOL }, { "arp-timeout", 35, V_U32 },
	{ "ethernet-encap", 36, V_BOOL }, { "tcp-ttl", 37, V_U8 },
	{ "tcp-keepalive", 38, V_U32 }, { "nis-domain", 40, V_STRING },
	{ "nis-server", 41, V_ADDRS }, { "ntp-server", 42, V_ADDRS },
	{ "netbios-ns", 44, V_ADDRS }, { "netbios-dd", 45, V_ADDRS },
	{ "netbios-nodetype", 46, V_U8 }, { "netbios-scope", 47, V_STRING },
	{ "x-windows-fs", 48, V_ADDRS }, { "x-windows-dm", 49, V_ADDRS },
	{ "lease-time", 51, V_TIME }, { "T1", 58, V_TIME }, { "T2", 59, V_TIME },
	{ "vendor-class", 60, V_STRING }, { "nis+-domain", 64, V_STRING },
	{ "nis+-server", 65, V_ADDRS }, { "tftp-server", 66, V_STRING },
	{ "bootfile-name", 67, V_STRING }, { "mobile-ip-home", 68, V_ADDRS },
	{ "smtp-server", 69, V_ADDRS }, { "pop3-server", 70, V_ADDRS },
	{ "nntp-server", 71, V_ADDRS }, { "irc-server", 74, V_ADDRS },
	{ "user-class", 77, V_STRING }, { "rapid-commit", 80, V_EMPTY },
	{ "client-last-transaction-time", 91, V_U32 }, { "client-arch", 93, V_U16 }, { "client-interface-id", 94, V_HEX },
	{ "client-machine-id", 97, V_HEX }, { "posix-timezone", 100, V_STRING },
	{ "tzdb-timezone", 101, V_STRING }, { "ipv6-only", 108, V_U32 },
	{ "domain-search", 119, V_DOMAINS }, { "sip-server", 120, V_SIP },
	{ "classless-static-route", 121, V_CSR }, { "vendor-id-encap", 125, V_HEX },
	{ "tftp-server-address", 150, V_ADDRS }, { "server-ip-address", 255, V_UNSUPPORTED },
};

static const struct option_name dhcp6_names[] = {
	{ "preference", 7, V_U8 }, /* one octet; the engine puts it in Advertise */
	{ "T1", DHCP6_OPT_T1, V_TIME }, { "T2", DHCP6_OPT_T2, V_TIME }, /* IA_NA timers */
	{ "sip-server-domain", 21, V_DOMAINS6 }, { "sip-server", 22, V_ADDRS6 },
	{ "dns-server", 23, V_ADDRS6 }, { "domain-search", 24, V_DOMAINS6 },
	{ "nis-server", 27, V_ADDRS6 }, { "nis+-server", 28, V_ADDRS6 },
	{ "nis-domain", 29, V_DOMAINS6 }, { "nis+-domain", 30, V_DOMAINS6 },
	{ "sntp-server", 31, V_ADDRS6 }, { "information-refresh-time", 32, V_TIME },
	{ "posix-timezone", 41, V_STRING }, { "tzdb-timezone", 42, V_STRING },
	{ "ntp-server", 56, V_NTP6 }, { "bootfile-url", 59, V_STRING },
	{ "bootfile-param", 60, V_STRINGS6 },
};

/* DHCPv4 codes the server itself owns: configuring them would break the protocol. */
static bool reserved_dhcp4_code(unsigned code)
{
	return code == 0 || code == 50 || code == 52 || code == 53 || code == 55 ||
	       code == 57 || code == 61 || code == 255;
}

int config_dhcp4_option_code(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(dhcp4_names); i++)
		if (strcasecmp(name, dhcp4_names[i].name) == 0)
			return dhcp4_names[i].code;
	return -1;
}

static enum value_type type_of(const struct option_name *table, size_t n, unsigned code)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].code == code)
			return table[i].type;
	return V_GUESS;
}

/* ---- --dhcp-option: encoding ---- */

struct bytes {
	uint8_t *p;
	size_t len;
	char note[160];   /* a value taken with a change the log must tell ("" none) */
};

static void put(struct bytes *b, const void *data, size_t n)
{
	b->p = xrealloc(b->p, b->len + n);
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put_u8(struct bytes *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put_u16(struct bytes *b, uint16_t v)
{
	uint8_t w[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(b, w, 2);
}

static void put_u32(struct bytes *b, uint32_t v)
{
	uint8_t w[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(b, w, 4);
}

/* Values as handed to the encoders: fields[from..n). */
struct values {
	char **v;
	bool *quoted;
	size_t n;
};

static int put_addrs(struct bytes *b, const struct values *vals, struct reason *why)
{
	for (size_t i = 0; i < vals->n; i++) {
		struct in_addr a;

		/* 0.0.0.0 stays as is: dnsmasq's "this server", filled in by the engine. */
		if (config_parse_ipv4(vals->v[i], &a) < 0)
			return reasonf(why, "\"%s\" is not an IPv4 address", vals->v[i]);
		put(b, &a, 4);
	}
	return 0;
}

static int put_addrs6(struct bytes *b, const struct values *vals, struct reason *why)
{
	for (size_t i = 0; i < vals->n; i++) {
		struct in6_addr a;

		/* [::] is "this server", as 0.0.0.0 is for DHCPv4. */
		if (config_parse_ipv6(vals->v[i], &a) < 0)
			return reasonf(why, "\"%s\" is not an [IPv6] address", vals->v[i]);
		put(b, &a, 16);
	}
	return 0;
}

static int put_number(struct bytes *b, enum value_type type, const char *v, struct reason *why)
{
	static const uint32_t max[] = { [V_U8] = 255, [V_U16] = 65535, [V_U32] = UINT32_MAX,
					[V_BOOL] = 1 };
	uint32_t n;

	if (type == V_I32) {
		char *end;
		long long s;

		errno = 0;
		s = strtoll(v, &end, 10);
		if (!v[0] || *end || errno || s < INT32_MIN || s > INT32_MAX)
			return reasonf(why, "\"%s\" is not a signed 32-bit number", v);
		put_u32(b, (uint32_t)(int32_t)s);
		return 0;
	}
	if (type == V_TIME) {
		if (config_parse_lease_time(v, &n) < 0)
			return reasonf(why, "\"%s\" is not a time (seconds, or 45m, 12h, 2d, 1w, "
				       "infinite)", v);
		put_u32(b, n);
		return 0;
	}
	if (parse_u32(v, max[type], &n) < 0)
		return reasonf(why, "\"%s\" is not a number from 0 to %u", v, (unsigned)max[type]);
	if (type == V_U8 || type == V_BOOL)
		put_u8(b, (uint8_t)n);
	else if (type == V_U16)
		put_u16(b, (uint16_t)n);
	else
		put_u32(b, n);
	return 0;
}

/* The values joined back with commas: text options take the whole rest. */
static char *join_values(const struct values *vals)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < vals->n; i++)
		len += strlen(vals->v[i]) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (size_t i = 0; i < vals->n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, vals->v[i]);
	}
	return s;
}

/* A domain name as given, without its trailing dot, checked. */
static int clean_name(const char *v, char *out, size_t outlen, struct reason *why)
{
	size_t n = str_copy(out, v, outlen);

	if (n >= outlen)
		return reasonf(why, "\"%s\" is too long for a domain name", v);
	if (n > 1 && out[n - 1] == '.')
		out[n - 1] = '\0';
	if (!config_valid_name(out, true))
		return reasonf(why, "\"%s\" is not a valid domain name", v);
	return 0;
}

/*
 * Names in RFC 1035 label encoding.  With compress, a suffix already
 * written becomes a pointer: RFC 3397 section 2, "the compression pointers
 * ... are offsets from the start of the concatenated option data"; base is
 * where this option's data starts in b.
 */
static int put_names(struct bytes *b, size_t base, const struct values *vals, bool compress,
		     struct reason *why)
{
	struct {
		char name[256];
		size_t off;
	} *seen = NULL;
	size_t nseen = 0;
	int rc = 0;

	for (size_t i = 0; i < vals->n && rc == 0; i++) {
		char name[256];
		const char *p;

		rc = clean_name(vals->v[i], name, sizeof(name), why);
		for (p = name; rc == 0 && *p;) {
			const char *dot = strchr(p, '.');
			size_t len = dot ? (size_t)(dot - p) : strlen(p), j;

			for (j = 0; compress && j < nseen; j++)
				if (strcasecmp(seen[j].name, p) == 0)
					break;
			if (compress && j < nseen) {
				put_u16(b, (uint16_t)(0xc000 | seen[j].off));
				break;
			}
			if (compress && b->len - base < 0x3fff) {
				seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
				str_copy(seen[nseen].name, p, sizeof(seen[nseen].name));
				seen[nseen++].off = b->len - base;
			}
			put_u8(b, (uint8_t)len);
			put(b, p, len);
			p += len + (dot ? 1 : 0);
		}
		if (rc == 0 && !*p)
			put_u8(b, 0);
	}
	free(seen);
	return rc;
}

/* RFC 3361 section 3: encoding 1 and addresses, or encoding 0 and names. */
static int put_sip(struct bytes *b, const struct values *vals, struct reason *why)
{
	struct in_addr a;

	if (config_parse_ipv4(vals->v[0], &a) == 0) {
		put_u8(b, 1);
		return put_addrs(b, vals, why);
	}
	put_u8(b, 0);
	return put_names(b, 0, vals, false, why);
}

/*
 * RFC 3442 section 3: each route is the prefix length, the significant
 * octets of the destination, then the router: "dest/len,router" pairs.
 */
static int put_classless_routes(struct bytes *b, const struct values *vals, struct reason *why)
{
	if (vals->n % 2)
		return reasonf(why, "classless routes come in pairs: destination/prefix,router");
	for (size_t i = 0; i < vals->n; i += 2) {
		char dest[INET_ADDRSTRLEN];
		const char *slash = strchr(vals->v[i], '/');
		struct in_addr d, gw;
		uint32_t plen, mask;
		size_t n;

		n = slash ? (size_t)(slash - vals->v[i]) : 0;
		if (!slash || n >= sizeof(dest) || parse_u32(slash + 1, 32, &plen) < 0)
			return reasonf(why, "\"%s\" is not a destination/prefix", vals->v[i]);
		memcpy(dest, vals->v[i], n);
		dest[n] = '\0';
		if (config_parse_ipv4(dest, &d) < 0)
			return reasonf(why, "\"%s\" is not a destination/prefix", vals->v[i]);
		mask = plen ? htonl(~0u << (32 - plen)) : 0;
		if (d.s_addr & ~mask) {
			/* dnsmasq takes 10.0.3.5/24 as 10.0.3.0/24: so do we, and say so. */
			struct in_addr net = { d.s_addr & mask };
			char ns[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &net, ns, sizeof(ns));
			snprintf(b->note, sizeof(b->note), "\"%s\" has bits set beyond its prefix: "
				 "taken as %s/%u", vals->v[i], ns, (unsigned)plen);
			d = net;
		}
		if (config_parse_ipv4(vals->v[i + 1], &gw) < 0)
			return reasonf(why, "\"%s\" is not a router address", vals->v[i + 1]);
		put_u8(b, (uint8_t)plen);
		put(b, &d, (plen + 7) / 8);
		put(b, &gw, 4);
	}
	return 0;
}

static int put_hex(struct bytes *b, const struct values *vals, struct reason *why)
{
	uint8_t buf[OPTION_MAX_LEN];
	size_t len;
	char *s;

	if (vals->n == 1 && vals->quoted[0]) {
		put(b, vals->v[0], strlen(vals->v[0]));
		return 0;
	}
	s = join_values(vals);
	if (hex_parse(s, buf, sizeof(buf), &len) < 0) {
		reasonf(why, "\"%s\" is not hex bytes (01:02:0a)", s);
		free(s);
		return -1;
	}
	free(s);
	put(b, buf, len);
	return 0;
}

/* RFC 5908 section 4: each address as an NTP_SUBOPTION_SRV_ADDR (1). */
static int put_ntp6(struct bytes *b, const struct values *vals, struct reason *why)
{
	for (size_t i = 0; i < vals->n; i++) {
		struct in6_addr a;

		if (config_parse_ipv6(vals->v[i], &a) < 0)
			return reasonf(why, "\"%s\" is not an [IPv6] address", vals->v[i]);
		put_u16(b, 1);
		put_u16(b, 16);
		put(b, &a, 16);
	}
	return 0;
}

/* RFC 5970 section 3.2: each parameter is a 2-byte length and its text. */
static void put_strings6(struct bytes *b, const struct values *vals)
{
	for (size_t i = 0; i < vals->n; i++) {
		size_t n = strlen(vals->v[i]);

		put_u16(b, (uint16_t)n);
		put(b, vals->v[i], n);
	}
}

static bool all_parse(const struct values *vals, int family)
{
	for (size_t i = 0; i < vals->n; i++) {
		struct in_addr a;
		struct in6_addr a6;

		if (vals->quoted[i])
			return false;
		if (family == AF_INET ? config_parse_ipv4(vals->v[i], &a) < 0
				      : config_parse_ipv6(vals->v[i], &a6) < 0)
			return false;
	}
	return true;
}

/*
 * A code leased has no type for: addresses if every value is one, a
 * quoted value is text, a decimal number takes the fewest bytes that hold
 * it (as dnsmasq), colon-separated hex is bytes, anything else is text.
 */
static int put_guess(struct bytes *b, int family, const struct values *vals, struct reason *why)
{
	const char *v = vals->v[0];
	uint32_t n;
	char *s;

	if (all_parse(vals, family))
		return family == AF_INET ? put_addrs(b, vals, why) : put_addrs6(b, vals, why);
	if (vals->n == 1 && !vals->quoted[0] && parse_u32(v, UINT32_MAX, &n) == 0) {
		if (n <= 0xff)
			put_u8(b, (uint8_t)n);
		else if (n <= 0xffff)
			put_u16(b, (uint16_t)n);
		else
			put_u32(b, n);
		return 0;
	}
	if (vals->n == 1 && !vals->quoted[0] && strchr(v, ':')) {
		uint8_t buf[OPTION_MAX_LEN];
		size_t len;

		if (hex_parse(v, buf, sizeof(buf), &len) == 0) {
			put(b, buf, len);
			return 0;
		}
	}
	s = join_values(vals);
	put(b, s, strlen(s));
	free(s);
	return 0;
}

static int encode_value(struct bytes *b, enum value_type type, int family,
			const struct values *vals, struct reason *why)
{
	char name[256], *s;

	switch (type) {
	case V_ADDR:
		if (vals->n != 1)
			return reasonf(why, "takes exactly one IPv4 address");
		return put_addrs(b, vals, why);
	case V_ADDRS:
		return put_addrs(b, vals, why);
	case V_ADDR_PAIRS:
		if (vals->n % 2)
			return reasonf(why, "takes pairs of addresses");
		return put_addrs(b, vals, why);
	case V_U16S:
		for (size_t i = 0; i < vals->n; i++)
			if (put_number(b, V_U16, vals->v[i], why) < 0)
				return -1;
		return 0;
	case V_U8: case V_U16: case V_U32: case V_I32: case V_BOOL: case V_TIME:
		if (vals->n != 1)
			return reasonf(why, "takes one number");
		return put_number(b, type, vals->v[0], why);
	case V_STRING:
		s = join_values(vals);
		put(b, s, strlen(s));
		free(s);
		return 0;
	case V_NAME:
		if (vals->n != 1)
			return reasonf(why, "takes one domain name");
		if (clean_name(vals->v[0], name, sizeof(name), why) < 0)
			return -1;
		put(b, name, strlen(name));
		return 0;
	case V_DOMAINS:
		return put_names(b, 0, vals, true, why);
	case V_DOMAINS6:
		return put_names(b, 0, vals, false, why);
	case V_SIP:
		return put_sip(b, vals, why);
	case V_CSR:
		return put_classless_routes(b, vals, why);
	case V_HEX:
		return put_hex(b, vals, why);
	case V_EMPTY:
		return reasonf(why, "this option takes no value");
	case V_ADDRS6:
		return put_addrs6(b, vals, why);
	case V_NTP6:
		return put_ntp6(b, vals, why);
	case V_STRINGS6:
		put_strings6(b, vals);
		return 0;
	case V_GUESS:
		return put_guess(b, family, vals, why);
	case V_UNSUPPORTED:
		break;
	}
	return reasonf(why, "not supported by leased yet");
}

/* "option:NAME", "option6:NAME", "option:N", "option6:N" or "N". */
static int option_code(const char *v, struct dhcp_option *o, enum value_type *type,
		       struct reason *why)
{
	bool v6 = str_has_prefix(v, "option6:");
	const struct option_name *table = v6 ? dhcp6_names : dhcp4_names;
	size_t ntable = v6 ? ARRAY_SIZE(dhcp6_names) : ARRAY_SIZE(dhcp4_names);
	const char *name = v;
	uint32_t code;

	if (v6)
		name = v + 8;
	else if (str_has_prefix(v, "option:"))
		name = v + 7;
	o->family = v6 ? AF_INET6 : AF_INET;
	if (parse_u32(name, v6 ? 65535 : 255, &code) < 0) {
		size_t i;

		if (name == v)
			return reasonf(why, "\"%s\" is not an option number, option:NAME or "
				       "option6:NAME", v);
		for (i = 0; i < ntable; i++)
			if (strcasecmp(name, table[i].name) == 0)
				break;
		if (i == ntable)
			return reasonf(why, "unknown DHCP%s option name \"%s\" (see dnsmasq "
				       "--help dhcp%s)", v6 ? "v6" : "", name, v6 ? "6" : "");
		code = table[i].code;
	}
	if (v6 ? code == 0 : reserved_dhcp4_code(code) && code != 255)
		return reasonf(why, "option %u is set by the server itself", (unsigned)code);
	o->code = (uint16_t)code;
	*type = type_of(table, ntable, code);
	return 0;
}

/* Leading tag:X (tag:!X), and the prefixes leased does not support. */
static int option_prefixes(const struct fieldlist *f, size_t *i, struct dhcp_option *o,
			   struct reason *why)
{
	static const char *const unsupported[] = { "encap:", "vi-encap:", "vendor:",
						   "rfc3925-encap:", "rfc3925-opt:" };

	for (; *i < f->n; (*i)++) {
		const char *v = f->v[*i], *err;

		for (size_t k = 0; k < ARRAY_SIZE(unsupported); k++)
			if (str_has_prefix(v, unsupported[k]))
				return reasonf(why, "%.*s options are not supported by leased yet",
					       (int)strlen(unsupported[k]) - 1, unsupported[k]);
		if (!str_has_prefix(v, "tag:") && !str_has_prefix(v, "net:"))
			return 0;
		if (config_add_tag(&o->match, v + 4, &err) < 0)
			return reasonf(why, "%s", err);
	}
	return 0;
}

int config_parse_dhcp_option(const char *arg, bool force, const char *where,
			     struct dhcp_option *out, struct error *err)
{
	const char *name = force ? "dhcp-option-force" : "dhcp-option", *qwhy;
	struct dhcp_option o = { .force = force };
	struct bytes b = { 0 };
	enum value_type type = V_GUESS;
	struct fieldlist f;
	struct values vals;
	struct reason why;
	size_t i = 0;
	int rc = -1;

	config_set_origin(&o.origin, where);
	if (fields_split(arg, &f, &qwhy) < 0)
		return config_option_error(err, name, arg, where, "%s", qwhy);
	if (option_prefixes(&f, &i, &o, &why) < 0)
		goto out;
	if (i == f.n || !f.v[i][0]) {
		reasonf(&why, "no option number or name");
		goto out;
	}
	if (option_code(f.v[i], &o, &type, &why) < 0)
		goto out;
	vals = (struct values){ f.v + i + 1, f.quoted + i + 1, f.n - i - 1 };
	if (type == V_UNSUPPORTED) {
		reasonf(&why, "option %u is not supported by leased yet", (unsigned)o.code);
		goto out;
	}
	/*
	 * dnsmasq: "An option without data is valid, and includes just the
	 * option without data" -- and for router, DNS server and the like it
	 * means "send none": present, len 0.
	 */
	if (vals.n == 0 || (vals.n == 1 && !vals.v[0][0] && !vals.quoted[0])) {
		rc = 0;
		goto out;
	}
	for (size_t k = 0; k < vals.n; k++) {
		if (!vals.v[k][0] && !vals.quoted[k]) {
			reasonf(&why, "empty value in the list");
			goto out;
		}
	}
	rc = encode_value(&b, type, o.family, &vals, &why);
	if (rc == 0 && b.len > OPTION_MAX_LEN)
		rc = reasonf(&why, "the value is %zu bytes, more than %d", b.len, OPTION_MAX_LEN);
out:
	fields_free(&f);
	if (rc < 0) {
		free(b.p);
		tag_match_free(&o.match);
		return config_option_error(err, name, arg, where, "%s", why.msg);
	}
	o.data = b.p;
	o.len = b.len;
	if (b.note[0]) {
		char msg[ERROR_LEN];

		snprintf(msg, sizeof(msg), "--%s \"%s\" (at %s): %s", name, arg, where, b.note);
		o.note = xstrdup(msg);
	}
	*out = o;
	return 0;
}

void dhcp_option_free(struct dhcp_option *o)
{
	free(o->note);
	o->note = NULL;
	free(o->data);
	tag_match_free(&o->match);
	o->data = NULL;
	o->len = 0;
}
