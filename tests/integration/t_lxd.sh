#!/bin/bash
# Debian 12's real LXD runs leased as its "dnsmasq" (a `dnsmasq` link to
# leased first in LXD's PATH), with unprivileged busybox containers made
# from an image the test builds (busybox-static, `lxc image import`) on a
# `dir` storage pool:
#   1. `lxc network create` with IPv4 and IPv6 (LXD's default: SLAAC,
#      `--enable-ra --dhcp-range ::,constructor:lxdbr0,ra-stateless,ra-names`)
#      starts leased with LXD's own command line, in the test's namespace,
#      as the user LXD names;
#   2. two unprivileged containers get an IPv4 lease (udhcpc) and a SLAAC
#      address (their kernels, from leased's RAs): `lxc list` shows both,
#      and `lxc network list-leases` lists them;
#   3. from inside one container, busybox nslookup of OTHER.lxd answers the
#      other's A and, once it has talked to the host from its SLAAC address
#      (ra-names: the neighbour table), its AAAA;
#   4. a static address on a NIC (`lxc config device override CT eth0
#      ipv4.address=...`: LXD writes its hostsfile dir and SIGHUPs
#      "dnsmasq", which reloads without a restart): the restarted container
#      gets it, list-leases shows it STATIC, leased's lease file has it, and
#      NAME.lxd answers it and no longer the old address;
#   5. `lxc network set` makes LXD kill its dnsmasq and start another: the
#      new leased loads both leases and the names answer;
#   6. a second network with `ipv6.dhcp.stateful=true` (stateful DHCPv6,
#      LXD's `--dhcp-range FIRST,LAST,64,1h`): a container's dhclient -6
#      gets an address that list-leases lists and NAME.lxd answers (asked
#      from another container); then `ipv4.address` and `ipv6.address` on
#      its NIC: restarted, it gets them, STATIC in list-leases, and
#      NAME.lxd answers AAAA with the static address only.
# The only thing added to LXD's own configuration is `raw.dnsmasq` with a
# log-facility (leased's log in the test's directory); NAT is off.
#
# Isolation, as in t_lxc_net.sh: LXD, its containers' host side, both
# bridges, their nftables rules and every packet exist only in a network
# namespace of the test's own, and LXD runs in a private mount namespace
# (one "sleep" process holds both) where temporary directories are
# bind-mounted over /run, /var/lib/lxd, /var/log/lxd, /var/cache/lxd and
# /etc/resolv.conf (empty: LXD's own look-ups, e.g. of its image server,
# go to the namespace's loopback and fail), and a fresh sysfs shows that
# namespace's links.  LXD_DIR is in the test's temporary directory (mode
# 755: unprivileged containers must reach their rootfs there).  The
# machine's files, links, nftables ruleset and sysctls are compared before
# and after; the containers' processes are killed through their cgroups.
# shellcheck disable=SC2016 # await's SHOW argument is evaluated when it fails
. "$(dirname "$0")/lib.sh"

START=$SECONDS
NS=${ID}n
CT1=${ID}a
CT2=${ID}b
CT3=${ID}c
CT4=${ID}d
LNET=10.77.12
L6=fd42:77:12
SNET=10.77.13 # the stateful network
S6=fd42:77:13
R=$TMP/root # sources of the bind mounts
LXDDIR=$TMP/lxd
BIN=$TMP/bin # LXD's PATH starts here: dnsmasq -> leased
LLOG=$R/log/leased.log # raw.dnsmasq log-facility (/var/log/lxd/leased.log inside)
# shellcheck disable=SC2034 # read by fail() in lib.sh
FAIL_LOGS="$LLOG $R/log/leased1.log $TMP/lxd.log $TMP/lxc.log"
HOLDER=""
LXD_PID=""
# (Only our bridges' sockets in /run/leased: other leased instances on the
# machine, e.g. benchmarks, may come and go there.)
HOST_PATHS="/var/lib/lxd /var/log/lxd /var/cache/lxd /run/lxd /run/lxc /run/leased/lxdbr0.sock
/run/leased/lxdbr1.sock /etc/subuid /etc/subgid /etc/resolv.conf /etc/lxc"

