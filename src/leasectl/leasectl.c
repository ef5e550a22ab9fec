/*
 * leasectl — inspect and manage leased's leases and DNS cache over its
 * control socket (include/ctl/control_proto.h), or read the lease file when
 * the daemon is down.  This file is the command line: options, the
 * command table, help texts, and one function per command turning the
 * daemon's result into text; finding and talking to the socket, the
 * offline reading and all formatting live in src/leasectl_*.c, which the
 * unit tests link.  Exit statuses: enum ctl_status, leasectl(8).
 */
#include "conf/config.h"
#include "ctl/control_proto.h"
#include "core/json.h"
#include "leasectl/leasectl_fmt.h"
#include "leasectl/leasectl_leases.h"
#include "leasectl/leasectl_sock.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_JSON = 1 << 0,
	OPT_IFACE = 1 << 1,
	OPT_SOCKET = 1 << 2,
	OPT_LEASEFILE = 1 << 3,
	OPT_FLUSH = 1 << 4,
	/* Every command that talks to the daemon takes these. */
	OPT_DAEMON = OPT_JSON | OPT_IFACE | OPT_SOCKET,
};

struct ctx {
	const struct command *cmd;
	char **args;
	int nargs;
	unsigned seen;          /* OPT_* given */
	bool json;
	bool flush;
	const char *iface;
	const char *socket;     /* --control-socket, else $LEASECTL_SOCKET */
	const char *leasefile;  /* --leasefile */
	char path[PATH_MAX];    /* the socket chosen */
	struct error err;       /* the last failure talking to the daemon */
};

struct command {
	const char *name;
	int (*run)(struct ctx *c);
	unsigned opts;
	int min_args, max_args;
	const char *args_synopsis;
	const char *summary;
	const char *help;
};

static const char *progname = "leasectl";

static void fail_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- talking to the daemon ----------------------------------------- */

/*
 * Find the socket and make one exchange (ctl_call): CTL_OK, or the exit
 * status with c->err filled.
 */
static int call(struct ctx *c, const struct control_request *req, struct ctl_conn *conn,
		struct json_doc *doc, const struct json_value **result)
{
	const char *rundir = getenv("LEASECONTROL_RUN_DIR");

	if (ctl_find_socket(rundir && *rundir ? rundir : CONTROL_RUN_DIR, c->socket, c->iface,
			    c->path, sizeof(c->path), &c->err) < 0 ||
	    ctl_call(conn, c->path, req, CTL_TIMEOUT_MS, doc, result, &c->err) < 0)
		return error_status(&c->err);
	return CTL_OK;
}

/* The member of result a command is about; a message when it is missing. */
static const struct json_value *member(const struct json_value *result, const char *key,
				       enum json_type type)
{
	const struct json_value *v = json_get(result, key);

	if (!v || v->type != type) {
		fail_msg("bad reply from leased: no \"%s\" %s", key,
			 type == JSON_ARRAY ? "array" : "object");
		return NULL;
	}
	return v;
}

static int64_t now_s(void)
{
	return (int64_t)now_wall();
}

/* ---- offline: leases and show from the lease file ------------------ */

static int read_offline(struct ctx *c, struct ctl_leases *ls, char *file, size_t filelen)
{
	const char *why = c->err.msg; /* why the daemon could not answer */
	struct error err = { 0 };

	if (c->leasefile) {
		str_copy(file, c->leasefile, filelen);
	} else if (ctl_pick_leasefile(DEFAULT_LEASE_FILE, c->iface, file, filelen, &err) < 0) {
		fail_msg("%s; %s", why, err.msg);
		return error_status(&err);
	}
	fprintf(stderr, "%s: %s; reading %s\n", progname, why, file);
	if (ctl_read_leasefile(file, now_s(), stderr, ls, &err) == 0)
		return CTL_OK;
	fail_msg("%s", err.msg);
	return error_status(&err);
}

static int offline_leases(struct ctx *c)
{
	struct ctl_leases ls;
	char file[PATH_MAX];
	int status = read_offline(c, &ls, file, sizeof(file));

	if (status != CTL_OK)
		return status;
	if (c->json)
		ctl_leases_json(stdout, &ls, true);
	else
		ctl_leases_table(stdout, &ls);
	ctl_leases_free(&ls);
	return CTL_OK;
}

