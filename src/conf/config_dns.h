/*
 * config_dns.h — the DNS option parsers of config_dns.c, which the option
 * table in config.c calls.  Each parses one value and stores it in cfg
 * (or out), or fills err and returns -1.
 * Included by: config_dns.c config.c only.  (scripts/check-layering.sh
 * fails any other file that includes it.)
 */
#ifndef LEASED_CONFIG_DNS_H
#define LEASED_CONFIG_DNS_H

#include "conf/config.h"

int config_parse_domain(struct config *cfg, const char *arg, const char *where,
			struct error *err);
/* --rev-server=ADDR/LEN[,SERVER[#PORT]]: --server=/REVERSE-ZONE/SERVER. */
int config_parse_rev_server(struct config *cfg, const char *arg, const char *where,
			    struct error *err);
int config_parse_server(struct config *cfg, const char *opt, const char *arg,
			const char *where, struct error *err);
int config_parse_address(struct config *cfg, const char *arg, const char *where,
			 struct error *err);
int config_parse_host_record(struct config *cfg, const char *arg, const char *where,
			     struct error *err);
/* --cname, --interface-name, --srv-host, --txt-record, --mx-host, --ptr-record */
int config_parse_record(const char *opt, const char *arg, const char *where,
			struct dns_record_opt *out, struct error *err);
void dns_record_opt_free(struct dns_record_opt *r);

#endif
