#!/bin/bash
# Upstream failures as real glibc and musl stub resolvers (gai.c) see
# them through leased (resolv.conf: leased only, timeout:5 attempts:1).
#  1. The preferred server misses one query, then recovers
#     (--strict-order up1 up2; up1 knows the name, up2 says NXDOMAIN):
#     the first lookup may fail, but a lookup a second later resolves to
#     up1's address: up2's NXDOMAIN, the fallback's, was not cached and
#     up1 was not put aside for one miss.
#  2. The only server never answers AAAA for one name: a lookup of that
#     name ends before the stub's own 5 s timeout (dig: SERVFAIL within
#     3 s), and right after it other names resolve at once: one name's
#     silence does not take the server down for every name.
#  3. Every server silent: SERVFAIL within 3 s; after more than 3 s of
#     silence each new name is still sent upstream before its SERVFAIL;
#     once a server answers again the next lookup resolves.
# SCENARIOS="2" runs only those (when looking into a failure).
. "$(dirname "$0")/lib.sh"
need_dns_tools
need_stub_clients

setup_server
add_upstream_ns $NET.2 $NET.3
add_client q
ip -n "$(client_ns q)" addr add $NET.71/$PREFIX dev eth0 || fail "cannot address q"
stub_resolv q
FAIL_LOGS="$TMP/leased.log $TMP/up1.log $TMP/up2.log"
start_upstream up1 $NET.2
start_upstream up2 $NET.3

# lxc-net's line without LXC_DOMAIN.
BASE=(--interface=$BR --bind-interfaces --listen-address=$SRV_ADDR
	--dhcp-range=$NET.10,$NET.50,12h --no-resolv --no-hosts --log-queries)

# timed_dig NAME TYPE: dig from q (one try, 5 s: a stub's timeout);
# output in $o, milliseconds in $ms.
timed_dig() {
	local t0
	t0=$(date +%s%N)
	o=$(dig_in q +time=5 "$1" "$2")
	ms=$((($(date +%s%N) - t0) / 1000000))
}

# stub_limit LIBC: the milliseconds within which a lookup that leased
# answers with SERVFAIL (within 2.5 s) ends.  glibc takes the SERVFAIL
# (keeping an A answered beside it): well before its own 5 s timeout, which
# is where it would end if leased said nothing.  musl sends a query again
# when it gets SERVFAIL, so the lookup ends at musl's 5 s timeout anyway.
stub_limit() { case $1 in glibc) echo 4500 ;; *) echo 5500 ;; esac; }

# asked NAME: how often up1 and up2 together were asked for NAME.
asked() { echo $(($(up_count up1 "$1") + $(up_count up2 "$1"))); }

scenario_1() {
	local libc n addr first
	# up2's NXDOMAIN carries an SOA of TTL 300: cached, it would hide
	# the name for a minute (--max-neg-ttl).
	up_rules up1 <<'EOF'
rule svc-glibc.example.test A 192.0.2.80
rule svc-musl.example.test A 192.0.2.81
rule svc-dig.example.test A 192.0.2.82
miss 1 *.example.test A
EOF
	up_rules up2 <<'EOF'
default nxdomain
EOF
	start_leased "${BASE[@]}" --strict-order --server=$NET.2 --server=$NET.3
	for libc in $STUB_LIBCS; do
		n=svc-$libc.example.test
		addr=$(sed -n "s/^rule $n A //p" "$TMP/up1.rules")
		gai $libc q $n
		first=$GAI
		sleep 1.2
		gai $libc q $n
		expect_gai $n "$addr" 1500
		[ "$(up_count up1 $n A)" -ge 2 ] || fail "$n: up1 was not asked for A twice: $(cat "$TMP/up1.counts")"
		ok "$libc: up1 missed the first A query for $n (first lookup: $first), the next lookup resolves to $addr"
	done
	timed_dig svc-dig.example.test A
	first="$(dig_status "$o") $(dig_rdata "$o" A) after $ms ms"
	sleep 1.2
	timed_dig svc-dig.example.test A
	[ "$(dig_status "$o")" = NOERROR ] && [ "$(dig_rdata "$o" A)" = 192.0.2.82 ] ||
		fail "svc-dig.example.test after up1 recovered: want NOERROR 192.0.2.82, got (after $ms ms): $o"
	ok "dig: up1 missed svc-dig.example.test (first: $first), a second later NOERROR 192.0.2.82"
	stop_leased
}

