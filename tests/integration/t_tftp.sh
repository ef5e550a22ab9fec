#!/bin/bash
# The read-only TFTP server (--enable-tftp, --tftp-root) with real
# clients on a bridge: tftp-hpa fetches files in octet and netascii mode,
# busybox tftp with a negotiated block size (OACK, blksize, tsize; one
# past the MTU is capped); a "../" escape, a symbolic link out of the
# root, a missing file and a write are refused; a packet from a wrong
# TID gets ERROR 5 while the transfer goes on; the per-client limit and
# --tftp-max hold; --tftp-unique-root.  A missing root stops the start (exit 3) unless
# --tftp-no-fail; --enable-tftp=IFACE serves only there.  Then leased
# started as libvirt starts it for a netboot network (enable-tftp,
# tftp-root=, dhcp-boot=pxelinux.0 in its conf file): udhcpc is told the
# boot file, tftp fetches it.  About 4 s.
. "$(dirname "$0")/lib.sh"

command -v tftp >/dev/null || fail "tftp (tftp-hpa) missing: scripts/deps.sh installs it"
setup_server
add_client a 02:00:00:00:00:0a
ns_a=$(client_ns a)
CLIENT=$NET.20
ip -n "$ns_a" addr add "$CLIENT/24" dev eth0

ROOT=$TMP/tftproot
mkdir -p "$ROOT/sub" "$TMP/out"
head -c 300000 /dev/urandom >"$ROOT/big.bin"
printf 'kernel vmlinuz\nappend initrd=initrd.img\r\nbare\rcr\n' >"$ROOT/sub/pxe.cfg"
echo secret >"$TMP/outside.txt"
ln -s ../outside.txt "$ROOT/escape"
ln -s sub/pxe.cfg "$ROOT/inside"
chmod -R a+rX "$ROOT"
start_leased --interface=$BR --bind-interfaces --except-interface=lo -p 0 \
	--dhcp-range=$NET.10,$NET.50,12h --enable-tftp --tftp-root="$ROOT" --tftp-max=11

# tftp_get FILE [MODE]: tftp-hpa in client a; the file lands in $TMP/out.
tftp_get() {
	rm -f "$TMP/out/got"
	ip netns exec "$ns_a" timeout 10 tftp -m "${2:-binary}" "$SRV_ADDR" \
		-c get "$1" "$TMP/out/got" >"$TMP/tftp.log" 2>&1 && [ -s "$TMP/out/got" ]
}
sum() { sha256sum <"$1" | cut -d' ' -f1; }

tftp_get big.bin || fail "tftp-hpa get big.bin: $(cat "$TMP/tftp.log")"
[ "$(sum "$TMP/out/got")" = "$(sum "$ROOT/big.bin")" ] || fail "big.bin differs"
wait_for grep -q "tftp: sent $ROOT/big.bin to $CLIENT (300000 bytes)" "$TMP/leased.log" ||
	fail "no 'sent' log line"
ok "tftp-hpa (octet, 512-byte blocks) fetched 300000 bytes intact; logged"

tftp_get /sub/pxe.cfg netascii || fail "netascii get: $(cat "$TMP/tftp.log")"
cmp -s "$TMP/out/got" "$ROOT/sub/pxe.cfg" || fail "netascii round trip differs"
tftp_get "$ROOT/inside" || fail "get by the root's absolute path through an inner link"
cmp -s "$TMP/out/got" "$ROOT/sub/pxe.cfg" || fail "inside link differs"
ok "netascii round trip, /name and ROOT/name, a link inside the root"

for bad in ../outside.txt sub/../../outside.txt escape missing.bin; do
	tftp_get "$bad" && fail "$bad was served"
done
grep -q "refused sub/../../outside.txt to $CLIENT" "$TMP/leased.log" || fail "no refusal logged for ../"
grep -q "refused $ROOT/escape to $CLIENT: outside the TFTP root" "$TMP/leased.log" ||
	fail "symlink escape not refused as outside the root"
grep -q "refused $ROOT/missing.bin to $CLIENT: file not found" "$TMP/leased.log" ||
	fail "missing file not logged"
echo data >"$TMP/out/up"
ip netns exec "$ns_a" timeout 10 tftp -m binary "$SRV_ADDR" -c put "$TMP/out/up" up \
	>"$TMP/tftp.log" 2>&1
grep -qi "access violation\|read-only\|Error code 2" "$TMP/tftp.log" ||
	fail "put was not refused: $(cat "$TMP/tftp.log")"
[ ! -e "$ROOT/up" ] || fail "put wrote a file"
ok "../, a link out of the root, a missing file and a put are refused"

