#!/bin/bash
# Draw the benchmarks' results as SVG graphs in docs/ (gnuplot), from the
# data files tests/bench/run.sh and tests/bench/dns.sh write beside their
# tables.  `make bench` runs it at its end; `make bench-plot` runs only it,
# redrawing from the data files already there.
#
#   docs/bench-dhcp-rate.svg  new-client DORA exchanges/s vs leases held,
#                             one line per server (run.sh's (b) runs);
#   docs/bench-dhcp-cpu.svg   server CPU µs per DORA vs leases held;
#   docs/bench-dns-qps.svg    DNS queries/s vs leases held, one mix
#                             (A for lease names by default);
#   docs/bench-dns-p99.svg    p99 latency of the paced runs vs leases held.
#
# A graph whose data file is missing, or holds no figure for it, is not
# drawn (a message says so); with no data file at all the script fails.
# A server with no figure at some held count (dnsmasq does not start with
# 100,000 leases within the start timeout) has no point there, and a note
# under the graph says so.  The x axis is logarithmic when the non-zero held
# counts span two decades or more (0 is then drawn one decade left of the
# smallest); the CPU and latency graphs' y axis is when one server's
# figures are more than 30 times another's.  The subtitle gives the run's date and commit from the data file's
# comment lines.
#
# Knobs (environment): BENCH_DHCP_TSV (build/bench/dhcp-results.tsv),
# BENCH_DNS_TSV (build/bench/dns-results.tsv), BENCH_PLOT_DIR (docs),
# BENCH_PLOT_DNS_MIX (lease-a).

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DHCP_TSV=${BENCH_DHCP_TSV:-$TOP/build/bench/dhcp-results.tsv}
DNS_TSV=${BENCH_DNS_TSV:-$TOP/build/bench/dns-results.tsv}
OUT=${BENCH_PLOT_DIR:-$TOP/docs}
DNS_MIX=${BENCH_PLOT_DNS_MIX:-lease-a}

log() { echo "bench-plot: $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

if ! command -v gnuplot >/dev/null; then
	[ "$(id -u)" = 0 ] || fail "gnuplot is missing (sh tests/bench/deps.sh, as root)"
	"$TOP/tests/bench/deps.sh" >&2 || fail "cannot install gnuplot (tests/bench/deps.sh)"
fi
[ -s "$DHCP_TSV" ] || [ -s "$DNS_TSV" ] ||
	fail "neither $DHCP_TSV nor $DNS_TSV: run the benchmarks first (make bench, or tests/bench/run.sh and tests/bench/dns.sh)"
mkdir -p "$OUT" || fail "cannot make $OUT"
TMP=$(mktemp -d) || fail "cannot make a work directory"
trap 'rm -rf "$TMP"' EXIT

# Fixed colours and points, so a server looks the same in every graph.
style() {
	case $1 in
	leased) echo "lc rgb '#1f5fa8' pt 7 ps 0.9 lw 2" ;;
	dnsmasq) echo "lc rgb '#d0661a' pt 5 ps 0.8 lw 2" ;;
	kea) echo "lc rgb '#2e8b3a' pt 9 ps 1.0 lw 2" ;;
	*) echo "lw 2" ;;
	esac
}
display() {
	case $1 in
	kea) echo Kea ;;
	*) echo "$1" ;;
	esac
}

# subtitle TSV: "DATE, leased COMMIT, N cores, R round(s)" from its header.
subtitle() {
	awk 'NR == 1 { sub(/^# [^,]*, */, ""); d = $0 }
	     NR == 2 { sub(/^# */, ""); n = split($0, p, /; */); c = p[1] "; " p[2] "; " p[3] }
	     END { print d "; " c }' "$1" | sed 's/, medians//'
}

# select TSV COLUMN FILTER...: the rows whose columns match every FILTER
# (name=value), as "held value server start" (value "-": none).
select_rows() {
	local tsv=$1 col=$2
	shift 2
	awk -F'\t' -v col="$col" -v filt="$*" '
		/^#/ { next }
		!hdr++ { for (i = 1; i <= NF; i++) c[$i] = i; nf = split(filt, f, " "); next }
		{
			for (i = 1; i <= nf; i++) { split(f[i], kv, "="); if ($c[kv[1]] != kv[2]) next }
			print $c["held"], $c[col], $c["server"], ("start_s" in c) ? $c["start_s"] : "-"
		}' "$tsv"
}

# thousands WORD...: 100000 -> 100,000 (words that are not counts as they are).
thousands() {
	echo "$*" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) {
		c = $i ~ /,$/; v = $i + 0; o = ""
		while (v >= 1000) { o = sprintf(",%03d", v % 1000) o; v = int(v / 1000) }
		$i = v o (c ? "," : "") } print }'
}

