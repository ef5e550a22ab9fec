/*
 * test_script — --dhcp-script without processes: which events a lease
 * change makes (dnsmasq 2.90's add/old/del and the separate "old" for a
 * lost name), the record that carries an event to the helper (round trip,
 * every kind of damage refused), the program's arguments and DNSMASQ_*
 * variables as dnsmasq sets them, a hostname that is not a DNS label
 * never passed (and a real helper that does not run the program for it,
 * logging one line why), the environment a run gets, and the walk over
 * --leasefile-ro "init" output (good, expired and bad lines).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "lease/script.h"
#include "lease/script_event.h"
#include "core/util.h"

#define NOW 1700000000

static struct lease make_lease(const char *ip, const char *name, time_t expires)
{
	static const uint8_t mac[] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
	struct lease l;

	memset(&l, 0, sizeof(l));
	assert_true(lease_addr_parse(ip, &l.addr));
	l.htype = 1;
	l.hwlen = sizeof(mac);
	memcpy(l.hwaddr, mac, sizeof(mac));
	l.client_id_len = 7;
	l.client_id[0] = 1;
	memcpy(l.client_id + 1, mac, sizeof(mac));
	str_copy(l.hostname, name, sizeof(l.hostname));
	l.expires = expires;
	return l;
}

/* The variable NAME's value in ex, or NULL. */
static const char *var(const struct script_exec *ex, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < ex->nvars; i++)
		if (strncmp(ex->vars[i], name, n) == 0 && ex->vars[i][n] == '=')
			return ex->vars[i] + n + 1;
	return NULL;
}

static size_t argc_of(const struct script_exec *ex)
{
	size_t n = 0;

	while (ex->argv[n])
		n++;
	return n;
}

/* ---- events ------------------------------------------------------------ */

static void test_new_lease_is_add(void **state)
{
	struct lease l = make_lease("10.0.3.5", "c1", NOW + 3600);
	struct script_event ev[2];

	(void)state;
	assert_int_equal(script_events_for_change(NULL, &l, LEASE_EV_GRANTED, NOW, ev), 1);
	assert_int_equal(ev[0].action, SCRIPT_ADD);
	assert_int_equal(ev[0].flags, 0);
	assert_int_equal(ev[0].remaining, 3600);
	assert_int_equal(ev[0].expires, NOW + 3600);
	assert_string_equal(ev[0].hostname, "c1");
	assert_int_equal(ev[0].addr.s_addr, l.addr.v4.s_addr);
	assert_int_equal(ev[0].client_id_len, 7);
}

static void test_removal_is_del_for_every_reason(void **state)
{
	static const enum lease_event why[] = {
		LEASE_EV_RELEASED, LEASE_EV_EXPIRED, LEASE_EV_DECLINED, LEASE_EV_DISPLACED,
	};
	struct lease l = make_lease("10.0.3.5", "c1", NOW + 10);
	struct script_event ev[2];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(why); i++) {
		assert_int_equal(script_events_for_change(&l, NULL, why[i], NOW, ev), 1);
		assert_int_equal(ev[0].action, SCRIPT_DEL);
		assert_string_equal(ev[0].hostname, "c1");
		/* dnsmasq 2.90 sets DNSMASQ_DATA_MISSING on every "del". */
		assert_int_equal(ev[0].flags, SCRIPT_F_DATA_MISSING);
	}
	assert_int_equal(script_events_for_change(NULL, NULL, LEASE_EV_EXPIRED, NOW, ev), 0);
}

static void test_loaded_is_old_with_data_missing(void **state)
{
	struct lease l = make_lease("10.0.3.5", "c1", 0);
	struct script_event ev[2];

	(void)state;
	assert_int_equal(script_events_for_change(NULL, &l, LEASE_EV_LOADED, NOW, ev), 1);
	assert_int_equal(ev[0].action, SCRIPT_OLD);
	assert_int_equal(ev[0].flags, SCRIPT_F_DATA_MISSING);
	assert_int_equal(ev[0].remaining, 0); /* infinite: no time remaining */
	assert_int_equal(ev[0].expires, 0);
}

