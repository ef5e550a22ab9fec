/*
 * script_internal — what the daemon's side of --dhcp-script
 * (src/lease/script.c) and the helper process it forks
 * (src/lease/script_helper.c) share: the program and how it is run, the
 * messages the helper sends back over the channel, the helper's entry
 * point, and the steps a child takes before it execs the program.
 *
 * Included by: script.c script_helper.c only.  (The events themselves are
 * include/lease/script_event.h, which anyone may include.)
 */
#ifndef LEASED_SCRIPT_INTERNAL_H
#define LEASED_SCRIPT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The program and how to run it: all the helper knows of struct script. */
struct script_program {
	char *path;
	char *domain;    /* NULL unless script_domain_usable() */
	bool log_dhcp;
	bool has_user;   /* --dhcp-scriptuser: the helper runs as uid/gid */
	uid_t uid;
	gid_t gid;
};

/* ---- channel messages (helper -> daemon) ------------------------------- */

#define SCRIPT_LOG_TEXT_MAX 1024 /* bytes of text after a SCRIPT_MSG_LOG */

enum { SCRIPT_MSG_DONE = 1, SCRIPT_MSG_LOG = 2 };

struct script_msg {
	uint32_t type;
	int32_t value; /* DONE: 1 when the run failed; LOG: syslog priority */
};

/* ---- the helper (script_helper.c) -------------------------------------- */

/*
 * The forked child's whole life: read a record from fd, run the program,
 * report, until the daemon closes its end.  Never returns.
 */
void script_helper_main(const struct script_program *p, int fd) __attribute__((noreturn));

/*
 * What a child does before it execs the program (each of the helper's
 * runs, and "init" from the daemon): close the descriptors from lo up but
 * keep (-1: none), restore default signal handling, read /dev/null.
 */
void script_close_from(int lo, int keep);
void script_default_signals(void);
void script_null_stdin(void);

#endif
