#!/bin/bash
# DNS benchmark: leased and dnsmasq side by side, same run, same options,
# driven by dnsperf.  `make bench-dns` (and `make bench`, after the DHCP
# one).
#
# Query mixes, each run on its own:
#   lease-a     A for the names of held leases (c000123.lxc);
#   lease-aaaa  AAAA for the same names (NODATA: the leases are IPv4 only);
#   nxdomain    A for random names under .lxc that no lease has (local
#               domain: answered NXDOMAIN, never forwarded);
#   fwd         A for BENCH_DNS_FWD_NAMES names under example.test, which
#               an upstream stub answers with a TTL of a day; every name is
#               asked twice before the runs (warm-up: the first pass must
#               reach the upstream, the second none), so the runs measure
#               the server's cache; the table shows how many queries
#               reached the upstream during the run (should be 0);
#   miss        forwarded cache misses: A for names under example.test
#               that nobody asked before (m0000001.r1-leased-q10-h1000...,
#               fresh for every run: per round, server, held count and
#               outstanding count), so every query goes upstream.  Run
#               once per count of outstanding queries in
#               BENCH_DNS_MISS_OUTSTANDING (dnsperf -q 10, then -q 100;
#               table rows "forwarded misses, -q N"), for
#               BENCH_DNS_MISS_SECONDS, each name asked once (dnsperf -n 1;
#               a run that uses up its BENCH_DNS_MISS_NAMES names ends
#               early and says so); no paced run.  The table adds the
#               upstream queries per answered query (1.00: every query
#               was a miss) and the stub's CPU load.
# each with every count of held leases in BENCH_DNS_HELD (a pre-generated
# lease file in dnsmasq's format, read by both servers at start).
#
# Every server with every count of held leases (an instance: leased@1000)
# has its own namespace with a bridge, joined by a veth pair to one client
# namespace where dnsperf runs, and its own upstream stub on that
# namespace's loopback.  Every instance is started once, one at a time
# (dnsmasq needs minutes to read 100,000 leases: its start is timed and
# reported), and all of them stay up, idle but one, while the rounds go
# through the mixes and held counts, servers interleaved (order reversed
# every other round).
#
# For every mix, two dnsperf runs against one server:
#   saturated: -c CLIENTS -q OUTSTANDING for BENCH_DNS_SECONDS: queries/s,
#     lost queries, server CPU (utime+stime from /proc/PID/stat, children
#     included) per answered query, dnsperf's average latency (mostly
#     queueing: about OUTSTANDING / rate);
#   paced: -Q BENCH_DNS_LAT_QPS (below what either server can do) with -v
#     for BENCH_DNS_LAT_SECONDS: per-query latencies, their average, median
#     and 99th percentile (dnsperf 2.10 has no histogram: computed here
#     from its verbose lines; a lost query counts as slower than any
#     answer).
#
# Prints a table with ratios and writes it to build/bench/dns-results.txt,
# and the same medians, one row per held count, mix and server, to
# dns-results.tsv beside it (what tests/bench/plot.sh draws).
# Numbers are reported, never judged: the script fails only when a server
# does not start or dnsperf does not run (a server still reading its
# leases after BENCH_START_TIMEOUT is stopped and reported as such, as
# tests/bench/run.sh does).  All traffic stays inside the namespaces made
# here; everything started or made here is removed on every exit path.
#
# On two cores or more, dnsperf runs on CPU 0 and the servers on CPU 1 (the
# upstream stubs on CPU 0 too).  In the mixes but miss the stubs only work
# during the warm-up.  In the miss mix a stub answers every query: it
# competes with dnsperf for CPU 0 (on CPU 1 it would compete with the
# server measured, whose CPU time is the figure sought, and its wake-ups
# would delay the server's; on CPU 0 dnsperf, at a few tens of thousands
# of queries/s, leaves room).  The stub is tests/bench/dns_stub.c, built
# here with cc (recvmmsg/sendmmsg batches, about 8 us of CPU per query,
# some 80,000-100,000 queries/s alone on a core with 100 outstanding): the
# table gives its load ("upstream stub CPU load") and CPU 0's, so a run
# where the stub or CPU 0 is full shows it.  dnsperf
# itself needs most of a core for 40,000 queries/s on a small VM: the
# table gives its CPU load; near 100% means dnsperf, not the server, set
# the pace.  It also gives how busy CPU 1 was in all (the server, the
# kernel's packet work charged to no task, and anything else running on
# the machine): well above the server's own load means something else ran
# there.
#
# Knobs (environment): BENCH_SERVERS ("leased dnsmasq"), BENCH_DNS_HELD
# ("1000 100000"; dnsmasq reads 20,000 named leases in about 20 s, 100,000
# not within minutes: add 20000 for a comparison with many leases),
# BENCH_DNS_MIXES ("lease-a lease-aaaa nxdomain fwd miss"; e.g. "miss"
# alone, with BENCH_DNS_HELD=1000, takes about a minute),
# BENCH_DNS_MISS_OUTSTANDING ("10 100"), BENCH_DNS_MISS_SECONDS (5),
# BENCH_DNS_MISS_NAMES (distinct names per miss run, 80,000 per second),
# BENCH_DNS_SECONDS (10), BENCH_DNS_CLIENTS (dnsperf -c, 4),
# BENCH_DNS_OUTSTANDING (dnsperf -q, 100), BENCH_DNS_LAT_QPS (10000; 0: no
# paced runs), BENCH_DNS_LAT_SECONDS (5), BENCH_DNS_FWD_NAMES (1000),
# BENCH_DNS_QUERIES (lines in each query file, 200000), BENCH_ROUNDS (3:
# every run repeated, servers interleaved; medians), BENCH_START_TIMEOUT
# (120 s), BENCH_PIN (1; 0: no CPU pinning), BENCH_DNS_RESULTS (where the
# table goes, default build/bench/dns-results.txt; the data file is the
# same name with .tsv for .txt), KEEP_TMP=1 keeps the
# work directory (servers' logs, dnsperf outputs).

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HELPERS=$TOP/tests/bench/dns_helpers.py
PY=/usr/bin/python3
CC=${CC:-cc}
LEASED=$TOP/build/leased
DNSMASQ=/usr/sbin/dnsmasq
DNSPERF=/usr/bin/dnsperf
DIG=/usr/bin/dig
OUTDIR=$TOP/build/bench
RESULTS=${BENCH_DNS_RESULTS:-$OUTDIR/dns-results.txt}

