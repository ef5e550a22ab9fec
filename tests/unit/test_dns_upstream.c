/*
 * test_dns_upstream — forwarding decisions with time passed in: routing
 * (domains, "//" for single labels), the mode (single labels all at once
 * unless --strict-order or a // route), order (strict, fastest, resting
 * last), the preferred server, and health: down only after a silence,
 * never because some queries go unanswered while others get replies;
 * the retry schedule; and that a candidate is always asked when every
 * server rests.  No sockets, no sleeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "dns/dns_upstream.h"

#define T0 1000000 /* an arbitrary monotonic start, in ms */

static struct dns_upstreams S;

/* Add a server: domain NULL (default), "" (//) or a domain. */
static int add(const char *domain)
{
	struct dns_upstream *u = &S.ups[S.n];

	memset(u, 0, sizeof(*u));
	u->addr.ss_family = AF_INET;
	u->unqualified = domain && !*domain;
	u->domain = domain && *domain ? (char *)domain : NULL;
	return (int)S.n++;
}

static void reset(bool strict)
{
	memset(&S, 0, sizeof(S));
	S.strict_order = strict;
}

static void plan(const char *qname, uint64_t now, struct dns_upstream_plan *p)
{
	dns_upstream_plan(&S, qname, now, p);
}

static void test_routes(void **state)
{
	struct dns_upstream_plan p;
	int def1, def2, corp, unq;

	(void)state;
	reset(false);
	def1 = add(NULL);
	corp = add("corp.test");
	def2 = add(NULL);
	plan("host.corp.test", T0, &p);
	assert_int_equal(p.ncand, 1);
	assert_int_equal(p.cand[0], corp);
	assert_int_equal(p.mode, DNS_UPSTREAM_IN_TURN);
	plan("www.example", T0, &p);
	assert_int_equal(p.ncand, 2);
	assert_int_equal(p.cand[0], def1);
	assert_int_equal(p.cand[1], def2);
	assert_int_equal(p.mode, DNS_UPSTREAM_IN_TURN);
	/* A single label to the default servers: all at once. */
	plan("web", T0, &p);
	assert_int_equal(p.ncand, 2);
	assert_int_equal(p.mode, DNS_UPSTREAM_ALL_AT_ONCE);
	/* With a // server, single labels go there only, dotted names never. */
	unq = add("");
	plan("web", T0, &p);
	assert_int_equal(p.ncand, 1);
	assert_int_equal(p.cand[0], unq);
	assert_int_equal(p.mode, DNS_UPSTREAM_IN_TURN);
	plan("www.example", T0, &p);
	assert_int_equal(p.ncand, 2);
	assert_true(p.cand[0] != unq && p.cand[1] != unq);
	/* A loop is never a candidate; with none left the name is REFUSED. */
	S.ups[unq].loop = true;
	plan("web", T0, &p);
	assert_int_equal(p.ncand, 2);
	reset(false);
	add("corp.test");
	plan("www.example", T0, &p);
	assert_int_equal(p.ncand, 0);
	assert_int_equal(p.preferred, -1);
}

static void test_single_label_modes(void **state)
{
	struct dns_upstream_plan p;

	(void)state;
	reset(true);
	add(NULL);
	add(NULL);
	plan("web", T0, &p);
	assert_int_equal(p.mode, DNS_UPSTREAM_IN_TURN); /* --strict-order walks */
	reset(false);
	add(NULL);
	plan("web", T0, &p);
	assert_int_equal(p.mode, DNS_UPSTREAM_IN_TURN); /* one server: nothing to race */
}

static void test_order_and_preferred(void **state)
{
	struct dns_upstream_plan p;
	int a, b;

	(void)state;
	reset(false);
	a = add(NULL);
	b = add(NULL);
	S.ups[a].srtt_ms = 40;
	S.ups[b].srtt_ms = 5;
	plan("www.example", T0, &p);
	assert_int_equal(p.cand[0], b);
	assert_int_equal(p.preferred, b);
	S.strict_order = true;
	plan("www.example", T0, &p);
	assert_int_equal(p.cand[0], a);
	assert_int_equal(p.preferred, a);
}

/* Unanswered tries alone do not make a server down: silence does. */
static void test_down_needs_silence(void **state)
{
	struct dns_upstream *u;

	(void)state;
	reset(true);
	u = &S.ups[add(NULL)];
	dns_upstream_sent(u, T0);
	dns_upstream_answered(u, T0, T0 + 10);
	/* An appliance that drops AAAA: tries time out, others get answers. */
	for (uint64_t t = T0 + 800; t < T0 + 60000; t += 800) {
		dns_upstream_sent(u, t - 800);
		assert_false(dns_upstream_timed_out(u, t));
		dns_upstream_sent(u, t);
		dns_upstream_answered(u, t, t + 20);
		assert_false(dns_upstream_is_down(u, t + 20));
	}
	/* Two timeouts, but heard from 2 s ago: not down yet. */
	reset(true);
	u = &S.ups[add(NULL)];
	dns_upstream_sent(u, T0);
	dns_upstream_answered(u, T0, T0 + 5);
	dns_upstream_sent(u, T0 + 1000);
	dns_upstream_timed_out(u, T0 + 1800);
	dns_upstream_sent(u, T0 + 1200);
	dns_upstream_timed_out(u, T0 + 2000);
	assert_false(dns_upstream_is_down(u, T0 + 2000));
	assert_true(dns_upstream_is_down(u, T0 + 5 + DNS_UPSTREAM_DOWN_SILENCE_MS));
	/* One timeout alone never, however long the silence. */
	reset(true);
	u = &S.ups[add(NULL)];
	dns_upstream_sent(u, T0);
	dns_upstream_timed_out(u, T0 + 800);
	assert_false(dns_upstream_is_down(u, T0 + 100000));
}

