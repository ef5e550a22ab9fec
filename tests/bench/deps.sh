#!/bin/sh
# Install what the DHCP benchmark (tests/bench/run.sh, `make bench`) needs
# beyond scripts/deps.sh: perfdhcp (kea-admin), Kea's DHCPv4 server to
# compare against, strace for the fsync check; and what the DNS benchmark
# (tests/bench/dns.sh, `make bench-dns`) needs: dnsperf, dig (dnsutils),
# python3 for its query files and a C compiler for its upstream stub
# (tests/bench/dns_stub.c); and gnuplot (gnuplot-nox: no X) for
# tests/bench/plot.sh, which draws the results into docs/.  Not part of
# `make check`.
# Idempotent: when everything is installed it does not touch apt.
#
# Kea's package enables a system service (kea-dhcp4-server) that would run
# /etc/kea/kea-dhcp4.conf on the host.  The benchmark never uses it: while
# installing, a temporary policy-rc.d keeps the package from starting it
# (only when the machine has no policy-rc.d of its own), and afterwards a
# service that is running anyway is stopped and disabled.  /etc/kea is
# never edited.
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
sh "$TOP/scripts/deps.sh" kea-admin kea-dhcp4-server dnsmasq-base strace iproute2 procps \
	python3 time util-linux dnsperf dnsutils gcc libc6-dev gnuplot-nox

# The host's own Kea service must not run beside the benchmark.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now kea-dhcp4-server.service 2>/dev/null || true
	echo "bench deps: kea-dhcp4-server.service stopped and disabled (the bench runs its own Kea)"
elif pgrep -x kea-dhcp4 >/dev/null 2>&1; then
	invoke-rc.d kea-dhcp4-server stop 2>/dev/null || true
	update-rc.d kea-dhcp4-server disable 2>/dev/null || true
	echo "bench deps: kea-dhcp4-server service stopped and disabled (the bench runs its own Kea)"
fi
exit 0
