#!/bin/bash
# The Debian package (debian/), built, installed, used and removed:
#   1. dpkg-buildpackage builds it from a copy of the tree (nocheck: make
#      check runs the unit tests already) with dpkg-buildflags' hardening
#      flags on every compiler line (blhc); lintian reports no error or
#      warning; it holds exactly the files listed below;
#   2. dpkg -i: leased --version, leasectl, the dnsmasq link, the "leased"
#      user, /run/leased from tmpfiles.d, and leased@.service passes
#      systemd-analyze verify with an exposure score under 3.0;
#   3. the installed leased, changing to --user=leased as the unit runs it,
#      gives a client a lease in /var/lib/leased;
#   4. leased-lxc-net enable (twice: no change the second time), and the
#      lxc package's lxc-net runs the installed leased as its dnsmasq for a
#      busybox container; bad usage fails with a message;
#   5. leased-lxc-net disable restores /etc/default/lxc-net to the byte, and
#      lxc-net's next start runs /usr/sbin/dnsmasq on the same lease file;
#   6. enabled again, dpkg -r disables it (prerm); dpkg --purge removes the
#      user, /run/leased and leased's journal, keeping the lease file.
# dpkg runs inside the lxc-net test's namespaces (lib.sh), so
# /etc/default/lxc-net and /run there are the test's own (the machine's
# are never touched); the package's files, the user and the test's lease
# file are on the machine until the purge, which also runs at cleanup,
# whatever failed.
. "$(dirname "$0")/lib.sh"

START=$SECONDS
lxc_init
CT=${ID}a
# shellcheck disable=SC2034 # read by lxc_teardown (lib.sh)
CTS=$CT
PLOG=$LOGDIR/pkg.log
FAIL_LOGS="$FAIL_LOGS $PLOG $TMP/leased.log $TMP/dpkg.log"
VERSION=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
STATE=/var/lib/leased
SLEASES=$STATE/$ID.leases     # the standalone daemon's lease file (step 3)
HOST_PATHS="$HOST_PATHS /usr/sbin/leased /usr/bin/leasectl /usr/sbin/leased-lxc-net
/usr/lib/leased /etc/leased $STATE /lib/systemd/system/leased@.service
/usr/lib/tmpfiles.d/leased.conf /usr/share/doc/leased /usr/share/man/man8/leased.8.gz
/usr/share/man/man8/leasectl.8.gz /usr/share/man/man8/leased-lxc-net.8.gz
/usr/share/man/man5/leased.conf.5.gz"
# What the package holds besides directories (dpkg-deb's paths).
WANT_FILES="./lib/systemd/system/leased@.service
./usr/bin/leasectl
./usr/lib/leased/dnsmasq
./usr/lib/tmpfiles.d/leased.conf
./usr/sbin/leased
./usr/sbin/leased-lxc-net
./usr/share/doc/leased/README.md.gz
./usr/share/doc/leased/changelog.Debian.gz
./usr/share/doc/leased/copyright
./usr/share/doc/leased/examples/br0.conf
./usr/share/doc/leased/examples/dnsmasq.conf
./usr/share/lintian/overrides/leased
./usr/share/man/man5/leased.conf.5.gz
./usr/share/man/man8/leasectl.8.gz
./usr/share/man/man8/leased-lxc-net.8.gz
./usr/share/man/man8/leased.8.gz"

for c in dpkg-buildpackage dh lintian blhc systemd-analyze man udhcpc; do
	command -v "$c" >/dev/null || fail "$c not found: run scripts/deps.sh"
done
# The test installs and purges the package: never one the machine has.
dpkg-query -W leased >/dev/null 2>&1 &&
	fail "dpkg knows a leased package on this machine ($(dpkg-query -W -f='${Status}' leased)): remove it first"
getent passwd leased >/dev/null && fail "a user leased exists on this machine"
host_state > "$TMP/host.before"

# dpkg_ok WHAT ARGS...: dpkg ARGS in the test's namespaces; fail naming WHAT.
dpkg_ok() {
	local what=$1
	shift
	echo "== dpkg $*" >>"$TMP/dpkg.log"
	inns dpkg "$@" >>"$TMP/dpkg.log" 2>&1 || fail "$what failed: $(tail -5 "$TMP/dpkg.log")"
}

