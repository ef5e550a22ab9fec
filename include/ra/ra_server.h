/*
 * ra_server — sends router advertisements (ra.h says what they carry) on
 * every interface a --dhcp-range asks them for, and answers router
 * solicitations there.
 *
 * Timing (RFC 4861 section 6.2.4): an interface that starts being served
 * (at start, or when netlink shows it or its prefixes appear) gets an RA
 * at once and three more 4 s apart (RFC 4861 allows initial RAs at up to
 * 16 s; sooner gets a container its address sooner), then one every
 * interval (--ra-param, default 600 s), jittered down by up to a quarter.
 * A solicitation from a host with an address is answered at once by
 * unicast to it; one from :: by a multicast RA at most every 3 s
 * (MIN_DELAY_BETWEEN_RAS).  What an RA says is recomputed from netlink
 * every time, so prefix changes show in the next one; a change of
 * prefixes also restarts the fast initial RAs.  On shutdown every served
 * interface gets a final RA with router lifetime 0 (RFC 4861 6.2.5).
 *
 * One raw ICMPv6 socket (CAP_NET_RAW, kept after -u) that joins
 * all-routers (ff02::2) on each served interface.  Solicitations without
 * hop limit 255 or that do not parse are dropped (counted, not logged).
 */
#ifndef LEASED_RA_SERVER_H
#define LEASED_RA_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "core/error.h"
#include "core/loop.h"
#include "net/netlink.h"

struct ra_server;

struct ra_server_deps {
	const struct config *cfg;
	struct loop *loop;
	const struct netlink *nl;
};

/* Whether cfg asks for router advertisements anywhere. */
bool ra_wanted(const struct config *cfg);

/* Open the socket and start advertising; NULL with err filled (EXIT_NETWORK). */
struct ra_server *ra_server_new(const struct ra_server_deps *deps, struct error *err);
/* Netlink changed: follow interfaces and prefixes. */
void ra_server_interfaces_changed(struct ra_server *s);
/* Send the final RAs (router lifetime 0), close. */
void ra_server_free(struct ra_server *s);

struct ra_stats {
	uint64_t sent, solicitations, dropped;
};
void ra_server_stats(const struct ra_server *s, struct ra_stats *out);

#endif