# ---- preconditions: missing pieces fail loudly, never skip -------------
for c in lxd lxc nft busybox nsenter unshare dhclient tar; do
	command -v "$c" >/dev/null || fail "$c not found: run scripts/deps.sh"
done
[ -x "$LEASED" ] || fail "$LEASED not built: run make"
BUSYBOX=$(command -v busybox)
ldd "$BUSYBOX" >/dev/null 2>&1 &&
	fail "$BUSYBOX is not static (busybox-static, scripts/deps.sh)"
getent group lxd >/dev/null || fail "no group lxd (the lxd package makes it)"
grep -q '^root:' /etc/subuid || fail "/etc/subuid has no range for root: unprivileged containers need one"
[ -e /proc/self/ns/user ] || fail "the kernel has no user namespaces"

host_state() {
	files_state $HOST_PATHS
	# Other tests' containers (lxc.payload.ltPIDx: t_lxc_net.sh, maybe
	# running beside this one) come and go; ours must be gone at the end.
	find /sys/fs/cgroup -maxdepth 3 -type d -name '*lxc*' ! -name lxc.pivot 2>/dev/null |
		awk -v mine="[.]${ID}[a-z]\$" '!/[.](payload|monitor)[.]lt[0-9]+[a-z]$/ || $0 ~ mine' | sort
	# (vlt...: another test's veth, on its way into that test's namespace)
	ip -o link show | awk '{print $2}' | grep -v '^vlt[0-9]'
	nft list ruleset 2>&1 | md5sum
	# LXD sets sysctls: only those of its own network namespace may change.
	sysctl -a 2>/dev/null | grep -v -e '^fs\.' -e '^kernel\.random' -e '^kernel\.ns_last_pid' \
		-e '^net\.netfilter\.nf_conntrack_count' -e '^kernel\.pty\.nr' \
		-e '^kernel\.perf_event_max_sample_rate' | md5sum
}
host_state > "$TMP/host.before"
note_lxc_pivots

# ---- the busybox image ---------------------------------------------------
# A rootfs of busybox-static and its links, an init that brings up lo and
# runs udhcpc (hostname sent: the container's name, LXD sets it), and a
# udhcpc script that configures eth0's IPv4 address, route and resolv.conf.
# The kernel forms the SLAAC address itself (accept_ra is on in a new
# namespace).  For step 6, dhclient -6 and its libraries are copied in
# (Debian's busybox has no udhcpc6); init runs it where /etc/dhcp6 exists,
# elsewhere a sleep stands in for it (a respawn entry must not exit).
RFS=$TMP/image/rootfs
mkdir -p "$RFS"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,proc,sys,dev,tmp,run,root,var/lib/dhcp,var/run}
cp "$BUSYBOX" "$RFS/bin/busybox"
for a in $("$BUSYBOX" --list-full); do
	[ -e "$RFS/$a" ] || ln -s /bin/busybox "$RFS/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$RFS/etc/passwd"
printf 'root:x:0:\n' > "$RFS/etc/group"
printf '127.0.0.1 localhost\n' > "$RFS/etc/hosts"
: > "$RFS/etc/resolv.conf"
cat > "$RFS/etc/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS
::respawn:/bin/sh -c 'exec udhcpc -f -i eth0 -s /etc/udhcpc.script -x hostname:$(hostname)'
::respawn:/bin/sh -c '[ -e /etc/dhcp6 ] && exec dhclient -6 -d -sf /etc/dhclient6.script eth0 >/tmp/dhclient6.log 2>&1; exec sleep 100000'
::restart:/sbin/init
EOF
# dhclient keeps its lease (and DUID) across a restart and only Confirms
# it, which a server answers "still on link" (RFC 8415 18.3.3): like most
# DHCPv6 clients in containers (systemd-networkd...), this one forgets and
# Solicits at boot, so a restarted container sees a new reservation.
cat > "$RFS/etc/init.d/rcS" <<'EOF'
#!/bin/sh
ip link set lo up
ip link set eth0 up
rm -f /var/lib/dhcp/dhclient6.leases
EOF
cat > "$RFS/etc/udhcpc.script" <<'EOF'
#!/bin/sh
# Only IPv4 is touched: eth0's SLAAC address stays.
case "$1" in
deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	[ -z "$router" ] || ip route replace default via "${router%% *}" dev "$interface"
	: > /etc/resolv.conf
	for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
	[ -z "$domain" ] || echo "search $domain" >> /etc/resolv.conf
	;;
