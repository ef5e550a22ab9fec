/*
 * test_leasectl — what leasectl does without a daemon: durations and
 * time left, terminal-safe text, table alignment, the "key: value" and
 * JSON renderings, socket discovery in a scratch run directory (none,
 * one, several, stale, -i, explicit), the client end of an exchange
 * against a forked one-shot server (result, each error code, a bad
 * reply, silence until the timeout), and the offline reading of a lease
 * file with its journals, including a torn and a corrupted record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/control_proto.h"
#include "core/json.h"
#include "leasectl/leasectl_fmt.h"
#include "leasectl/leasectl_leases.h"
#include "leasectl/leasectl_sock.h"
#include "lease/leasefile.h"
#include "store/store_writer.h"
#include "core/util.h"
#include "test_files.h"

#define NOW 1700000000

/* ---- helpers ------------------------------------------------------- */

struct capture {
	FILE *fp;
	char *buf;
	size_t len;
};

static FILE *capture_start(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	assert_non_null(c->fp);
	return c->fp;
}

/* The text written (free it). */
static char *capture_end(struct capture *c)
{
	fclose(c->fp);
	return c->buf;
}

static void parse_doc(const char *text, struct json_doc *doc)
{
	char err[JSON_ERR_LEN];

	if (json_parse(text, strlen(text), doc, err) < 0)
		fail_msg("json_parse: %s", err);
}

/* A fresh directory under the test's scratch directory. */
static const char *scratch(const char *name)
{
	static char paths[4][256];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, 256, "%s/%s", test_dir, name);
	assert_int_equal(mkdir(p, 0755), 0);
	return p;
}

static int bind_at(const char *path, bool do_listen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* A socket file nobody listens on, as a daemon killed with -9 leaves. */
static void make_stale(const char *path)
{
	close(bind_at(path, false));
}

/*
 * A one-shot server on path: accept, read the request line into
 * (nothing), answer reply, close.  Returns its pid.
 */
static pid_t serve_once(const char *path, const char *reply)
{
	int lfd = bind_at(path, true);
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[CONTROL_MAX_REQUEST];
		size_t n = 0;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(1);
		while (n < sizeof(buf)) {
			ssize_t r = read(fd, buf + n, sizeof(buf) - n);

			if (r <= 0 || memchr(buf + n, '\n', (size_t)r))
				break;
			n += (size_t)r;
		}
		if (write(fd, reply, strlen(reply)) < 0)
			_exit(1);
		close(fd);
		_exit(0);
	}
	close(lfd);
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
}

/* ---- durations and text -------------------------------------------- */

static void test_duration(void **state)
{
	char b[CTL_DURATION_LEN];

	(void)state;
	assert_string_equal(ctl_duration(0, b, sizeof(b)), "0s");
	assert_string_equal(ctl_duration(-5, b, sizeof(b)), "0s");
	assert_string_equal(ctl_duration(42, b, sizeof(b)), "42s");
	assert_string_equal(ctl_duration(60, b, sizeof(b)), "1m");
	assert_string_equal(ctl_duration(3552, b, sizeof(b)), "59m12s");
	assert_string_equal(ctl_duration(3600, b, sizeof(b)), "1h");
	assert_string_equal(ctl_duration(3 * 3600, b, sizeof(b)), "3h");
	/* Seconds do not show next to hours. */
	assert_string_equal(ctl_duration(3 * 3600 + 12, b, sizeof(b)), "3h");
	assert_string_equal(ctl_duration(3 * 3600 + 5 * 60 + 59, b, sizeof(b)), "3h5m");
	assert_string_equal(ctl_duration(86400, b, sizeof(b)), "1d");
	assert_string_equal(ctl_duration(2 * 86400 + 3 * 3600 + 1, b, sizeof(b)), "2d3h");
	assert_string_equal(ctl_duration(400 * 86400, b, sizeof(b)), "400d");
	assert_string_equal(ctl_duration(INT64_MAX, b, sizeof(b)), "106751991167300d15h");
}

static void test_time_left(void **state)
{
	char b[CTL_DURATION_LEN];

	(void)state;
	assert_string_equal(ctl_time_left(0, 0, b, sizeof(b)), "never");
	assert_string_equal(ctl_time_left(NOW, 0, b, sizeof(b)), "expired");
	assert_string_equal(ctl_time_left(NOW, -30, b, sizeof(b)), "expired");
	assert_string_equal(ctl_time_left(NOW, 3552, b, sizeof(b)), "59m12s");
}

