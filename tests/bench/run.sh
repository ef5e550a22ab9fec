#!/bin/bash
# DHCP benchmark: leased, dnsmasq and Kea side by side, same run, same
# configuration, driven by perfdhcp (Kea's load generator) from a client
# namespace broadcasting on a bridge in a server namespace.  `make bench`.
#
#   (a) 200 clients renewing on a /24, offered 20,000 exchanges/s;
#   (b) new clients on a /15 with 0, 20,000 and 100,000 leases already held
#       (pre-generated lease files, each server in its own format);
#   (c) new clients' DISCOVER/OFFER only (perfdhcp -i) on a /24 empty and
#       99% full: a nearly full pool must not make an offer dearer;
#   start-up time with those lease files (exec until the first answer);
#   server CPU time per exchange (/proc/PID/stat, leased's writer child
#   included); leased's fsync count per ACK under strace (short run, not
#   measured).
#
# Prints a table with ratios and writes it to build/bench/dhcp-results.txt,
# and the same medians, one row per run and server, to dhcp-results.tsv
# beside it (what tests/bench/plot.sh draws).
# Numbers are reported, never judged: the script fails only when a server
# does not start or perfdhcp does not run.  All traffic stays inside the
# two namespaces made here; everything started or made here is removed on
# every exit path.
#
# On two cores or more, perfdhcp runs on CPU 0 and the server (all its
# processes and threads) on CPU 1: unpinned, perfdhcp and the server fight
# over both cores, perfdhcp sends in bursts that overflow the server's
# socket, and the figures mostly measure the scheduler.  perfdhcp itself
# needs a whole core: on a 2-core machine it offers 10,000-15,000
# exchanges/s at most, whatever -r asks.
#
# Knobs (environment): BENCH_RATE (20000), BENCH_A_SECONDS (10),
# BENCH_B_SECONDS (3: at most; a (b) run also stops after BENCH_B_MAX
# DISCOVERs, by default 3/4 of the addresses left free by the largest held
# count, so no run nears exhaustion), BENCH_HELD ("0 20000 100000"; empty:
# no (b) runs), BENCH_C_SECONDS (3), BENCH_FULL_HELD ("0 238": leases
# held in (c); empty: no (c) runs),
# BENCH_SERVERS ("leased dnsmasq kea"), BENCH_START_TIMEOUT (120 s: a
# server still loading its leases then is stopped and reported as such),
# BENCH_ROUNDS (3: every run is repeated, servers interleaved; medians),
# BENCH_NAMES (1: every held lease has a host name; 0: none),
# BENCH_LAYOUT (spread: held leases at random addresses of the /15;
# ordered: on its first addresses, a walk's worst case),
# BENCH_PING (0: --no-ping; 1: the conflict check on, as lxc-net runs it),
# BENCH_QUIET (unset: every server logs at its default level to a file; 1:
# --quiet-dhcp and Kea at WARN), BENCH_PIN (1; 0: no CPU pinning),
# BENCH_THREADS (perfdhcp -g; default single when pinned, else perfdhcp's
# choice), BENCH_RESULTS (where the table goes, default
# build/bench/dhcp-results.txt; the data file is the same name with .tsv
# for .txt), KEEP_TMP=1 keeps the work directory.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HELPERS=$TOP/tests/bench/dhcp_helpers.py
LEASED=${LEASED:-$TOP/build/leased}
DNSMASQ=/usr/sbin/dnsmasq
KEA=/usr/sbin/kea-dhcp4
PERFDHCP=/usr/sbin/perfdhcp
OUTDIR=$TOP/build/bench
RESULTS=${BENCH_RESULTS:-$OUTDIR/dhcp-results.txt}

RATE=${BENCH_RATE:-20000}
PERF_DIR=${BENCH_PERF_DIR:-}   # set: a perf record of the server per measured run goes there
A_SECS=${BENCH_A_SECONDS:-10}
B_SECS=${BENCH_B_SECONDS:-3}
C_SECS=${BENCH_C_SECONDS:-3}
HELD_LIST=${BENCH_HELD-0 20000 100000}
SERVERS=${BENCH_SERVERS:-leased dnsmasq kea}
START_TIMEOUT=${BENCH_START_TIMEOUT:-120}
ROUNDS=${BENCH_ROUNDS:-3}
NAMES=${BENCH_NAMES:-1}
LAYOUT=${BENCH_LAYOUT:-spread}
QUIET=${BENCH_QUIET:-}
PING=${BENCH_PING:-0}
PIN=${BENCH_PIN:-1}
[ "$(nproc)" -ge 2 ] || PIN=0
if [ "$PIN" = 1 ]; then
	SRV_PIN="taskset -c 1"
	CLI_PIN="taskset -c 0"
	THREADS=${BENCH_THREADS:-single}
else
	SRV_PIN=""
	CLI_PIN=""
	THREADS=${BENCH_THREADS:-}
fi
LEASE_TIME=43200
LEASE_MAX=200000
A_CLIENTS=200
B_CLIENTS=100000000   # perfdhcp -R: practically every exchange a new MAC