# busybox tftp asks for blksize (and tsize): OACK, then 1400-byte blocks.
rm -f "$TMP/out/bb"
ip netns exec "$ns_a" timeout 10 busybox tftp -g -b 1400 -r big.bin -l "$TMP/out/bb" "$SRV_ADDR" \
	>"$TMP/bb.log" 2>&1 || fail "busybox tftp -b 1400: $(cat "$TMP/bb.log")"
[ "$(sum "$TMP/out/bb")" = "$(sum "$ROOT/big.bin")" ] || fail "blksize transfer differs"
grep -q "sending $ROOT/big.bin to $CLIENT (octet, 300000 bytes, block size 1400)" \
	"$TMP/leased.log" || fail "block size 1400 not granted"
ok "busybox tftp with blksize 1400 (OACK) fetched big.bin intact"

# A wrong TID: a second socket writes to the transfer's port and gets
# ERROR 5; the first then completes the transfer.
ip netns exec "$ns_a" python3 - "$SRV_ADDR" >"$TMP/tid.log" 2>&1 <<'PY' || fail "wrong TID: $(cat "$TMP/tid.log")"
import socket, struct, sys
srv = sys.argv[1]
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.settimeout(3)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.settimeout(3)
a.sendto(b"\x00\x01sub/pxe.cfg\x00octet\x00", (srv, 69))
data, tid = a.recvfrom(600)
assert data[:4] == b"\x00\x03\x00\x01", data[:4]
b.sendto(b"\x00\x04\x00\x01", tid)
err, _ = b.recvfrom(600)
assert err[:4] == b"\x00\x05\x00\x05", err
a.sendto(b"\x00\x04\x00\x01", tid)        # the real ACK: block 1 was the last
a.sendto(b"\x00\x04\x00\x01", tid)        # a duplicate ACK: nothing comes back
a.settimeout(0.3)
try:
    extra = a.recvfrom(600)
    raise SystemExit("reply to a duplicate final ACK: %r" % (extra,))
except socket.timeout:
    pass
print("ok")
PY
wait_for grep -q "tftp: sent $ROOT/sub/pxe.cfg to $CLIENT" "$TMP/leased.log" ||
	fail "the transfer did not finish after a wrong TID"
ok "a wrong TID gets ERROR 5 and the transfer finishes"

# A block size past the link's MTU (1500) is granted as what fits: 1468.
ip netns exec "$ns_a" timeout 10 busybox tftp -g -b 8192 -r sub/pxe.cfg -l "$TMP/out/bb" \
	"$SRV_ADDR" >"$TMP/bb.log" 2>&1 || fail "busybox tftp -b 8192: $(cat "$TMP/bb.log")"
grep -q "sending $ROOT/sub/pxe.cfg to $CLIENT (octet, 49 bytes, block size 1468)" \
	"$TMP/leased.log" || fail "blksize 8192 not capped to the MTU's 1468"
ok "blksize 8192 capped to 1468 by the interface MTU"

# Limits (started with --tftp-max=11): client a may hold 10 transfers, an
# 11th is not answered; client b gets the 11th slot, then nothing more.
# A repeated request from a port with a transfer is not a new one.
add_client b 02:00:00:00:00:0b
ip -n "$(client_ns b)" addr add "$NET.21/24" dev eth0
cat >"$TMP/limits.py" <<'PY'
import socket, sys
srv, n = sys.argv[1], int(sys.argv[2])
rrq = b"\x00\x01big.bin\x00octet\x00"
socks, answered = [], 0
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
    s.sendto(rrq, (srv, 69))
    try:
        data, tid = s.recvfrom(600)
        assert data[:4] == b"\x00\x03\x00\x01", data[:4]
        answered += 1
        socks.append((s, tid))
    except socket.timeout:
        pass
if socks:                                  # the same RRQ again from a busy port: no new transfer
    s, tid = socks[0]
    s.sendto(rrq, (srv, 69)); s.settimeout(0.3)
    try:
        data, frm = s.recvfrom(600)
        assert frm == tid, "a second transfer for a repeated request"
    except socket.timeout:
        pass
print(answered)
sys.stdout.flush()
input()                                    # hold the transfers until told
for s, tid in socks:                       # then end them: the client gives up
    s.sendto(b"\x00\x05\x00\x00done\x00", tid)
