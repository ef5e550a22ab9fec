/*
 * test_lease — the lease table: every index after each kind of change,
 * the commit rules (client moves, address taken, name stolen), what the
 * observers see and in which order, the generation that counts changes,
 * expiry order through the heap, quarantine, and a table of 100,000
 * leases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease/lease.h"
#include "core/util.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct in_addr ip_n(uint32_t host_order)
{
	struct in_addr a = { .s_addr = htonl(host_order) };

	return a;
}

/* A lease for MAC 00:16:3e:00:00:<mac>, optional client-id "01:<mac>" style. */
static struct lease mk(const char *addr, uint8_t mac, bool with_cid, const char *name,
		       time_t expires)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	l.addr = lease_addr4(ip(addr));
	l.htype = 1;
	l.hwlen = 6;
	l.hwaddr[0] = 0x00;
	l.hwaddr[1] = 0x16;
	l.hwaddr[2] = 0x3e;
	l.hwaddr[5] = mac;
	if (with_cid) {
		l.client_id_len = 7;
		l.client_id[0] = 1;
		memcpy(l.client_id + 1, l.hwaddr, 6);
	}
	if (name)
		str_copy(l.hostname, name, sizeof(l.hostname));
	l.expires = expires;
	return l;
}

/* ---- observer recording ------------------------------------------- */

struct seen {
	bool has_old, has_new;
	struct lease old, new;
	enum lease_event ev;
};

struct recorder {
	struct seen ev[64];
	size_t n;
	const struct lease_table *t;
	bool check_indexes;
};

static void record(void *ctx, const struct lease *old, const struct lease *new,
		   enum lease_event ev)
{
	struct recorder *r = ctx;
	struct seen *s;

	assert_true(r->n < ARRAY_SIZE(r->ev));
	s = &r->ev[r->n++];
	memset(s, 0, sizeof(*s));
	s->has_old = old != NULL;
	s->has_new = new != NULL;
	if (old)
		s->old = *old;
	if (new)
		s->new = *new;
	s->ev = ev;
	/* "Called after the indexes are updated": lookups agree with the event. */
	if (r->check_indexes) {
		if (new)
			assert_ptr_equal(lease_by_addr(r->t, new->addr), new);
		else
			assert_null(lease_by_addr(r->t, old->addr));
	}
}

static void expect_event(const struct recorder *r, size_t i, const char *old_addr,
			 const char *new_addr, enum lease_event ev)
{
	assert_true(i < r->n);
	assert_int_equal(r->ev[i].ev, ev);
	assert_int_equal(r->ev[i].has_old, old_addr != NULL);
	assert_int_equal(r->ev[i].has_new, new_addr != NULL);
	if (old_addr)
		assert_int_equal(r->ev[i].old.addr.v4.s_addr, ip(old_addr).s_addr);
	if (new_addr)
		assert_int_equal(r->ev[i].new.addr.v4.s_addr, ip(new_addr).s_addr);
}

/* ---- tests --------------------------------------------------------- */

static void test_indexes_after_commit(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease a = mk("10.0.3.3", 0xa1, true, "c1", 2000);
	struct lease b = mk("10.0.3.4", 0xb2, false, "Web", 0);
	const struct lease *l;

	(void)state;
	assert_int_equal(lease_commit(t, &a, LEASE_EV_GRANTED), 0);
	assert_int_equal(lease_commit(t, &b, LEASE_EV_GRANTED), 0);
	assert_int_equal(lease_count(t), 2);

	l = lease_by_addr(t, lease_addr4(ip("10.0.3.3")));
	assert_non_null(l);
	assert_string_equal(l->hostname, "c1");
	assert_ptr_equal(lease_by_client(t, a.client_id, a.client_id_len, 0, NULL, 0), l);
	/* a's identity is its client-id: its MAC alone does not name it. */
	assert_null(lease_by_client(t, NULL, 0, 1, a.hwaddr, 6));
	assert_ptr_equal(lease_by_hwaddr(t, AF_INET, 1, a.hwaddr, 6), l);
	assert_ptr_equal(lease_by_name(t, "C1", AF_UNSPEC), l);

	l = lease_by_addr(t, lease_addr4(ip("10.0.3.4")));
	assert_non_null(l);
	assert_ptr_equal(lease_by_client(t, NULL, 0, 1, b.hwaddr, 6), l);
	assert_null(lease_by_client(t, NULL, 0, 6, b.hwaddr, 6)); /* other htype */
	assert_ptr_equal(lease_by_name(t, "web", AF_UNSPEC), l);
	assert_ptr_equal(lease_by_name(t, "WEB", AF_UNSPEC), l);
	assert_null(lease_by_name(t, "we", AF_UNSPEC));
	assert_null(lease_by_name(t, "", AF_UNSPEC));
	assert_null(lease_by_addr(t, lease_addr4(ip("10.0.3.5"))));
	lease_table_free(t);
}

