#!/bin/bash
# DHCPv6 with ISC dhclient -6 in a client namespace:
# - it obtains an address from a stateful range; the lease is in the lease
#   file in dnsmasq's IPv6 form, below the server's generated "duid" line,
#   and the log says DHCPREPLY;
# - the FQDN it sends names the lease: AAAA and the ip6.arpa PTR answer
#   from leased's DNS, and the same client's IPv4 lease keeps the A record
#   under the same name (one name, both families);
# - --interface-name answers the bridge's IPv6 addresses (AAAA, and the
#   ip6.arpa PTR) too;
# - running again keeps the address; a restart keeps the server DUID;
# - releases from the host on the client's behalf (LXD's unicast one,
#   dnsmasq's dhcp_release6) end the lease, and one naming another
#   server's DUID does not; leasectl watch shows the IPv6 events;
# - a release removes the lease: the AAAA is gone (NODATA: the A stays);
# - a reservation in a hostsfile directory (LXD's MAC,IPv4,[IPv6],NAME)
#   is honoured after SIGHUP;
# - leasectl release MAC ends the client's leases of both families;
# - a client whose DUID and link-local address carry no MAC gets it from
#   the neighbour table.
. "$(dirname "$0")/lib.sh"
command -v dhclient >/dev/null || fail "dhclient missing (scripts/deps.sh installs it)"
need_dns_tools

setup_server6 fd42:77:6
add_client c 02:00:00:00:00:0c
C=$(client_ns c)

ARGS=(--interface=$BR --bind-interfaces --listen-address=$SRV_ADDR --listen-address=$SRV6
	--dhcp-range=$NET.10,$NET.50,1h --dhcp-range=$P6::100,$P6::1ff,1h -s lxc
	--interface-name=gw.lxc,$BR --interface-name=gw6.lxc,$BR/6 --dhcp-hostsfile=$TMP/hosts.d
	--dhcp-script=$TMP/hook.sh)
mkdir -p "$TMP/hosts.d"
printf '#!/bin/sh\necho "$*|${DNSMASQ_IAID:-}|${DNSMASQ_SERVER_DUID:-}|${DNSMASQ_INTERFACE:-}" >> %s\n' \
	"$TMP/hook.out" > "$TMP/hook.sh"
chmod +x "$TMP/hook.sh"
start_leased "${ARGS[@]}"

# The IPv4 lease of the same client, named c6.
ip4=$(udhcpc_lease c c6)
case "$ip4" in $NET.*) ;; *) fail "no IPv4 lease: '$ip4'" ;; esac
# udhcpc's script flushed eth0, link-local address too: make it again.
ip -n "$C" link set eth0 down
ip -n "$C" link set eth0 up
until_true 10 "usable link-local address in the client" sh -c \
	"ip -n $C -6 addr show dev eth0 scope link | grep -q inet6 && ! ip -n $C -6 addr show dev eth0 | grep -q tentative"

dh6() { dhclient6_lease c c6 "$@"; }
FAIL_LOGS="$TMP/leased.log $TMP/c.dh6.log"
dh6 || fail "dhclient -6 got no lease"
ip6=$(cat "$TMP/c.ip6")
case "$ip6" in $P6::1[0-9a-f][0-9a-f]) ;; *) fail "dhclient -6 got '$ip6'" ;; esac
grep -q "DHCPREPLY(br0) $ip6 " "$TMP/leased.log" || fail "no DHCPREPLY logged for $ip6"
ok "dhclient -6 got $ip6"

# The lease file: dnsmasq's v6 line (EXPIRY IAID ADDR NAME DUID) after leased's duid line.
until_true 3 "v6 lease in the lease file" grep -q " $ip6 c6 " "$TMP/leases"
duid_line=$(grep '^duid ' "$TMP/leases") || fail "no duid line: $(cat "$TMP/leases")"
awk -v a="$ip6" '$1 == "duid" { d = NR } $3 == a { l = NR } END { exit !(d && l > d) }' "$TMP/leases" ||
	fail "the duid line does not come before the v6 lease: $(cat "$TMP/leases")"
line=$(grep " $ip6 " "$TMP/leases")
[ "$(wc -w <<<"$line")" = 5 ] || fail "v6 lease line '$line' has not 5 fields"
case "$(awk '{print $5}' <<<"$line")" in 00:01:00:01:*:02:00:00:00:00:0c) ;;
	*) fail "v6 lease line '$line' does not carry dhclient's DUID-LLT" ;; esac
