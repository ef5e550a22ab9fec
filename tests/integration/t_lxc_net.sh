#!/bin/bash
# The lxc package's own lxc-net script runs leased as its "dnsmasq", set
# up exactly as README "Switching lxc-net to leased" says (the lines of
# contrib/lxc/default-lxc-net in /etc/default/lxc-net, leased linked as
# /usr/local/lib/leased/bin/dnsmasq), and busybox containers made with the
# lxc busybox template get their addresses from it:
#   1. lxc-net start succeeds; leased daemonizes, writes the pid file lxc-net
#      asks for and runs as lxc-net's unprivileged user;
#   2. the containers get addresses in the bridge's range (lxc-ls -f, lease
#      file);
#   3. lxc-net stop (flush, link down, kill -9) and start: every container
#      renews or re-requests and keeps its address;
#   4. take-over: real dnsmasq runs for one lxc-net start (the way back the
#      README describes) and moves the containers to addresses reserved for
#      them; back on leased, which knows those addresses only from the lease
#      file dnsmasq wrote, restarted containers get them again;
#   5. and back: dnsmasq without the reservations gives the restarted
#      containers those addresses again, from the lease file leased wrote.
#
# Isolation: lxc-net, lxc-start, lxc-ls... run in a network namespace and a
# private mount namespace of their own (held by one "sleep" process), where
# temporary directories are bind-mounted over /run, /usr/local,
# /var/lib/misc, /var/lib/lxc, /var/cache/lxc, /etc/lxc and
# /etc/default/lxc-net, and a fresh sysfs shows that namespace's links.
# lxcbr0, its nftables rules and every packet exist only there; the machine's
# files are compared before and after.
. "$(dirname "$0")/lib.sh"

START=$SECONDS
NS=${ID}n
CT1=${ID}a
CTS="$CT1 ${ID}b"
LNET=10.77.9
L6=fd42:77:9
LEASEFILE=dnsmasq.lxcbr0.leases
R=$TMP/root                    # sources of the bind mounts
LOGDIR=$R/run/dhcp-log         # /run/dhcp-log inside
LEASES=$R/misc/$LEASEFILE      # /var/lib/misc/dnsmasq.lxcbr0.leases inside
LLOG=$LOGDIR/leased.log
DLOG=$LOGDIR/dnsmasq.log
# shellcheck disable=SC2034 # read by fail() in lib.sh
FAIL_LOGS="$LLOG $DLOG $TMP/lxc-net.log $TMP/lxc.log"
HOLDER=""
STARTED=""                     # containers lxc-start was run for
SEEN_PIDS=""                   # container init PIDs, for a last-resort kill
HOST_PATHS="/run/lxc /usr/local/lib/leased /usr/local/sbin/leased /var/lib/misc /var/lib/lxc
/var/cache/lxc /var/log/lxc /etc/lxc /etc/default/lxc /etc/default/lxc-net"

# ---- preconditions: missing pieces fail loudly, never skip -------------
LXCNET=$(dpkg -L lxc 2>/dev/null | grep -m1 '/lxc/lxc-net$')
[ -n "$LXCNET" ] && [ -x "$LXCNET" ] ||
	fail "the lxc package (its lxc-net script) is not installed: run scripts/deps.sh"
for c in lxc-create lxc-start lxc-stop lxc-ls lxc-attach lxc-destroy nft busybox nsenter unshare; do
	command -v "$c" >/dev/null || fail "$c not found: run scripts/deps.sh"
done
[ -x /usr/sbin/dnsmasq ] || fail "/usr/sbin/dnsmasq (dnsmasq-base) not installed: run scripts/deps.sh"
[ -x "$LEASED" ] || fail "$LEASED not built: run make"
[ -f /etc/default/lxc-net ] || fail "/etc/default/lxc-net (lxc's conffile) is missing"
DUSER=""
for u in lxc-dnsmasq dnsmasq nobody; do # lxc-net's own choice of user
	getent passwd "$u" >/dev/null && { DUSER=$u; break; }