static void test_renew_changes_name_and_expiry(void **state)
{
	struct lease_table *t = lease_table_new();
	struct recorder r = { 0 };
	struct lease a = mk("10.0.3.3", 1, false, "old", 100);

	(void)state;
	lease_table_add_observer(t, record, &r);
	lease_commit(t, &a, LEASE_EV_GRANTED);
	assert_int_equal(lease_next_expiry(t), 100);
	str_copy(a.hostname, "new", sizeof(a.hostname));
	a.expires = 500;
	assert_int_equal(lease_commit(t, &a, LEASE_EV_RENEWED), 0);
	assert_int_equal(lease_count(t), 1);
	assert_null(lease_by_name(t, "old", AF_UNSPEC));
	assert_non_null(lease_by_name(t, "new", AF_UNSPEC));
	assert_int_equal(lease_next_expiry(t), 500);
	assert_int_equal(r.n, 2);
	expect_event(&r, 1, "10.0.3.3", "10.0.3.3", LEASE_EV_RENEWED);
	assert_string_equal(r.ev[1].old.hostname, "old");
	assert_string_equal(r.ev[1].new.hostname, "new");
	/* Renewed to "never expires": out of the heap. */
	a.expires = 0;
	lease_commit(t, &a, LEASE_EV_RENEWED);
	assert_int_equal(lease_next_expiry(t), 0);
	assert_int_equal(lease_expire(t, 1000000), 0);
	assert_int_equal(lease_count(t), 1);
	lease_table_free(t);
}

static void test_client_moves(void **state)
{
	struct lease_table *t = lease_table_new();
	struct recorder r = { .t = t, .check_indexes = true };
	struct lease a = mk("10.0.3.3", 7, true, "c7", 100);
	const struct lease *l;

	(void)state;
	lease_table_add_observer(t, record, &r);
	lease_commit(t, &a, LEASE_EV_GRANTED);
	a.addr = lease_addr4(ip("10.0.3.9"));
	assert_int_equal(lease_commit(t, &a, LEASE_EV_GRANTED), 0);
	assert_int_equal(lease_count(t), 1);
	assert_null(lease_by_addr(t, lease_addr4(ip("10.0.3.3"))));
	l = lease_by_addr(t, lease_addr4(ip("10.0.3.9")));
	assert_non_null(l);
	assert_ptr_equal(lease_by_client(t, a.client_id, a.client_id_len, 0, NULL, 0), l);
	assert_ptr_equal(lease_by_name(t, "c7", AF_UNSPEC), l);
	assert_ptr_equal(lease_by_hwaddr(t, AF_INET, 1, a.hwaddr, 6), l);
	assert_int_equal(r.n, 3);
	expect_event(&r, 0, NULL, "10.0.3.3", LEASE_EV_GRANTED);
	expect_event(&r, 1, "10.0.3.3", NULL, LEASE_EV_DISPLACED);
	expect_event(&r, 2, NULL, "10.0.3.9", LEASE_EV_GRANTED);
	/* The old lease left the heap with it. */
	assert_int_equal(lease_next_expiry(t), 100);
	assert_int_equal(lease_expire(t, 100), 1);
	assert_int_equal(lease_count(t), 0);
	lease_table_free(t);
}

