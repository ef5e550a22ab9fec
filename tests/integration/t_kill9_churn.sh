#!/bin/bash
# Durability: under continuous lease churn from real clients, kill leased
# (and its store writer) with SIGKILL at random moments, 20 times,
# restarting it each time.  Every lease whose DHCPACK a client received
# must still be held afterwards, and the lease file must always parse.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-20}
PREFIX=16 # room for every lease the churn makes: 10.77.4.0-10.77.7.255
setup_server
add_client p
add_client q
ARGS=(--interface=$BR --bind-interfaces --dhcp-range=10.77.4.0,10.77.7.255,1h
	--dhcp-lease-max=5000 --no-ping --dhcp-authoritative)
start_leased "${ARGS[@]}"

# Each client loops: new random MAC, take one lease, record "MAC IP" once
# udhcpc has the ACK (its script runs after the ACK arrived).
cat > "$TMP/record.sh" <<'EOS'
#!/bin/sh
[ "$1" = bound ] && echo "$(cat /sys/class/net/$interface/address) $ip" >> "$ACKS"
exit 0
EOS
chmod +x "$TMP/record.sh"
churn() {
	local ns=$1
	while [ -e "$TMP/churn" ]; do
		ip -n "$ns" link set eth0 address "02:$(od -An -N5 -tx1 /dev/urandom | sed 's/ /:/g;s/^://')"
		ip netns exec "$ns" env ACKS="$TMP/acks" udhcpc -i eth0 -f -q -n -t 2 -T 1 -A 1 \
			-s "$TMP/record.sh" >/dev/null 2>&1
	done
}
touch "$TMP/churn"
for c in p q; do churn "$(client_ns $c)" & PIDS="$PIDS $!"; done

lease_file_parses() {
	[ -f "$TMP/leases" ] || return 0
	! grep -vE '^[0-9]+ [0-9a-f:-]+ [0-9.]+ [^ ]+ [^ ]+$' "$TMP/leases" | grep -q .
}

for round in $(seq "$ROUNDS"); do
	sleep "0.$(( (RANDOM % 8) + 2 ))"
	stop_leased_hard
	lease_file_parses || fail "round $round: lease file does not parse after kill -9"
	cp "$TMP/acks" "$TMP/acks.at-kill" 2>/dev/null || : > "$TMP/acks.at-kill"
	start_leased "${ARGS[@]}"
	# The restarted daemon's writer rewrites the file from file + journal.
	sleep 0.3
	lease_file_parses || fail "round $round: lease file does not parse after restart"
	acks_before=$(wc -l < "$TMP/acks.at-kill")
	head -n "$acks_before" "$TMP/acks" > "$TMP/acks.check"
	while read -r mac ip; do
		wait_for grep -q " $mac $ip " "$TMP/leases" ||
			fail "round $round: acknowledged lease $mac $ip lost by kill -9"
	done < "$TMP/acks.check"
done
rm -f "$TMP/churn"
total=$(wc -l < "$TMP/acks")
[ "$total" -ge $((ROUNDS * 2)) ] || fail "too little churn to mean anything: $total leases"
ok "$ROUNDS kills under churn, $total acknowledged leases, none lost, lease file always parsed"
