#!/bin/bash
# The conflict check before an address is offered (RFC 2131 section 2.2,
# net/probe.h): an address some host on the bridge already uses, unknown
# to leased, is not offered; the client gets another one and the log says
# how the host was found.  Every case starts from an empty lease file, and
# client a would get the same first choice each time (its MAC picks it),
# so each case shows the check changed the outcome:
#   - a squatter that answers ARP but drops pings (found by ARP);
#   - a squatter that ignores ARP requests but answers pings, known to the
#     host's neighbour table from its own traffic (found by ping);
#   - a neighbour entry set by hand for the address, no host at all (found
#     in the neighbour table, no probe);
#   - the client itself still holding the address: its own ARP reply is
#     no conflict, it gets the address;
#   - an address re-offered right after its previous holder left: the
#     neighbour entry leased itself set for that holder is no conflict;
#   - --no-ping: nothing is checked.
. "$(dirname "$0")/lib.sh"

setup_server
add_client a 02:00:00:00:00:0a
add_client b 02:00:00:00:00:0b
add_client s 02:00:00:00:00:99
SQ=$(client_ns s)
OPTS=(--interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,1h)

# fresh [ARGS...]: leased again with no leases and a new log, nobody holding an address,
# and a neighbour table without the entries the last case left.
fresh() {
	[ -n "${LEASED_PID:-}" ] && stop_leased
	rm -f "$TMP/leases" "$TMP/leases".*
	: >"$TMP/leased.log" # each case reads its own log
	for c in a b s; do ip -n "$(client_ns $c)" addr flush dev eth0; done
	ip -n "$SRV" neigh flush dev "$BR" nud all
	ip netns exec "$SQ" sysctl -qw net.ipv4.icmp_echo_ignore_all=0 net.ipv4.conf.eth0.arp_ignore=0
	start_leased "${OPTS[@]}" "$@"
}

# in_use_logged ADDR HOW: the warning leased logs for an address found in use.
in_use_logged() { grep -q "$1 is in use ($2" "$TMP/leased.log"; }

# avoided WHY HOW: client a must not get $first, and the log must say HOW
# it was found in use; prints what a got instead.
avoided() {
	local got
	got=$(udhcpc_lease a)
	[ "$got" != "$first" ] || fail "offered $first although $1"
	in_use_logged "$first" "$2" || fail "log does not say $2: $(grep 'in use' "$TMP/leased.log")"
	echo "$got"
}

fresh
first=$(udhcpc_lease a) || exit 1
case "$first" in $NET.*) ;; *) fail "no lease without a squatter" ;; esac
ok "without a squatter client a gets $first"

# A squatter that drops every ping (a firewalled host) still answers ARP.
fresh
ip -n "$SQ" addr add "$first/24" dev eth0
ip netns exec "$SQ" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
got=$(avoided "a host answers ARP for it" "it answers ARP at 02:00:00:00:00:99") || exit 1
ok "squatter that drops pings found by ARP; client got $got"

# A squatter that never answers ARP requests (arp_ignore=8), which the
# host knows from its own traffic: the neighbour entry is unconfirmed
# (STALE/DELAY), so leased pings through it as well.
fresh
ip -n "$SQ" addr add "$first/24" dev eth0
ip netns exec "$SQ" sysctl -qw net.ipv4.conf.eth0.arp_ignore=8
ip netns exec "$SQ" busybox ping -c1 -W1 "$SRV_ADDR" >/dev/null || fail "squatter cannot reach the server"
got=$(avoided "a host answers pings for it" "it answers a ping") || exit 1
ok "squatter that ignores ARP found by ping; client got $got"

# An entry in the neighbour table set by hand: in use without any probe.
fresh
ip -n "$SRV" neigh replace "$first" lladdr 02:00:00:00:00:77 nud permanent dev "$BR"
got=$(avoided "the neighbour table has it at another MAC" \
	"the neighbour table knows it at 02:00:00:00:00:77") || exit 1
ok "permanent neighbour entry for $first is a conflict without a probe; client got $got"

# The client itself still holds the address (its DHCP client restarted and
# left the interface configured): it answers ARP with its own MAC.
fresh
ip -n "$(client_ns a)" addr add "$first/24" dev eth0
KEEP=$TMP/keep-address.sh
printf '#!/bin/sh\n[ "$1" = deconfig ] && exit 0\nexec %s "$@"\n' "$UDHCPC_SCRIPT" >"$KEEP"
chmod +x "$KEEP"
got=$(UDHCPC_SCRIPT=$KEEP udhcpc_lease a) || exit 1
[ "$got" = "$first" ] || fail "client a holding $first itself got $got: its own ARP reply taken for a conflict"
in_use_logged "$first" "" && fail "$first logged as in use although only its client answered"
ok "the client's own ARP reply for $first is no conflict"

# Client a takes the address, leaves and is released from the host (as
# LXD does, dhcp_release); leased restarts and b asks for the address.  leased set a
# neighbour entry for a when it unicast a's replies: that alone is no
# conflict (the probe finds nobody).
fresh
got=$(udhcpc_lease a) || exit 1
[ "$got" = "$first" ] || fail "client a got '$got', not $first"
ip -n "$(client_ns a)" addr flush dev eth0
ip netns exec "$SRV" dhcp_release "$BR" "$first" 02:00:00:00:00:0a 01:02:00:00:00:00:0a ||
	fail "dhcp_release failed"
wait_for grep -q "DHCPRELEASE.*$first" "$TMP/leased.log" || fail "leased did not take a's release"
# A new leased: one that remembers $first checked free would not check it.
stop_leased
start_leased "${OPTS[@]}"
ip -n "$SRV" neigh show "$first" dev "$BR" | grep -q 02:00:00:00:00:0a ||
	fail "no neighbour entry for client a (the case would prove nothing)"
got=$(ip netns exec "$(client_ns b)" env LEASE_OUT="$TMP/b.udhcpc" udhcpc -i eth0 -f -q -n \
	-t 6 -T 1 -A 1 -s "$UDHCPC_SCRIPT" -r "$first" >"$TMP/b.udhcpc.log" 2>&1 &&
	sed -n 's/^ip=//p' "$TMP/b.udhcpc")
[ "$got" = "$first" ] || fail "client b asking for $first after a left got '$got'"
in_use_logged "$first" "" && fail "$first logged as in use after its holder left"
ok "the neighbour entry leased set for a departed client is no conflict"

# With --no-ping nothing is checked (lxc-net passes it when configured).
fresh --no-ping
ip -n "$SQ" addr add "$first/24" dev eth0
got=$(udhcpc_lease a) || exit 1
[ "$got" = "$first" ] || fail "--no-ping still avoided $first (got $got)"
ok "--no-ping offers $first without checking"
