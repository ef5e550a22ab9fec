#!/bin/bash
# Router advertisements, read by the kernel's own SLAAC and by rdisc6:
# - lxc-net's form (`--dhcp-range=ADDR,ra-only`, no --enable-ra): a client
#   namespace configures an address in the prefix and a default route via
#   leased's link-local address; rdisc6's solicitation is answered with
#   M=0 O=0, the prefix autonomous, RDNSS = the --listen-address, DNSSL =
#   the domain;
# - LXD's form (`--enable-ra --dhcp-range ::,constructor:IFACE,
#   ra-stateless,ra-names`): O=1, the prefix taken from the interface;
# - libvirt's isolated network (`--ra-param=*,0,0`): router lifetime 0,
#   and --ra-param's MTU and preference;
# - a prefix added to the bridge while leased runs is advertised without a
#   restart; a stopping leased withdraws itself as default router.
. "$(dirname "$0")/lib.sh"
command -v rdisc6 >/dev/null || fail "rdisc6 missing (scripts/deps.sh installs ndisc6)"

setup_server6 fd42:77:1
add_client c 02:00:00:00:00:0c
C=$(client_ns c)
ip netns exec "$C" sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1

global6() { ip -n "$C" -6 -o addr show dev eth0 scope global | awk '{print $4}'; }
default6() { ip -n "$C" -6 route show default; }
rdisc() { ip netns exec "$C" rdisc6 -1 -w 3000 eth0 2>&1; }
field() { sed -n "s/^ *$1 *: *//p" <<<"$2" | head -1; }
# ---- lxc-net: ra-only ----
start_leased --interface=$BR --bind-interfaces --listen-address=$SRV_ADDR \
	--listen-address=$SRV6 --dhcp-range=$NET.10,$NET.50,1h --dhcp-range=$SRV6,ra-only -s lxc
until_true 15 "SLAAC address from leased's RA" sh -c "ip -n $C -6 -o addr show dev eth0 scope global | grep -q ' $P6:'"
addr=$(global6)
case "$addr" in $P6:*/64) ;; *) fail "client address $addr is not in $P6::/64" ;; esac
until_true 10 "default route via leased" sh -c "ip -n $C -6 route show default | grep -q 'via fe80::'"
ok "kernel SLAAC: $addr, $(default6)"
out=$(rdisc)
[ "$(field 'Stateful address conf.' "$out")" = No ] || fail "ra-only: M set: $out"
[ "$(field 'Stateful other conf.' "$out")" = No ] || fail "ra-only: O set: $out"
[ "$(field 'Prefix' "$out")" = "$P6::/64" ] || fail "no prefix $P6::/64: $out"
[ "$(field 'Autonomous address conf.' "$out")" = Yes ] || fail "prefix not autonomous: $out"
[ "$(field 'Recursive DNS server' "$out")" = "$SRV6" ] || fail "RDNSS is not $SRV6: $out"
case "$(field 'DNS search list' "$out")" in lxc*) ;; *) fail "DNSSL is not lxc: $out" ;; esac
lifetime=$(field 'Router lifetime' "$out" | awk '{print $1}')
[ "$lifetime" -gt 0 ] || fail "router lifetime $lifetime"
ok "rdisc6 (solicited): M=0 O=0, $P6::/64 autonomous, RDNSS $SRV6, DNSSL lxc, router lifetime $lifetime s"
ctl_ok stats --json
jq -e '.router_advertisements.sent >= 2 and .router_advertisements.solicitations >= 1 and .dhcp6 == null' \
	<<<"$CTL_OUT" >/dev/null || fail "leasectl stats: no RA counters: $CTL_OUT"
ok "leasectl stats counts the RAs sent and the solicitations"

# A prefix added while running is advertised without a restart.
ip -n "$SRV" -6 addr add fd42:77:2::1/64 dev "$BR" nodad
stop_leased
until_true 10 "default route withdrawn on stop" sh -c "! ip -n $C -6 route show default | grep -q via"
ok "stopping leased withdrew its default route (final RA, router lifetime 0)"

# ---- LXD: constructor, ra-stateless, ra-names ----
start_leased --interface=$BR --bind-interfaces --listen-address=$SRV_ADDR \
	--listen-address=$SRV6 --enable-ra --dhcp-range=$NET.10,$NET.50,1h \
	--dhcp-range ::,constructor:$BR,ra-stateless,ra-names -s lxc
