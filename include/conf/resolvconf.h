/*
 * resolvconf — the nameserver lines of a resolv.conf (/etc/resolv.conf or
 * --resolv-file), the default upstream servers when --no-resolv is not
 * given.  Everything else in the file (search, options) is not ours.
 */
#ifndef LEASED_RESOLVCONF_H
#define LEASED_RESOLVCONF_H

#include <stddef.h>
#include <sys/socket.h>

#define RESOLVCONF_MAX 16
#define DEFAULT_RESOLV_FILE "/etc/resolv.conf"

/*
 * Parse text (not NUL-terminated) into at most max server addresses
 * (port 53).  Lines that are not "nameserver ADDR" are skipped; a bad
 * address is skipped too, as every resolver does.  Returns the count.
 */
size_t resolvconf_parse(const char *p, size_t len, struct sockaddr_storage *out, size_t max);
/* Read and parse path; -1 (errno set) if it cannot be read. */
int resolvconf_read(const char *path, struct sockaddr_storage *out, size_t max, size_t *n);

#endif
