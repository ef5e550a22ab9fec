#!/bin/bash
# The control socket against raw clients (Python): malformed lines get an
# error reply and the connection serves the next good request; a request
# may come in pieces or several at once; a 10,000-byte line gets an error
# and nothing else breaks; a client that sends half a line and stalls
# does not hold up others and is dropped after about 5 s; of 40
# simultaneous connections the excess is refused with "busy" while DHCP,
# DNS and the admitted connections go on.  A client that sends `watch`
# and `release` on one connection and hangs up before the daemon reads
# them (the release's watch event then fails to be written to the very
# connection the release runs on) does not kill the daemon, nor does a
# watcher that hung up before a release on another connection.
# Afterwards leased still runs and its lease file is intact.
. "$(dirname "$0")/lib.sh"
need_jq
need_dns_tools

setup_server
add_client q 02:00:00:00:00:71
add_client c 02:00:00:00:00:0c
add_client d 02:00:00:00:00:0d
add_client e 02:00:00:00:00:0e
add_client f 02:00:00:00:00:0f
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	-s lxc -S /lxc/ --no-resolv --no-hosts --control-socket="$CTL_SOCK"
ip_q=$(udhcpc_lease q querier)
ip_c=$(udhcpc_lease c c1)
ip_e=$(udhcpc_lease e e1)
ip_f=$(udhcpc_lease f f1)
wait_for lease_line "$ip_f" >/dev/null || fail "no lease line for $ip_f"

# The raw client: `rawctl MODE ARGS...` in the server namespace, on $CTL_SOCK.
RAWCTL=$TMP/rawctl.py
cat >"$RAWCTL" <<'EOF'
import json, socket, sys, time

path, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
GOOD = b'{"version":1,"command":"stats"}\n'


def conn(timeout=5):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)  # blocking: waits while the listen queue is full
    s.settimeout(timeout)
    return s