esac
exit 0
EOF
cat > "$RFS/etc/dhclient6.script" <<'EOF'
#!/bin/sh
case "$reason" in
BOUND6|RENEW6|REBIND6|REBOOT6)
	[ -z "$old_ip6_address" ] || [ "$old_ip6_address" = "$new_ip6_address" ] ||
		ip -6 addr del "$old_ip6_address/128" dev "$interface"
	ip -6 addr show dev "$interface" | grep -q " $new_ip6_address/" ||
		ip -6 addr add "$new_ip6_address/128" dev "$interface"
	;;
esac
exit 0
EOF
chmod 755 "$RFS/etc/init.d/rcS" "$RFS/etc/udhcpc.script" "$RFS/etc/dhclient6.script"
# dhclient -6 for the stateful network, with the libraries it loads.
for f in $(command -v dhclient) $(ldd "$(command -v dhclient)" | grep -o '/[^ ]*'); do
	mkdir -p "$RFS$(dirname "$f")"
	cp -L "$f" "$RFS$f"
done
cat > "$TMP/image/metadata.yaml" <<EOF
architecture: x86_64
creation_date: $(date +%s)
properties:
  architecture: x86_64
  description: busybox for leased's t_lxd.sh
  os: busybox
  release: "1"
EOF
tar -C "$TMP/image" --numeric-owner --owner=0 --group=0 -czf "$TMP/image/meta.tar.gz" metadata.yaml
tar -C "$RFS" --numeric-owner --owner=0 --group=0 -czf "$TMP/image/rootfs.tar.gz" .

# ---- the private namespaces ---------------------------------------------
mkdir -p "$R/run" "$R/lib" "$R/log" "$R/cache" "$R/cg" "$LXDDIR" "$BIN" "$TMP/lxcconf"
: > "$R/resolv.conf"
chmod 755 "$TMP" "$LXDDIR" "$R" "$R/run" "$R/log"
ln -s "$LEASED" "$BIN/dnsmasq"

# The holder: enters the network namespace, unshares the mount namespace
# (private: nothing propagates back), mounts a sysfs of this network
# namespace (LXD reads /sys/class/net) with the cgroup hierarchies kept
# (LXD's containers need them), binds the directories over, then only
# sleeps.  /var/lib/lxd and /var/log/lxd come with the lxd package.
new_ns "$NS"
cat > "$TMP/holder.sh" <<EOF
set -e
mount --rbind /sys/fs/cgroup $R/cg
mount -t sysfs sysfs /sys
mount --rbind $R/cg /sys/fs/cgroup
umount -l $R/cg
mount --bind $R/run /run
mount --bind $R/lib /var/lib/lxd
mount --bind $R/log /var/log/lxd
[ ! -d /var/cache/lxd ] || mount --bind $R/cache /var/cache/lxd
mount --bind $R/resolv.conf /etc/resolv.conf
touch $TMP/holder.ready
exec sleep 100000
EOF
start_holder "$NS"
lx() {
	echo "== lxc $*" >>"$TMP/lxc.log"
	inns env LXD_DIR="$LXDDIR" LXD_CONF="$TMP/lxcconf" timeout 60 lxc "$@" 2>>"$TMP/lxc.log"
}
lxq() { lx "$@" >>"$TMP/lxc.log" || fail "lxc $* failed: $(tail -3 "$TMP/lxc.log")"; }

