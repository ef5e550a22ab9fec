#!/bin/bash
# --local-service (issue 11, item 8): with neither --interface,
# --except-interface nor --listen-address, leased answers DNS only for
# clients on a subnet of one of the host's interfaces, over UDP and TCP,
# so it is never an open resolver by default.  A client routed in from
# elsewhere gets nothing; a client on any local subnet is answered; once
# --listen-address says where to listen, the rule is the administrator's.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
add_client q 02:00:00:00:00:71
# other0: a second interface of the server, 10.77.8.1/24.  Client "n" is
# on that subnet; client "far" (10.77.9.2) is routed through it, so its
# address is on no subnet of the server.
ip -n "$SRV" link add other0 type bridge
ip -n "$SRV" addr add 10.77.8.1/24 dev other0
ip -n "$SRV" link set other0 up
for c in n far; do
	ns=$(client_ns $c)
	new_ns "$ns"
	ip link add "v$ns" type veth peer name eth0 netns "$ns" || fail "cannot create veth"
	ip link set "v$ns" netns "$SRV"
	ip -n "$SRV" link set "v$ns" master other0 up
	ip -n "$ns" link set eth0 up
done
ip -n "$(client_ns n)" addr add 10.77.8.2/24 dev eth0
ip -n "$(client_ns far)" addr add 10.77.9.2/32 dev eth0
ip -n "$(client_ns far)" route add 10.77.8.1/32 dev eth0
ip -n "$(client_ns far)" route add default via 10.77.8.1 dev eth0 onlink
ip -n "$SRV" route add 10.77.9.2/32 dev other0

HOSTS=$TMP/addn-hosts
echo "192.0.2.7 h.test" >"$HOSTS"
ARGS=(--dhcp-range=$NET.10,$NET.50,12h -s lxc -S /lxc/ --no-resolv --no-hosts
	--addn-hosts="$HOSTS" --bind-dynamic)

# ask CLIENT SERVER PROTO: dig's status ("" when nothing came back).
ask() { dig_status "$(ip netns exec "$(client_ns "$1")" dig +tries=1 +time=2 "$3" @"$2" h.test A 2>&1)"; }

start_leased "${ARGS[@]}"
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac
for proto in +notcp +tcp; do
	[ "$(ask q $SRV_ADDR $proto)" = NOERROR ] || fail "bridge client, $proto: not answered"
	[ "$(ask n 10.77.8.1 $proto)" = NOERROR ] || fail "client on other0's subnet, $proto: not answered"
	[ -z "$(ask far 10.77.8.1 $proto)" ] || fail "client 10.77.9.2 (no local subnet), $proto: answered"
	[ -z "$(ask far $SRV_ADDR $proto)" ] || fail "client 10.77.9.2 to $SRV_ADDR, $proto: answered"
done
grep -q "non-local network 10.77.9.2" "$TMP/leased.log" || fail "the refusal is not logged"
ok "no --interface/--listen-address: local subnets answered over UDP and TCP, 10.77.9.2 ignored (and logged)"
stop_leased

# The same with --local-service written out: accepted, same effect.
start_leased "${ARGS[@]}" --local-service
[ -z "$(ask far 10.77.8.1 +notcp)" ] || fail "--local-service: 10.77.9.2 answered"
stop_leased

# --listen-address says where to listen: no subnet rule.
start_leased "${ARGS[@]}" --listen-address=10.77.8.1
[ "$(ask far 10.77.8.1 +notcp)" = NOERROR ] || fail "--listen-address=10.77.8.1: 10.77.9.2 not answered"
[ "$(ask far 10.77.8.1 +tcp)" = NOERROR ] || fail "--listen-address=10.77.8.1: 10.77.9.2 not answered over TCP"
ok "--local-service accepted; with --listen-address the client from 10.77.9.2 is answered"
