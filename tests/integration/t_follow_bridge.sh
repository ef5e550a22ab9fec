#!/bin/bash
# leased follows the bridge through netlink: with --bind-dynamic it starts
# before the bridge exists and serves it once it appears; with either
# --bind-dynamic or --bind-interfaces it keeps serving after the bridge is
# deleted and re-created with a new index (an lxc-net restart), without
# being restarted, and clients keep their addresses.
. "$(dirname "$0")/lib.sh"

make_bridge() {
	ip -n "$SRV" link add "$BR" type bridge || fail "cannot create bridge"
	ip -n "$SRV" addr add "$SRV_ADDR/24" dev "$BR"
	ip -n "$SRV" link set "$BR" up
	ip -n "$SRV" link set "va" master "$BR" up
}

new_ns "$SRV"
new_ns "$(client_ns a)"
ip link add va type veth peer name eth0 netns "$(client_ns a)"
ip link set va netns "$SRV"
ip -n "$(client_ns a)" link set eth0 address 02:00:00:00:00:0a up

for mode in --bind-dynamic --bind-interfaces; do
	rm -f "$TMP/leases"
	ip -n "$SRV" link del "$BR" 2>/dev/null
	if [ "$mode" = --bind-dynamic ]; then
		start_leased --interface=$BR $mode --dhcp-range=$NET.10,$NET.50,1h
		make_bridge
		ok "$mode: started before $BR existed"
	else
		make_bridge
		start_leased --interface=$BR $mode --dhcp-range=$NET.10,$NET.50,1h
	fi
	first=$(udhcpc_lease a)
	case "$first" in $NET.*) ;; *) fail "$mode: no lease on the new bridge" ;; esac
	old_index=$(ip -n "$SRV" -o link show "$BR" | cut -d: -f1)
	ip -n "$SRV" link del "$BR"
	make_bridge
	new_index=$(ip -n "$SRV" -o link show "$BR" | cut -d: -f1)
	[ "$old_index" != "$new_index" ] || fail "bridge kept its index"
	sleep 0.3
	again=$(udhcpc_lease a)
	[ "$again" = "$first" ] || fail "$mode: after re-creating $BR client got $again, had $first"
	ok "$mode: bridge re-created (index $old_index -> $new_index), client keeps $first"
	stop_leased
done
