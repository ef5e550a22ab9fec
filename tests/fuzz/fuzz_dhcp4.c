/*
 * fuzz_dhcp4 — feeds arbitrary bytes to dhcp4_handle(), the whole path a
 * received DHCPv4 packet takes: parsing, reservations, address choice,
 * lease commits and reply building.  Two fixed configurations (plain, and
 * authoritative with rapid commit, reservations, tagged options) are built
 * once; the lease table is rebuilt for every input, seeded with a few
 * leases, so each run is reproducible.  After each message the table must
 * be consistent and any reply must parse.  The low bits of the xid pick
 * the configuration, whether the ping check says "not checked yet",
 * whether offers are kept, and whether the free-address search runs over
 * the server's bitmaps (held, quarantined, reserved) or asks about each
 * address.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"
#include "dhcp/dhcp4.h"
#include "dhcp/dhcp4_reserved.h"
#include "conf/hostdb.h"
#include "lease/lease.h"

#define T0 1700000000

struct setup {
	struct config cfg;
	struct hostdb *hosts;
	struct dhcp4_reserved *reserved;
};

static const char *const confs[2] = {
	"dhcp-range=10.0.3.2,10.0.3.40,1h\n"
	"domain=lxc\n"
	"dhcp-lease-max=30\n",

	"dhcp-range=set:lan,10.0.3.2,10.0.3.40,10m\n"
	"domain=lxc\n"
	"dhcp-authoritative\n"
	"dhcp-rapid-commit\n"
	"dhcp-host=de:21:82:c6:a7:e1,10.0.3.7,web\n"
	"dhcp-host=id:01:02:03:04,10.0.3.8,infinite\n"
	"dhcp-host=printer,10.0.3.9\n"
	"dhcp-host=00:16:3e:00:00:01,ignore\n"
	"dhcp-option=3\n"
	"dhcp-option=6,0.0.0.0,192.0.2.53\n"
	"dhcp-option=tag:known,42,192.0.2.1\n"
	"dhcp-option-force=tag:lan,119,a.example,b.example\n",
};

static struct setup *setups[2];
/* One work area for every input, as the server keeps one: state left
 * behind by one message must not change the next one's outcome. */
static struct dhcp4_work *work;

static struct setup *get_setup(int which)
{
	struct error err;
	struct setup *s;

	if (setups[which])
		return setups[which];
	s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	config_init(&s->cfg);
	if (config_parse_text(&s->cfg, confs[which], strlen(confs[which]), "fuzz", &err) < 0 ||
	    config_validate(&s->cfg, &err) < 0 || !(s->hosts = hostdb_load(&s->cfg, &err))) {
		fprintf(stderr, "fuzz_dhcp4: config: %s\n", err.msg);
		abort();
	}
	s->reserved = dhcp4_reserved_new(&s->cfg, s->hosts);
	setups[which] = s;
	return s;
}

static bool probe_not_yet(void *arg, struct in_addr addr)
{
	(void)arg;
	(void)addr;
	return false;
}

static void seed_lease(struct lease_table *t, const char *addr, uint8_t last, time_t expires,
		       const char *name)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	lease_addr_parse(addr, &l.addr);
	l.htype = 1;
	l.hwlen = 6;
	memcpy(l.hwaddr, "\x00\x16\x3e\x00\x00", 5);
	l.hwaddr[5] = last;
	strcpy(l.hostname, name);
	l.expires = expires;
	if (lease_commit(t, &l, LEASE_EV_LOADED) < 0)
		abort();
}

struct walk {
	const struct lease_table *t;
	size_t n;
};

static void check_lease(void *ctx, const struct lease *l)
{
	struct walk *w = ctx;

	w->n++;
	if (!l->addr.v4.s_addr || lease_by_addr(w->t, l->addr) != l)
		abort();
	if (l->hostname[0] && (!config_valid_label(l->hostname) ||
			       lease_by_name(w->t, l->hostname, AF_UNSPEC) != l))
		abort();
}

static void check(const struct lease_table *t, const struct dhcp4_result *res)
{
	struct walk w = { t, 0 };

	lease_foreach(t, check_lease, &w);
	if (w.n != lease_count(t))
		abort();
	if (res->verdict == DHCP4_REPLY) {
		uint8_t copy[DHCP4_MAX_PACKET];
		struct dhcp4_packet *pkt = malloc(sizeof(*pkt));
		const char *why;

		if (!pkt || res->reply_len < DHCP4_MIN_REPLY || res->reply_len > DHCP4_MAX_PACKET)
			abort();
		memcpy(copy, res->reply, res->reply_len);
		copy[0] = DHCP4_BOOTREQUEST;
		if (dhcp4_parse(copy, res->reply_len, pkt, &why) < 0 ||
		    pkt->msg_type != res->reply_type)
			abort();
		free(pkt);
	}
	if (res->lease_changed && (res->verdict != DHCP4_REPLY || res->reply_type != DHCPACK))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct offer4_table *offers;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = size > 7 ? data[7] : 0;
	struct setup *s = get_setup(sel & 1);
	struct dhcp4_iface iface = { .ifindex = 3, .name = "lxcbr0", .naddrs = 1 };
	struct dhcp4_env env = { .cfg = &s->cfg, .hosts = s->hosts, .iface = &iface, .now = T0 };
	struct dhcp4_result *res = malloc(sizeof(*res));

	if (!work)
		work = dhcp4_work_new();
	env.work = work;
	/* Offers outlive a message, as in the server: kept from input to input. */
	if (!offers)
		offers = offer4_new();
	if (sel & 4)
		env.offers = offers;
	if (!res)
		abort();
	inet_pton(AF_INET, "10.0.3.1", &iface.addrs[0]);
	inet_pton(AF_INET, "255.255.255.0", &iface.netmasks[0]);
	env.leases = lease_table_new();
	/* As the server has them: the bitmaps the free-address search skips with. */
	if (sel & 8) {
		dhcp4_track_ranges(&s->cfg, env.leases);
		env.reserved = s->reserved;
	}
	seed_lease(env.leases, "10.0.3.7", 1, T0 + 100, "old");
	seed_lease(env.leases, "10.0.3.20", 2, T0 - 10, "");
	seed_lease(env.leases, "10.0.3.21", 3, 0, "forever");
	if (sel & 2) {
		env.probe_ok = probe_not_yet;
		env.probe_arg = NULL;
	}

	dhcp4_handle(&env, data, size, res);
	check(env.leases, res);
	/* Later on: some leases expired, the same message again. */
	env.now += 3000;
	lease_expire(env.leases, env.now);
	dhcp4_handle(&env, data, size, res);
	check(env.leases, res);

	lease_table_free(env.leases);
	free(res);
	return 0;
}
