# Shared helpers for the benchmark scripts (sourced).

# stat_sum EXPR PID...: the sum over these processes of an awk
# expression of their /proc/PID/stat fields, counted from the state ($1).
stat_sum() {
	local e=$1 p sum=0 t
	shift
	for p in "$@"; do
		t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk "{ print $e }")
		sum=$((sum + ${t:-0}))
	done
	echo "$sum"
}

# cpu_ticks PID...: utime+stime, in clock ticks, of these processes.
cpu_ticks() { stat_sum '$12 + $13' "$@"; }
# user_ticks PID...: utime alone, in clock ticks.
user_ticks() { stat_sum '$12' "$@"; }
# minflt PID...: minor page faults so far.
minflt() { stat_sum '$8' "$@"; }

# core_busy N: jiffies CPU N spent on anything but idle and iowait.
core_busy() { awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# median: the middle of the numbers on stdin (space-separated), the lower one of two.
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# start SERVER: leased or dnsmasq in namespace $SRV, pinned with ${pin1[@]},
# with ${ARGS[@]}, a fresh lease file and its log in $TMP; its PID in SPID.
start() {
	local exe=$LEASED
	[ "$1" = dnsmasq ] && exe=$DNSMASQ
	rm -f "$TMP/leases"*
	ip netns exec "$SRV" "${pin1[@]}" "$exe" "${ARGS[@]}" --dhcp-leasefile="$TMP/leases" \
		--pid-file="$TMP/pid" --log-facility="$TMP/$1.log" >/dev/null 2>&1 &
	SPID=$!
	sleep 1
	kill -0 "$SPID" 2>/dev/null || fail "$1 did not start: $(tail -3 "$TMP/$1.log")"
}

# stop: the server started last, by its PID.
stop() {
	kill -TERM "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=""
}

# bench_cleanup: the server started last and its children (by PID), every
# process in the client namespace $CLI, both namespaces, and $TMP (unless
# KEEP is set).  For the EXIT trap.
bench_cleanup() {
	[ -n "${SPID:-}" ] && kill -9 "$SPID" $(pgrep -P "$SPID" 2>/dev/null) 2>/dev/null
	ip netns pids "$CLI" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$TMP"
}

# bench_link ADDR...: namespaces $SRV and $CLI, a bridge br0 in $SRV with
# address ADDR... (`ip addr add` arguments), and a veth pair v$ID (on the
# bridge) / eth0 (in $CLI), everything up.
bench_link() {
	ip netns add "$SRV" && ip netns add "$CLI" || fail "cannot create namespaces"
	ip -n "$SRV" link set lo up
	ip -n "$SRV" link add br0 type bridge || fail "cannot create the bridge"
	ip -n "$SRV" addr add "$@" dev br0 || fail "cannot address the bridge"
	ip -n "$SRV" link set br0 up
	ip link add "v$ID" type veth peer name eth0 netns "$CLI" || fail "cannot create the veth pair"
	ip link set "v$ID" netns "$SRV"
	ip -n "$SRV" link set "v$ID" master br0 up
	ip -n "$CLI" link set lo up
	ip -n "$CLI" link set eth0 up
}
