/*
 * leasectl_leases — leases as leasectl shows them, whether they came from
 * the daemon (LEASE objects, control_proto.h) or from the lease file when
 * the daemon is down: one flat struct for both, the table of
 * `leasectl leases`, the "key: value" lines of `leasectl show`, JSON with
 * the protocol's member names, and the offline reading itself.
 *
 * Offline reading is the daemon's own recovery (store.c): the lease file
 * FILE, then FILE.journal.old, then FILE.journal, the last record for an
 * address winning, a journal's torn last line ignored; so what is shown
 * is what the daemon held when it stopped.  Leases whose time is up are
 * kept and shown as "expired" (the daemon drops them when it starts).
 */
#ifndef LEASED_LEASECTL_LEASES_H
#define LEASED_LEASECTL_LEASES_H

#include "core/error.h"
#include "core/json.h"
#include "lease/lease.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CTL_TEXT_MAX 256

struct ctl_lease {
	char address[INET6_ADDRSTRLEN];
	int family;                         /* 4 or 6 */
	char hwaddr[CTL_TEXT_MAX];          /* "aa:bb:..", "06-aa:..", or (IPv6, no MAC known) the DUID; "" */
	char duid[CTL_TEXT_MAX];            /* IPv6: the client's DUID; "" offline or for IPv4 */
	char hostname[CTL_TEXT_MAX];        /* "" when none */
	char client_id[3 * LEASE_CLIENT_ID_MAX + 1];
	char kind[16];                      /* "dynamic" | "static" */
	int64_t expires;                    /* Unix time, 0 = never */
	int64_t expires_in;                 /* seconds left */
	char names[4 * CTL_TEXT_MAX];       /* DNS names, ", "-separated */
	const struct json_value *json;      /* the daemon's object; NULL offline */
};

struct ctl_leases {
	struct ctl_lease *v;
	size_t n;
};

void ctl_leases_free(struct ctl_leases *ls);

/* From a LEASE object; members that are missing stay empty. */
void ctl_lease_from_json(const struct json_value *o, int64_t now, struct ctl_lease *out);
/* From the lease table's struct (offline): names is just the hostname. */
void ctl_lease_from_lease(const struct lease *l, int64_t now, struct ctl_lease *out);
/* Every LEASE object of arr; -1 when arr is not an array. */
int ctl_leases_from_json(const struct json_value *arr, int64_t now, struct ctl_leases *out);

/* By address: IPv4 before IPv6, each numerically. */
void ctl_leases_sort(struct ctl_leases *ls);

/*
 * The lease key names: its address, else its hardware address (any
 * notation mac_parse() takes), else its hostname (any case).  NULL if none.
 */
const struct ctl_lease *ctl_leases_match(const struct ctl_leases *ls, const char *key);

/* The table: ADDRESS HWADDR HOSTNAME EXPIRES CLIENT-ID KIND (header even when empty). */
void ctl_leases_table(FILE *out, const struct ctl_leases *ls);
/* One lease as "key: value" lines, the expiry in local time and time left. */
void ctl_lease_show(FILE *out, const struct ctl_lease *l);
/* One lease as a LEASE object (built from the struct, for offline leases). */
void ctl_lease_json(FILE *out, const struct ctl_lease *l, bool pretty, int depth);
/* The array of them. */
void ctl_leases_json(FILE *out, const struct ctl_leases *ls, bool pretty);

/*
 * Read the lease file and its journals (above) into out, at time now.
 * Bad lines are reported on warn ("FILE:LINE: why; ignored") when it is
 * not NULL.  0, or -1 with err filled (leasectl's status: CTL_E_NOT_RUNNING
 * when neither the file nor a journal exists, CTL_E_PERMISSION when one
 * cannot be read for permissions, else CTL_E_FAILED) and errno set.
 */
int ctl_read_leasefile(const char *file, int64_t now, FILE *warn, struct ctl_leases *out,
		       struct error *err);

/*
 * The lease file to read offline when none was given: with iface,
 * DIR/dnsmasq.IFACE.leases (lxc-net's name) if it exists; else dflt if
 * it exists; else the only DIR/dnsmasq.*.leases.  dflt's directory is
 * DIR.  0 with out set; -1 with err filled (CTL_E_USAGE, naming them)
 * when several dnsmasq.*.leases exist; out is set to dflt whenever
 * nothing better is found.
 */
int ctl_pick_leasefile(const char *dflt, const char *iface, char *out, size_t outlen,
		       struct error *err);

#endif
