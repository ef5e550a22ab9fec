/*
 * loop — the single-threaded event loop: epoll for descriptors, a min-heap
 * of timers on the monotonic clock, signalfd for signals, and hooks run
 * before every wait.  One thread means every lease change is atomic with
 * respect to every packet; the before-wait hooks are where work queued
 * during one iteration is done once (one store flush per iteration, which
 * is what groups fsyncs).
 */
#ifndef LEASED_LOOP_H
#define LEASED_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;
struct loop_timer;

typedef void (*loop_io_fn)(void *ctx, int fd, uint32_t events);
typedef void (*loop_timer_fn)(void *ctx);
typedef void (*loop_signal_fn)(void *ctx, int signo);
typedef void (*loop_hook_fn)(void *ctx);

struct loop *loop_new(void);
void loop_free(struct loop *l);

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_io_fn fn, void *ctx);
void loop_del_fd(struct loop *l, int fd);

/* A timer is created disarmed; arm it with an absolute monotonic time. */
struct loop_timer *loop_timer_new(struct loop *l, loop_timer_fn fn, void *ctx);
void loop_timer_arm(struct loop_timer *t, uint64_t when_ms);
void loop_timer_disarm(struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);
void loop_timer_free(struct loop_timer *t);

/* Block these signals and deliver them through the loop. */
int loop_add_signals(struct loop *l, const int *signals, int n, loop_signal_fn fn, void *ctx);

/* Run fn before every wait, in the order added (at most 8 hooks). */
int loop_add_hook(struct loop *l, loop_hook_fn fn, void *ctx);

/* Run until loop_quit(); returns the status given to loop_quit(). */
int loop_run(struct loop *l);
void loop_quit(struct loop *l, int status);

#endif
