/*
 * hostsfile — the hosts(5) parser (see include/conf/hostsfile.h).
 *
 * Lines are cut at '\n' only; '\r' is whitespace, so CRLF files read like
 * LF ones.  Each token is copied into a bounded buffer before inet_pton()
 * or the name check sees it: the input is never NUL-terminated, and a
 * token too long for its buffer is bad by definition (no address is 64
 * bytes long, no name more than 253).
 */
#include "conf/hostsfile.h"
#include "conf_lex.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOKEN_MAX 256      /* a 253-byte name, its trailing dot, NUL, spare */
#define QUOTE_MAX 40       /* how much of a bad token a message shows */

struct line_ctx {
	const char *file;
	unsigned lineno;
	const struct hostsfile_sink *sink;
	size_t problems;       /* problems reported for this line */
	size_t names;          /* good names handed on */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * A bad token as it may appear in a log line: at most QUOTE_MAX bytes,
 * anything unprintable shown as '?', so a binary file cannot garble logs.
 */
static void quote_token(const char *t, size_t n, char *out, size_t outlen)
{
	size_t show = MIN(n, QUOTE_MAX), o = 0;

	for (size_t i = 0; i < show && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)t[i];

		out[o++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
	}
	if (show < n && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static void problem(struct line_ctx *lc, const char *what, const char *tok, size_t n)
{
	char msg[HOSTSFILE_MSG_LEN], q[QUOTE_MAX + 8];

	lc->problems++;
	if (!lc->sink || !lc->sink->problem)
		return;
	if (tok) {
		quote_token(tok, n, q, sizeof(q));
		snprintf(msg, sizeof(msg), "%s:%u: %s \"%s\"", lc->file, lc->lineno, what, q);
	} else {
		snprintf(msg, sizeof(msg), "%s:%u: %s", lc->file, lc->lineno, what);
	}
	lc->sink->problem(lc->sink->ctx, msg);
}

/* The next token of line[*pos..n) into (*tok, *toklen); false at the end. */
static bool next_token(const char *line, size_t n, size_t *pos, const char **tok,
		       size_t *toklen)
{
	size_t i = *pos, start;

	while (i < n && is_blank(line[i]))
		i++;
	if (i == n) {
		*pos = n;
		return false;
	}
	start = i;
	while (i < n && !is_blank(line[i]))
		i++;
	*tok = line + start;
	*toklen = i - start;
	*pos = i;
	return true;
}

static int parse_address(const char *tok, size_t n, struct hostsfile_entry *e)
{
	char buf[INET6_ADDRSTRLEN];

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &e->addr.v4) == 1) {
		e->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &e->addr.v6) == 1) {
		e->family = AF_INET6;
		return 0;
	}
	return -1;
}

/*
 * A name token into buf without its trailing dot, checked the way dnsmasq
 * checks hosts-file names: labels of letters, digits, '-' and '_' (the
 * underscore for names like "_gateway").  -1 when it is not such a name.
 */
static int clean_name(const char *tok, size_t n, char *buf, size_t buflen)
{
	if (n >= buflen)
		return -1;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	if (n > 1 && buf[n - 1] == '.')
		buf[n - 1] = '\0';
	return config_valid_name(buf, true) ? 0 : -1;
}

static void parse_names(struct line_ctx *lc, const char *line, size_t n, size_t pos,
			struct hostsfile_entry *e)
{
	char name[TOKEN_MAX];
	const char *tok;
	size_t toklen, seen = 0;

	while (next_token(line, n, &pos, &tok, &toklen)) {
		seen++;
		if (clean_name(tok, toklen, name, sizeof(name)) < 0) {
			problem(lc, "bad name", tok, toklen);
			continue;
		}
		e->name = name;
		e->first = lc->names == 0;
		lc->names++;
		if (lc->sink && lc->sink->entry)
			lc->sink->entry(lc->sink->ctx, e);
	}
	if (!seen)
		problem(lc, "an address without a name", NULL, 0);
}

/* One line (without its '\n'): 1 if it had a problem, else 0. */
static size_t parse_line(struct line_ctx *lc, const char *line, size_t n)
{
	const char *hash = memchr(line, '#', n), *tok;
	struct hostsfile_entry e = { .file = lc->file, .line = lc->lineno };
	size_t pos = 0, toklen;

	if (hash)
		n = (size_t)(hash - line);
	/* A NUL would cut the line short for any C-string reader: say so. */
	if (memchr(line, '\0', n)) {
		problem(lc, "a NUL byte in the line", NULL, 0);
		return 1;
	}
	if (!next_token(line, n, &pos, &tok, &toklen))
		return 0;
	if (parse_address(tok, toklen, &e) < 0) {
		problem(lc, "bad address", tok, toklen);
		return 1;
	}
	parse_names(lc, line, n, pos, &e);
	return lc->problems ? 1 : 0;
}

size_t hostsfile_parse(const char *p, size_t len, const char *file,
		       const struct hostsfile_sink *sink)
{
	size_t pos = 0, bad = 0;
	unsigned lineno = 0;

	if (!p)
		return 0;
	while (pos < len) {
		const char *nl = memchr(p + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - p) : len;
		struct line_ctx lc = { .file = file, .lineno = ++lineno, .sink = sink };

		bad += parse_line(&lc, p + pos, end - pos);
		pos = end + 1;
	}
	return bad;
}

/* ---- files ---- */

struct counting {
	const struct hostsfile_sink *inner;
	long names;
};

static void count_entry(void *ctx, const struct hostsfile_entry *e)
{
	struct counting *c = ctx;

	c->names++;
	if (c->inner->entry)
		c->inner->entry(c->inner->ctx, e);
}

static void pass_problem(void *ctx, const char *msg)
{
	struct counting *c = ctx;

	if (c->inner->problem)
		c->inner->problem(c->inner->ctx, msg);
}

static void load_failed(const struct hostsfile_sink *sink, const char *path)
{
	char msg[HOSTSFILE_MSG_LEN];

	if (!sink->problem)
		return;
	snprintf(msg, sizeof(msg), "failed to load names from %s: %s", path, strerror(errno));
	sink->problem(sink->ctx, msg);
}

static int load_file(const char *path, const struct hostsfile_sink *sink)
{
	char *text;
	size_t len;

	if (config_read_file(path, &text, &len) < 0) {
		load_failed(sink, path);
		return -1;
	}
	hostsfile_parse(text, len, path, sink);
	free(text);
	return 0;
}

long hostsfile_load(const char *path, const struct hostsfile_sink *sink)
{
	static const struct hostsfile_sink quiet;
	struct counting c = { .inner = sink ? sink : &quiet };
	struct hostsfile_sink counter = { count_entry, pass_problem, &c };
	struct stat st;
	char **paths = NULL;
	size_t n = 0;

	sink = c.inner;
	if (stat(path, &st) < 0) {
		load_failed(sink, path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(path, &counter) < 0 ? -1 : c.names;
	if (config_list_dir(path, NULL, 0, NULL, 0, &paths, &n) < 0) {
		load_failed(sink, path);
		return -1;
	}
	/* One unreadable file in a directory is reported; the others still count. */
	for (size_t i = 0; i < n; i++)
		load_file(paths[i], &counter);
	config_free_list(paths, n);
	return c.names;
}
