#!/bin/bash
# leasectl leases and show against real DHCP clients: the table and the
# --json array list exactly the three leases udhcpc got, with the
# address, MAC, hostname and client-id the lease file holds, and the DNS
# names (NAME, NAME.lxc) the lease answers; show by name, MAC (any
# notation) and address agree; unknown leases are exit 4, bad usage exit
# 1.  With the daemon stopped: exit 2 "not running" for stats, while
# leases and show read the lease file and say so on stderr - also a lease
# file written by real dnsmasq.
. "$(dirname "$0")/lib.sh"
need_jq

setup_server
add_client a 02:00:00:00:00:0a
add_client b 02:00:00:00:00:0b
add_client c 02:00:00:00:00:0c
ARGS=(--interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h
	-s lxc -S /lxc/ --no-resolv --no-hosts --control-socket="$CTL_SOCK")
start_leased "${ARGS[@]}"

declare -A IP MAC HOST
MAC=([a]=02:00:00:00:00:0a [b]=02:00:00:00:00:0b [c]=02:00:00:00:00:0c)
HOST=([a]=alpha [b]=beta [c]=gamma)
for k in a b c; do
	IP[$k]=$(udhcpc_lease $k ${HOST[$k]})
	case "${IP[$k]}" in $NET.*) ;; *) fail "client $k got '${IP[$k]}'" ;; esac
done
for k in a b c; do
	wait_for lease_line "${IP[$k]}" >/dev/null || fail "no lease-file line for ${IP[$k]}"
done
ok "three clients: ${IP[a]} alpha, ${IP[b]} beta, ${IP[c]} gamma"

# The lease file's fields for client K: expiry, MAC, address, hostname, client-id.
lf_field() { lease_line "${IP[$1]}" | awk -v f="$2" '{ print $f }'; }

# --- leases, as a table ---
ctl_ok leases
hdr=$(head -1 <<<"$CTL_OUT")
[ "$(awk '{ print $1, $2, $3, $4, $5, $6 }' <<<"$hdr")" = "ADDRESS HWADDR HOSTNAME EXPIRES CLIENT-ID KIND" ] ||
	fail "leases: unexpected header: $hdr"
rows=$(tail -n +2 <<<"$CTL_OUT")
[ "$(grep -c . <<<"$rows")" = 3 ] || fail "leases: want 3 rows, got: $CTL_OUT"
for k in a b c; do
	row=$(awk -v a="${IP[$k]}" '$1 == a' <<<"$rows")
	[ -n "$row" ] || fail "leases: no row for ${IP[$k]}: $CTL_OUT"
	read -r r_addr r_mac r_host r_exp r_cid r_kind <<<"$row"
	[ "$r_mac" = "${MAC[$k]}" ] || fail "leases: ${IP[$k]} has MAC $r_mac, want ${MAC[$k]}: $row"
	[ "$r_mac" = "$(lf_field $k 2)" ] || fail "leases: ${IP[$k]} MAC differs from the lease file: $row / $(lease_line "${IP[$k]}")"
	[ "$r_host" = "${HOST[$k]}" ] || fail "leases: ${IP[$k]} has hostname $r_host, want ${HOST[$k]}: $row"
	[ "$r_host" = "$(lf_field $k 4)" ] || fail "leases: hostname differs from the lease file: $row / $(lease_line "${IP[$k]}")"
	lf_cid=$(lf_field $k 5)
	[ "$lf_cid" = "*" ] && lf_cid=-
	[ "$r_cid" = "$lf_cid" ] || fail "leases: ${IP[$k]} client-id $r_cid, lease file says $lf_cid"
	[ "$r_kind" = dynamic/v4 ] || fail "leases: ${IP[$k]} kind $r_kind, want dynamic/v4: $row"
	case "$r_exp" in 11h*|12h) ;; *) fail "leases: ${IP[$k]} expires in '$r_exp', want about 12h: $row" ;; esac
done
sorted=$(awk '{ print $1 }' <<<"$rows")
[ "$sorted" = "$(printf '%s\n' "${IP[@]}" | sort -t. -k4,4n)" ] || fail "leases not sorted by address: $CTL_OUT"
ok "leasectl leases: exactly the three leases, with the lease file's MAC, hostname and client-id"