static int offline_show(struct ctx *c)
{
	struct ctl_leases ls;
	const struct ctl_lease *l;
	char file[PATH_MAX];
	int status = read_offline(c, &ls, file, sizeof(file));

	if (status != CTL_OK)
		return status;
	l = ctl_leases_match(&ls, c->args[0]);
	if (!l) {
		fail_msg("no lease for %s in %s", c->args[0], file);
		status = CTL_E_NOT_FOUND;
	} else if (c->json) {
		ctl_lease_json(stdout, l, true, 0);
		fputc('\n', stdout);
	} else {
		ctl_lease_show(stdout, l);
	}
	ctl_leases_free(&ls);
	return status;
}

/* ---- commands ------------------------------------------------------ */

static int run_leases(struct ctx *c)
{
	struct control_request req = { .command = CONTROL_LEASES };
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result, *arr;
	struct ctl_leases ls;
	int status;

	if (c->iface)
		str_copy(req.interface, c->iface, sizeof(req.interface));
	status = call(c, &req, &conn, &doc, &result);
	if (status == CTL_E_NOT_RUNNING)
		return offline_leases(c);
	if (status != CTL_OK) {
		fail_msg("%s", c->err.msg);
		return status;
	}
	arr = member(result, "leases", JSON_ARRAY);
	if (!arr) {
		status = CTL_E_FAILED;
	} else {
		/* Sorted by address either way; JSON keeps the daemon's objects whole. */
		ctl_leases_from_json(arr, now_s(), &ls);
		ctl_leases_sort(&ls);
		if (c->json)
			ctl_leases_json(stdout, &ls, true);
		else
			ctl_leases_table(stdout, &ls);
		ctl_leases_free(&ls);
	}
	json_doc_free(&doc);
	ctl_close(&conn);
	return status;
}

static int run_show(struct ctx *c)
{
	struct control_request req = { .command = CONTROL_SHOW };
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result, *obj;
	struct ctl_lease l;
	int status;

	str_copy(req.key, c->args[0], sizeof(req.key));
	status = call(c, &req, &conn, &doc, &result);
	if (status == CTL_E_NOT_RUNNING)
		return offline_show(c);
	if (status != CTL_OK) {
		fail_msg("%s", c->err.msg);
		return status;
	}
	obj = member(result, "lease", JSON_OBJECT);
	if (!obj) {
		status = CTL_E_FAILED;
	} else if (c->json) {
		ctl_json_print(stdout, obj, true);
	} else {
		ctl_lease_from_json(obj, now_s(), &l);
		ctl_lease_show(stdout, &l);
	}
	json_doc_free(&doc);
	ctl_close(&conn);
	return status;
}

/* "released 10.0.3.5 (aa:bb:cc:dd:ee:ff, c1)" */
static void print_released(const struct json_value *obj)
{
	struct ctl_lease l;
	char a[CTL_TEXT_MAX], h[CTL_TEXT_MAX], n[CTL_TEXT_MAX];

	ctl_lease_from_json(obj, now_s(), &l);
	printf("released %s", ctl_printable(l.address, a, sizeof(a)));
	if (l.hwaddr[0] || l.hostname[0])
		printf(" (%s%s%s)", ctl_printable(l.hwaddr, h, sizeof(h)),
		       l.hwaddr[0] && l.hostname[0] ? ", " : "",
		       ctl_printable(l.hostname, n, sizeof(n)));
	putchar('\n');
}

static int run_release(struct ctx *c)
{
	struct control_request req = { .command = CONTROL_RELEASE };
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result, *obj;
	int status;

	str_copy(req.key, c->args[0], sizeof(req.key));
	status = call(c, &req, &conn, &doc, &result);
	if (status != CTL_OK) {
		fail_msg("%s", c->err.msg);
		return status;
	}
	obj = member(result, "released", JSON_OBJECT);
	if (!obj) {
		status = CTL_E_FAILED;
	} else if (c->json) {
		ctl_json_print(stdout, obj, true);
	} else {
		/* The lease named, then the client's other leases released with it. */
		const struct json_value *also = json_get(result, "also_released");

		print_released(obj);
		for (const struct json_value *v = also ? also->child : NULL; v; v = v->next)
			if (v->type == JSON_OBJECT)
				print_released(v);
	}
	json_doc_free(&doc);
	ctl_close(&conn);
	return status;
}

