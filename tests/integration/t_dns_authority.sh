#!/bin/bash
# leased is authoritative for its zones: the local domain (-s lxc) and the
# DHCP range's reverse zone (3.77.10.in-addr.arpa) answer SOA and NS with
# AA at their top, and the SOA's serial moves when a lease is granted,
# the same serial in every NODATA and NXDOMAIN below; `leasectl explain
# lxc SOA` says where the SOA comes from.  Opcodes other than QUERY get
# NOTIMP without RA, AD or CD; EDNS version 1 gets BADVERS; queries with
# a DNS cookie, and a cookie-only query, are answered cleanly.
# --edns-packet-max=1232 caps a UDP reply to a client offering 4096 (TC,
# whole records) and is the size replies advertise; with 4096 the same
# answer comes whole.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
add_client q 02:00:00:00:00:71
add_client c 02:00:00:00:00:0c
FAIL_LOGS="$TMP/leased.log"
REV=3.77.10.in-addr.arpa
[ "$NET" = 10.77.3 ] || fail "this test knows the reverse zone of 10.77.3.0/24 only, not $NET"

# big.lxc: 12 TXT records of 200 bytes, about 2.5 KB in all.
pad=$(printf '%0198d' 0)
for i in $(seq 10 21); do echo "txt-record=big.lxc,$i$pad"; done >"$TMP/big.conf"
ARGS=(--interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h
	-s lxc -S /lxc/ --no-resolv --no-hosts --log-queries --conf-file="$TMP/big.conf"
	--control-socket="$CTL_SOCK")
start_leased "${ARGS[@]}" --edns-packet-max=1232
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac

# soa_field OUT N [SECTION]: field N of the SOA's data (1 MNAME, 3 SERIAL, 7 MINIMUM).
soa_field() { dig_rdata "$1" SOA "${3:-ANSWER}" | awk -v n="$2" '{ print $n }'; }

# expect_apex ZONE: SOA and NS at ZONE with AA; prints the serial.
expect_apex() {
	local o serial
	o=$(dig_in q "$1" SOA)
	[ "$(dig_status "$o")" = NOERROR ] || fail "$1 SOA: want NOERROR, got: $o"
	dig_has_flag "$o" aa || fail "$1 SOA: no AA: $o"
	[ "$(dig_count "$o" ANSWER)" = 1 ] || fail "$1 SOA: want one answer: $o"
	[ "$(soa_field "$o" 1)" = "$1." ] || fail "$1 SOA: MNAME is not $1.: $o"
	[ "$(soa_field "$o" 2)" = nobody.invalid. ] || fail "$1 SOA: RNAME is not nobody.invalid.: $o"
	[ "$(soa_field "$o" 7)" = 0 ] || fail "$1 SOA: MINIMUM is not --local-ttl's 0: $o"
	serial=$(soa_field "$o" 3)
	o=$(dig_in q "$1" NS)
	[ "$(dig_status "$o")" = NOERROR ] && dig_has_flag "$o" aa || fail "$1 NS: want NOERROR with AA: $o"
	[ "$(dig_rdata "$o" NS)" = "$1." ] || fail "$1 NS: want one NS $1., got: $o"
	echo "$serial"
}

# expect_negative STATUS ZONE SERIAL DIG-ARGS...: a negative answer with AA
# and ZONE's SOA of that serial in authority.
expect_negative() {
	local want=$1 zone=$2 serial=$3 o
	shift 3
	o=$(dig_in q "$@")
	[ "$(dig_status "$o")" = "$want" ] || fail "dig $*: want $want, got: $o"
	dig_has_flag "$o" aa || fail "dig $*: no AA: $o"
	[ "$(dig_count "$o" ANSWER)" = 0 ] || fail "dig $*: has answers: $o"
	[ "$(dig_section "$o" AUTHORITY | awk '$4 == "SOA" { print $1 }')" = "$zone." ] ||
		fail "dig $*: no SOA of $zone in authority: $o"
	[ "$(soa_field "$o" 3 AUTHORITY)" = "$serial" ] ||
		fail "dig $*: SOA serial $(soa_field "$o" 3 AUTHORITY), the apex says $serial: $o"
}

# --- the zones' tops ---
s1=$(expect_apex lxc) || exit 1
[ -n "$s1" ] || fail "lxc SOA: no serial"
r1=$(expect_apex $REV) || exit 1
[ "$r1" = "$s1" ] || fail "$REV SOA serial $r1, lxc's $s1"
expect_negative NOERROR lxc "$s1" lxc A
expect_negative NXDOMAIN lxc "$s1" nobody.lxc A
expect_negative NXDOMAIN $REV "$s1" -x $NET.45
[ "$(dig_rdata "$(dig_in q -x "$ip_q")" PTR)" = querier.lxc. ] || fail "PTR $ip_q: $(dig_in q -x "$ip_q")"
ok "lxc and $REV: SOA (serial $s1) and NS with AA; NODATA and NXDOMAIN carry the same SOA"

