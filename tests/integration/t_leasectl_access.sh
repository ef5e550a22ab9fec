#!/bin/bash
# Who may use the control socket.  Without --control-group the socket is
# root's, mode 0600: a non-root user's leasectl gets exit 3 and a
# permission message (connect() is refused); and when the file mode is
# opened up behind the daemon's back it still refuses the peer by its
# credentials (SO_PEERCRED), with a "permission-denied" reply.  With
# --control-group=GROUP the socket is 0660 root:GROUP and a member of
# GROUP (as a supplementary or primary group) is admitted; other users
# are still refused.  With -u nobody, being the daemon's user admits
# nobody: a process running as nobody is refused (exit 3, also by the
# daemon itself when the file mode is opened up), while root and the
# members of --control-group are admitted.
. "$(dirname "$0")/lib.sh"
need_jq
command -v useradd >/dev/null && command -v setpriv >/dev/null || fail "useradd/setpriv missing (passwd, util-linux)"

U=leasedt$$
G=leasedtg$$
groupadd -r "$G" || fail "cannot create group $G"
at_cleanup "groupdel $G 2>/dev/null"
useradd -M -r -U -s /usr/sbin/nologin -G "$G" "$U" || fail "cannot create user $U"
# Runs before the group hook: the user (and its own group) first.
CLEANUP_HOOKS=("userdel $U 2>/dev/null; groupdel $U 2>/dev/null" "${CLEANUP_HOOKS[@]}")
uid=$(id -u "$U")

# Others must reach the socket in $TMP (0700 from mktemp): only the
# socket's own mode and the daemon decide.
chmod 0711 "$TMP"

setup_server
ARGS=(--interface=$BR --bind-interfaces --dhcp-range=$NET.10,$NET.50,12h
	-s lxc -S /lxc/ --no-resolv --no-hosts --control-socket="$CTL_SOCK")
start_leased "${ARGS[@]}"

# as_user WHO SETPRIV-ARGS... -- ARGS...: leasectl as another user; results as ctl_run's.
as_user() {
	local who=$1 pa=()
	shift
	while [ "$1" != -- ]; do pa+=("$1"); shift; done
	shift
	CTL_RC=0
	ip netns exec "$SRV" setpriv --reuid="$who" "${pa[@]}" \
		"$LEASECTL" --control-socket="$CTL_SOCK" "$@" >"$TMP/as.out" 2>"$TMP/as.err" || CTL_RC=$?
	CTL_OUT=$(cat "$TMP/as.out")
	CTL_ERR=$(cat "$TMP/as.err")
}
# denied WHAT: the last `as_user` was refused with exit 3 and a message.
denied() {
	[ "$CTL_RC" = 3 ] || fail "$1: exit $CTL_RC, want 3 (stdout: $CTL_OUT, stderr: $CTL_ERR)"
	grep -qi 'permission\|may not' <<<"$CTL_ERR" || fail "$1: no permission message: $CTL_ERR"
	[ -z "$CTL_OUT" ] || fail "$1: printed on stdout: $CTL_OUT"
}

[ "$(stat -c '%a %U' "$CTL_SOCK")" = "600 root" ] || fail "socket mode: $(stat -c '%a %U:%G' "$CTL_SOCK"), want 600 root"
ctl_ok stats
for who in "$U" nobody; do
	as_user "$who" --regid="$(id -g "$who")" --init-groups -- stats
	denied "leasectl stats as $who (socket 0600 root)"
	as_user "$who" --regid="$(id -g "$who")" --init-groups -- leases
	denied "leasectl leases as $who (socket 0600 root)"
done
ok "socket 0600 root: $U and nobody get exit 3: $CTL_ERR"

# raw_as WHO GROUP: connect as WHO:GROUP, send nothing, print what the
# daemon says before it closes.
raw_as() {
	ip netns exec "$SRV" setpriv --reuid="$1" --regid="$2" --clear-groups "$PY3" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())
' "$CTL_SOCK" 2>&1
}

# The daemon checks the peer itself: open the file mode wide, still refused.
chmod 0666 "$CTL_SOCK"
o=$(raw_as "$U" "$U")
jq_true "$o" --argjson u "$uid" '.version == 1 and .ok == false and .error == "permission-denied"
	and (.message | test("uid \($u)"))' || fail "the daemon's answer to uid $uid on a 0666 socket: $o"
# (Several tries: the refusal races with leasectl sending its request.)
for i in $(seq 10); do
	as_user "$U" --regid="$U" --init-groups -- stats
	denied "leasectl stats as $U with the socket made 0666 (try $i)"
	grep -q "uid $uid" <<<"$CTL_ERR" || fail "the daemon's refusal does not name uid $uid: $CTL_ERR"
done
as_user "$U" --regid="$U" --init-groups -- release nosuch
denied "leasectl release as $U with the socket made 0666"
msg=$CTL_ERR
grep -q "control: uid $uid .*may not use $CTL_SOCK" "$TMP/leased.log" || fail "leased did not log the refusal"
ctl_ok stats
ok "socket made 0666: the daemon still refuses uid $uid (permission-denied, exit 3): $msg"

