#!/bin/bash
# `leasectl release` is durable: once it has answered, the removal and the
# quarantine of the address are on disk.  Release, kill -9 at once (as
# lxc-net stops the daemon), restart: the lease is still gone, the
# released client's renewal is NAKed and nobody else is given the address.
. "$(dirname "$0")/lib.sh"
need_jq

setup_server
add_client a 02:00:00:00:00:0a
add_client c 02:00:00:00:00:0c
ARGS=(--interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h
	--no-resolv --no-hosts --control-socket="$CTL_SOCK")
start_leased "${ARGS[@]}"

# Client a keeps udhcpc running, as a container does, to renew later.
ns_a=$(client_ns a)
ip netns exec "$ns_a" env LEASE_OUT="$TMP/a.udhcpc" udhcpc -i eth0 -f -t 6 -T 1 -A 1 \
	-s "$UDHCPC_SCRIPT" -x hostname:alpha >"$TMP/a.udhcpc.log" 2>&1 &
UDHCPC_A=$!
PIDS="$PIDS $UDHCPC_A"
at_cleanup "kill $UDHCPC_A 2>/dev/null"
wait_for grep -qs '^ip=' "$TMP/a.udhcpc" || fail "client a got no lease: $(cat "$TMP/a.udhcpc.log")"
ip_a=$(sed -n 's/^ip=//p' "$TMP/a.udhcpc")
ok "client a holds $ip_a"

for round in 1 2 3; do
	# The lease is back after each round's restart: a renews at once.
	if [ "$round" -gt 1 ]; then
		: >"$TMP/a.udhcpc"
		kill -USR1 "$UDHCPC_A"
		wait_for grep -qs '^ip=' "$TMP/a.udhcpc" || fail "round $round: client a got no lease"
		ip_a=$(sed -n 's/^ip=//p' "$TMP/a.udhcpc")
	fi
	ctl_ok release "$ip_a"
	# No pause: the reply said it is done, so it must be on disk now.
	stop_leased_hard
	start_leased "${ARGS[@]}"
	ctl_run show "$ip_a"
	[ "$CTL_RC" = 4 ] || fail "round $round: $ip_a is back after kill -9 and restart: $CTL_OUT"
	lease_line "$ip_a" >/dev/null && fail "round $round: the lease file has $ip_a again"

	# a's renewal of the released address is NAKed, and it moves on.
	: >"$TMP/a.udhcpc"
	kill -USR1 "$UDHCPC_A"
	for _ in $(seq 100); do
		grep -qs '^ip=' "$TMP/a.udhcpc" && break
		sleep 0.1
	done
	new_a=$(sed -n 's/^ip=//p' "$TMP/a.udhcpc")
	grep -q "DHCPNAK($BR) $ip_a 02:00:00:00:00:0a" "$TMP/leased.log" ||
		fail "round $round: no DHCPNAK for the renewal of the released $ip_a"
	[ -n "$new_a" ] && [ "$new_a" != "$ip_a" ] ||
		fail "round $round: client a renewed the released $ip_a after restart: $(tail -5 "$TMP/a.udhcpc.log")"
	# Another client asking for it does not get it either.
	c_ip=$(ip netns exec "$(client_ns c)" env LEASE_OUT="$TMP/c.udhcpc" udhcpc -i eth0 -f -q -n \
		-t 6 -T 1 -A 1 -s "$UDHCPC_SCRIPT" -r "$ip_a" >"$TMP/c.udhcpc.log" 2>&1 &&
		sed -n 's/^ip=//p' "$TMP/c.udhcpc")
	[ -n "$c_ip" ] && [ "$c_ip" != "$ip_a" ] || fail "round $round: client c (-r $ip_a) got '$c_ip'"
	ctl_ok release "$c_ip"
	ok "round $round: released $ip_a, kill -9, restart: still released and held back (a moved to $new_a, c got $c_ip)"
	ip_a=$new_a
done
kill -0 "$LEASED_PID" 2>/dev/null || fail "leased died"
