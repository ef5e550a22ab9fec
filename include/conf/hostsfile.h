/*
 * hostsfile — the /etc/hosts format (hosts(5)) as dnsmasq reads it for
 * /etc/hosts and --addn-hosts: an IPv4 or IPv6 address, then one or more
 * names, separated by any run of spaces and tabs; '#' starts a comment
 * anywhere on a line; blank lines and CRLF line ends are fine.
 *
 * A bad line never stops the others: a bad address skips its line, a bad
 * name skips that name (the line's other names stay), and each problem is
 * reported as "FILE:LINE: reason".  The parser works on (p, len) and never
 * reads past len, so a buffer needs no NUL terminator.
 */
#ifndef LEASED_HOSTSFILE_H
#define LEASED_HOSTSFILE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/* Room for "FILE:LINE: reason" with a long path and a quoted token. */
#define HOSTSFILE_MSG_LEN 512

/* One (address, name) pair of a line. */
struct hostsfile_entry {
	int family;                 /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	const char *name;           /* as written, trailing dot removed; valid during the call */
	bool first;                 /* the first good name of its line (the canonical one) */
	const char *file;
	unsigned line;              /* from 1 in each file, every line counted */
};

/* Where the parser reports: both callbacks may be NULL. */
struct hostsfile_sink {
	void (*entry)(void *ctx, const struct hostsfile_entry *e);
	/* A skipped line or name, or a file that could not be read: one line of text. */
	void (*problem)(void *ctx, const char *msg);
	void *ctx;
};

/*
 * Parse hosts-file text; `file` names it in messages.  Returns the number
 * of lines that had a problem (each reported at least once).
 */
size_t hostsfile_parse(const char *p, size_t len, const char *file,
		       const struct hostsfile_sink *sink);

/*
 * Read a hosts file, or every regular file of a directory in name order
 * (skipping editor backups "*~", "#*#" and dotfiles).  A path that cannot
 * be read is reported as "failed to load names from PATH: REASON" and
 * returns -1; otherwise the number of names read.
 */
long hostsfile_load(const char *path, const struct hostsfile_sink *sink);

#endif