done
DUID=$(id -u "$DUSER")

host_state() {
	files_state $HOST_PATHS
	find /sys/fs/cgroup -maxdepth 3 -type d -name '*lxc*' 2>/dev/null | sort
}
host_state > "$TMP/host.before"
note_lxc_pivots

# ---- the private namespaces ---------------------------------------------
mkdir -p "$R/run/lxc" "$LOGDIR" "$R/usr-local/sbin" "$R/usr-local/lib/leased/bin" \
	"$R/misc" "$R/lxc" "$R/cache-lxc" "$R/etc-lxc" "$R/cg"
chmod 755 "$R" "$R/run" "$R/run/lxc" "$LOGDIR" "$R/usr-local" "$R/misc" "$R/lxc" \
	"$R/cache-lxc" "$R/etc-lxc"
cp "$LEASED" "$R/usr-local/sbin/leased"   # make install
ln -s /usr/local/sbin/leased "$R/usr-local/lib/leased/bin/dnsmasq"
cat > "$R/etc-lxc/default.conf" <<EOF
lxc.net.0.type = veth
lxc.net.0.link = lxcbr0
lxc.net.0.flags = up
lxc.net.0.hwaddr = 00:16:3e:xx:xx:xx
EOF
# LXC_DHCP_CONFILE: where leased and dnsmasq log (there is no syslog), and
# no upstream DNS server from the machine's resolv.conf.
printf 'no-resolv\nlog-facility=/run/dhcp-log/leased.log\n' > "$R/etc-lxc/dhcp-leased.conf"

# write_default WHO [plain]: /etc/default/lxc-net for leased (the README's
# lines appended) or for dnsmasq (those lines removed again).  plain: the
# package's defaults but the subnet (lxc-net passes --conf-file=/dev/null);
# else also a domain and WHO's conf-file.  Written in place: it is
# bind-mounted by inode.
write_default() {
	{
		cat <<EOF
USE_LXC_BRIDGE="true"
LXC_BRIDGE="lxcbr0"
LXC_ADDR="$LNET.1"
LXC_NETMASK="255.255.255.0"
LXC_NETWORK="$LNET.0/24"
LXC_DHCP_RANGE="$LNET.2,$LNET.254"
LXC_DHCP_MAX="253"
EOF
		[ "${2:-}" = plain ] ||
			printf 'LXC_DOMAIN="lxc"\nLXC_DHCP_CONFILE=/etc/lxc/dhcp-%s.conf\n' "$1"
		# IPv6 for leased (lxc-net then passes --dhcp-range=ADDR,ra-only).
		[ "${2:-}" != plain ] && [ "$1" = leased ] &&
			printf 'LXC_IPV6_ADDR="%s::1"\nLXC_IPV6_MASK="64"\nLXC_IPV6_NETWORK="%s::/64"\n' \
				"$L6" "$L6"
		[ "$1" = leased ] && cat "$TOP/contrib/lxc/default-lxc-net"
	} > "$R/default-lxc-net"
}
write_default leased plain

# The holder: enters the network namespace, unshares the mount namespace
# (private: nothing propagates back), mounts a sysfs of this network
# namespace (lxc-net reads /sys/class/net) with the cgroup hierarchies kept
# (lxc-start needs them), binds the directories over, then only sleeps.
new_ns "$NS"
cat > "$TMP/holder.sh" <<EOF
set -e
mount --rbind /sys/fs/cgroup $R/cg
mount -t sysfs sysfs /sys
mount --rbind $R/cg /sys/fs/cgroup
umount -l $R/cg
mount --bind $R/run /run
mount --bind $R/usr-local /usr/local
mount --bind $R/misc /var/lib/misc
mount --bind $R/lxc /var/lib/lxc
[ ! -d /var/cache/lxc ] || mount --bind $R/cache-lxc /var/cache/lxc
mount --bind $R/etc-lxc /etc/lxc
mount --bind $R/default-lxc-net /etc/default/lxc-net
touch $TMP/holder.ready
exec sleep 100000
EOF
start_holder "$NS"
# lxc-net as systemd runs it: empty environment, the default PATH.
lxcnet() {
	echo "== lxc-net $1" >>"$TMP/lxc-net.log"
	inns env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		timeout 60 "$LXCNET" "$1" >>"$TMP/lxc-net.log" 2>&1
}

