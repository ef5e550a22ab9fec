#!/bin/bash
# Bad input from the wire: truncated packets, wrong op/hlen, option lengths
# running past the packet, overloaded options pointing at garbage, a
# one-byte client-id, absurd lease requests, requests outside any range.
# The daemon survives, no lease is created or changed, the log says what
# was wrong at a limited rate, and a good client still gets its lease.
. "$(dirname "$0")/lib.sh"

setup_server
add_client a 02:00:00:00:00:0a
add_client x 02:00:00:00:ee:01
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,1h \
	--dhcp-authoritative --no-ping
ip_a=$(udhcpc_lease a)
wait_for grep -q " $ip_a " "$TMP/leases" || fail "good client's lease not written"
sleep 1.2
before=$(md5sum < "$TMP/leases")

sent=$(ip netns exec "$(client_ns x)" python3 "$TOP/tests/integration/badpackets.py" eth0 50) ||
	fail "could not send bad packets"
sleep 1.5
kill -0 "$LEASED_PID" || fail "leased died on bad packets"
[ "$(md5sum < "$TMP/leases")" = "$before" ] || fail "bad packets changed the lease file: $(cat "$TMP/leases")"
grep -q '02:00:00:00:ee:01' "$TMP/leases" && fail "a bad packet created a lease"
ok "$sent bad packets: daemon alive, lease file unchanged"

drops=$(grep -c 'dropped:' "$TMP/leased.log")
[ "$drops" -ge 1 ] || fail "no log line says why a packet was dropped"
[ "$drops" -le 20 ] || fail "$drops drop lines for one burst: not rate-limited"
grep -q 'dropped:.*\(short\|cookie\|past\|length\|BOOTREQUEST\|hlen\)' "$TMP/leased.log" ||
	fail "drop lines do not say what was wrong: $(grep dropped: "$TMP/leased.log" | head -3)"
ok "$drops rate-limited log lines name what was wrong"

[ "$(udhcpc_lease a)" = "$ip_a" ] || fail "good client lost its address after the burst"
ok "good client still served"
