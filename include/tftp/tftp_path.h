/*
 * tftp_path — which file a TFTP request names, and opening it without
 * ever leaving the root.
 *
 * The name is taken as dnsmasq takes it: '\' is '/'; a name starting
 * with the root ("/srv/tftp/pxelinux.0" under --tftp-root=/srv/tftp) has
 * the root taken off; any other leading '/' is dropped, so "/pxelinux.0"
 * is ROOT/pxelinux.0 — never a path of the host.  A ".." component is
 * refused outright.  The file is opened beneath a descriptor of the root
 * with openat2(RESOLVE_BENEATH): a symbolic link is followed only while
 * it stays inside the root (an absolute one, or one climbing out, is
 * refused).  Where the kernel has no openat2 the components are opened
 * one by one with O_NOFOLLOW, and every symbolic link is refused.
 * Only regular files are served; the permission rules are dnsmasq's (see
 * tftp_path_open).  No sockets; files only.
 * May include: core/, and tftp/tftp_wire.h (its error codes).
 */
#ifndef LEASED_TFTP_PATH_H
#define LEASED_TFTP_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tftp/tftp_wire.h"

/*
 * The name relative to the root, into out: 0, or -1 with *why (a ".."
 * component, nothing left after the slashes, too long).
 */
int tftp_path_relative(const char *root, const char *name, char *out, size_t outlen,
		       const char **why);

struct tftp_access {
	uid_t euid;       /* the user leased runs as (after -u) */
	bool secure;      /* --tftp-secure */
	bool walk_only;   /* skip openat2: the fallback, for tests */
};

/*
 * Open rel (from tftp_path_relative) beneath rootfd for reading: the
 * descriptor, its size in *size; or -1 with the TFTP error to send in
 * *code and the reason in *why.  Refused: anything outside the root, a
 * file that is not regular (a FIFO never blocks the open), and — as in
 * dnsmasq — when leased runs as root a file that is not world-readable,
 * otherwise with --tftp-secure a file the user does not own.
 */
int tftp_path_open(int rootfd, const char *rel, const struct tftp_access *acc,
		   uint64_t *size, enum tftp_error *code, const char **why);

/*
 * --tftp-unique-root: the directory ROOT/CLIENT (no symbolic link) as a
 * descriptor, or -1 when there is none (the root itself serves then).
 */
int tftp_path_client_root(int rootfd, const char *client);

#endif
