/*
 * test_reply_hold — the queue of replies waiting for the disk: nothing
 * leaves before its sequence number is durable, order is kept, the queue
 * never grows past its bound, and a reply older than the age limit is
 * dropped rather than sent late.  Time is passed in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/reply_hold.h"

static void push(struct reply_hold *h, uint64_t seq, uint64_t now, int v)
{
	int *p = reply_hold_push(h, seq, now);

	assert_non_null(p);
	*p = v;
}

static void test_released_only_when_durable(void **state)
{
	struct reply_hold *h = reply_hold_new(sizeof(int), 16, 3000);

	(void)state;
	push(h, 5, 0, 1);
	push(h, 5, 0, 2);
	push(h, 7, 10, 3);
	assert_int_equal(reply_hold_ready(h, 0, 20), 0);
	assert_int_equal(reply_hold_ready(h, 4, 20), 0);
	assert_int_equal(reply_hold_ready(h, 6, 20), 2);
	assert_int_equal(*(int *)reply_hold_at(h, 0), 1);
	assert_int_equal(*(int *)reply_hold_at(h, 1), 2);
	reply_hold_pop(h, 2);
	assert_int_equal(reply_hold_len(h), 1);
	assert_int_equal(reply_hold_ready(h, 6, 30), 0);
	assert_int_equal(reply_hold_ready(h, 7, 30), 1);
	assert_int_equal(*(int *)reply_hold_at(h, 0), 3);
	reply_hold_pop(h, 1);
	assert_int_equal(reply_hold_len(h), 0);
	assert_int_equal(reply_hold_dropped_old(h) + reply_hold_dropped_full(h), 0);
	reply_hold_free(h);
}

static void test_bounded(void **state)
{
	struct reply_hold *h = reply_hold_new(sizeof(int), 100, 3000);

	(void)state;
	for (int i = 0; i < 100; i++)
		push(h, 1, 0, i);
	for (int i = 0; i < 1000; i++)
		assert_null(reply_hold_push(h, 2, 0));
	assert_int_equal(reply_hold_len(h), 100);
	assert_int_equal(reply_hold_dropped_full(h), 1000);
	/* Room again once some left; the ring wraps and keeps order. */
	assert_int_equal(reply_hold_ready(h, 1, 1), 100);
	reply_hold_pop(h, 60);
	for (int i = 100; i < 160; i++)
		push(h, 3, 2, i);
	assert_int_equal(reply_hold_len(h), 100);
	assert_int_equal(reply_hold_ready(h, 3, 3), 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(*(int *)reply_hold_at(h, (size_t)i), 60 + i);
	reply_hold_free(h);
}

static void test_stale_dropped(void **state)
{
	struct reply_hold *h = reply_hold_new(sizeof(int), 16, 3000);

	(void)state;
	push(h, 1, 1000, 1);
	push(h, 2, 2500, 2);
	push(h, 3, 3900, 3);
	/* The disk came back after 3.5 s: the first reply is too old to send. */
	assert_int_equal(reply_hold_ready(h, 3, 4500), 2);
	assert_int_equal(reply_hold_dropped_old(h), 1);
	assert_int_equal(*(int *)reply_hold_at(h, 0), 2);
	/* Not yet durable and old: dropped all the same, never sent later. */
	assert_int_equal(reply_hold_ready(h, 0, 6900), 0);
	assert_int_equal(reply_hold_len(h), 0);
	assert_int_equal(reply_hold_dropped_old(h), 3);
	reply_hold_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_released_only_when_durable),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_stale_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