static void test_renewal_is_old(void **state)
{
	struct lease a = make_lease("10.0.3.5", "c1", NOW + 100);
	struct lease b = make_lease("10.0.3.5", "c1", NOW + 3600);
	struct script_event ev[2];

	(void)state;
	assert_int_equal(script_events_for_change(&a, &b, LEASE_EV_RENEWED, NOW, ev), 1);
	assert_int_equal(ev[0].action, SCRIPT_OLD);
	assert_int_equal(ev[0].flags, 0);
	assert_int_equal(ev[0].expires, NOW + 3600);
	/* Even a renewal that changes nothing is reported. */
	assert_int_equal(script_events_for_change(&b, &b, LEASE_EV_RENEWED, NOW, ev), 1);
	assert_int_equal(ev[0].action, SCRIPT_OLD);
}

static void test_name_change_announces_lost_name_first(void **state)
{
	struct lease a = make_lease("10.0.3.5", "old1", NOW + 100);
	struct lease b = make_lease("10.0.3.5", "new1", NOW + 100);
	struct lease c = make_lease("10.0.3.5", "", NOW + 100);
	struct script_event ev[2];

	(void)state;
	assert_int_equal(script_events_for_change(&a, &b, LEASE_EV_RENEWED, NOW, ev), 2);
	assert_int_equal(ev[0].action, SCRIPT_OLD_HOSTNAME);
	assert_string_equal(ev[0].hostname, "old1");
	assert_int_equal(ev[1].action, SCRIPT_OLD);
	assert_string_equal(ev[1].hostname, "new1");
	/* Losing the name (another lease took it): the same two events. */
	assert_int_equal(script_events_for_change(&a, &c, LEASE_EV_RENEWED, NOW, ev), 2);
	assert_int_equal(ev[0].action, SCRIPT_OLD_HOSTNAME);
	assert_string_equal(ev[0].hostname, "old1");
	assert_int_equal(ev[1].action, SCRIPT_OLD);
	assert_string_equal(ev[1].hostname, "");
	/* Gaining a name loses none. */
	assert_int_equal(script_events_for_change(&c, &b, LEASE_EV_RENEWED, NOW, ev), 1);
	assert_int_equal(ev[0].action, SCRIPT_OLD);
}

/* ---- records ------------------------------------------------------------ */

static void encoded(const struct lease *l, uint8_t *buf, struct script_event *ev)
{
	assert_int_equal(script_events_for_change(NULL, l, LEASE_EV_GRANTED, NOW, ev), 1);
	str_copy(ev->interface, "lxcbr0", sizeof(ev->interface));
	assert_int_equal(script_event_encode(ev, buf, SCRIPT_RECORD_SIZE), (int)SCRIPT_RECORD_SIZE);
}

static void test_record_round_trip(void **state)
{
	struct lease l = make_lease("10.0.3.5", "c1", NOW + 60);
	uint8_t buf[SCRIPT_RECORD_SIZE];
	struct script_event ev[2], back;
	const char *why = "unset";

	(void)state;
	encoded(&l, buf, ev);
	assert_int_equal(script_event_decode(buf, sizeof(buf), &back, &why), 0);
	assert_null(why);
	assert_memory_equal(&back, &ev[0], sizeof(back));
	assert_string_equal(back.interface, "lxcbr0");
	/* A short buffer is refused by encode. */
	assert_int_equal(script_event_encode(&ev[0], buf, sizeof(buf) - 1), -1);
}

