#!/bin/bash
# Large answers: an upstream answer of about 3 KB (180 A records) reaches
# a client without EDNS as a well-formed reply of at most 512 bytes with
# TC set and whole records; with EDNS 4096 or over TCP the client gets
# all of it.  When the upstream truncates every UDP answer, leased fetches
# the answer over TCP and still hands out every record.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
add_upstream_ns $NET.2
add_client q 02:00:00:00:00:71
start_upstream up1 $NET.2 --big big.test
FAIL_LOGS="$TMP/leased.log $TMP/up1.log"
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	-s lxc -S /lxc/ --no-resolv --no-hosts --server=$NET.2 --log-queries
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac

# expect_whole OUT WHAT NAME: all 180 distinct A records, no TC.
expect_whole() {
	[ "$(dig_status "$1")" = NOERROR ] || fail "$2: want NOERROR, got: $1"
	! dig_has_flag "$1" tc || fail "$2: TC set on the whole answer: $(dig_flags "$1")"
	[ "$(dig_count "$1" ANSWER)" = 180 ] || fail "$2: want 180 answers, header says $(dig_count "$1" ANSWER)"
	[ "$(dig_rdata "$1" A | sort -u | wc -l)" = 180 ] ||
		fail "$2: want 180 distinct A records, got $(dig_rdata "$1" A | sort -u | wc -l)"
	grep -qi malformed <<<"$1" && fail "$2: dig reports a malformed reply: $1"
	return 0
}

# No EDNS, no retry over TCP: a truncated reply of whole records.
o=$(dig_in q +noedns +ignore big.test A)
[ "$(dig_status "$o")" = NOERROR ] || fail "+noedns: want NOERROR, got: $o"
grep -qi malformed <<<"$o" && fail "+noedns: dig reports a malformed reply: $o"
dig_has_flag "$o" tc || fail "+noedns: 3 KB answer without TC: $(dig_flags "$o")"
n=$(dig_count "$o" ANSWER)
[ "${n:-0}" -gt 0 ] || fail "+noedns: the truncated reply has no answer record: $o"
[ "$(dig_rdata "$o" A | wc -l)" = "$n" ] || fail "+noedns: header says $n answers, dig shows $(dig_rdata "$o" A | wc -l)"
size=$(dig_size "$o")
[ -n "$size" ] && [ "$size" -le 512 ] || fail "+noedns: reply of '$size' bytes, over 512"
ok "without EDNS: TC, $n whole records in $size bytes"

# EDNS 1232 (the size resolvers use by default): truncated to fit.
o=$(dig_in q +bufsize=1232 +ignore big.test A)
dig_has_flag "$o" tc || fail "+bufsize=1232: 3 KB answer without TC: $(dig_flags "$o")"
n=$(dig_count "$o" ANSWER)
[ "$(dig_rdata "$o" A | wc -l)" = "${n:-x}" ] || fail "+bufsize=1232: header says '$n' answers, dig shows $(dig_rdata "$o" A | wc -l)"
size=$(dig_size "$o")
[ -n "$size" ] && [ "$size" -le 1232 ] || fail "+bufsize=1232: reply of '$size' bytes, over 1232"
ok "with EDNS 1232: TC, $n whole records in $size bytes"

o=$(dig_in q +noedns big.test A)
expect_whole "$o" "+noedns with dig's retry over TCP"
ok "without EDNS the client's retry over TCP gets all 180 records"

o=$(dig_in q +bufsize=4096 big.test A)
expect_whole "$o" "+bufsize=4096"
grep -q '(UDP)' <<<"$o" || fail "+bufsize=4096 answer did not come over UDP: $o"
ok "with EDNS 4096 all 180 records over UDP, no TC"

o=$(dig_in q +tcp big.test A)
expect_whole "$o" "+tcp"
ok "over TCP all 180 records"

# The upstream now truncates every UDP answer: leased must ask again
# over TCP and never pass the empty truncated reply on as complete.
up_rules up1 <<EOR
tc-udp always
big big2.test
rule small.test A 192.0.2.20
EOR
o=$(dig_in q +bufsize=4096 big2.test A)
expect_whole "$o" "big2.test from an upstream truncating UDP (EDNS 4096)"
[ "$(up_count up1 big2.test A tcp)" -ge 1 ] ||
	fail "no TCP query from leased for big2.test: $(cat "$TMP/up1.counts")"
o=$(dig_in q +tcp big2.test A)
expect_whole "$o" "big2.test from an upstream truncating UDP (TCP)"
ok "upstream truncating over UDP: leased asked over TCP, the client got all 180 records"

o=$(dig_in q small.test A)
[ "$(dig_status "$o")" = NOERROR ] && [ "$(dig_rdata "$o" A)" = 192.0.2.20 ] ||
	fail "small.test from an upstream truncating UDP: want 192.0.2.20, got: $o"
! dig_has_flag "$o" tc || fail "small.test: TC passed on: $o"
[ "$(up_count up1 small.test A tcp)" -ge 1 ] ||
	fail "no TCP query from leased for small.test: $(cat "$TMP/up1.counts")"
ok "a small answer truncated upstream is fetched over TCP too"
