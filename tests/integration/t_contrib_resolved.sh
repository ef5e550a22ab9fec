#!/bin/bash
# contrib/systemd-resolved/lxc-net-resolved: with lxc-net's settings it
# gives the bridge leased's address as DNS server and the LXC domain as a
# routing domain, reverts on stop, and refuses (with a reason) when the
# domain is empty or the bridge missing.  systemd-resolved cannot run
# here (no systemd as PID 1), so resolvectl is a recorder; the DNS side
# (leased answering the domain on the bridge address) is covered by
# t_dns_*.sh.
. "$(dirname "$0")/lib.sh"
SCRIPT=$TOP/contrib/systemd-resolved/lxc-net-resolved

new_ns "${ID}-host"
ip -n "${ID}-host" link add lxcbr0 type bridge || fail "cannot create bridge"
cat > "$TMP/resolvectl" <<'REC'
#!/bin/sh
echo "$*" >> "$RECORD"
REC
chmod +x "$TMP/resolvectl"
run() {
	ip netns exec "${ID}-host" env RESOLVECTL="$TMP/resolvectl" RECORD="$TMP/calls" \
		LXC_CONF="$TMP/lxc-net" sh "$SCRIPT" "$@"
}

printf 'USE_LXC_BRIDGE="true"\nLXC_BRIDGE="lxcbr0"\nLXC_ADDR="10.0.3.1"\nLXC_DOMAIN="lxc"\n' > "$TMP/lxc-net"
run start > "$TMP/out" 2>&1 || fail "start failed: $(cat "$TMP/out")"
grep -qx 'dns lxcbr0 10.0.3.1' "$TMP/calls" || fail "no per-link DNS server: $(cat "$TMP/calls")"
grep -qx 'domain lxcbr0 ~lxc' "$TMP/calls" || fail "no routing domain: $(cat "$TMP/calls")"
ok "start sets DNS server and routing domain on the bridge"

: > "$TMP/calls"
run stop || fail "stop failed"
grep -qx 'revert lxcbr0' "$TMP/calls" || fail "stop does not revert the link"
ok "stop reverts the link"

sed -i 's/LXC_DOMAIN="lxc"/LXC_DOMAIN=""/' "$TMP/lxc-net"
: > "$TMP/calls"
run start > "$TMP/out" 2>&1 && fail "started without a domain"
grep -q 'LXC_DOMAIN is empty' "$TMP/out" || fail "no reason given: $(cat "$TMP/out")"
[ -s "$TMP/calls" ] && fail "changed resolved settings without a domain"
ok "an empty LXC_DOMAIN is refused with a reason, nothing changed"

printf 'LXC_BRIDGE="nosuchbr"\nLXC_DOMAIN="lxc"\n' > "$TMP/lxc-net"
run start > "$TMP/out" 2>&1 && fail "started without the bridge"
grep -q 'does not exist' "$TMP/out" || fail "no reason given: $(cat "$TMP/out")"
ok "a missing bridge is refused with a reason"