ok "lease file: '$line' below '$duid_line'"
duid=$(awk '{print $5}' <<<"$line")
until_true 5 "dhcp-script run for the IPv6 lease" \
	grep -qxF "add $duid $ip6 c6|12|${duid_line#duid }|$BR" "$TMP/hook.out"
ok "--dhcp-script: add DUID ADDR NAME with DNSMASQ_IAID, DNSMASQ_SERVER_DUID, DNSMASQ_INTERFACE"
ctl_ok leases -i "$BR"
grep -q "^$ip6 " <<<"$CTL_OUT" && grep -q "^$ip4 " <<<"$CTL_OUT" ||
	fail "leasectl leases -i $BR does not list both leases: $CTL_OUT"
ok "leasectl leases -i $BR lists the IPv4 and the IPv6 lease"
ctl_ok stats --json
jq -e '.dhcp6.received >= 2 and .dhcp6.replies >= 2' <<<"$CTL_OUT" >/dev/null ||
	fail "leasectl stats counts no DHCPv6 exchange: $CTL_OUT"
ok "leasectl stats counts the DHCPv6 messages"

# Names: one name, both families.
out=$(dig_in c c6.lxc AAAA)
[ "$(dig_rdata "$out" AAAA)" = "$ip6" ] || fail "c6.lxc AAAA is not $ip6: $out"
out=$(dig_in c c6.lxc A)
[ "$(dig_rdata "$out" A)" = "$ip4" ] || fail "c6.lxc A is not $ip4 (the v6 grant took the name?): $out"
out=$(dig_in c -x "$ip6")
[ "$(dig_rdata "$out" PTR)" = "c6.lxc." ] || fail "PTR of $ip6 is not c6.lxc.: $out"
ok "c6.lxc answers A $ip4 and AAAA $ip6, and $ip6's PTR names it"

# --interface-name: the bridge's addresses of both families (no link-local
# one), or of one with /6.
out=$(dig_in c gw.lxc AAAA)
[ "$(dig_rdata "$out" AAAA)" = "$SRV6" ] || fail "gw.lxc AAAA is not $SRV6: $out"
out=$(dig_in c gw.lxc A)
[ "$(dig_rdata "$out" A)" = "$SRV_ADDR" ] || fail "gw.lxc A is not $SRV_ADDR: $out"
out=$(dig_in c gw6.lxc A)
[ "$(dig_status "$out")" = NOERROR ] && [ "$(dig_count "$out" ANSWER)" = 0 ] ||
	fail "gw6.lxc (/6) should have no A: $out"
[ "$(dig_rdata "$(dig_in c gw6.lxc AAAA)" AAAA)" = "$SRV6" ] || fail "gw6.lxc AAAA is not $SRV6"
ok "--interface-name: gw.lxc A $SRV_ADDR and AAAA $SRV6; gw6.lxc (/6) AAAA only"
# Their PTRs: the first --interface-name of the interface, both trees.
[ "$(dig_rdata "$(dig_in c -x "$SRV6")" PTR)" = "gw.lxc." ] || fail "the PTR of $SRV6 is not gw.lxc."
[ "$(dig_rdata "$(dig_in c -x "$SRV_ADDR")" PTR)" = "gw.lxc." ] ||
	fail "the PTR of $SRV_ADDR is not gw.lxc."
ok "--interface-name: the ip6.arpa and in-addr.arpa PTRs of the bridge's addresses name gw.lxc"

# Again: the same address.  After a restart: the same server DUID.
dh6 || fail "dhclient -6 failed the second time"
[ "$(cat "$TMP/c.ip6")" = "$ip6" ] || fail "second run changed the address to $(cat "$TMP/c.ip6")"
stop_leased
start_leased "${ARGS[@]}"
[ "$(grep '^duid ' "$TMP/leases")" = "$duid_line" ] || fail "server DUID changed on restart"
# The "old" run for the IPv6 lease loaded at start knows the server DUID too.
until_true 5 "dhcp-script old run for the loaded IPv6 lease" \
	grep -q "^old $duid $ip6 c6|12|${duid_line#duid }|" "$TMP/hook.out"
ok "the address stays $ip6; the server DUID survives a restart"

