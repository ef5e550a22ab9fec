#!/bin/bash
# The running daemon's timers and signals: a lease leaves the table (and
# the lease file) when it expires, by timer, with no client traffic;
# SIGUSR1 logs statistics; SIGUSR2 reopens a log file moved away (as
# logrotate does); SIGHUP drops reservations deleted from a hosts file.
. "$(dirname "$0")/lib.sh"

setup_server
add_client a 02:00:00:00:00:0a
now=$(date +%s)
# Two leases from "before": one expires 3 s from now, one in an hour.
cat > "$TMP/leases" <<EOL
$((now + 3)) 02:00:00:00:00:01 $NET.21 soon *
$((now + 3600)) 02:00:00:00:00:02 $NET.22 later *
EOL
echo "02:00:00:00:00:0a,$NET.30,alpha" > "$TMP/hosts"
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,1h \
	--dhcp-hostsfile="$TMP/hosts"
grep -q '2 leases loaded' "$TMP/leased.log" || fail "the two leases were not loaded"

sleep 4.5
grep -q " $NET.21 " "$TMP/leases" && fail "expired lease still in the lease file"
grep -q " $NET.22 later " "$TMP/leases" || fail "unexpired lease lost"
ok "the lease expiring 3 s after start left the lease file on its own; the other stayed"

kill -USR1 "$LEASED_PID"
wait_for grep -q '1 leases held' "$TMP/leased.log" || fail "SIGUSR1 logged no statistics"
grep -q 'DHCP: .* received' "$TMP/leased.log" || fail "SIGUSR1 logged no DHCP counters"
ok "SIGUSR1 logs lease count and DHCP counters"

mv "$TMP/leased.log" "$TMP/leased.log.1"
kill -USR2 "$LEASED_PID"
# Both pending at once, signalfd hands over SIGUSR1 (10) before SIGUSR2 (12).
wait_for test -e "$TMP/leased.log" || fail "SIGUSR2 did not reopen the log file"
kill -USR1 "$LEASED_PID"
wait_for grep -q 'leases held' "$TMP/leased.log" || fail "no new log file after SIGUSR2"
ok "SIGUSR2 reopens the log file after it was moved away"

[ "$(udhcpc_lease a)" = "$NET.30" ] || fail "reservation not honoured"
: > "$TMP/hosts"
kill -HUP "$LEASED_PID"
wait_for grep -q 'reloaded: 0 DHCP reservations' "$TMP/leased.log" ||
	fail "deleted reservation still counted after SIGHUP"
ok "SIGHUP drops a reservation deleted from the hosts file"
