# Shared helpers for integration tests: a server namespace with a bridge,
# client namespaces on veth pairs, leased started and stopped by PID, and
# a cleanup trap that removes every namespace, /etc/netns entry, process
# and temporary file the test made, also when it fails.
#
# All traffic stays inside these namespaces: the bridge subnet exists only
# there.  Source this file; call `setup_server`, `add_client NAME`, then
# `start_leased ARGS...`.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# LEASED_BIN: run another binary instead, e.g. a script that execs
# `dnsmasq --conf-file=/dev/null -u root "$@"`, to compare with dnsmasq.
# LEASED_BUILD: where leased and leasectl are (make check-sanitize points
# it at the ASan+UBSan build).
BUILD=${LEASED_BUILD:-$TOP/build}
LEASED=${LEASED_BIN:-$BUILD/leased}
ID=lt$$
SRV=${ID}-srv # clients are ${ID}NAME: no clash
BR=br0
NET=10.77.3
PREFIX=${PREFIX:-24}
SRV_ADDR=$NET.1
TMP=$(mktemp -d /tmp/leased-test.XXXXXX)
NAMESPACES=""
PIDS=""
LEASED_PID=""

CLEANUP_HOOKS=()

# at_cleanup CMD [ARGS...]: run CMD first when the test ends, however it
# ends (hooks run in the order they were added, before anything below).
at_cleanup() { CLEANUP_HOOKS+=("$*"); }