static void test_address_taken_from_other_client(void **state)
{
	struct lease_table *t = lease_table_new();
	struct recorder r = { .t = t, .check_indexes = true };
	struct lease a = mk("10.0.3.3", 1, false, "one", 100);
	struct lease b = mk("10.0.3.3", 2, false, "two", 200);

	(void)state;
	lease_table_add_observer(t, record, &r);
	lease_commit(t, &a, LEASE_EV_GRANTED);
	assert_int_equal(lease_commit(t, &b, LEASE_EV_GRANTED), 0);
	assert_int_equal(lease_count(t), 1);
	assert_null(lease_by_client(t, NULL, 0, 1, a.hwaddr, 6));
	assert_null(lease_by_hwaddr(t, AF_INET, 1, a.hwaddr, 6));
	assert_null(lease_by_name(t, "one", AF_UNSPEC));
	assert_non_null(lease_by_name(t, "two", AF_UNSPEC));
	assert_int_equal(r.n, 3);
	expect_event(&r, 1, "10.0.3.3", NULL, LEASE_EV_DISPLACED);
	assert_string_equal(r.ev[1].old.hostname, "one");
	expect_event(&r, 2, NULL, "10.0.3.3", LEASE_EV_GRANTED);
	assert_string_equal(r.ev[2].new.hostname, "two");
	assert_int_equal(lease_next_expiry(t), 200);
	lease_table_free(t);
}

static void test_name_stolen_by_latest_commit(void **state)
{
	struct lease_table *t = lease_table_new();
	struct recorder r = { .t = t, .check_indexes = true };
	struct lease a = mk("10.0.3.3", 1, false, "web", 100);
	struct lease b = mk("10.0.3.4", 2, false, "WEB", 100);
	const struct lease *la, *lb;

	(void)state;
	lease_table_add_observer(t, record, &r);
	lease_commit(t, &a, LEASE_EV_GRANTED);
	lease_commit(t, &b, LEASE_EV_GRANTED);
	la = lease_by_addr(t, lease_addr4(ip("10.0.3.3")));
	lb = lease_by_addr(t, lease_addr4(ip("10.0.3.4")));
	assert_non_null(la); /* the loser keeps its address */
	assert_string_equal(la->hostname, "");
	assert_ptr_equal(lease_by_name(t, "web", AF_UNSPEC), lb);
	assert_int_equal(lease_count(t), 2);
	assert_int_equal(r.n, 3);
	expect_event(&r, 1, "10.0.3.3", "10.0.3.3", LEASE_EV_RENEWED);
	assert_string_equal(r.ev[1].old.hostname, "web");
	assert_string_equal(r.ev[1].new.hostname, "");
	expect_event(&r, 2, NULL, "10.0.3.4", LEASE_EV_GRANTED);
	/* The old holder renewing without a name does not take it back. */
	lease_commit(t, la, LEASE_EV_RENEWED);
	assert_ptr_equal(lease_by_name(t, "web", AF_UNSPEC), lease_by_addr(t, lease_addr4(ip("10.0.3.4"))));
	/* ... but asking for it again does. */
	a.expires = 300;
	lease_commit(t, &a, LEASE_EV_RENEWED);
	assert_ptr_equal(lease_by_name(t, "web", AF_UNSPEC), lease_by_addr(t, lease_addr4(ip("10.0.3.3"))));
	assert_string_equal(lease_by_addr(t, lease_addr4(ip("10.0.3.4")))->hostname, "");
	lease_table_free(t);
}

