/*
 * test_log — the log file's lines: dnsmasq's layout ("Dec  7 17:26:00
 * leased[PID]: text"), which administrators grep and lxc-net's users
 * read, and the PID of the process that wrote the line, also in a child
 * forked within the same second as its parent's line (the prefix is made
 * once a second; a fork must not inherit the parent's).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "test_files.h"

static void test_line_layout_and_pid(void **state)
{
	char path[300], want[64], *text;
	const char *line;
	pid_t child;
	int status;

	(void)state;
	snprintf(path, sizeof(path), "%s/log", test_dir);
	assert_int_equal(log_open("leased", path), 0);
	log_msg(LOG_INFO, "parent %d", 1);
	log_flush();
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		log_msg(LOG_INFO, "child %d", 2);
		log_flush();
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	log_msg(LOG_INFO, "parent %d", 3);
	log_close();

	text = read_text(path);
	assert_non_null(text);
	snprintf(want, sizeof(want), " leased[%d]: parent 1\n", (int)getpid());
	line = strstr(text, want);
	assert_non_null(line);
	/* "Mmm dd hh:mm:ss" before it, as syslog and dnsmasq write it. */
	assert_true(line - text == 15);
	assert_true(text[3] == ' ' && text[6] == ' ' && text[9] == ':' && text[12] == ':');
	snprintf(want, sizeof(want), " leased[%d]: child 2\n", (int)child);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), " leased[%d]: parent 3\n", (int)getpid());
	assert_non_null(strstr(text, want));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_layout_and_pid),
	};

	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_remove);
}
