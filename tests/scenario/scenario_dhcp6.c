/*
 * scenario_dhcp6 — the `dhcp6` step and the `expect` after it.  The
 * client's message is built as a client sends it (test_dhcp6.c's
 * send_msg() builds them the same way), handed to dhcp6_handle() as
 * dhcp6_server hands it a message sent to the All_DHCP_Relay_Agents_and_
 * Servers group (the engine commits through the lease table itself, so
 * the observers run inside the call), and the reply is read back as a
 * client reads it: its type, Status Codes and the first IA_NA.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scenario.h"
#include "core/util.h"

/* The server's DUID (a DUID-UUID): Request, Renew, Release and Decline name it. */
static const uint8_t server_duid[] = {
	0, 4, 0x5c, 0xe1, 0x5a, 0x10, 0x00, 0x01, 0x40, 0x00,
	0x80, 0x00, 0x00, 0x16, 0x3e, 0x00, 0x00, 0xfe,
};

/* Option codes a client asks for (ORO): DNS servers and the search list. */
static const uint16_t client_oro[] = { D6O_DNS_SERVERS, D6O_DOMAIN_LIST };

struct dhcp6_kind {
	const char *name;
	uint8_t type;
	bool server_id;     /* ours, by default (RFC 8415 section 16) */
	bool ia;            /* an IA_NA goes with it */
};

static const struct dhcp6_kind dhcp6_kinds[] = {
	{ "solicit", DHCP6_SOLICIT, false, true },
	{ "request", DHCP6_REQUEST, true, true },
	{ "renew", DHCP6_RENEW, true, true },
	{ "rebind", DHCP6_REBIND, false, true },
	{ "release", DHCP6_RELEASE, true, true },
	{ "decline", DHCP6_DECLINE, true, true },
	{ "confirm", DHCP6_CONFIRM, false, true },
	{ "info", DHCP6_INFORMATION_REQUEST, false, false },
};

struct dhcp6_args {
	const struct dhcp6_kind *kind;
	uint8_t duid[DHCP6_DUID_MAX];
	size_t duid_len;
	unsigned long iaid;
	const char *fqdn;
	bool has_addr;
	struct in6_addr addr;
	bool rapid, unicast;
	uint8_t server[DHCP6_DUID_MAX];  /* the Server Identifier sent; none when 0 long */
	size_t server_len;
	uint8_t mac[6];                  /* the packet's link-layer source, when given */
	size_t mac_len;
};

#define DHCP6_USAGE "usage: dhcp6 solicit|request|renew|rebind|release|decline|confirm|info " \
		    "duid=HEX [iaid=N] [fqdn=NAME] [addr=A] [rapid] [unicast] " \
		    "[server=HEX|none] [mac=MAC]"

/* ---- the client's message ---- */

static int server_word(struct scn *s, struct dhcp6_args *a, const char *v)
{
	if (strcmp(v, "none") == 0) {
		a->server_len = 0;
		return 0;
	}
	return scn_parse_hex(s, v, a->server, sizeof(a->server), &a->server_len);
}

static int mac_word(struct scn *s, struct dhcp6_args *a, const char *v)
{
	if (scn_parse_hex(s, v, a->mac, sizeof(a->mac), &a->mac_len) < 0)
		return -1;
	if (a->mac_len != 6) {
		scn_fail(s, "mac=%s: 6 bytes wanted", v);
		return -1;
	}
	return 0;
}

static int dhcp6_word(struct scn *s, struct dhcp6_args *a, const char *w)
{
	const char *v;

	if (scn_kv(w, "duid", &v))
		return scn_parse_hex(s, v, a->duid, sizeof(a->duid), &a->duid_len);
	if (scn_kv(w, "iaid", &v))
		return scn_number(s, v, "iaid", 0xffffffffu, &a->iaid);
	if (scn_kv(w, "fqdn", &v))
		return a->fqdn = v, 0;
	if (scn_kv(w, "addr", &v))
		return a->has_addr = true, scn_addr6(s, v, &a->addr);
	if (scn_kv(w, "server", &v))
		return server_word(s, a, v);
	if (scn_kv(w, "mac", &v))
		return mac_word(s, a, v);
	if (strcmp(w, "rapid") == 0)
		return a->rapid = true, 0;
	if (strcmp(w, "unicast") == 0)
		return a->unicast = true, 0;
	scn_fail(s, "unknown dhcp6 word \"%s\"", w);
	return -1;
}

