#!/bin/bash
# Router-solicitation flood benchmark (issue 13): does answering 1,000
# router solicitations a second delay DNS or DHCP?  leased and dnsmasq in
# the same run, pinned (the load on CPU 0, the server on CPU 1), inside
# namespaces of its own: a bridge with 10.77.98.1/24 and fd42:98::1/64,
# one client namespace (10.77.98.2 for DNS; udhcpc asks for leases).
# Each server gets the same command line: --enable-ra with an ra-only
# range (an RA answers every solicitation), a DHCPv4 range, DNS with one
# --host-record.
#
# For each server and round, two phases of BENCH_SECONDS each, "quiet"
# (no RS) then "flood" (BENCH_RS_RATE RS/s from the client's link-local
# address, tests/bench/ra_load.py): all the while 100 DNS queries a
# second (latency p50/p99) and a DHCPv4 exchange (udhcpc -q, DISCOVER to
# ACK, wall time) every 0.2 s.  Reports RAs received per RS, the server's
# CPU per RS (flood minus quiet), DNS and DHCP latency in both phases.
# Knobs: BENCH_RS_RATE (1000), BENCH_SECONDS (8), BENCH_ROUNDS (3),
# BENCH_SERVERS ("leased dnsmasq"), BENCH_PIN (1).
# Prints the table and writes it to build/bench/ra-results.txt.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/bench/lib.sh" # cpu_ticks, start, stop, median
RS_RATE=${BENCH_RS_RATE:-1000}
SECS=${BENCH_SECONDS:-8}
ROUNDS=${BENCH_ROUNDS:-3}
SERVERS=${BENCH_SERVERS:-leased dnsmasq}
PIN=${BENCH_PIN:-1}
LEASED=${LEASED:-$TOP/build/leased}
DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
OUT=$TOP/build/bench
ID=br$$
SRV=${ID}s
CLI=${ID}c
TMP=$(mktemp -d /tmp/leased-bench-ra.XXXXXX)
SPID=""
LOOP=""

fail() { echo "bench-ra: $*" >&2; exit 1; }
cleanup() {
	[ -n "$LOOP" ] && kill "$LOOP" 2>/dev/null
	bench_cleanup
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (namespaces)"
[ -x "$LEASED" ] || fail "$LEASED missing: make first"
command -v udhcpc >/dev/null || fail "udhcpc missing (scripts/deps.sh installs it)"
pin0=() pin1=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ]; then pin0=(taskset -c 0) pin1=(taskset -c 1); fi

ip netns add "$SRV" && ip netns add "$CLI" || fail "cannot create namespaces"
ip -n "$SRV" link set lo up
ip -n "$SRV" link add br0 type bridge
ip -n "$SRV" addr add 10.77.98.1/24 dev br0
ip -n "$SRV" -6 addr add fd42:98::1/64 dev br0 nodad
ip -n "$SRV" link set br0 up
ip link add "v$ID" type veth peer name eth0 netns "$CLI"
ip link set "v$ID" netns "$SRV"
ip -n "$SRV" link set "v$ID" master br0 up
ip netns exec "$CLI" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
ip netns exec "$CLI" sysctl -qw net.ipv6.conf.eth0.accept_ra=0
ip -n "$CLI" link set lo up
ip -n "$CLI" link set eth0 up
ip -n "$CLI" addr add 10.77.98.2/24 dev eth0
for _ in $(seq 50); do
	ip -n "$CLI" -6 addr show dev eth0 scope link | grep -q inet6 && break
	sleep 0.1
done

ARGS=(-k --conf-file=/dev/null --interface=br0 --bind-interfaces --no-ping -u root
	--listen-address=10.77.98.1 --no-resolv --host-record=probe.lan,10.77.98.9
	--enable-ra --dhcp-range=fd42:98::,ra-only --dhcp-range=10.77.98.100,10.77.98.250,1h)


# DHCPv4 exchanges every 0.2 s, one wall time (ms) a line in $1.
dhcp_loop() {
	local t0 t1
	while :; do
		t0=$(date +%s%N)
		ip netns exec "$CLI" "${pin0[@]}" udhcpc -i eth0 -q -n -f -t 3 -T 1 -A 1 \
			-s /bin/true >/dev/null 2>&1 && t1=$(date +%s%N) &&
			echo $(((t1 - t0) / 1000000)) >>"$1"
		sleep 0.2
	done
}