scenario_2() {
	local libc o ms
	up_rules up1 <<'EOF'
rule broken-glibc.example.test A 192.0.2.90
rule broken-musl.example.test A 192.0.2.90
rule broken-dig.example.test A 192.0.2.90
drop-type broken-glibc.example.test AAAA
drop-type broken-musl.example.test AAAA
drop-type broken-dig.example.test AAAA
rule ok1-glibc.example.test A 192.0.2.91
rule ok2-glibc.example.test A 192.0.2.92
rule ok2-glibc.example.test AAAA 2001:db8::92
rule ok1-musl.example.test A 192.0.2.91
rule ok2-musl.example.test A 192.0.2.92
rule ok2-musl.example.test AAAA 2001:db8::92
rule ok1-dig.example.test A 192.0.2.93
rule ok2-dig.example.test AAAA 2001:db8::93
EOF
	start_leased "${BASE[@]}" --server=$NET.2
	for libc in $STUB_LIBCS; do
		# Its A was answered: glibc keeps it whatever the AAAA's fate;
		# musl fails the lookup (EAI_AGAIN) unless the AAAA got an answer.
		gai $libc q broken-$libc.example.test
		case "$libc $(gai_addrs broken-$libc.example.test)" in
		"glibc 192.0.2.90" | "musl 192.0.2.90" | "musl FAIL -3") ;;
		*) fail "$libc: broken-$libc.example.test: want its A alone (glibc; musl: that or EAI_AGAIN, -3), got: $GAI" ;;
		esac
		expect_gai broken-$libc.example.test "$(gai_addrs broken-$libc.example.test)" "$(stub_limit $libc)"
		ok "$libc: broken-$libc.example.test (AAAA never answered upstream): $GAI"
		gai $libc q ok1-$libc.example.test ok2-$libc.example.test
		expect_gai ok1-$libc.example.test 192.0.2.91 1500
		expect_gai ok2-$libc.example.test "192.0.2.92 2001:db8::92" 1500
		ok "$libc: right after, other names resolve at once: $(tr '\n' ' ' <<<"$GAI")"
	done
	timed_dig broken-dig.example.test AAAA
	[ "$(dig_status "$o")" = SERVFAIL ] && [ "$ms" -lt 3000 ] ||
		fail "AAAA broken-dig.example.test: want SERVFAIL within 3000 ms, got (after $ms ms): $o"
	ok "dig: AAAA broken-dig.example.test SERVFAIL after $ms ms"
	timed_dig ok1-dig.example.test A
	[ "$(dig_status "$o")" = NOERROR ] && [ "$(dig_rdata "$o" A)" = 192.0.2.93 ] && [ "$ms" -lt 1500 ] ||
		fail "A ok1-dig.example.test right after: want NOERROR 192.0.2.93 within 1500 ms, got (after $ms ms): $o"
	timed_dig ok2-dig.example.test AAAA
	[ "$(dig_status "$o")" = NOERROR ] && [ "$(dig_rdata "$o" AAAA)" = 2001:db8::93 ] && [ "$ms" -lt 1500 ] ||
		fail "AAAA ok2-dig.example.test right after: want NOERROR 2001:db8::93 within 1500 ms, got (after $ms ms): $o"
	ok "dig: right after, ok1-dig.example.test A and ok2-dig.example.test AAAA NOERROR at once"
	stop_leased
}

scenario_3() {
	local i n t0 libc
	for u in up1 up2; do
		echo silent | up_rules $u
	done
	start_leased "${BASE[@]}" --server=$NET.2 --server=$NET.3
	t0=$(date +%s)
	i=0
	# At least 4 names, until the servers have been silent for 6 s: past
	# leased's first retry times for a server that stopped answering.
	while [ $(($(date +%s) - t0)) -lt 6 ] || [ "$i" -lt 4 ]; do
		i=$((i + 1))
		n=dead$i.example.test
		timed_dig $n A
		[ "$(dig_status "$o")" = SERVFAIL ] && [ "$ms" -lt 3000 ] ||
			fail "$n with every server silent: want SERVFAIL within 3000 ms, got (after $ms ms): $o"
		[ "$(asked $n)" -ge 1 ] ||
			fail "$n: SERVFAIL after $ms ms without asking a server (after $(($(date +%s) - t0)) s of silence)"
		ok "$n (silent for $(($(date +%s) - t0)) s): asked upstream $(asked $n) times, SERVFAIL after $ms ms"
	done
	for libc in $STUB_LIBCS; do
		n=dead-$libc.example.test
		gai $libc q $n
		expect_gai $n "FAIL -3" "$(stub_limit $libc)"
		[ "$(asked $n)" -ge 1 ] || fail "$libc: $n failed without asking a server: $GAI"
		ok "$libc: $n: EAI_AGAIN (not 'no such name'), after asking upstream: $GAI"
	done
	up_rules up1 <<'EOF'
rule back.example.test A 192.0.2.99
rule back-glibc.example.test A 192.0.2.99
rule back-musl.example.test A 192.0.2.99
EOF
	timed_dig back.example.test A
	[ "$(dig_status "$o")" = NOERROR ] && [ "$(dig_rdata "$o" A)" = 192.0.2.99 ] ||
		fail "back.example.test once up1 answers again: want NOERROR 192.0.2.99, got (after $ms ms): $o"
	ok "up1 answers again: back.example.test NOERROR after $ms ms"
	for libc in $STUB_LIBCS; do
		gai $libc q back-$libc.example.test
		expect_gai back-$libc.example.test 192.0.2.99 4500
	done
	ok "up1 answers again: glibc and musl resolve (before the stub timeout)"
	stop_leased
}

for s in ${SCENARIOS:-1 2 3}; do
	scenario_$s
done
