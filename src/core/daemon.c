/*
 * daemon — background start with a status pipe, pid file, privilege drop;
 * see include/core/daemon.h.  Capabilities are set with the raw capset(2)
 * interface: three bits do not justify another library.
 */
#include "core/daemon.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int status_fd = -1; /* write end of the pipe to the waiting parent */

int daemon_status_fd(void)
{
	return status_fd;
}

/*
 * The parent: wait for the one message "STATUS MESSAGE".  It is a single
 * write shorter than PIPE_BUF, so one read gets all of it; waiting for
 * EOF instead would hang if any process the daemon forked kept the pipe.
 */
static void parent_wait(int fd, pid_t child)
{
	char buf[1024];
	ssize_t n;
	int status;
	char *msg;

	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* The child died before it could say anything. */
		if (waitpid(child, &status, WNOHANG) > 0 && WIFSIGNALED(status))
			fprintf(stderr, "leased: daemon killed by signal %d during start-up\n",
				WTERMSIG(status));
		else
			fprintf(stderr, "leased: daemon exited during start-up\n");
		_exit(EXIT_OTHER);
	}
	buf[n] = '\0';
	status = atoi(buf);
	msg = strchr(buf, ' ');
	if (status != 0 && msg && msg[1])
		fprintf(stderr, "leased: %s\n", msg + 1);
	_exit(status);
}

int daemon_background(void)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(fds[1]);
		parent_wait(fds[0], pid);
	}
	close(fds[0]);
	setsid();
	/* A second fork: the daemon is no session leader, never gets a tty. */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0); /* the waiting parent holds the pipe, not us */
	status_fd = fds[1];
	if (chdir("/") < 0)
		return -1;
	umask(022);
	return 0;
}

static void tell_parent(int status, const char *msg)
{
	char buf[1024];
	int n;

	if (status_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%d %s", status, msg ? msg : "");
	if (write(status_fd, buf, (size_t)MIN(n, (int)sizeof(buf) - 1)) < 0) {
		/* The parent is gone; nobody to tell. */
	}
	close(status_fd);
	status_fd = -1;
}

void daemon_ready(bool foreground)
{
	int null;

	tell_parent(0, NULL);
	/* From here on, messages go to the log only. */
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (!foreground)
			dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

void daemon_fail(int status, const char *msg)
{
	if (status_fd >= 0)
		tell_parent(status, msg);
	else
		fprintf(stderr, "leased: %s\n", msg);
}

int daemon_write_pidfile(const char *path)
{
	char buf[32];
	int fd, n;

	if (!path || !*path)
		return 0;
	/* O_TRUNC: a stale file from a killed daemon is simply replaced. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int set_caps(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	return (int)syscall(SYS_capset, &hdr, data);
}

int daemon_drop_privileges(const char *user, const char *group, struct error *err)
{
	const uint64_t keep = 1ULL << CAP_NET_ADMIN | 1ULL << CAP_NET_RAW |
			      1ULL << CAP_NET_BIND_SERVICE;
	struct passwd *pw;
	gid_t gid;

	if (!user || !*user || geteuid() != 0)
		return 0;
	pw = getpwnam(user);
	if (!pw) {
		error_set(err, EXIT_OTHER, "unknown user %s", user);
		return -1;
	}
	gid = pw->pw_gid;
	if (group && *group) {
		struct group *gr = getgrnam(group);

		if (!gr) {
			error_set(err, EXIT_OTHER, "unknown group %s", group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (pw->pw_uid == 0)
		return 0;
	/* Keep the permitted set across setuid, then trim it to what we need. */
	if (prctl(PR_SET_KEEPCAPS, 1) < 0 || setgroups(0, NULL) < 0 || setgid(gid) < 0 ||
	    setuid(pw->pw_uid) < 0 || set_caps(keep) < 0) {
		error_set(err, EXIT_OTHER, "cannot change to user %s: %s", user, strerror(errno));
		return -1;
	}
	prctl(PR_SET_KEEPCAPS, 0);
	return 0;
}
