#!/bin/bash
# First lease of a new container (issue 14): how long udhcpc waits for its
# first lease under lxc-net's defaults (the conflict check on), against the
# same server with --no-ping, leased beside dnsmasq in one run.  Each
# exchange is a new client (a new MAC) on an empty lease table; the time
# runs from just before udhcpc starts to the moment its script hears
# "bound".  Prints medians in ms and writes them to
# build/bench/first-lease-results.txt.  Knobs: BENCH_EXCHANGES (11),
# BENCH_SERVERS ("leased dnsmasq").
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/bench/lib.sh" # bench_link, start, stop, median, bench_cleanup
N=${BENCH_EXCHANGES:-11}
SERVERS=${BENCH_SERVERS:-leased dnsmasq}
LEASED=${LEASED:-$TOP/build/leased}
DNSMASQ=/usr/sbin/dnsmasq
OUT=$TOP/build/bench
ID=bf$$
SRV=${ID}s
CLI=${ID}c
TMP=$(mktemp -d /tmp/leased-bench-first.XXXXXX)
SPID=""
pin1=()

fail() { echo "bench-first-lease: $*" >&2; exit 1; }
trap bench_cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (namespaces)"
[ -x "$LEASED" ] || fail "$LEASED missing: make first"
bench_link 10.97.0.1/24

cat >"$TMP/bound.sh" <<'EOS'
#!/bin/sh
case "$1" in bound) date +%s%N >"$STAMP" ;; esac
exit 0
EOS
chmod +x "$TMP/bound.sh"

# lxc-net's dnsmasq line for lxcbr0 (its defaults), on br0.
LXC_NET_ARGS=(-k -u root --strict-order --bind-interfaces --listen-address 10.97.0.1
	--dhcp-range 10.97.0.2,10.97.0.254 --dhcp-lease-max=253 --dhcp-no-override
	--except-interface=lo --interface=br0 --dhcp-authoritative --port=0 --conf-file=/dev/null)

# first_leases SERVER LABEL [ARGS...]: the median time to a first lease, in ms.
first_leases() {
	local server=$1 label=$2 k t0 ms=()
	shift 2
	ARGS=("${LXC_NET_ARGS[@]}" "$@")
	start "$server"
	for k in $(seq "$N"); do
		ip -n "$CLI" link set eth0 address "$(printf '02:bf:00:00:%02x:%02x' "${#label}" "$k")"
		ip -n "$SRV" neigh flush dev br0
		t0=$(date +%s%N)
		ip netns exec "$CLI" env STAMP="$TMP/stamp" udhcpc -i eth0 -q -n -f -t 3 -T 5 \
			-s "$TMP/bound.sh" >/dev/null 2>&1 || fail "$label: udhcpc got no lease"
		ms+=($((($(cat "$TMP/stamp") - t0) / 1000000)))
	done
	stop
	printf '%-32s %6s ms  (each: %s)\n' "$label" "$(echo "${ms[@]}" | median)" "${ms[*]}" |
		tee -a "$TMP/results"
}

mkdir -p "$OUT"
: >"$TMP/results"
for s in $SERVERS; do
	first_leases "$s" "$s, conflict check on"
	first_leases "$s" "$s, --no-ping" --no-ping
done
{
	echo "First lease of a new client, udhcpc, median of $N (ms), $(date -u +%Y-%m-%d)"
	cat "$TMP/results"
} >"$OUT/first-lease-results.txt"
echo "written to $OUT/first-lease-results.txt"