SERVERS=${BENCH_SERVERS:-leased dnsmasq}
HELD_LIST=${BENCH_DNS_HELD:-1000 100000}
MIXES=${BENCH_DNS_MIXES:-lease-a lease-aaaa nxdomain fwd miss}
MISS_QS=${BENCH_DNS_MISS_OUTSTANDING:-10 100}
MISS_SECS=${BENCH_DNS_MISS_SECONDS:-5}
MISS_NAMES=${BENCH_DNS_MISS_NAMES:-$((MISS_SECS * 80000))}
SECS=${BENCH_DNS_SECONDS:-10}
CLIENTS=${BENCH_DNS_CLIENTS:-4}
OUTSTANDING=${BENCH_DNS_OUTSTANDING:-100}
LAT_QPS=${BENCH_DNS_LAT_QPS:-10000}
LAT_SECS=${BENCH_DNS_LAT_SECONDS:-5}
FWD_NAMES=${BENCH_DNS_FWD_NAMES:-1000}
NQUERIES=${BENCH_DNS_QUERIES:-200000}
ROUNDS=${BENCH_ROUNDS:-3}
START_TIMEOUT=${BENCH_START_TIMEOUT:-120}
PIN=${BENCH_PIN:-1}
[ "$(nproc)" -ge 2 ] || PIN=0
if [ "$PIN" = 1 ]; then
	SRV_PIN="taskset -c 1"
	CLI_PIN="taskset -c 0"
else
	SRV_PIN=""
	CLI_PIN=""
fi

# Instance number i gets the /15 at 10.(98+2i).0.0: its address .0.1 on its
# bridge, the client's .0.2, a range over all the rest (as the DHCP
# benchmark's (b) runs): room for 100,000 leases and more.
PLEN=15
MASK=255.254.0.0
LEASE_TIME=43200
LEASE_MAX=200000
CACHE_SIZE=10000
UP_ADDR=127.0.0.1             # the upstream stubs, on each server namespace's loopback
UP_PORT=5300
UP_TTL=86400

ID=ld$$
CLI=${ID}c
NAMESPACES=""
VETHS=""
PIDS=""                       # every process started here, killed by PID on exit
declare -A NS SADDR SFIRST SLAST SPID UPLOG UPPID NOSTART ADDR1
TMP=""
CLK_TCK=$(getconf CLK_TCK)

log() { echo "bench-dns: $*" >&2; }

stop_server_hard() { # SERVER
	local kids p=${SPID[$1]:-}
	[ -n "$p" ] || return 0
	kids=$(pgrep -P "$p" 2>/dev/null)
	# shellcheck disable=SC2086
	kill -9 "$p" $kids 2>/dev/null
	wait "$p" 2>/dev/null
	SPID[$1]=""
}