/* One commit that moves a client, steals a name and displaces another client. */
static void test_observer_order_compound_commit(void **state)
{
	struct lease_table *t = lease_table_new();
	struct recorder r = { .t = t, .check_indexes = true };
	struct recorder r2 = { 0 };
	struct lease x = mk("10.0.3.10", 1, true, "x", 100);
	struct lease y = mk("10.0.3.20", 2, true, "y", 100);
	struct lease z = mk("10.0.3.30", 3, true, "db", 100);

	(void)state;
	lease_commit(t, &x, LEASE_EV_GRANTED);
	lease_commit(t, &y, LEASE_EV_GRANTED);
	lease_commit(t, &z, LEASE_EV_GRANTED);
	lease_table_add_observer(t, record, &r);
	lease_table_add_observer(t, record, &r2);
	/* x moves onto y's address and takes z's name. */
	x.addr = lease_addr4(ip("10.0.3.20"));
	str_copy(x.hostname, "db", sizeof(x.hostname));
	assert_int_equal(lease_commit(t, &x, LEASE_EV_GRANTED), 0);
	assert_int_equal(r.n, 4);
	expect_event(&r, 0, "10.0.3.10", NULL, LEASE_EV_DISPLACED);
	expect_event(&r, 1, "10.0.3.20", NULL, LEASE_EV_DISPLACED);
	assert_int_equal(r.ev[1].old.hwaddr[5], 2);
	expect_event(&r, 2, "10.0.3.30", "10.0.3.30", LEASE_EV_RENEWED);
	assert_string_equal(r.ev[2].new.hostname, "");
	expect_event(&r, 3, NULL, "10.0.3.20", LEASE_EV_GRANTED);
	assert_int_equal(r.ev[3].new.hwaddr[5], 1);
	/* The second observer saw the same steps. */
	assert_int_equal(r2.n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(r2.ev[i].ev, r.ev[i].ev);
	assert_int_equal(lease_count(t), 2);
	assert_null(lease_by_name(t, "y", AF_UNSPEC));
	assert_null(lease_by_name(t, "x", AF_UNSPEC));
	lease_table_free(t);
}

static void test_remove_and_release(void **state)
{
	struct lease_table *t = lease_table_new();
	struct recorder r = { .t = t, .check_indexes = true };
	struct lease a = mk("10.0.3.3", 1, true, "a", 100);

	(void)state;
	lease_table_add_observer(t, record, &r);
	assert_int_equal(lease_remove(t, lease_addr4(ip("10.0.3.3")), LEASE_EV_RELEASED), -1);
	assert_int_equal(r.n, 0);
	lease_commit(t, &a, LEASE_EV_GRANTED);
	assert_int_equal(lease_remove(t, lease_addr4(ip("10.0.3.3")), LEASE_EV_RELEASED), 0);
	expect_event(&r, 1, "10.0.3.3", NULL, LEASE_EV_RELEASED);
	assert_string_equal(r.ev[1].old.hostname, "a");
	assert_int_equal(lease_count(t), 0);
	assert_null(lease_by_name(t, "a", AF_UNSPEC));
	assert_null(lease_by_client(t, a.client_id, a.client_id_len, 0, NULL, 0));
	assert_null(lease_by_hwaddr(t, AF_INET, 1, a.hwaddr, 6));
	assert_int_equal(lease_next_expiry(t), 0);
	lease_table_free(t);
}

/*
 * The generation moves with every change observers see (the DNS zones'
 * SOA serial is built on it), and with nothing else: not a lookup, not a
 * refused commit or removal.
 */
static void test_generation(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease a = mk("10.0.3.3", 1, false, "a", 100);
	struct lease b = mk("10.0.3.4", 2, false, "a", 0);
	uint32_t g = lease_table_generation(t);

	(void)state;
	assert_int_equal(lease_table_generation(NULL), 0);
	assert_int_equal(lease_commit(t, &a, LEASE_EV_GRANTED), 0);
	assert_true(lease_table_generation(t) != g);
	g = lease_table_generation(t);
	assert_non_null(lease_by_name(t, "a", AF_UNSPEC));
	assert_int_equal(lease_remove(t, lease_addr4(ip("10.0.3.9")), LEASE_EV_RELEASED), -1);
	a.addr.v4.s_addr = 0;
	assert_int_equal(lease_commit(t, &a, LEASE_EV_GRANTED), -1);
	assert_int_equal(lease_table_generation(t), g);
	/* b takes a's name: two changes (a renamed, b granted). */
	assert_int_equal(lease_commit(t, &b, LEASE_EV_GRANTED), 0);
	assert_int_equal(lease_table_generation(t), g + 2);
	g = lease_table_generation(t);
	assert_int_equal(lease_expire(t, 100), 1);
	assert_int_equal(lease_table_generation(t), g + 1);
	assert_int_equal(lease_remove(t, lease_addr4(ip("10.0.3.4")), LEASE_EV_RELEASED), 0);
	assert_int_equal(lease_table_generation(t), g + 2);
	lease_table_free(t);
}

static void test_shared_hwaddr(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease a = mk("10.0.3.3", 1, true, NULL, 0);
	struct lease b = mk("10.0.3.4", 1, false, NULL, 0);
	const struct lease *l;

	(void)state;
	/* Same MAC, one with a client-id and one without: two clients. */
	lease_commit(t, &a, LEASE_EV_GRANTED);
	lease_commit(t, &b, LEASE_EV_GRANTED);
	assert_int_equal(lease_count(t), 2);
	l = lease_by_hwaddr(t, AF_INET, 1, a.hwaddr, 6);
	assert_non_null(l);
	assert_true(l->addr.v4.s_addr == a.addr.v4.s_addr || l->addr.v4.s_addr == b.addr.v4.s_addr);
	lease_remove(t, a.addr, LEASE_EV_RELEASED);
	l = lease_by_hwaddr(t, AF_INET, 1, a.hwaddr, 6);
	assert_non_null(l);
	assert_int_equal(l->addr.v4.s_addr, b.addr.v4.s_addr);
	lease_remove(t, b.addr, LEASE_EV_RELEASED);
	assert_null(lease_by_hwaddr(t, AF_INET, 1, a.hwaddr, 6));
	lease_table_free(t);
}

static void test_no_identity_leases_coexist(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease a = mk("10.0.3.3", 1, false, NULL, 0);
	struct lease b = mk("10.0.3.4", 2, false, NULL, 0);

	(void)state;
	/* dnsmasq writes "01-" for a lease without hardware address. */
	a.hwlen = b.hwlen = 0;
	lease_commit(t, &a, LEASE_EV_LOADED);
	lease_commit(t, &b, LEASE_EV_LOADED);
	assert_int_equal(lease_count(t), 2);
	assert_null(lease_by_client(t, NULL, 0, 1, NULL, 0));
	lease_table_free(t);
}

static void test_malformed_commit_changes_nothing(void **state)
{
	struct lease_table *t = lease_table_new();
	struct recorder r = { 0 };
	struct lease ok = mk("10.0.3.3", 1, false, "ok", 0);
	struct lease bad;

	(void)state;
	lease_commit(t, &ok, LEASE_EV_GRANTED);
	lease_table_add_observer(t, record, &r);
	bad = mk("0.0.0.0", 2, false, NULL, 0);
	assert_int_equal(lease_commit(t, &bad, LEASE_EV_GRANTED), -1);
	bad = mk("10.0.3.3", 1, false, NULL, 0);
	bad.hwlen = LEASE_HWADDR_MAX + 1;
	assert_int_equal(lease_commit(t, &bad, LEASE_EV_GRANTED), -1);
	bad = mk("10.0.3.3", 1, false, NULL, 0);
	memset(bad.hostname, 'a', sizeof(bad.hostname)); /* no NUL */
	assert_int_equal(lease_commit(t, &bad, LEASE_EV_GRANTED), -1);
	assert_int_equal(lease_commit(t, NULL, LEASE_EV_GRANTED), -1);
	assert_int_equal(r.n, 0);
	assert_int_equal(lease_count(t), 1);
	assert_string_equal(lease_by_addr(t, lease_addr4(ip("10.0.3.3")))->hostname, "ok");
	lease_table_free(t);
}

/* No fixed number of observers: each of 12 hears every change, in the order added. */
static size_t order_log[16];
static size_t order_n;

static void note_order(void *ctx, const struct lease *old, const struct lease *new,
		       enum lease_event ev)
{
	(void)old;
	(void)new;
	(void)ev;
	assert_true(order_n < ARRAY_SIZE(order_log));
	order_log[order_n++] = (size_t)(uintptr_t)ctx;
}

static void test_observers_unlimited(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease a = mk("10.0.3.5", 1, false, "c1", 100);

	(void)state;
	order_n = 0;
	for (uintptr_t i = 0; i < 12; i++)
		assert_int_equal(lease_table_add_observer(t, note_order, (void *)i), 0);
	assert_int_equal(lease_table_add_observer(t, NULL, NULL), -1);
	assert_int_equal(lease_commit(t, &a, LEASE_EV_GRANTED), 0);
	assert_int_equal(order_n, 12);
	for (size_t i = 0; i < 12; i++)
		assert_int_equal(order_log[i], i);
	lease_table_free(t);
}

struct expiry_check {
	time_t last;
	time_t now;
	size_t n;
};

static void check_expired(void *ctx, const struct lease *old, const struct lease *new,
			  enum lease_event ev)
{
	struct expiry_check *c = ctx;

	assert_int_equal(ev, LEASE_EV_EXPIRED);
	assert_null(new);
	assert_true(old->expires != 0);
	assert_true(old->expires <= c->now);
	assert_true(old->expires >= c->last); /* earliest first */
	c->last = old->expires;
	c->n++;
}

static void test_expiry_order_random(void **state)
{
	struct lease_table *t = lease_table_new();
	struct expiry_check c = { 0 };
	size_t never = 0, total = 5000;

	(void)state;
	srand(42);
	for (uint32_t i = 0; i < total; i++) {
		struct lease l = mk("10.0.0.1", 0, false, NULL, 0);

		l.addr = lease_addr4(ip_n(0x0a000001 + i));
		l.hwaddr[3] = (uint8_t)(i >> 8);
		l.hwaddr[4] = (uint8_t)i;
		l.expires = rand() % 10 == 0 ? 0 : 1000 + rand() % 100000;
		if (l.expires == 0)
			never++;
		assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), 0);
	}
	/* Renew a few to later and earlier times: the heap must follow. */
	for (uint32_t i = 0; i < total; i += 97) {
		struct lease l = *lease_by_addr(t, lease_addr4(ip_n(0x0a000001 + i)));

		l.expires = l.expires ? l.expires + 50000 : 0;
		lease_commit(t, &l, LEASE_EV_RENEWED);
	}
	{
		struct lease l = *lease_by_addr(t, lease_addr4(ip_n(0x0a000001 + 1)));

		if (l.expires == 0)
			never--;
		l.expires = 500;
		lease_commit(t, &l, LEASE_EV_RENEWED);
	}
	assert_int_equal(lease_next_expiry(t), 500);
	lease_table_add_observer(t, check_expired, &c);
	for (time_t now = 0; now < 200000; now += 777) {
		c.now = now;
		lease_expire(t, now);
		assert_true(lease_next_expiry(t) == 0 || lease_next_expiry(t) > now);
	}
	assert_int_equal(lease_count(t), never);
	assert_int_equal(c.n + lease_count(t), total);
	assert_int_equal(lease_next_expiry(t), 0);
	lease_table_free(t);
}

