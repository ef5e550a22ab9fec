#!/bin/bash
# Real DHCP clients (busybox udhcpc, ISC dhclient) obtain, renew and
# release leases from leased on a bridge; no two clients share an address;
# a client keeps its address across a server restart (also after kill -9).
. "$(dirname "$0")/lib.sh"

setup_server
add_client a 02:00:00:00:00:0a
add_client b 02:00:00:00:00:0b
add_client c 02:00:00:00:00:0c
start_leased --interface=$BR --bind-interfaces --except-interface=lo \
	--dhcp-range=$NET.10,$NET.50,12h -s lxc --dhcp-authoritative

ip_a=$(udhcpc_lease a ca)
case "$ip_a" in $NET.*) ;; *) fail "client a got '$ip_a'" ;; esac
grep -q "^router=$SRV_ADDR$" "$TMP/a.udhcpc" || fail "router is not the bridge address"
grep -q "^dns=$SRV_ADDR$" "$TMP/a.udhcpc" || fail "DNS server is not the bridge address"
grep -q "^domain=lxc$" "$TMP/a.udhcpc" || fail "domain option missing"
grep -q "^lease=43200$" "$TMP/a.udhcpc" || fail "lease time is not 12h: $(grep lease= "$TMP/a.udhcpc")"
ok "udhcpc got $ip_a with router, DNS, domain and lease time"

wait_for lease_line "$ip_a" >/dev/null || fail "lease for $ip_a not in the lease file within 3 s"
lease_line "$ip_a" | grep -q " 02:00:00:00:00:0a $ip_a ca " || fail "lease line wrong: $(lease_line "$ip_a")"
grep -q "DHCPACK(br0) $ip_a 02:00:00:00:00:0a ca" "$TMP/leased.log" || fail "no dnsmasq-style DHCPACK log line"
ok "lease file and log carry the lease"

# ISC dhclient, with a script that only records what it got.
ns_b=$(client_ns b)
dhclient4_lease b
ip_b=$(cat "$TMP/b.ip")
case "$ip_b" in $NET.*) ;; *) fail "dhclient got '$ip_b'" ;; esac
ip_c=$(udhcpc_lease c cc)
case "$ip_c" in $NET.*) ;; *) fail "client c got '$ip_c'" ;; esac
[ "$ip_a" != "$ip_b" ] && [ "$ip_b" != "$ip_c" ] && [ "$ip_a" != "$ip_c" ] ||
	fail "clients share an address: $ip_a $ip_b $ip_c"
ok "dhclient got $ip_b; three clients, three addresses"

# Renew: dhclient in its bound state renews by unicast when told to.
ip netns exec "$ns_b" timeout 20 dhclient -4 -1 -sf "$TMP/b.dh4-script" \
	-lf "$TMP/b.dh4.leases" -pf "$TMP/b.dh4.pid" eth0 >>"$TMP/b.dh4.log" 2>&1 ||
	fail "dhclient renewal failed"
[ "$(cat "$TMP/b.ip")" = "$ip_b" ] || fail "renewal changed the address"
ok "dhclient renewal keeps $ip_b"

# Restart after kill -9: the same client gets the same address.
stop_leased_hard
start_leased --interface=$BR --bind-interfaces --except-interface=lo \
	--dhcp-range=$NET.10,$NET.50,12h -s lxc --dhcp-authoritative
grep -q "3 leases loaded" "$TMP/leased.log" || fail "restart did not load 3 leases"
again=$(udhcpc_lease a ca)
[ "$again" = "$ip_a" ] || fail "after kill -9 and restart client a got $again, had $ip_a"
ok "after kill -9 and restart client a keeps $ip_a"

# Release: a bound udhcpc -R sends DHCPRELEASE when it is stopped (with
# -q it quits before it counts as bound and releases nothing); the lease
# leaves the lease file.
ns_a=$(client_ns a)
ip netns exec "$ns_a" env LEASE_OUT="$TMP/a.udhcpc" udhcpc -i eth0 -f -R -t 6 -T 1 \
	-s "$UDHCPC_SCRIPT" >"$TMP/a.release.log" 2>&1 &
rel_pid=$!
PIDS="$PIDS $rel_pid"
wait_for grep -q "obtained" "$TMP/a.release.log" || fail "udhcpc -R got no lease"
kill -TERM "$rel_pid"
wait "$rel_pid" 2>/dev/null
wait_for grep -q "DHCPRELEASE(br0) $ip_a" "$TMP/leased.log" || fail "no DHCPRELEASE logged"
wait_for sh -c "! grep -q ' $ip_a ' '$TMP/leases'" || fail "released lease still in the lease file"
ok "release removes the lease"
