#!/bin/bash
# make demo: leased on a bridge of its own, with real DHCP clients.
#
# Creates a network namespace holding a bridge (10.77.3.1/24 and
# fd42:77:3::1/64), three client namespaces on veth pairs, starts leased
# the way lxc-net starts dnsmasq (plus a DHCPv6 range), lets busybox
# udhcpc take IPv4 leases, the kernel form IPv6 addresses from leased's
# router advertisements (SLAAC) and ISC dhclient -6 take a DHCPv6 lease,
# shows the lease file, the log and `leasectl leases`, asks leased for the
# containers' names with dig (A, AAAA, NODATA, PTR, NXDOMAIN), kills
# leased with -9 as lxc-net does, restarts it, and shows that the clients
# keep their addresses and names.  Everything stays inside the namespaces
# and is removed at the end, also on failure.
. "$(dirname "$0")/../tests/integration/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

SRV6=fd42:77:3::1
say "Network: namespace $SRV with bridge $BR ($SRV_ADDR/24, $SRV6/64), three client namespaces"
setup_server
ip -n "$SRV" -6 addr add "$SRV6/64" dev "$BR" nodad
for c in web db cache; do add_client "$c"; done
ip -n "$SRV" -br addr show "$BR"

ARGS=(--strict-order --bind-interfaces --listen-address "$SRV_ADDR"
	--dhcp-range "$NET.2,$NET.254" --dhcp-lease-max=253 --dhcp-no-override
	--except-interface=lo --interface="$BR" --dhcp-authoritative -s lxc -S /lxc/
	--listen-address "$SRV6" --dhcp-range "fd42:77:3::100,fd42:77:3::1ff,slaac")
say "Starting leased with lxc-net's command line (and a DHCPv6 range with SLAAC):"
echo "leased ${ARGS[*]} --dhcp-leasefile=... --pid-file=..."
start_leased "${ARGS[@]}"

say "Containers ask for addresses (udhcpc sends its hostname)"
declare -A got
for c in web db cache; do
	got[$c]=$(udhcpc_lease "$c" "$c")
	printf '  %-6s -> %s\n' "$c" "${got[$c]}"
done

say "IPv6: the kernel's SLAAC from leased's router advertisements, and dhclient -6 for db"
for c in web db cache; do
	# udhcpc's script flushed eth0: bring it up again for a link-local address.
	ip -n "$(client_ns "$c")" link set eth0 down
	ip -n "$(client_ns "$c")" link set eth0 up
done
for c in web db cache; do
	until_true 15 "SLAAC address for $c" sh -c \
		"ip -n $(client_ns "$c") -6 -o addr show dev eth0 scope global | grep -q fd42:77:3:"
	printf '  %-6s SLAAC  %s\n' "$c" \
		"$(ip -n "$(client_ns "$c")" -6 -o addr show dev eth0 scope global | awk '{print $4}' | head -1)"
done
printf '#!/bin/sh\ncase "$reason" in BOUND6|RENEW6) echo "$new_ip6_address" > %s ;; esac\n' \
	"$TMP/db.ip6" > "$TMP/dh6-script"
chmod +x "$TMP/dh6-script"
echo 'send fqdn.fqdn "db";' > "$TMP/dh6.conf"
until_true 10 "usable link-local address for db" sh -c \
	"! ip -n $(client_ns db) -6 addr show dev eth0 | grep -q tentative"
ip netns exec "$(client_ns db)" timeout 30 dhclient -6 -1 -cf "$TMP/dh6.conf" \
	-sf "$TMP/dh6-script" -lf "$TMP/db.dh6.leases" -pf "$TMP/db.dh6.pid" eth0 \
	>"$TMP/db.dh6.log" 2>&1 || fail "dhclient -6 got no lease"
PIDS="$PIDS $(cat "$TMP/db.dh6.pid" 2>/dev/null)"
got6=$(cat "$TMP/db.ip6")
printf '  %-6s DHCPv6 %s\n' db "$got6"

say "Lease file ($TMP/leases), dnsmasq's format, fsync'd before each ACK and REPLY"
wait_for grep -q " $got6 " "$TMP/leases"
cat "$TMP/leases"

say "leased's log"
grep -E 'DHCP(OFFER|ACK|REPLY)|router adv|started' "$TMP/leased.log" | sed 's/^/  /'

say "leasectl leases (both families)"
ctl leases | sed 's/^/  /'

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
for q in "db.lxc A" "db.lxc AAAA" "cache A" "cache.lxc AAAA" "nosuch.lxc A" "-x ${got[db]}" \
	"-x $got6"; do
	# shellcheck disable=SC2086
	printf '  %-30s -> %s\n' "$q" "$(answer_of $q)"
done
[ "$(dig_web +short db.lxc A)" = "${got[db]}" ] || fail "db.lxc does not answer ${got[db]}"
[ "$(dig_web +short db.lxc AAAA)" = "$got6" ] || fail "db.lxc does not answer AAAA $got6"
echo "  (cache.lxc AAAA: NOERROR with no answer, never NXDOMAIN: the name exists;"
echo "   its SLAAC address would answer with an ra-names range, once it talks to the host)"

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