static void test_printable(void **state)
{
	char b[64], small[6];

	(void)state;
	assert_string_equal(ctl_printable("c1.lxc", b, sizeof(b)), "c1.lxc");
	assert_string_equal(ctl_printable("a\x1b[31mb", b, sizeof(b)), "a\\x1b[31mb");
	assert_string_equal(ctl_printable("del\x7f", b, sizeof(b)), "del\\x7f");
	assert_string_equal(ctl_printable("tab\there", b, sizeof(b)), "tab\\x09here");
	/* C1 controls (U+0085 here) are escapes on some terminals too. */
	assert_string_equal(ctl_printable("x\xc2\x85y", b, sizeof(b)), "x\\xc2\\x85y");
	/* Other UTF-8 passes: é, €. */
	assert_string_equal(ctl_printable("caf\xc3\xa9 \xe2\x82\xac", b, sizeof(b)),
			    "caf\xc3\xa9 \xe2\x82\xac");
	/* Cut short on a character boundary, never inside a sequence or an escape. */
	assert_string_equal(ctl_printable("abcd\xc3\xa9", small, sizeof(small)), "abcd");
	assert_string_equal(ctl_printable("ab\x1b", small, sizeof(small)), "ab");
	assert_string_equal(ctl_printable(NULL, b, sizeof(b)), "");
	assert_int_equal(ctl_text_width("caf\xc3\xa9"), 4);
}

/* ---- tables -------------------------------------------------------- */

static void test_table_alignment(void **state)
{
	static const char *const h[] = { "ADDRESS", "HOSTNAME", "EXPIRES" };
	static const char *const r1[] = { "10.0.3.100", "c1", "59m12s" };
	static const char *const r2[] = { "10.0.3.2", "", "never" };
	static const char *const r3[] = { "10.0.3.5", "caf\xc3\xa9", NULL };
	struct ctl_table t;
	struct capture c;
	char *out;

	(void)state;
	ctl_table_init(&t, 3, h);
	ctl_table_add(&t, r1);
	ctl_table_add(&t, r2);
	ctl_table_add(&t, r3);
	ctl_table_print(&t, capture_start(&c));
	ctl_table_free(&t);
	out = capture_end(&c);
	/* Widest cell plus two spaces; "-" for nothing; é is one column; no trailing blanks. */
	assert_string_equal(out,
			    "ADDRESS     HOSTNAME  EXPIRES\n"
			    "10.0.3.100  c1        59m12s\n"
			    "10.0.3.2    -         never\n"
			    "10.0.3.5    caf\xc3\xa9      -\n");
	free(out);
}

static void test_table_escapes_cells(void **state)
{
	static const char *const h[] = { "NAME", "X" };
	static const char *const r[] = { "a\x1b]0;pwned\x07", "y" };
	struct ctl_table t;
	struct capture c;
	char *out;

	(void)state;
	ctl_table_init(&t, 2, h);
	ctl_table_add(&t, r);
	ctl_table_print(&t, capture_start(&c));
	ctl_table_free(&t);
	out = capture_end(&c);
	assert_null(strchr(out, '\x1b'));
	assert_string_equal(out, "NAME               X\n"
				 "a\\x1b]0;pwned\\x07  y\n");
	free(out);
}

/* ---- rendering ------------------------------------------------------ */

static void test_render_nested(void **state)
{
	static const char *const skip[] = { "hidden", NULL };
	struct json_doc doc;
	struct capture c;
	char *out;

	(void)state;
	parse_doc("{\"dhcp\":{\"discover\":10,\"ack\":9},"
		  "\"upstream\":[{\"server\":\"1.1.1.1\",\"up\":true},{\"server\":\"8.8.8.8\",\"up\":false}],"
		  "\"names\":[\"c1\",\"c1.lxc\"],\"empty\":[],\"none\":null,\"hidden\":1,\"uptime\":5}",
		  &doc);
	ctl_render(capture_start(&c), doc.root, 0, skip, true);
	out = capture_end(&c);
	assert_string_equal(out,
			    "dhcp:\n"
			    "  discover: 10\n"
			    "  ack: 9\n"
			    "\n"
			    "upstream:\n"
			    "  - server: 1.1.1.1\n"
			    "    up: yes\n"
			    "  - server: 8.8.8.8\n"
			    "    up: no\n"
			    "\n"
			    "names: c1, c1.lxc\n"
			    "empty: (none)\n"
			    "none: -\n"
			    "uptime: 5\n");
	free(out);
	json_doc_free(&doc);
}