# --- leases --json ---
t_before=$(date +%s)
ctl_ok leases --json
t_after=$(date +%s)
J=$CTL_OUT
jq_true "$J" 'type == "array" and length == 3' || fail "leases --json: not an array of 3: $J"
for f in address family hwaddr hostname client_id expires expires_in kind names; do
	jq_true "$J" --arg f "$f" 'all(.[]; has($f))' || fail "leases --json: a lease lacks '$f': $J"
done
for k in a b c; do
	o=$(jq -c --arg a "${IP[$k]}" '.[] | select(.address == $a)' <<<"$J")
	[ -n "$o" ] || fail "leases --json: no ${IP[$k]}: $J"
	jq_true "$o" --arg m "${MAC[$k]}" --arg h "${HOST[$k]}" \
		'.family == 4 and .hwaddr == $m and .hostname == $h and .kind == "dynamic"
		 and (.expires | type == "number") and (.expires_in | type == "number")
		 and (.names | type == "array")' ||
		fail "leases --json: wrong fields for ${IP[$k]}: $o"
	exp=$(jq .expires <<<"$o")
	left=$(jq .expires_in <<<"$o")
	[ "$exp" = "$(lf_field $k 1)" ] || fail "leases --json: expires $exp, the lease file says $(lf_field $k 1)"
	# expires_in is expires minus the daemon's clock when it answered.
	[ $((exp - left)) -ge "$t_before" ] && [ $((exp - left)) -le "$t_after" ] ||
		fail "leases --json: expires_in $left does not match expires $exp (asked between $t_before and $t_after)"
	[ "$left" -gt $((11 * 3600)) ] && [ "$left" -le $((12 * 3600)) ] || fail "leases --json: expires_in $left, want about 12 h"
	lf_cid=$(lf_field $k 5)
	if [ "$lf_cid" = "*" ]; then
		jq_true "$o" '.client_id == null' || fail "leases --json: client_id should be null: $o"
	else
		jq_true "$o" --arg c "$lf_cid" '.client_id == $c' ||
			fail "leases --json: client_id differs from the lease file ($lf_cid): $o"
	fi
	jq_true "$o" --arg h "${HOST[$k]}" '(.names | index($h)) != null and (.names | index($h + ".lxc")) != null' \
		 || fail "leases --json: names of ${IP[$k]} lack ${HOST[$k]} and ${HOST[$k]}.lxc: $o"
done
[ "$(jq -r '.[].address' <<<"$J")" = "$sorted" ] || fail "leases --json: not sorted as the table: $J"
ok "leasectl leases --json: the documented fields; names hold NAME and NAME.lxc"

# --- show by name, MAC and address ---
for k in a b c; do
	ctl_ok show "${HOST[$k]}" --json
	by_name=$(jq -S 'del(.expires_in)' <<<"$CTL_OUT")
	[ "$(jq -r .address <<<"$by_name")" = "${IP[$k]}" ] || fail "show ${HOST[$k]}: wrong lease: $CTL_OUT"
	upper_dash=$(tr 'a-f:' 'A-F-' <<<"${MAC[$k]}")
	bare=$(tr -d ':' <<<"${MAC[$k]}")
	for key in "${MAC[$k]}" "$upper_dash" "$bare" "${IP[$k]}" "$(tr 'a-z' 'A-Z' <<<"${HOST[$k]}")"; do
		ctl_ok show "$key" --json
		[ "$(jq -S 'del(.expires_in)' <<<"$CTL_OUT")" = "$by_name" ] ||
			fail "show $key differs from show ${HOST[$k]}: $CTL_OUT vs $by_name"
	done
	jq_true "$CTL_OUT" --arg o "$(jq -c --arg a "${IP[$k]}" '.[] | select(.address == $a) | del(.expires_in)' <<<"$J")" \
		'del(.expires_in) == ($o | fromjson)' ||
		fail "show ${IP[$k]} --json differs from its leases --json object: $CTL_OUT"
	ctl_ok show "${IP[$k]}"
	grep -qx "address: *${IP[$k]}" <<<"$CTL_OUT" || fail "show ${IP[$k]}: no address line: $CTL_OUT"
	grep -qx "hwaddr: *${MAC[$k]}" <<<"$CTL_OUT" || fail "show ${IP[$k]}: no hwaddr line: $CTL_OUT"
	grep -qx "hostname: *${HOST[$k]}" <<<"$CTL_OUT" || fail "show ${IP[$k]}: no hostname line: $CTL_OUT"
	grep -q "^names: .*${HOST[$k]}\.lxc" <<<"$CTL_OUT" || fail "show ${IP[$k]}: names lack ${HOST[$k]}.lxc: $CTL_OUT"
