/*
 * probe — the conflict check before a new address is offered (RFC 2131
 * section 2.2: "the server SHOULD probe the reused address ... e.g., with
 * an ICMP echo request").  One echo request per address; an echo reply
 * within PROBE_TIMEOUT_MS means the address is in use.  The loop never
 * waits: the caller parks the DISCOVER and is called back.  Results are
 * remembered for PROBE_CLEAR_MS so a retransmitted DISCOVER is not probed
 * again.  A quarter of a second is a small fraction of dnsmasq's wait and
 * still far longer than any answer on a local bridge takes.
 */
#ifndef LEASED_PROBE_H
#define LEASED_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#include "core/loop.h"

#define PROBE_TIMEOUT_MS 250
#define PROBE_CLEAR_MS 30000
#define PROBE_MAX_PENDING 512

struct probe;
typedef void (*probe_done_fn)(void *ctx, struct in_addr addr, bool in_use);

/* Open the ICMP socket (needs CAP_NET_RAW).  NULL with err on failure. */
struct probe *probe_new(struct loop *loop, probe_done_fn done, void *ctx,
			struct error *err);
void probe_free(struct probe *p);
/* True when addr was probed recently and nobody answered. */
bool probe_is_clear(const struct probe *p, struct in_addr addr);
/*
 * Start a probe (or join one already running for addr).  -1 when it
 * cannot be sent or too many are pending: the address then counts as
 * clear (probe_is_clear() says so), rather than make the client wait.
 */
int probe_start(struct probe *p, struct in_addr addr);

#endif
