/*
 * config_dhcp.h — what config_dhcp.c gives the rest of src/conf/ beyond
 * the public include/conf/config.h: the --dhcp-range parser the option
 * table calls, and the dhcp-host comparison that config_validate() and
 * hostdb use to tell one client's repeated entries from a conflict.
 * Included by: config_dhcp.c config.c config_validate.c hostdb.c only.
 * (scripts/check-layering.sh fails any other file that includes it.)
 * The other parsers of config_dhcp.c (--dhcp-host, --dhcp-option,
 * lease times) are declared in include/conf/config.h, since the tests and
 * the fuzzer call them too.
 */
#ifndef LEASED_CONFIG_DHCP_H
#define LEASED_CONFIG_DHCP_H

#include "conf/config.h"

int config_parse_dhcp_range(const char *arg, const char *where,
			    struct dhcp_range *out, struct error *err);
void dhcp_range_free(struct dhcp_range *r);

/* Two dhcp-host entries name the same client (same MACs, id and name). */
bool dhcp_host_same_client(const struct dhcp_host *a, const struct dhcp_host *b);

#endif