static void test_render_long_list(void **state)
{
	struct json_doc doc;
	struct capture c;
	char *out;

	(void)state;
	parse_doc("{\"details\":[\"c5 holds 10.0.3.5 from a dynamic lease on lxcbr0\","
		  "\"names under the local domain are never forwarded\"]}",
		  &doc);
	ctl_render(capture_start(&c), doc.root, 2, NULL, false);
	out = capture_end(&c);
	assert_string_equal(out, "  details:\n"
				 "    - c5 holds 10.0.3.5 from a dynamic lease on lxcbr0\n"
				 "    - names under the local domain are never forwarded\n");
	free(out);
	json_doc_free(&doc);
}

static void test_json_round_trip(void **state)
{
	static const char *const text =
		"{\"a\":[1,-2,{\"b\":\"q\\\"\\\\\\n\\u001b\"}],\"c\":{},\"d\":[],\"e\":null,\"f\":true}";
	struct json_doc doc, again;
	struct capture c;
	char *pretty, *compact;

	(void)state;
	parse_doc(text, &doc);
	ctl_json_print(capture_start(&c), doc.root, false);
	compact = capture_end(&c);
	assert_string_equal(compact, "{\"a\":[1,-2,{\"b\":\"q\\\"\\\\\\n\\u001b\"}],\"c\":{},"
				     "\"d\":[],\"e\":null,\"f\":true}\n");
	ctl_json_print(capture_start(&c), doc.root, true);
	pretty = capture_end(&c);
	assert_string_equal(pretty, "{\n"
				    "  \"a\": [\n"
				    "    1,\n"
				    "    -2,\n"
				    "    {\n"
				    "      \"b\": \"q\\\"\\\\\\n\\u001b\"\n"
				    "    }\n"
				    "  ],\n"
				    "  \"c\": {},\n"
				    "  \"d\": [],\n"
				    "  \"e\": null,\n"
				    "  \"f\": true\n"
				    "}\n");
	/* The pretty form parses back to the same thing. */
	parse_doc(pretty, &again);
	free(compact);
	ctl_json_print(capture_start(&c), again.root, false);
	compact = capture_end(&c);
	assert_string_equal(compact, "{\"a\":[1,-2,{\"b\":\"q\\\"\\\\\\n\\u001b\"}],\"c\":{},"
				     "\"d\":[],\"e\":null,\"f\":true}\n");
	free(compact);
	free(pretty);
	json_doc_free(&again);
	json_doc_free(&doc);
}

/* ---- leases from the daemon ----------------------------------------- */

static const char *const leases_json =
	"[{\"address\":\"10.0.3.100\",\"family\":4,\"hwaddr\":\"00:16:3e:00:00:64\","
	"\"hostname\":\"c100\",\"client_id\":\"\",\"expires\":1700003552,\"expires_in\":3552,"
	"\"kind\":\"dynamic\",\"names\":[\"c100\",\"c100.lxc\"]},"
	"{\"address\":\"fd42::5\",\"duid\":\"00:01:00:01:aa:bb\",\"hostname\":\"v6\","
	"\"expires\":0,\"kind\":\"static\",\"names\":[]},"
	"{\"address\":\"10.0.3.9\",\"family\":4,\"hwaddr\":\"00:16:3e:00:00:09\","
	"\"hostname\":\"\",\"client_id\":\"01:00:16:3e:00:00:09\",\"expires\":1700000100,"
	"\"kind\":\"dynamic\",\"names\":[]}]";

static void test_leases_table_from_json(void **state)
{
	struct json_doc doc;
	struct ctl_leases ls;
	struct capture c;
	char *out;

	(void)state;
	parse_doc(leases_json, &doc);
	assert_int_equal(ctl_leases_from_json(doc.root, NOW, &ls), 0);
	assert_int_equal(ls.n, 3);
	/* expires_in missing: computed from expires; family missing: from the address. */
	assert_int_equal(ls.v[2].expires_in, 100);
	assert_int_equal(ls.v[1].family, 6);
	assert_string_equal(ls.v[1].hwaddr, "00:01:00:01:aa:bb");
	assert_string_equal(ls.v[0].names, "c100, c100.lxc");
	ctl_leases_sort(&ls);
	ctl_leases_table(capture_start(&c), &ls);
	out = capture_end(&c);
	assert_string_equal(out,
			    "ADDRESS     HWADDR             HOSTNAME  EXPIRES  CLIENT-ID             KIND\n"
			    "10.0.3.9    00:16:3e:00:00:09  -         1m40s    01:00:16:3e:00:00:09  dynamic/v4\n"
			    "10.0.3.100  00:16:3e:00:00:64  c100      59m12s   -                     dynamic/v4\n"
			    "fd42::5     00:01:00:01:aa:bb  v6        never    -                     static/v6\n");
	free(out);
	ctl_leases_free(&ls);
	assert_int_equal(ctl_leases_from_json(doc.root->child, NOW, &ls), -1);
	json_doc_free(&doc);
}

