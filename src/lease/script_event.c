/*
 * script_event — the pure part of --dhcp-script (include/lease/script_event.h):
 * which events a lease change makes, the record that carries one to the
 * helper, the program's argv and DNSMASQ_* variables, and the walk over
 * "init" output.  No process, descriptor or clock here (now is passed in).
 *
 * May include: lease/ (the lease, the lease-file line parser) and core/.
 */
#include "lease/script_event.h"
#include "lease/leasefile.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fill_event(struct script_event *e, enum script_action action,
		       const struct lease *l, time_t now)
{
	memset(e, 0, sizeof(*e));
	e->magic = SCRIPT_EVENT_MAGIC;
	e->action = (uint8_t)action;
	e->htype = l->htype;
	e->hwlen = (uint8_t)MIN((size_t)l->hwlen, (size_t)LEASE_HWADDR_MAX);
	memcpy(e->hwaddr, l->hwaddr, e->hwlen);
	e->client_id_len = l->client_id_len;
	memcpy(e->client_id, l->client_id, l->client_id_len);
	e->family = (uint8_t)l->addr.family;
	if (l->addr.family == AF_INET6) {
		e->addr6 = l->addr.v6;
		e->iaid = l->iaid;
		e->ia = l->ia;
	} else {
		e->addr = l->addr.v4;
	}
	e->expires = (int64_t)l->expires;
	if (l->expires > now)
		e->remaining = (uint32_t)MIN((uint64_t)(l->expires - now), (uint64_t)UINT32_MAX);
	str_copy(e->hostname, l->hostname, sizeof(e->hostname));
}

/*
 * dnsmasq's rules, as dnsmasq 2.90 runs them: "add" for a lease that is
 * new, "del" when it goes, "old" when it is renewed or changes, and a
 * lost name first gets an "old" of its own with DNSMASQ_OLD_HOSTNAME
 * ("make sure we announce the loss of a hostname before its new
 * location").  dnsmasq reports a renewal that changes nothing only for a
 * client in SELECTING or INIT-REBOOT state (or always with --leasefile-ro
 * or --script-on-renewal); leased cannot tell the states apart here and
 * reports every renewal.
 *
 * IPv6 leases make the same events, with dnsmasq's other arguments and
 * environment (script_build_exec).
 */
size_t script_events_for_change(const struct lease *old, const struct lease *new,
				enum lease_event ev, time_t now, struct script_event out[2])
{
	size_t n = 0;

	if (!new) {
		if (!old)
			return 0;
		fill_event(&out[0], SCRIPT_DEL, old, now);
		/* dnsmasq keeps the client's extra data only for the run it came with. */
		out[0].flags |= SCRIPT_F_DATA_MISSING;
		return 1;
	}
	if (ev == LEASE_EV_LOADED) {
		fill_event(&out[0], SCRIPT_OLD, new, now);
		out[0].flags |= SCRIPT_F_DATA_MISSING;
		return 1;
	}
	if (!old) {
		fill_event(&out[0], SCRIPT_ADD, new, now);
		return 1;
	}
	if (old->hostname[0] && strncmp(old->hostname, new->hostname, LEASE_NAME_MAX) != 0) {
		fill_event(&out[n], SCRIPT_OLD_HOSTNAME, new, now);
		str_copy(out[n].hostname, old->hostname, sizeof(out[n].hostname));
		n++;
	}
	fill_event(&out[n++], SCRIPT_OLD, new, now);
	return n;
}

int script_event_encode(const struct script_event *ev, uint8_t *buf, size_t buflen)
{
	if (!ev || !buf || buflen < SCRIPT_RECORD_SIZE)
		return -1;
	memcpy(buf, ev, SCRIPT_RECORD_SIZE);
	return (int)SCRIPT_RECORD_SIZE;
}

static bool nul_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int script_event_decode(const uint8_t *buf, size_t len, struct script_event *ev,
			const char **why)
{
	const char *dummy;
	struct script_event e;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!buf || !ev) {
		*why = "no record";
		return -1;
	}
	if (len != SCRIPT_RECORD_SIZE) {
		*why = "record of the wrong size";
		return -1;
	}
	memcpy(&e, buf, sizeof(e));
	if (e.magic != SCRIPT_EVENT_MAGIC)
		*why = "bad magic number";
	else if (e.action < SCRIPT_ADD || e.action > SCRIPT_OLD_HOSTNAME)
		*why = "unknown action";
	else if (e.flags & ~SCRIPT_F_DATA_MISSING)
		*why = "unknown flags";
	else if (e.hwlen > LEASE_HWADDR_MAX)
		*why = "hardware address too long";
	else if (e.family != AF_INET && e.family != AF_INET6)
		*why = "unknown address family";
	else if (e.family == AF_INET ? e.addr.s_addr == 0 : IN6_IS_ADDR_UNSPECIFIED(&e.addr6))
		*why = "no address";
	else if (!nul_terminated(e.hostname, sizeof(e.hostname)))
		*why = "hostname not terminated";
	else if (!nul_terminated(e.interface, sizeof(e.interface)))
		*why = "interface name not terminated";
	else if (e.action == SCRIPT_OLD_HOSTNAME && !e.hostname[0])
		*why = "name change without the old name";
	if (*why)
		return -1;
	*ev = e;
	return 0;
}

