/*
 * scenario — replays the tests/scenario .scn files (format: README.md beside
 * this file) against the DHCPv4 and DHCPv6 engines, the lease table, local
 * DNS data and the cache, on a fake clock and with no sockets, in the
 * style of Unbound's replay tests.  This file reads the lines, splits them into
 * words, dispatches them and reports: "ok FILE:LINE: step" or
 * "FAIL FILE:LINE: what", then "N passed, N failed".
 *
 *   scenario [-v] [--no-purge] [--must-fail] FILE...
 *
 * --must-fail turns the verdict round: every file must fail, and with the
 * text its `must-fail TEXT` line names (tests/scenario/bad/), so the
 * harness cannot pass everything silently.  --no-purge leaves out the
 * lease observer that purges the cache: the harness's own mutation test
 * (some scenario must then fail).  -v: the daemon's log lines on stderr.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "scenario.h"
#include "core/util.h"

/* ---- reporting ---- */

void scn_fail(struct scn *s, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("FAIL %s:%u: %s\n", s->path, s->line, msg);
	s->step_failed = true;
	if (s->must_fail[0] && strstr(msg, s->must_fail))
		s->must_fail_matched = true;
}

/* Count the step that just ran. */
static void finish_step(struct scn *s)
{
	if (s->step_failed) {
		s->failed++;
	} else {
		s->passed++;
		printf("ok %s:%u: %s\n", s->path, s->line, s->text);
	}
	s->step_failed = false;
}

/* ---- words ---- */

bool scn_kv(const char *word, const char *key, const char **val)
{
	size_t n = strlen(key);

	if (strncmp(word, key, n) != 0 || word[n] != '=')
		return false;
	*val = word + n + 1;
	return true;
}

int scn_set_var(struct scn *s, const char *name, struct lease_addr addr)
{
	size_t i;

	if (!*name || strlen(name) >= SCN_VAR_NAME) {
		scn_fail(s, "variable name \"%s\" is empty or longer than %d", name,
			 SCN_VAR_NAME - 1);
		return -1;
	}
	for (i = 0; i < s->nvars; i++)
		if (strcmp(s->vars[i].name, name) == 0)
			break;
	if (i == SCN_MAX_VARS) {
		scn_fail(s, "more than %d variables", SCN_MAX_VARS);
		return -1;
	}
	if (i == s->nvars)
		str_copy(s->vars[s->nvars++].name, name, SCN_VAR_NAME);
	s->vars[i].addr = addr;
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "an IPv4 address" :
	       family == AF_INET6 ? "an IPv6 address" : "an address";
}

/* "@name": an address an `expect ... as=name` kept (@last: the last reply's). */
static int var_addr(struct scn *s, const char *text, struct lease_addr *out)
{
	for (size_t i = 0; i < s->nvars; i++)
		if (strcmp(s->vars[i].name, text + 1) == 0) {
			*out = s->vars[i].addr;
			return 0;
		}
	scn_fail(s, "no variable %s (set by an earlier reply or as=)", text);
	return -1;
}

int scn_addr(struct scn *s, const char *text, int family, struct lease_addr *out)
{
	struct lease_addr a;

	if (text[0] == '@') {
		if (var_addr(s, text, &a) < 0)
			return -1;
	} else if (!lease_addr_parse(text, &a)) {
		scn_fail(s, "\"%s\" is not %s", text, family_name(family));
		return -1;
	}
	if (family != AF_UNSPEC && a.family != family) {
		scn_fail(s, "\"%s\" is %s, not %s", text, family_name(a.family),
			 family_name(family));
		return -1;
	}
	*out = a;
	return 0;
}

int scn_addr4(struct scn *s, const char *text, struct in_addr *out)
{
	struct lease_addr a;

	if (scn_addr(s, text, AF_INET, &a) < 0)
		return -1;
	*out = a.v4;
	return 0;
}

int scn_addr6(struct scn *s, const char *text, struct in6_addr *out)
{
	struct lease_addr a;

	if (scn_addr(s, text, AF_INET6, &a) < 0)
		return -1;
	*out = a.v6;
	return 0;
}

int scn_reverse_name(const struct lease_addr *a, char *out, size_t len)
{
	const void *bytes = a->family == AF_INET6 ? (const void *)&a->v6 : (const void *)&a->v4;

	return dns_reverse_name(a->family, bytes, out, len) > 0 ? 0 : -1;
}

uint16_t scn_addr_type(const struct lease_addr *a)
{
	return a->family == AF_INET6 ? DNS_T_AAAA : DNS_T_A;
}

int scn_number(struct scn *s, const char *text, const char *what, unsigned long max,
	       unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	if (!isdigit((unsigned char)text[0]) || *end || errno || *out > max) {
		scn_fail(s, "%s \"%s\" is not a number up to %lu", what, text, max);
		return -1;
	}
	return 0;
}

/*
 * Split line into words: blanks separate, "..." keeps blanks inside a
 * word (the quotes go), '#' at the start of a word starts a comment.
 * Every copy is bounded: a word or a line too long is an error.
 */