def readline(s):
    """One line (without its newline), or None at EOF / reset."""
    buf = b""
    while not buf.endswith(b"\n"):
        try:
            chunk = s.recv(1)
        except (ConnectionResetError, BrokenPipeError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf[:-1].decode("utf-8", "replace")


def out(**kw):
    print(json.dumps(kw), flush=True)


if mode == "lines":
    # Each argument a request line (Python escapes allowed), on one
    # connection, each followed by a good request: print both replies.
    s = conn()
    for a in args:
        line = a.encode().decode("unicode_escape").encode("latin-1")
        s.sendall(line + b"\n")
        bad = readline(s)
        s.sendall(GOOD)
        good = readline(s)
        out(sent=a, reply=bad, next=good)
elif mode == "pieces":
    # One good request in three writes, 0.2 s apart; then two requests in one write.
    s = conn()
    for part in (GOOD[:5], GOOD[5:20], GOOD[20:]):
        s.sendall(part)
        time.sleep(0.2)
    out(reply=readline(s))
    s.sendall(b'{"version":1,"command":"show","args":{"key":"nosuch"}}\n' + GOOD)
    out(reply=readline(s))
    out(reply=readline(s))
elif mode == "long":
    # A line of N bytes (newline included), then what happens on this connection.
    n = int(args[0])
    body = b'{"version":1,"command":"stats","pad":"'
    line = body + b"x" * (n - len(body) - 3) + b'"}\n'
    assert len(line) == n
    s = conn()
    t0 = time.monotonic()
    s.sendall(line)
    reply = readline(s)
    after = None
    try:
        s.sendall(GOOD)
        after = readline(s)
    except (BrokenPipeError, ConnectionResetError):
        after = None
    out(reply=reply, after=after, secs=round(time.monotonic() - t0, 2))
elif mode == "stall":
    # Half a request, then silence: print when the daemon hangs up.
    s = conn(timeout=20)
    s.sendall(b'{"version":1,"comm')
    t0 = time.monotonic()
    print("stalled", flush=True)
    got = readline(s)
    out(reply=got, secs=round(time.monotonic() - t0, 2))
elif mode == "crowd":
    # N connections at once, none sending; hold them until the file
    # args[1] appears, then send a request on each admitted one.
    n, go = int(args[0]), args[1]
    socks = [conn(timeout=5) for _ in range(n)]
    busy, quiet, other = 0, [], []
    time.sleep(0.5)
    for s in socks:
        s.setblocking(False)
        try:
            data = s.recv(4096)
        except BlockingIOError:
            quiet.append(s)
            continue
        s.setblocking(True)
        try:
            rep = json.loads(data.decode().splitlines()[0]) if data else None
        except Exception:
            rep = None
        if rep and rep.get("ok") is False and rep.get("error") == "busy":
            busy += 1
        else:
            other.append(data.decode("utf-8", "replace"))
    out(busy=busy, admitted=len(quiet), other=other)
    import os
    for _ in range(300):
        if os.path.exists(go):
            break
        time.sleep(0.1)
    ok = 0
    for s in quiet:
        s.setblocking(True)
        s.settimeout(5)
        s.sendall(GOOD)
        rep = readline(s)
        if rep and json.loads(rep).get("ok") is True:
            ok += 1
    out(answered=ok)
    for s in socks:
        s.close()
elif mode == "hangup":
    # Requests whose sender goes away before reading the answer.
    for _ in range(20):
        s = conn()
        s.sendall(b'{"version":1,"command":"leases"}\n' * 3)
        s.close()
    for _ in range(20):
        s = conn()
        s.close()
    out(done=True)
elif mode == "send-close":
    # Each argument a request line, all in one write; close without reading.
    s = conn()
    s.sendall(b"".join(a.encode() + b"\n" for a in args))
    s.close()
EOF
rawctl() { ip netns exec "$SRV" "$PY3" "$RAWCTL" "$CTL_SOCK" "$@"; }
alive() { kill -0 "$LEASED_PID" 2>/dev/null || fail "leased died: $(tail -5 "$TMP/leased.stderr")"; }

# --- malformed lines ---
res=$(rawctl lines 'this is not json' '{}' '{"version":1}' '{"version":"1","command":"stats"}' \
	'{"version":2,"command":"stats"}' '{"version":1,"command":"nosuch"}' '{"version":1,"command":"show"}' \
	'{"version":1,"command":"show","args":{"key":""}}' '{"version":1,"command":"show","args":{"key":7}}' \
	'{"version":1,"command":"stats"' '[1,2,3]' '' '\x00\x01\xff\xfe' '{"version":1,"command":"explain","args":{"name":"x","type":"NOPE"}}' \
	'{"version":1,"command":"show","args":{"key":"'"$(printf 'k%.0s' $(seq 300))"'"}}') ||
	fail "raw client (malformed lines) failed: $res"
n=0
while read -r r; do
	n=$((n + 1))
	jq_true "$r" '(.reply | fromjson | .version == 1 and .ok == false and (.error | type == "string")
		and (.message | type == "string" and length > 0))' ||
		fail "malformed line $(jq -r .sent <<<"$r"): no error reply: $r"
	jq_true "$r" '.next | fromjson | .ok == true and (.result.dhcp | type == "object")' ||
		fail "after malformed line $(jq -r .sent <<<"$r") the next good request failed: $r"
done <<<"$res"
[ "$n" = 15 ] || fail "raw client: want 15 results, got $n: $res"
code() { jq -r --arg s "$1" 'select(.sent == $s) | .reply | fromjson | .error' <<<"$res"; }
[ "$(code 'this is not json')" = bad-request ] || fail "not JSON: want bad-request: $res"
[ "$(code '{"version":2,"command":"stats"}')" = unsupported-version ] || fail "version 2: want unsupported-version: $res"
[ "$(code '{"version":1,"command":"nosuch"}')" = bad-request ] || fail "unknown command: want bad-request: $res"
[ "$(code '{"version":1,"command":"show"}')" = bad-request ] || fail "show without key: want bad-request: $res"
alive
ok "15 malformed lines: an error reply each (bad-request, unsupported-version ...); the connection then answers a good request"

res=$(rawctl pieces) || fail "raw client (pieces) failed: $res"
jq_true "$(sed -n 1p <<<"$res")" '.reply | fromjson | .ok == true' || fail "a request in three writes: $res"
jq_true "$(sed -n 2p <<<"$res")" '.reply | fromjson | .ok == false and .error == "not-found"' || fail "two requests in one write, first: $res"
jq_true "$(sed -n 3p <<<"$res")" '.reply | fromjson | .ok == true and (.result.dhcp | type == "object")' || fail "two requests in one write, second: $res"
ok "a request in three pieces is answered; two in one write get two replies in order"

