/*
 * fuzz_dhcp6 — DHCPv6 messages on anything, parsed from an exact-size
 * copy (so ASan sees a read past the end).  An accepted message is checked
 * against an independent walk of its bytes: no relay, every option and
 * every option nested in an IA or IAADDR inside its parent, the IAs,
 * addresses and identifiers the parser kept being the ones there, counts
 * within limits, a client DUID of 2 to 128 bytes.  Then a reply echoing
 * what was parsed is built into a buffer of every size up to the whole:
 * it is complete and the same bytes, or marked full and within its
 * buffer; the whole reply parses back to the same IAs and names.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "dhcp/dhcp6_wire.h"

#define ECHO_MAX 16384 /* 8 IAs of 8 addresses with statuses, and the rest */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether options tile p[0..len) exactly: the sum of their sizes is len. */
static bool tiles(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off + 4 <= len)
		off += 4 + get_be16(p + off + 2);
	return off == len;
}

static void check_ia(const uint8_t *v, size_t len, uint16_t code, const struct dhcp6_ia *ia)
{
	size_t fixed = code == D6O_IA_NA ? 12 : 4, n = 0;

	if (len < fixed || ia->type != code || ia->iaid != get_be32(v) ||
	    !tiles(v + fixed, len - fixed))
		abort();
	if (code == D6O_IA_NA && (ia->t1 != get_be32(v + 4) || ia->t2 != get_be32(v + 8)))
		abort();
	for (size_t off = fixed; off < len; off += 4 + get_be16(v + off + 2)) {
		size_t olen = get_be16(v + off + 2);
		const uint8_t *a = v + off + 4;

		if (get_be16(v + off) != D6O_IAADDR)
			continue;
		if (olen < 24 || !tiles(a + 24, olen - 24) || n >= ia->naddrs ||
		    memcmp(&ia->addrs[n].addr, a, 16) != 0 ||
		    ia->addrs[n].preferred != get_be32(a + 16) ||
		    ia->addrs[n].valid != get_be32(a + 20))
			abort();
		n++;
	}
	if (n != ia->naddrs || n > DHCP6_MAX_IA_ADDRS)
		abort();
}

static void check_accepted(const uint8_t *p, size_t len, const struct dhcp6_msg *m)
{
	size_t nia = 0, npd = 0, nclient = 0;

	if (len < 4 || m->type != p[0] || m->type == DHCP6_RELAY_FORW ||
	    m->type == DHCP6_RELAY_REPL || memcmp(m->xid, p + 1, 3) != 0 || !tiles(p + 4, len - 4))
		abort();
	for (size_t off = 4; off < len; off += 4 + get_be16(p + off + 2)) {
		uint16_t code = get_be16(p + off);
		size_t olen = get_be16(p + off + 2);
		const uint8_t *v = p + off + 4;

		if (code == D6O_CLIENTID &&
		    (nclient++ || olen < 2 || olen > 128 || olen != m->client_id_len ||
		     memcmp(v, m->client_id, olen) != 0))
			abort();
		if (code == D6O_IA_NA || code == D6O_IA_TA) {
			if (nia >= m->nias)
				abort();
			check_ia(v, olen, code, &m->ias[nia++]);
		}
		npd += code == D6O_IA_PD;
	}
	if ((nclient == 0) != (m->client_id_len == 0) || nia != m->nias || nia > DHCP6_MAX_IAS ||
	    npd != m->n_ia_pd || m->noro > DHCP6_MAX_ORO || m->server_id_len == 1 ||
	    m->server_id_len > DHCP6_DUID_MAX ||
	    strnlen(m->fqdn, sizeof(m->fqdn)) >= sizeof(m->fqdn))
		abort();
}

