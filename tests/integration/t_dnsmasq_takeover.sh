#!/bin/bash
# Switching from dnsmasq: real dnsmasq hands out leases and writes its
# lease file; it is killed with -9 (as lxc-net stops it); leased starts on
# the same file and every client keeps the address and name dnsmasq gave.
. "$(dirname "$0")/lib.sh"

setup_server
add_client a 02:00:00:00:00:0a
add_client b 02:00:00:00:00:0b
ARGS=(--interface=$BR --bind-interfaces --except-interface=lo
	--dhcp-range=$NET.10,$NET.200,12h --dhcp-authoritative)

ip netns exec "$SRV" dnsmasq -k --conf-file=/dev/null -u root --port=0 "${ARGS[@]}" \
	--dhcp-leasefile="$TMP/leases" --pid-file="$TMP/dnsmasq.pid" \
	--log-facility="$TMP/dnsmasq.log" &
DNSMASQ_PID=$!
PIDS="$PIDS $DNSMASQ_PID"
wait_for test -s "$TMP/dnsmasq.pid" || fail "dnsmasq did not start"
ip_a=$(udhcpc_lease a alpha)
ip_b=$(udhcpc_lease b beta)
wait_for grep -q beta "$TMP/leases" || fail "dnsmasq wrote no lease file"
kill -9 "$DNSMASQ_PID"
wait "$DNSMASQ_PID" 2>/dev/null
ok "dnsmasq gave $ip_a (alpha) and $ip_b (beta), then was killed with -9"

start_leased "${ARGS[@]}"
grep -q '2 leases loaded' "$TMP/leased.log" || fail "leased did not load dnsmasq's 2 leases"
[ "$(udhcpc_lease a alpha)" = "$ip_a" ] || fail "client a lost $ip_a"
[ "$(udhcpc_lease b beta)" = "$ip_b" ] || fail "client b lost $ip_b"
wait_for grep -q " 02:00:00:00:00:0a $ip_a alpha " "$TMP/leases" || fail "lease file lost alpha"
grep -q " 02:00:00:00:00:0b $ip_b beta " "$TMP/leases" || fail "lease file lost beta"
ok "leased took over dnsmasq's lease file: both clients keep address and name"
