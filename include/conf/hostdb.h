/*
 * hostdb — the DHCP reservations and option sets in force: --dhcp-host
 * entries from the configuration plus every line of --dhcp-hostsfile
 * (files, or directories of files), and --dhcp-option entries plus every
 * line of --dhcp-optsfile.  Built whole, then swapped in: SIGHUP builds a
 * new one from the files and, if any file is bad, keeps the old one and
 * logs what was wrong where.  Lookups are hashed (by MAC, client-id, name
 * and address) so thousands of reservations cost nothing per packet.
 */
#ifndef LEASED_HOSTDB_H
#define LEASED_HOSTDB_H

#include "conf/config.h"

struct hostdb;

/* Build from cfg (and the files it names).  NULL with err filled on failure. */
struct hostdb *hostdb_load(const struct config *cfg, struct error *err);
void hostdb_free(struct hostdb *db);

/*
 * A client's reservation by MAC, client-id/DUID or name, as one family's
 * engine wants it: the first of the key's reservations that has an
 * address of that family (libvirt writes "MAC,IPv4,NAME" and
 * "NAME,[IPv6]" as two lines), else the first of the key.
 */
const struct dhcp_host *hostdb_by_mac_for(const struct hostdb *db, int family,
					  const uint8_t mac[MAC_LEN]);
const struct dhcp_host *hostdb_by_client_id_for(const struct hostdb *db, int family,
						const uint8_t *id, size_t len);
const struct dhcp_host *hostdb_by_name_for(const struct hostdb *db, int family, const char *name);
/* The same for IPv4 (DHCPv4, and DNS names of reservations). */
const struct dhcp_host *hostdb_by_mac(const struct hostdb *db, const uint8_t mac[MAC_LEN]);
const struct dhcp_host *hostdb_by_client_id(const struct hostdb *db, const uint8_t *id, size_t len);
const struct dhcp_host *hostdb_by_name(const struct hostdb *db, const char *name);
/* The reservation that owns this address, if any. */
const struct dhcp_host *hostdb_by_ip(const struct hostdb *db, struct in_addr ip);
/* The reservation of this IPv6 address, or of its host part ("[::5]"). */
const struct dhcp_host *hostdb_by_ip6(const struct hostdb *db, const struct in6_addr *a);
/* Reservations in force (hostsfile lines skipped for a conflict not counted). */
size_t hostdb_count(const struct hostdb *db);
/*
 * Hostsfile lines skipped because they conflict with an earlier
 * reservation (one address for two clients, a second address of a family
 * for one MAC), one message each naming both places; the caller logs them.
 * (The same conflict among --dhcp-host options fails hostdb_load.)
 */
size_t hostdb_warnings(const struct hostdb *db, const char *const **msgs);
/* Every reservation in configuration order (the DNS names of --dhcp-host). */
void hostdb_foreach(const struct hostdb *db,
		    void (*fn)(void *ctx, const struct dhcp_host *h), void *ctx);

/* DHCP options in force (both families), config's first then the optsfiles' lines. */
const struct dhcp_option *hostdb_options(const struct hostdb *db, size_t *n);

#endif
