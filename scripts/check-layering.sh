#!/bin/sh
# The layering of DESIGN.md ("Shape of the code"), checked on the source
# tree; `make layering` runs it, first of `make check`.  Every module is in
# a folder under src/ with its header under include/ of the same name, and
# each folder may include the headers of the folders listed for it (and
# its own), nothing else:
#
#   core      -
#   net       core
#   conf      core
#   lease     core conf net
#   store     core conf lease
#   dhcp      core conf net lease          (+ store: *_server.c only)
#   dns       core conf net lease          (+ store: *_server.c only)
#   ra        core conf net
#   tftp      core conf net
#   ctl       core conf net lease store dhcp dns ra  (net lease store dhcp
#                                                     dns ra: control_cmd* only)
#   leasectl  core conf lease store ctl    (never store/store_writer.h)
#   main.c    everything (it only wires modules together)
#
# and besides:
# - headers are included by path ("core/log.h"); a plain name is only for
#   a folder's private header beside its .c files (src/conf/conf_lex.h),
#   which therefore nothing outside that folder can include; a private
#   header whose opening comment names its includers ("Included by: a.c
#   b_*.c only.") is included by those files beside it only, and by no
#   other file under src/, include/ or tests/, by whatever path;
# - protocol engines never include the store or the DNS cache: dhcp/ never
#   includes dns/, and only the *_server.c files of dhcp/ and dns/ include
#   store/ (to hold replies until their leases are durable), not even
#   their headers;
# - the control socket's transport knows no command: only the command
#   files (src/ctl/control_cmd*, include/ctl/control_cmd.h) include the
#   modules whose state they show (net, lease, store, dhcp, dns, ra); the
#   transport (control_server.c, include/ctl/control.h) and the protocol
#   (control_proto) include core/, conf/ and ctl/ only, and the transport
#   names no command (CONTROL_LEASES ..., control_cmd_*): main hands it a
#   table of them;
# - DNS never writes the lease table: nothing under src/dns/ or
#   include/dns/ calls lease_commit, lease_remove, lease_expire,
#   lease_quarantine or lease_table_free, or holds a lease table that is
#   not const;
# - sockets are owned by *_server.c (listeners), *_sock.c (clients) and
#   net/ only: socket() and accept()/accept4() appear nowhere else in the
#   daemon or leasectl (socketpair() is not a network socket: the store and
#   the script helper use one to talk to their own child process);
# - leasectl uses the store's read side (store/store_read.h), never its
#   writer (store/store_writer.h);
# - every folder has a README saying what it owns and what it may include.
# Prints every violation with file:line and exits 1 if there is any;
# prints "layering: ok" otherwise.
cd "$(dirname "$0")/.." || exit 1
BAD=$(mktemp)
trap 'rm -f "$BAD"' EXIT
# fail MESSAGE: works inside the pipelines' subshells too.
fail() { echo "layering: $*"; echo x >>"$BAD"; }

FOLDERS="core net conf lease store dhcp dns ra tftp ctl leasectl"
allowed() {
	case $1 in
	core) echo "core" ;;
	net) echo "core net" ;;
	conf) echo "core conf" ;;
	lease) echo "core conf net lease" ;;
	store) echo "core conf lease store" ;;
	dhcp) echo "core conf net lease dhcp" ;;
	dns) echo "core conf net lease dns" ;;
	ra) echo "core conf net ra" ;;
	tftp) echo "core conf net tftp" ;;
	ctl) echo "core conf net lease store dhcp dns ra ctl" ;;
	leasectl) echo "core conf lease store ctl leasectl" ;;
	*) echo "" ;;
	esac
}

# Every module in a folder of the table, every folder with its README.
for f in src/*.c src/*.h include/*.h; do
	[ -e "$f" ] && [ "$f" != src/main.c ] && fail "$f: not in a folder (src/FOLDER/, include/FOLDER/)"
done
for d in src/*/ include/*/; do
	d=${d%/}
	[ -n "$(allowed "${d##*/}")" ] || fail "$d: folder '${d##*/}' is not in the layering table (scripts/check-layering.sh)"
done
for d in $FOLDERS; do
	[ -d "src/$d" ] && [ ! -e "src/$d/README" ] && fail "src/$d: no README (what it owns, may include, must never include it)"
done