teardown() {
	local c p
	[ -n "$HOLDER" ] || return 0
	for c in $STARTED; do
		inns timeout 20 lxc-stop -k -n "$c" >>"$TMP/lxc.log" 2>&1
	done
	for p in $SEEN_PIDS; do kill -9 "$p" 2>/dev/null; done
	for c in $CTS; do
		[ -e "$R/lxc/$c" ] && inns timeout 20 lxc-destroy -n "$c" >>"$TMP/lxc.log" 2>&1
	done
	lxcnet stop
	ip netns pids "$NS" 2>/dev/null | while read -r p; do kill -9 "$p" 2>/dev/null; done
	kill -9 "$HOLDER" 2>/dev/null
	wait_for dead "$HOLDER"
	HOLDER=""
	wait_for rm_lxc_cgroups
	ip netns del "$NS" 2>/dev/null
	rm -rf "/etc/netns/$NS"
}
at_cleanup teardown

pidfile_pid() { cat "$R/run/lxc/dnsmasq.pid" 2>/dev/null; }
# alive PID: running (a zombie, dead but not yet reaped by init, is not).
alive() { local st; st=$(ps -o stat= -p "$1") && [ "${st#Z}" = "$st" ]; }
dead() { ! alive "$1"; }
in_ns() { [ "$(readlink "/proc/$1/ns/net")" = "$(readlink "/proc/$HOLDER/ns/net")" ]; }
# server_pids: every process in the namespace that is leased or dnsmasq.
server_pids() {
	local p e
	for p in $(ip netns pids "$NS"); do
		e=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		case "$e" in */leased | */dnsmasq) echo "$p" ;; esac
	done
}
no_server_left() { [ -z "$(server_pids)" ]; }
ct_mac() { sed -n 's/^lxc\.net\.0\.hwaddr *= *//p' "$R/lxc/$1/config"; }
# ct_ip NAME: the IPv4 address(es) lxc-ls -f shows for NAME.
ct_ip() { inns lxc-ls -f -F NAME,IPV4 | awk -v n="$1" '$1 == n { print $2 }'; }
# wait_ip NAME [ADDR]: up to 60 s for NAME to show an address in the range
# (or exactly ADDR); prints it.
wait_ip() {
	local ip
	for _ in $(seq 120); do
		ip=$(ct_ip "$1")
		case "$ip" in
		"$LNET".*) [ -z "${2:-}" ] || [ "$ip" = "$2" ] && { echo "$ip"; return 0; } ;;
		esac
		sleep 0.5
	done
	echo "$ip"
	return 1
}
ct_start() {
	inns lxc-start -d -n "$1" >>"$TMP/lxc.log" 2>&1 ||
		fail "lxc-start $1 failed: $(tail -5 "$TMP/lxc.log")"
	case " $STARTED " in *" $1 "*) ;; *) STARTED="$STARTED $1" ;; esac
	SEEN_PIDS="$SEEN_PIDS $(inns lxc-info -p -H -n "$1" 2>/dev/null)"
}
ct_restart() {
	inns timeout 20 lxc-stop -k -n "$1" >>"$TMP/lxc.log" 2>&1 || fail "lxc-stop $1 failed"
	ct_start "$1"
}
# lease_of MAC: the address the lease file gives MAC.
lease_of() { awk -v m="$1" '$2 == m { print $3 }' "$LEASES" 2>/dev/null; }
lease_is() { [ "$(lease_of "$1")" = "$2" ]; }
acks() { grep -c "DHCPACK(lxcbr0) $1 $2" "$3" 2>/dev/null; }
# loaded: how many leases the last leased start loaded.
loaded() { grep 'started, version' "$LLOG" | tail -1 | sed -n 's/.* \([0-9]*\) leases loaded.*/\1/p'; }
acks_over() { [ "$(acks "$1" "$2" "$3")" -gt "$4" ]; }
declare -A IP MAC
# addrs ARRAY: the containers' entries of ARRAY (IP or RES), in order.
addrs() { local -n a=$1; local c out=""; for c in $CTS; do out="$out ${a[$c]}"; done; echo "${out# }"; }

