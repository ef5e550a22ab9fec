#!/bin/bash
# leasectl explain, cache, stats and reload against real DNS traffic:
# explain names the lease (its MAC) for c1.lxc, the hosts file and line
# for host1, the upstream server for a forwarded name, and after one
# NXDOMAIN from upstream says "cached" with the outcome and the TTL left,
# without asking anyone; cache lists that entry and --flush drops it;
# stats --json counts the queries and DHCP messages; reload after a line
# was added to the --addn-hosts file reports the change and the new name
# answers as soon as reload returns.
. "$(dirname "$0")/lib.sh"
need_jq
need_dns_tools

setup_server
add_upstream_ns $NET.2
add_client q 02:00:00:00:00:71
add_client c 02:00:00:00:00:0c
up_rules up1 <<EOR
nxdomain neg.example.test
rule fwd.example.test 300 A 192.0.2.10
EOR
start_upstream up1 $NET.2
FAIL_LOGS="$TMP/leased.log $TMP/up1.log"
HOSTS=$TMP/addn-hosts
printf '# hosts for t_leasectl_explain\n\n192.0.2.50 host1\n' >"$HOSTS"
start_leased --interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h \
	-s lxc -S /lxc/ --no-resolv --no-hosts --server=$NET.2 --addn-hosts="$HOSTS" \
	--log-queries --control-socket="$CTL_SOCK"
udhcpc_lease q querier >/dev/null
ip_c=$(udhcpc_lease c c1)
case "$ip_c" in $NET.*) ;; *) fail "client c got '$ip_c'" ;; esac

# field NAME: the value of "NAME: value" in leasectl's text output.
field() { sed -n "s/^$1: *//p" <<<"$CTL_OUT" | head -1; }

# --- a lease ---
ctl_ok explain c1.lxc
[ "$(field decision)" = local ] || fail "explain c1.lxc: decision '$(field decision)', want local: $CTL_OUT"
grep -q '02:00:00:00:00:0c' <<<"$CTL_OUT" || fail "explain c1.lxc does not name the lease's MAC: $CTL_OUT"
grep -q "c1.lxc .*A $ip_c" <<<"$CTL_OUT" || fail "explain c1.lxc shows no A $ip_c record: $CTL_OUT"
ctl_ok explain c1.lxc --json
jq_true "$CTL_OUT" --arg a "$ip_c" '.decision == "local" and (.detail | test("02:00:00:00:00:0c"))
	and any(.answer[]; .type == "A" and .data == $a)' ||
	fail "explain c1.lxc --json: $CTL_OUT"
ctl_ok explain C1.LXC aaaa
[ "$(field decision)" = local ] && [ "$(field outcome)" = NODATA ] ||
	fail "explain C1.LXC aaaa: want local NODATA: $CTL_OUT"
ok "explain c1.lxc: local, from the lease of 02:00:00:00:00:0c ($ip_c); AAAA is NODATA"

# --- a hosts file ---
ctl_ok explain host1
[ "$(field decision)" = local ] || fail "explain host1: decision '$(field decision)': $CTL_OUT"
grep -qF "$HOSTS:3" <<<"$CTL_OUT" || fail "explain host1 does not name $HOSTS:3: $CTL_OUT"
grep -q 'host1 .*A 192.0.2.50' <<<"$CTL_OUT" || fail "explain host1 shows no A 192.0.2.50: $CTL_OUT"
ok "explain host1: local, from $HOSTS:3"

# --- forwarded ---
ctl_ok explain fwd.example.test
[ "$(field decision)" = forward ] || fail "explain fwd.example.test: decision '$(field decision)': $CTL_OUT"
grep -q "$NET.2" <<<"$CTL_OUT" || fail "explain fwd.example.test does not name the upstream $NET.2: $CTL_OUT"
ctl_ok explain fwd.example.test --json
jq_true "$CTL_OUT" --arg s "$NET.2" '.decision == "forward" and any(.servers[]; .address == $s)' ||
	fail "explain fwd.example.test --json: $CTL_OUT"
[ "$(up_count up1 fwd.example.test)" = 0 ] || fail "explain fwd.example.test asked the upstream: $(cat "$TMP/up1.counts")"
ok "explain fwd.example.test: forward to $NET.2 (and explain asked nobody)"

# --- a cached negative answer ---
o=$(dig_in q neg.example.test A)
[ "$(dig_status "$o")" = NXDOMAIN ] || fail "neg.example.test: want NXDOMAIN from upstream, got: $o"
[ "$(up_count up1 neg.example.test A)" = 1 ] || fail "neg.example.test not asked upstream once: $(cat "$TMP/up1.counts")"
ctl_ok explain neg.example.test
[ "$(field decision)" = cached ] || fail "explain neg.example.test after the NXDOMAIN: decision '$(field decision)', want cached: $CTL_OUT"
grep -q NXDOMAIN <<<"$CTL_OUT" || fail "explain neg.example.test (cached) does not say NXDOMAIN: $CTL_OUT"
grep -Eiq '^ttl[a-z_-]*: *[1-9][0-9]*' <<<"$CTL_OUT" || fail "explain neg.example.test (cached) does not show the TTL left: $CTL_OUT"
ctl_ok explain neg.example.test --json
jq_true "$CTL_OUT" '.decision == "cached" and .outcome == "NXDOMAIN" and .negative == true
	and .ttl_left > 0 and .ttl_left <= 300' ||
	fail "explain neg.example.test --json (cached): want NXDOMAIN with 0 < ttl_left <= 300: $CTL_OUT"