# At cleanup, before lxc_teardown: the daemon of step 3 stopped, the
# package purged, the test's lease file gone.  Without the holder, dpkg
# runs over an empty /run all the same: the machine's /run/leased holds
# the control sockets of daemons that are not the test's.
purge_pkg() {
	[ -n "$LEASED_PID" ] && stop_leased_hard
	if dpkg-query -W leased >/dev/null 2>&1; then
		if [ -n "$HOLDER" ]; then
			inns dpkg --purge leased >>"$TMP/dpkg.log" 2>&1
		else
			unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /run && dpkg --purge leased' \
				>>"$TMP/dpkg.log" 2>&1
		fi
	fi
	rm -f "$SLEASES" "$SLEASES".*
	rmdir "$STATE" 2>/dev/null
}

# ---- 1. build, blhc, lintian, contents -----------------------------------
mkdir "$TMP/src"
tar -C "$TOP" --exclude=./build --exclude=./.git -cf - . | tar -C "$TMP/src" -xf - ||
	fail "cannot copy the tree to $TMP/src"
(cd "$TMP/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1 ||
	fail "dpkg-buildpackage failed: $(tail -5 "$TMP/build.log")"
grep -q 'make V=1 unit' "$TMP/build.log" && fail "DEB_BUILD_OPTIONS=nocheck: the unit tests ran all the same"
DEB=$TMP/leased_${VERSION}-1_$(dpkg --print-architecture).deb
[ -f "$DEB" ] || fail "no $DEB (the Makefile's VERSION $VERSION in debian/changelog?): $(ls "$TMP")"
blhc --all "$TMP/build.log" >"$TMP/blhc.log" 2>&1 ||
	fail "blhc: flags from dpkg-buildflags missing: $(head -5 "$TMP/blhc.log")"
grep -e '-o build/obj/main.o' "$TMP/build.log" | grep -q -e '-Wdate-time .*-Werror=format-security' ||
	fail "the build log shows no compiler line with dpkg-buildflags' CPPFLAGS and CFLAGS (blhc checked nothing?)"
ok "dpkg-buildpackage built $(basename "$DEB"); blhc: dpkg-buildflags reach every compiler line"

# Root: lintian says it would rather not; the tags are what count.
lintian --fail-on error,warning "$TMP"/leased_*.changes >"$TMP/lintian.log" 2>&1 ||
	fail "lintian: $(grep -E '^[EW]: ' "$TMP/lintian.log" | head -10)"
ok "lintian: no error or warning"

got=$(dpkg-deb --fsys-tarfile "$DEB" | tar -t | grep -v '/$' | sort)
[ "$got" = "$(sort <<<"$WANT_FILES")" ] ||
	fail "the package's files differ: $(diff <(sort <<<"$WANT_FILES") <(echo "$got") | grep '^[<>]')"
for d in ./etc/leased/ ./var/lib/leased/; do
	dpkg-deb --fsys-tarfile "$DEB" | tar -t | grep -qxF "$d" || fail "the package has no $d"
done
ok "the package holds exactly the expected files, /etc/leased and /var/lib/leased"

# ---- 2. dpkg -i -----------------------------------------------------------
at_cleanup purge_pkg
lxc_setup
write_default pkg
printf 'no-resolv\nlog-facility=/run/dhcp-log/pkg.log\n' > "$R/etc-lxc/dhcp-pkg.conf"
cp "$R/default-lxc-net" "$TMP/default.orig"
dpkg_ok "dpkg -i" -i "$DEB"
[ "$(dpkg-query -W -f='${Status} ${Version}' leased)" = "install ok installed $VERSION-1" ] ||
	fail "dpkg: leased is '$(dpkg-query -W -f='${Status} ${Version}' leased)'"
line=$(/usr/sbin/leased --version | head -1)
case "$line" in "Dnsmasq version 2.90 (leased $VERSION,"*) ;; *) fail "leased --version: $line" ;; esac
[ "$(/usr/lib/leased/dnsmasq --version | head -1)" = "$line" ] ||
	fail "/usr/lib/leased/dnsmasq --version differs from leased's"