cleanup() {
	local p ns s v
	for s in "${!SPID[@]}"; do stop_server_hard "$s"; done
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for ns in $NAMESPACES; do
		ip netns pids "$ns" 2>/dev/null | while read -r p; do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	# A host end of a veth pair moves into its server namespace at once;
	# should that have failed, it is still here.
	for v in $VETHS; do ip link del "$v" 2>/dev/null; done
	if [ -n "$TMP" ]; then
		if [ -n "${KEEP_TMP:-}" ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	local f
	echo "bench-dns: FAIL: $*" >&2
	for f in "$TMP"/*.log "$TMP"/*.out "$TMP"/*.err; do
		[ -s "$f" ] || continue
		echo "--- $f (last 15 lines)" >&2
		tail -15 "$f" >&2
	done
	exit 1
}

WARNINGS=""
warn() {
	log "WARNING: $*"
	WARNINGS="$WARNINGS  $*
"
}

# --- preconditions ------------------------------------------------------------

[ "$(id -u)" = 0 ] || { echo "bench-dns: must run as root (network namespaces)" >&2; exit 1; }
"$TOP/tests/bench/deps.sh" || fail "cannot install the benchmark's packages (tests/bench/deps.sh)"
for b in "$DNSPERF" "$DIG" "$PY" /usr/bin/time /usr/bin/taskset; do
	[ -x "$b" ] || fail "$b is missing"
done
for s in $SERVERS; do
	case $s in
	leased) [ -x "$LEASED" ] || fail "$LEASED is missing (make)" ;;
	dnsmasq) [ -x "$DNSMASQ" ] || fail "$DNSMASQ is missing" ;;
	*) fail "unknown server $s in BENCH_SERVERS" ;;
	esac
done
for m in $MIXES; do
	case $m in
	lease-a | lease-aaaa | nxdomain | fwd | miss) ;;
	*) fail "unknown mix $m in BENCH_DNS_MIXES" ;;
	esac
done
for q in $MISS_QS; do
	[[ "$q" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_DNS_MISS_OUTSTANDING: $q is not a count"
done
# KEYS: what is measured and reported, the mixes with miss split by
# outstanding count (miss-q10 miss-q100), which come last (MISS_KEYS).
KEYS=""
MISS_KEYS=""
for m in $MIXES; do
	if [ "$m" = miss ]; then
		for q in $MISS_QS; do MISS_KEYS="$MISS_KEYS miss-q$q"; done
	else
		KEYS="$KEYS $m"
	fi
done
MAIN_KEYS=$KEYS
KEYS="$KEYS$MISS_KEYS"
command -v "$CC" >/dev/null || fail "no C compiler ($CC) for the upstream stub"

mkdir -p "$OUTDIR"
TMP=$(mktemp -d "$OUTDIR/dns.XXXXXX") || fail "cannot make a work directory"
T_START=$(date +%s)
STUB=$TMP/dns_stub
"$CC" -O2 -o "$STUB" "$TOP/tests/bench/dns_stub.c" 2>"$TMP/stub-build.err" ||
	fail "cannot build the upstream stub: $(cat "$TMP/stub-build.err")"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- namespaces and upstream stubs --------------------------------------------

new_ns() {
	ip netns add "$1" || fail "cannot create namespace $1"
	NAMESPACES="$NAMESPACES $1"
	ip -n "$1" link set lo up
}

new_ns "$CLI"
# An instance: one server with one count of held leases (leased@100000).
# Every instance has its namespace and stays up through every round, so
# the runs a ratio compares (100,000 leases against 1,000, same server)
# lie seconds apart, not minutes: a slow spell of the machine (runs here
# vary by 20% from one minute to the next) then hits both sides.
INSTANCES=""
for HELD in $HELD_LIST; do
	for s in $SERVERS; do INSTANCES="$INSTANCES $s@$HELD"; done
done
i=0
for s in $INSTANCES; do
	o=$((98 + 2 * i))
	NS[$s]=${ID}s$i
	SADDR[$s]=10.$o.0.1
	SFIRST[$s]=10.$o.0.3
	SLAST[$s]=10.$((o + 1)).255.254
	new_ns "${NS[$s]}"
	ip -n "${NS[$s]}" link add br0 type bridge || fail "cannot create a bridge"
	ip -n "${NS[$s]}" link set br0 up
	VETHS="$VETHS v$ID$i"
	ip link add "v$ID$i" type veth peer name "e$i" netns "$CLI" || fail "cannot create a veth pair"
	ip link set "v$ID$i" netns "${NS[$s]}" || fail "cannot move a veth into ${NS[$s]}"
	ip -n "${NS[$s]}" link set "v$ID$i" master br0 up
	ip -n "$CLI" link set "e$i" up
	ip -n "${NS[$s]}" addr add "${SADDR[$s]}/$PLEN" dev br0 || fail "cannot address br0"
	ip -n "$CLI" addr add "10.$o.0.2/$PLEN" dev "e$i" || fail "cannot address e$i"

	UPLOG[$s]=$TMP/upstream-$s.queries
	: >"${UPLOG[$s]}"
	rm -f "$TMP/upstream.ready"
	# shellcheck disable=SC2086
	ip netns exec "${NS[$s]}" $CLI_PIN "$STUB" "$UP_ADDR" "$UP_PORT" "$UP_TTL" \
		"$TMP/upstream.ready" "${UPLOG[$s]}" >"$TMP/upstream-$s.out" 2>&1 &
	PIDS="$PIDS $!"
	UPPID[$s]=$!  # the stub itself: ip netns exec and taskset exec
	disown $!   # killed by PID on exit, without a "Killed" line from bash
	for _ in $(seq 100); do [ -e "$TMP/upstream.ready" ] && break; sleep 0.05; done
	[ -e "$TMP/upstream.ready" ] || fail "the upstream stub for $s did not start"
	i=$((i + 1))
done
sleep 0.2
upstream_count() { wc -l <"${UPLOG[$1]}"; }

# --- servers ------------------------------------------------------------------

# common_opts SERVER: the same options for leased and dnsmasq (but the
# addresses of each one's namespace).
common_opts() {
	printf '%s\n' -k -u root --conf-file=/dev/null --domain=lxc -S /lxc/ --no-resolv \
		"--server=$UP_ADDR#$UP_PORT" "--cache-size=$CACHE_SIZE" "--listen-address=${SADDR[$1]}" \
		--bind-interfaces "--dhcp-range=${SFIRST[$1]},${SLAST[$1]},$MASK,${LEASE_TIME}s" \
		"--dhcp-lease-max=$LEASE_MAX"
}

# dig_in_cli SERVER ARGS...: one query to SERVER from the client
# namespace, short timeout.
dig_in_cli() {
	local s=$1
	shift
	ip netns exec "$CLI" "$DIG" +tries=1 +time=1 "@${SADDR[$s]}" "$@" 2>/dev/null
}

# start_server INSTANCE HELD: start it in its namespace in the foreground
# (so $! is the server itself: `ip netns exec` and taskset exec) with a
# copy of its lease file of HELD leases, and wait until it answers the
# first lease's name with its address; STARTUP gets the seconds from exec
# to that answer (polled every 50 ms or so).  A server that exits fails
# the bench; one not answering within START_TIMEOUT is stopped, STARTUP
# becomes ">START_TIMEOUT" and start_server returns 1.
start_server() {
	local s=$1 held=$2 bin=$LEASED t0 t1 deadline a own=()
	# Each leased its own control socket: two of them run at once.
	own=("--control-socket=$TMP/$s.ctl")
	[ "${s%@*}" = dnsmasq ] && bin=$DNSMASQ own=()
	rm -f "$TMP/$s.leases"*
	cp "$TMP/held-$s.leases" "$TMP/$s.leases"
	sync
	t0=$(date +%s.%N)
	# shellcheck disable=SC2046,SC2086
	ip netns exec "${NS[$s]}" $SRV_PIN "$bin" $(common_opts "$s") "${own[@]}" "--dhcp-leasefile=$TMP/$s.leases" \
		"--pid-file=$TMP/$s.pid" "--log-facility=$TMP/$s.log" >>"$TMP/$s.out" 2>&1 &
	SPID[$s]=$!
	deadline=$(($(date +%s) + START_TIMEOUT))
	while :; do
		kill -0 "${SPID[$s]}" 2>/dev/null || fail "$s exited at start ($held leases)"
		a=$(dig_in_cli "$s" +short c000001.lxc A | tr '\n' ' ' | sed 's/ *$//')
		[ -n "$a" ] && [ "$a" = "${ADDR1[$s]}" ] && break
		if [ "$(date +%s)" -ge "$deadline" ]; then
			warn "$s did not answer c000001.lxc with ${ADDR1[$s]} within $START_TIMEOUT s of its start" \
				"($held leases; last answer: ${a:-none}); stopped, not measured"
			STARTUP=">$START_TIMEOUT"
			stop_server_hard "$s"
			return 1
		fi
		sleep 0.05
	done
	t1=$(date +%s.%N)
	STARTUP=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}

stop_server() { # SERVER
	local kids p=${SPID[$1]:-}
	[ -n "$p" ] || return 0
	kids=$(pgrep -P "$p" 2>/dev/null)
	kill -TERM "$p" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$p" 2>/dev/null && warn "$1 still running 10 s after SIGTERM; killed"
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	for _ in $(seq 50); do
		[ -z "$kids" ] && break
		# shellcheck disable=SC2086
		kill -0 $kids 2>/dev/null || break
		sleep 0.1
	done
	# shellcheck disable=SC2086
	[ -n "$kids" ] && kill -9 $kids 2>/dev/null
	SPID[$1]=""
}

# server_pids SERVER: every process of it, itself and its children.
server_pids() {
	local p=${SPID[$1]:-}
	[ -n "$p" ] || return 0
	echo "$p"
	pgrep -P "$p" 2>/dev/null
}

# cpu_ticks PID...: "utime stime", each summed.
cpu_ticks() {
	local p u=0 s=0 t
	for p in "$@"; do
		t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12, $13 }')
		[ -n "$t" ] || continue
		u=$((u + ${t% *})) s=$((s + ${t#* }))
	done
	echo "$u $s"
}

# cpu_ticks_of N: "busy total steal" jiffies of CPU N (busy: all but idle
# and iowait, so softirq work charged to no task too; steal: time the
# hypervisor gave to someone else), from /proc/stat.
cpu_ticks_of() {
	awk -v c="cpu$1" '$1 == c { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6, $9 }' /proc/stat
}

# check_answers INSTANCE HELD: one query of each kind, answers compared with
# what they should be; a wrong one is reported (WARNINGS), not judged.
check_answers() {
	local s=$1 held=$2 out name addr
	name=$(printf 'c%06d' "$held")
	addr=$("$PY" "$HELPERS" leaseaddr "$TMP/held-$s.leases" "$name")
	out=$(dig_in_cli "$s" +short "$name.lxc" A)
	[ "$out" = "$addr" ] || warn "$s ($held leases): A $name.lxc answered '${out//$'\n'/ }', not $addr"
	out=$(dig_in_cli "$s" "$name.lxc" AAAA)
	{ grep -q 'status: NOERROR' <<<"$out" && grep -q 'ANSWER: 0,' <<<"$out"; } ||
		warn "$s ($held leases): AAAA $name.lxc is not NODATA: $(grep -m1 'status:' <<<"$out")"
	out=$(dig_in_cli "$s" nxbenchcheck.lxc A)
	grep -q 'status: NXDOMAIN' <<<"$out" ||
		warn "$s ($held leases): A nxbenchcheck.lxc is not NXDOMAIN: $(grep -m1 'status:' <<<"$out")"
	out=$(dig_in_cli "$s" +short f00001.example.test A)
	[[ "$out" == 192.0.2.* ]] || warn "$s ($held leases): A f00001.example.test answered '${out//$'\n'/ }'"
}

# --- dnsperf ------------------------------------------------------------------

# perf SERVER LABEL ARGS...: dnsperf from the client namespace against
# SERVER; sets P_SENT, P_DONE, P_LOST, P_QPS, P_AVG (us), P_RSIZE (average
# response size, bytes), P_RCODES, P_WALL
# (s), P_CPU (dnsperf's own CPU seconds).  Output in
# $TMP/dnsperf-LABEL.txt.
perf() {
	local s=$1 label=$2 out st t0 t1
	shift 2
	out=$TMP/dnsperf-$label.txt
	t0=$(date +%s.%N)
	# In the background, so a signal stops the bench at once (bash runs
	# traps only between foreground commands); cleanup kills it.
	# shellcheck disable=SC2086
	ip netns exec "$CLI" timeout $((SECS + LAT_SECS + 60)) $CLI_PIN \
		/usr/bin/time -f '%U %S' -o "$TMP/dnsperf.time" \
		"$DNSPERF" -s "${SADDR[$s]}" "$@" >"$out" 2>"$TMP/dnsperf.err" &
	PIDS="$PIDS $!"
	wait $!
	st=$?
	t1=$(date +%s.%N)
	P_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	P_CPU=$(awk 'END { print $1 + $2 }' "$TMP/dnsperf.time" 2>/dev/null)
	[ "$st" = 0 ] || { tail -20 "$out" "$TMP/dnsperf.err" >&2; fail "dnsperf ($label) exited with $st"; }
	eval "$(awk '
		/Queries sent:/ { sent = $3 }
		/Queries completed:/ { done = $3 }
		/Queries lost:/ { lost = $3 }
		/Queries per second:/ { qps = $4 }
		/Average Latency \(s\):/ { avg = $4 * 1e6 }
		/Average packet size:/ { rsize = $NF }
		/Response codes:/ { sub(/.*Response codes: */, ""); rc = $0 }
		END {
			gsub(/[^A-Za-z0-9 .%(),]/, "", rc)
			printf "P_SENT=%d P_DONE=%d P_LOST=%d P_QPS=%.0f P_AVG=%.0f P_RSIZE=%d P_RCODES=\"%s\"\n",
				sent, done, lost, qps, avg, rsize, rc
		}' "$out")"
	[ "$P_SENT" -gt 0 ] || { cat "$out" "$TMP/dnsperf.err" >&2; fail "dnsperf ($label) sent nothing"; }
	kill -0 "${SPID[$s]}" 2>/dev/null || fail "$s died during dnsperf ($label)"
}

