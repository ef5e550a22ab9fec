/*
 * leasectl_fmt — how leasectl shows things: durations ("59m12s", "3h"),
 * aligned tables, text that is safe to put on a terminal, a JSON value
 * rendered as indented "key: value" lines, and a JSON value written back
 * out as JSON.  Nothing here knows a command; the renderers take whatever
 * members the daemon sends, so a new member shows up without a leasectl
 * change.  Pure functions of their inputs (time included), for the tests.
 */
#ifndef LEASED_LEASECTL_FMT_H
#define LEASED_LEASECTL_FMT_H

#include "core/json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest duration text ("106751991167300d15h" fits). */
#define CTL_DURATION_LEN 32

/*
 * A span of seconds in at most two units, the smaller left out when zero:
 * "42s", "5m", "59m12s", "3h", "3h5m", "2d", "2d3h".  Negative counts as 0.
 */
char *ctl_duration(int64_t secs, char *buf, size_t len);

/*
 * Time left on a lease or cache entry: "never" when expires is 0 (an
 * infinite lease), "expired" when left <= 0, else ctl_duration(left).
 */
char *ctl_time_left(int64_t expires, int64_t left, char *buf, size_t len);

/*
 * s made safe for a terminal: control characters (C0, DEL and the C1
 * range U+0080..U+009F) become "\xNN", the rest is copied.  Truncated to
 * len - 1 bytes on a character boundary.  Returns out.
 */
char *ctl_printable(const char *s, char *out, size_t len);

/* Columns a string takes: UTF-8 characters, not bytes. */
size_t ctl_text_width(const char *s);

/*
 * A table printed with every column as wide as its widest cell, columns
 * two spaces apart, nothing after the last one.  Cells are copied through
 * ctl_printable(); an empty or NULL cell is shown as "-".
 */
struct ctl_table {
	size_t ncols, nrows;  /* nrows counts the header */
	char **cells;         /* nrows * ncols */
};

void ctl_table_init(struct ctl_table *t, size_t ncols, const char *const *headers);
void ctl_table_add(struct ctl_table *t, const char *const *cells);
void ctl_table_print(const struct ctl_table *t, FILE *out);
void ctl_table_free(struct ctl_table *t);

/* One scalar as text: strings as they are (not made printable), "yes"/"no", "-" for null. */
const char *ctl_scalar_text(const struct json_value *v, char *buf, size_t len);

/*
 * The members of object obj as "key: value" lines, indent spaces in:
 * nested objects as "key:" and their members two spaces further in,
 * arrays of short scalars on one line ("names: c1, c1.lxc"), other arrays
 * one element per line after "- ".  Keys listed in skip (NULL-terminated,
 * or NULL) are left out.  sections: a blank line before and after every
 * member that takes more than one line, for the top level of a long
 * result (stats).  Text is made printable.
 */
void ctl_render(FILE *out, const struct json_value *obj, int indent,
		const char *const *skip, bool sections);
/* One member (key, v), as ctl_render() would show it. */
void ctl_render_member(FILE *out, const char *key, const struct json_value *v, int indent);

/*
 * v as JSON text: pretty (two-space indentation, a member or element per
 * line) or on one line; a newline follows either way.
 */
void ctl_json_print(FILE *out, const struct json_value *v, bool pretty);
/* The same without the newline, as if depth levels in (inside another value). */
void ctl_json_write(FILE *out, const struct json_value *v, bool pretty, int depth);
/* s as a JSON string literal, quotes included. */
void ctl_json_string(FILE *out, const char *s);

#endif
