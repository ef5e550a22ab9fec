#!/bin/bash
# DNS and DHCP agree: a container's name is unknown (NXDOMAIN) before it
# has a lease and answers from the very next query after the lease is
# granted - A with the leased address, AAAA with NODATA (NOERROR, no
# answer, an SOA in authority), never NXDOMAIN - as NAME and NAME.lxc,
# and PTR for the address names it, even though the reverse name was
# asked upstream (NXDOMAIN) before.  None of the names goes upstream.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
add_upstream_ns $NET.2
add_client q 02:00:00:00:00:71
add_client c 02:00:00:00:00:0c
start_upstream up1 $NET.2
FAIL_LOGS="$TMP/leased.log $TMP/up1.log"
# The range's reverse zone is leased's own unless a server is named for
# it (t_dns_authority): routed upstream here, so that a reverse name is
# asked there and its NXDOMAIN cached before the lease.
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	-s lxc -S /lxc/ --no-resolv --no-hosts --server=$NET.2 --log-queries \
	--server=/3.77.10.in-addr.arpa/$NET.2 --dhcp-host=02:00:00:00:00:0c,$NET.40
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac

# expect_nxdomain NAME TYPE: an authoritative NXDOMAIN with no answer.
expect_nxdomain() {
	local o
	o=$(dig_in q "$1" "$2")
	[ "$(dig_status "$o")" = NXDOMAIN ] || fail "$2 $1 before any lease: want NXDOMAIN, got: $o"
	[ "$(dig_count "$o" ANSWER)" = 0 ] || fail "$2 $1 before any lease has answers: $o"
}
for n in c1 c1.lxc; do
	expect_nxdomain $n AAAA
	expect_nxdomain $n A
done
ok "before its lease c1 and c1.lxc are NXDOMAIN (A and AAAA)"

# The address reserved for c (no name) is not known here yet: its PTR is
# asked upstream, which says NXDOMAIN (cacheable, SOA 300 s).
o=$(dig_in q -x $NET.40)
[ "$(dig_status "$o")" = NXDOMAIN ] || fail "PTR $NET.40 before the lease: want NXDOMAIN, got: $o"
[ "$(up_count up1 40.3.77.10.in-addr.arpa PTR)" = 1 ] ||
	fail "PTR $NET.40 before the lease was not asked upstream: $(cat "$TMP/up1.counts")"

ip_c=$(udhcpc_lease c c1)
[ "$ip_c" = $NET.40 ] || fail "client c got '$ip_c', not its reserved $NET.40"
# The very next queries, with no wait: the lease is in DNS the moment it
# is granted, and no negative answer from before lingers.
for n in c1 c1.lxc C1.LXC; do
	o=$(dig_in q $n AAAA)
	[ "$(dig_status "$o")" = NOERROR ] ||
		fail "AAAA $n after the lease: want NOERROR (NODATA), got: $o"
	[ "$(dig_count "$o" ANSWER)" = 0 ] || fail "AAAA $n has answers: $o"
	[ -n "$(dig_rdata "$o" SOA AUTHORITY)" ] || fail "AAAA $n NODATA without an SOA in authority: $o"
	o=$(dig_in q $n A)
	[ "$(dig_status "$o")" = NOERROR ] || fail "A $n after the lease: got: $o"
	[ "$(dig_rdata "$o" A)" = "$ip_c" ] || fail "A $n: want only $ip_c, got: $o"
	dig_has_flag "$o" aa || fail "A $n from the lease is not authoritative: $o"
done
ok "right after the lease: A c1 = $ip_c, AAAA c1 is NODATA with an SOA (also as c1.lxc, any case)"

o=$(dig_in q -x "$ip_c")
[ "$(dig_status "$o")" = NOERROR ] || fail "PTR $ip_c: got: $o"
[ "$(dig_rdata "$o" PTR)" = "c1.lxc." ] || fail "PTR $ip_c: want c1.lxc., got: $o"
ok "PTR $ip_c is c1.lxc at once, though NXDOMAIN was cached for it before the lease"

for n in c1 c1.lxc; do
	[ "$(up_count up1 $n)" = 0 ] || fail "the upstream was asked for $n: $(cat "$TMP/up1.counts")"
done
ok "none of it was forwarded"