static void test_lease_show(void **state)
{
	struct json_doc doc;
	struct ctl_lease l;
	struct capture c;
	char *out;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	parse_doc("{\"address\":\"10.0.3.5\",\"family\":4,\"hwaddr\":\"00:16:3e:00:00:05\","
		  "\"hostname\":\"web\",\"client_id\":\"\",\"expires\":1700003552,"
		  "\"expires_in\":3552,\"kind\":\"dynamic\",\"names\":[\"web\",\"web.lxc\"],"
		  "\"interface\":\"lxcbr0\"}",
		  &doc);
	ctl_lease_from_json(doc.root, NOW, &l);
	ctl_lease_show(capture_start(&c), &l);
	out = capture_end(&c);
	assert_string_equal(out, "address: 10.0.3.5\n"
				 "family: IPv4\n"
				 "hwaddr: 00:16:3e:00:00:05\n"
				 "hostname: web\n"
				 "client_id: -\n"
				 "kind: dynamic\n"
				 "expires: 2023-11-14 23:12:32 UTC (in 59m12s)\n"
				 "names: web, web.lxc\n"
				 "interface: lxcbr0\n");
	free(out);
	json_doc_free(&doc);
	/* IPv6: the MAC the daemon knows, and the DUID that is the client's identity. */
	parse_doc("{\"address\":\"fd42::5\",\"family\":6,\"hwaddr\":\"00:16:3e:00:00:05\","
		  "\"duid\":\"00:04:01:02\",\"iaid\":1,\"ia\":\"na\",\"hostname\":\"web\","
		  "\"expires\":0,\"kind\":\"dynamic\",\"names\":[]}",
		  &doc);
	ctl_lease_from_json(doc.root, NOW, &l);
	assert_string_equal(l.hwaddr, "00:16:3e:00:00:05"); /* the table's column */
	ctl_lease_show(capture_start(&c), &l);
	out = capture_end(&c);
	assert_non_null(strstr(out, "family: IPv6\nhwaddr: 00:16:3e:00:00:05\nduid: 00:04:01:02\n"));
	free(out);
	json_doc_free(&doc);
	/* No MAC known (null): hwaddr "-", the table falls back to the DUID. */
	parse_doc("{\"address\":\"fd42::6\",\"family\":6,\"hwaddr\":null,"
		  "\"duid\":\"00:04:01:03\",\"hostname\":\"\",\"expires\":0,\"names\":[]}",
		  &doc);
	ctl_lease_from_json(doc.root, NOW, &l);
	assert_string_equal(l.hwaddr, "00:04:01:03");
	ctl_lease_show(capture_start(&c), &l);
	out = capture_end(&c);
	assert_non_null(strstr(out, "family: IPv6\nhwaddr: -\nduid: 00:04:01:03\n"));
	free(out);
	json_doc_free(&doc);
}

/* ---- socket discovery ----------------------------------------------- */

/* The exit status a call reports: CTL_OK, or the status its error carries. */
static int st(int r, const struct error *err)
{
	return r < 0 ? err->status : r;
}

static void test_find_socket_none(void **state)
{
	struct error err = { 0 };
	const char *dir = scratch("run-none");
	char path[256], missing[300];

	(void)state;
	assert_int_equal(st(ctl_find_socket(dir, NULL, NULL, path, sizeof(path), &err), &err),
			 CTL_E_NOT_RUNNING);
	assert_non_null(strstr(err.msg, "leased is not running (no socket in"));
	/* A plain file named like a socket is not one. */
	write_file("run-none/fake.sock", "x");
	assert_int_equal(st(ctl_find_socket(dir, NULL, NULL, path, sizeof(path), &err), &err),
			 CTL_E_NOT_RUNNING);
	snprintf(missing, sizeof(missing), "%s/nonexistent", dir);
	assert_int_equal(st(ctl_find_socket(missing, NULL, NULL, path, sizeof(path), &err), &err),
			 CTL_E_NOT_RUNNING);
}

