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

# And back (lxc-net switched to dnsmasq again, then to leased): dnsmasq
# ends beta's lease (a release from the host, as LXD sends it) and
# rewrites the file in place.  leased's journal from before is older than
# that file: leased says so, sets it aside, and beta stays released.
stop_leased_hard
start_dnsmasq() {
	ip netns exec "$SRV" dnsmasq -k --conf-file=/dev/null -u root --port=0 "${ARGS[@]}" \
		--dhcp-leasefile="$TMP/leases" --pid-file="$TMP/dnsmasq.pid" \
		--log-facility="$TMP/dnsmasq.log" &
	DNSMASQ_PID=$!
	PIDS="$PIDS $DNSMASQ_PID"
}
rm -f "$TMP/dnsmasq.pid"
start_dnsmasq
wait_for test -s "$TMP/dnsmasq.pid" || fail "dnsmasq did not start again"
ip netns exec "$SRV" dhcp_release "$BR" "$ip_b" 02:00:00:00:00:0b 01:02:00:00:00:00:0b ||
	fail "dhcp_release failed"
wait_for sh -c "! grep -q ' $ip_b ' '$TMP/leases'" || fail "dnsmasq did not end beta's lease"
kill -9 "$DNSMASQ_PID"
wait "$DNSMASQ_PID" 2>/dev/null
start_leased "${ARGS[@]}"
grep -q "was rewritten by another program" "$TMP/leased.log" ||
	fail "leased did not notice dnsmasq rewrote the lease file"
[ -e "$TMP/leases.journal.stale" ] || fail "the stale journal was not kept aside"
grep -q " $ip_b " "$TMP/leases" && fail "leased brought back beta's lease that dnsmasq ended"
grep -q " $ip_a alpha " "$TMP/leases" || fail "leased lost alpha on the way back"
ok "back from dnsmasq: its file wins over leased's older journal (kept as leases.journal.stale)"
