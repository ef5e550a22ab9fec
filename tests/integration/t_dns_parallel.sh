#!/bin/bash
# A and AAAA sent at once from one socket, as glibc and musl resolvers do:
# both are answered, for a lease name (A = its address, AAAA = NODATA)
# and for a forwarded name; both pipelined on one TCP connection are
# answered too; and glibc itself (getent ahosts in a client
# namespace whose resolv.conf points at leased) resolves both.
. "$(dirname "$0")/lib.sh"
need_dns_tools
PAIR=$TOP/tests/integration/dnspair.py

setup_server
add_upstream_ns $NET.2
add_client q 02:00:00:00:00:71
add_client c 02:00:00:00:00:0c
# The upstream answers A at once and AAAA with NODATA, both after 0.2 s, so
# the two forwarded exchanges overlap.
start_upstream up1 $NET.2 --rule 'fwd.example.test A 192.0.2.40' \
	--rule 'fwd2.example.test A 192.0.2.41' --rule 'fwd3.example.test A 192.0.2.42' --delay 0.2
FAIL_LOGS="$TMP/leased.log $TMP/up1.log"
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	-s lxc -S /lxc/ --no-resolv --no-hosts --server=$NET.2 --log-queries
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac
ip_c=$(udhcpc_lease c pc1)
case "$ip_c" in $NET.*) ;; *) fail "client c got '$ip_c'" ;; esac

# expect_pair NAME A-LINE AAAA-LINE [--tcp]: dnspair.py from client q.
expect_pair() {
	local out
	out=$(ip netns exec "$(client_ns q)" "$PY3" "$PAIR" "$SRV_ADDR" "$1" --timeout 3 ${4:-} 2>&1)
	[ "$(sed -n 1p <<<"$out")" = "$2" ] && [ "$(sed -n 2p <<<"$out")" = "$3" ] ||
		fail "A and AAAA for $1 at once ${4:-over UDP}: want '$2' and '$3', got: $out"
}

for n in pc1 pc1.lxc; do
	expect_pair $n "A NOERROR $ip_c -" "AAAA NOERROR - SOA"
done
ok "A and AAAA for the lease name pc1 at once: A $ip_c and NODATA with an SOA"
expect_pair fwd.example.test "A NOERROR 192.0.2.40 -" "AAAA NOERROR - SOA"
[ "$(up_count up1 fwd.example.test A)" = 1 ] && [ "$(up_count up1 fwd.example.test AAAA)" = 1 ] ||
	fail "fwd.example.test: want one A and one AAAA query upstream: $(cat "$TMP/up1.counts")"
ok "A and AAAA for a forwarded name at once: both answered"
expect_pair nothere.lxc "A NXDOMAIN - SOA" "AAAA NXDOMAIN - SOA"
ok "A and AAAA for an unknown local name at once: both NXDOMAIN"

expect_pair pc1.lxc "A NOERROR $ip_c -" "AAAA NOERROR - SOA" --tcp
expect_pair fwd3.example.test "A NOERROR 192.0.2.42 -" "AAAA NOERROR - SOA" --tcp
ok "A and AAAA pipelined on one TCP connection: both answered (lease name and forwarded name)"

# glibc's own resolver (getaddrinfo with AF_UNSPEC sends A and AAAA in
# parallel from one socket).  Only when no nscd would take the lookup out
# of the namespace.
if [ -e /var/run/nscd/socket ] || [ -e /run/nscd/socket ]; then
	fail "nscd runs on this machine: getent in a namespace would ask it, not leased"
fi
grep -q '^hosts:.*\bdns\b' /etc/nsswitch.conf ||
	fail "/etc/nsswitch.conf has no dns source for hosts: glibc cannot be tested"
ns_q=$(client_ns q)
# getent ahosts asks with AI_ADDRCONFIG: AAAA only with an IPv6 address
# beyond link-local (a ULA that exists only on this bridge).
ip -n "$ns_q" addr add fd77:3::71/64 dev eth0 nodad || fail "cannot add an IPv6 address to q"
printf 'nameserver %s\nsearch lxc\noptions attempts:1 timeout:3\n' "$SRV_ADDR" \
	>"/etc/netns/$ns_q/resolv.conf"
for n in pc1 pc1.lxc; do
	out=$(ip netns exec "$ns_q" getent ahosts $n) || fail "getent ahosts $n failed: '$out'"
	[ "$(awk '{ print $1 }' <<<"$out" | sort -u)" = "$ip_c" ] ||
		fail "getent ahosts $n: want $ip_c only, got: $out"
done
out=$(ip netns exec "$ns_q" getent ahosts fwd2.example.test) || fail "getent ahosts fwd2.example.test failed"
[ "$(awk '{ print $1 }' <<<"$out" | sort -u)" = 192.0.2.41 ] ||
	fail "getent ahosts fwd2.example.test: want 192.0.2.41, got: $out"
[ "$(up_count up1 fwd2.example.test AAAA)" -ge 1 ] || fail "glibc asked no AAAA: $(cat "$TMP/up1.counts")"
ok "glibc's getaddrinfo (A and AAAA in parallel) resolves pc1 and fwd2.example.test (forwarded)"
