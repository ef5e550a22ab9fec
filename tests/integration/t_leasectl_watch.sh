#!/bin/bash
# leasectl watch and watch --json: while they run, a client takes a lease,
# another releases its own (udhcpc -R) and `leasectl release` ends a
# third; both show grant, release, release with the right address, MAC
# and name, in that order and nothing else; every --json line is an
# event object jq reads.  SIGINT ends watch with status 0; a watch whose
# daemon stops ends with status 2.
. "$(dirname "$0")/lib.sh"
need_jq

setup_server
add_client a 02:00:00:00:00:0a
add_client b 02:00:00:00:00:0b
add_client c 02:00:00:00:00:0c
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	-s lxc -S /lxc/ --no-resolv --no-hosts --control-socket="$CTL_SOCK"

# b keeps its DHCP client running, with -R: it releases when stopped.
ns_b=$(client_ns b)
ip netns exec "$ns_b" env LEASE_OUT="$TMP/b.udhcpc" udhcpc -i eth0 -f -R -t 6 -T 1 -A 1 \
	-s "$UDHCPC_SCRIPT" -x hostname:beta >"$TMP/b.udhcpc.log" 2>&1 &
UDHCPC_B=$!
PIDS="$PIDS $UDHCPC_B"
wait_for grep -qs '^ip=' "$TMP/b.udhcpc" || fail "client b got no lease: $(cat "$TMP/b.udhcpc.log")"
ip_b=$(sed -n 's/^ip=//p' "$TMP/b.udhcpc")
ip_c=$(udhcpc_lease c gamma)
wait_for lease_line "$ip_b" >/dev/null && wait_for lease_line "$ip_c" >/dev/null || fail "leases not written"
ok "before watching: $ip_b beta (udhcpc -R running), $ip_c gamma"

ctl_bg "$TMP/watch.txt" watch
W_TXT=$CTL_BG_PID
ctl_bg "$TMP/watch.json" watch --json
W_JSON=$CTL_BG_PID
ctl_bg "$TMP/watch.term" watch
W_TERM=$CTL_BG_PID
ctl_bg "$TMP/watch.stop" watch
W_STOP=$CTL_BG_PID
four_watchers() { [ "$(ctl_conns)" -ge 4 ]; }
wait_for four_watchers || fail "the watchers are not connected: $(ip netns exec "$SRV" ss -xn)"
sleep 0.2
for p in $W_TXT $W_JSON $W_TERM $W_STOP; do
	kill -0 "$p" 2>/dev/null || fail "a watch exited at start: $(cat "$TMP"/watch.*.err)"
done
ctl_ok stats # other requests are answered while watchers are connected
ok "four leasectl watch running"

# 1. a takes a lease.
ip_a=$(udhcpc_lease a alpha)
# 2. b releases its own (udhcpc -R on SIGTERM).
kill -TERM "$UDHCPC_B"
wait "$UDHCPC_B" 2>/dev/null
grep -qi release "$TMP/b.udhcpc.log" || fail "udhcpc -R in b sent no release: $(cat "$TMP/b.udhcpc.log")"
no_line() { ! lease_line "$1" >/dev/null; }
wait_for no_line "$ip_b" || fail "b's release did not end its lease: $(cat "$TMP/leases")"
# 3. leasectl release ends c's.
ctl_ok release gamma