PY
coproc LIMA { ip netns exec "$ns_a" python3 "$TMP/limits.py" "$SRV_ADDR" 11; }
PIDS="$PIDS $LIMA_PID"
read -r -t 10 got_a <&"${LIMA[0]}"
[ "$got_a" = 10 ] || fail "client a got $got_a of 11 transfers, not 10"
got_b=$(echo | ip netns exec "$(client_ns b)" python3 "$TMP/limits.py" "$SRV_ADDR" 2)
[ "$got_b" = 1 ] || fail "client b got $got_b of 2 transfers with --tftp-max=11, not 1"
echo >&"${LIMA[1]}"
wait "$LIMA_PID" || fail "limits client a failed"
grep -q "has 10 transfers at once" "$TMP/leased.log" || fail "per-client limit not logged"
grep -q "11 transfers at once (--tftp-max)" "$TMP/leased.log" || fail "--tftp-max not logged"
wait_for grep -q 'the client sent error 0 "done"' "$TMP/leased.log" || fail "client's ERROR not logged"
ok "10 transfers per client, --tftp-max, a repeated request is no new transfer"
stop_leased

# --tftp-unique-root: ROOT/CLIENT-ADDRESS/ serves that client when it exists.
mkdir -p "$ROOT/$CLIENT"
echo "for $CLIENT only" >"$ROOT/$CLIENT/mine.cfg"
chmod -R a+rX "$ROOT"
start_leased --interface=$BR -p 0 --enable-tftp --tftp-root="$ROOT" --tftp-unique-root
tftp_get mine.cfg || fail "unique root: $(cat "$TMP/tftp.log")"
cmp -s "$TMP/out/got" "$ROOT/$CLIENT/mine.cfg" || fail "unique root served another file"
tftp_get big.bin && fail "unique root: big.bin came from the shared root"
stop_leased
ok "--tftp-unique-root serves ROOT/$CLIENT/ to $CLIENT"

# A root that cannot be opened stops the start, unless --tftp-no-fail;
# --enable-tftp naming other interfaces leaves br0 unanswered.
ip netns exec "$SRV" "$LEASED" -k -p 0 --log-facility=- --pid-file= --control-socket="$TMP/x.sock" \
	--dhcp-leasefile="$TMP/x.leases" --enable-tftp --tftp-root="$TMP/nope" >"$TMP/nope.log" 2>&1
rc=$?
[ "$rc" = 3 ] || fail "missing TFTP root: exit $rc, not 3: $(cat "$TMP/nope.log")"
grep -q "cannot open the TFTP root $TMP/nope" "$TMP/nope.log" || fail "no message: $(cat "$TMP/nope.log")"
start_leased --interface=$BR -p 0 --enable-tftp=veth*,eth9 --tftp-root="$TMP/nope" --tftp-no-fail
grep -q "cannot open the TFTP root $TMP/nope.*--tftp-no-fail" "$TMP/leased.log" || fail "no warning"
ip netns exec "$ns_a" python3 - "$SRV_ADDR" <<'PY' || fail "TFTP answered on an interface not named"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
s.sendto(b"\x00\x01big.bin\x00octet\x00", (sys.argv[1], 69))
try:
    s.recvfrom(600); sys.exit(1)
except socket.timeout:
    pass
PY
stop_leased
ok "a missing root: exit 3, or a warning with --tftp-no-fail; --enable-tftp=IFACE holds"

# libvirt's netboot network: its conf file and command line.
mkdir -p "$TMP/tftpboot"
head -c 20000 /dev/urandom >"$TMP/tftpboot/pxelinux.0"
chmod -R a+rX "$TMP/tftpboot"
cat >"$TMP/netboot.conf" <<EOC
##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
## dnsmasq conf file created by libvirt
strict-order
except-interface=lo
bind-dynamic
interface=$BR
dhcp-range=$NET.10,$NET.50,255.255.255.0
dhcp-no-override
dhcp-authoritative
dhcp-lease-max=41
enable-tftp
tftp-root=$TMP/tftpboot
dhcp-boot=pxelinux.0
EOC
ip -n "$ns_a" addr flush dev eth0
start_leased -p 0 --conf-file="$TMP/netboot.conf" --leasefile-ro
ip=$(udhcpc_lease a)
grep -q "^boot_file=pxelinux.0$" "$TMP/a.udhcpc" || fail "no boot file: $(cat "$TMP/a.udhcpc")"
tftp_get pxelinux.0 || fail "get pxelinux.0: $(cat "$TMP/tftp.log")"
[ "$(sum "$TMP/out/got")" = "$(sum "$TMP/tftpboot/pxelinux.0")" ] || fail "pxelinux.0 differs"
ok "libvirt's netboot conf: $ip told boot file pxelinux.0, fetched it over TFTP"