[ "$(readlink -f /usr/lib/leased/dnsmasq)" = /usr/sbin/leased ] ||
	fail "/usr/lib/leased/dnsmasq leads to $(readlink -f /usr/lib/leased/dnsmasq)"
/usr/bin/leasectl --version >/dev/null || fail "the installed leasectl does not run"
IFS=: read -r _ _ luid _ _ _ lshell < <(getent passwd leased)
[ -n "$luid" ] && [ "$luid" -lt 1000 ] && [ "$lshell" = /usr/sbin/nologin ] ||
	fail "postinst made no system user leased: '$(getent passwd leased)'"
[ -d "$R/run/leased" ] || fail "postinst did not create /run/leased (tmpfiles.d)"
out=$(systemd-analyze verify /lib/systemd/system/leased@.service 2>&1) ||
	fail "systemd-analyze verify leased@.service: $out"
[ -z "$out" ] || fail "systemd-analyze verify leased@.service: $out"
score=$(systemd-analyze security --offline=true /lib/systemd/system/leased@.service 2>&1 |
	sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s < 3.0) }' ||
	fail "systemd-analyze security leased@.service: exposure '$score', want < 3.0"
ok "installed: $line; the dnsmasq link; user leased ($luid); /run/leased; leased@.service verified, exposure $score"

# ---- 3. the installed daemon, as the unit runs it ------------------------
setup_server
add_client c1
# shellcheck disable=SC2034 # read by start_leased (lib.sh)
LEASED=/usr/sbin/leased
LEASEFILE=$SLEASES start_leased --interface="$BR" --bind-interfaces --user=leased \
	--dhcp-range="$NET.10,$NET.20" --port=0
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$LEASED_PID/status")" = "$luid" ] ||
	fail "leased --user=leased runs as uid $(awk '/^Uid:/ { print $2 }' "/proc/$LEASED_PID/status")"
addr=$(udhcpc_lease c1)
wait_for grep -q " $addr " "$SLEASES" || fail "no lease for $addr in $SLEASES"
stop_leased
[ -e "$SLEASES.journal" ] && [ -e "$SLEASES.lock" ] ||
	fail "no $SLEASES.journal and .lock: the purge below checks nothing ($(ls "$STATE"))"
ok "the installed leased, as user leased, leased $addr (in $SLEASES, beside its journal and lock)"

# ---- 4. leased-lxc-net enable; lxc-net runs the installed leased --------
switch() { inns leased-lxc-net "$@" >"$TMP/switch.out" 2>&1; }
switch status && fail "leased-lxc-net status says enabled before enable: $(cat "$TMP/switch.out")"
[ $? = 3 ] || fail "leased-lxc-net status (disabled): exit $?, want 3: $(cat "$TMP/switch.out")"
switch enable || fail "leased-lxc-net enable: $(cat "$TMP/switch.out")"
grep -qxF 'PATH=/usr/lib/leased:$PATH' <(sed 's/^\t*//' "$R/default-lxc-net") ||
	fail "leased-lxc-net enable did not put /usr/lib/leased on PATH: $(cat "$R/default-lxc-net")"
cp "$R/default-lxc-net" "$TMP/default.enabled"
switch enable || fail "leased-lxc-net enable (again): $(cat "$TMP/switch.out")"
cmp -s "$R/default-lxc-net" "$TMP/default.enabled" || fail "a second enable changed /etc/default/lxc-net"
grep -q 'already enabled' "$TMP/switch.out" || fail "a second enable said: $(cat "$TMP/switch.out")"
switch status || fail "leased-lxc-net status after enable: exit $?: $(cat "$TMP/switch.out")"
switch bogus && fail "leased-lxc-net bogus succeeded"
[ $? = 2 ] && grep -q '^usage: ' "$TMP/switch.out" || fail "leased-lxc-net bogus: $(cat "$TMP/switch.out")"
ok "leased-lxc-net: status (disabled, 3), enable, enable again (no change), status (0), bad usage (2)"

