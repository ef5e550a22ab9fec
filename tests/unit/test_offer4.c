/*
 * Tests for lease/offer4: holds found by client and by address, ended by
 * time, by a lease (drop), by a newer offer of the same address or to the
 * same client, and by OFFER4_MAX newer offers; the avoid bitmap in step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "lease/offer4.h"
#include "lease/pool.h"

#define T0 1700000000

static struct in_addr a4(uint32_t h)
{
	return (struct in_addr){ htonl(h) };
}

/* The range 10.0.0.0/16, for the bitmap. */
static struct in_addr lo(void) { return a4(0x0a000000); }
static struct in_addr hi(void) { return a4(0x0a00ffff); }

static void test_hold_found_by_client_and_address(void **state)
{
	struct offer4_table *o = offer4_new();
	struct in_addr out;
	const struct pool4 *avoid;

	(void)state;
	assert_null(offer4_avoid(o, lo(), hi(), T0));
	offer4_hold(o, lo(), hi(), a4(0x0a000005), 111, T0);
	assert_int_equal(offer4_count(o), 1);
	assert_true(offer4_of_client(o, 111, T0 + 1, &out));
	assert_int_equal(ntohl(out.s_addr), 0x0a000005);
	assert_false(offer4_of_client(o, 222, T0 + 1, &out));
	/* Held for 111: not for 222, and 111 itself is not "another". */
	assert_true(offer4_held_for_other(o, a4(0x0a000005), 222, T0 + 1));
	assert_false(offer4_held_for_other(o, a4(0x0a000005), 111, T0 + 1));
	assert_false(offer4_held_for_other(o, a4(0x0a000006), 222, T0 + 1));
	avoid = offer4_avoid(o, lo(), hi(), T0 + 1);
	assert_non_null(avoid);
	assert_true(pool4_is_held(avoid, a4(0x0a000005)));
	assert_false(pool4_is_held(avoid, a4(0x0a000006)));
	/* Another range has no bitmap. */
	assert_null(offer4_avoid(o, a4(0x0b000000), a4(0x0b0000ff), T0 + 1));
	offer4_free(o);
}

static void test_hold_ends_in_time(void **state)
{
	struct offer4_table *o = offer4_new();
	struct in_addr out;

	(void)state;
	offer4_hold(o, lo(), hi(), a4(0x0a000005), 111, T0);
	assert_true(offer4_of_client(o, 111, T0 + OFFER4_HOLD_SECONDS - 1, &out));
	assert_false(offer4_of_client(o, 111, T0 + OFFER4_HOLD_SECONDS, &out));
	assert_false(offer4_held_for_other(o, a4(0x0a000005), 222, T0 + OFFER4_HOLD_SECONDS));
	assert_int_equal(offer4_count(o), 0);
	offer4_free(o);
}

static void test_drop_ends_hold_and_clears_bit(void **state)
{
	struct offer4_table *o = offer4_new();
	const struct pool4 *avoid;
	struct in_addr out;

	(void)state;
	offer4_hold(o, lo(), hi(), a4(0x0a000005), 111, T0);
	offer4_hold(o, lo(), hi(), a4(0x0a000006), 222, T0);
	avoid = offer4_avoid(o, lo(), hi(), T0);
	offer4_drop(o, a4(0x0a000005));
	assert_int_equal(offer4_count(o), 1);
	assert_false(offer4_of_client(o, 111, T0, &out));
	assert_false(pool4_is_held(avoid, a4(0x0a000005)));
	assert_true(pool4_is_held(avoid, a4(0x0a000006)));
	offer4_drop(o, a4(0x0a000009)); /* nothing held there: nothing happens */
	assert_int_equal(offer4_count(o), 1);
	offer4_drop(NULL, a4(0x0a000006));
	offer4_free(o);
}

/* A client offered again has one hold; an address offered again has one holder. */
static void test_newer_offer_replaces(void **state)
{
	struct offer4_table *o = offer4_new();
	const struct pool4 *avoid;
	struct in_addr out;

	(void)state;
	offer4_hold(o, lo(), hi(), a4(0x0a000005), 111, T0);
	offer4_hold(o, lo(), hi(), a4(0x0a000007), 111, T0 + 1);
	assert_int_equal(offer4_count(o), 1);
	assert_true(offer4_of_client(o, 111, T0 + 1, &out));
	assert_int_equal(ntohl(out.s_addr), 0x0a000007);
	avoid = offer4_avoid(o, lo(), hi(), T0 + 1);
	assert_false(pool4_is_held(avoid, a4(0x0a000005)));
	offer4_hold(o, lo(), hi(), a4(0x0a000007), 222, T0 + 2);
	assert_int_equal(offer4_count(o), 1);
	assert_false(offer4_of_client(o, 111, T0 + 2, &out));
	assert_true(offer4_held_for_other(o, a4(0x0a000007), 111, T0 + 2));
	assert_true(pool4_is_held(avoid, a4(0x0a000007)));
	offer4_free(o);
}

/* A flood of DISCOVERs that never REQUEST pushes the oldest holds out. */
static void test_oldest_pushed_out(void **state)
{
	struct offer4_table *o = offer4_new();
	const struct pool4 *avoid;
	struct in_addr out;

	(void)state;
	for (uint32_t i = 0; i < OFFER4_MAX + 10; i++)
		offer4_hold(o, lo(), hi(), a4(0x0a000000 + i), 1000 + i, T0);
	assert_int_equal(offer4_count(o), OFFER4_MAX);
	avoid = offer4_avoid(o, lo(), hi(), T0);
	for (uint32_t i = 0; i < 10; i++) {
		assert_false(offer4_of_client(o, 1000 + i, T0, &out));
		assert_false(pool4_is_held(avoid, a4(0x0a000000 + i)));
	}
	for (uint32_t i = 10; i < OFFER4_MAX + 10; i++) {
		assert_true(offer4_of_client(o, 1000 + i, T0, &out));
		assert_int_equal(ntohl(out.s_addr), 0x0a000000 + i);
	}
	/* Dead slots (dropped) and time both empty the ring. */
	for (uint32_t i = 10; i < 20; i++)
		offer4_drop(o, a4(0x0a000000 + i));
	assert_int_equal(offer4_count(o), OFFER4_MAX - 10);
	assert_null(offer4_avoid(o, lo(), hi(), T0 + OFFER4_HOLD_SECONDS));
	assert_int_equal(offer4_count(o), 0);
	offer4_free(o);
}

static void test_null_table(void **state)
{
	struct in_addr out;

	(void)state;
	offer4_hold(NULL, lo(), hi(), a4(0x0a000005), 1, T0);
	assert_false(offer4_of_client(NULL, 1, T0, &out));
	assert_false(offer4_held_for_other(NULL, a4(0x0a000005), 2, T0));
	assert_null(offer4_avoid(NULL, lo(), hi(), T0));
	assert_int_equal(offer4_count(NULL), 0);
	offer4_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_found_by_client_and_address),
		cmocka_unit_test(test_hold_ends_in_time),
		cmocka_unit_test(test_drop_ends_hold_and_clears_bit),
		cmocka_unit_test(test_newer_offer_replaces),
		cmocka_unit_test(test_oldest_pushed_out),
		cmocka_unit_test(test_null_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
