/* log — see include/core/log.h. */
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

#define LOG_BUFFER (64 * 1024)

static struct {
	const char *ident;
	char *path;     /* log file, or NULL */
	FILE *file;     /* open log file, or stderr for "-" */
	bool use_syslog;
	bool copy_stderr;
	bool debug;
} logger = { .ident = "leased", .use_syslog = false };

static void forget_prefix(void);

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

int log_open(const char *ident, const char *target)
{
	int facility = LOG_DAEMON;

	log_close();
	logger.ident = ident;
	forget_prefix();
	if (target && strcmp(target, "-") == 0) {
		logger.file = stderr;
		return 0;
	}
	if (target && strchr(target, '/')) {
		logger.path = xstrdup(target);
		logger.file = fopen(target, "ae");
		if (!logger.file)
			return -1;
		/* Fully buffered: log_flush() once per loop pass writes it out. */
		setvbuf(logger.file, NULL, _IOFBF, LOG_BUFFER);
		return 0;
	}
	for (size_t i = 0; target && i < ARRAY_SIZE(facilities); i++)
		if (strcmp(target, facilities[i].name) == 0)
			facility = facilities[i].facility;
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
	logger.use_syslog = true;
	return 0;
}

void log_reopen(void)
{
	FILE *f;

	if (!logger.path)
		return;
	f = fopen(logger.path, "ae");
	if (!f)
		return; /* keep the old one rather than lose messages */
	setvbuf(f, NULL, _IOFBF, LOG_BUFFER);
	if (logger.file && logger.file != stderr)
		fclose(logger.file);
	logger.file = f;
}

void log_flush(void)
{
	if (logger.file)
		fflush(logger.file);
}

void log_set_stderr(bool on)
{
	logger.copy_stderr = on;
}

void log_set_debug(bool on)
{
	logger.debug = on;
}

void log_close(void)
{
	if (logger.use_syslog)
		closelog();
	if (logger.file && logger.file != stderr)
		fclose(logger.file);
	free(logger.path);
	logger.path = NULL;
	logger.file = NULL;
	logger.use_syslog = false;
}

/*
 * "Dec  7 17:26:00 leased[1234]: ", made once a second rather than for
 * every line: at thousands of DHCP lines a second, localtime, strftime
 * and a getpid system call per line were a tenth of the daemon's time.
 * A forked child (the store writer, script helpers) starts afresh, so it
 * logs under its own PID.
 */
static struct {
	time_t second;
	char text[96];
	size_t len;
} prefix = { .second = -1 };

static void forget_prefix(void)
{
	prefix.second = -1;
}

static const char *line_prefix(size_t *len)
{
	static bool registered;
	time_t now = time(NULL);
	char stamp[32];
	struct tm tm;
	int n;

	if (!registered) {
		pthread_atfork(NULL, NULL, forget_prefix);
		registered = true;
	}
	if (now != prefix.second) {
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		n = snprintf(prefix.text, sizeof(prefix.text), "%s %s[%d]: ", stamp, logger.ident,
			     (int)getpid());
		prefix.len = n < 0 ? 0 : MIN((size_t)n, sizeof(prefix.text) - 1);
		prefix.second = now;
	}
	*len = prefix.len;
	return prefix.text;
}

static void write_line(FILE *f, const char *msg, size_t msglen)
{
	size_t len;
	const char *head = line_prefix(&len);

	fwrite(head, 1, len, f);
	fwrite(msg, 1, msglen, f);
	putc('\n', f);
}

void log_vmsg(int prio, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno, n;

	if (prio == LOG_DEBUG && !logger.debug)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (logger.use_syslog)
		syslog(prio, "%s", msg);
	if (logger.file)
		write_line(logger.file, msg, n < 0 ? 0 : MIN((size_t)n, sizeof(msg) - 1));
	if (logger.copy_stderr && logger.file != stderr)
		fprintf(stderr, "%s: %s\n", logger.ident, msg);
	errno = saved;
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

/* A handful of keys is enough: one per kind of bad input. */
static struct {
	const char *key;
	uint64_t window_ms;
	unsigned count;
	unsigned suppressed;
} limits[32];

void log_ratelimited(const char *key, int prio, const char *fmt, ...)
{
	uint64_t now = now_mono_ms();
	size_t i;
	va_list ap;

	for (i = 0; i < ARRAY_SIZE(limits) && limits[i].key; i++)
		if (strcmp(limits[i].key, key) == 0)
			break;
	if (i == ARRAY_SIZE(limits))
		i = 0; /* table full: share the first slot rather than not limit */
	limits[i].key = key;
	if (now - limits[i].window_ms >= 1000) {
		if (limits[i].suppressed)
			log_msg(prio, "%u similar messages (%s) suppressed", limits[i].suppressed, key);
		limits[i].window_ms = now;
		limits[i].count = 0;
		limits[i].suppressed = 0;
	}
	if (limits[i].count++ >= 5) {
		limits[i].suppressed++;
		return;
	}
	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}
