#!/bin/sh
# Install what the DHCP benchmark (tests/bench/run.sh, `make bench`) needs
# beyond scripts/deps.sh: perfdhcp (kea-admin), Kea's DHCPv4 server to
# compare against, strace for the fsync check.  Not part of `make check`.
# Idempotent: when everything is installed it does not touch apt.
#
# Kea's package enables a system service (kea-dhcp4-server) that would run
# /etc/kea/kea-dhcp4.conf on the host.  The benchmark never uses it: while
# installing, a temporary policy-rc.d keeps the package from starting it
# (only when the machine has no policy-rc.d of its own), and afterwards a
# service that is running anyway is stopped and disabled.  /etc/kea is
# never edited.
set -eu

PKGS="kea-admin kea-dhcp4-server dnsmasq-base strace iproute2 procps python3 time util-linux"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "bench deps: missing packages:$missing; run as root to install them" >&2
	exit 1
fi

POLICY=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$POLICY" ]; then
	own_policy=1
	printf '#!/bin/sh\n# temporary, tests/bench/deps.sh: no service starts while installing\nexit 101\n' >"$POLICY"
	chmod 0755 "$POLICY"
	trap 'rm -f "$POLICY"' EXIT INT TERM
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing

[ -n "$own_policy" ] && rm -f "$POLICY"

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