declare -A R    # results: R[key.metric,server] (medians) and R[key.metric,server,round]
declare -A RCODES
METRICS="qps lost cpu user avg rsize load gen cpu1 cpu0 steal pace up upq stub lqps lavg lp50 lp99 llost"

# measure KEY MIX INSTANCE: the saturated run and the paced run of MIX
# against INSTANCE (HELD: its held count); results go to
# R[KEY.metric,SERVER,ROUND].
measure() {
	local key=$1 mix=$2 inst=$3 s=${3%@*} pids c0 c1 u0 s0 u1 s1 b0 t0 b1 t1 st0 st1 d0 e0 d1 e1 q0 q1 k lat la l50 l99 label
	local qfile=$TMP/q-$mix-$HELD.txt secs=$SECS outst=$OUTSTANDING miss="" x0 y0 x1 y1
	label=$key-$s-r$ROUND
	HELD=${inst#*@}
	if [[ "$mix" == miss-q* ]]; then
		# Names nobody asked before: this run's own (its round, server,
		# held count and outstanding count in the names), each once.
		miss=1 outst=${mix#miss-q} secs=$MISS_SECS qfile=$TMP/q-miss.txt
		"$PY" "$HELPERS" missnames "r$ROUND-$s-q$outst-h$HELD" "$MISS_NAMES" "$qfile" ||
			fail "cannot generate the miss queries"
	fi
	pids=$(server_pids "$inst")
	q0=$(upstream_count "$inst")
	# shellcheck disable=SC2086
	read -r u0 s0 < <(cpu_ticks $pids)
	read -r x0 y0 < <(cpu_ticks "${UPPID[$inst]}")
	read -r b0 t0 st0 < <(cpu_ticks_of 1)
	read -r d0 e0 _ < <(cpu_ticks_of 0)
	if [ -n "$miss" ]; then
		perf "$inst" "$label" -d "$qfile" -n 1 -l "$secs" -c "$CLIENTS" -q "$outst"
	else
		perf "$inst" "$label" -d "$qfile" -l "$secs" -c "$CLIENTS" -q "$outst"
	fi
	read -r b1 t1 st1 < <(cpu_ticks_of 1)
	read -r d1 e1 _ < <(cpu_ticks_of 0)
	# shellcheck disable=SC2086
	read -r u1 s1 < <(cpu_ticks $pids)
	read -r x1 y1 < <(cpu_ticks "${UPPID[$inst]}")
	q1=$(upstream_count "$inst")
	c0=$((u0 + s0)) c1=$((u1 + s1))
	R[$key.qps,$s,$ROUND]=$P_QPS
	R[$key.lost,$s,$ROUND]=$(awk -v n="$P_SENT" -v l="$P_LOST" 'BEGIN { printf "%.2f%%", 100 * l / n }')
	R[$key.cpu,$s,$ROUND]=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v a="$P_DONE" \
		'BEGIN { if (a > 0) printf "%.1f", t / hz / a * 1e6; else print "n/a" }')
	R[$key.user,$s,$ROUND]=$(awk -v t=$((u1 - u0)) -v hz="$CLK_TCK" -v a="$P_DONE" \
		'BEGIN { if (a > 0) printf "%.1f", t / hz / a * 1e6; else print "n/a" }')
	R[$key.avg,$s,$ROUND]=$P_AVG
	R[$key.rsize,$s,$ROUND]=$P_RSIZE
	R[$key.load,$s,$ROUND]=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v w="$P_WALL" \
		'BEGIN { printf "%.0f%%", 100 * t / hz / w }')
	R[$key.gen,$s,$ROUND]=$(awk -v c="${P_CPU:-0}" -v w="$P_WALL" 'BEGIN { printf "%.0f%%", 100 * c / w }')
	R[$key.cpu1,$s,$ROUND]=$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) \
		'BEGIN { if (t > 0) printf "%.0f%%", 100 * b / t; else print "n/a" }')
	R[$key.cpu0,$s,$ROUND]=$(awk -v b=$((d1 - d0)) -v t=$((e1 - e0)) \
		'BEGIN { if (t > 0) printf "%.0f%%", 100 * b / t; else print "n/a" }')
	R[$key.steal,$s,$ROUND]=$(awk -v b=$((st1 - st0)) -v t=$((t1 - t0)) \
		'BEGIN { if (t > 0) printf "%.0f%%", 100 * b / t; else print "n/a" }')
	# What set the pace: the server when it used its whole core, else
	# dnsperf when it did or its CPU (pinned) was full, its packets'
	# softirq work included; neither: something else took CPU time.
	R[$key.pace,$s,$ROUND]=$(awk -v g="${R[$key.gen,$s,$ROUND]%\%}" -v l="${R[$key.load,$s,$ROUND]%\%}" \
		-v c0="${R[$key.cpu0,$s,$ROUND]%\%}" -v pin="$PIN" \
		'BEGIN { print (l >= 95 ? "server" : ((g >= 95 || (pin && c0 >= 97)) ? "dnsperf" : "neither")) }')
	R[$key.up,$s,$ROUND]=$((q1 - q0))
	R[$key.upq,$s,$ROUND]=$(awk -v u=$((q1 - q0)) -v a="$P_DONE" 'BEGIN { if (a > 0) printf "%.2f", u / a; else print "n/a" }')
	R[$key.stub,$s,$ROUND]=$(awk -v t=$((x1 + y1 - x0 - y0)) -v hz="$CLK_TCK" -v w="$P_WALL" \
		'BEGIN { printf "%.0f%%", 100 * t / hz / w }')
	RCODES[$key,$s]=$P_RCODES
	log "round $ROUND $key $s: $P_QPS q/s, lost $P_LOST of $P_SENT, cpu ${R[$key.cpu,$s,$ROUND]} us/query" \
		"(user ${R[$key.user,$s,$ROUND]}), avg latency ${P_AVG} us, server load ${R[$key.load,$s,$ROUND]}," \
		"CPU 1 busy ${R[$key.cpu1,$s,$ROUND]} (steal ${R[$key.steal,$s,$ROUND]}), dnsperf load ${R[$key.gen,$s,$ROUND]}," \
		"CPU 0 busy ${R[$key.cpu0,$s,$ROUND]}, pace ${R[$key.pace,$s,$ROUND]}, upstream queries $((q1 - q0))" \
		"(stub load ${R[$key.stub,$s,$ROUND]}); $P_RCODES"
	[ "$P_DONE" -gt 0 ] || warn "$s answered none of dnsperf's queries ($key, round $ROUND)"
	[ "$P_LOST" -gt 0 ] && warn "$s: $P_LOST of $P_SENT queries lost ($key, round $ROUND, saturated)"
	if [ -n "$miss" ]; then
		rm -f "$qfile"
		[ "$P_SENT" -ge "$MISS_NAMES" ] && warn "$s used up its $MISS_NAMES names in ${P_WALL} s" \
			"($key, round $ROUND): raise BENCH_DNS_MISS_NAMES"
		return 0
	fi

	[ "$LAT_QPS" -gt 0 ] || return 0
	perf "$inst" "$label-paced" -d "$TMP/q-$mix-$HELD.txt" -l "$LAT_SECS" -c "$CLIENTS" \
		-q "$OUTSTANDING" -Q "$LAT_QPS" -v
	# "> RCODE NAME TYPE SECONDS" per answer, "> T NAME TYPE" per loss:
	# losses sort after every answer.
	lat=$(awk '$1 == ">" { if ($2 == "T" || NF < 5) print "inf"; else printf "%.1f\n", $5 * 1e6 }' \
		"$TMP/dnsperf-$label-paced.txt" | sort -g | awk '
		{ v[++n] = $1; if ($1 != "inf") { sum += $1; a++ } }
		END {
			if (!n) { print "n/a n/a n/a"; exit }
			i50 = int(n * 0.50 + 0.999999); i99 = int(n * 0.99 + 0.999999)
			printf "%s %s %s\n", a ? sprintf("%.0f", sum / a) : "n/a", v[i50], v[i99]
		}')
	read -r la l50 l99 <<<"$lat"
	R[$key.lavg,$s,$ROUND]=$la
	for k in lp50:$l50 lp99:$l99; do
		case ${k#*:} in
		inf) R[$key.${k%%:*},$s,$ROUND]=lost ;;
		n/a) R[$key.${k%%:*},$s,$ROUND]=n/a ;;
		*) R[$key.${k%%:*},$s,$ROUND]=$(printf '%.0f' "${k#*:}") ;;
		esac
	done
	R[$key.llost,$s,$ROUND]=$P_LOST
	R[$key.lqps,$s,$ROUND]=$P_QPS
	log "round $ROUND $key $s paced at $LAT_QPS q/s: $P_QPS q/s, lost $P_LOST, latency avg $la us," \
		"p50 ${R[$key.lp50,$s,$ROUND]} us, p99 ${R[$key.lp99,$s,$ROUND]} us"
	[ "$P_LOST" -gt 0 ] && warn "$s: $P_LOST of $P_SENT queries lost ($key, round $ROUND, paced)"
	# The per-query lines are big; the summary stays.
	grep -v '^>' "$TMP/dnsperf-$label-paced.txt" >"$TMP/dnsperf-$label-paced.sum"
	rm -f "$TMP/dnsperf-$label-paced.txt"
}