/* A REPLY that says back everything m holds. */
static size_t build_echo(const struct dhcp6_msg *m, uint8_t *buf, size_t cap, bool *full)
{
	const char *fqdn = m->fqdn;
	uint8_t oro[2 * DHCP6_MAX_ORO];
	struct dhcp6_out o;

	dhcp6_out_init(&o, buf, cap, DHCP6_REPLY, m->xid);
	dhcp6_put(&o, D6O_SERVERID, "\0\3\0\1\2\0\0\0\0\1", 10);
	if (m->client_id_len)
		dhcp6_put(&o, D6O_CLIENTID, m->client_id, m->client_id_len);
	for (size_t i = 0; i < m->nias; i++) {
		const struct dhcp6_ia *ia = &m->ias[i];
		size_t mark = dhcp6_open(&o, ia->type);

		dhcp6_put_u32(&o, ia->iaid);
		if (ia->type == D6O_IA_NA) {
			dhcp6_put_u32(&o, ia->t1);
			dhcp6_put_u32(&o, ia->t2);
		}
		for (size_t j = 0; j < ia->naddrs; j++)
			dhcp6_put_iaaddr(&o, &ia->addrs[j].addr, ia->addrs[j].preferred,
					 ia->addrs[j].valid, j % 2 ? D6S_NOT_ON_LINK : -1);
		if (!ia->naddrs)
			dhcp6_put_status(&o, D6S_NO_ADDRS_AVAIL, NULL);
		dhcp6_close(&o, mark);
	}
	for (size_t i = 0; i < m->noro; i++)
		put_be16(oro + 2 * i, m->oro[i]);
	dhcp6_put(&o, D6O_ORO, oro, 2 * m->noro);
	if (m->has_fqdn) {
		size_t mark = dhcp6_open(&o, D6O_CLIENT_FQDN);

		dhcp6_put_bytes(&o, &m->fqdn_flags, 1);
		/* A parsed name is always one, unless a partial name was too
		 * long to carry its root label too: text + 2 wire bytes. */
		if (fqdn[0] && (dhcp6_put_name(&o, fqdn) == 0) != (strlen(fqdn) + 2 <= 255))
			abort();
		dhcp6_close(&o, mark);
		if (fqdn[0] && strlen(fqdn) + 2 <= 255 &&
		    dhcp6_put_domain_list(&o, D6O_DOMAIN_LIST, &fqdn, 1) < 0)
			abort();
	}
	if (m->rapid_commit)
		dhcp6_put(&o, D6O_RAPID_COMMIT, NULL, 0);
	if (m->reconf_accept)
		dhcp6_put(&o, D6O_RECONF_ACCEPT, NULL, 0);
	dhcp6_put_status(&o, m->n_ia_pd ? D6S_NO_PREFIX_AVAIL : D6S_SUCCESS,
			 dhcp6_status_name(m->n_ia_pd ? D6S_NO_PREFIX_AVAIL : D6S_SUCCESS));
	if (o.len > cap)
		abort();
	*full = o.full;
	return o.len;
}

static bool same_ia(const struct dhcp6_ia *a, const struct dhcp6_ia *b)
{
	if (a->type != b->type || a->iaid != b->iaid || a->t1 != b->t1 || a->t2 != b->t2 ||
	    a->naddrs != b->naddrs)
		return false;
	for (size_t i = 0; i < a->naddrs; i++)
		if (memcmp(&a->addrs[i].addr, &b->addrs[i].addr, 16) != 0 ||
		    a->addrs[i].preferred != b->addrs[i].preferred ||
		    a->addrs[i].valid != b->addrs[i].valid)
			return false;
	return true;
}

/* The whole echo parses back to what it echoed. */
static void check_echo_parses(const uint8_t *p, size_t len, const struct dhcp6_msg *m)
{
	struct dhcp6_msg *back = malloc(sizeof(*back));
	const char *why;

	if (!back || dhcp6_parse(p, len, back, &why) < 0)
		abort();
	check_accepted(p, len, back);
	if (back->client_id_len != m->client_id_len ||
	    memcmp(back->client_id, m->client_id, m->client_id_len) != 0 ||
	    back->nias != m->nias ||
	    back->noro != m->noro || memcmp(back->oro, m->oro, sizeof(m->oro[0]) * m->noro) != 0 ||
	    back->has_fqdn != m->has_fqdn || back->rapid_commit != m->rapid_commit)
		abort();
	if (m->has_fqdn && strlen(m->fqdn) + 2 <= 255 && strcmp(back->fqdn, m->fqdn) != 0)
		abort();
	for (size_t i = 0; i < m->nias; i++)
		if (!same_ia(&back->ias[i], &m->ias[i]))
			abort();
	free(back);
}

static void build_all_sizes(const struct dhcp6_msg *m)
{
	uint8_t *whole = malloc(ECHO_MAX);
	bool full;
	size_t len;

	if (!whole)
		abort();
	len = build_echo(m, whole, ECHO_MAX, &full);
	if (full)
		abort();
	check_echo_parses(whole, len, m);
	for (size_t cap = 0; cap <= len; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1);
		size_t n;

		if (!buf)
			abort();
		n = build_echo(m, cap ? buf : NULL, cap, &full);
		if (cap < len ? !full : (full || n != len || memcmp(buf, whole, len) != 0))
			abort();
		free(buf);
	}
	free(whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct dhcp6_msg *m = malloc(sizeof(*m));
	const char *why = NULL;

	if (!copy || !m)
		abort();
	memcpy(copy, data, size);
	if (dhcp6_parse(copy, size, m, &why) == 0) {
		check_accepted(copy, size, m);
		build_all_sizes(m);
	} else if (!why) {
		abort();
	}
	free(m);
	free(copy);
	return 0;
}
