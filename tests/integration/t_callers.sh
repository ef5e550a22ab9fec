#!/bin/bash
# leased started exactly as its callers start dnsmasq, with real clients
# (busybox udhcpc, ISC dhclient -4, dig) checking what each caller's
# configuration promises:
#   1. libvirt: its generated conf files for a NAT ("default"), an
#      isolated and a routed network, started as libvirt starts dnsmasq
#      (`--conf-file=X --leasefile-ro --dhcp-script=HELPER`, daemonizing,
#      the pid file the conf names).  A stand-in for libvirt_leaseshelper
#      records its calls: `init` at the start (it keeps the leases: the
#      one it prints is loaded and its name answers), then
#      `add MAC IP [HOST]` for each lease, with DNSMASQ_INTERFACE and
#      DNSMASQ_LEASE_EXPIRES (IPv6: `add DUID IP6 HOST` and DNSMASQ_IAID);
#      no lease file is written.  A reservation in the
#      hostsfile (libvirt writes `MAC,IP,NAME`) gives the guest its address
#      and its name in DNS; addn-hosts names answer.  Isolated (an empty
#      `dhcp-option=3`): no router.  NAT and routed: the bridge is the
#      router; routed: names in its domain (`domain=`, `expand-hosts`), and
#      other names there are NXDOMAIN, never asked upstream.  NAT: other
#      names are forwarded to the machine's resolver; isolated
#      (`no-resolv`): never.
#   2. LXD's command line (as test_config.c has it; paths in $TMP): in the
#      foreground, as the user it names; udhcpc and dhclient -4 get leases
#      of LXD's lease time in the lease file LXD names; --dhcp-ignore-clid:
#      one MAC with two client identifiers has one address; the hostsfile
#      is a directory of per-instance files (`MAC,IP,NAME` and `MAC,NAME`):
#      reservations and names from it, and one written later is read on
#      SIGHUP (as LXD does) without a restart; NAME.lxd and _gateway.lxd
#      answer, other names under lxd are NXDOMAIN, never asked upstream
#      (where the rest is).
#   3. Incus's command line: the same under its own names (domain incus).
. "$(dirname "$0")/lib.sh"
need_dns_tools
command -v dhclient >/dev/null || fail "dhclient missing (isc-dhcp-client; scripts/deps.sh)"
START=$SECONDS

MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
MAC_C=02:00:00:00:00:0c
setup_server6 2001:db8:ca2:2
add_client a $MAC_A
add_client b $MAC_B
add_client c $MAC_C
# leased may run as another user (LXD's -u): it reads its files here.
chmod 755 "$TMP"
# The machine's resolver, as callers rely on it (none passes --server):
# an upstream outside the DHCP ranges that answers up.test and every name
# under the callers' domains (which must never be asked there).
UP=$NET.250
add_upstream_ns "$UP"
printf 'rule up.test A 192.0.2.1\nrule *.example.com A 192.0.2.99\nrule *.lxd A 192.0.2.99\nrule *.incus A 192.0.2.99\n' |
	up_rules up
start_upstream up "$UP"
echo "nameserver $UP" >"/etc/netns/$SRV/resolv.conf"

# name_is NAME IP: NAME answers exactly IP (A), asked from client a (which has an address).
name_is() { [ "$(dig_rdata "$(dig_in a "$1" A)" A)" = "$2" ]; }
expect_name() { name_is "$1" "$2" || fail "$1 is not $2: $(dig_in a "$1" A)"; }
# expect_nxdomain NAME: NXDOMAIN from leased itself (the upstream not asked).
expect_nxdomain() {
	local out
	out=$(dig_in a "$1" A)
	[ "$(dig_status "$out")" = NXDOMAIN ] || fail "$1: want NXDOMAIN: $out"
	[ "$(up_count up "$1")" = 0 ] || fail "$1 was asked upstream"
}
# expect_got NAME FIELD VALUE: udhcpc in NAME was given VALUE as FIELD.
expect_got() {
	[ "$(udhcpc_got "$1" "$2")" = "$3" ] ||
		fail "udhcpc in $1: $2 is '$(udhcpc_got "$1" "$2")', want '$3': $(cat "$TMP/$1.udhcpc")"
}
in_range() { case "$1" in "$NET".*) ;; *) return 1 ;; esac; }
# flush NAME: client NAME forgets its address (and its dhclient stops).
flush() {
	dhclient_stop "$1"
	ip -n "$(client_ns "$1")" -4 addr flush dev eth0
}

