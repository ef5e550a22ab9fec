#!/bin/bash
# The DNS service itself: answers over UDP and TCP on the listen address;
# a reply leaves from the address it was sent to (a bridge with two
# addresses); a --addn-hosts file is answered and, after SIGHUP, its
# deleted entries are gone; --address=/blocked.test/ is NXDOMAIN without
# asking upstream; -q logs dnsmasq's lines; --port=0 turns DNS off and
# leaves DHCP on.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
ip -n "$SRV" addr add $NET.254/$PREFIX dev $BR || fail "cannot add a second address to $BR"
add_upstream_ns $NET.2
add_client q 02:00:00:00:00:71
add_client c 02:00:00:00:00:0c
add_client d 02:00:00:00:00:0d
start_upstream up1 $NET.2 --rule 'fwd.test A 192.0.2.40' --rule 'web1.example.test A 192.0.2.99'
FAIL_LOGS="$TMP/leased.log $TMP/up1.log"
HOSTS=$TMP/addn-hosts
printf '192.0.2.50 web1 web1.example.test\n192.0.2.51 web2\n' >"$HOSTS"
ARGS=(--interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h
	-s lxc -S /lxc/ --no-resolv --no-hosts --server=$NET.2 --log-queries
	--addn-hosts="$HOSTS" --address=/blocked.test/)
start_leased "${ARGS[@]}"
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac
ip_c=$(udhcpc_lease c c1)
case "$ip_c" in $NET.*) ;; *) fail "client c got '$ip_c'" ;; esac

# expect ARGS... -- STATUS [A-DATA]: dig ARGS must give STATUS and exactly these A records.
expect() {
	local args=() o want_status want_a
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	[ $# -ge 2 ] || fail "expect: no -- STATUS in its arguments"
	want_status=$2 want_a=${3:-}
	o=$(dig_in q "${args[@]}")
	grep -q 'unexpected source' <<<"$o" && fail "dig ${args[*]}: reply from another address: $o"
	[ "$(dig_status "$o")" = "$want_status" ] || fail "dig ${args[*]}: want $want_status, got: $o"
	[ "$(dig_rdata "$o" A)" = "$want_a" ] || fail "dig ${args[*]}: want A '$want_a', got: $o"
}

for at in $SRV_ADDR $NET.254; do
	for proto in +notcp +tcp; do
		expect @$at $proto c1.lxc A -- NOERROR "$ip_c"
		expect @$at $proto fwd.test A -- NOERROR 192.0.2.40
	done
done
ok "UDP and TCP answers (local and forwarded) on $SRV_ADDR and on the bridge's second address $NET.254"
ss_out=$(ip netns exec "$SRV" ss -Hlnu 'sport = :53')
[ -n "$ss_out" ] || fail "nothing listens on UDP port 53 with DNS on"

# Hosts file, then SIGHUP after an entry is deleted and one added.
expect web1 A -- NOERROR 192.0.2.50
expect web1.example.test A -- NOERROR 192.0.2.50
expect web2 A -- NOERROR 192.0.2.51
o=$(dig_in q -x 192.0.2.50)
[ "$(dig_rdata "$o" PTR)" = web1. ] || fail "PTR 192.0.2.50: want web1., got: $o"
ok "--addn-hosts entries answered (A and PTR)"
printf '192.0.2.51 web2\n192.0.2.52 web3\n' >"$HOSTS.new" && mv "$HOSTS.new" "$HOSTS"
kill -HUP "$LEASED_PID"
web3_known() { [ "$(dig_rdata "$(dig_in q web3 A)" A)" = 192.0.2.52 ]; }
wait_for web3_known || fail "web3 added to the hosts file not answered within 3 s of SIGHUP: $(dig_in q web3)"
expect web1 A -- NXDOMAIN
expect web2 A -- NOERROR 192.0.2.51
o=$(dig_in q web1.example.test A)
grep -q 192.0.2.50 <<<"$o" && fail "web1.example.test still 192.0.2.50 after SIGHUP: $o"
[ "$(dig_rdata "$o" A)" = 192.0.2.99 ] || fail "web1.example.test after SIGHUP: want the upstream's 192.0.2.99, got: $o"
o=$(dig_in q -x 192.0.2.50)
grep -q 'web1' <<<"$(dig_rdata "$o" PTR)" && fail "PTR 192.0.2.50 still web1 after SIGHUP: $o"
ok "after SIGHUP the deleted web1 is gone (A and PTR), the new web3 is answered"

# --address=/blocked.test/: NXDOMAIN here, for the domain and below.
for n in blocked.test www.blocked.test; do
	for t in A AAAA; do expect $n $t -- NXDOMAIN; done
	[ "$(up_count up1 $n)" = 0 ] || fail "$n was forwarded: $(cat "$TMP/up1.counts")"
done
ok "--address=/blocked.test/ gives NXDOMAIN without asking upstream"

# -q: dnsmasq's log lines.
expect fwd.test A -- NOERROR 192.0.2.40 # from the cache by now
log_has() { grep -qF "$1" "$TMP/leased.log" || fail "no '$1' line in the log"; }
log_has "query[A] c1.lxc from $ip_q"
log_has "DHCP c1.lxc is $ip_c"
log_has "query[A] fwd.test from $ip_q"
log_has "forwarded fwd.test to $NET.2"
log_has "reply fwd.test is 192.0.2.40"
log_has "cached fwd.test is 192.0.2.40"
log_has "$HOSTS web2 is 192.0.2.51"
log_has "config blocked.test is NXDOMAIN"
ok "-q logs query[A], DHCP, forwarded, reply, cached, hosts-file and config lines as dnsmasq does"

# Without --bind-interfaces (one socket for every address): replies still
# leave from the address asked, also from an address added while running.
stop_leased
start_leased "${ARGS[@]/--bind-interfaces/--except-interface=lo}"
ip -n "$SRV" addr add $NET.253/$PREFIX dev $BR || fail "cannot add a third address to $BR"
for at in $SRV_ADDR $NET.254 $NET.253; do
	for proto in +notcp +tcp; do
		expect @$at $proto c1.lxc A -- NOERROR "$ip_c"
	done
done
ok "without --bind-interfaces: answers from $SRV_ADDR, $NET.254 and $NET.253 (added while running)"

# --port=0: no DNS at all, DHCP still on.
stop_leased
start_leased "${ARGS[@]}" --port=0
ss_out=$(ip netns exec "$SRV" ss -Hlnu 'sport = :53'; ip netns exec "$SRV" ss -Hlnt 'sport = :53')
[ -z "$ss_out" ] || fail "--port=0 but something listens on port 53: $ss_out"
o=$(dig_in q c1.lxc A)
[ -z "$(dig_status "$o")" ] || fail "--port=0 but a DNS reply came: $o"
ip_d=$(udhcpc_lease d d1)
case "$ip_d" in $NET.*) ;; *) fail "--port=0: client d got '$ip_d'" ;; esac
ok "--port=0: nothing listens on port 53, DHCP still hands out $ip_d"
