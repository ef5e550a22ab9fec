/*
 * leasectl_fmt — durations, tables, terminal-safe text and the two ways
 * leasectl prints a JSON value (see include/leasectl/leasectl_fmt.h).  Everything
 * the daemon sends passes through ctl_printable() before it reaches a
 * terminal: a DNS name in the cache may hold any byte, and an escape
 * sequence in it must not reach the administrator's terminal as one.
 */
#include "leasectl/leasectl_fmt.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* An array of scalars is shown on one line when it is at most this wide. */
#define INLINE_ARRAY_MAX 64

char *ctl_duration(int64_t secs, char *buf, size_t len)
{
	static const struct {
		int64_t secs;
		char unit;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	int64_t big, small = 0;
	size_t i;

	if (!buf || len == 0)
		return buf;
	if (secs <= 0) {
		snprintf(buf, len, "0s");
		return buf;
	}
	for (i = 0; i + 1 < ARRAY_SIZE(units) && secs < units[i].secs; i++)
		;
	big = secs / units[i].secs;
	if (i + 1 < ARRAY_SIZE(units))
		small = secs % units[i].secs / units[i + 1].secs;
	if (small)
		snprintf(buf, len, "%" PRId64 "%c%" PRId64 "%c", big, units[i].unit, small,
			 units[i + 1].unit);
	else
		snprintf(buf, len, "%" PRId64 "%c", big, units[i].unit);
	return buf;
}

char *ctl_time_left(int64_t expires, int64_t left, char *buf, size_t len)
{
	if (!buf || len == 0)
		return buf;
	if (expires == 0)
		snprintf(buf, len, "never");
	else if (left <= 0)
		snprintf(buf, len, "expired");
	else
		ctl_duration(left, buf, len);
	return buf;
}

/* Bytes in the UTF-8 sequence that starts with c (1 for anything odd). */
static size_t utf8_seq_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

char *ctl_printable(const char *s, char *out, size_t len)
{
	size_t o = 0;

	if (!out || len == 0)
		return out;
	if (!s)
		s = "";
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n = utf8_seq_len(c);

		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9f)) {
			/* A C0 control, DEL, or a C1 control (U+0080..U+009F). */
			size_t esc = c == 0xc2 ? 8 : 4;

			if (o + esc >= len)
				break;
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
			if (c == 0xc2)
				o += (size_t)snprintf(out + o, len - o, "\\x%02x",
						      (unsigned char)s[1]);
			s += c == 0xc2 ? 2 : 1;
			continue;
		}
		/* Never copy half a character, nor past a NUL inside a sequence. */
		for (size_t k = 1; k < n; k++)
			if (s[k] == '\0')
				n = k;
		if (o + n >= len)
			break;
		memcpy(out + o, s, n);
		o += n;
		s += n;
	}
	out[o] = '\0';
	return out;
}

size_t ctl_text_width(const char *s)
{
	size_t w = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* A printable copy of s, of any length ("-" for nothing). */
static char *printable_dup(const char *s)
{
	size_t n;
	char *p;

	if (!s || !*s)
		return xstrdup("-");
	n = strlen(s) * 8 + 1; /* worst case: every byte an escape */
	p = xmalloc(n);
	ctl_printable(s, p, n);
	return p;
}

void ctl_table_init(struct ctl_table *t, size_t ncols, const char *const *headers)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = NULL;
	ctl_table_add(t, headers);
}

void ctl_table_add(struct ctl_table *t, const char *const *cells)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = printable_dup(cells[c]);
	t->nrows++;
}

void ctl_table_print(const struct ctl_table *t, FILE *out)
{
	size_t *width = xcalloc(t->ncols, sizeof(*width));

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			width[c] = MAX(width[c], ctl_text_width(t->cells[r * t->ncols + c]));
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];

			fputs(cell, out);
			if (c + 1 < t->ncols)
				fprintf(out, "%*s", (int)(width[c] - ctl_text_width(cell) + 2), "");
		}
		fputc('\n', out);
	}
	free(width);
}