cleanup() {
	local h rc=$?
	for h in "${CLEANUP_HOOKS[@]}"; do eval "$h"; done
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	[ -n "$LEASED_PID" ] && stop_leased_hard
	for ns in $NAMESPACES; do
		ip netns pids "$ns" 2>/dev/null | while read -r p; do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
	done
	# A sanitizer report (make check-sanitize) from leased or a child of
	# it fails the test even when the test itself did not notice.
	if grep -qs -e 'runtime error:' -e 'Sanitizer' "$TMP"/*.stderr; then
		echo "FAIL: sanitizer report:" >&2
		grep -hs -A 30 -e 'runtime error:' -e 'Sanitizer' "$TMP"/*.stderr | head -60 >&2
		rc=1
	fi
	[ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	local f
	echo "FAIL: $*" >&2
	# FAIL_LOGS: the logs worth showing on failure (default: leased's).
	for f in ${FAIL_LOGS:-$TMP/leased.log}; do
		[ -f "$f" ] || continue
		echo "--- $f (last 30 lines)" >&2
		tail -30 "$f" >&2
	done
	exit 1
}

ok() { echo "ok: $*"; }

new_ns() {
	ip netns add "$1" || fail "cannot create namespace $1"
	NAMESPACES="$NAMESPACES $1"
	# dhclient-script and friends must not touch the machine's resolv.conf.
	mkdir -p "/etc/netns/$1"
	: > "/etc/netns/$1/resolv.conf"
	ip -n "$1" link set lo up
}

setup_server() {
	new_ns "$SRV"
	ip -n "$SRV" link add "$BR" type bridge || fail "cannot create bridge"
	ip -n "$SRV" addr add "$SRV_ADDR/$PREFIX" dev "$BR"
	ip -n "$SRV" link set "$BR" up
}

# setup_server6 PREFIX: setup_server, and the bridge's IPv6 address
# PREFIX::1/64 (no DAD: usable at once); sets P6 and SRV6.
setup_server6() {
	P6=$1
	SRV6=$P6::1
	setup_server
	ip -n "$SRV" -6 addr add "$SRV6/64" dev "$BR" nodad
}

# add_client NAME [MAC]: namespace NAME with eth0 on the server's bridge.
add_client() {
	local ns=${ID}$1 mac=${2:-}
	new_ns "$ns"
	ip link add "v$ns" type veth peer name eth0 netns "$ns" || fail "cannot create veth"
	ip link set "v$ns" netns "$SRV"
	ip -n "$SRV" link set "v$ns" master "$BR" up
	[ -n "$mac" ] && ip -n "$ns" link set eth0 address "$mac"
	ip -n "$ns" link set eth0 up
}

client_ns() { echo "${ID}$1"; }

started_count() { cat "$TMP/leased.log" 2>/dev/null | grep -c 'started, version'; }

# start_leased ARGS...: leased in the foreground (-k), in the server
# namespace, logging to $TMP/leased.log; waits until it answers.
start_leased() {
	local before ctl=()
	before=$(started_count)
	# Its own control socket: /run/leased is the machine's, and tests
	# (of this run or another one beside it) must never meet there.
	case " $* " in *" --control-socket="*) ;; *) [ -z "${LEASED_BIN:-}" ] && ctl=(--control-socket="$TMP/ctl.sock") ;; esac
	ip netns exec "$SRV" "$LEASED" -k --log-facility="$TMP/leased.log" \
		--dhcp-leasefile="${LEASEFILE:-$TMP/leases}" --pid-file="$TMP/leased.pid" "${ctl[@]}" "$@" \
		2>>"$TMP/leased.stderr" &
	LEASED_PID=$!
	# Up to 20 s: a start takes well under a second, but not on a machine
	# busy compiling (a slow start is no failure of what a test checks).
	for _ in $(seq 200); do
		[ "$(started_count)" -gt "$before" ] && return 0
		kill -0 "$LEASED_PID" 2>/dev/null || { cat "$TMP/leased.stderr" >&2; fail "leased exited at start"; }
		sleep 0.1
	done
	fail "leased did not start"
}

# start_as PIDFILE ARGS...: leased with a caller's own ARGS, started as
# that caller starts it: daemonizing unless ARGS keep it in the
# foreground.  Added before ARGS: only what keeps it inside the test, its
# log, its control socket and (unless ARGS name one) a lease file in
# $TMP.  PIDFILE: the pid file ARGS name ("" when they name none and keep
# it in the foreground: then the started process is the daemon).
start_as() {
	local pidfile=$1 before ctl=()
	shift
	before=$(started_count)
	[ -z "$pidfile" ] || rm -f "$pidfile"
	[ -z "${LEASED_BIN:-}" ] && ctl=(--control-socket="$TMP/ctl.sock")
	# (dnsmasq refuses a second one: only when ARGS name none.)
	case " $* " in *" --dhcp-leasefile="*) ;; *) ctl+=(--dhcp-leasefile="${LEASEFILE:-$TMP/leases}") ;; esac
	ip netns exec "$SRV" "$LEASED" --log-facility="$TMP/leased.log" "${ctl[@]}" "$@" \
		2>>"$TMP/leased.stderr" &
	LEASED_PID=$!
	for _ in $(seq 200); do
		[ "$(started_count)" -gt "$before" ] && break
		[ -n "$pidfile" ] || kill -0 "$LEASED_PID" 2>/dev/null ||
			{ cat "$TMP/leased.stderr" >&2; fail "leased exited at start"; }
		sleep 0.1
	done
	[ "$(started_count)" -gt "$before" ] || fail "leased did not start"
	[ -n "$pidfile" ] || return 0
	# Daemonized: the process started has exited; the daemon is in the pid file.
	wait "$LEASED_PID" || fail "leased's first process exited with $?"
	LEASED_PID=""
	wait_for test -s "$pidfile" || fail "leased wrote no pid file $pidfile"
	LEASED_PID=$(cat "$pidfile")
	kill -0 "$LEASED_PID" 2>/dev/null || fail "the pid file $pidfile names $LEASED_PID, not running"
}

stop_leased() {
	kill -TERM "$LEASED_PID" 2>/dev/null
	wait "$LEASED_PID" 2>/dev/null
	LEASED_PID=""
}

# kill -9, as lxc-net does; also the store writer it forked.
# proc_gone PID: the process has exited (a zombie has: its sockets are closed).
proc_gone() { local st; ! st=$(ps -o stat= -p "$1" 2>/dev/null) || [ "${st#Z}" != "$st" ]; }

stop_leased_hard() {
	local kids p
	kids=$(pgrep -P "$LEASED_PID" 2>/dev/null)
	kill -9 "$LEASED_PID" $kids 2>/dev/null
	wait "$LEASED_PID" 2>/dev/null
	# A daemonized leased is not our child, so wait returned at once:
	# its ports are free only once it has exited.
	for p in $LEASED_PID $kids; do
		for _ in $(seq 100); do proc_gone "$p" && break; sleep 0.05; done
	done
	LEASED_PID=""
}

# udhcpc_lease NAME [HOSTNAME [ARGS...]]: one lease with busybox udhcpc
# (ARGS added to its command line); prints the address.  What it was
# given: udhcpc_got NAME FIELD (ip, router, dns, domain, lease...).
UDHCPC_SCRIPT=$TOP/tests/integration/udhcpc-script.sh
udhcpc_lease() {
	local name=$1 ns host_opt=()
	ns=$(client_ns "$name")
	[ -n "${2:-}" ] && host_opt=(-x "hostname:$2")
	shift $(($# < 2 ? $# : 2))
	ip netns exec "$ns" env LEASE_OUT="$TMP/$name.udhcpc" udhcpc -i eth0 -f -q -n \
		-t 6 -T 1 -A 1 -s "$UDHCPC_SCRIPT" "${host_opt[@]}" "$@" >"$TMP/$name.udhcpc.log" 2>&1 ||
		fail "udhcpc in $name got no lease: $(tail -3 "$TMP/$name.udhcpc.log")"
	udhcpc_got "$name" ip
}
udhcpc_got() { sed -n "s/^$2=//p" "$TMP/$1.udhcpc"; }

# dhclient_stop NAME: the dhclients (-4 and -6) left running in NAME stop.
dhclient_stop() {
	local f pid
	for f in "$TMP/$1.dh4.pid" "$TMP/$1.dh6.pid"; do
		pid=$(cat "$f" 2>/dev/null) || continue
		kill "$pid" 2>/dev/null
		for _ in $(seq 30); do proc_gone "$pid" && break; sleep 0.1; done
		rm -f "$f"
	done
}
# dhclient4_lease NAME: ISC dhclient -4 in client NAME, one attempt (-1),
# with a script ($TMP/NAME.dh4-script) that records the address in
# $TMP/NAME.ip and configures it.  It stays in the background to renew
# (its PID joins PIDS: call it not from a subshell) until dhclient_stop
# NAME (or the next dhclient4_lease NAME).
dhclient4_lease() {
	local name=$1 ns
	ns=$(client_ns "$name")
	dhclient_stop "$name"
	rm -f "$TMP/$name.ip"
	# dhclient gives its script a fresh environment: the path is written in.
	cat >"$TMP/$name.dh4-script" <<EOS
#!/bin/sh
case "\$reason" in BOUND|RENEW|REBOOT)
	echo "\$new_ip_address" > "$TMP/$name.ip"
	ip addr add "\$new_ip_address/24" dev "\$interface" 2>/dev/null ;;
esac
exit 0
EOS
	chmod +x "$TMP/$name.dh4-script"
	ip netns exec "$ns" timeout 20 dhclient -4 -1 -sf "$TMP/$name.dh4-script" \
		-lf "$TMP/$name.dh4.leases" -pf "$TMP/$name.dh4.pid" eth0 >>"$TMP/$name.dh4.log" 2>&1 ||
		fail "dhclient -4 in $name got no lease: $(tail -3 "$TMP/$name.dh4.log")"
	PIDS="$PIDS $(cat "$TMP/$name.dh4.pid" 2>/dev/null)"
}

# dhclient6_lease NAME FQDN [ARGS...]: ISC dhclient -6 in client NAME, one
# attempt (-1), sending FQDN; the address it binds goes to $TMP/NAME.ip6.
# On success it stays in the background to renew (its PID joins PIDS);
# ARGS go to dhclient (-r: release).  False when it got nothing.
dhclient6_lease() {
	local name=$1 fqdn=$2 ns pid
	shift 2
	ns=$(client_ns "$name")
	cat > "$TMP/$name.dh6-script" <<EOS
#!/bin/sh
case "\$reason" in BOUND6|RENEW6|REBIND6|REBOOT6)
	echo "\$new_ip6_address" > "$TMP/$name.ip6" ;;
esac
exit 0
EOS
	chmod +x "$TMP/$name.dh6-script"
	echo "send fqdn.fqdn \"$fqdn\";" > "$TMP/$name.dh6.conf"
	ip netns exec "$ns" timeout 30 dhclient -6 -1 -v -cf "$TMP/$name.dh6.conf" \
		-sf "$TMP/$name.dh6-script" -lf "$TMP/$name.dh6.leases" -pf "$TMP/$name.dh6.pid" \
		"$@" eth0 >>"$TMP/$name.dh6.log" 2>&1 || return 1
	pid=$(cat "$TMP/$name.dh6.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		case " $PIDS " in *" $pid "*) ;; *) PIDS="$PIDS $pid" ;; esac
	fi
	return 0
}

# ll_ready NAME: up to 10 s for a usable (not tentative) link-local
# address on client NAME's eth0 (DHCPv6 clients need one).
ll_ready() {
	local ns
	ns=$(client_ns "$1")
	until_true 10 "usable link-local address in $1" sh -c \
		"ip -n $ns -6 addr show dev eth0 scope link | grep -q inet6 && ! ip -n $ns -6 addr show dev eth0 | grep -q tentative"
}

# start_holder NS: run $TMP/holder.sh (which mounts what it needs, touches
# $TMP/holder.ready, then execs sleep) in network namespace NS and a new,
# private mount namespace; its PID in HOLDER.  inns CMD...: run CMD there.
start_holder() {
	# Started from a subshell: not a job of this shell (no "Killed" notice).
	(
		nsenter --net="/run/netns/$1" unshare -m --propagation private bash "$TMP/holder.sh" \
			>"$TMP/holder.log" 2>&1 &
		echo $! > "$TMP/holder.pid"
	)
	HOLDER=$(cat "$TMP/holder.pid")
	wait_for test -e "$TMP/holder.ready" ||
		fail "namespace holder did not start: $(cat "$TMP/holder.log")"
}
inns() { nsenter -t "$HOLDER" -m -n -- "$@"; }

# write_holder < MOUNTS: $TMP/holder.sh for start_holder: a sysfs of its
# network namespace with the cgroup hierarchies kept (in $R/cg meanwhile),
# then the MOUNTS lines (shell), then ready, then only sleep.
write_holder() {
	{
		printf 'set -e\nmount --rbind /sys/fs/cgroup %s/cg\nmount -t sysfs sysfs /sys\n' "$R"
		printf 'mount --rbind %s/cg /sys/fs/cgroup\numount -l %s/cg\n' "$R" "$R"
		cat
		printf 'touch %s/holder.ready\nexec sleep 100000\n' "$TMP"
	} > "$TMP/holder.sh"
}

# files_state PATH...: a line per file under each PATH (or "PATH absent"),
# to compare the machine before and after a test that runs system tools.
files_state() {
	local p
	for p in "$@"; do
		if [ -e "$p" ]; then
			find "$p" -xdev -printf '%p %y %s %m %u %T@\n' 2>/dev/null | sort
		else
			echo "$p absent"
		fi
	done
}

# LXC leaves an empty lxc.pivot cgroup in every hierarchy: the ones not
# there when note_lxc_pivots ran (at the test's start) are the test's.
note_lxc_pivots() {
	find /sys/fs/cgroup -maxdepth 3 -type d -name lxc.pivot > "$TMP/pivots.before" 2>/dev/null
}
# rm_lxc_cgroups: remove the cgroups the test's containers left (their
# names carry the test's ID) and the lxc.pivot it made; true when none is
# left (a cgroup whose last process is still exiting is busy).
rm_lxc_cgroups() {
	local d left=0
	while read -r d; do
		case "$d" in */lxc.pivot) grep -qxF "$d" "$TMP/pivots.before" && continue ;; esac
		rmdir "$d" 2>/dev/null || left=1
	done < <(find /sys/fs/cgroup -maxdepth 6 -depth -type d \
		\( -path "*lxc.*.$ID*" -o -name lxc.pivot \) 2>/dev/null)
	return $left
}