# ct_pids: every process in a cgroup of one of the test's containers.
ct_pids() {
	find /sys/fs/cgroup -maxdepth 6 -path "*lxc.payload.$ID*" -name cgroup.procs \
		-exec cat {} + 2>/dev/null | sort -u
}
# await SECONDS WHAT SHOW CMD...: like until_true, but the failure shows
# what the shell command SHOW prints then (lxc list, list-leases...).
await() {
	local secs=$1 what=$2 show=$3
	shift 3
	for _ in $(seq $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	fail "no $what within $secs s (now: $(eval "$show" 2>&1 | tr '\n' ' '))"
}
alive() { local st; st=$(ps -o stat= -p "$1") && [ "${st#Z}" = "$st" ]; }
dead() { ! alive "$1"; }
no_ct_pids() { [ -z "$(ct_pids)" ]; }

teardown() {
	local p
	[ -n "$HOLDER" ] || return 0
	# A second INT or TERM (timeout, ^C) must not cut the cleanup short.
	trap '' INT TERM
	# The graceful way first (frees LXD's mounts and devices), then kill.
	[ -n "$LXD_PID" ] && alive "$LXD_PID" &&
		for c in $CT1 $CT2 $CT3 $CT4; do
			inns env LXD_DIR="$LXDDIR" LXD_CONF="$TMP/lxcconf" timeout 20 lxc delete -f "$c" >>"$TMP/lxc.log" 2>&1
		done
	for p in $(ct_pids); do kill -9 "$p" 2>/dev/null; done
	ip netns pids "$NS" 2>/dev/null | while read -r p; do kill -9 "$p" 2>/dev/null; done
	for p in $(ct_pids); do kill -9 "$p" 2>/dev/null; done
	kill -9 "$HOLDER" 2>/dev/null
	wait_for dead "$HOLDER"
	HOLDER=""
	for _ in $(seq 100); do no_ct_pids && break; sleep 0.1; done
	wait_for rm_lxc_cgroups
	ip netns del "$NS" 2>/dev/null
	rm -rf "/etc/netns/$NS"
	# leased's stderr (LXD keeps it): lib.sh's cleanup fails the test on a
	# sanitizer report there (make check-sanitize).
	cat "$LXDDIR"/logs/dnsmasq.*.log > "$TMP/leased.stderr" 2>/dev/null
}
at_cleanup teardown

# ---- 1. LXD, a dir pool, the image, and a network: leased starts --------
# LXD as its service starts it, but in the namespace, with its own LXD_DIR
# and "dnsmasq" from $BIN.
(
	nsenter -t "$HOLDER" -m -n -- env PATH="$BIN:$PATH" LXD_DIR="$LXDDIR" \
		lxd --group lxd --verbose >"$TMP/lxd.log" 2>&1 &
	echo $! > "$TMP/lxd.pid"
)
LXD_PID=$(cat "$TMP/lxd.pid")
inns env LXD_DIR="$LXDDIR" lxd waitready --timeout 60 >>"$TMP/lxc.log" 2>&1 ||
	fail "LXD did not start within 60 s: $(tail -5 "$TMP/lxd.log")"
lxq storage create default dir
lxq profile device add default root disk path=/ pool=default
lxq image import "$TMP/image/meta.tar.gz" "$TMP/image/rootfs.tar.gz" --alias bb
lxq network create lxdbr0 ipv4.address=$LNET.1/24 ipv4.nat=false \
	ipv6.address=$L6::1/64 ipv6.nat=false raw.dnsmasq="log-facility=/var/log/lxd/leased.log"
lxq profile device add default eth0 nic network=lxdbr0 name=eth0

# ldpid: the pid of the "dnsmasq" LXD runs on bridge $1 (its --interface).
ldpid() {
	local p
	for p in $(ip netns pids "$NS"); do
		tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- "--interface=$1 " || continue
		[ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$LEASED")" ] || continue
		# the daemon, not its store writer
		[ "$(readlink "/proc/$(ps -o ppid= -p "$p" | tr -d ' ')/exe")" = "$(readlink -f "$LEASED")" ] && continue
		echo "$p"
	done
}
has_ldpid() { [ -n "$(ldpid "$1")" ]; }
await 10 "leased on lxdbr0 after lxc network create" 'ps -o pid,args -p "$(ip netns pids "$NS" | paste -sd,)"' \
	has_ldpid lxdbr0
pid=$(ldpid lxdbr0)
args=$(tr '\0' ' ' < "/proc/$pid/cmdline")
case "$args" in
*"--enable-ra --dhcp-range ::,constructor:lxdbr0,ra-stateless,ra-names"*) ;;
*) fail "LXD ran leased without its SLAAC range: $args" ;;
esac
until_true 10 "leased started on lxdbr0" grep -q 'started, version' "$LLOG"
# LXD names the user (lxd, else nobody): the daemon runs as that one.
user=$(sed -n 's/.* -u \([^ ]*\) .*/\1/p' <<<"$args")
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
if [ -z "$user" ] || [ "$uid" != "$(id -u "$user")" ]; then
	fail "leased runs as uid $uid, LXD passed -u '$user'"
