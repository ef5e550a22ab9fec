/*
 * dhcp4_options — which options a DHCPv4 reply carries and in what order.
 * Defaults derived from the interface (mask, broadcast, router, DNS,
 * domain, the client's name) are overridden by --dhcp-option entries whose
 * tag conditions hold; an entry with no value suppresses the option.  The
 * essentials go first, then what the client asked for in option 55, in
 * its order, then forced options; anything that would push the reply past
 * the client's size limit is left out and logged at debug level.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp4_internal.h"
#include "core/log.h"
#include "core/util.h"

/* RFC 4702 section 2.1 flag bits. */
#define FQDN_S 0x01
#define FQDN_O 0x02
#define FQDN_E 0x04

#define FQDN_NAME_MAX 255

/* Options whose value is one or more IPv4 addresses (RFC 2132). */
static const uint8_t addr_list_codes[] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 28, 32, 41, 42, 44, 45, 48, 49,
	65, 68, 69, 70, 71, 72, 73, 74, 75, 76,
};

/* The protocol's own options: set by the engine, never by configuration. */
static const uint8_t protocol_codes[] = {
	OPT_PAD, OPT_REQUESTED_IP, OPT_LEASE_TIME, OPT_OVERLOAD, OPT_MSG_TYPE,
	OPT_SERVER_ID, OPT_PARAM_REQUEST, OPT_MAX_SIZE, OPT_CLIENT_ID,
	OPT_RAPID_COMMIT, OPT_CLIENT_FQDN, OPT_END,
};

static bool code_in(const uint8_t *list, size_t n, unsigned code)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == code)
			return true;
	return false;
}

static void set_default(struct reply_opts *ro, uint8_t code, const void *data, size_t len)
{
	ro->cand[code] = (struct candidate){ data, len, true, false, SRC_DEFAULT };
}

static void fill_defaults(const struct dhcp4_ctx *c, struct reply_opts *ro)
{
	uint32_t bcast = (c->subnet.s_addr & c->netmask.s_addr) | ~c->netmask.s_addr;

	memcpy(ro->mask, &c->netmask.s_addr, 4);
	memcpy(ro->bcast, &bcast, 4);
	/* Relayed: the relay agent is the client's way out. */
	memcpy(ro->router, &c->subnet.s_addr, 4);
	memcpy(ro->dns, &c->server.s_addr, 4);
	set_default(ro, OPT_SUBNET_MASK, ro->mask, 4);
	set_default(ro, OPT_BROADCAST, ro->bcast, 4);
	set_default(ro, OPT_ROUTER, ro->router, 4);
	if (c->cfg->port != 0)
		set_default(ro, OPT_DNS, ro->dns, 4);
	if (c->cfg->domain && *c->cfg->domain)
		set_default(ro, OPT_DOMAIN_NAME, c->cfg->domain, strlen(c->cfg->domain));
	/* A network boot's server name and file as options 66 and 67 too, for
	 * clients that ask for them (UEFI PXE); the text only, no NUL. */
	if (c->boot && c->boot->sname)
		set_default(ro, OPT_TFTP_SERVER, c->boot->sname, strlen(c->boot->sname));
	if (c->boot)
		set_default(ro, OPT_BOOTFILE, c->boot->file, strlen(c->boot->file));
	/* RFC 4702 section 3: with option 81 the name travels there instead. */
	if (c->hostname[0] && !dhcp4_get_option(c->req, OPT_CLIENT_FQDN, NULL))
		set_default(ro, OPT_HOSTNAME, c->hostname, strlen(c->hostname));
}

/* dnsmasq's "0.0.0.0 means this server" in address options. */
static const uint8_t *replace_any_addr(const struct dhcp4_ctx *c, struct reply_opts *ro,
				       const struct dhcp_option *o)
{
	uint8_t *copy;
	bool any = false;

	if (!code_in(addr_list_codes, ARRAY_SIZE(addr_list_codes), o->code) || o->len % 4)
		return o->data;
	for (size_t i = 0; i < o->len; i += 4)
		if (memcmp(o->data + i, "\0\0\0\0", 4) == 0)
			any = true;
	if (!any || o->len > sizeof(ro->scratch) - ro->scratch_used)
		return o->data;
	copy = ro->scratch + ro->scratch_used;
	ro->scratch_used += o->len;
	memcpy(copy, o->data, o->len);
	for (size_t i = 0; i < o->len; i += 4)
		if (memcmp(copy + i, "\0\0\0\0", 4) == 0)
			memcpy(copy + i, &c->server.s_addr, 4);
	return copy;
}

