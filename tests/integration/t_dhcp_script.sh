#!/bin/bash
# --dhcp-script, as dnsmasq runs it: real DHCP clients (busybox udhcpc)
# get, renew, rename and release leases, and the script sees add / old /
# del in that order with dnsmasq's arguments and DNSMASQ_* variables; a
# failing script is logged with its event; a script that sleeps does not
# delay DHCP answers and still sees every event in order; a restart (and
# SIGHUP) reports every lease as "old" with DNSMASQ_DATA_MISSING=1; and
# libvirt's form, --leasefile-ro with an "init" script, loads the leases
# the script prints (the client gets its address back) and writes no
# lease file.  A failing "init" stops the start with dnsmasq's status.
. "$(dirname "$0")/lib.sh"

EVENTS=$TMP/events
HOOK=$TMP/hook.sh
# One line per run: "ARGS|VAR=VALUE;VAR=VALUE..." (DNSMASQ_* only, sorted).
# $TMP/hook.sleep makes it slow, $TMP/hook.fail makes it exit 3.
cat >"$HOOK" <<EOS
#!/bin/sh
vars=\$(env | grep '^DNSMASQ_' | sort | paste -sd ';' -)
echo "\$*|\$vars" >> "$EVENTS"
[ -f "$TMP/hook.sleep" ] && sleep "\$(cat "$TMP/hook.sleep")"
[ -f "$TMP/hook.fail" ] && { echo "hook says no"; exit 3; }
if [ "\$1" = init ]; then cat "$TMP/init.out"; exit "\$(cat "$TMP/init.status" 2>/dev/null || echo 0)"; fi
exit 0
EOS
chmod +x "$HOOK"
: >"$EVENTS"