# ---- 1. libvirt ------------------------------------------------------------
# libvirt_leaseshelper's stand-in: a line per call, its arguments and what
# libvirt's helper reads from the environment; "init" prints the leases
# libvirt kept ($TMP/helper.init, in the lease file's format).
HELPER=$TMP/libvirt_leaseshelper
cat >"$HELPER" <<EOF
#!/bin/sh
echo "\$* | iface=\${DNSMASQ_INTERFACE:-} expires=\${DNSMASQ_LEASE_EXPIRES:-}\${DNSMASQ_IAID:+ iaid=\$DNSMASQ_IAID}" >>"$TMP/helper.calls"
[ "\$1" != init ] || cat "$TMP/helper.init" 2>/dev/null
exit 0
EOF
chmod 755 "$HELPER"
# helper_called LINE: the helper was called with exactly these arguments.
helper_called() { grep -q "^$1 | iface=$BR expires=[0-9][0-9]*$" "$TMP/helper.calls" 2>/dev/null; }
expect_helper() {
	wait_for helper_called "$1" ||
		fail "no helper call '$1' with DNSMASQ_INTERFACE=$BR: $(cat "$TMP/helper.calls" 2>/dev/null)"
}

# libvirt_conf NET BODY: NET's conf file, as libvirt writes it (its head,
# then BODY), its hostsfile reserving $NET.77 for client a as vm-a and an
# addn-hosts file naming $NET.200 web.
libvirt_conf() {
	printf '##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:
##    virsh net-edit %s
## or other application using the libvirt API.
##
## dnsmasq conf file created by libvirt
strict-order
%s' "$1" "$2" >"$TMP/$1.conf"
	echo "$MAC_A,$NET.77,vm-a" >"$TMP/$1.hostsfile"
	echo "$NET.200 web" >"$TMP/$1.addnhosts"
}
# libvirt_start NET: dnsmasq's command line as libvirt's network driver has it.
# With --leasefile-ro the helper keeps the leases: "init" (print them) first.
libvirt_start() {
	: >"$TMP/helper.calls"
	start_as "$TMP/$1.pid" --conf-file="$TMP/$1.conf" --leasefile-ro --dhcp-script="$HELPER"
	[ "$(head -1 "$TMP/helper.calls")" = "init | iface= expires=" ] ||
		fail "$1: the helper was not asked for its leases (init) first: $(cat "$TMP/helper.calls")"
}
libvirt_stop() {
	stop_leased
	[ ! -e "$TMP/leases" ] || fail "$1: --leasefile-ro, yet a lease file: $(cat "$TMP/leases")"
	flush a
	flush b
}

# The NAT network "default" (with IPv6 and RAs, as test_config.c has it).
libvirt_conf default "pid-file=$TMP/default.pid
except-interface=lo
bind-dynamic
interface=$BR
dhcp-range=$NET.2,$NET.199,255.255.255.0
dhcp-no-override
dhcp-authoritative
dhcp-range=$P6::100,$P6::1ff,64
dhcp-lease-max=493
dhcp-hostsfile=$TMP/default.hostsfile
addn-hosts=$TMP/default.addnhosts
enable-ra
"
libvirt_start default
ip=$(udhcpc_lease a)
[ "$ip" = "$NET.77" ] || fail "libvirt NAT: the reserved guest got $ip, not $NET.77"
expect_got a lease 3600 # a range without a lease time: dnsmasq's 1 h
expect_got a router "$SRV_ADDR"
expect_got a dns "$SRV_ADDR"
expect_helper "add $MAC_A $NET.77 vm-a"
dhclient4_lease b
ip_b=$(cat "$TMP/b.ip")
in_range "$ip_b" && [ "$ip_b" != "$NET.77" ] || fail "libvirt NAT: dhclient got '$ip_b'"
# dhclient sends the machine's name (its dhclient.conf: gethostname()).
expect_helper "add $MAC_B $ip_b $(hostname)"
expect_name vm-a "$NET.77"
expect_name web "$NET.200"
expect_name up.test 192.0.2.1
# DHCPv6 from the IPv6 range; the helper gets "add DUID IP6 HOST" and the IAID.
ll_ready c
dhclient6_lease c vm6 || fail "libvirt NAT: dhclient -6 got nothing: $(tail -3 "$TMP/c.dh6.log")"
dhclient_stop c
ip6=$(cat "$TMP/c.ip6")
case "$ip6" in "$P6"::1[0-9a-f][0-9a-f]) ;; *) fail "libvirt NAT: dhclient -6 got '$ip6'" ;; esac
wait_for grep -Eq "^add ([0-9a-f]{2}:)+[0-9a-f]{2} $ip6 vm6 \| iface=$BR expires=[0-9]+ iaid=[0-9]+$" \
	"$TMP/helper.calls" || fail "libvirt NAT: no helper call 'add DUID $ip6 vm6' with the IAID: $(cat "$TMP/helper.calls")"
