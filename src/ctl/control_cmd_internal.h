/*
 * control_cmd_internal — what the command files of src/ctl/ share and
 * nothing else may include: the "dns" member of `leasectl stats`, which
 * control_cmd_dns.c writes (it owns every DNS object on the wire) and
 * control_cmd_stats.c places.
 *
 * Included by: control_cmd_*.c only.
 */
#ifndef LEASED_CONTROL_CMD_INTERNAL_H
#define LEASED_CONTROL_CMD_INTERNAL_H

#include "core/json.h"
#include "dns/dns_server.h"

/* "dns": {queries, cache, servers}, or "dns": null when dns is NULL (DNS off). */
void control_write_dns_stats(struct json_writer *w, struct dns_service *dns);

#endif
