/*
 * conf_lex — conf-file and option-value text, below every option: files
 * and directories read as dnsmasq reads its conf-files, lines with their
 * comments cut off, values split at the commas outside double quotes and
 * unquoted, the small validators the value parsers share (names, IPv4
 * and IPv6 addresses, interface names, tag: conditions), and the one-line
 * error message.  See conf_lex.h for who may use it; it depends on no
 * config*.c file.
 */
#include "conf/config.h"
#include "conf_lex.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger than any sane conf-file or hosts file; keeps a wrong path sane. */
#define CONF_MAX_FILE_SIZE (64u << 20)

/* ---- errors ---- */

int config_option_error(struct error *err, const char *opt, const char *arg,
			const char *where, const char *fmt, ...)
{
	char reason[256], shown[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	str_printable(shown, sizeof(shown), arg ? arg : "", 100);
	error_set(err, EXIT_CONFIG, "bad --%s \"%s\": %s (at %s)", opt, shown,
			 reason, where);
	return -1;
}

int reasonf(struct reason *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void config_set_origin(struct config_origin *o, const char *where)
{
	str_copy(o->where, where, sizeof(o->where));
}

/* ---- quoting and fields ---- */

static int unescape(char c, char *out)
{
	switch (c) {
	case '\\': *out = '\\'; return 0;
	case '"': *out = '"'; return 0;
	case 't': *out = '\t'; return 0;
	case 'e': *out = '\033'; return 0;
	case 'b': *out = '\b'; return 0;
	case 'r': *out = '\r'; return 0;
	case 'n': *out = '\n'; return 0;
	default: return -1;
	}
}

struct field_buf {
	char *buf;
	size_t len, keep;    /* keep: length without trailing unquoted blanks */
	bool quoted;
};

static void field_append(struct field_buf *f, char c, bool significant)
{
	f->buf[f->len++] = c;
	if (significant)
		f->keep = f->len;
}

/*
 * Walk arg once; with split, each comma outside quotes ends a field.
 * Fields go to out (when splitting) or *whole.
 */
static int split_quoted(const char *arg, bool split, struct fieldlist *out,
			char **whole, const char **why)
{
	struct field_buf f = { .buf = xmalloc(strlen(arg) + 1) };
	bool in_quote = false;

	for (const char *s = arg;; s++) {
		char c = *s;

		if (c == '\0' || (split && !in_quote && c == ',')) {
			if (in_quote) {
				*why = "a double quote is not closed";
				free(f.buf);
				return -1;
			}
			f.buf[f.keep] = '\0';
			if (!split) {
				*whole = f.buf;
				return 0;
			}
			*(char **)array_push(&out->v, &out->n, sizeof(char *)) = xstrdup(f.buf);
			out->quoted = xrealloc(out->quoted, out->n * sizeof(bool));
			out->quoted[out->n - 1] = f.quoted;
			if (c == '\0')
				break;
			f.len = f.keep = 0;
			f.quoted = false;
			continue;
		}
		if (in_quote) {
			if (c == '"') {
				in_quote = false;
			} else if (c == '\\') {
				char e;

				if (unescape(s[1], &e) < 0) {
					*why = "unknown escape in double quotes (\\\\ \\\" \\t \\e \\b \\r \\n)";
					free(f.buf);
					return -1;
				}
				field_append(&f, e, true);
				s++;
			} else {
				field_append(&f, c, true);
			}
		} else if (c == '"') {
			in_quote = true;
			f.quoted = true;
			f.keep = f.len;
		} else if (isspace((unsigned char)c)) {
			if (f.len || f.quoted)
				field_append(&f, c, false);
		} else {
			field_append(&f, c, true);
		}
	}
	free(f.buf);
	return 0;
}

int fields_split(const char *arg, struct fieldlist *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (split_quoted(arg, true, out, NULL, why) < 0) {
		fields_free(out);
		return -1;
	}
	return 0;
}

void fields_free(struct fieldlist *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	free(f->quoted);
	memset(f, 0, sizeof(*f));
}

char *config_unquote(const char *arg, const char **why)
{
	char *whole = NULL;

	if (split_quoted(arg, false, NULL, &whole, why) < 0)
		return NULL;
	return whole;
}

/* ---- small validators ---- */

bool config_valid_label(const char *s)
{
	return str_is_label(s, false);
}

bool config_valid_name(const char *s, bool allow_underscore)
{
	size_t total = strlen(s), start = 0;

	/* RFC 1035 section 2.3.4: 255 octets on the wire, 253 as text. */
	if (total == 0 || total > 253)
		return false;
	while (start < total) {
		const char *dot = memchr(s + start, '.', total - start);
		size_t end = dot ? (size_t)(dot - s) : total;
		char label[64];

		if (end == start || end - start > 63)
			return false;
		memcpy(label, s + start, end - start);
		label[end - start] = '\0';
		if (allow_underscore) {
			for (char *c = label; *c; c++)
				if (*c == '_')
					*c = 'a';
		}
		if (!config_valid_label(label))
			return false;
		start = end + 1;
		if (dot && start == total)
			return false; /* "name." : trailing dots are stripped by callers */
	}
	return true;
}

int config_parse_ipv4(const char *s, struct in_addr *out)
{
	return inet_pton(AF_INET, s, out) == 1 ? 0 : -1;
}

int config_parse_ipv6(const char *s, struct in6_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		if (n - 2 >= sizeof(buf))
			return -1;
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		s = buf;
	}
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

bool config_valid_ifname(const char *s)
{
	size_t n = strlen(s);

	/* The kernel's rules (dev_valid_name): 1..15 bytes, no '/', ':' or blank. */
	if (n == 0 || n >= 16 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' || c == ':' || isspace(c) || !isprint(c))
			return false;
		if (c == '*' && i != n - 1)
			return false; /* dnsmasq's wildcard is a trailing '*' only */
	}
	return true;
}

int config_add_tag(struct tag_match *m, const char *name, const char **why)
{
	bool negate = false;

	if (name[0] == '!') {
		negate = true;
		name++;
	}
	if (name[0] == '\0') {
		*why = "empty tag name";
		return -1;
	}
	if (m->n == CONFIG_MAX_TAGS) {
		*why = "too many tag: conditions";
		return -1;
	}
	m->names[m->n] = xstrdup(name);
	m->negate[m->n] = negate;
	m->n++;
	return 0;
}

void tag_match_free(struct tag_match *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->names[i]);
	memset(m, 0, sizeof(*m));
}

/* ---- files, directories, lines ---- */

int config_read_fd(int fd, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap + 1);

	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= CONF_MAX_FILE_SIZE) {
				free(buf);
				errno = EFBIG;
				return -1;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			free(buf);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int config_read_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	int fd, rc, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	rc = config_read_fd(fd, text, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static bool skipped_name(const char *name, char *const *skip_ext, size_t nskip,
			 char *const *only_ext, size_t nonly)
{
	size_t n = strlen(name);
	bool wanted = nonly == 0;

	/* Editor backups, hidden files and emacs "#autosave#" files. */
	if (name[0] == '.' || name[n - 1] == '~' ||
	    (n >= 2 && name[0] == '#' && name[n - 1] == '#'))
		return true;
	for (size_t i = 0; i < nskip; i++)
		if (str_has_suffix(name, skip_ext[i]))
			return true;
	for (size_t i = 0; i < nonly && !wanted; i++)
		if (str_has_suffix(name, only_ext[i]))
			wanted = true;
	return !wanted;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int config_list_dir(const char *dir, char *const *skip_ext, size_t nskip,
		    char *const *only_ext, size_t nonly, char ***paths, size_t *npaths)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **list = NULL;
	size_t n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct stat st;
		char *path;

		if (skipped_name(de->d_name, skip_ext, nskip, only_ext, nonly))
			continue;
		path = xmalloc(strlen(dir) + strlen(de->d_name) + 2);
		sprintf(path, "%s/%s", dir, de->d_name);
		/* Follow symlinks: a link to a file is a file to read. */
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		*(char **)array_push(&list, &n, sizeof(char *)) = path;
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof(char *), compare_strings);
	*paths = list;
	*npaths = n;
	return 0;
}

void config_free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void line_reader_init(struct line_reader *r, const char *text, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->text = text;
	r->len = len;
}

void line_reader_free(struct line_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Cut the comment off line and trim it; -1 on an unclosed quote. */
static int strip_line(char *line, const char **why)
{
	bool in_quote = false;
	char *s = line, *end;

	for (char *c = line; *c; c++) {
		if (in_quote && c[0] == '\\' && c[1]) {
			c++;
		} else if (*c == '"') {
			in_quote = !in_quote;
		} else if (*c == '#' && !in_quote &&
			   (c == line || isspace((unsigned char)c[-1]))) {
			*c = '\0';
			break;
		}
	}
	if (in_quote) {
		*why = "a double quote is not closed";
		return -1;
	}
	while (isspace((unsigned char)*s))
		s++;
	memmove(line, s, strlen(s) + 1);
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return 0;
}

int line_next(struct line_reader *r, char **line, const char **why)
{
	while (r->pos < r->len) {
		const char *start = r->text + r->pos;
		const char *nl = memchr(start, '\n', r->len - r->pos);
		size_t n = nl ? (size_t)(nl - start) : r->len - r->pos;

		r->pos += n + (nl ? 1 : 0);
		r->lineno++;
		free(r->buf);
		r->buf = xmalloc(n + 1);
		memcpy(r->buf, start, n);
		r->buf[n] = '\0';
		if (memchr(start, '\0', n)) {
			*why = "the line holds a NUL byte";
			return -1;
		}
		if (strip_line(r->buf, why) < 0)
			return -1;
		if (r->buf[0]) {
			*line = r->buf;
			return 1;
		}
	}
	return 0;
}
