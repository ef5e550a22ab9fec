#!/bin/sh
# The layering of ../shared/DESIGN.md, checked on the source tree (make
# check runs it).  Each folder under src/ (and include/) may include the
# headers of the folders listed for it and its own, nothing else:
#
#   core      -
#   net       core
#   conf      core
#   lease     core conf net
#   store     core conf lease
#   dhcp      core conf net lease          (+ store: *_server.c only)
#   dns       core conf net lease          (+ store: *_server.c only)
#   ctl       core conf net lease store dhcp dns
#   leasectl  core conf lease store ctl    (never store/store_writer.h)
#   main.c    everything (it only wires modules together)
#
# and besides:
# - protocol engines never include the store or the DNS cache: only the
#   *_server.c files of dhcp/ and dns/ include store/ (to hold replies
#   until their leases are durable);
# - DNS never writes the lease table: nothing under src/dns/ calls
#   lease_commit, lease_release or lease_table_expire;
# - sockets are owned by *_server.c (listeners), *_sock.c (clients) and
#   net/ only: socket() and accept*() appear nowhere else in the daemon;
# - leasectl uses the store's read side, never its writer.
# Prints every violation with file:line; exits 1 if there is any.
cd "$(dirname "$0")/.." || exit 1
bad=0
TMPBAD=$(mktemp)
trap 'rm -f "$TMPBAD"' EXIT
say() { echo "layering: $*"; echo x >>"$TMPBAD"; }

allowed() {
	case $1 in
	core) echo "core" ;;
	net) echo "core net" ;;
	conf) echo "core conf" ;;
	lease) echo "core conf net lease" ;;
	store) echo "core conf lease store" ;;
	dhcp) echo "core conf net lease dhcp" ;;
	dns) echo "core conf net lease dns" ;;
	ctl) echo "core conf net lease store dhcp dns ctl" ;;
	leasectl) echo "core conf lease store ctl leasectl" ;;
	*) echo "" ;;
	esac
}

for f in src/*/*.c src/*/*.h include/*/*.h; do
	[ -e "$f" ] || continue
	dir=${f%/*}
	folder=${dir##*/}
	ok=$(allowed "$folder")
	[ -n "$ok" ] || { say "$f: folder '$folder' is not in the layering table (scripts/check-layering.sh)"; continue; }
	base=${f##*/}
	grep -n '^#include "' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		inc=$(printf '%s' "$line" | sed 's/^[0-9]*:#include "\([^"]*\)".*/\1/')
		case $inc in
		*/*) ;;
		*) [ -e "$dir/$inc" ] && continue   # a folder's private header beside it
		   echo "layering: $f:$n: #include \"$inc\" without its folder (include/FOLDER/NAME.h)"
		   echo x >>"$TMPBAD"; continue ;;
		esac
		to=${inc%%/*}
		if [ "$to" = store ] && { [ "$folder" = dhcp ] || [ "$folder" = dns ]; }; then
			case $base in *_server.c|*_server.h) continue ;; esac
			echo "layering: $f:$n: a protocol engine includes $inc (only *_server.c may)"
			echo x >>"$TMPBAD"; continue
		fi
		if [ "$folder" = leasectl ] && [ "$inc" = store/store_writer.h ]; then
			echo "layering: $f:$n: leasectl includes the store's writer ($inc)"
			echo x >>"$TMPBAD"; continue
		fi
		case " $ok " in *" $to "*) ;; *)
			echo "layering: $f:$n: $folder/ may not include $inc"
			echo x >>"$TMPBAD" ;;
		esac
	done
done

# DNS never writes the lease table.
grep -n -E '\blease_(commit|release|table_expire)\(' src/dns/*.c 2>/dev/null |
	while IFS= read -r l; do echo "layering: src/dns/$l: DNS writes the lease table"; echo x >>"$TMPBAD"; done

# Sockets only in *_server.c, *_sock.c and net/.
grep -n -E '(^|[^_a-z])(socket|accept4?)\(' src/*/*.c 2>/dev/null | while IFS= read -r l; do
	file=${l%%:*}
	case $file in
	src/net/*|*_server.c|*_sock.c) ;;
	*) echo "layering: $l: a socket outside *_server.c, *_sock.c and net/"; echo x >>"$TMPBAD" ;;
	esac
done

[ -s "$TMPBAD" ] && bad=1
[ "$bad" = 0 ] && echo "layering: ok"
exit $bad
