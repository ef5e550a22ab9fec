#!/bin/sh
# Install everything leased's build, tests and demo need, from Debian
# packages.  Idempotent: when every package is already installed it does not
# touch apt at all, so `make check` can call it every time.
set -eu

PKGS="make gcc libc6-dev pkg-config libnl-3-dev libnl-route-3-dev
libcmocka-dev clang libclang-rt-14-dev iproute2 procps udhcpc
isc-dhcp-client dnsutils dnsmasq-base busybox-static python3
lxc nftables groff-base"
# lxc: its lxc-net script, lxc-create's busybox template and lxc-start for
# tests/integration/t_lxc_net.sh (nftables: what lxc-net uses for its rules,
# inside the test's namespace).  Its postinst starts lxc-net only where
# systemd runs (/run/systemd/system); it asks nothing on a new install.

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing; run as root to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