# lines FILE: the events seen, without the time.
events_txt() { cut -d' ' -f3- "$TMP/watch.txt"; }
three() { [ "$(grep -c . "$1")" -ge 3 ]; }
wait_for three "$TMP/watch.txt" || fail "watch printed: $(cat "$TMP/watch.txt") $(cat "$TMP/watch.txt.err")"
wait_for three "$TMP/watch.json" || fail "watch --json printed: $(cat "$TMP/watch.json") $(cat "$TMP/watch.json.err")"
want="grant $ip_a 02:00:00:00:00:0a alpha
release $ip_b 02:00:00:00:00:0b beta
release $ip_c 02:00:00:00:00:0c gamma"
[ "$(events_txt)" = "$want" ] || fail "watch: want
$want
got:
$(cat "$TMP/watch.txt")"
while read -r d t _; do
	[[ "$d $t" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] || fail "watch: bad time '$d $t': $(cat "$TMP/watch.txt")"
	then_s=$(date -d "$d $t" +%s)
	[ $(($(date +%s) - then_s)) -le 30 ] && [ $(($(date +%s) - then_s)) -ge -2 ] || fail "watch: time '$d $t' is not now"
done <"$TMP/watch.txt"
ok "watch: grant $ip_a alpha, release $ip_b beta, release $ip_c gamma, in order, with local times"

while read -r line; do
	jq_true "$line" 'type == "object"' || fail "watch --json: not a JSON object: $line"
done <"$TMP/watch.json"
got=$(jq -r '"\(.type) \(.lease.address) \(.lease.hwaddr) \(.lease.hostname)"' "$TMP/watch.json")
[ "$got" = "$want" ] || fail "watch --json: want
$want
got:
$(cat "$TMP/watch.json")"
jq_true "$(cat "$TMP/watch.json")" -s --arg a "$ip_a" 'map(select(.type == "grant")) | length == 1 and (.[0] |
	.lease.address == $a and .lease.family == 4
	and (.lease.names | index("alpha.lxc")) != null and .lease.kind == "dynamic"
	and (.lease.expires_in > 11 * 3600) and (.time | type == "number"))' ||
	fail "watch --json: the grant lacks lease fields: $(head -1 "$TMP/watch.json")"
[ "$(jq -s length "$TMP/watch.json")" = 3 ] || fail "watch --json: want 3 lines: $(cat "$TMP/watch.json")"
ok "watch --json: three JSON lines, the same events, full lease objects"

# Stopping: SIGINT and SIGTERM exit 0.
kill -INT "$W_TXT"
rc=0
wait "$W_TXT" || rc=$?
[ "$rc" = 0 ] || fail "watch after SIGINT: exit $rc, want 0: $(cat "$TMP/watch.txt.err")"
kill -INT "$W_JSON"
rc=0
wait "$W_JSON" || rc=$?
[ "$rc" = 0 ] || fail "watch --json after SIGINT: exit $rc, want 0: $(cat "$TMP/watch.json.err")"
kill -TERM "$W_TERM"
rc=0
wait "$W_TERM" || rc=$?
[ "$rc" = 0 ] || fail "watch after SIGTERM: exit $rc, want 0: $(cat "$TMP/watch.term.err")"
ok "SIGINT (and SIGTERM) end watch with status 0"

# The watchers that went away are forgotten: the next event still reaches the last one.
ctl_ok release alpha
wait_for grep -q "release $ip_a 02:00:00:00:00:0a alpha" "$TMP/watch.stop" ||
	fail "the remaining watcher missed release alpha: $(cat "$TMP/watch.stop")"
[ "$(grep -c . "$TMP/watch.stop")" = 4 ] || fail "the remaining watcher: want 4 lines: $(cat "$TMP/watch.stop")"

# The daemon stops: watch ends with status 2.
stop_leased
for _ in $(seq 30); do kill -0 "$W_STOP" 2>/dev/null || break; sleep 0.1; done
kill -0 "$W_STOP" 2>/dev/null && fail "watch still runs 3 s after leased stopped"
rc=0
wait "$W_STOP" || rc=$?
[ "$rc" = 2 ] || fail "watch when leased stopped: exit $rc, want 2: $(cat "$TMP/watch.stop.err")"
grep -q '^leasectl: ' "$TMP/watch.stop.err" || fail "watch when leased stopped: no message"
ok "watch ends with status 2 when leased stops: $(cat "$TMP/watch.stop.err")"