# server_up WHAT EXE: after lxc-net start, the pid file names a live
# daemon running EXE in the namespace; prints its pid.
server_up() {
	local pid
	pid=$(pidfile_pid)
	[ -n "$pid" ] || fail "$1: lxc-net start left no pid file /run/lxc/dnsmasq.pid"
	alive "$pid" || fail "$1: pid file names $pid, which is not running"
	in_ns "$pid" || fail "$1: pid $pid is not in the test's network namespace"
	[ "$(readlink "/proc/$pid/exe")" = "$2" ] ||
		fail "$1: pid $pid runs $(readlink "/proc/$pid/exe"), not $2"
	echo "$pid"
}

# ---- 1. lxc-net start with leased ---------------------------------------
# lxc-net waits for "dnsmasq" to return: its exit 0 means leased's parent
# exited once the daemon was up.  Until step 3 lxc-net runs with the
# package's defaults (--conf-file=/dev/null): leased logs to syslog, which
# is not there, so steps 1 and 2 look at the pid and lease files only.
lxcnet start || fail "lxc-net start exited $?: $(tail -5 "$TMP/lxc-net.log")"
pid=$(server_up "leased" /usr/local/sbin/leased) || exit 1
ppid=$(ps -o ppid= -p "$pid" | tr -d ' ')
[ "$(readlink "/proc/$ppid/exe" 2>/dev/null)" != /usr/local/sbin/leased ] ||
	fail "the pid file names $pid, a child of leased $ppid (the store writer?), not the daemon"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
[ "$uid" = "$DUID" ] || fail "leased runs as uid $uid, not $DUSER ($DUID) that lxc-net passes with -u"
inns ip -4 addr show lxcbr0 | grep -q "inet $LNET.1/24" || fail "lxcbr0 has no $LNET.1/24"
grep -q "Failed to setup" "$TMP/lxc-net.log" && fail "lxc-net reported a failure"
ok "lxc-net start exit 0; leased daemonized as pid $pid (the pid file's), user $DUSER"

# ---- 2. busybox containers get addresses --------------------------------
for c in $CTS; do
	inns lxc-create -n "$c" -t busybox >>"$TMP/lxc.log" 2>&1 ||
		fail "lxc-create -t busybox $c failed: $(tail -5 "$TMP/lxc.log")"
	MAC[$c]=$(ct_mac "$c")
	[ -n "${MAC[$c]}" ] || fail "container $c has no hwaddr in its config"
done
for c in $CTS; do ct_start "$c"; done
for c in $CTS; do
	IP[$c]=$(wait_ip "$c") || fail "container $c got no address in $LNET.0/24 within 60 s (lxc-ls: '${IP[$c]}')"
done
[ "$(printf '%s\n' "${IP[@]}" | sort -u | wc -l)" = 2 ] || fail "both containers have ${IP[$CT1]}"
for c in $CTS; do
	wait_for lease_is "${MAC[$c]}" "${IP[$c]}" ||
		fail "lease file has '$(lease_of "${MAC[$c]}")' for $c (${MAC[$c]}), lxc-ls shows ${IP[$c]}"
done
ok "containers got $(addrs IP) from leased (lxc-ls -f, lease file)"

