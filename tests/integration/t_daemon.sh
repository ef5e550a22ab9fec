#!/bin/bash
# Daemon lifecycle as lxc-net relies on it: the parent exits 0 only once
# the daemon is ready (pid file written, privileges dropped), start-up
# errors reach the exit status and stderr, a stale pid file does not block
# a start, the store stays durable after -u nobody in a root-only lease
# directory, SIGHUP rereads --dhcp-hostsfile, and losing the bridge's
# addresses or link never drops a lease.
. "$(dirname "$0")/lib.sh"

setup_server
add_client a 02:00:00:00:00:0a
add_client b 02:00:00:00:00:0b
# The lease directory is root's, like /var/lib/misc: nobody cannot write
# there.  Files reread on SIGHUP must stay readable to the user, as with
# dnsmasq.
chmod 755 "$TMP"
mkdir -m 700 "$TMP/misc"
LEASEFILE=$TMP/misc/leases
# Its own control socket (as start_leased gives one): the default,
# /run/leased/br0.sock, is the machine's and shared with other tests.
COMMON=(--interface=$BR --bind-interfaces --except-interface=lo
	--dhcp-range=$NET.10,$NET.50,1h --dhcp-leasefile="$LEASEFILE"
	--log-facility="$TMP/leased.log" --dhcp-authoritative --control-socket="$CTL_SOCK")

# Bad configuration: status 1, message on stderr, nothing started.
ip netns exec "$SRV" "$LEASED" "${COMMON[@]}" --pid-file="$TMP/bad.pid" \
	--dhcp-range=$NET.60,$NET.55 2>"$TMP/bad.err"
[ $? -eq 1 ] || fail "bad configuration did not exit 1"
grep -q 'dhcp-range' "$TMP/bad.err" || fail "no message naming --dhcp-range: $(cat "$TMP/bad.err")"
[ ! -e "$TMP/bad.pid" ] || fail "a pid file was written for a bad configuration"
ok "bad configuration: exit 1, message names the option, nothing started"

# A missing hosts file: status 3 (a file problem), the message names it,
# nothing started (the stale pid file below is left as it is).
echo 999999 > "$TMP/leased.pid"
ip netns exec "$SRV" "$LEASED" "${COMMON[@]}" --pid-file="$TMP/leased.pid" -u nobody \
	--dhcp-hostsfile="$TMP/hosts" 2>"$TMP/start.err"
rc=$?
[ $rc -eq 3 ] || fail "missing hosts file exited $rc, not 3: $(cat "$TMP/start.err")"
grep -q "$TMP/hosts" "$TMP/start.err" || fail "missing hosts file not named: $(cat "$TMP/start.err")"
[ "$(cat "$TMP/leased.pid")" = 999999 ] || fail "the pid file was rewritten by a start that failed"
ok "missing hosts file: exit 3, message names $TMP/hosts, nothing started"

# A stale pid file from a killed daemon does not block the start.
echo "02:00:00:00:00:0a,$NET.40,alpha" > "$TMP/hosts"
ip netns exec "$SRV" "$LEASED" "${COMMON[@]}" --pid-file="$TMP/leased.pid" -u nobody \
	--dhcp-hostsfile="$TMP/hosts" 2>"$TMP/start.err"
rc=$?
[ $rc -eq 0 ] || fail "daemon start exited $rc: $(cat "$TMP/start.err")"
LEASED_PID=$(cat "$TMP/leased.pid")
[ "$LEASED_PID" != 999999 ] && kill -0 "$LEASED_PID" 2>/dev/null || fail "pid file does not name a running daemon"
ok "parent exited 0 after start; stale pid file replaced with $LEASED_PID"

uid=$(awk '/^Uid:/ {print $2}' "/proc/$LEASED_PID/status")
caps=$(awk '/^CapEff:/ {print $2}' "/proc/$LEASED_PID/status")
[ "$uid" = 65534 ] || fail "daemon runs as uid $uid, not nobody"
# CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12), CAP_NET_RAW (13) and nothing else.
[ "$caps" = 0000000000003400 ] || fail "daemon keeps capabilities $caps"
ok "daemon runs as nobody with only NET_ADMIN, NET_RAW and NET_BIND_SERVICE"

# A second server on the same port fails with status 2, naming address and port.
ip netns exec "$SRV" "$LEASED" --dhcp-range=$NET.10,$NET.50 --pid-file= \
	--dhcp-leasefile="$TMP/other.leases" --control-socket="$TMP/other.sock" 2>"$TMP/inuse.err"
rc=$?
[ $rc -eq 2 ] || fail "port in use exited $rc, not 2"
grep -q '0.0.0.0 port 67' "$TMP/inuse.err" || fail "port-in-use message: $(cat "$TMP/inuse.err")"
ok "port in use: exit 2, message names 0.0.0.0 port 67"

# Reservation from the hosts file; the lease is durable though the daemon
# is nobody and the directory is root's.
ip_a=$(udhcpc_lease a)
[ "$ip_a" = "$NET.40" ] || fail "reserved client got $ip_a, not $NET.40"
wait_for grep -q " $NET.40 alpha " "$LEASEFILE" || fail "lease not written as nobody"
ok "reservation honoured, lease written by the store while the daemon is nobody"

# SIGHUP rereads the hosts file: the reservation moves.
echo "02:00:00:00:00:0a,$NET.41,alpha" > "$TMP/hosts"
kill -HUP "$LEASED_PID"
wait_for grep -q 'reloaded' "$TMP/leased.log" || fail "no reload logged"
ip_a=$(udhcpc_lease a)
[ "$ip_a" = "$NET.41" ] || fail "after SIGHUP client got $ip_a, not $NET.41"
ok "SIGHUP reload moves the reservation to $NET.41"

# Losing the bridge's addresses and link (lxc-net stop does this before
# kill -9) drops no lease and does not rewrite the file.
ip_b=$(udhcpc_lease b)
wait_for grep -q " $ip_b " "$LEASEFILE" || fail "client b lease not written"
sleep 1.2
before=$(md5sum < "$LEASEFILE")
ip -n "$SRV" addr flush dev "$BR"
ip -n "$SRV" link set "$BR" down
sleep 1.5
[ "$(md5sum < "$LEASEFILE")" = "$before" ] || fail "lease file changed when the bridge went away"
stop_leased_hard
ip -n "$SRV" addr add "$SRV_ADDR/24" dev "$BR"
ip -n "$SRV" link set "$BR" up
start_leased "${COMMON[@]:0:4}" --dhcp-hostsfile="$TMP/hosts" --dhcp-authoritative
grep -q '2 leases loaded' "$TMP/leased.log" || fail "leases lost after the bridge went down and kill -9"
[ "$(udhcpc_lease b)" = "$ip_b" ] || fail "client b lost its address"
ok "bridge down, addresses flushed, kill -9: both leases kept"
