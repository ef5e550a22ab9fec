/*
 * error — leased's one error convention.
 *
 * A function that can fail for a reason an administrator must read
 * returns -1 (or NULL) and fills a struct error: one line saying what was
 * wrong and where (the option and its file:line, the path, the address),
 * and the exit status the daemon leaves with if this failure stops it —
 * dnsmasq's statuses below, because lxc-net and libvirt act on them.
 * The first failure is the one reported: callers pass the same struct
 * down and do not overwrite what a callee filled.
 *
 * Two narrower forms stay where they belong and are turned into a struct
 * error at the edge that knows the "where":
 *  - helpers that only wrap system calls return -1 with errno set;
 *  - parsers of wire data, option values and JSON, which take (p, len)
 *    and know nothing of files, return -1 with a reason (`const char
 *    **why`, conf/'s struct reason, json_parse's err[]) that their caller
 *    puts after the location.
 * Failures while running (a bad packet, a peer that goes away) are
 * logged where they happen and never stop the daemon; they do not use
 * this struct.
 */
#ifndef LEASED_ERROR_H
#define LEASED_ERROR_H

/* Exit statuses, dnsmasq's: lxc-net and libvirt act on them. */
enum {
	EXIT_CONFIG = 1,
	EXIT_NETWORK = 2,
	EXIT_FILESYSTEM = 3,
	EXIT_MEMORY = 4,
	EXIT_OTHER = 5,
};

#define ERROR_LEN 512

struct error {
	char msg[ERROR_LEN]; /* one line, no trailing newline */
	int status;          /* EXIT_*; 0 while nothing failed */
};

/* Fill e with status (never 0) and a formatted one-line message; return -1. */
int error_set(struct error *e, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The status to exit with for e: its own, or EXIT_OTHER if none was set. */
int error_status(const struct error *e);

#endif
