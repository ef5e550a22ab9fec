#!/bin/bash
# A name follows its latest lease: when a second client takes a hostname
# already in use, the name answers with the new address only and the old
# address no longer has it as PTR; when that lease is released, or a
# lease expires, its name stops answering (NXDOMAIN) and is never
# answered with an old address again.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
add_upstream_ns $NET.2
add_client q 02:00:00:00:00:71
add_client a 02:00:00:00:00:0a
add_client b 02:00:00:00:00:0b
start_upstream up1 $NET.2
FAIL_LOGS="$TMP/leased.log $TMP/up1.log"
# A lease from "before" that expires 3 s after the start.
start_ns=$(date +%s%N)
echo "$(( start_ns / 1000000000 + 3 )) 02:00:00:00:00:01 $NET.21 ghost *" >"$TMP/leases"
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	-s lxc -S /lxc/ --no-resolv --no-hosts --server=$NET.2 --log-queries
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac

o=$(dig_in q ghost A)
[ "$(dig_rdata "$o" A)" = $NET.21 ] || fail "ghost from the lease file: want $NET.21, got: $o"
ok "ghost ($NET.21, from the lease file) answers before it expires"

# expect_only NAME ADDR: A NAME is exactly ADDR.
expect_only() {
	local o
	o=$(dig_in q "$1" A)
	[ "$(dig_status "$o")" = NOERROR ] || fail "A $1: want NOERROR, got: $o"
	[ "$(dig_rdata "$o" A)" = "$2" ] || fail "A $1: want only $2, got: $o"
}
# expect_gone NAME OLD...: NXDOMAIN, none of the old addresses.
expect_gone() {
	local o n=$1 t a
	shift
	for t in A AAAA; do
		o=$(dig_in q "$n" $t)
		for a in "$@"; do
			grep -qw "$a" <<<"$(dig_section "$o" ANSWER)" && fail "$t $n still answers $a: $o"
		done
		[ "$(dig_status "$o")" = NXDOMAIN ] || fail "$t $n: want NXDOMAIN (no record of any type), got: $o"
	done
}
# expect_ptr_not ADDR NAME: PTR ADDR does not name NAME.
expect_ptr_not() {
	local o
	o=$(dig_in q -x "$1")
	[ -n "$(dig_status "$o")" ] || fail "PTR $1: no reply: $o"
	grep -qi "$2" <<<"$(dig_rdata "$o" PTR)" && fail "PTR $1 still names $2: $o"
	return 0
}

ip_a=$(udhcpc_lease a mover)
expect_only mover "$ip_a"
expect_only mover.lxc "$ip_a"
ok "mover is $ip_a (client a)"

ip_b=$(udhcpc_lease b mover)
[ "$ip_a" != "$ip_b" ] || fail "clients a and b share $ip_a"
expect_only mover "$ip_b"
expect_only mover.lxc "$ip_b"
expect_ptr_not "$ip_a" mover
o=$(dig_in q -x "$ip_b")
[ "$(dig_rdata "$o" PTR)" = mover.lxc. ] || fail "PTR $ip_b: want mover.lxc., got: $o"
ok "client b took the name: mover is $ip_b only; PTR $ip_a no longer names it"

# Client b releases its lease (a bound udhcpc -R sends DHCPRELEASE on SIGTERM).
ns_b=$(client_ns b)
ip netns exec "$ns_b" env LEASE_OUT="$TMP/b.udhcpc" udhcpc -i eth0 -f -R -t 6 -T 1 \
	-x hostname:mover -s "$UDHCPC_SCRIPT" >"$TMP/b.release.log" 2>&1 &
rel_pid=$!
PIDS="$PIDS $rel_pid"
wait_for grep -q "obtained" "$TMP/b.release.log" || fail "udhcpc -R in b got no lease"
grep -q "obtained $ip_b\|lease of $ip_b obtained" "$TMP/b.release.log" ||
	fail "b did not get $ip_b back: $(cat "$TMP/b.release.log")"
expect_only mover "$ip_b"
kill -TERM "$rel_pid"
wait "$rel_pid" 2>/dev/null
wait_for grep -q "DHCPRELEASE(br0) $ip_b" "$TMP/leased.log" || fail "no DHCPRELEASE from b logged"
expect_gone mover "$ip_a" "$ip_b"
expect_gone mover.lxc "$ip_a" "$ip_b"
expect_ptr_not "$ip_b" mover
expect_ptr_not "$ip_a" mover
ok "after b's release mover is NXDOMAIN, never $ip_a or $ip_b; no PTR names it"

# The lease from the file has expired by now (3 s after the start).
now_ns=$(date +%s%N)
left_ms=$(( (start_ns + 4500000000 - now_ns) / 1000000 ))
[ "$left_ms" -gt 0 ] && sleep "$(printf '%d.%03d' $((left_ms / 1000)) $((left_ms % 1000)))"
expect_gone ghost $NET.21
expect_gone ghost.lxc $NET.21
expect_ptr_not $NET.21 ghost
ok "after its lease expired ghost is NXDOMAIN and PTR $NET.21 no longer names it"
[ "$(up_count up1 mover)$(up_count up1 mover.lxc)$(up_count up1 ghost)" = 000 ] ||
	fail "lease names were forwarded: $(cat "$TMP/up1.counts")"
