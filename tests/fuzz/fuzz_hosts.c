/*
 * fuzz_hosts — the hosts-file parser on anything.  From an exact-size
 * copy (so ASan sees a read past the end), and then checked against an
 * independent reading of the same bytes: every name handed on is a valid
 * DNS name, on a real line, the first of its line marked so; every line
 * with content yields a name or a "FILE:LINE: ..." message; the count of
 * bad lines returned is the count of lines with a message.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns/dns_wire.h"
#include "conf/hostsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILE_NAME "fuzz"

struct check {
	size_t nlines;
	bool *has_entry;      /* per line, 1-based */
	bool *has_problem;
};

/* RFC 1035 names of letters, digits, '-' and '_', written out again here. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-' && c != '_')
			return false;
		label++;
	}
	return true;
}

static void on_entry(void *ctx, const struct hostsfile_entry *e)
{
	struct check *c = ctx;
	uint8_t wire[DNS_WIRE_NAME_MAX];

	if (e->line == 0 || e->line > c->nlines || strcmp(e->file, FILE_NAME) != 0)
		abort();
	if (e->family != AF_INET && e->family != AF_INET6)
		abort();
	if (!valid_name(e->name) || dns_name_to_wire(e->name, wire, sizeof(wire)) < 0)
		abort();
	/* The first name of a line, and only it, is marked first. */
	if (e->first == c->has_entry[e->line])
		abort();
	c->has_entry[e->line] = true;
}

static void on_problem(void *ctx, const char *msg)
{
	struct check *c = ctx;
	char *end;
	unsigned long line;

	if (strncmp(msg, FILE_NAME ":", sizeof(FILE_NAME)) != 0)
		abort();
	line = strtoul(msg + sizeof(FILE_NAME), &end, 10);
	if (line == 0 || line > c->nlines || strncmp(end, ": ", 2) != 0 || !end[2])
		abort();
	c->has_problem[line] = true;
}

/* Does the line hold anything but blanks before its comment? */
static bool has_content(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '#')
			return false;
		/* A NUL before the comment is a problem by itself. */
		if (p[i] == '\0' || !strchr(" \t\r\v\f", p[i]))
			return true;
	}
	return false;
}

/* Every line with content gave a name or a message. */
static void check_lines(const char *p, size_t len, const struct check *c)
{
	size_t pos = 0, line = 0;

	while (pos < len) {
		const char *nl = memchr(p + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - p) : len;

		line++;
		if (has_content(p + pos, end - pos) && !c->has_entry[line] && !c->has_problem[line])
			abort();
		pos = end + 1;
	}
	if (line != c->nlines)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan catches a read one byte past the end. */
	char *buf = malloc(size ? size : 1);
	struct check c = { 0 };
	const struct hostsfile_sink sink = { on_entry, on_problem, &c };
	size_t bad, marked = 0;

	memcpy(buf, data, size);
	for (size_t i = 0; i < size; i++)
		if (buf[i] == '\n')
			c.nlines++;
	if (size && buf[size - 1] != '\n')
		c.nlines++;
	c.has_entry = calloc(c.nlines + 1, sizeof(bool));
	c.has_problem = calloc(c.nlines + 1, sizeof(bool));
	bad = hostsfile_parse(buf, size, FILE_NAME, &sink);
	check_lines(buf, size, &c);
	for (size_t i = 1; i <= c.nlines; i++)
		marked += c.has_problem[i];
	if (bad != marked)
		abort();
	free(c.has_entry);
	free(c.has_problem);
	free(buf);
	return 0;
}
