/*
 * loop — epoll, a binary heap of timers and signalfd; see include/core/loop.h.
 * Descriptor callbacks are looked up in a small table indexed by fd, so
 * dispatch costs no search.
 */
#include "core/loop.h"
#include "core/util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define LOOP_MAX_HOOKS 8
#define LOOP_MAX_EVENTS 64

/*
 * gen counts the registrations of one descriptor number.  An event
 * carries the gen it was registered with, so an event fetched in the same
 * epoll_wait batch as a close, for a number that an accept or socket()
 * reused and registered meanwhile, is recognised as stale and dropped
 * (level-triggered: if it still matters, it fires again).
 */
struct fd_handler {
	loop_io_fn fn;
	void *ctx;
	uint32_t gen;
};

struct loop_timer {
	struct loop *loop;
	loop_timer_fn fn;
	void *ctx;
	uint64_t when_ms;
	size_t heap_pos; /* index in loop->heap, or SIZE_MAX when disarmed */
};

struct loop {
	int epfd;
	struct fd_handler *fds; /* indexed by fd */
	size_t nfds;
	struct loop_timer **heap;
	size_t nheap, heap_cap;
	struct {
		loop_hook_fn fn;
		void *ctx;
	} hooks[LOOP_MAX_HOOKS];
	size_t nhooks;
	int sigfd;
	loop_signal_fn sig_fn;
	void *sig_ctx;
	bool quit;
	int status;
};

struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->sigfd = -1;
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	for (size_t i = 0; i < l->nheap; i++)
		l->heap[i]->heap_pos = SIZE_MAX;
	free(l->heap);
	free(l->fds);
	free(l);
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_io_fn fn, void *ctx)
{
	struct epoll_event ev = { .events = events };

	if (fd < 0)
		return -1;
	if ((size_t)fd >= l->nfds) {
		size_t n = (size_t)fd + 16;
		l->fds = xrealloc(l->fds, n * sizeof(*l->fds));
		memset(l->fds + l->nfds, 0, (n - l->nfds) * sizeof(*l->fds));
		l->nfds = n;
	}
	ev.data.u64 = (uint64_t)l->fds[fd].gen << 32 | (uint32_t)fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	l->fds[fd].fn = fn;
	l->fds[fd].ctx = ctx;
	return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nfds)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd].fn = NULL;
	l->fds[fd].gen++;
}

/* Heap of timers ordered by when_ms; each timer knows its position. */
static void heap_swap(struct loop *l, size_t a, size_t b)
{
	struct loop_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->heap_pos = a;
	l->heap[b]->heap_pos = b;
}

static void heap_up(struct loop *l, size_t i)
{
	while (i > 0 && l->heap[(i - 1) / 2]->when_ms > l->heap[i]->when_ms) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct loop *l, size_t i)
{
	for (;;) {
		size_t left = 2 * i + 1, right = left + 1, min = i;

		if (left < l->nheap && l->heap[left]->when_ms < l->heap[min]->when_ms)
			min = left;
		if (right < l->nheap && l->heap[right]->when_ms < l->heap[min]->when_ms)
			min = right;
		if (min == i)
			return;
		heap_swap(l, i, min);
		i = min;
	}
}

struct loop_timer *loop_timer_new(struct loop *l, loop_timer_fn fn, void *ctx)
{
	struct loop_timer *t = xcalloc(1, sizeof(*t));

	t->loop = l;
	t->fn = fn;
	t->ctx = ctx;
	t->heap_pos = SIZE_MAX;
	return t;
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->heap_pos != SIZE_MAX;
}

void loop_timer_disarm(struct loop_timer *t)
{
	struct loop *l = t->loop;
	size_t i = t->heap_pos;

	if (i == SIZE_MAX)
		return;
	t->heap_pos = SIZE_MAX;
	l->nheap--;
	if (i == l->nheap)
		return;
	l->heap[i] = l->heap[l->nheap];
	l->heap[i]->heap_pos = i;
	heap_up(l, i);
	heap_down(l, i);
}

void loop_timer_arm(struct loop_timer *t, uint64_t when_ms)
{
	struct loop *l = t->loop;

	loop_timer_disarm(t);
	if (l->nheap == l->heap_cap) {
		l->heap_cap = l->heap_cap ? l->heap_cap * 2 : 16;
		l->heap = xrealloc(l->heap, l->heap_cap * sizeof(*l->heap));
	}
	t->when_ms = when_ms;
	t->heap_pos = l->nheap;
	l->heap[l->nheap++] = t;
	heap_up(l, t->heap_pos);
}

void loop_timer_free(struct loop_timer *t)
{
	if (!t)
		return;
	loop_timer_disarm(t);
	free(t);
}

static void on_signal(void *ctx, int fd, uint32_t events)
{
	struct loop *l = ctx;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si))
		l->sig_fn(l->sig_ctx, (int)si.ssi_signo);
}

int loop_add_signals(struct loop *l, const int *signals, int n, loop_signal_fn fn, void *ctx)
{
	sigset_t set;

	sigemptyset(&set);
	for (int i = 0; i < n; i++)
		sigaddset(&set, signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0)
		return -1;
	l->sig_fn = fn;
	l->sig_ctx = ctx;
	return loop_add_fd(l, l->sigfd, EPOLLIN, on_signal, l);
}

int loop_add_hook(struct loop *l, loop_hook_fn fn, void *ctx)
{
	if (l->nhooks == LOOP_MAX_HOOKS)
		return -1;
	l->hooks[l->nhooks].fn = fn;
	l->hooks[l->nhooks].ctx = ctx;
	l->nhooks++;
	return 0;
}

void loop_quit(struct loop *l, int status)
{
	l->quit = true;
	l->status = status;
}

static void run_due_timers(struct loop *l)
{
	uint64_t now = now_mono_ms();

	while (l->nheap && l->heap[0]->when_ms <= now && !l->quit) {
		struct loop_timer *t = l->heap[0];

		loop_timer_disarm(t);
		t->fn(t->ctx);
	}
}

static int next_timeout(const struct loop *l)
{
	uint64_t now;

	if (!l->nheap)
		return -1;
	now = now_mono_ms();
	if (l->heap[0]->when_ms <= now)
		return 0;
	return (int)MIN(l->heap[0]->when_ms - now, 60000u);
}

int loop_run(struct loop *l)
{
	struct epoll_event events[LOOP_MAX_EVENTS];

	while (!l->quit) {
		int n;

		for (size_t i = 0; i < l->nhooks && !l->quit; i++)
			l->hooks[i].fn(l->hooks[i].ctx);
		if (l->quit)
			break;
		n = epoll_wait(l->epfd, events, LOOP_MAX_EVENTS, next_timeout(l));
		if (n < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < n && !l->quit; i++) {
			int fd = (int)(uint32_t)events[i].data.u64;
			uint32_t gen = (uint32_t)(events[i].data.u64 >> 32);

			if ((size_t)fd < l->nfds && l->fds[fd].fn && l->fds[fd].gen == gen)
				l->fds[fd].fn(l->fds[fd].ctx, fd, events[i].events);
		}
		run_due_timers(l);
	}
	return l->status;
}