void ctl_table_free(struct ctl_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

/* ---- "key: value" rendering --------------------------------------- */

static bool is_scalar(const struct json_value *v)
{
	return v->type != JSON_ARRAY && v->type != JSON_OBJECT;
}

const char *ctl_scalar_text(const struct json_value *v, char *buf, size_t len)
{
	switch (v->type) {
	case JSON_NULL:
		return "-";
	case JSON_BOOL:
		return v->b ? "yes" : "no";
	case JSON_INT:
		snprintf(buf, len, "%" PRId64, v->i);
		return buf;
	case JSON_STRING:
		return v->s ? v->s : "";
	default:
		return "";
	}
}

/* Short scalars only: shown as "a, b, c". */
static bool inline_array(const struct json_value *a)
{
	size_t width = 0;
	char num[32];

	if (a->type != JSON_ARRAY)
		return false;
	for (const struct json_value *e = a->child; e; e = e->next) {
		if (!is_scalar(e))
			return false;
		width += ctl_text_width(ctl_scalar_text(e, num, sizeof(num))) + 2;
		if (width > INLINE_ARRAY_MAX + 2)
			return false;
	}
	return true;
}

static bool one_line(const struct json_value *v)
{
	return is_scalar(v) || !v->child || inline_array(v);
}

struct render {
	FILE *out;
	bool dash; /* the next line starts an array element: "- " in the indent */
};

static void pad(struct render *r, int indent)
{
	if (r->dash) {
		fprintf(r->out, "%*s- ", indent >= 2 ? indent - 2 : 0, "");
		r->dash = false;
	} else {
		fprintf(r->out, "%*s", indent, "");
	}
}

static void put_text(FILE *out, const char *s)
{
	char *p = printable_dup(s && *s ? s : "\"\"");

	fputs(p, out);
	free(p);
}

static void put_scalar(FILE *out, const struct json_value *v)
{
	char num[32];

	put_text(out, ctl_scalar_text(v, num, sizeof(num)));
}

static void render_members(struct render *r, const struct json_value *obj, int indent,
			   const char *const *skip, bool sections);

static void render_element(struct render *r, const struct json_value *e, int indent)
{
	if (e->type == JSON_OBJECT && e->child) {
		r->dash = true;
		render_members(r, e, indent + 2, NULL, false);
		return;
	}
	pad(r, indent);
	fputs("- ", r->out);
	if (is_scalar(e)) {
		put_scalar(r->out, e);
		fputc('\n', r->out);
	} else if (!e->child) {
		fputs("(none)\n", r->out);
	} else {
		ctl_json_print(r->out, e, false); /* an array in an array: rare */
	}
}

static void render_member(struct render *r, const char *key, const struct json_value *v,
			  int indent)
{
	pad(r, indent);
	put_text(r->out, key);
	fputc(':', r->out);
	if (is_scalar(v)) {
		fputc(' ', r->out);
		put_scalar(r->out, v);
		fputc('\n', r->out);
	} else if (!v->child) {
		fputs(" (none)\n", r->out);
	} else if (inline_array(v)) {
		fputc(' ', r->out);
		for (const struct json_value *e = v->child; e; e = e->next) {
			put_scalar(r->out, e);
			fputs(e->next ? ", " : "\n", r->out);
		}
	} else if (v->type == JSON_OBJECT) {
		fputc('\n', r->out);
		render_members(r, v, indent + 2, NULL, false);
	} else {
		fputc('\n', r->out);
		for (const struct json_value *e = v->child; e; e = e->next)
			render_element(r, e, indent + 2);
	}
}

static bool skipped(const char *key, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (key && strcmp(key, *skip) == 0)
			return true;
	return false;
}

static void render_members(struct render *r, const struct json_value *obj, int indent,
			   const char *const *skip, bool sections)
{
	bool first = true, prev_multi = false;

	if (!obj || obj->type != JSON_OBJECT)
		return;
	for (const struct json_value *m = obj->child; m; m = m->next) {
		bool multi = !one_line(m);

		if (skipped(m->key, skip))
			continue;
		if (sections && !first && (multi || prev_multi))
			fputc('\n', r->out);
		render_member(r, m->key ? m->key : "", m, indent);
		first = false;
		prev_multi = multi;
	}
}

void ctl_render(FILE *out, const struct json_value *obj, int indent,
		const char *const *skip, bool sections)
{
	struct render r = { .out = out };

	render_members(&r, obj, indent, skip, sections);
}

void ctl_render_member(FILE *out, const char *key, const struct json_value *v, int indent)
{
	struct render r = { .out = out };

	if (v)
		render_member(&r, key, v, indent);
}

/* ---- JSON out ------------------------------------------------------ */

void ctl_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

static void newline_indent(FILE *out, bool pretty, int depth)
{
	if (pretty)
		fprintf(out, "\n%*s", depth * 2, "");
}

static void json_out(FILE *out, const struct json_value *v, bool pretty, int depth)
{
	bool obj = v->type == JSON_OBJECT;

	switch (v->type) {
	case JSON_NULL:
		fputs("null", out);
		return;
	case JSON_BOOL:
		fputs(v->b ? "true" : "false", out);
		return;
	case JSON_INT:
		fprintf(out, "%" PRId64, v->i);
		return;
	case JSON_STRING:
		ctl_json_string(out, v->s);
		return;
	case JSON_ARRAY:
	case JSON_OBJECT:
		break;
	}
	fputc(obj ? '{' : '[', out);
	for (const struct json_value *c = v->child; c; c = c->next) {
		newline_indent(out, pretty, depth + 1);
		if (obj) {
			ctl_json_string(out, c->key);
			fputs(pretty ? ": " : ":", out);
		}
		json_out(out, c, pretty, depth + 1);
		if (c->next)
			fputc(',', out);
	}
	if (v->child)
		newline_indent(out, pretty, depth);
	fputc(obj ? '}' : ']', out);
}

void ctl_json_write(FILE *out, const struct json_value *v, bool pretty, int depth)
{
	if (v)
		json_out(out, v, pretty, depth);
	else
		fputs("null", out);
}

void ctl_json_print(FILE *out, const struct json_value *v, bool pretty)
{
	ctl_json_write(out, v, pretty, 0);
	fputc('\n', out);
}