fi
ok "lxc network create: LXD runs leased (pid $pid, user $user) as its dnsmasq, with --enable-ra --dhcp-range ::,constructor:lxdbr0,ra-stateless,ra-names"

# ---- 2. containers get IPv4 leases and SLAAC addresses ------------------
# ct_addr NAME 4|6: the address(es) of eth0 that lxc list shows.
ct_addr() { lx list "$1" -c "$2" --format csv | sed 's/ (eth0)//g' | tr -d '"'; }
# has_addr NAME 4|6 PREFIX: lxc list shows an address starting with PREFIX.
has_addr() { ct_addr "$1" "$2" | tr ' ' '\n' | grep -q "^$3"; }
# is_addr NAME 4|6 ADDR: lxc list shows exactly ADDR (among others).
is_addr() { ct_addr "$1" "$2" | tr ' ' '\n' | grep -qxF "$3"; }
for c in $CT1 $CT2; do lxq launch bb "$c"; done
declare -A IP4 IP6 MAC
for c in $CT1 $CT2; do
	await 60 "IPv4 address of $c in $LNET.0/24" 'ct_addr "$c" 4' has_addr "$c" 4 "$LNET."
	await 30 "SLAAC address of $c in $L6::/64" 'ct_addr "$c" 6' has_addr "$c" 6 "$L6:"
	IP4[$c]=$(ct_addr "$c" 4)
	IP6[$c]=$(ct_addr "$c" 6 | tr ' ' '\n' | grep "^$L6:")
	MAC[$c]=$(lx config get "$c" volatile.eth0.hwaddr)
done
[ "${IP4[$CT1]}" != "${IP4[$CT2]}" ] || fail "both containers have ${IP4[$CT1]}"
[ "$(lx config get "$CT1" security.privileged)" != true ] || fail "$CT1 is privileged"
# list-leases: LXD reads leased's lease file for IPv4 and lists the EUI-64
# address of each NIC for SLAAC.
leases() { lx network list-leases "$1" --format csv; }
has_lease() { leases "$1" | grep -q "^$2,$3,$4,$5\$"; }
for c in $CT1 $CT2; do
	await 10 "list-leases line $c,${MAC[$c]},${IP4[$c]},DYNAMIC" 'leases lxdbr0' \
		has_lease lxdbr0 "$c" "${MAC[$c]}" "${IP4[$c]}" DYNAMIC
	has_lease lxdbr0 "$c" "${MAC[$c]}" "${IP6[$c]}" DYNAMIC ||
		fail "list-leases has no $c,${MAC[$c]},${IP6[$c]}: $(leases lxdbr0 | tr '\n' ' ')"
done
ok "unprivileged containers got ${IP4[$CT1]} ${IP6[$CT1]} and ${IP4[$CT2]} ${IP6[$CT2]}: lxc list and list-leases show them"