# lease_line IP: the lease-file line for IP, from the file leased keeps.
lease_line() { grep " $1 " "${LEASEFILE:-$TMP/leases}" 2>/dev/null; }

# wait_for CMD...: retry a condition for up to 3 s.
wait_for() {
	for _ in $(seq 30); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# until_true SECONDS WHAT CMD...: fail naming WHAT unless CMD succeeds in time.
until_true() {
	local secs=$1 what=$2
	shift 2
	for _ in $(seq $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	fail "no $what within $secs s"
}

# ---- DNS (t_dns_*.sh) ----
# An upstream DNS server (dnsupstream.py, on Debian's python3 with
# dnspython) in namespace ${ID}up, on the server's bridge, at addresses
# outside the DHCP ranges; dig from client namespaces.
PY3=/usr/bin/python3
UPSTREAM_PY=$TOP/tests/integration/dnsupstream.py
UP_NS=${ID}up
declare -A UPSTREAM_PIDS=()

# need_dns_tools: fail loudly when dig or python3-dnspython is missing.
need_dns_tools() {
	command -v dig >/dev/null || fail "dig missing (dnsutils; scripts/deps.sh installs it)"
	[ -x "$PY3" ] || fail "$PY3 missing (scripts/deps.sh installs python3)"
	"$PY3" -c 'import dns.message' 2>/dev/null ||
		fail "dnspython missing for $PY3 (python3-dnspython; scripts/deps.sh)"
}

# add_upstream_ns ADDR...: namespace $UP_NS on the bridge with these addresses.
add_upstream_ns() {
	local a
	add_client up
	for a in "$@"; do
		ip -n "$UP_NS" addr add "$a/$PREFIX" dev eth0 || fail "cannot add $a to $UP_NS"
	done
}

# start_upstream TAG ADDR [dnsupstream.py ARGS...]: an upstream listening
# on ADDR:53 in $UP_NS.  Its rules file is $TMP/TAG.rules (see up_rules),
# its counts $TMP/TAG.counts (see up_count), its log $TMP/TAG.log.
start_upstream() {
	local tag=$1 addr=$2 pid
	shift 2
	need_dns_tools
	[ -e "$TMP/$tag.rules" ] || : >"$TMP/$tag.rules"
	rm -f "$TMP/$tag.pid"
	ip netns exec "$UP_NS" "$PY3" "$UPSTREAM_PY" --addr "$addr" \
		--rules-file "$TMP/$tag.rules" --counts "$TMP/$tag.counts" \
		--pid-file "$TMP/$tag.pid" "$@" >>"$TMP/$tag.log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	UPSTREAM_PIDS[$tag]=$pid
	at_cleanup stop_upstream "$tag"
	for _ in $(seq 50); do
		[ -s "$TMP/$tag.pid" ] && return 0
		kill -0 "$pid" 2>/dev/null || fail "upstream $tag exited at start: $(tail -3 "$TMP/$tag.log")"
		sleep 0.1
	done
	fail "upstream $tag did not start: $(tail -3 "$TMP/$tag.log")"
}

stop_upstream() {
	local pid=${UPSTREAM_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "UPSTREAM_PIDS[$1]"
}

# up_rules TAG < RULES: replace upstream TAG's rules (read at its next query).
up_rules() {
	cat >"$TMP/$1.rules.new" && mv -f "$TMP/$1.rules.new" "$TMP/$1.rules"
}

# up_count TAG NAME [TYPE [TRANSPORT]]: how often upstream TAG was asked
# (every type and transport unless given).
up_count() {
	awk -v n="$2" -v t="${3:-}" -v tr="${4:-}" \
		'$1 == n && (t == "" || $2 == t) && (tr == "" || $3 == tr) { c += $4 } END { print c + 0 }' \
		"$TMP/$1.counts" 2>/dev/null || echo 0
}

# dig_in CLIENT ARGS...: dig from client CLIENT's namespace, one try of 2 s
# (later +time=N wins), to the server unless ARGS name another @server.
dig_in() {
	local ns at="@$SRV_ADDR" a
	ns=$(client_ns "$1")
	shift
	for a in "$@"; do case "$a" in @*) at="" ;; esac; done
	ip netns exec "$ns" dig +tries=1 +time=2 $at "$@" 2>&1
}

# Parts of dig's output (text in $1).
dig_status() { sed -n 's/.*->>HEADER<<-.* status: \([A-Z]*\),.*/\1/p' <<<"$1" | head -1; }
dig_flags() { sed -n 's/^;; flags: \([^;]*\);.*/\1/p' <<<"$1" | head -1; }
dig_has_flag() { dig_flags "$1" | tr ' ' '\n' | grep -qx "$2"; }
# dig_count OUT SECTION: the header's count (QUERY, ANSWER, AUTHORITY, ADDITIONAL).
dig_count() { sed -n "s/^;; flags:.* $2: \([0-9]*\).*/\1/p" <<<"$1" | head -1; }
dig_size() { sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\).*/\1/p' <<<"$1" | head -1; }
# dig_section OUT SECTION: the records of ANSWER, AUTHORITY or ADDITIONAL.
dig_section() { awk -v s=";; $2 SECTION:" '$0 == s { on = 1; next } on && /^$/ { on = 0 } on' <<<"$1"; }
# dig_rdata OUT TYPE [SECTION]: the data of the records of TYPE (ANSWER by default).
dig_rdata() {
	dig_section "$1" "${3:-ANSWER}" |
		awk -v t="$2" '$4 == t { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }'
}

# ---- leasectl (t_leasectl_*.sh, t_control_protocol.sh) ----
# Give leased --control-socket="$CTL_SOCK": tests never touch /run/leased.
LEASECTL=$BUILD/leasectl
CTL_SOCK=$TMP/ctl.sock

need_jq() { command -v jq >/dev/null || fail "jq missing (scripts/deps.sh installs it)"; }

# ctl ARGS...: leasectl in the server namespace, on $CTL_SOCK.
ctl() { ip netns exec "$SRV" "$LEASECTL" --control-socket="$CTL_SOCK" "$@"; }

# ctl_run ARGS...: ctl, keeping its output in $CTL_OUT, its messages in
# $CTL_ERR and its exit status in $CTL_RC (never fails by itself).
ctl_run() {
	CTL_RC=0
	ctl "$@" >"$TMP/ctl.out" 2>"$TMP/ctl.err" || CTL_RC=$?
	CTL_OUT=$(cat "$TMP/ctl.out")
	CTL_ERR=$(cat "$TMP/ctl.err")
}

# ctl_ok ARGS...: ctl_run, failing the test unless leasectl exits 0.
ctl_ok() {
	ctl_run "$@"
	[ "$CTL_RC" = 0 ] || fail "leasectl $*: exit $CTL_RC, stderr: $CTL_ERR, stdout: $CTL_OUT"
}

# ctl_bg OUT ARGS...: leasectl ARGS in the background (its own PID in
# $CTL_BG_PID, stopped at cleanup), stdout to OUT, stderr to OUT.err.
ctl_bg() {
	local out=$1
	shift
	ip netns exec "$SRV" "$LEASECTL" --control-socket="$CTL_SOCK" "$@" >"$out" 2>"$out.err" &
	CTL_BG_PID=$!
	PIDS="$PIDS $CTL_BG_PID"
	at_cleanup "kill $CTL_BG_PID 2>/dev/null"
}

# ctl_conns: the control connections from the server namespace that
# leased has accepted and whose requests it has read (nothing unread).
ctl_conns() {
	ip netns exec "$SRV" ss -xn 2>/dev/null |
		awk -v p="$CTL_SOCK" '$2 == "ESTAB" && $5 == p && $3 == 0 { n++ } END { print n + 0 }'
}

# jq_true JSON JQ-ARGS...: jq JQ-ARGS (the filter last) on the text JSON
# prints exactly true (jq -e alone passes on empty input).
jq_true() { [ "$(jq -c "${@:2}" <<<"$1" 2>/dev/null)" = true ]; }

# ---- stub resolvers (t_dns_stub_*.sh) ----
# tests/integration/gai.c built against glibc and against musl (static, so
# no musl loader is needed), run in a client namespace whose resolv.conf
# names leased: the resolvers programs really use, not dig.
GAI_SRC=$TOP/tests/integration/gai.c
STUB_LIBCS=${STUB_LIBCS:-glibc musl} # "musl": only that one (looking into a failure)

# need_stub_clients: build $TMP/gai-glibc and $TMP/gai-musl; fail loudly
# when a compiler is missing or glibc would not ask DNS itself.
need_stub_clients() {
	command -v gcc >/dev/null || fail "gcc missing (scripts/deps.sh installs it)"
	command -v musl-gcc >/dev/null || fail "musl-gcc missing (musl-tools; scripts/deps.sh installs it)"
	command -v unshare >/dev/null || fail "unshare missing (util-linux)"
	# glibc's getaddrinfo asks nscd when its socket exists: the lookup would
	# leave the namespace.
	if [ -e /var/run/nscd/socket ] || [ -e /run/nscd/socket ]; then
		fail "nscd runs on this machine: glibc in a namespace would ask it, not leased"
	fi
	grep -q '^hosts:.*\bdns\b' /etc/nsswitch.conf ||
		fail "/etc/nsswitch.conf has no dns source for hosts: glibc cannot be tested"
	gcc -O2 -Wall -Werror -o "$TMP/gai-glibc" "$GAI_SRC" 2>"$TMP/gai-glibc.err" ||
		fail "gcc gai.c: $(cat "$TMP/gai-glibc.err")"
	musl-gcc -static -O2 -Wall -Werror -o "$TMP/gai-musl" "$GAI_SRC" 2>"$TMP/gai-musl.err" ||
		fail "musl-gcc gai.c: $(cat "$TMP/gai-musl.err")"
}

# stub_resolv CLIENT: CLIENT's namespace resolves through leased only.
# `ip netns exec` bind-mounts /etc/netns/NS/resolv.conf and hosts over
# /etc's, so the machine's /etc/hosts cannot answer a test name.
stub_resolv() {
	local ns
	ns=$(client_ns "$1")
	# No search line: a name is asked as it is (gai runs under a hostname
	# without a dot, so glibc derives no search domain from it either).
	# timeout:5 - glibc: wait 5 s for an answer from a server before the
	#   next try; musl: the whole lookup gives up after 5 s (both default).
	# attempts:1 - glibc: one round over the servers, no retry (default 2);
	#   musl: send once in those 5 s (default 2: again after 2.5 s), but
	#   again at once after a SERVFAIL (musl does that whatever the options).
	#   So a lookup's time is leased's, not the stub's retry schedule.
	# Both send A and AAAA at once from one socket (glibc unless
	# single-request, musl always).  musl fails the whole lookup when
	# either answer is missing or SERVFAIL (EAI_AGAIN) or NXDOMAIN
	# (EAI_NONAME); glibc keeps the addresses of the one answered.
	printf 'nameserver %s\noptions timeout:5 attempts:1\n' "$SRV_ADDR" >"/etc/netns/$ns/resolv.conf"
	printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"/etc/netns/$ns/hosts"
	[ "$(ip netns exec "$ns" cat /etc/hosts /etc/resolv.conf)" = \
		"$(cat "/etc/netns/$ns/hosts" "/etc/netns/$ns/resolv.conf")" ] ||
		fail "ip netns exec $ns does not show the namespace its own /etc/hosts and resolv.conf"
}

# gai LIBC CLIENT NAME...: getaddrinfo() of each NAME by the LIBC (glibc
# or musl) client in CLIENT's namespace; its lines in $GAI (see gai.c).
gai() {
	local libc=$1 ns
	ns=$(client_ns "$2")
	shift 2
	# shellcheck disable=SC2016
	GAI=$(ip netns exec "$ns" unshare --uts sh -c 'hostname gai && exec "$@"' sh \
		"$TMP/gai-$libc" "$@" 2>&1)
}

# Parts of one gai line (the line for NAME in $GAI).
gai_line() { awk -v n="$1" '$1 == n' <<<"$GAI" | head -1; }
# gai_addrs NAME: its sorted addresses, or "FAIL CODE" (EAI_ code, e.g. -2).
gai_addrs() {
	gai_line "$1" | awk '$2 == "OK" { s = ""; for (i = 3; i < NF; i++) s = s (s ? " " : "") $i; print s }
		$2 == "FAIL" { print "FAIL " $(NF - 1) }'
}
gai_ms() { gai_line "$1" | sed -n 's/.* ms=\([0-9]*\)$/\1/p'; }

# expect_gai NAME WANT MAX_MS: NAME's line in $GAI has WANT (gai_addrs)
# and took less than MAX_MS.
expect_gai() {
	local got ms
	got=$(gai_addrs "$1")
	ms=$(gai_ms "$1")
	[ "$got" = "$2" ] || fail "getaddrinfo $1: want '$2', got: $GAI"
	[ -n "$ms" ] && [ "$ms" -lt "$3" ] || fail "getaddrinfo $1: took ${ms:-?} ms, want < $3: $GAI"
}

# ---- lxc-net with busybox containers (t_lxc_net.sh, t_package.sh) ----
# The lxc package's own lxc-net, lxc-start, lxc-ls... run in a network
# namespace and a private mount namespace of their own (held by one
# "sleep" process), where temporary directories are bind-mounted over
# /run, /usr/local, /var/lib/misc, /var/lib/lxc, /var/cache/lxc, /etc/lxc
# and /etc/default/lxc-net, and a fresh sysfs shows that namespace's
# links.  lxcbr0, its nftables rules and every packet exist only there.
# lxc_init (preconditions and names; then set CTS, the containers), then
# lxc_setup (the namespaces; lxc_teardown at cleanup); then write_default,
# lxcnet start|stop, ct_create, ct_start, wait_ip, server_up...

# lxc_init: the names below; missing pieces fail loudly, never skip.
lxc_init() {
	local c u
	NS=${ID}n
	LNET=10.77.9
	L6=fd42:77:9
	R=$TMP/root                    # sources of the bind mounts
	LOGDIR=$R/run/dhcp-log         # /run/dhcp-log inside
	LEASES=$R/misc/dnsmasq.lxcbr0.leases # /var/lib/misc/dnsmasq.lxcbr0.leases inside
	LLOG=$LOGDIR/leased.log
	DLOG=$LOGDIR/dnsmasq.log
	FAIL_LOGS="$LLOG $DLOG $TMP/lxc-net.log $TMP/lxc.log"
	HOLDER=""
	CTS=""                         # the test's containers
	STARTED=""                     # containers lxc-start was run for
	SEEN_PIDS=""                   # container init PIDs, for a last-resort kill
	# The machine's paths lxc's tools could touch (a test adds its own to
	# HOST_PATHS): host_state must not change.
	HOST_PATHS="/run/lxc /var/lib/misc /var/lib/lxc /var/cache/lxc /var/log/lxc /etc/lxc
/etc/default/lxc /etc/default/lxc-net"
	LXCNET=$(dpkg -L lxc 2>/dev/null | grep -m1 '/lxc/lxc-net$')
	[ -n "$LXCNET" ] && [ -x "$LXCNET" ] ||
		fail "the lxc package (its lxc-net script) is not installed: run scripts/deps.sh"
	for c in lxc-create lxc-start lxc-stop lxc-ls lxc-attach lxc-destroy nft busybox nsenter unshare; do
		command -v "$c" >/dev/null || fail "$c not found: run scripts/deps.sh"
	done
	[ -x /usr/sbin/dnsmasq ] || fail "/usr/sbin/dnsmasq (dnsmasq-base) not installed: run scripts/deps.sh"
	[ -f /etc/default/lxc-net ] || fail "/etc/default/lxc-net (lxc's conffile) is missing"
	DUSER=""
	for u in lxc-dnsmasq dnsmasq nobody; do # lxc-net's own choice of user
		getent passwd "$u" >/dev/null && { DUSER=$u; break; }
	done
	DUID=$(id -u "$DUSER")
}

host_state() {
	files_state $HOST_PATHS
	find /sys/fs/cgroup -maxdepth 3 -type d -name '*lxc*' 2>/dev/null | sort
}

# lxc_setup: the bind mounts' sources and the holder: it enters the
# network namespace, unshares the mount namespace (private: nothing
# propagates back), mounts a sysfs of this network namespace (lxc-net
# reads /sys/class/net) with the cgroup hierarchies kept (lxc-start needs
# them), binds the directories over, then only sleeps.
lxc_setup() {
	note_lxc_pivots
	mkdir -p "$R/run/lxc" "$LOGDIR" "$R/usr-local/sbin" "$R/usr-local/lib/leased/bin" \
		"$R/misc" "$R/lxc" "$R/cache-lxc" "$R/etc-lxc" "$R/cg"
	chmod 755 "$R" "$R/run" "$R/run/lxc" "$LOGDIR" "$R/usr-local" "$R/misc" "$R/lxc" \
		"$R/cache-lxc" "$R/etc-lxc"
	printf 'lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.flags = up\nlxc.net.0.hwaddr = 00:16:3e:xx:xx:xx\n' \
		> "$R/etc-lxc/default.conf"
	# LXC_DHCP_CONFILE: where leased and dnsmasq log (there is no syslog), and
	# no upstream DNS server from the machine's resolv.conf.
	printf 'no-resolv\nlog-facility=/run/dhcp-log/leased.log\n' > "$R/etc-lxc/dhcp-leased.conf"
	: > "$R/default-lxc-net" # bind-mounted by inode: written in place from now on
	new_ns "$NS"
	write_holder <<EOF
mount --bind $R/run /run
mount --bind $R/usr-local /usr/local
mount --bind $R/misc /var/lib/misc
mount --bind $R/lxc /var/lib/lxc
[ ! -d /var/cache/lxc ] || mount --bind $R/cache-lxc /var/cache/lxc
mount --bind $R/etc-lxc /etc/lxc
mount --bind $R/default-lxc-net /etc/default/lxc-net
EOF
	start_holder "$NS"
	at_cleanup lxc_teardown
}

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

# lxc-net as systemd runs it: empty environment, the default PATH.
lxcnet() {
	echo "== lxc-net $1" >>"$TMP/lxc-net.log"
	inns env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		timeout 60 "$LXCNET" "$1" >>"$TMP/lxc-net.log" 2>&1
}

lxc_teardown() {
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
# ct_create NAME: a busybox container; its MAC in MAC[NAME] (an array the
# test declares).
ct_create() {
	inns lxc-create -n "$1" -t busybox >>"$TMP/lxc.log" 2>&1 ||
		fail "lxc-create -t busybox $1 failed: $(tail -5 "$TMP/lxc.log")"
	MAC[$1]=$(ct_mac "$1")
	[ -n "${MAC[$1]}" ] || fail "container $1 has no hwaddr in its config"
}
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

# server_user_ok PID: the daemon runs as the user lxc-net passes with -u.
server_user_ok() {
	local uid
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$1/status")
	[ "$uid" = "$DUID" ] || fail "pid $1 runs as uid $uid, not $DUSER ($DUID) that lxc-net passes with -u"
}