static void test_find_socket_one_and_several(void **state)
{
	struct error err = { 0 };
	const char *dir = scratch("run-many");
	char path[256], a[300], b[300], s[300];
	int fa, fb;

	(void)state;
	snprintf(a, sizeof(a), "%s/lxcbr0.sock", dir);
	snprintf(b, sizeof(b), "%s/virbr0.sock", dir);
	snprintf(s, sizeof(s), "%s/old.sock", dir);
	fa = bind_at(a, true);
	assert_int_equal(st(ctl_find_socket(dir, NULL, NULL, path, sizeof(path), &err), &err),
			 CTL_OK);
	assert_string_equal(path, a);

	/* A stale socket beside a live one is not a second daemon. */
	make_stale(s);
	assert_int_equal(st(ctl_find_socket(dir, NULL, NULL, path, sizeof(path), &err), &err),
			 CTL_OK);
	assert_string_equal(path, a);

	fb = bind_at(b, true);
	assert_int_equal(st(ctl_find_socket(dir, NULL, NULL, path, sizeof(path), &err), &err),
			 CTL_E_USAGE);
	assert_non_null(strstr(err.msg, "lxcbr0, virbr0"));
	assert_non_null(strstr(err.msg, "-i IFACE"));
	assert_non_null(strstr(err.msg, "--control-socket=PATH"));

	/* -i picks one; an unknown one says which are running. */
	assert_int_equal(st(ctl_find_socket(dir, NULL, "virbr0", path, sizeof(path), &err), &err),
			 CTL_OK);
	assert_string_equal(path, b);
	assert_int_equal(st(ctl_find_socket(dir, NULL, "lxdbr0", path, sizeof(path), &err), &err),
			 CTL_E_NOT_RUNNING);
	assert_non_null(strstr(err.msg, "not running for lxdbr0"));
	assert_non_null(strstr(err.msg, "running: lxcbr0, virbr0"));
	assert_int_equal(st(ctl_find_socket(dir, NULL, "../etc", path, sizeof(path), &err), &err),
			 CTL_E_USAGE);

	/* An explicit path wins over everything, existing or not. */
	assert_int_equal(st(ctl_find_socket(dir, "/elsewhere/x.sock", "virbr0", path, sizeof(path), &err), &err),
			 CTL_OK);
	assert_string_equal(path, "/elsewhere/x.sock");

	/* Both gone, stale files left: not running. */
	close(fa);
	close(fb);
	assert_int_equal(st(ctl_find_socket(dir, NULL, NULL, path, sizeof(path), &err), &err),
			 CTL_E_NOT_RUNNING);
	assert_non_null(strstr(err.msg, "stale"));
}

/* ---- exchanges ------------------------------------------------------ */

static int exchange(const char *path, const char *reply, int timeout_ms, struct error *err,
		    int64_t *flushed)
{
	struct control_request req = { .command = CONTROL_CACHE, .flush = true };
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result;
	pid_t pid = serve_once(path, reply);
	int status;

	status = st(ctl_call(&conn, path, &req, timeout_ms, &doc, &result, err), err);
	if (status == CTL_OK) {
		assert_true(json_get_int(result, "flushed", flushed));
		json_doc_free(&doc);
		ctl_close(&conn);
	}
	reap(pid);
	unlink(path);
	return status;
}

static void test_call_replies(void **state)
{
	struct error err = { 0 };
	const char *dir = scratch("run-call");
	char path[300];
	int64_t flushed = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/lxcbr0.sock", dir);
	assert_int_equal(exchange(path, "{\"version\":1,\"ok\":true,\"result\":{\"flushed\":7}}\n",
				  2000, &err, &flushed),
			 CTL_OK);
	assert_int_equal(flushed, 7);
	assert_int_equal(exchange(path,
				  "{\"version\":1,\"ok\":false,\"error\":\"not-found\","
				  "\"message\":\"no lease for 10.0.3.9\"}\n",
				  2000, &err, &flushed),
			 CTL_E_NOT_FOUND);
	assert_string_equal(err.msg, "no lease for 10.0.3.9");
	assert_int_equal(exchange(path,
				  "{\"version\":1,\"ok\":false,\"error\":\"permission-denied\","
				  "\"message\":\"not allowed\"}\n",
				  2000, &err, &flushed),
			 CTL_E_PERMISSION);
	assert_int_equal(exchange(path,
				  "{\"version\":1,\"ok\":false,\"error\":\"busy\",\"message\":\"\"}\n",
				  2000, &err, &flushed),
			 CTL_E_FAILED);
	assert_string_equal(err.msg, "busy");
	assert_int_equal(exchange(path, "HTTP/1.0 400 Bad Request\n", 2000, &err, &flushed),
			 CTL_E_FAILED);
	assert_non_null(strstr(err.msg, "bad reply from leased"));
	/* Closed without a whole line. */
	assert_int_equal(exchange(path, "{\"version\":1,", 2000, &err, &flushed), CTL_E_FAILED);
	assert_non_null(strstr(err.msg, "closed the connection"));
}