nevents() { wc -l <"$EVENTS"; }
# event N: line N of the events file; args_of / vars_of split it.
event() { sed -n "${1}p" "$EVENTS"; }
args_of() { event "$1" | cut -d'|' -f1; }
has_var() { event "$1" | cut -d'|' -f2 | tr ';' '\n' | grep -qx "$2"; }
lacks_var() { ! event "$1" | cut -d'|' -f2 | tr ';' '\n' | grep -q "^$2="; }
var_of() { event "$1" | cut -d'|' -f2 | tr ';' '\n' | sed -n "s/^$2=//p"; }
wait_events() { # wait_events N [SECONDS]
	local i
	for i in $(seq $((${2:-3} * 10))); do
		[ "$(nevents)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "expected $1 script runs, saw $(nevents): $(cat "$EVENTS")"
}
expect_args() { # expect_args N "ARGS"
	[ "$(args_of "$1")" = "$2" ] || fail "script run $1 was '$(args_of "$1")', expected '$2'"
}

MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
MAC_C=02:00:00:00:00:0c
setup_server
add_client a $MAC_A
add_client b $MAC_B
add_client c $MAC_C
ARGS=(--interface=$BR --bind-interfaces --except-interface=lo --dhcp-range=$NET.10,$NET.50,12h
	-s lxc --dhcp-authoritative --dhcp-script="$HOOK")
start_leased "${ARGS[@]}"

# add: a new lease, with the client's name, client-id and the domain.
ip_a=$(udhcpc_lease a ca)
wait_events 1
expect_args 1 "add $MAC_A $ip_a ca"
has_var 1 "DNSMASQ_CLIENT_ID=01:$MAC_A" || fail "no client-id: $(event 1)"
has_var 1 "DNSMASQ_DOMAIN=lxc" || fail "no domain: $(event 1)"
has_var 1 "DNSMASQ_INTERFACE=$BR" || fail "no interface: $(event 1)"
wait_for lease_line "$ip_a" >/dev/null || fail "no lease line for $ip_a"
[ "$(var_of 1 DNSMASQ_LEASE_EXPIRES)" = "$(lease_line "$ip_a" | cut -d' ' -f1)" ] ||
	fail "DNSMASQ_LEASE_EXPIRES is not the lease's expiry: $(event 1) / $(lease_line "$ip_a")"
remaining=$(var_of 1 DNSMASQ_TIME_REMAINING)
[ "$remaining" -ge 43190 ] && [ "$remaining" -le 43200 ] || fail "DNSMASQ_TIME_REMAINING=$remaining"
lacks_var 1 DNSMASQ_DATA_MISSING || fail "add has DNSMASQ_DATA_MISSING: $(event 1)"
lacks_var 1 DNSMASQ_OLD_HOSTNAME || fail "add has DNSMASQ_OLD_HOSTNAME: $(event 1)"
ok "add $MAC_A $ip_a ca, with client-id, domain, interface, expiry and time remaining"

# old: the same client again (a second udhcpc with the same MAC).
[ "$(udhcpc_lease a ca)" = "$ip_a" ] || fail "renewal changed the address"
wait_events 2
expect_args 2 "old $MAC_A $ip_a ca"
lacks_var 2 DNSMASQ_DATA_MISSING || fail "renewal has DNSMASQ_DATA_MISSING: $(event 2)"
ok "renewal: old $MAC_A $ip_a ca"

# A new name: first the lost one (DNSMASQ_OLD_HOSTNAME), then the new state.
[ "$(udhcpc_lease a cb)" = "$ip_a" ] || fail "rename changed the address"
wait_events 4
expect_args 3 "old $MAC_A $ip_a"
has_var 3 "DNSMASQ_OLD_HOSTNAME=ca" || fail "no DNSMASQ_OLD_HOSTNAME=ca: $(event 3)"
expect_args 4 "old $MAC_A $ip_a cb"
lacks_var 4 DNSMASQ_OLD_HOSTNAME || fail "second rename event has DNSMASQ_OLD_HOSTNAME: $(event 4)"
ok "rename: old without a name and DNSMASQ_OLD_HOSTNAME=ca, then old ... cb"

# del: a bound udhcpc -R releases when stopped (it renews first: one more old).
ns_a=$(client_ns a)
ip netns exec "$ns_a" env LEASE_OUT="$TMP/a.udhcpc" udhcpc -i eth0 -f -R -t 6 -T 1 \
	-s "$UDHCPC_SCRIPT" >"$TMP/a.release.log" 2>&1 &
rel_pid=$!
PIDS="$PIDS $rel_pid"
wait_for grep -q "obtained" "$TMP/a.release.log" || fail "udhcpc -R got no lease"
kill -TERM "$rel_pid"
wait "$rel_pid" 2>/dev/null
wait_events 6
expect_args 5 "old $MAC_A $ip_a cb"
expect_args 6 "del $MAC_A $ip_a cb"
has_var 6 "DNSMASQ_DATA_MISSING=1" || fail "del without DNSMASQ_DATA_MISSING: $(event 6)"
lacks_var 6 DNSMASQ_TIME_REMAINING || fail "del has DNSMASQ_TIME_REMAINING: $(event 6)"
has_var 6 "DNSMASQ_CLIENT_ID=01:$MAC_A" || fail "del without client-id: $(event 6)"
ok "release: del $MAC_A $ip_a cb"

# A failing script is logged with its event and changes nothing else.
touch "$TMP/hook.fail"
ip_c=$(udhcpc_lease c cc)
wait_events 7
wait_for grep -q "dhcp-script $HOOK add $MAC_C $ip_c cc: exited with status 3" "$TMP/leased.log" ||
	fail "the failing run is not logged with its event"
grep -q "dhcp-script: hook says no" "$TMP/leased.log" || fail "the script's output is not logged"
rm -f "$TMP/hook.fail"
ok "a failing script is logged with its event and its output"

# A slow script (2 s a run): two runs are waiting when client b asks, and
# b still gets its lease at once; its "add" runs after them, in order.
echo 2 >"$TMP/hook.sleep"
udhcpc_lease c c1 >/dev/null
t0=$(date +%s%N)
ip_b=$(udhcpc_lease b cbb)
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 1500 ] || fail "client b waited ${ms} ms for its lease behind a slow script"
[ "$(nevents)" -lt 10 ] || fail "the slow script was not slow: $(nevents) runs already"
ok "client b got $ip_b in ${ms} ms while the script had seconds of work queued"
wait_events 10 10
rm -f "$TMP/hook.sleep"
expect_args 8 "old $MAC_C $ip_c"
has_var 8 "DNSMASQ_OLD_HOSTNAME=cc" || fail "no DNSMASQ_OLD_HOSTNAME=cc: $(event 8)"
expect_args 9 "old $MAC_C $ip_c c1"
expect_args 10 "add $MAC_B $ip_b cbb"
ok "every queued event ran, in order"

