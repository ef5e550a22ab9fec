/*
 * test_control — the control socket's connections against a real loop,
 * lease table and UNIX socket (no DHCP or DNS service): a peer that sends
 * `watch` and `release` on one connection and hangs up before the daemon
 * reads them.  The release's watch event for that very connection fails
 * to be written (EPIPE) while the release still runs on it; the
 * connection must outlive the command (under ASan a use after free fails
 * the test), the lease is released, and the next connection is served.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf/config.h"
#include "ctl/control.h"
#include "ctl/control_cmd.h"
#include "lease/lease.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/util.h"

struct fixture {
	char dir[64];
	struct config cfg;
	struct loop *loop;
	struct lease_table *leases;
	struct control_leases *cmds;
	struct control *ctl;
	struct loop_timer *step;
	void (*steps[4])(struct fixture *f); /* run 100 ms apart, then the loop ends */
	size_t nsteps, next;
	int fd;
};

static void next_step(void *ctx)
{
	struct fixture *f = ctx;

	if (f->next == f->nsteps) {
		loop_quit(f->loop, 0);
		return;
	}
	f->steps[f->next++](f);
	loop_timer_arm(f->step, now_mono_ms() + 100);
}

/* The loop runs once (loop_quit is final): the test's steps run from its timer. */
static void run_steps(struct fixture *f)
{
	loop_timer_arm(f->step, now_mono_ms());
	assert_int_equal(loop_run(f->loop), 0);
	assert_int_equal(f->next, f->nsteps);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct control_deps deps;
	struct control_leases_deps ldeps;
	struct error err = { 0 };
	char path[128];

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_control_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", f->dir);
	config_init(&f->cfg);
	f->cfg.control_socket = xstrdup(path);
	f->loop = loop_new();
	assert_non_null(f->loop);
	f->step = loop_timer_new(f->loop, next_step, f);
	f->fd = -1;
	f->leases = lease_table_new();
	ldeps = (struct control_leases_deps){ .leases = f->leases };
	f->cmds = control_leases_new(&ldeps);
	{
		const struct control_handler commands[] = {
			{ CONTROL_LEASES, control_cmd_leases, f->cmds },
			{ CONTROL_SHOW, control_cmd_show, f->cmds },
			{ CONTROL_RELEASE, control_cmd_release, f->cmds },
			{ CONTROL_WATCH, control_cmd_watch, f->cmds },
		};

		deps = (struct control_deps){
			.cfg = &f->cfg, .loop = f->loop, .commands = commands,
			.ncommands = ARRAY_SIZE(commands),
		};
		f->ctl = control_open(&deps, &err);
	}
	if (!f->ctl)
		fail_msg("control_open: %s (status %d)", err.msg, err.status);
	control_leases_set_server(f->cmds, f->ctl);
	assert_int_equal(lease_table_add_observer(f->leases, control_leases_changed, f->cmds), 0);
	log_open("test_control", "-");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	control_free(f->ctl);
	control_leases_free(f->cmds);
	lease_table_free(f->leases);
	loop_timer_free(f->step);
	if (f->fd >= 0)
		close(f->fd);
	loop_free(f->loop);
	config_free(&f->cfg);
	rmdir(f->dir);
	log_close();
	free(f);
	return 0;
}

static void add_lease(struct fixture *f, const char *ip, const char *name)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	assert_true(lease_addr_parse(ip, &l.addr));
	l.htype = 1;
	l.hwlen = 6;
	l.hwaddr[0] = 0x02;
	l.hwaddr[5] = (uint8_t)(ntohl(l.addr.v4.s_addr) & 0xff); /* one client per address */
	str_copy(l.hostname, name, sizeof(l.hostname));
	l.expires = now_wall() + 3600;
	assert_int_equal(lease_commit(f->leases, &l, LEASE_EV_GRANTED), 0);
}

static int client(const struct fixture *f)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	str_copy(sun.sun_path, f->cfg.control_socket, sizeof(sun.sun_path));
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void send_all(int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Sent and closed while the loop does not run: the daemon finds the peer gone. */
static void hang_up_after_watch_release(struct fixture *f)
{
	int fd = client(f);

	send_all(fd, "{\"version\":1,\"command\":\"watch\"}\n"
		     "{\"version\":1,\"command\":\"release\",\"args\":{\"key\":\"c1\"}}\n");
	close(fd);
}

static void check_released_then_ask(struct fixture *f)
{
	struct in_addr a;

	inet_pton(AF_INET, "10.77.3.37", &a);
	assert_null(lease_by_addr(f->leases, lease_addr4(a)));
	assert_int_equal(lease_count(f->leases), 1);
	f->fd = client(f);
	send_all(f->fd, "{\"version\":1,\"command\":\"show\",\"args\":{\"key\":\"c2\"}}\n");
}

static void check_answered(struct fixture *f)
{
	char buf[4096];
	ssize_t n = recv(f->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"ok\":true"));
	assert_non_null(strstr(buf, "\"address\":\"10.77.3.38\""));
}

/*
 * The release's watch event cannot be written to its own connection
 * (EPIPE) while the release still runs on it; afterwards c1 is gone and
 * the next connection is served.
 */
static void test_watch_release_hangup(void **state)
{
	struct fixture *f = *state;

	add_lease(f, "10.77.3.37", "c1");
	add_lease(f, "10.77.3.38", "c2");
	assert_int_equal(lease_count(f->leases), 2);
	f->steps[f->nsteps++] = hang_up_after_watch_release;
	f->steps[f->nsteps++] = check_released_then_ask;
	f->steps[f->nsteps++] = check_answered;
	run_steps(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watch_release_hangup, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