# (a): a /24.  (b): a /15, range over all of it but the two addresses used.
# (Read through eval by set_net, common_opts and kea_config.)
# shellcheck disable=SC2034
A_SRV=10.97.5.1 A_CLI=10.97.5.2 A_PLEN=24 A_MASK=255.255.255.0
# shellcheck disable=SC2034
A_NET=10.97.5.0 A_FIRST=10.97.5.10 A_LAST=10.97.5.250
# shellcheck disable=SC2034
B_SRV=10.98.0.1 B_CLI=10.98.0.2 B_PLEN=15 B_MASK=255.254.0.0
# shellcheck disable=SC2034
B_NET=10.98.0.0 B_FIRST=10.98.0.3 B_LAST=10.99.255.254
ip2int() { local IFS=.; set -- $1; echo $(((($1 * 256 + $2) * 256 + $3) * 256 + $4)); }
B_SIZE=$(($(ip2int $B_LAST) - $(ip2int $B_FIRST) + 1))
max_held=0
for n in $HELD_LIST; do [ "$n" -gt "$max_held" ] && max_held=$n; done
B_MAX=${BENCH_B_MAX:-$(((B_SIZE - max_held) * 3 / 4))}
[ "$B_MAX" -gt 0 ] || { echo "bench: no room in the /15 for new clients beside $max_held held leases" >&2; exit 1; }

ID=lb$$
SRV=${ID}s
CLI=${ID}c
NAMESPACES=""
PIDS=""          # every process started here, killed by PID on exit
SPID=""          # the running server (its children too)
TMP=""
CLK_TCK=$(getconf CLK_TCK)

log() { echo "bench: $*" >&2; }