static void stop_watching(int sig)
{
	(void)sig;
	_exit(CTL_OK); /* every event line was flushed when printed */
}

/* "2026-11-24 23:22:07 grant 10.0.3.5 aa:bb:cc:dd:ee:ff c1" */
static void print_event(const struct json_value *ev)
{
	const struct json_value *lease = json_get(ev, "lease");
	static const char *const skip[] = { "type", "time", "lease", NULL };
	char when[32], buf[4 * CTL_TEXT_MAX], num[32];
	const char *type = "event";
	int64_t t = now_s();
	time_t tt;
	struct tm tm;

	json_get_int(ev, "time", &t);
	json_get_string(ev, "type", &type);
	tt = (time_t)t;
	if (!localtime_r(&tt, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)t);
	printf("%s %s", when, ctl_printable(type, buf, sizeof(buf)));
	if (lease && lease->type == JSON_OBJECT) {
		struct ctl_lease l;

		ctl_lease_from_json(lease, t, &l);
		printf(" %s", ctl_printable(l.address[0] ? l.address : "-", buf, sizeof(buf)));
		printf(" %s", ctl_printable(l.hwaddr[0] ? l.hwaddr : "-", buf, sizeof(buf)));
		printf(" %s", ctl_printable(l.hostname[0] ? l.hostname : "-", buf, sizeof(buf)));
	}
	/* Anything else the event carries, as key=value. */
	for (const struct json_value *m = ev->child; m; m = m->next) {
		bool skipped = false;

		for (size_t i = 0; skip[i]; i++)
			skipped |= strcmp(m->key, skip[i]) == 0;
		if (skipped || m->type == JSON_OBJECT || m->type == JSON_ARRAY)
			continue;
		printf(" %s=", ctl_printable(m->key, buf, sizeof(buf)));
		ctl_printable(ctl_scalar_text(m, num, sizeof(num)), buf, sizeof(buf));
		fputs(buf, stdout);
	}
	putchar('\n');
}

static int run_watch(struct ctx *c)
{
	struct control_request req = { .command = CONTROL_WATCH };
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result;
	struct sigaction sa = { .sa_handler = stop_watching };
	int status;

	status = call(c, &req, &conn, &doc, &result);
	if (status != CTL_OK) {
		fail_msg("%s", c->err.msg);
		return status;
	}
	json_doc_free(&doc);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fflush(stdout);
	for (;;) {
		struct control_error err;
		const struct json_value *ev;
		const char *line;
		size_t len;
		bool ok, eof;

		if (ctl_read_line(&conn, 0, &line, &len, &eof, &c->err) < 0) {
			status = error_status(&c->err);
			if (eof) {
				fail_msg("leased closed the connection (stopped or restarted)");
				status = CTL_E_NOT_RUNNING;
			} else {
				fail_msg("%s", c->err.msg);
			}
			break;
		}
		if (control_parse_reply(line, len, &doc, &ok, &err) < 0) {
			fail_msg("bad event from leased: %s", err.message);
			status = CTL_E_FAILED;
			break;
		}
		if (!ok) {
			fail_msg("%s", err.message[0] ? err.message : err.code);
			status = ctl_status_for_error(err.code);
			json_doc_free(&doc);
			break;
		}
		ev = json_get(doc.root, "event");
		if (ev) {
			if (c->json)
				ctl_json_print(stdout, ev, false);
			else
				print_event(ev);
			fflush(stdout);
		}
		json_doc_free(&doc);
	}
	ctl_close(&conn);
	return status;
}

