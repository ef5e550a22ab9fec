#!/bin/bash
# Durability a test can see: kill -9 keeps the page cache, so only the
# order of system calls shows that a lease is on disk before its DHCPACK.
# leased runs under strace for a burst of clients (udhcpc, dhclient -4 and
# dhclient -6); fsync_order.py checks that each DHCPACK and DHCPv6 REPLY
# granting an address was sent after an fdatasync of
# the journal that covered its lease's record, and that every rename
# into place (lease file, fresh journal) is followed by an fsync of the
# lease directory.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || fail "strace missing (scripts/deps.sh installs it)"
command -v dhclient >/dev/null || fail "dhclient missing (scripts/deps.sh installs it)"

N=6
setup_server
ip -n "$SRV" -6 addr add fd42:77:7::1/64 dev "$BR" nodad
for i in $(seq $N); do add_client "c$i" "02:00:00:00:01:0$i"; done
add_client d 02:00:00:00:01:0d
cat >"$TMP/leased-strace" <<EOS
#!/bin/sh
exec strace -f -tt -T -y -xx -s 1500 -o "$TMP/trace" \
	-e trace=write,fdatasync,fsync,rename,unlink,sendmmsg,sendmsg "$TOP/build/leased" "\$@"
EOS
chmod +x "$TMP/leased-strace"
LEASED=$TMP/leased-strace start_leased --interface=$BR --bind-interfaces \
	--dhcp-range=$NET.10,$NET.100,1h --dhcp-range=fd42:77:7::10,fd42:77:7::ff,1h \
	--no-ping --no-resolv --no-hosts --port=0

# The burst: every client at once, then dhclient, then renewals.
BURST=""
for i in $(seq $N); do
	ip netns exec "$(client_ns "c$i")" env LEASE_OUT="$TMP/c$i.udhcpc" udhcpc -i eth0 -f -q -n \
		-t 6 -T 1 -A 1 -s "$UDHCPC_SCRIPT" >"$TMP/c$i.log" 2>&1 &
	BURST="$BURST $!"
done
PIDS="$PIDS $BURST"
ns_d=$(client_ns d)
ip netns exec "$ns_d" dhclient -4 -1 -v -sf /bin/true -lf "$TMP/d.leases" -pf "$TMP/d.pid" eth0 \
	>"$TMP/d.log" 2>&1 || fail "dhclient got no lease: $(tail -3 "$TMP/d.log")"
at_cleanup "[ -s '$TMP/d.pid' ] && kill \$(cat '$TMP/d.pid') 2>/dev/null"
until_true 10 "usable link-local address for d" sh -c \
	"ip -n $ns_d -6 addr show dev eth0 scope link | grep -q inet6 && ! ip -n $ns_d -6 addr show dev eth0 | grep -q tentative"
ip netns exec "$ns_d" timeout 30 dhclient -6 -1 -v -sf /bin/true -lf "$TMP/d6.leases" \
	-pf "$TMP/d6.pid" eth0 >"$TMP/d6.log" 2>&1 || fail "dhclient -6 got no lease: $(tail -3 "$TMP/d6.log")"
at_cleanup "[ -s '$TMP/d6.pid' ] && kill \$(cat '$TMP/d6.pid') 2>/dev/null"
wait $BURST
for i in $(seq $N); do
	grep -qs '^ip=' "$TMP/c$i.udhcpc" || fail "client c$i got no lease: $(tail -3 "$TMP/c$i.log")"
done
sleep 1.2 # a lease-file snapshot: its rename and the journal's rotation
ip netns exec "$(client_ns c1)" env LEASE_OUT="$TMP/c1b.udhcpc" udhcpc -i eth0 -f -q -n \
	-t 6 -T 1 -A 1 -s "$UDHCPC_SCRIPT" >"$TMP/c1b.log" 2>&1 || fail "c1's second lease failed"
ok "$((N + 3)) leases granted under strace (one of them DHCPv6)"

# Stop leased itself (strace's child), so strace writes the whole trace.
kids=$(pgrep -P "$LEASED_PID")
kill -TERM $kids
wait "$LEASED_PID" 2>/dev/null
LEASED_PID=""
"$PY3" "$TOP/tests/integration/fsync_order.py" "$TMP/trace" "$TMP/leases" >"$TMP/order.out" 2>&1 ||
	{ cat "$TMP/order.out" >&2; fail "durability order violated"; }
while read -r l; do ok "$l"; done <"$TMP/order.out"