# ---- 3. NAME.lxd from inside a container --------------------------------
# busybox nslookup with the resolv.conf udhcpc wrote (leased's address).
lookup() { lx exec "$1" -- nslookup -type="$3" "$2" 2>&1; }
answers() { lookup "$1" "$2" "$3" | sed -n '/^Name:/,$p' | grep -q "^Address:[[:space:]]*$4\$"; }
lx exec "$CT1" -- cat /etc/resolv.conf | grep -q "nameserver $LNET.1" ||
	fail "$CT1's resolv.conf does not name $LNET.1: $(lx exec "$CT1" -- cat /etc/resolv.conf)"
await 10 "A ${IP4[$CT2]} for $CT2.lxd in $CT1" 'lookup "$CT1" "$CT2.lxd" A' \
	answers "$CT1" "$CT2.lxd" A "${IP4[$CT2]}"
# ra-names: the AAAA is the SLAAC address the host's neighbour table ties
# to the lease's MAC, so CT2 talks to the host from it first (-I: from that
# address, which fails while it is tentative; a ping from the link-local
# address would teach the host nothing).
pinged() { lx exec "$1" -- ping -c 1 -W 1 -I "$2" "$L6::1" >/dev/null 2>&1; }
until_true 15 "ping from $CT2's ${IP6[$CT2]} to $L6::1" pinged "$CT2" "${IP6[$CT2]}"
await 10 "AAAA ${IP6[$CT2]} for $CT2.lxd in $CT1" 'lookup "$CT1" "$CT2.lxd" AAAA' \
	answers "$CT1" "$CT2.lxd" AAAA "${IP6[$CT2]}"
out=$(lx exec "$CT1" -- nslookup "$CT2.lxd" 2>&1)
if ! grep -q "${IP4[$CT2]}" <<<"$out" || ! grep -q "${IP6[$CT2]}" <<<"$out"; then
	fail "nslookup $CT2.lxd (A and AAAA) in $CT1 does not show both addresses: $out"
fi
ok "in $CT1, nslookup $CT2.lxd answers A ${IP4[$CT2]} and AAAA ${IP6[$CT2]} (ra-names)"

# ---- 4. a static ipv4.address on a NIC ----------------------------------
# LXD refuses ipv6.address on a SLAAC network (the DHCPv6 half is step 6).
STATIC4=$LNET.200
hostsfile() { cat "$LXDDIR/networks/$1/dnsmasq.hosts/$2.eth0" 2>/dev/null; }
reloads() { grep -c 'reloaded: .* DHCP reservations' "$1"; }
before=$(reloads "$LLOG")
lxq config device override "$CT2" eth0 ipv4.address=$STATIC4
[ "$(hostsfile lxdbr0 "$CT2")" = "${MAC[$CT2]},$STATIC4,$CT2" ] ||
	fail "LXD's hostsfile for $CT2 is '$(hostsfile lxdbr0 "$CT2")'"
reloaded() { [ "$(reloads "$1")" -gt "$2" ]; }
until_true 10 "reload of leased after LXD's SIGHUP" reloaded "$LLOG" "$before"
[ "$(ldpid lxdbr0)" = "$pid" ] || fail "leased $pid was restarted, not reloaded: $(ldpid lxdbr0)"
lxq restart -f "$CT2"
await 30 "$STATIC4 on $CT2 after the override" 'ct_addr "$CT2" 4' is_addr "$CT2" 4 "$STATIC4"
await 10 "list-leases line $CT2,${MAC[$CT2]},$STATIC4,STATIC" 'leases lxdbr0' \
	has_lease lxdbr0 "$CT2" "${MAC[$CT2]}" "$STATIC4" STATIC
LEASES0=$LXDDIR/networks/lxdbr0/dnsmasq.leases
lease_is() { awk -v m="$1" '$2 == m { print $3 }' "$LEASES0" | grep -qx "$2"; }
until_true 5 "lease of ${MAC[$CT2]} on $STATIC4 in leased's lease file" lease_is "${MAC[$CT2]}" "$STATIC4"
await 10 "A $STATIC4 for $CT2.lxd in $CT1" 'lookup "$CT1" "$CT2.lxd" A' \
	answers "$CT1" "$CT2.lxd" A "$STATIC4"
