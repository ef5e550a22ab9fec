#!/bin/bash
# DHCPv6 benchmark (issue 13): perfdhcp -6 against leased and dnsmasq in
# the same run, pinned as tests/bench/run.sh pins (perfdhcp on CPU 0, the
# server with every process it forks on CPU 1), inside namespaces of its
# own: a bridge with fd42:99::1/64 and one client namespace.  Each server
# gets the same command line: a stateful range of 61,440 addresses, the
# lease file on disk (leased fsyncs every lease before its REPLY).
#
# For each server and round: perfdhcp -6 -r RATE -R 100000000 -p SECONDS
# (every exchange a new DUID), then 4-way exchanges/s and the server's
# utime+stime per REPLY (its writer child included).  Medians over the
# rounds, servers interleaved.  Knobs: BENCH_RATE (5000), BENCH_SECONDS
# (10), BENCH_ROUNDS (3), BENCH_SERVERS ("leased dnsmasq"), BENCH_PIN (1).
# Prints the table and writes it to build/bench/dhcp6-results.txt.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/bench/lib.sh" # cpu_ticks, start, stop, median, bench_cleanup
RATE=${BENCH_RATE:-5000}
SECS=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
SERVERS=${BENCH_SERVERS:-leased dnsmasq}
PIN=${BENCH_PIN:-1}
LEASED=${LEASED:-$TOP/build/leased}
DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
OUT=$TOP/build/bench
ID=b6$$
SRV=${ID}s
CLI=${ID}c
TMP=$(mktemp -d /tmp/leased-bench6.XXXXXX)
SPID=""

fail() { echo "bench6: $*" >&2; exit 1; }
trap bench_cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (namespaces)"
command -v perfdhcp >/dev/null || fail "perfdhcp missing (tests/bench/deps.sh installs it)"
[ -x "$LEASED" ] || fail "$LEASED missing: make first"
ncpu=$(nproc)
pin0=() pin1=()
if [ "$PIN" = 1 ] && [ "$ncpu" -ge 2 ]; then pin0=(taskset -c 0) pin1=(taskset -c 1); fi

ip netns add "$SRV" && ip netns add "$CLI" || fail "cannot create namespaces"
ip -n "$SRV" link set lo up
ip -n "$SRV" link add br0 type bridge
ip -n "$SRV" -6 addr add fd42:99::1/64 dev br0 nodad
ip -n "$SRV" link set br0 up
ip link add "v$ID" type veth peer name eth0 netns "$CLI"
ip link set "v$ID" netns "$SRV"
ip -n "$SRV" link set "v$ID" master br0 up
ip netns exec "$CLI" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
ip -n "$CLI" link set eth0 up
ip -n "$CLI" link set lo up
for _ in $(seq 50); do
	ip -n "$CLI" -6 addr show dev eth0 scope link | grep -q inet6 &&
		! ip -n "$CLI" -6 addr show dev eth0 | grep -q tentative && break
	sleep 0.1
done

ARGS=(-k --port=0 --conf-file=/dev/null --interface=br0 --bind-interfaces --no-ping
	--dhcp-range=fd42:99::1000,fd42:99::ffff,1h --dhcp-lease-max=200000 -u root)



declare -A RATE_OF CPU_OF
run_one() { # SERVER ROUND
	local out=$TMP/perf.$1.$2 t0 t1 pids reply rate
	start "$1"
	pids="$SPID $(pgrep -P "$SPID" | tr '\n' ' ')"
	t0=$(cpu_ticks $pids)
	ip netns exec "$CLI" "${pin0[@]}" perfdhcp -6 -l eth0 -r "$RATE" -R 100000000 \
		${pin0[0]:+-g single} -p "$SECS" >"$out" 2>&1
	t1=$(cpu_ticks $pids)
	stop
	reply=$(awk '/REQUEST-REPLY/ { on = 1 } on && /^received packets:/ { print $NF; exit }' "$out")
	rate=$(awk '/^Rate:/ { print int($2); exit }' "$out")
	[ -n "$reply" ] && [ "$reply" -gt 0 ] || { tail -20 "$out" >&2; fail "$1: no REPLY received"; }
	RATE_OF[$1]="${RATE_OF[$1]:-} $rate"
	CPU_OF[$1]="${CPU_OF[$1]:-} $(awk -v t=$((t1 - t0)) -v n="$reply" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.0f", t / hz * 1e6 / n }')"
	echo "bench6: round $2 $1: $rate exchanges/s, $reply REPLYs, $(echo "${CPU_OF[$1]}" | awk '{print $NF}') us CPU/exchange" >&2
}


for r in $(seq "$ROUNDS"); do
	for s in $SERVERS; do run_one "$s" "$r"; done
done
mkdir -p "$OUT"
{
	echo "DHCPv6 benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'): perfdhcp -6 -r $RATE -R 100000000 -p $SECS, $ROUNDS round(s), medians"
	echo "pinning: ${pin0[*]:-none} (perfdhcp) / ${pin1[*]:-none} (server); leased $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null), $("$DNSMASQ" --version | head -1 | awk '{print $1, $3}')"
	printf '%-10s %14s %18s\n' server "exchanges/s" "CPU us/exchange"
	for s in $SERVERS; do
		printf '%-10s %14s %18s\n' "$s" "$(median <<<"${RATE_OF[$s]}")" "$(median <<<"${CPU_OF[$s]}")"
	done
} | tee "$OUT/dhcp6-results.txt"
