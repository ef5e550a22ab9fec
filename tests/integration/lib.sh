# Shared helpers for integration tests: a server namespace with a bridge,
# client namespaces on veth pairs, leased started and stopped by PID, and
# a cleanup trap that removes every namespace, /etc/netns entry, process
# and temporary file the test made, also when it fails.
#
# All traffic stays inside these namespaces: the bridge subnet exists only
# there.  Source this file; call `setup_server`, `add_client NAME`, then
# `start_leased ARGS...`.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LEASED=$TOP/build/leased
ID=lt$$
SRV=${ID}-srv # clients are ${ID}NAME: no clash
BR=br0
NET=10.77.3
PREFIX=${PREFIX:-24}
SRV_ADDR=$NET.1
TMP=$(mktemp -d /tmp/leased-test.XXXXXX)
NAMESPACES=""
PIDS=""
LEASED_PID=""

CLEANUP_HOOKS=()

# at_cleanup CMD [ARGS...]: run CMD first when the test ends, however it
# ends (hooks run in the order they were added, before anything below).
at_cleanup() { CLEANUP_HOOKS+=("$*"); }

cleanup() {
	local h
	for h in "${CLEANUP_HOOKS[@]}"; do eval "$h"; done
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	[ -n "$LEASED_PID" ] && stop_leased_hard
	for ns in $NAMESPACES; do
		ip netns pids "$ns" 2>/dev/null | while read -r p; do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
	done
	[ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	local f
	echo "FAIL: $*" >&2
	# FAIL_LOGS: the logs worth showing on failure (default: leased's).
	for f in ${FAIL_LOGS:-$TMP/leased.log}; do
		[ -f "$f" ] || continue
		echo "--- $f (last 30 lines)" >&2
		tail -30 "$f" >&2
	done
	exit 1
}

ok() { echo "ok: $*"; }

new_ns() {
	ip netns add "$1" || fail "cannot create namespace $1"
	NAMESPACES="$NAMESPACES $1"
	# dhclient-script and friends must not touch the machine's resolv.conf.
	mkdir -p "/etc/netns/$1"
	: > "/etc/netns/$1/resolv.conf"
	ip -n "$1" link set lo up
}

setup_server() {
	new_ns "$SRV"
	ip -n "$SRV" link add "$BR" type bridge || fail "cannot create bridge"
	ip -n "$SRV" addr add "$SRV_ADDR/$PREFIX" dev "$BR"
	ip -n "$SRV" link set "$BR" up
}

# add_client NAME [MAC]: namespace NAME with eth0 on the server's bridge.
add_client() {
	local ns=${ID}$1 mac=${2:-}
	new_ns "$ns"
	ip link add "v$ns" type veth peer name eth0 netns "$ns" || fail "cannot create veth"
	ip link set "v$ns" netns "$SRV"
	ip -n "$SRV" link set "v$ns" master "$BR" up
	[ -n "$mac" ] && ip -n "$ns" link set eth0 address "$mac"
	ip -n "$ns" link set eth0 up
}

client_ns() { echo "${ID}$1"; }

started_count() { cat "$TMP/leased.log" 2>/dev/null | grep -c 'started, version'; }

# start_leased ARGS...: leased in the foreground (-k), in the server
# namespace, logging to $TMP/leased.log; waits until it answers.
start_leased() {
	local before
	before=$(started_count)
	ip netns exec "$SRV" "$LEASED" -k --log-facility="$TMP/leased.log" \
		--dhcp-leasefile="${LEASEFILE:-$TMP/leases}" --pid-file="$TMP/leased.pid" "$@" \
		2>>"$TMP/leased.stderr" &
	LEASED_PID=$!
	for _ in $(seq 50); do
		[ "$(started_count)" -gt "$before" ] && return 0
		kill -0 "$LEASED_PID" 2>/dev/null || { cat "$TMP/leased.stderr" >&2; fail "leased exited at start"; }
		sleep 0.1
	done
	fail "leased did not start"
}

stop_leased() {
	kill -TERM "$LEASED_PID" 2>/dev/null
	wait "$LEASED_PID" 2>/dev/null
	LEASED_PID=""
}

# kill -9, as lxc-net does; also the store writer it forked.
stop_leased_hard() {
	local kids
	kids=$(pgrep -P "$LEASED_PID" 2>/dev/null)
	kill -9 "$LEASED_PID" $kids 2>/dev/null
	wait "$LEASED_PID" 2>/dev/null
	LEASED_PID=""
}

# udhcpc_lease NAME [HOSTNAME]: one lease with busybox udhcpc; prints the address.
UDHCPC_SCRIPT=$TOP/tests/integration/udhcpc-script.sh
udhcpc_lease() {
	local ns host_opt=""
	ns=$(client_ns "$1")
	[ -n "${2:-}" ] && host_opt="-x hostname:$2"
	# shellcheck disable=SC2086
	ip netns exec "$ns" env LEASE_OUT="$TMP/$1.udhcpc" udhcpc -i eth0 -f -q -n \
		-t 6 -T 1 -A 1 -s "$UDHCPC_SCRIPT" $host_opt >"$TMP/$1.udhcpc.log" 2>&1 ||
		fail "udhcpc in $1 got no lease: $(tail -3 "$TMP/$1.udhcpc.log")"
	sed -n 's/^ip=//p' "$TMP/$1.udhcpc"
}

# lease_line IP: the lease-file line for IP, from the file leased keeps.
lease_line() { grep " $1 " "${LEASEFILE:-$TMP/leases}" 2>/dev/null; }

# wait_for CMD...: retry a condition for up to 3 s.
wait_for() {
	for _ in $(seq 30); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
