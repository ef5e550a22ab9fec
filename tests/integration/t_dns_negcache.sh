#!/bin/bash
# Negative caching against a flaky upstream: SERVFAIL is never cached
# (once the upstream answers properly the next query gets the answer);
# NXDOMAIN and NODATA whose SOA says 3600 s are cached no longer than
# --max-neg-ttl (2 s); with --no-negcache every negative query goes
# upstream.  Positive answers stay cached throughout.
. "$(dirname "$0")/lib.sh"
need_dns_tools

setup_server
add_upstream_ns $NET.2
add_client q 02:00:00:00:00:71
up_rules up1 <<EOR
soa-ttl 3600
soa-min 3600
servfail flaky.test
nxdomain nx.test
nodata nd.test
rule pos.test 3600 A 192.0.2.30
EOR
start_upstream up1 $NET.2
FAIL_LOGS="$TMP/leased.log $TMP/up1.log"
ARGS=(--interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h
	-s lxc -S /lxc/ --no-resolv --no-hosts --server=$NET.2 --log-queries)
start_leased "${ARGS[@]}" --max-neg-ttl=2
ip_q=$(udhcpc_lease q querier)
case "$ip_q" in $NET.*) ;; *) fail "querier got '$ip_q'" ;; esac

counts() { cat "$TMP/up1.counts"; }
# ask NAME TYPE STATUS: one query, which must get STATUS; dig's output in $o.
ask() {
	o=$(dig_in q "$1" "$2")
	[ "$(dig_status "$o")" = "$3" ] || fail "$2 $1: want $3, got: $o"
}
# asked NAME TYPE N WHY: the upstream has been asked N times.
asked() {
	[ "$(up_count up1 "$1" "$2")" = "$3" ] ||
		fail "$2 $1: upstream asked $(up_count up1 "$1" "$2") times, want $3 ($4): $(counts)"
}

# SERVFAIL is not cached.
ask flaky.test A SERVFAIL
before=$(up_count up1 flaky.test A)
[ "$before" -ge 1 ] || fail "flaky.test never reached the upstream: $(counts)"
up_rules up1 <<EOR
soa-ttl 3600
soa-min 3600
rule flaky.test A 192.0.2.31
nxdomain nx.test
nodata nd.test
rule pos.test 3600 A 192.0.2.30
EOR
ask flaky.test A NOERROR
[ "$(dig_rdata "$o" A)" = 192.0.2.31 ] || fail "flaky.test after the upstream recovered: $o"
[ "$(up_count up1 flaky.test A)" -gt "$before" ] || fail "flaky.test answered without asking upstream again: $(counts)"
ok "SERVFAIL was not cached: the first query after the upstream recovered got 192.0.2.31"

# Positive answers are cached (the counts can see a cache at work).
ask pos.test A NOERROR
ask pos.test A NOERROR
asked pos.test A 1 "a positive answer is cached"
ok "a positive answer is cached: pos.test asked upstream once for two queries"

# Negative answers (SOA TTL and MINIMUM 3600), capped at 2 s.
ask nx.test A NXDOMAIN
ask nd.test A NOERROR
[ "$(dig_count "$o" ANSWER)" = 0 ] || fail "nd.test: want NODATA, got: $o"
ask nx.test A NXDOMAIN
ask nd.test A NOERROR
[ "$(dig_count "$o" ANSWER)" = 0 ] || fail "nd.test (cached): want NODATA, got: $o"
asked nx.test A 1 "NXDOMAIN cached, the second query within 2 s"
asked nd.test A 1 "NODATA cached, the second query within 2 s"
ok "NXDOMAIN and NODATA cached: asked upstream once each for two queries"
sleep 3
ask nx.test A NXDOMAIN
ask nd.test A NOERROR
asked nx.test A 2 "--max-neg-ttl=2: NXDOMAIN cached no longer than 2 s, not the SOA's 3600"
asked nd.test A 2 "--max-neg-ttl=2: NODATA cached no longer than 2 s, not the SOA's 3600"
ok "3 s later (--max-neg-ttl=2, SOA 3600) both were asked upstream again"

# --no-negcache: every negative query goes upstream.
stop_leased
start_leased "${ARGS[@]}" --no-negcache
nx0=$(up_count up1 nx.test A)
nd0=$(up_count up1 nd.test A)
p0=$(up_count up1 pos.test A)
for _ in 1 2 3; do
	ask nx.test A NXDOMAIN
	ask nd.test A NOERROR
	ask pos.test A NOERROR
done
asked nx.test A $((nx0 + 3)) "--no-negcache: every NXDOMAIN query goes upstream"
asked nd.test A $((nd0 + 3)) "--no-negcache: every NODATA query goes upstream"
asked pos.test A $((p0 + 1)) "--no-negcache still caches positive answers"
ok "--no-negcache: three NXDOMAIN and three NODATA queries, three upstream queries each"