# Releases sent from the host on the client's behalf.  LXD's: by unicast
# to the bridge's address, with the client's DUID and IAID and the server
# DUID from the lease file (lxd/network: networkDHCPv6Release).
cat > "$TMP/release6.py" <<'EOF'
import socket, struct, sys
dst, server, client, iaid, addr = sys.argv[1:6]
def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data
hexb = lambda s: bytes.fromhex(s.replace(":", ""))
iaaddr = opt(5, socket.inet_pton(socket.AF_INET6, addr) + struct.pack("!II", 0, 0))
msg = (bytes([8, 0x12, 0x34, 0x56]) + opt(1, hexb(client)) + opt(2, hexb(server)) +
       opt(3, struct.pack("!III", int(iaid), 0, 0) + iaaddr))
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.sendto(msg, (dst, 547))
EOF
lxd_release() { # SERVER-DUID
	local line
	line=$(grep " $ip6 " "$TMP/leases")
	ip netns exec "$SRV" python3 "$TMP/release6.py" "$SRV6" "$1" "$(awk '{print $5}' <<<"$line")" \
		"$(awk '{print $2}' <<<"$line")" "$ip6"
}
need_jq
ctl_bg "$TMP/watch6.json" watch --json
one_watcher() { [ "$(ctl_conns)" -ge 1 ]; }
wait_for one_watcher || fail "leasectl watch did not connect"
lxd_release "00:04:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff" # not ours: nothing happens
lxd_release "${duid_line#duid }"
until_true 5 "LXD's release logged" grep -q "DHCPRELEASE(br0) $ip6" "$TMP/leased.log"
until_true 3 "the released lease leaving the lease file" sh -c "! grep -q ' $ip6 ' '$TMP/leases'"
[ "$(grep -c "DHCPRELEASE(br0) $ip6" "$TMP/leased.log")" = 1 ] ||
	fail "a release naming another server DUID was honoured"
ok "LXD's release (unicast from the host, the server DUID from the lease file) ends $ip6; another server's does not"
# dhclient would only Confirm the lease it remembers: it must Solicit, with
# the DUID it keeps in the same file.
forget_lease6() {
	grep '^default-duid' "$TMP/c.dh6.leases" > "$TMP/c.dh6.duid"
	mv "$TMP/c.dh6.duid" "$TMP/c.dh6.leases"
}
forget_lease6
dh6 || fail "dhclient -6 failed after LXD's release"
[ "$(cat "$TMP/c.ip6")" = "$ip6" ] || fail "after LXD's release dhclient -6 got $(cat "$TMP/c.ip6"), not $ip6"
# leasectl watch saw both, as IPv6 lease objects.
until_true 3 "watch's grant line" grep -q '"grant"' "$TMP/watch6.json"
jq_true "$(cat "$TMP/watch6.json")" -s --arg a "$ip6" \
	'map(select(.lease.address == $a and .lease.family == 6) | .type) == ["release", "grant"]' ||
	fail "leasectl watch --json did not show the release and the grant of $ip6: $(cat "$TMP/watch6.json")"
ok "leasectl watch shows the IPv6 lease's release and grant"
# dnsmasq's dhcp_release6 (dnsmasq-utils), from the host too.
line=$(grep " $ip6 " "$TMP/leases")
ip netns exec "$SRV" dhcp_release6 --iface "$BR" --server-id "${duid_line#duid }" \
	--client-id "$(awk '{print $5}' <<<"$line")" --iaid "$(awk '{print $2}' <<<"$line")" --ip "$ip6" ||
	fail "dhcp_release6 failed"
until_true 3 "dhcp_release6's lease leaving the lease file" sh -c "! grep -q ' $ip6 ' '$TMP/leases'"
# Once more: no binding left, dhcp_release6 reads the NoBinding (exit 3, as with dnsmasq).
rc=0
ip netns exec "$SRV" dhcp_release6 --iface "$BR" --server-id "${duid_line#duid }" \
	--client-id "$(awk '{print $5}' <<<"$line")" --iaid "$(awk '{print $2}' <<<"$line")" \
	--ip "$ip6" 2>"$TMP/rel6.err" || rc=$?
[ "$rc" = 3 ] && grep -q "no binding found" "$TMP/rel6.err" ||
	fail "dhcp_release6 of a released lease: exit $rc, '$(cat "$TMP/rel6.err")' (want 3, no binding found)"
ok "dhcp_release6 (dnsmasq-utils) from the host ends $ip6; once more, it reads NoBinding"
forget_lease6
dh6 || fail "dhclient -6 failed after dhcp_release6"
[ "$(cat "$TMP/c.ip6")" = "$ip6" ] || fail "after dhcp_release6 dhclient -6 got $(cat "$TMP/c.ip6")"