lxcnet start || fail "lxc-net start exited $?: $(tail -5 "$TMP/lxc-net.log")"
pid=$(server_up "leased from the package" /usr/sbin/leased) || exit 1
server_user_ok "$pid"
declare -A MAC
ct_create "$CT"
ct_start "$CT"
ip=$(wait_ip "$CT") || fail "container $CT got no address in $LNET.0/24 within 60 s (lxc-ls: '$ip')"
wait_for lease_is "${MAC[$CT]}" "$ip" || fail "lease file has '$(lease_of "${MAC[$CT]}")' for $CT, lxc-ls shows $ip"
grep -q "DHCPACK(lxcbr0) $ip ${MAC[$CT]}" "$PLOG" || fail "the installed leased logged no DHCPACK for $ip"
switch status && grep -q "is /usr/sbin/leased" "$TMP/switch.out" ||
	fail "leased-lxc-net status does not see leased running: $(cat "$TMP/switch.out")"
ok "lxc-net ran /usr/lib/leased/dnsmasq (pid $pid, user $DUSER): container $CT got $ip"

# ---- 5. leased-lxc-net disable: dnsmasq again, same lease file -----------
switch disable || fail "leased-lxc-net disable: $(cat "$TMP/switch.out")"
cmp -s "$R/default-lxc-net" "$TMP/default.orig" ||
	fail "disable left /etc/default/lxc-net changed: $(diff "$TMP/default.orig" "$R/default-lxc-net")"
lxcnet stop || fail "lxc-net stop exited $?"
wait_for no_server_left || fail "after lxc-net stop, still running: $(server_pids)"
printf 'no-resolv\nlog-facility=/run/dhcp-log/dnsmasq.log\n' > "$R/etc-lxc/dhcp-pkg.conf"
lxcnet start || fail "lxc-net start after disable exited $?: $(tail -5 "$TMP/lxc-net.log")"
dpid=$(server_up "dnsmasq after disable" /usr/sbin/dnsmasq) || exit 1
ct_restart "$CT"
got=$(wait_ip "$CT" "$ip") || fail "under dnsmasq $CT got '$got', not its lease $ip"
wait_for grep -q "DHCPACK(lxcbr0) $ip ${MAC[$CT]}" "$DLOG" || fail "dnsmasq logged no DHCPACK for $ip"
ok "disable: /etc/default/lxc-net as before; lxc-net ran /usr/sbin/dnsmasq (pid $dpid), $CT keeps $ip"

# ---- 6. dpkg -r disables; dpkg --purge leaves only the lease file ---------
switch enable || fail "leased-lxc-net enable: $(cat "$TMP/switch.out")"
dpkg_ok "dpkg -r" -r leased
cmp -s "$R/default-lxc-net" "$TMP/default.orig" ||
	fail "dpkg -r left /etc/default/lxc-net changed: $(diff "$TMP/default.orig" "$R/default-lxc-net")"
[ "$(dpkg-query -W -f='${Status}' leased)" = "deinstall ok config-files" ] ||
	fail "after dpkg -r: '$(dpkg-query -W -f='${Status}' leased)'"
for f in /usr/sbin/leased /usr/lib/leased /usr/sbin/leased-lxc-net; do
	[ -e "$f" ] && fail "dpkg -r left $f"
done
dpkg_ok "dpkg --purge" --purge leased
dpkg-query -W leased >/dev/null 2>&1 && fail "after dpkg --purge dpkg still knows leased"
getent passwd leased >/dev/null && fail "dpkg --purge left the user leased"
getent group leased >/dev/null && fail "dpkg --purge left the group leased"
[ -e "$R/run/leased" ] && fail "dpkg --purge left /run/leased"
[ -n "$(sed -n "/ $addr /p" "$SLEASES")" ] || fail "dpkg --purge did not keep the lease file $SLEASES"
left=$(ls -A "$STATE")
[ "$left" = "$(basename "$SLEASES")" ] || fail "dpkg --purge left in $STATE: $left"
ok "dpkg -r disabled the lxc-net switch; dpkg --purge kept only the lease file"

# ---- the machine is as it was -------------------------------------------
purge_pkg
lxc_teardown
host_state > "$TMP/host.after"
diff "$TMP/host.before" "$TMP/host.after" >"$TMP/host.diff" ||
	fail "the machine's files changed: $(head -20 "$TMP/host.diff")"
ok "cleanup: package purged, namespaces gone, the machine's files as before ($((SECONDS - START)) s)"
