#!/bin/bash
# A full disk: the lease directory is a 256 KiB tmpfs the test fills up.
# No DHCPACK goes out for a lease that is not on disk, but OFFERs still do
# (also behind held ACKs), DNS keeps answering, the failure is logged once
# and shown by `leasectl stats`; once space returns, the store recovers
# (logged once) and clients get leases again.
. "$(dirname "$0")/lib.sh"
need_jq
need_dns_tools

DISK=$TMP/disk
mkdir -p "$DISK"
mount -t tmpfs -o size=256k tmpfs "$DISK" || fail "cannot mount a tmpfs on $DISK"
at_cleanup "umount -l '$DISK' 2>/dev/null"
export LEASEFILE=$DISK/leases

setup_server
add_client q 02:00:00:00:02:01
add_client a 02:00:00:00:02:0a
add_client b 02:00:00:00:02:0b
add_client c 02:00:00:00:02:0c
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h --no-ping \
	-s lxc -S /lxc/ --no-resolv --no-hosts --control-socket="$CTL_SOCK"

udhcpc_lease q querier >/dev/null
ip_a=$(udhcpc_lease a alpha)
wait_for lease_line "$ip_a" >/dev/null || fail "no lease-file line for $ip_a"
sleep 1.3 # the snapshot after it: the journal starts afresh, empty
dd if=/dev/zero of="$DISK/fill" bs=4k 2>/dev/null
dd if=/dev/zero of="$DISK/fill2" bs=1 2>/dev/null
ok "alpha holds $ip_a; $DISK is full: $(df -k "$DISK" | awk 'NR == 2 { print $4 }') KiB free"

# try CLIENT: one udhcpc run, 3 DISCOVER/REQUEST tries 1 s apart.
try() {
	ip netns exec "$(client_ns "$1")" env LEASE_OUT="$TMP/$1.udhcpc" udhcpc -v -i eth0 -f -q -n \
		-t 3 -T 1 -A 1 -s "$UDHCPC_SCRIPT" >"$TMP/$1.udhcpc.log" 2>&1
}
try b && fail "client b got a lease with the disk full: $(cat "$TMP/b.udhcpc.log")"
grep -q 'select for' "$TMP/b.udhcpc.log" || fail "client b got no OFFER: $(cat "$TMP/b.udhcpc.log")"
ok "client b: OFFERed, but no ACK while its lease cannot be saved"
# b's ACKs still wait (or were dropped): c's OFFER must not wait behind them.
try c >/dev/null &
TRY_C=$!
PIDS="$PIDS $TRY_C"
sleep 0.3
o=$(dig_in q alpha.lxc A)
[ "$(dig_rdata "$o" A)" = "$ip_a" ] || fail "DNS with the disk full: $o"
ok "DNS answers alpha.lxc with the disk full"
wait "$TRY_C" && fail "client c got a lease with the disk full"
grep -q 'select for' "$TMP/c.udhcpc.log" || fail "client c got no OFFER behind held ACKs: $(cat "$TMP/c.udhcpc.log")"
ok "client c: OFFERed at once although ACKs wait for the disk"

ctl_ok stats --json
jq_true "$CTL_OUT" '.store.state == "failing" and (.store.error | test("No space left")) and .store.changes_waiting > 0' ||
	fail "stats with the disk full: $(jq -c .store <<<"$CTL_OUT")"
jq_true "$CTL_OUT" '.dhcp.replies_dropped_waiting > 0' ||
	fail "stats: no held reply dropped: $(jq -c .dhcp <<<"$CTL_OUT")"
n=$(grep -c 'lease store failing' "$TMP/leased.log")
[ "$n" = 1 ] || fail "the failure was logged $n times"
ok "stats: $(jq -c '.store' <<<"$CTL_OUT"); failure logged once"

rm -f "$DISK/fill" "$DISK/fill2"
recovered() { grep -q 'lease store works again' "$TMP/leased.log"; }
wait_for recovered || fail "no recovery logged after space returned"
ctl_ok stats --json
jq_true "$CTL_OUT" '.store.state == "ok" and .store.error == null' || fail "stats after recovery: $(jq -c .store <<<"$CTL_OUT")"
try b || fail "client b got no lease after space returned: $(cat "$TMP/b.udhcpc.log")"
ip_b=$(sed -n 's/^ip=//p' "$TMP/b.udhcpc")
wait_for lease_line "$ip_b" >/dev/null || fail "no lease-file line for $ip_b"
[ "$(grep -c 'lease store failing' "$TMP/leased.log")" = 1 ] || fail "failure logged again"
[ "$(grep -c 'lease store works again' "$TMP/leased.log")" = 1 ] || fail "recovery logged more than once"
ok "space back: recovery logged once, stats ok, client b leased $ip_b"
kill -0 "$LEASED_PID" 2>/dev/null || fail "leased died"