lookup "$CT1" "$CT2.lxd" A | grep -q "${IP4[$CT2]}" && fail "$CT2.lxd still answers its old ${IP4[$CT2]}"
ok "ipv4.address=$STATIC4 on $CT2 (hostsfile + SIGHUP): restarted, it has it; STATIC in list-leases; $CT2.lxd answers it"

# ---- 5. LXD restarts its dnsmasq on a network change --------------------
# (as on every `lxc network set` and LXD restart): the new leased loads
# the lease file the old one wrote, and the names keep answering.
lxq network set lxdbr0 ipv4.dhcp.expiry=2h
new_pid() { local p; p=$(ldpid lxdbr0); [ -n "$p" ] && [ "$p" != "$pid" ]; }
until_true 10 "new leased on lxdbr0 after lxc network set" new_pid
wait_for dead "$pid" || fail "LXD's old dnsmasq (leased $pid) is still running"
pid=$(ldpid lxdbr0)
tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "--dhcp-range $LNET.2,$LNET.254,2h" ||
	fail "the new leased has not LXD's new range: $(tr '\0' ' ' < "/proc/$pid/cmdline")"
loaded() { grep 'started, version' "$LLOG" | tail -1 | sed -n 's/.* \([0-9]*\) leases loaded.*/\1/p'; }
two_started() { [ "$(grep -c 'started, version' "$LLOG")" -ge 2 ]; }
until_true 10 "second start in leased's log" two_started
[ "$(loaded)" = 2 ] || fail "the new leased did not load the 2 leases: $(grep 'started, version' "$LLOG" | tail -1)"
await 10 "A ${IP4[$CT1]} for $CT1.lxd in $CT2" 'lookup "$CT2" "$CT1.lxd" A' \
	answers "$CT2" "$CT1.lxd" A "${IP4[$CT1]}"
answers "$CT1" "$CT2.lxd" A "$STATIC4" || fail "$CT2.lxd does not answer $STATIC4 after the restart"
# ra-names after a restart: the neighbour table is read anew.
until_true 15 "ping from $CT2's ${IP6[$CT2]} to $L6::1" pinged "$CT2" "${IP6[$CT2]}"
await 10 "AAAA ${IP6[$CT2]} for $CT2.lxd in $CT1 after the restart" 'lookup "$CT1" "$CT2.lxd" AAAA' \
	answers "$CT1" "$CT2.lxd" AAAA "${IP6[$CT2]}"
ok "lxc network set: LXD restarted its dnsmasq (now leased $pid), which loaded both leases; A and AAAA answer"

# ---- 6. a stateful DHCPv6 network ---------------------------------------
LLOG1=$R/log/leased1.log
lxq network create lxdbr1 ipv4.address=$SNET.1/24 ipv4.nat=false \
	ipv6.address=$S6::1/64 ipv6.nat=false ipv6.dhcp.stateful=true \
	raw.dnsmasq="log-facility=/var/log/lxd/leased1.log"
until_true 10 "leased on lxdbr1" has_ldpid lxdbr1
pid1=$(ldpid lxdbr1)
args=$(tr '\0' ' ' < "/proc/$pid1/cmdline")
grep -q -- "--dhcp-range $S6::2," <<<"$args" || fail "LXD ran leased without a stateful range: $args"
until_true 10 "leased started on lxdbr1" grep -q 'started, version' "$LLOG1"
# dhclient -6 runs in the container only where /etc/dhcp6 exists: in CT3;
# CT4 (IPv4 only) asks leased for CT3's name.
lxq init bb "$CT3" --network lxdbr1
: > "$TMP/dhcp6"
lxq file push "$TMP/dhcp6" "$CT3/etc/dhcp6"
lxq start "$CT3"
lxq launch bb "$CT4" --network lxdbr1
MAC[$CT3]=$(lx config get "$CT3" volatile.eth0.hwaddr)
ct_dyn6() { ct_addr "$CT3" 6 | tr ' ' '\n' | grep "^$S6:"; }
await 60 "DHCPv6 address of $CT3 in $S6::/64" 'ct_addr "$CT3" 6' has_addr "$CT3" 6 "$S6:"
IP6[$CT3]=$(ct_dyn6 | head -1)
for c in $CT3 $CT4; do
	await 30 "IPv4 address of $c in $SNET.0/24" 'ct_addr "$c" 4' has_addr "$c" 4 "$SNET."
