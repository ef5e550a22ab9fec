#!/bin/bash
# Single-label names (docker-style container names) through real glibc
# and musl stub resolvers (gai.c), with leased started as lxc-net starts
# dnsmasq when no domain is configured (no -s, no -S /domain/).
#
# up1, like docker's embedded DNS, knows the single labels web and db and
# answers 50 ms late; up2 and up3 are fast public servers saying NXDOMAIN
# for them.
#  1. default order: web and db resolve with both clients, several times
#     in a row: single labels go to every server at once, an answer (also
#     NODATA) beats NXDOMAIN, and the fast NXDOMAINs are not cached;
#     a label nobody knows is NXDOMAIN once all said so;
#  2. --strict-order, up1 first: they resolve, and up1's answer ends the
#     walk (up2 and up3 are never asked);
#  3. --server=//UP1 --server=UP2: single labels go to up1 only, dotted
#     names to up2 only;
#  4. -s lxc -S /lxc/, and --domain-needed: a single label leased does not
#     know is NXDOMAIN from leased itself and never forwarded.
# SCENARIOS="1 3" runs only those (when looking into a failure).
. "$(dirname "$0")/lib.sh"
need_dns_tools
need_stub_clients

setup_server
add_upstream_ns $NET.2 $NET.3 $NET.4
add_client q
ip -n "$(client_ns q)" addr add $NET.71/$PREFIX dev eth0 || fail "cannot address q"
stub_resolv q
FAIL_LOGS="$TMP/leased.log $TMP/up1.log $TMP/up2.log $TMP/up3.log"

up_rules up1 <<'EOF'
delay 0.05
rule web A 172.18.0.5
rule db A 172.18.0.6
rule db AAAA fd00::5
EOF
for u in up2 up3; do
	up_rules $u <<'EOF'
rule pub.example.test A 192.0.2.10
EOF
done
start_upstream up1 $NET.2
start_upstream up2 $NET.3
start_upstream up3 $NET.4

# lxc-net's line without LXC_DOMAIN (and with the servers it would read
# from resolv.conf given as --server).
BASE=(--interface=$BR --bind-interfaces --listen-address=$SRV_ADDR
	--dhcp-range=$NET.10,$NET.50,12h --no-resolv --no-hosts --log-queries)
ALL3=(--server=$NET.2 --server=$NET.3 --server=$NET.4)

# counts NAME: "up1 up2 up3" query counts for NAME (every type).
counts() { echo "$(up_count up1 "$1") $(up_count up2 "$1") $(up_count up3 "$1")"; }

# timed_dig NAME TYPE: dig from q (one try, 5 s); output in $o, ms in $ms.
timed_dig() {
	local t0
	t0=$(date +%s%N)
	o=$(dig_in q +time=5 "$1" "$2")
	ms=$((($(date +%s%N) - t0) / 1000000))
}

# resolve_labels ROUNDS: web and db with both clients, ROUNDS times each.
resolve_labels() {
	local libc i
	for i in $(seq "$1"); do
		for libc in $STUB_LIBCS; do
			gai $libc q web db
			expect_gai web "172.18.0.5" 1500
			expect_gai db "172.18.0.6 fd00::5" 1500
		done
	done
}

# dig_expect NAME TYPE STATUS RDATA: leased's answer (within 1.5 s).
dig_expect() {
	timed_dig "$1" "$2"
	[ "$(dig_status "$o")" = "$3" ] && [ "$(dig_rdata "$o" "$2")" = "$4" ] ||
		fail "$2 $1: want $3 '$4', got (after $ms ms): $o"
	[ "$ms" -lt 1500 ] || fail "$2 $1: answered after $ms ms, want < 1500: $o"
}