static void test_quarantine(void **state)
{
	struct lease_table *t = lease_table_new();

	(void)state;
	assert_false(lease_is_quarantined(t, lease_addr4(ip("10.0.3.7")), 0));
	lease_quarantine(t, lease_addr4(ip("10.0.3.7")), 1000);
	assert_true(lease_is_quarantined(t, lease_addr4(ip("10.0.3.7")), 999));
	assert_false(lease_is_quarantined(t, lease_addr4(ip("10.0.3.7")), 1000));
	assert_false(lease_is_quarantined(t, lease_addr4(ip("10.0.3.8")), 0));
	/* Quarantined again: the new time holds. */
	lease_quarantine(t, lease_addr4(ip("10.0.3.7")), 3000);
	assert_true(lease_is_quarantined(t, lease_addr4(ip("10.0.3.7")), 2000));
	/* Many entries, then time passes and the stale ones are purged. */
	for (uint32_t i = 0; i < 1000; i++)
		lease_quarantine(t, lease_addr4(ip_n(0x0a010000 + i)), 2000 + i);
	for (uint32_t i = 0; i < 1000; i++)
		assert_true(lease_is_quarantined(t, lease_addr4(ip_n(0x0a010000 + i)), 1999));
	lease_expire(t, 2500);
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(lease_is_quarantined(t, lease_addr4(ip_n(0x0a010000 + i)), 2500), i > 500);
	assert_true(lease_is_quarantined(t, lease_addr4(ip("10.0.3.7")), 2500));
	lease_expire(t, 5000);
	assert_false(lease_is_quarantined(t, lease_addr4(ip("10.0.3.7")), 5000));
	assert_false(lease_is_quarantined(t, lease_addr4(ip_n(0x0a010000 + 999)), 5000));
	/* Still usable after the purge. */
	lease_quarantine(t, lease_addr4(ip("10.0.3.9")), 6000);
	assert_true(lease_is_quarantined(t, lease_addr4(ip("10.0.3.9")), 5500));
	lease_table_free(t);
}

