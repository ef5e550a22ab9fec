#!/bin/bash
# A DHCPRELEASE sent from the host on a client's behalf is honoured like
# one from the client.  LXD releases a container's lease this way, and so
# does dnsmasq's dhcp_release(1): to the server's address, the lease's
# address in ciaddr, the client's MAC in chaddr.  From the server's
# namespace, dhcp_release ends a udhcpc client's lease (gone from the
# lease file and from DNS), matched as dnsmasq matches (client-id when
# the release has one, else the MAC); a release naming another MAC or
# another client-id changes nothing.  The same release sent to 127.0.0.1
# arrives on lo, which leased otherwise ignores, also while its DHCP
# socket is bound to the bridge: it is honoured, and nothing but a
# RELEASE is ever taken from lo.
. "$(dirname "$0")/lib.sh"
need_dns_tools
command -v dhcp_release >/dev/null ||
	fail "dhcp_release missing (dnsmasq-utils; scripts/deps.sh installs it)"

# send_dhcp DEST TYPE CIADDR MAC SERVER-ID [CLIENT-ID]: one DHCP message
# from the server's namespace, as a host tool would send it (no device).
SEND=$TMP/send_dhcp.py
cat >"$SEND" <<'EOF'
import socket, struct, sys
dest, mtype, ciaddr, mac, sid = sys.argv[1:6]
chaddr = bytes.fromhex(mac.replace(":", ""))
pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", 1, 1, len(chaddr), 0, 0x1ea5ed, 0, 0,
                  socket.inet_aton(ciaddr), bytes(4), bytes(4), bytes(4),
                  chaddr.ljust(16, b"\0"), b"", b"", 0x63825363)
opts = bytes([53, 1, int(mtype), 54, 4]) + socket.inet_aton(sid)
if len(sys.argv) > 6:
    cid = bytes.fromhex(sys.argv[6].replace(":", ""))
    opts += bytes([61, len(cid)]) + cid
pkt += opts + bytes([255])
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(pkt.ljust(300, b"\0"), (dest, 67))
EOF
send_dhcp() { ip netns exec "$SRV" "$PY3" "$SEND" "$@" || fail "cannot send: $*"; }

MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
MAC_C=02:00:00:00:00:0c
setup_server
add_client a $MAC_A
add_client b $MAC_B
add_client c $MAC_C
# lxc-net's options: one interface, bound to it, lo excluded.
ARGS=(--interface=$BR --bind-interfaces --except-interface=lo --listen-address=$SRV_ADDR
	--dhcp-range=$NET.10,$NET.50,12h -s lxc --dhcp-authoritative --no-resolv)
start_leased "${ARGS[@]}"
grep -q "DHCP socket bound to $BR" "$TMP/leased.log" || fail "the DHCP socket is not bound to $BR"

has_lease() { lease_line "$1" >/dev/null; }
gone() { ! has_lease "$1"; }
answers() { # answers NAME IP: the name resolves to IP, asked from client a's namespace
	[ "$(dig_rdata "$(dig_in a "$1" A)" A)" = "$2" ]
}
# logged PATTERN: wait for a log line (a release is answered by nothing).
logged() { wait_for grep -q "$1" "$TMP/leased.log"; }

ip_a=$(udhcpc_lease a ca)
wait_for has_lease "$ip_a" || fail "no lease line for $ip_a"
lease_line "$ip_a" | grep -q " 01:$MAC_A$" || fail "udhcpc sent no client-id: $(lease_line "$ip_a")"
answers ca.lxc "$ip_a" || fail "ca.lxc does not answer $ip_a: $(dig_in a ca.lxc A)"
ok "client a has $ip_a as ca.lxc"

# Another MAC: ignored.
ip netns exec "$SRV" dhcp_release $BR "$ip_a" 02:00:00:00:00:99 || fail "dhcp_release failed"
logged "DHCPRELEASE($BR) $ip_a 02:00:00:00:00:99 unknown lease" ||
	fail "the release for another MAC was not seen"