static int dhcp6_args(struct scn *s, const struct scn_tokens *t, struct dhcp6_args *a)
{
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; t->n >= 2 && i < ARRAY_SIZE(dhcp6_kinds); i++)
		if (strcmp(dhcp6_kinds[i].name, t->w[1]) == 0)
			a->kind = &dhcp6_kinds[i];
	if (!a->kind) {
		scn_fail(s, DHCP6_USAGE);
		return -1;
	}
	a->iaid = 1;
	if (a->kind->server_id) {
		memcpy(a->server, server_duid, sizeof(server_duid));
		a->server_len = sizeof(server_duid);
	}
	for (size_t i = 2; i < t->n; i++)
		if (dhcp6_word(s, a, t->w[i]) < 0)
			return -1;
	if (!a->duid_len) {
		scn_fail(s, "dhcp6 %s needs duid=", a->kind->name);
		return -1;
	}
	return 0;
}

/* Option 39 (RFC 4704): flags 0 (the client updates nothing itself), then the name. */
static int put_fqdn(struct scn *s, struct dhcp6_out *o, const char *fqdn)
{
	size_t mark = dhcp6_open(o, D6O_CLIENT_FQDN);

	dhcp6_put_bytes(o, &(uint8_t){ 0 }, 1);
	if (dhcp6_put_name(o, fqdn) < 0) {
		scn_fail(s, "fqdn=%s is not a DNS name", fqdn);
		return -1;
	}
	dhcp6_close(o, mark);
	return 0;
}

static void put_oro(struct dhcp6_out *o)
{
	size_t mark = dhcp6_open(o, D6O_ORO);
	uint8_t code[2];

	for (size_t i = 0; i < ARRAY_SIZE(client_oro); i++) {
		put_be16(code, client_oro[i]);
		dhcp6_put_bytes(o, code, sizeof(code));
	}
	dhcp6_close(o, mark);
}

/* One IA_NA: T1 and T2 left to the server, the address asked for if any. */
static void put_ia_na(struct dhcp6_out *o, const struct dhcp6_args *a)
{
	size_t mark = dhcp6_open(o, D6O_IA_NA);

	dhcp6_put_u32(o, (uint32_t)a->iaid);
	dhcp6_put_u32(o, 0);
	dhcp6_put_u32(o, 0);
	if (a->has_addr)
		dhcp6_put_iaaddr(o, &a->addr, 0, 0, -1);
	dhcp6_close(o, mark);
}

/* The message's length in buf, or 0 (reported) when it cannot be built. */
static size_t build_message(struct scn *s, const struct dhcp6_args *a, uint8_t *buf,
			    size_t cap)
{
	struct dhcp6_out o;
	uint8_t xid[3], elapsed[2] = { 0, 0 };

	s->xid++;
	xid[0] = (uint8_t)(s->xid >> 16);
	xid[1] = (uint8_t)(s->xid >> 8);
	xid[2] = (uint8_t)s->xid;
	dhcp6_out_init(&o, buf, cap, a->kind->type, xid);
	dhcp6_put(&o, D6O_CLIENTID, a->duid, a->duid_len);
	if (a->server_len)
		dhcp6_put(&o, D6O_SERVERID, a->server, a->server_len);
	dhcp6_put(&o, D6O_ELAPSED_TIME, elapsed, sizeof(elapsed));
	if (a->rapid)
		dhcp6_put(&o, D6O_RAPID_COMMIT, NULL, 0);
	put_oro(&o);
	if (a->fqdn && put_fqdn(s, &o, a->fqdn) < 0)
		return 0;
	if (a->kind->ia)
		put_ia_na(&o, a);
	if (o.full) {
		scn_fail(s, "the dhcp6 message does not fit %zu bytes", cap);
		return 0;
	}
	return o.len;
}

/* ---- the reply, as a client reads it ---- */

/* Options tile p[0..len) exactly: none runs past the end. */
static bool options_whole(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off + DHCP6_OPT_HEADER_LEN <= len)
		off += DHCP6_OPT_HEADER_LEN + get_be16(p + off + 2);
	return off == len;
}

