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
# Isolation: lxc-net and the containers run in namespaces of their own
# (lib.sh, "lxc-net with busybox containers"), with /usr/local and
# /etc/default/lxc-net among the paths bind-mounted over; the machine's
# files are compared before and after.
. "$(dirname "$0")/lib.sh"

START=$SECONDS
lxc_init
CT1=${ID}a
CTS="$CT1 ${ID}b"
HOST_PATHS="$HOST_PATHS /usr/local/lib/leased /usr/local/sbin/leased"
[ -x "$LEASED" ] || fail "$LEASED not built: run make"
host_state > "$TMP/host.before"

lxc_setup
cp "$LEASED" "$R/usr-local/sbin/leased"   # make install
ln -s /usr/local/sbin/leased "$R/usr-local/lib/leased/bin/dnsmasq"
write_default leased plain

# loaded: how many leases the last leased start loaded.
loaded() { grep 'started, version' "$LLOG" | tail -1 | sed -n 's/.* \([0-9]*\) leases loaded.*/\1/p'; }
acks_over() { [ "$(acks "$1" "$2" "$3")" -gt "$4" ]; }
declare -A IP MAC
# addrs ARRAY: the containers' entries of ARRAY (IP or RES), in order.
addrs() { local -n a=$1; local c out=""; for c in $CTS; do out="$out ${a[$c]}"; done; echo "${out# }"; }

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
server_user_ok "$pid"
inns ip -4 addr show lxcbr0 | grep -q "inet $LNET.1/24" || fail "lxcbr0 has no $LNET.1/24"
grep -q "Failed to setup" "$TMP/lxc-net.log" && fail "lxc-net reported a failure"
ok "lxc-net start exit 0; leased daemonized as pid $pid (the pid file's), user $DUSER"

# ---- 2. busybox containers get addresses --------------------------------
for c in $CTS; do ct_create "$c"; done
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
lxc_teardown
host_state > "$TMP/host.after"
diff "$TMP/host.before" "$TMP/host.after" >"$TMP/host.diff" ||
	fail "the machine's files changed: $(head -20 "$TMP/host.diff")"
ip netns list | grep -qw "$NS" && fail "namespace $NS is still there"
ok "cleanup: containers, namespaces and cgroups gone, the machine's lxc files untouched ($((SECONDS - START)) s)"