/* A command whose result is shown as "key: value" lines as it comes. */
static int run_generic(struct ctx *c, enum control_command command)
{
	struct control_request req = { .command = command };
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result;
	int status = call(c, &req, &conn, &doc, &result);

	if (status != CTL_OK) {
		fail_msg("%s", c->err.msg);
		return status;
	}
	if (c->json)
		ctl_json_print(stdout, result, true);
	else
		ctl_render(stdout, result, 0, NULL, true);
	json_doc_free(&doc);
	ctl_close(&conn);
	return CTL_OK;
}

static int run_stats(struct ctx *c)
{
	return run_generic(c, CONTROL_STATS);
}

/* The first of keys that v has. */
static const struct json_value *any_of(const struct json_value *v, const char *const *keys)
{
	for (; *keys; keys++) {
		const struct json_value *m = json_get(v, *keys);

		if (m)
			return m;
	}
	return NULL;
}

/* Append text to buf (used bytes in *o), sep first when buf is not empty. */
static void append(char *buf, size_t len, size_t *o, const char *sep, const char *text)
{
	int w;

	if (*o >= len)
		return;
	w = snprintf(buf + *o, len - *o, "%s%s", *o ? sep : "", text);
	if (w > 0)
		*o = MIN(*o + (size_t)w, len - 1);
}

/* A DNS record object ({"name","type","ttl","data"}) as "TYPE DATA"; false if it is not one. */
static bool record_text(const struct json_value *r, char *buf, size_t len)
{
	const char *type = NULL, *data = NULL;

	if (!json_get_string(r, "data", &data))
		return false;
	json_get_string(r, "type", &type);
	snprintf(buf, len, "%s%s%s", type ? type : "", type ? " " : "", data);
	return true;
}

/* A cache entry's answer: its records, or why it is negative. */
static void cache_answer(const struct json_value *e, char *buf, size_t len)
{
	static const char *const answer_keys[] = { "answer", "answers", "records", "data", NULL };
	static const char *const negative_keys[] = { "outcome", "rcode", NULL };
	const struct json_value *neg = json_get(e, "negative");
	const struct json_value *a;
	char num[32], rec[512];
	size_t o = 0;

	buf[0] = '\0';
	if (neg && ((neg->type == JSON_BOOL && neg->b) || neg->type == JSON_STRING)) {
		const struct json_value *why = any_of(e, negative_keys);

		if (neg->type == JSON_STRING)
			append(buf, len, &o, "", neg->s);
		else if (why && why->type == JSON_STRING)
			append(buf, len, &o, "", why->s);
		else
			append(buf, len, &o, "", "negative");
		return;
	}
	a = any_of(e, answer_keys);
	if (!a)
		return;
	if (a->type != JSON_ARRAY) {
		append(buf, len, &o, "", ctl_scalar_text(a, num, sizeof(num)));
		return;
	}
	for (const struct json_value *r = a->child; r; r = r->next) {
		size_t start = o;

		if (r->type != JSON_OBJECT) {
			append(buf, len, &o, ", ", ctl_scalar_text(r, num, sizeof(num)));
			continue;
		}
		if (record_text(r, rec, sizeof(rec))) {
			append(buf, len, &o, ", ", rec);
			continue;
		}
		/* Some other object: its scalar members, space-separated. */
		for (const struct json_value *m = r->child; m; m = m->next)
			if (m->type != JSON_OBJECT && m->type != JSON_ARRAY)
				append(buf, len, &o, o == start ? ", " : " ",
				       ctl_scalar_text(m, num, sizeof(num)));
	}
}

static void cache_table(const struct json_value *entries)
{
	static const char *const headers[] = { "NAME", "TYPE", "TTL-LEFT", "ANSWER" };
	static const char *const ttl_keys[] = { "ttl_left", "ttl", "expires_in", NULL };
	struct ctl_table t;

	ctl_table_init(&t, ARRAY_SIZE(headers), headers);
	for (const struct json_value *e = entries->child; e; e = e->next) {
		const struct json_value *type = json_get(e, "type"), *ttl = any_of(e, ttl_keys);
		const char *name = "";
		char tbuf[32], left[CTL_DURATION_LEN] = "", answer[1024];
		const char *row[4];

		json_get_string(e, "name", &name);
		if (ttl && ttl->type == JSON_INT)
			ctl_time_left(1, ttl->i, left, sizeof(left));
		cache_answer(e, answer, sizeof(answer));
		row[0] = name;
		row[1] = type ? ctl_scalar_text(type, tbuf, sizeof(tbuf)) : "";
		row[2] = left;
		row[3] = answer;
		ctl_table_add(&t, row);
	}
	ctl_table_print(&t, stdout);
	ctl_table_free(&t);
}