# draw OUT.svg TITLE YLABEL ROWS-FILE SUBTITLE [logy]: one line per server
# from "held value server start" rows.  logy: a logarithmic y axis when
# the figures span more than 30x (one server's far above the others').
draw() {
	local svg=$1 title=$2 ylabel=$3 rows=$4 sub=$5 logy=0 heldv logx=0 zx=0 xt="" h x s plot="" dat note notes=""
	heldv=$(awk '{ print $1 }' "$rows" | sort -n -u | tr '\n' ' ')
	if ! awk '$2 != "-" { found = 1 } END { exit !found }' "$rows"; then
		log "no figures for $(basename "$svg"): not drawn"
		return 0
	fi
	[ "${6:-}" = logy ] && logy=$(awk '$2 != "-" && $2 > 0 { if (!lo || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }
		END { print (lo && hi / lo > 30) ? 1 : 0 }' "$rows")
	# Log x when the non-zero counts span two decades or more; 0 is then
	# drawn a decade left of the smallest.
	read -r logx zx < <(echo "$heldv" | tr ' ' '\n' | awk 'NF && $1 > 0 { if (!lo || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
		END { if (lo && hi / lo >= 100) print 1, lo / 10; else print 0, 0 }')
	for h in $heldv; do
		x=$h
		[ "$logx" = 1 ] && [ "$h" = 0 ] && x=$zx
		xt="$xt${xt:+, }\"$(thousands "$h")\" $x"
	done
	for s in leased dnsmasq kea; do
		grep -q " $s " "$rows" || continue
		dat=$TMP/$(basename "$svg" .svg)-$s.dat
		awk -v s="$s" -v lx="$logx" -v zx="$zx" '$3 == s && $2 != "-" { print ($1 == 0 && lx ? zx : $1), $2 }' "$rows" |
			sort -g >"$dat"
		# Held counts without a figure, and why: under the graph.
		note=$(awk -v s="$s" '$3 == s && $2 == "-" { if ($4 == "-") ns = ns (ns ? ", " : "") $1; else nf = nf (nf ? ", " : "") $1 }
			END { if (ns) t = "did not start within the timeout with " ns " held"
			      if (nf) t = t (t ? ", " : "") "no figure with " nf " held (answered none in time)"
			      print t }' "$rows")
		[ -n "$note" ] && notes="$notes${notes:+; }$(display "$s"): $(thousands "$note")"
		if [ -s "$dat" ]; then
			plot="$plot${plot:+, }'$dat' using 1:2 title '$(display "$s")' with linespoints $(style "$s")"
		else
			plot="$plot${plot:+, }NaN title '$(display "$s")' with linespoints $(style "$s")"
		fi
	done
	{
		echo "set terminal svg size 640,400 dynamic font 'sans,11' background '#ffffff'"
		echo "set output '$svg'"
		printf 'set title "%s\\n{/=9 %s}"\n' "$title" "$sub"
		echo "set xlabel \"leases held$([ "$logx" = 1 ] && echo ' (log scale)')\""
		echo "set ylabel \"$ylabel$([ "$logy" = 1 ] && echo ' (log scale)')\""
		echo "set xtics ($xt)"
		[ "$logx" = 1 ] && echo "set logscale x"
		if [ "$logy" = 1 ]; then echo "set logscale y"; else echo "set yrange [0:*]"; fi
		echo "set autoscale xfix"
		echo "set offsets graph 0.05, graph 0.05, graph 0.05, 0"
		echo "set format y '%.0f'"
		echo "set grid ytics lc rgb '#dddddd'"
		echo "set border 3"
		echo "set xtics nomirror"
		echo "set ytics nomirror"
		echo "set key outside bottom center horizontal maxrows 1 reverse Left width 3 samplen 3 noenhanced"
		if [ -n "$notes" ]; then
			echo "set bmargin 7.5"
			echo "set label 1 \"$notes\" at screen 0.5, screen 0.014 center font ',9' noenhanced"
		fi
		echo "plot $plot"
	} >"$TMP/plot.gp"
	gnuplot "$TMP/plot.gp" || fail "gnuplot failed on $(basename "$svg") ($TMP/plot.gp)"
	log "drew $svg"
}

# --- DHCP ----------------------------------------------------------------------

if [ -s "$DHCP_TSV" ]; then
	sub=$(subtitle "$DHCP_TSV")
	select_rows "$DHCP_TSV" rate run=new >"$TMP/dhcp-rate.rows"
	select_rows "$DHCP_TSV" cpu_us run=new >"$TMP/dhcp-cpu.rows"
	draw "$OUT/bench-dhcp-rate.svg" "DHCPv4: new clients, DORA exchanges/s (perfdhcp, higher is better)" \
		"4-way exchanges/s" "$TMP/dhcp-rate.rows" "$sub"
	draw "$OUT/bench-dhcp-cpu.svg" "DHCPv4: server CPU per new-client DORA (lower is better)" \
		"CPU µs per exchange (user+system)" "$TMP/dhcp-cpu.rows" "$sub" logy
else
	log "no $DHCP_TSV: DHCP graphs not drawn"
fi

# --- DNS ----------------------------------------------------------------------

if [ -s "$DNS_TSV" ]; then
	sub=$(subtitle "$DNS_TSV")
	case $DNS_MIX in
	lease-a) what="A for lease names" ;;
	lease-aaaa) what="AAAA for lease names (NODATA)" ;;
	nxdomain) what="NXDOMAIN under the local domain" ;;
	fwd) what="A for cached forwarded names" ;;
	miss-q*) what="forwarded misses, ${DNS_MIX#miss-q} outstanding" ;;
	*) what=$DNS_MIX ;;
	esac
	select_rows "$DNS_TSV" qps mix="$DNS_MIX" >"$TMP/dns-qps.rows"
	select_rows "$DNS_TSV" p99_us mix="$DNS_MIX" >"$TMP/dns-p99.rows"
	paced=$(awk 'NR == 2 && match($0, /paced at [0-9]+ q\/s/) { print substr($0, RSTART, RLENGTH) }' "$DNS_TSV")
	draw "$OUT/bench-dns-qps.svg" "DNS: queries/s, $what (dnsperf, saturated; higher is better)" \
		"queries/s" "$TMP/dns-qps.rows" "$sub"
	draw "$OUT/bench-dns-p99.svg" "DNS: 99th percentile latency, $what ($(thousands "${paced:-paced}"); lower is better)" \
		"p99 latency, µs" "$TMP/dns-p99.rows" "$sub" logy
else
	log "no $DNS_TSV: DNS graphs not drawn"
fi