static void test_call_not_running_and_timeout(void **state)
{
	struct error err = { 0 };
	const char *dir = scratch("run-timeout");
	struct control_request req = { .command = CONTROL_STATS };
	char path[300];
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result;
	uint64_t t0;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/lxcbr0.sock", dir);
	assert_int_equal(st(ctl_call(&conn, path, &req, 200, &doc, &result, &err), &err),
			 CTL_E_NOT_RUNNING);
	make_stale(path);
	assert_int_equal(st(ctl_call(&conn, path, &req, 200, &doc, &result, &err), &err),
			 CTL_E_NOT_RUNNING);
	assert_non_null(strstr(err.msg, "nothing listens"));
	unlink(path);

	/* Listening but never answering: the timeout, not a hang. */
	fd = bind_at(path, true);
	t0 = now_mono_ms();
	assert_int_equal(st(ctl_call(&conn, path, &req, 200, &doc, &result, &err), &err),
			 CTL_E_FAILED);
	assert_true(now_mono_ms() - t0 >= 190);
	assert_true(now_mono_ms() - t0 < 3000);
	assert_non_null(strstr(err.msg, "did not answer within 0.2 s"));
	close(fd);
	unlink(path);
}

static void test_status_for_error(void **state)
{
	(void)state;
	assert_int_equal(ctl_status_for_error(CONTROL_E_NOT_FOUND), CTL_E_NOT_FOUND);
	assert_int_equal(ctl_status_for_error(CONTROL_E_PERMISSION), CTL_E_PERMISSION);
	assert_int_equal(ctl_status_for_error(CONTROL_E_BAD_REQUEST), CTL_E_USAGE);
	assert_int_equal(ctl_status_for_error(CONTROL_E_VERSION), CTL_E_FAILED);
	assert_int_equal(ctl_status_for_error(CONTROL_E_BUSY), CTL_E_FAILED);
	assert_int_equal(ctl_status_for_error("something-new"), CTL_E_FAILED);
	assert_int_equal(ctl_status_for_error(NULL), CTL_E_FAILED);
}

/* ---- offline -------------------------------------------------------- */

static struct lease mk_lease(const char *addr, uint8_t last, const char *name, time_t expires)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	assert_true(lease_addr_parse(addr, &l.addr));
	l.htype = 1;
	l.hwlen = 6;
	memcpy(l.hwaddr, (const uint8_t[]){ 0x00, 0x16, 0x3e, 0xaa, 0xbb, last }, 6);
	str_copy(l.hostname, name, sizeof(l.hostname));
	l.expires = expires;
	return l;
}

static void append_record(FILE *fp, const struct lease *l, const char *del_addr)
{
	char rec[STORE_RECORD_MAX];
	struct in_addr a = { 0 };
	int n;

	if (del_addr)
		assert_int_equal(inet_pton(AF_INET, del_addr, &a), 1);
	n = store_record_format(l, lease_addr4(a), rec, sizeof(rec));
	assert_true(n > 0);
	fputs(rec, fp);
}