static int run_cache(struct ctx *c)
{
	struct control_request req = { .command = CONTROL_CACHE, .flush = c->flush };
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result, *entries;
	char name[CTL_TEXT_MAX];
	int64_t flushed;
	int status;

	if (c->nargs > 0)
		str_copy(req.name, c->args[0], sizeof(req.name));
	status = call(c, &req, &conn, &doc, &result);
	if (status != CTL_OK) {
		fail_msg("%s", c->err.msg);
		return status;
	}
	entries = json_get(result, "entries");
	if (c->json) {
		ctl_json_print(stdout, result, true);
	} else if (json_get_int(result, "flushed", &flushed)) {
		printf("flushed %lld entr%s", (long long)flushed, flushed == 1 ? "y" : "ies");
		if (req.name[0])
			printf(" for %s", ctl_printable(req.name, name, sizeof(name)));
		putchar('\n');
	} else if (entries && entries->type == JSON_ARRAY) {
		cache_table(entries);
	} else {
		ctl_render(stdout, result, 0, NULL, true);
	}
	json_doc_free(&doc);
	ctl_close(&conn);
	return CTL_OK;
}

/* True when arr holds only DNS record objects (each with "data"). */
static bool record_list(const struct json_value *arr)
{
	if (!arr || arr->type != JSON_ARRAY)
		return false;
	for (const struct json_value *r = arr->child; r; r = r->next)
		if (r->type != JSON_OBJECT || !json_get(r, "data"))
			return false;
	return true;
}

/* Records as zone-file lines: "  NAME TTL TYPE DATA". */
static void print_records(const char *key, const struct json_value *arr)
{
	char buf[1024], num[32];

	if (!arr->child) {
		ctl_render_member(stdout, key, arr, 0);
		return;
	}
	printf("%s:\n", key);
	for (const struct json_value *r = arr->child; r; r = r->next) {
		static const char *const fields[] = { "name", "ttl", "type", "data" };

		fputs(" ", stdout);
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
			const struct json_value *f = json_get(r, fields[i]);

			if (!f)
				continue;
			ctl_printable(ctl_scalar_text(f, num, sizeof(num)), buf, sizeof(buf));
			printf(" %s", buf);
		}
		putchar('\n');
	}
}

static int run_explain(struct ctx *c)
{
	static const char *const first[] = { "decision", "source", "outcome", "detail",
					     "details", NULL };
	struct control_request req = { .command = CONTROL_EXPLAIN };
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result;
	int status;

	str_copy(req.name, c->args[0], sizeof(req.name));
	if (c->nargs > 1)
		for (size_t i = 0; c->args[1][i] && i + 1 < sizeof(req.type); i++)
			req.type[i] = (char)toupper((unsigned char)c->args[1][i]);
	status = call(c, &req, &conn, &doc, &result);
	if (status != CTL_OK) {
		fail_msg("%s", c->err.msg);
		return status;
	}
	if (c->json) {
		ctl_json_print(stdout, result, true);
	} else {
		/* The verdict first, then the records, then whatever else there is. */
		for (size_t i = 0; first[i]; i++)
			ctl_render_member(stdout, first[i], json_get(result, first[i]), 0);
		for (const struct json_value *m = result->child; m; m = m->next) {
			bool known = false;

			for (size_t i = 0; first[i]; i++)
				known |= strcmp(m->key, first[i]) == 0;
			if (known)
				continue;
			if (record_list(m))
				print_records(m->key, m);
			else
				ctl_render_member(stdout, m->key, m, 0);
		}
	}
	json_doc_free(&doc);
	ctl_close(&conn);
	return CTL_OK;
}

