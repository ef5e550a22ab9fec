#!/bin/bash
# An upstream that never answers: a forwarded name gets SERVFAIL within
# 3 s (before a stub resolver's 5 s timeout), not silence; with a second
# upstream that works, names resolve through it.  With no
# upstream at all a name leased does not own gets REFUSED.  Either way
# single-label and local-domain names still get authoritative answers.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
add_upstream_ns $NET.2 $NET.3
add_client q 02:00:00:00:00:71
add_client c 02:00:00:00:00:0c
start_upstream up1 $NET.2 --silent
start_upstream up2 $NET.3 --rule 'alive.example.test A 192.0.2.60' --rule 'alive2.example.test A 192.0.2.61'
FAIL_LOGS="$TMP/leased.log $TMP/up1.log $TMP/up2.log"
ARGS=(--interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h
	-s lxc --no-resolv --no-hosts --log-queries)
start_leased "${ARGS[@]}" -S /lxc/ --server=$NET.2
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac
ip_c=$(udhcpc_lease c c1)
case "$ip_c" in $NET.*) ;; *) fail "client c got '$ip_c'" ;; esac

# timed NAME: dig with a 5 s timeout (a stub resolver's); output in $o,
# milliseconds in $ms.
timed() {
	local t0 t1
	t0=$(date +%s%N)
	o=$(dig_in q +time=5 "$1" A)
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
}
for n in dead1.example.test dead2.example.test dead3.example.test; do
	timed $n
	[ "$(dig_status "$o")" = SERVFAIL ] || fail "$n via a silent upstream: want SERVFAIL, got (after $ms ms): $o"
	[ "$ms" -lt 3000 ] || fail "$n: SERVFAIL after $ms ms, want < 3000"
	ok "$n via a silent upstream: SERVFAIL after $ms ms"
done
[ "$(up_count up1 dead1.example.test A)" -ge 1 ] || fail "the upstream was never asked: $(cat "$TMP/up1.counts")"

# expect_local NAME STATUS [ADDR]: an authoritative answer from leased.
expect_local() {
	local o
	o=$(dig_in q "$1" A)
	[ "$(dig_status "$o")" = "$2" ] || fail "A $1: want $2, got: $o"
	dig_has_flag "$o" aa || fail "A $1: not authoritative: $o"
	[ "$(dig_rdata "$o" A)" = "${3:-}" ] || fail "A $1: want '${3:-}', got: $o"
}
check_local() {
	expect_local c1 NOERROR "$ip_c"
	expect_local c1.lxc NOERROR "$ip_c"
	expect_local nothere NXDOMAIN
	expect_local nothere.lxc NXDOMAIN
}
check_local
for n in c1 c1.lxc nothere nothere.lxc; do
	[ "$(up_count up1 $n)" = 0 ] || fail "$n was forwarded: $(cat "$TMP/up1.counts")"
done
ok "with the upstream dead, c1, c1.lxc, nothere and nothere.lxc still answered here, authoritatively"

# The silent upstream first, a working one second: the answer comes from the second.
stop_leased
start_leased "${ARGS[@]}" -S /lxc/ --strict-order --server=$NET.2 --server=$NET.3
for na in alive.example.test=192.0.2.60 alive2.example.test=192.0.2.61; do
	n=${na%=*}
	timed $n
	[ "$(dig_status "$o")" = NOERROR ] && [ "$(dig_rdata "$o" A)" = "${na#*=}" ] ||
		fail "$n with a silent first and a working second upstream: got (after $ms ms): $o"
	ok "$n with a silent first upstream and a working second: answered after $ms ms"
done

# No upstream at all.
stop_leased
start_leased "${ARGS[@]}"
for n in other.example.test example.org; do
	o=$(dig_in q $n A)
	[ "$(dig_status "$o")" = REFUSED ] || fail "$n with no upstream: want REFUSED, got: $o"
done
ok "with no upstream a non-local name is REFUSED"
check_local
ok "with no upstream c1, c1.lxc, nothere and nothere.lxc still answered here, authoritatively"