[ "$(up_count up1 neg.example.test A)" = 1 ] || fail "explain asked the upstream: $(cat "$TMP/up1.counts")"
ok "after one NXDOMAIN: explain neg.example.test says cached, NXDOMAIN, $(jq .ttl_left <<<"$CTL_OUT") s left"

ctl_ok cache
row=$(awk '$1 == "neg.example.test"' <<<"$CTL_OUT")
[ -n "$row" ] || fail "leasectl cache does not list neg.example.test: $CTL_OUT"
read -r _ c_type c_ttl c_answer <<<"$row"
[ "$c_type" = A ] && [ "$c_answer" = NXDOMAIN ] && [ -n "$c_ttl" ] ||
	fail "leasectl cache: want 'neg.example.test A TTL NXDOMAIN': $row"
ctl_ok cache neg.example.test --json
jq_true "$CTL_OUT" '.entries | length == 1 and .[0].name == "neg.example.test" and .[0].outcome == "NXDOMAIN"
	and .[0].negative == true' || fail "cache neg.example.test --json: $CTL_OUT"
ok "leasectl cache lists neg.example.test A $c_ttl NXDOMAIN"

ctl_ok cache --flush neg.example.test
[ "$CTL_OUT" = "flushed 1 entry for neg.example.test" ] || fail "cache --flush neg.example.test printed: $CTL_OUT"
ctl_ok cache --json
jq_true "$CTL_OUT" 'all(.entries[]; .name != "neg.example.test")' ||
	fail "neg.example.test still cached after the flush: $CTL_OUT"
ctl_ok explain neg.example.test
[ "$(field decision)" = forward ] || fail "explain neg.example.test after the flush: '$(field decision)', want forward: $CTL_OUT"
o=$(dig_in q neg.example.test A)
[ "$(dig_status "$o")" = NXDOMAIN ] || fail "neg.example.test after the flush: $o"
[ "$(up_count up1 neg.example.test A)" = 2 ] || fail "after the flush neg.example.test was not asked upstream again: $(cat "$TMP/up1.counts")"
ok "cache --flush neg.example.test: 1 entry dropped, explain says forward, the next query goes upstream"

# --- stats ---
ctl_ok stats --json
S=$CTL_OUT
jq_true "$S" '.dns.queries.total >= 2 and .dns.queries.forwarded >= 2
	and .dhcp.received >= 4 and .dhcp.received_by_type.discover >= 2 and .dhcp.received_by_type.request >= 2
	and .dhcp.sent_by_type.offer >= 2 and .dhcp.sent_by_type.ack >= 2
	and .leases.held == 2' || fail "stats --json: counters do not add up: $S"
jq_true "$S" --arg s "$NET.2" 'any(.dns.servers[]; .address == $s and .queries >= 2)' ||
	fail "stats --json: no upstream $NET.2 with its queries: $S"
total=$(jq .dns.queries.total <<<"$S")
dig_in q host1 A >/dev/null
ctl_ok stats --json
[ "$(jq .dns.queries.total <<<"$CTL_OUT")" = $((total + 1)) ] ||
	fail "stats: dns.queries.total $total, then $(jq .dns.queries.total <<<"$CTL_OUT") after one more query"
ctl_ok stats
grep -q '^dhcp:' <<<"$CTL_OUT" && grep -q '^dns:' <<<"$CTL_OUT" || fail "stats (text) lacks sections: $CTL_OUT"
ok "stats --json: dns.queries.total $total (+1 after one more query), DHCP counters by type, leases held 2"

# --- reload ---
o=$(dig_in q host2 A)
[ "$(dig_status "$o")" = NXDOMAIN ] || fail "host2 before it is in the hosts file: $o"
printf '192.0.2.51 host2\n' >>"$HOSTS"
ctl_ok reload
line=$(grep '^dns_records: ' <<<"$CTL_OUT")
[[ "$line" =~ ^dns_records:\ ([0-9]+)\ -\>\ ([0-9]+)\ \(\+([0-9]+)\)$ ]] ||
	fail "reload does not report the new hosts-file line: $CTL_OUT"
[ "${BASH_REMATCH[2]}" -gt "${BASH_REMATCH[1]}" ] || fail "reload: dns_records did not grow: $line"
grep -qx 'reservations: 0 (unchanged)' <<<"$CTL_OUT" || fail "reload: reservations line: $CTL_OUT"
grep -qx 'dns_servers: 1 (unchanged)' <<<"$CTL_OUT" || fail "reload: dns_servers line: $CTL_OUT"
# No sleep: the name answers as soon as reload has returned.
o=$(dig_in q host2 A)
[ "$(dig_status "$o")" = NOERROR ] && [ "$(dig_rdata "$o" A)" = 192.0.2.51 ] ||
	fail "host2 right after reload: want A 192.0.2.51, got: $o"
ctl_ok explain host2
grep -qF "$HOSTS:4" <<<"$CTL_OUT" || fail "explain host2 does not name $HOSTS:4: $CTL_OUT"
ctl_ok reload --json
jq_true "$CTL_OUT" '.changes.dns_records.before == .changes.dns_records.after' ||
	fail "a second reload with nothing changed reports a change: $CTL_OUT"
ok "reload: '$line'; host2 answers 192.0.2.51 at once; a second reload changes nothing"

kill -0 "$LEASED_PID" 2>/dev/null || fail "leased died"