# no_answer KEY SERVER: a server that never started serving.
no_answer() {
	local m r
	for r in $(seq "$ROUNDS"); do
		for m in $METRICS; do R[$1.$m,$2,$r]="no answer"; done
	done
}

# median V...: the median of the numeric values (a trailing % kept), else
# the most frequent value.
median() {
	printf '%s\n' "$@" | awk '
		/^[0-9.]+%?$/ { pct = pct || /%$/; v[++n] = $0 + 0; next }
		{ if (++w[$0] > best) { best = w[$0]; word = $0 } }
		END {
			if (!n) { print word; exit }
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			if (pct) printf (m < 10 ? "%.2f%%\n" : "%.0f%%\n"), m
			else printf (m == int(m) ? "%d\n" : (m < 100 ? "%.1f\n" : "%.0f\n")), m
		}'
}

# summarize KEY: R[KEY.METRIC,server] = median over the rounds,
# R[KEY.range,server] = lowest-highest q/s.
summarize() {
	local key=$1 s m r vals
	for s in $SERVERS; do
		for m in $METRICS; do
			vals=()
			for r in $(seq "$ROUNDS"); do
				[ -n "${R[$key.$m,$s,$r]+x}" ] && vals+=("${R[$key.$m,$s,$r]}")
			done
			[ ${#vals[@]} -gt 0 ] && R[$key.$m,$s]=$(median "${vals[@]}")
		done
		vals=()
		for r in $(seq "$ROUNDS"); do
			[ -n "${R[$key.qps,$s,$r]+x}" ] && vals+=("${R[$key.qps,$s,$r]}")
		done
		[ ${#vals[@]} -gt 1 ] && R[$key.range,$s]=$(printf '%s\n' "${vals[@]}" |
			awk '/^[0-9]+$/ { if (!n++) lo = hi = $1; if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 }
			     END { if (n) print lo "-" hi; else print "-" }')
	done
}

# --- the runs -----------------------------------------------------------------

log "work directory $TMP; load average $LOAD_START"
EXPIRY=$(($(date +%s) + LEASE_TIME))
"$PY" "$HELPERS" queries fwd-warm 0 0 "$FWD_NAMES" "$TMP/q-fwd-warm.txt" || fail "cannot generate the warm-up queries"
REVERSED=""
for s in $SERVERS; do REVERSED="$s $REVERSED"; done
for HELD in $HELD_LIST; do
	# The same names at the same offsets in every instance's /15.
	for s in $SERVERS; do
		"$PY" "$HELPERS" genleases "$HELD" "${SFIRST[$s@$HELD]}" "${SLAST[$s@$HELD]}" "$EXPIRY" \
			"$TMP/held-$s@$HELD.leases" || fail "cannot generate $HELD leases"
		ADDR1[$s@$HELD]=$("$PY" "$HELPERS" leaseaddr "$TMP/held-$s@$HELD.leases" c000001)
	done
	for m in $MIXES; do
		[ "$m" = miss ] && continue # made afresh for every run
		"$PY" "$HELPERS" queries "$m" "$HELD" "$NQUERIES" "$FWD_NAMES" "$TMP/q-$m-$HELD.txt" ||
			fail "cannot generate the $m queries"
	done
done
# One at a time, so no start competes with another for CPU 1.
for inst in $INSTANCES; do
	s=${inst%@*} HELD=${inst#*@}
	NOSTART[$inst]=""
	if start_server "$inst" "$HELD"; then
		log "$s answering lease names $STARTUP s after its start with $HELD leases"
	else
		NOSTART[$inst]=1
		for m in $KEYS; do no_answer "$m.$HELD" "$s"; done
	fi
	R[start$HELD,$s]=$STARTUP
done
for inst in $INSTANCES; do
	[ -z "${NOSTART[$inst]}" ] || continue
	s=${inst%@*} HELD=${inst#*@}
	# (The checks ask one forwarded name: counted with the warm-up.)
	q0=$(upstream_count "$inst")
	check_answers "$inst" "$HELD"
	[[ " $MIXES " == *" fwd "* ]] || continue
	# Every forwarded name once, a few at a time, so each reaches
	# the upstream and lands in the cache; then again, which must
	# all be cache hits.
	perf "$inst" "warm-$s-$HELD" -d "$TMP/q-fwd-warm.txt" -n 1 -c 1 -q 10 -t 2
	q1=$(upstream_count "$inst")
	perf "$inst" "warm2-$s-$HELD" -d "$TMP/q-fwd-warm.txt" -n 1 -c 1 -q 10 -t 2
	q2=$(upstream_count "$inst")
	log "$s ($HELD leases) warm-up: $((q1 - q0)) queries reached the upstream, then $((q2 - q1)) on a second pass"
	[ "$((q1 - q0))" -ge "$FWD_NAMES" ] ||
		warn "$s ($HELD leases): the warm-up sent only $((q1 - q0)) queries upstream for $FWD_NAMES names"
	[ "$((q2 - q1))" = 0 ] ||
		warn "$s ($HELD leases): $((q2 - q1)) queries reached the upstream on the second warm-up pass"
done
# Rounds interleave the servers (order reversed every other round) and
# the held counts, so a slow spell of the machine does not land on one
# server or one count only; the table gives medians.
# The miss runs come after every round of the other mixes: their
# names fill the cache (--cache-size) and would push out the fwd
# mix's warmed names.
for group in "$MAIN_KEYS" "$MISS_KEYS"; do
	for ROUND in $(seq "$ROUNDS"); do
		order=$SERVERS
		[ $((ROUND % 2)) = 0 ] && order=$REVERSED
		for m in $group; do
			for HELD in $HELD_LIST; do
				for s in $order; do
					[ -z "${NOSTART[$s@$HELD]}" ] && measure "$m.$HELD" "$m" "$s@$HELD"
				done
			done
		done
	done
done
for inst in $INSTANCES; do stop_server "$inst"; done
for HELD in $HELD_LIST; do
	for m in $KEYS; do summarize "$m.$HELD"; done
done
T_END=$(date +%s)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- anything odd in the servers' logs ----------------------------------------

LOGNOTES=""
PAT='error|fail|warn|crash|abort|overflow|drop|refus|truncat'
for s in $INSTANCES; do
	n=$(cat "$TMP/$s.log" "$TMP/$s.out" 2>/dev/null | grep -ciE "$PAT")
	[ "${n:-0}" -gt 0 ] || continue
	LOGNOTES="$LOGNOTES  $s: $n log lines match /$PAT/i; the most frequent (dates cut):
$(cat "$TMP/$s.log" "$TMP/$s.out" 2>/dev/null | grep -iE "$PAT" | sed 's/^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* //' |
		sort | uniq -c | sort -rn | head -5 | sed 's/^/    /')
"
done

# --- report -------------------------------------------------------------------

# ratio A B: A/B, or n/a.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "n/a"; exit }
		printf "%.2fx\n", a / b }'
}

# paired_ratio KEY_A KEY_B SERVER: the median over the rounds of SERVER's
# KEY_A divided by its KEY_B in the same round (the two runs seconds
# apart), or n/a.
paired_ratio() {
	local r q vals=()
	for r in $(seq "$ROUNDS"); do
		q=$(awk -v a="${R[$1,$3,$r]:-}" -v b="${R[$2,$3,$r]:-}" \
			'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.4f", a / b }')
		[ -n "$q" ] && vals+=("$q")
	done
	[ ${#vals[@]} -gt 0 ] || { echo n/a; return; }
	printf '%s\n' "${vals[@]}" | sort -g | awk '{ v[++n] = $1 }
		END { printf "%.2fx\n", n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

mix_title() {
	case $1 in
	lease-a) echo "A, lease names" ;;
	lease-aaaa) echo "AAAA, lease names (NODATA)" ;;
	nxdomain) echo "NXDOMAIN under .lxc" ;;
	fwd) echo "A, cached forwarded" ;;
	miss-q*) echo "forwarded misses, -q ${1#miss-q}" ;;
	esac
}

report() {
	local both="" n m k s mn mx
	[[ " $SERVERS " == *" leased "* ]] && [[ " $SERVERS " == *" dnsmasq "* ]] && both=1
	echo "DNS benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), took $((T_END - T_START)) s"
	echo "machine: $(nproc) cores, $(uname -r); load average at start $LOAD_START, at end $LOAD_END"
	echo "leased $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(git -C "$TOP" diff --quiet HEAD -- src include 2>/dev/null || echo '+local changes'),"\
		"dnsmasq $($DNSMASQ --version | awk 'NR == 1 { print $3 }'), $($DNSPERF -h 2>&1 | awk '/^Version/ { print "dnsperf " $2 }')"
	echo "options of both: -k -u root --conf-file=/dev/null --domain=lxc -S /lxc/ --no-resolv" \
		"--server=$UP_ADDR#$UP_PORT --cache-size=$CACHE_SIZE --listen-address=ADDR --bind-interfaces"
	echo "  --dhcp-range=FIRST,LAST,$MASK,${LEASE_TIME}s (a /15) --dhcp-lease-max=$LEASE_MAX" \
		"--dhcp-leasefile=COPY --log-facility=FILE --pid-file=FILE"
	echo "each server with each count of held leases (an instance) in its own namespace, dnsperf in a"
	echo "  client namespace across a bridge; every instance started once and up through every round"
	echo "  (idle but the one measured)"
	echo "upstream: a stub (tests/bench/dns_stub.c) on each server namespace's loopback answering example.test (TTL $UP_TTL);"
	echo "  $FWD_NAMES forwarded names, asked twice before the runs (warm-up)"
	if [[ " $MIXES " == *" miss "* ]]; then
		echo "forwarded misses: names nobody asked before, fresh for every run, each asked once; dnsperf"
		echo "  -c $CLIENTS -q N -n 1 -l $MISS_SECS (N: $MISS_QS) and no paced run; the stub answers every"
		echo "  query, on CPU 0 beside dnsperf when pinned (its load is in the table, within CPU 0 busy)"
	fi
	echo "held leases: c000001..cNNNNNN at random addresses; query files of $NQUERIES random queries per mix"
	if [ "$PIN" = 1 ]; then
		echo "CPU pinning: dnsperf (and the upstream stubs) on CPU 0, the servers on CPU 1"
	else
		echo "no CPU pinning"
	fi
	echo "saturated runs: dnsperf -c $CLIENTS -q $OUTSTANDING -l $SECS; q/s, lost, server utime+stime per"
	echo "  answered query, dnsperf's average latency (mostly queueing: about $OUTSTANDING / q/s)"
	if [ "$LAT_QPS" -gt 0 ]; then
		echo "paced runs: dnsperf -c $CLIENTS -Q $LAT_QPS -l $LAT_SECS -v; latency average, median and 99th percentile"
		echo "  over every query (from dnsperf's per-query lines; a lost query counts as slower than any answer)"
	fi
	echo "$ROUNDS round(s), servers interleaved; every figure is the median over the rounds"
	echo "CPU load: CPU seconds per second of the run (100% = one core busy); dnsperf near 100% means"
	echo "the load generator, not the server, set the pace (then the server's q/s is a floor); CPU 1 busy:"
	echo "everything on the server's CPU, its packet work in softirq and whatever else ran there; steal:"
	echo "time the hypervisor gave CPU 1 to another machine.  Pace set by: the server when its load"
	echo "was 95% or more, else dnsperf when its load was or CPU 0 was 97% busy; 'neither': other tasks"
	echo "took CPU time (a noisy run: compare CPU 1 busy with the server's load)"
	echo
	printf '%-38s %12s %12s' "" leased dnsmasq
	[ -n "$both" ] && printf ' %15s' "leased/dnsmasq"
	echo
	row() { # label key [noratio]
		local l d
		l=${R[$2,leased]:--} d=${R[$2,dnsmasq]:--}
		printf '%-38s %12s %12s' "$1" "$l" "$d"
		[ -z "${3:-}" ] && [ -n "$both" ] && printf ' %15s' "$(ratio "$l" "$d")"
		echo
	}
	for n in $HELD_LIST; do
		for m in $KEYS; do
			k=$m.$n
			row "$(mix_title "$m"), $n leases: q/s" "$k.qps"
			[ "$ROUNDS" -gt 1 ] && row "    q/s, lowest-highest" "$k.range" -
			row "    lost" "$k.lost" -
			row "    cpu us/query" "$k.cpu"
			row "     of which user" "$k.user"
			row "    avg latency us (saturated)" "$k.avg"
			row "    response size, bytes" "$k.rsize" -
			if [ "$LAT_QPS" -gt 0 ] && [[ "$m" != miss-q* ]]; then
				row "    paced: q/s reached" "$k.lqps" -
				row "    paced: avg latency us" "$k.lavg"
				row "    paced: p50 latency us" "$k.lp50"
				row "    paced: p99 latency us" "$k.lp99"
				row "    paced: lost" "$k.llost" -
			fi
			row "    server CPU load" "$k.load" -
			if [ "$PIN" = 1 ]; then
				row "    CPU 1 busy" "$k.cpu1" -
				row "    CPU 1 steal" "$k.steal" -
			fi
			row "    dnsperf CPU load" "$k.gen" -
			[ "$PIN" = 1 ] && row "    CPU 0 busy (dnsperf's)" "$k.cpu0" -
			row "    pace set by (in most rounds)" "$k.pace" -
			[ "$m" = fwd ] && row "    upstream queries during the run" "$k.up" -
			if [[ "$m" == miss-q* ]]; then
				row "    upstream queries per answer" "$k.upq" -
				row "    upstream stub CPU load" "$k.stub" -
			fi
		done
	done
	for n in $HELD_LIST; do
		row "start-up with $n leases (s)" "start$n"
	done
	# shellcheck disable=SC2086
	set -- $HELD_LIST
	mn=$1 mx=${!#}
	if [ $# -ge 2 ]; then
		echo
		echo "$mx leases against $mn (each server against itself, the median of each round's ratio;"
		echo "1.00x: no change):"
		for m in $KEYS; do
			for s in leased dnsmasq; do
				R[scale.$m.qps,$s]=$(paired_ratio "$m.$mx.qps" "$m.$mn.qps" "$s")
				R[scale.$m.cpu,$s]=$(paired_ratio "$m.$mx.cpu" "$m.$mn.cpu" "$s")
				R[scale.$m.lp99,$s]=$(paired_ratio "$m.$mx.lp99" "$m.$mn.lp99" "$s")
			done
			row "$(mix_title "$m"): q/s" "scale.$m.qps" -
			row "    cpu us/query" "scale.$m.cpu" -
			[ "$LAT_QPS" -gt 0 ] && row "    paced p99 latency" "scale.$m.lp99" -
		done
	fi
	echo
	echo "ratios: leased's figure divided by dnsmasq's (q/s: higher is better for leased;"
	echo "cpu and latency: lower is better for leased).  The issue's targets: q/s >= 2x,"
	if [ "$mn" != "$mx" ]; then
		echo "cpu <= 0.5x, p99 <= 1x, and the same figures with $mx leases as with $mn."
	else
		echo "cpu <= 0.5x, p99 <= 1x."
	fi
	if [ "$LAT_QPS" -gt 0 ]; then
		echo "A server that cannot reach $LAT_QPS q/s: its paced latencies are queueing behind"
		echo "$OUTSTANDING outstanding queries (see 'paced: q/s reached')."
	fi
	echo
	echo "response codes (saturated runs, last round):"
	for n in $HELD_LIST; do
		for m in $KEYS; do
			for s in $SERVERS; do
				printf '  %-36s %-8s %s\n' "$(mix_title "$m"), $n" "$s" "${RCODES[$m.$n,$s]:--}"
			done
		done
	done
	[ -n "$WARNINGS" ] && printf '\nwarnings:\n%s' "$WARNINGS"
	[ -n "$LOGNOTES" ] && printf '\nserver logs:\n%s' "$LOGNOTES"
	return 0
}

# tsv: the medians of the table, machine-readable: one row per held
# count, mix (miss-qN: forwarded misses, N outstanding) and server, "-"
# where there is no figure (p50/p99: the paced runs, at LAT_QPS q/s);
# lines starting with # say what ran.
tsv() {
	local n m s k num='function num(v) { sub(/%$/, "", v); return v ~ /^[0-9.]+$/ ? v : "-" }'
	echo "# DNS benchmark (tests/bench/dns.sh), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# leased $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(git -C "$TOP" diff --quiet HEAD -- src include 2>/dev/null || echo '+local changes');" \
		"$(nproc) cores; $ROUNDS round(s), medians; dnsperf -c $CLIENTS -q $OUTSTANDING -l $SECS; paced at $LAT_QPS q/s for $LAT_SECS s"
	printf 'held\tmix\tserver\tqps\tcpu_us\tlost_pct\tp50_us\tp99_us\tstart_s\n'
	for n in $HELD_LIST; do
		for m in $KEYS; do
			k=$m.$n
			for s in $SERVERS; do
				awk -v n="$n" -v m="$m" -v s="$s" -v q="${R[$k.qps,$s]:-}" -v c="${R[$k.cpu,$s]:-}" \
					-v l="${R[$k.lost,$s]:-}" -v p5="${R[$k.lp50,$s]:-}" -v p9="${R[$k.lp99,$s]:-}" \
					-v t="${R[start$n,$s]:-}" "$num"' BEGIN {
					printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n, m, s,
						num(q), num(c), num(l), num(p5), num(p9), num(t) }'
			done
		done
	done
}

report | tee "$RESULTS"
tsv >"${RESULTS%.txt}.tsv"
log "results written to $RESULTS and ${RESULTS%.txt}.tsv"