/* The body of the first option with code among p[0..len) (options_whole already), or NULL. */
static const uint8_t *find_option(const uint8_t *p, size_t len, uint16_t code, size_t *olen)
{
	for (size_t off = 0; off + DHCP6_OPT_HEADER_LEN <= len;) {
		size_t l = get_be16(p + off + 2);

		if (get_be16(p + off) == code) {
			*olen = l;
			return p + off + DHCP6_OPT_HEADER_LEN;
		}
		off += DHCP6_OPT_HEADER_LEN + l;
	}
	return NULL;
}

/* The Status Code among the options p[0..len); -1 when there is none. */
static int status_in(const uint8_t *p, size_t len)
{
	size_t slen;
	const uint8_t *st = find_option(p, len, D6O_STATUS_CODE, &slen);

	return st && slen >= 2 ? get_be16(st) : -1;
}

/*
 * The IA's address: the first IAADDR with a valid lifetime, else the
 * first one (returned with lifetime 0, as after a Renew of an address the
 * link no longer has or a Release without a binding).
 */
static int read_iaaddrs(const uint8_t *p, size_t len, struct scn_dhcp6_reply *r)
{
	for (size_t off = 0; off + DHCP6_OPT_HEADER_LEN <= len;) {
		uint16_t code = get_be16(p + off);
		size_t l = get_be16(p + off + 2);
		const uint8_t *body = p + off + DHCP6_OPT_HEADER_LEN;

		off += DHCP6_OPT_HEADER_LEN + l;
		if (code != D6O_IAADDR)
			continue;
		if (l < 24 || !options_whole(body + 24, l - 24))
			return -1;
		if (r->has_addr && r->valid)
			continue;
		r->has_addr = true;
		memcpy(&r->addr, body, 16);
		r->valid = get_be32(body + 20);
	}
	return 0;
}

static int read_ia_na(const uint8_t *p, size_t len, struct scn_dhcp6_reply *r)
{
	size_t ialen;
	const uint8_t *ia = find_option(p, len, D6O_IA_NA, &ialen);

	if (!ia)
		return 0;
	if (ialen < 12 || !options_whole(ia + 12, ialen - 12))
		return -1;
	r->ia_status = status_in(ia + 12, ialen - 12);
	return read_iaaddrs(ia + 12, ialen - 12, r);
}

static void read_reply(struct scn *s)
{
	struct scn_dhcp6_reply *r = &s->dhcp6_reply;
	const uint8_t *opts = s->dhcp6_res.reply + DHCP6_HEADER_LEN;
	size_t len = s->dhcp6_res.reply_len - DHCP6_HEADER_LEN;

	r->sent = true;
	r->type = s->dhcp6_res.reply[0];
	if (!options_whole(opts, len) || read_ia_na(opts, len, r) < 0) {
		scn_fail(s, "the %s does not parse: an option runs past its end",
			 dhcp6_type_name(r->type));
		return;
	}
	r->status = status_in(opts, len);
	if (r->has_addr && r->valid)
		scn_set_var(s, "last", lease_addr6(&r->addr));
}

/*
 * `dhcp6 KIND duid=HEX [words]`: one client message, handled as
 * dhcp6_server handles it (multicast unless `unicast`).
 */
void scn_step_dhcp6(struct scn *s, const struct scn_tokens *t)
{
	struct dhcp6_args a;
	uint8_t buf[DHCP6_MAX_PACKET];
	size_t len;
	struct dhcp6_env env = {
		.cfg = &s->cfg, .hosts = s->hosts, .leases = s->leases, .iface = &s->iface6,
		.server_duid = server_duid, .server_duid_len = sizeof(server_duid),
		.now = s->now,
	};

	s->last = SCN_LAST_NONE;
	if (dhcp6_args(s, t, &a) < 0 || !(len = build_message(s, &a, buf, sizeof(buf))))
		return;
	env.multicast = !a.unicast;
	env.src_hw = a.mac_len ? a.mac : NULL;
	env.src_hwlen = a.mac_len;
	memset(&s->dhcp6_reply, 0, sizeof(s->dhcp6_reply));
	s->dhcp6_reply.status = s->dhcp6_reply.ia_status = -1;
	dhcp6_handle(&env, buf, len, &s->dhcp6_res);
	s->last = SCN_LAST_DHCP6;
	if (s->dhcp6_res.verdict != DHCP6_SEND)
		return;
	if (s->dhcp6_res.reply_len < DHCP6_HEADER_LEN) {
		scn_fail(s, "a reply of %zu bytes", s->dhcp6_res.reply_len);
		return;
	}
	read_reply(s);
}