static int tokenize(struct scn *s, const char *line, struct scn_tokens *t)
{
	const char *p = line;

	t->n = 0;
	for (;;) {
		size_t len = 0;
		bool quoted = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			return 0;
		if (t->n == SCN_MAX_TOKENS) {
			scn_fail(s, "more than %d words", SCN_MAX_TOKENS);
			return -1;
		}
		while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
			if (*p == '"') {
				quoted = !quoted;
				p++;
				continue;
			}
			if (len + 1 >= SCN_TOKEN_MAX) {
				scn_fail(s, "a word longer than %d characters", SCN_TOKEN_MAX - 1);
				return -1;
			}
			t->w[t->n][len++] = *p++;
		}
		if (quoted) {
			scn_fail(s, "unterminated quote");
			return -1;
		}
		t->w[t->n++][len] = '\0';
	}
}

/* ---- lines before the world exists ---- */

/* `config LINE`: one conf-file line, parsed now so an error names this line. */
static void add_config(struct scn *s, const struct scn_tokens *t)
{
	char text[SCN_LINE_MAX + 2];
	size_t len = 0;
	struct error err = { 0 };

	if (t->n < 2) {
		scn_fail(s, "usage: config CONF-FILE-LINE");
		return;
	}
	for (size_t i = 1; i < t->n; i++) {
		size_t n = strlen(t->w[i]);

		if (len + n + 2 > sizeof(text)) {
			scn_fail(s, "config line longer than %d characters", SCN_LINE_MAX);
			return;
		}
		memcpy(text + len, t->w[i], n);
		len += n;
		text[len++] = i + 1 < t->n ? ' ' : '\n';
	}
	if (!s->cfg_inited) {
		config_init(&s->cfg);
		s->cfg_inited = true;
	}
	if (config_parse_text(&s->cfg, text, len, s->path, &err) < 0) {
		/* The parser's "(at FILE:1)" names the one-line text: this line. */
		char *at = strstr(err.msg, " (at ");

		if (at)
			*at = '\0';
		scn_fail(s, "config: %s", err.msg);
		s->broken = true; /* nothing after it would test what was meant */
	}
}

int scn_prefix(struct scn *s, const char *text, int family, struct lease_addr *addr,
	       unsigned *prefix)
{
	char copy[SCN_TOKEN_MAX];
	char *slash;
	unsigned long n;

	str_copy(copy, text, sizeof(copy));
	slash = strchr(copy, '/');
	if (!slash) {
		scn_fail(s, "\"%s\" is not ADDR/PREFIX", text);
		return -1;
	}
	*slash = '\0';
	if (scn_addr(s, copy, family, addr) < 0 ||
	    scn_number(s, slash + 1, "prefix", family == AF_INET ? 32 : 128, &n) < 0)
		return -1;
	*prefix = (unsigned)n;
	return 0;
}

/* `interface NAME ADDR/PREFIX`: the interface DHCP messages arrive on. */
static void set_interface(struct scn *s, const struct scn_tokens *t)
{
	struct lease_addr a;
	unsigned prefix;

	if (t->n != 3 || strlen(t->w[1]) >= IF_NAMESIZE) {
		scn_fail(s, "usage: interface NAME ADDR/PREFIX");
		return;
	}
	if (scn_prefix(s, t->w[2], AF_INET, &a, &prefix) < 0)
		return;
	str_copy(s->iface.name, t->w[1], sizeof(s->iface.name));
	s->iface.addrs[0] = a.v4;
	s->iface.netmasks[0].s_addr = prefix ? htonl(~0u << (32 - prefix)) : 0;
}

/* `interface6 NAME ADDR/PREFIX`: the interface DHCPv6 messages arrive on. */
static void set_interface6(struct scn *s, const struct scn_tokens *t)
{
	struct lease_addr a;
	unsigned prefix;

	if (t->n != 3 || strlen(t->w[1]) >= IF_NAMESIZE) {
		scn_fail(s, "usage: interface6 NAME ADDR/PREFIX");
		return;
	}
	if (scn_prefix(s, t->w[2], AF_INET6, &a, &prefix) < 0)
		return;
	str_copy(s->iface6.name, t->w[1], sizeof(s->iface6.name));
	s->iface6.addrs[0] = a.v6;
	s->iface6.prefixlens[0] = (uint8_t)prefix;
}

static void set_must_fail(struct scn *s, const struct scn_tokens *t)
{
	if (t->n != 2) {
		scn_fail(s, "usage: must-fail \"TEXT a FAIL line must contain\"");
		return;
	}
	str_copy(s->must_fail, t->w[1], sizeof(s->must_fail));
}

/* ---- dispatch ---- */

struct verb {
	const char *name;
	void (*run)(struct scn *s, const struct scn_tokens *t);
	bool needs_world;
	bool action;        /* changes or reads the world: invariants follow */
};

