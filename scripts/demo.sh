#!/bin/bash
# make demo: leased on a bridge of its own, with real DHCP clients.
#
# Creates a network namespace holding a bridge (10.77.3.1/24), three
# client namespaces on veth pairs, starts leased the way lxc-net starts
# dnsmasq, lets busybox udhcpc and ISC dhclient take leases, shows the
# lease file and the log, asks leased for the containers' names with dig
# (A, NODATA for AAAA, PTR, NXDOMAIN), kills leased with -9 as lxc-net
# does, restarts it, and shows that the clients keep their addresses and
# names.  Everything stays inside the namespaces and is removed at the
# end, also on failure.
. "$(dirname "$0")/../tests/integration/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Network: namespace $SRV with bridge $BR ($SRV_ADDR/24), three client namespaces"
setup_server
for c in web db cache; do add_client "$c"; done
ip -n "$SRV" -br addr show "$BR"

ARGS=(--strict-order --bind-interfaces --listen-address "$SRV_ADDR"
	--dhcp-range "$NET.2,$NET.254" --dhcp-lease-max=253 --dhcp-no-override
	--except-interface=lo --interface="$BR" --dhcp-authoritative -s lxc -S /lxc/)
say "Starting leased with lxc-net's command line:"
echo "leased ${ARGS[*]} --dhcp-leasefile=... --pid-file=..."
start_leased "${ARGS[@]}"

say "Containers ask for addresses (udhcpc sends its hostname)"
declare -A got
for c in web db cache; do
	got[$c]=$(udhcpc_lease "$c" "$c")
	printf '  %-6s -> %s\n' "$c" "${got[$c]}"
done

say "Lease file ($TMP/leases), dnsmasq's format, fsync'd before each ACK"
wait_for grep -q cache "$TMP/leases"
cat "$TMP/leases"

say "leased's log"
grep -E 'DHCP(OFFER|ACK)|started' "$TMP/leased.log" | sed 's/^/  /'

# dig_web ARGS...: one query from the "web" container to leased.
dig_web() {
	ip netns exec "$(client_ns web)" dig @"$SRV_ADDR" +tries=1 +time=2 "$@"
}
# answer_of ARGS...: "status, answer" of one query, on one line.
answer_of() {
	local out status
	out=$(dig_web +noall +comments +answer "$@")
	status=$(sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$out")
	printf '%s %s' "$status" "$(grep -v '^;' <<<"$out" | awk 'NF {print $NF}' | tr '\n' ' ')"
}

say "DNS from the lease table, asked from the web container with dig"
for q in "db.lxc A" "cache A" "db.lxc AAAA" "nosuch.lxc A" "-x ${got[db]}"; do
	# shellcheck disable=SC2086
	printf '  %-22s -> %s\n' "$q" "$(answer_of $q)"
done
[ "$(dig_web +short db.lxc A)" = "${got[db]}" ] || fail "db.lxc does not answer ${got[db]}"
echo "  (AAAA: NOERROR with no answer, never NXDOMAIN: the name exists)"

say "kill -9 (what lxc-net stop does), then start again"
stop_leased_hard
start_leased "${ARGS[@]}"
grep -o '[0-9]* leases loaded' "$TMP/leased.log" | tail -1 | sed 's/^/  /'
for c in web db cache; do
	now=$(udhcpc_lease "$c" "$c")
	[ "$now" = "${got[$c]}" ] || fail "$c had ${got[$c]}, now $now"
	printf '  %-6s keeps %s\n' "$c" "$now"
done
[ "$(dig_web +short cache.lxc A)" = "${got[cache]}" ] || fail "cache.lxc lost its name"
echo "  cache.lxc still answers ${got[cache]}"

say "Demo finished; cleaning up namespaces"
