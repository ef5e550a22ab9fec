#!/bin/bash
# make install puts both programs and the three manual pages where
# PREFIX/DESTDIR say (into a scratch root here, never the machine's), and
# the installed pages format without a warning.
. "$(dirname "$0")/lib.sh"

root=$TMP/root
make -s -C "$TOP" install DESTDIR="$root" PREFIX=/usr >"$TMP/install.log" 2>&1 ||
	fail "make install failed: $(tail -5 "$TMP/install.log")"
for f in usr/sbin/leased usr/sbin/leasectl; do
	[ -x "$root/$f" ] || fail "make install did not install $f"
done
ok "leased and leasectl installed in PREFIX/sbin"
for f in usr/share/man/man8/leased.8 usr/share/man/man8/leasectl.8 \
	usr/share/man/man5/leased.conf.5; do
	[ -f "$root/$f" ] || fail "make install did not install $f"
	out=$(groff -ww -man -Tutf8 "$root/$f" 2>&1 >/dev/null)
	[ -z "$out" ] || fail "$f: $out"
done
ok "leased(8), leasectl(8) and leased.conf(5) installed and lint-clean"
"$root/usr/sbin/leasectl" --version >/dev/null || fail "installed leasectl does not run"
ok "the installed leasectl runs"
