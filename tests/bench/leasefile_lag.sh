#!/bin/bash
# Lease-file lag benchmark (issue 14): how long after a client hears its
# DHCPACK does the dnsmasq-format lease file (what LXD's list-leases,
# libvirt's helpers and scripts read) show the lease?  leased alone, with
# BENCH_HELD leases already in the table, in namespaces of its own.  For
# each of BENCH_EXCHANGES udhcpc exchanges the udhcpc script stamps the
# time it is bound, a poller stamps the time the line appears (polling
# every 2 ms); prints the median and the worst lag in ms and writes them
# to build/bench/leasefile-lag-results.txt.  Knobs: BENCH_HELD ("0 10000"),
# BENCH_EXCHANGES (10).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/bench/lib.sh" # bench_link, bench_cleanup
HELD_LIST=${BENCH_HELD-0 10000}
N=${BENCH_EXCHANGES:-10}
LEASED=${LEASED:-$TOP/build/leased}
OUT=$TOP/build/bench
ID=bl$$
SRV=${ID}s
CLI=${ID}c
TMP=$(mktemp -d /tmp/leased-bench-lag.XXXXXX)
SPID=""

fail() { echo "bench-lag: $*" >&2; exit 1; }
trap bench_cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (namespaces)"
[ -x "$LEASED" ] || fail "$LEASED missing: make first"
bench_link 10.96.0.1/16

cat > "$TMP/bound.sh" <<'EOF'
#!/bin/sh
case "$1" in bound|renew) echo "$ip $(date +%s%N)" >> "$STAMPS" ;; esac
exit 0
EOF
chmod +x "$TMP/bound.sh"

# poll_for IP: the time (ns) the lease file first has a line for IP.
poll_for() {
	local i
	for i in $(seq 5000); do
		grep -q " $1 " "$TMP/leases" 2>/dev/null && { date +%s%N; return 0; }
		sleep 0.002
	done
	return 1
}

mkdir -p "$OUT"
: > "$TMP/results"
for held in $HELD_LIST; do
	python3 "$TOP/tests/bench/dns_helpers.py" genleases "$held" 10.96.1.0 10.96.200.255 \
		$(($(date +%s) + 86400)) "$TMP/leases" || fail "cannot generate $held leases"
	ip netns exec "$SRV" "$LEASED" -k --port=0 --conf-file=/dev/null --interface=br0 \
		--bind-interfaces --no-ping -u root --dhcp-range=10.96.210.1,10.96.250.254,12h \
		--dhcp-lease-max=200000 --dhcp-leasefile="$TMP/leases" --pid-file="$TMP/pid" \
		--log-facility="$TMP/leased.log" >/dev/null 2>&1 &
	SPID=$!
	sleep 1
	kill -0 "$SPID" 2>/dev/null || fail "leased did not start: $(tail -3 "$TMP/leased.log")"
	: > "$TMP/lags"
	for k in $(seq "$N"); do
		mac=$(printf '02:ab:00:00:%02x:%02x' $((held % 256)) "$k")
		ip -n "$CLI" link set eth0 address "$mac"
		: > "$TMP/stamps"
		ip netns exec "$CLI" env STAMPS="$TMP/stamps" udhcpc -i eth0 -q -n -f -t 3 -T 1 \
			-A 1 -s "$TMP/bound.sh" >/dev/null 2>&1 || fail "udhcpc got no lease"
		read -r ip t_bound < "$TMP/stamps"
		t_file=$(poll_for "$ip") || fail "$ip never reached the lease file"
		echo $(((t_file - t_bound) / 1000000)) >> "$TMP/lags"
	done
	kill -TERM "$SPID"; wait "$SPID" 2>/dev/null; SPID=""
	echo "$held $(sort -n "$TMP/lags" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)], a[NR] }')" \
		>> "$TMP/results"
done
{
	echo "Lease-file lag, $(date -u '+%Y-%m-%d %H:%M UTC'): $N udhcpc exchanges per row; leased $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)"
	printf '%-12s %12s %12s\n' "leases held" "median ms" "worst ms"
	while read -r held med worst; do printf '%-12s %12s %12s\n' "$held" "$med" "$worst"; done < "$TMP/results"
} | tee "$OUT/leasefile-lag-results.txt"