has_lease "$ip_a" || fail "a release naming another MAC ended the lease of $ip_a"
# The right MAC with another client-id: dnsmasq matches the client-id, so ignored too.
ip netns exec "$SRV" dhcp_release $BR "$ip_a" $MAC_A 01:02:00:00:00:00:99 ||
	fail "dhcp_release failed"
logged "DHCPRELEASE($BR) $ip_a $MAC_A unknown lease" ||
	fail "the release with another client-id was not seen"
has_lease "$ip_a" || fail "a release naming another client-id ended the lease of $ip_a"
answers ca.lxc "$ip_a" || fail "ca.lxc stopped answering after ignored releases"
ok "releases naming another MAC or another client-id change nothing"

# The real one, without a client-id (the MAC decides, as in dnsmasq).
ip netns exec "$SRV" dhcp_release $BR "$ip_a" $MAC_A || fail "dhcp_release failed"
wait_for gone "$ip_a" || fail "dhcp_release $BR $ip_a $MAC_A left the lease: $(lease_line "$ip_a")"
answers ca.lxc "$ip_a" && fail "ca.lxc still answers $ip_a after the release"
ok "dhcp_release $BR $ip_a $MAC_A: lease gone from the lease file and from DNS"

# With the client-id, as in the lease file.
ip_b=$(udhcpc_lease b cb)
wait_for has_lease "$ip_b" || fail "no lease line for $ip_b"
ip netns exec "$SRV" dhcp_release $BR "$ip_b" $MAC_B "01:$MAC_B" || fail "dhcp_release failed"
wait_for gone "$ip_b" || fail "dhcp_release with the client-id left the lease of $ip_b"
ok "dhcp_release $BR $ip_b $MAC_B 01:$MAC_B: lease gone"

# Sent to 127.0.0.1: it arrives on lo, where the bridge-bound socket never looks.
ip_c=$(udhcpc_lease c cc)
wait_for has_lease "$ip_c" || fail "no lease line for $ip_c"
# In order on one socket: when the last is logged, the others were handled.
send_dhcp 127.0.0.1 1 0.0.0.0 02:00:00:00:00:77 $SRV_ADDR # a DISCOVER
send_dhcp 127.0.0.1 7 "$ip_c" $MAC_C 10.99.99.1          # not our server identifier
send_dhcp 127.0.0.1 7 "$ip_c" 02:00:00:00:00:99 $SRV_ADDR # not the client's MAC
logged "DHCPRELEASE($BR) $ip_c 02:00:00:00:00:99 unknown lease" ||
	fail "the release via lo naming another MAC was not seen"
has_lease "$ip_c" || fail "a release via lo naming another MAC or server ended the lease"
grep -q "02:00:00:00:00:77" "$TMP/leased.log" && fail "a DISCOVER arriving on lo was handled"
send_dhcp 127.0.0.1 7 "$ip_c" $MAC_C $SRV_ADDR
wait_for gone "$ip_c" || fail "a release sent to 127.0.0.1 left the lease of $ip_c"
answers cc.lxc "$ip_c" && fail "cc.lxc still answers $ip_c after the release via lo"
ok "a release sent to 127.0.0.1 (on lo) is honoured; other servers, MACs and a DISCOVER there are not"

# Without --bind-interfaces the one socket sees lo itself: the same rules.
stop_leased
start_leased --interface=$BR --except-interface=lo --dhcp-range=$NET.10,$NET.50,12h -s lxc \
	--dhcp-authoritative --no-resolv
ip_a=$(udhcpc_lease a ca)
wait_for has_lease "$ip_a" || fail "no lease line for $ip_a"
send_dhcp 127.0.0.1 1 0.0.0.0 02:00:00:00:00:78 $SRV_ADDR
send_dhcp 127.0.0.1 7 "$ip_a" $MAC_A $SRV_ADDR
wait_for gone "$ip_a" || fail "unbound socket: a release sent to 127.0.0.1 left the lease"
grep -q "02:00:00:00:00:78" "$TMP/leased.log" && fail "unbound socket: a DISCOVER on lo was handled"
ok "without --bind-interfaces: the release via lo is honoured, a DISCOVER there is not"