libvirt_stop default
ok "libvirt NAT: udhcpc's reserved $NET.77, dhclient's $ip_b and dhclient -6's $ip6, router and DNS the bridge; helper called 'init', then 'add MAC|DUID IP HOST'; vm-a, web and (upstream) up.test answer; no lease file"

# Isolated: an empty option 3 (no router), no upstream, RAs without a router lifetime.
libvirt_conf isolated "pid-file=$TMP/isolated.pid
except-interface=lo
bind-dynamic
interface=$BR
dhcp-option=3
no-resolv
ra-param=*,0,0
dhcp-range=$NET.2,$NET.199,255.255.255.0
dhcp-no-override
dhcp-authoritative
dhcp-lease-max=253
dhcp-hostsfile=$TMP/isolated.hostsfile
addn-hosts=$TMP/isolated.addnhosts
"
# A lease libvirt kept from an earlier run: "init" gives it back.
echo "$(($(date +%s) + 3600)) 02:00:00:00:00:ee $NET.150 kept *" >"$TMP/helper.init"
libvirt_start isolated
rm "$TMP/helper.init"
ip=$(udhcpc_lease a)
[ "$ip" = "$NET.77" ] || fail "libvirt isolated: the reserved guest got $ip, not $NET.77"
expect_name kept "$NET.150"
expect_got a router ""
expect_got a dns "$SRV_ADDR"
expect_helper "add $MAC_A $NET.77 vm-a"
ip=$(udhcpc_lease b guest-b)
in_range "$ip" || fail "libvirt isolated: udhcpc in b got '$ip'"
expect_got b router ""
expect_helper "add $MAC_B $ip guest-b"
expect_name vm-a "$NET.77"
expect_name guest-b "$ip"
# no-resolv: the machine's resolver is never asked.
asked=$(up_count up up.test)
out=$(dig_in a up.test A)
[ -z "$(dig_rdata "$out" A)" ] && [ "$(up_count up up.test)" = "$asked" ] ||
	fail "libvirt isolated: up.test was asked upstream: $out"
libvirt_stop isolated
ok "libvirt isolated: the helper's init lease (kept) answers; no router for $NET.77 (reserved) and $ip; helper 'add MAC IP HOST'; vm-a and guest-b answer, up.test is not asked upstream"

# Routed, with a domain of its own.
libvirt_conf routed "local=/example.com/
domain=example.com
expand-hosts
pid-file=$TMP/routed.pid
except-interface=lo
bind-dynamic
interface=$BR
dhcp-range=$NET.2,$NET.199,255.255.255.0
dhcp-no-override
dhcp-authoritative
dhcp-lease-max=253
dhcp-hostsfile=$TMP/routed.hostsfile
addn-hosts=$TMP/routed.addnhosts
"
libvirt_start routed
ip=$(udhcpc_lease a)
[ "$ip" = "$NET.77" ] || fail "libvirt routed: the reserved guest got $ip, not $NET.77"
expect_got a router "$SRV_ADDR"
expect_got a domain example.com
expect_helper "add $MAC_A $NET.77 vm-a"
expect_name vm-a.example.com "$NET.77"
expect_name web.example.com "$NET.200"
expect_nxdomain nothere.example.com
libvirt_stop routed
ok "libvirt routed: $NET.77 with the bridge as router and domain example.com; vm-a.example.com and web.example.com answer, other names there NXDOMAIN"

# ---- 2. LXD and 3. Incus ---------------------------------------------------
# lxd_args TOOL DIR USER GROUP: TOOL's dnsmasq command line for bridge $BR
# (LXD's and Incus's network driver: test_config.c's test_lxd_argv and
# test_incus_argv), its files in DIR.
lxd_args() {
	local rev=()
	[ "$1" = incus ] && rev=("--rev-server=240.0.0.0/8,127.0.0.1#1053")
	ARGS=(--keep-in-foreground --strict-order --bind-interfaces --except-interface=lo --pid-file=
		--no-ping "--interface=$BR" --dhcp-rapid-commit --no-negcache --quiet-dhcp --quiet-dhcp6
		--quiet-ra "--listen-address=$SRV_ADDR" --dhcp-no-override --dhcp-ignore-clid
		--dhcp-authoritative --dhcp-leasefile="$2/dnsmasq.leases"
		--dhcp-hostsfile="$2/dnsmasq.hosts" --dhcp-range "$NET.2,$NET.199,1h"
		--listen-address="$SRV6" --enable-ra --dhcp-range "::,constructor:$BR,ra-stateless,ra-names"
		-s "$1" --interface-name "_gateway.$1,$BR" -S "/$1/" "${rev[@]}"
		--conf-file="$2/dnsmasq.raw" -u "$3" -g "$4")
}