static void expect_bad(const uint8_t *buf, size_t len, const char *reason)
{
	struct script_event out;
	const char *why = NULL;

	assert_int_equal(script_event_decode(buf, len, &out, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

static void test_record_damage_refused(void **state)
{
	struct lease l = make_lease("10.0.3.5", "c1", NOW + 60);
	uint8_t good[SCRIPT_RECORD_SIZE + 1], buf[SCRIPT_RECORD_SIZE];
	struct script_event ev[2], bad;

	(void)state;
	encoded(&l, good, ev);
	expect_bad(good, SCRIPT_RECORD_SIZE - 1, "record of the wrong size");
	expect_bad(good, SCRIPT_RECORD_SIZE + 1, "record of the wrong size");
	expect_bad(good, 0, "record of the wrong size");

	bad = ev[0];
	bad.magic ^= 1;
	script_event_encode(&bad, buf, sizeof(buf));
	expect_bad(buf, sizeof(buf), "bad magic number");

	bad = ev[0];
	bad.action = 0;
	script_event_encode(&bad, buf, sizeof(buf));
	expect_bad(buf, sizeof(buf), "unknown action");
	bad.action = SCRIPT_OLD_HOSTNAME + 1;
	script_event_encode(&bad, buf, sizeof(buf));
	expect_bad(buf, sizeof(buf), "unknown action");

	bad = ev[0];
	bad.flags = 0x80;
	script_event_encode(&bad, buf, sizeof(buf));
	expect_bad(buf, sizeof(buf), "unknown flags");

	bad = ev[0];
	bad.hwlen = LEASE_HWADDR_MAX + 1;
	script_event_encode(&bad, buf, sizeof(buf));
	expect_bad(buf, sizeof(buf), "hardware address too long");

	bad = ev[0];
	bad.addr.s_addr = 0;
	script_event_encode(&bad, buf, sizeof(buf));
	expect_bad(buf, sizeof(buf), "no address");

	bad = ev[0];
	memset(bad.hostname, 'a', sizeof(bad.hostname));
	script_event_encode(&bad, buf, sizeof(buf));
	expect_bad(buf, sizeof(buf), "hostname not terminated");

	bad = ev[0];
	memset(bad.interface, 'b', sizeof(bad.interface));
	script_event_encode(&bad, buf, sizeof(buf));
	expect_bad(buf, sizeof(buf), "interface name not terminated");

	bad = ev[0];
	bad.action = SCRIPT_OLD_HOSTNAME;
	bad.hostname[0] = '\0';
	script_event_encode(&bad, buf, sizeof(buf));
	expect_bad(buf, sizeof(buf), "name change without the old name");

	assert_int_equal(script_event_decode(NULL, SCRIPT_RECORD_SIZE, &bad, NULL), -1);
}

/* ---- arguments and environment ----------------------------------------- */

static const struct script_env_config env_lxc = { .domain = "lxc", .log_dhcp = false };

static void test_add_arguments_and_variables(void **state)
{
	struct lease l = make_lease("10.0.3.5", "c1", NOW + 3600);
	struct script_event ev[2];
	struct script_exec ex;

	(void)state;
	script_events_for_change(NULL, &l, LEASE_EV_GRANTED, NOW, ev);
	str_copy(ev[0].interface, "lxcbr0", sizeof(ev[0].interface));
	assert_int_equal(script_build_exec(&ev[0], "/usr/lib/x/hook.sh", &env_lxc, &ex), 0);
	assert_int_equal(argc_of(&ex), 5);
	assert_string_equal(ex.argv[0], "hook.sh");
	assert_string_equal(ex.argv[1], "add");
	assert_string_equal(ex.argv[2], "02:00:00:00:00:0a");
	assert_string_equal(ex.argv[3], "10.0.3.5");
	assert_string_equal(ex.argv[4], "c1");
	assert_string_equal(var(&ex, "DNSMASQ_CLIENT_ID"), "01:02:00:00:00:00:0a");
	assert_string_equal(var(&ex, "DNSMASQ_INTERFACE"), "lxcbr0");
	assert_string_equal(var(&ex, "DNSMASQ_LEASE_EXPIRES"), "1700003600");
	assert_string_equal(var(&ex, "DNSMASQ_TIME_REMAINING"), "3600");
	assert_string_equal(var(&ex, "DNSMASQ_DOMAIN"), "lxc");
	assert_null(var(&ex, "DNSMASQ_DATA_MISSING"));
	assert_null(var(&ex, "DNSMASQ_OLD_HOSTNAME"));
	assert_null(var(&ex, "DNSMASQ_LOG_DHCP"));
	assert_null(ex.vars[ex.nvars]);
}

/* An IPv6 lease: dnsmasq's DUID argument, DNSMASQ_IAID, DNSMASQ_SERVER_DUID, DNSMASQ_MAC. */
static void test_v6_arguments_and_variables(void **state)
{
	static const uint8_t duid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 0x0a };
	static const uint8_t server[] = { 0, 4, 0xaa, 0xbb };
	struct lease l = make_lease("fd42::5", "c1", NOW + 3600);
	struct script_event ev[2], back;
	struct script_exec ex;
	uint8_t rec[SCRIPT_RECORD_SIZE];
	const char *why;

	(void)state;
	memcpy(l.client_id, duid, sizeof(duid));
	l.client_id_len = sizeof(duid);
	l.iaid = 7;
	l.ia = LEASE_IA_NA;
	assert_int_equal(script_events_for_change(NULL, &l, LEASE_EV_GRANTED, NOW, ev), 1);
	memcpy(ev[0].server_duid, server, sizeof(server));
	ev[0].server_duid_len = sizeof(server);
	/* Through the helper's channel unchanged. */
	assert_int_equal(script_event_encode(&ev[0], rec, sizeof(rec)), (int)sizeof(rec));
	assert_int_equal(script_event_decode(rec, sizeof(rec), &back, &why), 0);
	assert_int_equal(script_build_exec(&back, "/x", &env_lxc, &ex), 0);
	assert_int_equal(argc_of(&ex), 5);
	assert_string_equal(ex.argv[1], "add");
	assert_string_equal(ex.argv[2], "00:03:00:01:02:00:00:00:00:0a");
	assert_string_equal(ex.argv[3], "fd42::5");
	assert_string_equal(ex.argv[4], "c1");
	assert_string_equal(var(&ex, "DNSMASQ_IAID"), "7");
	assert_string_equal(var(&ex, "DNSMASQ_SERVER_DUID"), "00:04:aa:bb");
	assert_string_equal(var(&ex, "DNSMASQ_MAC"), "02:00:00:00:00:0a");
	assert_null(var(&ex, "DNSMASQ_CLIENT_ID"));
	/* A temporary address: "T" before the IAID; the release: "del". */
	l.ia = LEASE_IA_TA;
	assert_int_equal(script_events_for_change(&l, NULL, LEASE_EV_RELEASED, NOW, ev), 1);
	assert_int_equal(script_build_exec(&ev[0], "/x", &env_lxc, &ex), 0);
	assert_string_equal(ex.argv[1], "del");
	assert_string_equal(var(&ex, "DNSMASQ_IAID"), "T7");
	assert_null(var(&ex, "DNSMASQ_SERVER_DUID")); /* not known to this event */
	/* A record naming neither family is refused. */
	back.family = 0;
	script_event_encode(&back, rec, sizeof(rec));
	assert_int_equal(script_event_decode(rec, sizeof(rec), &back, &why), -1);
	assert_string_equal(why, "unknown address family");
}

/* Bad names: never an argument or DNSMASQ_OLD_HOSTNAME of the program. */
static const char *const bad_names[] = {
	"a b", "x;reboot", "$(id)", "`id`", "a'b", "a\"b", "a\nb", "a\tb", "-rf", "web-",
	"_web", "web.lxc", "a/b", "*", "caf\xc3\xa9", "a\\b",
};

static void test_bad_hostname_not_passed(void **state)
{
	static const char *const good[] = {
		"c1", "Web-1", "web_1", "1c", "a23456789012345678901234567890123456789012345678901234567890123",
	};
	struct script_event ev[2];
	struct script_exec ex;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		struct lease l = make_lease("10.0.3.5", good[i], NOW + 60);

		script_events_for_change(NULL, &l, LEASE_EV_GRANTED, NOW, ev);
		assert_int_equal(script_build_exec(&ev[0], "/hook", &env_lxc, &ex), 0);
		assert_string_equal(ex.argv[4], good[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_names); i++) {
		struct lease l = make_lease("10.0.3.5", "c1", NOW + 60), renamed = l;

		/* For add, and as the lost name of a rename. */
		str_copy(l.hostname, bad_names[i], sizeof(l.hostname));
		script_events_for_change(NULL, &l, LEASE_EV_GRANTED, NOW, ev);
		if (script_build_exec(&ev[0], "/hook", &env_lxc, &ex) == 0)
			fail_msg("bad hostname \"%s\" passed as argument %s", bad_names[i],
				 ex.argv[4] ? ex.argv[4] : "(none)");
		assert_int_equal(script_events_for_change(&l, &renamed, LEASE_EV_RENEWED, NOW, ev), 2);
		assert_int_equal(ev[0].action, SCRIPT_OLD_HOSTNAME);
		assert_int_equal(script_build_exec(&ev[0], "/hook", &env_lxc, &ex), -1);
		assert_int_equal(script_build_exec(&ev[1], "/hook", &env_lxc, &ex), 0);
	}
}

static void test_unnamed_lease_without_client_id(void **state)
{
	struct lease l = make_lease("10.0.3.6", "", NOW + 60);
	struct script_event ev[2];
	struct script_exec ex;
	struct script_env_config logging = { .domain = "lxc", .log_dhcp = true };

	(void)state;
	l.client_id_len = 0;
	script_events_for_change(NULL, &l, LEASE_EV_GRANTED, NOW, ev);
	assert_int_equal(script_build_exec(&ev[0], "hook", &logging, &ex), 0);
	assert_int_equal(argc_of(&ex), 4); /* no hostname argument */
	assert_string_equal(ex.argv[0], "hook");
	assert_null(var(&ex, "DNSMASQ_CLIENT_ID"));
	assert_null(var(&ex, "DNSMASQ_INTERFACE"));
	/* No name, so no fully-qualified name, so no domain. */
	assert_null(var(&ex, "DNSMASQ_DOMAIN"));
	assert_string_equal(var(&ex, "DNSMASQ_LOG_DHCP"), "1");
}

static void test_del_and_loaded_variables(void **state)
{
	struct lease l = make_lease("10.0.3.5", "c1", NOW + 3600);
	struct script_event ev[2];
	struct script_exec ex;

	(void)state;
	script_events_for_change(&l, NULL, LEASE_EV_RELEASED, NOW, ev);
	assert_int_equal(script_build_exec(&ev[0], "/x", &env_lxc, &ex), 0);
	assert_string_equal(ex.argv[1], "del");
	assert_string_equal(ex.argv[4], "c1");
	assert_null(var(&ex, "DNSMASQ_TIME_REMAINING")); /* never for "del" */
	assert_string_equal(var(&ex, "DNSMASQ_LEASE_EXPIRES"), "1700003600");
	assert_string_equal(var(&ex, "DNSMASQ_DATA_MISSING"), "1");
	assert_string_equal(var(&ex, "DNSMASQ_DOMAIN"), "lxc");

	script_events_for_change(NULL, &l, LEASE_EV_LOADED, NOW, ev);
	assert_int_equal(script_build_exec(&ev[0], "/x", &env_lxc, &ex), 0);
	assert_string_equal(ex.argv[1], "old");
	assert_string_equal(var(&ex, "DNSMASQ_DATA_MISSING"), "1");
	assert_string_equal(var(&ex, "DNSMASQ_TIME_REMAINING"), "3600");

	/* An infinite lease expires "0" and has no time remaining. */
	l.expires = 0;
	script_events_for_change(NULL, &l, LEASE_EV_GRANTED, NOW, ev);
	assert_int_equal(script_build_exec(&ev[0], "/x", &env_lxc, &ex), 0);
	assert_string_equal(var(&ex, "DNSMASQ_LEASE_EXPIRES"), "0");
	assert_null(var(&ex, "DNSMASQ_TIME_REMAINING"));
}

static void test_old_hostname_event(void **state)
{
	struct lease a = make_lease("10.0.3.5", "ca", NOW + 60);
	struct lease b = make_lease("10.0.3.5", "cb", NOW + 60);
	struct script_event ev[2];
	struct script_exec ex;

	(void)state;
	assert_int_equal(script_events_for_change(&a, &b, LEASE_EV_RENEWED, NOW, ev), 2);
	/* dnsmasq: "old MAC IP" with DNSMASQ_OLD_HOSTNAME, then "old MAC IP new". */
	assert_int_equal(script_build_exec(&ev[0], "/x", &env_lxc, &ex), 0);
	assert_int_equal(argc_of(&ex), 4);
	assert_string_equal(ex.argv[1], "old");
	assert_string_equal(var(&ex, "DNSMASQ_OLD_HOSTNAME"), "ca");
	assert_string_equal(var(&ex, "DNSMASQ_DOMAIN"), "lxc");
	assert_int_equal(script_build_exec(&ev[1], "/x", &env_lxc, &ex), 0);
	assert_int_equal(argc_of(&ex), 5);
	assert_string_equal(ex.argv[4], "cb");
	assert_null(var(&ex, "DNSMASQ_OLD_HOSTNAME"));
}

static void test_hardware_types_and_domain_hash(void **state)
{
	struct lease l = make_lease("10.0.3.7", "tr", NOW + 60);
	struct script_event ev[2];
	struct script_exec ex;
	struct script_env_config hash = { .domain = "#" }, none = { .domain = NULL };

	(void)state;
	l.htype = 6; /* token ring, as in dnsmasq's manual: "06-01:23:45:67:89:ab" */
	script_events_for_change(NULL, &l, LEASE_EV_GRANTED, NOW, ev);
	assert_int_equal(script_build_exec(&ev[0], "/x", &hash, &ex), 0);
	assert_string_equal(ex.argv[2], "06-02:00:00:00:00:0a");
	/* "#" (resolv.conf's search domain) is not a domain leased knows. */
	assert_null(var(&ex, "DNSMASQ_DOMAIN"));
	assert_int_equal(script_build_exec(&ev[0], "/x", &none, &ex), 0);
	assert_null(var(&ex, "DNSMASQ_DOMAIN"));
	assert_int_equal(script_build_exec(&ev[0], "/x", NULL, &ex), 0);

	/* A client-id-only client: no hardware address. */
	l.htype = 0;
	l.hwlen = 0;
	script_events_for_change(NULL, &l, LEASE_EV_GRANTED, NOW, ev);
	assert_int_equal(script_build_exec(&ev[0], "/x", &env_lxc, &ex), 0);
	assert_string_equal(ex.argv[2], "00-");

	/* A damaged event builds nothing. */
	ev[0].action = 9;
	assert_int_equal(script_build_exec(&ev[0], "/x", &env_lxc, &ex), -1);
}

static void test_longest_values_fit(void **state)
{
	struct lease l = make_lease("255.255.255.255", "", INT32_MAX);
	struct script_event ev[2];
	struct script_exec ex;

	(void)state;
	memset(l.hostname, 'h', LEASE_NAME_MAX - 1);
	l.hostname[LEASE_NAME_MAX - 1] = '\0';
	l.hwlen = LEASE_HWADDR_MAX;
	l.htype = 32;
	l.client_id_len = LEASE_CLIENT_ID_MAX;
	memset(l.client_id, 0xff, LEASE_CLIENT_ID_MAX);
	script_events_for_change(NULL, &l, LEASE_EV_LOADED, 0, ev);
	memset(ev[0].interface, 'i', IF_NAMESIZE - 1);
	assert_int_equal(script_build_exec(&ev[0], "/a/very/long/path/to/the/hook", &(struct script_env_config){
		.domain = "a-rather-long-domain-name.example.org", .log_dhcp = true }, &ex), 0);
	assert_int_equal(strlen(var(&ex, "DNSMASQ_CLIENT_ID")), 3 * LEASE_CLIENT_ID_MAX - 1);
	assert_int_equal(strlen(ex.argv[4]), LEASE_NAME_MAX - 1);
}

static void test_compose_env_drops_stale_dnsmasq_vars(void **state)
{
	char *inherited[] = { (char *)"PATH=/bin", (char *)"DNSMASQ_OLD_HOSTNAME=stale",
			      (char *)"HOME=/root", (char *)"DNSMASQ_DOMAIN=x", NULL };
	char *vars[] = { (char *)"DNSMASQ_DOMAIN=lxc", NULL };
	char **env;

	(void)state;
	env = script_compose_env(inherited, vars);
	assert_string_equal(env[0], "PATH=/bin");
	assert_string_equal(env[1], "HOME=/root");
	assert_string_equal(env[2], "DNSMASQ_DOMAIN=lxc");
	assert_null(env[3]);
	free(env);
	env = script_compose_env(NULL, NULL);
	assert_null(env[0]);
	free(env);
}

/* ---- init output -------------------------------------------------------- */

struct seen {
	size_t n;
	size_t lineno[8];
	enum script_init_line kind[8];
	char ip[8][INET_ADDRSTRLEN];
	char why[8][80];
};

static void collect(void *ctx, size_t lineno, enum script_init_line kind,
		    const struct lease *l, const char *line, size_t len, const char *why)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	assert_non_null(line);
	(void)len;
	s->lineno[s->n] = lineno;
	s->kind[s->n] = kind;
	s->ip[s->n][0] = s->why[s->n][0] = '\0';
	if (l)
		inet_ntop(AF_INET, &l->addr.v4, s->ip[s->n], INET_ADDRSTRLEN);
	if (why)
		str_copy(s->why[s->n], why, sizeof(s->why[0]));
	s->n++;
}

static void test_parse_init(void **state)
{
	static const char out[] =
		"1700003600 02:00:00:00:00:0a 10.0.3.33 inithost 01:02:00:00:00:00:0a\n"
		"\n"
		"garbage line\n"
		"1000 02:00:00:00:00:0b 10.0.3.34 expired *\r\n"
		"duid 00:01:00:01:2c:aa:bb:cc:02:00:00:00:00:01\n"
		"0 02:00:00:00:00:0c 10.0.3.35 * *"; /* no final newline; infinite */
	struct seen s = { 0 };
	char *copy = malloc(sizeof(out) - 1);

	(void)state;
	memcpy(copy, out, sizeof(out) - 1); /* no NUL after it, for ASan */
	script_parse_init(copy, sizeof(out) - 1, NOW, collect, &s);
	free(copy);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.kind[0], SCRIPT_INIT_LEASE);
	assert_int_equal(s.lineno[0], 1);
	assert_string_equal(s.ip[0], "10.0.3.33");
	assert_int_equal(s.kind[1], SCRIPT_INIT_BAD);
	assert_int_equal(s.lineno[1], 3);
	assert_true(strlen(s.why[1]) > 0);
	assert_int_equal(s.kind[2], SCRIPT_INIT_EXPIRED);
	assert_int_equal(s.lineno[2], 4);
	assert_string_equal(s.ip[2], "10.0.3.34");
	assert_int_equal(s.kind[3], SCRIPT_INIT_LEASE);
	assert_int_equal(s.lineno[3], 6);
	assert_string_equal(s.ip[3], "10.0.3.35");

	s.n = 0;
	script_parse_init("", 0, NOW, collect, &s);
	script_parse_init(NULL, 10, NOW, collect, &s);
	assert_int_equal(s.n, 0);
}

