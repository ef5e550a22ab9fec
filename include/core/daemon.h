/*
 * daemon — the process's life: going to the background so that the
 * parent exits only once the daemon is ready (lxc-net decides from that
 * exit status whether the network came up), the pid file, and the drop to
 * -u/-g keeping only the capabilities the daemon still needs.
 */
#ifndef LEASED_DAEMON_H
#define LEASED_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/*
 * Fork into the background.  Returns in the child (the future daemon);
 * the parent stays in daemon_background() until the child calls
 * daemon_ready() or daemon_fail() (or dies) and exits with that status,
 * printing the child's error message on stderr.  -1 if fork fails.
 */
int daemon_background(void);
/*
 * Tell the waiting parent that start-up succeeded (no-op in foreground)
 * and detach from the terminal's descriptors.  In the foreground (-k, -d:
 * a service manager or a test runs us) stderr stays open, so what only
 * the C runtime can say (an abort, a sanitizer report) reaches the
 * journal or the test's log; everything leased itself says goes to the
 * log either way.
 */
void daemon_ready(bool foreground);
/* Tell the parent start-up failed: it prints msg and exits with status. */
void daemon_fail(int status, const char *msg);
/* The descriptor the parent waits on (so forked helpers can close it), or -1. */
int daemon_status_fd(void);

/*
 * Write our pid to path, replacing a stale file a killed daemon left.
 * NULL or "" writes nothing.  -1 with errno on failure.
 */
int daemon_write_pidfile(const char *path);

/*
 * Switch to user/group (NULL user: stay), keeping CAP_NET_ADMIN,
 * CAP_NET_RAW and CAP_NET_BIND_SERVICE (neighbour entries, the ping
 * check and device binding, rebinding a port when a bridge returns).
 * -1 with a message in err on failure.
 */
int daemon_drop_privileges(const char *user, const char *group, struct error *err);

#endif