static const struct verb verbs[] = {
	{ "config", add_config, false, false },
	{ "interface", set_interface, false, false },
	{ "interface6", set_interface6, false, false },
	{ "must-fail", set_must_fail, false, false },
	{ "time", scn_step_time, true, true },
	{ "dhcp", scn_step_dhcp, true, true },
	{ "dhcp6", scn_step_dhcp6, true, true },
	{ "dns", scn_step_dns, true, true },
	{ "cache", scn_step_cache, true, true },
	{ "upstream-cache", scn_step_upstream, true, true },
	{ "lease", scn_step_lease, true, true },
	{ "expect", scn_expect, true, false },
};

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static void run_line(struct scn *s, const struct scn_tokens *t)
{
	const struct verb *v = find_verb(t->w[0]);

	if (!v) {
		scn_fail(s, "unknown step \"%s\"", t->w[0]);
		return;
	}
	if (!v->needs_world && s->ready) {
		scn_fail(s, "%s must come before the first step", v->name);
		return;
	}
	if (v->needs_world && !s->ready && scn_setup(s) < 0) {
		s->broken = true;
		return;
	}
	v->run(s, t);
	if (v->action)
		scn_check_invariants(s);
	if (v->action && v->run != scn_step_time)
		s->clock_started = true;
}

/* Strip the line end; refuse a line longer than SCN_LINE_MAX. */
static bool line_ok(struct scn *s, char *line, ssize_t len)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if ((size_t)len > SCN_LINE_MAX || strlen(line) != (size_t)len) {
		scn_fail(s, "line longer than %d characters, or with a NUL byte", SCN_LINE_MAX);
		return false;
	}
	return true;
}

static void run_lines(struct scn *s, FILE *fp)
{
	struct scn_tokens *t = xcalloc(1, sizeof(*t));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while (!s->broken && (len = getline(&line, &cap, fp)) >= 0) {
		s->line++;
		s->text = line;
		if (line_ok(s, line, len) && tokenize(s, line, t) == 0 && t->n)
			run_line(s, t);
		else if (!s->step_failed)
			continue;
		finish_step(s);
	}
	free(line);
	free(t);
}

static void scn_init(struct scn *s, const char *path, bool verbose, bool no_purge)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->verbose = verbose;
	s->purge_off = no_purge;
	s->now = 1700000000;
	s->iface.ifindex = 3;
	s->iface.naddrs = 1;
	str_copy(s->iface.name, "lxcbr0", sizeof(s->iface.name));
	inet_pton(AF_INET, "10.0.3.1", &s->iface.addrs[0]);
	inet_pton(AF_INET, "255.255.255.0", &s->iface.netmasks[0]);
	s->iface6.ifindex = 3;
	s->iface6.naddrs = 1;
	str_copy(s->iface6.name, "lxcbr0", sizeof(s->iface6.name));
	inet_pton(AF_INET6, "fd42::1", &s->iface6.addrs[0]);
	s->iface6.prefixlens[0] = 64;
}

/* Run one file; its pass and fail counts go into *passed, *failed. */
static bool run_file(const char *path, bool verbose, bool no_purge, bool must_fail,
		     unsigned *passed, unsigned *failed)
{
	struct scn *s = xcalloc(1, sizeof(*s));
	FILE *fp = fopen(path, "r");
	bool ok;

	scn_init(s, path, verbose, no_purge);
	if (!fp) {
		scn_fail(s, "cannot open: %s", strerror(errno));
		s->failed++;
	} else {
		run_lines(s, fp);
		fclose(fp);
	}
	scn_teardown(s);
	*passed += s->passed;
	*failed += s->failed;
	ok = s->failed == 0;
	if (must_fail) {
		ok = s->failed > 0 && s->must_fail[0] && s->must_fail_matched;
		printf("%s %s: %s\n", ok ? "ok" : "FAIL", path,
		       ok ? "failed as it must" :
		       !s->must_fail[0] ? "has no must-fail line" :
		       s->failed ? "failed, but never with the must-fail text" :
				   "passed, but must fail");
	}
	free(s);
	return ok;
}

int main(int argc, char **argv)
{
	bool verbose = false, no_purge = false, must_fail = false, all_ok = true;
	unsigned passed = 0, failed = 0, files_bad = 0;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (strcmp(argv[i], "--no-purge") == 0)
			no_purge = true;
		else if (strcmp(argv[i], "--must-fail") == 0)
			must_fail = true;
		else
			break;
	}
	if (i == argc || argv[i][0] == '-') {
		fprintf(stderr, "usage: scenario [-v] [--no-purge] [--must-fail] FILE...\n");
		return 2;
	}
	log_open("leased", verbose ? "-" : "/dev/null");
	for (; i < argc; i++)
		if (!run_file(argv[i], verbose, no_purge, must_fail, &passed, &failed)) {
			all_ok = false;
			files_bad++;
		}
	log_close();
	printf("%u passed, %u failed", passed, failed);
	if (must_fail)
		printf(" (must-fail: %u file(s) did not fail as they must)", files_bad);
	printf("\n");
	return all_ok ? 0 : 1;
}