# --- long lines ---
res=$(rawctl long 4096) || fail "raw client (4096-byte line) failed: $res"
jq_true "$res" '(.reply | fromjson | .ok == true) and (.after | fromjson | .ok == true)' ||
	fail "a 4096-byte request (the limit, newline included) was not answered: $res"
res=$(rawctl long 10000) || fail "raw client (10000-byte line) failed: $res"
jq_true "$res" '.reply | fromjson | .ok == false and .error == "bad-request"' ||
	fail "a 10,000-byte line: want a bad-request reply: $res"
jq -r '.reply | fromjson | .message' <<<"$res" | grep -q 4096 || fail "the reply to a 10,000-byte line does not say the limit: $res"
alive
ctl_ok stats
res2=$(rawctl lines '{"version":1,"command":"show","args":{"key":"c1"}}') || fail "raw client after the long line: $res2"
jq_true "$res2" --arg a "$ip_c" '.reply | fromjson | .ok == true and .result.lease.address == $a' ||
	fail "show c1 after the long line: $res2"
res=$(rawctl long 4097) || fail "raw client (4097-byte line) failed: $res"
jq_true "$res" '.reply | fromjson | .ok == false and .error == "bad-request"' || fail "a 4097-byte line: want bad-request: $res"
alive
ok "a 4096-byte request is served; 4097 and 10,000 bytes get bad-request ($(jq -r '.reply | fromjson | .message' <<<"$res")); others go on"

# --- a stalled client ---
rawctl stall >"$TMP/stall.out" 2>&1 &
STALL=$!
PIDS="$PIDS $STALL"
wait_for grep -q stalled "$TMP/stall.out" || fail "the stalling client did not start: $(cat "$TMP/stall.out")"
t0=$(date +%s%N)
ctl_ok stats --json
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 2000 ] || fail "leasectl stats took $ms ms while a client stalled (it must not wait for it)"
jq_true "$CTL_OUT" '.dhcp.received > 0' || fail "stats while a client stalled: $CTL_OUT"
o=$(dig_in q c1.lxc A)
[ "$(dig_rdata "$o" A)" = "$ip_c" ] || fail "DNS while a client stalled: $o"
kill -0 "$STALL" 2>/dev/null || fail "the stalled client was dropped at once: $(cat "$TMP/stall.out")"
ok "while a client has sent half a line: leasectl stats answers in $ms ms, DNS answers"
for _ in $(seq 100); do kill -0 "$STALL" 2>/dev/null || break; sleep 0.1; done
kill -0 "$STALL" 2>/dev/null && fail "the stalled client is still connected after 10 s"
wait "$STALL"
res=$(grep secs "$TMP/stall.out")
secs=$(jq .secs <<<"$res")
awk -v s="$secs" 'BEGIN { exit !(s >= 4 && s <= 7) }' || fail "the stalled client was dropped after $secs s, want about 5: $res"
grep -q 'half a request' "$TMP/leased.log" || fail "leased did not log dropping the stalled client"
alive
ok "the stalled client was disconnected after $secs s"

# --- 40 connections at once ---
GO=$TMP/crowd.go
rawctl crowd 40 "$GO" >"$TMP/crowd.out" 2>&1 &
CROWD=$!
PIDS="$PIDS $CROWD"
wait_for grep -q busy "$TMP/crowd.out" || fail "the crowd did not connect: $(cat "$TMP/crowd.out")"
res=$(head -1 "$TMP/crowd.out")
jq_true "$res" '.busy == 8 and .admitted == 32 and .other == []' ||
	fail "40 connections: want 32 admitted and 8 refused busy: $res"
