#!/bin/bash
# A damaged lease file (a bad line, a 1-byte client-id, and a last line cut
# short by a kill -9 in the middle of dnsmasq's rewrite): leased starts
# with the good leases, names the bad lines in its log, and keeps them in
# LEASEFILE.rejected with the time and the reason, so the rewrite that
# follows does not lose them for good.
. "$(dirname "$0")/lib.sh"
need_jq

setup_server
exp=$(( $(date +%s) + 3600 ))
printf '%s\n' \
	"$exp 02:00:00:00:00:01 $NET.11 good1 01:02:00:00:00:00:01" \
	"$exp zz:00:00:00:00:02 $NET.12 badmac *" \
	"$exp 02:00:00:00:00:03 $NET.13 shortid 01" \
	"$exp 02:00:00:00:00:04 $NET.14 good2 *" >"$TMP/leases"
printf '%s' "$exp 02:00:00:00:00:05 $NET.15 cut 01:02:00:00:0" >>"$TMP/leases"
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	--no-resolv --no-hosts --control-socket="$CTL_SOCK"

ctl_ok leases --json
got=$(jq -r '[.[].address] | sort | join(" ")' <<<"$CTL_OUT")
[ "$got" = "$NET.11 $NET.14" ] || fail "leases after loading a damaged file: $got"
ok "the good leases are held: $got"

rej=$TMP/leases.rejected
[ -f "$rej" ] || fail "no $rej"
for want in "leases:2: bad hardware address" "leases:3: client-id shorter than 2 bytes" \
	"leases:5: unterminated last line"; do
	grep -q "^# .*$want" "$rej" || fail "$rej has no '$want': $(cat "$rej")"
	grep -q "$want" "$TMP/leased.log" || fail "the log does not say '$want'"
done
grep -qx "$exp zz:00:00:00:00:02 $NET.12 badmac \*" "$rej" || fail "bad line not kept verbatim: $(cat "$rej")"
grep -qx "$exp 02:00:00:00:00:03 $NET.13 shortid 01" "$rej" || fail "1-byte client-id line not kept"
grep -qx "$exp 02:00:00:00:00:05 $NET.15 cut 01:02:00:00:0" "$rej" || fail "cut line not kept"
ok "the three bad lines are in $(basename "$rej") with time and reason, and named in the log"

# The rewrite dropped them from the lease file; a restart adds nothing more.
wait_for sh -c "! grep -q 'badmac\|shortid\|cut' '$TMP/leases'" || fail "bad lines still in the lease file"
n=$(grep -c '^#' "$rej")
stop_leased
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	--no-resolv --no-hosts --control-socket="$CTL_SOCK"
[ "$(grep -c '^#' "$rej")" = "$n" ] || fail "a clean restart appended to $rej"
ok "lease file rewritten without them; a clean restart rejects nothing"