p50() { sort -n "$1" | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : -1 }'; }

declare -A RES
phase() { # SERVER ROUND PHASE RATE
	local out=$TMP/$1.$2.$3 t0 t1 pids
	pids="$SPID $(pgrep -P "$SPID" | tr '\n' ' ')"
	: >"$out.dhcp"
	dhcp_loop "$out.dhcp" &
	LOOP=$!
	t0=$(cpu_ticks $pids)
	ip netns exec "$CLI" "${pin0[@]}" python3 "$TOP/tests/bench/ra_load.py" load eth0 "$4" \
		"$SECS" 10.77.98.1 probe.lan "$out" || fail "ra_load.py failed"
	t1=$(cpu_ticks $pids)
	kill "$LOOP" 2>/dev/null
	wait "$LOOP" 2>/dev/null
	LOOP=""
	RES[$1.$2.$3]="$(cat "$out") dhcp_p50_ms=$(p50 "$out.dhcp") dhcp_n=$(wc -l <"$out.dhcp") ticks=$((t1 - t0))"
	echo "bench-ra: round $2 $1 $3: ${RES[$1.$2.$3]}" >&2
}

get() { tr ' ' '\n' <<<"${RES[$1]}" | sed -n "s/^$2=//p"; }

for r in $(seq "$ROUNDS"); do
	for s in $SERVERS; do
		start "$s"
		phase "$s" "$r" quiet 0
		phase "$s" "$r" flood "$RS_RATE"
		stop
	done
done

hz=$(getconf CLK_TCK)
mkdir -p "$OUT"
{
	echo "RS flood benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'): $RS_RATE RS/s for ${SECS}s beside 100 DNS q/s and a DHCPv4 exchange every 0.2 s; $ROUNDS round(s), medians"
	echo "pinning: ${pin0[*]:-none} (load) / ${pin1[*]:-none} (server); leased $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null), $("$DNSMASQ" --version | head -1 | awk '{print $1, $3}')"
	printf '%-8s %9s %12s %16s %16s %16s %14s\n' server "RS/s" "RAs per RS" "CPU us per RS" \
		"DNS p50/p99 q" "DNS p50/p99 f" "DHCP ms q/f"
	for s in $SERVERS; do
		ras="" cpu="" dq5="" dq9="" df5="" df9="" hq="" hf="" rate=""
		for r in $(seq "$ROUNDS"); do
			sent=$(get "$s.$r.flood" rs_sent)
			rate="$rate $((sent / SECS))"
			ras="$ras $(awk -v a="$(get "$s.$r.flood" ra_received)" -v b="$sent" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
			cpu="$cpu $(awk -v f="$(get "$s.$r.flood" ticks)" -v q="$(get "$s.$r.quiet" ticks)" \
				-v n="$sent" -v hz="$hz" 'BEGIN { printf "%.1f", n ? (f - q) / hz * 1e6 / n : 0 }')"
			dq5="$dq5 $(get "$s.$r.quiet" dns_p50_ms)" dq9="$dq9 $(get "$s.$r.quiet" dns_p99_ms)"
			df5="$df5 $(get "$s.$r.flood" dns_p50_ms)" df9="$df9 $(get "$s.$r.flood" dns_p99_ms)"
			hq="$hq $(get "$s.$r.quiet" dhcp_p50_ms)" hf="$hf $(get "$s.$r.flood" dhcp_p50_ms)"
		done
		printf '%-8s %9s %12s %16s %16s %16s %14s\n' "$s" "$(median <<<"$rate")" \
			"$(median <<<"$ras")" "$(median <<<"$cpu")" \
			"$(median <<<"$dq5")/$(median <<<"$dq9")" "$(median <<<"$df5")/$(median <<<"$df9")" \
			"$(median <<<"$hq")/$(median <<<"$hf")"
	done
	echo "q: quiet phase, f: flood phase; DNS in ms; DHCP: udhcpc's DISCOVER-to-ACK wall time, ms (median)"
} | tee "$OUT/ra-results.txt"