# ---- 3. lxc-net stop + start keeps every address ------------------------
lxcnet stop || fail "lxc-net stop exited $?"
# kill -9 is asynchronous: the process may take a moment to be gone.
wait_for dead "$pid" || fail "lxc-net stop left leased running: $(ps -o pid,ppid,stat,user,args -p "$pid")"
wait_for no_server_left || fail "after lxc-net stop, still running: $(server_pids)"
inns ip -4 addr show lxcbr0 | grep -q inet && fail "lxc-net stop did not flush lxcbr0"
write_default leased # from now on with a domain and a conf-file (the log)
lxcnet start || fail "second lxc-net start exited $?: $(tail -5 "$TMP/lxc-net.log")"
pid=$(server_up "leased again" /usr/local/sbin/leased) || exit 1
[ "$(loaded)" = 2 ] || fail "restarted leased did not load the 2 leases: $(grep 'started, version' "$LLOG" | tail -1)"
first=$CT1
declare -A BEFORE
for c in $CTS; do BEFORE[$c]=$(acks "${IP[$c]}" "${MAC[$c]}" "$LLOG"); done
# The first container is restarted (DISCOVER with no address to ask for),
# the others renew (busybox udhcpc renews on SIGUSR1).
ct_restart "$first"
for c in $CTS; do
	[ "$c" = "$first" ] ||
		inns lxc-attach -n "$c" -- /bin/killall -USR1 udhcpc || fail "cannot signal udhcpc in $c"
	got=$(wait_ip "$c") || fail "container $c has no address after lxc-net restart"
	[ "$got" = "${IP[$c]}" ] || fail "container $c had ${IP[$c]}, now $got"
	wait_for acks_over "${IP[$c]}" "${MAC[$c]}" "$LLOG" "${BEFORE[$c]}" ||
		fail "no new DHCPACK for $c ${IP[$c]} after the restart of lxc-net"
	wait_for lease_is "${MAC[$c]}" "${IP[$c]}" || fail "lease of $c lost: '$(lease_of "${MAC[$c]}")'"
done
ok "lxc-net stop (kill -9) + start: restarted $first and renewing others keep their addresses"

# ---- 3b. IPv6 (LXC_IPV6_ADDR: ra-only): the containers' kernels form SLAAC addresses
grep -q -- "--dhcp-range=$L6::1,ra-only" "$LLOG" 2>/dev/null ||
	pgrep -a -f "dhcp-range=$L6::1,ra-only" >/dev/null ||
	fail "lxc-net did not pass --dhcp-range=$L6::1,ra-only"
ct_ip6() { inns lxc-ls -f -F NAME,IPV6 | awk -v n="$1" '$1 == n { print $2 }'; }
for c in $CTS; do
	for _ in $(seq 60); do
		case "$(ct_ip6 "$c")" in $L6:*) break ;; esac
		sleep 0.5
	done
	case "$(ct_ip6 "$c")" in $L6:*) ;; *) fail "container $c has no SLAAC address in $L6::/64 (lxc-ls: '$(ct_ip6 "$c")')" ;; esac
done
grep -q "router advertisements on lxcbr0" "$LLOG" || fail "leased logged no router advertisements on lxcbr0"
ok "LXC_IPV6_ADDR (ra-only): containers formed $(for c in $CTS; do printf '%s ' "$(ct_ip6 "$c")"; done)from leased's RAs"

# ---- 4. take-over of a lease file dnsmasq wrote --------------------------
# Back to dnsmasq as the README says (the lines removed again), with a
# reservation moving each container to an address leased never gave it.
lxcnet stop || fail "lxc-net stop exited $?"
wait_for no_server_left || fail "after lxc-net stop, still running: $(server_pids)"
printf 'no-resolv\nlog-facility=/run/dhcp-log/dnsmasq.log\n' > "$R/etc-lxc/dhcp-dnsmasq.conf"
declare -A RES
n=200
for c in $CTS; do
	while printf '%s\n' "${IP[@]}" | grep -qxF "$LNET.$n"; do n=$((n + 1)); done
	RES[$c]=$LNET.$n
	n=$((n + 1))
	echo "dhcp-host=${MAC[$c]},${RES[$c]}" >> "$R/etc-lxc/dhcp-dnsmasq.conf"