# lxd_case TOOL USER GROUP: TOOL's network, started with its command line.
lxd_case() {
	local tool=$1 user=$2 dir=$TMP/$1/networks/$BR d uid ip ip_b ip_c
	local leases=$TMP/$1/networks/$BR/dnsmasq.leases
	d=$dir/dnsmasq.hosts
	mkdir -p "$d"
	chmod -R 755 "$TMP/$tool"
	: >"$dir/dnsmasq.raw"
	# Per-instance files, as TOOL writes them: c1 with a static address
	# (client a), c2 without (client b: dhclient sends the machine's name;
	# the file's name is the one DNS has).
	echo "$MAC_A,$NET.66,c1" >"$d/c1.eth0"
	echo "$MAC_B,c2" >"$d/c2.eth0"
	chmod 644 "$d"/*
	lxd_args "$tool" "$dir" "$user" "$3"
	start_as "" "${ARGS[@]}"
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$LEASED_PID/status")
	[ "$uid" = "$(id -u "$user")" ] || fail "$tool: leased runs as uid $uid, not $user"

	ip=$(udhcpc_lease a c1)
	[ "$ip" = "$NET.66" ] || fail "$tool: c1 got $ip, not its static $NET.66"
	expect_got a lease 3600
	expect_got a router "$SRV_ADDR"
	expect_got a domain "$tool"
	dhclient4_lease b
	ip_b=$(cat "$TMP/b.ip")
	in_range "$ip_b" && [ "$ip_b" != "$NET.66" ] || fail "$tool: dhclient got '$ip_b'"
	wait_for grep -q " $MAC_B $ip_b " "$leases" ||
		fail "$tool: no lease of $ip_b in $leases: $(cat "$leases" 2>/dev/null)"
	expect_name "c1.$tool" "$NET.66"
	expect_name "c2.$tool" "$ip_b"
	expect_name "_gateway.$tool" "$SRV_ADDR"
	expect_nxdomain "nothere.$tool"
	expect_name up.test 192.0.2.1
	ok "$tool: c1 (udhcpc) its static $NET.66 for 1h, c2 (dhclient) $ip_b, names from the per-instance files; _gateway.$tool and (upstream) up.test answer, nothere.$tool NXDOMAIN unasked"

	# --dhcp-ignore-clid: client c asks with the MAC as client-id, then
	# with another one (a copied container with a new DUID): one address.
	ip_c=$(udhcpc_lease c c3)
	ip=$(udhcpc_lease c c3 -x 0x3d:ff00000003000102030405)
	[ "$ip" = "$ip_c" ] || fail "$tool: another client-id, same MAC: $ip, had $ip_c"
	[ "$(grep -c " $MAC_C " "$leases")" = 1 ] ||
		fail "$tool: MAC $MAC_C has $(grep -c " $MAC_C " "$leases") leases: $(cat "$leases")"
	ok "$tool: --dhcp-ignore-clid: MAC $MAC_C keeps $ip_c under two client-ids, one lease"

	# A static address set later (`config device override c3 eth0
	# ipv4.address=...`): TOOL writes c3's file and sends SIGHUP.
	echo "$MAC_C,$NET.99,c3" >"$d/c3.eth0"
	chmod 644 "$d/c3.eth0"
	kill -HUP "$LEASED_PID"
	flush c
	ip=$(udhcpc_lease c c3)
	[ "$ip" = "$NET.99" ] || fail "$tool: after SIGHUP c3 got $ip, not its new static $NET.99"
	kill -0 "$LEASED_PID" 2>/dev/null || fail "$tool: SIGHUP stopped leased"
	expect_name "c3.$tool" "$NET.99"
	wait_for grep -q " $MAC_C $NET.99 " "$leases" || fail "$tool: no lease of $NET.99 in $leases"
	stop_leased
	flush a
	flush b
	flush c
	ok "$tool: SIGHUP read c3's new file: $NET.99 and c3.$tool answers it"
}

lxd_case lxd nobody lxd
# Incus names its own user and group, else nobody and nogroup (as LXD).
if getent passwd incus >/dev/null && getent group incus >/dev/null; then
	lxd_case incus incus incus
else
	lxd_case incus nobody nogroup
fi

ok "callers' lines with real clients ($((SECONDS - START)) s)"