/* A change as {"before":N,"after":M}: "key: N -> M (+k)" or "key: N (unchanged)". */
static bool print_change(const struct json_value *m)
{
	int64_t before, after;
	char buf[CTL_TEXT_MAX];

	if (m->type != JSON_OBJECT || m->len != 2 || !json_get_int(m, "before", &before) ||
	    !json_get_int(m, "after", &after))
		return false;
	printf("%s: ", ctl_printable(m->key, buf, sizeof(buf)));
	if (before == after)
		printf("%lld (unchanged)\n", (long long)after);
	else
		printf("%lld -> %lld (%+lld)\n", (long long)before, (long long)after,
		       (long long)(after - before));
	return true;
}

static int run_reload(struct ctx *c)
{
	static const char *const skip[] = { "changes", NULL };
	struct control_request req = { .command = CONTROL_RELOAD };
	struct json_doc doc;
	struct ctl_conn conn;
	const struct json_value *result, *changes;
	int status = call(c, &req, &conn, &doc, &result);

	if (status != CTL_OK) {
		fail_msg("%s", c->err.msg);
		return status;
	}
	changes = json_get(result, "changes");
	if (c->json) {
		ctl_json_print(stdout, result, true);
	} else {
		if (!changes || ((changes->type == JSON_OBJECT || changes->type == JSON_ARRAY) &&
				 !changes->child))
			printf("no changes\n");
		else if (changes->type != JSON_OBJECT)
			ctl_render_member(stdout, "changes", changes, 0);
		else
			for (const struct json_value *m = changes->child; m; m = m->next)
				if (!print_change(m))
					ctl_render_member(stdout, m->key, m, 0);
		ctl_render(stdout, result, 0, skip, false);
	}
	json_doc_free(&doc);
	ctl_close(&conn);
	return CTL_OK;
}

static int run_help(struct ctx *c);

