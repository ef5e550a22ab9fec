#!/bin/bash
# Conflict check: an address that answers a ping (a host configured by
# hand, unknown to leased) is not offered; the client gets another one and
# the log says why.  Without a squatter the same client gets the first
# choice, so the check really changed the outcome.
. "$(dirname "$0")/lib.sh"

setup_server
add_client a 02:00:00:00:00:0a
add_client s 02:00:00:00:00:99
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,1h

first=$(udhcpc_lease a)
case "$first" in $NET.*) ;; *) fail "no lease without a squatter" ;; esac
stop_leased
rm -f "$TMP/leases" "$TMP/leases".*
ip -n "$(client_ns a)" addr flush dev eth0
# Forget where the old address lived: leased set that entry itself.
ip -n "$SRV" neigh flush dev "$BR"

# The squatter takes the address client a would be offered.
ip -n "$(client_ns s)" addr add "$first/24" dev eth0
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,1h
second=$(udhcpc_lease a)
case "$second" in $NET.*) ;; *) fail "no lease with a squatter present" ;; esac
[ "$second" != "$first" ] || fail "offered $first although it answers pings"
grep -q "$first answers a ping" "$TMP/leased.log" || fail "log does not say why $first was skipped"
ok "squatter on $first detected by ping; client got $second instead"

# With --no-ping nothing is checked (lxc-net passes it when configured).
stop_leased
rm -f "$TMP/leases" "$TMP/leases".*
ip -n "$(client_ns a)" addr flush dev eth0
# Forget where the old address lived: leased set that entry itself.
ip -n "$SRV" neigh flush dev "$BR"
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,1h --no-ping
third=$(udhcpc_lease a)
[ "$third" = "$first" ] || fail "--no-ping still avoided $first (got $third)"
ok "--no-ping offers $first without checking"
