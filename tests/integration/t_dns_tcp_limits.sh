#!/bin/bash
# DNS over TCP keeps the limits UDP has (issue 11, items 2 and 3):
# - with --interface=br0 and no --listen-address (the wildcard address),
#   a client on another interface of the host gets nothing over TCP, as
#   over UDP, while a client on the bridge is answered over both;
# - a client that pipelines queries with large answers and never reads
#   does not grow leased's memory without bound: leased stops reading it,
#   closes it when nothing moves, and keeps answering others.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
add_client q 02:00:00:00:00:71
# A second network on the server, not named by --interface: "other0".
OTHER=10.77.9
ONS=$(client_ns o)
new_ns "$ONS"
ip link add "v$ONS" type veth peer name eth0 netns "$ONS" || fail "cannot create veth"
ip link set "v$ONS" netns "$SRV"
ip -n "$SRV" link set "v$ONS" name other0
ip -n "$SRV" addr add $OTHER.1/24 dev other0
ip -n "$SRV" link set other0 up
ip -n "$ONS" addr add $OTHER.2/24 dev eth0
ip -n "$ONS" link set eth0 up

# big.test: 60 A records, about 1 KB per answer.
HOSTS=$TMP/addn-hosts
for i in $(seq 1 60); do echo "192.0.2.$i big.test"; done >"$HOSTS"
start_leased --interface=$BR --dhcp-range=$NET.10,$NET.50,12h -s lxc -S /lxc/ \
	--no-resolv --no-hosts --addn-hosts="$HOSTS"
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac

# --- admission: by the interface a query arrives on, TCP as UDP ---
for proto in +notcp +tcp; do
	o=$(dig_in q $proto big.test A)
	[ "$(dig_status "$o")" = NOERROR ] || fail "bridge client, $proto: want an answer, got: $o"
	o=$(ip netns exec "$ONS" dig +tries=1 +time=2 $proto @$OTHER.1 big.test A 2>&1)
	[ -z "$(dig_status "$o")" ] || fail "client on other0 (not --interface), $proto: answered: $o"
	# Over the bridge's own address too: arriving on other0 is what counts.
	ip -n "$ONS" route add $NET.0/24 via $OTHER.1 2>/dev/null
	o=$(ip netns exec "$ONS" dig +tries=1 +time=2 $proto @$SRV_ADDR big.test A 2>&1)
	[ -z "$(dig_status "$o")" ] || fail "client on other0 to $SRV_ADDR, $proto: answered: $o"
done
ok "wildcard listener with --interface=$BR: UDP and TCP from other0 get nothing, from the bridge an answer"

# --- a client that never reads ---
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$LEASED_PID/status"; }
before=$(rss_kb)
QNS=$(client_ns q)
ip netns exec "$QNS" "$PY3" - "$SRV_ADDR" >"$TMP/flood.out" 2>&1 <<'EOF' &
import socket, struct, sys, time
import dns.message
q = dns.message.make_query("big.test", "A").to_wire()
frame = struct.pack("!H", len(q)) + q
s = socket.create_connection((sys.argv[1], 53), timeout=2)
s.setblocking(False)
sent = 0
end = time.time() + 6
burst = frame * 256
off = 0                    # a partial send leaves the rest of the burst to go first
while time.time() < end:
    try:
        n = s.send(burst[off:])
        sent += n
        off = (off + n) % len(burst)
    except BlockingIOError:
        time.sleep(0.01)
    except OSError as e:   # closed by the server: what we expect in the end
        print("closed", e)
        break
print("sent", sent // len(frame), "queries")
time.sleep(15)             # hold the connection, never read
EOF
FLOOD=$!
PIDS="$PIDS $FLOOD"
sleep 7
during=$(rss_kb)
grown=$((during - before))
[ "$grown" -lt 32768 ] || fail "leased grew by $grown kB while a client never read (before $before kB, during $during kB)"
# Others are still served meanwhile.
o=$(dig_in q +tcp big.test A)
[ "$(dig_status "$o")" = NOERROR ] || fail "another TCP client while the flood ran: $o"
ok "a TCP client that pipelines and never reads: leased grew by $grown kB only, others answered ($(grep sent "$TMP/flood.out"))"
# No progress: the connection is closed within the idle timeout (10 s).
for _ in $(seq 60); do
	n=$(ip netns exec "$SRV" ss -Htn state established "( sport = :53 )" | wc -l)
	[ "$n" = 0 ] && break
	sleep 0.5
done
[ "$n" = 0 ] || fail "the stalled connection is still open: $(ip netns exec "$SRV" ss -tn)"
ok "the stalled connection was closed"
kill "$FLOOD" 2>/dev/null
wait "$FLOOD" 2>/dev/null || true
