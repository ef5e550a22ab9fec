#!/bin/bash
# leasectl release NAME|MAC|ADDR ends a lease at once: it leaves
# `leasectl leases` and the lease file, and the very next DNS query no
# longer answers the old address (NAME.lxc is NXDOMAIN, the PTR is gone).
# The address is held back until the old lease would have expired: the
# released client's renewal (udhcpc still running, SIGUSR1) is NAKed and
# it falls back to DISCOVER and a different address, and a client asking
# for the old address (udhcpc -r OLDIP) gets another one.
. "$(dirname "$0")/lib.sh"
need_jq
need_dns_tools

setup_server
add_client q 02:00:00:00:00:71
add_client a 02:00:00:00:00:0a
add_client b 02:00:00:00:00:0b
add_client c 02:00:00:00:00:0c
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	-s lxc -S /lxc/ --no-resolv --no-hosts --control-socket="$CTL_SOCK"

ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac

# Client a keeps its DHCP client running, as a container does, so that it
# can be made to renew (SIGUSR1) after its lease was released.
ns_a=$(client_ns a)
ip netns exec "$ns_a" env LEASE_OUT="$TMP/a.udhcpc" udhcpc -i eth0 -f -t 6 -T 1 -A 1 \
	-s "$UDHCPC_SCRIPT" -x hostname:alpha >"$TMP/a.udhcpc.log" 2>&1 &
UDHCPC_A=$!
PIDS="$PIDS $UDHCPC_A"
at_cleanup "kill $UDHCPC_A 2>/dev/null"
wait_for grep -qs '^ip=' "$TMP/a.udhcpc" || fail "client a got no lease: $(cat "$TMP/a.udhcpc.log")"
ip_a=$(sed -n 's/^ip=//p' "$TMP/a.udhcpc")
ip_b=$(udhcpc_lease b beta)
ip_c=$(udhcpc_lease c gamma)
for ip in "$ip_a" "$ip_b" "$ip_c"; do
	wait_for lease_line "$ip" >/dev/null || fail "no lease-file line for $ip"
done
ok "leases: $ip_a alpha (udhcpc keeps running), $ip_b beta, $ip_c gamma"

# Before: the names answer the leased addresses (so the checks after mean something).
for n in alpha beta gamma; do
	o=$(dig_in q $n.lxc A)
	[ "$(dig_status "$o")" = NOERROR ] && [ -n "$(dig_rdata "$o" A)" ] || fail "$n.lxc before release: $o"
done
o=$(dig_in q -x "$ip_a")
[ "$(dig_rdata "$o" PTR)" = alpha.lxc. ] || fail "PTR $ip_a before release: $o"

in_leases() { jq_true "$(ctl leases --json)" --arg a "$1" 'any(.[]; .address == $a)'; }
gone_from_file() { ! lease_line "$1" >/dev/null; }

# released KEY IP MAC NAME: leasectl release KEY ends the lease of IP; DNS
# forgets it at once.
released() {
	local key=$1 ip=$2 mac=$3 name=$4 o
	ctl_ok release "$key"
	[ "$CTL_OUT" = "released $ip ($mac, $name)" ] || fail "release $key printed: '$CTL_OUT'"
	# The very next query: no wait, no retry.
	o=$(dig_in q "$name.lxc" A)
	[ "$(dig_status "$o")" = NXDOMAIN ] || fail "A $name.lxc right after release $key: want NXDOMAIN, got: $o"
	[ "$(dig_count "$o" ANSWER)" = 0 ] || fail "A $name.lxc after release has answers: $o"
	o=$(dig_in q "$name" A)
	dig_rdata "$o" A | grep -qx "$ip" && fail "A $name still answers $ip after release: $o"
	o=$(dig_in q -x "$ip")
	dig_rdata "$o" PTR | grep -q "$name" && fail "PTR $ip still names $name after release: $o"
	in_leases "$ip" && fail "leasectl leases still lists $ip after release $key: $(ctl leases)"
	ctl_run show "$ip"
	[ "$CTL_RC" = 4 ] || fail "show $ip after release: exit $CTL_RC, want 4: $CTL_OUT $CTL_ERR"
	wait_for gone_from_file "$ip" || fail "the lease file still has $ip after release $key: $(cat "$TMP/leases")"
	return 0
}
released alpha "$ip_a" 02:00:00:00:00:0a alpha
ok "release alpha (by name): gone from leases and the lease file; alpha.lxc NXDOMAIN on the next query"
released 02-00-00-00-00-0B "$ip_b" 02:00:00:00:00:0b beta
ok "release 02-00-00-00-00-0B (by MAC): the same for beta"
ctl_ok release "$ip_c" --json
jq_true "$CTL_OUT" --arg a "$ip_c" '.address == $a and .hostname == "gamma" and .hwaddr == "02:00:00:00:00:0c"' \
	 || fail "release $ip_c --json: $CTL_OUT"