out=$(rdisc)
[ "$(field 'Stateful address conf.' "$out")" = No ] || fail "ra-stateless: M set: $out"
[ "$(field 'Stateful other conf.' "$out")" = Yes ] || fail "ra-stateless: O not set: $out"
grep -q "Prefix *: $P6::/64" <<<"$out" || fail "constructor: no $P6::/64: $out"
grep -q "Prefix *: fd42:77:2::/64" <<<"$out" || fail "constructor: no fd42:77:2::/64: $out"
ok "constructor:$BR ra-stateless: M=0 O=1, both of $BR's prefixes"
ip -n "$SRV" -6 addr add fd42:77:3::1/64 dev "$BR" nodad
until_true 10 "new prefix advertised" sh -c "ip netns exec $C rdisc6 -1 -w 3000 eth0 2>&1 | grep -q 'fd42:77:3::/64'"
ok "a prefix added to $BR is advertised without a restart"

# ra-names: the client takes an IPv4 lease named c (udhcpc flushes eth0, so
# its link comes up again and SLAAC runs anew), then asks leased's DNS
# from its SLAAC address: the host's neighbour table ties that address to
# the lease's MAC, and c.lxc answers AAAA with it until the lease ends.
ip4=$(udhcpc_lease c c)
case "$ip4" in $NET.*) ;; *) fail "no IPv4 lease for c: '$ip4'" ;; esac
ip -n "$C" link set eth0 down
ip -n "$C" link set eth0 up
until_true 15 "SLAAC address again" sh -c "ip -n $C -6 -o addr show dev eth0 scope global | grep -q ' $P6:'"
slaac=$(ip -n "$C" -6 -o addr show dev eth0 scope global | awk '{print $4}' | grep "^$P6:" | head -1)
slaac=${slaac%/64}
# A DNS query from that address to leased's IPv6 address: the host answers it.
until_true 10 "a query from the SLAAC address" sh -c \
	"ip netns exec $C dig -b $slaac +tries=1 +time=1 @$SRV6 c.lxc A | grep -q 'status: NOERROR'"
until_true 5 "c.lxc AAAA from the neighbour table" sh -c \
	"ip netns exec $C dig +short +tries=1 +time=2 @$SRV_ADDR c.lxc AAAA | grep -qx '$slaac'"
[ "$(ip netns exec "$C" dig +short +tries=1 +time=2 @$SRV_ADDR c.lxc A)" = "$ip4" ] ||
	fail "c.lxc A is not $ip4"
[ "$(ip netns exec "$C" dig +short +tries=1 +time=2 @$SRV_ADDR -x "$slaac")" = c.lxc. ] ||
	fail "the PTR of $slaac is not c.lxc."
ctl_ok explain c.lxc AAAA
grep -q "SLAAC address of 02:00:00:00:00:0c (the neighbour table, ra-names" <<<"$CTL_OUT" ||
	fail "leasectl explain c.lxc AAAA does not say where the AAAA comes from: $CTL_OUT"
ok "ra-names: c.lxc answers A $ip4 and AAAA $slaac (its SLAAC address, from the neighbour table), and the PTR; explain says so"
ctl_ok release c
out=$(ip netns exec "$C" dig +tries=1 +time=2 @$SRV_ADDR c.lxc AAAA)
grep -q "status: NXDOMAIN" <<<"$out" || fail "c.lxc still answers after its lease was released: $out"
ok "ra-names: the AAAA goes with the IPv4 lease"
stop_leased

# ---- libvirt: an isolated network ----
start_leased --interface=$BR --bind-interfaces --listen-address=$SRV_ADDR \
	--dhcp-range=$NET.10,$NET.50,1h --dhcp-range=$SRV6,ra-only --ra-param='*,mtu:1400,high,0,0'
out=$(rdisc)
lifetime=$(field 'Router lifetime' "$out" | awk '{print $1}')
[ "$lifetime" = 0 ] || fail "ra-param=*,..,0,0: router lifetime $lifetime: $out"
[ "$(field 'Router preference' "$out")" = high ] || fail "ra-param high: $out"
field 'MTU' "$out" | grep -q '^1400 ' || fail "ra-param mtu:1400: $out"
grep -q "Recursive DNS server" <<<"$out" && fail "RDNSS names $SRV6 although DNS does not listen there: $out"
ok "ra-param: router lifetime 0, preference high, MTU 1400; no RDNSS where DNS does not listen"
stop_leased