done
# LXD lists a dynamic DHCPv6 lease without a MAC ("can't be tracked down
# to a MAC", it clears the field whatever the DUID holds).
await 10 "list-leases line $CT3,,${IP6[$CT3]},DYNAMIC" 'leases lxdbr1' \
	has_lease lxdbr1 "$CT3" "" "${IP6[$CT3]}" DYNAMIC
await 10 "AAAA ${IP6[$CT3]} for $CT3.lxd in $CT4" 'lookup "$CT4" "$CT3.lxd" AAAA' \
	answers "$CT4" "$CT3.lxd" AAAA "${IP6[$CT3]}"
ok "ipv6.dhcp.stateful=true: dhclient -6 in $CT3 got ${IP6[$CT3]}; list-leases lists it; in $CT4, $CT3.lxd answers AAAA with it"

STATIC6=$S6::200
before=$(reloads "$LLOG1")
# eth0 is the instance's own device here (lxc init --network): set, not override.
lxq config device set "$CT3" eth0 ipv4.address=$SNET.200 ipv6.address=$STATIC6
[ "$(hostsfile lxdbr1 "$CT3")" = "${MAC[$CT3]},$SNET.200,[$STATIC6],$CT3" ] ||
	fail "LXD's hostsfile for $CT3 is '$(hostsfile lxdbr1 "$CT3")'"
until_true 10 "reload of leased on lxdbr1" reloaded "$LLOG1" "$before"
lxq restart -f "$CT3"
await 60 "$STATIC6 on $CT3 after the override" 'ct_addr "$CT3" 6' is_addr "$CT3" 6 "$STATIC6"
await 30 "$SNET.200 on $CT3 after the override" 'ct_addr "$CT3" 4' is_addr "$CT3" 4 "$SNET.200"
await 10 "list-leases line $CT3,${MAC[$CT3]},$STATIC6,STATIC" 'leases lxdbr1' \
	has_lease lxdbr1 "$CT3" "${MAC[$CT3]}" "$STATIC6" STATIC
LEASES1=$LXDDIR/networks/lxdbr1/dnsmasq.leases
v6_leased() { awk -v a="$1" '$3 == a' "$LEASES1" | grep -q .; }
until_true 5 "DHCPv6 lease of $STATIC6 in leased's lease file" v6_leased "$STATIC6"
await 10 "AAAA $STATIC6 for $CT3.lxd in $CT4" 'lookup "$CT4" "$CT3.lxd" AAAA' \
	answers "$CT4" "$CT3.lxd" AAAA "$STATIC6"
out=$(lookup "$CT4" "$CT3.lxd" AAAA)
grep -q "${IP6[$CT3]}" <<<"$out" && fail "$CT3.lxd still answers its old ${IP6[$CT3]}: $out"
ok "ipv4.address=$SNET.200 ipv6.address=$STATIC6 on $CT3: restarted, udhcpc and dhclient -6 get them; STATIC in list-leases; $CT3.lxd answers it, not ${IP6[$CT3]}"

# ---- the machine is as it was -------------------------------------------
teardown
host_state > "$TMP/host.after"
diff "$TMP/host.before" "$TMP/host.after" >"$TMP/host.diff" ||
	fail "the machine changed: $(head -20 "$TMP/host.diff")"
ip netns list | grep -qw "$NS" && fail "namespace $NS is still there"
ok "cleanup: containers, LXD, namespaces and cgroups gone; the machine's files, links, firewall and sysctls as before ($((SECONDS - START)) s)"