/* ---- the daemon's queue, with a real helper and a script that hangs ---- */

/* An executable shell script at path: "#!/bin/sh" and the text. */
static void write_program(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void write_program(const char *path, const char *fmt, ...)
{
	FILE *f = fopen(path, "w");
	va_list ap;

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static void test_queue_is_bounded_and_counts_drops(void **state)
{
	char dir[] = "/tmp/test_script.XXXXXX", path[64], pidfile[64], marker[64];
	struct error err = { 0 };
	struct script_config cfg = { .path = path };
	struct script_stats st;
	struct loop *loop;
	struct script *s;
	int total = SCRIPT_QUEUE_MAX + 2000;
	FILE *f;
	long pid = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hook", dir);
	snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
	snprintf(marker, sizeof(marker), "%s/done", dir);
	/* The first run hangs until killed; the later ones return at once. */
	write_program(path, "[ -e %s ] && exit 0\necho $$ > %s.tmp && mv %s.tmp %s\nexec sleep 60\n",
		      marker, pidfile, pidfile, pidfile);

	/* Relative paths are refused: dnsmasq does no PATH search. */
	cfg.path = "hook";
	assert_null(script_new(&cfg, (struct loop *)1, &err));
	assert_non_null(strstr(err.msg, "absolute"));
	cfg.path = path;

	loop = loop_new();
	assert_non_null(loop);
	err = (struct error){ 0 };
	s = script_new(&cfg, loop, &err);
	assert_non_null(s);
	script_start_events(s, NULL, 0);
	assert_int_equal(err.status, 0);
	for (int i = 0; i < total; i++) {
		struct lease l = make_lease("10.0.0.1", "", NOW + 60);

		l.addr.v4.s_addr = htonl(0x0a010000u + (uint32_t)i);
		script_lease_changed(s, NULL, &l, LEASE_EV_GRANTED);
	}
	script_get_stats(s, &st);

	/* Let the hung run go first (so a failed check leaves nothing behind);
	 * the helper then finishes what it has and exits. */
	for (int i = 0; i < 100 && !pid; i++) {
		f = fopen(pidfile, "r");
		if (f) {
			if (fscanf(f, "%ld", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		if (!pid)
			usleep(50 * 1000);
	}
	f = fopen(marker, "w");
	assert_non_null(f);
	fclose(f);
	if (pid > 0)
		kill((pid_t)pid, SIGKILL);
	assert_true(pid > 0);

	/* The socket holds some, the FIFO its bound; the rest are counted. */
	print_message("sent %llu, waiting %zu, dropped %llu\n", (unsigned long long)st.sent,
		      st.waiting, (unsigned long long)st.dropped);
	assert_true(st.sent > 0);
	assert_true(st.sent < 1000);
	assert_int_equal(st.waiting, SCRIPT_QUEUE_MAX);
	assert_int_equal(st.dropped, (uint64_t)total - st.sent - st.waiting);
	assert_int_equal(st.queued, st.sent + st.waiting);
	script_free(s);
	loop_free(loop);
	unlink(path);
	unlink(pidfile);
	unlink(marker);
	rmdir(dir);
}

/* ---- the helper refuses a bad name: not run, one line saying why ------- */

struct helper_run {
	struct loop *loop;
	struct loop_timer *poll;
	const char *out;
	int polls;
};

/* Quit once the script's output has the good event (or after 5 s). */
static void poll_output(void *ctx)
{
	struct helper_run *r = ctx;
	char *buf = NULL;
	size_t len = 0;
	bool done = read_whole_file(r->out, &buf, &len) == 0 && memmem(buf, len, "c2", 2);

	free(buf);
	if (done || ++r->polls == 100)
		loop_quit(r->loop, 0);
	else
		loop_timer_arm(r->poll, now_mono_ms() + 50);
}

static void test_helper_refuses_bad_hostname(void **state)
{
	static const char why[] = "not run for add 02:00:00:00:00:0a 10.0.3.6: hostname "
				  "\"x;touch /tmp/PWNED\" is not a DNS label";
	char dir[] = "/tmp/test_script.XXXXXX", path[64], out[64], logpath[64], *buf;
	struct error err = { 0 };
	struct script_config cfg = { .path = path };
	struct helper_run r = { .out = out };
	struct lease bad = make_lease("10.0.3.6", "c1", NOW + 60);
	struct lease good = make_lease("10.0.3.7", "c2", NOW + 60);
	struct script *s;
	size_t len, lines = 0;

	(void)state;
	str_copy(bad.hostname, "x;touch /tmp/PWNED", sizeof(bad.hostname));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hook", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	write_program(path, "echo \"$*\" >> %s\n", out);
	assert_int_equal(log_open("test_script", logpath), 0);

	r.loop = loop_new();
	assert_non_null(r.loop);
	r.poll = loop_timer_new(r.loop, poll_output, &r);
	s = script_new(&cfg, r.loop, &err);
	assert_non_null(s);
	script_start_events(s, NULL, 0);
	script_lease_changed(s, NULL, &bad, LEASE_EV_GRANTED);
	script_lease_changed(s, NULL, &good, LEASE_EV_GRANTED);
	loop_timer_arm(r.poll, now_mono_ms());
	assert_int_equal(loop_run(r.loop), 0);
	script_free(s);
	loop_timer_free(r.poll);
	loop_free(r.loop);
	log_close();

	/* The script ran for the good name only. */
	assert_int_equal(read_whole_file(out, &buf, &len), 0);
	assert_int_equal(len, strlen("add 02:00:00:00:00:0a 10.0.3.7 c2\n"));
	assert_memory_equal(buf, "add 02:00:00:00:00:0a 10.0.3.7 c2\n", len);
	free(buf);
	/* One line says which event was not run and why. */
	assert_int_equal(read_whole_file(logpath, &buf, &len), 0);
	for (const char *p = buf; (p = memmem(p, len - (size_t)(p - buf), "not run", 7)); p++)
		lines++;
	assert_int_equal(lines, 1);
	assert_non_null(memmem(buf, len, why, strlen(why)));
	free(buf);
	unlink(out);
	unlink(logpath);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_lease_is_add),
		cmocka_unit_test(test_removal_is_del_for_every_reason),
		cmocka_unit_test(test_loaded_is_old_with_data_missing),
		cmocka_unit_test(test_renewal_is_old),
		cmocka_unit_test(test_name_change_announces_lost_name_first),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_damage_refused),
		cmocka_unit_test(test_add_arguments_and_variables),
		cmocka_unit_test(test_v6_arguments_and_variables),
		cmocka_unit_test(test_bad_hostname_not_passed),
		cmocka_unit_test(test_unnamed_lease_without_client_id),
		cmocka_unit_test(test_del_and_loaded_variables),
		cmocka_unit_test(test_old_hostname_event),
		cmocka_unit_test(test_hardware_types_and_domain_hash),
		cmocka_unit_test(test_longest_values_fit),
		cmocka_unit_test(test_compose_env_drops_stale_dnsmasq_vars),
		cmocka_unit_test(test_parse_init),
		cmocka_unit_test(test_queue_is_bounded_and_counts_drops),
		cmocka_unit_test(test_helper_refuses_bad_hostname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