scenario_1() {
	start_leased "${BASE[@]}" "${ALL3[@]}"
	resolve_labels 3
	read -r c1 c2 c3 <<<"$(counts web)"
	[ "$c1" -ge 1 ] && [ "$c2" -ge 1 ] && [ "$c3" -ge 1 ] ||
		fail "web was not sent to every server (up1 up2 up3: $c1 $c2 $c3)"
	ok "default order: web and db resolve 3 times with glibc and musl; web went to all 3 servers"
	# NODATA from up1 (web has no AAAA there) beats the fast NXDOMAINs:
	# musl fails the whole lookup on one NXDOMAIN.
	dig_expect web AAAA NOERROR ""
	dig_expect db AAAA NOERROR fd00::5
	dig_expect web A NOERROR 172.18.0.5
	# Nobody knows it: NXDOMAIN, after all three said so.
	dig_expect nolabel A NXDOMAIN ""
	read -r c1 c2 c3 <<<"$(counts nolabel)"
	[ "$c1" -ge 1 ] && [ "$c2" -ge 1 ] && [ "$c3" -ge 1 ] ||
		fail "nolabel: NXDOMAIN before every server was asked (up1 up2 up3: $c1 $c2 $c3)"
	ok "default order: web AAAA is NODATA (up1's, not up2's NXDOMAIN); a label nobody knows is NXDOMAIN"
	# leasectl explain says how an unknown single label would be asked.
	ctl_ok explain unknownlabel --json
	jq_true "$CTL_OUT" '.decision == "forward" and (.servers | length) == 3 and
		(.asked | startswith("all at once")) and (.detail | contains("single labels are forwarded"))' ||
		fail "explain unknownlabel: $CTL_OUT"
	ctl_ok explain www.example.test --json
	jq_true "$CTL_OUT" '.decision == "forward" and (.asked | startswith("in turn"))' ||
		fail "explain www.example.test: $CTL_OUT"
	ok "leasectl explain: a single label is asked of all 3 servers at once, a dotted name in turn"
	stop_leased
}

scenario_2() {
	local before
	start_leased "${BASE[@]}" --strict-order "${ALL3[@]}"
	before=$(counts web)
	resolve_labels 2
	read -r c1 c2 c3 <<<"$(counts web)"
	read -r b1 b2 b3 <<<"$before"
	[ "$c1" -gt "$b1" ] && [ "$c2" = "$b2" ] && [ "$c3" = "$b3" ] ||
		fail "--strict-order: web should go to up1 only (up1 up2 up3 before: $before, after: $c1 $c2 $c3)"
	# NXDOMAIN from the first server is its answer too: the walk ends.
	dig_expect nolabel2 A NXDOMAIN ""
	read -r c1 c2 c3 <<<"$(counts nolabel2)"
	[ "$c1" -ge 1 ] && [ "$c2" = 0 ] && [ "$c3" = 0 ] ||
		fail "nolabel2: want up1 asked, nobody else (up1 up2 up3: $c1 $c2 $c3)"
	ok "--strict-order: web and db resolve with glibc and musl; up1's answers end the walk"
	stop_leased
}

scenario_3() {
	local before
	start_leased "${BASE[@]}" --server=//$NET.2 --server=$NET.3
	before=$(counts web)
	resolve_labels 2
	read -r c1 c2 c3 <<<"$(counts web)"
	read -r b1 b2 b3 <<<"$before"
	[ "$c1" -gt "$b1" ] && [ "$c2" = "$b2" ] && [ "$c3" = "$b3" ] ||
		fail "--server=//up1: web should go to up1 only (up1 up2 up3 before: $before, after: $c1 $c2 $c3)"
	for libc in $STUB_LIBCS; do
		gai $libc q pub.example.test
		expect_gai pub.example.test 192.0.2.10 1500
	done
	read -r c1 c2 c3 <<<"$(counts pub.example.test)"
	[ "$c1" = 0 ] && [ "$c2" -ge 1 ] && [ "$c3" = 0 ] ||
		fail "pub.example.test should go to up2 only (up1 up2 up3: $c1 $c2 $c3)"
	ok "--server=//up1 --server=up2: single labels asked of up1 only, dotted names of up2 only"
	stop_leased
}

# not_forwarded WHAT: web and db are NXDOMAIN from leased, never forwarded.
not_forwarded() {
	local before libc n
	before="$(counts web) $(counts db)"
	for libc in $STUB_LIBCS; do
		gai $libc q web db
		expect_gai web "FAIL -2" 1500
		expect_gai db "FAIL -2" 1500
	done
	for n in web db; do
		timed_dig $n A
		[ "$(dig_status "$o")" = NXDOMAIN ] && dig_has_flag "$o" aa ||
			fail "$1: A $n: want NXDOMAIN from leased (aa), got: $o"
	done
	[ "$(counts web) $(counts db)" = "$before" ] ||
		fail "$1: web or db was forwarded (up1 up2 up3 web, then db: before $before, after $(counts web) $(counts db))"
	ok "$1: single labels NXDOMAIN from leased (glibc, musl, dig), never forwarded"
}

scenario_4() {
	start_leased "${BASE[@]}" -s lxc -S /lxc/ "${ALL3[@]}"
	not_forwarded "-s lxc -S /lxc/"
	stop_leased
	start_leased "${BASE[@]}" --domain-needed "${ALL3[@]}"
	not_forwarded "--domain-needed"
	stop_leased
}

for s in ${SCENARIOS:-1 2 3 4}; do
	scenario_$s
done
