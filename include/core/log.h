/*
 * log — where messages go: syslog (daemon facility by default, as
 * dnsmasq), or a file / stderr chosen by --log-facility, or stderr while
 * starting in the foreground.  log_ratelimited() keeps a flood of bad
 * packets from flooding the log: at most a few lines per key per second.
 */
#ifndef LEASED_LOG_H
#define LEASED_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

/*
 * target: NULL → syslog with LOG_DAEMON; "-" → stderr; a facility name
 * ("local0", "daemon", ...) → syslog with it; anything with a '/' → that
 * file, appended.  Returns -1 (errno set) when the file cannot be opened.
 */
int log_open(const char *ident, const char *target);
/*
 * A log file is fully buffered, so a busy server does not pay one write()
 * per line; the daemon calls log_flush() once per loop pass (and
 * log_close() flushes), so lines still appear within one pass.
 */
void log_flush(void);
/* Reopen a log file (SIGUSR2, after logrotate). */
void log_reopen(void);
/* Also copy every message to stderr (foreground start, --no-daemon). */
void log_set_stderr(bool on);
/* Drop LOG_DEBUG messages unless enabled. */
void log_set_debug(bool on);
void log_close(void);

void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int prio, const char *fmt, va_list ap);
/* As log_msg, but at most 5 lines per second for the same key. */
void log_ratelimited(const char *key, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
