#!/bin/sh
# Install everything leased's build, tests and demo need, from Debian
# packages.  Idempotent: when every package is already installed it does not
# touch apt at all, so `make check` can call it every time.  With package
# names as arguments it installs those instead (tests/bench/deps.sh).
set -eu

DEFAULT_PKGS="make gcc libc6-dev pkg-config libnl-3-dev libnl-route-3-dev
libcmocka-dev clang libclang-rt-14-dev iproute2 procps udhcpc
isc-dhcp-client dnsutils dnsmasq-base dnsmasq-utils busybox-static python3
lxc nftables groff-base python3-dnspython jq musl-tools strace ndisc6
lxd lxd-client tftp-hpa dpkg-dev debhelper lintian blhc systemd man-db"
# tftp-hpa: Debian's TFTP client (tftp), fetching files from leased's TFTP
# server in tests/integration/t_tftp.sh (busybox tftp asks for blksize).
# dpkg-dev debhelper: dpkg-buildpackage and dh build the Debian package
# (debian/) in tests/integration/t_package.sh; no fakeroot (debian/control
# says Rules-Requires-Root: no).  lintian: that test fails on its errors
# and warnings; blhc: reads the build log for the hardening flags of
# dpkg-buildflags on every compiler line.  systemd: systemd-analyze, to
# verify leased@.service and score its sandbox (systemd need not be
# running); man-db: verify checks the unit's Documentation=man: pages.
# lxd lxd-client: Debian's LXD, which runs "dnsmasq" from PATH, for
# tests/integration/t_lxd.sh (it runs LXD only inside the test's own
# network and mount namespaces).  Its postinst starts /etc/init.d/lxd even
# without systemd: the temporary policy-rc.d below keeps it (and lxcfs)
# stopped.  Its preinst gives root the subordinate ids that unprivileged
# containers need (/etc/subuid, /etc/subgid).
# ndisc6: rdisc6, to read router advertisements (t_ra_slaac.sh).
# lxc: its lxc-net script, lxc-create's busybox template and lxc-start for
# tests/integration/t_lxc_net.sh (nftables: what lxc-net uses for its rules,
# inside the test's namespace).  Its postinst starts lxc-net only where
# systemd runs (/run/systemd/system); it asks nothing on a new install.
# dnsmasq-utils: dhcp_release, for tests/integration/t_host_release.sh (a
# DHCPRELEASE sent from the host, as LXD sends one).
# strace: tests/integration/t_store_fsync_order.sh sees the order of
# fdatasync, rename and sendmmsg (a kill -9 keeps the page cache, so only
# the system calls show that a lease is on disk before its DHCPACK).
# jq: reads leasectl --json in tests/integration/t_leasectl_*.sh.
# musl-tools: musl-gcc, to build tests/integration/gai.c against musl
# (static) for t_dns_stub_*.sh: musl's stub resolver (Alpine containers)
# behaves unlike glibc's (it fails a lookup when the A or the AAAA answer
# is SERVFAIL, NXDOMAIN or missing), and both must resolve through leased.

PKGS=${*:-$DEFAULT_PKGS}
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
# Packages such as lxc and kea come with services; none may start on the
# host because of us.  A temporary policy-rc.d (only where the machine has
# none of its own) makes their postinst leave them stopped.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
	printf '#!/bin/sh\n# temporary, leased scripts/deps.sh: no service starts while installing\nexit 101\n' >"$POLICY"
	chmod 0755 "$POLICY"
	trap 'rm -f "$POLICY"' EXIT INT TERM
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
