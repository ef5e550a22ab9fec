/*
 * dns_wire — the DNS wire format (RFC 1035, EDNS0 per RFC 6891), the one
 * header other modules include.  It is three headers, each including the
 * one above it in this list and none below:
 *
 *   dns/dns_name.h  domain names: presentation and wire form, reading a
 *                   name through compression pointers, comparing names,
 *                   reverse names of addresses (src/dns/dns_name.c)
 *   dns/dns_rr.h    resource records: types, struct dns_rr, the fixed
 *                   fields after an owner, RDATA built for local data and
 *                   shown in presentation form (src/dns/dns_rr.c)
 *   dns/dns_msg.h   messages: header flags and rcodes, parsing a query
 *                   and its EDNS OPT, reading a reply, building replies
 *                   with compression and truncation (src/dns/dns_msg.c)
 */
#ifndef LEASED_DNS_WIRE_H
#define LEASED_DNS_WIRE_H

#include "dns/dns_name.h"
#include "dns/dns_rr.h"
#include "dns/dns_msg.h"

#endif