done
write_default dnsmasq
lxcnet start || fail "lxc-net start with dnsmasq exited $?: $(tail -5 "$TMP/lxc-net.log")"
dpid=$(server_up "dnsmasq" /usr/sbin/dnsmasq) || exit 1
for c in $CTS; do ct_restart "$c"; done
for c in $CTS; do
	got=$(wait_ip "$c" "${RES[$c]}") || fail "under dnsmasq $c got '$got', not its reservation ${RES[$c]}"
	wait_for lease_is "${MAC[$c]}" "${RES[$c]}" ||
		fail "dnsmasq's lease file has '$(lease_of "${MAC[$c]}")' for $c"
done
ok "switching back works: lxc-net ran /usr/sbin/dnsmasq (pid $dpid), which moved the containers to $(addrs RES)"
cp "$LEASES" "$TMP/dnsmasq-written.leases"

lxcnet stop || fail "lxc-net stop exited $?"
wait_for no_server_left || fail "after lxc-net stop, still running: $(server_pids)"
write_default leased
lxcnet start || fail "lxc-net start back on leased exited $?: $(tail -5 "$TMP/lxc-net.log")"
pid=$(server_up "leased after dnsmasq" /usr/local/sbin/leased) || exit 1
[ "$(loaded)" = 2 ] || fail "leased did not load dnsmasq's 2 leases: $(grep 'started, version' "$LLOG" | tail -1)"
for c in $CTS; do
	[ "$(lease_of "${MAC[$c]}")" = "${RES[$c]}" ] ||
		fail "leased's lease file has '$(lease_of "${MAC[$c]}")' for $c, dnsmasq wrote ${RES[$c]}"
done
for c in $CTS; do ct_restart "$c"; done
for c in $CTS; do
	got=$(wait_ip "$c" "${RES[$c]}") || fail "back on leased $c got '$got', dnsmasq had given it ${RES[$c]}"
	wait_for acks_over "${RES[$c]}" "${MAC[$c]}" "$LLOG" 0 || fail "leased logged no DHCPACK for $c ${RES[$c]}"
done
ok "leased took over dnsmasq's lease file: restarted containers keep $(addrs RES)"

# ---- and the way back: dnsmasq reads the lease file leased wrote ---------
# No reservations now: the reserved addresses are nothing dnsmasq would
# pick by itself, so keeping them needs leased's lease file.
for c in $CTS; do wait_for lease_is "${MAC[$c]}" "${RES[$c]}" || fail "leased lost the lease of $c"; done
lxcnet stop || fail "lxc-net stop exited $?"
wait_for no_server_left || fail "after lxc-net stop, still running: $(server_pids)"
printf 'no-resolv\nlog-facility=/run/dhcp-log/dnsmasq.log\n' > "$R/etc-lxc/dhcp-dnsmasq.conf"
write_default dnsmasq
lxcnet start || fail "lxc-net start with dnsmasq exited $?: $(tail -5 "$TMP/lxc-net.log")"
dpid=$(server_up "dnsmasq again" /usr/sbin/dnsmasq) || exit 1
for c in $CTS; do ct_restart "$c"; done
for c in $CTS; do
	got=$(wait_ip "$c" "${RES[$c]}") || fail "back on dnsmasq $c got '$got', leased's lease file has ${RES[$c]}"
done
ok "the way back: dnsmasq read leased's lease file, restarted containers keep their addresses"

# ---- the machine is as it was -------------------------------------------
teardown
host_state > "$TMP/host.after"
diff "$TMP/host.before" "$TMP/host.after" >"$TMP/host.diff" ||
	fail "the machine's files changed: $(head -20 "$TMP/host.diff")"
ip netns list | grep -qw "$NS" && fail "namespace $NS is still there"
ok "cleanup: containers, namespaces and cgroups gone, the machine's lxc files untouched ($((SECONDS - START)) s)"