static const struct command commands[] = {
	{ "leases", run_leases, OPT_DAEMON | OPT_LEASEFILE, 0, 0, "",
	  "list leases",
	  "List every lease, sorted by address: ADDRESS, HWADDR (or DUID), HOSTNAME,\n"
	  "EXPIRES (time left, \"never\" or \"expired\"), CLIENT-ID and KIND\n"
	  "(dynamic or static, v4 or v6).  With -i IFACE only leases on IFACE.\n"
	  "When leased is not running, the lease file is read instead (-l FILE).\n" },
	{ "show", run_show, OPT_DAEMON | OPT_LEASEFILE, 1, 1, " ADDR|MAC|NAME",
	  "one lease in full",
	  "Show the lease of an address, hardware address or hostname in full, as\n"
	  "\"key: value\" lines, with the DNS names it answers.\n"
	  "When leased is not running, the lease file is read instead (-l FILE).\n" },
	{ "release", run_release, OPT_DAEMON, 1, 1, " ADDR|MAC|NAME",
	  "release a lease now",
	  "Release the lease of an address, hardware address or hostname, as if the\n"
	  "client had sent DHCPRELEASE, and print what was released.\n" },
	{ "watch", run_watch, OPT_DAEMON, 0, 0, "",
	  "print lease events as they happen",
	  "Print one line per lease event (grant, renew, release, expire ...) until\n"
	  "interrupted: TIME EVENT ADDRESS HWADDR HOSTNAME.  With --json, one JSON\n"
	  "object per line.  Interrupting it (Ctrl-C) exits with status 0.\n" },
	{ "stats", run_stats, OPT_DAEMON, 0, 0, "",
	  "counters: DHCP, leases, DNS, cache, upstream servers",
	  "Print leased's counters in sections: DHCP messages by type, leases used\n"
	  "and free per range, DNS queries by outcome, the cache, and the upstream\n"
	  "servers with their health.\n" },
	{ "cache", run_cache, OPT_DAEMON | OPT_FLUSH, 0, 1, " [NAME]",
	  "list or flush the DNS cache",
	  "List the DNS cache (NAME TYPE TTL-LEFT ANSWER), or only the entries for\n"
	  "NAME.  With --flush, drop those entries instead and print how many.\n" },
	{ "explain", run_explain, OPT_DAEMON, 1, 2, " NAME [TYPE]",
	  "how leased answers a name",
	  "Explain how leased answers a query for NAME (TYPE: A unless given):\n"
	  "the decision, where the answer comes from, and the details.\n" },
	{ "reload", run_reload, OPT_DAEMON, 0, 0, "",
	  "reread hosts and option files, print what changed",
	  "Make leased reread the files it rereads on SIGHUP (DHCP hosts and options\n"
	  "files, hosts files, the resolv file) and print what changed.\n" },
	{ "help", run_help, 0, 0, 1, " [COMMAND]", "help on leasectl or a command", NULL },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const struct {
	unsigned opt;
	const char *text;
} option_help[] = {
	{ OPT_JSON, "  -j, --json               JSON output, for scripts\n" },
	{ OPT_IFACE, "  -i, --interface=IFACE    the leased serving IFACE (socket\n"
		     "                           RUNDIR/IFACE.sock); for leases also a filter\n" },
	{ OPT_SOCKET, "      --control-socket=PATH\n"
		      "                           the daemon's control socket\n" },
	{ OPT_LEASEFILE, "  -l, --leasefile=FILE     the lease file to read when leased is not\n"
			 "                           running (default " DEFAULT_LEASE_FILE ")\n" },
	{ OPT_FLUSH, "      --flush              drop the entries instead of listing them\n" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTION]... COMMAND [ARG]...\n"
		"Inspect and manage the leases and DNS cache of leased.\n\n"
		"Commands:\n",
		progname);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		char syn[64];

		snprintf(syn, sizeof(syn), "%s%s", commands[i].name, commands[i].args_synopsis);
		fprintf(out, "  %-24s %s\n", syn, commands[i].summary);
	}
	fputs("\nOptions:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(option_help); i++)
		fputs(option_help[i].text, out);
	fputs("  -h, --help               help (also: leasectl help COMMAND)\n"
	      "  -V, --version            the version\n\n"
	      "The socket is --control-socket, else $LEASECTL_SOCKET, else RUNDIR/IFACE.sock\n"
	      "with -i, else the only *.sock in RUNDIR\n"
	      "($LEASECONTROL_RUN_DIR, default " CONTROL_RUN_DIR ").\n"
	      "Exit status: 0 ok, 1 usage, 2 leased not running, 3 permission denied,\n"
	      "4 not found, 5 other failure.  See leasectl(8).\n",
	      out);
}

static void command_usage(const struct command *cmd, FILE *out)
{
	fprintf(out, "Usage: %s %s [OPTION]...%s\n", progname, cmd->name, cmd->args_synopsis);
	if (cmd->help)
		fprintf(out, "%s", cmd->help);
	if (cmd->opts)
		fputs("\nOptions:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(option_help); i++)
		if (cmd->opts & option_help[i].opt)
			fputs(option_help[i].text, out);
}

static int run_help(struct ctx *c)
{
	const struct command *cmd;

	if (c->nargs == 0) {
		usage(stdout);
		return CTL_OK;
	}
	cmd = find_command(c->args[0]);
	if (!cmd) {
		fail_msg("unknown command '%s' (see '%s --help')", c->args[0], progname);
		return CTL_E_USAGE;
	}
	command_usage(cmd, stdout);
	return CTL_OK;
}

/* ---- arguments ----------------------------------------------------- */

enum { LONG_SOCKET = 256, LONG_FLUSH };

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "json", no_argument, NULL, 'j' },
	{ "interface", required_argument, NULL, 'i' },
	{ "control-socket", required_argument, NULL, LONG_SOCKET },
	{ "leasefile", required_argument, NULL, 'l' },
	{ "dhcp-leasefile", required_argument, NULL, 'l' },
	{ "flush", no_argument, NULL, LONG_FLUSH },
	{ NULL, 0, NULL, 0 },
};

static const char *option_name(unsigned opt)
{
	switch (opt) {
	case OPT_JSON:
		return "--json";
	case OPT_IFACE:
		return "--interface";
	case OPT_SOCKET:
		return "--control-socket";
	case OPT_LEASEFILE:
		return "--leasefile";
	default:
		return "--flush";
	}
}