static void fill_configured(const struct dhcp4_ctx *c, struct reply_opts *ro)
{
	const struct dhcp_option *opts;
	size_t n = 0;

	if (c->env->hosts) {
		opts = hostdb_options(c->env->hosts, &n);
	} else {
		opts = c->cfg->options;
		n = c->cfg->noptions;
	}
	for (size_t i = 0; opts && i < n; i++) {
		const struct dhcp_option *o = &opts[i];
		enum source src = o->match.n ? SRC_CONFIG_TAGGED : SRC_CONFIG;
		struct candidate *cd;

		if (o->family != AF_INET || o->code > 255 ||
		    code_in(protocol_codes, ARRAY_SIZE(protocol_codes), o->code))
			continue;
		cd = &ro->cand[o->code];
		/* The first entry of the most specific kind wins. */
		if (cd->src >= src || !config_tags_match(&o->match, c->tags, c->ntags))
			continue;
		cd->src = src;
		cd->force = o->force;
		cd->len = o->len;
		/* An empty value means: do not send this option at all. */
		cd->send = o->len > 0;
		cd->data = o->len ? replace_any_addr(c, ro, o) : NULL;
	}
}

static void log_sent(const struct dhcp4_ctx *c, uint8_t code, const uint8_t *data, size_t len)
{
	char val[3 * 32 + 4];

	if (len == 4 && code_in(addr_list_codes, ARRAY_SIZE(addr_list_codes), code))
		inet_ntop(AF_INET, data, val, sizeof(val));
	else if (code == OPT_SERVER_ID || code == OPT_SUBNET_MASK)
		inet_ntop(AF_INET, data, val, sizeof(val));
	else
		hex_format(data, MIN(len, (size_t)32), val, sizeof(val));
	log_info("%u sent size: %3zu option: %3u %s%s", ntohl(c->req->xid), len, code, val,
		 len > 32 ? "..." : "");
}

static void emit(const struct dhcp4_ctx *c, struct reply_opts *ro, struct dhcp4_builder *b,
		 uint8_t code, const void *data, size_t len)
{
	ro->done[code] = true;
	if (dhcp4_add_option(b, code, data, len) < 0) {
		log_debug("%s on %s: option %u (%zu bytes) left out: the reply is limited to %zu bytes",
			  c->hwstr, c->env->iface->name, code, len, b->max);
		return;
	}
	if (c->cfg->log_dhcp && !c->cfg->quiet_dhcp)
		log_sent(c, code, data, len);
}

static void emit_candidate(const struct dhcp4_ctx *c, struct reply_opts *ro,
			   struct dhcp4_builder *b, uint8_t code)
{
	const struct candidate *cd = &ro->cand[code];

	if (ro->done[code] || !cd->send)
		return;
	emit(c, ro, b, code, cd->data, cd->len);
}


/*
 * RFC 2131 section 4.4.5: T1 defaults to half the lease, T2 to 0.875 of
 * it.  An infinite lease has no renewal times.
 */
static void emit_lease_times(const struct dhcp4_ctx *c, struct reply_opts *ro,
			     const struct dhcp4_reply_info *ri, struct dhcp4_builder *b)
{
	uint8_t lt[4], t1[4], t2[4];

	put_be32(lt, ri->lease_time);
	emit(c, ro, b, OPT_LEASE_TIME, lt, 4);
	if (ri->lease_time == LEASE_INFINITE) {
		ro->done[OPT_T1] = ro->done[OPT_T2] = true;
		return;
	}
	put_be32(t1, ri->lease_time / 2);
	put_be32(t2, (uint32_t)((uint64_t)ri->lease_time * 7 / 8));
	if (ro->cand[OPT_T1].src < SRC_CONFIG)
		emit(c, ro, b, OPT_T1, t1, 4);
	else
		emit_candidate(c, ro, b, OPT_T1);
	if (ro->cand[OPT_T2].src < SRC_CONFIG)
		emit(c, ro, b, OPT_T2, t2, 4);
	else
		emit_candidate(c, ro, b, OPT_T2);
	ro->done[OPT_T1] = ro->done[OPT_T2] = true;
}