/* ---- expect after dhcp6 ---- */

/* The IA's status: its Status Code, else the message's, else Success (RFC 8415 21.13). */
static int reply_status(const struct scn_dhcp6_reply *r)
{
	if (r->ia_status >= 0)
		return r->ia_status;
	return r->status >= 0 ? r->status : D6S_SUCCESS;
}

/* "NoBinding" or "3" → 3; -1 when it is neither a status name nor a number. */
static int status_named(struct scn *s, const char *v)
{
	unsigned long n;

	for (uint16_t i = D6S_SUCCESS; i <= D6S_NO_PREFIX_AVAIL; i++)
		if (strcasecmp(dhcp6_status_name(i), v) == 0)
			return i;
	if (v[0] >= '0' && v[0] <= '9' && scn_number(s, v, "status", 0xffff, &n) == 0)
		return (int)n;
	if (!s->step_failed)
		scn_fail(s, "status=%s: not a status name (Success, NoAddrsAvail, NoBinding ...) "
			    "nor a number", v);
	return -1;
}

/* "REPLY fd42::10 (valid 3600, NoBinding)", or "no reply". */
static const char *dhcp6_outcome(const struct scn_dhcp6_reply *r, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "no address";

	if (!r->sent)
		return "no reply";
	if (r->has_addr)
		inet_ntop(AF_INET6, &r->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s %s (valid %u, %s)", dhcp6_type_name(r->type), addr,
		 r->has_addr ? r->valid : 0, dhcp6_status_name((uint16_t)reply_status(r)));
	return buf;
}

/* A word about the IA's address, which there must then be. */
static bool about_addr(const char *w)
{
	const char *v;

	return scn_kv(w, "addr", &v) || scn_kv(w, "as", &v) || scn_kv(w, "lifetime", &v);
}

static void expect_dhcp6_word(struct scn *s, const char *w, const char *got)
{
	const struct scn_dhcp6_reply *r = &s->dhcp6_reply;
	struct lease_addr a = lease_addr6(&r->addr);
	const char *v;
	unsigned long n;
	int st;

	if (about_addr(w) && !r->has_addr) {
		scn_fail(s, "%s, but the reply's IA_NA has no address (got %s)", w, got);
	} else if (scn_kv(w, "addr", &v)) {
		scn_check_addr(s, v, &a, "the IA_NA's address is");
	} else if (scn_kv(w, "as", &v)) {
		scn_set_var(s, v, a);
	} else if (scn_kv(w, "lifetime", &v)) {
		if (scn_number(s, v, "lifetime", 0xffffffffu, &n) == 0 && r->valid != n)
			scn_fail(s, "valid lifetime %u, not %lu", r->valid, n);
	} else if (scn_kv(w, "status", &v)) {
		st = status_named(s, v);
		if (st >= 0 && st != reply_status(r))
			scn_fail(s, "status %s, not %s (got %s)",
				 dhcp6_status_name((uint16_t)reply_status(r)), v, got);
	} else {
		scn_fail(s, "unknown expect word for dhcp6: \"%s\"", w);
	}
}

void scn_expect_dhcp6(struct scn *s, const struct scn_tokens *t)
{
	const struct scn_dhcp6_reply *r = &s->dhcp6_reply;
	uint8_t want = strcmp(t->w[1], "advertise") == 0 ? DHCP6_ADVERTISE :
		       strcmp(t->w[1], "reply") == 0 ? DHCP6_REPLY : 0;
	char got[128];

	if (!want && strcmp(t->w[1], "none") != 0) {
		scn_fail(s, "expect after dhcp6: advertise|reply|none [addr=] [as=] [status=] "
			    "[lifetime=]");
		return;
	}
	dhcp6_outcome(r, got, sizeof(got));
	if (want ? !r->sent || r->type != want : r->sent) {
		scn_fail(s, "expected %s, got %s", t->w[1], got);
		return;
	}
	for (size_t i = 2; i < t->n; i++)
		expect_dhcp6_word(s, t->w[i], got);
}