/* Arguments a command passes on must fit the protocol's fields. */
static int check_args(const struct ctx *c)
{
	for (int i = 0; i < c->nargs; i++) {
		if (c->args[i][0] == '\0') {
			fail_msg("%s: empty argument", c->cmd->name);
			return CTL_E_USAGE;
		}
		if (strlen(c->args[i]) >= CONTROL_ARG_MAX) {
			fail_msg("%s: argument longer than %d bytes", c->cmd->name,
				 CONTROL_ARG_MAX - 1);
			return CTL_E_USAGE;
		}
	}
	if (c->cmd->run == run_explain && c->nargs > 1) {
		const char *t = c->args[1];
		size_t n = strlen(t);

		if (n >= sizeof(((struct control_request *)0)->type)) {
			fail_msg("explain: not a record type: %s", t);
			return CTL_E_USAGE;
		}
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)t[i])) {
				fail_msg("explain: not a record type: %s", t);
				return CTL_E_USAGE;
			}
	}
	if (c->iface && (strlen(c->iface) >= IF_NAMESIZE || !c->iface[0] ||
			 strchr(c->iface, '/'))) {
		fail_msg("not an interface name: %s", c->iface);
		return CTL_E_USAGE;
	}
	return CTL_OK;
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	bool help = false;
	const char *env;
	int opt, status;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hVji:l:", long_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			help = true;
			break;
		case 'V':
			printf("leasectl %s\n", LEASED_VERSION);
			return CTL_OK;
		case 'j':
			c.json = true;
			c.seen |= OPT_JSON;
			break;
		case 'i':
			c.iface = optarg;
			c.seen |= OPT_IFACE;
			break;
		case 'l':
			c.leasefile = optarg;
			c.seen |= OPT_LEASEFILE;
			break;
		case LONG_SOCKET:
			c.socket = optarg;
			c.seen |= OPT_SOCKET;
			break;
		case LONG_FLUSH:
			c.flush = true;
			c.seen |= OPT_FLUSH;
			break;
		case ':':
			fail_msg("option '%s' needs a value (see '%s --help')", argv[optind - 1],
				 progname);
			return CTL_E_USAGE;
		default:
			if (optopt)
				fail_msg("unknown option '-%c' (see '%s --help')", optopt,
					 progname);
			else
				fail_msg("unknown option '%s' (see '%s --help')", argv[optind - 1],
					 progname);
			return CTL_E_USAGE;
		}
	}
	if (optind == argc) {
		if (help) {
			usage(stdout);
			return CTL_OK;
		}
		usage(stderr);
		return CTL_E_USAGE;
	}
	c.cmd = find_command(argv[optind]);
	if (!c.cmd) {
		fail_msg("unknown command '%s' (see '%s --help')", argv[optind], progname);
		return CTL_E_USAGE;
	}
	c.args = argv + optind + 1;
	c.nargs = argc - optind - 1;
	if (help) {
		command_usage(c.cmd, stdout);
		return CTL_OK;
	}
	for (unsigned bit = 1; bit <= OPT_FLUSH; bit <<= 1)
		if ((c.seen & bit) && !(c.cmd->opts & bit)) {
			fail_msg("%s does not take %s (see '%s help %s')", c.cmd->name,
				 option_name(bit), progname, c.cmd->name);
			return CTL_E_USAGE;
		}
	if (c.nargs < c.cmd->min_args || c.nargs > c.cmd->max_args) {
		fail_msg("%s %s (see '%s help %s')",
			 c.nargs < c.cmd->min_args ? "missing argument:" : "too many arguments:",
			 c.cmd->args_synopsis[0] ? c.cmd->args_synopsis + 1 : "none expected",
			 progname, c.cmd->name);
		return CTL_E_USAGE;
	}
	status = check_args(&c);
	if (status != CTL_OK)
		return status;
	if (!c.socket && (env = getenv("LEASECTL_SOCKET")) && *env)
		c.socket = env;

	status = c.cmd->run(&c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fail_msg("writing the output: %s", strerror(errno));
		return CTL_E_FAILED;
	}
	return status;
}