/* Append name's labels in DNS wire format; false if it does not fit. */
static bool put_wire_name(const char *name, uint8_t *out, size_t max, size_t *pos)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		if (n == 0 || n > 63 || *pos + 1 + n > max)
			return false;
		out[(*pos)++] = (uint8_t)n;
		memcpy(out + *pos, name, n);
		*pos += n;
		name += n + (dot ? 1 : 0);
	}
	return true;
}

/*
 * RFC 4702 section 3.2 (server behaviour): rcodes 255, S set because the
 * server answers for the name in DNS itself, O set when that overrides
 * the client's wish, the name in the encoding the client used (E bit).
 */
static size_t build_fqdn(const struct dhcp4_ctx *c, uint8_t *out)
{
	const uint8_t *v;
	size_t len, pos = 3;
	const char *domain = c->cfg->domain;

	v = dhcp4_get_option(c->req, OPT_CLIENT_FQDN, &len);
	if (!v || len < 3)
		return 0;
	out[0] = (uint8_t)((v[0] & FQDN_E) | FQDN_S | ((v[0] & FQDN_S) ? 0 : FQDN_O));
	out[1] = 255;
	out[2] = 255;
	if (!c->hostname[0])
		return pos;
	if (v[0] & FQDN_E) {
		size_t save = pos;

		if (!put_wire_name(c->hostname, out, 3 + FQDN_NAME_MAX - 1, &pos) ||
		    (domain && *domain && !put_wire_name(domain, out, 3 + FQDN_NAME_MAX - 1, &pos)))
			pos = save;
		else
			out[pos++] = 0; /* the root label: a fully qualified name */
		return pos;
	}
	pos += str_copy((char *)out + pos, c->hostname, FQDN_NAME_MAX);
	if (domain && *domain && pos + 1 + strlen(domain) <= 3 + FQDN_NAME_MAX) {
		out[pos++] = '.';
		memcpy(out + pos, domain, strlen(domain));
		pos += strlen(domain);
	}
	return pos;
}

static void emit_requested(const struct dhcp4_ctx *c, struct reply_opts *ro,
			   struct dhcp4_builder *b)
{
	const uint8_t *prl;
	size_t n;

	prl = dhcp4_get_option(c->req, OPT_PARAM_REQUEST, &n);
	if (prl) {
		/* RFC 2131 section 4.3.1: what the client asked for, in its order. */
		for (size_t i = 0; i < n; i++)
			emit_candidate(c, ro, b, prl[i]);
	} else {
		/* No list: a client that asks for nothing gets everything. */
		for (unsigned code = 1; code < 255; code++)
			emit_candidate(c, ro, b, (uint8_t)code);
	}
	for (unsigned code = 1; code < 255; code++)
		if (ro->cand[code].force)
			emit_candidate(c, ro, b, (uint8_t)code);
}

void dhcp4_reply_options(const struct dhcp4_ctx *c, const struct dhcp4_reply_info *ri,
			 struct dhcp4_builder *b)
{
	struct reply_opts *ro = &c->work->opts;
	uint8_t fqdn[3 + FQDN_NAME_MAX + 1];
	size_t fqdn_len, cid_len = 0;
	const uint8_t *cid;

	memset(ro, 0, sizeof(*ro));
	emit(c, ro, b, OPT_SERVER_ID, &c->server.s_addr, 4);
	/*
	 * RFC 6842: the client identifier as the client sent it, in OFFER, ACK
	 * and NAK alike (also under --dhcp-ignore-clid), so a client that
	 * checks it does not drop the reply.
	 */
	cid = dhcp4_get_option(c->req, OPT_CLIENT_ID, &cid_len);
	if (cid && cid_len)
		emit(c, ro, b, OPT_CLIENT_ID, cid, cid_len);
	if (ri->type == DHCPNAK) {
		if (ri->message)
			emit(c, ro, b, OPT_MESSAGE, ri->message, strlen(ri->message));
		goto out;
	}
	fill_defaults(c, ro);
	fill_configured(c, ro);
	if (ri->lease)
		emit_lease_times(c, ro, ri, b);
	else
		ro->done[OPT_LEASE_TIME] = ro->done[OPT_T1] = ro->done[OPT_T2] = true;
	emit_candidate(c, ro, b, OPT_SUBNET_MASK);
	if (ri->rapid_commit)
		emit(c, ro, b, OPT_RAPID_COMMIT, NULL, 0);
	fqdn_len = build_fqdn(c, fqdn);
	if (fqdn_len)
		emit(c, ro, b, OPT_CLIENT_FQDN, fqdn, fqdn_len);
	emit_requested(c, ro, b);
out:
	return;
}