ctl_ok explain lxc SOA
grep -q 'SOA of local domain lxc (-S/--local /lxc/ at command line), made up here' <<<"$CTL_OUT" || fail "explain lxc SOA: $CTL_OUT"
ctl_ok explain $REV NS
grep -q "NS of reverse zone $REV (--dhcp-range at command line)" <<<"$CTL_OUT" ||
	fail "explain $REV NS: $CTL_OUT"
ok "leasectl explain names where the SOA and NS come from"

# --- a lease moves the serial ---
ip_c=$(udhcpc_lease c c1)
case "$ip_c" in $NET.*) ;; *) fail "client c got '$ip_c'" ;; esac
s2=$(expect_apex lxc) || exit 1
[ "$s2" != "$s1" ] || fail "lxc SOA serial still $s1 after c1's lease"
[ "$(expect_apex $REV)" = "$s2" ] || fail "$REV serial differs from lxc's $s2"
expect_negative NOERROR lxc "$s2" c1.lxc AAAA
expect_negative NOERROR $REV "$s2" -x "$ip_c" TXT
ok "after c1's lease the serial is $s2 (was $s1), in the negatives too"

# --- opcodes, EDNS versions, cookies ---
for op in 1 2 4 5; do
	o=$(dig_in q +opcode=$op +adflag +cdflag lxc SOA)
	[ "$(dig_status "$o")" = NOTIMP ] || fail "opcode $op: want NOTIMP, got: $o"
	flags=$(dig_flags "$o" | xargs)
	[ "$flags" = "qr rd" ] || fail "opcode $op: flags '$flags', want 'qr rd' (no aa, ra, ad, cd): $o"
	o=$(dig_in q +opcode=$op +norecurse lxc SOA)
	flags=$(dig_flags "$o" | xargs)
	[ "$flags" = qr ] || fail "opcode $op without RD: flags '$flags', want 'qr': $o"
done
ok "opcodes 1, 2, 4 and 5: NOTIMP with QR and RD as sent, no RA, AD or CD"

o=$(dig_in q +edns=1 +noednsnegotiation lxc SOA)
[ "$(dig_status "$o")" = BADVERS ] || fail "EDNS version 1: want BADVERS, got: $o"
ok "EDNS version 1: BADVERS"

o=$(dig_in q +cookie lxc SOA)
[ "$(dig_status "$o")" = NOERROR ] && [ "$(soa_field "$o" 3)" = "$s2" ] ||
	fail "a query with a client cookie: want the SOA, got: $o"
o=$(dig_in q +cookie=0123456789abcdef0011223344556677 c1.lxc A)
[ "$(dig_rdata "$o" A)" = "$ip_c" ] || fail "a query with client and server cookie: got: $o"
o=$(dig_in q +cookie +header-only)
[ "$(dig_status "$o")" = NOERROR ] || fail "a cookie-only query: want NOERROR, got: $o"
[ "$(dig_count "$o" QUERY)" = 0 ] && [ "$(dig_count "$o" ANSWER)" = 0 ] ||
	fail "a cookie-only query: want no question and no answer: $o"
ok "queries with a cookie are answered, a cookie-only query gets NOERROR with nothing in it"

# --- --edns-packet-max ---
o=$(dig_in q +bufsize=4096 +ignore big.lxc TXT)
dig_has_flag "$o" tc || fail "--edns-packet-max=1232, client 4096: 2.5 KB answer without TC: $o"
size=$(dig_size "$o")
[ -n "$size" ] && [ "$size" -le 1232 ] || fail "--edns-packet-max=1232: reply of '$size' bytes"
n=$(dig_count "$o" ANSWER)
[ "${n:-0}" -gt 0 ] && [ "$(dig_rdata "$o" TXT | wc -l)" = "$n" ] ||
	fail "--edns-packet-max=1232: header says '$n' answers, dig shows $(dig_rdata "$o" TXT | wc -l)"
grep -q 'udp: 1232$' <<<"$o" || fail "--edns-packet-max=1232: the reply does not advertise 1232: $o"
o=$(dig_in q +bufsize=4096 big.lxc TXT)
[ "$(dig_count "$o" ANSWER)" = 12 ] || fail "big.lxc over TCP after TC: want 12 TXT: $o"
ok "--edns-packet-max=1232: $n whole records in $size bytes with TC for a client offering 4096"

stop_leased
start_leased "${ARGS[@]}" --edns-packet-max=4096
o=$(dig_in q +bufsize=4096 +ignore big.lxc TXT)
! dig_has_flag "$o" tc && [ "$(dig_count "$o" ANSWER)" = 12 ] ||
	fail "--edns-packet-max=4096: want all 12 TXT without TC: $o"
grep -q '(UDP)' <<<"$o" || fail "--edns-packet-max=4096: the answer did not come over UDP: $o"
grep -q 'udp: 4096$' <<<"$o" || fail "--edns-packet-max=4096: the reply does not advertise 4096: $o"
ok "--edns-packet-max=4096: all 12 records ($(dig_size "$o") bytes) over UDP, 4096 advertised"