# Restart: each loaded lease is reported as "old" with DNSMASQ_DATA_MISSING.
stop_leased
: >"$EVENTS"
start_leased "${ARGS[@]}"
wait_events 2
for ip in "$ip_b" "$ip_c"; do
	n=$(grep -n "^old [^ ]* $ip " "$EVENTS" | cut -d: -f1)
	[ -n "$n" ] || fail "no old event for $ip after restart: $(cat "$EVENTS")"
	has_var "$n" "DNSMASQ_DATA_MISSING=1" || fail "restart old without DATA_MISSING: $(event "$n")"
done
[ "$(nevents)" -eq 2 ] || fail "restart ran the script $(nevents) times for 2 leases"
ok "restart: old with DNSMASQ_DATA_MISSING=1 for each loaded lease"
# SIGHUP: dnsmasq runs "old" again for every lease.
kill -HUP "$LEASED_PID"
wait_events 4
[ "$(grep -c "^old " "$EVENTS")" -eq 4 ] || fail "SIGHUP did not rerun old for each lease: $(cat "$EVENTS")"
ok "SIGHUP: old again for each lease"
stop_leased

# libvirt: --leasefile-ro --dhcp-script.  "init" prints the database; the
# lease of client c comes back from it; nothing writes a lease file.
RO_FILE=$TMP/ro/leases
expiry=$(($(date +%s) + 3000))
cat >"$TMP/init.out" <<EOF
$expiry $MAC_C $NET.40 fromdb 01:$MAC_C
this is not a lease line
1000 02:00:00:00:00:0d $NET.41 gone *
EOF
: >"$EVENTS"
LEASEFILE=$RO_FILE start_leased "${ARGS[@]}" --leasefile-ro
grep -q "init: output line 2: .*line ignored: \"this is not a lease line\"" "$TMP/leased.log" ||
	fail "the bad init line is not reported with its number"
grep -q "init: 1 leases loaded, 1 expired, 1 bad lines ignored" "$TMP/leased.log" ||
	fail "init summary missing: $(grep init "$TMP/leased.log")"
wait_events 3
expect_args 1 "init"
lacks_var 1 DNSMASQ_DATA_MISSING || fail "init got lease variables: $(event 1)"
expect_args 2 "del 02:00:00:00:00:0d $NET.41 gone"
expect_args 3 "old $MAC_C $NET.40 fromdb"
has_var 3 "DNSMASQ_DATA_MISSING=1" || fail "init lease old without DATA_MISSING: $(event 3)"
got=$(udhcpc_lease c fromdb)
[ "$got" = "$NET.40" ] || fail "client c got $got, the init database says $NET.40"
wait_events 4
expect_args 4 "old $MAC_C $NET.40 fromdb"
[ ! -e "$TMP/ro" ] || fail "--leasefile-ro created $(ls -R "$TMP/ro")"
ok "--leasefile-ro: init's lease loaded ($NET.40 back to its client), bad line named, nothing written"
stop_leased

# A failing init: the start fails with dnsmasq's status (10 + the script's).
echo 3 >"$TMP/init.status"
ip netns exec "$SRV" "$LEASED" -k --log-facility="$TMP/fail.log" --leasefile-ro \
	--dhcp-leasefile="$RO_FILE" --pid-file="$TMP/fail.pid" "${ARGS[@]}" 2>"$TMP/fail.stderr"
status=$?
[ "$status" -eq 13 ] || fail "a failing init gave status $status: $(cat "$TMP/fail.stderr")"
grep -q "lease-init script $HOOK init returned exit code 3" "$TMP/fail.stderr" ||
	fail "no clear message for a failing init: $(cat "$TMP/fail.stderr")"
ok "a failing init stops the start: status $status, $(head -1 "$TMP/fail.stderr")"
