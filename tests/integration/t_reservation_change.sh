#!/bin/bash
# A reservation changed under a live lease (LXD: `lxc config device set
# CT eth0 ipv4.address=...` rewrites the NIC's hostsfile line and sends
# SIGHUP): the container must not answer by two addresses from one NIC's
# history, as it does under dnsmasq until the old lease expires.
#   1. a client holds a dynamic IPv4 lease (udhcpc, running) and a DHCPv6
#      one (dhclient -6), both named c1: c1.lxc answers A and AAAA;
#   2. its hostsfile line now reserves other addresses; SIGHUP.  At once
#      c1.lxc answers the reserved addresses only, the old addresses' PTRs
#      no longer name it, and the old leases stay in the lease file (the
#      client still uses them);
#   3. udhcpc renews (SIGUSR1): a DHCPNAK, then the reserved address; the
#      old lease is gone and c1.lxc answers the new lease.
# Not authoritative (lxc-net's default), so the NAK comes from the lease
# table, not from --dhcp-authoritative.
. "$(dirname "$0")/lib.sh"
command -v dhclient >/dev/null || fail "dhclient missing (scripts/deps.sh installs it)"
need_dns_tools

setup_server6 fd42:77:8
add_client c 02:00:00:00:00:0c
C=$(client_ns c)
mkdir -p "$TMP/hosts.d"
start_leased --interface=$BR --bind-interfaces --listen-address=$SRV_ADDR \
	--dhcp-range=$NET.10,$NET.50,1h --dhcp-range=$P6::100,$P6::1ff,1h -s lxc \
	--dhcp-hostsfile="$TMP/hosts.d"

# 1. udhcpc stays running (renewals on SIGUSR1), hostname c1.
ip netns exec "$C" env LEASE_OUT="$TMP/c.udhcpc" udhcpc -i eth0 -f -t 6 -T 1 -A 1 \
	-s "$UDHCPC_SCRIPT" -x hostname:c1 >"$TMP/c.udhcpc.log" 2>&1 &
UDHCPC=$!
PIDS="$PIDS $UDHCPC"
FAIL_LOGS="$TMP/leased.log $TMP/c.udhcpc.log $TMP/c.dh6.log"
until_true 10 "udhcpc's lease" grep -qs "^ip=$NET\." "$TMP/c.udhcpc"
ip4=$(sed -n 's/^ip=//p' "$TMP/c.udhcpc")
# udhcpc's script flushed eth0, link-local address too: make it again.
ip -n "$C" link set eth0 down
ip -n "$C" link set eth0 up
until_true 10 "usable link-local address in the client" sh -c \
	"ip -n $C -6 addr show dev eth0 scope link | grep -q inet6 && ! ip -n $C -6 addr show dev eth0 | grep -q tentative"
dhclient6_lease c c1 || fail "dhclient -6 got no lease"
ip6=$(cat "$TMP/c.ip6")
case "$ip6" in $P6::1[0-9a-f][0-9a-f]) ;; *) fail "dhclient -6 got '$ip6'" ;; esac
[ "$(dig_rdata "$(dig_in c c1.lxc A)" A)" = "$ip4" ] || fail "c1.lxc A is not $ip4"
[ "$(dig_rdata "$(dig_in c c1.lxc AAAA)" AAAA)" = "$ip6" ] || fail "c1.lxc AAAA is not $ip6"
ok "c1 holds $ip4 and $ip6, and c1.lxc answers both"

# 2. The reservation moves it; the old addresses leave DNS with the reload.
echo "02:00:00:00:00:0c,$NET.77,[$P6::77],c1" > "$TMP/hosts.d/c1"
kill -HUP "$LEASED_PID"
until_true 5 "reload logged" grep -q "reloaded: 1 DHCP reservations" "$TMP/leased.log"
out=$(dig_in c c1.lxc A)
[ "$(dig_count "$out" ANSWER)" = 1 ] && [ "$(dig_rdata "$out" A)" = "$NET.77" ] ||
	fail "after the reload c1.lxc A should be the reserved $NET.77 alone: $out"
out=$(dig_in c c1.lxc AAAA)
[ "$(dig_count "$out" ANSWER)" = 1 ] && [ "$(dig_rdata "$out" AAAA)" = "$P6::77" ] ||
	fail "after the reload c1.lxc AAAA should be the reserved $P6::77 alone: $out"
for a in "$ip4" "$ip6"; do
	out=$(dig_in c -x "$a")
	[ "$(dig_rdata "$out" PTR)" != "c1.lxc." ] || fail "the PTR of the old $a still names c1: $out"
done
lease_line "$ip4" >/dev/null && lease_line "$ip6" >/dev/null ||
	fail "the old leases left the lease file before the client was told: $(cat "$TMP/leases")"
grep -q "$ip4 (c1): a changed reservation takes this address" "$TMP/leased.log" ||
	fail "the log does not say why $ip4 left DNS"
ok "SIGHUP: c1.lxc answers $NET.77 and $P6::77 only; $ip4 and $ip6 no longer name it"

# 3. The next renewal: NAK, then the reserved address.
kill -USR1 "$UDHCPC"
until_true 15 "udhcpc moving to $NET.77" grep -qx "ip=$NET.77" "$TMP/c.udhcpc"
grep -q "DHCPNAK(br0) $ip4 " "$TMP/leased.log" || fail "no DHCPNAK for the renewal of $ip4"
until_true 3 "the old lease leaving the lease file" sh -c "! grep -q ' $ip4 ' '$TMP/leases'"
out=$(dig_in c c1.lxc A)
[ "$(dig_count "$out" ANSWER)" = 1 ] && [ "$(dig_rdata "$out" A)" = "$NET.77" ] ||
	fail "c1.lxc A is not $NET.77 alone after the move: $out"
lease_line "$NET.77" | grep -q " c1 " || fail "no lease of $NET.77 named c1: $(cat "$TMP/leases")"
ok "udhcpc's renewal: DHCPNAK for $ip4, then $NET.77 (leased, named c1)"