cleanup() {
	local p ns
	stop_server_hard
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for ns in $NAMESPACES; do
		ip netns pids "$ns" 2>/dev/null | while read -r p; do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$TMP" ]; then
		if [ -n "${KEEP_TMP:-}" ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	local f
	echo "bench: FAIL: $*" >&2
	for f in "$TMP"/*.log "$TMP"/*.out "$TMP"/*.err; do
		[ -s "$f" ] || continue
		echo "--- $f (last 15 lines)" >&2
		tail -15 "$f" >&2
	done
	exit 1
}

# --- preconditions ------------------------------------------------------------

[ "$(id -u)" = 0 ] || { echo "bench: must run as root (network namespaces)" >&2; exit 1; }
"$TOP/tests/bench/deps.sh" || fail "cannot install the benchmark's packages (tests/bench/deps.sh)"
for b in "$LEASED" "$DNSMASQ" "$KEA" "$PERFDHCP" /usr/bin/strace /usr/bin/time /usr/bin/taskset; do
	[ -x "$b" ] || fail "$b is missing"
done
command -v python3 >/dev/null || fail "python3 is missing"
if pgrep -x kea-dhcp4 >/dev/null; then
	log "WARNING: a kea-dhcp4 this bench did not start is running (pid $(pgrep -x kea-dhcp4 | tr '\n' ' '))"
	log "WARNING: it competes for CPU; stop it (systemctl disable --now kea-dhcp4-server)"
fi

mkdir -p "$OUTDIR"
# On the build directory's disk, never tmpfs: fsync must cost what it costs.
TMP=$(mktemp -d "$OUTDIR/run.XXXXXX") || fail "cannot make a work directory"

# --- namespaces ---------------------------------------------------------------

new_ns() {
	ip netns add "$1" || fail "cannot create namespace $1"
	NAMESPACES="$NAMESPACES $1"
	ip -n "$1" link set lo up
}

new_ns "$SRV"
new_ns "$CLI"
ip -n "$SRV" link add br0 type bridge || fail "cannot create the bridge"
ip -n "$SRV" link set br0 up
ip link add "v$ID" type veth peer name eth0 netns "$CLI" || fail "cannot create the veth pair"
ip link set "v$ID" netns "$SRV"
ip -n "$SRV" link set "v$ID" master br0 up
ip -n "$CLI" link set eth0 up

NET=""
CLI_ADDR=""
# set_net a|b: the addresses of test (a) or (b) on the bridge and the client.
set_net() {
	local p=${1^^} srv cli plen
	eval "srv=\$${p}_SRV cli=\$${p}_CLI plen=\$${p}_PLEN"
	ip -n "$SRV" addr flush dev br0
	ip -n "$CLI" addr flush dev eth0
	ip -n "$SRV" addr add "$srv/$plen" dev br0 || fail "cannot address br0"
	ip -n "$CLI" addr add "$cli/$plen" dev eth0 || fail "cannot address eth0"
	NET=$1
	CLI_ADDR=$cli
	# no DAD on IPv4, but let the links settle
	sleep 0.2
}

# --- servers ------------------------------------------------------------------

# The same options for leased and dnsmasq (the network's are added below).
common_opts() {
	local first last mask
	eval "first=\$${NET^^}_FIRST last=\$${NET^^}_LAST mask=\$${NET^^}_MASK"
	printf '%s\n' -k --port=0 -u root --conf-file=/dev/null --interface=br0 \
		--bind-interfaces --except-interface=lo --dhcp-authoritative \
		"--dhcp-lease-max=$LEASE_MAX" "--dhcp-range=$first,$last,$mask,${LEASE_TIME}s"
	[ "$PING" = 1 ] || printf '%s\n' --no-ping
	[ -n "$QUIET" ] && printf '%s\n' --quiet-dhcp
}

kea_config() { # $1: lease file
	local first last net plen sev=INFO
	eval "first=\$${NET^^}_FIRST last=\$${NET^^}_LAST net=\$${NET^^}_NET plen=\$${NET^^}_PLEN"
	[ -n "$QUIET" ] && sev=WARN
	cat >"$TMP/kea.json" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "br0" ] },
    "lease-database": { "type": "memfile", "persist": true, "name": "$1",
                        "lfc-interval": 0 },
    "valid-lifetime": $LEASE_TIME,
    "authoritative": true,
    "multi-threading": { "enable-multi-threading": false },
    "subnet4": [ { "id": 1, "subnet": "$net/$plen",
                   "pools": [ { "pool": "$first - $last" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "$sev",
                   "output_options": [ { "output": "$TMP/kea.log" } ] } ]
} }
EOF
}

# lease_file SERVER: where SERVER keeps its leases in this run.
lease_file() {
	case $1 in
	kea) echo "$TMP/kea-leases4.csv" ;;
	*) echo "$TMP/$1.leases" ;;
	esac
}

# exec_server SERVER: start it in the server namespace, in the foreground
# (so $! is the server itself: `ip netns exec` and `env` exec).
exec_server() {
	local lf
	lf=$(lease_file "$1")
	case $1 in
	leased | dnsmasq)
		local bin=$LEASED
		[ "$1" = dnsmasq ] && bin=$DNSMASQ
		# shellcheck disable=SC2046
		ip netns exec "$SRV" $SRV_PIN "$bin" $(common_opts) "--dhcp-leasefile=$lf" \
			"--pid-file=$TMP/$1.pid" "--log-facility=$TMP/$1.log" \
			>>"$TMP/$1.out" 2>&1 &
		;;
	kea)
		kea_config "$lf"
		# shellcheck disable=SC2086
		ip netns exec "$SRV" env KEA_PIDFILE_DIR="$TMP" KEA_LOCKFILE_DIR="$TMP" \
			$SRV_PIN "$KEA" -c "$TMP/kea.json" >>"$TMP/kea.out" 2>&1 &
		;;
	esac
	SPID=$!
	SNAME=$1
}

# start_server SERVER: start it and wait until it answers a DISCOVER;
# STARTUP gets the seconds from exec to the first answer.  A server that
# exits fails the bench; one still busy starting after START_TIMEOUT is
# stopped, STARTUP becomes ">START_TIMEOUT" and start_server returns 1.
start_server() {
	local ready=$TMP/poll.ready out=$TMP/poll.time poll t0 t1 st
	rm -f "$ready" "$out"
	# shellcheck disable=SC2086
	ip netns exec "$CLI" $CLI_PIN python3 "$HELPERS" poll eth0 "$CLI_ADDR" "$START_TIMEOUT" "$ready" \
		>"$out" 2>"$TMP/poll.err" &
	poll=$!
	PIDS="$PIDS $poll"
	for _ in $(seq 100); do [ -e "$ready" ] && break; sleep 0.05; done
	[ -e "$ready" ] || fail "the start-up poller did not start"
	t0=$(date +%s.%N)
	exec_server "$1"
	while kill -0 "$poll" 2>/dev/null; do
		kill -0 "$SPID" 2>/dev/null || { kill "$poll"; fail "$1 exited at start"; }
		sleep 0.02
	done
	wait "$poll"
	st=$?
	if [ "$st" != 0 ] || [ ! -s "$out" ]; then
		kill -0 "$SPID" 2>/dev/null || fail "$1 exited at start"
		log "WARNING: $1 is running but did not answer within $START_TIMEOUT s of its start; stopped, not measured"
		STARTUP=">$START_TIMEOUT"
		stop_server_hard
		return 1
	fi
	t1=$(cat "$out")
	STARTUP=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# Every process of the server: itself and its children (leased's writer).
server_pids() {
	[ -n "$SPID" ] || return 0
	echo "$SPID"
	pgrep -P "$SPID" 2>/dev/null
}

. "$TOP/tests/bench/lib.sh" # cpu_ticks

stop_server() {
	local kids
	[ -n "$SPID" ] || return 0
	kids=$(pgrep -P "$SPID" 2>/dev/null)
	kill -TERM "$SPID" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	for _ in $(seq 50); do
		[ -z "$kids" ] && break
		kill -0 $kids 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$kids" ] && kill -9 $kids 2>/dev/null
	SPID=""
}

stop_server_hard() {
	local kids
	[ -n "$SPID" ] || return 0
	kids=$(pgrep -P "$SPID" 2>/dev/null)
	kill -9 "$SPID" $kids 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=""
}

# --- perfdhcp -----------------------------------------------------------------

# perf LABEL ARGS...: run perfdhcp from the client namespace, broadcasting
# on eth0; sets P_RATE, P_DSENT, P_ORCVD, P_RSENT, P_ARCVD, P_WALL (s) and
# P_CPU (perfdhcp's own CPU seconds).
perf() {
	local label=$1 out st t0 t1
	shift
	out=$TMP/perfdhcp-$label.txt
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	# In the background, so a signal stops the bench at once (bash runs
	# traps only between foreground commands); cleanup kills perfdhcp.
	ip netns exec "$CLI" timeout 120 $CLI_PIN /usr/bin/time -f '%U %S' -o "$TMP/perfdhcp.time" \
		"$PERFDHCP" -4 -l eth0 ${THREADS:+-g $THREADS} -W 100000 "$@" >"$out" 2>&1 &
	wait $!
	st=$?
	t1=$(date +%s.%N)
	P_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	P_CPU=$(awk 'END { print $1 + $2 }' "$TMP/perfdhcp.time" 2>/dev/null)
	[ "$st" = 0 ] || [ "$st" = 3 ] || { tail -20 "$out" >&2; fail "perfdhcp ($label) exited with $st"; }
	eval "$(awk '
		/^Rate:/ { rate = $2 }
		/Statistics for: DISCOVER-OFFER/ { s = "D" }
		/Statistics for: REQUEST-ACK/ { s = "R" }
		/^sent packets:/ { sent[s] = $3 }
		/^received packets:/ { rcvd[s] = $3 }
		END {
			printf "P_RATE=%s P_DSENT=%s P_ORCVD=%s P_RSENT=%s P_ARCVD=%s\n",
				rate, sent["D"] + 0, rcvd["D"] + 0, sent["R"] + 0, rcvd["R"] + 0
		}' "$out")"
	[ -n "$P_RATE" ] && [ "$P_DSENT" -gt 0 ] || { cat "$out" >&2; fail "perfdhcp ($label) reported nothing"; }
	# A server too slow to answer within perfdhcp's drop time scores 0;
	# one that died fails the bench.
	[ -z "$SPID" ] || kill -0 "$SPID" 2>/dev/null || fail "$SNAME died during perfdhcp ($label)"
	[ "$P_ORCVD" -gt 0 ] || log "WARNING: $SNAME answered none of perfdhcp's DISCOVERs in time ($label)"
}

declare -A R    # results: R[key,server] (medians) and R[key,server,round]

# measure KEY ARGS...: one perfdhcp run against the running server with
# its CPU time around it; results go to R[KEY.metric,SERVER,ROUND].
measure() {
	local key=$1 pids kids c0 c1 k0 k1 k f0 f1 u0 u1 prec b0 b1
	shift
	local offers_only=""
	[[ " $* " == *" -i "* ]] && offers_only=1
	pids=$(server_pids)
	kids=$(pgrep -P "$SPID")
	# shellcheck disable=SC2086
	c0=$(cpu_ticks $pids)
	# shellcheck disable=SC2086
	k0=$(cpu_ticks $kids)
	# shellcheck disable=SC2086
	f0=$(minflt $pids)
	b0=$(core_busy 1)
	# shellcheck disable=SC2086
	u0=$(user_ticks $pids)
	if [ -n "$PERF_DIR" ]; then
		# shellcheck disable=SC2086
		command perf record -q -g -F 999 -o "$PERF_DIR/$key-$SNAME-r$ROUND.data" -p "$(echo $pids | tr ' ' ,)" \
			>/dev/null 2>&1 &
		prec=$!
	fi
	perf "$key-$SNAME" "$@"
	[ -n "$PERF_DIR" ] && { kill -INT "$prec"; wait "$prec"; }
	# shellcheck disable=SC2086
	f1=$(minflt $pids)
	b1=$(core_busy 1)
	# shellcheck disable=SC2086
	u1=$(user_ticks $pids)
	# perfdhcp -i: DISCOVER/OFFER only; an OFFER is what completes.
	[ -n "$offers_only" ] && P_ARCVD=$P_ORCVD
	# shellcheck disable=SC2086
	c1=$(cpu_ticks $pids)
	# shellcheck disable=SC2086
	k1=$(cpu_ticks $kids)
	# The part of it in child processes (leased's store writer).
	R[$key.kcpu,$SNAME]=$(awk -v t=$((k1 - k0)) -v hz="$CLK_TCK" -v a="$P_ARCVD" \
		'BEGIN { if (a > 0) printf "%.0f", t / hz / a * 1e6; else print "n/a" }')
	R[$key.rate,$SNAME]=$(awk -v r="$P_RATE" 'BEGIN { printf "%.0f", r }')
	R[$key.drop,$SNAME]=$(awk -v d="$P_DSENT" -v a="$P_ARCVD" 'BEGIN { printf "%.1f%%", 100 * (d - a) / d }')
	R[$key.cpu,$SNAME]=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v a="$P_ARCVD" \
		'BEGIN { if (a > 0) printf "%.0f", t / hz / a * 1e6; else printf "n/a (%.2fs)", t / hz }')
	R[$key.acks,$SNAME]=$P_ARCVD
	# Everything the server's core did (pinned): the server, children it
	# does not wait for (leased's lease-file snapshot), its packets'
	# softirq work; less noisy than the rate, which perfdhcp sets.
	R[$key.core,$SNAME]=n/a
	[ "$PIN" = 1 ] && R[$key.core,$SNAME]=$(awk -v t=$((b1 - b0)) -v hz="$CLK_TCK" -v a="$P_ARCVD" \
		'BEGIN { if (a > 0) printf "%.0f", t / hz / a * 1e6; else print "n/a" }')
	# User time alone: the server's own work, without the kernel's
	# (syscalls, packets, and in a VM its exits), which varies run to run.
	R[$key.user,$SNAME]=$(awk -v t=$((u1 - u0)) -v hz="$CLK_TCK" -v a="$P_ARCVD" \
		'BEGIN { if (a > 0) printf "%.1f", t / hz / a * 1e6; else print "n/a" }')
	# How busy the server and perfdhcp were: CPU seconds per second of run.
	R[$key.load,$SNAME]=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v w="$P_WALL" \
		'BEGIN { printf "%.0f%%", 100 * t / hz / w }')
	R[$key.gen,$SNAME]=$(awk -v c="${P_CPU:-0}" -v w="$P_WALL" 'BEGIN { printf "%.0f%%", 100 * c / w }')
	log "round $ROUND $key $SNAME: ${R[$key.rate,$SNAME]}/s, drop ${R[$key.drop,$SNAME]}, cpu ${R[$key.cpu,$SNAME]} us/exchange" \
		"(user ${R[$key.user,$SNAME]})," \
		"server load ${R[$key.load,$SNAME]}, perfdhcp load ${R[$key.gen,$SNAME]}," \
		"minor faults $(awk -v f=$((f1 - f0)) -v a="$P_ARCVD" 'BEGIN { if (a > 0) printf "%.2f", f / a }')/exchange" \
		"($P_DSENT discovers, $P_ORCVD offers, $P_RSENT requests, $P_ARCVD acks in ${P_WALL}s)"
	for k in rate drop cpu user core kcpu load gen; do
		R[$key.$k,$SNAME,$ROUND]=${R[$key.$k,$SNAME]}
		unset "R[$key.$k,$SNAME]"
	done
}

# no_answer KEY SERVER: a server that never started serving in this round.
no_answer() {
	local k
	for k in rate drop cpu user core kcpu load gen; do R[$1.$k,$2,$ROUND]="no answer"; done
}

# median V...: the median of the numeric values (a trailing % kept), else
# the first value.
median() {
	printf '%s\n' "$@" | awk '
		/^[0-9.]+%?$/ { pct = pct || /%$/; v[++n] = $0 + 0; next }
		NR == 1 { first = $0 }
		END {
			if (!n) { print first; exit }
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			if (pct) printf "%.1f%%\n", m
			else printf (m == int(m) ? "%d\n" : (m < 10 ? "%.3f\n" : "%.0f\n")), m
		}'
}

# summarize KEY METRIC...: R[KEY.METRIC,server] = median over the rounds,
# R[KEY.range,server] = lowest-highest rate.
summarize() {
	local key=$1 s m r vals
	shift
	for s in $SERVERS; do
		for m in "$@"; do
			vals=()
			for r in $(seq "$ROUNDS"); do
				[ -n "${R[$key.$m,$s,$r]+x}" ] && vals+=("${R[$key.$m,$s,$r]}")
			done
			[ ${#vals[@]} -gt 0 ] && R[$key.$m,$s]=$(median "${vals[@]}")
		done
		vals=()
		for r in $(seq "$ROUNDS"); do
			[ -n "${R[$key.rate,$s,$r]+x}" ] && vals+=("${R[$key.rate,$s,$r]}")
		done
		[ ${#vals[@]} -gt 1 ] && R[$key.range,$s]=$(printf '%s\n' "${vals[@]}" |
			awk '/^[0-9]+$/ { if (!n++) lo = hi = $1; if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 }
			     END { if (n) print lo "-" hi; else print "-" }')
	done
}

# leases_in_file SERVER: how many leases its file holds now.
leases_in_file() {
	local lf n
	lf=$(lease_file "$1")
	case $1 in
	kea) n=$(($(wc -l <"$lf") - 1)) ;;
	*) n=$(grep -c . "$lf") ;;
	esac
	echo "$n"
}

# --- (a) 200 clients renewing on a /24 ----------------------------------------

log "work directory $TMP ($(stat -f -c %T "$TMP"))"
set_net a
# Rounds interleave the servers, so a slow spell of the machine does not
# land on one server only; the table gives medians.
for ROUND in $(seq "$ROUNDS"); do
	for s in $SERVERS; do
		rm -f "$(lease_file "$s")"*
		start_server "$s" || fail "$s did not answer within $START_TIMEOUT s with no leases"
		log "(a) $s answering after ${STARTUP}s; warming up $A_CLIENTS clients"
		perf "warmup-$s" -r 1000 -R "$A_CLIENTS" -p 2
		measure a -r "$RATE" -R "$A_CLIENTS" -p "$A_SECS"
		stop_server
	done
done
summarize a rate drop cpu user core kcpu load gen

# --- (b) new clients on a /15 with leases already held ------------------------

# use_held SERVER BASE: SERVER starts from a copy of BASE.leases (Kea:
# BASE.csv), nothing left of its last run.
use_held() {
	rm -f "$TMP/$1.leases"* "$TMP/kea-leases4.csv"* "$TMP/kea.log"
	if [ "$1" = kea ]; then
		cp "$2.csv" "$(lease_file kea)"
	else
		cp "$2.leases" "$(lease_file "$1")"
	fi
}

set_net b
EXPIRY=$(($(date +%s) + LEASE_TIME))
for n in $HELD_LIST; do
	python3 "$HELPERS" genleases "$n" "$B_FIRST" "$B_LAST" "$EXPIRY" "$LEASE_TIME" \
		"$TMP/held-$n.leases" "$TMP/held-$n.csv" "$NAMES" "$LAYOUT" ||
		fail "cannot generate $n leases"
done
# Every held count in every round, so the runs a ratio compares (N held
# against none, same server, same round) lie seconds apart, not minutes:
# the machine's slow spells (15% either way here) then hit both sides.
for ROUND in $(seq "$ROUNDS"); do
	for n in $HELD_LIST; do
		for s in $SERVERS; do
			# A server that could not start with n leases is not tried again.
			if [ "${R[start$n,$s,1]:-}" = ">$START_TIMEOUT" ]; then
				no_answer "b$n" "$s"
				continue
			fi
			use_held "$s" "$TMP/held-$n"
			sync
			if ! start_server "$s"; then
				R[start$n,$s,$ROUND]=$STARTUP
				no_answer "b$n" "$s"
				continue
			fi
			R[start$n,$s,$ROUND]=$STARTUP
			log "(b) $s answering after ${STARTUP}s with $n leases"
			if [ "$s" = kea ] && grep -q 'ERROR' "$TMP/kea.log" 2>/dev/null; then
				fail "Kea logged an error loading the pre-generated lease file"
			fi
			measure "b$n" -r "$RATE" -R "$B_CLIENTS" -p "$B_SECS" -n "$B_MAX"
			stop_server
			# Every held lease must still be there; dnsmasq rewrites its file
			# in place, so a kill -9 by stop_server may cost it leases.
			held=$(leases_in_file "$s")
			if [ "$held" -lt "$n" ]; then
				[ "$s" = leased ] && fail "leased keeps $held leases after the run, fewer than the $n it was given"
				log "WARNING: $s keeps $held leases after the run, fewer than the $n it was given"
			fi
		done
	done
done
for n in $HELD_LIST; do
	summarize "b$n" rate drop cpu user core kcpu load gen
	for s in $SERVERS; do
		vals=()
		for r in $(seq "$ROUNDS"); do
			[ -n "${R[start$n,$s,$r]:-}" ] && vals+=("${R[start$n,$s,$r]}")
		done
		[ ${#vals[@]} -gt 0 ] && R[start$n,$s]=$(median "${vals[@]}")
	done
	rm -f "$TMP/held-$n.csv"
done
# paired KEY METRIC BASE: R[KEY.METRIC.vs,server] = the median over the
# rounds of KEY's METRIC divided by BASE's in the same round.
paired() {
	local key=$1 m=$2 base=$3 s r vals q
	for s in $SERVERS; do
		vals=()
		for r in $(seq "$ROUNDS"); do
			q=$(awk -v a="${R[$key.$m,$s,$r]:-}" -v b="${R[$base.$m,$s,$r]:-}" \
				'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.3f", a / b }')
			[ -n "$q" ] && vals+=("$q")
		done
		[ ${#vals[@]} -gt 0 ] && R[$key.$m.vs,$s]=$(awk -v v="$(median "${vals[@]}")" 'BEGIN { printf "%.2fx", v }')
	done
}
B_BASE=b${HELD_LIST%% *}
for n in $HELD_LIST; do
	paired "b$n" rate "$B_BASE"
	paired "b$n" cpu "$B_BASE"
	paired "b$n" user "$B_BASE"
	paired "b$n" core "$B_BASE"
done

# --- (c) DISCOVERs on a /24 that is 99% full -----------------------------------

# perfdhcp -i (DISCOVER/OFFER only: an OFFER takes no address, so the pool
# stays as full as it starts), new clients, with 0 and with 247 of the
# range's addresses held (99%): finding one of the few free addresses
# must cost what finding one in an empty pool does.
A_SIZE=$(($(ip2int $A_LAST) - $(ip2int $A_FIRST) + 1))
FULL_HELD=${BENCH_FULL_HELD-0 $((A_SIZE * 99 / 100))}
set_net a
for n in $FULL_HELD; do
	python3 "$HELPERS" genleases "$n" "$A_FIRST" "$A_LAST" "$EXPIRY" "$LEASE_TIME" \
		"$TMP/full-$n.leases" "$TMP/full-$n.csv" "$NAMES" "$LAYOUT" ||
		fail "cannot generate $n leases on the /24"
	for ROUND in $(seq "$ROUNDS"); do
		for s in $SERVERS; do
			use_held "$s" "$TMP/full-$n"
			if ! start_server "$s"; then
				no_answer "c$n" "$s"
				continue
			fi
			measure "c$n" -i -r "$RATE" -R "$B_CLIENTS" -p "$C_SECS"
			stop_server
		done
	done
	summarize "c$n" rate drop cpu kcpu load gen
done

# --- leased: start-up as a daemon (until the parent exits), 100,000 leases ---

DAEMON_START=""
if [[ " $SERVERS " == *" leased "* ]]; then
	n=100000
	[ -e "$TMP/held-$n.leases" ] || python3 "$HELPERS" genleases "$n" "$B_FIRST" "$B_LAST" \
		"$EXPIRY" "$LEASE_TIME" "$TMP/held-$n.leases" "$TMP/held-$n.csv" "$NAMES"
	rm -f "$TMP/leased.leases"* "$TMP/leased.pid"
	cp "$TMP/held-$n.leases" "$TMP/leased.leases"
	sync
	t0=$(date +%s.%N)
	# shellcheck disable=SC2046
	ip netns exec "$SRV" $SRV_PIN "$LEASED" $(common_opts | grep -vx -- -k) \
		"--dhcp-leasefile=$TMP/leased.leases" "--pid-file=$TMP/leased.pid" \
		"--log-facility=$TMP/leased.log" >>"$TMP/leased.out" 2>&1 ||
		fail "leased did not start as a daemon with $n leases"
	t1=$(date +%s.%N)
	SPID=$(cat "$TMP/leased.pid" 2>/dev/null)
	SNAME=leased
	[ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null || fail "leased's daemon is not running after its start"
	DAEMON_START=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	log "leased as a daemon: parent exited after ${DAEMON_START}s with $n leases"
	stop_server
fi

# --- leased's fsyncs: strace on short runs (not measured) ---------------------

# fsync_check RATE: leased under strace (seccomp-bpf: only the traced calls
# stop it), 200 clients at RATE for 3 s; appends a line to FSYNC_LINES.
FSYNC_LINES=""
fsync_check() {
	local rate=$1 ready=$TMP/poll.ready poll strace_pid acks syncs fsyncs line
	rm -f "$TMP/leased.leases"* "$TMP/strace.txt" "$ready"
	ip netns exec "$CLI" python3 "$HELPERS" poll eth0 "$CLI_ADDR" 30 "$ready" >/dev/null 2>&1 &
	poll=$!
	PIDS="$PIDS $poll"
	# shellcheck disable=SC2046,SC2086
	ip netns exec "$SRV" $SRV_PIN strace -f --seccomp-bpf -c -e trace=fdatasync,fsync \
		-o "$TMP/strace.txt" "$LEASED" $(common_opts) "--dhcp-leasefile=$TMP/leased.leases" \
		"--pid-file=$TMP/leased.pid" "--log-facility=$TMP/leased.log" \
		>>"$TMP/leased.out" 2>&1 &
	strace_pid=$!
	PIDS="$PIDS $strace_pid"
	wait "$poll" || fail "leased under strace did not answer"
	SPID=$(cat "$TMP/leased.pid")
	SNAME=leased
	perf "fsync-$rate" -r "$rate" -R "$A_CLIENTS" -p 3
	kill -USR1 "$SPID"
	sleep 0.3
	acks=$(grep 'DHCP: .* acks' "$TMP/leased.log" | tail -1 |
		sed -n 's/.*(\([0-9]*\) offers, \([0-9]*\) acks.*/\2/p')
	kill -TERM "$SPID"
	wait "$strace_pid"
	SPID=""
	syncs=$(awk '$NF == "fdatasync" { print $4 }' "$TMP/strace.txt")
	fsyncs=$(awk '$NF == "fsync" { print $4 }' "$TMP/strace.txt")
	syncs=${syncs:-0} fsyncs=${fsyncs:-0}
	line=$(awk -v r="$rate" -v s="$syncs" -v f="$fsyncs" -v a="${acks:-0}" -v p="$P_ARCVD" 'BEGIN {
		printf "-r %d: %d ACKs sent (%d reached perfdhcp), %d fdatasync + %d fsync: %.2f syncs per ACK, %.1f ACKs per sync",
			r, a, p, s, f, a ? (s + f) / a : 0, (s + f) ? a / (s + f) : 0 }')
	log "fsync check $line"
	[ "$syncs" -gt 0 ] || fail "leased made no fdatasync call while granting leases"
	FSYNC_LINES="$FSYNC_LINES  $line
"
}

if [[ " $SERVERS " == *" leased "* ]]; then
	set_net a
	fsync_check 1000
	fsync_check "$RATE"
fi

# --- report -------------------------------------------------------------------

# ratio A B: A/B, or n/a; B may be ">N" (a start-up that timed out).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		lt = sub(/^>/, "", b)
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "n/a"; exit }
		r = a / b
		printf (lt ? "<" : "") (r < 0.01 ? "%.4fx\n" : "%.2fx\n"), r }'
}

