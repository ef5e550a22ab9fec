/*
 * test_loop — the event loop's dispatch of descriptor events: an event
 * fetched in the same epoll_wait batch as a close, for a descriptor
 * number that was reused and registered again meanwhile (what an accept
 * after closing a connection does), never reaches the new registration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include "core/loop.h"

struct two {
	struct loop *l;
	int a[2], b[2];      /* pipes; both read ends readable */
	int fresh[2];        /* the pipe that takes the closed one's number */
	int first;           /* read end whose callback ran first */
	unsigned fresh_calls;
	unsigned calls;
};

static void on_fresh(void *ctx, int fd, uint32_t events)
{
	struct two *t = ctx;

	(void)fd;
	(void)events;
	t->fresh_calls++; /* its pipe never had data: only a stale event gets here */
}

static void on_end(void *ctx)
{
	loop_quit(ctx, 0);
}

/* The first of a and b to run closes the other and reuses its number. */
static void on_ready(void *ctx, int fd, uint32_t events)
{
	struct two *t = ctx;
	int other, p[2];

	(void)events;
	t->calls++;
	if (t->first >= 0)
		return;
	t->first = fd;
	other = fd == t->a[0] ? t->b[0] : t->a[0];
	loop_del_fd(t->l, other);
	close(other);
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	/* The lowest free number is the one just closed. */
	assert_int_equal(p[0], other);
	t->fresh[0] = p[0];
	t->fresh[1] = p[1];
	assert_int_equal(loop_add_fd(t->l, p[0], EPOLLIN, on_fresh, t), 0);
	loop_del_fd(t->l, fd);
}

static void test_stale_event_not_delivered(void **state)
{
	struct two t = { .first = -1 };
	struct loop_timer *end;

	(void)state;
	t.l = loop_new();
	assert_non_null(t.l);
	assert_int_equal(pipe2(t.a, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(pipe2(t.b, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(write(t.a[1], "x", 1), 1);
	assert_int_equal(write(t.b[1], "x", 1), 1);
	assert_int_equal(loop_add_fd(t.l, t.a[0], EPOLLIN, on_ready, &t), 0);
	assert_int_equal(loop_add_fd(t.l, t.b[0], EPOLLIN, on_ready, &t), 0);
	end = loop_timer_new(t.l, on_end, t.l);
	loop_timer_arm(end, 0); /* after the first batch */
	assert_int_equal(loop_run(t.l), 0);
	assert_int_equal(t.calls, 1);
	assert_int_equal(t.fresh_calls, 0);
	loop_timer_free(end);
	loop_free(t.l);
	close(t.first);
	close(t.a[1]);
	close(t.b[1]);
	close(t.fresh[0]);
	close(t.fresh[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stale_event_not_delivered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