# While the daemon is full: leasectl is refused with busy, DHCP and DNS go on.
# (Several tries: the refusal races with leasectl sending its request.)
for i in $(seq 10); do
	ctl_run stats
	[ "$CTL_RC" = 5 ] || fail "leasectl stats with 32 connections open: exit $CTL_RC, want 5 (stdout: $CTL_OUT, stderr: $CTL_ERR)"
	grep -qi busy <<<"$CTL_ERR" || grep -q 'too many' <<<"$CTL_ERR" ||
		fail "leasectl stats with 32 connections open (try $i) does not pass on the daemon's busy reply: $CTL_ERR"
done
ip_d=$(udhcpc_lease d d1)
case "$ip_d" in $NET.*) ;; *) fail "client d got '$ip_d' while the control socket was full" ;; esac
o=$(dig_in q d1.lxc A)
[ "$(dig_rdata "$o" A)" = "$ip_d" ] || fail "DNS d1.lxc while the control socket was full: $o"
touch "$GO"
wait "$CROWD" || fail "the crowd client failed: $(cat "$TMP/crowd.out")"
jq_true "$(tail -1 "$TMP/crowd.out")" '.answered == 32' || fail "the 32 admitted connections were not all answered: $(cat "$TMP/crowd.out")"
stats_ok() { ctl stats >/dev/null 2>&1; }
wait_for stats_ok || fail "leasectl stats still fails after the crowd left: $(ctl stats 2>&1)"
ok "40 connections: 32 admitted (each answered later), 8 refused busy; meanwhile udhcpc got $ip_d and d1.lxc answered"

# --- clients that hang up ---
res=$(rawctl hangup) || fail "raw client (hangups) failed: $res"
alive
ctl_ok stats
ok "60 clients that closed without reading or sending: leased goes on"

# --- connections that hang up under a command ---
# The daemon is stopped while the client sends and closes, so it always
# finds the peer gone when the release tells the watchers.
WATCH='{"version":1,"command":"watch"}'
release_line() { printf '{"version":1,"command":"release","args":{"key":"%s"}}' "$1"; }
send_close_stopped() {
	kill -STOP "$LEASED_PID"
	rawctl send-close "$@" || { kill -CONT "$LEASED_PID"; fail "raw client (send-close $*) failed"; }
	kill -CONT "$LEASED_PID"
}
released() {
	ctl_run show "$1"
	[ "$CTL_RC" = 4 ] || fail "show $1 after its release: exit $CTL_RC, want 4 (stdout: $CTL_OUT, stderr: $CTL_ERR)"
}
send_close_stopped "$WATCH" "$(release_line e1)"
wait_for grep -q "lease e1 (e1) released by leasectl" "$TMP/leased.log" ||
	{ alive; fail "leased did not log the release of e1"; }
alive
released e1
ok "watch + release e1 on one connection, closed before the daemon read them: leased lives, e1 released"
send_close_stopped "$WATCH"
ctl_ok release f1
alive
released f1
o=$(dig_in q f1.lxc A)
[ "$(dig_status "$o")" = NXDOMAIN ] || fail "DNS f1.lxc after its release: want NXDOMAIN: $o"
ok "a watcher that hung up, then release f1 on another connection: leased lives, f1.lxc is NXDOMAIN"
[ "$(udhcpc_lease c c1)" = "$ip_c" ] || fail "client c lost its address after the hangups"
o=$(dig_in q c1.lxc A)
[ "$(dig_rdata "$o" A)" = "$ip_c" ] || fail "DNS c1.lxc after the hangups: $o"
ctl_ok stats
ok "after the hangups: DHCP renews c1 ($ip_c), c1.lxc answers, leasectl stats answers"

# --- afterwards ---
alive
ctl_ok leases --json
for a in "$ip_q" "$ip_c" "$ip_d"; do
	jq_true "$CTL_OUT" --arg a "$a" 'any(.[]; .address == $a)' || fail "leases lost $a: $CTL_OUT"
	lease_line "$a" >/dev/null || fail "the lease file lost $a: $(cat "$TMP/leases")"
done
[ "$(jq length <<<"$CTL_OUT")" = 3 ] || fail "leases: want 3: $CTL_OUT"
grep -q " 02:00:00:00:00:0c $ip_c c1 " "$TMP/leases" || fail "the lease file's line for c1 changed: $(cat "$TMP/leases")"
ok "leased still runs; leases and the lease file hold $ip_q, $ip_c and $ip_d"