done
ok "show NAME, show MAC (aa:bb.., AA-BB-.., aabb..), show ADDR agree with each other and with leases"

ctl_run show nosuch
[ "$CTL_RC" = 4 ] || fail "show nosuch: exit $CTL_RC, want 4 (stderr: $CTL_ERR)"
grep -q 'no lease for nosuch' <<<"$CTL_ERR" || fail "show nosuch: no message naming it: $CTL_ERR"
[ -z "$CTL_OUT" ] || fail "show nosuch printed on stdout: $CTL_OUT"
ctl_run show $NET.99
[ "$CTL_RC" = 4 ] || fail "show $NET.99 (no lease): exit $CTL_RC, want 4 ($CTL_ERR)"
ctl_run show 02:00:00:00:00:99
[ "$CTL_RC" = 4 ] || fail "show 02:00:00:00:00:99 (no lease): exit $CTL_RC, want 4 ($CTL_ERR)"
ok "show of an unknown name, address or MAC: exit 4 with a message"

# Usage errors: exit 1 and a message, nothing on stdout.
usage_error() {
	ctl_run "$@"
	[ "$CTL_RC" = 1 ] || fail "leasectl $*: exit $CTL_RC, want 1 (stderr: $CTL_ERR)"
	grep -q '^leasectl: ' <<<"$CTL_ERR" || fail "leasectl $*: no message: '$CTL_ERR'"
	[ -z "$CTL_OUT" ] || fail "leasectl $*: printed on stdout: $CTL_OUT"
}
usage_error frobnicate
usage_error show
usage_error show alpha beta
usage_error leases extra
usage_error stats --flush
usage_error leases --no-such-option
usage_error explain alpha.lxc 'A;B'
usage_error show ""
ok "unknown command, missing/extra argument, unknown or misplaced option: exit 1"

# --- the daemon stopped: stats fails, leases and show read the file ---
before=$(cat "$TMP/leases")
stop_leased
[ ! -e "$CTL_SOCK" ] || fail "leased left its control socket behind after SIGTERM"
ctl_run stats
[ "$CTL_RC" = 2 ] || fail "stats with leased stopped: exit $CTL_RC, want 2 ($CTL_ERR)"
grep -q 'not running' <<<"$CTL_ERR" || fail "stats with leased stopped: message lacks 'not running': $CTL_ERR"
ctl_run leases --leasefile="$TMP/leases"
[ "$CTL_RC" = 0 ] || fail "leases offline: exit $CTL_RC ($CTL_ERR)"
grep -q "not running.*reading $TMP/leases" <<<"$CTL_ERR" || fail "leases offline does not say it reads the file: $CTL_ERR"
[ "$(tail -n +2 <<<"$CTL_OUT" | grep -c .)" = 3 ] || fail "leases offline: want 3 rows: $CTL_OUT"
for k in a b c; do
	awk -v a="${IP[$k]}" -v m="${MAC[$k]}" -v h="${HOST[$k]}" '$1 == a && $2 == m && $3 == h { f = 1 } END { exit !f }' \
		<<<"$CTL_OUT" || fail "leases offline: no row '${IP[$k]} ${MAC[$k]} ${HOST[$k]}': $CTL_OUT"
done
ctl_run leases --json --leasefile="$TMP/leases"
[ "$CTL_RC" = 0 ] || fail "leases --json offline: exit $CTL_RC ($CTL_ERR)"
jq_true "$CTL_OUT" --arg a "${IP[b]}" 'length == 3 and any(.[]; .address == $a and .hostname == "beta"
	and .hwaddr == "02:00:00:00:00:0b" and .names == ["beta"] and .family == 4)' ||
	fail "leases --json offline: want 3 leases, beta's names [\"beta\"]: $CTL_OUT"
ctl_run show beta --leasefile="$TMP/leases"
[ "$CTL_RC" = 0 ] || fail "show beta offline: exit $CTL_RC ($CTL_ERR)"
grep -qx "address: *${IP[b]}" <<<"$CTL_OUT" || fail "show beta offline: $CTL_OUT"
grep -q 'not running' <<<"$CTL_ERR" || fail "show offline does not say the daemon is not running: $CTL_ERR"
ctl_run show nosuch --leasefile="$TMP/leases"
[ "$CTL_RC" = 4 ] || fail "show nosuch offline: exit $CTL_RC, want 4 ($CTL_ERR)"
ctl_run leases --leasefile="$TMP/no-such-file"
[ "$CTL_RC" = 2 ] || fail "leases offline with no lease file: exit $CTL_RC, want 2 ($CTL_ERR)"
[ "$(cat "$TMP/leases")" = "$before" ] || fail "reading the lease file offline changed it"
ok "leased stopped: stats exit 2 'not running'; leases/show read the lease file and say so"