/* Copy of s into out's storage; NULL when it does not fit. */
static char *store_str(struct script_exec *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *store_str(struct script_exec *out, const char *fmt, ...)
{
	size_t room = sizeof(out->buf) - out->used;
	char *p = out->buf + out->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return NULL;
	out->used += (size_t)n + 1;
	return p;
}

static int add_var(struct script_exec *out, const char *name, const char *value)
{
	char *v;

	if (out->nvars == SCRIPT_MAX_VARS)
		return -1;
	v = store_str(out, "%s=%s", name, value);
	if (!v)
		return -1;
	out->vars[out->nvars++] = v;
	out->vars[out->nvars] = NULL;
	return 0;
}

void script_format_hwaddr(const struct script_event *ev, char *out, size_t outlen)
{
	char hex[3 * LEASE_HWADDR_MAX + 1] = "";
	size_t hwlen = MIN((size_t)ev->hwlen, (size_t)LEASE_HWADDR_MAX);

	if (hwlen)
		hex_format(ev->hwaddr, hwlen, hex, sizeof(hex));
	if (ev->htype != 1 || hwlen == 0)
		snprintf(out, outlen, "%02x-%s", ev->htype, hex);
	else
		snprintf(out, outlen, "%s", hex);
}

const char *script_action_name(uint8_t action)
{
	switch (action) {
	case SCRIPT_ADD:
		return "add";
	case SCRIPT_DEL:
		return "del";
	default:
		return "old";
	}
}

/*
 * The name becomes an argument and DNSMASQ_OLD_HOSTNAME of a program that
 * is often a shell script: only what a lease may carry (a DNS label as in
 * a dnsmasq lease file), so no space, quote, '$', ';' or newline ever
 * reaches it, whatever put the name into the lease.
 */
bool script_hostname_ok(const char *name)
{
	return !name[0] || str_is_label(name, true);
}

bool script_domain_usable(const char *domain)
{
	return domain && domain[0] && strcmp(domain, "#") != 0;
}

/*
 * dnsmasq's variables for an IPv6 lease: DNSMASQ_IAID ("T" before it for a
 * temporary address), DNSMASQ_SERVER_DUID, DNSMASQ_MAC when the client's
 * MAC is known; no DNSMASQ_CLIENT_ID (the DUID is the second argument).
 */
static int v6_vars(const struct script_event *ev, struct script_exec *out)
{
	char num[16], duid[3 * LEASE_CLIENT_ID_MAX + 1], mac[3 * LEASE_HWADDR_MAX + 1];

	snprintf(num, sizeof(num), "%s%" PRIu32, ev->ia == LEASE_IA_TA ? "T" : "", ev->iaid);
	if (add_var(out, "DNSMASQ_IAID", num) < 0)
		return -1;
	if (ev->server_duid_len &&
	    add_var(out, "DNSMASQ_SERVER_DUID",
		    hex_format(ev->server_duid, ev->server_duid_len, duid, sizeof(duid))) < 0)
		return -1;
	if (ev->hwlen && add_var(out, "DNSMASQ_MAC",
				 hex_format(ev->hwaddr, ev->hwlen, mac, sizeof(mac))) < 0)
		return -1;
	return 0;
}

int script_build_exec(const struct script_event *ev, const char *path,
		      const struct script_env_config *cfg, struct script_exec *out)
{
	char hw[4 + 3 * LEASE_CLIENT_ID_MAX], ip[INET6_ADDRSTRLEN], num[32];
	char id[3 * LEASE_CLIENT_ID_MAX + 1];
	const char *base, *slash;
	bool named;
	size_t a = 0;

	if (!ev || !path || !out || ev->action < SCRIPT_ADD || ev->action > SCRIPT_OLD_HOSTNAME ||
	    ev->hwlen > LEASE_HWADDR_MAX || !nul_terminated(ev->hostname, sizeof(ev->hostname)) ||
	    !nul_terminated(ev->interface, sizeof(ev->interface)) ||
	    !script_hostname_ok(ev->hostname))
		return -1;
	memset(out, 0, sizeof(*out));
	/* dnsmasq: the MAC, or for IPv6 the client's DUID. */
	if (ev->family == AF_INET6)
		hex_format(ev->client_id, ev->client_id_len, hw, sizeof(hw));
	else
		script_format_hwaddr(ev, hw, sizeof(hw));
	if (!inet_ntop(ev->family == AF_INET6 ? AF_INET6 : AF_INET,
		       ev->family == AF_INET6 ? (const void *)&ev->addr6 : (const void *)&ev->addr,
		       ip, sizeof(ip)))
		return -1;
	named = ev->hostname[0] != '\0';

	/* dnsmasq: execl(path, basename, action, mac, ip, hostname). */
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!(out->argv[a++] = store_str(out, "%s", base)) ||
	    !(out->argv[a++] = store_str(out, "%s", script_action_name(ev->action))) ||
	    !(out->argv[a++] = store_str(out, "%s", hw)) ||
	    !(out->argv[a++] = store_str(out, "%s", ip)))
		return -1;
	/* A lost name is passed in DNSMASQ_OLD_HOSTNAME, not as an argument. */
	if (named && ev->action != SCRIPT_OLD_HOSTNAME &&
	    !(out->argv[a++] = store_str(out, "%s", ev->hostname)))
		return -1;
	out->argv[a] = NULL;

	if (ev->family == AF_INET6 && v6_vars(ev, out) < 0)
		return -1;
	if (ev->family != AF_INET6 && ev->client_id_len) {
		hex_format(ev->client_id, ev->client_id_len, id, sizeof(id));
		if (add_var(out, "DNSMASQ_CLIENT_ID", id) < 0)
			return -1;
	}
	if (ev->interface[0] && add_var(out, "DNSMASQ_INTERFACE", ev->interface) < 0)
		return -1;
	snprintf(num, sizeof(num), "%" PRId64, ev->expires > 0 ? ev->expires : (int64_t)0);
	if (add_var(out, "DNSMASQ_LEASE_EXPIRES", num) < 0)
		return -1;
	/* "if the fully-qualified domain name of the host is known". */
	if (named && cfg && script_domain_usable(cfg->domain) &&
	    add_var(out, "DNSMASQ_DOMAIN", cfg->domain) < 0)
		return -1;
	if ((ev->flags & SCRIPT_F_DATA_MISSING) && add_var(out, "DNSMASQ_DATA_MISSING", "1") < 0)
		return -1;
	if (ev->action != SCRIPT_DEL && ev->remaining) {
		snprintf(num, sizeof(num), "%" PRIu32, ev->remaining);
		if (add_var(out, "DNSMASQ_TIME_REMAINING", num) < 0)
			return -1;
	}
	if (ev->action == SCRIPT_OLD_HOSTNAME &&
	    add_var(out, "DNSMASQ_OLD_HOSTNAME", ev->hostname) < 0)
		return -1;
	if (cfg && cfg->log_dhcp && add_var(out, "DNSMASQ_LOG_DHCP", "1") < 0)
		return -1;
	return 0;
}