# --control-group: members are admitted.
stop_leased
start_leased "${ARGS[@]}" --control-group="$G"
[ "$(stat -c '%a %U %G' "$CTL_SOCK")" = "660 root $G" ] ||
	fail "socket with --control-group=$G: $(stat -c '%a %U %G' "$CTL_SOCK"), want 660 root $G"
as_user "$U" --regid="$U" --init-groups -- stats --json
[ "$CTL_RC" = 0 ] || fail "stats as $U (supplementary group $G): exit $CTL_RC: $CTL_ERR"
jq_true "$CTL_OUT" '.dhcp | type == "object"' || fail "stats as $U: $CTL_OUT"
as_user "$U" --regid="$G" --clear-groups -- leases --json
[ "$CTL_RC" = 0 ] || fail "leases as $U (primary group $G): exit $CTL_RC: $CTL_ERR"
jq_true "$CTL_OUT" 'type == "array"' || fail "leases as $U: $CTL_OUT"
ok "--control-group=$G: socket 660 root:$G; $U is admitted (as supplementary and as primary group)"

as_user "$U" --regid="$U" --clear-groups -- stats
denied "stats as $U without its group $G"
as_user nobody --regid=nogroup --init-groups -- stats
denied "stats as nobody with --control-group=$G"
chmod 0666 "$CTL_SOCK"
o=$(raw_as nobody nogroup)
jq_true "$o" --arg g "$G" '.ok == false and .error == "permission-denied" and (.message | test("uid 65534"))
	and (.message | test($g))' || fail "the daemon's answer to nobody with --control-group=$G: $o"
as_user nobody --regid=nogroup --init-groups -- stats
denied "stats as nobody, socket made 0666, --control-group=$G"
grep -q "uid 65534" <<<"$CTL_ERR" && grep -q "$G" <<<"$CTL_ERR" ||
	fail "the daemon's refusal should name uid 65534 and group $G: $CTL_ERR"
msg=$CTL_ERR
as_user "$U" --regid="$U" --init-groups -- stats
[ "$CTL_RC" = 0 ] || fail "stats as $U after a refused peer: exit $CTL_RC: $CTL_ERR"
ok "non-members are still refused (exit 3), also by the daemon itself: $msg"
kill -0 "$LEASED_PID" 2>/dev/null || fail "leased died"

# --- -u nobody: the daemon's own user is not admitted for being it ---
# nobody_refused WHAT: a process running as nobody (no groups) is refused,
# by the file mode and, with the socket made 0666, by the daemon itself.
nobody_refused() {
	as_user nobody --regid=nogroup --clear-groups -- stats
	denied "stats as nobody ($1)"
	chmod 0666 "$CTL_SOCK"
	o=$(raw_as nobody nogroup)
	jq_true "$o" '.ok == false and .error == "permission-denied" and (.message | test("uid 65534"))' ||
		fail "the daemon's answer to nobody ($1, socket made 0666): $o"
	# (Several tries: the refusal races with leasectl sending its request.)
	for i in $(seq 5); do
		as_user nobody --regid=nogroup --clear-groups -- release nosuch
		denied "release as nobody ($1, socket made 0666, try $i)"
		grep -q "uid 65534" <<<"$CTL_ERR" || fail "the refusal ($1) does not name uid 65534: $CTL_ERR"
	done
}
daemon_uid() { awk '/^Uid:/ { print $3 }' "/proc/$LEASED_PID/status"; }

stop_leased
start_leased "${ARGS[@]}" -u nobody
[ "$(daemon_uid)" = 65534 ] || fail "leased -u nobody runs as uid $(daemon_uid)"
[ "$(stat -c '%a %U' "$CTL_SOCK")" = "600 root" ] || fail "socket mode with -u nobody: $(stat -c '%a %U:%G' "$CTL_SOCK"), want 600 root"
nobody_refused "leased -u nobody"
msg=$CTL_ERR
ctl_ok stats
kill -0 "$LEASED_PID" 2>/dev/null || fail "leased died"
ok "leased -u nobody: root is admitted, a process running as nobody gets exit 3: $msg"

stop_leased
start_leased "${ARGS[@]}" -u nobody --control-group="$G"
[ "$(daemon_uid)" = 65534 ] || fail "leased -u nobody --control-group runs as uid $(daemon_uid)"
ctl_ok stats
as_user "$U" --regid="$U" --init-groups -- stats --json
[ "$CTL_RC" = 0 ] || fail "stats as $U (group $G) with leased -u nobody: exit $CTL_RC: $CTL_ERR"
jq_true "$CTL_OUT" '.dhcp | type == "object"' || fail "stats as $U with leased -u nobody: $CTL_OUT"
nobody_refused "leased -u nobody --control-group=$G"
as_user "$U" --regid="$U" --init-groups -- stats
[ "$CTL_RC" = 0 ] || fail "stats as $U after nobody was refused: exit $CTL_RC: $CTL_ERR"
ok "leased -u nobody --control-group=$G: root and $U are admitted, nobody is refused (exit 3)"
kill -0 "$LEASED_PID" 2>/dev/null || fail "leased died"