# Includes.
for f in src/*/*.c src/*/*.h include/*/*.h; do
	[ -e "$f" ] || continue
	dir=${f%/*}
	folder=${dir##*/}
	ok=$(allowed "$folder")
	[ -n "$ok" ] || continue
	base=${f##*/}
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		inc=$(printf '%s' "$line" | sed 's/^[0-9]*:[^"]*"\([^"]*\)".*/\1/')
		case $inc in
		*/*) ;;
		*)
			case $f in
			src/*) [ -e "$dir/$inc" ] && continue ;; # the folder's private header
			esac
			fail "$f:$n: #include \"$inc\" without its folder (include/FOLDER/NAME.h)"
			continue ;;
		esac
		to=${inc%%/*}
		if [ "$to" = store ] && { [ "$folder" = dhcp ] || [ "$folder" = dns ]; }; then
			case $f in src/*_server.c) continue ;; esac
			fail "$f:$n: a protocol engine includes $inc (only src/$folder/*_server.c may)"
			continue
		fi
		if [ "$folder" = ctl ]; then
			case $to in
			net|lease|store|dhcp|dns|ra)
				case $f in
				src/ctl/control_cmd*|include/ctl/control_cmd*) ;;
				*)
					fail "$f:$n: $inc: in ctl/ only the command files (control_cmd*) reach other modules"
					continue ;;
				esac ;;
			esac
		fi
		if [ "$folder" = leasectl ] && [ "$inc" = store/store_writer.h ]; then
			fail "$f:$n: leasectl includes the store's writer ($inc; the read side is store/store_read.h)"
			continue
		fi
		case " $ok " in
		*" $to "*) ;;
		*) fail "$f:$n: $folder/ may not include $inc" ;;
		esac
	done
done

# A private header that names its includers ("Included by: a.c b_*.c only.")
# is included by those files beside it only, by whatever path.
for h in src/*/*.h; do
	[ -e "$h" ] || continue
	who=$(sed -n 's/^.*Included by: \(.*\) only\..*$/\1/p' "$h" | head -n 1)
	[ -n "$who" ] || continue
	re=$(printf '%s' "${h##*/}" | sed 's/\./\\./g')
	grep -rn --include='*.c' --include='*.h' \
		-E "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]([^\">]*/)?$re[\">]" \
		src include tests | while IFS= read -r l; do
		f=${l%%:*}
		rest=${l#*:}
		ok=
		if [ "${f%/*}" = "${h%/*}" ]; then
			set -f # the names are patterns, not files here
			for p in $who; do
				case ${f##*/} in $p) ok=1 ;; esac
			done
			set +f
		fi
		[ -n "$ok" ] || fail "$f:${rest%%:*}: includes $h, which is for $who only"
	done
done

# Code lines only: drop those that are (the rest of) a comment.
code() { grep -n -E "$1" "$2" | grep -v -E '^[0-9]+:[[:space:]]*(/?\*|//)' | sed "s|^|$2:|"; }

# The control transport names no command: they come in main's table.
cmds=$(sed -n '/^enum control_command {/,/^};/s/^[[:space:]]*\(CONTROL_[A-Z0-9_]*\).*/\1/p' \
	include/ctl/control_proto.h | paste -sd '|' -)
[ -n "$cmds" ] || fail "include/ctl/control_proto.h: no enum control_command found"
for f in src/ctl/control_server.c include/ctl/control.h; do
	[ -e "$f" ] || continue
	code "(^|[^_A-Za-z0-9])($cmds|control_cmd(_[a-z_]*|\.h))([^_A-Za-z0-9]|\$)" "$f"
done | while IFS= read -r l; do fail "$l: the control transport names a command (main's table does)"; done

# DNS never writes the lease table.
for f in src/dns/*.c src/dns/*.h include/dns/*.h; do
	[ -e "$f" ] || continue
	code '(^|[^_a-zA-Z0-9])lease_(commit|remove|expire|quarantine|table_free)\(' "$f"
done | while IFS= read -r l; do fail "$l: DNS writes the lease table"; done
for f in src/dns/*.c src/dns/*.h include/dns/*.h; do
	[ -e "$f" ] || continue
	code 'struct lease_table[[:space:]]*\*' "$f" | grep -v 'const struct lease_table'
done | while IFS= read -r l; do fail "$l: DNS holds a lease table that is not const"; done

# Sockets only in *_server.c, *_sock.c and net/.
for f in src/main.c src/*/*.c; do
	case $f in src/net/*|*_server.c|*_sock.c) continue ;; esac
	code '(^|[^_a-zA-Z0-9])(socket|accept4?)\(' "$f"
done | while IFS= read -r l; do fail "$l: a socket outside *_server.c, *_sock.c and net/"; done

[ -s "$BAD" ] && exit 1
echo "layering: ok"
exit 0