# A socket left by a daemon killed with -9 also means "not running".
start_leased "${ARGS[@]}"
ctl_ok stats
stop_leased_hard
[ -S "$CTL_SOCK" ] || fail "no stale socket after kill -9 (expected one left behind)"
ctl_run stats
[ "$CTL_RC" = 2 ] || fail "stats with a stale socket: exit $CTL_RC, want 2 ($CTL_ERR)"
grep -q 'not running' <<<"$CTL_ERR" || fail "stats with a stale socket: $CTL_ERR"
ctl_run leases --leasefile="$TMP/leases"
[ "$CTL_RC" = 0 ] && [ "$(tail -n +2 <<<"$CTL_OUT" | grep -c .)" = 3 ] ||
	fail "leases offline with a stale socket: exit $CTL_RC: $CTL_OUT $CTL_ERR"
ok "after kill -9 (stale socket): stats exit 2, leases reads the file"

# --- a lease file written by real dnsmasq ---
add_client d 02:00:00:00:00:0d
DM_LEASES=$TMP/dnsmasq.leases
ip netns exec "$SRV" /usr/sbin/dnsmasq -k --conf-file=/dev/null -u root --port=0 \
	--interface=$BR --bind-interfaces --except-interface=lo --dhcp-range=$NET.60,$NET.70,1h \
	--dhcp-leasefile="$DM_LEASES" --pid-file="$TMP/dnsmasq.pid" --log-facility="$TMP/dnsmasq.log" &
DNSMASQ_PID=$!
PIDS="$PIDS $DNSMASQ_PID"
wait_for test -s "$TMP/dnsmasq.pid" || fail "dnsmasq did not start"
ip_d=$(udhcpc_lease d delta)
case "$ip_d" in $NET.6*|$NET.70) ;; *) fail "dnsmasq gave client d '$ip_d'" ;; esac
wait_for grep -q " $ip_d delta " "$DM_LEASES" || fail "dnsmasq wrote no lease for delta: $(cat "$DM_LEASES")"
kill -TERM "$DNSMASQ_PID"
wait "$DNSMASQ_PID" 2>/dev/null
dm_line=$(grep " $ip_d " "$DM_LEASES")
ctl_run leases --leasefile="$DM_LEASES"
[ "$CTL_RC" = 0 ] || fail "leases --leasefile=(dnsmasq's): exit $CTL_RC ($CTL_ERR)"
grep -q "reading $DM_LEASES" <<<"$CTL_ERR" || fail "leases offline on dnsmasq's file does not say so: $CTL_ERR"
[ "$(tail -n +2 <<<"$CTL_OUT" | grep -c .)" = 1 ] || fail "dnsmasq's file: want 1 row: $CTL_OUT"
read -r r_addr r_mac r_host r_exp r_cid r_kind <<<"$(tail -n +2 <<<"$CTL_OUT")"
[ "$r_addr $r_mac $r_host" = "$ip_d 02:00:00:00:00:0d delta" ] || fail "dnsmasq's lease shown as: $CTL_OUT (file: $dm_line)"
case "$r_exp" in 59m*|1h) ;; *) fail "dnsmasq's 1h lease shown expiring in '$r_exp': $CTL_OUT" ;; esac
ctl_run leases --json --leasefile="$DM_LEASES"
[ "$CTL_RC" = 0 ] || fail "leases --json on dnsmasq's file: exit $CTL_RC ($CTL_ERR)"
jq_true "$CTL_OUT" --arg a "$ip_d" --arg e "$(awk '{ print $1 }' <<<"$dm_line")" --arg c "$(awk '{ print $5 }' <<<"$dm_line")" \
	'length == 1 and .[0].address == $a and .[0].hwaddr == "02:00:00:00:00:0d" and .[0].hostname == "delta"
	 and (.[0].expires | tostring) == $e and (if $c == "*" then .[0].client_id == null else .[0].client_id == $c end)' \
	 || fail "leases --json on dnsmasq's file: $CTL_OUT (file: $dm_line)"
ok "leases --leasefile on real dnsmasq's lease file: $ip_d delta, as dnsmasq wrote it"
