/*
 * tftp_server — the read-only TFTP server of --enable-tftp (libvirt's
 * netboot networks: `enable-tftp`, `tftp-root=DIR`, `dhcp-boot=FILE`).
 *
 * Requests arrive on UDP port 69 (IPv4) and are taken on the interfaces
 * --enable-tftp names, or without a list on those DHCPv4 serves.  Each
 * transfer gets its own socket on an ephemeral port bound to the address
 * the request was sent to (its TID, RFC 1350 section 4); a packet from
 * any other address or port reaching it gets ERROR 5 and changes
 * nothing.  What a transfer sends and when is tftp_xfer's; which file a
 * name opens is tftp_path's (never outside --tftp-root); this file owns
 * the sockets and one loop timer per transfer.
 *
 * Refused with an ERROR: write requests (2, the server is read-only),
 * requests that do not parse (4), names outside the root (2), missing
 * files (1).  Not answered (the client asks again later): a request
 * beyond --tftp-max transfers at once or beyond TFTP_PER_CLIENT
 * transfers from one address, and a repeated request from a client
 * address and port that already has a transfer (its retransmitted RRQ).
 * One log line when a transfer starts, ends or fails, and for each
 * refused request.
 */
#ifndef LEASED_TFTP_SERVER_H
#define LEASED_TFTP_SERVER_H

#include <stdbool.h>

#include "conf/config.h"
#include "core/error.h"
#include "core/loop.h"
#include "net/netlink.h"

/* Transfers one client address may have at once (a boot loader fetches a few files in turn). */
#define TFTP_PER_CLIENT 10

struct tftp_server;

struct tftp_server_deps {
	const struct config *cfg;
	struct loop *loop;
	const struct netlink *nl;
};

/*
 * Open port 69 and the root; NULL with err filled (EXIT_NETWORK for the
 * socket, EXIT_FILESYSTEM for a root that cannot be opened, unless
 * --tftp-no-fail: then requests fail until it can be).  Called while
 * still root; files are opened later, as the user leased runs as.
 */
struct tftp_server *tftp_server_new(const struct tftp_server_deps *deps, struct error *err);
/* End every transfer, close. */
void tftp_server_free(struct tftp_server *s);

#endif
