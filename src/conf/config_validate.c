/*
 * config_validate — the checks that can only be made on the whole
 * configuration, once the command line and every conf-file are read:
 * options that exclude each other, an interface both listed and
 * excluded, DHCPv4 ranges that overlap, one address reserved for two
 * different clients.  Each failure is one message naming the places it
 * comes from.  (Single values are checked where they are parsed:
 * config.c, config_dhcp.c, config_dns.c.)
 */
#include "conf/config.h"
#include "config_dhcp.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static int validate_ranges(const struct config *cfg, struct error *err)
{
	for (size_t i = 0; i < cfg->nranges; i++) {
		const struct dhcp_range *a = &cfg->ranges[i];

		if (a->family != AF_INET)
			continue;
		for (size_t j = i + 1; j < cfg->nranges; j++) {
			const struct dhcp_range *b = &cfg->ranges[j];
			char as[INET_ADDRSTRLEN], ae[INET_ADDRSTRLEN];

			if (b->family != AF_INET ||
			    ntohl(a->end.s_addr) < ntohl(b->start.s_addr) ||
			    ntohl(b->end.s_addr) < ntohl(a->start.s_addr))
				continue;
			inet_ntop(AF_INET, &a->start, as, sizeof(as));
			inet_ntop(AF_INET, &a->end, ae, sizeof(ae));
			error_set(err, EXIT_CONFIG,
					 "--dhcp-range at %s overlaps the range %s-%s given at %s",
					 b->origin.where, as, ae, a->origin.where);
			return -1;
		}
	}
	return 0;
}

static int compare_host_ip(const void *a, const void *b)
{
	const struct dhcp_host *x = *(const struct dhcp_host *const *)a;
	const struct dhcp_host *y = *(const struct dhcp_host *const *)b;
	uint32_t xa = ntohl(x->ip.s_addr), ya = ntohl(y->ip.s_addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	return x < y ? -1 : x > y; /* keep config order among equals */
}

/* One address reserved for two different clients: sort by address, compare neighbours. */
static int validate_host_ips(const struct config *cfg, struct error *err)
{
	const struct dhcp_host **v = xcalloc(cfg->nhosts, sizeof(*v));
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < cfg->nhosts; i++)
		if (cfg->hosts[i].has_ip)
			v[n++] = &cfg->hosts[i];
	if (n)
		qsort(v, n, sizeof(*v), compare_host_ip);
	for (size_t i = 1; i < n && rc == 0; i++) {
		char ip[INET_ADDRSTRLEN];

		if (v[i]->ip.s_addr != v[i - 1]->ip.s_addr ||
		    dhcp_host_same_client(v[i], v[i - 1]))
			continue;
		inet_ntop(AF_INET, &v[i]->ip, ip, sizeof(ip));
		error_set(err, EXIT_CONFIG,
				 "--dhcp-host at %s reserves %s, already reserved for another "
				 "client at %s", v[i]->origin.where, ip, v[i - 1]->origin.where);
		rc = -1;
	}
	free(v);
	return rc;
}

static int validate_interfaces(const struct config *cfg, struct error *err)
{
	for (size_t i = 0; i < cfg->ninterfaces; i++)
		for (size_t j = 0; j < cfg->nexcept_interfaces; j++)
			if (strcmp(cfg->interfaces[i], cfg->except_interfaces[j]) == 0) {
				error_set(err, EXIT_CONFIG,
						 "interface %s is given both to --interface and "
						 "--except-interface", cfg->interfaces[i]);
				return -1;
			}
	return 0;
}

int config_validate(const struct config *cfg, struct error *err)
{
	err->msg[0] = '\0';
	err->status = 0;
	if (cfg->bind_interfaces && cfg->bind_dynamic) {
		error_set(err, EXIT_CONFIG,
				 "--bind-interfaces and --bind-dynamic cannot be used together");
		return -1;
	}
	if (cfg->lease_max < 1) {
		error_set(err, EXIT_CONFIG, "--dhcp-lease-max must be at least 1");
		return -1;
	}
	if (cfg->has_max_cache_ttl && cfg->min_cache_ttl > cfg->max_cache_ttl) {
		error_set(err, EXIT_CONFIG,
				 "--min-cache-ttl (%u) is larger than --max-cache-ttl (%u)",
				 (unsigned)cfg->min_cache_ttl, (unsigned)cfg->max_cache_ttl);
		return -1;
	}
	/* dnsmasq would serve its working directory ("/"): leased serves a root or nothing. */
	if (cfg->enable_tftp && !cfg->tftp_root)
		return error_set(err, EXIT_CONFIG, "--enable-tftp (at %s) needs --tftp-root: leased "
				 "serves TFTP from a root directory only", cfg->tftp_origin.where);
	if (validate_interfaces(cfg, err) < 0 || validate_ranges(cfg, err) < 0 ||
	    validate_host_ips(cfg, err) < 0)
		return -1;
	return 0;
}

bool config_iface_excluded(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nexcept_interfaces; i++)
		if (strcmp(cfg->except_interfaces[i], name) == 0)
			return true;
	return false;
}

bool config_tags_match(const struct tag_match *m, const char *const *tags, size_t n)
{
	for (size_t i = 0; i < m->n; i++) {
		bool set = false;

		for (size_t t = 0; t < n && !set; t++)
			set = m->names[i] && strcmp(m->names[i], tags[t]) == 0;
		if (set == m->negate[i])
			return false;
	}
	return true;
}

const struct dhcp_option *config_iface_option(const struct config *cfg, int family,
					      uint16_t code, const char *ifname)
{
	for (size_t i = 0; i < cfg->noptions; i++) {
		const struct dhcp_option *o = &cfg->options[i];

		if (o->family == family && o->code == code && config_tags_match(&o->match, &ifname, 1))
			return o;
	}
	return NULL;
}

bool config_ra_names(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nranges; i++)
		if (cfg->ranges[i].family == AF_INET6 && (cfg->ranges[i].mode6 & RANGE6_RA_NAMES))
			return true;
	return false;
}

bool config_iface_matches(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, name, n - 1) == 0;
	return strcmp(pattern, name) == 0;
}