/* A server never heard from: silence counts from its first query. */
static void test_never_answered(void **state)
{
	struct dns_upstream *u;

	(void)state;
	reset(true);
	u = &S.ups[add(NULL)];
	dns_upstream_sent(u, T0);
	assert_false(dns_upstream_timed_out(u, T0 + 800));
	dns_upstream_sent(u, T0 + 800);
	assert_false(dns_upstream_timed_out(u, T0 + 1600));
	dns_upstream_sent(u, T0 + 2400);
	/* The timeout that finds it silent for long enough reports the change once. */
	assert_true(dns_upstream_timed_out(u, T0 + 3200));
	assert_true(dns_upstream_is_down(u, T0 + 3200));
	assert_true(dns_upstream_is_resting(u, T0 + 3200));
	dns_upstream_sent(u, T0 + 5000);
	assert_false(dns_upstream_timed_out(u, T0 + 5800));
	/* An answer, whatever its rcode, ends it; the change is reported. */
	assert_true(dns_upstream_answered(u, T0 + 6000, T0 + 6010));
	assert_false(dns_upstream_is_down(u, T0 + 6010));
	assert_int_equal(u->srtt_ms, 11);
}

/* The retry period doubles with every failed retry, up to a minute. */
static void test_retry_schedule(void **state)
{
	struct dns_upstream *u;
	uint64_t t = T0;
	uint64_t prev = 0;

	(void)state;
	reset(true);
	u = &S.ups[add(NULL)];
	dns_upstream_sent(u, t);
	dns_upstream_timed_out(u, t += 800);
	dns_upstream_timed_out(u, t = T0 + DNS_UPSTREAM_DOWN_SILENCE_MS);
	assert_int_equal(u->retry_at_ms - t, DNS_UPSTREAM_RETRY_MS);
	for (int i = 0; i < 10; i++) {
		uint64_t wait;

		t = u->retry_at_ms + 800;
		dns_upstream_timed_out(u, t);
		wait = u->retry_at_ms - t;
		assert_true(wait > prev || wait == DNS_UPSTREAM_RETRY_MAX_MS);
		assert_true(wait <= DNS_UPSTREAM_RETRY_MAX_MS);
		prev = wait;
	}
	assert_int_equal(prev, DNS_UPSTREAM_RETRY_MAX_MS);
}

/* Make server i down and resting as of now. */
static void make_resting(int i, uint64_t now)
{
	struct dns_upstream *u = &S.ups[i];

	u->timeouts = DNS_UPSTREAM_DOWN_TIMEOUTS;
	u->last_heard_ms = now - DNS_UPSTREAM_DOWN_SILENCE_MS - 1;
	u->retry_at_ms = now + 5000;
}

static void test_resting_goes_last(void **state)
{
	struct dns_upstream_plan p;
	size_t tried = 0;
	int a, b;
	uint64_t now = T0 + 100000;

	(void)state;
	reset(true);
	a = add(NULL);
	b = add(NULL);
	make_resting(a, now);
	plan("www.example", now, &p);
	assert_int_equal(p.cand[0], b);
	assert_int_equal(p.cand[1], a);
	/* Still the preferred one: a negative from b is a fallback. */
	assert_int_equal(p.preferred, a);
	assert_int_equal(dns_upstream_next(&S, &p, &tried, 0, now), b);
	/* a rests: skipped in the first round, so the next try is b's second. */
	assert_int_equal(dns_upstream_next(&S, &p, &tried, 1, now), b);
	/* ... and when its retry time comes, it is first again, once. */
	now = S.ups[a].retry_at_ms;
	plan("www.example", now, &p);
	assert_int_equal(p.cand[0], a);
	tried = 0;
	assert_int_equal(dns_upstream_next(&S, &p, &tried, 0, now), a);
	assert_true(dns_upstream_is_resting(&S.ups[a], now));
	plan("www.example", now, &p);
	assert_int_equal(p.cand[0], b);
}

/* Every server resting: the best is asked all the same, never SERVFAIL unasked. */
static void test_all_resting_still_asked(void **state)
{
	struct dns_upstream_plan p;
	size_t tried = 0;
	int a, b;
	uint64_t now = T0 + 100000;

	(void)state;
	reset(true);
	a = add(NULL);
	b = add(NULL);
	make_resting(a, now);
	make_resting(b, now);
	plan("www.example", now, &p);
	assert_int_equal(p.ncand, 2);
	assert_int_equal(dns_upstream_next(&S, &p, &tried, 0, now), a);
	/*
	 * Once one was asked, the others keep resting in this round; the
	 * second round asks them all again (a lost packet).
	 */
	assert_int_equal(dns_upstream_next(&S, &p, &tried, 1, now), a);
	assert_int_equal(dns_upstream_next(&S, &p, &tried, 2, now), b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_single_label_modes),
		cmocka_unit_test(test_order_and_preferred),
		cmocka_unit_test(test_down_needs_silence),
		cmocka_unit_test(test_never_answered),
		cmocka_unit_test(test_retry_schedule),
		cmocka_unit_test(test_resting_goes_last),
		cmocka_unit_test(test_all_resting_still_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