o=$(dig_in q gamma.lxc A)
[ "$(dig_status "$o")" = NXDOMAIN ] || fail "A gamma.lxc right after release $ip_c: $o"
wait_for gone_from_file "$ip_c" || fail "the lease file still has $ip_c after release"
ok "release $ip_c --json (by address): prints the lease object; gamma.lxc NXDOMAIN"
in_leases "$ip_q" || fail "the querier's lease $ip_q went too: $(ctl leases)"
lease_line "$ip_q" >/dev/null || fail "the querier's lease line went too"

ctl_run release alpha
[ "$CTL_RC" = 4 ] || fail "release alpha a second time: exit $CTL_RC, want 4 ($CTL_ERR)"
grep -q 'no lease for alpha' <<<"$CTL_ERR" || fail "release alpha again: message: $CTL_ERR"
ok "releasing it again: exit 4, no lease for alpha"

# Client a's renewal of the released address is refused; it starts over
# and gets another address.
: >"$TMP/a.udhcpc"
kill -USR1 "$UDHCPC_A"
for _ in $(seq 100); do
	grep -q '^ip=' "$TMP/a.udhcpc" && break
	sleep 0.1
done
grep -q '^ip=' "$TMP/a.udhcpc" || fail "client a has no address 10 s after renewing: $(cat "$TMP/a.udhcpc.log")"
new_a=$(sed -n 's/^ip=//p' "$TMP/a.udhcpc")
grep -qi 'nak' "$TMP/a.udhcpc.log" || fail "client a's renewal of $ip_a was not NAKed: $(cat "$TMP/a.udhcpc.log")"
grep -q "DHCPNAK($BR) $ip_a 02:00:00:00:00:0a" "$TMP/leased.log" || fail "leased logged no DHCPNAK for $ip_a"
[ "$new_a" != "$ip_a" ] || fail "client a renewed the released $ip_a: $(cat "$TMP/a.udhcpc.log")"
case "$new_a" in $NET.*) ;; *) fail "client a got '$new_a' after the NAK" ;; esac
wait_for lease_line "$new_a" >/dev/null || fail "no lease-file line for a's new $new_a"
o=$(dig_in q alpha.lxc A)
[ "$(dig_rdata "$o" A)" = "$new_a" ] || fail "alpha.lxc after the new lease: want $new_a, got: $o"
ok "client a's renewal of $ip_a was NAKed; it got $new_a instead (alpha.lxc answers it)"

# Client b asks for its old address: it is held back, b gets another.
ns_b=$(client_ns b)
ip netns exec "$ns_b" env LEASE_OUT="$TMP/b2.udhcpc" udhcpc -i eth0 -f -q -n -t 6 -T 1 -A 1 \
	-s "$UDHCPC_SCRIPT" -x hostname:beta -r "$ip_b" >"$TMP/b2.udhcpc.log" 2>&1 ||
	fail "client b got no lease asking for $ip_b: $(cat "$TMP/b2.udhcpc.log")"
new_b=$(sed -n 's/^ip=//p' "$TMP/b2.udhcpc")
[ -n "$new_b" ] && [ "$new_b" != "$ip_b" ] || fail "client b (udhcpc -r $ip_b) got '$new_b': the released address was not held back"
[ "$new_b" != "$new_a" ] || fail "client b got a's address $new_a"
o=$(dig_in q beta.lxc A)
[ "$(dig_rdata "$o" A)" = "$new_b" ] || fail "beta.lxc: want $new_b, got: $o"
ok "udhcpc -r $ip_b in client b: got $new_b, not the released address"

# Nobody else gets a held-back address either.
ns_c=$(client_ns c)
ip netns exec "$ns_c" env LEASE_OUT="$TMP/c2.udhcpc" udhcpc -i eth0 -f -q -n -t 6 -T 1 -A 1 \
	-s "$UDHCPC_SCRIPT" -x hostname:gamma -r "$ip_a" >"$TMP/c2.udhcpc.log" 2>&1 ||
	fail "client c got no lease: $(cat "$TMP/c2.udhcpc.log")"
new_c=$(sed -n 's/^ip=//p' "$TMP/c2.udhcpc")
[ "$new_c" != "$ip_a" ] || fail "client c (udhcpc -r $ip_a) got a's released address"
ok "another client asking for the released $ip_a got $new_c"

kill -0 "$LEASED_PID" 2>/dev/null || fail "leased died"