report() {
	local has_d="" has_k="" s n
	[[ " $SERVERS " == *" dnsmasq "* ]] && has_d=1
	[[ " $SERVERS " == *" kea "* ]] && has_k=1
	echo "DHCPv4 benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) cores, $(uname -r), lease files on $(stat -f -c %T "$TMP")"
	echo "leased $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(git -C "$TOP" diff --quiet HEAD -- src include 2>/dev/null || echo '+local changes'),"\
		"dnsmasq $($DNSMASQ --version | awk 'NR == 1 { print $3 }'), Kea $($KEA -v), perfdhcp $($PERFDHCP -v | awk '{ print $2 }')"
	echo "perfdhcp -4 -l eth0 (broadcast, as a relay: giaddr set) -r $RATE${THREADS:+ -g $THREADS} -W 100000;" \
		"(a) -R $A_CLIENTS -p $A_SECS after a warm-up; (b) -R $B_CLIENTS -p $B_SECS -n $B_MAX"
	if [ "$PIN" = 1 ]; then
		echo "CPU pinning: perfdhcp on CPU 0, the server (with leased's writer) on CPU 1"
	else
		echo "no CPU pinning"
	fi
	echo "leased and dnsmasq: $(common_opts | grep -v range | tr '\n' ' ')--dhcp-range=FIRST,LAST,MASK,${LEASE_TIME}s"
	echo "held leases: $([ "$LAYOUT" = ordered ] && echo "on the first addresses of the /15" || echo "spread at random over the /15"), $([ "$NAMES" = 0 ] && echo "without host names" || echo "each with a host name")"
	echo "Kea: memfile persist=true lfc-interval=0, single-threaded, authoritative, log ${QUIET:+WARN}${QUIET:-INFO} to a file"
	echo "$ROUNDS round(s), servers interleaved; every figure is the median over the rounds;"
	echo "(b) N / 0 held: the median of each round's ratio (the two runs seconds apart)"
	echo "rate: 4-way exchanges/s (perfdhcp); drop: DISCOVERs without an ACK; cpu: server utime+stime per ACK;"
	echo "user: utime alone, the server's own code (the rest is the kernel's: syscalls, packets, and"
	echo "in a VM its exits, which vary from run to run by 20% and more); server core: all CPU 1 did"
	echo "per ACK when pinned (the server, leased's lease-file snapshot child, softirq work);"
	echo "CPU load: CPU seconds per second of the run (100% = one core busy); perfdhcp near 100% means"
	echo "the load generator, not the server, set the pace"
	echo
	printf '%-34s %12s %12s %12s' "" leased dnsmasq kea
	[ -n "$has_d" ] && printf ' %15s' "leased/dnsmasq"
	[ -n "$has_k" ] && printf ' %11s' "leased/kea"
	echo
	row() { # label key [noratio]
		local l d k
		l=${R[$2,leased]:--} d=${R[$2,dnsmasq]:--} k=${R[$2,kea]:--}
		printf '%-34s %12s %12s %12s' "$1" "$l" "$d" "$k"
		if [ -z "${3:-}" ]; then
			[ -n "$has_d" ] && printf ' %15s' "$(ratio "$l" "$d")"
			[ -n "$has_k" ] && printf ' %11s' "$(ratio "$l" "$k")"
		fi
		echo
	}
	row "(a) 200 renewing, /24: rate/s" a.rate
	[ "$ROUNDS" -gt 1 ] && row "    rate, lowest-highest" a.range -
	row "    drop" a.drop -
	row "    cpu us/exchange" a.cpu
	row "     of which user" a.user
	[[ " $SERVERS " == *" leased "* ]] && printf '%-34s %12s\n' "     of which leased's writer" "${R[a.kcpu,leased]:--}"
	row "    server CPU load" a.load -
	row "    perfdhcp CPU load" a.gen -
	for n in $HELD_LIST; do
		row "(b) new, /15, $n held: rate/s" "b$n.rate"
		[ "$ROUNDS" -gt 1 ] && row "    rate, lowest-highest" "b$n.range" -
		row "    drop" "b$n.drop" -
		row "    cpu us/exchange" "b$n.cpu"
		row "     of which user" "b$n.user"
		row "    server core us/exchange" "b$n.core"
		[[ " $SERVERS " == *" leased "* ]] && printf '%-34s %12s\n' "     of which leased's writer" "${R[b$n.kcpu,leased]:--}"
		row "    server CPU load" "b$n.load" -
		row "    perfdhcp CPU load" "b$n.gen" -
	done
	for n in $FULL_HELD; do
		row "(c) /24, $n held, -i: offers/s" "c$n.rate"
		[ "$ROUNDS" -gt 1 ] && row "    rate, lowest-highest" "c$n.range" -
		row "    cpu us/offer" "c$n.cpu"
	done
	for n in $HELD_LIST; do
		row "start-up, $n leases (s)" "start$n"
	done
	for n in $HELD_LIST; do
		[ "b$n" = "$B_BASE" ] && continue
		row "(b) $n / ${B_BASE#b} held, rate" "b$n.rate.vs" -
		row "    cpu us/exchange" "b$n.cpu.vs" -
		row "     of which user" "b$n.user.vs" -
		row "    server core us/exchange" "b$n.core.vs" -
	done
	full=${FULL_HELD##* }
	if [ "$full" != "${FULL_HELD%% *}" ]; then
		for s in leased dnsmasq kea; do
			R[cfull,$s]=$(ratio "${R[c$full.rate,$s]:-}" "${R[c${FULL_HELD%% *}.rate,$s]:-}")
		done
		row "(c) $full / ${FULL_HELD%% *} held, offers" cfull -
	fi
	echo
	echo "ratios: leased's figure divided by the other server's (rate: higher is better for leased;"
	echo "cpu and start-up: lower is better for leased)"
	[ -n "$DAEMON_START" ] && echo "leased start-up as a daemon, 100000 leases, exec until the parent exits: ${DAEMON_START}s"
	[ -n "$FSYNC_LINES" ] && printf 'leased durability (strace -f --seccomp-bpf -c -e trace=fdatasync,fsync, -R %s -p 3, not measured runs;\nfdatasync: journal appends, one per batch; fsync: the lease-file rewrites, at most one per 100 ms, and directories):\n%s' "$A_CLIENTS" "$FSYNC_LINES"
}

# tsv: the medians of the table, machine-readable: one row per run and
# server (run: renew for (a), new for (b), offer24 for (c); held: the leases held before
# it), "-" where there is no figure; lines starting with # say what ran.
tsv() {
	local s n num='function num(v) { sub(/%$/, "", v); return v ~ /^[0-9.]+$/ ? v : "-" }'
	echo "# DHCPv4 benchmark (tests/bench/run.sh), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# leased $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(git -C "$TOP" diff --quiet HEAD -- src include 2>/dev/null || echo '+local changes');" \
		"$(nproc) cores; $ROUNDS round(s), medians; layout $LAYOUT; ping $PING; -r $RATE; (a) -p $A_SECS; (b) -p $B_SECS"
	printf 'run\theld\tserver\trate\tcpu_us\tdrop_pct\tstart_s\n'
	for s in $SERVERS; do
		awk -v s="$s" -v r="${R[a.rate,$s]:-}" -v c="${R[a.cpu,$s]:-}" -v d="${R[a.drop,$s]:-}" \
			"$num"' BEGIN { printf "renew\t-\t%s\t%s\t%s\t%s\t-\n", s, num(r), num(c), num(d) }'
	done
	for n in $FULL_HELD; do
		for s in $SERVERS; do
			awk -v n="$n" -v s="$s" -v r="${R[c$n.rate,$s]:-}" -v c="${R[c$n.cpu,$s]:-}" \
				-v d="${R[c$n.drop,$s]:-}" \
				"$num"' BEGIN { printf "offer24\t%s\t%s\t%s\t%s\t%s\t-\n", n, s, num(r), num(c), num(d) }'
		done
	done
	for n in $HELD_LIST; do
		for s in $SERVERS; do
			awk -v n="$n" -v s="$s" -v r="${R[b$n.rate,$s]:-}" -v c="${R[b$n.cpu,$s]:-}" \
				-v d="${R[b$n.drop,$s]:-}" -v t="${R[start$n,$s]:-}" \
				"$num"' BEGIN { printf "new\t%s\t%s\t%s\t%s\t%s\t%s\n", n, s, num(r), num(c), num(d), num(t) }'
		done
	done
}

report | tee "$RESULTS"
tsv >"${RESULTS%.txt}.tsv"
log "results written to $RESULTS and ${RESULTS%.txt}.tsv"
