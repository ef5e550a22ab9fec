#!/bin/bash
# Per-domain routing: with --server=/corp.test/SECOND --server=FIRST
# --strict-order, names under corp.test are asked of SECOND only, even
# though FIRST is asked first for everything else and says NXDOMAIN for
# corp.test; a second query still resolves (no NXDOMAIN was cached); a
# CNAME from FIRST into corp.test has its target resolved by SECOND.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
add_upstream_ns $NET.2 $NET.3
add_client q 02:00:00:00:00:71
# FIRST: NXDOMAIN for corp.test and everything below; knows example.test.
start_upstream first $NET.2 --nxdomain '*.corp.test' \
	--rule 'plain.example.test A 192.0.2.5' \
	--cname www.example.test web.corp.test
# SECOND: owns corp.test.
start_upstream second $NET.3 --rule 'host.corp.test A 192.0.2.10' \
	--rule 'web.corp.test A 192.0.2.11' --nxdomain '*.corp.test'
FAIL_LOGS="$TMP/leased.log $TMP/first.log $TMP/second.log"
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	-s lxc -S /lxc/ --no-resolv --no-hosts --strict-order \
	--server=/corp.test/$NET.3 --server=$NET.2 --log-queries
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac

counts() { echo "first: $(cat "$TMP/first.counts"); second: $(cat "$TMP/second.counts")"; }

for i in 1 2; do
	o=$(dig_in q host.corp.test A)
	[ "$(dig_status "$o")" = NOERROR ] || fail "query $i for host.corp.test: want NOERROR, got: $o"
	[ "$(dig_rdata "$o" A)" = 192.0.2.10 ] || fail "query $i for host.corp.test: want 192.0.2.10, got: $o"
done
[ "$(up_count second host.corp.test A)" -ge 1 ] || fail "SECOND was never asked for host.corp.test: $(counts)"
[ "$(up_count first host.corp.test)" = 0 ] || fail "FIRST was asked for host.corp.test: $(counts)"
ok "host.corp.test resolves through the server for corp.test, twice; the default server never asked"

o=$(dig_in q plain.example.test A)
[ "$(dig_rdata "$o" A)" = 192.0.2.5 ] || fail "plain.example.test through FIRST: got: $o"
[ "$(up_count second plain.example.test)" = 0 ] || fail "SECOND asked for plain.example.test: $(counts)"
ok "other names go to the default server only"

# NXDOMAIN from the server owning the domain is passed on; FIRST never asked.
o=$(dig_in q nothere.corp.test A)
[ "$(dig_status "$o")" = NXDOMAIN ] || fail "nothere.corp.test: want NXDOMAIN from SECOND, got: $o"
[ "$(up_count second nothere.corp.test A)" = 1 ] || fail "SECOND not asked for nothere.corp.test: $(counts)"
[ "$(up_count first nothere.corp.test)" = 0 ] || fail "FIRST asked for nothere.corp.test: $(counts)"
o=$(dig_in q corp.test SOA)
[ "$(dig_status "$o")" = NXDOMAIN ] || fail "corp.test itself: want NXDOMAIN from SECOND, got: $o"
[ "$(up_count first corp.test)" = 0 ] || fail "FIRST asked for corp.test itself: $(counts)"
[ "$(up_count second corp.test)" = 1 ] || fail "SECOND not asked for corp.test itself: $(counts)"
ok "NXDOMAIN for nothere.corp.test and corp.test itself comes from the corp.test server"

# A CNAME into a routed domain: FIRST answers www.example.test CNAME
# web.corp.test (and nothing more); the A comes from SECOND.
o=$(dig_in q www.example.test A)
[ "$(dig_status "$o")" = NOERROR ] || fail "www.example.test: want NOERROR, got: $o"
[ "$(dig_rdata "$o" CNAME)" = web.corp.test. ] || fail "www.example.test: CNAME missing: $o"
[ "$(dig_rdata "$o" A)" = 192.0.2.11 ] || fail "www.example.test: want A 192.0.2.11 of the CNAME's target, got: $o"
[ "$(up_count second web.corp.test A)" -ge 1 ] || fail "SECOND not asked for the CNAME target: $(counts)"
[ "$(up_count first web.corp.test)" = 0 ] || fail "FIRST asked for web.corp.test: $(counts)"
ok "www.example.test CNAME web.corp.test: the target's A from the corp.test server"