struct counter {
	size_t n;
	uint64_t sum;
};

static void count_visit(void *ctx, const struct lease *l)
{
	struct counter *c = ctx;

	c->n++;
	c->sum += ntohl(l->addr.v4.s_addr);
}

static void test_many_leases(void **state)
{
	struct lease_table *t = lease_table_new();
	const uint32_t n = 100000, base = 0x0a100000;
	struct counter c = { 0 };
	uint64_t sum = 0;
	char name[32];

	(void)state;
	for (uint32_t i = 0; i < n; i++) {
		struct lease l = mk("10.0.0.1", 0, i % 2 == 0, NULL, 1000 + (time_t)(i % 5000));

		l.addr = lease_addr4(ip_n(base + i));
		memcpy(l.hwaddr + 2, &i, sizeof(i));
		if (l.client_id_len)
			memcpy(l.client_id + 1, l.hwaddr, 6);
		snprintf(l.hostname, sizeof(l.hostname), "host-%u", i);
		assert_int_equal(lease_commit(t, &l, LEASE_EV_GRANTED), 0);
		sum += base + i;
	}
	assert_int_equal(lease_count(t), n);
	for (uint32_t i = 0; i < n; i++) {
		const struct lease *l = lease_by_addr(t, lease_addr4(ip_n(base + i)));
		uint8_t hw[6] = { 0x00, 0x16 };

		memcpy(hw + 2, &i, sizeof(i));
		assert_non_null(l);
		snprintf(name, sizeof(name), "HOST-%u", i);
		assert_ptr_equal(lease_by_name(t, name, AF_UNSPEC), l);
		assert_ptr_equal(lease_by_hwaddr(t, AF_INET, 1, hw, 6), l);
		if (i % 2 == 0)
			assert_ptr_equal(lease_by_client(t, l->client_id, 7, 0, NULL, 0), l);
		else
			assert_ptr_equal(lease_by_client(t, NULL, 0, 1, hw, 6), l);
	}
	lease_foreach(t, count_visit, &c);
	assert_int_equal(c.n, n);
	assert_int_equal(c.sum, sum);
	for (uint32_t i = 0; i < n; i += 2)
		assert_int_equal(lease_remove(t, lease_addr4(ip_n(base + i)), LEASE_EV_RELEASED), 0);
	assert_int_equal(lease_count(t), n / 2);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(lease_by_addr(t, lease_addr4(ip_n(base + i))) != NULL, i % 2 == 1);
	assert_int_equal(lease_expire(t, 1000 + 5000), n / 2);
	assert_int_equal(lease_count(t), 0);
	lease_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_indexes_after_commit),
		cmocka_unit_test(test_renew_changes_name_and_expiry),
		cmocka_unit_test(test_client_moves),
		cmocka_unit_test(test_address_taken_from_other_client),
		cmocka_unit_test(test_name_stolen_by_latest_commit),
		cmocka_unit_test(test_observer_order_compound_commit),
		cmocka_unit_test(test_remove_and_release),
		cmocka_unit_test(test_generation),
		cmocka_unit_test(test_shared_hwaddr),
		cmocka_unit_test(test_no_identity_leases_coexist),
		cmocka_unit_test(test_malformed_commit_changes_nothing),
		cmocka_unit_test(test_observers_unlimited),
		cmocka_unit_test(test_expiry_order_random),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_many_leases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