static void test_offline_file_and_journals(void **state)
{
	struct error err = { 0 };
	char file[300], path[320];
	struct lease c2 = mk_lease("10.0.3.2", 2, "c2", NOW + 600);
	struct lease c3 = mk_lease("10.0.3.3", 3, "c3-new", NOW + 7200);
	struct lease c4 = mk_lease("10.0.3.40", 4, "c4", 0);
	struct ctl_leases ls;
	const struct ctl_lease *l;
	struct capture warn;
	char *warnings;
	FILE *fp;

	(void)state;
	snprintf(file, sizeof(file), "%s", write_file("offline.leases",
		"1700003600 00:16:3e:aa:bb:01 10.0.3.1 c1 01:00:16:3e:aa:bb:01\n"
		"1700000600 00:16:3e:aa:bb:02 10.0.3.2 c2-old *\n"
		"1700000700 00:16:3e:aa:bb:03 10.0.3.3 c3 *\n"
		"1699999000 00:16:3e:aa:bb:09 10.0.3.9 gone *\n"
		"duid 00:01:00:01:2c:4a:5b:6c:00:16:3e:00:00:01\n"
		"not a lease line\n"));
	/* journal.old: c2 renamed, 10.0.3.1 released. */
	snprintf(path, sizeof(path), "%s.journal.old", file);
	fp = fopen(path, "w");
	assert_non_null(fp);
	append_record(fp, &c2, NULL);
	append_record(fp, NULL, "10.0.3.1");
	fclose(fp);
	/* journal: c3 renewed, c4 new, a corrupted record, and a torn last one. */
	snprintf(path, sizeof(path), "%s.journal", file);
	fp = fopen(path, "w");
	assert_non_null(fp);
	append_record(fp, &c3, NULL);
	append_record(fp, &c4, NULL);
	fputs("00000000 - 10.0.3.40\n", fp);
	fputs("1234abcd + 1700000000 00:16:3e:aa:bb:02 10.0.3.2 torn", fp);
	fclose(fp);

	assert_int_equal(ctl_read_leasefile(file, NOW, capture_start(&warn), &ls, &err),
			 0);
	warnings = capture_end(&warn);
	assert_non_null(strstr(warnings, "offline.leases:6: "));
	assert_non_null(strstr(warnings, "offline.leases.journal:3: checksum mismatch"));
	assert_null(strstr(warnings, "journal:4")); /* torn: silently not acknowledged */
	free(warnings);

	assert_int_equal(ls.n, 4);
	assert_string_equal(ls.v[0].address, "10.0.3.2");
	assert_string_equal(ls.v[0].hostname, "c2");
	assert_int_equal(ls.v[0].expires_in, 600);
	assert_string_equal(ls.v[1].address, "10.0.3.3");
	assert_string_equal(ls.v[1].hostname, "c3-new");
	assert_string_equal(ls.v[2].address, "10.0.3.9");
	assert_int_equal(ls.v[2].expires_in, 0); /* expired: shown, as "expired" */
	assert_string_equal(ls.v[3].address, "10.0.3.40");
	assert_int_equal(ls.v[3].expires, 0);
	assert_int_equal(ls.v[3].expires_in, -1); /* never, as the daemon says it */
	assert_string_equal(ls.v[3].hwaddr, "00:16:3e:aa:bb:04");
	assert_null(ls.v[3].json);

	/* show's key: address, MAC in any notation, hostname in any case. */
	l = ctl_leases_match(&ls, "10.0.3.40");
	assert_non_null(l);
	assert_string_equal(l->hostname, "c4");
	l = ctl_leases_match(&ls, "00-16-3E-AA-BB-03");
	assert_non_null(l);
	assert_string_equal(l->address, "10.0.3.3");
	l = ctl_leases_match(&ls, "C3-NEW");
	assert_non_null(l);
	assert_string_equal(l->address, "10.0.3.3");
	assert_null(ctl_leases_match(&ls, "10.0.3.1"));
	assert_null(ctl_leases_match(&ls, "c1"));
	ctl_leases_free(&ls);
}

static void test_offline_json_parses(void **state)
{
	struct lease a = mk_lease("10.0.3.7", 7, "c7", NOW + 60);
	struct lease b = mk_lease("10.0.3.8", 8, "", 0);
	struct ctl_leases ls = { 0 };
	struct json_doc doc;
	struct capture c;
	char *out;
	const char *s;
	int64_t v;

	(void)state;
	ls.v = xcalloc(2, sizeof(*ls.v));
	ls.n = 2;
	ctl_lease_from_lease(&a, NOW, &ls.v[0]);
	ctl_lease_from_lease(&b, NOW, &ls.v[1]);
	for (int pretty = 0; pretty < 2; pretty++) {
		ctl_leases_json(capture_start(&c), &ls, pretty);
		out = capture_end(&c);
		parse_doc(out, &doc);
		assert_int_equal(doc.root->type, JSON_ARRAY);
		assert_int_equal(doc.root->len, 2);
		assert_true(json_get_string(doc.root->child, "address", &s));
		assert_string_equal(s, "10.0.3.7");
		assert_true(json_get_int(doc.root->child, "expires_in", &v));
		assert_int_equal(v, 60);
		assert_int_equal(json_get(doc.root->child, "client_id")->type, JSON_NULL);
		assert_true(json_get_int(doc.root->child->next, "expires_in", &v));
		assert_int_equal(v, -1);
		assert_int_equal(json_get(doc.root->child, "names")->len, 1);
		assert_int_equal(json_get(doc.root->child->next, "names")->len, 0);
		json_doc_free(&doc);
		free(out);
	}
	ls.n = 0;
	ctl_leases_json(capture_start(&c), &ls, true);
	out = capture_end(&c);
	assert_string_equal(out, "[]\n");
	free(out);
	free(ls.v);
}