char **script_compose_env(char *const *inherited, char *const *vars)
{
	size_t n = 0, k = 0;
	char **env;

	for (size_t i = 0; inherited && inherited[i]; i++)
		n++;
	for (size_t i = 0; vars && vars[i]; i++)
		n++;
	env = xcalloc(n + 1, sizeof(*env));
	for (size_t i = 0; inherited && inherited[i]; i++)
		if (!str_has_prefix(inherited[i], "DNSMASQ_"))
			env[k++] = inherited[i];
	for (size_t i = 0; vars && vars[i]; i++)
		env[k++] = vars[i];
	env[k] = NULL;
	return env;
}

void script_parse_init(const char *buf, size_t len, time_t now, script_init_fn fn, void *ctx)
{
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;

	if (!buf || !fn)
		return;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t llen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t use = llen;
		const char *why = NULL;
		struct lease l;

		lineno++;
		if (use && p[use - 1] == '\r')
			use--;
		switch (leasefile_parse_line(p, use, &l, &why)) {
		case LEASEFILE_LEASE:
			fn(ctx, lineno, l.expires != 0 && l.expires <= now ? SCRIPT_INIT_EXPIRED
									 : SCRIPT_INIT_LEASE,
			   &l, p, use, NULL);
			break;
		case LEASEFILE_SERVER_DUID: /* the script's own business */
		case LEASEFILE_SKIP:
			break;
		case LEASEFILE_BAD:
			fn(ctx, lineno, SCRIPT_INIT_BAD, NULL, p, use, why ? why : "malformed");
			break;
		}
		p += llen + (nl ? 1 : 0);
	}
}