# Release.
dh6 -r || fail "dhclient -6 -r failed"
until_true 5 "DHCPRELEASE logged" grep -q "DHCPRELEASE(br0) $ip6" "$TMP/leased.log"
until_true 3 "released lease leaving the lease file" sh -c "! grep -q ' $ip6 ' '$TMP/leases'"
out=$(dig_in c c6.lxc AAAA)
[ "$(dig_status "$out")" = NOERROR ] && [ "$(dig_count "$out" ANSWER)" = 0 ] ||
	fail "after release c6.lxc AAAA should be NODATA: $out"
out=$(dig_in c c6.lxc A)
[ "$(dig_rdata "$out" A)" = "$ip4" ] || fail "after the v6 release the A went too: $out"
ok "release: $ip6 gone from the lease file and from DNS, the A record stays"

# A reservation as LXD writes it (one file per NIC: MAC,IPv4,[IPv6],NAME), then SIGHUP.
echo "02:00:00:00:00:0c,$NET.44,[$P6::abc],c6" > "$TMP/hosts.d/c6"
kill -HUP "$LEASED_PID"
until_true 5 "reload logged" grep -q "reloaded: 1 DHCP reservations" "$TMP/leased.log"
rm -f "$TMP/c.dh6.leases"
dh6 || fail "dhclient -6 failed after the reservation"
[ "$(cat "$TMP/c.ip6")" = "$P6::abc" ] || fail "reserved [$P6::abc], got $(cat "$TMP/c.ip6")"
[ "$(dig_rdata "$(dig_in c c6.lxc AAAA)" AAAA)" = "$P6::abc" ] || fail "c6.lxc AAAA is not $P6::abc"
ok "LXD-style hostsfile line: dhclient -6 gets the reserved $P6::abc, and c6.lxc answers it"

# leasectl release MAC ends the client's IPv4 and IPv6 leases together.
ctl_ok release 02:00:00:00:00:0c
grep -q "^released $ip4 " <<<"$CTL_OUT" && grep -q "^released $P6::abc " <<<"$CTL_OUT" ||
	fail "leasectl release MAC printed: '$CTL_OUT'"
until_true 3 "both leases leaving the lease file" sh -c \
	"! grep -q ' $ip4 ' '$TMP/leases' && ! grep -q ' $P6::abc ' '$TMP/leases'"
# DNS now answers from the reservation alone (a lease would hide it).
[ "$(dig_rdata "$(dig_in c c6.lxc A)" A)" = "$NET.44" ] ||
	fail "after the release c6.lxc A is not the reserved $NET.44"
ok "leasectl release MAC: $ip4 and $P6::abc released together; c6.lxc answers its reservation"

# A client whose DUID (DUID-UUID) and link-local address (random, not
# EUI-64) carry no MAC: the neighbour table gives it, so the lease knows it.
add_client d 02:00:00:00:00:0d
D=$(client_ns d)
ip netns exec "$D" sysctl -qw net.ipv6.conf.eth0.addr_gen_mode=3
ip -n "$D" link set eth0 down
ip -n "$D" link set eth0 up
until_true 10 "a random link-local address in d" sh -c \
	"ip -n $D -6 addr show dev eth0 scope link | grep -q inet6 && ! ip -n $D -6 addr show dev eth0 | grep -q tentative"
ip -n "$D" -6 addr show dev eth0 scope link | grep -q 'ff:fe' &&
	fail "d's link-local address is EUI-64: $(ip -n "$D" -6 addr show dev eth0 scope link)"
printf 'default-duid "\\000\\004%s";\n' "$(printf '\\%03o' $(seq 1 16))" > "$TMP/d.dh6.leases"
FAIL_LOGS="$FAIL_LOGS $TMP/d.dh6.log"
dhclient6_lease d d6 || fail "dhclient -6 in d got no lease"
ip6d=$(cat "$TMP/d.ip6")
ctl_ok show "$ip6d" --json
jq -e '.hwaddr == "02:00:00:00:00:0d"' <<<"$CTL_OUT" >/dev/null ||
	fail "the lease of $ip6d (DUID-UUID, random link-local) does not know d's MAC: $CTL_OUT"
grep -q " $ip6d d6 00:04:01:02:03:" "$TMP/leases" || fail "d's lease line: $(grep " $ip6d " "$TMP/leases")"
ok "DUID-UUID from a random link-local address: the neighbour table gives the lease of $ip6d its MAC"
stop_leased