static void test_offline_missing(void **state)
{
	struct error err = { 0 };
	char file[300];
	struct ctl_leases ls;

	(void)state;
	snprintf(file, sizeof(file), "%s/no-such.leases", test_dir);
	assert_int_equal(ctl_read_leasefile(file, NOW, NULL, &ls, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err.msg, "no lease file"));
	/* A journal alone is enough (the daemon died before its first snapshot). */
	{
		struct lease l = mk_lease("10.0.3.5", 5, "j", 0);
		char path[320];
		FILE *fp;

		snprintf(path, sizeof(path), "%s.journal", file);
		fp = fopen(path, "w");
		assert_non_null(fp);
		append_record(fp, &l, NULL);
		fclose(fp);
	}
	assert_int_equal(ctl_read_leasefile(file, NOW, NULL, &ls, &err), 0);
	assert_int_equal(ls.n, 1);
	assert_string_equal(ls.v[0].hostname, "j");
	ctl_leases_free(&ls);
}

static void test_pick_leasefile(void **state)
{
	struct error err = { 0 };
	const char *dir = scratch("misc");
	char dflt[300], out[400], want[400];

	(void)state;
	snprintf(dflt, sizeof(dflt), "%s/dnsmasq.leases", dir);
	/* Nothing there: the default (reading it then says it is missing). */
	assert_int_equal(st(ctl_pick_leasefile(dflt, NULL, out, sizeof(out), &err), &err), 0);
	assert_string_equal(out, dflt);

	/* lxc-net's name: the only one, or the one of -i. */
	write_file("misc/dnsmasq.lxcbr0.leases", "");
	snprintf(want, sizeof(want), "%s/dnsmasq.lxcbr0.leases", dir);
	assert_int_equal(st(ctl_pick_leasefile(dflt, NULL, out, sizeof(out), &err), &err), 0);
	assert_string_equal(out, want);
	assert_int_equal(st(ctl_pick_leasefile(dflt, "lxcbr0", out, sizeof(out), &err), &err),
			 0);
	assert_string_equal(out, want);
	/* -i of another bridge never picks lxcbr0's file. */
	assert_int_equal(st(ctl_pick_leasefile(dflt, "virbr0", out, sizeof(out), &err), &err),
			 0);
	assert_string_equal(out, dflt);

	write_file("misc/dnsmasq.virbr0.leases", "");
	assert_int_equal(st(ctl_pick_leasefile(dflt, NULL, out, sizeof(out), &err), &err),
			 CTL_E_USAGE);
	assert_non_null(strstr(err.msg, "dnsmasq.lxcbr0.leases"));
	assert_non_null(strstr(err.msg, "dnsmasq.virbr0.leases"));
	assert_non_null(strstr(err.msg, "-i IFACE"));

	/* The default file, once it exists, is the default. */
	write_file("misc/dnsmasq.leases", "");
	assert_int_equal(st(ctl_pick_leasefile(dflt, NULL, out, sizeof(out), &err), &err), 0);
	assert_string_equal(out, dflt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_time_left),
		cmocka_unit_test(test_printable),
		cmocka_unit_test(test_table_alignment),
		cmocka_unit_test(test_table_escapes_cells),
		cmocka_unit_test(test_render_nested),
		cmocka_unit_test(test_render_long_list),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_leases_table_from_json),
		cmocka_unit_test(test_lease_show),
		cmocka_unit_test(test_find_socket_none),
		cmocka_unit_test(test_find_socket_one_and_several),
		cmocka_unit_test(test_call_replies),
		cmocka_unit_test(test_call_not_running_and_timeout),
		cmocka_unit_test(test_status_for_error),
		cmocka_unit_test(test_offline_file_and_journals),
		cmocka_unit_test(test_offline_json_parses),
		cmocka_unit_test(test_offline_missing),
		cmocka_unit_test(test_pick_leasefile),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_remove);
}
